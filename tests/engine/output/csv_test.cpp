// Every CSV the engine writes (assets.csv, losses.csv, compare.csv, frontier.csv): quoted
// per RFC 4180, text cells that a spreadsheet would run as a formula neutralised with a
// leading ', numbers left numbers, and frontier.csv's lists of ids unambiguous.
#include "cpsf/output/csv.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cpsf/analysis/compare.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/compare_writers.hpp"
#include "cpsf/output/portfolio_writers.hpp"
#include "cpsf/output/results_csv.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;
using Table = std::vector<std::vector<std::string>>;

// An RFC 4180 reader: quoted cells may hold commas, quotes (doubled) and line breaks.
Table parse_csv(const std::string& text) {
  Table rows(1, std::vector<std::string>(1));
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    std::string& cell = rows.back().back();
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      EXPECT_TRUE(cell.empty()) << "a quote inside an unquoted cell";
      quoted = true;
    } else if (c == ',') {
      rows.back().emplace_back();
    } else if (c == '\n') {
      rows.emplace_back(1);
    } else {
      EXPECT_NE(c, '\r') << "a raw CR outside quotes";
      cell += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  if (rows.back().size() == 1 && rows.back()[0].empty()) rows.pop_back();  // the final newline
  return rows;
}

// What a spreadsheet would evaluate: a cell starting with =, +, -, @, tab or CR.
bool formula(const std::string& cell) {
  return !cell.empty() && std::string("=+-@\t\r").find(cell[0]) != std::string::npos;
}

// The text back from a neutralised cell: one leading ' is the writer's.
std::string unneutralised(const std::string& cell) { return !cell.empty() && cell[0] == '\'' ? cell.substr(1) : cell; }

// Ids a spreadsheet would run, ids with the CSV's own characters, and one that starts with '.
const std::vector<std::string> kHostile = {
    "=cmd|' /C calc'!A0", "+SUM(A1)",    "-2+3",       "@SUM(1)", "\tTAB",        "\rCR",  "a,b",  //
    "say \"hi\"",         "line\nbreak", "cr\rinside", "'quoted", "トヨタ自動車", "plain",         //
};

std::string number_cell(double x) {
  std::string s;
  csv::number(s, x);
  return s;
}

TEST(Csv, NumbersHaveTheFewestDigitsThatReadBackAndPlainDecimalsWherePeopleReadThem) {
  EXPECT_EQ(number_cell(0.30070000000000002), "0.3007");     // %.17g wrote 0.30070000000000002
  EXPECT_EQ(number_cell(0.1 + 0.2), "0.30000000000000004");  // 17 digits only where needed
  EXPECT_EQ(number_cell(100000), "100000");                  // not the shorter 1e+05
  EXPECT_EQ(number_cell(2435870.125), "2435870.125");
  EXPECT_EQ(number_cell(-788297.25), "-788297.25");
  EXPECT_EQ(number_cell(1e-5), "0.00001");
  EXPECT_EQ(number_cell(1.5e-7), "1.5e-07");  // outside [1e-5, 1e15): an exponent
  EXPECT_EQ(number_cell(2e20), "2e+20");
  EXPECT_EQ(number_cell(999999999999999), "999999999999999");
  EXPECT_EQ(number_cell(0), "0");
  EXPECT_EQ(number_cell(std::numeric_limits<double>::quiet_NaN()), "");
  EXPECT_EQ(number_cell(std::numeric_limits<double>::infinity()), "");
  // Every written number reads back to the same double, across the whole range.
  for (const double x : {std::numeric_limits<double>::min(), std::numeric_limits<double>::max(),
                         std::numeric_limits<double>::denorm_min(), 1e-5 * (1 - 1e-16), 1e15 * (1 - 1e-16), 1.0 / 3,
                         -2.0 / 3 * 1e14, 123456789.123456789}) {
    EXPECT_EQ(std::strtod(number_cell(x).c_str(), nullptr), x) << number_cell(x);  // stod throws on a subnormal
  }
}

