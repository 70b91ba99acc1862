// Import of SemanticFace results (src/formats/semanticface.cpp) against the model's real output.
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

const char* const kResults = "semanticface/example_result.jsonl";
const char* const kResultsCsv = "semanticface/example_result.csv";

Take results() {
  return parse_semanticface(test::read_text(test::shared_data(kResults)), kResults);
}

// The file holds 8 results on 7 newline-terminated lines plus an unterminated last line.
TEST(SemanticFace, RealResultsGiveOneFramePerResult) {
  const Take take = results();
  EXPECT_EQ(take.frames.size(), 8u);
  EXPECT_EQ(take.metadata.at("source_format"), "semanticface");
  EXPECT_NEAR(take.frames[1].time, 1.0 / 30, 1e-12);  // default rate for inputs without times
}

TEST(SemanticFace, RealResultsEqualTheRowsOfTheConvertedCsv) {
  const Take take = results();
  const Take csv = read_take(test::shared_data(kResultsCsv));
  ASSERT_EQ(take.frames.size(), csv.frames.size());
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      EXPECT_NEAR(take.frames[i].coefficients.at(k), csv.frames[i].coefficients.at(k), 1e-6)
          << "row " << i << " " << kBlendshapes[k].apple_name;
    for (std::size_t c = 0; c < kPoseChannelCount; ++c)
      EXPECT_NEAR(take.frames[i].pose(static_cast<PoseChannel>(c)),
                  csv.frames[i].pose(static_cast<PoseChannel>(c)), 1e-6)
          << "row " << i << " " << kPoseChannelNames[c];
  }
}

TEST(SemanticFace, ValuesAreNotAllZero) {
  const Take take = results();
  ASSERT_GE(take.frames.size(), 3u);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::EyeWideLeft], 0.6f);
  EXPECT_EQ(take.frames[2].coefficients[Blendshape::EyeBlinkLeft], 0.7f);
  EXPECT_EQ(take.frames[0].head.yaw, -0.1f);
}

TEST(SemanticFace, EachFrameKeepsTheAnalysisAndImagePath) {
  const Take take = results();
  const char* const paths[] = {"35", "50", "78", "91", "169", "241", "449", "491"};
  ASSERT_EQ(take.frames.size(), 8u);
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    const FaceFrame& f = take.frames[i];
    EXPECT_TRUE(f.analysis.starts_with("1. **Facial Expression Category**")) << f.analysis;
    EXPECT_NE(f.analysis.find("\n2. **"), std::string::npos) << "frame " << i;  // the whole list
    EXPECT_EQ(f.analysis.find("EyeBlinkLeft"), std::string::npos) << "the JSON is not analysis";
    EXPECT_NE(f.analysis.back(), '\n');
    EXPECT_EQ(f.source, std::string("example_img/") + paths[i] + ".jpg");
  }
}

TEST(SemanticFace, DetectedByContent) {
  EXPECT_EQ(detect_format(test::read_text(test::shared_data(kResults)), "results.jsonl"),
            TakeFormat::SemanticFace);
  EXPECT_EQ(read_take(test::shared_data(kResults)), results());
}

const char* const kStructured =
    R"({"analysis": {"expression_category": "happiness", "muscle_movements": {"mouth": "corners up", "eyes": "narrowed"}}, )"
    R"("arkit": {"MouthSmileLeft": 0.8, "MouthSmileRight": 0.7, "CheekSquintLeft": 0.4, "HeadYaw": -0.2}})";

void expect_structured_values(const FaceFrame& f) {
  EXPECT_EQ(f.coefficients[Blendshape::MouthSmileLeft], 0.8f);
  EXPECT_EQ(f.coefficients[Blendshape::MouthSmileRight], 0.7f);
  EXPECT_EQ(f.coefficients[Blendshape::CheekSquintLeft], 0.4f);
  EXPECT_EQ(f.coefficients[Blendshape::JawOpen], 0.0f);
  EXPECT_EQ(f.head.yaw, -0.2f);
  EXPECT_NE(f.analysis.find("happiness"), std::string::npos) << f.analysis;
  EXPECT_NE(f.analysis.find("corners up"), std::string::npos) << f.analysis;
}

TEST(SemanticFace, AnalysisArkitObjectAsALine) {
  const std::string text = std::string(kStructured) + "\n" + kStructured + "\n";
  const Take take = parse_semanticface(text, "structured.jsonl");
  ASSERT_EQ(take.frames.size(), 2u);
  expect_structured_values(take.frames[0]);
  expect_structured_values(take.frames[1]);
  EXPECT_NE(take.frames[0].analysis.find("Expression category: happiness"), std::string::npos)
      << take.frames[0].analysis;
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out + "\"";
}

TEST(SemanticFace, AnalysisArkitObjectInsideResponse) {
  const std::string line = R"({"response": )" + json_string(kStructured) +
                           R"(, "images": [{"bytes": null, "path": "img/7.jpg"}]})";
  const Take take = parse_semanticface(line + "\n", "response.jsonl");
  ASSERT_EQ(take.frames.size(), 1u);
  expect_structured_values(take.frames[0]);
  EXPECT_EQ(take.frames[0].source, "img/7.jpg");
}

TEST(SemanticFace, MarkdownBeforeAnalysisArkitObjectIsKept) {
  const std::string response = std::string("1. **Category**: joy\n\n") + kStructured;
  const std::string line = R"({"response": )" + json_string(response) + "}";
  const Take take = parse_semanticface(line, "mixed.jsonl");
  ASSERT_EQ(take.frames.size(), 1u);
  expect_structured_values(take.frames[0]);
  EXPECT_TRUE(take.frames[0].analysis.starts_with("1. **Category**: joy"))
      << take.frames[0].analysis;
}

TEST(SemanticFace, PrettyPrintedSingleResultReads) {
  const std::string text =
      "{\n  \"analysis\": \"a smile\",\n  \"arkit\": {\"MouthSmileLeft\": 0.5}\n}\n";
  const Take take = parse_semanticface(text, "one.json");
  ASSERT_EQ(take.frames.size(), 1u);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::MouthSmileLeft], 0.5f);
  EXPECT_EQ(take.frames[0].analysis, "a smile");
}

TEST(SemanticFace, ResponseWithoutValuesIsAnErrorOnItsLine) {
  const std::string text = std::string(kStructured) + "\n" +
                           R"({"response": "1. **Category**: no numbers here"})" + "\n";
  try {
    parse_semanticface(text, "novalues.jsonl");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("novalues.jsonl:2"), std::string::npos) << e.what();
  }
}

TEST(SemanticFace, UnknownNameInValuesIsAnError) {
  const std::string good = R"({"arkit": {"MouthSmileLeft": 0.5}})";
  const std::string bad = R"({"arkit": {"MouthSmileLeft": 0.5, "Grin": 1}})";
  try {
    parse_semanticface(good + "\n" + bad + "\n", "unknown.jsonl");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
    EXPECT_NE(std::string(e.what()).find("Grin"), std::string::npos) << e.what();
  }
}

TEST(SemanticFace, OutOfRangeValueIsAnError) {
  EXPECT_THROW(parse_semanticface(R"({"arkit": {"JawOpen": 3}})", "range.jsonl"), InputError);
  EXPECT_THROW(parse_semanticface(R"({"arkit": {"HeadYaw": 4}})", "angle.jsonl"), InputError);
}

}  // namespace
}  // namespace semblend
