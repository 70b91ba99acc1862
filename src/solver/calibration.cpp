// Per-person neutral calibration (calibration.h).
#include "semblend/calibration.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

#include "semblend/face_model.h"
#include "semblend/synth.h"

namespace semblend {
namespace {

// The q-th quantile (linear between order statistics; q = 1 the largest, 0.5 the median).
float quantile_of(std::vector<float> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const std::size_t i = std::size_t(pos);
  if (i + 1 >= v.size()) return v.back();
  return float(v[i] + (pos - double(i)) * (v[i + 1] - v[i]));
}

}  // namespace

std::vector<float> neutral_offset(std::span<const std::array<Point3, kLandmarkCount>> neutral,
                                  float weight) {
  if (neutral.empty()) throw std::invalid_argument("neutral_offset: no neutral frames");
  if (!(weight > 0 && weight <= 1))
    throw std::invalid_argument("offset weight must lie in (0, 1], got " + std::to_string(weight));
  std::vector<std::vector<float>> inputs;
  inputs.reserve(neutral.size());
  for (const auto& lm : neutral) inputs.push_back(solver_input(lm));
  // The solver was trained with the landmarker's average error in its inputs (synth.h's noise
  // model): an average face at rest reads as that bias, not as zero, so the offset keeps it.
  const LandmarkNoise& noise = default_landmark_noise();
  std::vector<float> offset(kSolverInputSize), column(neutral.size());
  for (std::size_t i = 0; i < kSolverInputSize; ++i) {
    for (std::size_t f = 0; f < inputs.size(); ++f) column[f] = inputs[f][i];
    const Point3& b = noise.bias[i / 3];
    offset[i] = weight * (quantile_of(column, 0.5) - (i % 3 == 0 ? b.x : i % 3 == 1 ? b.y : b.z));
  }
  return offset;
}

namespace {

// frames_at_pose from the frames' head poses.
std::vector<bool> at_pose_of(const std::vector<HeadPose>& poses) {
  // How far each frame's head is turned from facing the camera (yaw and pitch together).
  std::vector<float> away;
  for (const HeadPose& h : poses) away.push_back(std::hypot(h.yaw, h.pitch));
  std::vector<bool> at_pose(poses.size(), true);
  if (away.empty()) return at_pose;
  constexpr float kDegree = std::numbers::pi_v<float> / 180;
  const float front = *std::min_element(away.begin(), away.end());
  for (std::size_t f = 0; f < away.size(); ++f)
    at_pose[f] = away[f] - front < kTurnedPhotoDeg * kDegree;
  return at_pose;
}

std::vector<HeadPose> head_poses(std::span<const std::array<Point3, kLandmarkCount>> frames) {
  std::vector<HeadPose> poses;
  for (const auto& lm : frames) poses.push_back(head_rotation(lm));
  return poses;
}

}  // namespace

std::vector<bool> frames_at_pose(std::span<const std::array<Point3, kLandmarkCount>> neutral) {
  return at_pose_of(head_poses(neutral));
}

NeutralProfile profile_from_neutral(const Solver& solver,
                                    std::span<const std::array<Point3, kLandmarkCount>> neutral,
                                    const NeutralOptions& options, const OutputMap& after_solver) {
  if (neutral.empty()) throw std::invalid_argument("profile_from_neutral: no neutral frames");
  if (!(options.max_rest > 0 && options.max_rest < 1))
    throw std::invalid_argument("profile_from_neutral: max_rest must lie in (0, 1), got " +
                                std::to_string(options.max_rest));
  if (!(options.rest_quantile >= 0.5f && options.rest_quantile <= 1))
    throw std::invalid_argument("rest quantile must lie in [0.5, 1], got " +
                                std::to_string(options.rest_quantile));
  NeutralProfile p;
  p.frames = int(neutral.size());
  // Turned photos (frames_at_pose false) make the turned rest only (calibration.h).
  const bool pose_aware =
      options.landmark_offset && options.offset_weight_turned < options.offset_weight;
  const std::vector<HeadPose> poses = pose_aware ? head_poses(neutral) : std::vector<HeadPose>{};
  const std::vector<bool> at_pose =
      pose_aware ? at_pose_of(poses) : std::vector<bool>(neutral.size(), true);
  std::vector<std::array<Point3, kLandmarkCount>> at_pose_frames;
  for (std::size_t f = 0; f < neutral.size(); ++f)
    if (at_pose[f]) at_pose_frames.push_back(neutral[f]);
  if (options.landmark_offset) {  // step 1 (optional)
    p.input_offset = neutral_offset(at_pose_frames, options.offset_weight);
    if (!(options.offset_weight_turned >= 0 &&
          options.offset_weight_turned <= options.offset_weight))
      throw std::invalid_argument("the turned offset weight must lie in [0, offset weight " +
                                  std::to_string(options.offset_weight) + "], got " +
                                  std::to_string(options.offset_weight_turned));
    p.pose_aware = pose_aware;
  }
  std::vector<float> turned_offset;  // the offset away from the frames' pose (empty: none)
  if (p.pose_aware) {
    p.turned_scale = options.offset_weight_turned / options.offset_weight;
    if (p.turned_scale > 0) {
      turned_offset = p.input_offset;
      for (float& v : turned_offset) v *= p.turned_scale;
    }
    std::vector<float> yaw, pitch;
    for (std::size_t f = 0; f < poses.size(); ++f)
      if (at_pose[f]) {
        yaw.push_back(poses[f].yaw);
        pitch.push_back(poses[f].pitch);
      }
    p.yaw = quantile_of(yaw, 0.5);
    p.pitch = quantile_of(pitch, 0.5);
  }
  // What the solver reads on these frames: uncorrected (not neutral?), after step 1 at the
  // photos' pose (the rest), and, for a pose-aware profile, after the turned offset on every
  // frame (the turned rest).
  std::array<std::vector<float>, kBlendshapeCount> raw, offset, turned;
  for (std::size_t f = 0; f < neutral.size(); ++f) {
    const auto& lm = neutral[f];
    const Coefficients r = solver.solve(lm).coefficients;
    auto corrected = [&](const std::vector<float>& by) {  // no offset: the raw reading
      const Coefficients o = by.empty() ? r : solver.solve(lm, by).coefficients;
      return after_solver ? after_solver(o) : o;
    };
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) raw[k].push_back(r.at(k));
    if (at_pose[f]) {
      const Coefficients o = corrected(p.input_offset);
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) offset[k].push_back(o.at(k));
    }
    if (p.pose_aware) {
      const Coefficients t = corrected(turned_offset);
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) turned[k].push_back(t.at(k));
    }
  }
  auto rest_of = [&](const std::vector<float>& readings) {  // step 2
    return std::clamp(quantile_of(readings, options.rest_quantile), 0.0f, options.max_rest);
  };
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const float r = quantile_of(raw[k], 0.5);
    if (r >= options.not_neutral_threshold)
      p.not_neutral.emplace_back(std::string(info(blendshape_at(k)).apple_name), r);
    p.rest.set_at(k, rest_of(offset[k]));
    if (p.pose_aware) p.turned_rest.set_at(k, rest_of(turned[k]));
  }
  return p;
}

