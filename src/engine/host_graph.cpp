// HostGraph (host_graph.h): a TF.js graph run node by node, convolutions on XNNPACK operators.
#include "engine/host_graph.h"

#include <xnnpack.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <set>
#include <stdexcept>

#include "semblend/error.h"

namespace semblend::engine {
namespace {

using Shape = std::vector<std::size_t>;

// XNNPACK may read up to XNN_EXTRA_BYTES past an input's end: every buffer carries that slack.
constexpr std::size_t kSlack = XNN_EXTRA_BYTES / sizeof(float) + 1;
constexpr float kInf = std::numeric_limits<float>::infinity();
constexpr double kExactInt = 16777216.0;  // 2^24: floats hold every integer below

std::size_t count_of(const Shape& s) {
  return std::accumulate(s.begin(), s.end(), std::size_t{1}, std::multiplies<>());
}

const std::set<std::string>& xnnpack_subgraph_ops() {
  static const std::set<std::string> ops{
      "Const",  "Placeholder",  "_FusedConv2D", "Conv2D",  "DepthwiseConv2dNative",
      "MatMul", "_FusedMatMul", "BiasAdd",      "AddV2",   "Add",
      "Relu",   "Relu6",        "Prelu",        "Sigmoid", "MaxPool",
      "Pad",    "Reshape",      "Identity",     "ConcatV2"};
  return ops;
}

void initialise_xnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  if (status != xnn_status_success)
    throw std::runtime_error("XNNPACK cannot initialise on this processor");
}

// Output shape of NumPy broadcasting.
bool broadcast_shape(const Shape& a, const Shape& b, Shape& out) {
  const std::size_t r = std::max(a.size(), b.size());
  out.assign(r, 1);
  for (std::size_t i = 0; i < r; ++i) {
    const std::size_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::size_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1) return false;
    out[i] = std::max(da, db);
  }
  return true;
}

// Row-major strides of a tensor of shape `s` (the last dimension contiguous).
std::vector<std::size_t> row_major_strides(const Shape& s) {
  std::vector<std::size_t> st(s.size(), 1);
  for (std::size_t d = s.size(); d-- > 1;) st[d - 1] = st[d] * s[d];
  return st;
}

// Advances a multi-index over idx.size() dimensions of `extent` in row-major order (the last
// fastest); false when it wraps around past the last index.
template <class I, class E>
bool next_index(std::vector<I>& idx, const E& extent) {
  for (std::size_t d = idx.size(); d-- > 0;) {
    if (++idx[d] < static_cast<I>(extent[d])) return true;
    idx[d] = 0;
  }
  return false;
}

// Strides of `s` seen from an output of rank `r` (0 where broadcast).
std::vector<std::size_t> broadcast_strides(const Shape& s, const Shape& out) {
  const std::size_t r = out.size();
  std::vector<std::size_t> st(r, 0);
  std::size_t stride = 1;
  for (std::size_t i = s.size(); i-- > 0;) {
    const std::size_t o = i + (r - s.size());
    st[o] = s[i] == 1 ? 0 : stride;
    stride *= s[i];
  }
  return st;
}

}  // namespace

// A tensor on the host (a struct of the engine namespace: Impl holds them).
struct HostValue {
  Shape shape;
  std::vector<float> data;  // count_of(shape) + kSlack
  bool ready = false;

  std::size_t count() const { return count_of(shape); }
  void resize(const Shape& s) {
    shape = s;
    const std::size_t n = count_of(s) + kSlack;
    if (data.size() != n) data.assign(n, 0.0f);
  }
  float* begin() { return data.data(); }
  const float* begin() const { return data.data(); }
};

struct HostGraph::Impl {
  std::shared_ptr<const Graph> graph;
  std::string path;
  int batch = 1;
  Shape input_shape;
  std::vector<std::string> output_names;
  std::vector<Shape> output_shapes;
  std::vector<std::size_t> output_nodes;  // node indices
  std::vector<std::size_t> order;         // nodes to run, in file order
  std::map<std::string, std::size_t> index_of;
  std::vector<HostValue> values;                 // per node
  std::vector<std::vector<std::size_t>> inputs;  // per node: input node indices
  std::size_t input_node = 0;

  struct Conv {
    xnn_operator_t op = nullptr;
    std::size_t kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1, cout = 0;
    bool same = false;
    std::vector<float> alpha;  // fused PReLU slopes (empty: none)
  };
  std::map<std::size_t, Conv> convs;

  ~Impl() {
    for (auto& [i, c] : convs)
      if (c.op) xnn_delete_operator(c.op);
  }

