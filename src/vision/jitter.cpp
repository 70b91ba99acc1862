// detect_jittered (landmarker.h): the landmarker's placement error, sampled on shifted, scaled
// and rotated copies of one image.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <opencv2/imgproc.hpp>
#include <stdexcept>
#include <string>

#include "semblend/landmarker.h"

namespace semblend {
namespace {

// A uniform value in [-1, 1] from (seed, copy, which): splitmix64, so the copies do not depend on
// the standard library's distributions.
float unit(std::uint64_t seed, int copy, int which) {
  std::uint64_t z = seed * 0x9E3779B97F4A7C15ull + std::uint64_t(copy) * 0xBF58476D1CE4E5B9ull +
                    std::uint64_t(which) * 0x94D049BB133111EBull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return float(double(z >> 11) / double(1ull << 53) * 2.0 - 1.0);
}

void centre_of(const std::array<Point3, kLandmarkCount>& p, float& x, float& y) {
  double sx = 0, sy = 0;
  for (const Point3& q : p) {
    sx += q.x;
    sy += q.y;
  }
  x = float(sx / p.size());
  y = float(sy / p.size());
}

void check(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("detect_jittered: " + what);
}

}  // namespace

std::vector<std::array<Point3, kLandmarkCount>> detect_jittered(FaceLandmarker& landmarker,
                                                                const Image& image,
                                                                const FaceLandmarks& reference,
                                                                const JitterOptions& o) {
  check(o.copies >= 0 && o.copies <= kMaxJitterCopies,
        "copies must be 0.." + std::to_string(kMaxJitterCopies));
  check(o.shift >= 0 && o.shift <= 0.2f, "shift must lie in [0, 0.2]");
  check(o.scale >= 0 && o.scale <= 0.3f, "scale must lie in [0, 0.3]");
  check(o.rotate_deg >= 0 && o.rotate_deg <= 20, "rotate_deg must lie in [0, 20]");
  check(o.context == 0 || (o.context >= 2 && o.context <= 8), "context must be 0 or in [2, 8]");
  check(image.valid(), "invalid image");
  std::vector<std::array<Point3, kLandmarkCount>> out;
  float cx = 0, cy = 0;
  centre_of(reference.points, cx, cy);
  const float size = std::max(reference.box[2], reference.box[3]);
  if (!(size > 0)) return out;
  const cv::Mat src(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  int x0 = 0, y0 = 0, w = image.width, h = image.height;
  if (o.context > 0) {
    const float half = 0.5f * o.context * size;
    x0 = std::clamp(int(std::floor(cx - half)), 0, image.width - 1);
    y0 = std::clamp(int(std::floor(cy - half)), 0, image.height - 1);
    w = std::clamp(int(std::ceil(cx + half)), x0 + 1, image.width) - x0;
    h = std::clamp(int(std::ceil(cy + half)), y0 + 1, image.height) - y0;
  }
  for (int c = 0; c < o.copies; ++c) {
    const double s = 1.0 + o.scale * unit(o.seed, c, 0);
    const double a = o.rotate_deg * unit(o.seed, c, 1) * std::numbers::pi / 180;
    const double tx = o.shift * size * unit(o.seed, c, 2);
    const double ty = o.shift * size * unit(o.seed, c, 3);
    // Copy pixel = s R (p - centre) + centre + t.
    const double cr = std::cos(a), sr = std::sin(a), ca = cr * s, sa = sr * s;
    // The copy holds the image's rectangle [x0, x0 + w) × [y0, y0 + h): all of it, or the
    // context square around the face clipped to the image.
    const cv::Matx23d m(ca, -sa, cx + tx - (ca * cx - sa * cy) - x0, sa, ca,
                        cy + ty - (sa * cx + ca * cy) - y0);
    Image copy;
    copy.width = w;
    copy.height = h;
    copy.rgb.resize(std::size_t(w) * std::size_t(h) * 3);
    cv::Mat dst(h, w, CV_8UC3, copy.rgb.data());
    cv::warpAffine(src, dst, m, dst.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    landmarker.reset();
    const std::vector<FaceLandmarks> faces = landmarker.detect(copy);
    // Back to the image: p = Rᵀ (p' - centre - t) / s + centre.
    const double inv = 1.0 / s;
    float best = std::numeric_limits<float>::max();
    std::array<Point3, kLandmarkCount> chosen{};
    for (const FaceLandmarks& f : faces) {
      std::array<Point3, kLandmarkCount> back;
      for (std::size_t i = 0; i < kLandmarkCount; ++i) {
        const double dx = f.points[i].x + x0 - cx - tx, dy = f.points[i].y + y0 - cy - ty;
        back[i].x = float(cx + inv * (cr * dx + sr * dy));
        back[i].y = float(cy + inv * (-sr * dx + cr * dy));
        back[i].z = float(f.points[i].z * inv);
      }
      float fx = 0, fy = 0;
      centre_of(back, fx, fy);
      const float d = std::hypot(fx - cx, fy - cy);
      if (d < best) {
        best = d;
        chosen = back;
      }
    }
    if (best <= 0.25f * size) out.push_back(chosen);
  }
  landmarker.reset();
  return out;
}

}  // namespace semblend
