// `semblend eval appearance`: the appearance branch (appearance.h) on held-out rig renders made
// like its training renders (AppearanceRenderer, another seed: identities, expressions, looks and
// degradations it never saw), through the same path as `semblend image`: render -> landmarker ->
// crops. Per shape: the mean absolute error of the geometry solver alone, of the appearance nets
// alone and of their fusion; how often a clear activation (truth >= 0.5) is read (>= 0.3), and how
// often a shape at rest (truth <= 0.1) is misread (>= 0.3).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.h"
#include "semblend/appearance.h"
#include "semblend/file_io.h"
#include "semblend/landmarker.h"
#include "solve_view.h"

namespace semblend::cli {

int run_eval_appearance(const EvalAppearanceOptions& o) {
  if (o.samples < 1 || o.samples > 100000)
    throw std::invalid_argument("eval appearance: samples must be 1..100000");
  const Solver solver = load_solver(o.model);
  const Appearance appearance =
      o.appearance_dir.empty() ? Appearance::load_default() : Appearance::load(o.appearance_dir);
  AppearanceRenderOptions ro;
  ro.seed = o.seed;
  ro.identities = std::min(o.samples, 200);
  ro.stylised = o.stylised;
  const AppearanceRenderer renderer = AppearanceRenderer::create(ro);
  FaceLandmarker landmarker = FaceLandmarker::create();
  constexpr std::size_t K = kAppearanceShapeCount;
  struct Tally {
    double err[3] = {0, 0, 0};  // geometry, appearance, fused
    int active = 0, rest = 0;
    int active_read[3] = {0, 0, 0}, rest_misread[3] = {0, 0, 0};
  };
  std::array<Tally, K> t{};
  int detected = 0;
  for (int i = 0; i < o.samples; ++i) {
    const AppearanceRender r = renderer.render(std::uint64_t(i));
    landmarker.reset();
    const auto faces = landmarker.detect(r.image);
    if (faces.empty()) continue;
    ++detected;
    const Coefficients geo = solver.solve(faces[0].points).coefficients;
    const AppearanceEstimate a = appearance.estimate(r.image, faces[0].points);
    const Coefficients fused = appearance.fuse(geo, a);
    for (std::size_t k = 0; k < K; ++k) {
      const Blendshape b = kAppearanceShapes[k];
      const float truth = r.frame.coefficients[b];
      const float read[3] = {geo[b], a.values[k], fused[b]};
      for (int m = 0; m < 3; ++m) t[k].err[m] += std::fabs(read[m] - truth);
      if (truth >= 0.5f) {
        ++t[k].active;
        for (int m = 0; m < 3; ++m) t[k].active_read[m] += read[m] >= 0.3f;
      } else if (truth <= 0.1f) {
        ++t[k].rest;
        for (int m = 0; m < 3; ++m) t[k].rest_misread[m] += read[m] >= 0.3f;
      }
    }
  }
  if (detected == 0) throw std::runtime_error("eval appearance: no render was detected");
  static const char* kMethods[3] = {"geometry", "appearance", "fused"};
  nlohmann::json report = {{"format", "semblend.eval.appearance"},
                           {"version", 1},
                           {"seed", o.seed},
                           {"stylised", o.stylised},
                           {"samples", o.samples},
                           {"detected", detected},
                           {"fusion_weights", nlohmann::json::object()},
                           {"shapes", nlohmann::json::object()}};
  std::printf("%-14s %-6s | %-25s | %-25s | %s\n", "shape", "weight", "MAE geometry/app/fused",
              "active read (n)", "rest misread (n)");
  double mean[3] = {0, 0, 0};
  for (std::size_t k = 0; k < K; ++k) {
    const std::string name(info(kAppearanceShapes[k]).apple_name);
    nlohmann::json js;
    for (int m = 0; m < 3; ++m) {
      const double mae = t[k].err[m] / detected;
      mean[m] += mae / K;
      js[kMethods[m]] = {
          {"mae", std::round(mae * 1e4) / 1e4},
          {"active_read",
           t[k].active ? std::round(1e3 * t[k].active_read[m] / t[k].active) / 1e3 : NAN},
          {"rest_misread",
           t[k].rest ? std::round(1e3 * t[k].rest_misread[m] / t[k].rest) / 1e3 : NAN}};
    }
    js["active_samples"] = t[k].active;
    js["rest_samples"] = t[k].rest;
    report["shapes"][name] = js;
    report["fusion_weights"][name] = appearance.weights()[k];
    auto rate = [](int a, int n) { return n ? double(a) / n : double(NAN); };
    std::printf(
        "%-14s %-6.2f | %.3f / %.3f / %.3f     | %.2f / %.2f / %.2f (%d) | %.2f / %.2f / "
        "%.2f (%d)\n",
        name.c_str(), double(appearance.weights()[k]), t[k].err[0] / detected,
        t[k].err[1] / detected, t[k].err[2] / detected, rate(t[k].active_read[0], t[k].active),
        rate(t[k].active_read[1], t[k].active), rate(t[k].active_read[2], t[k].active), t[k].active,
        rate(t[k].rest_misread[0], t[k].rest), rate(t[k].rest_misread[1], t[k].rest),
        rate(t[k].rest_misread[2], t[k].rest), t[k].rest);
  }
  for (int m = 0; m < 3; ++m) report[std::string("mae_") + kMethods[m]] = mean[m];
  std::fflush(stdout);
  std::fprintf(stderr,
               "appearance branch on %d of %d held-out%s renders: mean MAE over its %zu shapes "
               "%.4f geometry alone, %.4f appearance alone, %.4f fused\n",
               detected, o.samples, o.stylised ? " stylised" : "", K, mean[0], mean[1], mean[2]);
  if (!o.output.empty()) emit(o.output, report.dump(2) + "\n");
  return kOk;
}

}  // namespace semblend::cli
