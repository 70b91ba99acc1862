// Render-and-detect and shape responses (rig_eval.h).
#include "semblend/rig_eval.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>
#include <stdexcept>
#include <utility>

#include "semblend/expression_prior.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

// The rig's inter-ocular distance in cm (iris centres 468 and 473).
float iod_cm(const Rig& rig) {
  const Point3 &a = rig.neutral[468], &b = rig.neutral[473];
  return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

// Mean distance over the 468 mesh points, and over each region's points (pixels).
float mean_error_px(const FaceLandmarks& found, const RenderResult& truth,
                    std::array<float, kLandmarkRegionCount>& by_region) {
  const auto& regions = landmark_regions();
  std::array<double, kLandmarkRegionCount> sums{};
  std::array<int, kLandmarkRegionCount> counts{};
  double sum = 0;
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    const double e = std::hypot(found.points[i].x - truth.landmarks[i].x,
                                found.points[i].y - truth.landmarks[i].y);
    sum += e;
    sums[std::size_t(regions[i])] += e;
    ++counts[std::size_t(regions[i])];
  }
  for (std::size_t r = 0; r < kLandmarkRegionCount; ++r)
    by_region[r] = counts[r] > 0 ? float(sums[r] / counts[r]) : 0.0f;
  return float(sum / double(kFaceMeshLandmarks));
}

void check_size(int size) {
  if (size < 128 || size > 1024)
    throw std::invalid_argument("render size must be 128..1024 pixels");
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const double pos = q * double(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - double(lo)) * (v[hi] - v[lo]);
}

}  // namespace

std::string_view landmark_region_name(LandmarkRegion r) {
  switch (r) {
    case LandmarkRegion::FaceOval:
      return "face_oval";
    case LandmarkRegion::Eyebrows:
      return "eyebrows";
    case LandmarkRegion::Eyes:
      return "eyes";
    case LandmarkRegion::Lips:
      return "lips";
    case LandmarkRegion::Other:
      return "other";
  }
  return "?";
}

const std::array<LandmarkRegion, kFaceMeshLandmarks>& landmark_regions() {
  static const std::array<LandmarkRegion, kFaceMeshLandmarks> table = [] {
    std::array<LandmarkRegion, kFaceMeshLandmarks> t;
    t.fill(LandmarkRegion::Other);
    const std::pair<FaceMeshSet, LandmarkRegion> sets[] = {
        {FaceMeshSet::FaceOval, LandmarkRegion::FaceOval},
        {FaceMeshSet::LeftEyebrow, LandmarkRegion::Eyebrows},
        {FaceMeshSet::RightEyebrow, LandmarkRegion::Eyebrows},
        {FaceMeshSet::LeftEye, LandmarkRegion::Eyes},
        {FaceMeshSet::RightEye, LandmarkRegion::Eyes},
        {FaceMeshSet::Lips, LandmarkRegion::Lips}};
    // Later sets do not take a point an earlier one holds.
    for (auto it = std::rbegin(sets); it != std::rend(sets); ++it)
      for (std::uint16_t i : face_mesh_indices(it->first))
        if (i < kFaceMeshLandmarks) t[i] = it->second;
    return t;
  }();
  return table;
}

