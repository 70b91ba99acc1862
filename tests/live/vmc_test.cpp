// The VMC encoder and its UDP transport (include/semblend/vmc.h), and the commands that stream:
// `semblend play` and `semblend speech --stream --vmc`. What arrives is read by an OSC 1.0 parser
// written from the specification (live/osc_receiver.h), independent of liblo, which sends it.
#include "semblend/vmc.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <numbers>
#include <thread>

#include "live/osc_receiver.h"
#include "semblend/audio.h"
#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

FaceFrame sample_frame(double time) {
  FaceFrame f;
  f.time = time;
  for (std::size_t i = 0; i < kBlendshapeCount; ++i)
    f.coefficients.set(blendshape_at(i), static_cast<float>(i) / 64.0f + 0.01f);
  f.head.yaw = 0.3f;
  f.head.pitch = -0.1f;
  f.head.roll = 0.05f;
  f.left_eye.yaw = 0.1f;
  f.right_eye.pitch = -0.2f;
  return f;
}

float as_float(const OscArgument& a) {
  return std::get<float>(a);
}

// Rotates v by the unit quaternion q (x, y, z, w).
std::array<double, 3> rotate(const std::array<float, 4>& q, std::array<double, 3> v) {
  const double x = q[0], y = q[1], z = q[2], w = q[3];
  // v' = v + 2w (u × v) + 2 u × (u × v), u = (x, y, z)
  const std::array<double, 3> c{y * v[2] - z * v[1], z * v[0] - x * v[2], x * v[1] - y * v[0]};
  const std::array<double, 3> cc{y * c[2] - z * c[1], z * c[0] - x * c[2], x * c[1] - y * c[0]};
  return {v[0] + 2 * (w * c[0] + cc[0]), v[1] + 2 * (w * c[1] + cc[1]),
          v[2] + 2 * (w * c[2] + cc[2])};
}

TEST(Vmc, AFrameIsItsBlendshapesThenHeadAndEyeBonesThenOkAndTime) {
  const FaceFrame f = sample_frame(1.25);
  const std::vector<OscMessage> m = vmc_messages(f);
  ASSERT_EQ(m.size(), kBlendshapeCount + 6);
  for (std::size_t i = 0; i < kBlendshapeCount; ++i) {
    EXPECT_EQ(m[i].address, "/VMC/Ext/Blend/Val");
    ASSERT_EQ(m[i].arguments.size(), 2u);
    EXPECT_EQ(std::get<std::string>(m[i].arguments[0]), kBlendshapes[i].apple_name);
    EXPECT_EQ(as_float(m[i].arguments[1]), f.coefficients[blendshape_at(i)]);
  }
  EXPECT_EQ(m[52].address, "/VMC/Ext/Blend/Apply");
  EXPECT_TRUE(m[52].arguments.empty());
  const char* bones[] = {"Head", "LeftEye", "RightEye"};
  for (int b = 0; b < 3; ++b) {
    const OscMessage& bone = m[53 + static_cast<std::size_t>(b)];
    EXPECT_EQ(bone.address, "/VMC/Ext/Bone/Pos");
    ASSERT_EQ(bone.arguments.size(), 8u);
    EXPECT_EQ(std::get<std::string>(bone.arguments[0]), bones[b]);
    for (int k = 1; k <= 3; ++k) EXPECT_EQ(as_float(bone.arguments[k]), 0.0f);
  }
  const auto head = vmc_rotation(f.head.yaw, f.head.pitch, f.head.roll);
  for (int k = 0; k < 4; ++k) EXPECT_EQ(as_float(m[53].arguments[k + 4]), head[k]);
  EXPECT_EQ(m[56].address, "/VMC/Ext/OK");
  EXPECT_EQ(std::get<std::int32_t>(m[56].arguments[0]), 1);
  EXPECT_EQ(m[57].address, "/VMC/Ext/T");
  EXPECT_FLOAT_EQ(as_float(m[57].arguments[0]), 1.25f);

  // Live Link Face's spelling, blendshapes only, and a frame without a face.
  const auto pascal = vmc_messages(f, true, {VmcNames::LiveLink, false});
  ASSERT_EQ(pascal.size(), kBlendshapeCount + 3);
  EXPECT_EQ(std::get<std::string>(pascal[0].arguments[0]), "EyeBlinkLeft");
  EXPECT_EQ(std::get<std::string>(pascal[51].arguments[0]), "TongueOut");
  EXPECT_EQ(pascal[53].address, "/VMC/Ext/OK");
  const auto lost = vmc_messages(f, false);
  ASSERT_EQ(lost.size(), 2u);
  EXPECT_EQ(lost[0].address, "/VMC/Ext/OK");
  EXPECT_EQ(std::get<std::int32_t>(lost[0].arguments[0]), 0);
}

