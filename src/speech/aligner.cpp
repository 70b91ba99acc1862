// Forced alignment and recognition with pocketsphinx 5prealpha (with phone_loop.cpp, the only
// files that include it).
//
// 5prealpha has no alignment API in its installed headers, so alignment is a phone-level finite
// state grammar: every ARPAbet phone is a dictionary word of its own ("AA" -> AA, "SIL_" -> SIL),
// each transcript word is a chain of its phones (alternate pronunciations in parallel), with an
// optional SIL_ between words (prior `pause_probability`) and at both ends (free). Decoded without
// pruning (-beam 0 -pbeam 0 -wbeam 0) the grammar's only freedom is where each phone starts.
// Pitfalls (each measured): the default -remove_silence yes shifts all times; digital silence
// breaks alignment without dither; segment end frames are inclusive; pruning can drop the only path
// (then: recognition).
#include "semblend/aligner.h"

#include <pocketsphinx.h>
#include <sphinxbase/err.h>
#include <sphinxbase/fsg_model.h>
#include <sphinxbase/genrand.h>
#include <sphinxbase/logmath.h>

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>

#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/speech_synthesis.h"
#include "speech/common.h"
#include "speech/pronunciation.h"
#include "speech/sphinx.h"

#ifndef SEMBLEND_POCKETSPHINX_MODEL_DIR
#define SEMBLEND_POCKETSPHINX_MODEL_DIR "/usr/share/pocketsphinx/model/en-us"
#endif

namespace semblend {
namespace {

using speech::minimal_automaton;
using speech::PhoneAutomaton;
using speech::Pronunciation;
constexpr int kRate = 16000, kFrameSamples = 160;  // 100 frames per second
constexpr double kFrame = 0.01;
constexpr double kCommitGuard = 5;  // seconds kept back at the end of an open-ended piece
// Words of context on either side of a stretch the transcript fits badly, for its recognition
// (measured, docs/speech.md: 2 beat 1 on LibriVox utterances with words left out or added).
constexpr int kRepairContextWords = 2;

}  // namespace

namespace speech {  // shared with phone_loop.cpp (speech/sphinx.h)

// sphinxbase's log sink and dither generator are process-wide: one decoder call at a time.
std::mutex& sphinx_mutex() {
  static std::mutex m;
  return m;
}
std::string& last_sphinx_error() {
  static std::string e;
  return e;
}
void sphinx_log(void*, err_lvl_t level, const char* fmt, ...) {
  if (level < ERR_ERROR || fmt == nullptr) return;
  char buf[512];
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(buf, sizeof buf, fmt, args);
  va_end(args);
  std::string& e = last_sphinx_error();
  e = buf;
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
}

}  // namespace speech

namespace {

using speech::last_sphinx_error;
using speech::peak_rms;
using speech::sphinx_log;
using speech::sphinx_mutex;
using speech::thread_cpu_seconds;
using speech::to_int16;

struct DecoderDeleter {
  void operator()(ps_decoder_t* ps) const { ps_free(ps); }
};
using Decoder = std::unique_ptr<ps_decoder_t, DecoderDeleter>;

void require_file(const std::string& path, const char* what) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    throw IoError(
        IoError::Op::Read, path,
        std::string(what) + " not found (install pocketsphinx-en-us or set the model folder)");
}

Decoder make_decoder(std::vector<std::string> args, const std::string& model_name) {
  args.insert(args.end(), {"-remove_silence", "no", "-dither", "yes", "-seed", "1"});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  last_sphinx_error().clear();
  cmd_ln_t* config =
      cmd_ln_parse_r(nullptr, ps_args(), static_cast<int32>(argv.size()), argv.data(), TRUE);
  if (config == nullptr)
    throw std::runtime_error("pocketsphinx refused its configuration: " + last_sphinx_error());
  Decoder ps(ps_init(config));
  cmd_ln_free_r(config);
  if (!ps)
    throw InputError(model_name, 0, 0, "pocketsphinx cannot load it: " + last_sphinx_error());
  return ps;
}

struct Segment {
  Phoneme phoneme;
  int sf, ef;         // frames, inclusive
  int word = -1;      // index into the piece's words; -1 for silence
  double start = -1;  // seconds from the piece's start, finer than sf when refined (< 0: sf)
  double score = 0;   // acoustic log-likelihood (natural log)
};

// A word's prior probabilities of being said and of being left out (skip 0: it is said).
struct WordPrior {
  double say = 1, skip = 0;
};

struct Decoded {
  bool ok = false;
  std::vector<Segment> segments;
  double score = 0;  // natural log
  int frames = 0;
};

// One utterance through the decoder's current search.
bool run_utterance(ps_decoder_t* ps, std::span<const int16> pcm) {
  // -dither yes -seed 1 seeds sphinxbase's (global) generator once, at ps_init; seeding it again
  // per utterance makes every call's dither, hence its result, the same.
  genrand_seed(1);
  if (ps_start_stream(ps) < 0 || ps_start_utt(ps) < 0) return false;
  if (!pcm.empty() && ps_process_raw(ps, pcm.data(), pcm.size(), FALSE, TRUE) < 0) {
    ps_end_utt(ps);
    return false;
  }
  return ps_end_utt(ps) >= 0;
}

// Assigns each non-silent segment the index of the word it belongs to: the phone sequence is a
// concatenation of one pronunciation per word (the grammar allows nothing else). A pause inside a
// word of several ("five <pause> oh five" for "5:05") is that word's too.
bool label_words(std::vector<Segment>& segs,
                 const std::vector<std::vector<Pronunciation>>& with_pauses, std::size_t max_words,
                 const std::vector<bool>* skippable = nullptr) {
  std::vector<std::vector<Pronunciation>> prons = with_pauses;  // without the optional pauses
  for (auto& word : prons)
    for (Pronunciation& p : word) std::erase(p, Phoneme::SIL);
  std::vector<std::size_t> idx;  // positions of the non-silent segments
  for (std::size_t i = 0; i < segs.size(); ++i)
    if (segs[i].phoneme != Phoneme::SIL) idx.push_back(i);
  // reach[w][k]: words 0..w-1 can produce phones 0..k-1; choice remembers the pronunciation.
  const std::size_t n = idx.size(), words = std::min(max_words, prons.size());
  std::vector<std::vector<int>> from(words + 1, std::vector<int>(n + 1, -2));
  from[0][0] = -1;
  for (std::size_t w = 0; w < words; ++w)
    for (std::size_t k = 0; k <= n; ++k) {
      if (from[w][k] == -2) continue;
      for (const Pronunciation& p : prons[w]) {
        if (k + p.size() > n) continue;
        bool same = true;
        for (std::size_t j = 0; j < p.size() && same; ++j) same = segs[idx[k + j]].phoneme == p[j];
        if (same && from[w + 1][k + p.size()] == -2)
          from[w + 1][k + p.size()] = static_cast<int>(k);
      }
      if (skippable != nullptr && (*skippable)[w] && from[w + 1][k] == -2)
        from[w + 1][k] = static_cast<int>(k);  // a word left out
    }
  // The last w (open-ended pieces stop early) that explains every phone.
  for (std::size_t w = words + 1; w-- > 0;) {
    if (from[w][n] == -2) continue;
    for (std::size_t k = n; w > 0; --w) {
      const auto start = static_cast<std::size_t>(from[w][k]);
      for (std::size_t j = start; j < k; ++j) segs[idx[j]].word = static_cast<int>(w - 1);
      k = start;
    }
    for (std::size_t j = 1; j < n; ++j)
      if (segs[idx[j]].word == segs[idx[j - 1]].word)
        for (std::size_t i = idx[j - 1] + 1; i < idx[j]; ++i) segs[i].word = segs[idx[j]].word;
    return true;
  }
  return false;
}

}  // namespace

