// `semblend eval faces` (the real-photo rubric), `eval training-plot`, `eval canonical`,
// `eval solver`, `eval take` and `eval rig`.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "semblend/formats.h"
#include "semblend/image.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::q;

using test::run_cli;

TEST(CliEvalFaces, ScoresTheShippedRubricOnTheSharedPhotos) {
  test::TempDir tmp;
  std::filesystem::create_directory(tmp.path("sbs"));
  const std::string rubric = std::string(SEMBLEND_SOURCE_DIR) + "/data/eval/face_rubric.json";
  const std::string data = std::filesystem::path(test::shared_data("faces")).parent_path();
  const auto r = run_cli("eval faces --rubric " + q(rubric) + " --data " + q(data) + " -o " +
                             q(tmp.path("report.json")) + " --side-by-side " + q(tmp.path("sbs")) +
                             " --photo-skin",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("report.json")));
  EXPECT_EQ(j["faces_found"], 15);
  ASSERT_EQ(j["photos"].size(), 15u);
  // A floor under the measured rate (docs/solver.md), so a regression shows.
  EXPECT_GE(j["check_pass_rate"].get<double>(), 0.6) << r.err;
  EXPECT_NE(r.err.find("checks pass"), std::string::npos);
  // One side-by-side picture per photo: the photo's height, wider than the photo.
  const Image sbs = read_image(tmp.path("sbs/faceapi_surprised.png"));
  const Image photo = read_image(test::shared_data("faces/faceapi_surprised.jpg"));
  EXPECT_EQ(sbs.height, photo.height);
  EXPECT_GT(sbs.width, photo.width);
}

TEST(CliEvalFaces, ABadRubricNamesItselfAndWritesNothing) {
  test::TempDir tmp;
  test::write_text(
      tmp.path("r.json"),
      R"({"photos": [{"file": "faces/faceapi_sad.jpg", "checks": ["smile >= 0.4"]}]})");
  const auto r = run_cli(
      "eval faces --rubric " + q(tmp.path("r.json")) + " -o " + q(tmp.path("out.json")), tmp);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("r.json"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("smile"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("out.json")));
}

TEST(CliEvalTrainingPlot, DrawsTheShippedReport) {
  test::TempDir tmp;
  const std::string report = std::string(SEMBLEND_SOURCE_DIR) + "/data/solver/training_report.json";
  const auto r = run_cli("eval training-plot " + q(report) + " -o " + q(tmp.path("p.png")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_image(tmp.path("p.png")).width, 900);
  test::write_text(tmp.path("bad.json"), R"({"command": "x"})");
  const auto bad =
      run_cli("eval training-plot " + q(tmp.path("bad.json")) + " -o " + q(tmp.path("b.png")), tmp);
  EXPECT_NE(bad.exit_code, 0);
  EXPECT_NE(bad.err.find("curve"), std::string::npos) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("b.png")));
}

