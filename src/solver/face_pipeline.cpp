// Faces in images and videos to solved frames (semblend/face_pipeline.h).
#include "semblend/face_pipeline.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <stdexcept>
#include <string>

#include "semblend/error.h"
#include "semblend/face_identity.h"
#include "semblend/filter.h"
#include "semblend/semantic.h"

namespace semblend {
namespace {

// "6.13 s"
std::string seconds_text(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f s", s);
  return buf;
}

// One face's take as it grows: solved frames where the face is, held ones elsewhere.
struct FaceState {
  FaceTrack track;
  FrameSmoother smooth;
  std::optional<RestEstimator> rest;  // auto_calibrate: this face's running rest estimate
  std::optional<FaceFrame> held;      // the last estimate, for frames without the face
  bool seen_now = false;
  int far_eye_linked = 0;  // frames whose far eye was read from the near one (link_far_eye)
  int unreliable = 0;      // frames whose face is small or blurred (face_image_quality)
  int cut_off = 0;         // frames whose face the image's edge cuts off (face_image_quality)
  int eyes_hidden = 0;     // frames with an eye the image hides (cover_hidden_eyes)

  void add_solved(const Image& image, const FaceLandmarks& face, const SolverResult& result,
                  double time, bool smoothing) {
    far_eye_linked += result.far_eye_linked > 0;
    eyes_hidden += result.left_eye_hidden || result.right_eye_hidden;
    const FaceImageQuality q = face_image_quality(image, face);
    unreliable += q.small() || q.blurred();
    cut_off += q.cut_off();
    add_solved(solved_frame(face, result, time), smoothing);
  }
  void add_solved(FaceFrame frame, bool smoothing) {
    if (rest) frame.coefficients = rest->update(frame.coefficients);
    if (smoothing) smooth(frame);
    held = frame;
    if (track.frames_with_face++ == 0) track.first_time = frame.time;
    track.last_time = frame.time;
    track.take.frames.push_back(frame);
  }
  void add_missing(double time) {
    FaceFrame frame;
    if (held) frame = *held;
    frame.time = time;
    frame.confidence = 0;  // the mark: no face here, the values are held
    track.take.frames.push_back(frame);
  }
};

}  // namespace

OutputMap correction_map(const prefs::Correction* correction) {
  if (!correction) return {};
  return [correction](const Coefficients& c) { return correction->apply(c); };
}

namespace {
// solve_face's mean over the readings: `r` is the first reading's result and becomes the mean,
// with the spread, the readings' most frequent category (ties: the earliest) and their count.
void average_readings(SolverResult& r, const Solver& solver,
                      std::span<const std::array<Point3, kLandmarkCount>> more,
                      const NeutralProfile& profile, const OutputMap& after) {
  std::array<double, kBlendshapeCount> sum{}, squares{};
  std::array<int, kCategoryCount> votes{};
  std::vector<Category> categories;  // in reading order
  auto add = [&](const SolverResult& x) {
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      sum[k] += x.coefficients.at(k);
      squares[k] += double(x.coefficients.at(k)) * x.coefficients.at(k);
    }
    ++votes[static_cast<std::size_t>(x.category)];
    categories.push_back(x.category);
  };
  add(r);
  for (const auto& points : more) add(solve_calibrated(solver, points, profile, after));
  const double n = double(categories.size());
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const double mean = sum[k] / n;
    r.coefficients.set_at(k, float(mean));
    r.spread.set_at(k, float(std::sqrt(std::max(0.0, squares[k] / n - mean * mean))));
  }
  // The earliest reading whose category is the most frequent.
  auto count = [&](Category c) { return votes[static_cast<std::size_t>(c)]; };
  for (const Category c : categories)
    if (count(c) > count(r.category)) r.category = c;
  r.readings = int(n);
}

