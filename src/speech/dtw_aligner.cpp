// Alignment by synthesis for any language espeak-ng speaks (dtw_aligner.h).
#include "semblend/dtw_aligner.h"

#include <sphinxbase/ckd_alloc.h>
#include <sphinxbase/cmd_ln.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fe.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "semblend/error.h"
#include "semblend/speech_synthesis.h"
#include "speech/common.h"
#include "speech/pronunciation.h"
#include "speech/sphinx.h"

namespace semblend {
namespace {

constexpr int kCepstra = 13;
constexpr double kFrameSeconds = 0.01;

std::vector<std::array<float, kCepstra>> cepstra(const Audio& a) {
  const std::vector<std::int16_t> pcm = speech::to_int16(a.samples.data(), a.samples.size());
  std::vector<std::array<float, kCepstra>> out;
  std::lock_guard<std::mutex> lock(speech::sphinx_mutex());
  err_set_logfp(nullptr);  // fe_init prints its configuration there
  err_set_callback(speech::sphinx_log, nullptr);
  static const arg_t kArgs[] = {waveform_to_cepstral_command_line_macro(),
                                {nullptr, 0, nullptr, nullptr}};
  // Dither with a fixed seed: digital silence (espeak-ng's closures) has no log spectrum.
  std::unique_ptr<cmd_ln_t, int (*)(cmd_ln_t*)> config(
      cmd_ln_init(nullptr, kArgs, TRUE, "-samprate", "16000", "-dither", "yes", "-seed", "1",
                  "-ncep", "13", nullptr),
      cmd_ln_free_r);
  if (!config) throw std::runtime_error("sphinxbase front end: bad configuration");
  std::unique_ptr<fe_t, int (*)(fe_t*)> fe(fe_init_auto_r(config.get()), fe_free);
  if (!fe)
    throw std::runtime_error("sphinxbase front end cannot start: " + speech::last_sphinx_error());
  if (fe_get_output_size(fe.get()) != kCepstra)
    throw std::runtime_error("sphinxbase front end: unexpected cepstrum size");
  const auto capacity = static_cast<int32>(pcm.size() / 160 + 8);
  std::unique_ptr<mfcc_t*, void (*)(void*)> buf(
      static_cast<mfcc_t**>(ckd_calloc_2d(static_cast<size_t>(capacity), kCepstra, sizeof(mfcc_t))),
      ckd_free_2d);
  fe_start_utt(fe.get());
  const std::int16_t* p = pcm.data();
  std::size_t left = pcm.size();
  int32 frames = capacity - 1;
  if (fe_process_frames(fe.get(), &p, &left, buf.get(), &frames, nullptr) < 0)
    throw std::runtime_error("sphinxbase front end failed: " + speech::last_sphinx_error());
  int32 last = 0;
  fe_end_utt(fe.get(), buf.get()[frames], &last);
  out.resize(static_cast<std::size_t>(frames + last));
  for (std::size_t f = 0; f < out.size(); ++f)
    for (int c = 0; c < kCepstra; ++c) out[f][static_cast<std::size_t>(c)] = buf.get()[f][c];
  return out;
}

// Euclidean distance between normalised frames.
float distance(const Mfcc& x, const Mfcc& y) {
  float s = 0;
  for (std::size_t k = 0; k < x.size(); ++k) s += (x[k] - y[k]) * (x[k] - y[k]);
  return std::sqrt(s);
}

}  // namespace

std::vector<Mfcc> mfcc_frames(const Audio& audio) {
  if (audio.sample_rate != 16000)
    throw std::invalid_argument("mfcc_frames: audio must be 16 kHz (resample it first)");
  const std::vector<std::array<float, kCepstra>> c = cepstra(audio);
  std::vector<Mfcc> out(c.size());
  for (std::size_t f = 0; f < c.size(); ++f) {
    const std::size_t prev = f > 0 ? f - 1 : f, next = f + 1 < c.size() ? f + 1 : f;
    for (std::size_t k = 0; k < kCepstra; ++k) {
      out[f][k] = c[f][k];
      out[f][kCepstra + k] = 0.5f * (c[next][k] - c[prev][k]);
    }
  }
  // Per-utterance mean and variance normalisation of every dimension.
  if (!out.empty())
    for (std::size_t k = 0; k < out[0].size(); ++k) {
      double sum = 0, sum2 = 0;
      for (const Mfcc& m : out) {
        sum += m[k];
        sum2 += double(m[k]) * m[k];
      }
      const double n = double(out.size()), mean = sum / n;
      const double sd = std::sqrt(std::max(sum2 / n - mean * mean, 1e-12));
      for (Mfcc& m : out) m[k] = float((m[k] - mean) / sd);
    }
  return out;
}

WarpPath warp(const std::vector<Mfcc>& a, const std::vector<Mfcc>& b,
              const SynthesisAlignerOptions& o) {
  if (!(o.band_fraction > 0) || !(o.min_band_seconds > 0) ||
      !(o.max_band_seconds >= o.min_band_seconds))
    throw std::invalid_argument("warp: the band must be positive");
  WarpPath out;
  if (a.empty() || b.empty()) {
    out.a_of_b.assign(b.size(), 0);
    return out;
  }
  const auto n = static_cast<long>(a.size()), m = static_cast<long>(b.size());
  const double slope = double(n) / double(m);
  const long band = std::clamp(static_cast<long>(o.band_fraction * double(std::max(n, m))),
                               static_cast<long>(o.min_band_seconds / kFrameSeconds),
                               static_cast<long>(o.max_band_seconds / kFrameSeconds)) +
                    std::abs(n - m) / 8;
  // Column j of b covers rows [lo(j), hi(j)] of a around the proportional diagonal; the band is
  // widened where needed so consecutive columns overlap (the path stays connected).
  std::vector<long> lo(static_cast<std::size_t>(m)), hi(static_cast<std::size_t>(m));
  for (long j = 0; j < m; ++j) {
    const long c = std::lround(double(j) * slope);
    lo[std::size_t(j)] = std::max(0L, c - band);
    hi[std::size_t(j)] = std::min(n - 1, c + band);
  }
  lo[0] = 0;
  hi[std::size_t(m - 1)] = n - 1;
  for (long j = 1; j < m; ++j)
    lo[std::size_t(j)] = std::min(lo[std::size_t(j)], hi[std::size_t(j - 1)]);
  // Backpointers: 0 diagonal, 1 from the row above (same column), 2 from the left (same row).
  std::vector<std::vector<std::uint8_t>> from(static_cast<std::size_t>(m));
  const float inf = std::numeric_limits<float>::infinity();
  std::vector<float> prev, cur;
  long prev_lo = 0;
  auto at = [&](const std::vector<float>& col, long col_lo, long i) {
    const long k = i - col_lo;
    return k >= 0 && k < static_cast<long>(col.size()) ? col[std::size_t(k)] : inf;
  };
  for (long j = 0; j < m; ++j) {
    const long l = lo[std::size_t(j)], h = hi[std::size_t(j)];
    cur.assign(static_cast<std::size_t>(h - l + 1), inf);
    from[std::size_t(j)].assign(cur.size(), 0);
    for (long i = l; i <= h; ++i) {
      const float d = distance(a[std::size_t(i)], b[std::size_t(j)]);
      float best = inf;
      std::uint8_t step = 0;
      if (i == 0 && j == 0) {
        best = 0;
      } else {
        if (j > 0 && i > 0) best = at(prev, prev_lo, i - 1);
        const float up = i > l ? cur[std::size_t(i - 1 - l)] : inf;
        const float left = j > 0 ? at(prev, prev_lo, i) : inf;
        if (up < best) best = up, step = 1;
        if (left < best) best = left, step = 2;
      }
      cur[std::size_t(i - l)] = best + d;
      from[std::size_t(j)][std::size_t(i - l)] = step;
    }
    prev.swap(cur);
    prev_lo = l;
  }
  const float total = at(prev, prev_lo, n - 1);
  if (!std::isfinite(total)) throw std::logic_error("warp: the band lost the path");
  // Trace back; for each column keep the smallest row the path visits.
  out.a_of_b.assign(static_cast<std::size_t>(m), 0);
  long i = n - 1, j = m - 1, cells = 0;
  double sum = 0;
  while (true) {
    out.a_of_b[std::size_t(j)] = static_cast<int>(i);
    sum += distance(a[std::size_t(i)], b[std::size_t(j)]);
    ++cells;
    if (i == 0 && j == 0) break;
    const std::uint8_t s = from[std::size_t(j)][std::size_t(i - lo[std::size_t(j)])];
    if (s == 0) {
      --i;
      --j;
    } else if (s == 1) {
      --i;
    } else {
      --j;
    }
  }
  out.mean_distance = sum / double(cells);
  return out;
}

Alignment align_by_synthesis(const Audio& input, const std::string& written,
                             const SynthesisAlignerOptions& o, const std::string& transcript_name) {
  const double cpu0 = speech::thread_cpu_seconds();
  const std::string transcript = speech::plain_transcript(written, transcript_name);
  const std::vector<std::string> words = speech::split_words(transcript, transcript_name);
  const Audio audio = input.sample_rate == 16000 ? input : resample(input, 16000);
  Alignment out;
  out.audio_seconds = audio.duration();
  if (out.audio_seconds > o.max_seconds)
    throw InputError(o.audio_name, 0, 0,
                     "lasts " + std::to_string(out.audio_seconds) +
                         " s; alignment by synthesis takes at most " +
                         std::to_string(o.max_seconds) + " s (split it)");
  if (const std::string why = speech::implausible_transcript(words.size(), out.audio_seconds);
      !why.empty())
    throw InputError(transcript_name, 0, 0, why);
  // Silent audio (as the Aligner judges it): a still, closed mouth, whatever the transcript says.
  if (speech::peak_rms(audio.samples) < o.silence_rms) {
    out.method = AlignmentMethod::Silence;
    out.words = words;
    out.phonemes = {{Phoneme::SIL, 0, out.audio_seconds, ""}};
    out.warnings.push_back("the audio is silent: a still, closed mouth");
    out.cpu_seconds = speech::thread_cpu_seconds() - cpu0;
    return out;
  }
  // The transcript as written (punctuation gives espeak-ng its pauses), not the bare words.
  const LabelledSpeech ref = synthesize_espeak(transcript, o.language, o.rate_wpm);
  for (const std::string& u : ref.unmapped)
    out.warnings.push_back("espeak-ng's " + o.language + " phoneme \"" + u +
                           "\" has no mouth shape in the table: spoken as silence");
  out.words = words;
  out.method = AlignmentMethod::Synthesis;
  // Speakers differ in rate by up to ~2x; far beyond that the text is not what was said.
  const double ratio = out.audio_seconds / std::max(ref.audio.duration(), 1e-3);
  if (ratio < 1 / 3.0 || ratio > 3.0)
    out.warnings.push_back("the audio lasts " + std::to_string(out.audio_seconds) +
                           " s but espeak-ng's reading of the transcript " +
                           std::to_string(ref.audio.duration()) +
                           " s: check that the transcript is the audio's");
  const std::vector<Mfcc> fa = mfcc_frames(audio), fb = mfcc_frames(ref.audio);
  const WarpPath path = warp(fa, fb, o);
  auto to_audio = [&](double t_ref) {
    if (path.a_of_b.empty()) return 0.0;
    const auto f = static_cast<std::size_t>(
        std::clamp(std::lround(t_ref / kFrameSeconds), 0L, long(path.a_of_b.size()) - 1));
    return path.a_of_b[f] * kFrameSeconds;
  };
  std::vector<TimedPhoneme> phones;
  for (const TimedPhoneme& p : ref.truth) {
    const double start = to_audio(p.start), end = to_audio(p.end);
    phones.push_back({p.phoneme, start, std::max(end, start), p.word});
  }
  out.phonemes = speech::contiguous(std::move(phones), out.audio_seconds);
  // How well the two matched: the mean distance per path cell between normalised frames
  // (26 dimensions of unit variance; dtw_aligner.h gives the measured ranges).
  out.mismatch = path.mean_distance;
  if (path.mean_distance > o.max_mean_distance)
    out.warnings.push_back(
        "the audio and espeak-ng's reading of the transcript match poorly "
        "(mean frame distance " +
        std::to_string(path.mean_distance) +
        "): check that the transcript and --lang are the audio's");
  out.cpu_seconds = speech::thread_cpu_seconds() - cpu0;
  return out;
}

}  // namespace semblend
