// semblend/engine.h — a neural engine for TF.js graph models, on XNNPACK.
//
// What it does: loads a TF.js graph model (`model.json` + weight shards; float32 weights, float16
// and uint8/uint16 affine-quantized weights) and runs it on XNNPACK, the engine MediaPipe itself
// uses on CPU. Supported ops — what MediaPipe's BlazeFace, FaceMesh and Iris need: _FusedConv2D
// (BiasAdd, Relu, Relu6, Prelu), Conv2D, DepthwiseConv2dNative, AddV2/Add, Relu, Relu6, Prelu,
// MaxPool, Pad, Reshape, Sigmoid, Identity, and ConcatV2 where it only feeds the outputs (Debian's
// 2022 XNNPACK has no concatenate node, so that tail runs on the host); and what an MLP needs (the
// solver, solver.h): MatMul and _FusedMatMul (BiasAdd, then optionally Relu or Relu6;
// transpose_b, not transpose_a) on a [batch, features] value, with constant weights, as
// XNNPACK's fully-connected node, and BiasAdd with a constant bias.
// A graph with any other op (MediaPipe's attention face mesh, which crops its own feature maps
// with Shape, StridedSlice, Pack, GatherV2, BatchMatMulV2, Atan2, Floor, Cast, ...) runs node by
// node instead: its convolutions on XNNPACK operators, the rest on the host (engine/host_graph.h
// lists the ops; one thread only).
//
// Inputs: one float input, NHWC or [batch, features], batch ModelOptions::batch (1 by default; a
// -1 batch in the model takes it). Batching shares each layer's weights between images (two eyes
// at once).
// Outputs: the model's signature outputs in order (or its Identity nodes by name), as flat floats.
// Failure modes: a file whose SHA-256 differs from ModelOptions::sha256 (a corrupted or swapped
//   weight file) is an InputError naming it; ModelError (an InputError) names the file and, for
//   graph problems, the node and op ("iris.json: node 'x/ConcatV2' (ConcatV2): feeds another layer;
//   only output concats are supported"); a missing or short weight file names the file and the byte
//   counts.
// Thread safety: a Model is not safe to run from two threads at once (it owns its buffers); load
//   (or clone()) one Model per thread. Loading and cloning are thread-safe. By default a model runs
//   on the calling thread (measured: a thread pool on this 2-core machine was slower).
#pragma once

#include <cstddef>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "semblend/error.h"

namespace semblend {

struct Tensor {
  std::vector<std::size_t> shape;
  std::vector<float> data;
  std::size_t size() const { return data.size(); }
};

struct ModelOptions {
  int threads = 1;  // > 1: run on a pthreadpool of this many threads
  int batch = 1;    // images per run (the model's batch dimension must be -1 or this)
  // Expected SHA-256 (lowercase hex) of files by file name ("iris.json", "iris.bin"). Every file
  // the load reads that has an entry is checked; a mismatch is an InputError naming the file.
  std::map<std::string, std::string> sha256;
};

class Model {
 public:
  // Loads `model_json` and the weight files it names (paths relative to it).
  static Model load(const std::string& model_json, const ModelOptions& options = {});
  // Another Model of the same graph and weights with its own buffers and runtime (for another
  // thread); reads no files.
  Model clone() const;

  Model(Model&&) noexcept;
  Model& operator=(Model&&) noexcept;
  ~Model();

  const std::string& path() const;
  // NHWC: {batch, height, width, channels}; fully-connected models: {batch, features}.
  const std::vector<std::size_t>& input_shape() const;
  const std::vector<std::string>& output_names() const;
  const std::vector<std::vector<std::size_t>>& output_shapes() const;

  // Runs the model on `input` (row-major NHWC, exactly the input shape's element count) and
  // returns the outputs in output_names() order. Throws std::invalid_argument on a wrong size.
  std::vector<Tensor> run(std::span<const float> input);

  // Allocation-free use: fill input(), call invoke(), read output(i).
  std::span<float> input();
  void invoke();
  std::span<const float> output(std::size_t i) const;

 private:
  struct Impl;
  explicit Model(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace semblend
