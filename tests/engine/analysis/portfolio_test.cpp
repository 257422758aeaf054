// The control portfolio: exact equals brute force, greedy is never better and can be
// trapped, the estimate is monotone under common random numbers, the frontier and the
// marginal values, determinism at any thread count, and the errors.
#include "cpsf/analysis/portfolio.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

#include "cpsf/base/statistics.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/portfolio_writers.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;

v1::Scenario parse(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s));
  return s;
}

// Independent chains entry → target, each step certain and mitigated by its own
// requirement, so a control of efficacy 1 removes exactly its chain's loss: the loss is
// deterministic and the optimum known. `chains`: {loss, cost} per candidate.
v1::Scenario chains(const std::vector<std::pair<double, double>>& spec) {
  std::string text = "enterprises { id: \"e\" }\n";
  for (std::size_t k = 0; k < spec.size(); ++k) {
    const std::string i = std::to_string(k);
    text += "assets { id: \"s" + i + "\" owner: \"e\" layer: L3 element: PEOPLE exposure: 1 }\n";
    text += "assets { id: \"t" + i +
            "\" owner: \"e\" layer: L3 element: DATA loss { confidentiality: " + std::to_string(spec[k].first) +
            " } }\n";
    text += "relations { from: \"s" + i + "\" to: \"t" + i + "\" layer: L3 step { p: 1 mitigated_by: \"CPS.AC-" +
            std::to_string(k + 1) + "\" } }\n";
    text += "controls { id: \"c" + i + "\" requirement: \"CPS.AC-" + std::to_string(k + 1) +
            "\" efficacy: 1 cost: " + std::to_string(spec[k].second) + " }\n";
  }
  return parse(text);
}

// A small random attack graph with `candidates` candidate controls that overlap (shared
// requirements, scopes), ALL gates, containment and a horizon: exercises everything that
// folds controls into step probabilities.
v1::Scenario random_scenario(std::uint32_t seed, int candidates, bool two_threats = false) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  v1::Scenario s;
  s.add_enterprises()->set_id("a");
  s.add_enterprises()->set_id("b");
  const int n = 10;
  for (int i = 0; i < n; ++i) {
    auto* a = s.add_assets();
    a->set_id("v" + std::to_string(i));
    a->set_owner(i < n / 2 ? "a" : "b");
    a->set_layer(v1::L3);
    a->set_element(v1::SYSTEM);
    a->set_gate(i % 4 == 3 ? v1::ALL : v1::ANY);
    a->mutable_loss()->set_integrity(std::floor(1000 * u(rng)));
    a->set_containment(i % 3 == 0 ? 0.2 : 0.0);
    if (i < 2) a->set_exposure(0.6 + 0.4 * u(rng));
  }
  const char* requirements[] = {"CPS.AC-1", "CPS.IP-1", "CPS.DS-1", "CPS.CM-1"};
  for (int e = 0; e < 24; ++e) {
    const int from = static_cast<int>(rng() % n), to = 2 + static_cast<int>(rng() % (n - 2));
    if (from == to) continue;
    auto* r = s.add_relations();
    r->set_id("r" + std::to_string(e));
    r->set_from("v" + std::to_string(from));
    r->set_to("v" + std::to_string(to));
    r->set_layer(v1::L3);
    r->mutable_step()->set_p(0.3 + 0.7 * u(rng));
    r->mutable_step()->mutable_ttc()->mutable_exponential()->set_mean(1 + 5 * u(rng));
    r->mutable_step()->add_mitigated_by(requirements[rng() % 4]);
    if (rng() % 2) r->mutable_step()->add_mitigated_by(requirements[rng() % 4]);
  }
  // One implemented control, so candidates compete with something already in force.
  auto* base = s.add_controls();
  base->set_id("base");
  base->set_requirement("CPS.AC-1");
  base->set_efficacy(0.3);
  base->set_implemented(true);
  base->add_enterprises("a");
  for (int k = 0; k < candidates; ++k) {
    auto* c = s.add_controls();
    c->set_id("k" + std::to_string(k));
    c->set_requirement(requirements[rng() % 4]);
    c->set_efficacy(0.2 + 0.7 * u(rng));
    c->set_cost(std::floor(1 + 9 * u(rng)));
    switch (rng() % 3) {
      case 0:
        c->add_enterprises(rng() % 2 ? "a" : "b");
        break;
      case 1:
        for (int j = 0; j < 3; ++j) c->add_assets("v" + std::to_string(2 + rng() % (n - 2)));
        break;
      default:
        break;  // everywhere
    }
  }
  s.mutable_settings()->set_horizon(20);
  if (two_threats) {
    for (int t = 0; t < 2; ++t) {
      auto* th = s.add_threats();
      th->set_id("t" + std::to_string(t));
      auto* ep = th->add_entry_points();
      ep->set_asset("v" + std::to_string(t));
      ep->set_probability(0.7);
      th->set_annual_frequency(0.5 + t);
    }
  }
  return s;
}

