// The One Euro filter and smooth_take (include/semblend/filter.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <vector>

#include "semblend/demo.h"
#include "semblend/filter.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

double stddev_of_differences(const std::vector<double>& x) {
  std::vector<double> d;
  for (std::size_t i = 1; i < x.size(); ++i) d.push_back(x[i] - x[i - 1]);
  double mean = 0;
  for (double v : d) mean += v;
  mean /= static_cast<double>(d.size());
  double var = 0;
  for (double v : d) var += (v - mean) * (v - mean);
  return std::sqrt(var / static_cast<double>(d.size()));
}

// A still face seen by a jittery tracker: 0.3 plus uniform noise of +-0.03, deterministic.
std::vector<double> noisy_still(std::size_t n, unsigned seed = 7) {
  std::mt19937 rng(seed);
  std::vector<double> x(n);
  for (double& v : x) v = 0.3 + 0.06 * (static_cast<double>(rng()) / 4294967295.0 - 0.5);
  return x;
}

TEST(OneEuro, FirstSampleIsReturnedUnchanged) {
  OneEuroFilter f;
  EXPECT_EQ(f(0.42, 10.0), 0.42);
}

TEST(OneEuro, ConstantSignalIsReturned) {
  OneEuroFilter f;
  for (int i = 0; i < 200; ++i) EXPECT_NEAR(f(0.37, i / 60.0), 0.37, 1e-12) << "sample " << i;
}

TEST(OneEuro, ReducesJitterOnAStillFaceAt60Fps) {
  const std::vector<double> in = noisy_still(600);
  OneEuroFilter f;
  std::vector<double> out;
  for (std::size_t i = 0; i < in.size(); ++i) out.push_back(f(in[i], static_cast<double>(i) / 60));
  const double before = stddev_of_differences(in), after = stddev_of_differences(out);
  EXPECT_GT(before, 0.01);
  EXPECT_LT(after * 3, before) << "before " << before << " after " << after;
  // ... and stays around the true value.
  double mean = 0;
  for (std::size_t i = 100; i < out.size(); ++i) mean += out[i];
  EXPECT_NEAR(mean / static_cast<double>(out.size() - 100), 0.3, 0.01);
}

// A blink: 0 -> 1 in one frame at 30 fps must get through within three frames.
TEST(OneEuro, BlinkStepReachesPoint8WithinThreeFramesAt30Fps) {
  OneEuroFilter f;
  double t = 0;
  for (int i = 0; i < 10; ++i, t += 1.0 / 30) f(0.0, t);
  double y = 0, previous = 0;
  for (int k = 1; k <= 3; ++k, t += 1.0 / 30) {
    y = f(1.0, t);
    EXPECT_GE(y, previous) << "frame " << k;  // rises monotonically
    EXPECT_LE(y, 1.0) << "frame " << k;       // never overshoots
    previous = y;
  }
  EXPECT_GE(y, 0.8);
}

TEST(OneEuro, LowerMinCutoffSmoothsMore) {
  const std::vector<double> in = noisy_still(300);
  OneEuroFilter loose({5.0, 0.0, 1.0}), tight({0.5, 0.0, 1.0});
  std::vector<double> a, b;
  for (std::size_t i = 0; i < in.size(); ++i) {
    a.push_back(loose(in[i], static_cast<double>(i) / 60));
    b.push_back(tight(in[i], static_cast<double>(i) / 60));
  }
  EXPECT_LT(stddev_of_differences(b), stddev_of_differences(a));
}

TEST(OneEuro, HigherBetaLagsLessOnFastMotion) {
  OneEuroFilter slow({1.0, 0.0, 1.0}), fast({1.0, 5.0, 1.0});
  double ys = 0, yf = 0;
  for (int i = 0; i < 10; ++i) {  // a ramp of 3 units/s
    ys = slow(3.0 * i / 60.0, i / 60.0);
    yf = fast(3.0 * i / 60.0, i / 60.0);
  }
  const double target = 3.0 * 9 / 60.0;
  EXPECT_LT(target - yf, target - ys);
}

TEST(OneEuro, TimesMustIncrease) {
  OneEuroFilter f;
  f(0.1, 1.0);
  EXPECT_THROW(f(0.2, 1.0), std::invalid_argument);
  EXPECT_THROW(f(0.2, 0.5), std::invalid_argument);
}

TEST(OneEuro, ResetForgetsThePast) {
  OneEuroFilter f;
  f(0.0, 0.0);
  f(0.0, 0.1);
  f.reset();
  EXPECT_EQ(f(0.9, 0.05), 0.9);  // starts afresh, even at an earlier time
}

