// Internal: a TF.js graph run node by node on the host, for graphs XNNPACK's subgraph cannot
// hold whole — MediaPipe's attention face mesh, whose region crops are computed in the graph
// (landmarks -> transform matrices -> bilinear sampling of feature maps: Shape, StridedSlice,
// Pack, GatherV2, BatchMatMulV2, Atan2, ...).
//
// Convolutions (Conv2D, _FusedConv2D, DepthwiseConv2dNative: nearly all of the arithmetic) run as
// XNNPACK operators with their weights packed once at build; every other op runs here on plain
// row-major tensors with NumPy broadcasting. Integer tensors (shapes, indices) are held as floats,
// exact below 2^24, which the graphs' index arithmetic stays far under (checked where it
// matters: Cast to int, gather indices, shapes).
//
// Inputs: one Placeholder (its batch dimension set to `batch`). Outputs: the graph's outputs
// (signature order), flat. Only the nodes the outputs need are run, in file order (a converted
// graph's order is topological; a node whose input is not yet computed is an error naming it).
// Failure modes: an unsupported op or attribute is an InputError naming the file, the node and
// the op, raised by the constructor (which runs the graph once on zeros to learn every shape).
// Thread safety: one HostGraph per thread (it owns its buffers and XNNPACK operators).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "engine/tfjs_graph.h"

namespace semblend::engine {

class HostGraph {
 public:
  HostGraph(std::shared_ptr<const Graph> graph, const std::string& path, int batch);
  HostGraph(const HostGraph&) = delete;
  HostGraph& operator=(const HostGraph&) = delete;
  ~HostGraph();

  const std::vector<std::size_t>& input_shape() const;
  const std::vector<std::string>& output_names() const;
  const std::vector<std::vector<std::size_t>>& output_shapes() const;

  std::span<float> input();
  void invoke();
  std::span<const float> output(std::size_t i) const;

  // Whether `graph` needs this executor: it has an op the XNNPACK subgraph builder does not take.
  static bool needed_for(const Graph& graph);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace semblend::engine
