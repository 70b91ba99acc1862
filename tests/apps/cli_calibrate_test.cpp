// `semblend calibrate`, `semblend eval calibration` and `semblend eval temporal` (issue #7's
// calibration and temporal quality), through the command line.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "semblend/image.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::q;
using test::run_cli;

void write_render(const Rig& rig, const Coefficients& c, const std::string& path) {
  FaceFrame f;
  f.coefficients = c;
  RenderOptions ro;
  ro.width = ro.height = 320;
  write_png(render_face(rig, f, ro).image, path);
}

TEST(CliCalibrate, WritesAProfileWarnsOnANonNeutralFaceAndRefusesNoFace) {
  test::TempDir tmp;
  const Rig rig = build_rig(stylised_identity(5));
  write_render(rig, {}, tmp.path("neutral.png"));
  auto r =
      run_cli("calibrate " + q(tmp.path("neutral.png")) + " -o " + q(tmp.path("me.json")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("me.json")));
  EXPECT_EQ(j["format"], "semblend.profile");
  EXPECT_EQ(j["frames"], 1);
  EXPECT_EQ(j["rest"].size(), 52u);
  EXPECT_EQ(j["input_offset"].size(), 0u);
  EXPECT_NE(r.err.find("largest rest"), std::string::npos);

  Coefficients smile;
  smile.set(Blendshape::MouthSmileLeft, 1);
  smile.set(Blendshape::MouthSmileRight, 1);
  smile.set(Blendshape::JawOpen, 0.7f);
  write_render(default_rig(), smile, tmp.path("smile.png"));
  r = run_cli("calibrate " + q(tmp.path("smile.png")) + " --landmark-offset -o " +
                  q(tmp.path("smile.json")),
              tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("not neutral?"), std::string::npos) << r.err;
  EXPECT_EQ(nlohmann::json::parse(test::read_text(tmp.path("smile.json")))["input_offset"].size(),
            1434u);

  Image grey;
  grey.width = grey.height = 64;
  grey.rgb.assign(64 * 64 * 3, 128);
  write_png(grey, tmp.path("grey.png"));
  r = run_cli("calibrate " + q(tmp.path("grey.png")) + " -o " + q(tmp.path("none.json")), tmp);
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("grey.png"), std::string::npos);
  EXPECT_NE(r.err.find("no face"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(tmp.path("none.json")));
}

TEST(CliEvalCalibration, AProfileLowersWhatARelaxedStylisedFaceReads) {
  test::TempDir tmp;
  const auto r = run_cli(
      "eval calibration --identities 3 --expressions 2 --clip-fps 0 --stylised "
      "-o " +
          q(tmp.path("cal.json")),
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("cal.json")));
  EXPECT_EQ(j["identities"], 3);
  const double raw = j["modes"]["raw"]["frontal_neutral_max_mean"];
  const double rest = j["modes"]["rest"]["frontal_neutral_max_mean"];
  EXPECT_LT(rest, raw);
  EXPECT_LE(rest, 0.15);
}

TEST(CliEvalTemporal, FilteringStillsAStillFaceAndKeepsBlinksFast) {
  test::TempDir tmp;
  const auto r = run_cli("eval temporal --size 256 -o " + q(tmp.path("t.json")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("t.json")));
  const auto& shipped = j["filtered"][0];
  EXPECT_LT(shipped["metrics"]["still_jitter"].get<double>(),
            0.5 * j["raw"]["still_jitter"].get<double>());
  ASSERT_EQ(shipped["metrics"]["blink_onset_frames"].size(), 2u);
  for (const auto& onset : shipped["metrics"]["blink_onset_frames"]) {
    EXPECT_GE(onset.get<int>(), 0);
    EXPECT_LE(onset.get<int>(), 2);
  }
}

}  // namespace
}  // namespace semblend
