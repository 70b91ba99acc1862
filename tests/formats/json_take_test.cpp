// semblend JSON, JSONL and ARKit dictionaries (src/formats/json_take.cpp).
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "semblend/demo.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

Take recording() {
  return read_take(test::shared_data(test::kLiveLinkRecording));
}

std::string expect_input_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.what();
  }
  ADD_FAILURE() << "expected InputError";
  return {};
}

TEST(JsonTake, RealRecordingRoundTripsThroughJson) {
  const Take take = recording();
  const std::string json = encode_take_json(take);
  const Take back = parse_take_json(json, "take.json");
  EXPECT_EQ(back, take);
  EXPECT_EQ(encode_livelink_csv(back),
            test::read_text(test::shared_data(test::kLiveLinkRecording)));
}

TEST(JsonTake, RealRecordingRoundTripsThroughJsonl) {
  const Take take = recording();
  const std::string jsonl = encode_jsonl(take);
  const Take back = parse_jsonl(jsonl, "take.jsonl");
  EXPECT_EQ(back, take);
  EXPECT_EQ(encode_livelink_csv(back),
            test::read_text(test::shared_data(test::kLiveLinkRecording)));
}

TEST(JsonTake, DemoTakeWithTextFieldsRoundTrips) {
  Take take = make_demo_take(30).take;
  take.frames[3].source = "img/3.png";
  take.frames[4].confidence = 0.25f;
  take.frames[5].head.translation = Translation{0.01f, -0.02f, 0.4f};
  take.metadata["subject"] = "demo \"quoted\"";
  EXPECT_EQ(parse_take_json(encode_take_json(take), "t.json"), take);
  EXPECT_EQ(parse_jsonl(encode_jsonl(take), "t.jsonl"), take);
}

// A take without frames is no take, in JSON as in CSV and JSONL (it used to read back as an
// empty take, which every command then handled as a zero-length take).
TEST(JsonTake, EmptyTakeIsRefusedAsCsvAndJsonlAre) {
  Take take;
  take.fps = 25;
  try {
    parse_take_json(encode_take_json(take), "empty.json");
    FAIL() << "an empty JSON take was read";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), "empty.json");
    EXPECT_NE(std::string(e.what()).find("no frames"), std::string::npos) << e.what();
  }
}

TEST(JsonTake, FormatDetectedByContent) {
  const Take take = make_demo_take(10).take;
  EXPECT_EQ(detect_format(encode_take_json(take), "x.txt"), TakeFormat::Json);
  EXPECT_EQ(detect_format(encode_jsonl(take), "x.txt"), TakeFormat::Jsonl);
  EXPECT_EQ(detect_format(encode_arkit_json(take), "x.txt"), TakeFormat::ArkitJson);
  EXPECT_THROW(detect_format("hello", "x.txt"), InputError);
}

TEST(Jsonl, WithoutHeaderLineReads) {
  const Take take = make_demo_take(30).take;
  std::string lines;
  for (const FaceFrame& f : take.frames) lines += encode_jsonl_frame(f);
  const Take back = parse_jsonl(lines, "frames.jsonl", 24);
  ASSERT_EQ(back.frames.size(), take.frames.size());
  EXPECT_EQ(back.frames, take.frames);
  EXPECT_EQ(back.fps, 30.0);  // estimated from the times, not the fallback
  EXPECT_FALSE(back.timecode);
}

TEST(Jsonl, SingleFrameWithoutHeaderUsesFallbackFps) {
  const Take take = make_demo_take(30).take;
  const Take back = parse_jsonl(encode_jsonl_frame(take.frames[0]), "one.jsonl", 24);
  ASSERT_EQ(back.frames.size(), 1u);
  EXPECT_EQ(back.fps, 24.0);
}

TEST(Jsonl, BlankLinesAreSkipped) {
  const Take take = make_demo_take(10).take;
  std::string text = encode_jsonl_header(take) + "\n";
  for (const FaceFrame& f : take.frames) {
    std::string line = encode_jsonl_frame(f);
    line.pop_back();
    text += line + "\r\n\n";  // CRLF line endings and a blank line after each frame
  }
  EXPECT_EQ(parse_jsonl(text, "blank.jsonl"), take);
}

