// semblend/expression_prior.h — what real faces do with the 52 shapes, and a sampler of plausible
// expressions for synthetic training data.
//
// ExpressionPrior: statistics learned from real ARKit recordings (`derive_expression_prior`):
//  * per shape: how often it is active (value >= `active_threshold`, 0.1), how often it reaches the
//    coverage level (>= 0.3), mean and standard deviation, and the quantiles of its value among
//    active frames (10/25/50/75/90 %);
//  * between shapes: the Pearson correlation of the values and the conditional activation
//    P(column active | row active);
//  * the generative model, a Gaussian copula: each shape's marginal distribution as its value at
//    fixed points of a latent standard normal (`value_at_z`, the quantile function F⁻¹(Φ(z))), and
//    the latent correlation between shapes, calibrated so that the samples' value correlations
//    are the recording's (NORTA: per pair, the latent correlation whose image through the two
//    marginals has the recording's Pearson r, for |r| >= 0.3; the normal scores' correlation for
//    weaker pairs), then the nearest positive definite matrix, weighted toward the strong pairs.
//    A sample is z ~ N(0, latent_correlation), value_i = value_at_z_i(z_i). It reproduces every
//    marginal, including the mass at exactly 0 that ARKit data has, and the co-activations (both
//    smile corners together, jawOpen with mouthLowerDown and mouthStretch, gaze shapes of the two
//    eyes in step). Why a copula and not a mixture of the recorded frames with noise: the committed
//    table holds only statistics (no frame of the recording is copied into the project), it
//    generalises between recorded frames, and it is small enough to read (docs/rig.md).
//
// ExpressionSampler: for synthetic data. Each sample is, with probability `prior_fraction`, a draw
// from the prior (mirrored left/right half of the time, so one subject's asymmetries do not become
// the rig's), or else a sparse random activation: 1..4 shapes at uniform intensity, a wink (one
// eyeBlink alone) or a one-sided action (1..4 shapes of one side of the face). Sparse shapes are
// picked half uniformly, half by "water-filling" toward the shapes the prior rarely brings to 0.3,
// so every one of the 52 shapes is covered (expected_coverage() says how well; coverage() measures
// it). Gaze is conjugate: a sparse eyeLook shape brings its partner in the other eye
// (eyeLookInLeft with eyeLookOutRight, eyeLookUpLeft with eyeLookUpRight).
//
// Exclusivity: `exclusive_pairs()` lists pairs that move one feature in opposite directions (gaze
// in/out and up/down of each eye, upper lid closed/wide, jaw and mouth left/right, lip corner
// up/down, outer brow up/down). ARKit never reports both of such a pair (the recording's largest
// min(a, b) is stored with each rule); every sample keeps only the net motion of each pair:
// (a, b) -> (max(0, a - b), max(0, b - a)).
//
// Determinism: a sample is a function of (prior, options, seed, index) only — std::mt19937_64 (its
// output is fixed by the standard) and semblend's own distribution code (no std:: distributions,
// whose output differs between standard libraries; no libm transcendental in the sampling path),
// compiled without floating-point contraction. Same seed, same samples, on any machine.
//
// Failure modes: derive_expression_prior throws std::invalid_argument for no takes, a take with
// fewer than kMinPriorFrames frames in all, or a non-finite coefficient;
// parse_expression_prior_json throws InputError (file, JSON path) for a malformed table (wrong
// format or version, wrong shape names or sizes, values out of range, a latent correlation that is
// not positive definite); ExpressionSampler::create throws std::invalid_argument for an option out
// of range. Thread safety: ExpressionPrior is a plain value; default_expression_prior() is parsed
// once, on first use, thread-safely; ExpressionSampler::at() is const and safe from several
// threads.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/blendshape.h"
#include "semblend/take.h"

