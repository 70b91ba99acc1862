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
// Model: an MLP (data/solver/solver_mlp.bin, trained by `semblend_train`, docs/solver.md) with
// three heads: 52 coefficients (sigmoid), and the semantic tokens of semantic.h as auxiliary
// classification heads — one 6-way intensity bin per channel (52 × 6) and the 9-way expression
// category. The coefficients are the regression head; the bins and category come with them (the
// network was trained to predict the structured semantics as well; docs/solver.md).
//
// Weights file: "SBSOLVR1" magic, version, input size, then dense layers (out, in, activation,
// row-major weights, bias) as little-endian float32, preceded by the input's standardisation
// (mean, std). load() checks the SHA-256 when one is given (the shipped model's sum is compiled
// in: data/solver/solver_mlp.sha256) and validates every size, naming the file in errors.
//
// Failure modes: InputError for a missing, truncated, corrupted or mismatching weights file;
// std::invalid_argument for non-finite landmarks. Thread safety: a Solver is immutable after load;
// solve() is const and allocates its own buffers: call it from any number of threads.
#pragma once

#include <array>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "semblend/landmarker.h"
#include "semblend/semantic.h"
#include "semblend/take.h"

namespace semblend {

inline constexpr std::size_t kSolverInputSize = 3 * kLandmarkCount;
inline constexpr std::size_t kSolverOutputSize =
    kBlendshapeCount + kSemanticChannelCount * kIntensityCount + kCategoryCount;

// The normalised input (see above): kSolverInputSize values, landmark-major (x, y, z).
std::vector<float> solver_input(const std::array<Point3, kLandmarkCount>& landmarks);

struct SolverResult {
  Coefficients coefficients;
  std::array<Intensity, kSemanticChannelCount> bins{};  // the bin head's choice per channel
  Category category = Category::Neutral;                // the category head's choice
  float fit_rms_cm = 0;  // rigid fit residual of the stable points (large = unusual face/pose)
};

class Solver {
 public:
  // Loads a weights file; `sha256` (lowercase hex) is checked when not empty.
  static Solver load(const std::string& path, const std::string& sha256 = "");
  // The shipped model (data/solver/solver_mlp.bin), checked against its compiled-in SHA-256.
  static Solver load_default();

  SolverResult solve(const std::array<Point3, kLandmarkCount>& landmarks) const;
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

std::string default_solver_model_path();

// Writes a weights file (the trainer's export): layers as (out, in, relu?) with row-major weights.
struct DenseLayer {
  int out = 0, in = 0;
  bool relu = false;
  std::vector<float> weight, bias;  // out × in, out
};
void write_solver_model(const std::string& path, std::span<const float> input_mean,
                        std::span<const float> input_std, const std::vector<DenseLayer>& layers);

}  // namespace semblend
