// The subcommands of `semblend`, as plain functions over option structs. main.cpp parses the
// command line (CLI11) into these structs; nothing here knows about CLI11.
//
// Conventions for every subcommand: inputs are positional; `-o FILE` writes the result in the
// format its extension names (stdout otherwise); progress and logs go to stderr. Errors are thrown
// (semblend::InputError, IoError, std::invalid_argument) and main.cpp maps them to exit codes.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "semblend/aligner.h"
#include "semblend/audio.h"
#include "semblend/calibration.h"
#include "semblend/face_pipeline.h"
#include "semblend/filter.h"
#include "semblend/formats.h"
#include "semblend/take.h"
#include "semblend/vmc.h"
#include "solve_view.h"

namespace semblend::cli {

// Exit codes (docs/cli.md).
enum ExitCode : int {
  kOk = 0,
  kInternalError = 1,
  kUsageError = 2,
  kInputUnreadable = 3,
  kInputMalformed = 4,
  kOutputUnwritable = 5,
  kInvalidValue = 6,
};

// A whole result at once: atomically to `path` (temp file, rename), or to stdout when "".
// Every subcommand writes its results through this.
void emit(const std::string& path, const std::string& text);

// The message of an error about `path` without the "path: " it may already start with (the
// preference store's errors name their file; InputError names it again).
std::string without_path_prefix(const std::string& path, const std::string& message);

// --semantic: smoothed semantic descriptions (describe_take) on every frame. Only JSON-family
// outputs carry them: another format is std::invalid_argument (check_semantic_format checks first).
void check_semantic_format(TakeFormat format);
void attach_semantics(Take& take, TakeFormat format);

struct ConvertOptions {
  std::string input;
  std::string output;               // "" = stdout
  std::optional<std::string> from;  // input format name, detected when absent
  std::optional<std::string> to;    // output format name, from the extension when absent
  std::optional<double> fps;        // resample to this rate
  bool smooth = false;              // One Euro filter
  double min_cutoff = OneEuroParams{}.min_cutoff, beta = OneEuroParams{}.beta,
         d_cutoff = OneEuroParams{}.d_cutoff;
  bool clamp = false;     // clamp coefficients to [0, 1]
  bool semantic = false;  // attach semantic descriptions (JSON/JSONL outputs)
  double input_fps = 30;  // rate for inputs without times (ARKit dicts, SemanticFace)
  int timecode_rate = 60;
};
int run_convert(const ConvertOptions& o);

inline constexpr float kDeg = float(semblend::kPi) / 180.0f;  // radians per degree

// Where and how frames stream live: --vmc HOST:PORT, --vmc-names, --no-pose (play_command.cpp).
struct VmcStreamOptions {
  std::string to;               // HOST:PORT; "" = not streaming
  std::string names = "arkit";  // arkit ("eyeBlinkLeft") or pascal ("EyeBlinkLeft")
  bool no_pose = false;         // blendshapes only
};
// The sender for `o.to`, nullopt when it is empty. invalid_argument for a bad destination or
// names; IoError when the host does not resolve.
std::optional<semblend::VmcSender> open_vmc(const VmcStreamOptions& o);

// Sends frames no sooner than their own times say (the first at once; `speed` × real time), with
// times counted from the first frame's. A frame with confidence 0 is sent as "no face". A frame the
// operating system refuses (a network gone: no route) is counted and skipped, with one warning on
// stderr, so a live session's take is not lost to its stream.
class VmcPacer {
 public:
  explicit VmcPacer(semblend::VmcSender& sender, double speed = 1)
      : sender_(sender), speed_(speed) {}
  void send(const semblend::FaceFrame& frame);
  std::size_t failed() const { return failed_; }
  // "sent N frames to osc://HOST:PORT (VMC)", and how many could not be sent.
  std::string summary() const;