// The lids' 6 shapes (eyeBlink, eyeSquint, eyeWide; link_far_eye takes the far eye's from their
// mirror partners) and the eyes' 14, lids and gaze (cover_hidden_eyes): blendshape.h's regions.
bool is_lid_shape(Blendshape b) {
  return info(b).region == Region::Eyes;
}
bool is_eye_shape(Blendshape b) {
  return is_lid_shape(b) || info(b).region == Region::Gaze;
}
// The bands of the shapes `which` picks follow their (changed) coefficients.
void rebin(SolverResult& r, bool (*which)(Blendshape)) {
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (which(blendshape_at(k))) r.bins[k] = intensity_of(r.coefficients.at(k));
}
// The eye a head turned by `head_yaw` hides (> 0: toward the subject's left, so their left eye).
Side far_eye_of(float head_yaw) {
  return head_yaw > 0 ? Side::Left : Side::Right;
}
}  // namespace

SolverResult solve_face(const Solver& solver, const Image& image, const FaceLandmarks& face,
                        const FaceSolveSetup& setup,
                        std::span<const std::array<Point3, kLandmarkCount>> more_readings,
                        AppearanceEstimate* estimate) {
  // Without a profile: no landmark offset, and a rest of 0 leaves every reading as it is.
  static const NeutralProfile kNoProfile;
  const NeutralProfile& profile = setup.profile ? *setup.profile : kNoProfile;
  const OutputMap after = correction_map(setup.correction);
  SolverResult r = solve_calibrated(solver, face.points, profile, after);
  if (!more_readings.empty()) average_readings(r, solver, more_readings, profile, after);
  if (setup.correction || !more_readings.empty()) {
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      r.bins[index_of(blendshape_at(k))] = intensity_of(r.coefficients.at(k));
  }
  if (const Appearance* appearance = setup.appearance) {
    const AppearanceEstimate a = appearance->estimate(image, face.points);
    r.coefficients = appearance->fuse(r.coefficients, a);
    for (const Blendshape b : kAppearanceShapes)
      r.bins[index_of(b)] = intensity_of(r.coefficients[b]);
    if (estimate) *estimate = a;
  }
  if (setup.cover_hidden_eyes) {
    r.left_eye_hidden = eye_visibility(image, face, true).hidden();
    r.right_eye_hidden = eye_visibility(image, face, false).hidden();
    if (cover_hidden_eyes(r.coefficients, r.left_eye_hidden, r.right_eye_hidden))
      rebin(r, is_eye_shape);
  }
  if (setup.link_far_eye) {
    r.far_eye = far_eye_of(face.head.yaw);
    r.far_eye_linked = link_far_eye(r.coefficients, face.head.yaw);
    if (r.far_eye_linked > 0) rebin(r, is_lid_shape);
  }
  return r;
}

JitterOptions still_image_jitter(int readings) {
  if (readings < 1 || readings > kMaxStillImageReadings)
    throw std::invalid_argument("still image readings must be 1.." +
                                std::to_string(kMaxStillImageReadings) + ", got " +
                                std::to_string(readings));
  JitterOptions o;
  o.copies = readings - 1;
  o.shift = 0.03f;
  o.scale = 0.05f;
  o.rotate_deg = 15;
  o.seed = 1;
  o.context = 3;
  return o;
}

std::vector<std::array<Point3, kLandmarkCount>> still_image_readings(FaceLandmarker& landmarker,
                                                                     const Image& image,
                                                                     const FaceLandmarks& face,
                                                                     int readings) {
  const JitterOptions o = still_image_jitter(readings);
  if (o.copies == 0) return {};
  return detect_jittered(landmarker, image, face, o);
}

float link_far_eye(Coefficients& c, float head_yaw) {
  const float degrees = std::abs(head_yaw) * 180 / std::numbers::pi_v<float>;
  const float amount = std::clamp(
      (degrees - kFarEyeLinkFromDeg) / (kFarEyeLinkToDeg - kFarEyeLinkFromDeg), 0.0f, 1.0f);
  if (amount <= 0) return 0;
  const Side far = far_eye_of(head_yaw);
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const Blendshape b = blendshape_at(k);
    if (!is_lid_shape(b) || info(b).side != far) continue;
    const float near = c[mirror(b)];
    c.set(b, (1 - amount) * c[b] + amount * near);
  }
  return amount;
}

