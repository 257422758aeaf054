// What a run keeps of its per-trial values: moments and histograms whose size does not
// depend on the trial count (docs/methods.md §6.2). The trial loop writes each round's
// per-trial values into a buffer of one round and folds them in here after the round;
// the per-trial arrays themselves are kept only when asked (RunOptions::keep_per_trial).
//
// Determinism: moments are accumulated round by round in trial order and merged in round
// order (MomentAccumulator), histograms are integers (LogHistogram); rounds are fixed
// (kRoundTrials), so thread and rank counts never change a number.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "cpsf/base/histogram.hpp"
#include "cpsf/base/statistics.hpp"

namespace cpsf {

// Trials per round. A round is the unit of merging, of cancelling and of the stopping
// rule: a run stopped early holds a whole number of rounds.
inline constexpr std::uint64_t kRoundTrials = 4096;

inline constexpr std::size_t kCells = 18;  // 3 layers × 6 elements

// One loss distribution: its moments and its histogram.
struct LossStatistics {
  MomentAccumulator moments;
  LogHistogram histogram;
  void merge(const LossStatistics& o) {
    moments.merge(o.moments);
    histogram.merge(o.histogram);
  }
};

// Folds `values` (a run's per-trial values, in trial order) as the trial loop does:
// moments round by round, merged in round order. Gives what a run computes of the same
// numbers, bit for bit.
MomentAccumulator moments_of(std::span<const double> values);
LossStatistics loss_statistics_of(std::span<const double> values);

struct RunStatistics {
  std::vector<LossStatistics> view_loss;  // [view * 2 + mode]; a mode not run stays empty
  MomentAccumulator removed;              // main view, per trial inherent − residual
  // Main view, per enterprise: residual direct + cascade; residual direct; residual
  // cascade; inherent direct + cascade.
  std::vector<LossStatistics> enterprise_loss;
  std::vector<MomentAccumulator> enterprise_direct, enterprise_cascade, enterprise_inherent;
  MomentAccumulator chain_cascade;  // Σ over the enterprises of the residual cascade loss
  // Per tracked asset, its arrival in the trials it fell in (main residual view).
  std::vector<LogHistogram> tracked_arrival;
  // Per layer × element cell: (its loss, the main residual loss) per trial.
  std::array<CoMomentAccumulator, kCells> cells{};
  LossStatistics annual_residual, annual_inherent;

  // The statistics of a run with `slots` view slots, `enterprises` enterprises and
  // `tracked` tracked assets, all empty.
  RunStatistics(std::size_t slots, std::size_t enterprises, std::size_t tracked);
  RunStatistics() = default;

  void merge(const RunStatistics& other);
  // The two halves of merge(), for runs over many processes (trial_loop.cpp): the moments,
  // whose floating-point merges must go in round order, and the histograms, whose integer
  // merges may go in any order.
  void merge_moments(const RunStatistics& other);
  void merge_histograms(const RunStatistics& other);
  // The moments alone, for statistics of this one's shape (read_moments throws
  // std::runtime_error on bytes write_moments did not make).
  void write_moments(std::vector<std::uint8_t>& bytes) const;
  void read_moments(const std::vector<std::uint8_t>& bytes, std::size_t& at);
  // Serialisation (Python pickles, checkpoints): the bytes of this machine's doubles.
  void write(std::vector<std::uint8_t>& bytes) const;
  // Throws std::runtime_error on bytes write() did not make.
  void read(const std::vector<std::uint8_t>& bytes, std::size_t& at);

 private:
  void check_shape(const RunStatistics& other) const;
  // Calls f(MomentAccumulator&) on every moment accumulator, and f(CoMomentAccumulator&)
  // on every cell, in one fixed order.
  template <class Self, class F>
  static void each_moments(Self& s, const F& f);
  template <class Self, class F>
  static void each_histogram(Self& s, const F& f);
};

}  // namespace cpsf
