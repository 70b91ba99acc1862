// `semblend speech AUDIO [--transcript TEXT]`: the aligner through the command line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "semblend/audio.h"
#include "semblend/formats.h"
#include "semblend/speech.h"
#include "test_util.h"

namespace semblend {
namespace {

float peak(const Take& take, Blendshape s) {
  float v = 0;
  for (const FaceFrame& f : take.frames) v = std::max(v, f.coefficients[s]);
  return v;
}

TEST(CliSpeechAlign, TranscriptAndRecognitionMakeATakeSpanningTheAudio) {
  test::TempDir tmp;
  const std::string wav =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav");
  const std::string base = wav.substr(0, wav.size() - 4);
  const double duration = read_audio(base + ".wav").duration();
  auto r = test::run_cli(
      "speech '" + base + ".wav' --transcript '" + base + ".txt' -o '" + tmp.path("a.csv") + "'",
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "transcript: 8 words")) << r.err;
  Take take = read_take(tmp.path("a.csv"));
  EXPECT_NEAR(take.duration(), duration, 2.0 / 60);
  EXPECT_GT(peak(take, Blendshape::MouthPressLeft), 0.15f);  // "might", "been", "made", "amiable"
  EXPECT_GT(peak(take, Blendshape::JawOpen), 0.3f);
  // `--transcript -` reads it from standard input, as a recogniser's output is piped in: the same
  // take as from the file; an empty pipe is the transcript error naming standard input.
  auto piped = [&](const std::string& input, const std::string& out) {
    return test::run_cli_piped(
        "speech '" + base + ".wav' --transcript - -o '" + tmp.path(out) + "'", input, tmp);
  };
  r = piped(base + ".txt", "piped.csv");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "transcript: 8 words")) << r.err;
  EXPECT_EQ(test::read_text(tmp.path("piped.csv")), test::read_text(tmp.path("a.csv")));
  test::write_text(tmp.path("empty.txt"), "");
  r = piped(tmp.path("empty.txt"), "c.csv");
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(test::contains(r.err, "standard input")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("c.csv")));
  r = test::run_cli("speech '" + base + ".wav' -o '" + tmp.path("b.jsonl") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "recognition:")) << r.err;
  EXPECT_NEAR(read_take(tmp.path("b.jsonl")).duration(), duration, 2.0 / 60);
}

