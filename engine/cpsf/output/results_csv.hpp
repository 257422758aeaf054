// assets.csv (one row per asset, main view) and losses.csv (one row per trial) of a run
// (docs/results-format.md), through the one CSV writer (csv.hpp).
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"

namespace cpsf {

std::string assets_csv(const Model& model, const Estimates& estimates);
std::string losses_csv(const SimulationResult& result);

}  // namespace cpsf
