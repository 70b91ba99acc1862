// face_image_quality (landmarker.h): how large, how sharp and how whole an image shows a face.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "semblend/landmarker.h"
#include "semblend/topology.h"

namespace semblend {

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
