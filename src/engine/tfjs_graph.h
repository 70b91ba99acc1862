// Internal: a TF.js graph model read from disk — nodes, attributes and constant tensors.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace semblend::engine {

struct ConstTensor {
  std::vector<std::size_t> shape;
  std::vector<float> values;  // float tensors (dequantized)
  std::vector<int64_t> ints;  // int32 tensors
  bool is_int = false;
};

struct Node {
  std::string name, op;
  std::vector<std::string> inputs;  // node names (":0" suffixes and control inputs removed)
  std::map<std::string, std::vector<int64_t>> int_lists;         // strides, ksize, dilations, ...
  std::map<std::string, std::vector<std::string>> string_lists;  // fused_ops
  std::map<std::string, std::string> strings;                    // padding, data_format
  std::map<std::string, bool> bools;                             // transpose_a, transpose_b
  std::map<std::string, int64_t> ints;  // axis, N, begin_mask, shrink_axis_mask, batch_dims, ...
  std::map<std::string, std::string> types;  // DstT, T, ... ("DT_FLOAT", "DT_INT32")
  std::vector<std::size_t> shape;            // Placeholder shape (-1 read as 1)
};

struct Graph {
  std::string file;
  std::vector<Node> nodes;                                   // in file order
  std::map<std::string, ConstTensor> consts;                 // Const nodes by name
  std::vector<std::pair<std::string, std::string>> outputs;  // (output name, node name)
};

// Reads model.json and its weight shards, checking each file named in `sha256` (file name ->
// lowercase hex digest). Throws InputError naming the file and the problem.
Graph read_tfjs_graph(const std::string& model_json,
                      const std::map<std::string, std::string>& sha256 = {});

// IEEE 754 half (little-endian bits) to float.
float half_to_float(uint16_t h);

}  // namespace semblend::engine
