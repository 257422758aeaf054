// The attack-step library: the bundled data holds the documented rules (docs/library.md),
// and the library's lookups work.
#include "cpsf/model/library.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "cpsf/model/catalogue.hpp"
#include "cpsf/model/distribution_check.hpp"

namespace cpsf {
namespace {

using Capability = v1::Threat::Capability;
constexpr Capability kCapabilities[] = {v1::Threat::COMMON_ATTACKS, v1::Threat::TARGETED_SUPPLY_CHAIN,
                                        v1::Threat::ADVANCED_UNKNOWN};

// The mean of a duration law in days (scenario.proto, Distribution).
double mean_days(const v1::Distribution& d) {
  switch (d.family_case()) {
    case v1::Distribution::kFixed:
      return d.fixed().value();
    case v1::Distribution::kExponential:
      return d.exponential().mean();
    case v1::Distribution::kLognormal:
      return std::exp(d.lognormal().mu() + 0.5 * d.lognormal().sigma() * d.lognormal().sigma());
    case v1::Distribution::kGamma:
      return d.gamma().shape() * d.gamma().scale();
    case v1::Distribution::kUniform:
      return 0.5 * (d.uniform().min() + d.uniform().max());
    case v1::Distribution::kPert: {
      const double lambda = d.pert().has_lambda() ? d.pert().lambda() : 4.0;
      return (d.pert().min() + lambda * d.pert().mode() + d.pert().max()) / (lambda + 2);
    }
    case v1::Distribution::FAMILY_NOT_SET:
      break;
  }
  return NAN;
}

// Every mitigation of the library: the steps' and the requirement defaults.
std::vector<const v1::LibraryStep::Mitigation*> mitigations_of(const v1::StepLibrary& library) {
  std::vector<const v1::LibraryStep::Mitigation*> all;
  for (const auto& step : library.steps()) {
    for (const auto& m : step.mitigated_by()) all.push_back(&m);
  }
  for (const auto& m : library.requirement_defaults()) all.push_back(&m);
  return all;
}

bool notes_say(const v1::StepLibrary& library, const std::string& text) {
  for (const auto& note : library.notes()) {
    if (note.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(Library, BundledParsesWithItsVersionSourcesAndSteps) {
  const auto& l = bundled_library();
  EXPECT_EQ(l.version(), "cpsf-steps 1.0");
  EXPECT_EQ(bundled_library_file(), "model/library/cpsf-steps.textproto");
  EXPECT_EQ(l.steps_size(), 23);  // research-16 E1-E24 without E4 (NETWORK on L1)
  std::set<std::string> sources;
  for (const auto& s : l.sources()) sources.insert(s.id());
  for (const char* id :
       {"corelang", "malcompiler", "mal-toolbox", "mcqueen2006", "holm2014", "sommestad2011", "cpsf-catalogue"}) {
    EXPECT_TRUE(sources.count(id)) << id;
  }
  EXPECT_FALSE(l.replace_bundled());
}

// Only ids of the built-in catalogue: the library never invents a requirement id.
TEST(Library, BundledNamesOnlyRequirementsOfTheCatalogue) {
  const CatalogueIndex catalogue(v1::Scenario{});
  for (const auto* m : mitigations_of(bundled_library())) {
    EXPECT_TRUE(catalogue.has_requirement(m->requirement())) << m->requirement();
  }
  // What it would need and the catalogue lacks is said in its notes.
  for (const char* id : {"CPS.BE-2", "CPS.CM-6"}) EXPECT_TRUE(notes_say(bundled_library(), id)) << id;
  EXPECT_TRUE(notes_say(bundled_library(), "No step for NETWORK on L1"));
}

// The documented direction (docs/library.md, R2 and R3): a more capable threat succeeds at
// least as often and at least as fast.
TEST(Library, BundledStepsGetNoEasierForALessCapableThreat) {
  for (const auto& step : bundled_library().steps()) {
    const v1::LibraryStep::ByCapability* previous = nullptr;
    for (const Capability c : kCapabilities) {
      const auto* now = for_capability(step, c);
      ASSERT_NE(now, nullptr) << step.id() << " " << v1::Threat::Capability_Name(c);
      if (previous != nullptr) {
        EXPECT_GE(now->p(), previous->p()) << step.id() << " " << v1::Threat::Capability_Name(c);
        EXPECT_LE(mean_days(now->ttc()), mean_days(previous->ttc()))
            << step.id() << " " << v1::Threat::Capability_Name(c);
      }
      previous = now;
    }
    // ★5 is strictly stronger than ★3 in p, unless ★3 is already certain.
    const double p3 = for_capability(step, v1::Threat::COMMON_ATTACKS)->p();
    if (p3 < 1) {
      EXPECT_GT(for_capability(step, v1::Threat::ADVANCED_UNKNOWN)->p(), p3) << step.id();
    }
  }
}

TEST(Library, BundledEfficacyGrowsWithTheLevel) {
  for (const auto* m : mitigations_of(bundled_library())) {
    EXPECT_LE(0.0, m->basic()) << m->requirement();
    EXPECT_LE(m->basic(), m->advanced()) << m->requirement();
    EXPECT_LE(m->advanced(), m->high_advanced()) << m->requirement();
    EXPECT_LE(m->high_advanced(), 0.7) << m->requirement() << ": the catalogue's cap";
  }
}

// A requirement default for every requirement the library or a catalogue baseline uses,
// equal to the SCS baselines' efficacies, so that taking a baseline's efficacy from the
// library changes nothing; where the JC-STAR baselines differ, the notes say so.
TEST(Library, BundledRequirementDefaultsMatchTheCatalogueBaselines) {
  const auto& l = bundled_library();
  for (const auto* m : mitigations_of(l)) {
    EXPECT_NE(find_mitigation(l.requirement_defaults(), m->requirement()), nullptr) << m->requirement();
  }
  const CatalogueIndex catalogue(v1::Scenario{});
  for (const auto& baseline : builtin_catalogue().baselines()) {
    for (const auto& control : baseline.controls()) {
      const auto* d = find_mitigation(l.requirement_defaults(), control.requirement());
      ASSERT_NE(d, nullptr) << baseline.id() << " " << control.requirement();
      const auto efficacy = efficacy_at(*d, control.level());
      ASSERT_TRUE(efficacy.has_value()) << baseline.id() << " " << control.requirement();
      if (baseline.id().rfind("SCS-", 0) == 0) {
        EXPECT_DOUBLE_EQ(*efficacy, control.efficacy()) << baseline.id() << " " << control.requirement();
      } else if (*efficacy != control.efficacy()) {
        char text[32];
        std::snprintf(text, sizeof text, "%g", control.efficacy());
        const std::string said =
            baseline.id() + " " + control.requirement() + " " + v1::Level_Name(control.level()) + " " + text;
        EXPECT_TRUE(notes_say(l, said)) << "the notes do not say: " << said;
      }
    }
  }
}

TEST(Library, CapabilityMitigationAndLevelLookups) {
  v1::LibraryStep step;
  for (const Capability c : kCapabilities) {
    auto* b = step.add_by_capability();
    b->set_capability(c);
    b->set_p(0.1 * static_cast<int>(c));
  }
  EXPECT_DOUBLE_EQ(for_capability(step, v1::Threat::CAPABILITY_UNSPECIFIED)->p(), 0.1);  // as COMMON_ATTACKS
  EXPECT_DOUBLE_EQ(for_capability(step, v1::Threat::ADVANCED_UNKNOWN)->p(), 0.3);
  EXPECT_EQ(for_capability(v1::LibraryStep{}, v1::Threat::COMMON_ATTACKS), nullptr);

  auto* m = step.add_mitigated_by();
  m->set_requirement("CPS.AC-1");
  m->set_basic(0.1);
  m->set_advanced(0.2);
  m->set_high_advanced(0.3);
  EXPECT_EQ(find_mitigation(step.mitigated_by(), "CPS.AC-1"), m);
  EXPECT_EQ(find_mitigation(step.mitigated_by(), "CPS.AC-2"), nullptr);
  EXPECT_EQ(efficacy_at(*m, v1::BASIC), 0.1);
  EXPECT_EQ(efficacy_at(*m, v1::ADVANCED), 0.2);
  EXPECT_EQ(efficacy_at(*m, v1::HIGH_ADVANCED), 0.3);
  EXPECT_EQ(efficacy_at(*m, v1::LEVEL_UNSPECIFIED), std::nullopt);
  EXPECT_EQ(efficacy_at(*m, static_cast<v1::Level>(9)), std::nullopt);
}

// ---- checks ---------------------------------------------------------------------------------

Diagnostics check(const v1::StepLibrary& library, const LibraryOrigin& origin = {"lib.textproto", ""}) {
  Diagnostics out;
  check_library(library, origin, out);
  return out;
}

std::string dump(const Diagnostics& d) {
  std::string text;
  for (const auto& item : d.items()) text += item.format() + "\n";
  return text;
}

v1::StepLibrary parse(const std::string& text) {
  v1::StepLibrary l;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &l)) << text;
  return l;
}

// A step with every field valid: its id, kind, layers and elements are the arguments.
std::string step_text(const std::string& id, const std::string& kind, const std::string& layers,
                      const std::string& elements) {
  std::string text = "steps { id: \"" + id + "\" kind: " + kind + " " + layers + " " + elements;
  for (const char* c : {"COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN"}) {
    text += std::string(" by_capability { capability: ") + c +
            " p: 0.5 p_from { note: \"assumed\" } ttc { exponential { mean: 1 } }"
            " ttc_from { source: \"s\" note: \"where\" } }";
  }
  text +=
      " mitigated_by { requirement: \"CPS.AC-1\" basic: 0.1 advanced: 0.2 high_advanced: 0.3"
      " from { note: \"assumed\" } } }\n";
  return text;
}

// A small library that passes every check.
v1::StepLibrary valid() {
  return parse("version: \"test 1\" sources { id: \"s\" citation: \"a source\" }\n" +
               step_text("a", "NETWORK", "layers: L3", "target_elements: SYSTEM") +
               "requirement_defaults { requirement: \"CPS.AC-1\" basic: 0.1 advanced: 0.2 high_advanced: 0.3"
               " from { source: \"s\" note: \"table 1\" } }\n");
}

// The library has exactly one diagnostic, an error at `path` whose message holds `message`
// (and whose hint holds `hint`); the file and entity are the origin's and the item's.
void expect_only_error(const v1::StepLibrary& library, const std::string& path, const std::string& message,
                       const std::string& hint = "") {
  const Diagnostics d = check(library);
  ASSERT_EQ(d.items().size(), 1u) << "expected one error at " << path << ", got:\n" << dump(d);
  const Diagnostic& e = d.items()[0];
  EXPECT_EQ(e.severity, Severity::Error);
  EXPECT_EQ(e.file, "lib.textproto");
  EXPECT_EQ(e.path, path) << dump(d);
  EXPECT_NE(e.message.find(message), std::string::npos) << "message: " << e.message << "\nexpected: " << message;
  EXPECT_NE(e.hint.find(hint), std::string::npos) << "hint: " << e.hint << "\nexpected: " << hint;
  EXPECT_FALSE(e.entity.empty());
  EXPECT_FALSE(e.hint.empty());
}

TEST(LibraryCheck, TheBundledLibraryPasses) {
  const Diagnostics d = check(bundled_library(), {std::string(bundled_library_file()), ""});
  EXPECT_TRUE(d.empty()) << dump(d);
}

TEST(LibraryCheck, AValidLibraryPassesAndEmptyIsValid) {
  EXPECT_TRUE(check(valid()).empty()) << dump(check(valid()));
  EXPECT_TRUE(check(v1::StepLibrary{}).empty());
}

TEST(LibraryCheck, StepIdsAreGivenAndUnique) {
  auto l = valid();
  l.mutable_steps(0)->clear_id();
  expect_only_error(l, "steps[0].id", "library step has no id");
  EXPECT_EQ(check(l).items()[0].entity, "library step #0");

  l = valid();
  *l.add_steps() = l.steps(0);
  l.mutable_steps(1)->set_target_elements(0, v1::DATA);  // not ambiguous, only the id repeats
  expect_only_error(l, "steps[1].id", "step id 'a' is already used by steps[0]");
  EXPECT_EQ(check(l).items()[0].entity, "library step 'a'");
}

TEST(LibraryCheck, KindIsSet) {
  auto l = valid();
  l.mutable_steps(0)->set_kind(v1::RELATION_KIND_UNSPECIFIED);
  expect_only_error(l, "steps[0].kind", "library step has no kind", "NETWORK, TRUST, DATA_FLOW");
  l.mutable_steps(0)->set_kind(static_cast<v1::RelationKind>(99));
  expect_only_error(l, "steps[0].kind", "kind 99 is not a RelationKind value");
}

TEST(LibraryCheck, AtLeastOneLayerAndOnlyRealLayersAndElements) {
  auto l = valid();
  l.mutable_steps(0)->clear_layers();
  expect_only_error(l, "steps[0].layers", "library step lists no layer", "L1, L2, L3");
  l = valid();
  l.mutable_steps(0)->add_layers(v1::LAYER_UNSPECIFIED);
  expect_only_error(l, "steps[0].layers[1]", "layer LAYER_UNSPECIFIED is not a layer");
  l = valid();
  l.mutable_steps(0)->add_target_elements(static_cast<v1::Element>(99));
  expect_only_error(l, "steps[0].target_elements[1]", "target element 99 is not an element", "ORGANIZATION");
}

TEST(LibraryCheck, ExactlyOneEntryPerCapability) {
  auto l = valid();
  l.mutable_steps(0)->mutable_by_capability()->RemoveLast();
  expect_only_error(l, "steps[0].by_capability", "no by_capability for ADVANCED_UNKNOWN",
                    "COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN and ADVANCED_UNKNOWN");

  l = valid();
  l.mutable_steps(0)->mutable_by_capability(2)->set_capability(v1::Threat::COMMON_ATTACKS);
  Diagnostics d = check(l);
  ASSERT_EQ(d.items().size(), 2u) << dump(d);
  EXPECT_EQ(d.items()[0].path, "steps[0].by_capability[2].capability");
  EXPECT_EQ(d.items()[0].message, "capability COMMON_ATTACKS is already given at by_capability[0]");
  EXPECT_EQ(d.items()[1].message, "no by_capability for ADVANCED_UNKNOWN");

  l = valid();
  l.mutable_steps(0)->mutable_by_capability(2)->set_capability(v1::Threat::CAPABILITY_UNSPECIFIED);
  d = check(l);
  ASSERT_EQ(d.items().size(), 2u) << dump(d);
  EXPECT_EQ(d.items()[0].message, "by_capability has capability CAPABILITY_UNSPECIFIED, not a threat capability");
}

TEST(LibraryCheck, PIsAProbability) {
  auto l = valid();
  l.mutable_steps(0)->mutable_by_capability(1)->set_p(1.2);
  expect_only_error(l, "steps[0].by_capability[1].p", "TARGETED_SUPPLY_CHAIN p is 1.2, outside [0, 1]");
  l.mutable_steps(0)->mutable_by_capability(1)->set_p(-0.1);
  expect_only_error(l, "steps[0].by_capability[1].p", "p is -0.1, outside [0, 1]");
  l.mutable_steps(0)->mutable_by_capability(1)->set_p(std::nan(""));
  expect_only_error(l, "steps[0].by_capability[1].p", "p is nan, not a finite number");
  l.mutable_steps(0)->mutable_by_capability(1)->set_p(1);  // the bounds are allowed
  l.mutable_steps(0)->mutable_by_capability(0)->set_p(0);
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
}

TEST(LibraryCheck, TtcIsAValidDistribution) {
  auto l = valid();
  auto* c = l.mutable_steps(0)->mutable_by_capability(0);
  c->clear_ttc();
  expect_only_error(l, "steps[0].by_capability[0].ttc", "COMMON_ATTACKS ttc is missing", "fixed { value: 0 }");
  c->mutable_ttc();  // present, no family
  expect_only_error(l, "steps[0].by_capability[0].ttc", "COMMON_ATTACKS ttc: has no distribution family");
  c->mutable_ttc()->mutable_exponential()->set_mean(-1);
  expect_only_error(l, "steps[0].by_capability[0].ttc.exponential.mean",
                    "COMMON_ATTACKS ttc: exponential mean must be > 0, not -1");
  c->mutable_ttc()->mutable_uniform()->set_min(5);
  c->mutable_ttc()->mutable_uniform()->set_max(2);
  expect_only_error(l, "steps[0].by_capability[0].ttc.uniform.max", "uniform needs min < max, got min 5, max 2");
  c->mutable_ttc()->mutable_fixed()->set_value(0);  // instant
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
}

TEST(LibraryCheck, EfficacyIsInTheUnitIntervalAndGrowsWithTheLevel) {
  auto l = valid();
  auto* m = l.mutable_steps(0)->mutable_mitigated_by(0);
  m->set_high_advanced(1.5);
  expect_only_error(l, "steps[0].mitigated_by[0].high_advanced",
                    "CPS.AC-1 high_advanced efficacy is 1.5, outside [0, 1]");
  m->set_high_advanced(0.3);
  m->set_basic(0.5);
  expect_only_error(l, "steps[0].mitigated_by[0]",
                    "CPS.AC-1 efficacy decreases with the level: basic 0.5, advanced 0.2, high_advanced 0.3",
                    "basic ≤ advanced ≤ high_advanced");
  m->set_basic(0.2);  // equal levels are allowed
  m->set_high_advanced(0.2);
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
  l.mutable_requirement_defaults(0)->set_advanced(0.05);
  expect_only_error(l, "requirement_defaults[0]", "CPS.AC-1 efficacy decreases with the level");
  EXPECT_EQ(check(l).items()[0].entity, "library requirement default 'CPS.AC-1'");
}

TEST(LibraryCheck, RequirementIdsHaveTheCpsfFormAndAppearOnce) {
  auto l = valid();
  l.mutable_steps(0)->mutable_mitigated_by(0)->set_requirement("AC-1");
  expect_only_error(l, "steps[0].mitigated_by[0].requirement", "'AC-1' is not of the form CPS.<XX>-<n>", "CPS.AC-1");
  l.mutable_steps(0)->mutable_mitigated_by(0)->clear_requirement();
  expect_only_error(l, "steps[0].mitigated_by[0].requirement", "mitigation has no requirement");

  l = valid();
  *l.mutable_steps(0)->add_mitigated_by() = l.steps(0).mitigated_by(0);
  expect_only_error(l, "steps[0].mitigated_by[1].requirement", "'CPS.AC-1' is already listed at mitigated_by[0]");

  l = valid();
  *l.add_requirement_defaults() = l.requirement_defaults(0);
  expect_only_error(l, "requirement_defaults[1].requirement",
                    "'CPS.AC-1' already has a default at requirement_defaults[0]");
  l = valid();
  l.mutable_requirement_defaults(0)->set_requirement("CPS.X-1");
  expect_only_error(l, "requirement_defaults[0].requirement", "'CPS.X-1' is not of the form CPS.<XX>-<n>");
}

TEST(LibraryCheck, EveryNumberHasANoteAndAKnownSource) {
  auto l = valid();
  l.mutable_steps(0)->mutable_by_capability(0)->mutable_p_from()->clear_note();
  expect_only_error(l, "steps[0].by_capability[0].p_from.note", "COMMON_ATTACKS p has no provenance note",
                    "the assumption and its reasoning");
  l = valid();
  l.mutable_steps(0)->mutable_by_capability(2)->mutable_ttc_from()->set_source("nowhere");
  expect_only_error(l, "steps[0].by_capability[2].ttc_from.source",
                    "ADVANCED_UNKNOWN ttc's source 'nowhere' is not one of the library's sources", "(s)");
  l = valid();
  l.mutable_steps(0)->mutable_mitigated_by(0)->mutable_from()->clear_note();
  expect_only_error(l, "steps[0].mitigated_by[0].from.note", "CPS.AC-1 efficacy has no provenance note");
  l = valid();
  l.mutable_requirement_defaults(0)->mutable_from()->set_source("t");
  expect_only_error(l, "requirement_defaults[0].from.source", "CPS.AC-1 efficacy's source 't' is not one of");
  // An assumption: no source, a note with its reasoning.
  l = valid();
  l.mutable_requirement_defaults(0)->mutable_from()->clear_source();
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
}

TEST(LibraryCheck, SourcesHaveUniqueIdsAndACitation) {
  auto l = valid();
  l.mutable_sources(0)->clear_citation();
  expect_only_error(l, "sources[0].citation", "library source has no citation");
  l = valid();
  *l.add_sources() = l.sources(0);
  expect_only_error(l, "sources[1].id", "source id 's' is already used by sources[0]");
  l = valid();
  l.add_sources()->set_citation("anonymous");
  expect_only_error(l, "sources[1].id", "library source has no id");
}

TEST(LibraryCheck, TwoStepsMatchingOneRelationEquallyAreAmbiguous) {
  // Same kind, a shared layer and element: ambiguous, reported once for the pair.
  auto l = parse("sources { id: \"s\" citation: \"c\" }" +
                 step_text("a", "NETWORK", "layers: L2 layers: L3", "target_elements: SYSTEM target_elements: DATA") +
                 step_text("b", "NETWORK", "layers: L3", "target_elements: DATA target_elements: SYSTEM"));
  expect_only_error(l, "steps[1]",
                    "steps 'a' and 'b' both match a NETWORK relation on L3 into DATA, equally specifically (ambiguous)",
                    "make their layers or target_elements disjoint");
  // Two steps into any element.
  l = parse("sources { id: \"s\" citation: \"c\" }" + step_text("a", "TRUST", "layers: L1", "") +
            step_text("b", "TRUST", "layers: L1 layers: L2", ""));
  expect_only_error(l, "steps[1]", "steps 'a' and 'b' both match a TRUST relation on L1 into any element");
  // A step that names the element and one that matches any: not ambiguous (the named one is
  // more specific); nor are disjoint layers, elements or kinds.
  l = parse("sources { id: \"s\" citation: \"c\" }" + step_text("any", "TRUST", "layers: L1", "") +
            step_text("named", "TRUST", "layers: L1", "target_elements: PEOPLE") +
            step_text("other-layer", "TRUST", "layers: L3", "target_elements: PEOPLE") +
            step_text("other-element", "TRUST", "layers: L1", "target_elements: SYSTEM") +
            step_text("other-kind", "DATA_FLOW", "layers: L1", "target_elements: PEOPLE"));
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
  // A step that lists a layer twice does not clash with itself.
  l = parse("sources { id: \"s\" citation: \"c\" }" + step_text("a", "TRUST", "layers: L1 layers: L1", ""));
  EXPECT_TRUE(check(l).empty()) << dump(check(l));
}

TEST(LibraryCheck, DiagnosticsPointIntoTheScenarioForAScenarioLibrary) {
  auto l = valid();
  l.mutable_steps(0)->clear_id();
  const Diagnostics d = check(l, {"chain.textproto", "library"});
  ASSERT_EQ(d.items().size(), 1u);
  EXPECT_EQ(d.items()[0].file, "chain.textproto");
  EXPECT_EQ(d.items()[0].path, "library.steps[0].id");
  EXPECT_EQ(d.items()[0].format(),
            "chain.textproto: error: library step #0: library step has no id (fix: give every step a unique id, e.g. "
            "\"network-l3\") [library.steps[0].id]");
}

// The distribution checks the library uses: validate()'s rules (docs/scenario-format.md).
TEST(LibraryCheck, DistributionProblems) {
  const auto problems = [](const std::string& text) {
    v1::Distribution d;
    EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &d)) << text;
    std::string out;
    for (const auto& p : distribution_problems(d)) out += p.field + ": " + p.message + "; ";
    return out;
  };
  for (const char* ok : {"fixed { value: 0 }", "exponential { mean: 3 }", "lognormal { mu: 1 sigma: 0.5 }",
                         "gamma { shape: 2 scale: 3 }", "uniform { min: 7 max: 45 }", "pert { min: 1 mode: 2 max: 5 }",
                         "pert { min: 1 mode: 1 max: 5 lambda: 2 }", "uniform { min: 0 max: 1e8 }"}) {
    EXPECT_EQ(problems(ok), "") << ok;
  }
  EXPECT_EQ(problems(""), ": has no distribution family; ");
  EXPECT_EQ(problems("fixed { value: -1 }"), "fixed.value: fixed value is negative (-1); ");
  EXPECT_EQ(problems("fixed { value: inf }"), "fixed.value: value is inf, not a finite number; ");
  EXPECT_EQ(problems("exponential { mean: 0 }"), "exponential.mean: exponential mean must be > 0, not 0; ");
  EXPECT_EQ(problems("exponential { mean: 2e8 }"),
            "exponential.mean: exponential mean 2e+08 days is above the limit of 1e8 days (about 274,000 years); ");
  EXPECT_EQ(problems("lognormal { mu: 1 sigma: 0 }"), "lognormal.sigma: lognormal sigma must be > 0, not 0; ");
  EXPECT_EQ(
      problems("lognormal { mu: 19 sigma: 1 }").rfind("lognormal: lognormal mean e^(mu + sigma²/2) with mu 19", 0), 0u);
  EXPECT_EQ(problems("gamma { shape: 0 scale: -1 }"),
            "gamma.shape: gamma shape must be > 0, not 0; gamma.scale: gamma scale must be > 0, not -1; ");
  EXPECT_EQ(problems("gamma { shape: 1e4 scale: 1e5 }").rfind("gamma: gamma mean shape × scale = 1e+09 days", 0), 0u);
  EXPECT_EQ(problems("uniform { min: -1 max: 2 }"), "uniform.min: uniform min is negative (-1); ");
  EXPECT_EQ(problems("uniform { min: 3 max: 3 }"), "uniform.max: uniform needs min < max, got min 3, max 3; ");
  EXPECT_EQ(problems("pert { min: 1 mode: 2 max: 5 lambda: 0 }"), "pert.lambda: pert lambda must be > 0, not 0; ");
  EXPECT_EQ(problems("pert { min: 1 mode: 2 max: 5 lambda: 2e6 }"),
            "pert.lambda: pert lambda is 2e+06, above the limit of 1e6; ");
  EXPECT_EQ(problems("pert { min: 1 mode: 9 max: 5 }"),
            "pert: pert needs min ≤ mode ≤ max and min < max, got 1, 9, 5; ");
  EXPECT_EQ(problems("pert { min: nan mode: 2 max: 5 }"), "pert.min: min is nan, not a finite number; ");
}

// ---- matching -------------------------------------------------------------------------------

TEST(LibraryMatch, TheStepThatNamesTheElementBeatsTheOneForAnyElement) {
  const auto l =
      parse("sources { id: \"s\" citation: \"c\" }" + step_text("trust-any", "TRUST", "layers: L1", "") +
            step_text("trust-people", "TRUST", "layers: L1 layers: L3", "target_elements: PEOPLE") +
            step_text("network", "NETWORK", "layers: L2 layers: L3", "target_elements: SYSTEM target_elements: DATA"));
  ASSERT_TRUE(check(l).empty()) << dump(check(l));
  const StepMatcher matcher(l);
  const auto id = [&](v1::RelationKind k, v1::Layer layer, v1::Element e) {
    const auto* step = matcher.match(k, layer, e);
    return step == nullptr ? std::string("none") : step->id();
  };
  EXPECT_EQ(id(v1::TRUST, v1::L1, v1::PEOPLE), "trust-people");  // named beats any
  EXPECT_EQ(id(v1::TRUST, v1::L1, v1::SYSTEM), "trust-any");
  EXPECT_EQ(id(v1::TRUST, v1::L1, v1::ELEMENT_UNSPECIFIED), "trust-any");
  EXPECT_EQ(id(v1::TRUST, v1::L3, v1::PEOPLE), "trust-people");
  EXPECT_EQ(id(v1::TRUST, v1::L3, v1::SYSTEM), "none");  // no step for any element on L3
  EXPECT_EQ(id(v1::TRUST, v1::L2, v1::PEOPLE), "none");
  EXPECT_EQ(id(v1::NETWORK, v1::L2, v1::DATA), "network");
  EXPECT_EQ(id(v1::NETWORK, v1::L3, v1::SYSTEM), "network");
  EXPECT_EQ(id(v1::NETWORK, v1::L3, v1::COMPONENT), "none");  // no nearest-element fallback
  EXPECT_EQ(id(v1::NETWORK, v1::L1, v1::SYSTEM), "none");
  EXPECT_EQ(id(v1::DATA_FLOW, v1::L1, v1::PEOPLE), "none");
  EXPECT_EQ(id(v1::RELATION_KIND_UNSPECIFIED, v1::L1, v1::PEOPLE), "none");
  // Values outside their enums find nothing and read no table out of bounds.
  EXPECT_EQ(id(static_cast<v1::RelationKind>(99), v1::L1, v1::PEOPLE), "none");
  EXPECT_EQ(id(static_cast<v1::RelationKind>(-1), v1::L1, v1::PEOPLE), "none");
  EXPECT_EQ(id(v1::TRUST, static_cast<v1::Layer>(7), v1::PEOPLE), "none");
  EXPECT_EQ(id(v1::TRUST, v1::L1, static_cast<v1::Element>(42)), "trust-any");
  EXPECT_EQ(id(v1::TRUST, v1::L1, static_cast<v1::Element>(-3)), "trust-any");
  EXPECT_EQ(StepMatcher(v1::StepLibrary{}).match(v1::TRUST, v1::L1, v1::PEOPLE), nullptr);
}

// Every bundled step is what some kind × layer × element finds, and it finds exactly the
// cells the step lists; NETWORK on L1 finds nothing (docs/library.md, "Not covered").
TEST(LibraryMatch, EveryBundledStepIsFoundWhereItSaysAndNowhereElse) {
  const auto& l = bundled_library();
  const StepMatcher matcher(l);
  std::set<std::string> found;
  for (int k = 1; k < v1::RelationKind_ARRAYSIZE; ++k) {
    for (int layer = 1; layer < v1::Layer_ARRAYSIZE; ++layer) {
      for (int e = 1; e < v1::Element_ARRAYSIZE; ++e) {
        const auto kind = static_cast<v1::RelationKind>(k);
        const auto* step = matcher.match(kind, static_cast<v1::Layer>(layer), static_cast<v1::Element>(e));
        if (kind == v1::NETWORK && layer == v1::L1) {
          EXPECT_EQ(step, nullptr);
        }
        if (step == nullptr) continue;
        found.insert(step->id());
        EXPECT_EQ(step->kind(), kind);
        EXPECT_NE(std::find(step->layers().begin(), step->layers().end(), layer), step->layers().end()) << step->id();
        EXPECT_TRUE(step->target_elements().empty() ||
                    std::find(step->target_elements().begin(), step->target_elements().end(), e) !=
                        step->target_elements().end())
            << step->id();
      }
    }
  }
  EXPECT_EQ(found.size(), static_cast<std::size_t>(l.steps_size()));
}

// ---- merging --------------------------------------------------------------------------------

TEST(LibraryMerge, AStepWithAKnownIdReplacesItInPlaceAndANewIdIsAdded) {
  const auto base = parse("version: \"base 1\" sources { id: \"s\" citation: \"c\" }" +
                          step_text("a", "TRUST", "layers: L1", "") + step_text("b", "NETWORK", "layers: L3", "") +
                          "requirement_defaults { requirement: \"CPS.AC-1\" basic: 0.1 advanced: 0.5 high_advanced: "
                          "0.5 from { note: \"n\" } }"
                          "notes: \"base note\"");
  auto overlay = parse(step_text("a", "TRUST", "layers: L2", "") + step_text("c", "DATA_FLOW", "layers: L3", "") +
                       "sources { id: \"s\" citation: \"corrected\" } sources { id: \"t\" citation: \"new\" }"
                       "requirement_defaults { requirement: \"CPS.AC-1\" basic: 0.2 advanced: 0.5 high_advanced: 0.5 "
                       "from { note: \"n\" } }"
                       "requirement_defaults { requirement: \"CPS.AT-1\" basic: 0.3 advanced: 0.5 high_advanced: 0.5 "
                       "from { note: \"n\" } }"
                       "notes: \"overlay note\"");
  auto merged = merge_libraries(base, overlay);
  ASSERT_EQ(merged.steps_size(), 3);
  EXPECT_EQ(merged.steps(0).id(), "a");  // replaced where it stood
  EXPECT_EQ(merged.steps(0).layers(0), v1::L2);
  EXPECT_EQ(merged.steps(1).id(), "b");
  EXPECT_EQ(merged.steps(2).id(), "c");  // added
  ASSERT_EQ(merged.sources_size(), 2);
  EXPECT_EQ(merged.sources(0).citation(), "corrected");
  EXPECT_EQ(merged.sources(1).id(), "t");
  ASSERT_EQ(merged.requirement_defaults_size(), 2);
  EXPECT_EQ(merged.requirement_defaults(0).basic(), 0.2);
  EXPECT_EQ(merged.requirement_defaults(1).requirement(), "CPS.AT-1");
  ASSERT_EQ(merged.notes_size(), 2);  // notes accumulate
  EXPECT_EQ(merged.notes(1), "overlay note");
  EXPECT_EQ(merged.version(), "base 1");  // the overlay gives none
  overlay.set_version("mine 2");
  EXPECT_EQ(merge_libraries(base, overlay).version(), "mine 2");
  EXPECT_TRUE(check(merged).empty()) << dump(check(merged));
  // Merging nothing changes nothing.
  EXPECT_EQ(merge_libraries(base, v1::StepLibrary{}).SerializeAsString(), base.SerializeAsString());
}

TEST(LibraryMerge, ReplaceBundledStartsFromNothing) {
  v1::StepLibrary overlay = parse("replace_bundled: true version: \"mine\" sources { id: \"s\" citation: \"c\" }" +
                                  step_text("only", "TRUST", "layers: L1", ""));
  const auto merged = merge_libraries(bundled_library(), overlay);
  ASSERT_EQ(merged.steps_size(), 1);
  EXPECT_EQ(merged.steps(0).id(), "only");
  EXPECT_EQ(merged.sources_size(), 1);
  EXPECT_EQ(merged.requirement_defaults_size(), 0);
  EXPECT_EQ(merged.notes_size(), 0);
  EXPECT_EQ(merged.version(), "mine");
  EXPECT_FALSE(merged.replace_bundled());  // applied, not passed on
  // bundled ← scenario ← --library file: a file that replaces drops the scenario's too.
  const auto scenario = merge_libraries(bundled_library(), valid());
  EXPECT_EQ(scenario.steps_size(), bundled_library().steps_size() + 1);
  EXPECT_EQ(merge_libraries(scenario, overlay).steps_size(), 1);
}

// An overlay that adds a step clashing with a bundled one is caught by checking the merge.
TEST(LibraryMerge, AmbiguityAcrossLibrariesShowsInTheMergedCheck) {
  auto overlay = parse(step_text("my-network", "NETWORK", "layers: L3", "target_elements: SYSTEM"));
  overlay.mutable_steps(0)->mutable_by_capability(0)->mutable_ttc_from()->set_source("corelang");
  overlay.mutable_steps(0)->mutable_by_capability(1)->mutable_ttc_from()->set_source("corelang");
  overlay.mutable_steps(0)->mutable_by_capability(2)->mutable_ttc_from()->set_source("corelang");
  const auto merged = merge_libraries(bundled_library(), overlay);
  const Diagnostics d = check(merged);
  ASSERT_EQ(d.items().size(), 1u) << dump(d);
  EXPECT_NE(
      d.items()[0].message.find("steps 'network-l3' and 'my-network' both match a NETWORK relation on L3 into SYSTEM"),
      std::string::npos)
      << dump(d);
  // Replacing the bundled step by its id instead is how to change it.
  overlay.mutable_steps(0)->set_id("network-l3");
  EXPECT_TRUE(check(merge_libraries(bundled_library(), overlay)).empty());
}

}  // namespace
}  // namespace cpsf
