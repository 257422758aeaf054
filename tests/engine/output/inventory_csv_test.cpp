// The inventory writer: every bundled scenario comes back from its CSV files exactly, the
// cell forms that need care (lists with ';', apostrophes, non-finite numbers, unnamed enum
// values) read back, and what the CSV form cannot carry is refused.
#include "cpsf/output/inventory_csv.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "cpsf/io/inventory.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

// The scenario read back from its inventory (texts in memory, as from_frames gives them).
v1::Scenario round_trip(const v1::Scenario& scenario, std::string* dump = nullptr) {
  const InventoryCsv csv = inventory_csv(scenario);
  EXPECT_TRUE(csv.problems.empty()) << csv.problems.front();
  std::vector<InventorySource> sources;
  for (const auto& [name, text] : csv.files) sources.push_back({name, "inv/" + name, text});
  LoadedScenario loaded;
  InventoryPlaces places;
  Diagnostics d;
  EXPECT_EQ(import_inventory(sources, loaded, places, d), LoadStatus::Ok) << (d.empty() ? "" : d.items()[0].format());
  if (dump != nullptr) {
    for (const auto& [name, text] : csv.files) *dump += "== " + name + "\n" + text;
  }
  return loaded.scenario();
}

void expect_same(const v1::Scenario& a, const v1::Scenario& b, const std::string& dump = "") {
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(a, b)) << diff << dump;
}

TEST(InventoryCsv, EveryBundledScenarioComesBackExactly) {
  const auto scenarios = testing::bundled_scenarios();
  for (const auto& [path, scenario] : scenarios) {
    SCOPED_TRACE(path);
    expect_same(scenario, round_trip(scenario));
  }
  EXPECT_GE(scenarios.size(), 11u);
}

TEST(InventoryCsv, CellsThatNeedCare) {
  v1::Scenario s;
  s.set_name("=not a formula");
  s.mutable_settings()->set_horizon(0);  // present though zero
  auto* e = s.add_enterprises();
  e->set_id("'quoted");
  e->set_name("a, \"b\"\nc");
  e->set_daily_output(-0.0);
  auto* a = s.add_assets();
  a->set_id("x");
  a->set_layer(static_cast<v1::Layer>(7));  // a value this build does not name
  a->set_exposure(std::numeric_limits<double>::infinity());
  a->set_containment(std::nan(""));
  a->add_tags("a;b");
  a->add_tags(" padded ");
  a->mutable_loss()->mutable_outage_days()->mutable_pert()->set_lambda(4);
  auto* r = s.add_relations();
  r->mutable_step()->set_p(0.1);
  r->mutable_step()->mutable_ttc()->mutable_fixed()->set_value(-3);
  r->mutable_step()->add_mitigated_by("[x");
  auto* t = s.add_threats();
  t->add_entry_points()->set_asset("x");
  auto* ep = t->add_entry_points();
  ep->set_asset("a=b");
  ep->set_probability(1e-300);
  std::string dump;
  const v1::Scenario back = round_trip(s, &dump);
  // NaN is never equal to itself: checked apart, then both set to 0.
  EXPECT_TRUE(std::isnan(back.assets(0).containment())) << dump;
  v1::Scenario same = back;
  same.mutable_assets(0)->set_containment(0);
  v1::Scenario want = s;
  want.mutable_assets(0)->set_containment(0);
  expect_same(want, same, dump);
}

TEST(InventoryCsv, RefusesWhatItCannotCarry) {
  v1::Scenario s;
  s.add_requirements()->set_id("CPS.X-1");  // carried: requirements.csv
  s.add_baselines()->set_id("B");
  s.add_threats()->add_entry_points()->set_asset("a=b");
  s.add_assets()->mutable_loss()->mutable_outage_days();
  const InventoryCsv csv = inventory_csv(s);
  ASSERT_EQ(csv.problems.size(), 3u);
  EXPECT_NE(csv.problems[0].find("baseline"), std::string::npos);
  EXPECT_NE(csv.problems[1].find("no family"), std::string::npos);
  EXPECT_NE(csv.problems[2].find("'a=b'"), std::string::npos);
}

TEST(InventoryCsv, OnlyColumnsWithValuesAndEveryFileWritten) {
  v1::Scenario s;
  s.add_enterprises()->set_id("e");
  const InventoryCsv csv = inventory_csv(s);
  ASSERT_EQ(csv.files.size(), kInventoryFiles.size());
  EXPECT_EQ(csv.files[1].first, "enterprises.csv");
  EXPECT_EQ(csv.files[1].second, "id\ne\n");
  EXPECT_EQ(csv.files[4].second.substr(0, 18), "customer,supplier,");  // no rows: every column, as a template
}

}  // namespace
}  // namespace cpsf
