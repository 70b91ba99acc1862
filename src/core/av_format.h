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

// Why an MP4-family file (MP4, MOV, M4A, 3GP: ISO media, beginning with an 'ftyp' box) cannot be
// read, when its top-level boxes say: no 'moov' box (the index a recorder writes last, missing
// when a recording was interrupted or a copy cut short), or a box length that cannot be. "" for
// any other file, one that looks whole, or one that cannot be opened. Reads box headers only.
std::string iso_media_damage(const std::string& path);

}  // namespace semblend
