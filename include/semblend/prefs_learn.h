// semblend/prefs_learn.h — preference learning: people's judgments of rendered faces move the
// solver beyond the labels it was trained on (docs/prefs.md).
//
// What it does: fits a Bradley–Terry reward model to judged pairs of candidate faces, then the
// correction of the solver's outputs that maximises that reward with an anchor to the starting
// model (the identity correction), and checks it on held-out judgments before anyone uses it.
//
// Reward model (an "ideal point" Bradley–Terry model): people prefer the candidate whose rendered
// face is closer to what they see. For a face whose base solver reads p, the ideal coefficients
//     t(p) = p + α ∘ p + β + N p          (N: cross terms within each fine region)
// and r(c) = −w_R (c − t)ᵀ M_R (c − t), where M_R = JᵀJ is the metric of the rendered rig's
// landmarks in the region asked about (J: how each shape moves them, region_landmarks) and w_R
// a sharpness per comparison region. So P(A ≻ B) = σ(r(A) − r(B)). Shapes people cannot tell
// apart (eyeLookUp against eyeLookDown of one eye) share one direction of M and are learned only
// together. For fixed w the log-odds are linear in (α, β, N): an L2-anchored logistic regression
// (convex; Newton); w and the ideal point are fitted in turn. The anchor is the prior "people see
// what the labels say" (t = p). Ties are left out by default (RewardOptions::ties); skips are
// ignored.
//
// Correction (the versioned artefact): per shape, corrected_k = clamp(gain_k · p_k + offset_k +
// Σ_j cross_kj · p_j) on the base solver's outputs. optimise_correction maximises the reward
// minus λ ‖g − p‖² (for a Gaussian policy of fixed variance, the KL to the starting model); per
// fine region that is g = p + (w M + λ I)⁻¹ w M (t − p): a shrinkage of the ideal point toward
// the start, affine in p, in closed form (λ = kl · w · mean diagonal of M). The same model
// without cross terms is the per-person calibration (per-shape gain and offset).
//
// Agreement: a model agrees with a judgment as far as it expects the chosen candidate to win, as
// an ideal-point model at its own corrected prediction (model_agreement; ties and skips are left
// out). train() accepts a new correction only when its agreement on held-out items beats the
// current one's.
//
// Inputs: Comparisons (region, the item's base prediction, both candidates, outcome, item,
// annotator). Outputs: RewardModel, Correction, TrainReport.
// Failure modes: std::invalid_argument for bad options or non-finite values; InputError naming
// the file for a malformed or unknown-version correction JSON; train() refuses regions with fewer
// than min_per_region judgments (listed in the report) and, with no region left, reports
// "too few judgments" without a model (never a model fitted on noise).
// Thread safety: pure functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/prefs_candidates.h"
#include "semblend/prefs_store.h"
#include "semblend/take.h"

