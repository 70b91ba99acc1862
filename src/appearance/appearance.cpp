// The appearance branch (appearance.h): aligned crops, the two nets on the engine, fusion.
#include "semblend/appearance.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <opencv2/imgproc.hpp>
#include <stdexcept>

#include "core/sha256.h"
#include "engine/model_pool.h"
#include "formats/json_parse.h"
#include "semblend/engine.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/topology.h"

namespace semblend {
namespace {

using json = nlohmann::json;

struct Vec2 {
  double x, y;
};

// A square crop of n pixels whose pixel (u, v) centre sits at
// centre + ((u + 0.5)/n − 0.5)·span·axis_u + ((v + 0.5)/n − 0.5)·span·axis_v (image pixels, the
// top-left corner of the top-left pixel at (0, 0)).
struct CropFrame {
  Vec2 centre, axis_u, axis_v;
  double span;
};

double dist3(const Point3& a, const Point3& b) {
  const double dx = a.x - b.x, dy = a.y - b.y, dz = a.z - b.z;
  return std::sqrt(dx * dx + dy * dy + dz * dz);
}

Vec2 unit(double x, double y, const char* what) {
  const double n = std::hypot(x, y);
  if (!(n > 1e-6)) throw std::invalid_argument(std::string("appearance crops: ") + what);
  return {x / n, y / n};
}

// The perpendicular of `u` that points along `down`.
Vec2 perpendicular_toward(const Vec2& u, const Vec2& down) {
  const Vec2 p{-u.y, u.x};
  return p.x * down.x + p.y * down.y >= 0 ? p : Vec2{u.y, -u.x};
}

std::vector<float> sample_crop(const cv::Mat& image, const CropFrame& f, int n) {
  // Bounding box of the crop in the image, a little larger, clipped to the image.
  double x0 = 1e30, y0 = 1e30, x1 = -1e30, y1 = -1e30;
  for (const double a : {-0.5, 0.5})
    for (const double b : {-0.5, 0.5}) {
      const double x = f.centre.x + f.span * (a * f.axis_u.x + b * f.axis_v.x);
      const double y = f.centre.y + f.span * (a * f.axis_u.y + b * f.axis_v.y);
      x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
    }
  const int ix0 = std::clamp(int(std::floor(x0)) - 2, 0, image.cols - 1);
  const int iy0 = std::clamp(int(std::floor(y0)) - 2, 0, image.rows - 1);
  const int ix1 = std::clamp(int(std::ceil(x1)) + 2, ix0 + 1, image.cols);
  const int iy1 = std::clamp(int(std::ceil(y1)) + 2, iy0 + 1, image.rows);
  cv::Mat roi = image(cv::Rect(ix0, iy0, ix1 - ix0, iy1 - iy0));
  // Area-average down to about the crop's resolution first (bilinear sampling alone aliases).
  const double step = f.span / n;  // image pixels per crop pixel
  double fx = 1, fy = 1;
  if (step > 1.25) {
    const int w = std::max(1, int(std::lround(roi.cols / step)));
    const int h = std::max(1, int(std::lround(roi.rows / step)));
    cv::Mat small;
    cv::resize(roi, small, cv::Size(w, h), 0, 0, cv::INTER_AREA);
    fx = double(w) / roi.cols, fy = double(h) / roi.rows;
    roi = small;
  }
  // Crop pixel (u, v) -> ROI pixel centre coordinates (OpenCV: centres at integers).
  const double s = f.span / n, o = 0.5 / n - 0.5;
  cv::Mat m(2, 3, CV_64F);
  m.at<double>(0, 0) = fx * s * f.axis_u.x;
  m.at<double>(0, 1) = fx * s * f.axis_v.x;
  m.at<double>(0, 2) = fx * (f.centre.x - ix0 + o * f.span * (f.axis_u.x + f.axis_v.x)) - 0.5;
  m.at<double>(1, 0) = fy * s * f.axis_u.y;
  m.at<double>(1, 1) = fy * s * f.axis_v.y;
  m.at<double>(1, 2) = fy * (f.centre.y - iy0 + o * f.span * (f.axis_u.y + f.axis_v.y)) - 0.5;
  cv::Mat crop;
  cv::warpAffine(roi, crop, m, cv::Size(n, n), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP,
                 cv::BORDER_REPLICATE);
  // Standardise: per-channel mean removed, divided by the overall deviation.
  std::vector<float> out(std::size_t(n) * n * 3);
  double mean[3] = {0, 0, 0};
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      for (int c = 0; c < 3; ++c) {
        const float v = crop.at<cv::Vec3b>(y, x)[c] / 255.0f;
        out[(std::size_t(y) * n + x) * 3 + c] = v;
        mean[c] += v;
      }
  for (double& m_c : mean) m_c /= double(n) * n;
  double var = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const double d = out[i] - mean[i % 3];
    var += d * d;
  }
  const double sd = std::max(std::sqrt(var / double(out.size())), 0.02);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = float((out[i] - mean[i % 3]) / sd);
  return out;
}

}  // namespace

