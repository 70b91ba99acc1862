// The preference store (prefs_store.h): schema, durability settings and queries.
#include <array>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/sha256.h"
#include "prefs/store_impl.h"
#include "semblend/blendshape.h"

namespace semblend::prefs {

namespace {

// Version 1 (then the migrations below). Coefficients are JSON arrays of 52 numbers in Apple's
// order (blendshape.h).
constexpr const char* kSchema = R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE model_versions (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, notes TEXT NOT NULL DEFAULT '',
  created TEXT NOT NULL);
CREATE TABLE annotators (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created TEXT NOT NULL);
CREATE TABLE items (
  id INTEGER PRIMARY KEY, source TEXT NOT NULL, sha256 TEXT NOT NULL UNIQUE,
  width INTEGER NOT NULL, height INTEGER NOT NULL,
  head_yaw REAL NOT NULL, head_pitch REAL NOT NULL, head_roll REAL NOT NULL,
  image_png BLOB NOT NULL, created TEXT NOT NULL);
CREATE TABLE candidates (
  id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id),
  kind TEXT NOT NULL, label TEXT NOT NULL,
  model_version_id INTEGER REFERENCES model_versions(id),
  coefficients TEXT NOT NULL, created TEXT NOT NULL);
CREATE INDEX candidates_item ON candidates(item_id);
CREATE TABLE pairs (
  id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items(id), region TEXT NOT NULL,
  a_id INTEGER NOT NULL REFERENCES candidates(id), b_id INTEGER NOT NULL REFERENCES candidates(id),
  priority REAL NOT NULL, created TEXT NOT NULL);
CREATE INDEX pairs_item ON pairs(item_id);
CREATE TABLE judgments (
  id INTEGER PRIMARY KEY, pair_id INTEGER NOT NULL REFERENCES pairs(id),
  annotator_id INTEGER NOT NULL REFERENCES annotators(id),
  choice TEXT NOT NULL CHECK (choice IN ('a', 'b', 'tie', 'skip')),
  latency_ms INTEGER NOT NULL, created TEXT NOT NULL, client_key TEXT NOT NULL,
  undone_at TEXT, UNIQUE (annotator_id, client_key));
CREATE INDEX judgments_pair ON judgments(pair_id, annotator_id);
INSERT INTO schema_version (version) VALUES (1);
)sql";

// Version 2 (preference learning, prefs_learn.h): a trained model version carries its correction
// (JSON) and held-out agreement; current_model holds the version in use (no row = the base solver).
constexpr const char* kMigrateTo2 = R"sql(
ALTER TABLE model_versions ADD COLUMN correction TEXT;
ALTER TABLE model_versions ADD COLUMN heldout_agreement REAL;
CREATE TABLE current_model (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  model_version_id INTEGER NOT NULL REFERENCES model_versions(id), since TEXT NOT NULL);
UPDATE schema_version SET version = 2;
)sql";

std::int64_t get_or_create(Store::Impl& d, const char* table, const std::string& name,
                           const std::string& notes) {
  std::lock_guard<std::recursive_mutex> lock(d.mutex);
  sql::Transaction t(d.db, d.path);
  {
    sql::Statement s(d.db, d.path, std::string("SELECT id FROM ") + table + " WHERE name = ?");
    s.bind(1, std::string_view(name));
    if (s.step()) return s.int64(0);
  }
  const bool with_notes = std::string_view(table) == "model_versions";
  sql::Statement s(d.db, d.path,
                   std::string("INSERT INTO ") + table +
                       (with_notes ? " (name, created, notes) VALUES (?, ?, ?)"
                                   : " (name, created) VALUES (?, ?)"));
  s.bind(1, std::string_view(name)).bind(2, std::string_view(utc_now()));
  if (with_notes) s.bind(3, std::string_view(notes));
  s.run();
  const std::int64_t id = sqlite3_last_insert_rowid(d.db);
  t.commit();
  return id;
}

std::int64_t count(const Store::Impl& d, const char* query) {
  sql::Statement s(d.db, d.path, query);
  return s.step() ? s.int64(0) : 0;
}

}  // namespace

