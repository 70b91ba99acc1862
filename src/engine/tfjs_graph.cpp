#include "engine/tfjs_graph.h"

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "semblend/error.h"
#include "semblend/file_io.h"

namespace semblend::engine {
namespace {

using json = nlohmann::json;

// TF.js stores string attributes base64-encoded.
std::string base64_decode(const std::string& in) {
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  int bits = 0, value = 0;
  for (char c : in) {
    if (c == '=') break;
    const auto p = kAlphabet.find(c);
    if (p == std::string::npos) continue;
    value = (value << 6) | static_cast<int>(p);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((value >> bits) & 0xFF);
    }
  }
  return out;
}

std::string strip_input(const std::string& in) {
  std::string s = in;
  if (const auto colon = s.rfind(':'); colon != std::string::npos) s = s.substr(0, colon);
  return s;
}

std::vector<std::size_t> dims_of(const json& shape) {
  std::vector<std::size_t> dims;
  if (shape.contains("dim"))
    for (const auto& d : shape["dim"]) {
      const long long v = std::stoll(d.value("size", std::string("1")));
      dims.push_back(v < 0 ? 1 : static_cast<std::size_t>(v));
    }
  return dims;
}

}  // namespace

float half_to_float(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1F;
  uint32_t mantissa = h & 0x3FF;
  uint32_t bits;
  if (exponent == 0) {
    if (mantissa == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      int e = -1;
      do {
        ++e;
        mantissa <<= 1;
      } while ((mantissa & 0x400) == 0);
      bits = sign | static_cast<uint32_t>(127 - 15 - e) << 23 | (mantissa & 0x3FF) << 13;
    }
  } else if (exponent == 31) {
    bits = sign | 0x7F800000u | mantissa << 13;
  } else {
    bits = sign | (exponent + 127 - 15) << 23 | mantissa << 13;
  }
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

Graph read_tfjs_graph(const std::string& model_json,
                      const std::map<std::string, std::string>& sha256) {
  Graph g;
  g.file = model_json;
  auto checked = [&](const std::string& path, std::string bytes) {
    const auto it = sha256.find(std::filesystem::path(path).filename().string());
    if (it != sha256.end()) {
      const std::string got = sha256_hex(bytes);
      if (got != it->second)
        throw InputError(
            path, 0, 0,
            "checksum mismatch (SHA-256 " + got + ", expected " + it->second +
                "): the file is corrupted or not the pinned version; rerun scripts/setup.sh");
    }
    return bytes;
  };
  const std::string text = checked(model_json, read_file(model_json, std::size_t{64} << 20));
  json j;
  try {
    j = json::parse(text);
  } catch (const json::exception& e) {  // syntax, or a number out of range (1e999)
    throw InputError(model_json, 0, 0,
                     std::string("not a TF.js model (invalid JSON): ") + e.what());
  }
  if (!j.is_object() || !j.contains("modelTopology") || !j.contains("weightsManifest"))
    throw InputError(model_json, 0, 0,
                     "not a TF.js graph model (no modelTopology/weightsManifest)");
  if (j.contains("format") && j["format"] != "graph-model")
    throw InputError(model_json, 0, 0,
                     "format is \"" + j["format"].get<std::string>() + "\", expected graph-model");
  const json& topo = j["modelTopology"];
  if (!topo.contains("node") || !topo["node"].is_array())
    throw InputError(model_json, 0, 0, "modelTopology has no node list");

  for (const auto& n : topo["node"]) {
    Node node;
    node.name = n.value("name", "");
    node.op = n.value("op", "");
    if (n.contains("input"))
      for (const auto& in : n["input"]) {
        const std::string s = in.get<std::string>();
        if (!s.empty() && s[0] != '^') node.inputs.push_back(strip_input(s));
      }
    if (n.contains("attr"))
      for (const auto& [key, a] : n["attr"].items()) {
        if (a.contains("list")) {
          const json& l = a["list"];
          if (l.contains("i"))
            for (const auto& v : l["i"])
              node.int_lists[key].push_back(std::stoll(v.get<std::string>()));
          if (l.contains("s"))
            for (const auto& v : l["s"])
              node.string_lists[key].push_back(base64_decode(v.get<std::string>()));
        } else if (a.contains("s")) {
          node.strings[key] = base64_decode(a["s"].get<std::string>());
        } else if (a.contains("shape")) {
          node.shape = dims_of(a["shape"]);
        } else if (a.contains("b") && a["b"].is_boolean()) {
          node.bools[key] = a["b"].get<bool>();
        } else if (a.contains("i") && a["i"].is_string()) {
          node.ints[key] = std::stoll(a["i"].get<std::string>());
        } else if (a.contains("type") && a["type"].is_string()) {
          node.types[key] = a["type"].get<std::string>();
        }
      }
    g.nodes.push_back(std::move(node));
  }

  // Weights: shards concatenated in manifest order, then each weight consumes its bytes.
  const std::filesystem::path dir = std::filesystem::path(model_json).parent_path();
  for (const auto& group : j["weightsManifest"]) {
    std::string data;
    for (const auto& p : group["paths"]) {
      const std::string shard = (dir / p.get<std::string>()).string();
      data += checked(shard, read_file(shard, std::size_t{256} << 20));
    }
    std::size_t offset = 0;
    for (const auto& w : group["weights"]) {
      ConstTensor t;
      const std::string name = w["name"];
      for (const auto& d : w["shape"]) t.shape.push_back(d.get<std::size_t>());
      std::size_t count = 1;
      for (auto d : t.shape) count *= d;
      const std::string dtype = w.value("dtype", "float32");
      std::string stored = dtype;
      float scale = 1, min = 0;
      if (w.contains("quantization")) {
        const json& q = w["quantization"];
        stored = q.value("dtype", dtype);
        scale = q.value("scale", 1.0f);
        min = q.value("min", 0.0f);
      }
      const std::size_t width = stored == "float16" || stored == "uint16" ? 2
                                : stored == "uint8"                       ? 1
                                                                          : 4;
      if (offset + count * width > data.size())
        throw InputError(model_json, 0, 0,
                         "weights end early: '" + name + "' needs bytes " + std::to_string(offset) +
                             ".." + std::to_string(offset + count * width) + " of " +
                             std::to_string(data.size()));
      const auto* bytes = reinterpret_cast<const unsigned char*>(data.data() + offset);
      if (dtype == "int32") {
        t.is_int = true;
        t.ints.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
          int32_t v;
          std::memcpy(&v, bytes + 4 * i, 4);
          t.ints[i] = v;
        }
      } else if (dtype == "float32") {
        t.values.resize(count);
        for (std::size_t i = 0; i < count; ++i) {
          if (stored == "float16") {
            uint16_t h;
            std::memcpy(&h, bytes + 2 * i, 2);
            t.values[i] = half_to_float(h);
          } else if (stored == "uint8") {
            t.values[i] = min + scale * bytes[i];
          } else if (stored == "uint16") {
            uint16_t v;
            std::memcpy(&v, bytes + 2 * i, 2);
            t.values[i] = min + scale * v;
          } else if (stored == "float32") {
            std::memcpy(&t.values[i], bytes + 4 * i, 4);
          } else {
            throw InputError(model_json, 0, 0,
                             "weight '" + name + "': unsupported storage " + stored);
          }
        }
      } else {
        throw InputError(model_json, 0, 0, "weight '" + name + "': unsupported dtype " + dtype);
      }
      offset += count * width;
      g.consts[name] = std::move(t);
    }
    if (offset != data.size())
      throw InputError(model_json, 0, 0,
                       "weight files hold " + std::to_string(data.size()) +
                           " bytes, the manifest " + std::to_string(offset));
  }

  if (j.contains("signature") && j["signature"].contains("outputs")) {
    for (const auto& [key, o] : j["signature"]["outputs"].items())
      g.outputs.emplace_back(key, strip_input(o.value("name", key)));
  } else {
    for (const Node& n : g.nodes)
      if (n.op == "Identity") g.outputs.emplace_back(n.name, n.name);
    std::sort(g.outputs.begin(), g.outputs.end(), [](const auto& a, const auto& b) {
      return a.first.size() != b.first.size() ? a.first.size() < b.first.size() : a.first < b.first;
    });
  }
  if (g.outputs.empty()) throw InputError(model_json, 0, 0, "the model has no outputs");
  return g;
}

}  // namespace semblend::engine
