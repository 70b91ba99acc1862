// Candidate pairs (prefs_candidates.h): one region differs, visibly; uncertain regions first.
#include "semblend/prefs_candidates.h"

#include <gtest/gtest.h>

#include <set>

namespace semblend::prefs {
namespace {

Coefficients lopsided_smile() {
  Coefficients c;
  c.set(Blendshape::MouthSmileLeft, 0.7f);
  c.set(Blendshape::MouthSmileRight, 0.2f);
  c.set(Blendshape::CheekSquintLeft, 0.3f);
  c.set(Blendshape::JawOpen, 0.3f);
  c.set(Blendshape::BrowInnerUp, 0.5f);
  c.set(Blendshape::EyeBlinkLeft, 0.15f);
  return c;
}

TEST(PrefsCandidates, EveryPairDiffersInItsRegionOnlyAndVisibly) {
  const Coefficients p = lopsided_smile();
  const std::vector<PairPlan> plans = plan_pairs(p);
  ASSERT_GE(plans.size(), 10u);
  std::set<std::string> regions;
  for (const PairPlan& plan : plans) {
    const ComparisonRegion& r = comparison_region(plan.region);
    regions.insert(plan.region);
    EXPECT_GE(difference_inside(p, plan.alternative, r), 0.08f) << plan.label;
    // Outside the region nothing moves, except mouthClose following jawOpen.
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const Blendshape s = blendshape_at(k);
      if (in_region(r, s) || s == Blendshape::MouthClose) continue;
      EXPECT_EQ(p.at(k), plan.alternative.at(k)) << plan.label << ": " << info(s).apple_name;
    }
    EXPECT_EQ(plan.kind, "edit");
  }
  EXPECT_EQ(regions.size(), kComparisonRegionCount);  // every region is asked about
}

TEST(PrefsCandidates, EditsAreTheSemanticOnes) {
  const std::vector<PairPlan> plans = plan_pairs(lopsided_smile());
  std::set<std::string> labels;
  for (const PairPlan& p : plans) labels.insert(p.label);
  EXPECT_TRUE(labels.count("less smile")) << "the most active mouth action, weaker";
  EXPECT_TRUE(labels.count("more smile"));
  EXPECT_TRUE(labels.count("mirror mouth")) << "the asymmetric smile, mirrored";
  EXPECT_TRUE(labels.count("less jaw_open"));
  EXPECT_TRUE(labels.count("neutral upper_face"));
}

TEST(PrefsCandidates, UncertainRegionsComeFirst) {
  RegionScores u{};
  u[comparison_region_index("gaze")] = 0.3f;
  u[comparison_region_index("jaw")] = 0.1f;
  const std::vector<PairPlan> plans = plan_pairs(lopsided_smile(), u);
  ASSERT_FALSE(plans.empty());
  EXPECT_EQ(plans[0].region, "gaze");
  // Regions interleave: the jaw's first pair comes before the gaze's third.
  std::size_t jaw = plans.size(), gaze3 = plans.size();
  int gazes = 0;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    if (plans[i].region == "jaw" && jaw == plans.size()) jaw = i;
    if (plans[i].region == "gaze" && ++gazes == 3) gaze3 = i;
  }
  EXPECT_LT(jaw, gaze3);
  for (std::size_t i = 1; i < plans.size(); ++i)
    EXPECT_GE(plans[i - 1].priority, plans[i].priority);
}

TEST(PrefsCandidates, ARegionsUncertaintyIsItsShapesMeanSpread) {
  Coefficients spread;
  spread.set(Blendshape::JawOpen,
             0.4f);  // the jaw's 4 shapes: jawForward, jawLeft, jawRight, jawOpen
  spread.set(Blendshape::EyeLookUpLeft, 0.14f);  // one of the gaze's 8
  const RegionScores u = region_uncertainty(spread);
  EXPECT_NEAR(u[comparison_region_index("jaw")], 0.1f, 1e-6);
  EXPECT_NEAR(u[comparison_region_index("gaze")], 0.14f / 8, 1e-6);
  EXPECT_EQ(u[comparison_region_index("brows")], 0.0f);
  EXPECT_GT(u[comparison_region_index("lower_face")], 0.0f);
  EXPECT_EQ(region_uncertainty({}), RegionScores{});
}

TEST(PrefsCandidates, OtherModelsDifferRegionByRegion) {
  const Coefficients p = lopsided_smile();
  Coefficients other = p;
  other.set(Blendshape::JawOpen, 0.7f);  // disagrees on the jaw only
  const std::vector<PairPlan> plans = plan_pairs(p, std::nullopt, {{"v0", other}});
  std::set<std::string> model_regions;
  for (const PairPlan& plan : plans)
    if (plan.kind == "model") {
      model_regions.insert(plan.region);
      EXPECT_EQ(plan.model, "v0");
      EXPECT_FLOAT_EQ(plan.alternative[Blendshape::JawOpen], 0.7f);
    }
  EXPECT_EQ(model_regions, (std::set<std::string>{"jaw", "lower_face"}));
}

TEST(PrefsCandidates, NeutralFaceStillGetsPairsAndBadInputIsRefused) {
  EXPECT_FALSE(plan_pairs(Coefficients{}).empty());  // "more X" of quiet regions
  EXPECT_THROW(comparison_region("forehead"), std::invalid_argument);
}

}  // namespace
}  // namespace semblend::prefs
