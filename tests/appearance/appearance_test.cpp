// The appearance branch (appearance.h): aligned crops, the fusion file, the shipped models'
// integrity, and what they read on held-out rig renders that landmarks alone cannot.
#include "semblend/appearance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <thread>

#include "semblend/error.h"
#include "semblend/landmarker.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/solver.h"
#include "test_util.h"

namespace semblend {
namespace {

double mean_abs_difference(const std::vector<float>& a, const std::vector<float>& b) {
  double s = 0;
  for (std::size_t i = 0; i < a.size(); ++i) s += std::fabs(a[i] - b[i]);
  return s / double(a.size());
}

Image render(const Rig& rig, const FaceFrame& frame, int size = 384) {
  RenderOptions ro;
  ro.width = ro.height = size;
  return render_face(rig, frame, ro).image;
}

FaceLandmarks detect(FaceLandmarker& landmarker, const Image& image) {
  landmarker.reset();
  const auto faces = landmarker.detect(image);
  if (faces.empty()) throw std::runtime_error("no face in the test render");
  return faces[0];
}

TEST(AppearanceCrops, TheRightEyesCropIsTheMirrorOfTheLeftEyes) {
  FaceLandmarker landmarker = FaceLandmarker::create();
  FaceFrame wink;
  wink.coefficients.set(Blendshape::EyeBlinkLeft, 1);
  const Image image = render(default_rig(), wink);
  const Image flipped = flip_horizontal(image);
  const AppearanceCrops a = appearance_crops(image, detect(landmarker, image).points);
  const AppearanceCrops b = appearance_crops(flipped, detect(landmarker, flipped).points);
  ASSERT_EQ(a.left_eye.size(), std::size_t(kEyeCropSize * kEyeCropSize * 3));
  ASSERT_EQ(a.lower_face.size(), std::size_t(kLowerFaceCropSize * kLowerFaceCropSize * 3));
  // In the flipped image the closed eye is the subject's right one: the same crop, up to the
  // landmarker's own jitter.
  const double same = mean_abs_difference(a.left_eye, b.right_eye);
  const double same_open = mean_abs_difference(a.right_eye, b.left_eye);
  // The closed and the open eye differ.
  const double different = mean_abs_difference(a.left_eye, a.right_eye);
  EXPECT_LT(same, 0.25);
  EXPECT_LT(same_open, 0.25);
  EXPECT_GT(different, 2 * std::max(same, same_open));
  // Standardised: each crop's channels have mean 0.
  for (int c = 0; c < 3; ++c) {
    double m = 0;
    for (std::size_t i = std::size_t(c); i < a.lower_face.size(); i += 3) m += a.lower_face[i];
    EXPECT_NEAR(m / (a.lower_face.size() / 3), 0.0, 1e-4);
  }
}

TEST(AppearanceCrops, BadInputIsRefused) {
  Image image;
  image.width = image.height = 64;
  image.rgb.assign(64 * 64 * 3, 100);
  std::array<Point3, kLandmarkCount> points{};
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    points[i] = {float(10 + i % 40), float(10 + i / 40), 0};
  EXPECT_THROW(appearance_crops(Image{}, points), std::invalid_argument);
  auto nan = points;
  nan[5].y = NAN;
  EXPECT_THROW(appearance_crops(image, nan), std::invalid_argument);
  auto collapsed = points;
  for (Point3& p : collapsed) p = {20, 20, 0};  // every landmark at one point
  EXPECT_THROW(appearance_crops(image, collapsed), std::invalid_argument);
  // A face reaching out of the image is cropped with repeated edge pixels, not refused.
  auto outside = points;
  for (Point3& p : outside) p.x -= 30;
  EXPECT_NO_THROW(appearance_crops(image, outside));
}

TEST(AppearanceFusion, JsonRoundTripsAndRefusesBadFiles) {
  AppearanceFusion f;
  for (std::size_t k = 0; k < kAppearanceShapeCount; ++k) {
    f.weights[k] = 0.1f * float(k);
    f.geometry_mae[k] = 0.2f;
    f.appearance_mae[k] = 0.1f;
    f.fused_mae[k] = 0.05f;
  }
  f.heldout_samples = 12;
  const AppearanceFusion g = parse_appearance_fusion(appearance_fusion_json(f), "f.json");
  EXPECT_EQ(g.weights, f.weights);
  EXPECT_EQ(g.heldout_samples, 12);
  std::string text = appearance_fusion_json(f);
  EXPECT_THROW(parse_appearance_fusion("{", "f.json"), InputError);
  EXPECT_THROW(parse_appearance_fusion(R"({"format": "other", "version": 1})", "f.json"),
               InputError);
  std::string bad = text;
  bad.replace(bad.find("\"weight\": 0.0"), 13, "\"weight\": 1.5");
  try {
    parse_appearance_fusion(bad, "f.json");
    FAIL() << "a weight of 1.5 was accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("f.json"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("eyeBlinkLeft"), std::string::npos) << e.what();
  }
}

TEST(Appearance, ACorruptedShippedFileIsAChecksumErrorNamingIt) {
  test::TempDir tmp;
  for (const auto& entry : std::filesystem::directory_iterator(default_appearance_dir()))
    std::filesystem::copy_file(entry.path(), tmp.dir() / entry.path().filename());
  EXPECT_NO_THROW(Appearance::load(tmp.dir().string(), default_appearance_checksums()));
  {
    std::fstream f(tmp.path("lower_face.bin"), std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(100);
    f.put('\x7f');
  }
  try {
    Appearance::load(tmp.dir().string(), default_appearance_checksums());
    FAIL() << "a corrupted weight file loaded";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("lower_face.bin"), std::string::npos) << e.what();
  }
  std::filesystem::remove(tmp.path("fusion.json"));
  EXPECT_THROW(Appearance::load(tmp.dir().string()), IoError);
}

TEST(Appearance, ConcurrentEstimatesGiveTheSingleThreadResults) {
  const Appearance appearance = Appearance::load_default();
  FaceLandmarker landmarker = FaceLandmarker::create();
  std::vector<Image> images;
  std::vector<FaceLandmarks> faces;
  for (int i = 0; i < 3; ++i) {
    FaceFrame frame;
    frame.coefficients.set(Blendshape::EyeBlinkLeft, 0.5f * float(i));
    frame.coefficients.set(Blendshape::CheekPuff, 0.4f * float(2 - i));
    images.push_back(render(default_rig(), frame, 256));
    faces.push_back(detect(landmarker, images.back()));
  }
  std::vector<AppearanceEstimate> alone;
  for (std::size_t i = 0; i < images.size(); ++i)
    alone.push_back(appearance.estimate(images[i], faces[i].points));
  // Four threads at once share the one Appearance (its pool clones engine models as needed).
  std::vector<std::vector<AppearanceEstimate>> got(4);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round)
        for (std::size_t i = 0; i < images.size(); ++i)
          got[t].push_back(appearance.estimate(images[i], faces[i].points));
    });
  for (std::thread& th : threads) th.join();
  for (const auto& g : got) {
    ASSERT_EQ(g.size(), 5 * images.size());
    for (std::size_t n = 0; n < g.size(); ++n)
      EXPECT_EQ(g[n].values, alone[n % images.size()].values);
  }
  // Not a constant: the three faces read differently.
  EXPECT_NE(alone[0].values, alone[2].values);
}

