#include "cpsf/output/summary.hpp"

#include <cstdio>
#include <set>
#include <unordered_map>
#include <unordered_set>

#include "cpsf/base/terminal.hpp"
#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace {

// Where each relation's step and each control's efficacy came from.
void summarise_library(const v1::Scenario& s, ScenarioSummary::FromLibrary& out) {
  const EffectiveLibrary library(s);
  const StepResolver steps(library.get());
  out.version = library.get().version();
  out.library_steps = static_cast<std::size_t>(library.get().steps_size());
  std::unordered_map<std::string_view, v1::Element> element;
  for (const auto& a : s.assets()) element.emplace(a.id(), a.element());
  for (const auto& r : s.relations()) {
    const auto it = element.find(r.to());
    const ResolvedStep step = steps.resolve(r, it == element.end() ? v1::ELEMENT_UNSPECIFIED : it->second);
    const bool p_lib = step.p_from == From::Library, ttc_lib = step.ttc_from == From::Library,
               mit_lib = step.mitigations_from == From::Library;
    out.steps += p_lib || ttc_lib || mit_lib ? 1 : 0;
    (p_lib ? out.p_library : step.p_from == From::Scenario ? out.p_scenario : out.p_missing)++;
    (ttc_lib ? out.ttc_library : r.step().has_ttc() ? out.ttc_scenario : out.ttc_none)++;
    (mit_lib                           ? out.mitigations_library
     : r.step().mitigated_by().empty() ? out.mitigations_none
                                       : out.mitigations_scenario)++;
  }
  for (const auto& c : s.controls()) (c.has_efficacy() ? out.efficacy_scenario : out.efficacy_library)++;
  const CatalogueIndex catalogue(s);
  std::set<std::string> baselines;
  for (const auto& e : s.enterprises()) {
    if (!e.baseline().empty()) baselines.insert(e.baseline());
  }
  for (const auto& b : baselines) {
    for (const auto& bc : catalogue.controls_of(b))
      (bc.has_efficacy() ? out.efficacy_scenario : out.efficacy_library)++;
  }
}

// The lines of the summary on what came from the attack-step library.
std::string format_library_use(const ScenarioSummary& m) {
  std::string out;
  char line[256];
  const auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  const auto& l = m.library;
  add("  from the attack-step library (%s, %zu steps): %zu of %zu relations' steps\n",
      l.version.empty() ? "unversioned" : terminal_safe(l.version).c_str(), l.library_steps, l.steps, m.relations);
  add("    p            %zu library, %zu scenario", l.p_library, l.p_scenario);
  if (l.p_missing > 0) add(", %zu missing", l.p_missing);
  add("\n    ttc          %zu library, %zu scenario, %zu none (0 days)\n", l.ttc_library, l.ttc_scenario, l.ttc_none);
  add("    mitigations  %zu library, %zu scenario, %zu none\n", l.mitigations_library, l.mitigations_scenario,
      l.mitigations_none);
  return out;
}

}  // namespace

ScenarioSummary summarise(const v1::Scenario& s) {
  ScenarioSummary m;
  m.enterprises = static_cast<std::size_t>(s.enterprises_size());
  m.assets = static_cast<std::size_t>(s.assets_size());
  m.relations = static_cast<std::size_t>(s.relations_size());
  m.threats = static_cast<std::size_t>(s.threats_size());
  m.dependencies = static_cast<std::size_t>(s.dependencies_size());
  for (const auto& a : s.assets()) {
    if (a.layer() >= 1 && a.layer() <= 3 && a.element() >= 1 && a.element() <= 6) {
      ++m.assets_by_layer_element[static_cast<std::size_t>(a.layer() - 1)][static_cast<std::size_t>(a.element() - 1)];
    }
    m.targets += a.target() ? 1 : 0;
    m.all_gates += a.gate() == v1::ALL ? 1 : 0;
  }
  // The assets where some threat enters, by compile()'s rules (model.hpp): entry points
  // with probability > 0, and the exposed assets when some threat (or the implicit one)
  // enters at the exposures. Ids, as the summary may see an unvalidated scenario.
  std::unordered_set<std::string_view> entries;
  if (exposures_used(s)) {
    for (const auto& a : s.assets()) {
      if (a.exposure() > 0) entries.insert(a.id());
    }
  }
  for (const auto& t : s.threats()) {
    for (const auto& e : t.entry_points()) {
      if (e.probability() > 0) entries.insert(e.asset());
    }
  }
  m.entry_assets = entries.size();
  for (const auto& r : s.relations()) {
    if (r.layer() >= 1 && r.layer() <= 3) ++m.relations_by_layer[static_cast<std::size_t>(r.layer() - 1)];
    if (r.kind() >= 0 && r.kind() < 8) ++m.relations_by_kind[static_cast<std::size_t>(r.kind())];
  }
  for (const auto& c : s.controls()) (c.implemented() ? m.controls_implemented : m.controls_candidate)++;
  summarise_library(s, m.library);
  return m;
}