  [[noreturn]] void fail(const Node& n, const std::string& problem) const {
    throw InputError(path, 0, 0, "node '" + n.name + "' (" + n.op + "): " + problem);
  }
  const Node& node(std::size_t i) const { return graph->nodes[i]; }
  const HostValue& in(std::size_t i, std::size_t k) const {
    if (k >= inputs[i].size()) fail(node(i), "missing input " + std::to_string(k));
    return values[inputs[i][k]];
  }
  int64_t int_attr(const Node& n, const char* key, int64_t fallback) const {
    const auto it = n.ints.find(key);
    return it == n.ints.end() ? fallback : it->second;
  }
  bool bool_attr(const Node& n, const char* key) const {
    const auto it = n.bools.find(key);
    return it != n.bools.end() && it->second;
  }
  int64_t to_int(const Node& n, float v) const {
    if (!(std::abs(double(v)) < kExactInt) || std::trunc(v) != v)
      fail(n, "expected an integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
  }
  std::vector<int64_t> ints_of(std::size_t i, std::size_t k) const {
    const HostValue& v = in(i, k);
    std::vector<int64_t> out(v.count());
    for (std::size_t j = 0; j < out.size(); ++j) out[j] = to_int(node(i), v.data[j]);
    return out;
  }
  std::size_t axis_of(const Node& n, int64_t axis, std::size_t rank) const {
    if (axis < 0) axis += static_cast<int64_t>(rank);
    if (axis < 0 || axis >= static_cast<int64_t>(rank)) fail(n, "axis out of range");
    return static_cast<std::size_t>(axis);
  }

  void build();
  void prepare_conv(std::size_t i);
  void run_node(std::size_t i);
  void run_conv(std::size_t i);
  template <class F>
  void binary(std::size_t i, F f);
  void unary(std::size_t i, float (*f)(float));
  void strided_slice(std::size_t i);
  void reduce(std::size_t i, bool is_max);
  void batch_matmul(std::size_t i, bool adj_a, bool adj_b);
  void invoke();
};

void HostGraph::Impl::build() {
  initialise_xnnpack();
  const Graph& g = *graph;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) index_of[g.nodes[i].name] = i;
  inputs.resize(g.nodes.size());
  values.resize(g.nodes.size());
  for (std::size_t i = 0; i < g.nodes.size(); ++i)
    for (const std::string& name : g.nodes[i].inputs) {
      const auto it = index_of.find(name);
      if (it == index_of.end()) fail(g.nodes[i], "input '" + name + "' is not a node");
      inputs[i].push_back(it->second);
    }
  for (const auto& [out_name, node_name] : g.outputs) {
    const auto it = index_of.find(node_name);
    if (it == index_of.end())
      throw InputError(path, 0, 0, "output '" + out_name + "' names no node");
    output_names.push_back(out_name);
    output_nodes.push_back(it->second);
  }
  // The nodes the outputs need.
  std::vector<bool> needed(g.nodes.size(), false);
  std::vector<std::size_t> stack(output_nodes.begin(), output_nodes.end());
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    if (needed[i]) continue;
    needed[i] = true;
    for (std::size_t k : inputs[i]) stack.push_back(k);
  }
  bool have_input = false;
  for (std::size_t i = 0; i < g.nodes.size(); ++i) {
    if (!needed[i]) continue;
    const Node& n = g.nodes[i];
    if (n.op == "Const") {
      const auto it = g.consts.find(n.name);
      if (it == g.consts.end()) fail(n, "constant without weights");
      const ConstTensor& c = it->second;
      values[i].resize(c.shape);
      if (c.is_int) {
        for (std::size_t j = 0; j < c.ints.size(); ++j) {
          if (std::abs(double(c.ints[j])) >= kExactInt) fail(n, "int32 constant beyond 2^24");
          values[i].data[j] = float(c.ints[j]);
        }
      } else {
        std::copy(c.values.begin(), c.values.end(), values[i].data.begin());
      }
      values[i].ready = true;
      continue;
    }
    if (n.op == "Placeholder") {
      if (have_input) fail(n, "a second input; only single-input models are supported");
      have_input = true;
      input_node = i;
      input_shape = n.shape;
      if (input_shape.empty()) fail(n, "an input without a shape");
      input_shape[0] = static_cast<std::size_t>(batch);
      values[i].resize(input_shape);
      values[i].ready = true;
      continue;
    }
    order.push_back(i);
    if (n.op == "_FusedConv2D" || n.op == "Conv2D" || n.op == "DepthwiseConv2dNative")
      prepare_conv(i);
  }
  if (!have_input) throw InputError(path, 0, 0, "the model has no input");
  invoke();  // once on zeros: every shape, and every unsupported op, is known now
  for (std::size_t o : output_nodes) output_shapes.push_back(values[o].shape);
}

