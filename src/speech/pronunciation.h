// Internal to src/speech: words -> ARPAbet pronunciations for the aligner.
//
// Dictionary: CMUdict as pocketsphinx ships it (`word PH PH ...`, alternates as `word(2)`), read
// into memory once. Words missing from it are pronounced by espeak-ng (espeak_TextToPhonemes, IPA
// output, voice en-us) and the IPA mapped to ARPAbet with the table in pronunciation.cpp.
// Transcripts are split into words here too (UTF-8 checked).
// Thread safety: a Dictionary is immutable after load (const methods safe concurrently); the
// espeak-ng calls are serialized by a process-wide mutex (espeak-ng keeps global state).
#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "semblend/speech.h"

namespace semblend::speech {

using Pronunciation = std::vector<Phoneme>;  // SIL only as a marker: a pause may come there

class Dictionary {
 public:
  // Throws IoError (missing/unreadable) or InputError (a line that is not `word PHONES...`).
  static Dictionary load(const std::string& path);
  // All pronunciations of `word` (lowercase), in dictionary order; empty when missing.
  const std::vector<Pronunciation>& lookup(const std::string& word) const;
  std::size_t size() const { return words_.size(); }

 private:
  std::unordered_map<std::string, std::vector<Pronunciation>> words_;
};

// A word's pronunciations as the smallest acyclic automaton that says exactly them: shared
// beginnings (a trie) and shared endings (nodes with the same continuations merged). A date's
// dozens of readings ("december fourth 2026", "the fourth of december 2026" ...) then share the
// phones of their common words instead of each being a chain of its own: the alignment is
// searched without pruning, so its cost grows with the grammar's arcs. Its language is exactly
// `prons` (SIL markers included, as symbols); `root` is the start; one node (the only one with no
// continuation) ends every pronunciation that nothing else continues.
struct PhoneAutomaton {
  struct Node {
    std::map<Phoneme, int> next;
    bool accept = false;  // a pronunciation may end here
  };
  std::vector<Node> nodes;
  int root = 0;
};
PhoneAutomaton minimal_automaton(const std::vector<Pronunciation>& prons);

// A reading of one or more words ("5 dollars 50") as pronunciations: every combination of its
// words' pronunciations (`of_word`), with a SIL marker between words (a pause may come there), at
// most `max` of them. Empty when a word has none.
std::vector<Pronunciation> reading_pronunciations(
    std::string_view reading,
    const std::function<const std::vector<Pronunciation>&(const std::string&)>& of_word,
    std::size_t max);

// espeak-ng's pronunciation of one word in `language` (an espeak-ng voice; en-us by default),
// mapped to ARPAbet; empty when espeak-ng gives nothing usable (e.g. a symbol it does not read).
// `unmapped` receives IPA it could not map. Throws std::invalid_argument for a voice espeak-ng
// lacks. `spelt` (when given) is set when espeak-ng cannot read the word as written: it switched
// to English to name the characters of a word written without Latin letters, or the word holds
// kanji in Japanese (espeak-ng's ja reads kana; a kanji alone is "Chinese letter", inside a word
// it is dropped): those phones are not what is said.
Pronunciation espeak_pronunciation(const std::string& word, std::string* unmapped = nullptr,
                                   const std::string& language = "en-us", bool* spelt = nullptr);

// The same for many words, with one change of voice: espeak-ng 1.51 leaks ~1.3 KB on each change
// of voice (measured: 1000 switches de -> en-us -> de leak 2.5 MB), so a transcript's words are
// pronounced together, not one voice change per word.
struct EspeakWord {
  Pronunciation phones;
  std::string unmapped;
  bool spelt = false;
};
std::vector<EspeakWord> espeak_pronunciations(const std::vector<std::string>& words,
                                              const std::string& language);

// espeak-ng is process-wide state: hold espeak_mutex() around every call into it.
// espeak_ready() initialises it once (retrieval mode, phoneme events as IPA, voice en-us) and
// says whether that worked; callers that change the voice or rate restore en-us and 175 wpm.
std::mutex& espeak_mutex();
bool espeak_ready();

// Selects the espeak-ng voice for `language` (hold espeak_mutex(), after espeak_ready()): a voice
// name as espeak-ng names them ("de", "cmn", "en-us", "de+f3", "Chinese (Cantonese)"), else a
// language code that voices declare (BCP 47 style, any case: "zh" and "zh-cmn" -> cmn, "zh-yue"
// -> yue, "pt-PT" -> pt), the voice of highest priority for it, as `espeak-ng -v` resolves them; a
// "+variant" suffix is kept ("zh+f3"). Returns false, with the voice unchanged, when nothing
// matches.
bool select_espeak_voice(const std::string& language);

// A language as one spelling: lowercase, "_" as "-", without a "+variant" ("pt_BR+f3" -> "pt-br").
std::string language_base(std::string_view language);

// Every voice espeak-ng has, by the name select_espeak_voice takes ("af", "cmn-latn-pinyin",
// "en-us", ...); empty when espeak-ng cannot be initialised. Takes espeak_mutex() itself.
std::vector<std::string> espeak_voice_names();

// IPA (espeak-ng's output for one word, phonemes separated by '_') -> ARPAbet. Exposed for tests.
Pronunciation ipa_to_arpabet(std::string_view ipa, std::string* unmapped = nullptr);

// A transcript word as written, and the ways it is said (English). Written symbols and numbers
// are said as words: "10%" -> "10 percent", "&" "and", "+" "plus", "@" "at", "=" "equals";
// "1,000" -> "1000"; "3.14" -> "3 point 1 4"; "$5.50" -> "5 50", "5 dollars 50", "5 dollars and
// 50 cents", "5 dollars 50 cents" or "50 cents"-style forms (£: pounds and pence, €: euros and
// cents; "$5 million" or "$5M" -> "5 million dollars" or "5 million"); a year-like number whole or
// in pairs
// ("1984": "1984" or "19 84"); a decade ("1990s": "19 nineties", "'90s": "nineties", "1800s": "18
// hundreds"); a time ("3:30": "3 30"; "3:05": "3 oh 5"; "3:00": "3 o'clock", "3", "3 hundred"),
// other colons a ratio ("2:1": "2 to 1"); a unit after a number ("5km" or "5 km": "5 kilometers"
// or "5 k m"; "1 kg": "1 kilogram"); degrees ("72°F": "72 degrees fahrenheit", "72 degrees");
// "#1": "number 1"; a range ("5-10": "5 to 10", "5 10"); "-5": "minus 5", "negative 5", "5"; a
// fraction ("3/4": "3 quarters", "3 fourths", "3 4", "3 over 4"; "1 1/2": "1 and a half"); a date
// ("12/25/2025", "25/12/05", "2026-12-04": "december twenty fifth 2025", "the twenty fifth of
// december 2025" ...; its numbers); a day next to a month ("Dec 4": "december fourth", "4
// December": "the fourth of"); a scale after a number ("1.5M": "1 point 5 million", "10k"); "C#":
// "c sharp"; "vs": "versus"; "No 5": "number 5". The numbers themselves are read by espeak-ng.
struct SpokenWord {
  std::string text;                   // as written, lowercase: what Alignment::words lists
  std::vector<std::string> readings;  // each one or more words; empty: the text itself
  // Prior probabilities of the word being said and of it being left out (a repaired stretch's
  // words, Aligner: a transcript word recognition did not hear, a heard word the transcript lacks);
  // skip 0: it is said.
  double say = 1, skip = 0;
};

// A transcript's text: a subtitle file (SubRip .srt or WebVTT .vtt, told by its cue timing lines
// "00:00:01,000 --> 00:00:04,000") gives its cues' text in order, without cue numbers, timings,
// headers, NOTE/STYLE/REGION blocks, tags (<i>, <v Speaker>, <00:00:01.500>), {\an8} overrides or
// the lines a rolling caption repeats from the cue before (YouTube's automatic captions), with
// &amp; &lt; &gt; &nbsp; decoded. A speech recogniser's output gives its text: JSON (first
// character '{') its "text" (Whisper, Vosk) or its "segments" or "transcription" entries' "text"
// (whisper.cpp); a table headed "start\tend\ttext" (Whisper's TSV) or "start,end,text"
// (whisper.cpp's CSV) its text column; LRC (lines starting "[01:02.50]": whisper.cpp, lyrics) its
// lines without time tags, word tags or metadata lines. Any other text is returned as it is.
// Text in UTF-16 with a byte-order mark (little- or big-endian: Windows' "Unicode" text files and
// many subtitle tools' .srt) is read as the UTF-8 it spells (an odd length or an unpaired
// surrogate is an InputError); UTF-8's own mark is skipped.
// Throws InputError naming `name` for a subtitle file that is not valid UTF-8 (with the byte
// offset), JSON that is malformed or holds no text, or a table row without its three columns.
std::string plain_transcript(std::string_view text, const std::string& name);

// Splits a transcript into words: letters (any script), digits and inner apostrophes; numbers
// with their points and thousands commas; the symbols above. Everything else separates words.
// Throws InputError naming `name` when the text is not valid UTF-8 (with the byte offset) or holds
// no words.
std::vector<SpokenWord> spoken_words(std::string_view text, const std::string& name);
// The same words' texts.
std::vector<std::string> split_words(std::string_view text, const std::string& name);

}  // namespace semblend::speech
