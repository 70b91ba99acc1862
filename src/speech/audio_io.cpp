#include <fcntl.h>
#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iterator>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>

#include "core/av_format.h"
#include "semblend/audio.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/video.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libswresample/swresample.h>
}

namespace semblend {
namespace {

constexpr std::size_t kChunkSamples = 65536;  // decoded per read, all channels together

// libsndfile keeps the reason a file failed to open in one process-wide slot, read back with
// sf_strerror(nullptr); opening and reading that reason happen under this lock.
std::mutex& open_mutex() {
  static std::mutex m;
  return m;
}

struct SndfileCloser {
  void operator()(SNDFILE* f) const { sf_close(f); }
};
using Sndfile = std::unique_ptr<SNDFILE, SndfileCloser>;

struct SrcDeleter {
  void operator()(SRC_STATE* s) const { src_delete(s); }
};

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

std::string seconds_text(double s) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g s", s);
  return buf;
}

// A WAV whose header promises more audio than the file holds (a recording cut short, a copy
// interrupted): libsndfile reads what there is and notes "data : PROMISED (should be HELD)" in its
// log. 0xFFFFFFFF is what a writer that could not seek back (a pipe) leaves: the length unknown,
// not a truncation. A header that says "no audio" before a file full of it is reported too.
std::string truncation_warning(SNDFILE* f, const SF_INFO& info, long long file_bytes) {
  if ((info.format & SF_FORMAT_TYPEMASK) != SF_FORMAT_WAV) return "";
  std::string log(16384, '\0');
  sf_command(f, SFC_GET_LOG_INFO, log.data(), static_cast<int>(log.size()));
  log.resize(std::strlen(log.c_str()));
  unsigned long long promised = 0, held = 0;
  for (std::size_t at = log.find("data : "); at != std::string::npos;
       at = log.find("data : ", at + 1)) {
    const char* line = log.c_str() + at;
    if (std::sscanf(line, "data : %llu (should be %llu)", &promised, &held) == 2) {
      if (promised == 0xFFFFFFFFull || promised <= held) return "";
      return "the header promises " + std::to_string(promised) + " bytes of audio but the file " +
             "holds " + std::to_string(held) + ": it was cut short; reading what there is";
    }
    if (std::sscanf(line, "data : %llu", &promised) == 1 && promised == 0 && info.frames == 0 &&
        file_bytes > 4096)
      return "the header says there is no audio, but the file holds " + std::to_string(file_bytes) +
             " bytes (its writer never filled in the length?): " + "read as silence";
  }
  return "";
}

std::string quoted_sf_error(SNDFILE* f) {
  return std::string("(libsndfile: \"") + sf_strerror(f) + "\")";
}

void check_rate(int rate, const char* what) {
  if (rate <= 0)
    throw std::invalid_argument(std::string(what) + " must be positive, got " +
                                std::to_string(rate) + " Hz");
}

// Converts a stream of mono samples from one rate to another, chunk by chunk (a copy when the
// rates are equal). In all, the stream yields round(input samples × to / from) samples, each
// clamped to [-1, 1].
class Resampler {
 public:
  Resampler(int from, int to) : ratio_(static_cast<double>(to) / from) {
    if (from == to) return;
    int err = 0;
    state_.reset(src_new(SRC_SINC_MEDIUM_QUALITY, 1, &err));
    if (!state_) throw std::runtime_error(std::string("libsamplerate: ") + src_strerror(err));
  }
  static bool valid(int from, int to) {
    return from == to || src_is_valid_ratio(static_cast<double>(to) / from) != 0;
  }
  // Samples of output for `n` samples of input.
  std::size_t output_size(std::size_t n) const {
    return static_cast<std::size_t>(std::llround(static_cast<double>(n) * ratio_));
  }

