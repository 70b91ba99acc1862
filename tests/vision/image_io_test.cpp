#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>  // before jpeglib.h, which uses FILE
#include <cstdlib>
#include <memory>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "semblend/error.h"
#include "semblend/image.h"
#include "test_util.h"

extern "C" {
#include <jpeglib.h>
#include <libheif/heif.h>
}

namespace semblend {
namespace {

std::string encode(const cv::Mat& m, const std::string& ext) {
  std::vector<uint8_t> buf;
  cv::imencode(ext, m, buf);
  return std::string(buf.begin(), buf.end());
}

TEST(ImageIo, ReadsRealJpegAndPngAsRgb) {
  const Image jpg = read_image(test::shared_data("faces/faceapi_neutral.jpg"));
  EXPECT_EQ(jpg.width, 608);
  EXPECT_EQ(jpg.height, 276);
  EXPECT_EQ(jpg.rgb.size(), 608u * 276u * 3u);
  const Image png = read_image(test::shared_data("faces/sadtalker_sad.png"));
  EXPECT_EQ(png.width, 256);
}

TEST(ImageIo, ChannelOrderIsRgb) {
  cv::Mat bgr(4, 4, CV_8UC3, cv::Scalar(255, 0, 0));  // pure blue in OpenCV's BGR
  const Image img = decode_image(encode(bgr, ".png"), "blue.png");
  EXPECT_EQ(img.pixel(0, 0)[0], 0);
  EXPECT_EQ(img.pixel(0, 0)[2], 255);
}

TEST(ImageIo, GrayscaleAlphaAnd16BitBecome8BitRgb) {
  const Image gray = decode_image(encode(cv::Mat(5, 7, CV_8UC1, cv::Scalar(90)), ".png"), "g.png");
  EXPECT_EQ(gray.width, 7);
  EXPECT_EQ(gray.pixel(3, 3)[1], 90);
  const Image alpha =
      decode_image(encode(cv::Mat(5, 7, CV_8UC4, cv::Scalar(10, 20, 30, 0)), ".png"), "a.png");
  EXPECT_EQ(alpha.pixel(0, 0)[0], 30);
  const Image deep =
      decode_image(encode(cv::Mat(5, 7, CV_16UC3, cv::Scalar(65535, 0, 32896)), ".png"), "d.png");
  EXPECT_EQ(deep.pixel(0, 0)[2], 255);
  EXPECT_EQ(deep.pixel(0, 0)[0], 128);
}

TEST(ImageIo, PngRoundTrip) {
  Image img;
  img.width = 3, img.height = 2;
  for (int i = 0; i < 18; ++i) img.rgb.push_back(static_cast<uint8_t>(i * 13));
  const Image back = decode_image(encode_png(img), "x.png");
  EXPECT_EQ(back.rgb, img.rgb);
}

// A CMYK JPEG written with libjpeg's own C API (OpenCV cannot write one): 16×8, the left half red
// and the right half blue, stored inverted as Photoshop and other Adobe tools write CMYK (255 = no
// ink; libjpeg adds the Adobe marker that says so).
std::string cmyk_jpeg() {
  jpeg_compress_struct cinfo{};
  jpeg_error_mgr err{};
  cinfo.err = jpeg_std_error(&err);
  jpeg_create_compress(&cinfo);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&cinfo, &buffer, &size);
  cinfo.image_width = 16, cinfo.image_height = 8;
  cinfo.input_components = 4;
  cinfo.in_color_space = JCS_CMYK;
  jpeg_set_defaults(&cinfo);
  jpeg_set_colorspace(&cinfo, JCS_CMYK);
  jpeg_set_quality(&cinfo, 95, TRUE);
  jpeg_start_compress(&cinfo, TRUE);
  std::vector<JSAMPLE> row(16 * 4);
  for (int x = 0; x < 16; ++x) {  // ink C, M, Y, K: red = M + Y, blue = C + M; stored 255 - ink
    const int ink[4] = {x < 8 ? 0 : 255, 255, x < 8 ? 255 : 0, 0};
    for (int c = 0; c < 4; ++c) row[static_cast<std::size_t>(4 * x + c)] = JSAMPLE(255 - ink[c]);
  }
  while (cinfo.next_scanline < cinfo.image_height) {
    JSAMPROW rows[1] = {row.data()};
    jpeg_write_scanlines(&cinfo, rows, 1);
  }
  jpeg_finish_compress(&cinfo);
  jpeg_destroy_compress(&cinfo);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

// JPEGs are decoded by libjpeg directly (to hear its warnings); the pixels must be OpenCV's.
TEST(ImageIo, JpegPixelsAreOpenCvsExactly) {
  std::vector<std::pair<std::string, std::string>> jpegs;
  for (const char* f : {"faces/faceapi_happy.jpg", "faces/dlib_Tom_Cruise_avp_2014_4.jpg",
                        "faces/faceapi_surprised.jpg"})
    jpegs.emplace_back(f, test::read_text(test::shared_data(f)));
  cv::Mat gray(40, 56, CV_8UC1);
  cv::randu(gray, 0, 255);
  jpegs.emplace_back("gray", encode(gray, ".jpg"));
  for (const auto& [what, jpeg] : jpegs) {
    const cv::Mat buffer(1, static_cast<int>(jpeg.size()), CV_8UC1, const_cast<char*>(jpeg.data()));
    cv::Mat bgr = cv::imdecode(buffer, cv::IMREAD_COLOR | cv::IMREAD_IGNORE_ORIENTATION), rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    const Image img = decode_image(jpeg, what);
    ASSERT_EQ(img.width, rgb.cols) << what;
    ASSERT_EQ(img.height, rgb.rows) << what;
    ASSERT_TRUE(rgb.isContinuous());
    EXPECT_TRUE(std::equal(img.rgb.begin(), img.rgb.end(), rgb.ptr<uint8_t>(0))) << what;
  }
}

TEST(ImageIo, CmykJpegBecomesRgbWithItsColours) {
  const std::string jpeg = cmyk_jpeg();
  ASSERT_GT(jpeg.size(), 100u);
  // It really is a 4-component JPEG: the SOF0 marker's component count.
  const auto sof = jpeg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  ASSERT_EQ(jpeg[sof + 9], 4);
  const Image img = decode_image(jpeg, "cmyk.jpg");
  ASSERT_EQ(img.width, 16);
  ASSERT_EQ(img.height, 8);
  const uint8_t* red = img.pixel(2, 4);
  const uint8_t* blue = img.pixel(13, 4);
  EXPECT_GT(red[0], 200) << "red";
  EXPECT_LT(red[1], 60);
  EXPECT_LT(red[2], 60);
  EXPECT_LT(blue[0], 60) << "blue";
  EXPECT_LT(blue[1], 60);
  EXPECT_GT(blue[2], 200);
}

TEST(ImageIoBadInput, NotAnImageTruncatedAndEmpty) {
  EXPECT_THROW(decode_image("hello, I am text", "t.jpg"), InputError);
  EXPECT_THROW(decode_image("", "e.png"), InputError);
  const std::string jpeg = test::read_text(test::shared_data("faces/faceapi_happy.jpg"));
  try {
    decode_image(jpeg.substr(0, 200), "cut.jpg");
    FAIL() << "a JPEG cut to 200 bytes decoded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "cut.jpg");
  }
  // Cut in the middle of its scan, libjpeg would decode the rest as grey and only warn.
  try {
    decode_image(jpeg.substr(0, jpeg.size() / 2), "half.jpg");
    FAIL() << "half a JPEG decoded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "half.jpg");
    EXPECT_NE(std::string(e.what()).find("truncated JPEG"), std::string::npos) << e.what();
  }
  // Bytes after the end marker (some cameras append data) are not a truncation.
  EXPECT_EQ(decode_image(jpeg + "trailing", "extra.jpg").width,
            decode_image(jpeg, "whole.jpg").width);
}

// Bits flipped in the middle of the scan: libjpeg decodes the rest as garbage, prints "Corrupt
// JPEG data: bad Huffman code" without a file name and returns the image; the solver then read a
// face from it with exit 0. Now it is refused, naming the file. Bytes before the end marker that
// libjpeg calls extraneous (some cameras write them) leave the pixels intact and are accepted.
TEST(ImageIoBadInput, DamagedJpegDataIsRefusedExtraneousBytesAreNot) {
  const std::string jpeg = test::read_text(test::shared_data("faces/faceapi_happy.jpg"));
  std::string flipped = jpeg;
  for (std::size_t i = jpeg.size() / 2; i < jpeg.size() / 2 + 400; i += 7) flipped[i] ^= 0x55;
  try {
    decode_image(flipped, "flipped.jpg");
    FAIL() << "a damaged JPEG decoded";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "flipped.jpg");
    EXPECT_NE(std::string(e.what()).find("damaged JPEG"), std::string::npos) << e.what();
  }
  std::string extra = jpeg;
  ASSERT_EQ(extra.substr(extra.size() - 2), "\xFF\xD9");
  extra.insert(extra.size() - 2, "\x12\x34\x56");
  const Image a = decode_image(extra, "extra.jpg"), b = decode_image(jpeg, "whole.jpg");
  EXPECT_EQ(a.width, b.width);
  EXPECT_TRUE(a.rgb == b.rgb);
}

TEST(ImageIoBadInput, HugeImagesAreRefusedFromTheHeaderBeforeDecoding) {
  // A real PNG header claiming 20000×20000 pixels, then nothing: refused without allocating.
  std::string png = encode(cv::Mat(1, 1, CV_8UC3), ".png");
  auto put32 = [&](std::size_t at, uint32_t v) {
    for (int k = 0; k < 4; ++k) png[at + k] = static_cast<char>((v >> (24 - 8 * k)) & 0xFF);
  };
  put32(16, 20000);
  put32(20, 20000);
  try {
    decode_image(png, "huge.png");
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("20000×20000"), std::string::npos) << e.what();
  }
  // The same for a JPEG's SOF marker, from a real small JPEG.
  std::string jpg = encode(cv::Mat(8, 8, CV_8UC3, cv::Scalar(1, 2, 3)), ".jpg");
  const auto sof = jpg.find("\xFF\xC0");
  ASSERT_NE(sof, std::string::npos);
  jpg[sof + 5] = '\x4E', jpg[sof + 6] = '\x20';  // height 20000
  jpg[sof + 7] = '\x4E', jpg[sof + 8] = '\x20';  // width 20000
  EXPECT_THROW(decode_image(jpg, "huge.jpg"), InputError);
}

