// The expression prior: statistics of real ARKit recordings and the Gaussian copula learned from
// them (include/semblend/expression_prior.h); the exclusivity rules.
#include "semblend/expression_prior.h"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rig/expression_math.h"

namespace semblend {
namespace {

using B = Blendshape;
constexpr std::size_t kN = kBlendshapeCount;
// Smallest eigenvalue of the committed latent correlation: far above what rounding it to 6
// decimals can take away (52 x 5e-7), so the table stays positive definite.
constexpr double kLatentEigenFloor = 0.002;
// Pairs whose value correlation reaches this get a NORTA-calibrated latent correlation.
constexpr float kCalibratedCorrelation = 0.3f;
// Weight of a pair in the positive definite fit: 1 + kStrongWeight·(r·slope)², where slope is
// d(value correlation)/d(latent correlation): pairs near the edge of what the copula can reach move
// fast.
constexpr float kStrongWeight = 50.0f;

// clang-format off
// Pairs that move one feature in opposite directions. ARKit itself never reports both of a pair
// (derive_expression_prior records the recording's largest overlap with each rule).
constexpr std::array<ExclusivePair, 12> kExclusive{{
  {B::EyeLookInLeft,   B::EyeLookOutLeft,   "the left eye turns toward the nose or away from it, not both"},
  {B::EyeLookInRight,  B::EyeLookOutRight,  "the right eye turns toward the nose or away from it, not both"},
  {B::EyeLookUpLeft,   B::EyeLookDownLeft,  "the left eye looks up or down, not both"},
  {B::EyeLookUpRight,  B::EyeLookDownRight, "the right eye looks up or down, not both"},
  {B::EyeBlinkLeft,    B::EyeWideLeft,      "the left upper lid closes or opens wide, not both"},
  {B::EyeBlinkRight,   B::EyeWideRight,     "the right upper lid closes or opens wide, not both"},
  {B::JawLeft,         B::JawRight,         "the jaw shifts to one side at a time"},
  {B::MouthLeft,       B::MouthRight,       "the lips shift to one side at a time"},
  {B::MouthSmileLeft,  B::MouthFrownLeft,   "the left lip corner is pulled up or down, not both"},
  {B::MouthSmileRight, B::MouthFrownRight,  "the right lip corner is pulled up or down, not both"},
  {B::BrowDownLeft,    B::BrowOuterUpLeft,  "the outer left brow goes down or up, not both"},
  {B::BrowDownRight,   B::BrowOuterUpRight, "the outer right brow goes down or up, not both"},
}};
// clang-format on

// Type-7 quantile of sorted values (linear between order statistics).
double quantile(const std::vector<double>& sorted, double u) {
  const double pos = u * static_cast<double>(sorted.size() - 1);
  const auto k = static_cast<std::size_t>(pos);
  if (k + 1 >= sorted.size()) return sorted.back();
  return sorted[k] + (pos - static_cast<double>(k)) * (sorted[k + 1] - sorted[k]);
}

// Pearson correlation of columns (each x[s] a column of length n); 0 where a column is constant,
// 1 on the diagonal of a non-constant column.
ShapeMatrix correlation_of(const std::array<std::vector<double>, kN>& x) {
  const std::size_t n = x[0].size();
  std::array<double, kN> mean{}, sd{};
  for (std::size_t s = 0; s < kN; ++s) {
    for (double v : x[s]) mean[s] += v;
    mean[s] /= static_cast<double>(n);
    double ss = 0;
    for (double v : x[s]) ss += (v - mean[s]) * (v - mean[s]);
    sd[s] = std::sqrt(ss / static_cast<double>(n));
  }
  ShapeMatrix r{};
  for (std::size_t a = 0; a < kN; ++a)
    for (std::size_t b = a; b < kN; ++b) {
      if (sd[a] < 1e-9 || sd[b] < 1e-9) continue;
      double c = 0;
      for (std::size_t i = 0; i < n; ++i) c += (x[a][i] - mean[a]) * (x[b][i] - mean[b]);
      const double v = std::clamp(c / static_cast<double>(n) / (sd[a] * sd[b]), -1.0, 1.0);
      r[a][b] = r[b][a] = static_cast<float>(a == b ? 1.0 : v);
    }
  return r;
}

// Normal scores: each value's mid-rank (ties share their average rank) through Φ⁻¹.
std::vector<double> normal_scores(const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](auto a, auto b) { return x[a] < x[b]; });
  std::vector<double> z(n);
  for (std::size_t i = 0; i < n;) {
    std::size_t j = i;
    while (j < n && x[order[j]] == x[order[i]]) ++j;
    const double rank = 0.5 * static_cast<double>(i + j - 1);  // 0-based mid-rank
    const double score = prior_math::normal_quantile((rank + 0.5) / static_cast<double>(n));
    for (std::size_t k = i; k < j; ++k) z[order[k]] = score;
    i = j;
  }
  return z;
}