  // Appends the conversion of in[0, n) to `out`; `last` flushes the filter's tail.
  void push(const float* in, std::size_t n, bool last, std::vector<float>& out) {
    const std::size_t begin = out.size();
    consumed_ += n;
    if (!state_) {
      out.insert(out.end(), in, in + n);
    } else {
      static const float kNothing = 0.0f;
      SRC_DATA d{};
      d.data_in = n ? in : &kNothing;
      d.input_frames = static_cast<long>(n);
      d.src_ratio = ratio_;
      d.end_of_input = last ? 1 : 0;
      for (;;) {
        const auto room = output_size(static_cast<std::size_t>(d.input_frames)) + 256;
        const std::size_t at = out.size();
        out.resize(at + room);
        d.data_out = out.data() + at;
        d.output_frames = static_cast<long>(room);
        if (const int err = src_process(state_.get(), &d))
          throw std::runtime_error(std::string("libsamplerate: ") + src_strerror(err));
        out.resize(at + static_cast<std::size_t>(d.output_frames_gen));
        d.data_in += d.input_frames_used;
        d.input_frames -= d.input_frames_used;
        if (d.input_frames_used == 0 && d.output_frames_gen == 0) break;  // drained
        if (d.input_frames == 0 && !last) break;
      }
    }
    produced_ += out.size() - begin;
    if (last) {
      // The filter's flush can end a sample or two away from the exact length.
      const std::size_t want = output_size(consumed_);
      if (produced_ > want) {
        out.resize(out.size() - std::min(produced_ - want, out.size() - begin));
      } else {
        out.resize(out.size() + (want - produced_), 0.0f);
      }
      produced_ = want;
    }
    for (std::size_t i = begin; i < out.size(); ++i) out[i] = std::clamp(out[i], -1.0f, 1.0f);
  }

 private:
  std::unique_ptr<SRC_STATE, SrcDeleter> state_;
  double ratio_;
  std::size_t consumed_ = 0, produced_ = 0;
};

InputError too_long(const std::string& path, const std::string& duration,
                    const AudioLimits& limits) {
  return InputError(path, 0, 0,
                    "audio is " + duration + " long, more than the " +
                        seconds_text(limits.max_seconds) +
                        " limit (AudioLimits::max_seconds; streaming mode takes longer input)");
}

// A channel wired in reverse (inverted polarity) cancels the others when the channels are
// averaged: a stereo file whose right channel is the left one inverted mixes to silence, and the
// speech in it is lost. So the first kPolarityHoldSeconds of sound (samples where some channel
// reaches kPolaritySoundLevel), or at most kPolarityMaxHoldSeconds of input, are held back; each
// channel's correlation with the loudest channel is measured on them, a channel correlated below
// kInvertedCorrelation is inverted for the whole file (in phase, the same sound correlates near
// 1; different sounds near 0), and the held frames are mixed.
constexpr double kPolarityHoldSeconds = 1.0, kPolarityMaxHoldSeconds = 20.0;
constexpr float kPolaritySoundLevel = 0.003f;
constexpr double kInvertedCorrelation = -0.5;

// What both decoders share: chunks of interleaved samples at the file's rate are mixed down to
// mono (the channels averaged, an inverted channel the right way round, above), checked (finite;
// the running length within the limit) and resampled onto the end of `out`.
class MonoSink {
 public:
  MonoSink(const std::string& path, int file_rate, int target_rate, const AudioLimits& limits,
           std::vector<float>& out)
      : path_(path),
        limits_(limits),
        rate_(file_rate),
        max_frames_(limits.max_seconds * file_rate),
        resampler_(file_rate, target_rate),
        out_(out) {}

  int rate() const { return rate_; }
  double frames() const { return frames_ + double(held_frames_); }  // taken so far, file's rate
  // Samples of output for `n` frames of input.
  std::size_t output_size(std::size_t n) const { return resampler_.output_size(n); }
  // What a warning says of the channels inverted before mixing; "" if none was.
  std::string polarity_warning() const {
    if (inverted_.empty()) return "";
    std::string which;
    for (std::size_t c : inverted_) which += (which.empty() ? "" : ", ") + std::to_string(c + 1);
    char r[16];
    std::snprintf(r, sizeof r, "%.2f", inverted_correlation_);
    return "channel " + which + (inverted_.size() > 1 ? " are" : " is") +
           " in reverse polarity to channel " + std::to_string(reference_ + 1) + " (correlation " +
           r + "): inverted back before the channels are averaged, which " +
           "would otherwise cancel the sound";
  }