const char* alignment_method_name(AlignmentMethod m) {
  switch (m) {
    case AlignmentMethod::Silence:
      return "silence";
    case AlignmentMethod::Transcript:
      return "transcript";
    case AlignmentMethod::Recognition:
      return "recognition";
    case AlignmentMethod::RecognitionFallback:
      return "recognition (transcript did not match)";
    case AlignmentMethod::Synthesis:
      return "transcript aligned to espeak-ng's reading";
    case AlignmentMethod::PhoneLoop:
      return "phone recogniser (no transcript)";
  }
  return "?";
}

bool english_language(const std::string& language) {
  const std::string base = speech::language_base(language);
  return base == "en" || base.starts_with("en-");
}

std::string default_pocketsphinx_model_dir() {
  if (const char* env = std::getenv("SEMBLEND_POCKETSPHINX_MODEL"); env && *env) return env;
  return SEMBLEND_POCKETSPHINX_MODEL_DIR;
}

struct Aligner::Impl {
  AlignerOptions options;
  bool english = true;  // english_language(options.language)
  std::string hmm, dict_path, lm_path;
  speech::Dictionary dictionary;
  Decoder aligner;     // phone dictionary, FSG searches "align" and "loop"
  Decoder recognizer;  // cmudict + trigram LM, created on first use

  // path: decode exactly these segments' phones in order (sub-frame passes), ignoring prons.
  // priors: per word of prons, its say/skip priors (null: every word said).
  Decoded decode_fsg(std::span<const int16> pcm,
                     const std::vector<std::vector<Pronunciation>>& prons, bool open_end, bool loop,
                     const std::vector<Segment>* path = nullptr,
                     const std::vector<WordPrior>* priors = nullptr);
  void refine_starts(const std::vector<int16>& pcm, std::vector<Segment>& segments);
  // mismatch: the worst gap to the phone loop so far, updated; contrast (another language): the
  // least margin over the reversed transcript so far, updated.
  // misfits (with mismatch): the stretches, in seconds from the piece's start, where the
  // alignment fits far worse than the phone loop (local_misfits), appended.
  Decoded align_piece(const std::vector<int16>& pcm,
                      const std::vector<std::vector<Pronunciation>>& prons, bool open_end,
                      double* mismatch, double* contrast,
                      std::vector<std::pair<double, double>>* misfits = nullptr,
                      const std::vector<WordPrior>* priors = nullptr);
  std::vector<std::pair<double, double>> local_misfits(std::span<const int16> pcm,
                                                       const Decoded& aligned,
                                                       const Decoded& loop) const;
  // Each word's pronunciations, over all its readings; `kept` gets the words that have any.
  std::vector<std::vector<Pronunciation>> pronunciations(
      const std::vector<speech::SpokenWord>& words, std::vector<std::string>& kept,
      std::vector<WordPrior>& priors, std::vector<std::string>& warnings);
  // check: also measure the mismatch against the phone loop (transcripts, not recognised words).
  // False when there is no alignment; `unpronounceable` then says whether that is because no
  // word had a pronunciation.
  bool unpronounceable = false;
  // misfits: see align_piece, in seconds from the audio's start. score: the alignment's acoustic
  // log-likelihood, summed over its pieces.
  bool align_words(const Audio& audio, const std::vector<speech::SpokenWord>& words, Alignment& out,
                   bool check, std::vector<std::pair<double, double>>* misfits = nullptr,
                   double* score = nullptr);
  // The transcript's misfits recognised instead where the recognised words fit the audio better
  // (Alignment::repairs).
  void repair_misfits(const Audio& audio, std::vector<std::pair<double, double>> misfits,
                      const std::string& transcript_name, Alignment& out);
  void recognize_into(const Audio& audio, Alignment& out);
  // The transcript's words merged with what recognition heard (their longest common
  // subsequence): words both have are said; a transcript word recognition did not hear may be
  // left out (prior `unheard_word_prior`); a heard word the transcript lacks may be said (prior
  // `heard_word_prior`).
  std::vector<speech::SpokenWord> merge_heard(const std::vector<speech::SpokenWord>& transcript,
                                              const std::vector<std::string>& heard) const;
};

Aligner::Aligner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Aligner::Aligner(Aligner&&) noexcept = default;
Aligner& Aligner::operator=(Aligner&&) noexcept = default;
Aligner::~Aligner() {
  if (!impl_) return;
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  impl_.reset();
}

