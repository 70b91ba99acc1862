// semblend_train_appearance — trains the appearance branch's two CNNs (appearance.h) on rig
// renders with libtorch, fits their fusion with the geometry solver on held-out renders, and
// exports both nets to the engine's format. With semblend_train the only files that include
// <torch/torch.h>; the library and the CLI never link libtorch.
//
// Usage: semblend_train_appearance [-o data/appearance] [--seed 1] [--samples 24000]
//                                  [--validation 1500] [--epochs 20] [--batch 64]
//                                  [--render-threads 2] [--identities 400]
//                                  [--report data/appearance/training_report.json]
// The defaults reproduce the shipped models (docs/appearance.md; run with OMP_NUM_THREADS=1).
// Data: AppearanceRenderer renders (training seed; held-out identities from seed + 1000), the
// landmarker run on each render, and the crops cut where the landmarker put the face — exactly
// the path `semblend image` takes. Writes eye.json/.bin, lower_face.json/.bin, fusion.json and
// appearance.sha256 in the output directory, checks the engine's inference of the exported nets
// against libtorch's, and writes a JSON report (loss curves, held-out errors per shape).
#include <torch/torch.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "engine/tfjs_writer.h"
#include "semblend/appearance.h"
#include "semblend/engine.h"
#include "semblend/file_io.h"
#include "semblend/solver.h"

namespace {

using namespace semblend;

struct Args {
  std::string out = "data/appearance";
  std::string report;  // default: <out>/training_report.json
  std::uint64_t seed = 1;
  int samples = 24000, validation = 1500, epochs = 20, batch = 64, render_threads = 2;
  int identities = 400;  // the identity pool of each data seed
};

// Parses the command line with CLI11 (as the `semblend` CLI does); nullopt after --help.
std::optional<Args> parse(int argc, char** argv) {
  Args a;
  CLI::App app("Trains the appearance branch's CNNs on rig renders (docs/appearance.md)",
               "semblend_train_appearance");
  app.add_option("-o,--output", a.out, "Output folder")->capture_default_str();
  app.add_option("--report", a.report, "Training report (default: <output>/training_report.json)");
  app.add_option("--seed", a.seed, "Data and initialisation seed")->capture_default_str();
  app.add_option("--samples", a.samples, "Training renders")->capture_default_str();
  app.add_option("--validation", a.validation, "Held-out renders")->capture_default_str();
  app.add_option("--epochs", a.epochs, "Epochs")->capture_default_str();
  app.add_option("--batch", a.batch, "Batch size")->capture_default_str();
  app.add_option("--render-threads", a.render_threads, "Threads rendering the data")
      ->capture_default_str();
  app.add_option("--identities", a.identities, "Identities per data seed")->capture_default_str();
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (app.exit(e) == 0) return std::nullopt;
    throw std::invalid_argument("bad command line");
  }
  if (a.samples < a.batch || a.validation < 10 || a.epochs < 1 || a.batch < 1 ||
      a.render_threads < 1 || a.render_threads > 64 || a.identities < 1)
    throw std::invalid_argument("bad sizes");
  if (a.report.empty()) a.report = (std::filesystem::path(a.out) / "training_report.json").string();
  return a;
}

// Crops and labels of the detected renders, and the geometry solver's reading of the six shapes.
struct Data {
  std::vector<float> eyes, lower;  // 2 eye crops per sample (left, then right mirrored), 1 lower
  std::vector<float> eye_y, lower_y, truth,
      geometry;                // 2 per eye crop / lower crop; 6, 6 per sample
  std::vector<float> parting;  // lip_parting per sample
  int n = 0, rendered = 0;
};

