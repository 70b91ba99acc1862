// The simulated world of `semblend eval prefs` (prefs_sim.h).
#include "prefs_sim.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <thread>

#include "semblend/rig.h"
#include "semblend/synth.h"

namespace semblend::cli::prefs_sim {

std::vector<Face> make_faces(const Solver& solver, std::uint64_t seed, int count, int identities,
                             int threads) {
  SynthOptions so;
  so.seed = seed;
  so.identities = identities;
  so.max_yaw_deg = 30;  // the judging page's photos: mostly frontal
  so.max_pitch_deg = so.max_roll_deg = 20;
  const SynthGenerator gen = SynthGenerator::create(so);
  std::vector<Face> out(std::size_t(std::max(count, 0)));
  auto work = [&](int t) {
    for (std::size_t i = std::size_t(t); i < out.size(); i += std::size_t(threads)) {
      const SynthSample s = gen.sample(i);
      out[i].truth = s.coefficients;
      const Coefficients c = solver.solve(s.landmarks).coefficients;
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) out[i].shipped[k] = c.at(k);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work, t);
  work(0);
  for (std::thread& t : pool) t.join();
  return out;
}

Corruption make_corruption(std::uint64_t seed, int dropped) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> gain(0.6f, 1.4f), offset(-0.05f, 0.10f);
  Corruption c;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    c.gain[k] = gain(rng);
    c.offset[k] = offset(rng);
  }
  std::vector<std::size_t> order(kBlendshapeCount);
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) order[k] = k;
  std::shuffle(order.begin(), order.end(), rng);
  c.dropped.assign(order.begin(), order.begin() + std::min<std::size_t>(std::size_t(dropped), 52));
  std::sort(c.dropped.begin(), c.dropped.end());
  return c;
}

Coefficients corrupt(const Coefficients& truth, const Corruption& c, std::mt19937_64& rng) {
  std::normal_distribution<float> noise(0.0f, c.noise);
  Coefficients out;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const float v = c.gain[k] * truth.at(k) + c.offset[k] + noise(rng);
    out.set_at(k, std::clamp(v, 0.0f, 1.0f));
  }
  for (std::size_t k : c.dropped) out.set_at(k, 0.0f);
  return out;
}

PseudoSolver PseudoSolver::fit(const std::vector<Face>& faces,
                               const std::vector<Coefficients>& labels, double ridge) {
  constexpr std::size_t n = kBlendshapeCount + 1;
  if (faces.size() != labels.size() || faces.empty())
    throw std::invalid_argument("PseudoSolver::fit: faces and labels differ in number");
  // Normal equations (XᵀX + ridge·N·I) W = XᵀY, solved by Gauss–Jordan (53 unknowns).
  std::vector<double> a(n * n, 0.0), b(n * kBlendshapeCount, 0.0);
  std::array<double, n> x{};
  for (std::size_t s = 0; s < faces.size(); ++s) {
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) x[k] = faces[s].shipped[k];
    x[n - 1] = 1;
    for (std::size_t i = 0; i < n; ++i) {
      for (std::size_t j = 0; j < n; ++j) a[i * n + j] += x[i] * x[j];
      for (std::size_t k = 0; k < kBlendshapeCount; ++k)
        b[i * kBlendshapeCount + k] += x[i] * labels[s].at(k);
    }
  }
  for (std::size_t i = 0; i + 1 < n; ++i) a[i * n + i] += ridge * double(faces.size());
  for (std::size_t c = 0; c < n; ++c) {
    std::size_t p = c;
    for (std::size_t r = c + 1; r < n; ++r)
      if (std::abs(a[r * n + c]) > std::abs(a[p * n + c])) p = r;
    for (std::size_t j = 0; j < n; ++j) std::swap(a[c * n + j], a[p * n + j]);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      std::swap(b[c * kBlendshapeCount + k], b[p * kBlendshapeCount + k]);
    const double d = a[c * n + c];
    for (std::size_t r = 0; r < n; ++r) {
      if (r == c) continue;
      const double f = a[r * n + c] / d;
      if (f == 0) continue;
      for (std::size_t j = 0; j < n; ++j) a[r * n + j] -= f * a[c * n + j];
      for (std::size_t k = 0; k < kBlendshapeCount; ++k)
        b[r * kBlendshapeCount + k] -= f * b[c * kBlendshapeCount + k];
    }
  }
  PseudoSolver p;
  p.w_.resize(n * kBlendshapeCount);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      p.w_[i * kBlendshapeCount + k] = b[i * kBlendshapeCount + k] / a[i * n + i];
  return p;
}

Coefficients PseudoSolver::predict(const Face& f) const {
  Coefficients out;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    double v = w_[kBlendshapeCount * kBlendshapeCount + k];  // the constant feature's row
    for (std::size_t i = 0; i < kBlendshapeCount; ++i)
      v += f.shipped[i] * w_[i * kBlendshapeCount + k];
    out.set_at(k, float(std::clamp(v, 0.0, 1.0)));
  }
  return out;
}

double perceptual_distance(const Coefficients& a, const Coefficients& truth, std::size_t region) {
  const Rig& rig = default_rig();
  const std::vector<Point3> pa = pose_rig(rig, a), pt = pose_rig(rig, truth);
  double s = 0;
  for (std::size_t i : prefs::region_landmarks(region)) {
    const double dx = pa[i].x - pt[i].x, dy = pa[i].y - pt[i].y, dz = pa[i].z - pt[i].z;
    s += dx * dx + dy * dy + dz * dz;
  }
  return std::sqrt(s);
}

double judge(const Annotator& who, const Coefficients& a, const Coefficients& b,
             const Coefficients& truth, std::size_t region, std::mt19937_64& rng) {
  double closer_a = perceptual_distance(b, truth, region) - perceptual_distance(a, truth, region);
  if (who.contrarian) closer_a = -closer_a;
  std::uniform_real_distribution<double> u(0, 1);
  if (std::abs(closer_a) < who.tie_cm && u(rng) < 0.7) return 0.5;
  const double p_a = 1 / (1 + std::exp(-closer_a / who.noise_cm));
  return u(rng) < p_a ? 1.0 : 0.0;
}

}  // namespace semblend::cli::prefs_sim
