// semblend/take.h — the value types every stage exchanges: Coefficients, HeadPose, EyePose,
// FaceFrame and Take.
//
// Value policy (stated once, tested in tests/core/take_test.cpp):
//  * Coefficients are 52 floats, nominally in [0, 1], indexed by `Blendshape`.
//  * NaN and infinities are never stored: `Coefficients::set` throws std::invalid_argument on a
//    non-finite value, and every reader rejects them with the file, line and column.
//  * Range: producers (solver, speech, filters, demo) write values in [0, 1]. Readers accept values
//    within `kCoefficientReadTolerance` outside [0, 1] *unchanged*, because real capture apps
//    overshoot slightly (a real iPhone recording has EyeLookInRight = 1.0033) and recordings must
//    round-trip exactly; anything further out is an error. `clamped()` gives strict [0, 1]
//    for consumers that need it (`semblend convert --clamp`).
//  * Angles are radians (as Live Link Face writes them), finite, and |angle| <= pi.
//    Signs follow Live Link Face's recordings, so that its files round-trip unchanged; stages that
//    estimate pose themselves document their axes against these.
//  * Times are seconds from the start of the take (first frame usually at 0), strictly
//    increasing within a take.
//
// Thread safety: plain values; const access from several threads is safe.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/blendshape.h"
#include "semblend/semantic_types.h"

namespace semblend {

inline constexpr float kCoefficientReadTolerance = 0.05f;
inline constexpr double kPi = 3.14159265358979323846;

class Coefficients {
 public:
  Coefficients() { values_.fill(0.0f); }

  float operator[](Blendshape s) const { return values_[index_of(s)]; }
  float at(std::size_t i) const { return values_.at(i); }
  // Throws std::invalid_argument if `v` is not finite.
  void set(Blendshape s, float v);
  void set_at(std::size_t i, float v) { set(blendshape_at(i), v); }

  const std::array<float, kBlendshapeCount>& values() const { return values_; }

  // Every value clamped to [0, 1].
  Coefficients clamped() const;
  // The same expression seen in a horizontally flipped image: every shape swaps with its mirror.
  Coefficients mirrored() const;
  // True if every value lies in [lo, hi].
  bool within(float lo, float hi) const;

  friend bool operator==(const Coefficients&, const Coefficients&) = default;

