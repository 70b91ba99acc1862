#include "semblend/take.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <numbers>
#include <stdexcept>
#include <string>

#include "core/text_util.h"

namespace semblend {

void Coefficients::set(Blendshape s, float v) {
  if (!std::isfinite(v))
    throw std::invalid_argument(std::string("coefficient ") + std::string(info(s).apple_name) +
                                " is not finite");
  values_[index_of(s)] = v == 0.0f ? 0.0f : v;  // -0 (std::clamp(-0.0, 0.0, 1.0) keeps it) is 0
}

Coefficients Coefficients::clamped() const {
  Coefficients c = *this;
  for (float& v : c.values_) v = std::clamp(v, 0.0f, 1.0f);
  return c;
}

Coefficients Coefficients::mirrored() const {
  Coefficients c;
  for (const auto& row : kBlendshapes)
    c.values_[index_of(row.mirror)] = values_[index_of(row.shape)];
  return c;
}

bool Coefficients::within(float lo, float hi) const {
  return std::all_of(values_.begin(), values_.end(), [&](float v) { return v >= lo && v <= hi; });
}

std::optional<PoseChannel> pose_channel_from_name(std::string_view name) {
  for (std::size_t i = 0; i < kPoseChannelCount; ++i)
    if (iequals(kPoseChannelNames[i], name)) return static_cast<PoseChannel>(i);
  return std::nullopt;
}

float FaceFrame::pose(PoseChannel c) const {
  switch (c) {
    case PoseChannel::HeadYaw:
      return head.yaw;
    case PoseChannel::HeadPitch:
      return head.pitch;
    case PoseChannel::HeadRoll:
      return head.roll;
    case PoseChannel::LeftEyeYaw:
      return left_eye.yaw;
    case PoseChannel::LeftEyePitch:
      return left_eye.pitch;
    case PoseChannel::LeftEyeRoll:
      return left_eye.roll;
    case PoseChannel::RightEyeYaw:
      return right_eye.yaw;
    case PoseChannel::RightEyePitch:
      return right_eye.pitch;
    case PoseChannel::RightEyeRoll:
      return right_eye.roll;
  }
  throw std::invalid_argument("unknown pose channel");
}

void FaceFrame::set_pose(PoseChannel c, float radians) {
  const auto name = kPoseChannelNames[static_cast<std::size_t>(c)];
  if (!std::isfinite(radians)) throw std::invalid_argument(std::string(name) + " is not finite");
  if (std::abs(radians) > kPi + 1e-6)
    throw std::invalid_argument(std::string(name) + " = " + std::to_string(radians) +
                                " is outside [-pi, pi] radians");
  switch (c) {
    case PoseChannel::HeadYaw:
      head.yaw = radians;
      return;
    case PoseChannel::HeadPitch:
      head.pitch = radians;
      return;
    case PoseChannel::HeadRoll:
      head.roll = radians;
      return;
    case PoseChannel::LeftEyeYaw:
      left_eye.yaw = radians;
      return;
    case PoseChannel::LeftEyePitch:
      left_eye.pitch = radians;
      return;
    case PoseChannel::LeftEyeRoll:
      left_eye.roll = radians;
      return;
    case PoseChannel::RightEyeYaw:
      right_eye.yaw = radians;
      return;
    case PoseChannel::RightEyePitch:
      right_eye.pitch = radians;
      return;
    case PoseChannel::RightEyeRoll:
      right_eye.roll = radians;
      return;
  }
  throw std::invalid_argument("unknown pose channel");
}

double Take::duration() const {
  if (frames.empty()) return 0;
  const double period = fps > 0 ? 1.0 / fps : 0;
  return frames.back().time - frames.front().time + period;
}

void validate(const Take& take) {
  if (!(take.fps > 0) || !std::isfinite(take.fps))
    throw std::invalid_argument("take frame rate must be positive, got " +
                                std::to_string(take.fps));
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    const FaceFrame& f = take.frames[i];
    const std::string where = "frame " + std::to_string(i) + ": ";
    if (!std::isfinite(f.time)) throw std::invalid_argument(where + "time is not finite");
    if (i > 0 && !(f.time > take.frames[i - 1].time))
      throw std::invalid_argument(where + "time " + std::to_string(f.time) + " does not increase");
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const float v = f.coefficients.at(k);
      if (!std::isfinite(v) || v < -kCoefficientReadTolerance || v > 1 + kCoefficientReadTolerance)
        throw std::invalid_argument(where + std::string(kBlendshapes[k].apple_name) + " = " +
                                    std::to_string(v) + " is outside [0, 1]");
    }
    for (std::size_t c = 0; c < kPoseChannelCount; ++c) {
      const float a = f.pose(static_cast<PoseChannel>(c));
      if (!std::isfinite(a) || std::abs(a) > kPi + 1e-6)
        throw std::invalid_argument(where + std::string(kPoseChannelNames[c]) +
                                    " is outside [-pi, pi]");
    }
    if (!(f.confidence >= 0 && f.confidence <= 1))
      throw std::invalid_argument(where + "confidence is outside [0, 1]");
  }
}