TEST(ImageIoBadInput, MissingFileIsAnIoError) {
  EXPECT_THROW(read_image("/nonexistent/face.jpg"), IoError);
}

// `jpeg` with an Exif APP1 block declaring `orientation` inserted after its start marker (a
// big-endian TIFF header, IFD0 with the one entry 0x0112 SHORT).
std::string with_orientation(const std::string& jpeg, int orientation) {
  std::string tiff("MM\0\x2A\0\0\0\x08", 8);
  tiff += std::string("\0\x01", 2);                    // one entry
  tiff += std::string("\x01\x12\0\x03\0\0\0\x01", 8);  // Orientation, SHORT, count 1
  tiff += std::string{'\0', static_cast<char>(orientation), '\0', '\0'};
  tiff += std::string(4, '\0');  // no next IFD
  const std::string payload = std::string("Exif\0\0", 6) + tiff;
  const std::size_t length = payload.size() + 2;
  return jpeg.substr(0, 2) + "\xFF\xE1" + static_cast<char>(length >> 8) +
         static_cast<char>(length & 0xFF) + payload + jpeg.substr(2);
}

// A phone stores a portrait photo on its side and says so in EXIF; the image is the photo as
// viewers show it, turned and mirrored exactly as OpenCV's imread turns it (all 8 orientations).
TEST(ImageIo, JpegExifOrientationIsApplied) {
  cv::Mat bgr(24, 40, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x)
      bgr.at<cv::Vec3b>(y, x) = {static_cast<uchar>(x * 6), static_cast<uchar>(y * 10),
                                 static_cast<uchar>(128 + ((x / 8 + y / 8) % 2) * 100)};
  const std::string plain = encode(bgr, ".jpg");
  const Image stored = decode_image(plain, "plain.jpg");
  for (int o = 1; o <= 8; ++o) {
    const std::string bytes = with_orientation(plain, o);
    const Image shown = decode_image(bytes, "o.jpg");
    const cv::Mat buffer(1, static_cast<int>(bytes.size()), CV_8UC1,
                         const_cast<char*>(bytes.data()));
    cv::Mat ref = cv::imdecode(buffer, cv::IMREAD_COLOR), rgb;  // applies the orientation
    cv::cvtColor(ref, rgb, cv::COLOR_BGR2RGB);
    ASSERT_EQ(shown.width, rgb.cols) << "orientation " << o;
    ASSERT_EQ(shown.height, rgb.rows) << "orientation " << o;
    EXPECT_TRUE(std::equal(shown.rgb.begin(), shown.rgb.end(), rgb.data)) << "orientation " << o;
    EXPECT_EQ(shown.width, o <= 4 ? 40 : 24) << "orientation " << o;
  }
  // 6 (turned 90 degrees clockwise to be shown): the stored bottom-left corner is shown top-left.
  const Image six = decode_image(with_orientation(plain, 6), "six.jpg");
  EXPECT_TRUE(std::equal(six.pixel(0, 0), six.pixel(0, 0) + 3, stored.pixel(0, stored.height - 1)));
  // An unreadable Exif block leaves the pixels as stored.
  std::string garbled = with_orientation(plain, 6);
  garbled.replace(12, 4, "\x13\x37\x13\x37");  // the TIFF byte order mark
  const Image as_stored = decode_image(garbled, "garbled.jpg");
  EXPECT_EQ(as_stored.width, 40);
  EXPECT_EQ(as_stored.rgb, stored.rgb);
}

