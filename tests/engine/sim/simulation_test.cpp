// Runs: bit-identical at any thread count, the stopping rule, cancellation, common
// random numbers, annualisation.
#include "cpsf/sim/simulation.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

#include "cpsf/analysis/compare.hpp"
#include "cpsf/analysis/estimates.hpp"
#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/base/limits.hpp"
#include "cpsf/io/generate.hpp"
#include "cpsf/output/results_csv.hpp"
#include "cpsf/output/results_json.hpp"
#include "cpsf/output/run_summary.hpp"
#include "cpsf/sim/trial_loop.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

Model default_model() { return compile(testing::default_scenario()); }

template <class A, class B>
bool same_bits(const A& a, const B& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0;
}

TEST(Simulation, BitIdenticalAtOneTwoAndSevenThreads) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 20000;
  o.seed = 99;
  std::vector<std::string> documents;
  for (const unsigned threads : {1u, 2u, 7u}) {
    o.threads = threads;
    const auto r = simulate(m, o);
    const auto rep = estimate(m, r);
    documents.push_back(results_json(m, r, rep, {"x", "y", "z"}) + assets_csv(m, rep) + losses_csv(r));
    if (documents.size() > 1) {
      EXPECT_EQ(documents.back(), documents.front()) << threads << " threads";
    }
  }
  // Raw per-trial arrays and tallies too, to the bit.
  o.threads = 1;
  const auto one = simulate(m, o);
  o.threads = 7;
  const auto seven = simulate(m, o);
  EXPECT_TRUE(same_bits(one.main().residual_loss, seven.main().residual_loss));
  EXPECT_TRUE(same_bits(one.annual_residual_loss, seven.annual_residual_loss));
  EXPECT_TRUE(same_bits(one.tracked_arrival, seven.tracked_arrival));
  EXPECT_EQ(one.main().residual.hits, seven.main().residual.hits);
  EXPECT_TRUE(one.main().residual.time_sum == seven.main().residual.time_sum);
}

std::vector<std::uint8_t> bytes_of(const RunStatistics& s) {
  std::vector<std::uint8_t> bytes;
  s.write(bytes);
  return bytes;
}

// Without the per-trial arrays a run keeps only its statistics, folded round by round:
// the same bits as with them, at any thread count, and the same as folding the arrays.
TEST(Simulation, StatisticsWithoutPerTrialArraysAreTheSameBits) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 3 * kRoundTrials + 123;  // a short last round
  o.seed = 5;
  o.per_trial = true;
  const auto kept = simulate(m, o);
  o.per_trial = false;
  o.threads = 1;
  const auto flat1 = simulate(m, o);
  o.threads = 2;
  const auto flat2 = simulate(m, o);
  EXPECT_TRUE(flat2.main().residual_loss.empty() && flat2.cell_loss.empty() && flat2.tracked_arrival.empty() &&
              flat2.enterprise_residual_loss.empty() && !flat2.per_trial);
  EXPECT_EQ(kept.main().residual_loss.size(), o.trials);
  const auto reference = bytes_of(kept.stats);
  EXPECT_EQ(bytes_of(flat1.stats), reference);
  EXPECT_EQ(bytes_of(flat2.stats), reference);
  EXPECT_EQ(bytes_of(statistics_of(kept, 2)), reference);
  EXPECT_EQ(results_json(m, flat2, estimate(m, flat2), {"x", "y", "z"}),
            results_json(m, kept, estimate(m, kept), {"x", "y", "z"}));
  // The statistics round-trip through their bytes.
  RunStatistics back;
  std::size_t at = 0;
  back.read(reference, at);
  EXPECT_EQ(at, reference.size());
  EXPECT_EQ(bytes_of(back), reference);
}

// The run's mean and VaR against the same of its per-trial losses, computed apart: the
// mean to rounding, VaR within the histogram's bin bound.
TEST(Simulation, StatisticsAgreeWithThePerTrialLosses) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 20000;
  o.seed = 8;
  const auto r = simulate(m, o);
  const auto est = estimate(m, r);
  const auto sorted = sorted_copy(r.main().residual_loss);
  EXPECT_NEAR(est.loss.mean, mean(r.main().residual_loss), 1e-12 * est.loss.mean);
  EXPECT_NEAR(est.loss.stderr_, standard_error(r.main().residual_loss), 1e-9 * est.loss.stderr_);
  for (const auto& [got, level] : {std::pair{est.loss.var95, 0.95}, std::pair{est.loss.var99, 0.99}}) {
    const double exact = value_at_risk(sorted, level);
    EXPECT_LE(std::fabs(got - exact), exact / (1 << LogHistogram::kSubBits)) << level;
  }
  const double es = expected_shortfall(sorted, 0.99);
  EXPECT_LE(std::fabs(est.loss.es99 - es), es / (1 << LogHistogram::kSubBits));
}

