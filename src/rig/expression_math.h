// Internal: the numerics of the expression prior that must give identical results on every
// machine — uniform and normal variates from std::mt19937_64, a logarithm and the normal quantile
// built from + - * / and std::sqrt only (correctly rounded by IEEE 754), and a Cholesky factor in a
// fixed summation order. expression_prior*.cpp and expression_sampler.cpp are compiled with
// -ffp-contract=off (src/CMakeLists.txt) so no compiler fuses a multiply and an add differently.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "semblend/expression_prior.h"

namespace semblend::prior_math {

// Uniform in (0, 1): 53 random bits, centred in their interval (never exactly 0 or 1).
inline double uniform01(std::mt19937_64& rng) {
  return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53;
}

// Uniform integer in [0, n), n > 0, without modulo bias (rejection).
inline std::uint64_t uniform_index(std::mt19937_64& rng, std::uint64_t n) {
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  for (;;) {
    const std::uint64_t x = rng();
    if (x < limit) return x % n;
  }
}

// SplitMix64: a seed for sample `index` of stream `seed`, so samples are independent of order.
inline std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t index) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + index + 0x632BE59BD9B4E019ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Natural logarithm of x > 0: exact exponent split (frexp), then 2·atanh((m-1)/(m+1)) as a series
// with |t| <= 0.172 (m in [sqrt(1/2), sqrt(2))), accurate to ~1e-16 relative.
inline double portable_log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m · 2^e, m in [0.5, 1)
  if (m < 0.70710678118654752440) {
    m *= 2;
    --e;
  }
  const double t = (m - 1) / (m + 1), t2 = t * t;
  double term = t, sum = 0;
  for (int k = 1; k <= 29; k += 2) {
    sum += term / k;
    term *= t2;
  }
  return 2 * sum + e * 0.69314718055994530942;
}

// The standard normal quantile Φ⁻¹(p), 0 < p < 1 (Acklam's rational approximation, relative error
// below 1.2e-9).
inline double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double low = 0.02425, high = 1 - low;
  if (p < low) {
    const double q = std::sqrt(-2 * portable_log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > high) {
    const double q = std::sqrt(-2 * portable_log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
           ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double q = p - 0.5, r = q * q;
  return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
         (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

// The standard normal CDF (derivation only: std::erfc need not agree to the last bit between
// libraries, which is fine for statistics that are rounded into a table).
inline double normal_cdf(double z) {
  return 0.5 * std::erfc(-z / 1.41421356237309504880);
}

// Lower Cholesky factor (row-major n x n) of a symmetric matrix; empty if it is not positive
// definite (a pivot below `min_pivot`).
inline std::vector<double> cholesky(const ShapeMatrix& m, double min_pivot = 1e-6) {
  constexpr std::size_t n = kBlendshapeCount;
  std::vector<double> l(n * n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j <= i; ++j) {
      double s = m[i][j];
      for (std::size_t k = 0; k < j; ++k) s -= l[i * n + k] * l[j * n + k];
      if (i == j) {
        if (!(s > min_pivot)) return {};
        l[i * n + i] = std::sqrt(s);
      } else {
        l[i * n + j] = s / l[j * n + j];
      }
    }
  }
  return l;
}

// Linear interpolation of a value_at_z table at latent z (clamped to the grid's ends).
inline double value_at(const std::array<double, kLatentPoints>& table, double z) {
  const double t = (z - kLatentMin) / kLatentStep;
  if (!(t > 0)) return table.front();
  if (t >= static_cast<double>(kLatentPoints - 1)) return table.back();
  const auto k = static_cast<std::size_t>(t);
  const double f = t - static_cast<double>(k);
  return table[k] + f * (table[k + 1] - table[k]);
}

}  // namespace semblend::prior_math
