// A relation's step and a control's efficacy as a run uses them (model/resolve_steps.hpp),
// and the compiled model's step sets per threat capability (model/model.hpp).
#include "cpsf/model/resolve_steps.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "cpsf/model/model.hpp"

namespace cpsf {
namespace {

v1::Scenario parse(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  return s;
}

v1::Relation relation(const std::string& text) {
  v1::Relation r;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &r)) << text;
  return r;
}

const v1::LibraryStep& bundled_step(const std::string& id) {
  for (const auto& s : bundled_library().steps()) {
    if (s.id() == id) return s;
  }
  ADD_FAILURE() << "no bundled step " << id;
  return bundled_library().steps(0);
}

// Every bundled library step is the one a relation of its kind, layer and element gets.
TEST(ResolveSteps, EveryBundledStepIsUsedByTheRelationsItDescribes) {
  const StepResolver resolver(bundled_library());
  std::set<std::string> used;
  for (const auto& step : bundled_library().steps()) {
    for (const int layer : step.layers()) {
      const auto elements = step.target_elements().empty()
                                ? std::vector<int>{v1::SYSTEM}
                                : std::vector<int>(step.target_elements().begin(), step.target_elements().end());
      for (const int element : elements) {
        v1::Relation r;
        r.set_kind(step.kind());
        r.set_layer(static_cast<v1::Layer>(layer));
        const ResolvedStep resolved = resolver.resolve(r, static_cast<v1::Element>(element));
        ASSERT_NE(resolved.library, nullptr) << step.id();
        EXPECT_EQ(resolved.library->id(), step.id());
        EXPECT_EQ(resolved.p_from, From::Library);
        EXPECT_EQ(resolved.ttc_from, From::Library);
        EXPECT_EQ(resolved.mitigations_from, From::Library);
        for (int c = 0; c < kCapabilities; ++c) {
          EXPECT_EQ(resolved.p[c], for_capability(step, capability_at(c))->p()) << step.id() << " " << c;
        }
        used.insert(resolved.library->id());
      }
    }
  }
  EXPECT_EQ(used.size(), static_cast<std::size_t>(bundled_library().steps_size()));
}

TEST(ResolveSteps, ExplicitFieldsOverrideTheLibrary) {
  const StepResolver resolver(bundled_library());
  const auto& library_step = bundled_step("network-l3");
  // Only the kind: everything from the library, by capability.
  const auto bare = resolver.resolve(relation("kind: NETWORK layer: L3"), v1::SYSTEM);
  EXPECT_EQ(bare.library, &library_step);
  EXPECT_DOUBLE_EQ(bare.p[0], 0.5);
  EXPECT_DOUBLE_EQ(bare.p[1], 0.6);
  EXPECT_DOUBLE_EQ(bare.p[2], 0.75);
  EXPECT_TRUE(resolver.lists(relation("kind: NETWORK layer: L3"), bare, "CPS.CM-1"));
  // p given: the same for every capability; the mitigations are then the hand-entered ones.
  const v1::Relation with_p = relation("kind: NETWORK layer: L3 step { p: 0.2 }");
  const auto p = resolver.resolve(with_p, v1::SYSTEM);
  EXPECT_EQ(p.p_from, From::Scenario);
  EXPECT_EQ(p.p, (std::array<double, 3>{0.2, 0.2, 0.2}));
  EXPECT_EQ(p.ttc_from, From::Library);  // the time still comes from the library
  EXPECT_EQ(p.ttc[0], &library_step.by_capability(0).ttc());
  EXPECT_EQ(p.mitigations_from, From::Scenario);
  EXPECT_FALSE(resolver.lists(with_p, p, "CPS.CM-1"));
  // ttc and mitigated_by given: the library's p, the scenario's time and list.
  const v1::Relation listed =
      relation("kind: NETWORK layer: L3 step { ttc { fixed { value: 3 } } mitigated_by: \"CPS.AT-1\" }");
  const auto l = resolver.resolve(listed, v1::SYSTEM);
  EXPECT_EQ(l.p_from, From::Library);
  EXPECT_EQ(l.ttc_from, From::Scenario);
  EXPECT_DOUBLE_EQ(l.ttc[2]->fixed().value(), 3);
  EXPECT_EQ(l.mitigations_from, From::Scenario);
  EXPECT_TRUE(resolver.lists(listed, l, "CPS.AT-1"));
  EXPECT_FALSE(resolver.lists(listed, l, "CPS.CM-1"));
  // No kind, or no step for the kind, layer and element: nothing from the library.
  const auto none = resolver.resolve(relation("layer: L3"), v1::SYSTEM);
  EXPECT_EQ(none.library, nullptr);
  EXPECT_EQ(none.p_from, From::Nowhere);
  EXPECT_EQ(resolver.resolve(relation("kind: NETWORK layer: L1"), v1::SYSTEM).p_from, From::Nowhere);
  const auto hand = resolver.resolve(relation("kind: NETWORK layer: L1 step { p: 0.4 }"), v1::SYSTEM);
  EXPECT_EQ(hand.ttc[0], nullptr);  // no ttc and no library step: 0 days, as before
}