RunOptions run_options(std::uint64_t trials = 1000, std::uint64_t seed = 5) {
  RunOptions o;
  o.trials = trials;
  o.seed = seed;
  o.inherent = false;
  o.paths = false;
  return o;
}

// The per-trial objective with the given candidates in force, simulated directly.
std::vector<double> losses_with(v1::Scenario s, const std::vector<std::string>& on, const RunOptions& o) {
  for (auto& c : *s.mutable_controls()) {
    if (std::find(on.begin(), on.end(), c.id()) != on.end()) c.set_implemented(true);
  }
  return objective_losses(simulate(compile(s), o));
}

std::vector<std::string> unimplemented(const v1::Scenario& s) {
  std::vector<std::string> ids;
  for (const auto& c : s.controls()) {
    if (!c.implemented()) ids.push_back(c.id());
  }
  return ids;
}

double cost_of(const v1::Scenario& s, const std::vector<std::string>& ids) {
  double total = 0;
  for (const auto& c : s.controls()) {
    if (std::find(ids.begin(), ids.end(), c.id()) != ids.end()) total += c.cost();
  }
  return total;
}

// Brute force: every subset within the budget, best by (loss, cost, sorted ids).
struct Brute {
  std::vector<std::string> chosen;
  double loss = std::numeric_limits<double>::infinity(), cost = 0;
};
// `net`: best by loss + cost (the net-benefit goal) instead of by loss.
Brute brute_force(const v1::Scenario& s, double budget, const RunOptions& o, bool net = false) {
  const auto ids = unimplemented(s);
  Brute best;
  for (std::uint32_t mask = 0; mask < (1u << ids.size()); ++mask) {
    std::vector<std::string> on;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      if (mask >> i & 1u) on.push_back(ids[i]);
    }
    const double cost = cost_of(s, on);
    if (cost > budget) continue;
    const double loss = mean(losses_with(s, on, o)) + (net ? cost : 0.0);
    auto sorted = on;
    std::sort(sorted.begin(), sorted.end());
    auto best_sorted = best.chosen;
    std::sort(best_sorted.begin(), best_sorted.end());
    if (loss < best.loss || (loss == best.loss && (cost < best.cost || (cost == best.cost && sorted < best_sorted)))) {
      best = {on, loss, cost};
    }
  }
  return best;
}

PortfolioOptions portfolio_options(double budget, PortfolioMethod method, std::uint64_t trials = 1000) {
  PortfolioOptions p;
  p.budget = budget;
  p.method = method;
  p.run = run_options(trials);
  p.frontier_points = 0;
  return p;
}

