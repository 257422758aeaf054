// Baseline variants of `cpsf compare` scoped to some enterprises, and what a variant
// costs (docs/cli.md, "cpsf compare"; docs/results-format.md, compare.json).
//
// A variant is written NAME or NAME@SCOPE, where SCOPE is one of
//   id=A|B...      these enterprises (by id)
//   role=R|S...    the enterprises whose role is one of these
//   sector=X|Y...  the enterprises whose sector is one of these
//   suppliers      the enterprises that are the supplier of some dependency
// Enterprises outside the scope keep their baseline. NAME and every value are
// percent-decoded (%2C is ',', %7C '|', %40 '@', %3D '=', %25 '%'), so a value may hold
// any character, and the comma-separated `-b` list never splits one.
//
// The annual cost of a variant is what the controls it adds cost a year, summed over the
// enterprises whose baseline it changes (baseline_change_cost); catalogue costs are
// annual per enterprise and full, not incremental.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/supplier_rule.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

struct VariantScope {
  enum class Kind { All, Id, Role, Sector, Suppliers };
  Kind kind = Kind::All;
  std::vector<std::string> values;  // decoded; Id, Role, Sector only
};

struct BaselineVariant {
  std::string name;  // "as-is", "supplier-rule" or a baseline id, decoded
  VariantScope scope;
};

// "id", "role", "sector", "suppliers" ("all" for Kind::All).
const char* variant_scope_name(VariantScope::Kind kind);

// Parses a variant as written; throws std::invalid_argument (what is wrong, the syntax,
// how to fix it) for an empty part, an unknown key, a bad %-escape, or a scope on as-is
// or supplier-rule (which take none).
BaselineVariant parse_baseline_variant(const std::string& text);

// The ids of the enterprises of `s` in the scope, in enterprise order (every one for All).
std::vector<std::string> scope_matches(const v1::Scenario& s, const VariantScope& scope);

// Every value of the scope must name some enterprise of some scenario (a misspelt role
// would be a setting with no effect); throws std::invalid_argument naming the values
// that exist. `text` is the variant as written.
void check_scope_values(const std::vector<const v1::Scenario*>& scenarios, const VariantScope& scope,
                        const std::string& text);

// Applies the variant to `s`: as-is changes nothing, supplier-rule applies the rule (its
// decisions returned), a baseline id is given to the enterprises in scope.
std::vector<SupplierDecision> apply_variant(v1::Scenario& s, const BaselineVariant& variant);

// The annual cost, per enterprise, of moving from baseline `from` to `to` ("" for none):
// each control of `to` (after extends) costs its `cost`, except that a requirement `from`
// already has at least as strong (the same kind of entry, with an efficacy or a level at
// least as high) adds nothing, and one it has weaker adds the difference of the two
// costs, never below 0. Moving to a weaker baseline or to none saves nothing here.
double baseline_change_cost(const CatalogueIndex& catalogue, const std::string& from, const std::string& to);

// What a variant adds a year: baseline_change_cost summed over the enterprises whose
// baseline differs between `before` and `after` (the same enterprises, in order).
// `unstated` collects the new baselines' controls of cost 0 (cost not stated): baseline id
// → requirements.
using UnstatedCosts = std::map<std::string, std::set<std::string>>;
double variant_cost(const v1::Scenario& before, const v1::Scenario& after, UnstatedCosts* unstated);

}  // namespace cpsf
