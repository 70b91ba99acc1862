// Synthetic landmarks with exact ground truth (synth.h).
#include "semblend/synth.h"

#include <Eigen/Geometry>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include "semblend/blendshape.h"
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
  auto ids = std::make_shared<std::vector<Identity>>();
  rigs->reserve(std::size_t(o.identities));
  ids->reserve(std::size_t(o.identities));
  for (int k = 0; k < o.identities; ++k) {
    const std::uint64_t id_seed = o.seed * 1000003ull + std::uint64_t(k);
    ids->push_back(o.stylised ? stylised_identity(id_seed) : sample_identity(id_seed));
    // Only the landmarks are posed: a whole rig is ~1.3 MB, and a training run holds thousands.
    rigs->push_back(landmark_rig(build_rig(ids->back())));
  }
  g.rigs_ = std::move(rigs);
  g.identities_ = std::move(ids);
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
  const std::size_t who = std::size_t(index % std::uint64_t(o.identities));
  const Rig& rig = (*rigs_)[who];
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
  const auto features = noise_features(s.coefficients, (*identities_)[who], s.head);
  std::array<Point3, kLandmarkCount> face{};
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    Point3 p = posed[i];
    const Point3 b = noise_.expected(i, features);
    const Point3& j = noise_.jitter[i];
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

std::array<float, kNoiseFeatureCount> noise_features(const Coefficients& c, const Identity& id,
                                                     const HeadPose& head) {
  std::array<float, kNoiseFeatureCount> f{};
  std::size_t n = 0;
  for (float v : c.values()) f[n++] = v;
  for (float v : identity_values(id)) f[n++] = v;
  f[n++] = head.yaw;
  f[n++] = head.pitch;
  f[n++] = head.roll;
  f[n++] = head.yaw * head.yaw;
  f[n++] = head.pitch * head.pitch;
  return f;
}

std::array<std::string, kNoiseFeatureCount> noise_feature_names() {
  std::array<std::string, kNoiseFeatureCount> names;
  std::size_t n = 0;
  for (const auto& b : kBlendshapes) names[n++] = std::string(b.apple_name);
  for (std::string_view v : identity_parameter_names()) names[n++] = std::string(v);
  for (const char* p : {"yaw", "pitch", "roll", "yaw2", "pitch2"}) names[n++] = p;
  return names;
}

Point3 LandmarkNoise::expected(std::size_t k,
                               const std::array<float, kNoiseFeatureCount>& features) const {
  float e[3] = {bias[k].x, bias[k].y, bias[k].z};
  for (std::size_t a = 0; a < 3; ++a) {
    const float* g = gain.data() + (3 * k + a) * kNoiseFeatureCount;
    for (std::size_t f = 0; f < kNoiseFeatureCount; ++f) e[a] += g[f] * features[f];
  }
  return {e[0], e[1], e[2]};
}

