// `semblend serve`: adding items (decode, analyse, candidates, pairs), the images folder, the
// render cache, the solver analyzer and the server thread (serve_api.h).
#include <httplib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

#include "semblend/error.h"
#include "semblend/face_pipeline.h"
#include "semblend/file_io.h"
#include "semblend/landmarker.h"
#include "semblend/prefs_learn.h"
#include "semblend/render.h"
#include "semblend/solver.h"
#include "serve_api.h"

namespace semblend::cli::serve {

namespace fs = std::filesystem;

namespace {

Image downscaled(const Image& image, int max_side) {
  const int side = std::max(image.width, image.height);
  if (side <= max_side) return image;
  const double s = double(max_side) / side;
  const int w = std::max(1, int(image.width * s + 0.5)),
            h = std::max(1, int(image.height * s + 0.5));
  const cv::Mat in(image.height, image.width, CV_8UC3, const_cast<std::uint8_t*>(image.rgb.data()));
  Image out;
  out.width = w;
  out.height = h;
  out.rgb.resize(std::size_t(w) * h * 3);
  cv::Mat dst(h, w, CV_8UC3, out.rgb.data());
  cv::resize(in, dst, dst.size(), 0, 0, cv::INTER_AREA);
  return out;
}

}  // namespace

namespace {

// The length of the valid UTF-8 sequence at s[i] (no overlong forms, no surrogates, at most
// U+10FFFF), or 0 when none starts there.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  if (c < 0x80) return 1;
  std::size_t n = 0;
  char32_t cp = 0;
  if ((c & 0xE0) == 0xC0) {
    n = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4, cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (std::size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

}  // namespace

std::string utf8_safe(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t n = utf8_sequence(text, i);
    const std::string_view piece = n > 0 ? text.substr(i, n) : std::string_view("_");
    if (out.size() + piece.size() > max_bytes) break;
    out += piece;
    i += n > 0 ? n : 1;
  }
  return out;
}

bool is_loopback(const std::string& host) {
  return host == "127.0.0.1" || host == "localhost" || host == "::1";
}

std::string random_token() {
  std::random_device rd;
  char buf[40];
  std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", rd(), rd(), rd(), rd());
  return buf;
}

Analyzer solver_analyzer(const std::string& model, const std::vector<std::string>& compare_models) {
  struct State {
    State(Solver s, std::vector<std::pair<std::string, Solver>> o, FaceLandmarker l)
        : solver(std::move(s)), others(std::move(o)), landmarker(std::move(l)) {}
    Solver solver;
    std::vector<std::pair<std::string, Solver>> others;
    FaceLandmarker landmarker;
    std::mutex mutex;
  };
  auto load = [](const std::string& path) {
    return path.empty() ? Solver::load_default() : Solver::load(path);
  };
  std::vector<std::pair<std::string, Solver>> others;
  for (const std::string& m : compare_models) {
    const fs::path p(m);
    others.emplace_back(p.parent_path().filename().string() + "/" + p.filename().string(), load(m));
  }
  auto state = std::make_shared<State>(load(model), std::move(others), FaceLandmarker::create());
  return [state](const Image& image) {
    std::lock_guard lock(state->mutex);
    state->landmarker.reset();
    const std::vector<FaceLandmarks> faces = state->landmarker.detect(image);
    Analysis a;
    if (faces.empty()) return a;
    const FaceLandmarks& f = faces.front();
    a.face = true;
    // What `semblend image` reads: the mean over the landmarker's readings; how far they lie
    // apart says which regions are uncertain. Other versions read the same readings.
    const auto more = still_image_readings(state->landmarker, image, f);
    const SolverResult r = solve_face(state->solver, image, f, {}, more);
    a.prediction = r.coefficients;
    a.head = f.head;
    a.uncertainty = prefs::region_uncertainty(r.spread);
    for (const auto& [name, solver] : state->others)
      a.others.push_back({name, solve_face(solver, image, f, {}, more).coefficients});
    return a;
  };
}

ServeApp::ServeApp(prefs::Store& store, Analyzer analyzer, ServeConfig config)
    : store_(store), analyzer_(std::move(analyzer)), config_(std::move(config)) {}

namespace {

// The trained version in use (prefs_learn.h): its predictions are what new pairs are planned
// around, so a round's judgments ask about the new model.
struct InUse {
  std::int64_t id = 0;
  std::string name;
  prefs::Correction correction;
};
std::optional<InUse> in_use(const prefs::Store& store) {
  const std::optional<prefs::ModelVersion> v = store.current_model();
  if (!v) return std::nullopt;
  return InUse{v->id, v->name, prefs::version_correction(store, *v)};
}

// The pairs of one item around candidate `side` (its coefficients `around`); returns how many.
int add_pairs(prefs::Store& store, std::int64_t item, std::int64_t side, const Coefficients& around,
              const std::optional<prefs::RegionScores>& uncertainty,
              const std::vector<prefs::OtherModel>& others) {
  int index = 0;
  for (const prefs::PairPlan& plan : prefs::plan_pairs(around, uncertainty, others)) {
    std::optional<std::int64_t> version;
    if (!plan.model.empty()) version = store.model_version(plan.model);
    const std::int64_t alt =
        store.add_candidate({item, plan.kind, plan.label, version, plan.alternative});
    // Sides alternate by a hash of item and index, so the prediction is not always A.
    const bool side_a = ((std::uint64_t(item) * 2654435761u + std::uint64_t(index)) >> 3) & 1;
    store.add_pair({item, plan.region, side_a ? side : alt, side_a ? alt : side, plan.priority});
    ++index;
  }
  return index;
}

}  // namespace

AddResult ServeApp::add_image(const std::string& bytes, const std::string& source) {
  ImageLimits limits;
  limits.max_pixels = 40'000'000;
  const Image image = downscaled(decode_image(bytes, source, limits), config_.max_image_side);
  std::lock_guard lock(add_mutex_);
  const Analysis a = analyzer_(image);
  if (!a.face) throw std::invalid_argument(source + ": no face found");
  AddResult r;
  store_.transaction([&] {
    prefs::NewItem item{source, encode_png(image), image.width, image.height, a.head};
    item.head.translation.reset();
    r.item_id = store_.add_item(item, &r.existed);
    if (r.existed) return;
    const std::int64_t model = store_.model_version(config_.model_name);
    std::int64_t side =
        store_.add_candidate({r.item_id, "prediction", "prediction", model, a.prediction});
    Coefficients around = a.prediction;
    if (const std::optional<InUse> u = in_use(store_)) {
      around = u->correction.apply(a.prediction);
      side = store_.add_candidate({r.item_id, "model", u->name, u->id, around});
    }
    r.pairs = add_pairs(store_, r.item_id, side, around, a.uncertainty, a.others);
  });
  return r;
}

int ServeApp::propose_from_current() {
  std::lock_guard lock(add_mutex_);
  const std::optional<InUse> u = in_use(store_);
  if (!u) return 0;
  int refreshed = 0;
  for (const prefs::Item& item : store_.items()) {
    const std::vector<prefs::Candidate> cs = store_.candidates(item.id);
    const auto base = std::find_if(
        cs.begin(), cs.end(), [](const prefs::Candidate& c) { return c.kind == "prediction"; });
    const bool has = std::any_of(cs.begin(), cs.end(), [&](const prefs::Candidate& c) {
      return c.kind == "model" && c.model_version_id == u->id;
    });
    if (base == cs.end() || has) continue;
    store_.transaction([&] {
      const Coefficients around = u->correction.apply(base->coefficients);
      const std::int64_t side = store_.add_candidate({item.id, "model", u->name, u->id, around});
      add_pairs(store_, item.id, side, around, std::nullopt, {});
    });
    ++refreshed;
  }
  return refreshed;
}

std::vector<std::string> ServeApp::folder_images() const {
  std::vector<std::string> out;
  if (config_.images_dir.empty()) return out;
  for (const fs::directory_entry& e : fs::directory_iterator(config_.images_dir)) {
    if (!e.is_regular_file() || !is_image_path(e.path().string())) continue;
    const std::string name = e.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    // A name that is not UTF-8 cannot travel in JSON (nor be named back by a client): left out.
    if (utf8_safe(name, name.size()) != name) continue;
    out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

int ServeApp::add_folder_images() {
  int added = 0;
  for (const std::string& name : folder_images()) {
    try {
      const AddResult r = add_image(
          read_file((fs::path(config_.images_dir) / name).string(), config_.max_upload_bytes),
          name);
      if (!r.existed) {
        ++added;
        std::fprintf(stderr, "serve: %s: item %lld, %d pairs\n", name.c_str(),
                     static_cast<long long>(r.item_id), r.pairs);
      }
    } catch (const std::exception& e) {
      std::fprintf(stderr, "serve: skipping %s: %s\n", name.c_str(), e.what());
    }
  }
  return added;
}

std::optional<std::string> ServeApp::render_png(std::int64_t candidate_id) {
  {
    std::lock_guard lock(cache_mutex_);
    const auto it = cache_.find(candidate_id);
    if (it != cache_.end()) {
      cache_order_.remove(candidate_id);
      cache_order_.push_front(candidate_id);
      return it->second;
    }
  }
  const std::optional<prefs::Candidate> c = store_.candidate(candidate_id);
  if (!c) return std::nullopt;
  const std::optional<prefs::Item> item = store_.item(c->item_id);
  FaceFrame frame;
  frame.coefficients = c->coefficients;
  if (item) frame.head = item->head;
  RenderOptions options;
  options.width = options.height = config_.render_size;
  std::string png = encode_png(render_face(default_rig(), frame, options).image);
  std::lock_guard lock(cache_mutex_);
  if (!cache_.count(candidate_id)) {
    cache_[candidate_id] = png;
    cache_order_.push_front(candidate_id);
    while (cache_order_.size() > 256) {
      cache_.erase(cache_order_.back());
      cache_order_.pop_back();
    }
  }
  return png;
}

RunningServer::RunningServer(ServeApp& app, const std::string& host, int port)
    : server_(std::make_unique<httplib::Server>()) {
  // cpp-httplib's default sets SO_REUSEPORT, with which a second server binds the same port and
  // the kernel splits the requests between the two (judgments into two stores). SO_REUSEADDR
  // alone restarts on a port still in TIME_WAIT but refuses one in use.
  server_->set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  app.install(*server_);
  if (port == 0) {
    port_ = server_->bind_to_any_port(host);
  } else {
    port_ = server_->bind_to_port(host, port) ? port : -1;
  }
  if (port_ <= 0)
    throw std::invalid_argument("cannot listen on " + host + ":" + std::to_string(port) +
                                " (in use, or not an address of this machine)");
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  // cpp-httplib 0.11 has no wait_until_ready(): poll.
  for (int i = 0; i < 500 && !server_->is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
}

RunningServer::~RunningServer() {
  stop();
  wait();
}

void RunningServer::stop() {
  server_->stop();
}

void RunningServer::wait() {
  if (thread_.joinable()) thread_.join();
}

}  // namespace semblend::cli::serve
