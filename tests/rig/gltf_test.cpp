// The glTF export (gltf.h), read back by two readers: assimp (independent of the writer) and
// tinygltf's own loader. A small hand-built rig checks every array exactly.
#include "semblend/gltf.h"

#include <assimp/material.h>
#include <assimp/postprocess.h>
#include <assimp/scene.h>
#include <gtest/gtest.h>
#include <tiny_gltf.h>

#include <array>
#include <assimp/Importer.hpp>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::q;

namespace fs = std::filesystem;

// A few triangles: a skin quad facing +z, a lips triangle in front of it, and a teeth triangle.
// Shape s moves vertex s % 7 by (0.1, -0.05, 0.02)·(s + 1) cm, so every target differs.
Rig small_rig() {
  Rig r;
  r.neutral = {{-1, -1, 0},          {1, -1, 0},          {1, 1, 0}, {-1, 1, 0},
               {-0.5f, -0.5f, 0.5f}, {0.5f, -0.5f, 0.5f}, {0, 0, 1}};
  r.triangles = {{{0, 1, 2}, RigPart::Skin},
                 {{0, 2, 3}, RigPart::Skin},
                 {{4, 5, 6}, RigPart::Lips},
                 {{3, 4, 6}, RigPart::Teeth}};
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    r.deltas[s].assign(r.neutral.size(), Point3{});
    const float k = static_cast<float>(s + 1);
    r.deltas[s][s % r.neutral.size()] = {0.1f * k, -0.05f * k, 0.02f * k};
  }
  return r;
}

// Five frames from t = 1 s at 30 fps, each with a different shape active, turning the head.
Take small_take(bool head_motion = true) {
  Take t;
  t.fps = 30;
  for (int i = 0; i < 5; ++i) {
    FaceFrame f;
    f.time = 1.0 + i / 30.0;
    f.coefficients.set_at(static_cast<std::size_t>(i), 0.5f);
    f.coefficients.set(Blendshape::JawOpen, 0.1f * static_cast<float>(i));
    if (head_motion) {
      f.head.yaw = 0.1f * static_cast<float>(i);
      f.head.pitch = -0.05f * static_cast<float>(i);
      f.head.roll = 0.02f * static_cast<float>(i);
    }
    t.frames.push_back(f);
  }
  return t;
}

struct AssimpFile {
  std::unique_ptr<Assimp::Importer> importer = std::make_unique<Assimp::Importer>();
  const aiScene* scene = nullptr;
};

AssimpFile read_with_assimp(const std::string& bytes, const char* hint) {
  AssimpFile f;
  f.scene = f.importer->ReadFileFromMemory(bytes.data(), bytes.size(),
                                           aiProcess_ValidateDataStructure, hint);
  EXPECT_NE(f.scene, nullptr) << f.importer->GetErrorString();
  return f;
}

tinygltf::Model read_with_tinygltf(const std::string& bytes, bool binary) {
  tinygltf::TinyGLTF loader;
  tinygltf::Model model;
  std::string err, warn;
  const bool ok =
      binary ? loader.LoadBinaryFromMemory(&model, &err, &warn,
                                           reinterpret_cast<const unsigned char*>(bytes.data()),
                                           static_cast<unsigned>(bytes.size()))
             : loader.LoadASCIIFromString(&model, &err, &warn, bytes.data(),
                                          static_cast<unsigned>(bytes.size()), "");
  EXPECT_TRUE(ok) << err;
  EXPECT_EQ(err, "");
  EXPECT_EQ(warn, "");
  return model;
}

// The floats of a tightly packed float accessor.
std::vector<float> floats(const tinygltf::Model& m, int accessor) {
  const tinygltf::Accessor& a = m.accessors.at(static_cast<std::size_t>(accessor));
  EXPECT_EQ(a.componentType, TINYGLTF_COMPONENT_TYPE_FLOAT);
  const tinygltf::BufferView& v = m.bufferViews.at(static_cast<std::size_t>(a.bufferView));
  const std::size_t n = a.count * static_cast<std::size_t>(tinygltf::GetNumComponentsInType(
                                      static_cast<std::uint32_t>(a.type)));
  std::vector<float> out(n);
  std::memcpy(out.data(), m.buffers.at(0).data.data() + v.byteOffset + a.byteOffset, 4 * n);
  return out;
}

