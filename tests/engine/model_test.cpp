// The engine against TensorFlow.js: each model's outputs on a fixed input must match the golden
// outputs that tools/reference/make_goldens.mjs computed with tfjs (tests/golden/engine/).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "engine/tfjs_graph.h"
#include "semblend/engine.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string model_path(const std::string& name) {
  return std::string(SEMBLEND_MODEL_DIR) + "/" + name + ".json";
}

// The input generator shared with the reference script (xorshift32, see tools/reference).
void fill_input(std::span<float> in, uint32_t seed, float lo, float hi) {
  uint32_t x = seed;
  for (float& v : in) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    const double u = x / 4294967296.0;
    v = static_cast<float>(lo + (hi - lo) * u);
  }
}

class EngineGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(EngineGolden, MatchesTfjsWithin1e3) {
  const std::string name = GetParam();
  const json golden = json::parse(
      test::read_text(std::string(SEMBLEND_SOURCE_DIR) + "/tests/golden/engine/" + name + ".json"));
  Model m = Model::load(model_path(name));
  const json& in = golden["input"];
  std::vector<std::size_t> shape = in["shape"].get<std::vector<std::size_t>>();
  shape[0] = 1;
  ASSERT_EQ(m.input_shape(), shape);
  fill_input(m.input(), in["seed"].get<uint32_t>(), in["range"][0].get<float>(),
             in["range"][1].get<float>());
  for (std::size_t i = 0; i < 3; ++i)
    ASSERT_FLOAT_EQ(m.input()[i], in["first_values"][i].get<float>()) << "input generator differs";
  m.invoke();

  // Outputs are matched by node name (models without a signature) or signature name.
  const json& outputs = golden["outputs"];
  ASSERT_EQ(outputs.size(), m.output_names().size());
  std::size_t matched = 0;
  for (std::size_t o = 0; o < m.output_names().size(); ++o) {
    const std::string& out_name = m.output_names()[o];
    const json* g = nullptr;
    // (A signature output without a name of its own is keyed by its tensor, "Identity_1:0".)
    const std::string node_name = out_name.substr(
        0, out_name.rfind(":0") == out_name.size() - 2 ? out_name.size() - 2 : out_name.size());
    for (const auto& [key, value] : outputs.items())
      if (key == out_name || key == node_name || value.value("signature_name", "") == out_name)
        g = &value;
    ASSERT_NE(g, nullptr) << "no golden for output " << out_name;
    ++matched;
    const auto out = m.output(o);
    std::size_t expected_size = 1;
    for (auto d : (*g)["shape"])
      expected_size *= d.get<std::size_t>() == 0 ? 1 : d.get<std::size_t>();
    ASSERT_EQ(out.size(), expected_size) << out_name;
    const std::size_t stride = (*g)["stride"].get<std::size_t>();
    const auto& values = (*g)["values"];
    double worst = 0;
    for (std::size_t k = 0; k < values.size(); ++k) {
      const double want = values[k].get<double>();
      const double got = out[k * stride];
      // 1e-3 absolute, or relative for large outputs (landmarks are in pixels, up to ~200).
      const double err = std::abs(got - want) / std::max(1.0, std::abs(want));
      worst = std::max(worst, err);
    }
    EXPECT_LT(worst, 1e-3) << name << " " << out_name;
    std::printf("%s %s: worst error against tfjs %.2e\n", name.c_str(), out_name.c_str(), worst);
    double sum = 0;
    for (float v : out) sum += v;
    EXPECT_NEAR(sum, (*g)["sum"].get<double>(), 1e-3 * std::max(1.0, (*g)["abs_sum"].get<double>()))
        << name << " " << out_name;
  }
  EXPECT_EQ(matched, outputs.size());
}

INSTANTIATE_TEST_SUITE_P(Models, EngineGolden,
                         ::testing::Values("blazeface-front", "blazeface-back", "facemesh", "iris",
                                           "facemesh-attention"),
                         [](const auto& param_info) {
                           std::string s = param_info.param;
                           for (char& c : s) c = c == '-' ? '_' : c;
                           return s;
                         });

TEST(EngineModel, ReportsShapesOfTheFaceMesh) {
  Model m = Model::load(model_path("facemesh"));
  EXPECT_EQ(m.input_shape(), (std::vector<std::size_t>{1, 192, 192, 3}));
  ASSERT_EQ(m.output_names().size(), 3u);
  EXPECT_EQ(m.output_names()[2], "output_mesh");
  EXPECT_EQ(m.output_shapes()[2], (std::vector<std::size_t>{1, 1404}));
}

TEST(EngineModel, IrisConcatRunsOnTheHost) {
  Model m = Model::load(model_path("iris"));
  ASSERT_EQ(m.output_shapes().size(), 1u);
  EXPECT_EQ(m.output_shapes()[0].back(), 228u);  // 71 eye contour points + 5 iris points, xyz
}

TEST(EngineModel, RunChecksTheInputSize) {
  Model m = Model::load(model_path("iris"));
  std::vector<float> wrong(10);
  EXPECT_THROW(m.run(wrong), std::invalid_argument);
  std::vector<float> right(64 * 64 * 3, 0.5f);
  const auto out = m.run(right);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].size(), 228u);
}

