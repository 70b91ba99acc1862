// semblend_train — trains the solver's MLP (solver.h) on synthetic landmarks (synth.h) with
// libtorch, and exports it to the engine's format (a TF.js graph model). The only file that
// includes <torch/torch.h>; the library and the CLI never link libtorch.
//
// Usage: semblend_train [-o data/solver/solver.json] [--seed 1] [--samples 100000]
//                       [--steps 16000] [--batch 256] [--hidden 256] [--identities 500]
//                       [--threads 1] [--no-semantic] [--report data/solver/training_report.json]
// The defaults reproduce the shipped model (docs/solver.md; run with OMP_NUM_THREADS=1).
// Writes the model (solver.json + solver.bin, solver.h write_solver_model) and their sums
// (solver.sha256), checks that the engine's inference of the exported model matches libtorch, and
// writes a JSON report (loss and held-out MAE curves, final metrics). Deterministic for a seed on
// one machine (data exactly; training up to libtorch's thread reductions).
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "semblend/file_io.h"
#include "semblend/semantic.h"
#include "semblend/solver.h"
#include "semblend/synth.h"

namespace {

using namespace semblend;

struct Args {
  std::string out = "data/solver/solver.json";
  std::string report = "data/solver/training_report.json";
  std::uint64_t seed = 1;
  int samples = 100000, steps = 16000, batch = 256, hidden = 256, identities = 500;
  int validation = 2000;
  bool semantic = true;
  int threads = 1;  // two OpenMP threads were 5x slower on the shared 2-core machine
};

Args parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    const std::string k = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(k + " needs a value");
      return argv[++i];
    };
    if (k == "-o" || k == "--output")
      a.out = value();
    else if (k == "--report")
      a.report = value();
    else if (k == "--seed")
      a.seed = std::stoull(value());
    else if (k == "--samples")
      a.samples = std::stoi(value());
    else if (k == "--steps")
      a.steps = std::stoi(value());
    else if (k == "--batch")
      a.batch = std::stoi(value());
    else if (k == "--hidden")
      a.hidden = std::stoi(value());
    else if (k == "--identities")
      a.identities = std::stoi(value());
    else if (k == "--validation")
      a.validation = std::stoi(value());
    else if (k == "--threads")
      a.threads = std::stoi(value());
    else if (k == "--no-semantic")
      a.semantic = false;
    else
      throw std::invalid_argument("unknown argument " + k);
  }
  if (a.samples < a.batch || a.steps < 1 || a.batch < 1 || a.hidden < 8 || a.validation < 1)
    throw std::invalid_argument("bad sizes");
  return a;
}

struct Data {
  torch::Tensor x, y, bins, category;  // float N×1434, float N×52, long N×52, long N
};

