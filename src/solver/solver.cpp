// The solver (solver.h): normalisation, the weights file and the MLP's inference (Eigen).
#include "semblend/solver.h"

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <stdexcept>

#include "core/sha256.h"
#include "semblend/error.h"
#include "semblend/face_model.h"
#include "semblend/file_io.h"

namespace semblend {
namespace {

constexpr char kMagic[8] = {'S', 'B', 'S', 'O', 'L', 'V', 'R', '1'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kMaxLayers = 16, kMaxWidth = 8192;

using RowMatrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

struct Layer {
  RowMatrix w;
  Eigen::VectorXf b;
  bool relu = false;
};

class Reader {
 public:
  Reader(const std::string& bytes, const std::string& path) : bytes_(bytes), path_(path) {}
  void read(void* dst, std::size_t n) {
    if (pos_ + n > bytes_.size())
      throw InputError(path_, 0, 0,
                       "truncated solver weights: needs " + std::to_string(pos_ + n) +
                           " bytes, the file has " + std::to_string(bytes_.size()));
    std::memcpy(dst, bytes_.data() + pos_, n);
    pos_ += n;
  }
  std::uint32_t u32() {
    std::uint32_t v = 0;
    read(&v, 4);
    return v;
  }
  void floats(float* dst, std::size_t n) {
    read(dst, n * sizeof(float));
    for (std::size_t i = 0; i < n; ++i)
      if (!std::isfinite(dst[i])) throw InputError(path_, 0, 0, "non-finite value in the weights");
  }
  bool done() const { return pos_ == bytes_.size(); }

 private:
  const std::string& bytes_;
  const std::string& path_;
  std::size_t pos_ = 0;
};

void put_u32(std::string& s, std::uint32_t v) {
  s.append(reinterpret_cast<const char*>(&v), 4);
}
void put_floats(std::string& s, std::span<const float> v) {
  s.append(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(float));
}

}  // namespace

std::vector<float> solver_input(const std::array<Point3, kLandmarkCount>& landmarks) {
  for (const Point3& p : landmarks)
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z))
      throw std::invalid_argument("solver input: non-finite landmark");
  const FaceShape& neutral = neutral_face();
  const FaceShape face = to_face_axes(landmarks);
  const RigidFit fit = fit_rigid(neutral, face);
  if (!(fit.scale > 0)) throw std::invalid_argument("solver input: degenerate landmarks");
  const auto& R = fit.rotation;  // face frame -> observed; its transpose maps back
  std::vector<float> out(kSolverInputSize);
  const float inv = 1.0f / fit.scale;
  for (std::size_t i = 0; i < kLandmarkCount; ++i) {
    const float dx = face[i].x - fit.translation.x, dy = face[i].y - fit.translation.y,
                dz = face[i].z - fit.translation.z;
    const float fx = (R[0] * dx + R[3] * dy + R[6] * dz) * inv;
    const float fy = (R[1] * dx + R[4] * dy + R[7] * dz) * inv;
    const float fz = (R[2] * dx + R[5] * dy + R[8] * dz) * inv;
    out[3 * i] = fx - neutral[i].x;
    out[3 * i + 1] = fy - neutral[i].y;
    out[3 * i + 2] = fz - neutral[i].z;
  }
  return out;
}

struct Solver::Impl {
  Eigen::VectorXf mean, inv_std;
  std::vector<Layer> layers;
};