TEST(ResolveSteps, EfficacyExplicitThenStepThenDefaultsByLevel) {
  const StepResolver resolver(bundled_library());
  const auto step = resolver.resolve(relation("kind: NETWORK layer: L3"), v1::SYSTEM);
  // Explicit wins.
  EXPECT_EQ(resolver.efficacy(0.9, v1::BASIC, "CPS.CM-1", step).value, 0.9);
  EXPECT_EQ(resolver.efficacy(0.9, v1::BASIC, "CPS.CM-1", step).from, From::Scenario);
  // The step's own mitigation, by level (network-l3 lists CPS.RA-1 at half its default).
  const auto ra = [&](v1::Level level) { return resolver.efficacy(std::nullopt, level, "CPS.RA-1", step); };
  EXPECT_EQ(ra(v1::BASIC).value, 0.1);
  EXPECT_EQ(ra(v1::ADVANCED).value, 0.2);
  EXPECT_EQ(ra(v1::HIGH_ADVANCED).value, 0.25);
  EXPECT_EQ(ra(v1::BASIC).from, From::Library);
  // A requirement the step does not list: the library's requirement_defaults.
  const auto at = resolver.efficacy(std::nullopt, v1::ADVANCED, "CPS.AT-1", step);
  EXPECT_EQ(at.value, 0.35);
  EXPECT_EQ(at.from, From::RequirementDefault);
  // Neither: none; and no level: none.
  EXPECT_FALSE(resolver.efficacy(std::nullopt, v1::BASIC, "CPS.ZZ-9", step).value);
  EXPECT_FALSE(resolver.efficacy(std::nullopt, v1::LEVEL_UNSPECIFIED, "CPS.CM-1", step).value);
}

constexpr const char* kChain = R"(
enterprises { id: "e" }
assets { id: "a" owner: "e" layer: L3 element: SYSTEM exposure: 1 }
assets { id: "b" owner: "e" layer: L3 element: SYSTEM }
relations { id: "ab" from: "a" to: "b" layer: L3 kind: NETWORK }
)";

