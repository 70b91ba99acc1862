#include "video_solve.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "commands.h"
#include "semblend/batch.h"
#include "semblend/calibration.h"
#include "semblend/error.h"
#include "semblend/face_identity.h"
#include "semblend/file_io.h"
#include "semblend/filter.h"
#include "solve_view.h"

namespace semblend::cli {
namespace {

// One face's take as it grows: solved frames where the face is, held ones elsewhere.
struct FaceState {
  FaceTrack track;
  FrameSmoother smooth;
  std::optional<RestEstimator> rest;  // --auto-calibrate: this face's running rest estimate
  std::optional<FaceFrame> held;      // the last estimate, for frames without the face
  bool seen_now = false;

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

VideoSolveOptions video_solve_options(const VideoOptions& o, Calibration& calibration,
                                      std::optional<Appearance>& appearance) {
  if (!o.faces.empty() && o.faces != "all")
    throw std::invalid_argument("--faces takes \"all\" (use --face N for one face)");
  VideoSolveOptions so;
  so.face = o.face;
  so.all_faces = !o.faces.empty();
  so.smooth = o.smooth;
  calibration = load_calibration(o.profile, o.neutral, o.correction, o.model, o.face);
  so.auto_calibrate = o.auto_calibrate;
  appearance = load_appearance_option(o.appearance);
  so.setup = calibration.setup(appearance ? &*appearance : nullptr);
  so.correction_note = calibration.correction_note();
  return so;
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
  if (o.face < 0) throw std::invalid_argument("--face must be 0 or more");
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
        states[id].add_solved(solved_frame(faces[i], solve(faces[i]), time), o.smooth);
        states[id].seen_now = true;
      }
    } else if (faces.size() > std::size_t(o.face)) {
      const FaceLandmarks& face = faces[std::size_t(o.face)];
      states[0].add_solved(solved_frame(face, solve(face), time), o.smooth);
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
    out.faces.push_back(std::move(s.track));
  }
  return out;
}

TakeFormat video_output_format(const std::string& path) {
  if (path.empty()) return TakeFormat::Jsonl;
  const auto f = format_for_extension(path);
  if (!f || (*f != TakeFormat::LiveLinkCsv && *f != TakeFormat::Json && *f != TakeFormat::Jsonl))
    throw std::invalid_argument("cannot tell the take's format from \"" + path +
                                "\" (use .csv, .json or .jsonl)");
  return *f;
}

std::vector<std::string> write_video_takes(SolvedVideo& video, const std::string& output,
                                           bool all_faces, bool semantic) {
  const TakeFormat format = video_output_format(output);
  std::vector<std::string> written;
  if (!all_faces) {
    Take& take = video.faces.at(0).take;
    if (semantic) attach_semantics(take, format);
    remove_stale_temporaries(output);
    emit(output, encode_take(take, format));
    written.push_back(output);
    return written;
  }
  namespace fs = std::filesystem;
  const std::string index = face_index_path(output);
  std::string j = "{\"format\": \"semblend.faces\", \"version\": 1, \"source\": " +
                  json_string(video.faces.empty() ? "" : video.faces[0].take.metadata["source"]) +
                  ", \"frames\": " + std::to_string(video.frames) + ", \"faces\": [";
  for (std::size_t i = 0; i < video.faces.size(); ++i) {
    FaceTrack& f = video.faces[i];
    const std::string path = face_take_path(output, f.id);
    if (semantic) attach_semantics(f.take, format);
    remove_stale_temporaries(path);
    emit(path, encode_take(f.take, format));
    written.push_back(path);
    char times[96];
    std::snprintf(times, sizeof times, ", \"first_time\": %.6g, \"last_time\": %.6g", f.first_time,
                  f.last_time);
    j += std::string(i ? ",\n  " : "\n  ") + "{\"id\": " + std::to_string(f.id) +
         ", \"take\": " + json_string(fs::path(path).filename().string()) +
         ", \"frames_with_face\": " + std::to_string(f.frames_with_face) + times + "}";
  }
  j += "]}\n";
  remove_stale_temporaries(index);
  emit(index, j);  // last: the index commits the set (batch.h)
  written.push_back(index);
  return written;
}

}  // namespace semblend::cli
