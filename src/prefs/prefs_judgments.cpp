// The preference store's judgments: adding (idempotent, durable), undo, the next pair to judge,
// progress and counts (prefs_store.h).
#include "prefs/store_impl.h"

namespace semblend::prefs {

Judgment Store::add_judgment(const NewJudgment& j) {
  if (j.latency_ms < 0) throw std::invalid_argument("latency_ms must not be negative");
  const std::string key = j.client_key.empty() ? detail::random_key() : j.client_key;
  if (key.size() > 100) throw std::invalid_argument("client_key is longer than 100 characters");
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Transaction t(impl_->db, impl_->path);
  const std::string select = std::string("SELECT ") + detail::kJudgmentColumns + " FROM judgments";
  {
    sql::Statement s(impl_->db, impl_->path, select + " WHERE annotator_id = ? AND client_key = ?");
    s.bind(1, j.annotator_id).bind(2, std::string_view(key));
    if (s.step()) {
      Judgment found = detail::read_judgment(s);
      found.repeated = true;
      return found;
    }
  }
  {
    sql::Statement s(impl_->db, impl_->path,
                     "SELECT (SELECT COUNT(*) FROM pairs WHERE id = ?), "
                     "(SELECT COUNT(*) FROM annotators WHERE id = ?)");
    s.bind(1, j.pair_id).bind(2, j.annotator_id);
    s.step();
    if (s.int64(0) == 0) throw std::invalid_argument("no pair " + std::to_string(j.pair_id));
    if (s.int64(1) == 0)
      throw std::invalid_argument("no annotator " + std::to_string(j.annotator_id));
  }
  sql::Statement s(impl_->db, impl_->path,
                   "INSERT INTO judgments (pair_id, annotator_id, choice, latency_ms, created, "
                   "client_key) VALUES (?, ?, ?, ?, ?, ?)");
  const std::string now = utc_now();
  s.bind(1, j.pair_id)
      .bind(2, j.annotator_id)
      .bind(3, choice_name(j.choice))
      .bind(4, j.latency_ms)
      .bind(5, std::string_view(now))
      .bind(6, std::string_view(key))
      .run();
  Judgment out;
  out.id = sqlite3_last_insert_rowid(impl_->db);
  t.commit();  // synchronous=FULL: on disk when this returns
  out.pair_id = j.pair_id;
  out.annotator_id = j.annotator_id;
  out.choice = j.choice;
  out.latency_ms = j.latency_ms;
  out.created = now;
  out.client_key = key;
  return out;
}

std::optional<Judgment> Store::undo_judgment(std::int64_t judgment_id, std::int64_t annotator_id) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Transaction t(impl_->db, impl_->path);
  {
    sql::Statement s(impl_->db, impl_->path,
                     "UPDATE judgments SET undone_at = ? WHERE id = ? AND annotator_id = ? AND "
                     "undone_at IS NULL");
    s.bind(1, std::string_view(utc_now())).bind(2, judgment_id).bind(3, annotator_id).run();
  }
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kJudgmentColumns +
                       " FROM judgments WHERE id = ? AND annotator_id = ?");
  s.bind(1, judgment_id).bind(2, annotator_id);
  if (!s.step()) return std::nullopt;
  Judgment j = detail::read_judgment(s);
  t.commit();
  return j;
}

std::vector<Judgment> Store::judgments(std::optional<std::int64_t> annotator_id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kJudgmentColumns + " FROM judgments" +
                       (annotator_id ? " WHERE annotator_id = ?" : "") + " ORDER BY id");
  if (annotator_id) s.bind(1, *annotator_id);
  std::vector<Judgment> out;
  while (s.step()) out.push_back(detail::read_judgment(s));
  return out;
}

std::optional<Pair> Store::next_pair(std::optional<std::int64_t> annotator_id,
                                     std::optional<std::int64_t> item_id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(
      impl_->db, impl_->path,
      std::string("SELECT ") + detail::kPairColumns +
          " FROM pairs p WHERE NOT EXISTS (SELECT 1 FROM judgments j WHERE j.pair_id = p.id AND "
          "j.annotator_id = ?1 AND j.undone_at IS NULL) AND (?2 IS NULL OR p.item_id = ?2) ORDER "
          "BY (SELECT COUNT(*) FROM judgments "
          "j WHERE j.pair_id = p.id AND j.undone_at IS NULL AND j.choice != 'skip'), "
          "p.priority DESC, p.id LIMIT 1");
  s.bind(1, annotator_id.value_or(-1)).bind(2, item_id);
  if (s.step()) return detail::read_pair(s);
  return std::nullopt;
}

Progress Store::progress(std::optional<std::int64_t> annotator_id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   "SELECT (SELECT COUNT(DISTINCT pair_id) FROM judgments WHERE annotator_id = ? "
                   "AND undone_at IS NULL), (SELECT COUNT(*) FROM pairs)");
  s.bind(1, annotator_id.value_or(-1));
  s.step();
  return {s.int64(0), s.int64(1)};
}

Counts Store::counts() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   "SELECT (SELECT COUNT(*) FROM items), (SELECT COUNT(*) FROM candidates), "
                   "(SELECT COUNT(*) FROM pairs), (SELECT COUNT(*) FROM judgments), "
                   "(SELECT COUNT(*) FROM judgments WHERE undone_at IS NOT NULL), "
                   "(SELECT COUNT(*) FROM annotators), (SELECT COUNT(*) FROM model_versions)");
  s.step();
  return {s.int64(0), s.int64(1), s.int64(2), s.int64(3), s.int64(4), s.int64(5), s.int64(6)};
}

}  // namespace semblend::prefs
