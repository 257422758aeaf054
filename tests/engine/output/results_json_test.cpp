// The writers of a run (results.json, assets.csv, losses.csv, the text summary):
// results.json is streamed (json_writer.hpp) and must be exactly what nlohmann's dump(1)
// of the same document gives, whatever the names hold; a run of no trials writes null
// estimates, never 0; out-of-range layers and elements are never read past.
#include "cpsf/output/results_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <nlohmann/json.hpp>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/run_summary.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

// Parsing and dumping again with nlohmann gives its own layout, numbers and escapes.
void expect_nlohmann_layout(const std::string& text) {
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
}

TEST(ResultsJson, LaidOutAsNlohmannDumpsIt) {
  Model m = compile(default_scenario());
  // Names that need escaping or are not ASCII take the slow, exact path.
  m.asset_id[0] = "quote \" backslash \\ tab \t control \x01 end";
  m.asset_id[1] = "工場-ライン/1 é";
  m.enterprise_id[m.asset_owner[2]] = "ünïcode \"owner\"";
  for (const bool inherent : {true, false}) {
    RunOptions o;
    o.trials = 300;
    o.seed = 5;
    o.inherent = inherent;
    const auto r = simulate(m, o);
    ASSERT_GT(r.threats.size(), 1u);  // per-threat asset arrays are written too
    const auto est = estimate(m, r);
    const std::string text = results_json(m, r, est, {"dir/x \"y\".textproto", "name", "EUR"});
    expect_nlohmann_layout(text);
    const auto j = nlohmann::ordered_json::parse(text);
    EXPECT_EQ(j["assets"][0]["id"], m.asset_id[0]);
    EXPECT_EQ(j["assets"][1]["id"], m.asset_id[1]);
    EXPECT_EQ(j["threats"][1]["assets"][0]["id"], m.asset_id[0]);
    EXPECT_EQ(j.contains("inherent"), inherent);
  }
}

TEST(ResultsJson, OneThreatAndNoAssetsStillNlohmannLayout) {
  v1::Scenario scenario = default_scenario();
  scenario.mutable_threats()->DeleteSubrange(1, scenario.threats_size() - 1);
  const Model m = compile(scenario);
  RunOptions o;
  o.trials = 50;
  o.seed = 1;
  const auto r = simulate(m, o);
  auto est = estimate(m, r);
  expect_nlohmann_layout(results_json(m, r, est, {"x", "y", "z"}));
  est.assets.clear();  // empty arrays print as []
  est.threats.clear();
  const std::string text = results_json(m, r, est, {"x", "y", "z"});
  expect_nlohmann_layout(text);
  EXPECT_NE(text.find("\"assets\": []"), std::string::npos);
  EXPECT_NE(text.find("\"threats\": []"), std::string::npos);
}

