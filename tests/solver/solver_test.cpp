// The solver: synthetic data (synth.h), normalisation, the shipped model (solver.h), the CLI.
#include "semblend/solver.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>

#include "core/sha256.h"
#include "semblend/error.h"
#include "semblend/face_pipeline.h"
#include "semblend/file_io.h"
#include "semblend/image.h"
#include "semblend/rig.h"
#include "semblend/synth.h"
#include "test_util.h"

namespace semblend {
namespace {

// The shipped model's held-out MAE is 0.038 with the expression-dependent noise model
// (docs/solver.md: 1000 samples of seed 9001; 0.041 for the model before it); the bound leaves a
// margin for libm differences and the 300-sample estimate's spread.
constexpr double kShippedMaeBound = 0.048;

SynthOptions small_options(std::uint64_t seed) {
  SynthOptions o;
  o.seed = seed;
  o.identities = 4;
  return o;
}

TEST(Synth, SampleDependsOnlyOnSeedAndIndex) {
  const SynthGenerator a = SynthGenerator::create(small_options(3));
  const SynthGenerator b = SynthGenerator::create(small_options(3));
  // Out of order and repeated: the same values.
  const SynthSample a7 = a.sample(7), b2 = b.sample(2), b7 = b.sample(7);
  EXPECT_EQ(a7.coefficients, b7.coefficients);
  EXPECT_EQ(a7.head, b7.head);
  EXPECT_EQ(a7.focal_px, b7.focal_px);
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    EXPECT_EQ(a7.landmarks[i].x, b7.landmarks[i].x);
    EXPECT_EQ(a7.landmarks[i].z, b7.landmarks[i].z);
  }
  EXPECT_NE(b2.coefficients, b7.coefficients);
  const SynthSample c7 = SynthGenerator::create(small_options(4)).sample(7);
  EXPECT_NE(c7.head, a7.head);
}

TEST(Synth, PosesAndLandmarksStayInRange) {
  const SynthGenerator g = SynthGenerator::create(small_options(5));
  const float deg = float(kPi) / 180;
  for (std::uint64_t i = 0; i < 50; ++i) {
    const SynthSample s = g.sample(i);
    EXPECT_LE(std::fabs(s.head.yaw), 45 * deg);
    EXPECT_LE(std::fabs(s.head.pitch), 30 * deg);
    EXPECT_LE(std::fabs(s.head.roll), 30 * deg);
    EXPECT_TRUE(s.coefficients.within(0, 1));
    // The face is in the picture (a landmark may leave it at a steep pitch, as real ones do).
    double cx = 0, cy = 0;
    for (const Point3& p : s.landmarks) {
      cx += p.x / double(kLandmarkCount);
      cy += p.y / double(kLandmarkCount);
      EXPECT_GT(p.x, -0.2f * float(s.width));
      EXPECT_LT(p.y, 1.2f * float(s.height));
    }
    EXPECT_GT(cx, 0.2 * s.width);
    EXPECT_LT(cx, 0.8 * s.width);
    EXPECT_GT(cy, 0.2 * s.height);
    EXPECT_LT(cy, 0.8 * s.height);
  }
}

TEST(Synth, BadOptionsAreRejected) {
  SynthOptions o = small_options(1);
  o.identities = 0;
  EXPECT_THROW(SynthGenerator::create(o), std::invalid_argument);
  o = small_options(1);
  o.max_yaw_deg = 120;
  EXPECT_THROW(SynthGenerator::create(o), std::invalid_argument);
  o = small_options(1);
  o.fov_min_deg = 70;
  o.fov_max_deg = 20;
  EXPECT_THROW(SynthGenerator::create(o), std::invalid_argument);
}

TEST(Synth, NoiseTableIsMeasuredAndParsed) {
  const LandmarkNoise& n = default_landmark_noise();
  EXPECT_GE(n.samples, 1000);  // measured, not a placeholder
  double jitter = 0;
  for (const Point3& j : n.jitter) jitter += j.x + j.y + j.z;
  EXPECT_GT(jitter / (3 * kLandmarkCount), 0.01);  // cm
  EXPECT_LT(jitter / (3 * kLandmarkCount), 2.0);
  // The gains explain a real share of the error on renders they were not fitted to.
  EXPECT_GT(n.heldout_explained, 0.3f);
  EXPECT_LT(n.residual_rms_cm, n.raw_rms_cm);
  const LandmarkNoise back = parse_landmark_noise_csv(landmark_noise_csv(n), "round trip");
  EXPECT_NEAR(back.jitter[13].y, n.jitter[13].y, 1e-4);
  EXPECT_NEAR(back.bias[13].z, n.bias[13].z, 1e-4);
  ASSERT_EQ(back.gain.size(), n.gain.size());
  for (std::size_t i = 0; i < n.gain.size(); i += 97)
    EXPECT_NEAR(back.gain[i], n.gain[i], 1e-4 + 1e-3 * std::fabs(n.gain[i]));
  EXPECT_EQ(back.samples, n.samples);
  EXPECT_THROW(parse_landmark_noise_csv("index,a\n0,1,2\n", "bad.csv"), std::invalid_argument);
  // A negative jitter, and a truncated table, are refused.
  std::string csv = landmark_noise_csv(n);
  const std::size_t row = csv.find("\n0,x,") + 1;
  const std::size_t jitter_at = csv.find(',', csv.find(',', csv.find(',', row) + 1) + 1) + 1;
  std::string negative = csv;
  negative.insert(jitter_at, "-");
  EXPECT_THROW(parse_landmark_noise_csv(negative, "neg.csv"), std::invalid_argument);
  EXPECT_THROW(parse_landmark_noise_csv(csv.substr(0, csv.size() / 2), "cut.csv"),
               std::invalid_argument);
}

TEST(Synth, NoiseModelReadsTheLandmarkersKnownMisses) {
  // The landmarker under-reads a blink and an open jaw (their response gains are < 1, docs/rig.md):
  // the measured model must say the detected upper lid stays higher than the true closing lid
  // (face frame y is up), and the detected lower lip higher than the truly dropped one.
  const LandmarkNoise& n = default_landmark_noise();
  auto gain = [&](std::size_t landmark, std::size_t axis, Blendshape s) {
    return n.gain[(3 * landmark + axis) * kNoiseFeatureCount + index_of(s)];
  };
  EXPECT_GT(gain(386, 1, Blendshape::EyeBlinkLeft), 0.1f);              // left upper lid
  EXPECT_GT(gain(159, 1, Blendshape::EyeBlinkRight), 0.1f);             // right upper lid
  EXPECT_LT(std::fabs(gain(386, 1, Blendshape::EyeBlinkRight)), 0.1f);  // the other eye's blink
  EXPECT_GT(gain(14, 1, Blendshape::JawOpen), 0.3f);                    // lower lip centre
  // Features are what synth samples use.
  const auto f = noise_features(Coefficients{}, Identity{}, HeadPose{});
  for (float v : f) EXPECT_EQ(v, 0.0f);
  EXPECT_EQ(noise_feature_names()[index_of(Blendshape::JawOpen)], "jawOpen");
  EXPECT_EQ(noise_feature_names().back(), "pitch2");
}

// The same posed face, seen at different head poses, distances and focal lengths, gives the same
// normalised input (up to perspective, which a rigid fit cannot undo).
TEST(SolverInput, InvariantToHeadPoseAndScale) {
  const Rig& rig = default_rig();
  Coefficients c;
  c.set(Blendshape::JawOpen, 0.5f);
  c.set(Blendshape::MouthSmileLeft, 0.7f);
  c.set(Blendshape::EyeBlinkRight, 0.8f);
  const std::vector<Point3> posed = pose_rig(rig, c);
  std::array<Point3, kLandmarkCount> face{};
  std::copy(posed.begin(), posed.begin() + kLandmarkCount, face.begin());
  HeadPose frontal;
  HeadPose turned;
  turned.yaw = 0.5f;
  turned.pitch = -0.3f;
  turned.roll = 0.4f;
  auto rms = [](const std::vector<float>& a, const std::vector<float>& b) {
    double s = 0;
    for (std::size_t i = 0; i < kSolverInputSize; ++i) s += (a[i] - b[i]) * (a[i] - b[i]);
    return std::sqrt(s / kSolverInputSize);
  };
  // Nearly orthographic (20 m away, a long lens): pose, scale and image size are undone exactly.
  const std::vector<float> ref =
      solver_input(project_landmarks(face, frontal, 40000, 2000, 640, 480));
  const std::vector<float> turned_small =
      solver_input(project_landmarks(face, turned, 40000, 4000, 1280, 960));
  const std::vector<float> zeros(kSolverInputSize, 0.0f);
  // The expression's own displacement: the same identity's neutral face against this one.
  const std::vector<Point3> rest = pose_rig(rig, Coefficients{});
  std::array<Point3, kLandmarkCount> rest_face{};
  std::copy(rest.begin(), rest.begin() + kLandmarkCount, rest_face.begin());
  const double motion =
      rms(ref, solver_input(project_landmarks(rest_face, frontal, 40000, 2000, 640, 480)));
  EXPECT_LT(rms(ref, turned_small), 0.005) << "cm";
  EXPECT_GT(rms(ref, zeros), 0.1) << "cm: the input carries the expression and the identity";
  // 45 cm from a wide lens, turned: perspective, which a rigid fit cannot undo, remains; it stays
  // well below the displacement the input carries.
  const std::vector<float> near = solver_input(project_landmarks(face, turned, 800, 45, 640, 480));
  EXPECT_LT(rms(ref, near), 0.25) << "cm";
  EXPECT_GT(motion, 1.5 * rms(ref, near)) << "cm";
  std::array<Point3, kLandmarkCount> bad = project_landmarks(face, frontal, 3000, 150, 640, 480);
  bad[10].x = std::nanf("");
  EXPECT_THROW(solver_input(bad), std::invalid_argument);
}

// The shipped model on held-out identities (a seed training never used): the error bound is the
// measured MAE (docs/solver.md) with a margin, far below a constant predictor's.
TEST(Solver, ShippedModelOnHeldOutIdentities) {
  const Solver solver = Solver::load_default();
  SynthOptions o;
  o.seed = 4242;
  o.identities = 30;
  const SynthGenerator g = SynthGenerator::create(o);
  double err = 0, baseline = 0;
  const int n = 300;
  for (int i = 0; i < n; ++i) {
    const SynthSample s = g.sample(std::uint64_t(i));
    const SolverResult r = solver.solve(s.landmarks);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      err += std::fabs(r.coefficients.at(k) - s.coefficients.at(k));
      baseline += std::fabs(s.coefficients.at(k));  // predicting all zeros
    }
  }
  err /= n * double(kBlendshapeCount);
  baseline /= n * double(kBlendshapeCount);
  EXPECT_LT(err, kShippedMaeBound);
  // Predicting all zeros scores 0.074 here; the realistic landmark noise (the landmarker misses
  // part of several shapes entirely) leaves the solver at a bit over half of that.
  EXPECT_LT(err, 0.6 * baseline);
}

