// The landmark structure of a face (rig_internal.h), read from MediaPipe's topology sets.
#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>
#include <stdexcept>

#include "rig/rig_internal.h"
#include "semblend/topology.h"

namespace semblend::rig_detail {
namespace {

// The closed loops of an edge set, each as an ordered vertex list.
std::vector<std::vector<int>> loops_of(FaceMeshSet set) {
  std::vector<std::vector<int>> adj(kLandmarkCount);
  for (const LandmarkEdge& e : face_mesh_edges(set)) {
    adj[e.a].push_back(e.b);
    adj[e.b].push_back(e.a);
  }
  std::vector<std::vector<int>> loops;
  std::vector<bool> seen(kLandmarkCount, false);
  for (int start = 0; start < static_cast<int>(kLandmarkCount); ++start) {
    if (adj[start].empty() || seen[start]) continue;
    std::vector<int> loop{start};
    seen[start] = true;
    int prev = -1, cur = start;
    for (;;) {
      int next = -1;
      for (int n : adj[cur])
        if (n != prev && !(n == start && loop.size() < 3)) {
          next = n;
          break;
        }
      if (next < 0 || next == start) break;
      if (seen[next]) throw std::logic_error("face mesh set is not a set of simple loops");
      seen[next] = true;
      loop.push_back(next);
      prev = cur;
      cur = next;
    }
    loops.push_back(std::move(loop));
  }
  return loops;
}

// Splits a closed loop at its two x-extreme points into the chain above and the chain below,
// each running from `from_corner` to `to_corner`.
void split_loop(const std::vector<V3>& lm, const std::vector<int>& loop, int from_corner,
                int to_corner, std::vector<int>& above, std::vector<int>& below) {
  const auto n = loop.size();
  const auto a =
      static_cast<std::size_t>(std::find(loop.begin(), loop.end(), from_corner) - loop.begin());
  std::vector<int> fwd{from_corner}, bwd{from_corner};
  for (std::size_t k = 1; k < n; ++k) {
    fwd.push_back(loop[(a + k) % n]);
    if (fwd.back() == to_corner) break;
  }
  for (std::size_t k = 1; k < n; ++k) {
    bwd.push_back(loop[(a + n - k) % n]);
    if (bwd.back() == to_corner) break;
  }
  auto mean_y = [&](const std::vector<int>& c) {
    float s = 0;
    for (int i : c) s += lm[i].y();
    return s / float(c.size());
  };
  if (mean_y(fwd) > mean_y(bwd)) {
    above = fwd;
    below = bwd;
  } else {
    above = bwd;
    below = fwd;
  }
}

int extreme_x(const std::vector<V3>& lm, const std::vector<int>& loop, bool largest) {
  return *std::max_element(loop.begin(), loop.end(), [&](int a, int b) {
    return largest ? lm[a].x() < lm[b].x() : lm[a].x() > lm[b].x();
  });
}

// Piecewise-linear y of a chain (ordered by x) at x; clamped at the ends.
float chain_y(const std::vector<V3>& lm, const std::vector<int>& chain, float x) {
  std::vector<std::pair<float, float>> pts;
  for (int i : chain) pts.emplace_back(lm[i].x(), lm[i].y());
  std::sort(pts.begin(), pts.end());
  if (x <= pts.front().first) return pts.front().second;
  if (x >= pts.back().first) return pts.back().second;
  for (std::size_t k = 1; k < pts.size(); ++k)
    if (x <= pts[k].first) {
      const float t = (x - pts[k - 1].first) / std::max(1e-6f, pts[k].first - pts[k - 1].first);
      return pts[k - 1].second + t * (pts[k].second - pts[k - 1].second);
    }
  return pts.back().second;
}

}  // namespace

FaceFeatures face_features(const std::vector<V3>& lm) {
  if (lm.size() != kLandmarkCount) throw std::invalid_argument("face_features needs 478 landmarks");
  FaceFeatures f;
  f.lm = lm;

  // Eyes: each eye set is one closed loop; its x-extremes are the corners.
  for (int side = 0; side < 2; ++side) {
    const auto loops = loops_of(side == 0 ? FaceMeshSet::LeftEye : FaceMeshSet::RightEye);
    if (loops.size() != 1) throw std::logic_error("an eye set is not one loop");
    const bool left = side == 0;  // left eye at +x: outer corner is the largest x
    auto& e = f.eye[side];
    e.outer = extreme_x(lm, loops[0], left);
    e.inner = extreme_x(lm, loops[0], !left);
    split_loop(lm, loops[0], e.inner, e.outer, e.upper, e.lower);
  }

  // Lips: two loops, outer (wider) and inner.
  auto lips = loops_of(FaceMeshSet::Lips);
  if (lips.size() != 2) throw std::logic_error("the lips set is not two loops");
  auto width = [&](const std::vector<int>& l) {
    return lm[extreme_x(lm, l, true)].x() - lm[extreme_x(lm, l, false)].x();
  };
  if (width(lips[0]) < width(lips[1])) std::swap(lips[0], lips[1]);
  split_loop(lm, lips[0], extreme_x(lm, lips[0], false), extreme_x(lm, lips[0], true),
             f.outer_upper, f.outer_lower);
  split_loop(lm, lips[1], extreme_x(lm, lips[1], false), extreme_x(lm, lips[1], true),
             f.inner_upper, f.inner_lower);

  // Mesh adjacency.
  f.neighbours.assign(kFaceMeshLandmarks, {});
  for (const LandmarkEdge& e : face_mesh_edges(FaceMeshSet::Tesselation)) {
    auto& na = f.neighbours[e.a];
    if (std::find(na.begin(), na.end(), e.b) == na.end()) na.push_back(e.b);
    auto& nb = f.neighbours[e.b];
    if (std::find(nb.begin(), nb.end(), e.a) == nb.end()) nb.push_back(e.a);
  }

  // Lip region: everything reachable from the inner loop without crossing the outer loop.
  f.lip.assign(kLandmarkCount, LipPart::None);
  std::vector<bool> in_lips(kLandmarkCount, false);
  std::vector<int> queue;
  for (int i : lips[1]) {
    in_lips[i] = true;
    queue.push_back(i);
  }
  for (int i : lips[0]) in_lips[i] = true;  // the border: included, never expanded
  const std::set<int> outer(lips[0].begin(), lips[0].end());
  while (!queue.empty()) {
    const int v = queue.back();
    queue.pop_back();
    for (int n : f.neighbours[v])
      if (!in_lips[n]) {
        in_lips[n] = true;
        if (!outer.count(n)) queue.push_back(n);
      }
  }
  const std::set<int> corners{f.outer_upper.front(), f.outer_upper.back(), f.inner_upper.front(),
                              f.inner_upper.back()};
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    if (!in_lips[i]) continue;
    const int ii = static_cast<int>(i);
    f.lip[i] = corners.count(ii)                     ? LipPart::Corner
               : lm[i].y() > f.mouth_line(lm[i].x()) ? LipPart::Upper
                                                     : LipPart::Lower;
  }

