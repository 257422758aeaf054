// Tests for cpsf/distributions.hpp.
//
// Every family is checked two ways, always on fixed seeds so results are stable:
//  - moments: the sample mean of n = 10^6 draws within 4 standard errors of the closed
//    form (SE = sd / sqrt(n)), and the sample variance within 4 SE of its closed form,
//    where Var(s^2) ~ (mu4 - sigma^4) / n with mu4 the sample fourth central moment;
//  - shape: a Kolmogorov-Smirnov test of n = 10^5 draws against the exact CDF (the
//    incomplete gamma and beta functions from Boost.Math, checked below against closed
//    forms). Critical value at significance 0.001: D < 1.9495 / sqrt(n), from the
//    asymptotic Kolmogorov distribution, 2 sum (-1)^(k-1) exp(-2 k^2 t^2) = 0.001 at
//    t = 1.9495 (checked in KolmogorovCriticalValue below).
// Poisson, being discrete, gets a chi-square test against its exact pmf instead.
#include "cpsf/base/distributions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/math/distributions/chi_squared.hpp>
#include <boost/math/distributions/complement.hpp>
#include <boost/math/distributions/poisson.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>
#include <vector>

#include "cpsf/base/random.hpp"

namespace cpsf {
namespace {

constexpr double kKsCritical = 1.9495;  // sqrt(n) D at significance 0.001
constexpr std::size_t kMomentDraws = 1000000;
constexpr std::size_t kKsDraws = 100000;

// ---- Reference functions (the yardstick) ---------------------------------------------

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// Regularised incomplete gamma P(a, x) and Q = 1 - P, regularised incomplete beta
// I_x(a, b), the chi-square survival function and the Poisson pmf: Boost.Math (its
// default policy throws on a domain error, which fails the test).
double gamma_p(double a, double x) { return x <= 0.0 ? 0.0 : boost::math::gamma_p(a, x); }
double gamma_q(double a, double x) { return x <= 0.0 ? 1.0 : boost::math::gamma_q(a, x); }
double beta_cdf(double a, double b, double x) {
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return boost::math::ibeta(a, b, x);
}
double chi_square_survival(double df, double x) {
  return boost::math::cdf(boost::math::complement(boost::math::chi_squared_distribution<double>(df), x));
}
double poisson_pmf(double mean, int k) {
  return boost::math::pdf(boost::math::poisson_distribution<double>(mean), static_cast<double>(k));
}

// Asymptotic Kolmogorov survival function P(sqrt(n) D > t) (not in Boost 1.74's Math).
double kolmogorov_q(double t) {
  double sum = 0.0;
  for (int k = 1; k < 100; ++k) {
    sum += (k % 2 ? 2.0 : -2.0) * std::exp(-2.0 * k * k * t * t);
  }
  return sum;
}

TEST(ReferenceFunctions, IncompleteGammaMatchesClosedForms) {
  for (double x : {0.01, 0.3, 1.0, 2.5, 7.0, 30.0}) {
    EXPECT_NEAR(gamma_p(1.0, x), -std::expm1(-x), 1e-14) << x;            // exponential
    EXPECT_NEAR(gamma_p(0.5, x), std::erf(std::sqrt(x)), 1e-14) << x;     // chi-square(1)
    EXPECT_NEAR(gamma_q(3.0, x), std::exp(-x) * (1.0 + x + x * x / 2.0),  // Erlang(3)
                1e-14 * std::max(1.0, gamma_q(3.0, x)))
        << x;
    EXPECT_NEAR(gamma_q(1.0, x), std::exp(-x), 1e-14 * std::exp(-x) + 1e-300) << x;
  }
}

TEST(ReferenceFunctions, IncompleteBetaMatchesClosedForms) {
  for (double x : {0.001, 0.1, 0.37, 0.5, 0.8, 0.999}) {
    EXPECT_NEAR(beta_cdf(1.0, 1.0, x), x, 1e-14);
    EXPECT_NEAR(beta_cdf(2.0, 1.0, x), x * x, 1e-14);
    EXPECT_NEAR(beta_cdf(1.0, 3.0, x), 1.0 - std::pow(1.0 - x, 3), 1e-14);
    // Integer a, b: I_x(a, b) = P(Binomial(a + b - 1, x) >= a). Here a = 2, b = 3.
    const double y = 1.0 - x;
    const double binomial_tail = 6 * x * x * y * y + 4 * x * x * x * y + x * x * x * x;
    EXPECT_NEAR(beta_cdf(2.0, 3.0, x), binomial_tail, 1e-14);
    // Arcsine law: I_x(1/2, 1/2) = (2 / pi) asin(sqrt(x)).
    EXPECT_NEAR(beta_cdf(0.5, 0.5, x), 2.0 / std::numbers::pi * std::asin(std::sqrt(x)), 1e-13);
  }
}

TEST(ReferenceFunctions, KolmogorovCriticalValue) { EXPECT_NEAR(kolmogorov_q(kKsCritical), 0.001, 2e-6); }

// ---- Harness --------------------------------------------------------------------------

// n samples, sample i on its own trial address (as the engine addresses them).
template <class Sampler>
std::vector<double> draw(std::size_t n, std::uint64_t seed, Sampler&& sample) {
  const RandomStream stream(seed, Stream::times);
  std::vector<double> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    UniformCursor cursor(stream, i, 0);
    out[i] = sample(cursor);
  }
  return out;
}

std::vector<double> draw(const Distribution& dist, std::size_t n, std::uint64_t seed) {
  return draw(n, seed, [&](UniformCursor& c) { return dist.sample(c); });
}

void expect_moments(const std::vector<double>& x, double mean, double variance) {
  const double n = static_cast<double>(x.size());
  double sum = 0.0;
  for (double v : x) sum += v;
  const double m = sum / n;
  double s2 = 0.0;
  double s4 = 0.0;
  for (double v : x) {
    const double e = (v - m) * (v - m);
    s2 += e;
    s4 += e * e;
  }
  const double sample_variance = s2 / (n - 1.0);
  const double mu4 = s4 / n;
  const double se_mean = std::sqrt(variance / n);
  const double se_variance = std::sqrt(std::max(mu4 - variance * variance, 0.0) / n);
  EXPECT_NEAR(m, mean, 4.0 * se_mean) << "mean; SE " << se_mean;
  EXPECT_NEAR(sample_variance, variance, 4.0 * se_variance) << "variance; SE " << se_variance;
}

template <class Cdf>
void expect_ks(std::vector<double> x, Cdf cdf) {
  std::sort(x.begin(), x.end());
  const double n = static_cast<double>(x.size());
  double d = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double f = cdf(x[i]);
    d = std::max({d, f - static_cast<double>(i) / n, static_cast<double>(i + 1) / n - f});
  }
  EXPECT_LT(d, kKsCritical / std::sqrt(n)) << "KS D = " << d << ", asymptotic p = " << kolmogorov_q(std::sqrt(n) * d);
}

