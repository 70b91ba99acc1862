// The scripted demo take (include/semblend/demo.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "semblend/demo.h"

namespace semblend {
namespace {

float peak_in(const DemoTake& demo, const DemoSegment& s, Blendshape shape) {
  float peak = 0;
  for (const FaceFrame& f : demo.take.frames)
    if (f.time >= s.start && f.time < s.end) peak = std::max(peak, f.coefficients[shape]);
  return peak;
}

const DemoSegment& segment(const DemoTake& demo, const std::string& label) {
  for (const DemoSegment& s : demo.script)
    if (s.label == label) return s;
  throw std::runtime_error("no segment " + label);
}

TEST(Demo, IsDeterministic) {
  EXPECT_EQ(make_demo_take().take, make_demo_take().take);
  EXPECT_EQ(describe_demo(make_demo_take()), describe_demo(make_demo_take()));
}

TEST(Demo, FrameCountTimesAndValidity) {
  const DemoTake demo = make_demo_take(60);
  EXPECT_EQ(demo.take.frames.size(), 390u);  // 6.5 s at 60 fps
  EXPECT_EQ(demo.take.fps, 60.0);
  EXPECT_EQ(demo.take.frames.front().time, 0.0);
  EXPECT_NEAR(demo.take.frames[60].time, 1.0, 1e-12);
  EXPECT_NEAR(demo.take.duration(), 6.5, 1e-9);
  EXPECT_NO_THROW(validate(demo.take));
  for (const FaceFrame& f : demo.take.frames) EXPECT_TRUE(f.coefficients.within(0, 1));
}

TEST(Demo, ScriptCoversTheTakeWithoutGaps) {
  const DemoTake demo = make_demo_take();
  ASSERT_FALSE(demo.script.empty());
  EXPECT_EQ(demo.script.front().start, 0.0);
  EXPECT_EQ(demo.script.back().end, 6.5);
  for (std::size_t i = 1; i < demo.script.size(); ++i)
    EXPECT_EQ(demo.script[i].start, demo.script[i - 1].end);
}

TEST(Demo, EverySegmentReachesItsPeaks) {
  for (double fps : {30.0, 60.0}) {
    const DemoTake demo = make_demo_take(fps);
    for (const DemoSegment& s : demo.script)
      for (const auto& [shape, target] : s.targets)
        EXPECT_GE(peak_in(demo, s, shape), 0.99f * target)
            << s.label << " " << info(shape).apple_name << " at " << fps << " fps";
  }
}

TEST(Demo, BlinkClosesBothEyesFully) {
  const DemoTake demo = make_demo_take();
  const DemoSegment& blink = segment(demo, "blink");
  EXPECT_GE(peak_in(demo, blink, Blendshape::EyeBlinkLeft), 0.99f);
  EXPECT_GE(peak_in(demo, blink, Blendshape::EyeBlinkRight), 0.99f);
}

TEST(Demo, NeutralSegmentsAreAtRest) {
  const DemoTake demo = make_demo_take();
  const DemoSegment& neutral = demo.script.front();
  for (const auto& row : kBlendshapes) EXPECT_EQ(peak_in(demo, neutral, row.shape), 0.0f);
}

TEST(Demo, LeftWinkClosesOnlyTheLeftEye) {
  const DemoTake demo = make_demo_take();
  const DemoSegment& wink = segment(demo, "left wink");
  EXPECT_GE(peak_in(demo, wink, Blendshape::EyeBlinkLeft), 0.99f);
  EXPECT_EQ(peak_in(demo, wink, Blendshape::EyeBlinkRight), 0.0f);
  EXPECT_GT(peak_in(demo, wink, Blendshape::MouthSmileLeft), 0.3f);
  EXPECT_EQ(peak_in(demo, wink, Blendshape::MouthSmileRight), 0.0f);
}

TEST(Demo, GlanceLeftTurnsBothEyesToTheSubjectsLeft) {
  const DemoTake demo = make_demo_take();
  const DemoSegment& glance = segment(demo, "glance left");
  EXPECT_GT(peak_in(demo, glance, Blendshape::EyeLookOutLeft), 0.6f);
  EXPECT_GT(peak_in(demo, glance, Blendshape::EyeLookInRight), 0.6f);
  EXPECT_EQ(peak_in(demo, glance, Blendshape::EyeLookInLeft), 0.0f);
  EXPECT_EQ(peak_in(demo, glance, Blendshape::EyeLookOutRight), 0.0f);
}

TEST(Demo, EachFrameNamesTheActionInProgress) {
  const DemoTake demo = make_demo_take();
  for (const FaceFrame& f : demo.take.frames) {
    ASSERT_FALSE(f.analysis.empty()) << "t = " << f.time;
    const bool named =
        std::any_of(demo.script.begin(), demo.script.end(), [&](const DemoSegment& s) {
          return f.time >= s.start && f.time < s.end && f.analysis.starts_with(s.label + ": ");
        });
    EXPECT_TRUE(named) << f.time << " " << f.analysis;
  }
}

TEST(Demo, DescriptionMentionsEachLabelAndPeak) {
  const DemoTake demo = make_demo_take();
  const std::string text = describe_demo(demo);
  for (const DemoSegment& s : demo.script) {
    EXPECT_NE(text.find(s.label + ": " + s.words), std::string::npos) << s.label;
  }
  std::size_t lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 2 * demo.script.size());  // the script line, then the semantic reading
  EXPECT_NE(text.find("a genuine (Duchenne) smile"), std::string::npos) << text;
  EXPECT_NE(text.find("Left eye closed (a wink)"), std::string::npos) << text;
  EXPECT_NE(text.find("eyeBlinkLeft 1.00"), std::string::npos) << text;
  EXPECT_NE(text.find("mouthSmileLeft 0.80"), std::string::npos) << text;
}

TEST(Demo, InvalidFpsThrows) {
  EXPECT_THROW(make_demo_take(0), std::invalid_argument);
  EXPECT_THROW(make_demo_take(-5), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
