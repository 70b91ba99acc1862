// The preference store's JSONL export and merging import (prefs_store.h, docs/serve.md "Export").
#include <map>

#include "core/sha256.h"
#include "formats/json_util.h"
#include "prefs/store_impl.h"
#include "semblend/error.h"

namespace semblend::prefs {

namespace {

using formats::json;

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = std::uint32_t(std::uint8_t(in[i])) << 16;
    if (i + 1 < in.size()) v |= std::uint32_t(std::uint8_t(in[i + 1])) << 8;
    if (i + 2 < in.size()) v |= std::uint8_t(in[i + 2]);
    out += kB64[(v >> 18) & 63];
    out += kB64[(v >> 12) & 63];
    out += i + 1 < in.size() ? kB64[(v >> 6) & 63] : '=';
    out += i + 2 < in.size() ? kB64[v & 63] : '=';
  }
  return out;
}

std::optional<std::string> unbase64(std::string_view in) {
  if (in.size() % 4) return std::nullopt;
  std::string out;
  std::uint32_t v = 0;
  int bits = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size()) return std::nullopt;
      break;
    }
    const char* p = std::char_traits<char>::find(kB64, 64, c);
    if (!p) return std::nullopt;
    v = (v << 6) | std::uint32_t(p - kB64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((v >> bits) & 0xff);
    }
  }
  return out;
}

json coefficients_json(const Coefficients& c) {
  json a = json::array();
  for (float v : c.values()) a.push_back(formats::float_number(v));
  return a;
}

std::string line(const json& j) {
  // Bytes that are not UTF-8 (a name stored before names were checked) become U+FFFD rather
  // than failing the export.
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

// Reading one line's fields, with file:line in every error.
struct Reader {
  const json& j;
  const std::string& file;
  std::size_t line_no;
  [[noreturn]] void fail(const std::string& problem) const {
    throw InputError(file, line_no, 0, problem);
  }
  const json& at(const char* key) const {
    if (!j.contains(key)) fail(std::string("missing \"") + key + "\"");
    return j.at(key);
  }
  std::string str(const char* key) const {
    const json& v = at(key);
    if (!v.is_string()) fail(std::string("\"") + key + "\" is not a string");
    return v.get<std::string>();
  }
  std::optional<std::string> opt_str(const char* key) const {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return str(key);
  }
  double num(const char* key) const {
    const json& v = at(key);
    if (!v.is_number()) fail(std::string("\"") + key + "\" is not a number");
    return v.get<double>();
  }
  std::int64_t integer(const char* key) const {
    const json& v = at(key);
    if (!v.is_number_integer()) fail(std::string("\"") + key + "\" is not an integer");
    return v.get<std::int64_t>();
  }
  std::optional<std::int64_t> opt_integer(const char* key) const {
    if (!j.contains(key) || j.at(key).is_null()) return std::nullopt;
    return integer(key);
  }
  std::int64_t mapped(const std::map<std::int64_t, std::int64_t>& ids, const char* key,
                      const char* what) const {
    const std::int64_t id = integer(key);
    const auto it = ids.find(id);
    if (it == ids.end())
      fail(std::string(what) + " " + std::to_string(id) + " is not defined above");
    return it->second;
  }
};

// Runs `query` with the binder and returns the first column of the first row, if any.
template <typename Bind>
std::optional<std::int64_t> find_id(Store::Impl& d, const char* query, Bind bind) {
  sql::Statement s(d.db, d.path, query);
  bind(s);
  if (s.step()) return s.int64(0);
  return std::nullopt;
}

}  // namespace

