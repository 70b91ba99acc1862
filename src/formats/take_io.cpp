// Format names, detection, and the file-level read_take / write_take.
#include <algorithm>
#include <array>
#include <cctype>
#include <string>

#include "core/text_util.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend {
namespace {

struct FormatRow {
  TakeFormat format;
  std::string_view name;
  std::string_view extension;  // "" if no extension selects it
};
constexpr std::array<FormatRow, 5> kFormats{{
    {TakeFormat::LiveLinkCsv, "csv", "csv"},
    {TakeFormat::Json, "json", "json"},
    {TakeFormat::Jsonl, "jsonl", "jsonl"},
    {TakeFormat::ArkitJson, "arkit", ""},
    {TakeFormat::SemanticFace, "semanticface", ""},
}};

bool contains_key(std::string_view s, std::string_view key) {
  return s.find("\"" + std::string(key) + "\"") != std::string_view::npos;
}

}  // namespace

std::string_view format_name(TakeFormat f) {
  for (const auto& row : kFormats)
    if (row.format == f) return row.name;
  return "?";
}

std::optional<TakeFormat> format_from_name(std::string_view name) {
  for (const auto& row : kFormats)
    if (row.name == name) return row.format;
  return std::nullopt;
}

std::optional<TakeFormat> format_for_extension(const std::string& path) {
  const std::string ext = extension_of(path);
  for (const auto& row : kFormats)
    if (!row.extension.empty() && row.extension == ext) return row.format;
  return std::nullopt;
}

TakeFormat detect_format(std::string_view text, const std::string& path) {
  std::string_view head = text.substr(0, 8192);
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  const auto first = head.find_first_not_of(" \t\r\n");
  const auto ext = format_for_extension(path);
  if (first != std::string_view::npos) {
    head.remove_prefix(first);
    if (istarts_with(head, "Timecode")) return TakeFormat::LiveLinkCsv;
    if (head.front() == '{' || head.front() == '[') {
      if (contains_key(head, "semblend.take.jsonl")) return TakeFormat::Jsonl;
      if (contains_key(head, "semblend.take")) return TakeFormat::Json;
      if (contains_key(head, "response") || contains_key(head, "arkit"))
        return TakeFormat::SemanticFace;
      if (contains_key(head, "blendshapes")) return ext.value_or(TakeFormat::Jsonl);
      if (head.front() == '[') return TakeFormat::ArkitJson;
      for (const auto& row : kBlendshapes)
        if (contains_key(head, row.apple_name) || contains_key(head, row.livelink_name) ||
            contains_key(head, row.arkit_lr_name))
          return TakeFormat::ArkitJson;
      // An object that is not a semblend file is read as an ARKit dictionary, whose reader
      // names unknown keys (and suggests the closest blendshape name).
      if (!contains_key(head, "format") && ext != TakeFormat::Jsonl) return TakeFormat::ArkitJson;
    }
  }
  if (ext) return *ext;
  throw InputError(path, 0, 0,
                   "cannot tell the format (expected a .csv, .json or .jsonl take); name it with "
                   "--from (csv, json, jsonl)");
}

Take parse_take(std::string_view text, TakeFormat format, const std::string& name,
                const ReadOptions& options) {
  switch (format) {
    case TakeFormat::LiveLinkCsv:
      return parse_livelink_csv(text, name, options.timecode_rate);
    case TakeFormat::Json:
      return parse_take_json(text, name);
    case TakeFormat::Jsonl:
      return parse_jsonl(text, name, options.fps_if_unknown);
    case TakeFormat::ArkitJson:
      return parse_arkit_json(text, name, options.fps_if_unknown);
    case TakeFormat::SemanticFace:
      return parse_semanticface(text, name, options.fps_if_unknown);
  }
  throw std::invalid_argument("unknown take format");
}

Take read_take(const std::string& path, const ReadOptions& options) {
  const std::string text = read_file(path, options.max_bytes);
  if (text.empty()) throw InputError(path, 0, 0, "file is empty");
  const TakeFormat format = options.format ? *options.format : detect_format(text, path);
  return parse_take(text, format, path, options);
}

std::string encode_take(const Take& take, TakeFormat format) {
  switch (format) {
    case TakeFormat::LiveLinkCsv:
      return encode_livelink_csv(take);
    case TakeFormat::Json:
      return encode_take_json(take);
    case TakeFormat::Jsonl:
      return encode_jsonl(take);
    case TakeFormat::ArkitJson:
      return encode_arkit_json(take);
    case TakeFormat::SemanticFace:
      throw std::invalid_argument("SemanticFace results can be read, not written");
  }
  throw std::invalid_argument("unknown take format");
}

void write_take(const Take& take, const std::string& path, TakeFormat format) {
  write_file_atomic(path, encode_take(take, format));
}

}  // namespace semblend