// A big-endian TIFF header and IFD0 with the one entry Orientation (0x0112, SHORT) = `o`: the
// Exif a PNG's eXIf or a WebP's EXIF chunk holds.
std::string orientation_tiff(int o) {
  std::string tiff("MM\0\x2A\0\0\0\x08", 8);
  tiff += std::string("\0\x01", 2);
  tiff += std::string("\x01\x12\0\x03\0\0\0\x01", 8);
  tiff += std::string{'\0', static_cast<char>(o), '\0', '\0'};
  return tiff + std::string(4, '\0');
}

std::string big_endian32(std::uint32_t v) {
  return {char(v >> 24), char(v >> 16 & 255), char(v >> 8 & 255), char(v & 255)};
}
std::string little_endian(std::uint32_t v, int bytes) {
  std::string s;
  for (int i = 0; i < bytes; ++i) s += char(v >> (8 * i) & 255);
  return s;
}

// CRC-32 as PNG chunks carry it (ISO 3309, over the type and the data).
std::uint32_t png_crc(const std::string& bytes) {
  std::uint32_t c = 0xFFFFFFFFu;
  for (const char ch : bytes) {
    c ^= std::uint8_t(ch);
    for (int k = 0; k < 8; ++k) c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  }
  return c ^ 0xFFFFFFFFu;
}

