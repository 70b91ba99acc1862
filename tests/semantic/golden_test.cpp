// Golden tests of the semantic encoder on canonical expressions
// (tests/golden/semantic_expressions.json). The expected categories below are stated by hand (what
// a FACS coder would say); the golden file pins the exact wording. SEMBLEND_REGENERATE_GOLDEN=1
// rewrites the file's "expect" fields.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "semblend/formats.h"
#include "semblend/semantic.h"
#include "test_util.h"

namespace semblend {
namespace {

using json = nlohmann::ordered_json;

const std::string kGolden =
    std::string(SEMBLEND_SOURCE_DIR) + "/tests/golden/semantic_expressions.json";

Coefficients coefficients_of(const json& dict) {
  const Take t = parse_arkit_json(dict.dump(), "golden");
  return t.frames.at(0).coefficients;
}

// What each canonical expression must be, independent of the golden file.
const std::map<std::string, std::pair<Category, bool>> kExpected = {
    {"neutral", {Category::Neutral, false}},
    {"duchenne_smile", {Category::Happiness, true}},
    {"social_smile", {Category::Happiness, false}},
    {"surprise", {Category::Surprise, false}},
    {"anger", {Category::Anger, false}},
    {"sadness", {Category::Sadness, false}},
    {"disgust", {Category::Disgust, false}},
    {"fear", {Category::Fear, false}},
    {"contempt", {Category::Contempt, false}},
    {"wink_left", {Category::Speaking, false}},  // "other": a wink is a signal, not an emotion
    {"speech_jaw_open", {Category::Speaking, false}},
    {"pucker", {Category::Speaking, false}},
    {"cheek_puff", {Category::Speaking, false}},
    {"tongue_out", {Category::Speaking, false}},
};

TEST(SemanticGolden, CanonicalExpressions) {
  json golden = json::parse(test::read_text(kGolden));
  const bool regenerate = std::getenv("SEMBLEND_REGENERATE_GOLDEN") != nullptr;
  ASSERT_EQ(golden["expressions"].size(), kExpected.size());
  for (auto& e : golden["expressions"]) {
    const std::string name = e["name"];
    SCOPED_TRACE(name);
    const SemanticDescription d = describe(coefficients_of(e["coefficients"]));
    const auto& [category, duchenne] = kExpected.at(name);
    EXPECT_EQ(category_name(d.category), category_name(category));
    EXPECT_EQ(d.duchenne, duchenne);
    json got{{"category", category_name(d.category)},
             {"confidence", std::round(double(d.confidence) * 1000) / 1000},
             {"sentence", sentence(d)},
             {"analysis", analysis(d)}};
    if (regenerate) {
      e["expect"] = got;
      continue;
    }
    ASSERT_TRUE(e.contains("expect")) << "no golden output; regenerate the file";
    const json& want = e["expect"];
    EXPECT_EQ(got["category"], want["category"]);
    EXPECT_NEAR(got["confidence"].get<double>(), want["confidence"].get<double>(), 0.02);
    EXPECT_EQ(got["sentence"], want["sentence"]);
    EXPECT_EQ(got["analysis"], want["analysis"]);
  }
  if (regenerate) test::write_text(kGolden, golden.dump(2) + "\n");
}

TEST(SemanticGolden, WinkIsCalledAWinkOfTheSubjectsLeftEye) {
  Coefficients c;
  c.set(Blendshape::EyeBlinkLeft, 0.95f);
  const SemanticDescription d = describe(c);
  EXPECT_NE(sentence(d).find("Left eye closed (a wink)"), std::string::npos) << sentence(d);
  EXPECT_NE(symmetry_statement(d).find("wink of the left eye"), std::string::npos);
}

TEST(SemanticGolden, MirroredFaceSwapsLeftAndRightInWords) {
  Coefficients c;
  c.set(Blendshape::MouthSmileLeft, 0.7f);
  c.set(Blendshape::MouthSmileRight, 0.3f);
  const std::string left = sentence(describe(c));
  const std::string right = sentence(describe(c.mirrored()));
  EXPECT_NE(left.find("stronger on the left"), std::string::npos) << left;
  EXPECT_NE(right.find("stronger on the right"), std::string::npos) << right;
  std::string swapped = left;
  swapped.replace(swapped.find("left"), 4, "right");
  EXPECT_EQ(swapped, right);
}

}  // namespace
}  // namespace semblend
