#include "cpsf/model/distribution_check.hpp"

#include <charconv>
#include <cmath>
#include <initializer_list>
#include <utility>

#include "cpsf/base/limits.hpp"

namespace cpsf {

namespace {

std::string num(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

constexpr const char* kDaysLimit = "1e8 days (about 274,000 years)";
constexpr const char* kDaysWhy =
    "the engine sums times exactly only up to 1e8 days (a later arrival counts as never); "
    "for a step that practically never succeeds, lower its p instead";

class Problems {
 public:
  void add(std::string field, std::string message, std::string hint) {
    out_.push_back({std::move(field), std::move(message), std::move(hint)});
  }
  // Reports each parameter that is not finite; true when all are.
  bool finite(std::initializer_list<std::pair<const char*, double>> params) {
    bool all = true;
    for (const auto& [field, v] : params) {
      if (!std::isfinite(v)) {
        const std::string name = std::string(field).substr(std::string(field).find('.') + 1);
        add(field, name + " is " + num(v) + ", not a finite number", "give an ordinary number");
        all = false;
      }
    }
    return all;
  }
  void too_long(const std::string& field, const std::string& name, double v) {
    if (std::isfinite(v) && v > kMaxDays) {
      add(field, name + " " + num(v) + " days is above the limit of " + kDaysLimit, kDaysWhy);
    }
  }
  std::vector<DistributionProblem> take() { return std::move(out_); }

 private:
  std::vector<DistributionProblem> out_;
};

// The checks of the two families with the most to say, out of distribution_problems().
void lognormal_problems(const v1::Distribution::LogNormal& l, Problems& p) {
  const double mu = l.mu(), sigma = l.sigma();
  if (!p.finite({{"lognormal.mu", mu}, {"lognormal.sigma", sigma}})) return;
  if (sigma <= 0) {
    p.add("lognormal.sigma", "lognormal sigma must be > 0, not " + num(sigma),
          "sigma is the standard deviation of log(days); for no spread use fixed");
  } else if (mu + 0.5 * sigma * sigma > std::log(kMaxDays)) {
    // As validate(): the mean within the limit keeps every draw finite.
    p.add("lognormal",
          "lognormal mean e^(mu + sigma²/2) with mu " + num(mu) + " and sigma " + num(sigma) +
              " is above the limit of " + kDaysLimit,
          std::string("mu is ln(median days) and sigma the spread of log(days): lower them; ") + kDaysWhy);
  }
}

void pert_problems(const v1::Distribution::Pert& t, Problems& p) {
  if (!p.finite({{"pert.min", t.min()}, {"pert.mode", t.mode()}, {"pert.max", t.max()}, {"pert.lambda", t.lambda()}})) {
    return;
  }
  if (t.has_lambda() && t.lambda() <= 0) {
    p.add("pert.lambda", "pert lambda must be > 0, not " + num(t.lambda()), "omit it for the usual 4");
  }
  if (t.has_lambda() && t.lambda() > kMaxPertLambda) {
    p.add("pert.lambda", "pert lambda is " + num(t.lambda()) + ", above the limit of 1e6",
          "a lambda that large puts every draw at the mode: use fixed { value: <mode> }");
  }
  p.too_long("pert.max", "pert max", t.max());
  if (t.min() < 0) p.add("pert.min", "pert min is negative (" + num(t.min()) + ")", "durations are ≥ 0");
  if (!(t.min() <= t.mode() && t.mode() <= t.max()) || !(t.min() < t.max())) {
    p.add("pert",
          "pert needs min ≤ mode ≤ max and min < max, got " + num(t.min()) + ", " + num(t.mode()) + ", " + num(t.max()),
          "order the three-point estimate as min, most likely, max");
  }
}

}  // namespace

std::vector<DistributionProblem> distribution_problems(const v1::Distribution& d) {
  using F = v1::Distribution;
  Problems p;
  switch (d.family_case()) {
    case F::FAMILY_NOT_SET:
      p.add("", "has no distribution family",
            "set exactly one of fixed { value }, exponential { mean }, lognormal { mu sigma }, "
            "gamma { shape scale }, uniform { min max }, pert { min mode max }");
      break;
    case F::kFixed: {
      const double v = d.fixed().value();
      if (!p.finite({{"fixed.value", v}})) break;
      if (v < 0) p.add("fixed.value", "fixed value is negative (" + num(v) + ")", "a duration in days is ≥ 0");
      p.too_long("fixed.value", "fixed value", v);
      break;
    }
    case F::kExponential: {
      const double mean = d.exponential().mean();
      if (!p.finite({{"exponential.mean", mean}})) break;
      if (mean <= 0) {
        p.add("exponential.mean", "exponential mean must be > 0, not " + num(mean),
              "give the mean duration in days, e.g. mean: 3; for an instant step use fixed { value: 0 }");
      }
      p.too_long("exponential.mean", "exponential mean", mean);
      break;
    }
    case F::kLognormal:
      lognormal_problems(d.lognormal(), p);
      break;
    case F::kGamma: {
      const double shape = d.gamma().shape(), scale = d.gamma().scale();
      if (!p.finite({{"gamma.shape", shape}, {"gamma.scale", scale}})) break;
      if (shape <= 0) p.add("gamma.shape", "gamma shape must be > 0, not " + num(shape), "give shape > 0");
      if (scale <= 0) p.add("gamma.scale", "gamma scale must be > 0, not " + num(scale), "give scale > 0 (days)");
      p.too_long("gamma.scale", "gamma scale", scale);
      if (shape > 0 && scale > 0 && scale <= kMaxDays && shape * scale > kMaxDays) {
        p.add("gamma", "gamma mean shape × scale = " + num(shape * scale) + " days is above the limit of " + kDaysLimit,
              kDaysWhy);
      }
      break;
    }
    case F::kUniform: {
      const auto& u = d.uniform();
      if (!p.finite({{"uniform.min", u.min()}, {"uniform.max", u.max()}})) break;
      if (u.min() < 0) p.add("uniform.min", "uniform min is negative (" + num(u.min()) + ")", "durations are ≥ 0");
      if (u.max() <= u.min()) {
        p.add("uniform.max", "uniform needs min < max, got min " + num(u.min()) + ", max " + num(u.max()),
              "make max larger than min; for a single value use fixed");
      }
      p.too_long("uniform.max", "uniform max", u.max());
      break;
    }
    case F::kPert:
      pert_problems(d.pert(), p);
      break;
  }
  return p.take();
}

}  // namespace cpsf
