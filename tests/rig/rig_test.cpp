// The face rig (rig.h): geometry, the 52 shapes, mirror symmetry, correctives, identities.
#include "semblend/rig.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "semblend/face_model.h"
#include "test_util.h"

namespace semblend {
namespace {

float norm(const Point3& a) {
  return std::hypot(a.x, a.y, a.z);
}

// MediaPipe landmarks used to check the anatomy of the shapes.
constexpr int kUpperLipInner = 13, kLowerLipInner = 14, kChin = 152;
constexpr int kLeftUpperLid = 386, kLeftIris = 473, kLeftMouthCorner = 291;
constexpr int kRightMouthCorner = 61, kLeftCheek = 425, kRightUpperLid = 159;

// The vertical opening of the subject's left eye at its upper-lid midpoint (386): the distance to
// the lower margin (263 … 362) interpolated at the same x.
float left_eye_opening(const std::vector<Point3>& p) {
  static constexpr int kLower[] = {263, 249, 390, 373, 374, 380, 381, 382, 362};
  const float x = p[kLeftUpperLid].x;
  for (std::size_t k = 1; k < std::size(kLower); ++k) {
    const Point3 &a = p[kLower[k - 1]], &b = p[kLower[k]];
    if ((a.x - x) * (b.x - x) <= 0) {
      const float t = (x - a.x) / (b.x - a.x);
      const Point3 q{a.x + t * (b.x - a.x), a.y + t * (b.y - a.y), a.z + t * (b.z - a.z)};
      return test::dist(p[kLeftUpperLid], q);
    }
  }
  return 1e9f;
}

std::vector<Point3> posed(std::initializer_list<std::pair<Blendshape, float>> w,
                          const Rig& rig = default_rig()) {
  Coefficients c;
  for (auto [s, v] : w) c.set(s, v);
  return pose_rig(rig, c);
}

TEST(Rig, LandmarksAreTheFirstVerticesAndTheMeshIsWellFormed) {
  const Rig& rig = default_rig();
  ASSERT_GT(rig.vertex_count(), kLandmarkCount);
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    EXPECT_FLOAT_EQ(rig.neutral[i].x, neutral_face()[i].x) << i;
    EXPECT_FLOAT_EQ(rig.neutral[i].y, neutral_face()[i].y) << i;
  }
  std::set<RigPart> parts;
  for (const RigTriangle& t : rig.triangles) {
    for (auto v : t.v) ASSERT_LT(v, rig.vertex_count());
    EXPECT_TRUE(t.v[0] != t.v[1] && t.v[1] != t.v[2] && t.v[0] != t.v[2]);
    parts.insert(t.part);
  }
  EXPECT_EQ(parts.size(), kRigPartCount)
      << "every part (skin, lips, eyes, teeth, tongue, ...) is drawn";
  for (const auto& d : rig.deltas) EXPECT_EQ(d.size(), rig.vertex_count());
  for (std::size_t p = 0; p < kRigPartCount; ++p) EXPECT_FALSE(rig_part_name(RigPart(p)).empty());
}

TEST(Rig, TheLandmarkRigPosesTheSameLandmarks) {
  const Rig full = build_rig(sample_identity(11));
  const Rig small = landmark_rig(full);
  EXPECT_EQ(small.vertex_count(), kLandmarkCount);
  EXPECT_TRUE(small.triangles.empty());
  Coefficients c;  // shapes with a corrective between them, and a closed mouth over an open jaw
  c.set(Blendshape::JawOpen, 0.6f);
  c.set(Blendshape::MouthClose, 0.4f);
  c.set(Blendshape::MouthSmileLeft, 0.7f);
  c.set(Blendshape::EyeBlinkRight, 1);
  const std::vector<Point3> a = pose_rig(full, c), b = pose_rig(small, c);
  ASSERT_EQ(b.size(), kLandmarkCount);
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    EXPECT_EQ(a[i].x, b[i].x) << i;
    EXPECT_EQ(a[i].y, b[i].y) << i;
    EXPECT_EQ(a[i].z, b[i].z) << i;
  }
}

