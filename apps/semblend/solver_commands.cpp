// The solver's subcommands (commands.h): `semblend image`, `semblend eval solver`,
// `semblend eval noise`.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "commands.h"
#include "semblend/expression_prior.h"
#include "semblend/file_io.h"
#include "semblend/render.h"
#include "semblend/semblend.h"
#include "semblend/solver.h"
#include "semblend/synth.h"
#include "solve_view.h"

namespace semblend::cli {
namespace {

std::string pose_json(float yaw, float pitch, float roll) {
  const double d = 180.0 / kPi;
  return "{\"yaw_deg\": " + json_number(yaw * d) + ", \"pitch_deg\": " + json_number(pitch * d) +
         ", \"roll_deg\": " + json_number(roll * d) + "}";
}
std::string eye_json(const EyePose& e) {
  return pose_json(e.yaw, e.pitch, 0);
}

}  // namespace

std::string quality_warning(const FaceImageQuality& q) {
  std::string w;
  char buf[160];
  if (q.small()) {
    std::snprintf(buf, sizeof buf, "the face is small (its eyes %.0f px apart, under %.0f)",
                  double(q.eye_distance_px), double(kSmallFaceEyeDistancePx));
    w = buf;
  }
  if (q.blurred()) {
    std::snprintf(buf, sizeof buf, "%s blurred (sharpness %.0f, under %.0f)",
                  w.empty() ? "the face is" : " and", double(q.sharpness),
                  double(kBlurredFaceSharpness));
    w += buf;
  }
  if (q.cut_off()) {
    std::snprintf(buf, sizeof buf,
                  "%s cut off by the image's edge (%.0f%% of its landmarks outside, from %.0f%%)",
                  w.empty() ? "the face is" : " and", 100.0 * q.outside,
                  100.0 * kCutOffFaceFraction);
    w += buf;
  }
  return w.empty() ? w : w + ": its readings are unreliable";
}

std::string hidden_eyes(const FaceImageQuality& q) {
  const bool left = q.left_eye.hidden(), right = q.right_eye.hidden();
  char buf[160];
  if (left && right) {
    std::snprintf(buf, sizeof buf,
                  "the eyes are hidden (sunglasses? tone %.2f / %.2f, contrast %.2f / %.2f of the "
                  "cheeks')",
                  double(q.left_eye.tone), double(q.right_eye.tone), double(q.left_eye.contrast),
                  double(q.right_eye.contrast));
  } else if (left || right) {
    const EyeVisibility& v = left ? q.left_eye : q.right_eye;
    std::snprintf(buf, sizeof buf, "the %s eye is hidden (tone %.2f, contrast %.2f of the cheek's)",
                  left ? "left" : "right", double(v.tone), double(v.contrast));
  } else {
    return "";
  }
  return buf;
}

std::string hidden_eyes_note(const SolverResult& r, const FaceImageQuality& q) {
  if (!r.left_eye_hidden && !r.right_eye_hidden) return "";
  if (r.left_eye_hidden && r.right_eye_hidden)
    return hidden_eyes(q) + ": their shapes are not read but set to rest, open and looking ahead";
  return hidden_eyes(q) + (r.left_eye_hidden ? ": its shapes are the right eye's"
                                             : ": its shapes are the left eye's");
}

std::string spread_note(const SolverResult& r) {
  std::string shapes;
  int n = 0;
  char buf[96];
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    if (r.spread.at(k) < kUnsteadySpread) continue;
    std::snprintf(buf, sizeof buf, "%s%s %.2f ± %.2f", n++ ? ", " : "",
                  std::string(info(blendshape_at(k)).apple_name).c_str(),
                  double(r.coefficients.at(k)), double(r.spread.at(k)));
    shapes += buf;
  }
  if (n == 0) return "";
  return "the " + std::to_string(r.readings) + " readings disagree on " + shapes +
         (n > 1 ? ": the landmarks do not settle these" : ": the landmarks do not settle it");
}