void HostGraph::Impl::prepare_conv(std::size_t i) {
  const Node& n = node(i);
  Conv c;
  const auto w_it = graph->consts.find(n.inputs.size() > 1 ? n.inputs[1] : "");
  if (w_it == graph->consts.end() || w_it->second.shape.size() != 4)
    fail(n, "the filter must be a 4-D constant");
  const ConstTensor& w = w_it->second;
  auto pair = [&](const char* key) -> std::pair<std::size_t, std::size_t> {
    const auto it = n.int_lists.find(key);
    if (it == n.int_lists.end()) return {1, 1};
    if (it->second.size() != 4 || it->second[1] < 1 || it->second[2] < 1)
      fail(n, std::string(key) + " must be NHWC with positive values");
    return {std::size_t(it->second[1]), std::size_t(it->second[2])};
  };
  std::tie(c.sh, c.sw) = pair("strides");
  std::tie(c.dh, c.dw) = pair("dilations");
  const auto pad = n.strings.find("padding");
  const std::string padding = pad == n.strings.end() ? "VALID" : pad->second;
  if (padding != "SAME" && padding != "VALID") fail(n, "padding " + padding + " is not supported");
  c.same = padding == "SAME";
  c.kh = w.shape[0], c.kw = w.shape[1];
  const std::size_t cin = w.shape[2], m = w.shape[3];
  const bool depthwise = n.op == "DepthwiseConv2dNative";
  c.cout = depthwise ? cin * m : m;
  std::vector<std::string> fused;
  if (auto it = n.string_lists.find("fused_ops"); it != n.string_lists.end()) fused = it->second;
  std::vector<float> bias(c.cout, 0.0f);
  float lo = -kInf, hi = kInf;
  std::size_t arg = 2;
  auto const_arg = [&](std::size_t k) -> const ConstTensor& {
    const auto it = graph->consts.find(k < n.inputs.size() ? n.inputs[k] : "");
    if (it == graph->consts.end() || it->second.values.size() != c.cout)
      fail(n, "fused argument " + std::to_string(k) + " must be a constant per output channel");
    return it->second;
  };
  for (const std::string& f : fused) {
    if (f == "BiasAdd") {
      bias = const_arg(arg++).values;
    } else if (f == "Relu") {
      lo = 0;
    } else if (f == "Relu6") {
      lo = 0, hi = 6;
    } else if (f == "Prelu") {
      c.alpha = const_arg(arg++).values;
    } else {
      fail(n, "fused op " + f + " is not supported");
    }
  }
  const uint32_t flags = c.same ? XNN_FLAG_TENSORFLOW_SAME_PADDING : 0;
  xnn_status s;
  if (depthwise) {
    // [kh, kw, C, M] is XNNPACK's depthwise HWGo layout.
    s = xnn_create_convolution2d_nhwc_f32(
        0, 0, 0, 0, uint32_t(c.kh), uint32_t(c.kw), uint32_t(c.sh), uint32_t(c.sw), uint32_t(c.dh),
        uint32_t(c.dw), uint32_t(cin), 1, m, cin, c.cout, w.values.data(), bias.data(), lo, hi,
        flags | XNN_FLAG_DEPTHWISE_CONVOLUTION, &c.op);
  } else {
    // TF.js filters are HWIO; XNNPACK wants OHWI.
    std::vector<float> ohwi(w.values.size());
    for (std::size_t y = 0; y < c.kh; ++y)
      for (std::size_t x = 0; x < c.kw; ++x)
        for (std::size_t ci = 0; ci < cin; ++ci)
          for (std::size_t o = 0; o < c.cout; ++o)
            ohwi[((o * c.kh + y) * c.kw + x) * cin + ci] =
                w.values[((y * c.kw + x) * cin + ci) * c.cout + o];
    s = xnn_create_convolution2d_nhwc_f32(0, 0, 0, 0, uint32_t(c.kh), uint32_t(c.kw),
                                          uint32_t(c.sh), uint32_t(c.sw), uint32_t(c.dh),
                                          uint32_t(c.dw), 1, cin, c.cout, cin, c.cout, ohwi.data(),
                                          bias.data(), lo, hi, flags, &c.op);
  }
  if (s != xnn_status_success)
    fail(n, "XNNPACK rejected the convolution (status " + std::to_string(int(s)) + ")");
  convs[i] = std::move(c);
}

void HostGraph::Impl::run_conv(std::size_t i) {
  Conv& c = convs.at(i);
  const HostValue& x = in(i, 0);
  if (x.shape.size() != 4) fail(node(i), "expects a 4-D NHWC input");
  auto out_size = [&](std::size_t in, std::size_t k, std::size_t s, std::size_t d) {
    const std::size_t span = (k - 1) * d + 1;
    if (c.same) return (in + s - 1) / s;
    if (in < span) fail(node(i), "input smaller than the filter");
    return (in - span) / s + 1;
  };
  HostValue& y = values[i];
  y.resize({x.shape[0], out_size(x.shape[1], c.kh, c.sh, c.dh),
            out_size(x.shape[2], c.kw, c.sw, c.dw), c.cout});
  if (xnn_setup_convolution2d_nhwc_f32(c.op, x.shape[0], x.shape[1], x.shape[2], x.begin(),
                                       y.begin(), nullptr) != xnn_status_success ||
      xnn_run_operator(c.op, nullptr) != xnn_status_success)
    fail(node(i), "XNNPACK failed to run the convolution");
  if (!c.alpha.empty()) {
    float* p = y.begin();
    const std::size_t n = y.count(), ch = c.cout;
    const float* a = c.alpha.data();
    for (std::size_t j = 0; j < n; j += ch)
      for (std::size_t q = 0; q < ch; ++q)
        p[j + q] = std::max(p[j + q], 0.0f) + a[q] * std::min(p[j + q], 0.0f);
  }
}

