// The appearance branch (appearance.h), single thread: cutting the three aligned crops
// (appearance_crops) and the whole estimate (crops + both CNNs on the engine), on a 384² rig
// render, against the landmarker's detection of the same frame measured in the same run as the
// baseline (`build/release/bin/semblend_bench --benchmark_filter=Appearance
// --benchmark_repetitions=5 --benchmark_report_aggregates_only=true`).
#include <benchmark/benchmark.h>

#include "semblend/appearance.h"
#include "semblend/landmarker.h"
#include "semblend/render.h"
#include "semblend/rig.h"

namespace {

using namespace semblend;

struct Frame {
  Image image;
  FaceLandmarks face;
};

const Frame& frame() {
  static const Frame f = [] {
    FaceFrame expression;
    expression.coefficients.set(Blendshape::JawOpen, 0.3f);
    expression.coefficients.set(Blendshape::EyeBlinkLeft, 0.6f);
    expression.head.yaw = 0.2f;
    RenderOptions ro;
    ro.width = ro.height = 384;
    Frame out;
    out.image = render_face(build_rig(sample_identity(31)), expression, ro).image;
    FaceLandmarker landmarker = FaceLandmarker::create();
    out.face = landmarker.detect(out.image).at(0);
    return out;
  }();
  return f;
}

void BM_AppearanceCrops(benchmark::State& state) {
  const Frame& f = frame();
  for (auto _ : state) benchmark::DoNotOptimize(appearance_crops(f.image, f.face.points));
}
BENCHMARK(BM_AppearanceCrops)->Unit(benchmark::kMicrosecond);

void BM_AppearanceEstimate(benchmark::State& state) {
  const Frame& f = frame();
  const Appearance appearance = Appearance::load_default();
  for (auto _ : state) benchmark::DoNotOptimize(appearance.estimate(f.image, f.face.points));
}
BENCHMARK(BM_AppearanceEstimate)->Unit(benchmark::kMicrosecond);

// The baseline: the landmarker's tracking of the same frame (what a video frame costs already).
void BM_AppearanceBaselineTrack(benchmark::State& state) {
  const Frame& f = frame();
  FaceLandmarker landmarker = FaceLandmarker::create();
  for (auto _ : state) benchmark::DoNotOptimize(landmarker.track(f.image));
}
BENCHMARK(BM_AppearanceBaselineTrack)->Unit(benchmark::kMicrosecond);

}  // namespace
