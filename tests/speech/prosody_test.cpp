// Prosody: YIN pitch on synthetic tones and real speech, loudness → mouth amplitude, brow
// accents, seeded blinks and gaze, bounds and smoothness of the curves.
#include "semblend/prosody.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "semblend/audio.h"
#include "semblend/file_io.h"
#include "semblend/rig.h"
#include "test_util.h"

namespace semblend {
namespace {

constexpr double kTwoPi = 6.283185307179586;

const std::string kUtterance = "speech/librivox_sense_and_sensibility_01_austen_64kb-0870";

Audio tone(double hz, double seconds, int harmonics, int rate = 16000) {
  Audio a;
  a.sample_rate = rate;
  a.samples.resize(static_cast<std::size_t>(seconds * rate));
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    double v = 0;
    for (int h = 1; h <= harmonics; ++h)
      v += std::sin(kTwoPi * hz * h * double(i) / rate + 0.3 * h) / h;
    a.samples[i] = static_cast<float>(0.3 * v);
  }
  return a;
}

std::vector<TimedPhoneme> real_phones() {
  return parse_phone_alignment_json(read_file(test::shared_data(kUtterance + ".phone.json")),
                                    kUtterance);
}

// The phones padded with silence to cover [0, duration], as the CLI does.
std::vector<TimedPhoneme> cover(std::vector<TimedPhoneme> p, double duration) {
  if (p.front().start > 0) p.insert(p.begin(), TimedPhoneme{Phoneme::SIL, 0, p.front().start, ""});
  if (p.back().end < duration) p.push_back(TimedPhoneme{Phoneme::SIL, p.back().end, duration, ""});
  return p;
}

float max_step(const Take& take, Blendshape s) {
  float m = 0;
  for (std::size_t i = 1; i < take.frames.size(); ++i)
    m = std::max(m, std::abs(take.frames[i].coefficients[s] - take.frames[i - 1].coefficients[s]));
  return m;
}

float peak(const Take& take, Blendshape s) {
  float m = 0;
  for (const FaceFrame& f : take.frames) m = std::max(m, f.coefficients[s]);
  return m;
}

double mean_over(const Take& take, Blendshape s, double from, double to) {
  double sum = 0;
  int n = 0;
  for (const FaceFrame& f : take.frames)
    if (f.time >= from && f.time < to) {
      sum += f.coefficients[s];
      ++n;
    }
  return n ? sum / n : 0;
}

TEST(Pitch, SyntheticTonesWithinTwoPercent) {
  for (double hz : {85.0, 120.0, 155.0, 220.0, 290.0, 370.0})
    for (int harmonics : {1, 6}) {
      const ProsodyTrack t = analyze_prosody(tone(hz, 1.0, harmonics));
      std::size_t voiced = 0, inner = 0;
      for (std::size_t i = 5; i + 5 < t.f0_hz.size(); ++i) {  // away from the edges
        ++inner;
        if (t.f0_hz[i] <= 0) continue;
        ++voiced;
        EXPECT_NEAR(t.f0_hz[i], hz, 0.02 * hz) << hz << " Hz, " << harmonics << " harmonics";
      }
      EXPECT_GT(double(voiced), 0.95 * double(inner)) << hz << " Hz";
      EXPECT_NEAR(t.median_f0_hz, hz, 0.01 * hz);
    }
  // Another sample rate: 44.1 kHz.
  const ProsodyTrack t = analyze_prosody(tone(180, 0.5, 4, 44100));
  EXPECT_NEAR(t.median_f0_hz, 180, 1.8);
}

TEST(Pitch, NoiseAndSilenceAreUnvoiced) {
  Audio noise;
  noise.samples.resize(16000);
  std::uint64_t x = 88172645463325252ULL;
  for (float& s : noise.samples) {  // xorshift white noise
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s = static_cast<float>(double(x >> 11) * 0x1.0p-53 - 0.5) * 0.4f;
  }
  EXPECT_LT(analyze_prosody(noise).voiced_fraction(), 0.05);
  Audio silence;
  silence.samples.assign(16000, 0.0f);
  const ProsodyTrack t = analyze_prosody(silence);
  EXPECT_EQ(t.median_f0_hz, 0);
  EXPECT_EQ(t.voiced_fraction(), 0);
  EXPECT_TRUE(analyze_prosody(Audio{}).f0_hz.empty());
}

// The five LibriVox utterances (one male reader, 24.7 s) against their reference phones: F0 in
// the range of adult male speech, voiced in vowels, unvoiced in pauses.
TEST(Pitch, RealSpeechIsPlausibleAndVoicedWhereTheVowelsAre) {
  std::size_t all_vowels = 0, all_vowels_voiced = 0, all_sil = 0, all_sil_voiced = 0;
  std::vector<float> pooled;
  for (const char* id : {"0870", "0880", "0890", "0920", "0930"}) {
    const std::string name =
        std::string("speech/librivox_sense_and_sensibility_01_austen_64kb-") + id;
    const Audio audio = read_audio(test::shared_data(name + ".wav"));
    const ProsodyTrack t = analyze_prosody(audio);
    const auto phones =
        parse_phone_alignment_json(read_file(test::shared_data(name + ".phone.json")), name);
    EXPECT_GT(t.median_f0_hz, 75) << id;
    EXPECT_LT(t.median_f0_hz, 150) << id;
    std::size_t voiced = 0, in_range = 0, vowel_frames = 0, vowel_voiced = 0, sil_frames = 0,
                sil_voiced = 0;
    for (std::size_t i = 0; i < t.f0_hz.size(); ++i) {
      const double time = double(i) / ProsodyTrack::kFrameRate;
      const bool v = t.f0_hz[i] > 0;
      voiced += v;
      if (v) pooled.push_back(t.f0_hz[i]);
      in_range += v && t.f0_hz[i] >= 60 && t.f0_hz[i] <= 300;
      for (const TimedPhoneme& p : phones)
        if (time >= p.start + 0.02 && time < p.end - 0.02) {
          if (info(p.phoneme).vowel) {
            ++vowel_frames;
            vowel_voiced += v;
          } else if (p.phoneme == Phoneme::SIL) {
            ++sil_frames;
            sil_voiced += v;
          }
        }
    }
    std::printf(
        "%s: median F0 %.1f Hz, voiced %.2f of active frames, %.3f in 60-300 Hz, vowels "
        "voiced %.3f, pauses voiced %.3f\n",
        id, double(t.median_f0_hz), t.voiced_fraction(), double(in_range) / double(voiced),
        double(vowel_voiced) / double(vowel_frames),
        double(sil_voiced) / double(std::max<std::size_t>(sil_frames, 1)));
    EXPECT_GT(double(in_range), 0.98 * double(voiced)) << id;
    EXPECT_GT(t.voiced_fraction(), 0.35) << id;
    EXPECT_LT(t.voiced_fraction(), 0.9) << id;
    EXPECT_GT(double(vowel_voiced), 0.65 * double(vowel_frames)) << id;
    all_vowels += vowel_frames;
    all_vowels_voiced += vowel_voiced;
    all_sil += sil_frames;
    all_sil_voiced += sil_voiced;
  }
  std::sort(pooled.begin(), pooled.end());
  const auto quantile = [&](double q) {
    return pooled[std::size_t(q * double(pooled.size() - 1))];
  };
  std::printf("pooled: F0 p5 %.1f, median %.1f, p95 %.1f Hz; vowels voiced %.3f, pauses %.3f\n",
              double(quantile(0.05)), double(quantile(0.5)), double(quantile(0.95)),
              double(all_vowels_voiced) / double(all_vowels),
              double(all_sil_voiced) / double(all_sil));
  EXPECT_GT(quantile(0.05), 60);
  EXPECT_LT(quantile(0.95), 200);
  EXPECT_GT(quantile(0.5), 80);
  EXPECT_GT(double(all_vowels_voiced), 0.8 * double(all_vowels));
  EXPECT_LT(double(all_sil_voiced), 0.1 * double(all_sil));
}

TEST(Prosody, LouderSpeechOpensTheJawWider) {
  const Audio audio = read_audio(test::shared_data(kUtterance + ".wav"));
  const auto phones = cover(real_phones(), audio.duration());
  const double half = audio.duration() / 2;
  Audio quiet_first = audio;  // the first half 10 dB down: the second half is louder
  for (std::size_t i = 0; i < quiet_first.samples.size() / 2; ++i) quiet_first.samples[i] *= 0.316f;
  ProsodyOptions o;
  o.blinks = o.gaze = false;
  const Take base = animate_phonemes(phones);
  const Take same = apply_prosody(base, phones, &audio, o);
  const Take louder = apply_prosody(base, phones, &quiet_first, o);
  const auto jaw = Blendshape::JawOpen;
  EXPECT_GT(mean_over(louder, jaw, half + 0.1, 99), 1.05 * mean_over(same, jaw, half + 0.1, 99));
  EXPECT_LT(mean_over(louder, jaw, 0, half - 0.1), 0.95 * mean_over(same, jaw, 0, half - 0.1));
  // Scaling the whole recording changes nothing: loudness is relative to the utterance.
  Audio all_quiet = audio;
  for (float& s : all_quiet.samples) s *= 0.25f;
  const Take scaled = apply_prosody(base, phones, &all_quiet, o);
  EXPECT_NEAR(mean_over(scaled, jaw, 0, 99), mean_over(same, jaw, 0, 99), 0.003);
  // Closures are untouched: every bilabial still presses the lips, and on the rig they meet
  // (mouthClose scales with the jaw it cancels).
  for (const TimedPhoneme& p : phones) {
    if (info(p.phoneme).lip != LipClass::BMP) continue;
    const auto k = static_cast<std::size_t>(std::lround((p.start + p.end) / 2 * same.fps));
    EXPECT_EQ(lip_class_of(same.frames[k].coefficients), LipClass::BMP) << p.start;
    for (const Take* t : {&same, &louder})
      EXPECT_LE(lip_gap(pose_rig(default_rig(), t->frames[k].coefficients)), 0.01f) << p.start;
  }
  std::printf("lip-class accuracy: %.3f without prosody, %.3f with\n",
              lip_class_accuracy(base, phones), lip_class_accuracy(same, phones));
  EXPECT_GT(lip_class_accuracy(same, phones), lip_class_accuracy(base, phones) - 0.02);
  EXPECT_EQ(max_step(same, Blendshape::MouthPressLeft), max_step(base, Blendshape::MouthPressLeft));
}

TEST(Prosody, BrowsRiseALittleOnAccentsAndOnlyWithProsody) {
  const Audio audio = read_audio(test::shared_data(kUtterance + ".wav"));
  const auto phones = cover(real_phones(), audio.duration());
  ProsodyOptions o;
  const Take take = apply_prosody(animate_phonemes(phones), phones, &audio, o);
  EXPECT_GT(peak(take, Blendshape::BrowInnerUp), 0.05f);
  EXPECT_LE(peak(take, Blendshape::BrowInnerUp), o.brow_raise + 1e-6f);
  EXPECT_LE(peak(take, Blendshape::BrowOuterUpLeft), o.brow_raise);
  EXPECT_LT(mean_over(take, Blendshape::BrowInnerUp, 0, 99), 0.06);  // accents, not a held raise
  EXPECT_LT(max_step(take, Blendshape::BrowInnerUp), 0.03f);
  o.prosody = false;
  const Take flat = apply_prosody(animate_phonemes(phones), phones, &audio, o);
  EXPECT_EQ(peak(flat, Blendshape::BrowInnerUp), 0);
}

TEST(Prosody, CurvesStayInRangeAndDoNotFlicker) {
  const Audio audio = read_audio(test::shared_data(kUtterance + ".wav"));
  const auto phones = cover(real_phones(), audio.duration());
  const Take base = animate_phonemes(phones);
  const Take take = apply_prosody(base, phones, &audio);
  ASSERT_EQ(take.frames.size(), base.frames.size());
  for (const FaceFrame& f : take.frames)
    for (std::size_t i = 0; i < kBlendshapeCount; ++i) {
      EXPECT_GE(f.coefficients.values()[i], 0.0f);
      EXPECT_LE(f.coefficients.values()[i], 1.0f);
    }
  for (std::size_t i = 0; i < kBlendshapeCount; ++i) {
    const Blendshape s = blendshape_at(i);
    const std::string name(info(s).apple_name);
    float bound = 0.3f;  // the mouth (articulation's own bound is 0.25) and saccades
    if (name.starts_with("eyeBlink")) bound = 0.75f;  // a blink closes in ~40 ms
    EXPECT_LE(max_step(take, s), bound) << name;
    if (name.starts_with("jaw") || name.starts_with("mouth")) {
      EXPECT_LE(max_step(take, s), max_step(base, s) * 1.35f + 1e-6f) << name;
    }
  }
}

TEST(Blinks, RateAndDurationsFromTheLiterature) {
  const std::vector<TimedPhoneme> rest{{Phoneme::SIL, 0, 60, ""}};
  const std::vector<TimedPhoneme> talk{{Phoneme::AA, 0, 60, "a"}};
  double rest_total = 0, talk_total = 0;
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    ProsodyOptions o;
    o.seed = seed;
    const auto blinks = plan_blinks(60, rest, o);
    EXPECT_GE(blinks.size(), 10u) << seed;
    EXPECT_LE(blinks.size(), 26u) << seed;
    rest_total += double(blinks.size());
    talk_total += double(plan_blinks(60, talk, o).size());
    for (std::size_t i = 0; i < blinks.size(); ++i) {
      EXPECT_GE(blinks[i].duration, 0.10);
      EXPECT_LE(blinks[i].duration, 0.15);
      EXPECT_LT(blinks[i].closing, blinks[i].duration - blinks[i].closing);  // closes faster
      if (i > 0) {
        EXPECT_GT(blinks[i].start, blinks[i - 1].start + blinks[i - 1].duration);
      }
    }
  }
  std::printf("blinks per minute over 12 seeds: %.1f at rest, %.1f speaking\n", rest_total / 12,
              talk_total / 12);
  EXPECT_NEAR(rest_total / 12, 17, 2.5);  // per minute (Bentivoglio et al. 1997: 17 at rest)
  EXPECT_NEAR(talk_total / 12, 26, 3.5);  // and 26 in conversation
}