double estimate_fps(const std::vector<FaceFrame>& frames, double fallback) {
  if (frames.size() < 2) return fallback;
  std::vector<double> dt;
  dt.reserve(frames.size() - 1);
  for (std::size_t i = 1; i < frames.size(); ++i) dt.push_back(frames[i].time - frames[i - 1].time);
  std::nth_element(dt.begin(), dt.begin() + static_cast<std::ptrdiff_t>(dt.size() / 2), dt.end());
  const double median = dt[dt.size() / 2];
  if (!(median > 0)) return fallback;
  const double fps = 1.0 / median;
  for (double common : {24.0, 25.0, 30.0, 48.0, 50.0, 60.0, 90.0, 120.0})
    if (std::abs(fps - common) <= 0.01 * common) return common;
  return std::round(fps * 1000.0) / 1000.0;
}

float arkit_pose_value(PoseChannel c, float v) {
  switch (c) {
    case PoseChannel::LeftEyeYaw:
    case PoseChannel::LeftEyePitch:
    case PoseChannel::RightEyeYaw:
    case PoseChannel::RightEyePitch:
      return -v;
    default:
      return v;
  }
}

EyePose eye_pose_from_look(const Coefficients& c, Side eye) {
  using B = Blendshape;
  const bool left = eye == Side::Left;
  // Toward the subject's left: the left eye looks out, the right eye in.
  const float sideways = left ? c[B::EyeLookOutLeft] - c[B::EyeLookInLeft]
                              : c[B::EyeLookInRight] - c[B::EyeLookOutRight];
  const float up = left ? c[B::EyeLookUpLeft] : c[B::EyeLookUpRight];
  const float down = left ? c[B::EyeLookDownLeft] : c[B::EyeLookDownRight];
  const float deg = std::numbers::pi_v<float> / 180;
  return {kEyeLookSidewaysDeg * deg * sideways, (kEyeLookUpDeg * up - kEyeLookDownDeg * down) * deg,
          0};
}

std::array<double, 4> head_rotation_quaternion(const HeadPose& head) {
  // q = qy(yaw) ⊗ qx(−pitch) ⊗ qz(−roll), each (axis · sin θ/2, cos θ/2).
  const double hy = head.yaw / 2.0, hp = -head.pitch / 2.0, hr = -head.roll / 2.0;
  const double cy = std::cos(hy), sy = std::sin(hy), cp = std::cos(hp), sp = std::sin(hp),
               cr = std::cos(hr), sr = std::sin(hr);
  // qy ⊗ qx = (cy·sp, sy·cp, −sy·sp, cy·cp); then ⊗ qz.
  const double ax = cy * sp, ay = sy * cp, az = -sy * sp, aw = cy * cp;
  return {ax * cr + ay * sr, ay * cr - ax * sr, az * cr + aw * sr, aw * cr - az * sr};
}

}  // namespace semblend
