// One attack on hand-made graphs: gates, cycles, containment, horizon, controls,
// and the promise that lazy sampling draws exactly what eager sampling would.
#include "cpsf/sim/attack.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace cpsf {
namespace {

Model model_of(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString("enterprises { id: \"e\" }\n" + text, &s));
  return compile(s);
}

// Arrival time of each compromised asset in one trial.
std::map<std::string, double> outcome(const Model& m, std::uint64_t trial, Controls c = Controls::On,
                                      bool eager = false, std::uint64_t seed = 7) {
  AttackScratch scratch(m);
  Attack attack(m, 0, seed);
  if (eager)
    attack.run_eager(attack_address(trial, 0), c, scratch);
  else
    attack.run(attack_address(trial, 0), c, scratch);
  std::map<std::string, double> out;
  for (std::size_t i = 0; i < scratch.compromised().size(); ++i)
    out[m.asset_id[scratch.compromised()[i]]] = scratch.arrival()[i];
  return out;
}

std::string asset(const std::string& id, const std::string& extra = "") {
  return "assets { id: \"" + id + "\" owner: \"e\" layer: L3 element: SYSTEM " + extra + " }\n";
}
std::string step(const std::string& from, const std::string& to, double p, double days) {
  return "relations { from: \"" + from + "\" to: \"" + to + "\" layer: L3 step { p: " + std::to_string(p) +
         " ttc { fixed { value: " + std::to_string(days) + " } } } }\n";
}

TEST(Attack, CertainStepsGiveShortestArrivalThroughACycle) {
  // s → a → b → a (cycle), s → b slower; arrivals are shortest path lengths.
  const Model m = model_of(asset("s", "exposure: 1") + asset("a") + asset("b") + asset("c") + step("s", "a", 1, 2) +
                           step("a", "b", 1, 3) + step("b", "a", 1, 1) + step("s", "b", 1, 9) + step("b", "c", 1, 0.5));
  const auto o = outcome(m, 0);
  EXPECT_EQ(o.at("s"), 0.0);
  EXPECT_EQ(o.at("a"), 2.0);
  EXPECT_EQ(o.at("b"), 5.0);
  EXPECT_EQ(o.at("c"), 5.5);
}

TEST(Attack, AllGateTakesTheLatestAndNeedsEveryStep) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("a") + asset("b") + asset("t", "gate: ALL") +
                           step("s", "a", 1, 1) + step("s", "b", 1, 4) + step("a", "t", 1, 1) + step("b", "t", 1, 2));
  const auto o = outcome(m, 0);
  EXPECT_EQ(o.at("t"), 6.0);  // max(1 + 1, 4 + 2)
  // One incoming step that cannot succeed blocks the gate in every trial.
  const Model blocked = model_of(asset("s", "exposure: 1") + asset("a") + asset("t", "gate: ALL") +
                                 step("s", "a", 1, 1) + step("s", "t", 1, 0) + step("a", "t", 0, 0));
  for (std::uint64_t trial = 0; trial < 200; ++trial) EXPECT_EQ(outcome(blocked, trial).count("t"), 0u);
}

TEST(Attack, AllGateInACycleNeverFallsWithoutItsLoop) {
  // t (ALL) needs a and b, b is only reachable through t: t never falls.
  const Model m = model_of(asset("s", "exposure: 1") + asset("a") + asset("b") + asset("t", "gate: ALL") +
                           step("s", "a", 1, 1) + step("a", "t", 1, 1) + step("b", "t", 1, 1) + step("t", "b", 1, 1));
  const auto o = outcome(m, 0);
  EXPECT_EQ(o.count("t"), 0u);
  EXPECT_EQ(o.count("b"), 0u);
}

TEST(Attack, AllGateAssetThatIsAnEntryFallsAtTimeZero) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("t", "gate: ALL exposure: 1") + step("s", "t", 0, 1));
  EXPECT_EQ(outcome(m, 0).at("t"), 0.0);
}

TEST(Attack, StepScaleLeavesTheLibrarysStepsAlone) {
  // s → a takes p 1 from the scenario's library, a → b writes p 1: a threat with
  // step_scale 0 takes the first in every trial and never the second.
  const std::string always = R"(p: 1 p_from { note: "test" } ttc { fixed { value: 1 } } ttc_from { note: "test" })";
  const Model m =
      model_of(asset("s", "exposure: 1") + asset("a") + asset("b") +
               "relations { from: \"s\" to: \"a\" layer: L3 kind: TRUST }\n" + step("a", "b", 1, 1) +
               "library { steps { id: \"trust-l3-identity\" kind: TRUST layers: L3 target_elements: SYSTEM\n"
               "  by_capability { capability: COMMON_ATTACKS " +
               always +
               " }\n"
               "  by_capability { capability: TARGETED_SUPPLY_CHAIN " +
               always +
               " }\n"
               "  by_capability { capability: ADVANCED_UNKNOWN " +
               always +
               " } } }\n"
               "threats { id: \"t\" step_scale: 0 }\n");
  for (std::uint64_t trial = 0; trial < 50; ++trial) {
    const auto o = outcome(m, trial);
    EXPECT_EQ(o.count("a"), 1u);
    EXPECT_EQ(o.count("b"), 0u);
  }
}