// Options of a run that keeps only its statistics, as checkpointed runs must.
RunOptions flat_options(std::uint64_t trials, std::uint64_t seed) {
  RunOptions o;
  o.trials = trials;
  o.seed = seed;
  o.per_trial = false;
  return o;
}

// A run resumed from any of its checkpoints ends with the bits of the run never stopped,
// at another thread count too; the stopping rule stops it where it stopped the first.
TEST(Simulation, ResumedFromACheckpointGivesTheUninterruptedRun) {
  const Model m = default_model();
  RunOptions o = flat_options(5 * kRoundTrials, 13);
  o.threads = 2;
  std::vector<std::vector<std::uint8_t>> states;
  std::vector<std::uint64_t> at;
  o.checkpoint = [&](const std::vector<std::uint8_t>& state, std::uint64_t trials) {
    states.push_back(state);
    at.push_back(trials);
  };
  o.checkpoint_rounds = 2;
  const auto whole = simulate(m, o);
  ASSERT_EQ(at, (std::vector<std::uint64_t>{2 * kRoundTrials, 4 * kRoundTrials, 5 * kRoundTrials}));
  const std::string expected = results_json(m, whole, estimate(m, whole), {"x", "y", "z"});
  o.checkpoint = nullptr;
  o.threads = 1;
  for (const auto& state : states) {
    o.resume = &state;
    const auto resumed = simulate(m, o);
    EXPECT_EQ(resumed.trials, o.trials);
    EXPECT_EQ(bytes_of(resumed.stats), bytes_of(whole.stats));
    EXPECT_EQ(results_json(m, resumed, estimate(m, resumed), {"x", "y", "z"}), expected);
  }
  // Asked for fewer trials than the state holds, or another model: refused.
  o.resume = &states[1];
  o.trials = kRoundTrials;
  EXPECT_THROW(simulate(m, o), std::invalid_argument);
  o.trials = 5 * kRoundTrials;
  GenerateOptions small;
  small.enterprises = 2;
  small.assets_per_enterprise = 5;
  const Model other = compile(generate(small));
  EXPECT_THROW(simulate(other, o), std::invalid_argument);
  std::vector<std::uint8_t> cut(states[0].begin(), states[0].end() - 9);
  o.resume = &cut;
  EXPECT_THROW(simulate(m, o), std::exception);
}

TEST(Simulation, ResumeAfterTheStoppingRuleStopsAgain) {
  const Model m = default_model();
  RunOptions o = flat_options(40 * kRoundTrials, 3);
  o.target_relative_stderr = 0.2;
  std::vector<std::uint8_t> last;
  o.checkpoint = [&](const std::vector<std::uint8_t>& state, std::uint64_t) { last = state; };
  const auto first = simulate(m, o);
  ASSERT_TRUE(first.stopped_by_precision);
  o.checkpoint = nullptr;
  o.resume = &last;
  const auto again = simulate(m, o);
  EXPECT_TRUE(again.stopped_by_precision);
  EXPECT_EQ(again.trials, first.trials);
  EXPECT_EQ(bytes_of(again.stats), bytes_of(first.stats));
}

TEST(Simulation, ResidualNeverExceedsInherentTrialByTrial) {
  // Common random numbers: controls only lower step probabilities, so with the same
  // draws every step that succeeds with controls succeeds without them.
  const Model m = default_model();
  RunOptions o;
  o.trials = 5000;
  const auto r = simulate(m, o);
  for (const auto& view : r.threats) {
    for (std::size_t v = 0; v < m.asset_count(); ++v) EXPECT_LE(view.residual.hits[v], view.inherent.hits[v]);
  }
  const auto rep = estimate(m, r);
  EXPECT_GT(rep.removed_mean, 0.0);
  EXPECT_LT(rep.removed_stderr, rep.removed_mean);
}

