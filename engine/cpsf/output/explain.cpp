#include "cpsf/output/explain.hpp"

#include <charconv>
#include <cstdio>
#include <set>

#include "cpsf/base/terminal.hpp"
#include "cpsf/io/source_map.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/resolve_steps.hpp"
#include "cpsf/output/json_writer.hpp"

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

Origin scenario_origin(std::string at) {
  Origin o;
  o.from = "scenario";
  o.at = std::move(at);
  return o;
}

Origin library_origin(const std::string& step, const v1::Provenance& p, const char* from = "library") {
  Origin o;
  o.from = from;
  o.library_step = step;
  o.source = p.source();
  o.note = p.note();
  return o;
}

Origin no_origin(std::string why) {
  Origin o;
  o.from = "none";
  o.note = std::move(why);
  return o;
}

// "file:line" of a field of the scenario (the relation's, a control's), from the source map.
std::string written_at(const LoadedScenario& loaded, std::string_view list, int index, const std::string& sub) {
  auto [file, path] = loaded.where(list, index);
  if (!sub.empty()) path += "." + sub;
  Diagnostics d;
  d.add(Diagnostic{Severity::Warning, *file, 0, 0, path, "", "", ""});
  place_diagnostics(d, loaded.files);
  const int line = d.items().front().line;
  return *file + (line > 0 ? ":" + std::to_string(line) : "");
}

std::vector<RelationExplanation::Numbers> step_numbers(const LoadedScenario& loaded, int index,
                                                       const ResolvedStep& step) {
  std::vector<RelationExplanation::Numbers> out;
  const std::string lib = step.library != nullptr ? step.library->id() : "";
  for (int c = 0; c < kCapabilities; ++c) {
    const auto* numbers = step.library != nullptr ? for_capability(*step.library, capability_at(c)) : nullptr;
    RelationExplanation::Numbers n;
    n.capability = v1::Threat::Capability_Name(capability_at(c));
    n.p = step.p[c];
    if (step.p_from == From::Library && numbers != nullptr) {
      n.p_from = library_origin(lib, numbers->p_from());
    } else if (step.p_from == From::Scenario) {
      n.p_from = scenario_origin(written_at(loaded, "relations", index, "step.p"));
    } else {
      n.p_from = no_origin("no step.p and no library step");
    }
    n.ttc = describe(step.ttc[c]);
    if (step.ttc_from == From::Library && numbers != nullptr) {
      n.ttc_from = library_origin(lib, numbers->ttc_from());
    } else if (step.ttc[c] != nullptr) {
      n.ttc_from = scenario_origin(written_at(loaded, "relations", index, "step.ttc"));
    } else {
      n.ttc_from = no_origin("no ttc and no library step: the step takes 0 days");
    }
    out.push_back(std::move(n));
  }
  return out;
}

Origin efficacy_origin(const ResolvedEfficacy& e, const ResolvedStep& step, std::string given_at) {
  switch (e.from) {
    case From::Scenario:
      return scenario_origin(std::move(given_at));
    case From::Library:
      return library_origin(step.library->id(), e.mitigation->from());
    case From::RequirementDefault:
      return library_origin("", e.mitigation->from(), "requirement_defaults");
    case From::Nowhere:
      break;
  }
  return no_origin("neither given nor in the library");
}

