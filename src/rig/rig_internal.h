// Internal to the rig: the landmark structure the shapes are authored against (eye lid chains, lip
// loops, lip regions, brows, the mouth line, the jaw), derived from MediaPipe's topology and a
// neutral face, never typed as index lists. Used by rig.cpp (geometry), rig_shapes.cpp (the 52
// fields) and identity.cpp.
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <vector>

#include "semblend/rig.h"
#include "semblend/topology.h"

namespace semblend::rig_detail {

using V3 = Eigen::Vector3f;
inline V3 v3(const Point3& p) {
  return {p.x, p.y, p.z};
}
inline Point3 p3(const V3& v) {
  return {v.x(), v.y(), v.z()};
}

// 1 at t <= 0, 0 at t >= 1, smooth (Hermite) in between.
inline float fall(float t) {
  if (t <= 0) return 1;
  if (t >= 1) return 0;
  return 1 - t * t * (3 - 2 * t);
}
// 0 below a, 1 above b, smooth in between.
inline float ramp(float v, float a, float b) {
  return 1 - fall((v - a) / (b - a));
}

enum class LipPart : std::uint8_t { None, Upper, Lower, Corner };

struct FaceFeatures {
  std::vector<V3> lm;  // the 478 landmarks
  struct Eye {
    // Lid margins from the inner to the outer corner, both corners included.
    std::vector<int> upper, lower;
    int inner = 0, outer = 0;
  };
  std::array<Eye, 2> eye;  // [0] the subject's left (+x), [1] right
  // Lip loops, each chain from the right corner (-x) to the left corner (+x), corners included.
  std::vector<int> outer_upper, outer_lower, inner_upper, inner_lower;
  std::vector<LipPart> lip;                  // per landmark: which lip it belongs to
  std::array<std::vector<int>, 2> brow;      // brow landmarks per side
  std::vector<int> face_oval;                // ordered loop
  std::vector<std::vector<int>> neighbours;  // mesh adjacency of the 468 mesh points

  // y of the lip line (between the inner lips) at x; flat beyond the corners.
  float mouth_line(float x) const;
  // How much of the lower face (the mandible) a point follows: 1 on the chin and lower lip, 0 on
  // the upper lip and above, smooth across the cheeks up toward the jaw hinge.
  float jaw_weight(const V3& p, LipPart lip) const;
  // Geometry shortcuts.
  V3 eye_center(int side) const;  // midpoint of the lid opening
  float mouth_half_width() const;
  V3 mouth_corner(int side) const;  // outer lip corner
};
FaceFeatures face_features(const std::vector<V3>& landmarks);
// face_features of the neutral face, built once (thread-safe): the chains and corners, which the
// topology fixes for every identity.
const FaceFeatures& neutral_features();

// The jaw's motion (jawOpen's rotation about the hinge plus the condyle's glide), as a function
// of the neutral position; linearised at weight 1.
V3 jaw_open_delta(const FaceFeatures& f, const V3& p);

// The eyeballs as the rig builds them.
struct EyeGeometry {
  V3 center, radii;
  V3 iris_dir;        // unit, from the centre through the iris centre
  float iris_angle;   // half-angle of the iris cone (radians)
  float pupil_angle;  // half-angle of the pupil cone
};
EyeGeometry eye_geometry(const FaceFeatures& f, int side);

// How an added (non-landmark) vertex moves with the shapes.
struct Driver {
  enum Kind : std::uint8_t { Static, Follow, Jaw, Tongue, EyeLeft, EyeRight } kind = Static;
  int source = -1;   // Follow: the landmark (or earlier vertex) it follows
  float factor = 1;  // Follow/Jaw: fraction of the motion
};

// The 52 displacement fields and correctives, for a rig whose geometry and drivers are built.
void build_shapes(const FaceFeatures& f, const std::vector<Driver>& drivers, Rig& rig);

// Identity deformation of the 478 landmarks.
std::vector<V3> apply_identity(const std::vector<V3>& landmarks, const Identity& id);

}  // namespace semblend::rig_detail
