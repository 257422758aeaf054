#include "cpsf/base/histogram.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include "cpsf/base/bytes.hpp"
#include "cpsf/base/statistics.hpp"

namespace cpsf {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kBinades = 2048;  // the exponent field's values (2047: inf and NaN, never added)

double from_bits(std::uint64_t bits) {
  double x;
  std::memcpy(&x, &bits, sizeof x);
  return x;
}

std::uint64_t to_bits(double x) {
  std::uint64_t bits;
  std::memcpy(&bits, &x, sizeof bits);
  return bits;
}

void put(std::vector<std::uint8_t>& bytes, const auto& value) { put_bytes(bytes, value); }

template <class T>
T take(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  return take_bytes<T>(bytes, at, "histogram");
}

}  // namespace

void LogHistogram::refuse(double x) {
  throw std::invalid_argument("histogram: " + std::to_string(x) + " is not a non-negative finite value");
}

void LogHistogram::add_positive(double x) {
  assert(x > 0.0 && std::isfinite(x));
  const std::uint32_t key = key_of(x);
  Bin& bin = bin_for(key);
  const std::uint64_t low = std::uint64_t{key} << (52 - kSubBits);
  bin.offset_sum += to_bits(x) - low;
  if (bin.count == 0) {
    bin.min = bin.max = x;
  } else {
    bin.min = std::min(bin.min, x);
    bin.max = std::max(bin.max, x);
  }
  ++bin.count;
}

LogHistogram::Bin& LogHistogram::bin_for(std::uint32_t key) {
  const std::uint32_t binade = key >> kSubBits;
  const std::uint32_t block = (key >> kBlockBits) & (kBinadeBlocks - 1);
  if (binade_.empty()) binade_.assign(kBinades, -1);
  if (binade_[binade] < 0) {
    binade_[binade] = static_cast<std::int32_t>(block_index_.size());
    block_index_.emplace_back();
    block_index_.back().fill(-1);
  }
  std::int32_t& index = block_index_[static_cast<std::size_t>(binade_[binade])][block];
  if (index < 0) {
    index = static_cast<std::int32_t>(blocks_.size());
    blocks_.emplace_back();
  }
  return blocks_[static_cast<std::size_t>(index)].bins[key & ((1u << kBlockBits) - 1)];
}

template <class F>
void LogHistogram::each_bin(const F& f) const {
  for (std::size_t binade = 0; binade < binade_.size(); ++binade) {
    if (binade_[binade] < 0) continue;
    const auto& blocks = block_index_[static_cast<std::size_t>(binade_[binade])];
    for (std::size_t b = 0; b < blocks.size(); ++b) {
      if (blocks[b] < 0) continue;
      const Block& block = blocks_[static_cast<std::size_t>(blocks[b])];
      for (std::size_t i = 0; i < block.bins.size(); ++i) {
        if (block.bins[i].count == 0) continue;
        const auto key = static_cast<std::uint32_t>((binade << kSubBits) | (b << kBlockBits) | i);
        f(key, block.bins[i]);
      }
    }
  }
}

void LogHistogram::merge(const LogHistogram& other) {
  other.each_bin([&](std::uint32_t key, const Bin& from) {
    Bin& to = bin_for(key);
    to.min = to.count ? std::min(to.min, from.min) : from.min;
    to.max = to.count ? std::max(to.max, from.max) : from.max;
    to.count += from.count;
    to.offset_sum += from.offset_sum;
  });
  count_ += other.count_;
  zeros_ += other.zeros_;
}

double LogHistogram::max() const {
  if (count_ == 0) return kNaN;
  double top = 0.0;
  each_bin([&](std::uint32_t, const Bin& bin) { top = bin.max; });
  return top;
}

// The exact sum of a bin's values: count × its low end + Σ offsets × the binade's unit in
// the last place (the values of a binade are its low end's bits plus an integer).
long double LogHistogram::bin_sum(std::uint32_t key, const Bin& bin) {
  const std::uint64_t low_bits = std::uint64_t{key} << (52 - kSubBits);
  const auto exponent = static_cast<int>(key >> kSubBits);
  const long double ulp = std::ldexp(1.0L, (exponent == 0 ? 1 : exponent) - 1075);
  return static_cast<long double>(bin.count) * from_bits(low_bits) + static_cast<long double>(bin.offset_sum) * ulp;
}

double LogHistogram::interpolate(const Bin& bin, std::uint64_t rank) {
  if (bin.count <= 1 || bin.min == bin.max) return bin.min;
  const double at = static_cast<double>(rank - 1) / static_cast<double>(bin.count - 1);
  return std::clamp(bin.min + (bin.max - bin.min) * at, bin.min, bin.max);
}

LogHistogram::Located LogHistogram::locate_positive(std::uint64_t k) const {
  Located found{0, nullptr, 0};
  std::uint64_t below = 0;
  each_bin([&](std::uint32_t key, const Bin& bin) {
    if (found.bin == nullptr && below + bin.count >= k) found = {key, &bin, k - below};
    below += bin.count;
  });
  return found;
}

