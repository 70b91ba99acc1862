#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <numbers>
#include <stdexcept>
#include <string>
#include <vector>

#include "semblend/audio.h"
#include "semblend/error.h"
#include "test_util.h"

namespace semblend {
namespace {

// Writes interleaved float samples with libsndfile in `format` (e.g. SF_FORMAT_FLAC|PCM_16).
void write_sound(const std::string& path, int format, int rate, int channels,
                 const std::vector<float>& interleaved) {
  SF_INFO info{};
  info.samplerate = rate;
  info.channels = channels;
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  const sf_count_t frames = static_cast<sf_count_t>(interleaved.size()) / channels;
  EXPECT_EQ(sf_writef_float(f, interleaved.data(), frames), frames);
  EXPECT_EQ(sf_close(f), 0);
}

// `seconds` of a sine of `hz` and `amplitude` on the first channel, silence on the others.
std::vector<float> tone(double hz, double amplitude, double seconds, int rate, int channels) {
  const auto frames = static_cast<std::size_t>(std::lround(seconds * rate));
  std::vector<float> out(frames * static_cast<std::size_t>(channels), 0.0f);
  for (std::size_t i = 0; i < frames; ++i)
    out[i * static_cast<std::size_t>(channels)] =
        static_cast<float>(amplitude * std::sin(2 * std::numbers::pi * hz * double(i) / rate));
  return out;
}

// 1.5 s: 0.5 s of silence, 0.5 s of a 440 Hz sine of amplitude 0.8 on every channel, 0.5 s of
// silence; interleaved.
std::vector<float> burst(int rate, int channels) {
  std::vector<float> out;
  for (int i = 0; i < rate * 3 / 2; ++i) {
    const bool on = i >= rate / 2 && i < rate;
    const auto v =
        static_cast<float>(on ? 0.8 * std::sin(2 * std::numbers::pi * 440 * i / rate) : 0.0);
    for (int c = 0; c < channels; ++c) out.push_back(v);
  }
  return out;
}

// Seconds from the start to the first sample above 0.2 (the burst's onset).
double onset(const Audio& a) {
  for (std::size_t i = 0; i < a.samples.size(); ++i)
    if (std::abs(a.samples[i]) > 0.2f) return double(i) / a.sample_rate;
  return -1;
}

// RMS and frequency (upward zero crossings per second) away from the first and last 50 ms.
struct ToneStats {
  double rms = 0, hz = 0;
};
ToneStats measure(const Audio& a) {
  const std::size_t edge = static_cast<std::size_t>(a.sample_rate / 20);
  EXPECT_GT(a.samples.size(), 4 * edge);
  double sum = 0;
  int up = 0;
  for (std::size_t i = edge; i + edge < a.samples.size(); ++i) {
    sum += double(a.samples[i]) * a.samples[i];
    if (a.samples[i - 1] < 0 && a.samples[i] >= 0) ++up;
  }
  const double n = double(a.samples.size() - 2 * edge);
  return {std::sqrt(sum / n), up / (n / a.sample_rate)};
}

// A 440 Hz sine of amplitude 0.8 on the left channel of a 1 s stereo file, read at 16 kHz: the
// mono average halves it (RMS 0.8 / sqrt(2) / 2) and the pitch stays.
void expect_half_amplitude_440(const std::string& path) {
  const Audio a = read_audio(path);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_NEAR(a.duration(), 1.0, 0.001);
  const ToneStats s = measure(a);
  const double expected_rms = 0.8 / std::sqrt(2.0) / 2;
  EXPECT_NEAR(s.rms, expected_rms, 0.02 * expected_rms);
  EXPECT_NEAR(s.hz, 440, 2.0);
}

TEST(AudioIo, ReadsRealSpeechWavs) {
  const Audio jfk = read_audio(test::shared_data("speech/whisper_jfk.wav"));
  EXPECT_EQ(jfk.sample_rate, 16000);
  EXPECT_EQ(jfk.samples.size(), 176000u);
  EXPECT_DOUBLE_EQ(jfk.duration(), 11.0);
  float peak = 0;
  for (const float s : jfk.samples) peak = std::max(peak, std::abs(s));
  EXPECT_GT(peak, 0.1f);  // speech, not silence
  EXPECT_LE(peak, 1.0f);

  const Audio face = read_audio(test::shared_data("video/videoretalking_face_1_audio16k.wav"));
  EXPECT_EQ(face.sample_rate, 16000);
  EXPECT_EQ(face.samples.size(), 97710u);
  EXPECT_NEAR(face.duration(), 6.106875, 1e-9);
}

TEST(AudioIo, StereoFlacAt44100IsMixedAndResampled) {
  test::TempDir tmp;
  const std::string path = tmp.path("tone.flac");
  write_sound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 44100, 2, tone(440, 0.8, 1.0, 44100, 2));
  expect_half_amplitude_440(path);
}

TEST(AudioIo, StereoOggVorbisIsMixedAndResampled) {
  test::TempDir tmp;
  const std::string path = tmp.path("tone.ogg");
  write_sound(path, SF_FORMAT_OGG | SF_FORMAT_VORBIS, 48000, 2, tone(440, 0.8, 1.0, 48000, 2));
  expect_half_amplitude_440(path);
}

TEST(AudioIo, StereoMp3IsMixedAndResampled) {
  // Debian 12's libsndfile 1.2.0 reads and writes MP3 (mpg123 and LAME).
  test::TempDir tmp;
  const std::string path = tmp.path("tone.mp3");
  write_sound(path, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 44100, 2,
              tone(440, 0.8, 1.0, 44100, 2));
  expect_half_amplitude_440(path);
}

TEST(AudioIo, TelephoneRateIsUpsampled) {
  test::TempDir tmp;
  const std::string path = tmp.path("phone.wav");
  write_sound(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 8000, 1, tone(300, 0.5, 0.5, 8000, 1));
  const Audio a = read_audio(path);
  EXPECT_EQ(a.sample_rate, 16000);
  EXPECT_EQ(a.samples.size(), 8000u);
  const ToneStats s = measure(a);
  EXPECT_NEAR(s.rms, 0.5 / std::sqrt(2.0), 0.01);
  EXPECT_NEAR(s.hz, 300, 2.0);
  // At its own rate nothing is resampled.
  const Audio native = read_audio(path, 8000);
  EXPECT_EQ(native.sample_rate, 8000);
  EXPECT_EQ(native.samples.size(), 4000u);
}

// Files libsndfile does not read go to FFmpeg. ALAC in M4A is lossless, so it must read exactly
// as the WAV it was made from (the same mixing and resampling); AAC (an iPhone voice memo) is
// lossy but on time: its encoder's priming samples are dropped, so the burst starts where it did.
TEST(AudioIo, M4aIsReadByFfmpegOnTime) {
  test::TempDir tmp;
  const std::string wav = tmp.path("burst.wav");
  write_sound(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, burst(44100, 2));
  const std::string alac = tmp.path("burst_alac.m4a"), aac = tmp.path("burst_aac.m4a");
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(wav) + " -c:a alac " + test::q(alac)));
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(wav) + " -c:a aac -b:a 128k " + test::q(aac)));
  const Audio reference = read_audio(wav);
  const Audio lossless = read_audio(alac);
  ASSERT_EQ(lossless.samples.size(), reference.samples.size());
  float worst = 0;
  for (std::size_t i = 0; i < reference.samples.size(); ++i)
    worst = std::max(worst, std::abs(lossless.samples[i] - reference.samples[i]));
  EXPECT_LT(worst, 1e-6f);
  EXPECT_TRUE(lossless.warnings.empty());

  const Audio lossy = read_audio(aac);
  EXPECT_NEAR(lossy.duration(), 1.5, 0.001);  // the last frame's padding left out
  EXPECT_NEAR(onset(lossy), 0.5, 0.002);
  double sum = 0;
  for (std::size_t i = 9600; i < 14400; ++i) sum += double(lossy.samples[i]) * lossy.samples[i];
  EXPECT_NEAR(std::sqrt(sum / 4800), 0.8 / std::sqrt(2.0), 0.02);
  EXPECT_TRUE(lossy.warnings.empty());
}