LandmarkNoise measure_landmark_noise(FaceLandmarker& landmarker, const NoiseMeasureOptions& o) {
  if (o.samples < 2 * int(kNoiseFeatureCount))
    throw std::invalid_argument("noise measurement needs at least " +
                                std::to_string(2 * kNoiseFeatureCount) + " samples");
  if (o.size < 128 || o.size > 1024)
    throw std::invalid_argument("noise measurement: size must be 128..1024 pixels");
  if (!(o.ridge >= 0)) throw std::invalid_argument("noise measurement: ridge must be >= 0");
  ExpressionSamplerOptions eo;
  eo.seed = o.seed;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
  const float deg = float(kPi) / 180.0f;
  constexpr std::size_t kOut = 3 * kLandmarkCount;
  std::vector<std::array<float, kNoiseFeatureCount>> features;
  std::vector<std::array<float, kOut>> errors;
  const std::span<const std::string_view> tones = skin_tone_names();
  for (int i = 0; i < o.samples; ++i) {
    Stream rng{o.seed * 0x9E3779B97F4A7C15ull + std::uint64_t(i) * 0xBF58476D1CE4E5B9ull};
    FaceFrame frame;
    frame.coefficients = sampler.at(std::uint64_t(i)).coefficients;
    frame.head.yaw = float(rng.symmetric()) * o.max_yaw_deg * deg;
    frame.head.pitch = float(rng.symmetric()) * o.max_pitch_deg * deg;
    frame.head.roll = float(rng.symmetric()) * o.max_roll_deg * deg;
    const Identity identity = sample_identity(o.seed * 7919ull + std::uint64_t(i));
    const Rig rig = build_rig(identity);
    RenderOptions ro;
    ro.width = ro.height = o.size;
    ro.skin = skin_tone(tones[rng.next() % tones.size()]);
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
    std::array<float, kOut> e{};
    for (std::size_t k = 0; k < kLandmarkCount; ++k)
      for (std::size_t a = 0; a < 3; ++a) e[3 * k + a] = res[k][int(a)] - mean[int(a)];
    errors.push_back(e);
    features.push_back(
        noise_features(frame.coefficients, identity, o.pose_gains ? frame.head : HeadPose{}));
  }
  const std::size_t n = errors.size();
  if (n < kNoiseFeatureCount + 2)
    throw std::runtime_error("noise measurement: the landmarker found only " + std::to_string(n) +
                             " faces, too few to fit the model");

  // Ridge least squares with an unpenalised intercept, on standardised features, over the rows
  // `use` selects. Returns the P × kOut coefficients (standardised).
  constexpr std::size_t P = kNoiseFeatureCount + 1;
  Eigen::VectorXd mu = Eigen::VectorXd::Zero(kNoiseFeatureCount),
                  sd = Eigen::VectorXd::Zero(kNoiseFeatureCount);
  for (const auto& f : features)
    for (std::size_t j = 0; j < kNoiseFeatureCount; ++j) mu[Eigen::Index(j)] += f[j];
  mu /= double(n);
  for (const auto& f : features)
    for (std::size_t j = 0; j < kNoiseFeatureCount; ++j)
      sd[Eigen::Index(j)] += (f[j] - mu[Eigen::Index(j)]) * (f[j] - mu[Eigen::Index(j)]);
  for (Eigen::Index j = 0; j < sd.size(); ++j) sd[j] = std::max(std::sqrt(sd[j] / double(n)), 1e-6);
  Eigen::MatrixXd X(n, P);
  Eigen::MatrixXd Y(n, kOut);
  for (std::size_t i = 0; i < n; ++i) {
    X(Eigen::Index(i), 0) = 1;
    for (std::size_t j = 0; j < kNoiseFeatureCount; ++j)
      X(Eigen::Index(i), Eigen::Index(j + 1)) =
          (features[i][j] - mu[Eigen::Index(j)]) / sd[Eigen::Index(j)];
    for (std::size_t c = 0; c < kOut; ++c) Y(Eigen::Index(i), Eigen::Index(c)) = errors[i][c];
  }
  auto fit = [&](const Eigen::MatrixXd& x, const Eigen::MatrixXd& y) {
    Eigen::MatrixXd A = x.transpose() * x;
    for (std::size_t j = 1; j < P; ++j)
      A(Eigen::Index(j), Eigen::Index(j)) += double(o.ridge) * double(x.rows());
    return Eigen::MatrixXd(A.ldlt().solve(x.transpose() * y));
  };
  // Held-out check: fit on 9 of every 10 renders, measure the residual on the tenth.
  std::vector<Eigen::Index> train_rows, test_rows;
  for (std::size_t i = 0; i < n; ++i)
    (i % 10 == 9 ? test_rows : train_rows).push_back(Eigen::Index(i));
  const Eigen::MatrixXd held = fit(X(train_rows, Eigen::all), Y(train_rows, Eigen::all));
  const Eigen::MatrixXd Xt = X(test_rows, Eigen::all);
  const Eigen::MatrixXd Yt = Y(test_rows, Eigen::all);
  const double heldout2 = (Yt - Xt * held).squaredNorm(), heldout_raw2 = Yt.squaredNorm();

  const Eigen::MatrixXd B = fit(X, Y);  // P × kOut, standardised
  const Eigen::MatrixXd R = Y - X * B;

  LandmarkNoise out;
  out.samples = int(n);
  double raw2 = 0, res2 = 0;
  for (std::size_t c = 0; c < kOut; ++c) {
    const Eigen::Index ci = Eigen::Index(c);
    // Back to raw feature units: e = b0 + Σ g_j (f_j − μ_j)/σ_j = (b0 − Σ g_j μ_j/σ_j) + Σ
    // (g_j/σ_j) f_j.
    double intercept = B(0, ci);
    for (std::size_t j = 0; j < kNoiseFeatureCount; ++j) {
      const Eigen::Index ji = Eigen::Index(j);
      const double g = B(ji + 1, ci) / sd[ji];
      out.gain[c * kNoiseFeatureCount + j] = float(g);
      intercept -= g * mu[ji];
    }
    const double jitter = std::sqrt(R.col(ci).squaredNorm() / double(n));
    const std::size_t k = c / 3, a = c % 3;
    float* b = a == 0 ? &out.bias[k].x : a == 1 ? &out.bias[k].y : &out.bias[k].z;
    float* j = a == 0 ? &out.jitter[k].x : a == 1 ? &out.jitter[k].y : &out.jitter[k].z;
    *b = float(intercept);
    *j = float(jitter);
    raw2 += Y.col(ci).squaredNorm();
    res2 += R.col(ci).squaredNorm();
  }
  out.raw_rms_cm = float(std::sqrt(raw2 / double(n * kOut)));
  out.residual_rms_cm = float(std::sqrt(res2 / double(n * kOut)));
  out.heldout_explained = test_rows.empty() ? 0.0f : float(1.0 - heldout2 / heldout_raw2);
  return out;
}