TEST(Jsonl, HeaderVersion2IsRefusedNamingTheVersion) {
  const Take take = make_demo_take(10).take;
  std::string header = encode_jsonl_header(take);
  const auto p = header.find("\"version\":1");
  ASSERT_NE(p, std::string::npos) << header;
  header.replace(p, 11, "\"version\":2");
  const std::string text = header + encode_jsonl_frame(take.frames[0]);
  try {
    parse_jsonl(text, "v2.jsonl");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("version 2"), std::string::npos) << what;
    EXPECT_NE(what.find("v2.jsonl"), std::string::npos) << what;
    EXPECT_EQ(e.line(), 1u);
  }
}

TEST(Jsonl, HeaderAfterFramesIsRefused) {
  const Take take = make_demo_take(10).take;
  const std::string text = encode_jsonl_frame(take.frames[0]) + encode_jsonl_header(take);
  try {
    parse_jsonl(text, "late.jsonl");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.line(), 2u);
  }
}

TEST(JsonTake, Version2IsRefusedNamingTheVersion) {
  std::string json = encode_take_json(make_demo_take(10).take);
  const auto p = json.find("\"version\": 1");
  ASSERT_NE(p, std::string::npos);
  json.replace(p, 12, "\"version\": 2");
  const std::string what = expect_input_error([&] { parse_take_json(json, "v2.json"); });
  EXPECT_NE(what.find("version 2"), std::string::npos) << what;
}

TEST(JsonTake, JsonlFileIsNotAJsonTake) {
  const Take take = make_demo_take(10).take;
  EXPECT_THROW(parse_take_json(encode_take_json(take).replace(0, 1, "["), "x.json"), InputError);
  const std::string what = expect_input_error([&] {
    parse_take_json("{\"format\": \"other\", \"version\": 1, \"frames\": []}", "other.json");
  });
  EXPECT_NE(what.find("semblend.take"), std::string::npos) << what;
}

TEST(JsonTake, UnknownTopLevelKeyIsRefused) {
  std::string json = encode_take_json(make_demo_take(10).take);
  json.replace(1, 0, "\n  \"extra\": 1,");
  const std::string what = expect_input_error([&] { parse_take_json(json, "x.json"); });
  EXPECT_NE(what.find("extra"), std::string::npos) << what;
}

TEST(ArkitJson, SingleObjectReadsOneFrame) {
  const Take take = parse_arkit_json(R"({"eyeBlinkLeft": 0.5, "jawOpen": 0.25})", "one.json", 30);
  ASSERT_EQ(take.frames.size(), 1u);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::EyeBlinkLeft], 0.5f);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::JawOpen], 0.25f);
  EXPECT_EQ(take.frames[0].time, 0.0);
}

TEST(ArkitJson, ArrayReadsASequenceAtTheGivenRate) {
  const Take take = parse_arkit_json(
      R"([{"eyeBlink_L": 0.1}, {"EyeBlinkLeft": 0.2}, {"eyeBlinkLeft": 0.3, "HeadYaw": 0.5}])",
      "seq.json", 10);
  ASSERT_EQ(take.frames.size(), 3u);
  EXPECT_EQ(take.fps, 10.0);
  EXPECT_EQ(take.frames[0].coefficients[Blendshape::EyeBlinkLeft], 0.1f);
  EXPECT_EQ(take.frames[1].coefficients[Blendshape::EyeBlinkLeft], 0.2f);
  EXPECT_EQ(take.frames[2].coefficients[Blendshape::EyeBlinkLeft], 0.3f);
  EXPECT_EQ(take.frames[2].head.yaw, 0.5f);
  EXPECT_NEAR(take.frames[2].time, 0.2, 1e-12);
}

