// semblend's JSON take, JSONL stream and ARKit-style dictionaries (docs/formats.md).
#include <string>

#include "formats/json_util.h"
#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend {
namespace {

using formats::json;
using formats::JsonPlace;

constexpr std::string_view kTakeFormat = "semblend.take";
constexpr std::string_view kJsonlFormat = "semblend.take.jsonl";

void check_times(const Take& take, const std::string& name,
                 const std::vector<std::size_t>& lines = {}) {
  for (std::size_t i = 1; i < take.frames.size(); ++i)
    if (!(take.frames[i].time > take.frames[i - 1].time))
      throw InputError(name, lines.empty() ? 0 : lines[i], 0,
                       "frames[" + std::to_string(i) + "].time does not increase");
}

}  // namespace

std::string encode_take_json(const Take& take) {
  validate(take);
  // Header fields pretty-printed, then one frame per line: readable and diff-friendly.
  const json header = formats::take_header(take, kTakeFormat);
  std::string out = "{\n";
  for (const auto& [key, value] : header.items())
    out += "  \"" + key + "\": " + value.dump() + ",\n";
  out += "  \"frames\": [";
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    out += i == 0 ? "\n    " : ",\n    ";
    out += formats::frame_to_json(take.frames[i]).dump();
  }
  out += take.frames.empty() ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

Take parse_take_json(std::string_view text, const std::string& name) {
  formats::check_text(text, name);
  const json j = formats::parse_json(text, name);
  const JsonPlace root{name};
  Take take;
  formats::read_take_header(j, kTakeFormat, take, root);
  if (!j.contains("frames") || !j["frames"].is_array()) root.fail("missing \"frames\" array");
  for (const auto& [key, value] : j.items())
    if (key != "format" && key != "version" && key != "fps" && key != "timecode" &&
        key != "metadata" && key != "frames")
      root.at(key).fail("unknown key");
  const auto& frames = j["frames"];
  take.frames.reserve(frames.size());
  for (std::size_t i = 0; i < frames.size(); ++i)
    take.frames.push_back(formats::frame_from_json(frames[i], root.at("frames").at(i)));
  if (take.frames.empty()) root.at("frames").fail("no frames in the file");
  check_times(take, name);
  return take;
}

std::string encode_jsonl_header(const Take& take) {
  return formats::take_header(take, kJsonlFormat).dump() + "\n";
}

std::string encode_jsonl_frame(const FaceFrame& frame) {
  return formats::frame_to_json(frame).dump() + "\n";
}

std::string encode_jsonl(const Take& take) {
  validate(take);
  std::string out = encode_jsonl_header(take);
  for (const FaceFrame& f : take.frames) out += encode_jsonl_frame(f);
  return out;
}

Take parse_jsonl(std::string_view text, const std::string& name, double fps_if_unknown) {
  formats::check_text(text, name);
  Take take;
  bool have_header = false;
  std::vector<std::size_t> frame_lines;
  formats::for_each_json_line(text, name, [&](const json& j, std::size_t line_no) {
    const JsonPlace here{name, line_no};
    if (j.is_object() && j.contains("format")) {
      if (have_header || !take.frames.empty()) here.fail("a header line may only appear first");
      formats::read_take_header(j, kJsonlFormat, take, here);
      have_header = true;
      return;
    }
    take.frames.push_back(formats::frame_from_json(j, here));
    frame_lines.push_back(line_no);
  });
  if (take.frames.empty()) throw InputError(name, 0, 0, "no frames in the file");
  if (!have_header) take.fps = estimate_fps(take.frames, fps_if_unknown);
  check_times(take, name, frame_lines);
  return take;
}

std::string encode_arkit_json(const Take& take) {
  validate(take);
  auto dictionary = [](const FaceFrame& f) {
    json d = json::object();
    for (const auto& row : kBlendshapes)
      d[std::string(row.apple_name)] = formats::float_number(f.coefficients[row.shape]);
    return d;
  };
  if (take.frames.size() == 1) return dictionary(take.frames[0]).dump(2) + "\n";
  std::string out = "[";
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    out += i == 0 ? "\n  " : ",\n  ";
    out += dictionary(take.frames[i]).dump();
  }
  out += take.frames.empty() ? "]\n" : "\n]\n";
  return out;
}

Take parse_arkit_json(std::string_view text, const std::string& name, double fps) {
  formats::check_text(text, name);
  const json j = formats::parse_json(text, name);
  const JsonPlace root{name};
  Take take;
  take.fps = fps;
  auto add = [&](const json& d, const JsonPlace& place) {
    if (d.is_object() && d.empty()) place.fail("an empty object: no blendshape values");
    FaceFrame f;
    f.time = static_cast<double>(take.frames.size()) / fps;
    formats::read_arkit_dictionary(d, f, place);
    take.frames.push_back(std::move(f));
  };
  if (j.is_object()) {
    add(j, root);
  } else if (j.is_array()) {
    for (std::size_t i = 0; i < j.size(); ++i) add(j[i], root.at(i));
  } else {
    root.fail("expected an object of blendshape values or an array of them");
  }
  if (take.frames.empty()) root.fail("the array holds no frames");
  return take;
}

}  // namespace semblend
