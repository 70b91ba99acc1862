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

json shape_of(std::initializer_list<long long> dims) {
  json d = json::array();
  for (long long v : dims) d.push_back({{"size", std::to_string(v)}});
  return {{"dim", d}};
}

const json kFloat = {{"type", "DT_FLOAT"}};

}  // namespace

std::map<std::string, std::string> write_tfjs_mlp(const std::string& model_json,
                                                  const std::vector<DenseWeights>& layers,
                                                  const std::string& generated_by) {
  if (layers.empty()) throw std::invalid_argument("MLP export: no layers");
  const std::filesystem::path json_path(model_json);
  const std::string shard = json_path.stem().string() + ".bin";
  if (json_path.filename() == shard)
    throw std::invalid_argument("MLP export: " + model_json +
                                " would be overwritten by its own weight shard; name it .json");
  json nodes = json::array(), weights = json::array();
  std::string bin;
  const auto in0 = static_cast<long long>(layers.front().in);
  nodes.push_back({{"name", "input"},
                   {"op", "Placeholder"},
                   {"attr", {{"dtype", kFloat}, {"shape", {{"shape", shape_of({-1, in0})}}}}}});
  std::string prev = "input";
  std::size_t width = layers.front().in;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    const DenseWeights& d = layers[l];
    const std::string at = "layer " + std::to_string(l);
    if (d.in != width)
      throw std::invalid_argument("MLP export: " + at + " takes " + std::to_string(d.in) +
                                  " inputs, the previous layer gives " + std::to_string(width));
    if (d.out < 1 || d.weight.size() != d.in * d.out || d.bias.size() != d.out)
      throw std::invalid_argument("MLP export: " + at + " has " + std::to_string(d.weight.size()) +
                                  " weights and " + std::to_string(d.bias.size()) + " biases for " +
                                  std::to_string(d.out) + "x" + std::to_string(d.in));
    const std::string scope = "dense_" + std::to_string(l);
    const auto in = static_cast<long long>(d.in), out = static_cast<long long>(d.out);
    for (const auto& [name, dims] :
         {std::pair<std::string, json>{scope + "/kernel", shape_of({in, out})},
          std::pair<std::string, json>{scope + "/bias", shape_of({out})}})
      nodes.push_back(
          {{"name", name},
           {"op", "Const"},
           {"attr",
            {{"dtype", kFloat},
             {"value", {{"tensor", {{"dtype", "DT_FLOAT"}, {"tensorShape", dims}}}}}}}});
    // The kernel as TF stores it, [in, out]: the transpose of libtorch's [out, in].
    std::vector<float> kernel(d.weight.size());
    for (std::size_t o = 0; o < d.out; ++o)
      for (std::size_t i = 0; i < d.in; ++i) kernel[i * d.out + o] = d.weight[o * d.in + i];
    bin.append(reinterpret_cast<const char*>(kernel.data()), kernel.size() * sizeof(float));
    bin.append(reinterpret_cast<const char*>(d.bias.data()), d.bias.size() * sizeof(float));
    weights.push_back({{"name", scope + "/kernel"}, {"shape", {in, out}}, {"dtype", "float32"}});
    weights.push_back({{"name", scope + "/bias"}, {"shape", {out}}, {"dtype", "float32"}});
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
    prev = name;
    width = d.out;
  }
  nodes.push_back(
      {{"name", "Identity"}, {"op", "Identity"}, {"input", {prev}}, {"attr", {{"T", kFloat}}}});
  const auto out_width = static_cast<long long>(width);
  const json model = {
      {"format", "graph-model"},
      {"generatedBy", generated_by},
      {"convertedBy", "semblend (src/engine/tfjs_writer.cpp)"},
      {"signature",
       {{"inputs",
         {{"input",
           {{"name", "input:0"}, {"dtype", "DT_FLOAT"}, {"tensorShape", shape_of({-1, in0})}}}}},
        {"outputs",
         {{"output",
           {{"name", "Identity:0"},
            {"dtype", "DT_FLOAT"},
            {"tensorShape", shape_of({-1, out_width})}}}}}}},
      {"modelTopology",
       {{"node", nodes}, {"library", json::object()}, {"versions", json::object()}}},
      {"weightsManifest", {{{"paths", {shard}}, {"weights", weights}}}}};
  const std::string text = model.dump(1) + "\n";
  write_file_atomic((json_path.parent_path() / shard).string(), bin);
  write_file_atomic(model_json, text);
  return {{json_path.filename().string(), sha256_hex(text)}, {shard, sha256_hex(bin)}};
}

}  // namespace semblend::engine