float tongue_gate(float parting, float threshold) {
  if (!(threshold > 0)) return 1;
  return std::clamp((parting - 0.5f * threshold) / (0.5f * threshold), 0.0f, 1.0f);
}

namespace {

void check_landmarks(const std::array<Point3, kLandmarkCount>& p) {
  for (const Point3& q : p)
    if (!std::isfinite(q.x) || !std::isfinite(q.y) || !std::isfinite(q.z))
      throw std::invalid_argument("appearance crops: landmarks must be finite");
}

}  // namespace

AppearanceCrops appearance_crops(const Image& image, const std::array<Point3, kLandmarkCount>& p,
                                 const std::array<CropJitter, 3>* jitter) {
  if (!image.valid()) throw std::invalid_argument("appearance crops: empty or inconsistent image");
  check_landmarks(p);
  using namespace landmark;
  const cv::Mat mat(image.height, image.width, CV_8UC3,
                    const_cast<std::uint8_t*>(image.rgb.data()));
  const Point3 &ro = p[kRightEyeOuter], &lo = p[kLeftEyeOuter];
  const Point3 &mr = p[kMouthRightCorner], &ml = p[kMouthLeftCorner];
  const Vec2 mouth{(mr.x + ml.x) / 2.0, (mr.y + ml.y) / 2.0};
  const Vec2 eyes{(ro.x + lo.x) / 2.0, (ro.y + lo.y) / 2.0};
  const Vec2 down = unit(mouth.x - eyes.x, mouth.y - eyes.y, "the mouth sits on the eye line");
  AppearanceCrops crops;
  auto jittered = [&](CropFrame f, std::size_t which) {
    if (!jitter) return f;
    const CropJitter& j = (*jitter)[which];
    f.centre.x += f.span * (j.shift_u * f.axis_u.x + j.shift_v * f.axis_v.x);
    f.centre.y += f.span * (j.shift_u * f.axis_u.y + j.shift_v * f.axis_v.y);
    f.span *= j.scale;
    const double c = std::cos(j.rotation), s = std::sin(j.rotation);
    f.axis_u = {c * f.axis_u.x - s * f.axis_u.y, s * f.axis_u.x + c * f.axis_u.y};
    f.axis_v = {c * f.axis_v.x - s * f.axis_v.y, s * f.axis_v.x + c * f.axis_v.y};
    return f;
  };
  // A frame whose x axis runs from `from` to `to`, `spans` of their 3D distance across, centred
  // at `centre` raised by `raise` of that distance.
  auto frame = [&](const Point3& from, const Point3& to, double spans, Vec2 centre, double raise,
                   const char* what) {
    const double length = dist3(from, to);
    if (!(length > 1)) throw std::invalid_argument(std::string("appearance crops: ") + what);
    CropFrame f;
    f.axis_u = unit(to.x - from.x, to.y - from.y, what);
    f.axis_v = perpendicular_toward(f.axis_u, down);
    f.span = spans * length;
    f.centre = {centre.x - raise * length * f.axis_v.x, centre.y - raise * length * f.axis_v.y};
    return f;
  };
  auto eye = [&](std::uint16_t inner_index, std::uint16_t outer_index, std::size_t which) {
    const Point3 &in = p[inner_index], &out = p[outer_index];
    const CropFrame f = frame(in, out, 1.8, {(in.x + out.x) / 2.0, (in.y + out.y) / 2.0}, 0.1,
                              "an eye's corners coincide");
    return sample_crop(mat, jittered(f, which), kEyeCropSize);
  };
  crops.left_eye = eye(kLeftEyeInner, kLeftEyeOuter, 0);
  crops.right_eye = eye(kRightEyeInner, kRightEyeOuter, 1);  // runs inner -> outer: mirrored
  const CropFrame f = frame(ro, lo, 1.45, mouth, 0, "the eye corners coincide");
  crops.lower_face = sample_crop(mat, jittered(f, 2), kLowerFaceCropSize);
  return crops;
}

