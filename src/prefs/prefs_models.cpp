// The preference store's model versions (prefs_store.h): trained versions with their
// corrections, which one is in use, and the judgments as the learner sees them (prefs_learn.h).
#include <map>

#include "prefs/store_impl.h"
#include "semblend/error.h"
#include "semblend/prefs_learn.h"

namespace semblend::prefs {

namespace {

constexpr const char* kModelColumns =
    "SELECT id, name, notes, created, correction, heldout_agreement FROM model_versions";

ModelVersion read_model(const sql::Statement& s) {
  ModelVersion m{s.int64(0), s.text(1), s.text(2), s.text(3), s.opt_text(4), std::nullopt};
  if (!s.is_null(5)) m.heldout_agreement = s.real(5);
  return m;
}

}  // namespace

std::vector<ModelVersion> Store::model_versions() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path, std::string(kModelColumns) + " ORDER BY id");
  std::vector<ModelVersion> out;
  while (s.step()) out.push_back(read_model(s));
  return out;
}

std::int64_t Store::add_model_version(const std::string& name, const std::string& notes,
                                      const std::string& correction, double heldout_agreement) {
  if (name.empty() || correction.empty())
    throw std::invalid_argument("a trained model version needs a name and a correction");
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  {
    sql::Statement s(impl_->db, impl_->path, "SELECT id FROM model_versions WHERE name = ?");
    s.bind(1, std::string_view(name));
    if (s.step()) throw std::invalid_argument("model version \"" + name + "\" exists already");
  }
  sql::Statement s(impl_->db, impl_->path,
                   "INSERT INTO model_versions (name, notes, created, correction, "
                   "heldout_agreement) VALUES (?, ?, ?, ?, ?)");
  s.bind(1, std::string_view(name))
      .bind(2, std::string_view(notes))
      .bind(3, std::string_view(utc_now()))
      .bind(4, std::string_view(correction))
      .bind(5, heldout_agreement)
      .run();
  return sqlite3_last_insert_rowid(impl_->db);
}

std::optional<ModelVersion> Store::current_model() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string(kModelColumns) +
                       " WHERE id = (SELECT model_version_id FROM current_model WHERE id = 1)");
  if (s.step()) return read_model(s);
  return std::nullopt;
}

void Store::set_current_model(std::optional<std::int64_t> id) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Transaction t(impl_->db, impl_->path);
  if (id) {
    sql::Statement s(impl_->db, impl_->path, "SELECT correction FROM model_versions WHERE id = ?");
    s.bind(1, *id);
    if (!s.step()) throw std::invalid_argument("no model version " + std::to_string(*id));
    if (s.is_null(0))
      throw std::invalid_argument("model version " + std::to_string(*id) +
                                  " has no trained correction (a solver that made candidates)");
  }
  sql::exec(impl_->db, impl_->path, "DELETE FROM current_model");
  if (id) {
    sql::Statement s(impl_->db, impl_->path,
                     "INSERT INTO current_model (id, model_version_id, since) VALUES (1, ?, ?)");
    s.bind(1, *id).bind(2, std::string_view(utc_now())).run();
  }
  t.commit();
}

// ---- Judgments as comparisons for preference learning (prefs_learn.h)

std::vector<Comparison> store_comparisons(const Store& store, int* left_out) {
  std::map<std::int64_t, std::optional<Coefficients>> base;  // by item
  std::vector<Comparison> out;
  int missing = 0;
  for (const Judgment& j : store.judgments()) {
    if (j.undone || j.choice == Choice::Skip) continue;
    const std::optional<Pair> p = store.pair(j.pair_id);
    if (!p) continue;
    auto it = base.find(p->item_id);
    if (it == base.end()) {
      std::optional<Coefficients> b;
      for (const Candidate& c : store.candidates(p->item_id))
        if (c.kind == "prediction") {
          b = c.coefficients;
          break;
        }
      it = base.emplace(p->item_id, b).first;
    }
    const std::optional<Candidate> a = store.candidate(p->a), b = store.candidate(p->b);
    if (!it->second || !a || !b) {
      ++missing;
      continue;
    }
    const double outcome = j.choice == Choice::A ? 1.0 : j.choice == Choice::B ? 0.0 : 0.5;
    out.push_back({p->region, *it->second, a->coefficients, b->coefficients, outcome, p->item_id,
                   j.annotator_id, 1.0});
  }
  if (left_out) *left_out = missing;
  return out;
}

Correction version_correction(const Store& store, const ModelVersion& version) {
  if (!version.correction)
    throw std::invalid_argument("model version " + version.name + " has no trained correction");
  return parse_correction_json(*version.correction, store.path() + " (model version " +
                                                        std::to_string(version.id) + " \"" +
                                                        version.name + "\")");
}

PairAgreement annotator_agreement(const Store& store) {
  std::map<std::int64_t, std::vector<std::pair<std::int64_t, Choice>>> by_pair;
  for (const Judgment& j : store.judgments())
    if (!j.undone && j.choice != Choice::Skip)
      by_pair[j.pair_id].push_back({j.annotator_id, j.choice});
  PairAgreement r;
  int same = 0;
  for (const auto& [pair, js] : by_pair) {
    bool shared = false;
    for (std::size_t x = 0; x < js.size(); ++x)
      for (std::size_t y = x + 1; y < js.size(); ++y) {
        if (js[x].first == js[y].first) continue;
        shared = true;
        ++r.comparisons;
        same += js[x].second == js[y].second;
      }
    r.shared_pairs += shared;
  }
  if (r.comparisons) r.agreement = double(same) / r.comparisons;
  return r;
}

}  // namespace semblend::prefs
