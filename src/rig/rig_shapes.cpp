// The 52 blendshapes of the rig: one table row per shape (pairs share a row: the Right shape is
// the exact mirror of the Left one), the displacement field each row describes, and the
// correctives. Amounts are centimetres at weight 1 on an adult face (9 cm between the outer eye
// corners).
#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <stdexcept>

#include "rig/rig_internal.h"

namespace semblend {
namespace rig_detail {
namespace {

using B = Blendshape;

// Named anchor landmarks (MediaPipe indices) the shapes are placed by; everything else comes from
// the topology sets.
constexpr int kLeftAla = 327;  // the subject's left nostril wing (mirror: 98)
constexpr int kChin = landmark::kChin;
constexpr float kCloseTuck = 0.6f;  // cm the jaw's interior moves back at mouthClose 1

constexpr RigShapeRow kRows[] = {
    {B::EyeBlinkLeft, "left upper and lower lid margins, the lid skin above and below",
     "upper margin down onto a closing line 30% of the way up from the lower margin; lower margin "
     "up to the same line; the line is kept outside the eyeball",
     "lid skin follows its margin within 0.9 cm (upper, 85%) and 0.5 cm (lower)",
     "AU45/43: orbicularis oculi closes the palpebral fissure; the upper lid does most of the "
     "travel"},
    {B::EyeLookDownLeft, "left eyeball and iris; upper lid",
     "eyeball rotates 20° down about its centre; upper margin follows down 0.22 cm, lower 0.08 cm",
     "rigid eyeball; lid skin within 0.9 cm", "Apple: eyelids consistent with a downward gaze"},
    {B::EyeLookInLeft, "left eyeball and iris", "eyeball rotates 25° toward the nose",
     "rigid eyeball", "medial rectus; ARKit's eyeLookIn is gaze toward the nose"},
    {B::EyeLookOutLeft, "left eyeball and iris", "eyeball rotates 25° toward the ear",
     "rigid eyeball", "lateral rectus"},
    {B::EyeLookUpLeft, "left eyeball and iris; upper lid",
     "eyeball rotates 18° up; upper margin up 0.12 cm", "rigid eyeball; lid skin within 0.9 cm",
     "superior rectus with levator palpebrae: the lid rises with the gaze"},
    {B::EyeSquintLeft, "left lower lid and the skin below it; a little of the upper lid",
     "lower margin up 0.22 cm and 0.05 cm toward the nose; upper margin down 0.06 cm",
     "lower lid skin within 1.2 cm", "AU44/7: lid tightener narrows the eye from below"},
    {B::EyeWideLeft, "left upper lid and the skin up to the crease",
     "upper margin up 0.28 cm (sine profile, corners fixed), slightly outward; lower margin down "
     "0.05 cm",
     "lid skin within 1.0 cm (70%)", "AU5: levator palpebrae superioris widens the eye"},
    {B::JawForward, "mandible: chin, lower lip, lower teeth, tongue", "forward 0.8 cm, down 0.1 cm",
     "jaw weight (1 on chin and lower lip, fading up the cheeks)",
     "AU29: lateral pterygoids protrude the jaw"},
    {B::JawLeft, "mandible", "toward the subject's left 0.9 cm", "jaw weight",
     "AU30: lateral jaw shift"},
    {B::JawOpen, "mandible: chin, lower lip, lower teeth, tongue, the mouth cavity's floor",
     "rotation 20° about the jaw hinges (2.8 cm below eye level, 1.5 cm behind the face outline) "
     "plus the condyles' glide 1.8 cm forward and 0.4 cm down: the lower lip drops ~3 cm",
     "jaw weight: 1 below the lip line, fading over 1.5 cm across the cheeks toward the hinge",
     "AU26/27: the jaw drops; the upper lip stays with the skull"},
    {B::MouthClose, "both lips",
     "upper lip down by half the jaw-open gap, lower lip up by half its own jaw-open motion: "
     "with jawOpen at the same weight the lips meet",
     "lips only (the mouth cavity follows the lips); the jaw's interior tucks 0.6 cm back",
     "ARKit: lips closed while the jaw is open; pose_rig limits it to jawOpen"},
    {B::MouthFunnel, "lips and the skin around the mouth",
     "lips narrow 22% toward the midline, protrude 0.5 cm, open into an O (upper up 0.15, lower "
     "down 0.2), the inner lips flare forward 0.1 cm",
     "1 on the lips, fading over an ellipse 3.6 × 2.4 cm around the mouth",
     "AU22: lip funneler (orbicularis oris) rounds and everts the lips"},
    {B::MouthPucker, "lips and the skin around the mouth",
     "lips narrow 30% toward the midline and protrude 0.6 cm, pressed together slightly",
     "1 on the lips, fading over an ellipse 3.6 × 2.4 cm", "AU18: lip pucker (incisivus)"},
    {B::MouthLeft, "the whole mouth", "toward the subject's left 0.8 cm",
     "1 on the lips, fading over an ellipse 3.8 × 3.0 cm", "the mouth pulled sideways"},
    {B::MouthSmileLeft, "left lip corner, cheek, lower lid",
     "corner up 0.55, back 0.35, out 0.35 cm; cheek up 0.3 cm; lower lid up 0.05 cm",
     "2.2 cm around the corner; cheek 2.5 cm around the cheek prominence",
     "AU12: zygomaticus major pulls the corner up and back, raising the cheek"},
    {B::MouthFrownLeft, "left lip corner", "corner down 0.45 cm and out 0.1 cm",
     "1.8 cm around the corner", "AU15: depressor anguli oris"},
    {B::MouthDimpleLeft, "left lip corner", "corner back 0.3 cm and out 0.25 cm",
     "1.4 cm around the corner", "AU14: buccinator tightens the corner backward"},
    {B::MouthStretchLeft, "left lip corner and lower lip",
     "corner out 0.45, down 0.25, back 0.15 cm", "2.0 cm around the corner",
     "AU20: risorius / platysma stretch the lips sideways"},
    {B::MouthRollLower, "lower lip", "lower lip up 0.22 and back 0.4 cm, its outer border more",
     "lower lip; chin skin within 0.8 cm", "AU28: the lower lip rolls in over the teeth"},
    {B::MouthRollUpper, "upper lip", "upper lip down 0.2 and back 0.4 cm, its outer border more",
     "upper lip; skin within 0.8 cm", "AU28: the upper lip rolls in"},
    {B::MouthShrugLower, "lower lip and chin", "lower lip up 0.35, forward 0.15; chin up 0.3 cm",
     "lower lip; chin ellipse 2.5 × 2.0 cm", "AU17: mentalis pushes the chin and lower lip up"},
    {B::MouthShrugUpper, "upper lip", "upper lip up 0.25 and forward 0.15 cm",
     "upper lip; skin within 0.8 cm", "the upper lip raised and pushed out"},
    {B::MouthPressLeft, "left half of both lips",
     "lips pressed: each lip 50% closer to the lip line (thinner), corner in 0.05 cm",
     "lips, fading across the midline", "AU24: lip presser"},
    {B::MouthLowerDownLeft, "left half of the lower lip", "down 0.45 cm, out 0.05 cm",
     "lower lip, fading across the midline; chin skin within 0.6 cm",
     "AU16: depressor labii inferioris"},
    {B::MouthUpperUpLeft, "left half of the upper lip", "up 0.4 cm; nasolabial skin up 0.15 cm",
     "upper lip, fading across the midline; skin within 1.0 cm", "AU10: levator labii superioris"},
    {B::BrowDownLeft, "left brow and forehead above the lid crease",
     "down 0.45 cm, inner end 0.15 cm toward the midline", "ellipse 3.0 × 1.6 cm around the brow",
     "AU4: corrugator and depressor supercilii"},
    {B::BrowInnerUp, "inner ends of both brows, central forehead", "up 0.8 cm",
     "ellipse 2.0 × 2.5 cm around each inner brow end",
     "AU1: the frontalis' medial part raises the inner brows"},
    {B::BrowOuterUpLeft, "outer end of the left brow", "up 0.8 cm",
     "2.2 cm around the outer brow end", "AU2: the frontalis' lateral part"},
    {B::CheekPuff, "both cheeks; lips",
     "cheeks out 0.9 cm along their outward normal; lips "
     "protrude 0.2 cm",
     "ellipse 2.4 × 2.4 cm on each cheek beside the mouth", "air in the cheeks (AU33/34)"},
    {B::CheekSquintLeft, "left cheek and lower lid", "cheek up 0.5 cm, lower lid up 0.18 cm",
     "ellipse 2.2 × 1.6 cm below the eye", "AU6: orbicularis oculi, orbital part"},
    {B::NoseSneerLeft, "left nostril wing, side of the nose, upper lip",
     "nostril wing up 0.45 cm; side of the nose up 0.3; upper lip near it up 0.15; inner brow "
     "down 0.1 cm",
     "1.6 cm around the wing", "AU9: levator labii superioris alaeque nasi wrinkles the nose"},
    {B::TongueOut, "tongue; lips part",
     "tongue forward 2.8 cm and down 0.35 cm; lower lip down "
     "0.3, upper lip up 0.08 cm",
     "rigid tongue", "the tongue extends past the lips"},
};

B mirror_of(B s) {
  return info(s).mirror;
}

struct Field {
  const FaceFeatures& f;
  const std::vector<V3>& lm;
  explicit Field(const FaceFeatures& ff) : f(ff), lm(ff.lm) {}

