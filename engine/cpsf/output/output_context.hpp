// Where a result came from, as the writers name it: the scenario's file, name and currency,
// and the display names the model leaves out.
#pragma once

#include <string>
#include <vector>

namespace cpsf::v1 {
class Scenario;
}

namespace cpsf {

// What a person reads beside the ids (enterprises.csv, assets.csv's `name`), which the
// compiled model does not keep: index = the model's asset or enterprise index (scenario
// order). A vector whose strings would all be empty is left empty; a writer writes an
// empty cell for any index a vector does not hold.
struct ScenarioLabels {
  std::vector<std::string> asset_name, enterprise_name, enterprise_role, enterprise_sector;
};

ScenarioLabels scenario_labels(const v1::Scenario& scenario);

struct OutputContext {
  std::string scenario_file, scenario_name, currency;
  ScenarioLabels labels = {};
};

// The context of a run of `scenario`, read from `file`.
OutputContext output_context(const std::string& file, const v1::Scenario& scenario);

}  // namespace cpsf
