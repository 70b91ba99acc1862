// Render-and-detect (rig_eval.h): the landmarker on the rig's own renders.
#include "semblend/rig_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "semblend/topology.h"

namespace semblend {
namespace {

TEST(RigEval, TheLandmarkerFindsTheRigAndItsLandmarks) {
  FaceLandmarker lm = FaceLandmarker::create();
  RenderDetectOptions o;
  o.samples = 8;
  o.size = 256;
  const RenderDetectReport r = evaluate_render_detect(lm, o);
  ASSERT_EQ(r.samples.size(), 8u);
  EXPECT_GE(r.detection_rate, 7.0 / 8);
  // Measured at 384 px over 60 samples: median 0.04 of the inter-ocular distance (docs/rig.md).
  EXPECT_LT(r.median_error_iod, 0.07);
  EXPECT_GT(r.median_error_iod, 0.0);
  // Deterministic: the same seed gives the same poses and errors.
  const RenderDetectReport again = evaluate_render_detect(lm, o);
  for (std::size_t i = 0; i < r.samples.size(); ++i) {
    EXPECT_EQ(r.samples[i].yaw, again.samples[i].yaw);
    EXPECT_EQ(r.samples[i].error_iod, again.samples[i].error_iod);
  }
  o.samples = 0;
  EXPECT_THROW(evaluate_render_detect(lm, o), std::invalid_argument);
}

TEST(RigEval, TheAttentionMeshErrsLessOnLipsEyesAndBrows) {
  // The same renders through both face meshes (docs/landmarks.md: 100 renders, seed 1, median
  // 0.043 -> 0.039; lips 0.036 -> 0.025, eyes 0.029 -> 0.023, brows 0.037 -> 0.028).
  RenderDetectOptions o;
  o.samples = 24;
  LandmarkerOptions lo;
  FaceLandmarker facemesh = FaceLandmarker::create(lo);
  lo.mesh_model = MeshModel::Attention;
  FaceLandmarker attention = FaceLandmarker::create(lo);
  const RenderDetectReport a = evaluate_render_detect(facemesh, o);
  const RenderDetectReport b = evaluate_render_detect(attention, o);
  EXPECT_EQ(b.detection_rate, 1.0);
  auto region = [](const RenderDetectReport& r, LandmarkRegion k) {
    return r.region_median_error_iod[std::size_t(k)];
  };
  std::printf(
      "facemesh / attention: median %.4f / %.4f, lips %.4f / %.4f, eyes %.4f / %.4f, "
      "brows %.4f / %.4f\n",
      a.median_error_iod, b.median_error_iod, region(a, LandmarkRegion::Lips),
      region(b, LandmarkRegion::Lips), region(a, LandmarkRegion::Eyes),
      region(b, LandmarkRegion::Eyes), region(a, LandmarkRegion::Eyebrows),
      region(b, LandmarkRegion::Eyebrows));
  EXPECT_LT(b.median_error_iod, a.median_error_iod);
  EXPECT_LT(region(b, LandmarkRegion::Lips), 0.8 * region(a, LandmarkRegion::Lips));
  EXPECT_LT(region(b, LandmarkRegion::Eyes), 0.9 * region(a, LandmarkRegion::Eyes));
  EXPECT_LT(region(b, LandmarkRegion::Eyebrows), 0.9 * region(a, LandmarkRegion::Eyebrows));
}

TEST(RigEval, ErrorsAreBrokenDownByRegionAndEachRenderCanBeSeen) {
  // Every mesh point has one region; the contour sets take theirs (36 face-oval points, ...).
  const auto& regions = landmark_regions();
  std::array<int, kLandmarkRegionCount> count{};
  for (LandmarkRegion r : regions) ++count[std::size_t(r)];
  EXPECT_EQ(count[std::size_t(LandmarkRegion::FaceOval)], 36);
  EXPECT_EQ(count[std::size_t(LandmarkRegion::Lips)], 40);
  EXPECT_EQ(count[std::size_t(LandmarkRegion::Eyes)], 32);
  EXPECT_EQ(count[std::size_t(LandmarkRegion::Eyebrows)], 20);
  EXPECT_EQ(regions[landmark::kChin], LandmarkRegion::FaceOval);
  EXPECT_EQ(regions[landmark::kMouthLeftCorner], LandmarkRegion::Lips);
  EXPECT_EQ(regions[1], LandmarkRegion::Other);  // the nose tip
  EXPECT_EQ(landmark_region_name(LandmarkRegion::FaceOval), "face_oval");

  FaceLandmarker lm = FaceLandmarker::create();
  RenderDetectOptions o;
  o.samples = 3;
  o.size = 256;
  int seen = 0;
  o.observe = [&](const RenderDetectSample& s, const RenderResult& r, const FaceLandmarks* f) {
    EXPECT_EQ(s.index, std::uint64_t(seen));
    EXPECT_EQ(r.image.width, 256);
    EXPECT_EQ(f != nullptr, s.detected);
    ++seen;
  };
  const RenderDetectReport r = evaluate_render_detect(lm, o);
  EXPECT_EQ(seen, 3);
  for (const RenderDetectSample& s : r.samples) {
    if (!s.detected) continue;
    // The whole-face mean is the regions' means weighted by their sizes.
    double sum = 0;
    for (std::size_t k = 0; k < kLandmarkRegionCount; ++k) {
      EXPECT_GT(s.region_error_iod[k], 0.0f);
      sum += double(s.region_error_iod[k]) * count[k];
    }
    EXPECT_NEAR(sum / double(kFaceMeshLandmarks), s.error_iod, 1e-4);
  }
  for (double m : r.region_median_error_iod) EXPECT_GT(m, 0.0);
  const auto j = nlohmann::json::parse(rig_eval_json(r, {}));
  EXPECT_EQ(j["render_detect"]["median_error_iod_by_region"].size(), kLandmarkRegionCount);
  EXPECT_TRUE(j["render_detect"]["per_sample"][0]["error_iod_by_region"].contains("lips"));
}

TEST(RigEval, TheLandmarkerReadsBackTheRenderedHeadPose) {
  // One convention for head pose across the renderer, the glTF export and the landmarker.
  FaceLandmarker lm = FaceLandmarker::create();
  RenderOptions o;
  o.width = o.height = 384;
  for (auto [yaw, pitch] :
       {std::pair{0.35f, 0.0f}, std::pair{-0.3f, 0.2f}, std::pair{0.0f, -0.25f}}) {
    FaceFrame f;
    f.head.yaw = yaw;
    f.head.pitch = pitch;
    const auto faces = lm.detect(render_face(default_rig(), f, o).image);
    ASSERT_EQ(faces.size(), 1u);
    EXPECT_NEAR(faces[0].head.yaw, yaw, 0.1) << yaw << " " << pitch;
    EXPECT_NEAR(faces[0].head.pitch, pitch, 0.1) << yaw << " " << pitch;
  }
}

TEST(RigEval, ShapeResponsesSayWhatTheLandmarksSee) {
  FaceLandmarker lm = FaceLandmarker::create();
  const auto resp = shape_responses(lm, 256, {0.5f, 1.0f});
  ASSERT_EQ(resp.size(), kBlendshapeCount);
  auto gain = [&](Blendshape s) { return resp[index_of(s)].gain; };
  // The jaw and the gaze are plain in the landmarks; mouthClose is measured with the jaw open.
  EXPECT_GT(gain(Blendshape::JawOpen), 0.3f);
  EXPECT_GT(gain(Blendshape::EyeLookInLeft), 0.4f);
  EXPECT_GT(gain(Blendshape::EyeBlinkLeft), 0.2f);
  EXPECT_GT(resp[index_of(Blendshape::MouthClose)].rendered_motion_px, 1.0f);
  for (const auto& r : resp) EXPECT_LT(r.gain, 2.0f) << info(r.shape).apple_name;
}

}  // namespace
}  // namespace semblend
