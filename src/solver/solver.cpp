// The solver (solver.h): normalisation, and the MLP's inference on the engine (engine.h).
#include "semblend/solver.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "engine/model_pool.h"
#include "semblend/engine.h"
#include "semblend/error.h"
#include "semblend/face_model.h"

namespace semblend {

namespace {

// solver_input, also handing back the rigid fit it made (solve() reports its residual).
std::vector<float> normalise(const std::array<Point3, kLandmarkCount>& landmarks, RigidFit& fit) {
  for (const Point3& p : landmarks)
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z))
      throw std::invalid_argument("solver input: non-finite landmark");
  const FaceShape& neutral = neutral_face();
  const FaceShape face = to_face_axes(landmarks);
  fit = fit_rigid(neutral, face);
  if (!(fit.scale > 0)) throw std::invalid_argument("solver input: degenerate landmarks");
  const auto& R = fit.rotation;  // face frame -> observed; its transpose maps back
  std::vector<float> out(kSolverInputSize);
  const float inv = 1.0f / fit.scale;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const float dx = face[i].x - fit.translation.x, dy = face[i].y - fit.translation.y,
                dz = face[i].z - fit.translation.z;
    const float fx = (R[0] * dx + R[3] * dy + R[6] * dz) * inv;
    const float fy = (R[1] * dx + R[4] * dy + R[7] * dz) * inv;
    const float fz = (R[2] * dx + R[5] * dy + R[8] * dz) * inv;
    out[3 * i] = fx - neutral[i].x;
    out[3 * i + 1] = fy - neutral[i].y;
    out[3 * i + 2] = fz - neutral[i].z;
  }
  return out;
}

}  // namespace

std::vector<float> solver_input(const std::array<Point3, kLandmarkCount>& landmarks) {
  RigidFit fit;
  return normalise(landmarks, fit);
}

// One engine Model per concurrent caller (engine/model_pool.h).
struct Solver::Impl {
  std::string path;
  std::unique_ptr<engine::ModelPool> pool;
};

Solver::Solver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Solver::Solver(Solver&&) noexcept = default;
Solver& Solver::operator=(Solver&&) noexcept = default;
Solver::~Solver() = default;

ResourceLocation default_solver_model_location() {
  return locate_resource("solver/solver.json", SEMBLEND_SOLVER_MODEL);
}
std::string default_solver_model_path() {
  return default_solver_model_location().path;
}

Solver Solver::load_default() {
  const std::map<std::string, std::string> sums = default_solver_model_checksums();
  if (sums.size() != 2)
    throw InputError(
        default_solver_model_path(), 0, 0,
        "this build has no checksums for the shipped solver (data/solver/solver.sha256 "
        "was missing or incomplete when it was configured)");
  return load(default_solver_model_path(), sums);
}

Solver Solver::load(const std::string& model_json,
                    const std::map<std::string, std::string>& sha256) {
  ModelOptions options;
  options.sha256 = sha256;
  Model model = Model::load(model_json, options);
  const std::vector<std::size_t> want_in{1, kSolverInputSize};
  if (model.input_shape() != want_in)
    throw InputError(model_json, 0, 0,
                     "the solver's input must be [1, " + std::to_string(kSolverInputSize) +
                         "] (the normalised landmarks), the model takes " +
                         std::to_string(model.input().size()) + " values");
  if (model.output_shapes().size() != 1 || !is_solver_output_size(model.output(0).size()))
    throw InputError(model_json, 0, 0,
                     "the solver must have one output in a layout of solver.h, e.g. " +
                         std::to_string(kSolverSemanticOutputSize) +
                         " values (52 × 6 band logits, 9 category logits, 52 × 6 in-band "
                         "values)");
  auto impl = std::make_unique<Impl>();
  impl->path = model_json;
  impl->pool = std::make_unique<engine::ModelPool>(std::move(model));
  return Solver(std::move(impl));
}

std::vector<float> Solver::run(std::span<const float> input) const {
  if (input.size() != kSolverInputSize)
    throw std::invalid_argument("solver: input has " + std::to_string(input.size()) +
                                " values, expected " + std::to_string(kSolverInputSize));
  const engine::ModelPool::Lease m = impl_->pool->acquire();
  std::copy(input.begin(), input.end(), m->input().begin());
  m->invoke();
  const std::span<const float> y = m->output(0);
  return std::vector<float>(y.begin(), y.end());
}

SolverResult Solver::solve(const std::array<Point3, kLandmarkCount>& landmarks,
                           std::span<const float> input_offset) const {
  RigidFit fit;
  std::vector<float> in = normalise(landmarks, fit);
  if (!input_offset.empty()) {
    if (input_offset.size() != in.size())
      throw std::invalid_argument("Solver::solve: input offset has " +
                                  std::to_string(input_offset.size()) + " values, expected " +
                                  std::to_string(in.size()));
    for (std::size_t i = 0; i < in.size(); ++i) in[i] -= input_offset[i];
  }
  SolverResult res = decode_solver_output(run(in));
  // The normalisation's fit residual, for confidence (normalise refuses a degenerate fit).
  res.fit_rms_cm = fit.rms_error / fit.scale;
  return res;
}

}  // namespace semblend
