// The control portfolio (docs/design.md §6): which candidate controls (implemented: false) to put
// in force within an annual budget so that the expected residual loss is smallest, the
// marginal value of each candidate, and the efficient frontier over budgets.
//
// Every subset S of candidates is evaluated by the engine itself: the scenario with S in
// force is compiled and simulated with the same seed and trial count (no inherent run).
// The same seed means common random numbers: every evaluation sees the same uniforms, so
// differences between subsets are paired per trial and precise, and (a control only ever
// lowers step probabilities) the estimated loss is monotone: S ⊆ T ⇒ loss(T) ≤ loss(S),
// trial by trial. The exact search relies on it (docs/methods.md §11).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "cpsf/sim/simulation.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

enum class PortfolioMethod { Auto, Greedy, Exact };

// What the search minimises: Loss, the expected residual loss (the budget is spent while a
// control removes any loss); Net, the expected annual loss plus the annual cost of the
// chosen controls (a control is worth its place only when it removes more than it costs;
// the best set may be empty). Net needs annual losses: every threat an annual_frequency.
enum class PortfolioGoal { Loss, Net };

// Auto picks Exact up to this many candidates, Greedy above; Exact refuses more.
inline constexpr std::size_t kMaxExactCandidates = 20;
inline constexpr std::size_t kDefaultFrontierPoints = 11;  // kMaxFrontierPoints: limits.hpp

// "auto", "greedy", "exact"; nullopt for anything else.
std::optional<PortfolioMethod> portfolio_method_from_name(const std::string& name);
const char* portfolio_method_name(PortfolioMethod method);
// "loss", "net"; nullopt for anything else.
std::optional<PortfolioGoal> portfolio_goal_from_name(const std::string& name);
const char* portfolio_goal_name(PortfolioGoal goal);

struct PortfolioOptions {
  double budget = 0.0;  // annual, in the scenario's currency; finite, ≥ 0
  PortfolioMethod method = PortfolioMethod::Auto;
  PortfolioGoal goal = PortfolioGoal::Loss;  // Net: the budget stays a cap
  // Budgets 0, total/(n−1), ..., total cost of every candidate (0: no frontier; else ≥ 2).
  std::size_t frontier_points = kDefaultFrontierPoints;
  // trials, seed, threads, horizon / no_horizon are used. The optimiser needs a fixed
  // trial count and no controls-off run: target_relative_stderr, inherent, paths and
  // progress are ignored. `cancel` stops the search (optimise throws PortfolioCancelled).
  RunOptions run;
  // Candidate control ids; empty: every control with implemented = false.
  std::vector<std::string> candidates;
  // Called after each new simulation with the number run so far (from the calling thread).
  std::function<void(std::uint64_t)> progress;

  // What is wrong with these options and their run options (limits.hpp), one sentence
  // each naming the option (empty: nothing); check() throws std::invalid_argument with
  // them all. The candidates are checked against the scenario by optimise().
  [[nodiscard]] std::vector<std::string> problems() const;
  void check() const { throw_if_any(problems()); }
};

// The search was cancelled through RunOptions::cancel.
struct PortfolioCancelled : std::runtime_error {
  PortfolioCancelled() : std::runtime_error("the portfolio search was interrupted") {}
};

struct LossEstimate {
  double mean = 0.0, stderr_ = 0.0;  // expected residual loss and its standard error
};

// One greedy addition: the control, the cost and loss of the set once it is added.
struct GreedyStep {
  std::string control;
  double control_cost = 0.0;
  double cost = 0.0;  // cumulative
  LossEstimate loss;
};

// What a candidate is worth relative to the chosen set S*: for c ∈ S*,
// loss(S* ∖ {c}) − loss(S*); for c ∉ S*, loss(S*) − loss(S* ∪ {c}). The standard error is
// that of the mean of the paired per-trial differences (common random numbers).
struct MarginalValue {
  std::string control;
  double cost = 0.0;
  bool chosen = false;
  double value = 0.0, stderr_ = 0.0;
  double value_per_cost = 0.0;         // value / cost; NaN when the cost is 0
  double value_per_cost_stderr = 0.0;  // stderr / cost; NaN when the cost is 0
  double net = 0.0;                    // value − cost: what it earns a year in the chosen set
  // The candidate on its own: loss(∅) − loss({c}), paired; it pays for itself when that
  // exceeds its cost (meaningful only for annual losses: costs are annual).
  double alone = 0.0, alone_stderr = 0.0;
  bool pays = false;
};

struct FrontierPoint {
  double budget = 0.0, cost = 0.0;
  LossEstimate loss;  // the objective is loss.mean (+ cost under Net)
  std::vector<std::string> chosen;
};

struct PortfolioResult {
  PortfolioMethod method = PortfolioMethod::Greedy;  // the one used (never Auto)
  PortfolioGoal goal = PortfolioGoal::Loss;
  double budget = 0.0;
  std::uint64_t trials = 0, seed = 0;
  std::optional<double> horizon;
  bool annual = false;                  // the objective is the annualised loss (every threat has a frequency)
  std::vector<std::string> candidates;  // in scenario order
  std::vector<double> candidate_cost;
  double total_cost = 0.0;  // of every candidate

  std::vector<std::string> chosen;                 // S*, in scenario order
  double cost = 0.0;                               // of S*
  LossEstimate none, all, loss;                    // no candidate, every candidate, S*
  double reduction = 0.0, reduction_stderr = 0.0;  // loss(∅) − loss(S*), paired
  // Annual losses only (else false): no candidate removes more on its own than it costs
  // (MarginalValue::pays); the chosen set costs more than it removes (loss goal: the
  // net-benefit goal would do better).
  bool none_pays = false;
  bool costs_more_than_removes = false;

  std::vector<GreedyStep> greedy;  // the greedy path at this budget (also computed for exact)
  LossEstimate greedy_loss;
  std::vector<MarginalValue> marginal;  // in candidate order
  std::vector<FrontierPoint> frontier;
  std::uint64_t simulations = 0;  // distinct simulations run (subsets sharing step probabilities run once)
};

// The objective of one simulation: per trial, the annualised residual loss when the run
// has one, else the main view's residual loss; and its mean.
std::vector<double> objective_losses(const SimulationResult& result);
double objective(const SimulationResult& result);

// Throws std::invalid_argument on bad options or candidates (with what and how to fix),
// what compile/simulate throw, and PortfolioCancelled.
PortfolioResult optimise(const v1::Scenario& scenario, const PortfolioOptions& options);

}  // namespace cpsf
