// cpsf._core.simulation.run: compile a scenario and run the Monte Carlo simulation with
// the GIL released (background_call.hpp). A KeyboardInterrupt sets RunOptions::cancel: the
// run ends at its current round and the partial result comes back marked partial (the
// exception is consumed; cpsf.run warns, or re-raises with on_interrupt="raise"). Any other
// exception raised meanwhile (by a signal handler or the progress callback) also cancels
// the run and is re-raised once the worker has finished.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "background_call.hpp"
#include "cpsf/base/parallel.hpp"
#include "registration.hpp"
#include "run_state.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

std::shared_ptr<RunState> compiled_state(const py::bytes& data, const std::string& file) {
  auto state = std::make_shared<RunState>();
  const v1::Scenario scenario = parse_scenario(data);
  state->context = output_context(file, scenario);
  {
    py::gil_scoped_release release;
    state->model = compile(scenario);  // std::invalid_argument -> ValueError
  }
  return state;
}

namespace {

std::shared_ptr<RunState> run(const py::bytes& data, const std::string& file, std::uint64_t trials, std::uint64_t seed,
                              unsigned threads, std::optional<double> horizon, bool no_horizon, double target_rse,
                              bool inherent, bool per_trial, const py::object& progress, double poll_interval) {
  if (!(poll_interval > 0)) throw py::value_error("poll_interval must be > 0");
  RunOptions options;
  options.trials = trials;
  options.seed = seed;
  options.threads = threads;
  options.horizon = horizon;
  options.no_horizon = no_horizon;
  options.target_relative_stderr = target_rse;
  options.inherent = inherent;
  options.per_trial = per_trial;
  options.check();  // std::invalid_argument -> ValueError

  auto state = compiled_state(data, file);

  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0};
  options.cancel = &cancel;
  options.progress = [&done](std::uint64_t n, std::uint64_t) { done.store(n, std::memory_order_relaxed); };

  std::function<void(std::uint64_t)> report;
  if (!progress.is_none()) report = [&](std::uint64_t n) { progress(n, trials); };
  run_off_the_gil([&] { state->result = simulate(state->model, options); }, cancel,
                  [&] { return done.load(std::memory_order_relaxed); }, report, OnInterrupt::ReturnPartial,
                  poll_interval);
  if (!progress.is_none() && !cancel.load()) {
    try {
      progress(state->result.trials, trials);  // the bar's last step
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_KeyboardInterrupt)) throw;  // Ctrl-C once the run is complete changes nothing
    }
  }
  {
    py::gil_scoped_release release;
    state->estimates = estimate(state->model, state->result);
  }
  return state;
}

}  // namespace

void register_simulation(py::module_& m) {
  m.def(
      "default_threads", [] { return TrialExecutor::default_threads(); },
      "Worker threads a run with threads=0 uses (every core).");
  m.def(
      "startable_threads",
      [](unsigned wanted) {
        py::gil_scoped_release release;  // may start and join up to `wanted` threads
        return startable_threads(wanted);
      },
      py::arg("wanted"),
      "How many threads (up to wanted) a run can have: fewer when the process cannot start them all.");
  m.def("run", &run, py::arg("data"), py::kw_only(), py::arg("file"), py::arg("trials"), py::arg("seed"),
        py::arg("threads"), py::arg("horizon"), py::arg("no_horizon"), py::arg("target_rse"), py::arg("inherent"),
        py::arg("per_trial") = true, py::arg("progress") = py::none(), py::arg("poll_interval") = 0.1,
        "Compiles the serialised scenario (validated beforehand by the caller) and runs it with the GIL "
        "released. progress(done, planned) is called from this thread between waits. Ctrl-C cancels the run "
        "and returns the partial result (Result.partial); other exceptions are re-raised after the run stops.");
}

}  // namespace cpsf::python
