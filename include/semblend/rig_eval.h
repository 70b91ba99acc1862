// semblend/rig_eval.h — closes the loop between the rig and the vision front end: render the rig
// with known identities, expressions and head poses, run the landmarker on the render, and compare
// what it finds with the rig's own projected landmarks (the exact ground truth).
//
// Render-and-detect: `samples` renders, each with a random identity (sample_identity), a random
// expression (the expression prior's sampler, expression_prior.h) and a random head pose uniform
// in ±max_yaw / ±max_pitch / ±max_roll, seeded (sample i depends only on seed and i), in one of
// seven skin tones or, given face photos, with a photo's face as its skin. A sample is
// detected when the landmarker returns a face; its error is the mean 2D distance over the 468 mesh
// landmarks between detected and projected points, divided by the inter-ocular distance (the
// iris centres' 3D distance on the rig times the render's pixels per cm — not the foreshortened
// image distance, so a turned head is not penalised for its projection).
//
// Shape responses: for each of the 52 shapes, frontal renders at the given weights; the detected
// landmarks' displacement from the neutral render is projected onto the rig's own displacement at
// weight 1: seen(w) = <Δdetected(w), Δrig(1)> / |Δrig(1)|². A shape the image path sees perfectly
// has seen(w) = w (gain 1); a shape whose motion the landmarks miss has gain ≈ 0. These say which
// shapes a landmark-based solver can recover from images, and which need appearance cues.
// mouthClose, which only acts with the jaw open, is measured on top of jawOpen at 1.
//
// Failure modes: std::invalid_argument for samples < 1, sizes outside 128..1024 or angles outside
// [0, 90]; landmarker errors propagate. Thread safety: uses the given landmarker (not thread-safe);
// otherwise pure.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/render.h"

namespace semblend {

// Where on the face a landmark error is: MediaPipe's contour sets (topology.h), each landmark in
// the first set that holds it; Other is the rest of the 468 mesh points (cheeks, nose, forehead).
enum class LandmarkRegion { FaceOval, Eyebrows, Eyes, Lips, Other };
inline constexpr std::size_t kLandmarkRegionCount = 5;
std::string_view landmark_region_name(LandmarkRegion r);  // "face_oval", "eyebrows", ...
// The region of each of the 468 mesh landmarks.
const std::array<LandmarkRegion, kFaceMeshLandmarks>& landmark_regions();

struct RenderDetectSample;
// Sees each sample as it is made (for overlays): the render and what was found (null: no face).
using RenderDetectObserver =
    std::function<void(const RenderDetectSample&, const RenderResult&, const FaceLandmarks*)>;

struct RenderDetectOptions {
  int samples = 60;
  std::uint64_t seed = 1;
  float max_yaw_deg = 45, max_pitch_deg = 25, max_roll_deg = 20;
  int size = 384;
  bool identities = true;        // false: the neutral identity every time
  bool expressions = true;       // false: the neutral expression every time
  RenderDetectObserver observe;  // optional
  // Real face photos as skins (render.h FaceTexture): sample i wears textures[i % size] instead of
  // a procedural skin tone. Empty = procedural skin.
  std::vector<std::shared_ptr<const FaceTexture>> textures;
};

struct RenderDetectSample {
  std::uint64_t index = 0;
  float yaw = 0, pitch = 0, roll = 0;  // radians
  bool detected = false;
  float error_iod = 0;  // mean landmark error / inter-ocular distance (detected samples)
  std::array<float, kLandmarkRegionCount> region_error_iod{};  // the same mean over each region
};

struct RenderDetectReport {
  std::vector<RenderDetectSample> samples;
  double detection_rate = 0;
  double median_error_iod = 0, p90_error_iod = 0, max_error_iod = 0;
  std::array<double, kLandmarkRegionCount> region_median_error_iod{};  // over detected samples
};

RenderDetectReport evaluate_render_detect(FaceLandmarker& landmarker,
                                          const RenderDetectOptions& options = {});

struct ShapeResponse {
  Blendshape shape{};
  std::vector<float> weights, seen;  // seen[i] at weights[i] (NaN where no face was found)
  float gain = 0;                    // least-squares slope of seen over weights, through the origin
  float rendered_motion_px = 0;      // RMS landmark motion of the rig at weight 1, in pixels
};

std::vector<ShapeResponse> shape_responses(FaceLandmarker& landmarker, int size = 384,
                                           const std::vector<float>& weights = {0.25f, 0.5f, 0.75f,
                                                                                1.0f});

// Both as one JSON document: {"render_detect": {...}, "shape_responses": [...]}.
std::string rig_eval_json(const RenderDetectReport& report,
                          const std::vector<ShapeResponse>& responses);

}  // namespace semblend
