#include <fcntl.h>
#include <samplerate.h>
#include <sndfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

#include "semblend/audio.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/video.h"

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
  {
    const std::lock_guard lock(open_mutex());
    file.reset(sf_open_fd(fd.fd, SFM_READ, &info, SF_FALSE));
    if (!file) {
      // A video's sound track is not read here (libsndfile reads audio files only): say how to
      // take it out rather than only "format not recognised".
      const bool plain = std::all_of(path.begin(), path.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '/' || c == '.' || c == '-' || c == '_';
      });  // else the command names VIDEO, not a path a shell would split
      const std::string hint =
          is_video_path(path) ? "; for a video's sound, extract it first: ffmpeg -i " +
                                    (plain ? path : std::string("VIDEO")) + " -vn -ac 1 speech.wav"
                              : "";
      throw InputError(path, 0, 0,
                       "not a readable audio file, or an unsupported or corrupt one " +
                           quoted_sf_error(nullptr) + hint);
    }
  }
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
  const auto too_long = [&](const std::string& duration) {
    return InputError(path, 0, 0,
                      "audio is " + duration + " long, more than the " +
                          seconds_text(limits.max_seconds) +
                          " limit (AudioLimits::max_seconds; streaming mode takes longer input)");
  };
  const double rate = info.samplerate;
  const double max_frames = limits.max_seconds * rate;
  const bool frames_known = info.frames >= 0 && info.frames != SF_COUNT_MAX;
  if (frames_known && static_cast<double>(info.frames) > max_frames)
    throw too_long(seconds_text(static_cast<double>(info.frames) / rate));

  Resampler resampler(info.samplerate, target_rate);
  const auto channels = static_cast<std::size_t>(info.channels);
  const std::size_t chunk = std::max<std::size_t>(1, kChunkSamples / channels);
  Audio audio;
  audio.sample_rate = target_rate;
  if (frames_known)
    audio.samples.reserve(resampler.output_size(static_cast<std::size_t>(info.frames)) +
                          resampler.output_size(chunk) + 512);
  std::vector<float> interleaved(chunk * channels), mono(chunk);
  double frames = 0;
  for (;;) {
    const sf_count_t got =
        sf_readf_float(file.get(), interleaved.data(), static_cast<sf_count_t>(chunk));
    if (got <= 0) break;
    const auto n = static_cast<std::size_t>(got);
    for (std::size_t i = 0; i < n; ++i) {
      double sum = 0;
      for (std::size_t c = 0; c < channels; ++c) sum += interleaved[i * channels + c];
      if (!std::isfinite(sum))
        throw InputError(
            path, 0, 0,
            "the sample at " + seconds_text((frames + i) / rate) + " is not a finite number");
      mono[i] = static_cast<float>(std::clamp(sum / static_cast<double>(channels), -1.0, 1.0));
    }
    frames += static_cast<double>(n);
    if (frames > max_frames) throw too_long("at least " + seconds_text(frames / rate));
    resampler.push(mono.data(), n, false, audio.samples);
  }
  if (sf_error(file.get()) != SF_ERR_NO_ERROR)
    throw InputError(path, 0, 0, "cannot decode the audio " + quoted_sf_error(file.get()));
  resampler.push(nullptr, 0, true, audio.samples);
  if (!truncated.empty()) audio.warnings.push_back(truncated);
  // A header that overstated the length (data cut short) reserved more than was decoded.
  if (audio.samples.capacity() - audio.samples.size() > audio.samples.size() / 4 + 65536)
    audio.samples.shrink_to_fit();
  return audio;
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
