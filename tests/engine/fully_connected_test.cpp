// The engine's fully-connected ops (MatMul, _FusedMatMul, BiasAdd on [batch, features] values):
// a small hand-written TF.js graph model against a plain reference computed here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "semblend/engine.h"
#include "semblend/file_io.h"
#include "test_util.h"

namespace semblend {
namespace {

using json = nlohmann::json;

// TF.js writes string attributes in base64.
const char* const kBiasAdd = "Qmlhc0FkZA==";  // "BiasAdd"
const char* const kRelu = "UmVsdQ==";         // "Relu"
const char* const kSigmoid = "U2lnbW9pZA==";  // "Sigmoid"

constexpr std::size_t kIn = 5, kHidden = 4, kOut = 3;

struct Weights {
  std::vector<float> w1, b1, w2, b2;  // w1 [in, hidden] (TF layout), w2 [out, hidden] (transposed)
};

Weights make_weights() {
  Weights w;
  for (std::size_t i = 0; i < kIn * kHidden; ++i) w.w1.push_back(std::sin(1.3f * float(i)));
  for (std::size_t i = 0; i < kHidden; ++i) w.b1.push_back(0.1f * float(i) - 0.15f);
  for (std::size_t i = 0; i < kOut * kHidden; ++i) w.w2.push_back(std::cos(0.7f * float(i)));
  for (std::size_t i = 0; i < kOut; ++i) w.b2.push_back(0.5f - 0.25f * float(i));
  return w;
}

json dims(std::initializer_list<int> d) {
  json a = json::array();
  for (int v : d) a.push_back({{"size", std::to_string(v)}});
  return {{"dim", a}};
}

json flag(bool b) {
  return {{"b", b}};
}

// x [-1, 5] -> _FusedMatMul (BiasAdd, Relu) -> MatMul (transpose_b) -> BiasAdd -> Identity.
json make_graph(const std::string& first_op, const json& first_attr) {
  json nodes = json::array();
  nodes.push_back({{"name", "x"},
                   {"op", "Placeholder"},
                   {"attr", {{"shape", {{"shape", dims({-1, int(kIn)})}}}}}});
  for (const char* c : {"w1", "b1", "w2", "b2"}) nodes.push_back({{"name", c}, {"op", "Const"}});
  nodes.push_back({{"name", "dense/Relu"},
                   {"op", first_op},
                   {"input", {"x", "w1", "b1"}},
                   {"attr", first_attr}});
  nodes.push_back({{"name", "out/MatMul"},
                   {"op", "MatMul"},
                   {"input", {"dense/Relu", "w2"}},
                   {"attr", {{"transpose_a", flag(false)}, {"transpose_b", flag(true)}}}});
  nodes.push_back({{"name", "out/BiasAdd"}, {"op", "BiasAdd"}, {"input", {"out/MatMul", "b2"}}});
  nodes.push_back({{"name", "Identity"}, {"op", "Identity"}, {"input", {"out/BiasAdd"}}});
  json weights = json::array();
  weights.push_back({{"name", "w1"}, {"shape", {kIn, kHidden}}, {"dtype", "float32"}});
  weights.push_back({{"name", "b1"}, {"shape", {kHidden}}, {"dtype", "float32"}});
  weights.push_back({{"name", "w2"}, {"shape", {kOut, kHidden}}, {"dtype", "float32"}});
  weights.push_back({{"name", "b2"}, {"shape", {kOut}}, {"dtype", "float32"}});
  return {{"format", "graph-model"},
          {"modelTopology", {{"node", nodes}}},
          {"weightsManifest", {{{"paths", {"mlp.bin"}}, {"weights", weights}}}}};
}

json fused_attr(const json& ops) {
  return {{"fused_ops", {{"list", {{"s", ops}}}}},
          {"num_args", {{"i", "1"}}},
          {"epsilon", {{"f", 0}}},
          {"transpose_a", flag(false)},
          {"transpose_b", flag(false)}};
}

std::string write_model(const test::TempDir& tmp, const json& graph) {
  const Weights w = make_weights();
  std::string bin;
  for (const auto* v : {&w.w1, &w.b1, &w.w2, &w.b2})
    bin.append(reinterpret_cast<const char*>(v->data()), v->size() * sizeof(float));
  write_file_atomic(tmp.path("mlp.bin"), bin);
  write_file_atomic(tmp.path("mlp.json"), graph.dump(1));
  return tmp.path("mlp.json");
}

// relu(x · w1 + b1) · w2ᵀ + b2, in double.
std::vector<double> reference(const float* x) {
  const Weights w = make_weights();
  std::vector<double> h(kHidden), y(kOut);
  for (std::size_t j = 0; j < kHidden; ++j) {
    double s = w.b1[j];
    for (std::size_t i = 0; i < kIn; ++i) s += double(x[i]) * w.w1[i * kHidden + j];
    h[j] = std::max(0.0, s);
  }
  for (std::size_t o = 0; o < kOut; ++o) {
    double s = w.b2[o];
    for (std::size_t j = 0; j < kHidden; ++j) s += h[j] * w.w2[o * kHidden + j];
    y[o] = s;
  }
  return y;
}

TEST(EngineFullyConnected, MatchesAPlainReference) {
  test::TempDir tmp;
  Model m =
      Model::load(write_model(tmp, make_graph("_FusedMatMul", fused_attr({kBiasAdd, kRelu}))));
  EXPECT_EQ(m.input_shape(), (std::vector<std::size_t>{1, kIn}));
  ASSERT_EQ(m.output_shapes().size(), 1u);
  EXPECT_EQ(m.output_shapes()[0], (std::vector<std::size_t>{1, kOut}));
  // Inputs that switch some hidden units off (the ReLU matters) and some on.
  for (int trial = 0; trial < 4; ++trial) {
    std::vector<float> x(kIn);
    for (std::size_t i = 0; i < kIn; ++i) x[i] = std::sin(2.1f * float(i) + float(trial)) * 1.5f;
    const auto out = m.run(x);
    const std::vector<double> want = reference(x.data());
    for (std::size_t o = 0; o < kOut; ++o) EXPECT_NEAR(out[0].data[o], want[o], 1e-5) << trial;
  }
}

TEST(EngineFullyConnected, BatchRowsAreIndependent) {
  test::TempDir tmp;
  ModelOptions opt;
  opt.batch = 3;
  Model m =
      Model::load(write_model(tmp, make_graph("_FusedMatMul", fused_attr({kBiasAdd, kRelu}))), opt);
  EXPECT_EQ(m.input_shape(), (std::vector<std::size_t>{3, kIn}));
  std::vector<float> x(3 * kIn);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = std::cos(0.9f * float(i)) * 2;
  const auto out = m.run(x);
  EXPECT_EQ(out[0].shape, (std::vector<std::size_t>{3, kOut}));
  for (std::size_t b = 0; b < 3; ++b) {
    const std::vector<double> want = reference(x.data() + b * kIn);
    for (std::size_t o = 0; o < kOut; ++o) EXPECT_NEAR(out[0].data[b * kOut + o], want[o], 1e-5);
  }
  // A clone computes the same with its own buffers.
  Model c = m.clone();
  const auto again = c.run(x);
  EXPECT_EQ(again[0].data, out[0].data);
}

TEST(EngineFullyConnected, PlainMatMulThenRelu) {
  // MatMul without fusion, a separate BiasAdd and Relu: the same function.
  test::TempDir tmp;
  json g = make_graph("MatMul", {{"transpose_a", flag(false)}, {"transpose_b", flag(false)}});
  auto& nodes = g["modelTopology"]["node"];
  nodes[5]["input"] = {"x", "w1"};
  nodes[5]["name"] = "dense/MatMul";
  nodes.insert(
      nodes.begin() + 6,
      json{{"name", "dense/BiasAdd"}, {"op", "BiasAdd"}, {"input", {"dense/MatMul", "b1"}}});
  nodes.insert(nodes.begin() + 7,
               json{{"name", "dense/Relu"}, {"op", "Relu"}, {"input", {"dense/BiasAdd"}}});
  Model m = Model::load(write_model(tmp, g));
  std::vector<float> x{0.3f, -1.2f, 0.8f, 2.0f, -0.4f};
  const auto out = m.run(x);
  const std::vector<double> want = reference(x.data());
  for (std::size_t o = 0; o < kOut; ++o) EXPECT_NEAR(out[0].data[o], want[o], 1e-5);
}

void expect_error(const test::TempDir& tmp, const json& graph, const std::string& what) {
  try {
    Model::load(write_model(tmp, graph));
    FAIL() << "loaded: " << what;
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("node 'dense/Relu' (_FusedMatMul)"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find(what), std::string::npos) << e.what();
  }
}

TEST(EngineFullyConnected, UnsupportedAttributesNameTheNodeAndOp) {
  test::TempDir tmp;
  json attr = fused_attr({kBiasAdd, kRelu});
  attr["transpose_a"] = flag(true);
  expect_error(tmp, make_graph("_FusedMatMul", attr), "transpose_a");
  expect_error(tmp, make_graph("_FusedMatMul", fused_attr({kBiasAdd, kSigmoid})),
               "fused op Sigmoid");
  attr = fused_attr({kBiasAdd, kRelu});
  attr["transpose_b"] = flag(true);  // w1 is [5, 4]: read as [out, in] it wants 4 features
  expect_error(tmp, make_graph("_FusedMatMul", attr), "weights expect 4 features, input has 5");
}

}  // namespace
}  // namespace semblend
