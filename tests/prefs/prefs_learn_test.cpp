// Preference learning (prefs_learn.h): the Bradley–Terry reward recovers known ideal points, thin
// regions are refused, contradictory annotators are dropped, the artefact's JSON round-trips and
// a corrupt one names its file, a correction that does not beat the model in use is not accepted.
#include "semblend/prefs_learn.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>
#include <set>

#include "semblend/error.h"
#include "semblend/rig.h"
#include "test_util.h"

namespace semblend::prefs {
namespace {

// A person who sees `truth(base)` and prefers the candidate whose rendered region is closer to
// it (the squared landmark distance of the default rig, region_landmarks), with logistic noise.
struct Simulated {
  std::function<Coefficients(const Coefficients&)> truth;
  double sharpness = 6;  // per cm² of landmark distance
  bool contrarian = false;
};

double landmark_distance2(const Coefficients& a, const Coefficients& b, std::size_t region) {
  const Rig& rig = default_rig();
  double s = 0;
  for (std::size_t i : region_landmarks(region)) {
    double d[3] = {0, 0, 0};
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const double w = double(a.at(k)) - b.at(k);
      d[0] += w * rig.deltas[k][i].x;
      d[1] += w * rig.deltas[k][i].y;
      d[2] += w * rig.deltas[k][i].z;
    }
    s += d[0] * d[0] + d[1] * d[1] + d[2] * d[2];
  }
  return s;
}

// Judged pairs on random faces: the prediction (base) against its planned alternatives.
std::vector<Comparison> simulate(const Simulated& who, int count, std::uint64_t seed,
                                 std::int64_t annotator = 1, std::int64_t first_item = 0) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(0, 1);
  std::vector<Comparison> out;
  for (std::int64_t item = first_item; int(out.size()) < count; ++item) {
    Coefficients base;
    base.set(Blendshape::JawOpen, 0.6f * u(rng));
    base.set(Blendshape::MouthSmileLeft, 0.5f * u(rng));
    base.set(Blendshape::MouthSmileRight, 0.5f * u(rng));
    base.set(Blendshape::BrowInnerUp, 0.5f * u(rng));
    const Coefficients truth = who.truth(base);
    for (const PairPlan& plan : plan_pairs(base)) {
      if (int(out.size()) >= count) break;
      const std::size_t r = comparison_region_index(plan.region);
      double z = who.sharpness * (landmark_distance2(plan.alternative, truth, r) -
                                  landmark_distance2(base, truth, r));
      if (who.contrarian) z = -z;
      const double outcome = u(rng) < 1 / (1 + std::exp(-z)) ? 1.0 : 0.0;
      out.push_back({plan.region, base, base, plan.alternative, outcome, item, annotator, 1.0});
    }
  }
  return out;
}

Coefficients jaw_over_read(const Coefficients& base) {  // people see 0.7 of the jaw, − 0.05
  Coefficients t = base;
  t.set(Blendshape::JawOpen, std::max(0.0f, 0.7f * base[Blendshape::JawOpen] - 0.05f));
  return t;
}

TEST(PrefsLearn, BradleyTerryRecoversAKnownIdealPoint) {
  const std::vector<Comparison> data = simulate({jaw_over_read}, 1500, 1);
  RewardOptions o;
  o.cross_terms = false;
  o.anchor = 30;
  const RewardModel m = fit_reward(data, o);
  for (float jaw : {0.2f, 0.4f}) {  // where most of the judged faces are
    Coefficients p;
    p.set(Blendshape::JawOpen, jaw);
    EXPECT_NEAR(m.ideal(p)[Blendshape::JawOpen], jaw_over_read(p)[Blendshape::JawOpen], 0.05)
        << "jawOpen read " << jaw;
  }
  Coefficients edge;  // at the edge of the data: shrunk toward the reading, the right way
  edge.set(Blendshape::JawOpen, 0.6f);
  EXPECT_LT(m.ideal(edge)[Blendshape::JawOpen], 0.52f);
  // Shapes nobody was asked about stay where the solver put them.
  EXPECT_FLOAT_EQ(m.ideal(edge)[Blendshape::EyeBlinkLeft], 0.0f);
  // The reward orders held-out pairs the way the person does, better than the reading itself.
  const std::vector<Comparison> heldout = simulate({jaw_over_read}, 400, 2, 1, 100000);
  EXPECT_GT(reward_agreement(m, heldout).value(), 0.7);
  EXPECT_GT(model_agreement(optimise_correction(m, 0), heldout, m).value(),
            model_agreement(Correction{}, heldout, m).value());
}

