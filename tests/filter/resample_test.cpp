// resample_take (include/semblend/filter.h).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>

#include "semblend/filter.h"

namespace semblend {
namespace {

// n frames at `fps` from `t0`; jawOpen and head yaw rise linearly with time.
Take ramp(std::size_t n, double fps, double t0 = 0) {
  Take t;
  t.fps = fps;
  t.timecode = Timecode{3600, 60};
  t.metadata["subject"] = "ramp";
  for (std::size_t i = 0; i < n; ++i) {
    FaceFrame f;
    f.time = t0 + static_cast<double>(i) / fps;
    f.coefficients.set(Blendshape::JawOpen, static_cast<float>(i) / static_cast<float>(n));
    f.set_pose(PoseChannel::HeadYaw, 0.5f * static_cast<float>(i) / static_cast<float>(n));
    f.source = "frame" + std::to_string(i);
    t.frames.push_back(f);
  }
  return t;
}

TEST(Resample, SixtyToThirtyHalvesTheFrameCount) {
  const Take out = resample_take(ramp(120, 60), 30);
  EXPECT_EQ(out.frames.size(), 60u);
  EXPECT_EQ(out.fps, 30.0);
  for (std::size_t k = 0; k < out.frames.size(); ++k)
    EXPECT_NEAR(out.frames[k].time, static_cast<double>(k) / 30, 1e-9);
}

// The ramp value at time t of a ramp(n, fps) take.
double ramp_value(double t, std::size_t n, double fps) {
  return t * fps / static_cast<double>(n);
}

TEST(Resample, SixtyToThirtyKeepsALinearRampLinear) {
  const std::size_t n = 120;
  const Take out = resample_take(ramp(n, 60), 30);
  ASSERT_FALSE(out.frames.empty());
  for (const FaceFrame& f : out.frames) {
    EXPECT_NEAR(f.coefficients[Blendshape::JawOpen], ramp_value(f.time, n, 60), 1e-6)
        << "t = " << f.time;
    EXPECT_NEAR(f.head.yaw, 0.5 * ramp_value(f.time, n, 60), 1e-6) << "t = " << f.time;
  }
  // Equal steps between output frames.
  for (std::size_t k = 2; k < out.frames.size(); ++k) {
    const float d1 = out.frames[k].coefficients[Blendshape::JawOpen] -
                     out.frames[k - 1].coefficients[Blendshape::JawOpen];
    const float d0 = out.frames[k - 1].coefficients[Blendshape::JawOpen] -
                     out.frames[k - 2].coefficients[Blendshape::JawOpen];
    EXPECT_NEAR(d1, d0, 1e-6) << "k = " << k;
  }
}

TEST(Resample, DownsamplingAveragesAwayAlternatingNoise) {
  // 0, 1, 0, 1, ... at 60 fps: a box filter at 30 fps gives 0.5, plain decimation 0 or 1.
  Take t;
  t.fps = 60;
  for (int i = 0; i < 60; ++i) {
    FaceFrame f;
    f.time = i / 60.0;
    f.coefficients.set(Blendshape::EyeBlinkLeft, static_cast<float>(i % 2));
    t.frames.push_back(f);
  }
  const Take out = resample_take(t, 30);
  for (std::size_t k = 1; k + 1 < out.frames.size(); ++k)
    EXPECT_NEAR(out.frames[k].coefficients[Blendshape::EyeBlinkLeft], 0.5, 1e-6) << "k = " << k;
}

TEST(Resample, OneHundredTwentyToFortyKeepsALinearRampLinear) {
  const std::size_t n = 240;
  const Take out = resample_take(ramp(n, 120), 40);
  EXPECT_EQ(out.frames.size(), 80u);
  for (const FaceFrame& f : out.frames)
    EXPECT_NEAR(f.coefficients[Blendshape::JawOpen], ramp_value(f.time, n, 120), 1e-6) << f.time;
}

TEST(Resample, UnevenRatioStaysCloseToARamp) {
  const std::size_t n = 300;
  const Take out = resample_take(ramp(n, 60), 24);
  const double step = 1.0 / static_cast<double>(n);  // ramp increase per input frame
  for (const FaceFrame& f : out.frames)
    EXPECT_NEAR(f.coefficients[Blendshape::JawOpen], ramp_value(f.time, n, 60), step / 4) << f.time;
}

TEST(Resample, OutputStaysWithinTheInputRange) {
  Take in;
  in.fps = 60;
  for (int i = 0; i < 200; ++i) {
    FaceFrame f;
    f.time = i / 60.0;
    f.coefficients.set(Blendshape::MouthPucker, static_cast<float>((i * 37) % 11) / 10.0f);
    in.frames.push_back(f);
  }
  for (double fps : {24.0, 25.0, 30.0, 50.0, 90.0, 120.0}) {
    const Take out = resample_take(in, fps);
    EXPECT_NO_THROW(validate(out)) << fps;
    for (const FaceFrame& f : out.frames) {
      EXPECT_GE(f.coefficients[Blendshape::MouthPucker], 0.0f) << fps;
      EXPECT_LE(f.coefficients[Blendshape::MouthPucker], 1.0f) << fps;
    }
  }
}

TEST(Resample, ThirtyToSixtyInterpolates) {
  const std::size_t n = 30;
  const Take in = ramp(n, 30);
  const Take out = resample_take(in, 60);
  ASSERT_EQ(out.frames.size(), 2 * n - 1);  // up to the last input time
  for (std::size_t k = 0; k < out.frames.size(); ++k) {
    const FaceFrame& f = out.frames[k];
    EXPECT_NEAR(f.time, static_cast<double>(k) / 60, 1e-9);
    EXPECT_NEAR(f.coefficients[Blendshape::JawOpen], ramp_value(f.time, n, 30), 1e-6) << "k " << k;
    if (k % 2 == 0) {
      EXPECT_EQ(f.coefficients, in.frames[k / 2].coefficients);
    }
  }
  // An in-between frame is the mean of its neighbours.
  EXPECT_NEAR(out.frames[7].coefficients[Blendshape::JawOpen],
              (in.frames[3].coefficients[Blendshape::JawOpen] +
               in.frames[4].coefficients[Blendshape::JawOpen]) /
                  2,
              1e-7);
}

TEST(Resample, TimesStartAtTheFirstInputTime) {
  const Take out = resample_take(ramp(40, 30, 1.25), 60);
  ASSERT_FALSE(out.frames.empty());
  EXPECT_EQ(out.frames.front().time, 1.25);
  EXPECT_NEAR(out.frames[3].time, 1.25 + 3.0 / 60, 1e-12);
  EXPECT_LE(out.frames.back().time, 1.25 + 39.0 / 30 + 1e-9);
  const Take down = resample_take(ramp(40, 60, 2.5), 20);
  EXPECT_EQ(down.frames.front().time, 2.5);
}

TEST(Resample, KeepsTimecodeMetadataAndNearestText) {
  const Take in = ramp(10, 30);
  const Take out = resample_take(in, 60);
  EXPECT_EQ(out.timecode, in.timecode);
  EXPECT_EQ(out.metadata, in.metadata);
  EXPECT_EQ(out.frames[4].source, "frame2");  // exactly on input frame 2
  EXPECT_EQ(out.frames[0].source, "frame0");
}

TEST(Resample, SameRateKeepsTheFrames) {
  const Take in = ramp(25, 30);
  const Take out = resample_take(in, 30);
  ASSERT_EQ(out.frames.size(), in.frames.size());
  for (std::size_t i = 0; i < in.frames.size(); ++i)
    EXPECT_EQ(out.frames[i].coefficients, in.frames[i].coefficients) << i;
}

TEST(Resample, InvalidFpsThrows) {
  const Take in = ramp(10, 30);
  EXPECT_THROW(resample_take(in, 0), std::invalid_argument);
  EXPECT_THROW(resample_take(in, -30), std::invalid_argument);
  EXPECT_THROW(resample_take(in, std::numeric_limits<double>::quiet_NaN()), std::invalid_argument);
  EXPECT_THROW(resample_take(in, std::numeric_limits<double>::infinity()), std::invalid_argument);
}

TEST(Resample, NonIncreasingTimesThrow) {
  Take in = ramp(10, 30);
  in.frames[5].time = in.frames[4].time;
  EXPECT_THROW(resample_take(in, 60), std::invalid_argument);
}

TEST(Resample, EmptyAndSingleFrameTakes) {
  Take empty;
  const Take out = resample_take(empty, 24);
  EXPECT_TRUE(out.frames.empty());
  EXPECT_EQ(out.fps, 24.0);
  const Take one = resample_take(ramp(1, 30, 0.5), 60);
  ASSERT_EQ(one.frames.size(), 1u);
  EXPECT_EQ(one.frames[0].time, 0.5);
}

}  // namespace
}  // namespace semblend
