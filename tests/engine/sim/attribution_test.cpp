// Loss attribution by layer × element (docs/methods.md §8.1) and the annual probability
// of compromise per asset: the cascade's split of its loss among the enterprises hit,
// computed by hand; a run whose every cell is known exactly; every bundled scenario's
// cells adding up to its loss, trial by trial; the annual P(compromised) against
// 1 − exp(−Σ λ p) within 4 standard errors.
#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/base/statistics.hpp"
#include "cpsf/model/cascade.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/sim/simulation.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

// What each enterprise's shock caused downstream, and the total cascade loss.
struct Caused {
  std::vector<double> caused, cascade;
};
Caused cause(const Cascade& c, const std::vector<Cascade::Shock>& shock) {
  Caused out{std::vector<double>(c.enterprises(), 0.0), std::vector<double>(c.enterprises(), 0.0)};
  auto ws = c.workspace();
  c.propagate(shock, nullptr, out.cascade.data(), *ws, out.caused.data());
  return out;
}
double sum(const std::vector<double>& x) {
  double s = 0.0;
  for (const double v : x) s += v;
  return s;
}

TEST(Attribution, CascadeGoesToTheSupplierWhoseShockMadeIt) {
  // OEM (0) takes 0.5 from tier-1 (1), which takes 0.4 from tier-2 (2): tier-2 half down
  // 10 days costs tier-1 100 and the OEM 100 (cascade_test.cpp), all caused by tier-2.
  const Cascade chain({100.0, 50.0, 20.0}, {{0, 1, 0.5, 0.0}, {1, 2, 0.4, 0.0}});
  Caused c = cause(chain, {{2, 0.5, 10.0}});
  EXPECT_NEAR(c.caused[2], 200.0, 1e-9);
  EXPECT_EQ(c.caused[0] + c.caused[1], 0.0);
  // The OEM fully down 5 days and tier-1 fully down 8: q_OEM = 1 + 0.5 clamps to 1, and
  // its 3 more days at q = 1 (300) are tier-1's doing: q_OEM − c_OEM is tier-1's term alone.
  c = cause(chain, {{0, 1.0, 5.0}, {1, 1.0, 8.0}});
  EXPECT_NEAR(c.caused[1], 300.0, 1e-9);
  EXPECT_NEAR(c.caused[0], 0.0, 1e-12);
  EXPECT_NEAR(sum(c.caused), sum(c.cascade), 1e-9);
}

TEST(Attribution, TwoSuppliersShareByTheirTermsOfInoperability) {
  // The OEM takes 0.5 from supplier 1 (c = 0.4 for 10 days) and 0.25 from supplier 2
  // (c = 0.8 for 5 days): q = 0.2 + 0.2 for T = 10 days, 100 × 0.4 × 10 = 400, split
  // 0.2 : 0.2 by the terms of q (not by the days: D enters through T, the max).
  const Cascade c({100.0, 50.0, 20.0}, {{0, 1, 0.5, 0.0}, {0, 2, 0.25, 0.0}});
  const Caused got = cause(c, {{1, 0.4, 10.0}, {2, 0.8, 5.0}});
  EXPECT_NEAR(got.cascade[0], 400.0, 1e-9);
  EXPECT_NEAR(got.caused[1], 200.0, 1e-9);
  EXPECT_NEAR(got.caused[2], 200.0, 1e-9);
}

TEST(Attribution, FeedbackRoundACycleIsTheShockedEnterprises) {
  // Two enterprises each taking 0.5 from the other; 0 hit with c = 0.3 for a day: its own
  // extra 10 × (0.4 − 0.3) = 1 and 1's 10 × 0.2 = 2 both go back to 0.
  const Cascade c({10.0, 10.0}, {{0, 1, 0.5, 0.0}, {1, 0, 0.5, 0.0}});
  const Caused got = cause(c, {{0, 0.3, 1.0}});
  EXPECT_NEAR(got.caused[0], 3.0, 1e-12);
  EXPECT_EQ(got.caused[1], 0.0);
}

