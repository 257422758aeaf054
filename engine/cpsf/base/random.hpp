// Addressed random numbers: Philox4x32-10 and the streams the engine draws from.
//
// A random number is a pure function of (key, counter) (Salmon, Moraes, Dror, Shaw,
// "Parallel random numbers: as easy as 1, 2, 3", SC'11; the Random123 library).
// Nothing is carried from one draw to the next, so any thread or MPI rank that
// computes trial k sees exactly the numbers trial k would see anywhere else.
//
// Address of one Philox block (128 bits of output):
//   key     = {lo32(seed), hi32(seed) ^ (stream * 0x9E3779B9)}      (RandomStream)
//   counter = {lo32(trial), hi32(trial), item, draw}
// `item` is whatever the sub-model draws for (asset, relation, threat, enterprise);
// `draw` numbers the blocks used for that (stream, trial, item).
//
// The numeric values below (multipliers, key derivation, Stream ids, counter layout,
// word-to-double mapping) are part of the reproducibility contract: changing any of
// them changes every published result. random_test pins them with golden values.
#pragma once

#include <array>
#include <cstdint>

namespace cpsf {

// Philox4x32 with 10 rounds, the variant Random123 recommends and tests with its
// known-answer vectors (Random123 tests/kat_vectors, "philox4x32 10").
struct Philox4x32 {
  using Counter = std::array<std::uint32_t, 4>;
  using Key = std::array<std::uint32_t, 2>;

  static constexpr std::uint32_t kMultiplier0 = 0xD2511F53u;
  static constexpr std::uint32_t kMultiplier1 = 0xCD9E8D57u;
  static constexpr std::uint32_t kWeyl0 = 0x9E3779B9u;  // golden ratio
  static constexpr std::uint32_t kWeyl1 = 0xBB67AE85u;  // sqrt(3) - 1
  static constexpr int kRounds = 10;

  static constexpr Counter block(Counter ctr, Key key) noexcept {
#pragma GCC unroll 10
    for (int round = 0; round < kRounds; ++round) {
      // One 32x32->64 multiply gives both halves; no branches, no tables.
      const std::uint64_t p0 = std::uint64_t{kMultiplier0} * ctr[0];
      const std::uint64_t p1 = std::uint64_t{kMultiplier1} * ctr[2];
      ctr = {static_cast<std::uint32_t>(p1 >> 32) ^ ctr[1] ^ key[0], static_cast<std::uint32_t>(p1),
             static_cast<std::uint32_t>(p0 >> 32) ^ ctr[3] ^ key[1], static_cast<std::uint32_t>(p0)};
      key[0] += kWeyl0;  // the bump after the last round is unused
      key[1] += kWeyl1;
    }
    return ctr;
  }
};

// Two 32-bit words -> a double in the open interval (0, 1).
//
//   u = (floor(w / 2^12) + 1/2) * 2^-52,   w = hi * 2^32 + lo
//
// i.e. the top 52 bits of w pick one of 2^52 equal cells and u is the cell's midpoint.
// Every such value is exactly representable, so u lies in [2^-53, 1 - 2^-53]: never 0
// (log(u) is finite) and never 1 (log1p(-u) is finite), and the grid is symmetric
// (u(~w) == 1 - u(w)), so the mean is exactly 1/2. This is Random123's
// u01fixedpt_open_open_64_double. 53 bits cannot do this: (x + 1/2) * 2^-53 for
// x = 2^53 - 1 needs 54 significant bits and rounds to exactly 1.0.
constexpr double uniform_from_words(std::uint32_t hi, std::uint32_t lo) noexcept {
  const std::uint64_t cell = ((std::uint64_t{hi} << 32) | lo) >> 12;
  return (static_cast<double>(cell) + 0.5) * 0x1.0p-52;
}

// One key per sub-model, so a sub-model that draws one number more never shifts the
// numbers of another (docs/style.md practice 2). Append only; never renumber: the values are
// part of every result. 5 is retired (it was reserved for the cascade, which draws no
// numbers) and must not be reused.
enum class Stream : std::uint32_t {
  entries = 0,       // does an entry point succeed
  steps = 1,         // does an attack step (relation) succeed
  times = 2,         // time to compromise of a step
  containment = 3,   // is a compromised asset contained
  outage = 4,        // outage days of an availability loss
  threat_count = 6,  // Poisson count of attacks per year
};

// The generator for one (seed, stream): a key, and the addressing on top of it.
//
// Key derivation {lo32(seed), hi32(seed) ^ stream * 0x9E3779B9}: multiplying by an odd
// constant is a bijection on 32-bit integers, so at one seed distinct streams always
// get distinct keys. Over (seed, stream) pairs the map is injective for every seed
// below 2^32; with larger seeds two pairs collide only if the seeds' high words differ
// by exactly stream_a * 0x9E3779B9 ^ stream_b * 0x9E3779B9 (e.g. 0x9E3779B9 for streams
// 0 and 1), which no natural choice of seeds (counting up, seed + k * 2^32) produces.
// The multiplier spreads small stream ids over the whole word for that reason.
class RandomStream {
 public:
  constexpr RandomStream(std::uint64_t seed, std::uint32_t stream) noexcept
      : key_{static_cast<std::uint32_t>(seed), static_cast<std::uint32_t>(seed >> 32) ^ (stream * Philox4x32::kWeyl0)} {
  }
  constexpr RandomStream(std::uint64_t seed, Stream stream) noexcept
      : RandomStream(seed, static_cast<std::uint32_t>(stream)) {}

