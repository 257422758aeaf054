// The CSVs of a run hold results.json's numbers exactly (read back as doubles) and the
// scenario's names: assets.csv's name and expected_loss (attack-graph.graphml's),
// enterprises.csv, paths.csv and chokepoints.csv; null in results.json is an empty cell.
#include "cpsf/output/results_csv.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <regex>

#include "cpsf/io/csv_read.hpp"
#include "cpsf/output/attack_graph.hpp"
#include "cpsf/output/results_json.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using nlohmann::json;
using testing::default_scenario;

struct Written {
  v1::Scenario scenario = default_scenario();
  Model model;
  SimulationResult result;
  Estimates estimates;
  OutputContext context;
  json doc;
};

Written run(bool inherent = true, EstimateOptions::Chokepoints chokepoints = EstimateOptions::Chokepoints::On) {
  Written r;
  r.model = compile(r.scenario);
  RunOptions o;
  o.trials = 400;
  o.seed = 11;
  o.inherent = inherent;
  r.result = simulate(r.model, o);
  EstimateOptions eo;
  eo.chokepoints = chokepoints;
  r.estimates = estimate(r.model, r.result, eo);
  r.context = output_context("s.textproto", r.scenario);
  r.doc = json::parse(results_json(r.model, r.result, r.estimates, r.context));
  return r;
}

// The table, parsed by the engine's own RFC 4180 reader; fails the test on a syntax error.
CsvTable table(const std::string& text) {
  CsvTable t;
  Diagnostics d;
  EXPECT_TRUE(parse_csv(text, "x.csv", t, d));
  return t;
}

std::size_t column(const CsvTable& t, const std::string& name) {
  const auto it = std::find(t.header.begin(), t.header.end(), name);
  EXPECT_NE(it, t.header.end()) << name;
  return static_cast<std::size_t>(it - t.header.begin());
}

// A cell against results.json's value: a number read back as the same double, null an
// empty cell, an integer its digits, a boolean true/false.
::testing::AssertionResult same(const std::string& cell, const json& value) {
  if (value.is_null()) {
    return cell.empty() ? ::testing::AssertionSuccess() : ::testing::AssertionFailure() << cell << " for null";
  }
  if (value.is_boolean()) {
    return cell == (value.get<bool>() ? "true" : "false") ? ::testing::AssertionSuccess()
                                                          : ::testing::AssertionFailure() << cell << " for " << value;
  }
  if (value.is_number_unsigned()) {
    return cell == std::to_string(value.get<std::uint64_t>())
               ? ::testing::AssertionSuccess()
               : ::testing::AssertionFailure() << cell << " for " << value;
  }
  char* end = nullptr;
  const double x = std::strtod(cell.c_str(), &end);
  if (cell.empty() || *end != '\0' || x != value.get<double>()) {
    return ::testing::AssertionFailure() << "'" << cell << "' for " << value.dump();
  }
  return ::testing::AssertionSuccess();
}

std::string joined(const json& items, const std::string& separator) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? separator : "") + items[i].get<std::string>();
  return out;
}

TEST(ResultsCsv, AssetsCsvHasNamesAndTheGraphmlExpectedLoss) {
  const Written r = run();
  const CsvTable t = table(assets_csv(r.model, r.estimates, r.context.labels));
  ASSERT_EQ(t.rows.size(), r.model.asset_count());
  EXPECT_EQ(t.header[1], "name");
  const std::string graphml = attack_graph_graphml(r.model, r.estimates);
  for (std::size_t i = 0; i < t.rows.size(); ++i) {
    const auto& row = t.rows[i];
    const json& a = r.doc["assets"][i];
    EXPECT_EQ(row[column(t, "id")], a["id"]);
    EXPECT_EQ(row[column(t, "name")], r.scenario.assets(static_cast<int>(i)).name());
    EXPECT_TRUE(same(row[column(t, "p_compromised")], a["p_compromised"]));
    EXPECT_TRUE(same(row[column(t, "ci95_high")], a["ci95"][1]));
    EXPECT_TRUE(same(row[column(t, "compromised_trials")], a["compromised_trials"]));
    // The same digits as the GraphML node's expected_loss (both the shortest round trip).
    const std::regex node("<node id=\"" + a["id"].get<std::string>() +
                          "\">.*<data key=\"expected_loss\">([^<]*)</data>");
    std::smatch m;
    ASSERT_TRUE(std::regex_search(graphml, m, node)) << a["id"];
    EXPECT_EQ(std::strtod(row[column(t, "expected_loss")].c_str(), nullptr), std::strtod(m[1].str().c_str(), nullptr));
    EXPECT_EQ(std::strtod(row[column(t, "expected_loss")].c_str(), nullptr),
              a["p_compromised"].get<double>() * r.model.asset_loss[i]);
  }
}

