// `semblend video` (commands.h, docs/cli.md): every frame of a video through the tracking
// landmarker (VIDEO mode, landmarker.h track()) and the solver, smoothed online with One Euro
// filters (filter.h, the same parameters as smooth_take), written as a take; optionally a
// side-by-side preview (the frame with its landmarks | the rig with the frame's estimate) with the
// source's audio.
//
// Frames without the chosen face hold the last estimate (before the first face: the neutral face,
// head straight) with confidence 0; a video with no face at all is an error.
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "commands.h"
#include "semblend/batch.h"
#include "semblend/file_io.h"
#include "semblend/filter.h"
#include "semblend/preview.h"
#include "semblend/semblend.h"
#include "semblend/solver.h"
#include "semblend/video.h"
#include "solve_view.h"
#include "video_solve.h"

namespace semblend::cli {
namespace {

// Ctrl-C (SIGINT) or SIGTERM while a live source is read ends the video, not the process: the
// frames read so far are solved and written. While a file is read (a scheduler preempting the
// job) it abandons the run instead: nothing is written, the temporary outputs are removed and
// the preview's ffmpeg is stopped, and the exit code is 128 + the signal's number, as the shell
// reports a killed process. A signal handler reaches only a global; these lock-free values are
// the ones this program has. A second signal kills the process as usual (SA_RESETHAND).
std::atomic<bool> g_stop_requested{false};
std::atomic<int> g_stop_signal{0};

void request_stop(int signal) {
  g_stop_signal = signal;
  g_stop_requested = true;
}

void stop_on_signals() {
  struct sigaction sa {};
  sa.sa_handler = request_stop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

// "[#####.....]  45%  61/135 frames" on a terminal; nothing otherwise.
class Progress {
 public:
  explicit Progress(int total) : total_(total), on_(::isatty(STDERR_FILENO) == 1) {}
  void update(int done) {
    if (!on_) return;
    const int pct = total_ > 0 ? std::min(100, done * 100 / total_) : -1;
    if (pct == last_ && done % 30) return;
    last_ = pct;
    if (pct < 0) {
      std::fprintf(stderr, "\rsemblend video: %d frames", done);
    } else {
      char bar[31];
      for (int i = 0; i < 30; ++i) bar[i] = i < pct * 30 / 100 ? '#' : '.';
      bar[30] = 0;
      std::fprintf(stderr, "\rsemblend video: [%s] %3d%%  %d/%d frames", bar, pct, done, total_);
    }
    std::fflush(stderr);
  }
  void done() {
    if (on_) std::fprintf(stderr, "\n");
  }

 private:
  int total_, last_ = -2;
  bool on_;
};

// Cuts an odd last row or column (H.264 in yuv420p needs an even size).
Image even_sized(Image image) {
  const int w = image.width & ~1, h = image.height & ~1;
  if (w == image.width && h == image.height) return image;
  Image out;
  out.width = w, out.height = h;
  out.rgb.resize(std::size_t(w) * std::size_t(h) * 3);
  for (int y = 0; y < h; ++y)
    std::copy_n(image.rgb.begin() + std::ptrdiff_t(std::size_t(y) * std::size_t(image.width) * 3),
                std::size_t(w) * 3, out.rgb.begin() + std::ptrdiff_t(std::size_t(y) * w * 3));
  return out;
}

// The preview on a second thread: compositing, rendering the rig and feeding ffmpeg overlap with
// decoding, tracking and solving. Jobs queue up to a bound (each holds a frame); a failure on
// the worker is rethrown by the next push() or by finish(). Destroyed without finish(), it stops
// and the encoder abandons its temporary file. The preview runs at `fps` (the source's base rate)
// on the source's clock: each frame is shown from its own time (FrameClock), so a variable-rate
// video's pictures stay with its sound.
class PreviewWorker {
 public:
  PreviewWorker(std::string path, double fps, std::string audio)
      : path_(std::move(path)), audio_(std::move(audio)), clock_(fps), thread_([this] { run(); }) {}
  PreviewWorker(const PreviewWorker&) = delete;
  PreviewWorker& operator=(const PreviewWorker&) = delete;
  ~PreviewWorker() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  void push(Image image, std::vector<FaceLandmarks> faces, const FaceFrame& frame) {
    std::unique_lock lock(mutex_);
    room_.wait(lock, [&] { return jobs_.size() < kQueue || error_; });
    if (error_) std::rethrow_exception(error_);
    jobs_.push_back({std::move(image), std::move(faces), frame});
    wake_.notify_one();
  }

  void finish() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_all();
    thread_.join();
    if (error_) std::rethrow_exception(error_);
    if (!encoder_) return;
    show(clock_.last(last_time_));
    encoder_->close();
  }

 private:
  struct Job {
    Image image;
    std::vector<FaceLandmarks> faces;
    FaceFrame frame;
  };
  static constexpr std::size_t kQueue = 3;

  void run() {
    for (;;) {
      Job job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || done_ || !jobs_.empty(); });
        if (stop_ || jobs_.empty()) return;
        job = std::move(jobs_.front());
        jobs_.pop_front();
      }
      room_.notify_one();
      try {
        // The rig at no more than 512² (scaled up to the frame's height): 16 ms instead of 30 at
        // 700².
        Image both = even_sized(solved_side_by_side(job.image, job.faces, job.frame,
                                                    std::clamp(job.image.height, 128, 512)));
        if (!encoder_) {
          EncoderOptions eo;
          eo.audio = audio_;  // the source's sound, when it has any
          eo.audio_optional = true;
          encoder_.emplace(path_, both.width, both.height, clock_.fps(), eo);
          shown_ = both;  // the first frame is also shown before its own time
        }
        show(clock_.until(job.frame.time));  // the frame before this one, until its time
        shown_ = std::move(both);
        last_time_ = job.frame.time;
      } catch (...) {
        std::lock_guard lock(mutex_);
        error_ = std::current_exception();
        room_.notify_all();
        return;
      }
    }
  }

  // Writes the frame last composited n times.
  void show(std::size_t n) {
    for (std::size_t k = 0; k < n; ++k) encoder_->write(shown_);
  }

  std::string path_, audio_;
  FrameClock clock_;
  std::optional<PreviewEncoder> encoder_;  // made by the worker on the first frame (its size)
  Image shown_;                            // the frame on screen until the next one's time
  double last_time_ = 0;
  std::mutex mutex_;
  std::condition_variable wake_, room_;
  std::deque<Job> jobs_;
  bool stop_ = false, done_ = false;
  std::exception_ptr error_;
  std::thread thread_;  // last: starts after everything it uses
};

}  // namespace

