#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/image.h"

namespace semblend {
namespace {

constexpr std::size_t kMaxImageBytes = std::size_t{256} << 20;

uint32_t be32(const std::string& b, std::size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}

// Width and height from a PNG IHDR or a JPEG SOF marker, without decoding; {0, 0} if unknown.
std::pair<int64_t, int64_t> header_size(const std::string& b) {
  if (b.size() >= 24 && b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.compare(12, 4, "IHDR") == 0)
    return {be32(b, 16), be32(b, 20)};
  if (b.size() >= 4 && uint8_t(b[0]) == 0xFF && uint8_t(b[1]) == 0xD8) {
    std::size_t i = 2;
    while (i + 9 < b.size()) {
      if (uint8_t(b[i]) != 0xFF) return {0, 0};
      const uint8_t marker = uint8_t(b[i + 1]);
      const std::size_t len = (std::size_t(uint8_t(b[i + 2])) << 8) | uint8_t(b[i + 3]);
      const bool sof =
          marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (sof) {
        const int64_t h = (int64_t(uint8_t(b[i + 5])) << 8) | uint8_t(b[i + 6]);
        const int64_t w = (int64_t(uint8_t(b[i + 7])) << 8) | uint8_t(b[i + 8]);
        return {w, h};
      }
      i += 2 + len;
    }
  }
  return {0, 0};
}

// A JPEG whose last scan never reaches the end-of-image marker: the file was cut short, and
// libjpeg would fill the missing rows with grey and only warn. (In entropy-coded data a 0xFF byte
// is always followed by 0x00 or a restart marker, so FF DA and FF D9 are only ever markers; an
// EXIF thumbnail's own markers come before the main image's scan.)
bool jpeg_cut_short(const std::string& b) {
  if (b.size() < 4 || uint8_t(b[0]) != 0xFF || uint8_t(b[1]) != 0xD8) return false;
  const std::size_t scan = b.rfind("\xFF\xDA");
  return scan != std::string::npos && b.find("\xFF\xD9", scan) == std::string::npos;
}

void check_size(int64_t w, int64_t h, const std::string& name, const ImageLimits& limits) {
  if (w <= 0 || h <= 0)
    throw InputError(name, 0, 0,
                     "image has no pixels (" + std::to_string(w) + "×" + std::to_string(h) + ")");
  if (w * h > limits.max_pixels)
    throw InputError(name, 0, 0,
                     "image is " + std::to_string(w) + "×" + std::to_string(h) +
                         " pixels, more than the " + std::to_string(limits.max_pixels / 1'000'000) +
                         " megapixel limit");
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& name, const ImageLimits& limits) {
  if (bytes.empty()) throw InputError(name, 0, 0, "file is empty");
  if (const auto [w, h] = header_size(bytes); w != 0 || h != 0) check_size(w, h, name, limits);
  if (jpeg_cut_short(bytes))
    throw InputError(name, 0, 0, "truncated JPEG: the image data stops before its end marker");
  cv::Mat decoded;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED | cv::IMREAD_IGNORE_ORIENTATION);
  } catch (const cv::Exception& e) {
    throw InputError(name, 0, 0, std::string("cannot decode the image: ") + e.what());
  }
  if (decoded.empty()) throw InputError(name, 0, 0, "not an image, or a truncated/corrupt one");
  check_size(decoded.cols, decoded.rows, name, limits);
  cv::Mat m = decoded;
  if (m.depth() == CV_16U)
    m.convertTo(m, CV_8U, 1.0 / 257.0);
  else if (m.depth() == CV_32F)
    m.convertTo(m, CV_8U, 255.0);
  else if (m.depth() != CV_8U)
    throw InputError(name, 0, 0, "unsupported pixel depth");
  cv::Mat rgb;
  switch (m.channels()) {
    case 1:
      cv::cvtColor(m, rgb, cv::COLOR_GRAY2RGB);
      break;
    case 3:
      cv::cvtColor(m, rgb, cv::COLOR_BGR2RGB);
      break;
    case 4:
      cv::cvtColor(m, rgb, cv::COLOR_BGRA2RGB);
      break;
    default:
      throw InputError(name, 0, 0, "unsupported channel count " + std::to_string(m.channels()));
  }
  Image img;
  img.width = rgb.cols;
  img.height = rgb.rows;
  img.rgb.resize(static_cast<std::size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y)
    std::copy_n(rgb.ptr<uint8_t>(y), static_cast<std::size_t>(img.width) * 3,
                img.rgb.data() + static_cast<std::size_t>(y) * img.width * 3);
  return img;
}

Image read_image(const std::string& path, const ImageLimits& limits) {
  return decode_image(read_file(path, kMaxImageBytes), path, limits);
}

std::string encode_png(const Image& image) {
  if (!image.valid())
    throw std::invalid_argument("encode_png: image size and pixel buffer disagree");
  cv::Mat rgb(image.height, image.width, CV_8UC3, const_cast<uint8_t*>(image.rgb.data()));
  cv::Mat bgr;
  cv::cvtColor(rgb, bgr, cv::COLOR_RGB2BGR);
  std::vector<uint8_t> out;
  cv::imencode(".png", bgr, out);
  return std::string(out.begin(), out.end());
}

void write_png(const Image& image, const std::string& path) {
  write_file_atomic(path, encode_png(image));
}

}  // namespace semblend

namespace semblend {

Image flip_horizontal(const Image& image) {
  Image out = image;
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x)
      std::copy_n(image.pixel(image.width - 1 - x, y), 3,
                  out.rgb.data() + (static_cast<std::size_t>(y) * image.width + x) * 3);
  return out;
}

}  // namespace semblend
