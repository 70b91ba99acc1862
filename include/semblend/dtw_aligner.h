// semblend/dtw_aligner.h — timed phonemes in any language espeak-ng speaks, by aligning the audio
// to espeak-ng's own reading of the transcript (speech --lang L --by-synthesis). On voices that are
// not espeak-ng's the cross-language forced alignment (aligner.h, AlignerOptions::language) does
// better and is the default (docs/speech.md "Other languages").
//
// align_by_synthesis(audio, transcript, options): espeak-ng speaks the transcript in
//   `options.language` (speech_synthesis.h: its phoneme events give the phones, mapped to the
//   ARPAbet set by src/speech/pronunciation.cpp, and their times in the synthesis). Both
//   recordings become MFCC frames (sphinxbase's front end, the one pocketsphinx uses: 13
//   cepstra per 10 ms, plus their deltas, each normalised to zero mean and unit variance over the
//   utterance, so speaker and channel level differences cancel). Dynamic time warping finds the
//   cheapest monotonic path between the two frame sequences (steps (1,1), (1,0), (0,1), none
//   penalised: a penalty on the off-diagonal ones measured worse), inside a band around the
//   proportional diagonal, and every phone's start in the synthesis maps through the path to the
//   audio. The result covers [0, duration] without gaps, silences as SIL. Silent audio (as the
//   Aligner judges it) is one SIL, method Silence: a still, closed mouth.
// The cost is frames × band: the band is `band_fraction` of the longer recording (at least
//   `min_band_seconds`, at most `max_band_seconds`); memory is one byte per cell. Audio longer
//   than `max_seconds` is refused (InputError): split it.
// Limits (docs/speech.md "Other languages"): the speaker must say the transcript's words in
//   order; a pause in the audio longer than the band's slack, or a transcript that does not
//   match, gives wrong times (Alignment::mismatch holds the mean matched-frame distance; a
//   warning above `max_mean_distance`, and another when the audio lasts under a third or over
//   three times espeak-ng's reading).
// Failure modes: InputError naming `transcript_name` for a transcript that is not UTF-8, has
//   nothing espeak-ng can say, or has more words than anyone speaks in the audio's length (over
//   10 a second plus 5: refused before synthesis); std::invalid_argument for a language espeak-ng
//   lacks (the message says so); InputError for audio over max_seconds; std::runtime_error when
//   espeak-ng or the front end fail.
// Thread safety: espeak-ng and sphinxbase calls are serialized process-wide; the rest is pure.
#pragma once

#include <array>
#include <string>
#include <vector>

#include "semblend/aligner.h"
#include "semblend/audio.h"

namespace semblend {

struct SynthesisAlignerOptions {
  std::string language = "en-us";  // an espeak-ng voice: "de", "fr", "es", "it", "pt", "pl" ...
  int rate_wpm = 160;              // espeak-ng's speaking rate for the reference
  double band_fraction = 0.25;
  double min_band_seconds = 2.0, max_band_seconds = 20.0;
  double silence_rms = 0.002;        // audio whose loudest 25 ms stays below this is silence
  double max_seconds = 600;          // longer audio is refused (band memory)
  std::string audio_name = "audio";  // the file, named in that error
  // Mean distance between matched frames above this: warn that the transcript or language may
  // not be the audio's. Measured: the right transcript 3.0-5.4 (another espeak-ng voice), the
  // wrong one 6.4: a coarse check that catches another text, not a few wrong words.
  double max_mean_distance = 6.0;
};

using Mfcc = std::array<float, 26>;  // 13 cepstra and their deltas, normalised per utterance

// MFCC frames (100 per second) of 16 kHz mono audio; throws std::invalid_argument at other rates.
std::vector<Mfcc> mfcc_frames(const Audio& audio16k);

// The warping path between a (rows) and b (columns): for each frame of b, the frame of a it is
// matched to first (non-decreasing). Band as above.
struct WarpPath {
  std::vector<int> a_of_b;   // size b.size()
  double mean_distance = 0;  // over the path's cells
};
WarpPath warp(const std::vector<Mfcc>& a, const std::vector<Mfcc>& b,
              const SynthesisAlignerOptions& options = {});

Alignment align_by_synthesis(const Audio& audio, const std::string& transcript,
                             const SynthesisAlignerOptions& options = {},
                             const std::string& transcript_name = "transcript");

}  // namespace semblend
