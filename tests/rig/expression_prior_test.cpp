// The expression prior (data/expression_prior.json) and the expression sampler: the committed
// table is what the command derives from the real recording; samples are deterministic, cover all
// 52 shapes, reproduce the recording's co-activations and keep the exclusivity rules.
#include "semblend/expression_prior.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "semblend/error.h"
#include "semblend/formats.h"
#include "test_util.h"

namespace semblend {
namespace {

constexpr std::size_t kN = kBlendshapeCount;

std::string name_of(std::size_t s) {
  return std::string(kBlendshapes[s].apple_name);
}

const Take& recording() {
  static const Take take = read_take(test::shared_data("arkit/livelinkface_alex_rom_3.csv"));
  return take;
}

const ExpressionPrior& derived() {
  static const ExpressionPrior p =
      derive_expression_prior({recording()}, {"livelinkface_alex_rom_3.csv"});
  return p;
}

std::vector<Coefficients> values_of(const std::vector<ExpressionSample>& samples) {
  std::vector<Coefficients> out;
  for (const auto& s : samples) out.push_back(s.coefficients);
  return out;
}

void expect_close(const ShapeMatrix& a, const ShapeMatrix& b, float tol, const char* what) {
  for (std::size_t i = 0; i < kN; ++i)
    for (std::size_t j = 0; j < kN; ++j)
      ASSERT_NEAR(a[i][j], b[i][j], tol) << what << " " << name_of(i) << " / " << name_of(j);
}

TEST(ExpressionPrior, TheCommittedTableIsWhatTheCommandDerives) {
  const ExpressionPrior& d = derived();
  const ExpressionPrior& c = default_expression_prior();
  const char* stale =
      "data/expression_prior.json is stale: rerun semblend derive-prior (docs/rig.md)";
  ASSERT_EQ(d.frames, recording().frames.size());
  EXPECT_EQ(c.frames, d.frames) << stale;
  EXPECT_EQ(c.sources, d.sources) << stale;
  for (std::size_t s = 0; s < kN; ++s) {
    const ShapeStatistics &a = d.shapes[s], &b = c.shapes[s];
    EXPECT_NEAR(a.p_active, b.p_active, 1e-4f) << name_of(s) << ": " << stale;
    EXPECT_NEAR(a.p_covered, b.p_covered, 1e-4f) << name_of(s);
    EXPECT_NEAR(a.mean, b.mean, 1e-4f) << name_of(s);
    EXPECT_NEAR(a.sd, b.sd, 1e-4f) << name_of(s);
    for (std::size_t q = 0; q < 5; ++q)
      EXPECT_NEAR(a.active_quantiles[q], b.active_quantiles[q], 1e-4f) << name_of(s);
    for (std::size_t k = 0; k < kLatentPoints; ++k)
      EXPECT_NEAR(a.value_at_z[k], b.value_at_z[k], 1e-3f) << name_of(s) << " z index " << k;
  }
  expect_close(d.correlation, c.correlation, 1e-3f, "correlation");
  expect_close(d.co_activation, c.co_activation, 1e-3f, "co_activation");
  expect_close(d.latent_correlation, c.latent_correlation, 1e-4f, "latent_correlation");
  ASSERT_EQ(c.exclusive_max_overlap.size(), exclusive_pairs().size());
  for (std::size_t r = 0; r < exclusive_pairs().size(); ++r)
    EXPECT_NEAR(d.exclusive_max_overlap[r], c.exclusive_max_overlap[r], 1e-4f);

  // The JSON round-trips within its printed precision.
  const ExpressionPrior back = parse_expression_prior_json(expression_prior_json(d), "round trip");
  expect_close(d.latent_correlation, back.latent_correlation, 1e-6f, "latent round trip");
  expect_close(d.correlation, back.correlation, 1e-3f, "correlation round trip");
}

TEST(ExpressionPrior, LearnsTheRecordingsCoActivations) {
  const ExpressionPrior& p = default_expression_prior();
  auto r = [&](Blendshape a, Blendshape b) { return p.correlation[index_of(a)][index_of(b)]; };
  EXPECT_GT(r(Blendshape::MouthSmileLeft, Blendshape::MouthSmileRight), 0.9f);
  EXPECT_GT(r(Blendshape::JawOpen, Blendshape::MouthLowerDownLeft), 0.5f);
  EXPECT_GT(r(Blendshape::EyeLookInLeft, Blendshape::EyeLookOutRight), 0.9f);  // conjugate gaze
  EXPECT_LT(r(Blendshape::MouthSmileLeft, Blendshape::MouthFrownLeft), -0.3f);
  EXPECT_GT(
      p.co_activation[index_of(Blendshape::MouthSmileLeft)][index_of(Blendshape::MouthSmileRight)],
      0.8f);
  // Exclusivity is what ARKit itself does: the recording never has both of a gaze pair.
  for (std::size_t i = 0; i < 4; ++i) EXPECT_EQ(p.exclusive_max_overlap[i], 0.0f);
  for (float o : p.exclusive_max_overlap) EXPECT_LT(o, 0.1f);
}

TEST(ExpressionPriorSampler, SameSeedSameSamplesInAnyOrder) {
  ExpressionSamplerOptions o;
  o.seed = 42;
  const auto a = ExpressionSampler::create(default_expression_prior(), o);
  const auto b = ExpressionSampler::create(default_expression_prior(), o);
  const auto sa = a.samples(0, 2000), sb = b.samples(0, 2000);
  for (std::size_t i = 0; i < sa.size(); ++i) {
    ASSERT_EQ(sa[i].coefficients, sb[i].coefficients) << i;
    ASSERT_EQ(sa[i].kind, sb[i].kind) << i;
  }
  EXPECT_EQ(a.at(1234).coefficients, sa[1234].coefficients);  // random access
  EXPECT_EQ(a.samples(1000, 5)[3].coefficients, sa[1003].coefficients);
  o.seed = 43;
  const auto c = ExpressionSampler::create(default_expression_prior(), o).samples(0, 100);
  int same = 0;
  for (std::size_t i = 0; i < c.size(); ++i) same += c[i].coefficients == sa[i].coefficients;
  EXPECT_LT(same, 3);
}

// The bits of the first samples of seed 7, pinned: the sampler uses no std:: distribution and no
// libm transcendental, so this holds on every machine. It changes only when the sampler or the
// committed table changes (then update it, and say why in the commit).
TEST(ExpressionPriorSampler, SamplesAreBitIdenticalEverywhere) {
  ExpressionSamplerOptions o;
  o.seed = 7;
  const auto s = ExpressionSampler::create(default_expression_prior(), o).samples(0, 1000);
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a over the float bits
  for (const auto& e : s)
    for (float v : e.coefficients.values()) {
      std::uint32_t bits;
      std::memcpy(&bits, &v, sizeof bits);
      for (int k = 0; k < 4; ++k) h = (h ^ ((bits >> (8 * k)) & 0xFF)) * 1099511628211ull;
    }
  EXPECT_EQ(h, 11629906703549963034ull) << "hash of the first 1000 samples of seed 7";
}

TEST(ExpressionPriorSampler, CoversEveryShape) {
  const auto sampler = ExpressionSampler::create(default_expression_prior());
  const auto samples = sampler.samples(0, 20000);
  const auto cov = coverage(values_of(samples));
  float least = 1;
  for (std::size_t s = 0; s < kN; ++s) {
    least = std::min(least, cov[s]);
    EXPECT_GE(cov[s], 0.02f) << name_of(s);
    // The designed coverage is what the samples show (picks are not independent: loose bound).
    EXPECT_NEAR(cov[s], sampler.expected_coverage()[s],
                0.3f * sampler.expected_coverage()[s] + 0.01f)
        << name_of(s);
  }
  std::array<int, 4> kinds{};
  for (const auto& e : samples) ++kinds[std::size_t(e.kind)];
  EXPECT_NEAR(kinds[0] / 20000.0, 0.5, 0.02);
  for (int k : kinds) EXPECT_GT(k, 1000);
  std::printf("coverage (>= 0.3) over 20000 samples: least %.4f\n", least);
}

// The recording's strongest co-activations come back in the prior's samples.
TEST(ExpressionPriorSampler, PriorSamplesReproduceTheRecordingsCorrelations) {
  std::vector<Coefficients> real;
  for (const FaceFrame& f : recording().frames) real.push_back(f.coefficients.clamped());
  const ShapeMatrix want = sample_correlation(real);
  struct Pair {
    float r;
    std::size_t a, b;
  };
  std::vector<Pair> pairs;
  for (std::size_t a = 0; a < kN; ++a)
    for (std::size_t b = a + 1; b < kN; ++b) pairs.push_back({want[a][b], a, b});
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& x, const Pair& y) { return std::fabs(x.r) > std::fabs(y.r); });

