// semblend/image.h — images in and out, safely.
//
// read_image: any format OpenCV decodes (JPEG, PNG, BMP, WebP, TIFF, …), and HEIF (an iPhone's
//   HEIC photos; AVIF) through libheif with the file's own rotation applied, and a GIF's first
//   picture (FFmpeg's GIF decoder; transparency shown over white; a GIF cut short before its
//   first picture ends is refused), into 8-bit RGB.
//   Grayscale is expanded, alpha dropped, 16-bit scaled to 8-bit, CMYK JPEG converted by the
//   decoder. JPEGs are decoded by libjpeg directly (the pixels OpenCV would give), so that data
//   damage it only warns about — a bad Huffman code, a scan cut off by a marker, bytes a scan
//   left over, lost restart sync: the rest of the image garbled or grey — is refused; a byte or
//   two before the end marker, which some cameras write, is not damage. The pixel count is
//   checked from the PNG/JPEG/GIF header *before* decoding, so a 20000×20000 image is refused
//   without allocating it (limit: ImageLimits::max_pixels, default 64 megapixels); other formats
//   are checked right after decoding. The EXIF orientation (a phone's portrait photo is stored on
//   its side with orientation 6) is applied, so the image is the photo as viewers show it: a
//   JPEG's APP1, a PNG's eXIf chunk, a WebP's EXIF chunk, a TIFF's Orientation tag (applied by
//   OpenCV's TIFF reader), HEIF's rotation and mirroring (by libheif); an unreadable Exif block
//   is ignored (the pixels are still the photo's).
// write_png: atomic (temporary file + rename).
// Failure modes: IoError (missing, unreadable, larger than 256 MiB), InputError naming the file
//   (not an image, truncated, damaged JPEG data, 0 or too many pixels).
// Thread safety: pure functions over values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace semblend {

struct Image {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgb;  // width * height * 3 bytes, row-major, R G B
  const std::uint8_t* pixel(int x, int y) const {
    return rgb.data() + 3 * (static_cast<std::size_t>(y) * width + x);
  }
  // Not empty, and the pixel buffer holds exactly width × height RGB pixels.
  bool valid() const {
    return width > 0 && height > 0 &&
           rgb.size() == static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3;
  }
};

struct ImageLimits {
  std::int64_t max_pixels = 64'000'000;
};

Image read_image(const std::string& path, const ImageLimits& limits = {});
// True if `path` names an image by its extension, case-insensitively: .jpg .jpeg .png .gif .bmp
// .webp .tif .tiff .heic .heif .avif (the one list folders of images are filtered by).
bool is_image_path(const std::string& path);
// Decodes an encoded image held in memory; `name` is used in error messages.
Image decode_image(const std::string& bytes, const std::string& name,
                   const ImageLimits& limits = {});
void write_png(const Image& image, const std::string& path);
// The image mirrored left to right.
Image flip_horizontal(const Image& image);
std::string encode_png(const Image& image);

}  // namespace semblend
