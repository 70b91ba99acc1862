// `semblend image|video|speech` on folders and manifests (docs/batch.md), run as a process:
// outputs per item, resuming, shards, bad items, a batch killed and run again, `--faces all` on a
// rig-rendered video with two faces, and recordings with their transcripts.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "semblend/formats.h"
#include "semblend/image.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/video.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;
using test::q;
using test::run_cli;
using test::TempDir;

// A clip of the rig with the jaw opening and closing (`phase` shifts it), `frames` long.
void write_face_video(const std::string& path, int frames, float phase, int size = 256) {
  VideoWriter w(path, size, size, 25);
  RenderOptions ro;
  ro.width = ro.height = size;
  for (int i = 0; i < frames; ++i) {
    FaceFrame f;
    f.coefficients.set(Blendshape::JawOpen, 0.3f + 0.3f * std::sin(0.4f * float(i) + phase));
    w.write(render_face(default_rig(), f, ro).image);
  }
  w.close();
}

void write_face_image(const std::string& path, float jaw) {
  RenderOptions ro;
  ro.width = ro.height = 256;
  FaceFrame f;
  f.coefficients.set(Blendshape::JawOpen, jaw);
  write_png(render_face(default_rig(), f, ro).image, path);
}

// The files of a folder that are not hidden (outputs, not temporaries), by name.
std::vector<std::string> visible_files(const std::string& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string n = e.path().filename().string();
    if (n[0] != '.') names.push_back(n);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::size_t hidden_files(const std::string& dir) {
  std::size_t n = 0;
  for (const auto& e : fs::directory_iterator(dir)) n += e.path().filename().string()[0] == '.';
  return n;
}

// The last stderr line (the summary).
std::string summary(const std::string& err) {
  const auto end = err.find_last_not_of('\n');
  const auto start = err.rfind('\n', end);
  return err.substr(start == std::string::npos ? 0 : start + 1, end + 1 - (start + 1));
}

TEST(CliBatch, FolderOfVideosAndImagesOneOutputEachThenSkippedOnRerun) {
  TempDir tmp;
  fs::create_directories(tmp.path("clips"));
  fs::create_directories(tmp.path("photos"));
  for (int i = 0; i < 3; ++i) {
    write_face_video(tmp.path("clips/c" + std::to_string(i) + ".mp4"), 10, float(i));
    write_face_image(tmp.path("photos/p" + std::to_string(i) + ".png"), 0.2f * float(i));
  }
  test::write_text(tmp.path("clips/readme.txt"), "not a video");
  const auto r = run_cli("video " + q(tmp.path("clips")) + " --out-dir " + q(tmp.path("takes")) +
                             " --format csv --jobs 2",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::printf("%s\n", summary(r.err).c_str());
  EXPECT_NE(r.err.find("batch: 3 done, 0 skipped (finished), 0 failed"), std::string::npos)
      << r.err;
  EXPECT_EQ(visible_files(tmp.path("takes")),
            (std::vector<std::string>{"c0.csv", "c1.csv", "c2.csv"}));
  EXPECT_EQ(hidden_files(tmp.path("takes")), 0u);
  for (int i = 0; i < 3; ++i)
    EXPECT_EQ(read_take(tmp.path("takes/c" + std::to_string(i) + ".csv")).frames.size(), 10u);
  const auto again = run_cli(
      "video " + q(tmp.path("clips")) + " --out-dir " + q(tmp.path("takes")) + " --format csv",
      tmp);
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.err.find("batch: 0 done, 3 skipped (finished), 0 failed"), std::string::npos)
      << again.err;
  const auto forced = run_cli("video " + q(tmp.path("clips")) + " --out-dir " +
                                  q(tmp.path("takes")) + " --format csv --force --jobs 1",
                              tmp);
  EXPECT_NE(forced.err.find("batch: 3 done, 0 skipped"), std::string::npos) << forced.err;

  const auto im = run_cli("image " + q(tmp.path("photos")) + " --out-dir " + q(tmp.path("j")), tmp);
  ASSERT_EQ(im.exit_code, 0) << im.err;
  std::printf("%s\n", summary(im.err).c_str());
  ASSERT_EQ(visible_files(tmp.path("j")),
            (std::vector<std::string>{"p0.json", "p1.json", "p2.json"}));
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("j/p2.json")));
  EXPECT_EQ(j["format"], "semblend.image");
  EXPECT_GT(j["face"]["coefficients"]["jawOpen"].get<double>(), 0.2);
  // Options that only make sense for a batch, on a single file: exit 6.
  EXPECT_EQ(run_cli("image " + q(tmp.path("photos/p0.png")) + " --jobs 2", tmp).exit_code, 6);
  EXPECT_EQ(
      run_cli("video " + q(tmp.path("clips")) + " --out-dir " + q(tmp.path("x")) + " --format txt",
              tmp)
          .exit_code,
      6);
}

