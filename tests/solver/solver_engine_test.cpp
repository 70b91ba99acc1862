// The solver on the engine (solver.h): the export (write_solver_model) folds the input
// standardisation without changing the function, the shipped model is the conversion of the
// trained SBSOLVR1 weights and agrees with their plain (formerly Eigen) inference within 1e-5,
// concurrent solves are safe, and bad model files are errors naming the file.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include "engine/tfjs_writer.h"
#include "semblend/error.h"
#include "semblend/expression_prior.h"
#include "semblend/file_io.h"
#include "semblend/rig.h"
#include "semblend/solver.h"
#include "semblend/synth.h"
#include "test_util.h"

namespace semblend {
namespace {

namespace fs = std::filesystem;

// Held-out faces: identities and expressions of seeds training never used, turned and projected
// like the landmarker reports them.
std::vector<std::array<Point3, kLandmarkCount>> held_out_faces(std::size_t n) {
  ExpressionSamplerOptions eo;
  eo.seed = 777;
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), eo);
  std::vector<std::array<Point3, kLandmarkCount>> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    const Rig rig = build_rig(sample_identity(90001 + i % 5));
    const std::vector<Point3> posed = pose_rig(rig, sampler.at(i).coefficients);
    std::array<Point3, kLandmarkCount> face{};
    std::copy(posed.begin(), posed.begin() + kLandmarkCount, face.begin());
    HeadPose head;
    head.yaw = 0.6f * std::sin(float(i));
    head.pitch = 0.3f * std::cos(1.7f * float(i));
    head.roll = 0.2f * std::sin(2.3f * float(i));
    out.push_back(project_landmarks(face, head, 700, 50 + float(i % 7) * 10, 640, 480));
  }
  return out;
}

// A network before export: the input standardisation and the dense layers, as the trainer has it.
struct Weights {
  std::vector<float> mean, stdev;
  std::vector<DenseLayer> layers;
};

// The unfolded network: standardise, then each layer, in double.
std::vector<double> reference(const Weights& w, std::span<const float> input) {
  std::vector<double> x(input.begin(), input.end());
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - w.mean[i]) / w.stdev[i];
  for (const DenseLayer& l : w.layers) {
    std::vector<double> y(std::size_t(l.out));
    for (std::size_t o = 0; o < y.size(); ++o) {
      double s = l.bias[o];
      for (std::size_t i = 0; i < std::size_t(l.in); ++i)
        s += double(l.weight[o * std::size_t(l.in) + i]) * x[i];
      y[o] = l.relu ? std::max(0.0, s) : s;
    }
    x = std::move(y);
  }
  return x;
}

struct Agreement {
  double outputs = 0;       // max |engine − reference| over the raw outputs (logits up to ~130)
  double coefficients = 0;  // the same over σ(the 52 coefficient logits), what solve() reports
};

Agreement agreement(const Solver& s, const Weights& w,
                    const std::vector<std::vector<float>>& inputs) {
  Agreement a;
  auto sigmoid = [](double v) { return 1 / (1 + std::exp(-v)); };
  for (const auto& in : inputs) {
    const std::vector<float> got = s.run(in);
    const std::vector<double> want = reference(w, in);
    EXPECT_EQ(got.size(), want.size());
    for (std::size_t k = 0; k < std::min(got.size(), want.size()); ++k) {
      a.outputs = std::max(a.outputs, std::fabs(got[k] - want[k]));
      if (k < kBlendshapeCount)
        a.coefficients = std::max(a.coefficients, std::fabs(sigmoid(got[k]) - sigmoid(want[k])));
    }
  }
  return a;
}

std::string data_path(const std::string& name) {
  return std::string(SEMBLEND_SOURCE_DIR) + "/data/solver/" + name;
}