Solver::Solver(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Solver::Solver(Solver&&) noexcept = default;
Solver& Solver::operator=(Solver&&) noexcept = default;
Solver::~Solver() = default;

std::string default_solver_model_path() {
  return SEMBLEND_SOLVER_MODEL;
}

Solver Solver::load_default() {
  return load(default_solver_model_path(), SEMBLEND_SOLVER_MODEL_SHA256);
}

Solver Solver::load(const std::string& path, const std::string& sha256) {
  const std::string bytes = read_file(path, std::size_t{64} << 20);
  if (!sha256.empty()) {
    const std::string got = sha256_hex(bytes);
    if (got != sha256)
      throw InputError(path, 0, 0,
                       "checksum mismatch (corrupted or different solver weights): SHA-256 " + got +
                           ", expected " + sha256);
  }
  Reader r(bytes, path);
  char magic[8];
  r.read(magic, 8);
  if (std::memcmp(magic, kMagic, 8) != 0)
    throw InputError(path, 0, 0, "not a semblend solver weights file (bad magic)");
  const std::uint32_t version = r.u32();
  if (version != kVersion)
    throw InputError(path, 0, 0,
                     "solver weights version " + std::to_string(version) + " (this build reads " +
                         std::to_string(kVersion) + ")");
  const std::uint32_t in = r.u32(), n_layers = r.u32();
  if (in != kSolverInputSize)
    throw InputError(
        path, 0, 0,
        "input size " + std::to_string(in) + ", expected " + std::to_string(kSolverInputSize));
  if (n_layers < 1 || n_layers > kMaxLayers)
    throw InputError(path, 0, 0, "bad layer count " + std::to_string(n_layers));
  auto impl = std::make_unique<Impl>();
  impl->mean.resize(in);
  impl->inv_std.resize(in);
  r.floats(impl->mean.data(), in);
  r.floats(impl->inv_std.data(), in);
  for (Eigen::Index i = 0; i < impl->inv_std.size(); ++i) {
    if (!(impl->inv_std[i] > 0)) throw InputError(path, 0, 0, "non-positive input deviation");
    impl->inv_std[i] = 1.0f / impl->inv_std[i];
  }
  std::uint32_t prev = in;
  for (std::uint32_t l = 0; l < n_layers; ++l) {
    const std::uint32_t out = r.u32(), lin = r.u32(), act = r.u32();
    if (lin != prev || out < 1 || out > kMaxWidth || act > 1)
      throw InputError(path, 0, 0,
                       "layer " + std::to_string(l) + ": shape " + std::to_string(out) + "x" +
                           std::to_string(lin) + " activation " + std::to_string(act) +
                           " does not follow the previous layer (" + std::to_string(prev) + ")");
    Layer layer;
    layer.w.resize(out, lin);
    layer.b.resize(out);
    layer.relu = act == 1;
    r.floats(layer.w.data(), std::size_t(out) * lin);
    r.floats(layer.b.data(), out);
    impl->layers.push_back(std::move(layer));
    prev = out;
  }
  if (prev != kSolverOutputSize)
    throw InputError(
        path, 0, 0,
        "output size " + std::to_string(prev) + ", expected " + std::to_string(kSolverOutputSize));
  if (impl->layers.back().relu) throw InputError(path, 0, 0, "the output layer must be linear");
  if (!r.done()) throw InputError(path, 0, 0, "trailing bytes after the last layer");
  return Solver(std::move(impl));
}

std::vector<float> Solver::run(std::span<const float> input) const {
  if (input.size() != kSolverInputSize)
    throw std::invalid_argument("solver: input has " + std::to_string(input.size()) +
                                " values, expected " + std::to_string(kSolverInputSize));
  Eigen::VectorXf x =
      (Eigen::Map<const Eigen::VectorXf>(input.data(), Eigen::Index(input.size())) - impl_->mean)
          .cwiseProduct(impl_->inv_std);
  for (const Layer& l : impl_->layers) {
    Eigen::VectorXf y = l.w * x + l.b;
    if (l.relu) y = y.cwiseMax(0.0f);
    x = std::move(y);
  }
  return std::vector<float>(x.data(), x.data() + x.size());
}

SolverResult Solver::solve(const std::array<Point3, kLandmarkCount>& landmarks) const {
  const std::vector<float> in = solver_input(landmarks);
  const std::vector<float> y = run(in);
  SolverResult res;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    res.coefficients.set_at(k, 1.0f / (1.0f + std::exp(-y[k])));
  for (std::size_t c = 0; c < kSemanticChannelCount; ++c) {
    const float* logits = y.data() + kBlendshapeCount + c * kIntensityCount;
    std::size_t best = 0;
    for (std::size_t b = 1; b < kIntensityCount; ++b)
      if (logits[b] > logits[best]) best = b;
    res.bins[c] = static_cast<Intensity>(best);
  }
  const float* cat = y.data() + kBlendshapeCount + kSemanticChannelCount * kIntensityCount;
  std::size_t best = 0;
  for (std::size_t k = 1; k < kCategoryCount; ++k)
    if (cat[k] > cat[best]) best = k;
  res.category = static_cast<Category>(best);
  // The fit residual, for confidence.
  const RigidFit fit = fit_rigid(neutral_face(), to_face_axes(landmarks));
  res.fit_rms_cm = fit.scale > 0 ? fit.rms_error / fit.scale : 0;
  return res;
}

void write_solver_model(const std::string& path, std::span<const float> input_mean,
                        std::span<const float> input_std, const std::vector<DenseLayer>& layers) {
  if (input_mean.size() != kSolverInputSize || input_std.size() != kSolverInputSize)
    throw std::invalid_argument("solver export: input statistics must have 1434 values");
  std::string s(kMagic, 8);
  put_u32(s, kVersion);
  put_u32(s, std::uint32_t(kSolverInputSize));
  put_u32(s, std::uint32_t(layers.size()));
  put_floats(s, input_mean);
  put_floats(s, input_std);
  for (const DenseLayer& l : layers) {
    if (l.weight.size() != std::size_t(l.out) * std::size_t(l.in) ||
        l.bias.size() != std::size_t(l.out))
      throw std::invalid_argument("solver export: layer sizes do not match");
    put_u32(s, std::uint32_t(l.out));
    put_u32(s, std::uint32_t(l.in));
    put_u32(s, l.relu ? 1u : 0u);
    put_floats(s, l.weight);
    put_floats(s, l.bias);
  }
  write_file_atomic(path, s);
}

}  // namespace semblend
