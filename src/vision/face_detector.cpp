#include "vision/face_detector.h"

#include <algorithm>
#include <cmath>

namespace semblend::vision {
namespace {

float sigmoid(float x) {
  return 1.0f / (1.0f + std::exp(-std::clamp(x, -100.0f, 100.0f)));
}

}  // namespace

float box_iou(const Detection& a, const Detection& b) {
  const float x0 = std::max(a.x, b.x), y0 = std::max(a.y, b.y);
  const float x1 = std::min(a.x + a.w, b.x + b.w), y1 = std::min(a.y + a.h, b.y + b.h);
  const float inter = std::max(0.0f, x1 - x0) * std::max(0.0f, y1 - y0);
  const float uni = a.w * a.h + b.w * b.h - inter;
  return uni > 0 ? inter / uni : 0;
}

FaceDetector::FaceDetector(Model model, float min_score)
    : model_(std::move(model)), min_score_(min_score) {
  size_ = static_cast<int>(model_.input_shape()[1]);
  // MediaPipe's SSD anchors for BlazeFace: a 16×16 grid with 2 anchors per cell, then an 8×8 grid
  // with 6 (the input 128 uses strides 8 and 16; the 256 back model strides 16 and 32); fixed
  // anchor size, centres at cell centres.
  for (const auto& [grid, per_cell] : {std::pair{16, 2}, std::pair{8, 6}})
    for (int y = 0; y < grid; ++y)
      for (int x = 0; x < grid; ++x)
        for (int k = 0; k < per_cell; ++k)
          anchors_.push_back({(x + 0.5f) / grid, (y + 0.5f) / grid});
  // Outputs: scores of the two grids, then their regressors (16 values per anchor).
  if (model_.output_shapes().size() != 4 || model_.output_shapes()[2].back() != 16)
    throw InputError(model_.path(), 0, 0,
                     "not a BlazeFace model (expected 4 outputs: 2 score, 2 box tensors)");
}

std::vector<Detection> FaceDetector::detect(const Image& image, const Roi& roi) {
  crop_to_tensor(image, roi, size_, 2.0f / 255.0f, -1.0f, model_.input());
  model_.invoke();
  std::vector<Detection> out;
  const float scale = static_cast<float>(size_);
  std::size_t anchor = 0;
  for (int grid = 0; grid < 2; ++grid) {
    const auto scores = model_.output(static_cast<std::size_t>(grid));
    const auto boxes = model_.output(static_cast<std::size_t>(grid) + 2);
    for (std::size_t i = 0; i < scores.size(); ++i, ++anchor) {
      const float score = sigmoid(scores[i]);
      if (score < min_score_) continue;
      const float* r = boxes.data() + 16 * i;
      const auto& a = anchors_[anchor];
      // Normalised to the crop: centre, size, keypoints; then into image pixels.
      const float cxn = r[0] / scale + a[0], cyn = r[1] / scale + a[1];
      const float wn = r[2] / scale, hn = r[3] / scale;
      Detection d;
      d.score = score;
      float x0, y0, x1, y1;
      roi.to_image((cxn - wn / 2) * scale, (cyn - hn / 2) * scale, size_, x0, y0);
      roi.to_image((cxn + wn / 2) * scale, (cyn + hn / 2) * scale, size_, x1, y1);
      d.x = std::min(x0, x1), d.y = std::min(y0, y1), d.w = std::abs(x1 - x0),
      d.h = std::abs(y1 - y0);
      for (int k = 0; k < 6; ++k)
        roi.to_image((r[4 + 2 * k] / scale + a[0]) * scale, (r[5 + 2 * k] / scale + a[1]) * scale,
                     size_, d.keypoints[2 * k], d.keypoints[2 * k + 1]);
      out.push_back(d);
    }
  }
  return out;
}

std::vector<Detection> weighted_nms(std::vector<Detection> detections, float iou_threshold) {
  std::sort(detections.begin(), detections.end(),
            [](const Detection& a, const Detection& b) { return a.score > b.score; });
  std::vector<Detection> kept;
  std::vector<bool> used(detections.size(), false);
  for (std::size_t i = 0; i < detections.size(); ++i) {
    if (used[i]) continue;
    Detection sum{};
    float weight = 0;
    for (std::size_t j = i; j < detections.size(); ++j) {
      if (used[j] || box_iou(detections[i], detections[j]) <= iou_threshold) continue;
      used[j] = true;
      const Detection& d = detections[j];
      weight += d.score;
      sum.x += d.score * d.x, sum.y += d.score * d.y, sum.w += d.score * d.w,
          sum.h += d.score * d.h;
      for (std::size_t k = 0; k < 12; ++k) sum.keypoints[k] += d.score * d.keypoints[k];
    }
    sum.x /= weight, sum.y /= weight, sum.w /= weight, sum.h /= weight;
    for (float& k : sum.keypoints) k /= weight;
    sum.score = detections[i].score;
    kept.push_back(sum);
  }
  return kept;
}

}  // namespace semblend::vision