std::vector<std::uint32_t> indices(const tinygltf::Model& m, int accessor) {
  const tinygltf::Accessor& a = m.accessors.at(static_cast<std::size_t>(accessor));
  const tinygltf::BufferView& v = m.bufferViews.at(static_cast<std::size_t>(a.bufferView));
  const unsigned char* p = m.buffers.at(0).data.data() + v.byteOffset + a.byteOffset;
  std::vector<std::uint32_t> out;
  for (std::size_t i = 0; i < a.count; ++i) {
    if (a.componentType == TINYGLTF_COMPONENT_TYPE_UNSIGNED_SHORT) {
      std::uint16_t x;
      std::memcpy(&x, p + 2 * i, 2);
      out.push_back(x);
    } else {
      EXPECT_EQ(a.componentType, TINYGLTF_COMPONENT_TYPE_UNSIGNED_INT);
      std::uint32_t x;
      std::memcpy(&x, p + 4 * i, 4);
      out.push_back(x);
    }
  }
  return out;
}

std::string material_name(const aiScene* s, unsigned mesh) {
  aiString name;
  s->mMaterials[s->mMeshes[mesh]->mMaterialIndex]->Get(AI_MATKEY_NAME, name);
  return name.C_Str();
}

TEST(GltfExport, AssimpReadsFiftyTwoNamedMorphTargetsOnEveryPart) {
  const Rig rig = small_rig();
  const std::string glb = rig_to_glb(rig);
  ASSERT_GE(glb.size(), 12u);
  EXPECT_EQ(glb.substr(0, 4), "glTF");
  std::uint32_t version = 0, length = 0;
  std::memcpy(&version, glb.data() + 4, 4);
  std::memcpy(&length, glb.data() + 8, 4);
  EXPECT_EQ(version, 2u);
  EXPECT_EQ(length, glb.size());

  const AssimpFile f = read_with_assimp(glb, "glb");
  ASSERT_NE(f.scene, nullptr);
  const aiScene* s = f.scene;
  // One aiMesh per primitive: skin, lips, teeth (in RigPart order), each with every vertex.
  ASSERT_EQ(s->mNumMeshes, 3u);
  const char* parts[] = {"skin", "lips", "teeth"};
  const unsigned faces[] = {2, 1, 1};
  for (unsigned m = 0; m < 3; ++m) {
    const aiMesh* mesh = s->mMeshes[m];
    EXPECT_EQ(material_name(s, m), parts[m]);
    EXPECT_EQ(mesh->mNumFaces, faces[m]);
    ASSERT_EQ(mesh->mNumVertices, rig.vertex_count());
    for (unsigned i = 0; i < mesh->mNumVertices; ++i) {
      EXPECT_FLOAT_EQ(mesh->mVertices[i].x, rig.neutral[i].x * 0.01f) << i;
      EXPECT_FLOAT_EQ(mesh->mVertices[i].y, rig.neutral[i].y * 0.01f) << i;
      EXPECT_FLOAT_EQ(mesh->mVertices[i].z, rig.neutral[i].z * 0.01f) << i;
    }
    ASSERT_EQ(mesh->mNumAnimMeshes, kBlendshapeCount);
    for (std::size_t t = 0; t < kBlendshapeCount; ++t) {
      const aiAnimMesh* am = mesh->mAnimMeshes[t];
      EXPECT_EQ(std::string(am->mName.C_Str()), kBlendshapes[t].apple_name) << t;
      ASSERT_EQ(am->mNumVertices, rig.vertex_count());
      // assimp stores a target as positions (neutral + delta); the delta comes back in metres.
      for (unsigned i = 0; i < am->mNumVertices; ++i) {
        const Point3& d = rig.deltas[t][i];
        EXPECT_NEAR(am->mVertices[i].x - mesh->mVertices[i].x, d.x * 0.01f, 1e-7f) << t << "/" << i;
        EXPECT_NEAR(am->mVertices[i].y - mesh->mVertices[i].y, d.y * 0.01f, 1e-7f) << t << "/" << i;
        EXPECT_NEAR(am->mVertices[i].z - mesh->mVertices[i].z, d.z * 0.01f, 1e-7f) << t << "/" << i;
      }
    }
  }
  // jawOpen (17) moves vertex 17 % 7 = 3 by 18·(0.1, -0.05, 0.02) cm.
  const aiAnimMesh* jaw = s->mMeshes[0]->mAnimMeshes[index_of(Blendshape::JawOpen)];
  EXPECT_NEAR(jaw->mVertices[3].y - s->mMeshes[0]->mVertices[3].y, -0.009f, 1e-7f);
  // Lips are redder than skin; the colours are linear (sRGB 0.82 -> 0.638).
  aiColor4D skin, lips;
  ASSERT_EQ(s->mMaterials[s->mMeshes[0]->mMaterialIndex]->Get(AI_MATKEY_BASE_COLOR, skin),
            aiReturn_SUCCESS);
  ASSERT_EQ(s->mMaterials[s->mMeshes[1]->mMaterialIndex]->Get(AI_MATKEY_BASE_COLOR, lips),
            aiReturn_SUCCESS);
  EXPECT_NEAR(skin.r, 0.638f, 0.002f);
  EXPECT_GT(lips.r / lips.g, 1.5f * skin.r / skin.g);
  // The face node holds the mesh under the head node.
  const aiNode* head = s->mRootNode->FindNode("head");
  ASSERT_NE(head, nullptr);
  ASSERT_EQ(head->mNumChildren, 1u);
  EXPECT_EQ(std::string(head->mChildren[0]->mName.C_Str()), "face");
  EXPECT_EQ(head->mChildren[0]->mNumMeshes, 3u);
}