// The positive definite correlation matrix nearest to `target` in a weighted least-squares sense
// (Σ w_ab (C_ab - T_ab)², so strong co-activations win over weak ones where the targets cannot
// all hold at once), with every eigenvalue >= `floor` so that the table rounded to 6 decimals stays
// safely positive definite. C = (1 - floor)·V·Vᵀ + floor·I with unit rows V: unit diagonal and
// positive semidefinite by construction; V by gradient descent on the unit spheres, from the
// eigenvalue-clipped target.
ShapeMatrix nearest_correlation(const ShapeMatrix& target, const ShapeMatrix& weight,
                                double floor) {
  const auto n = Eigen::Index(kN);
  Eigen::MatrixXd t(n, n), w(n, n);
  for (Eigen::Index a = 0; a < n; ++a)
    for (Eigen::Index b = 0; b < n; ++b) {
      t(a, b) = a == b ? 1.0 : double(target[std::size_t(a)][std::size_t(b)]);
      w(a, b) = a == b ? 0.0 : double(weight[std::size_t(a)][std::size_t(b)]);
    }
  // The factor's target: undo the floor's shrinkage.
  const Eigen::MatrixXd goal = ((t.array() - floor) / (1 - floor)).matrix();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(t);
  Eigen::MatrixXd v = eig.eigenvectors() * eig.eigenvalues().cwiseMax(0.0).cwiseSqrt().asDiagonal();
  v.rowwise().normalize();
  auto loss = [&](const Eigen::MatrixXd& f) {
    return (w.array() * (f * f.transpose() - goal).array().square()).sum();
  };
  double current = loss(v), step = 0.01;
  for (int it = 0; it < 3000 && step > 1e-9; ++it) {
    const Eigen::MatrixXd r = w.cwiseProduct(v * v.transpose() - goal);
    Eigen::MatrixXd g = 4 * r * v;
    for (Eigen::Index a = 0; a < n; ++a)  // tangent to each row's unit sphere
      g.row(a) -= g.row(a).dot(v.row(a)) * v.row(a);
    Eigen::MatrixXd next = v - step * g;
    next.rowwise().normalize();
    const double l = loss(next);
    if (l < current) {
      v = next;
      current = l;
      step *= 1.2;
    } else {
      step *= 0.5;
    }
  }
  const Eigen::MatrixXd c = (1 - floor) * v * v.transpose();
  ShapeMatrix out{};
  for (std::size_t a = 0; a < kN; ++a)
    for (std::size_t b = 0; b < kN; ++b)
      out[a][b] = a == b ? 1.0f : static_cast<float>(c(Eigen::Index(a), Eigen::Index(b)));
  return out;
}

// NORTA (NORmal To Anything, Cario & Nelson 1997): for each pair, the latent correlation whose
// samples G_a(Z_a), G_b(Z_b) have the recording's Pearson correlation. Normal scores alone
// understate it badly for shapes that are 0 most of the time and large rarely (the recording's
// eyeLookOutLeft / eyeLookInRight: 0.96 in values, 0.3 from ranks). The expectation is a product
// rule over the latent normal: Z_a at fixed nodes, Z_b | Z_a = ρ·Z_a + sqrt(1-ρ²)·W.
class Norta {
 public:
  explicit Norta(const std::array<ShapeStatistics, kN>& shapes) {
    double total = 0;
    for (std::size_t i = 0; i < kNodes; ++i) {
      node_[i] = -kHalfWidth + kH * double(i);
      weight_[i] = std::exp(-0.5 * node_[i] * node_[i]);
      total += weight_[i];
    }
    for (double& w : weight_) w /= total;
    for (std::size_t s = 0; s < kN; ++s) {
      for (std::size_t k = 0; k < kLatentPoints; ++k) table_[s][k] = shapes[s].value_at_z[k];
      double m = 0, m2 = 0;
      for (std::size_t i = 0; i < kNodes; ++i) {
        at_node_[s][i] = prior_math::value_at(table_[s], node_[i]);
        m += weight_[i] * at_node_[s][i];
        m2 += weight_[i] * at_node_[s][i] * at_node_[s][i];
      }
      mean_[s] = m;
      sd_[s] = std::sqrt(std::max(0.0, m2 - m * m));
    }
  }
  bool constant(std::size_t s) const { return sd_[s] < 1e-7; }