namespace semblend::prefs {

// One judged pair as the learner sees it.
struct Comparison {
  std::string region;    // comparison region name (prefs_candidates.h)
  Coefficients base;     // the base solver's prediction for the item: the face's features
  Coefficients a, b;     // the two candidates
  double outcome = 0.5;  // 1: a preferred, 0: b preferred, 0.5: tie
  std::int64_t item = 0;
  std::int64_t annotator = 0;
  double weight = 1;
};

// The fine comparison region (not upper/lower face) holding each shape.
std::size_t fine_region_of(Blendshape s);

struct CrossTerm {
  std::uint8_t target = 0, source = 0;  // blendshape indices (Apple order)
  float weight = 0;
};

inline constexpr int kCorrectionFormatVersion = 1;

// The versioned artefact: corrected_k = clamp(gain_k p_k + offset_k + Σ cross), Apple order.
struct Correction {
  std::array<float, kBlendshapeCount> gain{}, offset{};
  std::vector<CrossTerm> cross;
  std::string kind = "prefs";  // "prefs" (the solver's correction) or "calibration" (a person)
  std::string notes;           // how it was made (round, judgments, regions)
  Correction() { gain.fill(1.0f); }
  bool is_identity() const;
  Coefficients apply(const Coefficients& base) const;
};
std::string correction_json(const Correction& c);
// `name` (a file name, or "store model version N") appears in every error.
Correction parse_correction_json(std::string_view text, const std::string& name);
Correction read_correction(const std::string& path);

struct RewardOptions {
  double anchor = 3.0;         // penalty on the ideal point leaving the prediction (α², β²)
  double cross_anchor = 30.0;  // penalty on cross terms
  bool cross_terms = true;
  // Fit ties as half a win each. Off by default: in an ideal-point model a tie says "the ideal is
  // midway", which for a shape people can barely see is wrong (it only says they cannot tell).
  bool ties = false;
  int rounds = 4;  // alternations of sharpness and ideal point
};

// The landmarks a comparison region's shapes visibly move (over 0.05 cm at weight 1 on the
// default rig): what someone looks at when asked about that region.
const std::vector<std::size_t>& region_landmarks(std::size_t region);

struct RewardModel {
  std::array<double, kBlendshapeCount> alpha{}, beta{};  // the ideal point's gain − 1 and offset
  std::vector<CrossTerm> cross;                          // N (target, source, weight)
  std::array<double, kComparisonRegionCount> sharpness{};  // w_R, per comparison region
  std::array<int, kBlendshapeCount> evidence{};  // comparisons whose difference the shape sees
  double logit(const Comparison& c) const;       // log-odds of a over b
  Coefficients ideal(const Coefficients& base) const;
};

RewardModel fit_reward(const std::vector<Comparison>& data, const RewardOptions& options = {});
// kl in units of each region's sharpness × mean metric diagonal (0: the ideal point itself).
Correction optimise_correction(const RewardModel& reward, double kl);

// Fraction of non-tie judgments the reward model's sign gets right (weights respected); nullopt
// when there are none.
std::optional<double> reward_agreement(const RewardModel& r, const std::vector<Comparison>& data);
// A model's expected agreement with people: the mean probability it gives to their choices
// (non-tie judgments) as an ideal-point model at its own prediction with the reward model's
// sharpness. The hard count (is the chosen candidate the closer one?) is blind to any correction
// smaller than half an edit step, so versions are compared by this (docs/prefs.md).
std::optional<double> model_agreement(const Correction& c, const std::vector<Comparison>& data,
                                      const RewardModel& sharpness);

// Held-out split by item (deterministic): about `fraction` of items are held out.
bool held_out_item(std::int64_t item, double fraction);
// The held-out items of a set: those held_out_item picks; when that leaves one side empty and
// there are two or more items (a calibration's handful), the ceil(fraction · n) items — at least
// one, at most n − 1 — that come first in held_out_item's hash order.
std::set<std::int64_t> held_out_items(const std::set<std::int64_t>& items, double fraction);

struct AnnotatorReport {
  std::int64_t annotator = 0;
  int judgments = 0;                // non-tie, non-skip
  std::optional<double> agreement;  // with a reward model fitted on the other annotators
  bool dropped = false;
};

struct RegionCount {
  std::string region;
  int judgments = 0;  // non-skip
  bool trained = false;
};

struct TrainOptions {
  int min_per_region = 30;               // fewer: the region is refused (not trained on noise)
  double holdout = 0.2;                  // share of items held out for the acceptance check
  double min_annotator_agreement = 0.5;  // below (with >= 10 judgments): the annotator is dropped
  std::vector<double> anchors{30.0, 300.0, 3000.0};  // reward anchor grid (inner validation)
  std::vector<double> kls{0.0, 0.3, 1.0};            // KL weight grid
  bool cross_terms = false;  // cross terms within fine regions (many parameters: more judgments)
  std::string kind = "prefs";
};

// What a per-person calibration is trained with (`semblend prefs calibrate`, and the simulated
// biased user of `eval prefs`): kind "calibration", a region trained from 3 judgments, anchors
// {0.3, 1, 3}, a quarter of the items held out, no cross terms. A person judges a few dozen
// pairs of their own face, so the shapes move freely but only in the regions they judged.
// Measured (docs/prefs.md): the biased user's biased shapes 48% closer to the truth in 25.
TrainOptions person_calibration_options();

struct TrainReport {
  std::vector<RegionCount> regions;
  std::vector<AnnotatorReport> annotators;
  int train_judgments = 0, heldout_judgments = 0;
  std::optional<double> reward_heldout;     // the reward model's held-out agreement
  std::optional<double> current_heldout;    // the model in use, on the same judgments
  std::optional<double> candidate_heldout;  // the new correction
  double anchor = 0, kl = 0;
  std::optional<Correction> correction;  // set when a model was fitted
  bool accepted = false;                 // candidate_heldout > current_heldout
  std::string message;                   // why not, in words
};

// Trains on `data` against the model in use (`current`; identity when nullopt): drops
// contradictory annotators, refuses thin regions, chooses anchor and KL on an inner split of the
// training items, refits, and compares with `current` on held-out items.
TrainReport train(const std::vector<Comparison>& data, const std::optional<Correction>& current,
                  const TrainOptions& options = {});

// ---- The store's side (prefs_store.h)
// Every live judgment (not undone, not skipped) as a Comparison: the pair's region and candidates,
// and the item's base prediction (its first "prediction" candidate) as the face's features.
// Judgments of items without one are left out and counted in `*left_out`.
std::vector<Comparison> store_comparisons(const Store& store, int* left_out = nullptr);
// A trained version's correction; InputError naming the store and version when it is corrupt,
// std::invalid_argument for a version that has none.
Correction version_correction(const Store& store, const ModelVersion& version);

// Agreement between annotators on pairs several of them judged (ties count as a choice).
struct PairAgreement {
  int shared_pairs = 0;  // pairs with live judgments by two or more annotators
  int comparisons = 0;   // annotator pairs compared on them
  double agreement = 0;  // fraction of those comparisons with the same choice
};
PairAgreement annotator_agreement(const Store& store);

}  // namespace semblend::prefs
