#include "cpsf/analysis/portfolio.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <stdexcept>
#include <unordered_map>

#include "cpsf/base/statistics.hpp"
#include "cpsf/model/model.hpp"

namespace cpsf {

std::optional<PortfolioMethod> portfolio_method_from_name(const std::string& name) {
  if (name == "auto") return PortfolioMethod::Auto;
  if (name == "greedy") return PortfolioMethod::Greedy;
  if (name == "exact") return PortfolioMethod::Exact;
  return std::nullopt;
}

const char* portfolio_method_name(PortfolioMethod method) {
  switch (method) {
    case PortfolioMethod::Auto:
      return "auto";
    case PortfolioMethod::Greedy:
      return "greedy";
    case PortfolioMethod::Exact:
      return "exact";
  }
  return "?";
}

std::optional<PortfolioGoal> portfolio_goal_from_name(const std::string& name) {
  if (name == "loss") return PortfolioGoal::Loss;
  if (name == "net") return PortfolioGoal::Net;
  return std::nullopt;
}

const char* portfolio_goal_name(PortfolioGoal goal) { return goal == PortfolioGoal::Net ? "net" : "loss"; }

std::vector<double> objective_losses(const SimulationResult& result) {
  const PerTrial& losses = result.has_annual ? result.annual_residual_loss : result.main().residual_loss;
  return {losses.begin(), losses.end()};
}

double objective(const SimulationResult& result) { return mean(objective_losses(result)); }

namespace {

using Set = std::vector<bool>;  // membership by candidate index

// Per-trial vectors are kept for later paired differences up to this many bytes in all;
// beyond, they are simulated again when needed (same seed: the same numbers).
constexpr std::size_t kKeptLossBytes = std::size_t{256} << 20;
// The exact search's tie-break walks the sets of equal loss below the best maximal ones;
// this bounds the walk when many candidates change nothing (docs/methods.md §11).
constexpr std::size_t kMaxTieSets = 4096;

// 128-bit fingerprint of a model's step probabilities: subsets that compile to the same
// probabilities simulate to the same numbers, so they share one simulation.
std::pair<std::uint64_t, std::uint64_t> fingerprint(const std::vector<double>& p) {
  std::uint64_t a = 0x9E3779B97F4A7C15ull ^ p.size(), b = 0xC2B2AE3D27D4EB4Full + p.size();
  for (const double x : p) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    a = (a ^ bits) * 0xBF58476D1CE4E5B9ull;
    a ^= a >> 29;
    b = (b + bits) * 0x94D049BB133111EBull;
    b ^= b >> 31;
  }
  return {a, b};
}

struct Evaluation {
  LossEstimate estimate;
  std::shared_ptr<const std::vector<double>> losses;  // null when not kept
};

// Evaluates subsets of candidates: compile the scenario with them in force, simulate with
// the fixed seed and trial count, keep the objective. Cached by subset and by step probabilities.
class Evaluator {
 public:
  Evaluator(const v1::Scenario& scenario, std::vector<int> candidate_controls, const PortfolioOptions& options)
      : scenario_(scenario), controls_(std::move(candidate_controls)), options_(options) {
    run_ = options.run;
    run_.inherent = false;
    run_.paths = false;
    run_.path_loss_threshold.reset();
    run_.target_relative_stderr = 0.0;  // every subset on the same trials
    run_.progress = nullptr;
    for (const int c : controls_) scenario_.mutable_controls(c)->set_implemented(false);
  }

  LossEstimate estimate(const Set& s) { return evaluate(s, false).estimate; }

  // The per-trial objective of `s` (simulated again if it was not kept).
  std::shared_ptr<const std::vector<double>> losses(const Set& s) {
    const Evaluation& e = evaluate(s, true);
    return e.losses;
  }

  [[nodiscard]] std::uint64_t simulations() const { return simulations_; }
  [[nodiscard]] bool annual() const { return annual_; }
  [[nodiscard]] std::uint64_t trials() const { return trials_; }
  [[nodiscard]] const std::optional<double>& horizon() const { return horizon_; }

