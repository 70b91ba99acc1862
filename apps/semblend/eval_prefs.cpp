// `semblend eval prefs` (docs/prefs.md): the preference loop simulated where the truth is known.
// A solver fitted to corrupted pseudo labels; simulated annotators judge the same region-aware
// candidate pairs the judging page shows (prefs_candidates.h); rounds of prefs::train() each
// accepted only when held-out agreement improves; the error against the truth after 0, 100, 300
// and 1000 judgments and per round; then the per-person calibration of a deliberately biased user.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <sstream>

#include "commands.h"
#include "prefs_sim.h"
#include "semblend/prefs_candidates.h"
#include "solve_view.h"

namespace semblend::cli {
namespace {

using namespace prefs_sim;
using prefs::Comparison;
using prefs::Correction;

struct Setup {
  int train_faces, eval_faces, items;
  std::vector<int> budgets;  // cumulative judgments at the end of each round
  int calibration_frames;
};

// Judges pairs of fresh items until `budget` judgments are collected. Each item's pairs are
// planned around the model in use's prediction (as `semblend serve` does after a round); about
// one pair in ten gets a second annotator (for agreement), a contrarian judges a share.
struct Judging {
  const std::vector<Face>& items;
  const PseudoSolver& pseudo;
  std::vector<Annotator> annotators;
  std::mt19937_64 rng;
  std::size_t next_item = 0;
  std::vector<Comparison> comparisons;
  std::vector<double> gaps;    // |difference of perceptual distances|, cm
  int decided = 0, right = 0;  // honest annotators' decided judgments, and truly closer choices

  void collect(int budget, const Correction& model) {
    std::uniform_real_distribution<double> u(0, 1);
    while (int(comparisons.size()) < budget) {
      if (next_item >= items.size()) throw std::logic_error("eval prefs: ran out of items");
      const Face& f = items[next_item];
      const auto item = std::int64_t(next_item++);
      const Coefficients base = pseudo.predict(f);
      const Coefficients prediction = model.apply(base);
      for (const prefs::PairPlan& plan : prefs::plan_pairs(prediction)) {
        if (int(comparisons.size()) >= budget) break;
        const bool prediction_a = u(rng) < 0.5;
        const Coefficients& a = prediction_a ? prediction : plan.alternative;
        const Coefficients& b = prediction_a ? plan.alternative : prediction;
        const int judges = u(rng) < 0.1 ? 2 : 1;
        std::size_t first = rng() % annotators.size();
        for (int j = 0; j < judges && int(comparisons.size()) < budget; ++j) {
          const Annotator& who = annotators[(first + std::size_t(j)) % annotators.size()];
          const std::size_t region = prefs::comparison_region_index(plan.region);
          const double outcome = judge(who, a, b, f.truth, region, rng);
          const double closer_a =
              perceptual_distance(b, f.truth, region) - perceptual_distance(a, f.truth, region);
          gaps.push_back(std::abs(closer_a));
          if (outcome != 0.5 && !who.contrarian) {
            ++decided;
            right += (outcome > 0.5) == (closer_a > 0);
          }
          comparisons.push_back({plan.region, base, a, b, outcome, item, who.id, 1.0});
        }
      }
    }
  }
};

std::string pct_column(std::optional<double> v) {
  if (!v) return "   n/a";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%5.1f%%", 100 * *v);
  return buf;
}

double worst_increase(const Errors& now, const Errors& before, std::size_t* which) {
  double worst = -1;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k)
    if (now.shape[k] - before.shape[k] > worst) {
      worst = now.shape[k] - before.shape[k];
      *which = k;
    }
  return worst;
}

// Per-person calibration: one identity whose solver readings are deliberately biased (a smile
// read at 55%, brows read raised at rest, the jaw over-read), judged by that person alone.
void run_calibration(const Solver& solver, const Setup& s, std::ostringstream& out) {
  const std::vector<Face> frames = make_faces(solver, 7001, s.calibration_frames, 1, 2);
  const std::size_t half = frames.size() / 2;
  const std::vector<Face> judge_frames(frames.begin(), frames.begin() + long(half));
  const std::vector<Face> test_frames(frames.begin() + long(half), frames.end());
  auto biased = [](const Face& f) {
    Coefficients c;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) c.set_at(k, f.shipped[k]);
    auto set = [&](Blendshape b, float gain, float offset) {
      c.set(b, std::clamp(gain * c[b] + offset, 0.0f, 1.0f));
    };
    set(Blendshape::MouthSmileLeft, 0.55f, 0);
    set(Blendshape::MouthSmileRight, 0.55f, 0);
    set(Blendshape::BrowInnerUp, 1, 0.2f);
    set(Blendshape::JawOpen, 1.4f, 0.05f);
    return c;
  };
  const std::array<Blendshape, 4> shapes{Blendshape::MouthSmileLeft, Blendshape::MouthSmileRight,
                                         Blendshape::BrowInnerUp, Blendshape::JawOpen};
  auto biased_error = [&](const Correction& cal) {
    const Errors e = errors(test_frames, [&](const Face& f) { return cal.apply(biased(f)); });
    double b = 0;
    for (Blendshape x : shapes) b += e.shape[static_cast<std::size_t>(x)] / double(shapes.size());
    return std::pair{e.mean, b};
  };
  const auto [all0, bias0] = biased_error(Correction{});
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "\nper-person calibration (one identity, smile read x0.55, browInnerUp +0.2, "
                "jawOpen x1.4+0.05):\n  judgments  biased-shape MAE  all-shape MAE  accepted\n"
                "  %9d  %16.4f  %13.4f  -\n",
                0, bias0, all0);
  out << buf;
  std::mt19937_64 rng(99);
  std::vector<Comparison> comps;
  Correction cal;
  Annotator me{1, 0.08f, 0.03f, false};
  std::size_t next = 0;
  for (int budget : {10, 25, 50}) {
    while (int(comps.size()) < budget && next < judge_frames.size()) {
      const Face& f = judge_frames[next];
      const auto item = std::int64_t(next++);
      const Coefficients base = biased(f), prediction = cal.apply(base);
      for (const prefs::PairPlan& plan : prefs::plan_pairs(prediction)) {
        if (int(comps.size()) >= budget) break;
        comps.push_back({plan.region, base, prediction, plan.alternative,
                         judge(me, prediction, plan.alternative, f.truth,
                               prefs::comparison_region_index(plan.region), rng),
                         item, 1, 1.0});
      }
    }
    const prefs::TrainReport r = prefs::train(comps, cal, prefs::person_calibration_options());
    if (r.accepted) cal = *r.correction;
    const auto [all, bias] = biased_error(cal);
    std::snprintf(buf, sizeof buf, "  %9d  %16.4f  %13.4f  %s\n", budget, bias, all,
                  r.accepted ? "yes" : "no");
    out << buf;
  }
  const auto [all1, bias1] = biased_error(cal);
  std::snprintf(
      buf, sizeof buf,
      "  calibration: biased-shape error %.4f -> %.4f (%.0f%% lower) in <= 50 judgments\n", bias0,
      bias1, 100 * (1 - bias1 / bias0));
  out << buf;
  (void)all1;
}

}  // namespace

