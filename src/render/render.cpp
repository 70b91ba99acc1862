// The software renderer (render.h): projection, a coverage-sampled z-buffer rasterizer with
// deferred shading (one shade per visible triangle per pixel), procedural skin, contact sheets.
#include "semblend/render.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>

namespace semblend {
namespace {

using V3 = Eigen::Vector3f;

// ---- Value noise (deterministic: a fixed permutation from a fixed LCG). ----
struct Noise {
  std::array<std::uint8_t, 512> perm{};
  std::array<float, 256> value{};
  Noise() {
    std::uint32_t s = 0x9E3779B9u;
    auto next = [&] {
      s = s * 1664525u + 1013904223u;
      return s >> 8;
    };
    std::array<std::uint8_t, 256> p{};
    for (int i = 0; i < 256; ++i) p[i] = std::uint8_t(i);
    for (int i = 255; i > 0; --i) std::swap(p[i], p[next() % std::uint32_t(i + 1)]);
    for (int i = 0; i < 512; ++i) perm[i] = p[i & 255];
    for (float& v : value) v = float(next() % 65536u) / 32767.5f - 1.0f;
  }
  float lattice(int x, int y, int z) const {
    return value[perm[(perm[(perm[x & 255] + y) & 255] + z) & 255]];
  }
  // In [-1, 1], smooth.
  float operator()(float x, float y, float z) const {
    const float fx = std::floor(x), fy = std::floor(y), fz = std::floor(z);
    const int ix = int(fx), iy = int(fy), iz = int(fz);
    auto sm = [](float t) { return t * t * (3 - 2 * t); };
    const float tx = sm(x - fx), ty = sm(y - fy), tz = sm(z - fz);
    auto lerp = [](float a, float b, float t) { return a + t * (b - a); };
    const float c00 = lerp(lattice(ix, iy, iz), lattice(ix + 1, iy, iz), tx);
    const float c10 = lerp(lattice(ix, iy + 1, iz), lattice(ix + 1, iy + 1, iz), tx);
    const float c01 = lerp(lattice(ix, iy, iz + 1), lattice(ix + 1, iy, iz + 1), tx);
    const float c11 = lerp(lattice(ix, iy + 1, iz + 1), lattice(ix + 1, iy + 1, iz + 1), tx);
    return lerp(lerp(c00, c10, ty), lerp(c01, c11, ty), tz);
  }
};
const Noise& noise() {
  static const Noise n;
  return n;
}

V3 rgb(const Rgb& c) {
  return {c[0], c[1], c[2]};
}

struct Material {
  V3 albedo;
  float specular, shininess;
};

void check_rgb(const Rgb& c, const char* what) {
  for (float v : c)
    if (!(v >= 0 && v <= 1))
      throw std::invalid_argument(std::string(what) + " colour components must lie in [0, 1]");
}

void validate(const RenderOptions& o) {
  if (o.width < 16 || o.width > 4096 || o.height < 16 || o.height > 4096)
    throw std::invalid_argument("render size " + std::to_string(o.width) + "x" +
                                std::to_string(o.height) + " is outside 16..4096 pixels");
  if (o.supersample < 1 || o.supersample > 4)
    throw std::invalid_argument("supersample must be 1..4, got " + std::to_string(o.supersample));
  if (!(o.fov_deg > 1 && o.fov_deg < 120))
    throw std::invalid_argument("field of view must lie in (1, 120) degrees, got " +
                                std::to_string(o.fov_deg));
  if (!(o.face_fill >= 0.2f && o.face_fill <= 1.2f))
    throw std::invalid_argument("face_fill must lie in [0.2, 1.2]");
  if (!std::isfinite(o.distance_cm) || o.distance_cm < 0)
    throw std::invalid_argument("camera distance must be a finite number of centimetres >= 0");
  check_rgb(o.skin, "skin");
  check_rgb(o.iris, "iris");
  check_rgb(o.hair, "hair");
  check_rgb(o.background, "background");
  for (float v : o.light_direction)
    if (!std::isfinite(v)) throw std::invalid_argument("light direction must be finite");
  if (V3(o.light_direction[0], o.light_direction[1], o.light_direction[2]).norm() < 1e-6f)
    throw std::invalid_argument("light direction must not be zero");
  if (const FaceTexture* t = o.face_texture.get()) {
    if (!t->image.valid())
      throw std::invalid_argument("the face texture's image is empty or not RGB");
    check_rgb(t->skin, "face texture skin");
  }
}

// Face frame -> camera rotation for a head pose: the one definition in take.h, shared with the
// glTF export, so a render and an exported animation turn the head the same way.
Eigen::Matrix3f head_rotation(const HeadPose& h) {
  const auto q = head_rotation_quaternion(h);
  return Eigen::Quaternionf(float(q[3]), float(q[0]), float(q[1]), float(q[2])).toRotationMatrix();
}

float face_extent_cm(const Rig& rig) {
  float lo = 1e9f, hi = -1e9f;
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    lo = std::min(lo, rig.neutral[i].y);
    hi = std::max(hi, rig.neutral[i].y);
  }
  return hi - lo;
}

constexpr std::string_view kToneNames[] = {"light", "fair",  "medium", "olive",
                                           "tan",   "brown", "dark"};
constexpr Rgb kToneColours[] = {{0.94f, 0.80f, 0.71f}, {0.90f, 0.72f, 0.61f}, {0.82f, 0.63f, 0.50f},
                                {0.74f, 0.57f, 0.42f}, {0.69f, 0.50f, 0.36f}, {0.53f, 0.36f, 0.25f},
                                {0.36f, 0.24f, 0.17f}};
static_assert(std::size(kToneNames) == std::size(kToneColours));

// Where a face photo's skin colour is read: cheeks (both sides, below the eyes) and the forehead.
constexpr std::uint16_t kSkinPoints[] = {50,  101, 118, 123, 205, 280, 330, 347,
                                         352, 425, 9,   108, 151, 337, 69,  299};

// Bilinear sample of an sRGB image at pixel coordinates (pixel centres at +0.5), clamped to it.
V3 sample_bilinear(const Image& im, float x, float y) {
  const float fx = std::clamp(x - 0.5f, 0.0f, float(im.width - 1));
  const float fy = std::clamp(y - 0.5f, 0.0f, float(im.height - 1));
  const int x0 = int(fx), y0 = int(fy);
  const int x1 = std::min(x0 + 1, im.width - 1), y1 = std::min(y0 + 1, im.height - 1);
  const float tx = fx - float(x0), ty = fy - float(y0);
  auto px = [&](int xx, int yy) {
    const std::uint8_t* p = im.pixel(xx, yy);
    return V3(p[0], p[1], p[2]);
  };
  const V3 top = (1 - tx) * px(x0, y0) + tx * px(x1, y0);
  const V3 bottom = (1 - tx) * px(x0, y1) + tx * px(x1, y1);
  return ((1 - ty) * top + ty * bottom) / 255.0f;
}

// How much of a face photo shows at each mesh point: 0 on the face oval, 0.5 and 0.85 on the next
// two rings inward (breadth first over the tesselation's edges), 1 inside. Topology only.
const std::array<float, kFaceMeshLandmarks>& photo_weights() {
  static const std::array<float, kFaceMeshLandmarks> table = [] {
    constexpr float kRamp[] = {0.0f, 0.5f, 0.85f};
    std::array<float, kFaceMeshLandmarks> w;
    w.fill(1.0f);
    // ring[i]: the mesh point's ring, counted inward from the oval (0); -1 until reached.
    std::array<int, kFaceMeshLandmarks> ring;
    ring.fill(-1);
    for (std::uint16_t i : face_mesh_indices(FaceMeshSet::FaceOval)) ring[i] = 0;
    const auto edges = face_mesh_edges(FaceMeshSet::Tesselation);
    for (int r = 1; r < int(std::size(kRamp)); ++r)
      for (const LandmarkEdge& e : edges)
        for (auto [from, to] : {std::pair{e.a, e.b}, std::pair{e.b, e.a}})
          if (ring[from] == r - 1 && ring[to] < 0) ring[to] = r;
    for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i)
      if (ring[i] >= 0) w[i] = kRamp[ring[i]];
    return w;
  }();
  return table;
}

}  // namespace