// `png` with an eXIf chunk declaring orientation `o` after its IHDR chunk (8 + 25 bytes in).
std::string png_with_orientation(const std::string& png, int o) {
  const std::string body = "eXIf" + orientation_tiff(o);
  const std::string chunk =
      big_endian32(std::uint32_t(body.size() - 4)) + body + big_endian32(png_crc(body));
  return png.substr(0, 33) + chunk + png.substr(33);
}

// `webp` (a simple one: RIFF, WEBP, one image chunk) in WebP's extended form with an EXIF chunk
// declaring orientation `o`: a VP8X chunk (its Exif flag set, the canvas size) first.
std::string webp_with_orientation(const std::string& webp, int width, int height, int o) {
  const std::string image = webp.substr(12);
  const std::string vp8x = "VP8X" + little_endian(10, 4) + std::string{'\x08', 0, 0, 0} +
                           little_endian(std::uint32_t(width - 1), 3) +
                           little_endian(std::uint32_t(height - 1), 3);
  const std::string tiff = orientation_tiff(o);
  const std::string exif = "EXIF" + little_endian(std::uint32_t(tiff.size()), 4) + tiff +
                           (tiff.size() % 2 ? std::string(1, '\0') : "");
  const std::string body = "WEBP" + vp8x + image + exif;
  return "RIFF" + little_endian(std::uint32_t(body.size()), 4) + body;
}