 private:
  const Evaluation& evaluate(const Set& s, bool need_losses) {
    if (auto it = by_set_.find(s); it != by_set_.end()) {
      Evaluation& e = entries_[it->second];
      if (!need_losses || e.losses) return e;
    }
    check_cancel();
    for (std::size_t i = 0; i < controls_.size(); ++i) scenario_.mutable_controls(controls_[i])->set_implemented(s[i]);
    const Model model = compile(scenario_);
    const auto key = fingerprint(model.edge_p_residual);
    std::size_t index;
    if (auto it = by_probabilities_.find(key);
        it != by_probabilities_.end() && (!need_losses || entries_[it->second].losses)) {
      index = it->second;
    } else {
      const SimulationResult result = simulate(model, run_);
      if (result.partial) throw PortfolioCancelled();
      ++simulations_;
      if (options_.progress) options_.progress(simulations_);
      annual_ = result.has_annual;
      trials_ = result.trials;
      horizon_ = result.horizon;
      auto losses = std::make_shared<const std::vector<double>>(objective_losses(result));
      Evaluation e{{mean(*losses), standard_error(*losses)}, nullptr};
      const std::size_t bytes = losses->size() * sizeof(double);
      if (need_losses || kept_bytes_ + bytes <= kKeptLossBytes) {
        kept_bytes_ += bytes;
        e.losses = std::move(losses);
      }
      if (auto it = by_probabilities_.find(key); it != by_probabilities_.end()) {
        index = it->second;
        entries_[index].losses = e.losses;  // same numbers: keep the vector this time
      } else {
        index = entries_.size();
        entries_.push_back(std::move(e));
        by_probabilities_.emplace(key, index);
      }
    }
    by_set_[s] = index;
    return entries_[index];
  }

  void check_cancel() const {
    if (run_.cancel != nullptr && run_.cancel->load(std::memory_order_relaxed)) throw PortfolioCancelled();
  }

  v1::Scenario scenario_;
  std::vector<int> controls_;
  const PortfolioOptions& options_;
  RunOptions run_;
  std::vector<Evaluation> entries_;
  std::map<Set, std::size_t> by_set_;
  std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> by_probabilities_;
  std::size_t kept_bytes_ = 0;
  std::uint64_t simulations_ = 0;
  bool annual_ = false;
  std::uint64_t trials_ = 0;
  std::optional<double> horizon_;
};

// The search over subsets of the candidates for one budget.
class Search {
 public:
  Search(Evaluator& evaluator, const std::vector<std::string>& ids, const std::vector<double>& costs,
         PortfolioGoal goal)
      : eval_(evaluator), ids_(ids), costs_(costs), n_(ids.size()), net_(goal == PortfolioGoal::Net) {}

  // What the goal minimises: the loss, plus the set's cost under Net.
  double value(const Set& s) { return eval_.estimate(s).mean + (net_ ? cost(s) : 0.0); }

  // Cost of a set, summed in candidate order so that equal sets always cost the same.
  [[nodiscard]] double cost(const Set& s) const {
    double c = 0.0;
    for (std::size_t i = 0; i < n_; ++i) {
      if (s[i]) c += costs_[i];
    }
    return c;
  }

  // Within the budget, up to a relative 1e-12 (so 0.1 + 0.2 fits in 0.3).
  [[nodiscard]] static bool fits(double cost, double budget) {
    return cost <= budget + 1e-12 * std::max(1.0, std::fabs(budget));
  }