TEST(CliBatch, ManifestWithBadItemsReportsEachByNameAndTheRestFinishes) {
  TempDir tmp;
  fs::create_directories(tmp.path("m"));
  write_face_video(tmp.path("m/good.mp4"), 8, 0);
  write_face_video(tmp.path("m/twin.mp4"), 8, 1);
  test::write_text(tmp.path("m/notes.mp4"), "these are not frames\n");
  test::write_text(tmp.path("m/blocker"), "a file where a folder should be\n");
  test::write_text(tmp.path("m/list.csv"),
                   "input,output\n"
                   "good.mp4,out/good.json\n"
                   "missing.mp4,out/missing.json\n"
                   "good.mp4,out/same.json\n"
                   "twin.mp4,out/same.json\n"
                   "twin.mp4,blocker/twin.json\n"
                   "notes.mp4,out/notes.json\n"
                   "\"unclosed.mp4,out/u.json\n"
                   "twin.mp4,out/nested/twin.jsonl\n");
  const auto r = run_cli("video " + q(tmp.path("m/list.csv")), tmp);
  std::printf("%s", r.err.c_str());
  EXPECT_EQ(r.exit_code, 4) << "the first failure: the malformed line (exit 4)";
  EXPECT_NE(r.err.find("batch: 2 done, 0 skipped (finished), 6 failed"), std::string::npos)
      << r.err;
  for (const char* named : {"list.csv:3: input", "missing.mp4", "list.csv:4", "list.csv:5",
                            "blocker", "notes.mp4", "list.csv:8"})
    EXPECT_NE(r.err.find(named), std::string::npos) << named;
  EXPECT_EQ(read_take(tmp.path("m/out/good.json")).frames.size(), 8u);
  EXPECT_EQ(read_take(tmp.path("m/out/nested/twin.jsonl")).frames.size(), 8u)
      << "a new folder is made";
  EXPECT_EQ(visible_files(tmp.path("m/out")), (std::vector<std::string>{"good.json", "nested"}));
  EXPECT_EQ(hidden_files(tmp.path("m/out")), 0u) << "the failed item left nothing";
  // A manifest without the header is one clear error.
  test::write_text(tmp.path("m/bare.csv"), "good.mp4,out/good.json\n");
  const auto bare = run_cli("video " + q(tmp.path("m/bare.csv")), tmp);
  EXPECT_EQ(bare.exit_code, 4);
  EXPECT_NE(bare.err.find("bare.csv:1"), std::string::npos) << bare.err;
}

