// Tests for cpsf/statistics.hpp against published values, closed forms and hand
// computations; each names its source.
#include "cpsf/base/statistics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <vector>

namespace cpsf {
namespace {

// ---- Wilson -------------------------------------------------------------------------

TEST(WilsonInterval, NewcombeTableValues) {
  // Newcombe, "Two-sided confidence intervals for the single proportion: comparison of
  // seven methods", Statistics in Medicine 17:857-872 (1998), Table I, method 3
  // (score interval without continuity correction), printed to 4 decimals.
  struct Case {
    std::uint64_t s, n;
    double low, high;
  };
  const Case cases[] = {
      {81, 263, 0.2553, 0.3662},
      {15, 148, 0.0624, 0.1605},
      {0, 20, 0.0000, 0.1611},
      {1, 29, 0.0061, 0.1718},
  };
  for (const Case& c : cases) {
    const Interval ci = wilson_interval(c.s, c.n);
    EXPECT_NEAR(ci.low, c.low, 5e-5) << c.s << "/" << c.n;
    EXPECT_NEAR(ci.high, c.high, 5e-5) << c.s << "/" << c.n;
  }
}

TEST(WilsonInterval, ClosedFormsAtTheEdges) {
  // At s = 0 the interval is [0, z^2/(n + z^2)]; at s = n, [n/(n + z^2), 1].
  const double z2 = kZ95 * kZ95;
  for (std::uint64_t n : {1ull, 7ull, 100ull, 1000000ull, 10000000000ull}) {
    const Interval none = wilson_interval(0, n);
    EXPECT_EQ(none.low, 0.0);
    EXPECT_DOUBLE_EQ(none.high, z2 / (n + z2));
    const Interval all = wilson_interval(n, n);
    EXPECT_EQ(all.high, 1.0);
    EXPECT_DOUBLE_EQ(all.low, n / (n + z2));
  }
  const Interval empty = wilson_interval(0, 0);
  EXPECT_EQ(empty.low, 0.0);
  EXPECT_EQ(empty.high, 1.0);
}

TEST(WilsonInterval, SymmetricAndContainsTheEstimate) {
  // Swapping successes and failures mirrors the interval: low(s) = 1 - high(n - s).
  for (std::uint64_t n : {5ull, 263ull, 100000ull}) {
    for (std::uint64_t s = 0; s <= n; s += std::max<std::uint64_t>(1, n / 50)) {
      const Interval ci = wilson_interval(s, n);
      const Interval mirror = wilson_interval(n - s, n);
      EXPECT_NEAR(ci.low, 1.0 - mirror.high, 1e-14);
      EXPECT_NEAR(ci.high, 1.0 - mirror.low, 1e-14);
      const double p = static_cast<double>(s) / static_cast<double>(n);
      EXPECT_LE(ci.low, p);
      EXPECT_GE(ci.high, p);
      EXPECT_GE(ci.low, 0.0);
      EXPECT_LE(ci.high, 1.0);
    }
  }
}

TEST(WilsonInterval, BoundsSolveTheScoreEquation) {
  // Both bounds satisfy |p_hat - p| = z sqrt(p (1 - p) / n) (Wilson 1927), including
  // a tiny proportion where centre - half would cancel.
  for (auto [s, n] : {std::pair<std::uint64_t, std::uint64_t>{1, 1000000000}, {3, 10}, {81, 263}, {999, 1000}}) {
    const Interval ci = wilson_interval(s, n);
    const double p_hat = static_cast<double>(s) / static_cast<double>(n);
    for (double p : {ci.low, ci.high}) {
      const double lhs = std::fabs(p_hat - p);
      const double rhs = kZ95 * std::sqrt(p * (1.0 - p) / static_cast<double>(n));
      // A bound is a double: it can be no closer than an ulp of p, which moves the
      // residual by ulp(p) times the slope of lhs - rhs (large near 0 and 1).
      const double ulp = std::nextafter(p, 2.0) - p;
      const double slope =
          1.0 + kZ95 * std::fabs(1.0 - 2.0 * p) / (2.0 * std::sqrt(static_cast<double>(n) * p * (1.0 - p)));
      EXPECT_NEAR(lhs, rhs, 1e-13 * lhs + 4.0 * ulp * slope) << s << "/" << n;
    }
  }
}

TEST(WilsonInterval, RejectsImpossibleCounts) {
  EXPECT_THROW(wilson_interval(3, 2), std::invalid_argument);
  EXPECT_THROW(wilson_interval(1, 2, -1.0), std::invalid_argument);
}

// ---- Mean, variance, standard error ---------------------------------------------------

TEST(Moments, HandComputedExample) {
  // {2, 4, 4, 4, 5, 5, 7, 9}: mean 5, sum of squared deviations 32.
  const std::vector<double> x{2, 4, 4, 4, 5, 5, 7, 9};
  EXPECT_EQ(mean(x), 5.0);
  EXPECT_DOUBLE_EQ(variance(x), 32.0 / 7.0);
  EXPECT_DOUBLE_EQ(standard_error(x), std::sqrt(32.0 / 7.0 / 8.0));
  EXPECT_DOUBLE_EQ(relative_standard_error(x), std::sqrt(32.0 / 7.0 / 8.0) / 5.0);
}

TEST(Moments, LargeOffsetDoesNotCancel) {
  // 1e9 + {4, 7, 13, 16}: variance 30 (the classic case where sum x^2 - n mean^2
  // loses every digit).
  const std::vector<double> x{1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16};
  EXPECT_EQ(mean(x), 1e9 + 10);
  EXPECT_EQ(variance(x), 30.0);
}

TEST(Moments, SmallSamples) {
  const std::vector<double> one{3.0};
  EXPECT_EQ(mean(one), 3.0);
  EXPECT_TRUE(std::isnan(variance(one)));
  EXPECT_EQ(standard_error(one), std::numeric_limits<double>::infinity());
  const std::vector<double> zeros{0.0, 0.0, 0.0};
  EXPECT_EQ(relative_standard_error(zeros), std::numeric_limits<double>::infinity());
  EXPECT_THROW(mean(std::span<const double>{}), std::invalid_argument);
  EXPECT_THROW(standard_error(std::span<const double>{}), std::invalid_argument);
}

// ---- Quantile, VaR, ES ----------------------------------------------------------------

TEST(Quantile, Type1OnASmallArray) {
  // Expected values from numpy.quantile(x, p, method='inverted_cdf') (Hyndman-Fan
  // type 1), numpy 1.24.
  const std::vector<double> x{1, 2, 3, 4, 5};
  const std::pair<double, double> cases[] = {{0.0, 1}, {0.1, 1},  {0.2, 1},  {0.21, 2}, {0.5, 3},
                                             {0.8, 4}, {0.81, 5}, {0.99, 5}, {1.0, 5}};
  for (auto [p, expected] : cases) EXPECT_EQ(quantile(x, p), expected) << p;
  const std::vector<double> y{0.5, 2, 2, 3.7, 10, 11.5, 40};
  EXPECT_EQ(quantile(y, 0.1), 0.5);
  EXPECT_EQ(quantile(y, 0.3), 2.0);
  EXPECT_EQ(quantile(y, 0.5), 3.7);
  EXPECT_EQ(quantile(y, 0.9), 40.0);
}

TEST(Quantile, DecimalLevelsCountWholeObservations) {
  // n = 100, p = 0.07: F_n reaches 0.07 at the 7th value. numpy's inverted_cdf
  // returns the 8th, from the binary product 100 * 0.07 = 7.000000000000001.
  std::vector<double> x(100);
  for (int i = 0; i < 100; ++i) x[i] = i + 1.0;
  EXPECT_EQ(quantile(x, 0.07), 7.0);
  EXPECT_EQ(quantile(x, 0.95), 95.0);
  EXPECT_EQ(quantile(x, 0.955), 96.0);
}

TEST(Quantile, RejectsBadArguments) {
  const std::vector<double> x{1, 2};
  EXPECT_THROW(quantile(x, -0.1), std::invalid_argument);
  EXPECT_THROW(quantile(x, 1.1), std::invalid_argument);
  EXPECT_THROW(quantile(x, std::nan("")), std::invalid_argument);
  EXPECT_THROW(quantile(std::span<const double>{}, 0.5), std::invalid_argument);
  EXPECT_THROW(value_at_risk(x, 1.0), std::invalid_argument);
  EXPECT_THROW(expected_shortfall(x, 1.0), std::invalid_argument);
}

TEST(ExpectedShortfall, HandComputedWithAFractionalAtom) {
  // {1..10} at level 0.75: t = 7.5, VaR = x_(8) = 8. The tail [0.75, 1] of the
  // quantile function is 8 on (0.75, 0.8], 9 on (0.8, 0.9], 10 on (0.9, 1]:
  // ES = (0.05 * 8 + 0.1 * 9 + 0.1 * 10) / 0.25 = 9.2 (Acerbi & Tasche 2002, eq. 3.3
  // applied to the empirical distribution).
  std::vector<double> x(10);
  for (int i = 0; i < 10; ++i) x[i] = i + 1.0;
  EXPECT_EQ(value_at_risk(x, 0.75), 8.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.75), 9.2);
  // Whole observations in the tail: level 0.9 leaves exactly x_(10).
  EXPECT_EQ(value_at_risk(x, 0.9), 9.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.9), 10.0);
  // Level 0 is the mean; a tail thinner than one observation is the maximum.
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.0), 5.5);
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.95), 10.0);
}

