// The rig's geometry: MediaPipe's face mesh plus eyeballs, the mouth interior, teeth, tongue, a
// head and a neck; its mirror map; posing.
#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "rig/rig_internal.h"
#include "semblend/face_model.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

using rig_detail::Driver;
using rig_detail::FaceFeatures;
using rig_detail::LipPart;
using rig_detail::V3;

struct Builder {
  std::vector<V3> pos;
  std::vector<Driver> drivers;
  std::vector<RigTriangle> tris;

  int add(const V3& p, Driver d) {
    pos.push_back(p);
    drivers.push_back(d);
    return static_cast<int>(pos.size()) - 1;
  }
  // A triangle wound so that its normal points away from `inside` (toward it if !outward).
  void tri(int a, int b, int c, RigPart part, const V3& inside, bool outward = true) {
    if (a == b || b == c || a == c) return;
    const V3 n = (pos[b] - pos[a]).cross(pos[c] - pos[a]);
    const V3 centroid = (pos[a] + pos[b] + pos[c]) / 3;
    const bool away = n.dot(centroid - inside) > 0;
    if (away != outward) std::swap(b, c);
    tris.push_back({{std::uint32_t(a), std::uint32_t(b), std::uint32_t(c)}, part});
  }
  // Quads between two rings of equal length (closed when `closed`).
  void strip(const std::vector<int>& r0, const std::vector<int>& r1, bool closed, RigPart part,
             const V3& inside, bool outward = true) {
    const std::size_t n = r0.size(), m = closed ? n : n - 1;
    for (std::size_t k = 0; k < m; ++k) {
      const std::size_t k1 = (k + 1) % n;
      tri(r0[k], r0[k1], r1[k1], part, inside, outward);
      tri(r0[k], r1[k1], r1[k], part, inside, outward);
    }
  }
};

RigPart face_triangle_part(const FaceFeatures& f, const std::array<std::uint16_t, 3>& t) {
  int lips = 0, brow[2] = {0, 0}, upper_lid = 0;
  for (int v : t) {
    lips += f.lip[v] != LipPart::None;
    for (int s = 0; s < 2; ++s) {
      brow[s] += std::count(f.brow[s].begin(), f.brow[s].end(), v) > 0;
      upper_lid += std::count(f.eye[s].upper.begin(), f.eye[s].upper.end(), v) > 0;
    }
  }
  if (lips == 3) return RigPart::Lips;
  if (brow[0] == 3 || brow[1] == 3) return RigPart::Brow;
  if (upper_lid >= 2) {
    // The margin itself: a thin band, not the long triangles that reach up the lid.
    float longest = 0;
    for (int k = 0; k < 3; ++k)
      longest = std::max(longest, (f.lm[t[k]] - f.lm[t[(k + 1) % 3]]).norm());
    if (longest < 0.55f) return RigPart::LashLine;
  }
  return RigPart::Skin;
}

void add_eyeball(Builder& b, const FaceFeatures& f, int side) {
  const rig_detail::EyeGeometry g = rig_detail::eye_geometry(f, side);
  const V3 w = g.iris_dir;
  const V3 u = V3::UnitY().cross(w).normalized();
  const V3 v = w.cross(u);
  const Driver d{side == 0 ? Driver::EyeLeft : Driver::EyeRight};
  const std::vector<float> rings{0.5f * g.pupil_angle,
                                 g.pupil_angle,
                                 0.5f * (g.pupil_angle + g.iris_angle),
                                 g.iris_angle,
                                 g.iris_angle + 0.15f,
                                 0.75f,
                                 1.05f,
                                 1.35f,
                                 1.65f,
                                 1.95f,
                                 2.25f};
  constexpr int kSegments = 24;
  auto at = [&](float theta, float phi) {
    const V3 dir = std::cos(theta) * w + std::sin(theta) * (std::cos(phi) * u + std::sin(phi) * v);
    return V3(g.center + (g.radii.array() * dir.array()).matrix());
  };
  const int pole = b.add(at(0, 0), d);
  std::vector<std::vector<int>> ring_ids;
  for (float theta : rings) {
    std::vector<int> r;
    for (int k = 0; k < kSegments; ++k)
      r.push_back(b.add(at(theta, 2 * float(kPi) * k / kSegments), d));
    ring_ids.push_back(std::move(r));
  }
  for (int k = 0; k < kSegments; ++k)
    b.tri(pole, ring_ids[0][k], ring_ids[0][(k + 1) % kSegments], RigPart::Pupil, g.center);
  for (std::size_t r = 1; r < rings.size(); ++r) {
    const RigPart part = r <= 1 ? RigPart::Pupil : r <= 3 ? RigPart::Iris : RigPart::EyeWhite;
    b.strip(ring_ids[r - 1], ring_ids[r], true, part, g.center);
  }
}