template <class F>
void HostGraph::Impl::binary(std::size_t i, F f) {
  const HostValue& a = in(i, 0);
  const HostValue& b = in(i, 1);
  Shape out;
  if (!broadcast_shape(a.shape, b.shape, out)) fail(node(i), "shapes do not broadcast");
  HostValue& y = values[i];
  // a and b may be y's own buffer only if the node feeds itself, which a graph cannot.
  y.resize(out);
  const std::size_t n = y.count();
  float* d = y.begin();
  const float* pa = a.begin();
  const float* pb = b.begin();
  if (a.count() == n && b.count() == n) {
    for (std::size_t j = 0; j < n; ++j) d[j] = f(pa[j], pb[j]);
    return;
  }
  if (a.count() == n && b.count() == 1) {
    for (std::size_t j = 0; j < n; ++j) d[j] = f(pa[j], pb[0]);
    return;
  }
  if (a.count() == 1 && b.count() == n) {
    for (std::size_t j = 0; j < n; ++j) d[j] = f(pa[0], pb[j]);
    return;
  }
  // One operand whole, the other repeating over the trailing dimensions (a per-channel vector).
  auto is_suffix = [&](const Shape& s) {
    std::size_t k = 0;
    while (k < s.size() && s[k] == 1) ++k;
    return s.size() - k <= out.size() && std::equal(s.begin() + std::ptrdiff_t(k), s.end(),
                                                    out.end() - std::ptrdiff_t(s.size() - k));
  };
  if (a.count() == n && b.count() > 0 && is_suffix(b.shape)) {
    const std::size_t m = b.count();
    for (std::size_t j = 0; j < n; j += m)
      for (std::size_t q = 0; q < m; ++q) d[j + q] = f(pa[j + q], pb[q]);
    return;
  }
  if (b.count() == n && a.count() > 0 && is_suffix(a.shape)) {
    const std::size_t m = a.count();
    for (std::size_t j = 0; j < n; j += m)
      for (std::size_t q = 0; q < m; ++q) d[j + q] = f(pa[q], pb[j + q]);
    return;
  }
  const auto sa = broadcast_strides(a.shape, out), sb = broadcast_strides(b.shape, out);
  const std::size_t r = out.size();
  std::vector<std::size_t> idx(r, 0);
  std::size_t oa = 0, ob = 0;
  for (std::size_t j = 0; j < n; ++j) {
    d[j] = f(pa[oa], pb[ob]);
    for (std::size_t k = r; k-- > 0;) {  // odometer
      ++idx[k];
      oa += sa[k], ob += sb[k];
      if (idx[k] < out[k]) break;
      oa -= sa[k] * out[k], ob -= sb[k] * out[k];
      idx[k] = 0;
    }
  }
}

void HostGraph::Impl::unary(std::size_t i, float (*f)(float)) {
  const HostValue& x = in(i, 0);
  HostValue& y = values[i];
  y.resize(x.shape);
  const std::size_t n = x.count();
  for (std::size_t j = 0; j < n; ++j) y.data[j] = f(x.data[j]);
}

void HostGraph::Impl::strided_slice(std::size_t i) {
  const Node& n = node(i);
  const HostValue& x = in(i, 0);
  const auto begin = ints_of(i, 1), end = ints_of(i, 2), strides = ints_of(i, 3);
  const int64_t begin_mask = int_attr(n, "begin_mask", 0), end_mask = int_attr(n, "end_mask", 0),
                ellipsis = int_attr(n, "ellipsis_mask", 0),
                new_axis = int_attr(n, "new_axis_mask", 0),
                shrink = int_attr(n, "shrink_axis_mask", 0);
  if (new_axis != 0) fail(n, "the new-axis mask is not supported");
  const std::size_t spec = begin.size(), r = x.shape.size();
  if (end.size() != spec || strides.size() != spec)
    fail(n, "begin, end and strides differ in length");
  if (std::popcount(static_cast<uint64_t>(ellipsis)) > 1) fail(n, "two ellipses");
  // Each dimension's slice entry (-1: the whole dimension), the ellipsis expanded.
  std::vector<int> entry(r, -1);
  std::size_t next = 0;
  for (std::size_t k = 0; k < spec; ++k) {
    if (ellipsis & (int64_t{1} << k)) {
      const std::size_t after = spec - k - 1;
      if (r < next + after) fail(n, "more slice entries than dimensions");
      next = r - after;
      continue;
    }
    if (next >= r) fail(n, "more slice entries than dimensions");
    entry[next++] = int(k);
  }
  std::vector<int64_t> start(r, 0), step(r, 1), len(r, 0);
  Shape out;
  for (std::size_t d = 0; d < r; ++d) {
    const int64_t dim = int64_t(x.shape[d]);
    const int e_k = entry[d];
    if (e_k < 0) {
      len[d] = dim;
      out.push_back(std::size_t(dim));
      continue;
    }
    const auto k = std::size_t(e_k);
    const int64_t s = strides[k];
    if (s == 0) fail(n, "a zero stride");
    step[d] = s;
    if (shrink & (int64_t{1} << k)) {
      const int64_t b = begin[k] < 0 ? begin[k] + dim : begin[k];
      if (b < 0 || b >= dim) fail(n, "index out of range");
      start[d] = b, len[d] = 1, step[d] = 1;
      continue;  // the dimension goes
    }
    auto clamp_index = [&](int64_t v) {
      if (v < 0) v += dim;
      return s > 0 ? std::clamp<int64_t>(v, 0, dim) : std::clamp<int64_t>(v, -1, dim - 1);
    };
    const int64_t b =
        (begin_mask & (int64_t{1} << k)) ? (s > 0 ? 0 : dim - 1) : clamp_index(begin[k]);
    const int64_t e = (end_mask & (int64_t{1} << k)) ? (s > 0 ? dim : -1) : clamp_index(end[k]);
    int64_t count = s > 0 ? (e - b + s - 1) / s : (b - e + (-s) - 1) / (-s);
    if (count < 0) count = 0;
    start[d] = b, len[d] = count;
    out.push_back(std::size_t(count));
  }
  HostValue& y = values[i];
  y.resize(out);
  // Copy: iterate over the (unshrunk) slice.
  const std::vector<std::size_t> in_stride = row_major_strides(x.shape);
  std::size_t total = 1;
  for (std::size_t d = 0; d < r; ++d) total *= std::size_t(len[d]);
  std::vector<int64_t> idx(r, 0);
  for (std::size_t j = 0; j < total; ++j) {
    std::size_t off = 0;
    for (std::size_t d = 0; d < r; ++d)
      off += std::size_t(start[d] + idx[d] * step[d]) * in_stride[d];
    y.data[j] = x.data[off];
    next_index(idx, len);
  }
}

