// semblend/blendshape.h — the ARKit-52 schema: the one source of truth for the 52 blendshapes.
//
// What it is: `enum class Blendshape` in Apple's documented order, and one constexpr table
// (`kBlendshapes`) holding, for every shape, its three spellings (Apple `eyeBlinkLeft`, Live Link
// Face `EyeBlinkLeft`, ARKit `_L/_R` style `eyeBlink_L`), face region, side, mirrored partner,
// related FACS action units and a one-line meaning. Every other part of semblend (formats, the
// semantic layer, the rig, the solver) reads names and facts from here; nothing repeats them.
//
// Sides: "Left" and "Right" ALWAYS mean the subject's own left and right, never the viewer's. In an
// unmirrored photo the subject's left eye appears on the right half of the image. Flipping an image
// horizontally therefore requires swapping every shape with its `mirror` partner
// (eyeBlinkLeft <-> eyeBlinkRight, jawLeft <-> jawRight, eyeLookInLeft <-> eyeLookInRight).
//
// Failure modes: none at compile time beyond the static_asserts in blendshape.cpp that check the
// table (order, mirror involution, unique names). `blendshape_from_name` returns nullopt for an
// unknown name. Thread safety: everything here is immutable data and pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace semblend {

// Apple's documented order (ARFaceAnchor.BlendShapeLocation): left eye, right eye, mouth and jaw,
// brows, cheeks, nose, tongue. Formats with another column order (Live Link Face CSV) define that
// order themselves and map by name.
enum class Blendshape : std::uint8_t {
  EyeBlinkLeft,
  EyeLookDownLeft,
  EyeLookInLeft,
  EyeLookOutLeft,
  EyeLookUpLeft,
  EyeSquintLeft,
  EyeWideLeft,
  EyeBlinkRight,
  EyeLookDownRight,
  EyeLookInRight,
  EyeLookOutRight,
  EyeLookUpRight,
  EyeSquintRight,
  EyeWideRight,
  JawForward,
  JawLeft,
  JawRight,
  JawOpen,
  MouthClose,
  MouthFunnel,
  MouthPucker,
  MouthLeft,
  MouthRight,
  MouthSmileLeft,
  MouthSmileRight,
  MouthFrownLeft,
  MouthFrownRight,
  MouthDimpleLeft,
  MouthDimpleRight,
  MouthStretchLeft,
  MouthStretchRight,
  MouthRollLower,
  MouthRollUpper,
  MouthShrugLower,
  MouthShrugUpper,
  MouthPressLeft,
  MouthPressRight,
  MouthLowerDownLeft,
  MouthLowerDownRight,
  MouthUpperUpLeft,
  MouthUpperUpRight,
  BrowDownLeft,
  BrowDownRight,
  BrowInnerUp,
  BrowOuterUpLeft,
  BrowOuterUpRight,
  CheekPuff,
  CheekSquintLeft,
  CheekSquintRight,
  NoseSneerLeft,
  NoseSneerRight,
  TongueOut,
};
inline constexpr std::size_t kBlendshapeCount = 52;

// Face regions, as used by the semantic layer and region-aware comparisons. `Eyes` is the lids
// (blink, squint, wide); `Gaze` is where the eyeballs point (eyeLook*).
enum class Region : std::uint8_t { Brows, Eyes, Gaze, Cheeks, Nose, Jaw, Mouth, Tongue };
inline constexpr std::size_t kRegionCount = 8;

// Which side of the subject's face a shape acts on. `Both` = a single midline/bilateral shape.
enum class Side : std::uint8_t { Both, Left, Right };

struct BlendshapeInfo {
  Blendshape shape;
  std::string_view apple_name;     // ARKit / three.js / MediaPipe spelling: "eyeBlinkLeft"
  std::string_view livelink_name;  // Live Link Face CSV column: "EyeBlinkLeft"
  std::string_view arkit_lr_name;  // "_L/_R" spelling used by many rigs: "eyeBlink_L"
  Region region;
  Side side;
  Blendshape mirror;  // partner under a horizontal flip (itself for midline shapes)
  // FACS action units this shape expresses (0 = unused slot). Mapping documented in docs/schema.md.
  std::array<std::uint8_t, 2> action_units;
  std::string_view meaning;  // Apple's definition, shortened
};