// The inner lip loop, in order (right corner, along the upper lip to the left corner, back along
// the lower lip).
std::vector<int> inner_lip_loop(const FaceFeatures& f) {
  std::vector<int> loop = f.inner_upper;
  for (auto it = f.inner_lower.rbegin() + 1; it + 1 != f.inner_lower.rend(); ++it)
    loop.push_back(*it);
  return loop;
}

void add_mouth(Builder& b, const FaceFeatures& f) {
  const std::vector<int> loop = inner_lip_loop(f);
  V3 m = V3::Zero();
  for (int i : loop) m += f.lm[i];
  m /= float(loop.size());
  auto lip_of = [&](int i) { return f.lip[i]; };

  // The mouth cavity: a dark bag behind the lip opening. Its first ring follows the lips, its deep
  // ring and back follow the jaw (lower half) or the skull (upper half).
  std::vector<int> ring1, ring2;
  for (int i : loop) {
    const V3 p = f.lm[i];
    ring1.push_back(b.add(p + V3(0, 0, -0.45f) + 0.08f * (m - p), {Driver::Follow, i, 1}));
  }
  for (int i : loop) {
    const V3 p = f.lm[i];
    const LipPart lp = lip_of(i);
    const float dy = lp == LipPart::Upper ? 0.7f : lp == LipPart::Lower ? -1.1f : -0.2f;
    const V3 q(m.x() + 0.8f * (p.x() - m.x()), p.y() + dy, m.z() - 1.9f);
    const Driver d = lp == LipPart::Upper   ? Driver{Driver::Static}
                     : lp == LipPart::Lower ? Driver{Driver::Jaw, -1, 1}
                                            : Driver{Driver::Jaw, -1, 0.5f};
    ring2.push_back(b.add(q, d));
  }
  const int back = b.add(m + V3(0, -0.3f, -3.2f), {Driver::Jaw, -1, 0.5f});
  const V3 axis = m + V3(0, 0, -1.5f);
  b.strip(loop, ring1, true, RigPart::MouthInterior, axis, false);
  b.strip(ring1, ring2, true, RigPart::MouthInterior, axis, false);
  for (std::size_t k = 0; k < ring2.size(); ++k)
    b.tri(ring2[k], ring2[(k + 1) % ring2.size()], back, RigPart::MouthInterior, axis, false);

  // Teeth: an upper and a lower arch behind the lips, hidden while the lips are together.
  const float half = 0.5f * (f.lm[f.inner_upper.back()].x() - f.lm[f.inner_upper.front()].x());
  const float w = 0.85f * half;
  const float z_front = f.lm[f.inner_upper[f.inner_upper.size() / 2]].z() - 0.35f;
  constexpr int kColumns = 13;
  auto arch = [&](float top_off, float bottom_off, float z_off, Driver d) {
    std::vector<int> top, bottom;
    for (int k = 0; k < kColumns; ++k) {
      const float x = -w + 2 * w * float(k) / (kColumns - 1);
      const float z = z_front + z_off - 1.0f * (x / w) * (x / w);
      const float y = f.mouth_line(x);
      top.push_back(b.add(V3(x, y + top_off, z), d));
      bottom.push_back(b.add(V3(x, y + bottom_off, z), d));
    }
    b.strip(top, bottom, false, RigPart::Teeth, V3(0, m.y(), z_front - 3), true);
  };
  arch(1.0f, -0.08f, 0, {Driver::Static});
  arch(-0.12f, -0.55f, -0.12f, {Driver::Jaw, -1, 1});

  // The tongue: a low dome on the floor of the mouth; moves with the jaw and sticks out.
  const V3 c(0, f.mouth_line(0) - 1.1f, z_front - 2.0f);
  const V3 r(0.8f * w, 0.55f, 1.7f);
  const Driver td{Driver::Tongue};
  const int apex = b.add(c + V3(0, r.y(), 0), td);
  std::vector<std::vector<int>> rings;
  constexpr int kTongueSegments = 16;
  for (float rad : {0.35f, 0.65f, 0.88f, 1.0f}) {
    std::vector<int> ring;
    for (int k = 0; k < kTongueSegments; ++k) {
      const float phi = 2 * float(kPi) * k / kTongueSegments;
      const float y = r.y() * std::sqrt(std::max(0.0f, 1 - rad * rad));
      ring.push_back(
          b.add(c + V3(r.x() * rad * std::cos(phi), y, r.z() * rad * std::sin(phi)), td));
    }
    rings.push_back(std::move(ring));
  }
  const V3 below = c - V3(0, 1, 0);
  for (int k = 0; k < kTongueSegments; ++k)
    b.tri(apex, rings[0][k], rings[0][(k + 1) % kTongueSegments], RigPart::Tongue, below);
  for (std::size_t k = 1; k < rings.size(); ++k)
    b.strip(rings[k - 1], rings[k], true, RigPart::Tongue, below);
}

