#include <csetjmp>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which uses FILE
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "core/av_format.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/image.h"

extern "C" {
#include <jpeglib.h>
#include <libavutil/pixdesc.h>
#include <libexif/exif-data.h>
#include <libheif/heif.h>
// After jpeglib.h: its jconfig.h says which warnings jerror.h defines.
#include <jerror.h>
}

namespace semblend {
namespace {

constexpr std::size_t kMaxImageBytes = std::size_t{256} << 20;

constexpr std::string_view kPngSignature("\x89PNG\r\n\x1a\n", 8);

uint32_t be32(std::string_view b, std::size_t at) {
  return (uint32_t(uint8_t(b[at])) << 24) | (uint32_t(uint8_t(b[at + 1])) << 16) |
         (uint32_t(uint8_t(b[at + 2])) << 8) | uint32_t(uint8_t(b[at + 3]));
}
uint32_t le32(std::string_view b, std::size_t at) {
  return (uint32_t(uint8_t(b[at + 3])) << 24) | (uint32_t(uint8_t(b[at + 2])) << 16) |
         (uint32_t(uint8_t(b[at + 1])) << 8) | uint32_t(uint8_t(b[at]));
}

bool is_gif(const std::string& b) {
  return b.size() >= 6 && (b.compare(0, 6, "GIF87a") == 0 || b.compare(0, 6, "GIF89a") == 0);
}

// Width and height from a PNG IHDR, a GIF's logical screen or a JPEG SOF marker, without decoding;
// {0, 0} if unknown.
std::pair<int64_t, int64_t> header_size(const std::string& b) {
  if (b.size() >= 24 && b.compare(0, 8, kPngSignature) == 0 && b.compare(12, 4, "IHDR") == 0)
    return {be32(b, 16), be32(b, 20)};
  if (b.size() >= 10 && is_gif(b))
    return {le32(b, 6) & 0xFFFF, le32(b, 6) >> 16};  // the logical screen's width and height
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

void check_size(int64_t w, int64_t h, const std::string& name, const ImageLimits& limits) {
  if (w <= 0 || h <= 0)
    throw InputError(name, 0, 0,
                     "image has no pixels (" + std::to_string(w) + "×" + std::to_string(h) + ")");
  if (w * h > limits.max_pixels) {
    const std::string limit = limits.max_pixels % 1'000'000 == 0
                                  ? std::to_string(limits.max_pixels / 1'000'000) + " megapixel"
                                  : std::to_string(limits.max_pixels) + " pixel";
    throw InputError(name, 0, 0,
                     "image is " + std::to_string(w) + "×" + std::to_string(h) +
                         " pixels, more than the " + limit + " limit");
  }
}

// JPEGs are decoded by libjpeg itself (the library OpenCV's decoder wraps), straight to RGB, so
// that its warnings are heard: OpenCV's decoder only prints them, without a file name, and returns
// whatever came out. The warnings that say the decoded pixels are not the image's are damage:
// bits flipped mid-scan give "bad Huffman code", or bytes left over before the next scan, and a
// garbled remainder that libjpeg decodes anyway. A byte or two before the end-of-image marker
// (some cameras write them: "1 extraneous bytes before marker 0xd9") leaves the pixels intact.
struct JpegRead {
  jpeg_error_mgr err{};  // first: libjpeg's callbacks get it, and with it this object
  jpeg_decompress_struct info{};
  std::jmp_buf fatal_jump{};
  char fatal[JMSG_LENGTH_MAX] = {};   // libjpeg's error, when it gave up
  char damage[JMSG_LENGTH_MAX] = {};  // the first warning that means damage
  int damage_code = 0;                // its libjpeg message code
  bool four_components = false;       // CMYK or YCCK: left to OpenCV, which converts them
  int64_t width = 0, height = 0;      // from the header
  int orientation = 1;                // EXIF orientation (1-8; 1: as stored)
  Image image;
  std::vector<JSAMPLE> row;  // one row of a four-component image (checked, then discarded)
};

void jpeg_fatal(j_common_ptr info) {
  auto* r = reinterpret_cast<JpegRead*>(info->err);
  info->err->format_message(info, r->fatal);
  std::longjmp(r->fatal_jump, 1);
}

void jpeg_message(j_common_ptr info, int level) {
  if (level != -1) return;  // -1: a warning; higher levels are traces
  auto* r = reinterpret_cast<JpegRead*>(info->err);
  const int code = info->err->msg_code;
  // Bytes a scan's decoding left over mean its codes were misread, unless they come before the
  // end-of-image marker, after the last scan.
  const bool leftover = code == JWRN_EXTRANEOUS_DATA && info->err->msg_parm.i[1] != 0xD9;
  const bool damage = code == JWRN_HUFF_BAD_CODE || code == JWRN_ARITH_BAD_CODE ||
                      code == JWRN_HIT_MARKER || code == JWRN_JPEG_EOF ||
                      code == JWRN_MUST_RESYNC || leftover;
  if (damage && r->damage_code == 0) {
    r->damage_code = code;
    info->err->format_message(info, r->damage);
  }
}

// The orientation an Exif block declares ("Exif\0\0" and a TIFF header, as in a JPEG's APP1;
// tag 0x0112 of IFD0, read by libexif): 1-8, or 1 when there is none or the block is unreadable
// (the pixels are still the photo's).
int exif_block_orientation(const unsigned char* data, std::size_t size) {
  ExifData* exif = exif_data_new_from_data(data, static_cast<unsigned int>(size));
  if (exif == nullptr) return 1;
  int orientation = 1;
  const ExifEntry* e = exif_content_get_entry(exif->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
  if (e != nullptr && e->format == EXIF_FORMAT_SHORT && e->components >= 1 && e->data != nullptr)
    orientation = exif_get_short(e->data, exif_data_get_byte_order(exif));
  exif_data_unref(exif);
  return orientation >= 1 && orientation <= 8 ? orientation : 1;
}

// A JPEG's: its first APP1 Exif block's.
int exif_orientation(const jpeg_saved_marker_ptr markers) {
  for (jpeg_saved_marker_ptr m = markers; m != nullptr; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && m->data_length >= 6 &&
        std::string_view(reinterpret_cast<const char*>(m->data), 6) ==
            std::string_view("Exif\0\0", 6))
      return exif_block_orientation(m->data, m->data_length);
  return 1;
}

// The orientation of an image OpenCV decodes without applying it (IMREAD_UNCHANGED), from the
// Exif its container carries: a PNG's eXIf chunk or a WebP's EXIF chunk (a bare TIFF header and
// its IFDs; some WebP writers put "Exif\0\0" first). 1 for other files (OpenCV's TIFF reader,
// libtiff's RGBA path, applies a TIFF's Orientation tag itself) or when there is none. Only
// chunk headers are walked; the image data is not read.
int container_orientation(std::string_view b) {
  std::string_view tiff;
  if (b.substr(0, 8) == kPngSignature) {
    for (std::size_t at = 8; at + 12 <= b.size();) {  // length, type, data, CRC
      const uint32_t length = be32(b, at);
      if (length > b.size() - at - 12) break;
      const std::string_view type = b.substr(at + 4, 4);
      if (type == "eXIf") {
        tiff = b.substr(at + 8, length);
        break;
      }
      if (type == "IEND") break;
      at += 12 + std::size_t(length);
    }
  } else if (b.size() >= 12 && b.substr(0, 4) == "RIFF" && b.substr(8, 4) == "WEBP") {
    for (std::size_t at = 12; at + 8 <= b.size();) {  // fourcc, little-endian length, data, pad
      const uint32_t length = le32(b, at + 4);
      if (length > b.size() - at - 8) break;
      if (b.substr(at, 4) == "EXIF") {
        tiff = b.substr(at + 8, length);
        break;
      }
      at += 8 + std::size_t(length) + (length & 1);
    }
  }
  if (tiff.size() >= 6 && tiff.substr(0, 6) == std::string_view("Exif\0\0", 6))
    tiff.remove_prefix(6);
  if (tiff.size() < 8) return 1;
  // libexif reads an Exif block as a JPEG's APP1 holds it.
  std::string block("Exif\0\0", 6);
  block.append(tiff);
  return exif_block_orientation(reinterpret_cast<const unsigned char*>(block.data()), block.size());
}

// The photo as a viewer shows it: the stored pixels turned and mirrored as its EXIF orientation
// says (the same transforms as OpenCV's imread, which applies it too).
void apply_orientation(Image& image, int orientation) {
  if (orientation <= 1 || orientation > 8) return;
  const cv::Mat stored(image.height, image.width, CV_8UC3, image.rgb.data());
  cv::Mat shown;
  switch (orientation) {
    case 2:  // mirrored
      cv::flip(stored, shown, 1);
      break;
    case 3:  // upside down
      cv::flip(stored, shown, -1);
      break;
    case 4:  // mirrored, upside down
      cv::flip(stored, shown, 0);
      break;
    case 5:  // mirrored, turned
      cv::transpose(stored, shown);
      break;
    case 6:  // stored turned left: shown turned clockwise
      cv::rotate(stored, shown, cv::ROTATE_90_CLOCKWISE);
      break;
    case 7:  // mirrored, turned
      cv::transpose(stored, shown);
      cv::flip(shown, shown, -1);
      break;
    default:  // 8: stored turned right: shown turned anticlockwise
      cv::rotate(stored, shown, cv::ROTATE_90_COUNTERCLOCKWISE);
      break;
  }
  Image out;
  out.width = shown.cols;
  out.height = shown.rows;
  out.rgb.assign(shown.data,
                 shown.data + shown.total() * 3);  // cv::flip/rotate output is continuous
  image = std::move(out);
}

// HEIF (an iPhone's HEIC photos; AVIF too) by libheif, which applies the file's own rotation and
// mirroring, so the image is upright as viewers show it. Throws InputError naming `name` when
// libheif cannot read it or the picture is over the pixel limit (checked before decoding).
Image decode_heif(const std::string& b, const std::string& name, const ImageLimits& limits) {
  static const bool initialised = [] {
    heif_init(nullptr);  // reference counted; kept for the process (decoder plugins)
    return true;
  }();
  (void)initialised;
  struct Free {
    void operator()(heif_context* c) const { heif_context_free(c); }
    void operator()(heif_image_handle* h) const { heif_image_handle_release(h); }
    void operator()(heif_image* i) const { heif_image_release(i); }
  };
  auto check = [&](const heif_error& e, const char* what) {
    if (e.code != heif_error_Ok)
      throw InputError(name, 0, 0, std::string(what) + " (libheif: " + e.message + ")");
  };
  std::unique_ptr<heif_context, Free> context(heif_context_alloc());
  if (!context) throw std::bad_alloc();
  check(heif_context_read_from_memory_without_copy(context.get(), b.data(), b.size(), nullptr),
        "cannot read the HEIF image");
  heif_image_handle* raw_handle = nullptr;
  check(heif_context_get_primary_image_handle(context.get(), &raw_handle),
        "the HEIF file has no primary image");
  std::unique_ptr<heif_image_handle, Free> handle(raw_handle);
  check_size(heif_image_handle_get_width(handle.get()), heif_image_handle_get_height(handle.get()),
             name, limits);
  heif_image* raw_image = nullptr;
  check(heif_decode_image(handle.get(), &raw_image, heif_colorspace_RGB,
                          heif_chroma_interleaved_RGB, nullptr),
        "cannot decode the HEIF image");
  std::unique_ptr<heif_image, Free> image(raw_image);
  const int w = heif_image_get_width(image.get(), heif_channel_interleaved);
  const int h = heif_image_get_height(image.get(), heif_channel_interleaved);
  int stride = 0;
  const uint8_t* pixels =
      heif_image_get_plane_readonly(image.get(), heif_channel_interleaved, &stride);
  if (pixels == nullptr || w <= 0 || h <= 0 || stride < w * 3)
    throw InputError(name, 0, 0, "cannot decode the HEIF image (libheif gave no RGB picture)");
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.resize(static_cast<std::size_t>(w) * h * 3);
  for (int y = 0; y < h; ++y)
    std::copy_n(pixels + static_cast<std::ptrdiff_t>(y) * stride, static_cast<std::size_t>(w) * 3,
                out.rgb.data() + static_cast<std::size_t>(y) * w * 3);
  return out;
}

struct DecodedJpeg {
  std::optional<Image> image;  // nullopt: four components, for OpenCV to decode
  int orientation = 1;
};

// `b` (a JPEG) as RGB, libjpeg's default (accurate) IDCT and upsampling, as OpenCV decodes it,
// with the EXIF orientation it declares (not yet applied). No image for a four-component JPEG
// (checked for damage all the same), which OpenCV decodes.
// Throws InputError naming `name` for damage, or when libjpeg cannot read it.
DecodedJpeg decode_jpeg(const std::string& b, const std::string& name, const ImageLimits& limits) {
  // On the heap, not in this frame, so that longjmp cannot clobber it.
  auto r = std::make_unique<JpegRead>();
  r->info.err = jpeg_std_error(&r->err);
  r->err.error_exit = jpeg_fatal;
  r->err.emit_message = jpeg_message;
  if (setjmp(r->fatal_jump) == 0) {
    jpeg_create_decompress(&r->info);
    jpeg_mem_src(&r->info, reinterpret_cast<const unsigned char*>(b.data()),
                 static_cast<unsigned long>(b.size()));
    jpeg_save_markers(&r->info, JPEG_APP0 + 1, 0xFFFF);  // Exif
    jpeg_read_header(&r->info, TRUE);
    r->orientation = exif_orientation(r->info.marker_list);
    r->width = r->info.image_width;
    r->height = r->info.image_height;
    if (r->width == 0 || r->height == 0 || r->width * r->height > limits.max_pixels)
      std::longjmp(r->fatal_jump, 2);  // refused below, before any pixel is allocated
    r->four_components = r->info.num_components == 4;
    if (!r->four_components) r->info.out_color_space = JCS_RGB;
    jpeg_start_decompress(&r->info);
    const std::size_t stride = static_cast<std::size_t>(r->info.output_width) *
                               static_cast<std::size_t>(r->info.output_components);
    if (r->four_components) {
      r->row.resize(stride);
    } else {
      r->image.width = static_cast<int>(r->info.output_width);
      r->image.height = static_cast<int>(r->info.output_height);
      r->image.rgb.resize(stride * r->info.output_height);
    }
    while (r->info.output_scanline < r->info.output_height) {
      JSAMPROW row = r->four_components ? r->row.data()
                                        : r->image.rgb.data() + stride * r->info.output_scanline;
      jpeg_read_scanlines(&r->info, &row, 1);
    }
    jpeg_finish_decompress(&r->info);
  }
  jpeg_destroy_decompress(&r->info);
  if (r->fatal[0] != '\0')
    throw InputError(name, 0, 0, std::string("cannot decode the JPEG (libjpeg: ") + r->fatal + ")");
  check_size(r->width, r->height, name, limits);
  // The data ran out before the end-of-image marker: the file was cut short (libjpeg fills the
  // missing rows with grey).
  if (r->damage_code == JWRN_JPEG_EOF)
    throw InputError(name, 0, 0, "truncated JPEG: the image data stops before its end marker");
  if (r->damage_code != 0)
    throw InputError(name, 0, 0, std::string("damaged JPEG (libjpeg: ") + r->damage + ")");
  if (r->four_components) return {std::nullopt, r->orientation};
  return {std::move(r->image), r->orientation};
}

// Whether a GIF holds its first picture whole: its blocks walked (header, colour tables,
// extensions, the image's data sub-blocks up to their terminator) without running off the end.
// FFmpeg's decoder shows a picture cut short with its missing rows blank and only logs it.
bool gif_first_image_whole(std::string_view b) {
  auto at = [&](std::size_t i) { return std::size_t(uint8_t(b[i])); };
  auto table = [&](std::size_t flags) {
    return flags & 0x80 ? 3 * (std::size_t{2} << (flags & 7)) : 0;
  };
  if (b.size() < 13) return false;
  std::size_t i = 13 + table(at(10));
  // Sub-blocks (a length byte, then that many bytes) up to a zero length; false past the end.
  auto skip_sub_blocks = [&] {
    while (i < b.size() && at(i) != 0) i += 1 + at(i);
    if (i >= b.size()) return false;
    ++i;
    return true;
  };
  while (i < b.size()) {
    if (at(i) == 0x21) {  // an extension: its label, then sub-blocks
      i += 2;
      if (!skip_sub_blocks()) return false;
    } else if (at(i) == 0x2C) {  // the image: descriptor, local colour table, LZW code size, data
      if (i + 10 > b.size()) return false;
      i += 10 + table(at(i + 9)) + 1;
      return skip_sub_blocks();
    } else {
      return false;  // the trailer (0x3B) or anything else before an image
    }
  }
  return false;
}

// A GIF's first picture, by FFmpeg's GIF decoder (OpenCV 4.6 reads no GIF): handed the whole file
// as one packet, it reads the header and the first frame onto the logical screen, as FFmpeg's GIF
// demuxer would hand it over. Transparent pixels are shown over white, as a browser page shows
// them. An animated GIF's later frames are a video's (`semblend video` reads them).
Image decode_gif(const std::string& bytes, const std::string& name) {
  const AVCodec* codec = avcodec_find_decoder(AV_CODEC_ID_GIF);
  if (!gif_first_image_whole(bytes))
    throw InputError(name, 0, 0, "truncated GIF: the file ends before its first picture does");
  if (codec == nullptr)
    throw InputError(name, 0, 0, "cannot decode a GIF: FFmpeg has no GIF decoder");
  const AvCodec decoder(avcodec_alloc_context3(codec));
  const AvPacket packet(av_packet_alloc());
  const AvFrame frame(av_frame_alloc());
  if (!decoder || !packet || !frame) throw std::bad_alloc();
  if (const int err = avcodec_open2(decoder.get(), codec, nullptr); err < 0)
    throw InputError(name, 0, 0, "cannot decode the GIF: \"" + av_error_text(err) + "\"");
  if (av_new_packet(packet.get(), static_cast<int>(bytes.size())) < 0) throw std::bad_alloc();
  std::copy(bytes.begin(), bytes.end(), packet->data);
  int err = avcodec_send_packet(decoder.get(), packet.get());
  if (err >= 0) err = avcodec_receive_frame(decoder.get(), frame.get());
  if (err < 0) throw InputError(name, 0, 0, "not a readable GIF: \"" + av_error_text(err) + "\"");
  if (frame->format != AV_PIX_FMT_RGB32)
    throw InputError(name, 0, 0,
                     std::string("cannot decode the GIF: FFmpeg gave its pixels as ") +
                         av_get_pix_fmt_name(static_cast<AVPixelFormat>(frame->format)));
  Image img;
  img.width = frame->width;
  img.height = frame->height;
  img.rgb.resize(static_cast<std::size_t>(img.width) * img.height * 3);
  for (int y = 0; y < img.height; ++y) {
    // AV_PIX_FMT_RGB32 is one native-endian 32-bit word per pixel: A in the top byte.
    const auto* row =
        reinterpret_cast<const uint32_t*>(frame->data[0] + std::ptrdiff_t(y) * frame->linesize[0]);
    uint8_t* out = img.rgb.data() + static_cast<std::size_t>(y) * img.width * 3;
    for (int x = 0; x < img.width; ++x) {
      const uint32_t argb = row[x];
      const uint32_t a = argb >> 24;
      for (int c = 0; c < 3; ++c) {
        const uint32_t v = (argb >> (16 - 8 * c)) & 0xFF;
        out[3 * x + c] = static_cast<uint8_t>((v * a + 255 * (255 - a) + 127) / 255);
      }
    }
  }
  return img;
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& name, const ImageLimits& limits) {
  if (bytes.empty()) throw InputError(name, 0, 0, "file is empty");
  if (const auto [w, h] = header_size(bytes); w != 0 || h != 0) check_size(w, h, name, limits);
  if (bytes.size() >= 12) {
    const heif_filetype_result heif =
        heif_check_filetype(reinterpret_cast<const uint8_t*>(bytes.data()),
                            static_cast<int>(std::min<std::size_t>(bytes.size(), 64)));
    if (heif == heif_filetype_yes_supported) return decode_heif(bytes, name, limits);
    if (heif == heif_filetype_yes_unsupported)
      throw InputError(name, 0, 0, "a HEIF image of a kind libheif cannot read");
  }
  if (is_gif(bytes)) {
    Image gif = decode_gif(bytes, name);
    check_size(gif.width, gif.height, name, limits);
    return gif;
  }
  int orientation = 1;
  if (bytes.size() >= 3 && bytes.compare(0, 3, "\xFF\xD8\xFF") == 0) {
    DecodedJpeg jpeg = decode_jpeg(bytes, name, limits);
    if (jpeg.image) {
      apply_orientation(*jpeg.image, jpeg.orientation);
      return std::move(*jpeg.image);
    }
    orientation = jpeg.orientation;
  } else {
    orientation = container_orientation(bytes);
  }
  cv::Mat decoded;
  try {
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    // IMREAD_UNCHANGED: as stored (OpenCV applies no EXIF orientation; the file's is applied
    // below).
    decoded = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
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
  apply_orientation(img, orientation);
  return img;
}

Image read_image(const std::string& path, const ImageLimits& limits) {
  return decode_image(read_file(path, kMaxImageBytes), path, limits);
}

bool is_image_path(const std::string& path) {
  const std::string ext = extension_of(path);
  return ext == "jpg" || ext == "jpeg" || ext == "png" || ext == "gif" || ext == "bmp" ||
         ext == "webp" || ext == "tif" || ext == "tiff" || ext == "heic" || ext == "heif" ||
         ext == "avif";
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