  [[nodiscard]] std::vector<std::string> ids_of(const Set& s) const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n_; ++i) {
      if (s[i]) out.push_back(ids_[i]);
    }
    return out;
  }

  // The order the optimum is defined by: lower loss, then lower cost, then the sorted ids
  // compared lexicographically.
  bool better(const Set& a, double loss_a, const Set& b, double loss_b) const {
    if (loss_a != loss_b) return loss_a < loss_b;
    const double ca = cost(a), cb = cost(b);
    if (ca != cb) return ca < cb;
    auto ia = ids_of(a), ib = ids_of(b);
    std::sort(ia.begin(), ia.end());
    std::sort(ib.begin(), ib.end());
    return ia < ib;
  }

  // Greedy: add the affordable candidate with the largest loss reduction per cost (free
  // ones first, by reduction), ties by id, while one reduces the loss (under Net: while
  // one removes more than it costs).
  Set greedy(double budget, std::vector<GreedyStep>* steps) {
    Set s(n_, false);
    double loss = eval_.estimate(s).mean;
    for (;;) {
      std::optional<std::size_t> best;
      double best_reduction = 0.0;
      const auto ahead = [&](std::size_t j, double reduction) {
        if (!best) return true;
        const bool free_j = costs_[j] == 0.0, free_b = costs_[*best] == 0.0;
        if (free_j != free_b) return free_j;
        const double rj = free_j ? reduction : reduction / costs_[j];
        const double rb = free_b ? best_reduction : best_reduction / costs_[*best];
        if (rj != rb) return rj > rb;
        return ids_[j] < ids_[*best];
      };
      for (std::size_t j = 0; j < n_; ++j) {
        if (s[j]) continue;
        Set t = s;
        t[j] = true;
        if (!fits(cost(t), budget)) continue;
        const double reduction = loss - eval_.estimate(t).mean;
        const double gain = net_ ? reduction - costs_[j] : reduction;
        if (reduction > 0.0 && gain > 0.0 && ahead(j, reduction)) {
          best = j;
          best_reduction = reduction;
        }
      }
      if (!best) break;
      s[*best] = true;
      const LossEstimate e = eval_.estimate(s);
      loss = e.mean;
      if (steps) steps->push_back({ids_[*best], costs_[*best], cost(s), e});
    }
    return s;
  }

  // Exact: branch and bound over include/exclude decisions. Monotonicity gives the bound:
  // no completion of a node beats the node's decided set plus every affordable undecided
  // candidate. The best loss lies on a maximal feasible set; the cheapest set of that
  // loss lies below one of them, found by walking down while the loss stays equal.
  Set exact(double budget) {
    if (net_) return exact_net(budget);
    budget_ = budget;
    order_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) order_[i] = i;
    // Expensive candidates first: their exclusion prunes the most.
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return costs_[a] > costs_[b]; });
    const Set incumbent = greedy(budget, nullptr);  // a feasible start: prunes from the first node
    best_loss_ = eval_.estimate(incumbent).mean;
    best_sets_.assign(1, incumbent);
    Set decided(n_, false);
    branch(0, decided);

    // The cheapest (then lexicographically first) set of the best loss, below the best sets.
    Set best = best_sets_.front();
    double best_loss = best_loss_;
    std::set<Set> seen;
    std::vector<Set> stack(best_sets_.begin(), best_sets_.end());
    while (!stack.empty() && seen.size() < kMaxTieSets) {
      Set t = std::move(stack.back());
      stack.pop_back();
      if (!seen.insert(t).second) continue;
      const double loss = eval_.estimate(t).mean;
      if (loss > best_loss) continue;  // out of the family of equal loss (and all below it)
      if (better(t, loss, best, best_loss)) {
        best = t;
        best_loss = loss;
      }
      for (std::size_t i = 0; i < n_; ++i) {
        if (!t[i]) continue;
        Set u = t;
        u[i] = false;
        if (!seen.count(u)) stack.push_back(std::move(u));
      }
    }
    return best;
  }

 private:
  // Exact under Net: branch and bound where every node's decided set is itself a
  // completion (exclude the rest), so it is considered, and no completion beats the
  // loss of decided ∪ every affordable undecided candidate plus the cost of decided
  // (monotone loss, costs ≥ 0). The best set need not be maximal, so there is no walk.
  Set exact_net(double budget) {
    budget_ = budget;
    order_.resize(n_);
    for (std::size_t i = 0; i < n_; ++i) order_[i] = i;
    std::stable_sort(order_.begin(), order_.end(), [&](std::size_t a, std::size_t b) { return costs_[a] > costs_[b]; });
    best_sets_.assign(1, greedy(budget, nullptr));
    best_loss_ = value(best_sets_.front());
    Set decided(n_, false);
    branch_net(0, decided);
    return best_sets_.front();
  }

  // Adds to `bound` every candidate of order_[pos...] that fits beside `spent` on its own;
  // the place in order_ of the first, or nothing when none fits (a leaf).
  std::optional<std::size_t> add_affordable(std::size_t pos, double spent, Set& bound) const {
    std::optional<std::size_t> first;
    for (std::size_t p = pos; p < n_; ++p) {
      const std::size_t j = order_[p];
      if (fits(spent + costs_[j], budget_)) {
        bound[j] = true;
        if (!first) first = p;
      }
    }
    return first;
  }

  void branch_net(std::size_t pos, Set& decided) {
    const double spent = cost(decided);
    const double here = eval_.estimate(decided).mean + spent;
    if (better(decided, here, best_sets_.front(), best_loss_)) {
      best_sets_.assign(1, decided);
      best_loss_ = here;
    }
    Set bound = decided;
    const std::optional<std::size_t> first = add_affordable(pos, spent, bound);
    if (!first || eval_.estimate(bound).mean + spent > best_loss_) return;
    const std::size_t j = order_[*first];
    decided[j] = true;
    branch_net(*first + 1, decided);  // j fits: it is in the bound
    decided[j] = false;
    branch_net(*first + 1, decided);
  }

  [[nodiscard]] bool maximal(const Set& s) const {
    const double c = cost(s);
    for (std::size_t j = 0; j < n_; ++j) {
      if (!s[j] && fits(c + costs_[j], budget_)) return false;
    }
    return true;
  }

  void consider(const Set& s, double loss) {
    if (loss < best_loss_) {
      best_loss_ = loss;
      best_sets_.assign(1, s);
    } else if (loss == best_loss_) {
      best_sets_.push_back(s);
    }
  }

  // Decides order_[pos...] given `decided` (the included candidates so far).
  void branch(std::size_t pos, Set& decided) {
    const double spent = cost(decided);
    Set bound = decided;
    const std::optional<std::size_t> first = add_affordable(pos, spent, bound);
    if (!first) {  // a leaf; a non-maximal one is dominated by a maximal set searched elsewhere
      if (maximal(decided)) consider(decided, eval_.estimate(decided).mean);
      return;
    }
    const double bound_loss = eval_.estimate(bound).mean;
    if (bound_loss > best_loss_) return;
    if (fits(cost(bound), budget_)) {  // every affordable candidate fits at once: the subtree's best
      if (maximal(bound)) consider(bound, bound_loss);
      return;
    }
    const std::size_t j = order_[*first];
    decided[j] = true;
    if (fits(cost(decided), budget_)) branch(*first + 1, decided);
    decided[j] = false;
    branch(*first + 1, decided);
  }

  Evaluator& eval_;
  const std::vector<std::string>& ids_;
  const std::vector<double>& costs_;
  std::size_t n_;
  bool net_;
  double budget_ = 0.0;
  std::vector<std::size_t> order_;
  double best_loss_ = 0.0;
  std::vector<Set> best_sets_;
};