  ExpressionSamplerOptions o;
  o.prior_fraction = 1;
  o.mirror_prior = false;
  const ShapeMatrix got = sample_correlation(
      values_of(ExpressionSampler::create(default_expression_prior(), o).samples(0, 20000)));
  float worst = 0, mean = 0;
  for (std::size_t i = 0; i < 40; ++i) {
    const Pair& p = pairs[i];
    EXPECT_NEAR(got[p.a][p.b], p.r, 0.15f) << name_of(p.a) << " / " << name_of(p.b);
    worst = std::max(worst, std::fabs(got[p.a][p.b] - p.r));
    mean += std::fabs(got[p.a][p.b] - p.r) / 40;
  }
  // Every pair correlated at |r| >= 0.5 in the recording keeps its sign and most of its strength.
  std::size_t strong = 0;
  for (const Pair& p : pairs) {
    if (std::fabs(p.r) < 0.5f) break;
    ++strong;
    EXPECT_NEAR(got[p.a][p.b], p.r, 0.25f) << name_of(p.a) << " / " << name_of(p.b);
  }
  std::printf("top 40 pairs: mean |error| %.3f, worst %.3f; %zu pairs with |r| >= 0.5\n", mean,
              worst, strong);
  // Named pairs the issue asks for.
  auto at = [&](const ShapeMatrix& m, Blendshape a, Blendshape b) {
    return m[index_of(a)][index_of(b)];
  };
  EXPECT_GT(at(got, Blendshape::MouthSmileLeft, Blendshape::MouthSmileRight), 0.85f);
  EXPECT_GT(at(got, Blendshape::JawOpen, Blendshape::MouthLowerDownLeft), 0.5f);
}