TEST(Portfolio, KnapsackTrapGreedyIsSuboptimalExactIsNot) {
  // c0 removes 7 for 6 (1.17 per unit), c1 and c2 remove 5 for 5 each. Budget 10: greedy
  // takes c0 first and then nothing fits (7 removed); the optimum is c1 + c2 (10 removed).
  const auto s = chains({{7, 6}, {5, 5}, {5, 5}});
  const auto greedy = optimise(s, portfolio_options(10, PortfolioMethod::Greedy));
  const auto exact = optimise(s, portfolio_options(10, PortfolioMethod::Exact));
  EXPECT_EQ(greedy.chosen, (std::vector<std::string>{"c0"}));
  EXPECT_EQ(exact.chosen, (std::vector<std::string>{"c1", "c2"}));
  EXPECT_DOUBLE_EQ(exact.none.mean, 17);
  EXPECT_DOUBLE_EQ(greedy.loss.mean, 10);
  EXPECT_DOUBLE_EQ(exact.loss.mean, 7);
  EXPECT_DOUBLE_EQ(exact.greedy_loss.mean, 10);  // exact reports the greedy path too
  ASSERT_EQ(greedy.greedy.size(), 1u);
  EXPECT_EQ(greedy.greedy[0].control, "c0");
  EXPECT_DOUBLE_EQ(greedy.greedy[0].cost, 6);
  EXPECT_EQ(exact.method, PortfolioMethod::Exact);
  EXPECT_DOUBLE_EQ(exact.reduction, 10);
  EXPECT_DOUBLE_EQ(exact.reduction_stderr, 0);
  // Marginal values: c1 and c2 each remove 5 from the chosen set; adding c0 would remove 7.
  ASSERT_EQ(exact.marginal.size(), 3u);
  EXPECT_FALSE(exact.marginal[0].chosen);
  EXPECT_DOUBLE_EQ(exact.marginal[0].value, 7);
  EXPECT_DOUBLE_EQ(exact.marginal[0].value_per_cost, 7.0 / 6);
  EXPECT_TRUE(exact.marginal[1].chosen);
  EXPECT_DOUBLE_EQ(exact.marginal[1].value, 5);
}

TEST(Portfolio, AutoIsExactUpToTwentyCandidates) {
  const auto s = chains({{7, 6}, {5, 5}, {5, 5}});
  EXPECT_EQ(optimise(s, portfolio_options(10, PortfolioMethod::Auto)).method, PortfolioMethod::Exact);
  std::vector<std::pair<double, double>> many(21, {1, 1});
  EXPECT_EQ(optimise(chains(many), portfolio_options(3, PortfolioMethod::Auto, 10)).method, PortfolioMethod::Greedy);
}

TEST(Portfolio, ExactEqualsBruteForceAndGreedyIsNeverBetter) {
  for (const std::uint32_t seed : {1u, 2u, 3u, 4u}) {
    for (const bool two_threats : {false, true}) {
      const auto s = random_scenario(seed, seed == 4 ? 8 : 6, two_threats);
      const RunOptions o = run_options(800, seed);
      const double total = cost_of(s, unimplemented(s));
      for (const double share : {0.0, 0.3, 0.6, 1.0}) {
        const double budget = std::floor(share * total);
        auto options = portfolio_options(budget, PortfolioMethod::Exact);
        options.run = o;
        const auto exact = optimise(s, options);
        options.method = PortfolioMethod::Greedy;
        const auto greedy = optimise(s, options);
        const Brute brute = brute_force(s, budget, o);
        SCOPED_TRACE("seed " + std::to_string(seed) + (two_threats ? " two threats" : "") + " budget " +
                     std::to_string(budget));
        EXPECT_EQ(exact.chosen, brute.chosen);
        EXPECT_EQ(exact.loss.mean, brute.loss);
        EXPECT_LE(exact.cost, budget);
        EXPECT_LE(greedy.cost, budget);
        EXPECT_LE(exact.loss.mean, greedy.loss.mean);
        EXPECT_EQ(exact.greedy_loss.mean, greedy.loss.mean);
      }
    }
  }
}

TEST(Portfolio, EstimateIsMonotoneTrialByTrial) {
  // Common random numbers: adding a control only lowers step probabilities, so in every
  // trial the compromised set, and the loss, can only shrink.
  const auto check = [](const v1::Scenario& s, const RunOptions& o) {
    const auto ids = unimplemented(s);
    ASSERT_LE(ids.size(), 8u);
    std::vector<std::vector<double>> by_mask(1u << ids.size());
    for (std::uint32_t mask = 0; mask < by_mask.size(); ++mask) {
      std::vector<std::string> on;
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (mask >> i & 1u) on.push_back(ids[i]);
      }
      by_mask[mask] = losses_with(s, on, o);
    }
    for (std::uint32_t mask = 0; mask < by_mask.size(); ++mask) {
      for (std::size_t i = 0; i < ids.size(); ++i) {
        if (mask >> i & 1u) continue;
        const auto& without = by_mask[mask];
        const auto& with = by_mask[mask | 1u << i];
        for (std::size_t t = 0; t < with.size(); ++t) {
          ASSERT_LE(with[t], without[t]) << "adding " << ids[i] << " to subset " << mask << " raised trial " << t;
        }
      }
    }
  };
  check(random_scenario(11, 6), run_options(1000, 3));
  check(random_scenario(12, 6, true), run_options(1000, 4));  // annualised: every threat's attacks summed
  check(default_scenario(), run_options(1000, 7));            // five candidates, three threats, cascade
  // The all-threats main view with the cascade: outage days must not depend on which
  // threat reached an asset first (a control can change that).
  auto per_trial = default_scenario();
  for (auto& t : *per_trial.mutable_threats()) t.clear_annual_frequency();
  check(per_trial, run_options(2000, 7));
}

