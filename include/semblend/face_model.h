// semblend/face_model.h — the neutral 3D face in MediaPipe's 478-point layout, and rigid fits to
// it.
//
// The neutral face is derived from real faces, not authored: the landmarker runs on neutral frontal
// photos and on their mirror images, each result is put in a face frame and aligned to the running
// mean by generalized Procrustes (rotation, uniform scale, translation), the aligned shapes are
// averaged, made exactly left/right symmetric with the landmark mirror map, and scaled so the outer
// eye corners are 9.0 cm apart (adult mean). `semblend derive-neutral IMAGES… -o
// data/neutral_face.csv` does it; the committed table (data/neutral_face.csv) is compiled in.
//
// Face frame: centimetres; x toward the subject's left, y up, z out of the face (toward a camera
// the face looks into); origin at the centroid of the 468 mesh points. The frame's orientation is
// the average pose of the source photos, so "frontal" means "as those photos faced the camera".
//
// fit_rigid: the rotation, scale and translation that best map the neutral face's stable points
// (forehead, temples, nose bridge and cheekbones, which expressions barely move) onto observed
// landmarks in camera-like coordinates (Kabsch/Umeyama least squares); head_rotation reads the
// head's angles off it.
// Failure modes: derive_neutral throws std::invalid_argument for fewer than one face; parse errors
//   of the table are InputError. Thread safety: pure functions; the compiled table is immutable.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/take.h"

namespace semblend {

using FaceShape = std::array<Point3, kLandmarkCount>;

// The compiled-in neutral face (data/neutral_face.csv).
const FaceShape& neutral_face();

// For each landmark, its mirror partner (itself on the midline), found from the geometry of the
// neutral face: the nearest landmark to its reflection across the x = 0 plane.
const std::array<std::uint16_t, kLandmarkCount>& landmark_mirror_map();

// Landmarks in image coordinates (x right, y down, z away from the camera) -> face frame axes
// (x right, y up, z toward the camera), unscaled.
FaceShape to_face_axes(const std::array<Point3, kLandmarkCount>& image_points);

struct NeutralDerivation {
  FaceShape shape;
  std::array<std::uint16_t, kLandmarkCount> mirror{};
  double rms_residual_cm = 0;  // mean distance of the aligned inputs to the result
  int faces = 0;
};
// `faces` and `mirrored_faces[i]` (the same photo flipped) as the landmarker returned them.
NeutralDerivation derive_neutral(
    const std::vector<std::array<Point3, kLandmarkCount>>& faces,
    const std::vector<std::array<Point3, kLandmarkCount>>& mirrored_faces);

// CSV: "index,x,y,z,mirror" per landmark, centimetres (docs/landmarks.md).
std::string neutral_face_csv(const NeutralDerivation& n);
NeutralDerivation parse_neutral_face_csv(const std::string& text, const std::string& name);

struct RigidFit {
  std::array<float, 9>
      rotation{};       // row-major, face frame -> camera axes (x right, y up, z toward)
  float scale = 1;      // observed units per centimetre
  Point3 translation;   // observed units
  float rms_error = 0;  // over the stable points, observed units
};
RigidFit fit_rigid(const FaceShape& model, const FaceShape& observed_face_axes);

// The head's yaw, pitch and roll (radians, take.h HeadPose's conventions; no translation) from a
// fit of the neutral face: what the landmarker reports as FaceLandmarks::head.
HeadPose head_rotation(const RigidFit& fit);
// The same from 478 landmarks in image coordinates (fit_rigid of the neutral face first).
HeadPose head_rotation(const std::array<Point3, kLandmarkCount>& image_points);

}  // namespace semblend
