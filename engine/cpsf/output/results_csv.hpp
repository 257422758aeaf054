// The CSVs of a run (docs/results-format.md), through the one CSV writer (csv.hpp):
// assets.csv (one row per asset, main view), losses.csv (one row per trial),
// enterprises.csv (one row per enterprise), paths.csv (one row per top attack path of a
// tracked asset) and chokepoints.csv (one row per threat × tracked asset). Their numbers
// are results.json's.
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/output/output_context.hpp"

namespace cpsf {

// `labels` gives the `name` column (empty cells without).
std::string assets_csv(const Model& model, const Estimates& estimates, const ScenarioLabels& labels = {});
std::string losses_csv(const SimulationResult& result);
// `labels` gives the name, role and sector columns (empty cells without).
std::string enterprises_csv(const Model& model, const SimulationResult& result, const Estimates& estimates,
                            const ScenarioLabels& labels = {});
std::string paths_csv(const Model& model, const Estimates& estimates);
// The header alone when chokepoints were not computed (Estimates::chokepoints_note says why).
std::string chokepoints_csv(const Model& model, const Estimates& estimates);

}  // namespace cpsf