std::vector<RelationExplanation::Control> controls_acting(const LoadedScenario& loaded, const v1::Relation& r,
                                                          const v1::Asset& target, const StepResolver& steps,
                                                          const ResolvedStep& step) {
  const v1::Scenario& s = loaded.scenario();
  std::set<std::string> listed;
  steps.for_each_requirement(r, step, [&](std::string_view id) { listed.emplace(id); });
  std::vector<RelationExplanation::Control> out;
  for (int i = 0; i < s.controls_size(); ++i) {
    const auto& c = s.controls(i);
    if (!c.implemented() || listed.count(c.requirement()) == 0 || !control_covers(c, r, target)) continue;
    const auto e = steps.efficacy(explicit_efficacy(c), c.level(), c.requirement(), step);
    out.push_back({"control", c.id(), "", c.requirement(), v1::Level_Name(c.level()), e.value,
                   efficacy_origin(e, step, written_at(loaded, "controls", i, "efficacy"))});
  }
  for (const auto& e : s.enterprises()) {
    if (e.id() != target.owner() || e.baseline().empty()) continue;
    for (const auto& bc : CatalogueIndex(s).controls_of(e.baseline())) {
      if (listed.count(bc.requirement()) == 0) continue;
      const auto eff = steps.efficacy(explicit_efficacy(bc), bc.level(), bc.requirement(), step);
      out.push_back({"baseline", e.baseline(), e.id(), bc.requirement(), v1::Level_Name(bc.level()), eff.value,
                     efficacy_origin(eff, step, "in the baseline " + e.baseline())});
    }
  }
  return out;
}

// The text of an origin after "from ", as `cpsf validate --explain` has printed it.
std::string origin_text(const Origin& o) {
  const std::string provenance =
      (o.source.empty() ? std::string("assumption: ") : "[" + terminal_safe(o.source) + "] ") + terminal_safe(o.note);
  if (o.from == "scenario") return "scenario " + terminal_safe(o.at);
  if (o.from == "library") return "library step " + terminal_safe(o.library_step) + ": " + provenance;
  if (o.from == "requirement_defaults") return "library requirement_defaults: " + provenance;
  return terminal_safe(o.note);
}

const char* capability_label(const std::string& name) {
  if (name == "COMMON_ATTACKS") return "COMMON_ATTACKS (SCS ★3)";
  if (name == "TARGETED_SUPPLY_CHAIN") return "TARGETED_SUPPLY_CHAIN (★4)";
  return "ADVANCED_UNKNOWN (★5)";
}

