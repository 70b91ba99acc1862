// Live Link Face CSV, as the iPhone app writes it (docs/formats.md, "Live Link Face CSV").
#include <array>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "core/text_util.h"
#include "formats/text.h"
#include "semblend/error.h"
#include "semblend/formats.h"

namespace semblend {
namespace {

using B = Blendshape;

// The app's column order for the 52 shapes: Apple's order, except that it writes JawRight before
// JawLeft and MouthRight before MouthLeft (seen in a real recording, ../shared/data/arkit/).
// Reading maps columns by name, so any order is accepted; writing uses this one.
constexpr std::array<Blendshape, kBlendshapeCount> kLiveLinkOrder{
    B::EyeBlinkLeft,
    B::EyeLookDownLeft,
    B::EyeLookInLeft,
    B::EyeLookOutLeft,
    B::EyeLookUpLeft,
    B::EyeSquintLeft,
    B::EyeWideLeft,
    B::EyeBlinkRight,
    B::EyeLookDownRight,
    B::EyeLookInRight,
    B::EyeLookOutRight,
    B::EyeLookUpRight,
    B::EyeSquintRight,
    B::EyeWideRight,
    B::JawForward,
    B::JawRight,
    B::JawLeft,
    B::JawOpen,
    B::MouthClose,
    B::MouthFunnel,
    B::MouthPucker,
    B::MouthRight,
    B::MouthLeft,
    B::MouthSmileLeft,
    B::MouthSmileRight,
    B::MouthFrownLeft,
    B::MouthFrownRight,
    B::MouthDimpleLeft,
    B::MouthDimpleRight,
    B::MouthStretchLeft,
    B::MouthStretchRight,
    B::MouthRollLower,
    B::MouthRollUpper,
    B::MouthShrugLower,
    B::MouthShrugUpper,
    B::MouthPressLeft,
    B::MouthPressRight,
    B::MouthLowerDownLeft,
    B::MouthLowerDownRight,
    B::MouthUpperUpLeft,
    B::MouthUpperUpRight,
    B::BrowDownLeft,
    B::BrowDownRight,
    B::BrowInnerUp,
    B::BrowOuterUpLeft,
    B::BrowOuterUpRight,
    B::CheekPuff,
    B::CheekSquintLeft,
    B::CheekSquintRight,
    B::NoseSneerLeft,
    B::NoseSneerRight,
    B::TongueOut,
};
constexpr bool is_permutation_of_all_shapes() {
  std::array<bool, kBlendshapeCount> seen{};
  for (auto s : kLiveLinkOrder) {
    if (seen[index_of(s)]) return false;
    seen[index_of(s)] = true;
  }
  return true;
}
static_assert(is_permutation_of_all_shapes(), "kLiveLinkOrder must list each shape once");

constexpr std::size_t kValueCount = kBlendshapeCount + kPoseChannelCount;  // 61
constexpr std::size_t kFieldCount = 2 + kValueCount;                       // 63
constexpr int kDecimals = 10;                                              // what the app writes

// What one CSV column after Timecode/BlendShapeCount holds.
struct Column {
  bool is_pose = false;
  std::size_t index = 0;  // blendshape index or pose channel index
  std::string_view name;
};

struct Field {
  std::string_view text;
  std::size_t column;  // 1-based character column in its line
};

std::vector<Field> split_fields(std::string_view line) {
  std::vector<Field> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    const std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    fields.push_back({line.substr(start, end - start), start + 1});
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return fields;
}

// Splits text into lines (without '\n' or a trailing '\r'), remembering whether the last line
// ended with a newline (a row cut mid-way is reported as truncated).
struct Lines {
  std::vector<std::string_view> lines;
  bool last_terminated = true;
};
Lines split_lines(std::string_view text) {
  Lines out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t nl = text.find('\n', start);
    std::string_view line =
        text.substr(start, nl == std::string_view::npos ? text.npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    out.lines.push_back(line);
    if (nl == std::string_view::npos) {
      out.last_terminated = false;
      break;
    }
    start = nl + 1;
  }
  return out;
}

}  // namespace

std::string format_timecode(double seconds_of_day, int rate) {
  if (rate <= 0) throw std::invalid_argument("timecode rate must be positive");
  const long long milli_frames = std::llround(seconds_of_day * rate * 1000.0);
  const long long frames_total = milli_frames / 1000;
  const long long milli = milli_frames % 1000;
  const long long ff = frames_total % rate;
  const long long secs = frames_total / rate;
  char buf[48];
  std::snprintf(buf, sizeof buf, "%02lld:%02lld:%02lld:%02lld.%03lld", (secs / 3600) % 24,
                (secs / 60) % 60, secs % 60, ff, milli);
  return buf;
}

Take parse_livelink_csv(std::string_view text, const std::string& name, int timecode_rate) {
  formats::check_text(text, name);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const Lines lines = split_lines(text);

  // Header: Timecode, BlendShapeCount, then the 61 value columns by name, in any order.
  const std::vector<Field> header = split_fields(lines.lines.at(0));
  if (header.size() < 2 || !iequals(header[0].text, "Timecode") ||
      !iequals(header[1].text, "BlendShapeCount"))
    throw InputError(name, 1, 1,
                     "not a Live Link Face CSV: the header must start with "
                     "\"Timecode,BlendShapeCount\"");
  if (header.size() != kFieldCount)
    throw InputError(name, 1, 0,
                     "header has " + std::to_string(header.size()) + " columns, expected " +
                         std::to_string(kFieldCount) +
                         " (Timecode, BlendShapeCount, 52 shapes, 9 angles)");
  std::vector<Column> columns;
  std::array<bool, kValueCount> seen{};
  for (std::size_t i = 2; i < header.size(); ++i) {
    const auto& f = header[i];
    Column c;
    c.name = f.text;
    if (auto s = blendshape_from_name(f.text)) {
      c.index = index_of(*s);
    } else if (auto p = pose_channel_from_name(f.text)) {
      c.is_pose = true;
      c.index = static_cast<std::size_t>(*p);
    } else {
      throw InputError(name, 1, f.column,
                       "unknown column \"" + std::string(f.text) +
                           "\" (not an ARKit blendshape or a head/eye angle)" +
                           formats::did_you_mean(f.text));
    }
    const std::size_t slot = c.is_pose ? kBlendshapeCount + c.index : c.index;
    if (seen[slot])
      throw InputError(name, 1, f.column, "column \"" + std::string(f.text) + "\" appears twice");
    seen[slot] = true;
    columns.push_back(c);
  }

  struct RawTime {
    double whole_seconds, frames;
    std::size_t line;
  };
  std::vector<RawTime> times;
  Take take;
  double max_frame = 0;
  std::size_t last_nonempty = 0;
  for (std::size_t i = 1; i < lines.lines.size(); ++i)
    if (!lines.lines[i].empty()) last_nonempty = i;

  for (std::size_t i = 1; i < lines.lines.size(); ++i) {
    const std::size_t line_no = i + 1;
    const std::string_view line = lines.lines[i];
    if (line.empty()) {
      if (i > last_nonempty) continue;  // blank lines at the end are harmless
      throw InputError(name, line_no, 1, "empty row in the middle of the take");
    }
    const std::vector<Field> fields = split_fields(line);
    const bool cut_short = (i + 1 == lines.lines.size()) && !lines.last_terminated;
    if (fields.size() != kFieldCount)
      throw InputError(name, line_no, fields.back().column,
                       std::string(cut_short && fields.size() < kFieldCount
                                       ? "row is truncated (the file ends mid-row): "
                                       : "") +
                           "expected " + std::to_string(kFieldCount) + " fields, got " +
                           std::to_string(fields.size()));
    std::string why;
    RawTime t{0, 0, line_no};
    if (!formats::parse_timecode(fields[0].text, t.whole_seconds, t.frames, why))
      throw InputError(name, line_no, fields[0].column, why);
    max_frame = std::max(max_frame, t.frames);
    times.push_back(t);

    double count = 0;
    if (!formats::parse_double(fields[1].text, count, why) || count != kValueCount)
      throw InputError(name, line_no, fields[1].column,
                       "BlendShapeCount is \"" + std::string(fields[1].text) + "\", expected " +
                           std::to_string(kValueCount));

    FaceFrame frame;
    for (std::size_t k = 0; k < columns.size(); ++k) {
      const Field& f = fields[k + 2];
      const Column& c = columns[k];
      float v = 0;
      if (!formats::parse_float(f.text, v, why))
        throw InputError(name, line_no, f.column, std::string(c.name) + ": " + why);
      const std::string problem =
          c.is_pose ? formats::angle_problem(v) : formats::coefficient_problem(v);
      if (!problem.empty())
        throw InputError(name, line_no, f.column, std::string(c.name) + ": " + problem);
      if (c.is_pose)
        frame.set_pose(static_cast<PoseChannel>(c.index),
                       arkit_pose_value(PoseChannel(c.index), v));
      else
        frame.coefficients.set_at(c.index, v);
    }
    take.frames.push_back(std::move(frame));
  }
  if (take.frames.empty()) throw InputError(name, 1, 0, "the take has a header but no rows");

  // The timecode rate: the app writes 60 fps timecodes; a file whose frame field reaches the rate
  // needs another one (--timecode-rate).
  if (max_frame >= timecode_rate)
    throw InputError(name, 0, 0,
                     "timecode frame field reaches " + std::to_string(int(max_frame)) +
                         ", which does not fit a " + std::to_string(timecode_rate) +
                         " fps timecode (pass the right timecode rate)");
  double previous = -1, day_offset = 0;
  std::vector<double> absolute(times.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    double t = times[i].whole_seconds + times[i].frames / timecode_rate + day_offset;
    if (previous >= 0 && t < previous - 43200) {  // recording ran past midnight
      day_offset += 86400;
      t += 86400;
    }
    if (previous >= 0 && !(t > previous))
      throw InputError(name, times[i].line, 1,
                       "timecode does not advance (" + format_timecode(t, timecode_rate) +
                           " after " + format_timecode(previous, timecode_rate) + ")");
    absolute[i] = previous = t;
  }
  take.timecode = Timecode{absolute[0], timecode_rate};
  for (std::size_t i = 0; i < take.frames.size(); ++i)
    take.frames[i].time = absolute[i] - absolute[0];
  take.fps = estimate_fps(take.frames, 60);
  return take;
}

std::string encode_livelink_csv(const Take& take) {
  validate(take);
  std::string out;
  out.reserve(1024 + take.frames.size() * kFieldCount * 14);
  out += "Timecode,BlendShapeCount";
  for (auto s : kLiveLinkOrder) (out += ',') += info(s).livelink_name;
  for (auto n : kPoseChannelNames) (out += ',') += n;
  out += '\n';
  const Timecode tc = take.timecode.value_or(Timecode{});
  for (const FaceFrame& f : take.frames) {
    out += format_timecode(tc.start_seconds + f.time, tc.rate);
    out += ",61";
    for (auto s : kLiveLinkOrder) {
      out += ',';
      formats::append_fixed(out, f.coefficients[s], kDecimals);
    }
    for (std::size_t c = 0; c < kPoseChannelCount; ++c) {
      out += ',';
      const auto channel = static_cast<PoseChannel>(c);
      formats::append_fixed(out, arkit_pose_value(channel, f.pose(channel)), kDecimals);
    }
    out += '\n';
  }
  return out;
}

}  // namespace semblend