TEST(ExpressionPriorSampler, KeepsExclusivityAndRange) {
  const auto samples = ExpressionSampler::create(default_expression_prior()).samples(0, 20000);
  for (const auto& e : samples) {
    ASSERT_TRUE(e.coefficients.within(0.0f, 1.0f));
    for (const ExclusivePair& p : exclusive_pairs())
      ASSERT_EQ(std::min(e.coefficients[p.a], e.coefficients[p.b]), 0.0f)
          << info(p.a).apple_name << " / " << info(p.b).apple_name;
  }
  Coefficients c;
  c.set(Blendshape::JawLeft, 0.7f);
  c.set(Blendshape::JawRight, 0.2f);
  const Coefficients n = enforce_exclusivity(c);
  EXPECT_NEAR(n[Blendshape::JawLeft], 0.5f, 1e-6f);
  EXPECT_EQ(n[Blendshape::JawRight], 0.0f);
}

TEST(ExpressionPriorSampler, WinksAndOneSidedActionsAreWhatTheySay) {
  const ExpressionSamplerOptions o;
  const auto samples = ExpressionSampler::create(default_expression_prior(), o).samples(0, 5000);
  int winks = 0, one_sided = 0;
  for (const auto& e : samples) {
    const Coefficients& c = e.coefficients;
    if (e.kind == ExpressionKind::Wink) {
      ++winks;
      const float l = c[Blendshape::EyeBlinkLeft], r = c[Blendshape::EyeBlinkRight];
      EXPECT_GE(std::max(l, r), o.wink_min);
      EXPECT_LE(std::min(l, r), o.rest_level);
      int raised = 0;
      for (float v : c.values()) raised += v > o.rest_level;
      EXPECT_EQ(raised, 1);
    } else if (e.kind == ExpressionKind::OneSided) {
      ++one_sided;
      std::array<int, 3> sides{};
      for (std::size_t s = 0; s < kN; ++s)
        if (c.at(s) > o.rest_level) ++sides[std::size_t(kBlendshapes[s].side)];
      EXPECT_EQ(sides[0], 0);
      EXPECT_TRUE(sides[1] == 0 || sides[2] == 0);
      EXPECT_GE(sides[1] + sides[2], 1);
    }
  }
  EXPECT_GT(winks, 200);
  EXPECT_GT(one_sided, 200);
}

