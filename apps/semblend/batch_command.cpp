// `semblend image|video|speech FOLDER|MANIFEST` (commands.h BatchOptions, docs/batch.md): the
// batch is planned (batch.h: listing, shard, validation, finished outputs), then run on a pool of
// workers, each with its own landmarker (landmarker.h: one per thread) and the one shared solver
// (its solve() is thread-safe), or for speech its own aligner (aligner.h: one per thread). A failed
// item is one stderr line naming the file; the others go on. The last line sums up; the exit code
// is 0 when nothing failed, else the code (docs/cli.md) of the first failure: validation failures
// in list order first, then failed runs in list order.
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "commands.h"
#include "semblend/aligner.h"
#include "semblend/audio.h"
#include "semblend/batch.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/image.h"
#include "semblend/landmarker.h"
#include "semblend/solver.h"
#include "solve_view.h"
#include "video_solve.h"

namespace semblend::cli {
namespace {

namespace fs = std::filesystem;

int code_of(BatchErrorKind kind) {
  switch (kind) {
    case BatchErrorKind::InputMissing:
      return kInputUnreadable;
    case BatchErrorKind::ManifestLine:
      return kInputMalformed;
    case BatchErrorKind::OutputUnwritable:
      return kOutputUnwritable;
    case BatchErrorKind::DuplicateOutput:
    case BatchErrorKind::OutputFormat:
      return kInvalidValue;
  }
  return kInternalError;
}

// The exit code main.cpp would give the exception.
int code_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const InputError&) {
    return kInputMalformed;
  } catch (const IoError& io) {
    return io.op() == IoError::Op::Read ? kInputUnreadable : kOutputUnwritable;
  } catch (const std::invalid_argument&) {
    return kInvalidValue;
  } catch (...) {
    return kInternalError;
  }
}

std::string what_of(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
    return "unknown error";
  }
}

// One item's work done: how many frames (or images) it solved and, when that is not the item's
// output alone (one take per face), the files it wrote, for the log.
struct ItemDone {
  std::size_t count = 0;
  std::vector<std::string> written;
};
// One item: the work (throws to fail the item).
using Worker = std::function<ItemDone(const BatchItem&)>;
// Makes one worker per thread, on that thread (a landmarker each).
using WorkerFactory = std::function<Worker()>;

// Folders of the output made (a manifest may name new ones); their failure is the item's.
void make_parent(const std::string& output) {
  const fs::path dir = fs::path(output).parent_path();
  std::error_code ec;
  if (!dir.empty() && !fs::is_directory(dir, ec) && !fs::create_directories(dir, ec) && ec)
    throw IoError(IoError::Op::Write, output, "cannot make its folder: " + ec.message());
}