namespace semblend {

inline constexpr float kActiveThreshold = 0.1f;    // a shape is "active" at or above this
inline constexpr float kCoverageThreshold = 0.3f;  // a sample "covers" a shape at or above this
inline constexpr std::size_t kMinPriorFrames = 30;

// The latent grid the marginals are tabulated on: z = kLatentMin + k * kLatentStep.
inline constexpr std::size_t kLatentPoints = 65;
inline constexpr double kLatentMin = -4.0, kLatentStep = 0.125;

using ShapeMatrix = std::array<std::array<float, kBlendshapeCount>, kBlendshapeCount>;

struct ShapeStatistics {
  float p_active = 0;   // fraction of frames with value >= kActiveThreshold
  float p_covered = 0;  // fraction of frames with value >= kCoverageThreshold
  float mean = 0, sd = 0;
  // Quantiles (10, 25, 50, 75, 90 %) of the value over active frames; all 0 if never active.
  std::array<float, 5> active_quantiles{};
  // The marginal as a function of the latent normal: value_at_z[k] = F⁻¹(Φ(kLatentMin + k·step)).
  std::array<float, kLatentPoints> value_at_z{};
  friend bool operator==(const ShapeStatistics&, const ShapeStatistics&) = default;
};

// One exclusivity rule: a and b move one feature in opposite directions.
struct ExclusivePair {
  Blendshape a, b;
  std::string_view reason;
};
std::span<const ExclusivePair> exclusive_pairs();
// Keeps only the net motion of every exclusive pair: (a, b) -> (max(0, a-b), max(0, b-a)).
Coefficients enforce_exclusivity(const Coefficients& c);

struct ExpressionPrior {
  std::vector<std::string> sources;  // the takes it was learned from (file names)
  std::size_t frames = 0;
  std::array<ShapeStatistics, kBlendshapeCount> shapes{};
  ShapeMatrix correlation{};         // Pearson correlation of the values (0 for a constant shape)
  ShapeMatrix co_activation{};       // [a][b] = P(b active | a active) (0 if a is never active)
  ShapeMatrix latent_correlation{};  // the copula's (positive definite, unit diagonal)
  // For each exclusive_pairs() rule, the largest min(a, b) in the source frames.
  std::vector<float> exclusive_max_overlap;
};

// Learns the prior from the frames of `takes`; `names` label them in `sources` (may be empty).
ExpressionPrior derive_expression_prior(const std::vector<Take>& takes,
                                        const std::vector<std::string>& names = {});

// The table as readable JSON (data/expression_prior.json; docs/rig.md), and back.
std::string expression_prior_json(const ExpressionPrior& prior);
ExpressionPrior parse_expression_prior_json(const std::string& text, const std::string& name);

// The compiled-in prior (data/expression_prior.json, derived from the shared iPhone recording).
const ExpressionPrior& default_expression_prior();

// The Pearson correlation matrix of a set of samples (for checks and reports).
ShapeMatrix sample_correlation(std::span<const Coefficients> samples);
// Per shape, the fraction of samples with value >= `threshold`.
std::array<float, kBlendshapeCount> coverage(std::span<const Coefficients> samples,
                                             float threshold = kCoverageThreshold);

// Where a sample came from.
enum class ExpressionKind : std::uint8_t { Prior, Sparse, Wink, OneSided };
std::string_view expression_kind_name(ExpressionKind k);  // "prior", "sparse", "wink", "one-sided"

struct ExpressionSample {
  Coefficients coefficients;  // every value in [0, 1], exclusivity enforced
  ExpressionKind kind = ExpressionKind::Prior;
};

struct ExpressionSamplerOptions {
  std::uint64_t seed = 1;
  double prior_fraction = 0.5;      // share of prior draws; the rest are sparse activations
  bool mirror_prior = true;         // mirror half of the prior draws (left <-> right)
  double wink_fraction = 0.15;      // of the sparse samples: one eyeBlink alone
  double one_sided_fraction = 0.2;  // of the sparse samples: shapes of one side only
  int max_sparse_shapes = 4;        // k is uniform in 1..max_sparse_shapes
  float min_intensity = 0.1f;       // sparse intensities are uniform in [min_intensity, 1]
  float wink_min = 0.6f;            // wink closure is uniform in [wink_min, 1]
  float rest_level = 0.03f;         // other shapes of a sparse sample: uniform in [0, rest_level]
};

class ExpressionSampler {
 public:
  // Throws std::invalid_argument for fractions outside [0, 1], max_sparse_shapes outside 1..8,
  // intensities outside [0, 1] or min_intensity >= 1.
  static ExpressionSampler create(const ExpressionPrior& prior,
                                  const ExpressionSamplerOptions& options = {});

  // Sample number `index` of this seed: independent of any other call, thread-safe.
  ExpressionSample at(std::uint64_t index) const;
  // Samples first .. first+count-1.
  std::vector<ExpressionSample> samples(std::uint64_t first, std::size_t count) const;

  // The coverage the mixture is designed to give each shape (from the prior's p_covered and the
  // sparse pick weights); coverage() of many samples measures the real one.
  const std::array<float, kBlendshapeCount>& expected_coverage() const { return expected_; }
  const ExpressionSamplerOptions& options() const { return options_; }

 private:
  ExpressionSampler() = default;
  ExpressionSamplerOptions options_;
  std::array<std::array<double, kLatentPoints>, kBlendshapeCount> table_{};
  std::vector<double> cholesky_;  // lower triangle of the latent correlation, row-major 52x52
  std::array<double, kBlendshapeCount> pick_weight_{};
  std::array<float, kBlendshapeCount> expected_{};
};

}  // namespace semblend
