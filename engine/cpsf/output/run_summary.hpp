// What `cpsf run` prints: a readable summary of a run's estimates for the terminal.
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// Ids and names are escaped for the terminal (terminal.hpp), columns padded by display width.
std::string text_summary(const Model& model, const SimulationResult& result, const Estimates& estimates,
                         const OutputContext& context);

}  // namespace cpsf
