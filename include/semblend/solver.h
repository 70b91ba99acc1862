// semblend/solver.h — landmarks -> the 52 ARKit coefficients and their semantic tokens.
//
// Input: the 478 landmarks of one face as the vision front end reports them (landmarker.h: image
// pixels, z at the x scale). Normalisation (solver_input): the rigid fit of the neutral face
// (face_model.h fit_rigid, on the stable points that expressions barely move) is undone — the
// points are rotated back into the face frame, divided by the fit's scale and translated to its
// origin — and the neutral face is subtracted. What is left is each landmark's displacement from
// the average neutral face, in face-frame centimetres: head pose, distance, image position and
// size are gone; identity and expression remain. All 478 points, 3 axes each (1434 values): the
// lips, lids, brows and irises are the expression, and the other points carry the identity the
// network must discount; the net weights them itself.
//
// Model: an MLP (data/solver/solver.json, trained by `semblend_train`, docs/solver.md) with
// three heads: 52 coefficients (sigmoid), and the semantic tokens of semantic.h as auxiliary
// classification heads — one 6-way intensity bin per channel (52 × 6) and the 9-way expression
// category. The coefficients are the regression head; the bins and category come with them (the
// network was trained to predict the structured semantics as well; docs/solver.md).
//
// Inference runs on the project's engine (engine.h, XNNPACK), not libtorch. The model is a TF.js
// graph model (data/solver/solver.json + solver.bin, float32): input [1, 1434], one _FusedMatMul
// node per layer (BiasAdd + Relu for the hidden layers, BiasAdd for the last), one output of raw
// values in a layout below; the input's standardisation (mean, std) is folded into the first
// layer. write_solver_model writes it (the trainer's export); load() checks each file's SHA-256
// when one is given (the shipped model's sums are compiled in from data/solver/solver.sha256) and
// the input and output sizes, naming the file in errors. solve() decodes the outputs
// (decode_solver_output).
//
// Failure modes: InputError (or IoError) for a missing, truncated, corrupted or mismatching model
// file; std::invalid_argument for non-finite landmarks or a wrong input size.
// Thread safety: a Solver is logically immutable after load; solve() and run() are const and may
// be called from any number of threads at once. An engine Model must not run on two threads at
// once, so the Solver keeps a mutex-protected pool of them: a call takes an idle one (or clones a
// new one from the loaded graph, without reading files, when all are busy) and returns it after.
// The pool grows to the largest number of simultaneous calls (about 4 MB each for the shipped
// model); the lock is held only to take and return, never while the network runs.
#pragma once

#include <array>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/resources.h"
#include "semblend/semantic.h"
#include "semblend/take.h"

namespace semblend {

inline constexpr std::size_t kSolverInputSize = 3 * kLandmarkCount;
// Output layouts, told apart by their size (decode_solver_output):
// - semantic (the semantic-distillation model): 52 × 6 band logits (the FACS bands of
//   semantic_types.h, channel = blendshape), 9 category logits, then 52 × 6 in-band regression
//   logits; coefficient k = Σ_b softmax(band logits)_b · (lower_b + σ(r_kb) · width_b);
// - direct (no semantic heads): 52 logits, coefficient = σ(logit).
inline constexpr std::size_t kSolverDirectOutputSize = kBlendshapeCount;
inline constexpr std::size_t kSolverSemanticOutputSize =
    2 * kSemanticChannelCount * kIntensityCount + kCategoryCount;
constexpr std::size_t solver_output_size(bool semantic) {
  return semantic ? kSolverSemanticOutputSize : kSolverDirectOutputSize;
}
constexpr bool is_solver_output_size(std::size_t n) {
  return n == kSolverDirectOutputSize || n == kSolverSemanticOutputSize;
}

// The normalised input (see above): kSolverInputSize values, landmark-major (x, y, z).
std::vector<float> solver_input(const std::array<Point3, kLandmarkCount>& landmarks);

struct SolverResult {
  Coefficients coefficients;
  // The band head's most likely band per channel and the category head's choice; for a model
  // without semantic heads, the bands of the coefficients and describe()'s category.
  std::array<Intensity, kSemanticChannelCount> bins{};
  Category category = Category::Neutral;
  float fit_rms_cm = 0;  // rigid fit residual of the stable points (large = unusual face/pose)
  // The fraction of the far eye's lids taken from the near eye on a turned head
  // (face_pipeline.h link_far_eye; 0 = none), and which eye that was.
  float far_eye_linked = 0;
  Side far_eye = Side::Left;
  // How many landmark readings of the face the coefficients average (face_pipeline.h solve_face
  // with more readings; 1 = the solver on one reading), and each coefficient's standard deviation
  // over them (0 for one reading): how much the estimate moves with where the landmarker puts
  // the points.
  int readings = 1;
  Coefficients spread{};
  // Eyes the image hides (landmarker.h EyeVisibility: sunglasses, a patch, a hand): their shapes
  // were not read but taken from the other eye, or set to rest (face_pipeline.h cover_hidden_eyes).
  bool left_eye_hidden = false, right_eye_hidden = false;
};

// Coefficients, bands and category from the network's raw outputs in any of the layouts above.
// Throws std::invalid_argument for another size. fit_rms_cm is left 0.
SolverResult decode_solver_output(std::span<const float> outputs);

class Solver {
 public:
  // Loads a model (model.json and its weight shard); each file whose name has an entry in
  // `sha256` (file name -> lowercase hex) is checked against it.
  static Solver load(const std::string& model_json,
                     const std::map<std::string, std::string>& sha256 = {});
  // The shipped model (data/solver/solver.json), checked against its compiled-in SHA-256 sums.
  static Solver load_default();

  // `input_offset` (empty, or kSolverInputSize values) is subtracted from the normalised input:
  // a person's neutral (calibration.h).
  SolverResult solve(const std::array<Point3, kLandmarkCount>& landmarks,
                     std::span<const float> input_offset = {}) const;
  // From an already normalised input (kSolverInputSize values); raw outputs for tests and tools.
  std::vector<float> run(std::span<const float> input) const;

  Solver(Solver&&) noexcept;
  Solver& operator=(Solver&&) noexcept;
  ~Solver();

 private:
  struct Impl;
  explicit Solver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "solver/solver.json" in the installed data dir, or this build's data/solver/solver.json
// (resources.h says where it is looked for).
std::string default_solver_model_path();
ResourceLocation default_solver_model_location();
// The shipped model's SHA-256 sums by file name ("solver.json", "solver.bin"), compiled in.
std::map<std::string, std::string> default_solver_model_checksums();

// Writes a model in the engine's format (the trainer's export): `model_json`, its weight shard
// `<stem>.bin` and `<stem>.sha256` ("<sum>  <file>" lines) beside it. Layers as (out, in, relu?)
// with row-major weights, from 1434 inputs to linear outputs in a layout above; the input's
// standardisation ((x − mean) / std) is folded into the first layer (W / std per input column,
// b − (W / std)·mean).
// Returns the files' SHA-256 by file name. Throws std::invalid_argument for inconsistent sizes or
// a non-positive deviation.
struct DenseLayer {
  int out = 0, in = 0;
  bool relu = false;
  std::vector<float> weight, bias;  // out × in, out
};
std::map<std::string, std::string> write_solver_model(const std::string& model_json,
                                                      std::span<const float> input_mean,
                                                      std::span<const float> input_std,
                                                      const std::vector<DenseLayer>& layers);

}  // namespace semblend
