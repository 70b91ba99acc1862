// `semblend describe` and `--semantic`, run as a process.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "semblend/audio.h"
#include "semblend/demo.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::run_cli;
using test::TempDir;

std::string demo_csv(const TempDir& tmp) {
  const std::string path = tmp.path("demo.csv");
  write_take(make_demo_take(30).take, path, TakeFormat::LiveLinkCsv);
  return path;
}

TEST(CliDescribe, WritesOneJsonObjectPerFrameWithTheSchemaFields) {
  TempDir tmp;
  const auto r = run_cli("describe '" + demo_csv(tmp) + "' -o '" + tmp.path("d.jsonl") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(test::read_text(tmp.path("d.jsonl")));
  std::string line;
  int n = 0, happy = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    for (const char* key : {"time", "semantic_version", "category", "confidence", "regions",
                            "action_units", "scores", "symmetry", "text"})
      ASSERT_TRUE(j.contains(key)) << key;
    EXPECT_EQ(j["regions"].size(), 8u);
    happy += j["category"] == "happiness";
    ++n;
  }
  EXPECT_EQ(n, static_cast<int>(make_demo_take(30).take.frames.size()));
  EXPECT_GT(happy, 10);  // the Duchenne smile segment
}

TEST(CliDescribe, TextAndAnalysisFormats) {
  TempDir tmp;
  const std::string csv = demo_csv(tmp);
  const auto text = run_cli("describe '" + csv + "' --format text --smooth", tmp);
  ASSERT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("a genuine (Duchenne) smile"), std::string::npos);
  const auto analysis = run_cli("describe '" + csv + "' --format analysis", tmp);
  ASSERT_EQ(analysis.exit_code, 0);
  EXPECT_NE(analysis.out.find("2. Muscle movements by region:"), std::string::npos);
  EXPECT_EQ(run_cli("describe '" + csv + "' --format poem", tmp).exit_code, 6);
  // The output's extension says what it holds: the analysis goes into a .txt, JSON lines into a
  // .jsonl; nothing else is written into a file that says otherwise.
  const auto txt =
      run_cli("describe '" + csv + "' --format analysis -o '" + tmp.path("a.txt") + "'", tmp);
  ASSERT_EQ(txt.exit_code, 0) << txt.err;
  EXPECT_EQ(test::read_text(tmp.path("a.txt")), analysis.out);
  for (const std::string& bad :
       {" -o '" + tmp.path("d.json") + "'", " -o '" + tmp.path("d.csv") + "'",
        " --format text -o '" + tmp.path("d.jsonl") + "'"}) {
    const auto r = run_cli("describe '" + csv + "'" + bad, tmp);
    EXPECT_EQ(r.exit_code, 6) << bad << ": " << r.err;
  }
  for (const char* f : {"d.json", "d.csv", "d.jsonl"})
    EXPECT_FALSE(std::filesystem::exists(tmp.path(f))) << f;
}

TEST(CliDescribe, ReadsASingleArkitFrame) {
  TempDir tmp;
  test::write_text(tmp.path("frame.json"), R"({"jawOpen": 0.6, "tongueOut": 0.8})");
  const auto r = run_cli("describe '" + tmp.path("frame.json") + "' --format text", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("tongue showing"), std::string::npos) << r.out;
}

TEST(CliDescribe, BadInputIsAClearError) {
  TempDir tmp;
  test::write_text(tmp.path("frame.json"), R"({"jawOpn": 0.6})");
  auto r = run_cli("describe '" + tmp.path("frame.json") + "'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("did you mean \"jawOpen\""), std::string::npos) << r.err;
  test::write_text(tmp.path("nan.json"), R"({"jawOpen": NaN})");
  r = run_cli("describe '" + tmp.path("nan.json") + "'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  test::write_text(tmp.path("range.json"), R"({"jawOpen": 3})");
  r = run_cli("describe '" + tmp.path("range.json") + "'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("outside [0, 1]"), std::string::npos) << r.err;
}

TEST(CliSemantic, ConvertAttachesDescriptionsToJsonlAndReadersSkipThem) {
  TempDir tmp;
  const std::string csv = demo_csv(tmp);
  auto r = run_cli("convert '" + csv + "' --semantic -o '" + tmp.path("s.jsonl") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string jsonl = test::read_text(tmp.path("s.jsonl"));
  EXPECT_NE(jsonl.find("\"semantics\":{\"semantic_version\":1"), std::string::npos);
  // Reading it back ignores the derived semantics: the CSV comes back byte for byte.
  r = run_cli("convert '" + tmp.path("s.jsonl") + "' -o '" + tmp.path("back.csv") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(test::read_text(tmp.path("back.csv")), test::read_text(csv));
}

TEST(CliSemantic, CsvHasNoPlaceForSemantics) {
  TempDir tmp;
  const auto r =
      run_cli("convert '" + demo_csv(tmp) + "' --semantic -o '" + tmp.path("x.csv") + "'", tmp);
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("--semantic needs a .json or .jsonl output"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace semblend

namespace semblend {
namespace {

TEST(CliSpeech, TimedPhonesBecomeATake) {
  test::TempDir tmp;
  const std::string phones =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0880.phone.json");
  const auto r =
      test::run_cli("speech --phones '" + phones + "' -o '" + tmp.path("s.csv") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take take = read_take(tmp.path("s.csv"));
  EXPECT_NEAR(take.duration(), 2.99, 0.05);
  float jaw = 0;
  for (const FaceFrame& f : take.frames) jaw = std::max(jaw, f.coefficients[Blendshape::JawOpen]);
  EXPECT_GT(jaw, 0.3f);  // "not": an open AA
}

TEST(CliSpeech, WithTheAudioTheTakeSpansItAndAMismatchIsRefused) {
  test::TempDir tmp;
  const std::string wav =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav");
  const std::string base = wav.substr(0, wav.size() - 4);
  auto r = test::run_cli(
      "speech '" + base + ".wav' --phones '" + base + ".phone.json' -o '" + tmp.path("s.csv") + "'",
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take take = read_take(tmp.path("s.csv"));
  const Audio audio = read_audio(base + ".wav");
  EXPECT_NEAR(take.duration(), audio.duration(), 2.0 / 60);
  // A long alignment against a short recording ("go forward ten meters", 1.1 s) is refused.
  const std::string other = test::shared_data("speech/sphinx_goforward.wav");
  r = test::run_cli("speech '" + other + "' --phones '" + base + ".phone.json'", tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("do not belong together"), std::string::npos) << r.err;
}

TEST(CliSpeech, WithoutAudioOrPhonesItSaysWhatIsMissing) {
  test::TempDir tmp;
  auto r = test::run_cli("speech", tmp);
  EXPECT_EQ(r.exit_code, 6);  // neither AUDIO nor --phones
  EXPECT_NE(r.err.find("needs AUDIO"), std::string::npos) << r.err;
  EXPECT_EQ(test::run_cli("speech x.wav", tmp).exit_code, 3);  // no such audio file
  test::write_text(tmp.path("bad.json"), R"({"t":"XQ","b":0,"d":0.1})");
  EXPECT_EQ(test::run_cli("speech --phones '" + tmp.path("bad.json") + "'", tmp).exit_code, 4);
}

}  // namespace
}  // namespace semblend
