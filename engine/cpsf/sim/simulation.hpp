// A Monte Carlo run, simulate(): many trials, in each of which every threat attacks once
// (attack.hpp), run in parallel by the trial loop (trial_loop.hpp), with deterministic
// results (docs/design.md §8.1): every floating-point result is either written to its trial's own
// slot or accumulated exactly in integers, so thread count and scheduling never
// change a number.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "cpsf/base/limits.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/sim/attack.hpp"
#include "cpsf/sim/ranks.hpp"
#include "cpsf/sim/run_statistics.hpp"

namespace cpsf {

struct RunOptions {
  std::uint64_t trials = 10000;  // the cap (the stopping rule may end sooner)
  std::uint64_t seed = 1;
  unsigned threads = 0;                 // 0: every core
  std::optional<double> horizon;        // overrides the scenario's horizon (days)
  bool no_horizon = false;              // ignore the scenario's horizon
  double target_relative_stderr = 0.0;  // stop when the mean loss reaches it (0: off)
  std::uint64_t min_trials = 1000;      // the stopping rule is not consulted before this
  bool inherent = true;                 // also run with controls off (common random numbers)
  bool paths = true;                    // count the attack paths to the tracked assets
  // Keep every per-trial array in the result (memory grows with the trials, about 8 bytes
  // per trial and value). Off, the run keeps only SimulationResult::stats, whose size does
  // not depend on the trial count, and the per-trial arrays are empty.
  bool per_trial = true;
  // Also track (arrival times, paths) the assets whose loss is at least this.
  std::optional<double> path_loss_threshold;
  // Called now and then with (trials done, trials planned), from any thread, never
  // concurrently with itself.
  std::function<void(std::uint64_t, std::uint64_t)> progress;
  const std::atomic<bool>* cancel = nullptr;  // set it to stop; the result is marked partial

  // Checkpoints (docs/methods.md §6.3): called from the calling thread with the run's state
  // after a whole number of rounds (trial_loop.hpp) and the trials it holds: every
  // `checkpoint_rounds` rounds, or with 0 at the first round end `checkpoint_seconds` after
  // the last, and once more when the run ends (complete, stopped or cancelled).
  std::function<void(const std::vector<std::uint8_t>& state, std::uint64_t trials)> checkpoint;
  std::uint64_t checkpoint_rounds = 0;
  double checkpoint_seconds = 30.0;
  // A state a checkpoint gave, of this model and these options: the run goes on from it and
  // ends with the results an uninterrupted run gives. Needs per_trial off.
  const std::vector<std::uint8_t>* resume = nullptr;

  // Many processes (ranks.hpp, docs/cluster.md): the group this run's rounds are shared
  // with, or null for this process alone. Every rank calls simulate() with the same model
  // and options; the results are those of one process, bit for bit. Rank 0 alone reports
  // progress, writes checkpoints and resumes (the others' `resume` is not read). With
  // `ranks_share_result` every rank gets the whole result; without, only rank 0 does, and
  // the others' results are empty.
  const RankGroup* ranks = nullptr;
  bool ranks_share_result = true;
  // Rounds each rank runs between two exchanges with rank 0 (0: chosen as it goes, about a
  // quarter of a second of work). Changes no number; the tests fix it.
  std::uint64_t rank_batch_rounds = 0;

  // What is wrong with these options against the limits of limits.hpp, one sentence
  // each, naming the option (empty: nothing). check() throws std::invalid_argument with
  // them all; simulate() calls it.
  [[nodiscard]] std::vector<std::string> problems() const;
  void check() const { throw_if_any(problems()); }
};

// Arrival times are summed in fixed point (2^-32 day) in 128-bit integers: exact,
// so the sums do not depend on the order threads add them in.
__extension__ typedef __int128 FixedSum;            // GCC and Clang; exact 128-bit sums
inline constexpr double kTimeScale = 4294967296.0;  // 2^32

// Storage for per-trial values. Every slot is written by the trial it belongs to, so
// growing the storage need not fill it: std::vector<double> would zero each round's new
// slots in the main thread, between rounds, and on runs of short trials that serial fill
// (and first touch of fresh pages) cost as much as the trials. Here the worker's write is
// the first touch, in parallel.
// (Only value-construction is overridden; copies go through std::allocator_traits' default.)
template <class T>
struct UninitialisedAllocator : std::allocator<T> {
  UninitialisedAllocator() = default;
  template <class U>
  UninitialisedAllocator(const UninitialisedAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
  template <class U>
  void construct(U* p) noexcept(std::is_nothrow_default_constructible_v<U>) {
    ::new (static_cast<void*>(p)) U;  // default-initialised: no value written
  }
};
using PerTrial = std::vector<double, UninitialisedAllocator<double>>;

// Per-asset tallies for one view (a threat, or all threats together) and one mode.
struct AssetTally {
  std::vector<std::uint64_t> hits;    // trials in which the asset fell
  std::vector<FixedSum> time_sum;     // Σ arrival × 2^32
  std::vector<FixedSum> time_square;  // Σ arrival² × 2^32
  void resize(std::size_t n) {
    hits.assign(n, 0);
    time_sum.assign(n, 0);
    time_square.assign(n, 0);
  }
  void add(const AssetTally& o);
};

// What one view saw over all trials, with controls on (residual) and off (inherent).
struct ViewResult {
  std::string id;  // threat id, or "all-threats"
  AssetTally residual, inherent;
  PerTrial residual_loss, inherent_loss;  // per trial, direct loss
};

struct SimulationResult {
  std::uint64_t trials = 0;  // trials completed (a prefix 0..trials-1)
  std::uint64_t trials_planned = 0;
  bool partial = false;               // stopped by cancel before the plan was done
  bool stopped_by_precision = false;  // the target relative standard error was reached
  std::uint64_t seed = 0;
  unsigned threads = 0;
  std::optional<double> horizon;
  bool has_inherent = false;
  std::uint64_t steps_tried = 0;  // steps whose success was drawn, over every attack: the work done
  bool per_trial = true;          // the per-trial arrays are kept (RunOptions::per_trial); else they are empty

