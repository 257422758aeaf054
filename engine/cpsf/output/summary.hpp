// A scenario's shape at a glance: what `cpsf validate --summary` prints.
#pragma once

#include <array>
#include <cstddef>
#include <string>

#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

struct ScenarioSummary {
  std::size_t enterprises = 0, assets = 0, relations = 0, controls_implemented = 0, controls_candidate = 0, threats = 0,
              dependencies = 0, targets = 0, entry_assets = 0, all_gates = 0;
  // entry_assets: the assets where some threat enters, by compile()'s rules (model.hpp),
  // with a probability above 0; an asset entered by several threats counts once.
  // [layer 0..2][element 0..5] asset counts (L1..L3 × ORGANIZATION..SYSTEM).
  std::array<std::array<std::size_t, 6>, 3> assets_by_layer_element{};
  std::array<std::size_t, 3> relations_by_layer{};
  std::array<std::size_t, 8> relations_by_kind{};  // RelationKind values 0..7
};

ScenarioSummary summarise(const v1::Scenario& scenario);
std::string format_summary(const v1::Scenario& scenario, const ScenarioSummary& summary);

}  // namespace cpsf