  constexpr Philox4x32::Key key() const noexcept { return key_; }

  // The four raw words of block (trial, item, draw).
  constexpr Philox4x32::Counter words(std::uint64_t trial, std::uint32_t item, std::uint32_t draw) const noexcept {
    return Philox4x32::block({static_cast<std::uint32_t>(trial), static_cast<std::uint32_t>(trial >> 32), item, draw},
                             key_);
  }

  // Both doubles of block (trial, item, draw): words {0,1} and words {2,3}.
  constexpr std::array<double, 2> uniform_pair(std::uint64_t trial, std::uint32_t item,
                                               std::uint32_t draw) const noexcept {
    const auto w = words(trial, item, draw);
    return {uniform_from_words(w[0], w[1]), uniform_from_words(w[2], w[3])};
  }

  // The first double of block (trial, item, draw): uniform_pair(...)[0]. The other half
  // of the block is discarded, so do not also take uniform_pair at the same draw and
  // treat its [0] as a fresh number.
  constexpr double uniform(std::uint64_t trial, std::uint32_t item, std::uint32_t draw) const noexcept {
    const auto w = words(trial, item, draw);
    return uniform_from_words(w[0], w[1]);
  }

 private:
  Philox4x32::Key key_;
};

// Hands out the uniforms of one (stream, trial, item) address in order, two per block:
// uniform k is uniform_pair(trial, item, first_draw + k / 2)[k % 2]. Samplers that need
// a number of uniforms fixed in advance, or a random number of them (rejection), take
// one of these; retries read the next draw indices of the same address and never touch
// another item or stream. Holds its key by value: no aliasing, cheap to construct.
class UniformCursor {
 public:
  constexpr UniformCursor(const RandomStream& stream, std::uint64_t trial, std::uint32_t item,
                          std::uint32_t first_draw = 0) noexcept
      : stream_(stream), trial_(trial), item_(item), first_draw_(first_draw) {}

  constexpr double operator()() noexcept {
    if ((used_ & 1u) == 0) {
      pair_ = stream_.uniform_pair(trial_, item_, first_draw_ + used_ / 2);
    }
    return pair_[used_++ & 1u];
  }

  // Uniforms handed out so far.
  constexpr std::uint32_t used() const noexcept { return used_; }
  // First draw index this cursor has not touched: where a follow-up draw can start.
  constexpr std::uint32_t next_draw() const noexcept { return first_draw_ + (used_ + 1) / 2; }

 private:
  RandomStream stream_;
  std::uint64_t trial_;
  std::uint32_t item_;
  std::uint32_t first_draw_;
  std::uint32_t used_ = 0;
  std::array<double, 2> pair_{};
};

// A uniform already drawn, then the uniforms of a UniformCursor: a step's time takes its
// first uniform from the step's own block (words 2 and 3) and only a rejection sampler
// reads on, from the times stream at (trial, relation, draw 0, 1, ...).
class UniformCursorAfter {
 public:
  constexpr UniformCursorAfter(double first, const RandomStream& rest, std::uint64_t trial, std::uint32_t item) noexcept
      : first_(first), rest_(rest, trial, item) {}

  constexpr double operator()() noexcept {
    if (first_used_) return rest_();
    first_used_ = true;
    return first_;
  }

 private:
  double first_;
  bool first_used_ = false;
  UniformCursor rest_;
};

}  // namespace cpsf
