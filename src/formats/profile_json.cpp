// The neutral profile file (calibration.h; docs/formats.md, "Neutral profile").
#include <cmath>
#include <numbers>
#include <string>

#include "formats/json_util.h"
#include "semblend/calibration.h"

namespace semblend {
namespace {

constexpr const char* kFormat = "semblend.profile";
constexpr int kVersion = 1;
constexpr double kDegree = std::numbers::pi / 180;

// {"eyeBlinkLeft": value, ...}: a rest, by ARKit name.
formats::json rest_json(const Coefficients& rest) {
  formats::json out = formats::json::object();
  for (const auto& row : kBlendshapes)
    out[std::string(row.apple_name)] = formats::float_number(rest[row.shape]);
  return out;
}

}  // namespace

std::string profile_to_json(const NeutralProfile& p) {
  using formats::json;
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["source"] = p.source;
  j["frames"] = p.frames;
  j["jittered"] = p.jittered;
  j["rest"] = rest_json(p.rest);
  json warn = json::object();
  for (const auto& [name, v] : p.not_neutral) warn[name] = formats::float_number(v);
  j["not_neutral"] = warn;
  json offset = json::array();
  for (float v : p.input_offset) offset.push_back(formats::float_number(v));
  j["input_offset"] = offset;
  if (p.pose_aware) {  // calibration.h: the frames' pose and the profile away from it
    j["pose"] = {{"yaw_deg", formats::float_number(float(p.yaw / kDegree))},
                 {"pitch_deg", formats::float_number(float(p.pitch / kDegree))}};
    j["turned"] = {{"offset_scale", formats::float_number(p.turned_scale)},
                   {"rest", rest_json(p.turned_rest)}};
  }
  if (!p.correction.empty()) j["correction"] = formats::json::parse(p.correction);
  return j.dump(1) + "\n";
}

NeutralProfile profile_from_json(std::string_view text, const std::string& file) {
  using formats::JsonPlace;
  const formats::json j = formats::parse_json(text, file);
  const JsonPlace top(file);
  if (!j.is_object()) top.fail("expected a JSON object (a semblend.profile)");
  auto field = [&](const char* key) -> const formats::json& {
    if (!j.contains(key)) top.fail(std::string("missing \"") + key + "\"");
    return j.at(key);
  };
  if (formats::get_string(field("format"), top.at("format")) != kFormat)
    top.at("format").fail(std::string("not a neutral profile (expected \"") + kFormat + "\")");
  if (const double v = formats::get_number(field("version"), top.at("version")); v != kVersion)
    top.at("version").fail("unsupported version " + std::to_string(v) + " (this build reads " +
                           std::to_string(kVersion) + ")");
  NeutralProfile p;
  if (j.contains("source")) p.source = formats::get_string(j.at("source"), top.at("source"));
  const double frames = formats::get_number(field("frames"), top.at("frames"));
  if (frames < 0 || frames != std::floor(frames)) top.at("frames").fail("expected a count");
  p.frames = int(frames);
  if (j.contains("jittered")) {  // optional: profiles written before it have none
    const double copies = formats::get_number(j.at("jittered"), top.at("jittered"));
    if (copies < 0 || copies != std::floor(copies) || copies > kMaxJitterCopies * frames)
      top.at("jittered")
          .fail("expected a count of at most " + std::to_string(kMaxJitterCopies) + " per frame");
    p.jittered = int(copies);
  }
  auto read_rest = [](const formats::json& rest, const JsonPlace& at) {
    if (!rest.is_object()) at.fail("expected an object of shape: value");
    Coefficients c;
    for (const auto& [name, v] : rest.items()) {
      const auto shape = blendshape_from_name(name);
      if (!shape) at.at(name).fail("unknown blendshape");
      const double r = formats::get_number(v, at.at(name));
      if (r < 0 || r > 0.95) at.at(name).fail("rest must lie in [0, 0.95]");
      c.set(*shape, float(r));
    }
    return c;
  };
  p.rest = read_rest(field("rest"), top.at("rest"));
  if (j.contains("not_neutral")) {
    const formats::json& w = j.at("not_neutral");
    if (!w.is_object()) top.at("not_neutral").fail("expected an object of shape: value");
    for (const auto& [name, v] : w.items())
      p.not_neutral.emplace_back(name,
                                 float(formats::get_number(v, top.at("not_neutral").at(name))));
  }
  const formats::json& offset = field("input_offset");
  if (!offset.is_array()) top.at("input_offset").fail("expected an array");
  if (!offset.empty() && offset.size() != kSolverInputSize)
    top.at("input_offset")
        .fail("expected " + std::to_string(kSolverInputSize) + " values (or none), got " +
              std::to_string(offset.size()));
  for (std::size_t i = 0; i < offset.size(); ++i) {
    const double v = formats::get_number(offset[i], top.at("input_offset").at(i));
    if (std::fabs(v) > 10) top.at("input_offset").at(i).fail("implausible offset (> 10 cm)");
    p.input_offset.push_back(float(v));
  }
  if (j.contains("pose") || j.contains("turned")) {  // optional: profiles before 2026-12-05
    const formats::json& pose = field("pose");
    const formats::json& turned = field("turned");
    if (p.input_offset.empty()) top.at("turned").fail("a turned profile needs an input_offset");
    if (!pose.is_object()) top.at("pose").fail("expected {\"yaw_deg\", \"pitch_deg\"}");
    if (!turned.is_object()) top.at("turned").fail("expected {\"offset_scale\", \"rest\"}");
    auto member = [](const formats::json& o, const char* key, const JsonPlace& at) {
      if (!o.contains(key)) at.fail(std::string("missing \"") + key + "\"");
      return formats::get_number(o.at(key), at.at(key));
    };
    const double yaw = member(pose, "yaw_deg", top.at("pose"));
    const double pitch = member(pose, "pitch_deg", top.at("pose"));
    if (std::fabs(yaw) > 90) top.at("pose").at("yaw_deg").fail("must lie in [-90, 90]");
    if (std::fabs(pitch) > 90) top.at("pose").at("pitch_deg").fail("must lie in [-90, 90]");
    const double scale = member(turned, "offset_scale", top.at("turned"));
    if (scale < 0 || scale > 1) top.at("turned").at("offset_scale").fail("must lie in [0, 1]");
    if (!turned.contains("rest")) top.at("turned").fail("missing \"rest\"");
    p.pose_aware = true;
    p.yaw = float(yaw * kDegree);
    p.pitch = float(pitch * kDegree);
    p.turned_scale = float(scale);
    p.turned_rest = read_rest(turned.at("rest"), top.at("turned").at("rest"));
  }
  if (j.contains("correction")) {  // optional: the correction the rest was measured through
    const formats::json& c = j.at("correction");
    if (!c.is_object())
      top.at("correction").fail("expected an object (a semblend.prefs_correction)");
    p.correction = c.dump();
  }
  return p;
}

}  // namespace semblend
