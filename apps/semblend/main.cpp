// semblend — the command line. Parses arguments (CLI11, only here), runs one subcommand, and turns
// exceptions into one-line messages and the exit codes of docs/cli.md.
#include <CLI/CLI.hpp>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/media_log.h"
#include "semblend/take.h"
#include "semblend/version.h"

namespace cli = semblend::cli;

namespace {

// FFmpeg's errors held while the command ran (media_log.h), on stderr in a line of their own
// after the command's own message: a failure's cause in FFmpeg's words, or, after a success,
// damage FFmpeg's decoders worked around (frames concealed or skipped).
void say_ffmpeg_log(bool failed) {
  const semblend::FfmpegLog log = semblend::take_ffmpeg_log();
  if (log.errors == 0) return;
  // The first two (a failure: all kept), each in quotes.
  std::string first;
  std::size_t shown = 0;
  for (const std::string& m : log.first) {
    if (!failed && shown == 2) break;
    first += (first.empty() ? "\"" : "; \"") + m + "\"";
    ++shown;
  }
  if (failed)
    std::fprintf(stderr, "semblend: FFmpeg said: %s%s\n", first.c_str(),
                 log.errors > shown ? " ..." : "");
  else
    std::fprintf(stderr,
                 "semblend: warning: FFmpeg reported %zu error%s while reading the input (%s%s); "
                 "the output may show the damage. SEMBLEND_FFMPEG_LOG=1 prints them as they come\n",
                 log.errors, log.errors == 1 ? "" : "s", first.c_str(),
                 log.errors > shown ? " ..." : "");
}

int fail(int code, const char* what) {
  std::fprintf(stderr, "semblend: error: %s\n", what);
  say_ffmpeg_log(true);
  return code;
}

// CLI11's PositiveNumber and NonNegativeNumber name the largest double (309 digits) in their
// message: these say what is wanted.
CLI::Validator number_check(bool (*ok)(double), const std::string& wanted,
                            const std::string& name) {
  return CLI::Validator(
      [ok, wanted](std::string& text) -> std::string {
        double v = 0;
        if (!CLI::detail::lexical_cast(text, v)) return "\"" + text + "\" is not a number";
        return ok(v) ? std::string() : text + " is not " + wanted;
      },
      name);
}
const CLI::Validator kPositive = number_check([](double v) { return v > 0; }, "> 0", "POSITIVE");
const CLI::Validator kNonNegative =
    number_check([](double v) { return v >= 0; }, ">= 0", "NONNEGATIVE");

// The frame rate of a take a command writes or reads without times (take.h's limit).
const CLI::Range kFrameRate(1.0, semblend::kMaxTakeFps, "FPS in [1, 1000]");

// CLI11 lets "nan" and "inf" through its number checks (every comparison with NaN is false),
// reads "-1" into an unsigned option as 2^64 - 1, and takes "" for a file name (`--export ''`
// then meant "no export" and started a server). This refuses all three, for every option of the
// parsed command and its subcommands: the problem, or "" when there is none.
std::string bad_value(const CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    const std::string type = o->get_type_name();
    const bool real = type.rfind("FLOAT", 0) == 0, whole = type.rfind("UINT", 0) == 0,
               text = type.rfind("TEXT", 0) == 0;
    for (const std::string& v : o->results()) {
      if (text && v.empty()) return o->get_name() + ": an empty value";
      if (whole && v.find('-') != std::string::npos)
        return o->get_name() + ": " + v + " is negative (expected a whole number >= 0)";
      double x = 0;
      if (real && CLI::detail::lexical_cast(v, x) && !std::isfinite(x))
        return o->get_name() + ": " + v + " is not a finite number";
    }
  }
  for (const CLI::App* sub : app.get_subcommands())
    if (std::string why = bad_value(*sub); !why.empty()) return why;
  return "";
}

// How a neutral profile is made (calibration.h), for `calibrate` and `eval calibration`.
void add_profile_options(CLI::App* sub, float& offset_weight, float& offset_weight_turned,
                         int& jitter, float& rest_quantile) {
  // (0, 1]: none of the offset is no profile at all (CLI::Range would let 0 through).
  const CLI::Validator positive_fraction(
      [](std::string& text) {
        double v = 0;
        return CLI::detail::lexical_cast(text, v) && v > 0 && v <= 1
                   ? std::string()
                   : "must lie in (0, 1], got " + text;
      },
      "FLOAT in (0, 1]");
  sub->add_option("--offset-weight", offset_weight,
                  "Fraction of the neutral landmarks' offset to subtract, in (0, 1]")
      ->capture_default_str()
      ->check(positive_fraction);
  sub->add_option("--offset-weight-turned", offset_weight_turned,
                  "The fraction at a head pose 20 degrees or more from the photos' (at most "
                  "--offset-weight: larger is taken as it, the same at every pose)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  sub->add_option("--jitter", jitter,
                  "Jittered copies of each photo the landmarker also reads, so the profile sees "
                  "its placement noise (0: none)")
      ->capture_default_str()
      ->check(CLI::Range(0, semblend::kMaxJitterCopies));
  sub->add_option("--rest-quantile", rest_quantile,
                  "Which quantile of the frames' readings is the rest (1: the largest, 0.5: the "
                  "median)")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 1.0));
}

// `image` and `video`: a neutral profile from a file, or made in place from relaxed photos.
// `calibrate`, `image` and `video`: a preference correction after the solver (docs/prefs.md).
void add_correction_option(CLI::App* sub, std::string& correction) {
  sub->add_option("--correction", correction,
                  "A preference correction (semblend prefs export) applied to the solver's "
                  "output; a profile made with it carries it (docs/prefs.md)");
}

void add_neutral_options(CLI::App* sub, std::string& profile, std::vector<std::string>& neutral) {
  auto* from_file =
      sub->add_option("--profile", profile,
                      "A neutral profile (semblend calibrate): the person's relaxed face reads 0");
  sub->add_option("--neutral", neutral,
                  "Relaxed photos of the person: make the profile from them here, as calibrate "
                  "does (instead of --profile); one photo per --neutral")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->excludes(from_file);
}

