#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>
#include <random>

#include "core/av_format.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/video.h"

extern "C" {
#include <libavutil/display.h>
}

namespace semblend {
namespace {

// What libavformat says of a video file's picture stream that OpenCV 4.6 gets wrong or leaves out.
struct StreamFacts {
  // The clockwise turn (0, 90, 180 or 270 degrees) a player gives the frames: the stream's display
  // matrix (what a phone writes for a portrait recording), rounded as ffmpeg's own auto-rotation
  // does. 0 without one, or for a turn that is not a multiple of 90 degrees. OpenCV 4.6 reads the
  // matrix itself but turns ±90 the wrong way (a portrait phone video comes out upside down:
  // opencv/opencv#22088), so its auto-rotation is switched off.
  int turn = 0;
  // Seconds from the file's start (its earliest stream) to the pictures' start. OpenCV counts
  // frame times from the picture stream's own start; a player, and read_audio for the file's
  // sound, count from the file's, so a sound track that starts before the pictures lines up.
  double start = 0;
  // The stream's base rate (libavformat's r_frame_rate: the lowest rate at which every frame time
  // falls on a tick). A phone's variable-rate recording that drops frames averages less (the
  // shared talking-head clip: 30 against 22.1 on average); 0 when unknown.
  double base_rate = 0;
  // The picture stream's frame count where the container stores it (MP4's sample table); 0 where
  // it does not (Matroska, MPEG-TS: OpenCV then estimates duration × rate, which a variable-rate
  // video's base rate overstates).
  int frames = 0;
  // Seconds from the file's start to its end, as the container says; 0 when unknown.
  double duration = 0;
};

StreamFacts stream_facts(const std::string& path) {
  StreamFacts facts;
  int error = 0;
  const AvFormat format = open_av_format(path, &error);
  // The start times are the streams' first timestamps, which only the probe reads.
  if (!format || avformat_find_stream_info(format.get(), nullptr) < 0) return facts;
  const int stream = av_find_best_stream(format.get(), AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (stream >= 0 && format->start_time != AV_NOPTS_VALUE &&
      format->streams[stream]->start_time != AV_NOPTS_VALUE) {
    const AVStream* s = format->streams[stream];
    const double start = static_cast<double>(s->start_time) * av_q2d(s->time_base) -
                         static_cast<double>(format->start_time) / AV_TIME_BASE;
    if (std::isfinite(start) && start > 0) facts.start = start;
  }
  if (format->duration != AV_NOPTS_VALUE && format->duration > 0)
    facts.duration = static_cast<double>(format->duration) / AV_TIME_BASE;
  if (stream >= 0) {
    const std::int64_t n = format->streams[stream]->nb_frames;
    if (n > 0 && n < std::numeric_limits<int>::max()) facts.frames = static_cast<int>(n);
    const double rate = av_q2d(format->streams[stream]->r_frame_rate);
    if (std::isfinite(rate) && rate > 0) facts.base_rate = rate;
    std::size_t size = 0;
    const uint8_t* matrix =
        av_stream_get_side_data(format->streams[stream], AV_PKT_DATA_DISPLAYMATRIX, &size);
    if (matrix != nullptr && size >= 9 * sizeof(int32_t)) {
      // av_display_rotation_get: the matrix's counterclockwise rotation, in (-180, 180].
      const double counterclockwise =
          av_display_rotation_get(reinterpret_cast<const int32_t*>(matrix));
      if (std::isfinite(counterclockwise)) {
        const long clockwise = ((-std::lround(counterclockwise)) % 360 + 360) % 360;
        if (clockwise % 90 == 0) facts.turn = static_cast<int>(clockwise);
      }
    }
  }
  return facts;
}

}  // namespace

struct VideoReader::Impl {
  std::string path;
  bool live = false;
  cv::VideoCapture cap;
  double fps = 0;
  double base_fps = 0;
  int index = 0;
  double last_time = 0;  // the previous frame's time
  int refused = 0;       // packets the decoder refused, read past
  int frames = 0;        // StreamFacts::frames (0: OpenCV's estimate is all there is)
  double duration = 0;   // StreamFacts::duration
  int turn = 0;          // clockwise degrees the stored frames are turned to be shown
  double start = 0;      // seconds from the file's start to the first picture (StreamFacts)
  int stored_w = 0, stored_h = 0;
  cv::Mat stored, rgb;  // a turned video's frame as decoded, and in RGB (reused)
};

VideoReader::VideoReader(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
VideoReader::VideoReader(VideoReader&&) noexcept = default;
VideoReader& VideoReader::operator=(VideoReader&&) noexcept = default;
VideoReader::~VideoReader() = default;

VideoReader VideoReader::open(const std::string& path, const ImageLimits& limits) {
  namespace fs = std::filesystem;
  // "-" is standard input: a pipe (live) or a redirected file.
  const std::string source = path == "-" ? "/dev/stdin" : path;
  std::error_code ec;
  const fs::file_type type = fs::status(source, ec).type();
  const bool device = type == fs::file_type::character;
  if (type != fs::file_type::regular && type != fs::file_type::fifo && !device)
    throw IoError(IoError::Op::Read, path,
                  type == fs::file_type::not_found ? "no such file" : "not a video file or device");
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  impl->live = type != fs::file_type::regular;
  if (!impl->cap.open(source, device ? cv::CAP_V4L2 : cv::CAP_FFMPEG) || !impl->cap.isOpened()) {
    const std::string damage = device ? "" : iso_media_damage(source);
    throw InputError(path, 0, 0,
                     damage.empty()
                         ? "cannot open the video (not a video, or a codec the decoder lacks)"
                         : "cannot open the video: " + damage);
  }
  // Frames as stored; a file's display matrix turns them below (see StreamFacts).
  impl->cap.set(cv::CAP_PROP_ORIENTATION_AUTO, 0);
  double base_rate = 0;
  if (!impl->live) {
    const StreamFacts facts = stream_facts(source);
    impl->turn = facts.turn;
    impl->start = facts.start;
    impl->frames = facts.frames;
    impl->duration = facts.duration;
    base_rate = facts.base_rate;
  }
  const auto w = static_cast<int64_t>(impl->cap.get(cv::CAP_PROP_FRAME_WIDTH));
  const auto h = static_cast<int64_t>(impl->cap.get(cv::CAP_PROP_FRAME_HEIGHT));
  if (w <= 0 || h <= 0) throw InputError(path, 0, 0, "the video has no picture");
  impl->stored_w = static_cast<int>(w);
  impl->stored_h = static_cast<int>(h);
  if (w * h > limits.max_pixels)
    throw InputError(path, 0, 0, "video frames are larger than the pixel limit");
  impl->fps = impl->cap.get(cv::CAP_PROP_FPS);
  if (!(impl->fps > 0 && impl->fps < 1000)) impl->fps = 30;
  // A base rate below the average, or above 120 (a container's tick, such as WebM's 1000, taken
  // for a frame rate), says nothing of the pictures: the average stands.
  impl->base_fps = base_rate >= impl->fps * 0.99 && base_rate <= 120 ? base_rate : impl->fps;
  return VideoReader(std::move(impl));
}

double VideoReader::fps() const {
  return impl_->fps;
}
double VideoReader::base_fps() const {
  return impl_->base_fps;
}
int VideoReader::frame_count() const {
  if (impl_->live) return 0;
  if (impl_->frames > 0) return impl_->frames;
  return static_cast<int>(impl_->cap.get(cv::CAP_PROP_FRAME_COUNT));
}
bool VideoReader::frame_count_exact() const {
  return !impl_->live && impl_->frames > 0;
}
double VideoReader::duration() const {
  return impl_->live ? 0 : impl_->duration;
}
bool VideoReader::live() const {
  return impl_->live;
}
int VideoReader::width() const {
  return impl_->turn % 180 == 0 ? impl_->stored_w : impl_->stored_h;
}
int VideoReader::height() const {
  return impl_->turn % 180 == 0 ? impl_->stored_h : impl_->stored_w;
}
int VideoReader::turn() const {
  return impl_->turn;
}
int VideoReader::refused_packets() const {
  return impl_->refused;
}

bool VideoReader::next(Image& frame, double& time) {
  // OpenCV's grab() gives up on the first packet its decoder refuses (a damaged stretch of a
  // file): the stream goes on after it, so a file is read on past up to kMaxRefused refusals in a
  // row (each a packet; at the true end each costs nothing). Live sources end at the first.
  constexpr int kMaxRefused = 256;
  int refused = 0;
  while (!impl_->cap.grab())
    if (impl_->live || ++refused > kMaxRefused) return false;
  impl_->refused += refused;
  auto retrieve_upright = [&] {
    // The decoder's picture goes straight into the frame's own buffer and is swapped to RGB in
    // place: no second full-resolution copy (a 1080p frame is 6.2 MB).
    const int w = width(), h = height();
    if (w > 0 && h > 0) {
      frame.rgb.resize(static_cast<std::size_t>(w) * h * 3);
      frame.width = w, frame.height = h;
    }
    cv::Mat bgr(h, w, CV_8UC3, frame.rgb.data());
    if (!impl_->cap.retrieve(bgr) || bgr.empty()) return false;
    if (bgr.data != frame.rgb.data() || bgr.type() != CV_8UC3) {  // a size or layout surprise
      cv::Mat rgb;
      cv::cvtColor(bgr, rgb, bgr.channels() == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
      frame.width = rgb.cols, frame.height = rgb.rows;
      frame.rgb.assign(rgb.data, rgb.data + rgb.total() * 3);
    } else {  // BGR -> RGB a row at a time (a whole-image in-place cvtColor copies the image first)
      cv::Mat line;
      for (int y = 0; y < bgr.rows; ++y) {
        cv::Mat row = bgr.row(y);
        cv::cvtColor(row, line, cv::COLOR_BGR2RGB);
        line.copyTo(row);
      }
    }
    return true;
  };
  auto retrieve_turned = [&] {
    // Decoded, swapped to RGB, then turned straight into the frame's own buffer.
    if (!impl_->cap.retrieve(impl_->stored) || impl_->stored.empty()) return false;
    cv::cvtColor(impl_->stored, impl_->rgb,
                 impl_->stored.channels() == 4 ? cv::COLOR_BGRA2RGB : cv::COLOR_BGR2RGB);
    const bool sideways = impl_->turn != 180;
    frame.width = sideways ? impl_->rgb.rows : impl_->rgb.cols;
    frame.height = sideways ? impl_->rgb.cols : impl_->rgb.rows;
    frame.rgb.resize(static_cast<std::size_t>(frame.width) * frame.height * 3);
    cv::Mat shown(frame.height, frame.width, CV_8UC3, frame.rgb.data());
    cv::rotate(impl_->rgb, shown,
               impl_->turn == 90    ? cv::ROTATE_90_CLOCKWISE
               : impl_->turn == 180 ? cv::ROTATE_180
                                    : cv::ROTATE_90_COUNTERCLOCKWISE);
    if (shown.data != frame.rgb.data())  // not expected: the sizes agree
      frame.rgb.assign(shown.data, shown.data + shown.total() * 3);
    return true;
  };
  if (!(impl_->turn != 0 ? retrieve_turned() : retrieve_upright())) return false;
  // The decoder's timestamp; OpenCV has none for the pictures left in the decoder at the end of
  // the stream (H.264's reordered frames: their packets carry no decoding time), nor for some
  // live sources. Those follow the frame before at the base rate (at the average rate, a
  // variable-rate video's last frames came out 20-50 ms late, or repeated a time).
  const double ms = impl_->cap.get(cv::CAP_PROP_POS_MSEC);
  time = impl_->index == 0 ? impl_->start
         : ms > 0          ? impl_->start + ms / 1000.0
                           : impl_->last_time + 1.0 / impl_->base_fps;
  impl_->last_time = time;
  ++impl_->index;
  return true;
}

struct VideoWriter::Impl {
  std::string path, target, tmp;  // target: path with symbolic links followed
  cv::VideoWriter writer;
  int width = 0, height = 0;
  bool closed = false;
};

VideoWriter::VideoWriter(const std::string& path, int width, int height, double fps)
    : impl_(std::make_unique<Impl>()) {
  namespace fs = std::filesystem;
  impl_->path = path;
  impl_->width = width;
  impl_->height = height;
  impl_->target = resolve_file_output(path);  // a folder, missing folder or device: IoError
  const fs::path target(impl_->target);
  const fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
  std::random_device rd;
  impl_->tmp =
      (dir / ("." + target.stem().string() + ".tmp" + std::to_string(rd()) + ".mp4")).string();
  if (!impl_->writer.open(impl_->tmp, cv::CAP_FFMPEG, cv::VideoWriter::fourcc('m', 'p', '4', 'v'),
                          fps, cv::Size(width, height)))
    throw IoError(IoError::Op::Write, path, "cannot start an MP4 writer");
}

VideoWriter::VideoWriter(VideoWriter&&) noexcept = default;

VideoWriter::~VideoWriter() {
  if (impl_ && !impl_->closed) {
    impl_->writer.release();
    std::remove(impl_->tmp.c_str());
  }
}

void VideoWriter::write(const Image& frame) {
  if (frame.width != impl_->width || frame.height != impl_->height)
    throw std::invalid_argument("video frame size changed");
  cv::Mat rgb(frame.height, frame.width, CV_8UC3, const_cast<uint8_t*>(frame.rgb.data())), bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  impl_->writer.write(bgr);
}

void VideoWriter::close() {
  impl_->writer.release();
  if (std::rename(impl_->tmp.c_str(), impl_->target.c_str()) != 0) {
    std::remove(impl_->tmp.c_str());
    throw IoError(IoError::Op::Write, impl_->path, "cannot move the finished video into place");
  }
  impl_->closed = true;
}

bool is_video_path(const std::string& path) {
  const std::string ext = extension_of(path);
  return ext == "mp4" || ext == "mov" || ext == "avi" || ext == "mkv" || ext == "webm" ||
         ext == "m4v";
}

}  // namespace semblend
