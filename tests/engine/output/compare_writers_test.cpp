// The writers of `cpsf compare` (compare.json, compare.csv, compare-profile.csv, the table): the
// JSON laid out as nlohmann's dump(1) gives it, null where a row has no value, one CSV
// line a row, the supplier rule's decisions in the table, and long, odd labels escaped.
#include "cpsf/output/compare_writers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

CompareOptions options(std::vector<std::string> baselines, std::uint64_t trials) {
  CompareOptions o;
  o.baselines = std::move(baselines);
  o.run.trials = trials;
  o.run.seed = 17;
  o.run.threads = 1;
  return o;
}

// Two scenarios under four variants, the supplier rule among them.
const CompareResult& comparison() {
  static const CompareResult c = compare(
      {{"default", "scenarios/default/scenario.textproto", default_scenario()}, {"rule", "", default_scenario()}},
      options({"as-is", "SCS-3", "SCS-4", "supplier-rule"}, 500));
  return c;
}

TEST(CompareWriters, JsonLaidOutAsNlohmannDumpsIt) {
  const std::string text = compare_json(comparison());
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
  const auto j = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(j["format"], "cpsf.compare.v1");
  EXPECT_EQ(j["rows"].size(), 8u);
  EXPECT_FALSE(j["rows"][3]["supplier_rule"].empty());
}

TEST(CompareWriters, RowsWithoutAValueAreNull) {
  CompareResult r;
  r.trials = 10;
  r.seed = 1;
  r.threat = "apt-supply-chain";
  r.baselines = {"as-is"};
  r.scenarios = {{"s", "", "name", "EUR", {"apt-supply-chain"}}};
  CompareRow row;
  row.scenario = "s";
  row.baseline = "as-is";
  row.trials = 10;
  r.rows = {row};  // no target tracked, no annual frequency
  const std::string text = compare_json(r);
  EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
  EXPECT_NE(text.find("\"threat\": \"apt-supply-chain\""), std::string::npos);
  EXPECT_NE(text.find("\"p_any_target\": null"), std::string::npos);
  EXPECT_NE(text.find("\"annual\": null"), std::string::npos);
}

TEST(CompareWriters, OneCsvLineARowAndTheTableNamesTheScenarios) {
  const CompareResult& c = comparison();
  const std::string csv = compare_csv(c);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 9);
  EXPECT_NE(compare_text(c).find("supplier rule on rule"), std::string::npos);
}

TEST(CompareWriters, SectorProfileOfEveryRowInJsonAndTheLongCsv) {
  const CompareResult& c = comparison();
  const std::string csv = compare_profile_csv(c);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "scenario,baseline,layer,element,loss_mean,loss_stderr,share,share_ci95_low,share_ci95_high");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1 + 8 * 18);
  const auto j = nlohmann::ordered_json::parse(compare_json(c));
  for (std::size_t k = 0; k < c.rows.size(); ++k) {
    const auto& cells = j["rows"][k]["layer_element"];
    ASSERT_EQ(cells.size(), 18u);
    EXPECT_EQ(cells[11]["layer"], "L2");
    EXPECT_EQ(cells[11]["element"], "SYSTEM");
    double sum = 0.0, share = 0.0;
    for (const auto& cell : cells) {
      sum += cell["loss"]["mean"].get<double>();
      share += cell["share"]["value"].get<double>();
      const auto ci = cell["share"]["ci95"];
      EXPECT_LE(ci[0].get<double>(), cell["share"]["value"].get<double>());
      EXPECT_GE(ci[1].get<double>(), cell["share"]["value"].get<double>());
    }
    EXPECT_NEAR(sum, c.rows[k].mean, 1e-9 * c.rows[k].mean) << k;
    if (c.rows[k].mean > 0) {
      EXPECT_NEAR(share, 1.0, 1e-9) << k;
    }
  }
  // Labels are text cells: quoted and neutralised by the one CSV writer.
  const auto odd = compare({{"=a, b", "", default_scenario()}}, options({"as-is"}, 50));
  EXPECT_NE(compare_profile_csv(odd).find("\n\"'=a, b\",as-is,L1,ORGANIZATION,"), std::string::npos);
}

TEST(CompareWriters, LongAndOddLabelsAreEscaped) {
  const std::string label = "<a&b>, \"c\"" + std::string(3000, 'x');
  const auto c = compare({{label, "", default_scenario()}}, options({"as-is"}, 50));
  EXPECT_NE(compare_csv(c).find("\"<a&b>, \"\"c\"\"xxx"), std::string::npos);
  EXPECT_NE(compare_text(c).find(label), std::string::npos);
}

}  // namespace
}  // namespace cpsf