TEST(GltfExport, TinyGltfReadsTheSameLayout) {
  const Rig rig = small_rig();
  const tinygltf::Model m = read_with_tinygltf(rig_to_glb(rig), true);
  ASSERT_EQ(m.meshes.size(), 1u);
  const tinygltf::Mesh& mesh = m.meshes[0];
  ASSERT_EQ(mesh.primitives.size(), 3u);
  // extras.targetNames: the 52 Apple names, the convention three.js and Blender read.
  const tinygltf::Value& names = mesh.extras.Get("targetNames");
  ASSERT_TRUE(names.IsArray());
  ASSERT_EQ(names.ArrayLen(), kBlendshapeCount);
  for (std::size_t t = 0; t < kBlendshapeCount; ++t)
    EXPECT_EQ(names.Get(static_cast<int>(t)).Get<std::string>(), kBlendshapes[t].apple_name);
  EXPECT_EQ(mesh.weights, std::vector<double>(kBlendshapeCount, 0.0));

  // Every primitive has the same POSITION, NORMAL and 52 targets; its indices are its part's
  // triangles in the rig's order and winding.
  const RigPart parts[] = {RigPart::Skin, RigPart::Lips, RigPart::Teeth};
  for (std::size_t p = 0; p < 3; ++p) {
    const tinygltf::Primitive& prim = mesh.primitives[p];
    EXPECT_EQ(prim.mode, TINYGLTF_MODE_TRIANGLES);
    EXPECT_EQ(prim.attributes, mesh.primitives[0].attributes);
    ASSERT_EQ(prim.targets.size(), kBlendshapeCount);
    EXPECT_EQ(prim.targets, mesh.primitives[0].targets);
    std::vector<std::uint32_t> expected;
    for (const RigTriangle& t : rig.triangles)
      if (t.part == parts[p]) expected.insert(expected.end(), t.v.begin(), t.v.end());
    EXPECT_EQ(indices(m, prim.indices), expected) << p;
    EXPECT_EQ(m.materials.at(static_cast<std::size_t>(prim.material)).name,
              rig_part_name(parts[p]));
  }
  // POSITION accessors (the neutral and every target) carry exact min/max, as the spec requires.
  const auto& prim = mesh.primitives[0];
  std::vector<int> positions{prim.attributes.at("POSITION")};
  for (const auto& t : prim.targets) positions.push_back(t.at("POSITION"));
  for (int a : positions) {
    const tinygltf::Accessor& acc = m.accessors.at(static_cast<std::size_t>(a));
    const std::vector<float> v = floats(m, a);
    ASSERT_EQ(v.size(), 3 * rig.vertex_count());
    ASSERT_EQ(acc.minValues.size(), 3u);
    ASSERT_EQ(acc.maxValues.size(), 3u);
    for (std::size_t c = 0; c < 3; ++c) {
      float lo = v[c], hi = v[c];
      for (std::size_t i = c; i < v.size(); i += 3)
        lo = std::min(lo, v[i]), hi = std::max(hi, v[i]);
      EXPECT_EQ(static_cast<float>(acc.minValues[c]), lo) << a;
      EXPECT_EQ(static_cast<float>(acc.maxValues[c]), hi) << a;
    }
  }
  const std::vector<float> target = floats(m, prim.targets[5].at("POSITION"));  // eyeSquintLeft
  EXPECT_FLOAT_EQ(target[3 * 5 + 0], 0.006f);  // vertex 5 by 6·0.1 cm
  EXPECT_FLOAT_EQ(target[3 * 5 + 1], -0.003f);
  EXPECT_FLOAT_EQ(target[3 * 0 + 0], 0.0f);
}

