#include "solve_view.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <map>
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

namespace {

// A picture option: a .png for one input, an existing directory for several.
void check_picture_option(const std::string& option, const std::string& flag, bool several_inputs) {
  if (option.empty()) return;
  if (several_inputs && !std::filesystem::is_directory(option))
    throw std::invalid_argument(flag + " for several images must be an existing directory");
  if (!several_inputs && extension_of(option) != "png")
    throw std::invalid_argument(flag + " for one image must be a .png file");
}

}  // namespace

std::string picture_path(const std::string& option, const std::string& flag,
                         const std::string& input, bool several_inputs) {
  check_picture_option(option, flag, several_inputs);
  if (!several_inputs) return option;
  namespace fs = std::filesystem;
  return (fs::path(option) / (fs::path(input).stem().string() + ".png")).string();
}

void check_pictures_distinct(const std::vector<std::pair<std::string, std::string>>& options,
                             const std::vector<std::string>& inputs) {
  std::map<std::string, std::string> drawn;  // picture (its identity) -> what draws it
  const bool several = inputs.size() > 1;
  for (const auto& [flag, option] : options) {
    if (option.empty()) continue;
    for (const std::string& input : inputs) {
      const std::string picture = picture_path(option, flag, input, several);
      const std::string what = flag + (several ? " of " + input : "");
      const auto [at, fresh] = drawn.try_emplace(path_identity(picture), what);
      if (!fresh)
        throw std::invalid_argument(what + " and " + at->second + " would both be drawn to " +
                                    picture + (several ? " (one picture per input name)" : ""));
    }
  }
}

}  // namespace semblend::cli
