// semblend/speech.h — timed phonemes -> mouth, jaw and tongue coefficient curves.
//
// The phoneme inventory is ARPAbet as CMUdict and pocketsphinx's en-us model use it (39 phonemes +
// silence), one table (`kPhonemes`) holding per phoneme its IPA, its lip class (the 8 classes lip
// sync is evaluated on), and its articulatory targets on the ARKit mouth/jaw/tongue shapes, each
// row with its phonetic reason.
//
// animate_phonemes: coarticulation with dominance functions (Cohen & Massaro 1993): every phoneme
//   pulls each channel toward its target with a dominance that peaks at its centre and decays
//   exponentially with distance, so neighbours shape each other (the rounding of "oo" reaches into
//   the consonant before it) and nothing flickers; bilabials (p b m) then close the lips fully at
//   their centre whatever their neighbours, because a half-closed "m" is the most visible lip-sync
//   error. Output: a Take at `fps` (default 60) from the first phoneme's start to the last one's
//   end.
// parse_phone_alignment_json: pocketsphinx's JSON result ({"b", "d", "t", "w": [...]}, words with
//   their phones as leaves; the format of ../shared/data/speech/*.phone.json); fillers and <sil>
//   become silence.
// encode_phone_alignment_json: timed phones in that format, for parse_phone_alignment_json (and
//   people) to read: one entry per word (its consecutive phones, a new entry at each phone marked
//   word_start, so a word said twice in a row is two entries; a phone of no word, as the phone
//   recogniser gives, an entry of its own), "<sil>"
//   entries for silence, times in seconds to 0.1 ms, and at the top the words in order. Phones that
//   are not contiguous or not ordered are std::invalid_argument.
// Failure modes: InputError for malformed alignments (file, problem; unknown phone names, negative
//   durations, overlapping or unordered phones); std::invalid_argument for a bad fps.
// Thread safety: pure functions over values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/take.h"

namespace semblend {

enum class Phoneme : std::uint8_t {
  SIL,
  AA,
  AE,
  AH,
  AO,
  AW,
  AY,
  B,
  CH,
  D,
  DH,
  EH,
  ER,
  EY,
  F,
  G,
  HH,
  IH,
  IY,
  JH,
  K,
  L,
  M,
  N,
  NG,
  OW,
  OY,
  P,
  R,
  S,
  SH,
  T,
  TH,
  UH,
  UW,
  V,
  W,
  Y,
  Z,
  ZH,
};
inline constexpr std::size_t kPhonemeCount = 40;

// The 8 lip classes: silence; bilabial closure (p b m); labiodental (f v); rounded (w uw uh ow oy
// ao r er); postalveolar, protruded (sh zh ch jh); open (aa ae ah ay aw); spread (iy ih eh ey y);
// other tongue consonants.
enum class LipClass : std::uint8_t { SIL, BMP, FV, RND, SH, OPEN, SPRD, CONS };
inline constexpr std::size_t kLipClassCount = 8;
std::string_view lip_class_name(LipClass c);

struct ArticulatoryTarget {
  Blendshape shape;
  float value;
};

struct PhonemeInfo {
  Phoneme phoneme;
  std::string_view arpabet;  // "AA"
  std::string_view ipa;      // "ɑ"
  LipClass lip;
  bool vowel;
  float dominance;  // how strongly it holds its shape against neighbours (vowels 1)
  float rate;       // how fast its dominance decays away from its centre, 1/s
  std::array<ArticulatoryTarget, 4> targets;  // unused slots have value 0
  std::string_view reason;
};

extern const std::array<PhonemeInfo, kPhonemeCount> kPhonemes;
const PhonemeInfo& info(Phoneme p);
// "AA", "aa", "AA1" (stress digits ignored), "SIL", "sil"; nullopt for anything else.
std::optional<Phoneme> phoneme_from_arpabet(std::string_view name);

struct TimedPhoneme {
  Phoneme phoneme = Phoneme::SIL;
  double start = 0, end = 0;  // seconds
  std::string word;           // its word ("" for silence between words; a pause inside a word
                              // of several, "5:05" read "five <pause> oh five", keeps the word)
  bool word_start = false;    // its word's first phone: "the the" is two words, not one of 4 phones
};

std::vector<TimedPhoneme> parse_phone_alignment_json(std::string_view text,
                                                     const std::string& name);
std::string encode_phone_alignment_json(const std::vector<TimedPhoneme>& phonemes);

struct ArticulationOptions {
  double fps = 60;
  bool coarticulation = true;  // false: each frame takes its own phoneme's targets (a baseline)
};

Take animate_phonemes(const std::vector<TimedPhoneme>& phonemes,
                      const ArticulationOptions& options = {});

// The lip class of the phoneme under time t (SIL outside the phonemes). Ground truth for
// evaluation.
LipClass lip_class_at(const std::vector<TimedPhoneme>& phonemes, double t);

// The lip class a face shows (from its mouth, jaw and tongue coefficients): what a viewer would
// read off the lips. Used to score lip sync against timed phonemes.
LipClass lip_class_of(const Coefficients& c);

// Fraction of a take's frames whose lip_class_of matches the phonemes' class at that time
// (the take's frame 0 is the first phoneme's start).
double lip_class_accuracy(const Take& take, const std::vector<TimedPhoneme>& phonemes);

}  // namespace semblend
