// Baselines as assignments (the SCS supplier rule) and `compare`: each reason of the rule,
// SCS-5 refused, determinism at any thread count, common random numbers (SCS-4 ≤ SCS-3
// trial by trial), the threat filter and the errors. Its writers: output/compare_writers_test.
#include "cpsf/analysis/compare.hpp"

#include <google/protobuf/text_format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/model/supplier_rule.hpp"
#include "cpsf/output/compare_writers.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::default_scenario;
using testing::ScratchDir;

v1::Scenario parse(const std::string& text) {
  v1::Scenario s;
  EXPECT_TRUE(google::protobuf::TextFormat::ParseFromString(text, &s)) << text;
  return s;
}

// A buyer and one supplier per reason of the rule: confidential data, unacceptable delay,
// a TRUST relation into the buyer, an L3 relation of another kind into the buyer, and one
// with none (its PERSONNEL_ACCESS L1 relation does not count, a relation from the buyer
// to it runs the wrong way, and its NETWORK relation leads to a non-customer).
const char* const kRuleScenario = R"pb(
  name: "supplier rule"
  enterprises { id: "buyer" baseline: "JC-STAR-1" }
  enterprises { id: "conf" }
  enterprises { id: "delay" baseline: "SCS-4" }
  enterprises { id: "reach" }
  enterprises { id: "l3" }
  enterprises { id: "none" baseline: "JC-STAR-2" }
  enterprises { id: "other" baseline: "JC-STAR-2" }
  assets {
    id: "b-erp"
    owner: "buyer"
    layer: L3
    element: SYSTEM
    target: true
    loss { confidentiality: 100 }
  }
  assets { id: "c-pc" owner: "conf" layer: L3 element: COMPONENT exposure: 0.5 }
  assets { id: "d-pc" owner: "delay" layer: L3 element: COMPONENT }
  assets { id: "r-vpn" owner: "reach" layer: L3 element: SYSTEM }
  assets { id: "l-edi" owner: "l3" layer: L3 element: SYSTEM }
  assets { id: "n-staff" owner: "none" layer: L1 element: PEOPLE }
  assets { id: "o-pc" owner: "other" layer: L3 element: COMPONENT }
  relations {
    id: "r-trust"
    from: "r-vpn"
    to: "b-erp"
    layer: L1
    kind: TRUST
    step { p: 0.3 }
  }
  relations {
    id: "r-l3"
    from: "l-edi"
    to: "b-erp"
    layer: L3
    kind: GOODS_SUPPLY
    step { p: 0.3 }
  }
  relations {
    id: "r-l3b"
    from: "l-edi"
    to: "b-erp"
    layer: L3
    kind: PHYSICAL_CONTROL
    step { p: 0.1 }
  }
  relations {
    id: "r-people"
    from: "n-staff"
    to: "b-erp"
    layer: L1
    kind: PERSONNEL_ACCESS
    step { p: 0.3 }
  }
  relations {
    id: "r-back"
    from: "b-erp"
    to: "n-staff"
    layer: L3
    kind: NETWORK
    step { p: 0.3 }
  }
  relations {
    id: "r-other"
    from: "n-staff"
    to: "o-pc"
    layer: L3
    kind: NETWORK
    step { p: 0.3 }
  }
  relations {
    from: "c-pc"
    to: "b-erp"
    layer: L3
    kind: DATA_FLOW
    step { p: 0.4 mitigated_by: "CPS.AC-1" }
  }
  dependencies { customer: "buyer" supplier: "conf" share: 0.1 handles_confidential_data: true }
  dependencies { customer: "buyer" supplier: "delay" share: 0.2 unacceptable_delay: true }
  dependencies { customer: "buyer" supplier: "reach" share: 0 }
  dependencies { customer: "buyer" supplier: "l3" share: 0 }
  dependencies { customer: "buyer" supplier: "none" share: 0.1 }
)pb";