// Supplier s loses its line A (L2 SYSTEM, share 0.3, 10 days, loss 1000) and its PLC B
// (L3 COMPONENT, share 0.2, 5 days, loss 10) in every trial; customer c takes 0.4 of its
// output from s.
v1::Scenario two_asset_supplier() {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
enterprises { id: "c" daily_output: 100 }
enterprises { id: "s" daily_output: 20 }
assets { id: "A" owner: "s" layer: L2 element: SYSTEM
         loss { availability: 1000 operations_share: 0.3 outage_days { fixed { value: 10 } } } }
assets { id: "B" owner: "s" layer: L3 element: COMPONENT
         loss { availability: 10 operations_share: 0.2 outage_days { fixed { value: 5 } } } }
threats { id: "x" entry_points { asset: "A" probability: 1 } entry_points { asset: "B" probability: 1 } }
dependencies { customer: "c" supplier: "s" share: 0.4 }
)",
                                                            &s));
  return s;
}

TEST(Attribution, ExactCellsOfATwoAssetSupplier) {
  // c_s = 0.5 for D = 10 days: own production 20 × 0.5 × 10 = 100; the customer's
  // q = 0.4 × 0.5 for 10 days: 100 × 0.2 × 10 = 200. Split by share × days, 3 : 1:
  // A gets 75 + 150, B 25 + 50. Cells: L2 SYSTEM 1000 + 225, L3 COMPONENT 10 + 75.
  const Model m = compile(two_asset_supplier());
  RunOptions o;
  o.trials = 64;
  o.inherent = false;
  const SimulationResult r = simulate(m, o);
  const std::size_t system = 1 * 6 + 5, component = 2 * 6 + 2;
  for (std::uint64_t j = 0; j < r.trials; ++j) {
    EXPECT_NEAR(r.cell_loss[j * kCells + system], 1225.0, 1e-9) << j;
    EXPECT_NEAR(r.cell_loss[j * kCells + component], 85.0, 1e-9) << j;
    EXPECT_NEAR(r.main().residual_loss[j], 1310.0, 1e-9) << j;
  }
  const Estimates est = estimate(m, r);
  EXPECT_NEAR(est.cells[system].own, 1000.0, 1e-9);
  EXPECT_NEAR(est.cells[system].production, 75.0, 1e-4);  // fixed point: 2^-16 a trial
  EXPECT_NEAR(est.cells[system].cascade, 150.0, 1e-4);
  EXPECT_NEAR(est.cells[component].production, 25.0, 1e-4);
  EXPECT_NEAR(est.cells[component].cascade, 50.0, 1e-4);
  EXPECT_NEAR(est.cells[system].share, 1225.0 / 1310.0, 1e-12);
  EXPECT_NEAR(est.cells[system].stderr_, 0.0, 1e-9);
}

TEST(Attribution, CellsAddUpToTheLossInEveryBundledScenario) {
  int with_cascade = 0;
  for (const auto& [file, scenario] : testing::bundled_scenarios()) {
    const Model m = compile(scenario);
    RunOptions o;
    o.trials = 2000;
    o.inherent = false;
    o.threads = 2;
    const SimulationResult r = simulate(m, o);
    with_cascade += !m.supply_links.empty();
    ASSERT_EQ(r.cell_loss.size(), r.trials * kCells) << file;
    for (std::uint64_t j = 0; j < r.trials; ++j) {
      double cells = 0.0;
      for (std::size_t c = 0; c < kCells; ++c) cells += r.cell_loss[j * kCells + c];
      const double loss = r.main().residual_loss[j];
      ASSERT_NEAR(cells, loss, 1e-9 * std::max(1.0, std::fabs(loss))) << file << " trial " << j;
    }
    const Estimates est = estimate(m, r);
    double means = 0.0, parts = 0.0, shares = 0.0;
    for (const auto& c : est.cells) {
      means += c.mean;
      parts += c.own + c.production + c.cascade;
      shares += c.share;
    }
    EXPECT_NEAR(means, est.loss.mean, 1e-9 * est.loss.mean) << file;
    EXPECT_NEAR(parts, est.loss.mean, 1e-9 * est.loss.mean + 1e-4) << file;
    if (est.loss.mean > 0) {
      EXPECT_NEAR(shares, 1.0, 1e-9) << file;
    }
  }
  EXPECT_GE(with_cascade, 3);
}

