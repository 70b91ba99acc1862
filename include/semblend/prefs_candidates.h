// semblend/prefs_candidates.h — what people are asked to compare: pairs of candidate faces that
// differ in one region of the face, most uncertain regions first.
//
// Comparison regions (kComparisonRegions, one table): the upper face (brows, lids, gaze), the
// lower face (cheeks, nose, jaw, mouth, tongue), and finer ones (brows, eyes, gaze, cheeks and
// nose, jaw, mouth). A pair differs only in its region's shapes, so a judgment says something
// specific ("the mouth of B matches the photo better"). One exception keeps faces plausible:
// mouthClose stays <= jawOpen (semantic.h apply_edit), so a jaw edit may lower mouthClose.
//
// Inputs: a prediction (the solver's coefficients for a photo), optional per-region uncertainty
// (region_uncertainty) and optional predictions of other model versions.
// Outputs: PairPlans: the alternative candidate (kind "edit" or "model", a label such as "more
// smile", "mirror mouth", "model v0"), its region and a priority. The other side of every pair is
// the prediction itself.
// Candidates: per fine region, "less" and "more" of its most active actions (semantic edits,
// apply_edit), "mirror <region>" when the region is asymmetric and "symmetrize <region>" (eyes,
// brows, mouth); per coarse region every active action one band stronger, one band weaker, and the
// region neutral. Another model's prediction restricted to each region where it differs. An
// alternative that differs from the prediction by less than `min_difference` in every shape (not
// visibly different) is dropped.
// Priority: the region's uncertainty (mean standard deviation of its shapes under landmark noise)
// when given, else a documented heuristic — the region's largest activation, so active regions,
// whose exact values matter most, are asked first; divided by (1 + rank within the region) so
// regions interleave. Model disagreement adds its size (a region two models disagree on is
// uncertain).
// Failure modes: std::invalid_argument for an unknown region name or non-finite coefficients.
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/take.h"

namespace semblend::prefs {

struct ComparisonRegion {
  std::string_view name;                   // API identifier: "upper_face", "mouth"
  std::string_view question;               // "Which face's mouth matches the photo better?"
  std::array<bool, kRegionCount> regions;  // which semantic regions (blendshape.h) it covers
  bool coarse;                             // upper/lower face
  // Where it lies in a render framed by render_face's defaults (fractions of width and height:
  // x, y, w, h), for the page's highlight box.
  std::array<float, 4> box;
};

namespace region_set {
constexpr std::array<bool, kRegionCount> of(std::initializer_list<Region> rs) {
  std::array<bool, kRegionCount> out{};
  for (Region r : rs) out[static_cast<std::size_t>(r)] = true;
  return out;
}
}  // namespace region_set

// clang-format off
inline constexpr std::array<ComparisonRegion, 8> kComparisonRegions{{
  {"upper_face",  "Which face's upper half (brows, eyes, gaze) matches the photo better?",
   region_set::of({Region::Brows, Region::Eyes, Region::Gaze}), true, {0.18f, 0.20f, 0.64f, 0.30f}},
  {"lower_face",  "Which face's lower half (cheeks, nose, mouth, jaw) matches the photo better?",
   region_set::of({Region::Cheeks, Region::Nose, Region::Jaw, Region::Mouth, Region::Tongue}),
   true, {0.18f, 0.45f, 0.64f, 0.45f}},
  {"brows",       "Which face's eyebrows match the photo better?",
   region_set::of({Region::Brows}), false, {0.20f, 0.20f, 0.60f, 0.16f}},
  {"eyes",        "Which face's eyelids (open, closed, squinting) match the photo better?",
   region_set::of({Region::Eyes}), false, {0.20f, 0.30f, 0.60f, 0.16f}},
  {"gaze",        "Which face's gaze direction matches the photo better?",
   region_set::of({Region::Gaze}), false, {0.20f, 0.30f, 0.60f, 0.16f}},
  {"cheeks_nose", "Which face's cheeks and nose match the photo better?",
   region_set::of({Region::Cheeks, Region::Nose}), false, {0.18f, 0.40f, 0.64f, 0.25f}},
  {"jaw",         "Which face's jaw (open, shifted, forward) matches the photo better?",
   region_set::of({Region::Jaw}), false, {0.22f, 0.58f, 0.56f, 0.34f}},
  {"mouth",       "Which face's mouth and lips match the photo better?",
   region_set::of({Region::Mouth, Region::Tongue}), false, {0.26f, 0.58f, 0.48f, 0.26f}},
}};
// clang-format on
inline constexpr std::size_t kComparisonRegionCount = kComparisonRegions.size();

// The region called `name`; throws std::invalid_argument listing the names otherwise.
const ComparisonRegion& comparison_region(std::string_view name);
std::size_t comparison_region_index(std::string_view name);
bool in_region(const ComparisonRegion& r, Blendshape s);

// `base` with `other`'s values in the region's shapes (mouthClose then kept <= jawOpen).
Coefficients restrict_to_region(const Coefficients& base, const Coefficients& other,
                                const ComparisonRegion& r);
// The largest |a - b| over the region's shapes / over the shapes outside it.
float difference_inside(const Coefficients& a, const Coefficients& b, const ComparisonRegion& r);
float difference_outside(const Coefficients& a, const Coefficients& b, const ComparisonRegion& r);

using RegionScores = std::array<float, kComparisonRegionCount>;

// Per comparison region: the mean over its shapes of `spread`, a standard deviation per shape —
// how far the solver's estimates over the landmarker's readings of the photo lie apart
// (SolverResult::spread, face_pipeline.h solve_face; the shipped model has no uncertainty head).
RegionScores region_uncertainty(const Coefficients& spread);

struct OtherModel {
  std::string name;  // model version name
  Coefficients prediction;
};

struct PairPlan {
  std::string region;  // comparison region name
  std::string kind;    // "edit" or "model"
  std::string label;   // "more smile", "mirror mouth", "model v0 (mouth)"
  std::string model;   // kind "model": the model version name
  Coefficients alternative;
  double priority = 0;
};

struct GenerationOptions {
  float min_difference = 0.08f;  // dropped when no shape differs by this much
  int max_per_region = 3;        // pairs per region (edits), most informative first
};

// Pairs for one prediction, highest priority first (see above).
std::vector<PairPlan> plan_pairs(const Coefficients& prediction,
                                 const std::optional<RegionScores>& uncertainty = {},
                                 const std::vector<OtherModel>& others = {},
                                 const GenerationOptions& options = {});

}  // namespace semblend::prefs
