// Synthetic landmarks with exact ground truth (synth.h).
#include "semblend/synth.h"

#include <Eigen/Geometry>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "semblend/face_model.h"
#include "semblend/render.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

// splitmix64: own arithmetic, so a seed gives the same stream on every platform.
struct Stream {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }  // [0, 1)
  double symmetric() { return 2 * uniform() - 1; }                                // [-1, 1)
  double gaussian() {                                                             // Box-Muller
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * kPi * v);
  }
};

Eigen::Matrix3f rotation_of(const HeadPose& h) {
  const auto q = head_rotation_quaternion(h);
  return Eigen::Quaternionf(float(q[3]), float(q[0]), float(q[1]), float(q[2])).toRotationMatrix();
}

float face_height_cm(const Rig& rig) {
  float lo = 1e9f, hi = -1e9f;
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    lo = std::min(lo, rig.neutral[i].y);
    hi = std::max(hi, rig.neutral[i].y);
  }
  return hi - lo;
}

void check_range(float lo, float hi, float min, float max, const char* what) {
  if (!(lo >= min && hi <= max && lo <= hi))
    throw std::invalid_argument(std::string("synthetic data: ") + what + " range [" +
                                std::to_string(lo) + ", " + std::to_string(hi) + "] must lie in [" +
                                std::to_string(min) + ", " + std::to_string(max) + "]");
}

}  // namespace

std::array<Point3, kLandmarkCount> project_landmarks(const std::array<Point3, kLandmarkCount>& face,
                                                     const HeadPose& head, float focal_px,
                                                     float distance_cm, int width, int height) {
  const Eigen::Matrix3f R = rotation_of(head);
  std::array<Point3, kLandmarkCount> out{};
  std::array<float, kLandmarkCount> depth{};
  double mean_depth = 0;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const Eigen::Vector3f c = R * Eigen::Vector3f(face[i].x, face[i].y, face[i].z);
    depth[i] = distance_cm - c.z();
    if (!(depth[i] > 1.0f))
      throw std::invalid_argument("synthetic data: the camera is inside the head");
    out[i].x = 0.5f * float(width) + focal_px * c.x() / depth[i];
    out[i].y = 0.5f * float(height) - focal_px * c.y() / depth[i];
    if (i < kFaceMeshLandmarks) mean_depth += depth[i];
  }
  mean_depth /= double(kFaceMeshLandmarks);
  const float px_per_cm = focal_px / distance_cm;
  for (std::size_t i = 0; i < kLandmarkCount; ++i)
    out[i].z = (depth[i] - float(mean_depth)) * px_per_cm;
  return out;
}

SynthGenerator SynthGenerator::create(const SynthOptions& o, const LandmarkNoise& noise) {
  if (o.identities < 1 || o.identities > 100000)
    throw std::invalid_argument("synthetic data: identities must be 1..100000");
  check_range(0, o.max_yaw_deg, 0, 90, "yaw");
  check_range(0, o.max_pitch_deg, 0, 90, "pitch");
  check_range(0, o.max_roll_deg, 0, 90, "roll");
  check_range(o.fov_min_deg, o.fov_max_deg, 5, 100, "field of view");
  check_range(o.fill_min, o.fill_max, 0.1f, 1.0f, "face fill");
  if (o.image_size < 64 || o.image_size > 8192)
    throw std::invalid_argument("synthetic data: image size must be 64..8192 pixels");
  if (!(o.noise_scale >= 0 && o.noise_scale <= 10))
    throw std::invalid_argument("synthetic data: noise scale must be 0..10");
  SynthGenerator g;
  g.options_ = o;
  g.noise_ = noise;
  auto rigs = std::make_shared<std::vector<Rig>>();
  rigs->reserve(std::size_t(o.identities));
  for (int k = 0; k < o.identities; ++k)
    rigs->push_back(build_rig(sample_identity(o.seed * 1000003ull + std::uint64_t(k))));
  g.rigs_ = std::move(rigs);
  ExpressionSamplerOptions eo = o.expressions;
  eo.seed = o.seed * 0x2545F4914F6CDD1Dull + 17;
  g.sampler_ = std::make_shared<const ExpressionSampler>(
      ExpressionSampler::create(default_expression_prior(), eo));
  return g;
}

