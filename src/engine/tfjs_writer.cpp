#include "engine/tfjs_writer.h"

#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "core/sha256.h"
#include "semblend/file_io.h"

namespace semblend::engine {
namespace {

using json = nlohmann::json;

// TF.js stores string attributes base64-encoded.
std::string base64(const std::string& in) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16 |
                       unsigned(static_cast<unsigned char>(in[i + 1])) << 8 |
                       unsigned(static_cast<unsigned char>(in[i + 2]));
    for (int k = 18; k >= 0; k -= 6) out += kAlphabet[(v >> k) & 63];
  }
  if (i < in.size()) {
    unsigned v = unsigned(static_cast<unsigned char>(in[i])) << 16;
    if (i + 1 < in.size()) v |= unsigned(static_cast<unsigned char>(in[i + 1])) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < in.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

json shape_of(const std::vector<long long>& dims) {
  json d = json::array();
  for (long long v : dims) d.push_back({{"size", std::to_string(v)}});
  return {{"dim", d}};
}

const json kFloat = {{"type", "DT_FLOAT"}};

// The graph being written: nodes in topological order, the weights manifest and its one shard.
struct GraphWriter {
  json nodes = json::array(), weights = json::array();
  std::string bin;

  void constant(const std::string& name, const std::vector<long long>& dims, const void* data,
                std::size_t bytes, bool is_int) {
    const char* type = is_int ? "DT_INT32" : "DT_FLOAT";
    nodes.push_back(
        {{"name", name},
         {"op", "Const"},
         {"attr",
          {{"dtype", {{"type", type}}},
           {"value", {{"tensor", {{"dtype", type}, {"tensorShape", shape_of(dims)}}}}}}}});
    bin.append(static_cast<const char*>(data), bytes);
    weights.push_back({{"name", name}, {"shape", dims}, {"dtype", is_int ? "int32" : "float32"}});
  }
  void floats(const std::string& name, const std::vector<long long>& dims,
              const std::vector<float>& v) {
    constant(name, dims, v.data(), v.size() * sizeof(float), false);
  }

  // A fully-connected layer after `prev`; returns its node's name.
  std::string dense(const std::string& prev, std::size_t l, const DenseWeights& d) {
    const std::string scope = "dense_" + std::to_string(l);
    const auto in = static_cast<long long>(d.in), out = static_cast<long long>(d.out);
    // The kernel as TF stores it, [in, out]: the transpose of libtorch's [out, in].
    std::vector<float> kernel(d.weight.size());
    for (std::size_t o = 0; o < d.out; ++o)
      for (std::size_t i = 0; i < d.in; ++i) kernel[i * d.out + o] = d.weight[o * d.in + i];
    floats(scope + "/kernel", {in, out}, kernel);
    floats(scope + "/bias", {out}, d.bias);
    json fused = json::array({base64("BiasAdd")});
    if (d.relu) fused.push_back(base64("Relu"));
    const std::string name = scope + (d.relu ? "/Relu" : "/BiasAdd");
    nodes.push_back({{"name", name},
                     {"op", "_FusedMatMul"},
                     {"input", {prev, scope + "/kernel", scope + "/bias"}},
                     {"attr",
                      {{"T", kFloat},
                       {"transpose_a", {{"b", false}}},
                       {"transpose_b", {{"b", false}}},
                       {"num_args", {{"i", "1"}}},
                       {"epsilon", {{"f", 0}}},
                       {"fused_ops", {{"list", {{"s", fused}}}}}}}});
    return name;
  }

  std::map<std::string, std::string> finish(const std::filesystem::path& json_path,
                                            const std::string& shard, const std::string& prev,
                                            const std::vector<long long>& in_dims,
                                            const std::vector<long long>& out_dims,
                                            const std::string& generated_by) {
    nodes.push_back(
        {{"name", "Identity"}, {"op", "Identity"}, {"input", {prev}}, {"attr", {{"T", kFloat}}}});
    const json model = {
        {"format", "graph-model"},
        {"generatedBy", generated_by},
        {"convertedBy", "semblend (src/engine/tfjs_writer.cpp)"},
        {"signature",
         {{"inputs",
           {{"input",
             {{"name", "input:0"}, {"dtype", "DT_FLOAT"}, {"tensorShape", shape_of(in_dims)}}}}},
          {"outputs",
           {{"output",
             {{"name", "Identity:0"},
              {"dtype", "DT_FLOAT"},
              {"tensorShape", shape_of(out_dims)}}}}}}},
        {"modelTopology",
         {{"node", nodes}, {"library", json::object()}, {"versions", json::object()}}},
        {"weightsManifest", {{{"paths", {shard}}, {"weights", weights}}}}};
    const std::string text = model.dump(1) + "\n";
    write_file_atomic((json_path.parent_path() / shard).string(), bin);
    write_file_atomic(json_path.string(), text);
    return {{json_path.filename().string(), sha256_hex(text)}, {shard, sha256_hex(bin)}};
  }
};

std::string shard_for(const std::filesystem::path& json_path, const char* what) {
  const std::string shard = json_path.stem().string() + ".bin";
  if (json_path.filename() == shard)
    throw std::invalid_argument(std::string(what) + " export: " + json_path.string() +
                                " would be overwritten by its own weight shard; name it .json");
  return shard;
}

void check_dense(const std::vector<DenseWeights>& layers, std::size_t width, const char* what) {
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseWeights& d = layers[l];
    const std::string at = std::string(what) + " export: layer " + std::to_string(l);
    if (d.in != width)
      throw std::invalid_argument(at + " takes " + std::to_string(d.in) +
                                  " inputs, the previous layer gives " + std::to_string(width));
    if (d.out < 1 || d.weight.size() != d.in * d.out || d.bias.size() != d.out)
      throw std::invalid_argument(at + " has " + std::to_string(d.weight.size()) + " weights and " +
                                  std::to_string(d.bias.size()) + " biases for " +
                                  std::to_string(d.out) + "x" + std::to_string(d.in));
    width = d.out;
  }
}

}  // namespace

