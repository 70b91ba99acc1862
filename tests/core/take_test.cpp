// The value policy of include/semblend/take.h.
#include "semblend/take.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <stdexcept>

namespace semblend {
namespace {

constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

Take take_at(std::initializer_list<double> times, double fps = 30) {
  Take t;
  t.fps = fps;
  for (double time : times) {
    FaceFrame f;
    f.time = time;
    t.frames.push_back(f);
  }
  return t;
}

std::vector<FaceFrame> frames_every(double dt, std::size_t n) {
  std::vector<FaceFrame> frames(n);
  for (std::size_t i = 0; i < n; ++i) frames[i].time = static_cast<double>(i) * dt;
  return frames;
}

TEST(Coefficients, StartAtZero) {
  const Coefficients c;
  for (float v : c.values()) EXPECT_EQ(v, 0.0f);
}

TEST(Coefficients, SetStoresTheValue) {
  Coefficients c;
  c.set(Blendshape::JawOpen, 0.25f);
  EXPECT_EQ(c[Blendshape::JawOpen], 0.25f);
  EXPECT_EQ(c.at(index_of(Blendshape::JawOpen)), 0.25f);
  c.set_at(0, 0.5f);
  EXPECT_EQ(c[Blendshape::EyeBlinkLeft], 0.5f);
}

TEST(Coefficients, NegativeZeroIsStoredAsZero) {
  Coefficients c;
  c.set(Blendshape::EyeLookInLeft, std::clamp(-0.0f, 0.0f, 1.0f));  // std::clamp keeps the sign
  EXPECT_EQ(c[Blendshape::EyeLookInLeft], 0.0f);
  EXPECT_FALSE(std::signbit(c[Blendshape::EyeLookInLeft]));
  c.set(Blendshape::EyeLookInLeft, -0.25f);  // a real negative value is kept (a tolerance, not 0)
  EXPECT_EQ(c[Blendshape::EyeLookInLeft], -0.25f);
}

TEST(Coefficients, SetThrowsOnNaN) {
  Coefficients c;
  EXPECT_THROW(c.set(Blendshape::JawOpen, kNaN), std::invalid_argument);
  EXPECT_EQ(c[Blendshape::JawOpen], 0.0f);  // nothing stored
}

TEST(Coefficients, SetThrowsOnInfinity) {
  Coefficients c;
  EXPECT_THROW(c.set(Blendshape::JawOpen, kInf), std::invalid_argument);
  EXPECT_THROW(c.set(Blendshape::JawOpen, -kInf), std::invalid_argument);
  EXPECT_THROW(c.set_at(3, kInf), std::invalid_argument);
}

TEST(Coefficients, SetNaNMessageNamesTheShape) {
  Coefficients c;
  try {
    c.set(Blendshape::MouthSmileLeft, kNaN);
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("mouthSmileLeft"), std::string::npos) << e.what();
  }
}

TEST(Coefficients, SetAtOutOfRangeIndexThrows) {
  Coefficients c;
  EXPECT_THROW((void)c.at(kBlendshapeCount), std::out_of_range);
}

TEST(Coefficients, ClampedLimitsToUnitRange) {
  Coefficients c;
  c.set(Blendshape::EyeLookInRight, 1.0033f);
  c.set(Blendshape::JawOpen, -0.02f);
  c.set(Blendshape::MouthClose, 0.5f);
  const Coefficients k = c.clamped();
  EXPECT_EQ(k[Blendshape::EyeLookInRight], 1.0f);
  EXPECT_EQ(k[Blendshape::JawOpen], 0.0f);
  EXPECT_EQ(k[Blendshape::MouthClose], 0.5f);
  EXPECT_TRUE(k.within(0, 1));
  EXPECT_FALSE(c.within(0, 1));
  EXPECT_EQ(c[Blendshape::EyeLookInRight], 1.0033f);  // the original is unchanged
}

TEST(PoseChannel, NamesResolveCaseInsensitively) {
  EXPECT_EQ(pose_channel_from_name("HeadYaw"), PoseChannel::HeadYaw);
  EXPECT_EQ(pose_channel_from_name("headyaw"), PoseChannel::HeadYaw);
  EXPECT_EQ(pose_channel_from_name("RightEyeRoll"), PoseChannel::RightEyeRoll);
  EXPECT_FALSE(pose_channel_from_name("HeadTilt"));
  EXPECT_FALSE(pose_channel_from_name("EyeBlinkLeft"));
}

TEST(FaceFrame, SetPoseStoresEachChannel) {
  FaceFrame f;
  for (std::size_t c = 0; c < kPoseChannelCount; ++c)
    f.set_pose(static_cast<PoseChannel>(c), 0.1f * static_cast<float>(c + 1));
  EXPECT_EQ(f.head.yaw, 0.1f);
  EXPECT_EQ(f.head.roll, 0.3f);
  EXPECT_EQ(f.left_eye.yaw, 0.4f);
  EXPECT_EQ(f.right_eye.roll, 0.1f * 9.0f);
  for (std::size_t c = 0; c < kPoseChannelCount; ++c)
    EXPECT_EQ(f.pose(static_cast<PoseChannel>(c)), 0.1f * static_cast<float>(c + 1));
}

TEST(FaceFrame, SetPoseRejectsAnglesBeyondPi) {
  FaceFrame f;
  EXPECT_THROW(f.set_pose(PoseChannel::HeadYaw, 3.2f), std::invalid_argument);
  EXPECT_THROW(f.set_pose(PoseChannel::LeftEyePitch, -3.2f), std::invalid_argument);
  EXPECT_THROW(f.set_pose(PoseChannel::HeadRoll, kNaN), std::invalid_argument);
  EXPECT_THROW(f.set_pose(PoseChannel::HeadRoll, kInf), std::invalid_argument);
  EXPECT_EQ(f.head.yaw, 0.0f);
  EXPECT_NO_THROW(f.set_pose(PoseChannel::HeadYaw, static_cast<float>(kPi)));
  EXPECT_NO_THROW(f.set_pose(PoseChannel::HeadYaw, -static_cast<float>(kPi)));
}

TEST(Take, DurationIsSpanPlusOnePeriod) {
  EXPECT_DOUBLE_EQ(take_at({0.0, 0.5, 1.0}, 2).duration(), 1.5);
  EXPECT_DOUBLE_EQ(take_at({2.0}, 10).duration(), 0.1);
  EXPECT_DOUBLE_EQ(take_at({}, 30).duration(), 0.0);
  // 30 frames at 30 fps last one second.
  Take t;
  t.fps = 30;
  t.frames = frames_every(1.0 / 30, 30);
  EXPECT_NEAR(t.duration(), 1.0, 1e-12);
}

TEST(Validate, AcceptsAValidTake) {
  Take t = take_at({0, 1.0 / 30, 2.0 / 30});
  t.frames[1].coefficients.set(Blendshape::EyeLookInRight, 1.0033f);  // small overshoot is kept
  t.frames[2].coefficients.set(Blendshape::JawOpen, -0.04f);
  EXPECT_NO_THROW(validate(t));
  EXPECT_NO_THROW(validate(Take{}));
}

TEST(Validate, RejectsNonIncreasingTimes) {
  EXPECT_THROW(validate(take_at({0, 0.1, 0.1})), std::invalid_argument);
  EXPECT_THROW(validate(take_at({0, 0.2, 0.1})), std::invalid_argument);
}

TEST(Validate, MessageNamesTheFrame) {
  try {
    validate(take_at({0, 0.1, 0.2, 0.15}));
    FAIL() << "expected std::invalid_argument";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("frame 3"), std::string::npos) << e.what();
  }
}