Aligner Aligner::create(const AlignerOptions& options) {
  if (!(options.max_chunk_seconds >= 10))
    throw std::invalid_argument("max_chunk_seconds must be at least 10");
  if (!(options.pause_probability > 0 && options.pause_probability <= 1))
    throw std::invalid_argument("pause_probability must be in (0, 1]");
  if (options.subframe_passes < 1 || options.subframe_passes > 16)
    throw std::invalid_argument("subframe_passes must be 1 to 16");
  if (!(std::abs(options.boundary_shift) <= 0.01))
    throw std::invalid_argument("boundary_shift must lie within ±0.01 s");
  if (!(options.local_window >= 0.05 && options.local_window <= 5))
    throw std::invalid_argument("local_window must be 0.05 to 5 s");
  if (!(options.local_mismatch > 0)) throw std::invalid_argument("local_mismatch must be positive");
  for (double p : {options.heard_word_prior, options.unheard_word_prior})
    if (!(p >= 1e-38 && p <= 1))  // a float's range: pocketsphinx takes them as floats
      throw std::invalid_argument("heard_word_prior and unheard_word_prior must be 1e-38 to 1");
  if (!std::isfinite(options.repair_gain))
    throw std::invalid_argument("repair_gain must be finite");
  if (!(options.recognition_language_weight >= 1 && options.recognition_language_weight <= 20))
    throw std::invalid_argument("recognition_language_weight must be 1 to 20");
  if (!english_language(options.language) && !espeak_has_voice(options.language))
    throw std::invalid_argument("espeak-ng has no voice \"" + options.language +
                                "\" (a language such as de, fr, es, it, pt, pl, nl, ru)");
  auto impl = std::make_unique<Impl>();
  impl->options = options;
  impl->english = english_language(options.language);
  const std::string dir =
      options.model_dir.empty() ? default_pocketsphinx_model_dir() : options.model_dir;
  impl->hmm = options.acoustic_model.empty() ? dir + "/en-us" : options.acoustic_model;
  impl->dict_path = options.dictionary.empty() ? dir + "/cmudict-en-us.dict" : options.dictionary;
  impl->lm_path = options.language_model.empty() ? dir + "/en-us.lm.bin" : options.language_model;
  require_file(impl->hmm + "/mdef", "pocketsphinx acoustic model");
  require_file(impl->dict_path, "pronunciation dictionary");
  impl->dictionary = speech::Dictionary::load(impl->dict_path);
  std::lock_guard<std::mutex> lock(sphinx_mutex());
  err_set_logfp(nullptr);
  err_set_callback(sphinx_log, nullptr);
  // The phone dictionary is built in memory: an empty -dict, then one word per phone.
  impl->aligner = make_decoder({"-hmm", impl->hmm, "-fsgusefiller", "no", "-beam", "0", "-pbeam",
                                "0", "-wbeam", "0", "-maxhmmpf", "-1", "-maxwpf", "-1"},
                               impl->hmm + "/mdef");
  for (const PhonemeInfo& p : kPhonemes) {
    const std::string word = p.phoneme == Phoneme::SIL ? "SIL_" : std::string(p.arpabet);
    if (ps_add_word(impl->aligner.get(), word.c_str(), std::string(p.arpabet).c_str(), FALSE) < 0)
      throw InputError(impl->hmm + "/mdef", 0, 0,
                       "the acoustic model has no phone " + std::string(p.arpabet));
  }
  return Aligner(std::move(impl));
}

namespace {

// A dictionary word without its alternate-pronunciation suffix ("was(2)" -> "was").
std::string base_word(const char* w) {
  std::string s = w ? w : "";
  if (const auto paren = s.find('('); paren != std::string::npos && paren > 0) s.resize(paren);
  return s;
}

// Another language's vowels sit between English ones (Italian a between AE and AA, e between EH
// and EY): each vowel may also be read as its English neighbour with the same lip class, so the
// English models place its boundaries where it sounds most like one. The lip classes (hence the
// mouth) stay the mapped phones'.
constexpr std::size_t kMaxSoundAlike = 64;  // a word of six such vowels has them all
std::vector<Pronunciation> sound_alike_variants(const Pronunciation& p, std::size_t max) {
  auto alike = [](Phoneme ph) -> std::optional<Phoneme> {
    switch (ph) {
      case Phoneme::AE:
        return Phoneme::AA;
      case Phoneme::AA:
        return Phoneme::AE;
      case Phoneme::EH:
        return Phoneme::EY;
      case Phoneme::EY:
        return Phoneme::EH;
      case Phoneme::OW:
        return Phoneme::AO;
      case Phoneme::AO:
        return Phoneme::OW;
      case Phoneme::IY:
        return Phoneme::IH;
      case Phoneme::UW:
        return Phoneme::UH;
      default:
        return std::nullopt;
    }
  };
  std::vector<Pronunciation> out{{}};
  for (Phoneme ph : p) {
    const std::optional<Phoneme> other = alike(ph);
    const std::size_t n = out.size();
    for (std::size_t i = 0; i < n; ++i) {
      if (other && out.size() < max) {
        out.push_back(out[i]);
        out.back().push_back(*other);
      }
      out[i].push_back(ph);
    }
  }
  return out;
}

bool is_filler(const std::string& w) {
  return w.empty() || w[0] == '<' || w[0] == '[' || w[0] == '+';
}

// The quietest 10 ms frame in [from, to) samples, as a sample index on a frame boundary.
std::size_t quietest_cut(const std::vector<float>& x, std::size_t from, std::size_t to) {
  std::size_t best = to;
  double energy = INFINITY;
  for (std::size_t i = from; i + kFrameSamples <= std::min(to, x.size()); i += kFrameSamples) {
    double e = 0;
    for (std::size_t k = i; k < i + kFrameSamples; ++k) e += static_cast<double>(x[k]) * x[k];
    if (e < energy) {
      energy = e;
      best = i;
    }
  }
  return best;
}

}  // namespace