// An uncompressed little-endian RGB TIFF of `rgb` with the Orientation tag `o` in its IFD, as a
// scanner or camera writes one.
std::string tiff_with_orientation(const Image& rgb, int o) {
  const auto w = std::uint32_t(rgb.width), h = std::uint32_t(rgb.height);
  struct Entry {
    std::uint16_t tag, type;
    std::uint32_t count, value;
  };
  const std::uint32_t bits_at = 8 + 2 + 11 * 12 + 4, data_at = bits_at + 6;
  const Entry entries[] = {{256, 4, 1, w},
                           {257, 4, 1, h},
                           {258, 3, 3, bits_at},
                           {259, 3, 1, 1},
                           {262, 3, 1, 2},
                           {273, 4, 1, data_at},
                           {274, 3, 1, std::uint32_t(o)},
                           {277, 3, 1, 3},
                           {278, 4, 1, h},
                           {279, 4, 1, w * h * 3},
                           {284, 3, 1, 1}};
  std::string t = std::string("II*\0", 4) + little_endian(8, 4) + little_endian(11, 2);
  for (const Entry& e : entries)
    t += little_endian(e.tag, 2) + little_endian(e.type, 2) + little_endian(e.count, 4) +
         little_endian(e.value, 4);  // a SHORT sits in the value's first two bytes
  t += little_endian(0, 4) + little_endian(8, 2) + little_endian(8, 2) + little_endian(8, 2);
  return t + std::string(rgb.rgb.begin(), rgb.rgb.end());
}

// Where the stored image's top-left pixel is shown, for each EXIF orientation (its definition:
// the stored first row and column become the shown ...), and the shown size.
void expect_oriented(const Image& shown, const Image& stored, int o) {
  const bool turned = o >= 5;
  ASSERT_EQ(shown.width, turned ? stored.height : stored.width) << "orientation " << o;
  ASSERT_EQ(shown.height, turned ? stored.width : stored.height) << "orientation " << o;
  const int w = stored.width - 1, h = stored.height - 1;
  const int from[9][2] = {{0, 0}, {0, 0}, {w, 0}, {w, h}, {0, h}, {0, 0}, {0, h}, {w, h}, {w, 0}};
  const uint8_t* want = stored.pixel(from[o][0], from[o][1]);
  EXPECT_TRUE(std::equal(want, want + 3, shown.pixel(0, 0))) << "orientation " << o;
  EXPECT_EQ(shown.rgb.size(), stored.rgb.size());
}

// Orientation in other containers: a PNG's eXIf chunk, a WebP's EXIF chunk (read by semblend),
// a TIFF's own tag (applied by OpenCV's TIFF reader: not twice) — each image decoded losslessly,
// shown as viewers show it. (Before 2026-12-03 PNG and WebP came as stored.)
TEST(ImageIo, PngWebpAndTiffOrientationIsApplied) {
  cv::Mat bgr(24, 40, CV_8UC3);
  for (int y = 0; y < bgr.rows; ++y)
    for (int x = 0; x < bgr.cols; ++x)
      bgr.at<cv::Vec3b>(y, x) = {static_cast<uchar>(x * 6), static_cast<uchar>(y * 10), 77};
  const std::string png = encode(bgr, ".png");
  const Image stored = decode_image(png, "plain.png");
  std::vector<uchar> lossless;
  ASSERT_TRUE(cv::imencode(".webp", bgr, lossless, {cv::IMWRITE_WEBP_QUALITY, 101}));
  const std::string webp(lossless.begin(), lossless.end());
  ASSERT_EQ(decode_image(webp, "plain.webp").rgb, stored.rgb) << "lossless";
  ASSERT_EQ(decode_image(tiff_with_orientation(stored, 1), "plain.tif").rgb, stored.rgb);
  for (int o = 1; o <= 8; ++o) {
    SCOPED_TRACE("orientation " + std::to_string(o));
    {
      SCOPED_TRACE("PNG");
      expect_oriented(decode_image(png_with_orientation(png, o), "o.png"), stored, o);
    }
    {
      SCOPED_TRACE("WebP");
      expect_oriented(decode_image(webp_with_orientation(webp, 40, 24, o), "o.webp"), stored, o);
    }
    {
      SCOPED_TRACE("TIFF");
      expect_oriented(decode_image(tiff_with_orientation(stored, o), "o.tif"), stored, o);
    }
  }
  // An eXIf chunk libexif cannot read leaves the pixels as stored.
  std::string garbled = png_with_orientation(png, 6);
  garbled.replace(33 + 8, 4, "\x13\x37\x13\x37");  // the TIFF byte order mark
  EXPECT_EQ(decode_image(garbled, "garbled.png").rgb, stored.rgb);
}

