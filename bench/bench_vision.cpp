// The vision front end, single thread (`semblend_bench --benchmark_filter=Vision`): a detection
// frame at 640×480 (detector + mesh + two irises + pose; the default CropRefinement::Auto, and
// ::Always with its second mesh pass; the detector upright only, and a frame with no face), and a
// tracking frame (mesh + two irises + pose from the previous frame's landmarks); each also with the
// attention mesh (MeshModel::Attention: one model instead of the mesh and the iris model). And
// decoding a JPEG photo
// (`--benchmark_filter=ImageDecode`).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>

#include "semblend/file_io.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"

namespace {

// A shared photo letterboxed into 640×480 (the benchmark's fixed input).
semblend::Image frame_640x480() {
  const semblend::Image face =
      semblend::read_image(std::string(SEMBLEND_SHARED_DATA) + "/faces/faceapi_sad.jpg");
  semblend::Image f;
  f.width = 640, f.height = 480;
  f.rgb.assign(640u * 480u * 3u, 90);
  for (int y = 0; y < std::min(face.height, 480); ++y)
    for (int x = 0; x < std::min(face.width, 640); ++x)
      for (int c = 0; c < 3; ++c)
        f.rgb[(static_cast<std::size_t>(y + (480 - std::min(face.height, 480)) / 2) * 640 + x +
               (640 - std::min(face.width, 640)) / 2) *
                  3 +
              c] = face.pixel(x, y)[c];
  return f;
}

void detect_frame(benchmark::State& state, semblend::CropRefinement refine,
                  semblend::MeshModel mesh = semblend::MeshModel::FaceMesh,
                  bool any_orientation = true, bool face = true) {
  semblend::LandmarkerOptions o;
  o.refine_crop = refine;
  o.mesh_model = mesh;
  o.any_orientation = any_orientation;
  auto lm = semblend::FaceLandmarker::create(o);
  semblend::Image f = frame_640x480();
  if (!face) std::fill(f.rgb.begin(), f.rgb.end(), std::uint8_t{90});
  std::size_t faces = 0;
  for (auto _ : state) faces = lm.detect(f).size();
  state.counters["faces"] = static_cast<double>(faces);
}
void BM_VisionDetectFrame(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Auto);
}
BENCHMARK(BM_VisionDetectFrame)->Unit(benchmark::kMillisecond);
// The detector upright only (LandmarkerOptions::any_orientation off): the baseline of the three
// turned readings' cost.
void BM_VisionDetectFrameUpright(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Auto, semblend::MeshModel::FaceMesh, false);
}
BENCHMARK(BM_VisionDetectFrameUpright)->Unit(benchmark::kMillisecond);
// A frame with no face: every detector runs (front at four orientations, back, back on tiles).
void BM_VisionDetectNoFace(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Auto, semblend::MeshModel::FaceMesh, true, false);
}
BENCHMARK(BM_VisionDetectNoFace)->Unit(benchmark::kMillisecond);
void BM_VisionDetectNoFaceUpright(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Auto, semblend::MeshModel::FaceMesh, false, false);
}
BENCHMARK(BM_VisionDetectNoFaceUpright)->Unit(benchmark::kMillisecond);
void BM_VisionDetectFrameAlwaysRefine(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Always);
}
BENCHMARK(BM_VisionDetectFrameAlwaysRefine)->Unit(benchmark::kMillisecond);
void BM_VisionDetectFrameAttention(benchmark::State& state) {
  detect_frame(state, semblend::CropRefinement::Auto, semblend::MeshModel::Attention);
}
BENCHMARK(BM_VisionDetectFrameAttention)->Unit(benchmark::kMillisecond);

void track_frame(benchmark::State& state, semblend::MeshModel mesh) {
  semblend::LandmarkerOptions o;
  o.mesh_model = mesh;
  auto lm = semblend::FaceLandmarker::create(o);
  const semblend::Image f = frame_640x480();
  lm.track(f);  // the first frame detects; the rest track
  std::size_t faces = 0;
  for (auto _ : state) faces = lm.track(f).size();
  state.counters["faces"] = static_cast<double>(faces);
}
void BM_VisionTrackFrame(benchmark::State& state) {
  track_frame(state, semblend::MeshModel::FaceMesh);
}
BENCHMARK(BM_VisionTrackFrame)->Unit(benchmark::kMillisecond);
void BM_VisionTrackFrameAttention(benchmark::State& state) {
  track_frame(state, semblend::MeshModel::Attention);
}
BENCHMARK(BM_VisionTrackFrameAttention)->Unit(benchmark::kMillisecond);

// Decoding a JPEG photo to 8-bit RGB (read_image's work once the file is read): semblend's own
// libjpeg decode, with its damage check (image_io.cpp), and the baseline it replaced, OpenCV's
// decode, BGR -> RGB conversion and copy into an Image.
std::string photo_jpeg() {
  return semblend::read_file(std::string(SEMBLEND_SHARED_DATA) + "/faces/faceapi_happy.jpg");
}
void BM_ImageDecodeJpeg(benchmark::State& state) {
  const std::string jpeg = photo_jpeg();
  for (auto _ : state) benchmark::DoNotOptimize(semblend::decode_image(jpeg, "photo.jpg"));
}
BENCHMARK(BM_ImageDecodeJpeg)->Unit(benchmark::kMillisecond);
void BM_ImageDecodeJpegOpenCv(benchmark::State& state) {
  const std::string jpeg = photo_jpeg();
  const cv::Mat buffer(1, static_cast<int>(jpeg.size()), CV_8UC1, const_cast<char*>(jpeg.data()));
  for (auto _ : state) {
    cv::Mat rgb;
    cv::cvtColor(cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION), rgb,
                 cv::COLOR_BGR2RGB);
    semblend::Image img;
    img.width = rgb.cols;
    img.height = rgb.rows;
    img.rgb.assign(rgb.ptr<std::uint8_t>(0), rgb.ptr<std::uint8_t>(0) + rgb.total() * 3);
    benchmark::DoNotOptimize(img);
  }
}
BENCHMARK(BM_ImageDecodeJpegOpenCv)->Unit(benchmark::kMillisecond);

void BM_VisionLoadModels(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(semblend::FaceLandmarker::create());
}
BENCHMARK(BM_VisionLoadModels)->Unit(benchmark::kMillisecond);

}  // namespace