Decoded Aligner::Impl::decode_fsg(std::span<const int16> pcm,
                                  const std::vector<std::vector<Pronunciation>>& prons,
                                  bool open_end, bool loop, const std::vector<Segment>* path,
                                  const std::vector<WordPrior>* priors) {
  ps_decoder_t* ps = aligner.get();
  struct Arc {
    int from, to;
    int phone;       // index into kPhonemes; -1 = null transition
    float prob = 1;  // the transition's prior probability (1: free)
  };
  std::vector<Arc> arcs;
  int states = 1;
  auto state = [&] { return states++; };
  auto sil = static_cast<int>(Phoneme::SIL);
  int final_state = 0;
  if (path != nullptr) {
    for (const Segment& seg : *path) {
      const int to = state();
      arcs.push_back({to - 1, to, static_cast<int>(seg.phoneme)});
    }
    final_state = states - 1;
  } else if (loop) {
    final_state = state();
    for (std::size_t p = 0; p < kPhonemeCount; ++p)
      arcs.push_back({0, final_state, static_cast<int>(p)});
    arcs.push_back({final_state, 0, -1});
  } else {
    std::vector<Arc> to_final;  // arcs into the final state, added once it exists
    int cur = state();
    arcs.push_back({0, cur, sil});
    arcs.push_back({0, cur, -1});
    if (open_end) to_final.push_back({cur, -1, -1});
    for (std::size_t w = 0; w < prons.size(); ++w) {
      const int end = state();
      const PhoneAutomaton word = minimal_automaton(prons[w]);
      std::vector<int> at(word.nodes.size(), -1);  // each node's grammar state
      // A word's priors: skipping it is a null arc, saying it weighs its first phones.
      const float say = priors != nullptr ? static_cast<float>((*priors)[w].say) : 1.0f;
      if (priors != nullptr && (*priors)[w].skip > 0)
        arcs.push_back({cur, end, -1, static_cast<float>((*priors)[w].skip)});
      at[static_cast<std::size_t>(word.root)] = cur;
      auto state_of = [&](int n) {
        int& s = at[static_cast<std::size_t>(n)];
        if (s < 0) s = word.nodes[static_cast<std::size_t>(n)].next.empty() ? end : state();
        return s;
      };
      for (std::size_t n = 0; n < word.nodes.size(); ++n) {
        const PhoneAutomaton::Node& node = word.nodes[n];
        const int from = state_of(static_cast<int>(n));
        for (const auto& [ph, child] : node.next) {
          const int to = state_of(child);
          if (ph == Phoneme::SIL) {  // between the words of a reading: a pause, or none
            arcs.push_back({from, to, sil, static_cast<float>(options.pause_probability)});
            arcs.push_back({from, to, -1});
          } else {
            arcs.push_back({from, to, static_cast<int>(ph),
                            n == static_cast<std::size_t>(word.root) ? say : 1});
          }
        }
        if (node.accept && !node.next.empty()) arcs.push_back({from, end, -1});
      }
      if (w + 1 < prons.size()) {
        const int next = state();
        arcs.push_back({end, next, sil, static_cast<float>(options.pause_probability)});
        arcs.push_back({end, next, -1});
        cur = next;
        if (open_end) to_final.push_back({next, -1, -1});
      } else {
        cur = end;
      }
    }
    final_state = state();
    arcs.push_back({cur, final_state, sil});
    arcs.push_back({cur, final_state, -1});
    for (Arc a : to_final) arcs.push_back({a.from, final_state, -1});
  }
  const char* name = path != nullptr ? "path" : loop ? "loop" : "align";
  // The alignment is searched without pruning (its one path must survive); the phone loop, only a
  // yardstick for the mismatch check, with pocketsphinx's default beams (12x cheaper).
  cmd_ln_t* config = ps_get_config(ps);
  for (const char* beam : {"-beam", "-pbeam", "-wbeam"})
    cmd_ln_set_float_r(config, beam, loop ? 1e-48 : 0.0);
  fsg_model_t* fsg = fsg_model_init(name, ps_get_logmath(ps), 1.0f, states);
  fsg->start_state = 0;
  fsg->final_state = final_state;
  std::array<int32, kPhonemeCount> wid{};
  for (const PhonemeInfo& p : kPhonemes)
    wid[static_cast<std::size_t>(p.phoneme)] = fsg_model_word_add(
        fsg, p.phoneme == Phoneme::SIL ? "SIL_" : std::string(p.arpabet).c_str());
  for (const Arc& a : arcs) {
    const int logp = a.prob >= 1 ? 0 : logmath_log(ps_get_logmath(ps), a.prob);
    if (a.phone < 0)
      fsg_model_null_trans_add(fsg, a.from, a.to, logp);
    else
      fsg_model_trans_add(fsg, a.from, a.to, logp, wid[static_cast<std::size_t>(a.phone)]);
  }
  const int set = ps_set_fsg(ps, name, fsg);
  fsg_model_free(fsg);
  if (set < 0 || ps_set_search(ps, name) < 0)
    throw std::runtime_error("pocketsphinx refused the alignment grammar: " + last_sphinx_error());
  Decoded d;
  if (!run_utterance(ps, pcm)) return d;
  d.frames = ps_get_n_frames(ps);
  int32 score = 0;
  if (ps_get_hyp(ps, &score) == nullptr) return d;
  int64_t acoustic = 0;  // the path's acoustic score: what the mismatch check compares
  for (ps_seg_t* s = ps_seg_iter(ps); s != nullptr; s = ps_seg_next(s)) {
    const std::string w = ps_seg_word(s);
    int sf = 0, ef = 0;
    ps_seg_frames(s, &sf, &ef);
    int32 ascr = 0, lscr = 0, lback = 0;
    ps_seg_prob(s, &ascr, &lscr, &lback);
    acoustic += ascr;
    if (ef < sf) continue;
    const double ln = logmath_log_to_ln(ps_get_logmath(ps), ascr) * 1024.0;
    if (w == "SIL_") {
      d.segments.push_back({Phoneme::SIL, sf, ef, -1, -1, ln});
    } else if (auto p = phoneme_from_arpabet(w); p) {
      d.segments.push_back({*p, sf, ef, -1, -1, ln});
    }
  }
  // sphinx keeps acoustic scores in its log base shifted right by 10 bits (SENSCR_SHIFT).
  d.score = logmath_log_to_ln(ps_get_logmath(ps),
                              static_cast<int>(std::max<int64_t>(acoustic, INT32_MIN))) *
            1024.0;
  d.ok = !d.segments.empty();
  return d;
}

// Sub-frame boundaries: the decoder's frames are 10 ms apart, so each start it finds is a whole
// frame, and where a boundary falls within its frame is lost. The chosen phone path is decoded
// again on the audio started k/N of a frame later (k = 1 .. N-1; only the times are searched) and
// each start is the mean over the N passes, in seconds. A pass that fails or finds a different
// number of segments is left out.
void Aligner::Impl::refine_starts(const std::vector<int16>& pcm, std::vector<Segment>& segments) {
  const int passes = options.subframe_passes;
  std::vector<double> sum(segments.size(), 0.0);
  for (std::size_t i = 0; i < segments.size(); ++i) sum[i] = segments[i].sf * kFrame;
  int used = 1;
  for (int k = 1; k < passes; ++k) {
    const std::size_t shift = static_cast<std::size_t>(k * kFrameSamples / passes);
    if (pcm.size() <= shift + kFrameSamples) break;
    const Decoded d =
        decode_fsg(std::span<const int16>(pcm).subspan(shift), {}, false, false, &segments);
    if (!d.ok || d.segments.size() != segments.size()) continue;
    for (std::size_t i = 0; i < segments.size(); ++i)
      sum[i] += d.segments[i].sf * kFrame + static_cast<double>(shift) / kRate;
    ++used;
  }
  for (std::size_t i = 0; i < segments.size(); ++i)
    segments[i].start = i == 0 ? segments[i].sf * kFrame : sum[i] / used + options.boundary_shift;
}

// Where an alignment fits the audio far worse than the phone loop: the stretches covered by
// windows of `local_window` seconds whose acoustic log-likelihood per frame lies more than
// `local_mismatch` below the loop's (each segment's score spread evenly over its frames), merged,
// in seconds from the decode's start. Silent frames (RMS below `silence_rms`) count as fitting:
// what a transcript lacks is speech, while a synthesiser's digitally silent stop closures fit a
// free phone loop's noise far better than the stop (espeak-ng's voices, measured).
std::vector<std::pair<double, double>> Aligner::Impl::local_misfits(std::span<const int16> pcm,
                                                                    const Decoded& aligned,
                                                                    const Decoded& loop) const {
  const int n = aligned.frames;
  const int w = std::max(1, static_cast<int>(std::lround(options.local_window / kFrame)));
  std::vector<std::pair<double, double>> out;
  if (n < w) return out;
  auto per_frame = [n](const Decoded& d) {  // each segment's score spread over its frames
    std::vector<double> f(static_cast<std::size_t>(n), 0.0);
    for (const Segment& s : d.segments)
      for (int k = std::max(0, s.sf); k <= std::min(s.ef, n - 1); ++k)
        f[static_cast<std::size_t>(k)] = s.score / (s.ef - s.sf + 1);
    return f;
  };
  const std::vector<double> a = per_frame(aligned), b = per_frame(loop);
  const double quiet = options.silence_rms * 32768.0;
  std::vector<double> g(static_cast<std::size_t>(n) + 1, 0.0);  // cumulative gap
  for (std::size_t k = 0; k < static_cast<std::size_t>(n); ++k) {
    double e = 0;
    const std::size_t s0 = k * kFrameSamples, s1 = std::min(pcm.size(), s0 + kFrameSamples);
    for (std::size_t i = s0; i < s1; ++i) e += static_cast<double>(pcm[i]) * pcm[i];
    const bool silent = std::sqrt(e / kFrameSamples) < quiet;
    g[k + 1] = g[k] + (silent ? 0.0 : b[k] - a[k]);
  }
  for (int k = 0; k + w <= n; ++k) {
    if (g[static_cast<std::size_t>(k + w)] - g[static_cast<std::size_t>(k)] <=
        options.local_mismatch * w)
      continue;
    const double from = k * kFrame, to = (k + w) * kFrame;
    if (!out.empty() && from <= out.back().second)
      out.back().second = to;
    else
      out.emplace_back(from, to);
  }
  return out;
}