std::string_view choice_name(Choice c) {
  static constexpr std::array<std::string_view, 4> kNames{"a", "b", "tie", "skip"};
  return kNames[static_cast<std::size_t>(c)];
}

std::optional<Choice> choice_from_name(std::string_view name) {
  for (Choice c : {Choice::A, Choice::B, Choice::Tie, Choice::Skip})
    if (choice_name(c) == name) return c;
  return std::nullopt;
}

std::string utc_now() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms));
  return buf;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

Store Store::open(const std::string& path) {
  auto d = std::make_unique<Impl>();
  d->path = path;
  if (sqlite3_open_v2(path.c_str(), &d->db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                      nullptr) != SQLITE_OK)
    sql::fail(d->db, path, "cannot open the preference store");
  sqlite3_busy_timeout(d->db, 5000);
  sql::exec(d->db, path, "PRAGMA foreign_keys = ON");
  if (path != ":memory:") {
    sql::Statement s(d->db, path, "PRAGMA journal_mode = WAL");
    if (!s.step() || s.text(0) != "wal")
      throw StoreError(path + ": cannot switch the journal to WAL (is it on a network share?)");
  }
  // FULL: the WAL is synced at every commit, so a committed (acknowledged) write survives kill -9
  // and power loss (NORMAL would risk the last commits on power loss).
  sql::exec(d->db, path, "PRAGMA synchronous = FULL");
  {
    sql::Transaction t(d->db, path);
    const bool fresh =
        count(*d, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_version'") == 0;
    if (fresh) {
      if (count(*d, "SELECT COUNT(*) FROM sqlite_master") != 0)
        throw StoreError(path + ": not a semblend preference store (tables without a version)");
      sql::exec(d->db, path, kSchema);
    }
    // Older files are migrated in the same transaction (all or nothing).
    if (count(*d, "SELECT version FROM schema_version") == 1) sql::exec(d->db, path, kMigrateTo2);
    const std::int64_t version = count(*d, "SELECT version FROM schema_version");
    if (version != kSchemaVersion)
      throw StoreError(path + ": schema version " + std::to_string(version) +
                       ", this semblend reads version " + std::to_string(kSchemaVersion) +
                       (version > kSchemaVersion ? " (written by a newer semblend)" : ""));
    t.commit();
  }
  return Store(std::move(d));
}

const std::string& Store::path() const {
  return impl_->path;
}

void Store::transaction(const std::function<void()>& body) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Transaction t(impl_->db, impl_->path);
  body();
  t.commit();
}

int Store::schema_version() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  return int(count(*impl_, "SELECT version FROM schema_version"));
}

std::string Store::journal_mode() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path, "PRAGMA journal_mode");
  return s.step() ? s.text(0) : "";
}

std::int64_t Store::model_version(const std::string& name, const std::string& notes) {
  if (name.empty()) throw std::invalid_argument("a model version needs a name");
  return get_or_create(*impl_, "model_versions", name, notes);
}

std::string annotator_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 64) return "annotator: a name of 1 to 64 bytes is required";
  if (name.find_first_not_of(" \t") == std::string_view::npos)
    return "annotator: a name is more than spaces";
  for (unsigned char c : name)
    if (c < 0x20 || c == 0x7f) return "annotator: control characters";
  return "";
}

std::int64_t Store::annotator(const std::string& name) {
  if (const std::string why = annotator_name_problem(name); !why.empty())
    throw std::invalid_argument(why);
  return get_or_create(*impl_, "annotators", name, "");
}

std::optional<std::int64_t> Store::find_annotator(const std::string& name) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path, "SELECT id FROM annotators WHERE name = ?");
  s.bind(1, std::string_view(name));
  if (s.step()) return s.int64(0);
  return std::nullopt;
}

