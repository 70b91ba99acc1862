// `semblend serve` (docs/serve.md): the judging page and its JSON API over the preference store
// (prefs_store.h). HTTP lives here, in apps/, apart from the store: ServeApp installs the routes
// on a cpp-httplib server; serve_command.cpp runs it from the command line, tests run it in
// process on a free loopback port.
//
// Security (docs/serve.md "Security"): state changes only on POST; every POST needs the session
// token (header X-Semblend-Token) when the server is bound beyond loopback; on loopback the Host
// header must name loopback (DNS rebinding) and a POST's Origin, when sent, must be the page's own;
// JSON bodies must say Content-Type: application/json and stay under max_json_bytes, uploads under
// max_upload_bytes (413 otherwise); uploads are decoded before anything is stored (an image that
// does not decode is 415); images from the configured folder are chosen by names the server
// listed itself (no path from a client is ever opened); malformed JSON is 400 with a message.
// Thread safety: a ServeApp serves any number of requests at once (the store and the render cache
// lock; items are analysed one at a time).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "semblend/image.h"
#include "semblend/prefs_candidates.h"
#include "semblend/prefs_store.h"

namespace httplib {
class Server;
}

namespace semblend::cli::serve {

inline constexpr int kApiVersion = 1;

// What the solver says about a photo: no face, or its prediction and what candidates need.
struct Analysis {
  bool face = false;
  Coefficients prediction;
  HeadPose head;
  std::optional<prefs::RegionScores> uncertainty;
  std::vector<prefs::OtherModel> others;  // other model versions' predictions
};
using Analyzer = std::function<Analysis(const Image&)>;

// The shipped solver (or `model`) with the landmarker; `compare_models` are other versions
// (model.json paths) whose predictions become "model" candidates, named by their folder and file.
// Calls are serialised (one landmarker).
Analyzer solver_analyzer(const std::string& model, const std::vector<std::string>& compare_models);

struct ServeConfig {
  std::string host = "127.0.0.1";
  std::string images_dir;  // "" = no folder
  std::string token;       // the session token (always made; required when !loopback)
  std::string model_name = "shipped";
  std::size_t max_upload_bytes = std::size_t{16} << 20;
  std::size_t max_json_bytes = std::size_t{64} << 10;
  int max_image_side = 1024;  // larger photos are scaled down before storing
  int render_size = 384;
  int threads = 32;  // HTTP worker threads (each keep-alive connection holds one)
};

bool is_loopback(const std::string& host);
// `text` as valid UTF-8 of at most `max_bytes` bytes: a byte that starts no valid sequence becomes
// '_', and a cut never splits a character. Names that reach JSON replies and exports pass here
// (one upload named "\xff.jpg" once made every listing and the export fail).
std::string utf8_safe(std::string_view text, std::size_t max_bytes);
std::string random_token();  // 32 hex digits from std::random_device

struct AddResult {
  std::int64_t item_id = 0;
  bool existed = false;
  int pairs = 0;
};

class ServeApp {
 public:
  ServeApp(prefs::Store& store, Analyzer analyzer, ServeConfig config);
  // Routes, limits, error handlers and the worker pool.
  void install(httplib::Server& server);

  // Decodes `bytes` (any image OpenCV reads; InputError otherwise), scales it down to
  // max_image_side, analyses it, and stores the item with its candidates and pairs in one
  // transaction. No face: std::invalid_argument. An image already stored: existed = true.
  AddResult add_image(const std::string& bytes, const std::string& source);
  // The image files directly inside images_dir (names only, sorted); [] without a folder.
  std::vector<std::string> folder_images() const;
  // Adds every folder image not stored yet; returns how many were added (notes go to stderr).
  int add_folder_images();
  // Closing the preference loop (docs/prefs.md): with a trained version in use (prefs train /
  // prefs use), every item without a candidate of that version gets its prediction (the
  // correction applied to the item's base prediction) and new pairs planned around it; returns
  // how many items got them. add_image plans new items around it too.
  int propose_from_current();

  // A candidate rendered as PNG (cached); nullopt for an unknown id.
  std::optional<std::string> render_png(std::int64_t candidate_id);

  const ServeConfig& config() const { return config_; }
  bool token_required() const { return !is_loopback(config_.host); }

 private:
  prefs::Store& store_;
  Analyzer analyzer_;
  ServeConfig config_;
  std::mutex add_mutex_;
  std::mutex cache_mutex_;
  std::list<std::int64_t> cache_order_;  // most recent first
  std::map<std::int64_t, std::string> cache_;
};

// A server running on its own thread: listening when start() returns.
class RunningServer {
 public:
  RunningServer(ServeApp& app, const std::string& host, int port);  // port 0 = any free port
  ~RunningServer();
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;
  int port() const { return port_; }
  void stop();
  void wait();  // until stopped

 private:
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

}  // namespace semblend::cli::serve