Decoded Aligner::Impl::align_piece(const std::vector<int16>& pcm,
                                   const std::vector<std::vector<Pronunciation>>& prons,
                                   bool open_end, double* mismatch, double* contrast,
                                   std::vector<std::pair<double, double>>* misfits,
                                   const std::vector<WordPrior>* priors) {
  Decoded d = decode_fsg(pcm, prons, open_end, false, nullptr, priors);
  std::vector<bool> skippable;
  if (priors != nullptr)
    for (const WordPrior& p : *priors) skippable.push_back(p.skip > 0);
  if (!d.ok ||
      !label_words(d.segments, prons, prons.size(), priors != nullptr ? &skippable : nullptr))
    return Decoded{};
  refine_starts(pcm, d.segments);
  if (mismatch == nullptr) return d;
  const Decoded free = decode_fsg(pcm, {}, false, true);
  if (free.ok && d.frames > 0)
    *mismatch = std::max(*mismatch, (free.score - d.score) / static_cast<double>(d.frames));
  if (free.ok && misfits != nullptr)
    for (const auto& m : local_misfits(pcm, d, free)) misfits->push_back(m);
  if (contrast != nullptr && d.frames > 0) {
    // The control: every word's pronunciations reversed, the words in reverse order. The same
    // phones, so the same fit of a foreign language's phones to the English model, in an order
    // the audio does not have. A reversal with no path through the audio is as far from it as
    // can be.
    std::vector<std::vector<Pronunciation>> reversed(prons.rbegin(), prons.rend());
    for (std::vector<Pronunciation>& word : reversed)
      for (Pronunciation& p : word) std::reverse(p.begin(), p.end());
    const Decoded control = decode_fsg(pcm, reversed, open_end, false);
    if (control.ok)
      *contrast = std::min(*contrast, (d.score - control.score) / static_cast<double>(d.frames));
  }
  return d;
}

std::vector<std::vector<Pronunciation>> Aligner::Impl::pronunciations(
    const std::vector<speech::SpokenWord>& words, std::vector<std::string>& kept,
    std::vector<WordPrior>& priors, std::vector<std::string>& warnings) {
  // One dictionary word's pronunciations, espeak-ng's when it has none (said in a warning, once,
  // except for numbers).
  std::map<std::string, std::vector<Pronunciation>> asked;
  std::string unmapped_ipa;  // another language's symbols without a mouth shape, said once
  std::string spelt_words;   // another language's words espeak-ng could only name in English
  // Another language: every word is espeak-ng's, in the transcript's language, asked all at once
  // (one change of voice; see espeak_pronunciations), with its sound-alike variants.
  if (!english) {
    std::vector<std::string> distinct;
    for (const speech::SpokenWord& sw : words)
      if (std::find(distinct.begin(), distinct.end(), sw.text) == distinct.end())
        distinct.push_back(sw.text);
    const std::vector<speech::EspeakWord> said =
        speech::espeak_pronunciations(distinct, options.language);
    for (std::size_t i = 0; i < distinct.size(); ++i) {
      const speech::EspeakWord& e = said[i];
      if (e.spelt) spelt_words += (spelt_words.empty() ? "\"" : ", \"") + distinct[i] + "\"";
      for (std::size_t k = 0; k < e.unmapped.size();) {  // one UTF-8 symbol at a time
        std::size_t n = 1;
        while (k + n < e.unmapped.size() &&
               (static_cast<unsigned char>(e.unmapped[k + n]) & 0xC0) == 0x80)
          ++n;
        if (unmapped_ipa.find(e.unmapped.substr(k, n)) == std::string::npos)
          unmapped_ipa += e.unmapped.substr(k, n);
        k += n;
      }
      std::vector<Pronunciation>& p = asked[distinct[i]];
      if (!e.phones.empty()) p = sound_alike_variants(e.phones, kMaxSoundAlike);
    }
  }
  auto of_word = [&](const std::string& w) -> const std::vector<Pronunciation>& {
    if (const auto known = asked.find(w); known != asked.end()) return known->second;
    if (!english) return asked[w];  // asked above: none
    std::vector<Pronunciation>& p = asked[w] = dictionary.lookup(w);
    if (p.empty() && options.espeak) {
      std::string unmapped;
      Pronunciation e = speech::espeak_pronunciation(w, &unmapped);
      std::string phones;
      for (Phoneme ph : e) phones += (phones.empty() ? "" : " ") + std::string(info(ph).arpabet);
      if (!e.empty()) {
        // Numbers (and ordinals) are espeak-ng's to read; other words missing are worth a word.
        const bool numeric = w[0] >= '0' && w[0] <= '9';  // "21st", "4x4"
        if (!numeric || !unmapped.empty())
          warnings.push_back("\"" + w +
                             "\" is not in the pronunciation dictionary: espeak-ng says " + phones +
                             (unmapped.empty() ? "" : " (ignored IPA: " + unmapped + ")"));
        p.push_back(std::move(e));
      }
    }
    return p;
  };
  // Per word, over its readings' word combinations (a date's: ~100); the grammar shares their
  // common phones (minimal_automaton).
  constexpr std::size_t kMaxVariants = 512;
  std::vector<std::vector<Pronunciation>> out;
  for (const speech::SpokenWord& sw : words) {
    std::vector<Pronunciation> p;
    for (const std::string& reading :
         sw.readings.empty() ? std::vector<std::string>{sw.text} : sw.readings) {
      for (Pronunciation& v : speech::reading_pronunciations(reading, of_word, kMaxVariants))
        if (p.size() < kMaxVariants && std::find(p.begin(), p.end(), v) == p.end())
          p.push_back(std::move(v));
    }
    if (p.empty()) {
      warnings.push_back("\"" + sw.text + "\" has no pronunciation" +
                         (!english         ? " (espeak-ng's " + options.language + " says nothing)"
                          : options.espeak ? " (not in the dictionary, nothing from espeak-ng)"
                                           : " (not in the dictionary)") +
                         ": left out of the alignment");
      continue;
    }
    kept.push_back(sw.text);
    priors.push_back({sw.say, sw.skip});
    out.push_back(std::move(p));
  }
  if (!unmapped_ipa.empty())
    warnings.push_back("espeak-ng's " + options.language + " phonemes \"" + unmapped_ipa +
                       "\" have no mouth shape in the table: left out");
  if (!spelt_words.empty())
    warnings.push_back("espeak-ng (" + options.language + ") cannot read " + spelt_words +
                       " as written (it names or drops characters it cannot read, which is not "
                       "what is said): write them as espeak-ng reads " +
                       options.language + " (for ja: kana, not kanji)");
  return out;
}

