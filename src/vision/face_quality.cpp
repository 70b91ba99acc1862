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
namespace {

// The mean grey level of the square of half-side r around p (within the image), or -1.
double patch_mean(const cv::Mat& grey, const Point3& p, int r) {
  const cv::Rect rect =
      cv::Rect(int(std::lround(p.x)) - r, int(std::lround(p.y)) - r, 2 * r + 1, 2 * r + 1) &
      cv::Rect(0, 0, grey.cols, grey.rows);
  return rect.area() > 0 ? cv::mean(grey(rect))[0] : -1;
}

// One eye's EyeVisibility (landmarker.h): the ellipse around its centre against its cheek.
EyeVisibility eye_visibility(const cv::Mat& grey, const FaceLandmarks& face, bool left) {
  EyeVisibility v;
  namespace lm = landmark;
  double skin = 0;
  const float eye_distance =
      std::hypot(face.points[lm::kLeftEyeOuter].x - face.points[lm::kRightEyeOuter].x,
                 face.points[lm::kLeftEyeOuter].y - face.points[lm::kRightEyeOuter].y);
  const int r = std::max(1, int(std::lround(0.05f * eye_distance)));
  for (const std::uint16_t k : left ? std::array{lm::kLeftCheek, lm::kLeftLowerCheek}
                                    : std::array{lm::kRightCheek, lm::kRightLowerCheek}) {
    const double m = patch_mean(grey, face.points[k], r);
    if (m < 0) return v;
    skin += m / 2;
  }
  if (skin < 8) return v;  // a black cheek: nothing to compare with
  float cx = 0, cy = 0;
  const std::vector<std::uint16_t> loop =
      face_mesh_indices(left ? FaceMeshSet::LeftEye : FaceMeshSet::RightEye);
  for (const std::uint16_t k : loop) cx += face.points[k].x, cy += face.points[k].y;
  cx /= float(loop.size()), cy /= float(loop.size());
  const Point3& a = face.points[left ? lm::kLeftEyeInner : lm::kRightEyeInner];
  const Point3& b = face.points[left ? lm::kLeftEyeOuter : lm::kRightEyeOuter];
  const float width = std::hypot(b.x - a.x, b.y - a.y);
  std::vector<cv::Point> outline;
  cv::ellipse2Poly(
      cv::Point(int(std::lround(cx)), int(std::lround(cy))),
      cv::Size(std::max(1, int(std::lround(0.5f * width))),
               std::max(1, int(std::lround(0.3f * width)))),
      int(std::lround(std::atan2(b.y - a.y, b.x - a.x) * 180 / std::numbers::pi_v<float>)), 0, 360,
      10, outline);
  const cv::Rect box = cv::boundingRect(outline) & cv::Rect(0, 0, grey.cols, grey.rows);
  if (box.area() == 0) return v;
  for (cv::Point& p : outline) p -= box.tl();
  cv::Mat mask = cv::Mat::zeros(box.size(), CV_8U);
  cv::fillConvexPoly(mask, outline, 255);
  if (cv::countNonZero(mask) == 0) return v;
  cv::Scalar mean, sd;
  cv::meanStdDev(grey(box), mean, sd, mask);
  v.tone = float(mean[0] / skin);
  v.contrast = float(sd[0] / skin);
  return v;
}

}  // namespace

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
  {
    FaceLandmarks in_box = face;  // the points in the box's coordinates
    for (Point3& p : in_box.points) p.x -= float(left), p.y -= float(top);
    q.left_eye = eye_visibility(grey, in_box, true);
    q.right_eye = eye_visibility(grey, in_box, false);
  }
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