void write_origin(JsonWriter& w, const Origin& o) {
  w.begin_object();
  w.key("from").string(o.from);
  if (o.from == "scenario") w.key("at").string(o.at);
  if (!o.library_step.empty()) w.key("library_step").string(o.library_step);
  if (o.from == "library" || o.from == "requirement_defaults") w.key("source").string(o.source);
  w.key("note").string(o.note);
  w.end_object();
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

RelationExplanation explain_relation(const LoadedScenario& loaded, int index) {
  const v1::Scenario& s = loaded.scenario();
  const v1::Relation& r = s.relations(index);
  RelationExplanation x;
  x.relation = r.id().empty() ? "#" + std::to_string(index) : r.id();
  x.index = index;
  x.from = r.from();
  x.to = r.to();
  x.kind = v1::RelationKind_Name(r.kind());
  x.layer = v1::Layer_Name(r.layer());
  x.at = written_at(loaded, "relations", index, "");
  const v1::Asset* target = nullptr;
  for (const auto& a : s.assets()) {
    if (a.id() == r.to()) target = &a;
  }
  if (target == nullptr) return x;  // not reached: the scenario is valid
  x.to_element = v1::Element_Name(target->element());
  const EffectiveLibrary library(s);
  const StepResolver steps(library.get());
  const ResolvedStep step = steps.resolve(r, target->element());
  x.library_version = library.get().version();
  if (step.library != nullptr) {
    x.library_step = step.library->id();
    x.library_description = step.library->description();
  }
  x.capabilities = step_numbers(loaded, index, step);
  steps.for_each_requirement(r, step, [&](std::string_view id) { x.mitigated_by.emplace_back(id); });
  if (step.mitigations_from == From::Library) {
    x.mitigations_from = library_origin(step.library->id(), v1::Provenance());
  } else if (!r.step().mitigated_by().empty()) {
    x.mitigations_from = scenario_origin(written_at(loaded, "relations", index, "step.mitigated_by"));
  } else {
    x.mitigations_from =
        no_origin(step.p_from == From::Scenario ? "the step writes p and lists no mitigations: nothing mitigates it"
                                                : "no mitigations listed and none in the library");
  }
  x.controls = controls_acting(loaded, r, *target, steps, step);
  return x;
}

std::string format_explanation(const RelationExplanation& x) {
  std::string out = "relation " + terminal_safe(x.relation) + " (" + terminal_safe(x.from) + " → " +
                    terminal_safe(x.to) + "), " + x.kind + " on " + x.layer + " into " + x.to_element + ", " +
                    terminal_safe(x.at) + "\n";
  if (!x.library_step.empty()) {
    out += "library step " + terminal_safe(x.library_step) + " (" + terminal_safe(x.library_version) +
           "): " + terminal_safe(x.library_description) + "\n";
  } else {
    out += "no library step for this kind, layer and element\n";
  }
  for (const auto& n : x.capabilities) {
    out += std::string("  ") + capability_label(n.capability) + "\n";
    out += "    p    " + num(n.p) + "  from " + origin_text(n.p_from) + "\n";
    out += "    ttc  " + n.ttc + "  from " + origin_text(n.ttc_from) + "\n";
  }
  out += "  mitigated by";
  if (x.mitigations_from.from == "library") {
    out += " (library step " + terminal_safe(x.mitigations_from.library_step) + ")";
  } else if (x.mitigations_from.from == "scenario") {
    out += " (scenario " + terminal_safe(x.mitigations_from.at) + ")";
  }
  std::string ids;
  for (const auto& id : x.mitigated_by) ids += " " + terminal_safe(id);
  out += ids.empty() ? ": nothing\n" : ":" + ids + "\n";
  out += "controls in force that act on it\n";
  for (const auto& c : x.controls) {
    out += "  " + c.type + " " + terminal_safe(c.id) +
           (c.enterprise.empty() ? "" : " of " + terminal_safe(c.enterprise)) + "  " + terminal_safe(c.requirement) +
           " " + c.level + "  efficacy " + (c.efficacy ? num(*c.efficacy) : "?") + "  from " +
           (c.efficacy_from.from == "scenario" ? "given, " + terminal_safe(c.efficacy_from.at)
            : c.efficacy_from.from == "none"   ? "none (neither given nor in the library)"
                                               : origin_text(c.efficacy_from)) +
           "\n";
  }
  if (x.controls.empty()) out += "  none\n";
  return out;
}

std::string explanation_json(const RelationExplanation& x) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_format_and_engine(w, "cpsf-explain/1");
  w.key("relation").begin_object();
  w.key("id").string(x.relation);
  w.key("index").count(static_cast<std::uint64_t>(x.index));
  w.key("from").string(x.from);
  w.key("to").string(x.to);
  w.key("kind").string(x.kind);
  w.key("layer").string(x.layer);
  w.key("to_element").string(x.to_element);
  w.key("at").string(x.at);
  w.end_object();
  w.key("library").begin_object();
  w.key("version").string(x.library_version);
  if (x.library_step.empty()) {
    w.key("step").null();
  } else {
    w.key("step").string(x.library_step);
    w.key("description").string(x.library_description);
  }
  w.end_object();
  w.key("capabilities").begin_array();
  for (const auto& n : x.capabilities) {
    w.begin_object();
    w.key("capability").string(n.capability);
    w.key("p").number(n.p);
    w.key("p_from");
    write_origin(w, n.p_from);
    w.key("ttc").string(n.ttc);
    w.key("ttc_from");
    write_origin(w, n.ttc_from);
    w.end_object();
  }
  w.end_array();
  w.key("mitigated_by").strings(x.mitigated_by);
  w.key("mitigations_from");
  write_origin(w, x.mitigations_from);
  w.key("controls").begin_array();
  for (const auto& c : x.controls) {
    w.begin_object();
    w.key("type").string(c.type);
    w.key("id").string(c.id);
    if (!c.enterprise.empty()) w.key("enterprise").string(c.enterprise);
    w.key("requirement").string(c.requirement);
    w.key("level").string(c.level);
    if (c.efficacy) {
      w.key("efficacy").number(*c.efficacy);
    } else {
      w.key("efficacy").null();
    }
    w.key("efficacy_from");
    write_origin(w, c.efficacy_from);
    w.end_object();
  }
  w.end_array();
  w.end_object();
  out += '\n';
  return out;
}

}  // namespace cpsf