const SupplierDecision& decision(const std::vector<SupplierDecision>& ds, const std::string& id) {
  const auto it = std::find_if(ds.begin(), ds.end(), [&](const SupplierDecision& d) { return d.enterprise == id; });
  EXPECT_NE(it, ds.end()) << id;
  return *it;
}

std::string baseline_of(const v1::Scenario& s, const std::string& id) {
  for (const auto& e : s.enterprises()) {
    if (e.id() == id) return e.baseline();
  }
  ADD_FAILURE() << "no enterprise " << id;
  return {};
}

TEST(SupplierRule, EachReasonGivesStar4AndNoneGivesStar3) {
  v1::Scenario s = parse(kRuleScenario);
  const auto ds = apply_supplier_rule(s);
  ASSERT_EQ(ds.size(), 5u);  // the suppliers, in enterprise order
  EXPECT_EQ(ds.front().enterprise, "conf");
  using K = SupplierReason::Kind;

  const auto& conf = decision(ds, "conf");
  EXPECT_EQ(conf.baseline, "SCS-4");
  EXPECT_EQ(conf.previous_baseline, "");
  ASSERT_EQ(conf.reasons.size(), 2u);  // declared confidential data, and its DATA_FLOW relation
  EXPECT_EQ(conf.reasons[0].kind, K::ConfidentialData);
  EXPECT_EQ(conf.reasons[0].customer, "buyer");
  EXPECT_EQ(conf.reasons[1].kind, K::ReachesSystems);
  EXPECT_EQ(conf.reasons[1].relation, "c-pc → b-erp");  // no relation id: from → to

  const auto& delay = decision(ds, "delay");
  EXPECT_EQ(delay.baseline, "SCS-4");
  EXPECT_EQ(delay.previous_baseline, "SCS-4");
  ASSERT_EQ(delay.reasons.size(), 1u);
  EXPECT_EQ(delay.reasons[0].kind, K::UnacceptableDelay);

  const auto& reach = decision(ds, "reach");
  EXPECT_EQ(reach.baseline, "SCS-4");
  ASSERT_EQ(reach.reasons.size(), 1u);
  EXPECT_EQ(reach.reasons[0].kind, K::ReachesSystems);
  EXPECT_EQ(reach.reasons[0].relation, "r-trust");
  EXPECT_EQ(reach.reasons[0].relations, 1u);

  const auto& l3 = decision(ds, "l3");
  EXPECT_EQ(l3.baseline, "SCS-4");
  ASSERT_EQ(l3.reasons.size(), 1u);
  EXPECT_EQ(l3.reasons[0].relation, "r-l3");
  EXPECT_EQ(l3.reasons[0].relations, 2u);  // both L3 relations count, whatever their kind
  EXPECT_NE(describe(l3.reasons[0]).find("and 1 more"), std::string::npos);

  const auto& none = decision(ds, "none");
  EXPECT_EQ(none.baseline, "SCS-3");
  EXPECT_EQ(none.previous_baseline, "JC-STAR-2");
  EXPECT_TRUE(none.reasons.empty());
  EXPECT_EQ(none.customers, std::vector<std::string>{"buyer"});

  // The scenario now says so; enterprises that supply nobody keep their baseline.
  EXPECT_EQ(baseline_of(s, "conf"), "SCS-4");
  EXPECT_EQ(baseline_of(s, "none"), "SCS-3");
  EXPECT_EQ(baseline_of(s, "buyer"), "JC-STAR-1");
  EXPECT_EQ(baseline_of(s, "other"), "JC-STAR-2");
  EXPECT_STREQ(supplier_reason_name(K::ReachesSystems), "reaches_systems");
}

TEST(SupplierRule, NoDependenciesChangesNothing) {
  v1::Scenario s = parse(kRuleScenario);
  s.clear_dependencies();
  const std::string before = s.SerializeAsString();
  EXPECT_TRUE(apply_supplier_rule(s).empty());
  EXPECT_EQ(s.SerializeAsString(), before);
}