TEST(CliTrain, RunsTheTrainerWithItsArgumentsOrSaysWhyNot) {
  // `semblend train ARGS` is semblend_train ARGS: an argument only the trainer knows about is
  // rejected by the trainer itself (before any data is made). Where libtorch was not found the
  // trainer is not built, and the command says so.
  test::TempDir tmp;
  const auto r = run_cli("train --no-such-argument 7", tmp);
  const bool built =
      std::filesystem::exists(std::filesystem::path(SEMBLEND_CLI).parent_path() / "semblend_train");
  if (built) {
    EXPECT_EQ(r.exit_code, 2);  // a usage error, as in the semblend command line
    EXPECT_NE(r.err.find("semblend_train: unknown argument --no-such-argument"), std::string::npos)
        << r.err;
  } else {
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("libtorch"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace semblend

namespace semblend {
namespace {

TEST(CliEvalCanonical, ReadsClosedEyesAndANeutralFace) {
  test::TempDir tmp;
  const auto r =
      test::run_cli("eval canonical --identities 1 -o '" + tmp.path("c.json") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("c.json")));
  ASSERT_GE(j["expressions"].size(), 10u);
  // What MediaPipe's model is known to miss and the shipped solver must get right: closed eyes
  // read as closed, and a neutral face rests near zero.
  for (const auto& e : j["expressions"]) {
    EXPECT_EQ(e["detected"], e["renders"]) << e["expression"];
    if (e["expression"] == "eyes closed" || e["expression"] == "neutral") {
      for (const auto& c : e["checks"]) {
        EXPECT_TRUE(c["pass"].get<bool>()) << e << r.out;
      }
    }
  }
  EXPECT_GT(j["scored_checks"].get<int>(), j["passed_checks"].get<int>() / 2);
  // Without the appearance branch (the default) the tongue and the puffed cheeks are not scored.
  EXPECT_FALSE(j["appearance"].get<bool>());
  for (const auto& e : j["expressions"]) {
    if (e["expression"] == "cheek puff" || e["expression"] == "tongue out") {
      EXPECT_FALSE(e["scored"].get<bool>()) << e["expression"];
    }
  }
}

// With the appearance branch they are, and closed eyes and the neutral face still hold.
TEST(CliEvalCanonical, WithAppearanceTongueAndPuffAreScoredAndRead) {
  test::TempDir tmp;
  const auto a = test::run_cli(
      "eval canonical --identities 1 --appearance -o '" + tmp.path("a.json") + "'", tmp);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  const auto ja = nlohmann::json::parse(test::read_text(tmp.path("a.json")));
  EXPECT_TRUE(ja["appearance"].get<bool>());
  for (std::size_t i = 0; i < ja["expressions"].size(); ++i) {
    const auto& e = ja["expressions"][i];
    EXPECT_TRUE(e["scored"].get<bool>()) << e["expression"];
    const std::string name = e["expression"];
    if (name == "eyes closed" || name == "neutral" || name == "tongue out" ||
        name == "cheek puff") {
      for (const auto& c : e["checks"]) EXPECT_TRUE(c["pass"].get<bool>()) << e << a.out;
    }
  }
}

TEST(CliEvalAppearance, ReportsEachShapeForGeometryAppearanceAndFusion) {
  test::TempDir tmp;
  const auto r =
      test::run_cli("eval appearance --samples 16 --seed 77 -o '" + tmp.path("a.json") + "'", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("a.json")));
  EXPECT_EQ(j["format"], "semblend.eval.appearance");
  EXPECT_GE(j["detected"].get<int>(), 15);
  ASSERT_EQ(j["shapes"].size(), 6u);
  for (const char* name :
       {"eyeBlinkLeft", "eyeBlinkRight", "eyeWideLeft", "eyeWideRight", "tongueOut", "cheekPuff"}) {
    const auto& s = j["shapes"][name];
    for (const char* m : {"geometry", "appearance", "fused"}) {
      const double mae = s[m]["mae"];
      EXPECT_GE(mae, 0.0) << name << " " << m;
      EXPECT_LT(mae, 0.5) << name << " " << m;
    }
  }
  EXPECT_NE(r.err.find("fused"), std::string::npos) << r.err;
  const auto bad = test::run_cli("eval appearance --samples 0", tmp);
  EXPECT_NE(bad.exit_code, 0);
}

}  // namespace
}  // namespace semblend

namespace semblend {
namespace {

TEST(CliEvalSolver, ReportsErrorAndBiasPerShapeThroughLandmarksAndImages) {
  test::TempDir tmp;
  const auto r =
      run_cli("eval solver --samples 60 --images 8 -o " + q(tmp.path("solver.json")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("solver.json")));
  EXPECT_EQ(j["format"], "semblend.eval.solver");
  EXPECT_EQ(j["images_detected"], 8);
  // Bounds far above the measured 0.038 / 0.049 on 1000 / 150 (docs/solver.md): a broken path
  // (say, mixed-up shapes) reads around 0.2.
  EXPECT_LT(j["mae"].get<double>(), 0.08);
  EXPECT_LT(j["image_mae"].get<double>(), 0.11);
  ASSERT_EQ(j["per_shape"].size(), 52u);
  for (const auto& [name, shape] : j["per_shape"].items()) {
    const double mae = shape["image_mae"], bias = shape["image_bias"];
    EXPECT_LE(std::abs(bias), mae + 1e-9) << name;  // a mean signed error within the mean error
  }
  EXPECT_NE(r.err.find("(bias "), std::string::npos) << r.err;
  // Bad values: exit 6, nothing written.
  const auto bad = run_cli("eval solver --samples 0 -o " + q(tmp.path("none.json")), tmp);
  EXPECT_EQ(bad.exit_code, 6) << bad.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("none.json")));
}

TEST(CliEvalTake, ATakeAgainstItselfAndAgainstAnother) {
  test::TempDir tmp;
  ASSERT_EQ(test::run_cli("demo --fps 30 -o " + test::q(tmp.path("a.json")), tmp).exit_code, 0);
  const auto same =
      test::run_cli("eval take " + test::q(tmp.path("a.json")) + " --truth " +
                        test::q(tmp.path("a.json")) + " -o " + test::q(tmp.path("r.json")),
                    tmp);
  ASSERT_EQ(same.exit_code, 0) << same.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("r.json")));
  EXPECT_EQ(j["mae"].get<double>(), 0.0);
  EXPECT_NEAR(j["correlation"]["jawOpen"].get<double>(), 1.0, 1e-6);
  EXPECT_NE(same.out.find("key frame"), std::string::npos);
  // Against the demo at another frame rate: matched by time, so still close.
  ASSERT_EQ(test::run_cli("demo --fps 60 -o " + test::q(tmp.path("b.json")), tmp).exit_code, 0);
  const auto other =
      test::run_cli("eval take " + test::q(tmp.path("a.json")) + " --truth " +
                        test::q(tmp.path("b.json")) + " -o " + test::q(tmp.path("r2.json")),
                    tmp);
  ASSERT_EQ(other.exit_code, 0) << other.err;
  const auto k = nlohmann::json::parse(test::read_text(tmp.path("r2.json")));
  EXPECT_LT(k["mae"].get<double>(), 0.01);
  EXPECT_GT(k["correlation"]["jawOpen"].get<double>(), 0.95);
  EXPECT_NEAR(j["lag"]["jawOpen"]["seconds"].get<double>(), 0.0, 1e-9);  // itself: no lag
  // The demo 100 ms late: the lag that correlates best says by how much, and that it is late.
  Take late = read_take(tmp.path("a.json"));
  for (FaceFrame& f : late.frames) f.time += 0.1;
  write_take(late, tmp.path("late.json"), TakeFormat::Json);
  const auto shifted =
      test::run_cli("eval take " + test::q(tmp.path("late.json")) + " --truth " +
                        test::q(tmp.path("a.json")) + " -o " + test::q(tmp.path("r3.json")),
                    tmp);
  ASSERT_EQ(shifted.exit_code, 0) << shifted.err;
  EXPECT_NE(shifted.out.find("jawOpen +100 ms"), std::string::npos) << shifted.out;
  const auto l = nlohmann::json::parse(test::read_text(tmp.path("r3.json")));
  EXPECT_LT(l["correlation"]["jawOpen"].get<double>(), 0.95);  // matched by time: off
  EXPECT_NEAR(l["lag"]["jawOpen"]["seconds"].get<double>(), 0.1, 1e-6);
  EXPECT_GT(l["lag"]["jawOpen"]["correlation"].get<double>(), 0.999);
  const auto missing = test::run_cli(
      "eval take " + test::q(tmp.path("a.json")) + " --truth " + test::q(tmp.path("none.json")),
      tmp);
  EXPECT_EQ(missing.exit_code, 3);
  EXPECT_NE(missing.err.find("none.json"), std::string::npos) << missing.err;
}