// Canonical expressions on held-out identities (never in training: other seeds), frontal and
// turned: what the fused estimate reads, against the landmark solver alone.
struct Reading {
  std::vector<float> geometry, fused;
  float median(const std::vector<float>& v) const {
    std::vector<float> s = v;
    std::sort(s.begin(), s.end());
    return s[s.size() / 2];
  }
};

Reading read_expression(const std::vector<std::pair<Blendshape, float>>& set, Blendshape shape) {
  static const Solver solver = Solver::load_default();
  static const Appearance appearance = Appearance::load_default();
  static FaceLandmarker landmarker = FaceLandmarker::create();
  Reading r;
  for (int id = 0; id < 4; ++id) {
    const Rig rig = build_rig(sample_identity(555000 + std::uint64_t(id)));
    for (const float yaw : {0.0f, 0.35f}) {
      FaceFrame frame;
      for (const auto& [s, v] : set) frame.coefficients.set(s, v);
      frame.head.yaw = id % 2 ? yaw : -yaw;
      const Image image = render(rig, frame, 320);
      const FaceLandmarks face = detect(landmarker, image);
      const Coefficients geo = solver.solve(face.points).coefficients;
      r.geometry.push_back(geo[shape]);
      r.fused.push_back(appearance.fuse(geo, appearance.estimate(image, face.points))[shape]);
    }
  }
  return r;
}

TEST(Appearance, ReadsWhatLandmarksMissOnHeldOutIdentities) {
  using B = Blendshape;
  const Reading tongue = read_expression({{B::JawOpen, 0.4f}, {B::TongueOut, 1}}, B::TongueOut);
  const Reading puff = read_expression({{B::CheekPuff, 1}}, B::CheekPuff);
  const Reading closed =
      read_expression({{B::EyeBlinkLeft, 1}, {B::EyeBlinkRight, 1}}, B::EyeBlinkLeft);
  const Reading open_mouth = read_expression({{B::JawOpen, 0.4f}}, B::TongueOut);
  const Reading neutral_cheek = read_expression({}, B::CheekPuff);
  const Reading neutral_eye = read_expression({}, B::EyeBlinkLeft);
  EXPECT_GE(tongue.median(tongue.fused), 0.5f);
  EXPECT_LE(open_mouth.median(open_mouth.fused), 0.2f);
  EXPECT_GE(puff.median(puff.fused), 0.5f);
  EXPECT_LE(neutral_cheek.median(neutral_cheek.fused), 0.2f);
  EXPECT_GE(closed.median(closed.fused), 0.8f);
  EXPECT_LE(neutral_eye.median(neutral_eye.fused), 0.2f);
  // Better than the landmarks alone where they are blind.
  EXPECT_GT(tongue.median(tongue.fused), tongue.median(tongue.geometry) + 0.2f);
  EXPECT_GT(puff.median(puff.fused), puff.median(puff.geometry) + 0.2f);
}

}  // namespace
}  // namespace semblend
