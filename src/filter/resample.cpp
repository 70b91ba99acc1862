#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "semblend/filter.h"

namespace semblend {
namespace {

// The per-channel numbers of a frame that resampling blends: 52 coefficients, 9 angles, confidence.
constexpr std::size_t kChannels = kBlendshapeCount + kPoseChannelCount + 1;
using Channels = std::array<double, kChannels>;

Channels channels_of(const FaceFrame& f) {
  Channels c{};
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) c[k] = f.coefficients.at(k);
  for (std::size_t p = 0; p < kPoseChannelCount; ++p)
    c[kBlendshapeCount + p] = f.pose(static_cast<PoseChannel>(p));
  c[kChannels - 1] = f.confidence;
  return c;
}

void store(const Channels& c, FaceFrame& f) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    f.coefficients.set_at(k, static_cast<float>(c[k]));
  for (std::size_t p = 0; p < kPoseChannelCount; ++p)
    f.set_pose(static_cast<PoseChannel>(p), static_cast<float>(c[kBlendshapeCount + p]));
  f.confidence = static_cast<float>(std::clamp(c[kChannels - 1], 0.0, 1.0));
}

}  // namespace

Take resample_take(const Take& take, double fps) {
  if (!(fps > 0) || !std::isfinite(fps)) throw std::invalid_argument("frame rate must be positive");
  Take out;
  out.fps = fps;
  out.timecode = take.timecode;
  out.metadata = take.metadata;
  const auto& in = take.frames;
  if (in.empty()) return out;
  for (std::size_t i = 1; i < in.size(); ++i)
    if (!(in[i].time > in[i - 1].time))
      throw std::invalid_argument("resample: frame times must increase (frame " +
                                  std::to_string(i) + ")");

  const double t0 = in.front().time, t_end = in.back().time, period = 1.0 / fps;
  const double in_period =
      in.size() > 1 ? (t_end - t0) / static_cast<double>(in.size() - 1) : period;
  const bool downsampling = period > in_period * 1.0001;
  const auto count = static_cast<std::size_t>(std::floor((t_end - t0) * fps + 1e-9)) + 1;
  out.frames.reserve(count);
  std::size_t j = 0;  // first input frame with time >= t (moves forward only)
  for (std::size_t k = 0; k < count; ++k) {
    const double t = t0 + static_cast<double>(k) * period;
    while (j < in.size() && in[j].time < t - 1e-9) ++j;
    const std::size_t nearest = (j == 0)                                                  ? 0
                                : (j == in.size() || t - in[j - 1].time < in[j].time - t) ? j - 1
                                                                                          : j;
    FaceFrame f = in[nearest];  // text fields from the nearest frame
    f.time = t;
    Channels c{};
    std::size_t n = 0;
    if (downsampling) {
      // Box filter over [t - period/2, t + period/2], narrowed symmetrically at the ends of the
      // take. Each input frame stands for one input period around its time and is weighted by the
      // part of it inside the box: frames on a boundary count partly (not all-or-nothing by
      // rounding), and the average stays centred on t, so a linear ramp stays linear.
      const double half_in = in_period / 2;
      const double half = std::min({period / 2, t - t0 + half_in, t_end + half_in - t});
      const double lo = t - half, hi = t + half;
      auto first = std::lower_bound(in.begin(), in.end(), lo - half_in,
                                    [](const FaceFrame& a, double v) { return a.time < v; });
      double weight = 0;
      for (auto it = first; it != in.end() && it->time - half_in < hi; ++it) {
        const double w = std::min(it->time + half_in, hi) - std::max(it->time - half_in, lo);
        if (!(w > 0)) continue;
        const Channels ci = channels_of(*it);
        for (std::size_t q = 0; q < kChannels; ++q) c[q] += w * ci[q];
        weight += w;
        ++n;
      }
      if (n > 0)
        for (double& v : c) v /= weight;
    }
    if (n == 0) {  // linear interpolation between the neighbours of t
      if (j >= in.size()) {
        c = channels_of(in.back());
      } else if (j == 0 || in[j].time <= t + 1e-9) {
        c = channels_of(in[j]);
      } else {
        const double w = (t - in[j - 1].time) / (in[j].time - in[j - 1].time);
        const Channels a = channels_of(in[j - 1]), b = channels_of(in[j]);
        for (std::size_t q = 0; q < kChannels; ++q) c[q] = a[q] + w * (b[q] - a[q]);
      }
    }
    store(c, f);
    out.frames.push_back(std::move(f));
  }
  return out;
}

}  // namespace semblend