void expect_family(const Distribution& dist, std::uint64_t seed, auto cdf) {
  expect_moments(draw(dist, kMomentDraws, seed), dist.mean(), dist.variance());
  expect_ks(draw(dist, kKsDraws, seed + 1), cdf);
}

// ---- AS241 -------------------------------------------------------------------------

TEST(NormalQuantile, PublishedValues) {
  // Phi^-1 to 16 digits as printed by scipy.stats.norm.ppf and R's qnorm; each
  // agrees here with Phi computed by erfc to within 2 ulp of x.
  struct Case {
    double p, x;
  };
  const Case cases[] = {
      {0.975, 1.959963984540054},  {1e-10, -6.361340902404056}, {0.9, 1.2815515655446004},
      {0.995, 2.5758293035489004}, {0.999, 3.090232306167813},  {0.025, -1.959963984540054},
  };
  for (const Case& c : cases) {
    EXPECT_NEAR(normal_quantile(c.p), c.x, 1e-15 * std::fabs(c.x)) << c.p;
  }
  EXPECT_EQ(normal_quantile(0.5), 0.0);
}

// How far x may be from Phi^-1(p) when p = Phi(x) is itself rounded: a few ulp of x for
// evaluating AS241, plus the rounding of p (relative ~eps) carried through
// dx = dp / phi(x). Measured worst case over the sweep below: 3.4 of the 8 allowed.
double quantile_tolerance(double x, double p) {
  constexpr double eps = std::numeric_limits<double>::epsilon();
  const double density = std::exp(-0.5 * x * x) / std::sqrt(2.0 * std::numbers::pi);
  return 8.0 * eps * (std::fabs(x) + p / density);
}