  static float near(const V3& p, const V3& c, float r) { return fall((p - c).norm() / r); }
  static float near_e(const V3& p, const V3& c, const V3& r) {
    return fall(((p - c).array() / r.array()).matrix().norm());
  }
  bool in_lips(int v) const { return f.lip[v] != LipPart::None; }
  LipPart lip(int v) const { return f.lip[v]; }
  V3 mouth_center() const {
    return 0.5f * (lm[f.outer_upper.front()] + lm[f.outer_upper.back()]) + V3(0, 0, 1.0f);
  }
  // 1 on the lips, fading over an ellipse around the mouth.
  float mouth_weight(int v, float rx, float ry) const {
    if (v < static_cast<int>(kFaceMeshLandmarks) && in_lips(v)) return 1;
    const V3 c = 0.5f * (lm[f.outer_upper.front()] + lm[f.outer_upper.back()]);
    const V3& p = lm[v];
    const float hx = f.mouth_half_width();
    const float dx = std::max(0.0f, std::abs(p.x()) - hx * 0.6f);
    const float dy = p.y() - c.y();
    return fall(std::hypot(dx / rx, dy / ry));
  }
  // Spreads handle deltas to the vertices `mask` accepts, fading with distance over `radius`.
  void spread(std::vector<V3>& d, const std::vector<int>& handles, float radius, float factor,
              const std::function<bool(int)>& mask) const {
    for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v) {
      const int vi = static_cast<int>(v);
      if (std::find(handles.begin(), handles.end(), vi) != handles.end() || !mask(vi)) continue;
      V3 sum = V3::Zero();
      float wsum = 0, dmin = 1e9f;
      for (int h : handles) {
        const float dist = (lm[v] - lm[h]).norm();
        dmin = std::min(dmin, dist);
        const float w = 1 / (dist * dist + 1e-3f);
        sum += w * d[h];
        wsum += w;
      }
      d[v] += factor * fall(dmin / radius) * sum / wsum;
    }
  }
  // Position on a lid chain at x (linear between the chain's points).
  V3 chain_at(const std::vector<int>& chain, float x) const {
    std::vector<int> c = chain;
    std::sort(c.begin(), c.end(), [&](int a, int b) { return lm[a].x() < lm[b].x(); });
    if (x <= lm[c.front()].x()) return lm[c.front()];
    for (std::size_t k = 1; k < c.size(); ++k)
      if (x <= lm[c[k]].x()) {
        const float t = (x - lm[c[k - 1]].x()) / std::max(1e-6f, lm[c[k]].x() - lm[c[k - 1]].x());
        return lm[c[k - 1]] + t * (lm[c[k]] - lm[c[k - 1]]);
      }
    return lm[c.back()];
  }
  // 0 at the corners, 1 at the middle of a lid chain.
  float lid_profile(int side, int v) const {
    const auto& e = f.eye[side];
    const float a = lm[e.inner].x(), b = lm[e.outer].x();
    const float t = std::clamp((lm[v].x() - a) / (b - a), 0.0f, 1.0f);
    return std::sin(float(kPi) * t);
  }
  float lid_line_y(int side, float x) const {
    const auto& e = f.eye[side];
    const V3 a = lm[e.inner], b = lm[e.outer];
    const float t = std::clamp((x - a.x()) / (b.x() - a.x()), 0.0f, 1.0f);
    return a.y() + t * (b.y() - a.y());
  }
  bool upper_lid_skin(int side, int v) const {
    const V3 c = f.eye_center(side);
    const V3& p = lm[v];
    return p.y() > lid_line_y(side, p.x()) && std::abs(p.x() - c.x()) < 2.0f &&
           p.y() < c.y() + 1.6f && !in_lips(v);
  }
  bool lower_lid_skin(int side, int v) const {
    const V3 c = f.eye_center(side);
    const V3& p = lm[v];
    return p.y() < lid_line_y(side, p.x()) && std::abs(p.x() - c.x()) < 2.0f &&
           p.y() > c.y() - 1.6f && !in_lips(v);
  }
  // Lid motion: per-vertex deltas for the upper and lower margins, spread to the lid skin.
  std::vector<V3> lids(int side, const std::function<V3(int)>& upper,
                       const std::function<V3(int)>& lower, float upper_radius, float upper_factor,
                       float lower_radius, float lower_factor) const {
    std::vector<V3> d(kLandmarkCount, V3::Zero());
    const auto& e = f.eye[side];
    for (int v : e.upper) d[v] = upper(v);
    for (int v : e.lower)
      if (v != e.inner && v != e.outer) d[v] = lower(v);
    std::vector<int> up(e.upper.begin(), e.upper.end());
    std::vector<int> low(e.lower.begin(), e.lower.end());
    spread(d, up, upper_radius, upper_factor, [&](int v) { return upper_lid_skin(side, v); });
    spread(d, low, lower_radius, lower_factor, [&](int v) { return lower_lid_skin(side, v); });
    return d;
  }
};

V3 rotate_about(const V3& p, const V3& c, const Eigen::Matrix3f& r) {
  return r * (p - c) + c - p;
}

// The left eyeball's rotation at weight 1 of an eyeLook*Left shape (blendshape.h
// kEyeLookSidewaysDeg …; in is toward the nose, -x for the left eye); none for other shapes. The
// shape's landmark field and its eyeball vertices both turn by it.
std::optional<Eigen::Matrix3f> eye_look_rotation(B s) {
  const float deg = float(kPi) / 180.0f;
  switch (s) {
    case B::EyeLookDownLeft:
      return Eigen::AngleAxisf(kEyeLookDownDeg * deg, V3::UnitX()).toRotationMatrix();
    case B::EyeLookUpLeft:
      return Eigen::AngleAxisf(-kEyeLookUpDeg * deg, V3::UnitX()).toRotationMatrix();
    case B::EyeLookInLeft:
      return Eigen::AngleAxisf(-kEyeLookSidewaysDeg * deg, V3::UnitY()).toRotationMatrix();
    case B::EyeLookOutLeft:
      return Eigen::AngleAxisf(kEyeLookSidewaysDeg * deg, V3::UnitY()).toRotationMatrix();
    default:
      return std::nullopt;
  }
}

}  // namespace

void build_shapes(const FaceFeatures& f, const std::vector<Driver>& drivers, Rig& rig) {
  const std::size_t n = rig.neutral.size();
  const Field F(f);
  const auto& lm = f.lm;
  const int L = 0;  // the Left shapes are authored on the subject's left side (+x)
  const EyeGeometry eye_l = eye_geometry(f, L);
  std::vector<V3> pos(n);
  for (std::size_t v = 0; v < n; ++v) pos[v] = v3(rig.neutral[v]);
  auto is_left_eye_vertex = [&](std::size_t v) {
    return (v >= 473 && v < kLandmarkCount) ||
           (v >= kLandmarkCount && drivers[v].kind == Driver::EyeLeft);
  };
  const V3 jaw_forward(0, -0.1f, 0.8f), jaw_left(0.9f, 0, 0), tongue_out(0, -0.35f, 2.8f);

  // Landmark deltas of one shape (Left shapes on the left side), before the added vertices.
  auto landmark_field = [&](B s) -> std::vector<V3> {
    std::vector<V3> d(kLandmarkCount, V3::Zero());
    const auto& eye = f.eye[L];
    auto per_mesh_vertex = [&](const std::function<V3(int)>& fn) {
      for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v) d[v] = fn(static_cast<int>(v));
    };
    auto eye_rotation = [&](const Eigen::Matrix3f& r) {
      for (std::size_t v = 473; v < kLandmarkCount; ++v)
        d[v] = rotate_about(lm[v], eye_l.center, r);
    };
    const V3 corner = f.mouth_corner(L);
    switch (s) {
      case B::EyeBlinkLeft: {
        auto closing = [&](const V3& lower, const V3& upper) {
          V3 m = lower + 0.3f * (upper - lower);
          const V3 q = ((m - eye_l.center).array() / eye_l.radii.array()).matrix();
          const float rho = q.norm();
          if (rho < 1.08f)
            m = eye_l.center + (eye_l.radii.array() * (q * (1.08f / rho)).array()).matrix();
          return m;
        };
        d = F.lids(
            L,
            [&](int v) -> V3 {
              if (v == eye.inner || v == eye.outer) return V3(V3::Zero());
              return V3(closing(F.chain_at(eye.lower, lm[v].x()), lm[v]) - lm[v]);
            },
            [&](int v) -> V3 {
              return V3(closing(lm[v], F.chain_at(eye.upper, lm[v].x())) - lm[v]);
            },
            0.9f, 0.85f, 0.5f, 0.8f);
        break;
      }
      case B::EyeLookDownLeft:
        d = F.lids(
            L,
            [&](int v) -> V3 {
              return V3(0, -0.22f * F.lid_profile(L, v), -0.03f * F.lid_profile(L, v));
            },
            [&](int v) -> V3 { return V3(0, -0.08f * F.lid_profile(L, v), 0); }, 0.9f, 0.7f, 0.5f,
            0.6f);
        eye_rotation(*eye_look_rotation(s));
        break;
      case B::EyeLookUpLeft:
        d = F.lids(
            L,
            [&](int v) -> V3 {
              return V3(0, 0.12f * F.lid_profile(L, v), 0.02f * F.lid_profile(L, v));
            },
            [&](int v) -> V3 { return V3(0, 0.03f * F.lid_profile(L, v), 0); }, 0.9f, 0.7f, 0.5f,
            0.6f);
        eye_rotation(*eye_look_rotation(s));
        break;
      case B::EyeLookInLeft:  // toward the nose
      case B::EyeLookOutLeft:
        eye_rotation(*eye_look_rotation(s));
        break;
      case B::EyeSquintLeft:
        d = F.lids(
            L, [&](int v) -> V3 { return V3(0, -0.06f * F.lid_profile(L, v), 0); },
            [&](int v) -> V3 {
              return V3(-0.05f * F.lid_profile(L, v), 0.22f * F.lid_profile(L, v), 0.02f);
            },
            0.6f, 0.6f, 1.2f, 0.8f);
        break;
      case B::EyeWideLeft:
        d = F.lids(
            L,
            [&](int v) -> V3 {
              return V3(0, 0.28f * F.lid_profile(L, v), 0.04f * F.lid_profile(L, v));
            },
            [&](int v) -> V3 { return V3(0, -0.05f * F.lid_profile(L, v), 0); }, 1.0f, 0.7f, 0.5f,
            0.6f);
        break;
      case B::JawForward:
        per_mesh_vertex([&](int v) -> V3 { return f.jaw_weight(lm[v], f.lip[v]) * jaw_forward; });
        break;
      case B::JawLeft:
        per_mesh_vertex([&](int v) -> V3 { return f.jaw_weight(lm[v], f.lip[v]) * jaw_left; });
        break;
      case B::JawOpen:
        per_mesh_vertex(
            [&](int v) -> V3 { return f.jaw_weight(lm[v], f.lip[v]) * jaw_open_delta(f, lm[v]); });
        break;
      case B::MouthClose: {
        const int mid_lower = f.inner_lower[f.inner_lower.size() / 2];
        const int mid_upper = f.inner_upper[f.inner_upper.size() / 2];
        const V3 gap = jaw_open_delta(f, lm[mid_lower]);
        // The rest gap between the lips (a relaxed mouth is slightly parted) closes too.
        const V3 rest(0, 0.5f * (lm[mid_upper].y() - lm[mid_lower].y()), 0);
        per_mesh_vertex([&](int v) -> V3 {
          switch (f.lip[v]) {
            case LipPart::Upper:
              return 0.5f * gap - rest;
            case LipPart::Lower:
              return -0.5f * jaw_open_delta(f, lm[v]) + rest;
            default:
              return V3::Zero();
          }
        });
        break;
      }
      case B::MouthFunnel:
        per_mesh_vertex([&](int v) -> V3 {
          const float w = F.mouth_weight(v, 3.6f, 2.4f);
          const float open = f.lip[v] == LipPart::Upper   ? 0.15f
                             : f.lip[v] == LipPart::Lower ? -0.2f
                                                          : 0.0f;
          const bool inner = std::count(f.inner_upper.begin(), f.inner_upper.end(), v) ||
                             std::count(f.inner_lower.begin(), f.inner_lower.end(), v);
          return w * V3(-0.22f * lm[v].x(), open, 0.5f + (inner ? 0.1f : 0.0f));
        });
        break;
      case B::MouthPucker:
        per_mesh_vertex([&](int v) -> V3 {
          const float w = F.mouth_weight(v, 3.6f, 2.4f);
          const float press = f.lip[v] == LipPart::Upper   ? -0.05f
                              : f.lip[v] == LipPart::Lower ? 0.08f
                                                           : 0.0f;
          return w * V3(-0.3f * lm[v].x(), press, 0.6f);
        });
        break;
      case B::MouthLeft:
        per_mesh_vertex(
            [&](int v) -> V3 { return F.mouth_weight(v, 3.8f, 3.0f) * V3(0.8f, 0, 0); });
        break;
      case B::MouthSmileLeft: {
        const V3 cheek = corner + V3(1.4f, 3.4f, 0.5f);
        per_mesh_vertex([&](int v) -> V3 {
          V3 r = Field::near(lm[v], corner, 2.2f) * V3(0.35f, 0.55f, -0.35f) +
                 Field::near(lm[v], cheek, 2.5f) * V3(0, 0.3f, 0.1f);
          if (std::count(eye.lower.begin(), eye.lower.end(), v))
            r += V3(0, 0.05f * F.lid_profile(L, v), 0);
          return r;
        });
        break;
      }
      case B::MouthFrownLeft:
        per_mesh_vertex(
            [&](int v) -> V3 { return Field::near(lm[v], corner, 1.8f) * V3(0.1f, -0.45f, 0); });
        break;
      case B::MouthDimpleLeft:
        per_mesh_vertex([&](int v) -> V3 {
          return Field::near(lm[v], corner, 1.4f) * V3(0.25f, 0.05f, -0.3f);
        });
        break;
      case B::MouthStretchLeft:
        per_mesh_vertex([&](int v) -> V3 {
          V3 r = Field::near(lm[v], corner, 2.0f) * V3(0.45f, -0.25f, -0.15f);
          if (f.lip[v] == LipPart::Lower) r += ramp(lm[v].x(), -0.5f, 1.5f) * V3(0, -0.1f, 0);
          return r;
        });
        break;
      case B::MouthRollLower:
      case B::MouthRollUpper: {
        const bool lower = s == B::MouthRollLower;
        const LipPart part = lower ? LipPart::Lower : LipPart::Upper;
        const auto& border = lower ? f.outer_lower : f.outer_upper;
        const float dir = lower ? 1.0f : -1.0f;
        std::vector<int> handles;
        for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v) {
          if (f.lip[v] != part) continue;
          const bool outer = std::count(border.begin(), border.end(), static_cast<int>(v)) > 0;
          d[v] = V3(0, dir * (0.2f + (outer ? 0.15f : 0.0f)), -(0.4f + (outer ? 0.1f : 0.0f)));
          handles.push_back(static_cast<int>(v));
        }
        F.spread(d, handles, 0.8f, 0.6f, [&](int v) {
          return !F.in_lips(v) && (lower ? lm[v].y() < f.mouth_line(lm[v].x())
                                         : lm[v].y() > f.mouth_line(lm[v].x()));
        });
        break;
      }
      case B::MouthShrugLower: {
        const V3 chin = 0.5f * (lm[kChin] + lm[f.outer_lower[f.outer_lower.size() / 2]]);
        per_mesh_vertex([&](int v) -> V3 {
          if (f.lip[v] == LipPart::Lower) return V3(0, 0.35f, 0.15f);
          if (F.in_lips(v) || lm[v].y() > f.mouth_line(lm[v].x())) return V3::Zero();
          return Field::near_e(lm[v], chin, V3(2.5f, 2.0f, 4.0f)) * V3(0, 0.3f, 0.15f);
        });
        break;
      }
      case B::MouthShrugUpper: {
        std::vector<int> handles;
        for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v)
          if (f.lip[v] == LipPart::Upper) {
            d[v] = V3(0, 0.25f, 0.15f);
            handles.push_back(static_cast<int>(v));
          }
        F.spread(d, handles, 0.8f, 0.6f,
                 [&](int v) { return !F.in_lips(v) && lm[v].y() > f.mouth_line(lm[v].x()); });
        break;
      }
      case B::MouthPressLeft:
        per_mesh_vertex([&](int v) -> V3 {
          if (!F.in_lips(v)) return V3::Zero();
          const float side = ramp(lm[v].x(), -0.8f, 1.2f);
          const float dy = -0.5f * (lm[v].y() - f.mouth_line(lm[v].x()));
          return side * V3(f.lip[v] == LipPart::Corner ? -0.05f : 0.0f, dy, -0.03f);
        });
        break;
      case B::MouthLowerDownLeft: {
        std::vector<int> handles;
        for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v)
          if (f.lip[v] == LipPart::Lower) {
            d[v] = ramp(lm[v].x(), -0.8f, 1.2f) * V3(0.05f, -0.45f, -0.05f);
            handles.push_back(static_cast<int>(v));
          }
        F.spread(d, handles, 0.6f, 0.5f,
                 [&](int v) { return !F.in_lips(v) && lm[v].y() < f.mouth_line(lm[v].x()); });
        break;
      }
      case B::MouthUpperUpLeft: {
        std::vector<int> handles;
        for (std::size_t v = 0; v < kFaceMeshLandmarks; ++v)
          if (f.lip[v] == LipPart::Upper) {
            d[v] = ramp(lm[v].x(), -0.8f, 1.2f) * V3(0, 0.4f, 0.02f);
            handles.push_back(static_cast<int>(v));
          }
        F.spread(d, handles, 1.0f, 0.4f,
                 [&](int v) { return !F.in_lips(v) && lm[v].y() > f.mouth_line(lm[v].x()); });
        break;
      }
      case B::BrowDownLeft:
      case B::BrowOuterUpLeft:
      case B::BrowInnerUp: {
        const auto& brow = f.brow[L];
        V3 c = V3::Zero();
        for (int v : brow) c += lm[v];
        c /= float(brow.size());
        const float eye_top = f.eye_center(L).y();
        auto above_crease = [&](int v) -> float {
          return ramp(lm[v].y(), eye_top + 0.5f, eye_top + 1.4f);
        };
        V3 inner = lm[brow.front()], outer = lm[brow.front()];
        for (int v : brow) {
          if (lm[v].x() < inner.x()) inner = lm[v];
          if (lm[v].x() > outer.x()) outer = lm[v];
        }
        per_mesh_vertex([&](int v) -> V3 {
          const V3& p = lm[v];
          if (s == B::BrowDownLeft) {
            const float toward_midline = ramp(-(p.x() - c.x()), -1.0f, 1.5f);
            return above_crease(v) * Field::near_e(p, c, V3(3.0f, 1.6f, 4.0f)) *
                   V3(-0.15f * toward_midline, -0.45f, 0.05f);
          }
          if (s == B::BrowOuterUpLeft)
            return above_crease(v) * Field::near(p, outer, 2.2f) * V3(0, 0.8f, 0);
          // Inner brows, both sides.
          const V3 inner_r(-inner.x(), inner.y(), inner.z());
          const float w = std::max(Field::near_e(p, inner, V3(2.0f, 2.5f, 4.0f)),
                                   Field::near_e(p, inner_r, V3(2.0f, 2.5f, 4.0f)));
          return above_crease(v) * w * V3(0, 0.8f, 0);
        });
        break;
      }
      case B::CheekPuff:
        per_mesh_vertex([&](int v) -> V3 {
          const V3& p = lm[v];
          V3 r = V3::Zero();
          for (float sx : {1.0f, -1.0f}) {
            const V3 c(sx * (f.mouth_half_width() + 1.4f), f.mouth_line(0) + 0.9f, p.z());
            const float w = Field::near_e(p, c, V3(2.4f, 2.4f, 10.0f));
            r += w * 0.9f * V3(sx * 0.8f, -0.1f, 0.45f).normalized();
          }
          if (F.in_lips(v)) r += V3(0, 0, 0.2f);
          return r;
        });
        break;
      case B::CheekSquintLeft: {
        const V3 c = f.eye_center(L) + V3(0.3f, -1.4f, 0);
        per_mesh_vertex([&](int v) -> V3 {
          V3 r = Field::near_e(lm[v], c, V3(2.2f, 1.6f, 4.0f)) * V3(0, 0.5f, 0.08f);
          if (std::count(eye.lower.begin(), eye.lower.end(), v))
            r = V3(0, 0.18f * F.lid_profile(L, v), 0);
          if (std::count(eye.upper.begin(), eye.upper.end(), v)) r = V3::Zero();
          return r;
        });
        break;
      }
      case B::NoseSneerLeft: {
        const V3 ala = lm[kLeftAla];
        const V3 side_of_nose = ala + V3(-0.5f, 1.6f, 0);
        const V3 inner_brow =
            lm[*std::min_element(f.brow[L].begin(), f.brow[L].end(),
                                 [&](int a, int b) { return lm[a].x() < lm[b].x(); })];
        per_mesh_vertex([&](int v) -> V3 {
          const V3& p = lm[v];
          V3 r = Field::near(p, ala, 1.6f) * V3(0.05f, 0.45f, 0.08f) +
                 Field::near(p, side_of_nose, 1.4f) * V3(0, 0.3f, 0);
          if (f.lip[v] == LipPart::Upper) r = Field::near(p, ala, 2.5f) * V3(0, 0.15f, 0);
          r += Field::near(p, inner_brow, 1.2f) * V3(0, -0.1f, 0);
          return r;
        });
        break;
      }
      case B::TongueOut:
        per_mesh_vertex([&](int v) -> V3 {
          if (f.lip[v] == LipPart::Lower) return V3(0, -0.3f, 0.05f);
          if (f.lip[v] == LipPart::Upper) return V3(0, 0.08f, 0);
          return V3::Zero();
        });
        break;
      default:
        throw std::logic_error("rig shape without a field");
    }
    return d;
  };

  // Motion of the added vertices that do not simply follow a landmark.
  auto own_motion = [&](B s, std::size_t v) -> V3 {
    const Driver& dr = drivers[v];
    const V3& p = pos[v];
    switch (dr.kind) {
      case Driver::Jaw:
      case Driver::Tongue: {
        const float k = dr.kind == Driver::Tongue ? 1.0f : dr.factor;
        if (s == B::JawOpen) return k * jaw_open_delta(f, p);
        if (s == B::JawForward) return k * jaw_forward;
        if (s == B::JawLeft) return k * jaw_left;
        if (s == B::TongueOut && dr.kind == Driver::Tongue) return tongue_out;
        // Lips closed over an open jaw stretch the skin below the lower lip (mouthClose moves
        // only the lips): the jaw's interior (lower teeth, tongue, the cavity's floor) tucks back
        // behind it rather than show through the chin.
        if (s == B::MouthClose) return k * V3(0, 0, -kCloseTuck);
        return V3::Zero();
      }
      case Driver::EyeLeft: {
        const std::optional<Eigen::Matrix3f> r = eye_look_rotation(s);
        return r ? rotate_about(p, eye_l.center, *r) : V3::Zero();
      }
      default:
        return V3::Zero();
    }
  };

  auto full_field = [&](B s) {
    std::vector<V3> lmd = landmark_field(s);
    std::vector<V3> d(n, V3::Zero());
    for (std::size_t v = 0; v < kLandmarkCount; ++v) d[v] = lmd[v];
    for (std::size_t v = kLandmarkCount; v < n; ++v) {
      if (drivers[v].kind == Driver::Follow)
        d[v] = drivers[v].factor * d[static_cast<std::size_t>(drivers[v].source)];
      else
        d[v] = own_motion(s, v);
    }
    (void)is_left_eye_vertex;
    return d;
  };
  auto mirrored = [&](const std::vector<V3>& d) {
    std::vector<V3> m(n);
    for (std::size_t v = 0; v < n; ++v) {
      const V3& src = d[rig.mirror[v]];
      m[v] = V3(-src.x(), src.y(), src.z());
    }
    return m;
  };
  auto store = [&](B s, const std::vector<V3>& d) {
    auto& out = rig.deltas[index_of(s)];
    out.resize(n);
    for (std::size_t v = 0; v < n; ++v) out[v] = p3(d[v]);
  };

  for (const RigShapeRow& row : kRows) {
    std::vector<V3> d = full_field(row.shape);
    const B mirror = mirror_of(row.shape);
    if (mirror == row.shape) {
      // Unpaired shapes are symmetric: average with the mirror image to make them exactly so.
      const std::vector<V3> m = mirrored(d);
      for (std::size_t v = 0; v < n; ++v) d[v] = 0.5f * (d[v] + m[v]);
      store(row.shape, d);
    } else {
      store(row.shape, d);
      store(mirror, mirrored(d));
    }
  }

  // Correctives.
  auto delta_of = [&](B s) {
    std::vector<V3> d(n);
    for (std::size_t v = 0; v < n; ++v) d[v] = v3(rig.deltas[index_of(s)][v]);
    return d;
  };
  auto add_corrective = [&](B a, B b, std::vector<V3> d, std::string_view reason) {
    RigCorrective c{a, b, {}, reason};
    for (const V3& x : d) c.delta.push_back(p3(x));
    rig.correctives.push_back(std::move(c));
  };
  auto landmarks_only = [&](std::vector<V3> d, float k) {
    for (std::size_t v = 0; v < n; ++v)
      d[v] = (v < kFaceMeshLandmarks) ? V3(k * d[v]) : V3(V3::Zero());
    return d;
  };
  for (B blink : {B::EyeBlinkLeft, B::EyeBlinkRight}) {
    const bool left = blink == B::EyeBlinkLeft;
    add_corrective(blink, left ? B::EyeWideLeft : B::EyeWideRight,
                   landmarks_only(delta_of(left ? B::EyeWideLeft : B::EyeWideRight), -1),
                   "a blink closes the lid even from a wide-open eye");
    add_corrective(blink, left ? B::EyeLookDownLeft : B::EyeLookDownRight,
                   landmarks_only(delta_of(left ? B::EyeLookDownLeft : B::EyeLookDownRight), -1),
                   "a closed lid does not sink further when the eye looks down");
    add_corrective(blink, left ? B::EyeLookUpLeft : B::EyeLookUpRight,
                   landmarks_only(delta_of(left ? B::EyeLookUpLeft : B::EyeLookUpRight), -1),
                   "a blink closes the lid even when the eye looks up");
  }
  {
    std::vector<V3> d = delta_of(B::MouthPucker);
    for (V3& x : d) x = V3(0, 0, -0.5f * x.z());
    add_corrective(B::MouthFunnel, B::MouthPucker, d,
                   "funnel and pucker both protrude the lips; together they do not protrude twice");
  }
}

}  // namespace rig_detail

std::span<const RigShapeRow> rig_shape_rows() {
  return rig_detail::kRows;
}

}  // namespace semblend
