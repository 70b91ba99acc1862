// Speech evaluation (see speech_eval.h): espeak-ng ground truth, real alignments, three modes.
#include "semblend/speech_eval.h"

#include <espeak-ng/speak_lib.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "semblend/aligner.h"
#include "semblend/dtw_aligner.h"
#include "semblend/file_io.h"
#include "semblend/speech_stream.h"
#include "speech/common.h"
#include "speech/pronunciation.h"

namespace semblend {
namespace {

struct Synthesis {
  std::vector<short> samples;
  struct Event {
    int sample;  // espeak-ng's output rate
    std::string ipa;
  };
  std::vector<Event> phonemes;
  int rate = 22050;
};

int on_synth(short* wav, int n, espeak_EVENT* events) {
  if (events == nullptr) return 0;
  auto* s = static_cast<Synthesis*>(events->user_data);
  if (s == nullptr) return 0;
  for (espeak_EVENT* e = events; e->type != espeakEVENT_LIST_TERMINATED; ++e)
    if (e->type == espeakEVENT_PHONEME) {
      char name[9] = {};
      std::copy(e->id.string, e->id.string + 8, name);
      s->phonemes.push_back(
          {static_cast<int>(std::lround(e->audio_position * 0.001 * s->rate)), name});
    }
  if (wav != nullptr && n > 0) s->samples.insert(s->samples.end(), wav, wav + n);
  return 0;
}

bool is_stop(Phoneme p) {
  switch (p) {
    case Phoneme::P:
    case Phoneme::B:
    case Phoneme::T:
    case Phoneme::D:
    case Phoneme::K:
    case Phoneme::G:
    case Phoneme::CH:
    case Phoneme::JH:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool espeak_has_voice(const std::string& voice) {
  return !espeak_voice_name(voice).empty();
}

std::string espeak_voice_name(const std::string& voice) {
  std::lock_guard<std::mutex> lock(speech::espeak_mutex());
  if (voice.empty() || !speech::espeak_ready() || !speech::select_espeak_voice(voice)) return "";
  const espeak_VOICE* current = espeak_GetCurrentVoice();
  std::string name =
      current != nullptr && current->name != nullptr && *current->name != 0 ? current->name : voice;
  espeak_SetVoiceByName("en-us");
  return name;
}

LabelledSpeech synthesize_espeak(const std::string& text, const std::string& voice, int rate_wpm) {
  if (rate_wpm < espeakRATE_MINIMUM || rate_wpm > espeakRATE_MAXIMUM)
    throw std::invalid_argument("espeak-ng rate must be in 80..450 words per minute");
  Synthesis s;
  {
    std::lock_guard<std::mutex> lock(speech::espeak_mutex());
    if (!speech::espeak_ready()) throw std::runtime_error("espeak-ng cannot be initialised");
    if (!speech::select_espeak_voice(voice))
      throw std::invalid_argument("espeak-ng has no voice \"" + voice +
                                  "\" (a language such as de, fr, es, it, pt, pl, nl, ru, or a "
                                  "variant such as de+f3)");
    espeak_SetParameter(espeakRATE, rate_wpm, 0);
    espeak_SetSynthCallback(on_synth);
    const espeak_ERROR e = espeak_Synth(text.c_str(), text.size() + 1, 0, POS_CHARACTER, 0,
                                        espeakCHARS_UTF8, nullptr, &s);
    espeak_Synchronize();
    espeak_SetSynthCallback(nullptr);
    espeak_SetVoiceByName("en-us");
    espeak_SetParameter(espeakRATE, espeakRATE_NORMAL, 0);
    if (e != EE_OK || s.samples.empty())
      throw std::runtime_error("espeak-ng produced no audio for \"" + text + "\"");
  }
  // Phones from the events: each lasts until the next event.
  const auto n = static_cast<int>(s.samples.size());
  struct Raw {
    Phoneme p;
    int start;
  };
  std::vector<Raw> raw;
  std::vector<std::string> unmapped;
  for (const Synthesis::Event& e : s.phonemes) {
    std::string missing;
    const speech::Pronunciation pr = speech::ipa_to_arpabet(e.ipa, &missing);
    if (!missing.empty() && std::find(unmapped.begin(), unmapped.end(), missing) == unmapped.end())
      unmapped.push_back(missing);
    if (pr.empty()) {
      raw.push_back({Phoneme::SIL, e.sample});  // pauses ("_", "") and unmapped symbols
      continue;
    }
    raw.push_back({pr.front(), e.sample});
    // Two ARPAbet phones from one event (rare: "ɜːɹ" is one ER): the second starts 40 ms later.
    for (std::size_t k = 1; k < pr.size(); ++k)
      raw.push_back({pr[k], e.sample + static_cast<int>(k) * s.rate / 25});
  }
  // Corrections. A stop's event fires at its burst: it starts where the run of zero samples
  // (its closure) before the event starts. A vowel after a nasal fires ~20 ms late.
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (is_stop(raw[i].p)) {
      int k = std::min(raw[i].start, n) - 1;
      const int floor = i > 0 ? raw[i - 1].start + s.rate / 100 : 0;
      int zeros = 0;
      while (k >= floor && k >= 0 && s.samples[static_cast<std::size_t>(k)] == 0) --k, ++zeros;
      if (zeros >= s.rate / 200) raw[i].start = k + 1;  // at least 5 ms of digital zeros
    } else if (info(raw[i].p).vowel && i > 0 &&
               (raw[i - 1].p == Phoneme::M || raw[i - 1].p == Phoneme::N ||
                raw[i - 1].p == Phoneme::NG)) {
      raw[i].start = std::max(raw[i - 1].start + s.rate / 100, raw[i].start - s.rate / 50);
    }
  }
  // Digital silence after the last sound is silence, whatever phone was last.
  int last_sound = n;
  while (last_sound > 0 && s.samples[static_cast<std::size_t>(last_sound - 1)] == 0) --last_sound;
  LabelledSpeech out;
  out.source = "espeak-ng";
  out.transcript = text;
  Audio a;
  a.sample_rate = s.rate;
  a.samples.resize(s.samples.size());
  for (std::size_t i = 0; i < s.samples.size(); ++i) a.samples[i] = s.samples[i] / 32768.0f;
  out.audio = resample(a, 16000);
  const double duration = out.audio.duration(), r = s.rate;
  std::vector<TimedPhoneme> phones;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const int end = std::min(i + 1 < raw.size() ? raw[i + 1].start : n, last_sound);
    if (end > raw[i].start) phones.push_back({raw[i].p, raw[i].start / r, end / r, ""});
  }
  out.truth = speech::contiguous(std::move(phones), duration);
  out.unmapped = std::move(unmapped);
  return out;
}

namespace {

std::string festival_binary() {
  if (const char* env = std::getenv("SEMBLEND_FESTIVAL"); env && *env) return env;
  return "/usr/bin/festival";
}

// festival's radio phone set (kal_diphone) -> ARPAbet; the rest are ARPAbet in lowercase.
std::optional<Phoneme> festival_phone(const std::string& name) {
  static const std::pair<const char*, Phoneme> kExtra[] = {
      {"ax", Phoneme::AH},   {"ix", Phoneme::IH},  {"axr", Phoneme::ER},  {"dx", Phoneme::T},
      {"el", Phoneme::L},    {"em", Phoneme::M},   {"en", Phoneme::N},    {"nx", Phoneme::N},
      {"pau", Phoneme::SIL}, {"h#", Phoneme::SIL}, {"brth", Phoneme::SIL}};
  for (const auto& [n, p] : kExtra)
    if (name == n) return p;
  return phoneme_from_arpabet(name);
}

// festival's Italian phone set (festvox-italp16k, -itapc16k: italian_phoneset.scm; a vowel's
// stress mark "1" is dropped) -> the phones the IPA table gives the same sounds (e -> EH as for
// espeak-ng's e, a -> AE as its a, the open vowels E -> EH, O -> AO; S/Z as sh/zh, J (gn) -> N,
// L (gli) -> L, r -> D as IPA r); the affricates are one segment each: tS -> CH, dZ -> JH, and
// ts/dz -> S/Z (the table reads them as t+s, d+z: one lip class either way).
std::optional<Phoneme> festival_italian_phone(std::string name) {
  if (name.size() > 1 && name.back() == '1') name.pop_back();
  static const std::pair<const char*, Phoneme> kItalian[] = {
      {"#", Phoneme::SIL}, {"i", Phoneme::IY},  {"e", Phoneme::EH}, {"E", Phoneme::EH},
      {"a", Phoneme::AE},  {"o", Phoneme::OW},  {"O", Phoneme::AO}, {"u", Phoneme::UW},
      {"j", Phoneme::Y},   {"w", Phoneme::W},   {"p", Phoneme::P},  {"t", Phoneme::T},
      {"k", Phoneme::K},   {"b", Phoneme::B},   {"d", Phoneme::D},  {"g", Phoneme::G},
      {"f", Phoneme::F},   {"s", Phoneme::S},   {"S", Phoneme::SH}, {"v", Phoneme::V},
      {"z", Phoneme::Z},   {"Z", Phoneme::ZH},  {"m", Phoneme::M},  {"n", Phoneme::N},
      {"J", Phoneme::N},   {"l", Phoneme::L},   {"L", Phoneme::L},  {"r", Phoneme::D},
      {"tS", Phoneme::CH}, {"dZ", Phoneme::JH}, {"ts", Phoneme::S}, {"dz", Phoneme::Z}};
  for (const auto& [n, p] : kItalian)
    if (name == n) return p;
  return std::nullopt;
}

}  // namespace

bool festival_available() {
  std::error_code ec;
  return std::filesystem::exists(festival_binary(), ec);
}

std::string festival_voice_language(const std::string& voice) {
  std::error_code ec;
  const std::filesystem::path root = "/usr/share/festival/voices";
  for (const auto& language : std::filesystem::directory_iterator(root, ec))
    if (std::filesystem::is_directory(language.path() / voice, ec))
      return language.path().filename().string();
  return "";
}

bool festival_voice_available(const std::string& voice) {
  return !festival_voice_language(voice).empty();
}

LabelledSpeech synthesize_festival(const std::string& text, const std::string& voice,
                                   double stretch) {
  if (!(stretch >= 0.5 && stretch <= 2)) throw std::invalid_argument("stretch must be in [0.5, 2]");
  for (char c : voice)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      throw std::invalid_argument("festival voice names are letters, digits and _");
  if (!festival_available())
    throw std::runtime_error(
        "festival is not installed (Debian: festival and its voices, scripts/setup.sh)");
  static std::atomic<int> counter{0};
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      ("semblend_festival_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
  std::filesystem::create_directories(dir);
  struct Cleanup {
    std::filesystem::path d;
    ~Cleanup() {
      std::error_code ec;
      std::filesystem::remove_all(d, ec);
    }
  } cleanup{dir};
  std::string quoted;  // a Scheme string literal
  for (char c : text) {
    if (c == '"' || c == '\\') quoted += '\\';
    quoted += c == '\n' ? ' ' : c;
  }
  const std::string wav = (dir / "out.wav").string(), segs = (dir / "segments.txt").string();
  char stretch_text[32];
  std::snprintf(stretch_text, sizeof stretch_text, "%.3f", stretch);
  // Diphone voices take festival's Duration_Stretch; an HTS voice's durations come from its
  // engine, which ignores it (the segment times and the wave stay the same) and takes a speech
  // rate instead (hts_engine's -r: durations divided by it).
  std::string rate;
  if (voice.size() > 4 && voice.compare(voice.size() - 4, 4, "_hts") == 0) {
    char rate_text[32];
    std::snprintf(rate_text, sizeof rate_text, "%.4f", 1.0 / stretch);
    rate = "(set! hts_engine_params (append hts_engine_params (list (list \"-r\" " +
           std::string(rate_text) + "))))\n";
  }
  write_file_atomic(
      (dir / "say.scm").string(),
      "(voice_" + voice + ")\n(Parameter.set 'Duration_Stretch " + stretch_text + ")\n" + rate +
          "(set! utt (Utterance Text \"" + quoted + "\"))\n(utt.synth utt)\n(utt.save.wave utt \"" +
          wav + "\" 'riff)\n(set! f (fopen \"" + segs +
          "\" \"w\"))\n(mapcar (lambda (s) (format f \"%s %f\\n\" (item.name s) (item.feat s "
          "\"end\"))) (utt.relation.items utt 'Segment))\n(fclose f)\n");
  const std::string cmd = "'" + festival_binary() + "' -b '" + (dir / "say.scm").string() +
                          "' >/dev/null 2>'" + (dir / "err.txt").string() + "'";
  if (std::system(cmd.c_str()) != 0 || !std::filesystem::exists(segs) ||
      !std::filesystem::exists(wav)) {
    std::string err;
    try {
      err = read_file((dir / "err.txt").string());
    } catch (const std::exception&) {
    }
    throw std::runtime_error("festival failed on \"" + text + "\" with voice " + voice + ": " +
                             err.substr(0, 300));
  }
  const bool italian = festival_voice_language(voice) == "italian";
  LabelledSpeech out;
  out.source = "festival";
  out.transcript = text;
  out.audio = read_audio(wav, 16000);
  std::vector<TimedPhoneme> phones;
  double t = 0;
  const std::string listing = read_file(segs);
  std::size_t pos = 0;
  while (pos < listing.size()) {
    std::size_t eol = listing.find('\n', pos);
    if (eol == std::string::npos) eol = listing.size();
    const std::string line = listing.substr(pos, eol - pos);
    pos = eol + 1;
    const std::size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    const std::string name = line.substr(0, space);
    const double end = std::strtod(line.c_str() + space + 1, nullptr);
    const auto p = italian ? festival_italian_phone(name) : festival_phone(name);
    if (!p) throw std::runtime_error("festival phone \"" + name + "\" has no ARPAbet mapping");
    if (end > t) phones.push_back({*p, t, end, ""});
    t = std::max(t, end);
  }
  out.truth = speech::contiguous(std::move(phones), out.audio.duration());
  return out;
}

PhoneScores score_phones(const std::vector<TimedPhoneme>& result,
                         const std::vector<TimedPhoneme>& truth) {
  PhoneScores s;
  if (truth.empty()) return s;
  for (double t = truth.front().start + 0.005; t < truth.back().end; t += 0.01, ++s.frames)
    s.frames_right += lip_class_at(result, t) == lip_class_at(truth, t);
  for (const TimedPhoneme& t : truth) {
    if (info(t.phoneme).lip != LipClass::BMP) continue;
    ++s.bilabials;
    s.bilabials_found += std::any_of(result.begin(), result.end(), [&](const TimedPhoneme& r) {
      return info(r.phoneme).lip == LipClass::BMP && r.start < t.end + 0.04 &&
             r.end > t.start - 0.04;
    });
  }
  for (std::size_t i = 1; i < truth.size(); ++i) {
    double best = 1e9;
    for (const TimedPhoneme& p : result) best = std::min(best, std::abs(p.start - truth[i].start));
    s.boundary_errors_ms.push_back(best * 1000);
  }
  return s;
}

double ModeResult::accuracy() const {
  return scores.frames > 0 ? static_cast<double>(scores.frames_right) / scores.frames : 0;
}
double ModeResult::bilabial_recall() const {
  return scores.bilabials > 0 ? static_cast<double>(scores.bilabials_found) / scores.bilabials : 0;
}
double ModeResult::boundary_percentile(double q) const {
  std::vector<double> v = scores.boundary_errors_ms;
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(std::clamp(q, 0.0, 1.0) * static_cast<double>(v.size() - 1))];
}

const std::vector<std::string>& eval_sentences() {
  static const std::vector<std::string> s{
      "The birch canoe slid on the smooth planks.",  "Glue the sheet to the dark blue background.",
      "It's easy to tell the depth of a well.",      "These days a chicken leg is a rare dish.",
      "Rice is often served in round bowls.",        "The juice of lemons makes fine punch.",
      "The box was thrown beside the parked truck.", "Four hours of steady work faced us.",
  };
  return s;
}

namespace {

// Two sentences per language, written for this evaluation (with bilabials and rounded vowels).
const std::vector<std::pair<std::string, std::vector<std::string>>>& language_sentences() {
  static const std::vector<std::pair<std::string, std::vector<std::string>>> kSentences{
      {"de",
       {"Meine Mutter bringt am Morgen frisches Brot und warme Milch.",
        "Über den Bergen zogen schöne Wolken, während wir im Boot saßen."}},
      {"fr",
       {"Mon petit frère boit un bol de lait chaud chaque matin.",
        "Une belle rose pousse au bord du mur, près de la fontaine."}},
      {"es",
       {"Mi madre compra pan blanco y manzanas en el mercado.",
        "Bajo la lluvia, los niños buscaban piedras bonitas en el puerto."}},
      {"it",
       {"Mia madre porta il pane e il burro ogni mattina.",
        "Sul monte, i bambini guardavano le barche nel porto lontano."}},
      {"ru",
       {"Моя мама покупает хлеб и молоко в магазине.",
        "Прошлым летом папа купил большую белую лодку."}},
      {"zh", {"妈妈每天早上买面包和牛奶。", "爸爸明天不去北京，他在家看报纸。"}},
      {"pt", {"Minha mãe compra pão e maçãs no mercado.", "O gato dorme o dia todo no sofá."}},
      {"nl",
       {"Mijn moeder bakt brood met boter en melk.", "De kat slaapt de hele dag op de bank."}},
      {"pl", {"Moja mama kupuje chleb i mleko w sklepie.", "Kot śpi cały dzień na kanapie."}},
      {"sv", {"Min mamma bakar bröd med smör och mjölk.", "Katten sover hela dagen i soffan."}},
      {"cs", {"Moje máma peče chleba s máslem a mlékem.", "Kočka spí celý den na gauči."}},
      {"tr", {"Annem pazardan ekmek ve elma alıyor.", "Kedi bütün gün kanepede uyuyor."}},
      {"fi",
       {"Minun äitini ostaa leipää ja maitoa kaupasta.", "Kissa nukkuu koko päivän sohvalla."}},
      {"hu", {"Anyám kenyeret és tejet vesz a boltban.", "A macska egész nap a kanapén alszik."}},
      {"el",
       {"Η μητέρα μου αγοράζει ψωμί και μήλα από την αγορά.",
        "Η γάτα κοιμάται όλη μέρα στον καναπέ."}},
      {"yue", {"你好，我哋今日去買麵包同蘋果。", "隻貓成日喺梳化度瞓覺。"}},
      {"ja",
       {"わたしのははは、まいにち、パンとりんごをかいます。",
        "ねこは、いちにちじゅう、ソファでねています。"}},
      {"ko", {"우리 엄마는 시장에서 빵과 사과를 사요.", "고양이는 하루 종일 소파에서 자요."}},
      {"hi", {"मेरी माँ बाज़ार से रोटी और सेब खरीदती है।", "बिल्ली पूरे दिन सोफ़े पर सोती है।"}},
      {"ar", {"أمي تشتري الخبز والتفاح من السوق.", "القطة تنام طوال اليوم على الأريكة."}},
      {"vi", {"Mẹ tôi mua bánh mì và táo ở chợ.", "Con mèo ngủ cả ngày trên ghế sofa."}}};
  return kSentences;
}

}  // namespace

const std::vector<std::string>& eval_sentences(const std::string& language) {
  static const std::vector<std::string> kNone;
  for (const auto& [lang, sentences] : language_sentences())
    if (lang == language) return sentences;
  return kNone;
}

std::vector<std::string> eval_languages() {
  std::vector<std::string> out;
  for (const auto& entry : language_sentences()) out.push_back(entry.first);
  return out;
}

namespace {

void add(PhoneScores& into, const PhoneScores& s) {
  into.frames += s.frames;
  into.frames_right += s.frames_right;
  into.bilabials += s.bilabials;
  into.bilabials_found += s.bilabials_found;
  into.boundary_errors_ms.insert(into.boundary_errors_ms.end(), s.boundary_errors_ms.begin(),
                                 s.boundary_errors_ms.end());
}

void run_modes(Aligner& aligner, const SpeechStreamOptions& stream_options, const LabelledSpeech& u,
               SourceResult& r) {
  ++r.utterances;
  r.audio_seconds += u.audio.duration();
  const Alignment with = aligner.align(u.audio, u.transcript, u.name);
  add(r.transcript.scores, score_phones(with.phonemes, u.truth));
  r.transcript.cpu_seconds += with.cpu_seconds;
  r.transcript.audio_seconds += with.audio_seconds;
  const Alignment without = aligner.recognize(u.audio);
  add(r.recognition.scores, score_phones(without.phonemes, u.truth));
  r.recognition.cpu_seconds += without.cpu_seconds;
  r.recognition.audio_seconds += without.audio_seconds;
  std::vector<TimedPhoneme> live;
  double latency = 0;
  const double cpu0 = speech::thread_cpu_seconds();
  stream_audio(u.audio, stream_options, 0.04, &live, &latency);
  r.live.cpu_seconds += speech::thread_cpu_seconds() - cpu0;
  r.live.audio_seconds += u.audio.duration();
  r.live.max_latency = std::max(r.live.max_latency, latency);
  add(r.live.scores, score_phones(live, u.truth));
}

// A wrong transcript for the cross-language transcript check, met after everything else: its
// espeak-ng transcriptions would otherwise change what espeak-ng synthesises next (its waveform
// and event times depend on what it did before), and so the other measurements.
struct WrongTranscript {
  std::size_t source;  // index into the results
  Audio audio;
  std::string transcript, name;
  Aligner* aligner;
};

// With a transcript by synthesis (English or not) and, when `acoustic` is given, by the
// cross-language forced alignment, whose transcript check is to meet `wrong` (another sentence)
// later (`checks`); without by the phone recogniser.
void run_synthesis_modes(const std::string& language, const std::string& model_dir,
                         const LabelledSpeech& u, SourceResult& r, Aligner* acoustic = nullptr,
                         const std::string& wrong = "",
                         std::vector<WrongTranscript>* checks = nullptr, std::size_t source = 0) {
  ++r.utterances;
  r.audio_seconds += u.audio.duration();
  SynthesisAlignerOptions so;
  so.language = language;
  const Alignment with = align_by_synthesis(u.audio, u.transcript, so, u.name);
  add(r.transcript.scores, score_phones(with.phonemes, u.truth));
  r.transcript.cpu_seconds += with.cpu_seconds;
  r.transcript.audio_seconds += with.audio_seconds;
  AlignerOptions ao;
  ao.model_dir = model_dir;
  const Alignment without = recognize_phones(u.audio, ao);
  add(r.recognition.scores, score_phones(without.phonemes, u.truth));
  r.recognition.cpu_seconds += without.cpu_seconds;
  r.recognition.audio_seconds += without.audio_seconds;
  if (acoustic == nullptr) return;
  const Alignment cross = acoustic->align(u.audio, u.transcript, u.name);
  add(r.acoustic.scores, score_phones(cross.phonemes, u.truth));
  r.acoustic.cpu_seconds += cross.cpu_seconds;
  r.acoustic.audio_seconds += cross.audio_seconds;
  r.transcripts_kept += cross.method == AlignmentMethod::Transcript ? 1 : 0;
  if (!wrong.empty() && checks != nullptr)
    checks->push_back({source, u.audio, wrong, u.name + " (wrong transcript)", acoustic});
}

// The cross-language aligner for `language`, made once.
Aligner& aligner_for(std::map<std::string, Aligner>& made, const std::string& language,
                     const std::string& model_dir) {
  if (const auto known = made.find(language); known != made.end()) return known->second;
  AlignerOptions ao;
  ao.model_dir = model_dir;
  ao.language = language;
  return made.emplace(language, Aligner::create(ao)).first->second;
}

}  // namespace

std::vector<SourceResult> evaluate_speech(const SpeechEvalOptions& options,
                                          const std::function<void(const std::string&)>& progress) {
  AlignerOptions ao;
  ao.model_dir = options.model_dir;
  Aligner aligner = Aligner::create(ao);
  SpeechStreamOptions so;
  so.model_dir = options.model_dir;
  std::vector<SourceResult> out;
  std::map<std::string, Aligner> cross;  // cross-language aligners, per language
  std::vector<WrongTranscript> checks;
  if (options.espeak) {
    SourceResult r;
    r.source = "espeak-ng";
    const std::vector<std::string>& sentences =
        options.sentences.empty() ? eval_sentences() : options.sentences;
    for (std::size_t i = 0; i < sentences.size(); ++i)
      for (const std::string& voice : options.voices)
        for (int rate : options.rates) {
          LabelledSpeech u = synthesize_espeak(sentences[i], voice, rate);
          u.name = "sentence " + std::to_string(i + 1) + ", " + voice + ", " +
                   std::to_string(rate) + " wpm";
          if (progress) progress(u.name);
          run_modes(aligner, so, u, r);
        }
    out.push_back(std::move(r));
  }
  for (const std::string& language : options.languages) {
    const std::vector<std::string>& sentences = eval_sentences(language);
    if (sentences.empty()) throw std::invalid_argument("no built-in sentences in " + language);
    SourceResult r;
    r.source = "espeak-ng " + language;
    r.by_synthesis = true;
    for (std::size_t i = 0; i < sentences.size(); ++i)
      for (std::size_t v = 0; v < options.language_variants.size(); ++v) {
        const std::string voice = language + options.language_variants[v];
        const int rate = options.language_rates[v % options.language_rates.size()];
        LabelledSpeech u = synthesize_espeak(sentences[i], voice, rate);
        u.name = language + " sentence " + std::to_string(i + 1) + ", " + voice + ", " +
                 std::to_string(rate) + " wpm";
        if (progress) progress(u.name);
        run_synthesis_modes(language, options.model_dir, u, r,
                            &aligner_for(cross, language, options.model_dir),
                            sentences[(i + 1) % sentences.size()], &checks, out.size());
      }
    out.push_back(std::move(r));
  }
  if (options.festival && festival_available())
    for (const auto& [language, voice] : options.festival_language_voices) {
      if (std::find(options.languages.begin(), options.languages.end(), language) ==
          options.languages.end())
        continue;
      if (!festival_voice_available(voice)) {
        if (progress)
          progress("festival voice " + voice + " is not installed (scripts/setup.sh): skipped");
        continue;
      }
      const std::vector<std::string>& sentences = eval_sentences(language);
      if (sentences.empty()) throw std::invalid_argument("no built-in sentences in " + language);
      SourceResult r;
      r.source = "festival " + language + " " + voice;
      r.by_synthesis = true;
      for (std::size_t i = 0; i < sentences.size(); ++i)
        for (double stretch : options.festival_stretches) {
          LabelledSpeech u = synthesize_festival(sentences[i], voice, stretch);
          char name[160];
          std::snprintf(name, sizeof name, "%s sentence %zu, festival %s, durations x%.2f",
                        language.c_str(), i + 1, voice.c_str(), stretch);
          u.name = name;
          if (progress) progress(u.name);
          run_synthesis_modes(language, options.model_dir, u, r,
                              &aligner_for(cross, language, options.model_dir),
                              sentences[(i + 1) % sentences.size()], &checks, out.size());
        }
      out.push_back(std::move(r));
    }
  if (options.festival && festival_available()) {
    const std::vector<std::string>& sentences =
        options.sentences.empty() ? eval_sentences() : options.sentences;
    for (const std::string& voice : options.festival_voices) {
      if (!festival_voice_available(voice)) {
        if (progress)
          progress("festival voice " + voice + " is not installed (scripts/setup.sh): skipped");
        continue;
      }
      SourceResult r, rs;
      r.source = "festival " + voice;
      rs.source = "festival " + voice + " (by synthesis, en-us)";
      rs.by_synthesis = true;
      for (std::size_t i = 0; i < sentences.size(); ++i)
        for (double stretch : options.festival_stretches) {
          LabelledSpeech u = synthesize_festival(sentences[i], voice, stretch);
          char name[128];
          std::snprintf(name, sizeof name, "sentence %zu, festival %s, durations x%.2f", i + 1,
                        voice.c_str(), stretch);
          u.name = name;
          if (progress) progress(u.name);
          run_modes(aligner, so, u, r);
          if (options.synthesis_english) run_synthesis_modes("en-us", options.model_dir, u, rs);
        }
      out.push_back(std::move(r));
      if (options.synthesis_english) out.push_back(std::move(rs));
    }
  } else if (options.festival && progress) {
    progress(
        "festival is not installed (Debian: festival and its voices, scripts/setup.sh): source "
        "skipped");
  }
  if (!options.real_dir.empty()) {
    SourceResult r, rs;
    r.source = "real (" + options.real_dir + ")";
    rs.source = "real (by synthesis, en-us)";
    rs.by_synthesis = true;
    std::vector<std::filesystem::path> stems;
    for (const auto& e : std::filesystem::directory_iterator(options.real_dir)) {
      const std::string name = e.path().filename().string();
      const std::string suffix = ".phone.json";
      if (name.size() > suffix.size() && name.ends_with(suffix))
        stems.push_back(e.path().parent_path() / name.substr(0, name.size() - suffix.size()));
    }
    std::sort(stems.begin(), stems.end());
    for (const auto& stem : stems) {
      LabelledSpeech u;
      u.source = "real";
      u.name = stem.filename().string();
      const std::string phones = stem.string() + ".phone.json";
      u.audio = read_audio(stem.string() + ".wav");
      u.transcript = read_file(stem.string() + ".txt");
      u.truth = parse_phone_alignment_json(read_file(phones), phones);
      if (progress) progress(u.name);
      run_modes(aligner, so, u, r);
      if (options.synthesis_english) run_synthesis_modes("en-us", options.model_dir, u, rs);
    }
    out.push_back(std::move(r));
    if (options.synthesis_english) out.push_back(std::move(rs));
  }
  for (WrongTranscript& c : checks) {
    if (progress) progress(c.name);
    SourceResult& r = out[c.source];
    ++r.wrong_transcripts;
    const Alignment w = c.aligner->align(c.audio, c.transcript, c.name);
    r.wrong_detected += w.method == AlignmentMethod::RecognitionFallback ? 1 : 0;
  }
  return out;
}

std::string speech_eval_json(const std::vector<SourceResult>& results,
                             const SpeechEvalOptions& options) {
  using nlohmann::json;
  auto mode = [](const ModeResult& m, bool live) {
    json j{{"lip_class_frame_accuracy", m.accuracy()},
           {"frames", m.scores.frames},
           {"bilabial_recall_40ms", m.bilabial_recall()},
           {"bilabials", m.scores.bilabials},
           {"boundary_error_ms",
            {{"median", m.boundary_percentile(0.5)}, {"p90", m.boundary_percentile(0.9)}}},
           {"cpu_real_time_factor", m.audio_seconds > 0 ? m.cpu_seconds / m.audio_seconds : 0}};
    if (live) j["max_latency_ms"] = m.max_latency * 1000;
    return j;
  };
  json sources = json::array();
  for (const SourceResult& r : results)
    if (r.by_synthesis) {
      json j{{"source", r.source},
             {"utterances", r.utterances},
             {"audio_seconds", r.audio_seconds},
             {"with_transcript_by_synthesis", mode(r.transcript, false)},
             {"without_transcript_phone_recogniser", mode(r.recognition, false)}};
      if (r.acoustic.scores.frames > 0) {
        j["with_transcript_cross_language"] = mode(r.acoustic, false);
        j["with_transcript_cross_language"]["transcript_check"] = {
            {"right_kept", r.transcripts_kept},
            {"right", r.utterances},
            {"wrong_detected", r.wrong_detected},
            {"wrong", r.wrong_transcripts}};
      }
      sources.push_back(std::move(j));
    } else
      sources.push_back({{"source", r.source},
                         {"utterances", r.utterances},
                         {"audio_seconds", r.audio_seconds},
                         {"with_transcript", mode(r.transcript, false)},
                         {"without_transcript", mode(r.recognition, false)},
                         {"live", mode(r.live, true)}});
  json j{{"format", "semblend.speech_eval"},
         {"version", 1},
         {"voices", options.voices},
         {"rates_wpm", options.rates},
         {"festival_voices", options.festival_voices},
         {"festival_duration_stretches", options.festival_stretches},
         {"sentences", options.sentences.empty() ? eval_sentences() : options.sentences},
         {"sources", sources}};
  return j.dump(2) + "\n";
}

}  // namespace semblend