TEST(GltfExport, NormalsAreAreaWeightedAndFaceOutward) {
  const Rig rig = small_rig();
  const tinygltf::Model m = read_with_tinygltf(rig_to_glb(rig), true);
  const std::vector<float> n = floats(m, m.meshes[0].primitives[0].attributes.at("NORMAL"));
  ASSERT_EQ(n.size(), 3 * rig.vertex_count());
  for (std::size_t i = 0; i < rig.vertex_count(); ++i)
    EXPECT_NEAR(std::hypot(n[3 * i], n[3 * i + 1], n[3 * i + 2]), 1.0, 1e-6) << i;
  // Vertices 0-2 lie only on the quad facing +z (counter-clockwise seen from +z).
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_NEAR(n[3 * i + 2], 1.0f, 1e-6f) << i;
  }
  // Vertex 4: lips (area √0.5/2 ≈ 0.354, normal (0, -1, 1)/√2) and teeth ((3,4,6): cross of
  // (0.5,-1.5,0.5) and (1,-1,1) = (-1, 0, 1), area √2/2 ≈ 0.707): sum (-1, -0.5, 1.5).
  const double len = std::sqrt(1 + 0.25 + 2.25);
  EXPECT_NEAR(n[12], -1 / len, 1e-6);
  EXPECT_NEAR(n[13], -0.5 / len, 1e-6);
  EXPECT_NEAR(n[14], 1.5 / len, 1e-6);
}

TEST(GltfExport, AnimationHasOneKeyPerFrameInBothReaders) {
  const Rig rig = small_rig();
  const Take take = small_take();
  GltfOptions o;
  o.take = &take;
  o.animation_name = "small";
  const std::string glb = rig_to_glb(rig, o);

  const AssimpFile f = read_with_assimp(glb, "glb");
  ASSERT_NE(f.scene, nullptr);
  ASSERT_EQ(f.scene->mNumAnimations, 1u);
  const aiAnimation* a = f.scene->mAnimations[0];
  EXPECT_EQ(std::string(a->mName.C_Str()), "small");
  ASSERT_EQ(a->mNumMorphMeshChannels, 1u);
  const aiMeshMorphAnim* morph = a->mMorphMeshChannels[0];
  EXPECT_EQ(std::string(morph->mName.C_Str()), "face");
  ASSERT_EQ(morph->mNumKeys, take.frames.size());
  const double ticks = a->mTicksPerSecond > 0 ? a->mTicksPerSecond : 1.0;
  for (unsigned k = 0; k < morph->mNumKeys; ++k) {
    const aiMeshMorphKey& key = morph->mKeys[k];
    EXPECT_NEAR(key.mTime / ticks, take.frames[k].time - 1.0, 1e-5) << k;
    ASSERT_EQ(key.mNumValuesAndWeights, kBlendshapeCount);
    for (unsigned j = 0; j < kBlendshapeCount; ++j) {
      EXPECT_EQ(key.mValues[j], j);
      EXPECT_FLOAT_EQ(static_cast<float>(key.mWeights[j]), take.frames[k].coefficients.at(j))
          << k << "/" << j;
    }
  }
  ASSERT_EQ(a->mNumChannels, 1u);
  const aiNodeAnim* head = a->mChannels[0];
  EXPECT_EQ(std::string(head->mNodeName.C_Str()), "head");
  ASSERT_EQ(head->mNumRotationKeys, take.frames.size());
  for (unsigned k = 0; k < head->mNumRotationKeys; ++k) {
    const auto q = head_rotation_quaternion(take.frames[k].head);
    const aiQuaternion& r = head->mRotationKeys[k].mValue;
    EXPECT_NEAR(r.x, q[0], 1e-6) << k;
    EXPECT_NEAR(r.y, q[1], 1e-6) << k;
    EXPECT_NEAR(r.z, q[2], 1e-6) << k;
    EXPECT_NEAR(r.w, q[3], 1e-6) << k;
  }

  const tinygltf::Model m = read_with_tinygltf(glb, true);
  ASSERT_EQ(m.animations.size(), 1u);
  const tinygltf::Animation& anim = m.animations[0];
  ASSERT_EQ(anim.channels.size(), 2u);
  EXPECT_EQ(anim.channels[0].target_path, "weights");
  EXPECT_EQ(m.nodes.at(static_cast<std::size_t>(anim.channels[0].target_node)).name, "face");
  EXPECT_EQ(anim.channels[1].target_path, "rotation");
  EXPECT_EQ(m.nodes.at(static_cast<std::size_t>(anim.channels[1].target_node)).name, "head");
  const tinygltf::AnimationSampler& s = anim.samplers.at(0);
  EXPECT_EQ(s.interpolation, "LINEAR");
  const std::vector<float> times = floats(m, s.input), weights = floats(m, s.output);
  ASSERT_EQ(times.size(), 5u);
  ASSERT_EQ(weights.size(), 5 * kBlendshapeCount);
  EXPECT_EQ(times[0], 0.0f);
  EXPECT_FLOAT_EQ(times[4], 4 / 30.0f);
  const tinygltf::Accessor& input = m.accessors.at(static_cast<std::size_t>(s.input));
  EXPECT_EQ(input.minValues, std::vector<double>{0.0});
  EXPECT_EQ(input.maxValues, std::vector<double>{static_cast<double>(times[4])});
  EXPECT_FLOAT_EQ(weights[2 * kBlendshapeCount + index_of(Blendshape::JawOpen)], 0.2f);
}

