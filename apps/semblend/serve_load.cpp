// `semblend serve-load` (commands.h, docs/serve.md "Load test"): a judging server on loopback
// with synthetic items, N annotator threads fetching pairs and posting judgments (and now and then
// an undo) for a fixed time; then every acknowledged judgment is looked up in the store. Reports
// requests per second and latency percentiles; exit 1 if any acknowledged judgment is missing.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "commands.h"
#include "semblend/expression_prior.h"
#include "semblend/render.h"
#include "serve_api.h"

namespace semblend::cli {

namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

struct Acked {
  std::int64_t id = 0, pair = 0;
  std::string choice;
};

struct ClientLog {
  std::vector<double> next_ms, judge_ms, undo_ms;
  std::vector<Acked> acked;
  std::vector<std::int64_t> undone;
  int errors = 0;
  std::string first_error;
};

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, std::size_t(p * double(v.size() - 1) + 0.5))];
}

void annotate(int port, int who, Clock::time_point end, ClientLog& log) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_keep_alive(true);
  cli.set_read_timeout(10);
  const std::string name = "load-" + std::to_string(who);
  std::mt19937 rng(unsigned(1000 + who));
  const char* choices[] = {"a", "b", "a", "b", "tie", "skip"};
  auto fail = [&](const std::string& what) {
    if (log.errors++ == 0) log.first_error = what;
  };
  for (int n = 0; Clock::now() < end; ++n) {
    auto t0 = Clock::now();
    auto r = cli.Get(("/api/v1/next?annotator=" + name).c_str());
    log.next_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!r || r->status != 200) {
      fail("GET next: " + (r ? std::to_string(r->status) : httplib::to_string(r.error())));
      continue;
    }
    const json next = json::parse(r->body);
    std::int64_t pair = 0;
    if (next["pair"].is_null())  // all judged: judge a random pair again
      pair = 1 + std::int64_t(rng() %
                              std::uint32_t(std::max<std::int64_t>(1, next["progress"]["total"])));
    else
      pair = next["pair"]["pair_id"];
    const std::string choice = choices[rng() % 6];
    const std::string body = json{{"annotator", name},
                                  {"pair_id", pair},
                                  {"choice", choice},
                                  {"latency_ms", 500 + rng() % 3000},
                                  {"client_key", name + "-" + std::to_string(n)}}
                                 .dump();
    t0 = Clock::now();
    auto p = cli.Post("/api/v1/judgments", body, "application/json");
    if (!p) p = cli.Post("/api/v1/judgments", body, "application/json");  // retry, same key
    log.judge_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    if (!p || (p->status != 201 && p->status != 200)) {
      fail("POST judgment: " +
           (p ? std::to_string(p->status) + " " + p->body : httplib::to_string(p.error())));
      continue;
    }
    const json stored = json::parse(p->body)["judgment"];
    log.acked.push_back({stored["id"], pair, choice});
    if (rng() % 20 == 0) {  // now and then an undo of the judgment just made
      t0 = Clock::now();
      auto u =
          cli.Post(("/api/v1/judgments/" + std::to_string(log.acked.back().id) + "/undo").c_str(),
                   json{{"annotator", name}}.dump(), "application/json");
      log.undo_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      if (u && u->status == 200)
        log.undone.push_back(log.acked.back().id);
      else
        fail("POST undo: " + (u ? std::to_string(u->status) : httplib::to_string(u.error())));
    }
  }
}

}  // namespace