TEST(Portfolio, BudgetZeroChoosesNothingUnlessFree) {
  const auto s = chains({{7, 6}, {5, 5}});
  auto r = optimise(s, portfolio_options(0, PortfolioMethod::Exact));
  EXPECT_TRUE(r.chosen.empty());
  EXPECT_EQ(r.cost, 0);
  EXPECT_EQ(r.loss.mean, r.none.mean);
  r = optimise(s, portfolio_options(0, PortfolioMethod::Greedy));
  EXPECT_TRUE(r.chosen.empty());
  // A free control that removes loss is taken first, whatever the budget.
  const auto free = chains({{7, 6}, {1, 0}, {5, 5}});
  for (const auto method : {PortfolioMethod::Greedy, PortfolioMethod::Exact}) {
    r = optimise(free, portfolio_options(0, method));
    EXPECT_EQ(r.chosen, (std::vector<std::string>{"c1"}));
    r = optimise(free, portfolio_options(6, method));
    EXPECT_EQ(r.chosen, (std::vector<std::string>{"c0", "c1"}));
  }
  r = optimise(free, portfolio_options(6, PortfolioMethod::Greedy));
  ASSERT_EQ(r.greedy.size(), 2u);
  EXPECT_EQ(r.greedy[0].control, "c1");
  EXPECT_TRUE(std::isnan(r.marginal[1].value_per_cost));
}

TEST(Portfolio, TiesGoToTheCheaperThenTheFirstIds) {
  // c1 covers nothing (no relation needs CPS.RA-1), c2 duplicates c0: the optimum takes
  // c0 alone although the budget allows everything.
  auto s = chains({{7, 2}});
  auto* inert = s.add_controls();
  inert->set_id("c1");
  inert->set_requirement("CPS.RA-1");
  inert->set_efficacy(1);
  inert->set_cost(1);
  auto* twin = s.add_controls();
  *twin = s.controls(0);
  twin->set_id("c2");
  for (const double budget : {3.0, 100.0}) {
    auto r = optimise(s, portfolio_options(budget, PortfolioMethod::Exact));
    EXPECT_EQ(r.chosen, (std::vector<std::string>{"c0"})) << budget;
    EXPECT_EQ(r.loss.mean, 0);
    r = optimise(s, portfolio_options(budget, PortfolioMethod::Greedy));
    EXPECT_EQ(r.chosen, (std::vector<std::string>{"c0"})) << budget;
  }
  // The duplicate cheaper than the original wins on cost.
  s.mutable_controls(2)->set_cost(1.5);
  EXPECT_EQ(optimise(s, portfolio_options(100, PortfolioMethod::Exact)).chosen, (std::vector<std::string>{"c2"}));
}

TEST(Portfolio, FrontierRunsFromNothingToEverything) {
  const auto s = random_scenario(7, 6);
  auto options = portfolio_options(10, PortfolioMethod::Exact);
  options.frontier_points = 5;
  const auto r = optimise(s, options);
  ASSERT_EQ(r.frontier.size(), 5u);
  EXPECT_EQ(r.frontier.front().budget, 0);
  EXPECT_EQ(r.frontier.back().budget, r.total_cost);
  EXPECT_EQ(r.frontier.front().loss.mean, r.none.mean);  // every candidate costs > 0
  EXPECT_EQ(r.frontier.back().loss.mean, r.all.mean);    // the whole budget reaches the least loss
  for (std::size_t k = 1; k < r.frontier.size(); ++k) {
    EXPECT_LE(r.frontier[k].loss.mean, r.frontier[k - 1].loss.mean);  // exact: more budget never hurts
    EXPECT_LE(r.frontier[k].cost, r.frontier[k].budget);
  }
  // Each point is the exact optimum at its budget.
  for (const auto& f : r.frontier) {
    auto at = options;
    at.budget = f.budget;
    at.frontier_points = 0;
    EXPECT_EQ(optimise(s, at).chosen, f.chosen) << f.budget;
  }
}