void HostGraph::Impl::reduce(std::size_t i, bool is_max) {
  const Node& n = node(i);
  const HostValue& x = in(i, 0);
  std::vector<bool> reduced(x.shape.size(), false);
  for (int64_t a : ints_of(i, 1)) reduced[axis_of(n, a, x.shape.size())] = true;
  const bool keep = bool_attr(n, "keep_dims");
  Shape out, kept;
  for (std::size_t d = 0; d < x.shape.size(); ++d) {
    if (!reduced[d]) out.push_back(x.shape[d]);
    if (!reduced[d] || keep) kept.push_back(reduced[d] ? 1 : x.shape[d]);
  }
  HostValue& y = values[i];
  y.resize(keep ? kept : out);
  std::fill_n(y.data.begin(), y.count(), is_max ? -kInf : kInf);
  const std::size_t r = x.shape.size();
  std::vector<std::size_t> idx(r, 0);
  for (std::size_t j = 0; j < x.count(); ++j) {
    std::size_t o = 0;
    for (std::size_t d = 0; d < r; ++d)
      if (!reduced[d]) o = o * x.shape[d] + idx[d];
    y.data[o] = is_max ? std::max(y.data[o], x.data[j]) : std::min(y.data[o], x.data[j]);
    next_index(idx, x.shape);
  }
}

void HostGraph::Impl::batch_matmul(std::size_t i, bool adj_a, bool adj_b) {
  const Node& n = node(i);
  const HostValue& a = in(i, 0);
  const HostValue& b = in(i, 1);
  if (a.shape.size() < 2 || b.shape.size() < 2) fail(n, "operands need at least 2 dimensions");
  const std::size_t ra = a.shape.size(), rb = b.shape.size();
  const std::size_t m = adj_a ? a.shape[ra - 1] : a.shape[ra - 2];
  const std::size_t k = adj_a ? a.shape[ra - 2] : a.shape[ra - 1];
  const std::size_t k2 = adj_b ? b.shape[rb - 1] : b.shape[rb - 2];
  const std::size_t p = adj_b ? b.shape[rb - 2] : b.shape[rb - 1];
  if (k != k2) fail(n, "inner dimensions differ");
  const Shape ba(a.shape.begin(), a.shape.end() - 2), bb(b.shape.begin(), b.shape.end() - 2);
  Shape batch_shape;
  if (!broadcast_shape(ba, bb, batch_shape)) fail(n, "batch dimensions do not broadcast");
  Shape out = batch_shape;
  out.push_back(m);
  out.push_back(p);
  HostValue& y = values[i];
  y.resize(out);
  const auto sa = broadcast_strides(ba, batch_shape), sb = broadcast_strides(bb, batch_shape);
  const std::size_t batches = count_of(batch_shape);
  std::vector<std::size_t> idx(batch_shape.size(), 0);
  for (std::size_t t = 0; t < batches; ++t) {
    std::size_t oa = 0, ob = 0;
    for (std::size_t d = 0; d < idx.size(); ++d) oa += idx[d] * sa[d], ob += idx[d] * sb[d];
    const float* A = a.begin() + oa * m * k;
    const float* B = b.begin() + ob * k * p;
    float* C = y.begin() + t * m * p;
    for (std::size_t r = 0; r < m; ++r)
      for (std::size_t c = 0; c < p; ++c) {
        double s = 0;
        for (std::size_t q = 0; q < k; ++q)
          s += double(adj_a ? A[q * m + r] : A[r * k + q]) *
               double(adj_b ? B[c * k + q] : B[q * p + c]);
        C[r * p + c] = float(s);
      }
    next_index(idx, batch_shape);
  }
}

