#include "cpsf/base/statistics.hpp"

#include <algorithm>
#include <cassert>
#include <stdexcept>

namespace cpsf {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(what);
}

void require_sorted_nonempty(std::span<const double> sorted) {
  require(!sorted.empty(), "statistic of an empty sample");
  assert(std::is_sorted(sorted.begin(), sorted.end()) && "losses must be sorted ascending");
}

struct Shifted {
  double shift;       // first-pass mean
  double sum;         // sum (x - shift)
  double sum_square;  // sum (x - shift)^2
};

Shifted shifted_sums(std::span<const double> x) {
  require(!x.empty(), "statistic of an empty sample");
  double sum = 0.0;
  for (double v : x) sum += v;
  const double shift = sum / static_cast<double>(x.size());
  Shifted s{shift, 0.0, 0.0};
  for (double v : x) {
    const double e = v - shift;
    s.sum += e;
    s.sum_square += e * e;
  }
  return s;
}

}  // namespace

// The binary rounding of a decimal level is ~1e-16 relative, so snapping within 1e-12
// only ever restores the integer the caller meant.
double rank_position(std::uint64_t n, double p) {
  const double t = static_cast<double>(n) * p;
  const double nearest = std::round(t);
  return std::fabs(t - nearest) <= 1e-12 * std::max(1.0, t) ? nearest : t;
}

Interval wilson_interval(std::uint64_t successes, std::uint64_t n, double z) {
  require(successes <= n, "wilson_interval: successes exceed trials");
  require(z >= 0.0 && std::isfinite(z), "wilson_interval: z must be finite and >= 0");
  if (n == 0) return {0.0, 1.0};
  const double s = static_cast<double>(successes);
  const double nd = static_cast<double>(n);
  const double z2 = z * z;
  const double denominator = nd + z2;
  const double centre = (s + 0.5 * z2) / denominator;
  const double half = z * std::sqrt(s * (nd - s) / nd + 0.25 * z2) / denominator;
  const double high = successes == n ? 1.0 : std::min(1.0, centre + half);
  // The bounds are the roots of (n + z^2) p^2 - (2 s + z^2) p + s^2 / n = 0, whose
  // product is s^2 / (n (n + z^2)); dividing avoids the cancellation in centre - half
  // when s is small, and gives exactly 0 at s = 0.
  const double low = s * s / (nd * denominator * high);
  return {low, high};
}

double mean(std::span<const double> x) {
  const Shifted s = shifted_sums(x);
  return s.shift + s.sum / static_cast<double>(x.size());
}

double variance(std::span<const double> x) {
  if (x.size() < 2) {
    require(!x.empty(), "statistic of an empty sample");
    return std::numeric_limits<double>::quiet_NaN();
  }
  const Shifted s = shifted_sums(x);
  const double n = static_cast<double>(x.size());
  return (s.sum_square - s.sum * s.sum / n) / (n - 1.0);
}

double standard_error(std::span<const double> x) {
  if (x.size() < 2) {
    require(!x.empty(), "statistic of an empty sample");
    return std::numeric_limits<double>::infinity();
  }
  return std::sqrt(variance(x) / static_cast<double>(x.size()));
}

double relative_standard_error(std::span<const double> x) {
  const double m = mean(x);
  return m == 0.0 ? std::numeric_limits<double>::infinity() : standard_error(x) / std::fabs(m);
}

double quantile(std::span<const double> sorted, double p) {
  require_sorted_nonempty(sorted);
  require(p >= 0.0 && p <= 1.0, "quantile: p must lie in [0, 1]");
  const double k = std::ceil(rank_position(sorted.size(), p));
  const std::size_t rank = std::max<std::size_t>(1, static_cast<std::size_t>(k));
  return sorted[std::min(rank, sorted.size()) - 1];
}

double value_at_risk(std::span<const double> sorted_losses, double level) {
  require(level >= 0.0 && level < 1.0, "value_at_risk: level must lie in [0, 1)");
  return quantile(sorted_losses, level);
}

double expected_shortfall(std::span<const double> sorted_losses, double level) {
  require_sorted_nonempty(sorted_losses);
  require(level >= 0.0 && level < 1.0, "expected_shortfall: level must lie in [0, 1)");
  const std::size_t n = sorted_losses.size();
  const double t = rank_position(n, level);
  const auto k = static_cast<std::size_t>(std::ceil(t));  // 1-based rank of VaR
  if (k >= n) return sorted_losses.back();                // tail thinner than one observation
  double tail = 0.0;
  for (std::size_t i = k; i < n; ++i) tail += sorted_losses[i];  // x_(k+1) .. x_(n)
  if (k > 0) tail += (static_cast<double>(k) - t) * sorted_losses[k - 1];
  return tail / (static_cast<double>(n) - t);
}

namespace {
double share_at_or_above(std::span<const double> sorted_losses, double threshold) {
  const auto first = std::lower_bound(sorted_losses.begin(), sorted_losses.end(), threshold);
  return static_cast<double>(sorted_losses.end() - first) / static_cast<double>(sorted_losses.size());
}
}  // namespace

double exceedance_probability(std::span<const double> sorted_losses, double threshold) {
  require_sorted_nonempty(sorted_losses);
  return share_at_or_above(sorted_losses, threshold);
}

std::vector<double> exceedance_curve(std::span<const double> sorted_losses, std::span<const double> thresholds) {
  require_sorted_nonempty(sorted_losses);
  std::vector<double> out;
  out.reserve(thresholds.size());
  for (double x : thresholds) out.push_back(share_at_or_above(sorted_losses, x));
  return out;
}

std::vector<double> sorted_copy(std::span<const double> x) {
  std::vector<double> out(x.begin(), x.end());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace cpsf
