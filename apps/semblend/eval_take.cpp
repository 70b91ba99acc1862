// `semblend eval take ESTIMATE --truth TRUTH`: an estimated take (from `semblend video`, say)
// against the take it should have recovered — coefficient error overall and per shape, head-pose
// error, the correlation over time of each shape that moves in both (timing agreement when the
// scales differ, e.g. a video take against the speech take of its audio), and the semantic
// description of a key frame in both, side by side.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

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
    }
    emit(o.output, j.dump(2) + "\n");
  }
  return kOk;
}

}  // namespace semblend::cli
