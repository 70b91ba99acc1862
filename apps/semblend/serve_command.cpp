// `semblend serve` (commands.h, docs/serve.md): opens the store, analyses the images folder, and
// serves the judging page until SIGINT or SIGTERM; or exports/imports the store as JSONL.
#include <pthread.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <system_error>

#include "commands.h"
#include "semblend/error.h"
#include "semblend/file_io.h"
#include "semblend/prefs_store.h"
#include "serve_api.h"

namespace semblend::cli {

namespace fs = std::filesystem;

namespace {

prefs::Store open_store(const std::string& data) {
  std::error_code ec;
  fs::create_directories(data, ec);
  if (!fs::is_directory(data))
    throw IoError(IoError::Op::Write, data,
                  "cannot create the data folder" + (ec ? ": " + ec.message() : std::string()));
  const std::string path = (fs::path(data) / "prefs.sqlite").string();
  try {
    return prefs::Store::open(path);
  } catch (const prefs::StoreError& e) {
    throw InputError(path, 0, 0, without_path_prefix(path, e.what()));
  }
}

// The rest of run_serve, on the opened store.
int serve_store(const ServeOptions& o, prefs::Store store, const std::string& import_text,
                bool& serving);

}  // namespace

int run_serve(const ServeOptions& o) {
  if (!o.images.empty() && !fs::is_directory(o.images))
    throw IoError(IoError::Op::Read, o.images, "--images must be an existing folder");
  if (!o.export_to.empty() && !o.import_from.empty())
    throw std::invalid_argument("--export and --import: one at a time");
  // Exporting a store that is not there would make a new, empty one and "export" it: a mistyped
  // --data must not look like a store without judgments.
  if (!o.export_to.empty() && !fs::is_regular_file(fs::path(o.data) / "prefs.sqlite"))
    throw IoError(IoError::Op::Read, (fs::path(o.data) / "prefs.sqlite").string(),
                  "no preference store here to export");
  // A run that fails before it serves (a bad import, an address it cannot listen on) leaves no
  // store it made itself: a folder with an empty prefs.sqlite would look like a real one.
  const fs::path store_file = fs::path(o.data) / "prefs.sqlite";
  std::error_code ec;
  const bool data_existed = fs::exists(o.data, ec), store_existed = fs::exists(store_file, ec);
  const std::string import_text = o.import_from.empty() ? "" : read_file(o.import_from);
  bool serving = false;  // from here on a failure keeps the store: it may hold judgments
  try {
    return serve_store(o, open_store(o.data), import_text, serving);
  } catch (...) {
    if (!store_existed && !serving)
      for (const char* suffix : {"", "-wal", "-shm", "-journal"})
        fs::remove(store_file.string() + suffix, ec);
    if (!data_existed && !serving) fs::remove(o.data, ec);  // only if empty
    throw;
  }
}

namespace {

int serve_store(const ServeOptions& o, prefs::Store store, const std::string& import_text,
                bool& serving) {
  if (!o.export_to.empty()) {
    emit(o.export_to, store.export_jsonl(o.export_images));
    const prefs::Counts c = store.counts();
    std::fprintf(stderr, "serve: exported %lld items, %lld pairs, %lld judgments\n",
                 static_cast<long long>(c.items), static_cast<long long>(c.pairs),
                 static_cast<long long>(c.judgments));
    return kOk;
  }
  if (!o.import_from.empty()) {
    const prefs::ImportStats s = store.import_jsonl(import_text, o.import_from);
    std::fprintf(stderr, "serve: imported %s: %lld lines, %lld rows added, %lld already here\n",
                 o.import_from.c_str(), static_cast<long long>(s.lines),
                 static_cast<long long>(s.added), static_cast<long long>(s.existing));
    return kOk;
  }

  // SIGINT/SIGTERM are taken by sigwait below; blocked before any thread starts, so every
  // server thread inherits the mask.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  serve::ServeConfig config;
  config.host = o.host;
  config.images_dir = o.images;
  config.token = serve::random_token();
  config.threads = o.threads;
  if (!o.model.empty())
    config.model_name = fs::path(o.model).parent_path().filename().string() + "/" +
                        fs::path(o.model).filename().string();
  serve::ServeApp app(store, serve::solver_analyzer(o.model, o.compare_models), config);
  const int added = app.add_folder_images();
  if (const int refreshed = app.propose_from_current())
    std::fprintf(stderr, "serve: %d items got pairs around the model in use (%s)\n", refreshed,
                 store.current_model()->name.c_str());
  serve::RunningServer server(app, o.host, o.port);
  serving = true;
  const prefs::Counts c = store.counts();
  const std::string host = o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host;
  const std::string url = "http://" + host + ":" + std::to_string(server.port()) + "/";
  std::fprintf(stderr,
               "serve: %s: %lld items (%d new), %lld pairs, %lld judgments; API %s"
               "api/v1/info\n",
               store.path().c_str(), static_cast<long long>(c.items), added,
               static_cast<long long>(c.pairs), static_cast<long long>(c.judgments), url.c_str());
  if (app.token_required())
    std::fprintf(stderr,
                 "serve: bound beyond loopback: every POST needs the header X-Semblend-Token: %s\n"
                 "serve: annotators open %s?token=%s\n",
                 config.token.c_str(), url.c_str(), config.token.c_str());
  std::printf("%s\n", url.c_str());  // the first stdout line: where the page is
  std::fflush(stdout);
  std::fflush(stderr);

  int sig = 0;
  sigwait(&signals, &sig);
  std::fprintf(stderr, "serve: %s: stopping (every acknowledged judgment is on disk)\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  server.stop();
  server.wait();
  return kOk;
}

}  // namespace
}  // namespace semblend::cli
