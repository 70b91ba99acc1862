// Per-shape statistics of a take (include/semblend/summary.h).
#include "semblend/summary.h"

#include <gtest/gtest.h>

#include <string>

namespace semblend {
namespace {

Take three_frames() {
  Take t;
  t.fps = 10;
  const float jaw[] = {0.2f, 0.4f, 0.9f};
  const float blink[] = {0.0f, 1.0f, 0.0f};
  for (int i = 0; i < 3; ++i) {
    FaceFrame f;
    f.time = i * 0.1;
    f.coefficients.set(Blendshape::JawOpen, jaw[i]);
    f.coefficients.set(Blendshape::EyeBlinkLeft, blink[i]);
    f.set_pose(PoseChannel::HeadYaw, -0.1f * static_cast<float>(i));
    t.frames.push_back(f);
  }
  return t;
}

TEST(Summary, CountsFramesDurationAndFps) {
  const TakeSummary s = summarize(three_frames());
  EXPECT_EQ(s.frames, 3u);
  EXPECT_NEAR(s.duration, 0.3, 1e-12);
  EXPECT_EQ(s.fps, 10.0);
}

TEST(Summary, MinMeanMaxPerShape) {
  const TakeSummary s = summarize(three_frames());
  const auto& jaw = s.shapes[index_of(Blendshape::JawOpen)];
  EXPECT_FLOAT_EQ(jaw.min, 0.2f);
  EXPECT_FLOAT_EQ(jaw.mean, 0.5f);
  EXPECT_FLOAT_EQ(jaw.max, 0.9f);
  const auto& yaw = s.pose[static_cast<std::size_t>(PoseChannel::HeadYaw)];
  EXPECT_FLOAT_EQ(yaw.min, -0.2f);
  EXPECT_FLOAT_EQ(yaw.max, 0.0f);
}

TEST(Summary, MostActiveRankedByMeanThenPeak) {
  const TakeSummary s = summarize(three_frames());
  ASSERT_EQ(s.most_active.size(), kBlendshapeCount);
  EXPECT_EQ(s.most_active[0], Blendshape::JawOpen);       // mean 0.5
  EXPECT_EQ(s.most_active[1], Blendshape::EyeBlinkLeft);  // mean 0.33
}

TEST(Summary, EmptyTakeGivesZeros) {
  const TakeSummary s = summarize(Take{});
  EXPECT_EQ(s.frames, 0u);
  EXPECT_EQ(s.duration, 0.0);
  EXPECT_EQ(s.shapes[0].max, 0.0f);
  EXPECT_NE(summary_text(s, "empty.csv").find("0 frames"), std::string::npos);
}

TEST(Summary, TextAndJsonNameTheTopShape) {
  const TakeSummary s = summarize(three_frames());
  const std::string text = summary_text(s, "x.csv", 2);
  EXPECT_NE(text.find("x.csv: 3 frames"), std::string::npos) << text;
  EXPECT_NE(text.find("jawOpen"), std::string::npos);
  const std::string json = summary_json(s, "x.csv");
  EXPECT_NE(json.find("\"most_active\""), std::string::npos);
  EXPECT_NE(json.find("\"frames\": 3"), std::string::npos) << json;
  EXPECT_LT(json.find("\"jawOpen\"", json.find("\"most_active\"")),
            json.find("\"eyeBlinkLeft\"", json.find("\"most_active\"")));
}

}  // namespace
}  // namespace semblend