TEST(ResultsCsv, EnterprisesCsvIsResultsJsonsEnterprisesWithNamesRolesAndSectors) {
  for (const bool inherent : {true, false}) {
    const Written r = run(inherent);
    const CsvTable t = table(enterprises_csv(r.model, r.result, r.estimates, r.context.labels));
    ASSERT_EQ(t.header,
              (std::vector<std::string>{"id", "name", "role", "sector", "loss_mean", "loss_stderr", "direct_mean",
                                        "direct_stderr", "cascade_mean", "cascade_stderr", "inherent_loss_mean"}));
    ASSERT_EQ(t.rows.size(), r.doc["enterprises"].size());
    for (std::size_t e = 0; e < t.rows.size(); ++e) {
      const auto& row = t.rows[e];
      const json& j = r.doc["enterprises"][e];
      const auto& s = r.scenario.enterprises(static_cast<int>(e));
      EXPECT_EQ(row[0], j["id"]);
      EXPECT_EQ(row[1], s.name());
      EXPECT_EQ(row[2], s.role());
      EXPECT_EQ(row[3], s.sector());
      EXPECT_TRUE(same(row[4], j["loss"]["mean"]));
      EXPECT_TRUE(same(row[5], j["loss"]["stderr"]));
      EXPECT_TRUE(same(row[6], j["direct"]["mean"]));
      EXPECT_TRUE(same(row[7], j["direct"]["stderr"]));
      EXPECT_TRUE(same(row[8], j["cascade"]["mean"]));
      EXPECT_TRUE(same(row[9], j["cascade"]["stderr"]));
      EXPECT_TRUE(same(row[10], j.value("inherent_loss_mean", json())));  // absent: not computed
    }
  }
}

TEST(ResultsCsv, PathsCsvIsResultsJsonsTopPathsRankedPerTarget) {
  const Written r = run();
  const CsvTable t = table(paths_csv(r.model, r.estimates));
  ASSERT_EQ(t.header, (std::vector<std::string>{"target", "rank", "assets", "relations", "trials", "frequency",
                                                "ci95_low", "ci95_high", "share"}));
  std::size_t k = 0;
  for (const json& target : r.doc["paths"]["targets"]) {
    for (std::size_t rank = 0; rank < target["top"].size(); ++rank, ++k) {
      ASSERT_LT(k, t.rows.size());
      const auto& row = t.rows[k];
      const json& p = target["top"][rank];
      EXPECT_EQ(row[0], target["asset"]);
      EXPECT_EQ(row[1], std::to_string(rank + 1));
      EXPECT_EQ(row[2], joined(p["assets"], " > "));
      EXPECT_EQ(row[3], joined(p["relations"], " > "));
      EXPECT_TRUE(same(row[4], p["trials"]));
      EXPECT_TRUE(same(row[5], p["frequency"]));
      EXPECT_TRUE(same(row[6], p["ci95"][0]));
      EXPECT_TRUE(same(row[7], p["ci95"][1]));
      EXPECT_TRUE(same(row[8], p["share"]));
    }
  }
  EXPECT_EQ(k, t.rows.size());
  EXPECT_GT(k, 3u);
}

