// Live lip sync (see speech_stream.h): the phone loop in 10 ms steps, final phones behind a fixed
// lag, coarticulated faces over a short window, the jaw scaled by loudness.
#include "semblend/speech_stream.h"

#include <algorithm>
#include <cmath>
#include <deque>
#include <stdexcept>

#include "speech/phone_loop.h"

namespace semblend {
namespace {

constexpr int kRate = 16000, kFrameSamples = 160;  // 10 ms frames
constexpr std::size_t kStep = 160;                 // 10 ms decoder steps
constexpr int kSilenceFrames = 15;                 // 150 ms below silence_rms: silence
constexpr double kHistory = 0.5;                   // s of phones coarticulation looks back

}  // namespace

struct SpeechStream::Impl {
  SpeechStreamOptions options;
  speech::PhoneLoop loop;
  bool finished = false;
  std::vector<std::int16_t> pending;  // < kStep samples not yet decoded
  std::int64_t samples = 0;           // samples decoded
  std::int64_t utt_start = 0;         // global 10 ms frame where the decoder's utterance began
  // Per global 10 ms frame from `base`: final phones (labels, up to `committed`) and levels.
  std::int64_t base = 0;
  std::deque<Phoneme> labels;
  std::deque<float> rms, loudness;
  double peak_db = -30;         // running peak level, decays 3 dB/s
  std::int64_t next_frame = 0;  // index of the next output frame
  Phoneme run = Phoneme::SIL;   // the phone run in progress (for StreamOutput::phones)
  std::int64_t run_start = 0;
  double max_latency = 0;

  explicit Impl(speech::PhoneLoop l) : loop(std::move(l)) {}
  std::int64_t committed() const { return base + static_cast<std::int64_t>(labels.size()); }

  void levels(const std::int16_t* x) {  // one 10 ms frame
    double sum = 0;
    for (int i = 0; i < kFrameSamples; ++i) sum += static_cast<double>(x[i]) * x[i];
    const double r = std::sqrt(sum / kFrameSamples) / 32768.0;
    const double db = 20 * std::log10(std::max(r, 1e-6));
    peak_db = std::max(peak_db - 0.03, db);
    rms.push_back(static_cast<float>(r));
    loudness.push_back(static_cast<float>(std::clamp((db - (peak_db - 30)) / 24, 0.0, 1.0)));
  }

  bool silent(std::int64_t g) const {  // the 150 ms up to frame g are all quiet
    for (std::int64_t k = g; k > g - kSilenceFrames; --k) {
      if (k < base) return false;
      const auto i = static_cast<std::size_t>(k - base);
      if (i >= rms.size() || rms[i] >= options.silence_rms) return false;
    }
    return true;
  }

  // Makes global frames [committed(), to) final, reading phones off the decoder's path `segs`.
  void commit(const std::vector<speech::PhoneSegment>& segs, std::int64_t to, StreamOutput& out) {
    std::size_t s = 0;
    for (std::int64_t g = committed(); g < to; ++g) {
      const auto u = static_cast<int>(g - utt_start);
      while (s + 1 < segs.size() && segs[s].ef < u) ++s;
      Phoneme p = segs.empty() || segs[s].sf > u || segs[s].ef < u ? Phoneme::SIL : segs[s].phoneme;
      if (!segs.empty() && u > segs.back().ef) p = segs.back().phoneme;
      if (silent(g)) p = Phoneme::SIL;
      if (p != run) {
        if (g > run_start) out.phones.push_back({run, run_start * 0.01, g * 0.01, ""});
        run = p;
        run_start = g;
      }
      labels.push_back(p);
    }
  }

  void restart(StreamOutput& out) {
    const std::vector<speech::PhoneSegment> segs = loop.end();
    const std::int64_t total = (samples + kFrameSamples - 1) / kFrameSamples;
    commit(segs, total, out);
    loop.start();
    utt_start = total;
  }

