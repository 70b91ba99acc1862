#include "video_solve.h"

#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "commands.h"
#include "semblend/batch.h"
#include "semblend/file_io.h"
#include "solve_view.h"

namespace semblend::cli {

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
  so.setup.link_far_eye = !o.independent_eyes;
  so.correction_note = calibration.correction_note();
  return so;
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
