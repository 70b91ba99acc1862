// The expression prior as a readable JSON table (data/expression_prior.json, docs/rig.md): written
// by hand, one shape or one matrix row per line, so that diffs of a re-derived table are readable;
// read back with nlohmann-json and checked value by value.
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "formats/json_parse.h"
#include "rig/expression_math.h"
#include "semblend/error.h"
#include "semblend/expression_prior.h"

namespace semblend {
namespace {

constexpr std::size_t kN = kBlendshapeCount;
constexpr std::string_view kFormat = "semblend-expression-prior";
constexpr int kVersion = 1;

// A number with `decimals` places, trailing zeros dropped ("0.25", "1", "0"; never "-0").
std::string num(double v, int decimals) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  std::string s = buf;
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

template <typename Range>
std::string row(const Range& values, int decimals) {
  std::string s = "[";
  for (std::size_t i = 0; i < std::size(values); ++i)
    s += (i ? ", " : "") + num(double(values[i]), decimals);
  return s + "]";
}

std::string json_string(std::string_view s) {
  return nlohmann::json(std::string(s)).dump();
}

void matrix(std::string& out, std::string_view key, const ShapeMatrix& m, int decimals,
            bool last = false) {
  out += "  " + json_string(key) + ": [\n";
  for (std::size_t a = 0; a < kN; ++a)
    out += "    " + row(m[a], decimals) + (a + 1 < kN ? ",\n" : "\n");
  out += last ? "  ]\n" : "  ],\n";
}

using json = nlohmann::json;

struct Reader {
  const std::string& name;
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw InputError(name, 0, 0, path + ": " + problem);
  }
  const json& field(const json& j, const std::string& key, const std::string& path) const {
    if (!j.is_object() || !j.contains(key)) fail(path, "missing \"" + key + "\"");
    return j.at(key);
  }
  double number(const json& j, const std::string& path, double lo, double hi) const {
    if (!j.is_number()) fail(path, "expected a number");
    const double v = j.get<double>();
    if (!std::isfinite(v) || v < lo || v > hi)
      fail(path, num(v, 6) + " is outside [" + num(lo, 6) + ", " + num(hi, 6) + "]");
    return v;
  }
  template <std::size_t M>
  std::array<float, M> numbers(const json& j, const std::string& path, double lo, double hi) const {
    if (!j.is_array() || j.size() != M)
      fail(path, "expected an array of " + std::to_string(M) + " numbers");
    std::array<float, M> out{};
    for (std::size_t i = 0; i < M; ++i)
      out[i] = float(number(j[i], path + "[" + std::to_string(i) + "]", lo, hi));
    return out;
  }
  ShapeMatrix shape_matrix(const json& j, const std::string& path, double lo) const {
    if (!j.is_array() || j.size() != kN) fail(path, "expected 52 rows");
    ShapeMatrix m{};
    for (std::size_t a = 0; a < kN; ++a)
      m[a] = numbers<kN>(j[a], path + "[" + std::to_string(a) + "]", lo, 1.0);
    return m;
  }
};

}  // namespace

std::string expression_prior_json(const ExpressionPrior& p) {
  std::string out = "{\n";
  out += "  \"format\": " + json_string(kFormat) + ",\n";
  out += "  \"version\": " + std::to_string(kVersion) + ",\n";
  out +=
      "  \"note\": \"Derived from real ARKit recordings by `semblend derive-prior`; do not edit "
      "(docs/rig.md, Expression prior). Matrix rows and columns follow the order of shapes.\",\n";
  out += "  \"sources\": [";
  for (std::size_t i = 0; i < p.sources.size(); ++i)
    out += (i ? ", " : "") + json_string(p.sources[i]);
  out += "],\n";
  out += "  \"frames\": " + std::to_string(p.frames) + ",\n";
  out += "  \"active_threshold\": " + num(kActiveThreshold, 3) + ",\n";
  out += "  \"coverage_threshold\": " + num(kCoverageThreshold, 3) + ",\n";
  out += "  \"latent_grid\": {\"min\": " + num(kLatentMin, 4) +
         ", \"step\": " + num(kLatentStep, 4) + ", \"points\": " + std::to_string(kLatentPoints) +
         "},\n";
  out += "  \"shapes\": [\n";
  for (std::size_t s = 0; s < kN; ++s) {
    const ShapeStatistics& st = p.shapes[s];
    out += "    {\"name\": " + json_string(kBlendshapes[s].apple_name) +
           ", \"p_active\": " + num(st.p_active, 4) + ", \"p_covered\": " + num(st.p_covered, 4) +
           ", \"mean\": " + num(st.mean, 4) + ", \"sd\": " + num(st.sd, 4) +
           ", \"active_quantiles\": " + row(st.active_quantiles, 4) +
           ",\n     \"value_at_z\": " + row(st.value_at_z, 4) + "}" + (s + 1 < kN ? ",\n" : "\n");
  }
  out += "  ],\n";
  out += "  \"exclusive_pairs\": [\n";
  const auto rules = exclusive_pairs();
  for (std::size_t r = 0; r < rules.size(); ++r) {
    const float overlap = r < p.exclusive_max_overlap.size() ? p.exclusive_max_overlap[r] : 0.0f;
    out += "    {\"a\": " + json_string(info(rules[r].a).apple_name) +
           ", \"b\": " + json_string(info(rules[r].b).apple_name) +
           ", \"max_overlap\": " + num(overlap, 4) + "}" + (r + 1 < rules.size() ? ",\n" : "\n");
  }
  out += "  ],\n";
  matrix(out, "correlation", p.correlation, 3);
  matrix(out, "co_activation", p.co_activation, 3);
  matrix(out, "latent_correlation", p.latent_correlation, 6, true);
  return out + "}\n";
}

