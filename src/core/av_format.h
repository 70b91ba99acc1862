// FFmpeg's contexts as owning handles, for the readers that use FFmpeg directly: video_io.cpp (a
// video's display matrix and start time), audio_io.cpp (the sound of files libsndfile does not
// read) and image_io.cpp (GIF pictures, which OpenCV 4.6 cannot read). Internal header (not
// installed).
#pragma once

#include <memory>
#include <string>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
}

namespace semblend {

struct AvFormatCloser {
  void operator()(AVFormatContext* f) const { avformat_close_input(&f); }
};
using AvFormat = std::unique_ptr<AVFormatContext, AvFormatCloser>;

struct AvCodecCloser {
  void operator()(AVCodecContext* c) const { avcodec_free_context(&c); }
};
struct AvPacketFreer {
  void operator()(AVPacket* p) const { av_packet_free(&p); }
};
struct AvFrameFreer {
  void operator()(AVFrame* f) const { av_frame_free(&f); }
};
using AvCodec = std::unique_ptr<AVCodecContext, AvCodecCloser>;
using AvPacket = std::unique_ptr<AVPacket, AvPacketFreer>;
using AvFrame = std::unique_ptr<AVFrame, AvFrameFreer>;

// FFmpeg's own reason for an error code ("Invalid data found when processing input").
inline std::string av_error_text(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

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
