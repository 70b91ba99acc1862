// Face identities across video frames (face_identity.h): greedy association on predicted boxes.
#include "semblend/face_identity.h"

#include <algorithm>
#include <cmath>
#include <tuple>

namespace semblend {

FaceBox face_box(const FaceLandmarks& face) {
  float x0 = face.points[0].x, x1 = x0, y0 = face.points[0].y, y1 = y0;
  for (const Point3& p : face.points) {
    x0 = std::min(x0, p.x), x1 = std::max(x1, p.x);
    y0 = std::min(y0, p.y), y1 = std::max(y1, p.y);
  }
  return {x0, y0, x1 - x0, y1 - y0};
}

FaceIdentityTracker::FaceIdentityTracker(const FaceIdentityOptions& options) : options_(options) {}

std::vector<int> FaceIdentityTracker::assign(const std::vector<FaceBox>& boxes) {
  // Candidate pairs (cost, track, box) under the threshold.
  std::vector<std::tuple<float, std::size_t, std::size_t>> pairs;
  for (std::size_t t = 0; t < tracks_.size(); ++t) {
    const Track& tr = tracks_[t];
    const float steps = float(tr.missed + 1);
    const float size = std::max(tr.box.width, tr.box.height);
    const float cx = tr.box.x + tr.box.width / 2 + tr.vx * steps;
    const float cy = tr.box.y + tr.box.height / 2 + tr.vy * steps;
    for (std::size_t b = 0; b < boxes.size(); ++b) {
      const FaceBox& bx = boxes[b];
      const float bsize = std::max(bx.width, bx.height);
      if (!(bsize > 0) || !(size > 0)) continue;
      const float dx = bx.x + bx.width / 2 - cx, dy = bx.y + bx.height / 2 - cy;
      const float cost = std::sqrt(dx * dx + dy * dy) / size + std::fabs(std::log(bsize / size));
      if (cost < options_.max_cost) pairs.emplace_back(cost, t, b);
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::vector<int> ids(boxes.size(), -1);
  std::vector<bool> track_used(tracks_.size(), false);
  for (const auto& [cost, t, b] : pairs) {
    if (track_used[t] || ids[b] >= 0) continue;
    track_used[t] = true;
    Track& tr = tracks_[t];
    const FaceBox& bx = boxes[b];
    const float steps = float(tr.missed + 1);
    const float vx = (bx.x + bx.width / 2 - tr.box.x - tr.box.width / 2) / steps;
    const float vy = (bx.y + bx.height / 2 - tr.box.y - tr.box.height / 2) / steps;
    tr.vx = 0.5f * tr.vx + 0.5f * vx;  // smoothed: landmark jitter must not fling the prediction
    tr.vy = 0.5f * tr.vy + 0.5f * vy;
    tr.box = bx;
    tr.missed = 0;
    ids[b] = tr.id;
  }
  for (std::size_t t = 0; t < tracks_.size(); ++t)
    if (!track_used[t]) ++tracks_[t].missed;
  std::erase_if(tracks_, [&](const Track& tr) { return tr.missed > options_.max_missed; });
  for (std::size_t b = 0; b < boxes.size(); ++b) {
    if (ids[b] >= 0) continue;
    ids[b] = next_id_++;
    Track tr;
    tr.id = ids[b];
    tr.box = boxes[b];
    tracks_.push_back(tr);
  }
  return ids;
}

}  // namespace semblend
