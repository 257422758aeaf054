// The engine's own samplers: transforms from uniforms in (0, 1) to samples.
//
// std::*_distribution are not used anywhere: their algorithms are unspecified, so the
// same seed gives different numbers under libstdc++, libc++ and MSVC (docs/style.md
// practice 3). Everything here is written against plain uniforms, and uses only
// exp, log, log1p, sqrt and pow from the C library.
//
// How many uniforms each sampler reads (the engine addresses them, see random.hpp):
//   fixed                           0
//   exponential, normal, lognormal  1   (inversion: sample = F^-1(u), increasing in u)
//   uniform                         1
//   gamma, pert (beta), poisson     variable (rejection); they take a UniformSource,
//                                   normally a UniformCursor on their own
//                                   (stream, trial, item), so retries read the next
//                                   draw indices of that address and nothing else.
#pragma once

#include <cmath>
#include <concepts>
#include <cstdint>
#include <stdexcept>

namespace cpsf {

// Anything that hands out uniforms in (0, 1) when called: a UniformCursor, a lambda.
template <class G>
concept UniformSource = requires(G& g) {
  { g() } -> std::convertible_to<double>;
};

// Inverse of the standard normal CDF, Wichura's algorithm AS241 (PPND16), Applied
// Statistics 37(3):477-484, 1988: rational approximations on three ranges, relative
// accuracy about 1e-16. One uniform per normal, unlike Box-Muller's pair, and monotone
// (up to a step back of an ulp or two where its three ranges join, at p = 0.075 and
// p = exp(-25) and their mirrors), so common random numbers stay aligned.
// p must lie in (0, 1); the generator's grid never yields 0 or 1.
inline double normal_quantile(double p) noexcept {
  const double q = p - 0.5;
  if (std::fabs(q) <= 0.425) {
    const double r = 0.180625 - q * q;
    return q *
           (((((((2.5090809287301226727e+3 * r + 3.3430575583588128105e+4) * r + 6.7265770927008700853e+4) * r +
                4.5921953931549871457e+4) *
                   r +
               1.3731693765509461125e+4) *
                  r +
              1.9715909503065514427e+3) *
                 r +
             1.3314166789178437745e+2) *
                r +
            3.3871328727963666080e+0) /
           (((((((5.2264952788528545610e+3 * r + 2.8729085735721942674e+4) * r + 3.9307895800092710610e+4) * r +
                2.1213794301586595867e+4) *
                   r +
               5.3941960214247511077e+3) *
                  r +
              6.8718700749205790830e+2) *
                 r +
             4.2313330701600911252e+1) *
                r +
            1.0);
  }
  // Tails: work with the smaller of p and 1 - p (exact for p >= 1/2).
  double r = std::sqrt(-std::log(q < 0.0 ? p : 1.0 - p));
  double x;
  if (r <= 5.0) {
    r -= 1.6;
    x = (((((((7.74545014278341407640e-4 * r + 2.27238449892691845833e-2) * r + 2.41780725177450611770e-1) * r +
             1.27045825245236838258e+0) *
                r +
            3.64784832476320460504e+0) *
               r +
           5.76949722146069140550e+0) *
              r +
          4.63033784615654529590e+0) *
             r +
         1.42343711074968357734e+0) /
        (((((((1.05075007164441684324e-9 * r + 5.47593808499534494600e-4) * r + 1.51986665636164571966e-2) * r +
             1.48103976427480074590e-1) *
                r +
            6.89767334985100004550e-1) *
               r +
           1.67638483018380384940e+0) *
              r +
          2.05319162663775882187e+0) *
             r +
         1.0);
  } else {
    r -= 5.0;
    x = (((((((2.01033439929228813265e-7 * r + 2.71155556874348757815e-5) * r + 1.24266094738807843860e-3) * r +
             2.65321895265761230930e-2) *
                r +
            2.96560571828504891230e-1) *
               r +
           1.78482653991729133580e+0) *
              r +
          5.46378491116411436990e+0) *
             r +
         6.65790464350110377720e+0) /
        (((((((2.04426310338993978564e-15 * r + 1.42151175831644588870e-7) * r + 1.84631831751005468180e-5) * r +
             7.86869131145613259100e-4) *
                r +
            1.48753612908506148525e-2) *
               r +
           1.36929880922735805310e-1) *
              r +
          5.99832206555887937690e-1) *
             r +
         1.0);
  }
  return q < 0.0 ? -x : x;
}

// ---- One-uniform samplers (inversion) -----------------------------------------------

inline double exponential(double mean, double u) noexcept {
  return -mean * std::log1p(-u);  // F^-1(u); 1 - u is exact on the (0,1) grid
}
inline double normal(double mean, double sd, double u) noexcept { return mean + sd * normal_quantile(u); }
// mu and sigma are those of log X.
inline double lognormal(double mu, double sigma, double u) noexcept {
  return std::exp(mu + sigma * normal_quantile(u));
}
inline double uniform(double min, double max, double u) noexcept { return min + (max - min) * u; }

// ---- Rejection samplers -------------------------------------------------------------

namespace detail {

// Marsaglia & Tsang, "A simple method for generating gamma variables", ACM TOMS 26(3),
// 2000: for shape k >= 1, d = k - 1/3, c = 1 / sqrt(9 d); returns a Gamma(k, 1) sample.
// Each attempt reads one uniform for the normal (again while 1 + c x <= 0) and one for
// the acceptance test; about 1.05 attempts on average at k = 1, fewer above.
inline double marsaglia_tsang(double d, double c, UniformSource auto& next) {
  for (;;) {
    double x;
    double v;
    do {
      x = normal_quantile(next());
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = next();
    const double x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;  // squeeze: no logarithms
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

// Gamma(shape, 1) given precomputed d, c for max(shape, shape + 1). Below shape 1 the
// first uniform is the boost: Gamma(k) = Gamma(k + 1) * U^(1/k) (Marsaglia & Tsang,
// section 6). For very small k the product can underflow to 0, which is then the
// correctly rounded value.
inline double standard_gamma(double shape, double d, double c, UniformSource auto& next) {
  if (shape < 1.0) {
    const double boost = std::pow(next(), 1.0 / shape);
    return boost * marsaglia_tsang(d, c, next);
  }
  return marsaglia_tsang(d, c, next);
}

// log(k!) for integer k >= 0 without std::lgamma, whose glibc version writes the
// global `signgam` (a data race once trials run on several threads). Exact table
// below 7; from k = 7 on, Stirling's series for ln Gamma(k + 1) with eight terms
// B_2j / (2j (2j - 1) x^(2j - 1)), whose truncation error at x = 8 is below 1e-16.
inline double log_factorial(double k) noexcept {
  constexpr double kSmall[7] = {1.0, 1.0, 2.0, 6.0, 24.0, 120.0, 720.0};
  if (k < 7.0) return std::log(kSmall[static_cast<int>(k)]);
  const double x = k + 1.0;
  const double x2 = 1.0 / (x * x);
  const double series =
      (1.0 / 12.0 + x2 * (-1.0 / 360.0 +
                          x2 * (1.0 / 1260.0 +
                                x2 * (-1.0 / 1680.0 +
                                      x2 * (1.0 / 1188.0 + x2 * (-691.0 / 360360.0 +
                                                                 x2 * (1.0 / 156.0 + x2 * (-3617.0 / 122400.0)))))))) /
      x;
  constexpr double kHalfLog2Pi = 0.91893853320467274178;  // ln(2 pi) / 2
  return (x - 0.5) * std::log(x) - x + kHalfLog2Pi + series;
}

}  // namespace detail

inline double gamma_d(double shape) noexcept { return (shape < 1.0 ? shape + 1.0 : shape) - 1.0 / 3.0; }
inline double gamma_c(double shape) noexcept { return 1.0 / std::sqrt(9.0 * gamma_d(shape)); }

// Gamma(shape, scale): mean shape * scale. Variable number of uniforms.
inline double gamma(double shape, double scale, UniformSource auto& next) {
  return scale * detail::standard_gamma(shape, gamma_d(shape), gamma_c(shape), next);
}

// Beta(a, b) = X / (X + Y), X ~ Gamma(a), Y ~ Gamma(b); X is drawn completely (with its
// retries) before Y. Restricted to a, b >= 1, which is what PERT produces: there both
// gammas are strictly positive, so X + Y never underflows to 0.
inline double beta(double a, double b, UniformSource auto& next) {
  const double da = a - 1.0 / 3.0;
  const double db = b - 1.0 / 3.0;
  const double x = detail::marsaglia_tsang(da, 1.0 / std::sqrt(9.0 * da), next);
  const double y = detail::marsaglia_tsang(db, 1.0 / std::sqrt(9.0 * db), next);
  return x / (x + y);
}

// The shape parameters of PERT(min, mode, max, lambda) (Vose, "Risk Analysis", 2008):
// alpha = 1 + lambda (mode - min) / (max - min), beta = 1 + lambda (max - mode) / (max - min).
inline double pert_alpha(double min, double mode, double max, double lambda) noexcept {
  return 1.0 + lambda * (mode - min) / (max - min);
}
inline double pert_beta(double min, double mode, double max, double lambda) noexcept {
  return 1.0 + lambda * (max - mode) / (max - min);
}
inline double pert(double min, double mode, double max, double lambda, UniformSource auto& next) {
  return min + (max - min) * beta(pert_alpha(min, mode, max, lambda), pert_beta(min, mode, max, lambda), next);
}

// Poisson(mean), exact, with its constants computed once (annual attack counts are drawn
// every trial with the same mean).
//   mean < 10: inversion by sequential search from 0, one uniform. Exact up to the
//     rounding of the running CDF (relative 1e-15, far below the 2^-52 uniform grid);
//     if the CDF stops growing before reaching u (u within 1e-16 of 1) the search
//     stops there instead of looping.
//   mean >= 10: PTRS, Hoermann, "The transformed rejection method for generating
//     Poisson random variables", Insurance: Mathematics and Economics 12:39-45, 1993;
//     two uniforms per attempt, about 1.15 attempts; constants and thresholds as in
//     the paper (and numpy's random_poisson_ptrs). Exact: rejection under a hat.
class Poisson {
 public:
  static constexpr double kPtrsFrom = 10.0;
  static constexpr double kMaxMean = 1e15;  // counts beyond this are not exact in a double

  explicit Poisson(double mean) : mean_(mean) {
    if (!(mean >= 0.0 && mean <= kMaxMean)) {
      throw std::invalid_argument("Poisson mean must lie in [0, 1e15]");
    }
    exp_neg_mean_ = std::exp(-mean);
    if (mean >= kPtrsFrom) {
      log_mean_ = std::log(mean);
      b_ = 0.931 + 2.53 * std::sqrt(mean);
      a_ = -0.059 + 0.02483 * b_;
      log_inv_alpha_ = std::log(1.1239 + 1.1328 / (b_ - 3.4));
      vr_ = 0.9277 - 3.6224 / (b_ - 2.0);
    }
  }

  double mean() const noexcept { return mean_; }
  double variance() const noexcept { return mean_; }

  std::uint64_t sample(UniformSource auto& next) const { return mean_ < kPtrsFrom ? invert(next()) : ptrs(next); }

 private:
  std::uint64_t invert(double u) const noexcept {
    std::uint64_t k = 0;
    double p = exp_neg_mean_;
    double cdf = p;
    while (u > cdf) {
      ++k;
      p *= mean_ / static_cast<double>(k);
      const double grown = cdf + p;
      if (grown == cdf) break;
      cdf = grown;
    }
    return k;
  }

  std::uint64_t ptrs(UniformSource auto& next) const {
    for (;;) {
      const double u = next() - 0.5;
      const double v = next();
      const double us = 0.5 - std::fabs(u);  // > 0: u never reaches 0 or 1
      // k as a double: the hat's far tail can exceed any integer type.
      const double k = std::floor((2.0 * a_ / us + b_) * u + mean_ + 0.43);
      if (us >= 0.07 && v <= vr_) return static_cast<std::uint64_t>(k);
      if (k < 0.0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + log_inv_alpha_ - std::log(a_ / (us * us) + b_) <=
          -mean_ + k * log_mean_ - detail::log_factorial(k)) {
        return static_cast<std::uint64_t>(k);
      }
    }
  }

  double mean_;
  double exp_neg_mean_ = 0.0;
  double log_mean_ = 0.0;
  double a_ = 0.0;
  double b_ = 0.0;
  double log_inv_alpha_ = 0.0;
  double vr_ = 0.0;
};

inline std::uint64_t poisson(double mean, UniformSource auto& next) { return Poisson(mean).sample(next); }

// ---- The tagged distribution the model stores per relation ---------------------------

// A closed set of families behind one switch: no virtual calls in the trial loop, one
// 40-byte value per relation. Build with the factories, which validate and precompute;
// the meaning of a..d per family:
//   Fixed        a = value
//   Exponential  a = mean
//   LogNormal    a = mu, b = sigma                      (of log X)
//   Gamma        a = shape, b = scale, c = d, d = c     (Marsaglia-Tsang constants)
//   Uniform      a = min, b = max - min
//   Pert         a = min, b = max - min, c = alpha, d = beta
struct Distribution {
  enum class Family : std::uint8_t { Fixed, Exponential, LogNormal, Gamma, Uniform, Pert };

  Family family = Family::Fixed;
  double a = 0.0;
  double b = 0.0;
  double c = 0.0;
  double d = 0.0;

  static Distribution fixed(double value) {
    require(std::isfinite(value), "fixed value must be finite");
    return {Family::Fixed, value, 0.0, 0.0, 0.0};
  }
  static Distribution exponential(double mean) {
    require(mean > 0.0 && std::isfinite(mean), "exponential mean must be finite and > 0");
    return {Family::Exponential, mean, 0.0, 0.0, 0.0};
  }
  static Distribution lognormal(double mu, double sigma) {
    require(std::isfinite(mu) && sigma >= 0.0 && std::isfinite(sigma),
            "lognormal needs finite mu and finite sigma >= 0");
    return {Family::LogNormal, mu, sigma, 0.0, 0.0};
  }
  static Distribution gamma(double shape, double scale) {
    require(shape > 0.0 && std::isfinite(shape) && scale > 0.0 && std::isfinite(scale),
            "gamma shape and scale must be finite and > 0");
    return {Family::Gamma, shape, scale, gamma_d(shape), gamma_c(shape)};
  }
  static Distribution uniform(double min, double max) {
    require(std::isfinite(min) && std::isfinite(max) && min <= max, "uniform needs finite min <= max");
    return {Family::Uniform, min, max - min, 0.0, 0.0};
  }
  static Distribution pert(double min, double mode, double max, double lambda = 4.0) {
    require(std::isfinite(min) && std::isfinite(max) && min < max,
            "pert needs finite min < max (use fixed for a single value)");
    require(mode >= min && mode <= max, "pert mode must lie in [min, max]");
    require(lambda >= 0.0 && std::isfinite(lambda), "pert lambda must be finite and >= 0");
    return {Family::Pert, min, max - min, pert_alpha(min, mode, max, lambda), pert_beta(min, mode, max, lambda)};
  }

  // Uniforms one sample reads, or -1 when it varies (rejection).
  static constexpr int uniforms_per_sample(Family f) noexcept {
    switch (f) {
      case Family::Fixed:
        return 0;
      case Family::Exponential:
      case Family::LogNormal:
      case Family::Uniform:
        return 1;
      case Family::Gamma:
      case Family::Pert:
        return -1;
    }
    return -1;
  }

  double sample(UniformSource auto& next) const {
    switch (family) {
      case Family::Fixed:
        return a;
      case Family::Exponential:
        return cpsf::exponential(a, next());
      case Family::LogNormal:
        return cpsf::lognormal(a, b, next());
      case Family::Gamma:
        return b * detail::standard_gamma(a, c, d, next);
      case Family::Uniform:
        return a + b * next();
      case Family::Pert:
        return a + b * cpsf::beta(c, d, next);
    }
    return a;  // unreachable: the switch covers every family
  }

  double mean() const noexcept {
    switch (family) {
      case Family::Fixed:        // a = the value
      case Family::Exponential:  // a = the mean
        return a;
      case Family::LogNormal:
        return std::exp(a + 0.5 * b * b);
      case Family::Gamma:
        return a * b;
      case Family::Uniform:
        return a + 0.5 * b;
      case Family::Pert:
        return a + b * c / (c + d);
    }
    return a;
  }

  double variance() const noexcept {
    switch (family) {
      case Family::Fixed:
        return 0.0;
      case Family::Exponential:
        return a * a;
      case Family::LogNormal:
        return std::expm1(b * b) * std::exp(2.0 * a + b * b);
      case Family::Gamma:
        return a * b * b;
      case Family::Uniform:
        return b * b / 12.0;
      case Family::Pert: {
        const double s = c + d;
        return b * b * c * d / (s * s * (s + 1.0));
      }
    }
    return 0.0;
  }

 private:
  static void require(bool ok, const char* what) {
    if (!ok) throw std::invalid_argument(what);
  }
};

}  // namespace cpsf
