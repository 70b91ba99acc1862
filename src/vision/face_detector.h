// Internal: BlazeFace detection — SSD anchors, box decoding, weighted non-maximum suppression.
#pragma once

#include <array>
#include <vector>

#include "semblend/engine.h"
#include "semblend/image.h"
#include "vision/crop.h"

namespace semblend::vision {

struct Detection {
  float score = 0;
  float x = 0, y = 0, w = 0, h = 0;  // box, image pixels (top-left, size)
  std::array<float, 12>
      keypoints{};  // 6 (x, y): right eye, left eye, nose, mouth, right ear, left ear
};

// One BlazeFace model (front 128 or back 256) with its anchors.
class FaceDetector {
 public:
  FaceDetector(Model model, float min_score);
  // Detections inside `roi` of `image` (a square crop, usually the letterboxed whole image).
  std::vector<Detection> detect(const Image& image, const Roi& roi);

 private:
  Model model_;
  int size_;
  float min_score_;
  std::vector<std::array<float, 2>> anchors_;  // centres, normalised to the input
};

// Intersection over union of two detections' boxes (0 when either is empty).
float box_iou(const Detection& a, const Detection& b);

// MediaPipe's weighted NMS: overlapping detections (IoU > threshold) are averaged by score.
std::vector<Detection> weighted_nms(std::vector<Detection> detections, float iou_threshold = 0.3f);

}  // namespace semblend::vision
