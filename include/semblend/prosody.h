// semblend/prosody.h — the voice's melody and loudness on the face, plus blinks and gaze: the
// stage after animate_phonemes (speech.h) in the speech pipeline.
//
// analyze_prosody(audio): a 100 frames/s track of loudness and pitch.
//   Loudness: RMS over 25 ms windows in dBFS, and in dB relative to the utterance's speech level
//   (the 80th percentile of the frames within 40 dB of the loudest one).
//   Pitch: YIN (de Cheveigné & Kawahara 2002) on the signal low-passed at 1 kHz: the
//   cumulative-mean-normalised difference function over a 40 ms integration window, the first dip
//   below `yin_threshold` (else the global minimum), refined by parabolic interpolation. A frame is
//   voiced when its dip is below `voicing_threshold` and it is within `voicing_floor_db` of the
//   speech level; isolated voiced runs shorter than 30 ms are dropped and F0 is median-filtered
//   over 5 frames.
// apply_prosody(take, phonemes, audio, options): the face around the mouth comes alive.
//   - amplitude: jaw and lip-opening shapes (jawOpen, mouthLowerDown*, mouthUpperUp*,
//     mouthStretch*, mouthFunnel, mouthPucker) are scaled by a smooth gain from relative loudness
//     and pitch (louder, higher → wider); the closures (mouthClose, mouthPress, mouthRollLower)
//     are left alone so every bilabial still seals;
//   - brows: acoustically prominent vowels (loud, high and long relative to the utterance: the
//     acoustic correlates of stress, Fry 1955) and pitch peaks raise browInnerUp / browOuterUp a
//     little (≤ `brow_raise`), rising over 150 ms and relaxing over 350 ms;
//   - blinks: both eyes, ~17/min at rest and ~26/min while speaking (Bentivoglio et al. 1997),
//     each 100–150 ms with a fast closing and a slower opening (about one third closing, two thirds
//     opening: Evinger et al. 1991, VanderWerf et al. 2003);
//   - gaze: fixations of ~0.3–3 s joined by saccades (amplitude mostly under 10°, duration
//     21 ms + 2.2 ms/° — Carpenter 1988's main sequence) and microsaccades (≤ 0.5°, ~1.5/s,
//     Martinez-Conde et al. 2004) on the eyeLook* shapes, both eyes together.
//   Each part can be switched off; blinks and gaze are random but deterministic from `seed`
//   (std::mt19937_64, whose output the standard fixes, with our own distribution arithmetic rather
//   than std:: distributions, which differ between standard libraries). The take's frame 0 is the
//   first phoneme's start (as animate_phonemes makes it); audio time 0 is phoneme time 0. Without
//   audio only blinks and gaze apply. Output coefficients stay in [0, 1].
// Failure modes: std::invalid_argument for options out of range (naming the option), a take
//   with a non-positive fps, and audio whose sample rate is below 2 × max_hz.
// Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <vector>

#include "semblend/audio.h"
#include "semblend/speech.h"
#include "semblend/take.h"

namespace semblend {

struct PitchOptions {
  double min_hz = 60, max_hz = 400;  // F0 search range (adult speech: ~75–300 Hz)
  double window_seconds = 0.04;      // YIN's integration window (>= 2 periods at 50 Hz)
  double yin_threshold = 0.15;       // YIN's absolute threshold on the normalised difference
  double voicing_threshold = 0.35;   // a frame whose best dip is above this is unvoiced
  double voicing_floor_db = -30;     // frames quieter than this (relative to speech) are unvoiced
};

struct ProsodyTrack {
  static constexpr double kFrameRate = 100;  // frames per second; frame i is centred at i / 100 s
  std::vector<float> f0_hz;                  // 0 where unvoiced
  std::vector<float> aperiodicity;           // YIN's best dip, 0 (periodic) .. ~1 (noise)
  std::vector<float> level_dbfs;             // 25 ms RMS, dB full scale (-120 for digital zero)
  std::vector<float> loudness_db;            // relative to the speech level
  float speech_level_dbfs = -120;            // the utterance's speech level
  float median_f0_hz = 0;                    // over voiced frames; 0 when none
  double voiced_fraction() const;            // voiced frames / frames above the voicing floor
};

ProsodyTrack analyze_prosody(const Audio& audio, const PitchOptions& options = {});

struct ProsodyOptions {
  bool prosody = true;  // loudness/pitch → mouth amplitude, stress/pitch peaks → brows
  bool blinks = true;
  bool gaze = true;
  std::uint64_t seed = 1;
  PitchOptions pitch;
  float gain_per_db = 0.03f;         // mouth amplitude per dB of relative loudness
  float gain_per_semitone = 0.015f;  // per semitone above/below the median F0
  float min_gain = 0.85f, max_gain = 1.35f;
  float brow_raise = 0.15f;                // browInnerUp at the strongest accent
  double blinks_per_minute_rest = 17;      // Bentivoglio et al. 1997
  double blinks_per_minute_speaking = 26;  // ditto, in conversation
  double blink_min_seconds = 0.10, blink_max_seconds = 0.15;
};

// One blink: starts closing at `start`, fully closed at start + closing, open at start + duration.
struct Blink {
  double start = 0, closing = 0, duration = 0;
};
// The blinks planned over [0, duration) s; the rate at time t is the speaking rate where the
// phonemes (on the same clock) hold a non-silence phoneme at t, else the resting rate.
std::vector<Blink> plan_blinks(double duration, const std::vector<TimedPhoneme>& phonemes,
                               const ProsodyOptions& options);

// `audio` may be null (no prosody from sound). Throws std::invalid_argument as above.
Take apply_prosody(Take take, const std::vector<TimedPhoneme>& phonemes, const Audio* audio,
                   const ProsodyOptions& options = {});

}  // namespace semblend
