// `semblend speech --stream` (audio piped into stdin, JSONL frames out) and `semblend eval speech`.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "semblend/audio.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

TEST(CliSpeechStream, RawPcmAndWavFromStdinBecomeJsonlFrames) {
  test::TempDir tmp;
  const Audio audio = read_audio(
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav"));
  // The same audio as a 16 kHz WAV and as raw little-endian 16-bit PCM.
  write_wav(audio, tmp.path("a.wav"));
  {
    std::ofstream raw(tmp.path("a.raw"), std::ios::binary);
    for (float x : audio.samples) {
      const auto v = static_cast<std::int16_t>(std::lround(std::clamp(x, -1.0f, 1.0f) * 32767));
      const char b[2] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff)};
      raw.write(b, 2);
    }
  }
  for (const char* input : {"a.raw", "a.wav"}) {
    const test::RunResult r = test::run_cli_piped("speech --stream", tmp.path(input), tmp);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(test::contains(r.err, "max latency")) << r.err;
    const Take take = parse_jsonl(r.out, input);
    EXPECT_EQ(take.frames.size(), static_cast<std::size_t>(std::floor(audio.duration() * 60)) + 1)
        << input;
    float jaw = 0;
    for (const FaceFrame& f : take.frames) jaw = std::max(jaw, f.coefficients[Blendshape::JawOpen]);
    EXPECT_GT(jaw, 0.2f) << input;
  }
  // -o FILE.jsonl writes there instead.
  test::RunResult r = test::run_cli_piped("speech --stream -o '" + tmp.path("s.jsonl") + "'",
                                          tmp.path("a.raw"), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GT(read_take(tmp.path("s.jsonl")).frames.size(), 100u);
  // A WAV at another rate is refused with a hint; so is an audio argument.
  Audio a8 = resample(audio, 8000);
  write_wav(a8, tmp.path("a8.wav"));
  r = test::run_cli_piped("speech --stream", tmp.path("a8.wav"), tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(test::contains(r.err, "16 kHz mono 16-bit")) << r.err;
  r = test::run_cli_piped("speech --stream '" + tmp.path("a.wav") + "'", tmp.path("a.raw"), tmp);
  EXPECT_EQ(r.exit_code, 6) << r.err;
}

// The stream animates the mouth, jaw and tongue from English phones: the offline take's other
// options are refused, not ignored (a --preview that silently wrote nothing). A compressed file
// piped in is named for what it is, not read as noise, and an existing -o file stays as it was.
TEST(CliSpeechStream, OptionsItDoesNotUseAndCompressedAudioAreRefused) {
  test::TempDir tmp;
  test::write_text(tmp.path("silence.raw"), std::string(3200, '\0'));
  for (const std::string& option :
       {"--preview " + test::q(tmp.path("p.mp4")), std::string("--semantic"),
        std::string("--no-coarticulation"), std::string("--no-prosody"), std::string("--no-blinks"),
        std::string("--no-gaze"), std::string("--seed 7"), std::string("--lang de"),
        std::string("--by-synthesis")}) {
    const auto r = test::run_cli_piped("speech --stream " + option, tmp.path("silence.raw"), tmp);
    EXPECT_EQ(r.exit_code, 2) << option << ": " << r.err;
    EXPECT_TRUE(test::contains(r.err, "excludes")) << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(tmp.path("p.mp4")));
  const std::string wav = test::shared_data("speech/sphinx_goforward.wav");
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(wav) + " " + test::q(tmp.path("a.mp3")) + " -c:a flac " +
                           test::q(tmp.path("a.flac"))));
  test::write_text(tmp.path("keep.jsonl"), "kept\n");
  for (const char* file : {"a.mp3", "a.flac"}) {
    const auto r = test::run_cli_piped("speech --stream -o " + test::q(tmp.path("keep.jsonl")),
                                       tmp.path(file), tmp);
    EXPECT_EQ(r.exit_code, 4) << file << ": " << r.err;
    EXPECT_TRUE(test::contains(r.err, "convert it first")) << r.err;
    EXPECT_EQ(test::read_text(tmp.path("keep.jsonl")), "kept\n");
  }
}

