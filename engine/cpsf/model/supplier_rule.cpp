#include "cpsf/model/supplier_rule.hpp"

#include <map>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "cpsf/model/catalogue.hpp"

namespace cpsf {

namespace {

std::string quoted(const std::string& s) { return "'" + s + "'"; }

// The supplier can reach the customer's systems over this relation: a connection an
// attacker uses (network, trust, data, software), or anything in cyberspace.
bool reaches(const v1::Relation& r) {
  switch (r.kind()) {
    case v1::NETWORK:
    case v1::TRUST:
    case v1::DATA_FLOW:
    case v1::SOFTWARE_SUPPLY:
      return true;
    default:
      return r.layer() == v1::L3;
  }
}

std::string relation_label(const v1::Relation& r) { return r.id().empty() ? r.from() + " → " + r.to() : r.id(); }

}  // namespace

void check_baseline_defined(const v1::Scenario& scenario, const std::string& baseline) {
  const CatalogueIndex catalogue(scenario);
  if (catalogue.find_baseline(baseline) != nullptr) return;
  // The same explanation as the validator gives for `baseline: "SCS-5"` (validate.cpp).
  if (baseline == "SCS-5") {
    throw std::invalid_argument(
        "baseline 'SCS-5' is not defined: SCS ★5 is still under design by METI and has no control set (fix: use "
        "SCS-4 or define SCS-5 under baselines)");
  }
  std::string known;
  for (const auto& id : defined_baselines(scenario)) known += (known.empty() ? "" : ", ") + id;
  throw std::invalid_argument("baseline " + quoted(baseline) + " is not defined (fix: use one of " + known +
                              ", or define it under the scenario's baselines)");
}

std::vector<std::string> defined_baselines(const v1::Scenario& scenario) {
  std::vector<std::string> out;
  const CatalogueIndex catalogue(scenario);
  for (const auto& b : builtin_catalogue().baselines()) out.push_back(b.id());
  for (const auto& b : scenario.baselines()) {
    if (!catalogue.is_builtin_baseline(b.id())) out.push_back(b.id());
  }
  return out;
}

std::size_t assign_baseline(v1::Scenario& scenario, const std::string& baseline, const BaselineScope& scope) {
  if (!baseline.empty()) check_baseline_defined(scenario, baseline);
  std::unordered_set<std::string> chosen;
  if (scope.kind == BaselineScope::Kind::Suppliers) {
    for (const auto& d : scenario.dependencies()) chosen.insert(d.supplier());
  } else if (scope.kind == BaselineScope::Kind::Enterprises) {
    std::unordered_set<std::string> ids;
    for (const auto& e : scenario.enterprises()) ids.insert(e.id());
    for (const auto& id : scope.enterprises) {
      if (!ids.count(id)) {
        throw std::invalid_argument("enterprise " + quoted(id) +
                                    " is not in the scenario (fix: give ids from its enterprises list)");
      }
      chosen.insert(id);
    }
  }
  std::size_t set = 0;
  for (auto& e : *scenario.mutable_enterprises()) {
    if (scope.kind != BaselineScope::Kind::All && !chosen.count(e.id())) continue;
    e.set_baseline(baseline);
    ++set;
  }
  return set;
}

const char* supplier_reason_name(SupplierReason::Kind kind) {
  switch (kind) {
    case SupplierReason::Kind::ConfidentialData:
      return "confidential_data";
    case SupplierReason::Kind::UnacceptableDelay:
      return "unacceptable_delay";
    case SupplierReason::Kind::ReachesSystems:
      return "reaches_systems";
  }
  return "unknown";
}

std::string describe(const SupplierReason& r) {
  switch (r.kind) {
    case SupplierReason::Kind::ConfidentialData:
      return "handles the confidential data of " + quoted(r.customer);
    case SupplierReason::Kind::UnacceptableDelay:
      return "its outage would delay " + quoted(r.customer) + " unacceptably";
    case SupplierReason::Kind::ReachesSystems:
      return "can reach the systems of " + quoted(r.customer) + " (relation " + quoted(r.relation) +
             (r.relations > 1 ? " and " + std::to_string(r.relations - 1) + " more" : "") + ")";
  }
  return "";
}

std::vector<SupplierDecision> apply_supplier_rule(v1::Scenario& scenario) {
  check_baseline_defined(scenario, kSupplierRuleHigh);
  check_baseline_defined(scenario, kSupplierRuleLow);
  std::unordered_map<std::string, int> enterprise_index;
  for (int i = 0; i < scenario.enterprises_size(); ++i) enterprise_index.emplace(scenario.enterprises(i).id(), i);
  for (const auto& d : scenario.dependencies()) {
    for (const std::string* id : {&d.customer(), &d.supplier()}) {
      if (!enterprise_index.count(*id)) {
        throw std::invalid_argument("dependency " + d.customer() + " ← " + d.supplier() + " names enterprise " +
                                    quoted(*id) + ", which is not defined (fix: validate the scenario first)");
      }
    }
  }

  // Cross-enterprise relations that give reach, per (supplier, customer): first one and count.
  std::unordered_map<std::string, const std::string*> owner;
  for (const auto& a : scenario.assets()) owner.emplace(a.id(), &a.owner());
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::size_t>> reach;
  for (const auto& r : scenario.relations()) {
    const auto from = owner.find(r.from());
    const auto to = owner.find(r.to());
    if (from == owner.end() || to == owner.end() || *from->second == *to->second || !reaches(r)) continue;
    auto [it, fresh] = reach.try_emplace({*from->second, *to->second}, relation_label(r), 0);
    ++it->second.second;
  }

  std::vector<SupplierDecision> decisions(static_cast<std::size_t>(scenario.enterprises_size()));
  std::vector<bool> is_supplier(decisions.size(), false);
  for (const auto& d : scenario.dependencies()) {
    const auto i = static_cast<std::size_t>(enterprise_index.at(d.supplier()));
    is_supplier[i] = true;
    SupplierDecision& out = decisions[i];
    out.customers.push_back(d.customer());
    using K = SupplierReason::Kind;
    if (d.handles_confidential_data()) out.reasons.push_back({K::ConfidentialData, d.customer(), "", 0});
    if (d.unacceptable_delay()) out.reasons.push_back({K::UnacceptableDelay, d.customer(), "", 0});
    if (const auto it = reach.find({d.supplier(), d.customer()}); it != reach.end()) {
      out.reasons.push_back({K::ReachesSystems, d.customer(), it->second.first, it->second.second});
    }
  }
  std::vector<SupplierDecision> made;
  for (std::size_t i = 0; i < decisions.size(); ++i) {
    if (!is_supplier[i]) continue;
    auto& e = *scenario.mutable_enterprises(static_cast<int>(i));
    SupplierDecision& d = decisions[i];
    d.enterprise = e.id();
    d.previous_baseline = e.baseline();
    d.baseline = d.reasons.empty() ? kSupplierRuleLow : kSupplierRuleHigh;
    e.set_baseline(d.baseline);
    made.push_back(std::move(d));
  }
  return made;
}

}  // namespace cpsf
