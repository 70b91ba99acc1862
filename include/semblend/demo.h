// semblend/demo.h — the bundled default input: a short take the project makes itself.
//
// make_demo_take: a 6.5 s scripted performance (neutral, blink, Duchenne smile, "ah", surprise,
//   left wink, a glance to the subject's left) at `fps`, built from smooth keyframe envelopes, with
//   matching eye and head angles. Each frame's `analysis` names the action in progress.
// describe_demo: the script in words, one line per segment, with the peak values actually reached
//   in the generated take (so the words are checked against the data), and what the semantic
//   layer (semantic.h) reads at each segment's strongest frame.
// Deterministic; pure. Throws std::invalid_argument for fps <= 0.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "semblend/take.h"

namespace semblend {

struct DemoSegment {
  double start = 0, end = 0;  // seconds
  std::string label;          // "Duchenne smile"
  std::string words;          // "both lip corners rise, cheeks lift and the eyes narrow"
  std::vector<std::pair<Blendshape, float>> targets;  // peak values
};

struct DemoTake {
  Take take;
  std::vector<DemoSegment> script;
};

DemoTake make_demo_take(double fps = 60);
std::string describe_demo(const DemoTake& demo);

}  // namespace semblend
