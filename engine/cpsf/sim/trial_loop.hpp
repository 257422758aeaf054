// The trial loop: trials 0, 1, 2, ... of one run, in rounds on the TrialExecutor.
//
// A trial is every threat attacking once (attack.hpp) with controls on and, from the
// same numbers, once with them off; its losses include the production the attacks stop
// (the cascade, model/cascade.hpp) and, for the tracked assets, the attack paths. Each
// worker thread keeps its own tallies; after each round they are merged into the run's
// totals in integers, and every per-trial value goes to its trial's own slot, so no
// number depends on the thread count or the scheduling (docs/methods.md §6). Between
// rounds the loop honours a cancel and consults the stopping rule.
//
// No allocation, no virtual call, no lock per trial: a worker's state is made once, on
// its first round.
#pragma once

#include <cstdint>

#include "cpsf/model/cascade.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/sim/simulation.hpp"

namespace cpsf {

// Runs the trials `options` asks for on `model`, up to options.trials, stopping early by
// the stopping rule or a cancel. Reads what simulate() planned in `result` (has_inherent,
// has_annual, enterprises, tracked) and fills in the rest of it: the threads, the trials
// done, every per-trial array, each view's tallies, the paths and the steps tried.
void run_trials(const Model& model, const RunOptions& options, const Cascade& cascade, SimulationResult& result);

// The statistics a run computes (SimulationResult::stats), from a result's per-trial
// arrays, by the same fold, bit for bit: how simulation_test shows that the statistics
// are the arrays' and that a hand-made result can be estimated. Needs the arrays
// (RunOptions::per_trial).
RunStatistics statistics_of(const SimulationResult& result, unsigned threads = 1);

}  // namespace cpsf
