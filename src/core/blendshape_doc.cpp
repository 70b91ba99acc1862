#include <nlohmann/json.hpp>

#include "semblend/blendshape.h"

namespace semblend {
namespace {

std::string action_units_text(const BlendshapeInfo& r) {
  std::string aus;
  for (auto au : r.action_units)
    if (au) aus += (aus.empty() ? "AU" : ", AU") + std::to_string(au);
  return aus.empty() ? "—" : aus;
}

}  // namespace

std::string blendshape_table_markdown() {
  std::string out =
      "| # | Apple name | Live Link Face | _L/_R name | region | side | mirror | FACS | meaning |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const auto& r : kBlendshapes) {
    out += "| " + std::to_string(index_of(r.shape)) + " | `" + std::string(r.apple_name) + "` | `" +
           std::string(r.livelink_name) + "` | `" + std::string(r.arkit_lr_name) + "` | " +
           std::string(region_name(r.region)) + " | " + std::string(side_name(r.side)) + " | `" +
           std::string(info(r.mirror).apple_name) + "` | " + action_units_text(r) + " | " +
           std::string(r.meaning) + " |\n";
  }
  return out;
}

std::string blendshape_table_json() {
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& r : kBlendshapes) {
    nlohmann::json aus = nlohmann::json::array();
    for (auto au : r.action_units)
      if (au) aus.push_back(au);
    rows.push_back({{"index", index_of(r.shape)},
                    {"apple", r.apple_name},
                    {"livelink", r.livelink_name},
                    {"lr", r.arkit_lr_name},
                    {"region", region_name(r.region)},
                    {"side", side_name(r.side)},
                    {"mirror", info(r.mirror).apple_name},
                    {"action_units", aus},
                    {"meaning", r.meaning}});
  }
  return rows.dump(2) + "\n";
}

}  // namespace semblend