TEST(NormalQuantile, InvertsTheNormalCdfOverTheLowerHalf) {
  // Phi(x) = erfc(-x/sqrt2)/2 is accurate to a few ulp for x <= 0. The sweep covers
  // all three AS241 ranges, down to p ~ 1e-300.
  for (double x = -37.0; x <= 0.0; x += 0.0137) {
    const double p = normal_cdf(x);
    ASSERT_NEAR(normal_quantile(p), x, quantile_tolerance(x, p)) << "p = " << p;
  }
}

TEST(NormalQuantile, MonotoneUpToUlpStepsWhereItsRangesJoin) {
  // AS241's three rational approximations meet at p = 0.075 (|p - 1/2| = 0.425) and
  // p = exp(-25) (r = 5) and their mirrors, where the output steps back by an ulp or
  // two (1.4e-16 relative). Everywhere else it is non-decreasing. Sweep 400
  // consecutive doubles around each join and bound any backward step by 4 ulp.
  for (double join : {0.075, std::exp(-25.0), 1.0 - 0.075, 1.0 - std::exp(-25.0)}) {
    double p = join;
    for (int k = 0; k < 200; ++k) p = std::nextafter(p, 0.0);
    double previous = normal_quantile(p);
    for (int k = 0; k < 400; ++k) {
      p = std::nextafter(p, 1.0);
      const double x = normal_quantile(p);
      const double ulp = std::nextafter(std::fabs(x), 1e300) - std::fabs(x);
      ASSERT_GE(x, previous - 4.0 * ulp) << "p = " << p;
      previous = x;
    }
  }
}

TEST(NormalQuantile, AntisymmetricOnTheUniformGrid) {
  // On the generator's grid 1 - u is exact, so Phi^-1(1 - u) == -Phi^-1(u) exactly.
  const RandomStream stream(1, Stream::times);
  for (std::uint32_t i = 0; i < 100000; ++i) {
    const double u = stream.uniform(i, 0, 0);
    ASSERT_EQ(normal_quantile(1.0 - u), -normal_quantile(u)) << u;
  }
  EXPECT_EQ(normal_quantile(1.0 - 0x1.0p-53), -normal_quantile(0x1.0p-53));
}

TEST(NormalQuantile, FiniteAtTheGridExtremes) {
  // The most extreme normals the generator can produce: about -/+ 8.2.
  const double p = 0x1.0p-53;
  const double lowest = normal_quantile(p);
  EXPECT_TRUE(std::isfinite(lowest));
  // Checked in x units: (Phi(x) - p) / phi(x) is the first-order error in x.
  const double density = std::exp(-0.5 * lowest * lowest) / std::sqrt(2.0 * std::numbers::pi);
  EXPECT_LT(std::fabs(normal_cdf(lowest) - p) / density, quantile_tolerance(lowest, p));
}

TEST(Normal, MomentsAndShape) {
  auto sample = [](UniformCursor& c) { return normal(0.0, 1.0, c()); };
  expect_moments(draw(kMomentDraws, 31, sample), 0.0, 1.0);
  expect_ks(draw(kKsDraws, 32, sample), normal_cdf);
}

// ---- Families ------------------------------------------------------------------------

TEST(Fixed, AlwaysTheValueAndReadsNoUniform) {
  const auto dist = Distribution::fixed(3.5);
  const RandomStream stream(1, Stream::times);
  UniformCursor cursor(stream, 0, 0);
  EXPECT_EQ(dist.sample(cursor), 3.5);
  EXPECT_EQ(cursor.used(), 0u);
  EXPECT_EQ(dist.mean(), 3.5);
  EXPECT_EQ(dist.variance(), 0.0);
}

TEST(Exponential, MomentsAndShape) {
  const double mean = 2.5;
  expect_family(Distribution::exponential(mean), 101, [&](double x) { return -std::expm1(-x / mean); });
}

TEST(LogNormal, MomentsAndShape) {
  const double mu = 1.0;
  const double sigma = 0.5;
  expect_family(Distribution::lognormal(mu, sigma), 201,
                [&](double x) { return normal_cdf((std::log(x) - mu) / sigma); });
}

TEST(Uniform, MomentsAndShape) {
  expect_family(Distribution::uniform(-2.0, 5.0), 301, [](double x) { return (x + 2.0) / 7.0; });
}

