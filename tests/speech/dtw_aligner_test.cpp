// Alignment by synthesis (dtw_aligner.h): the warp itself on a known stretch, German and French
// spoken by another espeak-ng voice at another rate, a transcript that is not the audio's,
// silence, bad languages and transcripts; the IPA rows of the other languages; `speech --lang`.
#include "semblend/dtw_aligner.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <random>

#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/speech_eval.h"
#include "speech/pronunciation.h"
#include "test_util.h"

namespace semblend {
namespace {

bool covers(const std::vector<TimedPhoneme>& p, double duration) {
  if (p.empty() || p.front().start != 0 || std::abs(p.back().end - duration) > 1e-6) return false;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (std::abs(p[i].start - p[i - 1].end) > 1e-9 || p[i].end <= p[i].start) return false;
  return true;
}

TEST(Warp, RecoversAKnownTimeStretch) {
  // b is a played 1.5x slower, with a pause of 40 frames in the middle of a.
  std::mt19937 rng(3);
  std::normal_distribution<float> n(0, 1);
  std::vector<Mfcc> a(300);
  Mfcc x{};
  for (Mfcc& f : a) {
    for (float& v : x) v = 0.8f * v + n(rng);
    f = x;
  }
  std::vector<Mfcc> b;
  std::vector<int> truth;
  for (int j = 0; j < 450; ++j) {
    const int i = j * 2 / 3;
    b.push_back(a[std::size_t(i)]);
    truth.push_back(i);
    if (j == 200)
      for (int k = 0; k < 40; ++k) {
        b.push_back(a[std::size_t(i)]);
        truth.push_back(i);
      }
  }
  const WarpPath p = warp(a, b);
  ASSERT_EQ(p.a_of_b.size(), b.size());
  int off = 0;
  for (std::size_t j = 0; j < b.size(); ++j) off = std::max(off, std::abs(p.a_of_b[j] - truth[j]));
  EXPECT_LE(off, 1);
  EXPECT_LT(p.mean_distance, 0.2);
  for (std::size_t j = 1; j < b.size(); ++j) EXPECT_GE(p.a_of_b[j], p.a_of_b[j - 1]);
}

TEST(Warp, EmptyAndBadOptions) {
  EXPECT_TRUE(warp({}, {}).a_of_b.empty());
  SynthesisAlignerOptions o;
  o.band_fraction = 0;
  EXPECT_THROW(warp({Mfcc{}}, {Mfcc{}}, o), std::invalid_argument);
  EXPECT_THROW(mfcc_frames(Audio{8000, {0.0f, 0.1f}, {}}), std::invalid_argument);
}

// Another voice at another rate than the reference (espeak-ng's default voice at 160 wpm).
void expect_aligned(const std::string& lang, const std::string& voice, int rate,
                    const std::string& text, double min_accuracy) {
  const LabelledSpeech u = synthesize_espeak(text, voice, rate);
  SynthesisAlignerOptions o;
  o.language = lang;
  const Alignment a = align_by_synthesis(u.audio, text, o, "t.txt");
  EXPECT_EQ(a.method, AlignmentMethod::Synthesis);
  EXPECT_TRUE(covers(a.phonemes, u.audio.duration()));
  EXPECT_TRUE(a.warnings.empty()) << a.warnings.front();
  const PhoneScores s = score_phones(a.phonemes, u.truth);
  const double accuracy = double(s.frames_right) / s.frames;
  EXPECT_GE(accuracy, min_accuracy) << voice;
  EXPECT_EQ(s.bilabials_found, s.bilabials) << voice;
  EXPECT_GE(s.bilabials, 4);
  std::printf("%s at %d wpm: accuracy %.3f, bilabials %d/%d, mean frame distance %.2f\n",
              voice.c_str(), rate, accuracy, s.bilabials_found, s.bilabials, a.mismatch);
}

TEST(AlignBySynthesis, GermanAndFrenchFromAnotherVoice) {
  // measured 0.915 (de) and 0.854 (fr) over both sentences and voices (docs/speech.md)
  expect_aligned("de", "de+f3", 140, eval_sentences("de")[0], 0.8);
  expect_aligned("fr", "fr+m7", 190, eval_sentences("fr")[1], 0.75);
}

TEST(AlignBySynthesis, AnotherTranscriptIsWarnedAbout) {
  const LabelledSpeech u = synthesize_espeak(eval_sentences("es")[0], "es+f3", 140);
  SynthesisAlignerOptions o;
  o.language = "es";
  const Alignment right = align_by_synthesis(u.audio, eval_sentences("es")[0], o);
  const Alignment wrong = align_by_synthesis(u.audio, eval_sentences("es")[1], o);
  std::printf("mean frame distance: right transcript %.2f, wrong %.2f\n", right.mismatch,
              wrong.mismatch);
  EXPECT_LT(right.mismatch, wrong.mismatch);
  EXPECT_TRUE(right.warnings.empty());
  ASSERT_FALSE(wrong.warnings.empty());
  EXPECT_NE(wrong.warnings.back().find("match poorly"), std::string::npos);
}

TEST(AlignBySynthesis, SilenceBadLanguagesAndTranscripts) {
  Audio quiet{16000, std::vector<float>(16000, 0.0f), {}};
  SynthesisAlignerOptions o;
  o.language = "de";
  const Alignment a = align_by_synthesis(quiet, "Guten Morgen", o);
  EXPECT_EQ(a.method, AlignmentMethod::Silence);
  ASSERT_EQ(a.phonemes.size(), 1u);
  EXPECT_EQ(a.phonemes[0].phoneme, Phoneme::SIL);
  const LabelledSpeech u = synthesize_espeak("Guten Morgen", "de", 160);
  o.language = "xx-nowhere";
  try {
    align_by_synthesis(u.audio, "Guten Morgen", o);
    ADD_FAILURE() << "no error for an unknown language";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("espeak-ng has no voice"), std::string::npos);
  }
  o.language = "de";
  // A transcript far longer than the audio says so (every phone squeezed into 0.7 s).
  const Alignment squeezed =
      align_by_synthesis(u.audio, "Guten Morgen, wie geht es dir heute? Mir geht es gut", o);
  ASSERT_FALSE(squeezed.warnings.empty());
  EXPECT_NE(squeezed.warnings.front().find("check that the transcript is the audio's"),
            std::string::npos)
      << squeezed.warnings.front();
  // More words than anyone speaks in 0.7 s (over 10 a second plus 5): refused before synthesis.
  EXPECT_THROW(align_by_synthesis(
                   u.audio, "Guten Morgen, wie geht es dir heute? Mir geht es gut, danke, und dir?",
                   o, "t.txt"),
               InputError);
  EXPECT_THROW(align_by_synthesis(u.audio, " ,;. ", o, "t.txt"), InputError);
  EXPECT_THROW(align_by_synthesis(u.audio, "bad \xff byte", o, "t.txt"), InputError);
  o.max_seconds = 0.5;
  EXPECT_THROW(align_by_synthesis(u.audio, "Guten Morgen", o, "t.txt"), InputError);
}

TEST(IpaToArpabet, OtherLanguagesKeepTheirMouthShapes) {
  using P = Phoneme;
  using speech::ipa_to_arpabet;
  EXPECT_EQ(ipa_to_arpabet("v_ˈy"), (speech::Pronunciation{P::V, P::UW}));  // fr "vu"
  EXPECT_EQ(ipa_to_arpabet("pf_ˈʊ_n_t"), (speech::Pronunciation{P::P, P::F, P::UH, P::N, P::T}));
  EXPECT_EQ(ipa_to_arpabet("b_l_ˈɑ̃"), (speech::Pronunciation{P::B, P::L, P::AA}));  // nasal
  EXPECT_EQ(ipa_to_arpabet("ʎ_ˈa_β_e"), (speech::Pronunciation{P::L, P::AE, P::V, P::EH}));
  EXPECT_EQ(ipa_to_arpabet("sʲ_ˈe"), (speech::Pronunciation{P::S, P::EH}));  // palatalised
  EXPECT_EQ(ipa_to_arpabet("(en)_b_eɪ_(cmn)_ts._ˈə5"),
            (speech::Pronunciation{P::B, P::EY, P::T, P::S, P::AH}));
  std::string unmapped;
  EXPECT_EQ(ipa_to_arpabet("m_ˈœ_ç_t_ə", &unmapped),
            (speech::Pronunciation{P::M, P::AO, P::HH, P::T, P::AH}));
  EXPECT_EQ(unmapped, "");
}

TEST(CliSpeechLang, GermanWithAndWithoutTranscript) {
  test::TempDir tmp;
  const std::string text = eval_sentences("de")[1];
  write_wav(synthesize_espeak(text, "de+m7", 150).audio, tmp.path("de.wav"));
  write_file_atomic(tmp.path("de.txt"), text);
  // de.wav with de.txt and `flags`, written to `out`.
  auto speak = [&](const std::string& flags, const std::string& out) {
    return test::run_cli("speech " + test::q(tmp.path("de.wav")) + " --transcript " +
                             test::q(tmp.path("de.txt")) + " " + flags + " -o " +
                             test::q(tmp.path(out)),
                         tmp);
  };
  auto r = speak("--lang de", "de.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("transcript (de, espeak-ng's German phones)"), std::string::npos) << r.err;
  EXPECT_GT(read_file(tmp.path("de.csv")).size(), 1000u);
  r = speak("--lang de --by-synthesis", "de1.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("transcript aligned to espeak-ng's reading"), std::string::npos) << r.err;
  EXPECT_GT(read_file(tmp.path("de1.csv")).size(), 1000u);
  // English has CMUdict: --by-synthesis is refused, nothing written.
  r = speak("--by-synthesis", "en.csv");
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("--by-synthesis"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("en.csv")));
  r = test::run_cli(
      "speech " + test::q(tmp.path("de.wav")) + " --lang de -o " + test::q(tmp.path("de2.csv")),
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("phone recogniser"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("warning: no transcript in \"de\""), std::string::npos) << r.err;
  r = test::run_cli("speech " + test::q(tmp.path("de.wav")) + " --transcript " +
                        test::q(tmp.path("de.txt")) + " --lang xx-nowhere -o " +
                        test::q(tmp.path("x.csv")),
                    tmp);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("xx-nowhere"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("x.csv")));
}

}  // namespace
}  // namespace semblend
