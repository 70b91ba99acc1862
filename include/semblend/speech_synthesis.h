// semblend/speech_synthesis.h — espeak-ng speaks a text and says when each phoneme is spoken.
//
// Used twice: as ground truth for the speech evaluation (speech_eval.h), and as the reference
// that audio in any language is aligned to (dtw_aligner.h).
// Timings: espeak-ng's phoneme events (IPA, mapped to ARPAbet by the aligner's one table,
// src/speech/pronunciation.cpp; a symbol it cannot map, and espeak's pauses, are silence), each
// phone lasting until the next event, corrected for two known offsets: a stop's event fires at
// its burst, after its closure's run of zero samples, so the stop starts where that run starts
// (at least 5 ms of zeros); a vowel after a nasal is reported ~20 ms late, so it starts 20 ms
// earlier. Digital silence after the last sound is silence.
// Failure modes: std::invalid_argument for a voice espeak-ng does not have or a rate outside
// 80..450 words per minute; std::runtime_error when espeak-ng cannot be initialised or speaks
// nothing.
// Thread safety: espeak-ng is process-wide state; calls are serialized by a process-wide mutex.
#pragma once

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
  std::vector<TimedPhoneme> truth;    // contiguous from 0; SIL for pauses
  std::vector<std::string> unmapped;  // IPA symbols no table row maps (spoken as silence)
};

// espeak-ng speaks `text` with `voice` ("en-us", "en-us+f3", "de", "fr+m3", ...) at `rate_wpm`
// (80..450), resampled from espeak-ng's 22050 Hz to 16 kHz.
LabelledSpeech synthesize_espeak(const std::string& text, const std::string& voice, int rate_wpm);

// Whether espeak-ng has `voice` (what synthesize_espeak would accept); false when espeak-ng cannot
// be initialised.
bool espeak_has_voice(const std::string& voice);
// The name of the voice espeak-ng speaks for `voice`, a voice name or language code ("German" for
// de, "Chinese (Mandarin, latin as Pinyin)" for zh: speech --lang); "" when it has none.
std::string espeak_voice_name(const std::string& voice);

}  // namespace semblend