bool Aligner::Impl::align_words(const Audio& audio, const std::vector<speech::SpokenWord>& words,
                                Alignment& out, bool check,
                                std::vector<std::pair<double, double>>* misfits, double* score) {
  if (score != nullptr) *score = 0;
  std::vector<std::string> kept;
  std::vector<WordPrior> priors;
  const auto prons = pronunciations(words, kept, priors, out.warnings);
  unpronounceable = prons.empty();
  if (prons.empty()) return false;
  const std::vector<float>& x = audio.samples;
  const auto max_piece = static_cast<std::size_t>(options.max_chunk_seconds * kRate);
  std::vector<TimedPhoneme> phones;
  std::size_t pos = 0, next_word = 0;
  while (pos < x.size()) {
    const bool last = x.size() - pos <= max_piece;
    const std::size_t end = last ? x.size() : pos + max_piece;
    const std::vector<std::vector<Pronunciation>> rest(prons.begin() + static_cast<long>(next_word),
                                                       prons.end());
    const std::vector<WordPrior> rest_priors(priors.begin() + static_cast<long>(next_word),
                                             priors.end());
    if (rest.empty()) break;
    std::vector<std::pair<double, double>> piece_misfits;
    const Decoded d =
        align_piece(to_int16(x.data() + pos, end - pos), rest, !last,
                    check ? &out.mismatch : nullptr, check && !english ? &out.contrast : nullptr,
                    check && misfits != nullptr ? &piece_misfits : nullptr, &rest_priors);
    if (!d.ok) return false;
    if (score != nullptr) *score += d.score;
    // Where this piece's result is kept up to: all of it when last; otherwise the middle of the
    // last pause (else the last word end) kCommitGuard seconds before the piece's end.
    int cut = d.segments.back().ef + 1;
    if (!last) {
      const int limit =
          static_cast<int>((static_cast<double>(end - pos) / kRate - kCommitGuard) / kFrame);
      int pause = -1, word_end = -1;
      for (std::size_t i = 0; i < d.segments.size(); ++i) {
        const Segment& s = d.segments[i];
        if (s.phoneme == Phoneme::SIL && s.word < 0 && i > 0 && (s.sf + s.ef + 1) / 2 <= limit)
          pause = (s.sf + s.ef + 1) / 2;
        if (s.word >= 0 && s.ef + 1 <= limit &&
            (i + 1 == d.segments.size() || d.segments[i + 1].word != s.word))
          word_end = s.ef + 1;
      }
      cut = pause > 0 ? pause : word_end > 0 ? word_end : limit;
    }
    int words_done = 0;
    const double t0 = static_cast<double>(pos) / kRate;
    auto start_of = [](const Segment& s) { return s.start >= 0 ? s.start : s.sf * kFrame; };
    for (std::size_t i = 0; i < d.segments.size(); ++i) {
      const Segment& s = d.segments[i];
      if (s.sf >= cut) break;
      TimedPhoneme p;
      p.phoneme = s.phoneme;
      p.start = t0 + start_of(s);
      const double next =
          i + 1 < d.segments.size() ? start_of(d.segments[i + 1]) : (s.ef + 1) * kFrame;
      p.end = t0 + std::min(next, cut * kFrame);
      if (s.word >= 0) {
        p.word = kept[next_word + static_cast<std::size_t>(s.word)];
        p.word_start = i == 0 || d.segments[i - 1].word != s.word;
        words_done = std::max(words_done, s.word + 1);
      }
      phones.push_back(std::move(p));
    }
    for (const auto& [from, to] : piece_misfits)  // the rest is the next piece's to judge
      if (from < cut * kFrame) misfits->emplace_back(t0 + from, t0 + std::min(to, cut * kFrame));
    next_word += static_cast<std::size_t>(words_done);
    for (std::size_t i = 0; i < static_cast<std::size_t>(words_done); ++i)
      out.words.push_back(kept[next_word - static_cast<std::size_t>(words_done) + i]);
    if (last) break;
    pos += static_cast<std::size_t>(cut) * kFrameSamples;
  }
  if (next_word < kept.size())
    out.warnings.push_back(std::to_string(kept.size() - next_word) +
                           " transcript words did not fit the audio");
  out.phonemes = std::move(phones);
  return true;
}

void Aligner::Impl::recognize_into(const Audio& audio, Alignment& out) {
  if (!recognizer) {
    require_file(lm_path, "language model");
    char lw[32];
    std::snprintf(lw, sizeof lw, "%g", options.recognition_language_weight);
    recognizer = make_decoder({"-hmm", hmm, "-lm", lm_path, "-dict", dict_path, "-fwdflat", "no",
                               "-bestpath", "no", "-maxhmmpf", "3000", "-maxwpf", "10", "-lw", lw},
                              lm_path);
  }
  const std::vector<float>& x = audio.samples;
  const auto max_piece = static_cast<std::size_t>(options.max_chunk_seconds * kRate);
  const auto guard = static_cast<std::size_t>(kCommitGuard * kRate);
  std::vector<TimedPhoneme> phones;
  out.words.clear();
  out.mismatch = 0;
  for (std::size_t pos = 0; pos < x.size();) {
    const std::size_t end = x.size() - pos <= max_piece
                                ? x.size()
                                : quietest_cut(x, pos + max_piece - guard, pos + max_piece);
    const std::size_t start = pos;
    const std::vector<int16> pcm = to_int16(x.data() + start, end - start);
    const double t0 = static_cast<double>(start) / kRate;
    pos = end;
    if (!run_utterance(recognizer.get(), pcm))
      throw std::runtime_error("pocketsphinx recognition failed: " + last_sphinx_error());
    struct Word {
      std::string text;
      int sf, ef;
    };
    std::vector<Word> heard;
    for (ps_seg_t* s = ps_seg_iter(recognizer.get()); s != nullptr; s = ps_seg_next(s)) {
      const std::string w = base_word(ps_seg_word(s));
      int sf = 0, ef = 0;
      ps_seg_frames(s, &sf, &ef);
      if (!is_filler(w)) heard.push_back({w, sf, ef});
    }
    if (heard.empty()) continue;  // silence or noise: the mouth rests
    std::vector<speech::SpokenWord> words;
    for (const Word& w : heard) words.push_back({w.text, {}});
    Alignment piece;
    Audio part;
    part.samples.assign(x.begin() + static_cast<long>(start), x.begin() + static_cast<long>(end));
    if (align_words(part, words, piece, false)) {
      for (TimedPhoneme& p : piece.phonemes) {
        p.start += t0;
        p.end += t0;
        phones.push_back(std::move(p));
      }
      out.words.insert(out.words.end(), piece.words.begin(), piece.words.end());
      continue;
    }
    // No path through the recognised words (rare): spread each word's phones over its time.
    for (const Word& w : heard) {
      const auto& prons = dictionary.lookup(w.text);
      if (prons.empty()) continue;
      const Pronunciation& pr = prons.front();
      const double a = t0 + w.sf * kFrame, b = t0 + (w.ef + 1) * kFrame;
      for (std::size_t k = 0; k < pr.size(); ++k)
        phones.push_back({pr[k],
                          a + (b - a) * static_cast<double>(k) / static_cast<double>(pr.size()),
                          a + (b - a) * static_cast<double>(k + 1) / static_cast<double>(pr.size()),
                          w.text, k == 0});
      out.words.push_back(w.text);
    }
    out.warnings.push_back("no alignment path through the recognised words at " +
                           std::to_string(t0) + " s: phones spread evenly over each word");
  }
  out.phonemes = std::move(phones);
}

