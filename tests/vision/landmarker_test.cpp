// The vision front end on real photos (../shared/data/faces) and on images with no face.
#include "semblend/landmarker.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <utility>

#include "semblend/error.h"
#include "semblend/video.h"
#include "test_util.h"

namespace semblend {
namespace {

FaceLandmarker& landmarker() {
  static FaceLandmarker lm = FaceLandmarker::create();
  return lm;
}

std::vector<std::string> face_photos() {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(test::shared_data("faces")))
    out.push_back(e.path().string());
  std::sort(out.begin(), out.end());
  return out;
}

float image_dist(const Point3& a, const Point3& b) {
  return std::hypot(a.x - b.x, a.y - b.y);
}

// Is p inside the polygon of the given landmark indices (2D)?
bool inside(const FaceLandmarks& f, const Point3& p, const std::vector<int>& ring) {
  bool in = false;
  for (std::size_t i = 0, j = ring.size() - 1; i < ring.size(); j = i++) {
    const Point3 &a = f.points[static_cast<std::size_t>(ring[i])],
                 &b = f.points[static_cast<std::size_t>(ring[j])];
    if ((a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x) in = !in;
  }
  return in;
}
// Eye openings as rings (lower lid from the outer corner, then the upper lid back).
const std::vector<int> kRightEyeRing{33,  7,   163, 144, 145, 153, 154, 155,
                                     133, 173, 157, 158, 159, 160, 161, 246};
const std::vector<int> kLeftEyeRing{263, 249, 390, 373, 374, 380, 381, 382,
                                    362, 398, 384, 385, 386, 387, 388, 466};

TEST(Landmarker, FindsTheFaceInEverySharedPhoto) {
  const auto photos = face_photos();
  ASSERT_EQ(photos.size(), 15u);
  int found = 0;
  for (const auto& path : photos) {
    const Image img = read_image(path);
    const auto faces = landmarker().detect(img);
    EXPECT_EQ(faces.size(), 1u) << path;
    if (faces.empty()) continue;
    ++found;
    const FaceLandmarks& f = faces[0];
    EXPECT_GT(f.presence, 0.5f) << path;
    const float iod = image_dist(f.points[33], f.points[263]);
    EXPECT_GT(iod, 10.0f) << path;
    for (const Point3& p : f.points) {
      EXPECT_GT(p.x, -0.2f * img.width) << path;
      EXPECT_LT(p.x, 1.2f * img.width) << path;
    }
    // Irises sit inside their own eye openings (a swapped or misplaced eye crop would fail).
    EXPECT_TRUE(inside(f, f.points[468], kRightEyeRing)) << path;
    EXPECT_TRUE(inside(f, f.points[473], kLeftEyeRing)) << path;
    // The subject's right eye appears on the image's left.
    EXPECT_LT(f.points[468].x, f.points[473].x) << path;
    // All these photos are near-frontal.
    EXPECT_LT(std::abs(f.head.yaw), 0.35f) << path;
    EXPECT_LT(std::abs(f.head.roll), 0.35f) << path;
  }
  EXPECT_EQ(found, 15);
}

TEST(LandmarkerAttention, PlacesAll478PointsOnEverySharedPhoto) {
  // The attention mesh (MeshModel::Attention) on the same photos: one face each, irises inside
  // their own eye openings on the right sides, and the points near FaceMesh's (the two models
  // read the same faces; they differ most on lips and lids, by a few percent of the eye distance).
  LandmarkerOptions lo;
  lo.mesh_model = MeshModel::Attention;
  FaceLandmarker attention = FaceLandmarker::create(lo);
  double worst_mean = 0;
  for (const auto& path : face_photos()) {
    const Image img = read_image(path);
    const auto faces = attention.detect(img);
    ASSERT_EQ(faces.size(), 1u) << path;
    const FaceLandmarks& f = faces[0];
    EXPECT_GT(f.presence, 0.5f) << path;
    EXPECT_TRUE(inside(f, f.points[468], kRightEyeRing)) << path;
    EXPECT_TRUE(inside(f, f.points[473], kLeftEyeRing)) << path;
    EXPECT_LT(f.points[468].x, f.points[473].x) << path;
    for (const Point3& p : f.points) EXPECT_TRUE(std::isfinite(p.x) && std::isfinite(p.z)) << path;
    const auto g = landmarker().detect(img);
    ASSERT_EQ(g.size(), 1u);
    const float iod = image_dist(g[0].points[468], g[0].points[473]);
    double mean = 0;
    for (std::size_t i = 0; i < kLandmarkCount; ++i)
      mean += image_dist(f.points[i], g[0].points[i]) / iod / double(kLandmarkCount);
    worst_mean = std::max(worst_mean, mean);
    EXPECT_LT(mean, 0.08) << path;
    EXPECT_NEAR(f.head.yaw, g[0].head.yaw, 0.1f) << path;
  }
  std::printf("attention against facemesh: worst mean distance %.3f of the eye distance\n",
              worst_mean);
}

TEST(Landmarker, TheFaceWinsOverALargerFalseDetection) {
  // faceapi_happy.jpg (500×282): BlazeFace also fires on the buildings left of the face (score
  // 0.68, a larger box than the face's 0.96); the face spans about x 255–425, y 25–240, the nose
  // tip near (330, 150). Faces are chosen by detection score and mesh presence, not box size.
  const Image img = read_image(test::shared_data("faces/faceapi_happy.jpg"));
  const auto faces = landmarker().detect(img);
  ASSERT_EQ(faces.size(), 1u);
  const Point3& nose = faces[0].points[1];  // nose tip
  EXPECT_GT(nose.x, 290.0f);
  EXPECT_LT(nose.x, 370.0f);
  EXPECT_GT(nose.y, 110.0f);
  EXPECT_LT(nose.y, 190.0f);
  EXPECT_GT(faces[0].presence, 0.9f);
  EXPECT_GT(faces[0].detection_score, 0.9f);
}

TEST(Landmarker, AskedForSeveralFacesTheDoubtedLargeOneComesLast) {
  // With room for four faces (what `semblend image` asks for), the buildings' detection is kept
  // (FaceMesh presence ~0.67) but listed after the face (~1.0), though its box is larger.
  LandmarkerOptions o;
  o.max_faces = 4;
  FaceLandmarker lm = FaceLandmarker::create(o);
  const auto faces = lm.detect(read_image(test::shared_data("faces/faceapi_happy.jpg")));
  ASSERT_GE(faces.size(), 1u);
  EXPECT_GT(faces[0].presence, 0.9f);
  EXPECT_GT(faces[0].points[1].x, 290.0f);  // the woman's nose tip
  for (std::size_t i = 1; i < faces.size(); ++i) EXPECT_LT(faces[i].presence, 0.8f) << i;
}

// `img` turned clockwise (as seen) by `degrees` about its centre onto a square canvas its
// diagonal wide; `to_turned` maps an upright image point into it.
struct Turned {
  Image image;
  cv::Mat m;  // 2×3, pixel centres
  Point3 to_turned(const Point3& p) const {
    const double x = p.x - 0.5, y = p.y - 0.5;
    return {static_cast<float>(m.at<double>(0, 0) * x + m.at<double>(0, 1) * y +
                               m.at<double>(0, 2) + 0.5),
            static_cast<float>(m.at<double>(1, 0) * x + m.at<double>(1, 1) * y +
                               m.at<double>(1, 2) + 0.5),
            p.z};
  }
};
Turned turned(const Image& img, double degrees) {
  Image copy = img;
  const cv::Mat src(img.height, img.width, CV_8UC3, copy.rgb.data());
  const int side = static_cast<int>(std::ceil(std::hypot(img.width, img.height)));
  Turned t;
  t.m = cv::getRotationMatrix2D(cv::Point2f(img.width / 2.0f, img.height / 2.0f), -degrees, 1.0);
  t.m.at<double>(0, 2) += (side - img.width) / 2.0;
  t.m.at<double>(1, 2) += (side - img.height) / 2.0;
  cv::Mat dst;
  cv::warpAffine(src, dst, t.m, cv::Size(side, side));
  t.image.width = t.image.height = side;
  t.image.rgb.assign(dst.data, dst.data + dst.total() * 3);
  return t;
}

TEST(Landmarker, FacesAtAnyRollAreFoundTheRightWayUp) {
  // BlazeFace alone reads a face tilted beyond ~100° as an upright one (its eyes on the mouth):
  // before any_orientation, faceapi_happy.jpg turned 105°–255° gave landmarks a whole
  // inter-ocular distance off. As `semblend image` asks (up to four faces, the first kept).
  LandmarkerOptions o;
  o.max_faces = 4;
  FaceLandmarker lm = FaceLandmarker::create(o);
  const Image img = read_image(test::shared_data("faces/faceapi_happy.jpg"));
  const auto upright = lm.detect(img);
  ASSERT_GE(upright.size(), 1u);
  const FaceLandmarks& a = upright[0];
  const float iod = image_dist(a.points[33], a.points[263]);
  for (const double degrees : {60.0, 120.0, 180.0, 225.0, 300.0}) {
    const Turned t = turned(img, degrees);
    const auto found = lm.detect(t.image);
    ASSERT_GE(found.size(), 1u) << degrees;
    float error = 0;
    for (std::size_t k = 0; k < 468; ++k)
      error += image_dist(t.to_turned(a.points[k]), found[0].points[k]) / 468;
    EXPECT_LT(error, 0.04f * iod) << degrees << "°";  // measured 0.005–0.011
    EXPECT_LT(image_dist(t.to_turned(a.points[468]), found[0].points[468]), 0.05f * iod);
    const double roll_turn = std::remainder(found[0].head.roll - a.head.roll, 2 * std::numbers::pi);
    EXPECT_NEAR(std::abs(roll_turn),
                std::abs(std::remainder(degrees, 360.0)) * std::numbers::pi / 180, 0.1)
        << degrees;
  }
  o.any_orientation = false;  // the control: BlazeFace upright only
  FaceLandmarker plain = FaceLandmarker::create(o);
  const Turned t = turned(img, 180);
  const auto found = plain.detect(t.image);
  ASSERT_GE(found.size(), 1u);
  EXPECT_GT(image_dist(t.to_turned(a.points[1]), found[0].points[1]), 0.3f * iod);
}

TEST(Landmarker, AMirroredPhotoGivesMirroredLandmarks) {
  const Image img = read_image(test::shared_data("faces/faceapi_neutral.jpg"));
  Image flipped = img;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      for (int c = 0; c < 3; ++c)
        flipped.rgb[(static_cast<std::size_t>(y) * img.width + x) * 3 + c] =
            img.pixel(img.width - 1 - x, y)[c];
  const auto a = landmarker().detect(img), b = landmarker().detect(flipped);
  ASSERT_EQ(a.size(), 1u);
  ASSERT_EQ(b.size(), 1u);
  const float iod = image_dist(a[0].points[33], a[0].points[263]);
  auto mirrored = [&](const Point3& p) { return Point3{img.width - p.x, p.y, p.z}; };
  // The subject's right iris in one is the left iris in the other, mirrored.
  EXPECT_LT(image_dist(mirrored(a[0].points[468]), b[0].points[473]), 0.05f * iod);
  EXPECT_LT(image_dist(mirrored(a[0].points[473]), b[0].points[468]), 0.05f * iod);
  EXPECT_LT(image_dist(mirrored(a[0].points[1]), b[0].points[1]), 0.05f * iod);  // nose tip
  EXPECT_NEAR(a[0].head.yaw, -b[0].head.yaw, 0.1f);
}

TEST(Landmarker, JitteredCopiesMapBackOntoTheFace) {
  // A real photo found again on shifted, scaled and rotated copies (detect_jittered): the copies'
  // points, mapped back, lie on the original's, within the landmarker's own placement noise, while
  // the copies themselves were moved by far more than that.
  const Image img = read_image(test::shared_data("faces/faceapi_neutral.jpg"));
  const auto found = landmarker().detect(img);
  ASSERT_EQ(found.size(), 1u);
  const FaceLandmarks& face = found[0];
  const float iod = image_dist(face.points[33], face.points[263]);
  JitterOptions o;
  o.copies = 6;
  o.shift = 0.1f;  // up to a tenth of the face: ~ a fifth of the inter-ocular distance
  o.scale = 0.1f;
  o.rotate_deg = 8;
  const auto copies = detect_jittered(landmarker(), img, face, o);
  ASSERT_EQ(copies.size(), 6u);
  for (std::size_t c = 0; c < copies.size(); ++c) {
    double mean = 0;
    for (std::size_t i = 0; i < kLandmarkCount; ++i)
      mean += image_dist(copies[c][i], face.points[i]);
    mean /= kLandmarkCount;
    EXPECT_LT(mean, 0.05 * iod) << "copy " << c;
    EXPECT_GT(mean, 0.0) << "copy " << c << " is the original: nothing was jittered";
    // z is back at the original's scale: the nose tip stands out of the face as far.
    EXPECT_NEAR(copies[c][1].z, face.points[1].z, 0.1f * iod) << "copy " << c;
  }
  // Deterministic for the same seed, different for another.
  const auto again = detect_jittered(landmarker(), img, face, o);
  EXPECT_EQ(again[2][1].x, copies[2][1].x);
  o.seed = 2;
  EXPECT_NE(detect_jittered(landmarker(), img, face, o)[2][1].x, copies[2][1].x);
  o.copies = 0;
  EXPECT_TRUE(detect_jittered(landmarker(), img, face, o).empty());
  for (auto bad : {JitterOptions{.copies = 65}, JitterOptions{.shift = 0.5f},
                   JitterOptions{.scale = -0.1f}, JitterOptions{.rotate_deg = 45}})
    EXPECT_THROW(detect_jittered(landmarker(), img, face, bad), std::invalid_argument);
}

// Copies of only the face's surroundings (JitterOptions::context) map back onto the face too: the
// middle one of three faces side by side, each copy 3 face sizes wide of the picture's 768 px.
TEST(Landmarker, JitteredCopiesOfTheFacesSurroundingsMapBack) {
  const Image a = read_image(test::shared_data("faces/sadtalker_sad.png"));    // 256×256
  const Image b = read_image(test::shared_data("faces/sadtalker_happy.png"));  // 256×256
  ASSERT_EQ(a.height, b.height);
  const Image both = test::hstack(test::hstack(b, a), b);  // the sad face in the middle
  LandmarkerOptions lo;
  lo.max_faces = 3;
  FaceLandmarker lm = FaceLandmarker::create(lo);
  const auto found = lm.detect(both);
  ASSERT_EQ(found.size(), 3u);
  const auto middle = std::find_if(found.begin(), found.end(), [&](const FaceLandmarks& f) {
    return f.points[1].x > float(b.width) && f.points[1].x < float(b.width + a.width);
  });
  ASSERT_NE(middle, found.end());
  const float iod = image_dist(middle->points[33], middle->points[263]);
  JitterOptions o;
  o.copies = 4;
  o.context = 3;
  const auto copies = detect_jittered(lm, both, *middle, o);
  ASSERT_EQ(copies.size(), 4u);
  for (std::size_t c = 0; c < copies.size(); ++c) {
    double mean = 0;
    for (std::size_t i = 0; i < kLandmarkCount; ++i)
      mean += image_dist(copies[c][i], middle->points[i]);
    EXPECT_LT(mean / kLandmarkCount, 0.05 * iod) << "copy " << c;
  }
  for (const float bad : {-1.0f, 1.0f, 9.0f}) {
    o.context = bad;
    EXPECT_THROW(detect_jittered(lm, both, *middle, o), std::invalid_argument) << bad;
  }
}

TEST(Landmarker, NoFaceIsAnEmptyResultNotAnError) {
  Image blank;
  blank.width = 320, blank.height = 240;
  blank.rgb.assign(320u * 240u * 3u, 128);
  EXPECT_TRUE(landmarker().detect(blank).empty());
  Image tiny;
  tiny.width = 1, tiny.height = 1;
  tiny.rgb = {10, 20, 30};
  EXPECT_TRUE(landmarker().detect(tiny).empty());
  EXPECT_TRUE(landmarker().detect(Image{}).empty());
}

TEST(Landmarker, FindsASmallFaceInALargeFrame) {
  // A 48 px-wide face pasted into a 900×600 gray frame: the front model alone misses faces this
  // small; the back model / tiles find it.
  const Image face = read_image(test::shared_data("faces/sadtalker_sad.png"));  // 256×256
  Image frame;
  frame.width = 900, frame.height = 600;
  frame.rgb.assign(900u * 600u * 3u, 110);
  const int size = 96, ox = 650, oy = 80;  // the face is about half the crop
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x)
      for (int c = 0; c < 3; ++c)
        frame.rgb[(static_cast<std::size_t>(oy + y) * 900 + ox + x) * 3 + c] =
            face.pixel(x * 256 / size, y * 256 / size)[c];
  const auto faces = landmarker().detect(frame);
  ASSERT_EQ(faces.size(), 1u);
  EXPECT_NEAR(faces[0].points[1].x, ox + size / 2, size * 0.25);
}

TEST(Landmarker, TracksTheRealVideo) {
  VideoReader reader = VideoReader::open(test::shared_data("video/videoretalking_face_1.mp4"));
  FaceLandmarker lm = FaceLandmarker::create();
  Image frame;
  double t = 0, last = -1;
  int frames = 0, with_face = 0;
  while (frames < 60 && reader.next(frame, t)) {
    EXPECT_GT(t, last);
    last = t;
    ++frames;
    with_face += !lm.track(frame).empty();
  }
  EXPECT_EQ(frames, 60);
  EXPECT_GE(with_face, 58);
}

TEST(Landmarker, FindsTwoFacesUpToTheLimit) {
  // Two photos side by side.
  const Image a = read_image(test::shared_data("faces/sadtalker_sad.png"));    // 256×256
  const Image b = read_image(test::shared_data("faces/sadtalker_happy.png"));  // 256×256
  const Image both = test::hstack(a, b);
  LandmarkerOptions o;
  o.max_faces = 4;
  FaceLandmarker lm = FaceLandmarker::create(o);
  const auto faces = lm.detect(both);
  ASSERT_EQ(faces.size(), 2u);
  const bool left_first = faces[0].points[1].x < faces[1].points[1].x;
  EXPECT_LT(faces[left_first ? 0 : 1].points[1].x, 256);
  EXPECT_GT(faces[left_first ? 1 : 0].points[1].x, 256);
  EXPECT_EQ(landmarker().detect(both).size(), 1u);  // the default limit is one face
}

TEST(LandmarkerBadInput, ACorruptedModelFailsItsChecksum) {
  test::TempDir tmp;
  for (const char* name : {"blazeface-front", "blazeface-back", "facemesh", "iris"})
    for (const char* ext : {".json", ".bin"})
      std::filesystem::copy_file(default_model_dir() + "/" + name + ext,
                                 tmp.path(std::string(name) + ext));
  std::string bin = test::read_text(tmp.path("facemesh.bin"));
  bin[bin.size() / 2] = static_cast<char>(bin[bin.size() / 2] ^ 0x10);
  test::write_text(tmp.path("facemesh.bin"), bin);
  LandmarkerOptions o;
  o.model_dir = tmp.dir().string();
  try {
    FaceLandmarker::create(o);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("facemesh.bin"), std::string::npos);
    EXPECT_NE(e.problem().find("checksum mismatch"), std::string::npos);
  }
}

