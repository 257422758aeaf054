// The estimates of a run (estimates.hpp): the loss summary over its thresholds, estimates
// of no trial are NaN and never 0, the chokepoints computed or a note saying why not, and
// the layer × element table summing the assets' expected losses.
#include "cpsf/analysis/estimates.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <vector>

#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

TEST(Estimates, LossSummaryOfFewDistinctLossesHasOneThresholdEach) {
  const std::vector<double> losses{0, 0, 10, 10, 10, 30};
  const LossSummary s = summarise_losses(losses);
  EXPECT_DOUBLE_EQ(s.mean, 10.0);
  EXPECT_DOUBLE_EQ(s.max, 30.0);
  ASSERT_EQ(s.exceedance.size(), 3u);  // 0, 10, 30
  EXPECT_DOUBLE_EQ(s.exceedance[0].probability, 1.0);
  EXPECT_DOUBLE_EQ(s.exceedance[1].probability, 4.0 / 6.0);
  EXPECT_DOUBLE_EQ(s.exceedance[2].probability, 1.0 / 6.0);
  EXPECT_TRUE(std::isnan(summarise_losses(std::span<const double>{}).mean));
  EXPECT_TRUE(summarise_losses(std::span<const double>{}).exceedance.empty());
}

TEST(Estimates, NoTrialGivesNaNNeverZero) {
  const Model m = compile(default_scenario());
  std::atomic<bool> cancel{true};  // set before the run starts
  RunOptions o;
  o.trials = 1000;
  o.cancel = &cancel;
  const auto r = simulate(m, o);
  ASSERT_EQ(r.trials, 0u);
  const Estimates est = estimate(m, r);
  EXPECT_EQ(est.trials, 0u);
  EXPECT_TRUE(std::isnan(est.loss.mean));
  EXPECT_TRUE(std::isnan(est.removed_mean));
  EXPECT_TRUE(std::isnan(est.cascade_mean));
  ASSERT_EQ(est.assets.size(), m.asset_count());
  EXPECT_TRUE(std::isnan(est.assets[0].p));
  EXPECT_TRUE(std::isnan(est.cell_loss[0][0]) && std::isnan(est.cell_count[2][5]));
  ASSERT_TRUE(est.annual.has_value());
  EXPECT_TRUE(std::isnan(est.annual->mean));
}

TEST(Estimates, ChokepointsOrANoteSayingWhyNot) {
  const Model m = compile(default_scenario());
  RunOptions o;
  o.trials = 200;
  o.seed = 3;
  const auto r = simulate(m, o);
  EstimateOptions options;
  const Estimates on = estimate(m, r, options);
  EXPECT_EQ(on.chokepoints.size(), m.threats.size());
  EXPECT_TRUE(on.chokepoints_note.empty());
  options.chokepoints = EstimateOptions::Chokepoints::Off;
  const Estimates off = estimate(m, r, options);
  EXPECT_TRUE(off.chokepoints.empty());
  EXPECT_EQ(off.chokepoints_note, "not computed (--chokepoints off)");
}

TEST(Estimates, LayerElementCellsSumTheAssetsExpectedLosses) {
  const Model m = compile(default_scenario());
  RunOptions o;
  o.trials = 500;
  o.seed = 9;
  const Estimates est = estimate(m, simulate(m, o));
  double cells = 0, assets = 0;
  for (const auto& row : est.cell_loss) {
    for (const double x : row) cells += x;
  }
  for (const auto& a : est.assets) assets += a.p * m.asset_loss[a.index];
  EXPECT_NEAR(cells, assets, 1e-9 * (1 + assets));
}

}  // namespace
}  // namespace cpsf