namespace {

// The words phones [from, to) hold, space-separated.
std::string words_of(const std::vector<TimedPhoneme>& phones, std::size_t from, std::size_t to) {
  std::string s;
  for (std::size_t i = from; i < to; ++i)
    if (phones[i].word_start) s += (s.empty() ? "" : " ") + phones[i].word;
  return s;
}

std::string seconds_text(double t) {
  std::string s;
  formats::append_fixed(s, t, 2);
  return s;
}

}  // namespace

std::vector<speech::SpokenWord> Aligner::Impl::merge_heard(
    const std::vector<speech::SpokenWord>& transcript,
    const std::vector<std::string>& heard) const {
  const std::size_t n = transcript.size(), m = heard.size();
  // Edit distance over words, then the edits read back from the end.
  std::vector<std::vector<std::size_t>> cost(n + 1, std::vector<std::size_t>(m + 1, 0));
  for (std::size_t i = 0; i <= n; ++i) cost[i][0] = i;
  for (std::size_t j = 0; j <= m; ++j) cost[0][j] = j;
  for (std::size_t i = 1; i <= n; ++i)
    for (std::size_t j = 1; j <= m; ++j)
      cost[i][j] = transcript[i - 1].text == heard[j - 1]
                       ? cost[i - 1][j - 1]
                       : std::min(cost[i - 1][j], cost[i][j - 1]) + 1;
  // Read back from the end; between two words both have, the transcript's words (optional) come
  // before the heard ones (optional, and unlikely).
  std::vector<speech::SpokenWord> out, gap_heard;
  for (std::size_t i = n, j = m; i > 0 || j > 0;) {
    if (i > 0 && j > 0 && transcript[i - 1].text == heard[j - 1] &&
        cost[i][j] == cost[i - 1][j - 1]) {
      out.insert(out.end(), gap_heard.begin(), gap_heard.end());
      gap_heard.clear();
      out.push_back(transcript[i - 1]);
      --i, --j;
    } else if (j > 0 && (i == 0 || cost[i][j] == cost[i][j - 1] + 1)) {
      gap_heard.push_back({heard[j - 1], {}, options.heard_word_prior, 1});
      --j;
    } else {
      out.insert(out.end(), gap_heard.begin(), gap_heard.end());
      gap_heard.clear();
      out.push_back(transcript[i - 1]);
      out.back().skip = options.unheard_word_prior;
      --i;
    }
  }
  out.insert(out.end(), gap_heard.begin(), gap_heard.end());
  std::reverse(out.begin(), out.end());
  return out;
}

// A stretch where the transcript fits the audio far worse than free phones do is most often a
// transcript that lacks what is said there (a subtitle line left out, a word the writer missed)
// or says what is not. Each stretch is widened to whole words, kRepairContextWords more on either
// side (recognition needs context, and the neighbours of a gap are misplaced too); that audio is
// aligned to the transcript's words there, recognised, and aligned to the transcript's words
// merged with the recognised ones (merge_heard). Where the merged alignment scores more than
// `repair_gain` per 10 ms frame above the transcript's, it replaces it, and a warning names the
// stretch, the transcript's words and what was heard. Alignment::repairs lists every stretch.
void Aligner::Impl::repair_misfits(const Audio& audio,
                                   std::vector<std::pair<double, double>> misfits,
                                   const std::string& transcript_name, Alignment& out) {
  std::vector<TimedPhoneme>& ph = out.phonemes;
  if (ph.empty()) return;
  // Phone index ranges [first, last) of whole words around each misfit, kRepairContextWords more
  // on either side (past any pause), merged.
  const std::size_t n = ph.size();
  auto same_word = [&](std::size_t k) {  // phone k continues phone k - 1's word
    return !ph[k].word.empty() && !ph[k].word_start && ph[k].word == ph[k - 1].word;
  };
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  for (const auto& [from, to] : misfits) {
    std::size_t i = 0, j;
    while (i + 1 < n && ph[i].end <= from) ++i;
    for (j = i + 1; j < n && ph[j].start < to;) ++j;
    while (i > 0 && same_word(i)) --i;
    while (j < n && same_word(j)) ++j;
    for (int more = 0; more < kRepairContextWords; ++more) {
      while (i > 0 && ph[i - 1].word.empty()) --i;
      if (i > 0)
        for (--i; i > 0 && same_word(i);) --i;
      while (j < n && ph[j].word.empty()) ++j;
      if (j < n)
        for (++j; j < n && same_word(j);) ++j;
    }
    if (!spans.empty() && i <= spans.back().second)
      spans.back().second = std::max(spans.back().second, j);
    else
      spans.emplace_back(i, j);
  }
  std::vector<TimedPhoneme> result;
  std::size_t done = 0;
  for (const auto& [i, j] : spans) {
    result.insert(result.end(), ph.begin() + static_cast<long>(done),
                  ph.begin() + static_cast<long>(i));
    done = j;
    const double a = ph[i].start, b = ph[j - 1].end;
    const auto s0 = static_cast<std::size_t>(std::lround(a * kRate));
    const auto s1 =
        std::min(audio.samples.size(), static_cast<std::size_t>(std::lround(b * kRate)));
    const std::string said = words_of(ph, i, j);
    const std::string where = transcript_name + ": " + seconds_text(a) + "-" + seconds_text(b) +
                              " s fits the transcript (\"" + said +
                              "\") badly; recognition heard \"";
    Audio part;
    part.sample_rate = kRate;
    part.samples.assign(audio.samples.begin() + static_cast<long>(s0),
                        audio.samples.begin() + static_cast<long>(s1));
    Alignment scripted, recognised, heard;
    double scripted_score = -INFINITY, heard_score = -INFINITY;
    const std::vector<speech::SpokenWord> words = speech::spoken_words(said, transcript_name);
    if (words.empty() || !align_words(part, words, scripted, false, nullptr, &scripted_score))
      scripted_score = -INFINITY;
    recognize_into(part, recognised);
    const std::vector<speech::SpokenWord> merged = merge_heard(words, recognised.words);
    if (!align_words(part, merged, heard, false, nullptr, &heard_score)) heard_score = -INFINITY;
    const double frames = static_cast<double>(s1 - s0) / kFrameSamples;
    const double gain = (heard_score - scripted_score) / std::max(1.0, frames);
    AlignmentRepair repair{a, b, said, {}, gain, false};
    for (const std::string& w : recognised.words)
      repair.heard += (repair.heard.empty() ? "" : " ") + w;
    if (std::isfinite(heard_score) && !heard.phonemes.empty() && !(gain <= options.repair_gain)) {
      repair.replaced = true;
      const std::string animated = words_of(heard.phonemes, 0, heard.phonemes.size());
      heard.phonemes = speech::contiguous(std::move(heard.phonemes), b - a);
      for (TimedPhoneme& p : heard.phonemes) {
        p.start += a;
        p.end += a;
        result.push_back(std::move(p));
      }
      out.warnings.push_back(where + repair.heard + "\": animated as \"" + animated +
                             "\" (check the transcript)");
    } else {  // recognition does no better: the transcript is kept, without a warning (a join
              // of two recordings can fit badly with the right words: measured, docs/speech.md)
      result.insert(result.end(), ph.begin() + static_cast<long>(i),
                    ph.begin() + static_cast<long>(j));
    }
    out.repairs.push_back(std::move(repair));
  }
  result.insert(result.end(), ph.begin() + static_cast<long>(done), ph.end());
  ph = std::move(result);
  out.words.clear();
  for (const TimedPhoneme& p : ph)
    if (p.word_start) out.words.push_back(p.word);
}

