// The solver's export (solver.h write_solver_model): the trained layers as a TF.js graph model
// for the engine, with the input standardisation folded into the first layer.
#include <cmath>
#include <filesystem>
#include <stdexcept>

#include "engine/tfjs_writer.h"
#include "semblend/file_io.h"
#include "semblend/solver.h"

namespace semblend {

std::map<std::string, std::string> write_solver_model(const std::string& model_json,
                                                      std::span<const float> input_mean,
                                                      std::span<const float> input_std,
                                                      const std::vector<DenseLayer>& layers) {
  if (input_mean.size() != kSolverInputSize || input_std.size() != kSolverInputSize)
    throw std::invalid_argument("solver export: input statistics must have " +
                                std::to_string(kSolverInputSize) + " values");
  for (std::size_t i = 0; i < kSolverInputSize; ++i)
    if (!(input_std[i] > 0) || !std::isfinite(input_std[i]) || !std::isfinite(input_mean[i]))
      throw std::invalid_argument("solver export: input " + std::to_string(i) + " has mean " +
                                  std::to_string(input_mean[i]) + " and deviation " +
                                  std::to_string(input_std[i]));
  if (layers.empty() || std::size_t(layers.front().in) != kSolverInputSize ||
      !is_solver_output_size(std::size_t(layers.back().out)) || layers.back().relu)
    throw std::invalid_argument("solver export: the layers must map " +
                                std::to_string(kSolverInputSize) +
                                " inputs to the linear outputs of a layout of solver.h");
  std::vector<engine::DenseWeights> dense;
  for (const DenseLayer& l : layers) {
    if (l.in < 1 || l.out < 1) throw std::invalid_argument("solver export: empty layer");
    dense.push_back({std::size_t(l.in), std::size_t(l.out), l.relu, l.weight, l.bias});
  }
  // (x − mean) / std · Wᵀ + b = x · W'ᵀ + b' with W' = W / std (per input column) and
  // b' = b − W' · mean, in double before rounding to float.
  engine::DenseWeights& first = dense.front();
  if (first.weight.size() != first.in * first.out || first.bias.size() != first.out)
    throw std::invalid_argument("solver export: the first layer's sizes do not match");
  for (std::size_t o = 0; o < first.out; ++o) {
    double shift = 0;
    for (std::size_t i = 0; i < first.in; ++i) {
      const double w = double(first.weight[o * first.in + i]) / double(input_std[i]);
      first.weight[o * first.in + i] = float(w);
      shift += w * double(input_mean[i]);
    }
    first.bias[o] = float(double(first.bias[o]) - shift);
  }
  std::map<std::string, std::string> sums =
      engine::write_tfjs_mlp(model_json, dense, "semblend_train (the solver, docs/solver.md)");
  // "<sha256>  <file>" lines beside the model, the form sha256sum -c reads; the build compiles
  // the shipped model's sums in from data/solver/solver.sha256.
  const std::filesystem::path p(model_json);
  std::string lines;
  for (const auto& [name, sum] : sums) lines += sum + "  " + name + "\n";
  write_file_atomic((p.parent_path() / (p.stem().string() + ".sha256")).string(), lines);
  return sums;
}

}  // namespace semblend
