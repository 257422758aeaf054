#include "cpsf/output/output_context.hpp"

#include <algorithm>

#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

namespace {

// Each item's field, or nothing when every one is empty: a model of 10^6 unnamed assets
// keeps no 10^6 empty strings through the run.
template <typename Items, typename Field>
std::vector<std::string> column(const Items& items, Field field) {
  if (std::all_of(items.begin(), items.end(), [&](const auto& item) { return field(item).empty(); })) return {};
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(items.size()));
  for (const auto& item : items) out.emplace_back(field(item));
  return out;
}

}  // namespace

ScenarioLabels scenario_labels(const v1::Scenario& s) {
  ScenarioLabels labels;
  labels.asset_name = column(s.assets(), [](const v1::Asset& a) -> const std::string& { return a.name(); });
  labels.enterprise_name =
      column(s.enterprises(), [](const v1::Enterprise& e) -> const std::string& { return e.name(); });
  labels.enterprise_role =
      column(s.enterprises(), [](const v1::Enterprise& e) -> const std::string& { return e.role(); });
  labels.enterprise_sector =
      column(s.enterprises(), [](const v1::Enterprise& e) -> const std::string& { return e.sector(); });
  return labels;
}

OutputContext output_context(const std::string& file, const v1::Scenario& scenario) {
  return {file, scenario.name(), scenario.currency(), scenario_labels(scenario)};
}

}  // namespace cpsf
