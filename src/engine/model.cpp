// Model: a TF.js graph (tfjs_graph.h) built into an XNNPACK subgraph and run.
#include <pthreadpool.h>
#include <xnnpack.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>

#include "engine/host_graph.h"
#include "engine/tfjs_graph.h"
#include "semblend/engine.h"

namespace semblend {
namespace {

using engine::ConstTensor;
using engine::Graph;
using engine::Node;
using Shape = std::vector<std::size_t>;

constexpr float kInf = std::numeric_limits<float>::infinity();

std::size_t elements(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
}

void initialise_xnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  if (status != xnn_status_success)
    throw std::runtime_error("XNNPACK cannot initialise on this processor");
}

// A stand-in node for errors about the model as a whole.
Node model_node(const char* op) {
  Node n;
  n.name = "(model)";
  n.op = op;
  return n;
}

// SAME/VALID output size along one axis.
std::size_t out_size(std::size_t in, std::size_t k, std::size_t stride, bool same) {
  return same ? (in + stride - 1) / stride : (in - k) / stride + 1;
}

}  // namespace

struct Model::Impl {
  std::string path;
  std::shared_ptr<const Graph> graph;  // kept for clone()
  ModelOptions load_options;
  Shape input_shape;
  std::vector<std::string> output_names;
  std::vector<Shape> output_shapes;

  xnn_subgraph_t subgraph = nullptr;
  xnn_runtime_t runtime = nullptr;
  pthreadpool_t pool = nullptr;
  std::deque<std::vector<float>> weights;  // stable storage for static tensors
  std::vector<float> input_buffer;         // + XNN_EXTRA_BYTES of slack
  uint32_t input_id = 0;

  // External outputs of the subgraph, then the host tail that assembles the model outputs.
  struct External {
    uint32_t id;
    std::vector<float> buffer;
  };
  std::vector<External> externals;
  struct OutputPlan {
    std::vector<std::size_t> parts;  // indices into externals, concatenated along the last axis
    std::vector<Shape> part_shapes;
    std::size_t axis_from_end = 0;  // concat axis, counted from the last
  };
  std::vector<OutputPlan> plans;
  std::vector<std::vector<float>> outputs;

  // Graphs the subgraph cannot hold (engine/host_graph.h) run node by node instead.
  std::unique_ptr<engine::HostGraph> host_graph;

  ~Impl() {
    if (runtime) xnn_delete_runtime(runtime);
    if (subgraph) xnn_delete_subgraph(subgraph);
    if (pool) pthreadpool_destroy(pool);
  }

  [[noreturn]] void fail(const Node& n, const std::string& problem) const {
    throw InputError(path, 0, 0, "node '" + n.name + "' (" + n.op + "): " + problem);
  }

  void check(xnn_status s, const Node& n, const char* what) const {
    if (s != xnn_status_success)
      fail(n, std::string("XNNPACK rejected the ") + what + " (status " +
                  std::to_string(static_cast<int>(s)) + ")");
  }

  uint32_t define_value(const Shape& shape, const float* data, uint32_t flags, const Node& n) {
    uint32_t id = 0;
    check(xnn_define_tensor_value(subgraph, xnn_datatype_fp32, shape.size(), shape.data(), data,
                                  XNN_INVALID_VALUE_ID, flags, &id),
          n, "tensor");
    return id;
  }

  uint32_t define_static(std::vector<float> data, const Shape& shape, const Node& n) {
    weights.push_back(std::move(data));
    return define_value(shape, weights.back().data(), 0, n);
  }

  void build(const Graph& g, const ModelOptions& options);
};