TEST(GltfExport, NoHeadChannelWhenTheHeadDoesNotTurn) {
  const Take take = small_take(/*head_motion=*/false);
  GltfOptions o;
  o.take = &take;
  const tinygltf::Model m = read_with_tinygltf(rig_to_glb(small_rig(), o), true);
  ASSERT_EQ(m.animations.size(), 1u);
  ASSERT_EQ(m.animations[0].channels.size(), 1u);
  EXPECT_EQ(m.animations[0].channels[0].target_path, "weights");
  // Without a take there is no animation at all.
  EXPECT_TRUE(read_with_tinygltf(rig_to_glb(small_rig()), true).animations.empty());
}

TEST(GltfExport, JsonFormEmbedsTheBufferAsBase64) {
  const Rig rig = small_rig();
  const Take take = small_take();
  GltfOptions o;
  o.take = &take;
  const std::string json = rig_to_gltf(rig, o);
  ASSERT_FALSE(json.empty());
  EXPECT_EQ(json.front(), '{');
  EXPECT_NE(json.find("\"uri\": \"data:application/octet-stream;base64,"), std::string::npos);
  const tinygltf::Model a = read_with_tinygltf(json, false);
  const tinygltf::Model b = read_with_tinygltf(rig_to_glb(rig, o), true);
  EXPECT_EQ(a.accessors.size(), b.accessors.size());
  EXPECT_EQ(a.buffers.at(0).data, b.buffers.at(0).data);
  const AssimpFile f = read_with_assimp(json, "gltf");
  ASSERT_NE(f.scene, nullptr);
  ASSERT_EQ(f.scene->mNumMeshes, 3u);
  EXPECT_EQ(f.scene->mMeshes[0]->mNumAnimMeshes, kBlendshapeCount);
  EXPECT_EQ(f.scene->mNumAnimations, 1u);
}

using Mat3 = std::array<std::array<double, 3>, 3>;

Mat3 mul(const Mat3& a, const Mat3& b) {
  Mat3 c{};
  for (int i = 0; i < 3; ++i)
    for (int j = 0; j < 3; ++j)
      for (int k = 0; k < 3; ++k) c[i][j] += a[i][k] * b[k][j];
  return c;
}

// Right-handed rotations about x, y, z by t radians.
Mat3 rot(int axis, double t) {
  const double c = std::cos(t), s = std::sin(t);
  if (axis == 0) return Mat3{{{1, 0, 0}, {0, c, -s}, {0, s, c}}};
  if (axis == 1) return Mat3{{{c, 0, s}, {0, 1, 0}, {-s, 0, c}}};
  return Mat3{{{c, -s, 0}, {s, c, 0}, {0, 0, 1}}};
}

