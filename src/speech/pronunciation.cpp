// Pronunciations for the aligner: CMUdict, espeak-ng for missing words, transcript words.
#include "speech/pronunciation.h"

#include <espeak-ng/speak_lib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "core/text_util.h"
#include "formats/json_parse.h"
#include "semblend/error.h"
#include "semblend/file_io.h"

namespace semblend::speech {
namespace {

// espeak-ng's IPA -> ARPAbet, longest match first. One row per symbol, with why where the
// choice is not the obvious one. Stress (ˈ ˌ), length (ː) and syllabicity (◌̩) are dropped first.
// The rows after en-us's own serve the other languages espeak-ng speaks (speech --lang): each
// foreign sound goes to the English phoneme whose mouth it shares (lip rounding, lip contact,
// jaw), which is what the animation needs; affricates (ts, pf, tɕ) are read as their two parts,
// so pf closes the lips. Diacritics and modifier letters (nasal ◌̃, palatal ʲ, aspiration ʰ),
// tone digits and espeak's language-switch marks "(en)" carry no mouth shape and are skipped.
struct IpaRow {
  std::string_view ipa;
  Phoneme arpabet;
};
using P = Phoneme;
constexpr std::array<IpaRow, 115> kIpa{{
    {"aɪ", P::AY},
    {"aʊ", P::AW},
    {"ɔɪ", P::OY},
    {"oʊ", P::OW},
    {"eɪ", P::EY},
    {"tʃ", P::CH},
    {"dʒ", P::JH},
    {"tS", P::CH},  // espeak-ng's mnemonics for tʃ and dʒ (ky, uz, chr: below)
    {"dZ", P::JH},
    {"ɜɹ", P::ER},  // "ɜːɹ": CMUdict writes the r-coloured vowel as
                    // one ER
    {"ɑ", P::AA},
    {"ɒ", P::AA},  // British lot vowel: en-us has AA
    {"æ", P::AE},
    {"a", P::AE},  // espeak's "a" before ɪ/ʊ is caught above; alone it is æ-like
    {"ʌ", P::AH},
    {"ɐ", P::AH},  // reduced open vowel
    {"ə", P::AH},  // schwa: CMUdict's unstressed AH0
    {"ɚ", P::ER},
    {"ɜ", P::ER},
    {"ɛ", P::EH},
    {"e", P::EH},
    {"ɪ", P::IH},
    {"ᵻ", P::IH},  // espeak's reduced i (roses): CMUdict IH0
    {"i", P::IY},
    {"ɔ", P::AO},
    {"o", P::OW},
    {"ʊ", P::UH},
    {"u", P::UW},
    {"p", P::P},
    {"b", P::B},
    {"t", P::T},
    {"ɾ", P::T},  // flap (water, meters): CMUdict
                  // writes T or D; same lip class
    {"d", P::D},
    {"k", P::K},
    {"ɡ", P::G},
    {"g", P::G},
    {"f", P::F},
    {"v", P::V},
    {"θ", P::TH},
    {"ð", P::DH},
    {"s", P::S},
    {"z", P::Z},
    {"ʃ", P::SH},
    {"ʒ", P::ZH},
    {"h", P::HH},
    {"m", P::M},
    {"n", P::N},
    {"ŋ", P::NG},
    {"l", P::L},
    {"ɹ", P::R},
    {"j", P::Y},
    {"r", P::D},  // trill or tap (it, es rr, ru, cs; English's r is ɹ): the tongue tip, lips
                  // unrounded; R's lip class rounds them
    {"w", P::W},
    {"x", P::HH},  // loch: a back fricative, lips free like h
    // Other languages.
    {"y", P::UW},  // close front rounded (fr "vu", de "über"): lips rounded as for u
    {"ʏ", P::UH},  // its lax form (de "hübsch")
    {"ø", P::OW},  // mid front rounded (fr "peu", de "schön")
    {"œ", P::AO},  // open-mid front rounded (fr "peur", "un"): rounded, jaw lower
    {"ɵ", P::OW},
    {"ʉ", P::UW},
    {"ɨ", P::IH},  // close central unrounded (pl "ty", pt final e)
    {"ɯ", P::IH},  // close back unrounded: lips spread
    {"ɤ", P::AH},
    {"ɞ", P::AO},
    {"ʁ", P::HH},  // uvular r (fr, de): the tongue's back, no lip rounding (English ɹ rounds)
    {"ʀ", P::HH},
    {"ç", P::HH},  // palatal fricative (de "ich"): lips free
    {"ɦ", P::HH},
    {"ħ", P::HH},
    {"ʝ", P::Y},
    {"β", P::V},  // bilabial approximant (es "haba"): lips narrow without closing (b would close)
    {"ʋ", P::V},  // labiodental approximant (nl "wind")
    {"ɣ", P::G},  // velar fricative (es "lago")
    {"ʎ", P::L},  // palatal lateral (es "llave", it "gli")
    {"ɫ", P::L},
    {"ɭ", P::L},
    {"ɲ", P::N},  // palatal nasal (es "niño", fr "gagner")
    {"ɴ", P::NG},
    {"ɕ", P::SH},  // alveolo-palatal fricatives (pl, zh): tongue raised, lips as for sh
    {"ʑ", P::ZH},
    {"ʂ", P::SH},  // retroflex (pl "sz", zh)
    {"ʐ", P::ZH},
    {"ɻ", P::R},
    {"ɥ", P::W},  // labial-palatal approximant (fr "huit"): rounded
    {"ʍ", P::W},
    {"q", P::K},
    {"c", P::K},
    {"ɟ", P::G},
    {"χ", P::HH},  // uvular fricative (ar, he, hy "kh"): the tongue's back, lips free
    {"ʕ", P::HH},  // pharyngeal (ar "ain")
    {"ɧ", P::SH},  // sv "sj": lips slightly protruded as for sh
    {"ɬ", P::L},   // lateral fricative (cy "ll"): the tongue as for l
    {"ɮ", P::L},
    {"ʈ", P::T},  // retroflex stops and nasal (hi, ta, bn): the tongue tip curled, lips free
    {"ɖ", P::D},
    {"ɳ", P::N},
    {"ɽ", P::T},  // retroflex flap (ja "r", hi "ड़"): a flap, as ɾ
    {"ɓ", P::B},  // implosives (vi "b", "đ"): the same closures as b and d
    {"ɗ", P::D},
    {"ʄ", P::G},
    {"ɠ", P::G},
    {"ɸ", P::F},   // bilabial fricative (ja "fu"): lips narrowed, not closed, as β
    {"Φ", P::F},   // the same, as espeak-ng's smj writes it
    {"ʧ", P::CH},  // affricate ligatures
    {"ʤ", P::JH},
    {"ʦ", P::S},  // ts as one symbol (lb): the tongue's release, lips free
    {"ʣ", P::Z},
    {"ä", P::AE},  // open central (ja "a"): as espeak's "a"
    {"ε", P::EH},  // Greek epsilon for ɛ (espeak-ng's da)
    {"ɘ", P::AH},  // close-mid central unrounded
    {"ɶ", P::AO},  // open front rounded
    // espeak-ng's own phoneme mnemonics, where a language's phoneme has no IPA spelling: S, Z
    // (tS, dZ above), N, A (ga's broad a).
    {"S", P::SH},
    {"Z", P::ZH},
    {"N", P::NG},
    {"A", P::AA},
}};
// Symbols that carry no phone of their own: stress, length, syllabic mark, tie, glottal stop (no
// lip shape; CMUdict has no symbol for it), and espeak-ng's mnemonic marks where a language's
// phoneme has no IPA: "?" a glottal stop (da), ":" length, "`" ejective (am, om), "#" voiceless
// (is), "[" (ky), "\"" (mi), "^" palatal (mk), "+" (pa).
constexpr std::array<std::string_view, 16> kIpaIgnored{
    "ˈ", "ˌ", "ː", "\u0329", "\u0361", "ʔ", "-", "'", "?", ":", "`", "#", "[", "\"", "^", "+"};

// Length of the UTF-8 sequence at s[i] and its code point; 0 when invalid.
std::size_t utf8_decode(std::string_view s, std::size_t i, char32_t& cp) {
  const auto b = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  if (b < 0x80) {
    cp = b;
    return 1;
  } else if ((b & 0xE0) == 0xC0) {
    n = 2;
    cp = b & 0x1F;
  } else if ((b & 0xF0) == 0xE0) {
    n = 3;
    cp = b & 0x0F;
  } else if ((b & 0xF8) == 0xF0) {
    n = 4;
    cp = b & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    const auto c = static_cast<unsigned char>(s[i + k]);
    if ((c & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (c & 0x3F);
  }
  const char32_t min[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < min[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;  // overlong
  return n;
}

}  // namespace

Dictionary Dictionary::load(const std::string& path) {
  const std::string text = read_file(path, std::size_t{64} << 20);
  Dictionary d;
  std::istringstream in(text);
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string word, phone;
    fields >> word;
    if (const auto paren = word.find('('); paren != std::string::npos && paren > 0)
      word.resize(paren);  // read(2)
    Pronunciation pron;
    while (fields >> phone) {
      if (phone == "#") break;  // trailing comment
      const auto p = phoneme_from_arpabet(phone);
      if (!p || *p == Phoneme::SIL)
        throw InputError(path, number, 0, "\"" + phone + "\" is not an ARPAbet phone");
      pron.push_back(*p);
    }
    if (word.empty() || pron.empty())
      throw InputError(path, number, 0, "expected a word and its phones");
    d.words_[word].push_back(std::move(pron));
  }
  if (d.words_.empty()) throw InputError(path, 0, 0, "the dictionary holds no words");
  return d;
}

const std::vector<Pronunciation>& Dictionary::lookup(const std::string& word) const {
  static const std::vector<Pronunciation> kNone;
  const auto it = words_.find(word);
  return it == words_.end() ? kNone : it->second;
}

Pronunciation ipa_to_arpabet(std::string_view ipa, std::string* unmapped) {
  Pronunciation out;
  std::size_t i = 0;
  bool token_start = true;  // nothing but stress marks since the last separator
  while (i < ipa.size()) {
    if (ipa[i] == '_' || ipa[i] == ' ') {
      ++i;
      token_start = true;
      continue;
    }
    // A tone's digit 3 comes out as "ɜ" (espeak-ng's mnemonic for ɜ is "3") after the vowel it
    // marks, in one symbol with it: cmn "ɑɜ", yue "eoiɜ", vi "aːɜ". The vowel ɜ begins a symbol.
    if (!token_start && ipa.substr(i, 2) == "ɜ") {
      i += 2;
      continue;
    }
    if (ipa.substr(i, 2) != "ˈ" && ipa.substr(i, 2) != "ˌ") token_start = false;
    bool matched = false;
    for (std::string_view skip : kIpaIgnored)
      if (ipa.substr(i, skip.size()) == skip) {
        i += skip.size();
        matched = true;
        break;
      }
    if (matched) continue;
    if (ipa[i] == '(') {  // espeak's language switch, "(en)": not a sound
      const std::size_t close = ipa.find(')', i);
      i = close == std::string_view::npos ? ipa.size() : close + 1;
      continue;
    }
    if (ipa[i] == '.' || (ipa[i] >= '0' && ipa[i] <= '9')) {  // syllable breaks, tone numbers
      ++i;
      continue;
    }
    {
      char32_t cp = 0;
      const std::size_t n = utf8_decode(ipa, i, cp);
      // Modifier letters (ʲ ʰ ʷ, tone letters; ᵝ ᵑ from Phonetic Extensions) and combining
      // diacritics (nasal ◌̃): no phone.
      if (n > 0 &&
          ((cp >= 0x02B0 && cp <= 0x02FF && cp != 0x02D0) || (cp >= 0x0300 && cp <= 0x036F) ||
           (cp >= 0x1D2C && cp <= 0x1D6A) || (cp >= 0x1D9B && cp <= 0x1DBF))) {
        i += n;
        continue;
      }
    }
    // Longest match: drop length marks inside the candidate first ("ɜːɹ" -> "ɜɹ").
    std::string rest;
    for (std::size_t k = i; k < ipa.size() && k < i + 12; ++k) rest += ipa[k];
    for (std::size_t pos; (pos = rest.find("ː")) != std::string::npos;) rest.erase(pos, 2);
    for (const IpaRow& row : kIpa)
      if (rest.compare(0, row.ipa.size(), row.ipa) == 0) {
        out.push_back(row.arpabet);
        // Advance over the matched symbols in the original, length marks included.
        std::size_t consumed = 0, k = i;
        while (consumed < row.ipa.size() && k < ipa.size()) {
          if (ipa.substr(k, 2) == "ː") {
            k += 2;
            continue;
          }
          ++consumed;
          ++k;
        }
        i = k;
        matched = true;
        break;
      }
    if (matched) continue;
    char32_t cp = 0;
    const std::size_t n = std::max<std::size_t>(1, utf8_decode(ipa, i, cp));
    if (unmapped) *unmapped += std::string(ipa.substr(i, n));
    i += n;
  }
  return out;
}

std::mutex& espeak_mutex() {
  static std::mutex m;
  return m;
}

bool espeak_ready() {
  // Phoneme events (as IPA) are for synthesis with timings (speech_eval.cpp); TextToPhonemes
  // ignores them.
  static const bool ready = [] {
    if (espeak_Initialize(AUDIO_OUTPUT_RETRIEVAL, 0, nullptr,
                          espeakINITIALIZE_PHONEME_EVENTS | espeakINITIALIZE_PHONEME_IPA |
                              espeakINITIALIZE_DONT_EXIT) <= 0)
      return false;
    return espeak_SetVoiceByName("en-us") == EE_OK;
  }();
  return ready;
}

std::string language_base(std::string_view language) {
  std::string base = to_lower(language.substr(0, language.find('+')));
  std::replace(base.begin(), base.end(), '_', '-');
  return base;
}

namespace {

// The name espeak_SetVoiceByName takes for a listed voice: its file's name ("sit/cmn" -> "cmn").
std::string voice_file(const espeak_VOICE& v) {
  const std::string id = v.identifier != nullptr ? v.identifier : "";
  return id.substr(id.rfind('/') + 1);
}

}  // namespace

bool select_espeak_voice(const std::string& language) {
  if (language.empty()) return false;
  const std::string base = language_base(language);
  const std::string variant = language.substr(std::min(language.find('+'), language.size()));
  // Mandarin: espeak-ng 1.51's cmn voice ("latin as English") turns characters into pinyin with
  // tone digits and reads those as English (你好 -> "ni three hao three"); its sibling
  // cmn-latn-pinyin reads the same characters as Mandarin. Chinese text goes to the one that
  // reads it (Latin letters in it are then read as pinyin).
  if (base == "cmn" || base == "zh" || base == "zh-cmn" || base == "zh-cn" || base == "zh-hans")
    return espeak_SetVoiceByName(("cmn-latn-pinyin" + variant).c_str()) == EE_OK;
  if (espeak_SetVoiceByName(language.c_str()) == EE_OK) return true;
  // A language code: the voices that declare it, the lowest priority number first (espeak-ng's
  // voice files list "priority code" pairs; espeak_VOICE::languages packs them as a priority
  // byte, the code and a NUL, ended by a zero byte).
  const espeak_VOICE* best = nullptr;
  int best_priority = 1 << 30;
  for (const espeak_VOICE** v = espeak_ListVoices(nullptr); v != nullptr && *v != nullptr; ++v)
    for (const char* l = (*v)->languages; l != nullptr && *l != 0; l += std::strlen(l + 1) + 2)
      if (base == l + 1 && *l < best_priority) {
        best = *v;
        best_priority = *l;
      }
  return best != nullptr && best->identifier != nullptr &&
         espeak_SetVoiceByName((voice_file(*best) + variant).c_str()) == EE_OK;
}

std::vector<std::string> espeak_voice_names() {
  std::lock_guard<std::mutex> lock(espeak_mutex());
  std::vector<std::string> names;
  if (!espeak_ready()) return names;
  for (const espeak_VOICE** v = espeak_ListVoices(nullptr); v != nullptr && *v != nullptr; ++v)
    if ((*v)->identifier != nullptr) names.push_back(to_lower(voice_file(**v)));
  return names;
}

std::vector<EspeakWord> espeak_pronunciations(const std::vector<std::string>& words,
                                              const std::string& language) {
  std::lock_guard<std::mutex> lock(espeak_mutex());
  std::vector<EspeakWord> out(words.size());
  if (!espeak_ready()) return out;
  const bool other = language != "en-us";
  if (other && !select_espeak_voice(language)) {
    espeak_SetVoiceByName("en-us");
    throw std::invalid_argument("espeak-ng has no voice \"" + language + "\"");
  }
  struct Restore {
    bool on;
    ~Restore() {
      if (on) espeak_SetVoiceByName("en-us");
    }
  } restore{other};
  const std::string base = language_base(language);
  const bool japanese = base == "ja" || base.starts_with("ja-");
  for (std::size_t w = 0; w < words.size(); ++w) {
    const std::string& word = words[w];
    std::string ipa;
    const void* text = word.c_str();
    // Phonemes separated by '_' (bits 8-23 of phonememode hold the separator).
    while (text != nullptr) {
      const char* part =
          espeak_TextToPhonemes(&text, espeakCHARS_UTF8, espeakPHONEMES_IPA | ('_' << 8));
      if (part == nullptr) break;
      ipa += part;
      ipa += ' ';
    }
    // Han characters in Japanese: espeak-ng 1.51's ja reads kana only. Alone a kanji is named
    // in English ("Chinese letter"), inside a word it is dropped ("買います" -> "imasu").
    bool han = false;
    for (std::size_t i = 0; i < word.size();) {
      char32_t cp = 0;
      const std::size_t n = std::max<std::size_t>(1, utf8_decode(word, i, cp));
      han = han || (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF);
      i += n;
    }
    const bool latin = std::any_of(word.begin(), word.end(), [](char c) {
      return std::isalpha(static_cast<unsigned char>(c)) != 0;
    });
    out[w].spelt = other && ((ipa.find("(en") != std::string::npos && !latin) || (han && japanese));
    out[w].phones = ipa_to_arpabet(ipa, &out[w].unmapped);
  }
  return out;
}

Pronunciation espeak_pronunciation(const std::string& word, std::string* unmapped,
                                   const std::string& language, bool* spelt) {
  EspeakWord e = std::move(espeak_pronunciations({word}, language).front());
  if (unmapped != nullptr) *unmapped += e.unmapped;
  if (spelt != nullptr) *spelt = e.spelt;
  return std::move(e.phones);
}

namespace {

InputError invalid_utf8(const std::string& name, std::size_t offset) {
  return InputError(name, 0, 0,
                    "the transcript is not valid UTF-8 (byte " + std::to_string(offset + 1) + ")");
}

bool all_digits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A number as written so far: a digit, then digits, points and commas ("100,000", "1,000.5").
bool number_so_far(std::string_view s) {
  return !s.empty() && s[0] >= '0' && s[0] <= '9' &&
         s.find_first_not_of("0123456789.,") == std::string_view::npos;
}

// The first two parts of a numeric date written so far: "12/25" or "25/12" before a year,
// "2026-12" (ISO) or "12-25" before a four-digit year.
bool date_so_far(std::string_view s, char separator) {
  const std::size_t at = s.find(separator);
  if (at == std::string_view::npos || s.find_first_of("/-", at + 1) != std::string_view::npos)
    return false;
  const std::string_view a = s.substr(0, at), b = s.substr(at + 1);
  if (!all_digits(a) || !all_digits(b) || b.size() > 2) return false;
  return a.size() <= 2 || (separator == '-' && a.size() == 4);
}

// Whether a non-ASCII code point separates words.
bool separates(char32_t cp) {
  // BOM, Latin-1 punctuation, general punctuation and spaces, CJK punctuation, fullwidth and
  // small forms (，。？！：；), and the full stops and commas of other scripts: Arabic ، ؛ ؟ ۔,
  // Devanagari । ॥, Armenian ։ ՝ ՞, Hebrew ־ ׃, Ethiopic ፡ ። ፣ ..., Thai ๚ ๛, Myanmar ၊ ။,
  // Georgian ჻. Chinese and Japanese write no spaces: their phrases, between such marks, are
  // the words the aligner may pause between.
  return cp == 0xFEFF || (cp >= 0x80 && cp <= 0xBF) || (cp >= 0x2000 && cp <= 0x206F) ||
         (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFF01 && cp <= 0xFF0F) ||
         (cp >= 0xFF1A && cp <= 0xFF20) || (cp >= 0xFF3B && cp <= 0xFF40) ||
         (cp >= 0xFF5B && cp <= 0xFF65) || (cp >= 0xFE10 && cp <= 0xFE1F) ||
         (cp >= 0xFE30 && cp <= 0xFE6B) || cp == 0x060C || cp == 0x061B || cp == 0x061F ||
         cp == 0x06D4 || cp == 0x0964 || cp == 0x0965 || cp == 0x0589 || cp == 0x055D ||
         cp == 0x055E || cp == 0x05BE || cp == 0x05C3 || (cp >= 0x1361 && cp <= 0x1368) ||
         cp == 0x0E5A || cp == 0x0E5B || cp == 0x104A || cp == 0x104B || cp == 0x10FB;
}

// Words as written, lowercase: letters (any script), digits and inner apostrophes; a number keeps
// the points and commas between its digits ("1,000", "3.14"); the symbols said aloud ("%", "&",
// "+", "@", "=", "$", "£", "€") are tokens of their own; everything else separates.
std::vector<std::string> written_tokens(std::string_view text, const std::string& name) {
  std::vector<std::string> tokens;
  std::string word;
  auto flush = [&] {
    while (!word.empty() && word.back() == '\'') word.pop_back();
    std::size_t lead = 0;
    while (lead < word.size() && word[lead] == '\'') ++lead;
    if (lead < word.size()) tokens.push_back(word.substr(lead));
    word.clear();
  };
  for (std::size_t i = 0; i < text.size();) {
    char32_t cp = 0;
    const std::size_t n = utf8_decode(text, i, cp);
    if (n == 0) throw invalid_utf8(name, i);
    const bool digit_next = i + 1 < text.size() && text[i + 1] >= '0' && text[i + 1] <= '9';
    if (cp < 0x80) {
      const auto c = static_cast<unsigned char>(cp);
      if (std::isalnum(c)) {
        word += static_cast<char>(std::tolower(c));
      } else if (c == '\'') {
        word += '\'';
      } else if ((c == '.' || c == ',') && number_so_far(word) && digit_next) {
        word += static_cast<char>(c);  // 3.14, 1,000, 100,000,000
      } else if (c == ':' && digit_next && !word.empty() &&
                 word.find_first_not_of("0123456789:") == std::string::npos) {
        word += ':';  // 3:30, 2:1, 1:02:03
      } else if (c == '-' && digit_next && (all_digits(word) || date_so_far(word, '-'))) {
        word += '-';  // 5-10, 2026-12-04
      } else if (c == '/' && digit_next && (all_digits(word) || date_so_far(word, '/'))) {
        word += '/';  // 1/2, 24/7, 12/25/2025
      } else if (c == '-' && digit_next && word.empty()) {
        tokens.emplace_back("-");  // -5
      } else if (std::string_view("%&+@=$#").find(static_cast<char>(c)) != std::string_view::npos) {
        flush();
        tokens.emplace_back(1, static_cast<char>(c));
      } else {
        flush();
      }
    } else if (cp == 0x2019 || cp == 0x02BC) {
      word += '\'';  // typographic apostrophes: don’t
    } else if (cp == 0xA3 || cp == 0x20AC || cp == 0xB0) {
      flush();
      tokens.emplace_back(text.substr(i, n));  // £ € °
    } else if (separates(cp)) {
      flush();
    } else {
      word += std::string(text.substr(i, n));  // letters of any script: espeak-ng reads them
    }
    i += n;
  }
  flush();
  return tokens;
}

// A whole number's readings: itself (espeak-ng reads "2021" as "two thousand twenty-one"), and a
// year-like one also in pairs ("20 21": "twenty twenty-one"; "19 oh 5"; "19 hundred").
std::vector<std::string> whole_number(const std::string& digits) {
  if (digits.size() != 4) return {digits};
  const std::string a = digits.substr(0, 2), b = digits.substr(2);
  if (digits[0] == '1' && digits[1] != '0')  // 1100-1999
    return {digits, b == "00"     ? a + " hundred"
                    : b[0] == '0' ? a + " oh " + b.substr(1)
                                  : a + " " + b};
  if (a == "20" && b[0] != '0') return {digits, a + " " + b};  // 2010-2099
  return {digits};
}

// The non-empty parts of `t` between `separator`s ("1:02:03" -> "1", "02", "03").
std::vector<std::string> parts_of(const std::string& t, char separator) {
  std::vector<std::string> parts;
  for (std::size_t from = 0; from < t.size();) {
    const std::size_t at = std::min(t.find(separator, from), t.size());
    if (at > from) parts.push_back(t.substr(from, at - from));
    from = at + 1;
  }
  return parts;
}

// Every reading of `first` followed by every reading of `second` ("" for none).
std::vector<std::string> then(const std::vector<std::string>& first,
                              const std::vector<std::string>& second) {
  std::vector<std::string> out;
  for (const std::string& f : first)
    for (const std::string& s : second) out.push_back(s.empty() ? f : f.empty() ? s : f + " " + s);
  return out;
}

// A number token's readings ("1,000" -> "1000"; "3.14" -> "3 point 1 4"), or empty when its commas
// do not group thousands ("1,2": the caller splits it).
std::vector<std::string> number_readings(const std::string& token) {
  const std::size_t point = token.find('.');
  std::string whole;
  for (std::size_t i = 0; i < std::min(point, token.size()); ++i) {
    if (token[i] != ',') {
      whole += token[i];
      continue;
    }
    std::size_t k = i + 1;
    while (k < token.size() && token[k] >= '0' && token[k] <= '9') ++k;
    if (k - i - 1 != 3) return {};
  }
  std::vector<std::string> out = whole_number(whole);
  if (point == std::string::npos) return out;
  std::string decimals;  // "3.14" -> "point 1 4"; "1.2.3" -> "point 2 point 3"
  for (std::size_t i = point; i < token.size(); ++i) {
    if (token[i] == ',') return {};
    decimals += token[i] == '.' ? " point" : std::string(" ") + token[i];
  }
  return then(out, {decimals.substr(1)});
}

// "3:30" and the like: a time of day's readings ("3 30"; "3 oh 5", "3 5"; "3 o'clock", "3",
// "3 hundred"; on the clock face, on the 12-hour clock: "half past 3", "quarter past 3", "quarter
// to 4", "20 past 3", "10 to 4"), else a ratio's or a verse's ("2:1": "2 to 1", "2 1"); empty
// when `t` is neither.
std::vector<std::string> colon_readings(const std::string& t) {
  const std::size_t colon = t.find(':');
  if (colon == std::string::npos || colon == 0 || t.find(':', colon + 1) != std::string::npos)
    return {};
  const std::string a = t.substr(0, colon), b = t.substr(colon + 1);
  if (!all_digits(a) || !all_digits(b)) return {};
  if (a.size() > 2 || std::stoi(a) > 24 || b.size() != 2 || std::stoi(b) >= 60)
    return {a + " to " + b, a + " " + b};
  if (b == "00") return {a + " o'clock", a, a + " hundred"};
  std::vector<std::string> out;
  if (b[0] == '0')
    out = {a + " oh " + b.substr(1), a + " " + b.substr(1)};
  else
    out = {a + " " + b};
  const int minute = std::stoi(b), hour = std::stoi(a) % 12 == 0 ? 12 : std::stoi(a) % 12;
  const std::string now = std::to_string(hour), next = std::to_string(hour % 12 + 1);
  if (minute == 30) {
    out.push_back("half past " + now);
  } else if (minute == 15 || minute == 45) {
    for (const char* q : {"quarter ", "a quarter "})
      out.push_back(q + (minute == 15 ? "past " + now : "to " + next));
  } else if (minute % 5 == 0) {
    out.push_back(minute < 30 ? std::to_string(minute) + " past " + now
                              : std::to_string(60 - minute) + " to " + next);
  }
  return out;
}

// A decade or century written as a plural number ("1990s": "19 nineties"; "90s" or "'90s":
// "nineties"; "1800s": "18 hundreds"; "2000s": "2 thousands"); empty when `t` is not one.
std::vector<std::string> decade_readings(const std::string& t) {
  if (t.size() < 3 || t.back() != 's') return {};
  const std::string n = t.substr(0, t.size() - 1);
  if (!all_digits(n) || n.back() != '0' || n[0] == '0') return {};
  static const char* const tens[] = {"",        "tens",    "twenties",  "thirties", "forties",
                                     "fifties", "sixties", "seventies", "eighties", "nineties"};
  const std::string last2 = n.size() >= 2 ? n.substr(n.size() - 2) : n;
  if (n.size() == 2) return {tens[n[0] - '0']};
  if (n.size() == 4 && n.substr(1) == "000") return {n.substr(0, 1) + " thousands"};
  if (n.size() == 4 && last2 == "00") return {n.substr(0, 2) + " hundreds"};
  if (n.size() == 4) return {n.substr(0, 2) + " " + tens[last2[0] - '0']};
  if (n.size() == 3 && last2 == "00") return {n.substr(0, 1) + " hundreds", "hundreds"};
  return {};
}

// A unit written after a number ("5km", "5 km"): its name, plural and after 1, and whether people
// also say its letters ("k m", "m p h"; nobody spells "min" or "hz").
struct Unit {
  std::string_view written, plural, singular;
  bool spelled = true;
  std::string_view also = {};  // another word it stands for ("1.5M": "1 point 5 million")
};
constexpr Unit kUnits[] = {
    {"km", "kilometers", "kilometer"},
    {"cm", "centimeters", "centimeter"},
    {"mm", "millimeters", "millimeter"},
    {"m", "meters", "meter", true, "million"},
    {"kg", "kilograms", "kilogram"},
    {"g", "grams", "gram"},
    {"mg", "milligrams", "milligram"},
    {"lb", "pounds", "pound"},
    {"lbs", "pounds", "pound"},
    {"oz", "ounces", "ounce"},
    {"ft", "feet", "foot"},
    {"mi", "miles", "mile"},
    {"mph", "miles per hour", "mile per hour"},
    {"kph", "kilometers per hour", "kilometer per hour"},
    {"hr", "hours", "hour", false},
    {"hrs", "hours", "hour", false},
    {"min", "minutes", "minute", false},
    {"mins", "minutes", "minute", false},
    {"sec", "seconds", "second", false},
    {"ms", "milliseconds", "millisecond"},
    {"ml", "milliliters", "milliliter"},
    {"kb", "kilobytes", "kilobyte"},
    {"mb", "megabytes", "megabyte"},
    {"gb", "gigabytes", "gigabyte"},
    {"tb", "terabytes", "terabyte"},
    {"hz", "hertz", "hertz", false},
    {"mhz", "megahertz", "megahertz", false},
    {"kw", "kilowatts", "kilowatt"},
    {"kwh", "kilowatt hours", "kilowatt hour"},
    {"v", "volts", "volt"},
    {"x", "times", "times"},
    {"k", "thousand", "thousand"},
    {"bn", "billion", "billion", false},
};

// A unit's readings after the number `number` (as written): its name, or its letters; empty when
// `unit` is none.
std::vector<std::string> unit_readings(std::string_view unit, const std::string& number) {
  for (const Unit& u : kUnits) {
    if (u.written != unit) continue;
    std::vector<std::string> out = {std::string(number == "1" ? u.singular : u.plural)};
    if (u.spelled) {
      std::string letters;
      for (char c : unit) letters += (letters.empty() ? "" : " ") + std::string(1, c);
      out.push_back(std::move(letters));
    }
    if (!u.also.empty()) out.emplace_back(u.also);
    return out;
  }
  return {};
}

// "3/4" and the like: a fraction's readings ("3 quarters", "3 fourths"; "1/2": "a half", "1 half")
// when it is one (2 to 10 below, above less), and always the two numbers ("24/7", "9/11", "50/50")
// and "3 over 4"; `whole`: after a whole number ("1 1/2": "and a half"). Empty when `t` is not
// two numbers.
std::vector<std::string> slash_readings(const std::string& t, bool whole) {
  const std::size_t slash = t.find('/');
  if (slash == std::string::npos || slash == 0) return {};
  const std::string a = t.substr(0, slash), b = t.substr(slash + 1);
  if (!all_digits(a) || !all_digits(b) || a.size() > 3 || b.size() > 3) return {};
  static const char* const parts[][2] = {{"", ""},
                                         {"", ""},
                                         {"half", "halves"},
                                         {"third", "thirds"},
                                         {"quarter", "quarters"},
                                         {"fifth", "fifths"},
                                         {"sixth", "sixths"},
                                         {"seventh", "sevenths"},
                                         {"eighth", "eighths"},
                                         {"ninth", "ninths"},
                                         {"tenth", "tenths"}};
  const int n = std::stoi(a), d = std::stoi(b);
  std::vector<std::string> out;
  if (d >= 2 && d <= 10 && n >= 1 && n < d) {
    std::vector<std::string> names = {parts[d][n == 1 ? 0 : 1]};
    if (d == 4) names.emplace_back(n == 1 ? "fourth" : "fourths");
    out = then(n == 1 ? std::vector<std::string>{"a", "1"} : std::vector<std::string>{a}, names);
    if (whole) out = then({"and"}, out);
  }
  if (whole) return out;
  out.push_back(a + " " + b);
  out.push_back(a + " over " + b);
  return out;
}

constexpr std::array<std::string_view, 12> kMonths = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

// The month a word names, 1 to 12 ("december", "dec", "sept"), or 0.
int month_named(std::string_view w) {
  for (std::size_t m = 0; m < kMonths.size(); ++m)
    if (w == kMonths[m] || (w.size() == 3 && kMonths[m].starts_with(w)) || (m == 8 && w == "sept"))
      return static_cast<int>(m) + 1;
  return 0;
}

// A day of the month as written ("4", "04", "4th", "21st"), 1 to 31, or 0.
int day_written(std::string_view w) {
  std::size_t n = 0;
  while (n < w.size() && n < 3 && w[n] >= '0' && w[n] <= '9') ++n;
  const std::string_view suffix = w.substr(n);
  if (n == 0 || n > 2 ||
      !(suffix.empty() || suffix == "st" || suffix == "nd" || suffix == "rd" || suffix == "th"))
    return 0;
  const int day = std::stoi(std::string(w.substr(0, n)));
  return day <= 31 ? day : 0;
}

// A day of the month said as an ordinal: 4 -> "fourth", 21 -> "twenty first".
std::string ordinal_words(int n) {
  static const char* const first[] = {
      "",           "first",      "second",     "third",     "fourth",    "fifth",
      "sixth",      "seventh",    "eighth",     "ninth",     "tenth",     "eleventh",
      "twelfth",    "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
      "eighteenth", "nineteenth", "twentieth"};
  if (n >= 1 && n <= 20) return first[n];
  if (n > 20 && n < 30) return std::string("twenty ") + first[n - 20];
  return n == 30 ? "thirtieth" : n == 31 ? "thirty first" : "";
}

// How a day of a month is said: "december fourth", "december the fourth", "the fourth of
// december", "fourth of december", "fourth december".
std::vector<std::string> month_day(int month, int day) {
  const std::string m(kMonths[static_cast<std::size_t>(month - 1)]), d = ordinal_words(day);
  return {m + " " + d, m + " the " + d, "the " + d + " of " + m, d + " of " + m, d + " " + m};
}

// A numeric date's readings ("12/25/2025", "25/12/25", "12-25-2025", ISO "2026-12-04"): its
// month and day said either way round where both could be the month ("4/7/2025": "april seventh
// 2025", "the fourth of july 2025" ...), then the year (whole or in pairs; "25": "25", "05": "oh
// 5"); and its numbers one by one. Empty when `t` is not a date.
std::vector<std::string> date_readings(const std::string& t) {
  const char separator = t.find('/') != std::string::npos ? '/' : '-';
  const std::vector<std::string> parts = parts_of(t, separator);
  if (parts.size() != 3 || !std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
        return all_digits(p) && p.size() <= 4;
      }))
    return {};
  std::vector<int> v;
  for (const std::string& p : parts) v.push_back(std::stoi(p));
  std::vector<std::string> days;
  std::string year;
  auto add = [&](int month, int day) {
    if (month < 1 || month > 12 || day < 1 || day > 31) return;
    for (std::string& d : month_day(month, day)) days.push_back(std::move(d));
  };
  if (separator == '-' && parts[0].size() == 4 && parts[1].size() <= 2 && parts[2].size() <= 2) {
    year = parts[0];  // ISO 8601: year, month, day
    add(v[1], v[2]);
  } else if (parts[0].size() <= 2 && parts[1].size() <= 2 &&
             (parts[2].size() == 4 || (separator == '/' && parts[2].size() == 2))) {
    year = parts[2];
    add(v[0], v[1]);                    // month first (US)
    if (v[0] != v[1]) add(v[1], v[0]);  // day first
  }
  if (days.empty()) return {};
  const std::vector<std::string> years = year.size() == 4 ? whole_number(year)
                                         : year[0] == '0'
                                             ? std::vector<std::string>{"oh " + year.substr(1)}
                                             : std::vector<std::string>{year};
  std::vector<std::string> out = then(days, years);
  out.push_back(std::to_string(v[0]) + " " + std::to_string(v[1]) + " " + std::to_string(v[2]));
  return out;
}

bool is_number(const std::string& t) {
  return !t.empty() && t[0] >= '0' && t[0] <= '9' &&
         t.find_first_not_of("0123456789.,") == std::string::npos;
}

// "00:00:01,000", "00:01.000", "1:02:03.456": a subtitle timestamp at `s`: its length (0 if none)
// and its time in seconds.
std::size_t timestamp_at(std::string_view s, double* seconds = nullptr) {
  std::size_t i = 0, colons = 0;
  double t = 0;
  for (;;) {
    const std::size_t from = i;
    double part = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') part = part * 10 + (s[i++] - '0');
    if (i == from) return 0;
    t = t * 60 + part;
    if (i < s.size() && s[i] == ':') {
      ++i;
      ++colons;
      continue;
    }
    if (colons == 0 || i + 4 > s.size() || (s[i] != ',' && s[i] != '.')) return 0;
    for (std::size_t k = 1; k <= 3; ++k)
      if (s[i + k] < '0' || s[i + k] > '9') return 0;
    if (seconds != nullptr)
      *seconds = t + ((s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0')) / 1000.0;
    return i + 4;
  }
}

// A cue timing line: "START --> END" (WebVTT may follow it with cue settings); its duration.
bool is_timing_line(std::string_view line, double* duration = nullptr) {
  auto skip_blanks = [](std::string_view& v) {
    while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  };
  skip_blanks(line);
  double start = 0, end = 0;
  const std::size_t a = timestamp_at(line, &start);
  if (a == 0) return false;
  std::string_view rest = line.substr(a);
  skip_blanks(rest);
  if (rest.substr(0, 3) != "-->") return false;
  rest.remove_prefix(3);
  skip_blanks(rest);
  if (timestamp_at(rest, &end) == 0) return false;
  if (duration != nullptr) *duration = end - start;
  return true;
}

// A cue line's words: tags and {\...} overrides removed, entities decoded, spaces trimmed.
std::string cue_text(std::string_view line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '<' || (line[i] == '{' && i + 1 < line.size() && line[i + 1] == '\\')) {
      const std::size_t close = line.find(line[i] == '<' ? '>' : '}', i);
      if (close != std::string_view::npos) {
        i = close;
        out += ' ';  // "<c>word</c><00:00:02.000><c>word</c>": words stay apart
        continue;
      }
    }
    if (line[i] == '&') {
      bool decoded = false;
      for (const auto& [entity, c] : {std::pair<std::string_view, std::string_view>{"&amp;", "&"},
                                      {"&lt;", "<"},
                                      {"&gt;", ">"},
                                      {"&nbsp;", " "}})
        if (line.substr(i, entity.size()) == entity) {
          out += c;
          i += entity.size() - 1;
          decoded = true;
          break;
        }
      if (decoded) continue;
    }
    out += line[i];
  }
  std::string squeezed;  // single spaces, none at the ends
  for (char c : out) {
    const bool space = c == ' ' || c == '\t' || c == '\r';
    if (space && (squeezed.empty() || squeezed.back() == ' ')) continue;
    squeezed += space ? ' ' : c;
  }
  while (!squeezed.empty() && squeezed.back() == ' ') squeezed.pop_back();
  return squeezed;
}

// A speech recogniser's JSON: Whisper's and Vosk's ({"text": ...}), whisper.cpp's
// ({"transcription": [{"text": ...}, ...]}), or segments alone ({"segments": [{"text": ...}]}).
std::string json_transcript(std::string_view text, const std::string& name) {
  const nlohmann::json j = formats::parse_json_strict<nlohmann::json>(text, name);
  if (j.contains("text") && j["text"].is_string()) return j["text"].get<std::string>();
  for (const char* list : {"segments", "transcription"}) {
    if (!j.contains(list) || !j[list].is_array()) continue;
    std::string out;
    for (const nlohmann::json& segment : j[list])
      if (segment.is_object() && segment.contains("text") && segment["text"].is_string())
        out += (out.empty() ? "" : "\n") + segment["text"].get<std::string>();
    return out;
  }
  throw InputError(name, 0, 0,
                   "a JSON transcript needs \"text\" (Whisper, Vosk) or a list of \"segments\" or "
                   "\"transcription\" entries with \"text\" (whisper.cpp)");
}

// A timed table's text column: Whisper's TSV (start, end, text; tab-separated) or whisper.cpp's
// CSV (start,end,"text" with \" or "" for a quote). `lines[0]` is the header.
std::string table_transcript(const std::vector<std::string_view>& lines, char separator,
                             const std::string& name) {
  std::string out;
  for (std::size_t i = 1; i < lines.size(); ++i) {
    const std::string_view line = lines[i];
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::size_t a = line.find(separator);
    const std::size_t b = a == std::string_view::npos ? a : line.find(separator, a + 1);
    if (b == std::string_view::npos)
      throw InputError(name, i + 1, 0, "a row needs its start, end and text");
    std::string_view cell = line.substr(b + 1);
    std::string words;
    if (separator == ',' && cell.size() >= 2 && cell.front() == '"' && cell.back() == '"') {
      cell = cell.substr(1, cell.size() - 2);
      for (std::size_t k = 0; k < cell.size(); ++k) {
        if ((cell[k] == '\\' || cell[k] == '"') && k + 1 < cell.size()) ++k;  // an escape
        words += cell[k];
      }
    } else {
      words = cell;
    }
    out += (out.empty() ? "" : "\n") + words;
  }
  return out;
}

// The length of an LRC time tag at the start of `s` ("[01:02.50]", "[01:02]"), 0 if none.
std::size_t lrc_time_tag(std::string_view s) {
  if (s.size() < 4 || s[0] != '[') return 0;
  std::size_t i = 1, colons = 0;
  while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == ':' || s[i] == '.'))
    colons += s[i++] == ':';
  return colons > 0 && i < s.size() && s[i] == ']' && s[1] >= '0' && s[1] <= '9' ? i + 1 : 0;
}

// An LRC file's text (lyrics, whisper.cpp's -olrc): the time tags at the start of each line and the
// word tags inside ("<01:02.50>") removed; metadata lines ("[ar:Artist]", "[length: 03:20]") left
// out; a line without a time tag kept (a transcript with a timestamp now and then).
std::string lrc_transcript(const std::vector<std::string_view>& lines) {
  std::string out;
  for (std::string_view line : lines) {
    bool timed = false;
    while (const std::size_t n = lrc_time_tag(line)) {
      line.remove_prefix(n);
      timed = true;
    }
    if (!timed && line.size() > 2 && line.front() == '[' && line.back() == ']' &&
        std::isalpha(static_cast<unsigned char>(line[1])) &&
        line.find(':') != std::string_view::npos)
      continue;  // metadata: [ar:Artist], [length: 03:20]
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    std::string words;
    for (std::size_t k = 0; k < line.size(); ++k) {
      if (line[k] == '<') {
        const std::size_t close = line.find('>', k);
        if (close != std::string_view::npos &&
            line.substr(k + 1, close - k - 1).find_first_not_of("0123456789:.") ==
                std::string_view::npos) {
          words += ' ';
          k = close;
          continue;
        }
      }
      words += line[k];
    }
    out += (out.empty() ? "" : "\n") + words;
  }
  return out;
}

// UTF-16 text after its byte-order mark, as UTF-8 (surrogate pairs joined). Throws InputError
// naming `name` for an odd length or an unpaired surrogate (with the byte offset).
std::string utf16_to_utf8(std::string_view text, bool big_endian, const std::string& name) {
  if (text.size() % 2 != 0)
    throw InputError(name, 0, 0,
                     "the transcript is UTF-16 (by its byte-order mark) but has an odd number of "
                     "bytes (" +
                         std::to_string(text.size() + 2) + ")");
  auto unit = [&](std::size_t i) {
    const auto a = static_cast<unsigned char>(text[i]), b = static_cast<unsigned char>(text[i + 1]);
    return big_endian ? std::uint32_t(a) << 8 | b : std::uint32_t(b) << 8 | a;
  };
  auto bad = [&](std::size_t i) {
    return InputError(name, 0, 0,
                      "the transcript is not valid UTF-16 (an unpaired surrogate at byte " +
                          std::to_string(i + 3) + ")");
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); i += 2) {
    std::uint32_t c = unit(i);
    if (c >= 0xDC00 && c < 0xE000) throw bad(i);
    if (c >= 0xD800 && c < 0xDC00) {
      if (i + 2 >= text.size()) throw bad(i);
      const std::uint32_t low = unit(i + 2);
      if (low < 0xDC00 || low >= 0xE000) throw bad(i);
      c = 0x10000 + ((c - 0xD800) << 10) + (low - 0xDC00);
      i += 2;
    }
    if (c < 0x80) {
      out += char(c);
    } else if (c < 0x800) {
      out += char(0xC0 | c >> 6);
      out += char(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
      out += char(0xE0 | c >> 12);
      out += char(0x80 | (c >> 6 & 0x3F));
      out += char(0x80 | (c & 0x3F));
    } else {
      out += char(0xF0 | c >> 18);
      out += char(0x80 | (c >> 12 & 0x3F));
      out += char(0x80 | (c >> 6 & 0x3F));
      out += char(0x80 | (c & 0x3F));
    }
  }
  return out;
}

}  // namespace