TEST(Rig, MirrorMapIsAnInvolutionAndTheNeutralIsSymmetric) {
  const Rig& rig = default_rig();
  for (std::size_t v = 0; v < rig.vertex_count(); ++v) {
    const auto m = rig.mirror[v];
    ASSERT_EQ(rig.mirror[m], v);
    EXPECT_NEAR(rig.neutral[v].x, -rig.neutral[m].x, 1e-3f) << v;
    EXPECT_NEAR(rig.neutral[v].y, rig.neutral[m].y, 1e-3f) << v;
    EXPECT_NEAR(rig.neutral[v].z, rig.neutral[m].z, 1e-3f) << v;
  }
}

TEST(Rig, EveryShapeMovesTheFaceAndPairsAreExactMirrors) {
  const Rig& rig = default_rig();
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    float largest = 0;
    for (const Point3& d : rig.deltas[s]) largest = std::max(largest, norm(d));
    EXPECT_GT(largest, 0.2f) << kBlendshapes[s].apple_name << " barely moves";
    EXPECT_LT(largest, 4.0f) << kBlendshapes[s].apple_name << " moves implausibly far";
    const std::size_t m = index_of(kBlendshapes[s].mirror);
    for (std::size_t v = 0; v < rig.vertex_count(); ++v) {
      const Point3& a = rig.deltas[s][v];
      const Point3& b = rig.deltas[m][rig.mirror[v]];
      ASSERT_NEAR(a.x, -b.x, 1e-5f) << kBlendshapes[s].apple_name << " vertex " << v;
      ASSERT_NEAR(a.y, b.y, 1e-5f) << kBlendshapes[s].apple_name << " vertex " << v;
      ASSERT_NEAR(a.z, b.z, 1e-5f) << kBlendshapes[s].apple_name << " vertex " << v;
    }
  }
}

TEST(Rig, ShapeTableHasOneRowPerShapeOrPair) {
  std::set<Blendshape> covered;
  for (const RigShapeRow& row : rig_shape_rows()) {
    EXPECT_FALSE(row.region.empty());
    EXPECT_FALSE(row.motion.empty());
    EXPECT_FALSE(row.falloff.empty());
    EXPECT_FALSE(row.reason.empty());
    EXPECT_TRUE(covered.insert(row.shape).second);
    covered.insert(info(row.shape).mirror);
  }
  EXPECT_EQ(covered.size(), kBlendshapeCount);
}

TEST(Rig, LeftShapesMoveTheSubjectsLeftSide) {
  // The subject's left is +x (face_model.h).
  const Rig& rig = default_rig();
  for (const RigShapeRow& row : rig_shape_rows()) {
    if (info(row.shape).side != Side::Left) continue;
    double left = 0, right = 0;
    for (std::size_t v = 0; v < kLandmarkCount; ++v) {
      const float n = norm(rig.deltas[index_of(row.shape)][v]);
      (rig.neutral[v].x > 0 ? left : right) += n;
    }
    if (row.shape == Blendshape::JawLeft || row.shape == Blendshape::MouthLeft)
      continue;  // both sides move
    EXPECT_GT(left, 3 * right) << info(row.shape).apple_name;
  }
}

TEST(Rig, BlinkClosesTheLidAndWideOpensIt) {
  const auto& n = default_rig().neutral;
  const float open = left_eye_opening(n);
  EXPECT_GT(open, 0.6f);
  const auto blink = posed({{Blendshape::EyeBlinkLeft, 1}});
  EXPECT_LT(left_eye_opening(blink), 0.1f);
  EXPECT_LT(blink[kLeftUpperLid].y, n[kLeftUpperLid].y - 0.5f)
      << "the upper lid does most of the travel";
  const auto wide = posed({{Blendshape::EyeWideLeft, 1}});
  EXPECT_GT(left_eye_opening(wide), open + 0.25f);
  // Corrective: a blink from a wide-open eye still closes it.
  const auto both = posed({{Blendshape::EyeBlinkLeft, 1}, {Blendshape::EyeWideLeft, 1}});
  EXPECT_LT(left_eye_opening(both), 0.1f);
  // The right eye is untouched.
  EXPECT_FLOAT_EQ(blink[kRightUpperLid].y, n[kRightUpperLid].y);
}