  void step(const std::int16_t* x, std::size_t n, StreamOutput& out) {
    loop.process(x, n);
    for (std::size_t i = 0; i + kFrameSamples <= n; i += kFrameSamples) levels(x + i);
    samples += static_cast<std::int64_t>(n);
    const int decoded = loop.frames();
    const auto lag = static_cast<int>(std::lround(options.phone_lag * 100));
    const std::int64_t horizon = utt_start + decoded - lag;
    if (horizon > committed()) commit(loop.best(), horizon, out);
    const double utt_seconds = static_cast<double>(decoded) * 0.01;
    const bool pause =
        labels.size() >= 20 &&
        std::all_of(labels.end() - 20, labels.end(), [](Phoneme p) { return p == Phoneme::SIL; });
    if (utt_seconds >= options.max_utterance_seconds ||
        (utt_seconds >= options.min_utterance_seconds && pause))
      restart(out);
  }

  // Emits the output frames whose time is at most `limit` seconds.
  void emit(double limit, StreamOutput& out) {
    const double fps = options.fps;
    if (static_cast<double>(next_frame) / fps > limit + 1e-9) return;
    const std::int64_t back = static_cast<std::int64_t>(std::ceil(kHistory * fps));
    const std::int64_t first = std::max<std::int64_t>(0, next_frame - back);
    const double ws = static_cast<double>(first) / fps, end = committed() * 0.01;
    std::vector<TimedPhoneme> window;
    for (std::int64_t g = std::max(base, static_cast<std::int64_t>(std::floor(ws * 100)));
         g < committed(); ++g) {
      const Phoneme p = labels[static_cast<std::size_t>(g - base)];
      if (window.empty() || window.back().phoneme != p)
        window.push_back({p, std::max(ws, g * 0.01), (g + 1) * 0.01, ""});
      else
        window.back().end = (g + 1) * 0.01;
    }
    if (window.empty()) window.push_back({Phoneme::SIL, ws, std::max(ws, end), ""});
    window.front().start = ws;
    // Past the limit by half a frame, so that rounding never drops the frame at the limit.
    window.back().end = std::max(window.back().end, limit + 0.5 / fps);
    ArticulationOptions ao;
    ao.fps = fps;
    const Take take = animate_phonemes(window, ao);
    for (const FaceFrame& f : take.frames) {
      const auto j = static_cast<std::int64_t>(std::lround((ws + f.time) * fps));
      if (j < next_frame) continue;
      if (static_cast<double>(j) / fps > limit + 1e-9) break;
      FaceFrame g = f;
      g.time = static_cast<double>(j) / fps;
      if (options.energy_jaw && !loudness.empty()) {
        const std::int64_t k =
            std::clamp<std::int64_t>(static_cast<std::int64_t>(g.time * 100), base,
                                     base + static_cast<std::int64_t>(loudness.size()) - 1);
        const float l = loudness[static_cast<std::size_t>(k - base)];
        // mouthClose scales with the jaw it cancels, so closed lips stay closed.
        for (Blendshape s : {Blendshape::JawOpen, Blendshape::MouthClose})
          g.coefficients.set(s, std::min(1.0f, g.coefficients[s] * (0.55f + 0.6f * l)));
      }
      out.frames.push_back(g);
      next_frame = j + 1;
    }
    // Forget what the next window no longer needs.
    const auto keep =
        static_cast<std::int64_t>(std::floor(
            static_cast<double>(std::max<std::int64_t>(0, next_frame - back)) / fps * 100)) -
        kSilenceFrames;
    while (base < keep && !labels.empty() && rms.size() > kSilenceFrames) {
      labels.pop_front();
      rms.pop_front();
      loudness.pop_front();
      ++base;
    }
  }

