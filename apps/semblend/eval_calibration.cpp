// `semblend eval calibration`: what per-person neutral calibration (calibration.h) does where the
// truth is known. Rig identities (typical or stylised) are rendered neutral and with expressions
// at varied poses, read back by the landmarker, and solved four ways: raw, rest correction (the
// profile `semblend calibrate` writes by default), landmark offset only, both. Then the running
// estimate (RestEstimator) on the demo performance rendered on each identity, against raw.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>

#include "commands.h"
#include "semblend/calibration.h"
#include "semblend/demo.h"
#include "semblend/expression_prior.h"
#include "semblend/render.h"
#include "semblend/semblend.h"
#include "solve_view.h"

namespace semblend::cli {
namespace {

constexpr int kModes = 4;
constexpr float kStill = 0.15f;  // a relaxed face reads "still" when no shape exceeds this
constexpr const char* kModeNames[kModes] = {"raw", "rest", "offset", "offset+rest"};

struct Accum {
  double sum = 0;
  long n = 0;
  void add(double v) {
    sum += v;
    ++n;
  }
  double mean() const { return n ? sum / double(n) : double(NAN); }
};

using Points = std::array<Point3, kLandmarkCount>;

// A held-out face as `semblend image` reads it: the detection's points and the further readings
// (face_pipeline.h still_image_readings).
struct Reading {
  Points points{};
  std::vector<Points> more;
};

// Renders `frame` on `rig` and returns the first face's landmarks (false if none found); with
// `copies` > 0 also the landmarker's jittered copies of that render (detect_jittered), appended
// to `jittered`; with `readings` > 1 the further readings `semblend image` takes, into `more`.
bool landmarks_of(const Rig& rig, const FaceFrame& frame, int size, FaceLandmarker& landmarker,
                  Points& out, int copies = 0, std::vector<Points>* jittered = nullptr,
                  int readings = 1, std::vector<Points>* more = nullptr) {
  RenderOptions ro;
  ro.width = ro.height = size;
  const RenderResult rr = render_face(rig, frame, ro);
  landmarker.reset();
  const auto faces = landmarker.detect(rr.image);
  if (faces.empty()) return false;
  out = faces[0].points;
  if (jittered && copies > 0) {
    JitterOptions jo;
    jo.copies = copies;
    const auto copied = detect_jittered(landmarker, rr.image, faces[0], jo);
    jittered->insert(jittered->end(), copied.begin(), copied.end());
  }
  if (more) *more = still_image_readings(landmarker, rr.image, faces[0], readings);
  return true;
}

bool read_face(const Rig& rig, const FaceFrame& frame, int size, FaceLandmarker& landmarker,
               int readings, Reading& out) {
  return landmarks_of(rig, frame, size, landmarker, out.points, 0, nullptr, readings, &out.more);
}

struct PoseDeg {
  float yaw, pitch, roll;
};
// The user's neutral photos: frontal-ish, slightly turned; then turned about 20° either way
// (--wide-neutrals).
constexpr PoseDeg kNeutralPoses[] = {{4, -3, 1}, {-6, 2, -2}, {20, 4, 2}, {-20, 5, -3}};

FaceFrame posed(const Coefficients& c, float yaw_deg, float pitch_deg, float roll_deg) {
  FaceFrame f;
  f.coefficients = c;
  f.head.yaw = yaw_deg * kDeg;
  f.head.pitch = pitch_deg * kDeg;
  f.head.roll = roll_deg * kDeg;
  return f;
}

FaceFrame posed(const Coefficients& c, PoseDeg p) {
  return posed(c, p.yaw, p.pitch, p.roll);
}

double mae(const Coefficients& a, const Coefficients& b) {
  double s = 0;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) s += std::fabs(a.at(k) - b.at(k));
  return s / kBlendshapeCount;
}

float max_of(const Coefficients& c) {
  return *std::max_element(c.values().begin(), c.values().end());
}

}  // namespace

