// The rig renderer, single thread (`semblend_bench --benchmark_filter=Render`): one posed
// 512×512 frame (pose_rig + projection + 2×2 coverage raster + shading), the target being
// <= 20 ms; and pose_rig alone (the 52-shape sum with correctives).
#include <benchmark/benchmark.h>

#include <memory>

#include "semblend/render.h"

namespace {

semblend::FaceFrame smile_frame() {
  semblend::FaceFrame f;
  f.coefficients.set(semblend::Blendshape::MouthSmileLeft, 0.8f);
  f.coefficients.set(semblend::Blendshape::MouthSmileRight, 0.7f);
  f.coefficients.set(semblend::Blendshape::JawOpen, 0.3f);
  f.coefficients.set(semblend::Blendshape::EyeBlinkLeft, 0.4f);
  f.head.yaw = 0.3f;
  return f;
}

void BM_RenderFrame(benchmark::State& state) {
  const semblend::Rig& rig = semblend::default_rig();
  semblend::RenderOptions o;
  o.width = o.height = static_cast<int>(state.range(0));
  const semblend::FaceFrame f = smile_frame();
  for (auto _ : state) benchmark::DoNotOptimize(semblend::render_face(rig, f, o).image.rgb.data());
}
BENCHMARK(BM_RenderFrame)->Arg(256)->Arg(512)->Arg(1024)->Unit(benchmark::kMillisecond);

// With a face photo as the skin: the rig's own 1024-pixel render serves as the photo.
void BM_RenderFrameSkinPhoto(benchmark::State& state) {
  const semblend::Rig& rig = semblend::default_rig();
  semblend::RenderOptions p;
  p.width = p.height = 1024;
  const semblend::RenderResult photo = semblend::render_face(rig, {}, p);
  semblend::FaceLandmarks face;
  for (std::size_t i = 0; i < semblend::kLandmarkCount; ++i) face.points[i] = photo.landmarks[i];
  semblend::RenderOptions o;
  o.width = o.height = static_cast<int>(state.range(0));
  o.face_texture = std::make_shared<const semblend::FaceTexture>(
      semblend::face_texture_from_photo(photo.image, face));
  const semblend::FaceFrame f = smile_frame();
  for (auto _ : state) benchmark::DoNotOptimize(semblend::render_face(rig, f, o).image.rgb.data());
}
BENCHMARK(BM_RenderFrameSkinPhoto)->Arg(512)->Unit(benchmark::kMillisecond);

void BM_RenderPoseRig(benchmark::State& state) {
  const semblend::Rig& rig = semblend::default_rig();
  const semblend::FaceFrame f = smile_frame();
  for (auto _ : state) benchmark::DoNotOptimize(semblend::pose_rig(rig, f.coefficients).data());
}
BENCHMARK(BM_RenderPoseRig)->Unit(benchmark::kMicrosecond);

}  // namespace
