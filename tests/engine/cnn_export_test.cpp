// write_tfjs_cnn (engine/tfjs_writer.h): a small CNN with known weights, written to a TF.js graph
// model and run by the engine, against a plain reference computed here in libtorch's layouts
// (OIHW filters, NCHW flatten order) — so the writer's filter and flatten permutations are checked.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "engine/tfjs_writer.h"
#include "semblend/engine.h"
#include "test_util.h"

namespace semblend {
namespace {

using engine::ConvWeights;
using engine::DenseWeights;

constexpr std::size_t kSize = 9, kChannels = 2;

std::vector<float> wave(std::size_t n, float a, float b) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = 0.5f * std::sin(a * float(i) + b);
  return v;
}

struct Net {
  std::vector<ConvWeights> convs;
  std::vector<DenseWeights> dense;
};

Net make_net() {
  Net n;
  ConvWeights c1{kChannels, 3, 3, 2, wave(3 * kChannels * 9, 0.7f, 0.1f), wave(3, 1.1f, 0.3f)};
  ConvWeights c2{3, 4, 3, 1, wave(4 * 3 * 9, 0.37f, 0.9f), wave(4, 0.5f, 0.2f)};
  n.convs = {c1, c2};
  // 9 -> 4 (stride 2) -> 2 (stride 1): 2 × 2 × 4 = 16 features.
  n.dense.push_back({16, 5, true, wave(5 * 16, 0.23f, 0.4f), wave(5, 0.9f, 0.0f)});
  n.dense.push_back({5, 2, false, wave(2 * 5, 0.61f, 0.7f), wave(2, 0.3f, 0.5f)});
  return n;
}

// libtorch's semantics on an HWC image: conv (OIHW, VALID), ReLU, flatten as [C, H, W], dense.
std::vector<float> reference(const Net& net, const std::vector<float>& hwc) {
  std::size_t h = kSize, w = kSize, c = kChannels;
  std::vector<float> x = hwc;  // HWC
  for (const ConvWeights& cv : net.convs) {
    const std::size_t k = cv.kernel, oh = (h - k) / cv.stride + 1, ow = (w - k) / cv.stride + 1;
    std::vector<float> y(oh * ow * cv.out);
    for (std::size_t oy = 0; oy < oh; ++oy)
      for (std::size_t ox = 0; ox < ow; ++ox)
        for (std::size_t o = 0; o < cv.out; ++o) {
          float s = cv.bias[o];
          for (std::size_t i = 0; i < c; ++i)
            for (std::size_t ky = 0; ky < k; ++ky)
              for (std::size_t kx = 0; kx < k; ++kx)
                s += cv.weight[((o * c + i) * k + ky) * k + kx] *
                     x[((oy * cv.stride + ky) * w + ox * cv.stride + kx) * c + i];
          y[(oy * ow + ox) * cv.out + o] = std::max(0.0f, s);
        }
    x = y, h = oh, w = ow, c = cv.out;
  }
  std::vector<float> flat(h * w * c);
  for (std::size_t ch = 0; ch < c; ++ch)
    for (std::size_t y = 0; y < h; ++y)
      for (std::size_t xx = 0; xx < w; ++xx) flat[(ch * h + y) * w + xx] = x[(y * w + xx) * c + ch];
  for (const DenseWeights& d : net.dense) {
    std::vector<float> out(d.out);
    for (std::size_t o = 0; o < d.out; ++o) {
      float s = d.bias[o];
      for (std::size_t i = 0; i < d.in; ++i) s += d.weight[o * d.in + i] * flat[i];
      out[o] = d.relu ? std::max(0.0f, s) : s;
    }
    flat = out;
  }
  for (float& v : flat) v = 1.0f / (1.0f + std::exp(-v));
  return flat;
}

TEST(CnnExport, EngineMatchesLibtorchLayoutsOnABatch) {
  test::TempDir tmp;
  const Net net = make_net();
  const auto sums = engine::write_tfjs_cnn(tmp.path("cnn.json"), kSize, kSize, kChannels, net.convs,
                                           net.dense, true, "test");
  EXPECT_EQ(sums.size(), 2u);
  ModelOptions mo;
  mo.batch = 2;
  mo.sha256 = sums;  // the returned sums are the files'
  Model m = Model::load(tmp.path("cnn.json"), mo);
  const std::vector<std::size_t> want{2, kSize, kSize, kChannels};
  EXPECT_EQ(m.input_shape(), want);
  const std::vector<float> a = wave(kSize * kSize * kChannels, 0.31f, 0.0f);
  const std::vector<float> b = wave(kSize * kSize * kChannels, 0.17f, 2.0f);
  std::vector<float> both = a;
  both.insert(both.end(), b.begin(), b.end());
  const std::vector<Tensor> out = m.run(both);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_EQ(out[0].size(), 4u);
  const std::vector<float> ra = reference(net, a), rb = reference(net, b);
  for (std::size_t k = 0; k < 2; ++k) {
    EXPECT_NEAR(out[0].data[k], ra[k], 1e-5f) << k;
    EXPECT_NEAR(out[0].data[2 + k], rb[k], 1e-5f) << k;
  }
  // Not a constant: the two images give different outputs.
  EXPECT_GT(std::fabs(ra[0] - rb[0]) + std::fabs(ra[1] - rb[1]), 1e-3f);
}

TEST(CnnExport, RefusesLayersThatDoNotChain) {
  test::TempDir tmp;
  Net net = make_net();
  net.dense[0].in = 15;
  net.dense[0].weight.resize(5 * 15);
  EXPECT_THROW(engine::write_tfjs_cnn(tmp.path("cnn.json"), kSize, kSize, kChannels, net.convs,
                                      net.dense, true, "test"),
               std::invalid_argument);
  net = make_net();
  net.convs[1].in = 2;
  EXPECT_THROW(engine::write_tfjs_cnn(tmp.path("cnn.json"), kSize, kSize, kChannels, net.convs,
                                      net.dense, true, "test"),
               std::invalid_argument);
  net = make_net();
  EXPECT_THROW(engine::write_tfjs_cnn(tmp.path("cnn.bin"), kSize, kSize, kChannels, net.convs,
                                      net.dense, true, "test"),
               std::invalid_argument);  // the shard would overwrite the model
  EXPECT_FALSE(std::filesystem::exists(tmp.path("cnn.json")));
}

}  // namespace
}  // namespace semblend