TEST(Attack, ContainedAssetFallsButStopsTheAttack) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("j", "containment: 1") + asset("t") +
                           step("s", "j", 1, 1) + step("j", "t", 1, 1));
  const auto o = outcome(m, 0);
  EXPECT_EQ(o.count("j"), 1u);
  EXPECT_EQ(o.count("t"), 0u);
}

TEST(Attack, HorizonCutsLateArrivals) {
  const Model m = model_of("settings { horizon: 5 }\n" + asset("s", "exposure: 1") + asset("a") + asset("b") +
                           step("s", "a", 1, 5) + step("a", "b", 1, 0.001));
  const auto o = outcome(m, 0);
  EXPECT_EQ(o.count("a"), 1u);  // arrival 5 ≤ horizon 5 counts
  EXPECT_EQ(o.count("b"), 0u);
}

TEST(Attack, ControlsLowerOnlyTheResidualRun) {
  const Model m = model_of(asset("s", "exposure: 1") + asset("t") +
                           "relations { from: \"s\" to: \"t\" layer: L3 step { p: 1 mitigated_by: \"CPS.AC-1\" } }\n"
                           "controls { id: \"mfa\" requirement: \"CPS.AC-1\" efficacy: 1 implemented: true }\n");
  EXPECT_EQ(outcome(m, 0, Controls::On).count("t"), 0u);
  EXPECT_EQ(outcome(m, 0, Controls::Off).count("t"), 1u);
}

TEST(Attack, StrongestControlPerRequirementAndBaselines) {
  const Model m = model_of(
      asset("s", "exposure: 1") + asset("t") +
      "relations { from: \"s\" to: \"t\" layer: L3 step { p: 0.8 mitigated_by: [\"CPS.AC-1\", \"CPS.DS-1\", "
      "\"CPS.AC-1\"] } }\n"
      "controls { id: \"weak\" requirement: \"CPS.AC-1\" efficacy: 0.25 implemented: true }\n"
      "controls { id: \"strong\" requirement: \"CPS.AC-1\" efficacy: 0.5 implemented: true assets: \"t\" }\n"
      "controls { id: \"elsewhere\" requirement: \"CPS.DS-1\" efficacy: 0.9 implemented: true assets: \"s\" }\n"
      "controls { id: \"planned\" requirement: \"CPS.DS-1\" efficacy: 0.9 implemented: false }\n");
  ASSERT_EQ(m.edge_p_residual.size(), 1u);
  EXPECT_DOUBLE_EQ(m.step_probabilities(false)[0], 0.8);
  EXPECT_DOUBLE_EQ(m.step_probabilities(true)[0], 0.8 * 0.5);  // AC-1 once, strongest; DS-1 not covering t
  // Without controls in force the two are one array.
  const Model plain = model_of(asset("s", "exposure: 1") + asset("t") + step("s", "t", 0.3, 1));
  EXPECT_TRUE(plain.edge_p_inherent.empty());
  EXPECT_EQ(plain.step_probabilities(false).data(), plain.step_probabilities(true).data());
}

// compile() checks short mitigated_by lists for repeats by a scan and long ones by a set;
// both must count a repeated requirement once.
TEST(Attack, RequirementListedTwiceIsOneBarrierInLongLists) {
  const std::string controls = "controls { id: \"mfa\" requirement: \"CPS.AC-1\" efficacy: 0.5 implemented: true }\n";
  for (const int filler : {1, 40}) {  // list lengths 3 and 42: either side of the scan's limit
    std::string list = "\"CPS.AC-1\", \"CPS.AC-1\"";
    for (int k = 0; k < filler; ++k) list += ", \"CPS.DS-1\"";
    const Model m = model_of(asset("s", "exposure: 1") + asset("t") +
                             "relations { from: \"s\" to: \"t\" layer: L3 step { p: 0.8 mitigated_by: [" + list +
                             "] } }\n" + controls);
    EXPECT_DOUBLE_EQ(m.step_probabilities(true)[0], 0.8 * 0.5) << filler;
  }
}

