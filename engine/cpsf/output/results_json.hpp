// results.json (docs/results-format.md): a run's estimates, written in nlohmann's dump(1)
// layout, the per-asset arrays streamed (json_writer.hpp).
#pragma once

#include <string>

#include "cpsf/analysis/report.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// The results.json document (deterministic: no time stamps, no thread count).
std::string results_json(const Model& model, const SimulationResult& result, const Report& report,
                         const OutputContext& context);

}  // namespace cpsf
