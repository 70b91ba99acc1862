// semblend/semantic_types.h — the vocabulary of the semantic layer, as data.
//
// What it is: the tables that say what a face is doing in words, each defined once:
//   kIntensityScale  the FACS intensity scale (trace A … extreme E) with its thresholds
//   kActions         34 facial actions (smile, brow lower, jaw open, look left, …); every one of
//   the
//                    52 ARKit shapes belongs to exactly one action slot (left/right/both)
//   kActionUnits     FACS action units computed from ARKit coefficients (one mapping table)
//   kCategories      expression categories (neutral, happiness, … , speaking/other)
// and the value type `SemanticDescription` the encoder fills (semantic.h has the functions).
// Sides are the subject's own (see blendshape.h). Thread safety: immutable data and plain values.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "semblend/blendshape.h"

namespace semblend {

// ---- FACS intensity scale --------------------------------------------------------------------
enum class Intensity : std::uint8_t { None, A, B, C, D, E };
inline constexpr std::size_t kIntensityCount = 6;

struct IntensityBand {
  Intensity level;
  char letter;            // '-' for None
  std::string_view word;  // "trace", "slight", "marked", "severe", "extreme"
  float lower;            // the band is [lower, next band's lower); E runs to 1
};
// The one table of thresholds. FACS scores evidence A–E on a non-linear scale whose top bands are
// narrow; on ARKit's [0, 1] we use bands that widen toward the middle, where most real activations
// sit (Live Link Face ROM take: median active value ~0.3), and keep below 0.10 as "none" because
// capture noise and rest offsets live there (MediaPipe rests at 0.05–0.15).
inline constexpr std::array<IntensityBand, kIntensityCount> kIntensityScale{{
    {Intensity::None, '-', "none", 0.00f},
    {Intensity::A, 'A', "trace", 0.10f},
    {Intensity::B, 'B', "slight", 0.25f},
    {Intensity::C, 'C', "marked", 0.45f},
    {Intensity::D, 'D', "severe", 0.65f},
    {Intensity::E, 'E', "extreme", 0.85f},
}};
constexpr Intensity intensity_of(float v) {
  Intensity level = Intensity::None;
  for (const auto& band : kIntensityScale)
    if (v >= band.lower) level = band.level;
  return level;
}
constexpr const IntensityBand& band(Intensity i) {
  return kIntensityScale[static_cast<std::size_t>(i)];
}
// [lower, upper) of a band; the top band's upper is 1 (inclusive).
constexpr float band_upper(Intensity i) {
  const auto k = static_cast<std::size_t>(i);
  return k + 1 < kIntensityCount ? kIntensityScale[k + 1].lower : 1.0f;
}

// ---- Actions ------------------------------------------------------------------------------------
enum class Action : std::uint8_t {
  InnerBrowRaise,
  OuterBrowRaise,
  BrowLower,
  LidClose,
  LidTighten,
  LidWiden,
  LookUp,
  LookDown,
  LookLeft,
  LookRight,
  CheekRaise,
  CheekPuff,
  NoseWrinkle,
  JawOpen,
  JawForward,
  JawLeft,
  JawRight,
  Smile,
  Frown,
  Dimple,
  Stretch,
  Press,
  UpperLipRaise,
  LowerLipDepress,
  Funnel,
  Pucker,
  LipsTogether,
  LowerLipRollIn,
  UpperLipRollIn,
  LowerLipShrug,
  UpperLipShrug,
  MouthLeft,
  MouthRight,
  TongueOut,
};
inline constexpr std::size_t kActionCount = 34;

// How an action's shapes map to sides.
enum class ActionKind : std::uint8_t {
  Bilateral,  // one shape for the whole face (jawOpen, cheekPuff): left == right
  Paired,     // a left and a right shape of the subject (mouthSmileLeft/Right)
  PerEye,  // one shape per eye, both doing the same thing (gaze: look left = out-left + in-right)
};

struct ActionInfo {
  Action action;
  std::string_view name;  // identifier: "smile", "brow_lower"
  std::string_view noun;  // in a sentence: "smile", "brow lowering"
  Region region;
  ActionKind kind;
  Blendshape left, right;  // the subject's left/right shape (the same shape for Bilateral)
};

// clang-format off
inline constexpr std::array<ActionInfo, kActionCount> kActions{{
  {Action::InnerBrowRaise,  "inner_brow_raise",  "inner brow raise",      Region::Brows,  ActionKind::Bilateral, Blendshape::BrowInnerUp,        Blendshape::BrowInnerUp},
  {Action::OuterBrowRaise,  "outer_brow_raise",  "outer brow raise",      Region::Brows,  ActionKind::Paired,    Blendshape::BrowOuterUpLeft,    Blendshape::BrowOuterUpRight},
  {Action::BrowLower,       "brow_lower",        "brow lowering",         Region::Brows,  ActionKind::Paired,    Blendshape::BrowDownLeft,       Blendshape::BrowDownRight},
  {Action::LidClose,        "lid_close",         "eyelid closure",        Region::Eyes,   ActionKind::Paired,    Blendshape::EyeBlinkLeft,       Blendshape::EyeBlinkRight},
  {Action::LidTighten,      "lid_tighten",       "eye narrowing",         Region::Eyes,   ActionKind::Paired,    Blendshape::EyeSquintLeft,      Blendshape::EyeSquintRight},
  {Action::LidWiden,        "lid_widen",         "eye widening",          Region::Eyes,   ActionKind::Paired,    Blendshape::EyeWideLeft,        Blendshape::EyeWideRight},
  {Action::LookUp,          "look_up",           "upward gaze",           Region::Gaze,   ActionKind::PerEye,    Blendshape::EyeLookUpLeft,      Blendshape::EyeLookUpRight},
  {Action::LookDown,        "look_down",         "downward gaze",         Region::Gaze,   ActionKind::PerEye,    Blendshape::EyeLookDownLeft,    Blendshape::EyeLookDownRight},
  {Action::LookLeft,        "look_left",         "gaze to the subject's left",  Region::Gaze, ActionKind::PerEye, Blendshape::EyeLookOutLeft, Blendshape::EyeLookInRight},
  {Action::LookRight,       "look_right",        "gaze to the subject's right", Region::Gaze, ActionKind::PerEye, Blendshape::EyeLookInLeft,  Blendshape::EyeLookOutRight},
  {Action::CheekRaise,      "cheek_raise",       "cheek raise",           Region::Cheeks, ActionKind::Paired,    Blendshape::CheekSquintLeft,    Blendshape::CheekSquintRight},
  {Action::CheekPuff,       "cheek_puff",        "cheek puff",            Region::Cheeks, ActionKind::Bilateral, Blendshape::CheekPuff,          Blendshape::CheekPuff},
  {Action::NoseWrinkle,     "nose_wrinkle",      "nose wrinkle",          Region::Nose,   ActionKind::Paired,    Blendshape::NoseSneerLeft,      Blendshape::NoseSneerRight},
  {Action::JawOpen,         "jaw_open",          "jaw opening",           Region::Jaw,    ActionKind::Bilateral, Blendshape::JawOpen,            Blendshape::JawOpen},
  {Action::JawForward,      "jaw_forward",       "jaw thrust",            Region::Jaw,    ActionKind::Bilateral, Blendshape::JawForward,         Blendshape::JawForward},
  {Action::JawLeft,         "jaw_left",          "jaw shift to the subject's left",  Region::Jaw, ActionKind::Bilateral, Blendshape::JawLeft,  Blendshape::JawLeft},
  {Action::JawRight,        "jaw_right",         "jaw shift to the subject's right", Region::Jaw, ActionKind::Bilateral, Blendshape::JawRight, Blendshape::JawRight},
  {Action::Smile,           "smile",             "smile",                 Region::Mouth,  ActionKind::Paired,    Blendshape::MouthSmileLeft,     Blendshape::MouthSmileRight},
  {Action::Frown,           "frown",             "lip-corner depression", Region::Mouth,  ActionKind::Paired,    Blendshape::MouthFrownLeft,     Blendshape::MouthFrownRight},
  {Action::Dimple,          "dimple",            "dimpling",              Region::Mouth,  ActionKind::Paired,    Blendshape::MouthDimpleLeft,    Blendshape::MouthDimpleRight},
  {Action::Stretch,         "stretch",           "lip stretch",           Region::Mouth,  ActionKind::Paired,    Blendshape::MouthStretchLeft,   Blendshape::MouthStretchRight},
  {Action::Press,           "press",             "lip press",             Region::Mouth,  ActionKind::Paired,    Blendshape::MouthPressLeft,     Blendshape::MouthPressRight},
  {Action::UpperLipRaise,   "upper_lip_raise",   "upper-lip raise",       Region::Mouth,  ActionKind::Paired,    Blendshape::MouthUpperUpLeft,   Blendshape::MouthUpperUpRight},
  {Action::LowerLipDepress, "lower_lip_depress", "lower-lip depression",  Region::Mouth,  ActionKind::Paired,    Blendshape::MouthLowerDownLeft, Blendshape::MouthLowerDownRight},
  {Action::Funnel,          "funnel",            "lip funnel",            Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthFunnel,        Blendshape::MouthFunnel},
  {Action::Pucker,          "pucker",            "lip pucker",            Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthPucker,        Blendshape::MouthPucker},
  {Action::LipsTogether,    "lips_together",     "lips held together",    Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthClose,         Blendshape::MouthClose},
  {Action::LowerLipRollIn,  "lower_lip_roll",    "lower-lip roll-in",     Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthRollLower,     Blendshape::MouthRollLower},
  {Action::UpperLipRollIn,  "upper_lip_roll",    "upper-lip roll-in",     Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthRollUpper,     Blendshape::MouthRollUpper},
  {Action::LowerLipShrug,   "lower_lip_shrug",   "chin raise",            Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthShrugLower,    Blendshape::MouthShrugLower},
  {Action::UpperLipShrug,   "upper_lip_shrug",   "upper-lip shrug",       Region::Mouth,  ActionKind::Bilateral, Blendshape::MouthShrugUpper,    Blendshape::MouthShrugUpper},
  {Action::MouthLeft,       "mouth_left",        "mouth shift to the subject's left",  Region::Mouth, ActionKind::Bilateral, Blendshape::MouthLeft,  Blendshape::MouthLeft},
  {Action::MouthRight,      "mouth_right",       "mouth shift to the subject's right", Region::Mouth, ActionKind::Bilateral, Blendshape::MouthRight, Blendshape::MouthRight},
  {Action::TongueOut,       "tongue_out",        "tongue showing",        Region::Tongue, ActionKind::Bilateral, Blendshape::TongueOut,          Blendshape::TongueOut},
}};
// clang-format on

constexpr const ActionInfo& info(Action a) {
  return kActions[static_cast<std::size_t>(a)];
}

// ---- FACS action units
// ---------------------------------------------------------------------------- AU value per side =
// clamp(sum over terms of weight * (shape - offset)), terms read the left shape for the subject's
// left side and the right shape for the right side. Mapping argued in docs/semantics.md ("Action
// units").
struct AuTerm {
  Blendshape left, right;
  float weight = 1, offset = 0;
};
struct AuInfo {
  std::uint8_t number;
  std::string_view code;  // "AU12"
  std::string_view name;  // FACS name: "lip corner puller"
  std::array<AuTerm, 3> terms;
  std::uint8_t term_count;
};
inline constexpr std::size_t kAuCount = 31;
extern const std::array<AuInfo, kAuCount> kActionUnits;
// Index of an AU number in kActionUnits, or kAuCount if absent.
std::size_t au_index(int number);

// ---- Expression categories
// --------------------------------------------------------------------------
enum class Category : std::uint8_t {
  Neutral,
  Happiness,
  Surprise,
  Sadness,
  Anger,
  Fear,
  Disgust,
  Contempt,
  Speaking,
};
inline constexpr std::size_t kCategoryCount = 9;
std::string_view category_name(Category c);  // "neutral", …, "speaking/other"

// ---- The description
// ---------------------------------------------------------------------------------
struct ActionReading {
  float left = 0, right = 0;  // the subject's sides (equal for Bilateral actions)
  Intensity left_bin = Intensity::None, right_bin = Intensity::None;
  float value() const { return left > right ? left : right; }
  Intensity bin() const { return left_bin > right_bin ? left_bin : right_bin; }
  friend bool operator==(const ActionReading&, const ActionReading&) = default;
};

struct AuReading {
  float left = 0, right = 0;
  float value() const { return left > right ? left : right; }
  friend bool operator==(const AuReading&, const AuReading&) = default;
};

struct SemanticDescription {
  static constexpr int kVersion = 1;
  std::array<ActionReading, kActionCount> actions{};
  std::array<AuReading, kAuCount> action_units{};
  Category category = Category::Neutral;
  float confidence = 0;                        // probability of `category` among the scores
  std::array<float, kCategoryCount> scores{};  // evidence per category, each in [0, 1]
  bool duchenne = false;                       // happiness with cheek raise (AU6 + AU12)
  float asymmetry = 0;                         // largest |left - right| over paired actions
  Action most_asymmetric = Action::Smile;      // where that is (meaningful when asymmetry > 0)
  // Head pose, when the caller passed one (radians).
  bool has_head_pose = false;
  float head_yaw = 0, head_pitch = 0, head_roll = 0;
  friend bool operator==(const SemanticDescription&, const SemanticDescription&) = default;
};

}  // namespace semblend
