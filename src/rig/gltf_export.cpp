// The face rig as glTF 2.0 (gltf.h). tinygltf (Debian's libtinygltf) holds the document and
// serialises it; this file only lays the rig's arrays into buffers and accessors.
#include <tiny_gltf.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "semblend/file_io.h"
#include "semblend/gltf.h"
#include "semblend/render.h"

namespace semblend {
namespace {

constexpr float kMetresPerCm = 0.01f;

// How each part looks in a glTF viewer: the renderer's default colours (part_colours(), converted
// to glTF's linear baseColorFactor below), a roughness (nothing on a face is metal), sidedness.
struct PartLook {
  RigPart part;
  double roughness;
  bool double_sided;  // seen from both sides
};
// clang-format off
constexpr std::array<PartLook, kRigPartCount> kPartLooks{{
  {RigPart::Skin,          0.60, false},
  {RigPart::Lips,          0.45, false},
  {RigPart::Brow,          0.90, false},
  {RigPart::LashLine,      0.80, true},
  {RigPart::EyeWhite,      0.25, false},  // wet sclera
  {RigPart::Iris,          0.30, false},
  {RigPart::Pupil,         0.20, false},
  {RigPart::MouthInterior, 0.80, true},
  {RigPart::Teeth,         0.30, false},
  {RigPart::Tongue,        0.50, false},
  {RigPart::Hair,          0.90, false},
  {RigPart::Neck,          0.60, false},
}};
// clang-format on
constexpr bool looks_in_part_order() {
  for (std::size_t i = 0; i < kPartLooks.size(); ++i)
    if (static_cast<std::size_t>(kPartLooks[i].part) != i) return false;
  return true;
}
static_assert(looks_in_part_order(), "one row per RigPart, in enum order");

double srgb_to_linear(double c) {
  return c <= 0.04045 ? c / 12.92 : std::pow((c + 0.055) / 1.055, 2.4);
}

void check_finite(const Point3& p, const char* what, std::size_t i) {
  if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z))
    throw std::invalid_argument(std::string("rig: ") + what + " " + std::to_string(i) +
                                " is not finite");
}

void check_rig(const Rig& rig) {
  const std::size_t n = rig.vertex_count();
  if (n == 0 || rig.triangles.empty())
    throw std::invalid_argument("rig: no vertices or no triangles to export");
  for (std::size_t i = 0; i < n; ++i) check_finite(rig.neutral[i], "vertex", i);
  for (std::size_t t = 0; t < rig.triangles.size(); ++t)
    for (std::uint32_t v : rig.triangles[t].v)
      if (v >= n)
        throw std::invalid_argument("rig: triangle " + std::to_string(t) + " uses vertex " +
                                    std::to_string(v) + " of " + std::to_string(n));
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    const auto& d = rig.deltas[s];
    const std::string name(kBlendshapes[s].apple_name);
    if (d.size() != n)
      throw std::invalid_argument("rig: " + name + " has " + std::to_string(d.size()) +
                                  " deltas for " + std::to_string(n) + " vertices");
    for (std::size_t i = 0; i < n; ++i) check_finite(d[i], (name + " delta of vertex").c_str(), i);
  }
}

// Area-weighted vertex normals of the neutral mesh (the cross product's length is twice the
// triangle's area); a vertex on no triangle gets +z, the way the face looks.
std::vector<Point3> vertex_normals(const Rig& rig) {
  std::vector<double> acc(3 * rig.vertex_count(), 0.0);
  for (const RigTriangle& t : rig.triangles) {
    const Point3 &a = rig.neutral[t.v[0]], &b = rig.neutral[t.v[1]], &c = rig.neutral[t.v[2]];
    const double ux = b.x - a.x, uy = b.y - a.y, uz = b.z - a.z;
    const double vx = c.x - a.x, vy = c.y - a.y, vz = c.z - a.z;
    const double nx = uy * vz - uz * vy, ny = uz * vx - ux * vz, nz = ux * vy - uy * vx;
    for (std::uint32_t v : t.v) {
      acc[3 * v] += nx;
      acc[3 * v + 1] += ny;
      acc[3 * v + 2] += nz;
    }
  }
  std::vector<Point3> normals(rig.vertex_count(), Point3{0, 0, 1});
  for (std::size_t i = 0; i < normals.size(); ++i) {
    const double len = std::sqrt(acc[3 * i] * acc[3 * i] + acc[3 * i + 1] * acc[3 * i + 1] +
                                 acc[3 * i + 2] * acc[3 * i + 2]);
    if (len > 1e-12)
      normals[i] = {static_cast<float>(acc[3 * i] / len), static_cast<float>(acc[3 * i + 1] / len),
                    static_cast<float>(acc[3 * i + 2] / len)};
  }
  return normals;
}

// Lays arrays into the one buffer, each in its own 4-byte aligned buffer view.
class Builder {
 public:
  tinygltf::Model model;

