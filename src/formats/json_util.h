// Internal: the JSON building blocks shared by the JSON, JSONL, ARKit and SemanticFace codecs.
// Only src/formats includes this (it drags in nlohmann/json).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>

#include "semblend/take.h"

namespace semblend::formats {

// ordered_json keeps keys in the order written: "format" first, shapes in Apple's order.
using json = nlohmann::ordered_json;

// Where a value sits, for error messages: the file, a line (0 if unknown) and a JSON path.
struct JsonPlace {
  explicit JsonPlace(const std::string& f, std::size_t l = 0, std::string p = {})
      : file(f), line(l), path(std::move(p)) {}
  const std::string& file;
  std::size_t line = 0;
  std::string path;  // "frames[3].blendshapes.jawOpen"
  JsonPlace at(std::string_view key) const;
  JsonPlace at(std::size_t index) const;
  [[noreturn]] void fail(const std::string& problem) const;
};

// Parses JSON text strictly (formats/json_parse.h: a syntax error with line and column, a number
// out of range, a repeated key are InputError). `line_offset` is added to the reported line (for
// one line of a JSONL file).
json parse_json(std::string_view text, const std::string& file, std::size_t line_offset = 0);

// Calls `fn(json, line_number)` for every non-blank line of a JSON Lines text, in order. A syntax
// error is an InputError at its line and column; a last line cut off mid-object says "truncated".
void for_each_json_line(std::string_view text, const std::string& file,
                        const std::function<void(const json&, std::size_t)>& fn);

// A float as the JSON number with the shortest decimal that reads back as the same float.
json float_number(float v);

float get_coefficient(const json& v, const JsonPlace& place);
float get_angle(const json& v, const JsonPlace& place);
double get_number(const json& v, const JsonPlace& place);
std::string get_string(const json& v, const JsonPlace& place);

// semblend's frame object (docs/formats.md, "Frame object").
json frame_to_json(const FaceFrame& frame);
FaceFrame frame_from_json(const json& j, const JsonPlace& place);

// Take-level header fields shared by .json and .jsonl: format, version, fps, timecode, metadata.
json take_header(const Take& take, std::string_view format);
// Reads those fields into `take`; checks format name and version.
void read_take_header(const json& j, std::string_view format, Take& take, const JsonPlace& place);

// Coefficients and pose angles from an ARKit-style dictionary (any spelling of the 52 names, the
// 9 Live Link angle names); unknown keys are errors, missing shapes read as 0.
void read_arkit_dictionary(const json& j, FaceFrame& frame, const JsonPlace& place);

}  // namespace semblend::formats