// The quaternion is R = Ry(yaw)·Rx(−pitch)·Rz(−roll), built here from three matrices; and the
// landmarker, which reads yaw = atan2(n.x, n.z), pitch = atan2(n.y, |n.xz|) from the face normal
// n = R·z and roll = atan2(−s.y, s.x) from s = R·x, reads the same yaw and pitch back (and the same
// roll when the head neither turns nor nods: its roll is an image-plane approximation).
TEST(GltfExport, HeadQuaternionMatchesTheLandmarkerAxes) {
  const float angles[] = {-0.8f, -0.3f, 0.0f, 0.25f, 0.7f};
  for (float yaw : angles)
    for (float pitch : angles)
      for (float roll : angles) {
        HeadPose h;
        h.yaw = yaw, h.pitch = pitch, h.roll = roll;
        const auto [x, y, z, w] = head_rotation_quaternion(h);
        EXPECT_NEAR(x * x + y * y + z * z + w * w, 1.0, 1e-12);
        const Mat3 q{{{1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w)},
                      {2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w)},
                      {2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y)}}};
        const Mat3 r = mul(mul(rot(1, yaw), rot(0, -pitch)), rot(2, -roll));
        for (int i = 0; i < 3; ++i)
          for (int j = 0; j < 3; ++j) EXPECT_NEAR(q[i][j], r[i][j], 1e-12) << i << j;
        const double nx = q[0][2], ny = q[1][2], nz = q[2][2];
        EXPECT_NEAR(std::atan2(nx, nz), yaw, 1e-6);
        EXPECT_NEAR(std::atan2(ny, std::hypot(nx, nz)), pitch, 1e-6);
        if (yaw == 0 && pitch == 0) {
          EXPECT_NEAR(std::atan2(-q[1][0], q[0][0]), roll, 1e-6);
        }
      }
  HeadPose left;
  left.yaw = 0.5f;  // the face turns toward the subject's left, +x
  const auto q = head_rotation_quaternion(left);
  EXPECT_NEAR(2 * (q[0] * q[2] + q[1] * q[3]), std::sin(0.5), 1e-6);
}

TEST(GltfExport, WritesAtomicallyByExtension) {
  test::TempDir tmp;
  const Rig rig = small_rig();
  write_rig_gltf(rig, tmp.path("rig.glb"));
  EXPECT_EQ(read_file(tmp.path("rig.glb")), rig_to_glb(rig));
  write_rig_gltf(rig, tmp.path("rig.gltf"));
  EXPECT_EQ(read_file(tmp.path("rig.gltf")), rig_to_gltf(rig));

  EXPECT_THROW(write_rig_gltf(rig, tmp.path("rig.obj")), std::invalid_argument);
  EXPECT_FALSE(fs::exists(tmp.path("rig.obj")));
  EXPECT_THROW(write_rig_gltf(rig, tmp.path("missing/rig.glb")), IoError);
  EXPECT_FALSE(fs::exists(tmp.path("missing")));

  // A failed export leaves an existing file as it was, and no temporary behind.
  Rig broken = rig;
  broken.deltas[3].pop_back();
  const std::string before = read_file(tmp.path("rig.glb"));
  EXPECT_THROW(write_rig_gltf(broken, tmp.path("rig.glb")), std::invalid_argument);
  EXPECT_EQ(read_file(tmp.path("rig.glb")), before);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(tmp.dir())) ++files;
  EXPECT_EQ(files, 2u);
}

TEST(GltfExport, RejectsInconsistentRigsAndTakes) {
  const Rig good = small_rig();
  Rig r = good;
  r.deltas[51].push_back({});
  EXPECT_THROW(rig_to_glb(r), std::invalid_argument);
  r = good;
  r.triangles[2].v[1] = 7;
  EXPECT_THROW(rig_to_glb(r), std::invalid_argument);
  r = good;
  r.neutral[4].y = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(rig_to_glb(r), std::invalid_argument);
  r = good;
  r.deltas[10][2].z = std::numeric_limits<float>::infinity();
  EXPECT_THROW(rig_to_glb(r), std::invalid_argument);
  r = good;
  r.triangles.clear();
  EXPECT_THROW(rig_to_glb(r), std::invalid_argument);

  GltfOptions o;
  Take empty;
  o.take = &empty;
  EXPECT_THROW(rig_to_glb(good, o), std::invalid_argument);
  Take backwards = small_take();
  backwards.frames[3].time = backwards.frames[1].time;
  o.take = &backwards;
  EXPECT_THROW(rig_to_glb(good, o), std::invalid_argument);
}