// A video's sound track is read, in any container FFmpeg knows, on the video's clock: a sound
// track that starts 0.3 s after the pictures begins with 0.3 s of silence.
TEST(AudioIo, AVideosSoundTrackIsReadOnItsClock) {
  test::TempDir tmp;
  const std::string wav = tmp.path("burst.wav");
  write_sound(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 48000, 1, burst(48000, 1));
  const std::string pictures = "-f lavfi -i testsrc=size=64x48:rate=10:duration=2 ";
  struct Case {
    const char* name;
    const char* codecs;
    double delay;
  };
  for (const Case c : {Case{"clip.mp4", "-c:v libx264 -c:a aac", 0.0},
                       Case{"clip.mkv", "-c:v libx264 -c:a libopus", 0.0},
                       Case{"late.mp4", "-c:v libx264 -c:a aac", 0.3}}) {
    SCOPED_TRACE(c.name);
    const std::string video = tmp.path(c.name);
    const std::string offset = c.delay > 0 ? "-itsoffset " + std::to_string(c.delay) + " " : "";
    ASSERT_TRUE(test::ffmpeg(pictures + offset + "-i " + test::q(wav) + " -map 0:v -map 1:a " +
                             c.codecs + " " + test::q(video)));
    const Audio a = read_audio(video);
    EXPECT_NEAR(onset(a), 0.5 + c.delay, 0.003);
    EXPECT_NEAR(a.duration(), 1.5 + c.delay, 0.03);
    EXPECT_TRUE(a.warnings.empty()) << a.warnings.front();
  }
}

