// One attack on the frozen graph (docs/design.md §4, attack-step semantics v1).
//
// Knuth's generalisation of Dijkstra's algorithm: assets are settled in order of
// arrival time; an ANY asset's arrival is the earliest succeeded step into it, an ALL
// asset's the latest of its incoming steps once every one of them has succeeded.
// Sampling is lazy: a step draws its numbers only when its source is settled and not
// contained. Every number is addressed (stream, trial, relation or asset), so lazy and
// eager sampling give the same outcome (tested), and trial i's outcome depends on
// (seed, i) alone.
//
// No allocation, no virtual call, no lock per trial: AttackScratch is sized once per
// thread and reset by epoch stamps, not by clearing.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <utility>
#include <vector>

#include "cpsf/base/limits.hpp"
#include "cpsf/base/random.hpp"
#include "cpsf/model/model.hpp"

namespace cpsf {

// Whether the controls in force lower the steps' probabilities: residual risk (on)
// or inherent risk (off), drawn from the same numbers (common random numbers).
enum class Controls : std::uint8_t { On, Off };

// The random address of attack `attack` in trial `trial` (attack 0 is the trial's own
// attack; later ones are the extra attacks of an annualised year).
constexpr std::uint64_t attack_address(std::uint64_t trial, std::uint32_t attack) noexcept {
  return trial + (std::uint64_t{attack} << 40);
}
static_assert(kMaxTrials <= attack_address(0, 1), "trial numbers must stay below the attack index");

// An attack's queue of tentative arrivals: a radix heap (Ahuja, Mehlhorn, Orlin &
// Tarjan, "Faster algorithms for the shortest path problem", JACM 1990). Dijkstra pops
// arrivals in non-decreasing order, so a key need only be placed by the highest bit in
// which it differs from the last key popped: a push is O(1), and each entry moves to a
// lower bucket at most 64 times over its life, in practice once or twice. Keys are
// arrival times >= 0, compared as their IEEE-754 bit patterns, which order non-negative
// doubles exactly. Equal keys pop last-in first-out: deterministic, like everything else.
class ArrivalQueue {
 public:
  struct Entry {
    std::uint64_t key;  // bit pattern of the arrival time
    std::uint32_t asset;
  };
  [[nodiscard]] bool empty() const noexcept { return buckets_[0].empty() && higher_ == 0; }
  void clear() noexcept {
    buckets_[0].clear();
    for (; higher_ != 0; higher_ &= higher_ - 1) buckets_[1 + std::countr_zero(higher_)].clear();
    last_ = 0;
  }
  // `time` >= 0 and >= the last time popped.
  void push(double time, std::uint32_t asset) {
    const std::uint64_t key = std::bit_cast<std::uint64_t>(time + 0.0);  // + 0.0 turns -0.0 into 0.0
    place({key, asset});
  }
  // Removes and returns an entry with the smallest time. Not empty().
  std::pair<double, std::uint32_t> pop() {
    if (buckets_[0].empty()) {
      const auto i = 1 + static_cast<std::size_t>(std::countr_zero(higher_));
      higher_ &= higher_ - 1;
      auto& from = buckets_[i];
      std::uint64_t least = from[0].key;
      for (const Entry& x : from) least = x.key < least ? x.key : least;
      last_ = least;
      for (const Entry& x : from) place(x);  // every one goes to a lower bucket
      from.clear();
    }
    const Entry x = buckets_[0].back();
    buckets_[0].pop_back();
    return {std::bit_cast<double>(x.key), x.asset};
  }

 private:
  void place(const Entry& x) {
    if (x.key == last_) {
      buckets_[0].push_back(x);
      return;
    }
    const auto b = static_cast<std::size_t>(64 - std::countl_zero(x.key ^ last_));  // 1..64
    buckets_[b].push_back(x);
    higher_ |= std::uint64_t{1} << (b - 1);
  }
  std::array<std::vector<Entry>, 65> buckets_;  // bucket b > 0: keys whose highest bit differing from last_ is b - 1
  std::uint64_t higher_ = 0;                    // bit b - 1 set: bucket b is not empty
  std::uint64_t last_ = 0;                      // key of the last pop's bucket minimum
};

// Per-thread working memory for trials on one model.
class AttackScratch {
 public:
  explicit AttackScratch(const Model& model);

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
  friend class Attack;
  enum : std::uint32_t { kFresh = 0, kQueued = 1, kSettled = 2, kBlocked = 3 };
  // Everything the loop needs of an asset in one 16-byte record: one cache line fetch
  // per visit in large graphs. `tag` = epoch << 2 | state; a record whose epoch is not
  // the current trial's is fresh (reset by stamping, not by clearing).
  struct AssetState {
    double best;  // ANY: best arrival so far; ALL: latest arrival so far
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
  // Makes ready for the next attack: every record stale (a new epoch), nothing queued.
  void start();

  std::vector<AssetState> assets_;
  std::vector<std::uint32_t> via_;  // written when an arrival improves; kept apart so the hot record stays 16 bytes
  ArrivalQueue queue_;
  std::vector<std::uint32_t> compromised_;
  std::vector<double> compromised_time_;
  std::uint32_t epoch_ = 0;  // below 2^30; wraps by a full reset
  std::uint64_t steps_tried_ = 0;
};

// Runs attacks of one threat on one model.
class Attack {
 public:
  Attack(const Model& model, std::size_t threat, std::uint64_t seed);

  // One attack at random address `address`; fills scratch.compromised(). Returns the
  // direct loss (sum of the compromised assets' losses, in settling order).
  double run(std::uint64_t address, Controls controls, AttackScratch& scratch) const;

  // The same attack with every number drawn up front for every relation and asset
  // (eager sampling). Slow; exists to test that lazy sampling changes nothing.
  double run_eager(std::uint64_t address, Controls controls, AttackScratch& scratch) const;

  // Random stream id of sub-model `stream` for threat `threat` (docs/methods.md).
  static constexpr std::uint32_t stream_id(Stream stream, std::size_t threat) noexcept {
    return static_cast<std::uint32_t>(stream) + (static_cast<std::uint32_t>(threat) << 8);
  }

 private:
  // Every number of one attack, drawn up front by draw_all (run_eager); empty when
  // sampling is lazy.
  struct EagerDraws {
    std::vector<double> step_u, time;  // by CSR edge
    std::vector<double> contain_u;     // by asset
  };

  template <bool kEager>
  double run_impl(std::uint64_t address, Controls controls, AttackScratch& scratch) const;
  // Its steps: the eager draws, the entry points queued, the steps out of a settled asset
  // v (arrived at t) tried, `steps` counting them.
  EagerDraws draw_all(std::uint64_t address) const;
  void enter(std::uint64_t address, AttackScratch& s) const;
  template <bool kEager>
  void try_steps(std::uint32_t v, double t, std::uint64_t address, const double* p, double scale,
                 const EagerDraws& eager, AttackScratch& s, std::uint64_t& steps) const;

  const Model& model_;
  const CompiledThreat& threat_;
  // The time laws of the threat's step set (Model::step_times), fixed per attack.
  const std::uint32_t* ttc_;
  // Model::edge_p_written, or nullptr when every p is written (step_scale on every step).
  const std::uint8_t* p_written_;
  // The factor on edge e's p: the threat's step_scale for a p the scenario writes, 1 for
  // one from the library (as Model::step_scale_on).
  [[nodiscard]] double scale_on(std::uint32_t e, double scale) const {
    return p_written_ == nullptr || p_written_[e] != 0 ? scale : 1.0;
  }
  double horizon_;
  RandomStream entries_, steps_, times_, containment_;
};

}  // namespace cpsf