// Runs the plan's todo items on `jobs` threads and prints the summary; returns the exit code.
// Their output folders are made first, and a file tried in each (once per folder), so an output
// that cannot be written (a read-only file system, /proc) fails its item before any work, not
// after it.
int run_plan(const char* command, const BatchPlan& planned, const Shard& shard, int jobs,
             const WorkerFactory& make, const char* unit) {
  BatchPlan plan = planned;
  plan.todo.clear();
  std::map<std::string, std::string> folder_problem;  // folder -> why it fails ("" = writable)
  for (const BatchItem& item : planned.todo) {
    const std::string folder = fs::path(path_identity(item.output)).parent_path().string();
    auto [at, first] = folder_problem.try_emplace(folder);
    if (first) {
      try {
        make_parent(item.output);
        check_writable(item.output);
      } catch (const IoError& e) {
        at->second = e.problem();
      }
    }
    if (at->second.empty())
      plan.todo.push_back(item);
    else
      plan.errors.push_back({item, BatchErrorKind::OutputUnwritable,
                             item.origin + ": cannot write " + item.output + ": " + at->second});
  }
  std::mutex log;
  for (const BatchError& e : plan.errors)
    std::fprintf(stderr, "semblend: error: %s\n", e.message.c_str());
  const std::size_t total = plan.todo.size();
  std::vector<std::exception_ptr> failed(total);
  std::atomic<std::size_t> next{0}, frames{0}, completed{0};
  std::exception_ptr fatal;  // a worker that cannot start (models missing): the batch stops
  const auto start = std::chrono::steady_clock::now();
  auto work = [&] {
    std::optional<Worker> worker;
    try {
      worker.emplace(make());
    } catch (...) {
      std::lock_guard lock(log);
      if (!fatal) fatal = std::current_exception();
      next = total;  // the others stop after their current item
      return;
    }
    for (std::size_t i; (i = next++) < total;) {
      const BatchItem& item = plan.todo[i];
      const auto t0 = std::chrono::steady_clock::now();
      ItemDone done;
      try {
        done = (*worker)(item);
        frames += done.count;
      } catch (...) {
        failed[i] = std::current_exception();
      }
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      const std::size_t k = ++completed;
      std::lock_guard lock(log);
      if (failed[i]) {
        const std::string what = what_of(failed[i]);
        const bool named = what.find(item.input) != std::string::npos;
        std::fprintf(stderr, "semblend: error: %s%s\n", named ? "" : (item.origin + ": ").c_str(),
                     what.c_str());
      } else {
        std::string wrote = done.written.empty() ? item.output : "";
        for (const std::string& w : done.written) wrote += (wrote.empty() ? "" : ", ") + w;
        std::fprintf(stderr, "semblend %s: [%zu/%zu] %s -> %s: %zu %s, %.2f s\n", command, k, total,
                     item.input.c_str(), wrote.c_str(), done.count, unit, s);
      }
    }
  };
  const unsigned threads =
      unsigned(std::clamp<std::size_t>(std::size_t(jobs), 1, std::max<std::size_t>(total, 1)));
  if (total > 0) {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (std::thread& t : pool) t.join();
  }
  if (fatal) std::rethrow_exception(fatal);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const auto runs_failed =
      std::size_t(std::count_if(failed.begin(), failed.end(), [](const auto& e) { return !!e; }));
  std::fprintf(stderr,
               "semblend %s: batch: %zu done, %zu skipped (finished), %zu failed; %zu %s in %.2f "
               "s (%.1f %s/s, %u worker%s)",
               command, total - runs_failed, plan.finished.size(), plan.errors.size() + runs_failed,
               frames.load(), unit, seconds, seconds > 0 ? double(frames.load()) / seconds : 0.0,
               unit, total > 0 ? threads : 0u, total > 0 && threads == 1 ? "" : "s");
  if (shard.count > 1)
    std::fprintf(stderr, "; shard %u/%u, %zu items in other shards", shard.index, shard.count,
                 plan.other_shards);
  std::fprintf(stderr, "\n");
  if (!plan.errors.empty()) return code_of(plan.errors.front().kind);
  for (const auto& e : failed)
    if (e) return code_of(e);
  return kOk;
}

// The batch's list: a folder's media or a manifest's lines.
// A folder with nothing of the kind is an error, as a manifest that lists nothing is: most likely
// the wrong folder or the wrong command (`speech` on a folder of videos).
BatchList list_items(const std::string& input, MediaKind kind, const BatchOptions& b,
                     const std::string& extension) {
  if (fs::is_directory(input)) {
    BatchList list = list_folder(input, kind, b.out_dir, extension, b.recursive);
    if (list.items.empty())
      throw InputError(
          input, 0, 0,
          std::string("the folder holds no ") +
              (kind == MediaKind::Image   ? "images"
               : kind == MediaKind::Video ? "videos"
                                          : "audio recordings") +
              " (docs/batch.md lists the extensions)" +
              (b.recursive ? "" : "; --recursive looks in its subfolders") +
              (kind == MediaKind::Audio ? "; for videos' sound, list them in a manifest" : ""));
    return list;
  }
  if (b.recursive) throw std::invalid_argument("--recursive is for a folder, not a manifest");
  return read_manifest(input, b.out_dir, extension);
}

// --jobs, by default the CPUs this process may run on (a Slurm task's cpuset, taskset), else
// the hardware's threads.
int jobs_of(const BatchOptions& b) {
  if (b.jobs < 0) throw std::invalid_argument("--jobs must be 1 or more");
  if (b.jobs > 0) return b.jobs;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return CPU_COUNT(&set);
  return int(std::max(1u, std::thread::hardware_concurrency()));
}