void Model::Impl::build(const Graph& g, const ModelOptions& options) {
  initialise_xnnpack();
  if (engine::HostGraph::needed_for(g)) {
    if (options.threads > 1)
      throw std::invalid_argument(path + ": this graph runs node by node, on one thread");
    host_graph = std::make_unique<engine::HostGraph>(graph, path, options.batch);
    input_shape = host_graph->input_shape();
    output_names = host_graph->output_names();
    output_shapes = host_graph->output_shapes();
    return;
  }
  check(xnn_create_subgraph(0, 0, &subgraph), Node{}, "subgraph");

  // Graph values in the subgraph: XNNPACK id and shape per node name.
  struct Value {
    uint32_t id;
    Shape shape;
  };
  std::map<std::string, Value> values;
  std::map<std::string, const Node*> by_name;
  std::map<std::string, std::size_t> external_of;  // producer node name -> externals index
  for (const Node& n : g.nodes) by_name[n.name] = &n;

  // The host tail: ConcatV2 nodes (and the Identity/Reshape nodes after them) that only feed
  // outputs. Their XNNPACK inputs become external outputs.
  std::map<std::string, std::vector<std::string>> consumers;
  for (const Node& n : g.nodes)
    for (const auto& in : n.inputs) consumers[in].push_back(n.name);
  std::set<std::string> host;
  for (const Node& n : g.nodes)
    if (n.op == "ConcatV2") host.insert(n.name);
  for (bool grew = true; grew;) {  // everything downstream of a host node is host too
    grew = false;
    for (const Node& n : g.nodes)
      if (!host.count(n.name))
        for (const auto& in : n.inputs)
          if (host.count(in)) {
            if (n.op != "Identity" && n.op != "Reshape")
              fail(n,
                   "follows a ConcatV2; only concats that feed the outputs are supported "
                   "(Debian's XNNPACK has no concatenate node)");
            host.insert(n.name);
            grew = true;
          }
  }

  // The nodes whose values leave the subgraph: each output's producer, found by walking back
  // through Identity (and host Reshape) nodes; for a host concat, each concatenated producer.
  auto producer = [&](std::string name) {
    while (by_name.count(name) && (by_name.at(name)->op == "Identity" ||
                                   (host.count(name) && by_name.at(name)->op == "Reshape")))
      name = by_name.at(name)->inputs.at(0);
    return name;
  };
  std::set<std::string> exported;
  for (const auto& [out_name, node_name] : g.outputs) {
    const std::string p = producer(node_name);
    if (host.count(p)) {
      const Node& c = *by_name.at(p);
      for (std::size_t k = 0; k + 1 < c.inputs.size(); ++k) exported.insert(producer(c.inputs[k]));
    } else {
      exported.insert(p);
    }
  }

  auto const_of = [&](const Node& n, std::size_t k) -> const ConstTensor& {
    if (k >= n.inputs.size()) fail(n, "missing input " + std::to_string(k));
    const auto it = g.consts.find(n.inputs[k]);
    if (it == g.consts.end()) fail(n, "input '" + n.inputs[k] + "' must be a constant");
    return it->second;
  };
  auto value_of = [&](const Node& n, std::size_t k) -> const Value& {
    if (k >= n.inputs.size()) fail(n, "missing input " + std::to_string(k));
    const auto it = values.find(n.inputs[k]);
    if (it == values.end()) fail(n, "input '" + n.inputs[k] + "' is not computed before it");
    return it->second;
  };
  auto same_padding = [&](const Node& n) {
    const auto it = n.strings.find("padding");
    const std::string p = it == n.strings.end() ? "VALID" : it->second;
    if (p != "SAME" && p != "VALID") fail(n, "padding " + p + " is not supported");
    return p == "SAME";
  };
  auto pair_attr = [&](const Node& n, const char* key, int64_t fallback) {
    const auto it = n.int_lists.find(key);
    if (it == n.int_lists.end() || it->second.size() != 4)
      return std::pair<int64_t, int64_t>{fallback, fallback};
    return std::pair<int64_t, int64_t>{it->second[1], it->second[2]};
  };
  auto new_value = [&](const Node& n, const Shape& shape) {
    const bool out = exported.count(n.name) > 0;
    const uint32_t id = define_value(shape, nullptr, out ? XNN_VALUE_FLAG_EXTERNAL_OUTPUT : 0, n);
    values[n.name] = {id, shape};
    if (out) {
      externals.push_back(
          {id, std::vector<float>(elements(shape) + XNN_EXTRA_BYTES / sizeof(float))});
      external_of[n.name] = externals.size() - 1;
    }
    return id;
  };

  // Topological order is the file order for converted graphs; check as we go.
  for (const Node& n : g.nodes) {
    if (host.count(n.name)) continue;
    const std::string& op = n.op;
    if (op == "Const") continue;
    if (op == "Placeholder") {
      if (!input_shape.empty()) fail(n, "a second input; only single-input models are supported");
      input_shape = n.shape;
      if (input_shape.size() != 4 && input_shape.size() != 2)
        fail(n, "input must be NHWC (4 dimensions) or [batch, features] (2 dimensions)");
      input_shape[0] = static_cast<std::size_t>(options.batch);
      input_id = define_value(input_shape, nullptr, XNN_VALUE_FLAG_EXTERNAL_INPUT, n);
      values[n.name] = {input_id, input_shape};
    } else if (op == "_FusedConv2D" || op == "Conv2D" || op == "DepthwiseConv2dNative") {
      const Value& x = value_of(n, 0);
      const ConstTensor& w = const_of(n, 1);
      if (x.shape.size() != 4 || w.shape.size() != 4) fail(n, "expects 4D input and filter");
      const auto [sh, sw] = pair_attr(n, "strides", 1);
      const auto [dh, dw] = pair_attr(n, "dilations", 1);
      const bool same = same_padding(n);
      const std::size_t kh = w.shape[0], kw = w.shape[1], cin = w.shape[2], m = w.shape[3];
      if (cin != x.shape[3])
        fail(n, "filter expects " + std::to_string(cin) + " channels, input has " +
                    std::to_string(x.shape[3]));
      const bool depthwise = op == "DepthwiseConv2dNative";
      const std::size_t cout = depthwise ? cin * m : m;
      // Fused ops: BiasAdd first, then an optional activation.
      std::vector<std::string> fused;
      if (auto it = n.string_lists.find("fused_ops"); it != n.string_lists.end())
        fused = it->second;
      uint32_t bias_id = XNN_INVALID_VALUE_ID;
      float lo = -kInf, hi = kInf;
      std::string activation;
      std::size_t next_arg = 2;
      for (const std::string& f : fused) {
        if (f == "BiasAdd") {
          const ConstTensor& b = const_of(n, next_arg++);
          if (b.values.size() != cout) fail(n, "bias has the wrong length");
          bias_id = define_static(b.values, {cout}, n);
        } else if (f == "Relu") {
          lo = 0;
        } else if (f == "Relu6") {
          lo = 0, hi = 6;
        } else if (f == "Prelu") {
          activation = "Prelu";
        } else {
          fail(n, "fused op " + f + " is not supported");
        }
      }
      if (bias_id == XNN_INVALID_VALUE_ID && !depthwise)  // XNNPACK 2022 convolution needs a bias
        bias_id = define_static(std::vector<float>(cout, 0.0f), {cout}, n);
      const Shape out{x.shape[0], out_size(x.shape[1], (kh - 1) * dh + 1, sh, same),
                      out_size(x.shape[2], (kw - 1) * dw + 1, sw, same), cout};
      const uint32_t flags = same ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
      const uint32_t conv_out =
          activation.empty() ? new_value(n, out) : define_value(out, nullptr, 0, n);
      if (depthwise) {
        // [kh, kw, C, M] is already XNNPACK's [1, kh, kw, C*M] in memory.
        const uint32_t filter = define_static(w.values, {1, kh, kw, cin * m}, n);
        check(xnn_define_depthwise_convolution_2d(subgraph, 0, 0, 0, 0, kh, kw, sh, sw, dh, dw, m,
                                                  cin, lo, hi, x.id, filter, bias_id, conv_out,
                                                  flags),
              n, "depthwise convolution");
      } else {
        // TF.js filters are HWIO; XNNPACK wants OHWI.
        std::vector<float> ohwi(w.values.size());
        for (std::size_t y = 0; y < kh; ++y)
          for (std::size_t xk = 0; xk < kw; ++xk)
            for (std::size_t i = 0; i < cin; ++i)
              for (std::size_t o = 0; o < cout; ++o)
                ohwi[((o * kh + y) * kw + xk) * cin + i] =
                    w.values[((y * kw + xk) * cin + i) * cout + o];
        const uint32_t filter = define_static(std::move(ohwi), {cout, kh, kw, cin}, n);
        check(xnn_define_convolution_2d(subgraph, 0, 0, 0, 0, kh, kw, sh, sw, dh, dw, 1, cin, cout,
                                        lo, hi, x.id, filter, bias_id, conv_out, flags),
              n, "convolution");
      }
      if (activation == "Prelu") {
        const ConstTensor& alpha = const_of(n, next_arg);
        if (alpha.values.size() != cout) fail(n, "PReLU alpha must have one value per channel");
        const uint32_t slope = define_static(alpha.values, {cout}, n);
        check(xnn_define_prelu(subgraph, conv_out, slope, new_value(n, out), 0), n, "PReLU");
      }
    } else if (op == "MatMul" || op == "_FusedMatMul") {
      // x · W (+ bias, activation) as XNNPACK's fully-connected node, which takes W as [out, in].
      const Value& x = value_of(n, 0);
      const ConstTensor& w = const_of(n, 1);
      if (x.shape.size() != 2 || w.shape.size() != 2)
        fail(n, "expects a 2-D input [batch, features] and 2-D constant weights");
      auto flag = [&](const char* key) {
        const auto it = n.bools.find(key);
        return it != n.bools.end() && it->second;
      };
      if (flag("transpose_a")) fail(n, "transpose_a is not supported");
      const bool tb = flag("transpose_b");  // W is [out, in] rather than TF's [in, out]
      const std::size_t in = tb ? w.shape[1] : w.shape[0], cout = tb ? w.shape[0] : w.shape[1];
      if (in != x.shape[1])
        fail(n, "weights expect " + std::to_string(in) + " features, input has " +
                    std::to_string(x.shape[1]));
      std::vector<std::string> fused;
      if (auto it = n.string_lists.find("fused_ops"); it != n.string_lists.end())
        fused = it->second;
      if (op == "MatMul" && !fused.empty()) fail(n, "MatMul with fused ops");
      uint32_t bias_id = XNN_INVALID_VALUE_ID;
      float lo = -kInf, hi = kInf;
      for (std::size_t k = 0; k < fused.size(); ++k) {
        if (k == 0 && fused[k] == "BiasAdd") {
          const ConstTensor& b = const_of(n, 2);
          if (b.values.size() != cout) fail(n, "bias has the wrong length");
          bias_id = define_static(b.values, {cout}, n);
        } else if (k == 1 && fused[k] == "Relu") {
          lo = 0;
        } else if (k == 1 && fused[k] == "Relu6") {
          lo = 0, hi = 6;
        } else {
          fail(n, "fused op " + fused[k] +
                      " is not supported (BiasAdd, optionally followed by Relu or Relu6)");
        }
      }
      std::vector<float> oi = w.values;
      if (!tb)
        for (std::size_t i = 0; i < in; ++i)
          for (std::size_t o = 0; o < cout; ++o) oi[o * in + i] = w.values[i * cout + o];
      const uint32_t filter = define_static(std::move(oi), {cout, in}, n);
      check(xnn_define_fully_connected(subgraph, lo, hi, x.id, filter, bias_id,
                                       new_value(n, {x.shape[0], cout}), 0),
            n, "fully connected");
    } else if (op == "BiasAdd") {
      const Value& x = value_of(n, 0);
      const ConstTensor& b = const_of(n, 1);
      if (b.values.size() != x.shape.back()) fail(n, "bias must have one value per channel");
      const uint32_t bias = define_static(b.values, {x.shape.back()}, n);
      check(xnn_define_add2(subgraph, -kInf, kInf, x.id, bias, new_value(n, x.shape), 0), n,
            "bias add");
    } else if (op == "AddV2" || op == "Add") {
      const Value& a = value_of(n, 0);
      const Value& b = value_of(n, 1);
      if (a.shape != b.shape) fail(n, "broadcasting add is not supported");
      check(xnn_define_add2(subgraph, -kInf, kInf, a.id, b.id, new_value(n, a.shape), 0), n, "add");
    } else if (op == "Relu" || op == "Relu6") {
      const Value& x = value_of(n, 0);
      check(
          xnn_define_clamp(subgraph, 0, op == "Relu" ? kInf : 6.0f, x.id, new_value(n, x.shape), 0),
          n, "clamp");
    } else if (op == "Prelu") {
      const Value& x = value_of(n, 0);
      const ConstTensor& alpha = const_of(n, 1);
      if (alpha.values.size() != x.shape.back())
        fail(n, "PReLU alpha must have one value per channel");
      const uint32_t slope = define_static(alpha.values, {x.shape.back()}, n);
      check(xnn_define_prelu(subgraph, x.id, slope, new_value(n, x.shape), 0), n, "PReLU");
    } else if (op == "Sigmoid") {
      const Value& x = value_of(n, 0);
      check(xnn_define_sigmoid(subgraph, x.id, new_value(n, x.shape), 0), n, "sigmoid");
    } else if (op == "MaxPool") {
      const Value& x = value_of(n, 0);
      const auto [kh, kw] = pair_attr(n, "ksize", 1);
      const auto [sh, sw] = pair_attr(n, "strides", 1);
      const bool same = same_padding(n);
      const Shape out{x.shape[0], out_size(x.shape[1], kh, sh, same),
                      out_size(x.shape[2], kw, sw, same), x.shape[3]};
      check(
          xnn_define_max_pooling_2d(subgraph, 0, 0, 0, 0, kh, kw, sh, sw, 1, 1, -kInf, kInf, x.id,
                                    new_value(n, out), same ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0),
          n, "max pooling");
    } else if (op == "Pad") {
      const Value& x = value_of(n, 0);
      const ConstTensor& p = const_of(n, 1);
      if (!p.is_int || p.ints.size() != 2 * x.shape.size())
        fail(n, "paddings must be int32 [rank, 2]");
      Shape pre(x.shape.size()), post(x.shape.size()), out = x.shape;
      for (std::size_t d = 0; d < x.shape.size(); ++d) {
        if (p.ints[2 * d] < 0 || p.ints[2 * d + 1] < 0) fail(n, "negative padding");
        pre[d] = static_cast<std::size_t>(p.ints[2 * d]);
        post[d] = static_cast<std::size_t>(p.ints[2 * d + 1]);
        out[d] += pre[d] + post[d];
      }
      check(xnn_define_static_constant_pad(subgraph, pre.data(), post.data(), 0.0f, x.id,
                                           new_value(n, out), 0),
            n, "pad");
    } else if (op == "Reshape") {
      const Value& x = value_of(n, 0);
      const ConstTensor& s = const_of(n, 1);
      if (!s.is_int) fail(n, "shape must be int32");
      Shape out;
      std::size_t known = 1;
      int infer = -1;
      for (std::size_t d = 0; d < s.ints.size(); ++d) {
        if (s.ints[d] == -1) {
          if (infer >= 0) fail(n, "two -1 dimensions");
          infer = static_cast<int>(d);
          out.push_back(1);
        } else {
          out.push_back(static_cast<std::size_t>(s.ints[d]));
          known *= out.back();
        }
      }
      if (infer >= 0) out[static_cast<std::size_t>(infer)] = elements(x.shape) / known;
      if (elements(out) != elements(x.shape)) fail(n, "reshape changes the element count");
      check(xnn_define_static_reshape(subgraph, out.size(), out.data(), x.id, new_value(n, out), 0),
            n, "reshape");
    } else if (op == "Identity") {
      values[n.name] = value_of(n, 0);
    } else {
      fail(n, "op is not supported by semblend's engine");
    }
  }
  if (input_shape.empty()) throw InputError(path, 0, 0, "the model has no input (Placeholder)");

  // Outputs: each reads one external value, or a host concat of several.
  auto external_for = [&](const std::string& node_name) -> std::size_t {
    const auto it = external_of.find(producer(node_name));
    if (it == external_of.end())
      throw InputError(path, 0, 0, "output node '" + node_name + "' is not computed by the model");
    return it->second;
  };
  for (const auto& [out_name, node_name] : g.outputs) {
    if (!by_name.count(node_name))
      throw InputError(path, 0, 0, "output '" + out_name + "' names no node");
    // Walk back through Identity/Reshape host nodes to a ConcatV2 or a subgraph value.
    const std::string cur = producer(node_name);
    OutputPlan plan;
    Shape shape;
    if (host.count(cur)) {  // ConcatV2
      const Node& c = *by_name.at(cur);
      const ConstTensor& axis = const_of(c, c.inputs.size() - 1);
      for (std::size_t k = 0; k + 1 < c.inputs.size(); ++k) {
        plan.parts.push_back(external_for(c.inputs[k]));
        plan.part_shapes.push_back(values.at(producer(c.inputs[k])).shape);
      }
      const auto rank = static_cast<int64_t>(plan.part_shapes[0].size());
      int64_t a = axis.ints.at(0);
      if (a < 0) a += rank;
      plan.axis_from_end = static_cast<std::size_t>(rank - 1 - a);
      shape = plan.part_shapes[0];
      shape[static_cast<std::size_t>(a)] = 0;
      for (const Shape& s : plan.part_shapes) {
        for (std::size_t d = 0; d < s.size(); ++d)
          if (d != static_cast<std::size_t>(a) && s[d] != plan.part_shapes[0][d])
            fail(c, "concatenated tensors differ outside the concat axis");
        shape[static_cast<std::size_t>(a)] += s[static_cast<std::size_t>(a)];
      }
    } else {
      plan.parts.push_back(external_for(cur));
      shape = values.at(cur).shape;  // an Identity shares its producer's value
      plan.part_shapes.push_back(shape);
    }
    // A Reshape on the host path only relabels the shape.
    if (by_name.at(node_name)->op == "Reshape" && host.count(node_name)) {
      const ConstTensor& s = const_of(*by_name.at(node_name), 1);
      Shape r;
      for (auto v : s.ints) r.push_back(v < 0 ? 0 : static_cast<std::size_t>(v));
      const std::size_t known =
          std::accumulate(r.begin(), r.end(), std::size_t{1},
                          [](std::size_t a, std::size_t b) { return b ? a * b : a; });
      for (auto& d : r)
        if (d == 0) d = elements(shape) / known;
      shape = r;
    }
    output_names.push_back(out_name);
    output_shapes.push_back(shape);
    plans.push_back(std::move(plan));
    outputs.emplace_back(elements(shape));
  }

  if (options.threads > 1) pool = pthreadpool_create(static_cast<std::size_t>(options.threads));
  check(xnn_create_runtime_v2(subgraph, pool, 0, &runtime), model_node("runtime"), "runtime");
  input_buffer.assign(elements(input_shape) + XNN_EXTRA_BYTES / sizeof(float), 0.0f);
  std::vector<xnn_external_value> ext;
  ext.push_back({input_id, input_buffer.data()});
  for (External& e : externals) ext.push_back({e.id, e.buffer.data()});
  check(xnn_setup_runtime(runtime, ext.size(), ext.data()), model_node("setup"), "runtime setup");
}

