#include <cmath>
#include <stdexcept>

#include "semblend/filter.h"

namespace semblend {
namespace {

double smoothing_factor(double cutoff_hz, double dt) {
  const double tau = 1.0 / (2.0 * kPi * cutoff_hz);
  return 1.0 / (1.0 + tau / dt);
}

}  // namespace

OneEuroFilter::OneEuroFilter(OneEuroParams params) : params_(params) {
  if (!(params.min_cutoff > 0) || !(params.d_cutoff > 0) || !(params.beta >= 0))
    throw std::invalid_argument("One Euro filter needs min_cutoff > 0, d_cutoff > 0, beta >= 0");
}

double OneEuroFilter::operator()(double x, double time) {
  if (!initialised_) {
    initialised_ = true;
    prev_x_ = x;
    prev_dx_ = 0;
    prev_time_ = time;
    return x;
  }
  const double dt = time - prev_time_;
  if (!(dt > 0)) throw std::invalid_argument("One Euro filter: sample times must increase");
  const double dx = (x - prev_x_) / dt;
  const double a_d = smoothing_factor(params_.d_cutoff, dt);
  const double dx_hat = a_d * dx + (1 - a_d) * prev_dx_;
  const double cutoff = params_.min_cutoff + params_.beta * std::abs(dx_hat);
  const double a = smoothing_factor(cutoff, dt);
  const double x_hat = a * x + (1 - a) * prev_x_;
  prev_x_ = x_hat;
  prev_dx_ = dx_hat;
  prev_time_ = time;
  return x_hat;
}

FrameSmoother::FrameSmoother(const SmoothOptions& o) {
  coefficients_.fill(OneEuroFilter(o.coefficients));
  pose_.fill(OneEuroFilter(o.pose));
}

void FrameSmoother::operator()(FaceFrame& f) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    f.coefficients.set_at(k, static_cast<float>(coefficients_[k](f.coefficients.at(k), f.time)));
  for (std::size_t c = 0; c < kPoseChannelCount; ++c) {
    const auto channel = static_cast<PoseChannel>(c);
    f.set_pose(channel, static_cast<float>(pose_[c](f.pose(channel), f.time)));
  }
}

void FrameSmoother::reset() {
  for (auto& f : coefficients_) f.reset();
  for (auto& f : pose_) f.reset();
}

Take smooth_take(const Take& take, const SmoothOptions& options) {
  Take out = take;
  FrameSmoother smoother(options);
  for (FaceFrame& f : out.frames) smoother(f);
  return out;
}

}  // namespace semblend