void HostGraph::Impl::run_node(std::size_t i) {
  const Node& n = node(i);
  const std::string& op = n.op;
  HostValue& y = values[i];
  if (convs.count(i)) {
    run_conv(i);
  } else if (op == "Identity") {
    const HostValue& x = in(i, 0);
    y.resize(x.shape);
    std::copy_n(x.data.begin(), x.count(), y.data.begin());
  } else if (op == "AddV2" || op == "Add") {
    binary(i, [](float a, float b) { return a + b; });
  } else if (op == "Sub") {
    binary(i, [](float a, float b) { return a - b; });
  } else if (op == "Mul") {
    binary(i, [](float a, float b) { return a * b; });
  } else if (op == "RealDiv") {
    binary(i, [](float a, float b) { return a / b; });
  } else if (op == "Minimum") {
    binary(i, [](float a, float b) { return std::min(a, b); });
  } else if (op == "Maximum") {
    binary(i, [](float a, float b) { return std::max(a, b); });
  } else if (op == "LessEqual") {
    binary(i, [](float a, float b) { return a <= b ? 1.0f : 0.0f; });
  } else if (op == "GreaterEqual") {
    binary(i, [](float a, float b) { return a >= b ? 1.0f : 0.0f; });
  } else if (op == "LogicalAnd") {
    binary(i, [](float a, float b) { return a != 0 && b != 0 ? 1.0f : 0.0f; });
  } else if (op == "Atan2") {
    binary(i, [](float a, float b) { return std::atan2(a, b); });
  } else if (op == "Prelu") {
    binary(i, [](float x, float alpha) { return std::max(x, 0.0f) + alpha * std::min(x, 0.0f); });
  } else if (op == "AddN") {
    const HostValue& x0 = in(i, 0);
    y.resize(x0.shape);
    std::fill_n(y.data.begin(), y.count(), 0.0f);
    for (std::size_t k = 0; k < inputs[i].size(); ++k) {
      const HostValue& x = in(i, k);
      if (x.shape != x0.shape) fail(n, "AddN inputs differ in shape");
      for (std::size_t j = 0; j < y.count(); ++j) y.data[j] += x.data[j];
    }
  } else if (op == "Neg") {
    unary(i, [](float x) { return -x; });
  } else if (op == "Cos") {
    unary(i, [](float x) { return std::cos(x); });
  } else if (op == "Sin") {
    unary(i, [](float x) { return std::sin(x); });
  } else if (op == "Floor") {
    unary(i, [](float x) { return std::floor(x); });
  } else if (op == "Square") {
    unary(i, [](float x) { return x * x; });
  } else if (op == "Rsqrt") {
    unary(i, [](float x) { return 1.0f / std::sqrt(x); });
  } else if (op == "Sigmoid") {
    unary(i, [](float x) { return 1.0f / (1.0f + std::exp(-x)); });
  } else if (op == "Relu") {
    unary(i, [](float x) { return std::max(x, 0.0f); });
  } else if (op == "Relu6") {
    unary(i, [](float x) { return std::clamp(x, 0.0f, 6.0f); });
  } else if (op == "ZerosLike") {
    unary(i, [](float) { return 0.0f; });
  } else if (op == "Cast") {
    const auto it = n.types.find("DstT");
    const std::string dst = it == n.types.end() ? "DT_FLOAT" : it->second;
    if (dst == "DT_FLOAT") {
      unary(i, [](float x) { return x; });
    } else if (dst == "DT_INT32") {
      unary(i, [](float x) { return std::trunc(x); });
      for (std::size_t j = 0; j < y.count(); ++j)
        if (!(std::abs(double(y.data[j])) < kExactInt)) fail(n, "cast beyond 2^24");
    } else if (dst == "DT_BOOL") {
      unary(i, [](float x) { return x != 0 ? 1.0f : 0.0f; });
    } else {
      fail(n, "cast to " + dst + " is not supported");
    }
  } else if (op == "Shape") {
    const HostValue& x = in(i, 0);
    y.resize({x.shape.size()});
    for (std::size_t d = 0; d < x.shape.size(); ++d) y.data[d] = float(x.shape[d]);
  } else if (op == "StridedSlice") {
    strided_slice(i);
  } else if (op == "Pack") {
    const HostValue& x0 = in(i, 0);
    const std::size_t axis = axis_of(n, int_attr(n, "axis", 0), x0.shape.size() + 1);
    const std::size_t parts = inputs[i].size();
    Shape out = x0.shape;
    out.insert(out.begin() + std::ptrdiff_t(axis), parts);
    y.resize(out);
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= x0.shape[d];
    for (std::size_t d = axis; d < x0.shape.size(); ++d) inner *= x0.shape[d];
    for (std::size_t k = 0; k < parts; ++k) {
      const HostValue& x = in(i, k);
      if (x.shape != x0.shape) fail(n, "packed tensors differ in shape");
      for (std::size_t o = 0; o < outer; ++o)
        std::copy_n(x.data.begin() + std::ptrdiff_t(o * inner), inner,
                    y.data.begin() + std::ptrdiff_t((o * parts + k) * inner));
    }
  } else if (op == "ConcatV2") {
    const std::size_t parts = inputs[i].size() - 1;
    const auto axis_v = ints_of(i, parts);
    const HostValue& x0 = in(i, 0);
    if (axis_v.size() != 1) fail(n, "the axis must be a scalar");
    const std::size_t axis = axis_of(n, axis_v[0], x0.shape.size());
    Shape out = x0.shape;
    out[axis] = 0;
    for (std::size_t k = 0; k < parts; ++k) {
      const HostValue& x = in(i, k);
      if (x.shape.size() != x0.shape.size()) fail(n, "concatenated tensors differ in rank");
      for (std::size_t d = 0; d < x.shape.size(); ++d)
        if (d != axis && x.shape[d] != x0.shape[d]) fail(n, "tensors differ off the axis");
      out[axis] += x.shape[axis];
    }
    y.resize(out);
    std::size_t outer = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= out[d];
    float* dst = y.begin();
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t k = 0; k < parts; ++k) {
        const HostValue& x = in(i, k);
        const std::size_t block = x.count() / outer;
        dst = std::copy_n(x.begin() + o * block, block, dst);
      }
  } else if (op == "Range") {
    const float start = in(i, 0).data[0], limit = in(i, 1).data[0], delta = in(i, 2).data[0];
    if (delta == 0) fail(n, "a zero step");
    const double len = std::ceil((double(limit) - start) / delta);
    const std::size_t count = len > 0 ? std::size_t(len) : 0;
    y.resize({count});
    for (std::size_t j = 0; j < count; ++j) y.data[j] = start + float(j) * delta;
  } else if (op == "Reshape") {
    const HostValue& x = in(i, 0);
    const auto dims = ints_of(i, 1);
    Shape out;
    std::size_t known = 1;
    int unknown = -1;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] == -1) {
        if (unknown >= 0) fail(n, "two unknown dimensions");
        unknown = int(d);
        out.push_back(1);
      } else if (dims[d] < 0) {
        fail(n, "a negative dimension");
      } else {
        out.push_back(std::size_t(dims[d]));
        known *= std::size_t(dims[d]);
      }
    }
    if (unknown >= 0) out[std::size_t(unknown)] = known ? x.count() / known : 0;
    if (count_of(out) != x.count()) fail(n, "reshape changes the element count");
    y.resize(out);
    std::copy_n(x.data.begin(), x.count(), y.data.begin());
  } else if (op == "ExpandDims") {
    const HostValue& x = in(i, 0);
    const auto a = ints_of(i, 1);
    if (a.size() != 1) fail(n, "the axis must be a scalar");
    Shape out = x.shape;
    out.insert(out.begin() + std::ptrdiff_t(axis_of(n, a[0], x.shape.size() + 1)), 1);
    y.resize(out);
    std::copy_n(x.data.begin(), x.count(), y.data.begin());
  } else if (op == "Tile") {
    const HostValue& x = in(i, 0);
    const auto reps = ints_of(i, 1);
    if (reps.size() != x.shape.size()) fail(n, "one multiple per dimension");
    Shape out = x.shape;
    for (std::size_t d = 0; d < out.size(); ++d) {
      if (reps[d] < 0) fail(n, "a negative multiple");
      out[d] *= std::size_t(reps[d]);
    }
    y.resize(out);
    const std::size_t r = out.size();
    std::vector<std::size_t> idx(r, 0);
    const std::vector<std::size_t> st = row_major_strides(x.shape);
    for (std::size_t j = 0; j < y.count(); ++j) {
      std::size_t off = 0;
      for (std::size_t d = 0; d < r; ++d) off += (idx[d] % x.shape[d]) * st[d];
      y.data[j] = x.data[off];
      next_index(idx, out);
    }
  } else if (op == "Fill") {
    const auto dims = ints_of(i, 0);
    Shape out;
    for (int64_t d : dims) {
      if (d < 0) fail(n, "a negative dimension");
      out.push_back(std::size_t(d));
    }
    y.resize(out);
    std::fill_n(y.data.begin(), y.count(), in(i, 1).data[0]);
  } else if (op == "Transpose") {
    const HostValue& x = in(i, 0);
    const auto perm = ints_of(i, 1);
    const std::size_t r = x.shape.size();
    if (perm.size() != r) fail(n, "the permutation has the wrong length");
    Shape out(r);
    const std::vector<std::size_t> st = row_major_strides(x.shape);
    std::vector<std::size_t> pst(r);
    for (std::size_t d = 0; d < r; ++d) {
      const std::size_t p = axis_of(n, perm[d], r);
      out[d] = x.shape[p];
      pst[d] = st[p];
    }
    y.resize(out);
    std::vector<std::size_t> idx(r, 0);
    for (std::size_t j = 0; j < y.count(); ++j) {
      std::size_t off = 0;
      for (std::size_t d = 0; d < r; ++d) off += idx[d] * pst[d];
      y.data[j] = x.data[off];
      next_index(idx, out);
    }
  } else if (op == "GatherV2") {
    const HostValue& x = in(i, 0);
    const HostValue& ind = in(i, 1);
    const auto a = ints_of(i, 2);
    if (a.size() != 1) fail(n, "the axis must be a scalar");
    if (int_attr(n, "batch_dims", 0) != 0) fail(n, "batch_dims other than 0");
    const std::size_t axis = axis_of(n, a[0], x.shape.size());
    Shape out(x.shape.begin(), x.shape.begin() + std::ptrdiff_t(axis));
    out.insert(out.end(), ind.shape.begin(), ind.shape.end());
    out.insert(out.end(), x.shape.begin() + std::ptrdiff_t(axis) + 1, x.shape.end());
    y.resize(out);
    std::size_t outer = 1, inner = 1;
    for (std::size_t d = 0; d < axis; ++d) outer *= x.shape[d];
    for (std::size_t d = axis + 1; d < x.shape.size(); ++d) inner *= x.shape[d];
    const std::size_t dim = x.shape[axis], picks = ind.count();
    float* dst = y.begin();
    for (std::size_t o = 0; o < outer; ++o)
      for (std::size_t k = 0; k < picks; ++k) {
        const int64_t at = to_int(n, ind.data[k]);
        if (at < 0 || std::size_t(at) >= dim) fail(n, "index out of range");
        dst = std::copy_n(x.begin() + (o * dim + std::size_t(at)) * inner, inner, dst);
      }
  } else if (op == "Max" || op == "Min") {
    reduce(i, op == "Max");
  } else if (op == "MatMul") {
    batch_matmul(i, bool_attr(n, "transpose_a"), bool_attr(n, "transpose_b"));
  } else if (op == "BatchMatMulV2" || op == "BatchMatMul") {
    batch_matmul(i, bool_attr(n, "adj_x"), bool_attr(n, "adj_y"));
  } else if (op == "Pad") {
    const HostValue& x = in(i, 0);
    const auto p = ints_of(i, 1);
    const std::size_t r = x.shape.size();
    if (p.size() != 2 * r) fail(n, "paddings must be [rank, 2]");
    Shape out = x.shape;
    for (std::size_t d = 0; d < r; ++d) {
      if (p[2 * d] < 0 || p[2 * d + 1] < 0) fail(n, "negative padding");
      out[d] += std::size_t(p[2 * d] + p[2 * d + 1]);
    }
    y.resize(out);
    std::fill_n(y.data.begin(), y.count(), 0.0f);
    if (r == 0) {
      std::copy_n(x.data.begin(), x.count(), y.data.begin());
    } else {
      // Row by row along the last dimension, which is contiguous in both tensors.
      const std::vector<std::size_t> ost = row_major_strides(out);
      const std::size_t inner = x.shape[r - 1], rows = inner == 0 ? 0 : x.count() / inner;
      std::vector<std::size_t> idx(r - 1, 0);  // the row's index over the leading dimensions
      for (std::size_t row = 0; row < rows; ++row) {
        std::size_t off = std::size_t(p[2 * (r - 1)]);
        for (std::size_t d = 0; d + 1 < r; ++d) off += (idx[d] + std::size_t(p[2 * d])) * ost[d];
        std::copy_n(x.data.begin() + std::ptrdiff_t(row * inner), inner,
                    y.data.begin() + std::ptrdiff_t(off));
        next_index(idx, x.shape);
      }
    }
  } else if (op == "MaxPool") {
    const HostValue& x = in(i, 0);
    const auto ks = n.int_lists.find("ksize"), st = n.int_lists.find("strides");
    if (x.shape.size() != 4 || ks == n.int_lists.end() || st == n.int_lists.end() ||
        ks->second.size() != 4 || st->second.size() != 4)
      fail(n, "expects NHWC input with 4-entry ksize and strides");
    const auto pad = n.strings.find("padding");
    if (pad != n.strings.end() && pad->second != "VALID") fail(n, "only VALID pooling");
    const std::size_t kh = std::size_t(ks->second[1]), kw = std::size_t(ks->second[2]),
                      sh = std::size_t(st->second[1]), sw = std::size_t(st->second[2]);
    const std::size_t B = x.shape[0], H = x.shape[1], W = x.shape[2], C = x.shape[3];
    if (H < kh || W < kw || sh == 0 || sw == 0) fail(n, "pool larger than its input");
    const std::size_t oh = (H - kh) / sh + 1, ow = (W - kw) / sw + 1;
    y.resize({B, oh, ow, C});
    for (std::size_t b = 0; b < B; ++b)
      for (std::size_t r = 0; r < oh; ++r)
        for (std::size_t c = 0; c < ow; ++c) {
          float* o = y.begin() + ((b * oh + r) * ow + c) * C;
          std::fill_n(o, C, -kInf);
          for (std::size_t u = 0; u < kh; ++u)
            for (std::size_t v = 0; v < kw; ++v) {
              const float* src = x.begin() + ((b * H + r * sh + u) * W + c * sw + v) * C;
              for (std::size_t ch = 0; ch < C; ++ch) o[ch] = std::max(o[ch], src[ch]);
            }
        }
  } else {
    fail(n, "op " + op + " is not supported");
  }
}

