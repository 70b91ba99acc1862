#include "commands.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <set>
#include <stdexcept>
#include <string_view>

#include "semblend/aligner.h"
#include "semblend/batch.h"
#include "semblend/dtw_aligner.h"
#include "semblend/expression_prior.h"
#include "semblend/face_model.h"
#include "semblend/gltf.h"
#include "semblend/preview.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "semblend/rig_eval.h"
#include "semblend/semblend.h"
#include "semblend/speech.h"
#include "semblend/speech_synthesis.h"
#include "semblend/video.h"

namespace semblend::cli {

TakeFormat named_format(const std::string& name) {
  if (auto f = format_from_name(name)) return *f;
  throw std::invalid_argument("unknown format \"" + name +
                              "\" (expected csv, json, jsonl, arkit or semanticface)");
}

namespace {

// The output format: --format wins, then the extension of -o, then `fallback`. The hint names
// --format only for a command that has it (`format_option`).
TakeFormat output_format(const std::optional<std::string>& to, const std::string& path,
                         TakeFormat fallback, bool format_option = false) {
  if (to) return named_format(*to);
  if (path.empty()) return fallback;
  if (auto f = format_for_extension(path)) return *f;
  throw std::invalid_argument("cannot tell the output format from \"" + path +
                              "\" (use .csv, .json or .jsonl" +
                              (format_option ? ", or --format)" : ")"));
}

// A streamed result: lines go to the output file as they are made (atomically: the file appears
// only when commit() succeeds), or straight to stdout.
class Sink {
 public:
  explicit Sink(const std::string& path) {
    if (!path.empty()) file_.emplace(path);
  }
  void write(std::string_view text) {
    if (file_) {
      file_->write(text);
    } else {
      std::fwrite(text.data(), 1, text.size(), stdout);
    }
  }
  void commit() {
    if (file_)
      file_->commit();
    else
      std::fflush(stdout);
  }

