#include <gtest/gtest.h>

#include <random>

#include "semblend/semantic.h"

namespace semblend {
namespace {

Coefficients with(std::initializer_list<std::pair<Blendshape, float>> values) {
  Coefficients c;
  for (auto [s, v] : values) c.set(s, v);
  return c;
}

const ActionReading& reading(const SemanticDescription& d, Action a) {
  return d.actions[static_cast<std::size_t>(a)];
}

TEST(IntensityScale, ThresholdsAreIncreasingAndBandsTileTheUnitInterval) {
  for (std::size_t i = 1; i < kIntensityCount; ++i)
    EXPECT_LT(kIntensityScale[i - 1].lower, kIntensityScale[i].lower);
  EXPECT_EQ(intensity_of(0.0f), Intensity::None);
  EXPECT_EQ(intensity_of(0.099f), Intensity::None);
  EXPECT_EQ(intensity_of(0.10f), Intensity::A);
  EXPECT_EQ(intensity_of(0.30f), Intensity::B);
  EXPECT_EQ(intensity_of(0.50f), Intensity::C);
  EXPECT_EQ(intensity_of(0.70f), Intensity::D);
  EXPECT_EQ(intensity_of(1.0f), Intensity::E);
  EXPECT_EQ(band_upper(Intensity::E), 1.0f);
}

TEST(Describe, ReadsEachActionFromItsShapesWithSides) {
  const auto d =
      describe(with({{Blendshape::MouthSmileLeft, 0.6f}, {Blendshape::MouthSmileRight, 0.2f}}));
  const auto& smile = reading(d, Action::Smile);
  EXPECT_FLOAT_EQ(smile.left, 0.6f);
  EXPECT_FLOAT_EQ(smile.right, 0.2f);
  EXPECT_EQ(smile.left_bin, Intensity::C);
  EXPECT_EQ(smile.right_bin, Intensity::A);
  EXPECT_EQ(d.most_asymmetric, Action::Smile);
  EXPECT_NEAR(d.asymmetry, 0.4f, 1e-6);
}

TEST(Describe, GazeToTheSubjectsLeftUsesOutLeftAndInRight) {
  const auto d =
      describe(with({{Blendshape::EyeLookOutLeft, 0.6f}, {Blendshape::EyeLookInRight, 0.6f}}));
  EXPECT_EQ(reading(d, Action::LookLeft).bin(), Intensity::C);
  EXPECT_EQ(reading(d, Action::LookRight).bin(), Intensity::None);
  EXPECT_NEAR(d.action_units[au_index(61)].value(), 0.6f, 1e-6);
  EXPECT_NEAR(d.action_units[au_index(62)].value(), 0.0f, 1e-6);
}

TEST(Describe, ActionUnitsFollowTheMappingTable) {
  const auto d = describe(with({{Blendshape::JawOpen, 0.8f}, {Blendshape::MouthClose, 0.1f}}));
  EXPECT_NEAR(d.action_units[au_index(26)].value(), 0.8f, 1e-6);
  EXPECT_NEAR(d.action_units[au_index(27)].value(), 0.6f, 1e-6);  // 2 * (0.8 - 0.5)
  EXPECT_NEAR(d.action_units[au_index(25)].value(), 0.7f, 1e-6);  // jaw open minus lips held
  EXPECT_EQ(au_index(99), kAuCount);
  for (const AuInfo& au : kActionUnits) EXPECT_EQ(au.code, "AU" + std::to_string(au.number));
}

TEST(Describe, NeverThrowsAndStaysInRangeOnAnyFiniteInput) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> u(-0.05f, 1.05f);
  for (int n = 0; n < 500; ++n) {
    Coefficients c;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) c.set_at(k, u(rng));
    const auto d = describe(c);
    EXPECT_GE(d.confidence, 0.0f);
    EXPECT_LE(d.confidence, 1.0f);
    for (float s : d.scores) EXPECT_TRUE(s >= 0 && s <= 1) << s;
    for (const auto& a : d.action_units) EXPECT_TRUE(a.left >= 0 && a.right <= 1);
    EXPECT_FALSE(sentence(d).empty());
  }
}

TEST(Describe, KeepsHeadPoseWhenGiven) {
  HeadPose head;
  head.yaw = 0.3f;
  const auto d = describe(Coefficients{}, &head);
  EXPECT_TRUE(d.has_head_pose);
  EXPECT_FLOAT_EQ(d.head_yaw, 0.3f);
  EXPECT_FALSE(describe(Coefficients{}).has_head_pose);
}

TEST(CoefficientsFromValues, RejectsWrongLengthNaNAndOutOfRange) {
  std::vector<float> v(kBlendshapeCount, 0.2f);
  EXPECT_NO_THROW(coefficients_from_values(v));
  std::vector<float> short_v(51, 0.2f);
  EXPECT_THROW(coefficients_from_values(short_v), std::invalid_argument);
  v[3] = std::nanf("");
  EXPECT_THROW(coefficients_from_values(v), std::invalid_argument);
  v[3] = 1.5f;
  try {
    coefficients_from_values(v);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("eyeLookOutLeft"), std::string::npos) << e.what();
  }
}

TEST(SemanticSmoother, HoldsBinsInsideTheMarginAndCategoriesForTheHoldTime) {
  SemanticSmoother smoother(SmootherOptions{0.05f, 0.25});
  // A smile hovering around the B/C threshold (0.45) with noise of +-0.03.
  int raw_changes = 0, smooth_changes = 0;
  Intensity prev_raw{}, prev_smooth{};
  for (int i = 0; i < 120; ++i) {
    const float v = 0.45f + ((i % 2) ? 0.03f : -0.03f);
    const auto raw =
        describe(with({{Blendshape::MouthSmileLeft, v}, {Blendshape::MouthSmileRight, v}}));
    const auto out = smoother.update(raw, i / 30.0);
    const Intensity r = reading(raw, Action::Smile).bin(), s = reading(out, Action::Smile).bin();
    if (i > 0) raw_changes += r != prev_raw, smooth_changes += s != prev_smooth;
    prev_raw = r, prev_smooth = s;
  }
  EXPECT_GT(raw_changes, 100);
  EXPECT_EQ(smooth_changes, 0);
  // A real change (to a strong smile) still gets through.
  const auto strong =
      describe(with({{Blendshape::MouthSmileLeft, 0.8f}, {Blendshape::MouthSmileRight, 0.8f}}));
  EXPECT_EQ(reading(smoother.update(strong, 4.1), Action::Smile).bin(), Intensity::D);
}

TEST(SemanticSmoother, ACategoryBlipShorterThanTheHoldIsIgnored) {
  SemanticSmoother smoother(SmootherOptions{0.05f, 0.25});
  const auto neutral = describe(Coefficients{});
  const auto smile =
      describe(with({{Blendshape::MouthSmileLeft, 0.7f}, {Blendshape::MouthSmileRight, 0.7f}}));
  double t = 0;
  for (int i = 0; i < 10; ++i, t += 1 / 30.0) smoother.update(neutral, t);
  for (int i = 0; i < 3; ++i, t += 1 / 30.0)  // 0.1 s blip
    EXPECT_EQ(smoother.update(smile, t).category, Category::Neutral);
  for (int i = 0; i < 5; ++i, t += 1 / 30.0) smoother.update(neutral, t);
  Category last = Category::Neutral;
  for (int i = 0; i < 12; ++i, t += 1 / 30.0) last = smoother.update(smile, t).category;  // 0.4 s
  EXPECT_EQ(last, Category::Happiness);
}

}  // namespace
}  // namespace semblend
