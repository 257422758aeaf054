// What is wrong with a Distribution, as data: the checks of docs/scenario-format.md
// (Distribution, Limits) for callers below validate/, such as the attack-step library's checks.
//
// The messages are those of validate()'s own check of a scenario's distributions
// (validate/validate.cpp, Validator::distribution), which does not call this yet: the two
// must agree until validate() does. library_test holds this one to the documented rules.
#pragma once

#include <string>
#include <vector>

#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

struct DistributionProblem {
  std::string field;    // below the distribution, e.g. "exponential.mean"; empty: the distribution itself
  std::string message;  // what is wrong, starting with the parameter ("exponential mean must be > 0, not -1")
  std::string hint;     // how to fix it
};

// Every problem of `d`, in field order; empty when it is valid. Unlike validate(), which
// reports non-finite numbers in its generic pass, this reports them too.
std::vector<DistributionProblem> distribution_problems(const v1::Distribution& d);

}  // namespace cpsf