// --alignment writes the timed words and phones in the format --phones reads: read back, they
// animate the same take; the words are the transcript's as written.
TEST(CliSpeechAlign, TheAlignmentIsWrittenAndAnimatesTheSameTakeAgain) {
  test::TempDir tmp;
  const std::string wav =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav");
  const std::string base = wav.substr(0, wav.size() - 4);
  auto r =
      test::run_cli("speech '" + base + ".wav' --transcript '" + base + ".txt' -o '" +
                        tmp.path("a.json") + "' --alignment '" + tmp.path("a.phones.json") + "'",
                    tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string json = test::read_text(tmp.path("a.phones.json"));
  const auto phones = parse_phone_alignment_json(json, "a.phones.json");
  ASSERT_GT(phones.size(), 20u);
  EXPECT_TRUE(test::contains(
      json, "\"t\":\"" +
                [&] {
                  std::string words;  // the transcript's words, lowercase, without punctuation
                  for (char c : test::read_text(base + ".txt"))
                    if (std::isalpha(static_cast<unsigned char>(c)) || c == ' ' || c == '\'')
                      words += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                  while (!words.empty() && words.back() == ' ') words.pop_back();
                  return words;
                }() +
                "\""))
      << json.substr(0, 300);
  r = test::run_cli("speech '" + base + ".wav' --phones '" + tmp.path("a.phones.json") + "' -o '" +
                        tmp.path("b.json") + "'",
                    tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take a = read_take(tmp.path("a.json")), b = read_take(tmp.path("b.json"));
  ASSERT_EQ(a.frames.size(), b.frames.size());
  float worst = 0;
  for (std::size_t i = 0; i < a.frames.size(); ++i)
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      worst = std::max(worst,
                       std::abs(a.frames[i].coefficients.at(k) - b.frames[i].coefficients.at(k)));
  EXPECT_LT(worst, 0.01f) << "times are written to 0.1 ms";
  // Checked before any work; not with --stream or a batch.
  EXPECT_EQ(test::run_cli("speech '" + base + ".wav' --alignment '" + tmp.path("x.txt") + "'", tmp)
                .exit_code,
            6);
  EXPECT_EQ(
      test::run_cli("speech '" + base + ".wav' --alignment '" + tmp.path("no/x.json") + "'", tmp)
          .exit_code,
      5);
  EXPECT_EQ(
      test::run_cli("speech --stream --alignment '" + tmp.path("x.json") + "'", tmp).exit_code, 6);
}

// A video's sound track is lip-synced on the video's clock: the LibriVox utterance put 0.5 s into
// a clip (its sound track starting late) gives the same mouth as the WAV, 0.5 s later, with a
// still, closed mouth before it. A video without sound is exit 4, saying so.
TEST(CliSpeechAlign, AVideosSoundIsLipSyncedOnTheVideosClock) {
  test::TempDir tmp;
  const std::string wav =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav");
  const std::string base = wav.substr(0, wav.size() - 4);
  const std::string video = tmp.path("clip.mp4"), silent = tmp.path("silent.mp4");
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=30:duration=4 -itsoffset 0.5 -i " +
                           test::q(base + ".wav") + " -map 0:v -map 1:a -c:v libx264 -c:a aac " +
                           test::q(video)));
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=30:duration=1 -c:v libx264 " +
                           test::q(silent)));
  const std::string transcript = " --transcript " + test::q(base + ".txt");
  auto r = test::run_cli(
      "speech " + test::q(base + ".wav") + transcript + " -o " + test::q(tmp.path("wav.csv")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = test::run_cli(
      "speech " + test::q(video) + transcript + " -o " + test::q(tmp.path("video.csv")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take from_wav = read_take(tmp.path("wav.csv")),
             from_video = read_take(tmp.path("video.csv"));
  EXPECT_NEAR(from_video.duration(), from_wav.duration() + 0.5, 3.0 / 60);
  constexpr std::size_t kLate = 30;  // 0.5 s at 60 fps
  ASSERT_GE(from_video.frames.size(), from_wav.frames.size() + kLate - 3);
  for (std::size_t i = 0; i < 24; ++i)  // the first 0.4 s: nothing said yet
    EXPECT_LT(from_video.frames[i].coefficients[Blendshape::JawOpen], 0.02f) << "frame " << i;
  // The jaw follows the same speech: correlated frame for frame, 0.5 s later.
  double ab = 0, aa = 0, bb = 0, ma = 0, mb = 0;
  const std::size_t n = std::min(from_wav.frames.size(), from_video.frames.size() - kLate);
  for (std::size_t i = 0; i < n; ++i) {
    ma += from_wav.frames[i].coefficients[Blendshape::JawOpen] / double(n);
    mb += from_video.frames[i + kLate].coefficients[Blendshape::JawOpen] / double(n);
  }
  for (std::size_t i = 0; i < n; ++i) {
    const double a = from_wav.frames[i].coefficients[Blendshape::JawOpen] - ma;
    const double b = from_video.frames[i + kLate].coefficients[Blendshape::JawOpen] - mb;
    ab += a * b;
    aa += a * a;
    bb += b * b;
  }
  EXPECT_GT(ab / std::sqrt(aa * bb), 0.9);

  r = test::run_cli("speech " + test::q(silent) + " -o " + test::q(tmp.path("s.csv")), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, "the video has no sound track")) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("s.csv")));
}

TEST(CliSpeechAlign, SilenceIsAStillMouthAndBadTranscriptsAreErrors) {
  test::TempDir tmp;
  Audio silent;
  silent.samples.assign(16000, 0.0f);
  write_wav(silent, tmp.path("quiet.wav"));
  test::write_text(tmp.path("t.txt"), "hello there");
  const std::string quiet = "'" + tmp.path("quiet.wav") + "'";
  auto r = test::run_cli("speech " + quiet + " --transcript '" + tmp.path("t.txt") + "' -o '" +
                             tmp.path("q.csv") + "'",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "silent")) << r.err;
  const Take take = read_take(tmp.path("q.csv"));
  EXPECT_EQ(peak(take, Blendshape::JawOpen), 0.0f);

  test::write_text(tmp.path("latin1.txt"), "caf\xe9 au lait");
  r = test::run_cli("speech " + quiet + " --transcript '" + tmp.path("latin1.txt") + "'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, "latin1.txt: the transcript is not valid UTF-8")) << r.err;
  test::write_text(tmp.path("empty.txt"), "\n");
  r = test::run_cli("speech " + quiet + " --transcript '" + tmp.path("empty.txt") + "'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_TRUE(test::contains(r.err, "empty.txt")) << r.err;
  EXPECT_EQ(
      test::run_cli("speech " + quiet + " --transcript '" + tmp.path("missing.txt") + "'", tmp)
          .exit_code,
      3);
  EXPECT_EQ(
      test::run_cli("speech " + quiet + " --transcript '" + tmp.path("t.txt") + "' --phones x.json",
                    tmp)
          .exit_code,
      6);
}

TEST(CliSpeechAlign, AMismatchedTranscriptWarnsAndFallsBack) {
  test::TempDir tmp;
  const std::string wav = test::shared_data("speech/sphinx_goforward.wav");
  test::write_text(tmp.path("wrong.txt"),
                   "and mister john dashwood had then leisure to consider how much there might be");
  const auto r = test::run_cli("speech '" + wav + "' --transcript '" + tmp.path("wrong.txt") +
                                   "' -o '" + tmp.path("w.csv") + "'",
                               tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "wrong.txt: the transcript")) << r.err;
  EXPECT_TRUE(test::contains(r.err, "falling back to recognition")) << r.err;
}