namespace {

// A pose-aware profile's offset and rest at `head` (posed_profile): the offset (empty: none) and
// the rest blended toward the turned ones by the head's distance from the frames' pose.
struct PosedCorrection {
  std::vector<float> input_offset;
  Coefficients rest;
};
PosedCorrection correction_at(const NeutralProfile& profile, const HeadPose& head) {
  constexpr float kDegree = std::numbers::pi_v<float> / 180;
  const float away = std::hypot(head.yaw - profile.yaw, head.pitch - profile.pitch) / kDegree;
  const float t = std::clamp((away - kAtPoseDeg) / (kTurnedFromDeg - kAtPoseDeg), 0.0f, 1.0f);
  PosedCorrection c;
  const float scale = 1 + t * (profile.turned_scale - 1);
  if (scale > 0) {
    c.input_offset = profile.input_offset;
    for (float& v : c.input_offset) v *= scale;
  }
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    c.rest.set_at(k, profile.rest.at(k) + t * (profile.turned_rest.at(k) - profile.rest.at(k)));
  return c;
}

}  // namespace

NeutralProfile posed_profile(const NeutralProfile& profile, const HeadPose& head) {
  if (!profile.pose_aware) return profile;
  PosedCorrection c = correction_at(profile, head);
  NeutralProfile p = profile;
  p.pose_aware = false;
  p.input_offset = std::move(c.input_offset);
  p.rest = c.rest;
  return p;
}

Coefficients remove_rest(const Coefficients& c, const Coefficients& rest) {
  Coefficients out;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const float r = std::clamp(rest.at(k), 0.0f, 0.95f);
    out.set_at(k, std::max(0.0f, (c.at(k) - r) / (1.0f - r)));
  }
  return out;
}

SolverResult solve_calibrated(const Solver& solver,
                              const std::array<Point3, kLandmarkCount>& landmarks,
                              const NeutralProfile& profile, const OutputMap& after_solver) {
  // Only the offset and rest at this pose, not a copy of the whole profile (its source, warnings
  // and correction), per face read.
  auto solve = [&](std::span<const float> input_offset, const Coefficients& rest) {
    SolverResult r = solver.solve(landmarks, input_offset);
    if (after_solver) r.coefficients = after_solver(r.coefficients);
    r.coefficients = remove_rest(r.coefficients, rest);
    return r;
  };
  if (!profile.pose_aware) return solve(profile.input_offset, profile.rest);
  const PosedCorrection c = correction_at(profile, head_rotation(landmarks));
  return solve(c.input_offset, c.rest);
}

RestEstimator::RestEstimator(const RestEstimatorOptions& options)
    : options_(options), histogram_(kBlendshapeCount * kBins, 0) {
  if (!(options.quantile > 0 && options.quantile <= 0.5))
    throw std::invalid_argument("RestEstimator: quantile must lie in (0, 0.5], got " +
                                std::to_string(options.quantile));
  if (options.warmup_frames < 1)
    throw std::invalid_argument("RestEstimator: warmup_frames must be at least 1, got " +
                                std::to_string(options.warmup_frames));
}

Coefficients RestEstimator::update(const Coefficients& raw) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const int bin = std::clamp(int(raw.at(k) * kBins), 0, kBins - 1);
    ++histogram_[k * kBins + std::size_t(bin)];
  }
  ++frames_;
  return remove_rest(raw, rest());
}

Coefficients RestEstimator::rest() const {
  Coefficients r;
  if (frames_ == 0) return r;
  const double target = options_.quantile * frames_;
  const float warm = std::min(1.0f, float(frames_) / float(options_.warmup_frames));
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    // The quantile, interpolated inside its bin (values spread evenly within a bin).
    double seen = 0;
    float q = 0;
    for (int b = 0; b < kBins; ++b) {
      const int n = histogram_[k * kBins + std::size_t(b)];
      if (seen + n >= target && n > 0) {
        q = (float(b) + float((target - seen) / n)) / kBins;
        break;
      }
      seen += n;
    }
    r.set_at(k, std::min(0.95f, warm * q));
  }
  return r;
}

}  // namespace semblend