Data generate(const SynthGenerator& gen, std::uint64_t first, int n, int threads) {
  std::vector<float> x(std::size_t(n) * kSolverInputSize), y(std::size_t(n) * kBlendshapeCount);
  std::vector<std::int64_t> bins(std::size_t(n) * kBlendshapeCount);
  std::vector<std::int64_t> cat(static_cast<std::size_t>(n));
  auto work = [&](int t) {
    for (int i = t; i < n; i += threads) {
      const SynthSample s = gen.sample(first + std::uint64_t(i));
      const std::vector<float> in = solver_input(s.landmarks);
      std::copy(in.begin(), in.end(), x.begin() + std::ptrdiff_t(i) * kSolverInputSize);
      const SemanticTokens tok = tokens_of(describe(s.coefficients));
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
        y[std::size_t(i) * kBlendshapeCount + k] = s.coefficients.at(k);
        // The channel's FACS band (semantic_types.h); channel k is blendshape k.
        bins[std::size_t(i) * kBlendshapeCount + k] = std::int64_t(tok.bins[k]);
      }
      cat[std::size_t(i)] = std::int64_t(tok.category);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
  Data d;
  d.x = torch::from_blob(x.data(), {n, std::int64_t(kSolverInputSize)}).clone();
  d.y = torch::from_blob(y.data(), {n, std::int64_t(kBlendshapeCount)}).clone();
  d.bins = torch::from_blob(bins.data(), {n, std::int64_t(kBlendshapeCount)}, torch::kLong).clone();
  d.category = torch::from_blob(cat.data(), {n}, torch::kLong).clone();
  return d;
}

struct NetImpl : torch::nn::Module {
  torch::nn::Linear l1{nullptr}, l2{nullptr}, l3{nullptr};
  NetImpl(int hidden, bool semantic) {
    l1 = register_module("l1", torch::nn::Linear(std::int64_t(kSolverInputSize), hidden));
    l2 = register_module("l2", torch::nn::Linear(hidden, hidden));
    l3 = register_module("l3",
                         torch::nn::Linear(hidden, std::int64_t(solver_output_size(semantic))));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::relu(l1->forward(x));
    x = torch::relu(l2->forward(x));
    return l3->forward(x);
  }
};
TORCH_MODULE(Net);

struct Losses {
  torch::Tensor total, coeff_mae, bins, category, coefficients;
};

// The band edges of semantic_types.h as tensors: lower[b], width[b] for b = None..E.
struct Bands {
  torch::Tensor lower, width;
  Bands() {
    std::vector<float> lo, w;
    for (std::size_t b = 0; b < kIntensityCount; ++b) {
      const auto level = static_cast<Intensity>(b);
      lo.push_back(band(level).lower);
      w.push_back(band_upper(level) - band(level).lower);
    }
    lower = torch::tensor(lo);
    width = torch::tensor(w);
  }
};

// The coefficients from the network's outputs, as solver.h decodes them: the direct head's sigmoid
// (ablation), or Σ_b p_b · (lower_b + σ(r_b) · width_b) over the six bands (semantic decoding).
torch::Tensor coefficients_of(const torch::Tensor& out, bool semantic, const Bands& bands) {
  const std::int64_t K = kBlendshapeCount, C = kIntensityCount;
  if (!semantic) return torch::sigmoid(out.slice(1, 0, K));
  const torch::Tensor p = torch::softmax(out.slice(1, 0, K * C).reshape({-1, K, C}), 2);
  const std::int64_t r0 = K * C + std::int64_t(kCategoryCount);
  const torch::Tensor r = torch::sigmoid(out.slice(1, r0, r0 + K * C).reshape({-1, K, C}));
  return (p * (bands.lower + r * bands.width)).sum(2);
}

Losses losses(const torch::Tensor& out, const torch::Tensor& y, const torch::Tensor& bins,
              const torch::Tensor& cat, bool semantic, const Bands& bands) {
  const std::int64_t K = kBlendshapeCount, C = kIntensityCount;
  Losses l;
  l.coefficients = coefficients_of(out, semantic, bands);
  l.coeff_mae = (l.coefficients - y).abs().mean();
  // Squared error speeds early training; the absolute error is what is measured.
  l.total = l.coeff_mae + 2 * (l.coefficients - y).pow(2).mean();
  if (semantic) {
    const torch::Tensor bin_logits = out.slice(1, 0, K * C).reshape({-1, C});
    l.bins = torch::nn::functional::cross_entropy(bin_logits, bins.reshape({-1}));
    l.category = torch::nn::functional::cross_entropy(
        out.slice(1, K * C, K * C + std::int64_t(kCategoryCount)), cat);
    // In-band regression: the true band's σ(r) should sit where the value lies in that band.
    const std::int64_t r0 = K * C + std::int64_t(kCategoryCount);
    const torch::Tensor r = torch::sigmoid(out.slice(1, r0, r0 + K * C).reshape({-1, K, C}));
    const torch::Tensor r_true = r.gather(2, bins.unsqueeze(2)).squeeze(2);
    const torch::Tensor lo = bands.lower.index_select(0, bins.reshape({-1})).reshape(bins.sizes());
    const torch::Tensor w = bands.width.index_select(0, bins.reshape({-1})).reshape(bins.sizes());
    const torch::Tensor in_band = (lo + r_true * w - y).abs().mean();
    l.total = l.total + 0.3 * l.bins + 0.05 * l.category + in_band;
  }
  return l;
}

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

int run(const Args& a) {
  torch::manual_seed(a.seed);
  torch::set_num_threads(a.threads);
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  SynthOptions so;
  so.seed = a.seed;
  so.identities = a.identities;
  const SynthGenerator train_gen = SynthGenerator::create(so);
  SynthOptions vo = so;
  vo.seed = a.seed + 1000;  // a different identity pool: held-out identities
  vo.identities = 50;
  const SynthGenerator val_gen = SynthGenerator::create(vo);
  std::fprintf(stderr, "rigs built in %.1f s\n", seconds());
  const Data train = generate(train_gen, 0, a.samples, a.threads);
  const Data val = generate(val_gen, 0, a.validation, a.threads);
  std::fprintf(stderr, "%d + %d samples generated in %.1f s\n", a.samples, a.validation, seconds());

  const torch::Tensor mean = train.x.mean(0);
  const torch::Tensor stdev = train.x.std(0).clamp_min(1e-3);
  const torch::Tensor xs = (train.x - mean) / stdev, vxs = (val.x - mean) / stdev;

  Net net(a.hidden, a.semantic);
  const Bands bands;
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  std::ostringstream curve;
  curve << "[";
  double last_val = 0, last_bin_acc = 0;
  const std::int64_t N = a.samples;
  for (int step = 1; step <= a.steps; ++step) {
    // Cosine learning-rate decay to 2% of the start.
    const double lr = 1e-3 * (0.02 + 0.98 * 0.5 * (1 + std::cos(kPi * step / a.steps)));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    const torch::Tensor idx = torch::randint(N, {a.batch}, torch::kLong);
    net->train();
    const Losses l = losses(net->forward(xs.index_select(0, idx)), train.y.index_select(0, idx),
                            train.bins.index_select(0, idx), train.category.index_select(0, idx),
                            a.semantic, bands);
    opt.zero_grad();
    l.total.backward();
    opt.step();
    if (step % 500 == 0 || step == a.steps) {
      torch::NoGradGuard ng;
      net->eval();
      const torch::Tensor out = net->forward(vxs);
      const Losses v = losses(out, val.y, val.bins, val.category, a.semantic, bands);
      // Band accuracy of the decoded coefficients (both variants): the band the value falls in.
      const torch::Tensor pred_bins =
          (v.coefficients.unsqueeze(2) >= bands.lower.slice(0, 1)).sum(2);
      last_bin_acc = pred_bins.eq(val.bins).to(torch::kFloat).mean().item<double>();
      last_val = v.coeff_mae.item<double>();
      std::fprintf(stderr, "step %d  %.0f s  train mae %.4f  held-out mae %.4f  bin acc %.3f\n",
                   step, seconds(), l.coeff_mae.item<double>(), last_val, last_bin_acc);
      if (curve.tellp() > 1) curve << ",";
      curve << "\n    {\"step\": " << step << ", \"seconds\": " << seconds()
            << ", \"train_loss\": " << l.total.item<double>()
            << ", \"train_mae\": " << l.coeff_mae.item<double>()
            << ", \"heldout_mae\": " << last_val << ", \"heldout_bin_accuracy\": " << last_bin_acc
            << "}";
    }
  }
  curve << "\n  ]";

  std::vector<DenseLayer> layers;
  for (auto* lin : {&net->l1, &net->l2, &net->l3}) {
    DenseLayer d;
    d.out = int((*lin)->weight.size(0));
    d.in = int((*lin)->weight.size(1));
    d.relu = lin != &net->l3;
    d.weight = to_vector((*lin)->weight.detach());
    d.bias = to_vector((*lin)->bias.detach());
    layers.push_back(std::move(d));
  }
  const std::filesystem::path parent = std::filesystem::path(a.out).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  const std::map<std::string, std::string> sums =
      write_solver_model(a.out, to_vector(mean), to_vector(stdev), layers);
  {
    // The export, loaded and run by the library (the engine), must agree with libtorch, in the
    // raw outputs and in the decoded coefficients.
    const Solver exported = Solver::load(a.out, sums);
    torch::NoGradGuard ng;
    net->eval();
    const torch::Tensor out = net->forward(vxs.slice(0, 0, 1));
    const std::vector<float> want = to_vector(out);
    const std::vector<float> got = exported.run(to_vector(val.x.slice(0, 0, 1)));
    if (got.size() != want.size())
      throw std::runtime_error("the exported model's output size differs");
    float worst = 0;
    for (std::size_t i = 0; i < want.size(); ++i)
      worst = std::max(worst, std::fabs(want[i] - got[i]));
    const std::vector<float> want_c = to_vector(coefficients_of(out, a.semantic, bands));
    const SolverResult decoded = decode_solver_output(got);
    float worst_c = 0;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      worst_c = std::max(worst_c, std::fabs(want_c[k] - decoded.coefficients.at(k)));
    if (!(worst < 1e-3f) || !(worst_c < 1e-4f))
      throw std::runtime_error("the exported model differs from libtorch by " +
                               std::to_string(worst) + " (outputs), " + std::to_string(worst_c) +
                               " (coefficients)");
    std::fprintf(stderr,
                 "export check: max |libtorch - engine| = %.2g (outputs), %.2g (coefficients)\n",
                 double(worst), double(worst_c));
  }
  std::string sum_json;
  for (const auto& [file, sum] : sums)
    sum_json += (sum_json.empty() ? "" : ", ") + ("\"" + file + "\": \"" + sum + "\"");
  std::ostringstream rep;
  rep << "{\n  \"command\": \"semblend_train -o " << a.out << " --seed " << a.seed << " --samples "
      << a.samples << " --steps " << a.steps << " --batch " << a.batch << " --hidden " << a.hidden
      << " --identities " << a.identities << (a.semantic ? "" : " --no-semantic") << "\",\n"
      << "  \"sha256\": {" << sum_json << "},\n  \"seconds\": " << seconds()
      << ",\n  \"heldout_mae\": " << last_val << ",\n  \"heldout_bin_accuracy\": " << last_bin_acc
      << ",\n  \"curve\": " << curve.str() << "\n}\n";
  write_file_atomic(a.report, rep.str());
  std::fprintf(stderr, "wrote %s (and its weights and .sha256) and %s in %.0f s\n", a.out.c_str(),
               a.report.c_str(), seconds());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(parse(argc, argv));
  } catch (const std::exception& e) {
    std::cerr << "semblend_train: " << e.what() << "\n";
    return 1;
  }
}
