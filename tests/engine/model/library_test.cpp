// The attack-step library: the bundled data holds the documented rules (docs/library.md),
// and the library's lookups work.
#include "cpsf/model/library.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "cpsf/model/catalogue.hpp"

namespace cpsf {
namespace {

using Capability = v1::Threat::Capability;
constexpr Capability kCapabilities[] = {v1::Threat::COMMON_ATTACKS, v1::Threat::TARGETED_SUPPLY_CHAIN,
                                        v1::Threat::ADVANCED_UNKNOWN};

// The mean of a duration law in days (scenario.proto, Distribution).
double mean_days(const v1::Distribution& d) {
  switch (d.family_case()) {
    case v1::Distribution::kFixed: return d.fixed().value();
    case v1::Distribution::kExponential: return d.exponential().mean();
    case v1::Distribution::kLognormal: return std::exp(d.lognormal().mu() + 0.5 * d.lognormal().sigma() * d.lognormal().sigma());
    case v1::Distribution::kGamma: return d.gamma().shape() * d.gamma().scale();
    case v1::Distribution::kUniform: return 0.5 * (d.uniform().min() + d.uniform().max());
    case v1::Distribution::kPert: {
      const double lambda = d.pert().has_lambda() ? d.pert().lambda() : 4.0;
      return (d.pert().min() + lambda * d.pert().mode() + d.pert().max()) / (lambda + 2);
    }
    case v1::Distribution::FAMILY_NOT_SET: break;
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
  for (const char* id : {"corelang", "malcompiler", "mal-toolbox", "mcqueen2006", "holm2014", "sommestad2011",
                         "cpsf-catalogue"}) {
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
        EXPECT_LE(mean_days(now->ttc()), mean_days(previous->ttc())) << step.id() << " " << v1::Threat::Capability_Name(c);
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

}  // namespace
}  // namespace cpsf