FaceTexture face_texture_from_photo(const Image& photo, const FaceLandmarks& face) {
  if (!photo.valid()) throw std::invalid_argument("a face texture needs a non-empty RGB photo");
  FaceTexture t;
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    const Point3& p = face.points[i];
    if (!(p.x >= 0 && p.y >= 0 && p.x <= float(photo.width) && p.y <= float(photo.height)))
      throw std::invalid_argument("the face reaches outside the photo (landmark " +
                                  std::to_string(i) + "): a face texture needs the whole face");
    t.uv[i] = {p.x, p.y};
  }
  V3 sum = V3::Zero();
  for (std::uint16_t i : kSkinPoints) sum += sample_bilinear(photo, t.uv[i][0], t.uv[i][1]);
  sum /= float(std::size(kSkinPoints));
  t.skin = {sum.x(), sum.y(), sum.z()};
  t.image = photo;
  t.weight = photo_weights();
  return t;
}

std::span<const std::string_view> skin_tone_names() {
  return kToneNames;
}

Rgb skin_tone(std::string_view name) {
  for (std::size_t k = 0; k < std::size(kToneNames); ++k)
    if (kToneNames[k] == name) return kToneColours[k];
  if (name.size() == 7 && name[0] == '#') {
    Rgb c{};
    for (int k = 0; k < 3; ++k) {
      const std::string hex(name.substr(1 + 2 * k, 2));
      if (!std::isxdigit(static_cast<unsigned char>(hex[0])) ||
          !std::isxdigit(static_cast<unsigned char>(hex[1])))
        throw std::invalid_argument("skin tone '" + std::string(name) + "' is not #rrggbb");
      c[k] = float(std::stoi(hex, nullptr, 16)) / 255.0f;
    }
    return c;
  }
  throw std::invalid_argument("unknown skin tone '" + std::string(name) +
                              "' (light, fair, medium, olive, tan, brown, dark or #rrggbb)");
}