// Correlation of two sample sequences over their common length.
double correlation(const std::vector<float>& a, const std::vector<float>& b) {
  const std::size_t n = std::min(a.size(), b.size());
  double ab = 0, aa = 0, bb = 0;
  for (std::size_t i = 0; i < n; ++i) {
    ab += double(a[i]) * b[i];
    aa += double(a[i]) * a[i];
    bb += double(b[i]) * b[i];
  }
  return ab / std::sqrt(aa * bb);
}

// A recording with one channel wired in reverse: averaged as it is, the channels cancel and the
// speech is gone ("the audio is silent"). Its inverted channel is turned back, with a warning,
// after 2 s of silence too (the decision waits for sound), through libsndfile and FFmpeg alike;
// channels that are merely different sounds, or the same in phase, are mixed as they are.
TEST(AudioIo, AnInvertedChannelIsTurnedBackNotCancelled) {
  const Audio speech = read_audio(test::shared_data("speech/whisper_jfk.wav"));  // 16 kHz mono
  std::vector<float> x(std::size_t(2 * 16000), 0.0f);
  x.insert(x.end(), speech.samples.begin(), speech.samples.begin() + 4 * 16000);
  test::TempDir tmp;
  auto channels = [&](std::initializer_list<float> signs) {
    std::vector<float> out;
    for (float v : x)
      for (float s : signs) out.push_back(s * v);
    return out;
  };
  const std::string wav = tmp.path("inverted.wav"), m4a = tmp.path("inverted.m4a");
  write_sound(wav, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 2, channels({1, -1}));
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(wav) + " -c:a aac -b:a 128k " + test::q(m4a)));
  for (const std::string& path : {wav, m4a}) {
    SCOPED_TRACE(path);
    const Audio a = read_audio(path);
    ASSERT_EQ(a.warnings.size(), 1u);
    EXPECT_TRUE(test::contains(a.warnings[0], "channel 2 is in reverse polarity to channel 1"))
        << a.warnings[0];
    const ToneStats got = measure(a);
    Audio original;
    original.samples = x;
    EXPECT_NEAR(got.rms, measure(original).rms, 0.03 * measure(original).rms);
    if (path == wav) {
      EXPECT_GT(correlation(a.samples, x), 0.999);
    }
  }
  const std::string three = tmp.path("three.wav");  // the middle one of three inverted
  write_sound(three, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 3, channels({1, -1, 0.5f}));
  const Audio a3 = read_audio(three);
  ASSERT_EQ(a3.warnings.size(), 1u);
  EXPECT_TRUE(test::contains(a3.warnings[0], "channel 2 is in reverse")) << a3.warnings[0];
  EXPECT_GT(correlation(a3.samples, x), 0.999);

  const std::string same = tmp.path("same.wav"), other = tmp.path("other.wav");
  write_sound(same, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 2, channels({1, 1}));
  std::vector<float> two = channels({1, 0});  // speech left, a tone right
  for (std::size_t i = 1; i < two.size(); i += 2)
    two[i] = float(0.3 * std::sin(2 * std::numbers::pi * 220 * double(i / 2) / 16000));
  write_sound(other, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 16000, 2, two);
  for (const std::string& path : {same, other}) {
    const Audio a = read_audio(path);
    EXPECT_TRUE(a.warnings.empty()) << path << ": " << a.warnings.front();
  }
  std::vector<float> mixed;  // the plain average of speech and tone
  for (std::size_t i = 0; i < two.size(); i += 2) mixed.push_back((two[i] + two[i + 1]) / 2);
  EXPECT_GT(correlation(read_audio(other).samples, mixed), 0.9999);
}

