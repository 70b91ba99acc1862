// A full video frame, single thread (`semblend_bench --benchmark_filter=Video`): the tracking
// landmarker (mesh + two irises + pose from the previous frame's landmarks), the solver and the
// One Euro filters on the 52 coefficients and 9 angles — what `semblend video` does per frame
// besides decoding. Frames of the real clip ../shared/data/video/videoretalking_face_1.mp4
// (700×700), decoded up front and played forward and back so the tracker always follows. The
// counters give the median and p90 of the per-frame wall times (target: median ≤ 6 ms), the median
// of this thread's CPU time per frame, and each part's mean.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <string>
#include <vector>

#include "semblend/filter.h"
#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/video.h"

namespace {

using Clock = std::chrono::steady_clock;

const std::string kClip = std::string(SEMBLEND_SHARED_DATA) + "/video/videoretalking_face_1.mp4";

// The first `most` frames of the clip (empty when the file is absent).
std::vector<semblend::Image> clip_frames(int most) {
  std::vector<semblend::Image> frames;
  if (!std::filesystem::exists(kClip)) return frames;
  semblend::VideoReader reader = semblend::VideoReader::open(kClip);
  semblend::Image f;
  double t = 0;
  while (int(frames.size()) < most && reader.next(f, t)) frames.push_back(f);
  return frames;
}

double ms(Clock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

// This thread's CPU time in ms: on a loaded machine the wall-clock median counts other processes'
// time slices, this does not.
double thread_cpu_ms() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return double(t.tv_sec) * 1e3 + double(t.tv_nsec) * 1e-6;
}

void BM_VideoFrame(benchmark::State& state) {
  const std::vector<semblend::Image> frames = clip_frames(60);
  if (frames.empty()) {
    state.SkipWithError(("skipped: the real clip " + kClip + " is absent").c_str());
    return;
  }
  auto landmarker = semblend::FaceLandmarker::create();
  const semblend::Solver solver = semblend::Solver::load_default();
  const semblend::SmoothOptions so;
  std::array<semblend::OneEuroFilter, semblend::kBlendshapeCount> coefficient_filters;
  std::array<semblend::OneEuroFilter, semblend::kPoseChannelCount> pose_filters;
  coefficient_filters.fill(semblend::OneEuroFilter(so.coefficients));
  pose_filters.fill(semblend::OneEuroFilter(so.pose));
  landmarker.track(frames[0]);  // the first frame detects; the rest track
  std::vector<double> total, cpu;
  double track_ms = 0, solve_ms = 0, filter_ms = 0;
  std::size_t i = 0, lost = 0;
  double time = 0;
  const std::size_t cycle = 2 * frames.size() - 2;  // forward, then back
  for (auto _ : state) {
    const std::size_t k = i % cycle, at = k < frames.size() ? k : cycle - k;
    ++i;
    time += 1.0 / 30;
    const double c0 = thread_cpu_ms();
    const auto t0 = Clock::now();
    const auto faces = landmarker.track(frames[at]);
    const auto t1 = Clock::now();
    if (faces.empty()) {
      ++lost;
      continue;
    }
    semblend::FaceFrame f;
    f.time = time;
    f.coefficients = solver.solve(faces[0].points).coefficients;
    f.head = faces[0].head;
    f.left_eye = faces[0].left_eye;
    f.right_eye = faces[0].right_eye;
    const auto t2 = Clock::now();
    for (std::size_t c = 0; c < semblend::kBlendshapeCount; ++c)
      f.coefficients.set_at(c, float(coefficient_filters[c](f.coefficients.at(c), time)));
    for (std::size_t c = 0; c < semblend::kPoseChannelCount; ++c) {
      const auto ch = static_cast<semblend::PoseChannel>(c);
      f.set_pose(ch, float(pose_filters[c](f.pose(ch), time)));
    }
    benchmark::DoNotOptimize(f);
    const auto t3 = Clock::now();
    track_ms += ms(t1 - t0);
    solve_ms += ms(t2 - t1);
    filter_ms += ms(t3 - t2);
    total.push_back(ms(t3 - t0));
    cpu.push_back(thread_cpu_ms() - c0);
  }
  if (total.empty()) return;
  const double n = double(total.size());
  std::sort(total.begin(), total.end());
  std::sort(cpu.begin(), cpu.end());
  state.counters["median_cpu_ms"] = cpu[cpu.size() / 2];
  state.counters["median_ms"] = total[total.size() / 2];
  state.counters["p90_ms"] = total[std::min(total.size() - 1, total.size() * 9 / 10)];
  state.counters["track_ms"] = track_ms / n;
  state.counters["solve_ms"] = solve_ms / n;
  state.counters["filter_ms"] = filter_ms / n;
  state.counters["lost"] = double(lost);
}
BENCHMARK(BM_VideoFrame)->Unit(benchmark::kMillisecond)->MinTime(2.0);

// Decoding one 700×700 H.264 frame to RGB (VideoReader), the part of `semblend video` above
// leaves out.
void BM_VideoDecodeFrame(benchmark::State& state) {
  if (!std::filesystem::exists(kClip)) {
    state.SkipWithError(("skipped: the real clip " + kClip + " is absent").c_str());
    return;
  }
  auto reader = semblend::VideoReader::open(kClip);
  semblend::Image f;
  double t = 0;
  for (auto _ : state) {
    if (!reader.next(f, t)) {
      state.PauseTiming();
      reader = semblend::VideoReader::open(kClip);
      state.ResumeTiming();
      reader.next(f, t);
    }
    benchmark::DoNotOptimize(f.rgb.data());
  }
}
BENCHMARK(BM_VideoDecodeFrame)->Unit(benchmark::kMillisecond);

}  // namespace