std::string format_summary(const v1::Scenario& s, const ScenarioSummary& m) {
  std::string out;
  char line[256];
  const auto add = [&](const char* fmt, auto... args) {
    std::snprintf(line, sizeof line, fmt, args...);
    out += line;
  };
  // Names and ids are the scenario's: escaped, and padded by display width (line[] holds
  // numbers only).
  out += "scenario      " + (s.name().empty() ? std::string("(unnamed)") : terminal_safe(s.name())) + "\n";
  add("enterprises   %zu\n", m.enterprises);
  const auto& ents = s.enterprises();
  const std::size_t w_id = column_width(ents, 22, [](const auto& e) { return e.id(); });
  const std::size_t w_sector = column_width(ents, 14, 24, [](const auto& e) { return e.sector(); });
  const std::size_t w_base = column_width(ents, 6, 24, [](const auto& e) { return e.baseline(); });
  for (const auto& e : ents) {  // the role is free text: last, and never cut
    std::string row = "  " + pad_right(e.id(), w_id) + " " + pad_right(e.sector(), w_sector) + " baseline " +
                      pad_right(e.baseline().empty() ? "-" : e.baseline(), w_base) + " " + terminal_safe(e.role());
    while (row.back() == ' ') row.pop_back();
    out += row + "\n";
  }
  add("assets        %zu (%zu targets, %zu entry points, %zu ALL gates)\n", m.assets, m.targets, m.entry_assets,
      m.all_gates);
  out += "  layer \\ element      ORG  PEOPLE  COMP  DATA  PROC   SYS  total\n";
  const char* layers[] = {"L1 organisations", "L2 cyber-physical", "L3 cyberspace"};
  std::array<std::size_t, 6> column{};
  for (std::size_t l = 0; l < 3; ++l) {
    std::size_t total = 0;
    add("  %-18s", layers[l]);
    for (std::size_t e = 0; e < 6; ++e) {
      add("%6zu", m.assets_by_layer_element[l][e]);
      total += m.assets_by_layer_element[l][e];
      column[e] += m.assets_by_layer_element[l][e];
    }
    add("%7zu\n", total);
  }
  add("  %-18s", "total");
  for (std::size_t e = 0; e < 6; ++e) add("%6zu", column[e]);
  add("%7zu\n", m.assets);
  add("relations     %zu (L1 %zu, L2 %zu, L3 %zu)\n", m.relations, m.relations_by_layer[0], m.relations_by_layer[1],
      m.relations_by_layer[2]);
  const char* kinds[] = {"unspecified",      "network",          "trust",       "data flow", "software supply",
                         "physical control", "personnel access", "goods supply"};
  out += "  by kind:";
  bool first = true;
  for (std::size_t k = 0; k < 8; ++k) {
    if (m.relations_by_kind[k] == 0) continue;
    add("%s %s %zu", first ? "" : ",", kinds[k], m.relations_by_kind[k]);
    first = false;
  }
  out += "\n";
  out += format_library_use(m);
  add("controls      %zu implemented, %zu candidates\n", m.controls_implemented, m.controls_candidate);
  out += "  efficacies: " + std::to_string(m.library.efficacy_scenario) + " given, " +
         std::to_string(m.library.efficacy_library) +
         " from the library by level (controls, and the controls of the baselines claimed)\n";
  add("threats       %zu\n", m.threats);
  const std::size_t w_threat = column_width(s.threats(), 22, [](const auto& t) { return t.id(); });
  std::size_t exposed = 0;
  for (const auto& a : s.assets()) exposed += a.exposure() > 0 ? 1 : 0;
  for (const auto& t : s.threats()) {
    out += "  " + pad_right(t.id(), w_threat);
    if (enters_at_exposures(t)) {
      add(" %zu entry points (the exposed assets), %zu objectives", exposed,
          static_cast<std::size_t>(t.objectives_size()));
    } else {
      add(" %zu entry points, %zu objectives", static_cast<std::size_t>(t.entry_points_size()),
          static_cast<std::size_t>(t.objectives_size()));
    }
    if (t.has_annual_frequency()) add(", %g a year", t.annual_frequency());
    out += "\n";
  }
  add("dependencies  %zu\n", m.dependencies);
  return out;
}

}  // namespace cpsf
