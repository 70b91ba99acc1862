// Import of SemanticFace result JSONL (docs/formats.md, "SemanticFace results").
//
// SemanticFace (a fine-tuned vision-language model) writes one JSON object per line. Its
// `response` string holds a numbered markdown analysis, a blank line, then a JSON object of 61
// PascalCase values (52 shapes + 9 head/eye angles). Its prompt asks for
// {"analysis": {...}, "arkit": {...}} instead, so that form is accepted too — inside `response`,
// or as the line itself.
#include <string>

#include "formats/json_util.h"
#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend {
namespace {

using formats::json;
using formats::JsonPlace;

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// {"expression_category": "...", "muscle_movements": "..." or {...}, ...} as readable text.
std::string analysis_text(const json& a) {
  if (a.is_string()) return a.get<std::string>();
  if (!a.is_object()) return a.dump();
  std::string out;
  for (const auto& [key, value] : a.items()) {
    std::string label = key;
    for (char& c : label) c = c == '_' ? ' ' : c;
    if (!label.empty())
      label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
    if (!out.empty()) out += '\n';
    out += label + ": ";
    if (value.is_object()) {
      for (const auto& [region, text] : value.items())
        out +=
            "\n  - " + region + ": " + (text.is_string() ? text.get<std::string>() : text.dump());
    } else {
      out += value.is_string() ? value.get<std::string>() : value.dump();
    }
  }
  return out;
}

// Fills `frame` from an object that is either the 61 values or {"analysis", "arkit"}.
void read_result_object(const json& obj, FaceFrame& frame, const JsonPlace& place) {
  if (obj.contains("arkit")) {
    formats::read_arkit_dictionary(obj["arkit"], frame, place.at("arkit"));
    if (obj.contains("analysis")) frame.analysis = analysis_text(obj["analysis"]);
    return;
  }
  formats::read_arkit_dictionary(obj, frame, place);
}

// Splits a response string into its analysis text and the JSON object that follows it: the first
// '{' that starts a line (or the string) and parses as an object through to the end.
void read_response(const std::string& response, FaceFrame& frame, const JsonPlace& place) {
  for (std::size_t pos = response.find('{'); pos != std::string::npos;
       pos = response.find('{', pos + 1)) {
    if (pos > 0 && response[pos - 1] != '\n' && response[pos - 1] != ' ') continue;
    json obj = json::parse(response.begin() + static_cast<std::ptrdiff_t>(pos), response.end(),
                           nullptr, /*allow_exceptions=*/false);
    if (obj.is_discarded() || !obj.is_object()) continue;
    const std::string before = trim(std::string_view(response).substr(0, pos));
    read_result_object(obj, frame, place);
    if (!before.empty())
      frame.analysis = frame.analysis.empty() ? before : before + "\n\n" + frame.analysis;
    return;
  }
  place.fail("response holds no JSON object of ARKit values");
}

}  // namespace

Take parse_semanticface(std::string_view text, const std::string& name, double fps) {
  formats::check_text(text, name);
  Take take;
  take.fps = fps;
  take.metadata["source_format"] = "semanticface";
  // One result pretty-printed over several lines (a .json file) rather than one per line.
  if (const json whole = json::parse(text.begin(), text.end(), nullptr, false);
      !whole.is_discarded() && whole.is_object() && whole.contains("arkit")) {
    FaceFrame frame;
    read_result_object(whole, frame, JsonPlace{name});
    take.frames.push_back(std::move(frame));
    return take;
  }
  formats::for_each_json_line(text, name, [&](const json& j, std::size_t line_no) {
    const JsonPlace here{name, line_no};
    if (!j.is_object()) here.fail("expected a JSON object per line");
    FaceFrame frame;
    frame.time = static_cast<double>(take.frames.size()) / fps;
    if (j.contains("response")) {
      read_response(formats::get_string(j["response"], here.at("response")), frame,
                    here.at("response"));
    } else if (j.contains("arkit")) {
      read_result_object(j, frame, here);
    } else {
      here.fail("neither a \"response\" string nor an \"arkit\" object");
    }
    if (j.contains("images") && j["images"].is_array() && !j["images"].empty() &&
        j["images"][0].is_object() && j["images"][0].contains("path") &&
        j["images"][0]["path"].is_string())
      frame.source = j["images"][0]["path"].get<std::string>();
    take.frames.push_back(std::move(frame));
  });
  if (take.frames.empty()) throw InputError(name, 0, 0, "no results in the file");
  return take;
}

}  // namespace semblend
