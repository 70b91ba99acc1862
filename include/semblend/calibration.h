// semblend/calibration.h — per-person neutral calibration: a person's relaxed face reads ≈ 0.
//
// The solver (solver.h) measures each landmark's displacement from the *average* neutral face,
// so a person whose resting face has low brows, narrow eyes or full lips reads as frowning,
// squinting or pouting, and the landmarker's own per-face bias adds to it. A NeutralProfile
// corrects for them in up to two steps (docs/calibration.md has the measurements):
//  1. landmark offset (on by default; NeutralOptions::landmark_offset): the person's normalised
//     neutral (solver_input of their relaxed face, the per-value median over the frames given,
//     less the landmarker's average bias the solver expects) is subtracted from every input, so
//     the solver sees the average face making the person's expression — by default 0.7 of it
//     (NeutralOptions::offset_weight) at the frames' head pose and 0.3 from 20° away
//     (offset_weight_turned; posed_profile). The previous solver, trained on synthetic landmarks
//     only, gained little or lost from it at other head poses and lost blinks, so it was opt-in
//     then;
//  2. rest: what the solver still reads on the neutral frames (rest_k: by default the largest
//     reading over them, NeutralOptions::rest_quantile) is removed with
//     c' = max(0, (c − rest_k) / (1 − rest_k)), so the rest reads 0 and a full activation still
//     reads 1 (a true blink keeps ≥ 0.8).
// The frames are best a few relaxed photos and the landmarker's jittered copies of each
// (detect_jittered, landmarker.h; `semblend calibrate` makes 8 per photo), and for a head that
// turns, photos turned ~20° each way (turned photos, frames_at_pose below). Measured with the
// shipped solver (docs/calibration.md, 16 identities): another relaxed photo of the same face,
// nearly frontal and turned, reads at most 0.02 / 0.04 on average (typical faces; 0.02 / 0.03
// stylised), 32 of 32 such faces read ≤ 0.15 everywhere (32 of 32 stylised), and a full blink
// still reads 0.92 (0.80 stylised).
// A profile comes from one or more neutral photos or frames (profile_from_neutral; `--neutral
// face.jpg`), or is estimated while a video runs (RestEstimator: a robust running estimate, as
// OpenFace does for action units).
//
// A stage after the solver (an OutputMap: a preference correction learned from people's
// judgments, prefs_learn.h, `--correction`) changes what the solver reads on the neutral frames
// too, so a profile is measured through it: profile_from_neutral and solve_calibrated take the
// same map, applied to the solver's output before the rest is taken or removed. The profile keeps
// the map's description (NeutralProfile::correction, the correction's JSON) so that it is used
// with the map it was measured through.
//
// RestEstimator: the running version for videos and live input. Per coefficient, the q-th
// quantile (default 0.1: a face is at rest, or closer to it, at least a tenth of the time — eyes
// are open between blinks, lips meet between words) of the raw readings so far, from a
// 200-bin histogram per shape; until `warmup_frames` frames were seen, the correction is scaled
// by frames/warmup so the first frames are not over-corrected. It corrects coefficients only (no
// landmark offset: a median displacement of a talking face is not its rest).
//
// Failure modes: std::invalid_argument for an empty frame list, non-finite landmarks or options
// out of range; profile files (profile_from_json): InputError naming the file, the place and the
// problem (bad JSON, wrong format or version, wrong sizes, non-finite or out-of-range values).
// Thread safety: profiles are values; calibrate()/solve_calibrated() are pure. A RestEstimator is
// one video's state: one thread at a time.
#pragma once

#include <array>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/take.h"

