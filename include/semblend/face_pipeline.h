// semblend/face_pipeline.h — faces in images and videos to solved frames, the way the `semblend`
// command makes them, so a program using the library gets the same numbers as `semblend image`
// and `semblend video`.
//
// solve_face: one face's landmarks -> its estimate: the geometry solver (a neutral profile's
//   landmark offset first), the preference correction (prefs_learn.h) right after it, the
//   profile's rest removed — averaged over the face's readings when a still image gives several
//   (still_image_readings) — then the appearance branch fused in (appearance.h), and last, on a
//   head turned beyond 38°, the far eye's lids taken from the near eye (link_far_eye). Each part
//   is optional (FaceSolveSetup). solved_frame: that estimate with the landmarker's head and eye
//   pose as a FaceFrame.
// solve_video: every frame of a video through the tracking landmarker, solve_face and One Euro
//   filters (filter.h FrameSmoother); one take for the chosen face (largest first), or with
//   `all_faces` one per face identity (face_identity.h), each with a frame per video frame.
//   Frames without the face hold its last estimate (before its first: the neutral face, head
//   straight) with confidence 0; the take's metadata counts them ("frames_without_face") and says
//   what the frames were solved with ("smoothing", "calibration", "appearance", "correction").
//   With `auto_calibrate` each face also gets a running rest estimate (calibration.h RestEstimator)
//   before smoothing.
// Failure modes: solve_video throws InputError naming `source` for a video without decodable
//   frames or without the face (any face, with all faces) in any frame, std::invalid_argument for
//   a negative face index; the landmarker, solver and reader's own errors pass through.
// Thread safety: solve_face and solved_frame are pure (the Solver and Appearance are const);
//   solve_video uses its landmarker and reader, which must not be shared with another thread.
#pragma once

#include <atomic>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "semblend/appearance.h"
#include "semblend/calibration.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/prefs_learn.h"
#include "semblend/solver.h"
#include "semblend/take.h"
#include "semblend/video.h"