TEST(ExpectedShortfall, UniformGridMatchesTheClosedForm) {
  // Losses at the midpoints (i - 1/2)/n of U(0, 1), whose ES is (1 + level)/2. The
  // grid's quantile function is within 1/(2n) of u everywhere, so ES is too, and
  // when n (1 - level) is whole it is exact: the mean of the top m midpoints is
  // 1 - m/(2n) = (1 + level)/2.
  const std::size_t n = 1000000;
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) x[i] = (static_cast<double>(i) + 0.5) / static_cast<double>(n);
  for (double level : {0.0, 0.5, 0.9, 0.95, 0.99, 0.999}) {
    EXPECT_NEAR(expected_shortfall(x, level), (1.0 + level) / 2.0, 1e-12) << level;
    EXPECT_NEAR(value_at_risk(x, level), level, 0.5 / n + 1e-15) << level;
  }
  for (double level : {0.12345678, 0.9505, 0.99999951}) {
    EXPECT_NEAR(expected_shortfall(x, level), (1.0 + level) / 2.0, 0.5 / n) << level;
  }
  // n = 1000, level 0.9505: t = 950.5, k = 951. By hand, in units of 1/n:
  // sum_{i=952}^{1000} (i - 1/2) = 47824 - 24.5 = 47799.5, plus 0.5 * 950.5 = 475.25,
  // over n - t = 49.5: 48274.75 / 49.5 / 1000.
  std::vector<double> small(1000);
  for (std::size_t i = 0; i < small.size(); ++i) small[i] = (static_cast<double>(i) + 0.5) / 1000.0;
  EXPECT_NEAR(expected_shortfall(small, 0.9505), 48274.75 / 49.5 / 1000.0, 1e-14);
}

