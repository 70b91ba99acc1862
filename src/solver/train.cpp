// semblend_train — trains the solver's MLP (solver.h) with libtorch on synthetic landmarks
// (synth.h) and on landmarks the landmarker found in rig renders, and exports it to the engine's
// format (a TF.js graph model). With train_appearance.cpp the only files that include
// <torch/torch.h>; the library and the CLI never link libtorch.
//
// Usage: semblend_train [-o data/solver/solver.json] [--report data/solver/training_report.json]
//                       [--seed 1] [--samples 600000] [--identities 8000] [--image-samples 60000]
//                       [--image-identities 1000] [--image-readings 3] [--image-weight 1]
//                       [--image-max-yaw 60] [--steps 30000] [--batch 256] [--hidden 256]
//                       [--semantic | --no-semantic] [--ema DECAY] [--noise-scale 1]
//                       [--cache DIR] [--threads 1] [--data-threads 2] [--validation 2000]
//                       [--train-seed S]
// The defaults reproduce the shipped model (docs/solver.md; run with OMP_NUM_THREADS=1).
// Writes the model (solver.json + solver.bin, solver.h write_solver_model) and their sums
// (solver.sha256), checks that the engine's inference of the exported model matches libtorch, and
// writes a JSON report (loss and held-out MAE curves, final metrics). Deterministic for a seed on
// one machine (the data exactly, whatever --data-threads; training on one thread).
#include <torch/torch.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "core/sha256.h"
#include "semblend/appearance.h"
#include "semblend/face_pipeline.h"
#include "semblend/file_io.h"
#include "semblend/landmarker.h"
#include "semblend/semantic.h"
#include "semblend/solver.h"
#include "semblend/synth.h"

namespace {

using namespace semblend;

struct Args {
  std::string out = "data/solver/solver.json";
  std::string report = "data/solver/training_report.json";
  std::uint64_t seed = 1;
  // The network's initial weights and batch order (default: --seed). The data depend on --seed
  // alone, so two runs that differ only here are the same recipe drawn twice: what a measure
  // moves between them is training noise (docs/solver.md, "The same recipe drawn again").
  std::optional<std::uint64_t> train_seed;
  int samples = 600000, steps = 30000, batch = 256, hidden = 256, identities = 8000;
  int validation = 2000;
  bool semantic = false;        // the direct layout ships (docs/solver.md, the ablation)
  int threads = 1;              // two OpenMP threads were 5x slower on the shared 2-core machine
  double ema = 0;               // decay of the weights' exponential moving average (0: off)
  float noise_scale = 1;        // multiplies the landmark noise model's jitter (synth.h)
  int image_samples = 60000;    // training samples through images: rig render -> landmarker
  int image_identities = 1000;  // their identity pool
  int image_readings = 3;       // readings per render: the detection and jittered copies
  double image_weight = 1;      // how often a batch draws an image sample, against a synthetic one
  float image_max_yaw = 60;     // the renders' yaw range (±, degrees; the synthetic data's: 45)
  std::string cache;            // folder keeping generated image samples between runs ("" = none)
  int data_threads = 2;         // threads generating the data (the result does not depend on them)
};

// The whole of `text` as a T, or std::invalid_argument naming argument `key` (std::stoi alone
// says only "stoi", and reads "12abc" as 12).
template <class T>
T number(const std::string& key, const std::string& text) {
  T x{};
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, x);
  if (ec != std::errc() || stop != end || text.empty())
    throw std::invalid_argument(key + ": \"" + text + "\" is not a number");
  return x;
}

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
      a.seed = number<unsigned long long>(k, value());
    else if (k == "--train-seed")
      a.train_seed = number<unsigned long long>(k, value());
    else if (k == "--samples")
      a.samples = number<int>(k, value());
    else if (k == "--steps")
      a.steps = number<int>(k, value());
    else if (k == "--batch")
      a.batch = number<int>(k, value());
    else if (k == "--hidden")
      a.hidden = number<int>(k, value());
    else if (k == "--identities")
      a.identities = number<int>(k, value());
    else if (k == "--validation")
      a.validation = number<int>(k, value());
    else if (k == "--threads")
      a.threads = number<int>(k, value());
    else if (k == "--no-semantic")
      a.semantic = false;
    else if (k == "--semantic")
      a.semantic = true;
    else if (k == "--ema")
      a.ema = number<double>(k, value());
    else if (k == "--noise-scale")
      a.noise_scale = number<float>(k, value());
    else if (k == "--image-samples")
      a.image_samples = number<int>(k, value());
    else if (k == "--image-identities")
      a.image_identities = number<int>(k, value());
    else if (k == "--image-readings")
      a.image_readings = number<int>(k, value());
    else if (k == "--image-weight")
      a.image_weight = number<double>(k, value());
    else if (k == "--image-max-yaw")
      a.image_max_yaw = number<float>(k, value());
    else if (k == "--cache")
      a.cache = value();
    else if (k == "--data-threads")
      a.data_threads = number<int>(k, value());
    else
      throw std::invalid_argument("unknown argument " + k);
  }
  if (a.samples < a.batch || a.steps < 1 || a.batch < 1 || a.hidden < 8 || a.validation < 1 ||
      a.image_samples < 0 || a.image_identities < 1 || a.data_threads < 1 || a.image_readings < 1 ||
      a.image_readings > kMaxStillImageReadings || !(a.ema >= 0 && a.ema < 1) ||
      !(a.image_weight > 0 && a.image_weight <= 100) ||
      !(a.image_max_yaw >= 0 && a.image_max_yaw <= 80))
    throw std::invalid_argument("bad sizes");
  return a;
}

