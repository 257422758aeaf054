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
  // Where the relations' steps and the controls' efficacies came from (the attack-step
  // library, docs/library.md): counts of relations, and of controls (the scenario's and
  // those of the baselines its enterprises claim, each baseline control once per baseline).
  struct FromLibrary {
    std::size_t steps = 0;  // relations with a matching library step that gives them something
    std::size_t p_library = 0, p_scenario = 0, p_missing = 0;
    std::size_t ttc_library = 0, ttc_scenario = 0, ttc_none = 0;  // none: 0 days
    std::size_t mitigations_library = 0, mitigations_scenario = 0, mitigations_none = 0;
    std::size_t efficacy_library = 0, efficacy_scenario = 0;
    std::string version;  // of the merged library
    std::size_t library_steps = 0;
  } library;
};

ScenarioSummary summarise(const v1::Scenario& scenario);
std::string format_summary(const v1::Scenario& scenario, const ScenarioSummary& summary);

}  // namespace cpsf
