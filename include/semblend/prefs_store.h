// semblend/prefs_store.h — the preference store: photos, candidate faces, and people's judgments
// of which candidate matches a photo better, kept so that nothing acknowledged is ever lost.
//
// What it keeps (SQLite, one file, docs/serve.md "Storage"):
//   model_versions  solver versions whose predictions became candidates (name unique), and the
//                   versions preference training made: their correction (prefs_learn.h JSON)
//                   and held-out agreement
//   current_model   the trained version in use (none: the base solver); set_current_model rolls
//                   back or forward to any trained version
//   annotators      the people judging (name unique)
//   items           the photos or video frames judged: source name, SHA-256 of the stored PNG
//                   (unique), size, head pose as solved, the image (PNG, decoded and re-encoded)
//   candidates      full 52-coefficient vectors for an item: the prediction, semantic edits of it,
//                   other model versions' predictions; each with a kind and a label
//   pairs           two candidates of one item that differ in one comparison region, with a
//                   priority (higher = asked first: the solver is least sure there)
//   judgments       annotator, pair, choice (a, b, tie, skip), latency in ms, time (UTC), a client
//                   key (retries with the same key are not stored twice) and, after an undo, when
//                   it was undone (an undone judgment is kept, never deleted)
//   schema_version  one row: the schema version (kSchemaVersion); open() refuses a newer file and
//                   migrates an older one (version 1 -> 2: the correction columns, current_model)
//                   in one transaction
//
// Durability: WAL journal, synchronous=FULL: once a write function returns, the row survives the
// process being killed (kill -9) or the machine losing power. Several processes may open the
// same file (busy timeout 5 s).
//
// Export/import: JSONL, one object per row with "type" first (docs/serve.md "Export"). Import
// merges: rows are matched by natural keys (item SHA-256; names; a candidate's item, kind, label
// and coefficients; a pair's item, region, candidates, priority and creation time; a judgment's
// annotator and client key), so importing the same export twice adds nothing, and an export
// imported into an empty store exports the same lines again.
//
// Failure modes: StoreError (a std::runtime_error) naming the file and SQLite's message for an
// unopenable, corrupt or newer-schema database; std::invalid_argument for bad values (values
// outside [0, 1], unknown pair/annotator ids, a pair of one candidate); InputError (file:line)
// for a malformed import line.
//
// Thread safety: one Store may be used from any number of threads: it owns one connection and a
// (recursive) mutex that every call holds for its whole transaction (SQLite serialises writers
// anyway); transaction() holds it across its body.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "semblend/take.h"

namespace semblend::prefs {

inline constexpr int kSchemaVersion = 2;

// Why `name` cannot be an annotator's name, or "" when it can: 1 to 64 bytes, more than spaces,
// no control characters. The server, Store::annotator and import hold names to this one rule.
std::string annotator_name_problem(std::string_view name);

class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class Choice { A, B, Tie, Skip };
std::string_view choice_name(Choice c);  // "a", "b", "tie", "skip"
std::optional<Choice> choice_from_name(std::string_view name);

struct ModelVersion {
  std::int64_t id = 0;
  std::string name, notes, created;
  std::optional<std::string> correction;    // a trained version's correction JSON
  std::optional<double> heldout_agreement;  // measured when it was trained
};

struct Annotator {
  std::int64_t id = 0;
  std::string name, created;
};

struct NewItem {
  std::string source;     // a file name in the images folder, or "upload:<name>"
  std::string image_png;  // the decoded image, re-encoded as PNG (never the uploaded bytes)
  int width = 0, height = 0;
  HeadPose head;  // rotation only is kept (radians), for rendering candidates like the photo
};
struct Item {
  std::int64_t id = 0;
  std::string source, sha256, created;
  int width = 0, height = 0;
  HeadPose head;
};

struct NewCandidate {
  std::int64_t item_id = 0;
  std::string kind;   // "prediction", "edit", "model"
  std::string label;  // "prediction", "more smile", "model v2" ...
  std::optional<std::int64_t> model_version_id;
  Coefficients coefficients;
};
struct Candidate : NewCandidate {
  std::int64_t id = 0;
  std::string created;
};

struct NewPair {
  std::int64_t item_id = 0;
  std::string region;  // a comparison region name (prefs_candidates.h)
  std::int64_t a = 0, b = 0;
  double priority = 0;
};
struct Pair : NewPair {
  std::int64_t id = 0;
  std::string created;
};

struct NewJudgment {
  std::int64_t pair_id = 0;
  std::int64_t annotator_id = 0;
  Choice choice = Choice::Skip;
  std::int64_t latency_ms = 0;  // from showing the pair to the choice
  std::string client_key;       // "" = the store makes one; a repeat returns the first judgment
};
struct Judgment {
  std::int64_t id = 0, pair_id = 0, annotator_id = 0;
  Choice choice = Choice::Skip;
  std::int64_t latency_ms = 0;
  std::string created, client_key;
  std::optional<std::string> undone;  // when it was undone
  bool repeated = false;              // add_judgment: this key was already stored
};

struct Progress {
  std::int64_t judged = 0;  // pairs this annotator has a live (not undone) judgment of
  std::int64_t total = 0;   // pairs
};

struct Counts {
  std::int64_t items = 0, candidates = 0, pairs = 0, judgments = 0, undone = 0, annotators = 0,
               model_versions = 0;
};

struct ImportStats {
  std::int64_t lines = 0, added = 0, existing = 0;
};

class Store {
 public:
  // Opens (creating when missing) the database at `path`; ":memory:" for a private in-memory one.
  static Store open(const std::string& path);
  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  const std::string& path() const;
  // Runs `body` (which calls this store) as one transaction, holding the store's lock: all of its
  // writes are stored, or none (an exception rolls them back and propagates).
  void transaction(const std::function<void()>& body);
  int schema_version() const;
  std::string journal_mode() const;  // "wal" for a file