std::string Store::export_jsonl(bool with_images) const {
  Impl& d = *impl_;
  std::lock_guard<std::recursive_mutex> lock(d.mutex);
  sql::Transaction t(d.db, d.path);  // one consistent snapshot
  std::string out = line(json{{"type", "semblend.prefs"}, {"version", kSchemaVersion}});
  {
    sql::Statement s(d.db, d.path,
                     "SELECT id, name, notes, created, correction, heldout_agreement FROM "
                     "model_versions ORDER BY id");
    while (s.step()) {
      json m{{"type", "model_version"},
             {"id", s.int64(0)},
             {"name", s.text(1)},
             {"notes", s.text(2)},
             {"created", s.text(3)}};
      if (!s.is_null(4)) m["correction"] = s.text(4);  // trained versions only (schema 2)
      if (!s.is_null(5)) m["heldout_agreement"] = s.real(5);
      out += line(m);
    }
  }
  {
    sql::Statement s(d.db, d.path, "SELECT id, name, created FROM annotators ORDER BY id");
    while (s.step())
      out += line(json{
          {"type", "annotator"}, {"id", s.int64(0)}, {"name", s.text(1)}, {"created", s.text(2)}});
  }
  {
    sql::Statement s(
        d.db, d.path,
        std::string("SELECT ") + detail::kItemColumns + ", image_png FROM items ORDER BY id");
    while (s.step()) {
      const Item i = detail::read_item(s);
      json j{{"type", "item"},
             {"id", i.id},
             {"source", i.source},
             {"sha256", i.sha256},
             {"width", i.width},
             {"height", i.height},
             {"head", {{"yaw", i.head.yaw}, {"pitch", i.head.pitch}, {"roll", i.head.roll}}},
             {"created", i.created}};
      if (with_images) j["image_png_base64"] = base64(s.blob(9));
      out += line(j);
    }
  }
  {
    sql::Statement s(
        d.db, d.path,
        std::string("SELECT ") + detail::kCandidateColumns + " FROM candidates ORDER BY id");
    while (s.step()) {
      const Candidate c = detail::read_candidate(s);
      out +=
          line(json{{"type", "candidate"},
                    {"id", c.id},
                    {"item_id", c.item_id},
                    {"kind", c.kind},
                    {"label", c.label},
                    {"model_version_id", c.model_version_id ? json(*c.model_version_id) : json()},
                    {"coefficients", coefficients_json(c.coefficients)},
                    {"created", c.created}});
    }
  }
  {
    sql::Statement s(d.db, d.path,
                     std::string("SELECT ") + detail::kPairColumns + " FROM pairs ORDER BY id");
    while (s.step()) {
      const Pair p = detail::read_pair(s);
      out += line(json{{"type", "pair"},
                       {"id", p.id},
                       {"item_id", p.item_id},
                       {"region", p.region},
                       {"a", p.a},
                       {"b", p.b},
                       {"priority", p.priority},
                       {"created", p.created}});
    }
  }
  {
    sql::Statement s(
        d.db, d.path,
        std::string("SELECT ") + detail::kJudgmentColumns + " FROM judgments ORDER BY id");
    while (s.step()) {
      const Judgment j = detail::read_judgment(s);
      out += line(json{{"type", "judgment"},
                       {"id", j.id},
                       {"pair_id", j.pair_id},
                       {"annotator_id", j.annotator_id},
                       {"choice", choice_name(j.choice)},
                       {"latency_ms", j.latency_ms},
                       {"created", j.created},
                       {"client_key", j.client_key},
                       {"undone", j.undone ? json(*j.undone) : json()}});
    }
  }
  t.commit();
  return out;
}