int run_serve_load(const ServeLoadOptions& o) {
  namespace fs = std::filesystem;
  const fs::path dir =
      fs::temp_directory_path() / ("semblend-serve-load-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{dir};
  prefs::Store store = prefs::Store::open((dir / "prefs.sqlite").string());

  // Synthetic items: expressions from the prior, rendered small; the "solver" returns the
  // expression each image was rendered with.
  const ExpressionSampler sampler = ExpressionSampler::create(default_expression_prior(), {});
  std::vector<Coefficients> truths;
  for (int i = 0; i < o.items; ++i) truths.push_back(sampler.at(std::uint64_t(i)).coefficients);
  std::size_t next_truth = 0;
  serve::Analyzer analyzer = [&](const Image&) {
    serve::Analysis a;
    a.face = true;
    a.prediction = truths.at(next_truth++);
    return a;
  };
  serve::ServeConfig config;
  config.threads = std::max(8, o.annotators + 4);
  serve::ServeApp app(store, analyzer, config);
  RenderOptions ro;
  ro.width = ro.height = 96;
  ro.supersample = 1;
  for (int i = 0; i < o.items; ++i) {
    FaceFrame f;
    f.coefficients = truths[std::size_t(i)];
    app.add_image(encode_png(render_face(default_rig(), f, ro).image),
                  "synthetic-" + std::to_string(i));
  }
  const prefs::Counts before = store.counts();
  serve::RunningServer server(app, "127.0.0.1", 0);
  std::fprintf(stderr,
               "serve-load: %d annotators for %.0f s on 127.0.0.1:%d (%lld items, %lld pairs)\n",
               o.annotators, o.seconds, server.port(), static_cast<long long>(before.items),
               static_cast<long long>(before.pairs));

  std::vector<ClientLog> logs(std::size_t(o.annotators));
  const auto start = Clock::now();
  const auto end =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.seconds));
  std::vector<std::thread> threads;
  for (int k = 0; k < o.annotators; ++k)
    threads.emplace_back(annotate, server.port(), k, end, std::ref(logs[std::size_t(k)]));
  for (std::thread& t : threads) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  server.stop();
  server.wait();

  // Every acknowledged judgment must be in the store, with its pair and choice, undone if acked so.
  std::map<std::int64_t, prefs::Judgment> stored;
  for (const prefs::Judgment& j : store.judgments()) stored[j.id] = j;
  std::vector<double> all, next_ms, judge_ms, undo_ms;
  std::int64_t acked = 0, lost = 0, wrong = 0, undone = 0, errors = 0;
  std::string first_error;
  for (const ClientLog& l : logs) {
    next_ms.insert(next_ms.end(), l.next_ms.begin(), l.next_ms.end());
    judge_ms.insert(judge_ms.end(), l.judge_ms.begin(), l.judge_ms.end());
    undo_ms.insert(undo_ms.end(), l.undo_ms.begin(), l.undo_ms.end());
    errors += l.errors;
    if (first_error.empty()) first_error = l.first_error;
    for (const Acked& a : l.acked) {
      ++acked;
      const auto it = stored.find(a.id);
      if (it == stored.end()) {
        ++lost;
      } else if (it->second.pair_id != a.pair ||
                 prefs::choice_name(it->second.choice) != a.choice) {
        ++wrong;
      }
    }
    for (std::int64_t id : l.undone) {
      ++undone;
      if (!stored.count(id) || !stored[id].undone) ++wrong;
    }
  }
  all = next_ms;
  all.insert(all.end(), judge_ms.begin(), judge_ms.end());
  all.insert(all.end(), undo_ms.begin(), undo_ms.end());
  const std::int64_t unacknowledged = std::int64_t(stored.size()) - acked;
  const double rps = double(all.size()) / elapsed;
  json report = {
      {"annotators", o.annotators},
      {"seconds", elapsed},
      {"requests", all.size()},
      {"requests_per_second", rps},
      {"judgments_acknowledged", acked},
      {"judgments_per_second", double(acked) / elapsed},
      {"judgments_stored", stored.size()},
      {"judgments_lost", lost},
      {"judgments_mismatched", wrong},
      {"stored_not_acknowledged", unacknowledged},
      {"undos_acknowledged", undone},
      {"errors", errors},
      {"latency_ms",
       {{"all",
         {{"p50", percentile(all, 0.5)},
          {"p99", percentile(all, 0.99)},
          {"max", percentile(all, 1)}}},
        {"next", {{"p50", percentile(next_ms, 0.5)}, {"p99", percentile(next_ms, 0.99)}}},
        {"judgment", {{"p50", percentile(judge_ms, 0.5)}, {"p99", percentile(judge_ms, 0.99)}}},
        {"undo", {{"p50", percentile(undo_ms, 0.5)}, {"p99", percentile(undo_ms, 0.99)}}}}}};
  if (!o.output.empty()) emit(o.output, report.dump(2) + "\n");
  std::fprintf(stderr,
               "serve-load: %zu requests in %.1f s = %.0f req/s; latency p50 %.1f ms, p99 %.1f ms "
               "(judgment POST p99 %.1f ms); %lld judgments acknowledged (%.0f/s), %zu stored, "
               "%lld lost, %lld mismatched, %lld undos; %lld errors%s%s\n",
               all.size(), elapsed, rps, percentile(all, 0.5), percentile(all, 0.99),
               percentile(judge_ms, 0.99), static_cast<long long>(acked), double(acked) / elapsed,
               stored.size(), static_cast<long long>(lost), static_cast<long long>(wrong),
               static_cast<long long>(undone), static_cast<long long>(errors),
               first_error.empty() ? "" : " (first: ",
               first_error.empty() ? "" : (first_error + ")").c_str());
  if (lost || wrong || errors || acked == 0)
    throw std::runtime_error("serve-load: judgments were lost or requests failed (see above)");
  return kOk;
}

}  // namespace semblend::cli