void HostGraph::Impl::invoke() {
  for (std::size_t i : order) values[i].ready = false;
  for (std::size_t i : order) {
    for (std::size_t k : inputs[i])
      if (!values[k].ready)
        fail(node(i), "input '" + node(k).name + "' is computed after it (not topological)");
    run_node(i);
    values[i].ready = true;
  }
}

HostGraph::HostGraph(std::shared_ptr<const Graph> graph, const std::string& path, int batch)
    : impl_(std::make_unique<Impl>()) {
  impl_->graph = std::move(graph);
  impl_->path = path;
  impl_->batch = batch;
  impl_->build();
}
HostGraph::~HostGraph() = default;

const std::vector<std::size_t>& HostGraph::input_shape() const {
  return impl_->input_shape;
}
const std::vector<std::string>& HostGraph::output_names() const {
  return impl_->output_names;
}
const std::vector<std::vector<std::size_t>>& HostGraph::output_shapes() const {
  return impl_->output_shapes;
}
std::span<float> HostGraph::input() {
  HostValue& v = impl_->values[impl_->input_node];
  return {v.data.data(), v.count()};
}
void HostGraph::invoke() {
  impl_->invoke();
}
std::span<const float> HostGraph::output(std::size_t i) const {
  const HostValue& v = impl_->values.at(impl_->output_nodes.at(i));
  return {v.data.data(), v.count()};
}

bool HostGraph::needed_for(const Graph& graph) {
  const auto& ops = xnnpack_subgraph_ops();
  for (const Node& n : graph.nodes)
    if (!ops.count(n.op)) return true;
  return false;
}

}  // namespace semblend::engine
