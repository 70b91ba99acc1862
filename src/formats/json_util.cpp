#include "formats/json_util.h"

#include <charconv>
#include <cmath>

#include "formats/json_parse.h"
#include "formats/text.h"
#include "semantic/semantic_json.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend::formats {
namespace {

constexpr int kVersion = 1;

const char* type_name(const json& v) {
  return v.type_name();
}

}  // namespace

JsonPlace JsonPlace::at(std::string_view key) const {
  return JsonPlace(file, line, path.empty() ? std::string(key) : path + "." + std::string(key));
}

JsonPlace JsonPlace::at(std::size_t index) const {
  return JsonPlace(file, line, path + "[" + std::to_string(index) + "]");
}

void JsonPlace::fail(const std::string& problem) const {
  throw InputError(file, line, 0, (path.empty() ? std::string() : path + ": ") + problem);
}

json parse_json(std::string_view text, const std::string& file, std::size_t line_offset) {
  return parse_json_strict<json>(text, file, line_offset);
}

void for_each_json_line(std::string_view text, const std::string& file,
                        const std::function<void(const json&, std::size_t)>& fn) {
  std::size_t line_no = 0, start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    const bool terminated = nl != std::string_view::npos;
    const std::string_view line = text.substr(start, terminated ? nl - start : text.npos);
    start = terminated ? nl + 1 : text.size();
    ++line_no;
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    json j;
    try {
      j = parse_json(line, file, line_no - 1);
    } catch (const InputError& e) {
      if (!terminated)  // the last line was cut off mid-object
        throw InputError(file, line_no, e.column(), "line is truncated: " + e.problem());
      throw;
    }
    fn(j, line_no);
  }
}

json float_number(float v) {
  char buf[32];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);  // shortest round-trip form
  double d = 0;
  std::from_chars(buf, end, d);
  (void)ec;
  return json(d);
}

double get_number(const json& v, const JsonPlace& place) {
  if (!v.is_number()) place.fail(std::string("expected a number, got ") + type_name(v));
  const double d = v.get<double>();
  if (!std::isfinite(d)) place.fail("value is not finite");
  return d;
}

float get_coefficient(const json& v, const JsonPlace& place) {
  const auto f = static_cast<float>(get_number(v, place));
  if (auto problem = coefficient_problem(f); !problem.empty()) place.fail(problem);
  return f;
}

float get_angle(const json& v, const JsonPlace& place) {
  const auto f = static_cast<float>(get_number(v, place));
  if (auto problem = angle_problem(f); !problem.empty()) place.fail(problem);
  return f;
}

std::string get_string(const json& v, const JsonPlace& place) {
  if (!v.is_string()) place.fail(std::string("expected a string, got ") + type_name(v));
  return v.get<std::string>();
}

json frame_to_json(const FaceFrame& f) {
  json shapes = json::object();
  for (const auto& row : kBlendshapes)
    shapes[std::string(row.apple_name)] = float_number(f.coefficients[row.shape]);
  auto angles = [](float yaw, float pitch, float roll) {
    return json{
        {"yaw", float_number(yaw)}, {"pitch", float_number(pitch)}, {"roll", float_number(roll)}};
  };
  json head = angles(f.head.yaw, f.head.pitch, f.head.roll);
  if (f.head.translation) {
    const auto& t = *f.head.translation;
    head["translation"] = {float_number(t.x), float_number(t.y), float_number(t.z)};
  }
  json j = json::object();
  j["time"] = f.time;
  j["blendshapes"] = std::move(shapes);
  j["head"] = std::move(head);
  j["left_eye"] = angles(f.left_eye.yaw, f.left_eye.pitch, f.left_eye.roll);
  j["right_eye"] = angles(f.right_eye.yaw, f.right_eye.pitch, f.right_eye.roll);
  j["confidence"] = float_number(f.confidence);
  if (!f.analysis.empty()) j["analysis"] = f.analysis;
  if (!f.source.empty()) j["source"] = f.source;
  if (f.semantics) j["semantics"] = semantic_to_json(*f.semantics);
  return j;
}

namespace {

template <typename Pose>
void read_angles(const json& j, Pose& pose, const JsonPlace& place) {
  if (!j.is_object()) place.fail(std::string("expected an object, got ") + type_name(j));
  for (const auto& [key, value] : j.items()) {
    const JsonPlace here = place.at(key);
    if (key == "yaw")
      pose.yaw = get_angle(value, here);
    else if (key == "pitch")
      pose.pitch = get_angle(value, here);
    else if (key == "roll")
      pose.roll = get_angle(value, here);
    else if constexpr (std::is_same_v<Pose, HeadPose>) {
      if (key != "translation") here.fail("unknown key");
      if (!value.is_array() || value.size() != 3) here.fail("expected [x, y, z] in metres");
      Translation t;
      t.x = static_cast<float>(get_number(value[0], here.at(std::size_t{0})));
      t.y = static_cast<float>(get_number(value[1], here.at(std::size_t{1})));
      t.z = static_cast<float>(get_number(value[2], here.at(std::size_t{2})));
      pose.translation = t;
    } else {
      here.fail("unknown key");
    }
  }
}

}  // namespace

