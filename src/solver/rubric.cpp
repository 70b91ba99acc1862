// The photo rubric's check language and file (rubric.h).
#include "semblend/rubric.h"

#include <cctype>
#include <cmath>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "formats/json_parse.h"
#include "semblend/blendshape.h"
#include "semblend/error.h"

namespace semblend {
namespace {

std::string trim(const std::string& s) {
  std::size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

std::size_t shape_index(const std::string& name, const std::string& text) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (kBlendshapes[k].apple_name == name) return k;
  throw std::invalid_argument("'" + text + "': unknown shape '" + name + "'");
}

// "a, b, c" -> indices.
std::vector<std::size_t> shape_list(const std::string& inner, const std::string& text) {
  std::vector<std::size_t> out;
  std::size_t start = 0;
  while (start <= inner.size()) {
    const std::size_t comma = inner.find(',', start);
    const std::string name =
        trim(inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    if (name.empty()) throw std::invalid_argument("'" + text + "': empty shape name");
    out.push_back(shape_index(name, text));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// "name(...)" -> the inside, or "" if `s` does not start with name(.
bool call(const std::string& s, const std::string& name, std::string& inner) {
  if (s.rfind(name + "(", 0) != 0 || s.back() != ')') return false;
  inner = s.substr(name.size() + 1, s.size() - name.size() - 2);
  return true;
}

}  // namespace

RubricCheck parse_rubric_check(const std::string& text) {
  RubricCheck c;
  c.text = text;
  std::size_t op = text.find(">=");
  c.at_least = true;
  if (op == std::string::npos) {
    op = text.find("<=");
    c.at_least = false;
  }
  if (op == std::string::npos)
    throw std::invalid_argument("'" + text + "': expected '>=' or '<=' and a threshold");
  const std::string lhs = trim(text.substr(0, op)), rhs = trim(text.substr(op + 2));
  std::size_t used = 0;
  try {
    c.threshold = std::stof(rhs, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != rhs.size() || !(c.threshold >= 0 && c.threshold <= 1))
    throw std::invalid_argument("'" + text + "': the threshold must be a number in [0, 1]");
  std::string inner;
  if (lhs.empty()) throw std::invalid_argument("'" + text + "': nothing to check");
  if (lhs == "all" || lhs.rfind("all ", 0) == 0) {
    std::vector<bool> skip(kBlendshapeCount, false);
    const std::string rest = trim(lhs.substr(3));
    if (!rest.empty()) {
      if (!call(rest, "except", inner))
        throw std::invalid_argument("'" + text + "': expected 'all' or 'all except(...)'");
      for (std::size_t k : shape_list(inner, text)) skip[k] = true;
    }
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      if (!skip[k]) c.shapes.push_back(k);
    c.aggregate = RubricCheck::Aggregate::Each;
  } else if (call(lhs, "each", inner)) {
    c.shapes = shape_list(inner, text);
  } else if (call(lhs, "max", inner)) {
    c.shapes = shape_list(inner, text);
    c.aggregate = RubricCheck::Aggregate::Max;
  } else if (call(lhs, "mean", inner)) {
    c.shapes = shape_list(inner, text);
    c.aggregate = RubricCheck::Aggregate::Mean;
  } else {
    c.shapes = {shape_index(lhs, text)};
  }
  return c;
}

RubricOutcome evaluate_check(const RubricCheck& check, const Coefficients& c) {
  RubricOutcome out;
  out.text = check.text;
  if (check.shapes.empty()) return out;
  switch (check.aggregate) {
    case RubricCheck::Aggregate::Each: {
      // The value closest to failing: the smallest for >=, the largest for <=.
      std::size_t pick = check.shapes.front();
      for (std::size_t k : check.shapes)
        if (check.at_least ? c.at(k) < c.at(pick) : c.at(k) > c.at(pick)) pick = k;
      out.value = c.at(pick);
      out.shape = std::string(kBlendshapes[pick].apple_name);
      break;
    }
    case RubricCheck::Aggregate::Max:
      out.value = 0;
      for (std::size_t k : check.shapes) out.value = std::max(out.value, c.at(k));
      break;
    case RubricCheck::Aggregate::Mean:
      out.value = 0;
      for (std::size_t k : check.shapes) out.value += c.at(k);
      out.value /= float(check.shapes.size());
      break;
  }
  out.pass = check.at_least ? out.value >= check.threshold : out.value <= check.threshold;
  return out;
}

Rubric parse_rubric(const std::string& json_text, const std::string& name) {
  nlohmann::json j = formats::parse_json_strict<nlohmann::json>(json_text, name);
  if (!j.is_object() || !j.contains("photos") || !j["photos"].is_array())
    throw InputError(name, 0, 0, "expected an object with a \"photos\" array");
  Rubric r;
  for (const auto& p : j["photos"]) {
    RubricPhoto photo;
    if (!p.is_object() || !p.contains("file") || !p["file"].is_string())
      throw InputError(name, 0, 0, "every photo needs a \"file\" string");
    photo.file = p["file"].get<std::string>();
    photo.expression = p.value("expression", "");
    photo.note = p.value("note", "");
    if (!p.contains("checks") || !p["checks"].is_array() || p["checks"].empty())
      throw InputError(name, 0, 0, photo.file + ": needs a non-empty \"checks\" array");
    for (const auto& c : p["checks"]) {
      if (!c.is_string()) throw InputError(name, 0, 0, photo.file + ": checks are strings");
      try {
        photo.checks.push_back(parse_rubric_check(c.get<std::string>()));
      } catch (const std::invalid_argument& e) {
        throw InputError(name, 0, 0, photo.file + ": " + e.what());
      }
    }
    r.photos.push_back(std::move(photo));
  }
  if (r.photos.empty()) throw InputError(name, 0, 0, "no photos");
  return r;
}

}  // namespace semblend
