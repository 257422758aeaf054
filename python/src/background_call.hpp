// Engine work off the GIL, interruptible from Python: the one mechanism behind
// cpsf.run, cpsf.optimise and cpsf.compare (docs/python.md, "Running").
#pragma once

#include <pybind11/pybind11.h>

#include <atomic>
#include <cstdint>
#include <functional>

namespace cpsf::python {

// What Ctrl-C does to a call: the engine stops and the call returns what it has (a
// partial run), or the engine stops and the call raises KeyboardInterrupt.
enum class OnInterrupt { ReturnPartial, Raise };

// Runs `work` on a thread of its own while this (Python) thread waits with the GIL
// released, in slices of `poll_interval` seconds. Between slices it checks Python's
// signals (Ctrl-C sets `cancel`, which the engine polls) and, when `count()` has changed,
// calls `report(count())` with the GIL held (a Python error there sets `cancel` too;
// `report` may be empty). Counts equal to `unreported` are not reported. Nothing leaves
// before the worker is joined; then a pending Python error is raised, else the worker's
// exception, if any, is rethrown.
void run_off_the_gil(const std::function<void()>& work, std::atomic<bool>& cancel,
                     const std::function<std::uint64_t()>& count, const std::function<void(std::uint64_t)>& report,
                     OnInterrupt on_interrupt, double poll_interval, std::uint64_t unreported = ~std::uint64_t{0});

}  // namespace cpsf::python