TEST(SupplierRule, UsesTheScenariosOwnScs4) {
  // A scenario may replace SCS-4; the rule assigns the id, the scenario decides what it holds.
  v1::Scenario s = parse(std::string(kRuleScenario) + R"pb(baselines {
                                                             id: "SCS-4"
                                                             controls { requirement: "CPS.AC-1" efficacy: 0.9 }
                                                           })pb");
  apply_supplier_rule(s);
  EXPECT_EQ(baseline_of(s, "conf"), "SCS-4");
}

TEST(AssignBaseline, Scopes) {
  v1::Scenario s = parse(kRuleScenario);
  EXPECT_EQ(assign_baseline(s, "SCS-3", BaselineScope::suppliers()), 5u);
  EXPECT_EQ(baseline_of(s, "buyer"), "JC-STAR-1");
  EXPECT_EQ(baseline_of(s, "other"), "JC-STAR-2");
  EXPECT_EQ(baseline_of(s, "none"), "SCS-3");
  EXPECT_EQ(assign_baseline(s, "JC-STAR-2", BaselineScope::only({"buyer", "conf"})), 2u);
  EXPECT_EQ(baseline_of(s, "conf"), "JC-STAR-2");
  EXPECT_EQ(baseline_of(s, "delay"), "SCS-3");
  EXPECT_EQ(assign_baseline(s, "SCS-4"), 7u);
  for (const auto& e : s.enterprises()) EXPECT_EQ(e.baseline(), "SCS-4");
  EXPECT_EQ(assign_baseline(s, "", BaselineScope::only({"other"})), 1u);  // "" removes it
  EXPECT_EQ(baseline_of(s, "other"), "");
  try {
    assign_baseline(s, "SCS-4", BaselineScope::only({"nobody"}));
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'nobody' is not in the scenario"), std::string::npos) << e.what();
  }
  try {
    assign_baseline(s, "SCS-44");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("'SCS-44' is not defined (fix: use one of SCS-3, SCS-4"), std::string::npos)
        << e.what();
  }
}