bool cover_hidden_eyes(Coefficients& c, bool left_hidden, bool right_hidden) {
  if (!left_hidden && !right_hidden) return false;
  const Coefficients seen = c;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const Blendshape b = blendshape_at(k);
    if (!is_eye_shape(b)) continue;
    const bool hidden = info(b).side == Side::Left ? left_hidden : right_hidden;
    if (!hidden) continue;
    // The other eye's partner; for the gaze the same direction: one eye's look toward the nose
    // is the other's away from it.
    Blendshape from = mirror(b);
    if (from == Blendshape::EyeLookInLeft)
      from = Blendshape::EyeLookOutLeft;
    else if (from == Blendshape::EyeLookOutLeft)
      from = Blendshape::EyeLookInLeft;
    else if (from == Blendshape::EyeLookInRight)
      from = Blendshape::EyeLookOutRight;
    else if (from == Blendshape::EyeLookOutRight)
      from = Blendshape::EyeLookInRight;
    c.set(b, left_hidden && right_hidden ? 0.0f : seen[from]);
  }
  return true;
}

FaceFrame solved_frame(const FaceLandmarks& face, const SolverResult& result, double time) {
  FaceFrame f;
  f.time = time;
  f.coefficients = result.coefficients;
  f.head = face.head;
  f.left_eye = eye_pose_from_look(result.coefficients, Side::Left);
  f.right_eye = eye_pose_from_look(result.coefficients, Side::Right);
  f.confidence = std::clamp(face.presence, 0.0f, 1.0f);
  return f;
}

LandmarkerOptions video_landmarker_options(const VideoSolveOptions& o) {
  LandmarkerOptions lo;
  // One face: up to 4 faces (or N + 1) are found and tracked, so that "face N, largest first"
  // means the same whatever the detector's confidence order (landmarker.h: max_faces keeps the
  // most confident).
  lo.max_faces = o.all_faces ? kMostFaces : std::max(o.face + 1, 4);
  if (o.all_faces) lo.redetect_interval = kRedetectFrames;
  return lo;
}