TEST(ResultsCsv, ChokepointsCsvIsResultsJsonsChokepointsAndTheHeaderAloneWhenSkipped) {
  const Written r = run();
  const CsvTable t = table(chokepoints_csv(r.model, r.estimates));
  ASSERT_EQ(t.header, (std::vector<std::string>{"threat", "asset", "reachable", "entry", "cut_size", "cut_relations",
                                                "asset_cut_size", "cut_assets", "depth", "exact"}));
  std::size_t k = 0;
  for (const json& threat : r.doc["chokepoints"]["threats"]) {
    for (const json& c : threat["targets"]) {
      ASSERT_LT(k, t.rows.size());
      const auto& row = t.rows[k++];
      EXPECT_EQ(row[0], threat["threat"]);
      EXPECT_EQ(row[1], c["asset"]);
      EXPECT_TRUE(same(row[2], c["reachable"]));
      EXPECT_TRUE(same(row[3], c["entry"]));
      EXPECT_TRUE(same(row[4], c["cut_size"]));
      EXPECT_EQ(row[5], joined(c["cut_relations"], ";"));
      EXPECT_TRUE(same(row[6], c["asset_cut_size"]));
      EXPECT_EQ(row[7], joined(c["cut_assets"], ";"));
      EXPECT_TRUE(same(row[8], c["depth"]));
      EXPECT_TRUE(same(row[9], c["exact"]));
    }
  }
  EXPECT_EQ(k, t.rows.size());
  EXPECT_GT(k, 3u);

  const Written off = run(true, EstimateOptions::Chokepoints::Off);
  const std::string skipped = chokepoints_csv(off.model, off.estimates);
  EXPECT_EQ(skipped, "threat,asset,reachable,entry,cut_size,cut_relations,asset_cut_size,cut_assets,depth,exact\n");
}

// An entry's cut fields are null in results.json: empty cells here, not a count.
TEST(ResultsCsv, ChokepointsOfAnEntryHaveEmptyCutCells) {
  Written r = run();
  Estimates& est = r.estimates;
  ASSERT_FALSE(est.chokepoints.empty());
  Chokepoint entry;
  entry.target = 0;
  entry.reachable = true;
  entry.entry = true;
  entry.cut_size = kNoCut;
  entry.asset_cut_size = kNoCut;
  entry.depth = 0;
  est.chokepoints[0].targets = {entry};
  const CsvTable t = table(chokepoints_csv(r.model, est));
  ASSERT_GE(t.rows.size(), 1u);
  EXPECT_EQ(t.rows[0][4], "");
  EXPECT_EQ(t.rows[0][6], "");
  EXPECT_EQ(t.rows[0][8], "0");
}

TEST(ResultsCsv, NamesRolesAndSectorsAreNeutralisedLikeIds) {
  Written r = run();
  ScenarioLabels& labels = r.context.labels;
  labels.asset_name[0] = "=cmd|' /C calc'!A0";
  labels.enterprise_name[0] = "+SUM(A1)";
  labels.enterprise_role[0] = "@role, with a comma";
  labels.enterprise_sector[0] = "-sector";
  const CsvTable assets = table(assets_csv(r.model, r.estimates, labels));
  EXPECT_EQ(assets.rows[0][1], "'=cmd|' /C calc'!A0");
  const CsvTable enterprises = table(enterprises_csv(r.model, r.result, r.estimates, labels));
  EXPECT_EQ(enterprises.rows[0][1], "'+SUM(A1)");
  EXPECT_EQ(enterprises.rows[0][2], "'@role, with a comma");
  EXPECT_EQ(enterprises.rows[0][3], "'-sector");
  // Without labels (a model alone): empty cells, the columns still there.
  const CsvTable bare = table(enterprises_csv(r.model, r.result, r.estimates));
  EXPECT_EQ(bare.rows[0][1], "");
  EXPECT_EQ(bare.header.size(), enterprises.header.size());
}

TEST(ResultsCsv, LabelsOfAScenarioWithNoNamesAreEmpty) {
  v1::Scenario s = default_scenario();
  for (auto& a : *s.mutable_assets()) a.clear_name();
  const ScenarioLabels labels = scenario_labels(s);
  EXPECT_TRUE(labels.asset_name.empty());  // no 10^6 empty strings kept through a run
  EXPECT_EQ(labels.enterprise_name.size(), static_cast<std::size_t>(s.enterprises_size()));
}

}  // namespace
}  // namespace cpsf