TEST(Portfolio, MarginalValuesArePairedDifferences) {
  const auto s = random_scenario(8, 5);
  const auto o = run_options(1500, 9);
  auto options = portfolio_options(12, PortfolioMethod::Exact, 1500);
  options.run = o;
  const auto r = optimise(s, options);
  const auto best = losses_with(s, r.chosen, o);
  EXPECT_EQ(mean(best), r.loss.mean);
  for (const auto& m : r.marginal) {
    auto other = r.chosen;
    if (m.chosen) {
      other.erase(std::find(other.begin(), other.end(), m.control));
    } else {
      other.push_back(m.control);
    }
    const auto l = losses_with(s, other, o);
    std::vector<double> d(l.size());
    for (std::size_t t = 0; t < d.size(); ++t) d[t] = m.chosen ? l[t] - best[t] : best[t] - l[t];
    EXPECT_DOUBLE_EQ(m.value, mean(d)) << m.control;
    EXPECT_DOUBLE_EQ(m.stderr_, standard_error(d)) << m.control;
    EXPECT_GE(m.value, 0) << m.control;  // monotone
  }
}

TEST(Portfolio, DefaultScenarioIsDeterministicAtAnyThreadCount) {
  const auto s = default_scenario();
  PortfolioOptions options;
  options.budget = 40000;
  options.run = run_options(1000, 20261123);
  options.frontier_points = 4;
  std::string first;
  for (const unsigned threads : {1u, 2u, 7u}) {
    options.run.threads = threads;
    const auto r = optimise(s, options);
    EXPECT_EQ(r.method, PortfolioMethod::Exact);
    EXPECT_TRUE(r.annual);
    EXPECT_EQ(r.candidates.size(), 5u);
    EXPECT_LE(r.cost, 40000);
    EXPECT_LT(r.loss.mean, r.none.mean);
    const std::string doc =
        portfolio_json(r, {"f", "n", "kJPY"}) + frontier_csv(r) + portfolio_text(r, {"f", "n", "kJPY"});
    if (first.empty()) first = doc;
    EXPECT_EQ(doc, first) << threads << " threads";
  }
}

TEST(Portfolio, ExplicitCandidatesLeaveTheOthersOff) {
  const auto s = chains({{7, 6}, {5, 5}, {5, 5}});
  auto options = portfolio_options(100, PortfolioMethod::Exact);
  options.candidates = {"c2", "c0"};
  const auto r = optimise(s, options);
  EXPECT_EQ(r.candidates, (std::vector<std::string>{"c0", "c2"}));  // scenario order
  EXPECT_EQ(r.chosen, (std::vector<std::string>{"c0", "c2"}));
  EXPECT_DOUBLE_EQ(r.none.mean, 17);
  EXPECT_DOUBLE_EQ(r.loss.mean, 5);  // c1 stays a candidate nobody chose
}

TEST(Portfolio, CancelThrows) {
  std::atomic<bool> cancel{true};
  auto options = portfolio_options(10, PortfolioMethod::Exact);
  options.run.cancel = &cancel;
  EXPECT_THROW(optimise(chains({{7, 6}, {5, 5}}), options), PortfolioCancelled);
}