namespace semblend {

// What every face's estimate passes through besides the solver; each part optional (null), each
// must outlive the calls.
struct FaceSolveSetup {
  const NeutralProfile* profile = nullptr;        // calibration.h
  const prefs::Correction* correction = nullptr;  // prefs_learn.h, right after the solver
  const Appearance* appearance = nullptr;         // appearance.h, fused last
  bool link_far_eye = true;                       // link_far_eye below, after everything else
  bool cover_hidden_eyes = true;                  // cover_hidden_eyes below, before link_far_eye
};

// Eyes the image hides (landmarker.h EyeVisibility: behind sunglasses, a patch, a hand) have no
// shape to read, and the solver reads the landmarker's guess (black bars over a smiling face's
// eyes read eyeBlink 0.62 / 0.67, eyeLookDown 0.52). So a hidden eye's 7 shapes (eyeBlink,
// eyeSquint, eyeWide, eyeLookUp/Down/In/Out) are the other eye's (its lids the mirror partners';
// its gaze the same direction: the other's look-in is its look-out), as eyes move together; with
// both hidden all 14 are 0: open, looking straight ahead with the head. Returns whether it changed
// anything (an eye was hidden).
bool cover_hidden_eyes(Coefficients& c, bool left_hidden, bool right_hidden);

// The eye a turned head hides. Beyond ~40° of yaw the far eye is foreshortened and half behind
// the nose, and its lids read wrong: a solver that learnt poses within ±45° read an open far eye
// closing (relaxed rig faces turned 55°: 0.43 on average, up to 0.85, the near eye 0.01); the
// shipped one, which learnt renders to ±60°, reads a closed far eye open (a blink of both eyes
// turned 55°: the far eye 0.37 at worst, docs/solver.md). So from kFarEyeLinkFromDeg to
// kFarEyeLinkToDeg of head yaw (the landmarker's, which reads a head turned 70° as ~57°) the far
// eye's lid shapes (eyeBlink, eyeSquint, eyeWide) move linearly to the near eye's, as VTuber
// trackers link the eyes of a turned head; a wink of the far eye is then lost, one of the near eye
// becomes a blink. The gaze shapes stay each eye's own (both eyes read gaze alike). Returns the
// fraction of the far eye taken from the near one (0 within ±kFarEyeLinkFromDeg); `head_yaw` in
// radians, > 0 turned toward the subject's left (their left eye is then the far one).
inline constexpr float kFarEyeLinkFromDeg = 38, kFarEyeLinkToDeg = 48;
float link_far_eye(Coefficients& c, float head_yaw);

// The correction as a stage after the solver (calibration.h OutputMap); empty for none.
OutputMap correction_map(const prefs::Correction* correction);

// One face's estimate (above). The bands of shapes the correction or the fusion set follow their
// new values. `more_readings`: the same face's landmarks read again (still_image_readings below);
// the geometry solver's estimate (with the profile and correction) is then the mean over
// face.points and these, SolverResult::spread its standard deviation, the bands follow the mean
// and the category is the readings' most frequent (ties: the earliest reading's); the appearance
// branch and the far eye's link act on the mean. `estimate`, when not null, receives the
// appearance branch's own readings.
SolverResult solve_face(const Solver& solver, const Image& image, const FaceLandmarks& face,
                        const FaceSolveSetup& setup = {},
                        std::span<const std::array<Point3, kLandmarkCount>> more_readings = {},
                        AppearanceEstimate* estimate = nullptr);

// ---- A still image, read more than once ---------------------------------------------------------
// A photo gives the landmarker one look at a face, and where it puts the points moves by 2–4% of
// the eye distance with how the face sits in the crop: invisible, but where the solver's reading
// is steep it is the difference between a smile and none. The 15 shared photos turned by a
// quarter, a half and three quarters, cut by a few pixels and scaled by 0.83 read up to 0.97
// apart in one shape (faceapi_fearful's browInnerUp 0.95 upright, 0.02 turned a quarter;
// sadtalker_sad1's one-sided smile 0.85 upright, 0.07 turned), each photo's most changeable
// shape 0.40 apart on average. So `semblend image` reads each face again on jittered copies of
// the image around the face (landmarker.h detect_jittered: 3 face sizes square, shifted by up to
// 3% of the face, scaled by up to ±5%, rotated by up to ±15°) and averages the readings' estimates
// (solve_face above): the most changeable shape 0.40 -> 0.18 apart, the mean over all shapes 0.050
// -> 0.021, and rig renders with known coefficients read a little better (docs/solver.md, "A still
// image, read more than once"). Video frames are read once: tracking and the One Euro filter
// average over time.
inline constexpr int kStillImageReadings = 16;  // the detection and 15 copies
inline constexpr int kMaxStillImageReadings = kMaxJitterCopies + 1;
// The copies for `readings` readings in all (1..kMaxStillImageReadings; std::invalid_argument
// otherwise): readings − 1 of them, seed 1.
JitterOptions still_image_jitter(int readings = kStillImageReadings);
// The face read again on those copies (detect_jittered): at most readings − 1 point sets, fewer
// where a copy loses the face. Uses `landmarker` (reset before and after): one thread at a time.
std::vector<std::array<Point3, kLandmarkCount>> still_image_readings(
    FaceLandmarker& landmarker, const Image& image, const FaceLandmarks& face,
    int readings = kStillImageReadings);

// The solver's coefficients with the landmarker's head pose (its convention, docs/landmarks.md;
// translation included) and eye poses; confidence = the face's presence score.
FaceFrame solved_frame(const FaceLandmarks& face, const SolverResult& result, double time = 0);

struct VideoSolveOptions {
  int face = 0;                 // one face: which, largest first when detected
  bool all_faces = false;       // every face: one take per identity
  bool smooth = true;           // One Euro on the coefficients and angles
  FaceSolveSetup setup;         // a neutral profile, a preference correction, the appearance branch
  std::string correction_note;  // "<kind>: <file>" of the correction, for the takes' metadata
  bool auto_calibrate = false;  // and/or a running rest estimate per face (before smoothing)
  // When set and true, the video ends before the next frame (Ctrl-C on a live source): what was
  // read is solved and returned.
  const std::atomic<bool>* stop = nullptr;
};

// The landmarker the options need: up to 4 faces (or face + 1) tracked for one face, so that
// "face N, largest first" means the same whatever the detector's confidence order; up to
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
  // What was noticed but not fatal: fewer frames decoded than the container promises (a file cut
  // short or corrupt in the middle; the frames that decoded are solved).
  std::vector<std::string> warnings;
};

// Called for each frame with the image, the solved face's landmarks (none when it is missing) and
// its frame; one face only (previews, live streaming).
using VideoFrameSink =
    std::function<void(Image&& image, std::vector<FaceLandmarks>&& faces, const FaceFrame& frame)>;

// `source` names the video in errors and in the takes' metadata.
SolvedVideo solve_video(VideoReader& reader, FaceLandmarker& landmarker, const Solver& solver,
                        const VideoSolveOptions& o, const std::string& source,
                        const VideoFrameSink& sink = {});

}  // namespace semblend