std::array<Rgb, kRigPartCount> part_colours(const RenderOptions& o) {
  const Rgb& s = o.skin;
  const Rgb& h = o.hair;
  auto at = [](RigPart p) { return static_cast<std::size_t>(p); };
  std::array<Rgb, kRigPartCount> c{};
  c[at(RigPart::Skin)] = s;
  c[at(RigPart::Lips)] = {s[0] * 0.86f + 0.08f, s[1] * 0.52f, s[2] * 0.55f};  // redder than skin
  c[at(RigPart::Brow)] = {0.3f * s[0] + 0.7f * h[0], 0.3f * s[1] + 0.7f * h[1],
                          0.3f * s[2] + 0.7f * h[2]};  // hair over skin
  c[at(RigPart::LashLine)] = {0.10f, 0.07f, 0.06f};
  c[at(RigPart::EyeWhite)] = {0.90f, 0.88f, 0.84f};
  c[at(RigPart::Iris)] = o.iris;
  c[at(RigPart::Pupil)] = {0.03f, 0.03f, 0.03f};
  c[at(RigPart::MouthInterior)] = {0.165f, 0.044f, 0.0495f};  // dark red, in its own shadow
  c[at(RigPart::Teeth)] = {0.93f, 0.90f, 0.82f};
  c[at(RigPart::Tongue)] = {0.78f, 0.38f, 0.40f};
  c[at(RigPart::Hair)] = h;
  c[at(RigPart::Neck)] = {0.93f * s[0], 0.93f * s[1], 0.93f * s[2]};
  return c;
}