  void push(const float* interleaved, std::size_t frames, std::size_t channels) {
    if (channels > 1 && !decided_ && (held_channels_ == 0 || held_channels_ == channels)) {
      held_channels_ = channels;
      held_.insert(held_.end(), interleaved, interleaved + frames * channels);
      held_frames_ += frames;
      for (std::size_t i = 0; i < frames * channels; i += channels)
        sounding_ += std::any_of(interleaved + i, interleaved + i + channels,
                                 [](float v) { return std::abs(v) >= kPolaritySoundLevel; });
      if (this->frames() > max_frames_)
        throw too_long(path_, "at least " + seconds_text(this->frames() / rate_), limits_);
      if (double(sounding_) >= kPolarityHoldSeconds * rate_ ||
          double(held_frames_) >= kPolarityMaxHoldSeconds * rate_)
        release();
      return;
    }
    release();  // one channel, or the channel count changed: mix what is held as it was
    mix(interleaved, frames, channels);
  }

  // `frames` of silence: a gap in a stream's timestamps. Over the limit is refused before any of
  // it is made.
  void silence(std::size_t frames) {
    release();
    if (frames_ + double(frames) > max_frames_)
      throw too_long(path_, "at least " + seconds_text((frames_ + double(frames)) / rate_),
                     limits_);
    for (std::size_t done = 0; done < frames;) {
      const std::size_t n = std::min(kChunkSamples, frames - done);
      mono_.assign(n, 0.0f);
      append(n);
      done += n;
    }
  }

  void finish() {
    release();
    resampler_.push(nullptr, 0, true, out_);
  }

 private:
  // Decides the channels' signs on the held frames and mixes them.
  void release() {
    if (decided_) return;
    decided_ = true;
    if (held_channels_ == 0) return;
    const std::size_t channels = held_channels_;
    std::vector<double> energy(channels, 0.0);
    for (std::size_t i = 0; i < held_.size(); ++i)
      energy[i % channels] += double(held_[i]) * held_[i];
    const auto loudest =
        std::size_t(std::max_element(energy.begin(), energy.end()) - energy.begin());
    reference_ = loudest;
    sign_.assign(channels, 1.0f);
    for (std::size_t c = 0; c < channels; ++c) {
      if (c == loudest || energy[c] <= 0) continue;
      double cross = 0;
      for (std::size_t i = 0; i < held_.size(); i += channels)
        cross += double(held_[i + c]) * held_[i + loudest];
      const double r = cross / std::sqrt(energy[c] * energy[loudest]);
      if (r < kInvertedCorrelation) {
        sign_[c] = -1.0f;
        inverted_.push_back(c);
        inverted_correlation_ = std::min(inverted_correlation_, r);
      }
    }
    std::vector<float> held = std::move(held_);
    const std::size_t frames = held_frames_;
    held_frames_ = 0;
    mix(held.data(), frames, channels);
  }

  void mix(const float* interleaved, std::size_t frames, std::size_t channels) {
    const bool signed_mix = sign_.size() == channels;
    mono_.resize(frames);
    for (std::size_t i = 0; i < frames; ++i) {
      double sum = 0;
      for (std::size_t c = 0; c < channels; ++c)
        sum += (signed_mix ? sign_[c] : 1.0f) * interleaved[i * channels + c];
      if (!std::isfinite(sum))
        throw InputError(path_, 0, 0,
                         "the sample at " + seconds_text((frames_ + double(i)) / rate_) +
                             " is not a finite number");
      mono_[i] = static_cast<float>(std::clamp(sum / static_cast<double>(channels), -1.0, 1.0));
    }
    append(frames);
  }

  void append(std::size_t n) {
    frames_ += double(n);
    if (frames_ > max_frames_)
      throw too_long(path_, "at least " + seconds_text(frames_ / rate_), limits_);
    resampler_.push(mono_.data(), n, false, out_);
  }

