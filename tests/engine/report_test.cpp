// results.json is written partly by hand (the per-asset arrays, streamed): it must be
// exactly what nlohmann's dump(1) of the same document gives, whatever the names hold.
#include "cpsf/report.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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
    const auto rep = make_report(m, r);
    const std::string text = results_json(m, r, rep, {"dir/x \"y\".textproto", "name", "EUR"});
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
  auto rep = make_report(m, r);
  expect_nlohmann_layout(results_json(m, r, rep, {"x", "y", "z"}));
  rep.assets.clear();  // empty arrays print as []
  rep.threats.clear();
  const std::string text = results_json(m, r, rep, {"x", "y", "z"});
  expect_nlohmann_layout(text);
  EXPECT_NE(text.find("\"assets\": []"), std::string::npos);
  EXPECT_NE(text.find("\"threats\": []"), std::string::npos);
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
  const auto rep = make_report(m, r);
  const std::string json = results_json(m, r, rep, {"x", "y", "z"});
  expect_nlohmann_layout(json);
  const auto j = nlohmann::ordered_json::parse(json);
  EXPECT_EQ(j["assets"][0]["layer"], "?");
  EXPECT_EQ(j["assets"][0]["element"], "?");
  const std::string csv = assets_csv(m, rep);
  EXPECT_NE(csv.find("\n" + m.asset_id[0] + "," + m.enterprise_id[m.asset_owner[0]] + ",?,?,"), std::string::npos) << csv;
  EXPECT_FALSE(text_summary(m, r, rep, {"x", "y", "z"}).empty());
}

}  // namespace
}  // namespace cpsf
