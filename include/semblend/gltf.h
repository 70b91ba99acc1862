// semblend/gltf.h — the face rig as a glTF 2.0 asset: the neutral mesh with the 52 ARKit
// blendshapes as morph targets, named exactly as Apple names them, and optionally a take as an
// animation of their weights and of the head's rotation. three.js, Blender, Unity/Unreal importers
// and any other glTF 2.0 reader can load it and drive it by name
// (`mesh.morphTargetDictionary.jawOpen`).
//
// What is in the file (docs/rig.md, "glTF export", has the details and the three.js notes):
//  * Scene: node "head" (the head's rotation, about `head_pivot_cm`) with one child, node "face",
//    which holds mesh "face". Without a take both are identities around the pivot, so the mesh sits
//    in the rig's face frame.
//  * Units and axes: metres (the rig's centimetres × 0.01); the rig frame (x the subject's left,
//    y up, z out of the face) is glTF's own (+Y up, the asset's front faces +Z, right-handed), so
//    no axis changes. Triangles are counter-clockwise seen from outside, glTF's front faces.
//  * Mesh: one primitive per RigPart that has triangles, each with its own material (a
//    pbrMetallicRoughness baseColorFactor per part: skin, red lips, dark mouth interior, white
//    teeth and eye whites …). All primitives share one POSITION and one NORMAL accessor, so glTF
//    vertex i is rig vertex i (and, for i < 478, MediaPipe landmark i); NORMAL is the area-weighted
//    normal of the neutral mesh. Every primitive has the same 52 morph targets in Apple's order
//    (blendshape.h), each a POSITION delta accessor with min/max; mesh.extras.targetNames holds the
//    52 Apple names (the convention three.js and Blender read) and mesh.weights 52 zeros.
//  * Animation (with `take`): one animation whose "weights" channel on node "face" has the frame
//    times as input (seconds, the first frame at 0) and 52 weights per frame as output, LINEAR; the
//    coefficients are written unchanged (a recording's small overshoots included). When any frame
//    has a head rotation, a "rotation" channel on node "head" carries it as unit quaternions
//    (head_rotation_quaternion). Eye angles and the head's translation are not exported: eyeLook*
//    morph targets already move the eyes, and the translation is in camera coordinates.
//  * Not exported: the rig's correctives (product terms, rig.h). glTF morph targets are linear, so
//    a glTF viewer shows Σ wᵢ·deltaᵢ; pose_rig() adds the correctives on top.
//
// Failure modes: std::invalid_argument for an inconsistent rig (a delta of the wrong length, a
// triangle index out of range, a non-finite coordinate), for a take that breaks the value policy
// (take.h validate()) or has no frames, and for a path whose extension is neither .glb nor .gltf.
// write_rig_gltf writes atomically (file_io.h): on any failure `path` is untouched (IoError).
// Thread safety: pure functions of their arguments.
#pragma once

#include <array>
#include <string>

#include "semblend/rig.h"
#include "semblend/take.h"

namespace semblend {

struct GltfOptions {
  const Take* take = nullptr;  // when set, exported as an animation
  std::string animation_name = "take";
  // The point the head turns about (cm, face frame): roughly the top of the neck, behind and below
  // the face's centre, so a yaw turns the head rather than spinning the face about its nose.
  Point3 head_pivot_cm{0.0f, -5.0f, -8.0f};
};

// The rig as a binary glTF (.glb) file's bytes.
std::string rig_to_glb(const Rig& rig, const GltfOptions& options = {});
// The rig as a glTF JSON (.gltf) document with its buffer embedded as a base64 data URI.
std::string rig_to_gltf(const Rig& rig, const GltfOptions& options = {});
// Writes .glb (binary) or .gltf (JSON, embedded buffer) by the extension of `path`, atomically.
void write_rig_gltf(const Rig& rig, const std::string& path, const GltfOptions& options = {});

}  // namespace semblend
