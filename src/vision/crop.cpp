#include "vision/crop.h"

#include <cmath>
#include <opencv2/imgproc.hpp>

namespace semblend::vision {

void Roi::to_image(float u, float v, int n, float& x, float& y) const {
  float a = u / static_cast<float>(n) - 0.5f;
  const float b = v / static_cast<float>(n) - 0.5f;
  if (flip) a = -a;
  const float c = std::cos(angle), s = std::sin(angle);
  x = cx + size * (c * a - s * b);
  y = cy + size * (s * a + c * b);
}

void crop_to_tensor(const Image& image, const Roi& roi, int n, float scale, float offset,
                    std::span<float> out) {
  // The affine map from crop pixel centres to image coordinates, as OpenCV's inverse map.
  const double c = std::cos(roi.angle), s = std::sin(roi.angle), k = roi.size / n;
  const double fx = roi.flip ? -1.0 : 1.0;
  // x = cx + k*(c*fx*(u + 0.5 - n/2) - s*(v + 0.5 - n/2)) - 0.5 (pixel centres)
  cv::Matx23d m(k * c * fx, -k * s, 0, k * s * fx, k * c, 0);
  const double hu = 0.5 - n / 2.0;
  m(0, 2) = roi.cx + k * (c * fx * hu - s * hu) - 0.5;
  m(1, 2) = roi.cy + k * (s * fx * hu + c * hu) - 0.5;
  const cv::Mat src(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  cv::Mat dst;
  cv::warpAffine(src, dst, m, cv::Size(n, n), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_CONSTANT, cv::Scalar(0, 0, 0));
  float* o = out.data();
  for (int y = 0; y < n; ++y) {
    const uint8_t* row = dst.ptr<uint8_t>(y);
    for (int i = 0; i < n * 3; ++i) *o++ = row[i] * scale + offset;
  }
}

}  // namespace semblend::vision