TEST(ExpressionPrior, BadInputIsAnError) {
  EXPECT_THROW(derive_expression_prior({}), std::invalid_argument);
  EXPECT_THROW(derive_expression_prior({Take{}}), std::invalid_argument);  // no frames
  Take few;
  few.frames.resize(kMinPriorFrames - 1);
  EXPECT_THROW(derive_expression_prior({few}), std::invalid_argument);

  // A NaN in a recording never reaches the prior: the reader refuses it.
  test::TempDir tmp;
  const std::string csv = tmp.path("nan.csv");
  std::string text = test::read_text(test::shared_data("arkit/livelinkface_alex_rom_3.csv"));
  text = text.substr(0, text.find('\n', text.find('\n') + 1) + 1);  // header + one frame
  const std::size_t comma = text.find(',', text.find('\n') + 1);
  const std::size_t value = text.find(',', comma + 1) + 1;
  text.replace(value, text.find(',', value) - value, "nan");
  test::write_text(csv, text);
  EXPECT_THROW(read_take(csv), InputError);

  // The table: malformed, wrong version, NaN, out of range, wrong names, not positive definite.
  const std::string good = expression_prior_json(derived());
  auto bad = [&](const std::string& from, const std::string& to) {
    std::string t = good;
    const auto at = t.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    t.replace(at, from.size(), to);
    EXPECT_THROW(parse_expression_prior_json(t, "bad.json"), InputError) << from << " -> " << to;
  };
  EXPECT_NO_THROW(parse_expression_prior_json(good, "good.json"));
  EXPECT_THROW(parse_expression_prior_json("{", "cut.json"), InputError);
  bad("\"version\": 1", "\"version\": 2");
  bad("\"p_active\": 0.8208", "\"p_active\": NaN");
  bad("\"p_active\": 0.8208", "\"p_active\": 1.5");
  bad("\"name\": \"eyeBlinkLeft\"", "\"name\": \"eyeBlinkRight\"");
  bad("\"value_at_z\": [0, ", "\"value_at_z\": [0.9, ");
  bad("\"latent_correlation\": [\n    [1, ", "\"latent_correlation\": [\n    [0.5, ");
  {  // symmetric, unit diagonal, but not positive definite: two shapes perfectly anti-correlated
    ExpressionPrior p = derived();
    for (std::size_t s = 0; s < kN; ++s)
      p.latent_correlation[0][s] = p.latent_correlation[s][0] = 0;
    p.latent_correlation[0][0] = 1;
    p.latent_correlation[0][1] = p.latent_correlation[1][0] = -1;
    EXPECT_THROW(parse_expression_prior_json(expression_prior_json(p), "npd.json"), InputError);
  }

  ExpressionSamplerOptions o;
  o.prior_fraction = 1.5;
  EXPECT_THROW(ExpressionSampler::create(derived(), o), std::invalid_argument);
  o = {};
  o.prior_fraction = std::nan("");
  EXPECT_THROW(ExpressionSampler::create(derived(), o), std::invalid_argument);
  o = {};
  o.max_sparse_shapes = 0;
  EXPECT_THROW(ExpressionSampler::create(derived(), o), std::invalid_argument);
  o = {};
  o.wink_fraction = o.one_sided_fraction = 0.6;
  EXPECT_THROW(ExpressionSampler::create(derived(), o), std::invalid_argument);
}

TEST(ExpressionPriorCli, SampleExpressionsWritesTheSamplersTake) {
  test::TempDir tmp;
  const auto r =
      test::run_cli("sample-expressions --count 50 --seed 9 -o " + tmp.path("s.jsonl"), tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("coverage"), std::string::npos) << r.err;
  const Take take = read_take(tmp.path("s.jsonl"));
  ASSERT_EQ(take.frames.size(), 50u);
  ExpressionSamplerOptions o;
  o.seed = 9;
  const auto sampler = ExpressionSampler::create(default_expression_prior(), o);
  for (std::size_t i = 0; i < take.frames.size(); ++i) {
    EXPECT_EQ(take.frames[i].coefficients, sampler.at(i).coefficients) << i;
    EXPECT_EQ(take.frames[i].source, expression_kind_name(sampler.at(i).kind)) << i;
  }
  EXPECT_EQ(test::run_cli("sample-expressions --count 5 --prior-fraction 2", tmp).exit_code, 2);

  const auto d =
      test::run_cli("derive-prior " + test::shared_data("arkit/livelinkface_alex_rom_3.csv") +
                        " -o " + tmp.path("prior.json"),
                    tmp);
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NO_THROW(
      parse_expression_prior_json(test::read_text(tmp.path("prior.json")), "prior.json"));
  test::write_text(tmp.path("empty.jsonl"), "");
  EXPECT_NE(test::run_cli("derive-prior " + tmp.path("empty.jsonl"), tmp).exit_code, 0);
}

}  // namespace
}  // namespace semblend