 private:
  std::optional<AtomicFileWriter> file_;
};

}  // namespace

void check_semantic_format(TakeFormat format) {
  if (format != TakeFormat::Json && format != TakeFormat::Jsonl)
    throw std::invalid_argument("--semantic needs a .json or .jsonl output (" +
                                std::string(format_name(format)) + " has no place for it)");
}

void attach_semantics(Take& take, TakeFormat format) {
  check_semantic_format(format);
  const auto descriptions = describe_take(take, /*smooth=*/true);
  for (std::size_t i = 0; i < take.frames.size(); ++i) take.frames[i].semantics = descriptions[i];
}

std::string without_path_prefix(const std::string& path, const std::string& message) {
  const std::string prefix = path + ": ";
  return message.rfind(prefix, 0) == 0 ? message.substr(prefix.size()) : message;
}

void emit(const std::string& path, const std::string& text) {
  Sink out(path);
  out.write(text);
  out.commit();
}

int run_convert(const ConvertOptions& o) {
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  ro.fps_if_unknown = o.input_fps;
  ro.timecode_rate = o.timecode_rate;
  const TakeFormat to = output_format(o.to, o.output, TakeFormat::Jsonl, true);
  if (to == TakeFormat::SemanticFace) throw std::invalid_argument("semanticface is read-only");

  Take take = read_take(o.input, ro);
  if (o.smooth) {
    SmoothOptions so;
    so.coefficients = {o.min_cutoff, o.beta, o.d_cutoff};
    take = smooth_take(take, so);
  }
  if (o.fps) take = resample_take(take, *o.fps);
  if (o.clamp)
    for (FaceFrame& f : take.frames) f.coefficients = f.coefficients.clamped();
  if (o.semantic) attach_semantics(take, to);
  // ARKit dictionaries hold the 52 shapes only: say what a recording's angles lose.
  if (to == TakeFormat::ArkitJson) {
    const bool angles = std::any_of(take.frames.begin(), take.frames.end(), [](const FaceFrame& f) {
      for (std::size_t c = 0; c < kPoseChannelCount; ++c)
        if (f.pose(PoseChannel(c)) != 0) return true;
      return false;
    });
    if (angles)
      std::fprintf(stderr,
                   "semblend convert: warning: %s: the head and eye angles are not written (ARKit "
                   "dictionaries hold the 52 shapes only; .csv, .json and .jsonl keep them)\n",
                   o.input.c_str());
  }
  emit(o.output, encode_take(take, to));
  std::fprintf(stderr, "semblend convert: %zu frames, %s -> %s\n", take.frames.size(),
               o.input.c_str(), o.output.empty() ? "stdout" : o.output.c_str());
  return kOk;
}

int run_info(const InfoOptions& o) {
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  const Take take = read_take(o.input, ro);
  const TakeSummary s = summarize(take);
  const bool json = o.json || extension_of(o.output) == "json";
  emit(o.output, json ? summary_json(s, o.input) : summary_text(s, o.input, o.top));
  return kOk;
}

int run_demo(const DemoOptions& o) {
  // Every output checked before the first is written: a bad one leaves none behind.
  std::vector<TakeFormat> formats;
  for (const std::string& path : o.outputs) {
    const auto format = format_for_extension(path);
    if (!format)
      throw std::invalid_argument("cannot tell the output format from \"" + path +
                                  "\" (use .csv, .json or .jsonl)");
    if (o.semantic) check_semantic_format(*format);
    resolve_output(path);
    formats.push_back(*format);
  }
  const DemoTake demo = make_demo_take(o.fps);
  for (std::size_t i = 0; i < o.outputs.size(); ++i) {
    const std::string& path = o.outputs[i];
    const TakeFormat format = formats[i];
    Take take = demo.take;
    if (o.semantic) attach_semantics(take, format);
    write_take(take, path, format);
    std::fprintf(stderr, "semblend demo: wrote %s (%s, %zu frames)\n", path.c_str(),
                 std::string(format_name(format)).c_str(), demo.take.frames.size());
  }
  std::printf("semblend demo take: %zu frames at %g fps, %.2f s\n", demo.take.frames.size(),
              demo.take.fps, demo.take.duration());
  std::fputs(describe_demo(demo).c_str(), stdout);
  return kOk;
}

int run_describe(const DescribeOptions& o) {
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  ro.fps_if_unknown = o.input_fps;
  const Take take = read_take(o.input, ro);
  std::string format = o.format;
  if (format != "jsonl" && format != "text" && format != "analysis")
    throw std::invalid_argument("unknown describe format \"" + format +
                                "\" (jsonl, text or analysis)");
  // The output's extension says what it holds: .jsonl the JSON lines, .txt the sentences (the
  // default format turns to text there) or the analysis. A device or stdout takes any.
  if (!o.output.empty() && !resolve_output(o.output).in_place) {
    const std::string ext = extension_of(o.output);
    if (ext == "txt" && format == "jsonl") format = "text";
    if (ext != "txt" && ext != "jsonl")
      throw std::invalid_argument(
          "describe writes .jsonl (--format jsonl) or .txt (text, "
          "analysis), not " +
          o.output);
    if ((ext == "jsonl") != (format == "jsonl"))
      throw std::invalid_argument("--format " + format + " does not go into " + o.output +
                                  (ext == "jsonl" ? " (use .txt)" : " (use .jsonl)"));
    check_writable(o.output);
  }
  SmootherOptions so;
  so.margin = o.margin;
  so.hold_seconds = o.hold;
  const auto descriptions = describe_take(take, o.smooth, so);
  std::string out;
  char stamp[32];
  for (std::size_t i = 0; i < descriptions.size(); ++i) {
    const FaceFrame& f = take.frames[i];
    const SemanticDescription& d = descriptions[i];
    if (format == "jsonl") {
      std::snprintf(stamp, sizeof stamp, "%.6g", f.time);
      std::string line = semantic_json(d);  // {"semantic_version":...}
      out += "{\"time\":" + std::string(stamp) + "," + line.substr(1) + "\n";
    } else {
      std::snprintf(stamp, sizeof stamp, "%8.3f s  ", f.time);
      out += stamp + (format == "text" ? sentence(d) : "\n" + analysis(d) + "\n") + "\n";
    }
  }
  emit(o.output, out);
  if (o.stats) std::fputs(stats_text(description_stats(take, descriptions)).c_str(), stderr);
  return kOk;
}

namespace {
// --mesh NAME (the CLI checks the names; this is the library's one table of them).
MeshModel mesh_model_option(const std::string& name) {
  const auto m = mesh_model_from_name(name);
  if (!m)
    throw std::invalid_argument("--mesh: unknown model \"" + name + "\" (facemesh, attention)");
  return *m;
}
}  // namespace

int run_landmarks(const LandmarksOptions& o) {
  namespace fs = std::filesystem;
  LandmarkerOptions lo;
  lo.model_dir = o.models;
  lo.max_faces = o.max_faces;
  lo.refine_iris = !o.no_iris;
  lo.mesh_model = mesh_model_option(o.mesh);
  if (o.inputs.empty()) throw std::invalid_argument("no input image or video");
  const bool video = o.inputs.size() == 1 && is_video_path(o.inputs[0]);
  // One JSON object per image or frame: a .json file holds one image's, .jsonl any number.
  if (!o.output.empty()) {
    const std::string ext = extension_of(o.output);
    if (ext != "json" && ext != "jsonl")
      throw std::invalid_argument("landmarks writes .json (one image) or .jsonl: " + o.output);
    if (ext == "json" && (video || o.inputs.size() > 1))
      throw std::invalid_argument("landmarks of " +
                                  std::string(video ? "a video" : "several images") +
                                  " are one JSON object per " + (video ? "frame" : "image") +
                                  ": write them to .jsonl, not " + o.output);
  }
  if (!o.overlay.empty()) {
    const bool dir_overlay = o.inputs.size() > 1;
    if (video && extension_of(o.overlay) != "mp4")
      throw std::invalid_argument("--overlay for a video must be an .mp4 file");
    if (!video && !dir_overlay && extension_of(o.overlay) != "png")
      throw std::invalid_argument("--overlay for an image must be a .png file");
    if (dir_overlay && !fs::is_directory(o.overlay))
      throw std::invalid_argument("--overlay for several images must be an existing directory");
    if (!video) check_pictures_distinct({{"--overlay", o.overlay}}, o.inputs);
  }
  FaceLandmarker landmarker = FaceLandmarker::create(lo);
  Sink out(o.output);
  if (video) {
    VideoReader reader = VideoReader::open(o.inputs[0]);
    std::optional<VideoWriter> writer;
    if (!o.overlay.empty())
      writer.emplace(o.overlay, reader.width(), reader.height(), reader.fps());
    Image frame;
    double time = 0;
    int n = 0, with_face = 0;
    const bool terminal = ::isatty(STDERR_FILENO) == 1;  // a log gets the summary line only
    while (reader.next(frame, time)) {
      const auto faces = landmarker.track(frame);
      with_face += !faces.empty();
      out.write(landmarks_json(faces, o.inputs[0], frame.width, frame.height, time) + "\n");
      if (writer) writer->write(draw_landmarks(frame, faces));
      if (++n % 30 == 0 && terminal) std::fprintf(stderr, "\rsemblend landmarks: %d frames", n);
    }
    if (n == 0) throw InputError(o.inputs[0], 0, 0, "the video has no decodable frames");
    if (writer) writer->close();
    std::fprintf(stderr, "%ssemblend landmarks: %d frames, a face in %d\n", terminal ? "\r" : "", n,
                 with_face);
  } else {
    for (const std::string& path : o.inputs) {
      const Image image = read_image(path);
      const auto faces = landmarker.detect(image);
      if (faces.empty())
        std::fprintf(stderr, "semblend landmarks: no face found in %s\n", path.c_str());
      out.write(landmarks_json(faces, path, image.width, image.height) + "\n");
      if (!o.overlay.empty()) {
        write_png(draw_landmarks(image, faces),
                  picture_path(o.overlay, "--overlay", path, o.inputs.size() > 1));
      }
    }
  }
  out.commit();
  return kOk;
}

int run_derive_neutral(const DeriveNeutralOptions& o) {
  LandmarkerOptions lo;  // always the second mesh pass: the path data/neutral_face.csv came from
  lo.refine_crop = CropRefinement::Always;
  FaceLandmarker landmarker = FaceLandmarker::create(lo);
  std::vector<std::array<Point3, kLandmarkCount>> faces, mirrored;
  for (const std::string& path : o.inputs) {
    const Image image = read_image(path);
    const auto a = landmarker.detect(image), b = landmarker.detect(flip_horizontal(image));
    if (a.size() != 1 || b.size() != 1)
      throw InputError(path, 0, 0, "needs exactly one face in the photo and in its mirror image");
    faces.push_back(a[0].points);
    mirrored.push_back(b[0].points);
  }
  const NeutralDerivation n = derive_neutral(faces, mirrored);
  emit(o.output, neutral_face_csv(n));
  std::fprintf(stderr, "semblend derive-neutral: %d faces, mean distance to the result %.3f cm\n",
               n.faces, n.rms_residual_cm);
  return kOk;
}

// Files as given; folders as their images (batch.h list_media).
std::vector<std::string> expand_image_inputs(const std::vector<std::string>& inputs) {
  std::vector<std::string> out;
  for (const std::string& in : inputs) {
    std::error_code ec;
    if (!std::filesystem::is_directory(in, ec)) {
      out.push_back(in);
      continue;
    }
    const std::vector<std::string> found = list_media(in, MediaKind::Image);
    if (found.empty()) throw InputError(in, 0, 0, "the folder holds no images");
    out.insert(out.end(), found.begin(), found.end());
  }
  return out;
}

// A face photo as a skin (render.h FaceTexture): the first face the landmarker finds in it.
std::shared_ptr<const FaceTexture> skin_from_photo(FaceLandmarker& landmarker,
                                                   const std::string& path) {
  const Image photo = read_image(path);
  landmarker.reset();
  const auto faces = landmarker.detect(photo);
  if (faces.empty()) throw InputError(path, 0, 0, "no face found for a skin photo");
  try {
    return std::make_shared<const FaceTexture>(face_texture_from_photo(photo, faces[0]));
  } catch (const std::invalid_argument& e) {
    throw InputError(path, 0, 0, e.what());
  }
}

int run_render(const RenderCommandOptions& o) {
  const std::string ext = extension_of(o.output);
  if (ext != "png" && ext != "mp4")
    throw std::invalid_argument("render writes a PNG (one frame) or an MP4 (a whole --take): " +
                                o.output + " must end in .png or .mp4");
  if (o.size < 128 || o.size > 1024)
    throw std::invalid_argument("--size must be 128..1024 pixels, got " + std::to_string(o.size));
  const Rig rig = o.identity_seed ? build_rig(o.stylised ? stylised_identity(*o.identity_seed)
                                                         : sample_identity(*o.identity_seed))
                                  : default_rig();
  if (ext == "mp4") {
    // The whole take, with its head pose, as a silent video (a clip with known coefficients).
    if (o.take.empty()) throw std::invalid_argument("an MP4 render needs --take");
    if (o.size % 2) throw std::invalid_argument("--size must be even for an MP4");
    if (o.contact_sheet || !o.weights.empty() || o.yaw || o.pitch || o.roll || !o.photo.empty() ||
        o.frame != 0)
      throw std::invalid_argument(
          "an MP4 render plays the take as it is: --contact-sheet, --set, --yaw/--pitch/--roll, "
          "--frame and --photo apply to PNG renders");
    const Take take = read_take(o.take);
    PreviewOptions po;
    po.width = po.height = o.size;
    po.render.skin = skin_tone(o.skin);
    po.rig = &rig;
    po.still_head = false;
    write_preview_video(take, "", o.output, po);
    std::fprintf(stderr, "semblend render: %zu frames at %g fps -> %s\n", take.frames.size(),
                 take.fps, o.output.c_str());
    return kOk;
  }
  RenderOptions ro;
  ro.width = ro.height = o.size;
  ro.skin = skin_tone(o.skin);
  if (!o.skin_photo.empty()) {
    FaceLandmarker landmarker = FaceLandmarker::create();
    ro.face_texture = skin_from_photo(landmarker, o.skin_photo);
  }
  if (o.contact_sheet) {
    write_png(render_contact_sheet(rig, o.tile, 1.0f, ro), o.output);
    std::fprintf(stderr, "semblend render: contact sheet of %zu shapes -> %s\n", kBlendshapeCount,
                 o.output.c_str());
    return kOk;
  }
  FaceFrame frame;
  if (!o.take.empty()) {
    const Take take = read_take(o.take);
    if (o.frame >= take.frames.size())
      throw std::invalid_argument(o.take + " has " + std::to_string(take.frames.size()) +
                                  " frames; --frame " + std::to_string(o.frame) +
                                  " is past the end");
    frame = take.frames[o.frame];
  }
  std::set<std::string> set_names;  // a shape given twice is a mistake, as in a JSON take
  for (const std::string& kv : o.weights) {
    const auto eq = kv.find('=');
    if (eq == std::string::npos)
      throw std::invalid_argument("--set expects NAME=VALUE, got \"" + kv + "\"");
    const std::string name = kv.substr(0, eq);
    const auto shape = blendshape_from_name(name);
    if (!shape) throw std::invalid_argument("--set: unknown blendshape \"" + name + "\"");
    if (!set_names.insert(name).second)
      throw std::invalid_argument("--set: " + name + " is given twice");
    float value = 0;
    const char* b = kv.data() + eq + 1;
    const auto r = std::from_chars(b, kv.data() + kv.size(), value);
    if (r.ec != std::errc() || r.ptr != kv.data() + kv.size() || !std::isfinite(value) ||
        value < -0.05f || value > 1.05f)
      throw std::invalid_argument("--set " + name + ": \"" + kv.substr(eq + 1) +
                                  "\" is not a coefficient in [0, 1]");
    frame.coefficients.set(*shape, value);
  }
  for (float v : frame.coefficients.values())
    if (v < -kCoefficientReadTolerance || v > 1 + kCoefficientReadTolerance)
      throw std::invalid_argument("coefficients must lie in [0, 1] to render");
  const float deg = float(kPi) / 180.0f;
  auto angle = [&](const std::optional<float>& a, float current, const char* what) {
    if (!a) return current;
    if (!std::isfinite(*a) || std::abs(*a) > 90)
      throw std::invalid_argument(std::string("--") + what + " must be within ±90 degrees");
    return *a * deg;
  };
  frame.head.yaw = angle(o.yaw, frame.head.yaw, "yaw");
  frame.head.pitch = angle(o.pitch, frame.head.pitch, "pitch");
  frame.head.roll = angle(o.roll, frame.head.roll, "roll");
  Image image = render_face(rig, frame, ro).image;
  if (!o.photo.empty()) image = side_by_side(read_image(o.photo), image);
  write_png(image, o.output);
  std::fprintf(stderr, "semblend render: %dx%d -> %s\n", image.width, image.height,
               o.output.c_str());
  return kOk;
}

// Dots of 3x3 pixels at each of the 468 mesh points.
void draw_points(Image& image, const auto& points, std::array<std::uint8_t, 3> colour) {
  for (std::size_t i = 0; i < kFaceMeshLandmarks; ++i) {
    const int cx = int(std::lround(points[i].x - 0.5f)), cy = int(std::lround(points[i].y - 0.5f));
    for (int y = cy - 1; y <= cy + 1; ++y)
      for (int x = cx - 1; x <= cx + 1; ++x)
        if (x >= 0 && y >= 0 && x < image.width && y < image.height)
          std::copy(colour.begin(), colour.end(),
                    image.rgb.begin() + 3 * (std::ptrdiff_t(y) * image.width + x));
  }
}

int run_eval_rig(const EvalRigOptions& o) {
  LandmarkerOptions lo;
  lo.mesh_model = mesh_model_option(o.mesh);
  FaceLandmarker landmarker = FaceLandmarker::create(lo);
  RenderDetectOptions ro;
  ro.samples = o.samples;
  ro.seed = o.seed;
  ro.size = o.size;
  ro.identities = o.identities;
  ro.expressions = o.expressions;
  ro.max_yaw_deg = o.max_yaw;
  ro.max_pitch_deg = o.max_pitch;
  ro.max_roll_deg = o.max_roll;
  for (const std::string& path : expand_image_inputs(o.skin_photos))
    ro.textures.push_back(skin_from_photo(landmarker, path));
  if (!o.overlays.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(o.overlays, ec);
    if (ec)
      throw IoError(IoError::Op::Write, o.overlays, "cannot create the folder: " + ec.message());
    ro.observe = [&](const RenderDetectSample& s, const RenderResult& r, const FaceLandmarks* f) {
      Image image = r.image;
      draw_points(image, r.landmarks, {40, 220, 60});
      if (f) draw_points(image, f->points, {230, 40, 40});
      char name[64];
      std::snprintf(name, sizeof name, "render_%04llu.png",
                    static_cast<unsigned long long>(s.index));
      write_png(image, (std::filesystem::path(o.overlays) / name).string());
    };
  }
  const RenderDetectReport report = evaluate_render_detect(landmarker, ro);
  std::fprintf(stderr,
               "render-and-detect: %zu renders (yaw ±%.0f°, pitch ±%.0f°, roll ±%.0f°), detected "
               "%.1f%%, landmark error / inter-ocular distance: median %.4f, p90 %.4f, max %.4f\n",
               report.samples.size(), ro.max_yaw_deg, ro.max_pitch_deg, ro.max_roll_deg,
               100 * report.detection_rate, report.median_error_iod, report.p90_error_iod,
               report.max_error_iod);
  std::fprintf(stderr, "  median by region:");
  for (std::size_t k = 0; k < kLandmarkRegionCount; ++k)
    std::fprintf(stderr, " %s %.4f", std::string(landmark_region_name(LandmarkRegion(k))).c_str(),
                 report.region_median_error_iod[k]);
  std::fprintf(stderr, "\n");
  std::vector<ShapeResponse> responses;
  if (o.responses) {
    responses = shape_responses(landmarker, o.size);
    std::fprintf(
        stderr, "shape responses (gain: 1 = the landmarks see the whole shape, 0 = none of it):\n");
    for (const ShapeResponse& r : responses)
      std::fprintf(stderr, "  %-20s gain %5.2f  (rig motion %.1f px)\n",
                   std::string(info(r.shape).apple_name).c_str(), r.gain, r.rendered_motion_px);
  }
  if (!o.output.empty()) emit(o.output, rig_eval_json(report, responses));
  return kOk;
}

int run_derive_prior(const DerivePriorOptions& o) {
  std::vector<Take> takes;
  std::vector<std::string> names;
  for (const std::string& path : o.inputs) {
    takes.push_back(read_take(path));
    names.push_back(std::filesystem::path(path).filename().string());
  }
  const ExpressionPrior prior = derive_expression_prior(takes, names);
  emit(o.output, expression_prior_json(prior));
  std::fprintf(stderr, "semblend derive-prior: %zu takes, %zu frames\n", takes.size(),
               prior.frames);
  return kOk;
}

int run_sample_expressions(const SampleExpressionsOptions& o) {
  ExpressionSamplerOptions so;
  so.seed = o.seed;
  so.prior_fraction = o.prior_fraction;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), so);
  Take take;
  take.fps = 30;
  take.metadata["source"] = "semblend sample-expressions";
  take.metadata["seed"] = std::to_string(o.seed);
  take.metadata["first"] = std::to_string(o.first);
  take.metadata["prior_fraction"] = std::to_string(o.prior_fraction);
  std::vector<Coefficients> values;
  for (const ExpressionSample& s : sampler.samples(o.first, o.count)) {
    FaceFrame f;
    f.time = double(take.frames.size()) / take.fps;
    f.coefficients = s.coefficients;
    f.source = std::string(expression_kind_name(s.kind));
    take.frames.push_back(std::move(f));
    values.push_back(s.coefficients);
  }
  emit(o.output, encode_take(take, output_format(std::nullopt, o.output, TakeFormat::Jsonl)));
  const auto cov = coverage(values);
  const auto least = std::min_element(cov.begin(), cov.end()) - cov.begin();
  std::fprintf(stderr,
               "semblend sample-expressions: %zu samples (seed %llu); coverage (>= %.1f) %.3f "
               "at least (%s)\n",
               o.count, static_cast<unsigned long long>(o.seed), double(kCoverageThreshold),
               double(cov[std::size_t(least)]),
               std::string(kBlendshapes[std::size_t(least)].apple_name).c_str());
  return kOk;
}

