// Internal: a thin RAII layer over SQLite's C API for the preference store (src/prefs only
// includes sqlite3.h). Every failure throws StoreError with the database file and SQLite's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "semblend/prefs_store.h"

namespace semblend::prefs::sql {

[[noreturn]] void fail(sqlite3* db, const std::string& file, const std::string& what);

// One prepared statement; bind with 1-based indices, step() until it returns false.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& file, std::string_view text);
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& bind(int i, std::int64_t v);
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);  // TEXT
  Statement& bind_blob(int i, std::string_view v);
  Statement& bind_null(int i);
  Statement& bind(int i, const std::optional<std::int64_t>& v) {
    return v ? bind(i, *v) : bind_null(i);
  }
  Statement& bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
  }

  bool step();  // true: a row is ready; false: done
  void run() {
    while (step()) {
    }
  }
  std::int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;  // "" for NULL
  std::string blob(int col) const;
  bool is_null(int col) const;
  std::optional<std::int64_t> opt_int64(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::int64_t>(int64(col));
  }
  std::optional<std::string> opt_text(int col) const {
    return is_null(col) ? std::nullopt : std::optional<std::string>(text(col));
  }

 private:
  sqlite3* db_;
  const std::string& file_;
  sqlite3_stmt* stmt_ = nullptr;
};

void exec(sqlite3* db, const std::string& file, const char* text);

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit(). Inside an outer
// transaction it does nothing: the outer one commits or rolls back everything.
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& file);
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  sqlite3* db_;
  const std::string& file_;
  bool done_ = false;
};

}  // namespace semblend::prefs::sql
