// A relation's attack step and a control's efficacy as a run uses them: what the scenario
// gives explicitly, else what the attack-step library says (docs/library.md, "How a run
// uses it"). compile() builds the model from these; validate() reports what cannot be
// resolved; `cpsf validate --summary` and `cpsf validate --explain RELATION` show where each
// number came from.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cpsf/model/library.hpp"
#include "cpsf/v1/catalogue.pb.h"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

// The threat capabilities a library step has numbers for, as indices 0..2: COMMON_ATTACKS
// (and CAPABILITY_UNSPECIFIED, reported as it), TARGETED_SUPPLY_CHAIN, ADVANCED_UNKNOWN.
inline constexpr int kCapabilities = 3;
int capability_index(v1::Threat::Capability capability) noexcept;
v1::Threat::Capability capability_at(int index) noexcept;

// The library a scenario runs with: the bundled one with the scenario's `library` over it
// (a --library file has been applied to that already, model/library_file.hpp). Without a
// `library` in the scenario it is the bundled library itself, not a copy.
class EffectiveLibrary {
 public:
  explicit EffectiveLibrary(const v1::Scenario& scenario);
  [[nodiscard]] const v1::StepLibrary& get() const { return merged_ ? *merged_ : bundled_library(); }

 private:
  std::optional<v1::StepLibrary> merged_;
};

// Where a resolved number came from.
enum class From : std::uint8_t {
  Scenario,            // written in the scenario (or its includes)
  Library,             // the matching library step
  RequirementDefault,  // the library's requirement_defaults (efficacies only)
  Nowhere,             // not given and not in the library: a validation error
};

// One relation's step as resolved.
struct ResolvedStep {
  const v1::LibraryStep* library = nullptr;  // the matching library step, if any
  From p_from = From::Nowhere;
  From ttc_from = From::Scenario;  // Scenario with no ttc given and no library step: 0 days
  From mitigations_from = From::Scenario;
  std::array<double, kCapabilities> p{};  // by capability index; 0 where p_from is Nowhere
  // By capability index; nullptr: the step takes 0 days.
  std::array<const v1::Distribution*, kCapabilities> ttc{};
  // Whether p or the time differs between capabilities.
  [[nodiscard]] bool by_capability() const;
};

// A control's efficacy on one relation's step, resolved.
struct ResolvedEfficacy {
  std::optional<double> value;  // none: neither given nor in the library
  From from = From::Nowhere;
  const v1::LibraryStep::Mitigation* mitigation = nullptr;  // the library entry it came from
};

class StepResolver {
 public:
  // `library` (usually EffectiveLibrary::get()) must outlive the resolver.
  explicit StepResolver(const v1::StepLibrary& library);

  // The step of relation `r`, whose `to` asset is of element `to_element`:
  // - p: step.p when given (the same for every capability), else the library step's p
  //   for each capability, else none (From::Nowhere);
  // - ttc: step.ttc when given, else the library step's, else 0 days;
  // - mitigated_by: step.mitigated_by when it lists any; else the library step's
  //   requirements, but only for a step that gives no p either: a step whose p is written
  //   by hand lists its mitigations by hand too (an empty list cannot be told from an
  //   absent one, and a hand-entered step with none means "nothing mitigates it").
  [[nodiscard]] ResolvedStep resolve(const v1::Relation& r, v1::Element to_element) const;

  // Calls visit(requirement) for each requirement id that mitigates the step, in order,
  // repeats included (the caller counts a requirement once).
  template <class Visit>
  void for_each_requirement(const v1::Relation& r, const ResolvedStep& step, Visit visit) const {
    if (step.mitigations_from == From::Library) {
      for (const auto& m : step.library->mitigated_by()) visit(std::string_view(m.requirement()));
    } else {
      for (const auto& id : r.step().mitigated_by()) visit(std::string_view(id));
    }
  }
  // Whether `requirement` mitigates the step.
  [[nodiscard]] bool lists(const v1::Relation& r, const ResolvedStep& step, std::string_view requirement) const;

  // The efficacy of a control for `requirement` on the step: its explicit value, else the
  // library step's mitigation for the requirement at `level`, else the library's
  // requirement_defaults at `level`, else none.
  [[nodiscard]] ResolvedEfficacy efficacy(std::optional<double> explicit_value, v1::Level level,
                                          std::string_view requirement, const ResolvedStep& step) const;

  [[nodiscard]] const v1::StepLibrary& library() const { return library_; }

 private:
  const v1::StepLibrary& library_;
  StepMatcher matcher_;
};

// Whether control `c` covers relation r → `target`: r's id is in its `relations`, or the
// target in its `assets`, or the target's owner in its `enterprises`; with all three
// empty it covers every relation (scenario.proto, Control).
inline bool control_covers(const v1::Control& c, const v1::Relation& r, const v1::Asset& target) {
  if (c.enterprises().empty() && c.assets().empty() && c.relations().empty()) return true;
  const auto has = [](const auto& list, const std::string& id) {
    return !id.empty() && std::find(list.begin(), list.end(), id) != list.end();
  };
  return has(c.relations(), r.id()) || has(c.assets(), target.id()) || has(c.enterprises(), target.owner());
}

// A control's or baseline control's explicit efficacy, when it gives one.
inline std::optional<double> explicit_efficacy(const v1::Control& c) {
  return c.has_efficacy() ? std::optional<double>(c.efficacy()) : std::nullopt;
}
inline std::optional<double> explicit_efficacy(const v1::BaselineControl& c) {
  return c.has_efficacy() ? std::optional<double>(c.efficacy()) : std::nullopt;
}

}  // namespace cpsf