  const std::string& path_;
  const AudioLimits& limits_;
  double rate_;
  double max_frames_;
  Resampler resampler_;
  std::vector<float>& out_;
  std::vector<float> mono_;
  double frames_ = 0;  // mixed so far
  // The polarity decision (above): frames held back until it is made.
  bool decided_ = false;
  std::vector<float> held_;
  std::size_t held_frames_ = 0, held_channels_ = 0, sounding_ = 0;
  std::vector<float> sign_;
  std::vector<std::size_t> inverted_;  // 0-based
  double inverted_correlation_ = 0;    // the lowest of theirs
  std::size_t reference_ = 0;          // the loudest channel
};

struct SwrFreer {
  void operator()(SwrContext* s) const { swr_free(&s); }
};

// How sure FFmpeg's probe must be of a file's format: a file libsndfile did not recognise is
// read only when its content says what it is (MP4/MOV, Matroska/WebM, ADTS AAC, AMR, ASF … score
// 50 and more), not on a weak guess from a few bytes or the name alone (25).
constexpr int kMinProbeScore = AVPROBE_SCORE_EXTENSION;

// The sound of a file libsndfile does not read, by FFmpeg's demuxers and decoders (Debian's
// libavformat/libavcodec): AAC or ALAC in M4A (a phone's voice memo), the sound track of a video
// (MP4, MOV, MKV, WebM, AVI …), ADTS AAC, AMR, WMA … — the best audio stream as FFmpeg ranks
// them. Time 0 is the file's start: a sound track that starts after it begins with that much
// silence, and a gap in its timestamps (packets lost or undecodable) is silence too, so times
// stay those of the file (and of its video). `sndfile_reason` is libsndfile's, for the error when
// FFmpeg cannot read the file either.
Audio read_with_ffmpeg(const std::string& path, int target_rate, const AudioLimits& limits,
                       const std::string& sndfile_reason) {
  const bool video = is_video_path(path);
  const auto unreadable = [&](const std::string& ffmpeg_reason) {
    return InputError(path, 0, 0,
                      std::string(video ? "a video whose sound cannot be read"
                                        : "not a readable audio file, or an unsupported or "
                                          "corrupt one") +
                          " (libsndfile: \"" + sndfile_reason + "\"; FFmpeg: " + ffmpeg_reason +
                          ")");
  };
  int error = 0;
  const AvFormat format = open_av_format(path, &error);
  if (!format) {
    // FFmpeg's "Invalid data found when processing input" for an M4A or a video whose recording
    // was interrupted: its box structure says why.
    if (const std::string damage = iso_media_damage(path); !damage.empty())
      throw InputError(path, 0, 0,
                       std::string(video ? "the video's sound cannot be read: " : "") + damage);
    throw unreadable("\"" + av_error_text(error) + "\"");
  }
  const std::string format_name =
      format->iformat->long_name != nullptr ? format->iformat->long_name : format->iformat->name;
  if (format->probe_score < kMinProbeScore)
    throw unreadable("only a guess that it is " + format_name);
  if (const int err = avformat_find_stream_info(format.get(), nullptr); err < 0)
    throw unreadable("\"" + av_error_text(err) + "\"");
  const AVCodec* codec = nullptr;
  const int index = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (index == AVERROR_STREAM_NOT_FOUND) {
    if (video)
      throw InputError(path, 0, 0,
                       "the video has no sound track (" + format_name +
                           " with no audio stream): there is no speech to lip-sync");
    throw unreadable("no sound in it, read as " + format_name);
  }
  if (index < 0 || codec == nullptr) {
    const int any = av_find_best_stream(format.get(), AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    const char* name =
        any >= 0 ? avcodec_get_name(format->streams[any]->codecpar->codec_id) : "unknown";
    throw InputError(
        path, 0, 0,
        std::string("its sound is coded as ") + name + ", which this FFmpeg cannot decode");
  }
  AVStream* stream = format->streams[index];
  for (unsigned i = 0; i < format->nb_streams; ++i)
    if (static_cast<int>(i) != index) format->streams[i]->discard = AVDISCARD_ALL;

  // The duration the file states for its sound, checked before decoding, and again while
  // decoding. The whole file's duration stands for it only when the sound is all there is (a
  // video's may be longer than its sound).
  double stated = -1;
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
    stated = static_cast<double>(stream->duration) * av_q2d(stream->time_base);
  else if (format->nb_streams == 1 && format->duration != AV_NOPTS_VALUE && format->duration > 0)
    stated = static_cast<double>(format->duration) / AV_TIME_BASE;
  if (stated > limits.max_seconds) throw too_long(path, seconds_text(stated), limits);

  const AvCodec decoder(avcodec_alloc_context3(codec));
  const AvPacket packet(av_packet_alloc());
  const AvFrame frame(av_frame_alloc()), mixed(av_frame_alloc());
  const std::unique_ptr<SwrContext, SwrFreer> swr(swr_alloc());
  if (!decoder || !packet || !frame || !mixed || !swr) throw std::bad_alloc();
  if (const int err = avcodec_parameters_to_context(decoder.get(), stream->codecpar); err < 0)
    throw unreadable("\"" + av_error_text(err) + "\"");
  if (const int err = avcodec_open2(decoder.get(), codec, nullptr); err < 0)
    throw InputError(path, 0, 0,
                     std::string("cannot open the decoder of its sound (") + codec->name +
                         "; FFmpeg: \"" + av_error_text(err) + "\")");

  const double origin = format->start_time != AV_NOPTS_VALUE
                            ? static_cast<double>(format->start_time) / AV_TIME_BASE
                            : 0.0;
  // Where the sound ends by the stream's own length, from the file's start: a codec that codes
  // whole frames (AAC: 1024 samples) pads the last one, which the container's length leaves out
  // (as it leaves out the encoder's priming at the start, which the decoder drops).
  double end = std::numeric_limits<double>::infinity();
  if (stream->duration != AV_NOPTS_VALUE && stream->duration > 0)
    end = static_cast<double>(stream->duration) * av_q2d(stream->time_base) - origin +
          (stream->start_time != AV_NOPTS_VALUE
               ? static_cast<double>(stream->start_time) * av_q2d(stream->time_base)
               : 0.0);
  Audio audio;
  audio.sample_rate = target_rate;
  std::optional<MonoSink> sink;
  // One decoded frame: placed at its timestamp, converted to interleaved float (libswresample,
  // same rate and channels), mixed down and resampled.
  const auto take = [&](AVFrame* in) {
    if (!sink) {
      if (in->sample_rate <= 0 || !Resampler::valid(in->sample_rate, target_rate))
        throw InputError(path, 0, 0,
                         "its sound's sample rate " + std::to_string(in->sample_rate) +
                             " Hz cannot be converted to " + std::to_string(target_rate) + " Hz");
      sink.emplace(path, in->sample_rate, target_rate, limits, audio.samples);
    } else if (in->sample_rate != sink->rate()) {
      throw InputError(path, 0, 0,
                       "its sound's sample rate changes from " + std::to_string(sink->rate()) +
                           " to " + std::to_string(in->sample_rate) + " Hz at " +
                           seconds_text(sink->frames() / sink->rate()) + "; not supported");
    }
    if (in->best_effort_timestamp != AV_NOPTS_VALUE) {
      const double start =
          static_cast<double>(in->best_effort_timestamp) * av_q2d(stream->time_base) - origin;
      const double gap = start * sink->rate() - sink->frames();
      if (gap > 0.01 * sink->rate())  // over 10 ms: a late start or lost packets
        sink->silence(static_cast<std::size_t>(std::llround(gap)));
    }
    if (in->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC) {  // swresample wants a layout
      const int channels = in->ch_layout.nb_channels;
      av_channel_layout_uninit(&in->ch_layout);
      av_channel_layout_default(&in->ch_layout, channels);
    }
    for (int attempt = 0;; ++attempt) {
      av_frame_unref(mixed.get());
      mixed->format = AV_SAMPLE_FMT_FLT;
      mixed->sample_rate = in->sample_rate;
      if (av_channel_layout_copy(&mixed->ch_layout, &in->ch_layout) < 0) throw std::bad_alloc();
      const int err = swr_convert_frame(swr.get(), mixed.get(), in);
      if (err >= 0) break;
      if (attempt == 0 && (err & (AVERROR_INPUT_CHANGED | AVERROR_OUTPUT_CHANGED)) != 0) {
        swr_close(swr.get());  // channels changed mid-stream: configured again from this frame
        continue;
      }
      throw InputError(path, 0, 0,
                       "cannot convert its samples (FFmpeg: \"" + av_error_text(err) + "\")");
    }
    const double room = std::max(0.0, std::round(end * sink->rate()) - sink->frames());
    const auto n = static_cast<std::size_t>(std::min<double>(mixed->nb_samples, room));
    sink->push(reinterpret_cast<const float*>(mixed->data[0]), n,
               static_cast<std::size_t>(std::max(1, mixed->ch_layout.nb_channels)));
  };

  int packets = 0, failed = 0;
  std::string first_failure, read_failure;
  const auto note = [&](int err) {
    ++failed;
    if (first_failure.empty()) first_failure = av_error_text(err);
  };
  const auto drain = [&] {
    for (;;) {
      const int err = avcodec_receive_frame(decoder.get(), frame.get());
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return;
      if (err < 0) {
        note(err);
        return;
      }
      take(frame.get());
      av_frame_unref(frame.get());
    }
  };
  for (;;) {
    const int err = av_read_frame(format.get(), packet.get());
    if (err == AVERROR_EOF) break;
    if (err < 0) {  // cut short, or damaged beyond the demuxer's resync
      read_failure = av_error_text(err);
      break;
    }
    if (packet->stream_index == index) {
      ++packets;
      if (const int sent = avcodec_send_packet(decoder.get(), packet.get()); sent < 0) note(sent);
      drain();
    }
    av_packet_unref(packet.get());
  }
  avcodec_send_packet(decoder.get(), nullptr);
  drain();

  if (packets > 0 && failed >= packets && !sink)
    throw InputError(path, 0, 0,
                     "cannot decode its sound (" + std::string(codec->name) + "): all of its " +
                         std::to_string(packets) + " packets failed (FFmpeg: \"" + first_failure +
                         "\")");
  const double held = sink ? sink->frames() / sink->rate() : 0.0;
  if (sink) {
    sink->finish();
    if (const std::string w = sink->polarity_warning(); !w.empty()) audio.warnings.push_back(w);
  }
  if (failed > 0)
    audio.warnings.push_back(std::to_string(failed) + " of the " + std::to_string(packets) +
                             " packets of its sound could not be decoded (FFmpeg: \"" +
                             first_failure + "\"); their time is read as silence");
  if (!read_failure.empty())
    audio.warnings.push_back("reading stopped at " + seconds_text(held) + " (FFmpeg: \"" +
                             read_failure +
                             "\"): the file may be cut short; reading what there is");
  else if (stated > 0 && held < 0.98 * stated - 0.1)
    audio.warnings.push_back("the file states " + seconds_text(stated) + " of sound but holds " +
                             seconds_text(held) + ": it was cut short; reading what there is");
  return audio;
}

// A growable in-memory file for libsndfile's virtual I/O (write_wav encodes into it).
struct MemoryFile {
  std::string bytes;
  sf_count_t pos = 0;

  static MemoryFile& of(void* user) { return *static_cast<MemoryFile*>(user); }
  static sf_count_t length(void* user) { return static_cast<sf_count_t>(of(user).bytes.size()); }
  static sf_count_t seek(sf_count_t offset, int whence, void* user) {
    MemoryFile& m = of(user);
    const sf_count_t base = whence == SEEK_SET   ? 0
                            : whence == SEEK_CUR ? m.pos
                                                 : static_cast<sf_count_t>(m.bytes.size());
    if (base + offset < 0) return -1;
    return m.pos = base + offset;
  }
  static sf_count_t read(void* ptr, sf_count_t count, void* user) {
    MemoryFile& m = of(user);
    const auto size = static_cast<sf_count_t>(m.bytes.size());
    const sf_count_t n = std::clamp<sf_count_t>(size - m.pos, 0, count);
    if (n > 0) std::memcpy(ptr, m.bytes.data() + m.pos, static_cast<std::size_t>(n));
    m.pos += n;
    return n;
  }
  static sf_count_t write(const void* ptr, sf_count_t count, void* user) {
    MemoryFile& m = of(user);
    const auto end = static_cast<std::size_t>(m.pos + count);
    if (end > m.bytes.size()) m.bytes.resize(end);
    std::memcpy(m.bytes.data() + m.pos, ptr, static_cast<std::size_t>(count));
    m.pos += count;
    return count;
  }
  static sf_count_t tell(void* user) { return of(user).pos; }
};

}  // namespace

double Audio::duration() const {
  return sample_rate > 0 ? static_cast<double>(samples.size()) / sample_rate : 0.0;
}

Audio read_audio(const std::string& path, int target_rate, const AudioLimits& limits) {
  using Op = IoError::Op;
  check_rate(target_rate, "target sample rate");
  if (!(limits.max_seconds >= 0))
    throw std::invalid_argument("AudioLimits::max_seconds must be >= 0, got " +
                                std::to_string(limits.max_seconds));

  Fd fd;
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd.fd < 0) throw IoError(Op::Read, path, std::strerror(errno));
  struct stat st {};
  if (::fstat(fd.fd, &st) != 0) throw IoError(Op::Read, path, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) throw IoError(Op::Read, path, "not a regular file");
  if (st.st_size == 0) throw InputError(path, 0, 0, "file is empty (0 bytes), not audio");