TEST(Rig, GazeRotatesTheIris) {
  const auto& n = default_rig().neutral;
  EXPECT_LT(posed({{Blendshape::EyeLookInLeft, 1}})[kLeftIris].x,
            n[kLeftIris].x - 0.3f);  // toward the nose
  EXPECT_GT(posed({{Blendshape::EyeLookOutLeft, 1}})[kLeftIris].x, n[kLeftIris].x + 0.3f);
  EXPECT_GT(posed({{Blendshape::EyeLookUpLeft, 1}})[kLeftIris].y, n[kLeftIris].y + 0.25f);
  EXPECT_LT(posed({{Blendshape::EyeLookDownLeft, 1}})[kLeftIris].y, n[kLeftIris].y - 0.25f);
}

TEST(Rig, JawOpensTheMouthAndMouthCloseShutsTheLips) {
  const auto& n = default_rig().neutral;
  const auto open = posed({{Blendshape::JawOpen, 1}});
  EXPECT_GT(test::dist(open[kUpperLipInner], open[kLowerLipInner]), 2.5f);
  EXPECT_FLOAT_EQ(open[kUpperLipInner].y, n[kUpperLipInner].y)
      << "the upper lip stays with the skull";
  EXPECT_LT(open[kChin].y, n[kChin].y - 1.5f);
  const auto closed = posed({{Blendshape::JawOpen, 1}, {Blendshape::MouthClose, 1}});
  EXPECT_NEAR(closed[kUpperLipInner].y, closed[kLowerLipInner].y, 0.05f) << "the lips meet";
  EXPECT_LT(test::dist(closed[kUpperLipInner], closed[kLowerLipInner]), 0.15f);
  EXPECT_LT(closed[kChin].y, n[kChin].y - 1.5f) << "the jaw stays open";
  // mouthClose is limited to jawOpen: alone it does nothing, so lips never pass through each other.
  const auto alone = posed({{Blendshape::MouthClose, 1}});
  EXPECT_FLOAT_EQ(alone[kLowerLipInner].y, n[kLowerLipInner].y);
}

TEST(Rig, LipGapMeasuresTheOpeningAlongTheWholeMouth) {
  const float rest = lip_gap(default_rig().neutral);
  EXPECT_NEAR(rest, 0.26f, 0.02f);  // a relaxed mouth is slightly parted
  EXPECT_GT(lip_gap(posed({{Blendshape::JawOpen, 0.5f}})), rest + 1.0f);
  // jawOpen + mouthClose at weight 1 close the middle (above); the gap is the widest point.
  const float closed = lip_gap(posed({{Blendshape::JawOpen, 1}, {Blendshape::MouthClose, 1}}));
  EXPECT_LT(closed, 0.1f);
  EXPECT_GT(closed, -0.1f);
  // Pressing the lips narrows the gap; rolling both lips in closes it.
  EXPECT_LT(lip_gap(posed({{Blendshape::MouthPressLeft, 1}, {Blendshape::MouthPressRight, 1}})),
            rest);
  EXPECT_LT(
      lip_gap(posed({{Blendshape::MouthRollLower, 0.7f}, {Blendshape::MouthRollUpper, 0.7f}})),
      0.0f);
  EXPECT_THROW(lip_gap(std::vector<Point3>(100)), std::invalid_argument);
}

