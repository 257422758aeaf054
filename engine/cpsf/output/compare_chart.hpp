// compare.svg: a bar chart of a comparison (docs/results-format.md).
#pragma once

#include <string>

#include "cpsf/analysis/compare.hpp"

namespace cpsf {

// The mean residual loss with its 95% interval per scenario × baseline, grouped by scenario.
std::string compare_svg(const CompareResult& result);

}  // namespace cpsf
