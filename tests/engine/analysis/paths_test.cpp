// Attack paths (paths.hpp): which chain of steps made each tracked asset fall, path
// frequencies against closed forms (within 4 standard errors), relation shares, ALL
// gates, and independence of the thread count.
#include "cpsf/analysis/paths.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>

namespace cpsf {
namespace {

Model model_of(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
  return compile(s);
}

SimulationResult run(const Model& m, std::uint64_t trials, unsigned threads = 0) {
  RunOptions o;
  o.trials = trials;
  o.inherent = false;
  o.threads = threads;
  return simulate(m, o);
}

// |observed − expected| within 4 binomial standard errors.
void expect_frequency(const AttackPath& p, double expected, std::uint64_t trials) {
  const double se = std::sqrt(expected * (1 - expected) / static_cast<double>(trials));
  EXPECT_NEAR(p.frequency, expected, 4 * se);
}

TEST(Paths, SeriesChainHasOnePath) {
  const Model m = model_of(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "a" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L3 element: DATA target: true }
    relations { id: "s-a" from: "s" to: "a" layer: L3 step { p: 1 } }
    relations { id: "a-t" from: "a" to: "t" layer: L3 step { p: 1 } }
    threats { id: "x" entry_points { asset: "s" probability: 0.4 } })");
  const auto r = run(m, 10000);
  const auto summary = summarise_paths(m, r);
  ASSERT_EQ(summary.targets.size(), 1u);
  const auto& t = summary.targets[0];
  ASSERT_EQ(t.top.size(), 1u);
  EXPECT_EQ(t.top[0].relations, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(t.top[0].assets, (std::vector<std::uint32_t>{0, 1, 2}));
  EXPECT_EQ(t.top[0].trials, t.compromised_trials);
  EXPECT_DOUBLE_EQ(t.top[0].share, 1.0);
  expect_frequency(t.top[0], 0.4, r.trials);
  ASSERT_EQ(summary.relations.size(), 2u);
  EXPECT_DOUBLE_EQ(summary.relations[0].share, 1.0);
  EXPECT_EQ(relation_label(m, 1), "a-t");
}

TEST(Paths, RacingRoutesFollowTheEarliestStep) {
  // Two steps s -> t, each succeeding with 1/2, exponential times of mean 1 and 2. The
  // first is the path when it succeeds and the second fails or is slower:
  // 0.5 (0.5 + 0.5 × 2/3) = 5/12; the second 0.5 (0.5 + 0.5 × 1/3) = 1/3.
  const Model m = model_of(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L3 element: DATA target: true }
    relations { from: "s" to: "t" layer: L3 step { p: 0.5 ttc { exponential { mean: 1 } } } }
    relations { from: "s" to: "t" layer: L3 step { p: 0.5 ttc { exponential { mean: 2 } } } }
    threats { id: "x" entry_points { asset: "s" probability: 1 } })");
  const auto r = run(m, 40000);
  const auto summary = summarise_paths(m, r);
  const auto& top = summary.targets.at(0).top;
  ASSERT_EQ(top.size(), 2u);
  EXPECT_EQ(top[0].relations, (std::vector<std::uint32_t>{0}));
  expect_frequency(top[0], 5.0 / 12.0, r.trials);
  expect_frequency(top[1], 1.0 / 3.0, r.trials);
  EXPECT_EQ(relation_label(m, 0), "s->t");
  // Shares of the successful paths: each relation carries its own path only.
  EXPECT_NEAR(summary.relations[0].share + summary.relations[1].share, 1.0, 1e-12);
}

TEST(Paths, AllGateFollowsTheStepThatCompletesIt) {
  // t needs both a -> t (1 day) and b -> t (3 days): the path is always through b.
  const Model m = model_of(R"(
    enterprises { id: "e" }
    assets { id: "a" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "b" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L2 element: COMPONENT gate: ALL target: true }
    relations { from: "a" to: "t" layer: L3 step { p: 1 ttc { fixed { value: 1 } } } }
    relations { from: "b" to: "t" layer: L3 step { p: 1 ttc { fixed { value: 3 } } } }
    threats { id: "x" entry_points { asset: "a" probability: 1 } entry_points { asset: "b" probability: 1 } })");
  const auto r = run(m, 200);
  const auto summary = summarise_paths(m, r);
  const auto& top = summary.targets.at(0).top;
  ASSERT_EQ(top.size(), 1u);
  EXPECT_EQ(top[0].relations, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(top[0].trials, 200u);
}

TEST(Paths, EntryTargetHasAnEmptyPathAndCountsDoNotDependOnThreads) {
  const Model m = model_of(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM target: true }
    assets { id: "a" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L3 element: DATA target: true }
    relations { from: "s" to: "a" layer: L3 step { p: 0.6 ttc { exponential { mean: 1 } } } }
    relations { from: "a" to: "t" layer: L3 step { p: 0.6 ttc { exponential { mean: 1 } } } }
    relations { from: "s" to: "t" layer: L3 step { p: 0.3 ttc { exponential { mean: 3 } } } }
    threats { id: "x" entry_points { asset: "s" probability: 0.5 } })");
  const auto one = run(m, 20000, 1), two = run(m, 20000, 2), seven = run(m, 20000, 7);
  EXPECT_EQ(one.paths, two.paths);
  EXPECT_EQ(one.paths, seven.paths);
  const auto summary = summarise_paths(m, one);
  const auto& entry = summary.targets.at(0);
  ASSERT_EQ(entry.top.size(), 1u);
  EXPECT_TRUE(entry.top[0].relations.empty());
  EXPECT_EQ(entry.top[0].assets, (std::vector<std::uint32_t>{0}));
  // Every trial in which the target fell has exactly one path.
  std::uint64_t fell = 0;
  for (std::uint64_t j = 0; j < one.trials; ++j) fell += !std::isnan(one.tracked_arrival[j * 2 + 1]);
  EXPECT_EQ(summary.targets.at(1).compromised_trials, fell);
}

TEST(Paths, OffWhenNotAsked) {
  const Model m = model_of(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM target: true }
    threats { id: "x" entry_points { asset: "s" probability: 1 } })");
  RunOptions o;
  o.trials = 10;
  o.paths = false;
  EXPECT_TRUE(simulate(m, o).paths.empty());
}

}  // namespace
}  // namespace cpsf