// Copies a model into a temp dir so a test can damage it.
std::string copy_model(const test::TempDir& tmp, const std::string& name) {
  fs::copy_file(model_path(name), tmp.path(name + ".json"));
  fs::copy_file(std::string(SEMBLEND_MODEL_DIR) + "/" + name + ".bin", tmp.path(name + ".bin"));
  return tmp.path(name + ".json");
}

TEST(EngineBadInput, MissingFileNamesIt) {
  try {
    Model::load("/nonexistent/model.json");
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/model.json"), std::string::npos);
  }
}

TEST(EngineBadInput, TruncatedWeightsNameTheWeightAndByteCounts) {
  test::TempDir tmp;
  const std::string json_path = copy_model(tmp, "iris");
  fs::resize_file(tmp.path("iris.bin"), 1000);
  try {
    Model::load(json_path);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), json_path);
    EXPECT_NE(e.problem().find("weights end early"), std::string::npos) << e.what();
  }
}

TEST(EngineBadInput, MissingWeightShardNamesIt) {
  test::TempDir tmp;
  const std::string json_path = copy_model(tmp, "iris");
  fs::remove(tmp.path("iris.bin"));
  try {
    Model::load(json_path);
    FAIL();
  } catch (const IoError& e) {
    EXPECT_NE(std::string(e.what()).find("iris.bin"), std::string::npos) << e.what();
  }
}

TEST(EngineBadInput, UnsupportedOpNamesTheNodeAndOp) {
  // The short-range detector as converted by this package runs node by node (it computes its
  // reshape dynamically) but pools with SAME padding, which the host executor does not do.
  try {
    Model::load(model_path("facemesh-detection-short"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("(MaxPool): only VALID pooling"), std::string::npos) << e.what();
    EXPECT_NE(e.problem().find("node '"), std::string::npos);
  }
  // An op neither executor knows: the graph is refused at load, naming the node and the op.
  test::TempDir tmp;
  test::write_text(tmp.path("erf.json"), R"({"format": "graph-model", "modelTopology": {"node": [
      {"name": "input", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
        "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "4"}]}}}},
      {"name": "erf", "op": "Erf", "input": ["input"]},
      {"name": "Identity", "op": "Identity", "input": ["erf"]}]}, "weightsManifest": []})");
  try {
    Model::load(tmp.path("erf.json"));
    FAIL();
  } catch (const InputError& e) {
    EXPECT_NE(e.problem().find("node 'erf' (Erf): op Erf is not supported"), std::string::npos)
        << e.what();
  }
}

TEST(EngineHostGraph, PadsEveryDimension) {
  // Neg (no XNNPACK subgraph op) sends the graph to the host executor; its Pad pads all three
  // dimensions, leading ones included, and keeps the values where they belong.
  test::TempDir tmp;
  test::write_text(tmp.path("pad.json"), R"({"format": "graph-model", "modelTopology": {"node": [
      {"name": "input", "op": "Placeholder", "attr": {"dtype": {"type": "DT_FLOAT"},
        "shape": {"shape": {"dim": [{"size": "-1"}, {"size": "2"}, {"size": "3"}]}}}},
      {"name": "paddings", "op": "Const", "attr": {"dtype": {"type": "DT_INT32"}}},
      {"name": "neg", "op": "Neg", "input": ["input"]},
      {"name": "pad", "op": "Pad", "input": ["neg", "paddings"]},
      {"name": "Identity", "op": "Identity", "input": ["pad"]}]},
      "weightsManifest": [{"paths": ["pad.bin"],
        "weights": [{"name": "paddings", "shape": [3, 2], "dtype": "int32"}]}]})");
  const std::int32_t paddings[6] = {1, 0, 1, 2, 2, 1};  // [[1, 0], [1, 2], [2, 1]]
  test::write_text(tmp.path("pad.bin"),
                   std::string(reinterpret_cast<const char*>(paddings), sizeof paddings));
  Model m = Model::load(tmp.path("pad.json"));
  ASSERT_EQ(m.output_shapes().size(), 1u);
  EXPECT_EQ(m.output_shapes()[0], (std::vector<std::size_t>{2, 5, 6}));
  std::vector<float> in(6);
  for (std::size_t j = 0; j < in.size(); ++j) in[j] = float(j + 1);
  const auto out = m.run(in);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].data.size(), 60u);
  for (std::size_t b = 0; b < 2; ++b)
    for (std::size_t r = 0; r < 5; ++r)
      for (std::size_t c = 0; c < 6; ++c) {
        const bool inside = b == 1 && r >= 1 && r < 3 && c >= 2 && c < 5;
        const float want = inside ? -float((r - 1) * 3 + (c - 2) + 1) : 0.0f;
        EXPECT_EQ(out[0].data[(b * 5 + r) * 6 + c], want) << b << " " << r << " " << c;
      }
}

