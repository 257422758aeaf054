#include "cpsf/model/resolve_steps.hpp"

#include <algorithm>

namespace cpsf {

int capability_index(v1::Threat::Capability capability) noexcept {
  switch (capability) {
    case v1::Threat::TARGETED_SUPPLY_CHAIN:
      return 1;
    case v1::Threat::ADVANCED_UNKNOWN:
      return 2;
    default:
      return 0;  // COMMON_ATTACKS, and CAPABILITY_UNSPECIFIED reported as it
  }
}

v1::Threat::Capability capability_at(int index) noexcept {
  static constexpr v1::Threat::Capability kAt[kCapabilities] = {
      v1::Threat::COMMON_ATTACKS, v1::Threat::TARGETED_SUPPLY_CHAIN, v1::Threat::ADVANCED_UNKNOWN};
  return kAt[std::clamp(index, 0, kCapabilities - 1)];
}

EffectiveLibrary::EffectiveLibrary(const v1::Scenario& scenario) {
  if (scenario.has_library()) merged_ = merge_libraries(bundled_library(), scenario.library());
}

bool ResolvedStep::by_capability() const {
  for (int c = 1; c < kCapabilities; ++c) {
    if (p[c] != p[0]) return true;
    if (ttc[c] != ttc[0] &&
        (ttc[c] == nullptr || ttc[0] == nullptr || ttc[c]->SerializeAsString() != ttc[0]->SerializeAsString())) {
      return true;
    }
  }
  return false;
}

StepResolver::StepResolver(const v1::StepLibrary& library) : library_(library), matcher_(library) {}

ResolvedStep StepResolver::resolve(const v1::Relation& r, v1::Element to_element) const {
  ResolvedStep out;
  const v1::AttackStep& step = r.step();
  out.library = matcher_.match(r.kind(), r.layer(), to_element);
  const auto from_library = [&](int c) { return for_capability(*out.library, capability_at(c)); };
  if (step.has_p()) {
    out.p_from = From::Scenario;
    out.p.fill(step.p());
  } else if (out.library != nullptr) {
    out.p_from = From::Library;
    for (int c = 0; c < kCapabilities; ++c) {
      const auto* numbers = from_library(c);
      out.p[c] = numbers != nullptr ? numbers->p() : 0.0;
    }
  }
  if (step.has_ttc()) {
    out.ttc.fill(&step.ttc());
  } else if (out.library != nullptr) {
    out.ttc_from = From::Library;
    for (int c = 0; c < kCapabilities; ++c) {
      const auto* numbers = from_library(c);
      out.ttc[c] = numbers != nullptr && numbers->has_ttc() ? &numbers->ttc() : nullptr;
    }
  }
  if (step.mitigated_by().empty() && !step.has_p() && out.library != nullptr) out.mitigations_from = From::Library;
  return out;
}

bool StepResolver::lists(const v1::Relation& r, const ResolvedStep& step, std::string_view requirement) const {
  bool found = false;
  for_each_requirement(r, step, [&](std::string_view id) { found |= id == requirement; });
  return found;
}

ResolvedEfficacy StepResolver::efficacy(std::optional<double> explicit_value, v1::Level level,
                                        std::string_view requirement, const ResolvedStep& step) const {
  if (explicit_value) return {explicit_value, From::Scenario, nullptr};
  if (step.library != nullptr) {
    if (const auto* m = find_mitigation(step.library->mitigated_by(), requirement)) {
      if (auto v = efficacy_at(*m, level)) return {v, From::Library, m};
    }
  }
  if (const auto* m = find_mitigation(library_.requirement_defaults(), requirement)) {
    if (auto v = efficacy_at(*m, level)) return {v, From::RequirementDefault, m};
  }
  return {};
}

}  // namespace cpsf