// `image` and the evaluations of what it does: how many times the landmarker reads each face.
void add_readings_option(CLI::App* sub, int& readings) {
  sub->add_option("--readings", readings,
                  "Read each face this many times, on jittered copies of the image, and average "
                  "(1 = once: faster, less steady; docs/solver.md)")
      ->capture_default_str()
      ->check(CLI::Range(1, semblend::kMaxStillImageReadings));
}

// Live streaming in the VMC protocol (`play`, `video`): where, which names, with or without bones.
void add_vmc_options(CLI::App* sub, cli::VmcStreamOptions& v, const char* what) {
  auto* to = sub->add_option("--vmc", v.to, what);
  if (!v.to.empty()) to->capture_default_str();
  sub->add_option("--vmc-names", v.names,
                  "Blendshape names sent: arkit (eyeBlinkLeft) or pascal (EyeBlinkLeft)")
      ->check(CLI::IsMember({"arkit", "pascal"}))
      ->capture_default_str();
  sub->add_flag("--no-pose", v.no_pose, "Blendshapes only: no Head or eye bones");
}

// `image`, `video` and `speech` on a folder or a manifest (docs/batch.md), and (faces) --faces
// all.
void add_batch_options(CLI::App* sub, cli::BatchOptions& b, std::string* faces,
                       const char* formats) {
  if (faces != nullptr)
    sub->add_option("--faces", *faces, "all: every face (--face N picks one)")
        ->check(CLI::IsMember({"all"}));
  sub->add_option("--out-dir", b.out_dir,
                  "Batch: the outputs' folder (a folder input; relative manifest outputs)");
  sub->add_option("--format", b.format, formats);
  sub->add_option("--shard", b.shard, "Batch: run only shard K of N (K/N, K from 0)");
  sub->add_option("--jobs", b.jobs, "Batch: parallel workers (default: one per CPU it may use)")
      ->check(CLI::Range(1, 1024));
  sub->add_flag("--force", b.force, "Batch: redo items whose output exists");
  sub->add_flag("--recursive", b.recursive, "Batch: a folder's subfolders too");
}

}  // namespace