struct Data {
  torch::Tensor x, y, bins, category;  // float N×1434, float N×52, long N×52, long N
};

// Training samples of one item: each a reading of its landmarks as the landmarker reports them,
// and the item's true coefficients (none: a render the landmarker missed).
struct Samples {
  std::vector<std::array<Point3, kLandmarkCount>> readings;
  Coefficients truth;
};

// Fills `items` × `per_item` rows with `threads` workers; make(t) gives worker t a function that
// returns item i's samples (at most per_item readings). Rows without a sample are dropped, so the
// result depends only on the samples, not on the threads.
template <typename MakeSampler>
Data fill(int items, int per_item, int threads, MakeSampler make) {
  const int n = items * per_item;
  // Written in place into the tensors (the inputs of a large run are GBs: no second copy).
  Data d;
  d.x = torch::empty({n, std::int64_t(kSolverInputSize)});
  d.y = torch::empty({n, std::int64_t(kBlendshapeCount)});
  d.bins = torch::empty({n, std::int64_t(kBlendshapeCount)}, torch::kLong);
  d.category = torch::empty({n}, torch::kLong);
  float* x = d.x.data_ptr<float>();
  float* y = d.y.data_ptr<float>();
  std::int64_t* bins = d.bins.data_ptr<std::int64_t>();
  std::int64_t* cat = d.category.data_ptr<std::int64_t>();
  std::vector<char> present(static_cast<std::size_t>(n), 0);
  auto work = [&](int t) {
    auto sample = make(t);
    for (int item = t; item < items; item += threads) {
      const Samples s = sample(item);
      const SemanticTokens tok = tokens_of(describe(s.truth));
      for (std::size_t r = 0; r < std::min(s.readings.size(), std::size_t(per_item)); ++r) {
        const std::size_t i = std::size_t(item) * std::size_t(per_item) + r;
        present[i] = 1;
        const std::vector<float> in = solver_input(s.readings[r]);
        std::copy(in.begin(), in.end(), x + std::ptrdiff_t(i) * std::ptrdiff_t(kSolverInputSize));
        for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
          y[i * kBlendshapeCount + k] = s.truth.at(k);
          // The channel's FACS band (semantic_types.h); channel k is blendshape k.
          bins[i * kBlendshapeCount + k] = std::int64_t(tok.bins[k]);
        }
        cat[i] = std::int64_t(tok.category);
      }
    }
  };
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) pool.emplace_back(work, t);
  for (auto& th : pool) th.join();
  std::vector<std::int64_t> keep;
  for (int i = 0; i < n; ++i)
    if (present[std::size_t(i)]) keep.push_back(i);
  if (std::int64_t(keep.size()) == n) return d;
  const torch::Tensor rows = torch::tensor(keep, torch::kLong);
  return {d.x.index_select(0, rows), d.y.index_select(0, rows), d.bins.index_select(0, rows),
          d.category.index_select(0, rows)};
}

Data generate(const SynthGenerator& gen, std::uint64_t first, int n, int threads) {
  return fill(n, 1, threads, [&](int) {
    return [&](int i) -> Samples {
      const SynthSample s = gen.sample(first + std::uint64_t(i));
      return {{s.landmarks}, s.coefficients};
    };
  });
}

