// A log-binned histogram of non-negative values: VaR, expected shortfall, exceedance
// and quantiles of arrival times in memory that does not grow with the trial count
// (docs/methods.md §6.2).
//
// Each binade [2^e, 2^(e+1)) is split into 2^kSubBits bins of equal width, so a bin is at
// most 2^-kSubBits (0.098%) of its values wide. A bin keeps its count, the exact sum of
// its values (an integer count of the binade's unit in the last place), and the
// smallest and largest value in it. Everything is integer or min/max, so adding and
// merging give the same histogram in any order: thread, rank and round counts never
// change it.
//
// Error bounds: a statistic that falls in a bin holding one distinct value is exact (the
// reference cases, where losses are sums of fixed asset losses, are exact this way).
// Otherwise a quantile is interpolated by rank between the bin's smallest and largest
// value, and is off by less than their difference (< 2^-kSubBits of the value); the
// expected shortfall by less than that on the part of the tail inside the bin; P(L ≥ t)
// is exact when t is a value the histogram holds at a bin's low end (the thresholds it
// chooses itself) and interpolated in the one bin t falls in otherwise.
//
// Values are zero (counted apart) or positive and finite: the callers (losses, arrival
// times) guarantee it, and add() refuses anything else. Zero allocation per value
// once a bin's block of 64 exists; memory is about 3 KB per touched block.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <vector>

namespace cpsf {

__extension__ typedef unsigned __int128 UnsignedFixedSum;  // GCC and Clang; exact 128-bit sums

class LogHistogram {
 public:
  static constexpr int kSubBits = 10;   // bins per binade: 2^10
  static constexpr int kBlockBits = 6;  // bins per block: 64
  static constexpr int kBinadeBlocks = 1 << (kSubBits - kBlockBits);

  struct Bin {
    UnsignedFixedSum offset_sum = 0;  // Σ (bits(x) − bits(bin's low end)): the exact sum with count × low
    std::uint64_t count = 0;
    double min = 0.0, max = 0.0;
  };

  // Throws std::invalid_argument on a negative, infinite or NaN value (a bug in the caller:
  // it would name a bin past the finite doubles).
  void add(double x) {
    if (x == 0.0) {
      ++zeros_;
    } else if (x > 0.0 && x <= kLargest) {
      add_positive(x);
    } else {
      refuse(x);
    }
    ++count_;
  }
  void merge(const LogHistogram& other);

  [[nodiscard]] std::uint64_t count() const { return count_; }
  [[nodiscard]] std::uint64_t zeros() const { return zeros_; }
  [[nodiscard]] double max() const;  // NaN when empty

  // Type-1 quantile (statistics.hpp: quantile), the rank within its bin interpolated
  // between the bin's min and max. p in [0, 1]; NaN when empty.
  [[nodiscard]] double quantile(double p) const;
  // The rank-k (1-based, ≤ count) value, interpolated as quantile() does.
  [[nodiscard]] double quantile_at_rank(std::uint64_t k) const;
  // As statistics.hpp's expected_shortfall; NaN when empty.
  [[nodiscard]] double expected_shortfall(double level) const;
  // How many values are ≥ t (interpolated inside the bin t falls in, if any).
  [[nodiscard]] double count_at_or_above(double t) const;
  // Every distinct value, ascending, when there are at most `limit` and each bin holds
  // one; else empty.
  [[nodiscard]] std::vector<double> distinct_values(std::size_t limit) const;
  // The value at the low end (min) of the bin holding the rank-k (1-based) positive value.
  [[nodiscard]] double positive_bin_min_at_rank(std::uint64_t k) const;

  // Serialisation (checkpoints, Python pickles): appends to / reads from `bytes`.
  void write(std::vector<std::uint8_t>& bytes) const;
  // Reads what write() wrote at `at`, advancing it; throws std::runtime_error on a short
  // or inconsistent buffer.
  void read(const std::vector<std::uint8_t>& bytes, std::size_t& at);

  friend bool operator==(const LogHistogram& a, const LogHistogram& b);

 private:
  struct Block {
    std::array<Bin, 1 << kBlockBits> bins{};
  };
  // Bin key of a positive double: its bits' top 1 + 11 + kSubBits (the sign is 0).
  static std::uint32_t key_of(double x) {
    std::uint64_t bits;
    std::memcpy(&bits, &x, sizeof bits);
    return static_cast<std::uint32_t>(bits >> (52 - kSubBits));
  }
  static constexpr double kLargest = 1.7976931348623157e308;  // DBL_MAX
  [[noreturn]] static void refuse(double x);
  void add_positive(double x);
  Bin& bin_for(std::uint32_t key);
  template <class F>
  void each_bin(const F& f) const;  // f(key, bin) over non-empty bins, ascending
  struct Located {
    std::uint32_t key;
    const Bin* bin;
    std::uint64_t rank;  // 1-based, within the bin
  };
  [[nodiscard]] Located locate_positive(std::uint64_t k) const;  // the rank-k positive value's bin
  [[nodiscard]] static double interpolate(const Bin& bin, std::uint64_t rank);
  [[nodiscard]] static long double bin_sum(std::uint32_t key, const Bin& bin);

  std::uint64_t count_ = 0, zeros_ = 0;
  // binade (exponent field) → index into blocks_ of its first block slot, or -1; made on
  // first use, so an empty histogram costs nothing.
  std::vector<std::int32_t> binade_;
  std::vector<std::array<std::int32_t, kBinadeBlocks>> block_index_;  // per touched binade: block or -1
  std::vector<Block> blocks_;
};

}  // namespace cpsf