std::int64_t Store::add_item(const NewItem& item, bool* existed) {
  if (item.image_png.empty() || item.width <= 0 || item.height <= 0)
    throw std::invalid_argument("an item needs an image (" + item.source + ")");
  const std::string sum = sha256_hex(item.image_png);
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Transaction t(impl_->db, impl_->path);
  {
    sql::Statement s(impl_->db, impl_->path, "SELECT id FROM items WHERE sha256 = ?");
    s.bind(1, std::string_view(sum));
    if (s.step()) {
      if (existed) *existed = true;
      return s.int64(0);
    }
  }
  sql::Statement s(impl_->db, impl_->path,
                   "INSERT INTO items (source, sha256, width, height, head_yaw, head_pitch, "
                   "head_roll, image_png, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, std::string_view(item.source))
      .bind(2, std::string_view(sum))
      .bind(3, std::int64_t{item.width})
      .bind(4, std::int64_t{item.height})
      .bind(5, double(item.head.yaw))
      .bind(6, double(item.head.pitch))
      .bind(7, double(item.head.roll))
      .bind_blob(8, item.image_png)
      .bind(9, std::string_view(utc_now()))
      .run();
  const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
  t.commit();
  if (existed) *existed = false;
  return id;
}

std::optional<Item> Store::item(std::int64_t id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kItemColumns + " FROM items WHERE id = ?");
  s.bind(1, id);
  if (s.step()) return detail::read_item(s);
  return std::nullopt;
}

std::vector<Item> Store::items() const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kItemColumns + " FROM items ORDER BY id");
  std::vector<Item> out;
  while (s.step()) out.push_back(detail::read_item(s));
  return out;
}

std::optional<std::string> Store::item_png(std::int64_t id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path, "SELECT image_png FROM items WHERE id = ?");
  s.bind(1, id);
  if (s.step()) return s.blob(0);
  return std::nullopt;
}

std::int64_t Store::add_candidate(const NewCandidate& c) {
  detail::check_candidate(c);
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   "INSERT INTO candidates (item_id, kind, label, model_version_id, "
                   "coefficients, created) VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, c.item_id)
      .bind(2, std::string_view(c.kind))
      .bind(3, std::string_view(c.label))
      .bind(4, c.model_version_id)
      .bind(5, std::string_view(detail::coefficients_text(c.coefficients)))
      .bind(6, std::string_view(utc_now()));
  try {
    s.run();
  } catch (const StoreError& e) {
    throw std::invalid_argument(std::string("adding a candidate: ") + e.what());
  }
  return sqlite3_last_insert_rowid(impl_->db);
}

std::optional<Candidate> Store::candidate(std::int64_t id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(
      impl_->db, impl_->path,
      std::string("SELECT ") + detail::kCandidateColumns + " FROM candidates WHERE id = ?");
  s.bind(1, id);
  if (s.step()) return detail::read_candidate(s);
  return std::nullopt;
}

std::vector<Candidate> Store::candidates(std::int64_t item_id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kCandidateColumns +
                       " FROM candidates WHERE item_id = ? ORDER BY id");
  s.bind(1, item_id);
  std::vector<Candidate> out;
  while (s.step()) out.push_back(detail::read_candidate(s));
  return out;
}

std::int64_t Store::add_pair(const NewPair& p) {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  detail::check_pair(impl_->db, impl_->path, p);
  sql::Statement s(impl_->db, impl_->path,
                   "INSERT INTO pairs (item_id, region, a_id, b_id, priority, created) "
                   "VALUES (?, ?, ?, ?, ?, ?)");
  s.bind(1, p.item_id)
      .bind(2, std::string_view(p.region))
      .bind(3, p.a)
      .bind(4, p.b)
      .bind(5, p.priority)
      .bind(6, std::string_view(utc_now()))
      .run();
  return sqlite3_last_insert_rowid(impl_->db);
}

std::optional<Pair> Store::pair(std::int64_t id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(impl_->db, impl_->path,
                   std::string("SELECT ") + detail::kPairColumns + " FROM pairs WHERE id = ?");
  s.bind(1, id);
  if (s.step()) return detail::read_pair(s);
  return std::nullopt;
}

std::vector<Pair> Store::pairs(std::int64_t item_id) const {
  std::lock_guard<std::recursive_mutex> lock(impl_->mutex);
  sql::Statement s(
      impl_->db, impl_->path,
      std::string("SELECT ") + detail::kPairColumns + " FROM pairs WHERE item_id = ? ORDER BY id");
  s.bind(1, item_id);
  std::vector<Pair> out;
  while (s.step()) out.push_back(detail::read_pair(s));
  return out;
}

}  // namespace semblend::prefs