class GammaTest : public ::testing::TestWithParam<std::pair<double, double>> {};

TEST_P(GammaTest, MomentsAndShape) {
  const auto [shape, scale] = GetParam();
  // Structured bindings by init-capture: clang 14, which clang-tidy uses, cannot capture them.
  expect_family(Distribution::gamma(shape, scale), 401,
                [shape = shape, scale = scale](double x) { return gamma_p(shape, x / scale); });
}

// 0.3 and 0.5 take the shape < 1 boost; 1 is the exponential; 3.7 and 50 the plain path.
INSTANTIATE_TEST_SUITE_P(Shapes, GammaTest,
                         ::testing::Values(std::pair{0.3, 1.0}, std::pair{0.5, 2.0}, std::pair{1.0, 3.0},
                                           std::pair{3.7, 0.8}, std::pair{50.0, 0.1}));

class PertTest : public ::testing::TestWithParam<std::array<double, 4>> {};

TEST_P(PertTest, MomentsAndShape) {
  const auto [min, mode, max, lambda] = GetParam();
  const auto dist = Distribution::pert(min, mode, max, lambda);
  const double alpha = 1.0 + lambda * (mode - min) / (max - min);
  const double beta = 1.0 + lambda * (max - mode) / (max - min);
  EXPECT_DOUBLE_EQ(dist.c, alpha);
  EXPECT_DOUBLE_EQ(dist.d, beta);
  expect_family(dist, 501,
                [&, min = min, max = max](double x) { return beta_cdf(alpha, beta, (x - min) / (max - min)); });
}

// alpha, beta = (1.5, 4.5); (3, 3); (1, 5) with the mode on the edge; (1, 1) = uniform.
INSTANTIATE_TEST_SUITE_P(Shapes, PertTest,
                         ::testing::Values(std::array{2.0, 3.0, 10.0, 4.0}, std::array{0.0, 5.0, 10.0, 4.0},
                                           std::array{0.0, 0.0, 1.0, 4.0}, std::array{1.0, 2.0, 3.0, 0.0}));

TEST(Pert, ClassicMeanFormula) {
  // With lambda = 4 the mean is the textbook (min + 4 mode + max) / 6.
  EXPECT_DOUBLE_EQ(Distribution::pert(2.0, 3.0, 10.0).mean(), (2.0 + 12.0 + 10.0) / 6.0);
}

TEST(Distribution, ClosedFormMoments) {
  EXPECT_DOUBLE_EQ(Distribution::exponential(2.0).variance(), 4.0);
  EXPECT_DOUBLE_EQ(Distribution::lognormal(0.0, 1.0).mean(), std::exp(0.5));
  EXPECT_DOUBLE_EQ(Distribution::lognormal(0.0, 1.0).variance(), (std::numbers::e - 1.0) * std::numbers::e);
  EXPECT_DOUBLE_EQ(Distribution::gamma(2.0, 3.0).mean(), 6.0);
  EXPECT_DOUBLE_EQ(Distribution::gamma(2.0, 3.0).variance(), 18.0);
  EXPECT_DOUBLE_EQ(Distribution::uniform(1.0, 4.0).mean(), 2.5);
  EXPECT_DOUBLE_EQ(Distribution::uniform(1.0, 4.0).variance(), 0.75);
  // PERT(0, 5, 10): Beta(3, 3) on [0, 10], variance 100 * 9 / (36 * 7).
  EXPECT_DOUBLE_EQ(Distribution::pert(0.0, 5.0, 10.0).variance(), 100.0 * 9.0 / (36.0 * 7.0));
}

TEST(Distribution, ReadsTheDocumentedNumberOfUniforms) {
  const RandomStream stream(5, Stream::times);
  for (const auto& dist :
       {Distribution::exponential(1.0), Distribution::lognormal(0.0, 1.0), Distribution::uniform(0.0, 1.0)}) {
    EXPECT_EQ(Distribution::uniforms_per_sample(dist.family), 1);
    for (std::uint64_t trial = 0; trial < 100; ++trial) {
      UniformCursor cursor(stream, trial, 0);
      (void)dist.sample(cursor);
      EXPECT_EQ(cursor.used(), 1u);
    }
  }
  EXPECT_EQ(Distribution::uniforms_per_sample(Distribution::Family::Fixed), 0);
  EXPECT_EQ(Distribution::uniforms_per_sample(Distribution::Family::Gamma), -1);
  EXPECT_EQ(Distribution::uniforms_per_sample(Distribution::Family::Pert), -1);
}