TEST(Attribution, CellsAreBitIdenticalAtOneAndThreeThreads) {
  const Model m = compile(testing::default_scenario());
  RunOptions o;
  o.trials = 9000;
  o.threads = 1;
  const SimulationResult a = simulate(m, o);
  o.threads = 3;
  const SimulationResult b = simulate(m, o);
  ASSERT_EQ(a.cell_loss.size(), b.cell_loss.size());
  EXPECT_EQ(std::memcmp(a.cell_loss.data(), b.cell_loss.data(), a.cell_loss.size() * sizeof(double)), 0);
  EXPECT_TRUE(a.cell_production == b.cell_production && a.cell_cascade == b.cell_cascade);
  EXPECT_EQ(a.annual_hits, b.annual_hits);
}

// Threat "a" (λ = 2) enters s with probability 0.3 and steps on to t with 0.5; threat
// "b" (λ = 0.7) enters t with 0.4. Attacks are independent and a year has N ~ Poisson(λ)
// of each threat's, so an asset escapes a year with probability Π exp(−λ_k p_k):
// P(s) = 1 − e^(−0.6), P(t) = 1 − e^(−(2 × 0.15 + 0.7 × 0.4)).
TEST(Attribution, AnnualProbabilityOfCompromiseIsOneMinusExpOfMinusLambdaP) {
  v1::Scenario s;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L3 element: DATA loss { integrity: 100 } }
    relations { from: "s" to: "t" layer: L3 step { p: 0.5 } }
    threats { id: "a" entry_points { asset: "s" probability: 0.3 } annual_frequency: 2 }
    threats { id: "b" entry_points { asset: "t" probability: 0.4 } annual_frequency: 0.7 })",
                                                            &s));
  const Model m = compile(s);
  RunOptions o;
  o.trials = 40000;
  o.inherent = false;
  const SimulationResult r = simulate(m, o);
  ASSERT_TRUE(r.has_annual);
  const Estimates est = estimate(m, r);
  const double expected[2] = {1.0 - std::exp(-0.6), 1.0 - std::exp(-(2.0 * 0.15 + 0.7 * 0.4))};
  for (std::uint32_t v = 0; v < 2; ++v) {
    ASSERT_TRUE(est.assets[v].annual.has_value());
    const auto& y = *est.assets[v].annual;
    const double se = std::sqrt(expected[v] * (1.0 - expected[v]) / static_cast<double>(r.trials));
    EXPECT_NEAR(y.p, expected[v], 4 * se) << m.asset_id[v];
    EXPECT_LE(y.ci95.low, y.p);
    EXPECT_GE(y.ci95.high, y.p);
  }
  // assets.csv's last three columns hold it.
  const std::string csv = assets_csv(m, est);
  EXPECT_NE(csv.find("annual_p_compromised,annual_ci95_low,annual_ci95_high\n"), std::string::npos);
  EXPECT_EQ(csv.find(",,,\n"), std::string::npos);
  // Without a frequency on every threat there is no annual view, and no annual P.
  s.mutable_threats(1)->clear_annual_frequency();
  const Model without = compile(s);
  const SimulationResult w = simulate(without, o);
  EXPECT_FALSE(w.has_annual);
  EXPECT_TRUE(w.annual_hits.empty());
  const Estimates west = estimate(without, w);
  EXPECT_FALSE(west.assets[0].annual.has_value());
  // Empty cells in assets.csv, one row per asset.
  const std::string wcsv = assets_csv(without, west);
  std::size_t empty = 0;
  for (std::size_t at = wcsv.find(",,,\n"); at != std::string::npos; at = wcsv.find(",,,\n", at + 1)) ++empty;
  EXPECT_EQ(empty, 2u);
}

}  // namespace
}  // namespace cpsf
