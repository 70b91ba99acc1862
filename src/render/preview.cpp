// Preview videos: the rig rendered frame by frame, piped as raw RGB into Debian's ffmpeg CLI,
// which encodes H.264 and muxes the audio. See include/semblend/preview.h.
#include "semblend/preview.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "semblend/error.h"
#include "semblend/file_io.h"

extern char** environ;

namespace semblend {
namespace {

namespace fs = std::filesystem;

// The last `lines` lines of a text file ("" when unreadable).
std::string tail_of(const std::string& path, int lines) {
  std::ifstream in(path);
  std::vector<std::string> all;
  for (std::string line; std::getline(in, line);) all.push_back(line);
  std::string out;
  const std::size_t from = all.size() > std::size_t(lines) ? all.size() - std::size_t(lines) : 0;
  for (std::size_t i = from; i < all.size(); ++i) out += (out.empty() ? "" : " | ") + all[i];
  return out;
}

// Blocks SIGPIPE in this thread while alive (a dead ffmpeg makes write() fail with EPIPE instead
// of killing the process); a SIGPIPE raised meanwhile is consumed before the mask is restored.
class SigpipeBlock {
 public:
  SigpipeBlock() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeBlock() {
    const timespec zero{0, 0};
    while (sigtimedwait(&set_, nullptr, &zero) > 0) {
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeBlock(const SigpipeBlock&) = delete;
  SigpipeBlock& operator=(const SigpipeBlock&) = delete;

 private:
  sigset_t set_{}, old_{};
};

// Writes everything; false when the reader has gone (EPIPE) or another error occurred.
bool write_all(int fd, const std::uint8_t* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd, data, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

std::string not_found_message(const std::string& ffmpeg) {
  return "preview: \"" + ffmpeg +
         "\" was not found: install Debian's ffmpeg package (apt-get install ffmpeg) to write "
         "preview videos";
}

// What posix_spawnp would find: `program` itself when it names a path, else the first executable
// file of that name on PATH (its default when unset, as glibc's).
bool startable(const std::string& program) {
  namespace fs = std::filesystem;
  auto executable = [](const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
  };
  if (program.empty()) return false;
  if (program.find('/') != std::string::npos) return executable(program);
  const char* env = std::getenv("PATH");
  const std::string path = env ? env : "/bin:/usr/bin";
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const std::string dir = path.substr(start, end - start);
    if (executable(fs::path(dir.empty() ? "." : dir) / program)) return true;
    start = end + 1;
  }
  return false;
}

}  // namespace

void check_encoder_program(const std::string& ffmpeg) {
  if (!startable(ffmpeg)) throw std::runtime_error(not_found_message(ffmpeg));
}

struct PreviewEncoder::Impl {
  std::string out_path, target, tmp, log;  // target: out_path with symbolic links followed
  int width = 0, height = 0;
  int fd = -1;
  pid_t pid = 0;