// clang-format off
// One row per shape, in enum order. Why a row says what it says is in its `meaning` and, for the
// action units, in docs/schema.md ("FACS mapping").
inline constexpr std::array<BlendshapeInfo, kBlendshapeCount> kBlendshapes{{
  // shape                          apple                  livelink               _L/_R                 region          side         mirror                           AUs        meaning
  {Blendshape::EyeBlinkLeft,       "eyeBlinkLeft",       "EyeBlinkLeft",       "eyeBlink_L",       Region::Eyes,   Side::Left,  Blendshape::EyeBlinkRight,       {45, 43}, "closure of the eyelids over the left eye"},
  {Blendshape::EyeLookDownLeft,    "eyeLookDownLeft",    "EyeLookDownLeft",    "eyeLookDown_L",    Region::Gaze,   Side::Left,  Blendshape::EyeLookDownRight,    {64, 0},  "movement of the left eyelids consistent with a downward gaze"},
  {Blendshape::EyeLookInLeft,      "eyeLookInLeft",      "EyeLookInLeft",      "eyeLookIn_L",      Region::Gaze,   Side::Left,  Blendshape::EyeLookInRight,      {62, 0},  "left eye turns toward the nose (subject's right: AU62)"},
  {Blendshape::EyeLookOutLeft,     "eyeLookOutLeft",     "EyeLookOutLeft",     "eyeLookOut_L",     Region::Gaze,   Side::Left,  Blendshape::EyeLookOutRight,     {61, 0},  "left eye turns away from the nose (subject's left: AU61)"},
  {Blendshape::EyeLookUpLeft,      "eyeLookUpLeft",      "EyeLookUpLeft",      "eyeLookUp_L",      Region::Gaze,   Side::Left,  Blendshape::EyeLookUpRight,      {63, 0},  "movement of the left eyelids consistent with an upward gaze"},
  {Blendshape::EyeSquintLeft,      "eyeSquintLeft",      "EyeSquintLeft",      "eyeSquint_L",      Region::Eyes,   Side::Left,  Blendshape::EyeSquintRight,      {7, 0},   "contraction of the face around the left eye (lid tightener)"},
  {Blendshape::EyeWideLeft,        "eyeWideLeft",        "EyeWideLeft",        "eyeWide_L",        Region::Eyes,   Side::Left,  Blendshape::EyeWideRight,        {5, 0},   "widening of the eyelids around the left eye"},
  {Blendshape::EyeBlinkRight,      "eyeBlinkRight",      "EyeBlinkRight",      "eyeBlink_R",       Region::Eyes,   Side::Right, Blendshape::EyeBlinkLeft,        {45, 43}, "closure of the eyelids over the right eye"},
  {Blendshape::EyeLookDownRight,   "eyeLookDownRight",   "EyeLookDownRight",   "eyeLookDown_R",    Region::Gaze,   Side::Right, Blendshape::EyeLookDownLeft,     {64, 0},  "movement of the right eyelids consistent with a downward gaze"},
  {Blendshape::EyeLookInRight,     "eyeLookInRight",     "EyeLookInRight",     "eyeLookIn_R",      Region::Gaze,   Side::Right, Blendshape::EyeLookInLeft,       {61, 0},  "right eye turns toward the nose (subject's left: AU61)"},
  {Blendshape::EyeLookOutRight,    "eyeLookOutRight",    "EyeLookOutRight",    "eyeLookOut_R",     Region::Gaze,   Side::Right, Blendshape::EyeLookOutLeft,      {62, 0},  "right eye turns away from the nose (subject's right: AU62)"},
  {Blendshape::EyeLookUpRight,     "eyeLookUpRight",     "EyeLookUpRight",     "eyeLookUp_R",      Region::Gaze,   Side::Right, Blendshape::EyeLookUpLeft,       {63, 0},  "movement of the right eyelids consistent with an upward gaze"},
  {Blendshape::EyeSquintRight,     "eyeSquintRight",     "EyeSquintRight",     "eyeSquint_R",      Region::Eyes,   Side::Right, Blendshape::EyeSquintLeft,       {7, 0},   "contraction of the face around the right eye (lid tightener)"},
  {Blendshape::EyeWideRight,       "eyeWideRight",       "EyeWideRight",       "eyeWide_R",        Region::Eyes,   Side::Right, Blendshape::EyeWideLeft,         {5, 0},   "widening of the eyelids around the right eye"},
  {Blendshape::JawForward,         "jawForward",         "JawForward",         "jawForward",       Region::Jaw,    Side::Both,  Blendshape::JawForward,          {29, 0},  "forward movement of the lower jaw"},
  {Blendshape::JawLeft,            "jawLeft",            "JawLeft",            "jawLeft",          Region::Jaw,    Side::Left,  Blendshape::JawRight,            {30, 0},  "lower jaw moves toward the subject's left"},
  {Blendshape::JawRight,           "jawRight",           "JawRight",           "jawRight",         Region::Jaw,    Side::Right, Blendshape::JawLeft,             {30, 0},  "lower jaw moves toward the subject's right"},
  {Blendshape::JawOpen,            "jawOpen",            "JawOpen",            "jawOpen",          Region::Jaw,    Side::Both,  Blendshape::JawOpen,             {26, 27}, "opening of the lower jaw (jaw drop; mouth stretch when large)"},
  {Blendshape::MouthClose,         "mouthClose",         "MouthClose",         "mouthClose",       Region::Mouth,  Side::Both,  Blendshape::MouthClose,          {0, 0},   "lips closed while the jaw is open (a corrective, no FACS AU)"},
  {Blendshape::MouthFunnel,        "mouthFunnel",        "MouthFunnel",        "mouthFunnel",      Region::Mouth,  Side::Both,  Blendshape::MouthFunnel,         {22, 0},  "both lips contract into an open, rounded shape (lip funneler)"},
  {Blendshape::MouthPucker,        "mouthPucker",        "MouthPucker",        "mouthPucker",      Region::Mouth,  Side::Both,  Blendshape::MouthPucker,         {18, 0},  "both lips contract and compress into a closed shape (lip pucker)"},
  {Blendshape::MouthLeft,          "mouthLeft",          "MouthLeft",          "mouthLeft",        Region::Mouth,  Side::Left,  Blendshape::MouthRight,          {0, 0},   "both lips move toward the subject's left (no FACS AU)"},
  {Blendshape::MouthRight,         "mouthRight",         "MouthRight",         "mouthRight",       Region::Mouth,  Side::Right, Blendshape::MouthLeft,           {0, 0},   "both lips move toward the subject's right (no FACS AU)"},
  {Blendshape::MouthSmileLeft,     "mouthSmileLeft",     "MouthSmileLeft",     "mouthSmile_L",     Region::Mouth,  Side::Left,  Blendshape::MouthSmileRight,     {12, 0},  "upward movement of the left corner of the mouth (lip corner puller)"},
  {Blendshape::MouthSmileRight,    "mouthSmileRight",    "MouthSmileRight",    "mouthSmile_R",     Region::Mouth,  Side::Right, Blendshape::MouthSmileLeft,      {12, 0},  "upward movement of the right corner of the mouth (lip corner puller)"},
  {Blendshape::MouthFrownLeft,     "mouthFrownLeft",     "MouthFrownLeft",     "mouthFrown_L",     Region::Mouth,  Side::Left,  Blendshape::MouthFrownRight,     {15, 0},  "downward movement of the left corner of the mouth (lip corner depressor)"},
  {Blendshape::MouthFrownRight,    "mouthFrownRight",    "MouthFrownRight",    "mouthFrown_R",     Region::Mouth,  Side::Right, Blendshape::MouthFrownLeft,      {15, 0},  "downward movement of the right corner of the mouth (lip corner depressor)"},
  {Blendshape::MouthDimpleLeft,    "mouthDimpleLeft",    "MouthDimpleLeft",    "mouthDimple_L",    Region::Mouth,  Side::Left,  Blendshape::MouthDimpleRight,    {14, 0},  "backward movement of the left corner of the mouth (dimpler)"},
  {Blendshape::MouthDimpleRight,   "mouthDimpleRight",   "MouthDimpleRight",   "mouthDimple_R",    Region::Mouth,  Side::Right, Blendshape::MouthDimpleLeft,     {14, 0},  "backward movement of the right corner of the mouth (dimpler)"},
  {Blendshape::MouthStretchLeft,   "mouthStretchLeft",   "MouthStretchLeft",   "mouthStretch_L",   Region::Mouth,  Side::Left,  Blendshape::MouthStretchRight,   {20, 0},  "leftward movement of the left corner of the mouth (lip stretcher)"},
  {Blendshape::MouthStretchRight,  "mouthStretchRight",  "MouthStretchRight",  "mouthStretch_R",   Region::Mouth,  Side::Right, Blendshape::MouthStretchLeft,    {20, 0},  "rightward movement of the right corner of the mouth (lip stretcher)"},
  {Blendshape::MouthRollLower,     "mouthRollLower",     "MouthRollLower",     "mouthRollLower",   Region::Mouth,  Side::Both,  Blendshape::MouthRollLower,      {28, 0},  "lower lip rolls inward toward the mouth (lip suck)"},
  {Blendshape::MouthRollUpper,     "mouthRollUpper",     "MouthRollUpper",     "mouthRollUpper",   Region::Mouth,  Side::Both,  Blendshape::MouthRollUpper,      {28, 0},  "upper lip rolls inward toward the mouth (lip suck)"},
  {Blendshape::MouthShrugLower,    "mouthShrugLower",    "MouthShrugLower",    "mouthShrugLower",  Region::Mouth,  Side::Both,  Blendshape::MouthShrugLower,     {17, 0},  "outward movement of the lower lip (chin raiser)"},
  {Blendshape::MouthShrugUpper,    "mouthShrugUpper",    "MouthShrugUpper",    "mouthShrugUpper",  Region::Mouth,  Side::Both,  Blendshape::MouthShrugUpper,     {17, 0},  "outward movement of the upper lip (pushed up with a chin raise)"},
  {Blendshape::MouthPressLeft,     "mouthPressLeft",     "MouthPressLeft",     "mouthPress_L",     Region::Mouth,  Side::Left,  Blendshape::MouthPressRight,     {24, 0},  "upward compression of the lower lip on the left side (lip presser)"},
  {Blendshape::MouthPressRight,    "mouthPressRight",    "MouthPressRight",    "mouthPress_R",     Region::Mouth,  Side::Right, Blendshape::MouthPressLeft,      {24, 0},  "upward compression of the lower lip on the right side (lip presser)"},
  {Blendshape::MouthLowerDownLeft, "mouthLowerDownLeft", "MouthLowerDownLeft", "mouthLowerDown_L", Region::Mouth,  Side::Left,  Blendshape::MouthLowerDownRight, {16, 25}, "downward movement of the lower lip on the left side"},
  {Blendshape::MouthLowerDownRight,"mouthLowerDownRight","MouthLowerDownRight","mouthLowerDown_R", Region::Mouth,  Side::Right, Blendshape::MouthLowerDownLeft,  {16, 25}, "downward movement of the lower lip on the right side"},
  {Blendshape::MouthUpperUpLeft,   "mouthUpperUpLeft",   "MouthUpperUpLeft",   "mouthUpperUp_L",   Region::Mouth,  Side::Left,  Blendshape::MouthUpperUpRight,   {10, 25}, "upward movement of the upper lip on the left side (upper lip raiser)"},
  {Blendshape::MouthUpperUpRight,  "mouthUpperUpRight",  "MouthUpperUpRight",  "mouthUpperUp_R",   Region::Mouth,  Side::Right, Blendshape::MouthUpperUpLeft,    {10, 25}, "upward movement of the upper lip on the right side (upper lip raiser)"},
  {Blendshape::BrowDownLeft,       "browDownLeft",       "BrowDownLeft",       "browDown_L",       Region::Brows,  Side::Left,  Blendshape::BrowDownRight,       {4, 0},   "downward movement of the outer portion of the left eyebrow (brow lowerer)"},
  {Blendshape::BrowDownRight,      "browDownRight",      "BrowDownRight",      "browDown_R",       Region::Brows,  Side::Right, Blendshape::BrowDownLeft,        {4, 0},   "downward movement of the outer portion of the right eyebrow (brow lowerer)"},
  {Blendshape::BrowInnerUp,        "browInnerUp",        "BrowInnerUp",        "browInnerUp",      Region::Brows,  Side::Both,  Blendshape::BrowInnerUp,         {1, 0},   "upward movement of the inner portion of both eyebrows (inner brow raiser)"},
  {Blendshape::BrowOuterUpLeft,    "browOuterUpLeft",    "BrowOuterUpLeft",    "browOuterUp_L",    Region::Brows,  Side::Left,  Blendshape::BrowOuterUpRight,    {2, 0},   "upward movement of the outer portion of the left eyebrow (outer brow raiser)"},
  {Blendshape::BrowOuterUpRight,   "browOuterUpRight",   "BrowOuterUpRight",   "browOuterUp_R",    Region::Brows,  Side::Right, Blendshape::BrowOuterUpLeft,     {2, 0},   "upward movement of the outer portion of the right eyebrow (outer brow raiser)"},
  {Blendshape::CheekPuff,          "cheekPuff",          "CheekPuff",          "cheekPuff",        Region::Cheeks, Side::Both,  Blendshape::CheekPuff,           {34, 0},  "outward movement of both cheeks (puff)"},
  {Blendshape::CheekSquintLeft,    "cheekSquintLeft",    "CheekSquintLeft",    "cheekSquint_L",    Region::Cheeks, Side::Left,  Blendshape::CheekSquintRight,    {6, 0},   "upward movement of the left cheek around and below the eye (cheek raiser)"},
  {Blendshape::CheekSquintRight,   "cheekSquintRight",   "CheekSquintRight",   "cheekSquint_R",    Region::Cheeks, Side::Right, Blendshape::CheekSquintLeft,     {6, 0},   "upward movement of the right cheek around and below the eye (cheek raiser)"},
  {Blendshape::NoseSneerLeft,      "noseSneerLeft",      "NoseSneerLeft",      "noseSneer_L",      Region::Nose,   Side::Left,  Blendshape::NoseSneerRight,      {9, 0},   "raising of the left side of the nose around the nostril (nose wrinkler)"},
  {Blendshape::NoseSneerRight,     "noseSneerRight",     "NoseSneerRight",     "noseSneer_R",      Region::Nose,   Side::Right, Blendshape::NoseSneerLeft,       {9, 0},   "raising of the right side of the nose around the nostril (nose wrinkler)"},
  {Blendshape::TongueOut,          "tongueOut",          "TongueOut",          "tongueOut",        Region::Tongue, Side::Both,  Blendshape::TongueOut,           {19, 0},  "extension of the tongue (tongue show)"},
}};
// clang-format on