TEST(Csv, AssetsCsvNeutralisesFormulasAndQuotesEveryCsvCharacter) {
  Model m = compile(default_scenario());
  for (std::size_t i = 0; i < kHostile.size(); ++i) {
    m.asset_id[i] = kHostile[i];
    m.enterprise_id[m.asset_owner[i]] = kHostile[(i + 3) % kHostile.size()] + "-owner";
  }
  m.enterprise_id[m.asset_owner[0]] = "=HYPERLINK(\"http://x\")";
  RunOptions o;
  o.trials = 200;
  const auto r = simulate(m, o);
  const auto est = estimate(m, r);
  ScenarioLabels labels;  // names as hostile as the ids
  for (std::size_t i = 0; i < m.asset_id.size(); ++i) labels.asset_name.push_back(kHostile[(i + 5) % kHostile.size()]);
  const Table t = parse_csv(assets_csv(m, est, labels));
  ASSERT_EQ(t.size(), m.asset_id.size() + 1);
  ASSERT_EQ(t[0][0] + "," + t[0][1] + "," + t[0][2], "id,name,owner");
  for (std::size_t i = 0; i < m.asset_id.size(); ++i) {
    const auto& row = t[i + 1];
    ASSERT_EQ(row.size(), t[0].size()) << i;
    for (std::size_t k = 0; k < 3; ++k) EXPECT_FALSE(formula(row[k])) << row[k];
    EXPECT_EQ(unneutralised(row[0]), m.asset_id[i]);  // the ids and names come back exactly
    EXPECT_EQ(unneutralised(row[1]), labels.asset_name[i]);
    EXPECT_EQ(unneutralised(row[2]), m.enterprise_id[m.asset_owner[i]]);
  }
}

TEST(Csv, CompareCsvNeutralisesTextButNotTheEnginesNegativeNumbers) {
  CompareResult r;
  r.trials = 10;
  r.baselines = {"-as-is", "@SCS-4"};
  for (const auto& label : {std::string("=1+1"), std::string("cr\rinside"), std::string("plain")}) {
    r.scenarios.push_back({label, "", label, "+kJPY", {}});
    for (const auto& b : r.baselines) {
      CompareRow row;
      row.scenario = label;
      row.baseline = b;
      row.mean = 10;
      row.diff_mean = -788297.25;  // a negative number written by the engine stays a number
      r.rows.push_back(row);
    }
  }
  const Table t = parse_csv(compare_csv(r));
  ASSERT_EQ(t.size(), 7u);
  const auto col = [&](const std::string& name) {
    return static_cast<std::size_t>(std::find(t[0].begin(), t[0].end(), name) - t[0].begin());
  };
  for (std::size_t i = 1; i < t.size(); ++i) {
    for (const auto* name : {"scenario", "baseline", "currency", "difference_from"}) {
      EXPECT_FALSE(formula(t[i][col(name)])) << name << ": " << t[i][col(name)];
    }
    EXPECT_EQ(unneutralised(t[i][col("scenario")]), r.rows[i - 1].scenario);
    EXPECT_EQ(unneutralised(t[i][col("baseline")]), r.rows[i - 1].baseline);
    EXPECT_EQ(t[i][col("difference_mean")], "-788297.25");
  }
}

TEST(Csv, FrontierCsvListsIdsAsAJsonArrayInOneCell) {
  PortfolioResult r;
  r.frontier.push_back({0, 0, {100, 1}, {}});
  r.frontier.push_back({10, 10, {50, 1}, {"c1;c2", "=cmd|' /C calc'!A0", "a,\"b\"", "トヨタ"}});
  r.frontier.push_back({20, 20, {std::numeric_limits<double>::quiet_NaN(), 0}, {"c3"}});
  const Table t = parse_csv(frontier_csv(r));
  ASSERT_EQ(t.size(), 4u);
  ASSERT_EQ(t[0], (std::vector<std::string>{"budget", "cost", "loss", "stderr", "chosen"}));
  for (std::size_t i = 1; i < t.size(); ++i) {
    ASSERT_EQ(t[i].size(), 5u);
    EXPECT_FALSE(formula(t[i][4])) << t[i][4];
    EXPECT_EQ(nlohmann::json::parse(t[i][4]).get<std::vector<std::string>>(), r.frontier[i - 1].chosen) << t[i][4];
  }
  EXPECT_EQ(t[2][4], "[\"c1;c2\",\"=cmd|' /C calc'!A0\",\"a,\\\"b\\\"\",\"トヨタ\"]");
  EXPECT_EQ(t[3][2], "");  // not a number: an empty cell, as in every CSV
}

TEST(Csv, LossesCsvIsNumbersOnly) {
  const Model m = compile(default_scenario());
  RunOptions o;
  o.trials = 300;
  const auto r = simulate(m, o);
  const Table t = parse_csv(losses_csv(r));
  ASSERT_EQ(t.size(), 301u);
  for (std::size_t i = 1; i < t.size(); ++i) {
    for (const auto& cell : t[i]) {
      ASSERT_FALSE(cell.empty());
      EXPECT_NE(cell[0], '\'') << cell;
    }
  }
}

}  // namespace
}  // namespace cpsf