  // Pearson correlation of G_a(Z_a), G_b(Z_b) at latent correlation rho.
  double output(std::size_t a, std::size_t b, double rho) const {
    const double c = std::sqrt(std::max(0.0, 1 - rho * rho));
    double e = 0;
    for (std::size_t i = 0; i < kNodes; ++i) {
      double inner = 0;
      for (std::size_t j = 0; j < kNodes; ++j)
        inner += weight_[j] * prior_math::value_at(table_[b], rho * node_[i] + c * node_[j]);
      e += weight_[i] * at_node_[a][i] * inner;
    }
    return (e - mean_[a] * mean_[b]) / (sd_[a] * sd_[b]);
  }

  // The latent correlation that gives `target` (the nearest end when it cannot be reached).
  double latent_for(std::size_t a, std::size_t b, double target) const {
    double lo = -1, hi = 1;
    if (target >= output(a, b, hi)) return hi;
    if (target <= output(a, b, lo)) return lo;
    for (int it = 0; it < 22; ++it) {
      const double mid = 0.5 * (lo + hi);
      (output(a, b, mid) < target ? lo : hi) = mid;
    }
    return 0.5 * (lo + hi);
  }

 private:
  static constexpr std::size_t kNodes = 69;
  static constexpr double kHalfWidth = 5.1, kH = 2 * kHalfWidth / double(kNodes - 1);
  std::array<double, kNodes> node_{}, weight_{};
  std::array<std::array<double, kLatentPoints>, kN> table_{};
  std::array<std::array<double, kNodes>, kN> at_node_{};
  std::array<double, kN> mean_{}, sd_{};
};

}  // namespace

std::span<const ExclusivePair> exclusive_pairs() {
  return kExclusive;
}

Coefficients enforce_exclusivity(const Coefficients& c) {
  Coefficients out = c;
  for (const ExclusivePair& p : kExclusive) {
    const float a = c[p.a], b = c[p.b];
    out.set(p.a, std::max(0.0f, a - b));
    out.set(p.b, std::max(0.0f, b - a));
  }
  return out;
}