TEST(Simulation, StoppingRuleIsDeterministic) {
  const Model m = default_model();
  RunOptions o;
  o.trials = 1'000'000;
  o.target_relative_stderr = 0.05;
  o.threads = 1;
  const auto a = simulate(m, o);
  o.threads = 2;
  const auto b = simulate(m, o);
  EXPECT_TRUE(a.stopped_by_precision);
  EXPECT_LT(a.trials, o.trials);
  EXPECT_EQ(a.trials, b.trials);
  EXPECT_TRUE(same_bits(a.main().residual_loss, b.main().residual_loss));
  const double rse = standard_error(a.main().residual_loss) / mean(a.main().residual_loss);
  EXPECT_LE(rse, 0.05);
}

TEST(Simulation, CancelGivesAConsistentPartialPrefix) {
  const Model m = default_model();
  std::atomic<bool> cancel{false};
  RunOptions o;
  o.trials = 1'000'000;
  o.cancel = &cancel;
  o.progress = [&](std::uint64_t done, std::uint64_t) {
    if (done > 10000) cancel = true;
  };
  const auto r = simulate(m, o);
  EXPECT_TRUE(r.partial);
  EXPECT_LT(r.trials, o.trials);
  EXPECT_GT(r.trials, 0u);
  EXPECT_EQ(r.trials % 4096, 0u);  // whole rounds only
  EXPECT_EQ(r.main().residual_loss.size(), r.trials);
  // The prefix equals the same trials of an uninterrupted run.
  RunOptions full;
  full.trials = r.trials;
  const auto f = simulate(m, full);
  EXPECT_TRUE(same_bits(f.main().residual_loss, r.main().residual_loss));
  EXPECT_EQ(f.main().residual.hits, r.main().residual.hits);
}

TEST(Simulation, AnnualLossMeanIsFrequencyTimesAttackLoss) {
  v1::Scenario s;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(R"(
    enterprises { id: "e" }
    assets { id: "s" owner: "e" layer: L3 element: SYSTEM }
    assets { id: "t" owner: "e" layer: L3 element: DATA loss { integrity: 100 } }
    relations { from: "s" to: "t" layer: L3 step { p: 0.3 } }
    threats { id: "crew" entry_points { asset: "s" probability: 0.5 } annual_frequency: 2.5 })",
                                                            &s));
  const Model m = compile(s);
  RunOptions o;
  o.trials = 100000;
  o.inherent = false;
  const auto r = simulate(m, o);
  ASSERT_TRUE(r.has_annual);
  // E[annual] = λ p_entry p_step loss = 2.5 × 0.5 × 0.3 × 100 = 37.5.
  const double se = standard_error(r.annual_residual_loss);
  EXPECT_NEAR(mean(r.annual_residual_loss), 37.5, 4 * se);
  // Var[compound Poisson] = λ E[L²] = 2.5 × 0.15 × 100² = 3750; the sample variance's
  // standard error is sqrt((m4 − s⁴) / n) with m4 the sample fourth central moment.
  const auto& x = r.annual_residual_loss;
  const double mu = mean(x), s2 = variance(x);
  double m4 = 0;
  for (const double v : x) m4 += std::pow(v - mu, 4);
  m4 /= static_cast<double>(x.size());
  EXPECT_NEAR(s2, 3750.0, 4 * std::sqrt((m4 - s2 * s2) / static_cast<double>(x.size())));
}

// compile() takes validated scenarios; an unresolved id still fails with a message that
// names what refers to it, not a bare std::out_of_range.
TEST(Simulation, CompileNamesTheThreatOfAnUnknownAsset) {
  for (const char* threat :
       {R"(threats { id: "crew" entry_points { asset: "ghost" probability: 0.5 } })",
        R"(threats { id: "crew" entry_points { asset: "s" probability: 0.5 } objectives: "ghost" })"}) {
    v1::Scenario s;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        std::string(R"(enterprises { id: "e" } assets { id: "s" owner: "e" layer: L3 element: SYSTEM } )") + threat,
        &s));
    try {
      (void)compile(s);
      ADD_FAILURE() << "no exception for " << threat;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("threat 'crew'"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("'ghost'"), std::string::npos) << e.what();
    }
  }
}