TEST(EngineHostGraph, RunsTheAttentionMeshNodeByNode) {
  // MediaPipe's attention mesh computes its region crops in the graph (Shape, StridedSlice,
  // GatherV2, BatchMatMulV2, Atan2, ...): the engine runs it node by node, its convolutions on
  // XNNPACK operators. (Its outputs against TensorFlow.js: EngineGolden above.)
  Model m = Model::load(model_path("facemesh-attention"));
  EXPECT_EQ(m.input_shape(), (std::vector<std::size_t>{1, 192, 192, 3}));
  std::map<std::string, std::size_t> sizes;
  for (std::size_t i = 0; i < m.output_names().size(); ++i) {
    std::size_t n = 1;
    for (std::size_t d : m.output_shapes()[i]) n *= d;
    sizes[m.output_names()[i]] = n;
  }
  EXPECT_EQ(sizes["output_mesh_identity"], 1404u);
  EXPECT_EQ(sizes["output_lips"], 160u);
  EXPECT_EQ(sizes["output_faceflag"], 1u);
  EXPECT_EQ(sizes["Identity_1:0"], 142u);  // the eyes (71 points, x y) and irises (5)
  EXPECT_EQ(sizes["Identity_6:0"], 10u);
  // Runs repeat exactly: no state is carried from one to the next.
  std::vector<float> in(192 * 192 * 3);
  fill_input(in, 11, 0, 1);
  const auto a = m.run(in);
  const auto b = m.run(in);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].data, b[i].data);
  // Threads are not offered for a graph that runs node by node.
  ModelOptions two;
  two.threads = 2;
  EXPECT_THROW(Model::load(model_path("facemesh-attention"), two), std::invalid_argument);
}

TEST(EngineBadInput, NotAModel) {
  test::TempDir tmp;
  test::write_text(tmp.path("x.json"), "{\"hello\": 1}");
  EXPECT_THROW(Model::load(tmp.path("x.json")), InputError);
  test::write_text(tmp.path("y.json"), "garbage");
  EXPECT_THROW(Model::load(tmp.path("y.json")), InputError);
}

TEST(EngineHalf, DecodesIeeeHalves) {
  EXPECT_EQ(engine::half_to_float(0x3C00), 1.0f);
  EXPECT_EQ(engine::half_to_float(0xC000), -2.0f);
  EXPECT_EQ(engine::half_to_float(0x7BFF), 65504.0f);
  EXPECT_EQ(engine::half_to_float(0x3555), 0.333251953125f);
  EXPECT_EQ(engine::half_to_float(0x0001), std::ldexp(1.0f, -24));  // smallest subnormal
  EXPECT_EQ(engine::half_to_float(0x8000), -0.0f);
  EXPECT_TRUE(std::isinf(engine::half_to_float(0x7C00)));
  EXPECT_TRUE(std::isnan(engine::half_to_float(0x7E00)));
}

}  // namespace
}  // namespace semblend

namespace semblend {
namespace {

TEST(EngineModel, ABatchOfTwoEqualsTwoRunsOfOne) {
  Model one = Model::load(model_path("iris"));
  ModelOptions pair;
  pair.batch = 2;
  Model two = Model::load(model_path("iris"), pair);
  ASSERT_EQ(two.input().size(), 2 * one.input().size());
  fill_input(two.input(), 7, 0, 1);
  std::vector<float> first(two.input().begin(), two.input().begin() + one.input().size());
  std::vector<float> second(two.input().begin() + one.input().size(), two.input().end());
  two.invoke();
  const auto a = one.run(first)[0].data, b = one.run(second)[0].data;
  const auto both = two.output(0);
  ASSERT_EQ(both.size(), a.size() + b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_NEAR(both[i], a[i], 1e-4f * std::max(1.0f, std::abs(a[i])));
    EXPECT_NEAR(both[a.size() + i], b[i], 1e-4f * std::max(1.0f, std::abs(b[i])));
  }
  ModelOptions none;
  none.batch = 0;
  EXPECT_THROW(Model::load(model_path("iris"), none), std::invalid_argument);
}

}  // namespace
}  // namespace semblend

namespace semblend {
namespace {

TEST(EngineChecksum, AFlippedByteInTheWeightsIsCaughtAtLoad) {
  test::TempDir tmp;
  const std::string json_path = copy_model(tmp, "iris");
  ModelOptions checked;
  checked.sha256 = {
      {"iris.json", "49038ac9dcc09aa05474d91d98e9db5b47af4830929bcf102ed5a56bfbabb465"},
      {"iris.bin", "d7f296d184274213d4642681ae186112cbbec77fd2ab066257d3c56a1940bc71"}};
  EXPECT_NO_THROW(Model::load(json_path, checked));
  std::string bin = test::read_text(tmp.path("iris.bin"));
  bin[1000] = static_cast<char>(bin[1000] ^ 0x01);
  test::write_text(tmp.path("iris.bin"), bin);
  EXPECT_NO_THROW(Model::load(json_path));  // unchecked, the damage goes unnoticed
  try {
    Model::load(json_path, checked);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.file(), tmp.path("iris.bin"));
    EXPECT_NE(e.problem().find("checksum mismatch"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace semblend