Data generate(const AppearanceRenderOptions& ro, int count, int threads, const Solver& solver,
              bool jitter_crops) {
  const AppearanceRenderer renderer = AppearanceRenderer::create(ro);
  struct Item {
    bool ok = false;
    AppearanceCrops crops;
    std::array<float, kAppearanceShapeCount> truth{}, geometry{};
    float parting = 0;
  };
  std::vector<Item> items(static_cast<std::size_t>(count));
  std::mutex progress;
  int done = 0;
  auto work = [&](int t) {
    FaceLandmarker landmarker = FaceLandmarker::create();
    for (int i = t; i < count; i += threads) {
      const AppearanceRender r = renderer.render(std::uint64_t(i));
      landmarker.reset();
      const auto faces = landmarker.detect(r.image);
      Item& it = items[std::size_t(i)];
      if (!faces.empty()) {
        it.ok = true;
        // Training crops are jittered beyond the landmarker's own error (held-out ones not), so
        // the nets do not depend on the exact framing.
        std::array<CropJitter, 3> jitter{};
        std::mt19937_64 gen(ro.seed * 0x2545F4914F6CDD1Dull + std::uint64_t(i));
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        for (CropJitter& j : jitter)
          j = {1.0f + 0.08f * u(gen), 0.04f * u(gen), 0.04f * u(gen), 0.1f * u(gen)};
        it.crops = appearance_crops(r.image, faces[0].points, jitter_crops ? &jitter : nullptr);
        const Coefficients g = solver.solve(faces[0].points).coefficients;
        it.parting = lip_parting(faces[0].points);
        for (std::size_t k = 0; k < kAppearanceShapeCount; ++k) {
          it.truth[k] = r.frame.coefficients[kAppearanceShapes[k]];
          it.geometry[k] = g[kAppearanceShapes[k]];
        }
      }
      const std::lock_guard<std::mutex> lock(progress);
      if (++done % 1000 == 0) std::fprintf(stderr, "  rendered %d of %d\n", done, count);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
  Data d;
  d.rendered = count;
  for (const Item& it : items) {
    if (!it.ok) continue;
    ++d.n;
    d.eyes.insert(d.eyes.end(), it.crops.left_eye.begin(), it.crops.left_eye.end());
    d.eyes.insert(d.eyes.end(), it.crops.right_eye.begin(), it.crops.right_eye.end());
    d.lower.insert(d.lower.end(), it.crops.lower_face.begin(), it.crops.lower_face.end());
    d.eye_y.insert(d.eye_y.end(), {it.truth[0], it.truth[1], it.truth[2], it.truth[3]});
    d.lower_y.insert(d.lower_y.end(), {it.truth[4], it.truth[5]});
    d.truth.insert(d.truth.end(), it.truth.begin(), it.truth.end());
    d.geometry.insert(d.geometry.end(), it.geometry.begin(), it.geometry.end());
    d.parting.push_back(it.parting);
  }
  return d;
}

struct CnnImpl : torch::nn::Module {
  std::vector<torch::nn::Conv2d> convs;
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
  CnnImpl(int size, const std::vector<int>& channels, int hidden) {
    int c = 3, s = size;
    for (std::size_t l = 0; l < channels.size(); ++l) {
      convs.push_back(register_module(
          "conv" + std::to_string(l),
          torch::nn::Conv2d(torch::nn::Conv2dOptions(c, channels[l], 3).stride(2))));
      c = channels[l];
      s = (s - 3) / 2 + 1;
    }
    fc1 = register_module("fc1", torch::nn::Linear(c * s * s, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, 2));
  }
  torch::Tensor forward(torch::Tensor x) {  // x: N×H×W×C
    x = x.permute({0, 3, 1, 2});
    for (auto& conv : convs) x = torch::relu(conv->forward(x));
    x = torch::relu(fc1->forward(x.flatten(1)));
    return fc2->forward(x);  // logits
  }
};
TORCH_MODULE(Cnn);

std::vector<float> to_vector(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous().to(torch::kFloat);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

torch::Tensor images(std::vector<float>& v, int n, int size) {
  return torch::from_blob(v.data(), {n, size, size, 3});
}

// Trains one net; returns its held-out predictions (N×2, sigmoid) and per-epoch losses.
struct Trained {
  torch::Tensor heldout;
  std::vector<double> train_loss, heldout_mae;
};
Trained train(Cnn& net, const torch::Tensor& x, const torch::Tensor& y, const torch::Tensor& vx,
              const torch::Tensor& vy, const Args& a, const char* name) {
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(2e-3));
  const std::int64_t n = x.size(0);
  const std::int64_t steps_per_epoch = n / a.batch;
  Trained t;
  for (int epoch = 0; epoch < a.epochs; ++epoch) {
    // Cosine learning-rate decay over the epochs.
    const double lr = 2e-3 * 0.5 * (1 + std::cos(kPi * epoch / a.epochs));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    net->train();
    const torch::Tensor perm = torch::randperm(n);
    double sum = 0;
    for (std::int64_t s = 0; s < steps_per_epoch; ++s) {
      const torch::Tensor idx = perm.slice(0, s * a.batch, (s + 1) * a.batch);
      const torch::Tensor logits = net->forward(x.index_select(0, idx));
      const torch::Tensor target = y.index_select(0, idx);
      const torch::Tensor loss =
          torch::nn::functional::binary_cross_entropy_with_logits(logits, target) +
          (torch::sigmoid(logits) - target).abs().mean();
      opt.zero_grad();
      loss.backward();
      opt.step();
      sum += loss.item<double>();
    }
    net->eval();
    torch::NoGradGuard no_grad;
    t.heldout = torch::sigmoid(net->forward(vx));
    const double mae = (t.heldout - vy).abs().mean().item<double>();
    t.train_loss.push_back(sum / double(steps_per_epoch));
    t.heldout_mae.push_back(mae);
    std::fprintf(stderr, "  %s epoch %d: loss %.4f, held-out MAE %.4f\n", name, epoch + 1,
                 t.train_loss.back(), mae);
  }
  return t;
}

std::map<std::string, std::string> export_cnn(Cnn& net, int size, const std::string& path) {
  std::vector<engine::ConvWeights> convs;
  for (auto& c : net->convs) {
    engine::ConvWeights w;
    w.in = std::size_t(c->weight.size(1));
    w.out = std::size_t(c->weight.size(0));
    w.weight = to_vector(c->weight);
    w.bias = to_vector(c->bias);
    convs.push_back(std::move(w));
  }
  std::vector<engine::DenseWeights> dense;
  for (auto* l : {&net->fc1, &net->fc2}) {
    engine::DenseWeights d;
    d.in = std::size_t((*l)->weight.size(1));
    d.out = std::size_t((*l)->weight.size(0));
    d.relu = l == &net->fc1;
    d.weight = to_vector((*l)->weight);
    d.bias = to_vector((*l)->bias);
    dense.push_back(std::move(d));
  }
  return engine::write_tfjs_cnn(path, std::size_t(size), std::size_t(size), 3, convs, dense, true,
                                "semblend_train_appearance");
}

// The engine's output for the first `n` held-out crops against libtorch's.
double engine_difference(const std::string& path, const torch::Tensor& x,
                         const torch::Tensor& torch_out, int n) {
  Model m = Model::load(path);
  double worst = 0;
  for (int i = 0; i < n; ++i) {
    const std::vector<float> in = to_vector(x[i]);
    const std::vector<Tensor> out = m.run(in);
    for (int k = 0; k < 2; ++k)
      worst = std::max(
          worst, std::fabs(double(out[0].data[std::size_t(k)]) - torch_out[i][k].item<double>()));
  }
  return worst;
}

std::string json_list(const std::vector<double>& v) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  return s.str() + "]";
}

int run(const Args& a) {
  torch::manual_seed(a.seed);
  torch::set_num_threads(1);
  const auto t0 = std::chrono::steady_clock::now();
  auto seconds = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  };
  const Solver solver = Solver::load_default();
  AppearanceRenderOptions ro;
  ro.seed = a.seed;
  ro.identities = a.identities;
  ro.stylised_fraction = 0.25f;  // cartoon-like proportions too: big eyes, full cheeks
  std::fprintf(stderr, "rendering %d training samples...\n", a.samples);
  Data train_data = generate(ro, a.samples, a.render_threads, solver, true);
  AppearanceRenderOptions vo = ro;
  vo.seed = a.seed + 1000;  // held-out identities, expressions, looks
  std::fprintf(stderr, "rendering %d held-out samples...\n", a.validation);
  Data val = generate(vo, a.validation, a.render_threads, solver, false);
  std::fprintf(stderr, "data: %d of %d and %d of %d renders detected (%.0f s)\n", train_data.n,
               train_data.rendered, val.n, val.rendered, seconds());

  const torch::Tensor ex = images(train_data.eyes, 2 * train_data.n, kEyeCropSize);
  const torch::Tensor ey = torch::from_blob(train_data.eye_y.data(), {2 * train_data.n, 2});
  const torch::Tensor lx = images(train_data.lower, train_data.n, kLowerFaceCropSize);
  const torch::Tensor ly = torch::from_blob(train_data.lower_y.data(), {train_data.n, 2});
  const torch::Tensor vex = images(val.eyes, 2 * val.n, kEyeCropSize);
  const torch::Tensor vey = torch::from_blob(val.eye_y.data(), {2 * val.n, 2});
  const torch::Tensor vlx = images(val.lower, val.n, kLowerFaceCropSize);
  const torch::Tensor vly = torch::from_blob(val.lower_y.data(), {val.n, 2});

  Cnn eye(kEyeCropSize, std::vector<int>{16, 32, 64}, 64);
  Cnn lower(kLowerFaceCropSize, std::vector<int>{16, 32, 64, 64}, 64);
  const Trained te = train(eye, ex, ey, vex, vey, a, "eye");
  const Trained tl = train(lower, lx, ly, vlx, vly, a, "lower face");

  // The tongue gate: the 5th percentile of the lips' parting with the tongue out (truth >= 0.3)
  // on the training renders.
  AppearanceFusion fusion;
  {
    std::vector<float> parting;
    for (int i = 0; i < train_data.n; ++i)
      if (train_data.truth[std::size_t(i) * 6 + 4] >= 0.3f)
        parting.push_back(train_data.parting[std::size_t(i)]);
    std::sort(parting.begin(), parting.end());
    fusion.tongue_lip_parting = parting.empty() ? 0.0f : parting[parting.size() / 20];
    std::fprintf(stderr, "tongue gate: lips parted by %.3f of the mouth's width (%zu samples)\n",
                 double(fusion.tongue_lip_parting), parting.size());
  }
  // Held-out predictions in kAppearanceShapes order (the tongue gated), then the fusion weight
  // per shape.
  const torch::Tensor pe = te.heldout.reshape({val.n, 4});
  torch::Tensor lower_out = tl.heldout.clone();
  for (int i = 0; i < val.n; ++i)
    lower_out[i][0] *= tongue_gate(val.parting[std::size_t(i)], fusion.tongue_lip_parting);
  const torch::Tensor app = torch::cat({pe, lower_out}, 1);  // N×6
  const torch::Tensor truth = torch::from_blob(val.truth.data(), {val.n, 6});
  const torch::Tensor geo = torch::from_blob(val.geometry.data(), {val.n, 6});
  fusion.heldout_samples = val.n;
  fusion.generated_by = "semblend_train_appearance --seed " + std::to_string(a.seed) +
                        " --samples " + std::to_string(a.samples) + " --epochs " +
                        std::to_string(a.epochs);
  std::ostringstream shapes_json;
  for (std::size_t k = 0; k < kAppearanceShapeCount; ++k) {
    const std::int64_t kk = std::int64_t(k);
    float best_w = 0;
    double best = 1e9;
    for (int step = 0; step <= 20; ++step) {
      const float w = 0.05f * float(step);
      const double e = (w * app.select(1, kk) + (1 - w) * geo.select(1, kk) - truth.select(1, kk))
                           .abs()
                           .mean()
                           .item<double>();
      if (e < best - 1e-9) best = e, best_w = w;
    }
    fusion.weights[k] = best_w;
    fusion.geometry_mae[k] = (geo.select(1, kk) - truth.select(1, kk)).abs().mean().item<float>();
    fusion.appearance_mae[k] = (app.select(1, kk) - truth.select(1, kk)).abs().mean().item<float>();
    fusion.fused_mae[k] = float(best);
    const std::string name(info(kAppearanceShapes[k]).apple_name);
    std::fprintf(stderr,
                 "  %-14s held-out MAE: geometry %.4f, appearance %.4f, fused %.4f (w %.2f)\n",
                 name.c_str(), fusion.geometry_mae[k], fusion.appearance_mae[k], best, best_w);
    shapes_json << (k ? ", " : "") << "{\"shape\": \"" << name << "\", \"weight\": " << best_w
                << ", \"geometry_mae\": " << fusion.geometry_mae[k]
                << ", \"appearance_mae\": " << fusion.appearance_mae[k]
                << ", \"fused_mae\": " << best << "}";
  }

  std::filesystem::create_directories(a.out);
  const std::filesystem::path dir(a.out);
  std::map<std::string, std::string> sums =
      export_cnn(eye, kEyeCropSize, (dir / "eye.json").string());
  for (const auto& kv : export_cnn(lower, kLowerFaceCropSize, (dir / "lower_face.json").string()))
    sums.insert(kv);
  const std::string fusion_text = appearance_fusion_json(fusion);
  write_file_atomic((dir / "fusion.json").string(), fusion_text);
  sums["fusion.json"] = sha256_hex(fusion_text);
  std::string sum_text;
  for (const auto& [file, sum] : sums) sum_text += sum + "  " + file + "\n";
  write_file_atomic((dir / "appearance.sha256").string(), sum_text);

  const double eye_diff = engine_difference((dir / "eye.json").string(), vex, te.heldout, 16);
  const double lower_diff =
      engine_difference((dir / "lower_face.json").string(), vlx, tl.heldout, 16);
  std::fprintf(stderr,
               "engine vs libtorch on held-out crops: max |difference| %.2g (eye), %.2g "
               "(lower face)\n",
               eye_diff, lower_diff);
  if (eye_diff > 1e-3 || lower_diff > 1e-3) {
    std::fprintf(stderr, "error: the exported nets disagree with libtorch\n");
    return 1;
  }
  std::ostringstream report;
  report << "{\n \"format\": \"semblend.appearance_training\",\n \"seed\": " << a.seed
         << ",\n \"samples\": " << a.samples << ",\n \"detected\": " << train_data.n
         << ",\n \"heldout\": " << val.n << ",\n \"epochs\": " << a.epochs
         << ",\n \"eye\": {\"train_loss\": " << json_list(te.train_loss)
         << ", \"heldout_mae\": " << json_list(te.heldout_mae)
         << "},\n \"lower_face\": {\"train_loss\": " << json_list(tl.train_loss)
         << ", \"heldout_mae\": " << json_list(tl.heldout_mae) << "},\n \"shapes\": ["
         << shapes_json.str()
         << "],\n \"engine_max_difference\": " << std::max(eye_diff, lower_diff)
         << ",\n \"seconds\": " << seconds() << "\n}\n";
  write_file_atomic(a.report, report.str());
  std::fprintf(stderr, "wrote %s (%.0f s)\n", a.out.c_str(), seconds());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::optional<Args> args = parse(argc, argv);
    return args ? run(*args) : 0;
  } catch (const std::exception& e) {
    std::cerr << "semblend_train_appearance: " << e.what() << "\n";
    return 2;
  }
}
