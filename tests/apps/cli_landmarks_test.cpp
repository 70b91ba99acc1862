// `semblend landmarks`, run as a process.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "semblend/image.h"
#include "semblend/video.h"
#include "test_util.h"

namespace semblend {
namespace {

using test::q;

using test::run_cli;
using test::TempDir;

TEST(CliLandmarks, OneImageGivesJsonAndAnOverlay) {
  TempDir tmp;
  const std::string photo = test::shared_data("faces/faceapi_happy.jpg");
  const auto r = run_cli("landmarks " + q(photo) + " -o " + q(tmp.path("f.json")) + " --overlay " +
                             q(tmp.path("f.png")),
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("f.json")));
  EXPECT_EQ(j["format"], "semblend.landmarks");
  ASSERT_EQ(j["faces"].size(), 1u);
  EXPECT_EQ(j["faces"][0]["landmarks"].size(), 478u);
  EXPECT_EQ(j["faces"][0]["transform"].size(), 16u);
  const Image overlay = read_image(tmp.path("f.png"));
  EXPECT_EQ(overlay.width, 500);
  EXPECT_EQ(overlay.height, 282);
}

TEST(CliLandmarks, SeveralImagesGiveJsonlAndOverlaysInAFolder) {
  TempDir tmp;
  std::filesystem::create_directories(tmp.path("ov"));
  const auto r = run_cli("landmarks " + q(test::shared_data("faces/faceapi_sad.jpg")) + " " +
                             q(test::shared_data("faces/sadtalker_art_5.png")) + " --overlay " +
                             q(tmp.path("ov")),
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int n = 0;
  while (std::getline(lines, line)) n += nlohmann::json::parse(line)["faces"].size() == 1;
  EXPECT_EQ(n, 2);
  EXPECT_TRUE(std::filesystem::exists(tmp.path("ov/faceapi_sad.png")));
  EXPECT_TRUE(std::filesystem::exists(tmp.path("ov/sadtalker_art_5.png")));
}

TEST(CliLandmarks, NoFaceIsNotAnError) {
  TempDir tmp;
  Image gray;
  gray.width = 64, gray.height = 48;
  gray.rgb.assign(64u * 48u * 3u, 120);
  write_png(gray, tmp.path("gray.png"));
  const auto r = run_cli("landmarks " + q(tmp.path("gray.png")), tmp);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"faces\":[]"), std::string::npos);
  EXPECT_NE(r.err.find("no face found"), std::string::npos);
}

TEST(CliLandmarks, VideoGivesOneLinePerFrameAndAnMp4Overlay) {
  TempDir tmp;
  const auto r = run_cli("landmarks " + q(test::shared_data("video/videoretalking_face_1.mp4")) +
                             " -o " + q(tmp.path("v.jsonl")) + " --overlay " + q(tmp.path("v.mp4")),
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(test::read_text(tmp.path("v.jsonl")));
  std::string line;
  int frames = 0, faces = 0;
  while (std::getline(lines, line)) {
    const auto j = nlohmann::json::parse(line);
    ++frames;
    faces += !j["faces"].empty();
  }
  EXPECT_GT(frames, 100);
  EXPECT_GE(faces, frames - 2);
  EXPECT_GT(std::filesystem::file_size(tmp.path("v.mp4")), 10000u);
}

TEST(CliLandmarks, AVideoWithNoFaceGivesEmptyFrames) {
  TempDir tmp;
  test::write_grey_video(tmp.path("gray.mp4"), 160, 120, 10, 8, 100);
  const auto r = run_cli("landmarks " + q(tmp.path("gray.mp4")), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.out);
  std::string line;
  int frames = 0;
  while (std::getline(lines, line)) {
    EXPECT_TRUE(nlohmann::json::parse(line)["faces"].empty());
    ++frames;
  }
  EXPECT_EQ(frames, 8);
  EXPECT_NE(r.err.find("a face in 0"), std::string::npos) << r.err;
}

TEST(CliLandmarks, BadInputs) {
  TempDir tmp;
  test::write_text(tmp.path("x.jpg"), "not a picture");
  EXPECT_EQ(run_cli("landmarks " + q(tmp.path("x.jpg")), tmp).exit_code, 4);
  EXPECT_EQ(run_cli("landmarks " + q(tmp.path("missing.jpg")), tmp).exit_code, 3);
  const std::string photo = q(test::shared_data("faces/faceapi_sad.jpg"));
  EXPECT_EQ(run_cli("landmarks " + photo + " --overlay " + q(tmp.path("o.jpg")), tmp).exit_code, 6);
  EXPECT_EQ(run_cli("landmarks " + photo + " --models /nonexistent", tmp).exit_code, 3);
  EXPECT_FALSE(std::filesystem::exists(tmp.path("o.jpg")));
  // -o: .json holds one image's object, .jsonl any number; nothing else (it was JSON Lines
  // under any name, an invalid .json for several images).
  const std::string two = photo + " " + q(test::shared_data("faces/faceapi_happy.jpg"));
  EXPECT_EQ(run_cli("landmarks " + photo + " -o " + q(tmp.path("l.csv")), tmp).exit_code, 6);
  EXPECT_EQ(run_cli("landmarks " + two + " -o " + q(tmp.path("l.json")), tmp).exit_code, 6);
  const auto video =
      run_cli("landmarks " + q(test::shared_data("video/videoretalking_face_1.mp4")) + " -o " +
                  q(tmp.path("v.json")),
              tmp);
  EXPECT_EQ(video.exit_code, 6);
  EXPECT_NE(video.err.find(".jsonl"), std::string::npos) << video.err;
  for (const char* name : {"l.csv", "l.json", "v.json"})
    EXPECT_FALSE(std::filesystem::exists(tmp.path(name))) << name;
}

}  // namespace
}  // namespace semblend
