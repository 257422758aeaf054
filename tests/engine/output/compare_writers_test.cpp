// The writers of `cpsf compare` (compare.json, compare.csv, the table, compare.svg): the
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

TEST(CompareWriters, LongAndOddLabelsAreEscaped) {
  const std::string label = "<a&b>, \"c\"" + std::string(3000, 'x');
  const auto c = compare({{label, "", default_scenario()}}, options({"as-is"}, 50));
  EXPECT_NE(compare_csv(c).find("\"<a&b>, \"\"c\"\"xxx"), std::string::npos);
  EXPECT_NE(compare_text(c).find(label), std::string::npos);
}

}  // namespace
}  // namespace cpsf
