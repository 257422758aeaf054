// The log-binned histogram: exact where each value is alone in its bin, within its stated
// bound elsewhere, the same whatever the order of adds and merges, and serialised whole.
#include "cpsf/base/histogram.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <vector>

#include "cpsf/base/statistics.hpp"

namespace cpsf {
namespace {

constexpr double kBinWidth = 1.0 / (1 << LogHistogram::kSubBits);  // relative, the bound

LogHistogram of(const std::vector<double>& x) {
  LogHistogram h;
  for (const double v : x) h.add(v);
  return h;
}

std::vector<double> continuous(std::size_t n, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> d(10.0, 2.0);
  std::bernoulli_distribution zero(0.3);
  std::vector<double> x(n);
  for (auto& v : x) v = zero(rng) ? 0.0 : d(rng);
  return x;
}

TEST(LogHistogram, ExactWhenEveryValueIsAloneInItsBin) {
  // Sums of a few fixed losses, as in the reference cases: every statistic is the exact one.
  const std::vector<double> x = {0, 0, 0, 1000, 1000, 2500, 2500, 2500, 3500, 0, 1e6, 1e6 + 1000, 0.25};
  const LogHistogram h = of(x);
  const auto sorted = sorted_copy(x);
  for (const double p : {0.0, 0.1, 0.5, 0.7, 0.9, 0.95, 0.99, 1.0}) {
    EXPECT_EQ(h.quantile(p), quantile(sorted, p)) << p;
  }
  for (const double level : {0.0, 0.5, 0.9, 0.95, 0.99}) {
    EXPECT_DOUBLE_EQ(h.expected_shortfall(level), expected_shortfall(sorted, level)) << level;
  }
  for (const double t : {0.0, 0.25, 1000.0, 2500.0, 3500.0, 1e6, 1e6 + 1000}) {
    EXPECT_EQ(h.count_at_or_above(t) / static_cast<double>(x.size()), exceedance_probability(sorted, t)) << t;
  }
  EXPECT_EQ(h.max(), 1e6 + 1000);
  EXPECT_EQ(h.distinct_values(64), (std::vector<double>{0, 0.25, 1000, 2500, 3500, 1e6, 1e6 + 1000}));
  EXPECT_TRUE(h.distinct_values(6).empty());
}

TEST(LogHistogram, QuantilesAndShortfallWithinTheBinBoundOfTheExactOnes) {
  const auto x = continuous(200000, 3);
  const LogHistogram h = of(x);
  const auto sorted = sorted_copy(x);
  for (const double p : {0.31, 0.5, 0.9, 0.95, 0.99, 0.999}) {
    const double exact = quantile(sorted, p);
    EXPECT_LE(std::fabs(h.quantile(p) - exact), kBinWidth * exact) << p;
  }
  for (const double level : {0.5, 0.95, 0.99, 0.999}) {
    const double exact = expected_shortfall(sorted, level);
    EXPECT_LE(std::fabs(h.expected_shortfall(level) - exact), kBinWidth * exact) << level;
  }
  // At a value the histogram holds at a bin's low end, P(L ≥ t) is exact.
  const double t = h.positive_bin_min_at_rank(12345);
  EXPECT_EQ(h.count_at_or_above(t) / static_cast<double>(x.size()), exceedance_probability(sorted, t));
}

TEST(LogHistogram, AnyOrderOfAddsAndMergesGivesTheSameHistogram) {
  auto x = continuous(50000, 9);
  const LogHistogram whole = of(x);
  std::mt19937_64 rng(1);
  std::shuffle(x.begin(), x.end(), rng);
  LogHistogram merged;
  for (std::size_t begin = 0; begin < x.size(); begin += 7777) {
    LogHistogram part;
    for (std::size_t i = begin; i < std::min(x.size(), begin + 7777); ++i) part.add(x[i]);
    merged.merge(part);
  }
  EXPECT_TRUE(merged == whole);
  EXPECT_EQ(merged.expected_shortfall(0.99), whole.expected_shortfall(0.99));
}

TEST(LogHistogram, SumsAreExactAcrossBinades) {
  // ES at level 0 is the mean, from the bins' exact integer sums: equal to the exactly
  // rounded mean of values whose sum a double holds exactly.
  const std::vector<double> x = {1.0, 3.0, 1024.5, 7.0e9, 0.0, 1.0 / 1024, 5.0e-320};
  const LogHistogram h = of(x);
  const long double sum = 1.0L + 3.0L + 1024.5L + 7.0e9L + 1.0L / 1024 + 5.0e-320L;
  EXPECT_EQ(h.expected_shortfall(0.0), static_cast<double>(sum / 7.0L));
}

TEST(LogHistogram, RefusesNegativeInfiniteAndNaN) {
  LogHistogram h;
  for (const double bad :
       {-1.0, -1e-300, std::numeric_limits<double>::infinity(), std::numeric_limits<double>::quiet_NaN()}) {
    EXPECT_THROW(h.add(bad), std::invalid_argument) << bad;
  }
  h.add(-0.0);  // zero
  h.add(std::numeric_limits<double>::max());
  EXPECT_EQ(h.count(), 2u);
  EXPECT_EQ(h.zeros(), 1u);
  EXPECT_EQ(h.max(), std::numeric_limits<double>::max());
}

TEST(LogHistogram, EmptyGivesNaNAndSerialisesRoundTrip) {
  const LogHistogram empty;
  EXPECT_TRUE(std::isnan(empty.quantile(0.5)));
  EXPECT_TRUE(std::isnan(empty.expected_shortfall(0.99)));
  EXPECT_TRUE(std::isnan(empty.max()));
  const LogHistogram h = of(continuous(3000, 4));
  std::vector<std::uint8_t> bytes;
  h.write(bytes);
  std::size_t at = 0;
  LogHistogram back;
  back.read(bytes, at);
  EXPECT_EQ(at, bytes.size());
  EXPECT_TRUE(back == h);
  bytes.resize(bytes.size() - 1);
  at = 0;
  EXPECT_THROW(back.read(bytes, at), std::runtime_error);
}

TEST(LogHistogram, MemoryDoesNotGrowWithTheCount) {
  // 10^6 values of one distribution touch no more blocks than 10^5 of it, give or take
  // the far tails: the size depends on the range, not the count.
  LogHistogram small, large;
  const auto x = continuous(1000000, 5);
  for (std::size_t i = 0; i < 100000; ++i) small.add(x[i]);
  for (const double v : x) large.add(v);
  std::vector<std::uint8_t> a, b;
  small.write(a);
  large.write(b);
  EXPECT_LT(static_cast<double>(b.size()), 1.5 * static_cast<double>(a.size()));
}

}  // namespace
}  // namespace cpsf
