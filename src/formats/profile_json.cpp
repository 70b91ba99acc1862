// The neutral profile file (calibration.h; docs/formats.md, "Neutral profile").
#include <cmath>
#include <string>

#include "formats/json_util.h"
#include "semblend/calibration.h"

namespace semblend {
namespace {

constexpr const char* kFormat = "semblend.profile";
constexpr int kVersion = 1;

}  // namespace

std::string profile_to_json(const NeutralProfile& p) {
  using formats::json;
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["source"] = p.source;
  j["frames"] = p.frames;
  j["jittered"] = p.jittered;
  json rest = json::object();
  for (const auto& row : kBlendshapes)
    rest[std::string(row.apple_name)] = formats::float_number(p.rest[row.shape]);
  j["rest"] = rest;
  json warn = json::object();
  for (const auto& [name, v] : p.not_neutral) warn[name] = formats::float_number(v);
  j["not_neutral"] = warn;
  json offset = json::array();
  for (float v : p.input_offset) offset.push_back(formats::float_number(v));
  j["input_offset"] = offset;
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
  const formats::json& rest = field("rest");
  if (!rest.is_object()) top.at("rest").fail("expected an object of shape: value");
  for (const auto& [name, v] : rest.items()) {
    const auto shape = blendshape_from_name(name);
    if (!shape) top.at("rest").at(name).fail("unknown blendshape");
    const double r = formats::get_number(v, top.at("rest").at(name));
    if (r < 0 || r > 0.95) top.at("rest").at(name).fail("rest must lie in [0, 0.95]");
    p.rest.set(*shape, float(r));
  }
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
  if (j.contains("correction")) {  // optional: the correction the rest was measured through
    const formats::json& c = j.at("correction");
    if (!c.is_object())
      top.at("correction").fail("expected an object (a semblend.prefs_correction)");
    p.correction = c.dump();
  }
  return p;
}

}  // namespace semblend
