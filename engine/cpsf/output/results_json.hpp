// results.json (docs/results-format.md): a run's estimates, streamed through the one JSON
// writer (json_writer.hpp), 10^6 assets included.
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// The results.json document (deterministic: no time stamps, no thread count).
std::string results_json(const Model& model, const SimulationResult& result, const Estimates& estimates,
                         const OutputContext& context);

}  // namespace cpsf