 private:
  semblend::VmcSender& sender_;
  double speed_;
  std::optional<std::chrono::steady_clock::time_point> start_;
  double first_ = 0;
  std::size_t failed_ = 0;
  std::string first_error_;
};

// A --from/--to format name (csv, json, jsonl, arkit, semanticface); invalid_argument otherwise.
semblend::TakeFormat named_format(const std::string& name);

struct InfoOptions {
  std::string input;
  std::string output;  // "" = stdout
  bool json = false;   // also implied by -o *.json
  std::size_t top = 8;
  std::optional<std::string> from;
};
int run_info(const InfoOptions& o);

struct DemoOptions {
  std::vector<std::string> outputs;  // each written in the format of its extension
  bool semantic = false;             // attach semantic descriptions (JSON/JSONL outputs)
  double fps = 60;
};
int run_demo(const DemoOptions& o);

struct DescribeOptions {
  std::string input;
  std::string output;            // "" = stdout; .jsonl/.json = JSONL, .txt = text
  std::string format = "jsonl";  // jsonl | text | analysis
  bool smooth = false;           // hysteresis over the take
  bool stats = false;            // print stability statistics to stderr
  float margin = 0.05f;          // SmootherOptions
  double hold = 0.25;
  double input_fps = 30;
  std::optional<std::string> from;
};
int run_describe(const DescribeOptions& o);

struct LandmarksOptions {
  std::vector<std::string> inputs;  // images, or one video
  std::string output;               // .json (one image) / .jsonl; "" = stdout (JSONL)
  std::string overlay;              // .png (one image), a directory (several), or .mp4 (video)
  int max_faces = 1;
  bool no_iris = false;
  std::string models;             // model directory ("" = the build's default)
  std::string mesh = "facemesh";  // mesh_model_from_name()
};
int run_landmarks(const LandmarksOptions& o);

struct RenderCommandOptions {
  std::string output;                     // .png
  std::string take;                       // render a frame of this take ("" = the neutral face)
  std::size_t frame = 0;                  // which frame of the take
  std::vector<std::string> weights;       // NAME=VALUE, applied on top of the take's frame
  std::optional<float> yaw, pitch, roll;  // degrees; override the take's head pose
  int size = 512;
  std::string skin = "medium";                 // render.h skin_tone()
  std::optional<std::uint64_t> identity_seed;  // a random identity (rig.h sample_identity)
  bool stylised = false;       // with --identity-seed: a cartoon-like identity (stylised_identity)
  bool contact_sheet = false;  // all 52 shapes at weight 1, named
  int tile = 192;
  std::string photo;       // put the render beside this photo
  std::string skin_photo;  // a face photo as the face's skin (render.h FaceTexture)
};
int run_render(const RenderCommandOptions& o);

struct EvalRigOptions {
  std::string output;  // JSON report ("" = summary only)
  int samples = 60;
  std::uint64_t seed = 1;
  int size = 384;
  bool responses = true;  // also the 52 shape response curves
  bool identities = true, expressions = true;
  float max_yaw = 45, max_pitch = 25, max_roll = 20;  // degrees
  std::string overlays;                               // folder for one PNG per render ("" = none)
  std::vector<std::string> skin_photos;  // face photos (files or folders) as the renders' skins
  std::string mesh = "facemesh";         // mesh_model_from_name()
};
int run_eval_rig(const EvalRigOptions& o);

// Batch mode of `image` and `video` (batch_command.cpp, docs/batch.md): the one input is a
// folder or a manifest (.csv/.jsonl); each item gets its own output file, finished outputs are
// skipped, and this run takes only its shard of the items.
struct BatchOptions {
  std::string out_dir;  // folder items: <out_dir>/<input stem>.<format>; relative manifest outputs
  std::string format;   // folder items' output extension: image json; video csv, json, jsonl
  std::string shard;    // "K/N": this run's shard ("" = every item)
  int jobs = 0;         // parallel workers; 0 = the hardware's threads
  bool force = false;   // redo items whose output exists
  bool recursive = false;  // folders: subfolders too, mirrored under out_dir
  bool any_set() const {
    return !out_dir.empty() || !format.empty() || !shard.empty() || jobs != 0 || force || recursive;
  }
};
// True when `inputs` is one folder or manifest: run_image and run_video then run a batch.
bool is_batch_input(const std::vector<std::string>& inputs);
// Not a batch (is_batch_input false): batch options are refused (std::invalid_argument), unless
// `input` does not exist at all, which is an IoError naming it (a mistyped folder is a missing
// input, not a usage error). `what` names the input in the message ("the input", "AUDIO").
void refuse_batch_options(const BatchOptions& batch, const std::string& input, const char* what);

// The solver (solver_commands.cpp, docs/solver.md).
struct ImageOptions {
  std::vector<std::string> inputs;
  std::string output;        // JSON ("" = stdout); an array when there are several images
  std::string model;         // solver weights ("" = the shipped model, checksum-verified)
  int face = 0;              // which face, largest first
  std::string overlay;       // landmark overlay: .png (one image) or a directory (several)
  std::string side_by_side;  // overlay | rig render of the estimate: .png or a directory
  bool photo_skin = false;   // side-by-side: the rig wears the photo's face (render.h FaceTexture)
  std::string faces;         // "all": every face ("faces": [...]); "" = the one face `face`
  std::string profile;       // a neutral profile (`semblend calibrate`); "" = none
  std::vector<std::string> neutral;  // or relaxed photos to make one from (as calibrate does)
  std::string correction;            // a preference correction (prefs_learn.h); "" = the profile's
  bool appearance = false;           // fuse the appearance branch (appearance.h, opt-in)
  bool independent_eyes = false;     // no link_far_eye (face_pipeline.h) on turned heads
  int readings = kStillImageReadings;  // landmark readings per face (face_pipeline.h)
  BatchOptions batch;                  // a folder or manifest input (batch_command.cpp)
};
int run_image(const ImageOptions& o);
int run_image_batch(const ImageOptions& o);

// `semblend video` (video_command.cpp): tracking landmarker -> solver -> One Euro -> a take.
struct VideoOptions {
  std::string input;
  std::string output;   // .csv / .json / .jsonl; "" = stdout (JSONL)
  std::string preview;  // "" = none; else an .mp4: the frame with its landmarks | the rig
  std::string model;    // solver weights ("" = the shipped model)
  int face = 0;         // which face, largest first when detected
  bool semantic = false;
  bool smooth = true;   // One Euro on the coefficients and angles (filter.h SmoothOptions)
  std::string faces;    // "all": one take per face identity (video_solve.h); "" = face `face`
  std::string profile;  // a neutral profile (`semblend calibrate`); "" = none
  std::vector<std::string> neutral;  // or relaxed photos to make one from (as calibrate does)
  std::string correction;  // a preference correction (prefs_learn.h); "" = the profile's, if any
  bool auto_calibrate = false;    // a running rest estimate per face (calibration.h RestEstimator)
  bool appearance = false;        // fuse the appearance branch (appearance.h, opt-in)
  bool independent_eyes = false;  // no link_far_eye (face_pipeline.h) on turned heads
  BatchOptions batch;             // a folder or manifest input (batch_command.cpp)
  VmcStreamOptions vmc;           // also stream each frame live (one face), at the video's pace
};
int run_video(const VideoOptions& o);
int run_video_batch(const VideoOptions& o);

struct EvalSolverOptions {
  std::string output, model;
  int samples = 500;          // synthetic landmark samples
  int images = 0;             // render -> landmarker -> solver samples
  std::uint64_t seed = 9001;  // held-out: training uses other seeds' identities
  int identities = 100;
  bool stylised = false;    // cartoon-like identities (rig.h stylised_identity)
  bool appearance = false;  // through images, also the error with the appearance branch fused
  int readings = kStillImageReadings;  // through images: landmark readings per face
};
int run_eval_solver(const EvalSolverOptions& o);

// `semblend eval faces` (eval_faces.cpp): the real-photo rubric (rubric.h) and its pass rate.
struct EvalFacesOptions {
  std::string rubric = "data/eval/face_rubric.json";
  std::string data = "../shared/data";  // the rubric's file paths are relative to this
  std::string output;                   // JSON report ("" = none)
  std::string model;                    // solver weights ("" = the shipped model)
  std::string side_by_side;             // a directory for overlay | rig pictures ("" = none)
  bool photo_skin = false;              // side-by-side: the rig wears the photo's face
  bool appearance = false;              // fuse the appearance branch (appearance.h)
  int readings = kStillImageReadings;   // landmark readings per face (face_pipeline.h)
};
int run_eval_faces(const EvalFacesOptions& o);

// `semblend eval take` (eval_take.cpp): an estimated take against its known truth.
struct EvalTakeOptions {
  std::string estimate, truth, output;
};
int run_eval_take(const EvalTakeOptions& o);

// `semblend eval canonical` (eval_canonical.cpp): the expressions the state of the art misreads.
struct EvalCanonicalOptions {
  std::string output, model;
  int identities = 5;
  std::uint64_t seed = 4242;           // held-out identities
  bool appearance = false;             // fuse the appearance branch (appearance.h)
  int readings = kStillImageReadings;  // landmark readings per face (face_pipeline.h)
};
int run_eval_canonical(const EvalCanonicalOptions& o);

// `semblend eval appearance` (eval_appearance.cpp): the appearance branch on held-out renders.
struct EvalAppearanceOptions {
  std::string output, model;
  std::string appearance_dir;  // "" = the shipped models (checksum-verified)
  int samples = 300;
  std::uint64_t seed = 9001;  // held-out: training uses seeds 1 and 1001
  bool stylised = false;
};
int run_eval_appearance(const EvalAppearanceOptions& o);

// `semblend eval training-plot` (plot_training.cpp): semblend_train reports as a PNG chart.
struct PlotTrainingOptions {
  std::vector<std::string> reports;
  std::string output;  // .png
};
int run_plot_training(const PlotTrainingOptions& o);

struct EvalNoiseOptions {
  std::string output;  // data/landmark_noise.csv; "" = stdout
  int samples = 3000;
  std::uint64_t seed = 77;
  bool pose_gains = true;
};
int run_eval_noise(const EvalNoiseOptions& o);

// The neutral profile's offset weight away from the photos' pose (calibration.h
// NeutralOptions::offset_weight_turned) as `calibrate` and `eval calibration` take it: a
// --offset-weight-turned above --offset-weight is taken as it (the same weight at every pose).
inline float turned_offset_weight(float offset_weight, float offset_weight_turned) {
  return std::min(offset_weight_turned, offset_weight);
}

// `semblend eval calibration` (eval_calibration.cpp): neutral calibration where truth is known.
struct EvalCalibrationOptions {
  std::string output, model;
  int identities = 12, expressions = 20, size = 320;
  double clip_fps = 10;  // the demo performance for the running estimate; 0 = skip it
  bool stylised = false, verbose = false;
  bool wide_neutrals = false;  // the profile also from neutrals at about ±20° of yaw
  float offset_weight = NeutralOptions{}.offset_weight;
  float offset_weight_turned = NeutralOptions{}.offset_weight_turned;
  float rest_quantile = NeutralOptions{}.rest_quantile;
  int jitter = JitterOptions{}.copies;  // jittered copies of each profile photo
  int readings = kStillImageReadings;   // held-out faces read as `semblend image` reads them
  std::uint64_t seed = 4242;
};
int run_eval_calibration(const EvalCalibrationOptions& o);

// `semblend eval temporal` (eval_temporal.cpp): jitter and blink onset, raw against filtered.
struct EvalTemporalOptions {
  std::string output, model;
  std::string video;  // optional real video (no truth): frame-to-frame change, blinks
  int size = 320, max_frames = 900;
  double noise = 6;  // sensor noise added to the renders, σ in 8-bit levels
  unsigned seed = 5;
  bool verbose = false;     // every row of the One Euro grid
  bool appearance = false;  // fuse the appearance branch (appearance.h), as `video --appearance`
};
int run_eval_temporal(const EvalTemporalOptions& o);

// `semblend calibrate` (calibrate_command.cpp): a neutral profile (calibration.h) from photos.
struct CalibrateOptions {
  std::vector<std::string> inputs;  // relaxed, neutral photos of one person
  std::string output;               // the profile (.json); "" = stdout
  std::string model;
  int face = 0;
  bool landmark_offset = NeutralOptions{}.landmark_offset;
  float offset_weight = NeutralOptions{}.offset_weight;
  float offset_weight_turned = NeutralOptions{}.offset_weight_turned;
  float rest_quantile = NeutralOptions{}.rest_quantile;
  int jitter = JitterOptions{}.copies;  // jittered copies of each photo (detect_jittered)
  std::string correction;  // a preference correction the rest is measured through; "" = none
};
int run_calibrate(const CalibrateOptions& o);
// Reads a profile file (`--profile` of image and video); InputError names the file.
NeutralProfile read_profile(const std::string& path);
// A profile from relaxed photos of one person, as `semblend calibrate` makes it (face `o.face` of
// each; o.jitter copies; warns on stderr when a photo is not neutral), its rest measured through
// `correction` when given (and the profile carries it). InputError names a photo with no face.
NeutralProfile profile_from_photos(const Solver& solver, const std::vector<std::string>& photos,
                                   const CalibrateOptions& o,
                                   const prefs::Correction* correction = nullptr);

// What `image` and `video` (one input or a batch) solve every face with besides the solver: the
// neutral profile and the preference correction.
struct Calibration {
  std::optional<NeutralProfile> profile;
  std::optional<prefs::Correction> correction;
  std::string correction_source;  // the file it came from (the profile's, when it carries it)
  FaceSolveSetup setup(const Appearance* appearance = nullptr) const;
  std::string correction_note() const;  // "<kind>: <file>", or "" without a correction
  // {"profile": its source photos, "correction": correction_note()} (either null), or "" when
  // there is neither: what `image` records in its JSON.
  std::string json() const;
};
// `--profile` / `--neutral` / `--correction`. The profile: none when both are empty; the profile
// file; or one made from the neutral photos with calibrate's defaults, the solver `model` and
// face `face` of each photo (with a note on stderr), through the correction when one is given.
// The correction: the file given, else the one the profile file carries, else none. Errors:
// --profile and --neutral both given, or a profile file used with a correction other than the
// one it was measured through (none, or a different one): std::invalid_argument naming the
// profile; an unreadable or malformed correction file: IoError / InputError naming it.
Calibration load_calibration(const std::string& profile, const std::vector<std::string>& neutral,
                             const std::string& correction, const std::string& model = "",
                             int face = 0);

struct DeriveNeutralOptions {
  std::vector<std::string> inputs;  // neutral frontal photos
  std::string output;               // data/neutral_face.csv; "" = stdout
};
int run_derive_neutral(const DeriveNeutralOptions& o);

struct DerivePriorOptions {
  std::vector<std::string> inputs;  // real ARKit takes
  std::string output;               // data/expression_prior.json; "" = stdout
};
int run_derive_prior(const DerivePriorOptions& o);

struct SampleExpressionsOptions {
  std::size_t count = 100;
  std::uint64_t seed = 1;
  std::uint64_t first = 0;      // index of the first sample
  double prior_fraction = 0.5;  // ExpressionSamplerOptions
  std::string output;           // .jsonl / .json / .csv; "" = stdout (JSONL)
};
int run_sample_expressions(const SampleExpressionsOptions& o);

struct SpeechOptions {
  std::string audio;   // the speech: the take spans it; checks the alignment fits it
  std::string phones;  // a pocketsphinx JSON alignment (timed phones); else the audio is aligned
  std::string transcript;  // UTF-8 text of what is said: forced alignment (else recognition)
  std::string models;      // pocketsphinx en-us model folder ("" = default)
  // The language spoken (an espeak-ng voice name). English ("en", "en-us", "en-gb"...) reads the
  // transcript with CMUdict; any other takes its phones from espeak-ng; both are aligned by
  // pocketsphinx's en-us models (aligner.h), or without a transcript: English word recognition,
  // another language the phone recogniser.
  std::string lang = "en-us";
  // Another language with a transcript: align it to espeak-ng's reading instead (dtw_aligner.h).
  bool by_synthesis = false;
  std::string output;  // .csv / .json / .jsonl; "" = stdout (JSONL)
  double fps = 60;
  bool no_coarticulation = false;
  bool semantic = false;
  bool no_prosody = false;  // loudness/pitch -> mouth amplitude and brows (needs the audio)
  bool no_blinks = false;
  bool no_gaze = false;
  std::uint64_t seed = 1;  // blinks and gaze
  std::string preview;     // "" = none; else an .mp4 of the rig talking, with the audio
  std::string alignment;   // "" = none; else the timed words and phones (pocketsphinx JSON)
  bool stream = false;     // live: 16 kHz PCM from stdin -> JSONL frames (commands_speech.cpp)
  std::string vmc;         // --stream: also send each frame to this HOST:PORT (VMC over OSC)
  BatchOptions batch;      // `audio` a folder or a manifest: one take per recording
};
int run_speech(const SpeechOptions& o);
int run_speech_batch(const SpeechOptions& o);  // batch_command.cpp
// One recording's take (run_speech's work after the checks): the audio aligned (o.transcript when
// given, else recognition; `aligner`, when not null, is used instead of a new one: made with
// AlignerOptions::language = o.lang),
// or o.phones read; then animated with prosody, and semantics attached for `to` with o.semantic.
// Warnings and the alignment's summary go to stderr, after "semblend speech: " and `label`.
// `phones`, when not null, receives the timed phones the take was animated from.
Take speech_take(const SpeechOptions& o, const Audio* audio, Aligner* aligner, TakeFormat to,
                 const std::string& label = "", std::vector<TimedPhoneme>* phones = nullptr);
int run_speech_stream(const SpeechOptions& o);

// `semblend play`: a take streamed live in the VMC protocol (vmc.h), frames at their own times.
struct PlayOptions {
  std::string input;
  std::optional<std::string> from;
  VmcStreamOptions vmc{"127.0.0.1:39539"};
  double speed = 1;
  int repeat = 1;  // 0 = until interrupted
};
int run_play(const PlayOptions& o);

struct EvalSpeechOptions {
  std::string output;  // JSON report ("" = summary only)
  std::string real;    // LibriVox folder (NAME.wav/.txt/.phone.json); "" = none
  std::string models;  // pocketsphinx en-us model folder ("" = default)
  bool quick = false;  // one voice, one rate: a fast check
  // Other languages to evaluate ("all" = every one with built-in sentences); empty = the default
  // (SpeechEvalOptions::languages).
  std::vector<std::string> languages;
  bool languages_only = false;  // skip the English sources (espeak-ng, festival, real)
};
int run_eval_speech(const EvalSpeechOptions& o);

struct ExportRigOptions {
  std::string output;                 // .glb (binary glTF) or .gltf (JSON, embedded buffer)
  std::string take;                   // "" = no animation
  std::vector<std::string> identity;  // "name=value" identity parameters (rig.h), in SDs
};
int run_export_rig(const ExportRigOptions& o);

struct SchemaOptions {
  std::string format;  // markdown | json; "" = by -o's extension (.json, .md), else markdown
  std::string output;
};
int run_schema(const SchemaOptions& o);

// `semblend paths`: resources.h's lookup for each model set, every file's SHA-256 checked, and
// pocketsphinx's model folder. Exit 3 when anything is missing or differs.
struct PathsOptions {
  bool json = false;
};
int run_paths(const PathsOptions& o);

// `semblend train ARGS...`: runs the solver's trainer, semblend_train (next to this executable;
// built only where libtorch is installed, so the CLI itself never links it), with ARGS as they
// are, and returns its exit code (docs/solver.md). Without the trainer: an error saying why, 1.
int run_train(const std::vector<std::string>& trainer_args);

// `semblend eval prefs` (eval_prefs.cpp, docs/prefs.md): the preference loop where truth is known.
struct EvalPrefsOptions {
  std::string output;  // the report text ("" = stdout only)
  std::string model;   // solver weights ("" = the shipped model)
  bool quick = false;  // a smaller version (< 1 min)
  bool verbose = false;
  std::uint64_t seed = 5;
};
int run_eval_prefs(const EvalPrefsOptions& o);

// `semblend prefs train|status|export|use` (prefs_command.cpp, docs/prefs.md).
struct PrefsOptions {
  std::string action;  // train, calibrate, status, export, use
  std::string data = "semblend-prefs";
  std::string output;  // export: the correction JSON ("" = stdout); calibrate: required
  std::string items;   // calibrate: a glob on the items' sources (one person's photos)
  std::optional<std::int64_t> version;  // export/use: a model version id (default: current)
  int min_per_region = 30;
  double holdout = 0.2;
  bool cross = false;  // cross terms within fine regions
};
int run_prefs(const PrefsOptions& o);

// `semblend serve` (serve_command.cpp, docs/serve.md): the preference-judging web service.
struct ServeOptions {
  std::string host = "127.0.0.1";
  int port = 8080;                          // 0 = any free port (printed)
  std::string data = "semblend-prefs";      // folder of the store (prefs.sqlite)
  std::string images;                       // the configured images folder ("" = uploads only)
  std::string model;                        // solver weights ("" = the shipped model)
  std::vector<std::string> compare_models;  // other model versions (model.json paths)
  std::string export_to;                    // write the store as JSONL here and exit
  std::string import_from;                  // merge this JSONL export and exit
  bool export_images = true;
  int threads = 32;
};
int run_serve(const ServeOptions& o);

// `semblend serve-load` (serve_load.cpp): a bounded loopback load test of the judging API.
struct ServeLoadOptions {
  int annotators = 20;
  double seconds = 60;
  int items = 60;      // synthetic items (rendered expressions with known predictions)
  std::string output;  // JSON report ("" = summary on stderr only)
};
int run_serve_load(const ServeLoadOptions& o);

}  // namespace semblend::cli