std::vector<SolvedFace> solve_faces(const std::string& source, const Image& image,
                                    const std::vector<FaceLandmarks>& faces, const Solver& solver,
                                    int face, bool all_faces, bool log, const FaceSolveSetup& setup,
                                    FaceLandmarker& landmarker, int readings) {
  std::vector<SolvedFace> solved;
  for (std::size_t i = 0; i < faces.size(); ++i) {
    if (!all_faces && i != std::size_t(face)) continue;
    SolvedFace s;
    s.index = int(i);
    AppearanceEstimate a;
    const auto more = still_image_readings(landmarker, image, faces[i], readings);
    s.result = solve_face(solver, image, faces[i], setup, more, &a);
    if (setup.appearance) s.appearance = a;
    s.quality = face_image_quality(image, faces[i]);
    solved.push_back(std::move(s));
    if (!log) continue;
    const std::string which = all_faces ? "face " + std::to_string(i) + ": " : "";
    const SemanticDescription d = describe(solved.back().result.coefficients, &faces[i].head);
    std::fprintf(stderr, "%s: %s%s\n", source.c_str(), which.c_str(), sentence(d).c_str());
    if (const std::string w = quality_warning(solved.back().quality); !w.empty())
      std::fprintf(stderr, "%s: %swarning: %s\n", source.c_str(), which.c_str(), w.c_str());
    if (const std::string w = hidden_eyes_note(solved.back().result, solved.back().quality);
        !w.empty())
      std::fprintf(stderr, "%s: %snote: %s\n", source.c_str(), which.c_str(), w.c_str());
    if (const std::string w = spread_note(solved.back().result); !w.empty())
      std::fprintf(stderr, "%s: %snote: %s\n", source.c_str(), which.c_str(), w.c_str());
  }
  if (solved.empty() && log)  // no face (or not that many): an explicit empty result
    std::fprintf(stderr, "%s: no face%s\n", source.c_str(),
                 faces.empty() || all_faces ? "" : (" " + std::to_string(face)).c_str());
  return solved;
}

std::string image_json(const std::string& source, const Image& image,
                       const std::vector<FaceLandmarks>& faces,
                       const std::vector<SolvedFace>& solved, bool all_faces,
                       const std::string& calibration) {
  std::ostringstream j;
  j << "{\"format\": \"semblend.image\", \"version\": 1, \"source\": " << json_string(source)
    << ", \"width\": " << image.width << ", \"height\": " << image.height;
  if (!calibration.empty()) j << ", \"calibration\": " << calibration;
  j << ", \"faces_found\": " << faces.size() << (all_faces ? ", \"faces\": [" : ", \"face\": ");
  if (solved.empty() && !all_faces) j << "null";
  for (std::size_t n = 0; n < solved.size(); ++n) {
    const FaceLandmarks& f = faces.at(std::size_t(solved[n].index));
    const SolverResult& r = solved[n].result;
    const SemanticDescription d = describe(r.coefficients, &f.head);
    j << (n ? ", " : "") << "{\"index\": " << solved[n].index
      << ", \"presence\": " << json_number(f.presence)
      << ", \"fit_rms_cm\": " << json_number(r.fit_rms_cm)
      << ", \"head\": " << pose_json(f.head.yaw, f.head.pitch, f.head.roll)
      << ", \"left_eye\": " << eye_json(eye_pose_from_look(r.coefficients, Side::Left))
      << ", \"right_eye\": " << eye_json(eye_pose_from_look(r.coefficients, Side::Right));
    const FaceImageQuality& q = solved[n].quality;
    j << ", \"quality\": {\"eye_distance_px\": " << json_number(q.eye_distance_px)
      << ", \"sharpness\": " << json_number(q.sharpness)
      << ", \"small\": " << (q.small() ? "true" : "false")
      << ", \"blurred\": " << (q.blurred() ? "true" : "false")
      << ", \"outside\": " << json_number(q.outside)
      << ", \"cut_off\": " << (q.cut_off() ? "true" : "false");
    for (const auto& [name, eye] :
         {std::pair{"left_eye", q.left_eye}, std::pair{"right_eye", q.right_eye}})
      j << ", \"" << name << "\": {\"tone\": " << json_number(eye.tone)
        << ", \"contrast\": " << json_number(eye.contrast)
        << ", \"hidden\": " << (eye.hidden() ? "true" : "false") << "}";
    j << "}";
    if (r.far_eye_linked > 0)  // the turned head's far eye read from the near one (face_pipeline.h)
      j << ", \"far_eye_linked\": {\"eye\": \"" << (r.far_eye == Side::Left ? "left" : "right")
        << "\", \"amount\": " << json_number(r.far_eye_linked) << "}";
    auto by_shape = [&](const char* key, const Coefficients& c) {  // {"eyeBlinkLeft": v, ...}
      j << ", \"" << key << "\": {";
      for (std::size_t k = 0; k < kBlendshapeCount; ++k)
        j << (k ? ", " : "") << json_string(std::string(info(blendshape_at(k)).apple_name)) << ": "
          << json_number(c.at(k));
      j << "}";
    };
    by_shape("coefficients", r.coefficients);
    j << ", \"readings\": " << r.readings;
    // How far the readings' estimates lie apart (face_pipeline.h).
    if (r.readings > 1) by_shape("spread", r.spread);
    if (solved[n].appearance) {  // the appearance branch's own readings, before fusion
      j << ", \"appearance\": {";
      for (std::size_t k = 0; k < kAppearanceShapeCount; ++k)
        j << (k ? ", " : "") << json_string(std::string(info(kAppearanceShapes[k]).apple_name))
          << ": " << json_number(solved[n].appearance->values[k]);
      j << "}";
    }
    j << ", \"predicted_category\": "
      << json_string(token_name(int(kSemanticChannelCount * kIntensityCount) + int(r.category)))
      << ", \"text\": " << json_string(sentence(d)) << ", \"semantic\": " << semantic_json(d)
      << "}";
  }
  j << (all_faces ? "]}" : "}");
  return j.str();
}

