// `semblend eval faces`: the solver on real photos, scored against the rubric (rubric.h,
// data/eval/face_rubric.json): per photo every check's value and verdict, and the pass rates.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.h"
#include "semblend/file_io.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/rubric.h"
#include "semblend/solver.h"
#include "solve_view.h"

namespace semblend::cli {

int run_eval_faces(const EvalFacesOptions& o) {
  const Rubric rubric = parse_rubric(read_file(o.rubric), o.rubric);
  if (!o.side_by_side.empty() && !std::filesystem::is_directory(o.side_by_side))
    throw std::invalid_argument("--side-by-side " + o.side_by_side + ": not an existing folder");
  const Solver solver = load_solver(o.model);
  const std::optional<Appearance> appearance = load_appearance_option(o.appearance);
  FaceLandmarker landmarker = FaceLandmarker::create();
  nlohmann::json report = {{"format", "semblend.eval.faces"},
                           {"version", 1},
                           {"rubric", o.rubric},
                           {"appearance", o.appearance},
                           {"photos", nlohmann::json::array()}};
  int photos_passed = 0, checks = 0, checks_passed = 0, found = 0;
  for (const RubricPhoto& p : rubric.photos) {
    const std::string path = (std::filesystem::path(o.data) / p.file).string();
    const Image image = read_image(path);
    landmarker.reset();
    const std::vector<FaceLandmarks> faces = landmarker.detect(image);
    nlohmann::json jp = {{"file", p.file}, {"expression", p.expression}};
    bool all = !faces.empty();
    std::printf("%-40s %s\n", p.file.c_str(), faces.empty() ? "no face" : "");
    if (!faces.empty()) {
      ++found;
      const SolverResult r =
          solve_face(solver, image, faces[0], {.appearance = appearance ? &*appearance : nullptr},
                     still_image_readings(landmarker, image, faces[0], o.readings));
      jp["category"] = std::string(category_name(r.category));
      nlohmann::json jc = nlohmann::json::array();
      for (const RubricCheck& c : p.checks) {
        const RubricOutcome out = evaluate_check(c, r.coefficients);
        ++checks;
        checks_passed += out.pass;
        all = all && out.pass;
        jc.push_back({{"check", c.text},
                      {"value", std::round(out.value * 1000) / 1000},
                      {"pass", out.pass}});
        if (!out.shape.empty()) jc.back()["shape"] = out.shape;
        std::printf("  %s %-52s %.3f%s%s\n", out.pass ? "pass" : "FAIL", c.text.c_str(),
                    double(out.value), out.shape.empty() ? "" : "  ", out.shape.c_str());
      }
      jp["checks"] = jc;
      nlohmann::json coeffs = nlohmann::json::object();
      for (std::size_t k = 0; k < kBlendshapeCount; ++k)
        coeffs[std::string(kBlendshapes[k].apple_name)] =
            std::round(r.coefficients.at(k) * 1000) / 1000;
      jp["coefficients"] = coeffs;
      if (!o.side_by_side.empty()) {
        const std::string out = (std::filesystem::path(o.side_by_side) /
                                 (std::filesystem::path(p.file).stem().string() + ".png"))
                                    .string();
        write_png(
            solved_side_by_side(image, {faces[0]}, solved_frame(faces[0], r), 0, o.photo_skin),
            out);
      }
    } else {
      checks += int(p.checks.size());
    }
    jp["pass"] = all;
    photos_passed += all;
    report["photos"].push_back(jp);
  }
  const int n = int(rubric.photos.size());
  report["faces_found"] = found;
  report["photos_passed"] = photos_passed;
  report["photo_pass_rate"] = double(photos_passed) / n;
  report["checks"] = checks;
  report["checks_passed"] = checks_passed;
  report["check_pass_rate"] = checks ? double(checks_passed) / checks : 0.0;
  std::fflush(stdout);
  std::fprintf(stderr,
               "rubric %s: faces found in %d of %d photos; %d of %d photos pass every check "
               "(%.0f%%); %d of %d checks pass (%.0f%%)\n",
               o.rubric.c_str(), found, n, photos_passed, n, 100.0 * photos_passed / n,
               checks_passed, checks, checks ? 100.0 * checks_passed / checks : 0.0);
  if (!o.output.empty()) emit(o.output, report.dump(2) + "\n");
  return kOk;
}

}  // namespace semblend::cli
