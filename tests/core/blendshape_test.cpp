// The ARKit-52 schema (include/semblend/blendshape.h): names, regions, mirrors, docs table.
#include "semblend/blendshape.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>

#include "semblend/take.h"
#include "test_util.h"

namespace semblend {
namespace {

TEST(Blendshape, SchemaHas52ShapesInEnumOrder) {
  EXPECT_EQ(kBlendshapeCount, 52u);
  EXPECT_EQ(kBlendshapes.size(), 52u);
  for (std::size_t i = 0; i < kBlendshapeCount; ++i) {
    EXPECT_EQ(index_of(kBlendshapes[i].shape), i);
    EXPECT_EQ(blendshape_at(i), kBlendshapes[i].shape);
  }
  EXPECT_EQ(index_of(Blendshape::EyeBlinkLeft), 0u);
  EXPECT_EQ(index_of(Blendshape::TongueOut), 51u);
}

TEST(Blendshape, EverySpellingResolvesToItsShape) {
  for (const auto& row : kBlendshapes) {
    EXPECT_EQ(blendshape_from_name(row.apple_name), row.shape) << row.apple_name;
    EXPECT_EQ(blendshape_from_name(row.livelink_name), row.shape) << row.livelink_name;
    EXPECT_EQ(blendshape_from_name(row.arkit_lr_name), row.shape) << row.arkit_lr_name;
  }
}

TEST(Blendshape, KnownSpellingsOfEyeBlinkLeft) {
  EXPECT_EQ(blendshape_from_name("eyeBlinkLeft"), Blendshape::EyeBlinkLeft);
  EXPECT_EQ(blendshape_from_name("EyeBlinkLeft"), Blendshape::EyeBlinkLeft);
  EXPECT_EQ(blendshape_from_name("eyeBlink_L"), Blendshape::EyeBlinkLeft);
  EXPECT_EQ(blendshape_from_name("eyeBlink_R"), Blendshape::EyeBlinkRight);
  EXPECT_EQ(blendshape_from_name("JawRight"), Blendshape::JawRight);
  EXPECT_EQ(blendshape_from_name("mouthSmile_R"), Blendshape::MouthSmileRight);
  EXPECT_EQ(blendshape_from_name("EYEBLINKLEFT"), Blendshape::EyeBlinkLeft);  // case-insensitive
}

TEST(Blendshape, UnknownNamesFail) {
  EXPECT_FALSE(blendshape_from_name(""));
  EXPECT_FALSE(blendshape_from_name("eyeBlink"));
  EXPECT_FALSE(blendshape_from_name("eyeBlinkLeftt"));
  EXPECT_FALSE(blendshape_from_name("smile"));
  EXPECT_FALSE(blendshape_from_name("HeadYaw"));  // a pose angle, not a blendshape
  EXPECT_FALSE(blendshape_from_name(" eyeBlinkLeft"));
}

TEST(Blendshape, SpellingsAreUnique) {
  std::set<std::string> names;
  for (const auto& row : kBlendshapes) {
    names.insert(std::string(row.apple_name));
    names.insert(std::string(row.livelink_name));
    names.insert(std::string(row.arkit_lr_name));
  }
  // Midline shapes share the _L/_R spelling with the Apple one ("jawOpen").
  std::size_t midline_same = 0;
  for (const auto& row : kBlendshapes)
    if (row.arkit_lr_name == row.apple_name) ++midline_same;
  EXPECT_EQ(names.size(), 3 * kBlendshapeCount - midline_same);
}

TEST(Blendshape, MirrorIsAnInvolution) {
  for (const auto& row : kBlendshapes) EXPECT_EQ(mirror(mirror(row.shape)), row.shape);
}

TEST(Blendshape, MirrorSwapsLeftAndRight) {
  EXPECT_EQ(mirror(Blendshape::EyeBlinkLeft), Blendshape::EyeBlinkRight);
  EXPECT_EQ(mirror(Blendshape::JawLeft), Blendshape::JawRight);
  EXPECT_EQ(mirror(Blendshape::MouthRight), Blendshape::MouthLeft);
  EXPECT_EQ(mirror(Blendshape::EyeLookInLeft), Blendshape::EyeLookInRight);
  EXPECT_EQ(mirror(Blendshape::JawOpen), Blendshape::JawOpen);
  EXPECT_EQ(mirror(Blendshape::TongueOut), Blendshape::TongueOut);
  for (const auto& row : kBlendshapes) {
    const auto& m = info(row.mirror);
    switch (row.side) {
      case Side::Left:
        EXPECT_EQ(m.side, Side::Right) << row.apple_name;
        break;
      case Side::Right:
        EXPECT_EQ(m.side, Side::Left) << row.apple_name;
        break;
      case Side::Both:
        EXPECT_EQ(row.mirror, row.shape) << row.apple_name;
        break;
    }
  }
}

TEST(Blendshape, SideMatchesTheName) {
  for (const auto& row : kBlendshapes) {
    const std::string n(row.apple_name);
    const bool left = n.ends_with("Left"), right = n.ends_with("Right");
    EXPECT_EQ(row.side == Side::Left, left) << n;
    EXPECT_EQ(row.side == Side::Right, right) << n;
  }
}

TEST(Blendshape, RegionsOfKnownShapes) {
  for (auto s : {Blendshape::EyeLookDownLeft, Blendshape::EyeLookInLeft,
                 Blendshape::EyeLookOutRight, Blendshape::EyeLookUpRight})
    EXPECT_EQ(info(s).region, Region::Gaze) << info(s).apple_name;
  EXPECT_EQ(info(Blendshape::EyeBlinkLeft).region, Region::Eyes);
  EXPECT_EQ(info(Blendshape::EyeBlinkRight).region, Region::Eyes);
  EXPECT_EQ(info(Blendshape::EyeSquintLeft).region, Region::Eyes);
  EXPECT_EQ(info(Blendshape::TongueOut).region, Region::Tongue);
  EXPECT_EQ(info(Blendshape::JawOpen).region, Region::Jaw);
  EXPECT_EQ(info(Blendshape::BrowInnerUp).region, Region::Brows);
  EXPECT_EQ(info(Blendshape::CheekPuff).region, Region::Cheeks);
  EXPECT_EQ(info(Blendshape::NoseSneerLeft).region, Region::Nose);
  EXPECT_EQ(info(Blendshape::MouthSmileLeft).region, Region::Mouth);
  // Every eyeLook* shape is gaze, and only those.
  for (const auto& row : kBlendshapes)
    EXPECT_EQ(row.region == Region::Gaze, row.apple_name.starts_with("eyeLook")) << row.apple_name;
}

TEST(Blendshape, RegionAndSideNames) {
  EXPECT_EQ(region_name(Region::Gaze), "gaze");
  EXPECT_EQ(region_name(Region::Eyes), "eyes");
  EXPECT_EQ(region_name(Region::Tongue), "tongue");
  EXPECT_EQ(side_name(Side::Left), "left");
  EXPECT_EQ(side_name(Side::Right), "right");
  EXPECT_EQ(side_name(Side::Both), "both");
}

TEST(Coefficients, MirroredTurnsALeftWinkIntoARightWink) {
  Coefficients c;
  c.set(Blendshape::EyeBlinkLeft, 1.0f);
  c.set(Blendshape::MouthSmileLeft, 0.4f);
  c.set(Blendshape::JawOpen, 0.2f);
  c.set(Blendshape::JawLeft, 0.3f);
  const Coefficients m = c.mirrored();
  EXPECT_EQ(m[Blendshape::EyeBlinkRight], 1.0f);
  EXPECT_EQ(m[Blendshape::EyeBlinkLeft], 0.0f);
  EXPECT_EQ(m[Blendshape::MouthSmileRight], 0.4f);
  EXPECT_EQ(m[Blendshape::MouthSmileLeft], 0.0f);
  EXPECT_EQ(m[Blendshape::JawRight], 0.3f);
  EXPECT_EQ(m[Blendshape::JawLeft], 0.0f);
  EXPECT_EQ(m[Blendshape::JawOpen], 0.2f);  // midline stays
}

TEST(Coefficients, MirroredTwiceIsIdentity) {
  Coefficients c;
  for (std::size_t i = 0; i < kBlendshapeCount; ++i) c.set_at(i, static_cast<float>(i) / 64.0f);
  EXPECT_NE(c.mirrored(), c);
  EXPECT_EQ(c.mirrored().mirrored(), c);
}

// docs/blendshapes.md holds the table between two marker lines; it must be the generator's output.
TEST(Blendshape, DocsTableMatchesGeneratedMarkdown) {
  const std::string path = SEMBLEND_SOURCE_DIR "/docs/blendshapes.md";
  ASSERT_TRUE(std::filesystem::exists(path)) << path << " does not exist yet";
  const std::string doc = test::read_text(path);
  const std::string begin = "<!-- begin generated: semblend schema -->\n";
  const std::string end = "<!-- end generated -->";
  const auto b = doc.find(begin);
  ASSERT_NE(b, std::string::npos) << "begin marker missing in " << path;
  const auto start = b + begin.size();
  const auto e = doc.find("\n" + end, start - 1);
  ASSERT_NE(e, std::string::npos) << "end marker missing in " << path;
  EXPECT_EQ(doc.substr(start, e + 1 - start), blendshape_table_markdown());
}

TEST(Blendshape, MarkdownTableHasOneRowPerShape) {
  const std::string md = blendshape_table_markdown();
  std::size_t lines = 0;
  for (char ch : md) lines += ch == '\n';
  EXPECT_EQ(lines, 2 + kBlendshapeCount);
  EXPECT_NE(md.find("| 0 | `eyeBlinkLeft` | `EyeBlinkLeft` | `eyeBlink_L` | eyes | left | "
                    "`eyeBlinkRight` | AU45, AU43 |"),
            std::string::npos);
  EXPECT_NE(md.find("| 51 | `tongueOut` |"), std::string::npos);
}

}  // namespace
}  // namespace semblend
