// semblend/video.h — reading video frames and writing preview videos (OpenCV's FFmpeg backend).
//
// VideoReader::open: any container/codec the backend decodes (MP4/H.264, …). next() yields frames
//   as RGB Images with their timestamps (seconds, from the container; a frame without one — the
//   decoder's reordered last pictures, some live sources — the frame before's + 1 / base_fps()),
//   counted from the file's start as players count them: pictures that start after the file's sound
//   track have their first frame at that offset, so a take of the video and read_audio's reading
//   of its sound (audio.h) share one clock.
//   Live sources too: "-" (standard input), a FIFO or a pipe carrying a streamable container
//   (Matroska, MPEG-TS, YUV4MPEG, MJPEG ...), and a camera's character device (/dev/video0,
//   through OpenCV's V4L2 backend). live() says so; their frame_count() is 0 (unknown).
//   A file's rotation metadata (its display matrix, read by libavformat) is applied: frames come
//   upright as players show them, width() and height() included.
// VideoWriter: MP4 (mp4v) written to a temporary file beside the target and renamed by close(),
//   so a failed run leaves no half-written video.
// Failure modes: InputError naming the file (cannot open/decode, no frames, zero size, more pixels
//   per frame than ImageLimits allows); IoError for the output.
// Thread safety: one object per thread.
#pragma once

#include <memory>
#include <string>

#include "semblend/image.h"

namespace semblend {

class VideoReader {
 public:
  static VideoReader open(const std::string& path, const ImageLimits& limits = {});
  VideoReader(VideoReader&&) noexcept;
  VideoReader& operator=(VideoReader&&) noexcept;
  ~VideoReader();

  double fps() const;  // the container's average rate (OpenCV's; 30 when it says none)
  // The rate every frame time falls on, for showing the frames at a constant rate: a file's base
  // rate (libavformat's r_frame_rate) where it lies between fps() and 120 — a phone's
  // variable-rate recording that drops frames has a base of 30 and averages less — else fps().
  double base_fps() const;
  // As the container stores it (MP4), else OpenCV's estimate from the duration and the rate
  // (Matroska, MPEG-TS: a variable-rate video's is too high); 0 when live.
  int frame_count() const;
  bool frame_count_exact() const;  // the container stores the count (frame_count() is exact)
  double duration() const;  // seconds from the file's start to its end as it says; 0: unknown
  bool live() const;        // standard input, a FIFO or a device: frames arrive as they happen
  int width() const;        // as shown: a turned video's frames are turned (see turn())
  int height() const;
  // Clockwise degrees (0, 90, 180, 270) the file's display matrix turns the stored frames — a
  // phone's portrait recording is stored on its side — and next() turns them so: frames come as
  // players show them. 0 for live sources (their metadata is not read).
  int turn() const;
  // The next frame; false at the end of the stream. A file's damaged stretch (packets the
  // decoder refuses) is read past: the frames after it come with their own times.
  bool next(Image& frame, double& time);
  // Packets the decoder refused so far and next() read past (0 for an undamaged file).
  int refused_packets() const;

 private:
  struct Impl;
  explicit VideoReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

class VideoWriter {
 public:
  VideoWriter(const std::string& path, int width, int height, double fps);
  VideoWriter(VideoWriter&&) noexcept;
  ~VideoWriter();  // abandons (deletes) the temporary file unless close() succeeded
  void write(const Image& frame);
  void close();  // finishes the file and renames it into place

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// True if `path` names a video by its extension (.mp4, .mov, .avi, .mkv, .webm, .m4v).
bool is_video_path(const std::string& path);

}  // namespace semblend