FaceFrame frame_from_json(const json& j, const JsonPlace& place) {
  if (!j.is_object()) place.fail(std::string("expected a frame object, got ") + type_name(j));
  FaceFrame f;
  if (!j.contains("time")) place.fail("frame has no \"time\"");
  if (!j.contains("blendshapes")) place.fail("frame has no \"blendshapes\"");
  for (const auto& [key, value] : j.items()) {
    const JsonPlace here = place.at(key);
    if (key == "time") {
      f.time = get_number(value, here);
    } else if (key == "blendshapes") {
      if (!value.is_object()) here.fail("expected an object of 52 named values");
      std::array<bool, kBlendshapeCount> seen{};
      for (const auto& [name, v] : value.items()) {
        const auto s = blendshape_from_name(name);
        if (!s) here.at(name).fail("unknown blendshape name" + did_you_mean(name));
        f.coefficients.set(*s, get_coefficient(v, here.at(name)));
        seen[index_of(*s)] = true;
      }
      for (std::size_t i = 0; i < kBlendshapeCount; ++i)
        if (!seen[i]) here.fail("missing " + std::string(kBlendshapes[i].apple_name));
    } else if (key == "head") {
      read_angles(value, f.head, here);
    } else if (key == "left_eye") {
      read_angles(value, f.left_eye, here);
    } else if (key == "right_eye") {
      read_angles(value, f.right_eye, here);
    } else if (key == "confidence") {
      const double c = get_number(value, here);
      if (c < 0 || c > 1) here.fail("confidence must be in [0, 1]");
      f.confidence = static_cast<float>(c);
    } else if (key == "analysis") {
      f.analysis = get_string(value, here);
    } else if (key == "source") {
      f.source = get_string(value, here);
    } else if (key == "semantics") {
      // Derived from the coefficients (semantic.h); recomputed rather than trusted.
    } else {
      here.fail("unknown key");
    }
  }
  return f;
}

json take_header(const Take& take, std::string_view format) {
  json j = json::object();
  j["format"] = format;
  j["version"] = kVersion;
  j["fps"] = take.fps;
  if (take.timecode)
    j["timecode"] = {{"start", format_timecode(take.timecode->start_seconds, take.timecode->rate)},
                     {"rate", take.timecode->rate}};
  j["metadata"] = take.metadata;
  return j;
}

void read_take_header(const json& j, std::string_view format, Take& take, const JsonPlace& place) {
  if (!j.is_object()) place.fail("expected an object");
  if (!j.contains("format") || j["format"] != format)
    place.fail("not a semblend file: \"format\" must be \"" + std::string(format) + "\"");
  if (!j.contains("version") || !j["version"].is_number_integer())
    place.fail("missing integer \"version\"");
  const int version = j["version"].get<int>();
  if (version > kVersion)
    place.at("version").fail("written by a newer semblend (format version " +
                             std::to_string(version) + "); this build reads version " +
                             std::to_string(kVersion));
  if (version < 1) place.at("version").fail("invalid format version");
  if (j.contains("fps")) {
    take.fps = get_number(j["fps"], place.at("fps"));
    if (!(take.fps > 0) || take.fps > kMaxTakeFps)
      place.at("fps").fail("frame rate must be in (0, " +
                           std::to_string(static_cast<int>(kMaxTakeFps)) + "]");
  }
  if (j.contains("timecode")) {
    const auto& tc = j["timecode"];
    const JsonPlace here = place.at("timecode");
    if (!tc.is_object() || !tc.contains("start") || !tc.contains("rate"))
      here.fail("expected {\"start\": \"HH:MM:SS:FF.fff\", \"rate\": N}");
    const double rate = get_number(tc["rate"], here.at("rate"));
    if (rate < 1 || rate > 1000 || rate != std::floor(rate)) here.at("rate").fail("bad rate");
    double whole = 0, frames = 0;
    std::string why;
    if (!parse_timecode(get_string(tc["start"], here.at("start")), whole, frames, why))
      here.at("start").fail(why);
    take.timecode = Timecode{whole + frames / rate, static_cast<int>(rate)};
  }
  if (j.contains("metadata")) {
    const auto& m = j["metadata"];
    if (!m.is_object()) place.at("metadata").fail("expected an object of strings");
    for (const auto& [k, v] : m.items())
      take.metadata[k] = get_string(v, place.at("metadata").at(k));
  }
}

void read_arkit_dictionary(const json& j, FaceFrame& frame, const JsonPlace& place) {
  if (!j.is_object())
    place.fail(std::string("expected an object of blendshape values, got ") + type_name(j));
  for (const auto& [key, value] : j.items()) {
    const JsonPlace here = place.at(key);
    if (const auto s = blendshape_from_name(key)) {
      frame.coefficients.set(*s, get_coefficient(value, here));
    } else if (const auto p = pose_channel_from_name(key)) {
      frame.set_pose(*p, arkit_pose_value(*p, get_angle(value, here)));  // ARKit's signs
    } else {
      here.fail("unknown name (not one of the 52 ARKit blendshapes or 9 head/eye angles)" +
                did_you_mean(key));
    }
  }
}

}  // namespace semblend::formats
