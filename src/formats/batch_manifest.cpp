// Batch manifests (batch.h read_manifest, docs/batch.md): CSV with a header naming `input` and
// `output`, and for speech optionally `transcript` (RFC 4180 quoting; other columns ignored) or
// JSONL objects {"input", "output", "transcript"} (other keys ignored). A line that names no usable
// item is a per-item BatchError; the rest stand.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/text_util.h"
#include "formats/json_util.h"
#include "semblend/batch.h"
#include "semblend/error.h"
#include "semblend/file_io.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

// One CSV record's fields; a quote left open is std::invalid_argument. (Records do not span
// lines: a path holds no newline.)
std::vector<std::string> csv_fields(std::string_view line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false, was_quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        field += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        field += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && trimmed(field).empty()) {
      quoted = was_quoted = true;
      field.clear();
    } else if (c == ',') {
      fields.push_back(was_quoted ? field : std::string(trimmed(field)));
      field.clear();
      was_quoted = false;
    } else {
      field += c;
    }
  }
  if (quoted) throw std::invalid_argument("a quoted field is not closed");
  fields.push_back(was_quoted ? field : std::string(trimmed(field)));
  return fields;
}

struct Reader {
  const std::string& manifest;
  fs::path base;  // the manifest's folder
  const std::string& out_dir;
  const std::string& extension;
  BatchList list;

  // One item from a line's input, output and transcript ("" = none given).
  void add(std::size_t line, const std::string& input, const std::string& output,
           const std::string& transcript) {
    const std::string origin = manifest + ":" + std::to_string(line);
    if (input.empty()) {
      list.errors.push_back({{"", "", "", origin, ""},
                             BatchErrorKind::ManifestLine,
                             origin + ": the line names no input"});
      return;
    }
    BatchItem item;
    item.key = input;
    item.origin = origin;
    // Inputs and transcripts relative to the manifest's folder.
    const auto beside = [&](const std::string& p) {
      return fs::path(p).is_absolute() ? p : (base / p).lexically_normal().string();
    };
    item.input = beside(input);
    if (!transcript.empty()) item.transcript = beside(transcript);
    if (!output.empty()) {
      const fs::path root = out_dir.empty() ? base : fs::path(out_dir);
      item.output =
          fs::path(output).is_absolute() ? output : (root / output).lexically_normal().string();
    } else if (!out_dir.empty()) {
      item.output =
          (fs::path(out_dir) / (fs::path(input).stem().string() + "." + extension)).string();
    } else {
      list.errors.push_back({item, BatchErrorKind::ManifestLine,
                             origin + ": the line names no output, and there is no --out-dir"});
      return;
    }
    list.items.push_back(std::move(item));
  }

  void bad_line(std::size_t line, const std::string& problem) {
    const std::string origin = manifest + ":" + std::to_string(line);
    list.errors.push_back(
        {{"", "", "", origin, ""}, BatchErrorKind::ManifestLine, origin + ": " + problem});
  }

  void csv(std::string_view text) {
    std::size_t line_no = 0, start = 0, input_col = 0, output_col = 0, transcript_col = 0,
                columns = 0;
    bool header = false, has_output = false, has_transcript = false;
    while (start < text.size()) {
      const std::size_t nl = text.find('\n', start);
      const std::string_view line =
          trimmed(text.substr(start, nl == text.npos ? text.npos : nl - start));
      start = nl == text.npos ? text.size() : nl + 1;
      ++line_no;
      if (line.empty()) continue;
      std::vector<std::string> fields;
      try {
        fields = csv_fields(line);
      } catch (const std::invalid_argument& e) {
        if (!header) throw InputError(manifest, line_no, 0, e.what());
        bad_line(line_no, e.what());
        continue;
      }
      if (!header) {
        header = true;
        columns = fields.size();
        bool has_input = false;
        for (std::size_t c = 0; c < fields.size(); ++c) {
          if (iequals(fields[c], "input")) has_input = true, input_col = c;
          if (iequals(fields[c], "output")) has_output = true, output_col = c;
          if (iequals(fields[c], "transcript")) has_transcript = true, transcript_col = c;
        }
        if (!has_input)
          throw InputError(manifest, line_no, 0,
                           "the first line must be a header naming the columns input and output "
                           "(e.g. \"input,output\")");
        continue;
      }
      if (fields.size() != columns) {
        bad_line(line_no, "expected " + std::to_string(columns) + " fields (as the header), got " +
                              std::to_string(fields.size()));
        continue;
      }
      add(line_no, fields[input_col], has_output ? fields[output_col] : "",
          has_transcript ? fields[transcript_col] : "");
    }
    if (!header) throw InputError(manifest, 0, 0, "the manifest is empty (no header line)");
  }

  void jsonl(std::string_view text) {
    std::size_t line_no = 0, start = 0;
    while (start < text.size()) {
      const std::size_t nl = text.find('\n', start);
      const std::string_view line = text.substr(start, nl == text.npos ? text.npos : nl - start);
      start = nl == text.npos ? text.size() : nl + 1;
      ++line_no;
      if (trimmed(line).empty()) continue;
      try {
        const formats::json j = formats::parse_json(line, manifest, line_no - 1);
        if (!j.is_object()) {
          bad_line(line_no, "expected an object {\"input\": ..., \"output\": ...}");
          continue;
        }
        auto text_of = [&](const char* key) -> std::string {
          const auto it = j.find(key);
          if (it == j.end() || it->is_null()) return "";
          if (!it->is_string()) throw std::invalid_argument(std::string(key) + " is not a string");
          return it->get<std::string>();
        };
        add(line_no, text_of("input"), text_of("output"), text_of("transcript"));
      } catch (const InputError& e) {
        list.errors.push_back({{"", "", "", manifest + ":" + std::to_string(line_no), ""},
                               BatchErrorKind::ManifestLine,
                               e.what()});
      } catch (const std::invalid_argument& e) {
        bad_line(line_no, e.what());
      }
    }
  }
};

}  // namespace

BatchList read_manifest(const std::string& manifest, const std::string& out_dir,
                        const std::string& extension) {
  std::string text = read_file(manifest);
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);  // a byte-order mark
  const fs::path folder = fs::path(manifest).parent_path();
  Reader reader{manifest, folder.empty() ? fs::path(".") : folder, out_dir, extension, {}};
  const std::string ext = extension_of(manifest);
  if (ext == "csv")
    reader.csv(text);
  else if (ext == "jsonl")
    reader.jsonl(text);
  else
    throw std::invalid_argument("a manifest is a .csv or .jsonl file, got \"" + manifest + "\"");
  if (reader.list.items.empty() && reader.list.errors.empty())
    throw InputError(manifest, 0, 0, "the manifest lists no inputs");
  return std::move(reader.list);
}

}  // namespace semblend
