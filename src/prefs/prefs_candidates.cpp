// Candidate pairs for preference judging (prefs_candidates.h).
#include "semblend/prefs_candidates.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "semblend/semantic.h"

namespace semblend::prefs {

namespace {

// The action slots of a comparison region, most active first.
std::vector<Action> actions_by_activity(const Coefficients& c, const ComparisonRegion& r) {
  std::vector<Action> out;
  for (const ActionInfo& a : kActions)
    if (r.regions[static_cast<std::size_t>(a.region)]) out.push_back(a.action);
  auto activity = [&](Action a) {
    const ActionInfo& i = kActions[static_cast<std::size_t>(a)];
    return std::max(c[i.left], c[i.right]);
  };
  std::stable_sort(out.begin(), out.end(),
                   [&](Action x, Action y) { return activity(x) > activity(y); });
  return out;
}

float activity(const Coefficients& c, Action a) {
  const ActionInfo& i = kActions[static_cast<std::size_t>(a)];
  return std::max(c[i.left], c[i.right]);
}

std::vector<Region> semantic_regions(const ComparisonRegion& r) {
  std::vector<Region> out;
  for (std::size_t k = 0; k < kRegionCount; ++k)
    if (r.regions[k]) out.push_back(static_cast<Region>(k));
  return out;
}

struct Alternative {
  std::string label;
  Coefficients c;
};

// The edits of one region, in the order they are most informative.
std::vector<Alternative> region_edits(const Coefficients& p, const ComparisonRegion& r) {
  std::vector<Alternative> out;
  const std::vector<Action> actions = actions_by_activity(p, r);
  auto edit = [&](SemanticEdit e) { out.push_back({edit_name(e), apply_edit(p, e)}); };
  auto more_less = [&](EditKind kind, const std::string& word) {
    const std::vector<Region> regions = semantic_regions(r);
    Coefficients c = p;
    for (Action a : actions) {
      if (activity(p, a) < band(Intensity::A).lower) continue;
      SemanticEdit e;
      e.kind = kind;
      e.action = a;
      c = apply_edit(c, e);
    }
    out.push_back({word + " " + std::string(r.name), c});
  };
  if (r.coarse) {
    more_less(EditKind::More, "stronger");
    more_less(EditKind::Less, "weaker");
    Coefficients c = p;
    for (Region g : semantic_regions(r)) {
      SemanticEdit e;
      e.kind = EditKind::Neutralize;
      e.region = g;
      c = apply_edit(c, e);
    }
    out.push_back({"neutral " + std::string(r.name), c});
    return out;
  }
  auto action_edit = [&](std::size_t rank, EditKind kind) {
    if (rank >= actions.size()) return;
    if (kind == EditKind::Less && activity(p, actions[rank]) < band(Intensity::A).lower) return;
    SemanticEdit e;
    e.kind = kind;
    e.action = actions[rank];
    edit(e);
  };
  auto region_edit = [&](EditKind kind) {
    for (Region g : semantic_regions(r)) {
      SemanticEdit e;
      e.kind = kind;
      e.region = g;
      edit(e);
    }
  };
  action_edit(0, EditKind::Less);
  action_edit(0, EditKind::More);
  region_edit(EditKind::Mirror);
  action_edit(1, EditKind::More);
  action_edit(1, EditKind::Less);
  region_edit(EditKind::Symmetrize);
  action_edit(2, EditKind::More);
  return out;
}

}  // namespace

const ComparisonRegion& comparison_region(std::string_view name) {
  return kComparisonRegions[comparison_region_index(name)];
}

std::size_t comparison_region_index(std::string_view name) {
  std::string names;
  for (std::size_t k = 0; k < kComparisonRegionCount; ++k) {
    if (kComparisonRegions[k].name == name) return k;
    names += (k ? ", " : "") + std::string(kComparisonRegions[k].name);
  }
  throw std::invalid_argument("unknown comparison region \"" + std::string(name) +
                              "\" (known: " + names + ")");
}

bool in_region(const ComparisonRegion& r, Blendshape s) {
  return r.regions[static_cast<std::size_t>(info(s).region)];
}

Coefficients restrict_to_region(const Coefficients& base, const Coefficients& other,
                                const ComparisonRegion& r) {
  Coefficients c = base;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (in_region(r, blendshape_at(k))) c.set_at(k, other.at(k));
  // Lips cannot meet while the jaw is closed further than they are (semantic.h apply_edit).
  if (c[Blendshape::MouthClose] > c[Blendshape::JawOpen])
    c.set(Blendshape::MouthClose, c[Blendshape::JawOpen]);
  return c;
}

float difference_inside(const Coefficients& a, const Coefficients& b, const ComparisonRegion& r) {
  float d = 0;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (in_region(r, blendshape_at(k))) d = std::max(d, std::abs(a.at(k) - b.at(k)));
  return d;
}

float difference_outside(const Coefficients& a, const Coefficients& b, const ComparisonRegion& r) {
  float d = 0;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (!in_region(r, blendshape_at(k))) d = std::max(d, std::abs(a.at(k) - b.at(k)));
  return d;
}

RegionScores region_uncertainty(const Coefficients& spread) {
  RegionScores scores{};
  for (std::size_t r = 0; r < kComparisonRegionCount; ++r) {
    double total = 0;
    int n = 0;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      if (!in_region(kComparisonRegions[r], blendshape_at(k))) continue;
      total += spread.at(k);
      ++n;
    }
    scores[r] = n ? float(total / n) : 0.0f;
  }
  return scores;
}

std::vector<PairPlan> plan_pairs(const Coefficients& prediction,
                                 const std::optional<RegionScores>& uncertainty,
                                 const std::vector<OtherModel>& others,
                                 const GenerationOptions& options) {
  for (float v : prediction.values())
    if (!std::isfinite(v)) throw std::invalid_argument("plan_pairs: non-finite prediction");
  std::vector<PairPlan> out;
  for (std::size_t ri = 0; ri < kComparisonRegionCount; ++ri) {
    const ComparisonRegion& r = kComparisonRegions[ri];
    double score = 0.01;  // a floor, so quiet regions still come, last
    if (uncertainty) {
      score += (*uncertainty)[ri];
    } else {
      for (std::size_t k = 0; k < kBlendshapeCount; ++k)
        if (in_region(r, blendshape_at(k))) score = std::max(score, double(prediction.at(k)));
    }
    int rank = 0;
    for (Alternative& alt : region_edits(prediction, r)) {
      if (rank >= options.max_per_region) break;
      const Coefficients c = restrict_to_region(prediction, alt.c.clamped(), r);
      if (difference_inside(prediction, c, r) < options.min_difference) continue;
      const bool seen = std::any_of(out.begin(), out.end(), [&](const PairPlan& p) {
        return p.region == r.name && difference_inside(p.alternative, c, r) < 1e-6f;
      });
      if (seen) continue;
      out.push_back({std::string(r.name), "edit", alt.label, "", c, score / (1 + rank)});
      ++rank;
    }
    for (const OtherModel& m : others) {
      const Coefficients c = restrict_to_region(prediction, m.prediction.clamped(), r);
      const float d = difference_inside(prediction, c, r);
      if (d < options.min_difference) continue;
      out.push_back({std::string(r.name), "model", m.name + " (" + std::string(r.name) + ")",
                     m.name, c, score + d});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PairPlan& a, const PairPlan& b) { return a.priority > b.priority; });
  return out;
}

}  // namespace semblend::prefs
