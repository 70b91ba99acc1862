#include "semblend/rubric.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "semblend/error.h"
#include "semblend/file_io.h"
#include "test_util.h"

namespace semblend {
namespace {

Coefficients with(std::initializer_list<std::pair<Blendshape, float>> values) {
  Coefficients c;
  for (const auto& [s, v] : values) c.set(s, v);
  return c;
}

TEST(Rubric, ChecksReadAndDecide) {
  const Coefficients smile =
      with({{Blendshape::MouthSmileLeft, 0.7f}, {Blendshape::MouthSmileRight, 0.35f}});
  const RubricCheck each = parse_rubric_check("each(mouthSmileLeft, mouthSmileRight) >= 0.4");
  const RubricOutcome e = evaluate_check(each, smile);
  EXPECT_FALSE(e.pass);  // the right side is below
  EXPECT_FLOAT_EQ(e.value, 0.35f);
  EXPECT_EQ(e.shape, "mouthSmileRight");
  EXPECT_TRUE(
      evaluate_check(parse_rubric_check("mean(mouthSmileLeft,mouthSmileRight)>=0.5"), smile).pass);
  EXPECT_TRUE(
      evaluate_check(parse_rubric_check("max(eyeBlinkLeft, mouthSmileLeft) >= 0.7"), smile).pass);
  EXPECT_TRUE(evaluate_check(parse_rubric_check("jawOpen <= 0"), smile).pass);
  const RubricOutcome all = evaluate_check(parse_rubric_check("all <= 0.5"), smile);
  EXPECT_FALSE(all.pass);
  EXPECT_EQ(all.shape, "mouthSmileLeft");
  EXPECT_TRUE(evaluate_check(parse_rubric_check("all except(mouthSmileLeft) <= 0.35"), smile).pass);
  EXPECT_EQ(parse_rubric_check("all except(mouthSmileLeft, jawOpen) <= 0.3").shapes.size(), 50u);
}

TEST(Rubric, BadChecksAreNamed) {
  for (const char* bad : {"mouthSmileLeft", "mouthSmileLeft >= 1.5", "mouthSmileLeft >= x",
                          "mouthSmile >= 0.4", "each() >= 0.2", "all but(jawOpen) <= 0.2", ">= 0.3",
                          "each(jawOpen,, mouthClose) <= 0.2"}) {
    try {
      parse_rubric_check(bad);
      ADD_FAILURE() << bad << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
    }
  }
  EXPECT_THROW(parse_rubric("{", "r.json"), InputError);
  EXPECT_THROW(parse_rubric(R"({"photos": []})", "r.json"), InputError);
  EXPECT_THROW(parse_rubric(R"({"photos": [{"file": "a.jpg", "checks": []}]})", "r.json"),
               InputError);
  try {
    parse_rubric(R"({"photos": [{"file": "a.jpg", "checks": ["jawOpn >= 0.2"]}]})", "r.json");
    ADD_FAILURE();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "r.json");
    EXPECT_NE(e.problem().find("a.jpg"), std::string::npos);
    EXPECT_NE(e.problem().find("jawOpn"), std::string::npos);
  }
}

TEST(Rubric, TheShippedRubricCoversEverySharedPhoto) {
  const std::string path = std::string(SEMBLEND_SOURCE_DIR) + "/data/eval/face_rubric.json";
  const Rubric r = parse_rubric(read_file(path), path);
  std::size_t photos = 0;
  for (const auto& e : std::filesystem::directory_iterator(test::shared_data("faces"))) {
    (void)e;
    ++photos;
  }
  EXPECT_EQ(r.photos.size(), photos);
  for (const RubricPhoto& p : r.photos) {
    EXPECT_TRUE(std::filesystem::exists(test::shared_data(p.file))) << p.file;
    EXPECT_FALSE(p.expression.empty()) << p.file;
  }
}

}  // namespace
}  // namespace semblend
