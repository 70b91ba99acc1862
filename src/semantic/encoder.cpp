// The encoder: coefficients -> SemanticDescription, and its temporal smoother.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "semblend/semantic.h"

namespace semblend {
namespace {

float clamp01(float v) {
  return std::clamp(v, 0.0f, 1.0f);
}

// Evidence that an AU is present, 0..1: reaches 1 at "marked" (band C).
constexpr float kMarked = kIntensityScale[static_cast<std::size_t>(Intensity::C)].lower;
float evidence(float value) {
  return std::clamp(value / kMarked, 0.0f, 1.0f);
}

struct AuValues {
  const std::array<AuReading, kAuCount>& r;
  float max(int au) const { return r[au_index(au)].value(); }
  float mean(int au) const {
    const auto& a = r[au_index(au)];
    return 0.5f * (a.left + a.right);
  }
  float low(int au) const {
    const auto& a = r[au_index(au)];
    return std::min(a.left, a.right);
  }
  float e(int au) const { return evidence(max(au)); }
};

// EMFACS-style prototypes (docs/semantics.md, "Expression categories"). Each score is in [0, 1].
std::array<float, kCategoryCount> category_scores(const AuValues& au) {
  std::array<float, kCategoryCount> s{};
  auto at = [&](Category c) -> float& { return s[static_cast<std::size_t>(c)]; };
  // Bilateral smile (both corners), damped by depressed corners.
  const float smile_both = evidence(au.low(12));
  at(Category::Happiness) = smile_both * (1 - 0.7f * au.e(15));
  at(Category::Surprise) =
      (0.3f * au.e(1) + 0.3f * au.e(2) + 0.2f * au.e(5) + 0.2f * au.e(26)) * (1 - au.e(4));
  at(Category::Sadness) =
      (0.35f * au.e(1) + 0.25f * au.e(4) + 0.4f * au.e(15)) * (1 - au.e(12)) *
      std::max(au.e(15), au.e(1) * au.e(4));  // needs corners down, or the sad brow (1+4)
  at(Category::Anger) =
      (0.4f * au.e(4) + 0.2f * au.e(7) + 0.1f * au.e(5) + 0.3f * std::max(au.e(23), au.e(24))) *
      au.e(4) * (1 - au.e(12)) * (1 - 0.5f * au.e(1));
  at(Category::Fear) =
      (0.2f * au.e(1) + 0.15f * au.e(2) + 0.2f * au.e(4) + 0.2f * au.e(5) + 0.25f * au.e(20)) *
      std::min(au.e(4), au.e(20) + au.e(5)) * (1 - au.e(12));
  at(Category::Disgust) =
      (0.8f * std::max(au.e(9), au.e(10)) + 0.2f * std::max({au.e(15), au.e(16), au.e(17)})) *
      (1 - 0.5f * au.e(12));
  // Contempt: one lip corner tightened/raised (unilateral AU12 or AU14, at least slight).
  auto one_sided = [&](int n) {
    const auto& a = au.r[au_index(n)];
    const float gap = std::abs(a.left - a.right) - 0.15f;
    return std::clamp(gap / 0.3f, 0.0f, 1.0f) * (1 - evidence(std::min(a.left, a.right)));
  };
  at(Category::Contempt) = std::max(one_sided(12), one_sided(14));
  float emotion = 0;
  for (std::size_t c = 1; c + 1 < kCategoryCount; ++c) emotion = std::max(emotion, s[c]);
  // Neutral: nothing expressive beyond trace (gaze and blinks do not count).
  float expressive = 0;
  for (std::size_t i = 0; i < kAuCount; ++i) {
    const int n = kActionUnits[i].number;
    if (n == 43 || n >= 61) continue;
    expressive = std::max(expressive, au.r[i].value());
  }
  const float slight = kIntensityScale[static_cast<std::size_t>(Intensity::B)].lower;
  at(Category::Neutral) = 1 - std::clamp(expressive / slight, 0.0f, 1.0f);
  // Speaking/other: lips and jaw moving, a wink, or any other action that fits no emotion.
  const float mouth_moving =
      std::max({au.e(25), au.e(26), au.e(18), au.e(22), au.e(24), au.e(28), au.e(19), au.e(34)});
  const auto& lids = au.r[au_index(43)];
  const float wink = std::clamp((std::abs(lids.left - lids.right) - 0.3f) / 0.4f, 0.0f, 1.0f);
  const float other = 0.8f * evidence(expressive);
  at(Category::Speaking) = std::max({mouth_moving, wink, other}) * (1 - emotion);
  return s;
}

// Probability of each category: a softmax over the scores (temperature 0.1).
float softmax_of(const std::array<float, kCategoryCount>& scores, std::size_t k) {
  float best = *std::max_element(scores.begin(), scores.end());
  float sum = 0;
  for (float v : scores) sum += std::exp((v - best) / 0.1f);
  return std::exp((scores[k] - best) / 0.1f) / sum;
}

}  // namespace

SemanticDescription describe(const Coefficients& raw, const HeadPose* head) {
  SemanticDescription d;
  auto value = [&](Blendshape s) {
    const float v = raw[s];
    return std::isfinite(v) ? clamp01(v) : 0.0f;
  };
  for (std::size_t i = 0; i < kActionCount; ++i) {
    const ActionInfo& a = kActions[i];
    ActionReading& r = d.actions[i];
    r.left = value(a.left);
    r.right = value(a.right);
    r.left_bin = intensity_of(r.left);
    r.right_bin = intensity_of(r.right);
    if (a.kind == ActionKind::Paired) {
      const float gap = std::abs(r.left - r.right);
      if (gap > d.asymmetry) {
        d.asymmetry = gap;
        d.most_asymmetric = a.action;
      }
    }
  }
  for (std::size_t i = 0; i < kAuCount; ++i) {
    const AuInfo& au = kActionUnits[i];
    float l = 0, r = 0;
    for (std::size_t t = 0; t < au.term_count; ++t) {
      const AuTerm& term = au.terms[t];
      l += term.weight * (value(term.left) - term.offset);
      r += term.weight * (value(term.right) - term.offset);
    }
    d.action_units[i] = {clamp01(l), clamp01(r)};
  }
  d.scores = category_scores(AuValues{d.action_units});
  const auto best = static_cast<std::size_t>(std::max_element(d.scores.begin(), d.scores.end()) -
                                             d.scores.begin());
  d.category = static_cast<Category>(best);
  d.confidence = softmax_of(d.scores, best);
  d.duchenne = d.category == Category::Happiness &&
               d.action_units[au_index(6)].value() >=
                   kIntensityScale[static_cast<std::size_t>(Intensity::B)].lower;
  if (head) {
    d.has_head_pose = true;
    d.head_yaw = head->yaw;
    d.head_pitch = head->pitch;
    d.head_roll = head->roll;
  }
  return d;
}

SemanticDescription SemanticSmoother::update(const SemanticDescription& raw, double time) {
  if (!started_) {
    started_ = true;
    previous_ = raw;
    candidate_ = raw.category;
    candidate_since_ = time;
    return raw;
  }
  SemanticDescription out = raw;
  auto stable_bin = [&](Intensity previous, float v) {
    const float lo = band(previous).lower - options_.margin;
    const float hi = band_upper(previous) + options_.margin;
    return (v >= lo && v < hi) ? previous : intensity_of(v);
  };
  for (std::size_t i = 0; i < kActionCount; ++i) {
    out.actions[i].left_bin = stable_bin(previous_.actions[i].left_bin, raw.actions[i].left);
    out.actions[i].right_bin = stable_bin(previous_.actions[i].right_bin, raw.actions[i].right);
  }
  // The category switches only after the same new raw category has led for hold_seconds.
  if (raw.category != candidate_) {
    candidate_ = raw.category;
    candidate_since_ = time;
  }
  if (raw.category != previous_.category && time - candidate_since_ < options_.hold_seconds) {
    out.category = previous_.category;
    out.confidence = softmax_of(raw.scores, static_cast<std::size_t>(out.category));
    out.duchenne = out.category == Category::Happiness && previous_.duchenne;
  }
  previous_ = out;
  return out;
}

std::vector<SemanticDescription> describe_take(const Take& take, bool smooth,
                                               SmootherOptions options) {
  std::vector<SemanticDescription> out;
  out.reserve(take.frames.size());
  SemanticSmoother smoother(options);
  for (const FaceFrame& f : take.frames) {
    SemanticDescription d = describe(f.coefficients, &f.head);
    out.push_back(smooth ? smoother.update(d, f.time) : d);
  }
  return out;
}

Coefficients coefficients_from_values(std::span<const float> values) {
  if (values.size() != kBlendshapeCount)
    throw std::invalid_argument("expected " + std::to_string(kBlendshapeCount) +
                                " coefficients, got " + std::to_string(values.size()));
  Coefficients c;
  for (std::size_t i = 0; i < kBlendshapeCount; ++i) {
    const float v = values[i];
    const std::string name(kBlendshapes[i].apple_name);
    if (!std::isfinite(v)) throw std::invalid_argument(name + " is not finite");
    if (v < -kCoefficientReadTolerance || v > 1 + kCoefficientReadTolerance)
      throw std::invalid_argument(name + " = " + std::to_string(v) + " is outside [0, 1]");
    c.set_at(i, v);
  }
  return c;
}

}  // namespace semblend