  Builder() {
    model.asset.version = "2.0";
    model.asset.generator = "semblend";
    model.buffers.emplace_back();
  }

  // `components` floats per element (1 scalar, 3 VEC3, 4 VEC4); with `bounds`, the accessor gets
  // the per-component min/max the spec requires for POSITION and animation inputs.
  int add_floats(std::span<const float> values, int components, int target, bool bounds) {
    const std::size_t count = values.size() / static_cast<std::size_t>(components);
    tinygltf::Accessor a;
    a.bufferView = add_view(values.data(), values.size_bytes(), target);
    a.componentType = TINYGLTF_COMPONENT_TYPE_FLOAT;
    a.count = count;
    a.type = components == 1   ? TINYGLTF_TYPE_SCALAR
             : components == 3 ? TINYGLTF_TYPE_VEC3
                               : TINYGLTF_TYPE_VEC4;
    if (bounds) {
      const auto c = static_cast<std::size_t>(components);
      a.minValues.assign(c, std::numeric_limits<double>::infinity());
      a.maxValues.assign(c, -std::numeric_limits<double>::infinity());
      for (std::size_t i = 0; i < values.size(); ++i) {
        a.minValues[i % c] = std::min<double>(a.minValues[i % c], values[i]);
        a.maxValues[i % c] = std::max<double>(a.maxValues[i % c], values[i]);
      }
    }
    model.accessors.push_back(std::move(a));
    return static_cast<int>(model.accessors.size() - 1);
  }

  // Triangle indices: 16-bit when every index fits, else 32-bit.
  int add_indices(const std::vector<std::uint32_t>& indices, std::size_t vertex_count) {
    tinygltf::Accessor a;
    if (vertex_count <= 0xFFFF) {
      const std::vector<std::uint16_t> small(indices.begin(), indices.end());
      a.bufferView = add_view(small.data(), small.size() * 2, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      a.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT;
    } else {
      a.bufferView =
          add_view(indices.data(), indices.size() * 4, TINYGLTF_TARGET_ELEMENT_ARRAY_BUFFER);
      a.componentType = TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT;
    }
    a.count = indices.size();
    a.type = TINYGLTF_TYPE_SCALAR;
    model.accessors.push_back(std::move(a));
    return static_cast<int>(model.accessors.size() - 1);
  }

 private:
  int add_view(const void* data, std::size_t bytes, int target) {
    auto& buffer = model.buffers[0].data;
    buffer.resize((buffer.size() + 3) / 4 * 4, 0);
    tinygltf::BufferView view;
    view.buffer = 0;
    view.byteOffset = buffer.size();
    view.byteLength = bytes;
    view.target = target;
    buffer.resize(buffer.size() + bytes);
    std::memcpy(buffer.data() + view.byteOffset, data, bytes);
    model.bufferViews.push_back(std::move(view));
    return static_cast<int>(model.bufferViews.size() - 1);
  }
};

std::vector<float> metres(const std::vector<Point3>& points) {
  std::vector<float> out;
  out.reserve(3 * points.size());
  for (const Point3& p : points) {
    out.push_back(p.x * kMetresPerCm);
    out.push_back(p.y * kMetresPerCm);
    out.push_back(p.z * kMetresPerCm);
  }
  return out;
}

// The mesh: shared POSITION/NORMAL, 52 shared morph targets, one primitive and material per part.
int add_mesh(Builder& b, const Rig& rig) {
  const std::size_t n = rig.vertex_count();
  const std::vector<float> positions = metres(rig.neutral);
  const int position = b.add_floats(positions, 3, TINYGLTF_TARGET_ARRAY_BUFFER, true);
  const std::vector<float> normals = [&] {
    std::vector<float> out;
    for (const Point3& p : vertex_normals(rig)) out.insert(out.end(), {p.x, p.y, p.z});
    return out;
  }();
  const int normal = b.add_floats(normals, 3, TINYGLTF_TARGET_ARRAY_BUFFER, false);
  std::vector<std::map<std::string, int>> targets;
  tinygltf::Value::Array names;
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    targets.push_back(
        {{"POSITION", b.add_floats(metres(rig.deltas[s]), 3, TINYGLTF_TARGET_ARRAY_BUFFER, true)}});
    names.emplace_back(std::string(kBlendshapes[s].apple_name));
  }