int run_image(const ImageOptions& o) {
  if (is_batch_input(o.inputs)) return run_image_batch(o);
  refuse_batch_options(o.batch, o.inputs.empty() ? std::string() : o.inputs[0], "the input");
  if (o.inputs.empty()) throw std::invalid_argument("semblend image: no input images");
  if (!o.faces.empty() && o.faces != "all")
    throw std::invalid_argument("--faces takes \"all\" (use --face N for one face)");
  const bool all_faces = !o.faces.empty();
  const bool many = o.inputs.size() > 1;
  // -o: .json (one object, or an array of them for several images) or .jsonl (one object a line);
  // stdout: as .json.
  const std::string ext = o.output.empty() ? "json" : extension_of(o.output);
  if (ext != "json" && ext != "jsonl")
    throw std::invalid_argument("semblend image writes .json or .jsonl: " + o.output);
  const bool lines = ext == "jsonl";
  if (!o.output.empty()) check_writable(o.output);  // an unwritable -o fails before the work
  // Each a .png or a folder as the inputs need, and no picture drawn twice.
  check_pictures_distinct({{"--overlay", o.overlay}, {"--side-by-side", o.side_by_side}}, o.inputs);
  const Solver solver = load_solver(o.model);
  const Calibration calibration =
      load_calibration(o.profile, o.neutral, o.correction, o.model, o.face);
  const std::optional<Appearance> appearance = load_appearance_option(o.appearance);
  LandmarkerOptions lo;
  lo.max_faces = std::max(4, o.face + 1);  // "largest first" among up to 4 (landmarker.h)
  if (all_faces) lo.max_faces = 8;
  FaceLandmarker landmarker = FaceLandmarker::create(lo);
  std::ostringstream all;
  if (many && !lines) all << "[";
  for (std::size_t n = 0; n < o.inputs.size(); ++n) {
    const std::string& path = o.inputs[n];
    const Image image = read_image(path);
    landmarker.reset();
    const std::vector<FaceLandmarks> faces = landmarker.detect(image);
    FaceSolveSetup setup = calibration.setup(appearance ? &*appearance : nullptr);
    setup.link_far_eye = !o.independent_eyes;
    const std::vector<SolvedFace> solved = solve_faces(
        path, image, faces, solver, o.face, all_faces, true, setup, landmarker, o.readings);
    std::vector<FaceLandmarks> drawn;
    for (const SolvedFace& s : solved) drawn.push_back(faces[std::size_t(s.index)]);
    if (!o.overlay.empty())
      write_png(drawn.empty() ? image : draw_landmarks(image, drawn),
                picture_path(o.overlay, "--overlay", path, many));
    if (!o.side_by_side.empty()) {
      if (solved.empty())
        std::fprintf(stderr, "%s: no side-by-side\n", path.c_str());
      else  // the rig shows the first solved face
        write_png(solved_side_by_side(image, drawn, solved_frame(drawn[0], solved[0].result), 0,
                                      o.photo_skin),
                  picture_path(o.side_by_side, "--side-by-side", path, many));
    }
    all << (n ? (lines ? "\n" : ",\n") : "")
        << image_json(path, image, faces, solved, all_faces, calibration.json());
  }
  if (many && !lines) all << "]";
  emit(o.output, all.str() + "\n");
  return kOk;
}