  f.brow[0] = {};
  for (auto i : face_mesh_indices(FaceMeshSet::LeftEyebrow)) f.brow[0].push_back(i);
  for (auto i : face_mesh_indices(FaceMeshSet::RightEyebrow)) f.brow[1].push_back(i);
  const auto oval = loops_of(FaceMeshSet::FaceOval);
  if (oval.size() != 1) throw std::logic_error("the face oval is not one loop");
  f.face_oval = oval[0];
  return f;
}

float FaceFeatures::mouth_line(float x) const {
  return 0.5f * (chain_y(lm, inner_upper, x) + chain_y(lm, inner_lower, x));
}

V3 FaceFeatures::eye_center(int side) const {
  const auto& e = eye[side];
  return 0.5f * (lm[e.inner] + lm[e.outer]);
}

float FaceFeatures::mouth_half_width() const {
  return 0.5f * (lm[outer_upper.back()].x() - lm[outer_upper.front()].x());
}

V3 FaceFeatures::mouth_corner(int side) const {
  return lm[side == 0 ? outer_upper.back() : outer_upper.front()];
}

float FaceFeatures::jaw_weight(const V3& p, LipPart part) const {
  switch (part) {
    case LipPart::Upper:
      return 0;
    case LipPart::Lower:
      return 1;
    case LipPart::Corner:
      return 0.5f;
    case LipPart::None:
      break;
  }
  // The boundary follows the lip line between the corners and rises toward the jaw hinge beyond
  // them (the mandible's ramus runs up in front of the ear).
  const float xc = mouth_half_width();
  const float ax = std::abs(p.x());
  const float boundary = mouth_line(std::clamp(p.x(), -xc, xc)) + std::max(0.0f, ax - xc) * 0.85f;
  return ramp(boundary - p.y(), -0.6f, 0.9f);
}

V3 jaw_open_delta(const FaceFeatures& f, const V3& p) {
  // Rotation about the temporomandibular joints (in front of the ears, a little below eye level,
  // 8 cm behind the face) by 20 degrees, plus the condyles' forward glide that makes a wide-open
  // jaw drop the chin mostly down rather than back.
  const float eye_y = 0.5f * (f.lm[f.eye[0].outer].y() + f.lm[f.eye[1].outer].y());
  float back = 0;
  for (int i : f.face_oval) back = std::min(back, f.lm[i].z());
  const V3 hinge(0, eye_y - 2.8f, back - 1.5f);
  const float a = 20.0f * float(kPi) / 180.0f;
  const Eigen::AngleAxisf rot(a, V3::UnitX());
  const V3 glide(0, -0.4f, 1.8f);
  return rot * (p - hinge) + hinge + glide - p;
}

EyeGeometry eye_geometry(const FaceFeatures& f, int side) {
  const int iris_center = side == 0 ? 473 : 468;
  const int ring0 = side == 0 ? 474 : 469;
  EyeGeometry g;
  const V3 opening = f.eye_center(side);
  const V3 iris = f.lm[iris_center];
  float iris_r = 0;
  for (int k = 0; k < 4; ++k) iris_r += (f.lm[ring0 + k] - iris).norm() / 4;
  g.radii = V3(1.45f, 1.25f, 1.18f);
  g.center = V3(opening.x(), iris.y(), iris.z() - g.radii.z());
  g.iris_dir = ((iris - g.center).array() / g.radii.array()).matrix().normalized();
  g.iris_angle = std::asin(std::clamp(iris_r / g.radii.z(), 0.1f, 0.8f));
  g.pupil_angle = 0.4f * g.iris_angle;
  return g;
}

}  // namespace semblend::rig_detail
