// Phoneme table, alignment parsing and coarticulated mouth animation.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "semblend/error.h"
#include "semblend/rig.h"
#include "semblend/speech.h"
#include "test_util.h"

namespace semblend {
namespace {

std::vector<TimedPhoneme> seq(std::initializer_list<std::pair<Phoneme, double>> items) {
  std::vector<TimedPhoneme> out;
  double t = 0;
  for (auto [p, d] : items) {
    out.push_back({p, t, t + d, ""});
    t += d;
  }
  return out;
}

// The gap between the lips (cm) when the default rig wears these coefficients; <= 0: they meet.
float rig_lip_gap(const Coefficients& c) {
  return lip_gap(pose_rig(default_rig(), c));
}
constexpr float kClosed = 0.01f;  // 0.1 mm: the lips touch (the rig's relaxed mouth: 2.6 mm)

const FaceFrame& frame_at(const Take& take, double t) {
  const auto i = static_cast<std::size_t>(std::lround(t * take.fps));
  return take.frames.at(std::min(i, take.frames.size() - 1));
}

TEST(PhonemeTable, CoversArpabetInEnumOrderWithReasons) {
  ASSERT_EQ(kPhonemes.size(), kPhonemeCount);
  for (std::size_t i = 0; i < kPhonemeCount; ++i) {
    EXPECT_EQ(static_cast<std::size_t>(kPhonemes[i].phoneme), i);
    EXPECT_FALSE(kPhonemes[i].reason.empty());
    EXPECT_EQ(phoneme_from_arpabet(kPhonemes[i].arpabet), kPhonemes[i].phoneme);
    for (const auto& t : kPhonemes[i].targets) EXPECT_TRUE(t.value >= 0 && t.value <= 1);
  }
  EXPECT_EQ(phoneme_from_arpabet("aa1"), Phoneme::AA);  // stress digits ignored
  EXPECT_EQ(phoneme_from_arpabet("XX"), std::nullopt);
  // The lip classes of the evaluation: p b m, f v, and the rounded set.
  for (Phoneme p : {Phoneme::P, Phoneme::B, Phoneme::M}) EXPECT_EQ(info(p).lip, LipClass::BMP);
  for (Phoneme p : {Phoneme::F, Phoneme::V}) EXPECT_EQ(info(p).lip, LipClass::FV);
  for (Phoneme p : {Phoneme::W, Phoneme::UW, Phoneme::UH, Phoneme::OW, Phoneme::OY, Phoneme::AO,
                    Phoneme::R, Phoneme::ER})
    EXPECT_EQ(info(p).lip, LipClass::RND);
}

TEST(Articulation, BilabialsCloseTheLipsFullyBetweenOpenVowels) {
  // "a m a" with short closures, the hard case: open vowels on both sides.
  const Take take =
      animate_phonemes(seq({{Phoneme::AA, 0.2}, {Phoneme::M, 0.06}, {Phoneme::AA, 0.2}}));
  const FaceFrame& m = frame_at(take, 0.23);
  EXPECT_LE(m.coefficients[Blendshape::JawOpen], 0.08f);
  EXPECT_GE(m.coefficients[Blendshape::MouthPressLeft], 0.15f);
  EXPECT_EQ(m.coefficients[Blendshape::MouthFunnel], 0.0f);
  EXPECT_GE(frame_at(take, 0.1).coefficients[Blendshape::JawOpen], 0.4f);  // the vowel opens
  // On the rig the lips really meet (not only the coefficients say so), and the vowels part them.
  EXPECT_LE(rig_lip_gap(m.coefficients), kClosed);
  EXPECT_GE(rig_lip_gap(frame_at(take, 0.1).coefficients), 0.5f);
  EXPECT_EQ(lip_class_of(m.coefficients), LipClass::BMP);
}

TEST(Articulation, EveryBilabialTargetClosesTheRigsLips) {
  // Each bilabial held alone, after silence and before an open vowel; and the rest gap itself.
  EXPECT_NEAR(rig_lip_gap(Coefficients{}), 0.26f, 0.02f);
  for (Phoneme p : {Phoneme::P, Phoneme::B, Phoneme::M}) {
    const Take take = animate_phonemes(seq({{Phoneme::SIL, 0.2}, {p, 0.08}, {Phoneme::AE, 0.2}}));
    EXPECT_LE(rig_lip_gap(frame_at(take, 0.24).coefficients), kClosed) << info(p).arpabet;
  }
}

TEST(Articulation, RoundingReachesIntoThePrecedingConsonant) {
  // "s u": the lips round during the s already (anticipatory coarticulation).
  const Take co =
      animate_phonemes(seq({{Phoneme::SIL, 0.2}, {Phoneme::S, 0.1}, {Phoneme::UW, 0.2}}));
  ArticulationOptions flat;
  flat.coarticulation = false;
  const Take step =
      animate_phonemes(seq({{Phoneme::SIL, 0.2}, {Phoneme::S, 0.1}, {Phoneme::UW, 0.2}}), flat);
  EXPECT_GT(frame_at(co, 0.27).coefficients[Blendshape::MouthPucker], 0.1f);
  EXPECT_EQ(frame_at(step, 0.27).coefficients[Blendshape::MouthPucker], 0.0f);
}

TEST(Articulation, CurvesAreSmooth) {
  const Take take = animate_phonemes(seq({{Phoneme::SIL, 0.1},
                                          {Phoneme::HH, 0.05},
                                          {Phoneme::AH, 0.1},
                                          {Phoneme::L, 0.06},
                                          {Phoneme::OW, 0.2},
                                          {Phoneme::SIL, 0.2}}));
  EXPECT_EQ(take.fps, 60);
  float worst = 0;
  for (std::size_t i = 1; i < take.frames.size(); ++i)
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      worst = std::max(worst, std::abs(take.frames[i].coefficients.at(k) -
                                       take.frames[i - 1].coefficients.at(k)));
  EXPECT_LT(worst, 0.2f);  // no channel jumps more than 0.2 between 60 fps frames
  validate(take);
}

TEST(Articulation, RealAlignmentClosesTheLipsOnEveryBilabial) {
  const std::string path =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0920.phone.json");
  const auto phones = parse_phone_alignment_json(test::read_text(path), path);
  ASSERT_GT(phones.size(), 30u);
  const Take take = animate_phonemes(phones);
  int bilabials = 0, closed = 0;
  for (const TimedPhoneme& p : phones) {
    if (info(p.phoneme).lip != LipClass::BMP) continue;
    ++bilabials;
    const double centre = (p.start + p.end) / 2 - phones.front().start;
    const FaceFrame& f = frame_at(take, centre);
    closed += f.coefficients[Blendshape::JawOpen] <= 0.08f &&
              f.coefficients[Blendshape::MouthFunnel] == 0.0f &&
              rig_lip_gap(f.coefficients) <= kClosed;
  }
  EXPECT_GE(bilabials, 5);  // "married a more amiable woman ... made ... respectable"
  EXPECT_EQ(closed, bilabials);
  // The closures ease in and out: no channel moves more than 0.25 between 60 fps frames (15/s).
  for (std::size_t i = 1; i < take.frames.size(); ++i)
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      ASSERT_LT(std::abs(take.frames[i].coefficients.at(k) - take.frames[i - 1].coefficients.at(k)),
                0.25f)
          << kBlendshapes[k].apple_name << " at " << take.frames[i].time;
}

TEST(Articulation, LipClassesMatchTheTimedPhonemesOnRealSpeech) {
  // How often the face shows each frame's own lip class, on all five real alignments: the
  // per-phoneme step baseline measures the classifier; coarticulation may blur transitions, but not
  // much more than that.
  double co = 0, step = 0;
  int n = 0;
  for (const char* id : {"0870", "0880", "0890", "0920", "0930"}) {
    const std::string path = test::shared_data(
        std::string("speech/librivox_sense_and_sensibility_01_austen_64kb-") + id + ".phone.json");
    const auto phones = parse_phone_alignment_json(test::read_text(path), path);
    ArticulationOptions flat;
    flat.coarticulation = false;
    co += lip_class_accuracy(animate_phonemes(phones), phones);
    step += lip_class_accuracy(animate_phonemes(phones, flat), phones);
    ++n;
  }
  EXPECT_GT(step / n, 0.8);
  EXPECT_GT(co / n, 0.7);
  std::printf("lip-class agreement: coarticulated %.3f, per-phoneme step %.3f\n", co / n, step / n);
}

TEST(PhoneAlignment, ParsesPocketsphinxJson) {
  const std::string path =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0880.phone.json");
  const auto phones = parse_phone_alignment_json(test::read_text(path), path);
  ASSERT_GE(phones.size(), 3u);
  EXPECT_EQ(phones[0].phoneme, Phoneme::SIL);
  EXPECT_EQ(phones[1].phoneme, Phoneme::HH);
  EXPECT_EQ(phones[1].word, "he");
  EXPECT_NEAR(phones[1].start, 0.21, 1e-9);
  EXPECT_EQ(phones[3].word, "was");  // "was(2)": the alternate pronunciation marker is dropped
  EXPECT_EQ(lip_class_at(phones, 0.35), LipClass::RND);  // W
}

// Timed phones written in pocketsphinx's format read back as they were: the real alignment
// (its words, their phones and times to 0.1 ms, silence), and a word said twice in a row.
TEST(PhoneAlignment, EncodedAlignmentsReadBackTheSame) {
  const std::string path =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0880.phone.json");
  std::vector<TimedPhoneme> phones = parse_phone_alignment_json(test::read_text(path), path);
  // A word said twice in a row is two words ("the the").
  phones.push_back({Phoneme::DH, phones.back().end, phones.back().end + 0.05, "the", true});
  phones.push_back({Phoneme::AH, phones.back().end, phones.back().end + 0.0625, "the"});
  phones.push_back({Phoneme::DH, phones.back().end, phones.back().end + 0.05, "the", true});
  phones.push_back({Phoneme::AH, phones.back().end, phones.back().end + 0.1, "the"});
  phones.push_back({Phoneme::SIL, phones.back().end, phones.back().end + 0.2, ""});
  // A pause inside a word of several ("nine <pause> oh five" for "9:05") is the word's.
  bool first = true;
  for (const Phoneme ph : {Phoneme::N, Phoneme::AY, Phoneme::N, Phoneme::SIL, Phoneme::OW,
                           Phoneme::F, Phoneme::AY, Phoneme::V}) {
    phones.push_back({ph, phones.back().end, phones.back().end + 0.07, "9:05", first});
    first = false;
  }
  phones.push_back({Phoneme::SIL, phones.back().end, phones.back().end + 0.2, ""});
  // Phones of no word (the phone recogniser's, another language's): leaves of their own.
  phones.push_back({Phoneme::G, phones.back().end, phones.back().end + 0.04, ""});
  phones.push_back({Phoneme::UW, phones.back().end, phones.back().end + 0.13, ""});
  const std::string text = encode_phone_alignment_json(phones);
  EXPECT_NE(text.find("\"t\":\"G\"},\n  {\"b\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"t\":\"UW\"}\n]}"), std::string::npos) << text;
  const auto back = parse_phone_alignment_json(text, "back.json");
  ASSERT_EQ(back.size(), phones.size()) << text;
  for (std::size_t i = 0; i < phones.size(); ++i) {
    EXPECT_EQ(back[i].phoneme, phones[i].phoneme) << i;
    EXPECT_EQ(back[i].word, phones[i].word) << i;
    EXPECT_EQ(back[i].word_start, phones[i].word_start || (i > 0 && !phones[i].word.empty() &&
                                                           phones[i - 1].word != phones[i].word))
        << i;
    EXPECT_NEAR(back[i].start, phones[i].start, 0.5e-4) << i;
    EXPECT_NEAR(back[i].end, phones[i].end, 1e-4) << i;
  }
  // Readable: the words in order at the top, each word with its phones.
  EXPECT_EQ(text.rfind("{\"b\":0.0000,\"d\":", 0), 0u) << text;
  EXPECT_NE(text.find("\"t\":\"he was not an ill disposed young man"), std::string::npos) << text;
  EXPECT_NE(text.find("{\"b\":0.2100,\"d\":0.1200,\"t\":\"he\",\"w\":[{\"b\":0.2100,\"d\":0.0600,"
                      "\"t\":\"HH\"}"),
            std::string::npos)
      << text;
  const auto the = text.find("\"t\":\"the\",\"w\":[{\"b\"");
  ASSERT_NE(the, std::string::npos) << text;
  EXPECT_NE(text.find("\"t\":\"the\",\"w\":[{\"b\"", the + 1), std::string::npos) << text;
  EXPECT_NE(text.find("young man the the 9:05\""), std::string::npos) << text.substr(0, 300);
  EXPECT_NE(text.find("\"t\":\"N\"},{\"b\":3.6525,\"d\":0.0700,\"t\":\"SIL\"},{\"b\":3.7225"),
            std::string::npos)
      << text;
  EXPECT_EQ(encode_phone_alignment_json({}), "{\"b\":0.0000,\"d\":0.0000,\"t\":\"\",\"w\":[\n]}\n");
  EXPECT_THROW(
      encode_phone_alignment_json({{Phoneme::AA, 0.5, 0.6, "a"}, {Phoneme::B, 0.1, 0.2, "b"}}),
      std::invalid_argument);
}

TEST(PhoneAlignment, BadInputIsAClearError) {
  EXPECT_THROW(parse_phone_alignment_json("{", "x.json"), InputError);
  EXPECT_THROW(parse_phone_alignment_json(R"({"t":"XQ","b":0,"d":0.1})", "x.json"), InputError);
  // Fields of the wrong kind name the file (before, nlohmann's type error: exit 1, no file).
  for (const char* bad : {R"({"t":5,"b":0,"d":1})", R"({"t":"AA","b":"0","d":1})",
                          R"({"t":"AA","b":0,"d":null})", R"({"t":"x","b":0,"d":1,"w":{}})"}) {
    try {
      parse_phone_alignment_json(bad, "x.json");
      ADD_FAILURE() << bad;
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "x.json");
    }
  }
  EXPECT_THROW(
      parse_phone_alignment_json(
          R"({"t":"s","b":0,"d":1,"w":[{"t":"AA","b":0.5,"d":0.3},{"t":"B","b":0.1,"d":0.1}]})",
          "x.json"),
      InputError);
  EXPECT_THROW(animate_phonemes(seq({{Phoneme::AA, 0.1}}), ArticulationOptions{0, true}),
               std::invalid_argument);
  EXPECT_TRUE(animate_phonemes({}).frames.empty());
}

}  // namespace
}  // namespace semblend