TEST(Vmc, RotationsAreInUnityAxesAsTheAvatarSeesThem) {
  // Unity: +X the avatar's right, +Y up, +Z its forward. Our poses: yaw > 0 toward the subject's
  // left, pitch > 0 chin up, roll > 0 the eye line clockwise as the camera (in front) sees it.
  const double s = std::sin(0.5), c = std::cos(0.5);
  auto fwd = rotate(vmc_rotation(0.5f, 0, 0), {0, 0, 1});
  EXPECT_NEAR(fwd[0], -s, 1e-6);  // toward the avatar's left (−X)
  EXPECT_NEAR(fwd[2], c, 1e-6);
  fwd = rotate(vmc_rotation(0, 0.5f, 0), {0, 0, 1});
  EXPECT_NEAR(fwd[1], s, 1e-6);  // chin up: forward tilts up
  // The avatar's right (+X) is on the camera's left; clockwise for the camera lifts it.
  const auto right = rotate(vmc_rotation(0, 0, 0.5f), {1, 0, 0});
  EXPECT_NEAR(right[1], s, 1e-6);
  // Unit quaternions, identity at rest, and a mirrored yaw mirrors the rotation.
  const auto rest = vmc_rotation(0, 0, 0);
  EXPECT_EQ(rest, (std::array<float, 4>{0, 0, 0, 1}));
  const auto q = vmc_rotation(0.3f, -0.2f, 0.1f), m = vmc_rotation(-0.3f, -0.2f, -0.1f);
  EXPECT_NEAR(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3], 1.0, 1e-6);
  EXPECT_NEAR(q[0], m[0], 1e-6);
  EXPECT_NEAR(q[1], -m[1], 1e-6);
  EXPECT_NEAR(q[2], -m[2], 1e-6);
  EXPECT_NEAR(q[3], m[3], 1e-6);
}

TEST(Vmc, EndpointsAreHostColonPort) {
  EXPECT_EQ(parse_osc_endpoint("192.168.1.20:39540"), (OscEndpoint{"192.168.1.20", 39540}));
  EXPECT_EQ(parse_osc_endpoint("localhost:9000"), (OscEndpoint{"localhost", 9000}));
  EXPECT_EQ(parse_osc_endpoint(":39541"), (OscEndpoint{"127.0.0.1", 39541}));
  EXPECT_EQ(parse_osc_endpoint("39542"), (OscEndpoint{"127.0.0.1", 39542}));
  for (const char* bad :
       {"", "host", "host:", "host:0", "host:65536", "host:12x", "a:b:1", "my host:1", "host:-1"}) {
    try {
      parse_osc_endpoint(bad);
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("HOST:PORT"), std::string::npos) << e.what();
    }
  }
}

TEST(VmcSender, AFrameArrivesAsOneOscBundleReadByAnIndependentParser) {
  test::OscReceiver rx;
  VmcSender tx = VmcSender::open(parse_osc_endpoint(rx.endpoint()));
  const FaceFrame f = sample_frame(0.5);
  tx.send(f);
  tx.send(sample_frame(0.5 + 1.0 / 60), false);
  const std::vector<test::OscBundle> got = rx.wait_for(2);
  EXPECT_TRUE(rx.errors().empty()) << rx.errors().front();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].timetag, 1u);                // OSC's "immediately"
  EXPECT_EQ(got[0].messages, vmc_messages(f));  // every address, name and value, bit for bit
  ASSERT_EQ(got[1].messages.size(), 2u);
  EXPECT_EQ(std::get<std::int32_t>(got[1].messages[0].arguments[0]), 0);
  EXPECT_EQ(tx.bundles_sent(), 2u);
}