  tinygltf::Mesh mesh;
  mesh.name = "face";
  const std::array<Rgb, kRigPartCount> colours = part_colours();
  for (const PartLook& look : kPartLooks) {
    const Rgb& srgb = colours[static_cast<std::size_t>(look.part)];
    std::vector<std::uint32_t> indices;
    for (const RigTriangle& t : rig.triangles)
      if (t.part == look.part) indices.insert(indices.end(), t.v.begin(), t.v.end());
    if (indices.empty()) continue;
    tinygltf::Material m;
    m.name = std::string(rig_part_name(look.part));
    m.pbrMetallicRoughness.baseColorFactor = {srgb_to_linear(srgb[0]), srgb_to_linear(srgb[1]),
                                              srgb_to_linear(srgb[2]), 1.0};
    m.pbrMetallicRoughness.metallicFactor = 0.0;
    m.pbrMetallicRoughness.roughnessFactor = look.roughness;
    m.doubleSided = look.double_sided;
    b.model.materials.push_back(std::move(m));

    tinygltf::Primitive p;
    p.attributes = {{"POSITION", position}, {"NORMAL", normal}};
    p.indices = b.add_indices(indices, n);
    p.material = static_cast<int>(b.model.materials.size() - 1);
    p.mode = TINYGLTF_MODE_TRIANGLES;
    p.targets = targets;
    mesh.primitives.push_back(std::move(p));
  }
  mesh.weights.assign(kBlendshapeCount, 0.0);
  mesh.extras = tinygltf::Value(tinygltf::Value::Object{{"targetNames", tinygltf::Value(names)}});
  b.model.meshes.push_back(std::move(mesh));
  return static_cast<int>(b.model.meshes.size() - 1);
}

void add_animation(Builder& b, const Take& take, const std::string& name, int head, int face) {
  if (take.frames.empty()) throw std::invalid_argument("glTF animation: the take has no frames");
  validate(take);
  const double t0 = take.frames.front().time;
  std::vector<float> times, weights, rotations;
  bool turns = false;
  for (const FaceFrame& f : take.frames) {
    times.push_back(static_cast<float>(f.time - t0));
    const auto& w = f.coefficients.values();
    weights.insert(weights.end(), w.begin(), w.end());
    const auto q = head_rotation_quaternion(f.head);
    for (double c : q) rotations.push_back(static_cast<float>(c));
    turns = turns || f.head.yaw != 0 || f.head.pitch != 0 || f.head.roll != 0;
  }
  tinygltf::Animation a;
  a.name = name;
  const int input = b.add_floats(times, 1, 0, true);  // animation inputs must have min/max
  tinygltf::AnimationSampler s;
  s.input = input;
  s.output = b.add_floats(weights, 1, 0, false);
  s.interpolation = "LINEAR";
  a.samplers.push_back(s);
  tinygltf::AnimationChannel c;
  c.sampler = 0;
  c.target_node = face;
  c.target_path = "weights";
  a.channels.push_back(c);
  if (turns) {
    s.output = b.add_floats(rotations, 4, 0, false);
    a.samplers.push_back(s);
    c.sampler = 1;
    c.target_node = head;
    c.target_path = "rotation";
    a.channels.push_back(c);
  }
  b.model.animations.push_back(std::move(a));
}

tinygltf::Model build_model(const Rig& rig, const GltfOptions& o) {
  check_rig(rig);
  Builder b;
  const int mesh = add_mesh(b, rig);
  const Point3 pivot = o.head_pivot_cm;
  if (!std::isfinite(pivot.x) || !std::isfinite(pivot.y) || !std::isfinite(pivot.z))
    throw std::invalid_argument("glTF export: the head pivot is not finite");
  tinygltf::Node head, face;
  head.name = "head";
  head.translation = {pivot.x * kMetresPerCm, pivot.y * kMetresPerCm, pivot.z * kMetresPerCm};
  head.children = {1};
  face.name = "face";
  face.mesh = mesh;
  face.translation = {-pivot.x * kMetresPerCm, -pivot.y * kMetresPerCm, -pivot.z * kMetresPerCm};
  b.model.nodes = {head, face};
  tinygltf::Scene scene;
  scene.name = "semblend face rig";
  scene.nodes = {0};
  b.model.scenes.push_back(scene);
  b.model.defaultScene = 0;
  if (o.take) add_animation(b, *o.take, o.animation_name, 0, 1);
  return std::move(b.model);
}

std::string serialise(const tinygltf::Model& model, bool binary) {
  tinygltf::TinyGLTF writer;
  std::ostringstream out;
  if (!writer.WriteGltfSceneToStream(&model, out, /*prettyPrint=*/!binary, binary))
    throw std::runtime_error("glTF export: tinygltf could not serialise the model");
  return std::move(out).str();
}

}  // namespace

std::string rig_to_glb(const Rig& rig, const GltfOptions& options) {
  return serialise(build_model(rig, options), true);
}

std::string rig_to_gltf(const Rig& rig, const GltfOptions& options) {
  return serialise(build_model(rig, options), false);
}

void write_rig_gltf(const Rig& rig, const std::string& path, const GltfOptions& options) {
  const std::string ext = extension_of(path);
  if (ext != "glb" && ext != "gltf")
    throw std::invalid_argument("cannot tell the glTF container from \"" + path +
                                "\" (use .glb or .gltf)");
  write_file_atomic(path, ext == "glb" ? rig_to_glb(rig, options) : rig_to_gltf(rig, options));
}

}  // namespace semblend