TEST(AssignBaseline, Scs5IsRefusedUnlessTheScenarioDefinesIt) {
  v1::Scenario s = parse(kRuleScenario);
  try {
    assign_baseline(s, "SCS-5");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("SCS ★5 is still under design"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fix: use SCS-4 or define SCS-5"), std::string::npos) << e.what();
  }
  // Through compare, before anything runs, naming the scenario.
  CompareOptions o;
  o.baselines = {"as-is", "SCS-5"};
  o.run.trials = 10;
  try {
    compare({{"mine", "", s}}, o);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("scenario 'mine': baseline 'SCS-5'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("under design"), std::string::npos) << e.what();
  }
  // An enterprise of the scenario claiming SCS-5 is refused too.
  v1::Scenario claims = s;
  claims.mutable_enterprises(0)->set_baseline("SCS-5");
  o.baselines = {"as-is"};
  EXPECT_THROW(compare({{"claims", "", claims}}, o), std::invalid_argument);
  // A scenario may define its own SCS-5.
  s.add_baselines()->set_id("SCS-5");
  EXPECT_EQ(assign_baseline(s, "SCS-5"), 7u);
}

CompareOptions options(std::vector<std::string> baselines, std::uint64_t trials, unsigned threads = 1) {
  CompareOptions o;
  o.baselines = std::move(baselines);
  o.run.trials = trials;
  o.run.seed = 17;
  o.run.threads = threads;
  return o;
}

TEST(Compare, DeterministicAtOneAndTwoThreads) {
  const std::vector<CompareInput> in{{"default", "scenarios/default/scenario.textproto", default_scenario()},
                                     {"rule", "", parse(kRuleScenario)}};
  const std::vector<std::string> variants{"as-is", "SCS-3", "SCS-4", "supplier-rule"};
  const auto one = compare(in, options(variants, 3000, 1));
  const auto two = compare(in, options(variants, 3000, 2));
  EXPECT_EQ(compare_json(one), compare_json(two));
  EXPECT_EQ(compare_csv(one), compare_csv(two));
  EXPECT_EQ(compare_profile_csv(one), compare_profile_csv(two));
  ASSERT_EQ(one.rows.size(), 8u);
  EXPECT_EQ(one.rows[0].scenario, "default");
  EXPECT_EQ(one.rows[3].baseline, "supplier-rule");
  EXPECT_EQ(one.rows[4].scenario, "rule");
  for (const auto& row : one.rows) {
    EXPECT_EQ(row.trials, 3000u);
    EXPECT_LE(row.ci95.low, row.mean);
    EXPECT_LE(row.var95, row.var99);
    EXPECT_LE(row.var99, row.es99 + 1e-9);
    EXPECT_LE(row.var95_ci.low, row.var95);
    EXPECT_GE(row.var95_ci.high, row.var95);
    EXPECT_NEAR(row.reduction_mean, row.inherent_mean - row.mean, 1e-6 * (1 + row.inherent_mean));
  }
  EXPECT_EQ(one.rows[0].diff_mean, 0.0);
  EXPECT_EQ(one.rows[0].diff_stderr, 0.0);
  // The default scenario has annual frequencies; the hand-made one has no threats.
  EXPECT_TRUE(one.rows[0].annual_mean.has_value());
  EXPECT_FALSE(one.rows[4].annual_mean.has_value());
  // The supplier rule row carries its decisions.
  EXPECT_EQ(one.rows[3].decisions.size(), 5u);
}

TEST(Compare, Scs4NeverLosesMoreThanScs3TrialByTrial) {
  // Common random numbers: SCS-4 includes SCS-3 at equal or higher efficacy, so every
  // step's probability is lower or equal and every trial's loss can only fall, in each
  // threat's view and in the all-threats view (an asset's outage days do not depend on
  // which threat took it first, which stronger controls can change).
  v1::Scenario s3 = default_scenario(), s4 = s3;
  assign_baseline(s3, "SCS-3");
  assign_baseline(s4, "SCS-4");
  RunOptions o;
  o.trials = 4000;
  o.seed = 5;
  o.inherent = false;
  const auto r3 = simulate(compile(s3), o);
  const auto r4 = simulate(compile(s4), o);
  ASSERT_EQ(r3.threats.size(), 3u);
  std::size_t lower = 0;
  ASSERT_TRUE(r3.combined.has_value());
  for (std::size_t k = 0; k <= r3.threats.size(); ++k) {
    const ViewResult& v3 = k < r3.threats.size() ? r3.threats[k] : *r3.combined;
    const ViewResult& v4 = k < r4.threats.size() ? r4.threats[k] : *r4.combined;
    for (std::uint64_t j = 0; j < o.trials; ++j) {
      const double a = v3.residual_loss[j], b = v4.residual_loss[j];
      ASSERT_LE(b, a * (1 + 1e-12) + 1e-9) << v3.id << ", trial " << j;  // sums may differ in the last bit
      lower += b < a;
    }
  }
  EXPECT_GT(lower, 0u);
  // compare reports the same pair: the means of those runs, and a negative paired difference.
  const auto c = compare({{"d", "", default_scenario()}}, [&] {
    auto x = options({"SCS-3", "SCS-4"}, 4000);
    x.run.seed = 5;
    return x;
  }());
  EXPECT_EQ(c.rows[0].mean, summarise_losses(r3.main().residual_loss, {}).mean);
  EXPECT_EQ(c.rows[1].mean, summarise_losses(r4.main().residual_loss, {}).mean);
  EXPECT_LT(c.rows[1].diff_mean, 0.0);
  EXPECT_GT(c.rows[1].diff_stderr, 0.0);
  // Paired: far below the independent-runs standard error of the difference.
  EXPECT_LT(c.rows[1].diff_stderr, std::hypot(c.rows[0].stderr_, c.rows[1].stderr_));
}

TEST(Compare, InherentRunIsSharedByTheVariants) {
  // Controls off does not depend on the baseline: the second variant's inherent mean,
  // taken from the first variant's run, is what its own controls-off run gives.
  v1::Scenario s4 = default_scenario();
  assign_baseline(s4, "SCS-4");
  RunOptions o;
  o.trials = 2000;
  o.seed = 17;
  const auto own = simulate(compile(s4), o);
  const auto c = compare({{"d", "", default_scenario()}}, options({"as-is", "SCS-4"}, 2000));
  EXPECT_EQ(c.rows[1].inherent_mean, moments_of(own.main().inherent_loss).mean);  // folded as the run folds
  EXPECT_EQ(c.rows[1].mean, moments_of(own.main().residual_loss).mean);           // folded as the run folds
}

TEST(Compare, ThreatFilterRunsOnlyThatThreat) {
  auto o = options({"as-is"}, 2000);
  o.threat = "apt-supply-chain";
  const auto c = compare({{"d", "", default_scenario()}}, o);
  ASSERT_EQ(c.scenarios.size(), 1u);
  EXPECT_EQ(c.scenarios[0].threats, std::vector<std::string>{"apt-supply-chain"});
  // The same as a run of the scenario with that one threat.
  const v1::Scenario full = default_scenario();
  v1::Scenario only = full;
  only.clear_threats();
  for (const auto& t : full.threats()) {
    if (t.id() == "apt-supply-chain") *only.add_threats() = t;
  }
  RunOptions r;
  r.trials = 2000;
  r.seed = 17;
  const Model m = compile(only);
  const auto run = simulate(m, r);
  EXPECT_EQ(c.rows[0].mean, moments_of(run.main().residual_loss).mean);  // folded as the run folds
  const auto all = compare({{"d", "", default_scenario()}}, options({"as-is"}, 2000));
  EXPECT_NE(c.rows[0].mean, all.rows[0].mean);
  EXPECT_EQ(c.threat, "apt-supply-chain");
}

TEST(Compare, AnyTargetProbabilityWithWilsonInterval) {
  // One target: P(any target) is that asset's P(compromised).
  const v1::Scenario s = parse(kRuleScenario);
  const auto c = compare({{"rule", "", s}}, options({"as-is"}, 5000));
  RunOptions r;
  r.trials = 5000;
  r.seed = 17;
  const Model m = compile(s);
  const auto est = estimate(m, simulate(m, r));
  const auto& row = c.rows[0];
  EXPECT_EQ(row.targets, 1u);
  ASSERT_TRUE(row.target_trials.has_value());
  EXPECT_EQ(*row.target_trials, est.assets[0].hits);
  EXPECT_GT(*row.target_trials, 0u);
  EXPECT_DOUBLE_EQ(row.p_target_ci.low, est.assets[0].ci95.low);
  EXPECT_DOUBLE_EQ(row.p_target_ci.high, est.assets[0].ci95.high);
  // Without a target or objective there is nothing to report.
  v1::Scenario untargeted = s;
  untargeted.mutable_assets(0)->set_target(false);
  const auto u = compare({{"u", "", untargeted}}, options({"as-is"}, 100));
  EXPECT_EQ(u.rows[0].targets, 0u);
  EXPECT_FALSE(u.rows[0].target_trials.has_value());
}

void expect_error(const std::vector<CompareInput>& in, const CompareOptions& o, const std::string& fragment) {
  try {
    compare(in, o);
    ADD_FAILURE() << "no error; expected: " << fragment;
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("fix"), std::string::npos) << e.what();
  }
}

TEST(Compare, ErrorsNameTheScenarioAndTheFix) {
  const std::vector<CompareInput> in{{"default", "", default_scenario()}, {"rule", "", parse(kRuleScenario)}};
  auto o = options({"as-is"}, 10);
  o.threat = "ransomware-crew";  // in the default scenario only
  expect_error(in, o, "scenario 'rule': threat 'ransomware-crew' is not defined (fix: it has no threats");
  o.threat = "ransomware";
  expect_error(in, o,
               "scenario 'default': threat 'ransomware' is not defined (fix: choose one of its threats: "
               "ransomware-crew, apt-supply-chain, ot-saboteur)");
  expect_error(in, options({"as-is", "SCS4"}, 10),
               "scenario 'default': baseline 'SCS4' is not defined (fix: use as-is, supplier-rule, SCS-3, SCS-4");
  expect_error(in, options({"SCS-3", "SCS-3"}, 10), "baseline 'SCS-3' is given twice");
  expect_error(in, options({}, 10), "no baseline to compare");
  expect_error({}, options({"as-is"}, 10), "no scenario to compare");
  expect_error({{"x", "", parse(kRuleScenario)}, {"x", "", parse(kRuleScenario)}}, options({"as-is"}, 10),
               "scenario label 'x' is used twice");
}

// A row is labelled by its scenario's name, whatever the file is called; the file only
// tells apart scenarios of one name, and names the unnamed.
TEST(Compare, LabelsAreTheScenariosNames) {
  using V = std::vector<std::string>;
  EXPECT_EQ(compare_labels({"Automotive chain", "Power grid"}, {"scenarios/default/scenario.textproto", "x/p.json"}),
            (V{"Automotive chain", "Power grid"}));
  // The same scenario under any file name has the same label.
  EXPECT_EQ(compare_labels({"Automotive chain"}, {"copy/renamed.json"}), V{"Automotive chain"});
  EXPECT_EQ(compare_labels({"Automotive chain"}, {"scenario.textproto"}), V{"Automotive chain"});
  // Unnamed: the file's stem, or the directory of a scenario.* file; in memory: its place.
  EXPECT_EQ(compare_labels({"", "", ""}, {"a/automotive/scenario.textproto", "x/chain.json", ""}),
            (V{"automotive", "chain", "scenario 3"}));
  // One name twice: told apart by their files (as few directories as it takes), else numbered.
  EXPECT_EQ(
      compare_labels({"Factory", "Factory", "Other"}, {"a/f/scenario.textproto", "b/f/scenario.textproto", "c.json"}),
      (V{"Factory (a/f)", "Factory (b/f)", "Other"}));
  EXPECT_EQ(compare_labels({"chain", "chain", "chain"}, {"", "", ""}), (V{"chain", "chain (2)", "chain (3)"}));
  EXPECT_EQ(compare_labels({"トヨタ自動車", "トヨタ自動車"}, {"x/a.json", "y/b.json"}),
            (V{"トヨタ自動車 (a)", "トヨタ自動車 (b)"}));
  // A made label never takes one a scenario already has.
  EXPECT_EQ(compare_labels({"x (2)", "x", "x"}, {"", "", ""}), (V{"x (2)", "x", "x (3)"}));
  // Deterministic: the same inputs, the same labels.
  EXPECT_EQ(compare_labels({"a", "a", "b"}, {"", "", ""}), compare_labels({"a", "a", "b"}, {"", "", ""}));
}

TEST(Compare, TheSameFileTwiceIsRefusedUnderAnyName) {
  ScratchDir dir;
  const auto file = dir.write("s.textproto", "name: \"s\"\n");
  std::filesystem::create_symlink(file, dir.file("link.textproto"));
  EXPECT_THROW(compare_labels({"s", "s"}, {"a/s.textproto", "a/./s.textproto"}), std::invalid_argument);
  EXPECT_THROW(compare_labels({"s", "s"}, {file, dir.file("link.textproto")}), std::invalid_argument);
  EXPECT_THROW(compare_labels({"s", "s"}, {file, dir.file("../" + dir.path().filename().string() + "/s.textproto")}),
               std::invalid_argument);
  try {
    compare_labels({"s", "s"}, {file, dir.file("link.textproto")});
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("the same file"), std::string::npos) << e.what();
  }
  EXPECT_THROW(compare_labels({"s"}, {"a", "b"}), std::invalid_argument);  // one name per file
}

}  // namespace
}  // namespace cpsf