void check_finite_non_negative(double x, const std::string& what, const std::string& fix) {
  if (!std::isfinite(x) || x < 0) {
    char shown[64] = "not a number";
    if (!std::isnan(x)) std::snprintf(shown, sizeof shown, "%.17g", x);
    throw std::invalid_argument(what + " is " + std::string(shown) + "; it must be a finite amount >= 0 (fix: " + fix +
                                ")");
  }
}

// Scenario indices of the candidate controls, in scenario order; throws on bad ids.
std::vector<int> candidate_controls(const v1::Scenario& s, const std::vector<std::string>& requested) {
  std::vector<int> out;
  if (requested.empty()) {
    for (int i = 0; i < s.controls_size(); ++i) {
      if (!s.controls(i).implemented()) out.push_back(i);
    }
    if (out.empty()) {
      throw std::invalid_argument(
          "the scenario has no candidate controls (fix: add controls with implemented: false and their annual "
          "cost)");
    }
    return out;
  }
  std::unordered_map<std::string, int> index;
  for (int i = 0; i < s.controls_size(); ++i) index.emplace(s.controls(i).id(), i);
  std::set<int> chosen;
  for (const auto& id : requested) {
    const auto it = index.find(id);
    if (it == index.end()) {
      std::string available;
      int listed = 0;
      for (const auto& c : s.controls()) {
        if (c.implemented()) continue;
        if (++listed > 10) {
          available += ", ...";
          break;
        }
        available += (available.empty() ? "" : ", ") + c.id();
      }
      throw std::invalid_argument(
          "candidate '" + id + "' is not a control of the scenario (fix: name controls by their id" +
          (available.empty() ? std::string(")") : "; its unimplemented controls are " + available + ")"));
    }
    if (s.controls(it->second).implemented()) {
      throw std::invalid_argument("candidate '" + id +
                                  "' is already implemented (fix: set implemented: false in the scenario to let the "
                                  "optimiser decide it, or leave it out of the candidates)");
    }
    if (!chosen.insert(it->second).second) {
      throw std::invalid_argument("candidate '" + id + "' is listed twice (fix: name each candidate once)");
    }
  }
  return {chosen.begin(), chosen.end()};
}

