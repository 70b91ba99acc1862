// Deterministic English for a SemanticDescription: a sentence, the region-by-region analysis, and
// the symmetry statement. Wording is golden-tested (tests/semantic/golden_test.cpp).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "semblend/semantic.h"

namespace semblend {
namespace {

constexpr float kSideGap = 0.15f;  // |left - right| from which one side is called stronger
constexpr float kClosed = 0.8f;    // lid closure read as "closed"

// Regions in the order a reader scans a face in the sentence: mouth first (most informative).
constexpr std::array<Region, kRegionCount> kSentenceOrder{
    Region::Mouth, Region::Jaw,  Region::Cheeks, Region::Eyes,
    Region::Brows, Region::Nose, Region::Tongue, Region::Gaze};
constexpr std::array<Region, kRegionCount> kAnalysisOrder{
    Region::Brows, Region::Eyes, Region::Gaze,  Region::Cheeks,
    Region::Nose,  Region::Jaw,  Region::Mouth, Region::Tongue};

std::string capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

std::string fixed2(float v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", double(v));
  return buf;
}

const ActionReading& reading(const SemanticDescription& d, Action a) {
  return d.actions[static_cast<std::size_t>(a)];
}

// "stronger on the left", "on the right only", or "" (symmetric / not sided).
std::string side_phrase(const ActionInfo& a, const ActionReading& r, Intensity floor) {
  if (a.kind != ActionKind::Paired) return "";
  const bool l = r.left_bin >= floor, rt = r.right_bin >= floor;
  const float gap = std::abs(r.left - r.right);
  if (l && !rt && gap >= kSideGap / 2) return "on the left";
  if (rt && !l && gap >= kSideGap / 2) return "on the right";
  if (std::abs(r.left - r.right) >= kSideGap)
    return r.left > r.right ? "stronger on the left" : "stronger on the right";
  return "";
}

// The phrase for one active action: "marked smile, stronger on the left", "left eye closed".
std::string action_phrase(const ActionInfo& a, const ActionReading& r, Intensity floor) {
  if (a.action == Action::LidClose) {
    const bool l = r.left >= kClosed, rt = r.right >= kClosed;
    if (l && rt) return "eyes closed";
    if (l && r.right_bin < Intensity::B) return "left eye closed (a wink)";
    if (rt && r.left_bin < Intensity::B) return "right eye closed (a wink)";
  }
  std::string p = std::string(band(r.bin()).word) + " " + std::string(a.noun);
  const std::string side = side_phrase(a, r, floor);
  if (!side.empty()) p += (side.rfind("stronger", 0) == 0 ? ", " : " ") + side;
  return p;
}

std::string au_label(const ActionInfo& a, const ActionReading& r) {
  const auto au = info(a.left).action_units[0];
  if (au == 0) return "";
  return std::string(" (AU") + std::to_string(au) + " " + band(r.bin()).letter + ")";
}

std::string category_gloss(const SemanticDescription& d) {
  switch (d.category) {
    case Category::Neutral:
      return "a neutral face";
    case Category::Happiness:
      return d.duchenne ? "a genuine (Duchenne) smile" : "a social smile (the cheeks do not lift)";
    case Category::Surprise:
      return "surprise";
    case Category::Sadness:
      return "sadness";
    case Category::Anger:
      return "anger";
    case Category::Fear:
      return "fear";
    case Category::Disgust:
      return "disgust";
    case Category::Contempt:
      return "contempt (a one-sided smile)";
    case Category::Speaking: {
      const ActionReading& lids = reading(d, Action::LidClose);
      if (std::abs(lids.left - lids.right) >= 0.3f && lids.value() >= kClosed)
        return "a wink rather than an emotion";
      for (Region r : {Region::Mouth, Region::Jaw, Region::Tongue, Region::Cheeks})
        for (const ActionInfo& a : kActions)
          if (a.region == r && reading(d, a.action).bin() >= Intensity::B)
            return "speech or another mouth movement";
      return "a movement with no emotional pattern";
    }
  }
  return "";
}

std::string implication(const SemanticDescription& d) {
  switch (d.category) {
    case Category::Neutral:
      return "Not clearly observable: the face is at rest.";
    case Category::Happiness:
      return d.duchenne ? "Enjoyment: the lifted cheeks mark a felt (Duchenne) smile."
                        : "Friendliness or politeness: a smile without the cheek raise of felt "
                          "enjoyment.";
    case Category::Surprise:
      return "Surprise or sudden attention: raised brows, open eyes and jaw.";
    case Category::Sadness:
      return "Sadness or distress: inner brows raised and lip corners down.";
    case Category::Anger:
      return "Anger or determination: lowered brows, tightened lids and lips.";
    case Category::Fear:
      return "Fear or alarm: raised and drawn-together brows with stretched lips.";
    case Category::Disgust:
      return "Disgust or aversion: wrinkled nose and raised upper lip.";
    case Category::Contempt:
      return "Contempt or scepticism: one lip corner tightened.";
    case Category::Speaking:
      return "Not clearly observable: the mouth moves as in speech, with no emotional pattern.";
  }
  return "";
}

}  // namespace

std::string symmetry_statement(const SemanticDescription& d) {
  const ActionInfo& a = info(d.most_asymmetric);
  const ActionReading& r = reading(d, d.most_asymmetric);
  if (d.asymmetry < kSideGap || r.bin() < Intensity::A) return "Mostly symmetric.";
  std::string s = "Asymmetric: ";
  if (a.action == Action::LidClose && std::max(r.left, r.right) >= kClosed)
    s += std::string("a wink of the ") + (r.left > r.right ? "left" : "right") + " eye";
  else
    s += std::string(a.noun) + " stronger on the " + (r.left > r.right ? "left" : "right");
  return s + " (left " + fixed2(r.left) + ", right " + fixed2(r.right) + "; subject's sides).";
}

std::string sentence(const SemanticDescription& d) {
  // Active actions (slight or more), strongest first; ties keep the reading order of regions.
  std::vector<const ActionInfo*> active;
  for (Region region : kSentenceOrder)
    for (const ActionInfo& a : kActions)
      if (a.region == region && reading(d, a.action).bin() >= Intensity::B) active.push_back(&a);
  std::stable_sort(active.begin(), active.end(), [&](const ActionInfo* x, const ActionInfo* y) {
    return reading(d, x->action).bin() > reading(d, y->action).bin();
  });
  std::vector<std::string> phrases;
  for (const ActionInfo* a : active)
    phrases.push_back(action_phrase(*a, reading(d, a->action), Intensity::B));
  if (phrases.empty())
    return d.category == Category::Neutral ? "Neutral face: no action above trace level."
                                           : "Only trace actions — " + category_gloss(d) + ".";
  std::string out = capitalised(phrases[0]);
  for (std::size_t i = 1; i < phrases.size(); ++i) out += "; " + phrases[i];
  out += " — ";
  if (d.confidence < 0.5f) out += "possibly ";
  out += category_gloss(d) + ".";
  return out;
}

std::string analysis(const SemanticDescription& d) {
  std::string out = "1. Facial expression category: " + std::string(category_name(d.category)) +
                    " — " + category_gloss(d) + " (confidence " + fixed2(d.confidence) + ").\n";
  out += "2. Muscle movements by region:\n";
  for (Region region : kAnalysisOrder) {
    std::vector<std::string> parts;
    for (const ActionInfo& a : kActions) {
      const ActionReading& r = reading(d, a.action);
      if (a.region != region || r.bin() < Intensity::A) continue;
      parts.push_back(action_phrase(a, r, Intensity::A) + au_label(a, r));
    }
    std::string line = "   - " + capitalised(std::string(region_name(region))) + ": ";
    if (parts.empty()) {
      line += region == Region::Gaze     ? "straight ahead."
              : region == Region::Tongue ? "not shown."
                                         : "at rest.";
    } else {
      for (std::size_t i = 0; i < parts.size(); ++i) line += (i ? "; " : "") + parts[i];
      line += ".";
    }
    out += line + "\n";
  }
  out += "3. Emotional implication: " + implication(d) + "\n";
  out += "4. Symmetry: " + symmetry_statement(d);
  return out;
}

}  // namespace semblend
