// semblend/speech_stream.h — live lip sync: audio in chunks -> 60 fps mouth frames, bounded delay.
//
// SpeechStream: push 16 kHz mono audio in chunks of any size (floats in [-1, 1] or 16-bit PCM);
//   each push returns the face frames (and phones) that became final. Inside, pocketsphinx's phone
//   loop (en-us acoustic model, the phonetic language model en-us-phone.lm.bin, context-independent
//   phones: `-allphone ... -allphone_ci yes`) decodes 10 ms steps incrementally. Its best path
//   still changes near the newest audio, so a 10 ms frame's phone is taken as final `phone_lag`
//   seconds behind the newest decoded frame and never revised. A frame whose last 150 ms are all
//   below `silence_rms` is silence whatever the phone loop says (a closed mouth). Faces are the
//   dominance-function coarticulation of animate_phonemes (speech.h) over the final phones (0.5 s
//   of history, `lookahead` seconds of future), with the jaw scaled by loudness (RMS against a
//   slowly decaying running peak: loud syllables open wider, fading speech closes), so the jaw
//   follows energy and the lips follow the phones; bilabial closures stay shut.
// Latency: a frame at audio time t is returned by the push that brings the audio to
//   t + latency; latency = the decoder step (10 ms) + pocketsphinx's feature delay (a few
//   10 ms frames) + phone_lag + lookahead. max_latency() reports the largest one seen, in audio
//   seconds (not wall-clock). finish() flushes everything at the end of the input.
// Memory: bounded for input of any length. The decoder's utterance restarts at a pause after
//   `min_utterance_seconds`, and at `max_utterance_seconds` at the latest (its search history
//   grows with the utterance); only ~0.6 s of phones and levels are kept.
// Frames: times j / fps from the stream's start, j = 0, 1, ... up to the audio's duration. Phones:
//   contiguous runs of one phoneme from 0, each returned once it has ended.
// Failure modes: create throws IoError / InputError (models missing or refused, naming the file),
//   std::invalid_argument for bad options; push/finish throw std::runtime_error if pocketsphinx
//   fails, std::logic_error after finish().
// Thread safety: one stream per thread; pocketsphinx calls are serialized process-wide.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"
#include "semblend/take.h"

namespace semblend {

struct SpeechStreamOptions {
  std::string model_dir;              // pocketsphinx's en-us folder ("" = as AlignerOptions)
  double fps = 60;                    // output frame rate
  double phone_lag = 0.08;            // s: phones are final this far behind the newest frame
  double lookahead = 0.0;             // s of final phones coarticulation sees past a frame
  double min_utterance_seconds = 8;   // the decoder restarts at the next pause after this
  double max_utterance_seconds = 20;  // and at this at the latest
  double silence_rms = 0.002;         // 150 ms below this RMS is silence (-54 dBFS)
  bool energy_jaw = true;             // scale jawOpen by loudness
};

struct StreamOutput {
  std::vector<FaceFrame> frames;     // newly final frames, in time order
  std::vector<TimedPhoneme> phones;  // newly ended phone runs (SIL for silence)
};

class SpeechStream {
 public:
  static SpeechStream create(const SpeechStreamOptions& options = {});
  SpeechStream(SpeechStream&&) noexcept;
  SpeechStream& operator=(SpeechStream&&) noexcept;
  ~SpeechStream();

  StreamOutput push(std::span<const float> samples);               // 16 kHz mono, [-1, 1]
  StreamOutput push_pcm16(std::span<const std::int16_t> samples);  // 16 kHz mono, 16-bit
  StreamOutput finish();  // end of input: the remaining frames and the last phone

  double audio_seconds() const;  // audio pushed so far
  double max_latency() const;    // largest (audio received - frame time) of frames from push
  const SpeechStreamOptions& options() const;

 private:
  struct Impl;
  explicit SpeechStream(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// The whole of `audio` (resampled to 16 kHz if needed) through a stream in `chunk_seconds` pushes:
// the frames as a Take and the phones; max latency in *latency when given. For tests and eval.
Take stream_audio(const Audio& audio, const SpeechStreamOptions& options, double chunk_seconds,
                  std::vector<TimedPhoneme>* phones = nullptr, double* latency = nullptr);

}  // namespace semblend