ImportStats Store::import_jsonl(std::string_view text, const std::string& name) {
  Impl& d = *impl_;
  std::lock_guard<std::recursive_mutex> lock(d.mutex);
  sql::Transaction t(d.db, d.path);
  ImportStats stats;
  std::map<std::int64_t, std::int64_t> models, annotators, items, candidates, pairs;
  bool header = false;
  std::size_t current_line = 0;
  auto keep = [&](std::map<std::int64_t, std::int64_t>& ids, std::int64_t old_id,
                  std::optional<std::int64_t> found, auto insert) {
    if (ids.count(old_id))  // a record's id names one record: a second is a broken export
      throw InputError(name, current_line, 0,
                       "id " + std::to_string(old_id) + " appears twice for this type");
    if (found) {
      ++stats.existing;
      ids[old_id] = *found;
      return;
    }
    insert();
    ids[old_id] = sqlite3_last_insert_rowid(d.db);
    ++stats.added;
  };
  formats::for_each_json_line(text, name, [&](const json& j, std::size_t line_no) {
    const Reader r{j, name, line_no};
    current_line = line_no;
    if (!j.is_object()) r.fail("expected an object");
    const std::string type = r.str("type");
    ++stats.lines;
    if (!header) {
      if (type != "semblend.prefs") r.fail("the first line must be {\"type\": \"semblend.prefs\"}");
      // Version 1 exports differ only in lacking the trained versions' columns.
      if (r.integer("version") < 1 || r.integer("version") > kSchemaVersion)
        r.fail("export version " + std::to_string(r.integer("version")) + ", expected 1 to " +
               std::to_string(kSchemaVersion));
      header = true;
      return;
    }
    const std::int64_t old_id = r.integer("id");
    if (type == "model_version" || type == "annotator") {
      const bool model = type == "model_version";
      const std::string nm = r.str("name");
      // The rule the server holds annotators' names to.
      if (model && nm.empty()) r.fail("a model version needs a name");
      if (const std::string why = model ? "" : annotator_name_problem(nm); !why.empty())
        r.fail("name \"" + nm + "\": " + why);
      auto& ids = model ? models : annotators;
      keep(ids, old_id,
           find_id(d,
                   model ? "SELECT id FROM model_versions WHERE name = ?"
                         : "SELECT id FROM annotators WHERE name = ?",
                   [&](sql::Statement& s) { s.bind(1, std::string_view(nm)); }),
           [&] {
             sql::Statement s(d.db, d.path,
                              model
                                  ? "INSERT INTO model_versions (name, created, notes, correction, "
                                    "heldout_agreement) VALUES (?, ?, ?, ?, ?)"
                                  : "INSERT INTO annotators (name, created) VALUES (?, ?)");
             s.bind(1, std::string_view(nm)).bind(2, std::string_view(r.str("created")));
             if (model) {
               s.bind(3, std::string_view(r.str("notes"))).bind(4, r.opt_str("correction"));
               if (j.contains("heldout_agreement") && !j.at("heldout_agreement").is_null())
                 s.bind(5, r.num("heldout_agreement"));
               else
                 s.bind_null(5);
             }
             s.run();
           });
    } else if (type == "item") {
      const std::string sum = r.str("sha256");
      const json& head = r.at("head");
      const Reader h{head, name, line_no};
      keep(items, old_id,
           find_id(d, "SELECT id FROM items WHERE sha256 = ?",
                   [&](sql::Statement& s) { s.bind(1, std::string_view(sum)); }),
           [&] {
             const auto b64 = r.opt_str("image_png_base64");
             if (!b64) r.fail("item " + sum + " has no image and is not in this store");
             const auto png = unbase64(*b64);
             if (!png) r.fail("image_png_base64 is not base64");
             if (sha256_hex(*png) != sum) r.fail("the image does not match its sha256");
             sql::Statement s(
                 d.db, d.path,
                 "INSERT INTO items (source, sha256, width, height, head_yaw, "
                 "head_pitch, head_roll, image_png, created) VALUES (?, ?, ?, ?, ?, ?, "
                 "?, ?, ?)");
             s.bind(1, std::string_view(r.str("source")))
                 .bind(2, std::string_view(sum))
                 .bind(3, r.integer("width"))
                 .bind(4, r.integer("height"))
                 .bind(5, h.num("yaw"))
                 .bind(6, h.num("pitch"))
                 .bind(7, h.num("roll"))
                 .bind_blob(8, *png)
                 .bind(9, std::string_view(r.str("created")))
                 .run();
           });
    } else if (type == "candidate") {
      const std::int64_t item = r.mapped(items, "item_id", "item");
      const json& values = r.at("coefficients");
      if (!values.is_array() || values.size() != kBlendshapeCount)
        r.fail("\"coefficients\" must be an array of 52 numbers");
      Coefficients c;
      for (std::size_t k = 0; k < kBlendshapeCount; ++k) {
        if (!values[k].is_number()) r.fail("coefficient " + std::to_string(k) + " is not a number");
        c.set_at(k, values[k].get<float>());
      }
      const std::string kind = r.str("kind"), label = r.str("label");
      std::optional<std::int64_t> model;
      if (r.opt_integer("model_version_id"))
        model = r.mapped(models, "model_version_id", "model version");
      try {
        detail::check_candidate({item, kind, label, model, c});
      } catch (const std::invalid_argument& e) {
        r.fail(e.what());
      }
      const std::string coeffs = detail::coefficients_text(c);
      keep(candidates, old_id,
           find_id(
               d,
               "SELECT id FROM candidates WHERE item_id = ? AND kind = ? AND label = ? AND "
               "coefficients = ?",
               [&](sql::Statement& s) {
                 s.bind(1, item).bind(2, std::string_view(kind)).bind(3, std::string_view(label));
                 s.bind(4, std::string_view(coeffs));
               }),
           [&] {
             sql::Statement s(d.db, d.path,
                              "INSERT INTO candidates (item_id, kind, label, model_version_id, "
                              "coefficients, created) VALUES (?, ?, ?, ?, ?, ?)");
             s.bind(1, item).bind(2, std::string_view(kind)).bind(3, std::string_view(label));
             s.bind(4, model).bind(5, std::string_view(coeffs));
             s.bind(6, std::string_view(r.str("created"))).run();
           });
    } else if (type == "pair") {
      const std::int64_t item = r.mapped(items, "item_id", "item");
      const std::int64_t a = r.mapped(candidates, "a", "candidate");
      const std::int64_t b = r.mapped(candidates, "b", "candidate");
      const std::string region = r.str("region");
      try {
        detail::check_pair(d.db, d.path, {item, region, a, b, r.num("priority")});
      } catch (const std::invalid_argument& e) {
        r.fail(e.what());
      }
      keep(
          pairs, old_id,
          find_id(d,
                  "SELECT id FROM pairs WHERE item_id = ? AND region = ? AND a_id = ? AND b_id = ? "
                  "AND created = ? AND priority = ?",
                  [&](sql::Statement& s) {
                    s.bind(1, item).bind(2, std::string_view(region)).bind(3, a).bind(4, b);
                    s.bind(5, std::string_view(r.str("created"))).bind(6, r.num("priority"));
                  }),
          [&] {
            sql::Statement s(d.db, d.path,
                             "INSERT INTO pairs (item_id, region, a_id, b_id, priority, created) "
                             "VALUES (?, ?, ?, ?, ?, ?)");
            s.bind(1, item).bind(2, std::string_view(region)).bind(3, a).bind(4, b);
            s.bind(5, r.num("priority")).bind(6, std::string_view(r.str("created"))).run();
          });
    } else if (type == "judgment") {
      const std::int64_t pair_id = r.mapped(pairs, "pair_id", "pair");
      const std::int64_t annotator = r.mapped(annotators, "annotator_id", "annotator");
      const std::string key = r.str("client_key"), choice = r.str("choice");
      if (!choice_from_name(choice)) r.fail("unknown choice \"" + choice + "\"");
      if (key.empty() || key.size() > 100) r.fail("client_key: 1 to 100 characters");
      if (r.integer("latency_ms") < 0) r.fail("latency_ms must not be negative");
      // A key names one judgment of its annotator: the same key for another judgment (in the
      // file or the store) would silently drop one of them.
      {
        sql::Statement s(d.db, d.path,
                         "SELECT pair_id, choice FROM judgments WHERE annotator_id = ? AND "
                         "client_key = ?");
        s.bind(1, annotator).bind(2, std::string_view(key));
        if (s.step() && (s.int64(0) != pair_id || s.text(1) != choice))
          r.fail("client_key \"" + key + "\" already names another judgment of annotator " +
                 std::to_string(annotator) + " (pair " + std::to_string(s.int64(0)) + ", " +
                 s.text(1) + ")");
      }
      std::map<std::int64_t, std::int64_t> unused;
      keep(unused, old_id,
           find_id(d, "SELECT id FROM judgments WHERE annotator_id = ? AND client_key = ?",
                   [&](sql::Statement& s) { s.bind(1, annotator).bind(2, std::string_view(key)); }),
           [&] {
             sql::Statement s(d.db, d.path,
                              "INSERT INTO judgments (pair_id, annotator_id, choice, latency_ms, "
                              "created, client_key, undone_at) VALUES (?, ?, ?, ?, ?, ?, ?)");
             s.bind(1, pair_id).bind(2, annotator).bind(3, std::string_view(choice));
             s.bind(4, r.integer("latency_ms")).bind(5, std::string_view(r.str("created")));
             s.bind(6, std::string_view(key)).bind(7, r.opt_str("undone")).run();
           });
    } else {
      r.fail("unknown type \"" + type + "\"");
    }
  });
  if (!header) throw InputError(name, 0, 0, "empty: not a semblend.prefs export");
  t.commit();
  return stats;
}

}  // namespace semblend::prefs
