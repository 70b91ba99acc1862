// Preview videos: the rig talking, encoded by ffmpeg, checked with ffprobe; failures leave nothing.
#include "semblend/preview.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "semblend/audio.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/video.h"
#include "test_util.h"

namespace semblend {
namespace {

// ffprobe's JSON description of a file's streams (frames counted by decoding).
nlohmann::json probe(const std::string& path, const test::TempDir& tmp) {
  const std::string out = tmp.path("probe.json");
  const std::string cmd =
      "ffprobe -v error -count_frames -show_streams -of json '" + path + "' > '" + out + "'";
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return nlohmann::json::parse(test::read_text(out));
}

std::size_t file_count(const std::filesystem::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}

Take talking_take(std::size_t frames, double fps) {
  Take take;
  take.fps = fps;
  for (std::size_t i = 0; i < frames; ++i) {
    FaceFrame f;
    f.time = double(i) / fps;
    f.coefficients.set(Blendshape::JawOpen, 0.5f * float(i % 10) / 9.0f);
    take.frames.push_back(f);
  }
  return take;
}

TEST(Preview, VideoWithAudioHasTheTakesFramesAndAnAudioStream) {
  test::TempDir tmp;
  Audio audio;
  audio.samples.resize(16000);  // 1 s, a 200 Hz tone
  for (std::size_t i = 0; i < audio.samples.size(); ++i)
    audio.samples[i] = 0.2f * float(std::sin(6.283185307 * 200 * double(i) / 16000));
  write_wav(audio, tmp.path("a.wav"));
  PreviewOptions o;
  o.width = o.height = 96;
  write_preview_video(talking_take(30, 30), tmp.path("a.wav"), tmp.path("out.mp4"), o);
  const nlohmann::json j = probe(tmp.path("out.mp4"), tmp);
  int video = 0, audio_streams = 0;
  for (const auto& s : j["streams"]) {
    if (s["codec_type"] == "video") {
      ++video;
      EXPECT_EQ(s["codec_name"], "h264");
      EXPECT_EQ(s["width"], 96);
      EXPECT_EQ(s["height"], 96);
      EXPECT_EQ(s["pix_fmt"], "yuv420p");
      EXPECT_EQ(s["nb_read_frames"], "30");
      EXPECT_EQ(s["r_frame_rate"], "30/1");
    } else if (s["codec_type"] == "audio") {
      ++audio_streams;
      EXPECT_EQ(s["codec_name"], "aac");
      EXPECT_NEAR(std::stod(s["duration"].get<std::string>()), 1.0, 0.1);
    }
  }
  EXPECT_EQ(video, 1);
  EXPECT_EQ(audio_streams, 1);
  EXPECT_EQ(file_count(tmp.dir()), 3u);  // a.wav, out.mp4, probe.json: no temporaries
}

TEST(FrameClock, ShowsEachFrameFromItsOwnTime) {
  FrameClock clock(30);
  // Regular frames at k / 30 (rounded as containers round them): one video frame each.
  EXPECT_EQ(clock.until(0.0), 0u);
  EXPECT_EQ(clock.until(0.0333), 1u);  // frame 0 filled video frame 0
  EXPECT_EQ(clock.until(0.0667), 1u);
  // A gap (frames 3..6 dropped): frame 2 is held for five video frames.
  EXPECT_EQ(clock.until(7.0 / 30), 5u);
  EXPECT_EQ(clock.frames(), 7u);
  // Jitter within half a period changes nothing; a frame closer than that takes no slot of its own.
  EXPECT_EQ(clock.until(8.0 / 30 - 0.01), 1u);
  EXPECT_EQ(clock.until(8.0 / 30 + 0.005), 0u);
  // The last frame for one period.
  EXPECT_EQ(clock.until(8.0 / 30 + 0.005 + 1.0 / 30), 1u);
  EXPECT_EQ(clock.frames(), 9u);

  // A first frame after time 0 (pictures that start after the sound) fills the time before it.
  FrameClock late(30);
  EXPECT_EQ(late.until(0.033), 1u);
  EXPECT_EQ(late.until(0.0997), 2u);  // the shared clip's first two: 0.033, then 0.0997
  EXPECT_THROW(FrameClock(0), std::invalid_argument);
  EXPECT_THROW(late.until(std::nan("")), std::invalid_argument);
}

TEST(Preview, AnUnevenTakeIsShownAtItsFramesOwnTimes) {
  // Four frames: three at 30 fps, then a gap (a variable-rate video that dropped frames). The
  // take's nominal rate is its average, 12 fps; the preview runs at the median rate, 30, and holds
  // the third frame through the gap.
  test::TempDir tmp;
  Take take;
  take.fps = 12;
  const float jaw[] = {0.0f, 0.5f, 1.0f, 0.25f};
  const double times[] = {0.0, 1.0 / 30, 2.0 / 30, 10.0 / 30};
  for (int i = 0; i < 4; ++i) {
    FaceFrame f;
    f.time = times[i];
    f.coefficients.set(Blendshape::JawOpen, jaw[i]);
    take.frames.push_back(f);
  }
  PreviewOptions o;
  o.width = o.height = 128;
  write_preview_video(take, "", tmp.path("out.mp4"), o);
  RenderOptions ro = o.render;
  ro.width = ro.height = 128;
  std::vector<Image> truth;
  for (const FaceFrame& f : take.frames) truth.push_back(render_face(default_rig(), f, ro).image);
  auto distance = [](const Image& a, const Image& b) {
    double sum = 0;
    for (std::size_t i = 0; i < a.rgb.size(); ++i) sum += std::abs(int(a.rgb[i]) - int(b.rgb[i]));
    return sum / double(a.rgb.size());
  };
  VideoReader reader = VideoReader::open(tmp.path("out.mp4"));
  EXPECT_NEAR(reader.fps(), 30, 1e-6);
  std::vector<int> shown;
  Image frame;
  double t = 0;
  while (reader.next(frame, t)) {
    ASSERT_EQ(frame.rgb.size(), truth[0].rgb.size());
    int best = 0;
    for (int i = 1; i < 4; ++i)
      if (distance(frame, truth[std::size_t(i)]) < distance(frame, truth[std::size_t(best)]))
        best = i;
    shown.push_back(best);
  }
  EXPECT_EQ(shown, (std::vector<int>{0, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3}));
}

TEST(Preview, FailuresLeaveNothingBehind) {
  test::TempDir tmp;
  const Take take = talking_take(10, 30);
  PreviewOptions o;
  o.width = o.height = 32;
  EXPECT_THROW(write_preview_video(take, "", tmp.path("missing/out.mp4"), o), IoError);
  EXPECT_THROW(write_preview_video(take, tmp.path("no.wav"), tmp.path("out.mp4"), o), IoError);
  o.ffmpeg = "semblend-no-such-ffmpeg";
  try {
    write_preview_video(take, "", tmp.path("out.mp4"), o);
    ADD_FAILURE() << "no error without ffmpeg";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("install Debian's ffmpeg"), std::string::npos) << e.what();
  }
  o.ffmpeg = "false";  // starts, reads nothing, fails: the output could not be written
  EXPECT_THROW(write_preview_video(take, "", tmp.path("out.mp4"), o), IoError);
  o.ffmpeg = "ffmpeg";
  o.width = 33;  // odd: yuv420p cannot hold it
  EXPECT_THROW(write_preview_video(take, "", tmp.path("out.mp4"), o), std::invalid_argument);
  EXPECT_THROW(write_preview_video(Take{}, "", tmp.path("out.mp4")), std::invalid_argument);
  EXPECT_EQ(file_count(tmp.dir()), 0u);
}

TEST(Preview, TheEncoderProgramIsCheckedAsItWouldBeStarted) {
  // As posix_spawnp finds it: on PATH, or a path to an executable file.
  EXPECT_NO_THROW(check_encoder_program());  // scripts/setup.sh installs ffmpeg
  EXPECT_NO_THROW(check_encoder_program("false"));
  EXPECT_NO_THROW(check_encoder_program("/bin/sh"));
  test::TempDir tmp;
  test::write_text(tmp.path("ffmpeg"), "#!/bin/sh\n");  // not executable
  for (const std::string& missing : {std::string("semblend-no-such-ffmpeg"), tmp.path("ffmpeg"),
                                     tmp.path("nothing"), tmp.dir().string(), std::string()}) {
    try {
      check_encoder_program(missing);
      ADD_FAILURE() << "not found: \"" << missing << "\"";
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("install Debian's ffmpeg"), std::string::npos)
          << e.what();
    }
  }
}