// The real talking-head clip's own sound track reads as the 16 kHz WAV made from it.
TEST(AudioIo, ARealVideosSoundIsItsWav) {
  const Audio video = read_audio(test::shared_data("video/videoretalking_face_1.mp4"));
  const Audio wav = read_audio(test::shared_data("video/videoretalking_face_1_audio16k.wav"));
  EXPECT_NEAR(video.duration(), wav.duration(), 0.05);
  const std::size_t n = std::min(video.samples.size(), wav.samples.size());
  double vw = 0, vv = 0, ww = 0;
  for (std::size_t i = 0; i < n; ++i) {
    vw += double(video.samples[i]) * wav.samples[i];
    vv += double(video.samples[i]) * video.samples[i];
    ww += double(wav.samples[i]) * wav.samples[i];
  }
  EXPECT_GT(vw / std::sqrt(vv * ww), 0.98);
}

TEST(AudioIo, WriteWavReadBackWithin16BitStep) {
  Audio a;
  a.sample_rate = 22050;
  for (int i = 0; i < 3000; ++i) a.samples.push_back(std::sin(0.37f * float(i)) * 0.99f);
  a.samples.insert(a.samples.end(), {1.0f, -1.0f, 0.0f, 1.5f, -3.0f, 1e-6f});
  test::TempDir tmp;
  const std::string path = tmp.path("out.wav");
  write_wav(a, path);
  EXPECT_EQ(std::filesystem::file_size(path), 44 + 2 * a.samples.size());
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(tmp.dir()), {}), 1);  // no temp

  SF_INFO info{};
  SNDFILE* f = sf_open(path.c_str(), SFM_READ, &info);
  ASSERT_NE(f, nullptr);
  sf_close(f);
  EXPECT_EQ(info.format, SF_FORMAT_WAV | SF_FORMAT_PCM_16);
  EXPECT_EQ(info.channels, 1);

  const Audio back = read_audio(path, 22050);
  ASSERT_EQ(back.samples.size(), a.samples.size());
  for (std::size_t i = 0; i < a.samples.size(); ++i)
    EXPECT_NEAR(back.samples[i], std::clamp(a.samples[i], -1.0f, 1.0f), 1.0 / 32768) << i;
}

TEST(AudioIo, WriteWavIsAtomicAndRefusesBadValues) {
  test::TempDir tmp;
  const std::string path = tmp.path("keep.wav");
  Audio good;
  good.samples = {0.25f, -0.25f};
  write_wav(good, path);
  Audio bad = good;
  bad.samples.push_back(std::nanf(""));
  EXPECT_THROW(write_wav(bad, path), std::invalid_argument);
  bad = good;
  bad.sample_rate = 0;
  EXPECT_THROW(write_wav(bad, path), std::invalid_argument);
  EXPECT_EQ(read_audio(path).samples.size(), 2u);  // untouched
  EXPECT_THROW(write_wav(good, tmp.path("no/such/dir/x.wav")), IoError);
}

