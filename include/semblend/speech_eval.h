// semblend/speech_eval.h — how well speech becomes lip sync, against known phoneme timings.
//
// Sources of ground truth, each reported separately:
//   espeak-ng: sentences synthesised at run time (several voices and rates) with the phoneme
//     events espeak-ng reports while it speaks (IPA, mapped to ARPAbet by the aligner's table,
//     src/speech/pronunciation.cpp), corrected for two known offsets: a stop's event fires at its
//     burst, after the closure (a run of zero samples), so a stop starts where that run starts;
//     a vowel after a nasal is reported ~20 ms late, so it starts 20 ms earlier. Digital-zero
//     closures make espeak-ng a pessimistic test of real speech.
//   festival: the same sentences by three festival voices (two diphone, one HTS) at three speeds,
//     each voice its own source, timed by festival's segment relation (closures are inside the
//     stop's segment; closer to real speech).
//   real: the LibriVox utterances of a folder (NAME.wav, NAME.txt, NAME.phone.json; the
//     alignments are pocketsphinx's own output, not human labels).
//   other languages: espeak-ng in de, fr, es, it, ru, zh (see SpeechEvalOptions::languages), and
//     festival's Italian voices (festival_language_voices), aligned by synthesis (dtw_aligner.h)
//     and by the cross-language forced alignment (aligner.h, AlignerOptions::language) with a
//     transcript, and by the phone recogniser without.
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
#include <utility>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"
#include "semblend/speech_synthesis.h"

namespace semblend {

// festival (Debian's `festival` + `festvox-kallpc16k`, run as `festival -b`) speaks `text` with
// `voice` ("kal_diphone") at `stretch` times its normal durations; the truth is its Segment
// relation's end times (festival's radio phone set mapped to ARPAbet: ax -> AH, ix -> IH,
// axr -> ER, dx -> T, el -> L, em -> M, en/nx -> N, pau/h#/brth -> SIL). Throws
// std::runtime_error when festival is missing or fails.
LabelledSpeech synthesize_festival(const std::string& text, const std::string& voice,
                                   double stretch);
bool festival_available();  // /usr/bin/festival (or $SEMBLEND_FESTIVAL) exists
// The voice is installed: a folder /usr/share/festival/voices/<language>/<voice>.
bool festival_voice_available(const std::string& voice);
// The folder the voice is installed under ("english", "us", "italian"); "" when not installed.
std::string festival_voice_language(const std::string& voice);

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
  // Other languages (and English through the same path): `transcript` is alignment by synthesis
  // (dtw_aligner.h), `recognition` the phone recogniser (recognize_phones); no live mode. For a
  // language other than English `acoustic` is the cross-language forced alignment (the Aligner
  // with AlignerOptions::language: espeak-ng's phones, English acoustic models).
  bool by_synthesis = false;
  ModeResult acoustic;
  // The cross-language aligner's transcript check (AlignerOptions::min_contrast_ratio): how many
  // right transcripts it keeps, and how many wrong ones (each utterance with the next sentence's
  // transcript, of about the same length) it detects and falls back from.
  int transcripts_kept = 0;
  int wrong_transcripts = 0, wrong_detected = 0;
};

struct SpeechEvalOptions {
  std::vector<std::string> sentences;  // empty = the built-in Harvard sentences
  std::vector<std::string> voices{"en-us", "en-us+f3", "en-us+m7"};
  std::vector<int> rates{140, 200};
  // festival: skipped (with a note) when not installed, and so is each voice that is not. Each
  // voice is a source of its own ("festival kal_diphone"): two diphone voices (US English male,
  // Debian festvox-kallpc16k, festvox-kdlpc16k) and a statistical (HTS) one (US English female,
  // festvox-us-slt-hts), whose segment times come from different synthesis methods.
  std::vector<std::string> festival_voices{"kal_diphone", "ked_diphone", "cmu_us_slt_arctic_hts"};
  std::vector<double> festival_stretches{0.85, 1.0, 1.2};
  bool festival = true;
  // Other languages: per language its built-in sentences spoken by espeak-ng's `lang+f3` at 140
  // and `lang+m7` at 190 wpm (other voices and rates than the reference, espeak-ng's default
  // voice at 160), aligned by synthesis; the truth is the spoken voice's own events. English
  // festival and real speech also go through alignment by synthesis (`synthesis_english`), the
  // test of the method on a voice that is not espeak-ng's.
  std::vector<std::string> languages{"de", "fr", "es", "it", "ru", "zh"};
  std::vector<std::string> language_variants{"+f3", "+m7"};
  std::vector<int> language_rates{140, 190};
  bool synthesis_english = true;
  // festival voices of other languages (language, voice), each speaking that language's built-in
  // sentences at festival_stretches; the truth is festival's segments (its Italian phone set
  // mapped as the IPA table maps the same sounds); each only when its language is in `languages`.
  // A voice that is not installed is skipped.
  // Debian: festvox-italp16k (lp_diphone, female) and festvox-itapc16k (pc_diphone, male).
  std::vector<std::pair<std::string, std::string>> festival_language_voices{{"it", "lp_diphone"},
                                                                            {"it", "pc_diphone"}};
  std::string real_dir;   // LibriVox folder; "" = no real source
  std::string model_dir;  // pocketsphinx's en-us folder ("" = default)
  bool espeak = true;
};

// The built-in sentences (Harvard sentences, IEEE 1969: phonetically balanced, public domain).
const std::vector<std::string>& eval_sentences();
// Built-in sentences for another language (two each, written for this evaluation, with
// bilabials and rounded vowels); empty for a language without any.
const std::vector<std::string>& eval_sentences(const std::string& language);
// The languages with built-in sentences: de fr es it ru zh pt nl pl sv cs tr fi hu el yue ja ko
// hi ar vi.
std::vector<std::string> eval_languages();

std::vector<SourceResult> evaluate_speech(
    const SpeechEvalOptions& options,
    const std::function<void(const std::string&)>& progress = nullptr);

// The report as JSON (one object per source, each mode with its numbers).
std::string speech_eval_json(const std::vector<SourceResult>& results,
                             const SpeechEvalOptions& options);

}  // namespace semblend