TEST(CliSpeechPreview, RendersTheRigTalkingWithTheAudio) {
  test::TempDir tmp;
  std::string base = test::shared_data("speech/sphinx_goforward.wav");
  base.resize(base.size() - 4);
  auto r = test::run_cli("speech '" + base + ".wav' --transcript '" + base + ".txt' --fps 30 -o '" +
                             tmp.path("t.csv") + "' --preview '" + tmp.path("p.mp4") + "'",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Take take = read_take(tmp.path("t.csv"));
  const nlohmann::json j = probe(tmp.path("p.mp4"), tmp);
  bool has_audio = false;
  for (const auto& s : j["streams"]) {
    if (s["codec_type"] == "audio") has_audio = true;
    if (s["codec_type"] != "video") continue;
    const long frames = std::stol(s["nb_read_frames"].get<std::string>());
    // -shortest may drop the last frame when the audio ends inside it.
    EXPECT_LE(std::labs(frames - long(take.frames.size())), 1) << frames;
    EXPECT_EQ(s["width"], 384);
  }
  EXPECT_TRUE(has_audio);
  // A preview that cannot be written: exit 5 before any work, nothing left behind.
  test::TempDir out;
  r = test::run_cli("speech '" + base + ".wav' --transcript '" + base + ".txt' -o '" +
                        out.path("t.csv") + "' --preview '" + out.path("no/such/p.mp4") + "'",
                    tmp);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(file_count(out.dir()), 0u);
  std::filesystem::create_directory(out.path("dir.mp4"));
  r = test::run_cli("speech '" + base + ".wav' --transcript '" + base + ".txt' -o '" +
                        out.path("t.csv") + "' --preview '" + out.path("dir.mp4") + "'",
                    tmp);
  EXPECT_EQ(r.exit_code, 5) << r.err;
  EXPECT_EQ(file_count(out.dir()), 1u);  // only the folder that was in the way
}

}  // namespace
}  // namespace semblend