TEST(VmcSender, NobodyListeningIsNotAnErrorButAnUnknownHostIs) {
  std::uint16_t closed = 0;
  {
    test::OscReceiver rx;  // a port that was free a moment ago and is closed now
    closed = static_cast<std::uint16_t>(rx.port());
  }
  VmcSender tx = VmcSender::open({"127.0.0.1", closed});
  for (int i = 0; i < 3; ++i) EXPECT_NO_THROW(tx.send(sample_frame(i)));
  try {
    VmcSender::open({"no-such-host.invalid", 39539});
    ADD_FAILURE() << "an unknown host was accepted";
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-host.invalid:39539"), std::string::npos)
        << e.what();
  }
}

// ---- the commands ----------------------------------------------------------------------------

TEST(CliPlay, StreamsATakeFrameByFrameAtItsTimes) {
  test::TempDir tmp;
  Take take;
  take.fps = 30;
  for (int i = 0; i < 6; ++i) {
    FaceFrame f = sample_frame(2.0 + i / 30.0);  // a take that does not start at 0
    f.coefficients.set(Blendshape::JawOpen, 0.1f * static_cast<float>(i));
    take.frames.push_back(f);
  }
  take.frames[3].confidence = 0;  // no face in this frame
  write_take(take, tmp.path("t.jsonl"), TakeFormat::Jsonl);
  test::OscReceiver rx;
  const auto t0 = std::chrono::steady_clock::now();
  test::RunResult r = test::run_cli(
      "play " + test::q(tmp.path("t.jsonl")) + " --vmc " + rx.endpoint() + " --repeat 2 --speed 2",
      tmp);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("sent 12 frames"), std::string::npos) << r.err;
  const std::vector<test::OscBundle> got = rx.wait_for(12);
  ASSERT_EQ(got.size(), 12u);
  for (std::size_t k = 0; k < got.size(); ++k) {
    const std::size_t i = k % 6;
    const std::vector<OscMessage>& m = got[k].messages;
    // Times restart at 0 and run on across the repeat (one frame period between passes).
    const double t = static_cast<double>(i) / 30.0 + (k >= 6 ? 6.0 / 30.0 : 0.0);
    EXPECT_NEAR(as_float(m.back().arguments[0]), t, 1e-5) << k;
    if (i == 3) {
      ASSERT_EQ(m.size(), 2u);
      EXPECT_EQ(std::get<std::int32_t>(m[0].arguments[0]), 0);
      continue;
    }
    ASSERT_EQ(m.size(), kBlendshapeCount + 6) << k;
    EXPECT_NEAR(as_float(m[index_of(Blendshape::JawOpen)].arguments[1]), 0.1 * i, 1e-6);
  }
  // Paced, not dumped: the last frame is sent 11 frame periods in, at twice the speed.
  EXPECT_GE(wall, 11.0 / 30.0 / 2.0);

  // --no-pose and Live Link's spelling.
  test::OscReceiver rx2;
  r = test::run_cli("play " + test::q(tmp.path("t.jsonl")) + " --vmc " + rx2.endpoint() +
                        " --no-pose --vmc-names pascal --speed 10",
                    tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<test::OscBundle> plain = rx2.wait_for(6);
  ASSERT_EQ(plain.size(), 6u);
  ASSERT_EQ(plain[0].messages.size(), kBlendshapeCount + 3);
  EXPECT_EQ(std::get<std::string>(plain[0].messages[0].arguments[0]), "EyeBlinkLeft");
}