// A head around the face: the face oval continued over an ellipsoidal skull to the back, hair on
// top and at the back, and a neck. It steadies the face outline for the landmarker and makes the
// renders read as a head.
void add_head(Builder& b, const FaceFeatures& f) {
  const V3 c(0, 1.0f, -6.5f);
  const V3 axes(7.4f, 11.0f, 10.5f);
  const V3 back_pole(0, 0, -1);
  const std::vector<float> ts{0.12f, 0.3f, 0.5f, 0.72f, 0.9f};
  std::vector<std::vector<int>> rings{f.face_oval};
  for (float t : ts) {
    std::vector<int> ring;
    for (int i : f.face_oval) {
      const V3 u = ((f.lm[i] - c).array() / axes.array()).matrix();
      const float len = u.norm();
      const V3 n = u / len;
      // Slerp from the oval point's direction to the back of the head.
      const float omega = std::acos(std::clamp(n.dot(back_pole), -1.0f, 1.0f));
      V3 dir = n;
      if (omega > 1e-4f)
        dir = (std::sin((1 - t) * omega) * n + std::sin(t * omega) * back_pole) / std::sin(omega);
      const float scale = len + (1 - len) * std::min(1.0f, t * 2.5f);
      const V3 p = c + (axes.array() * (dir * scale).array()).matrix();
      const float follow = (1 - t) * (1 - t) * (1 - t);
      ring.push_back(b.add(p, {Driver::Follow, i, follow}));
    }
    rings.push_back(std::move(ring));
  }
  const int pole = b.add(c + (axes.array() * back_pole.array()).matrix(), {Driver::Static});
  // Hair above a line that runs from the temples back and down behind the ears; the first ring
  // above the face outline stays skin (a forehead up to the hairline, as the landmarker expects).
  const std::size_t first_ring_end = b.pos.size() - (ts.size() - 1) * f.face_oval.size();
  auto part_of = [&](int a, int bb, int cc) {
    const V3 m = (b.pos[a] + b.pos[bb] + b.pos[cc]) / 3;
    const bool forehead = std::size_t(std::max({a, bb, cc})) < first_ring_end;
    return !forehead && m.y() > 2.3f + 0.55f * (m.z() + 7.0f) ? RigPart::Hair : RigPart::Skin;
  };
  for (std::size_t r = 1; r < rings.size(); ++r) {
    const auto& r0 = rings[r - 1];
    const auto& r1 = rings[r];
    for (std::size_t k = 0; k < r0.size(); ++k) {
      const std::size_t k1 = (k + 1) % r0.size();
      b.tri(r0[k], r0[k1], r1[k1], part_of(r0[k], r0[k1], r1[k1]), c);
      b.tri(r0[k], r1[k1], r1[k], part_of(r0[k], r1[k1], r1[k]), c);
    }
  }
  const auto& last = rings.back();
  for (std::size_t k = 0; k < last.size(); ++k)
    b.tri(last[k], last[(k + 1) % last.size()], pole,
          part_of(last[k], last[(k + 1) % last.size()], pole), c);

  // The neck: an elliptic cylinder from inside the head down out of any frame.
  constexpr int kNeckSegments = 24;
  std::vector<std::vector<int>> neck;
  for (float y : {-2.0f, -8.0f, -14.0f, -22.0f}) {
    std::vector<int> ring;
    for (int k = 0; k < kNeckSegments; ++k) {
      const float phi = 2 * float(kPi) * k / kNeckSegments;
      ring.push_back(
          b.add(V3(5.9f * std::cos(phi), y, -8.6f + 5.0f * std::sin(phi)), {Driver::Static}));
    }
    neck.push_back(std::move(ring));
  }
  for (std::size_t r = 1; r < neck.size(); ++r) {
    const auto& r0 = neck[r - 1];
    const auto& r1 = neck[r];
    for (int k = 0; k < kNeckSegments; ++k) {
      const int k1 = (k + 1) % kNeckSegments;
      const V3 axis(0, b.pos[r0[k]].y(), -8.6f);
      b.tri(r0[k], r0[k1], r1[k1], RigPart::Neck, axis);
      b.tri(r0[k], r1[k1], r1[k], RigPart::Neck, axis);
    }
  }
}

