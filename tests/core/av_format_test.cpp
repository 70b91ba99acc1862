// What an MP4's boxes say of why it cannot be read, and FFmpeg's log held for the command line.
#include "core/av_format.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "semblend/media_log.h"
#include "test_util.h"

namespace semblend {
namespace {

// An ISO media box: a 32-bit big-endian length (header included, or `length` when given), its
// type and `body`.
std::string box(const std::string& type, const std::string& body, std::int64_t length = -1) {
  const auto n = static_cast<std::uint32_t>(length >= 0 ? length : std::int64_t(body.size()) + 8);
  std::string b;
  for (int shift = 24; shift >= 0; shift -= 8) b += char((n >> shift) & 255);
  return b + type + body;
}

TEST(IsoMediaDamage, SaysWhenTheIndexIsMissingOrTheBoxesCannotBe) {
  test::TempDir tmp;
  const std::string ftyp = box("ftyp", "isom\0\0\2\0isomiso2mp41");
  const std::string moov = box("moov", box("mvhd", std::string(100, '\0')));
  auto damage = [&](const std::string& bytes) {
    test::write_text(tmp.path("f.mp4"), bytes);
    return iso_media_damage(tmp.path("f.mp4"));
  };
  // Whole files, with the index first or last, and one mdat running to the end (length 0).
  EXPECT_EQ(damage(ftyp + moov + box("mdat", std::string(500, 'x'))), "");
  EXPECT_EQ(damage(ftyp + box("mdat", std::string(500, 'x')) + moov), "");
  EXPECT_EQ(damage(ftyp + moov + box("mdat", std::string(500, 'x'), 0)), "");
  // The index first and the media cut short: readable as far as it goes, not for this to say.
  EXPECT_EQ(damage(ftyp + moov + box("mdat", std::string(500, 'x'), 5000)), "");
  // Cut inside the media before the index was written: the recorder's usual way to fail.
  const std::string cut = damage(ftyp + box("mdat", std::string(500, 'x'), 5000));
  EXPECT_NE(cut.find("ends inside its 'mdat' box"), std::string::npos) << cut;
  EXPECT_NE(cut.find("index (the moov box"), std::string::npos) << cut;
  // Whole boxes, but no index.
  const std::string none = damage(ftyp + box("mdat", std::string(500, 'x')));
  EXPECT_EQ(none.find("ends inside"), std::string::npos) << none;
  EXPECT_NE(none.find("index (the moov box"), std::string::npos) << none;
  // A 64-bit length (a large mdat) is followed; one shorter than its own header cannot be.
  std::string large = box("mdat", "", 1);
  for (int shift = 56; shift >= 0; shift -= 8)
    large += char((std::uint64_t(16 + 500) >> shift) & 255);
  EXPECT_EQ(damage(ftyp + large + std::string(500, 'x') + moov), "");
  EXPECT_NE(damage(ftyp + box("free", "", 4) + moov).find("damaged at byte"), std::string::npos);
  // Not ISO media (no ftyp first), empty, or missing: nothing to say.
  EXPECT_EQ(damage("RIFF....WAVEfmt "), "");
  EXPECT_EQ(damage(""), "");
  EXPECT_EQ(iso_media_damage(tmp.path("missing.mp4")), "");
}

TEST(FfmpegLog, ErrorsAreHeldWithoutTheirAddressAndWarningsDropped) {
  hold_ffmpeg_log();
  take_ffmpeg_log();  // whatever earlier tests left
  av_log(nullptr, AV_LOG_WARNING, "a warning\n");
  av_log(nullptr, AV_LOG_ERROR, "first error %d\n", 1);
  AVFormatContext* context = avformat_alloc_context();  // logs as "[NULL @ 0x...]"
  av_log(context, AV_LOG_ERROR, "second error\n");
  avformat_free_context(context);
  const FfmpegLog log = take_ffmpeg_log();
  ASSERT_EQ(log.errors, 2u);
  EXPECT_EQ(log.first[0], "first error 1");
  EXPECT_EQ(log.first[1].find(" @ 0x"), std::string::npos) << log.first[1];
  EXPECT_NE(log.first[1].find("] second error"), std::string::npos) << log.first[1];
  EXPECT_EQ(take_ffmpeg_log().errors, 0u) << "taken once";
}

}  // namespace
}  // namespace semblend