TEST(Attack, LazySamplingEqualsEagerSampling) {
  // A graph with every gate, containment, horizon and distribution family.
  const Model m =
      model_of("settings { horizon: 30 }\n" + asset("s", "exposure: 0.9") + asset("u", "exposure: 0.4") +
               asset("a", "containment: 0.3") + asset("b") + asset("c", "gate: ALL") + asset("d") +
               asset("e", "containment: 0.5") +
               "relations { from: \"s\" to: \"a\" layer: L3 step { p: 0.7 ttc { exponential { mean: 3 } } } }\n"
               "relations { from: \"s\" to: \"b\" layer: L3 step { p: 0.6 ttc { gamma { shape: 0.7 scale: 4 } } } }\n"
               "relations { from: \"u\" to: \"b\" layer: L3 step { p: 0.5 ttc { lognormal { mu: 1 sigma: 0.8 } } } }\n"
               "relations { from: \"a\" to: \"c\" layer: L3 step { p: 0.8 ttc { pert { min: 1 mode: 2 max: 9 } } } }\n"
               "relations { from: \"b\" to: \"c\" layer: L3 step { p: 0.9 ttc { uniform { min: 0 max: 6 } } } }\n"
               "relations { from: \"c\" to: \"d\" layer: L3 step { p: 0.5 ttc { fixed { value: 2 } } } }\n"
               "relations { from: \"d\" to: \"a\" layer: L3 step { p: 0.5 ttc { exponential { mean: 1 } } } }\n"
               "relations { from: \"b\" to: \"e\" layer: L3 step { p: 0.7 ttc { gamma { shape: 3 scale: 1 } } } }\n"
               "relations { from: \"e\" to: \"d\" layer: L3 step { p: 0.7 } }\n");
  int nonempty = 0;
  for (std::uint64_t trial = 0; trial < 5000; ++trial) {
    for (const Controls c : {Controls::On, Controls::Off}) {
      const auto lazy = outcome(m, trial, c, false);
      ASSERT_EQ(lazy, outcome(m, trial, c, true)) << "trial " << trial;
      nonempty += lazy.size() > 3 ? 1 : 0;
    }
  }
  EXPECT_GT(nonempty, 1000);  // the graph is exercised, not trivially empty
}

TEST(Attack, OutcomeDependsOnSeedAndTrialOnly) {
  const Model m = model_of(asset("s", "exposure: 0.5") + asset("t") + step("s", "t", 0.5, 1));
  int differ_by_trial = 0, differ_by_seed = 0;
  for (std::uint64_t trial = 0; trial < 200; ++trial) {
    EXPECT_EQ(outcome(m, trial), outcome(m, trial));
    differ_by_trial += outcome(m, trial) != outcome(m, trial + 1000);
    differ_by_seed += outcome(m, trial, Controls::On, false, 7) != outcome(m, trial, Controls::On, false, 8);
  }
  EXPECT_GT(differ_by_trial, 50);
  EXPECT_GT(differ_by_seed, 50);
}

}  // namespace
}  // namespace cpsf

namespace cpsf {
namespace {

// The radix heap against a plain sort: random pushes that never go below the last pop
// (as in Dijkstra), with many equal keys, zero, -0.0, and keys spread over the whole
// exponent range; every pop must be the least key still queued.
TEST(ArrivalQueue, PopsInNonDecreasingOrderLikeASortedMultiset) {
  std::uint64_t state = 12345;
  auto next = [&] {  // splitmix64
    state += 0x9E3779B97F4A7C15ull;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  };
  ArrivalQueue queue;
  for (int round = 0; round < 50; ++round) {
    queue.clear();
    std::multiset<double> expected;
    double last = 0.0;
    queue.push(-0.0, 0);
    expected.insert(0.0);
    std::uint32_t id = 1;
    while (!expected.empty()) {
      const int pushes = static_cast<int>(next() % 4);
      for (int k = 0; k < pushes && id < 2000; ++k, ++id) {
        const std::uint64_t kind = next() % 4;
        const double gap = kind == 0 ? 0.0
                           : kind == 1
                               ? static_cast<double>(next() % 3)
                               : std::ldexp(static_cast<double>(next() % 1000), static_cast<int>(next() % 80) - 40);
        queue.push(last + gap, id);
        expected.insert(last + gap);
      }
      ASSERT_FALSE(queue.empty());
      const auto [time, asset] = queue.pop();
      ASSERT_EQ(time, *expected.begin()) << "round " << round << ", asset " << asset;
      expected.erase(expected.begin());
      ASSERT_GE(time, last);
      last = time;
    }
    EXPECT_TRUE(queue.empty());
  }
}

}  // namespace
}  // namespace cpsf