TEST(ExpectedShortfall, AtLeastVaRAndIncreasingInLevel) {
  std::vector<double> x;
  std::uint64_t state = 12345;
  for (int i = 0; i < 5000; ++i) {  // an arbitrary skewed sample (LCG, Knuth's MMIX)
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = (static_cast<double>(state >> 11) + 0.5) * 0x1.0p-53;
    x.push_back(std::pow(u, 4.0) * 1e6);
  }
  x = sorted_copy(x);
  double previous = expected_shortfall(x, 0.0);
  for (double level = 0.0; level < 1.0; level += 0.0173) {
    const double es = expected_shortfall(x, level);
    EXPECT_GE(es, value_at_risk(x, level));
    EXPECT_GE(es, previous * (1.0 - 1e-15));
    previous = es;
  }
}

// ---- Exceedance -----------------------------------------------------------------------

TEST(Exceedance, HandComputed) {
  // {0, 0, 1, 2, 2, 2, 5}: counts at or above each threshold, by hand.
  const std::vector<double> x{0, 0, 1, 2, 2, 2, 5};
  const std::vector<double> thresholds{-1, 0, 0.5, 1, 2, 2.5, 5, 6};
  const std::vector<double> counts{7, 7, 5, 5, 4, 1, 1, 0};
  const auto curve = exceedance_curve(x, thresholds);
  ASSERT_EQ(curve.size(), thresholds.size());
  for (std::size_t i = 0; i < curve.size(); ++i) EXPECT_EQ(curve[i], counts[i] / 7.0);
}

TEST(Exceedance, ReferenceCaseSemantics) {
  // tests/data/reference/and-gate.json: losses 0 or 1000 with P(1000) = 0.063396;
  // loss_exceedance {"0.0": 1, "1000.0": 0.063396}. An exact sample of 10^6 trials.
  const std::size_t n = 1000000;
  const std::size_t hits = 63396;
  std::vector<double> x(n, 0.0);
  std::fill(x.end() - hits, x.end(), 1000.0);
  EXPECT_EQ(exceedance_probability(x, 0.0), 1.0);
  EXPECT_EQ(exceedance_probability(x, 1000.0), 0.063396);
  EXPECT_EQ(exceedance_probability(x, 999.5), 0.063396);
  EXPECT_EQ(exceedance_probability(x, 1000.5), 0.0);
  // Its VaR and ES: the 95% VaR is a loss that occurs, not an interpolation.
  EXPECT_EQ(value_at_risk(x, 0.95), 1000.0);
  EXPECT_EQ(value_at_risk(x, 0.9), 0.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.9), 63396.0 * 1000.0 / 100000.0);
  EXPECT_DOUBLE_EQ(expected_shortfall(x, 0.0), 63.396);
}

