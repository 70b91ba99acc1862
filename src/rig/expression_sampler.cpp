// The expression sampler: prior draws (Gaussian copula) mixed with sparse random activations, winks
// and one-sided actions, weighted so every shape is covered (include/semblend/expression_prior.h).
// Everything here is deterministic across machines (rig/expression_math.h).
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "rig/expression_math.h"
#include "semblend/expression_prior.h"

namespace semblend {
namespace {

using B = Blendshape;
constexpr std::size_t kN = kBlendshapeCount;
constexpr std::size_t kNone = kN;

// Conjugate gaze: when one eye turns, the other turns the same way.
constexpr std::size_t yoked(std::size_t s) {
  switch (blendshape_at(s)) {
    case B::EyeLookInLeft:
      return index_of(B::EyeLookOutRight);
    case B::EyeLookOutRight:
      return index_of(B::EyeLookInLeft);
    case B::EyeLookOutLeft:
      return index_of(B::EyeLookInRight);
    case B::EyeLookInRight:
      return index_of(B::EyeLookOutLeft);
    case B::EyeLookUpLeft:
      return index_of(B::EyeLookUpRight);
    case B::EyeLookUpRight:
      return index_of(B::EyeLookUpLeft);
    case B::EyeLookDownLeft:
      return index_of(B::EyeLookDownRight);
    case B::EyeLookDownRight:
      return index_of(B::EyeLookDownLeft);
    default:
      return kNone;
  }
}

std::array<std::size_t, kN> antagonists() {
  std::array<std::size_t, kN> out;
  out.fill(kNone);
  for (const ExclusivePair& p : exclusive_pairs()) {
    out[index_of(p.a)] = index_of(p.b);
    out[index_of(p.b)] = index_of(p.a);
  }
  return out;
}

bool one_sided_candidate(std::size_t s, Side side) {
  return kBlendshapes[s].side == side && kBlendshapes[s].region != Region::Gaze;
}

void check_fraction(double v, const char* what) {
  if (!(v >= 0 && v <= 1))
    throw std::invalid_argument(std::string("ExpressionSamplerOptions.") + what +
                                " must be in [0, 1], got " + std::to_string(v));
}

}  // namespace

ExpressionSampler ExpressionSampler::create(const ExpressionPrior& prior,
                                            const ExpressionSamplerOptions& o) {
  check_fraction(o.prior_fraction, "prior_fraction");
  check_fraction(o.wink_fraction, "wink_fraction");
  check_fraction(o.one_sided_fraction, "one_sided_fraction");
  check_fraction(o.wink_fraction + o.one_sided_fraction, "wink_fraction + one_sided_fraction");
  check_fraction(o.min_intensity, "min_intensity");
  check_fraction(o.wink_min, "wink_min");
  check_fraction(o.rest_level, "rest_level");
  if (o.min_intensity >= 1 || o.wink_min >= 1)
    throw std::invalid_argument("ExpressionSamplerOptions: min_intensity and wink_min must be < 1");
  if (o.max_sparse_shapes < 1 || o.max_sparse_shapes > 8)
    throw std::invalid_argument("ExpressionSamplerOptions.max_sparse_shapes must be in 1..8, got " +
                                std::to_string(o.max_sparse_shapes));

  ExpressionSampler s;
  s.options_ = o;
  for (std::size_t i = 0; i < kN; ++i)
    for (std::size_t k = 0; k < kLatentPoints; ++k) s.table_[i][k] = prior.shapes[i].value_at_z[k];
  s.cholesky_ = prior_math::cholesky(prior.latent_correlation);
  if (s.cholesky_.empty())
    throw std::invalid_argument(
        "ExpressionSampler: the prior's latent correlation is not positive "
        "definite");

  // Coverage the prior draws give each shape (mirrored half of the time when mirror_prior).
  std::array<double, kN> prior_cov{};
  for (std::size_t i = 0; i < kN; ++i) {
    const double c = prior.shapes[i].p_covered,
                 m = prior.shapes[index_of(mirror(blendshape_at(i)))].p_covered;
    prior_cov[i] = o.mirror_prior ? 0.5 * (c + m) : c;
  }
  // Sparse picks: half uniform, half water-filling toward the shapes the prior covers least.
  const double p = o.prior_fraction, sparse = 1 - p;
  const double general = sparse * (1 - o.wink_fraction - o.one_sided_fraction);
  const double hit = (1.0 - std::max(double(kCoverageThreshold), double(o.min_intensity))) /
                     (1.0 - double(o.min_intensity));  // P(intensity >= 0.3)
  const double picks = 0.5 * (1 + o.max_sparse_shapes);
  const double budget = general * picks * hit;  // coverage mass the general sparse picks add
  std::array<double, kN> fill{};
  if (budget > 0) {
    double lo = 0, hi = 2;
    for (int it = 0; it < 100; ++it) {  // the level L with sum(max(0, L - p·cov)) = budget
      const double level = 0.5 * (lo + hi);
      double used = 0;
      for (std::size_t i = 0; i < kN; ++i) used += std::max(0.0, level - p * prior_cov[i]);
      (used > budget ? hi : lo) = level;
    }
    for (std::size_t i = 0; i < kN; ++i) fill[i] = std::max(0.0, lo - p * prior_cov[i]) / budget;
  }
  for (std::size_t i = 0; i < kN; ++i)
    s.pick_weight_[i] = 0.5 / double(kN) + (budget > 0 ? 0.5 * fill[i] : 0.5 / double(kN));

  // The designed coverage (picks treated as independent; yoked gaze and one-sided picks added).
  std::array<double, 2> side_weight{};
  for (std::size_t i = 0; i < kN; ++i)
    for (int side = 0; side < 2; ++side)
      if (one_sided_candidate(i, side ? Side::Right : Side::Left))
        side_weight[std::size_t(side)] += s.pick_weight_[i];
  const double wink_hit =
      (1.0 - std::max(double(kCoverageThreshold), double(o.wink_min))) / (1.0 - double(o.wink_min));
  for (std::size_t i = 0; i < kN; ++i) {
    double e = p * prior_cov[i] + general * picks * hit * s.pick_weight_[i];
    if (yoked(i) != kNone) e += general * picks * hit * s.pick_weight_[yoked(i)];
    for (int side = 0; side < 2; ++side)
      if (one_sided_candidate(i, side ? Side::Right : Side::Left))
        e += sparse * o.one_sided_fraction * 0.5 * picks * hit * s.pick_weight_[i] /
             side_weight[std::size_t(side)];
    if (blendshape_at(i) == B::EyeBlinkLeft || blendshape_at(i) == B::EyeBlinkRight)
      e += sparse * o.wink_fraction * 0.5 * wink_hit;
    s.expected_[i] = float(std::min(1.0, e));
  }
  return s;
}

ExpressionSample ExpressionSampler::at(std::uint64_t index) const {
  using prior_math::uniform01;
  std::mt19937_64 rng(prior_math::mix_seed(options_.seed, index));
  const ExpressionSamplerOptions& o = options_;
  std::array<double, kN> x{};
  ExpressionSample out;

  if (uniform01(rng) < o.prior_fraction) {
    std::array<double, kN> eps{};
    for (double& e : eps) e = prior_math::normal_quantile(uniform01(rng));
    for (std::size_t i = 0; i < kN; ++i) {
      double z = 0;
      for (std::size_t k = 0; k <= i; ++k) z += cholesky_[i * kN + k] * eps[k];
      x[i] = prior_math::value_at(table_[i], z);
    }
    if (o.mirror_prior && uniform01(rng) < 0.5) {
      std::array<double, kN> m{};
      for (std::size_t i = 0; i < kN; ++i) m[index_of(mirror(blendshape_at(i)))] = x[i];
      x = m;
    }
    out.kind = ExpressionKind::Prior;
  } else {
    static const std::array<std::size_t, kN> kAntagonist = antagonists();
    for (double& v : x) v = o.rest_level * uniform01(rng);
    const double mode = uniform01(rng);
    const double span = 1.0 - double(o.min_intensity);
    if (mode < o.wink_fraction) {
      const B eye = uniform01(rng) < 0.5 ? B::EyeBlinkLeft : B::EyeBlinkRight;
      x[index_of(eye)] = o.wink_min + (1.0 - double(o.wink_min)) * uniform01(rng);
      x[kAntagonist[index_of(eye)]] = 0;  // no rest noise on eyeWide to net against
      out.kind = ExpressionKind::Wink;
    } else {
      const bool one_sided = mode < o.wink_fraction + o.one_sided_fraction;
      const Side side = uniform01(rng) < 0.5 ? Side::Left : Side::Right;
      out.kind = one_sided ? ExpressionKind::OneSided : ExpressionKind::Sparse;
      std::array<bool, kN> open{};
      for (std::size_t i = 0; i < kN; ++i) open[i] = !one_sided || one_sided_candidate(i, side);
      const auto k = 1 + prior_math::uniform_index(rng, std::uint64_t(o.max_sparse_shapes));
      for (std::uint64_t pick = 0; pick < k; ++pick) {
        double total = 0;
        for (std::size_t i = 0; i < kN; ++i) total += open[i] ? pick_weight_[i] : 0.0;
        if (!(total > 0)) break;
        double u = uniform01(rng) * total;
        std::size_t chosen = kNone;
        for (std::size_t i = 0; i < kN; ++i) {
          if (!open[i]) continue;
          chosen = i;  // the last open shape takes any rounding remainder
          u -= pick_weight_[i];
          if (u < 0) break;
        }
        const double value = o.min_intensity + span * uniform01(rng);
        for (std::size_t s : {chosen, yoked(chosen)}) {
          if (s == kNone) continue;
          x[s] = value;
          open[s] = false;
          if (kAntagonist[s] == kNone) continue;
          open[kAntagonist[s]] = false;
          x[kAntagonist[s]] = 0;  // no rest noise to net against
        }
      }
    }
  }
  for (std::size_t i = 0; i < kN; ++i)
    out.coefficients.set_at(i, static_cast<float>(std::clamp(x[i], 0.0, 1.0)));
  out.coefficients = enforce_exclusivity(out.coefficients);
  return out;
}

std::vector<ExpressionSample> ExpressionSampler::samples(std::uint64_t first,
                                                         std::size_t count) const {
  std::vector<ExpressionSample> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(at(first + i));
  return out;
}

}  // namespace semblend