SolvedVideo solve_video(VideoReader& reader, FaceLandmarker& landmarker, const Solver& solver,
                        const VideoSolveOptions& o, const std::string& source,
                        const VideoFrameSink& sink) {
  if (o.face < 0)
    throw std::invalid_argument("face index " + std::to_string(o.face) + ": must be 0 or more");
  landmarker.reset();
  FaceIdentityTracker identities;
  std::vector<FaceState> states;  // by id; one face: just states[0]
  auto new_state = [&](int id) {
    FaceState s;
    s.track.id = id;
    s.track.take.fps = reader.fps();
    s.track.take.metadata["source"] = source;
    s.track.take.metadata["face"] = std::to_string(id);
    s.track.take.metadata["smoothing"] = o.smooth ? "one-euro" : "none";
    const NeutralProfile* profile = o.setup.profile;
    if (profile) s.track.take.metadata["calibration"] = "profile: " + profile->source;
    s.track.take.metadata["appearance"] = o.setup.appearance ? "fused" : "off";
    if (o.setup.correction) s.track.take.metadata["correction"] = o.correction_note;
    if (o.auto_calibrate) {
      s.rest.emplace();
      s.track.take.metadata["calibration"] =
          (profile ? s.track.take.metadata["calibration"] + " + " : std::string()) +
          "running rest estimate";
    }
    return s;
  };
  if (!o.all_faces) states.push_back(new_state(o.face));
  Image image;
  auto solve = [&](const FaceLandmarks& f) { return solve_face(solver, image, f, o.setup); };
  SolvedVideo out;
  std::vector<double> times;  // every frame's time so far
  const auto start = std::chrono::steady_clock::now();
  double time = 0, last_time = 0;
  while (!(o.stop != nullptr && o.stop->load()) && reader.next(image, time)) {
    // Containers may repeat a timestamp; the take's times must increase.
    if (out.frames > 0 && !(time > last_time)) time = last_time + 1.0 / reader.fps();
    last_time = time;
    const std::vector<FaceLandmarks> faces = landmarker.track(image);
    for (FaceState& s : states) s.seen_now = false;
    std::vector<FaceLandmarks> drawn;
    if (o.all_faces) {
      std::vector<FaceBox> boxes;
      for (const FaceLandmarks& f : faces) boxes.push_back(face_box(f));
      const std::vector<int> ids = identities.assign(boxes);
      for (std::size_t i = 0; i < faces.size(); ++i) {
        const auto id = std::size_t(ids[i]);
        while (states.size() <= id) {  // a new identity: neutral, confidence 0, until now
          states.push_back(new_state(int(states.size())));
          for (const double t : times) states.back().add_missing(t);
        }
        states[id].add_solved(image, faces[i], solve(faces[i]), time, o.smooth);
        states[id].seen_now = true;
      }
    } else if (faces.size() > std::size_t(o.face)) {
      const FaceLandmarks& face = faces[std::size_t(o.face)];
      states[0].add_solved(image, face, solve(face), time, o.smooth);
      states[0].seen_now = true;
      drawn.push_back(face);
    }
    for (FaceState& s : states)
      if (!s.seen_now) s.add_missing(time);
    ++out.frames;
    times.push_back(time);
    if (sink && !states.empty())
      sink(std::move(image), std::move(drawn), states[0].track.take.frames.back());
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (out.frames == 0) throw InputError(source, 0, 0, "the video has no decodable frames");
  // Containers' frame counts are estimates for some codecs: only a clear shortfall is reported.
  const bool stopped = o.stop != nullptr && o.stop->load();
  const int promised = reader.frame_count();
  const std::string decoded =
      std::to_string(out.frames) + " of the " + std::to_string(promised) + " frames it promises";
  if (const int refused = reader.refused_packets(); refused > 0)
    out.warnings.push_back("damaged: the decoder refused " + std::to_string(refused) + " packet" +
                           (refused == 1 ? "" : "s") + " and read on past " +
                           (refused == 1 ? "it" : "them") +
                           (promised > 0 ? " (" + decoded + " decoded)" : "") +
                           "; the frames after keep their own times");
  else if (!stopped && reader.frame_count_exact() && promised > 0 &&
           out.frames < promised - std::max(2, promised / 50))
    out.warnings.push_back("cut short or corrupt: " + decoded + " decoded");
  else if (const double end = last_time + 1 / reader.base_fps(), length = reader.duration();
           !stopped && !reader.frame_count_exact() && length > 0 &&
           end < length - std::max(0.5, length / 20))
    // No stored count (Matroska, MPEG-TS): the frames' times against the container's duration.
    out.warnings.push_back("cut short or corrupt: its frames end at " + seconds_text(end) +
                           " of the " + seconds_text(length) + " it lasts");
  const bool any = std::any_of(states.begin(), states.end(),
                               [](const FaceState& s) { return s.track.frames_with_face > 0; });
  if (!any)
    throw InputError(
        source, 0, 0,
        "no face found in any of its " + std::to_string(out.frames) + " frames" +
            (o.face > 0 && !o.all_faces ? " (face " + std::to_string(o.face) + ")" : ""));
  for (FaceState& s : states) {
    s.track.take.metadata["frames_without_face"] =
        std::to_string(out.frames - s.track.frames_with_face);
    s.track.take.metadata["far_eye_linked_frames"] =
        o.setup.link_far_eye ? std::to_string(s.far_eye_linked) : "off";
    s.track.take.metadata["small_or_blurred_frames"] = std::to_string(s.unreliable);
    s.track.take.metadata["cut_off_frames"] = std::to_string(s.cut_off);
    s.track.take.metadata["eyes_hidden_frames"] = std::to_string(s.eyes_hidden);
    out.faces.push_back(std::move(s.track));
  }
  return out;
}

}  // namespace semblend