int run_eval_calibration(const EvalCalibrationOptions& o) {
  if (o.identities < 1 || o.identities > 1000)
    throw std::invalid_argument("eval calibration: identities must be 1..1000");
  if (o.expressions < 1 || o.expressions > 10000)
    throw std::invalid_argument("eval calibration: expressions must be 1..10000");
  const float turned_weight = turned_offset_weight(o.offset_weight, o.offset_weight_turned);
  const Solver solver = load_solver(o.model);
  FaceLandmarker landmarker = FaceLandmarker::create();
  ExpressionSamplerOptions eo;
  eo.seed = o.seed + 11;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
  const DemoTake demo = make_demo_take(o.clip_fps > 0 ? o.clip_fps : 10);
  Coefficients blink;
  blink.set(Blendshape::EyeBlinkLeft, 1);
  blink.set(Blendshape::EyeBlinkRight, 1);

  Accum expr[kModes], neutral_max[kModes], neutral_mean[kModes], blink_min[kModes];
  Accum clip_raw, clip_auto, clip_rest_raw, clip_rest_auto;
  Accum near_max[kModes];
  float worst_neutral[kModes] = {}, worst_near[kModes] = {};
  // Held-out relaxed faces (frontal and turned) whose every reading is at most 0.15 (issue #7's
  // target for a calibrated neutral face).
  int still[kModes] = {}, relaxed = 0;
  // The profile's neutral photos: the first two, or all with --wide-neutrals.
  const std::size_t profile_poses = o.wide_neutrals ? std::size(kNeutralPoses) : 2;
  std::string profile_text = std::to_string(profile_poses) + " neutral renders (yaw ";
  for (std::size_t k = 0; k < profile_poses; ++k)
    profile_text += (k ? "°, " : "") + std::to_string(int(kNeutralPoses[k].yaw));
  const std::string rest_text =
      o.rest_quantile >= 1
          ? "largest"
          : std::to_string(int(std::lround(o.rest_quantile * 100))) + "th percentile";
  char weight_text[160];
  std::snprintf(weight_text, sizeof weight_text,
                "°) and %d jittered copies of each, landmark offset x%.2f (x%.2f from 20° away), "
                "rest at the %s reading",
                o.jitter, o.offset_weight, turned_weight, rest_text.c_str());
  profile_text += weight_text;
  int used = 0;
  for (int i = 0; i < o.identities; ++i) {
    const std::uint64_t id_seed = o.seed * 7919ull + std::uint64_t(i);
    const Rig rig = build_rig(o.stylised ? stylised_identity(id_seed) : sample_identity(id_seed));
    // The user's neutral photo: frontal-ish, slightly turned.
    // Held out: the same relaxed face nearly frontal (another photo), and turned (15°, 8°, 5°).
    Points n0, n1;
    Reading near, held;
    std::vector<Points> copies;  // the photos' jittered copies
    if (!landmarks_of(rig, posed({}, kNeutralPoses[0]), o.size, landmarker, n0, o.jitter,
                      &copies) ||
        !landmarks_of(rig, posed({}, kNeutralPoses[1]), o.size, landmarker, n1, o.jitter,
                      &copies) ||
        !read_face(rig, posed({}, -1, -1, 0), o.size, landmarker, o.readings, near) ||
        !read_face(rig, posed({}, 15, 8, 5), o.size, landmarker, o.readings, held))
      continue;
    ++used;
    std::vector<Points> neutrals{n0, n1};
    for (std::size_t k = 2; k < profile_poses; ++k) {  // --wide-neutrals: for the same profile
      Points lm;
      if (landmarks_of(rig, posed({}, kNeutralPoses[k]), o.size, landmarker, lm, o.jitter, &copies))
        neutrals.push_back(lm);
    }
    neutrals.insert(neutrals.end(), copies.begin(), copies.end());
    NeutralOptions rest_options;
    rest_options.landmark_offset = false;
    rest_options.rest_quantile = o.rest_quantile;
    const NeutralProfile rest_only = profile_from_neutral(solver, neutrals, rest_options);
    NeutralOptions both_options;
    both_options.offset_weight = o.offset_weight;
    both_options.offset_weight_turned = turned_weight;
    both_options.rest_quantile = o.rest_quantile;
    const NeutralProfile both = profile_from_neutral(solver, neutrals, both_options);
    NeutralProfile offset_only = both;
    offset_only.rest = offset_only.turned_rest = {};
    const NeutralProfile* profiles[kModes] = {nullptr, &rest_only, &offset_only, &both};
    // As `semblend image` solves (face_pipeline.h solve_face; the poses here stay within ±25°
    // of yaw, where the far eye is not linked).
    auto solve_mode = [&](int m, const Reading& r) {
      FaceLandmarks face;
      face.points = r.points;
      return solve_face(solver, Image{}, face, {.profile = profiles[m], .link_far_eye = false},
                        r.more)
          .coefficients;
    };
    // Neutrals the profile did not see.
    relaxed += 2;
    for (int m = 0; m < kModes; ++m) {
      const Coefficients cn = solve_mode(m, near);
      near_max[m].add(max_of(cn));
      worst_near[m] = std::max(worst_near[m], max_of(cn));
      still[m] += max_of(cn) <= kStill;
      const Coefficients c = solve_mode(m, held);
      neutral_max[m].add(max_of(c));
      neutral_mean[m].add(mae(c, {}));
      worst_neutral[m] = std::max(worst_neutral[m], max_of(c));
      still[m] += max_of(c) <= kStill;
      if (o.verbose) {
        std::fprintf(stderr, "\n  id %d %-12s", i, kModeNames[m]);
        for (const auto& [label, read] : {std::pair{"frontal:", &cn}, std::pair{" turned:", &c}}) {
          std::fputs(label, stderr);
          for (std::size_t k = 0; k < kBlendshapeCount; ++k)
            if (read->at(k) > 0.15f)
              std::fprintf(stderr, " %s %.2f",
                           std::string(info(blendshape_at(k)).apple_name).c_str(), read->at(k));
        }
      }
    }
    // A true blink must survive.
    Reading lb;
    if (read_face(rig, posed(blink, -5, 4, 0), o.size, landmarker, o.readings, lb))
      for (int m = 0; m < kModes; ++m) {
        const Coefficients c = solve_mode(m, lb);
        blink_min[m].add(std::min(c[Blendshape::EyeBlinkLeft], c[Blendshape::EyeBlinkRight]));
      }
    // Expressions at a spread of poses.
    for (int e = 0; e < o.expressions; ++e) {
      const std::uint64_t key = std::uint64_t(i) * 1000003ull + std::uint64_t(e);
      const double a = double(key % 9973) * 0.618033988749895;
      const Coefficients truth = sampler.at(key).coefficients;
      Reading lm;
      if (!read_face(rig,
                     posed(truth, float(std::sin(a * 6.28) * 25), float(std::sin(a * 4.1) * 15),
                           float(std::cos(a * 3.3) * 10)),
                     o.size, landmarker, o.readings, lm))
        continue;
      for (int m = 0; m < kModes; ++m) expr[m].add(mae(solve_mode(m, lm), truth));
    }
    // The running estimate on the demo performance (no neutral photo given).
    if (o.clip_fps > 0) {
      RestEstimator est;
      for (const FaceFrame& f : demo.take.frames) {
        Points lm;  // video frames are read once (face_pipeline.h)
        if (!landmarks_of(rig, f, o.size, landmarker, lm)) continue;
        const Coefficients raw = solver.solve(lm).coefficients;
        const Coefficients cal = est.update(raw);
        clip_raw.add(mae(raw, f.coefficients));
        clip_auto.add(mae(cal, f.coefficients));
        if (max_of(f.coefficients) < 0.05f) {  // the take's resting frames
          clip_rest_raw.add(max_of(raw));
          clip_rest_auto.add(max_of(cal));
        }
      }
    }
    std::fprintf(stderr, "\r  identity %d/%d", i + 1, o.identities);
  }
  std::fprintf(stderr, "\n");
  if (used == 0) throw std::runtime_error("eval calibration: the landmarker found no face");

  std::ostringstream j;
  j << "{\"format\": \"semblend.eval.calibration\", \"version\": 1, \"seed\": " << o.seed
    << ", \"stylised\": " << (o.stylised ? "true" : "false")
    << ", \"wide_neutrals\": " << (o.wide_neutrals ? "true" : "false")
    << ", \"offset_weight\": " << o.offset_weight << ", \"offset_weight_turned\": " << turned_weight
    << ", \"jitter\": " << o.jitter << ", \"rest_quantile\": " << o.rest_quantile
    << ", \"identities\": " << used << ", \"expressions_per_identity\": " << o.expressions
    << ", \"modes\": {";
  std::fprintf(stderr,
               "%d %s identities; the profile from %s; held-out neutrals nearly "
               "frontal and turned (15°, 8°, 5°): mean and worst of their largest reading, and "
               "how many read at most 0.15 everywhere\n"
               "  %-12s %10s %12s %12s %12s %12s %10s %10s\n",
               used, o.stylised ? "stylised" : "typical", profile_text.c_str(), "mode", "expr. MAE",
               "frontal max", "worst", "turned max", "worst", "<= 0.15", "blink min");
  for (int m = 0; m < kModes; ++m) {
    char still_text[32];
    std::snprintf(still_text, sizeof still_text, "%d/%d", still[m], relaxed);
    std::fprintf(stderr, "  %-12s %10.4f %12.3f %12.3f %12.3f %12.3f %10s %10.3f\n", kModeNames[m],
                 expr[m].mean(), near_max[m].mean(), worst_near[m], neutral_max[m].mean(),
                 worst_neutral[m], still_text, blink_min[m].mean());
    j << (m ? ", " : "") << "\"" << kModeNames[m]
      << "\": {\"expression_mae\": " << json_number(expr[m].mean())
      << ", \"neutral_mae\": " << json_number(neutral_mean[m].mean())
      << ", \"frontal_neutral_max_mean\": " << json_number(near_max[m].mean())
      << ", \"frontal_neutral_max_worst\": " << json_number(worst_near[m])
      << ", \"neutral_max_mean\": " << json_number(neutral_max[m].mean())
      << ", \"neutral_max_worst\": " << json_number(worst_neutral[m])
      << ", \"relaxed_still\": " << still[m] << ", \"relaxed\": " << relaxed
      << ", \"blink_min_mean\": " << json_number(blink_min[m].mean()) << "}";
  }
  j << "}";
  if (o.clip_fps > 0) {
    std::fprintf(stderr,
                 "running estimate on the demo performance (%.0f fps, %ld frames): MAE raw %.4f, "
                 "auto %.4f; resting frames' largest reading raw %.3f, auto %.3f\n",
                 o.clip_fps, clip_raw.n, clip_raw.mean(), clip_auto.mean(), clip_rest_raw.mean(),
                 clip_rest_auto.mean());
    j << ", \"clip\": {\"fps\": " << json_number(o.clip_fps) << ", \"frames\": " << clip_raw.n
      << ", \"mae_raw\": " << json_number(clip_raw.mean())
      << ", \"mae_auto\": " << json_number(clip_auto.mean())
      << ", \"rest_max_raw\": " << json_number(clip_rest_raw.mean())
      << ", \"rest_max_auto\": " << json_number(clip_rest_auto.mean()) << "}";
  }
  j << "}\n";
  if (!o.output.empty()) emit(o.output, j.str());
  return kOk;
}

}  // namespace semblend::cli
