// `semblend serve`: the routes of the JSON API (docs/serve.md) and the security checks
// (serve_api.h).
#include "serve_api.h"

#include <httplib.h>

#include <cctype>
#include <charconv>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/formats.h"
#include "serve_assets.h"

namespace semblend::cli::serve {

namespace {

using httplib::Request;
using httplib::Response;
using nlohmann::json;
using Server = httplib::Server;

void reply(Response& res, int status, const json& body) {
  res.status = status;
  // Bytes that are not UTF-8 (a store written before names were checked) become U+FFFD rather
  // than failing the whole reply.
  res.set_content(body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
}

void error(Response& res, int status, const std::string& message) {
  reply(res, status, json{{"error", {{"status", status}, {"message", message}}}});
}

bool equal_time_constant(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d |= static_cast<unsigned char>(a[i] ^ b[i]);
  return d == 0;
}

// A request whose content is wrong (a 400 with this message).
struct BadRequest : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A handler that turns exceptions into JSON errors with their message.
Server::Handler guarded(std::function<void(const Request&, Response&)> fn) {
  return [fn = std::move(fn)](const Request& req, Response& res) {
    try {
      fn(req, res);
    } catch (const BadRequest& e) {
      error(res, 400, e.what());
    } catch (const json::exception& e) {
      error(res, 400, std::string("bad JSON value: ") + e.what());
    } catch (const InputError& e) {
      error(res, 415, std::string("not an image this server reads: ") + e.what());
    } catch (const std::out_of_range& e) {
      error(res, 400, std::string("a number out of range: ") + e.what());
    } catch (const std::invalid_argument& e) {
      error(res, 422, e.what());
    } catch (const std::exception& e) {
      error(res, 500, std::string("internal error: ") + e.what());
    }
  };
}

// The media type of a Content-Type header: lower case, without parameters ("; charset=...").
std::string media_type(const std::string& header) {
  std::string t = header.substr(0, header.find(';'));
  t.erase(t.find_last_not_of(" \t") + 1);
  t.erase(0, t.find_first_not_of(" \t"));
  for (char& c : t) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return t;
}

// The JSON object of a POST body, or an error reply (and nullopt).
std::optional<json> json_body(const Request& req, Response& res, std::size_t max_bytes) {
  const std::string type = req.get_header_value("Content-Type");
  if (media_type(type) != "application/json") {
    error(res, 415, "expected Content-Type: application/json, got \"" + type + "\"");
    return std::nullopt;
  }
  if (req.body.size() > max_bytes) {
    error(res, 413,
          "JSON body of " + std::to_string(req.body.size()) + " bytes; the limit is " +
              std::to_string(max_bytes));
    return std::nullopt;
  }
  // semblend's one JSON rule (a key named twice is refused, not last-wins), then the parse.
  try {
    check_json(req.body, "request body");
  } catch (const InputError& e) {
    std::string where;
    if (e.line() > 0) where = "line " + std::to_string(e.line()) + ", ";
    if (e.column() > 0) where += "column " + std::to_string(e.column()) + ": ";
    error(res, 400, "malformed JSON: " + where + e.problem());
    return std::nullopt;
  }
  json j = json::parse(req.body);
  if (!j.is_object()) {
    error(res, 400, "malformed request: the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

// An annotator name: the store's rule (prefs::annotator_name_problem), and UTF-8 (a query
// parameter can hold any bytes; a JSON body cannot).
std::string annotator_name(const std::string& name) {
  if (const std::string why = prefs::annotator_name_problem(name); !why.empty())
    throw std::invalid_argument(why);
  if (utf8_safe(name, name.size()) != name) throw std::invalid_argument("annotator: not UTF-8");
  return name;
}

std::int64_t id_of(const Request& req) {
  return std::stoll(req.matches[1].str());
}

// A whole number in [lo, hi] given as text (a query parameter), or std::invalid_argument naming
// it: "1.5", "1abc" and "" are not item 1.
std::int64_t whole_number(const std::string& name, const std::string& text, std::int64_t lo,
                          std::int64_t hi) {
  std::int64_t v = 0;
  const char* end = text.data() + text.size();
  const auto [stop, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || stop != end || text.empty() || v < lo || v > hi)
    throw BadRequest(name + ": \"" + text + "\" is not a whole number in [" + std::to_string(lo) +
                     ", " + std::to_string(hi) + "]");
  return v;
}

// A text field of a JSON body (a number or a list there is a 400, not a 500).
std::string text_field(const json& j, const char* key) {
  const json& v = j.at(key);
  if (!v.is_string()) throw BadRequest(std::string(key) + " must be a string, got " + v.dump());
  return v.get<std::string>();
}

// A whole-number field of a JSON body in [lo, hi]: 2.9, 1e300 and 2^64 - 1 are errors, not 2,
// INT64_MIN and -1.
std::int64_t whole_field(const json& j, const char* key, std::int64_t lo, std::int64_t hi) {
  const json& v = j.at(key);
  const bool in_range =
      v.is_number_integer() &&
      (v.is_number_unsigned() ? v.get<std::uint64_t>() <= std::uint64_t(hi)
                              : v.get<std::int64_t>() >= lo && v.get<std::int64_t>() <= hi);
  if (!in_range)
    throw BadRequest(std::string(key) + " must be a whole number in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "], got " + v.dump());
  return v.get<std::int64_t>();
}

json progress_json(const prefs::Progress& p) {
  return {{"judged", p.judged}, {"total", p.total}};
}

json judgment_json(const prefs::Judgment& j) {
  return {{"id", j.id},
          {"pair_id", j.pair_id},
          {"annotator_id", j.annotator_id},
          {"choice", prefs::choice_name(j.choice)},
          {"latency_ms", j.latency_ms},
          {"created", j.created},
          {"client_key", j.client_key},
          {"undone", j.undone ? json(*j.undone) : json()}};
}

json region_json(const prefs::ComparisonRegion& r) {
  return {{"name", r.name}, {"question", r.question}, {"coarse", r.coarse}, {"box", r.box}};
}

json pair_json(const prefs::Store& store, const prefs::Pair& p) {
  const std::optional<prefs::Item> item = store.item(p.item_id);
  const std::string v = item ? item->sha256.substr(0, 12) : "";
  json region = {{"name", p.region}, {"question", "Which face matches the photo better?"}};
  try {
    region = region_json(prefs::comparison_region(p.region));
  } catch (const std::invalid_argument&) {
  }
  auto side = [&](std::int64_t c) {
    return json{{"candidate_id", c},
                {"image_url", "/api/v1/candidates/" + std::to_string(c) + "/render.png?v=" + v}};
  };
  return {{"pair_id", p.id},
          {"item",
           {{"id", p.item_id},
            {"source", item ? item->source : ""},
            {"width", item ? item->width : 0},
            {"height", item ? item->height : 0},
            {"image_url", "/api/v1/items/" + std::to_string(p.item_id) + "/image.png?v=" + v}}},
          {"region", region},
          {"a", side(p.a)},
          {"b", side(p.b)}};
}

void png(Response& res, const std::string& bytes) {
  res.set_header("Cache-Control", "private, max-age=86400, immutable");
  res.set_content(bytes, "image/png");
}

}  // namespace

void ServeApp::install(Server& server) {
  server.new_task_queue = [n = std::size_t(config_.threads)] { return new httplib::ThreadPool(n); };
  server.set_payload_max_length(config_.max_upload_bytes);
  server.set_keep_alive_max_count(10000);
  server.set_read_timeout(10);
  server.set_write_timeout(10);
  server.set_default_headers({{"X-Content-Type-Options", "nosniff"},
                              {"X-Frame-Options", "DENY"},
                              {"Referrer-Policy", "no-referrer"},
                              {"Cache-Control", "no-store"}});

  server.set_pre_routing_handler([this](const Request& req, Response& res) {
    if (req.method != "GET" && req.method != "HEAD" && req.method != "POST") {
      error(res, 405, "method " + req.method + " is not allowed (GET reads, POST writes)");
      return Server::HandlerResponse::Handled;
    }
    const std::string host = req.get_header_value("Host");
    if (is_loopback(config_.host)) {
      // DNS rebinding: a page elsewhere must not reach a loopback server by a name of its own.
      const std::string name = host.substr(
          0, host.rfind(':') == std::string::npos || host.back() == ']' ? host.size()
                                                                        : host.rfind(':'));
      if (!(name == "127.0.0.1" || name == "localhost" || name == "[::1]")) {
        error(res, 403, "Host \"" + host + "\" is not this loopback server");
        return Server::HandlerResponse::Handled;
      }
    }
    if (req.method == "POST") {
      if (token_required() &&
          !equal_time_constant(req.get_header_value("X-Semblend-Token"), config_.token)) {
        error(res, 403, "this server needs its session token in the X-Semblend-Token header");
        return Server::HandlerResponse::Handled;
      }
      const std::string origin = req.get_header_value("Origin");
      if (!origin.empty() && origin != "http://" + host) {
        error(res, 403, "cross-origin POST from " + origin + " refused");
        return Server::HandlerResponse::Handled;
      }
      // Called before the body is read: a chunked body's size is unknown until all of it has
      // arrived, so the upload limit could only be held after reading it. Browsers send a length.
      if (req.has_header("Transfer-Encoding")) {
        error(res, 411,
              "send the body with a Content-Length (Transfer-Encoding \"" +
                  req.get_header_value("Transfer-Encoding") + "\" is not accepted)");
        res.set_header("Connection", "close");  // the unread body must not be taken as a request
        return Server::HandlerResponse::Handled;
      }
    }
    return Server::HandlerResponse::Unhandled;
  });
  server.set_error_handler(Server::HandlerWithResponse([](const Request&, Response& res) {
    if (!res.body.empty()) return Server::HandlerResponse::Unhandled;
    const std::string what = res.status == 404   ? "not found"
                             : res.status == 413 ? "request body too large"
                             : res.status == 400 ? "malformed request"
                                                 : "error";
    error(res, res.status, what);
    return Server::HandlerResponse::Handled;
  }));
  server.set_exception_handler(
      [](const Request&, Response& res, std::exception_ptr) { error(res, 500, "internal error"); });

  for (const Asset& a : web_assets()) {
    const std::string path = a.path == "index.html" ? "/" : "/" + std::string(a.path);
    server.Get(path, [a](const Request&, Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; "
                     "script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
      res.set_content(std::string(a.content), std::string(a.mime));
    });
  }

  server.Get("/api/v1/info", guarded([this](const Request&, Response& res) {
               const prefs::Counts c = store_.counts();
               json regions = json::array();
               for (const auto& r : prefs::kComparisonRegions) regions.push_back(region_json(r));
               reply(res, 200,
                     {{"api_version", kApiVersion},
                      {"server", "semblend 0.1.0"},
                      {"token_required", token_required()},
                      {"model", config_.model_name},
                      {"limits",
                       {{"max_upload_bytes", config_.max_upload_bytes},
                        {"max_json_bytes", config_.max_json_bytes}}},
                      {"regions", regions},
                      {"counts",
                       {{"items", c.items},
                        {"candidates", c.candidates},
                        {"pairs", c.pairs},
                        {"judgments", c.judgments},
                        {"undone", c.undone},
                        {"annotators", c.annotators},
                        {"model_versions", c.model_versions}}}});
             }));

  server.Get("/api/v1/items", guarded([this](const Request&, Response& res) {
               json items = json::array();
               for (const prefs::Item& i : store_.items())
                 items.push_back({{"id", i.id},
                                  {"source", i.source},
                                  {"width", i.width},
                                  {"height", i.height},
                                  {"pairs", store_.pairs(i.id).size()},
                                  {"image_url", "/api/v1/items/" + std::to_string(i.id) +
                                                    "/image.png?v=" + i.sha256.substr(0, 12)}});
               reply(res, 200, {{"items", items}});
             }));
  server.Get(R"(/api/v1/items/(\d{1,18})/image\.png)",
             guarded([this](const Request& req, Response& res) {
               const auto bytes = store_.item_png(id_of(req));
               if (!bytes) return error(res, 404, "no item " + req.matches[1].str());
               png(res, *bytes);
             }));
  server.Get("/api/v1/images", guarded([this](const Request&, Response& res) {
               reply(res, 200, {{"images", folder_images()}});
             }));
  server.Post(
      "/api/v1/items", guarded([this](const Request& req, Response& res) {
        const std::string type = req.get_header_value("Content-Type");
        AddResult r;
        if (media_type(type) == "application/json") {
          const auto j = json_body(req, res, config_.max_json_bytes);
          if (!j) return;
          if (!j->contains("image") || !(*j)["image"].is_string())
            return error(res, 400, "expected {\"image\": NAME} (a name from /api/v1/images)");
          const std::string name = (*j)["image"];
          const std::vector<std::string> names = folder_images();
          // Only names the server listed itself: a client never names a path.
          if (std::find(names.begin(), names.end(), name) == names.end())
            return error(res, 404, "no image \"" + name + "\" in the images folder");
          r = add_image(read_file((std::filesystem::path(config_.images_dir) / name).string(),
                                  config_.max_upload_bytes),
                        name);
        } else if (media_type(type).rfind("image/", 0) == 0 ||
                   media_type(type) == "application/octet-stream") {
          std::string name = req.has_param("name") ? req.get_param_value("name") : "photo";
          name = utf8_safe(std::filesystem::path(name).filename().string(), 100);
          for (char& c : name)
            if (static_cast<unsigned char>(c) < 0x20) c = '_';
          r = add_image(req.body, "upload:" + name);
        } else {
          return error(res, 415,
                       "upload an image (Content-Type: image/...) or name one from the "
                       "folder (application/json)");
        }
        reply(res, r.existed ? 200 : 201,
              {{"item_id", r.item_id}, {"existed", r.existed}, {"pairs", r.pairs}});
      }));

  server.Get(
      R"(/api/v1/candidates/(\d{1,18}))", guarded([this](const Request& req, Response& res) {
        const auto c = store_.candidate(id_of(req));
        if (!c) return error(res, 404, "no candidate " + req.matches[1].str());
        json coefficients = json::object();
        for (std::size_t k = 0; k < kBlendshapeCount; ++k)
          coefficients[std::string(info(blendshape_at(k)).apple_name)] = c->coefficients.at(k);
        reply(res, 200,
              {{"id", c->id},
               {"item_id", c->item_id},
               {"kind", c->kind},
               {"label", c->label},
               {"model_version_id", c->model_version_id ? json(*c->model_version_id) : json()},
               {"coefficients", coefficients}});
      }));
  server.Get(R"(/api/v1/candidates/(\d{1,18})/render\.png)",
             guarded([this](const Request& req, Response& res) {
               const auto bytes = render_png(id_of(req));
               if (!bytes) return error(res, 404, "no candidate " + req.matches[1].str());
               png(res, *bytes);
             }));
  server.Get(R"(/api/v1/pairs/(\d{1,18}))", guarded([this](const Request& req, Response& res) {
               const auto p = store_.pair(id_of(req));
               if (!p) return error(res, 404, "no pair " + req.matches[1].str());
               reply(res, 200, pair_json(store_, *p));
             }));

  auto annotator_of = [this](const Request& req) -> std::optional<std::int64_t> {
    if (!req.has_param("annotator")) return std::nullopt;
    return store_.find_annotator(annotator_name(req.get_param_value("annotator")));
  };
  server.Get("/api/v1/next", guarded([this, annotator_of](const Request& req, Response& res) {
               const auto who = annotator_of(req);  // GET: an unknown name is not created
               std::optional<std::int64_t> item;
               if (req.has_param("item"))
                 item = whole_number("item", req.get_param_value("item"), 1,
                                     std::numeric_limits<std::int64_t>::max());
               const auto p = store_.next_pair(who, item);
               reply(res, 200,
                     {{"pair", p ? pair_json(store_, *p) : json()},
                      {"progress", progress_json(store_.progress(who))}});
             }));
  server.Get("/api/v1/progress", guarded([this, annotator_of](const Request& req, Response& res) {
               reply(res, 200, progress_json(store_.progress(annotator_of(req))));
             }));
  server.Get("/api/v1/judgments", guarded([this, annotator_of](const Request& req, Response& res) {
               std::optional<std::int64_t> who = annotator_of(req);
               json list = json::array();
               if (who || !req.has_param("annotator"))
                 for (const prefs::Judgment& j : store_.judgments(who))
                   list.push_back(judgment_json(j));
               reply(res, 200, {{"judgments", list}});
             }));
  server.Post("/api/v1/judgments", guarded([this](const Request& req, Response& res) {
                const auto j = json_body(req, res, config_.max_json_bytes);
                if (!j) return;
                for (const char* key : {"annotator", "pair_id", "choice"})
                  if (!j->contains(key))
                    return error(res, 400, std::string("missing \"") + key + "\"");
                const auto choice = prefs::choice_from_name(text_field(*j, "choice"));
                if (!choice)
                  return error(res, 400, "choice must be \"a\", \"b\", \"tie\" or \"skip\"");
                const std::int64_t pair_id =
                    whole_field(*j, "pair_id", 1, std::numeric_limits<std::int64_t>::max());
                if (!store_.pair(pair_id))
                  return error(res, 404, "no pair " + std::to_string(pair_id));
                prefs::NewJudgment n;
                n.pair_id = pair_id;
                n.annotator_id = store_.annotator(annotator_name(text_field(*j, "annotator")));
                n.choice = *choice;
                if (j->contains("latency_ms"))  // a day at most: longer is no judging time
                  n.latency_ms = whole_field(*j, "latency_ms", 0, 86'400'000);
                n.client_key = j->value("client_key", std::string());
                const prefs::Judgment stored = store_.add_judgment(n);  // durable from here
                // A client key names one judgment: reused for another (or for one undone since),
                // nothing was stored, and the client must not believe otherwise.
                if (stored.repeated &&
                    (stored.pair_id != n.pair_id || stored.choice != n.choice || stored.undone))
                  return error(res, 409,
                               "client_key \"" + n.client_key + "\" already names judgment " +
                                   std::to_string(stored.id) + (stored.undone ? " (undone)" : "") +
                                   ": a retry repeats it exactly, a new judgment needs a new key");
                reply(res, stored.repeated ? 200 : 201,
                      {{"judgment", judgment_json(stored)},
                       {"repeated", stored.repeated},
                       {"progress", progress_json(store_.progress(n.annotator_id))}});
              }));
  server.Post(
      R"(/api/v1/judgments/(\d{1,18})/undo)", guarded([this](const Request& req, Response& res) {
        const auto j = json_body(req, res, config_.max_json_bytes);
        if (!j) return;
        if (!j->contains("annotator")) return error(res, 400, "missing \"annotator\"");
        const auto who = store_.find_annotator(annotator_name(text_field(*j, "annotator")));
        const auto undone = who ? store_.undo_judgment(id_of(req), *who) : std::nullopt;
        if (!undone)
          return error(res, 404, "no judgment " + req.matches[1].str() + " of this annotator");
        const auto p = store_.pair(undone->pair_id);
        reply(res, 200,
              {{"judgment", judgment_json(*undone)},
               {"pair", p ? pair_json(store_, *p) : json()},
               {"progress", progress_json(store_.progress(who))}});
      }));
  server.Get("/api/v1/export", guarded([this](const Request& req, Response& res) {
               const bool images =
                   !(req.has_param("images") && req.get_param_value("images") == "0");
               res.set_header("Content-Disposition", "attachment; filename=\"judgments.jsonl\"");
               res.set_content(store_.export_jsonl(images), "application/x-ndjson");
             }));
}

}  // namespace semblend::cli::serve