RenderResult render_face(const Rig& rig, const FaceFrame& frame, const RenderOptions& options) {
  validate(options);
  const FaceTexture* tex = options.face_texture.get();
  const V3 L =
      V3(options.light_direction[0], options.light_direction[1], options.light_direction[2])
          .normalized();
  const V3 fill = V3(-L.x(), 0.1f, 0.8f).normalized();
  auto lit = [&](const V3& nrm) {
    return options.key_light * std::max(0.0f, nrm.dot(L)) +
           options.fill_light * std::max(0.0f, nrm.dot(fill)) + options.ambient;
  };
  // Photo texture: the shading the photo's face had, taken as the rig's rest shape facing the
  // camera under the render's lights, per face-mesh vertex (divided out of the photo's pixels).
  std::vector<float> rest_light;
  RenderOptions textured;
  if (tex) {
    std::vector<V3> rest_normal(kFaceMeshLandmarks, V3::Zero());
    for (const RigTriangle& t : rig.triangles) {
      if (t.v[0] >= kFaceMeshLandmarks || t.v[1] >= kFaceMeshLandmarks ||
          t.v[2] >= kFaceMeshLandmarks)
        continue;
      const Point3 &a = rig.neutral[t.v[0]], &b = rig.neutral[t.v[1]], &c = rig.neutral[t.v[2]];
      const V3 fn = V3(b.x - a.x, b.y - a.y, b.z - a.z).cross(V3(c.x - a.x, c.y - a.y, c.z - a.z));
      for (auto v : t.v) rest_normal[v] += fn;
    }
    rest_light.resize(kFaceMeshLandmarks);
    for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
      V3 nrm = rest_normal[i].normalized();
      if (nrm.z() < 0) nrm = -nrm;  // toward the camera
      rest_light[i] = std::max(0.2f, lit(nrm));
    }
    // The parts coloured from the skin tone (scalp, ears, neck, the face's border) take the
    // photo's skin colour, its shading divided out the same way.
    float rest = 0;
    for (std::uint16_t i : kSkinPoints) rest += rest_light[i];
    rest /= float(std::size(kSkinPoints));
    textured = options;
    for (int c = 0; c < 3; ++c)
      textured.skin[std::size_t(c)] = std::min(1.0f, tex->skin[std::size_t(c)] / rest);
  }
  const RenderOptions& o = tex ? textured : options;
  for (float a : {frame.head.yaw, frame.head.pitch, frame.head.roll})
    if (!std::isfinite(a)) throw std::invalid_argument("head pose angles must be finite");
  const std::vector<Point3> posed = pose_rig(rig, frame.coefficients);
  const std::size_t n = posed.size();

  const int ss = o.supersample;
  const int W = o.width, H = o.height, SW = W * ss, SH = H * ss;
  const float tan_half = std::tan(o.fov_deg * float(kPi) / 360.0f);
  const float focal = 0.5f * float(H) / tan_half;  // pixels
  const float distance =
      o.distance_cm > 0 ? o.distance_cm : face_extent_cm(rig) / o.face_fill / (2 * tan_half);
  const Eigen::Matrix3f R = head_rotation(frame.head);
  const V3 origin(0, 0, -distance);

  // Camera-space positions, normals, projections.
  std::vector<V3> cam(n), normal(n, V3::Zero());
  for (std::size_t i = 0; i < n; ++i) cam[i] = R * V3(posed[i].x, posed[i].y, posed[i].z) + origin;
  for (const RigTriangle& t : rig.triangles) {
    const V3 a = cam[t.v[0]], b = cam[t.v[1]], c = cam[t.v[2]];
    const V3 fn = (b - a).cross(c - a);  // area-weighted
    for (auto v : t.v) normal[v] += fn;
  }
  struct Proj {
    float x, y, iw;  // supersampled pixels; 1 / depth
  };
  std::vector<Proj> proj(n);
  for (std::size_t i = 0; i < n; ++i) {
    const float depth = -cam[i].z();
    if (depth < 1.0f)
      throw std::invalid_argument("the camera is inside or behind the head (distance " +
                                  std::to_string(distance) + " cm)");
    proj[i] = {(0.5f * float(W) + focal * cam[i].x() / depth) * float(ss),
               (0.5f * float(H) - focal * cam[i].y() / depth) * float(ss), 1.0f / depth};
  }

  // ---- Coverage pass: per sample, the nearest triangle. ----
  // Per-thread scratch buffers, reused from frame to frame (fresh 8 MB allocations per 512² frame
  // cost more in page faults than the rasterization itself).
  thread_local std::vector<float> zbuf;  // 1/depth; 0 = background
  thread_local std::vector<std::int32_t> tri_id;
  zbuf.assign(std::size_t(SW) * SH, 0.0f);
  tri_id.assign(std::size_t(SW) * SH, -1);
  for (std::size_t ti = 0; ti < rig.triangles.size(); ++ti) {
    const auto& t = rig.triangles[ti].v;
    const Proj &p0 = proj[t[0]], &p1 = proj[t[1]], &p2 = proj[t[2]];
    float area = (p1.x - p0.x) * (p2.y - p0.y) - (p2.x - p0.x) * (p1.y - p0.y);
    if (std::abs(area) < 1e-8f) continue;
    const int x0 = std::max(0, int(std::floor(std::min({p0.x, p1.x, p2.x}))));
    const int x1 = std::min(SW - 1, int(std::ceil(std::max({p0.x, p1.x, p2.x}))));
    const int y0 = std::max(0, int(std::floor(std::min({p0.y, p1.y, p2.y}))));
    const int y1 = std::min(SH - 1, int(std::ceil(std::max({p0.y, p1.y, p2.y}))));
    if (x0 > x1 || y0 > y1) continue;
    const float inv_area = 1.0f / area;
    // Barycentric weights as affine functions of the sample position.
    const float a0x = (p1.y - p2.y) * inv_area, a0y = (p2.x - p1.x) * inv_area;
    const float a1x = (p2.y - p0.y) * inv_area, a1y = (p0.x - p2.x) * inv_area;
    const float a0c = ((p1.x * p2.y - p2.x * p1.y)) * inv_area;
    const float a1c = ((p2.x * p0.y - p0.x * p2.y)) * inv_area;
    const std::int32_t id = static_cast<std::int32_t>(ti);
    // 1/depth is affine in the sample position too.
    const float izx = a0x * (p0.iw - p2.iw) + a1x * (p1.iw - p2.iw);
    const float izy = a0y * (p0.iw - p2.iw) + a1y * (p1.iw - p2.iw);
    const float izc = a0c * (p0.iw - p2.iw) + a1c * (p1.iw - p2.iw) + p2.iw;
    const float a2x = -a0x - a1x, a2y = -a0y - a1y, a2c = 1 - a0c - a1c;
    for (int y = y0; y <= y1; ++y) {
      const float sy = float(y) + 0.5f;
      // The span of sample centres x + 0.5 where all three weights are >= 0.
      float lo = float(x0), hi = float(x1);
      bool empty = false;
      for (const auto& [ax, b] : {std::pair{a0x, a0y * sy + a0c}, std::pair{a1x, a1y * sy + a1c},
                                  std::pair{a2x, a2y * sy + a2c}}) {
        if (ax > 0) {
          lo = std::max(lo, -b / ax - 0.5f);
        } else if (ax < 0) {
          hi = std::min(hi, -b / ax - 0.5f);
        } else if (b < 0) {
          empty = true;
        }
      }
      if (empty || lo > hi) continue;
      const int xa = std::max(x0, int(std::ceil(lo))), xb = std::min(x1, int(std::floor(hi)));
      float* zrow = zbuf.data() + std::size_t(y) * SW;
      std::int32_t* idrow = tri_id.data() + std::size_t(y) * SW;
      float iw = izx * (float(xa) + 0.5f) + izy * sy + izc;
      for (int x = xa; x <= xb; ++x, iw += izx) {
        if (iw > zrow[x]) {
          zrow[x] = iw;
          idrow[x] = id;
        }
      }
    }
  }

  // ---- Materials. ----
  const std::array<Rgb, kRigPartCount> colour = part_colours(o);
  std::array<Material, kRigPartCount> mat{};
  auto set = [&](RigPart p, float spec, float shin) {
    mat[static_cast<std::size_t>(p)] = {rgb(colour[static_cast<std::size_t>(p)]), spec, shin};
  };
  set(RigPart::Skin, 0.10f, 18);
  set(RigPart::Lips, 0.22f, 30);
  set(RigPart::Brow, 0.04f, 8);
  set(RigPart::LashLine, 0.1f, 20);
  set(RigPart::EyeWhite, 0.55f, 80);
  set(RigPart::Iris, 0.6f, 80);
  set(RigPart::Pupil, 0.6f, 80);
  set(RigPart::MouthInterior, 0.0275f, 10);  // in its own shadow: 0.55 of a lit surface's highlight
  set(RigPart::Teeth, 0.35f, 40);
  set(RigPart::Tongue, 0.30f, 30);
  set(RigPart::Hair, 0.08f, 12);
  set(RigPart::Neck, 0.06f, 14);
  const Noise& nz = noise();
  const V3 bg = rgb(o.background);
  // Low-frequency skin variation (blotches, ~1 cm) per vertex; pores (~1 mm) per pixel.
  std::vector<float> blotch(n, 1.0f);
  if (o.texture)
    for (std::size_t i = 0; i < n; ++i) {
      const Point3& r = rig.neutral[i];
      blotch[i] = 1.0f + 0.045f * nz(r.x * 0.9f, r.y * 0.9f, r.z * 0.9f);
    }

  auto shade = [&](std::int32_t id, float sx, float sy) -> V3 {
    const RigTriangle& tri = rig.triangles[static_cast<std::size_t>(id)];
    const auto& t = tri.v;
    const Proj &p0 = proj[t[0]], &p1 = proj[t[1]], &p2 = proj[t[2]];
    const float area = (p1.x - p0.x) * (p2.y - p0.y) - (p2.x - p0.x) * (p1.y - p0.y);
    float b0 = ((p1.x - sx) * (p2.y - sy) - (p2.x - sx) * (p1.y - sy)) / area;
    float b1 = ((p2.x - sx) * (p0.y - sy) - (p0.x - sx) * (p2.y - sy)) / area;
    b0 = std::clamp(b0, 0.0f, 1.0f);
    b1 = std::clamp(b1, 0.0f, 1.0f - b0);
    const float b2 = 1 - b0 - b1;
    // Perspective-correct weights.
    float w0 = b0 * p0.iw, w1 = b1 * p1.iw, w2 = b2 * p2.iw;
    const float ws = w0 + w1 + w2;
    w0 /= ws;
    w1 /= ws;
    w2 /= ws;
    V3 nrm = (w0 * normal[t[0]] + w1 * normal[t[1]] + w2 * normal[t[2]]).normalized();
    const V3 pos = w0 * cam[t[0]] + w1 * cam[t[1]] + w2 * cam[t[2]];
    const V3 view = (-pos).normalized();
    if (nrm.dot(view) < 0) nrm = -nrm;
    const Material& m = mat[static_cast<std::size_t>(tri.part)];
    V3 albedo = m.albedo;
    const bool photo =
        tex && t[0] < kFaceMeshLandmarks && t[1] < kFaceMeshLandmarks &&
        t[2] < kFaceMeshLandmarks &&
        (tri.part == RigPart::Skin || tri.part == RigPart::Lips || tri.part == RigPart::Brow);
    if (photo) {
      const auto &u0 = tex->uv[t[0]], &u1 = tex->uv[t[1]], &u2 = tex->uv[t[2]];
      const V3 texel = sample_bilinear(tex->image, w0 * u0[0] + w1 * u1[0] + w2 * u2[0],
                                       w0 * u0[1] + w1 * u1[1] + w2 * u2[1]);
      const float rest = w0 * rest_light[t[0]] + w1 * rest_light[t[1]] + w2 * rest_light[t[2]];
      const float k = w0 * tex->weight[t[0]] + w1 * tex->weight[t[1]] + w2 * tex->weight[t[2]];
      albedo = k * (texel / rest).cwiseMin(1.0f) + (1 - k) * rgb(o.skin);
    } else if (o.texture) {
      const Point3 &r0 = rig.neutral[t[0]], &r1 = rig.neutral[t[1]], &r2 = rig.neutral[t[2]];
      const float rx = w0 * r0.x + w1 * r1.x + w2 * r2.x;
      const float ry = w0 * r0.y + w1 * r1.y + w2 * r2.y;
      const float rz = w0 * r0.z + w1 * r1.z + w2 * r2.z;
      switch (tri.part) {
        case RigPart::Skin:
        case RigPart::Neck:
        case RigPart::Lips: {
          const float pores = nz(rx * 9.0f, ry * 9.0f, rz * 9.0f);
          albedo *=
              (w0 * blotch[t[0]] + w1 * blotch[t[1]] + w2 * blotch[t[2]]) * (1.0f + 0.035f * pores);
          if (tri.part == RigPart::Lips) albedo *= 1.0f + 0.05f * nz(rx * 3, ry * 14, rz * 3);
          break;
        }
        case RigPart::Brow:
        case RigPart::Hair: {
          const float strands = nz(rx * 2.5f, ry * 11.0f, rz * 2.5f);
          albedo = albedo * (0.9f + 0.2f * strands);
          break;
        }
        case RigPart::Iris: {
          const float fib = nz(rx * 14.0f, ry * 14.0f, rz * 14.0f);
          albedo *= 0.85f + 0.3f * (0.5f + 0.5f * fib);
          break;
        }
        default:
          break;
      }
    }
    V3 c = albedo * lit(nrm);
    if (m.specular > 0) {
      const V3 half = (L + view).normalized();
      // Schlick's rational stand-in for pow(cos, shininess): same lobe, no transcendental call.
      const float ch = std::max(0.0f, nrm.dot(half));
      c += V3::Constant(m.specular * o.key_light * ch / (m.shininess - m.shininess * ch + ch));
    }
    return c;
  };

  // ---- Resolve: per pixel, shade each distinct visible triangle once. ----
  RenderResult out;
  out.image.width = W;
  out.image.height = H;
  out.image.rgb.resize(std::size_t(W) * H * 3);
  const float inv_samples = 1.0f / float(ss * ss);
  std::array<std::int32_t, 16> ids{};
  std::array<int, 16> counts{};
  std::array<std::pair<int, int>, 16> first{};
  for (int y = 0; y < H; ++y) {
    const float shade_bg = 1.0f - 0.25f * float(y) / float(H);
    const V3 background = bg * shade_bg;
    for (int x = 0; x < W; ++x) {
      int k = 0;
      for (int sy = 0; sy < ss; ++sy)
        for (int sx = 0; sx < ss; ++sx) {
          const int X = x * ss + sx, Y = y * ss + sy;
          const std::int32_t id = tri_id[std::size_t(Y) * SW + X];
          int j = 0;
          while (j < k && ids[j] != id) ++j;
          if (j == k) {
            ids[k] = id;
            counts[k] = 0;
            first[k] = {X, Y};
            ++k;
          }
          ++counts[j];
        }
      V3 c = V3::Zero();
      for (int j = 0; j < k; ++j) {
        const V3 s =
            ids[j] < 0
                ? background
                : shade(ids[j],
                        k == 1 ? (float(x) + 0.5f) * float(ss) : float(first[j].first) + 0.5f,
                        k == 1 ? (float(y) + 0.5f) * float(ss) : float(first[j].second) + 0.5f);
        c += float(counts[j]) * s;
      }
      c *= inv_samples;
      std::uint8_t* px = out.image.rgb.data() + (std::size_t(y) * W + x) * 3;
      for (int ch = 0; ch < 3; ++ch)
        px[ch] = static_cast<std::uint8_t>(255.0f * std::clamp(c[ch], 0.0f, 1.0f) + 0.5f);
    }
  }

  // ---- Landmarks. ----
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const Proj& p = proj[i];
    out.landmarks[i] = {p.x / float(ss), p.y / float(ss), 1.0f / p.iw};
    const int X = int(p.x), Y = int(p.y);
    bool vis = false;
    if (X >= 0 && Y >= 0 && X < SW && Y < SH) {
      const float z = zbuf[std::size_t(Y) * SW + X];
      vis = z <= 0 || (1.0f / z) > (1.0f / p.iw) - 0.35f;
    }
    out.visible[i] = vis;
  }
  out.pixels_per_cm = focal / distance;
  return out;
}

