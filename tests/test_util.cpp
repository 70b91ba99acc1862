#include "test_util.h"

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <opencv2/imgproc.hpp>
#include <random>
#include <sstream>

#include "semblend/image.h"
#include "semblend/render.h"
#include "semblend/topology.h"
#include "semblend/video.h"

namespace semblend::test {

std::string shared_data(const std::string& relative) {
  const std::filesystem::path p = std::filesystem::path(SEMBLEND_SHARED_DATA) / relative;
  if (!std::filesystem::exists(p))
    ADD_FAILURE() << "missing shared test data " << p
                  << " (../shared/data beside the project; set -DSEMBLEND_SHARED_DATA=...)";
  return p.string();
}

TempDir::TempDir() {
  std::random_device rd;
  dir_ = std::filesystem::temp_directory_path() /
         ("semblend-test-" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

namespace {

// `semblend ARGS` after `prefix` (what feeds its standard input), stdout and stderr captured.
RunResult run_cli_after(const std::string& prefix, const std::string& args, const TempDir& tmp) {
  const std::string out = tmp.path(".stdout"), err = tmp.path(".stderr");
  const std::string cmd =
      prefix + "'" + std::string(SEMBLEND_CLI) + "' " + args + " >'" + out + "' 2>'" + err + "'";
  const int status = std::system(cmd.c_str());
  RunResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = read_text(out);
  r.err = read_text(err);
  return r;
}

}  // namespace

RunResult run_cli(const std::string& args, const TempDir& tmp) {
  return run_cli_after("</dev/null ", args, tmp);
}

RunResult run_cli_env(const std::string& env, const std::string& args, const TempDir& tmp) {
  return run_cli_after("</dev/null env " + env + " ", args, tmp);
}

RunResult run_cli_piped(const std::string& args, const std::string& input, const TempDir& tmp) {
  return run_cli_after("cat '" + input + "' | ", args, tmp);
}

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

float dist(const Point3& a, const Point3& b) {
  return std::hypot(a.x - b.x, a.y - b.y, a.z - b.z);
}

bool ffmpeg(const std::string& args) {
  return std::system(("ffmpeg -loglevel error -nostdin -y " + args).c_str()) == 0;
}

std::string q(const std::string& s) {
  return "'" + s + "'";
}

Image gaussian_blurred(const Image& image, double sigma) {
  Image out = image;
  const cv::Mat in(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat blurred(out.height, out.width, CV_8UC3, out.rgb.data());  // writes into `out`
  cv::GaussianBlur(in, blurred, cv::Size(0, 0), sigma);
  return out;
}

Image with_dark_lenses(const Image& image, const FaceLandmarks& face, double opacity, bool left,
                       bool right) {
  const cv::Mat in(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  cv::Mat lenses = in.clone();
  const Point3 &a = face.points[landmark::kRightEyeOuter],
               &b = face.points[landmark::kLeftEyeOuter];
  const double eyes = std::hypot(b.x - a.x, b.y - a.y);
  for (const bool l : {true, false}) {
    if (!(l ? left : right)) continue;
    double cx = 0, cy = 0;
    const auto loop = face_mesh_indices(l ? FaceMeshSet::LeftEye : FaceMeshSet::RightEye);
    for (const auto k : loop) cx += face.points[k].x, cy += face.points[k].y;
    cx /= double(loop.size()), cy /= double(loop.size());
    cv::ellipse(lenses, cv::Point(int(cx), int(cy + 0.03 * eyes)),
                cv::Size(int(0.26 * eyes), int(0.19 * eyes)), 0, 0, 360, cv::Scalar(25, 22, 20), -1,
                cv::LINE_AA);
  }
  Image out = image;
  cv::Mat blended(out.height, out.width, CV_8UC3, out.rgb.data());  // writes into `out`
  cv::addWeighted(lenses, opacity, in, 1 - opacity, 0, blended);
  return out;
}

Image hstack(const Image& a, const Image& b) {
  EXPECT_EQ(a.height, b.height);
  Image out;
  out.width = a.width + b.width;
  out.height = std::min(a.height, b.height);
  out.rgb.resize(std::size_t(out.width) * std::size_t(out.height) * 3);
  for (int y = 0; y < out.height; ++y) {
    std::copy_n(a.pixel(0, y), std::size_t(a.width) * 3,
                out.rgb.begin() + std::ptrdiff_t(y) * out.width * 3);
    std::copy_n(b.pixel(0, y), std::size_t(b.width) * 3,
                out.rgb.begin() + (std::ptrdiff_t(y) * out.width + a.width) * 3);
  }
  return out;
}

void write_grey_video(const std::string& path, int width, int height, double fps, int frames,
                      unsigned char level) {
  VideoWriter w(path, width, height, fps);
  Image g;
  g.width = width;
  g.height = height;
  g.rgb.assign(std::size_t(width) * std::size_t(height) * 3, level);
  for (int i = 0; i < frames; ++i) w.write(g);
  w.close();
}

std::string rig_face_png(float smile) {
  FaceFrame f;
  f.coefficients.set(Blendshape::MouthSmileLeft, smile);
  RenderOptions o;
  o.width = o.height = 64;
  o.supersample = 1;
  return encode_png(render_face(default_rig(), f, o).image);
}

}  // namespace semblend::test