TEST(Distribution, InversionUsesTheAddressedUniform) {
  const RandomStream stream(8, Stream::times);
  const double u = stream.uniform(12, 3, 0);
  UniformCursor cursor(stream, 12, 3);
  EXPECT_EQ(Distribution::exponential(2.0).sample(cursor), -2.0 * std::log1p(-u));
}

TEST(Distribution, RejectionSamplersAreReproducibleAndStayOnTheirAddress) {
  const RandomStream stream(9, Stream::times);
  const auto gamma = Distribution::gamma(0.7, 1.0);
  std::uint32_t most = 0;
  for (std::uint64_t trial = 0; trial < 10000; ++trial) {
    UniformCursor first(stream, trial, 4);
    UniformCursor again(stream, trial, 4);
    ASSERT_EQ(gamma.sample(first), gamma.sample(again));
    ASSERT_GE(first.used(), 3u);  // boost + at least one (normal, accept) pair
    most = std::max(most, first.used());
  }
  EXPECT_GT(most, 3u);  // some samples did retry, reading later draws of the address
}

TEST(Distribution, FactoriesRejectBadParameters) {
  EXPECT_THROW(Distribution::exponential(0.0), std::invalid_argument);
  EXPECT_THROW(Distribution::exponential(std::nan("")), std::invalid_argument);
  EXPECT_THROW(Distribution::lognormal(0.0, -1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::gamma(0.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::gamma(1.0, -1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::uniform(2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::pert(1.0, 1.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::pert(0.0, 2.0, 1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::pert(0.0, 0.5, 1.0, -1.0), std::invalid_argument);
  EXPECT_THROW(Distribution::fixed(std::numeric_limits<double>::infinity()), std::invalid_argument);
  EXPECT_THROW(Poisson(-1.0), std::invalid_argument);
}

TEST(Distribution, IsSmall) {
  // One per relation, 10^7 relations: 40 bytes each.
  EXPECT_EQ(sizeof(Distribution), 40u);
}

// ---- Poisson -------------------------------------------------------------------------

// Chi-square against the exact pmf: one bin per k whose expected count is at least 20,
// the two tails pooled into the end bins; degrees of freedom = bins - 1 (no parameter
// estimated). p-value = the chi-square survival function at X^2; reject at 0.001.
void expect_poisson_fits(const std::vector<std::uint64_t>& counts, double mean) {
  const double n = static_cast<double>(counts.size());
  int lo = 0;
  while (n * poisson_pmf(mean, lo) < 20.0 && lo < mean) ++lo;
  int hi = static_cast<int>(mean);
  while (n * poisson_pmf(mean, hi + 1) >= 20.0) ++hi;
  // Bins: [0, lo], lo+1, ..., hi-1, [hi, inf).
  std::vector<double> expected;
  double below = 0.0;
  for (int k = 0; k <= lo; ++k) below += poisson_pmf(mean, k);
  expected.push_back(below);
  double cumulative = below;
  for (int k = lo + 1; k < hi; ++k) {
    expected.push_back(poisson_pmf(mean, k));
    cumulative += expected.back();
  }
  expected.push_back(1.0 - cumulative);
  std::vector<double> observed(expected.size(), 0.0);
  for (std::uint64_t c : counts) {
    const int k = static_cast<int>(c);
    const std::size_t bin = k <= lo ? 0 : (k >= hi ? expected.size() - 1 : k - lo);
    observed[bin] += 1.0;
  }
  double chi2 = 0.0;
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double e = n * expected[i];
    ASSERT_GE(e, 5.0) << "bin " << i;
    chi2 += (observed[i] - e) * (observed[i] - e) / e;
  }
  const double df = static_cast<double>(expected.size() - 1);
  const double p_value = chi_square_survival(df, chi2);
  EXPECT_GT(p_value, 0.001) << "chi2 = " << chi2 << " on " << df << " df";
}

TEST(ReferenceFunctions, ChiSquareSurvival) {
  // df = 2: the survival function is exp(-x/2); df = 1 at 3.841458820694124 is 0.05;
  // in general Q(df/2, x/2).
  EXPECT_NEAR(chi_square_survival(2.0, 5.0), std::exp(-2.5), 1e-15);
  EXPECT_NEAR(chi_square_survival(1.0, 3.841458820694124), 0.05, 1e-12);
  for (const double df : {1.0, 4.0, 17.0}) {
    for (const double x : {0.5, 3.0, 20.0}) {
      EXPECT_NEAR(chi_square_survival(df, x), gamma_q(df / 2.0, x / 2.0), 1e-15) << df << " " << x;
    }
  }
}

TEST(ReferenceFunctions, PoissonPmf) {
  for (const double mean : {0.5, 7.0, 250.0}) {
    for (const int k : {0, 3, 7, 240}) {
      const double expected = std::exp(k * std::log(mean) - mean - std::lgamma(k + 1.0));
      EXPECT_NEAR(poisson_pmf(mean, k), expected, 1e-12 * expected) << mean << " " << k;
    }
  }
}

class PoissonTest : public ::testing::TestWithParam<double> {};

TEST_P(PoissonTest, MomentsAndChiSquare) {
  const double mean = GetParam();
  const Poisson poisson(mean);
  const RandomStream stream(601, Stream::threat_count);
  std::vector<std::uint64_t> counts(kMomentDraws);
  std::vector<double> as_double(kMomentDraws);
  for (std::size_t i = 0; i < kMomentDraws; ++i) {
    UniformCursor cursor(stream, i, 0);
    counts[i] = poisson.sample(cursor);
    as_double[i] = static_cast<double>(counts[i]);
  }
  // Var(s^2) ~ (mu4 - sigma^4) / n with mu4 = m (1 + 3 m), sigma^2 = m; the harness
  // estimates mu4 from the sample, which agrees.
  expect_moments(as_double, mean, mean);
  expect_poisson_fits(counts, mean);
}

// 0.5 and 7: inversion; 10 (the switch), 30 and 250: PTRS.
INSTANTIATE_TEST_SUITE_P(Means, PoissonTest, ::testing::Values(0.5, 7.0, 10.0, 30.0, 250.0));

TEST(Poisson, InversionReadsOneUniform) {
  const RandomStream stream(7, Stream::threat_count);
  const Poisson poisson(7.0);
  for (std::uint64_t trial = 0; trial < 1000; ++trial) {
    UniformCursor cursor(stream, trial, 0);
    (void)poisson.sample(cursor);
    EXPECT_EQ(cursor.used(), 1u);
  }
}

TEST(Poisson, InversionEndsAtTheGridExtremes) {
  const Poisson poisson(9.99);
  auto lowest = [] { return 0x1.0p-53; };
  auto highest = [] { return 1.0 - 0x1.0p-53; };
  EXPECT_EQ(poisson.sample(lowest), 0u);
  const std::uint64_t top = poisson.sample(highest);
  EXPECT_GT(top, 30u);  // P(K > 30) ~ 1e-8 at mean 10: far in the tail, and finite
  EXPECT_LT(top, 100u);
}

TEST(Poisson, ZeroMeanIsZero) {
  const RandomStream stream(7, Stream::threat_count);
  UniformCursor cursor(stream, 0, 0);
  EXPECT_EQ(Poisson(0.0).sample(cursor), 0u);
}

TEST(Poisson, LargeMeanMoments) {
  // PTRS far from the switch; mean 1e6 with 10^5 draws.
  const double mean = 1e6;
  const Poisson poisson(mean);
  const RandomStream stream(602, Stream::threat_count);
  std::vector<double> x(100000);
  for (std::size_t i = 0; i < x.size(); ++i) {
    UniformCursor cursor(stream, i, 0);
    x[i] = static_cast<double>(poisson.sample(cursor));
  }
  expect_moments(x, mean, mean);
}

TEST(LogFactorial, MatchesLgamma) {
  for (int k = 0; k <= 2000; ++k) {
    const double expected = std::lgamma(k + 1.0);
    EXPECT_NEAR(detail::log_factorial(k), expected, 4e-16 * std::max(1.0, expected)) << k;
  }
  for (double k : {1e4, 1e6, 1e9, 1e15}) {
    const double expected = std::lgamma(k + 1.0);
    EXPECT_NEAR(detail::log_factorial(k), expected, 4e-16 * expected) << k;
  }
}

}  // namespace
}  // namespace cpsf