  StreamOutput push(const std::int16_t* x, std::size_t n) {
    if (finished) throw std::logic_error("SpeechStream::push after finish()");
    StreamOutput out;
    for (std::size_t i = 0; i < n;) {
      const std::size_t take = std::min(n - i, kStep - pending.size());
      pending.insert(pending.end(), x + i, x + i + take);
      i += take;
      if (pending.size() < kStep) break;
      step(pending.data(), pending.size(), out);
      pending.clear();
      const std::size_t before = out.frames.size();
      emit(committed() * 0.01 - options.lookahead, out);
      const double received = static_cast<double>(samples) / kRate;
      for (std::size_t k = before; k < out.frames.size(); ++k)
        max_latency = std::max(max_latency, received - out.frames[k].time);
    }
    return out;
  }
};

SpeechStream::SpeechStream(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SpeechStream::SpeechStream(SpeechStream&&) noexcept = default;
SpeechStream& SpeechStream::operator=(SpeechStream&&) noexcept = default;
SpeechStream::~SpeechStream() = default;

SpeechStream SpeechStream::create(const SpeechStreamOptions& o) {
  if (!(o.fps > 0 && o.fps <= 1000)) throw std::invalid_argument("stream fps must be in (0, 1000]");
  if (!(o.phone_lag >= 0 && o.phone_lag <= 2) || !(o.lookahead >= 0 && o.lookahead <= 1))
    throw std::invalid_argument("phone_lag must be in [0, 2] s and lookahead in [0, 1] s");
  if (!(o.min_utterance_seconds >= 1) || !(o.max_utterance_seconds >= o.min_utterance_seconds) ||
      o.max_utterance_seconds > 120)
    throw std::invalid_argument(
        "utterance limits must satisfy 1 <= min_utterance_seconds <= max_utterance_seconds <= 120");
  if (!(o.silence_rms >= 0)) throw std::invalid_argument("silence_rms must be >= 0");
  auto impl = std::make_unique<Impl>(speech::PhoneLoop::create(o.model_dir));
  impl->options = o;
  impl->loop.start();
  return SpeechStream(std::move(impl));
}

StreamOutput SpeechStream::push_pcm16(std::span<const std::int16_t> samples) {
  return impl_->push(samples.data(), samples.size());
}

StreamOutput SpeechStream::push(std::span<const float> samples) {
  std::vector<std::int16_t> pcm(samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    if (!std::isfinite(samples[i])) throw std::invalid_argument("non-finite audio sample");
    pcm[i] = static_cast<std::int16_t>(std::lround(std::clamp(samples[i], -1.0f, 1.0f) * 32767.0f));
  }
  return impl_->push(pcm.data(), pcm.size());
}

StreamOutput SpeechStream::finish() {
  Impl& m = *impl_;
  if (m.finished) throw std::logic_error("SpeechStream::finish called twice");
  StreamOutput out;
  if (!m.pending.empty()) {
    const std::size_t n = m.pending.size();
    m.loop.process(m.pending.data(), n);
    for (std::size_t i = 0; i + kFrameSamples <= n; i += kFrameSamples) m.levels(&m.pending[i]);
    if (n % kFrameSamples != 0) {  // the last partial 10 ms frame: its level over what there is
      std::vector<std::int16_t> last(m.pending.end() - static_cast<long>(n % kFrameSamples),
                                     m.pending.end());
      last.resize(kFrameSamples, 0);
      m.levels(last.data());
    }
    m.samples += static_cast<std::int64_t>(n);
    m.pending.clear();
  }
  m.restart(out);
  m.finished = true;
  const double duration = static_cast<double>(m.samples) / kRate;
  if (m.samples > 0) {
    m.emit(duration, out);
    if (m.committed() > m.run_start)
      out.phones.push_back({m.run, m.run_start * 0.01, duration, ""});
  }
  return out;
}

double SpeechStream::audio_seconds() const {
  return static_cast<double>(impl_->samples + static_cast<std::int64_t>(impl_->pending.size())) /
         kRate;
}
double SpeechStream::max_latency() const {
  return impl_->max_latency;
}
const SpeechStreamOptions& SpeechStream::options() const {
  return impl_->options;
}

Take stream_audio(const Audio& audio, const SpeechStreamOptions& options, double chunk_seconds,
                  std::vector<TimedPhoneme>* phones, double* latency) {
  if (!(chunk_seconds > 0)) throw std::invalid_argument("chunk_seconds must be > 0");
  const Audio a = audio.sample_rate == kRate ? audio : resample(audio, kRate);
  SpeechStream stream = SpeechStream::create(options);
  Take take;
  take.fps = options.fps;
  take.metadata["source"] = "semblend speech --stream";
  auto add = [&](StreamOutput o) {
    take.frames.insert(take.frames.end(), o.frames.begin(), o.frames.end());
    if (phones) phones->insert(phones->end(), o.phones.begin(), o.phones.end());
  };
  const auto chunk = std::max<std::size_t>(1, static_cast<std::size_t>(chunk_seconds * kRate));
  for (std::size_t i = 0; i < a.samples.size(); i += chunk)
    add(stream.push(
        std::span<const float>(a.samples.data() + i, std::min(chunk, a.samples.size() - i))));
  add(stream.finish());
  if (latency) *latency = stream.max_latency();
  return take;
}

}  // namespace semblend