namespace {

// Aligns the audio (with the transcript when given; `reuse`, when not null, is the English
// aligner to use instead of a new one).
Alignment align_audio(const SpeechOptions& o, const Audio& audio, Aligner* reuse) {
  // "-": standard input (a recogniser's output piped in)
  const bool piped = o.transcript == "-";
  const std::string transcript = o.transcript.empty() ? ""
                                 : piped              ? read_file("/dev/stdin")
                                                      : read_file(o.transcript);
  const std::string transcript_name = piped ? "standard input" : o.transcript;
  AlignerOptions options;
  options.model_dir = o.models;
  options.language = o.lang;
  if (o.by_synthesis && !o.transcript.empty()) {
    SynthesisAlignerOptions so;
    so.language = o.lang;
    so.audio_name = o.audio;
    return align_by_synthesis(audio, transcript, so, transcript_name);
  }
  std::optional<Aligner> own;
  if (reuse == nullptr) reuse = &own.emplace(Aligner::create(options));
  return o.transcript.empty() ? reuse->recognize(audio)
                              : reuse->align(audio, transcript, transcript_name);
}

// align_audio, and what happened reported on stderr after `label`.
std::vector<TimedPhoneme> align_speech(const SpeechOptions& o, const Audio& audio, Aligner* aligner,
                                       const std::string& label) {
  const Alignment a = align_audio(o, audio, aligner);
  for (const std::string& w : a.warnings)
    std::fprintf(stderr, "semblend speech: %swarning: %s\n", label.c_str(), w.c_str());
  std::size_t phones = 0;
  for (const TimedPhoneme& p : a.phonemes) phones += p.phoneme != Phoneme::SIL;
  std::string method = alignment_method_name(a.method);
  if (a.method == AlignmentMethod::Transcript && !english_language(o.lang))
    method += " (" + o.lang + ", espeak-ng's " + espeak_voice_name(o.lang) + " phones)";
  const auto repaired = std::count_if(a.repairs.begin(), a.repairs.end(),
                                      [](const AlignmentRepair& r) { return r.replaced; });
  if (repaired > 0)
    method += " (" + std::to_string(repaired) + (repaired == 1 ? " stretch" : " stretches") +
              " merged with recognition)";
  std::fprintf(stderr,
               "semblend speech: %s%.2f s of audio, %s: %zu words, %zu phones (CPU %.2f s, "
               "real-time factor %.3f)\n",
               label.c_str(), a.audio_seconds, method.c_str(), a.words.size(), phones,
               a.cpu_seconds, a.audio_seconds > 0 ? a.cpu_seconds / a.audio_seconds : 0.0);
  return a.phonemes;
}

}  // namespace

