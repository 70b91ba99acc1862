// face_image_quality (landmarker.h): how large, how sharp and how whole an image shows a face.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/topology.h"

namespace semblend {
EyeVisibility eye_visibility(const Image& image, const FaceLandmarks& face, bool left_eye) {
  EyeVisibility v;
  if (!image.valid()) return v;
  namespace lm = landmark;
  const cv::Rect whole(0, 0, image.width, image.height);
  // The cheek below the eye: two squares of 5% of the eye distance.
  const float eye_distance =
      std::hypot(face.points[lm::kLeftEyeOuter].x - face.points[lm::kRightEyeOuter].x,
                 face.points[lm::kLeftEyeOuter].y - face.points[lm::kRightEyeOuter].y);
  const int r = std::max(1, int(std::lround(0.05f * eye_distance)));
  std::array<cv::Rect, 2> cheek;
  const auto cheek_points = left_eye ? std::array{lm::kLeftCheek, lm::kLeftLowerCheek}
                                     : std::array{lm::kRightCheek, lm::kRightLowerCheek};
  for (std::size_t i = 0; i < 2; ++i) {
    const Point3& p = face.points[cheek_points[i]];
    cheek[i] =
        cv::Rect(int(std::lround(p.x)) - r, int(std::lround(p.y)) - r, 2 * r + 1, 2 * r + 1) &
        whole;
    if (cheek[i].area() == 0) return v;
  }
  // The ellipse around the eye's centre, along its corner-to-corner axis.
  float cx = 0, cy = 0;
  const std::vector<std::uint16_t> loop =
      face_mesh_indices(left_eye ? FaceMeshSet::LeftEye : FaceMeshSet::RightEye);
  for (const std::uint16_t k : loop) cx += face.points[k].x, cy += face.points[k].y;
  cx /= float(loop.size()), cy /= float(loop.size());
  const Point3& a = face.points[left_eye ? lm::kLeftEyeInner : lm::kRightEyeInner];
  const Point3& b = face.points[left_eye ? lm::kLeftEyeOuter : lm::kRightEyeOuter];
  const float width = std::hypot(b.x - a.x, b.y - a.y);
  std::vector<cv::Point> outline;
  cv::ellipse2Poly(
      cv::Point(int(std::lround(cx)), int(std::lround(cy))),
      cv::Size(std::max(1, int(std::lround(0.5f * width))),
               std::max(1, int(std::lround(0.3f * width)))),
      int(std::lround(std::atan2(b.y - a.y, b.x - a.x) * 180 / std::numbers::pi_v<float>)), 0, 360,
      10, outline);
  const cv::Rect eye = cv::boundingRect(outline) & whole;
  if (eye.area() == 0) return v;
  // Only the region these cover is made grey.
  const cv::Rect region = eye | cheek[0] | cheek[1];
  const cv::Mat rgb(image.height, image.width, CV_8UC3,
                    const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat grey;
  cv::cvtColor(rgb(region), grey, cv::COLOR_RGB2GRAY);
  auto in_region = [&](cv::Rect rect) { return rect - region.tl(); };
  const double skin =
      (cv::mean(grey(in_region(cheek[0])))[0] + cv::mean(grey(in_region(cheek[1])))[0]) / 2;
  if (skin < 8) return v;  // a black cheek: nothing to compare with
  for (cv::Point& p : outline) p -= eye.tl();
  cv::Mat mask = cv::Mat::zeros(eye.size(), CV_8U);
  cv::fillConvexPoly(mask, outline, 255);
  if (cv::countNonZero(mask) == 0) return v;
  cv::Scalar mean, sd;
  cv::meanStdDev(grey(in_region(eye)), mean, sd, mask);
  v.tone = float(mean[0] / skin);
  v.contrast = float(sd[0] / skin);
  return v;
}

FaceImageQuality face_image_quality(const Image& image, const FaceLandmarks& face) {
  FaceImageQuality q;
  const Point3 &a = face.points[landmark::kRightEyeOuter],
               &b = face.points[landmark::kLeftEyeOuter];
  q.eye_distance_px = std::hypot(b.x - a.x, b.y - a.y);
  if (!image.valid()) return q;
  float x0 = 1e30f, y0 = 1e30f, x1 = -1e30f, y1 = -1e30f;
  int outside = 0;
  for (std::size_t k = 0; k < kFaceMeshLandmarks; ++k) {
    const Point3& p = face.points[k];
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
    outside += !(p.x >= 0 && p.x < float(image.width) && p.y >= 0 && p.y < float(image.height));
  }
  q.outside = float(outside) / float(kFaceMeshLandmarks);
  q.left_eye = eye_visibility(image, face, true);
  q.right_eye = eye_visibility(image, face, false);
  // The landmarks' box, clipped to the image (a face partly outside is measured on what shows).
  const int left = std::clamp(int(std::floor(x0)), 0, image.width);
  const int top = std::clamp(int(std::floor(y0)), 0, image.height);
  const int right = std::clamp(int(std::ceil(x1)), 0, image.width);
  const int bottom = std::clamp(int(std::ceil(y1)), 0, image.height);
  if (right - left < 2 || bottom - top < 2) return q;
  const cv::Mat rgb(image.height, image.width, CV_8UC3,
                    const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat grey, box, laplacian;
  cv::cvtColor(rgb(cv::Rect(left, top, right - left, bottom - top)), grey, cv::COLOR_RGB2GRAY);
  constexpr int kSide = 96;
  // Shrinking averages (no aliasing); enlarging a small face interpolates (no blocks).
  cv::resize(grey, box, cv::Size(kSide, kSide), 0, 0,
             grey.cols > kSide ? cv::INTER_AREA : cv::INTER_LINEAR);
  cv::Laplacian(box, laplacian, CV_64F);
  cv::Scalar mean, sd;
  cv::meanStdDev(laplacian, mean, sd);
  q.sharpness = float(sd[0] * sd[0]);
  return q;
}

}  // namespace semblend