TEST(Rig, MouthShapesFollowTheirDefinitions) {
  const auto& n = default_rig().neutral;
  const float width = test::dist(n[kLeftMouthCorner], n[kRightMouthCorner]);
  const auto smile = posed({{Blendshape::MouthSmileLeft, 1}});
  EXPECT_GT(smile[kLeftMouthCorner].y, n[kLeftMouthCorner].y + 0.4f);
  EXPECT_GT(smile[kLeftCheek].y, n[kLeftCheek].y + 0.1f) << "the cheek rises with a smile";
  EXPECT_LT(posed({{Blendshape::MouthFrownLeft, 1}})[kLeftMouthCorner].y,
            n[kLeftMouthCorner].y - 0.3f);
  const auto pucker = posed({{Blendshape::MouthPucker, 1}});
  EXPECT_LT(test::dist(pucker[kLeftMouthCorner], pucker[kRightMouthCorner]), width - 1.0f);
  EXPECT_GT(pucker[kUpperLipInner].z, n[kUpperLipInner].z + 0.4f) << "lips protrude";
  const auto funnel = posed({{Blendshape::MouthFunnel, 1}});
  EXPECT_GT(test::dist(funnel[kUpperLipInner], funnel[kLowerLipInner]),
            test::dist(n[kUpperLipInner], n[kLowerLipInner]) + 0.2f);
  const auto stretch = posed({{Blendshape::MouthStretchLeft, 1}});
  EXPECT_GT(stretch[kLeftMouthCorner].x, n[kLeftMouthCorner].x + 0.3f);
  const auto puff = posed({{Blendshape::CheekPuff, 1}});
  float out = 0;
  for (std::size_t v = 0; v < kLandmarkCount; ++v)
    if (n[v].x > 3) out = std::max(out, puff[v].x - n[v].x);
  EXPECT_GT(out, 0.5f) << "cheeks inflate outward";
}

TEST(Rig, TongueOutSticksOutPastTheLips) {
  const Rig& rig = default_rig();
  const auto p = pose_rig(rig, [] {
    Coefficients c;
    c.set(Blendshape::TongueOut, 1);
    return c;
  }());
  float front = -1e9f;
  for (const RigTriangle& t : rig.triangles)
    if (t.part == RigPart::Tongue)
      for (auto v : t.v) front = std::max(front, p[v].z);
  EXPECT_GT(front, rig.neutral[kLowerLipInner].z + 0.3f);
}

TEST(Rig, RejectsNonFiniteWeights) {
  Coefficients c;
  EXPECT_THROW(c.set(Blendshape::JawOpen, std::nanf("")), std::invalid_argument);
}

TEST(Rig, IdentitiesReshapeTheFaceSymmetricallyAndDeterministically) {
  Identity wide;
  wide.face_width = 2;
  const Rig r = build_rig(wide);
  const auto& n = default_rig().neutral;
  EXPECT_GT(test::dist(r.neutral[454], r.neutral[234]), test::dist(n[454], n[234]) + 0.8f);
  for (std::size_t v = 0; v < r.vertex_count(); ++v)
    ASSERT_NEAR(r.neutral[v].x, -r.neutral[r.mirror[v]].x, 1e-3f) << v;
  Identity bad;
  bad.nose_length = 6.5f;
  EXPECT_THROW(build_rig(bad), std::invalid_argument);
  EXPECT_EQ(sample_identity(7), sample_identity(7));
  EXPECT_NE(sample_identity(7), sample_identity(8));
  for (std::uint64_t seed = 0; seed < 50; ++seed)
    for (float v : identity_values(sample_identity(seed))) EXPECT_LE(std::abs(v), 2.5f);
  // A sampled identity still gives a working rig: blinking closes its eye.
  const Rig s = build_rig(sample_identity(3));
  Coefficients c;
  c.set(Blendshape::EyeBlinkLeft, 1);
  const auto p = pose_rig(s, c);
  EXPECT_LT(left_eye_opening(p), 0.15f);
  EXPECT_EQ(identity_from_values(identity_values(wide)), wide);
  EXPECT_THROW(identity_from_values(std::vector<float>(3)), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