// A manifest naming a photo as another photo's output, or a .txt for JSON, fails those items
// before any work (the photo is kept); an output folder that cannot be made (under /proc, where
// even root cannot) fails its items before any work too, exit 5.
TEST(CliBatch, OutputsNeverReplaceAnInputNorTakeAnotherFormatNorFailAfterTheWork) {
  TempDir tmp;
  fs::create_directories(tmp.path("m"));
  write_face_image(tmp.path("m/open.png"), 0.6f);
  write_face_image(tmp.path("m/shut.png"), 0.0f);
  const std::string shut = test::read_text(tmp.path("m/shut.png"));
  test::write_text(tmp.path("m/list.csv"),
                   "input,output\n"
                   "open.png,shut.png\n"
                   "shut.png,shut.json\n"
                   "open.png,open.txt\n");
  for (const char* force : {"", " --force"}) {
    const auto r = run_cli("image " + q(tmp.path("m/list.csv")) + " --readings 1" + force, tmp);
    EXPECT_EQ(r.exit_code, 6) << r.err;
    EXPECT_NE(r.err.find("batch: 1 done, 0 skipped (finished), 2 failed"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("is the input of"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("open.txt must end in .json"), std::string::npos) << r.err;
    EXPECT_EQ(test::read_text(tmp.path("m/shut.png")), shut) << "the photo is untouched";
    EXPECT_FALSE(fs::exists(tmp.path("m/open.txt")));
    fs::remove(tmp.path("m/shut.json"));
  }
  const auto proc = run_cli("image " + q(tmp.path("m")) + " --out-dir /proc/semblend-no", tmp);
  EXPECT_EQ(proc.exit_code, 5) << proc.err;
  EXPECT_NE(proc.err.find("batch: 0 done, 0 skipped (finished), 2 failed"), std::string::npos)
      << proc.err;
  EXPECT_EQ(proc.err.find("[1/"), std::string::npos) << "no item ran: " << proc.err;
  // A folder that is not there is a missing input (3), not a usage error.
  EXPECT_EQ(
      run_cli("video " + q(tmp.path("clips/")) + " --out-dir " + q(tmp.path("o")), tmp).exit_code,
      3);
}

// `semblend speech FOLDER`: one take per recording, each aligned to the transcript beside it
// (talk.txt for talk.wav) or, without one, recognised; a file that is not audio fails alone; a
// rerun skips the finished takes. A manifest names each transcript in a column; a missing one is
// an error naming it, and the rest run.
TEST(CliBatch, SpeechOneTakePerRecordingWithItsOwnTranscript) {
  TempDir tmp;
  const std::string wav =
      test::shared_data("speech/librivox_sense_and_sensibility_01_austen_64kb-0930.wav");
  const std::string base = wav.substr(0, wav.size() - 4);
  fs::create_directories(tmp.path("voice"));
  fs::copy_file(wav, tmp.path("voice/line1.wav"));
  fs::copy_file(base + ".txt", tmp.path("voice/line1.txt"));
  fs::copy_file(wav, tmp.path("voice/line2.wav"));  // no transcript: recognised
  test::write_text(tmp.path("voice/broken.wav"), "not a recording\n");
  test::write_text(tmp.path("voice/readme.txt"), "a text without a recording is no item\n");
  const std::string batch =
      "speech " + q(tmp.path("voice")) + " --out-dir " + q(tmp.path("out")) + " --format csv";
  auto r = run_cli(batch, tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;  // broken.wav: not audio
  EXPECT_NE(summary(r.err).find("batch: 2 done, 0 skipped (finished), 1 failed"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line1.wav: 3.29 s of audio, transcript: 8 words"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("line2.wav: 3.29 s of audio, recognition:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("broken.wav"), std::string::npos) << r.err;
  EXPECT_EQ(visible_files(tmp.path("out")), (std::vector<std::string>{"line1.csv", "line2.csv"}));
  EXPECT_EQ(hidden_files(tmp.path("out")), 0u);
  // The batch's take is the single run's.
  ASSERT_EQ(run_cli("speech " + q(tmp.path("voice/line1.wav")) + " --transcript " +
                        q(tmp.path("voice/line1.txt")) + " -o " + q(tmp.path("single.csv")),
                    tmp)
                .exit_code,
            0);
  const Take single = read_take(tmp.path("single.csv")),
             batched = read_take(tmp.path("out/line1.csv"));
  ASSERT_EQ(batched.frames.size(), single.frames.size());
  for (std::size_t i = 0; i < single.frames.size(); ++i)
    ASSERT_EQ(batched.frames[i].coefficients.values(), single.frames[i].coefficients.values())
        << "frame " << i;
  // Run again: the finished takes are skipped, the broken file fails again.
  r = run_cli(batch, tmp);
  EXPECT_NE(summary(r.err).find("batch: 0 done, 2 skipped (finished), 1 failed"), std::string::npos)
      << r.err;
  // A manifest: transcripts by column, resolved beside the manifest; a missing one is named.
  test::write_text(tmp.path("voice/list.jsonl"),
                   "{\"input\": \"line2.wav\", \"output\": \"m/two.json\", \"transcript\": "
                   "\"line1.txt\"}\n"
                   "{\"input\": \"line1.wav\", \"output\": \"m/one.json\", \"transcript\": "
                   "\"gone.txt\"}\n");
  r = run_cli("speech " + q(tmp.path("voice/list.jsonl")), tmp);
  EXPECT_EQ(r.exit_code, 3) << r.err;  // a missing input file
  EXPECT_NE(r.err.find("gone.txt does not exist"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("line2.wav: 3.29 s of audio, transcript: 8 words"), std::string::npos)
      << r.err;
  EXPECT_TRUE(fs::exists(tmp.path("voice/m/two.json")));
  EXPECT_FALSE(fs::exists(tmp.path("voice/m/one.json")));
  // A folder with no recordings (here: videos only) is an error that says what it looked for.
  fs::create_directories(tmp.path("clips"));
  write_face_video(tmp.path("clips/a.mp4"), 2, 0, 64);
  r = run_cli("speech " + q(tmp.path("clips")) + " --out-dir " + q(tmp.path("o")), tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("the folder holds no audio recordings"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("list them in a manifest"), std::string::npos) << r.err;
  r = run_cli("video " + q(tmp.path("voice")) + " --out-dir " + q(tmp.path("o")), tmp);
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("the folder holds no videos"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp.path("o")));
  // One take per recording: not with -o or one --transcript for all.
  r = run_cli(batch + " --transcript " + q(tmp.path("voice/line1.txt")), tmp);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("--transcript"), std::string::npos) << r.err;
}

TEST(CliBatch, ShardsSplitTheItemsWithoutOverlap) {
  TempDir tmp;
  fs::create_directories(tmp.path("p"));
  for (int i = 0; i < 7; ++i)
    write_face_image(tmp.path("p/img" + std::to_string(i) + ".png"), 0.1f * float(i));
  std::size_t done = 0;
  for (int k = 0; k < 3; ++k) {
    const auto r = run_cli("image " + q(tmp.path("p")) + " --out-dir " + q(tmp.path("o")) +
                               " --shard " + std::to_string(k) + "/3 --jobs 1",
                           tmp);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string s = summary(r.err);
    std::printf("%s\n", s.c_str());
    done += std::stoul(s.substr(s.find("batch: ") + 7));
    EXPECT_NE(s.find("shard " + std::to_string(k) + "/3"), std::string::npos) << s;
  }
  EXPECT_EQ(done, 7u) << "each image in exactly one shard";
  EXPECT_EQ(visible_files(tmp.path("o")).size(), 7u);
  const auto bad =
      run_cli("image " + q(tmp.path("p")) + " --out-dir " + q(tmp.path("o")) + " --shard 3/3", tmp);
  EXPECT_EQ(bad.exit_code, 6);
  EXPECT_NE(bad.err.find("--shard \"3/3\""), std::string::npos) << bad.err;
}

struct FileStamp {
  ino_t inode;
  std::int64_t mtime_ns;
  bool operator==(const FileStamp&) const = default;
};
FileStamp stamp(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return {st.st_ino, std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

TEST(CliBatch, KilledMidwayThenRerunLosesNothingAndRedoesNothingFinished) {
  TempDir tmp;
  fs::create_directories(tmp.path("in"));
  constexpr int kVideos = 8;
  for (int i = 0; i < kVideos; ++i)
    write_face_video(tmp.path("in/v" + std::to_string(i) + ".mp4"), 24, float(i));
  const std::string out = tmp.path("out");
  // The batch as a child process, killed (SIGKILL: no clean-up at all) once 2 outputs exist.
  const std::string cli = SEMBLEND_CLI, in = tmp.path("in"), log = tmp.path("killed.log");
  std::vector<std::string> args{cli,      "video", in,         "--out-dir", out,
                                "--jobs", "1",     "--format", "jsonl"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  ASSERT_EQ(posix_spawn(&pid, cli.c_str(), &actions, nullptr, argv.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (std::chrono::steady_clock::now() < deadline) {
    if (fs::is_directory(out) && visible_files(out).size() >= 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the batch finished before it was killed";
  // Whatever exists is whole: every output parses with all its frames.
  const std::vector<std::string> finished = visible_files(out);
  ASSERT_GE(finished.size(), 2u);
  ASSERT_LT(finished.size(), std::size_t(kVideos)) << "killed mid-way";
  std::map<std::string, FileStamp> before;
  for (const auto& name : finished) {
    EXPECT_EQ(read_take(out + "/" + name).frames.size(), 24u) << name;
    before[name] = stamp(out + "/" + name);
  }
  std::printf("killed after %zu of %d outputs (%zu temporaries left)\n", finished.size(), kVideos,
              hidden_files(out));
  // What a kill in the middle of a write leaves (here planted, as the kill rarely lands there): a
  // hidden temporary, half an output. It must not count as finished.
  std::string unfinished;
  for (int i = kVideos - 1; i >= 0 && unfinished.empty(); --i)
    if (!fs::exists(out + "/v" + std::to_string(i) + ".jsonl"))
      unfinished = "v" + std::to_string(i) + ".jsonl";
  test::write_text(out + "/." + unfinished + ".tmp.123456", "{\"format\":\"semblend.take.jsonl\"");
  // The rerun skips what is finished and does the rest.
  const auto r = run_cli("video " + q(in) + " --out-dir " + q(out) + " --format jsonl", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::printf("%s\n", summary(r.err).c_str());
  EXPECT_NE(r.err.find("batch: " + std::to_string(kVideos - int(finished.size())) + " done, " +
                       std::to_string(finished.size()) + " skipped (finished), 0 failed"),
            std::string::npos)
      << r.err;
  for (const auto& [name, s] : before) EXPECT_EQ(stamp(out + "/" + name), s) << name << " redone";
  ASSERT_EQ(visible_files(out).size(), std::size_t(kVideos));
  for (const auto& name : visible_files(out))
    EXPECT_EQ(read_take(out + "/" + name).frames.size(), 24u) << name;
  EXPECT_EQ(hidden_files(out), 0u) << "the killed run's temporaries are cleared";
}

// Per frame: the left face's jaw opens as the right face's smile fades; the right face enters
// at frame 6.
Image two_faces(int frame, int frames) {
  RenderOptions ro;
  ro.width = ro.height = 256;
  const float t = float(frame) / float(frames - 1);
  FaceFrame a, b;
  a.coefficients.set(Blendshape::JawOpen, 0.8f * t);
  b.coefficients.set(Blendshape::MouthSmileLeft, 1 - t);
  b.coefficients.set(Blendshape::MouthSmileRight, 1 - t);
  const Image left = render_face(default_rig(), a, ro).image;
  Image right = render_face(default_rig(), b, ro).image;
  if (frame < 6) std::fill(right.rgb.begin(), right.rgb.end(), std::uint8_t{110});
  return test::hstack(left, right);
}

TEST(CliBatch, FacesAllGivesEachFaceItsOwnStableTake) {
  TempDir tmp;
  fs::create_directories(tmp.path("in"));
  constexpr int kFrames = 40;
  {
    VideoWriter w(tmp.path("in/two.mp4"), 512, 256, 25);
    for (int i = 0; i < kFrames; ++i) w.write(two_faces(i, kFrames));
    w.close();
  }
  const auto r = run_cli("video " + q(tmp.path("in")) + " --faces all --out-dir " +
                             q(tmp.path("out")) + " --format jsonl",
                         tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(visible_files(tmp.path("out")),
            (std::vector<std::string>{"two.face0.jsonl", "two.face1.jsonl", "two.faces.json"}));
  // The log names what was written, not the two.jsonl the folder's plan started from.
  EXPECT_TRUE(test::contains(r.err, "two.mp4 -> " + tmp.path("out/two.face0.jsonl") + ", " +
                                        tmp.path("out/two.face1.jsonl") + ", " +
                                        tmp.path("out/two.faces.json") + ": 40 frames"))
      << r.err;
  const auto index = nlohmann::json::parse(test::read_text(tmp.path("out/two.faces.json")));
  EXPECT_EQ(index["format"], "semblend.faces");
  EXPECT_EQ(index["frames"], kFrames);
  ASSERT_EQ(index["faces"].size(), 2u);
  const Take a = read_take(tmp.path("out/two.face0.jsonl"));
  const Take b = read_take(tmp.path("out/two.face1.jsonl"));
  ASSERT_EQ(a.frames.size(), std::size_t(kFrames));
  ASSERT_EQ(b.frames.size(), std::size_t(kFrames));
  EXPECT_EQ(index["faces"][0]["frames_with_face"], kFrames) << "the left face is there throughout";
  const int b_seen = index["faces"][1]["frames_with_face"];
  std::printf("face 1 (entering at frame 6) found in %d of %d frames\n", b_seen, kFrames);
  EXPECT_GE(b_seen, kFrames - 6 - 15) << "found at the next re-detection at the latest";
  EXPECT_EQ(b.frames[0].confidence, 0.0f) << "before it enters: held neutral, confidence 0";
  EXPECT_GT(b.frames.back().confidence, 0.5f);
  // Each take follows its own face: face 0's jaw opens, face 1's smile fades; no jumps (an id
  // that swapped faces would jump between the two expressions).
  auto smile = [](const FaceFrame& f) {
    return (f.coefficients[Blendshape::MouthSmileLeft] +
            f.coefficients[Blendshape::MouthSmileRight]) /
           2;
  };
  const std::size_t first_b = std::size_t(kFrames - b_seen), last = std::size_t(kFrames - 1);
  std::printf("face 0 jawOpen %.2f -> %.2f; face 1 smile %.2f -> %.2f, jawOpen %.2f\n",
              a.frames[0].coefficients[Blendshape::JawOpen],
              a.frames[last].coefficients[Blendshape::JawOpen], smile(b.frames[first_b]),
              smile(b.frames[last]), b.frames[last].coefficients[Blendshape::JawOpen]);
  EXPECT_GT(a.frames[last].coefficients[Blendshape::JawOpen],
            a.frames[0].coefficients[Blendshape::JawOpen] + 0.4f);
  // Face 1 is found at a re-detection, its smile already down to 0.62; the solver reads this
  // small rig face's smile low (0.17 there; a full-size render's 0.55 smile reads 0.25: the
  // rig's smile is shallower than the photos' it learned; its detection frame read higher until
  // detected faces were read again on their own crop, as the tracked frames are, landmarker.h).
  EXPECT_GT(smile(b.frames[first_b]), smile(b.frames[last]) + 0.1f);
  EXPECT_LT(b.frames[last].coefficients[Blendshape::JawOpen], 0.3f);
  for (std::size_t i = 1; i < std::size_t(kFrames); ++i) {
    EXPECT_LT(std::fabs(a.frames[i].coefficients[Blendshape::JawOpen] -
                        a.frames[i - 1].coefficients[Blendshape::JawOpen]),
              0.2f)
        << i;
    EXPECT_LT(std::fabs(smile(a.frames[i]) - smile(a.frames[i - 1])), 0.2f) << i;
  }
  // The index commits the set: a rerun skips it.
  const auto again = run_cli("video " + q(tmp.path("in")) + " --faces all --out-dir " +
                                 q(tmp.path("out")) + " --format jsonl",
                             tmp);
  EXPECT_NE(again.err.find("0 done, 1 skipped"), std::string::npos) << again.err;
  // One image with two faces: "faces", one object each.
  write_png(two_faces(kFrames - 1, kFrames), tmp.path("two.png"));
  const auto im = run_cli(
      "image " + q(tmp.path("two.png")) + " --faces all -o " + q(tmp.path("two.json")), tmp);
  ASSERT_EQ(im.exit_code, 0) << im.err;
  const auto j = nlohmann::json::parse(test::read_text(tmp.path("two.json")));
  EXPECT_EQ(j["faces"].size(), 2u);
  EXPECT_FALSE(j.contains("face"));
}

}  // namespace
}  // namespace semblend