TEST(OneEuro, InvalidParametersThrow) {
  EXPECT_THROW(OneEuroFilter({0.0, 1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(OneEuroFilter({1.0, -1.0, 1.0}), std::invalid_argument);
  EXPECT_THROW(OneEuroFilter({1.0, 1.0, 0.0}), std::invalid_argument);
  EXPECT_THROW(OneEuroFilter({std::nan(""), 1.0, 1.0}), std::invalid_argument);
}

Take noisy_take(std::size_t n, double fps) {
  std::mt19937 rng(11);
  auto noise = [&] { return static_cast<float>(rng()) / 4294967295.0f - 0.5f; };
  Take t;
  t.fps = fps;
  for (std::size_t i = 0; i < n; ++i) {
    FaceFrame f;
    f.time = static_cast<double>(i) / fps;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      f.coefficients.set_at(k, std::clamp(0.5f + 0.9f * noise(), 0.0f, 1.0f));
    f.set_pose(PoseChannel::HeadYaw, 0.5f * noise());
    f.analysis = "frame " + std::to_string(i);
    t.frames.push_back(f);
  }
  return t;
}

TEST(SmoothTake, KeepsCoefficientsWithinTheInputRange) {
  const Take in = noisy_take(300, 60);
  const Take out = smooth_take(in);
  ASSERT_EQ(out.frames.size(), in.frames.size());
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    float lo = 1, hi = 0;
    for (const FaceFrame& f : in.frames) {
      lo = std::min(lo, f.coefficients.at(k));
      hi = std::max(hi, f.coefficients.at(k));
    }
    for (const FaceFrame& f : out.frames) {
      EXPECT_GE(f.coefficients.at(k), lo);
      EXPECT_LE(f.coefficients.at(k), hi);
    }
  }
  EXPECT_NO_THROW(validate(out));
}

TEST(FrameSmoother, FrameByFrameEqualsTheWholeTakeAndResetStartsOver) {
  const Take in = noisy_take(120, 30);
  const Take whole = smooth_take(in);
  FrameSmoother smooth;
  for (int pass = 0; pass < 2; ++pass) {
    for (std::size_t i = 0; i < in.frames.size(); ++i) {
      FaceFrame f = in.frames[i];
      smooth(f);
      ASSERT_EQ(f.coefficients, whole.frames[i].coefficients) << "frame " << i;
      ASSERT_EQ(f.head.yaw, whole.frames[i].head.yaw);
    }
    smooth.reset();  // the second pass must match again
  }
}

TEST(SmoothTake, RealRecordingStaysWithinItsRangeAndValid) {
  const Take in = read_take(test::shared_data("arkit/livelinkface_alex_rom_3.csv"));
  const Take out = smooth_take(in);
  ASSERT_EQ(out.frames.size(), in.frames.size());
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    float lo = 2, hi = -2;
    for (const FaceFrame& f : in.frames) {
      lo = std::min(lo, f.coefficients.at(k));
      hi = std::max(hi, f.coefficients.at(k));
    }
    for (const FaceFrame& f : out.frames) {
      ASSERT_GE(f.coefficients.at(k), lo) << kBlendshapes[k].apple_name;
      ASSERT_LE(f.coefficients.at(k), hi) << kBlendshapes[k].apple_name;
    }
  }
  EXPECT_NO_THROW(validate(out));
  EXPECT_NE(out, in);
}

TEST(SmoothTake, KeepsTimesTextAndReducesJitter) {
  const Take in = noisy_take(300, 60);
  const Take out = smooth_take(in);
  std::vector<double> a, b;
  for (std::size_t i = 0; i < in.frames.size(); ++i) {
    EXPECT_EQ(out.frames[i].time, in.frames[i].time);
    EXPECT_EQ(out.frames[i].analysis, in.frames[i].analysis);
    a.push_back(in.frames[i].coefficients[Blendshape::JawOpen]);
    b.push_back(out.frames[i].coefficients[Blendshape::JawOpen]);
  }
  EXPECT_LT(stddev_of_differences(b) * 2, stddev_of_differences(a));
  EXPECT_EQ(out.fps, in.fps);
}

TEST(SmoothTake, SmoothsPoseAnglesToo) {
  const Take in = noisy_take(200, 60);
  const Take out = smooth_take(in);
  std::vector<double> a, b;
  for (std::size_t i = 0; i < in.frames.size(); ++i) {
    a.push_back(in.frames[i].head.yaw);
    b.push_back(out.frames[i].head.yaw);
  }
  EXPECT_LT(stddev_of_differences(b) * 2, stddev_of_differences(a));
}

TEST(SmoothTake, DemoBlinkStillCloses) {
  const Take in = make_demo_take(30).take;
  const Take out = smooth_take(in);
  float peak = 0;
  for (const FaceFrame& f : out.frames)
    if (f.time >= 0.6 && f.time < 1.0)
      peak = std::max(peak, f.coefficients[Blendshape::EyeBlinkLeft]);
  EXPECT_GE(peak, 0.8f);
}

TEST(SmoothTake, EmptyTakeStaysEmpty) {
  Take t;
  t.fps = 30;
  EXPECT_EQ(smooth_take(t), t);
}

}  // namespace
}  // namespace semblend