  SF_INFO info{};
  Sndfile file;
  std::string sndfile_reason;
  {
    const std::lock_guard lock(open_mutex());
    file.reset(sf_open_fd(fd.fd, SFM_READ, &info, SF_FALSE));
    if (!file) sndfile_reason = sf_strerror(nullptr);
  }
  // Not a file libsndfile reads: an M4A, a video's sound track, … are FFmpeg's.
  if (!file) return read_with_ffmpeg(path, target_rate, limits, sndfile_reason);
  const std::string truncated = truncation_warning(file.get(), info, st.st_size);
  if (info.samplerate <= 0 || info.channels <= 0)
    throw InputError(path, 0, 0,
                     "header states " + std::to_string(info.samplerate) + " Hz and " +
                         std::to_string(info.channels) + " channels");
  if (!Resampler::valid(info.samplerate, target_rate))
    throw InputError(path, 0, 0,
                     "sample rate " + std::to_string(info.samplerate) +
                         " Hz cannot be converted to " + std::to_string(target_rate) +
                         " Hz (libsamplerate converts by a factor of at most 256)");

  // The duration, from the header before decoding, and again while decoding.
  const double rate = info.samplerate;
  const bool frames_known = info.frames >= 0 && info.frames != SF_COUNT_MAX;
  if (frames_known && static_cast<double>(info.frames) > limits.max_seconds * rate)
    throw too_long(path, seconds_text(static_cast<double>(info.frames) / rate), limits);