std::string plain_transcript(std::string_view text, const std::string& name) {
  // UTF-16 with its byte-order mark (Windows' "Unicode" text, many subtitle tools' .srt): read as
  // the UTF-8 it says.
  if (text.size() >= 2 &&
      ((text[0] == '\xFF' && text[1] == '\xFE') || (text[0] == '\xFE' && text[1] == '\xFF'))) {
    const std::string utf8 = utf16_to_utf8(text.substr(2), text[0] == '\xFE', name);
    return plain_transcript(utf8, name);
  }
  // Text holds no NUL; UTF-16 without its mark has one in every ASCII character (read as UTF-8,
  // every letter became a word of its own and the aligner said the transcript did not fit).
  if (const std::size_t nul = text.find('\0'); nul != std::string_view::npos)
    throw InputError(name, 0, 0,
                     "the transcript holds a NUL byte (byte " + std::to_string(nul + 1) + ")" +
                         (text.size() > 2 && (text[0] == '\0' || text[1] == '\0')
                              ? ": it looks like UTF-16 without a byte-order mark; save it as "
                                "UTF-8"
                              : ""));
  std::vector<std::string_view> lines;
  for (std::size_t from = 0; from <= text.size();) {
    const std::size_t end = std::min(text.find('\n', from), text.size());
    std::string_view line = text.substr(from, end - from);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    from = end + 1;
  }
  std::string_view head = lines.front();
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);  // a byte-order mark
  if (head == "start\tend\ttext") return table_transcript(lines, '\t', name);
  if (head == "start,end,text") return table_transcript(lines, ',', name);
  std::string_view body = text;  // without a byte-order mark
  if (body.substr(0, 3) == "\xEF\xBB\xBF") body.remove_prefix(3);
  if (const std::size_t first = body.find_first_not_of(" \t\r\n");
      first != std::string_view::npos && body[first] == '{')
    return json_transcript(body, name);
  if (std::none_of(lines.begin(), lines.end(),
                   [](std::string_view l) { return is_timing_line(l); })) {
    if (std::any_of(lines.begin(), lines.end(),
                    [](std::string_view l) { return lrc_time_tag(l) > 0; }))
      return lrc_transcript(lines);
    return std::string(text);
  }
  for (std::size_t i = 0; i < text.size();) {  // the UTF-8 check, at the file's own offsets
    char32_t cp = 0;
    const std::size_t n = utf8_decode(text, i, cp);
    if (n == 0) throw invalid_utf8(name, i);
    i += n;
  }
  // Each cue: the lines after its timing line up to an empty line. Lines before a timing line
  // (cue numbers, WebVTT cue identifiers) and blocks without one (the WEBVTT header, NOTE,
  // STYLE, REGION) are not said. A rolling caption (YouTube's) starts each cue with the line the
  // cue before ended with, and flashes that line alone for 10 ms between cues: such repeats are
  // left out; a line said again in a cue of its own is kept.
  std::string out, previous;  // `previous`: the last line kept
  for (std::size_t i = 0; i < lines.size(); ++i) {
    double duration = 0;
    if (!is_timing_line(lines[i], &duration)) continue;
    std::vector<std::string> cue;
    for (std::size_t k = i + 1; k < lines.size() && !lines[k].empty() && !is_timing_line(lines[k]);
         ++k)
      if (std::string words = cue_text(lines[k]); !words.empty()) cue.push_back(std::move(words));
    for (std::size_t k = 0; k < cue.size(); ++k) {
      if (k == 0 && cue[k] == previous && (cue.size() > 1 || duration < 0.1)) continue;
      out += (out.empty() ? "" : "\n") + cue[k];
      previous = cue[k];
    }
  }
  return out;
}

