// Internal: the preference store's state and row readers, shared by prefs_store.cpp (schema and
// queries) and prefs_jsonl.cpp (export and import).
#pragma once

#include <mutex>
#include <string>

#include "prefs/sqlite_util.h"
#include "semblend/prefs_store.h"

namespace semblend::prefs {

struct Store::Impl {
  sqlite3* db = nullptr;
  std::string path;
  // Held for every call's whole transaction; recursive so that transaction() can call the rest.
  mutable std::recursive_mutex mutex;
  ~Impl() { sqlite3_close_v2(db); }
};

namespace detail {

// 52 coefficients as a JSON array text ("[0.25,0,...]", %.9g: reads back to the same floats) and
// back. from_text throws std::invalid_argument on anything but 52 finite values in [0, 1].
std::string coefficients_text(const Coefficients& c);
Coefficients coefficients_from_text(std::string_view text);
void check_coefficients(const Coefficients& c);

// The rules every candidate and pair obeys, whether added (Store::add_candidate, add_pair) or
// imported (import_jsonl); each throws std::invalid_argument saying what is wrong.
// A candidate: kind "prediction", "edit" or "model"; a label; 52 coefficients in [0, 1].
void check_candidate(const NewCandidate& c);
// A pair: two different candidates, both of the pair's item (looked up in `db`); a comparison
// region prefs_candidates.h knows (learning refuses any other); a finite priority.
void check_pair(sqlite3* db, const std::string& path, const NewPair& p);

// Column lists and readers: each reader takes a statement whose columns are the matching list.
inline constexpr const char* kItemColumns =
    "id, source, sha256, width, height, head_yaw, head_pitch, head_roll, created";
inline constexpr const char* kCandidateColumns =
    "id, item_id, kind, label, model_version_id, coefficients, created";
inline constexpr const char* kPairColumns = "id, item_id, region, a_id, b_id, priority, created";
inline constexpr const char* kJudgmentColumns =
    "id, pair_id, annotator_id, choice, latency_ms, created, client_key, undone_at";
Item read_item(const sql::Statement& s);
Candidate read_candidate(const sql::Statement& s);
Pair read_pair(const sql::Statement& s);
Judgment read_judgment(const sql::Statement& s);

std::string random_key();  // 32 hex digits from std::random_device

}  // namespace detail
}  // namespace semblend::prefs