TEST(CompileSteps, OneStepSetPerCapabilityOnlyWhenALibraryStepDiffers) {
  // One step from the library ("ab") differs by capability: three sets.
  const Model mixed = compile(parse(std::string(kChain) + R"(
relations { from: "b" to: "a" layer: L3 kind: NETWORK step { p: 0.3 ttc { fixed { value: 1 } } } }
threats { id: "t" capability: ADVANCED_UNKNOWN }
)"));
  ASSERT_EQ(mixed.step_sets, kCapabilities);
  EXPECT_EQ(mixed.edge_p_residual.size(), 2u * kCapabilities);
  // Hand-entered steps only: one set, whatever the threats' capabilities.
  const Model plain = compile(parse(R"(
enterprises { id: "e" }
assets { id: "a" owner: "e" layer: L3 element: SYSTEM exposure: 1 }
assets { id: "b" owner: "e" layer: L3 element: SYSTEM }
relations { from: "a" to: "b" layer: L3 kind: NETWORK step { p: 0.3 ttc { fixed { value: 1 } } } }
threats { id: "t" capability: ADVANCED_UNKNOWN }
)"));
  EXPECT_EQ(plain.step_sets, 1);
  EXPECT_EQ(plain.edge_p_residual.size(), 1u);
  EXPECT_EQ(plain.threats[0].step_set, 0);
}

TEST(CompileSteps, ThreatsAttackWithTheirCapabilitysStep) {
  const Model m = compile(parse(std::string(kChain) + R"(
threats { id: "common" }
threats { id: "targeted" capability: TARGETED_SUPPLY_CHAIN }
threats { id: "advanced" capability: ADVANCED_UNKNOWN }
)"));
  ASSERT_EQ(m.step_sets, kCapabilities);
  EXPECT_EQ(m.threats[0].step_set, 0);  // unspecified: as COMMON_ATTACKS
  EXPECT_EQ(m.threats[1].step_set, 1);
  EXPECT_EQ(m.threats[2].step_set, 2);
  EXPECT_DOUBLE_EQ(m.step_probabilities(true, 0)[0], 0.5);
  EXPECT_DOUBLE_EQ(m.step_probabilities(true, 1)[0], 0.6);
  EXPECT_DOUBLE_EQ(m.step_probabilities(true, 2)[0], 0.75);
  EXPECT_EQ(m.step_times(0).size(), 1u);
}

TEST(CompileSteps, ControlsTakeTheirEfficacyFromTheLibraryByLevel) {
  const auto residual = [](const std::string& controls) {
    return compile(parse(std::string(kChain) + controls)).step_probabilities(true, 0)[0];
  };
  // network-l3 lists CPS.CM-1 at 0.3 / 0.5 / 0.7.
  EXPECT_DOUBLE_EQ(residual(""), 0.5);
  EXPECT_DOUBLE_EQ(residual("controls { id: \"c\" requirement: \"CPS.CM-1\" level: BASIC implemented: true }"),
                   0.5 * (1 - 0.3));
  EXPECT_DOUBLE_EQ(residual("controls { id: \"c\" requirement: \"CPS.CM-1\" level: HIGH_ADVANCED implemented: true }"),
                   0.5 * (1 - 0.7));
  // An explicit efficacy overrides the library's.
  EXPECT_DOUBLE_EQ(
      residual("controls { id: \"c\" requirement: \"CPS.CM-1\" level: BASIC efficacy: 0.1 implemented: true }"),
      0.5 * (1 - 0.1));
  // A baseline control at a level, without an efficacy: the library's too.
  EXPECT_DOUBLE_EQ(residual("baselines { id: \"mine\" controls { requirement: \"CPS.CM-1\" level: ADVANCED } }\n"
                            "enterprises { id: \"f\" }"),
                   0.5);  // no enterprise claims it
  v1::Scenario s = parse(std::string(kChain) +
                         "baselines { id: \"mine\" controls { requirement: \"CPS.CM-1\" level: "
                         "ADVANCED } }");
  s.mutable_enterprises(0)->set_baseline("mine");
  EXPECT_DOUBLE_EQ(compile(s).step_probabilities(true, 0)[0], 0.5 * (1 - 0.5));
}

TEST(CompileSteps, StepScaleMultipliesTheWrittenStepsOnly) {
  // "ab" takes its p from the library, "ba" writes it: step_scale scales "ba" only, as
  // the library's p already depends on the threat's capability.
  const Model m = compile(parse(std::string(kChain) + R"(
relations { id: "ba" from: "b" to: "a" layer: L3 kind: NETWORK step { p: 0.3 } }
threats { id: "t" step_scale: 0.5 }
)"));
  ASSERT_EQ(m.edge_p_written.size(), 2u);
  for (std::uint32_t e = 0; e < 2; ++e) {
    const bool written = m.relation_id[m.edge_relation[e]] == "ba";
    EXPECT_EQ(m.edge_p_written[e], written ? 1 : 0);
    EXPECT_DOUBLE_EQ(m.step_scale_on(m.threats[0], e), written ? 0.5 : 1.0);
  }
  EXPECT_DOUBLE_EQ(m.step_probabilities(true, m.threats[0].step_set)[m.relation_id[m.edge_relation[0]] == "ab" ? 0 : 1],
                   0.5);
  // Every p written: no array, and step_scale on every step, as before the library.
  const Model written = compile(parse(R"(
enterprises { id: "e" }
assets { id: "a" owner: "e" layer: L3 element: SYSTEM exposure: 1 }
assets { id: "b" owner: "e" layer: L3 element: SYSTEM }
relations { from: "a" to: "b" layer: L3 kind: NETWORK step { p: 0.3 } }
threats { id: "t" step_scale: 0.5 }
)"));
  EXPECT_TRUE(written.edge_p_written.empty());
  EXPECT_DOUBLE_EQ(written.step_scale_on(written.threats[0], 0), 0.5);
}

TEST(CompileSteps, AScenarioLibraryReplacesABundledStep) {
  const Model m = compile(parse(std::string(kChain) + R"(
library {
  steps {
    id: "network-l3" kind: NETWORK layers: L3
    by_capability { capability: COMMON_ATTACKS p: 0.1 p_from { note: "test" } ttc { fixed { value: 2 } } ttc_from { note: "test" } }
    by_capability { capability: TARGETED_SUPPLY_CHAIN p: 0.1 p_from { note: "test" } ttc { fixed { value: 2 } } ttc_from { note: "test" } }
    by_capability { capability: ADVANCED_UNKNOWN p: 0.1 p_from { note: "test" } ttc { fixed { value: 2 } } ttc_from { note: "test" } }
  }
}
)"));
  EXPECT_EQ(m.step_sets, 1);
  EXPECT_DOUBLE_EQ(m.step_probabilities(true)[0], 0.1);
  EXPECT_DOUBLE_EQ(m.distributions[m.step_times()[0]].a, 2);
}

}  // namespace
}  // namespace cpsf