// Samples through images: a varied rig render (appearance.h AppearanceRenderer: colours, lights,
// lashes, blur, noise, JPEG) run through the landmarker, so that the solver also learns the
// landmarker's own errors rather than only the noise model's linear account of them.
// With `readings` > 1 each render is also read on readings − 1 jittered copies around the face
// (face_pipeline.h still_image_jitter, as `semblend image` reads a photo; the copies' seed is the
// render's), each a sample with the same truth: the landmarker's crop-to-crop wobble is then
// seen to leave the expression unchanged.
Data generate_images(const AppearanceRenderer& renderer, int n, int readings, int threads) {
  return fill(n, readings, threads, [&](int) {
    auto landmarker = std::make_shared<FaceLandmarker>(FaceLandmarker::create());
    return [&renderer, landmarker, readings](int i) -> Samples {
      const AppearanceRender r = renderer.render(std::uint64_t(i));
      landmarker->reset();
      const std::vector<FaceLandmarks> faces = landmarker->detect(r.image);
      Samples s{{}, r.frame.coefficients};
      if (faces.empty()) return s;
      s.readings.push_back(faces[0].points);
      if (readings > 1) {
        JitterOptions jitter = still_image_jitter(readings);
        jitter.seed = std::uint64_t(i) + 1;
        for (const auto& p : detect_jittered(*landmarker, r.image, faces[0], jitter))
          s.readings.push_back(p);
      }
      return s;
    };
  });
}