// Defence in depth: the model's layer and element index tables, so a number outside the
// enum (which validation refuses) must not get into it, whatever the caller skipped.
TEST(Simulation, CompileRefusesEnumNumbersOutsideTheSchema) {
  for (const char* asset : {"layer: 4 element: SYSTEM", "layer: -1 element: SYSTEM", "layer: L3 element: 7",
                            "layer: L3 element: 99", "layer: L3 element: SYSTEM gate: 5"}) {
    v1::Scenario s;
    ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(
        std::string(R"(enterprises { id: "e" } assets { id: "s" owner: "e" )") + asset + " exposure: 1 }", &s));
    try {
      (void)compile(s);
      ADD_FAILURE() << "no exception for " << asset;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("asset 's'"), std::string::npos) << e.what();
    }
  }
}

// Every number at the largest value validation accepts (docs/scenario-format.md, Limits):
// the run's statistics stay finite. Before the limits, a loss of 1.7e308 gave a mean of
// NaN, a time of 1e30 days a mean time of 0 (the fixed-point sums overflowed), and
// lognormal sigma 1e300 halved P(compromised).
TEST(Simulation, EverythingAtItsLimitComputesFiniteResults) {
  char mu[40];  // the lognormal mean e^(mu + 3²/2) just inside 1e8 days
  std::snprintf(mu, sizeof mu, "%.17g", std::log(1e8) - 4.5 - 1e-9);
  const std::string outage = std::string("outage_days { lognormal { mu: ") + mu + " sigma: 3 } }";
  const std::string loss =
      "loss { confidentiality: 1e18 integrity: 1e18 availability: 1e18 operations_share: 1 " + outage + " }";
  const std::string text = R"(
enterprises { id: "oem" daily_output: 1e18 }
enterprises { id: "sup" daily_output: 1e18 }
assets { id: "vpn" owner: "sup" layer: L3 element: SYSTEM exposure: 1 )" +
                           loss + R"( }
assets { id: "plm" owner: "oem" layer: L3 element: DATA target: true )" +
                           loss + R"( }
assets { id: "far" owner: "oem" layer: L3 element: DATA target: true )" +
                           loss + R"( }
assets { id: "tail" owner: "oem" layer: L3 element: DATA target: true )" +
                           loss + R"( }
relations { from: "vpn" to: "plm" layer: L3 step { p: 1 ttc { fixed { value: 1e8 } } } }
relations { from: "plm" to: "far" layer: L3 step { p: 1 ttc { fixed { value: 1 } } } }
relations { from: "vpn" to: "tail" layer: L3 step { p: 1 ttc { gamma { shape: 1e-3 scale: 1e8 } } } }
dependencies { customer: "oem" supplier: "sup" share: 1 buffer_days: 0 }
threats { id: "t" annual_frequency: 100000 }
)";
  testing::ScratchDir dir;
  const auto checked = testing::check(dir.write("limits.textproto", text));
  ASSERT_EQ(checked.diagnostics.error_count(), 0u) << checked.dump();
  v1::Scenario s;
  ASSERT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
  const Model m = compile(s);
  RunOptions o;
  o.trials = 10;  // of 10^5 attacks each
  o.threads = 1;
  const auto r = simulate(m, o);
  const auto rep = estimate(m, r);
  for (const auto* l : {&rep.loss, &rep.inherent_loss, &*rep.annual}) {
    for (const double x : {l->mean, l->stderr_, l->var95, l->var99, l->es99, l->max})
      EXPECT_TRUE(std::isfinite(x)) << x;
  }
  EXPECT_GT(rep.annual->mean, 1e18);
  for (const auto& e : rep.enterprises) EXPECT_TRUE(std::isfinite(e.residual.mean) && std::isfinite(e.cascade_mean));
  // A time at the limit is summed exactly; a later one counts as never, as beyond a horizon.
  const auto& plm = rep.assets[1];
  EXPECT_EQ(plm.p, 1.0);
  EXPECT_EQ(plm.mean_time, 1e8);
  EXPECT_EQ(plm.sd_time, 0.0);
  EXPECT_EQ(rep.assets[2].hits, 0u);  // far: 1e8 + 1 days
  const auto& tail = rep.assets[3];
  if (tail.hits > 0) {
    EXPECT_TRUE(std::isfinite(tail.mean_time) && tail.mean_time <= 1e8);
  }
  const std::string json = results_json(m, r, rep, {"limits.textproto", "limits", "JPY"});
  EXPECT_EQ(json.find("nan"), std::string::npos);
  EXPECT_EQ(text_summary(m, r, rep, {"limits.textproto", "limits", "JPY"}).find("nan JPY"), std::string::npos);
}

}  // namespace
// ---- option checks (limits.hpp): one place, neutral words, every problem at once ----------
TEST(Options, LimitsAreDescribedFromTheirNumbers) {
  EXPECT_EQ(describe(limits::trials), "an integer in [1, 2^40)");
  EXPECT_EQ(describe(limits::threads), "an integer in [0, 1024] (0: every core)");
  EXPECT_EQ(describe(limits::seed), "an integer in [0, 2^64)");
  EXPECT_EQ(describe(limits::frontier_points), "0 or an integer in [2, 1001]");
  EXPECT_EQ(describe(limits::target_rse), "a number in [0, 1) (0: off)");
  EXPECT_EQ(describe(limits::horizon), "a number in [0, 1e8] (days)");
  EXPECT_EQ(describe(limits::ttc), "a number in (0, 1e8] (days)");
  EXPECT_EQ(limits::trials.max, kMaxTrials - 1);
  EXPECT_EQ(limits::threads.max, kMaxThreads);
  EXPECT_FALSE(limits::horizon.contains(std::nan("")));
  EXPECT_FALSE(limits::horizon.contains(std::numeric_limits<double>::infinity()));
  EXPECT_FALSE(limits::frontier_points.contains(1));
  EXPECT_TRUE(limits::frontier_points.contains(0));
}

