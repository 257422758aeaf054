// One relation's resolved step, and where each number came from: what `cpsf validate
// --explain RELATION` prints, as text or JSON (docs/library.md, "How a run uses it").
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cpsf/io/load.hpp"

namespace cpsf {

// The relation with id `relation`, or at index `relation` (a number) when no relation has
// that id; none when neither.
std::optional<int> find_relation(const v1::Scenario& scenario, const std::string& relation);

// Where one number came from.
struct Origin {
  std::string from;          // "scenario", "library", "requirement_defaults" or "none"
  std::string at;            // from the scenario: "file:line"
  std::string library_step;  // from the library: the step's id
  std::string source;        // from the library: the provenance's source id ("" : an assumption)
  std::string note;          // from the library: the provenance's note; "none": why
};

// One relation's resolved step per threat capability, its mitigations and the controls in
// force that act on it (the scenario's, and those of the baseline of the target's owner).
struct RelationExplanation {
  struct Numbers {
    std::string capability;  // COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN, ADVANCED_UNKNOWN
    double p = 0;
    Origin p_from;
    std::string ttc;  // described: "exponential, mean 1 days", "0 days", ...
    Origin ttc_from;
  };
  struct Control {
    std::string type;        // "control" or "baseline"
    std::string id;          // the control's id, or the baseline's
    std::string enterprise;  // a baseline's: the enterprise that claims it
    std::string requirement;
    std::string level;
    std::optional<double> efficacy;
    Origin efficacy_from;
  };
  std::string relation;  // id, or "#index" when it has none
  int index = 0;
  std::string from, to, kind, layer, to_element, at;
  std::string library_version;
  std::string library_step, library_description;  // empty: no library step matches
  std::vector<Numbers> capabilities;
  std::vector<std::string> mitigated_by;
  Origin mitigations_from;
  std::vector<Control> controls;
};

// The explanation of relation `index` of a validated scenario.
RelationExplanation explain_relation(const LoadedScenario& loaded, int index);

// As `cpsf validate --explain` prints it, and as `--explain --json` writes it
// (format "cpsf-explain/1").
std::string format_explanation(const RelationExplanation& e);
std::string explanation_json(const RelationExplanation& e);

}  // namespace cpsf
