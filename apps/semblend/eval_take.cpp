// `semblend eval take ESTIMATE --truth TRUTH`: an estimated take (from `semblend video`, say)
// against the take it should have recovered — coefficient error overall and per shape, head-pose
// error, the correlation over time of each shape that moves in both (timing agreement when the
// scales differ, e.g. a video take against the speech take of its audio) and the lag at which it
// is highest, and the semantic description of a key frame in both, side by side.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>

#include "commands.h"
#include "semblend/semantic.h"
#include "semblend/take.h"

namespace semblend::cli {
namespace {

// The truth frame nearest in time to `t` (frames sorted by time).
const FaceFrame& nearest(const Take& take, double t) {
  const auto it = std::lower_bound(take.frames.begin(), take.frames.end(), t,
                                   [](const FaceFrame& f, double v) { return f.time < v; });
  if (it == take.frames.begin()) return *it;
  if (it == take.frames.end()) return take.frames.back();
  return (it->time - t) < (t - std::prev(it)->time) ? *it : *std::prev(it);
}

// Shape k of `take` at time t, linearly between its frames; nothing outside the take's time span.
std::optional<double> value_at(const Take& take, std::size_t k, double t) {
  const auto& f = take.frames;
  if (t < f.front().time || t > f.back().time) return std::nullopt;
  const auto it = std::lower_bound(f.begin(), f.end(), t,
                                   [](const FaceFrame& x, double v) { return x.time < v; });
  if (it == f.begin()) return it->coefficients.at(k);
  const FaceFrame& b = *it;
  const FaceFrame& a = *std::prev(it);
  const double span = b.time - a.time;
  const double w = span > 0 ? (t - a.time) / span : 1.0;
  return (1 - w) * a.coefficients.at(k) + w * b.coefficients.at(k);
}

// How far the estimate's shape k runs behind the truth's: the shift s within ±kMaxLag (steps of
// kLagStep) at which estimate(t) and truth(t − s) correlate best, over the estimate's frames whose
// shifted time the truth spans (at least half of them). Positive: the estimate is later.
constexpr double kMaxLag = 0.5, kLagStep = 0.01;
struct Lag {
  double seconds = 0, correlation = 0;
};
std::optional<Lag> best_lag(const Take& est, const Take& truth, std::size_t k) {
  std::optional<Lag> best;
  const auto steps = static_cast<int>(std::lround(kMaxLag / kLagStep));
  std::vector<std::pair<double, double>> pairs;
  for (int i = -steps; i <= steps; ++i) {
    const double s = i * kLagStep;
    pairs.clear();
    for (const FaceFrame& e : est.frames)
      if (const auto t = value_at(truth, k, e.time - s))
        pairs.emplace_back(e.coefficients.at(k), *t);
    if (pairs.size() < 10 || 2 * pairs.size() < est.frames.size()) continue;
    double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
    for (const auto& [a, b] : pairs) {
      sa += a, sb += b, saa += a * a, sbb += b * b, sab += a * b;
    }
    const double n = double(pairs.size());
    const double va = saa / n - (sa / n) * (sa / n), vb = sbb / n - (sb / n) * (sb / n);
    if (!(va > 1e-4 && vb > 1e-4)) continue;
    const double r = (sab / n - (sa / n) * (sb / n)) / std::sqrt(va * vb);
    if (!best || r > best->correlation) best = Lag{s, r};
  }
  return best;
}

}  // namespace

int run_eval_take(const EvalTakeOptions& o) {
  const Take est = read_take(o.estimate);
  const Take truth = read_take(o.truth);
  if (est.frames.empty()) throw std::invalid_argument(o.estimate + ": the take has no frames");
  if (truth.frames.empty()) throw std::invalid_argument(o.truth + ": the take has no frames");
  std::array<double, kBlendshapeCount> err{}, se{}, st{}, see{}, stt{}, set{};
  double yaw = 0, pitch = 0, roll = 0, total = 0;
  const double deg = 180.0 / kPi;
  std::size_t key = 0;
  float key_activation = -1;
  for (std::size_t i = 0; i < est.frames.size(); ++i) {
    const FaceFrame& e = est.frames[i];
    const FaceFrame& t = nearest(truth, e.time);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const double a = e.coefficients.at(k), b = t.coefficients.at(k);
      err[k] += std::fabs(a - b);
      total += std::fabs(a - b);
      se[k] += a;
      st[k] += b;
      see[k] += a * a;
      stt[k] += b * b;
      set[k] += a * b;
    }
    yaw += std::fabs(e.head.yaw - t.head.yaw) * deg;
    pitch += std::fabs(e.head.pitch - t.head.pitch) * deg;
    roll += std::fabs(e.head.roll - t.head.roll) * deg;
    float activation = 0;
    for (float v : t.coefficients.values()) activation += v;
    if (activation > key_activation) {
      key_activation = activation;
      key = i;
    }
  }
  const double n = double(est.frames.size());
  // Pearson correlation per shape over time, where both takes move (standard deviation > 0.01):
  // timing agreement even when the scales differ (e.g. a video take against a speech take).
  std::array<double, kBlendshapeCount> corr{};
  std::array<bool, kBlendshapeCount> moving{};
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const double va = see[k] / n - (se[k] / n) * (se[k] / n);
    const double vb = stt[k] / n - (st[k] / n) * (st[k] / n);
    moving[k] = va > 1e-4 && vb > 1e-4;
    corr[k] = moving[k] ? (set[k] / n - (se[k] / n) * (st[k] / n)) / std::sqrt(va * vb) : 0.0;
  }
  std::vector<std::size_t> order(kBlendshapeCount);
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) order[k] = k;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return err[a] > err[b]; });
  const FaceFrame& ke = est.frames[key];
  const FaceFrame& kt = nearest(truth, ke.time);
  std::printf("%s against %s: %zu frames\n", o.estimate.c_str(), o.truth.c_str(),
              est.frames.size());
  std::printf(
      "  coefficient MAE %.4f (all 52); head pose mean error yaw %.1f°, pitch %.1f°, roll %.1f°\n",
      total / (n * kBlendshapeCount), yaw / n, pitch / n, roll / n);
  std::printf("  largest per-shape errors:");
  for (std::size_t r = 0; r < 5; ++r)
    std::printf("%s %s %.3f", r ? "," : "", std::string(kBlendshapes[order[r]].apple_name).c_str(),
                err[order[r]] / n);
  std::printf("\n  correlation over time (shapes moving in both):");
  int shown = 0;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (moving[k])
      std::printf("%s %s %.2f", shown++ ? "," : "", std::string(kBlendshapes[k].apple_name).c_str(),
                  corr[k]);
  if (!shown) std::printf(" none");
  // The lag that correlates best, for the shapes moving in both.
  std::array<std::optional<Lag>, kBlendshapeCount> lag{};
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (moving[k]) lag[k] = best_lag(est, truth, k);
  std::printf("\n  lag of the best correlation within ±%.1f s (+: the estimate later):", kMaxLag);
  shown = 0;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (lag[k])
      std::printf("%s %s %+.0f ms (%.2f)", shown++ ? "," : "",
                  std::string(kBlendshapes[k].apple_name).c_str(), lag[k]->seconds * 1000,
                  lag[k]->correlation);
  if (!shown) std::printf(" none");
  std::printf("\n  key frame (t = %.2f s, the truth's most active):\n", ke.time);
  std::printf("    truth:    %s\n", sentence(describe(kt.coefficients, &kt.head)).c_str());
  std::printf("    estimate: %s\n", sentence(describe(ke.coefficients, &ke.head)).c_str());
  if (!o.output.empty()) {
    nlohmann::json j = {
        {"format", "semblend.eval.take"},
        {"version", 1},
        {"estimate", o.estimate},
        {"truth", o.truth},
        {"frames", est.frames.size()},
        {"mae", total / (n * kBlendshapeCount)},
        {"head_error_deg", {{"yaw", yaw / n}, {"pitch", pitch / n}, {"roll", roll / n}}},
        {"key_frame_time", ke.time}};
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const std::string name(kBlendshapes[k].apple_name);
      j["per_shape"][name] = err[k] / n;
      if (moving[k]) j["correlation"][name] = corr[k];
      if (lag[k])
        j["lag"][name] = {{"seconds", lag[k]->seconds}, {"correlation", lag[k]->correlation}};
    }
    emit(o.output, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace semblend::cli