Image render_contact_sheet(const Rig& rig, int tile, float weight, const RenderOptions& options) {
  if (tile < 64 || tile > 1024)
    throw std::invalid_argument("contact sheet tiles must be 64..1024 pixels");
  if (!std::isfinite(weight)) throw std::invalid_argument("contact sheet weight must be finite");
  RenderOptions o = options;
  o.width = o.height = tile;
  o.face_fill = 0.85f;  // closer than the default framing: the face fills the tile
  constexpr int kColumns = 8;
  const int count = int(kBlendshapeCount) + 1;
  const int rows = (count + kColumns - 1) / kColumns;
  const int label_h = std::max(14, tile / 9);
  cv::Mat sheet(rows * (tile + label_h), kColumns * tile, CV_8UC3, cv::Scalar(255, 255, 255));
  for (int k = 0; k < count; ++k) {
    FaceFrame f;
    std::string name = "neutral";
    if (k > 0) {
      f.coefficients.set_at(std::size_t(k - 1), weight);
      name = std::string(kBlendshapes[std::size_t(k - 1)].apple_name);
      if (blendshape_at(std::size_t(k - 1)) == Blendshape::MouthClose) {
        // mouthClose only acts with the jaw open (rig.h): show it closing an open jaw's lips.
        f.coefficients.set(Blendshape::JawOpen, weight);
        name += " (+jawOpen)";
      }
    }
    const Image img = render_face(rig, f, o).image;
    const int cx = (k % kColumns) * tile, cy = (k / kColumns) * (tile + label_h);
    cv::Mat src(img.height, img.width, CV_8UC3, const_cast<std::uint8_t*>(img.rgb.data()));
    src.copyTo(sheet(cv::Rect(cx, cy, tile, tile)));
    const double scale = 0.32 * double(label_h) / 14.0;
    int baseline = 0;
    const cv::Size ts = cv::getTextSize(name, cv::FONT_HERSHEY_SIMPLEX, scale, 1, &baseline);
    cv::putText(
        sheet, name,
        cv::Point(cx + std::max(2, (tile - ts.width) / 2), cy + tile + label_h - baseline - 2),
        cv::FONT_HERSHEY_SIMPLEX, scale, cv::Scalar(20, 20, 20), 1, cv::LINE_AA);
  }
  Image out;
  out.width = sheet.cols;
  out.height = sheet.rows;
  out.rgb.assign(sheet.data, sheet.data + sheet.total() * 3);
  return out;
}

Image side_by_side(const Image& photo, const Image& render) {
  if (photo.width <= 0 || render.width <= 0)
    throw std::invalid_argument("side_by_side needs two images");
  cv::Mat a(photo.height, photo.width, CV_8UC3, const_cast<std::uint8_t*>(photo.rgb.data()));
  cv::Mat b(render.height, render.width, CV_8UC3, const_cast<std::uint8_t*>(render.rgb.data()));
  cv::Mat bs;
  const double s = double(photo.height) / double(render.height);
  cv::resize(b, bs, cv::Size(std::max(1, int(std::lround(render.width * s))), photo.height), 0, 0,
             s < 1 ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::Mat both;
  cv::hconcat(a, bs, both);
  Image out;
  out.width = both.cols;
  out.height = both.rows;
  out.rgb.assign(both.data, both.data + both.total() * 3);
  return out;
}

}  // namespace semblend
