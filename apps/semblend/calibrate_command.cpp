// `semblend calibrate`: a per-person neutral profile (calibration.h) from relaxed photos.
#include <cstdio>
#include <stdexcept>

#include "commands.h"
#include "semblend/calibration.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "solve_view.h"

namespace semblend::cli {

namespace {

std::optional<prefs::Correction> read_correction_option(const std::string& path) {
  if (path.empty()) return std::nullopt;
  prefs::Correction c = prefs::read_correction(path);
  std::fprintf(stderr, "correction %s (%s%s%s)\n", path.c_str(), c.kind.c_str(),
               c.notes.empty() ? "" : ": ", c.notes.c_str());
  return c;
}

}  // namespace

NeutralProfile profile_from_photos(const Solver& solver, const std::vector<std::string>& photos,
                                   const CalibrateOptions& o, const prefs::Correction* correction) {
  if (photos.empty()) throw std::invalid_argument("no neutral photos");
  LandmarkerOptions lo;
  lo.max_faces = std::max(4, o.face + 1);  // "largest first" among up to 4 (landmarker.h)
  FaceLandmarker landmarker = FaceLandmarker::create(lo);
  std::vector<std::array<Point3, kLandmarkCount>> neutral, photo_points;
  std::string source;
  for (const std::string& path : photos) {
    const Image image = read_image(path);
    landmarker.reset();
    const std::vector<FaceLandmarks> faces = landmarker.detect(image);
    if (std::size_t(o.face) >= faces.size())
      throw InputError(path, 0, 0,
                       faces.empty() ? "no face found: a neutral photo must show the face"
                                     : "no face " + std::to_string(o.face) + " (found " +
                                           std::to_string(faces.size()) + ")");
    const FaceLandmarks& face = faces[std::size_t(o.face)];
    const FaceImageQuality quality = face_image_quality(image, face);
    // The landmarker's guess at hidden eyes would be subtracted from every reading of this
    // person's eyes (behind black lenses the guess reads a blink of 0.6).
    if (const std::string h = hidden_eyes(quality); !h.empty())
      throw InputError(path, 0, 0, h + ": a neutral photo must show the eyes");
    // A misread relaxed face would be subtracted from every reading of this person.
    if (const std::string w = quality_warning(quality); !w.empty())
      std::fprintf(stderr, "semblend: warning: %s: %s, and so is the profile made from it\n",
                   path.c_str(), w.c_str());
    neutral.push_back(face.points);
    photo_points.push_back(face.points);
    if (o.jitter > 0) {  // the landmarker's placement noise on this photo
      JitterOptions jo;
      jo.copies = o.jitter;
      const auto copies = detect_jittered(landmarker, image, face, jo);
      neutral.insert(neutral.end(), copies.begin(), copies.end());
    }
    source += (source.empty() ? "" : ", ") + path;
  }
  NeutralOptions no;
  no.landmark_offset = o.landmark_offset;
  no.offset_weight = o.offset_weight;
  no.offset_weight_turned = turned_offset_weight(o.offset_weight, o.offset_weight_turned);
  no.rest_quantile = o.rest_quantile;
  NeutralProfile profile = profile_from_neutral(solver, neutral, no, correction_map(correction));
  if (profile.pose_aware) {  // turned photos make the turned rest only (calibration.h)
    const std::vector<bool> at_pose = frames_at_pose(photo_points);
    for (std::size_t i = 0; i < photos.size(); ++i)
      if (!at_pose[i])
        std::fprintf(stderr,
                     "calibrate: %s is turned %.0f° or more further from the camera than the "
                     "most frontal photo: it measures the rest of a turned head only\n",
                     photos[i].c_str(), double(kTurnedPhotoDeg));
  }
  if (correction) profile.correction = prefs::correction_json(*correction);
  profile.source = source;
  profile.frames = int(photos.size());
  profile.jittered = int(neutral.size() - photos.size());
  for (const auto& [name, v] : profile.not_neutral)
    std::fprintf(stderr,
                 "semblend: warning: %s: not neutral? %s reads %.2f; the profile subtracts it, "
                 "so that action will read weaker\n",
                 source.c_str(), name.c_str(), v);
  return profile;
}

int run_calibrate(const CalibrateOptions& o) {
  if (o.inputs.empty()) throw std::invalid_argument("semblend calibrate: no neutral images");
  // The profile is JSON (calibration.h): a .json file, or a device; checked before the work.
  if (!o.output.empty() && !resolve_output(o.output).in_place) {
    if (extension_of(o.output) != "json")
      throw std::invalid_argument("the profile is JSON: -o must name a .json file, not " +
                                  o.output);
    check_writable(o.output);
  }
  const Solver solver = load_solver(o.model);
  const std::optional<prefs::Correction> correction = read_correction_option(o.correction);
  const NeutralProfile profile =
      profile_from_photos(solver, o.inputs, o, correction ? &*correction : nullptr);
  float largest = 0;
  std::string largest_name;
  for (const auto& row : kBlendshapes)
    if (profile.rest[row.shape] > largest) {
      largest = profile.rest[row.shape];
      largest_name = std::string(row.apple_name);
    }
  std::fprintf(stderr,
               "calibrate: profile from %d photo(s) and %d jittered copies; largest rest %s "
               "%.2f\n",
               profile.frames, profile.jittered, largest_name.empty() ? "-" : largest_name.c_str(),
               largest);
  emit(o.output, profile_to_json(profile));
  return kOk;
}

NeutralProfile read_profile(const std::string& path) {
  return profile_from_json(read_file(path, 16 << 20), path);
}

FaceSolveSetup Calibration::setup(const Appearance* appearance) const {
  return {profile ? &*profile : nullptr, correction ? &*correction : nullptr, appearance};
}

std::string Calibration::correction_note() const {
  return correction ? correction->kind + ": " + correction_source : "";
}

std::string Calibration::json() const {
  if (!profile && !correction) return "";
  return "{\"profile\": " + (profile ? json_string(profile->source) : std::string("null")) +
         ", \"correction\": " + (correction ? json_string(correction_note()) : "null") + "}";
}

Calibration load_calibration(const std::string& path, const std::vector<std::string>& neutral,
                             const std::string& correction, const std::string& model, int face) {
  if (!neutral.empty() && !path.empty())
    throw std::invalid_argument("--profile and --neutral: give one of them, not both");
  Calibration c;
  c.correction = read_correction_option(correction);
  c.correction_source = correction;
  if (!neutral.empty()) {
    CalibrateOptions o;  // calibrate's defaults
    o.face = face;
    c.profile = profile_from_photos(load_solver(model), neutral, o,
                                    c.correction ? &*c.correction : nullptr);
    std::fprintf(stderr, "calibrated with the neutral photo(s) %s (%d jittered copies)\n",
                 c.profile->source.c_str(), c.profile->jittered);
    return c;
  }
  if (path.empty()) return c;
  c.profile = read_profile(path);
  std::fprintf(stderr, "calibrated with %s (neutral of %s)\n", path.c_str(),
               c.profile->source.empty() ? "unnamed photos" : c.profile->source.c_str());
  // The rest was measured through the profile's correction (or none): only that one fits it.
  std::optional<prefs::Correction> carried;
  if (!c.profile->correction.empty())
    carried = prefs::parse_correction_json(c.profile->correction, path + " (\"correction\")");
  if (c.correction) {
    if (!carried)
      throw std::invalid_argument(
          "--correction " + correction + ": the profile " + path +
          " was measured without a correction, so its rest does not fit the corrected readings; "
          "make it again with semblend calibrate --correction " +
          correction);
    if (prefs::correction_json(*carried) != prefs::correction_json(*c.correction))
      throw std::invalid_argument(
          "--correction " + correction + ": the profile " + path +
          " was measured through another correction (it carries its own; leave --correction "
          "out, or make the profile again with semblend calibrate --correction " +
          correction + ")");
  } else if (carried) {
    c.correction = std::move(carried);
    c.correction_source = path;
    std::fprintf(stderr, "with the correction the profile carries (%s)\n",
                 c.correction->kind.c_str());
  }
  return c;
}

}  // namespace semblend::cli