// Net adds annual costs to losses: it needs annual losses, so every threat must have an
// annual_frequency (and there must be threats: the implicit one has none).
void check_goal(const v1::Scenario& s, PortfolioGoal goal) {
  if (goal != PortfolioGoal::Net) return;
  const std::string fix =
      " (fix: give every threat an annual_frequency, attacks a year, or use the loss goal, which minimises the "
      "loss per trial)";
  if (s.threats_size() == 0) {
    throw std::invalid_argument(
        "the net-benefit goal adds annual control costs to annual losses, and the scenario has no threats, so "
        "its losses are per trial, not per year (fix: add threats with an annual_frequency, attacks a year, or "
        "use the loss goal, which minimises the loss per trial)");
  }
  std::vector<std::string> missing;
  for (const auto& t : s.threats()) {
    if (!t.has_annual_frequency()) missing.push_back("'" + t.id() + "'");
  }
  if (missing.empty()) return;
  std::string listed;
  for (std::size_t i = 0; i < missing.size() && i < 10; ++i) listed += (i ? ", " : "") + missing[i];
  if (missing.size() > 10) listed += ", ...";
  throw std::invalid_argument(
      "the net-benefit goal adds annual control costs to annual losses, and " + std::to_string(missing.size()) +
      " threat(s) have no annual_frequency, so the losses are per trial, not per year: " + listed + fix);
}

using Paired = std::function<LossEstimate(const Set&, const Set&)>;

// The marginal value of every candidate with respect to `best`, and what it removes on its
// own; then whether any pays for itself and whether the chosen set does.
void fill_marginal(PortfolioResult& r, const Set& best, const Paired& paired) {
  const std::size_t n = r.candidates.size();
  const Set none(n, false);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  bool any_pays = false;
  for (std::size_t i = 0; i < n; ++i) {
    Set other = best;
    other[i] = !best[i];
    const LossEstimate v = best[i] ? paired(other, best) : paired(best, other);
    Set alone = none;
    alone[i] = true;
    const LossEstimate a = paired(none, alone);
    const double c = r.candidate_cost[i];
    MarginalValue m{r.candidates[i], c, static_cast<bool>(best[i]), v.mean, v.stderr_};
    m.value_per_cost = c > 0 ? v.mean / c : nan;
    m.value_per_cost_stderr = c > 0 ? v.stderr_ / c : nan;
    m.net = v.mean - c;
    m.alone = a.mean;
    m.alone_stderr = a.stderr_;
    m.pays = r.annual && a.mean > c;
    any_pays = any_pays || m.pays;
    r.marginal.push_back(std::move(m));
  }
  r.none_pays = r.annual && !any_pays;
  r.costs_more_than_removes = r.annual && r.cost > r.reduction;
}

}  // namespace

