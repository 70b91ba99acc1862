// semblend/preview.h — a take played on the rig as an MP4 with its audio, for a person to judge
// (lip sync, blinks, solver output).
//
// write_preview_video(take, audio_path, out_path, options): renders every frame of the take with
//   render_face (rig.h, render.h; the rig is default_rig() unless options.rig is set; head pose
//   from the frames unless options.still_head) and pipes the raw RGB frames into Debian's ffmpeg
//   CLI (package `ffmpeg`):
//     ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -framerate FPS -i - [-i AUDIO]
//            -c:v libx264 -pix_fmt yuv420p [-c:a aac -shortest] -movflags +faststart OUT
//   The video runs at a constant rate from the take's time 0 (the audio's time 0) and shows each
//   take frame at its own time (FrameClock below): a take of regular frames gives one video frame
//   per take frame at take.fps; a take with uneven times (a variable-rate phone video's, a
//   recording that dropped frames) gives a video at its frames' median rate where that is faster
//   (estimate_fps), each frame held until the next one's time. ffmpeg writes to a temporary file
//   beside `out_path` (same extension, so ffmpeg picks the container from it) which is renamed over
//   `out_path` only when ffmpeg succeeds: a failed run leaves nothing behind and never a
//   half-written video. The child is started with posix_spawnp (no shell); its stderr goes to a
//   temporary log whose last lines are quoted in the error when it fails.
// Failure modes: std::invalid_argument (empty take, fps outside (0, 240], odd or out-of-range
//   size, non-finite coefficients); IoError (Op::Write) when out_path's folder does not exist or
//   is not writable, or the rename fails; IoError (Op::Read) when the audio file is missing;
//   std::runtime_error when ffmpeg is not installed ("install Debian's ffmpeg package") or fails
//   (its message quoted).
// Thread safety: safe to call concurrently for different outputs (render_face is pure; SIGPIPE
//   is blocked only in the calling thread while it writes to the pipe).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/take.h"

namespace semblend {

// Frames with their own times shown at a constant rate, as a player shows them: video frame k
// (time k / fps from time 0) shows the newest frame whose time is at most k / fps + half a period,
// so a frame at (about) k / fps lands on video frame k, a late first frame is shown from time 0,
// and a gap in the times holds the frame before it. Feed the times in order:
//   until(t): how many more video frames come before the frame at time t takes over — they show
//             the frame before it (for the first frame, the first frame itself);
//   last(t): after the last frame (at time t), how many show it: one period's worth, at least
//             one.
// Pure arithmetic on a counter; std::invalid_argument for fps outside (0, 240] or a non-finite t.
// Thread safety: one object per thread.
class FrameClock {
 public:
  explicit FrameClock(double fps);
  std::size_t until(double t);
  std::size_t last(double t);
  std::size_t frames() const { return next_; }  // video frames counted so far
  double fps() const { return fps_; }

 private:
  double fps_;
  std::size_t next_ = 0;
};

struct PreviewOptions {
  int width = 384, height = 384;  // even (yuv420p needs it), 16..4096
  RenderOptions render;           // width/height here are overridden by the two above
  const Rig* rig = nullptr;       // nullptr = default_rig()
  bool still_head = true;         // true: ignore the frames' head pose
  std::string ffmpeg = "ffmpeg";  // the program (looked up in PATH)
  int crf = 20;                   // x264 quality (0..51, lower is better)
  // Called after each rendered frame with (done, total); may be empty.
  std::function<void(std::size_t, std::size_t)> progress;
};

// Throws the std::runtime_error the encoder would when `ffmpeg` cannot be started (not found in
// PATH, or a path that is not an executable file), so a command that writes a preview after
// other work (`semblend speech --preview` aligns first) fails before that work.
void check_encoder_program(const std::string& ffmpeg = "ffmpeg");

// `audio_path` may be "" (a silent video).
void write_preview_video(const Take& take, const std::string& audio_path,
                         const std::string& out_path, const PreviewOptions& options = {});

// The encoder write_preview_video uses, for callers that make their own frames (`semblend video`'s
// side-by-side preview): RGB frames of one even size, piped into the ffmpeg CLI as they come
// (the command above), into a temporary file renamed over `out_path` by close(). Destroyed without
// close() (an error on the way) it stops ffmpeg and removes the temporary: nothing is left behind.
// Failure modes as write_preview_video's; write() throws std::runtime_error when ffmpeg has died,
// std::invalid_argument for a frame of another size. Thread safety: use one encoder from one thread
// at a time (SIGPIPE is blocked only in the thread inside write()).
struct EncoderOptions {
  std::string ffmpeg = "ffmpeg";
  int crf = 20;
  std::string audio;            // "" = silent; any file ffmpeg reads (a WAV, the source video)
  bool audio_optional = false;  // true: an `audio` file without an audio stream gives silence
};

class PreviewEncoder {
 public:
  PreviewEncoder(const std::string& out_path, int width, int height, double fps,
                 const EncoderOptions& options = {});
  PreviewEncoder(const PreviewEncoder&) = delete;
  PreviewEncoder& operator=(const PreviewEncoder&) = delete;
  ~PreviewEncoder();
  void write(const Image& frame);
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace semblend
