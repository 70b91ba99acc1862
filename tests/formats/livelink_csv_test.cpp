// Live Link Face CSV against a real iPhone recording (../shared/data/arkit).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "semblend/demo.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

std::string recording_text() {
  return test::read_text(test::shared_data(test::kLiveLinkRecording));
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto p = s.find(sep, start);
    out.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

std::string join(const std::vector<std::string>& parts, char sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

TEST(LiveLinkCsv, RealRecordingRoundTripsByteForByte) {
  const std::string text = recording_text();
  ASSERT_FALSE(text.empty());
  const Take take = parse_livelink_csv(text, test::kLiveLinkRecording);
  EXPECT_EQ(encode_livelink_csv(take), text);
}

TEST(LiveLinkCsv, RealRecordingShape) {
  const Take take = read_take(test::shared_data(test::kLiveLinkRecording));
  EXPECT_EQ(take.frames.size(), 4030u);
  EXPECT_EQ(take.fps, 30.0);  // estimated from the timecodes (two 60 fps timecode frames apart)
  ASSERT_TRUE(take.timecode);
  EXPECT_EQ(take.timecode->rate, 60);
  EXPECT_EQ(format_timecode(take.timecode->start_seconds, take.timecode->rate), "13:13:04:31.652");
  EXPECT_EQ(take.frames.front().time, 0.0);
  EXPECT_NEAR(take.frames[1].time, 1.999 / 60, 1e-9);  // 31.652 -> 33.651
  EXPECT_NO_THROW(validate(take));
}

// Pearson correlation of two equally long series.
double correlation(const std::vector<double>& x, const std::vector<double>& y) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < x.size(); ++i) mx += x[i] / double(x.size());
  for (std::size_t i = 0; i < y.size(); ++i) my += y[i] / double(y.size());
  double sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) * (x[i] - mx);
    syy += (y[i] - my) * (y[i] - my);
  }
  return sxy / std::sqrt(sxx * syy);
}

TEST(LiveLinkCsv, TheIphonesEyeAnglesReadInOurSignsAndFollowTheEyeLookShapes) {
  // The app writes gaze toward the subject's left and up as negative angles; read, they are
  // positive as EyePose's (take.h), and they are the eyeLook shapes' angles (eye_pose_from_look)
  // up to a scale and a small offset: r ≥ 0.99 on the 4030 frames (measured 0.999, 0.999, 0.996).
  const Take take = read_take(test::shared_data(test::kLiveLinkRecording));
  std::vector<double> read_left, look_left, read_right, look_right, read_pitch, look_pitch;
  for (const FaceFrame& f : take.frames) {
    read_left.push_back(f.left_eye.yaw);
    look_left.push_back(eye_pose_from_look(f.coefficients, Side::Left).yaw);
    read_right.push_back(f.right_eye.yaw);
    look_right.push_back(eye_pose_from_look(f.coefficients, Side::Right).yaw);
    read_pitch.push_back(f.left_eye.pitch);
    look_pitch.push_back(eye_pose_from_look(f.coefficients, Side::Left).pitch);
  }
  EXPECT_GT(correlation(read_left, look_left), 0.99);
  EXPECT_GT(correlation(read_right, look_right), 0.99);
  EXPECT_GT(correlation(read_pitch, look_pitch), 0.99);
  // And written back as the app wrote them (the byte-for-byte round trip above).
  EXPECT_EQ(arkit_pose_value(PoseChannel::LeftEyeYaw, 0.25f), -0.25f);
  EXPECT_EQ(arkit_pose_value(PoseChannel::HeadYaw, 0.25f), 0.25f);
}

TEST(LiveLinkCsv, RealRecordingEndTimecode) {
  const Take take = read_take(test::shared_data(test::kLiveLinkRecording));
  ASSERT_TRUE(take.timecode);
  EXPECT_EQ(format_timecode(take.timecode->start_seconds + take.frames.back().time, 60),
            "13:15:18:54.561");
}

