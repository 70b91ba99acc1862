// semblend/rig.h — semblend's own 3D face: the neutral mesh with eyes, lids, brows, lips and a
// mouth interior, and all 52 ARKit blendshapes as displacement fields.
//
// Vertices: the first 478 are MediaPipe's landmarks (468 mesh + 10 iris points, topology.h), so a
// rig vertex and a landmark are the same point; the rest are added geometry (eyeballs, mouth
// interior, teeth, tongue, and a head around the face), listed in `Rig::parts`. Coordinates are the
// face frame of face_model.h: centimetres, x toward the subject's left, y up, z out of the face.
//
// Blendshapes: `deltas[i]` is the displacement of every vertex at weight 1 of shape i (Apple's
// order, blendshape.h). A posed face is neutral + Σ wᵢ·deltaᵢ + correctives (pose_rig). Each shape
// comes from one row of the shape table (rig_shape_rows(): region, motion, falloff and the
// anatomical reason); left/right pairs are built from one row and are exact mirrors through the
// landmark mirror map. Rotations (jaw, eyeballs) are linearised at weight 1, as glTF morph targets
// need.
//
// Correctives: where a sum of shapes is implausible the rig adds a product term
// (weight = wa·wb, Rig::correctives, each with its reason): eyeBlink with eyeWide must still close
// the lid; pucker with funnel does not protrude twice; a smile with a frown on the same side does
// not tear the corner. One limit rule: mouthClose is ARKit's "lips together while the jaw is open",
// so pose_rig uses min(mouthClose, jawOpen) and the lips meet but never pass through each other.
// (glTF morph targets are linear: an exported rig has the 52 shapes without these corrections.)
//
// Identity: build_rig(identity) reshapes the neutral face (face width, jaw, nose, eyes, lips, ...)
// before the shapes are derived, so every identity gets its own consistent 52 shapes.
//
// Failure modes: pose_rig throws std::invalid_argument for a NaN weight (weights outside [0, 1]
// are allowed: ARKit recordings overshoot slightly); build_rig throws for an identity parameter
// outside [-6, 6] (beyond ±3 only stylised faces, stylised_identity). Thread safety: a Rig is an
// immutable value after construction; default_rig() is built once, on first use, thread-safely.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "semblend/blendshape.h"
#include "semblend/landmarker.h"
#include "semblend/take.h"

namespace semblend {

// What a triangle is made of (its colour and shading in the renderer, its material in glTF).
enum class RigPart : std::uint8_t {
  Skin,
  Lips,
  Brow,
  LashLine,  // the lid margins: dark, so a closed eye reads as closed
  EyeWhite,
  Iris,
  Pupil,
  MouthInterior,
  Teeth,
  Tongue,
  Hair,
  Neck,
};
inline constexpr std::size_t kRigPartCount = 12;
std::string_view rig_part_name(RigPart part);  // "skin", "lips", ...

struct RigTriangle {
  std::array<std::uint32_t, 3> v;  // counter-clockwise seen from outside the surface
  RigPart part = RigPart::Skin;
};

// A product term: when shapes a and b are both active, add wa·wb·delta.
struct RigCorrective {
  Blendshape a, b;
  std::vector<Point3> delta;  // per vertex
  std::string_view reason;
};

// The identity parameters, each in standard deviations of adult variation (0 = the neutral face
// derived from real photos; ±2 covers ~95% of adults). Sampled by sample_identity().
struct Identity {
  float face_width = 0;   // bizygomatic breadth
  float face_height = 0;  // nasion to chin
  float jaw_width = 0;    // bigonial breadth
  float chin_length = 0;  // lower face height
  float cheekbones = 0;   // zygomatic prominence
  float nose_length = 0;
  float nose_width = 0;
  float eye_size = 0;       // palpebral fissure width and height
  float eye_spacing = 0;    // intercanthal distance
  float eye_tilt = 0;       // canthal tilt
  float lip_thickness = 0;  // vermilion height
  float mouth_width = 0;
  float brow_height = 0;
  float face_depth = 0;  // profile depth (flat to deep-set)
  friend bool operator==(const Identity&, const Identity&) = default;
};
inline constexpr std::size_t kIdentityParameterCount = 14;
// Name and value of each parameter, in declaration order (for JSON, docs and tests).
std::array<std::string_view, kIdentityParameterCount> identity_parameter_names();
std::array<float, kIdentityParameterCount> identity_values(const Identity& id);
Identity identity_from_values(std::span<const float> values);  // throws on a wrong size
// A random adult identity: each parameter standard normal, truncated to ±2.5. Deterministic: the
// same seed gives the same identity on every platform (own generator arithmetic, no std::
// distributions).
Identity sample_identity(std::uint64_t seed);
// A stylised, cartoon-like identity for robustness tests (the solver's ablation): the proportions
// of illustrated and 3D-animated faces — eyes much larger and wider apart, a small nose, a short
// chin and a narrow jaw, at the edge of the rig's range (up to 3 SDs, all at once) — plus 0.3 of
// sample_identity(seed) for variety. Deterministic like sample_identity.
Identity stylised_identity(std::uint64_t seed);

struct Rig {
  std::vector<Point3> neutral;  // cm, face frame; [0, 478) are the landmarks
  std::vector<RigTriangle> triangles;
  std::array<std::vector<Point3>, kBlendshapeCount> deltas;  // each neutral.size() long
  std::vector<RigCorrective> correctives;
  // Eyeball centres and radius (cm), for the renderer's exact eye rotation and for gaze.
  Point3 left_eye_center, right_eye_center;
  Point3 eye_radii;  // the eyeballs are slightly wider than deep, to fill the lid opening
  // For each vertex, its mirror partner (itself on the midline); extends landmark_mirror_map().
  std::vector<std::uint32_t> mirror;
  Identity identity;

  std::size_t vertex_count() const { return neutral.size(); }
};

// One row of the shape table: how a shape moves the face, and why.
struct RigShapeRow {
  Blendshape shape;         // the Left shape of a mirrored pair (the Right one is its mirror)
  std::string_view region;  // which part of the face moves
  std::string_view motion;  // how it moves (direction, amount at weight 1)
  std::string_view falloff;
  std::string_view reason;  // anatomy / Apple's definition
};
std::span<const RigShapeRow> rig_shape_rows();

// The rig of the neutral face (identity 0), built once.
const Rig& default_rig();
// A rig for another identity; throws std::invalid_argument for a parameter outside [-6, 6] (beyond
// ±3 only stylised faces, stylised_identity).
Rig build_rig(const Identity& identity);
// The rig cut down to its 478 landmark vertices: pose_rig on it gives the full rig's landmarks
// exactly (posing is per vertex), in about a quarter of the memory; it has no triangles or mirror
// map, so it cannot be rendered. For holding thousands of identities (synth.h).
Rig landmark_rig(Rig rig);

// Vertex positions (cm, face frame) for the given weights. Throws std::invalid_argument for a
// non-finite weight.
std::vector<Point3> pose_rig(const Rig& rig, const Coefficients& weights);

// How far apart the lips of a posed face are (pose_rig's output, or any 478 landmarks in the face
// frame, y up): the largest vertical gap, in its units (cm for the rig), between facing points of
// the inner upper and lower lip, the corners excluded. <= 0: the lips meet along their whole
// length (negative: they press into each other). The default rig's neutral rests 0.26 cm apart.
// Throws std::invalid_argument for fewer than 478 points.
float lip_gap(const std::vector<Point3>& posed);

}  // namespace semblend