std::vector<Pronunciation> reading_pronunciations(
    std::string_view reading,
    const std::function<const std::vector<Pronunciation>&(const std::string&)>& of_word,
    std::size_t max) {
  std::vector<Pronunciation> variants{{}};
  for (std::size_t from = 0; from < reading.size() && !variants.empty();) {
    const std::size_t space = std::min(reading.find(' ', from), reading.size());
    const std::vector<Pronunciation>& part =
        of_word(std::string(reading.substr(from, space - from)));
    from = space + 1;
    std::vector<Pronunciation> longer;
    for (const Pronunciation& v : variants)
      for (const Pronunciation& q : part) {
        if (longer.size() == max) break;
        longer.push_back(v);
        if (!v.empty()) longer.back().push_back(Phoneme::SIL);  // a pause may come between
        longer.back().insert(longer.back().end(), q.begin(), q.end());
      }
    variants = std::move(longer);
  }
  return variants;
}

PhoneAutomaton minimal_automaton(const std::vector<Pronunciation>& prons) {
  std::vector<PhoneAutomaton::Node> trie(1);
  for (const Pronunciation& p : prons) {
    int at = 0;
    for (Phoneme ph : p) {
      auto known = trie[static_cast<std::size_t>(at)].next.find(ph);
      if (known == trie[static_cast<std::size_t>(at)].next.end()) {
        trie.emplace_back();
        known = trie[static_cast<std::size_t>(at)]
                    .next.emplace(ph, static_cast<int>(trie.size()) - 1)
                    .first;
      }
      at = known->second;
    }
    trie[static_cast<std::size_t>(at)].accept = true;
  }
  // Children come after their parents in the trie, so going backwards each node's children are
  // already merged: a node is its continuations (and whether it accepts).
  using Key = std::pair<bool, std::vector<std::pair<Phoneme, int>>>;
  std::map<Key, int> merged;
  std::vector<int> id(trie.size());
  PhoneAutomaton out;
  for (std::size_t n = trie.size(); n-- > 0;) {
    Key key{trie[n].accept, {}};
    for (const auto& [ph, child] : trie[n].next)
      key.second.emplace_back(ph, id[static_cast<std::size_t>(child)]);
    const auto [it, fresh] = merged.emplace(std::move(key), static_cast<int>(out.nodes.size()));
    if (fresh) {
      PhoneAutomaton::Node node;
      node.accept = it->first.first;
      for (const auto& [ph, child] : it->first.second) node.next.emplace(ph, child);
      out.nodes.push_back(std::move(node));
    }
    id[n] = it->second;
  }
  out.root = id[0];
  return out;
}

