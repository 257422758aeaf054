// cpsf._core.portfolio.optimise: the control portfolio (engine/cpsf/analysis/portfolio.hpp) with the
// GIL released (background_call.hpp). Ctrl-C cancels the search and raises
// KeyboardInterrupt once it has stopped: a portfolio of half the subsets means nothing, so
// there is no partial result. The result crosses as a dict of plain values.
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <string>

#include "background_call.hpp"
#include "cpsf/analysis/portfolio.hpp"
#include "cpsf/output/portfolio_writers.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

py::dict estimate(const LossEstimate& e) {
  py::dict d;
  d["mean"] = e.mean;
  d["stderr"] = e.stderr_;
  return d;
}

py::dict to_dict(const PortfolioResult& r, const OutputContext& context) {
  py::dict d;
  d["method"] = portfolio_method_name(r.method);
  d["goal"] = portfolio_goal_name(r.goal);
  d["budget"] = r.budget;
  d["trials"] = r.trials;
  d["seed"] = r.seed;
  d["horizon"] = r.horizon ? py::cast(*r.horizon) : py::none();
  d["annual"] = r.annual;
  d["candidates"] = r.candidates;
  d["candidate_cost"] = r.candidate_cost;
  d["total_cost"] = r.total_cost;
  d["chosen"] = r.chosen;
  d["cost"] = r.cost;
  d["loss"] = estimate(r.loss);
  d["none"] = estimate(r.none);
  d["all"] = estimate(r.all);
  d["reduction"] = estimate({r.reduction, r.reduction_stderr});
  d["greedy_loss"] = estimate(r.greedy_loss);
  py::list greedy;
  for (const auto& s : r.greedy) {
    py::dict g;
    g["control"] = s.control;
    g["control_cost"] = s.control_cost;
    g["cost"] = s.cost;
    g["loss"] = s.loss.mean;
    g["stderr"] = s.loss.stderr_;
    greedy.append(g);
  }
  d["greedy"] = greedy;
  py::list marginal;
  for (const auto& m : r.marginal) {
    py::dict g;
    g["control"] = m.control;
    g["cost"] = m.cost;
    g["chosen"] = m.chosen;
    g["value"] = m.value;
    g["stderr"] = m.stderr_;
    g["value_per_cost"] = m.value_per_cost;
    g["value_per_cost_stderr"] = m.value_per_cost_stderr;
    g["net"] = r.annual ? py::cast(m.net) : py::none();
    g["alone"] = m.alone;
    g["alone_stderr"] = m.alone_stderr;
    g["pays"] = r.annual ? py::cast(m.pays) : py::none();
    marginal.append(g);
  }
  d["marginal"] = marginal;
  py::list frontier;
  for (const auto& f : r.frontier) {
    py::dict g;
    g["budget"] = f.budget;
    g["cost"] = f.cost;
    g["loss"] = f.loss.mean;
    g["stderr"] = f.loss.stderr_;
    g["chosen"] = f.chosen;
    frontier.append(g);
  }
  d["frontier"] = frontier;
  d["simulations"] = r.simulations;
  d["none_pays"] = r.annual ? py::cast(r.none_pays) : py::none();
  d["costs_more_than_removes"] = r.annual ? py::cast(r.costs_more_than_removes) : py::none();
  d["warnings"] = portfolio_warnings(r, context.currency);
  d["json"] = portfolio_json(r, context);
  d["frontier_csv"] = frontier_csv(r);
  d["text"] = portfolio_text(r, context);
  return d;
}

py::dict optimise_bytes(const py::bytes& data, const std::string& file, double budget,
                        const std::vector<std::string>& candidates, const std::string& method, const std::string& goal,
                        std::size_t frontier, std::uint64_t trials, std::uint64_t seed, unsigned threads,
                        const py::object& progress, double poll_interval) {
  const auto m = portfolio_method_from_name(method);
  if (!m) throw py::value_error("method must be 'auto', 'greedy' or 'exact', not '" + method + "'");
  const auto g = portfolio_goal_from_name(goal);
  if (!g) throw py::value_error("goal must be 'loss' or 'net', not '" + goal + "'");
  if (!(poll_interval > 0)) throw py::value_error("poll_interval must be > 0");
  const v1::Scenario scenario = parse_scenario(data);
  const OutputContext context = output_context(file, scenario);

  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> simulations{0};
  PortfolioOptions options;
  options.budget = budget;
  options.method = *m;
  options.goal = *g;
  options.frontier_points = frontier;
  options.candidates = candidates;
  options.run.trials = trials;
  options.run.seed = seed;
  options.run.threads = threads;
  options.run.cancel = &cancel;
  options.progress = [&simulations](std::uint64_t n) { simulations.store(n, std::memory_order_relaxed); };
  options.check();  // std::invalid_argument -> ValueError

  PortfolioResult result;
  std::function<void(std::uint64_t)> report;
  if (!progress.is_none()) report = [&](std::uint64_t n) { progress(n); };
  try {
    run_off_the_gil([&] { result = optimise(scenario, options); }, cancel,
                    [&] { return simulations.load(std::memory_order_relaxed); }, report, OnInterrupt::Raise,
                    poll_interval, /*unreported=*/0);
  } catch (const PortfolioCancelled&) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);  // cancelled only on a pending error; kept for safety
    throw py::error_already_set();
  }
  return to_dict(result, context);
}

}  // namespace

void register_portfolio(py::module_& m) {
  m.attr("max_exact_candidates") = kMaxExactCandidates;
  m.attr("default_frontier_points") = kDefaultFrontierPoints;
  m.def("optimise", &optimise_bytes, py::arg("data"), py::kw_only(), py::arg("file"), py::arg("budget"),
        py::arg("candidates"), py::arg("method"), py::arg("goal"), py::arg("frontier"), py::arg("trials"),
        py::arg("seed"), py::arg("threads"), py::arg("progress") = py::none(), py::arg("poll_interval") = 0.1,
        "Searches the candidate controls of the serialised scenario (validated beforehand by the caller) with "
        "the GIL released; returns a dict (its 'json' is optimise.json). progress(simulations) is called from "
        "this thread. Ctrl-C stops the search and raises KeyboardInterrupt; bad options raise ValueError.");
}

}  // namespace cpsf::python