SynthSample SynthGenerator::sample(std::uint64_t index) const {
  const SynthOptions& o = options_;
  Stream rng{o.seed * 0xD1B54A32D192ED03ull ^
             (index * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull)};
  const Rig& rig = (*rigs_)[std::size_t(index % std::uint64_t(o.identities))];
  SynthSample s;
  s.index = index;
  s.coefficients = sampler_->at(index).coefficients;
  const float deg = float(kPi) / 180.0f;
  s.head.yaw = float(rng.symmetric()) * o.max_yaw_deg * deg;
  s.head.pitch = float(rng.symmetric()) * o.max_pitch_deg * deg;
  s.head.roll = float(rng.symmetric()) * o.max_roll_deg * deg;
  const float fov = (o.fov_min_deg + float(rng.uniform()) * (o.fov_max_deg - o.fov_min_deg)) * deg;
  const float fill = o.fill_min + float(rng.uniform()) * (o.fill_max - o.fill_min);
  const float tan_half = std::tan(fov / 2);
  s.width = s.height = o.image_size;
  s.focal_px = 0.5f * float(o.image_size) / tan_half;
  const float distance = face_height_cm(rig) / fill / (2 * tan_half);
  // A small offset of the face from the image centre (the landmarker's crops are not centred).
  const float shift_x = float(rng.symmetric()) * 0.1f * float(o.image_size);
  const float shift_y = float(rng.symmetric()) * 0.1f * float(o.image_size);

  const std::vector<Point3> posed = pose_rig(rig, s.coefficients);
  std::array<Point3, kLandmarkCount> face{};
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    Point3 p = posed[i];
    const Point3 &b = noise_.bias[i], &j = noise_.jitter[i];
    const float k = o.noise_scale;
    const float bb = o.bias ? 1.0f : 0.0f;
    p.x += bb * b.x + k * j.x * float(rng.gaussian());
    p.y += bb * b.y + k * j.y * float(rng.gaussian());
    p.z += bb * b.z + k * j.z * float(rng.gaussian());
    face[i] = p;
  }
  s.landmarks = project_landmarks(face, s.head, s.focal_px, distance, s.width, s.height);
  for (Point3& p : s.landmarks) {
    p.x += shift_x;
    p.y += shift_y;
  }
  return s;
}

// ---- The noise model ---------------------------------------------------------------------------