// ---- MomentAccumulator -----------------------------------------------------------------

std::vector<double> skewed_sample(std::size_t n) {
  std::vector<double> x(n);
  std::uint64_t state = 987654321;
  for (auto& v : x) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = (static_cast<double>(state >> 11) + 0.5) * 0x1.0p-53;
    v = 1e6 + 1e4 * -std::log(u);  // offset + exponential: tests cancellation too
  }
  return x;
}

TEST(MomentAccumulator, MatchesTwoPass) {
  const auto x = skewed_sample(100000);
  MomentAccumulator acc;
  for (double v : x) acc.add(v);
  EXPECT_EQ(acc.n, x.size());
  EXPECT_NEAR(acc.mean, mean(x), 1e-12 * mean(x));
  EXPECT_NEAR(acc.variance(), variance(x), 1e-10 * variance(x));
  EXPECT_NEAR(acc.standard_error(), standard_error(x), 1e-10 * standard_error(x));
}

TEST(MomentAccumulator, MergeEqualsSequential) {
  const auto x = skewed_sample(100003);
  MomentAccumulator sequential;
  for (double v : x) sequential.add(v);
  // Uneven chunks, including empty ones, merged in order.
  MomentAccumulator merged;
  std::size_t start = 0;
  for (std::size_t size : {0, 1, 17, 5000, 0, 33333, 2, 61650}) {
    MomentAccumulator chunk;
    for (std::size_t i = start; i < start + size; ++i) chunk.add(x[i]);
    merged.merge(chunk);
    start += size;
  }
  ASSERT_EQ(start, x.size());
  EXPECT_EQ(merged.n, sequential.n);
  EXPECT_NEAR(merged.mean, sequential.mean, 1e-12 * sequential.mean);
  EXPECT_NEAR(merged.m2, sequential.m2, 1e-10 * sequential.m2);
  // Hand check of the merge formula on two tiny chunks: {1, 2} + {4, 7, 11}.
  MomentAccumulator a, b;
  for (double v : {1.0, 2.0}) a.add(v);
  for (double v : {4.0, 7.0, 11.0}) b.add(v);
  a.merge(b);
  EXPECT_EQ(a.n, 5u);
  EXPECT_DOUBLE_EQ(a.mean, 5.0);
  EXPECT_DOUBLE_EQ(a.m2, 16.0 + 9.0 + 1.0 + 4.0 + 36.0);
}

TEST(MomentAccumulator, BitIdenticalAtAnyThreadCount) {
  // Fixed chunks, each accumulated in order by whichever thread takes it, merged in
  // chunk order: the result must not depend on the number of threads.
  const auto x = skewed_sample(200000);
  const std::size_t chunk_size = 3001;  // chunks fixed by the data, not the threads
  const std::size_t chunks = (x.size() + chunk_size - 1) / chunk_size;
  auto run = [&](unsigned threads) {
    std::vector<MomentAccumulator> partial(chunks);
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (std::size_t c = t; c < chunks; c += threads) {
          const std::size_t end = std::min(x.size(), (c + 1) * chunk_size);
          for (std::size_t i = c * chunk_size; i < end; ++i) partial[c].add(x[i]);
        }
      });
    }
    for (auto& th : pool) th.join();
    MomentAccumulator total;
    for (const auto& p : partial) total.merge(p);
    return total;
  };
  const MomentAccumulator one = run(1);
  for (unsigned threads : {2u, 3u, 7u}) {
    const MomentAccumulator many = run(threads);
    EXPECT_EQ(many.n, one.n);
    // Bit for bit: the representations, not the values, must be equal.
    EXPECT_EQ(std::bit_cast<std::uint64_t>(many.mean), std::bit_cast<std::uint64_t>(one.mean)) << threads;
    EXPECT_EQ(std::bit_cast<std::uint64_t>(many.m2), std::bit_cast<std::uint64_t>(one.m2)) << threads;
  }
}

TEST(MomentAccumulator, EmptyAndSingle) {
  MomentAccumulator empty;
  EXPECT_TRUE(std::isnan(empty.variance()));
  EXPECT_EQ(empty.standard_error(), std::numeric_limits<double>::infinity());
  MomentAccumulator one;
  one.add(4.0);
  one.merge(empty);
  EXPECT_EQ(one.n, 1u);
  EXPECT_EQ(one.mean, 4.0);
  empty.merge(one);
  EXPECT_EQ(empty.n, 1u);
  EXPECT_EQ(empty.mean, 4.0);
}

}  // namespace
}  // namespace cpsf