// The export folds (x − mean) / std into the first layer; the engine's result is the unfolded
// network's, for weights unlike the shipped ones (large means, small deviations).
TEST(SolverEngine, ExportFoldsTheStandardisation) {
  Weights w;
  std::uint32_t state = 12345;
  auto uniform = [&](float lo, float hi) {
    state ^= state << 13;
    state ^= state >> 17;
    state ^= state << 5;
    return lo + (hi - lo) * float(state / 4294967296.0);
  };
  for (std::size_t i = 0; i < kSolverInputSize; ++i) {
    w.mean.push_back(uniform(-1.5f, 1.5f));
    w.stdev.push_back(uniform(0.05f, 1.0f));
  }
  const int sizes[] = {int(kSolverInputSize), 24, 16, int(kSolverDirectOutputSize)};
  for (int l = 0; l < 3; ++l) {
    DenseLayer d;
    d.in = sizes[l];
    d.out = sizes[l + 1];
    d.relu = l < 2;
    const float scale = 1.0f / std::sqrt(float(d.in));
    for (int k = 0; k < d.in * d.out; ++k) d.weight.push_back(uniform(-scale, scale));
    for (int k = 0; k < d.out; ++k) d.bias.push_back(uniform(-0.2f, 0.2f));
    w.layers.push_back(std::move(d));
  }
  test::TempDir tmp;
  const auto sums = write_solver_model(tmp.path("m.json"), w.mean, w.stdev, w.layers);
  EXPECT_EQ(sums.size(), 2u);
  EXPECT_TRUE(fs::exists(tmp.path("m.bin")));
  const std::string lines = read_file(tmp.path("m.sha256"));
  EXPECT_NE(lines.find(sums.at("m.bin") + "  m.bin\n"), std::string::npos) << lines;
  const Solver s = Solver::load(tmp.path("m.json"), sums);
  std::vector<std::vector<float>> inputs;
  for (int k = 0; k < 8; ++k) {
    std::vector<float> x(kSolverInputSize);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = w.mean[i] + w.stdev[i] * uniform(-2.0f, 2.0f);
    inputs.push_back(std::move(x));
  }
  const Agreement a = agreement(s, w, inputs);
  EXPECT_LT(a.outputs, 1e-5);  // these outputs stay small
  EXPECT_LT(a.coefficients, 1e-5);
  // Inconsistent layers are refused before anything is written.
  w.layers[1].in = 23;
  EXPECT_THROW(write_solver_model(tmp.path("bad.json"), w.mean, w.stdev, w.layers),
               std::invalid_argument);
  EXPECT_FALSE(fs::exists(tmp.path("bad.json")));
}

// solve() is const and called from several threads: each call leases its own engine Model.
TEST(SolverEngine, ConcurrentSolvesGiveTheSingleThreadResults) {
  const Solver s = Solver::load_default();
  const auto faces = held_out_faces(6);
  std::vector<SolverResult> want;
  for (const auto& f : faces) want.push_back(s.solve(f));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round)
        for (std::size_t i = 0; i < faces.size(); ++i) {
          const SolverResult r = s.solve(faces[(i + std::size_t(t)) % faces.size()]);
          const SolverResult& w = want[(i + std::size_t(t)) % faces.size()];
          if (!(r.coefficients == w.coefficients) || r.bins != w.bins || r.category != w.category)
            ++mismatches[std::size_t(t)];
        }
    });
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[std::size_t(t)], 0) << "thread " << t;
}

// Copies the shipped model into a temp dir so a test can damage it.
std::string copy_shipped(const test::TempDir& tmp) {
  const fs::path dir = fs::path(default_solver_model_path()).parent_path();
  fs::copy_file(dir / "solver.json", tmp.path("solver.json"));
  fs::copy_file(dir / "solver.bin", tmp.path("solver.bin"));
  return tmp.path("solver.json");
}

TEST(SolverEngine, CorruptedOrWrongModelsAreErrors) {
  const auto sums = default_solver_model_checksums();
  ASSERT_EQ(sums.size(), 2u);
  {  // A flipped byte in the weights: a checksum error naming the file.
    test::TempDir tmp;
    const std::string json_path = copy_shipped(tmp);
    std::string bin = read_file(tmp.path("solver.bin"));
    bin[bin.size() / 2] ^= 0x55;
    write_file_atomic(tmp.path("solver.bin"), bin);
    try {
      Solver::load(json_path, sums);
      FAIL() << "a corrupted model loaded";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find("checksum"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("solver.bin"), std::string::npos) << e.what();
    }
  }
  {  // A short shard, unchecked: the engine names the byte counts.
    test::TempDir tmp;
    const std::string json_path = copy_shipped(tmp);
    fs::resize_file(tmp.path("solver.bin"), 1000);
    EXPECT_THROW(Solver::load(json_path), InputError);
  }
  {  // Not a model at all, and the old SBSOLVR1 format.
    test::TempDir tmp;
    test::write_text(tmp.path("garbage.json"), "garbage");
    EXPECT_THROW(Solver::load(tmp.path("garbage.json")), InputError);
    if (fs::exists(data_path("solver.bin"))) {  // a weight shard is not a model.json
      EXPECT_THROW(Solver::load(data_path("solver.bin")), InputError);
    }
  }
  {  // A valid engine model of the wrong shape: an error naming the file.
    test::TempDir tmp;
    engine::DenseWeights d;
    d.in = kSolverInputSize;
    d.out = 10;
    d.weight.assign(d.in * d.out, 0.01f);
    d.bias.assign(d.out, 0.0f);
    engine::write_tfjs_mlp(tmp.path("small.json"), {d}, "test");
    try {
      Solver::load(tmp.path("small.json"));
      FAIL() << "a 10-output model loaded as the solver";
    } catch (const InputError& e) {
      EXPECT_EQ(e.file(), tmp.path("small.json"));
    }
  }
  EXPECT_THROW(Solver::load("/nonexistent/solver.json"), IoError);
  const Solver s = Solver::load_default();
  EXPECT_THROW(s.run(std::vector<float>(10)), std::invalid_argument);
}

}  // namespace
}  // namespace semblend
