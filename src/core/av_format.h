// libavformat's demuxer context as an owning handle, for the two readers that open files with it
// directly: video_io.cpp (a video's display matrix and start time) and audio_io.cpp (the sound of
// files libsndfile does not read). Internal header (not installed).
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavformat/avformat.h>
}

namespace semblend {

struct AvFormatCloser {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using AvFormat = std::unique_ptr<AVFormatContext, AvFormatCloser>;

// Opens `path` for demuxing (streams not yet probed): the handle, or null with FFmpeg's error
// code in `*error`.
inline AvFormat open_av_format(const std::string& path, int* error) {
  AVFormatContext* opened = nullptr;
  *error = avformat_open_input(&opened, path.c_str(), nullptr, nullptr);
  return AvFormat(*error < 0 ? nullptr : opened);
}

}  // namespace semblend
