// One relation's resolved step, and where each number came from: what `cpsf validate
// --explain RELATION` prints (docs/library.md, "How a run uses it").
#pragma once

#include <optional>
#include <string>

#include "cpsf/io/load.hpp"

namespace cpsf {

// The relation with id `relation`, or at index `relation` (a number) when no relation has
// that id; none when neither.
std::optional<int> find_relation(const v1::Scenario& scenario, const std::string& relation);

// The resolved step of relation `index` of a validated scenario, per threat capability: p,
// time to compromise and mitigations, each with its origin (the library step's id and the
// number's provenance, or the scenario file and line), and the controls in force that act
// on it (the scenario's, and those of the baseline of the target's owner) with their
// efficacy and its origin.
std::string explain_relation(const LoadedScenario& loaded, int index);

}  // namespace cpsf