TEST(LiveLinkCsv, OvershootAboveOneIsPreserved) {
  const std::string text = recording_text();
  const Take take = parse_livelink_csv(text, test::kLiveLinkRecording);
  // Line 545 of the file (frame 543) has EyeLookInRight = 1.0033375025.
  ASSERT_GT(take.frames.size(), 543u);
  EXPECT_EQ(take.frames[543].coefficients[Blendshape::EyeLookInRight], 1.0033375025f);
  EXPECT_GT(take.frames[543].coefficients[Blendshape::EyeLookInRight], 1.0f);
  const std::string out = encode_livelink_csv(take);
  EXPECT_NE(out.find(",1.0033375025,"), std::string::npos);
}

TEST(LiveLinkCsv, NothingRoundingToZeroIsWrittenWithASign) {
  Take take;
  take.fps = 60;
  FaceFrame f;
  f.set_pose(PoseChannel::HeadYaw, -1e-12f);  // what a subtraction leaves
  f.set_pose(PoseChannel::HeadRoll, -0.0f);
  f.set_pose(PoseChannel::HeadPitch, -0.25f);
  take.frames.push_back(f);
  const std::string out = encode_livelink_csv(take);
  EXPECT_EQ(out.find("-0.0000000000"), std::string::npos) << out;
  EXPECT_NE(out.find(",-0.2500000000"), std::string::npos) << out;
}

TEST(LiveLinkCsv, JawAndMouthColumnsAreMappedByName) {
  // The app writes JawRight before JawLeft and MouthRight before MouthLeft; first data row:
  // JawForward 0.0360092670, JawRight 0.0185036063, JawLeft 0, ..., MouthRight 0, MouthLeft
  // 0.0444001928
  const Take take = parse_livelink_csv(recording_text(), test::kLiveLinkRecording);
  const Coefficients& c = take.frames.at(0).coefficients;
  EXPECT_EQ(c[Blendshape::JawForward], 0.0360092670f);
  EXPECT_EQ(c[Blendshape::JawRight], 0.0185036063f);
  EXPECT_EQ(c[Blendshape::JawLeft], 0.0f);
  EXPECT_EQ(c[Blendshape::MouthRight], 0.0f);
  EXPECT_EQ(c[Blendshape::MouthLeft], 0.0444001928f);
  EXPECT_EQ(c[Blendshape::EyeBlinkLeft], 0.1236470118f);
}

TEST(LiveLinkCsv, EncoderWritesTheAppColumnOrder) {
  const std::string first_line = recording_text().substr(0, recording_text().find('\n') + 1);
  const Take take = make_demo_take().take;
  const std::string out = encode_livelink_csv(take);
  EXPECT_EQ(out.substr(0, out.find('\n') + 1), first_line);
}

TEST(LiveLinkCsv, PermutedColumnsReadTheSameValues) {
  const std::string text = recording_text();
  std::vector<std::string> lines = split(text, '\n');
  lines.resize(41);  // header + 40 rows
  std::string permuted;
  for (const std::string& line : lines) {
    std::vector<std::string> f = split(line, ',');
    ASSERT_EQ(f.size(), 63u);
    std::reverse(f.begin() + 2, f.end());  // 61 value columns in reverse order
    permuted += join(f, ',') + "\n";
  }
  std::string original;
  for (const std::string& line : lines) original += line + "\n";
  const Take a = parse_livelink_csv(original, "original.csv");
  const Take b = parse_livelink_csv(permuted, "permuted.csv");
  ASSERT_EQ(b.frames.size(), 40u);
  EXPECT_EQ(a, b);
  EXPECT_EQ(b.frames[0].coefficients[Blendshape::JawRight], 0.0185036063f);
  EXPECT_NE(permuted, original);
  EXPECT_EQ(encode_livelink_csv(b), original);  // written back in the app's order
}

TEST(LiveLinkCsv, HeaderNamesInOtherSpellingsAreAccepted) {
  std::string text = encode_livelink_csv(make_demo_take(10).take);
  const std::string reference = text;
  auto rename = [&](const std::string& from, const std::string& to) {
    const auto p = text.find("," + from + ",");
    ASSERT_NE(p, std::string::npos) << from;
    text.replace(p + 1, from.size(), to);
  };
  rename("EyeBlinkLeft", "eyeBlinkLeft");
  rename("MouthSmileRight", "mouthSmile_R");
  rename("HeadYaw", "headYaw");
  EXPECT_EQ(parse_livelink_csv(text, "x.csv"), parse_livelink_csv(reference, "ref.csv"));
}

