// The action-unit mapping table and the checks that keep the semantic vocabulary consistent with
// the blendshape schema.
#include <array>

#include "semblend/semantic_types.h"

namespace semblend {
namespace {

using B = Blendshape;
constexpr AuTerm both(B s, float w = 1, float offset = 0) {
  return {s, s, w, offset};
}
constexpr AuTerm sides(B l, B r, float w = 1) {
  return {l, r, w, 0};
}

}  // namespace

// clang-format off
// AU value per side = clamp01(sum of weight * (shape - offset)). Why each row says what it says is
// in docs/semantics.md ("Action units").
const std::array<AuInfo, kAuCount> kActionUnits{{
  {1,  "AU1",  "inner brow raiser",    {both(B::BrowInnerUp)}, 1},
  {2,  "AU2",  "outer brow raiser",    {sides(B::BrowOuterUpLeft, B::BrowOuterUpRight)}, 1},
  {4,  "AU4",  "brow lowerer",         {sides(B::BrowDownLeft, B::BrowDownRight)}, 1},
  {5,  "AU5",  "upper lid raiser",     {sides(B::EyeWideLeft, B::EyeWideRight)}, 1},
  {6,  "AU6",  "cheek raiser",         {sides(B::CheekSquintLeft, B::CheekSquintRight)}, 1},
  {7,  "AU7",  "lid tightener",        {sides(B::EyeSquintLeft, B::EyeSquintRight)}, 1},
  {9,  "AU9",  "nose wrinkler",        {sides(B::NoseSneerLeft, B::NoseSneerRight)}, 1},
  {10, "AU10", "upper lip raiser",     {sides(B::MouthUpperUpLeft, B::MouthUpperUpRight)}, 1},
  {12, "AU12", "lip corner puller",    {sides(B::MouthSmileLeft, B::MouthSmileRight)}, 1},
  {14, "AU14", "dimpler",              {sides(B::MouthDimpleLeft, B::MouthDimpleRight)}, 1},
  {15, "AU15", "lip corner depressor", {sides(B::MouthFrownLeft, B::MouthFrownRight)}, 1},
  {16, "AU16", "lower lip depressor",  {sides(B::MouthLowerDownLeft, B::MouthLowerDownRight)}, 1},
  {17, "AU17", "chin raiser",          {both(B::MouthShrugLower), both(B::MouthShrugUpper, 0.5f)}, 2},
  {18, "AU18", "lip pucker",           {both(B::MouthPucker)}, 1},
  {19, "AU19", "tongue show",          {both(B::TongueOut)}, 1},
  {20, "AU20", "lip stretcher",        {sides(B::MouthStretchLeft, B::MouthStretchRight)}, 1},
  {22, "AU22", "lip funneler",         {both(B::MouthFunnel)}, 1},
  {23, "AU23", "lip tightener",        {sides(B::MouthPressLeft, B::MouthPressRight, 0.6f), both(B::MouthRollUpper, 0.2f), both(B::MouthRollLower, 0.2f)}, 3},
  {24, "AU24", "lip presser",          {sides(B::MouthPressLeft, B::MouthPressRight)}, 1},
  {25, "AU25", "lips part",            {both(B::JawOpen), both(B::MouthClose, -1.0f), sides(B::MouthLowerDownLeft, B::MouthLowerDownRight, 0.5f)}, 3},
  {26, "AU26", "jaw drop",             {both(B::JawOpen)}, 1},
  {27, "AU27", "mouth stretch",        {both(B::JawOpen, 2.0f, 0.5f)}, 1},
  {28, "AU28", "lip suck",             {both(B::MouthRollLower, 0.5f), both(B::MouthRollUpper, 0.5f)}, 2},
  {29, "AU29", "jaw thrust",           {both(B::JawForward)}, 1},
  {30, "AU30", "jaw sideways",         {sides(B::JawLeft, B::JawRight)}, 1},
  {34, "AU34", "puff",                 {both(B::CheekPuff)}, 1},
  {43, "AU43", "eyes closed (AU45 blink when brief)", {sides(B::EyeBlinkLeft, B::EyeBlinkRight)}, 1},
  {61, "AU61", "eyes turn left",       {sides(B::EyeLookOutLeft, B::EyeLookInRight)}, 1},
  {62, "AU62", "eyes turn right",      {sides(B::EyeLookInLeft, B::EyeLookOutRight)}, 1},
  {63, "AU63", "eyes up",              {sides(B::EyeLookUpLeft, B::EyeLookUpRight)}, 1},
  {64, "AU64", "eyes down",            {sides(B::EyeLookDownLeft, B::EyeLookDownRight)}, 1},
}};
// clang-format on

namespace {

// Every shape is exactly one action slot; the slots' sides agree with the schema table.
constexpr bool actions_cover_every_shape_once() {
  std::array<int, kBlendshapeCount> uses{};
  for (std::size_t i = 0; i < kActionCount; ++i) {
    const ActionInfo& a = kActions[i];
    if (static_cast<std::size_t>(a.action) != i) return false;
    ++uses[index_of(a.left)];
    if (a.kind != ActionKind::Bilateral) ++uses[index_of(a.right)];
    if (a.kind == ActionKind::Bilateral && a.left != a.right) return false;
    if (a.kind == ActionKind::Paired &&
        (info(a.left).side != Side::Left || info(a.right).side != Side::Right ||
         mirror(a.left) != a.right))
      return false;
    if (info(a.left).region != a.region || info(a.right).region != a.region) return false;
  }
  for (int u : uses)
    if (u != 1) return false;
  return true;
}
static_assert(actions_cover_every_shape_once(),
              "kActions must cover each blendshape exactly once, in enum order, within its region");

}  // namespace

std::size_t au_index(int number) {
  for (std::size_t i = 0; i < kAuCount; ++i)
    if (kActionUnits[i].number == number) return i;
  return kAuCount;
}

std::string_view category_name(Category c) {
  static constexpr std::array<std::string_view, kCategoryCount> kNames{
      "neutral", "happiness", "surprise", "sadness",       "anger",
      "fear",    "disgust",   "contempt", "speaking/other"};
  return kNames[static_cast<std::size_t>(c)];
}

}  // namespace semblend
