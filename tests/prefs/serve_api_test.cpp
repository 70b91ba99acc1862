// `semblend serve`'s API in process (serve_api.h) on a free loopback port, with a stand-in
// analyzer: bad input, GET without side effects, traversal, limits, tokens, the judging flow.
#include "serve_api.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "semblend/render.h"
#include "test_util.h"

namespace semblend::cli::serve {
namespace {

using nlohmann::json;

struct Server {
  test::TempDir tmp;
  prefs::Store store = prefs::Store::open(tmp.path("prefs.sqlite"));
  std::unique_ptr<ServeApp> app;
  std::unique_ptr<RunningServer> running;
  std::unique_ptr<httplib::Client> cli;
  explicit Server(const std::string& host = "127.0.0.1") {
    std::filesystem::create_directories(tmp.path("images"));
    test::write_text(tmp.path("images/face.png"), test::rig_face_png(0.6f));
    test::write_text(tmp.path("secret.png"), test::rig_face_png(0.2f));  // outside the folder
    ServeConfig c;
    c.host = host;
    c.images_dir = tmp.path("images");
    c.token = "sesame";
    c.max_upload_bytes = 1 << 20;
    c.max_json_bytes = 1024;
    app = std::make_unique<ServeApp>(
        store,
        [](const Image& image) {
          Analysis a;
          a.face = image.width > 8;  // tiny images have "no face"
          a.prediction.set(Blendshape::MouthSmileLeft, 0.6f);
          return a;
        },
        c);
    app->add_folder_images();
    running = std::make_unique<RunningServer>(*app, "127.0.0.1", 0);  // tests stay on loopback
    cli = std::make_unique<httplib::Client>("127.0.0.1", running->port());
  }
  httplib::Result post(const std::string& path, const std::string& body,
                       const std::string& type = "application/json", httplib::Headers h = {}) {
    return cli->Post(path.c_str(), h, body, type.c_str());
  }
};

std::string message(const httplib::Result& r) {
  return r ? json::parse(r->body)["error"]["message"].get<std::string>() : "no response";
}

TEST(ServeApi, JudgingFlowStoresJudgmentsAndUndo) {
  Server s;
  auto next = s.cli->Get("/api/v1/next?annotator=ann");
  ASSERT_TRUE(next);
  ASSERT_EQ(next->status, 200);
  const json pair = json::parse(next->body)["pair"];
  ASSERT_FALSE(pair.is_null());
  EXPECT_EQ(s.cli->Get(pair["a"]["image_url"].get<std::string>().c_str())
                ->get_header_value("Content-Type"),
            "image/png");
  const json body = {{"annotator", "ann"},
                     {"pair_id", pair["pair_id"]},
                     {"choice", "b"},
                     {"latency_ms", 1234},
                     {"client_key", "k1"}};
  auto r = s.post("/api/v1/judgments", body.dump());
  ASSERT_EQ(r->status, 201) << r->body;
  const std::int64_t id = json::parse(r->body)["judgment"]["id"];
  EXPECT_EQ(s.post("/api/v1/judgments", body.dump())->status, 200);  // a retry: stored once
  EXPECT_EQ(s.store.counts().judgments, 1);
  EXPECT_EQ(s.store.judgments()[0].latency_ms, 1234);

  auto u = s.post("/api/v1/judgments/" + std::to_string(id) + "/undo", R"({"annotator":"ann"})");
  ASSERT_EQ(u->status, 200);
  EXPECT_EQ(json::parse(u->body)["pair"]["pair_id"], pair["pair_id"]);
  EXPECT_TRUE(s.store.judgments()[0].undone.has_value());
  EXPECT_EQ(
      s.post("/api/v1/judgments/" + std::to_string(id) + "/undo", R"({"annotator":"x"})")->status,
      404);
}

// A second server on a port in use is refused (cpp-httplib's default SO_REUSEPORT let it bind,
// and the kernel then split the requests, and so the judgments, between the two stores).
TEST(ServeApi, APortInUseIsRefused) {
  Server s;
  EXPECT_THROW(RunningServer(*s.app, "127.0.0.1", s.running->port()), std::invalid_argument);
  const auto r = s.cli->Get("/api/v1/info");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ServeApi, MalformedJsonIs400WithAMessage) {
  Server s;
  auto r = s.post("/api/v1/judgments", R"({"annotator": "a", "pair_id": )");
  ASSERT_EQ(r->status, 400);
  EXPECT_NE(message(r).find("malformed JSON: line 1, column 31: invalid JSON: syntax error"),
            std::string::npos)
      << message(r);
  // A key named twice is refused, as in every file semblend reads (not last-wins).
  r = s.post("/api/v1/judgments",
             R"({"annotator": "a", "pair_id": 1, "choice": "a", "choice": "b"})");
  ASSERT_EQ(r->status, 400);
  EXPECT_NE(message(r).find("duplicate key \"choice\""), std::string::npos) << message(r);
  EXPECT_TRUE(s.store.judgments().empty());
  EXPECT_EQ(s.post("/api/v1/judgments", "[1, 2]")->status, 400);
  EXPECT_EQ(s.post("/api/v1/judgments", R"({"annotator": "a"})")->status, 400);
  EXPECT_EQ(
      s.post("/api/v1/judgments", R"({"annotator": "a", "pair_id": 1, "choice": "c"})")->status,
      400);
  EXPECT_EQ(
      s.post("/api/v1/judgments", R"({"annotator": "a", "pair_id": "x", "choice": "a"})")->status,
      400);
  EXPECT_EQ(
      s.post("/api/v1/judgments", R"({"annotator": "", "pair_id": 1, "choice": "a"})")->status,
      422);
  EXPECT_EQ(
      s.post("/api/v1/judgments", R"({"annotator": "a", "pair_id": 99999, "choice": "a"})")->status,
      404);
  EXPECT_EQ(s.post("/api/v1/judgments", "annotator=a", "application/x-www-form-urlencoded")->status,
            415);
  // The media type, not a prefix: "application/jsonx" is not JSON, "APPLICATION/JSON" is.
  EXPECT_EQ(s.post("/api/v1/judgments", "{}", "application/jsonx")->status, 415);
  EXPECT_EQ(s.post("/api/v1/judgments", "{}", "APPLICATION/JSON; charset=utf-8")->status, 400);
  EXPECT_EQ(s.store.counts().judgments, 0);
}

// From an audit of the API (2026-12-03): numbers that are not whole, keys reused for another
// judgment, and names that are not UTF-8 each had a way to store the wrong thing or break serving.
TEST(ServeApi, WholeNumbersKeysAndNamesAreChecked) {
  Server s;
  const json pair = json::parse(s.cli->Get("/api/v1/next?annotator=ann")->body)["pair"];
  const std::int64_t id = pair["pair_id"];
  auto judge = [&](const json& extra) {
    json body = {{"annotator", "ann"}, {"pair_id", id}, {"choice", "a"}};
    body.update(extra);
    return s.post("/api/v1/judgments", body.dump());
  };
  // 2.9 was stored as pair 2; 1e300 and 2^64 - 1 were "no pair" with a wrapped number.
  for (const json& bad : {json(id + 0.5), json(1e300), json(18446744073709551615ull), json(-1)}) {
    auto r = judge({{"pair_id", bad}});
    EXPECT_EQ(r->status, 400) << bad;
    EXPECT_NE(message(r).find("pair_id must be a whole number"), std::string::npos) << message(r);
  }
  // A choice or an annotator that is not text: 400 naming the field (before, 500 "internal error").
  for (const json& bad : {json(1), json::array({"a"}), json(nullptr)}) {
    for (const char* key : {"choice", "annotator"}) {
      auto r = judge({{key, bad}});
      EXPECT_EQ(r->status, 400) << key << " " << bad;
      EXPECT_NE(message(r).find(std::string(key) + " must be a string"), std::string::npos)
          << message(r);
    }
  }
  EXPECT_EQ(s.post("/api/v1/judgments/1/undo", R"({"annotator": 7})")->status, 400);
  EXPECT_EQ(judge({{"latency_ms", 1.5}})->status, 400);
  EXPECT_EQ(judge({{"latency_ms", 1e30}})->status, 400);
  EXPECT_EQ(s.store.counts().judgments, 0);
  // A key names one judgment: a different judgment under it is a conflict, not a silent "done".
  EXPECT_EQ(judge({{"client_key", "k1"}})->status, 201);
  auto r = judge({{"client_key", "k1"}, {"choice", "tie"}});
  EXPECT_EQ(r->status, 409) << r->body;
  EXPECT_NE(message(r).find("already names judgment"), std::string::npos) << message(r);
  EXPECT_EQ(judge({{"client_key", "k1"}})->status, 200);  // the exact retry
  EXPECT_EQ(s.store.counts().judgments, 1);
  // Query numbers: "1.5", "1abc" and "" are not item 1.
  for (const char* q : {"1.5", "1abc", "", "abc"})
    EXPECT_EQ(s.cli->Get((std::string("/api/v1/next?item=") + q).c_str())->status, 400) << q;
  EXPECT_EQ(s.cli->Get("/api/v1/next?annotator=%20%20")->status, 422);  // spaces only
  // An upload name that is not UTF-8, or whose cut at 100 bytes splits a character, is stored as
  // UTF-8: listings, pairs and the export keep working.
  const std::string png = test::rig_face_png(0.45f);
  ASSERT_EQ(s.post("/api/v1/items?name=%FF%FEbad.png", png, "image/png")->status, 201);
  ASSERT_EQ(s.post("/api/v1/items?name=" + std::string(99, 'a') + "%C3%A9.png",
                   test::rig_face_png(0.35f), "image/png")
                ->status,
            201);
  auto items = s.cli->Get("/api/v1/items");
  ASSERT_EQ(items->status, 200) << items->body;
  EXPECT_NE(items->body.find("upload:__bad.png"), std::string::npos) << items->body;
  EXPECT_NE(items->body.find("upload:" + std::string(99, 'a') + "\""), std::string::npos);
  EXPECT_EQ(s.cli->Get("/api/v1/next?annotator=bob")->status, 200);
  EXPECT_EQ(s.cli->Get("/api/v1/export")->status, 200);
}

TEST(ServeApi, GetNeverChangesState) {
  Server s;
  const std::string before = s.store.export_jsonl();
  for (const char* path :
       {"/", "/judge.js", "/judge.css", "/api/v1/info", "/api/v1/items", "/api/v1/images",
        "/api/v1/next?annotator=newcomer", "/api/v1/progress?annotator=newcomer",
        "/api/v1/judgments?annotator=x", "/api/v1/pairs/1", "/api/v1/candidates/1",
        "/api/v1/candidates/1/render.png", "/api/v1/items/1/image.png", "/api/v1/export",
        "/api/v1/judgments/1/undo", "/api/v1/items?image=face.png"}) {
    auto r = s.cli->Get(path);
    ASSERT_TRUE(r) << path;
    EXPECT_LT(r->status, 500) << path;
  }
  EXPECT_EQ(s.store.export_jsonl(), before);
  EXPECT_FALSE(s.store.find_annotator("newcomer"));
}

TEST(ServeApi, NoPathTraversal) {
  Server s;
  for (const char* name :
       {"../secret.png", "/etc/passwd", "images/../../secret.png", "secret.png", ""}) {
    auto r = s.post("/api/v1/items", json{{"image", name}}.dump());
    EXPECT_EQ(r->status, 404) << name << ": " << r->body;
  }
  auto listed = json::parse(s.cli->Get("/api/v1/images")->body)["images"];
  EXPECT_EQ(listed, json::array({"face.png"}));
  EXPECT_EQ(s.post("/api/v1/items", json{{"image", "face.png"}}.dump())->status, 200);  // existed
  for (const char* path :
       {"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/api/v1/items/../../x"})
    EXPECT_EQ(s.cli->Get(path)->status, 404) << path;
  // An uploaded file name is a label, never a path.
  auto up = s.post("/api/v1/items?name=../../evil.png", test::rig_face_png(0.9f), "image/png");
  ASSERT_EQ(up->status, 201) << up->body;
  EXPECT_EQ(s.store.item(json::parse(up->body)["item_id"])->source, "upload:evil.png");
}

TEST(ServeApi, LimitsAndImageChecks) {
  Server s;
  EXPECT_EQ(s.post("/api/v1/items", std::string(2 << 20, 'x'), "image/png")->status, 413);
  EXPECT_EQ(s.post("/api/v1/judgments", std::string(2000, ' ') + "{}")->status, 413);
  auto r = s.post("/api/v1/items", "GIF89a this is not an image", "image/png");
  EXPECT_EQ(r->status, 415);
  EXPECT_NE(message(r).find("not an image"), std::string::npos);
  std::string png = test::rig_face_png(0.3f);
  EXPECT_EQ(s.post("/api/v1/items", png.substr(0, png.size() / 2), "image/png")->status, 415);
  EXPECT_EQ(s.post("/api/v1/items", "hello", "text/plain")->status, 415);
  Image tiny;
  tiny.width = tiny.height = 4;
  tiny.rgb.assign(48, 128);
  r = s.post("/api/v1/items", encode_png(tiny), "image/png");
  EXPECT_EQ(r->status, 422);
  EXPECT_NE(message(r).find("no face"), std::string::npos);
  EXPECT_EQ(s.store.counts().items, 1);
  auto del = s.cli->Delete("/api/v1/items");
  EXPECT_EQ(del->status, 405);
}

TEST(ServeApi, TokenRequiredBeyondLoopback) {
  Server s("0.0.0.0");  // configured as reachable from elsewhere (the test binds loopback)
  const std::string body = R"({"annotator":"a","pair_id":1,"choice":"a"})";
  auto r = s.post("/api/v1/judgments", body);
  EXPECT_EQ(r->status, 403);
  EXPECT_NE(message(r).find("token"), std::string::npos);
  EXPECT_EQ(s.post("/api/v1/judgments", body, "application/json", {{"X-Semblend-Token", "wrong!"}})
                ->status,
            403);
  EXPECT_EQ(s.post("/api/v1/judgments", body, "application/json", {{"X-Semblend-Token", "sesame"}})
                ->status,
            201);
  EXPECT_EQ(s.cli->Get("/api/v1/info")->status, 200);  // reading needs no token
  EXPECT_TRUE(json::parse(s.cli->Get("/api/v1/info")->body)["token_required"].get<bool>());
}

TEST(ServeApi, CrossSiteRequestsAreRefused) {
  Server s;
  const std::string body = R"({"annotator":"a","pair_id":1,"choice":"a"})";
  EXPECT_EQ(
      s.post("/api/v1/judgments", body, "application/json", {{"Origin", "http://evil.example"}})
          ->status,
      403);
  httplib::Headers rebind{{"Host", "evil.example:80"}};
  EXPECT_EQ(s.cli->Get("/api/v1/info", rebind)->status, 403);
  EXPECT_EQ(s.store.counts().judgments, 0);
}

// A chunked body is refused from its headers, before any of it is read (the body limit needs a
// length): the answer comes while the client has not sent a byte of the body.
TEST(ServeApi, ChunkedBodiesAreRefusedBeforeReading) {
  Server s;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(s.running->port()));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr), 0);
  timeval wait{5, 0};  // the server's own read timeout is 10 s
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
  const std::string head =
      "POST /api/v1/items HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: image/png\r\n"
      "Transfer-Encoding: chunked\r\n\r\n";
  ASSERT_EQ(::send(fd, head.data(), head.size(), MSG_NOSIGNAL), static_cast<ssize_t>(head.size()));
  std::string answer(4096, '\0');
  const ssize_t n = ::recv(fd, answer.data(), answer.size(), 0);
  ::close(fd);
  ASSERT_GT(n, 0) << "no answer before the body";
  answer.resize(static_cast<std::size_t>(n));
  EXPECT_EQ(answer.rfind("HTTP/1.1 411", 0), 0u) << answer;
  EXPECT_NE(answer.find("Content-Length"), std::string::npos) << answer;
  EXPECT_EQ(s.store.counts().items, 1);
  // A client that sends a length is served as before.
  EXPECT_EQ(s.post("/api/v1/items", test::rig_face_png(0.9f), "image/png")->status, 201);
}

}  // namespace
}  // namespace semblend::cli::serve