TEST(PrefsLearn, TooFewJudgmentsAreRefusedNotTrained) {
  const std::vector<Comparison> few = simulate({jaw_over_read}, 20, 3);
  const TrainReport r = train(few, std::nullopt);
  EXPECT_FALSE(r.correction);
  EXPECT_FALSE(r.accepted);
  EXPECT_NE(r.message.find("too few judgments"), std::string::npos) << r.message;
  for (const RegionCount& c : r.regions) EXPECT_FALSE(c.trained) << c.region;
  // Enough overall but the brows thin (in their own region and the upper face): those regions
  // are listed untrained and the brow shapes untouched.
  std::vector<Comparison> data = simulate({jaw_over_read}, 1200, 4);
  std::erase_if(data, [n = 0](const Comparison& c) mutable {
    return (c.region == "brows" || c.region == "upper_face") && ++n > 5;
  });
  TrainOptions o;
  o.anchors = {30};
  o.kls = {0};
  const TrainReport r2 = train(data, std::nullopt, o);
  ASSERT_TRUE(r2.correction) << r2.message;
  for (const RegionCount& c : r2.regions) {
    if (c.region == "brows" || c.region == "upper_face") {
      EXPECT_FALSE(c.trained) << c.region;
    }
  }
  EXPECT_EQ(r2.correction->gain[static_cast<std::size_t>(Blendshape::BrowInnerUp)], 1.0f);
  EXPECT_EQ(r2.correction->offset[static_cast<std::size_t>(Blendshape::BrowInnerUp)], 0.0f);
}

TEST(PrefsLearn, AHandfulOfItemsStillSplitsForTheHeldOutCheck) {
  // Many items: exactly the per-item hash split (stable as a store grows).
  std::set<std::int64_t> many;
  for (std::int64_t i = 0; i < 1000; ++i) many.insert(i);
  const std::set<std::int64_t> held = held_out_items(many, 0.25);
  for (std::int64_t i : many) EXPECT_EQ(held.count(i) > 0, held_out_item(i, 0.25)) << i;
  EXPECT_NEAR(double(held.size()), 250, 50);
  // A handful whose hashes fall all on one side (a calibration: ~10 judgments per face): the
  // first ceil(0.25 n) in hash order, never none and never all.
  std::set<std::int64_t> few;
  for (std::int64_t i = 0; int(few.size()) < 5; ++i)
    if (held_out_item(i, 0.25)) few.insert(i);
  const std::set<std::int64_t> some = held_out_items(few, 0.25);
  EXPECT_EQ(some.size(), 2u);
  for (std::int64_t i : some) EXPECT_TRUE(few.count(i));
  few.clear();
  for (std::int64_t i = 0; int(few.size()) < 3; ++i)
    if (!held_out_item(i, 0.25)) few.insert(i);
  EXPECT_EQ(held_out_items(few, 0.25).size(), 1u);
  EXPECT_TRUE(held_out_items({}, 0.25).empty());
  EXPECT_EQ(held_out_items({7}, 0.25).size(), std::size_t(held_out_item(7, 0.25)));
  // So 40 judgments of four faces train and are checked, instead of "too few items".
  TrainOptions o;
  o.min_per_region = 3;
  o.anchors = {1.0};
  o.kls = {0};
  o.holdout = 0.25;
  const TrainReport r = train(simulate({jaw_over_read}, 40, 5), std::nullopt, o);
  EXPECT_GT(r.train_judgments, 0) << r.message;
  EXPECT_GT(r.heldout_judgments, 0) << r.message;
  EXPECT_TRUE(r.correction) << r.message;
}

