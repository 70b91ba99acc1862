// semblend/preview.h — a take played on the rig as an MP4 with its audio, for a person to judge
// (lip sync, blinks, solver output).
//
// write_preview_video(take, audio_path, out_path, options): renders every frame of the take with
//   render_face (rig.h, render.h; the rig is default_rig() unless options.rig is set; head pose
//   from the frames unless options.still_head) and pipes the raw RGB frames into Debian's ffmpeg
//   CLI (package `ffmpeg`):
//     ffmpeg -f rawvideo -pix_fmt rgb24 -s WxH -framerate FPS -i - [-i AUDIO]
//            -c:v libx264 -pix_fmt yuv420p [-c:a aac -shortest] -movflags +faststart OUT
//   The video has one frame per take frame at the take's fps (frame k shows take frame k; the
//   take's frame 0 is the audio's time 0). ffmpeg writes to a temporary file beside `out_path`
//   (same extension, so ffmpeg picks the container from it) which is renamed over `out_path` only
//   when ffmpeg succeeds: a failed run leaves nothing behind and never a half-written video.
//   The child is started with posix_spawnp (no shell); its stderr goes to a temporary log whose
//   last lines are quoted in the error when it fails.
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