ExpressionPrior parse_expression_prior_json(const std::string& text, const std::string& name) {
  const json j = formats::parse_json_strict<json>(text, name);
  const Reader r{name};
  if (!j.is_object()) r.fail("(top)", "expected an object");
  if (r.field(j, "format", "(top)") != kFormat)
    r.fail("format", "expected \"" + std::string(kFormat) + "\"");
  if (r.field(j, "version", "(top)") != kVersion)
    r.fail("version", "expected " + std::to_string(kVersion) + " (a newer table?)");
  const json& grid = r.field(j, "latent_grid", "(top)");
  if (r.number(r.field(grid, "min", "latent_grid"), "latent_grid.min", -100, 100) != kLatentMin ||
      r.number(r.field(grid, "step", "latent_grid"), "latent_grid.step", 0, 100) != kLatentStep ||
      r.number(r.field(grid, "points", "latent_grid"), "latent_grid.points", 0, 1e6) !=
          double(kLatentPoints))
    r.fail("latent_grid", "expected min -4, step 0.125, 65 points");
  for (const char* key : {"active_threshold", "coverage_threshold"}) {
    const double v = r.number(r.field(j, key, "(top)"), key, 0, 1);
    const double want =
        std::string(key) == "active_threshold" ? kActiveThreshold : kCoverageThreshold;
    if (std::fabs(v - want) > 1e-6) r.fail(key, "expected " + num(want, 3));
  }

  ExpressionPrior p;
  const json& sources = r.field(j, "sources", "(top)");
  if (!sources.is_array()) r.fail("sources", "expected an array of names");
  for (const json& s : sources) {
    if (!s.is_string()) r.fail("sources", "expected an array of names");
    p.sources.push_back(s.get<std::string>());
  }
  p.frames = std::size_t(r.number(r.field(j, "frames", "(top)"), "frames", kMinPriorFrames, 1e12));

  const json& shapes = r.field(j, "shapes", "(top)");
  if (!shapes.is_array() || shapes.size() != kN) r.fail("shapes", "expected 52 shapes");
  for (std::size_t s = 0; s < kN; ++s) {
    const std::string path = "shapes[" + std::to_string(s) + "]";
    const json& o = shapes[s];
    const json& shape_name = r.field(o, "name", path);
    if (shape_name != kBlendshapes[s].apple_name)
      r.fail(path + ".name", "expected \"" + std::string(kBlendshapes[s].apple_name) +
                                 "\" (shapes in Apple's order)");
    ShapeStatistics& st = p.shapes[s];
    st.p_active = float(r.number(r.field(o, "p_active", path), path + ".p_active", 0, 1));
    st.p_covered = float(r.number(r.field(o, "p_covered", path), path + ".p_covered", 0, 1));
    st.mean = float(r.number(r.field(o, "mean", path), path + ".mean", 0, 1));
    st.sd = float(r.number(r.field(o, "sd", path), path + ".sd", 0, 1));
    st.active_quantiles =
        r.numbers<5>(r.field(o, "active_quantiles", path), path + ".active_quantiles", 0, 1);
    st.value_at_z =
        r.numbers<kLatentPoints>(r.field(o, "value_at_z", path), path + ".value_at_z", 0, 1);
    for (std::size_t k = 1; k < kLatentPoints; ++k)
      if (st.value_at_z[k] < st.value_at_z[k - 1])
        r.fail(path + ".value_at_z",
               "a quantile function must not decrease (at " + std::to_string(k) + ")");
  }

  const json& rules = r.field(j, "exclusive_pairs", "(top)");
  const auto known = exclusive_pairs();
  if (!rules.is_array() || rules.size() != known.size())
    r.fail("exclusive_pairs", "expected " + std::to_string(known.size()) + " rules");
  for (std::size_t i = 0; i < known.size(); ++i) {
    const std::string path = "exclusive_pairs[" + std::to_string(i) + "]";
    if (r.field(rules[i], "a", path) != info(known[i].a).apple_name ||
        r.field(rules[i], "b", path) != info(known[i].b).apple_name)
      r.fail(path, "expected the rule " + std::string(info(known[i].a).apple_name) + " / " +
                       std::string(info(known[i].b).apple_name));
    p.exclusive_max_overlap.push_back(
        float(r.number(r.field(rules[i], "max_overlap", path), path + ".max_overlap", 0, 1)));
  }

  p.correlation = r.shape_matrix(r.field(j, "correlation", "(top)"), "correlation", -1);
  p.co_activation = r.shape_matrix(r.field(j, "co_activation", "(top)"), "co_activation", 0);
  p.latent_correlation =
      r.shape_matrix(r.field(j, "latent_correlation", "(top)"), "latent_correlation", -1);
  for (std::size_t a = 0; a < kN; ++a) {
    if (p.latent_correlation[a][a] != 1.0f)
      r.fail("latent_correlation[" + std::to_string(a) + "]", "the diagonal must be 1");
    for (std::size_t b = 0; b < a; ++b)
      if (p.latent_correlation[a][b] != p.latent_correlation[b][a])
        r.fail("latent_correlation",
               "not symmetric at [" + std::to_string(a) + "][" + std::to_string(b) + "]");
  }
  if (prior_math::cholesky(p.latent_correlation).empty())
    r.fail("latent_correlation", "not positive definite");
  return p;
}

}  // namespace semblend
