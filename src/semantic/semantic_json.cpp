// The JSON form of a SemanticDescription (docs/semantics.md, "JSON schema").
#include "semantic/semantic_json.h"

#include <cmath>

#include "semblend/semantic.h"

namespace semblend {
namespace {

using json = nlohmann::ordered_json;

double round4(float v) {
  return std::round(double(v) * 1e4) / 1e4 + 0.0;  // + 0.0: no "-0.0" in the output
}

std::string side_of(const ActionInfo& a, const ActionReading& r) {
  if (a.kind == ActionKind::Bilateral) return "both";
  const bool l = r.left_bin >= Intensity::A, rt = r.right_bin >= Intensity::A;
  return l && rt ? "both" : l ? "left" : "right";
}

std::string letter(Intensity i) {
  return i == Intensity::None ? "none" : std::string(1, band(i).letter);
}

}  // namespace

json semantic_to_json(const SemanticDescription& d) {
  json j;
  j["semantic_version"] = SemanticDescription::kVersion;
  j["category"] = category_name(d.category);
  j["confidence"] = round4(d.confidence);
  if (d.category == Category::Happiness) j["duchenne"] = d.duchenne;
  json regions = json::object();
  for (std::size_t r = 0; r < kRegionCount; ++r) {
    json list = json::array();
    for (std::size_t i = 0; i < kActionCount; ++i) {
      const ActionInfo& a = kActions[i];
      const ActionReading& rd = d.actions[i];
      if (static_cast<std::size_t>(a.region) != r || rd.bin() < Intensity::A) continue;
      json item{{"action", a.name}, {"intensity", letter(rd.bin())}, {"side", side_of(a, rd)}};
      if (a.kind == ActionKind::Bilateral) {
        item["value"] = round4(rd.left);
      } else {
        item["left"] = round4(rd.left);
        item["right"] = round4(rd.right);
        item["left_intensity"] = letter(rd.left_bin);
        item["right_intensity"] = letter(rd.right_bin);
        item["asymmetry"] = round4(rd.left - rd.right);
      }
      list.push_back(std::move(item));
    }
    regions[std::string(region_name(static_cast<Region>(r)))] = std::move(list);
  }
  j["regions"] = std::move(regions);
  json aus = json::object();
  for (std::size_t i = 0; i < kAuCount; ++i) {
    const AuReading& a = d.action_units[i];
    if (intensity_of(a.value()) < Intensity::A) continue;
    aus[std::string(kActionUnits[i].code)] = {{"intensity", letter(intensity_of(a.value()))},
                                              {"left", round4(a.left)},
                                              {"right", round4(a.right)}};
  }
  j["action_units"] = std::move(aus);
  json scores = json::object();
  for (std::size_t c = 0; c < kCategoryCount; ++c)
    scores[std::string(category_name(static_cast<Category>(c)))] = round4(d.scores[c]);
  j["scores"] = std::move(scores);
  j["symmetry"] = {{"asymmetry", round4(d.asymmetry)},
                   {"most_asymmetric", info(d.most_asymmetric).name},
                   {"statement", symmetry_statement(d)}};
  if (d.has_head_pose)
    j["head"] = {{"yaw", round4(d.head_yaw)},
                 {"pitch", round4(d.head_pitch)},
                 {"roll", round4(d.head_roll)}};
  j["text"] = sentence(d);
  return j;
}

std::string semantic_json(const SemanticDescription& d) {
  return semantic_to_json(d).dump();
}

}  // namespace semblend