// Far more words than the audio could hold: refused before aligning (400,000 words once ran for
// minutes), with the same fallback as any mismatch (another language: to the phone recogniser);
// aligned by synthesis (--by-synthesis) an error.
TEST(CliSpeechAlign, ATranscriptFarTooLongForTheAudioIsRefusedAtOnce) {
  test::TempDir tmp;
  const std::string wav = test::shared_data("speech/sphinx_goforward.wav");
  std::string words;
  for (int i = 0; i < 5000; ++i) words += "go forward ten meters ";
  test::write_text(tmp.path("long.txt"), words);
  auto r = test::run_cli("speech '" + wav + "' --transcript '" + tmp.path("long.txt") + "' -o '" +
                             tmp.path("l.csv") + "'",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "the transcript has 20000 words for")) << r.err;
  EXPECT_TRUE(test::contains(r.err, "falling back to recognition")) << r.err;
  // Another language falls back too, to the phone recogniser; by synthesis it is refused.
  r = test::run_cli("speech '" + wav + "' --lang de --transcript '" + tmp.path("long.txt") + "'",
                    tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(test::contains(r.err, "the transcript has 20000 words for")) << r.err;
  EXPECT_TRUE(test::contains(r.err, "falling back to the phone recogniser")) << r.err;
  r = test::run_cli(
      "speech '" + wav + "' --lang de --by-synthesis --transcript '" + tmp.path("long.txt") + "'",
      tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_TRUE(test::contains(r.err, "long.txt")) << r.err;
}

// Outputs that cannot be written fail before the alignment, and leave nothing.
TEST(CliSpeechAlign, OutputsAreCheckedBeforeAnyWork) {
  test::TempDir tmp;
  const std::string wav = test::shared_data("speech/sphinx_goforward.wav");
  const std::string take = " -o '" + tmp.path("t.json") + "'";
  EXPECT_EQ(
      test::run_cli("speech '" + wav + "'" + take + " --preview '" + tmp.path("p.txt") + "'", tmp)
          .exit_code,
      6);
  EXPECT_EQ(test::run_cli("speech '" + wav + "' --semantic -o '" + tmp.path("t.csv") + "'", tmp)
                .exit_code,
            6);
  EXPECT_EQ(test::run_cli("speech '" + wav + "' -o '" + tmp.path("no/t.json") + "'", tmp).exit_code,
            5);
  // A language espeak-ng lacks, with or without a transcript.
  const auto lang = test::run_cli("speech '" + wav + "' --lang xx-bogus" + take, tmp);
  EXPECT_EQ(lang.exit_code, 6) << lang.err;
  EXPECT_TRUE(test::contains(lang.err, "xx-bogus")) << lang.err;
  // Outputs that would fail after the work: where no file can be made (/proc, even for root),
  // and the alignment and the take in one file (one would replace the other).
  for (const std::string& out :
       {std::string(" -o /proc/semblend-no.json"), " --alignment /proc/semblend-no.json" + take,
        " --preview /proc/semblend-no.mp4" + take,
        " --alignment '" + tmp.path("./t.json") + "'" + take}) {
    const auto r = test::run_cli("speech '" + wav + "'" + out, tmp);
    EXPECT_EQ(r.exit_code, out.find("/proc") != std::string::npos ? 5 : 6) << out << ": " << r.err;
    EXPECT_FALSE(test::contains(r.err, "real-time factor")) << "no work was done: " << r.err;
  }
  // Without ffmpeg the preview cannot be made: said before the alignment, not after it.
  const auto no_ffmpeg = test::run_cli_env(
      "PATH=" + tmp.path("bin"),
      "speech '" + wav + "'" + take + " --preview " + test::q(tmp.path("p.mp4")), tmp);
  EXPECT_EQ(no_ffmpeg.exit_code, 1) << no_ffmpeg.err;
  EXPECT_TRUE(test::contains(no_ffmpeg.err, "install Debian's ffmpeg")) << no_ffmpeg.err;
  EXPECT_FALSE(test::contains(no_ffmpeg.err, "real-time factor")) << no_ffmpeg.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("t.json")));
  EXPECT_FALSE(std::filesystem::exists(tmp.path("t.csv")));
}

}  // namespace
}  // namespace semblend