TEST(Options, RunOptionsSayEveryProblemInNeutralWords) {
  RunOptions o;
  EXPECT_TRUE(o.problems().empty());
  o.trials = 0;
  o.threads = 5000;
  o.horizon = std::nan("");
  o.no_horizon = true;
  o.target_relative_stderr = 1.0;
  o.path_loss_threshold = -1;
  const auto p = o.problems();
  ASSERT_EQ(p.size(), 6U);
  EXPECT_EQ(p[0], "trials must be an integer in [1, 2^40), not 0");
  EXPECT_EQ(p[1], "threads must be an integer in [0, 1024] (0: every core), not 5000");
  EXPECT_EQ(p[2], "horizon must be a number in [0, 1e8] (days), not nan");
  EXPECT_EQ(p[3], "a horizon and no horizon exclude each other");
  EXPECT_EQ(p[4], "target relative standard error must be a number in [0, 1) (0: off), not 1");
  EXPECT_EQ(p[5], "path loss threshold must be a finite number ≥ 0, not -1");
  for (const auto& m : p) EXPECT_EQ(m.find("--"), std::string::npos) << m;  // no CLI flag
  EXPECT_THROW(o.check(), std::invalid_argument);
  o = RunOptions{};
  o.trials = kMaxTrials;  // one too many: trial numbers must fit below the attack index
  EXPECT_THROW(o.check(), std::invalid_argument);
  o.trials = kMaxTrials - 1;
  EXPECT_NO_THROW(o.check());
}

TEST(Options, GeneratePortfolioAndCompareOptionsUseTheSameLimits) {
  GenerateOptions g;
  EXPECT_TRUE(g.problems().empty());
  g.enterprises = 0;
  try {
    generate(g);
    ADD_FAILURE() << "no error";
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "enterprises must be an integer in [1, 2^32), not 0");
  }
  g = GenerateOptions{};
  g.p_min = 0.6;
  g.p_max = 0.5;
  g.trials = 0;
  ASSERT_EQ(g.problems().size(), 1U);  // relations between options only once each is in range
  EXPECT_EQ(g.problems()[0], "trials must be an integer in [1, 2^40), not 0");
  g.trials = 10;
  ASSERT_EQ(g.problems().size(), 1U);
  EXPECT_EQ(g.problems()[0], "p_min (0.6) must not exceed p_max (0.5)");
  g = GenerateOptions{};
  g.ttc_max = std::numeric_limits<double>::infinity();
  EXPECT_EQ(g.problems().at(0), "ttc_max must be a number in (0, 1e8] (days), not inf");

  PortfolioOptions po;
  po.run.threads = kMaxThreads + 1;
  po.budget = -1;
  ASSERT_EQ(po.problems().size(), 2U);
  EXPECT_EQ(po.problems()[0], "budget must be a finite number ≥ 0, not -1");
  EXPECT_EQ(po.problems()[1], "threads must be an integer in [0, 1024] (0: every core), not 1025");

  CompareOptions co;
  co.run.trials = kMaxTrials;
  ASSERT_EQ(co.problems().size(), 1U);
  EXPECT_EQ(co.problems()[0], "trials must be an integer in [1, 2^40), not 1099511627776");
}

}  // namespace cpsf