// --format of a batch writing takes (video, speech): csv, json (the default) or jsonl, one that
// holds semantic descriptions with --semantic.
std::string take_format(const BatchOptions& b, bool semantic, const char* of) {
  const std::string format = b.format.empty() ? "json" : b.format;
  if (format != "csv" && format != "json" && format != "jsonl")
    throw std::invalid_argument(std::string("--format for ") + of +
                                " must be csv, json or jsonl, got \"" + format + "\"");
  if (semantic) check_semantic_format(video_output_format("x." + format));
  return format;
}

void check_faces(const std::string& faces) {
  if (!faces.empty() && faces != "all")
    throw std::invalid_argument("--faces takes \"all\" (use --face N for one face)");
}

}  // namespace

bool is_batch_input(const std::vector<std::string>& inputs) {
  if (inputs.size() != 1) return false;
  std::error_code ec;
  return fs::is_directory(inputs[0], ec) || is_manifest_path(inputs[0]);
}

void refuse_batch_options(const BatchOptions& batch, const std::string& input, const char* what) {
  if (!batch.any_set()) return;
  std::error_code ec;
  if (!input.empty() && input != "-" && !fs::exists(input, ec))
    throw IoError(IoError::Op::Read, input, "no such file or folder");
  throw std::invalid_argument(
      std::string("--out-dir, --format, --shard, --jobs, --force and --recursive need a folder or "
                  "a manifest (.csv, .jsonl) as ") +
      what);
}

int run_image_batch(const ImageOptions& o) {
  check_faces(o.faces);
  const bool all_faces = !o.faces.empty();
  if (!o.output.empty() || !o.overlay.empty() || !o.side_by_side.empty())
    throw std::invalid_argument(
        "a folder or manifest writes one output per image (--out-dir or the manifest's output "
        "column): not with -o, --overlay or --side-by-side");
  if (!o.batch.format.empty() && o.batch.format != "json")
    throw std::invalid_argument("--format for images must be json, got \"" + o.batch.format + "\"");
  const Shard shard = o.batch.shard.empty() ? Shard{} : parse_shard(o.batch.shard);
  const int jobs = jobs_of(o.batch);
  PlanOptions po;
  po.shard = shard;
  po.force = o.batch.force;
  po.extensions = {"json"};
  const BatchPlan plan = plan_batch(list_items(o.inputs[0], MediaKind::Image, o.batch, "json"), po);
  std::optional<Solver> solver;
  if (!plan.todo.empty()) solver.emplace(load_solver(o.model));
  const Calibration calibration =
      load_calibration(o.profile, o.neutral, o.correction, o.model, o.face);
  std::optional<Appearance> appearance;
  if (!plan.todo.empty()) appearance = load_appearance_option(o.appearance);
  LandmarkerOptions lo;
  lo.max_faces = all_faces ? kMostFaces : std::max(4, o.face + 1);
  auto make = [&]() -> Worker {
    auto landmarker = std::make_shared<FaceLandmarker>(FaceLandmarker::create(lo));
    return [&, landmarker](const BatchItem& item) -> ItemDone {
      const Image image = read_image(item.input);
      landmarker->reset();
      const std::vector<FaceLandmarks> faces = landmarker->detect(image);
      FaceSolveSetup setup = calibration.setup(appearance ? &*appearance : nullptr);
      setup.link_far_eye = !o.independent_eyes;
      const auto solved = solve_faces(item.input, image, faces, *solver, o.face, all_faces, false,
                                      setup, *landmarker, o.readings);
      make_parent(item.output);
      remove_stale_temporaries(item.output);
      emit(item.output,
           image_json(item.input, image, faces, solved, all_faces, calibration.json()) + "\n");
      return {1, {}};
    };
  };
  return run_plan("image", plan, shard, jobs, make, "images");
}