std::vector<SpokenWord> spoken_words(std::string_view text, const std::string& name) {
  const std::vector<std::string> tokens = written_tokens(text, name);
  std::vector<SpokenWord> out;
  const std::map<std::string, std::string> said = {
      {"%", "percent"}, {"&", "and"}, {"+", "plus"}, {"@", "at"}, {"=", "equals"}};
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const std::string& t = tokens[i];
    if (const auto s = said.find(t); s != said.end()) {
      if (t == "%" && !out.empty() && is_number(out.back().text)) {  // "10%": one word
        out.back().text += t;
        out.back().readings = then(out.back().readings, {s->second});
      } else {
        out.push_back({t, {s->second}});
      }
    } else if (t == "-") {  // "-5": "minus 5", "negative 5" or "5" (a dash)
      if (i + 1 < tokens.size() && is_number(tokens[i + 1])) {
        const std::vector<std::string> n = number_readings(tokens[i + 1]);
        if (n.empty()) continue;
        out.push_back({t + tokens[i + 1], then({"minus", "negative", ""}, n)});
        ++i;
      }
    } else if (t == "#") {  // "#1": "number 1"; "C#": "c sharp"; a lone # says nothing
      if (i + 1 < tokens.size() && is_number(tokens[i + 1])) {
        const std::vector<std::string> n = number_readings(tokens[i + 1]);
        if (n.empty()) continue;
        out.push_back({t + tokens[i + 1], then({"number", ""}, n)});
        ++i;
      } else if (!out.empty() && out.back().text.size() == 1 && out.back().text[0] >= 'a' &&
                 out.back().text[0] <= 'g' && out.back().readings.empty()) {
        out.back().readings = {out.back().text + " sharp"};
        out.back().text += t;
      }
    } else if (t == "\u00B0") {  // "72°F": degrees (Fahrenheit, Celsius)
      const bool one = !out.empty() && out.back().text == "1";
      const std::string degrees = one ? "degree" : "degrees";
      const std::string scale = i + 1 < tokens.size() && tokens[i + 1] == "f"   ? "fahrenheit"
                                : i + 1 < tokens.size() && tokens[i + 1] == "c" ? "celsius"
                                                                                : "";
      if (scale.empty()) {
        out.push_back({t, {degrees}});
      } else {
        out.push_back({t + tokens[++i], {degrees + " " + scale, degrees, scale}});
        if (scale == "celsius") out.back().readings.push_back(degrees + " centigrade");
      }
    } else if (std::vector<std::string> u = !out.empty() && is_number(out.back().text)
                                                ? unit_readings(t, out.back().text)
                                                : std::vector<std::string>{};
               !u.empty()) {  // "5 km"
      out.push_back({t, std::move(u)});
    } else if (const std::size_t digits = t.find_first_not_of("0123456789.,");
               digits != std::string::npos && digits > 0 && is_number(t.substr(0, digits)) &&
               !unit_readings(t.substr(digits), t.substr(0, digits)).empty() &&
               !number_readings(t.substr(0, digits)).empty()) {  // "5km"
      const std::string number = t.substr(0, digits);
      out.push_back({t, then(number_readings(number), unit_readings(t.substr(digits), number))});
    } else if (t == "$" || t == "\u00A3" || t == "\u20AC") {
      // "$5.50": "five fifty", "five dollars fifty", "five dollars and fifty cents", ...
      const std::string plural = t == "$" ? "dollars" : t == "\u20AC" ? "euros" : "pounds";
      if (i + 1 < tokens.size()) {  // "$5M", "$2.5bn", "$10k": "5 million dollars", ...
        static const std::map<std::string, std::string> suffixes = {
            {"k", "thousand"}, {"m", "million"},  {"mn", "million"}, {"b", "billion"},
            {"bn", "billion"}, {"t", "trillion"}, {"tn", "trillion"}};
        const std::string& a = tokens[i + 1];
        const std::size_t figures = std::min(a.find_first_not_of("0123456789.,"), a.size());
        const auto scale = suffixes.find(a.substr(figures));
        if (scale != suffixes.end() && figures > 0) {
          std::vector<std::string> n = number_readings(a.substr(0, figures));
          if (!n.empty()) {
            std::vector<std::string> said_as = {scale->second};
            if (scale->first == "k") said_as.push_back("k");  // "ten k"
            out.push_back({t + a, then(then(n, said_as), {plural, ""})});
            ++i;
            continue;
          }
        }
      }
      if (i + 1 >= tokens.size() || !is_number(tokens[i + 1])) continue;  // a lone symbol
      const std::string& n = tokens[i + 1];
      const std::size_t point = n.find('.');
      const std::string fraction = point == std::string::npos ? "" : n.substr(point + 1);
      const std::string units = n.substr(0, point);
      const bool cents = fraction.size() == 2 && all_digits(fraction);
      std::vector<std::string> amount = number_readings(cents ? units : n);
      if (amount.empty()) continue;  // "$1,2": the symbol is dropped, the numbers read below
      ++i;
      const bool one = (cents ? units : n) == "1";
      const std::string unit = t == "$"        ? (one ? "dollar" : "dollars")
                               : t == "\u20AC" ? (one ? "euro" : "euros")
                                               : (one ? "pound" : "pounds");
      SpokenWord w{t + n, {}};
      // "$5 million", "$2.5 billion": the scale comes before the unit ("five million dollars").
      static const std::set<std::string> scales = {"hundred", "thousand", "million", "billion",
                                                   "trillion"};
      if (i + 1 < tokens.size() && scales.contains(tokens[i + 1])) {
        const std::string& scale = tokens[++i];
        w.text += " " + scale;
        w.readings = then(then(number_readings(n), {scale}), {plural, ""});
      } else if (!cents || fraction == "00") {
        w.readings = then(amount, {unit, ""});
      } else {
        const std::vector<std::string> c =
            whole_number(fraction[0] == '0' ? fraction.substr(1) : fraction);
        const std::string small = t == "\u00A3" ? (fraction == "01" ? "penny" : "pence")
                                                : (fraction == "01" ? "cent" : "cents");
        if (units != "0") {
          w.readings = then(amount, then({unit, ""}, c));  // five (dollars) fifty
          for (std::string& x : then(then(amount, {unit + " and", unit}), then(c, {small})))
            w.readings.push_back(std::move(x));  // five dollars (and) fifty cents
        }
        for (std::string& x : then(c, {small})) w.readings.push_back(std::move(x));  // fifty cents
      }
      out.push_back(std::move(w));
    } else if (const std::string half = t.size() > 2 ? t.substr(t.size() - 2) : "";
               (half == "am" || half == "pm") && t[t.size() - 3] >= '0' && t[t.size() - 3] <= '9' &&
               t.find_first_not_of("0123456789:.,") == t.size() - 2) {
      // "3pm", "10:30am": the time, then its half of the day letter by letter.
      const std::string time = t.substr(0, t.size() - 2);
      std::vector<std::string> r =
          time.find(':') != std::string::npos ? colon_readings(time) : number_readings(time);
      if (r.empty()) r = {time};  // "1:02:03pm": its numbers
      std::replace(r[0].begin(), r[0].end(), ':', ' ');
      out.push_back({t, then(r, {half == "am" ? "a.m." : "p.m."})});
    } else if (std::vector<std::string> decade = decade_readings(t); !decade.empty()) {
      out.push_back({t, std::move(decade)});
    } else if (std::vector<std::string> date = date_readings(t); !date.empty()) {
      out.push_back({t, std::move(date)});
    } else if (const std::size_t dash = t.find('-'); dash != std::string::npos) {
      // "5-10": "5 to 10" or "5 10" ("50-50", "24-7"); "1-2-3", not a date: its numbers.
      const std::vector<std::string> parts = parts_of(t, '-');
      std::vector<std::vector<std::string>> said_as;
      for (const std::string& part : parts) said_as.push_back(number_readings(part));
      if (parts.size() == 2 && !said_as[0].empty() && !said_as[1].empty()) {
        out.push_back({t, then(then(said_as[0], {"to", ""}), said_as[1])});
      } else {
        for (std::size_t k = 0; k < parts.size(); ++k) out.push_back({parts[k], said_as[k]});
      }
    } else if (t.find('/') != std::string::npos) {
      std::vector<std::string> r =
          slash_readings(t, !out.empty() && all_digits(out.back().text) && t.find('/') == 1);
      if (r.empty()) r = slash_readings(t, false);
      if (!r.empty()) {
        out.push_back({t, std::move(r)});
      } else {  // "40/13/2025", no date: its numbers
        for (const std::string& part : parts_of(t, '/'))
          out.push_back(
              {part, is_number(part) ? number_readings(part) : std::vector<std::string>{}});
      }
    } else if (t.find(':') != std::string::npos) {
      if (std::vector<std::string> c = colon_readings(t); !c.empty()) {
        out.push_back({t, std::move(c)});
      } else {  // "1:02:03": its numbers
        for (const std::string& part : parts_of(t, ':')) out.push_back({part, {}});
      }
    } else if (is_number(t)) {
      const int day = all_digits(t) ? day_written(t) : 0;
      const bool month_before = day > 0 && !out.empty() && month_named(out.back().text) > 0;
      const bool month_after = day > 0 && i + 1 < tokens.size() && month_named(tokens[i + 1]) > 0;
      if (month_before || month_after) {  // "December 4": "fourth"; "4 December": "the fourth of"
        const std::string d = ordinal_words(day);
        out.push_back({t, month_before
                              ? std::vector<std::string>{d, "the " + d, t}
                              : std::vector<std::string>{"the " + d + " of", d + " of", d, t}});
      } else if (std::vector<std::string> r = number_readings(t); !r.empty()) {
        out.push_back({t, std::move(r)});
      } else {  // "1,2": commas that do not group thousands separate numbers
        for (const std::string& part : parts_of(t, ','))
          out.push_back({part, number_readings(part)});
      }
    } else if (const int month = month_named(t);
               month > 0 && t != kMonths[static_cast<std::size_t>(month - 1)] &&
               ((i + 1 < tokens.size() && day_written(tokens[i + 1]) > 0) ||
                (!out.empty() && day_written(out.back().text) > 0))) {
      // "Dec 4", "4 Dec": the month's name
      out.push_back({t, {std::string(kMonths[static_cast<std::size_t>(month - 1)])}});
    } else if (const int ordinal = day_written(t);
               ordinal > 0 && !all_digits(t) && i + 1 < tokens.size() &&
               month_named(tokens[i + 1]) > 0) {  // "4th December": "the fourth of december"
      const std::string d = ordinal_words(ordinal);
      out.push_back({t, {"the " + d + " of", d + " of", d}});
    } else if (t == "vs") {
      out.push_back({t, {"versus", "v s"}});
    } else if (t == "no" && i + 1 < tokens.size() && is_number(tokens[i + 1])) {
      out.push_back({t, {"number", "no"}});  // "No. 5"
    } else {
      out.push_back({t, {}});
    }
  }
  if (out.empty()) throw InputError(name, 0, 0, "the transcript holds no words");
  return out;
}

std::vector<std::string> split_words(std::string_view text, const std::string& name) {
  std::vector<std::string> words;
  for (SpokenWord& w : spoken_words(text, name)) words.push_back(std::move(w.text));
  return words;
}

}  // namespace semblend::speech
