// The Bradley–Terry ideal-point reward model in the rendered rig's landmark metric, and the
// anchored correction (prefs_learn.h).
#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <Eigen/LU>
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "semblend/prefs_learn.h"
#include "semblend/rig.h"

namespace semblend::prefs {

namespace {

constexpr std::size_t K = kBlendshapeCount;
constexpr double kSeen = 1e-9;  // |M (a − b)|_k above this: the shape "sees" the pair

using Metric = Eigen::Matrix<double, K, K>;
using Vec = Eigen::Matrix<double, K, 1>;

// M_R = JᵀJ over the region's landmarks (cm² per unit²), on the default rig (what is rendered).
const std::array<Metric, kComparisonRegionCount>& metrics() {
  static const std::array<Metric, kComparisonRegionCount> m = [] {
    std::array<Metric, kComparisonRegionCount> out;
    const Rig& rig = default_rig();
    for (std::size_t r = 0; r < kComparisonRegionCount; ++r) {
      out[r].setZero();
      for (std::size_t i : region_landmarks(r))
        for (std::size_t a = 0; a < K; ++a)
          for (std::size_t b = 0; b < K; ++b) {
            const Point3 &p = rig.deltas[a][i], &q = rig.deltas[b][i];
            out[r](Eigen::Index(a), Eigen::Index(b)) +=
                double(p.x) * q.x + double(p.y) * q.y + double(p.z) * q.z;
          }
    }
    return out;
  }();
  return m;
}

Vec vec(const Coefficients& c) {
  Vec v;
  for (std::size_t k = 0; k < K; ++k) v[Eigen::Index(k)] = c.at(k);
  return v;
}

double sigmoid(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

double log_loss(double z, double y) {  // −[y log σ(z) + (1−y) log σ(−z)], stably
  return std::log1p(std::exp(-std::abs(z))) + std::max(z, 0.0) - y * z;
}

// One comparison in the terms of the fit: z = w (z0 + 2 eᵀ(t − p)).
struct Row {
  std::size_t region = 0;
  Vec p, e;  // base, M (a − b)
  double z0 = 0, y = 0.5, weight = 1;
};

// Parameter layout over the shapes with evidence: (α_k, β_k), then cross terms of k's region.
struct Layout {
  std::array<int, K> base{};
  std::array<std::vector<std::pair<int, int>>, K> cross;  // (source j, index)
  int size = 0;
};

Layout make_layout(const std::array<int, K>& evidence, bool cross_terms) {
  Layout l;
  l.base.fill(-1);
  for (std::size_t k = 0; k < K; ++k) {
    if (evidence[k] == 0) continue;
    l.base[k] = l.size;
    l.size += 2;
    if (!cross_terms) continue;
    for (std::size_t j = 0; j < K; ++j)
      if (j != k && fine_region_of(blendshape_at(j)) == fine_region_of(blendshape_at(k)))
        l.cross[k].push_back({int(j), l.size++});
  }
  return l;
}

// t − p for the parameter vector `th` (α, β, N) at base p, with t clamped to [0, 1] as every
// coefficient is (`free`, when given, says which shapes were inside: only they move with θ).
// Fitting the unclamped line instead lets an antagonist pair (eyeLookIn/Out, mouthLeft/Right)
// explain a sideways shift with one shape going negative, which clamping then undoes.
Vec shift(const Layout& l, const Eigen::VectorXd& th, const Vec& p,
          std::array<bool, K>* free = nullptr) {
  Vec d = Vec::Zero();
  for (std::size_t k = 0; k < K; ++k) {
    const int i = l.base[k];
    const auto q = Eigen::Index(k);
    if (free) (*free)[k] = false;
    if (i < 0) continue;
    double v = th[i] * p[q] + th[i + 1];
    for (const auto& [j, idx] : l.cross[k]) v += th[idx] * p[j];
    const double t = std::clamp(p[q] + v, 0.0, 1.0);
    if (free) (*free)[k] = t == p[q] + v;
    d[q] = t - p[q];
  }
  return d;
}

// The ideal point's parameters for fixed sharpness: Newton on the anchored logistic loss of the
// clamped model, linearised at each step over the shapes inside [0, 1] (an active set):
// z = w (z0 + 2 eᵀ(clamp(t) − p)).
void fit_ideal(const Layout& l, const std::vector<Row>& rows,
               const std::array<double, kComparisonRegionCount>& w, const RewardOptions& o,
               Eigen::VectorXd& th) {
  const auto n = Eigen::Index(l.size), m = Eigen::Index(rows.size());
  Eigen::VectorXd pen = Eigen::VectorXd::Zero(n);
  for (std::size_t k = 0; k < K; ++k) {
    const int i = l.base[k];
    if (i < 0) continue;
    pen[i] = pen[i + 1] = o.anchor;
    for (const auto& [j, idx] : l.cross[k]) pen[idx] = o.cross_anchor;
  }
  auto z_of = [&](const Row& r, const Eigen::VectorXd& t, std::array<bool, K>* free) {
    return w[r.region] * (r.z0 + 2 * r.e.dot(shift(l, t, r.p, free)));
  };
  auto value = [&](const Eigen::VectorXd& t) {
    double v = t.dot(pen.cwiseProduct(t));
    for (const Row& r : rows) v += r.weight * log_loss(z_of(r, t, nullptr), r.y);
    return v;
  };
  double current = value(th);
  Eigen::MatrixXd phi(m, n);
  for (int it = 0; it < 20; ++it) {
    phi.setZero();
    Eigen::VectorXd res(m), c(m);
    std::array<bool, K> free{};
    for (Eigen::Index q = 0; q < m; ++q) {
      const Row& r = rows[std::size_t(q)];
      const double wr = w[r.region], z = z_of(r, th, &free);
      for (std::size_t k = 0; k < K; ++k) {
        const int i = l.base[k];
        const double ek = r.e[Eigen::Index(k)];
        if (i < 0 || !free[k] || std::abs(ek) <= kSeen) continue;
        phi(q, i) = 2 * wr * ek * r.p[Eigen::Index(k)];
        phi(q, i + 1) = 2 * wr * ek;
        for (const auto& [j, idx] : l.cross[k]) phi(q, idx) = 2 * wr * ek * r.p[j];
      }
      const double s = sigmoid(z);
      res[q] = r.weight * (s - r.y);
      c[q] = r.weight * s * (1 - s);
    }
    const Eigen::VectorXd g = phi.transpose() * res + 2 * pen.cwiseProduct(th);
    Eigen::MatrixXd h = phi.transpose() * c.asDiagonal() * phi;
    h.diagonal() += 2 * pen;
    const Eigen::VectorXd step = h.ldlt().solve(-g);
    if (!step.allFinite()) break;
    double scale = 1, next = current;
    Eigen::VectorXd trial = th;
    bool moved = false;
    for (int ls = 0; ls < 30; ++ls, scale *= 0.5) {
      trial = th + scale * step;
      next = value(trial);
      if (next <= current + 1e-4 * scale * g.dot(step)) {
        moved = true;
        break;
      }
    }
    if (!moved) break;
    const bool done = current - next < 1e-10 * (1 + std::abs(current));
    th = trial;
    current = next;
    if (done) break;
  }
}

// Per region, the sharpness for a fixed ideal point: 1-D Newton (a small ridge; w >= 0.01).
void fit_sharpness(const Layout& l, const std::vector<Row>& rows, const Eigen::VectorXd& th,
                   std::array<double, kComparisonRegionCount>& w) {
  for (std::size_t region = 0; region < kComparisonRegionCount; ++region) {
    std::vector<std::pair<double, const Row*>> xs;
    for (const Row& r : rows)
      if (r.region == region) xs.push_back({r.z0 + 2 * r.e.dot(shift(l, th, r.p)), &r});
    if (xs.empty()) continue;
    double v = w[region];
    for (int it = 0; it < 30; ++it) {
      double g = 2e-4 * v, h = 2e-4;
      for (const auto& [x, r] : xs) {
        const double s = sigmoid(v * x);
        g += r->weight * (s - r->y) * x;
        h += r->weight * s * (1 - s) * x * x;
      }
      const double next = std::max(0.01, v - g / h);
      if (std::abs(next - v) < 1e-6 * (1 + v)) break;
      v = next;
    }
    w[region] = v;
  }
}

double log_odds(const RewardModel& m, const Comparison& c, const Coefficients& ideal) {
  const std::size_t region = comparison_region_index(c.region);
  const Metric& M = metrics()[region];
  const Vec t = vec(ideal), a = vec(c.a) - t, b = vec(c.b) - t;
  return m.sharpness[region] * (b.dot(M * b) - a.dot(M * a));
}

}  // namespace

std::size_t fine_region_of(Blendshape s) {
  for (std::size_t r = 0; r < kComparisonRegionCount; ++r)
    if (!kComparisonRegions[r].coarse && in_region(kComparisonRegions[r], s)) return r;
  throw std::logic_error("a shape outside every fine comparison region");
}

const std::vector<std::size_t>& region_landmarks(std::size_t region) {
  static const std::vector<std::vector<std::size_t>> sets = [] {
    const Rig& rig = default_rig();
    std::vector<std::vector<std::size_t>> out(kComparisonRegionCount);
    for (std::size_t r = 0; r < kComparisonRegionCount; ++r)
      for (std::size_t i = 0; i < kLandmarkCount; ++i)
        for (std::size_t k = 0; k < K; ++k) {
          if (!in_region(kComparisonRegions[r], blendshape_at(k))) continue;
          const Point3 d = rig.deltas[k][i];
          if (d.x * d.x + d.y * d.y + d.z * d.z > 0.05f * 0.05f) {
            out[r].push_back(i);
            break;
          }
        }
    return out;
  }();
  return sets.at(region);
}

RewardModel fit_reward(const std::vector<Comparison>& data, const RewardOptions& o) {
  if (!(o.anchor > 0) || !(o.cross_anchor > 0) || o.rounds < 1)
    throw std::invalid_argument("fit_reward: anchors must be positive, rounds >= 1");
  RewardModel m;
  std::vector<Row> rows;
  for (const Comparison& c : data) {
    if (!std::isfinite(c.outcome) || c.outcome < 0 || c.outcome > 1)
      throw std::invalid_argument("fit_reward: an outcome outside [0, 1]");
    if (!(c.weight > 0) || (c.outcome == 0.5 && !o.ties)) continue;
    Row r;
    r.region = comparison_region_index(c.region);
    const Metric& M = metrics()[r.region];
    r.p = vec(c.base);
    const Vec a = vec(c.a), b = vec(c.b), da = a - r.p, db = b - r.p;
    r.e = M * (a - b);
    // The question names a region: its answer speaks about that region's shapes only (a jaw
    // judgment must not move mouthClose, which shares the lower lip's landmarks).
    for (std::size_t k = 0; k < K; ++k)
      if (!in_region(kComparisonRegions[r.region], blendshape_at(k))) r.e[Eigen::Index(k)] = 0;
    r.z0 = db.dot(M * db) - da.dot(M * da);
    r.y = c.outcome;
    r.weight = c.weight;
    for (std::size_t k = 0; k < K; ++k)
      if (std::abs(r.e[Eigen::Index(k)]) > kSeen) ++m.evidence[k];
    rows.push_back(r);
  }
  const Layout l = make_layout(m.evidence, o.cross_terms);
  Eigen::VectorXd th = Eigen::VectorXd::Zero(l.size);
  m.sharpness.fill(10.0);
  fit_sharpness(l, rows, th, m.sharpness);  // with the ideal at the prediction
  for (int round = 0; round < o.rounds; ++round) {
    fit_ideal(l, rows, m.sharpness, o, th);
    fit_sharpness(l, rows, th, m.sharpness);
  }
  for (std::size_t k = 0; k < K; ++k) {
    const int i = l.base[k];
    if (i < 0) continue;
    m.alpha[k] = th[i];
    m.beta[k] = th[i + 1];
    for (const auto& [j, idx] : l.cross[k])
      if (std::abs(th[idx]) > 1e-9)
        m.cross.push_back({std::uint8_t(k), std::uint8_t(j), float(th[idx])});
  }
  return m;
}

Coefficients RewardModel::ideal(const Coefficients& base) const {
  return optimise_correction(*this, 0).apply(base);
}

double RewardModel::logit(const Comparison& c) const {
  return log_odds(*this, c, ideal(c.base));
}

Correction optimise_correction(const RewardModel& r, double kl) {
  if (!(kl >= 0)) throw std::invalid_argument("optimise_correction: kl must be >= 0");
  // t − p = A p + β with A = diag(α) + N; per fine region g − p = S (t − p),
  // S = (w M + λ I)⁻¹ w M (the identity at kl = 0).
  Metric A = Metric::Zero();
  Vec beta;
  for (std::size_t k = 0; k < K; ++k) {
    A(Eigen::Index(k), Eigen::Index(k)) = r.alpha[k];
    beta[Eigen::Index(k)] = r.beta[k];
  }
  for (const CrossTerm& x : r.cross) A(x.target, x.source) += x.weight;
  Metric S = Metric::Identity();
  if (kl > 0) {
    S.setZero();
    for (std::size_t region = 0; region < kComparisonRegionCount; ++region) {
      if (kComparisonRegions[region].coarse) continue;
      std::vector<Eigen::Index> idx;
      for (std::size_t k = 0; k < K; ++k)
        if (fine_region_of(blendshape_at(k)) == region) idx.push_back(Eigen::Index(k));
      const auto n = Eigen::Index(idx.size());
      Eigen::MatrixXd m(n, n);
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) m(i, j) = metrics()[region](idx[i], idx[j]);
      const double w = r.sharpness[region];
      const double lambda = kl * w * std::max(m.diagonal().mean(), 1e-9);
      const Eigen::MatrixXd s =
          (w * m + lambda * Eigen::MatrixXd::Identity(n, n)).fullPivLu().solve(w * m);
      for (Eigen::Index i = 0; i < n; ++i)
        for (Eigen::Index j = 0; j < n; ++j) S(idx[i], idx[j]) = s(i, j);
    }
  }
  const Metric G = S * A;
  const Vec offset = S * beta;
  Correction c;
  for (std::size_t k = 0; k < K; ++k) {
    c.gain[k] = float(1 + G(Eigen::Index(k), Eigen::Index(k)));
    c.offset[k] = float(offset[Eigen::Index(k)]);
    for (std::size_t j = 0; j < K; ++j)
      if (j != k && std::abs(G(Eigen::Index(k), Eigen::Index(j))) > 1e-6)
        c.cross.push_back(
            {std::uint8_t(k), std::uint8_t(j), float(G(Eigen::Index(k), Eigen::Index(j)))});
  }
  return c;
}

std::optional<double> reward_agreement(const RewardModel& r, const std::vector<Comparison>& data) {
  double right = 0, total = 0;
  for (const Comparison& c : data) {
    if (c.outcome == 0.5 || !(c.weight > 0)) continue;
    const double z = r.logit(c);
    total += c.weight;
    if (z == 0)
      right += 0.5 * c.weight;
    else if ((z > 0) == (c.outcome > 0.5))
      right += c.weight;
  }
  if (total == 0) return std::nullopt;
  return right / total;
}

std::optional<double> model_agreement(const Correction& m, const std::vector<Comparison>& data,
                                      const RewardModel& sharpness) {
  double right = 0, total = 0;
  for (const Comparison& c : data) {
    if (c.outcome == 0.5 || !(c.weight > 0)) continue;
    const double z = log_odds(sharpness, c, m.apply(c.base));
    total += c.weight;
    right += c.weight * (c.outcome > 0.5 ? sigmoid(z) : sigmoid(-z));
  }
  if (total == 0) return std::nullopt;
  return right / total;
}

namespace {
// An item's place in the split order, 0..9999 (a mixed hash of its id).
std::uint64_t split_key(std::int64_t item) {
  std::uint64_t x = std::uint64_t(item) * 0x9E3779B97F4A7C15ull;
  x ^= x >> 31;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 29;
  return x % 10000;
}
}  // namespace

bool held_out_item(std::int64_t item, double fraction) {
  return double(split_key(item)) < fraction * 10000;
}

std::set<std::int64_t> held_out_items(const std::set<std::int64_t>& items, double fraction) {
  std::set<std::int64_t> out;
  for (std::int64_t i : items)
    if (held_out_item(i, fraction)) out.insert(i);
  if (items.size() < 2 || (!out.empty() && out.size() < items.size())) return out;
  std::vector<std::int64_t> order(items.begin(), items.end());
  std::stable_sort(order.begin(), order.end(),
                   [](std::int64_t a, std::int64_t b) { return split_key(a) < split_key(b); });
  const auto n = order.size();
  const std::size_t k =
      std::clamp<std::size_t>(std::size_t(std::ceil(fraction * double(n))), 1, n - 1);
  return {order.begin(), order.begin() + long(k)};
}

}  // namespace semblend::prefs
