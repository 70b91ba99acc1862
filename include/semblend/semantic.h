// semblend/semantic.h — coefficients <-> structured, human-readable facial actions.
//
// Every frame of coefficients gets a deterministic semantic description: per region the active
// actions with FACS intensity (A–E), side and asymmetry; FACS action-unit intensities; an
// expression category with a confidence (EMFACS-style rules); a symmetry statement; and text. The
// solver is trained to predict the semantics (tokens below), the preference page edits faces
// through it. The vocabulary (intensity scale, actions, AU mapping, categories) is in
// semantic_types.h.
//
// Stages (all pure unless noted):
//   describe          Coefficients (+ optional head pose) -> SemanticDescription. Never throws on
//                     valid coefficients (finite; out-of-range values are clamped to [0, 1]).
//                     No heap allocation; ~1 µs (bench: semblend_bench BM_Describe).
//   SemanticSmoother  (state) hysteresis over a take: a bin changes only when the value leaves its
//                     band by `margin`; the category changes only after leading `hold_seconds`.
//   sentence          one or two English sentences; analysis: the region-by-region form
//                     (category, muscle movements by region, emotional implication, symmetry).
//   decode_ranges     description -> the coefficient interval each shape must lie in.
//   apply_edit        a semantic edit ("more smile", "less jaw_open left", "mirror",
//                     "symmetrize mouth", "neutralize brows") -> a new plausible coefficient
//                     vector.
//   tokens            a fixed vocabulary (region.action.side:bin + category) <-> class indices.
// Failure modes: parse_edit / tokens_from_indices / coefficients_from_values throw
//   std::invalid_argument naming the bad part (unknown action, wrong length, NaN, out of range).
// Thread safety: everything but SemanticSmoother is a pure function of values; a smoother is one
//   object per take, not shared between threads.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/semantic_types.h"
#include "semblend/take.h"

namespace semblend {

// ---- Encoder
// ---------------------------------------------------------------------------------------
SemanticDescription describe(const Coefficients& c, const HeadPose* head = nullptr);

struct SmootherOptions {
  float margin = 0.05f;        // how far a value must leave its band before the bin changes
  double hold_seconds = 0.25;  // how long a new category must lead before it is reported
  // How long a one-band change must last before it is reported; jumps of two bands or more (a
  // blink) are reported at once.
  double bin_hold_seconds = 0.1;
};
class SemanticSmoother {
 public:
  explicit SemanticSmoother(SmootherOptions options = {}) : options_(options) {}
  // Returns `raw` (the frame at `time` seconds) with bins and category stabilised against the
  // previous frames.
  SemanticDescription update(const SemanticDescription& raw, double time);
  void reset() { started_ = false; }

 private:
  struct PendingBin {
    Intensity bin = Intensity::None;
    double since = 0;
  };
  Intensity stable_bin(Intensity reported, float value, PendingBin& pending, double time) const;

  SmootherOptions options_;
  bool started_ = false;
  SemanticDescription previous_{};
  std::array<std::array<PendingBin, 2>, kActionCount> pending_{};
  bool departed_ = false;      // the raw category differs from the reported one ...
  double departed_since_ = 0;  // ... since this time
};

// Descriptions of every frame of a take, optionally smoothed.
std::vector<SemanticDescription> describe_take(const Take& take, bool smooth,
                                               SmootherOptions options = {});

// How stable a take's descriptions are (docs/semantics.md, "Stability").
struct DescriptionStats {
  double seconds = 0;
  double category_changes_per_second = 0;
  double bin_changes_per_second = 0;  // frames whose set of action bins differs from the last one
  int short_category_runs = 0;        // category runs shorter than 0.3 s between two others
  int bin_flickers = 0;  // an action bin that changes and changes back within 0.2 s (A-B-A)
  std::array<int, kCategoryCount> frames_per_category{};
};
DescriptionStats description_stats(const Take& take, const std::vector<SemanticDescription>& d);
std::string stats_text(const DescriptionStats& s);

// ---- Text
// ------------------------------------------------------------------------------------------------
std::string sentence(const SemanticDescription& d);
std::string analysis(const SemanticDescription& d);
std::string symmetry_statement(const SemanticDescription& d);
// One JSON object (one line) with the schema fields (docs/semantics.md) and `text`.
std::string semantic_json(const SemanticDescription& d);

// ---- Decoder and edits
// ----------------------------------------------------------------------------
struct ValueRange {
  float lo = 0, hi = 1;
  bool contains(float v) const { return v >= lo && v <= hi; }
};
// The interval of each of the 52 coefficients that is consistent with the description's bins.
std::array<ValueRange, kBlendshapeCount> decode_ranges(const SemanticDescription& d);
// A representative vector for a description: every shape at its bin's midpoint (None -> 0).
Coefficients decode_midpoints(const SemanticDescription& d);

enum class EditKind { More, Less, Mirror, Symmetrize, Neutralize };
struct SemanticEdit {
  EditKind kind = EditKind::More;
  std::optional<Action> action;  // More/Less: the action to change
  std::optional<Region> region;  // Mirror/Symmetrize/Neutralize: limit to a region (all if empty)
  Side side = Side::Both;        // More/Less on Paired actions: one side only
  int steps = 1;                 // intensity bands to move (More/Less)
};
// "more smile", "less jaw_open", "more smile left", "mirror", "mirror mouth", "symmetrize eyes",
// "neutralize brows", "more smile 2" (two bands). Action names as in kActions (also with spaces).
SemanticEdit parse_edit(std::string_view text);
std::string edit_name(const SemanticEdit& e);
// Applies an edit. More/Less move each targeted shape to the middle of the band `steps` above or
// below its current band (0 at the bottom, 1 at the top) and relax its antagonists (smile vs frown,
// blink vs widen, look up vs down, …) so the result stays plausible; shapes outside the action's
// region do not change, except mouthClose, which is kept <= jawOpen (lips cannot meet while the jaw
// is closed further than they are). Mirror swaps sides; Symmetrize averages them; Neutralize
// zeroes.
Coefficients apply_edit(const Coefficients& c, const SemanticEdit& e);

// ---- Tokens for learning
// ------------------------------------------------------------------------------ Channel k (0..51)
// is blendshape k read as its action slot; token = channel * 6 + bin. Then the category tokens. A
// model predicts one bin per channel (6-way) and one category (9-way).
inline constexpr std::size_t kSemanticChannelCount = kBlendshapeCount;
inline constexpr std::size_t kTokenCount = kSemanticChannelCount * kIntensityCount + kCategoryCount;

struct SemanticTokens {
  std::array<Intensity, kSemanticChannelCount> bins{};
  Category category = Category::Neutral;
  friend bool operator==(const SemanticTokens&, const SemanticTokens&) = default;
};
SemanticTokens tokens_of(const SemanticDescription& d);
// 53 indices: one per channel, then the category.
std::vector<int> token_indices(const SemanticTokens& t);
SemanticTokens tokens_from_indices(std::span<const int> indices);
// "mouth.smile.left:C", "jaw.jaw_open:B", "gaze.look_left.right_eye:A", "category:happiness".
std::string token_name(int index);
// The description implied by tokens alone (bins and category; readings at band midpoints).
SemanticDescription description_from_tokens(const SemanticTokens& t);

// ---- Input helpers
// ------------------------------------------------------------------------------------ 52 values in
// Apple's order -> Coefficients; throws std::invalid_argument on a wrong length, NaN, or a value
// outside [0, 1] by more than kCoefficientReadTolerance.
Coefficients coefficients_from_values(std::span<const float> values);

}  // namespace semblend