TEST(PrefsLearn, ContradictoryAnnotatorIsReportedAndDropped) {
  std::vector<Comparison> data = simulate({jaw_over_read}, 500, 5, 1, 0);
  for (const Comparison& c : simulate({jaw_over_read}, 500, 6, 2, 10000)) data.push_back(c);
  for (const Comparison& c : simulate({jaw_over_read, 6, true}, 300, 7, 3, 20000))
    data.push_back(c);
  TrainOptions o;
  o.anchors = {30};
  o.kls = {0};
  const TrainReport r = train(data, std::nullopt, o);
  ASSERT_EQ(r.annotators.size(), 3u);
  for (const AnnotatorReport& a : r.annotators) {
    ASSERT_TRUE(a.agreement) << a.annotator;
    if (a.annotator == 3) {
      EXPECT_TRUE(a.dropped);
      EXPECT_LT(*a.agreement, 0.4);
    } else {
      EXPECT_FALSE(a.dropped);
      EXPECT_GT(*a.agreement, 0.6);
    }
  }
}

TEST(PrefsLearn, NoBetterThanTheModelInUseIsNotAccepted) {
  const std::vector<Comparison> data = simulate({jaw_over_read}, 1200, 8);
  TrainOptions o;
  o.anchors = {30};
  o.kls = {0};
  const TrainReport first = train(data, std::nullopt, o);
  ASSERT_TRUE(first.correction);
  EXPECT_TRUE(first.accepted) << first.message;
  // The same data against the model it just produced: nothing to gain, so it is kept.
  const TrainReport again = train(data, first.correction, o);
  EXPECT_FALSE(again.accepted) << again.message;
  EXPECT_NE(again.message.find("kept the model in use"), std::string::npos);
}

TEST(PrefsLearn, CorrectionJsonRoundTripsAndACorruptFileNamesItself) {
  Correction c;
  c.gain[3] = 0.8f;
  c.offset[17] = -0.05f;
  c.cross.push_back({23, 24, 0.1f});
  c.notes = "test";
  const Correction back = parse_correction_json(correction_json(c), "x.json");
  EXPECT_EQ(back.gain, c.gain);
  EXPECT_EQ(back.offset, c.offset);
  ASSERT_EQ(back.cross.size(), 1u);
  EXPECT_FLOAT_EQ(back.cross[0].weight, 0.1f);
  Coefficients p;
  p.set(Blendshape::JawOpen, 0.5f);
  EXPECT_FLOAT_EQ(back.apply(p)[Blendshape::JawOpen], 0.45f);

  test::TempDir tmp;
  test::write_text(tmp.path("model.json"), "{\"format\": \"semblend.prefs_correction\", \"vers");
  try {
    read_correction(tmp.path("model.json"));
    FAIL() << "a truncated file was read";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("model.json"), std::string::npos) << e.what();
  }
  test::write_text(tmp.path("v9.json"),
                   "{\"format\": \"semblend.prefs_correction\", \"version\": 9}");
  EXPECT_THROW(read_correction(tmp.path("v9.json")), InputError);
  test::write_text(tmp.path("bad.json"),
                   "{\"format\": \"semblend.prefs_correction\", \"version\": 1, "
                   "\"shapes\": {\"jawOpen\": {\"gain\": \"x\", \"offset\": 0}}}");
  EXPECT_THROW(read_correction(tmp.path("bad.json")), InputError);
}

}  // namespace
}  // namespace semblend::prefs
