// The solver's output layouts decoded into coefficients, bands and category (solver.h).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "semblend/solver.h"

namespace semblend {
namespace {

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-x));
}

template <std::size_t N>
std::size_t argmax(const float* v) {
  return std::size_t(std::max_element(v, v + N) - v);
}

}  // namespace

SolverResult decode_solver_output(std::span<const float> y) {
  constexpr std::size_t K = kBlendshapeCount, C = kIntensityCount;
  SolverResult res;
  if (y.size() == kSolverSemanticOutputSize) {
    const float* bands = y.data();
    const float* category = bands + K * C;
    const float* in_band = category + kCategoryCount;
    for (std::size_t k = 0; k < K; ++k) {
      const float* logit = bands + k * C;
      const std::size_t best = argmax<C>(logit);
      double z = 0, value = 0;
      for (std::size_t b = 0; b < C; ++b) {
        const auto level = static_cast<Intensity>(b);
        const double p = std::exp(double(logit[b] - logit[best]));
        const float lower = band(level).lower, width = band_upper(level) - lower;
        z += p;
        value += p * double(lower + sigmoid(in_band[k * C + b]) * width);
      }
      res.coefficients.set_at(k, float(value / z));
      res.bins[k] = static_cast<Intensity>(best);
    }
    res.category = static_cast<Category>(argmax<kCategoryCount>(category));
    return res;
  }
  if (y.size() == kSolverDirectOutputSize) {
    for (std::size_t k = 0; k < K; ++k) res.coefficients.set_at(k, sigmoid(y[k]));
    const SemanticTokens t = tokens_of(describe(res.coefficients));
    res.bins = t.bins;
    res.category = t.category;
    return res;
  }
  throw std::invalid_argument("solver: " + std::to_string(y.size()) +
                              " outputs match no known layout (" +
                              std::to_string(kSolverSemanticOutputSize) + " or " +
                              std::to_string(kSolverDirectOutputSize) + ")");
}

}  // namespace semblend