namespace semblend {

struct NeutralProfile {
  std::vector<float> input_offset;  // kSolverInputSize values, or empty: no landmark offset
  Coefficients rest{};              // per shape, in [0, 0.95]
  // Away from the photos' pose (step 1 and 2 above, NeutralOptions::offset_weight_turned): the
  // head angles the frames were taken at (the median yaw and pitch of their landmarks' rigid fit,
  // face_model.h head_rotation; radians), and the profile a reading kTurnedFromDeg or more from
  // them uses — the offset scaled by `turned_scale`, the rest `turned_rest` (the rest measured
  // with that offset). Between kAtPoseDeg and kTurnedFromDeg they blend linearly (posed_profile).
  // `pose_aware` false (a profile without a landmark offset, or one written before 2026-12-05):
  // one offset and rest at every pose.
  bool pose_aware = false;
  float yaw = 0, pitch = 0;
  float turned_scale = 1;
  Coefficients turned_rest{};
  int frames = 0;      // how many neutral frames (photos) it was made from
  int jittered = 0;    // and how many jittered copies of them (detect_jittered)
  std::string source;  // where it came from (file names), for people
  // Shapes the uncorrected solver read high on the "neutral" (name and value): the face was
  // probably not relaxed. Kept in the profile so tools can warn again.
  std::vector<std::pair<std::string, float>> not_neutral;
  // The correction the rest was measured through (prefs_learn.h correction JSON, one line), or
  // "" for the solver's own output. The profile file carries it; the CLI applies it with the
  // profile (docs/calibration.md).
  std::string correction;
};

// A stage after the solver, on its coefficients (a preference correction, prefs_learn.h); empty
// = none. Must be pure (it is called from several threads in batch runs).
using OutputMap = std::function<Coefficients(const Coefficients&)>;

struct NeutralOptions {
  // A shape reading at least this on the neutral, before calibration, is reported in
  // not_neutral (identity alone rarely reads this high; a smile or an open jaw does).
  float not_neutral_threshold = 0.5f;
  float max_rest = 0.95f;       // rest values are capped so that (1 − rest) stays meaningful
  bool landmark_offset = true;  // step 1 above
  // Step 1 subtracts this fraction of the person's offset, in (0, 1]. Not all of it: the solver
  // already discounts part of a face's identity, and the offset also holds the landmarker's error
  // at the photos' pose, which does not carry to other poses. Measured (docs/calibration.md, 16-24
  // identities, three seeds): 0.7 against 1 lowers the expression error (0.0545 -> 0.0523), a
  // turned relaxed face's largest reading (0.079 -> 0.047 mean, 0.457 -> 0.162 worst) and keeps
  // more of a full blink (0.84 -> 0.89), for a nearly frontal relaxed face reading a little more
  // (0.079 -> 0.092 mean). With the solver shipped 2026-12-05, 0.3 serves typical faces better
  // (relaxed faces <= 0.15 92 -> 95 of 96) and 0.7 stylised ones (blink 0.70 -> 0.80).
  float offset_weight = 0.7f;
  // Step 1's fraction at a head pose kTurnedFromDeg or more (yaw and pitch together) from the
  // frames', in [0, offset_weight] (= offset_weight: the same at every pose). The offset holds the
  // landmarker's error at the frames' pose, which does not carry to other poses: measured with
  // the solver shipped 2026-12-05 (docs/calibration.md, 16 identities, four sets), 0.7 at the
  // frames' pose and 0.3 from 20° away still 127 of 128 held-out relaxed faces (124 with 0.7
  // everywhere; a relaxed face turned 15° reads 0.044 at most on average, 0.068 before) and
  // keep the blink (0.894) and the expressions (MAE 0.0526 against 0.0525) of 0.7.
  float offset_weight_turned = 0.3f;
  // Step 2's rest is this quantile, over the frames given, of each shape's reading after step 1,
  // in [0.5, 1] (0.5: the median; 1: the largest). The frames are typically a few photos and the
  // landmarker's jittered copies of each (detect_jittered, landmarker.h): the relaxed face as the
  // landmarker can see it. Taking the largest reading as rest, rather than the median, means
  // another photo of the same relaxed face, whose landmarks land a little differently, still
  // reads ≈ 0. Measured (docs/calibration.md, 16 identities, four sets, with 8 copies per photo):
  // a held-out, nearly frontal relaxed face's largest reading 0.088 -> 0.033 on average, and
  // relaxed faces reading above 0.15 anywhere 22 -> 7 of 128, for the expressions reading a
  // little weaker (MAE 0.0546 -> 0.0567).
  float rest_quantile = 1.0f;
};

// Step 1's offset alone: kSolverInputSize values from one or more relaxed frames, scaled by
// `weight` (NeutralOptions::offset_weight; std::invalid_argument outside (0, 1]).
std::vector<float> neutral_offset(std::span<const std::array<Point3, kLandmarkCount>> neutral,
                                  float weight = NeutralOptions{}.offset_weight);

// Relaxed frames whose head is turned kTurnedPhotoDeg or more further from the camera (yaw and
// pitch together, as the landmarker's points show it: face_model.h head_rotation) than the most
// frontal of them are *turned photos*: a pose-aware profile (offset_weight_turned <
// offset_weight) takes its offset, its pose and its rest from the others, and its turned rest
// from all of them — a turned photo shows what the landmarker makes of this face turned, which
// frontal photos cannot (docs/calibration.md, "Turned photos"). Measured on rig renders: photos
// at ±5° read 5-8° from the camera, photos at ±20° 15-22° (the landmarker reads turned heads as
// turned less). frames_at_pose says which frames are not turned.
inline constexpr float kTurnedPhotoDeg = 8;
std::vector<bool> frames_at_pose(std::span<const std::array<Point3, kLandmarkCount>> neutral);

// A profile from one or more relaxed frames of one person (each frame's 478 landmarks).
// `after_solver` is applied to every reading before the rest is taken (the not-neutral warning
// reads the solver's own output); the caller records what it was in NeutralProfile::correction.
NeutralProfile profile_from_neutral(const Solver& solver,
                                    std::span<const std::array<Point3, kLandmarkCount>> neutral,
                                    const NeutralOptions& options = {},
                                    const OutputMap& after_solver = {});

// The rest correction alone: c' = max(0, (c − rest) / (1 − rest)) per shape.
Coefficients remove_rest(const Coefficients& c, const Coefficients& rest);

// Where a pose-aware profile starts to change with the head's angular distance from its frames'
// pose (sqrt(Δyaw² + Δpitch²)), and where it is wholly the turned one.
inline constexpr float kAtPoseDeg = 5, kTurnedFromDeg = 20;

// The profile as it applies to a face whose head is at `head` (radians): for a pose-aware one,
// its offset and rest blended toward the turned ones by the head's distance from the frames'
// pose; otherwise `profile` itself. The result is not pose-aware.
NeutralProfile posed_profile(const NeutralProfile& profile, const HeadPose& head);

// The solver on one face with the profile's corrections (both steps above): the landmark offset,
// the solver, `after_solver` (the map the profile was measured through), then the rest removed —
// as they apply at the face's pose (posed_profile, the pose from `landmarks`).
SolverResult solve_calibrated(const Solver& solver,
                              const std::array<Point3, kLandmarkCount>& landmarks,
                              const NeutralProfile& profile, const OutputMap& after_solver = {});

struct RestEstimatorOptions {
  double quantile = 0.1;   // in (0, 0.5]
  int warmup_frames = 30;  // ≥ 1
};

// The profile file (docs/formats.md, "Neutral profile"): JSON, format "semblend.profile",
// version 1. Written by `semblend calibrate`, read by `--profile` of image and video.
std::string profile_to_json(const NeutralProfile& profile);
NeutralProfile profile_from_json(std::string_view text, const std::string& file);

class RestEstimator {
 public:
  explicit RestEstimator(const RestEstimatorOptions& options = {});
  // Adds one frame's raw coefficients and returns them corrected by the estimate so far
  // (including this frame).
  Coefficients update(const Coefficients& raw);
  Coefficients rest() const;  // the current estimate (warm-up scaling applied)
  int frames() const { return frames_; }

 private:
  static constexpr int kBins = 200;
  RestEstimatorOptions options_;
  std::vector<int> histogram_;  // kBlendshapeCount × kBins
  int frames_ = 0;
};

}  // namespace semblend