 private:
  std::array<float, kBlendshapeCount> values_;
};

// The nine pose angles Live Link Face records after the 52 shapes, in its column order. One table
// for every format that carries pose channels by name.
enum class PoseChannel : std::uint8_t {
  HeadYaw,
  HeadPitch,
  HeadRoll,
  LeftEyeYaw,
  LeftEyePitch,
  LeftEyeRoll,
  RightEyeYaw,
  RightEyePitch,
  RightEyeRoll,
};
inline constexpr std::size_t kPoseChannelCount = 9;
inline constexpr std::array<std::string_view, kPoseChannelCount> kPoseChannelNames{
    "HeadYaw",     "HeadPitch",   "HeadRoll",      "LeftEyeYaw",  "LeftEyePitch",
    "LeftEyeRoll", "RightEyeYaw", "RightEyePitch", "RightEyeRoll"};
std::optional<PoseChannel> pose_channel_from_name(std::string_view name);  // case-insensitive
// A channel's value as ARKit (Live Link Face) writes it from ours, and ours from ARKit's (an
// involution): ARKit's eye yaw and pitch have the opposite signs to EyePose's (measured: see
// eye_pose_from_look), the head's angles pass as they are (the real recording has none to
// measure them by). Every format that names pose channels the Live Link way (LeftEyeYaw …)
// converts through it.
float arkit_pose_value(PoseChannel c, float v);

struct Translation {
  float x = 0, y = 0, z = 0;  // metres, camera coordinates (x right, y up, z toward the camera)
  friend bool operator==(const Translation&, const Translation&) = default;
};

struct HeadPose {
  float yaw = 0, pitch = 0, roll = 0;      // radians
  std::optional<Translation> translation;  // unknown for formats that do not carry it
  friend bool operator==(const HeadPose&, const HeadPose&) = default;
};

// The head's rotation as a quaternion (x, y, z, w; glTF's order) taking the face frame to the
// camera's axes: R = Ry(yaw) ·
// Rx(−pitch) · Rz(−roll), the inverse of how the landmarker reads a pose (docs/landmarks.md: yaw >
// 0 turns the face toward the subject's left, pitch > 0 lifts the chin, roll > 0 turns the eye line
// clockwise as the camera sees it).
std::array<double, 4> head_rotation_quaternion(const HeadPose& head);

struct EyePose {
  float yaw = 0, pitch = 0, roll = 0;  // radians; as the head: yaw > 0 toward the subject's left,
                                       // pitch > 0 up (relative to the head)
  friend bool operator==(const EyePose&, const EyePose&) = default;
};

// The eyes' angles as the eyeLook coefficients say them, at the rig's angles per unit
// (blendshape.h kEyeLookSidewaysDeg …): the eyes of a solved frame (face_pipeline.h
// solved_frame), so that the angles and the eyeLook shapes never disagree; eyeLook 0 looks
// straight ahead. ARKit does the same: on the real Live Link Face recording (../shared/data/arkit/,
// 4030 frames) the iPhone's LeftEyeYaw = −0.065 − 0.607 · (eyeLookOutLeft − eyeLookInLeft) rad
// (r = −0.999, RMS residual 0.004 rad), RightEyeYaw = 0.064 − 0.603 · (eyeLookInRight −
// eyeLookOutRight), LeftEyePitch = 0.021 − 0.556 · (eyeLookUpLeft − eyeLookDownLeft) (r = −0.996)
// — with the opposite signs to EyePose's (the Live Link CSV reader and writer negate the eye
// angles) and ~35° per unit where the rig, which the solver learnt from, turns 25°.
EyePose eye_pose_from_look(const Coefficients& c, Side eye);  // eye: Side::Left or Side::Right

struct FaceFrame {
  double time = 0;  // seconds from the start of the take
  Coefficients coefficients;
  HeadPose head;
  EyePose left_eye, right_eye;  // the subject's left and right eyes
  float confidence = 1;         // [0, 1]; 1 for recorded or authored data
  std::string analysis;  // free-text analysis (e.g. imported from SemanticFace); may be empty
  std::string source;    // where the frame came from (image path, ...); may be empty
  // The structured semantic description (semantic.h), when a stage attached one. Derived data:
  // JSON/JSONL writers emit it as "semantics"; readers skip it (recompute with describe()).
  std::optional<SemanticDescription> semantics;

  // Reads/writes a pose channel by its Live Link Face name.
  float pose(PoseChannel c) const;
  // Throws std::invalid_argument for a non-finite angle or |angle| > pi.
  void set_pose(PoseChannel c, float radians);

  friend bool operator==(const FaceFrame&, const FaceFrame&) = default;
};

// Timecode of the first frame, as Live Link Face writes it (time of day, HH:MM:SS:FF.fff at
// `rate` timecode frames per second). Kept so that a recording round-trips exactly.
struct Timecode {
  double start_seconds = 0;  // seconds since midnight of the first frame
  int rate = 60;             // timecode frames per second (FF field runs 0 .. rate-1)
  friend bool operator==(const Timecode&, const Timecode&) = default;
};

// The highest frame rate a take may have: readers refuse more, commands never write more.
inline constexpr double kMaxTakeFps = 1000;

struct Take {
  double fps = 60;  // nominal frame rate (0, kMaxTakeFps]; frames carry their own exact times
  std::optional<Timecode> timecode;
  std::map<std::string, std::string> metadata;  // free key/value pairs ("source", "subject", ...)
  std::vector<FaceFrame> frames;

  double duration() const;  // last time - first time (+ one frame period); 0 when empty
  friend bool operator==(const Take&, const Take&) = default;
};

// Throws std::invalid_argument naming the first frame that breaks the value policy above
// (non-finite or out-of-tolerance value, times not increasing, confidence outside [0, 1]).
void validate(const Take& take);

// Estimates a frame rate from frame times: 1 / median interval, snapped to a common rate
// (24, 25, 30, 48, 50, 60, 90, 120) when within 1%. Returns `fallback` with fewer than 2 frames.
double estimate_fps(const std::vector<FaceFrame>& frames, double fallback);

}  // namespace semblend