double LogHistogram::quantile(double p) const {
  if (count_ == 0) return kNaN;
  const double t = std::ceil(rank_position(count_, p));
  return quantile_at_rank(std::clamp<std::uint64_t>(t < 1.0 ? 1 : static_cast<std::uint64_t>(t), 1, count_));
}

// ES = (Σ_{i > k} x_(i) + (k − t) x_(k)) / (n − t), t = n level, k = ceil(t): the bins
// above the one holding rank k exactly; inside that bin, its ranks above k by the same
// interpolation as quantile().
double LogHistogram::expected_shortfall(double level) const {
  if (count_ == 0) return kNaN;
  const double t = rank_position(count_, level);
  const auto k = static_cast<std::uint64_t>(std::ceil(t));
  if (k >= count_) return max();
  long double tail = 0.0L;
  std::uint64_t below = zeros_;
  each_bin([&](std::uint32_t key, const Bin& bin) {
    const std::uint64_t first = below + 1;  // this bin's ranks: first .. below + count
    below += bin.count;
    if (first > k) {
      tail += bin_sum(key, bin);
    } else if (below > k) {  // ranks r + 1 .. c of this bin lie above k
      const std::uint64_t r = k - first + 1, c = bin.count;
      long double part = static_cast<long double>(c - r) * bin.min;
      if (c > 1 && bin.max > bin.min) {
        const long double steps = (static_cast<long double>(c - 1) * c - static_cast<long double>(r - 1) * r) / 2.0L;
        part += (static_cast<long double>(bin.max) - bin.min) / static_cast<long double>(c - 1) * steps;
      }
      tail += part;
    }
  });
  if (k > 0) tail += (static_cast<long double>(k) - t) * quantile_at_rank(k);
  return static_cast<double>(tail / (static_cast<long double>(count_) - t));
}

double LogHistogram::quantile_at_rank(std::uint64_t k) const {
  if (k <= zeros_) return 0.0;
  const Located at = locate_positive(k - zeros_);
  return interpolate(*at.bin, at.rank);
}

double LogHistogram::count_at_or_above(double t) const {
  if (!(t > 0.0)) return static_cast<double>(count_);
  double above = 0.0;
  each_bin([&](std::uint32_t, const Bin& bin) {
    if (bin.min >= t) {
      above += static_cast<double>(bin.count);
    } else if (bin.max >= t) {  // t inside the bin: the interpolated ranks at or above it
      const double c = static_cast<double>(bin.count);
      const double first = 1.0 + std::ceil((t - bin.min) / (bin.max - bin.min) * (c - 1.0));
      above += std::max(0.0, c - first + 1.0);
    }
  });
  return above;
}

std::vector<double> LogHistogram::distinct_values(std::size_t limit) const {
  std::vector<double> values;
  if (zeros_ > 0) values.push_back(0.0);
  bool single = true;
  each_bin([&](std::uint32_t, const Bin& bin) {
    single = single && bin.min == bin.max;
    values.push_back(bin.min);
  });
  if (!single || values.size() > limit) values.clear();
  return values;
}

double LogHistogram::positive_bin_min_at_rank(std::uint64_t k) const {
  const Located at = locate_positive(k);
  return at.bin ? at.bin->min : kNaN;
}

void LogHistogram::write(std::vector<std::uint8_t>& bytes) const {
  std::uint64_t bins = 0;
  each_bin([&](std::uint32_t, const Bin&) { ++bins; });
  put(bytes, count_);
  put(bytes, zeros_);
  put(bytes, bins);
  each_bin([&](std::uint32_t key, const Bin& bin) {
    put(bytes, key);
    put(bytes, bin.count);
    put(bytes, static_cast<std::uint64_t>(bin.offset_sum));
    put(bytes, static_cast<std::uint64_t>(bin.offset_sum >> 64));
    put(bytes, bin.min);
    put(bytes, bin.max);
  });
}

void LogHistogram::read(const std::vector<std::uint8_t>& bytes, std::size_t& at) {
  *this = LogHistogram();
  count_ = take<std::uint64_t>(bytes, at);
  zeros_ = take<std::uint64_t>(bytes, at);
  const auto bins = take<std::uint64_t>(bytes, at);
  std::uint64_t counted = zeros_;
  for (std::uint64_t i = 0; i < bins; ++i) {
    const auto key = take<std::uint32_t>(bytes, at);
    if ((key >> kSubBits) >= kBinades - 1) throw std::runtime_error("histogram: a bin beyond the finite doubles");
    Bin& bin = bin_for(key);
    bin.count = take<std::uint64_t>(bytes, at);
    const auto low = take<std::uint64_t>(bytes, at), high = take<std::uint64_t>(bytes, at);
    bin.offset_sum = (static_cast<UnsignedFixedSum>(high) << 64) | low;
    bin.min = take<double>(bytes, at);
    bin.max = take<double>(bytes, at);
    counted += bin.count;
  }
  if (counted != count_) throw std::runtime_error("histogram: the bins do not add up to the count");
}

bool operator==(const LogHistogram& a, const LogHistogram& b) {
  std::vector<std::uint8_t> x, y;
  a.write(x);
  b.write(y);
  return x == y;
}

}  // namespace cpsf
