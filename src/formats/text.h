// Internal helpers shared by the text codecs: input sanity checks, positions, number parsing.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

namespace semblend::formats {

// Throws InputError if `text` is empty or holds binary data (a NUL or other control byte), naming
// the line and column of the first bad byte.
void check_text(std::string_view text, const std::string& name);

// 1-based line and column of byte `offset` in `text`.
std::pair<std::size_t, std::size_t> line_col_at(std::string_view text, std::size_t offset);

// Parses a finite decimal number occupying all of `field` (surrounding spaces allowed).
// Returns false for anything else; `why` then says what was wrong ("not a number", "NaN", ...).
bool parse_float(std::string_view field, float& out, std::string& why);
bool parse_double(std::string_view field, double& out, std::string& why);

// Splits a Live Link timecode "HH:MM:SS:FF.fff" (fraction optional) into whole seconds of the
// day and timecode frames (FF.fff). Returns false with `why` set for anything else.
bool parse_timecode(std::string_view s, double& whole_seconds, double& frames, std::string& why);

// Appends `v` with exactly `decimals` digits after the point, locale-independently; a value that
// rounds to zero has no sign.
void append_fixed(std::string& out, double v, int decimals);

// "; did you mean \"jawOpen\"?" for a misspelt blendshape name, "" when nothing is close.
std::string did_you_mean(std::string_view name);

// Checks a coefficient against the value policy of take.h; returns an empty string when fine.
std::string coefficient_problem(float v);
// Checks a pose angle (radians); returns an empty string when fine.
std::string angle_problem(float v);

}  // namespace semblend::formats