int main(int argc, char** argv) {
  semblend::hold_ffmpeg_log();
  CLI::App app{"semblend: faces and speech to ARKit blendshape coefficients, explained in words"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("semblend ") + semblend::version());
  app.footer(
      "Inputs are positional; -o FILE writes the result in the format its extension names "
      "(.csv Live Link Face, .json, .jsonl), stdout otherwise. Logs go to stderr.\n"
      "Exit codes: 0 ok, 2 usage, 3 input unreadable, 4 input malformed, 5 output unwritable, "
      "6 invalid value, 1 internal error.");

  cli::ConvertOptions convert;
  auto* c = app.add_subcommand("convert",
                               "Convert a take between formats, optionally smoothed and resampled");
  c->add_option("input", convert.input,
                "Input take (.csv, .json, .jsonl, ARKit JSON, SemanticFace JSONL)")
      ->required();
  c->add_option("-o,--output", convert.output,
                "Output file; format from its extension (stdout: JSONL)");
  c->add_option("--from", convert.from,
                "Input format: csv, json, jsonl, arkit, semanticface (default: detected)");
  c->add_option("--format", convert.to,
                "Output format: csv, json, jsonl, arkit (default: from -o)");
  c->add_option("--fps", convert.fps, "Resample to this frame rate")->check(kFrameRate);
  c->add_flag("--smooth", convert.smooth, "Apply the One Euro filter to every channel");
  c->add_option("--min-cutoff", convert.min_cutoff, "One Euro minimum cutoff, Hz")
      ->capture_default_str()
      ->check(kPositive);
  c->add_option("--beta", convert.beta, "One Euro speed coefficient")
      ->capture_default_str()
      ->check(kNonNegative);
  c->add_option("--d-cutoff", convert.d_cutoff, "One Euro derivative cutoff, Hz")
      ->capture_default_str()
      ->check(kPositive);
  c->add_flag("--semantic", convert.semantic,
              "Attach semantic descriptions to every frame (.json/.jsonl outputs)");
  c->add_flag("--clamp", convert.clamp,
              "Clamp coefficients to [0, 1] (readers keep small overshoots)");
  c->add_option("--input-fps", convert.input_fps, "Frame rate for inputs without times")
      ->capture_default_str()
      ->check(kFrameRate);
  c->add_option("--timecode-rate", convert.timecode_rate, "Timecode rate of Live Link CSV inputs")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));

  cli::InfoOptions info;
  auto* i = app.add_subcommand(
      "info", "Summarise a take: duration, fps, per-shape min/mean/max, most active shapes");
  i->add_option("input", info.input, "Input take")->required();
  i->add_option("-o,--output", info.output, "Write the summary here (.json for JSON)");
  i->add_flag("--json", info.json, "Print the summary as JSON");
  i->add_option("--top", info.top, "How many of the most active shapes to list")
      ->capture_default_str();
  i->add_option("--from", info.from, "Input format (default: detected)");

  cli::DemoOptions demo;
  auto* d = app.add_subcommand(
      "demo", "Make the demo take, write it (-o, repeatable) and describe it in words");
  d->add_option("-o,--output", demo.outputs, "Write the take here; repeat for several formats");
  d->add_flag("--semantic", demo.semantic,
              "Attach semantic descriptions to every frame (.json/.jsonl outputs)");
  d->add_option("--fps", demo.fps, "Frame rate")->capture_default_str()->check(kFrameRate);

  cli::DescribeOptions describe;
  auto* ds = app.add_subcommand(
      "describe", "Describe each frame of a take in words and as structured semantics (JSONL)");
  ds->add_option("input", describe.input, "Input take or ARKit frame (.csv, .json, .jsonl)")
      ->required();
  ds->add_option("-o,--output", describe.output, "Write here (.jsonl JSONL, .txt sentences)");
  ds->add_option("--format", describe.format, "jsonl, text (one sentence per frame) or analysis")
      ->capture_default_str();
  ds->add_flag("--smooth", describe.smooth, "Hysteresis so descriptions do not flicker");
  ds->add_flag("--stats", describe.stats,
               "Print stability statistics (category changes/s) to stderr");
  ds->add_option("--margin", describe.margin, "Hysteresis: how far a value leaves its band")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 0.2));
  ds->add_option("--hold", describe.hold, "Seconds a new category must lead before it is reported")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 5.0));
  ds->add_option("--input-fps", describe.input_fps, "Frame rate for inputs without times")
      ->capture_default_str()
      ->check(kFrameRate);
  ds->add_option("--from", describe.from, "Input format (default: detected)");

  cli::LandmarksOptions landmarks;
  auto* lmk = app.add_subcommand(
      "landmarks", "Find faces: 478 3D landmarks, head and eye pose per face (JSON/JSONL)");
  lmk->add_option("inputs", landmarks.inputs, "Images, or one video")->required();
  lmk->add_option("-o,--output", landmarks.output, "Write here (.json for one image, .jsonl)");
  lmk->add_option("--overlay", landmarks.overlay,
                  "Draw the mesh, irises and pose axes: .png (one image), a directory, or .mp4");
  lmk->add_option("--max-faces", landmarks.max_faces, "Most faces per image")
      ->capture_default_str()
      ->check(CLI::Range(1, 64));
  lmk->add_flag("--no-iris", landmarks.no_iris, "Skip the iris model");
  lmk->add_option("--models", landmarks.models, "Directory of the TF.js face models");
  lmk->add_option("--mesh", landmarks.mesh,
                  "Face mesh model: facemesh (+ the iris model) or attention (MediaPipe's "
                  "attention mesh: finer lips, eyes, brows; docs/landmarks.md)")
      ->capture_default_str()
      ->check(CLI::IsMember({"facemesh", "attention"}));

  cli::DeriveNeutralOptions neutral;
  auto* dn = app.add_subcommand(
      "derive-neutral",
      "Derive the neutral 3D face from neutral frontal photos (data/neutral_face.csv)");
  dn->add_option("inputs", neutral.inputs, "Neutral, frontal photos with one face each")
      ->required();
  dn->add_option("-o,--output", neutral.output, "Write the CSV here");

  cli::DerivePriorOptions prior;
  auto* dp = app.add_subcommand(
      "derive-prior",
      "Learn the expression prior from real ARKit takes (data/expression_prior.json)");
  dp->add_option("inputs", prior.inputs, "Real ARKit recordings (.csv, .json, .jsonl)")->required();
  dp->add_option("-o,--output", prior.output, "Write the JSON table here");

  cli::SampleExpressionsOptions sample;
  auto* se = app.add_subcommand(
      "sample-expressions",
      "Sample plausible expressions (the prior mixed with sparse activations) as a take");
  se->add_option("--count", sample.count, "How many samples")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t{1}, std::size_t{10000000}));
  se->add_option("--seed", sample.seed, "Random seed (same seed, same samples)")
      ->capture_default_str();
  se->add_option("--first", sample.first, "Index of the first sample")->capture_default_str();
  se->add_option("--prior-fraction", sample.prior_fraction,
                 "Share of samples drawn from the prior; the rest are sparse activations")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  se->add_option("-o,--output", sample.output, "Write the take here (.jsonl, .json, .csv)");

  cli::SpeechOptions speech;
  auto* sp = app.add_subcommand("speech", "Speech to mouth, jaw and tongue curves");
  sp->add_option(
      "audio", speech.audio,
      "The speech audio (WAV, FLAC, OGG, MP3, M4A, or a video's sound track); the take spans it");
  sp->add_option(
      "--transcript", speech.transcript,
      "UTF-8 (or UTF-16 with a BOM) text of what is said, or subtitles (.srt, .vtt), or a "
      "recogniser's output (Whisper "
      "JSON/TSV, whisper.cpp JSON/CSV/LRC, Vosk JSON); - reads it from standard input: forced "
      "alignment (without: word recognition)");
  auto* sp_lang =
      sp->add_option(
            "--lang", speech.lang,
            "Language spoken (an espeak-ng voice or language code: de, fr, es, pt-BR, zh, "
            "ja, ...; ja reads kana, not kanji). English reads "
            "the transcript with CMUdict, others with espeak-ng, and both are aligned by "
            "pocketsphinx's English models; without a transcript another language uses the "
            "phone recogniser")
          ->capture_default_str();
  auto* sp_by_synthesis =
      sp->add_flag("--by-synthesis", speech.by_synthesis,
                   "Another language with a transcript: align it to espeak-ng's reading of it "
                   "instead (dynamic time warping; better only on espeak-ng-like voices)");
  sp->add_option("--phones", speech.phones,
                 "Timed phones (pocketsphinx JSON alignment) instead of aligning the audio");
  sp->add_option("--alignment", speech.alignment,
                 "Also write the timed words and phones here (pocketsphinx JSON: what --phones "
                 "reads, to inspect, correct by hand and animate again)");
  sp->add_option("--models", speech.models,
                 "pocketsphinx en-us model folder (default: the installed pocketsphinx-en-us)");
  sp->add_option("-o,--output", speech.output, "Write the take here (.csv, .json, .jsonl)");
  sp->add_option("--fps", speech.fps, "Frame rate")->capture_default_str()->check(kFrameRate);
  auto* sp_no_coart = sp->add_flag("--no-coarticulation", speech.no_coarticulation,
                                   "Each frame takes its own phoneme's shape");
  auto* sp_semantic = sp->add_flag("--semantic", speech.semantic,
                                   "Attach semantic descriptions (.json/.jsonl outputs)");
  auto* sp_no_prosody =
      sp->add_flag("--no-prosody", speech.no_prosody,
                   "No loudness/pitch on the mouth's amplitude and no brow accents");
  auto* sp_no_blinks = sp->add_flag("--no-blinks", speech.no_blinks, "No blinks");
  auto* sp_no_gaze = sp->add_flag("--no-gaze", speech.no_gaze, "No eye movements");
  auto* sp_seed = sp->add_option("--seed", speech.seed, "Random seed of blinks and gaze")
                      ->capture_default_str();
  auto* sp_preview =
      sp->add_option("--preview", speech.preview,
                     "Also write an MP4 of the rig talking, with the audio (needs ffmpeg)");
  // The stream animates English phones from the phone loop, mouth and jaw only: the options of
  // the offline take's other parts are refused with it, not ignored.
  sp->add_flag("--stream", speech.stream,
               "Live: 16 kHz mono 16-bit PCM (raw or WAV) from stdin -> JSONL frames as they are "
               "final (latency <= 150 ms of audio; mouth, jaw and tongue only)")
      ->excludes(sp_lang)
      ->excludes(sp_by_synthesis)
      ->excludes(sp_no_coart)
      ->excludes(sp_semantic)
      ->excludes(sp_no_prosody)
      ->excludes(sp_no_blinks)
      ->excludes(sp_no_gaze)
      ->excludes(sp_seed)
      ->excludes(sp_preview);
  sp->add_option("--vmc", speech.vmc,
                 "With --stream: also send each frame live to HOST:PORT in the VMC protocol "
                 "(OSC over UDP; VSeeFace, VMagicMirror, Warudo: port 39539)");
  add_batch_options(
      sp, speech.batch, nullptr,
      "Batch (AUDIO a folder or a manifest; a folder's talk.txt, .srt, .vtt, .lrc or "
      ".tsv is talk.wav's transcript): the outputs' format: csv, json (default) or jsonl");

  cli::PlayOptions play;
  auto* pl = app.add_subcommand(
      "play", "Stream a take live in the VMC protocol (OSC over UDP), each frame at its time");
  pl->add_option("input", play.input, "Take to play (.csv Live Link Face, .json, .jsonl)")
      ->required();
  pl->add_option("--from", play.from, "Input format (default: detected)");
  add_vmc_options(pl, play.vmc, "Send to HOST:PORT (a VMC receiver)");
  pl->add_option("--speed", play.speed, "Playback speed (2 = twice as fast)")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  pl->add_option("--repeat", play.repeat, "Play this many times (0 = until interrupted)")
      ->check(kNonNegative)
      ->capture_default_str();

  cli::ExportRigOptions export_rig;
  auto* er = app.add_subcommand("export-rig",
                                "Export the face rig as glTF 2.0: 52 ARKit-named morph targets, "
                                "optionally a take's animation");
  er->add_option("output,-o,--output", export_rig.output,
                 "The glTF file: .glb (binary) or .gltf (JSON with the buffer embedded)")
      ->required();
  er->add_option(
      "--take", export_rig.take,
      "A take (.csv, .json, .jsonl) to add as a morph-weight and head-rotation animation");
  er->add_option("--identity", export_rig.identity,
                 "Identity parameters NAME=SD, comma-separated (face_width=1.5,jaw_width=-1)")
      ->delimiter(',');

  cli::RenderCommandOptions render;
  auto* rd = app.add_subcommand(
      "render",
      "Draw the face rig with coefficients and a head pose to a PNG (or a contact sheet)");
  rd->add_option("-o,--output", render.output, "The PNG to write (or an MP4 of a whole --take)")
      ->required();
  auto* render_take =
      rd->add_option("--take", render.take, "Render a frame of this take (.csv, .json, .jsonl)");
  rd->add_option("--frame", render.frame, "Which frame of the take")
      ->capture_default_str()
      ->needs(render_take);
  rd->add_option("--set", render.weights,
                 "Coefficients NAME=VALUE (eyeBlinkLeft=1), comma-separated")
      ->delimiter(',');
  rd->add_option("--yaw", render.yaw, "Head yaw in degrees (> 0 faces the image's right)");
  rd->add_option("--pitch", render.pitch, "Head pitch in degrees (> 0 chin up)");
  rd->add_option("--roll", render.roll, "Head roll in degrees");
  rd->add_option("--size", render.size, "Image width and height in pixels (128..1024)")
      ->capture_default_str();
  rd->add_option("--skin", render.skin, "light, fair, medium, olive, tan, brown, dark or #rrggbb")
      ->capture_default_str();
  auto* identity_seed =
      rd->add_option("--identity-seed", render.identity_seed, "Render a random identity (seeded)");
  rd->add_flag("--stylised", render.stylised,
               "With --identity-seed: cartoon-like proportions (rig.h stylised_identity)")
      ->needs(identity_seed);
  auto* contact_sheet =
      rd->add_flag("--contact-sheet", render.contact_sheet, "All 52 shapes at weight 1, named");
  rd->add_option("--tile", render.tile, "Contact-sheet tile size in pixels")
      ->capture_default_str()
      ->needs(contact_sheet);
  rd->add_option("--photo", render.photo, "Put the render beside this photo");
  rd->add_option("--skin-photo", render.skin_photo,
                 "Paint the face with this photo's face (its landmarks map it onto the rig)");

  cli::EvalRigOptions eval_rig;
  auto* ev = app.add_subcommand("eval", "Measure semblend against ground truth");
  ev->require_subcommand(1);
  auto* evr = ev->add_subcommand(
      "rig",
      "Render the rig with known poses and expressions, detect landmarks on the renders, "
      "report detection rate, landmark error and the 52 shape response curves");
  evr->add_option("-o,--output", eval_rig.output, "Write the JSON report here");
  evr->add_option("--samples", eval_rig.samples, "Random renders (identity, expression, pose)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  evr->add_option("--seed", eval_rig.seed, "Random seed")->capture_default_str();
  evr->add_option("--size", eval_rig.size, "Render size in pixels")->capture_default_str();
  evr->add_flag("!--no-responses", eval_rig.responses, "Skip the shape response curves");
  evr->add_flag("!--no-identities", eval_rig.identities, "Render only the neutral identity");
  evr->add_flag("!--no-expressions", eval_rig.expressions, "Render only the neutral expression");
  evr->add_option("--max-yaw", eval_rig.max_yaw, "Yaw range ± in degrees")->capture_default_str();
  evr->add_option("--max-pitch", eval_rig.max_pitch, "Pitch range ± in degrees")
      ->capture_default_str();
  evr->add_option("--skin-photos", eval_rig.skin_photos,
                  "Face photos (files or folders) the renders wear as skins, in turn, instead of "
                  "procedural skin tones");
  evr->add_option("--mesh", eval_rig.mesh, "Face mesh model: facemesh or attention")
      ->capture_default_str()
      ->check(CLI::IsMember({"facemesh", "attention"}));
  evr->add_option("--overlays", eval_rig.overlays,
                  "Write each render here as a PNG with the rig's landmarks (green) and the "
                  "detected ones (red)");
  evr->add_option("--max-roll", eval_rig.max_roll, "Roll range ± in degrees")
      ->capture_default_str();

  cli::EvalSolverOptions eval_solver;
  auto* evsv = ev->add_subcommand(
      "solver", "Solver error per shape on held-out synthetic identities (landmarks, images)");
  evsv->add_option("-o,--output", eval_solver.output, "Write the JSON report here");
  evsv->add_option("--model", eval_solver.model, "Solver weights (default: the shipped model)");
  evsv->add_option("--samples", eval_solver.samples, "Synthetic landmark samples")
      ->capture_default_str();
  evsv->add_option("--images", eval_solver.images, "Also render -> landmarker -> solver samples")
      ->capture_default_str();
  evsv->add_option("--seed", eval_solver.seed, "Held-out seed")->capture_default_str();
  evsv->add_flag("--stylised", eval_solver.stylised,
                 "Cartoon-like identities (rig.h stylised_identity) instead of adult ones");
  evsv->add_flag("--appearance", eval_solver.appearance,
                 "Through images, also the error with the appearance branch fused");
  add_readings_option(evsv, eval_solver.readings);
  cli::PlotTrainingOptions plot_training;
  auto* evp = ev->add_subcommand("training-plot",
                                 "Plot semblend_train reports (training and held-out MAE by step)");
  evp->add_option("reports", plot_training.reports, "training_report.json files")->required();
  evp->add_option("-o,--output", plot_training.output, "The PNG to write")->required();
  cli::EvalCanonicalOptions eval_canonical;
  auto* evc = ev->add_subcommand(
      "canonical", "The solver on expressions others misread (closed eyes, winks, neutral ...)");
  evc->add_option("-o,--output", eval_canonical.output, "Write the JSON report here");
  evc->add_option("--model", eval_canonical.model, "Solver weights (default: the shipped model)");
  evc->add_option("--identities", eval_canonical.identities, "Held-out identities")
      ->capture_default_str();
  evc->add_option("--seed", eval_canonical.seed, "Identity seed")->capture_default_str();
  evc->add_flag("--appearance", eval_canonical.appearance,
                "Fuse the appearance branch (then tongue out and cheek puff are scored too)");
  add_readings_option(evc, eval_canonical.readings);
  cli::EvalAppearanceOptions eval_appearance;
  auto* eva = ev->add_subcommand(
      "appearance",
      "The appearance branch (blinks, wide eyes, tongue, cheek puff) on held-out renders");
  eva->add_option("-o,--output", eval_appearance.output, "Write the JSON report here");
  eva->add_option("--model", eval_appearance.model, "Solver weights (default: the shipped model)");
  eva->add_option("--appearance", eval_appearance.appearance_dir,
                  "A folder of appearance models (default: the shipped ones)");
  eva->add_option("--samples", eval_appearance.samples, "Renders")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  eva->add_option("--seed", eval_appearance.seed, "Held-out seed")->capture_default_str();
  eva->add_flag("--stylised", eval_appearance.stylised,
                "Cartoon-like identities (rig.h stylised_identity)");
  cli::EvalTakeOptions eval_take;
  auto* evt = ev->add_subcommand(
      "take", "An estimated take (e.g. from semblend video) against the take it should recover");
  evt->add_option("estimate", eval_take.estimate, "The estimated take")->required();
  evt->add_option("--truth", eval_take.truth, "The true take")->required();
  evt->add_option("-o,--output", eval_take.output, "Write the JSON report here");
  cli::EvalFacesOptions eval_faces;
  auto* evf = ev->add_subcommand(
      "faces", "Score the solver on real photos against a rubric (data/eval/face_rubric.json)");
  evf->add_option("--rubric", eval_faces.rubric, "The rubric file")->capture_default_str();
  evf->add_option("--data", eval_faces.data, "Folder the rubric's photo paths are relative to")
      ->capture_default_str();
  evf->add_option("-o,--output", eval_faces.output, "Write the JSON report here");
  evf->add_option("--model", eval_faces.model, "Solver weights (default: the shipped model)");
  evf->add_option("--side-by-side", eval_faces.side_by_side,
                  "Write each photo's overlay | rig render of the estimate into this folder");
  evf->add_flag("--photo-skin", eval_faces.photo_skin,
                "Side-by-side: the rig wears the photo's own face as its skin");
  evf->add_flag("--appearance", eval_faces.appearance, "Fuse the appearance branch");
  add_readings_option(evf, eval_faces.readings);
  cli::EvalNoiseOptions eval_noise;
  auto* evn = ev->add_subcommand(
      "noise", "Measure the landmark noise model (data/landmark_noise.csv) on rig renders");
  evn->add_option("-o,--output", eval_noise.output, "Write the CSV here");
  evn->add_option("--samples", eval_noise.samples, "Renders")->capture_default_str();
  evn->add_option("--seed", eval_noise.seed, "Random seed")->capture_default_str();
  evn->add_flag("--no-pose-gains{false}", eval_noise.pose_gains,
                "Leave the head pose's share of the error in the jitter");
  cli::EvalCalibrationOptions eval_cal;
  auto* evcal = ev->add_subcommand(
      "calibration", "Measure per-person neutral calibration on rig renders (known truth)");
  evcal->add_option("-o,--output", eval_cal.output, "Write the JSON report here");
  evcal->add_option("--model", eval_cal.model, "Solver weights (default: the shipped model)");
  evcal->add_option("--identities", eval_cal.identities, "Rig identities")->capture_default_str();
  evcal->add_option("--expressions", eval_cal.expressions, "Expressions per identity")
      ->capture_default_str();
  evcal->add_option("--size", eval_cal.size, "Render size, pixels")
      ->capture_default_str()
      ->check(CLI::Range(128, 1024));
  evcal
      ->add_option("--clip-fps", eval_cal.clip_fps,
                   "Frame rate of the demo performance for the running estimate (0: skip)")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 60.0));
  evcal->add_flag("--stylised", eval_cal.stylised, "Stylised identities (beyond human ranges)");
  evcal->add_option("--seed", eval_cal.seed, "Random seed")->capture_default_str();
  evcal->add_flag("--verbose", eval_cal.verbose, "List each identity's neutral readings");
  evcal->add_flag("--wide-neutrals", eval_cal.wide_neutrals,
                  "Make each profile also from neutrals turned about 20° left and right");
  add_profile_options(evcal, eval_cal.offset_weight, eval_cal.offset_weight_turned, eval_cal.jitter,
                      eval_cal.rest_quantile);
  add_readings_option(evcal, eval_cal.readings);
  cli::EvalTemporalOptions eval_temporal;
  auto* evtm = ev->add_subcommand(
      "temporal", "Jitter and blink onset, raw against One Euro filtered (rendered clip, video)");
  evtm->add_option("-o,--output", eval_temporal.output, "Write the JSON report here");
  evtm->add_option("--model", eval_temporal.model, "Solver weights (default: the shipped model)");
  evtm->add_option("--video", eval_temporal.video, "Also measure this real video (no truth)");
  evtm->add_flag("--appearance", eval_temporal.appearance,
                 "Fuse the appearance branch (as video --appearance)");
  evtm->add_option("--max-frames", eval_temporal.max_frames, "Frames of the video to read")
      ->capture_default_str()
      ->check(CLI::Range(2, 1000000));
  evtm->add_option("--size", eval_temporal.size, "Render size, pixels")
      ->capture_default_str()
      ->check(CLI::Range(128, 1024));
  evtm->add_option("--noise", eval_temporal.noise, "Sensor noise on the renders, σ in 8-bit levels")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 64.0));
  evtm->add_option("--seed", eval_temporal.seed, "Noise seed")->capture_default_str();
  evtm->add_flag("--verbose", eval_temporal.verbose, "Print every row of the One Euro grid");
  cli::CalibrateOptions calibrate;
  auto* cal = app.add_subcommand(
      "calibrate",
      "Neutral photos of one person -> a profile that makes their relaxed face read 0");
  cal->add_option("inputs", calibrate.inputs, "Relaxed, neutral photos of the person")->required();
  cal->add_option("-o,--output", calibrate.output, "Write the profile (.json) here");
  cal->add_option("--model", calibrate.model, "Solver weights (default: the shipped model)");
  cal->add_option("--face", calibrate.face, "Which face, largest first")
      ->capture_default_str()
      ->check(CLI::Range(0, 15));
  cal->add_flag("--landmark-offset,!--no-landmark-offset", calibrate.landmark_offset,
                "Also subtract the person's neutral landmarks (the default; docs/calibration.md)");
  add_profile_options(cal, calibrate.offset_weight, calibrate.offset_weight_turned,
                      calibrate.jitter, calibrate.rest_quantile);
  add_correction_option(cal, calibrate.correction);
  cli::ImageOptions image;
  auto* im = app.add_subcommand(
      "image", "Images -> 52 coefficients, head and eye pose and the semantic description");
  im->add_option("inputs", image.inputs, "Image files, or one folder or manifest (.csv, .jsonl)")
      ->required();
  im->add_option("-o,--output", image.output, "Write the JSON here");
  im->add_option("--model", image.model, "Solver weights (default: the shipped model)");
  im->add_option("--face", image.face, "Which face, largest first")
      ->capture_default_str()
      ->check(CLI::Range(0, 15));
  im->add_option("--overlay", image.overlay,
                 "Draw the landmarks: a .png (one image) or a directory (several)");
  im->add_option("--side-by-side", image.side_by_side,
                 "The overlay beside the rig rendered with the estimate: .png or a directory");
  im->add_flag("--photo-skin", image.photo_skin,
               "Side-by-side: the rig wears the photo's own face as its skin");
  add_neutral_options(im, image.profile, image.neutral);
  add_correction_option(im, image.correction);
  im->add_flag("--appearance", image.appearance,
               "Fuse the appearance branch: rig-trained CNNs for blinks, wide eyes, tongue, cheek "
               "puff (docs/appearance.md: false readings on some real faces)");
  im->add_flag(
      "--independent-eyes", image.independent_eyes,
      "Read each eye on its own on a turned head (by default, beyond 38° of yaw the far eye's "
      "lids follow the near eye's: alone it reads closing)");
  add_readings_option(im, image.readings);
  add_batch_options(im, image.batch, &image.faces, "Batch: the outputs' format: json");

  cli::VideoOptions video;
  auto* vd = app.add_subcommand(
      "video",
      "A video -> a take: tracked landmarks, 52 coefficients, head and eye pose per frame");
  vd->add_option("input", video.input,
                 "The video (.mp4, .mov, ...), or a folder or manifest (.csv, .jsonl)")
      ->required();
  vd->add_option("-o,--output", video.output, "Write the take here (.csv, .json, .jsonl)");
  vd->add_flag("--semantic", video.semantic,
               "Attach semantic descriptions to every frame (.json/.jsonl outputs)");
  vd->add_option(
      "--preview", video.preview,
      "Also write an .mp4: each frame with its landmarks beside the rig, with the sound");
  vd->add_option("--face", video.face, "Which face, largest first when detected")
      ->capture_default_str()
      ->check(CLI::Range(0, 15));
  vd->add_flag("!--no-smooth", video.smooth, "Raw per-frame estimates (no One Euro filter)");
  vd->add_option("--model", video.model, "Solver weights (default: the shipped model)");
  add_neutral_options(vd, video.profile, video.neutral);
  add_correction_option(vd, video.correction);
  vd->add_flag("--auto-calibrate", video.auto_calibrate,
               "Learn each face's rest as the video runs (docs/calibration.md)");
  add_vmc_options(vd, video.vmc,
                  "Also stream each frame live to HOST:PORT in the VMC protocol (one face; "
                  "frames go no faster than the video's own time)");
  vd->add_flag("--appearance", video.appearance,
               "Fuse the appearance branch: rig-trained CNNs for blinks, wide eyes, tongue, cheek "
               "puff (docs/appearance.md: false readings on some real faces)");
  vd->add_flag(
      "--independent-eyes", video.independent_eyes,
      "Read each eye on its own on a turned head (by default, beyond 38° of yaw the far eye's "
      "lids follow the near eye's: alone it reads closing)");
  add_batch_options(vd, video.batch, &video.faces,
                    "Batch: the outputs' format: csv, json (default) or jsonl");

  cli::EvalSpeechOptions eval_speech;
  auto* evs = ev->add_subcommand(
      "speech",
      "Lip sync against known phoneme timings: espeak-ng and festival sentences (several "
      "voices and rates) and real LibriVox alignments; with and without transcript, and live");
  evs->add_option("-o,--output", eval_speech.output, "Write the JSON report here");
  evs->add_option("--real", eval_speech.real,
                  "Folder of real utterances (NAME.wav, NAME.txt, NAME.phone.json)");
  evs->add_option("--models", eval_speech.models, "pocketsphinx en-us model folder");
  evs->add_flag("--quick", eval_speech.quick, "One voice at one speed per synthesiser");
  evs->add_option(
         "--languages", eval_speech.languages,
         "Other languages to evaluate, comma-separated, or all (default de,fr,es,it,ru,zh)")
      ->delimiter(',');
  evs->add_flag("--languages-only", eval_speech.languages_only,
                "Only the other languages: no English espeak-ng, festival or real sources")
      ->excludes("--real");

  cli::EvalPrefsOptions eval_prefs;
  auto* evpr = ev->add_subcommand(
      "prefs",
      "Preference learning where truth is known: a pseudo-label solver, simulated annotators, "
      "rounds of training; the error after 0, 100, 300, 1000 judgments (docs/prefs.md)");
  evpr->add_flag("--quick", eval_prefs.quick, "A smaller version (under a minute)");
  evpr->add_option("-o,--output", eval_prefs.output, "Also write the report here");
  evpr->add_option("--model", eval_prefs.model, "Solver weights (default: the shipped model)");
  evpr->add_option("--seed", eval_prefs.seed, "Corruption and annotator seed")
      ->capture_default_str();
  evpr->add_flag("--verbose", eval_prefs.verbose, "Annotator agreement and choices per round");

  cli::PrefsOptions prefs_opts;
  auto* pf = app.add_subcommand(
      "prefs", "Preference learning on the judgments of `semblend serve` (docs/prefs.md)");
  pf->require_subcommand(1);
  auto prefs_action = [&](const char* name, const char* help) {
    auto* a = pf->add_subcommand(name, help);
    a->add_option("--data", prefs_opts.data, "Folder of the judgment store (prefs.sqlite)")
        ->capture_default_str();
    return a;
  };
  auto* pft = prefs_action(
      "train",
      "Fit the reward model and the correction; keep it only if held-out agreement improves");
  pft->add_option("--min-judgments", prefs_opts.min_per_region,
                  "Judgments a region needs to be trained (fewer: refused)")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  pft->add_option("--holdout", prefs_opts.holdout, "Share of items held out for the check")
      ->capture_default_str()
      ->check(CLI::Range(0.05, 0.5));
  pft->add_flag("--cross", prefs_opts.cross,
                "Also cross terms between the shapes of a region (needs more judgments)");
  auto* pfc = prefs_action(
      "calibrate",
      "A person's calibration from the judgments of their photos (kind calibration), to a file");
  pfc->add_option("--items", prefs_opts.items,
                  "Which items are the person's: a glob on their source names ('alice/*')")
      ->required();
  pfc->add_option("-o,--output", prefs_opts.output,
                  "Write the correction here (image/video/calibrate --correction)")
      ->required();
  auto* pfs = prefs_action(
      "status", "Rounds, judgments per region, annotator and held-out agreement, model versions");
  auto* pfe = prefs_action("export", "Write a trained version's correction (JSON)");
  pfe->add_option("-o,--output", prefs_opts.output, "The JSON file (stdout without)");
  pfe->add_option("--version", prefs_opts.version, "Model version id (default: the one in use)");
  auto* pfu = prefs_action("use", "Choose the version in use (roll back or forward)");
  pfu->alias("rollback");
  pfu->add_option("--version", prefs_opts.version, "Model version id (0: the base solver)")
      ->required();

  cli::ServeOptions serve;
  auto* sv = app.add_subcommand(
      "serve",
      "Preference judging: a web page where people compare rendered faces (docs/serve.md)");
  sv->add_option("--host", serve.host, "Address to bind (beyond loopback a token is required)")
      ->capture_default_str();
  sv->add_option("--port", serve.port, "Port (0 = any free port)")
      ->capture_default_str()
      ->check(CLI::Range(0, 65535));
  sv->add_option("--data", serve.data, "Folder of the judgment store (prefs.sqlite)")
      ->capture_default_str();
  sv->add_option("--images", serve.images, "Folder of photos to judge (only files inside it)");
  sv->add_option("--model", serve.model, "Solver weights (default: the shipped model)");
  sv->add_option("--compare-model", serve.compare_models,
                 "Another model version's model.json: its predictions become candidates");
  auto* serve_export =
      sv->add_option("--export", serve.export_to, "Write the store as JSONL to this file and exit");
  sv->add_flag("!--no-export-images", serve.export_images, "Leave the images out of --export");
  sv->add_option("--import", serve.import_from, "Merge a JSONL export into the store and exit")
      ->excludes(serve_export);
  sv->add_option("--threads", serve.threads, "HTTP worker threads")
      ->capture_default_str()
      ->check(CLI::Range(2, 256));
  cli::ServeLoadOptions serve_load;
  auto* sl = app.add_subcommand(
      "serve-load", "Load test of `serve` on loopback: concurrent annotators, no judgment lost");
  sl->add_option("--annotators", serve_load.annotators, "Concurrent annotators")
      ->capture_default_str()
      ->check(CLI::Range(1, 200));
  sl->add_option("--seconds", serve_load.seconds, "Duration")
      ->capture_default_str()
      ->check(CLI::Range(0.5, 600.0));
  sl->add_option("--items", serve_load.items, "Synthetic items")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  sl->add_option("-o,--output", serve_load.output, "Write the JSON report here");

  auto* tr = app.add_subcommand(
      "train",
      "Train the solver: runs semblend_train with the arguments that follow (docs/solver.md)");
  tr->prefix_command();  // everything after `train` is the trainer's

  cli::PathsOptions paths;
  auto* pa = app.add_subcommand(
      "paths", "Where semblend finds its models and data, each file checked against this build");
  pa->add_flag("--json", paths.json, "One JSON object instead of the table");

  cli::SchemaOptions schema;
  auto* s = app.add_subcommand("schema",
                               "Print the ARKit-52 schema table (names, regions, mirrors, FACS)");
  s->add_option("--format", schema.format,
                "markdown or json (default: by -o's extension, .json or .md; else markdown)");
  s->add_option("-o,--output", schema.output, "Write to this file (.json, .md or .txt)");

  // CLI11 reads an unknown first word as a stray argument and says only "A subcommand is
  // required": name the word instead.
  if (argc > 1 && argv[1][0] != '-') {
    try {
      app.get_subcommand(argv[1]);
    } catch (const CLI::OptionNotFound&) {
      const std::string what =
          std::string("unknown command \"") + argv[1] + "\" (semblend --help lists the commands)";
      return fail(cli::kUsageError, what.c_str());
    }
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kOk : cli::kUsageError;
  }
  if (const std::string why = bad_value(app); !why.empty())
    return fail(cli::kUsageError, why.c_str());

  // Runs the parsed subcommand; its exit code.
  auto run = [&]() -> int {
    if (c->parsed()) return cli::run_convert(convert);
    if (i->parsed()) return cli::run_info(info);
    if (pl->parsed()) return cli::run_play(play);
    if (d->parsed()) return cli::run_demo(demo);
    if (s->parsed()) return cli::run_schema(schema);
    if (pa->parsed()) return cli::run_paths(paths);
    if (tr->parsed()) return cli::run_train(tr->remaining());
    if (sv->parsed()) return cli::run_serve(serve);
    if (pf->parsed()) {
      prefs_opts.action = pft->parsed()   ? "train"
                          : pfc->parsed() ? "calibrate"
                          : pfs->parsed() ? "status"
                          : pfe->parsed() ? "export"
                                          : "use";
      return cli::run_prefs(prefs_opts);
    }
    if (sl->parsed()) return cli::run_serve_load(serve_load);
    if (ds->parsed()) return cli::run_describe(describe);
    if (lmk->parsed()) return cli::run_landmarks(landmarks);
    if (dn->parsed()) return cli::run_derive_neutral(neutral);
    if (rd->parsed()) return cli::run_render(render);
    if (evr->parsed()) return cli::run_eval_rig(eval_rig);
    if (evs->parsed()) return cli::run_eval_speech(eval_speech);
    if (evsv->parsed()) return cli::run_eval_solver(eval_solver);
    if (evf->parsed()) return cli::run_eval_faces(eval_faces);
    if (evt->parsed()) return cli::run_eval_take(eval_take);
    if (evc->parsed()) return cli::run_eval_canonical(eval_canonical);
    if (eva->parsed()) return cli::run_eval_appearance(eval_appearance);
    if (evp->parsed()) return cli::run_plot_training(plot_training);
    if (evn->parsed()) return cli::run_eval_noise(eval_noise);
    if (evcal->parsed()) return cli::run_eval_calibration(eval_cal);
    if (cal->parsed()) return cli::run_calibrate(calibrate);
    if (evtm->parsed()) return cli::run_eval_temporal(eval_temporal);
    if (evpr->parsed()) return cli::run_eval_prefs(eval_prefs);
    if (im->parsed()) return cli::run_image(image);
    if (vd->parsed()) return cli::run_video(video);
    if (sp->parsed() && speech.stream) return cli::run_speech_stream(speech);
    if (sp->parsed()) return cli::run_speech(speech);
    if (dp->parsed()) return cli::run_derive_prior(prior);
    if (se->parsed()) return cli::run_sample_expressions(sample);
    if (er->parsed()) return cli::run_export_rig(export_rig);
    return cli::kUsageError;
  };
  try {
    const int code = run();
    // Output that never reached stdout (a full disk, a closed pipe, /dev/full) is a failure too.
    errno = 0;
    if ((std::fflush(stdout) != 0 || std::ferror(stdout) != 0) && code == cli::kOk) {
      const std::string why = errno != 0 ? std::string(": ") + std::strerror(errno) : "";
      return fail(cli::kOutputUnwritable, ("cannot write to standard output" + why).c_str());
    }
    say_ffmpeg_log(code != cli::kOk);
    return code;
  } catch (const semblend::InputError& e) {
    return fail(cli::kInputMalformed, e.what());
  } catch (const semblend::IoError& e) {
    return fail(
        e.op() == semblend::IoError::Op::Read ? cli::kInputUnreadable : cli::kOutputUnwritable,
        e.what());
  } catch (const std::invalid_argument& e) {
    return fail(cli::kInvalidValue, e.what());
  } catch (const std::exception& e) {
    return fail(cli::kInternalError, e.what());
  }
}