std::vector<std::string> PortfolioOptions::problems() const {
  std::vector<std::string> out;
  check_limit(out, "budget", limits::budget, budget);
  check_limit(out, "frontier_points", limits::frontier_points, frontier_points);
  for (auto& p : run.problems()) out.push_back(std::move(p));
  return out;
}

PortfolioResult optimise(const v1::Scenario& scenario, const PortfolioOptions& options) {
  options.check();
  const std::vector<int> controls = candidate_controls(scenario, options.candidates);
  check_goal(scenario, options.goal);

  PortfolioResult r;
  r.goal = options.goal;
  r.budget = options.budget;
  r.seed = options.run.seed;
  for (const int c : controls) {
    const auto& control = scenario.controls(c);
    check_finite_non_negative(control.cost(), "the cost of control '" + control.id() + "'",
                              "give its annual cost in the scenario's currency");
    r.candidates.push_back(control.id());
    r.candidate_cost.push_back(control.cost());
  }
  const std::size_t n = r.candidates.size();
  r.method = options.method;
  if (r.method == PortfolioMethod::Auto) {
    r.method = n <= kMaxExactCandidates ? PortfolioMethod::Exact : PortfolioMethod::Greedy;
  } else if (r.method == PortfolioMethod::Exact && n > kMaxExactCandidates) {
    throw std::invalid_argument("the exact search takes at most " + std::to_string(kMaxExactCandidates) +
                                " candidates, and there are " + std::to_string(n) +
                                " (fix: use the greedy method, or name at most " + std::to_string(kMaxExactCandidates) +
                                " candidates)");
  }

  Evaluator evaluator(scenario, controls, options);
  Search search(evaluator, r.candidates, r.candidate_cost, options.goal);
  const Set none(n, false), all(n, true);
  r.total_cost = search.cost(all);
  const auto solve = [&](double budget) {
    return r.method == PortfolioMethod::Exact ? search.exact(budget) : search.greedy(budget, nullptr);
  };

  r.none = evaluator.estimate(none);
  r.all = evaluator.estimate(all);
  const Set greedy = search.greedy(options.budget, &r.greedy);
  r.greedy_loss = evaluator.estimate(greedy);
  const Set best = r.method == PortfolioMethod::Exact ? search.exact(options.budget) : greedy;
  r.chosen = search.ids_of(best);
  r.cost = search.cost(best);
  r.loss = evaluator.estimate(best);

  // Paired differences over the same trials (common random numbers).
  const auto paired = [&](const Set& worse, const Set& better_set) {
    const auto a = evaluator.losses(worse);
    const auto b = evaluator.losses(better_set);
    std::vector<double> d(a->size());
    for (std::size_t i = 0; i < d.size(); ++i) d[i] = (*a)[i] - (*b)[i];
    return LossEstimate{mean(d), standard_error(d)};
  };
  const LossEstimate removed = paired(none, best);
  r.reduction = removed.mean;
  r.reduction_stderr = removed.stderr_;
  r.annual = evaluator.annual();
  fill_marginal(r, best, paired);

  for (std::size_t k = 0; k < options.frontier_points; ++k) {
    const std::size_t last = options.frontier_points - 1;
    const double budget = k == last ? r.total_cost : r.total_cost * static_cast<double>(k) / static_cast<double>(last);
    const Set s = solve(budget);
    r.frontier.push_back({budget, search.cost(s), evaluator.estimate(s), search.ids_of(s)});
  }
  r.trials = evaluator.trials();
  r.horizon = evaluator.horizon();
  r.annual = evaluator.annual();
  r.simulations = evaluator.simulations();
  return r;
}

}  // namespace cpsf
