#include "cpsf/analysis/baseline_variants.hpp"

#include <algorithm>
#include <map>
#include <stdexcept>
#include <unordered_set>
#include <utility>

#include "cpsf/analysis/compare.hpp"

namespace cpsf {

namespace {

constexpr const char* kSyntax =
    "write NAME@id=A|B, NAME@role=R|S, NAME@sector=X|Y or NAME@suppliers, with %2C for ',', %7C for '|', %40 "
    "for '@', %3D for '=' and %25 for '%' inside a name or value";

std::string quoted(const std::string& s) { return "'" + s + "'"; }

[[noreturn]] void bad(const std::string& text, const std::string& what) {
  throw std::invalid_argument("baseline variant " + quoted(text) + ": " + what + " (fix: " + kSyntax + ")");
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX → the byte XX; anything else as it is.
std::string percent_decode(const std::string& part, const std::string& text) {
  std::string out;
  out.reserve(part.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    if (part[i] != '%') {
      out += part[i];
      continue;
    }
    const int h = i + 2 < part.size() ? hex_digit(part[i + 1]) : -1;
    const int l = i + 2 < part.size() ? hex_digit(part[i + 2]) : -1;
    if (h < 0 || l < 0) bad(text, "a '%' not followed by two hex digits");
    out += static_cast<char>(h * 16 + l);
    i += 2;
  }
  return out;
}

const std::string& field_of(const v1::Enterprise& e, VariantScope::Kind kind) {
  return kind == VariantScope::Kind::Role ? e.role() : kind == VariantScope::Kind::Sector ? e.sector() : e.id();
}

bool in_scope(const v1::Enterprise& e, const VariantScope& scope, const std::unordered_set<std::string>& suppliers) {
  switch (scope.kind) {
    case VariantScope::Kind::All:
      return true;
    case VariantScope::Kind::Suppliers:
      return suppliers.count(e.id()) != 0;
    default: {
      const std::string& v = field_of(e, scope.kind);
      return std::find(scope.values.begin(), scope.values.end(), v) != scope.values.end();
    }
  }
}

}  // namespace

const char* variant_scope_name(VariantScope::Kind kind) {
  switch (kind) {
    case VariantScope::Kind::All:
      return "all";
    case VariantScope::Kind::Id:
      return "id";
    case VariantScope::Kind::Role:
      return "role";
    case VariantScope::Kind::Sector:
      return "sector";
    case VariantScope::Kind::Suppliers:
      return "suppliers";
  }
  return "?";
}

BaselineVariant parse_baseline_variant(const std::string& text) {
  BaselineVariant v;
  const std::size_t at = text.find('@');
  v.name = percent_decode(text.substr(0, at), text);
  if (at == std::string::npos) return v;
  if (v.name.empty()) bad(text, "no baseline before '@'");
  if (v.name == kAsIs || v.name == kSupplierRule) {
    bad(text, v.name + (v.name == kAsIs ? " changes no enterprise" : " decides each supplier by the rule") +
                  ", so it takes no scope; give a baseline id before '@'");
  }
  const std::string scope = text.substr(at + 1);
  if (scope == "suppliers") {
    v.scope.kind = VariantScope::Kind::Suppliers;
    return v;
  }
  const std::size_t eq = scope.find('=');
  const std::string key = scope.substr(0, eq);
  if (key == "id") {
    v.scope.kind = VariantScope::Kind::Id;
  } else if (key == "role") {
    v.scope.kind = VariantScope::Kind::Role;
  } else if (key == "sector") {
    v.scope.kind = VariantScope::Kind::Sector;
  } else {
    bad(text, "unknown scope " + quoted(key) + "; the scopes are id, role, sector and suppliers");
  }
  if (eq == std::string::npos) bad(text, "no '=' after " + key);
  const std::string values = scope.substr(eq + 1);
  for (std::size_t start = 0;;) {
    const std::size_t bar = values.find('|', start);
    const std::string value = percent_decode(values.substr(start, bar - start), text);
    if (value.empty()) bad(text, "an empty " + key + " (every value between '|' must be given)");
    if (std::find(v.scope.values.begin(), v.scope.values.end(), value) != v.scope.values.end()) {
      bad(text, key + " " + quoted(value) + " is given twice");
    }
    v.scope.values.push_back(value);
    if (bar == std::string::npos) break;
    start = bar + 1;
  }
  return v;
}

std::vector<std::string> scope_matches(const v1::Scenario& s, const VariantScope& scope) {
  std::unordered_set<std::string> suppliers;
  for (const auto& d : s.dependencies()) suppliers.insert(d.supplier());
  std::vector<std::string> out;
  for (const auto& e : s.enterprises()) {
    if (in_scope(e, scope, suppliers)) out.push_back(e.id());
  }
  return out;
}

void check_scope_values(const std::vector<const v1::Scenario*>& scenarios, const VariantScope& scope,
                        const std::string& text) {
  if (scope.kind == VariantScope::Kind::All || scope.kind == VariantScope::Kind::Suppliers) return;
  std::set<std::string> existing;  // sorted, so the message is stable
  for (const auto* s : scenarios) {
    for (const auto& e : s->enterprises()) {
      if (!field_of(e, scope.kind).empty()) existing.insert(field_of(e, scope.kind));
    }
  }
  const char* key = variant_scope_name(scope.kind);
  for (const auto& value : scope.values) {
    if (existing.count(value) != 0) continue;
    std::string known;
    std::size_t listed = 0;
    for (const auto& x : existing) {
      if (++listed > 20) {
        known += ", ...";
        break;
      }
      known += (known.empty() ? "" : ", ") + x;
    }
    throw std::invalid_argument("baseline variant " + quoted(text) + ": no enterprise has " + key + " " +
                                quoted(value) + " (fix: " +
                                (known.empty() ? "no enterprise states a " + std::string(key) +
                                                     "; set it in the scenario's enterprises, or use another scope"
                                               : "use one of the " + std::string(key) + "s that exist: " + known +
                                                     "; inside a value write %2C for ',' and %7C for '|'") +
                                ")");
  }
}

std::vector<SupplierDecision> apply_variant(v1::Scenario& s, const BaselineVariant& variant) {
  if (variant.name == kAsIs) return {};
  if (variant.name == kSupplierRule) return apply_supplier_rule(s);
  if (variant.scope.kind == VariantScope::Kind::All) {
    assign_baseline(s, variant.name);
  } else {
    assign_baseline(s, variant.name, BaselineScope::only(scope_matches(s, variant.scope)));
  }
  return {};
}

double baseline_change_cost(const CatalogueIndex& catalogue, const std::string& from, const std::string& to) {
  if (to.empty() || from == to) return 0.0;
  // Keyed as controls_of keeps them: by requirement and whether the efficacy is given.
  std::map<std::pair<std::string, bool>, v1::BaselineControl> had;
  if (!from.empty()) {
    for (auto& c : catalogue.controls_of(from)) had.emplace(std::make_pair(c.requirement(), c.has_efficacy()), c);
  }
  double cost = 0.0;
  for (const auto& c : catalogue.controls_of(to)) {
    const auto it = had.find({c.requirement(), c.has_efficacy()});
    if (it == had.end()) {
      cost += c.cost();
      continue;
    }
    const auto& old = it->second;
    const bool as_strong = c.has_efficacy() ? old.efficacy() >= c.efficacy() : old.level() >= c.level();
    if (!as_strong) cost += std::max(0.0, c.cost() - old.cost());
  }
  return cost;
}

double variant_cost(const v1::Scenario& before, const v1::Scenario& after, UnstatedCosts* unstated) {
  const CatalogueIndex catalogue(after);
  double cost = 0.0;
  const int n = std::min(before.enterprises_size(), after.enterprises_size());
  for (int i = 0; i < n; ++i) {
    const std::string& from = before.enterprises(i).baseline();
    const std::string& to = after.enterprises(i).baseline();
    if (from == to) continue;
    cost += baseline_change_cost(catalogue, from, to);
    if (unstated == nullptr || to.empty()) continue;
    for (const auto& c : catalogue.controls_of(to)) {
      if (c.cost() == 0) (*unstated)[to].insert(c.requirement());
    }
  }
  return cost;
}

}  // namespace cpsf