Model::Model(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Model::Model(Model&&) noexcept = default;
Model& Model::operator=(Model&&) noexcept = default;
Model::~Model() = default;

Model Model::load(const std::string& model_json, const ModelOptions& options) {
  if (options.batch < 1 || options.threads < 1)
    throw std::invalid_argument("model options: batch and threads must be at least 1");
  auto impl = std::make_unique<Impl>();
  impl->path = model_json;
  impl->load_options = options;
  impl->graph = std::make_shared<const Graph>(engine::read_tfjs_graph(model_json, options.sha256));
  impl->build(*impl->graph, options);
  return Model(std::move(impl));
}

Model Model::clone() const {
  auto impl = std::make_unique<Impl>();
  impl->path = impl_->path;
  impl->load_options = impl_->load_options;
  impl->graph = impl_->graph;
  impl->build(*impl->graph, impl->load_options);
  return Model(std::move(impl));
}

const std::string& Model::path() const {
  return impl_->path;
}
const std::vector<std::size_t>& Model::input_shape() const {
  return impl_->input_shape;
}
const std::vector<std::string>& Model::output_names() const {
  return impl_->output_names;
}
const std::vector<std::vector<std::size_t>>& Model::output_shapes() const {
  return impl_->output_shapes;
}

std::span<float> Model::input() {
  if (impl_->host_graph) return impl_->host_graph->input();
  return {impl_->input_buffer.data(), elements(impl_->input_shape)};
}

void Model::invoke() {
  Impl& m = *impl_;
  if (m.host_graph) {
    m.host_graph->invoke();
    return;
  }
  if (xnn_invoke_runtime(m.runtime) != xnn_status_success)
    throw std::runtime_error(m.path + ": XNNPACK failed to run the model");
  // The host tail: concatenate parts along the concat axis (row-major blocks).
  for (std::size_t o = 0; o < m.plans.size(); ++o) {
    const Impl::OutputPlan& plan = m.plans[o];
    float* dst = m.outputs[o].data();
    if (plan.parts.size() == 1) {
      const auto& src = m.externals[plan.parts[0]].buffer;
      std::copy_n(src.data(), m.outputs[o].size(), dst);
      continue;
    }
    // inner = product of dims after the axis (inclusive of axis per part); outer = before.
    const Shape& s0 = plan.part_shapes[0];
    const std::size_t axis = s0.size() - 1 - plan.axis_from_end;
    std::size_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= s0[d];
    for (std::size_t i = 0; i < outer; ++i)
      for (std::size_t p = 0; p < plan.parts.size(); ++p) {
        std::size_t block = 1;
        for (std::size_t d = axis; d < plan.part_shapes[p].size(); ++d)
          block *= plan.part_shapes[p][d];
        const float* src = m.externals[plan.parts[p]].buffer.data() + i * block;
        dst = std::copy_n(src, block, dst);
      }
  }
}

std::span<const float> Model::output(std::size_t i) const {
  if (impl_->host_graph) return impl_->host_graph->output(i);
  return impl_->outputs.at(i);
}

std::vector<Tensor> Model::run(std::span<const float> input) {
  auto in = this->input();
  if (input.size() != in.size())
    throw std::invalid_argument(impl_->path + ": input has " + std::to_string(input.size()) +
                                " values, the model takes " + std::to_string(in.size()));
  std::copy(input.begin(), input.end(), in.begin());
  invoke();
  std::vector<Tensor> out;
  for (std::size_t i = 0; i < impl_->output_shapes.size(); ++i) {
    const auto o = output(i);
    out.push_back({impl_->output_shapes[i], std::vector<float>(o.begin(), o.end())});
  }
  return out;
}

}  // namespace semblend