float lip_parting(const std::array<Point3, kLandmarkCount>& p) {
  using namespace landmark;
  const double width = dist3(p[kMouthLeftCorner], p[kMouthRightCorner]);
  if (!(width > 1e-6)) throw std::invalid_argument("lip parting: the mouth corners coincide");
  return float(dist3(p[kUpperLipInner], p[kLowerLipInner]) / width);
}

// ---- fusion.json --------------------------------------------------------------------------------

std::string appearance_fusion_json(const AppearanceFusion& f) {
  json shapes = json::array();
  for (std::size_t k = 0; k < kAppearanceShapeCount; ++k)
    shapes.push_back({{"shape", std::string(info(kAppearanceShapes[k]).apple_name)},
                      {"weight", f.weights[k]},
                      {"geometry_mae", f.geometry_mae[k]},
                      {"appearance_mae", f.appearance_mae[k]},
                      {"fused_mae", f.fused_mae[k]}});
  const json j = {{"format", "semblend.appearance"},
                  {"version", 1},
                  {"eye_crop", kEyeCropSize},
                  {"lower_face_crop", kLowerFaceCropSize},
                  {"heldout_samples", f.heldout_samples},
                  {"tongue_lip_parting", f.tongue_lip_parting},
                  {"generated_by", f.generated_by},
                  {"shapes", shapes}};
  return j.dump(1) + "\n";
}

AppearanceFusion parse_appearance_fusion(const std::string& text, const std::string& file) {
  const json j = formats::parse_json_strict<json>(text, file);
  auto bad = [&](const std::string& why) { return InputError(file, 0, 0, why); };
  if (!j.is_object() || j.value("format", "") != "semblend.appearance")
    throw bad("format must be \"semblend.appearance\"");
  if (j.value("version", 0) != 1) throw bad("unsupported version (this build reads 1)");
  if (j.value("eye_crop", 0) != kEyeCropSize || j.value("lower_face_crop", 0) != kLowerFaceCropSize)
    throw bad("crop sizes differ from this build's (" + std::to_string(kEyeCropSize) + ", " +
              std::to_string(kLowerFaceCropSize) + ")");
  const json& shapes = j["shapes"];
  if (!shapes.is_array() || shapes.size() != kAppearanceShapeCount)
    throw bad("\"shapes\" must list the " + std::to_string(kAppearanceShapeCount) + " shapes");
  AppearanceFusion f;
  f.heldout_samples = j.value("heldout_samples", 0);
  f.tongue_lip_parting = j.value("tongue_lip_parting", 0.0f);
  if (!std::isfinite(f.tongue_lip_parting) || f.tongue_lip_parting < 0 || f.tongue_lip_parting > 1)
    throw bad("\"tongue_lip_parting\" is outside [0, 1]");
  f.generated_by = j.value("generated_by", "");
  for (std::size_t k = 0; k < kAppearanceShapeCount; ++k) {
    const json& s = shapes[k];
    const std::string want(info(kAppearanceShapes[k]).apple_name);
    if (!s.is_object() || s.value("shape", "") != want)
      throw bad("shape " + std::to_string(k) + " must be " + want);
    auto number = [&](const char* key) {
      if (!s.contains(key) || !s[key].is_number()) throw bad(want + ": \"" + key + "\" is missing");
      const float v = s[key].get<float>();
      if (!std::isfinite(v) || v < 0 || v > 1)
        throw bad(want + ": \"" + key + "\" is outside [0, 1]");
      return v;
    };
    f.weights[k] = number("weight");
    f.geometry_mae[k] = number("geometry_mae");
    f.appearance_mae[k] = number("appearance_mae");
    f.fused_mae[k] = number("fused_mae");
  }
  return f;
}

// ---- Appearance ---------------------------------------------------------------------------------

struct Appearance::Impl {
  std::unique_ptr<engine::ModelPool> eye, lower_face;
  AppearanceFusion fusion;
};

