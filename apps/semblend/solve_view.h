// What the solver's subcommands share (`semblend image`, `semblend video`) besides the library's
// face pipeline (face_pipeline.h: solve_face, solved_frame): loading the models the options name,
// the evidence picture of a solved face — the image with the landmark overlay beside the rig
// rendered with the estimate — and `semblend image`'s JSON.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "semblend/appearance.h"
#include "semblend/face_pipeline.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "semblend/take.h"

namespace semblend::cli {

// `s` as a JSON string literal (quotes, backslashes and control characters escaped).
std::string json_string(const std::string& s);
// `v` as a JSON number with 4 decimals, or null when it is not finite.
std::string json_number(double v);

// The shipped model when `path` is empty (checksum-verified), else the model.json at `path`.
Solver load_solver(const std::string& path);

// The shipped appearance models when `enabled` (checksum-verified), else none.
std::optional<Appearance> load_appearance_option(bool enabled);

// Left: `image` with `faces` drawn on it (draw_landmarks); right: default_rig() rendered with
// `frame`'s coefficients and head pose, square, at the image's height. `render_size` 0 = the
// image's height (within 128..1024); the render is scaled to the image's height either way.
// `photo_skin`: the rig wears the first face of `faces` from `image` as its skin (render.h
// FaceTexture), so the right side re-draws the photo's face posed with the estimate; a face cut
// off by the image's border keeps the procedural skin.
Image solved_side_by_side(const Image& image, const std::vector<FaceLandmarks>& faces,
                          const FaceFrame& frame, int render_size = 0, bool photo_skin = false);

// Where an image's picture goes: `option` itself for one input, else `option`/<input stem>.png
// (`option` must then be an existing directory). Throws std::invalid_argument naming the option.
std::string picture_path(const std::string& option, const std::string& flag,
                         const std::string& input, bool several_inputs);

// `semblend image` on one image (solver_commands.cpp): the solver on face `face` (largest first),
// or on every face with `all_faces`, each read `readings` times by `landmarker` (face_pipeline.h
// still_image_readings; the first reading is `faces`'); with `log` one stderr line per face (its
// sentence), or "no face".
struct SolvedFace {
  int index = 0;  // into the landmarker's faces
  SolverResult result;
  std::optional<AppearanceEstimate> appearance;  // the appearance branch's readings, when used
  FaceImageQuality quality;                      // landmarker.h face_image_quality
};
// What a warning says of a face too small or too blurred to read (landmarker.h
// face_image_quality), ending "its readings are unreliable"; "" if it is neither.
std::string quality_warning(const FaceImageQuality& q);
// What a note says of shapes whose readings lie kUnsteadySpread or more apart (SolverResult::
// spread), "the 16 readings disagree on eyeWideLeft 0.45 ± 0.28: the landmarks do not settle
// it"; "" if none.
inline constexpr float kUnsteadySpread = 0.25f;
std::string spread_note(const SolverResult& r);
// "the eyes are hidden (sunglasses? tone …)" or "the left eye is hidden (…)" with the measures
// (landmarker.h EyeVisibility); "" if both show.
std::string hidden_eyes(const FaceImageQuality& q);
// What a note says of the eyes solve_face did not read (SolverResult::left_eye_hidden,
// face_pipeline.h cover_hidden_eyes) and what it did instead; "" if it read both.
std::string hidden_eyes_note(const SolverResult& r, const FaceImageQuality& q);
std::vector<SolvedFace> solve_faces(const std::string& source, const Image& image,
                                    const std::vector<FaceLandmarks>& faces, const Solver& solver,
                                    int face, bool all_faces, bool log, const FaceSolveSetup& setup,
                                    FaceLandmarker& landmarker, int readings);
// Its JSON object (docs/cli.md): {"format": "semblend.image", ..., "face": {...} | null}, or with
// `all_faces` "faces": [{...}, ...]; `calibration`, when not empty, is a JSON object saying what
// the faces were calibrated with (Calibration::json, commands.h). One line, no trailing newline.
std::string image_json(const std::string& source, const Image& image,
                       const std::vector<FaceLandmarks>& faces,
                       const std::vector<SolvedFace>& solved, bool all_faces,
                       const std::string& calibration = "");

// Checks, before any work, each picture option (a .png for one input, an existing directory for
// several, as picture_path) and that no picture is written twice: over `inputs`, the picture_path
// of each (flag, option) pair given (an empty option: not asked for) must differ from every other —
// two inputs of one name in different folders, or --overlay and --side-by-side naming the same
// file or folder, would draw over each other. Throws std::invalid_argument naming both.
void check_pictures_distinct(const std::vector<std::pair<std::string, std::string>>& options,
                             const std::vector<std::string>& inputs);

}  // namespace semblend::cli