RenderDetectReport evaluate_render_detect(FaceLandmarker& landmarker,
                                          const RenderDetectOptions& o) {
  if (o.samples < 1) throw std::invalid_argument("render-and-detect needs at least one sample");
  check_size(o.size);
  for (float a : {o.max_yaw_deg, o.max_pitch_deg, o.max_roll_deg})
    if (!(a >= 0 && a <= 90))
      throw std::invalid_argument("pose ranges must lie in [0, 90] degrees");
  ExpressionSamplerOptions so;
  so.seed = o.seed;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), so);
  RenderDetectReport report;
  std::vector<double> errors;
  std::array<std::vector<double>, kLandmarkRegionCount> region_errors;
  const float deg = float(kPi) / 180.0f;
  for (int i = 0; i < o.samples; ++i) {
    const std::uint64_t index = std::uint64_t(i);
    // Pose from its own generator: sample i depends only on (seed, i).
    std::mt19937_64 gen(o.seed * 0x9E3779B97F4A7C15ull + index);
    auto uniform = [&] { return float(double(gen() >> 11) * (1.0 / 9007199254740992.0)) * 2 - 1; };
    RenderDetectSample s;
    s.index = index;
    s.yaw = uniform() * o.max_yaw_deg * deg;
    s.pitch = uniform() * o.max_pitch_deg * deg;
    s.roll = uniform() * o.max_roll_deg * deg;
    const Rig rig =
        o.identities ? build_rig(sample_identity(o.seed * 1000003ull + index)) : default_rig();
    FaceFrame frame;
    if (o.expressions) frame.coefficients = sampler.at(index).coefficients;
    frame.head.yaw = s.yaw;
    frame.head.pitch = s.pitch;
    frame.head.roll = s.roll;
    RenderOptions ro;
    ro.width = ro.height = o.size;
    const std::span<const std::string_view> tones = skin_tone_names();
    ro.skin = skin_tone(tones[gen() % tones.size()]);
    if (!o.textures.empty()) ro.face_texture = o.textures[i % o.textures.size()];
    const RenderResult r = render_face(rig, frame, ro);
    landmarker.reset();
    const auto faces = landmarker.detect(r.image);
    s.detected = !faces.empty();
    if (s.detected) {
      const float iod_px = iod_cm(rig) * r.pixels_per_cm;
      s.error_iod = mean_error_px(faces[0], r, s.region_error_iod) / iod_px;
      errors.push_back(s.error_iod);
      for (std::size_t k = 0; k < kLandmarkRegionCount; ++k) {
        s.region_error_iod[k] /= iod_px;
        region_errors[k].push_back(s.region_error_iod[k]);
      }
    }
    if (o.observe) o.observe(s, r, s.detected ? &faces[0] : nullptr);
    report.samples.push_back(s);
  }
  report.detection_rate = double(errors.size()) / double(o.samples);
  report.median_error_iod = quantile(errors, 0.5);
  report.p90_error_iod = quantile(errors, 0.9);
  report.max_error_iod = errors.empty() ? 0 : *std::max_element(errors.begin(), errors.end());
  for (std::size_t k = 0; k < kLandmarkRegionCount; ++k)
    report.region_median_error_iod[k] = quantile(region_errors[k], 0.5);
  return report;
}