  const auto channels = static_cast<std::size_t>(info.channels);
  const std::size_t chunk = std::max<std::size_t>(1, kChunkSamples / channels);
  Audio audio;
  audio.sample_rate = target_rate;
  MonoSink sink(path, info.samplerate, target_rate, limits, audio.samples);
  if (frames_known)
    audio.samples.reserve(sink.output_size(static_cast<std::size_t>(info.frames)) +
                          sink.output_size(chunk) + 512);
  std::vector<float> interleaved(chunk * channels);
  for (;;) {
    const sf_count_t got =
        sf_readf_float(file.get(), interleaved.data(), static_cast<sf_count_t>(chunk));
    if (got <= 0) break;
    sink.push(interleaved.data(), static_cast<std::size_t>(got), channels);
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    throw InputError(path, 0, 0, "cannot decode the audio " + quoted_sf_error(file.get()));
  sink.finish();
  if (const std::string w = sink.polarity_warning(); !w.empty()) audio.warnings.push_back(w);
  if (!truncated.empty()) audio.warnings.push_back(truncated);
  // A header that overstated the length (data cut short) reserved more than was decoded.
  if (audio.samples.capacity() - audio.samples.size() > audio.samples.size() / 4 + 65536)
    audio.samples.shrink_to_fit();
  return audio;
}

bool is_audio_path(const std::string& path) {
  static const char* const kExtensions[] = {"wav", "flac", "ogg",  "oga", "opus",
                                            "mp3", "m4a",  "aac",  "aif", "aiff",
                                            "caf", "w64",  "rf64", "amr", "wma"};
  const std::string ext = extension_of(path);
  return std::any_of(std::begin(kExtensions), std::end(kExtensions),
                     [&](const char* e) { return ext == e; });
}

Audio resample(const Audio& in, int target_rate) {
  check_rate(in.sample_rate, "sample rate");
  check_rate(target_rate, "target sample rate");
  if (!Resampler::valid(in.sample_rate, target_rate))
    throw std::invalid_argument("cannot resample " + std::to_string(in.sample_rate) + " Hz to " +
                                std::to_string(target_rate) +
                                " Hz (libsamplerate converts by a factor of at most 256)");
  for (std::size_t i = 0; i < in.samples.size(); ++i)
    if (!std::isfinite(in.samples[i]))
      throw std::invalid_argument("resample: sample " + std::to_string(i) + " is not finite");
  Audio out;
  out.sample_rate = target_rate;
  Resampler resampler(in.sample_rate, target_rate);
  resampler.push(in.samples.data(), in.samples.size(), true, out.samples);
  return out;
}

void write_wav(const Audio& audio, const std::string& path) {
  using Op = IoError::Op;
  check_rate(audio.sample_rate, "sample rate");
  const std::size_t n = audio.samples.size();
  constexpr std::size_t kHeader = 44, kMaxRiff = 0xFFFFFFFFu;
  if (n > (kMaxRiff - kHeader) / 2)
    throw std::invalid_argument("write_wav: " + std::to_string(n) +
                                " samples do not fit a WAV file (4 GiB)");
  for (std::size_t i = 0; i < n; ++i)
    if (!std::isfinite(audio.samples[i]))
      throw std::invalid_argument("write_wav: sample " + std::to_string(i) + " is not finite");

  MemoryFile memory;
  memory.bytes.reserve(kHeader + 2 * n);
  SF_VIRTUAL_IO io{&MemoryFile::length, &MemoryFile::seek, &MemoryFile::read, &MemoryFile::write,
                   &MemoryFile::tell};
  SF_INFO info{};
  info.samplerate = audio.sample_rate;
  info.channels = 1;
  info.format = SF_FORMAT_WAV | SF_FORMAT_PCM_16;
  Sndfile file;
  {
    const std::lock_guard lock(open_mutex());
    file.reset(sf_open_virtual(&io, SFM_WRITE, &info, &memory));
    if (!file)
      throw std::invalid_argument("write_wav: cannot encode " + std::to_string(audio.sample_rate) +
                                  " Hz audio as WAV " + quoted_sf_error(nullptr));
  }
  // Scaled by 32768, the factor libsndfile divides by when it reads 16-bit PCM as float.
  std::vector<std::int16_t> pcm(std::min(n, kChunkSamples));
  for (std::size_t at = 0; at < n; at += pcm.size()) {
    const std::size_t len = std::min(pcm.size(), n - at);
    for (std::size_t i = 0; i < len; ++i)
      pcm[i] = static_cast<std::int16_t>(
          std::clamp(std::lround(audio.samples[at + i] * 32768.0), -32768L, 32767L));
    if (sf_writef_short(file.get(), pcm.data(), static_cast<sf_count_t>(len)) !=
        static_cast<sf_count_t>(len))
      throw IoError(Op::Write, path, "cannot encode WAV " + quoted_sf_error(file.get()));
  }
  if (const int err = sf_close(file.release()); err != 0)
    throw IoError(Op::Write, path,
                  std::string("cannot encode WAV (libsndfile: \"") + sf_error_number(err) + "\")");
  write_file_atomic(path, memory.bytes);
}

}  // namespace semblend
