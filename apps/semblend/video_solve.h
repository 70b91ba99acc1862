// A whole video solved into takes, shared by `semblend video` on one file (video_command.cpp) and
// on a folder or manifest (batch_command.cpp): every frame through the tracking landmarker, the
// solver and One Euro filters; one take for the chosen face, or one per face identity
// (`--faces all`, face_identity.h), each with a frame per video frame.
//
// Frames without a face hold its last estimate (before its first: the neutral face, head
// straight) with confidence 0, and its take's metadata counts them ("frames_without_face").
// Throws InputError naming the file for a video without decodable frames or without the face
// (any face, with all faces) in any frame.
#pragma once

#include <atomic>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "semblend/appearance.h"
#include "semblend/calibration.h"
#include "semblend/formats.h"
#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/take.h"
#include "semblend/video.h"
#include "solve_view.h"

namespace semblend::cli {

struct VideoSolveOptions {
  int face = 0;            // one face: which, largest first when detected
  bool all_faces = false;  // every face: one take per identity
  bool smooth = true;      // One Euro on the coefficients and angles
  // What every face is solved with besides the solver (solve_face): a neutral profile, a
  // preference correction, the appearance branch; each must outlive the call.
  FaceSolveSetup setup;
  std::string correction_note;  // "<kind>: <file>" of the correction, for the take's metadata
  bool auto_calibrate = false;  // and/or a running rest estimate per face (before smoothing)
  // When set and true, the video ends before the next frame (Ctrl-C on a live source): what was
  // read is solved and returned.
  const std::atomic<bool>* stop = nullptr;
};

// The options of `semblend video` (one file or a batch) as VideoSolveOptions; `calibration`
// keeps the profile and correction (load_calibration, commands.h) and `appearance` the appearance
// models (with --appearance) alive for the options to point at. Checks --faces.
struct VideoOptions;
struct Calibration;
VideoSolveOptions video_solve_options(const VideoOptions& o, Calibration& calibration,
                                      std::optional<Appearance>& appearance);

// The landmarker the options need: up to 4 faces (or face + 1) tracked for one face; up to
// kMostFaces with all faces, the detector also running every kRedetectFrames frames so that faces
// entering later are found.
inline constexpr int kMostFaces = 8, kRedetectFrames = 15;
LandmarkerOptions video_landmarker_options(const VideoSolveOptions& o);

struct FaceTrack {
  int id = 0;  // the face index (one face) or the identity (all faces)
  Take take;
  int frames_with_face = 0;
  double first_time = 0, last_time = 0;  // when the face was first and last seen
};

struct SolvedVideo {
  std::vector<FaceTrack> faces;  // one face: one; all faces: by identity
  int frames = 0;
  double seconds = 0;  // wall time
};

// Called for each frame with the image, the solved face's landmarks (none when it is missing) and
// its frame; one face only (the preview).
using VideoFrameSink =
    std::function<void(Image&& image, std::vector<FaceLandmarks>&& faces, const FaceFrame& frame)>;

SolvedVideo solve_video(VideoReader& reader, FaceLandmarker& landmarker, const Solver& solver,
                        const VideoSolveOptions& o, const std::string& source,
                        const VideoFrameSink& sink = {});

// Checks that `path` names a take format a video writes (.csv, .json, .jsonl) and returns it;
// "" is JSONL (stdout). std::invalid_argument otherwise.
TakeFormat video_output_format(const std::string& path);

// Writes the takes atomically: one face to `output`; all faces to face_take_path(output, id) each,
// then the index face_index_path(output) (batch.h) — the index last, so that it commits the set.
// `semantic` attaches descriptions (JSON formats). Returns the files written.
std::vector<std::string> write_video_takes(SolvedVideo& video, const std::string& output,
                                           bool all_faces, bool semantic);

}  // namespace semblend::cli
