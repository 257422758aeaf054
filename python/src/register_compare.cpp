// cpsf._core.compare: scenarios × baselines (engine/cpsf/analysis/compare.hpp) with the GIL
// released (background_call.hpp), and the baseline assignments of
// engine/cpsf/model/supplier_rule.hpp. Ctrl-C cancels and raises KeyboardInterrupt once the work
// has stopped; there is no partial table. The result crosses as its documents (json, csv,
// text, svg); the Python side parses the JSON.
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <tuple>

#include "background_call.hpp"
#include "cpsf/analysis/compare.hpp"
#include "cpsf/model/supplier_rule.hpp"
#include "cpsf/output/compare_writers.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

py::list decisions_list(const std::vector<SupplierDecision>& decisions) {
  py::list out;
  for (const auto& d : decisions) {
    py::list reasons;
    for (const auto& r : d.reasons) {
      py::dict rd;
      rd["reason"] = supplier_reason_name(r.kind);
      rd["customer"] = r.customer;
      rd["relation"] = r.relation;
      rd["relations"] = r.relations;
      rd["text"] = describe(r);
      reasons.append(rd);
    }
    py::dict dd;
    dd["enterprise"] = d.enterprise;
    dd["baseline"] = d.baseline;
    dd["previous_baseline"] = d.previous_baseline;
    dd["customers"] = d.customers;
    dd["reasons"] = reasons;
    out.append(dd);
  }
  return out;
}

py::dict compare_bytes(const std::vector<std::tuple<std::string, std::string, py::bytes>>& scenarios,
                       const std::vector<std::string>& baselines, const std::optional<std::string>& threat,
                       std::uint64_t trials, std::uint64_t seed, unsigned threads, const py::object& progress,
                       double poll_interval) {
  if (!(poll_interval > 0)) throw py::value_error("poll_interval must be > 0");
  std::vector<CompareInput> inputs;
  inputs.reserve(scenarios.size());
  for (const auto& [label, file, data] : scenarios) inputs.push_back({label, file, parse_scenario(data)});

  std::atomic<bool> cancel{false};
  std::atomic<std::size_t> runs{0};
  CompareOptions options;
  options.baselines = baselines;
  options.threat = threat;
  options.run.trials = trials;
  options.run.seed = seed;
  options.run.threads = threads;
  options.run.cancel = &cancel;
  options.on_run = [&runs](std::size_t i, std::size_t, const std::string&, const std::string&) {
    runs.store(i, std::memory_order_relaxed);
  };
  options.check();  // std::invalid_argument -> ValueError
  const std::size_t total = inputs.size() * baselines.size();

  CompareResult result;
  std::function<void(std::uint64_t)> report;
  if (!progress.is_none()) report = [&](std::uint64_t n) { progress(n, total); };
  try {
    run_off_the_gil([&] { result = compare(inputs, options); }, cancel,
                    [&] { return static_cast<std::uint64_t>(runs.load(std::memory_order_relaxed)); }, report,
                    OnInterrupt::Raise, poll_interval);
  } catch (const CompareCancelled&) {
    PyErr_SetNone(PyExc_KeyboardInterrupt);  // cancelled only on a pending error; kept for safety
    throw py::error_already_set();
  }  // std::invalid_argument becomes ValueError
  if (!progress.is_none()) progress(total, total);
  py::dict d;
  d["json"] = compare_json(result);
  d["csv"] = compare_csv(result);
  d["profile_csv"] = compare_profile_csv(result);
  d["text"] = compare_text(result);
  return d;
}

}  // namespace

void register_compare(py::module_& m) {
  m.attr("as_is") = kAsIs;
  m.attr("supplier_rule") = kSupplierRule;
  m.def("compare", &compare_bytes, py::arg("scenarios"), py::kw_only(), py::arg("baselines"), py::arg("threat"),
        py::arg("trials"), py::arg("seed"), py::arg("threads"), py::arg("progress") = py::none(),
        py::arg("poll_interval") = 0.1,
        "Runs every (label, file, serialised scenario) — validated beforehand by the caller — under every baseline "
        "variant with the GIL released; returns {'json', 'csv', 'text', 'svg'}. progress(runs_done, runs) is called "
        "from this thread. Ctrl-C raises KeyboardInterrupt; bad baselines, threats or labels raise ValueError.");
  m.def(
      "labels",
      [](const std::vector<std::string>& names, const std::vector<std::string>& files) {
        return compare_labels(names, files);
      },
      py::arg("names"), py::arg("files"),
      "Labels as `cpsf compare` makes them: each scenario's name (files, '' for none, tell apart those that share "
      "one; an unnamed one by its file). The same file twice raises ValueError.");
  m.def(
      "apply_supplier_rule",
      [](const py::bytes& data) {
        v1::Scenario s = parse_scenario(data);
        const auto decisions = apply_supplier_rule(s);
        return py::make_tuple(serialise_scenario(s), decisions_list(decisions));
      },
      py::arg("data"),
      "Applies the SCS supplier rule; returns (serialised scenario, decisions: list of dicts with enterprise, "
      "baseline, previous_baseline, customers and reasons).");
  m.def(
      "assign_baseline",
      [](const py::bytes& data, const std::string& baseline, const std::string& scope,
         const std::vector<std::string>& enterprises) {
        BaselineScope s;
        if (scope == "all") {
          s = BaselineScope::all();
        } else if (scope == "suppliers") {
          s = BaselineScope::suppliers();
        } else if (scope == "enterprises") {
          s = BaselineScope::only(enterprises);
        } else {
          throw py::value_error("scope must be 'all', 'suppliers' or 'enterprises', not '" + scope + "'");
        }
        v1::Scenario scenario = parse_scenario(data);
        const std::size_t n = assign_baseline(scenario, baseline, s);
        return py::make_tuple(serialise_scenario(scenario), n);
      },
      py::arg("data"), py::arg("baseline"), py::arg("scope"), py::arg("enterprises"),
      "Sets the baseline of the enterprises in scope ('' removes it); returns (serialised scenario, how many).");
}

}  // namespace cpsf::python