// A HEIC of `img` as a phone writes one (HEVC by libheif's x265 encoder), with `orientation`
// stored as HEIF's own rotation and mirroring (irot/imir), which viewers apply.
std::string encode_heic(const Image& img, heif_orientation orientation) {
  std::unique_ptr<heif_context, void (*)(heif_context*)> context(heif_context_alloc(),
                                                                 heif_context_free);
  heif_encoder* encoder = nullptr;
  if (heif_context_get_encoder_for_format(context.get(), heif_compression_HEVC, &encoder).code !=
      heif_error_Ok)
    return "";
  heif_encoder_set_lossy_quality(encoder, 95);
  heif_image* image = nullptr;
  heif_image_create(img.width, img.height, heif_colorspace_RGB, heif_chroma_interleaved_RGB,
                    &image);
  heif_image_add_plane(image, heif_channel_interleaved, img.width, img.height, 8);
  int stride = 0;
  uint8_t* plane = heif_image_get_plane(image, heif_channel_interleaved, &stride);
  for (int y = 0; y < img.height; ++y)
    std::copy_n(img.rgb.data() + static_cast<std::size_t>(y) * img.width * 3, img.width * 3,
                plane + static_cast<std::ptrdiff_t>(y) * stride);
  heif_encoding_options* options = heif_encoding_options_alloc();
  options->image_orientation = orientation;
  const heif_error encoded =
      heif_context_encode_image(context.get(), image, encoder, options, nullptr);
  heif_encoding_options_free(options);
  heif_image_release(image);
  heif_encoder_release(encoder);
  if (encoded.code != heif_error_Ok) return "";
  std::string out;
  heif_writer writer{1, [](heif_context*, const void* data, size_t size, void* user) {
                       static_cast<std::string*>(user)->append(static_cast<const char*>(data),
                                                               size);
                       return heif_error{heif_error_Ok, heif_suberror_Unspecified, "ok"};
                     }};
  heif_context_write(context.get(), &writer, &out);
  return out;
}

double mean_abs_diff(const Image& a, const cv::Mat& rgb) {
  double sum = 0;
  for (std::size_t k = 0; k < a.rgb.size(); ++k) sum += std::abs(int(a.rgb[k]) - int(rgb.data[k]));
  return sum / static_cast<double>(a.rgb.size());
}

// An iPhone's photos are HEIC: read through libheif, upright as the file says (its own rotation
// applied), the pixels the encoded ones within the codec's loss.
TEST(ImageIo, HeicPhotosAreReadUpright) {
  cv::Mat rgb(48, 80, CV_8UC3);
  for (int y = 0; y < rgb.rows; ++y)
    for (int x = 0; x < rgb.cols; ++x)
      rgb.at<cv::Vec3b>(y, x) = {static_cast<uchar>(x * 3), static_cast<uchar>(y * 5),
                                 static_cast<uchar>(200 - x - y)};
  Image source;
  source.width = rgb.cols;
  source.height = rgb.rows;
  source.rgb.assign(rgb.data, rgb.data + rgb.total() * 3);
  const std::string plain = encode_heic(source, heif_orientation_normal);
  ASSERT_FALSE(plain.empty()) << "libheif has no HEVC encoder";
  const Image decoded = decode_image(plain, "photo.heic");
  ASSERT_EQ(decoded.width, 80);
  ASSERT_EQ(decoded.height, 48);
  EXPECT_LT(mean_abs_diff(decoded, rgb), 3.0);
  // Stored as given, shown turned 90 degrees clockwise (as a portrait photo is).
  const Image turned = decode_image(encode_heic(source, heif_orientation_rotate_90_cw), "p.heic");
  ASSERT_EQ(turned.width, 48);
  ASSERT_EQ(turned.height, 80);
  cv::Mat clockwise, anticlockwise;
  cv::rotate(rgb, clockwise, cv::ROTATE_90_CLOCKWISE);
  cv::rotate(rgb, anticlockwise, cv::ROTATE_90_COUNTERCLOCKWISE);
  EXPECT_LT(mean_abs_diff(turned, clockwise), 3.0);
  EXPECT_GT(mean_abs_diff(turned, anticlockwise), 20.0);
  EXPECT_TRUE(is_image_path("IMG_0001.HEIC"));
  EXPECT_TRUE(is_image_path("a.avif"));
}

