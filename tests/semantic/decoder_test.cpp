#include <gtest/gtest.h>

#include <random>

#include "semblend/semantic.h"

namespace semblend {
namespace {

Coefficients random_face(std::mt19937& rng) {
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::bernoulli_distribution active(0.3);
  Coefficients c;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    c.set_at(k, active(rng) ? u(rng) : 0.05f * u(rng));
  return c;
}

std::vector<Region> changed_regions(const Coefficients& a, const Coefficients& b) {
  std::vector<Region> out;
  for (const auto& row : kBlendshapes)
    if (a[row.shape] != b[row.shape]) out.push_back(row.region);
  return out;
}

TEST(DecodeRanges, ContainTheEncodedCoefficients) {
  std::mt19937 rng(11);
  for (int n = 0; n < 1000; ++n) {
    const Coefficients c = random_face(rng);
    const auto ranges = decode_ranges(describe(c));
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      ASSERT_TRUE(ranges[k].contains(c.at(k)))
          << kBlendshapes[k].apple_name << " " << c.at(k) << " not in [" << ranges[k].lo << ", "
          << ranges[k].hi << "]";
  }
}

TEST(DecodeMidpoints, EncodeToTheSameBins) {
  std::mt19937 rng(5);
  for (int n = 0; n < 200; ++n) {
    const auto d = describe(random_face(rng));
    EXPECT_EQ(tokens_of(describe(decode_midpoints(d))).bins, tokens_of(d).bins);
  }
}

TEST(ParseEdit, ReadsActionsSidesStepsAndRegions) {
  auto e = parse_edit("more smile");
  EXPECT_EQ(e.kind, EditKind::More);
  EXPECT_EQ(e.action, Action::Smile);
  EXPECT_EQ(e.side, Side::Both);
  e = parse_edit("less jaw_open left 2");
  EXPECT_EQ(e.kind, EditKind::Less);
  EXPECT_EQ(e.action, Action::JawOpen);
  EXPECT_EQ(e.side, Side::Left);
  EXPECT_EQ(e.steps, 2);
  EXPECT_EQ(parse_edit("More Inner Brow Raise").action, Action::InnerBrowRaise);
  EXPECT_EQ(parse_edit("more jaw left").action, Action::JawLeft);  // an action, not a side
  EXPECT_EQ(parse_edit("less jaw").action, Action::JawOpen);
  EXPECT_EQ(parse_edit("mirror").region, std::nullopt);
  EXPECT_EQ(parse_edit("neutralize brows").region, Region::Brows);
  for (const char* text :
       {"more smile", "less jaw_open left 2", "mirror mouth", "symmetrize", "neutralize eyes"})
    EXPECT_EQ(edit_name(parse_edit(text)), text);
  EXPECT_THROW(parse_edit(""), std::invalid_argument);
  EXPECT_THROW(parse_edit("more grin"), std::invalid_argument);
  EXPECT_THROW(parse_edit("rotate mouth"), std::invalid_argument);
  EXPECT_THROW(parse_edit("mirror elbows"), std::invalid_argument);
  EXPECT_THROW(parse_edit("more smile 9"), std::invalid_argument);
}

TEST(ApplyEdit, MoreAndLessMoveOneIntensityBand) {
  Coefficients c;
  c.set(Blendshape::MouthSmileLeft, 0.3f);   // B
  c.set(Blendshape::MouthSmileRight, 0.3f);  // B
  const auto more = apply_edit(c, parse_edit("more smile"));
  EXPECT_EQ(intensity_of(more[Blendshape::MouthSmileLeft]), Intensity::C);
  EXPECT_EQ(intensity_of(more[Blendshape::MouthSmileRight]), Intensity::C);
  const auto left_only = apply_edit(c, parse_edit("more smile left"));
  EXPECT_EQ(intensity_of(left_only[Blendshape::MouthSmileLeft]), Intensity::C);
  EXPECT_FLOAT_EQ(left_only[Blendshape::MouthSmileRight], 0.3f);
  const auto less = apply_edit(c, parse_edit("less smile"));
  EXPECT_EQ(intensity_of(less[Blendshape::MouthSmileLeft]), Intensity::A);
  EXPECT_FLOAT_EQ(apply_edit(less, parse_edit("less smile 3"))[Blendshape::MouthSmileLeft], 0.0f);
  Coefficients top;
  top.set(Blendshape::JawOpen, 0.9f);
  EXPECT_FLOAT_EQ(apply_edit(top, parse_edit("more jaw_open"))[Blendshape::JawOpen], 1.0f);
}

TEST(ApplyEdit, RelaxesAntagonists) {
  Coefficients c;
  c.set(Blendshape::MouthFrownLeft, 0.6f);
  c.set(Blendshape::MouthFrownRight, 0.6f);
  c.set(Blendshape::MouthSmileLeft, 0.3f);
  c.set(Blendshape::MouthSmileRight, 0.3f);
  const auto more = apply_edit(c, parse_edit("more smile 2"));
  EXPECT_LE(more[Blendshape::MouthSmileLeft] + more[Blendshape::MouthFrownLeft], 1.0f);
  EXPECT_LT(more[Blendshape::MouthFrownLeft], 0.6f);
  Coefficients eyes;
  eyes.set(Blendshape::EyeWideLeft, 0.7f);
  const auto blink = apply_edit(eyes, parse_edit("more lid_close 4"));
  EXPECT_LE(blink[Blendshape::EyeWideLeft], 1.0f - blink[Blendshape::EyeBlinkLeft]);
}

TEST(ApplyEdit, OnlyTheTargetedRegionMoves) {
  std::mt19937 rng(3);
  for (int n = 0; n < 100; ++n) {
    const Coefficients c = random_face(rng);
    for (const ActionInfo& a : kActions) {
      for (const char* verb : {"more ", "less "}) {
        const auto edited = apply_edit(c, parse_edit(verb + std::string(a.name)));
        for (Region r : changed_regions(c, edited)) {
          // mouthClose follows jawOpen (documented coupling); everything else stays in region.
          if (a.region == Region::Jaw && r == Region::Mouth) {
            EXPECT_LE(edited[Blendshape::MouthClose], edited[Blendshape::JawOpen]);
            continue;
          }
          EXPECT_EQ(r, a.region) << verb << a.name;
        }
      }
    }
    for (std::size_t r = 0; r < kRegionCount; ++r) {
      const std::string region(region_name(static_cast<Region>(r)));
      for (const char* verb : {"mirror ", "symmetrize ", "neutralize "}) {
        const auto edited = apply_edit(c, parse_edit(verb + region));
        for (Region changed : changed_regions(c, edited)) {
          if (!(changed == Region::Mouth && static_cast<Region>(r) == Region::Jaw)) {
            EXPECT_EQ(changed, static_cast<Region>(r)) << verb << region;
          }
        }
      }
    }
  }
}

TEST(ApplyEdit, MirrorSymmetrizeNeutralize) {
  Coefficients c;
  c.set(Blendshape::EyeBlinkLeft, 0.9f);
  c.set(Blendshape::MouthSmileLeft, 0.6f);
  c.set(Blendshape::MouthSmileRight, 0.2f);
  const auto m = apply_edit(c, parse_edit("mirror"));
  EXPECT_FLOAT_EQ(m[Blendshape::EyeBlinkRight], 0.9f);
  EXPECT_FLOAT_EQ(m[Blendshape::EyeBlinkLeft], 0.0f);
  EXPECT_FLOAT_EQ(m[Blendshape::MouthSmileRight], 0.6f);
  const auto s = apply_edit(c, parse_edit("symmetrize mouth"));
  EXPECT_FLOAT_EQ(s[Blendshape::MouthSmileLeft], 0.4f);
  EXPECT_FLOAT_EQ(s[Blendshape::MouthSmileRight], 0.4f);
  EXPECT_FLOAT_EQ(s[Blendshape::EyeBlinkLeft], 0.9f);  // eyes untouched
  const auto n = apply_edit(c, parse_edit("neutralize eyes"));
  EXPECT_FLOAT_EQ(n[Blendshape::EyeBlinkLeft], 0.0f);
  EXPECT_FLOAT_EQ(n[Blendshape::MouthSmileLeft], 0.6f);
}

}  // namespace
}  // namespace semblend