TEST(LandmarkerBadInput, MissingModelsNameTheFile) {
  LandmarkerOptions o;
  o.model_dir = "/nonexistent/models";
  try {
    FaceLandmarker::create(o);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/models/blazeface-front.json"),
              std::string::npos);
  }
}

TEST(Video, FramesAreTheDecodersPicturesInRgb) {
  // VideoReader decodes into the frame's own buffer and swaps to RGB in place: the same pixels as
  // OpenCV's own read + BGR->RGB conversion.
  const std::string path = test::shared_data("video/videoretalking_face_1.mp4");
  VideoReader reader = VideoReader::open(path);
  cv::VideoCapture cap(path, cv::CAP_FFMPEG);
  ASSERT_TRUE(cap.isOpened());
  Image frame;
  double time = 0;
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(reader.next(frame, time));
    cv::Mat bgr, rgb;
    ASSERT_TRUE(cap.read(bgr));
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    ASSERT_EQ(frame.width, rgb.cols);
    ASSERT_EQ(frame.height, rgb.rows);
    EXPECT_TRUE(std::equal(frame.rgb.begin(), frame.rgb.end(), rgb.data)) << "frame " << i;
  }
}

// Frame times count from the file's start, as players (and read_audio, for the file's sound)
// count: pictures that start 0.3 s after the sound track have their first frame at 0.3 s, not 0.
TEST(Video, FramesAreTimedOnTheFilesClock) {
  test::TempDir tmp;
  const std::string plain = tmp.path("plain.mp4"), late = tmp.path("late.mp4");
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10:duration=1 -c:v libx264 " +
                           test::q(plain)));
  ASSERT_TRUE(test::ffmpeg("-itsoffset 0.3 -i " + test::q(plain) +
                           " -f lavfi -i sine=duration=1.5 -map 0:v -map 1:a -c:v copy -c:a aac " +
                           test::q(late)));
  for (const auto& [path, start] : {std::pair{plain, 0.0}, std::pair{late, 0.3}}) {
    SCOPED_TRACE(path);
    VideoReader reader = VideoReader::open(path);
    Image frame;
    double time = -1;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(reader.next(frame, time));
      EXPECT_NEAR(time, start + 0.1 * i, 1e-3) << "frame " << i;
    }
  }
}