  // Get-or-create by name (an annotator's name: annotator_name_problem, else invalid_argument).
  std::int64_t model_version(const std::string& name, const std::string& notes = "");
  std::int64_t annotator(const std::string& name);
  std::optional<std::int64_t> find_annotator(const std::string& name) const;
  std::vector<ModelVersion> model_versions() const;
  // A version made by preference training (a new name; std::invalid_argument when it exists).
  std::int64_t add_model_version(const std::string& name, const std::string& notes,
                                 const std::string& correction, double heldout_agreement);
  // The trained version in use; nullopt = the base solver.
  std::optional<ModelVersion> current_model() const;
  // Makes a trained version current (nullopt: back to the base solver). std::invalid_argument
  // for an unknown id or a version without a correction.
  void set_current_model(std::optional<std::int64_t> id);

  // Adds an item; an image already stored (same SHA-256 of its PNG) returns the existing id.
  std::int64_t add_item(const NewItem& item, bool* existed = nullptr);
  std::optional<Item> item(std::int64_t id) const;
  std::vector<Item> items() const;
  std::optional<std::string> item_png(std::int64_t id) const;

  std::int64_t add_candidate(const NewCandidate& c);
  std::optional<Candidate> candidate(std::int64_t id) const;
  std::vector<Candidate> candidates(std::int64_t item_id) const;

  std::int64_t add_pair(const NewPair& p);
  std::optional<Pair> pair(std::int64_t id) const;
  std::vector<Pair> pairs(std::int64_t item_id) const;

  // Stores a judgment durably before returning. Throws std::invalid_argument for an unknown pair or
  // annotator. With a client key already stored for this annotator, returns that judgment
  // (repeated = true) and stores nothing.
  Judgment add_judgment(const NewJudgment& j);
  // Marks the annotator's judgment undone (kept, with the time). Returns it; nullopt when there is
  // no such judgment of this annotator. Undoing twice keeps the first time.
  std::optional<Judgment> undo_judgment(std::int64_t judgment_id, std::int64_t annotator_id);
  std::vector<Judgment> judgments(std::optional<std::int64_t> annotator_id = {}) const;

  // The pair this annotator should judge next: none of their live judgments, fewest live
  // judgments by anyone, then highest priority, then oldest; of one item when `item_id` is given.
  // nullopt when all are judged.
  std::optional<Pair> next_pair(std::optional<std::int64_t> annotator_id,
                                std::optional<std::int64_t> item_id = {}) const;
  Progress progress(std::optional<std::int64_t> annotator_id) const;
  Counts counts() const;

  // Every row as JSONL (schema line first); with_images = false leaves the PNGs out (such an
  // export cannot be imported into a store that lacks the items).
  std::string export_jsonl(bool with_images = true) const;
  // Merges an export (see above) in one transaction; `name` is used in error messages.
  ImportStats import_jsonl(std::string_view text, const std::string& name);

  struct Impl;  // opaque (src/prefs/store_impl.h)

 private:
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// "2026-05-01T12:34:56.789Z": the store's time format.
std::string utc_now();

}  // namespace semblend::prefs
