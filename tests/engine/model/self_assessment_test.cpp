// The self-assessment importer (model/self_assessment.hpp) on texts in memory: the controls it
// writes, the enterprises of a fragment, duplicates, the mapping's levels, and the report.
#include "cpsf/model/self_assessment.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>

namespace cpsf {
namespace {

struct Imported {
  LoadStatus status{};
  LoadedScenario loaded;
  SelfAssessmentReport report;
  Diagnostics diagnostics;
};

Imported import(const std::string& answers, const std::optional<std::string>& mapping = std::nullopt,
                LoadedScenario into = LoadedScenario(), bool match_existing = false) {
  Imported r;
  r.loaded = std::move(into);
  InventoryPlaces places;
  std::optional<CsvSource> map;
  if (mapping) map = CsvSource{"m.csv", *mapping};
  r.status = import_self_assessment(CsvSource{"dir/a.csv", answers}, map, SelfAssessmentOptions{match_existing, false},
                                    r.loaded, places, r.report, r.diagnostics);
  return r;
}

const v1::Control* control(const v1::Scenario& s, const std::string& id) {
  for (const auto& c : s.controls()) {
    if (c.id() == id) return &c;
  }
  return nullptr;
}

TEST(SelfAssessment, FragmentMakesEnterprisesFromNames) {
  const auto r = import(
      "company,item,answer\nAoba Electronics,CPS.AC-1,yes\naoba  electronics,CPS.MA-1,ADVANCED\n"
      "Aoba-Electronics!,CPS.CM-1,yes\n日立,CPS.AC-1,yes\n");
  ASSERT_EQ(r.status, LoadStatus::Ok) << (r.diagnostics.empty() ? "" : r.diagnostics.items()[0].format());
  const auto& s = r.loaded.scenario();
  ASSERT_EQ(s.enterprises_size(), 3);  // the second row is the first company, case and spaces aside
  EXPECT_EQ(s.enterprises(0).id(), "aoba-electronics");
  EXPECT_EQ(s.enterprises(0).name(), "Aoba Electronics");
  EXPECT_EQ(s.enterprises(1).id(), "aoba-electronics-2");  // a different name with the same id
  EXPECT_EQ(s.enterprises(2).id(), "company");             // nothing of [a-z0-9] left
  const auto* c = control(s, "sa-aoba-electronics-CPS.MA-1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->level(), v1::ADVANCED);
  EXPECT_FALSE(c->has_efficacy());
  EXPECT_TRUE(c->implemented());
  EXPECT_EQ(c->description(), "self-assessment a.csv row 3");
  EXPECT_EQ(r.report.enterprises_made, 3);
}

TEST(SelfAssessment, MappingLevelsAndTheHighestOfSeveralItems) {
  const auto r = import("company,item,answer,date\nx,Q1,yes,2026-01-01\nx,Q2,yes,2026-01-02\nx,Q3,BASIC,\nx,Q4,no,\n",
                        "item,requirement,level\nQ1,CPS.AC-1,\nQ2,CPS.AC-1,ADVANCED\nQ3,CPS.MA-1,HIGH_ADVANCED\n"
                        "Q4,CPS.CM-1,\nQ4,CPS.DS-1,ADVANCED\n");
  ASSERT_EQ(r.status, LoadStatus::Ok);
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(control(s, "sa-x-CPS.AC-1")->level(), v1::ADVANCED);
  EXPECT_EQ(control(s, "sa-x-CPS.AC-1")->description(), "self-assessment a.csv row 3, date 2026-01-02");
  EXPECT_EQ(control(s, "sa-x-CPS.MA-1")->level(), v1::BASIC);  // the answer's level beats the mapping's
  EXPECT_EQ(control(s, "sa-x-CPS.CM-1"), nullptr);
  EXPECT_EQ(s.controls_size(), 2);
  EXPECT_EQ(r.report.implemented, 3);
  EXPECT_EQ(r.report.not_implemented, 1);
}

TEST(SelfAssessment, LatestDateWinsAndConflictsNameBothLines) {
  auto r = import("company,item,answer,date\nx,CPS.AC-1,yes,2026-03-01\nx,CPS.AC-1,no,2026-01-01\n");
  ASSERT_EQ(r.status, LoadStatus::Ok);
  EXPECT_NE(control(r.loaded.scenario(), "sa-x-CPS.AC-1"), nullptr);
  r = import("company,item,answer,date\nx,CPS.AC-1,yes,2026-01-01\nx,CPS.AC-1,no,2026-03-01\n");
  EXPECT_EQ(control(r.loaded.scenario(), "sa-x-CPS.AC-1"), nullptr);
  r = import("company,item,answer\nx,CPS.AC-1,yes\nx,CPS.AC-1,1\nx,CPS.AC-1,\n");  // the same answer; empty: none
  EXPECT_EQ(r.status, LoadStatus::Ok);
  r = import("company,item,answer\nx,CPS.AC-1,yes\nx,CPS.AC-1,ADVANCED\n");
  ASSERT_EQ(r.status, LoadStatus::Invalid);
  const auto& d = r.diagnostics.items().at(0);
  EXPECT_EQ(d.file, "dir/a.csv");
  EXPECT_EQ(d.line, 3);
  EXPECT_EQ(d.path, "answer");
  EXPECT_NE(d.message.find("line 2 answers 'yes' and line 3 answers 'ADVANCED'"), std::string::npos) << d.message;
}

TEST(SelfAssessment, IntoReplacesKeepsAndRemoves) {
  LoadedScenario into;
  auto& s = *into.mutable_scenario();
  auto* e = s.add_enterprises();
  e->set_id("t2");
  e->set_name("Kanamori Precision");
  auto* keep = s.add_controls();
  keep->set_id("own");
  keep->set_requirement("CPS.AC-1");
  for (const char* id : {"sa-t2-CPS.AC-1", "sa-t2-CPS.MA-1"}) {
    auto* c = s.add_controls();
    c->set_id(id);
    c->set_requirement(std::string(id).substr(6));
    c->set_level(v1::BASIC);
  }
  const auto r =
      import("company,item,answer\nKANAMORI PRECISION,CPS.AC-1,HIGH_ADVANCED\nt2,CPS.MA-1,n/a\nzz,CPS.AC-1,1\n",
             std::nullopt, std::move(into), true);
  ASSERT_EQ(r.status, LoadStatus::Ok);
  const auto& out = r.loaded.scenario();
  ASSERT_EQ(out.controls_size(), 2);
  EXPECT_EQ(out.controls(0).id(), "own");
  EXPECT_EQ(out.controls(1).id(), "sa-t2-CPS.AC-1");
  EXPECT_EQ(out.controls(1).level(), v1::HIGH_ADVANCED);
  EXPECT_EQ(r.loaded.origins.at("controls").size(), 2U);
  EXPECT_EQ(r.report.controls_replaced, 1);
  EXPECT_EQ(r.report.controls_removed, 1);
  ASSERT_EQ(r.report.unmatched.size(), 1U);
  EXPECT_EQ(r.report.unmatched[0], (std::pair<std::string, int>{"zz", 4}));
  EXPECT_EQ(r.diagnostics.warning_count(), 1U);
}

TEST(SelfAssessment, ReportCoverageAndNearestBaseline) {
  std::string answers = "company,item,answer\n";
  for (const char* id :
       {"CPS.GV-1", "CPS.AM-1", "CPS.AC-1", "CPS.AT-1", "CPS.IP-1", "CPS.MA-1", "CPS.CM-1", "CPS.RA-1", "CPS.RP-1"})
    answers += std::string("x,") + id + ",yes\n";
  const auto r = import(answers);
  ASSERT_EQ(r.status, LoadStatus::Ok);
  ASSERT_EQ(r.report.companies.size(), 1U);
  const auto& c = r.report.companies[0];
  EXPECT_EQ(c.nearest, "SCS-3");
  ASSERT_EQ(c.baselines.size(), 2U);
  EXPECT_EQ(c.baselines[0].covered, 9);
  EXPECT_EQ(c.baselines[0].required, 9);
  EXPECT_EQ(c.baselines[1].baseline, "SCS-4");
  EXPECT_LT(c.baselines[1].covered, c.baselines[1].required);
  const std::string text = self_assessment_report_text(r.report);
  EXPECT_NE(text.find("x: SCS-3 9/9 SCS-4 "), std::string::npos) << text;
  EXPECT_NE(text.find("nearest baseline SCS-3; SCS-4 lacks CPS.AC-1 ADVANCED"), std::string::npos) << text;
}

}  // namespace
}  // namespace cpsf
