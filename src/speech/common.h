// Internal to src/speech: small pieces the aligners, the phone loop and the evaluation share.
#pragma once

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "semblend/speech.h"

namespace semblend::speech {

// Contiguous phonemes over [0, duration]: phones clipped to it and empty ones dropped, gaps
// become silence and neighbouring silences merge (other runs of one phoneme, a split diphthong,
// stay separate phones). Always covers [0, duration] (one SIL when nothing is left).
inline std::vector<TimedPhoneme> contiguous(std::vector<TimedPhoneme> in, double duration) {
  std::vector<TimedPhoneme> out;
  double t = 0;
  for (TimedPhoneme& p : in) {
    p.start = std::max(p.start, t);
    p.end = std::min(p.end, duration);
    if (p.end <= p.start) continue;
    if (p.start > t + 1e-9) out.push_back({Phoneme::SIL, t, p.start, ""});
    out.push_back(std::move(p));
    t = out.back().end;
  }
  if (t < duration || out.empty()) out.push_back({Phoneme::SIL, t, duration, ""});
  std::vector<TimedPhoneme> merged;
  for (TimedPhoneme& p : out) {
    if (!merged.empty() && p.phoneme == Phoneme::SIL && merged.back().phoneme == Phoneme::SIL)
      merged.back().end = p.end;
    else
      merged.push_back(std::move(p));
  }
  return merged;
}

// [-1, 1] floats as 16-bit PCM, what pocketsphinx and sphinxbase read.
inline std::vector<std::int16_t> to_int16(const float* samples, std::size_t n) {
  std::vector<std::int16_t> out(n);
  for (std::size_t i = 0; i < n; ++i)
    out[i] = static_cast<std::int16_t>(std::lround(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
  return out;
}

// The loudest 25 ms (RMS over 400 samples, every 10 ms) of 16 kHz audio: below a threshold the
// audio is silence, a still and closed mouth.
inline double peak_rms(const std::vector<float>& x) {
  constexpr std::size_t kWin = 400, kStep = 160;
  double best = 0;
  for (std::size_t i = 0; i < x.size(); i += kStep) {
    const std::size_t end = std::min(x.size(), i + kWin);
    double sum = 0;
    for (std::size_t k = i; k < end; ++k) sum += static_cast<double>(x[k]) * x[k];
    best = std::max(best, std::sqrt(sum / static_cast<double>(kWin)));
  }
  return best;
}

// Why a transcript of `words` words cannot be the transcript of `seconds` of audio, or "" when it
// can: more than 10 words a second (fast speech runs 4-6) plus 5. Checked before aligning, whose
// cost grows with words x frames (400,000 words for 3 s of audio ran for minutes).
inline std::string implausible_transcript(std::size_t words, double seconds) {
  constexpr double kMaxWordsPerSecond = 10, kSlackWords = 5;
  if (static_cast<double>(words) <= kMaxWordsPerSecond * seconds + kSlackWords) return "";
  char buf[200];
  std::snprintf(buf, sizeof buf,
                "the transcript has %zu words for %.2f s of audio (more than %.0f words a second: "
                "it does not belong to this audio)",
                words, seconds, kMaxWordsPerSecond);
  return buf;
}

// CPU time of the calling thread (the real-time factors the aligners report).
inline double thread_cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

}  // namespace semblend::speech