int run_speech(const SpeechOptions& o) {
  if (!o.vmc.empty())
    throw std::invalid_argument(
        "--vmc sends live frames: use it with --stream (or play a take "
        "with `semblend play`)");
  if (o.phones.empty() && o.audio.empty())
    throw std::invalid_argument(
        "speech needs AUDIO (with --transcript TEXT or without) or --phones");
  if (!o.phones.empty() && !o.transcript.empty())
    throw std::invalid_argument("--phones and --transcript exclude each other");
  if (o.by_synthesis && english_language(o.lang))
    throw std::invalid_argument(
        "--by-synthesis is for other languages (--lang de, fr, ...): English is aligned with "
        "CMUdict");
  if (!english_language(o.lang) && !espeak_has_voice(o.lang))
    throw std::invalid_argument(
        "--lang \"" + o.lang +
        "\": espeak-ng has no such voice or language (espeak-ng --voices lists them)");
  if (!o.audio.empty() && is_batch_input({o.audio})) return run_speech_batch(o);
  refuse_batch_options(o.batch, o.audio, "AUDIO");
  // Outputs that cannot be written fail before any work.
  const TakeFormat to = output_format(std::nullopt, o.output, TakeFormat::Jsonl);
  if (o.semantic) check_semantic_format(to);
  if (!o.output.empty()) check_writable(o.output);
  if (!o.preview.empty()) {
    if (extension_of(o.preview) != "mp4")
      throw std::invalid_argument("--preview must be an .mp4 file, got \"" + o.preview + "\"");
    resolve_file_output(o.preview);
    check_writable(o.preview);
    check_encoder_program();  // not after the alignment
  }
  if (!o.alignment.empty()) {
    if (extension_of(o.alignment) != "json")
      throw std::invalid_argument("--alignment must be a .json file, got \"" + o.alignment + "\"");
    resolve_file_output(o.alignment);
    check_writable(o.alignment);
    if (!o.output.empty() && same_file(o.alignment, o.output))
      throw std::invalid_argument("--alignment and -o name the same file: " + o.output);
  }
  std::optional<Audio> audio;
  if (!o.audio.empty()) {
    audio = read_audio(o.audio);
    for (const std::string& w : audio->warnings)
      std::fprintf(stderr, "semblend speech: warning: %s: %s\n", o.audio.c_str(), w.c_str());
  }
  std::vector<TimedPhoneme> phones;
  const Take take = speech_take(o, audio ? &*audio : nullptr, nullptr, to, "", &phones);
  // The preview first: it is the step that can still fail (ffmpeg), and a failed run leaves no
  // take.
  if (!o.preview.empty()) {
    write_preview_video(take, o.audio, o.preview);
    std::fprintf(stderr, "semblend speech: preview -> %s\n", o.preview.c_str());
  }
  if (!o.alignment.empty()) {
    emit(o.alignment, encode_phone_alignment_json(phones));
    std::fprintf(stderr, "semblend speech: alignment -> %s\n", o.alignment.c_str());
  }
  emit(o.output, encode_take(take, to));
  std::fprintf(stderr, "semblend speech: %zu frames at %g fps\n", take.frames.size(), take.fps);
  return kOk;
}

