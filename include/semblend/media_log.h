// semblend/media_log.h — FFmpeg's own log (the demuxers and decoders behind VideoReader and
// read_audio) held instead of printed.
//
// hold_ffmpeg_log(): from now on FFmpeg's messages are not printed to stderr, where FFmpeg puts
//   them by default ("[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d…] moov atom not found" beside semblend's
//   own error naming the file). Errors (FFmpeg's levels panic, fatal and error) are counted and
//   the first few kept, for take_ffmpeg_log(); warnings and chatter are dropped (OpenCV's video
//   reader already shows FFmpeg errors only). Process-wide, as FFmpeg's log is (its callback);
//   idempotent. With the environment variable SEMBLEND_FFMPEG_LOG set to anything but 0 or
//   empty it does nothing: FFmpeg prints as it would. The semblend command calls it at start; a
//   program that has its own use for FFmpeg's log need not.
// take_ffmpeg_log(): the errors held since the last call, from every thread, and forgets them.
// Thread safety: both may be called from any thread; the messages of concurrent readers (a batch)
//   are pooled.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace semblend {

struct FfmpegLog {
  std::size_t errors = 0;          // error messages held
  std::vector<std::string> first;  // the first few, as "[h264] error while decoding MB 3 1"
};

void hold_ffmpeg_log();
FfmpegLog take_ffmpeg_log();

}  // namespace semblend