constexpr std::size_t index_of(Blendshape s) {
  return static_cast<std::size_t>(s);
}
constexpr const BlendshapeInfo& info(Blendshape s) {
  return kBlendshapes[index_of(s)];
}
constexpr Blendshape blendshape_at(std::size_t i) {
  return kBlendshapes[i].shape;
}
// How far eyeLook* at weight 1 turns the eyeball of semblend's rig (docs/rig.md): in or out 25°,
// down 20°, up 18°. The rig's shapes, the speech gaze and the eye angles of solved frames
// (take.h eye_pose_from_look) share them.
inline constexpr float kEyeLookSidewaysDeg = 25, kEyeLookDownDeg = 20, kEyeLookUpDeg = 18;

constexpr Blendshape mirror(Blendshape s) {
  return info(s).mirror;
}

// Looks a shape up by any of its three spellings (exact, case-sensitive), then case-insensitively
// by Apple/Live Link spelling. Returns nullopt for anything else.
std::optional<Blendshape> blendshape_from_name(std::string_view name);

// For error messages: the Apple name closest to a misspelt `name` (edit distance <= 3, ignoring
// case and '_'), or "" when nothing is close. "jawOpn" -> "jawOpen".
std::string_view closest_blendshape_name(std::string_view name);

// The table as documentation: a Markdown table (docs/blendshapes.md is generated from it and a
// test keeps the two equal) and a JSON array, for tools in other languages.
std::string blendshape_table_markdown();
std::string blendshape_table_json();

std::string_view region_name(Region r);  // "brows", "eyes", "gaze", ...
std::string_view side_name(Side s);      // "both", "left", "right"

}  // namespace semblend
