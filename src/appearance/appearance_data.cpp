// Training and evaluation renders for the appearance branch (appearance.h AppearanceRenderer).
#include <algorithm>
#include <cmath>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>
#include <string_view>

#include "rig/rig_internal.h"
#include "semblend/appearance.h"
#include "semblend/expression_prior.h"

namespace semblend {
namespace {

// Uniform draws from one generator per sample, so sample i depends only on (seed, i).
struct Draw {
  std::mt19937_64 gen;
  double u() { return double(gen() >> 11) * (1.0 / 9007199254740992.0); }
  float in(double lo, double hi) { return float(lo + (hi - lo) * u()); }
  bool chance(double p) { return u() < p; }
};

// The six shapes made common enough to learn: the prior and sparse activations alone rarely put
// a tongue out or puff the cheeks.
void boost_shapes(Coefficients& c, Draw& d) {
  using B = Blendshape;
  const double mouth = d.u();
  if (mouth < 0.22) {  // tongue out: the jaw and lips must open for it to show
    c.set(B::TongueOut, d.in(0.15, 1.0));
    c.set(B::JawOpen, std::max(c[B::JawOpen], d.in(0.15, 0.6)));
    c.set(B::MouthClose, 0);
  } else if (mouth < 0.40) {  // cheeks puffed: lips sealed, jaw nearly closed
    c.set(B::CheekPuff, d.in(0.2, 1.0));
    c.set(B::JawOpen, std::min(c[B::JawOpen], d.in(0.0, 0.08)));
    c.set(B::MouthClose, 0);
    c.set(B::TongueOut, 0);
  } else if (mouth < 0.62) {  // an open mouth without the tongue out: teeth, a tongue at rest
    c.set(B::JawOpen, std::max(c[B::JawOpen], d.in(0.1, 0.7)));
    c.set(B::MouthClose, 0);
    c.set(B::TongueOut, 0);
    if (d.chance(0.4)) {  // often smiling or stretched, showing the teeth
      const float v = d.in(0.2, 0.9);
      c.set(d.chance(0.5) ? B::MouthSmileLeft : B::MouthStretchLeft, v);
      c.set(d.chance(0.5) ? B::MouthSmileRight : B::MouthStretchRight, v);
      c.set(B::MouthUpperUpLeft, d.in(0, 0.6));
      c.set(B::MouthUpperUpRight, d.in(0, 0.6));
    }
  }
  const double eyes = d.u();
  if (eyes < 0.2) {  // both eyes closing together
    const float v = d.in(0.2, 1.0);
    c.set(B::EyeBlinkLeft, std::clamp(v + d.in(-0.05, 0.05), 0.0f, 1.0f));
    c.set(B::EyeBlinkRight, std::clamp(v + d.in(-0.05, 0.05), 0.0f, 1.0f));
    c.set(B::EyeWideLeft, 0);
    c.set(B::EyeWideRight, 0);
  } else if (eyes < 0.32) {  // a wink
    const bool left = d.chance(0.5);
    c.set(left ? B::EyeBlinkLeft : B::EyeBlinkRight, d.in(0.6, 1.0));
    c.set(left ? B::EyeBlinkRight : B::EyeBlinkLeft, d.in(0.0, 0.15));
  } else if (eyes < 0.47) {  // wide eyes
    const float v = d.in(0.2, 1.0);
    const bool one = d.chance(0.25), left = d.chance(0.5);
    c.set(B::EyeWideLeft, one && !left ? 0.0f : v);
    c.set(B::EyeWideRight, one && left ? 0.0f : v);
    c.set(B::EyeBlinkLeft, 0);
    c.set(B::EyeBlinkRight, 0);
  }
}

Rgb random_colour(Draw& d, float lo, float hi) {
  return {d.in(lo, hi), d.in(lo, hi), d.in(lo, hi)};
}

// Lashes and eyeliner: real upper lids carry a dark, thick margin the rig draws thin; without it
// the eye net reads a made-up eye as a wide one. Drawn along the rig's exact projected lid
// landmarks (`upper` chains of both eyes), often, in a dark hair-like colour.
void draw_lashes(Image& image, const RenderResult& r, const rig_detail::FaceFeatures& features,
                 const Rgb& hair, Draw& d) {
  if (!d.chance(0.6)) return;
  cv::Mat m(image.height, image.width, CV_8UC3, image.rgb.data());
  const float dark = d.in(0.15, 0.7);
  const cv::Scalar colour(255 * hair[0] * dark, 255 * hair[1] * dark, 255 * hair[2] * dark);
  const double width_cm = d.in(0.03, 0.13);
  const int thickness = std::max(1, int(std::lround(width_cm * r.pixels_per_cm)));
  const bool lower = d.chance(0.3);
  for (const auto& eye : features.eye) {
    for (const std::vector<int>* chain : {&eye.upper, &eye.lower}) {
      if (chain == &eye.lower && !lower) continue;
      std::vector<cv::Point> pts;
      for (const int i : *chain)  // 8 fractional bits: sub-pixel antialiased lines
        pts.emplace_back(int(std::lround(r.landmarks[std::size_t(i)].x * 256)),
                         int(std::lround(r.landmarks[std::size_t(i)].y * 256)));
      cv::polylines(m, pts, false, colour,
                    chain == &eye.lower ? std::max(1, thickness / 2) : thickness, cv::LINE_AA, 8);
    }
  }
}

void augment(Image& image, Draw& d) {
  cv::Mat m(image.height, image.width, CV_8UC3, image.rgb.data());
  // White balance and exposure: per-channel gain, then a gamma.
  const float gain[3] = {d.in(0.85, 1.15), d.in(0.85, 1.15), d.in(0.85, 1.15)};
  const float exposure = d.in(0.75, 1.2), gamma = d.in(0.8, 1.25);
  std::array<std::array<std::uint8_t, 256>, 3> lut{};
  for (int c = 0; c < 3; ++c)
    for (int v = 0; v < 256; ++v)
      lut[c][v] = std::uint8_t(
          std::clamp(255.0 * std::pow(std::min(1.0, v / 255.0 * gain[c] * exposure), double(gamma)),
                     0.0, 255.0));
  for (std::size_t i = 0; i < image.rgb.size(); ++i) image.rgb[i] = lut[i % 3][image.rgb[i]];
  if (d.chance(0.4)) {
    const double sigma = d.in(0.4, 1.4);
    cv::GaussianBlur(m, m, cv::Size(0, 0), sigma);
  }
  if (d.chance(0.5)) {
    const float sigma = d.in(1.0, 8.0);
    std::normal_distribution<float> noise(0.0f, sigma);
    for (std::uint8_t& v : image.rgb) v = std::uint8_t(std::clamp(v + noise(d.gen), 0.0f, 255.0f));
  }
  if (d.chance(0.6)) {
    std::vector<std::uint8_t> jpeg;
    cv::Mat bgr;
    cv::cvtColor(m, bgr, cv::COLOR_RGB2BGR);
    cv::imencode(".jpg", bgr, jpeg, {cv::IMWRITE_JPEG_QUALITY, int(d.in(30, 95))});
    cv::cvtColor(cv::imdecode(jpeg, cv::IMREAD_COLOR), m, cv::COLOR_BGR2RGB);
  }
}

}  // namespace

AppearanceRenderer AppearanceRenderer::create(const AppearanceRenderOptions& options) {
  if (options.identities < 1 || options.identities > 100000)
    throw std::invalid_argument("appearance renders: identities must be 1..100000");
  if (!(options.stylised_fraction >= 0 && options.stylised_fraction <= 1))
    throw std::invalid_argument("appearance renders: stylised_fraction must be in [0, 1]");
  if (options.size < 128 || options.size > 1024)
    throw std::invalid_argument("appearance renders: size must be 128..1024");
  for (const float a : {options.max_yaw_deg, options.max_pitch_deg, options.max_roll_deg})
    if (!(a >= 0 && a <= 60))
      throw std::invalid_argument("appearance renders: angles must be within [0, 60] degrees");
  AppearanceRenderer r;
  r.options_ = options;
  auto rigs = std::make_shared<std::vector<Rig>>();
  rigs->reserve(std::size_t(options.identities));
  for (int i = 0; i < options.identities; ++i) {
    const std::uint64_t s = options.seed * 7919ull + std::uint64_t(i) + 17;
    // Stylised identities spread through the pool (golden-ratio sequence).
    const double spread = std::fmod(double(i) * 0.6180339887498949, 1.0);
    const bool stylised = options.stylised || spread < double(options.stylised_fraction);
    rigs->push_back(build_rig(stylised ? stylised_identity(s) : sample_identity(s)));
  }
  r.rigs_ = std::move(rigs);
  ExpressionSamplerOptions eo;
  eo.seed = options.seed * 0x9E3779B97F4A7C15ull + 5;
  r.sampler_ = std::make_shared<const ExpressionSampler>(
      ExpressionSampler::create(default_expression_prior(), eo));
  return r;
}

AppearanceRender AppearanceRenderer::render(std::uint64_t index) const {
  const AppearanceRenderOptions& o = options_;
  Draw d{std::mt19937_64(o.seed * 0xD1B54A32D192ED03ull + index * 0x9E3779B97F4A7C15ull + 1)};
  AppearanceRender out;
  FaceFrame& frame = out.frame;
  frame.coefficients = sampler_->at(index).coefficients;
  if (o.boost) boost_shapes(frame.coefficients, d);
  const float deg = float(kPi / 180);
  frame.head.yaw = d.in(-1, 1) * o.max_yaw_deg * deg;
  frame.head.pitch = d.in(-1, 1) * o.max_pitch_deg * deg;
  frame.head.roll = d.in(-1, 1) * o.max_roll_deg * deg;
  RenderOptions ro;
  ro.width = ro.height = o.size;
  ro.fov_deg = d.in(15, 50);
  ro.face_fill = d.in(0.35, 0.75);
  const std::span<const std::string_view> tones = skin_tone_names();
  const Rgb a = skin_tone(tones[d.gen() % tones.size()]);
  const Rgb b = skin_tone(tones[d.gen() % tones.size()]);
  const float t = d.in(0, 1);
  for (int c = 0; c < 3; ++c)
    ro.skin[std::size_t(c)] = std::clamp(
        a[std::size_t(c)] * (1 - t) + b[std::size_t(c)] * t + d.in(-0.04, 0.04), 0.0f, 1.0f);
  ro.iris = random_colour(d, 0.08f, 0.55f);
  // Hair and brows: dark to light browns, greys and blondes (not every hue, unlike the iris).
  const float hair = d.in(0.03, 0.5);
  ro.hair = {std::min(1.0f, hair * d.in(0.95, 1.3)), hair * d.in(0.7, 1.0), hair * d.in(0.45, 0.9)};
  ro.background = random_colour(d, 0.1f, 0.9f);
  ro.light_direction = {d.in(-0.8, 0.8), d.in(-0.2, 0.9), 1.0f};
  ro.key_light = d.in(0.6, 1.0);
  ro.fill_light = d.in(0.1, 0.4);
  ro.ambient = d.in(0.2, 0.45);
  const Rig& rig = (*rigs_)[index % rigs_->size()];
  RenderResult rendered = render_face(rig, frame, ro);
  out.image = std::move(rendered.image);
  if (o.augment) {
    // The lid chains come from the topology, the same for every identity.
    draw_lashes(out.image, rendered, rig_detail::neutral_features(), ro.hair, d);
    augment(out.image, d);
  }
  return out;
}

}  // namespace semblend
