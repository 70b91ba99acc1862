// Preference learning through the store and the command line: the schema migration, `semblend
// prefs train|status|export|use` (refusal, the held-out check that keeps the model in use, a
// corrupt version), the judging service proposing pairs from the version in use, and
// `semblend eval prefs --quick`.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <regex>

#include "semblend/image.h"
#include "semblend/prefs_learn.h"
#include "semblend/render.h"
#include "semblend/rig.h"
#include "serve_api.h"
#include "test_util.h"

namespace semblend::prefs {
namespace {

void sql(const std::string& path, const char* statement) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* error = nullptr;
  EXPECT_EQ(sqlite3_exec(db, statement, nullptr, nullptr, &error), SQLITE_OK)
      << (error ? error : "");
  sqlite3_free(error);
  sqlite3_close(db);
}

// `items` faces judged by one person who sees `gain` of the solver's `shape` plus `offset` (by
// default 0.7 of its jawOpen, minus 0.05): each pair planned around the prediction (as `semblend
// serve` does), judged by that shape's distance to what they see. Items are named `name` + their
// number.
void fill(Store& store, int items, const std::string& name = "face", float gain = 0.7f,
          float offset = -0.05f, Blendshape shape = Blendshape::JawOpen) {
  const std::int64_t who = store.annotator("ann");
  const std::int64_t model = store.model_version("shipped");
  for (int i = 0; i < items; ++i) {
    Coefficients base;
    base.set(Blendshape::JawOpen, 0.05f + 0.55f * float(i % 11) / 10);
    base.set(Blendshape::MouthSmileLeft, 0.3f * float(i % 3));
    const float truth = std::clamp(gain * base[shape] + offset, 0.0f, 1.0f);
    const std::int64_t item =
        store.add_item({name + std::to_string(i), name + "png" + std::to_string(i), 4, 4, {}});
    const std::int64_t p = store.add_candidate({item, "prediction", "prediction", model, base});
    for (const PairPlan& plan : plan_pairs(base)) {
      const std::int64_t alt =
          store.add_candidate({item, plan.kind, plan.label, std::nullopt, plan.alternative});
      const std::int64_t pair = store.add_pair({item, plan.region, p, alt, plan.priority});
      const float da = std::abs(base[shape] - truth),
                  db = std::abs(plan.alternative[shape] - truth);
      const Choice c = da == db ? Choice::Tie : da < db ? Choice::A : Choice::B;
      store.add_judgment({pair, who, c, 900, ""});
    }
  }
}

TEST(PrefsTrain, Version1StoresAreMigrated) {
  test::TempDir tmp;
  const std::string path = tmp.path("prefs.sqlite");
  {
    Store s = Store::open(path);
    s.model_version("shipped");
  }
  sql(path,  // as semblend with schema version 1 left it
      "DROP TABLE current_model; ALTER TABLE model_versions DROP COLUMN correction; "
      "ALTER TABLE model_versions DROP COLUMN heldout_agreement; "
      "UPDATE schema_version SET version = 1");
  Store s = Store::open(path);
  EXPECT_EQ(s.schema_version(), 2);
  ASSERT_EQ(s.model_versions().size(), 1u);
  EXPECT_FALSE(s.model_versions()[0].correction);
  EXPECT_FALSE(s.current_model());
  const std::int64_t v = s.add_model_version("prefs-v1", "n", correction_json(Correction{}), 0.7);
  s.set_current_model(v);
  EXPECT_EQ(s.current_model()->name, "prefs-v1");
  EXPECT_THROW(s.set_current_model(s.model_versions()[0].id), std::invalid_argument);  // solver
  EXPECT_THROW(s.add_model_version("prefs-v1", "", "{}", 0), std::invalid_argument);
}

TEST(PrefsTrain, CommandLineTrainsChecksKeepsAndRollsBack) {
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.path("data"));
  const std::string data = tmp.path("data"), db = tmp.path("data/prefs.sqlite");
  {
    Store store = Store::open(db);
    store.model_version("shipped");
  }
  auto run = [&](const std::string& args) { return test::run_cli("prefs " + args, tmp); };
  test::RunResult r = run("train --data " + test::q(data));  // nothing judged yet
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("too few judgments"), std::string::npos) << r.err;
  {
    Store store = Store::open(db);
    fill(store, 60);
  }
  r = run("train --data " + test::q(data));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "prefs-v1\n") << r.err;
  EXPECT_NE(r.err.find("accepted"), std::string::npos) << r.err;
  // Again on the same judgments: no better than the version in use, which stays.
  r = run("train --data " + test::q(data));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("kept the model in use"), std::string::npos) << r.err;
  r = run("status --data " + test::q(data));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("rounds (trained versions): 1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("in use: prefs-v1"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("prefs-v2"), std::string::npos) << r.out;
  r = run("export --data " + test::q(data) + " -o " + test::q(tmp.path("m.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const Correction c = read_correction(tmp.path("m.json"));
  Coefficients p;
  p.set(Blendshape::JawOpen, 0.5f);
  EXPECT_LT(c.apply(p)[Blendshape::JawOpen], 0.45f);  // toward 0.3, what the person sees
  {  // The exported version drives `semblend image --correction`: the jaw reads lower with it.
    FaceFrame open;
    open.coefficients.set(Blendshape::JawOpen, 0.5f);
    RenderOptions ro;
    ro.width = ro.height = 320;
    write_png(render_face(default_rig(), open, ro).image, tmp.path("open.png"));
    auto jaw = [&](const std::string& extra, Coefficients* all) {
      const test::RunResult s = test::run_cli(
          "image " + test::q(tmp.path("open.png")) + extra + " -o " + test::q(tmp.path("o.json")),
          tmp);
      EXPECT_EQ(s.exit_code, 0) << s.err;
      const auto j = nlohmann::json::parse(test::read_text(tmp.path("o.json")));
      for (const auto& [name, v] : j["face"]["coefficients"].items())
        if (all) all->set(*blendshape_from_name(name), v.get<float>());
      return j["face"]["coefficients"]["jawOpen"].get<double>();
    };
    Coefficients plain;
    const double before = jaw("", &plain);
    const double after = jaw(" --correction " + test::q(tmp.path("m.json")), nullptr);
    EXPECT_GT(before, 0.2);
    EXPECT_LT(after, before - 0.02);
    EXPECT_NEAR(after, c.apply(plain)[Blendshape::JawOpen], 1e-3);
  }
  EXPECT_EQ(run("use --data " + test::q(data) + " --version 0").exit_code, 0);
  EXPECT_FALSE(Store::open(db).current_model());
  const std::int64_t id = Store::open(db).model_versions().back().id;
  EXPECT_EQ(run("rollback --data " + test::q(data) + " --version " + std::to_string(id)).exit_code,
            0);
  EXPECT_EQ(Store::open(db).current_model()->name, "prefs-v1");
  // A corrupt version is refused with the store's name.
  sql(db, "UPDATE model_versions SET correction = '{\"format\": 1' WHERE correction IS NOT NULL");
  r = run("export --data " + test::q(data));
  EXPECT_EQ(r.exit_code, 4);
  EXPECT_NE(r.err.find("prefs.sqlite"), std::string::npos) << r.err;
  r = run("status --data " + test::q(tmp.path("nowhere")));
  EXPECT_EQ(r.exit_code, 3) << r.err;
}

TEST(PrefsTrain, APersonsCalibrationLearnsFromTheJudgmentsOfTheirPhotos) {
  // Everyone's judgments made prefs-v1 (the jaw read lower); Alice's photos are judged as her
  // inner brows raised 0.25 more than the solver reads. `prefs calibrate --items 'alice/*'` learns
  // that from her photos alone, writes a "calibration" correction, and keeps prefs-v1's jaw, about
  // which her judgments say nothing.
  test::TempDir tmp;
  std::filesystem::create_directories(tmp.path("data"));
  const std::string data = tmp.path("data"), db = tmp.path("data/prefs.sqlite");
  {
    Store store = Store::open(db);
    fill(store, 60);
  }
  auto run = [&](const std::string& args) { return test::run_cli("prefs " + args, tmp); };
  test::RunResult r = run("train --data " + test::q(data));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  {
    Store store = Store::open(db);
    fill(store, 16, "alice/", 1.0f, 0.25f, Blendshape::BrowInnerUp);
    fill(store, 1, "carol/", 1.0f, 0.25f, Blendshape::BrowInnerUp);
  }
  r = run("calibrate --data " + test::q(data) + " --items 'alice/*' -o " +
          test::q(tmp.path("alice.json")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("16 item(s) match"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, tmp.path("alice.json") + "\n");
  const Correction alice = read_correction(tmp.path("alice.json"));
  const Correction v1 = read_correction([&] {
    EXPECT_EQ(
        run("export --data " + test::q(data) + " -o " + test::q(tmp.path("v1.json"))).exit_code, 0);
    return tmp.path("v1.json");
  }());
  EXPECT_EQ(alice.kind, "calibration");
  EXPECT_NE(alice.notes.find("alice/*"), std::string::npos) << alice.notes;
  Coefficients p;
  p.set(Blendshape::JawOpen, 0.3f);
  EXPECT_GT(alice.apply(p)[Blendshape::BrowInnerUp], 0.04f);  // toward her 0.25
  EXPECT_LT(v1.apply(p)[Blendshape::BrowInnerUp], 0.02f);
  EXPECT_LT(v1.apply(p)[Blendshape::JawOpen], 0.28f);  // everyone's jaw: lower, and so hers
  EXPECT_EQ(alice.apply(p)[Blendshape::JawOpen], v1.apply(p)[Blendshape::JawOpen]);
  // No judged photo matches, or too few to hold some out: exit 6, nothing written.
  r = run("calibrate --data " + test::q(data) + " --items 'bob/*' -o " +
          test::q(tmp.path("bob.json")));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_NE(r.err.find("no judgments on items matching"), std::string::npos) << r.err;
  r = run("calibrate --data " + test::q(data) + " --items 'carol/*' -o " +
          test::q(tmp.path("carol.json")));
  EXPECT_EQ(r.exit_code, 6) << r.err;
  EXPECT_FALSE(std::filesystem::exists(tmp.path("bob.json")));
  EXPECT_FALSE(std::filesystem::exists(tmp.path("carol.json")));
}

TEST(PrefsTrain, TheJudgingPageProposesPairsFromTheVersionInUse) {
  test::TempDir tmp;
  Store store = Store::open(tmp.path("prefs.sqlite"));
  cli::serve::ServeApp app(store,
                           [](const Image&) {
                             cli::serve::Analysis a;
                             a.face = true;
                             a.prediction.set(Blendshape::JawOpen, 0.2f);
                             return a;
                           },
                           {});
  const std::int64_t before = app.add_image(test::rig_face_png(0.1f), "before.png").item_id;
  EXPECT_EQ(app.propose_from_current(), 0);  // no trained version yet
  Correction c;
  c.offset[static_cast<std::size_t>(Blendshape::JawOpen)] = 0.3f;
  store.set_current_model(store.add_model_version("prefs-v1", "", correction_json(c), 0.7));
  auto model_side = [&](std::int64_t item) {
    for (const Candidate& k : store.candidates(item))
      if (k.kind == "model" && k.label == "prefs-v1") return k;
    return Candidate{};
  };
  const std::int64_t after = app.add_image(test::rig_face_png(0.4f), "after.png").item_id;
  const Candidate side = model_side(after);
  ASSERT_NE(side.id, 0) << "a new item's pairs are planned around the version in use";
  EXPECT_FLOAT_EQ(side.coefficients[Blendshape::JawOpen], 0.5f);
  for (const Pair& p : store.pairs(after)) EXPECT_TRUE(p.a == side.id || p.b == side.id);
  // The item added before the round gets pairs around the new version too, once.
  const std::size_t pairs = store.pairs(before).size();
  EXPECT_EQ(app.propose_from_current(), 1);
  EXPECT_EQ(app.propose_from_current(), 0);
  EXPECT_GT(store.pairs(before).size(), pairs);
  EXPECT_NE(model_side(before).id, 0);
}

TEST(PrefsTrain, EvalPrefsQuickReportsTheLoop) {
  test::TempDir tmp;
  const test::RunResult r = test::run_cli("eval prefs --quick", tmp);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(
      r.out, m, std::regex("error reduction vs pseudo-label solver: (-?\\d+)%\\n$")))
      << r.out;
  EXPECT_GE(std::stoi(m[1]), 0) << r.out;  // measured 0% (docs/prefs.md): never worse
  EXPECT_NE(r.out.find("after 0 / 100 / 300 / 1000 judgments"), std::string::npos);
  EXPECT_NE(r.out.find("per-person calibration"), std::string::npos);
  // The biased user's calibration is accepted within 50 judgments (measured 46% lower).
  ASSERT_TRUE(std::regex_search(
      r.out, m, std::regex("calibration: biased-shape error \\S+ -> \\S+ \\((-?\\d+)% lower\\)")))
      << r.out;
  EXPECT_GE(std::stoi(m[1]), 25) << r.out;
  ASSERT_TRUE(std::regex_search(r.out, m, std::regex("limit \\+0.02")));
  ASSERT_TRUE(std::regex_search(
      r.out, m, std::regex("vs the pseudo-label solver\\): \\S+ ([-+]\\d\\.\\d+)")));
  EXPECT_LE(std::stod(m[1]), 0.02) << r.out;
}

}  // namespace
}  // namespace semblend::prefs
