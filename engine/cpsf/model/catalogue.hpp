// The CPSF catalogue: requirement ids and baselines known to the validator and engine.
//
// The built-in catalogue is model/catalogue/cpsf.textproto, embedded at build time;
// a scenario adds its own `requirements` and `baselines` (the catalogue is data a user
// can correct, never hard-wired logic: reference/cpsf.md).
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "cpsf/v1/catalogue.pb.h"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// The built-in catalogue, parsed once. Aborts with a message if the embedded text does
// not parse (a build defect, caught by the tests).
const v1::Catalogue& builtin_catalogue();

// True when `id` has the shape CPS.<XX>-<n>: two or three capital letters, a positive number.
bool is_requirement_id(std::string_view id);

// The built-in catalogue with a scenario's extensions. A scenario baseline with the id
// of a built-in one replaces it.
class CatalogueIndex {
 public:
  explicit CatalogueIndex(const v1::Scenario& scenario);

  [[nodiscard]] bool has_requirement(std::string_view id) const;
  [[nodiscard]] bool has_category(std::string_view code) const;
  [[nodiscard]] const v1::Baseline* find_baseline(std::string_view id) const;
  [[nodiscard]] bool is_builtin_baseline(std::string_view id) const;
  // The baseline's controls with those of every baseline it extends; a requirement
  // given several times keeps its strongest entry with an efficacy (the highest) and its
  // strongest without one (the highest level: its efficacy comes from the attack-step
  // library per relation, model/resolve_steps.hpp, and rises with the level). Empty when
  // the id is unknown or the `extends` chain has a cycle.
  [[nodiscard]] std::vector<v1::BaselineControl> controls_of(std::string_view baseline_id) const;

 private:
  std::unordered_map<std::string, const v1::Requirement*> requirements_;
  std::unordered_map<std::string, const v1::Baseline*> baselines_;
  std::unordered_map<std::string, const v1::Baseline*> builtin_baselines_;
  std::unordered_map<std::string, bool> categories_;
};

}  // namespace cpsf
