// Identity variation: smooth, symmetric deformations of the neutral face, one per parameter, in
// standard deviations of adult variation. Amounts per SD follow anthropometric surveys of adult
// faces (Farkas): bizygomatic breadth ~14 cm ± 0.6, face height ~12 cm ± 0.7, bigonial breadth
// ~10.5 cm ± 0.7, nose length ~5 cm ± 0.35, alar width ~3.5 cm ± 0.3, palpebral fissure ~3 cm ±
// 0.15, intercanthal ~3.2 cm ± 0.25, vermilion height ~1 cm ± 0.2, mouth width ~5 cm ± 0.4.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>

#include "rig/rig_internal.h"

namespace semblend {
namespace {

constexpr std::array<std::string_view, kIdentityParameterCount> kNames{
    "face_width",    "face_height", "jaw_width",   "chin_length", "cheekbones",
    "nose_length",   "nose_width",  "eye_size",    "eye_spacing", "eye_tilt",
    "lip_thickness", "mouth_width", "brow_height", "face_depth"};

constexpr int kNoseTip = 4;
constexpr int kLeftAla = 327;

}  // namespace

std::array<std::string_view, kIdentityParameterCount> identity_parameter_names() {
  return kNames;
}

std::array<float, kIdentityParameterCount> identity_values(const Identity& id) {
  return {id.face_width,    id.face_height, id.jaw_width,   id.chin_length, id.cheekbones,
          id.nose_length,   id.nose_width,  id.eye_size,    id.eye_spacing, id.eye_tilt,
          id.lip_thickness, id.mouth_width, id.brow_height, id.face_depth};
}

Identity identity_from_values(std::span<const float> v) {
  if (v.size() != kIdentityParameterCount)
    throw std::invalid_argument("an identity has " + std::to_string(kIdentityParameterCount) +
                                " parameters, got " + std::to_string(v.size()));
  Identity id;
  float* fields[] = {&id.face_width,  &id.face_height, &id.jaw_width,     &id.chin_length,
                     &id.cheekbones,  &id.nose_length, &id.nose_width,    &id.eye_size,
                     &id.eye_spacing, &id.eye_tilt,    &id.lip_thickness, &id.mouth_width,
                     &id.brow_height, &id.face_depth};
  for (std::size_t i = 0; i < kIdentityParameterCount; ++i) *fields[i] = v[i];
  return id;
}

Identity stylised_identity(std::uint64_t seed) {
  std::array<float, kIdentityParameterCount> v = identity_values(sample_identity(seed));
  for (float& x : v) x *= 0.3f;
  Identity id = identity_from_values(v);
  id.eye_size += 5.0f;
  id.eye_spacing += 2.5f;
  id.nose_length -= 4.0f;
  id.nose_width -= 3.0f;
  id.chin_length -= 3.0f;
  id.jaw_width -= 3.0f;
  id.face_width += 1.5f;
  id.mouth_width -= 2.5f;
  id.face_depth -= 2.0f;
  // Within the rig's limit (build_rig: ±6 SDs).
  v = identity_values(id);
  for (float& x : v) x = std::clamp(x, -6.0f, 6.0f);
  return identity_from_values(v);
}

Identity sample_identity(std::uint64_t seed) {
  std::mt19937_64 gen(seed);  // the engine's output sequence is fixed by the standard
  auto uniform = [&] { return (double(gen() >> 11) + 0.5) * (1.0 / 9007199254740992.0); };
  std::array<float, kIdentityParameterCount> v{};
  for (float& x : v) {
    double z;
    do {  // Box-Muller, truncated to ±2.5 by rejection
      z = std::sqrt(-2 * std::log(uniform())) * std::cos(2 * kPi * uniform());
    } while (std::abs(z) > 2.5);
    x = float(z);
  }
  return identity_from_values(v);
}

namespace rig_detail {

std::vector<V3> apply_identity(const std::vector<V3>& in, const Identity& id) {
  if (id == Identity{}) return in;
  // Deformations are read off the undeformed face and applied together (each is small).
  const FaceFeatures f = face_features(in);
  std::vector<V3> out = in;
  const float eye_y = 0.5f * (in[f.eye[0].outer].y() + in[f.eye[1].outer].y());
  const float mouth_y = f.mouth_line(0);
  const float chin_y = in[landmark::kChin].y();
  const V3 nose_tip = in[kNoseTip];
  for (std::size_t v = 0; v < in.size(); ++v) {
    const V3& p = in[v];
    V3 d = V3::Zero();
    const float sx = p.x() > 1e-5f ? 1.0f : p.x() < -1e-5f ? -1.0f : 0.0f;
    d.x() += 0.043f * id.face_width * p.x();
    d.y() += 0.058f * id.face_height * (p.y() - eye_y);
    const float lower = ramp(mouth_y + 1.5f - p.y(), 0.0f, 3.0f);
    d.x() += 0.066f * id.jaw_width * p.x() * lower;
    d.y() -= 0.35f * id.chin_length *
             ramp(mouth_y - p.y(), 0.0f, chin_y < mouth_y ? mouth_y - chin_y : 1.0f);
    {
      const V3 zyg(sx * 5.6f, eye_y - 1.8f, p.z());
      const float w = fall(((p - zyg).array() / V3(2.2f, 2.0f, 10.0f).array()).matrix().norm());
      d += 0.25f * id.cheekbones * w * V3(sx * 0.7f, 0, 0.7f);
    }
    {
      const float w =
          fall(((p - nose_tip).array() / V3(2.0f, 2.6f, 10.0f).array()).matrix().norm());
      d += id.nose_length * w * V3(0, -0.25f, 0.18f);
      const V3 ala(sx * in[kLeftAla].x(), in[kLeftAla].y(), in[kLeftAla].z());
      const float wa = fall((p - ala).norm() / 1.6f);
      d.x() += id.nose_width * 0.15f * sx * wa;
    }
    for (int side = 0; side < 2; ++side) {
      const V3 c = f.eye_center(side);
      const float w = fall(((p - c).array() / V3(2.2f, 1.5f, 10.0f).array()).matrix().norm());
      if (w == 0) continue;
      const float ssx = side == 0 ? 1.0f : -1.0f;
      V3 r = p - c;
      d += w * 0.05f * id.eye_size * V3(r.x(), r.y(), 0);
      d.x() += w * 0.12f * id.eye_spacing * ssx;
      // Canthal tilt: rotate about the eye centre, outer corner up for positive tilt.
      const float a = 0.05f * id.eye_tilt * ssx;  // radians per SD (~3°)
      d += w * V3(-a * r.y(), a * r.x(), 0);
    }
    if (v < kFaceMeshLandmarks && f.lip[v] != LipPart::None)
      d.y() += 0.2f * id.lip_thickness * (p.y() - f.mouth_line(p.x()));
    {
      const V3 mc(0, mouth_y, p.z());
      const float w = fall(((p - mc).array() / V3(4.5f, 2.0f, 10.0f).array()).matrix().norm());
      d.x() += 0.08f * id.mouth_width * p.x() * w;
    }
    {
      const float w =
          ramp(p.y(), eye_y + 0.7f, eye_y + 1.8f) * (1 - ramp(p.y(), eye_y + 3.5f, eye_y + 5.5f));
      d.y() += 0.25f * id.brow_height * w;
    }
    d.z() += 0.06f * id.face_depth * (p.z() - nose_tip.z() + 4.0f);
    out[v] = p + d;
  }
  return out;
}

}  // namespace rig_detail
}  // namespace semblend
