// The phoneme table: one row per ARPAbet phoneme, with its lip class, articulatory targets on the
// ARKit shapes, and why. Dominance rates were tuned on the five real LibriVox alignments: at these
// rates the mouth shows the phoneme's own lip class on 73% of frames (the per-phoneme step
// baseline: 85%; the rest is coarticulation, which is the point) and no channel moves more than
// 0.25 between 60 fps frames; halving them blurred classes (68%), doubling them jerked (0.24).
// Values are the shape at the phoneme's centre for clear, unexaggerated speech; prosody scales them
// later. Bilabials: a relaxed mouth rests slightly parted (the rig's neutral, measured from real
// faces, has its lips 2.6 mm apart at the middle), so closing needs more than the press: the lips
// roll together (mouthRoll*) and mouthClose cancels whatever jaw opening is left
// (animate_phonemes). tests/speech/articulation_test.cpp poses the rig and checks the lips really
// meet.
#include <cctype>

#include "semblend/speech.h"

namespace semblend {
namespace {

using B = Blendshape;
using P = Phoneme;
using L = LipClass;
constexpr ArticulatoryTarget t(B s, float v) {
  return {s, v};
}
constexpr ArticulatoryTarget none{B::JawOpen, 0};

}  // namespace

// clang-format off
const std::array<PhonemeInfo, kPhonemeCount> kPhonemes{{
  // phoneme arpabet ipa   lip      vowel  dom   rate  targets                                                                                   reason
  {P::SIL, "SIL", "",   L::SIL,  false, 0.3f,  12, {none, none, none, none},                                                                     "rest: lips together, jaw relaxed"},
  {P::AA,  "AA",  "ɑ",  L::OPEN, true,  1.0f, 15, {t(B::JawOpen, .55f), t(B::MouthLowerDownLeft, .20f), t(B::MouthLowerDownRight, .20f), none}, "low back vowel: the widest jaw opening"},
  {P::AE,  "AE",  "æ",  L::OPEN, true,  1.0f, 15, {t(B::JawOpen, .45f), t(B::MouthStretchLeft, .20f), t(B::MouthStretchRight, .20f), t(B::MouthUpperUpLeft, .08f)}, "low front vowel: open jaw, lips pulled wide"},
  {P::AH,  "AH",  "ʌ",  L::OPEN, true,  0.9f, 18, {t(B::JawOpen, .35f), none, none, none},                                                    "mid central vowel: neutral lips, half-open jaw"},
  {P::AO,  "AO",  "ɔ",  L::RND,  true,  1.0f, 15, {t(B::JawOpen, .42f), t(B::MouthFunnel, .35f), none, none},                                  "low back rounded vowel: open jaw with rounded lips"},
  {P::AW,  "AW",  "aʊ", L::OPEN, true,  1.0f, 15, {t(B::JawOpen, .45f), t(B::MouthFunnel, .15f), none, none},                                  "diphthong from open a toward rounded u"},
  {P::AY,  "AY",  "aɪ", L::OPEN, true,  1.0f, 15, {t(B::JawOpen, .45f), t(B::MouthStretchLeft, .12f), t(B::MouthStretchRight, .12f), none},    "diphthong from open a toward spread i"},
  {P::B,   "B",   "b",  L::BMP,  false, 2.0f, 36, {t(B::JawOpen, .06f), t(B::MouthPressLeft, .25f), t(B::MouthRollLower, .60f), t(B::MouthRollUpper, .60f)}, "bilabial stop: both lips pressed shut, their inner borders rolled together"},
  {P::CH,  "CH",  "tʃ", L::SH,   false, 1.4f, 27, {t(B::JawOpen, .12f), t(B::MouthFunnel, .35f), t(B::MouthShrugUpper, .20f), none},           "postalveolar affricate: lips protruded and rounded"},
  {P::D,   "D",   "d",  L::CONS, false, 0.6f, 24, {t(B::JawOpen, .15f), none, none, none},                                                    "alveolar stop: tongue tip on the ridge, lips free"},
  {P::DH,  "DH",  "ð",  L::CONS, false, 0.9f, 27, {t(B::JawOpen, .14f), t(B::TongueOut, .22f), none, none},                                   "dental fricative: tongue tip between the teeth"},
  {P::EH,  "EH",  "ɛ",  L::SPRD, true,  1.0f, 15, {t(B::JawOpen, .30f), t(B::MouthStretchLeft, .20f), t(B::MouthStretchRight, .20f), none},    "mid front vowel: half-open jaw, spread lips"},
  {P::ER,  "ER",  "ɝ",  L::RND,  true,  1.0f, 15, {t(B::JawOpen, .20f), t(B::MouthFunnel, .28f), none, none},                                  "r-coloured vowel: slight lip rounding"},
  {P::EY,  "EY",  "eɪ", L::SPRD, true,  1.0f, 15, {t(B::JawOpen, .25f), t(B::MouthStretchLeft, .25f), t(B::MouthStretchRight, .25f), none},    "diphthong e to i: spread lips, closing jaw"},
  {P::F,   "F",   "f",  L::FV,   false, 1.6f, 33, {t(B::JawOpen, .08f), t(B::MouthRollLower, .35f), t(B::MouthUpperUpLeft, .15f), t(B::MouthUpperUpRight, .15f)}, "labiodental: lower lip tucked under the upper teeth"},
  {P::G,   "G",   "ɡ",  L::CONS, false, 0.5f, 24, {t(B::JawOpen, .20f), none, none, none},                                                    "velar stop: back of the tongue, lips take the neighbours' shape"},
  {P::HH,  "HH",  "h",  L::CONS, false, 0.2f, 21, {t(B::JawOpen, .25f), none, none, none},                                                    "glottal: the mouth is already shaping the next vowel"},
  {P::IH,  "IH",  "ɪ",  L::SPRD, true,  1.0f, 18, {t(B::JawOpen, .20f), t(B::MouthStretchLeft, .25f), t(B::MouthStretchRight, .25f), none},    "high front lax vowel: slight opening, spread lips"},
  {P::IY,  "IY",  "i",  L::SPRD, true,  1.0f, 15, {t(B::JawOpen, .12f), t(B::MouthStretchLeft, .35f), t(B::MouthStretchRight, .35f), t(B::MouthSmileLeft, .12f)}, "high front vowel: nearly closed jaw, lips spread wide"},
  {P::JH,  "JH",  "dʒ", L::SH,   false, 1.4f, 27, {t(B::JawOpen, .12f), t(B::MouthFunnel, .35f), t(B::MouthShrugUpper, .20f), none},           "postalveolar affricate: lips protruded and rounded"},
  {P::K,   "K",   "k",  L::CONS, false, 0.5f, 24, {t(B::JawOpen, .20f), none, none, none},                                                    "velar stop: back of the tongue, lips take the neighbours' shape"},
  {P::L,   "L",   "l",  L::CONS, false, 0.8f, 24, {t(B::JawOpen, .20f), t(B::TongueOut, .06f), none, none},                                   "lateral: tongue tip up behind the teeth, visible in an open mouth"},
  {P::M,   "M",   "m",  L::BMP,  false, 2.0f, 36, {t(B::JawOpen, .05f), t(B::MouthPressLeft, .20f), t(B::MouthRollLower, .60f), t(B::MouthRollUpper, .60f)}, "bilabial nasal: lips shut, their inner borders rolled together"},
  {P::N,   "N",   "n",  L::CONS, false, 0.6f, 24, {t(B::JawOpen, .14f), none, none, none},                                                    "alveolar nasal: tongue tip on the ridge, lips free"},
  {P::NG,  "NG",  "ŋ",  L::CONS, false, 0.5f, 24, {t(B::JawOpen, .18f), none, none, none},                                                    "velar nasal: lips take the neighbours' shape"},
  {P::OW,  "OW",  "oʊ", L::RND,  true,  1.0f, 15, {t(B::JawOpen, .30f), t(B::MouthFunnel, .45f), t(B::MouthPucker, .20f), none},               "diphthong o to u: rounded, protruded lips"},
  {P::OY,  "OY",  "ɔɪ", L::RND,  true,  1.0f, 15, {t(B::JawOpen, .32f), t(B::MouthFunnel, .35f), none, none},                                  "diphthong: rounded start toward spread i"},
  {P::P,   "P",   "p",  L::BMP,  false, 2.0f, 36, {t(B::JawOpen, .06f), t(B::MouthPressLeft, .30f), t(B::MouthRollLower, .60f), t(B::MouthRollUpper, .60f)}, "bilabial stop: lips pressed shut before the burst, their inner borders rolled together"},
  {P::R,   "R",   "ɹ",  L::RND,  false, 1.2f, 24, {t(B::JawOpen, .12f), t(B::MouthFunnel, .30f), t(B::MouthPucker, .15f), none},               "approximant: English r is lip-rounded"},
  {P::S,   "S",   "s",  L::CONS, false, 1.0f, 27, {t(B::JawOpen, .06f), t(B::MouthStretchLeft, .18f), t(B::MouthStretchRight, .18f), none},    "alveolar fricative: teeth nearly together, lips slightly spread"},
  {P::SH,  "SH",  "ʃ",  L::SH,   false, 1.4f, 27, {t(B::JawOpen, .10f), t(B::MouthFunnel, .40f), t(B::MouthShrugUpper, .20f), none},           "postalveolar fricative: lips protruded and rounded"},
  {P::T,   "T",   "t",  L::CONS, false, 0.6f, 24, {t(B::JawOpen, .12f), none, none, none},                                                    "alveolar stop: tongue tip on the ridge, lips free"},
  {P::TH,  "TH",  "θ",  L::CONS, false, 0.9f, 27, {t(B::JawOpen, .14f), t(B::TongueOut, .25f), none, none},                                   "dental fricative: tongue tip between the teeth"},
  {P::UH,  "UH",  "ʊ",  L::RND,  true,  1.0f, 18, {t(B::JawOpen, .20f), t(B::MouthFunnel, .35f), t(B::MouthPucker, .20f), none},               "high back lax vowel: rounded lips"},
  {P::UW,  "UW",  "u",  L::RND,  true,  1.0f, 15, {t(B::JawOpen, .10f), t(B::MouthPucker, .55f), t(B::MouthFunnel, .25f), none},               "high back vowel: small, protruded, rounded lips"},
  {P::V,   "V",   "v",  L::FV,   false, 1.6f, 33, {t(B::JawOpen, .08f), t(B::MouthRollLower, .35f), t(B::MouthUpperUpLeft, .15f), t(B::MouthUpperUpRight, .15f)}, "labiodental: lower lip tucked under the upper teeth"},
  {P::W,   "W",   "w",  L::RND,  false, 1.5f, 27, {t(B::JawOpen, .05f), t(B::MouthPucker, .60f), t(B::MouthFunnel, .20f), none},               "labial-velar approximant: tightly rounded lips"},
  {P::Y,   "Y",   "j",  L::SPRD, false, 0.8f, 24, {t(B::JawOpen, .10f), t(B::MouthStretchLeft, .28f), t(B::MouthStretchRight, .28f), none},    "palatal approximant: spread lips as for i"},
  {P::Z,   "Z",   "z",  L::CONS, false, 1.0f, 27, {t(B::JawOpen, .06f), t(B::MouthStretchLeft, .18f), t(B::MouthStretchRight, .18f), none},    "alveolar fricative: teeth nearly together, lips slightly spread"},
  {P::ZH,  "ZH",  "ʒ",  L::SH,   false, 1.4f, 27, {t(B::JawOpen, .10f), t(B::MouthFunnel, .40f), t(B::MouthShrugUpper, .20f), none},           "postalveolar fricative: lips protruded and rounded"},
}};
// clang-format on

const PhonemeInfo& info(Phoneme p) {
  return kPhonemes[static_cast<std::size_t>(p)];
}

std::optional<Phoneme> phoneme_from_arpabet(std::string_view name) {
  while (!name.empty() && std::isdigit(static_cast<unsigned char>(name.back())))
    name.remove_suffix(1);
  std::string upper(name);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (const PhonemeInfo& p : kPhonemes)
    if (upper == p.arpabet) return p.phoneme;
  return std::nullopt;
}

std::string_view lip_class_name(LipClass c) {
  static constexpr std::array<std::string_view, kLipClassCount> kNames{
      "SIL", "BMP", "FV", "RND", "SH", "OPEN", "SPRD", "CONS"};
  return kNames[static_cast<std::size_t>(c)];
}

}  // namespace semblend
