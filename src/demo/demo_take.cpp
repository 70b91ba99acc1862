#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

#include "semblend/demo.h"
#include "semblend/semantic.h"

namespace semblend {
namespace {

using B = Blendshape;

// The script: what the demo face does and when. Peaks are what a rig artist would key for a clear,
// readable version of each action.
std::vector<DemoSegment> script() {
  return {
      {0.0, 0.6, "neutral", "the face rests", {}},
      {0.6,
       1.0,
       "blink",
       "both eyes close fully and reopen",
       {{B::EyeBlinkLeft, 1.0f}, {B::EyeBlinkRight, 1.0f}}},
      {1.0,
       2.2,
       "Duchenne smile",
       "both lip corners rise, the cheeks lift and the eyes narrow",
       {{B::MouthSmileLeft, 0.8f},
        {B::MouthSmileRight, 0.8f},
        {B::CheekSquintLeft, 0.5f},
        {B::CheekSquintRight, 0.5f},
        {B::EyeSquintLeft, 0.3f},
        {B::EyeSquintRight, 0.3f}}},
      {2.2,
       3.2,
       "\"ah\"",
       "the jaw drops and the lower lip follows, as in saying \"ah\"",
       {{B::JawOpen, 0.7f}, {B::MouthLowerDownLeft, 0.3f}, {B::MouthLowerDownRight, 0.3f}}},
      {3.2,
       4.2,
       "surprise",
       "the brows rise, the eyes widen and the jaw drops a little",
       {{B::BrowInnerUp, 0.8f},
        {B::BrowOuterUpLeft, 0.7f},
        {B::BrowOuterUpRight, 0.7f},
        {B::EyeWideLeft, 0.6f},
        {B::EyeWideRight, 0.6f},
        {B::JawOpen, 0.35f}}},
      {4.2,
       5.0,
       "left wink",
       "the subject's left eye closes with a half smile on that side",
       {{B::EyeBlinkLeft, 1.0f}, {B::MouthSmileLeft, 0.4f}, {B::CheekSquintLeft, 0.3f}}},
      {5.0,
       6.0,
       "glance left",
       "both eyes turn to the subject's left and the head follows slightly",
       {{B::EyeLookOutLeft, 0.7f}, {B::EyeLookInRight, 0.7f}}},
      {6.0, 6.5, "neutral", "the face rests again", {}},
  };
}

// 0 -> 1 -> 0 over [start, end): smooth ramps over the first and last quarter (blinks: halves).
double envelope(const DemoSegment& s, double t) {
  if (t < s.start || t >= s.end) return 0;
  const double u = (t - s.start) / (s.end - s.start);
  const double ramp = s.label == "blink" || s.label == "left wink" ? 0.5 : 0.25;
  const double x = std::min({u / ramp, (1 - u) / ramp, 1.0});
  return x * x * (3 - 2 * x);  // smoothstep
}

}  // namespace

DemoTake make_demo_take(double fps) {
  if (!(fps > 0)) throw std::invalid_argument("demo frame rate must be positive");
  DemoTake demo;
  demo.script = script();
  Take& take = demo.take;
  take.fps = fps;
  take.metadata["source"] = "semblend demo";
  const double end = demo.script.back().end;
  const auto n = static_cast<std::size_t>(std::floor(end * fps));
  for (std::size_t i = 0; i < n; ++i) {
    FaceFrame f;
    f.time = static_cast<double>(i) / fps;
    for (const DemoSegment& s : demo.script) {
      const double w = envelope(s, f.time);
      if (f.time >= s.start && f.time < s.end) f.analysis = s.label + ": " + s.words;
      for (const auto& [shape, peak] : s.targets)
        f.coefficients.set(shape, std::max(f.coefficients[shape], static_cast<float>(w * peak)));
    }
    // The eyes' angles are the glance's (toward the subject's left = eyeLookOutLeft); the head
    // follows it a little.
    const float glance = f.coefficients[B::EyeLookOutLeft] / 0.7f;
    f.left_eye = eye_pose_from_look(f.coefficients, Side::Left);
    f.right_eye = eye_pose_from_look(f.coefficients, Side::Right);
    f.head.yaw = 0.12f * glance;
    f.head.pitch = static_cast<float>(0.02 * std::sin(2 * kPi * 0.3 * f.time));  // breathing sway
    take.frames.push_back(std::move(f));
  }
  return demo;
}

std::string describe_demo(const DemoTake& demo) {
  std::string out;
  char buf[128];
  for (const DemoSegment& s : demo.script) {
    std::snprintf(buf, sizeof buf, "%5.2f-%5.2f s  ", s.start, s.end);
    out += buf;
    out += s.label + ": " + s.words;
    // Peaks reached in the generated data, not the script's intentions.
    std::string peaks;
    for (const auto& [shape, target] : s.targets) {
      float peak = 0;
      for (const FaceFrame& f : demo.take.frames)
        if (f.time >= s.start && f.time < s.end) peak = std::max(peak, f.coefficients[shape]);
      std::snprintf(buf, sizeof buf, "%s%s %.2f", peaks.empty() ? "" : ", ",
                    std::string(info(shape).apple_name).c_str(), double(peak));
      peaks += buf;
    }
    out += peaks.empty() ? "\n" : " (" + peaks + ")\n";
    // What the semantic layer reads at the segment's strongest frame.
    const FaceFrame* key = nullptr;
    float strongest = -1;
    for (const FaceFrame& f : demo.take.frames) {
      if (f.time < s.start || f.time >= s.end) continue;
      float total = 0;
      for (float v : f.coefficients.values()) total += v;
      if (total > strongest) strongest = total, key = &f;
    }
    if (key) {
      std::snprintf(buf, sizeof buf, "%16s semantics at %.2f s: ", "", key->time);
      out += buf + sentence(describe(key->coefficients)) + "\n";
    }
  }
  return out;
}

}  // namespace semblend
