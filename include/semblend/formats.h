// semblend/formats.h — reading and writing takes in the formats the ecosystem uses.
//
// Formats (wire details in docs/formats.md):
//   LiveLinkCsv   `.csv`   Live Link Face CSV exactly as the iPhone app writes it: Timecode
//                          (HH:MM:SS:FF.fff), BlendShapeCount = 61, the 52 shapes in the app's own
//                          column order, then 9 head/eye angles. Values written with 10 decimals,
//                          so an app recording round-trips byte for byte.
//   Json          `.json`  one take: {"format": "semblend.take", "version": 1, "fps",
//                          "frames": [...]}
//   Jsonl         `.jsonl` a header line, then one frame a line (streaming, batch,
//                          append-friendly)
//   ArkitJson     `--format arkit`: ARKit-style dictionaries {"eyeBlinkLeft": 0.12, ...}:
//                          one object for a single frame, an array of objects for a sequence
//   SemanticFace  (read only) the result JSONL of the SemanticFace model: per line a `response`
//                          string holding a markdown analysis and a JSON object of 61 PascalCase
//                          values, or {"analysis": {...}, "arkit": {...}}. The analysis is kept in
//                          FaceFrame::analysis.
//
// Inputs: parse_* functions are pure (text in, Take out); `name` is only used in error messages.
// Outputs: encode_* functions are pure (Take in, text out); write_take adds an atomic file write.
// Failure modes: malformed input throws InputError with file, line and column (a wrong column
//   count, a non-numeric value, NaN, a value out of range, a truncated row, an empty file, binary
//   data, a wrong BlendShapeCount, unknown names); file problems throw IoError.
//   Encoders throw std::invalid_argument for a take that breaks the value policy of take.h.
// Thread safety: all functions are reentrant; no shared state.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "semblend/file_io.h"
#include "semblend/take.h"

namespace semblend {

enum class TakeFormat { LiveLinkCsv, Json, Jsonl, ArkitJson, SemanticFace };

std::string_view format_name(TakeFormat f);  // "csv", "json", "jsonl", "arkit", "semanticface"
std::optional<TakeFormat> format_from_name(std::string_view name);
// The format an output path's extension selects (.csv, .json, .jsonl); nullopt otherwise.
std::optional<TakeFormat> format_for_extension(const std::string& path);
// The format of input text: by content where it is unambiguous, else by the path's extension.
// Throws InputError when neither tells.
TakeFormat detect_format(std::string_view text, const std::string& path);

struct ReadOptions {
  std::optional<TakeFormat> format;  // force a format instead of detecting it
  std::size_t max_bytes = kDefaultMaxInputBytes;
  // Frame rate for formats that carry no times (ARKit dictionaries, SemanticFace results).
  double fps_if_unknown = 30;
  // Timecode rate for Live Link CSV when it cannot be told from the file (FF never reaches 60).
  int timecode_rate = 60;
};

Take read_take(const std::string& path, const ReadOptions& options = {});
Take parse_take(std::string_view text, TakeFormat format, const std::string& name,
                const ReadOptions& options = {});

void write_take(const Take& take, const std::string& path, TakeFormat format);
std::string encode_take(const Take& take, TakeFormat format);

// Per-format codecs (the functions parse_take/encode_take dispatch to).
Take parse_livelink_csv(std::string_view text, const std::string& name, int timecode_rate = 60);
std::string encode_livelink_csv(const Take& take);
// Formats a time of day as a Live Link timecode "HH:MM:SS:FF.fff".
std::string format_timecode(double seconds_of_day, int rate);

Take parse_take_json(std::string_view text, const std::string& name);
std::string encode_take_json(const Take& take);

Take parse_jsonl(std::string_view text, const std::string& name, double fps_if_unknown = 30);
std::string encode_jsonl(const Take& take);
std::string encode_jsonl_header(const Take& take);       // the first line, with its '\n'
std::string encode_jsonl_frame(const FaceFrame& frame);  // one line, with its '\n'

Take parse_arkit_json(std::string_view text, const std::string& name, double fps = 30);
std::string encode_arkit_json(const Take& take);

Take parse_semanticface(std::string_view text, const std::string& name, double fps = 30);

// The JSON rule every semblend reader holds, for a caller that parses JSON itself (the preference
// server's request bodies): one RFC 8259 value, numbers in double range, and no object naming a
// key twice (RFC 8259 leaves which one counts to the reader; semblend refuses the text instead).
// Throws InputError naming `name`: line and column for a syntax error, the JSON path for a
// repeated key (`frames[3].blendshapes: duplicate key "jawOpen" ...`). Reentrant.
void check_json(std::string_view text, const std::string& name);

}  // namespace semblend
