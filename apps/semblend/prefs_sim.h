// The simulation behind `semblend eval prefs` (docs/prefs.md): the whole preference loop where
// the truth is known. The rig's landmarks with exact coefficients (synth.h), pseudo labels
// corrupted the way capture apps corrupt them, a solver fitted to those labels, and simulated
// annotators who prefer the candidate whose rig landmarks are closer to the truth's.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "semblend/prefs_learn.h"
#include "semblend/solver.h"
#include "semblend/take.h"

namespace semblend::cli::prefs_sim {

// A face with known truth: the shipped solver's reading of its landmarks (the features the
// pseudo-label solver sees) and the truth.
struct Face {
  Coefficients truth;
  std::array<float, kBlendshapeCount> shipped{};
};
// Sample faces of a synthetic seed (held-out identities for another seed), solved on `threads`.
std::vector<Face> make_faces(const Solver& solver, std::uint64_t seed, int count, int identities,
                             int threads);

// How capture apps corrupt labels: a magnitude bias (gain) and an offset per shape, noise on every
// value, and some actions never reported (always 0).
struct Corruption {
  std::array<float, kBlendshapeCount> gain{}, offset{};
  std::vector<std::size_t> dropped;
  float noise = 0.05f;
};
Corruption make_corruption(std::uint64_t seed, int dropped);
Coefficients corrupt(const Coefficients& truth, const Corruption& c, std::mt19937_64& rng);

// The pseudo-label solver: ridge regression from the shipped solver's 52 outputs (and 1) to the
// pseudo labels, so its errors are those of the labels.
class PseudoSolver {
 public:
  static PseudoSolver fit(const std::vector<Face>& faces, const std::vector<Coefficients>& labels,
                          double ridge);
  Coefficients predict(const Face& f) const;

 private:
  std::vector<double> w_;  // 53 × 52, row = input feature
};

// A simulated annotator: perceives candidates as the default rig's landmarks (what the judging
// page renders) in the region asked about (the landmarks its shapes move) and prefers the one
// closer to the truth's, with logistic noise of scale `noise_cm`; differences under `tie_cm` are
// called a tie most of the time. A contrarian picks the farther one.
struct Annotator {
  std::int64_t id = 0;
  float noise_cm = 0.08f, tie_cm = 0.03f;
  bool contrarian = false;
};
// Root of the summed squared landmark distances (cm) over comparison region `region`'s landmarks.
double perceptual_distance(const Coefficients& a, const Coefficients& truth, std::size_t region);
// The outcome for (a, b) when asked about comparison region `region`: 1 a, 0 b, 0.5 tie.
double judge(const Annotator& who, const Coefficients& a, const Coefficients& b,
             const Coefficients& truth, std::size_t region, std::mt19937_64& rng);

// Per-shape and overall mean absolute error of `predict` over faces.
struct Errors {
  std::array<double, kBlendshapeCount> shape{};
  double mean = 0;
};
template <typename F>
Errors errors(const std::vector<Face>& faces, F predict) {
  Errors e;
  for (const Face& f : faces) {
    const Coefficients c = predict(f);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      e.shape[k] += std::abs(double(c.at(k)) - f.truth.at(k));
  }
  for (double& v : e.shape) v /= double(faces.size());
  for (double v : e.shape) e.mean += v / double(kBlendshapeCount);
  return e;
}

}  // namespace semblend::cli::prefs_sim
