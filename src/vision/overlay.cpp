// draw_landmarks: the evidence picture — mesh, contours, irises and head-pose axes on the image.
#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "semblend/landmarker.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

cv::Point2f at(const FaceLandmarks& f, std::size_t i) {
  return {f.points[i].x - 0.5f, f.points[i].y - 0.5f};  // continuous -> OpenCV pixel coordinates
}

void draw_set(cv::Mat& m, const FaceLandmarks& f, FaceMeshSet set, const cv::Scalar& colour,
              int thickness) {
  for (const LandmarkEdge& e : face_mesh_edges(set))
    cv::line(m, at(f, e.a), at(f, e.b), colour, thickness, cv::LINE_AA);
}

}  // namespace

Image draw_landmarks(const Image& image, const std::vector<FaceLandmarks>& faces) {
  Image out = image;
  cv::Mat m(out.height, out.width, CV_8UC3, out.rgb.data());
  for (const FaceLandmarks& f : faces) {
    const float face = std::max(f.box[2], 1.0f);
    const int thin = std::max(1, static_cast<int>(face / 400));
    // The tesselation, faint: blend a drawn copy back in.
    cv::Mat mesh = m.clone();
    draw_set(mesh, f, FaceMeshSet::Tesselation, cv::Scalar(200, 200, 200), thin);
    cv::addWeighted(mesh, 0.45, m, 0.55, 0, m);
    const cv::Scalar features(0, 230, 120), oval(240, 200, 0);
    for (FaceMeshSet s : {FaceMeshSet::LeftEye, FaceMeshSet::RightEye, FaceMeshSet::LeftEyebrow,
                          FaceMeshSet::RightEyebrow, FaceMeshSet::Lips})
      draw_set(m, f, s, features, thin + 1);
    draw_set(m, f, FaceMeshSet::FaceOval, oval, thin + 1);
    // Irises: a circle through the four rim points around each centre.
    for (std::size_t centre : {std::size_t{468}, std::size_t{473}}) {
      float r = 0;
      for (std::size_t k = 1; k < 5; ++k) r += cv::norm(at(f, centre + k) - at(f, centre));
      cv::circle(m, at(f, centre), std::max(1, static_cast<int>(std::lround(r / 4))),
                 cv::Scalar(255, 60, 60), thin + 1, cv::LINE_AA);
      cv::circle(m, at(f, centre), thin + 1, cv::Scalar(255, 60, 60), -1, cv::LINE_AA);
    }
    // Head-pose axes at the nose tip: x (subject's left) red, y (up) green, z (out of the face)
    // blue; the transform is in camera axes (y up, z toward the camera), the image has y down.
    const cv::Point2f nose = at(f, 1);
    const float len = face * 0.35f;
    const cv::Scalar colours[3] = {cv::Scalar(255, 40, 40), cv::Scalar(40, 255, 40),
                                   cv::Scalar(60, 120, 255)};
    for (int c = 0; c < 3; ++c) {
      const float dx = f.transform[static_cast<std::size_t>(c)],
                  dy = -f.transform[static_cast<std::size_t>(4 + c)];
      cv::arrowedLine(m, nose, nose + cv::Point2f(dx, dy) * len, colours[c], thin + 2, cv::LINE_AA,
                      0, 0.15);
    }
  }
  return out;
}

}  // namespace semblend
