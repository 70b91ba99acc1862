// semblend — the command line. Parses arguments (CLI11, only here), runs one subcommand, and turns
// exceptions into one-line messages and the exit codes of docs/cli.md.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>

#include "commands.h"
#include "semblend/error.h"

namespace cli = semblend::cli;

namespace {

int fail(int code, const char* what) {
  std::fprintf(stderr, "semblend: error: %s\n", what);
  return code;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"semblend: faces and speech to ARKit blendshape coefficients, explained in words"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "semblend 0.1.0");
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
  c->add_option("--fps", convert.fps, "Resample to this frame rate")->check(CLI::PositiveNumber);
  c->add_flag("--smooth", convert.smooth, "Apply the One Euro filter to every channel");
  c->add_option("--min-cutoff", convert.min_cutoff, "One Euro minimum cutoff, Hz")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  c->add_option("--beta", convert.beta, "One Euro speed coefficient")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  c->add_option("--d-cutoff", convert.d_cutoff, "One Euro derivative cutoff, Hz")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  c->add_flag("--semantic", convert.semantic,
              "Attach semantic descriptions to every frame (.json/.jsonl outputs)");
  c->add_flag("--clamp", convert.clamp,
              "Clamp coefficients to [0, 1] (readers keep small overshoots)");
  c->add_option("--input-fps", convert.input_fps, "Frame rate for inputs without times")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
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
  d->add_option("--fps", demo.fps, "Frame rate")->capture_default_str()->check(CLI::PositiveNumber);

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
      ->check(CLI::PositiveNumber);
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

  cli::DeriveNeutralOptions neutral;
  auto* dn = app.add_subcommand(
      "derive-neutral",
      "Derive the neutral 3D face from neutral frontal photos (data/neutral_face.csv)");
  dn->add_option("inputs", neutral.inputs, "Neutral, frontal photos with one face each")
      ->required();
  dn->add_option("-o,--output", neutral.output, "Write the CSV here");

  cli::SpeechOptions speech;
  auto* sp = app.add_subcommand(
      "speech", "Speech to mouth, jaw and tongue curves (from timed phones for now)");
  sp->add_option("audio", speech.audio,
                 "The speech audio: the take then spans it, and a mismatched alignment is refused");
  sp->add_option("--phones", speech.phones, "Timed phones: pocketsphinx JSON alignment")
      ->required();
  sp->add_option("-o,--output", speech.output, "Write the take here (.csv, .json, .jsonl)");
  sp->add_option("--fps", speech.fps, "Frame rate")
      ->capture_default_str()
      ->check(CLI::Range(1.0, 1000.0));
  sp->add_flag("--no-coarticulation", speech.no_coarticulation,
               "Each frame takes its own phoneme's shape");
  sp->add_flag("--semantic", speech.semantic,
               "Attach semantic descriptions (.json/.jsonl outputs)");

  cli::SchemaOptions schema;
  auto* s = app.add_subcommand("schema",
                               "Print the ARKit-52 schema table (names, regions, mirrors, FACS)");
  s->add_option("--format", schema.format, "markdown or json")->capture_default_str();
  s->add_option("-o,--output", schema.output, "Write to this file");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? cli::kOk : cli::kUsageError;
  }

  try {
    if (c->parsed()) return cli::run_convert(convert);
    if (i->parsed()) return cli::run_info(info);
    if (d->parsed()) return cli::run_demo(demo);
    if (s->parsed()) return cli::run_schema(schema);
    if (ds->parsed()) return cli::run_describe(describe);
    if (lmk->parsed()) return cli::run_landmarks(landmarks);
    if (dn->parsed()) return cli::run_derive_neutral(neutral);
    if (sp->parsed()) return cli::run_speech(speech);
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
  return cli::kUsageError;
}
