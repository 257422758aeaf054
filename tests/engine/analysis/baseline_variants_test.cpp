// Scoped baseline variants of `compare` and what a variant costs: the parser (its
// percent-escapes and its errors), the scopes, the cost arithmetic, and compare's money
// columns (cost, annual loss removed from the scenario as it is, net benefit).
#include "cpsf/analysis/baseline_variants.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include "cpsf/analysis/compare.hpp"
#include "cpsf/output/compare_writers.hpp"

namespace cpsf {
namespace {

v1::Scenario parse(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  return s;
}

TEST(BaselineVariant, ParsesNamesScopesAndEscapes) {
  auto v = parse_baseline_variant("SCS-4");
  EXPECT_EQ(v.name, "SCS-4");
  EXPECT_EQ(v.scope.kind, VariantScope::Kind::All);
  v = parse_baseline_variant("SCS-4@id=t1a|t2");
  EXPECT_EQ(v.scope.kind, VariantScope::Kind::Id);
  EXPECT_EQ(v.scope.values, (std::vector<std::string>{"t1a", "t2"}));
  v = parse_baseline_variant("my%40base@role=tier-1 (a%2C b)|x%7Cy|100%25=%3D");
  EXPECT_EQ(v.name, "my@base");
  EXPECT_EQ(v.scope.kind, VariantScope::Kind::Role);
  EXPECT_EQ(v.scope.values, (std::vector<std::string>{"tier-1 (a, b)", "x|y", "100%=="}));
  EXPECT_EQ(parse_baseline_variant("B@sector=automotive").scope.kind, VariantScope::Kind::Sector);
  EXPECT_EQ(parse_baseline_variant("B@suppliers").scope.kind, VariantScope::Kind::Suppliers);
  EXPECT_EQ(parse_baseline_variant("as-is").name, kAsIs);
}

TEST(BaselineVariant, BadInputSaysWhatAndHowToFix) {
  const auto fails = [](const std::string& text, const std::string& what) {
    try {
      parse_baseline_variant(text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::invalid_argument& e) {
      const std::string m = e.what();
      EXPECT_NE(m.find("baseline variant '" + text + "'"), std::string::npos) << m;
      EXPECT_NE(m.find(what), std::string::npos) << m;
      EXPECT_NE(m.find("(fix: write NAME@id=A|B"), std::string::npos) << m;
    }
  };
  fails("@id=a", "no baseline before '@'");
  fails("SCS-4@colour=red", "unknown scope 'colour'; the scopes are id, role, sector and suppliers");
  fails("SCS-4@role", "no '=' after role");
  fails("SCS-4@id=", "an empty id");
  fails("SCS-4@id=a||b", "an empty id");
  fails("SCS-4@id=a|a", "id 'a' is given twice");
  fails("SCS-4@", "unknown scope ''");
  fails("as-is@id=a", "as-is changes no enterprise, so it takes no scope");
  fails("supplier-rule@suppliers", "supplier-rule decides each supplier by the rule, so it takes no scope");
  fails("SCS-4@id=a%2", "a '%' not followed by two hex digits");
  fails("SCS-4@id=a%zz", "a '%' not followed by two hex digits");
  fails("SCS%4@id=a", "a '%' not followed by two hex digits");
}

const char* const kCompanies = R"pb(
  enterprises { id: "oem" sector: "automotive" role: "OEM" }
  enterprises { id: "t1" sector: "automotive" role: "tier-1, harnesses" baseline: "B1" }
  enterprises { id: "itp" sector: "it-services" role: "IT" baseline: "B2" }
  dependencies { customer: "oem" supplier: "t1" share: 0.5 }
  baselines {
    id: "B1"
    controls { requirement: "CPS.AC-1" level: BASIC cost: 100 }
    controls { requirement: "CPS.IP-1" efficacy: 0.3 cost: 50 }
  }
  baselines {
    id: "B2"
    extends: "B1"
    controls { requirement: "CPS.AC-1" level: ADVANCED cost: 300 }
    controls { requirement: "CPS.DS-1" level: BASIC cost: 70 }
  }
  baselines {
    id: "B3"
    controls { requirement: "CPS.AC-1" level: BASIC cost: 500 }
  }
  baselines {
    id: "Free"
    controls { requirement: "CPS.AC-1" level: BASIC }
  }
)pb";

TEST(BaselineVariant, ScopesMatchByIdRoleSectorOrSupplier) {
  const auto s = parse(kCompanies);
  const auto match = [&](const std::string& text) { return scope_matches(s, parse_baseline_variant(text).scope); };
  using Ids = std::vector<std::string>;
  EXPECT_EQ(match("B2"), (Ids{"oem", "t1", "itp"}));
  EXPECT_EQ(match("B2@id=itp|oem"), (Ids{"oem", "itp"}));  // enterprise order
  EXPECT_EQ(match("B2@role=tier-1%2C harnesses"), (Ids{"t1"}));
  EXPECT_EQ(match("B2@sector=automotive"), (Ids{"oem", "t1"}));
  EXPECT_EQ(match("B2@suppliers"), (Ids{"t1"}));
  auto v = s;
  apply_variant(v, parse_baseline_variant("B3@sector=automotive"));
  EXPECT_EQ(v.enterprises(0).baseline(), "B3");
  EXPECT_EQ(v.enterprises(1).baseline(), "B3");
  EXPECT_EQ(v.enterprises(2).baseline(), "B2");  // outside the scope: kept
}

TEST(BaselineVariant, AValueNoEnterpriseHasIsAnErrorListingWhatExists) {
  const auto s = parse(kCompanies);
  const std::vector<const v1::Scenario*> all{&s};
  const auto fails = [&](const std::string& text, const std::string& what) {
    try {
      check_scope_values(all, parse_baseline_variant(text).scope, text);
      ADD_FAILURE() << "no error for " << text;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  fails("B2@role=tier-1",
        "no enterprise has role 'tier-1' (fix: use one of the roles that exist: IT, OEM, "
        "tier-1, harnesses; inside a value write %2C for ','");
  fails("B2@sector=energy", "use one of the sectors that exist: automotive, it-services");
  fails("B2@id=oem|nope", "no enterprise has id 'nope'");
  EXPECT_NO_THROW(check_scope_values(all, parse_baseline_variant("B2@id=oem|itp").scope, "B2@id=oem|itp"));
  EXPECT_NO_THROW(check_scope_values(all, parse_baseline_variant("B2@suppliers").scope, "B2@suppliers"));
}

TEST(BaselineVariant, CostCountsOnlyWhatTheEnterpriseDidNotHaveAtThatLevel) {
  const auto s = parse(kCompanies);
  const CatalogueIndex c(s);
  // B2 = AC-1 ADVANCED (300, replaces B1's BASIC 100) + IP-1 (50, from B1) + DS-1 (70).
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "", "B2"), 420);
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B1", "B2"), 200 + 70);  // the raised AC-1: full minus full
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B2", "B1"), 0);         // had both at least as strong
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B2", "B2"), 0);
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B2", ""), 0);              // dropping saves nothing here
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B3", "B2"), 0 + 50 + 70);  // AC-1 raised but dearer before: never < 0
  EXPECT_DOUBLE_EQ(baseline_change_cost(c, "B3", "B1"), 50);           // AC-1 BASIC already had
  // Over a scenario: oem (none → B2) 420, t1 (B1 → B2) 270, itp (B2 → B2) 0.
  auto after = s;
  assign_baseline(after, "B2");
  UnstatedCosts unstated;
  EXPECT_DOUBLE_EQ(variant_cost(s, after, &unstated), 690);
  EXPECT_TRUE(unstated.empty());
  assign_baseline(after, "Free");
  EXPECT_DOUBLE_EQ(variant_cost(s, after, &unstated), 0);
  EXPECT_EQ(unstated, (UnstatedCosts{{"Free", {"CPS.AC-1"}}}));
}

// Two companies, each with one chain entry → target closed by a control of efficacy 1 on
// its own requirement, attacked once a year on average: baseline "B" closes both for 30
// a year per enterprise.
v1::Scenario money_scenario(const std::string& second_role = "OEM") {
  return parse(R"pb(
                 name: "money"
                 enterprises { id: "a" role: "tier-2" }
                 enterprises { id: "b" role: ")pb" +
               second_role + R"pb(" }
                                  assets { id: "sa" owner: "a" layer: L3 element: PEOPLE }
                                  assets {
                                    id: "ta"
                                    owner: "a"
                                    layer: L3
                                    element: DATA
                                    loss { integrity: 100 }
                                  }
                                  assets { id: "sb" owner: "b" layer: L3 element: PEOPLE }
                                  assets {
                                    id: "tb"
                                    owner: "b"
                                    layer: L3
                                    element: DATA
                                    loss { integrity: 50 }
                                  }
                                  relations {
                                    from: "sa"
                                    to: "ta"
                                    layer: L3
                                    step { p: 1 mitigated_by: "CPS.AC-1" }
                                  }
                                  relations {
                                    from: "sb"
                                    to: "tb"
                                    layer: L3
                                    step { p: 1 mitigated_by: "CPS.AC-1" }
                                  }
                                  threats {
                                    id: "crew"
                                    annual_frequency: 1
                                    entry_points { asset: "sa" probability: 1 }
                                    entry_points { asset: "sb" probability: 1 }
                                  }
                                  baselines {
                                    id: "B"
                                    controls { requirement: "CPS.AC-1" efficacy: 1 cost: 30 }
                                  }
                                  baselines {
                                    id: "Free"
                                    controls { requirement: "CPS.AC-1" efficacy: 1 }
                                  }
  )pb");
}

CompareOptions money_options(std::vector<std::string> baselines) {
  CompareOptions o;
  o.baselines = std::move(baselines);
  o.run.trials = 4000;
  o.run.seed = 3;
  return o;
}

TEST(CompareMoney, CostRemovedAndNetBenefitPerRow) {
  const auto r = compare({{"m", "", money_scenario()}}, money_options({"as-is", "B@role=tier-2", "B@id=b", "B"}));
  ASSERT_EQ(r.rows.size(), 4u);
  EXPECT_TRUE(r.warnings.empty());
  const auto& as_is = r.rows[0];
  EXPECT_DOUBLE_EQ(as_is.cost, 0);
  EXPECT_DOUBLE_EQ(*as_is.removed_mean, 0);
  const double costs[] = {0, 30, 30, 60};
  for (std::size_t i = 1; i < 4; ++i) {
    const auto& row = r.rows[i];
    SCOPED_TRACE(row.baseline);
    EXPECT_DOUBLE_EQ(row.cost, costs[i]);
    ASSERT_TRUE(row.removed_mean && row.annual_mean);
    // Paired: the removal is the difference of the annual means, exactly.
    EXPECT_NEAR(*row.removed_mean, *as_is.annual_mean - *row.annual_mean, 1e-9 * *as_is.annual_mean);
    EXPECT_GT(*row.removed_stderr, 0);
  }
  // The whole-scenario baseline removes what the two scoped ones remove (independent chains).
  EXPECT_NEAR(*r.rows[3].removed_mean, *r.rows[1].removed_mean + *r.rows[2].removed_mean, 1e-9 * *as_is.annual_mean);
  // Chain a loses 100 per attack and chain b 50, in the same attacks: a removes twice b.
  EXPECT_NEAR(*r.rows[1].removed_mean / *r.rows[2].removed_mean, 2.0, 1e-9);
  // The exact answer: 100 a year per attack, one attack a year on average (within 4 SE).
  EXPECT_NEAR(*r.rows[1].removed_mean, 100, 4 * *r.rows[1].removed_stderr);
  EXPECT_NEAR(*r.rows[3].removed_mean - 60, 90, 4 * *r.rows[3].removed_stderr);
  const std::string json = compare_json(r), csv = compare_csv(r);
  EXPECT_NE(json.find("\"cost\": 30.0,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"net_benefit\": {\n    \"mean\": "), std::string::npos) << json;
  EXPECT_NE(csv.find(",changed_enterprises,cost,removed_mean,removed_stderr,net_benefit_mean,net_benefit_stderr\n"),
            std::string::npos);
  EXPECT_NE(compare_text(r).find("net benefit ± SE"), std::string::npos);
}

TEST(CompareMoney, WithoutAsIsTheScenarioAsItIsIsRunOnceMore) {
  const auto with = compare({{"m", "", money_scenario()}}, money_options({"as-is", "B"}));
  const auto without = compare({{"m", "", money_scenario()}}, money_options({"B"}));
  EXPECT_EQ(*without.rows[0].removed_mean, *with.rows[1].removed_mean);  // the same trials: the same numbers
  EXPECT_EQ(*without.rows[0].removed_stderr, *with.rows[1].removed_stderr);
}

TEST(CompareMoney, WarnsOfAScopeMatchingNothingAndOfUnstatedCosts) {
  const auto r = compare({{"m", "", money_scenario()}, {"n", "", money_scenario("tier-2")}},
                         money_options({"B@role=OEM", "Free"}));
  ASSERT_EQ(r.warnings.size(), 2u);
  EXPECT_EQ(r.warnings[0],
            "baseline variant 'B@role=OEM' matches no enterprise of scenario 'n': its row there is the scenario as "
            "it is");
  EXPECT_NE(r.warnings[1].find("baseline 'Free' states no cost (cost 0) for CPS.AC-1: "), std::string::npos)
      << r.warnings[1];
  EXPECT_EQ(r.rows[2].changed, 0u);  // n under B@role=OEM
  EXPECT_DOUBLE_EQ(r.rows[2].cost, 0);
  EXPECT_EQ(*r.rows[2].removed_mean, 0);
  // A role no scenario has is an error, before anything runs.
  EXPECT_THROW(compare({{"m", "", money_scenario()}}, money_options({"B@role=CEO"})), std::invalid_argument);
}

TEST(CompareMoney, PerTrialScenariosHaveCostsButNoRemovedLoss) {
  auto s = money_scenario();
  s.mutable_threats(0)->clear_annual_frequency();
  const auto r = compare({{"m", "", s}}, money_options({"as-is", "B"}));
  EXPECT_DOUBLE_EQ(r.rows[1].cost, 60);
  EXPECT_FALSE(r.rows[1].removed_mean);
  EXPECT_NE(compare_csv(r).find(",60,,,,\n"), std::string::npos) << compare_csv(r);
}

}  // namespace
}  // namespace cpsf