std::map<std::string, std::string> write_tfjs_mlp(const std::string& model_json,
                                                  const std::vector<DenseWeights>& layers,
                                                  const std::string& generated_by) {
  if (layers.empty()) throw std::invalid_argument("MLP export: no layers");
  const std::filesystem::path json_path(model_json);
  const std::string shard = shard_for(json_path, "MLP");
  check_dense(layers, layers.front().in, "MLP");
  GraphWriter g;
  const auto in0 = static_cast<long long>(layers.front().in);
  g.nodes.push_back({{"name", "input"},
                     {"op", "Placeholder"},
                     {"attr", {{"dtype", kFloat}, {"shape", {{"shape", shape_of({-1, in0})}}}}}});
  std::string prev = "input";
  for (std::size_t l = 0; l < layers.size(); ++l) prev = g.dense(prev, l, layers[l]);
  return g.finish(json_path, shard, prev, {-1, in0},
                  {-1, static_cast<long long>(layers.back().out)}, generated_by);
}

std::map<std::string, std::string> write_tfjs_cnn(const std::string& model_json, std::size_t height,
                                                  std::size_t width, std::size_t channels,
                                                  const std::vector<ConvWeights>& convs,
                                                  std::vector<DenseWeights> dense, bool sigmoid,
                                                  const std::string& generated_by) {
  if (convs.empty() || dense.empty())
    throw std::invalid_argument("CNN export: needs convolutions and dense layers");
  const std::filesystem::path json_path(model_json);
  const std::string shard = shard_for(json_path, "CNN");
  GraphWriter g;
  const auto ll = [](std::size_t v) { return static_cast<long long>(v); };
  g.nodes.push_back(
      {{"name", "input"},
       {"op", "Placeholder"},
       {"attr",
        {{"dtype", kFloat},
         {"shape", {{"shape", shape_of({-1, ll(height), ll(width), ll(channels)})}}}}}});
  std::string prev = "input";
  std::size_t h = height, w = width, c = channels;
  for (std::size_t l = 0; l < convs.size(); ++l) {
    const ConvWeights& cv = convs[l];
    const std::string at = "CNN export: convolution " + std::to_string(l);
    const std::size_t k = cv.kernel;
    if (cv.in != c)
      throw std::invalid_argument(at + " takes " + std::to_string(cv.in) + " channels, gets " +
                                  std::to_string(c));
    if (k < 1 || cv.stride < 1 || h < k || w < k || cv.out < 1 ||
        cv.weight.size() != cv.out * cv.in * k * k || cv.bias.size() != cv.out)
      throw std::invalid_argument(at + ": sizes do not match");
    // OIHW -> HWIO.
    std::vector<float> hwio(cv.weight.size());
    for (std::size_t o = 0; o < cv.out; ++o)
      for (std::size_t i = 0; i < cv.in; ++i)
        for (std::size_t y = 0; y < k; ++y)
          for (std::size_t x = 0; x < k; ++x)
            hwio[((y * k + x) * cv.in + i) * cv.out + o] =
                cv.weight[((o * cv.in + i) * k + y) * k + x];
    const std::string scope = "conv_" + std::to_string(l);
    g.floats(scope + "/filter", {ll(k), ll(k), ll(cv.in), ll(cv.out)}, hwio);
    g.floats(scope + "/bias", {ll(cv.out)}, cv.bias);
    const auto s = ll(cv.stride);
    const std::string name = scope + "/Relu";
    g.nodes.push_back(
        {{"name", name},
         {"op", "_FusedConv2D"},
         {"input", {prev, scope + "/filter", scope + "/bias"}},
         {"attr",
          {{"T", kFloat},
           {"padding", {{"s", base64("VALID")}}},
           {"data_format", {{"s", base64("NHWC")}}},
           {"strides", {{"list", {{"i", {"1", std::to_string(s), std::to_string(s), "1"}}}}}},
           {"dilations", {{"list", {{"i", {"1", "1", "1", "1"}}}}}},
           {"num_args", {{"i", "1"}}},
           {"epsilon", {{"f", 0}}},
           {"fused_ops", {{"list", {{"s", {base64("BiasAdd"), base64("Relu")}}}}}}}}});
    prev = name;
    h = (h - k) / cv.stride + 1;
    w = (w - k) / cv.stride + 1;
    c = cv.out;
  }
  const std::size_t features = h * w * c;
  check_dense(dense, features, "CNN");
  // libtorch flattens [C, H, W]; the engine's value is [H, W, C].
  DenseWeights& first = dense.front();
  std::vector<float> permuted(first.weight.size());
  for (std::size_t o = 0; o < first.out; ++o)
    for (std::size_t ch = 0; ch < c; ++ch)
      for (std::size_t y = 0; y < h; ++y)
        for (std::size_t x = 0; x < w; ++x)
          permuted[o * features + (y * w + x) * c + ch] =
              first.weight[o * features + (ch * h + y) * w + x];
  first.weight = std::move(permuted);
  const std::vector<int32_t> flat{-1, static_cast<int32_t>(features)};
  g.constant("flatten/shape", {2}, flat.data(), flat.size() * sizeof(int32_t), true);
  g.nodes.push_back({{"name", "flatten"},
                     {"op", "Reshape"},
                     {"input", {prev, "flatten/shape"}},
                     {"attr", {{"T", kFloat}}}});
  prev = "flatten";
  for (std::size_t l = 0; l < dense.size(); ++l) prev = g.dense(prev, l, dense[l]);
  if (sigmoid) {
    g.nodes.push_back(
        {{"name", "Sigmoid"}, {"op", "Sigmoid"}, {"input", {prev}}, {"attr", {{"T", kFloat}}}});
    prev = "Sigmoid";
  }
  return g.finish(json_path, shard, prev, {-1, ll(height), ll(width), ll(channels)},
                  {-1, ll(dense.back().out)}, generated_by);
}

}  // namespace semblend::engine