TEST(LiveLinkCsv, CrlfLineEndingsAndBomRead) {
  const std::string lf = encode_livelink_csv(make_demo_take(10).take);
  std::string crlf = "\xEF\xBB\xBF";
  for (char ch : lf) {
    if (ch == '\n') crlf += '\r';
    crlf += ch;
  }
  EXPECT_EQ(parse_livelink_csv(crlf, "crlf.csv"), parse_livelink_csv(lf, "lf.csv"));
}

TEST(LiveLinkCsv, DemoTakeRoundTripsThroughCsv) {
  const Take demo = make_demo_take(60).take;
  const std::string csv = encode_livelink_csv(demo);
  const Take back = parse_livelink_csv(csv, "demo.csv");
  ASSERT_EQ(back.frames.size(), demo.frames.size());
  EXPECT_EQ(back.fps, 60.0);
  for (std::size_t i = 0; i < demo.frames.size(); ++i) {
    EXPECT_NEAR(back.frames[i].time, demo.frames[i].time, 1e-6);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      EXPECT_NEAR(back.frames[i].coefficients.at(k), demo.frames[i].coefficients.at(k), 1e-7);
  }
  EXPECT_EQ(encode_livelink_csv(back), csv);
}

TEST(LiveLinkCsv, FormatTimecodeExamples) {
  EXPECT_EQ(format_timecode(0, 60), "00:00:00:00.000");
  EXPECT_EQ(format_timecode(3600 + 2 * 60 + 3 + 4.5 / 60, 60), "01:02:03:04.500");
  EXPECT_EQ(format_timecode(13 * 3600 + 13 * 60 + 4 + 31.652 / 60, 60), "13:13:04:31.652");
  EXPECT_EQ(format_timecode(1.5, 30), "00:00:01:15.000");
  EXPECT_EQ(format_timecode(59.0 / 60, 60), "00:00:00:59.000");
  EXPECT_EQ(format_timecode(1.0 - 0.0001 / 60, 60), "00:00:01:00.000");  // rounds up, carries
  EXPECT_EQ(format_timecode(86400 + 1, 60), "00:00:01:00.000");          // wraps at midnight
  EXPECT_THROW(format_timecode(1, 0), std::invalid_argument);
}

TEST(LiveLinkCsv, SemanticFaceCsvWithBlendshapeCountSpellingReads) {
  const Take take = read_take(test::shared_data("semanticface/example_result.csv"));
  ASSERT_EQ(take.frames.size(), 8u);
  EXPECT_EQ(take.frames[2].coefficients[Blendshape::EyeBlinkLeft], 0.7f);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::EyeWideLeft], 0.6f);
  EXPECT_EQ(take.frames[0].head.yaw, -0.1f);
  EXPECT_NEAR(take.frames[7].time, 7.0, 1e-9);  // one row per second of timecode
}

TEST(LiveLinkCsv, TimecodeRateTooLowForTheFileIsAnError) {
  const std::string csv = encode_livelink_csv(make_demo_take(60).take);  // FF reaches 59
  EXPECT_THROW(parse_livelink_csv(csv, "demo.csv", 30), InputError);
  EXPECT_NO_THROW(parse_livelink_csv(csv, "demo.csv", 60));
}

TEST(LiveLinkCsv, RecordingAcrossMidnightKeepsIncreasingTimes) {
  Take take;
  take.fps = 60;
  take.timecode = Timecode{86400 - 1.0 / 60, 60};
  for (int i = 0; i < 3; ++i) {
    FaceFrame f;
    f.time = i / 60.0;
    take.frames.push_back(f);
  }
  const std::string csv = encode_livelink_csv(take);
  EXPECT_NE(csv.find("\n23:59:59:59.000,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\n00:00:00:00.000,"), std::string::npos) << csv;
  const Take back = parse_livelink_csv(csv, "midnight.csv");
  ASSERT_EQ(back.frames.size(), 3u);
  EXPECT_NEAR(back.frames[2].time, 2.0 / 60, 1e-9);
}

TEST(LiveLinkCsv, DetectedByContent) {
  const std::string csv = encode_livelink_csv(make_demo_take(10).take);
  EXPECT_EQ(detect_format(csv, "take.txt"), TakeFormat::LiveLinkCsv);
}

}  // namespace
}  // namespace semblend