TEST(AudioResample, ConvertsLengthAndKeepsPitch) {
  Audio a;
  a.sample_rate = 48000;
  a.samples = tone(1000, 0.5, 0.25, 48000, 1);
  const Audio b = resample(a, 16000);
  EXPECT_EQ(b.sample_rate, 16000);
  EXPECT_EQ(b.samples.size(), 4000u);
  EXPECT_NEAR(measure(b).hz, 1000, 8.0);
  EXPECT_NEAR(measure(b).rms, 0.5 / std::sqrt(2.0), 0.01);
  const Audio same = resample(a, 48000);
  EXPECT_EQ(same.samples, a.samples);
  EXPECT_TRUE(resample(Audio{}, 44100).samples.empty());
  EXPECT_THROW(resample(a, 0), std::invalid_argument);
  EXPECT_THROW(resample(a, 48000 * 300), std::invalid_argument);  // beyond libsamplerate's 256×
  a.samples[7] = INFINITY;
  EXPECT_THROW(resample(a, 16000), std::invalid_argument);
}

TEST(AudioIoBadInput, MissingFileAndDirectoryAreIoErrors) {
  test::TempDir tmp;
  EXPECT_THROW(read_audio(tmp.path("missing.wav")), IoError);
  EXPECT_THROW(read_audio(tmp.path("")), IoError);
  EXPECT_THROW(read_audio(tmp.path("x.wav"), 0), std::invalid_argument);
}

TEST(AudioIoBadInput, TextEmptyAndCutHeaderAreInputErrors) {
  test::TempDir tmp;
  const std::string text = tmp.path("notes.wav");
  test::write_text(text, "these are my notes, not a recording\n");
  try {
    read_audio(text);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), text);
    EXPECT_NE(std::string(e.what()).find("libsndfile: \""), std::string::npos) << e.what();
  }
  const std::string empty = tmp.path("empty.wav");
  test::write_text(empty, "");
  EXPECT_THROW(read_audio(empty), InputError);
  const std::string cut = tmp.path("cut.wav");
  test::write_text(cut, test::read_text(test::shared_data("speech/whisper_jfk.wav")).substr(0, 20));
  EXPECT_THROW(read_audio(cut), InputError);
}

// A video without a sound track says so.
TEST(AudioIoBadInput, AVideoWithNoSoundSaysSo) {
  test::TempDir tmp;
  const std::string video = tmp.path("silent.mp4");
  ASSERT_TRUE(test::ffmpeg("-f lavfi -i testsrc=size=64x48:rate=10 -frames:v 5 -c:v libx264 " +
                           test::q(video)));
  try {
    read_audio(video);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), video);
    EXPECT_NE(e.problem().find("the video has no sound track"), std::string::npos) << e.what();
  }
}

// An M4A whose index (moov, written last) was never written is refused with FFmpeg's reason; one
// with its index first (`-movflags +faststart`, as phones and web encoders write) cut short is
// read as far as it goes, and says so.
TEST(AudioIoBadInput, M4aCutShortIsRefusedOrReadWithAWarning) {
  test::TempDir tmp;
  write_sound(tmp.path("burst.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, 44100, 2, burst(44100, 2));
  const std::string late = tmp.path("late.m4a"), early = tmp.path("early.m4a");
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(tmp.path("burst.wav")) + " -c:a aac " + test::q(late)));
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(tmp.path("burst.wav")) +
                           " -c:a aac -movflags +faststart " + test::q(early)));
  for (const std::string& path : {late, early}) {
    const std::string bytes = test::read_text(path);
    test::write_text(path, bytes.substr(0, bytes.size() / 2));
  }
  try {
    read_audio(late);
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), late);
    // FFmpeg says "Invalid data found when processing input"; the boxes say why.
    EXPECT_NE(e.problem().find("ends inside its 'mdat' box"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("index (the moov box"), std::string::npos) << e.what();
  }
  const Audio a = read_audio(early);
  EXPECT_GT(a.duration(), 0.5);
  EXPECT_LT(a.duration(), 1.1);
  // Said, not silent (the last packet, cut in half, may fail to decode too: a second warning).
  std::string said;
  for (const std::string& w : a.warnings) said += w + "\n";
  EXPECT_NE(said.find("cut short"), std::string::npos) << said;
  // And the limit is checked from the M4A's own stated length before decoding.
  ASSERT_TRUE(test::ffmpeg("-i " + test::q(tmp.path("burst.wav")) + " -c:a aac " + test::q(late)));
  try {
    read_audio(late, 16000, AudioLimits{1.0});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("1 s limit"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("audio is 1.5"), std::string::npos) << e.what();
  }
}

