// semblend/filter.h — temporal filtering and resampling of takes.
//
// OneEuroFilter: the One Euro filter (Casiez, Roussel & Vogel, CHI 2012), the standard for
//   jitter-free tracking: a low-pass filter whose cutoff rises with the signal's speed, so a still
//   face stays still and a fast blink still gets through. State: the previous value, derivative and
//   time. Parameters: `min_cutoff` (Hz; lower = smoother at rest), `beta` (how fast the cutoff
//   rises with speed, per unit/s; higher = less lag on fast motion), `d_cutoff` (Hz, for the
//   derivative).
// FrameSmoother / smooth_take: one filter per channel (52 coefficients + 9 angles), driven by frame
// times.
//   Output coefficients stay within the range of the inputs (each step is a convex blend).
// resample_take: frames at a new rate, at times t0 + k / fps up to the last input time. Upsampling
//   interpolates linearly between neighbours; downsampling averages the input frames inside each
//   output frame's interval (a box filter, so fast motion aliases less than plain decimation).
//   Text fields (analysis, source) come from the nearest input frame.
// Failure modes: std::invalid_argument for non-positive rates or cutoffs, non-increasing times.
// Thread safety: OneEuroFilter is a value with state, one per thread; the functions are pure.
#pragma once

#include <array>

#include "semblend/take.h"

namespace semblend {

struct OneEuroParams {
  // Chosen by `semblend eval temporal` (docs/temporal.md): the stillest setting of its grid that
  // still lets a 2-frame blink reach 0.8 within 2 frames at 30 fps (it does in 1).
  double min_cutoff = 0.5;  // Hz
  double beta = 2.0;        // per (unit/s): coefficient speeds are a few units per second
  double d_cutoff = 1.0;    // Hz
};

class OneEuroFilter {
 public:
  explicit OneEuroFilter(OneEuroParams params = {});
  // Filters sample `x` taken at `time` seconds (strictly after the previous sample).
  double operator()(double x, double time);
  void reset() { initialised_ = false; }

 private:
  OneEuroParams params_;
  bool initialised_ = false;
  double prev_x_ = 0, prev_dx_ = 0, prev_time_ = 0;
};

struct SmoothOptions {
  OneEuroParams coefficients{};
  OneEuroParams pose{1.0, 0.5, 1.0};  // angles in radians move slower than coefficients
};

// One frame at a time (video, live): one OneEuroFilter per coefficient and pose angle, driven by
// the frames' times (strictly increasing). smooth_take is this over a whole take.
class FrameSmoother {
 public:
  explicit FrameSmoother(const SmoothOptions& options = {});
  void operator()(FaceFrame& frame);  // smooths `frame` in place
  void reset();

 private:
  std::array<OneEuroFilter, kBlendshapeCount> coefficients_;
  std::array<OneEuroFilter, kPoseChannelCount> pose_;
};

Take smooth_take(const Take& take, const SmoothOptions& options = {});
Take resample_take(const Take& take, double fps);

}  // namespace semblend
