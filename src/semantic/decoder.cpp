// The decoder (description -> coefficient ranges) and semantic edits.
#include <algorithm>
#include <array>
#include <cctype>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/text_util.h"
#include "semblend/semantic.h"

namespace semblend {
namespace {

using B = Blendshape;

// A representative value inside each band: its middle (None: 0; a step above E: 1).
float band_mid(Intensity i) {
  if (i == Intensity::None) return 0;
  return 0.5f * (band(i).lower + band_upper(i));
}

// Shapes that cannot both be strong: raising one relaxes the other (docs/semantics.md, "Edits").
// All pairs lie within one region, so an edit never reaches outside its region through them.
struct Antagonists {
  B a, b;
};
// clang-format off
constexpr std::array<Antagonists, 16> kAntagonists{{
  {B::MouthSmileLeft, B::MouthFrownLeft},   {B::MouthSmileRight, B::MouthFrownRight},
  {B::EyeBlinkLeft, B::EyeWideLeft},        {B::EyeBlinkRight, B::EyeWideRight},
  {B::EyeLookUpLeft, B::EyeLookDownLeft},   {B::EyeLookUpRight, B::EyeLookDownRight},
  {B::EyeLookInLeft, B::EyeLookOutLeft},    {B::EyeLookInRight, B::EyeLookOutRight},
  {B::JawLeft, B::JawRight},                {B::MouthLeft, B::MouthRight},
  {B::BrowDownLeft, B::BrowOuterUpLeft},    {B::BrowDownRight, B::BrowOuterUpRight},
  {B::MouthPucker, B::MouthStretchLeft},    {B::MouthPucker, B::MouthStretchRight},
  {B::MouthPressLeft, B::MouthLowerDownLeft}, {B::MouthPressRight, B::MouthLowerDownRight},
}};
// clang-format on

void relax_antagonists(Coefficients& c, B raised, float increase) {
  for (const auto& pair : kAntagonists) {
    B other;
    if (pair.a == raised)
      other = pair.b;
    else if (pair.b == raised)
      other = pair.a;
    else
      continue;
    const float v = c[other];
    c.set(other, std::clamp(std::min(v - increase, 1 - c[raised]), 0.0f, v));
  }
}

std::optional<Action> action_named(const std::string& name) {
  for (const ActionInfo& a : kActions)
    if (name == a.name) return a.action;
  // A few everyday words people type on the judging page.
  static constexpr std::pair<std::string_view, Action> kAliases[] = {
      {"jaw", Action::JawOpen},      {"blink", Action::LidClose},    {"squint", Action::LidTighten},
      {"wide", Action::LidWiden},    {"sneer", Action::NoseWrinkle}, {"puff", Action::CheekPuff},
      {"tongue", Action::TongueOut}, {"mouth_open", Action::JawOpen}};
  for (const auto& [alias, a] : kAliases)
    if (name == alias) return a;
  return std::nullopt;
}

std::optional<Region> region_named(const std::string& name) {
  for (std::size_t r = 0; r < kRegionCount; ++r)
    if (name == region_name(static_cast<Region>(r))) return static_cast<Region>(r);
  return std::nullopt;
}

bool in_region(B s, const std::optional<Region>& region) {
  return !region || info(s).region == *region;
}

}  // namespace

std::array<ValueRange, kBlendshapeCount> decode_ranges(const SemanticDescription& d) {
  std::array<ValueRange, kBlendshapeCount> out{};
  for (std::size_t i = 0; i < kActionCount; ++i) {
    const ActionInfo& a = kActions[i];
    const ActionReading& r = d.actions[i];
    out[index_of(a.left)] = {band(r.left_bin).lower, band_upper(r.left_bin)};
    out[index_of(a.right)] = {band(r.right_bin).lower, band_upper(r.right_bin)};
  }
  return out;
}

Coefficients decode_midpoints(const SemanticDescription& d) {
  Coefficients c;
  for (std::size_t i = 0; i < kActionCount; ++i) {
    c.set(kActions[i].left, band_mid(d.actions[i].left_bin));
    c.set(kActions[i].right, band_mid(d.actions[i].right_bin));
  }
  return c;
}

SemanticEdit parse_edit(std::string_view text) {
  std::vector<std::string> words;
  std::string word;
  for (char ch : to_lower(text) + " ") {
    if (ch == ' ' || ch == '\t') {
      if (!word.empty()) words.push_back(word);
      word.clear();
    } else {
      word += ch;
    }
  }
  if (words.empty()) throw std::invalid_argument("empty edit");
  SemanticEdit e;
  const std::string verb = words[0];
  words.erase(words.begin());
  if (verb == "more" || verb == "less") {
    e.kind = verb == "more" ? EditKind::More : EditKind::Less;
    // Trailing step count and side, then the action name (words joined by '_').
    if (!words.empty() && std::all_of(words.back().begin(), words.back().end(), ::isdigit)) {
      e.steps = std::stoi(words.back());
      words.pop_back();
      if (e.steps < 1 || e.steps > 5) throw std::invalid_argument("edit steps must be 1..5");
    }
    auto join = [&](std::size_t n) {
      std::string s;
      for (std::size_t i = 0; i < n; ++i) s += (i ? "_" : "") + words[i];
      return s;
    };
    if (auto a = action_named(join(words.size()))) {
      e.action = a;
    } else if (words.size() >= 2 &&
               (words.back() == "left" || words.back() == "right" || words.back() == "both")) {
      e.action = action_named(join(words.size() - 1));
      e.side = words.back() == "left"    ? Side::Left
               : words.back() == "right" ? Side::Right
                                         : Side::Both;
    }
    if (!e.action)
      throw std::invalid_argument("unknown action in edit \"" + std::string(text) +
                                  "\" (expected e.g. \"more smile\", \"less jaw_open left\")");
    return e;
  }
  if (verb == "mirror")
    e.kind = EditKind::Mirror;
  else if (verb == "symmetrize" || verb == "symmetrise")
    e.kind = EditKind::Symmetrize;
  else if (verb == "neutralize" || verb == "neutralise")
    e.kind = EditKind::Neutralize;
  else
    throw std::invalid_argument("unknown edit \"" + std::string(text) +
                                "\" (more, less, mirror, symmetrize, neutralize)");
  if (words.size() > 1)
    throw std::invalid_argument("too many words in edit \"" + std::string(text) + "\"");
  if (words.size() == 1) {
    e.region = region_named(words[0]);
    if (!e.region) throw std::invalid_argument("unknown region \"" + words[0] + "\"");
  }
  return e;
}

std::string edit_name(const SemanticEdit& e) {
  switch (e.kind) {
    case EditKind::More:
    case EditKind::Less: {
      std::string s = e.kind == EditKind::More ? "more " : "less ";
      s += std::string(info(e.action.value_or(Action::Smile)).name);
      if (e.side != Side::Both) s += " " + std::string(side_name(e.side));
      if (e.steps != 1) s += " " + std::to_string(e.steps);
      return s;
    }
    case EditKind::Mirror:
    case EditKind::Symmetrize:
    case EditKind::Neutralize: {
      std::string s = e.kind == EditKind::Mirror       ? "mirror"
                      : e.kind == EditKind::Symmetrize ? "symmetrize"
                                                       : "neutralize";
      if (e.region) s += " " + std::string(region_name(*e.region));
      return s;
    }
  }
  return "";
}

Coefficients apply_edit(const Coefficients& in, const SemanticEdit& e) {
  Coefficients c = in.clamped();
  const float jaw_before = c[B::JawOpen];
  switch (e.kind) {
    case EditKind::More:
    case EditKind::Less: {
      if (!e.action) throw std::invalid_argument("a more/less edit needs an action");
      const ActionInfo& a = info(*e.action);
      std::vector<B> shapes;
      if (a.kind == ActionKind::Bilateral)
        shapes = {a.left};
      else if (e.side == Side::Left)
        shapes = {a.left};
      else if (e.side == Side::Right)
        shapes = {a.right};
      else
        shapes = {a.left, a.right};
      for (B s : shapes) {
        const float v = c[s];
        const int bin = static_cast<int>(intensity_of(v));
        const int top = static_cast<int>(kIntensityCount) - 1;
        float target;
        if (e.kind == EditKind::More)
          target = bin + e.steps > top ? 1.0f : band_mid(static_cast<Intensity>(bin + e.steps));
        else
          target = bin - e.steps < 0 ? 0.0f : band_mid(static_cast<Intensity>(bin - e.steps));
        if (e.kind == EditKind::More)
          target = std::max(target, v);
        else
          target = std::min(target, v);
        c.set(s, target);
        if (target > v) relax_antagonists(c, s, target - v);
      }
      break;
    }
    case EditKind::Mirror: {
      const Coefficients m = c.mirrored();
      for (const auto& row : kBlendshapes)
        if (in_region(row.shape, e.region)) c.set(row.shape, m[row.shape]);
      break;
    }
    case EditKind::Symmetrize:
      for (const ActionInfo& a : kActions) {
        if (a.kind == ActionKind::Bilateral || !in_region(a.left, e.region)) continue;
        const float mean = 0.5f * (c[a.left] + c[a.right]);
        c.set(a.left, mean);
        c.set(a.right, mean);
      }
      break;
    case EditKind::Neutralize:
      for (const auto& row : kBlendshapes)
        if (in_region(row.shape, e.region)) c.set(row.shape, 0);
      break;
  }
  // mouthClose (lips held together while the jaw is open) cannot exceed jawOpen.
  if (c[B::JawOpen] != jaw_before && c[B::MouthClose] > c[B::JawOpen])
    c.set(B::MouthClose, c[B::JawOpen]);
  return c;
}

}  // namespace semblend
