#include "cpsf/output/explain.hpp"

#include <charconv>
#include <cstdio>
#include <set>

#include "cpsf/base/terminal.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace {

std::string num(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%g", v);
  return b;
}

std::string describe(const v1::Distribution* d) {
  if (d == nullptr) return "0 days";
  switch (d->family_case()) {
    case v1::Distribution::kFixed:
      return "fixed " + num(d->fixed().value()) + " days";
    case v1::Distribution::kExponential:
      return "exponential, mean " + num(d->exponential().mean()) + " days";
    case v1::Distribution::kLognormal:
      return "log-normal mu " + num(d->lognormal().mu()) + " sigma " + num(d->lognormal().sigma());
    case v1::Distribution::kGamma:
      return "gamma shape " + num(d->gamma().shape()) + " scale " + num(d->gamma().scale());
    case v1::Distribution::kUniform:
      return "uniform " + num(d->uniform().min()) + "-" + num(d->uniform().max()) + " days";
    case v1::Distribution::kPert:
      return "PERT " + num(d->pert().min()) + " / " + num(d->pert().mode()) + " / " + num(d->pert().max()) + " days";
    case v1::Distribution::FAMILY_NOT_SET:
      break;
  }
  return "0 days";
}

std::string provenance(const v1::Provenance& p) {
  return (p.source().empty() ? std::string("assumption: ") : "[" + p.source() + "] ") + p.note();
}

// "file:line" of a field of the scenario (the relation's, a control's), from the source map.
std::string written_at(const LoadedScenario& loaded, std::string_view list, int index, const std::string& sub) {
  auto [file, path] = loaded.where(list, index);
  if (!sub.empty()) path += "." + sub;
  Diagnostics d;
  d.add(Diagnostic{Severity::Warning, *file, 0, 0, path, "", "", ""});
  place_diagnostics(d, loaded.files);
  const int line = d.items().front().line;
  return terminal_safe(*file) + (line > 0 ? ":" + std::to_string(line) : "");
}

const char* kCapabilityNames[kCapabilities] = {"COMMON_ATTACKS (SCS ★3)", "TARGETED_SUPPLY_CHAIN (★4)",
                                               "ADVANCED_UNKNOWN (★5)"};

std::string step_numbers(const LoadedScenario& loaded, int index, const ResolvedStep& step) {
  std::string out;
  const std::string lib = step.library != nullptr ? "library step " + terminal_safe(step.library->id()) : "";
  for (int c = 0; c < kCapabilities; ++c) {
    const auto* numbers = step.library != nullptr ? for_capability(*step.library, capability_at(c)) : nullptr;
    out += std::string("  ") + kCapabilityNames[c] + "\n";
    out += "    p    " + num(step.p[c]) + "  from ";
    if (step.p_from == From::Library && numbers != nullptr) {
      out += lib + ": " + terminal_safe(provenance(numbers->p_from())) + "\n";
    } else if (step.p_from == From::Scenario) {
      out += "scenario " + written_at(loaded, "relations", index, "step.p") + "\n";
    } else {
      out += "nowhere (no step.p and no library step)\n";
    }
    out += "    ttc  " + describe(step.ttc[c]) + "  from ";
    if (step.ttc_from == From::Library && numbers != nullptr) {
      out += lib + ": " + terminal_safe(provenance(numbers->ttc_from())) + "\n";
    } else if (step.ttc[c] != nullptr) {
      out += "scenario " + written_at(loaded, "relations", index, "step.ttc") + "\n";
    } else {
      out += "no ttc and no library step: the step takes 0 days\n";
    }
  }
  return out;
}

std::string efficacy_origin(const ResolvedEfficacy& e, const ResolvedStep& step, const std::string& given_at) {
  switch (e.from) {
    case From::Scenario:
      return "given, " + given_at;
    case From::Library:
      return "library step " + terminal_safe(step.library->id()) + ": " +
             terminal_safe(provenance(e.mitigation->from()));
    case From::RequirementDefault:
      return "library requirement_defaults: " + terminal_safe(provenance(e.mitigation->from()));
    case From::Nowhere:
      break;
  }
  return "none (neither given nor in the library)";
}