  std::vector<ViewResult> threats;     // one per threat, in scenario order
  std::optional<ViewResult> combined;  // every threat attacking once per trial (2+ threats)
  [[nodiscard]] const ViewResult& main() const { return combined ? *combined : threats.front(); }
  // The main view's residual slot in stats.view_loss (view * 2 + mode).
  [[nodiscard]] std::size_t main_slot() const { return combined ? threats.size() * 2 : 0; }

  // Main view, per trial and enterprise: loss[trial * enterprises + e]. Direct loss is
  // the enterprise's compromised assets' losses plus its own production loss; cascade
  // loss is the production it lost because suppliers were out (cascade.hpp). Every
  // view's per-trial loss is the sum of both over the enterprises.
  std::size_t enterprises = 0;
  PerTrial enterprise_residual_loss, enterprise_inherent_loss;
  PerTrial enterprise_residual_cascade, enterprise_inherent_cascade;
  bool has_production = false;   // some attack can stop production (model.has_production)
  double spectral_radius = 0.0;  // ρ(A*) of the dependency matrix

  // Attack paths in the main residual view: for each trial and tracked asset that fell,
  // the chain of steps that made it fall (attack.hpp: AttackScratch::via), from the
  // threat that reached it first. Key: {tracked slot, relation indices entry → asset};
  // value: trials.
  std::map<std::vector<std::uint32_t>, std::uint64_t> paths;

  // Assets whose arrival-time quantiles are reported (targets and objectives, at most
  // kMaxTracked): arrival per trial in the main residual view, NaN when not compromised.
  std::vector<std::uint32_t> tracked;
  PerTrial tracked_arrival;  // [trial * tracked.size() + k]

  // Annualised losses, when every threat has an annual frequency: year j has
  // N_k ~ Poisson(frequency_k) attacks by threat k; its loss is their sum.
  bool has_annual = false;
  PerTrial annual_residual_loss, annual_inherent_loss;
  // Annualised runs, controls on: per asset, the years (trials) in which it fell at least
  // once, in any attack of any threat. Empty without has_annual.
  std::vector<std::uint64_t> annual_hits;

  // The main residual view's loss by CPSF layer × element (cell = layer × 6 + element,
  // kCells of them): per trial, each cell's assets' own losses plus the production and
  // cascade losses attributed to their fall (docs/methods.md §8.1), so that a trial's
  // cells add up to its loss. cell_loss[trial * kCells + cell].
  PerTrial cell_loss;
  // The production and cascade parts of the cells, summed over the trials exactly in
  // fixed point (kLossScale), per cell.
  std::vector<FixedSum> cell_production, cell_cascade;

  // Every estimate of the per-trial values above, in memory that does not depend on the
  // trial count; filled whether or not the arrays are kept (RunOptions::per_trial).
  RunStatistics stats;
};

// Fixed point of the cells' production and cascade sums: 2^-16 of a currency unit per
// trial. Room for 2^127 / 2^16 / 2^40 ≈ 2e21 a trial on average over the most trials a
// run can have.
inline constexpr double kLossScale = 65536.0;

inline constexpr std::size_t kMaxTracked = 64;

// Runs the simulation. Throws std::invalid_argument on options out of range
// (RunOptions::check) and on models it cannot run.
SimulationResult simulate(const Model& model, const RunOptions& options);

}  // namespace cpsf
