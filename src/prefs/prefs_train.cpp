// One round of preference training with its checks (prefs_learn.h train()).
#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <stdexcept>

#include "semblend/prefs_learn.h"

namespace semblend::prefs {

namespace {

// `decimals` 2 where two agreements are compared: an accepted model can be better by less than
// 0.05 points, which one decimal shows as equal.
std::string percent(std::optional<double> v, int decimals = 1) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.*f%%", decimals, 100 * *v);
  return buf;
}

// Leave-one-annotator-out: each annotator's non-tie judgments against a reward model fitted on
// everyone else's (no cross terms: quick, and enough to tell a contrarian from noise).
std::vector<AnnotatorReport> check_annotators(std::vector<Comparison>& data,
                                              const TrainOptions& o) {
  std::map<std::int64_t, int> count;
  for (const Comparison& c : data)
    if (c.outcome != 0.5) ++count[c.annotator];
  std::vector<AnnotatorReport> out;
  for (const auto& [who, n] : count) out.push_back({who, n, std::nullopt, false});
  if (out.size() < 2) return out;
  RewardOptions ro;
  ro.cross_terms = false;
  for (AnnotatorReport& a : out) {
    if (a.judgments < 10) continue;
    std::vector<Comparison> others, own;
    for (const Comparison& c : data) (c.annotator == a.annotator ? own : others).push_back(c);
    if (others.size() < 30) continue;
    a.agreement = reward_agreement(fit_reward(others, ro), own);
    a.dropped = a.agreement && *a.agreement < o.min_annotator_agreement;
  }
  for (const AnnotatorReport& a : out)
    if (a.dropped)
      for (Comparison& c : data)
        if (c.annotator == a.annotator) c.weight = 0;
  return out;
}

bool inner_validation(std::int64_t item) {
  return held_out_item(item * 7919 + 17, 0.25);
}

}  // namespace

TrainOptions person_calibration_options() {
  TrainOptions o;
  o.kind = "calibration";
  o.cross_terms = false;
  o.min_per_region = 3;
  o.anchors = {0.3, 1.0, 3.0};
  o.holdout = 0.25;
  return o;
}

TrainReport train(const std::vector<Comparison>& input, const std::optional<Correction>& current,
                  const TrainOptions& o) {
  if (o.min_per_region < 1 || !(o.holdout > 0 && o.holdout < 1) || o.anchors.empty() ||
      o.kls.empty())
    throw std::invalid_argument("train: bad options (min_per_region >= 1, 0 < holdout < 1, grids)");
  TrainReport r;
  std::map<std::string, int> per_region;
  for (const Comparison& c : input) ++per_region[c.region];
  std::set<std::string> trained;
  for (const ComparisonRegion& cr : kComparisonRegions) {
    const std::string name(cr.name);
    const int n = per_region.count(name) ? per_region[name] : 0;
    r.regions.push_back({name, n, n >= o.min_per_region});
    if (n >= o.min_per_region) trained.insert(name);
  }
  if (trained.empty()) {
    r.message = "too few judgments: no region has " + std::to_string(o.min_per_region) + " (" +
                std::to_string(input.size()) + " in all); not training on noise";
    return r;
  }
  std::vector<Comparison> data;
  for (const Comparison& c : input)
    if (trained.count(c.region)) data.push_back(c);
  r.annotators = check_annotators(data, o);

  std::set<std::int64_t> items;
  for (const Comparison& c : data)
    if (c.weight > 0) items.insert(c.item);
  const std::set<std::int64_t> held = held_out_items(items, o.holdout);
  std::vector<Comparison> fit_set, heldout, inner_fit, inner_val;
  for (const Comparison& c : data) {
    if (!(c.weight > 0)) continue;
    if (held.count(c.item)) {
      heldout.push_back(c);
      continue;
    }
    fit_set.push_back(c);
    (inner_validation(c.item) ? inner_val : inner_fit).push_back(c);
  }
  r.train_judgments = int(fit_set.size());
  r.heldout_judgments = int(heldout.size());
  if (fit_set.empty() || heldout.empty()) {
    r.message = "too few items to hold some out (" + std::to_string(fit_set.size()) +
                " training, " + std::to_string(heldout.size()) + " held-out judgments)";
    return r;
  }

  // Anchor and KL weight chosen on an inner split of the training items (the held-out items stay
  // untouched for the acceptance check). Ties go to the more conservative (earlier) setting.
  RewardOptions ro;
  ro.cross_terms = o.cross_terms;
  r.anchor = o.anchors[o.anchors.size() / 2];
  r.kl = o.kls[o.kls.size() / 2];
  if (!inner_fit.empty() && !inner_val.empty()) {
    double best = -1;
    for (double anchor : o.anchors) {
      ro.anchor = anchor;
      ro.cross_anchor = 10 * anchor;
      const RewardModel m = fit_reward(inner_fit, ro);
      for (double kl : o.kls) {
        const double a = model_agreement(optimise_correction(m, kl), inner_val, m).value_or(0);
        if (a > best + 1e-9) {
          best = a;
          r.anchor = anchor;
          r.kl = kl;
        }
      }
    }
  }
  ro.anchor = r.anchor;
  ro.cross_anchor = 10 * r.anchor;
  const RewardModel reward = fit_reward(fit_set, ro);
  Correction c = optimise_correction(reward, r.kl);
  c.kind = o.kind;
  r.reward_heldout = reward_agreement(reward, heldout);
  r.current_heldout = model_agreement(current.value_or(Correction{}), heldout, reward);
  r.candidate_heldout = model_agreement(c, heldout, reward);
  std::string regions;
  for (const std::string& name : trained) regions += (regions.empty() ? "" : ",") + name;
  c.notes = std::to_string(fit_set.size()) + " training judgments (regions " + regions +
            "), anchor " + std::to_string(r.anchor) + ", kl " + std::to_string(r.kl) +
            ", held-out agreement " + percent(r.candidate_heldout);
  r.correction = c;
  r.accepted =
      r.candidate_heldout && r.current_heldout && *r.candidate_heldout > *r.current_heldout + 1e-9;
  r.message = r.accepted ? "held-out agreement " + percent(r.current_heldout, 2) + " -> " +
                               percent(r.candidate_heldout, 2) + ": accepted"
                         : "held-out agreement " + percent(r.candidate_heldout, 2) +
                               " does not beat the model in use (" + percent(r.current_heldout, 2) +
                               "): kept the model in use";
  return r;
}

}  // namespace semblend::prefs
