// face_image_quality (landmarker.h): faces too small or too blurred to read, on rig renders and
// the shared photos.
#include <gtest/gtest.h>

#include <filesystem>
#include <opencv2/imgproc.hpp>

#include "semblend/landmarker.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "test_util.h"

namespace semblend {
namespace {

Image from_mat(const cv::Mat& m) {
  Image image;
  image.width = m.cols, image.height = m.rows;
  image.rgb.assign(m.data, m.data + m.total() * 3);
  return image;
}

// The first face's quality, or nullopt when none is found.
std::optional<FaceImageQuality> quality_of(FaceLandmarker& landmarker, const Image& image) {
  const auto faces = landmarker.detect(image);
  if (faces.empty()) return std::nullopt;
  return face_image_quality(image, faces[0]);
}

TEST(FaceImageQuality, ARenderIsSharpAndLargeBlurredOrShrunkItIsNot) {
  FaceLandmarker landmarker = FaceLandmarker::create();
  RenderOptions o;
  o.width = o.height = 384;
  Image render = render_face(build_rig(sample_identity(7)), FaceFrame{}, o).image;
  const cv::Mat rgb(render.height, render.width, CV_8UC3, render.rgb.data());

  const auto clean = quality_of(landmarker, render);
  ASSERT_TRUE(clean);
  EXPECT_GT(clean->eye_distance_px, 90);  // measured ~120
  EXPECT_FALSE(clean->small());
  EXPECT_FALSE(clean->blurred());

  const auto b = quality_of(landmarker, test::gaussian_blurred(render, 4));
  ASSERT_TRUE(b);
  EXPECT_TRUE(b->blurred()) << b->sharpness;  // measured ~23
  EXPECT_FALSE(b->small());
  EXPECT_NEAR(b->eye_distance_px, clean->eye_distance_px, 0.1f * clean->eye_distance_px);

  cv::Mat shrunk;
  cv::resize(rgb, shrunk, cv::Size(), 1.0 / 8, 1.0 / 8, cv::INTER_AREA);
  const auto s = quality_of(landmarker, from_mat(shrunk));
  ASSERT_TRUE(s);
  EXPECT_TRUE(s->small()) << s->eye_distance_px;  // measured ~15
  EXPECT_NEAR(s->eye_distance_px, clean->eye_distance_px / 8, 0.2f * clean->eye_distance_px / 8);
}

TEST(FaceImageQuality, AFaceTheImagesEdgeCutsIsCutOff) {
  // faceapi_neutral.jpg cut through the middle of the face by the left edge read "extreme jaw
  // opening; extreme outer brow raise" (jawOpen 0.87); 5% of its width off, it is whole enough.
  FaceLandmarker landmarker = FaceLandmarker::create();
  const Image photo = read_image(test::shared_data("faces/faceapi_neutral.jpg"));
  const auto whole = landmarker.detect(photo);
  ASSERT_FALSE(whole.empty());
  float x0 = 1e9f, x1 = -1e9f;
  for (std::size_t k = 0; k < kFaceMeshLandmarks; ++k)
    x0 = std::min(x0, whole[0].points[k].x), x1 = std::max(x1, whole[0].points[k].x);
  const cv::Mat rgb(photo.height, photo.width, CV_8UC3,
                    const_cast<std::uint8_t*>(photo.rgb.data()));
  auto cut = [&](double fraction) {  // the image without the face's left `fraction`
    const int left = int(x0 + fraction * (x1 - x0));
    return quality_of(landmarker,
                      from_mat(rgb(cv::Rect(left, 0, photo.width - left, photo.height)).clone()));
  };
  const auto half = cut(0.5), sliver = cut(0.05);
  ASSERT_TRUE(half && sliver);
  EXPECT_TRUE(half->cut_off()) << half->outside;  // measured 0.49
  EXPECT_GT(half->outside, 0.3f);
  EXPECT_FALSE(sliver->cut_off()) << sliver->outside;  // measured 0.017
  EXPECT_GT(sliver->outside, 0.0f);
}

TEST(FaceImageQuality, NoSharedPhotoIsFlagged) {
  // The 15 photos of ../shared/data/faces (measured: eyes 64–313 px apart, sharpness 154–1946).
  FaceLandmarker landmarker = FaceLandmarker::create();
  int photos = 0;
  for (const auto& entry : std::filesystem::directory_iterator(test::shared_data("faces"))) {
    const auto q = quality_of(landmarker, read_image(entry.path().string()));
    ASSERT_TRUE(q) << entry.path();
    EXPECT_FALSE(q->small()) << entry.path() << " " << q->eye_distance_px;
    EXPECT_FALSE(q->blurred()) << entry.path() << " " << q->sharpness;
    EXPECT_EQ(q->outside, 0.0f) << entry.path();
    EXPECT_FALSE(q->cut_off()) << entry.path();
    EXPECT_FALSE(q->left_eye.hidden()) << entry.path() << " " << q->left_eye.tone;
    EXPECT_FALSE(q->right_eye.hidden()) << entry.path() << " " << q->right_eye.tone;
    ++photos;
  }
  EXPECT_EQ(photos, 15);
}

TEST(FaceImageQuality, EyesBehindDarkLensesAreHiddenShutLidsAreNot) {
  FaceLandmarker landmarker = FaceLandmarker::create();
  // Rig renders, the lightest and darkest skin, eyes open and shut: every eye shows.
  for (const char* tone : {"light", "dark"}) {
    for (const float blink : {0.0f, 1.0f}) {
      FaceFrame frame;
      frame.coefficients.set(Blendshape::EyeBlinkLeft, blink);
      frame.coefficients.set(Blendshape::EyeBlinkRight, blink);
      RenderOptions o;
      o.width = o.height = 384;
      o.skin = skin_tone(tone);
      const auto q =
          quality_of(landmarker, render_face(build_rig(sample_identity(77)), frame, o).image);
      ASSERT_TRUE(q) << tone << blink;
      // Measured: open tone 0.67–1.72, contrast 0.31–0.98; shut tone 0.91–1.26, contrast 0.09–0.23.
      EXPECT_FALSE(q->left_eye.hidden()) << tone << blink << " " << q->left_eye.contrast;
      EXPECT_FALSE(q->right_eye.hidden()) << tone << blink << " " << q->right_eye.contrast;
    }
  }
  // A photo behind opaque and 85% tinted lenses, and with one lens (a patch) over either eye.
  const Image photo = read_image(test::shared_data("faces/faceapi_happy.jpg"));
  landmarker.reset();
  const auto faces = landmarker.detect(photo);
  ASSERT_FALSE(faces.empty());
  for (const double opacity : {1.0, 0.85}) {
    landmarker.reset();
    const auto q = quality_of(landmarker, test::with_dark_lenses(photo, faces[0], opacity));
    ASSERT_TRUE(q);
    // Measured: opaque tone 0.10, contrast 0.00; 85% tone 0.22, contrast 0.03.
    EXPECT_TRUE(q->left_eye.hidden())
        << opacity << " " << q->left_eye.tone << " " << q->left_eye.contrast;
    EXPECT_TRUE(q->right_eye.hidden())
        << opacity << " " << q->right_eye.tone << " " << q->right_eye.contrast;
  }
  for (const bool left : {true, false}) {
    landmarker.reset();
    const auto q = quality_of(landmarker, test::with_dark_lenses(photo, faces[0], 1, left, !left));
    ASSERT_TRUE(q);
    EXPECT_EQ(q->left_eye.hidden(), left) << q->left_eye.tone << " " << q->left_eye.contrast;
    EXPECT_EQ(q->right_eye.hidden(), !left) << q->right_eye.tone << " " << q->right_eye.contrast;
  }
}

TEST(FaceImageQuality, AFaceOutsideTheImageIsMeasuredOnWhatShows) {
  // Landmarks beyond the image's edges (a face cut off) and an empty image are no error.
  FaceLandmarks face;
  for (std::size_t k = 0; k < kLandmarkCount; ++k)
    face.points[k] = {float(k % 40) * 4 - 60, float(k / 40) * 4 - 10, 0};
  Image grey;
  grey.width = grey.height = 64;
  grey.rgb.assign(64u * 64u * 3u, 100);
  const FaceImageQuality q = face_image_quality(grey, face);
  EXPECT_EQ(q.sharpness, 0.0f);  // a flat grey: no detail at all
  EXPECT_TRUE(q.blurred());
  // Columns x = -60 … 96 in steps of 4 (x < 0: 15 of 40, x ≥ 64: 8 of 40), rows y = -10 … 36:
  // the points with both coordinates inside are 17 of 40 columns × rows 3 … 11 of 0 … 11.
  int inside = 0;
  for (std::size_t k = 0; k < kFaceMeshLandmarks; ++k)
    inside += face.points[k].x >= 0 && face.points[k].x < 64 && face.points[k].y >= 0 &&
              face.points[k].y < 64;
  EXPECT_FLOAT_EQ(q.outside, 1.0f - float(inside) / float(kFaceMeshLandmarks));
  EXPECT_TRUE(q.cut_off());
  EXPECT_FALSE(q.left_eye.hidden());  // a flat grey: as light as its cheek
  EXPECT_EQ(face_image_quality(Image{}, face).sharpness, 0.0f);
  EXPECT_FALSE(face_image_quality(Image{}, face).left_eye.hidden());
}

}  // namespace
}  // namespace semblend