Take speech_take(const SpeechOptions& o, const Audio* audio, Aligner* aligner, TakeFormat to,
                 const std::string& label, std::vector<TimedPhoneme>* phones_out) {
  auto phones = o.phones.empty() ? align_speech(o, *audio, aligner, label)
                                 : parse_phone_alignment_json(read_file(o.phones), o.phones);
  if (audio && !o.phones.empty()) {
    // With the audio, the take spans the whole recording (silence before and after the phones),
    // and an alignment that runs past the audio's end belongs to other audio.
    const double duration = audio->duration();
    if (phones.back().end > duration + 0.1)
      throw InputError(o.phones, 0, 0,
                       "the alignment ends at " + std::to_string(phones.back().end) + " s but " +
                           o.audio + " lasts " + std::to_string(duration) +
                           " s: they do not belong together");
    if (phones.front().start > 0)
      phones.insert(phones.begin(), TimedPhoneme{Phoneme::SIL, 0, phones.front().start, ""});
    if (phones.back().end < duration)
      phones.push_back(TimedPhoneme{Phoneme::SIL, phones.back().end, duration, ""});
  }
  if (phones_out != nullptr) *phones_out = phones;
  ArticulationOptions ao;
  ao.fps = o.fps;
  ao.coarticulation = !o.no_coarticulation;
  Take take = animate_phonemes(phones, ao);
  ProsodyOptions po;
  po.prosody = !o.no_prosody;
  po.blinks = !o.no_blinks;
  po.gaze = !o.no_gaze;
  po.seed = o.seed;
  take = apply_prosody(std::move(take), phones, audio, po);
  if (o.semantic) attach_semantics(take, to);
  return take;
}