// Ears: a flattened ellipsoid on each side, behind the temples at eye-to-nose height. They are
// not for looks: without them the landmarker puts the cheek contour of a turned head too far back.
void add_ears(Builder& b, const FaceFeatures& f) {
  float side_x = 0, side_z = 0;  // the face oval's widest point
  for (int i : f.face_oval)
    if (f.lm[i].x() > side_x) {
      side_x = f.lm[i].x();
      side_z = f.lm[i].z();
    }
  const float eye_y = 0.5f * (f.lm[f.eye[0].outer].y() + f.lm[f.eye[1].outer].y());
  constexpr int kRings = 8, kSegments = 12;
  for (float sx : {1.0f, -1.0f}) {
    const V3 c(sx * (side_x + 0.3f), eye_y - 1.9f, side_z - 1.6f);
    const V3 r(0.55f, 3.0f, 1.7f);
    const Eigen::Matrix3f tilt =
        Eigen::AngleAxisf(-0.25f, V3::UnitX()).toRotationMatrix();  // top leans back
    auto at = [&](float theta, float phi) {
      const V3 d(std::sin(theta) * std::cos(phi), std::cos(theta), std::sin(theta) * std::sin(phi));
      return V3(c + tilt * V3(r.x() * d.x() * sx, r.y() * d.y(), r.z() * d.z()));
    };
    const int top = b.add(at(0, 0), {Driver::Static});
    std::vector<std::vector<int>> rings;
    for (int k = 1; k < kRings; ++k) {
      std::vector<int> ring;
      for (int j = 0; j < kSegments; ++j)
        ring.push_back(
            b.add(at(float(kPi) * k / kRings, 2 * float(kPi) * j / kSegments), {Driver::Static}));
      rings.push_back(std::move(ring));
    }
    const int bottom = b.add(at(float(kPi), 0), {Driver::Static});
    for (int j = 0; j < kSegments; ++j) {
      b.tri(top, rings.front()[j], rings.front()[(j + 1) % kSegments], RigPart::Skin, c);
      b.tri(bottom, rings.back()[j], rings.back()[(j + 1) % kSegments], RigPart::Skin, c);
    }
    for (std::size_t k = 1; k < rings.size(); ++k)
      b.strip(rings[k - 1], rings[k], true, RigPart::Skin, c);
  }
}

std::vector<std::uint32_t> mirror_map(const std::vector<V3>& pos) {
  std::vector<std::uint32_t> m(pos.size());
  const auto& lm_mirror = landmark_mirror_map();
  for (std::size_t i = 0; i < pos.size(); ++i) {
    if (i < kLandmarkCount) {
      m[i] = lm_mirror[i];
      continue;
    }
    const V3 r(-pos[i].x(), pos[i].y(), pos[i].z());
    float best = 1e30f;
    for (std::size_t j = kLandmarkCount; j < pos.size(); ++j) {
      const float d = (pos[j] - r).squaredNorm();
      if (d < best) {
        best = d;
        m[i] = std::uint32_t(j);
      }
    }
    if (best > 1e-6f)
      throw std::logic_error("rig geometry is not left/right symmetric at vertex " +
                             std::to_string(i));
  }
  return m;
}

Rig make_rig(const Identity& identity) {
  const auto values = identity_values(identity);
  const auto names = identity_parameter_names();
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]) || std::abs(values[k]) > 6)
      throw std::invalid_argument("identity parameter " + std::string(names[k]) + " is " +
                                  std::to_string(values[k]) +
                                  ": identity parameters must lie in [-6, 6] standard deviations");
  const FaceShape& base = neutral_face();
  std::vector<V3> lm;
  for (const Point3& p : base) lm.push_back(rig_detail::v3(p));
  lm = rig_detail::apply_identity(lm, identity);
  const FaceFeatures f = rig_detail::face_features(lm);

  Builder b;
  for (const V3& p : lm) b.add(p, {Driver::Static});
  for (const auto& t : face_mesh_triangles())
    b.tris.push_back({{t[0], t[1], t[2]}, face_triangle_part(f, t)});
  add_eyeball(b, f, 0);
  add_eyeball(b, f, 1);
  add_mouth(b, f);
  add_head(b, f);
  add_ears(b, f);

  Rig rig;
  rig.identity = identity;
  for (const V3& p : b.pos) rig.neutral.push_back(rig_detail::p3(p));
  rig.triangles = std::move(b.tris);
  rig.mirror = mirror_map(b.pos);
  const auto le = rig_detail::eye_geometry(f, 0), re = rig_detail::eye_geometry(f, 1);
  rig.left_eye_center = rig_detail::p3(le.center);
  rig.right_eye_center = rig_detail::p3(re.center);
  rig.eye_radii = rig_detail::p3(le.radii);
  rig_detail::build_shapes(f, b.drivers, rig);
  return rig;
}

}  // namespace

