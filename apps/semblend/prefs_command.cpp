// `semblend prefs train|calibrate|status|export|use` (commands.h, docs/prefs.md): preference
// learning on the judgments `semblend serve` stored.
#include <fnmatch.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <map>
#include <set>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/prefs_learn.h"
#include "semblend/prefs_store.h"

namespace semblend::cli {

namespace fs = std::filesystem;

namespace {

// An existing store (prefs never creates one: a typo in --data must not look like "no judgments").
prefs::Store open_existing(const std::string& data) {
  const std::string path = (fs::path(data) / "prefs.sqlite").string();
  if (!fs::is_regular_file(path))
    throw IoError(IoError::Op::Read, path, "no preference store here (semblend serve --data DIR)");
  try {
    return prefs::Store::open(path);
  } catch (const prefs::StoreError& e) {
    throw InputError(path, 0, 0, without_path_prefix(path, e.what()));
  }
}

std::string pct(std::optional<double> v) {
  if (!v) return "n/a";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * *v);
  return buf;
}

std::optional<prefs::ModelVersion> version_by_id(const prefs::Store& store, std::int64_t id) {
  for (const prefs::ModelVersion& v : store.model_versions())
    if (v.id == id) return v;
  return std::nullopt;
}

int train(const PrefsOptions& o) {
  prefs::Store store = open_existing(o.data);
  int left_out = 0;
  const std::vector<prefs::Comparison> data = prefs::store_comparisons(store, &left_out);
  const std::optional<prefs::ModelVersion> current = store.current_model();
  std::optional<prefs::Correction> in_use;
  if (current) in_use = prefs::version_correction(store, *current);
  prefs::TrainOptions to;
  to.min_per_region = o.min_per_region;
  to.holdout = o.holdout;
  to.cross_terms = o.cross;
  const prefs::TrainReport r = prefs::train(data, in_use, to);
  std::fprintf(stderr, "prefs train: %zu judgments (%d without a base prediction, left out)\n",
               data.size(), left_out);
  for (const prefs::RegionCount& c : r.regions)
    std::fprintf(
        stderr, "  %-12s %5d judgments  %s\n", c.region.c_str(), c.judgments,
        c.trained
            ? "trained"
            : ("too few (need " + std::to_string(o.min_per_region) + "): not trained").c_str());
  for (const prefs::AnnotatorReport& a : r.annotators)
    std::fprintf(stderr, "  annotator %lld: %d decided judgments, agreement with the others %s%s\n",
                 static_cast<long long>(a.annotator), a.judgments, pct(a.agreement).c_str(),
                 a.dropped ? " (contradicts them: dropped)" : "");
  if (!r.correction) throw std::invalid_argument("prefs train: " + r.message);
  std::fprintf(stderr,
               "  %d training, %d held-out judgments; reward model held-out agreement %s; "
               "anchor %.3g, kl %.3g\n",
               r.train_judgments, r.heldout_judgments, pct(r.reward_heldout).c_str(), r.anchor,
               r.kl);
  std::fprintf(stderr, "prefs train: %s (in use: %s)\n", r.message.c_str(),
               current ? current->name.c_str() : "the base solver");
  if (!r.accepted) return kOk;
  int trained = 0;
  for (const prefs::ModelVersion& v : store.model_versions()) trained += v.correction.has_value();
  std::string name;
  std::int64_t id = 0;
  store.transaction([&] {
    for (int n = trained + 1;; ++n) {
      name = "prefs-v" + std::to_string(n);
      bool taken = false;
      for (const prefs::ModelVersion& v : store.model_versions()) taken |= v.name == name;
      if (!taken) break;
    }
    id = store.add_model_version(name, r.correction->notes, prefs::correction_json(*r.correction),
                                 *r.candidate_heldout);
    store.set_current_model(id);
  });
  std::fprintf(stderr, "prefs train: %s (model version %lld) is now in use\n", name.c_str(),
               static_cast<long long>(id));
  std::printf("%s\n", name.c_str());
  return kOk;
}

// A person's calibration: trained only on the judgments of the items whose source matches
// o.items (their photos), checked on a quarter of those items against the version in use (or the
// base solver), written to o.output only when it beats it. Not a model version: it is the
// person's, and travels as a file (--correction, a profile).
int calibrate(const PrefsOptions& o) {
  const prefs::Store store = open_existing(o.data);
  std::set<std::int64_t> mine;
  for (const prefs::Item& item : store.items())
    if (fnmatch(o.items.c_str(), item.source.c_str(), 0) == 0) mine.insert(item.id);
  std::vector<prefs::Comparison> data;
  for (const prefs::Comparison& c : prefs::store_comparisons(store))
    if (mine.count(c.item)) data.push_back(c);
  std::fprintf(stderr, "prefs calibrate: %zu item(s) match %s, %zu judgments on them\n",
               mine.size(), o.items.c_str(), data.size());
  if (data.empty())
    throw std::invalid_argument("prefs calibrate: no judgments on items matching \"" + o.items +
                                "\" in " + store.path() + " (judge their photos first)");
  const std::optional<prefs::ModelVersion> current = store.current_model();
  std::optional<prefs::Correction> in_use;
  if (current) in_use = prefs::version_correction(store, *current);
  const prefs::TrainReport r = prefs::train(data, in_use, prefs::person_calibration_options());
  for (const prefs::RegionCount& c : r.regions)
    if (c.judgments > 0)
      std::fprintf(stderr, "  %-12s %5d judgments  %s\n", c.region.c_str(), c.judgments,
                   c.trained ? "trained" : "too few: not trained");
  if (!r.correction) throw std::invalid_argument("prefs calibrate: " + r.message);
  std::fprintf(stderr, "prefs calibrate: %d training, %d held-out judgments; %s (against %s)\n",
               r.train_judgments, r.heldout_judgments, r.message.c_str(),
               current ? current->name.c_str() : "the base solver");
  if (!r.accepted) {
    std::fprintf(stderr, "prefs calibrate: nothing written\n");
    return kOk;
  }
  prefs::Correction c = *r.correction;
  c.notes = "items " + o.items + ": " + c.notes;
  // The shapes the person's judgments did not move keep the version in use's correction, so the
  // file replaces it for this person without losing what everyone's judgments taught.
  if (in_use) {
    std::array<bool, kBlendshapeCount> moved{};
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      moved[k] = c.gain[k] != 1.0f || c.offset[k] != 0.0f;
    for (const prefs::CrossTerm& x : c.cross) moved[x.target] = true;
    for (std::size_t k = 0; k < kBlendshapeCount; ++k)
      if (!moved[k]) {
        c.gain[k] = in_use->gain[k];
        c.offset[k] = in_use->offset[k];
      }
    for (const prefs::CrossTerm& x : in_use->cross)
      if (!moved[x.target]) c.cross.push_back(x);
  }
  emit(o.output, prefs::correction_json(c));
  std::printf("%s\n", o.output.c_str());
  return kOk;
}

int status(const PrefsOptions& o) {
  const prefs::Store store = open_existing(o.data);
  int left_out = 0;
  const std::vector<prefs::Comparison> data = prefs::store_comparisons(store, &left_out);
  const std::optional<prefs::ModelVersion> current = store.current_model();
  const std::vector<prefs::ModelVersion> versions = store.model_versions();
  int rounds = 0;
  for (const prefs::ModelVersion& v : versions) rounds += v.correction.has_value();
  std::map<std::string, int> per_region, ties;
  for (const prefs::Comparison& c : data) {
    ++per_region[c.region];
    ties[c.region] += c.outcome == 0.5;
  }
  std::string out = "store: " + store.path() +
                    "\nrounds (trained versions): " + std::to_string(rounds) +
                    "\njudgments (live, not skipped): " + std::to_string(data.size()) + "\n";
  char buf[256];
  for (const prefs::ComparisonRegion& r : prefs::kComparisonRegions) {
    const std::string name(r.name);
    std::snprintf(buf, sizeof buf, "  %-12s %5d (%d ties)\n", name.c_str(),
                  per_region.count(name) ? per_region[name] : 0, ties.count(name) ? ties[name] : 0);
    out += buf;
  }
  const prefs::PairAgreement a = prefs::annotator_agreement(store);
  std::snprintf(buf, sizeof buf, "annotator agreement: %s on %d pairs judged by several\n",
                a.comparisons ? pct(a.agreement).c_str() : "n/a", a.shared_pairs);
  out += buf;
  out += "in use: " +
         (current ? current->name + " (held-out agreement " + pct(current->heldout_agreement) + ")"
                  : std::string("the base solver (no trained version)")) +
         "\nversions:\n";
  for (const prefs::ModelVersion& v : versions) {
    std::snprintf(buf, sizeof buf, "  %s%3lld  %-24s %s  %s\n",
                  current && current->id == v.id ? "*" : " ", static_cast<long long>(v.id),
                  v.name.c_str(), v.created.c_str(),
                  v.correction ? ("trained, held-out " + pct(v.heldout_agreement)).c_str()
                               : "solver (made candidates)");
    out += buf;
    if (v.correction && !v.notes.empty()) out += "        " + v.notes + "\n";
  }
  std::fputs(out.c_str(), stdout);
  return kOk;
}

int export_model(const PrefsOptions& o) {
  const prefs::Store store = open_existing(o.data);
  std::optional<prefs::ModelVersion> v =
      o.version ? version_by_id(store, *o.version) : store.current_model();
  if (!v)
    throw std::invalid_argument(o.version ? "no model version " + std::to_string(*o.version)
                                          : "no trained version in use (prefs train first)");
  emit(o.output, prefs::correction_json(prefs::version_correction(store, *v)));
  return kOk;
}

int use(const PrefsOptions& o) {
  prefs::Store store = open_existing(o.data);
  if (!o.version) throw std::invalid_argument("prefs use: --version N (0 = the base solver)");
  if (*o.version == 0) {
    store.set_current_model(std::nullopt);
    std::fprintf(stderr, "prefs use: the base solver is in use\n");
    return kOk;
  }
  const std::optional<prefs::ModelVersion> v = version_by_id(store, *o.version);
  if (v) prefs::version_correction(store, *v);  // refuse a corrupt one before it is used
  store.set_current_model(*o.version);
  std::fprintf(stderr, "prefs use: %s (model version %lld) is in use\n", v ? v->name.c_str() : "?",
               static_cast<long long>(*o.version));
  return kOk;
}

}  // namespace

int run_prefs(const PrefsOptions& o) {
  if (o.action == "train") return train(o);
  if (o.action == "calibrate") return calibrate(o);
  if (o.action == "status") return status(o);
  if (o.action == "export") return export_model(o);
  if (o.action == "use" || o.action == "rollback") return use(o);
  throw std::invalid_argument("prefs: unknown action \"" + o.action + "\"");
}

}  // namespace semblend::cli