int run_export_rig(const ExportRigOptions& o) {
  const std::string ext = extension_of(o.output);
  if (ext != "glb" && ext != "gltf")
    throw std::invalid_argument("cannot tell the glTF container from \"" + o.output +
                                "\" (use .glb or .gltf)");
  Identity identity;
  if (!o.identity.empty()) {
    const auto names = identity_parameter_names();
    auto values = identity_values(identity);
    for (const std::string& pair : o.identity) {
      const std::size_t eq = pair.find('=');
      const auto it = std::find(names.begin(), names.end(), pair.substr(0, eq));
      float value = 0;
      const char* end = pair.data() + pair.size();
      const auto parsed = eq == std::string::npos
                              ? std::from_chars_result{}
                              : std::from_chars(pair.data() + eq + 1, end, value);
      if (eq == std::string::npos || it == names.end() || parsed.ec != std::errc() ||
          parsed.ptr != end || !std::isfinite(value)) {
        std::string known;
        for (std::string_view n : names) known += (known.empty() ? "" : ", ") + std::string(n);
        throw std::invalid_argument("--identity \"" + pair +
                                    "\": expected NAME=NUMBER with NAME one of " + known);
      }
      values[static_cast<std::size_t>(it - names.begin())] = value;
    }
    identity = identity_from_values(values);
  }
  std::optional<Take> take;
  if (!o.take.empty()) {
    take = read_take(o.take);
    try {
      validate(*take);
    } catch (const std::invalid_argument& e) {
      throw InputError(o.take, 0, 0, e.what());
    }
  }
  std::optional<Rig> custom;
  if (!o.identity.empty()) custom = build_rig(identity);
  const Rig& rig = custom ? *custom : default_rig();
  GltfOptions go;
  if (take) {
    go.take = &*take;
    go.animation_name = std::filesystem::path(o.take).stem().string();
  }
  write_rig_gltf(rig, o.output, go);
  const std::string frames =
      take ? ", " + std::to_string(take->frames.size()) + " animation frames" : "";
  std::fprintf(
      stderr, "semblend export-rig: %zu vertices, %zu triangles, %zu morph targets%s -> %s\n",
      rig.vertex_count(), rig.triangles.size(), kBlendshapeCount, frames.c_str(), o.output.c_str());
  return kOk;
}