ExpressionPrior derive_expression_prior(const std::vector<Take>& takes,
                                        const std::vector<std::string>& names) {
  if (takes.empty()) throw std::invalid_argument("derive_expression_prior needs at least one take");
  std::array<std::vector<double>, kN> x;
  ExpressionPrior prior;
  for (std::size_t t = 0; t < takes.size(); ++t) {
    const std::string label = t < names.size() ? names[t] : "take " + std::to_string(t + 1);
    if (takes[t].frames.empty())
      throw std::invalid_argument("derive_expression_prior: " + label + " has no frames");
    for (std::size_t f = 0; f < takes[t].frames.size(); ++f)
      for (std::size_t s = 0; s < kN; ++s) {
        const float v = takes[t].frames[f].coefficients.at(s);
        if (!std::isfinite(v))
          throw std::invalid_argument("derive_expression_prior: " + label + " frame " +
                                      std::to_string(f) + " " +
                                      std::string(kBlendshapes[s].apple_name) + " is not finite");
        x[s].push_back(std::clamp(double(v), 0.0, 1.0));  // overshoots (1.0033) count as 1
      }
    prior.sources.push_back(label);
  }
  const std::size_t n = x[0].size();
  if (n < kMinPriorFrames)
    throw std::invalid_argument("derive_expression_prior needs at least " +
                                std::to_string(kMinPriorFrames) + " frames, got " +
                                std::to_string(n));
  prior.frames = n;

  for (std::size_t s = 0; s < kN; ++s) {
    ShapeStatistics& st = prior.shapes[s];
    std::vector<double> sorted = x[s], active;
    std::sort(sorted.begin(), sorted.end());
    double sum = 0, ss = 0;
    for (double v : sorted) {
      sum += v;
      if (v >= kActiveThreshold) active.push_back(v);
      st.p_covered += v >= kCoverageThreshold ? 1.0f : 0.0f;
    }
    const double mean = sum / double(n);
    for (double v : sorted) ss += (v - mean) * (v - mean);
    st.mean = float(mean);
    st.sd = float(std::sqrt(ss / double(n)));
    st.p_active = float(double(active.size()) / double(n));
    st.p_covered = float(double(st.p_covered) / double(n));
    if (!active.empty()) {
      constexpr std::array<double, 5> kLevels{0.1, 0.25, 0.5, 0.75, 0.9};
      for (std::size_t q = 0; q < kLevels.size(); ++q)
        st.active_quantiles[q] = float(quantile(active, kLevels[q]));
    }
    for (std::size_t k = 0; k < kLatentPoints; ++k)
      st.value_at_z[k] =
          float(quantile(sorted, prior_math::normal_cdf(kLatentMin + kLatentStep * double(k))));
  }

  prior.correlation = correlation_of(x);
  for (std::size_t a = 0; a < kN; ++a) {
    std::size_t active_a = 0;
    std::array<std::size_t, kN> both{};
    for (std::size_t i = 0; i < n; ++i) {
      if (x[a][i] < kActiveThreshold) continue;
      ++active_a;
      for (std::size_t b = 0; b < kN; ++b) both[b] += x[b][i] >= kActiveThreshold;
    }
    for (std::size_t b = 0; b < kN; ++b)
      prior.co_activation[a][b] = active_a ? float(double(both[b]) / double(active_a)) : 0.0f;
  }

  // The copula's latent correlation: for pairs correlated at |r| >= kCalibratedCorrelation in
  // values, the NORTA-calibrated one; for weaker pairs the normal scores' (NORTA would ask ±1 of
  // shapes that are mostly 0, which no positive definite matrix allows). Then the nearest positive
  // definite matrix, weighted toward the strong co-activations.
  std::array<std::vector<double>, kN> scores;
  for (std::size_t s = 0; s < kN; ++s) scores[s] = normal_scores(x[s]);
  ShapeMatrix latent = correlation_of(scores), weight{};
  const Norta norta(prior.shapes);
  for (std::size_t a = 0; a < kN; ++a)
    for (std::size_t b = a + 1; b < kN; ++b) {
      const float r = prior.correlation[a][b];
      double slope = 1;  // how fast the values' correlation moves with the latent one
      if (std::fabs(r) >= kCalibratedCorrelation && !norta.constant(a) && !norta.constant(b)) {
        const double rho = norta.latent_for(a, b, r), lo = std::max(-1.0, rho - 0.02);
        latent[a][b] = latent[b][a] = float(rho);
        slope = std::clamp((r - norta.output(a, b, lo)) / (rho - lo), 0.25, 10.0);
      }
      weight[a][b] = weight[b][a] = float(1 + kStrongWeight * r * r * slope * slope);
    }
  prior.latent_correlation = nearest_correlation(latent, weight, kLatentEigenFloor);

  for (const ExclusivePair& p : kExclusive) {
    double worst = 0;
    for (std::size_t i = 0; i < n; ++i)
      worst = std::max(worst, std::min(x[index_of(p.a)][i], x[index_of(p.b)][i]));
    prior.exclusive_max_overlap.push_back(float(worst));
  }
  return prior;
}

ShapeMatrix sample_correlation(std::span<const Coefficients> samples) {
  if (samples.size() < 2) throw std::invalid_argument("sample_correlation needs 2 samples");
  std::array<std::vector<double>, kN> x;
  for (const Coefficients& c : samples)
    for (std::size_t s = 0; s < kN; ++s) x[s].push_back(c.at(s));
  return correlation_of(x);
}

std::array<float, kBlendshapeCount> coverage(std::span<const Coefficients> samples,
                                             float threshold) {
  std::array<float, kN> out{};
  if (samples.empty()) return out;
  std::array<std::size_t, kN> count{};
  for (const Coefficients& c : samples)
    for (std::size_t s = 0; s < kN; ++s) count[s] += c.at(s) >= threshold;
  for (std::size_t s = 0; s < kN; ++s) out[s] = float(double(count[s]) / double(samples.size()));
  return out;
}

std::string_view expression_kind_name(ExpressionKind k) {
  switch (k) {
    case ExpressionKind::Prior:
      return "prior";
    case ExpressionKind::Sparse:
      return "sparse";
    case ExpressionKind::Wink:
      return "wink";
    case ExpressionKind::OneSided:
      return "one-sided";
  }
  return "?";
}

}  // namespace semblend
