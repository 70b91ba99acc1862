// semblend/topology.h — MediaPipe's face-mesh topology: which landmarks form the lips, eyes,
// brows, face oval and irises, and the triangles of the mesh.
//
// What it is: the landmark connection sets of MediaPipe Face Mesh (FACEMESH_TESSELATION,
// FACEMESH_LIPS, ...) as MediaPipe defines them in the npm package @mediapipe/face_mesh
// (0.4.1657299874, Apache-2.0). They are never typed by hand: scripts/setup.sh installs the pinned,
// checksum-verified package and tools/gen_face_mesh_topology.mjs reads its face_mesh.js at build
// time into a generated source file (face_mesh_topology_source() names the package and file).
//
// Landmarks: 468 face landmarks (kFaceMeshLandmarks), plus 10 iris landmarks when the landmark
// model refines irises (kFaceLandmarksWithIris): 468 and 473 are the right and left iris centres
// (in no set), 469–472 the right iris ring, 474–477 the left iris ring.
//
// Sides: LEFT and RIGHT are the subject's own, as everywhere in semblend (see blendshape.h): the
// LeftEye set holds 263 and 362 (outer and inner corner of the subject's left eye, which appears on
// the image's right in an unmirrored photo; in MediaPipe's canonical face model 263 lies at +x,
// the subject's left). LeftIris is 474–477, the ring around 473.
//
// The sets (edges as the package lists them, in its order and direction):
//   Tesselation   2556 directed edges: the 852 triangles, three edges each (a→b, b→c, c→a), so an
//                 edge shared by two triangles appears once in each direction; 1322 distinct edges.
//   Contours      124 edges: Lips, LeftEye, LeftEyebrow, RightEye, RightEyebrow, FaceOval, in
//                 that order (MediaPipe's own concatenation; no irises).
//   Lips 40 (outer and inner lip loops, 20 each), LeftEye/RightEye 16 each (closed loops),
//   LeftEyebrow/RightEyebrow 8 each (10 landmarks), FaceOval 36 (closed loop), LeftIris/RightIris
//   4 each (closed rings). This package version defines no FACEMESH_NOSE.
//
// face_mesh_triangles(): the tesselation's triangles, read from its structure (edges 3i, 3i+1, 3i+2
//   close triangle i; the generator refuses a package where they do not), each once, with
//   MediaPipe's own vertex order. The winding is consistent: every interior edge is traversed once
//   in each direction by its two triangles; seen from in front of the face the triangles run
//   counter-clockwise in MediaPipe's canonical model space (x to the subject's left, y up, z toward
//   the camera), i.e. clockwise in image coordinates (y down).
//   There are 852, not MediaPipe's 898 of canonical_face_model.obj: the eye and mouth openings stay
//   open (their 16-, 16- and 20-edge rims are boundary edges, like the 36-edge face oval; the
//   canonical model closes them with 14 + 14 + 18 more triangles). Euler characteristic:
//   468 − 1322 + 852 = −2, a disc with three holes. The graph's 3-cycles are these 852 plus two
//   that are not faces: (49, 64, 129) and (279, 294, 358), the rings around the degree-3 landmarks
//   102 and 331 beside the nostrils — so "all 3-cycles" would be wrong by two.
//
// Failure modes: a value that is not a FaceMeshSet enumerator throws std::invalid_argument.
// Thread safety: immutable data and pure functions; safe from any thread.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace semblend {

inline constexpr std::size_t kFaceMeshLandmarks = 468;
inline constexpr std::size_t kFaceLandmarksWithIris = 478;

// Single landmarks with a name, the one place their indices are written down (MediaPipe's
// canonical face model; the subject's own sides). Corners are where each loop of the
// FACEMESH_LEFT_EYE/RIGHT_EYE/LIPS sets turns.
namespace landmark {
inline constexpr std::uint16_t kRightEyeOuter = 33, kRightEyeInner = 133;
inline constexpr std::uint16_t kLeftEyeInner = 362, kLeftEyeOuter = 263;
inline constexpr std::uint16_t kMouthRightCorner = 61, kMouthLeftCorner = 291;
inline constexpr std::uint16_t kUpperLipInner = 13, kLowerLipInner = 14;
inline constexpr std::uint16_t kChin = 152;
inline constexpr std::uint16_t kRightIrisCentre = 468, kLeftIrisCentre = 473;
// Two points on the cheek below each eye (higher, lower), where its skin shows.
inline constexpr std::uint16_t kRightCheek = 50, kRightLowerCheek = 205;
inline constexpr std::uint16_t kLeftCheek = 280, kLeftLowerCheek = 425;
}  // namespace landmark

// A connection between two landmark indices (MediaPipe's [start, end] pair).
struct LandmarkEdge {
  std::uint16_t a, b;
};

enum class FaceMeshSet {
  Tesselation,
  Contours,
  Lips,
  LeftEye,
  RightEye,
  LeftEyebrow,
  RightEyebrow,
  FaceOval,
  LeftIris,
  RightIris,
};
inline constexpr std::size_t kFaceMeshSetCount = 10;

// The set's edges exactly as @mediapipe/face_mesh lists them (static storage, never empty).
std::span<const LandmarkEdge> face_mesh_edges(FaceMeshSet set);
// The set's landmark indices, sorted, each once.
std::vector<std::uint16_t> face_mesh_indices(FaceMeshSet set);
// The 852 triangles of the tesselation (see above), in the package's order.
std::vector<std::array<std::uint16_t, 3>> face_mesh_triangles();

// MediaPipe's name of the set: "FACEMESH_LEFT_EYE".
std::string_view face_mesh_set_name(FaceMeshSet set);
// Where the data came from: "@mediapipe/face_mesh@0.4.1657299874 (Apache-2.0), file face_mesh.js".
std::string_view face_mesh_topology_source();

}  // namespace semblend