int run_train(const std::vector<std::string>& trainer_args) {
  std::error_code ec;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::fprintf(stderr, "semblend train: cannot find this executable's folder: %s\n",
                 ec.message().c_str());
    return kInternalError;
  }
  const std::filesystem::path trainer = self.parent_path() / "semblend_train";
  if (!std::filesystem::exists(trainer)) {
    std::fprintf(stderr,
                 "semblend train: %s was not built: the trainer needs libtorch (Debian's "
                 "libtorch-dev, which scripts/setup.sh installs) when CMake configures the "
                 "build (docs/solver.md)\n",
                 trainer.c_str());
    return kInternalError;
  }
  std::vector<std::string> args{trainer.string()};
  args.insert(args.end(), trainer_args.begin(), trainer_args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(trainer.c_str(), argv.data());  // returns only when it could not run the trainer
  std::fprintf(stderr, "semblend train: cannot run %s: %s\n", trainer.c_str(),
               std::strerror(errno));
  return kInternalError;
}

int run_schema(const SchemaOptions& o) {
  std::string format = o.format;
  if (format != "" && format != "markdown" && format != "json")
    throw std::invalid_argument("unknown schema format \"" + format + "\" (markdown or json)");
  // -o's extension says which (a device or stdout takes either).
  if (!o.output.empty() && !resolve_output(o.output).in_place) {
    const std::string ext = extension_of(o.output);
    const std::string named = ext == "json"                 ? "json"
                              : ext == "md" || ext == "txt" ? "markdown"
                                                            : "";
    if (named.empty())
      throw std::invalid_argument("schema writes .json (json) or .md, .txt (markdown), not " +
                                  o.output);
    if (!format.empty() && format != named)
      throw std::invalid_argument("--format " + format + " does not go into " + o.output);
    format = named;
  }
  if (format.empty() || format == "markdown") {
    emit(o.output, blendshape_table_markdown());
  } else {
    emit(o.output, blendshape_table_json());
  }
  return kOk;
}

}  // namespace semblend::cli
