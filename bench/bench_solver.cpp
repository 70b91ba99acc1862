// The solver (solver.h), single thread: the normalisation (solver_input), the network on the
// engine (Solver::run) and both with the confidence fit (Solver::solve), on held-out synthetic
// faces (`build/release/bin/semblend_bench --benchmark_filter=Solver
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true`). Target: solve ≤ 0.1 ms.
// SolverCalibrated: solve_calibrated (calibration.h) with a neutral profile the same at every
// pose, and with one that depends on the pose (the default since 2026-12-05: a rigid fit for the
// head's pose and the profile blended for it, per face).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <vector>

#include "semblend/calibration.h"
#include "semblend/expression_prior.h"
#include "semblend/rig.h"
#include "semblend/solver.h"
#include "semblend/synth.h"

namespace {

using namespace semblend;

// Held-out faces: identities and expressions of seeds training never used (rig.h,
// expression_prior.h), turned and projected like the landmarker reports them (synth.h).
const std::vector<std::array<Point3, kLandmarkCount>>& faces() {
  static const std::vector<std::array<Point3, kLandmarkCount>> f = [] {
    ExpressionSamplerOptions eo;
    eo.seed = 4242;
    const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
    std::vector<std::array<Point3, kLandmarkCount>> out;
    for (std::uint64_t i = 0; i < 16; ++i) {
      const Rig rig = build_rig(sample_identity(4242 + i % 4));
      const std::vector<Point3> posed = pose_rig(rig, sampler.at(i).coefficients);
      std::array<Point3, kLandmarkCount> face{};
      std::copy(posed.begin(), posed.begin() + kLandmarkCount, face.begin());
      HeadPose head;
      head.yaw = 0.05f * float(i) - 0.4f;
      head.pitch = 0.2f - 0.03f * float(i);
      out.push_back(project_landmarks(face, head, 900, 60, 640, 480));
    }
    return out;
  }();
  return f;
}

void BM_SolverInput(benchmark::State& state) {
  const auto& f = faces();
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(solver_input(f[i++ % f.size()]).data());
}
BENCHMARK(BM_SolverInput)->Unit(benchmark::kMicrosecond);

void BM_SolverRun(benchmark::State& state) {
  const Solver solver = Solver::load_default();
  std::vector<std::vector<float>> inputs;
  for (const auto& face : faces()) inputs.push_back(solver_input(face));
  std::size_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(solver.run(inputs[i++ % inputs.size()]).data());
}
BENCHMARK(BM_SolverRun)->Unit(benchmark::kMicrosecond);

void BM_SolverSolve(benchmark::State& state) {
  const Solver solver = Solver::load_default();
  const auto& f = faces();
  std::size_t i = 0;
  for (auto _ : state) {
    const SolverResult r = solver.solve(f[i++ % f.size()]);
    benchmark::DoNotOptimize(r.fit_rms_cm);
  }
}
BENCHMARK(BM_SolverSolve)->Unit(benchmark::kMicrosecond);

void BM_SolverCalibrated(benchmark::State& state) {
  const Solver solver = Solver::load_default();
  const auto& f = faces();
  NeutralOptions o;
  if (state.range(0) == 0) o.offset_weight_turned = o.offset_weight;  // the same at every pose
  const NeutralProfile profile = profile_from_neutral(
      solver, std::span<const std::array<Point3, kLandmarkCount>>(f.data(), 2), o);
  if (profile.pose_aware != (state.range(0) == 1)) state.SkipWithError("unexpected profile");
  std::size_t i = 0;
  for (auto _ : state) {
    const SolverResult r = solve_calibrated(solver, f[i++ % f.size()], profile);
    benchmark::DoNotOptimize(r.fit_rms_cm);
  }
}
BENCHMARK(BM_SolverCalibrated)->Arg(0)->Arg(1)->Unit(benchmark::kMicrosecond);

}  // namespace