TEST(CliPlay, BadDestinationsAndTakesAreClearErrors) {
  test::TempDir tmp;
  test::write_text(tmp.path("empty.jsonl"), "");
  test::write_text(tmp.path("bad.csv"), "Timecode,BlendShapeCount\n1,2,3\n");
  Take take;
  take.frames.push_back(sample_frame(0));
  write_take(take, tmp.path("t.jsonl"), TakeFormat::Jsonl);
  struct Case {
    std::string args;
    int code;
    std::string says;
  };
  for (const Case& c : std::vector<Case>{
           {"play " + test::q(tmp.path("t.jsonl")) + " --vmc localhost", 6, "HOST:PORT"},
           {"play " + test::q(tmp.path("t.jsonl")) + " --vmc 127.0.0.1:0", 6, "1-65535"},
           {"play " + test::q(tmp.path("t.jsonl")) + " --vmc no-such-host.invalid:9000", 5,
            "no-such-host.invalid"},
           {"play " + test::q(tmp.path("missing.jsonl")), 3, "missing.jsonl"},
           {"play " + test::q(tmp.path("bad.csv")), 4, "bad.csv"},
           {"play " + test::q(tmp.path("t.jsonl")) + " --vmc-names camel", 2, "camel"},
           {"play " + test::q(tmp.path("t.jsonl")) + " --speed 0", 2, "speed"},
       }) {
    const test::RunResult r = test::run_cli(c.args, tmp);
    EXPECT_EQ(r.exit_code, c.code) << c.args << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << c.args << "\n" << r.err;
  }
  const test::RunResult r = test::run_cli("play " + test::q(tmp.path("empty.jsonl")), tmp);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("empty.jsonl"), std::string::npos) << r.err;
}

TEST(CliSpeechStream, VmcSendsEveryFrameItWrites) {
  test::TempDir tmp;
  // One second: 0.3 s of silence, then a vowel-like buzz (pitch 120 Hz with formants).
  Audio audio;
  audio.sample_rate = 16000;
  for (int i = 0; i < 16000; ++i) {
    const double t = i / 16000.0;
    double x = 0;
    if (t > 0.3)
      for (int h = 1; h < 30; ++h)
        x += std::sin(2 * std::numbers::pi * 120 * h * t) / h *
             (std::abs(120.0 * h - 700) < 200 || std::abs(120.0 * h - 1200) < 200 ? 1.0 : 0.2);
    audio.samples.push_back(static_cast<float>(0.05 * x));
  }
  write_wav(audio, tmp.path("a.wav"));
  test::OscReceiver rx;
  const std::string cmd = "cat " + test::q(tmp.path("a.wav")) + " | " + test::q(SEMBLEND_CLI) +
                          " speech --stream --vmc " + rx.endpoint() + " -o " +
                          test::q(tmp.path("a.jsonl")) + " 2>" + test::q(tmp.path("err"));
  ASSERT_EQ(std::system(cmd.c_str()), 0) << test::read_text(tmp.path("err"));
  const Take take = read_take(tmp.path("a.jsonl"));
  ASSERT_EQ(take.frames.size(), 61u);
  const std::vector<test::OscBundle> got = rx.wait_for(take.frames.size());
  ASSERT_EQ(got.size(), take.frames.size());
  for (std::size_t k = 0; k < got.size(); ++k) {
    // Blendshapes only (a speech take has no head pose), the values the JSONL holds.
    ASSERT_EQ(got[k].messages.size(), kBlendshapeCount + 3);
    for (std::size_t i = 0; i < kBlendshapeCount; ++i)
      EXPECT_NEAR(as_float(got[k].messages[i].arguments[1]),
                  take.frames[k].coefficients[blendshape_at(i)], 1e-4)
          << k << " " << kBlendshapes[i].apple_name;
  }
  // Without --stream, --vmc is refused.
  const test::RunResult r =
      test::run_cli("speech " + test::q(tmp.path("a.wav")) + " --vmc " + rx.endpoint(), tmp);
  EXPECT_EQ(r.exit_code, 6);
  EXPECT_NE(r.err.find("--stream"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace semblend
