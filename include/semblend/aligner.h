// semblend/aligner.h — speech audio -> timed phonemes (English; pocketsphinx 5prealpha, en-us).
//
// Aligner::align(audio, transcript): forced alignment. The transcript's words get their CMUdict
//   pronunciations (alternates as parallel paths); words missing from CMUdict are pronounced by
//   espeak-ng (IPA mapped to ARPAbet) with a warning, and dropped with a warning when espeak-ng has
//   nothing either. The words become a phone-level grammar (every ARPAbet phone a word of its own,
//   an optional silence between words and at both ends) that pocketsphinx decodes without pruning,
//   so the phones are exactly the transcript's and only their times are searched. A pause between
//   words has a small prior (`pause_probability`), so a stop's silent closure stays the stop's.
//   The chosen phones are then decoded again on the audio started a quarter, half and
//   three-quarters of a 10 ms frame later (`subframe_passes`), and each phone starts at the mean
//   of the passes, plus `boundary_shift`: boundaries finer than pocketsphinx's frames. Audio longer
//   than `max_chunk_seconds` is aligned in pieces: each piece is aligned open-ended and kept up to
//   the last pause (or word end) a few seconds before its end, and the next piece starts there.
//   The transcript is then checked against the audio: when the aligned path scores far below an
//   unconstrained phone loop on the same audio (per frame, `mismatch_per_frame`), the transcript
//   does not match the audio, and the result falls back to recognition (method
//   RecognitionFallback, with a warning). A transcript that matches as a whole may still miss
//   words somewhere: where the alignment fits far worse than the phone loop over half a second,
//   those words are aligned again merged with what word recognition hears there (see
//   `local_mismatch`; Alignment::repairs and a warning say where).
// Other languages (AlignerOptions::language): every word's phones from espeak-ng in that language,
//   aligned the same way with the English acoustic model (a cross-language forced alignment:
//   the phones' order is the transcript's, the English models only place the boundaries). Its
//   transcripts are checked against a control, the same phones reversed (`min_contrast_ratio`),
//   not against the English gap alone; one that does not match falls back to the phone loop.
//   A language is an espeak-ng voice name or a language code voices declare ("zh", "zh-yue",
//   "pt-BR"); Chinese goes to espeak-ng's cmn-latn-pinyin voice, the one that reads characters.
// Aligner::recognize(audio): no transcript. Word recognition with the en-us trigram language model
//   (fast beams), in pieces under `max_chunk_seconds` cut at the quietest 10 ms, then the same
//   forced alignment on the recognised words, piece by piece. Another language: the phone loop
//   (recognize_phones, method PhoneLoop).
// Output (Alignment): phonemes covering [0, audio duration] without gaps, silences as SIL; the
//   words aligned; warnings (for the caller to print: this stage never prints); CPU seconds.
//   Silent audio (peak RMS over 25 ms windows below `silence_rms`) and empty audio give one SIL
//   spanning the audio — a still, closed mouth — with method Silence. Times come from
//   pocketsphinx's frames (100 per second; a segment's end frame is inclusive, so it ends at
//   (ef + 1) / 100 s), refined below a frame by the sub-frame passes (recognition then alignment
//   too).
// Input audio at any rate is resampled to 16 kHz first.
// Failure modes: Aligner::create throws IoError / InputError naming the model file that is
//   missing or that pocketsphinx refuses, std::invalid_argument for a language espeak-ng lacks;
//   align/recognize throw InputError (transcript not UTF-8 or without words, naming
//   `transcript_name`) and std::runtime_error if pocketsphinx fails unexpectedly.
// Thread safety: an Aligner is one decoder; use one per thread. Calls of different Aligners are
//   serialized by a process-wide mutex, because sphinxbase keeps global state (its dither random
//   generator and log sink). Results are deterministic: dither is seeded (`-seed 1`) per utterance.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"