// The model file's bad-input tests are in solver_engine_test.cpp.

// Real photos (docs/solver.md and data/eval/face_rubric.json cover all 15).
TEST(SolverCli, HappyPhotoSmiles) {
  test::TempDir tmp;
  const auto r = test::run_cli(
      "image " + test::shared_data("faces/sadtalker_happy1.png") + " -o " + tmp.path("h.json"),
      tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("h.json")));
  ASSERT_TRUE(j["face"].is_object());
  const auto& c = j["face"]["coefficients"];
  EXPECT_EQ(c.size(), kBlendshapeCount);
  const double smile = (c["mouthSmileLeft"].get<double>() + c["mouthSmileRight"].get<double>()) / 2;
  EXPECT_GE(smile, 0.5) << j.dump();
  EXPECT_TRUE(j["face"]["semantic"].is_object());
  EXPECT_TRUE(j["face"]["head"].contains("yaw_deg"));
}

TEST(SolverCli, NeutralHappyAndAngryPhotos) {
  test::TempDir tmp;
  const auto r = test::run_cli("image " + test::shared_data("faces/faceapi_neutral.jpg") + " " +
                                   test::shared_data("faces/sadtalker_happy1.png") + " " +
                                   test::shared_data("faces/faceapi_angry.jpg"),
                               tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  ASSERT_EQ(j.size(), 3u);
  auto smile = [&](int i) {
    const auto& c = j[std::size_t(i)]["face"]["coefficients"];
    return c["mouthSmileLeft"].get<double>() + c["mouthSmileRight"].get<double>();
  };
  EXPECT_LT(smile(0) + 0.5, smile(1));
  const auto& angry = j[2]["face"]["coefficients"];
  // The rubric's check for this photo (data/eval/face_rubric.json): mean browDown >= 0.3.
  EXPECT_GE((angry["browDownLeft"].get<double>() + angry["browDownRight"].get<double>()) / 2, 0.3);
  EXPECT_LT(smile(2), 0.2);
}

TEST(SolverCli, NoFaceIsAnExplicitEmptyResult) {
  test::TempDir tmp;
  Image blank;
  blank.width = blank.height = 256;
  blank.rgb.assign(256 * 256 * 3, 128);
  write_png(blank, tmp.path("blank.png"));
  const auto r = test::run_cli("image " + tmp.path("blank.png"), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["faces_found"], 0);
  EXPECT_TRUE(j["face"].is_null());
}

TEST(SolverCli, EachFaceIsReadSeveralTimesAndTheSpreadSaid) {
  test::TempDir tmp;
  const std::string photo = test::shared_data("faces/sadtalker_sad1.png");
  const auto r = test::run_cli("image " + photo, tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto face = nlohmann::json::parse(r.out)["face"];
  EXPECT_EQ(face["readings"], kStillImageReadings);
  ASSERT_EQ(face["spread"].size(), kBlendshapeCount);
  // Its one-sided press reads as a smile in some readings and not in others.
  EXPECT_GT(face["spread"]["mouthSmileLeft"].get<double>(), 0.1);
  EXPECT_LT(face["spread"]["jawOpen"].get<double>(), 0.05);

  const auto once = test::run_cli("image --readings 1 " + photo, tmp);
  ASSERT_EQ(once.exit_code, 0) << once.err;
  const auto one = nlohmann::json::parse(once.out)["face"];
  EXPECT_EQ(one["readings"], 1);
  EXPECT_FALSE(one.contains("spread"));
  for (const std::string bad : {"0", "66", "x"})
    EXPECT_EQ(test::run_cli("image --readings " + bad + " " + photo, tmp).exit_code, 2) << bad;

  // A shape the readings do not settle is named on stderr (faceapi_fearful's left eye widening:
  // 0.45 ± 0.28; its smile, 0.69 ± 0.09, they agree on).
  const std::string fearful = test::shared_data("faces/faceapi_fearful.jpg");
  const auto h = test::run_cli("image " + fearful, tmp);
  ASSERT_EQ(h.exit_code, 0) << h.err;
  EXPECT_TRUE(test::contains(h.err, "note: the 16 readings disagree on eyeWideLeft")) << h.err;
  EXPECT_FALSE(test::contains(h.err, "mouthSmileRight ")) << h.err;
  EXPECT_FALSE(test::contains(test::run_cli("image --readings 1 " + fearful, tmp).err, "disagree"));
}

TEST(SolverCli, BadInput) {
  test::TempDir tmp;
  EXPECT_EQ(test::run_cli("image " + tmp.path("missing.jpg"), tmp).exit_code, 3);
  test::write_text(tmp.path("text.jpg"), "not an image");
  EXPECT_NE(test::run_cli("image " + tmp.path("text.jpg"), tmp).exit_code, 0);
  EXPECT_EQ(test::run_cli("image", tmp).exit_code, 2);
  test::write_text(tmp.path("w.bin"), "garbage");
  EXPECT_EQ(test::run_cli("image --model " + tmp.path("w.bin") + " " +
                              test::shared_data("faces/faceapi_happy.jpg"),
                          tmp)
                .exit_code,
            4);
}

}  // namespace
}  // namespace semblend
