// The SQLite RAII layer (sqlite_util.h).
#include "prefs/sqlite_util.h"

namespace semblend::prefs::sql {

void fail(sqlite3* db, const std::string& file, const std::string& what) {
  throw StoreError(file + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

Statement::Statement(sqlite3* db, const std::string& file, std::string_view text)
    : db_(db), file_(file) {
  if (sqlite3_prepare_v2(db, text.data(), int(text.size()), &stmt_, nullptr) != SQLITE_OK)
    fail(db, file, "preparing \"" + std::string(text.substr(0, 60)) + "\"");
}

Statement::~Statement() {
  sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int i, std::int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) fail(db_, file_, "binding");
  return *this;
}
Statement& Statement::bind(int i, double v) {
  if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) fail(db_, file_, "binding");
  return *this;
}
Statement& Statement::bind(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), int(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, file_, "binding");
  return *this;
}
Statement& Statement::bind_blob(int i, std::string_view v) {
  if (sqlite3_bind_blob(stmt_, i, v.data(), int(v.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, file_, "binding");
  return *this;
}
Statement& Statement::bind_null(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) fail(db_, file_, "binding");
  return *this;
}

bool Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, file_, "executing \"" + std::string(sqlite3_sql(stmt_)).substr(0, 60) + "\"");
}

std::int64_t Statement::int64(int col) const {
  return sqlite3_column_int64(stmt_, col);
}
double Statement::real(int col) const {
  return sqlite3_column_double(stmt_, col);
}
std::string Statement::text(int col) const {
  const auto* p = sqlite3_column_text(stmt_, col);
  return p ? std::string(reinterpret_cast<const char*>(p),
                         std::size_t(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
std::string Statement::blob(int col) const {
  const void* p = sqlite3_column_blob(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), std::size_t(sqlite3_column_bytes(stmt_, col)))
           : std::string();
}
bool Statement::is_null(int col) const {
  return sqlite3_column_type(stmt_, col) == SQLITE_NULL;
}

void exec(sqlite3* db, const std::string& file, const char* text) {
  char* err = nullptr;
  if (sqlite3_exec(db, text, nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string message = err ? err : "unknown error";
    sqlite3_free(err);
    throw StoreError(file + ": " + message);
  }
}

Transaction::Transaction(sqlite3* db, const std::string& file) : db_(db), file_(file) {
  if (sqlite3_get_autocommit(db) == 0) {  // inside an outer transaction: part of it
    done_ = true;
    return;
  }
  exec(db, file, "BEGIN IMMEDIATE");
}
Transaction::~Transaction() {
  if (!done_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
}
void Transaction::commit() {
  if (done_) return;
  exec(db_, file_, "COMMIT");
  done_ = true;
}

}  // namespace semblend::prefs::sql