namespace semblend {

struct AlignerOptions {
  // pocketsphinx's en-us model folder, holding en-us/ (acoustic model), cmudict-en-us.dict and
  // en-us.lm.bin. "" = $SEMBLEND_POCKETSPHINX_MODEL, else the folder pkg-config names at build
  // time (pocketsphinx's modeldir + /en-us; Debian: /usr/share/pocketsphinx/model/en-us).
  std::string model_dir;
  // Each overrides its file in model_dir when set.
  std::string acoustic_model, dictionary, language_model;
  // The transcript's language, an espeak-ng voice. English (en, en-us, en-gb, ...: see
  // english_language) reads words from CMUdict; any other language takes every word's phones from
  // espeak-ng in that language, mapped to the English phones whose mouth they share (the IPA
  // table, src/speech/pronunciation.cpp), and aligns them with the same English acoustic model:
  // a cross-language forced alignment. Without a transcript, and when a transcript does not
  // match, another language falls back to the phone loop (recognize_phones), not to English
  // word recognition.
  std::string language = "en-us";
  bool espeak = true;               // pronounce words missing from CMUdict with espeak-ng
  double max_chunk_seconds = 30;    // longer audio is aligned/recognised in pieces (cost grows
                                    // with phones x frames)
  double mismatch_per_frame = 1.5;  // natural-log likelihood per 10 ms frame below the phone loop
                                    // that marks a transcript as not matching the audio (English)
  // Another language's phones, mapped onto English ones, fit the English acoustic model unevenly
  // (a right Russian transcript can score 1.7 below the phone loop, a wrong Czech one 0.8): the
  // gap alone does not tell them apart. Its transcripts are judged against a control as well: the
  // same phones in reverse order, aligned the same way. A transcript that beats its own reversal
  // (the contrast, log-likelihood per 10 ms frame) by less than min_contrast_ratio times its gap
  // to the phone loop does not match the audio (measured, docs/speech.md "Other languages").
  double min_contrast_ratio = 0.3;
  double silence_rms = 0.002;        // audio whose loudest 25 ms stays below this is silence
  double pause_probability = 0.001;  // prior of a pause between two words (the optional SIL at
                                     // both ends is free): a stop's closure is not a pause unless
                                     // the audio insists
  int subframe_passes = 4;           // forced alignments: each phone start is the mean over this
                                     // many decodes of the chosen phones, the audio started k/N of
                                     // a 10 ms frame later in pass k (1 = whole frames only)
  double boundary_shift = 0.0025;    // seconds added to every phone start after the first: a
                                     // frame's features span 25.6 ms from its start, so the frame
                                     // where a phone begins is reported a little early (measured,
                                     // docs/speech.md); within ±0.01
  // A transcript that leaves out what is said, or says what is not (English): a subtitle line
  // missing, a word misheard by whoever wrote it. Where the aligned path scores, over any
  // `local_window` seconds, more than `local_mismatch` per 10 ms frame below the phone loop, that
  // stretch (widened to whole words, and two more words on either side) is recognised too, and the
  // transcript's words there are aligned again merged with what was heard: words both have are
  // said, a transcript word not heard may be left out (prior `unheard_word_prior`), a heard word
  // the transcript lacks may be said (prior `heard_word_prior`). The merged alignment replaces the
  // transcript's there when its acoustic log-likelihood is more than `repair_gain` per frame
  // higher, with a warning naming the stretch (Alignment::repairs lists every stretch, kept or
  // replaced). The priors are
  // pocketsphinx grammar probabilities, which weigh in the acoustic scores unscaled, so only tiny
  // ones tell (measured, docs/speech.md "A transcript that misses words"). Transcripts in other
  // languages are not checked locally.
  double local_window = 0.5;
  double local_mismatch = 2.0;
  double heard_word_prior = 1e-30;
  double unheard_word_prior = 1e-10;
  double repair_gain = 0;
  // The word recogniser's language weight (-lw), in [1, 20]: pocketsphinx's default 6.5 lets the
  // language model overrule the acoustics more (measured, docs/speech.md).
  double recognition_language_weight = 4;
};

// Synthesis: a transcript in another language aligned to espeak-ng's reading (dtw_aligner.h,
// speech --lang L --by-synthesis).
// PhoneLoop: no transcript in another language; pocketsphinx's English phone loop, whose lip
// shapes carry over between languages (speech --lang without --transcript).
enum class AlignmentMethod {
  Silence,
  Transcript,
  Recognition,
  RecognitionFallback,
  Synthesis,
  PhoneLoop
};
const char* alignment_method_name(AlignmentMethod m);  // "silence", "transcript", ...

// A stretch of audio the transcript fitted badly (Aligner::align, English).
struct AlignmentRepair {
  double start = 0, end = 0;  // seconds
  std::string transcript;     // the transcript's words there
  std::string heard;          // what word recognition heard there
  double gain = 0;            // the alignment merged with the heard words: its acoustic
                              // log-likelihood per 10 ms frame above the transcript's (-inf: it
                              // found no path)
  bool replaced = false;      // the recognised words animate the stretch
};

struct Alignment {
  std::vector<TimedPhoneme> phonemes;  // [0, duration], contiguous; SIL for silence
  std::vector<std::string> words;      // the words aligned (transcript or recognised)
  AlignmentMethod method = AlignmentMethod::Silence;
  std::vector<std::string> warnings;
  std::vector<AlignmentRepair> repairs;  // stretches the transcript fitted badly, in order
  double mismatch = 0;     // worst per-frame log-likelihood gap to the phone loop (transcripts)
  double contrast = 0;     // another language's transcripts: the least per-frame log-likelihood
                           // by which a piece's transcript beats its reversal (0 otherwise)
  double cpu_seconds = 0;  // CPU time of this call
  double audio_seconds = 0;
};

class Aligner {
 public:
  static Aligner create(const AlignerOptions& options = {});
  Aligner(Aligner&&) noexcept;
  Aligner& operator=(Aligner&&) noexcept;
  ~Aligner();

  Alignment align(const Audio& audio, const std::string& transcript,
                  const std::string& transcript_name = "transcript");
  Alignment recognize(const Audio& audio);

 private:
  struct Impl;
  explicit Aligner(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// No transcript, any language: pocketsphinx's English phone loop (the live stream's search,
// speech_stream.h) over the whole audio. Its phones are English, but the lip shapes they stand for
// (closures, rounding, jaw) carry over between languages: what `speech --lang X` without a
// transcript does. Method PhoneLoop; no words. Same failure modes as Aligner::create.
Alignment recognize_phones(const Audio& audio, const AlignerOptions& options = {});

// The default model folder (see AlignerOptions::model_dir).
std::string default_pocketsphinx_model_dir();

// An English espeak-ng voice or language code, any case ("en", "en-us", "EN_US", "en-gb-scotland",
// "en+f3"): read with CMUdict.
bool english_language(const std::string& language);

}  // namespace semblend