// OpenCV 4.6 reads no GIF: it was "not an image". Now a GIF's first picture is read by FFmpeg's GIF
// decoder, transparent pixels over white; an animated GIF gives its first frame; a GIF cut short
// before its first picture ends is refused (FFmpeg's decoder would give the missing rows blank).
TEST(ImageIo, GifFirstPictureIsReadTransparencyOverWhite) {
  const test::TempDir tmp;
  // Left half opaque red, right half transparent blue (BGRA).
  cv::Mat half(8, 16, CV_8UC4, cv::Scalar(200, 30, 30, 0));
  half(cv::Rect(0, 0, 8, 8)).setTo(cv::Scalar(30, 30, 200, 255));
  test::write_text(tmp.path("half.png"), encode(half, ".png"));
  ASSERT_TRUE(
      test::ffmpeg("-i " + test::q(tmp.path("half.png")) +
                   " -vf 'split[a][b];[a]palettegen=reserve_transparent=1[p];[b][p]paletteuse' " +
                   test::q(tmp.path("half.gif"))));
  const Image gif = read_image(tmp.path("half.gif"));
  ASSERT_EQ(gif.width, 16);
  ASSERT_EQ(gif.height, 8);
  for (int c = 0; c < 3; ++c) {
    EXPECT_NEAR(gif.pixel(2, 4)[c], c == 0 ? 200 : 30, 8) << c;
    EXPECT_EQ(gif.pixel(13, 4)[c], 255) << c;  // transparent: white, not the hidden blue
  }
  // Three frames, three colours (RGB, each one of the 3-3-2 palette ffmpeg writes by default): the
  // first one's.
  const int colours[3][3] = {{0, 180, 0}, {252, 252, 0}, {0, 0, 255}};
  for (int f = 0; f < 3; ++f)
    test::write_text(
        tmp.path("f" + std::to_string(f) + ".png"),
        encode(cv::Mat(12, 20, CV_8UC3, cv::Scalar(colours[f][2], colours[f][1], colours[f][0])),
               ".png"));
  ASSERT_TRUE(test::ffmpeg("-framerate 5 -i " + test::q(tmp.path("f%d.png")) + " " +
                           test::q(tmp.path("anim.gif"))));
  const Image first = read_image(tmp.path("anim.gif"));
  ASSERT_EQ(first.width, 20);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(first.pixel(10, 6)[c], colours[0][c], 4) << c;
  EXPECT_TRUE(is_image_path("Reaction.GIF"));

  const std::string bytes = test::read_text(tmp.path("anim.gif"));
  for (const std::size_t cut : {std::size_t{6}, std::size_t{40}, bytes.size() / 3}) {
    try {
      decode_image(bytes.substr(0, cut), "cut.gif");
      ADD_FAILURE() << "a GIF cut to " << cut << " of " << bytes.size() << " bytes decoded";
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), "cut.gif");
      EXPECT_NE(e.problem().find("truncated GIF"), std::string::npos) << e.what();
    }
  }
  // The logical screen's size is checked before decoding.
  try {
    decode_image(std::string("GIF89a\xff\xff\xff\xff\0\0\0", 13), "huge.gif");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("65535×65535 pixels"), std::string::npos) << e.what();
  }
}

TEST(ImageIoBadInput, HeicCutShortOrTooLargeIsRefused) {
  Image source;
  source.width = 64;
  source.height = 32;
  source.rgb.assign(64 * 32 * 3, 90);
  const std::string heic = encode_heic(source, heif_orientation_normal);
  ASSERT_FALSE(heic.empty());
  try {
    decode_image(heic.substr(0, heic.size() / 2), "cut.heic");
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "cut.heic");
    EXPECT_NE(e.problem().find("libheif"), std::string::npos) << e.what();
  }
  ImageLimits small;
  small.max_pixels = 1000;
  try {
    decode_image(heic, "big.heic", small);
    ADD_FAILURE() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("more than the 1000 pixel limit"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace semblend
