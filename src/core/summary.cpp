#include "semblend/summary.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>

namespace semblend {

TakeSummary summarize(const Take& take) {
  TakeSummary s;
  s.frames = take.frames.size();
  s.duration = take.duration();
  s.fps = take.fps;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) s.most_active.push_back(blendshape_at(k));
  if (take.frames.empty()) return s;
  auto accumulate = [&](auto&& value_of, std::size_t n, auto& out) {
    for (std::size_t k = 0; k < n; ++k) {
      double lo = std::numeric_limits<double>::max(), hi = -lo, sum = 0;
      for (const FaceFrame& f : take.frames) {
        const double v = value_of(f, k);
        lo = std::min(lo, v);
        hi = std::max(hi, v);
        sum += v;
      }
      out[k] = {static_cast<float>(lo), static_cast<float>(sum / static_cast<double>(s.frames)),
                static_cast<float>(hi)};
    }
  };
  accumulate([](const FaceFrame& f, std::size_t k) { return double(f.coefficients.at(k)); },
             kBlendshapeCount, s.shapes);
  accumulate([](const FaceFrame& f, std::size_t k) { return double(f.pose(PoseChannel(k))); },
             kPoseChannelCount, s.pose);
  std::stable_sort(s.most_active.begin(), s.most_active.end(), [&](Blendshape a, Blendshape b) {
    const auto &sa = s.shapes[index_of(a)], &sb = s.shapes[index_of(b)];
    return sa.mean != sb.mean ? sa.mean > sb.mean : sa.max > sb.max;
  });
  return s;
}

std::string summary_text(const TakeSummary& s, const std::string& name, std::size_t top) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "%s: %zu frames, %.3f s at %.3g fps\n", name.c_str(), s.frames,
                s.duration, s.fps);
  out += line;
  if (s.frames == 0) return out;
  out += "most active shapes (mean, peak):\n";
  for (std::size_t i = 0; i < std::min(top, s.most_active.size()); ++i) {
    const auto& st = s.shapes[index_of(s.most_active[i])];
    std::snprintf(line, sizeof line, "  %-20s mean %.3f  peak %.3f\n",
                  std::string(info(s.most_active[i]).apple_name).c_str(), double(st.mean),
                  double(st.max));
    out += line;
  }
  out += "\nshape                  region    min     mean    max\n";
  for (const auto& row : kBlendshapes) {
    const auto& st = s.shapes[index_of(row.shape)];
    std::snprintf(line, sizeof line, "%-22s %-8s %6.3f  %6.3f  %6.3f\n",
                  std::string(row.apple_name).c_str(), std::string(region_name(row.region)).c_str(),
                  double(st.min), double(st.mean), double(st.max));
    out += line;
  }
  out += "\nangle (degrees)        min     mean    max\n";
  for (std::size_t c = 0; c < kPoseChannelCount; ++c) {
    const auto& st = s.pose[c];
    const double deg = 180.0 / kPi;
    std::snprintf(line, sizeof line, "%-22s %6.1f  %6.1f  %6.1f\n",
                  std::string(kPoseChannelNames[c]).c_str(), st.min * deg, st.mean * deg,
                  st.max * deg);
    out += line;
  }
  return out;
}

std::string summary_json(const TakeSummary& s, const std::string& name) {
  using nlohmann::json;
  json j;
  j["file"] = name;
  j["frames"] = s.frames;
  j["duration"] = s.duration;
  j["fps"] = s.fps;
  json shapes = json::object();
  for (const auto& row : kBlendshapes) {
    const auto& st = s.shapes[index_of(row.shape)];
    shapes[std::string(row.apple_name)] = {{"min", st.min}, {"mean", st.mean}, {"max", st.max}};
  }
  j["blendshapes"] = shapes;
  json pose = json::object();
  for (std::size_t c = 0; c < kPoseChannelCount; ++c)
    pose[std::string(kPoseChannelNames[c])] = {
        {"min", s.pose[c].min}, {"mean", s.pose[c].mean}, {"max", s.pose[c].max}};
  j["angles"] = pose;
  json active = json::array();
  for (std::size_t i = 0; i < std::min<std::size_t>(8, s.most_active.size()); ++i)
    active.push_back(info(s.most_active[i]).apple_name);
  j["most_active"] = active;
  return j.dump(2) + "\n";
}

}  // namespace semblend
