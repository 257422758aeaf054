#include "background_call.hpp"

#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

namespace py = pybind11;

namespace cpsf::python {

void run_off_the_gil(const std::function<void()>& work, std::atomic<bool>& cancel,
                     const std::function<std::uint64_t()>& count, const std::function<void(std::uint64_t)>& report,
                     OnInterrupt on_interrupt, double poll_interval, std::uint64_t unreported) {
  std::mutex mutex;
  std::condition_variable finished_cv;
  bool finished = false;
  std::exception_ptr worker_error;
  std::thread worker([&] {
    try {
      work();
    } catch (...) {
      worker_error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex);
      finished = true;
    }
    finished_cv.notify_all();
  });

  // From here until join(), nothing may leave this function by an exception.
  const bool partial = on_interrupt == OnInterrupt::ReturnPartial;
  std::optional<py::error_already_set> pending;  // a Python exception to raise after the join
  std::uint64_t shown = unreported;
  const auto slice = std::chrono::duration<double>(poll_interval);
  for (;;) {
    bool done = false;
    {
      py::gil_scoped_release release;
      std::unique_lock lock(mutex);
      done = finished_cv.wait_for(lock, slice, [&] { return finished; });
    }
    if (done) break;
    if (PyErr_CheckSignals() != 0) {
      cancel.store(true);
      const bool comes_back_partial = partial && PyErr_ExceptionMatches(PyExc_KeyboardInterrupt);
      if (!comes_back_partial && !pending) {
        pending.emplace();  // fetches the error
      } else {
        PyErr_Clear();  // the result comes back partial instead, or the first error is kept
      }
    }
    const std::uint64_t n = count();
    if (report && !cancel.load() && n != shown) {
      shown = n;
      try {
        report(n);
      } catch (py::error_already_set& e) {
        cancel.store(true);
        // With partial results, Ctrl-C while the callback (a progress bar) was drawing is
        // still just Ctrl-C.
        if (!pending && !(partial && e.matches(PyExc_KeyboardInterrupt))) pending.emplace(std::move(e));
      }
    }
  }
  worker.join();

  if (pending) throw std::move(*pending);
  if (worker_error) std::rethrow_exception(worker_error);
}

}  // namespace cpsf::python
