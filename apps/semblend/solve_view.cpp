#include "solve_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "semblend/file_io.h"
#include "semblend/render.h"
#include "semblend/rig.h"

namespace semblend::cli {

std::string json_string(const std::string& s) {
  std::string o = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') o += '\\';
    if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      o += buf;
      continue;
    }
    o += c;
  }
  return o + "\"";
}

std::string json_number(double v) {
  if (!std::isfinite(v)) return "null";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

Solver load_solver(const std::string& path) {
  return path.empty() ? Solver::load_default() : Solver::load(path);
}

std::optional<Appearance> load_appearance_option(bool enabled) {
  if (!enabled) return std::nullopt;
  return Appearance::load_default();
}

OutputMap correction_map(const prefs::Correction* correction) {
  if (!correction) return {};
  return [correction](const Coefficients& c) { return correction->apply(c); };
}

SolverResult solve_face(const Solver& solver, const Image& image, const FaceLandmarks& face,
                        const FaceSolveSetup& setup, AppearanceEstimate* estimate) {
  // Without a profile: no landmark offset, and a rest of 0 leaves every reading as it is.
  static const NeutralProfile kNoProfile;
  SolverResult r =
      solve_calibrated(solver, face.points, setup.profile ? *setup.profile : kNoProfile,
                       correction_map(setup.correction));
  if (setup.correction) {
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      r.bins[index_of(blendshape_at(k))] = intensity_of(r.coefficients.at(k));
  }
  const Appearance* appearance = setup.appearance;
  if (!appearance) return r;
  const AppearanceEstimate a = appearance->estimate(image, face.points);
  r.coefficients = appearance->fuse(r.coefficients, a);
  for (const Blendshape b : kAppearanceShapes)
    r.bins[index_of(b)] = intensity_of(r.coefficients[b]);
  if (estimate) *estimate = a;
  return r;
}

FaceFrame solved_frame(const FaceLandmarks& face, const SolverResult& result, double time) {
  FaceFrame f;
  f.time = time;
  f.coefficients = result.coefficients;
  f.head = face.head;
  f.left_eye = face.left_eye;
  f.right_eye = face.right_eye;
  f.confidence = std::clamp(face.presence, 0.0f, 1.0f);
  return f;
}

Image solved_side_by_side(const Image& image, const std::vector<FaceLandmarks>& faces,
                          const FaceFrame& frame, int render_size, bool photo_skin) {
  RenderOptions ro;
  ro.width = ro.height = render_size > 0 ? render_size : std::clamp(image.height, 128, 1024);
  if (photo_skin && !faces.empty()) {
    try {
      ro.face_texture =
          std::make_shared<const FaceTexture>(face_texture_from_photo(image, faces[0]));
    } catch (const std::invalid_argument&) {
      // The face reaches outside the image: the procedural skin.
    }
  }
  return side_by_side(draw_landmarks(image, faces), render_face(default_rig(), frame, ro).image);
}

void check_picture_option(const std::string& option, const std::string& flag, bool several_inputs) {
  if (option.empty()) return;
  if (several_inputs && !std::filesystem::is_directory(option))
    throw std::invalid_argument(flag + " for several images must be an existing directory");
  if (!several_inputs && extension_of(option) != "png")
    throw std::invalid_argument(flag + " for one image must be a .png file");
}

std::string picture_path(const std::string& option, const std::string& flag,
                         const std::string& input, bool several_inputs) {
  check_picture_option(option, flag, several_inputs);
  if (!several_inputs) return option;
  namespace fs = std::filesystem;
  return (fs::path(option) / (fs::path(input).stem().string() + ".png")).string();
}

}  // namespace semblend::cli