TEST(CliEvalRig, ReportsErrorsByRegionAndDrawsEachRender) {
  test::TempDir tmp;
  const auto r = run_cli("eval rig --samples 2 --size 192 --no-responses -o " +
                             q(tmp.path("rig.json")) + " --overlays " + q(tmp.path("ov")),
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("median by region: face_oval"), std::string::npos) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("rig.json")));
  EXPECT_GT(j["render_detect"]["median_error_iod_by_region"]["eyes"].get<double>(), 0.0);
  // One overlay per render, the render's size.
  for (const char* name : {"ov/render_0000.png", "ov/render_0001.png"})
    EXPECT_EQ(read_image(tmp.path(name)).width, 192) << name;
  // A folder that cannot be made is named, with the output exit code.
  test::write_text(tmp.path("file"), "x");
  const auto bad =
      run_cli("eval rig --samples 1 --no-responses --overlays " + q(tmp.path("file") + "/ov"), tmp);
  EXPECT_EQ(bad.exit_code, 5) << bad.err;
  EXPECT_NE(bad.err.find("file/ov"), std::string::npos) << bad.err;
  // Renders wearing a real face photo as their skin; a folder without images is refused.
  const auto photo = run_cli("eval rig --samples 2 --size 192 --no-responses --skin-photos " +
                                 q(test::shared_data("faces/faceapi_neutral.jpg")) + " -o " +
                                 q(tmp.path("photo.json")),
                             tmp);
  ASSERT_EQ(photo.exit_code, 0) << photo.err;
  EXPECT_EQ(nlohmann::json::parse(
                test::read_text(tmp.path("photo.json")))["render_detect"]["detection_rate"]
                .get<double>(),
            1.0);
  std::filesystem::create_directory(tmp.path("empty"));
  const auto empty =
      run_cli("eval rig --samples 1 --no-responses --skin-photos " + q(tmp.path("empty")), tmp);
  EXPECT_EQ(empty.exit_code, 4) << empty.err;
  EXPECT_NE(empty.err.find("no images"), std::string::npos) << empty.err;
}

}  // namespace
}  // namespace semblend