Appearance::Appearance(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Appearance::Appearance(Appearance&&) noexcept = default;
Appearance& Appearance::operator=(Appearance&&) noexcept = default;
Appearance::~Appearance() = default;

Appearance Appearance::load(const std::string& dir,
                            const std::map<std::string, std::string>& sha256) {
  const std::filesystem::path d(dir);
  auto net = [&](const char* name, int n, int batch) {
    ModelOptions options;
    options.sha256 = sha256;
    options.batch = batch;
    const std::string path = (d / name).string();
    Model m = Model::load(path, options);
    const std::vector<std::size_t> want{std::size_t(batch), std::size_t(n), std::size_t(n), 3};
    if (m.input_shape() != want)
      throw InputError(path, 0, 0,
                       "input must be [" + std::to_string(batch) + ", " + std::to_string(n) + ", " +
                           std::to_string(n) + ", 3]");
    if (m.output_shapes().size() != 1 || m.output(0).size() != std::size_t(2 * batch))
      throw InputError(path, 0, 0, "must have one output of 2 values per image");
    return std::make_unique<engine::ModelPool>(std::move(m));
  };
  auto impl = std::make_unique<Impl>();
  impl->eye = net("eye.json", kEyeCropSize, 2);
  impl->lower_face = net("lower_face.json", kLowerFaceCropSize, 1);
  const std::string fusion_path = (d / "fusion.json").string();
  const std::string text = read_file(fusion_path, std::size_t{1} << 20);
  if (const auto it = sha256.find("fusion.json");
      it != sha256.end() && sha256_hex(text) != it->second)
    throw InputError(fusion_path, 0, 0,
                     "SHA-256 " + sha256_hex(text) + " differs from the expected " + it->second +
                         " (a corrupted or swapped file)");
  impl->fusion = parse_appearance_fusion(text, fusion_path);
  return Appearance(std::move(impl));
}

Appearance Appearance::load_default() {
  const auto sums = default_appearance_checksums();
  if (sums.size() != 5)
    throw InputError(default_appearance_dir(), 0, 0,
                     "this build has no checksums for the shipped appearance models "
                     "(data/appearance/appearance.sha256 was missing or incomplete when it was "
                     "configured)");
  return load(default_appearance_dir(), sums);
}

AppearanceEstimate Appearance::estimate(const Image& image,
                                        const std::array<Point3, kLandmarkCount>& landmarks) const {
  const AppearanceCrops c = appearance_crops(image, landmarks);
  AppearanceEstimate e;
  {
    const engine::ModelPool::Lease m = impl_->eye->acquire();
    const std::span<float> in = m->input();
    std::copy(c.left_eye.begin(), c.left_eye.end(), in.begin());
    std::copy(c.right_eye.begin(), c.right_eye.end(),
              in.begin() + std::ptrdiff_t(c.left_eye.size()));
    m->invoke();
    const std::span<const float> y = m->output(0);  // left (blink, wide), right (blink, wide)
    std::copy(y.begin(), y.begin() + 4, e.values.begin());
  }
  {
    const engine::ModelPool::Lease m = impl_->lower_face->acquire();
    std::copy(c.lower_face.begin(), c.lower_face.end(), m->input().begin());
    m->invoke();
    const std::span<const float> y = m->output(0);
    e.values[4] = y[0];
    e.values[5] = y[1];
  }
  e.values[4] *= tongue_gate(lip_parting(landmarks), impl_->fusion.tongue_lip_parting);
  for (float& v : e.values) v = std::clamp(v, 0.0f, 1.0f);
  return e;
}

Coefficients Appearance::fuse(const Coefficients& geometry, const AppearanceEstimate& a) const {
  Coefficients c = geometry;
  for (std::size_t k = 0; k < kAppearanceShapeCount; ++k) {
    const float w = impl_->fusion.weights[k];
    c.set(kAppearanceShapes[k], w * a.values[k] + (1 - w) * geometry[kAppearanceShapes[k]]);
  }
  return c;
}

const std::array<float, kAppearanceShapeCount>& Appearance::weights() const {
  return impl_->fusion.weights;
}

ResourceLocation default_appearance_location() {
  return locate_resource("appearance", SEMBLEND_APPEARANCE_DIR);
}
std::string default_appearance_dir() {
  return default_appearance_location().path;
}

}  // namespace semblend