int run_eval_noise(const EvalNoiseOptions& o) {
  FaceLandmarker landmarker = FaceLandmarker::create();
  NoiseMeasureOptions no;
  no.samples = o.samples;
  no.seed = o.seed;
  no.pose_gains = o.pose_gains;
  const LandmarkNoise noise = measure_landmark_noise(landmarker, no);
  double bias = 0, jitter = 0;
  for (std::size_t k = 0; k < kLandmarkCount; ++k) {
    const Point3 &b = noise.bias[k], &j = noise.jitter[k];
    bias += std::sqrt(b.x * b.x + b.y * b.y + b.z * b.z);
    jitter += std::sqrt(j.x * j.x + j.y * j.y + j.z * j.z);
  }
  std::fprintf(stderr,
               "landmark noise from %d detected renders: mean |bias| %.3f cm, mean |jitter| %.3f "
               "cm (face frame); RMS error %.3f cm, %.3f cm left after the expression, identity "
               "and pose gains (%.0f%% of the variance explained; %.0f%% on held-out renders)\n",
               noise.samples, bias / kLandmarkCount, jitter / kLandmarkCount, noise.raw_rms_cm,
               noise.residual_rms_cm,
               100.0 * (1.0 - double(noise.residual_rms_cm * noise.residual_rms_cm) /
                                  double(noise.raw_rms_cm * noise.raw_rms_cm)),
               100.0 * double(noise.heldout_explained));
  emit(o.output, landmark_noise_csv(noise));
  return kOk;
}

