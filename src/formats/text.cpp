#include "formats/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <system_error>

#include "semblend/error.h"
#include "semblend/take.h"

namespace semblend::formats {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

template <typename T>
bool parse_number(std::string_view field, T& out, std::string& why) {
  const std::string_view s = trim(field);
  if (s.empty()) {
    why = "empty value";
    return false;
  }
  std::string_view digits = s;
  if (digits.front() == '+') digits.remove_prefix(1);  // from_chars rejects a leading '+'
  T v{};
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec == std::errc::result_out_of_range) {
    why = "value \"" + std::string(s) + "\" is out of range";
    return false;
  }
  if (ec != std::errc() || end != digits.data() + digits.size()) {
    why = "value \"" + std::string(s) + "\" is not a number";
    return false;
  }
  if (std::isnan(v)) {
    why = "value is NaN";
    return false;
  }
  if (std::isinf(v)) {
    why = "value is infinite";
    return false;
  }
  out = v;
  return true;
}

}  // namespace

void check_text(std::string_view text, const std::string& name) {
  std::size_t i = 0;
  if (text.size() >= 3 && text.substr(0, 3) == "\xEF\xBB\xBF") i = 3;  // UTF-8 byte-order mark
  if (text.size() == i) throw InputError(name, 0, 0, "file is empty");
  for (; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t') {
      const auto [line, col] = line_col_at(text, i);
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02X", c);
      throw InputError(name, line, col,
                       std::string("binary data (byte ") + hex + "): this is not a text file");
    }
  }
}

std::pair<std::size_t, std::size_t> line_col_at(std::string_view text, std::size_t offset) {
  std::size_t line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

bool parse_float(std::string_view field, float& out, std::string& why) {
  return parse_number(field, out, why);
}
bool parse_double(std::string_view field, double& out, std::string& why) {
  return parse_number(field, out, why);
}

void append_fixed(std::string& out, double v, int decimals) {
  char buf[64];
  const auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed, decimals);
  if (ec != std::errc()) throw std::runtime_error("cannot format number");
  // A value that rounds to zero is written "0.000", not "-0.000" (a -0.0, or -1e-12 from a
  // subtraction): the sign of nothing is noise a reader should not have to handle.
  char* first = buf;
  if (*first == '-' && std::all_of(buf + 1, end, [](char c) { return c == '0' || c == '.'; }))
    ++first;
  out.append(first, end);
}

// "HH:MM:SS:FF.fff" (the fraction is optional) -> whole seconds and timecode frames.
bool parse_timecode(std::string_view s, double& whole_seconds, double& frames, std::string& why) {
  int h = 0, m = 0, sec = 0;
  std::size_t pos = 0;
  auto take_int = [&](int& out, char sep) {
    const std::size_t end = s.find(sep, pos);
    if (end == std::string_view::npos || end == pos || end - pos > 2) return false;
    out = 0;
    for (std::size_t i = pos; i < end; ++i) {
      if (s[i] < '0' || s[i] > '9') return false;
      out = out * 10 + (s[i] - '0');
    }
    pos = end + 1;
    return true;
  };
  if (!take_int(h, ':') || !take_int(m, ':') || !take_int(sec, ':') || h > 23 || m > 59 ||
      sec > 59) {
    why = "timecode \"" + std::string(s) + "\" is not HH:MM:SS:FF.fff";
    return false;
  }
  const std::string_view ff = s.substr(pos);
  if (ff.empty() || ff.front() < '0' || ff.front() > '9' || !parse_double(ff, frames, why) ||
      frames < 0) {
    why = "timecode \"" + std::string(s) + "\" has no valid frame field";
    return false;
  }
  whole_seconds = h * 3600.0 + m * 60.0 + sec;
  return true;
}

std::string did_you_mean(std::string_view name) {
  const std::string_view close = closest_blendshape_name(name);
  return close.empty() ? std::string() : "; did you mean \"" + std::string(close) + "\"?";
}

std::string coefficient_problem(float v) {
  if (std::isnan(v)) return "value is NaN";
  if (!std::isfinite(v)) return "value is infinite";
  if (v < -kCoefficientReadTolerance || v > 1 + kCoefficientReadTolerance) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "value %g is outside [0, 1] (tolerance %g)", double(v),
                  double(kCoefficientReadTolerance));
    return buf;
  }
  return {};
}

std::string angle_problem(float v) {
  if (!std::isfinite(v)) return "angle is not finite";
  if (std::abs(v) > kPi + 1e-6) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "angle %g is outside [-pi, pi] radians", double(v));
    return buf;
  }
  return {};
}

}  // namespace semblend::formats