  // Closes the pipe and reaps ffmpeg; true when it exited with status 0.
  bool finish() {
    if (fd >= 0) ::close(fd);
    fd = -1;
    if (pid <= 0) return false;
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    pid = 0;
    last_status = status;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
  }
  [[noreturn]] void fail() {
    std::remove(tmp.c_str());
    const std::string why = tail_of(log, 4);
    std::remove(log.c_str());
    throw IoError(IoError::Op::Write, out_path,
                  "preview: ffmpeg failed writing it (" +
                      (WIFEXITED(last_status) ? "exit " + std::to_string(WEXITSTATUS(last_status))
                                              : "killed") +
                      (why.empty() ? ")" : "): " + why));
  }
  int last_status = 0;
};

PreviewEncoder::PreviewEncoder(const std::string& out_path, int width, int height, double fps,
                               const EncoderOptions& options)
    : impl_(std::make_unique<Impl>()) {
  if (!(fps > 0) || fps > 240)
    throw std::invalid_argument("preview: frame rate " + number(fps) + " is outside (0, 240]");
  if (width < 16 || height < 16 || width > 4096 || height > 4096 || width % 2 || height % 2)
    throw std::invalid_argument("preview: size " + std::to_string(width) + "x" +
                                std::to_string(height) + " must be even and within 16..4096");
  if (options.crf < 0 || options.crf > 51)
    throw std::invalid_argument("preview: crf " + std::to_string(options.crf) +
                                " is outside 0..51");
  const fs::path out(out_path);
  if (out.extension().empty())
    throw std::invalid_argument("preview: \"" + out_path +
                                "\" needs an extension naming the container (.mp4)");
  const std::string target = resolve_file_output(out_path);  // a folder, device: IoError
  const fs::path real(target);
  const fs::path dir = real.parent_path().empty() ? fs::path(".") : real.parent_path();
  std::error_code ec;
  if (::access(dir.c_str(), W_OK) != 0)
    throw IoError(IoError::Op::Write, out_path, std::string(std::strerror(errno)));
  const std::string& audio = options.audio;
  if (!audio.empty() && !fs::is_regular_file(audio, ec))
    throw IoError(IoError::Op::Read, audio, "no such file");

  std::random_device rd;
  const std::string tag = std::to_string(rd());
  impl_->out_path = out_path;
  impl_->target = target;
  impl_->width = width;
  impl_->height = height;
  impl_->tmp =
      (dir / ("." + out.stem().string() + ".tmp." + tag + out.extension().string())).string();
  impl_->log = (fs::temp_directory_path() / ("semblend-ffmpeg-" + tag + ".log")).string();

  std::vector<std::string> args = {
      options.ffmpeg, "-hide_banner",
      "-nostats",     "-loglevel",
      "error",        "-y",
      "-f",           "rawvideo",
      "-pix_fmt",     "rgb24",
      "-s",           std::to_string(width) + "x" + std::to_string(height),
      "-framerate",   number(fps),
      "-i",           "-"};
  if (!audio.empty()) args.insert(args.end(), {"-i", audio});
  args.insert(args.end(), {"-map", "0:v:0"});
  if (!audio.empty())
    args.insert(args.end(), {"-map", options.audio_optional ? "1:a:0?" : "1:a:0"});
  args.insert(args.end(), {"-c:v", "libx264", "-preset", "veryfast", "-crf",
                           std::to_string(options.crf), "-pix_fmt", "yuv420p"});
  if (!audio.empty()) args.insert(args.end(), {"-c:a", "aac", "-b:a", "128k", "-shortest"});
  args.insert(args.end(), {"-movflags", "+faststart", impl_->tmp});
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("preview: pipe: ") + std::strerror(errno));
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, impl_->log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  pid_t pid = 0;
  const int spawned =
      posix_spawnp(&pid, options.ffmpeg.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (spawned != 0) {
    ::close(fds[1]);
    std::remove(impl_->log.c_str());
    if (spawned == ENOENT) throw std::runtime_error(not_found_message(options.ffmpeg));
    throw std::runtime_error("preview: cannot start " + options.ffmpeg + ": " +
                             std::strerror(spawned));
  }
  impl_->fd = fds[1];
  impl_->pid = pid;
}

PreviewEncoder::~PreviewEncoder() {
  if (!impl_ || impl_->pid <= 0) return;
  impl_->finish();  // abandoned: whatever ffmpeg made is removed
  std::remove(impl_->tmp.c_str());
  std::remove(impl_->log.c_str());
}

void PreviewEncoder::write(const Image& frame) {
  if (impl_->pid <= 0) throw std::logic_error("preview: write() after close()");
  if (frame.width != impl_->width || frame.height != impl_->height)
    throw std::invalid_argument("preview: a " + std::to_string(frame.width) + "x" +
                                std::to_string(frame.height) + " frame in a " +
                                std::to_string(impl_->width) + "x" + std::to_string(impl_->height) +
                                " video");
  bool delivered = false;
  {
    SigpipeBlock block;
    delivered = write_all(impl_->fd, frame.rgb.data(), frame.rgb.size());
  }
  if (!delivered) {
    impl_->finish();
    impl_->fail();
  }
}

void PreviewEncoder::close() {
  if (impl_->pid <= 0) throw std::logic_error("preview: close() twice");
  if (!impl_->finish()) impl_->fail();
  std::remove(impl_->log.c_str());
  std::error_code ec;
  fs::rename(impl_->tmp, impl_->target, ec);
  if (ec) {
    std::remove(impl_->tmp.c_str());
    throw IoError(IoError::Op::Write, impl_->out_path,
                  "cannot rename the finished video: " + ec.message());
  }
}

FrameClock::FrameClock(double fps) : fps_(fps) {
  if (!(fps > 0 && fps <= 240)) throw std::invalid_argument("FrameClock: fps must lie in (0, 240]");
}

std::size_t FrameClock::until(double t) {
  if (!std::isfinite(t)) throw std::invalid_argument("FrameClock: a frame time is not finite");
  // Video frames k with k / fps + half a period < t come before the frame at t.
  const double first = std::ceil(t * fps_ - 0.5);
  if (!(first > static_cast<double>(next_))) return 0;
  const auto k = static_cast<std::size_t>(first);
  const std::size_t n = k - next_;
  next_ = k;
  return n;
}

std::size_t FrameClock::last(double t) {
  return std::max<std::size_t>(until(t + 1.0 / fps_), 1);
}

void write_preview_video(const Take& take, const std::string& audio_path,
                         const std::string& out_path, const PreviewOptions& options) {
  if (take.frames.empty()) throw std::invalid_argument("preview: the take has no frames");
  // Uneven frame times (a variable-rate video's take) are shown at their median rate where
  // that is faster than the take's nominal one, so no frame is dropped for want of a slot.
  const double median_fps = estimate_fps(take.frames, take.fps);
  FrameClock clock(median_fps > take.fps * 1.01 && median_fps <= 240 ? median_fps : take.fps);
  EncoderOptions eo;
  eo.ffmpeg = options.ffmpeg;
  eo.crf = options.crf;
  eo.audio = audio_path;
  PreviewEncoder encoder(out_path, options.width, options.height, clock.fps(), eo);
  RenderOptions ro = options.render;
  ro.width = options.width;
  ro.height = options.height;
  const Rig& rig = options.rig ? *options.rig : default_rig();
  // Writes take frame i n times, rendered only when shown (the first frame's lead-in and its own
  // slot render it once).
  std::size_t rendered = take.frames.size();
  Image image;
  auto show = [&](std::size_t i, std::size_t n) {
    if (n == 0) return;
    if (rendered != i) {
      FaceFrame frame = take.frames[i];
      if (options.still_head) frame.head = HeadPose{};
      image = render_face(rig, frame, ro).image;
      rendered = i;
    }
    for (std::size_t k = 0; k < n; ++k) encoder.write(image);
  };
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    show(i == 0 ? 0 : i - 1, clock.until(take.frames[i].time));
    if (options.progress) options.progress(i + 1, take.frames.size());
  }
  const std::size_t last = take.frames.size() - 1;
  show(last, clock.last(take.frames[last].time));
  encoder.close();
}

}  // namespace semblend