Data concat(const Data& a, const Data& b) {
  return {torch::cat({a.x, b.x}), torch::cat({a.y, b.y}), torch::cat({a.bins, b.bins}),
          torch::cat({a.category, b.category})};
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

// dst's weights become decay · dst + (1 − decay) · src (decay 0: a copy of src).
void average_into(NetImpl& dst, NetImpl& src, double decay) {
  torch::NoGradGuard ng;
  const auto from = src.parameters();
  const auto to = dst.parameters();
  for (std::size_t i = 0; i < from.size(); ++i) to[i].mul_(decay).add_(from[i], 1 - decay);
}

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
  so.noise_scale = a.noise_scale;
  SynthOptions vo = so;
  vo.seed = a.seed + 1000;  // a different identity pool: held-out identities
  vo.identities = 50;
  vo.noise_scale = 1;  // held out as the landmarker is modelled
  // The generators hold their identities' rigs (~1 MB each): they go once the data is made.
  Data train = generate(SynthGenerator::create(so), 0, a.samples, a.data_threads);
  const Data val = generate(SynthGenerator::create(vo), 0, a.validation, a.data_threads);
  std::fprintf(stderr, "%d + %d samples generated in %.1f s\n", a.samples, a.validation, seconds());
  std::int64_t image_rows = 0;  // the samples through images, after the synthetic ones
  if (a.image_samples > 0) {
    AppearanceRenderOptions ro;
    ro.seed = a.seed + 2000;  // identities of their own, none of them held out elsewhere
    ro.identities = a.image_identities;
    ro.size = 384;
    ro.boost = false;
    ro.max_yaw_deg = a.image_max_yaw;
    ro.max_pitch_deg = so.max_pitch_deg;
    ro.max_roll_deg = so.max_roll_deg;
    // They take most of the data's time (~25 ms each), and depend only on these values and on
    // the renderer and landmarker: a cache lets training variants share them (it is named by the
    // values alone, so clear it after changing the renderer or the landmarker).
    const std::string key =
        "images_seed" + std::to_string(ro.seed) + "_n" + std::to_string(a.image_samples) + "_ids" +
        std::to_string(ro.identities) + "_" + std::to_string(ro.size) +
        (a.image_readings > 1 ? "_r" + std::to_string(a.image_readings) : "") +
        (a.image_max_yaw != so.max_yaw_deg ? "_yaw" + std::to_string(int(a.image_max_yaw)) : "") +
        ".pt";
    const std::filesystem::path cached =
        a.cache.empty() ? std::filesystem::path() : std::filesystem::path(a.cache) / key;
    Data images;
    if (!cached.empty() && std::filesystem::exists(cached)) {
      std::vector<torch::Tensor> t;
      torch::load(t, cached.string());
      if (t.size() != 4) throw std::runtime_error(cached.string() + ": not an image-sample cache");
      images = {t[0], t[1], t[2], t[3]};
      std::fprintf(stderr, "image samples read from %s\n", cached.string().c_str());
    } else {
      images = generate_images(AppearanceRenderer::create(ro), a.image_samples, a.image_readings,
                               a.data_threads);
      if (!cached.empty()) {
        std::filesystem::create_directories(cached.parent_path());
        const std::string tmp = cached.string() + ".tmp";
        torch::save(std::vector<torch::Tensor>{images.x, images.y, images.bins, images.category},
                    tmp);
        std::filesystem::rename(tmp, cached);
      }
    }
    std::fprintf(stderr, "%d renders read %d times: %d image samples with a face found, %.1f s\n",
                 a.image_samples, a.image_readings, int(images.x.size(0)), seconds());
    image_rows = images.x.size(0);
    train = concat(train, images);
  }

  const torch::Tensor mean = train.x.mean(0);
  const torch::Tensor stdev = train.x.std(0).clamp_min(1e-3);
  // Standardised in place: the raw training inputs are not needed again (a copy would be GBs).
  const torch::Tensor xs = train.x.sub_(mean).div_(stdev), vxs = (val.x - mean) / stdev;

  // Nothing before this point draws from torch's generator, so with the default the network
  // starts exactly as it did when --seed seeded it alone.
  torch::manual_seed(a.train_seed.value_or(a.seed));
  Net trained(a.hidden, a.semantic);
  const Bands bands;
  torch::optim::Adam opt(trained->parameters(), torch::optim::AdamOptions(1e-3));
  // With --ema, the held-out curve and the export use the weights' exponential moving average
  // (Polyak averaging), which smooths the last steps' noise; without it they use `trained`.
  Net averaged(a.hidden, a.semantic);
  average_into(*averaged, *trained, 0);  // starts as a copy
  Net& net = a.ema > 0 ? averaged : trained;
  std::ostringstream curve;
  curve << "[";
  double last_val = 0, last_bin_acc = 0;
  const std::int64_t N = train.x.size(0);
  // With --image-weight W a batch holds the image samples' share W·images / (synthetic +
  // W·images) of its rows, drawn uniformly from them, the rest uniformly from the synthetic ones;
  // with W = 1 its rows are drawn uniformly from all (as the shipped model was trained).
  const std::int64_t synthetic_rows = N - image_rows;
  const bool weighted = a.image_weight != 1 && image_rows > 0;
  const std::int64_t image_batch =
      !weighted ? 0
                : std::int64_t(
                      std::lround(double(a.batch) * a.image_weight * double(image_rows) /
                                  (double(synthetic_rows) + a.image_weight * double(image_rows))));
  for (int step = 1; step <= a.steps; ++step) {
    // Cosine learning-rate decay to 2% of the start.
    const double lr = 1e-3 * (0.02 + 0.98 * 0.5 * (1 + std::cos(kPi * step / a.steps)));
    for (auto& g : opt.param_groups()) static_cast<torch::optim::AdamOptions&>(g.options()).lr(lr);
    const torch::Tensor idx =
        !weighted ? torch::randint(N, {a.batch}, torch::kLong)
                  : torch::cat(
                        {torch::randint(synthetic_rows, {a.batch - image_batch}, torch::kLong),
                         synthetic_rows + torch::randint(image_rows, {image_batch}, torch::kLong)});
    trained->train();
    const Losses l = losses(trained->forward(xs.index_select(0, idx)), train.y.index_select(0, idx),
                            train.bins.index_select(0, idx), train.category.index_select(0, idx),
                            a.semantic, bands);
    opt.zero_grad();
    l.total.backward();
    opt.step();
    if (a.ema > 0) {
      // The decay ramps up over the first steps so that the average forgets the initialisation.
      average_into(*averaged, *trained, std::min(a.ema, (1.0 + step) / (10.0 + step)));
    }
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
      << " --identities " << a.identities << (a.semantic ? " --semantic" : " --no-semantic");
  if (a.train_seed) rep << " --train-seed " << *a.train_seed;
  if (a.ema > 0) rep << " --ema " << a.ema;
  if (a.noise_scale != 1) rep << " --noise-scale " << a.noise_scale;
  rep << " --image-samples " << a.image_samples;
  if (a.image_samples > 0)
    rep << " --image-identities " << a.image_identities << " --image-readings " << a.image_readings
        << " --image-max-yaw " << a.image_max_yaw;
  if (a.image_weight != 1) rep << " --image-weight " << a.image_weight;
  rep << "\",\n"
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
  Args args;
  try {  // a bad argument is a usage error (exit 2), as in the semblend command line
    args = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "semblend_train: " << e.what() << " (docs/solver.md, \"Model and training\")\n";
    return 2;
  }
  try {
    return run(args);
  } catch (const std::exception& e) {
    std::cerr << "semblend_train: " << e.what() << "\n";
    return 1;
  }
}