std::vector<ShapeResponse> shape_responses(FaceLandmarker& landmarker, int size,
                                           const std::vector<float>& weights) {
  check_size(size);
  if (weights.empty()) throw std::invalid_argument("shape responses need at least one weight");
  const Rig& rig = default_rig();
  RenderOptions ro;
  ro.width = ro.height = size;
  auto detect = [&](const Image& img) -> std::optional<FaceLandmarks> {
    landmarker.reset();
    auto f = landmarker.detect(img);
    if (f.empty()) return std::nullopt;
    return f[0];
  };
  const RenderResult plain_neutral = render_face(rig, FaceFrame{}, ro);
  const auto plain_base = detect(plain_neutral.image);
  if (!plain_base) throw std::runtime_error("the landmarker finds no face in the neutral render");
  // mouthClose only acts with the jaw open (rig.h): measure it on top of jawOpen at 1.
  FaceFrame jaw_open;
  jaw_open.coefficients.set(Blendshape::JawOpen, 1);
  const RenderResult open_neutral = render_face(rig, jaw_open, ro);
  const auto open_base = detect(open_neutral.image);
  std::vector<ShapeResponse> out;
  for (std::size_t s = 0; s < kBlendshapeCount; ++s) {
    ShapeResponse resp;
    resp.shape = blendshape_at(s);
    resp.weights = weights;
    const bool on_open_jaw = resp.shape == Blendshape::MouthClose;
    const FaceFrame context = on_open_jaw ? jaw_open : FaceFrame{};
    const RenderResult& neutral = on_open_jaw ? open_neutral : plain_neutral;
    const auto& base = on_open_jaw ? open_base : plain_base;
    if (!base) throw std::runtime_error("the landmarker finds no face in the open-jaw render");
    FaceFrame full = context;
    full.coefficients.set_at(s, 1);
    const RenderResult at_one = render_face(rig, full, ro);
    std::vector<float> dr(2 * kLandmarkCount);
    double norm2 = 0;
    for (std::size_t i = 0; i < kLandmarkCount; ++i) {
      dr[2 * i] = at_one.landmarks[i].x - neutral.landmarks[i].x;
      dr[2 * i + 1] = at_one.landmarks[i].y - neutral.landmarks[i].y;
      norm2 += double(dr[2 * i]) * dr[2 * i] + double(dr[2 * i + 1]) * dr[2 * i + 1];
    }
    resp.rendered_motion_px = float(std::sqrt(norm2 / double(kLandmarkCount)));
    double sxy = 0, sxx = 0;
    for (float w : weights) {
      FaceFrame f = context;
      f.coefficients.set_at(s, w);
      const RenderResult r = w == 1.0f ? at_one : render_face(rig, f, ro);
      const auto found = detect(r.image);
      if (!found || norm2 <= 0) {
        resp.seen.push_back(std::nanf(""));
        continue;
      }
      double dot = 0;
      for (std::size_t i = 0; i < kLandmarkCount; ++i)
        dot += double(found->points[i].x - base->points[i].x) * dr[2 * i] +
               double(found->points[i].y - base->points[i].y) * dr[2 * i + 1];
      const float seen = float(dot / norm2);
      resp.seen.push_back(seen);
      sxy += double(w) * seen;
      sxx += double(w) * w;
    }
    resp.gain = sxx > 0 ? float(sxy / sxx) : 0.0f;
    out.push_back(std::move(resp));
  }
  return out;
}

std::string rig_eval_json(const RenderDetectReport& r,
                          const std::vector<ShapeResponse>& responses) {
  nlohmann::ordered_json j;
  auto& rd = j["render_detect"];
  rd["samples"] = r.samples.size();
  rd["detection_rate"] = r.detection_rate;
  rd["median_error_iod"] = r.median_error_iod;
  rd["p90_error_iod"] = r.p90_error_iod;
  rd["max_error_iod"] = r.max_error_iod;
  // {"face_oval": ..., "eyebrows": ..., ...}
  auto by_region = [](const auto& values) {
    nlohmann::ordered_json e;
    for (std::size_t k = 0; k < kLandmarkRegionCount; ++k)
      e[std::string(landmark_region_name(LandmarkRegion(k)))] = values[k];
    return e;
  };
  rd["median_error_iod_by_region"] = by_region(r.region_median_error_iod);
  auto& rows = rd["per_sample"];
  rows = nlohmann::ordered_json::array();
  for (const auto& s : r.samples)
    rows.push_back({{"index", s.index},
                    {"yaw_deg", s.yaw * 180 / kPi},
                    {"pitch_deg", s.pitch * 180 / kPi},
                    {"roll_deg", s.roll * 180 / kPi},
                    {"detected", s.detected},
                    {"error_iod", s.error_iod},
                    {"error_iod_by_region", by_region(s.region_error_iod)}});
  auto& sr = j["shape_responses"];
  sr = nlohmann::ordered_json::array();
  for (const auto& s : responses) {
    nlohmann::ordered_json seen = nlohmann::ordered_json::array();
    for (float v : s.seen)
      seen.push_back(std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json());
    sr.push_back({{"shape", info(s.shape).apple_name},
                  {"weights", s.weights},
                  {"seen", seen},
                  {"gain", s.gain},
                  {"rendered_motion_px", s.rendered_motion_px}});
  }
  return j.dump(2) + "\n";
}

}  // namespace semblend
