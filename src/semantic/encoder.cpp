// The encoder: coefficients -> SemanticDescription, and its temporal smoother.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>
#include <string>

#include "semblend/semantic.h"

namespace semblend {
namespace {

float clamp01(float v) {
  return std::clamp(v, 0.0f, 1.0f);
}

// The least prototype score for which an emotion is named (docs/semantics.md).
constexpr float kMinEmotion = 0.3f;

// Evidence that an AU is present, 0..1: none up to the trace threshold (rest offsets and capture
// noise live there), rising to 1 at "marked" (band C).
constexpr float kTrace = kIntensityScale[static_cast<std::size_t>(Intensity::A)].lower;
constexpr float kMarked = kIntensityScale[static_cast<std::size_t>(Intensity::C)].lower;
float evidence(float value) {
  return std::clamp((value - kTrace) / (kMarked - kTrace), 0.0f, 1.0f);
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
  // A wink pulls one cheek and lip corner up with it: that is a wink, not contempt.
  const auto& lids = au.r[au_index(43)];
  const float wink = std::clamp((std::abs(lids.left - lids.right) - 0.3f) / 0.4f, 0.0f, 1.0f);
  at(Category::Contempt) = std::max(one_sided(12), one_sided(14)) * (1 - wink);
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
  at(Category::Neutral) = 1 - std::clamp((expressive - kTrace) / (slight - kTrace), 0.0f, 1.0f);
  // Speaking/other: lips and jaw moving, a wink, or any other action that fits no emotion.
  const float mouth_moving =
      std::max({au.e(25), au.e(26), au.e(18), au.e(22), au.e(24), au.e(28), au.e(19), au.e(34)});
  const float other = 0.8f * std::clamp((expressive - slight) / (kMarked - slight), 0.0f, 1.0f);
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
  // An emotion is named only on real evidence; below kMinEmotion the face is neutral or "other".
  std::array<float, kCategoryCount> decided = d.scores;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    const auto cat = static_cast<Category>(c);
    if (cat != Category::Neutral && cat != Category::Speaking && decided[c] < kMinEmotion)
      decided[c] = 0;
  }
  const auto best =
      static_cast<std::size_t>(std::max_element(decided.begin(), decided.end()) - decided.begin());
  d.category = static_cast<Category>(best);
  d.confidence = softmax_of(decided, best);
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

Intensity SemanticSmoother::stable_bin(Intensity reported, float value, PendingBin& pending,
                                       double time) const {
  // Hysteresis: inside the reported band widened by the margin, nothing changes.
  const float lo = band(reported).lower - options_.margin;
  const float hi = band_upper(reported) + options_.margin;
  if (value >= lo && value < hi) {
    pending.bin = reported;
    return reported;
  }
  const Intensity now = intensity_of(value);
  if (std::abs(static_cast<int>(now) - static_cast<int>(reported)) >= 2) {  // a fast, real move
    pending.bin = now;
    return now;
  }
  if (pending.bin != now) {
    pending.bin = now;
    pending.since = time;
  }
  return time - pending.since >= options_.bin_hold_seconds ? now : reported;
}

SemanticDescription SemanticSmoother::update(const SemanticDescription& raw, double time) {
  if (!started_) {
    started_ = true;
    previous_ = raw;
    for (std::size_t i = 0; i < kActionCount; ++i) {
      pending_[i][0] = {raw.actions[i].left_bin, time};
      pending_[i][1] = {raw.actions[i].right_bin, time};
    }
    departed_ = false;
    return raw;
  }
  SemanticDescription out = raw;
  for (std::size_t i = 0; i < kActionCount; ++i) {
    out.actions[i].left_bin =
        stable_bin(previous_.actions[i].left_bin, raw.actions[i].left, pending_[i][0], time);
    out.actions[i].right_bin =
        stable_bin(previous_.actions[i].right_bin, raw.actions[i].right, pending_[i][1], time);
  }
  // The category switches once the raw category has differed from the reported one for
  // hold_seconds (to whichever category the raw reading has then), so a brief blip is ignored
  // and a face that alternates between two new readings still moves on.
  if (raw.category == previous_.category) {
    departed_ = false;
  } else if (!departed_) {
    departed_ = true;
    departed_since_ = time;
  }
  if (departed_ && time - departed_since_ < options_.hold_seconds) {
    out.category = previous_.category;
    out.confidence = softmax_of(raw.scores, static_cast<std::size_t>(out.category));
    out.duchenne = out.category == Category::Happiness && previous_.duchenne;
  } else {
    departed_ = false;
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

DescriptionStats description_stats(const Take& take, const std::vector<SemanticDescription>& d) {
  if (d.size() != take.frames.size())
    throw std::invalid_argument("description_stats: one description per frame expected");
  DescriptionStats s;
  if (d.empty()) return s;
  s.seconds = take.frames.back().time - take.frames.front().time;
  int category_changes = 0, bin_changes = 0;
  std::size_t run_start = 0;
  // Per action slot: the bin before the current run, and when the current run started.
  struct SlotRun {
    Intensity before = Intensity::None;
    double start = 0;
  };
  std::array<std::array<SlotRun, 2>, kActionCount> runs{};
  auto track = [&](SlotRun& run, Intensity previous, Intensity now, double t_prev, double t_now) {
    if (now == previous) return;
    if (now == run.before && t_prev - run.start < 0.2) ++s.bin_flickers;
    run.before = previous;
    run.start = t_now;
  };
  for (std::size_t i = 0; i < d.size(); ++i) {
    ++s.frames_per_category[static_cast<std::size_t>(d[i].category)];
    if (i == 0) continue;
    bool bins_differ = false;
    for (std::size_t a = 0; a < kActionCount && !bins_differ; ++a)
      bins_differ = d[i].actions[a].left_bin != d[i - 1].actions[a].left_bin ||
                    d[i].actions[a].right_bin != d[i - 1].actions[a].right_bin;
    bin_changes += bins_differ;
    const double t_prev = take.frames[i - 1].time, t_now = take.frames[i].time;
    for (std::size_t a = 0; a < kActionCount; ++a) {
      track(runs[a][0], d[i - 1].actions[a].left_bin, d[i].actions[a].left_bin, t_prev, t_now);
      track(runs[a][1], d[i - 1].actions[a].right_bin, d[i].actions[a].right_bin, t_prev, t_now);
    }
    if (d[i].category != d[i - 1].category) {
      ++category_changes;
      const bool inner = run_start > 0;  // a run with categories on both sides
      if (inner && take.frames[i - 1].time - take.frames[run_start].time < 0.3)
        ++s.short_category_runs;
      run_start = i;
    }
  }
  if (s.seconds > 0) {
    s.category_changes_per_second = category_changes / s.seconds;
    s.bin_changes_per_second = bin_changes / s.seconds;
  }
  return s;
}

std::string stats_text(const DescriptionStats& s) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "%.1f s: %.2f category changes/s, %d category runs shorter than 0.3 s, %.2f "
                "action-bin changes/s, %d bin flickers (A-B-A within 0.2 s)\ncategories:",
                s.seconds, s.category_changes_per_second, s.short_category_runs,
                s.bin_changes_per_second, s.bin_flickers);
  std::string out = buf;
  int total = 0;
  for (int n : s.frames_per_category) total += n;
  for (std::size_t c = 0; c < kCategoryCount; ++c) {
    if (s.frames_per_category[c] == 0) continue;
    std::snprintf(buf, sizeof buf, " %s %.1f%%",
                  std::string(category_name(static_cast<Category>(c))).c_str(),
                  100.0 * s.frames_per_category[c] / std::max(total, 1));
    out += buf;
  }
  return out + "\n";
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