TEST(Blinks, InTheTakeSeededAndOptional) {
  Audio silence;
  silence.samples.assign(16000 * 60, 0.0f);
  const std::vector<TimedPhoneme> rest{{Phoneme::SIL, 0, 60, ""}};
  const Take base = animate_phonemes(rest);
  ProsodyOptions o;
  o.seed = 7;
  const Take a = apply_prosody(base, rest, &silence, o);
  const Take b = apply_prosody(base, rest, &silence, o);
  EXPECT_TRUE(a.frames == b.frames);  // deterministic from the seed
  // Count closures in the take (eyes more than half shut), and their lengths.
  int closures = 0;
  for (std::size_t i = 1; i < a.frames.size(); ++i) {
    const float v = a.frames[i].coefficients[Blendshape::EyeBlinkLeft];
    EXPECT_EQ(v, a.frames[i].coefficients[Blendshape::EyeBlinkRight]);
    closures += v > 0.5f && a.frames[i - 1].coefficients[Blendshape::EyeBlinkLeft] <= 0.5f;
  }
  EXPECT_EQ(closures, static_cast<int>(plan_blinks(60, rest, o).size()));
  EXPECT_GE(closures, 10);
  EXPECT_LE(closures, 26);
  EXPECT_GT(peak(a, Blendshape::EyeBlinkLeft), 0.85f);
  o.seed = 8;
  EXPECT_FALSE(apply_prosody(base, rest, &silence, o).frames == a.frames);
  o.blinks = false;
  EXPECT_EQ(peak(apply_prosody(base, rest, &silence, o), Blendshape::EyeBlinkLeft), 0);
}

