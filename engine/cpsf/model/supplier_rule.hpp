// Baselines as assignments: give enterprises a baseline wholesale, or by the SCS supplier
// rule (METI supply-chain security evaluation scheme, docs/cpsf-reference.md §6.1): a
// supplier needs ★4 when its IT handles the buyer's important confidential information,
// when its outage would delay the buyer unacceptably, or when its environment can reach
// the buyer's internal systems; otherwise ★3.
//
// The first two facts are declared on the SupplyDependency; the third is derived from the
// attack graph, so it cannot go stale: a relation from an asset the supplier owns to an
// asset the customer owns that is a network, trust, data-flow or software-supply
// connection, or lies in layer L3 (connections in cyberspace).
#pragma once

#include <string>
#include <vector>

#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// Which enterprises assign_baseline changes.
struct BaselineScope {
  enum class Kind { All, Suppliers, Enterprises };
  Kind kind = Kind::All;
  std::vector<std::string> enterprises;  // Kind::Enterprises: these ids

  static BaselineScope all() { return {}; }
  // Enterprises that are the `supplier` of some dependency.
  static BaselineScope suppliers() { return {Kind::Suppliers, {}}; }
  static BaselineScope only(std::vector<std::string> ids) { return {Kind::Enterprises, std::move(ids)}; }
};

// Throws std::invalid_argument (what, and how to fix it) unless `baseline` is a baseline
// of the scenario or of the built-in catalogue. "SCS-5" gets the validator's explanation:
// ★5 is still under design and has no control set, unless the scenario defines it.
void check_baseline_defined(const v1::Scenario& scenario, const std::string& baseline);
// The baselines a scenario can use: the built-in ones, then its own, in order.
std::vector<std::string> defined_baselines(const v1::Scenario& scenario);

// Sets Enterprise.baseline of every enterprise in `scope` to `baseline` ("" removes it).
// Returns how many enterprises it set. Throws std::invalid_argument for an undefined
// baseline or an unknown enterprise id in the scope.
std::size_t assign_baseline(v1::Scenario& scenario, const std::string& baseline,
                            const BaselineScope& scope = BaselineScope::all());

// Why a supplier was put at ★4 (one reason per fact and customer).
struct SupplierReason {
  enum class Kind { ConfidentialData, UnacceptableDelay, ReachesSystems };
  Kind kind;
  std::string customer;  // enterprise id
  // ReachesSystems: the first qualifying relation (its id, or "from → to" without one)
  // and how many relations qualify for this customer.
  std::string relation;
  std::size_t relations = 0;
};
const char* supplier_reason_name(SupplierReason::Kind kind);  // "confidential_data", ...
std::string describe(const SupplierReason& reason);           // one readable sentence

struct SupplierDecision {
  std::string enterprise;
  std::string previous_baseline;        // "" when it had none
  std::string baseline;                 // "SCS-4" or "SCS-3"
  std::vector<std::string> customers;   // of its dependencies, in dependency order
  std::vector<SupplierReason> reasons;  // empty for ★3
};

inline constexpr const char* kSupplierRuleHigh = "SCS-4";
inline constexpr const char* kSupplierRuleLow = "SCS-3";

// Applies the rule to every enterprise that is the supplier of some dependency, in
// enterprise order; every other enterprise keeps its baseline. Throws
// std::invalid_argument when SCS-3 or SCS-4 is not defined (a scenario can replace them,
// not remove them) or a dependency names an unknown enterprise.
std::vector<SupplierDecision> apply_supplier_rule(v1::Scenario& scenario);

}  // namespace cpsf
