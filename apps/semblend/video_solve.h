// `semblend video`'s side of a solved video, shared by one file (video_command.cpp) and a folder
// or manifest (batch_command.cpp): the command's options as the library's VideoSolveOptions
// (face_pipeline.h solves the video), and the takes written.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "semblend/appearance.h"
#include "semblend/face_pipeline.h"
#include "semblend/formats.h"

namespace semblend::cli {

// The options of `semblend video` (one file or a batch) as VideoSolveOptions; `calibration`
// keeps the profile and correction (load_calibration, commands.h) and `appearance` the appearance
// models (with --appearance) alive for the options to point at. Checks --faces.
struct VideoOptions;
struct Calibration;
VideoSolveOptions video_solve_options(const VideoOptions& o, Calibration& calibration,
                                      std::optional<Appearance>& appearance);

// Checks that `path` names a take format a video writes (.csv, .json, .jsonl) and returns it;
// "" is JSONL (stdout). std::invalid_argument otherwise.
TakeFormat video_output_format(const std::string& path);

// Writes the takes atomically: one face to `output`; all faces to face_take_path(output, id) each,
// then the index face_index_path(output) (batch.h) — the index last, so that it commits the set.
// `semantic` attaches descriptions (JSON formats). Returns the files written.
std::vector<std::string> write_video_takes(SolvedVideo& video, const std::string& output,
                                           bool all_faces, bool semantic);

}  // namespace semblend::cli