int run_video(const VideoOptions& o) {
  if (is_batch_input({o.input})) {
    if (!o.vmc.to.empty())
      throw std::invalid_argument("--vmc streams one video, not a folder or a manifest");
    return run_video_batch(o);
  }
  refuse_batch_options(o.batch, o.input, "the input");
  // Everything that can be checked before the work is checked first.
  const TakeFormat format = video_output_format(o.output);
  if (o.semantic) check_semantic_format(format);
  Calibration calibration;
  std::optional<Appearance> appearance;
  VideoSolveOptions so = video_solve_options(o, calibration, appearance);
  if (so.all_faces && o.output.empty())
    throw std::invalid_argument("--faces all writes one take per face: it needs -o");
  if (so.all_faces && !o.preview.empty())
    throw std::invalid_argument("--preview shows one face: not with --faces all");
  if (!o.preview.empty() && extension_of(o.preview) != "mp4")
    throw std::invalid_argument("--preview must be an .mp4 file, got \"" + o.preview + "\"");
  if (!o.preview.empty()) {  // the encoder starts on the first frame: its output is checked now
    resolve_file_output(o.preview);
    check_writable(o.preview);
  }
  if (o.face < 0) throw std::invalid_argument("--face must be 0 or more");
  if (so.all_faces && !o.vmc.to.empty())
    throw std::invalid_argument("--vmc streams one face: not with --faces all");
  std::optional<VmcSender> vmc = open_vmc(o.vmc);
  std::optional<VmcPacer> pacer;
  if (vmc) pacer.emplace(*vmc);
  VideoReader reader = VideoReader::open(o.input);
  stop_on_signals();
  so.stop = &g_stop_requested;
  std::optional<AtomicFileWriter> out;
  if (!o.output.empty()) {
    if (so.all_faces)  // an unwritable -o fails now, not at the end
      AtomicFileWriter{face_index_path(o.output)};
    else
      out.emplace(o.output);
  }
  const Solver solver = load_solver(o.model);
  FaceLandmarker landmarker = FaceLandmarker::create(video_landmarker_options(so));

  std::optional<PreviewWorker> preview;
  if (!o.preview.empty()) preview.emplace(o.preview, reader.base_fps(), o.input);
  Progress progress(reader.frame_count());
  int done = 0;
  // A file's run abandoned by a signal: `out` and `preview` go out of scope uncommitted, so their
  // temporary files are removed (and ffmpeg stopped).
  auto interrupted = [&] {
    progress.done();
    std::fprintf(stderr,
                 "semblend video: %s: interrupted by signal %d after %d frames; nothing written\n",
                 o.input.c_str(), g_stop_signal.load(), done);
    return 128 + g_stop_signal.load();
  };
  SolvedVideo video;
  try {
    video =
        solve_video(reader, landmarker, solver, so, o.input,
                    [&](Image&& image, std::vector<FaceLandmarks>&& drawn, const FaceFrame& frame) {
                      if (preview) preview->push(std::move(image), std::move(drawn), frame);
                      if (pacer) pacer->send(frame);
                      progress.update(++done);
                    });
  } catch (const InputError&) {  // no frame or no face before the signal
    if (g_stop_requested && !reader.live()) return interrupted();
    throw;
  }
  if (g_stop_requested && !reader.live()) return interrupted();
  progress.done();
  for (const std::string& w : video.warnings)
    std::fprintf(stderr, "semblend video: warning: %s: %s\n", o.input.c_str(), w.c_str());
  if (g_stop_requested)
    std::fprintf(stderr, "semblend video: stopped by a signal after %d frames; writing them\n",
                 video.frames);
  if (preview) preview->finish();
  if (so.all_faces) {
    write_video_takes(video, o.output, true, o.semantic);
    std::fprintf(stderr, "semblend video: %d frames, %zu face%s (", video.frames,
                 video.faces.size(), video.faces.size() == 1 ? "" : "s");
    for (std::size_t i = 0; i < video.faces.size(); ++i)
      std::fprintf(stderr, "%sface %d in %d", i ? ", " : "", video.faces[i].id,
                   video.faces[i].frames_with_face);
    std::fprintf(stderr, " frames), %.2f s (%.1f frames/s); index %s\n", video.seconds,
                 double(video.frames) / video.seconds, face_index_path(o.output).c_str());
    return kOk;
  }
  FaceTrack& face = video.faces.at(0);
  Take& take = face.take;
  if (o.semantic) attach_semantics(take, format);
  const std::string text = encode_take(take, format);
  if (out) {
    try {
      out->write(text);
      out->commit();
    } catch (...) {
      if (preview) std::remove(o.preview.c_str());  // all or nothing
      throw;
    }
  } else {
    std::fwrite(text.data(), 1, text.size(), stdout);
    std::fflush(stdout);
  }
  std::fprintf(stderr,
               "semblend video: %zu frames at %.2f fps, face %d in %d (%d without: values held, "
               "confidence 0), %.2f s (%.1f frames/s)%s%s\n",
               take.frames.size(), take.fps, o.face, face.frames_with_face,
               video.frames - face.frames_with_face, video.seconds,
               double(take.frames.size()) / video.seconds, o.preview.empty() ? "" : ", preview ",
               o.preview.c_str());
  if (const std::string n = take.metadata["small_or_blurred_frames"]; !n.empty() && n != "0")
    std::fprintf(stderr,
                 "semblend video: warning: %s: the face is too small or blurred to read reliably "
                 "in %s of its frames (eyes under %.0f px apart, or sharpness under %.0f)\n",
                 o.input.c_str(), n.c_str(), double(kSmallFaceEyeDistancePx),
                 double(kBlurredFaceSharpness));
  if (const std::string n = take.metadata["cut_off_frames"]; !n.empty() && n != "0")
    std::fprintf(stderr,
                 "semblend video: warning: %s: the image's edge cuts the face off in %s of its "
                 "frames (%.0f%% or more of its landmarks outside): its readings there are "
                 "unreliable\n",
                 o.input.c_str(), n.c_str(), 100.0 * kCutOffFaceFraction);
  if (const std::string n = take.metadata["eyes_hidden_frames"]; !n.empty() && n != "0")
    std::fprintf(stderr,
                 "semblend video: note: %s: an eye is hidden (sunglasses? a hand?) in %s of its "
                 "frames: there its shapes are the other eye's, or at rest when both are hidden\n",
                 o.input.c_str(), n.c_str());
  if (pacer) std::fprintf(stderr, "semblend video: %s\n", pacer->summary().c_str());
  return kOk;
}

}  // namespace semblend::cli