TEST(Portfolio, BadInputSaysWhatAndHowToFix) {
  const auto s = chains({{7, 6}, {5, 5}});
  const auto fails = [&](PortfolioOptions o, const v1::Scenario& sc, const std::string& what) {
    try {
      optimise(sc, o);
      ADD_FAILURE() << "no error for " << what;
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(what), std::string::npos) << m;
      // Says how to fix it, or what the option must be (limits.hpp).
      EXPECT_TRUE(m.find("fix:") != std::string::npos || m.find(" must be ") != std::string::npos) << m;
    }
  };
  fails(portfolio_options(-1, PortfolioMethod::Auto), s, "budget must be a finite number ≥ 0, not -1");
  fails(portfolio_options(std::nan(""), PortfolioMethod::Auto), s, "budget must be a finite number ≥ 0, not nan");
  fails(portfolio_options(std::numeric_limits<double>::infinity(), PortfolioMethod::Auto), s,
        "budget must be a finite number ≥ 0, not inf");
  auto o = portfolio_options(5, PortfolioMethod::Auto);
  o.candidates = {"c0", "nope"};
  fails(o, s, "candidate 'nope' is not a control");
  o.candidates = {"c0", "c0"};
  fails(o, s, "listed twice");
  o.candidates = {};
  o.frontier_points = 1;
  fails(o, s, "frontier_points must be 0 or an integer in [2, 1001], not 1");
  o.frontier_points = 0;
  auto implemented = s;
  implemented.mutable_controls(0)->set_implemented(true);
  o.candidates = {"c0"};
  fails(o, implemented, "already implemented");
  o.candidates = {};
  implemented.mutable_controls(1)->set_implemented(true);
  fails(o, implemented, "no candidate controls");
  auto negative = s;
  negative.mutable_controls(1)->set_cost(-3);
  fails(o, negative, "cost of control 'c1' is -3");
  std::vector<std::pair<double, double>> many(21, {1, 1});
  fails(portfolio_options(3, PortfolioMethod::Exact), chains(many), "at most 20 candidates");
}

// chains() with one threat entering every chain each attack, once a year on average: the
// annual loss removed by c_k is loss_k per attack times Poisson(1) attacks a year.
v1::Scenario annual_chains(const std::vector<std::pair<double, double>>& spec) {
  v1::Scenario s = chains(spec);
  auto* t = s.add_threats();
  t->set_id("crew");
  t->set_annual_frequency(1);
  for (std::size_t k = 0; k < spec.size(); ++k) {
    auto* ep = t->add_entry_points();
    ep->set_asset("s" + std::to_string(k));
    ep->set_probability(1);
  }
  return s;
}

TEST(Portfolio, NetNeverPicksAControlThatCostsMoreThanItRemoves) {
  // c0 removes 100 a year for 10, c1 removes 5 for 50, c2 removes 30 for 20. The loss goal
  // spends the budget on all three; the net goal takes c0 and c2 only, exact and greedy.
  const auto s = annual_chains({{100, 10}, {5, 50}, {30, 20}});
  for (const auto method : {PortfolioMethod::Exact, PortfolioMethod::Greedy}) {
    auto o = portfolio_options(1000, method, 4000);
    const auto loss = optimise(s, o);
    o.goal = PortfolioGoal::Net;
    const auto net = optimise(s, o);
    SCOPED_TRACE(portfolio_method_name(method));
    EXPECT_EQ(loss.chosen, (std::vector<std::string>{"c0", "c1", "c2"}));
    EXPECT_EQ(net.chosen, (std::vector<std::string>{"c0", "c2"}));
    EXPECT_EQ(net.goal, PortfolioGoal::Net);
    EXPECT_TRUE(net.annual);
    EXPECT_DOUBLE_EQ(net.cost, 30);
    EXPECT_FALSE(net.none_pays);
    EXPECT_FALSE(net.costs_more_than_removes);
    // Exact answers, within 4 of the estimate's own SE: c0 removes 100 a year, alone too.
    const auto& c0 = net.marginal[0];
    EXPECT_NEAR(c0.value, 100, 4 * c0.stderr_);
    EXPECT_NEAR(c0.alone, 100, 4 * c0.alone_stderr);
    EXPECT_TRUE(c0.pays);
    EXPECT_FALSE(net.marginal[1].pays);
    EXPECT_NEAR(net.marginal[1].value, 5, 4 * net.marginal[1].stderr_);
    // The arithmetic: per unit cost with its SE, and net = value − cost.
    for (const auto& m : net.marginal) {
      EXPECT_DOUBLE_EQ(m.value_per_cost, m.value / m.cost);
      EXPECT_DOUBLE_EQ(m.value_per_cost_stderr, m.stderr_ / m.cost);
      EXPECT_DOUBLE_EQ(m.net, m.value - m.cost);
    }
  }
}

