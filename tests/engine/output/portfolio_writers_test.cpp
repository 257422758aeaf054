// The writers of `cpsf optimise` (optimise.json, frontier.csv, the table): the JSON laid
// out as nlohmann's dump(1) gives it, whatever the ids hold, null where a value is not
// finite; one frontier line per budget.
#include "cpsf/output/portfolio_writers.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>

#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

TEST(PortfolioWriters, JsonLaidOutAsNlohmannDumpsIt) {
  PortfolioOptions options;
  options.budget = 40000;
  options.run.trials = 300;
  options.run.seed = 3;
  options.run.threads = 1;
  options.frontier_points = 3;
  PortfolioResult r = optimise(default_scenario(), options);
  const std::string text = portfolio_json(r, {"dir/x \"y\".textproto", "名前", "EUR"});
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(nlohmann::ordered_json::parse(text).dump(1) + "\n", text);
  const auto j = nlohmann::ordered_json::parse(text);
  EXPECT_EQ(j["format"], "cpsf.optimise.v1");
  EXPECT_EQ(j["scenario"]["name"], "名前");
  EXPECT_EQ(j["frontier"].size(), 3u);
  const std::string csv = frontier_csv(r);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 4);
  // A free candidate has no value per cost (NaN): null; an empty frontier is [].
  ASSERT_FALSE(r.marginal.empty());
  r.marginal[0].value_per_cost = std::nan("");
  r.frontier.clear();
  r.horizon.reset();
  const std::string edited = portfolio_json(r, {"f", "n", "EUR"});
  EXPECT_EQ(nlohmann::ordered_json::parse(edited).dump(1) + "\n", edited);
  EXPECT_NE(edited.find("\"value_per_cost\": null"), std::string::npos);
  EXPECT_NE(edited.find("\"frontier\": []"), std::string::npos);
  EXPECT_NE(edited.find("\"horizon\": null"), std::string::npos);
  EXPECT_FALSE(portfolio_text(r, {"f", "n", "EUR"}).empty());
}

}  // namespace
}  // namespace cpsf