std::string landmark_noise_csv(const LandmarkNoise& noise) {
  std::ostringstream s;
  s.precision(4);
  s << "# samples " << noise.samples << "\n";
  s << "# raw_rms_cm " << noise.raw_rms_cm << "\n";
  s << "# residual_rms_cm " << noise.residual_rms_cm << "\n";
  s << "# heldout_explained " << noise.heldout_explained << "\n";
  s << "index,axis,bias,jitter";
  for (const std::string& f : noise_feature_names()) s << ',' << f;
  s << '\n';
  for (std::size_t c = 0; c < 3 * kLandmarkCount; ++c) {
    const std::size_t k = c / 3, a = c % 3;
    const Point3 &b = noise.bias[k], &j = noise.jitter[k];
    s << k << ',' << "xyz"[a] << ','
      << (a == 0   ? b.x
          : a == 1 ? b.y
                   : b.z)
      << ','
      << (a == 0   ? j.x
          : a == 1 ? j.y
                   : j.z);
    for (std::size_t f = 0; f < kNoiseFeatureCount; ++f) {
      const float g = noise.gain[c * kNoiseFeatureCount + f];
      s << ',' << (std::fabs(g) < 5e-5f ? 0.0f : g);
    }
    s << '\n';
  }
  return s.str();
}

LandmarkNoise parse_landmark_noise_csv(const std::string& text, const std::string& name) {
  LandmarkNoise out;
  std::istringstream in(text);
  std::string line;
  int line_no = 0;
  std::size_t rows = 0;
  bool header = false;
  auto fail = [&](const std::string& why) {
    throw std::invalid_argument(name + " line " + std::to_string(line_no) + ": " + why);
  };
  auto number = [&](const std::string& cell) {
    std::size_t used = 0;
    float v = 0;
    try {
      v = std::stof(cell, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != cell.size()) fail("'" + cell + "' is not a number");
    if (!std::isfinite(v)) fail("non-finite value");
    return v;
  };
  while (std::getline(in, line)) {
    ++line_no;
    if (line.empty()) continue;
    if (line[0] == '#') {
      std::istringstream c(line.substr(1));
      std::string key, value;
      c >> key >> value;
      if (key == "samples") out.samples = int(number(value));
      if (key == "raw_rms_cm") out.raw_rms_cm = number(value);
      if (key == "residual_rms_cm") out.residual_rms_cm = number(value);
      if (key == "heldout_explained") out.heldout_explained = number(value);
      continue;
    }
    std::vector<std::string> cells;
    {
      std::istringstream row(line);
      std::string cell;
      while (std::getline(row, cell, ',')) cells.push_back(cell);
    }
    if (cells.size() != 4 + kNoiseFeatureCount)
      fail("expected " + std::to_string(4 + kNoiseFeatureCount) + " columns, got " +
           std::to_string(cells.size()));
    if (!header) {
      const auto names = noise_feature_names();
      if (cells[0] != "index" || cells[1] != "axis" || cells[2] != "bias" || cells[3] != "jitter")
        fail("expected the header index,axis,bias,jitter,<features>");
      for (std::size_t f = 0; f < kNoiseFeatureCount; ++f)
        if (cells[4 + f] != names[f])
          fail("column " + std::to_string(5 + f) + " should be " + names[f]);
      header = true;
      continue;
    }
    if (rows >= 3 * kLandmarkCount)
      fail("more than " + std::to_string(3 * kLandmarkCount) + " rows");
    const std::size_t k = rows / 3, a = rows % 3;
    if (cells[0] != std::to_string(k) || cells[1] != std::string(1, "xyz"[a]))
      fail("expected landmark " + std::to_string(k) + " axis " + "xyz"[a]);
    const float b = number(cells[2]), j = number(cells[3]);
    if (j < 0) fail("negative jitter");
    (a == 0 ? out.bias[k].x : a == 1 ? out.bias[k].y : out.bias[k].z) = b;
    (a == 0 ? out.jitter[k].x : a == 1 ? out.jitter[k].y : out.jitter[k].z) = j;
    for (std::size_t f = 0; f < kNoiseFeatureCount; ++f)
      out.gain[rows * kNoiseFeatureCount + f] = number(cells[4 + f]);
    ++rows;
  }
  if (rows != 3 * kLandmarkCount)
    throw std::invalid_argument(name + ": expected " + std::to_string(3 * kLandmarkCount) +
                                " rows (478 landmarks × 3 axes), got " + std::to_string(rows));
  return out;
}

}  // namespace semblend
