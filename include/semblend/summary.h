// semblend/summary.h — what `semblend info` reports about a take.
//
// summarize: frame count, duration, frame rate, per-shape min/mean/max and the most active shapes
//   (ranked by mean activation; ties by peak). Pure; an empty take gives zeros.
// summary_text / summary_json: the same summary for people (stdout) and for programs.
// Thread safety: pure functions over values.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "semblend/take.h"

namespace semblend {

struct ChannelStats {
  float min = 0, mean = 0, max = 0;
};

struct TakeSummary {
  std::size_t frames = 0;
  double duration = 0;  // seconds
  double fps = 0;
  std::array<ChannelStats, kBlendshapeCount> shapes{};
  std::array<ChannelStats, kPoseChannelCount> pose{};
  std::vector<Blendshape> most_active;  // every shape, most active first
};

TakeSummary summarize(const Take& take);
// `top` = how many of the most active shapes to list.
std::string summary_text(const TakeSummary& s, const std::string& name, std::size_t top = 8);
std::string summary_json(const TakeSummary& s, const std::string& name);

}  // namespace semblend