TEST(Validate, RejectsValuesOutsideTolerance) {
  Take high = take_at({0, 0.1});
  high.frames[1].coefficients.set(Blendshape::JawOpen, 1.0f + kCoefficientReadTolerance + 0.01f);
  EXPECT_THROW(validate(high), std::invalid_argument);
  Take low = take_at({0, 0.1});
  low.frames[0].coefficients.set(Blendshape::JawOpen, -kCoefficientReadTolerance - 0.01f);
  EXPECT_THROW(validate(low), std::invalid_argument);
}

TEST(Validate, RejectsBadConfidenceAndFps) {
  Take t = take_at({0, 0.1});
  t.frames[0].confidence = 1.5f;
  EXPECT_THROW(validate(t), std::invalid_argument);
  Take z = take_at({0, 0.1});
  z.fps = 0;
  EXPECT_THROW(validate(z), std::invalid_argument);
}

TEST(Validate, RejectsAnglesBeyondPiSetDirectly) {
  Take t = take_at({0});
  t.frames[0].head.yaw = 4.0f;  // bypasses set_pose
  EXPECT_THROW(validate(t), std::invalid_argument);
}

TEST(EstimateFps, SnapsNearlyCommonRates) {
  EXPECT_EQ(estimate_fps(frames_every(1.0 / 29.99, 10), 60), 30.0);
  EXPECT_EQ(estimate_fps(frames_every(1.0 / 59.94, 10), 30), 60.0);
  EXPECT_EQ(estimate_fps(frames_every(1.0 / 24, 10), 30), 24.0);
}

TEST(EstimateFps, KeepsUncommonRates) {
  EXPECT_NEAR(estimate_fps(frames_every(1.0 / 15, 10), 60), 15.0, 1e-9);
  EXPECT_NEAR(estimate_fps(frames_every(1.0 / 37, 10), 60), 37.0, 1e-9);
}

TEST(EstimateFps, UsesTheMedianInterval) {
  auto frames = frames_every(1.0 / 30, 10);
  for (std::size_t i = 5; i < frames.size(); ++i) frames[i].time += 0.5;  // one dropout
  EXPECT_EQ(estimate_fps(frames, 60), 30.0);
}

TEST(EstimateFps, FallbackForFewerThanTwoFrames) {
  EXPECT_EQ(estimate_fps({}, 42), 42.0);
  EXPECT_EQ(estimate_fps(frames_every(0.1, 1), 42), 42.0);
}

TEST(EyePoseFromLook, TheEyeLookShapesAtTheRigsAngles) {
  const float deg = std::numbers::pi_v<float> / 180;
  Coefficients c;
  c.set(Blendshape::EyeLookOutLeft, 0.8f);  // both eyes toward the subject's left
  c.set(Blendshape::EyeLookInRight, 0.8f);
  c.set(Blendshape::EyeLookUpLeft, 1.0f);
  c.set(Blendshape::EyeLookDownRight, 0.5f);
  const EyePose left = eye_pose_from_look(c, Side::Left),
                right = eye_pose_from_look(c, Side::Right);
  EXPECT_NEAR(left.yaw, 0.8f * kEyeLookSidewaysDeg * deg, 1e-6);  // 20°
  EXPECT_NEAR(right.yaw, left.yaw, 1e-6);
  EXPECT_NEAR(left.pitch, kEyeLookUpDeg * deg, 1e-6);                    // up: > 0
  EXPECT_NEAR(right.pitch, -0.5f * kEyeLookDownDeg * deg, 1e-6);         // down: < 0
  EXPECT_EQ(eye_pose_from_look(Coefficients{}, Side::Left), EyePose{});  // straight ahead
}

}  // namespace
}  // namespace semblend