Alignment Aligner::align(const Audio& audio, const std::string& transcript,
                         const std::string& transcript_name) {
  const double cpu0 = thread_cpu_seconds();
  const std::string text = speech::plain_transcript(transcript, transcript_name);
  // English: written forms read as people say them (spoken_words); another language: the words
  // as written, for espeak-ng to read (it says that language's numbers and symbols itself).
  std::vector<speech::SpokenWord> words;
  if (impl_->english)
    words = speech::spoken_words(text, transcript_name);
  else
    for (std::string& w : speech::split_words(text, transcript_name))
      words.push_back({std::move(w), {}});
  const Audio a = audio.sample_rate == kRate ? audio : resample(audio, kRate);
  Alignment out;
  out.audio_seconds = a.duration();
  if (peak_rms(a.samples) < impl_->options.silence_rms) {
    out.method = AlignmentMethod::Silence;
    out.warnings.push_back("the audio is silent: the mouth stays closed (" +
                           std::to_string(words.size()) + " transcript words not aligned)");
  } else {
    std::unique_lock<std::mutex> lock(sphinx_mutex());
    out.method = AlignmentMethod::Transcript;
    out.mismatch = -INFINITY;  // the worst piece's gap; below 0: the transcript beats the loop
    out.contrast = INFINITY;
    const bool english = impl_->english;
    // An implausibly long transcript is refused before aligning.
    std::string why = speech::implausible_transcript(words.size(), out.audio_seconds);
    std::vector<std::pair<double, double>> misfits;
    if (why.empty() && !impl_->align_words(a, words, out, true, english ? &misfits : nullptr)) {
      why = impl_->unpronounceable
                ? "no word of the transcript has a pronunciation"
                : "the transcript found no path through the audio (it does not fit)";
    } else if (why.empty() && !english) {
      if (out.contrast < impl_->options.min_contrast_ratio * out.mismatch) {
        char buf[240];
        std::snprintf(buf, sizeof buf,
                      "the transcript does not match the audio (it beats the same phones reversed "
                      "by %.2f per frame, less than %.1f x its %.2f below a free phone loop)",
                      out.contrast, impl_->options.min_contrast_ratio, out.mismatch);
        why = buf;
      }
    } else if (why.empty() && out.mismatch > impl_->options.mismatch_per_frame) {
      char buf[160];
      std::snprintf(buf, sizeof buf,
                    "the transcript does not match the audio (it scores %.2f per frame below a "
                    "free phone loop; the limit is %.2f)",
                    out.mismatch, impl_->options.mismatch_per_frame);
      why = buf;
    }
    if (!std::isfinite(out.mismatch)) out.mismatch = 0;
    if (!std::isfinite(out.contrast)) out.contrast = 0;
    if (why.empty() && !misfits.empty()) impl_->repair_misfits(a, misfits, transcript_name, out);
    if (!why.empty() && english) {
      out.warnings.push_back(transcript_name + ": " + why + ": falling back to recognition");
      const double mismatch = out.mismatch;
      impl_->recognize_into(a, out);
      out.mismatch = mismatch;
      out.method = AlignmentMethod::RecognitionFallback;
    } else if (!why.empty()) {  // English words would be no better: the phone loop
      lock.unlock();
      Alignment loop = recognize_phones(a, impl_->options);
      out.warnings.push_back(transcript_name + ": " + why +
                             ": falling back to the phone recogniser (English phones)");
      out.phonemes = std::move(loop.phonemes);
      out.words.clear();
      out.method = AlignmentMethod::RecognitionFallback;
    }
  }
  out.phonemes = speech::contiguous(std::move(out.phonemes), out.audio_seconds);
  out.cpu_seconds = thread_cpu_seconds() - cpu0;
  return out;
}

Alignment Aligner::recognize(const Audio& audio) {
  const double cpu0 = thread_cpu_seconds();
  const Audio a = audio.sample_rate == kRate ? audio : resample(audio, kRate);
  Alignment out;
  out.audio_seconds = a.duration();
  if (peak_rms(a.samples) < impl_->options.silence_rms) {
    out.method = AlignmentMethod::Silence;
  } else if (!impl_->english) {
    out = recognize_phones(a, impl_->options);
    out.warnings.push_back("no transcript in \"" + impl_->options.language +
                           "\": the phone recogniser's lip shapes only (English phones; give "
                           "a transcript for the language's own phonemes)");
  } else {
    std::lock_guard<std::mutex> lock(sphinx_mutex());
    out.method = AlignmentMethod::Recognition;
    impl_->recognize_into(a, out);
  }
  out.phonemes = speech::contiguous(std::move(out.phonemes), out.audio_seconds);
  out.cpu_seconds = thread_cpu_seconds() - cpu0;
  return out;
}

}  // namespace semblend