TEST(Portfolio, NetMayChooseNothingAndSaysNoCandidatePays) {
  // c0 removes 5 a year for 50: the loss goal buys it (and is warned about); net does not.
  const auto s = annual_chains({{5, 50}});
  auto o = portfolio_options(100, PortfolioMethod::Exact, 2000);
  const auto loss = optimise(s, o);
  EXPECT_EQ(loss.chosen, (std::vector<std::string>{"c0"}));
  EXPECT_TRUE(loss.costs_more_than_removes);
  EXPECT_TRUE(loss.none_pays);
  const auto warnings = portfolio_warnings(loss, "kJPY");
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("--goal net"), std::string::npos) << warnings[0];
  o.goal = PortfolioGoal::Net;
  for (const auto method : {PortfolioMethod::Exact, PortfolioMethod::Greedy}) {
    o.method = method;
    const auto net = optimise(s, o);
    EXPECT_TRUE(net.chosen.empty());
    EXPECT_DOUBLE_EQ(net.cost, 0);
    EXPECT_TRUE(net.none_pays);
    EXPECT_FALSE(net.costs_more_than_removes);
    EXPECT_TRUE(portfolio_warnings(net, "").empty());  // the net goal chose what pays
    const std::string text = portfolio_text(net, OutputContext{});
    EXPECT_NE(text.find("no candidate pays for itself"), std::string::npos) << text;
  }
}

TEST(Portfolio, NetExactEqualsBruteForce) {
  std::set<std::size_t> sizes;  // of the chosen sets: the cases are not all empty or all full
  for (const std::uint32_t seed : {1u, 2u, 3u}) {
    auto s = random_scenario(seed, 7, /*two_threats=*/true);
    // Costs on the scale of the annual losses, so that some candidates pay and some do not.
    for (auto& c : *s.mutable_controls()) c.set_cost(c.cost() * 40);
    const RunOptions o = run_options(800, seed);
    const double total = cost_of(s, unimplemented(s));
    for (const double share : {0.0, 0.4, 1.0}) {
      const double budget = std::floor(share * total);
      auto options = portfolio_options(budget, PortfolioMethod::Exact);
      options.run = o;
      options.goal = PortfolioGoal::Net;
      const auto exact = optimise(s, options);
      options.method = PortfolioMethod::Greedy;
      const auto greedy = optimise(s, options);
      const Brute brute = brute_force(s, budget, o, /*net=*/true);
      SCOPED_TRACE("seed " + std::to_string(seed) + " budget " + std::to_string(budget));
      EXPECT_EQ(exact.chosen, brute.chosen);
      EXPECT_DOUBLE_EQ(exact.loss.mean + exact.cost, brute.loss);
      EXPECT_LE(exact.cost, budget);
      EXPECT_LE(greedy.cost, budget);
      EXPECT_LE(exact.loss.mean + exact.cost, greedy.loss.mean + greedy.cost);
      sizes.insert(exact.chosen.size());
    }
  }
  EXPECT_GE(sizes.size(), 3u);
}

TEST(Portfolio, NetNeedsAnnualLosses) {
  auto o = portfolio_options(10, PortfolioMethod::Auto);
  o.goal = PortfolioGoal::Net;
  const auto says = [&](const v1::Scenario& s, const std::string& what) {
    try {
      optimise(s, o);
      ADD_FAILURE() << "no error for " << what;
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find(what), std::string::npos) << m;
      EXPECT_NE(m.find("fix: "), std::string::npos) << m;
    }
  };
  says(chains({{7, 6}}), "the scenario has no threats");
  auto s = annual_chains({{7, 6}});
  s.mutable_threats(0)->clear_annual_frequency();
  says(s, "1 threat(s) have no annual_frequency, so the losses are per trial, not per year: 'crew'");
}

TEST(Portfolio, MethodNames) {
  EXPECT_EQ(portfolio_goal_from_name("net"), PortfolioGoal::Net);
  EXPECT_EQ(portfolio_goal_from_name("loss"), PortfolioGoal::Loss);
  EXPECT_FALSE(portfolio_goal_from_name("benefit"));
  EXPECT_STREQ(portfolio_goal_name(PortfolioGoal::Net), "net");
  EXPECT_EQ(portfolio_method_from_name("exact"), PortfolioMethod::Exact);
  EXPECT_EQ(portfolio_method_from_name("greedy"), PortfolioMethod::Greedy);
  EXPECT_EQ(portfolio_method_from_name("auto"), PortfolioMethod::Auto);
  EXPECT_FALSE(portfolio_method_from_name("best"));
  EXPECT_STREQ(portfolio_method_name(PortfolioMethod::Exact), "exact");
}

}  // namespace
}  // namespace cpsf
