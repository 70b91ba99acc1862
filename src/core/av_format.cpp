#include "core/av_format.h"

#include <cstdarg>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "semblend/media_log.h"

namespace semblend {
namespace {

constexpr std::size_t kKept = 5;

std::mutex g_mutex;
FfmpegLog g_log;  // guarded by g_mutex

void hold(void* context, int level, const char* format, va_list args) {
  if (level > AV_LOG_ERROR) return;
  char line[1024];
  int print_prefix = 1;
  av_log_format_line2(context, level, format, args, line, sizeof line, &print_prefix);
  std::string text = line;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) return;
  // "[mov,mp4,m4a,3gp,3g2,mj2 @ 0x55d0c2a4e840] moov atom not found": the address says nothing.
  // (A parent context adds a second prefix.)
  for (auto at = text.find(" @ 0x"); at != std::string::npos; at = text.find(" @ 0x", at)) {
    const auto end = text.find(']', at);
    if (end == std::string::npos) break;
    text.erase(at, end - at);
  }
  std::lock_guard lock(g_mutex);
  ++g_log.errors;
  if (g_log.first.size() < kKept) g_log.first.push_back(std::move(text));
}

std::uint64_t big_endian(const unsigned char* p, int bytes) {
  std::uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = v << 8 | p[i];
  return v;
}

}  // namespace

void hold_ffmpeg_log() {
  const char* keep = std::getenv("SEMBLEND_FFMPEG_LOG");
  if (keep != nullptr && *keep != '\0' && std::string(keep) != "0") return;
  av_log_set_callback(hold);
}

FfmpegLog take_ffmpeg_log() {
  std::lock_guard lock(g_mutex);
  FfmpegLog out = std::move(g_log);
  g_log = {};
  return out;
}

std::string iso_media_damage(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  const auto size = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  bool ftyp = false, moov = false;
  std::uint64_t at = 0;
  std::string cut_box;  // the box the file ends inside, if any
  for (int box = 0; at + 8 <= size; ++box) {
    unsigned char head[16];
    in.seekg(static_cast<std::streamoff>(at));
    if (!in.read(reinterpret_cast<char*>(head), 8)) return "";
    const std::string type(reinterpret_cast<const char*>(head) + 4, 4);
    if (box == 0 && type != "ftyp") return "";  // not an MP4/MOV/M4A/3GP (as this reads them)
    ftyp = true;
    std::uint64_t length = big_endian(head, 4);
    if (length == 1) {  // a 64-bit length follows the type
      if (at + 16 > size || !in.read(reinterpret_cast<char*>(head) + 8, 8)) break;
      length = big_endian(head + 8, 8);
      if (length < 16) return "its box structure is damaged at byte " + std::to_string(at);
    } else if (length == 0) {  // to the end of the file
      length = size - at;
    } else if (length < 8) {
      return "its box structure is damaged at byte " + std::to_string(at);
    }
    moov = moov || type == "moov";
    if (length > size - at) {
      cut_box = type;
      break;
    }
    at += length;
  }
  if (!ftyp || moov) return "";
  const std::string no_index =
      "its index (the moov box, which a recorder writes when it stops) is missing: the recording "
      "was interrupted or never finished, and no player can read the file without it";
  if (!cut_box.empty())
    return "the file ends inside its '" + cut_box + "' box (" + std::to_string(size) +
           " bytes) and " + no_index;
  return no_index;
}

}  // namespace semblend