LandmarkNoise measure_landmark_noise(FaceLandmarker& landmarker, const NoiseMeasureOptions& o) {
  if (o.samples < 2) throw std::invalid_argument("noise measurement needs at least two samples");
  if (o.size < 128 || o.size > 1024)
    throw std::invalid_argument("noise measurement: size must be 128..1024 pixels");
  ExpressionSamplerOptions eo;
  eo.seed = o.seed;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
  const float deg = float(kPi) / 180.0f;
  std::array<std::array<double, 3>, kLandmarkCount> sum{}, sum2{};
  int n = 0;
  static constexpr std::string_view kTones[] = {"light", "fair",  "medium", "olive",
                                                "tan",   "brown", "dark"};
  for (int i = 0; i < o.samples; ++i) {
    Stream rng{o.seed * 0x9E3779B97F4A7C15ull + std::uint64_t(i) * 0xBF58476D1CE4E5B9ull};
    FaceFrame frame;
    frame.coefficients = sampler.at(std::uint64_t(i)).coefficients;
    frame.head.yaw = float(rng.symmetric()) * o.max_yaw_deg * deg;
    frame.head.pitch = float(rng.symmetric()) * o.max_pitch_deg * deg;
    frame.head.roll = float(rng.symmetric()) * o.max_roll_deg * deg;
    const Rig rig = build_rig(sample_identity(o.seed * 7919ull + std::uint64_t(i)));
    RenderOptions ro;
    ro.width = ro.height = o.size;
    ro.skin = skin_tone(kTones[rng.next() % std::size(kTones)]);
    const RenderResult r = render_face(rig, frame, ro);
    landmarker.reset();
    const auto faces = landmarker.detect(r.image);
    if (faces.empty()) continue;
    const auto& d = faces[0].points;
    double dz = 0, tz = 0;
    for (std::size_t k = 0; k < kFaceMeshLandmarks; ++k) {
      dz += d[k].z;
      tz += r.landmarks[k].z;
    }
    dz /= double(kFaceMeshLandmarks);
    tz /= double(kFaceMeshLandmarks);
    // Residual in camera axes (x right, y up, z toward the camera), cm, then into the face frame.
    const Eigen::Matrix3f Rt = rotation_of(frame.head).transpose();
    std::array<Eigen::Vector3f, kLandmarkCount> res;
    Eigen::Vector3f mean = Eigen::Vector3f::Zero();
    for (std::size_t k = 0; k < kLandmarkCount; ++k) {
      const float ex = d[k].x - r.landmarks[k].x, ey = d[k].y - r.landmarks[k].y;
      const float ez = float(d[k].z - dz) - float(r.landmarks[k].z - tz) * r.pixels_per_cm;
      res[k] = Rt * (Eigen::Vector3f(ex, -ey, -ez) / r.pixels_per_cm);
      mean += res[k];
    }
    mean /= float(kLandmarkCount);
    for (std::size_t k = 0; k < kLandmarkCount; ++k)
      for (int a = 0; a < 3; ++a) {
        const double v = res[k][a] - mean[a];
        sum[k][std::size_t(a)] += v;
        sum2[k][std::size_t(a)] += v * v;
      }
    ++n;
  }
  if (n < 2) throw std::runtime_error("noise measurement: the landmarker found fewer than 2 faces");
  LandmarkNoise out;
  out.samples = n;
  for (std::size_t k = 0; k < kLandmarkCount; ++k) {
    float b[3], j[3];
    for (std::size_t a = 0; a < 3; ++a) {
      const double m = sum[k][a] / n;
      b[a] = float(m);
      j[a] = float(std::sqrt(std::max(0.0, sum2[k][a] / n - m * m)));
    }
    out.bias[k] = {b[0], b[1], b[2]};
    out.jitter[k] = {j[0], j[1], j[2]};
  }
  return out;
}

std::string landmark_noise_csv(const LandmarkNoise& noise) {
  std::ostringstream s;
  s.setf(std::ios::fixed);
  s.precision(4);
  s << "# samples " << noise.samples << "\n";
  s << "index,bias_x,bias_y,bias_z,jitter_x,jitter_y,jitter_z\n";
  for (std::size_t k = 0; k < kLandmarkCount; ++k) {
    const Point3 &b = noise.bias[k], &j = noise.jitter[k];
    s << k << ',' << b.x << ',' << b.y << ',' << b.z << ',' << j.x << ',' << j.y << ',' << j.z
      << '\n';
  }
  return s.str();
}

LandmarkNoise parse_landmark_noise_csv(const std::string& text, const std::string& name) {
  LandmarkNoise out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::size_t rows = 0;
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(name + " line " + std::to_string(line_no) + ": " + why);
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    if (line.rfind("# samples ", 0) == 0) {
      out.samples = std::atoi(line.c_str() + 10);
      continue;
    }
    if (line[0] == '#' || line.rfind("index", 0) == 0) continue;
    std::istringstream row(line);
    std::string cell;
    std::vector<float> v;
    while (std::getline(row, cell, ',')) {
      try {
        v.push_back(std::stof(cell));
      } catch (const std::exception&) {
        fail("'" + cell + "' is not a number");
      }
    }
    if (v.size() != 7) fail("expected 7 values, got " + std::to_string(v.size()));
    if (v[0] != float(rows)) fail("expected index " + std::to_string(rows));
    for (float x : v)
      if (!std::isfinite(x)) fail("non-finite value");
    if (v[4] < 0 || v[5] < 0 || v[6] < 0) fail("negative jitter");
    out.bias[rows] = {v[1], v[2], v[3]};
    out.jitter[rows] = {v[4], v[5], v[6]};
    if (++rows > kLandmarkCount) fail("more than 478 rows");
  }
  if (rows != kLandmarkCount)
    throw std::invalid_argument(name + ": expected 478 landmark rows, got " + std::to_string(rows));
  return out;
}

}  // namespace semblend
