// Estimators the run reports: free functions over arrays (docs/style.md practice 8), and one
// mergeable accumulator for per-chunk reduction.
//
// Loss functions take losses sorted ascending (sort once with sorted_copy, then ask for
// every statistic); the order is checked in debug builds only, since VaR and quantile
// would otherwise become O(n). Empty input and out-of-range levels throw
// std::invalid_argument: they are bugs in the caller, never data.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace cpsf {

struct Interval {
  double low;
  double high;
};

// Phi^-1(0.975): the two-sided 95% normal critical value.
inline constexpr double kZ95 = 1.959963984540054;

// Wilson score interval for a binomial proportion (Wilson, JASA 22:209-212, 1927):
// the p with |p_hat - p| <= z sqrt(p (1 - p) / n). Unlike the Wald interval it stays
// inside [0, 1] and does not collapse to a point at 0 or n successes (where it is
// [0, z^2 / (n + z^2)] and [n / (n + z^2), 1]). n = 0 gives [0, 1].
Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double z = kZ95);

// Corrected two-pass algorithm (Chan, Golub & LeVeque, The American Statistician 37,
// 1983): m = sum x / n, then mean = m + sum(x - m) / n and
// variance = (sum (x - m)^2 - (sum (x - m))^2 / n) / (n - 1). Exact for data that
// differ by a large offset (where sum x^2 - n m^2 cancels), deterministic in order.
double mean(std::span<const double> x);
double variance(std::span<const double> x);  // sample variance (n - 1); NaN below n = 2
// sqrt(variance / n): the standard error of the mean; +infinity below n = 2 (no
// information, so a precision-based stopping rule keeps going).
double standard_error(std::span<const double> x);
// standard_error / |mean|; +infinity when the mean is 0.
double relative_standard_error(std::span<const double> x);

// Empirical quantile, Hyndman & Fan (The American Statistician 50, 1996) type 1: the
// inverse of the empirical CDF, Q(p) = x_(k) with k = max(1, ceil(n p)) (1-based), i.e.
// the smallest observation x with F_n(x) >= p. Type 1 because it is the definition of
// VaR (the lower quantile inf{x : P(L <= x) >= p}, Acerbi & Tasche 2002), expected
// shortfall is the integral of exactly this function, and it returns a loss that
// occurred: with losses {0, 1000} interpolating types report losses nobody can incur.
// n p within a relative 1e-12 of an integer counts as that integer, so a level written
// as a decimal means what it says: for n = 100, p = 0.07 gives x_(7), where the binary
// product 100 * 0.07 = 7.000000000000001 would give x_(8) (numpy's 'inverted_cdf' does).
// p in [0, 1].
double quantile(std::span<const double> sorted, double p);

// n p, snapped to the nearest integer when within a relative 1e-12 of it (see quantile):
// the rank position every quantile and shortfall here uses.
double rank_position(std::uint64_t n, double p);

// VaR at `level` (e.g. 0.95): quantile(sorted_losses, level).
double value_at_risk(std::span<const double> sorted_losses, double level);

// Expected shortfall (Acerbi & Tasche, "On the coherence of expected shortfall",
// J. Banking & Finance 26, 2002): ES = 1/(1 - level) * integral from level to 1 of the
// quantile function. On n sorted losses with t = n level and k = ceil(t):
//   ES = (sum_{i > k} x_(i) + (k - t) x_(k)) / (n - t)
// so the observation straddling the level (the "atom" at VaR) counts with just the
// fraction k - t of its weight that lies beyond the level. ES >= VaR, it equals the
// mean at level 0, and it is coherent (sub-additive) unlike the plain tail mean.
// level in [0, 1).
double expected_shortfall(std::span<const double> sorted_losses, double level);

// P(L >= threshold): the share of losses at or above the threshold. ">=", so
// P(L >= 0) = 1 for non-negative losses, as in the reference cases (tests/data/reference/).
double exceedance_probability(std::span<const double> sorted_losses, double threshold);
// exceedance_probability at each threshold (any order).
std::vector<double> exceedance_curve(std::span<const double> sorted_losses, std::span<const double> thresholds);

std::vector<double> sorted_copy(std::span<const double> x);

// Count, mean and sum of squared deviations, updated one value at a time (Welford,
// Technometrics 4, 1962) and merged pairwise (Chan, Golub & LeVeque, "Updating
// formulae and a pairwise algorithm for computing sample variances", 1979).
// Floating-point merging is not associative, so determinism comes from the shape of
// the reduction, not the arithmetic: fix the chunks (trial ranges) independently of
// the thread count, accumulate each chunk in trial order, and merge chunk results in
// chunk order. Then the result is bit-identical at any number of threads or ranks.
struct MomentAccumulator {
  std::uint64_t n = 0;
  double mean = 0.0;
  double m2 = 0.0;  // sum of squared deviations from the mean

  void add(double x) noexcept {
    ++n;
    const double delta = x - mean;
    mean += delta / static_cast<double>(n);
    m2 += delta * (x - mean);
  }

  void merge(const MomentAccumulator& other) noexcept {
    if (other.n == 0) return;
    if (n == 0) {
      *this = other;
      return;
    }
    const double na = static_cast<double>(n);
    const double nb = static_cast<double>(other.n);
    const double total = na + nb;
    const double delta = other.mean - mean;
    mean += delta * (nb / total);
    m2 += other.m2 + delta * delta * (na * nb / total);
    n += other.n;
  }

  double variance() const noexcept {
    return n < 2 ? std::numeric_limits<double>::quiet_NaN() : m2 / static_cast<double>(n - 1);
  }
  double standard_error() const noexcept {
    return n < 2 ? std::numeric_limits<double>::infinity() : std::sqrt(variance() / static_cast<double>(n));
  }
};

// Two variables' means, sums of squared deviations and co-deviation, updated and merged
// as MomentAccumulator (the bivariate form of the same formulae), with the same rule for
// determinism. The layer × element shares' delta-method intervals need Cov(cell, loss).
struct CoMomentAccumulator {
  MomentAccumulator x, y;
  double cxy = 0.0;  // Σ (x − x̄)(y − ȳ)

  void add(double xv, double yv) noexcept {
    const double dx = xv - x.mean;
    x.add(xv);
    y.add(yv);
    cxy += dx * (yv - y.mean);
  }
  void merge(const CoMomentAccumulator& other) noexcept {
    if (other.x.n == 0) return;
    if (x.n == 0) {
      *this = other;
      return;
    }
    const double na = static_cast<double>(x.n), nb = static_cast<double>(other.x.n);
    const double dx = other.x.mean - x.mean, dy = other.y.mean - y.mean;
    cxy += other.cxy + dx * dy * (na * nb / (na + nb));
    x.merge(other.x);
    y.merge(other.y);
  }
  // Sample covariance (n − 1); NaN below n = 2.
  double covariance() const noexcept {
    return x.n < 2 ? std::numeric_limits<double>::quiet_NaN() : cxy / static_cast<double>(x.n - 1);
  }
};

}  // namespace cpsf
