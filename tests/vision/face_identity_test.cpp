// Face identities across frames (face_identity.h): ids follow the faces, never come back.
#include "semblend/face_identity.h"

#include <gtest/gtest.h>

namespace semblend {
namespace {

FaceBox box(float cx, float cy, float size) {
  return {cx - size / 2, cy - size / 2, size, size};
}

TEST(FaceIdentity, IdsFollowFacesWhateverTheOrderTheyAreFoundIn) {
  FaceIdentityTracker t;
  EXPECT_EQ(t.assign({box(100, 100, 80), box(300, 100, 60)}), (std::vector<int>{0, 1}));
  // Both move a little; the landmarker now lists them the other way round.
  EXPECT_EQ(t.assign({box(310, 104, 62), box(108, 98, 80)}), (std::vector<int>{1, 0}));
  // Moving steadily right by 20 px a frame: the prediction keeps up.
  for (int i = 1; i <= 10; ++i) {
    const auto ids = t.assign({box(108 + 20.f * i, 98, 80), box(310, 104, 62)});
    EXPECT_EQ(ids, (std::vector<int>{0, 1})) << i;
  }
  EXPECT_EQ(t.ids_issued(), 2);
}

TEST(FaceIdentity, AShortGapKeepsTheIdALongOneGivesANewIdNeverAReusedOne) {
  FaceIdentityOptions o;
  o.max_missed = 5;
  FaceIdentityTracker t(o);
  t.assign({box(100, 100, 80), box(300, 100, 80)});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(t.assign({box(100, 100, 80)}), (std::vector<int>{0}));
  EXPECT_EQ(t.assign({box(100, 100, 80), box(300, 100, 80)}), (std::vector<int>{0, 1}))
      << "face 1 was gone for 3 frames: still face 1";
  for (int i = 0; i < 6; ++i) t.assign({box(100, 100, 80)});
  EXPECT_EQ(t.assign({box(100, 100, 80), box(300, 100, 80)}), (std::vector<int>{0, 2}))
      << "gone for 6 frames: a new identity, 1 is never reused";
  // A face entering elsewhere is new; a box far from every track is new.
  EXPECT_EQ(t.assign({box(100, 100, 80), box(300, 100, 80), box(500, 300, 40)}),
            (std::vector<int>{0, 2, 3}));
}

TEST(FaceIdentity, TwoFacesNeverShareAnIdAndASizeJumpIsAnotherFace) {
  FaceIdentityTracker t;
  t.assign({box(100, 100, 80)});
  // Two boxes both near track 0: the nearer keeps it, the other is new.
  EXPECT_EQ(t.assign({box(130, 100, 80), box(102, 100, 80)}), (std::vector<int>{1, 0}));
  FaceIdentityTracker u;
  u.assign({box(100, 100, 80)});
  EXPECT_EQ(u.assign({box(100, 100, 200)}), (std::vector<int>{1})) << "2.5x the size";
  EXPECT_EQ(u.assign({box(0, 0, 0)}), (std::vector<int>{2})) << "a degenerate box never matches";
}

}  // namespace
}  // namespace semblend
