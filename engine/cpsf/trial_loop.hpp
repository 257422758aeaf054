// The trial loop: one attack on the frozen graph (DESIGN §4, attack-step semantics v1).
//
// Knuth's generalisation of Dijkstra's algorithm: assets are settled in order of
// arrival time; an ANY asset's arrival is the earliest succeeded step into it, an ALL
// asset's the latest of its incoming steps once every one of them has succeeded.
// Sampling is lazy: a step draws its numbers only when its source is settled and not
// contained. Every number is addressed (stream, trial, relation or asset), so lazy and
// eager sampling give the same outcome (tested), and trial i's outcome depends on
// (seed, i) alone.
//
// No allocation, no virtual call, no lock per trial: TrialScratch is sized once per
// thread and reset by epoch stamps, not by clearing.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "cpsf/model.hpp"
#include "cpsf/random.hpp"

namespace cpsf {

// Whether the controls in force lower the steps' probabilities: residual risk (on)
// or inherent risk (off), drawn from the same numbers (common random numbers).
enum class Controls : std::uint8_t { On, Off };

// The random address of attack `attack` in trial `trial` (attack 0 is the trial's own
// attack; later ones are the extra attacks of an annualised year).
constexpr std::uint64_t attack_address(std::uint64_t trial, std::uint32_t attack) noexcept {
  return trial + (std::uint64_t{attack} << 40);
}
inline constexpr std::uint64_t kMaxTrials = std::uint64_t{1} << 40;

// Per-thread working memory for trials on one model.
class TrialScratch {
 public:
  explicit TrialScratch(const Model& model);

  // Compromised assets of the last trial, in settling order, with arrival times.
  [[nodiscard]] const std::vector<std::uint32_t>& compromised() const { return compromised_; }
  [[nodiscard]] const std::vector<double>& arrival() const { return compromised_time_; }
  // The step (CSR edge index) that made asset v fall in the last trial, or kEntered for an
  // entry point: the earliest succeeded step into an ANY asset, the latest into an ALL
  // asset. Meaningful only for the assets in compromised(). Followed back it gives the
  // attack path (paths.hpp).
  static constexpr std::uint32_t kEntered = 0xFFFFFFFFu;
  [[nodiscard]] std::uint32_t via(std::uint32_t v) const { return via_[v]; }
  // Steps tried (success drawn) in the last trial: the work a trial did.
  [[nodiscard]] std::uint64_t steps_tried() const { return steps_tried_; }

 private:
  friend class TrialLoop;
  enum : std::uint32_t { kFresh = 0, kQueued = 1, kSettled = 2, kBlocked = 3 };
  // Everything the loop needs of an asset in one 16-byte record: one cache line fetch
  // per visit in large graphs. `tag` = epoch << 2 | state; a record whose epoch is not
  // the current trial's is fresh (reset by stamping, not by clearing).
  struct AssetState {
    double best;              // ANY: best arrival so far; ALL: latest arrival so far
    std::uint32_t tag;
    std::uint32_t remaining;  // ALL: incoming steps still to succeed
  };
  AssetState& touch(std::uint32_t v, const Model& m) {
    AssetState& a = assets_[v];
    if ((a.tag >> 2) != epoch_) {
      a.tag = epoch_ << 2 | kFresh;
      a.best = kNever;
      a.remaining = m.in_degree[v];
    }
    return a;
  }
  static std::uint32_t state(const AssetState& a) { return a.tag & 3u; }
  static void set_state(AssetState& a, std::uint32_t st) { a.tag = (a.tag & ~3u) | st; }

  std::vector<AssetState> assets_;
  std::vector<std::uint32_t> via_;  // written when an arrival improves; kept apart so the hot record stays 16 bytes
  std::vector<std::pair<double, std::uint32_t>> heap_;
  std::vector<std::uint32_t> compromised_;
  std::vector<double> compromised_time_;
  std::uint32_t epoch_ = 0;  // below 2^30; wraps by a full reset
  std::uint64_t steps_tried_ = 0;
};

// Runs attacks of one threat on one model.
class TrialLoop {
 public:
  TrialLoop(const Model& model, std::size_t threat, std::uint64_t seed);

  // One attack at random address `address`; fills scratch.compromised(). Returns the
  // direct loss (sum of the compromised assets' losses, in settling order).
  double run(std::uint64_t address, Controls controls, TrialScratch& scratch) const;

  // The same attack with every number drawn up front for every relation and asset
  // (eager sampling). Slow; exists to test that lazy sampling changes nothing.
  double run_eager(std::uint64_t address, Controls controls, TrialScratch& scratch) const;

  // Random stream id of sub-model `stream` for threat `threat` (docs/methods.md).
  static constexpr std::uint32_t stream_id(Stream stream, std::size_t threat) noexcept {
    return static_cast<std::uint32_t>(stream) + (static_cast<std::uint32_t>(threat) << 8);
  }

 private:
  template <bool kEager>
  double run_impl(std::uint64_t address, Controls controls, TrialScratch& scratch) const;

  const Model& model_;
  const CompiledThreat& threat_;
  double horizon_;
  RandomStream entries_, steps_, times_, containment_;
};

}  // namespace cpsf