std::string controls_acting(const LoadedScenario& loaded, const v1::Relation& r, const v1::Asset& target,
                            const StepResolver& steps, const ResolvedStep& step) {
  const v1::Scenario& s = loaded.scenario();
  std::set<std::string> listed;
  steps.for_each_requirement(r, step, [&](std::string_view id) { listed.emplace(id); });
  std::string out;
  for (int i = 0; i < s.controls_size(); ++i) {
    const auto& c = s.controls(i);
    if (!c.implemented() || listed.count(c.requirement()) == 0 || !control_covers(c, r, target)) continue;
    const auto e = steps.efficacy(explicit_efficacy(c), c.level(), c.requirement(), step);
    out += "  control " + terminal_safe(c.id()) + "  " + terminal_safe(c.requirement()) + " " +
           v1::Level_Name(c.level()) + "  efficacy " + (e.value ? num(*e.value) : "?") + "  from " +
           efficacy_origin(e, step, written_at(loaded, "controls", i, "efficacy")) + "\n";
  }
  for (const auto& e : s.enterprises()) {
    if (e.id() != target.owner() || e.baseline().empty()) continue;
    for (const auto& bc : CatalogueIndex(s).controls_of(e.baseline())) {
      if (listed.count(bc.requirement()) == 0) continue;
      const auto eff = steps.efficacy(explicit_efficacy(bc), bc.level(), bc.requirement(), step);
      out += "  baseline " + terminal_safe(e.baseline()) + " of " + terminal_safe(e.id()) + "  " +
             terminal_safe(bc.requirement()) + " " + v1::Level_Name(bc.level()) + "  efficacy " +
             (eff.value ? num(*eff.value) : "?") + "  from " +
             efficacy_origin(eff, step, "in the baseline " + terminal_safe(e.baseline())) + "\n";
    }
  }
  return out.empty() ? "  none\n" : out;
}

}  // namespace

std::optional<int> find_relation(const v1::Scenario& s, const std::string& relation) {
  for (int i = 0; i < s.relations_size(); ++i) {
    if (!relation.empty() && s.relations(i).id() == relation) return i;
  }
  int index = -1;
  const auto [end, ec] = std::from_chars(relation.data(), relation.data() + relation.size(), index);
  if (ec != std::errc() || end != relation.data() + relation.size() || index < 0 || index >= s.relations_size()) {
    return std::nullopt;
  }
  return index;
}

std::string explain_relation(const LoadedScenario& loaded, int index) {
  const v1::Scenario& s = loaded.scenario();
  const v1::Relation& r = s.relations(index);
  const v1::Asset* target = nullptr;
  for (const auto& a : s.assets()) {
    if (a.id() == r.to()) target = &a;
  }
  if (target == nullptr) return "";
  const EffectiveLibrary library(s);
  const StepResolver steps(library.get());
  const ResolvedStep step = steps.resolve(r, target->element());
  std::string out = "relation " + (r.id().empty() ? "#" + std::to_string(index) : terminal_safe(r.id())) + " (" +
                    terminal_safe(r.from()) + " → " + terminal_safe(r.to()) + "), " + v1::RelationKind_Name(r.kind()) +
                    " on " + v1::Layer_Name(r.layer()) + " into " + v1::Element_Name(target->element()) + ", " +
                    written_at(loaded, "relations", index, "") + "\n";
  if (step.library != nullptr) {
    out += "library step " + terminal_safe(step.library->id()) + " (" + terminal_safe(library.get().version()) +
           "): " + terminal_safe(step.library->description()) + "\n";
  } else {
    out += "no library step for this kind, layer and element\n";
  }
  out += step_numbers(loaded, index, step);
  out += "  mitigated by";
  if (step.mitigations_from == From::Library) {
    out += " (library step " + terminal_safe(step.library->id()) + ")";
  } else if (!r.step().mitigated_by().empty()) {
    out += " (scenario " + written_at(loaded, "relations", index, "step.mitigated_by") + ")";
  }
  std::string ids;
  steps.for_each_requirement(r, step, [&](std::string_view id) { ids += " " + terminal_safe(std::string(id)); });
  out += ids.empty() ? ": nothing\n" : ":" + ids + "\n";
  out += "controls in force that act on it\n" + controls_acting(loaded, r, *target, steps, step);
  return out;
}

}  // namespace cpsf
