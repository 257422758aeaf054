// cpsf._core.simulation.run: compile a scenario and run the Monte Carlo simulation with
// the GIL released.
//
// simulate() runs on a worker std::thread. The calling thread waits in short slices with
// the GIL released; between slices it takes the GIL only to call PyErr_CheckSignals()
// and the progress callback (with the trial count the engine last reported through an
// atomic). A KeyboardInterrupt sets RunOptions::cancel: the worker ends at its current
// round, and the partial result comes back marked partial (the exception is consumed;
// cpsf.run warns, or re-raises with on_interrupt="raise"). Any other exception raised
// meanwhile (by a signal handler or the progress callback) also cancels the run and is
// re-raised once the worker has finished. The worker is always joined before returning.
#include <pybind11/functional.h>
#include <pybind11/stl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "cpsf/trial_loop.hpp"
#include "cpsf/parallel.hpp"
#include "registration.hpp"
#include "run_state.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

struct Shared {
  std::atomic<bool> cancel{false};
  std::atomic<std::uint64_t> done{0};
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
};

std::shared_ptr<RunState> run(const py::bytes& data, const std::string& file, std::uint64_t trials,
                              std::uint64_t seed, unsigned threads, std::optional<double> horizon, bool no_horizon,
                              double target_rse, bool inherent, const py::object& progress, double poll_interval) {
  if (trials < 1 || trials >= kMaxTrials) throw py::value_error("trials must be in [1, 2^40)");
  if (threads > 1024) throw py::value_error("threads must be in [0, 1024]");
  if (horizon && !(*horizon >= 0)) throw py::value_error("horizon must be a number >= 0");
  if (horizon && no_horizon) throw py::value_error("horizon and no_horizon exclude each other");
  if (!(target_rse >= 0 && target_rse <= 1)) throw py::value_error("target_rse must be in [0, 1]");
  if (!(poll_interval > 0)) throw py::value_error("poll_interval must be > 0");

  auto state = std::make_shared<RunState>();
  v1::Scenario scenario;
  if (!scenario.ParseFromString(std::string(data))) throw py::value_error("not a serialised cpsf.v1.Scenario");
  state->context = OutputContext{file, scenario.name(), scenario.currency()};
  {
    py::gil_scoped_release release;
    state->model = compile(scenario);  // std::invalid_argument -> ValueError
  }

  auto shared = std::make_shared<Shared>();
  RunOptions options;
  options.trials = trials;
  options.seed = seed;
  options.threads = threads;
  options.horizon = horizon;
  options.no_horizon = no_horizon;
  options.target_relative_stderr = target_rse;
  options.inherent = inherent;
  options.cancel = &shared->cancel;
  options.progress = [shared](std::uint64_t done, std::uint64_t) { shared->done.store(done, std::memory_order_relaxed); };

  std::exception_ptr worker_error;
  std::thread worker([&state, &options, &worker_error, shared] {
    try {
      state->result = simulate(state->model, options);
    } catch (...) {
      worker_error = std::current_exception();
    }
    {
      std::lock_guard lock(shared->mutex);
      shared->finished = true;
    }
    shared->finished_cv.notify_all();
  });

  // From here until join(), nothing may leave this function by an exception.
  std::optional<py::error_already_set> pending;  // a Python exception to re-raise after the join
  std::uint64_t shown = ~std::uint64_t{0};
  const auto slice = std::chrono::duration<double>(poll_interval);
  for (;;) {
    bool finished = false;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(shared->mutex);
      finished = shared->finished_cv.wait_for(lock, slice, [&] { return shared->finished; });
    }
    if (finished) break;
    if (PyErr_CheckSignals() != 0) {
      shared->cancel.store(true);
      if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt)) {
        PyErr_Clear();  // the result comes back partial instead
      } else if (!pending) {
        pending.emplace();  // fetches the error
      } else {
        PyErr_Clear();
      }
    }
    const std::uint64_t done = shared->done.load(std::memory_order_relaxed);
    if (!progress.is_none() && !shared->cancel.load() && done != shown) {
      shown = done;
      try {
        progress(done, trials);
      } catch (py::error_already_set& e) {
        shared->cancel.store(true);
        // Ctrl-C while the callback (a progress bar) was drawing is still Ctrl-C.
        if (!pending && !e.matches(PyExc_KeyboardInterrupt)) pending.emplace(std::move(e));
      }
    }
  }
  worker.join();

  if (pending) throw std::move(*pending);
  if (worker_error) std::rethrow_exception(worker_error);
  if (!progress.is_none() && !shared->cancel.load()) {
    try {
      progress(state->result.trials, trials);  // the bar's last step
    } catch (py::error_already_set& e) {
      if (!e.matches(PyExc_KeyboardInterrupt)) throw;  // Ctrl-C once the run is complete changes nothing
    }
  }
  {
    py::gil_scoped_release release;
    state->report = make_report(state->model, state->result);
  }
  return state;
}

}  // namespace

void register_simulation(py::module_& m) {
  m.attr("max_trials") = kMaxTrials - 1;
  m.def("default_threads", [] { return TrialExecutor::default_threads(); }, "Worker threads a run with threads=0 uses (every core).");
  m.def("run", &run, py::arg("data"), py::kw_only(), py::arg("file"), py::arg("trials"), py::arg("seed"),
        py::arg("threads"), py::arg("horizon"), py::arg("no_horizon"), py::arg("target_rse"), py::arg("inherent"),
        py::arg("progress") = py::none(), py::arg("poll_interval") = 0.1,
        "Compiles the serialised scenario (validated beforehand by the caller) and runs it with the GIL "
        "released. progress(done, planned) is called from this thread between waits. Ctrl-C cancels the run "
        "and returns the partial result (Result.partial); other exceptions are re-raised after the run stops.");
}

}  // namespace cpsf::python
