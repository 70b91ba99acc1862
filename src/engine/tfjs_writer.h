// Internal: writes a multilayer perceptron as a TF.js graph model (model.json + one float32
// weight shard) that the engine (engine.h) and TensorFlow.js both run. Used by the solver's
// export (solver.h write_solver_model).
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace semblend::engine {

struct DenseWeights {
  std::size_t in = 0, out = 0;
  bool relu = false;
  std::vector<float> weight;  // out × in, row-major (libtorch's Linear layout)
  std::vector<float> bias;    // out
};

// Writes `model_json` and its shard `<stem>.bin` beside it (each atomically): a Placeholder
// "input" [-1, in], per layer a _FusedMatMul (BiasAdd, then Relu when relu) with the kernel
// stored [in, out] as TF does, and an Identity "output" in the signature. Returns the SHA-256 of
// both files by file name. Throws std::invalid_argument when the layers do not chain or their
// sizes do not match.
std::map<std::string, std::string> write_tfjs_mlp(const std::string& model_json,
                                                  const std::vector<DenseWeights>& layers,
                                                  const std::string& generated_by);

}  // namespace semblend::engine