TEST(CliEvalSpeech, QuickRunWritesAReportPerSource) {
  test::TempDir tmp;
  const test::RunResult r =
      test::run_cli("eval speech --quick --real '" + test::shared_data("speech") + "' -o '" +
                        tmp.path("e.json") + "'",
                    tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "espeak-ng: 8 utterances")) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("e.json")));
  // espeak-ng; de, fr, es, it, ru, zh and festival's Italian (by synthesis and cross-language);
  // festival and real, each also by synthesis.
  ASSERT_EQ(j["sources"].size(), 12u);
  EXPECT_EQ(j["voices"].size(), 1u);
  int languages = 0, wrong = 0, detected = 0;
  for (const auto& s : j["sources"]) {
    const bool by_synthesis = s.contains("with_transcript_by_synthesis");
    const std::vector<const char*> modes =
        by_synthesis ? std::vector<const char*>{"with_transcript_by_synthesis",
                                                "without_transcript_phone_recogniser"}
                     : std::vector<const char*>{"with_transcript", "without_transcript", "live"};
    for (const char* mode : modes) {
      EXPECT_GE(s[mode]["frames"].get<int>(), 400) << mode;
      EXPECT_GT(s[mode]["lip_class_frame_accuracy"].get<double>(), 0.3) << mode;
    }
    const std::string source = s["source"];
    const bool english = source.find("en-us") != std::string::npos;
    EXPECT_EQ(s.contains("with_transcript_cross_language"), by_synthesis && !english) << source;
    if (s.contains("with_transcript_cross_language")) {  // measured: all kept, 13 of 14 detected
      const auto& check = s["with_transcript_cross_language"]["transcript_check"];
      EXPECT_EQ(check["right_kept"], check["right"]) << source;
      EXPECT_EQ(check["wrong"].get<int>(), 2) << source;
      wrong += check["wrong"].get<int>();
      detected += check["wrong_detected"].get<int>();
    }
    if (source.rfind("festival it", 0) == 0) {  // measured 0.834, by synthesis 0.620
      EXPECT_GE(s["with_transcript_cross_language"]["lip_class_frame_accuracy"].get<double>(),
                0.78);
      EXPECT_GT(s["with_transcript_cross_language"]["lip_class_frame_accuracy"].get<double>(),
                s["with_transcript_by_synthesis"]["lip_class_frame_accuracy"].get<double>() + 0.1);
    }
    if (by_synthesis && s["source"].get<std::string>().rfind("espeak-ng", 0) == 0) {
      ++languages;  // measured 0.798-0.900 (docs/speech.md)
      EXPECT_GE(s["with_transcript_by_synthesis"]["lip_class_frame_accuracy"].get<double>(), 0.75)
          << s["source"];
      EXPECT_GE(s["with_transcript_by_synthesis"]["bilabial_recall_40ms"].get<double>(), 0.95)
          << s["source"];
    }
  }
  EXPECT_EQ(languages, 6);
  EXPECT_GE(detected, wrong - 2);
  EXPECT_EQ(test::run_cli("eval speech --real /nonexistent", tmp).exit_code, 3);
}

TEST(CliEvalSpeech, LanguagesOnlyRunsTheLanguagesAsked) {
  test::TempDir tmp;
  const test::RunResult r = test::run_cli(
      "eval speech --quick --languages-only --languages ko,hi -o '" + tmp.path("e.json") + "'",
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("e.json")));
  ASSERT_EQ(j["sources"].size(), 2u);
  EXPECT_EQ(j["sources"][0]["source"], "espeak-ng ko");
  EXPECT_EQ(j["sources"][1]["source"], "espeak-ng hi");
  for (const auto& s : j["sources"]) {
    const auto& cross = s["with_transcript_cross_language"];
    EXPECT_GE(cross["lip_class_frame_accuracy"].get<double>(), 0.5) << s["source"];
    EXPECT_EQ(cross["transcript_check"]["right_kept"], cross["transcript_check"]["right"]);
  }
  const test::RunResult unknown = test::run_cli("eval speech --languages de,xx", tmp);
  EXPECT_EQ(unknown.exit_code, 6);
  EXPECT_TRUE(test::contains(unknown.err, "\"xx\"")) << unknown.err;
  EXPECT_EQ(test::run_cli("eval speech --languages-only --real /tmp", tmp).exit_code, 2);
}

}  // namespace
}  // namespace semblend