TEST(Gaze, SmallConjugateSaccadesSeededAndOptional) {
  const std::vector<TimedPhoneme> rest{{Phoneme::SIL, 0, 30, ""}};
  const Take base = animate_phonemes(rest);
  ProsodyOptions o;
  o.blinks = false;
  const Take a = apply_prosody(base, rest, nullptr, o);
  int jumps = 0;
  for (std::size_t i = 1; i < a.frames.size(); ++i) {
    const Coefficients& c = a.frames[i].coefficients;
    EXPECT_EQ(c[Blendshape::EyeLookOutLeft], c[Blendshape::EyeLookInRight]);
    EXPECT_EQ(c[Blendshape::EyeLookUpLeft], c[Blendshape::EyeLookUpRight]);
    EXPECT_LE(c[Blendshape::EyeLookOutLeft] + c[Blendshape::EyeLookInLeft], 0.5f);
    EXPECT_LE(c[Blendshape::EyeLookUpLeft] + c[Blendshape::EyeLookDownLeft], 0.5f);
    const float h = c[Blendshape::EyeLookOutLeft] - c[Blendshape::EyeLookInLeft];
    const Coefficients& p = a.frames[i - 1].coefficients;
    jumps += std::abs(h - (p[Blendshape::EyeLookOutLeft] - p[Blendshape::EyeLookInLeft])) > 0.04f;
  }
  EXPECT_GE(jumps, 8);  // saccades: a fixation lasts ~1.2 s
  EXPECT_LE(jumps, 80);
  EXPECT_TRUE(apply_prosody(base, rest, nullptr, o).frames == a.frames);
  o.gaze = false;
  const Take still = apply_prosody(base, rest, nullptr, o);
  EXPECT_EQ(peak(still, Blendshape::EyeLookOutLeft) + peak(still, Blendshape::EyeLookInLeft), 0);
}

TEST(Prosody, BadOptionsAreRefused) {
  const std::vector<TimedPhoneme> rest{{Phoneme::SIL, 0, 1, ""}};
  ProsodyOptions o;
  o.blinks_per_minute_rest = 0;
  EXPECT_THROW(apply_prosody(animate_phonemes(rest), rest, nullptr, o), std::invalid_argument);
  o = {};
  o.pitch.min_hz = 500;
  EXPECT_THROW(analyze_prosody(tone(100, 0.1, 1), o.pitch), std::invalid_argument);
  EXPECT_THROW(analyze_prosody(tone(100, 0.1, 1, 400)), std::invalid_argument);  // 400 Hz audio
}

}  // namespace
}  // namespace semblend