int run_eval_solver(const EvalSolverOptions& o) {
  if (o.samples < 1 || o.samples > 1000000)
    throw std::invalid_argument("eval solver: samples must be 1..1000000");
  if (o.images < 0 || o.images > 100000)
    throw std::invalid_argument("eval solver: images must be 0..100000");
  const Solver solver = load_solver(o.model);
  SynthOptions so;
  so.seed = o.seed;  // not a training seed: identities never seen in training
  so.identities = o.identities;
  so.stylised = o.stylised;
  const SynthGenerator gen = SynthGenerator::create(so);
  std::array<double, kBlendshapeCount> err{}, img_err{}, img_bias{}, fused_err{};
  double total = 0, img_total = 0, fused_total = 0;
  std::optional<Appearance> appearance;
  if (o.images > 0) appearance = load_appearance_option(o.appearance);
  for (int i = 0; i < o.samples; ++i) {
    const SynthSample s = gen.sample(std::uint64_t(i));
    const SolverResult r = solver.solve(s.landmarks);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const double e = std::fabs(r.coefficients.at(k) - s.coefficients.at(k));
      err[k] += e;
      total += e;
    }
  }
  // Through images: render -> landmarker -> solver, held-out identities and expressions.
  int detected = 0;
  if (o.images > 0) {
    FaceLandmarker landmarker = FaceLandmarker::create();
    ExpressionSamplerOptions eo;
    eo.seed = o.seed + 7;
    const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
    const float deg = float(kPi) / 180.0f;
    for (int i = 0; i < o.images; ++i) {
      const std::uint64_t id_seed = o.seed * 31337ull + std::uint64_t(i);
      const Rig rig = build_rig(o.stylised ? stylised_identity(id_seed) : sample_identity(id_seed));
      FaceFrame frame;
      frame.coefficients = sampler.at(std::uint64_t(i)).coefficients;
      // A deterministic spread of poses within ±30° yaw, ±20° pitch and roll.
      const double a = double(i) * 0.618033988749895;
      frame.head.yaw = float(std::sin(a * 6.2831853) * 30) * deg;
      frame.head.pitch = float(std::sin(a * 4.1) * 20) * deg;
      frame.head.roll = float(std::cos(a * 3.3) * 20) * deg;
      RenderOptions ro;
      ro.width = ro.height = 384;
      const RenderResult rr = render_face(rig, frame, ro);
      landmarker.reset();
      const auto faces = landmarker.detect(rr.image);
      if (faces.empty()) continue;
      ++detected;
      // What `semblend image` reads (its readings, no far-eye link: the poses stay within ±30°).
      const SolverResult r =
          solve_face(solver, rr.image, faces[0], {.link_far_eye = false},
                     still_image_readings(landmarker, rr.image, faces[0], o.readings));
      const Coefficients fused =
          appearance
              ? appearance->fuse(r.coefficients, appearance->estimate(rr.image, faces[0].points))
              : r.coefficients;
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
        const double signed_error = r.coefficients.at(k) - frame.coefficients.at(k);
        const double e = std::fabs(signed_error);
        img_bias[k] += signed_error;
        img_err[k] += e;
        img_total += e;
        const double f = std::fabs(fused.at(k) - frame.coefficients.at(k));
        fused_err[k] += f;
        fused_total += f;
      }
    }
  }
  const double n = o.samples;
  const double overall = total / (n * kBlendshapeCount);
  const double img_overall = detected ? img_total / (double(detected) * kBlendshapeCount) : NAN;
  // Overall without tongueOut and cheekPuff (which landmarks cannot see well; issue #6).
  auto visible_mean = [&](const std::array<double, kBlendshapeCount>& e, double count) {
    double s = 0;
    int m = 0;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
      const Blendshape b = blendshape_at(k);
      if (b == Blendshape::TongueOut || b == Blendshape::CheekPuff) continue;
      s += e[k] / count;
      ++m;
    }
    return s / m;
  };
  std::fprintf(stderr,
               "solver on %d held-out synthetic samples (landmark input): MAE %.4f (without "
               "tongueOut, cheekPuff: %.4f)\n",
               o.samples, overall, visible_mean(err, n));
  if (o.images > 0)
    std::fprintf(stderr,
                 "through images (render -> landmarker -> solver): %d of %d detected, MAE %.4f "
                 "(without tongueOut, cheekPuff: %.4f)\n",
                 detected, o.images, img_overall,
                 detected ? visible_mean(img_err, detected) : double(NAN));
  const double fused_overall =
      detected && appearance ? fused_total / (double(detected) * kBlendshapeCount) : NAN;
  if (o.images > 0 && appearance)
    std::fprintf(stderr,
                 "through images with the appearance branch fused (blinks, wide eyes, tongue, "
                 "cheek puff): MAE %.4f (without tongueOut, cheekPuff: %.4f)\n",
                 fused_overall, detected ? visible_mean(fused_err, detected) : double(NAN));
  std::ostringstream j;
  j << "{\"format\": \"semblend.eval.solver\", \"version\": 1, \"seed\": " << o.seed
    << ", \"stylised\": " << (o.stylised ? "true" : "false") << ", \"identities\": " << o.identities
    << ", \"samples\": " << o.samples << ", \"mae\": " << json_number(overall)
    << ", \"mae_visible\": " << json_number(visible_mean(err, n)) << ", \"images\": " << o.images
    << ", \"images_detected\": " << detected << ", \"image_mae\": " << json_number(img_overall)
    << ", \"image_mae_visible\": "
    << json_number(detected ? visible_mean(img_err, detected) : double(NAN))
    << ", \"image_mae_fused\": " << json_number(fused_overall) << ", \"per_shape\": {";
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    const std::string name(info(blendshape_at(k)).apple_name);
    j << (k ? ", " : "") << json_string(name) << ": {\"mae\": " << json_number(err[k] / n)
      << ", \"image_mae\": " << json_number(detected ? img_err[k] / detected : double(NAN))
      << ", \"image_bias\": " << json_number(detected ? img_bias[k] / detected : double(NAN))
      << ", \"image_mae_fused\": "
      << json_number(detected && appearance ? fused_err[k] / detected : double(NAN)) << "}";
    // Through images also the mean signed error: over-reading (+) or under-reading (-).
    std::fprintf(
        stderr, "  %-20s %.4f%s%s\n", name.c_str(), err[k] / n,
        detected ? ("  images " + json_number(img_err[k] / detected) + " (bias " +
                    json_number(img_bias[k] / detected) + ")")
                       .c_str()
                 : "",
        detected && appearance ? ("  fused " + json_number(fused_err[k] / detected)).c_str() : "");
  }
  j << "}}\n";
  if (!o.output.empty()) emit(o.output, j.str());
  return kOk;
}

}  // namespace semblend::cli