TEST(AudioIoBadInput, DataCutShortReadsWhatIsThere) {
  test::TempDir tmp;
  const std::string cut = tmp.path("cut.wav");
  const std::string jfk = test::read_text(test::shared_data("speech/whisper_jfk.wav"));
  test::write_text(cut, jfk.substr(0, jfk.size() / 2));
  const Audio a = read_audio(cut);
  EXPECT_NEAR(a.duration(), 5.5, 0.01);
  ASSERT_EQ(a.warnings.size(), 1u);  // said, not silent
  EXPECT_NE(a.warnings[0].find("cut short"), std::string::npos) << a.warnings[0];
  EXPECT_TRUE(read_audio(test::shared_data("speech/whisper_jfk.wav")).warnings.empty());
  // Only the header left: no audio, and the reason.
  test::write_text(cut, jfk.substr(0, jfk.find("data") + 8));
  const Audio none = read_audio(cut);
  EXPECT_TRUE(none.samples.empty());
  EXPECT_EQ(none.warnings.size(), 1u);
}

TEST(AudioIoBadInput, ZeroFramesIsSilenceNotAnError) {
  test::TempDir tmp;
  const std::string path = tmp.path("silence.wav");
  write_wav(Audio{}, path);
  EXPECT_EQ(std::filesystem::file_size(path), 44u);
  EXPECT_TRUE(read_audio(path).samples.empty());
  EXPECT_TRUE(read_audio(path, 44100).samples.empty());
  // (libsndfile writes nothing at all for a FLAC with no frames: a 0-byte file is an error.)
  const std::string stereo = tmp.path("silence_stereo.wav");
  write_sound(stereo, SF_FORMAT_WAV | SF_FORMAT_FLOAT, 44100, 2, {});
  EXPECT_TRUE(read_audio(stereo).samples.empty());
}

TEST(AudioIoBadInput, LongerThanTheLimitIsRefused) {
  test::TempDir tmp;
  const std::string path = tmp.path("one_second.wav");
  write_sound(path, SF_FORMAT_WAV | SF_FORMAT_PCM_16, 16000, 1, tone(440, 0.5, 1.0, 16000, 1));
  try {
    read_audio(path, 16000, AudioLimits{0.5});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), path);
    EXPECT_NE(e.problem().find("1 s long"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("0.5 s limit"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_audio(path, 16000, AudioLimits{1.0}).samples.size(), 16000u);  // at the limit
  EXPECT_THROW(read_audio(path, 16000, AudioLimits{-1}), std::invalid_argument);
}

TEST(AudioIoBadInput, LimitIsCheckedFromTheHeaderBeforeDecoding) {
  // A 0.1 s FLAC whose STREAMINFO claims an hour: refused by the header's claim, which decoding
  // could never reach.
  test::TempDir tmp;
  const std::string path = tmp.path("claims_an_hour.flac");
  write_sound(path, SF_FORMAT_FLAC | SF_FORMAT_PCM_16, 16000, 1, tone(440, 0.5, 0.1, 16000, 1));
  std::string bytes = test::read_text(path);
  ASSERT_EQ(bytes.substr(0, 4), "fLaC");
  // STREAMINFO's total sample count: the low 36 bits of the big-endian 64 bits at byte 18.
  std::uint64_t packed = 0;
  for (int i = 0; i < 8; ++i) packed = packed << 8 | std::uint8_t(bytes[18 + i]);
  ASSERT_EQ(packed & 0xFFFFFFFFFull, 1600u);
  packed = (packed & ~0xFFFFFFFFFull) | (3600ull * 16000);
  for (int i = 7; i >= 0; --i, packed >>= 8) bytes[18 + i] = char(packed & 0xFF);
  test::write_text(path, bytes);
  try {
    read_audio(path, 16000, AudioLimits{60});
    FAIL() << "no error";
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("3600 s long"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace semblend
