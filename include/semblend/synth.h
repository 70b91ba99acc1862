// semblend/synth.h — synthetic training data for the solver (solver.h): the rig (rig.h) posed with
// known coefficients and a head pose, projected through a pinhole camera into the landmarks the
// vision front end (landmarker.h) would report, with noise measured from that front end.
//
// Sample i of a seed: an identity (sample_identity from a pool of `identities` seeds, so rigs
// are built once and reused), an expression (ExpressionSampler::at(i): prior draws, sparse
// activations, winks, one-sided actions), a head pose uniform in ±yaw / ±pitch / ±roll, a
// camera focal length (a vertical field of view uniform in [fov_min, fov_max] degrees) with the
// face filling a uniform share of the image, and landmark noise. Deterministic: sample i depends
// only on (seed, i) and the options, never on other samples or threads.
//
// Landmarks as the front end gives them: x, y image pixels (x right, y down, (0,0) the top-left
// corner), z in pixels at the x scale, relative to the mean depth of the 468 mesh points,
// negative toward the camera (MediaPipe's convention).
//
// Noise model: the landmarker's error is not a constant per landmark — it misses part of several
// expressions (its response gain is < 1 for blinks, brow and cheek actions, `semblend eval rig`),
// and the face outline drifts with the head's yaw and the face's proportions. So per landmark and
// face-frame axis the error is modelled as
//     error = bias + Σ_f gain[f] · feature[f] + jitter · N(0, 1)
// over the noise features (noise_features): the 52 coefficients, the 14 identity parameters and
// the head pose (yaw, pitch, roll, yaw², pitch²). measure_landmark_noise fits it by ridge least
// squares on rig renders run through the landmarker: detected minus projected truth, rotated back
// into the face frame, with each image's mean offset removed (the solver's rigid normalisation
// removes it too); the jitter is the residual's standard deviation. The committed table is
// data/landmark_noise.csv (regenerate: `semblend eval noise -o data/landmark_noise.csv`).
//
// Failure modes: std::invalid_argument for bad options (ranges, counts) and malformed noise tables
// (naming the line). Thread safety: a SynthGenerator is immutable after create(); sample() may be
// called from any number of threads. measure_landmark_noise uses the given landmarker (not
// thread-safe).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "semblend/expression_prior.h"
#include "semblend/landmarker.h"
#include "semblend/rig.h"

namespace semblend {

// Features of the expression-, identity- and pose-dependent error (in this order).
inline constexpr std::size_t kNoisePoseFeatures = 5;  // yaw, pitch, roll (radians), yaw², pitch²
inline constexpr std::size_t kNoiseFeatureCount =
    kBlendshapeCount + kIdentityParameterCount + kNoisePoseFeatures;
std::array<float, kNoiseFeatureCount> noise_features(const Coefficients& coefficients,
                                                     const Identity& identity,
                                                     const HeadPose& head);
std::array<std::string, kNoiseFeatureCount> noise_feature_names();

struct LandmarkNoise {
  std::array<Point3, kLandmarkCount> bias{};    // face-frame cm, the error at zero features
  std::array<Point3, kLandmarkCount> jitter{};  // face-frame cm, residual standard deviation
  // gain[(3·landmark + axis) · kNoiseFeatureCount + feature], cm per unit of the feature; all
  // zero = a constant bias per landmark.
  std::vector<float> gain = std::vector<float>(3 * kLandmarkCount * kNoiseFeatureCount, 0.0f);
  int samples = 0;              // renders it was measured on
  float raw_rms_cm = 0;         // RMS error about the mean image offset, before the model
  float residual_rms_cm = 0;    // RMS left after bias and gains (in-sample)
  float heldout_explained = 0;  // share of the error variance the model explains on held-out
                                // renders (fit on 9 in 10, tested on the 10th)

  // The modelled error of landmark k (face-frame cm) for these features, without jitter.
  Point3 expected(std::size_t k, const std::array<float, kNoiseFeatureCount>& features) const;
};

// The compiled-in table (data/landmark_noise.csv).
const LandmarkNoise& default_landmark_noise();
// CSV: "# samples N", "# raw_rms_cm X", "# residual_rms_cm Y", "# heldout_explained Z" lines, a
// header "index,axis,bias,jitter,<feature names>", then one row per landmark and axis (x, y, z).
std::string landmark_noise_csv(const LandmarkNoise& noise);
LandmarkNoise parse_landmark_noise_csv(const std::string& text, const std::string& name);

struct NoiseMeasureOptions {
  int samples = 3000;
  std::uint64_t seed = 77;
  int size = 384;
  float max_yaw_deg = 45, max_pitch_deg = 30, max_roll_deg = 30;  // the training data's ranges
  float ridge = 1e-3f;  // ridge penalty per sample on the standardised feature gains
  // Fit gains on the head-pose features too. Off, pose-dependent error stays in the jitter: the
  // rig's outline drift with yaw (its head shape) is not a real face's, and a solver that learns
  // to undo it reads a real turned head as a jaw shift (docs/solver.md).
  bool pose_gains = true;
};
LandmarkNoise measure_landmark_noise(FaceLandmarker& landmarker,
                                     const NoiseMeasureOptions& options = {});

struct SynthOptions {
  std::uint64_t seed = 1;
  int identities = 64;  // identity pool: sample i uses identity (i mod identities) of this seed
  float max_yaw_deg = 45, max_pitch_deg = 30, max_roll_deg = 30;
  float fov_min_deg = 15, fov_max_deg = 60;
  float fill_min = 0.3f, fill_max = 0.8f;  // face height share of the image
  int image_size = 512;
  bool stylised = false;  // cartoon-like identities (rig.h stylised_identity), for robustness tests
  float noise_scale = 1;  // multiplies the jitter (0 = exact projections plus bias)
  bool bias = true;       // add the measured bias
  ExpressionSamplerOptions expressions{};  // its seed is replaced by a value derived from `seed`
};

struct SynthSample {
  std::uint64_t index = 0;
  std::array<Point3, kLandmarkCount> landmarks{};  // as the landmarker reports them
  Coefficients coefficients;                       // the exact ground truth
  HeadPose head;
  float focal_px = 0;
  int width = 0, height = 0;
};

class SynthGenerator {
 public:
  // Builds the identity pool's rigs (about 10 ms each). Throws std::invalid_argument for bad
  // options.
  static SynthGenerator create(const SynthOptions& options = {},
                               const LandmarkNoise& noise = default_landmark_noise());
  SynthSample sample(std::uint64_t index) const;
  const SynthOptions& options() const { return options_; }

 private:
  SynthGenerator() = default;
  SynthOptions options_;
  LandmarkNoise noise_;
  std::shared_ptr<const std::vector<Rig>> rigs_;
  std::shared_ptr<const std::vector<Identity>> identities_;
  std::shared_ptr<const ExpressionSampler> sampler_;
};

// Projects rig landmarks (face-frame cm, posed) like the landmarker reports them: rotation by
// `head`, the face-frame origin `distance_cm` in front of a pinhole of focal length `focal_px`
// centred in a width × height image.
std::array<Point3, kLandmarkCount> project_landmarks(const std::array<Point3, kLandmarkCount>& face,
                                                     const HeadPose& head, float focal_px,
                                                     float distance_cm, int width, int height);

}  // namespace semblend