std::string_view rig_part_name(RigPart part) {
  static constexpr std::array<std::string_view, kRigPartCount> kNames{
      "skin",  "lips",           "brow",  "lash_line", "eye_white", "iris",
      "pupil", "mouth_interior", "teeth", "tongue",    "hair",      "neck"};
  const auto i = static_cast<std::size_t>(part);
  if (i >= kNames.size()) throw std::invalid_argument("not a RigPart");
  return kNames[i];
}

const Rig& default_rig() {
  static const Rig rig = make_rig(Identity{});
  return rig;
}

Rig build_rig(const Identity& identity) {
  return make_rig(identity);
}

Rig landmark_rig(Rig rig) {
  auto keep_landmarks = [](std::vector<Point3>& v) {
    v.resize(kLandmarkCount);
    v.shrink_to_fit();
  };
  keep_landmarks(rig.neutral);
  for (auto& d : rig.deltas) keep_landmarks(d);
  for (RigCorrective& c : rig.correctives) keep_landmarks(c.delta);
  rig.triangles = {};
  rig.mirror = {};
  return rig;
}

std::vector<Point3> pose_rig(const Rig& rig, const Coefficients& weights) {
  std::array<float, kBlendshapeCount> w = weights.values();
  for (std::size_t i = 0; i < kBlendshapeCount; ++i)
    if (!std::isfinite(w[i]))
      throw std::invalid_argument("pose_rig: weight of " + std::string(kBlendshapes[i].apple_name) +
                                  " is not a number");
  // mouthClose means "lips together while the jaw is open": never more than jawOpen.
  auto& close = w[index_of(Blendshape::MouthClose)];
  close = std::min(close, std::max(0.0f, w[index_of(Blendshape::JawOpen)]));

  std::vector<Point3> out = rig.neutral;
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    if (w[s] == 0) continue;
    const auto& d = rig.deltas[s];
    for (std::size_t v = 0; v < out.size(); ++v) {
      out[v].x += w[s] * d[v].x;
      out[v].y += w[s] * d[v].y;
      out[v].z += w[s] * d[v].z;
    }
  }
  for (const RigCorrective& c : rig.correctives) {
    const float k = w[index_of(c.a)] * w[index_of(c.b)];
    if (k == 0) continue;
    for (std::size_t v = 0; v < out.size(); ++v) {
      out[v].x += k * c.delta[v].x;
      out[v].y += k * c.delta[v].y;
      out[v].z += k * c.delta[v].z;
    }
  }
  return out;
}

const rig_detail::FaceFeatures& rig_detail::neutral_features() {
  static const FaceFeatures features = [] {
    std::vector<V3> lm;
    for (const Point3& p : neutral_face()) lm.push_back(rig_detail::v3(p));
    return rig_detail::face_features(lm);
  }();
  return features;
}

float lip_gap(const std::vector<Point3>& posed) {
  if (posed.size() < kLandmarkCount)
    throw std::invalid_argument("lip_gap needs the 478 landmarks, got " +
                                std::to_string(posed.size()) + " points");
  // The inner lip chains come from the topology; both run corner to corner with facing points at
  // the same positions (MediaPipe's inner lips: 13 over 14, 82 over 87, ...).
  const rig_detail::FaceFeatures& features = rig_detail::neutral_features();
  const auto& up = features.inner_upper;
  const auto& lo = features.inner_lower;
  float gap = -std::numeric_limits<float>::infinity();
  for (std::size_t i = 1; i + 1 < std::min(up.size(), lo.size()); ++i)
    gap = std::max(
        gap, posed[static_cast<std::size_t>(up[i])].y - posed[static_cast<std::size_t>(lo[i])].y);
  return gap;
}

}  // namespace semblend
