#include "commands.h"

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string_view>

#include "semblend/face_model.h"
#include "semblend/semblend.h"
#include "semblend/speech.h"
#include "semblend/video.h"

namespace semblend::cli {
namespace {

TakeFormat named_format(const std::string& name) {
  if (auto f = format_from_name(name)) return *f;
  throw std::invalid_argument("unknown format \"" + name +
                              "\" (expected csv, json, jsonl, arkit or semanticface)");
}

// The output format: --format wins, then the extension of -o, then `fallback`.
TakeFormat output_format(const std::optional<std::string>& to, const std::string& path,
                         TakeFormat fallback) {
  if (to) return named_format(*to);
  if (path.empty()) return fallback;
  if (auto f = format_for_extension(path)) return *f;
  throw std::invalid_argument("cannot tell the output format from \"" + path +
                              "\" (use .csv, .json or .jsonl, or --format)");
}

// --semantic: smoothed semantic descriptions on every frame; only JSON-family outputs carry them.
void attach_semantics(Take& take, TakeFormat format) {
  if (format != TakeFormat::Json && format != TakeFormat::Jsonl)
    throw std::invalid_argument("--semantic needs a .json or .jsonl output (" +
                                std::string(format_name(format)) + " has no place for it)");
  const auto descriptions = describe_take(take, /*smooth=*/true);
  for (std::size_t i = 0; i < take.frames.size(); ++i) take.frames[i].semantics = descriptions[i];
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

// A whole result at once: atomically to `path`, or to stdout.
void emit(const std::string& path, const std::string& text) {
  Sink out(path);
  out.write(text);
  out.commit();
}

}  // namespace

int run_convert(const ConvertOptions& o) {
  ReadOptions ro;
  if (o.from) ro.format = named_format(*o.from);
  ro.fps_if_unknown = o.input_fps;
  ro.timecode_rate = o.timecode_rate;
  const TakeFormat to = output_format(o.to, o.output, TakeFormat::Jsonl);
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
  const DemoTake demo = make_demo_take(o.fps);
  for (const std::string& path : o.outputs) {
    const auto format = format_for_extension(path);
    if (!format)
      throw std::invalid_argument("cannot tell the output format from \"" + path +
                                  "\" (use .csv, .json or .jsonl)");
    Take take = demo.take;
    if (o.semantic) attach_semantics(take, *format);
    write_take(take, path, *format);
    std::fprintf(stderr, "semblend demo: wrote %s (%s, %zu frames)\n", path.c_str(),
                 std::string(format_name(*format)).c_str(), demo.take.frames.size());
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
  if (const std::string ext = extension_of(o.output); ext == "txt") format = "text";
  if (format != "jsonl" && format != "text" && format != "analysis")
    throw std::invalid_argument("unknown describe format \"" + format +
                                "\" (jsonl, text or analysis)");
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

int run_landmarks(const LandmarksOptions& o) {
  namespace fs = std::filesystem;
  LandmarkerOptions lo;
  lo.model_dir = o.models;
  lo.max_faces = o.max_faces;
  lo.refine_iris = !o.no_iris;
  if (o.inputs.empty()) throw std::invalid_argument("no input image or video");
  const bool video = o.inputs.size() == 1 && is_video_path(o.inputs[0]);
  if (!o.overlay.empty()) {
    const bool dir_overlay = o.inputs.size() > 1;
    if (video && extension_of(o.overlay) != "mp4")
      throw std::invalid_argument("--overlay for a video must be an .mp4 file");
    if (!video && !dir_overlay && extension_of(o.overlay) != "png")
      throw std::invalid_argument("--overlay for an image must be a .png file");
    if (dir_overlay && !fs::is_directory(o.overlay))
      throw std::invalid_argument("--overlay for several images must be an existing directory");
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
    while (reader.next(frame, time)) {
      const auto faces = landmarker.track(frame);
      with_face += !faces.empty();
      out.write(landmarks_json(faces, o.inputs[0], frame.width, frame.height, time) + "\n");
      if (writer) writer->write(draw_landmarks(frame, faces));
      if (++n % 30 == 0) std::fprintf(stderr, "\rsemblend landmarks: %d frames", n);
    }
    if (n == 0) throw InputError(o.inputs[0], 0, 0, "the video has no decodable frames");
    if (writer) writer->close();
    std::fprintf(stderr, "\rsemblend landmarks: %d frames, a face in %d\n", n, with_face);
  } else {
    for (const std::string& path : o.inputs) {
      const Image image = read_image(path);
      const auto faces = landmarker.detect(image);
      if (faces.empty())
        std::fprintf(stderr, "semblend landmarks: no face found in %s\n", path.c_str());
      out.write(landmarks_json(faces, path, image.width, image.height) + "\n");
      if (!o.overlay.empty()) {
        const std::string target =
            o.inputs.size() > 1
                ? (fs::path(o.overlay) / (fs::path(path).stem().string() + ".png")).string()
                : o.overlay;
        write_png(draw_landmarks(image, faces), target);
      }
    }
  }
  out.commit();
  return kOk;
}

int run_derive_neutral(const DeriveNeutralOptions& o) {
  FaceLandmarker landmarker = FaceLandmarker::create();
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

int run_speech(const SpeechOptions& o) {
  if (o.phones.empty())
    throw std::invalid_argument(
        "speech needs --phones ALIGNMENT.json for now: aligning audio itself (pocketsphinx) is not "
        "built yet");
  auto phones = parse_phone_alignment_json(read_file(o.phones), o.phones);
  if (!o.audio.empty()) {
    // With the audio, the take spans the whole recording (silence before and after the phones),
    // and an alignment that runs past the audio's end belongs to other audio.
    const Audio audio = read_audio(o.audio);
    const double duration = audio.duration();
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
  ArticulationOptions ao;
  ao.fps = o.fps;
  ao.coarticulation = !o.no_coarticulation;
  Take take = animate_phonemes(phones, ao);
  const TakeFormat to = output_format(std::nullopt, o.output, TakeFormat::Jsonl);
  if (o.semantic) attach_semantics(take, to);
  emit(o.output, encode_take(take, to));
  std::fprintf(stderr, "semblend speech: %zu phones -> %zu frames at %g fps\n", phones.size(),
               take.frames.size(), take.fps);
  return kOk;
}

int run_schema(const SchemaOptions& o) {
  if (o.format == "markdown") {
    emit(o.output, blendshape_table_markdown());
  } else if (o.format == "json") {
    emit(o.output, blendshape_table_json());
  } else {
    throw std::invalid_argument("unknown schema format \"" + o.format + "\" (markdown or json)");
  }
  return kOk;
}

}  // namespace semblend::cli
