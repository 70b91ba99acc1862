// The neutral face (data/neutral_face.csv): its geometry, its derivation, rigid fits to it.
#include <gtest/gtest.h>

#include <cmath>

#include "semblend/error.h"
#include "semblend/face_model.h"
#include "test_util.h"

namespace semblend {
namespace {

TEST(NeutralFace, IsLifeSizedAndExactlySymmetric) {
  const FaceShape& n = neutral_face();
  const auto& m = landmark_mirror_map();
  EXPECT_NEAR(test::dist(n[33], n[263]), 9.0f, 1e-3f);  // outer eye corners
  int midline = 0;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    ASSERT_EQ(m[m[i]], i) << "the mirror map must be an involution";
    const Point3 &a = n[i], &b = n[m[i]];
    EXPECT_NEAR(a.x, -b.x, 2e-4f) << i;
    EXPECT_NEAR(a.y, b.y, 2e-4f) << i;
    EXPECT_NEAR(a.z, b.z, 2e-4f) << i;
    midline += m[i] == i;
  }
  EXPECT_GE(midline, 20);
  EXPECT_EQ(m[33], 263);   // outer eye corners
  EXPECT_EQ(m[468], 473);  // iris centres
  EXPECT_EQ(m[1], 1);      // nose tip on the midline
  // Anatomy: the most forward point is the tip of the nose (MediaPipe's 4, pronasale); the
  // subject's left eye is at +x; the forehead is above the chin.
  for (std::size_t i = 0; i < 468; ++i) EXPECT_LE(n[i].z, n[4].z + 1e-3f) << i;
  EXPECT_GT(n[263].x, 0.0f);
  EXPECT_GT(n[10].y, n[152].y + 10.0f);
}

TEST(NeutralFace, TheCommittedTableIsWhatTheCommandDerives) {
  const std::string dir = test::shared_data("faces");
  LandmarkerOptions o;  // as semblend derive-neutral runs it
  o.refine_crop = CropRefinement::Always;
  FaceLandmarker lm = FaceLandmarker::create(o);
  std::vector<std::array<Point3, kLandmarkCount>> faces, mirrored;
  for (const char* name : {"faceapi_neutral.jpg", "sadtalker_sad.png", "sadtalker_sad1.png",
                           "sadtalker_people_0.png"}) {
    const Image img = read_image(dir + "/" + name);
    faces.push_back(lm.detect(img).at(0).points);
    mirrored.push_back(lm.detect(flip_horizontal(img)).at(0).points);
  }
  const NeutralDerivation d = derive_neutral(faces, mirrored);
  EXPECT_EQ(d.mirror, landmark_mirror_map());
  float worst = 0;
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    worst = std::max(worst, test::dist(d.shape[i], neutral_face()[i]));
  EXPECT_LT(worst, 0.01f)
      << "data/neutral_face.csv is stale: rerun semblend derive-neutral (docs/landmarks.md)";
  EXPECT_LT(d.rms_residual_cm, 0.3);
}

TEST(NeutralFace, CsvRoundTripAndErrors) {
  NeutralDerivation n;
  n.shape = neutral_face();
  n.mirror = landmark_mirror_map();
  n.faces = 4;
  const NeutralDerivation back = parse_neutral_face_csv(neutral_face_csv(n), "x.csv");
  EXPECT_EQ(back.mirror, n.mirror);
  EXPECT_NEAR(back.shape[100].x, n.shape[100].x, 1e-4f);
  EXPECT_THROW(parse_neutral_face_csv("index,x,y,z,mirror\n0,1,2,3,0\n", "short.csv"), InputError);
  EXPECT_THROW(parse_neutral_face_csv("index,x,y,z,mirror\n0,a,2,3,0\n", "bad.csv"), InputError);
}

TEST(FitRigid, RecoversAKnownPose) {
  const FaceShape& n = neutral_face();
  // Rotate 20° about y (yaw), 10° about x, scale 12 px/cm, shift.
  const float a = 20 * 3.14159265f / 180, b = 10 * 3.14159265f / 180;
  FaceShape obs;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const Point3 p = n[i];
    const float x1 = std::cos(a) * p.x + std::sin(a) * p.z,
                z1 = -std::sin(a) * p.x + std::cos(a) * p.z;
    const float y2 = std::cos(b) * p.y - std::sin(b) * z1,
                z2 = std::sin(b) * p.y + std::cos(b) * z1;
    obs[i] = {12 * x1 + 300, 12 * y2 - 200, 12 * z2 + 5};
  }
  const RigidFit fit = fit_rigid(n, obs);
  EXPECT_NEAR(fit.scale, 12.0f, 1e-3f);
  EXPECT_NEAR(fit.translation.x, 300.0f, 1e-2f);
  EXPECT_LT(fit.rms_error, 1e-3f);
  // The face normal (third column) is the rotated z axis.
  EXPECT_NEAR(fit.rotation[2], std::sin(a), 1e-4f);
}

TEST(HeadPose, FrontalPhotosReadNearlyLevel) {
  FaceLandmarker lm = FaceLandmarker::create();
  for (const char* name :
       {"faceapi_neutral.jpg", "faceapi_sad.jpg", "sadtalker_sad.png", "sadtalker_people_0.png"}) {
    const auto f = lm.detect(read_image(test::shared_data(std::string("faces/") + name)));
    ASSERT_EQ(f.size(), 1u);
    EXPECT_LT(std::abs(f[0].head.yaw), 0.15f) << name;
    EXPECT_LT(std::abs(f[0].head.pitch), 0.2f) << name;
    EXPECT_LT(std::abs(f[0].head.roll), 0.15f) << name;
    ASSERT_TRUE(f[0].head.translation.has_value());
    EXPECT_LT(f[0].head.translation->z, 0.0f) << "the face is in front of the camera";
  }
}

}  // namespace
}  // namespace semblend