int run_eval_prefs(const EvalPrefsOptions& o) {
  const auto start = std::chrono::steady_clock::now();
  const Setup s = o.quick ? Setup{1200, 300, 400, {100, 300, 1000}, 80}
                          : Setup{4000, 1000, 1200, {100, 300, 1000, 2000, 3000}, 200};
  const Solver solver = load_solver(o.model);
  std::fprintf(stderr, "eval prefs: simulating faces (%d training, %d evaluation, %d items)\n",
               s.train_faces, s.eval_faces, s.items);
  const std::vector<Face> train_faces = make_faces(solver, 11, s.train_faces, 64, 2);
  const std::vector<Face> eval_faces = make_faces(solver, 9001, s.eval_faces, 100, 2);
  const std::vector<Face> items = make_faces(solver, 31, s.items, 100, 2);
  const Corruption corruption = make_corruption(o.seed, 5);
  std::mt19937_64 rng(o.seed * 7 + 1);
  std::vector<Coefficients> labels;
  for (const Face& f : train_faces) labels.push_back(corrupt(f.truth, corruption, rng));
  const PseudoSolver pseudo = PseudoSolver::fit(train_faces, labels, 1e-3);

  std::ostringstream out;
  const Errors shipped = errors(eval_faces, [](const Face& f) {
    Coefficients c;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k) c.set_at(k, f.shipped[k]);
    return c;
  });
  const Errors labels_err = errors(eval_faces, [&](const Face& f) {
    std::mt19937_64 r2(std::uint64_t(f.truth.at(17) * 1e6f));
    return corrupt(f.truth, corruption, r2);
  });
  const Errors start_err = errors(eval_faces, [&](const Face& f) { return pseudo.predict(f); });
  // The correction nobody can know (the inverse of the corruption): how far a per-shape
  // correction could go at best, and what the loop would have to find.
  Correction oracle;
  for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
    oracle.gain[k] = 1 / corruption.gain[k];
    oracle.offset[k] = -corruption.offset[k] / corruption.gain[k];
  }
  const Errors oracle_err =
      errors(eval_faces, [&](const Face& f) { return oracle.apply(pseudo.predict(f)); });
  std::string dropped;
  for (std::size_t k : corruption.dropped)
    dropped +=
        std::string(dropped.empty() ? "" : ", ") + std::string(info(blendshape_at(k)).apple_name);
  char buf[1024];
  std::snprintf(
      buf, sizeof buf,
      "pseudo labels: gain 0.6-1.4, offset -0.05..0.10 per shape, noise 0.05, "
      "never reported: %s\n"
      "MAE against the truth (%d held-out faces): pseudo labels themselves %.4f, "
      "pseudo-label solver %.4f, truth-trained solver %.4f (the floor of a correction)\n"
      "the inverse of the corruption applied to it (unknowable; per-shape gain and "
      "offset at best): %.4f\n\n"
      "round  judgments  reward held-out  model in use -> new  accepted  MAE     vs start\n"
      "    0          0                -                    -         -  %.4f  0.0%%\n",
      dropped.c_str(), s.eval_faces, labels_err.mean, start_err.mean, shipped.mean, oracle_err.mean,
      start_err.mean);
  out << buf;

  Judging j{items, pseudo, {}, std::mt19937_64(o.seed), 0, {}, {}, 0, 0};
  j.annotators = {{1, 0.06f, 0.03f, false}, {2, 0.08f, 0.03f, false}, {3, 0.12f, 0.03f, false}};
  if (!o.quick) j.annotators.push_back({4, 0.08f, 0.03f, true});  // a contrarian
  Correction model;
  Errors at1000 = start_err;
  std::vector<double> means{start_err.mean};
  int round = 0;
  for (int budget : s.budgets) {
    ++round;
    j.collect(budget, model);
    const prefs::TrainReport r = prefs::train(j.comparisons, model);
    if (r.accepted) model = *r.correction;
    const Errors e =
        errors(eval_faces, [&](const Face& f) { return model.apply(pseudo.predict(f)); });
    means.push_back(e.mean);
    if (budget <= 1000) at1000 = e;
    std::snprintf(buf, sizeof buf, "%5d  %9d  %15s  %s -> %s  %8s  %.4f  %+.1f%%\n", round, budget,
                  pct_column(r.reward_heldout).c_str(), pct_column(r.current_heldout).c_str(),
                  pct_column(r.candidate_heldout).c_str(), r.accepted ? "yes" : "no", e.mean,
                  100 * (e.mean / start_err.mean - 1));
    out << buf;
    if (o.verbose) {
      for (const prefs::AnnotatorReport& a : r.annotators)
        std::fprintf(stderr, "  annotator %lld: %d judgments, agreement %s%s\n",
                     static_cast<long long>(a.annotator), a.judgments,
                     pct_column(a.agreement).c_str(), a.dropped ? " (dropped)" : "");
      std::fprintf(stderr, "  round %d: anchor %.2g, kl %.2g; %s\n", round, r.anchor, r.kl,
                   r.message.c_str());
      if (r.correction) {
        const Errors ce = errors(
            eval_faces, [&](const Face& f) { return r.correction->apply(pseudo.predict(f)); });
        std::fprintf(stderr, "  round %d: the candidate's MAE %.4f\n", round, ce.mean);
        for (std::size_t k = 0; k < kBlendshapeCount; ++k)
          if (std::abs(ce.shape[k] - start_err.shape[k]) > 0.01)
            std::fprintf(stderr, "    %-20s %.4f -> %.4f (gain %.2f offset %+.3f)\n",
                         std::string(info(blendshape_at(k)).apple_name).c_str(), start_err.shape[k],
                         ce.shape[k], r.correction->gain[k], r.correction->offset[k]);
      }
    }
  }
  std::sort(j.gaps.begin(), j.gaps.end());
  std::snprintf(buf, sizeof buf,
                "\nsimulated annotators: the truly closer face in %.1f%% of decided judgments "
                "(perceptual gap median %.3f cm, p90 %.3f cm)\n",
                100.0 * j.right / std::max(j.decided, 1), j.gaps[j.gaps.size() / 2],
                j.gaps[j.gaps.size() * 9 / 10]);
  out << buf;
  if (o.verbose) {
    std::fputs(prefs::correction_json(model).c_str(), stderr);
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      std::fprintf(stderr, "  %-20s gain %.2f off %+.3f  MAE %.4f -> %.4f (truth-trained %.4f)\n",
                   std::string(info(blendshape_at(k)).apple_name).c_str(), corruption.gain[k],
                   corruption.offset[k], start_err.shape[k], at1000.shape[k], shipped.shape[k]);
  }
  std::size_t worst_k = 0;
  const double worst = worst_increase(at1000, start_err, &worst_k);
  std::snprintf(buf, sizeof buf,
                "after 0 / 100 / 300 / 1000 judgments: %.4f / %.4f / %.4f / %.4f\n"
                "worst shape change after 1000 (vs the pseudo-label solver): %s %+.4f "
                "(limit +0.02)\n",
                means[0], means[1], means[2], at1000.mean,
                std::string(info(blendshape_at(worst_k)).apple_name).c_str(), worst);
  out << buf;
  run_calibration(solver, s, out);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::snprintf(buf, sizeof buf, "\n(%.1f s)\nerror reduction vs pseudo-label solver: %.0f%%\n",
                seconds, 100 * (1 - at1000.mean / start_err.mean));
  out << buf;
  const std::string text = out.str();
  std::fputs(text.c_str(), stdout);
  if (!o.output.empty()) emit(o.output, text);
  return kOk;
}

}  // namespace semblend::cli