// A phone stores a portrait recording on its side with a display matrix saying how to turn it.
// Frames come as players show them: the same pixels as ffmpeg's own (auto-rotating) decode, for
// each of the three turns, and width() and height() of the shown frame.
TEST(Video, AVideoStoredOnItsSideIsShownAsPlayersShowIt) {
  test::TempDir tmp;
  ASSERT_TRUE(
      test::ffmpeg(std::string("-f lavfi -i testsrc=size=64x48:rate=10 -frames:v 3 -c:v libx264 ") +
                   "-qp 0 -pix_fmt yuv420p " + test::q(tmp.path("up.mp4"))));
  struct Case {
    const char* filter;
    const char* rotate;
  };
  for (const Case c :
       {Case{"transpose=2", "270"}, Case{"transpose=1", "90"}, Case{"hflip,vflip", "180"}}) {
    SCOPED_TRACE(std::string(c.filter) + " rotate=" + c.rotate);
    const std::string stored = tmp.path("stored.mp4"), turned = tmp.path("turned.mp4");
    ASSERT_TRUE(test::ffmpeg("-i " + test::q(tmp.path("up.mp4")) + " -vf " + c.filter +
                             " -c:v libx264 -qp 0 -pix_fmt yuv420p " + test::q(stored)));
    ASSERT_TRUE(test::ffmpeg("-i " + test::q(stored) + " -c copy -metadata:s:v:0 rotate=" +
                             c.rotate + " " + test::q(turned)));
    // What a player shows: ffmpeg's decode, which applies the display matrix.
    ASSERT_TRUE(test::ffmpeg("-i " + test::q(turned) + " -f rawvideo -pix_fmt rgb24 " +
                             test::q(tmp.path("shown.rgb"))));
    const std::string shown = test::read_text(tmp.path("shown.rgb"));
    VideoReader reader = VideoReader::open(turned);
    const bool sideways = std::string(c.filter).rfind("transpose", 0) == 0;
    EXPECT_EQ(reader.turn() % 180, sideways ? 90 : 0);
    EXPECT_EQ(reader.width(), 64);  // stored 48 x 64 when turned sideways
    EXPECT_EQ(reader.height(), 48);
    Image frame;
    double time = 0;
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(reader.next(frame, time));
      ASSERT_EQ(frame.width, reader.width());
      ASSERT_EQ(frame.height, reader.height());
      ASSERT_LE(at + frame.rgb.size(), shown.size());
      double diff = 0;
      for (std::size_t k = 0; k < frame.rgb.size(); ++k)
        diff += std::abs(int(frame.rgb[k]) - int(static_cast<uint8_t>(shown[at + k])));
      at += frame.rgb.size();
      EXPECT_LT(diff / static_cast<double>(frame.rgb.size()), 3.0) << "frame " << i;
    }
  }
}

TEST(VideoBadInput, NotAVideoIsAClearError) {
  test::TempDir tmp;
  test::write_text(tmp.path("x.mp4"), "not a video at all");
  EXPECT_THROW(VideoReader::open(tmp.path("x.mp4")), InputError);
  EXPECT_THROW(VideoReader::open(tmp.path("missing.mp4")), IoError);
}

}  // namespace
}  // namespace semblend
