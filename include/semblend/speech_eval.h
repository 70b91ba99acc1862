// semblend/speech_eval.h — how well speech becomes lip sync, against known phoneme timings.
//
// Sources of ground truth, each reported separately:
//   espeak-ng: sentences synthesised at run time (several voices and rates) with the phoneme
//     events espeak-ng reports while it speaks (IPA, mapped to ARPAbet by the aligner's table,
//     src/speech/pronunciation.cpp), corrected for two known offsets: a stop's event fires at its
//     burst, after the closure (a run of zero samples), so a stop starts where that run starts;
//     a vowel after a nasal is reported ~20 ms late, so it starts 20 ms earlier. Digital-zero
//     closures make espeak-ng a pessimistic test of real speech.
//   festival: the same sentences by festival's diphone voice at three speeds, timed by its own
//     segment relation (closures are inside the stop's segment; closer to real speech).
//   real: the LibriVox utterances of a folder (NAME.wav, NAME.txt, NAME.phone.json; the
//     alignments are pocketsphinx's own output, not human labels).
// Each utterance runs through the aligner with its transcript, without (recognition), and the
//   live stream (speech_stream.h, 40 ms chunks). Scores (score_phones): 8-lip-class frame
//   accuracy (10 ms frames over the truth's span where the result's phoneme has the truth's lip
//   class), bilabial closure recall (truth p/b/m with a result p/b/m overlapping within ±40 ms),
//   phone boundary error (per truth phone start, the distance to the nearest result start); CPU
//   real-time factor; for the live stream also the largest latency (audio seconds).
// Failure modes: InputError/IoError from reading the real folder's files; std::runtime_error when
//   espeak-ng cannot be initialised or gives no audio.
// Thread safety: espeak-ng and pocketsphinx calls are serialized process-wide.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"

namespace semblend {

// An utterance with its true phoneme timings.
struct LabelledSpeech {
  std::string source;  // "espeak-ng", "festival", "real"
  std::string name;    // sentence index, voice, rate; or the file stem
  Audio audio;         // 16 kHz mono
  std::string transcript;
  std::vector<TimedPhoneme> truth;  // contiguous from 0; SIL for pauses
};

// espeak-ng speaks `text` with `voice` ("en-us", "en-us+f3", ...) at `rate_wpm` (80..450); the
// timings corrected as above. Resampled from espeak-ng's 22050 Hz to 16 kHz.
LabelledSpeech synthesize_espeak(const std::string& text, const std::string& voice, int rate_wpm);

// festival (Debian's `festival` + `festvox-kallpc16k`, run as `festival -b`) speaks `text` with
// `voice` ("kal_diphone") at `stretch` times its normal durations; the truth is its Segment
// relation's end times (festival's radio phone set mapped to ARPAbet: ax -> AH, ix -> IH,
// axr -> ER, dx -> T, el -> L, em -> M, en/nx -> N, pau/h#/brth -> SIL). Throws
// std::runtime_error when festival is missing or fails.
LabelledSpeech synthesize_festival(const std::string& text, const std::string& voice,
                                   double stretch);
bool festival_available();  // /usr/bin/festival (or $SEMBLEND_FESTIVAL) exists

struct PhoneScores {
  int frames = 0, frames_right = 0;  // 10 ms frames, and those with the right lip class
  int bilabials = 0, bilabials_found = 0;
  std::vector<double> boundary_errors_ms;
};
PhoneScores score_phones(const std::vector<TimedPhoneme>& result,
                         const std::vector<TimedPhoneme>& truth);

struct ModeResult {
  PhoneScores scores;  // pooled over the source's utterances
  double cpu_seconds = 0, audio_seconds = 0;
  double max_latency = 0;  // live only: audio seconds
  double accuracy() const;
  double bilabial_recall() const;
  double boundary_percentile(double q) const;  // ms; q in [0, 1]
};

struct SourceResult {
  std::string source;
  int utterances = 0;
  double audio_seconds = 0;
  ModeResult transcript, recognition, live;
};

struct SpeechEvalOptions {
  std::vector<std::string> sentences;  // empty = the built-in Harvard sentences
  std::vector<std::string> voices{"en-us", "en-us+f3", "en-us+m7"};
  std::vector<int> rates{140, 200};
  // festival: skipped (with a note) when not installed.
  std::vector<std::string> festival_voices{"kal_diphone"};
  std::vector<double> festival_stretches{0.85, 1.0, 1.2};
  bool festival = true;
  std::string real_dir;   // LibriVox folder; "" = no real source
  std::string model_dir;  // pocketsphinx's en-us folder ("" = default)
  bool espeak = true;
};

// The built-in sentences (Harvard sentences, IEEE 1969: phonetically balanced, public domain).
const std::vector<std::string>& eval_sentences();

std::vector<SourceResult> evaluate_speech(
    const SpeechEvalOptions& options,
    const std::function<void(const std::string&)>& progress = nullptr);

// The report as JSON (one object per source, each mode with its numbers).
std::string speech_eval_json(const std::vector<SourceResult>& results,
                             const SpeechEvalOptions& options);

}  // namespace semblend
