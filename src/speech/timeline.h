// Internal to src/speech: timed phones made contiguous over [0, duration].
#pragma once

#include <algorithm>
#include <vector>

#include "semblend/speech.h"

namespace semblend::speech {

// Gaps become silence and runs of silence merge; other neighbouring runs of one phoneme (a split
// diphthong) stay separate phones; phones are clipped to [0, duration] and empty ones dropped.
// The result always covers [0, duration] (one SIL when nothing is left).
inline std::vector<TimedPhoneme> contiguous(std::vector<TimedPhoneme> in, double duration) {
  std::vector<TimedPhoneme> out;
  double t = 0;
  for (TimedPhoneme& p : in) {
    p.start = std::max(p.start, t);
    p.end = std::min(p.end, duration);
    if (p.end <= p.start + 1e-9) continue;
    if (p.start > t + 1e-9) out.push_back({Phoneme::SIL, t, p.start, ""});
    if (p.phoneme == Phoneme::SIL && !out.empty() && out.back().phoneme == Phoneme::SIL)
      out.back().end = p.end;
    else
      out.push_back(std::move(p));
    t = out.back().end;
  }
  if (t < duration || out.empty()) {
    if (!out.empty() && out.back().phoneme == Phoneme::SIL)
      out.back().end = duration;
    else
      out.push_back({Phoneme::SIL, t, duration, ""});
  }
  return out;
}

}  // namespace semblend::speech