// A run cancelled before its first round has no trial: every estimate is null (NaN), never
// 0, wherever it appears; counts are 0; ids and structure are all there.
TEST(ResultsJson, NoTrialsGiveNullEstimatesNeverZero) {
  const Model m = compile(default_scenario());
  std::atomic<bool> cancel{true};  // set before the run starts
  RunOptions o;
  o.trials = 100000;
  o.cancel = &cancel;
  const auto r = simulate(m, o);
  ASSERT_EQ(r.trials, 0u);
  ASSERT_TRUE(r.partial);
  ASSERT_TRUE(r.has_inherent && r.has_annual && m.threats.size() > 1);
  const auto est = estimate(m, r);
  const std::string text = results_json(m, r, est, {"x", "y", "z"});
  expect_nlohmann_layout(text);
  const auto j = nlohmann::ordered_json::parse(text);
  const auto null_loss = [](const nlohmann::ordered_json& l, const std::string& what) {
    for (const char* k : {"mean", "stderr", "var95", "var99", "es99", "max"}) {
      EXPECT_TRUE(l[k].is_null()) << what << "." << k;
    }
    EXPECT_EQ(l["ci95"], nlohmann::ordered_json::parse("[null, null]")) << what;
    EXPECT_TRUE(l["exceedance"].empty()) << what;
  };
  EXPECT_EQ(j["trials"], 0);
  null_loss(j["loss"], "loss");
  null_loss(j["inherent"]["loss"], "inherent.loss");
  null_loss(j["annual"]["loss"], "annual.loss");
  EXPECT_TRUE(j["controls_effect"]["loss_removed"].is_null());
  ASSERT_EQ(j["assets"].size(), m.asset_count());
  for (const auto& a : j["assets"]) {
    EXPECT_EQ(a["compromised_trials"], 0);
    EXPECT_TRUE(a["p_compromised"].is_null()) << a["id"];
    EXPECT_EQ(a["ci95"], nlohmann::ordered_json::parse("[null, null]")) << a["id"];
    EXPECT_TRUE(a["inherent"]["p_compromised"].is_null()) << a["id"];
  }
  ASSERT_EQ(j["enterprises"].size(), m.enterprise_id.size());
  for (const auto& e : j["enterprises"]) {
    null_loss(e["loss"], "enterprise " + e["id"].get<std::string>());
    EXPECT_TRUE(e["direct"]["mean"].is_null() && e["cascade"]["mean"].is_null() && e["inherent_loss_mean"].is_null());
  }
  for (const char* k : {"loss_mean", "stderr", "share_of_loss"}) EXPECT_TRUE(j["cascade"][k].is_null()) << k;
  for (const auto& c : j["layer_element"]) {
    EXPECT_TRUE(c["expected_loss"].is_null() && c["expected_compromised"].is_null());
  }
  ASSERT_EQ(j["threats"].size(), m.threats.size());
  for (const auto& t : j["threats"]) {
    null_loss(t["loss"], "threat");
    EXPECT_TRUE(t["inherent_loss_mean"].is_null());
    for (const auto& a : t["assets"]) EXPECT_TRUE(a["p_compromised"].is_null());
  }
  // The CSV has its rows, with empty cells for the estimates.
  const std::string csv = assets_csv(m, est);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<std::ptrdiff_t>(m.asset_count() + 1));
  EXPECT_EQ(losses_csv(r).find('\n') + 1, losses_csv(r).size());  // the header alone
  const std::string enterprises = enterprises_csv(m, r, est);
  EXPECT_EQ(std::count(enterprises.begin(), enterprises.end(), '\n'),
            static_cast<std::ptrdiff_t>(m.enterprise_id.size() + 1));
  // An enterprise's row of no trial: id, three empty labels, then empty estimates, never 0.
  const std::string first_row = enterprises.substr(enterprises.find('\n') + 1);
  EXPECT_EQ(first_row.substr(0, first_row.find('\n')), m.enterprise_id[0] + ",,,,,,,,,,");
  EXPECT_EQ(text_summary(m, r, est, {"x", "y", "z"}).find("mean 0 "), std::string::npos);
}

// The writers index name tables by the model's layer and element: a value out of range
// (compile() refuses them, but the model is a plain struct) must not read past the tables.
TEST(Writers, LayerAndElementOutOfRangeDoNotIndexPastTheirTables) {
  Model m = compile(default_scenario());
  m.asset_layer[0] = 3;
  m.asset_element[0] = 200;
  m.asset_layer[1] = 255;
  RunOptions o;
  o.trials = 50;
  o.seed = 1;
  const auto r = simulate(m, o);
  const auto est = estimate(m, r);
  const std::string json = results_json(m, r, est, {"x", "y", "z"});
  expect_nlohmann_layout(json);
  const auto j = nlohmann::ordered_json::parse(json);
  EXPECT_EQ(j["assets"][0]["layer"], "?");
  EXPECT_EQ(j["assets"][0]["element"], "?");
  const std::string csv = assets_csv(m, est);
  // id, name (none: the model alone), owner, layer, element.
  EXPECT_NE(csv.find("\n" + m.asset_id[0] + ",," + m.enterprise_id[m.asset_owner[0]] + ",?,?,"), std::string::npos)
      << csv;
  EXPECT_FALSE(text_summary(m, r, est, {"x", "y", "z"}).empty());
}

}  // namespace
}  // namespace cpsf
