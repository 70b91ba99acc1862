// Internal: writes a multilayer perceptron, or a small convolutional network, as a TF.js graph
// model (model.json + one float32 weight shard) that the engine (engine.h) and TensorFlow.js both
// run. Used by the solver's export (solver.h write_solver_model) and the appearance branch's
// (appearance.h write_appearance_model).
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

// A convolution as libtorch's Conv2d holds it, with VALID padding (TF's and libtorch's SAME-like
// paddings differ at stride 2), always followed by ReLU.
struct ConvWeights {
  std::size_t in = 0, out = 0, kernel = 3, stride = 2;
  std::vector<float> weight;  // out × in × kernel × kernel, row-major (OIHW)
  std::vector<float> bias;    // out
};

// Writes a CNN: a Placeholder "input" [-1, height, width, channels] (NHWC), one _FusedConv2D
// (BiasAdd, Relu; VALID) per convolution with the filter stored HWIO as TF does, a Reshape to
// [-1, features], the dense layers as in write_tfjs_mlp, then a Sigmoid when `sigmoid`, and an
// Identity "output". The first dense layer's weights are given in libtorch's flatten order
// (channel-major, NCHW) and are permuted here to TF's (NHWC). Returns the SHA-256 of both files
// by file name. Throws std::invalid_argument when sizes do not chain.
std::map<std::string, std::string> write_tfjs_cnn(const std::string& model_json, std::size_t height,
                                                  std::size_t width, std::size_t channels,
                                                  const std::vector<ConvWeights>& convs,
                                                  std::vector<DenseWeights> dense, bool sigmoid,
                                                  const std::string& generated_by);

}  // namespace semblend::engine