int run_video_batch(const VideoOptions& o) {
  check_faces(o.faces);
  Calibration calibration;
  std::optional<Appearance> appearance;
  const VideoSolveOptions so = video_solve_options(o, calibration, appearance);
  if (!o.output.empty() || !o.preview.empty())
    throw std::invalid_argument(
        "a folder or manifest writes one output per video (--out-dir or the manifest's output "
        "column): not with -o or --preview");
  const std::string format = take_format(o.batch, o.semantic, "videos");
  if (o.face < 0) throw std::invalid_argument("--face must be 0 or more");
  const Shard shard = o.batch.shard.empty() ? Shard{} : parse_shard(o.batch.shard);
  const int jobs = jobs_of(o.batch);
  PlanOptions po;
  po.shard = shard;
  po.force = o.batch.force;
  po.per_face = so.all_faces;
  po.extensions = {"csv", "json", "jsonl"};
  const BatchPlan plan = plan_batch(list_items(o.input, MediaKind::Video, o.batch, format), po);
  std::optional<Solver> solver;
  if (!plan.todo.empty()) solver.emplace(load_solver(o.model));
  auto make = [&]() -> Worker {
    auto landmarker =
        std::make_shared<FaceLandmarker>(FaceLandmarker::create(video_landmarker_options(so)));
    return [&, landmarker](const BatchItem& item) -> ItemDone {
      // A manifest's output may name another format: checked before the work.
      const TakeFormat f = video_output_format(item.output);
      if (o.semantic) check_semantic_format(f);
      VideoReader reader = VideoReader::open(item.input);
      SolvedVideo video = solve_video(reader, *landmarker, *solver, so, item.input);
      for (const std::string& w : video.warnings)
        std::fprintf(stderr, "semblend video: warning: %s: %s\n", item.input.c_str(), w.c_str());
      make_parent(item.output);
      std::vector<std::string> written =
          write_video_takes(video, item.output, so.all_faces, o.semantic);
      if (!so.all_faces) written.clear();  // the item's output: the log names it
      return {std::size_t(video.frames), std::move(written)};
    };
  };
  return run_plan("video", plan, shard, jobs, make, "frames");
}

int run_speech_batch(const SpeechOptions& o) {
  if (!o.output.empty() || !o.preview.empty() || !o.transcript.empty() || !o.phones.empty() ||
      !o.alignment.empty())
    throw std::invalid_argument(
        "a folder or manifest writes one take per recording (--out-dir or the manifest's output "
        "column), with each recording's own transcript (a folder's talk.txt beside talk.wav, a "
        "manifest's transcript column): not with -o, --preview, --alignment, --transcript or "
        "--phones");
  const std::string format = take_format(o.batch, o.semantic, "speech");
  const Shard shard = o.batch.shard.empty() ? Shard{} : parse_shard(o.batch.shard);
  // One worker unless asked: aligners share sphinxbase's global state, so their decoding takes
  // turns (aligner.h) and a second worker mostly adds its models' memory.
  const int jobs = o.batch.jobs == 0 ? 1 : jobs_of(o.batch);
  PlanOptions po;
  po.shard = shard;
  po.force = o.batch.force;
  po.extensions = {"csv", "json", "jsonl"};
  const BatchPlan plan = plan_batch(list_items(o.audio, MediaKind::Audio, o.batch, format), po);
  auto make = [&]() -> Worker {
    // One aligner per worker, kept for its recordings (the model loads once; the language model
    // on the first recording without a transcript).
    std::shared_ptr<Aligner> aligner;
    if (!o.by_synthesis) {
      AlignerOptions ao;
      ao.model_dir = o.models;
      ao.language = o.lang;
      aligner = std::make_shared<Aligner>(Aligner::create(ao));
    }
    return [&, aligner](const BatchItem& item) -> ItemDone {
      // A manifest's output may name another format: checked before the work.
      const TakeFormat to = video_output_format(item.output);
      if (o.semantic) check_semantic_format(to);
      const Audio audio = read_audio(item.input);
      const std::string label = item.input + ": ";
      for (const std::string& w : audio.warnings)
        std::fprintf(stderr, "semblend speech: %swarning: %s\n", label.c_str(), w.c_str());
      SpeechOptions one = o;
      one.audio = item.input;
      one.transcript = item.transcript;
      const Take take = speech_take(one, &audio, aligner.get(), to, label);
      make_parent(item.output);
      remove_stale_temporaries(item.output);
      emit(item.output, encode_take(take, to));
      return {take.frames.size(), {}};
    };
  };
  return run_plan("speech", plan, shard, jobs, make, "frames");
}

}  // namespace semblend::cli
