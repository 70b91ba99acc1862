// Helpers shared by the tests: paths to real data, temporary folders, running the CLI.
#pragma once

#include <filesystem>
#include <string>

#include "semblend/image.h"
#include "semblend/landmarker.h"

namespace semblend::test {

// A file under ../shared/data; fails the test (not skips) when the shared data is missing.
std::string shared_data(const std::string& relative);

// A fresh empty directory, removed when the object goes away.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
};

// The real iPhone recording in ../shared/data (a Live Link Face CSV).
inline constexpr const char* kLiveLinkRecording = "arkit/livelinkface_alex_rom_3.csv";

bool contains(const std::string& s, const std::string& part);
float dist(const Point3& a, const Point3& b);  // Euclidean, in 3D

std::string read_text(const std::string& path);
void write_text(const std::string& path, const std::string& text);

struct RunResult {
  int exit_code = -1;
  std::string out, err;
};
// Runs the semblend binary with `args` (shell-quoted here), capturing stdout and stderr.
RunResult run_cli(const std::string& args, const TempDir& tmp);
// The same with the file `input` piped into its standard input (`cat input | semblend ARGS`).
RunResult run_cli_piped(const std::string& args, const std::string& input, const TempDir& tmp);
// The same with environment variables set (`env` as `env`(1) takes them: "PATH=/x LANG=C").
RunResult run_cli_env(const std::string& env, const std::string& args, const TempDir& tmp);

// Runs Debian's ffmpeg CLI (quiet, overwriting, no stdin) with `args` (paths quoted with q);
// true when it succeeded. Tests make their media with it.
bool ffmpeg(const std::string& args);

// `s` in single quotes, for run_cli's command line (test paths hold no single quote).
std::string q(const std::string& s);

// `a` and `b` side by side, pixel for pixel (they must have the same height).
// `image` blurred by a Gaussian of `sigma` pixels (OpenCV's): a face too blurred to read.
Image gaussian_blurred(const Image& image, double sigma);
Image hstack(const Image& a, const Image& b);
// `image` with lenses drawn over the eyes of `face` (its landmarks on that image): ellipses of
// 0.52 × 0.38 of the eye distance around each eye's centre, dark grey, blended with weight
// `opacity` (1: opaque sunglasses); `left`/`right` choose the eyes (the subject's own).
Image with_dark_lenses(const Image& image, const FaceLandmarks& face, double opacity,
                       bool left = true, bool right = true);

// The default rig, neutral but for mouthSmileLeft = `smile`, rendered at 64² (one sample per
// pixel) and PNG-encoded: a small face for upload and store tests.
std::string rig_face_png(float smile);

// A small video of `frames` uniform grey frames (no face), written with VideoWriter.
void write_grey_video(const std::string& path, int width, int height, double fps, int frames,
                      unsigned char level = 128);

}  // namespace semblend::test
