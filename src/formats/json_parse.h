// Internal: the one strict JSON parser behind every reader of a JSON file semblend is given (takes,
// profiles, manifests, rubrics, phone alignments, expression priors, appearance weights).
//
// Input: UTF-8 JSON text. Output: the parsed value, as nlohmann::json or nlohmann::ordered_json.
// Failure: InputError naming `file` for
//   - a syntax error (with its line and column; "no JSON value (empty)" for blank text),
//   - a number out of range (1e999),
//   - an object naming the same key twice ("frames[3].blendshapes: duplicate key \"jawOpen\""):
//     RFC 8259 leaves which one counts to the reader, and nlohmann would keep the last silently.
// `line_offset` is added to reported lines (for one line of a JSON Lines file).
// Thread-safety: reentrant; no shared state.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace semblend::formats {

template <class Json>
Json parse_json_strict(std::string_view text, const std::string& file, std::size_t line_offset = 0);

extern template nlohmann::json parse_json_strict<nlohmann::json>(std::string_view,
                                                                 const std::string&, std::size_t);
extern template nlohmann::ordered_json parse_json_strict<nlohmann::ordered_json>(std::string_view,
                                                                                 const std::string&,
                                                                                 std::size_t);

}  // namespace semblend::formats