TEST(ArkitJson, UnknownKeyIsRejected) {
  try {
    parse_arkit_json(R"([{"eyeBlinkLeft": 0.5}, {"smile": 1}])", "keys.json");
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("smile"), std::string::npos) << what;
    EXPECT_NE(what.find("[1]"), std::string::npos) << what;  // which element
    EXPECT_EQ(e.file(), "keys.json");
  }
}

TEST(ArkitJson, PartialDictionaryReadsMissingShapesAsZero) {
  const Take take = parse_arkit_json(R"({"mouthSmileLeft": 0.75})", "partial.json");
  ASSERT_EQ(take.frames.size(), 1u);
  for (const auto& row : kBlendshapes)
    EXPECT_EQ(take.frames[0].coefficients[row.shape],
              row.shape == Blendshape::MouthSmileLeft ? 0.75f : 0.0f)
        << row.apple_name;
}

TEST(ArkitJson, EncodeThenParseKeepsCoefficients) {
  const Take take = make_demo_take(30).take;
  const Take back = parse_arkit_json(encode_arkit_json(take), "demo.json", 30);
  ASSERT_EQ(back.frames.size(), take.frames.size());
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    EXPECT_EQ(back.frames[i].coefficients, take.frames[i].coefficients) << "frame " << i;
    EXPECT_NEAR(back.frames[i].time, take.frames[i].time, 1e-9);
  }
}

TEST(ArkitJson, SingleFrameEncodesAsOneObject) {
  Take take;
  FaceFrame f;
  f.coefficients.set(Blendshape::TongueOut, 0.125f);
  take.frames.push_back(f);
  const std::string json = encode_arkit_json(take);
  EXPECT_EQ(json.front(), '{');
  const Take back = parse_arkit_json(json, "one.json");
  ASSERT_EQ(back.frames.size(), 1u);
  EXPECT_EQ(back.frames[0].coefficients, f.coefficients);
}

TEST(ArkitJson, EmptyArrayAndNonObjectsAreRefused) {
  EXPECT_THROW(parse_arkit_json("[]", "empty.json"), InputError);
  EXPECT_THROW(parse_arkit_json("42", "num.json"), InputError);
  EXPECT_THROW(parse_arkit_json(R"([{"jawOpen": "wide"}])", "str.json"), InputError);
}

TEST(TakeIo, WriteTakeThenReadTakeDetectsEachFormat) {
  test::TempDir tmp;
  const Take take = make_demo_take(30).take;
  for (const char* name : {"t.json", "t.jsonl"}) {
    const std::string path = tmp.path(name);
    write_take(take, path, *format_for_extension(path));
    EXPECT_EQ(read_take(path), take) << name;
  }
  const std::string csv = tmp.path("t.csv");
  write_take(take, csv, TakeFormat::LiveLinkCsv);
  EXPECT_EQ(read_take(csv).frames.size(), take.frames.size());
}

TEST(TakeIo, FormatNamesAndExtensions) {
  for (auto f : {TakeFormat::LiveLinkCsv, TakeFormat::Json, TakeFormat::Jsonl,
                 TakeFormat::ArkitJson, TakeFormat::SemanticFace})
    EXPECT_EQ(format_from_name(format_name(f)), f);
  EXPECT_FALSE(format_from_name("xml"));
  EXPECT_EQ(format_for_extension("a/b.CSV"), TakeFormat::LiveLinkCsv);
  EXPECT_EQ(format_for_extension("b.jsonl"), TakeFormat::Jsonl);
  EXPECT_EQ(format_for_extension("b.json"), TakeFormat::Json);
  EXPECT_FALSE(format_for_extension("b.txt"));
  EXPECT_THROW(encode_take(Take{}, TakeFormat::SemanticFace), std::invalid_argument);
}

TEST(TakeIo, EncodersRefuseATakeBreakingTheValuePolicy) {
  Take take = make_demo_take(10).take;
  take.frames[2].time = take.frames[1].time;
  EXPECT_THROW(encode_livelink_csv(take), std::invalid_argument);
  EXPECT_THROW(encode_take_json(take), std::invalid_argument);
  EXPECT_THROW(encode_jsonl(take), std::invalid_argument);
  EXPECT_THROW(encode_arkit_json(take), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