// The real rig: every vertex and triangle arrives, the 52 names, its deltas, and the axes (the
// subject's left is +x, the face looks along +z).
TEST(GltfRig, DefaultRigLoadsWithFiftyTwoNamedTargets) {
  const Rig& rig = default_rig();
  const std::string glb = rig_to_glb(rig);
  const AssimpFile f = read_with_assimp(glb, "glb");
  ASSERT_NE(f.scene, nullptr);
  const aiScene* s = f.scene;
  std::size_t faces = 0;
  for (unsigned m = 0; m < s->mNumMeshes; ++m) {
    const aiMesh* mesh = s->mMeshes[m];
    faces += mesh->mNumFaces;
    EXPECT_EQ(mesh->mNumVertices, rig.vertex_count());
    ASSERT_EQ(mesh->mNumAnimMeshes, kBlendshapeCount);
    for (std::size_t t = 0; t < kBlendshapeCount; ++t)
      EXPECT_EQ(std::string(mesh->mAnimMeshes[t]->mName.C_Str()), kBlendshapes[t].apple_name);
  }
  EXPECT_EQ(faces, rig.triangles.size());
  const aiMesh* skin = s->mMeshes[0];
  EXPECT_EQ(material_name(s, 0), "skin");
  // jawOpen lowers the chin (landmark 152); the file holds the rig's delta in metres.
  const std::size_t jaw = index_of(Blendshape::JawOpen), chin = 152;
  const Point3& d = rig.deltas[jaw][chin];
  EXPECT_LT(d.y, -0.5f);
  EXPECT_NEAR(skin->mAnimMeshes[jaw]->mVertices[chin].y - skin->mVertices[chin].y, d.y * 0.01f,
              1e-6f);
  EXPECT_NEAR(skin->mAnimMeshes[jaw]->mVertices[chin].z - skin->mVertices[chin].z, d.z * 0.01f,
              1e-6f);
  // eyeBlinkLeft moves the subject's left lid, on the +x side.
  const std::size_t blink = index_of(Blendshape::EyeBlinkLeft);
  std::size_t most = 0;
  float most_d = 0;
  for (std::size_t i = 0; i < rig.vertex_count(); ++i) {
    const aiVector3D v = skin->mAnimMeshes[blink]->mVertices[i] - skin->mVertices[i];
    if (v.Length() > most_d) most_d = v.Length(), most = i;
  }
  EXPECT_GT(most_d, 0.002f);  // > 2 mm
  EXPECT_GT(skin->mVertices[most].x, 0.01f) << most;

  // Normals face out of the face: at the nose tip (landmark 4), and for nearly all of the
  // landmark mesh's triangles their geometric normal agrees with the exported vertex normals.
  const tinygltf::Model m = read_with_tinygltf(glb, true);
  const std::vector<float> n = floats(m, m.meshes[0].primitives[0].attributes.at("NORMAL"));
  EXPECT_GT(n[3 * 4 + 2], 0.7f);
  std::size_t agree = 0, total = 0;
  for (const RigTriangle& t : rig.triangles) {
    if (t.v[0] >= 468 || t.v[1] >= 468 || t.v[2] >= 468) continue;
    const Point3 &a = rig.neutral[t.v[0]], &b = rig.neutral[t.v[1]], &c = rig.neutral[t.v[2]];
    const float gx = (b.y - a.y) * (c.z - a.z) - (b.z - a.z) * (c.y - a.y);
    const float gy = (b.z - a.z) * (c.x - a.x) - (b.x - a.x) * (c.z - a.z);
    const float gz = (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
    float dot = 0;
    for (std::uint32_t v : t.v) dot += gx * n[3 * v] + gy * n[3 * v + 1] + gz * n[3 * v + 2];
    agree += dot > 0;
    ++total;
  }
  ASSERT_GT(total, 800u);
  EXPECT_GT(static_cast<double>(agree) / static_cast<double>(total), 0.99);
  std::printf("default rig as .glb: %zu bytes, %zu vertices, %zu triangles, %u primitives\n",
              glb.size(), rig.vertex_count(), rig.triangles.size(), s->mNumMeshes);
}

TEST(GltfCli, ExportRigWritesTheRigAndATakeAsAnimation) {
  test::TempDir tmp;
  auto r = test::run_cli("export-rig " + q(tmp.path("rig.glb")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_file(tmp.path("rig.glb")), rig_to_glb(default_rig()));

  const std::string recording = test::shared_data("arkit/livelinkface_alex_rom_3.csv");
  r = test::run_cli("export-rig " + q(tmp.path("take.gltf")) + " --take " + q(recording), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take take = read_take(recording);
  const AssimpFile f = read_with_assimp(read_file(tmp.path("take.gltf")), "gltf");
  ASSERT_NE(f.scene, nullptr);
  ASSERT_EQ(f.scene->mNumAnimations, 1u);
  const aiAnimation* a = f.scene->mAnimations[0];
  EXPECT_EQ(std::string(a->mName.C_Str()), "livelinkface_alex_rom_3");
  ASSERT_EQ(a->mNumMorphMeshChannels, 1u);
  EXPECT_EQ(a->mMorphMeshChannels[0]->mNumKeys, take.frames.size());
  // This recording's head angles are all 0 (recorded without head rotation): no head channel.
  EXPECT_EQ(a->mNumChannels, 0u);
  const aiMeshMorphKey& last = a->mMorphMeshChannels[0]->mKeys[take.frames.size() - 1];
  for (unsigned j = 0; j < kBlendshapeCount; ++j)
    EXPECT_FLOAT_EQ(static_cast<float>(last.mWeights[j]), take.frames.back().coefficients.at(j));

  // An identity reshapes the exported face.
  r = test::run_cli(
      "export-rig " + q(tmp.path("wide.glb")) + " --identity face_width=2,jaw_width=-1", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const tinygltf::Model wide = read_with_tinygltf(read_file(tmp.path("wide.glb")), true);
  const tinygltf::Model base = read_with_tinygltf(read_file(tmp.path("rig.glb")), true);
  const int pos = base.meshes[0].primitives[0].attributes.at("POSITION");
  EXPECT_GT(wide.accessors.at(static_cast<std::size_t>(pos)).maxValues[0] -
                wide.accessors.at(static_cast<std::size_t>(pos)).minValues[0],
            base.accessors.at(static_cast<std::size_t>(pos)).maxValues[0] -
                base.accessors.at(static_cast<std::size_t>(pos)).minValues[0]);
}

TEST(GltfCli, BadInputsGiveTheirExitCodesAndNoFile) {
  test::TempDir tmp;
  // A take whose row 3 is not numeric: malformed input (4).
  std::string csv = read_file(test::shared_data("arkit/livelinkface_alex_rom_3.csv"));
  std::size_t p = 0;
  for (int i = 0; i < 2; ++i) p = csv.find('\n', p) + 1;
  p = csv.find(',', csv.find(',', p) + 1) + 1;
  csv.replace(p, csv.find(',', p) - p, "oops");
  test::write_text(tmp.path("bad.csv"), csv);
  auto r = test::run_cli(
      "export-rig " + q(tmp.path("out.glb")) + " --take " + q(tmp.path("bad.csv")), tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("out.glb")));
  // A missing take: unreadable input (3).
  r = test::run_cli("export-rig " + q(tmp.path("out.glb")) + " --take " + q(tmp.path("none.csv")),
                    tmp);
  EXPECT_EQ(r.exit_code, 3) << r.err;
  // An unwritable output (5), with nothing left behind.
  r = test::run_cli("export-rig " + q(tmp.path("missing/out.glb")), tmp);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("missing")));
  // Not a glTF extension, an unknown identity parameter, one out of range: invalid values (6).
  for (const char* args :
       {"rig.obj'", "rig.glb' --identity nose=1", "rig.glb' --identity face_width=9"}) {
    r = test::run_cli("export-rig '" + tmp.path(args), tmp);
    EXPECT_EQ(r.exit_code, 6) << args << ": " << r.err;
  }
  std::vector<std::string> files;  // besides run_cli's .stdout and .stderr
  for (const auto& e : fs::directory_iterator(tmp.dir()))
    if (e.path().filename().string()[0] != '.') files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"bad.csv"});
}

}  // namespace
}  // namespace semblend
