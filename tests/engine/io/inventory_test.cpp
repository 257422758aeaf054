// The CSV reader (RFC 4180 and what spreadsheets write) and the inventory importer: every
// cell form, and every bad input with its file, line, column and fix.
#include "cpsf/io/inventory.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>

#include "cpsf/io/csv_read.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::Checked;
using testing::HasError;
using testing::HasWarning;
using testing::ScratchDir;

CsvTable parsed(std::string_view text) {
  CsvTable t;
  Diagnostics d;
  EXPECT_TRUE(parse_csv(text, "t.csv", t, d)) << (d.empty() ? "" : d.items().front().format());
  return t;
}

Checked parse_fails(std::string_view text) {
  Checked c;
  CsvTable t;
  EXPECT_FALSE(parse_csv(text, "t.csv", t, c.diagnostics));
  c.status = LoadStatus::Invalid;
  return c;
}

TEST(CsvRead, QuotesCommasLineBreaksAndDoubledQuotes) {
  const auto t = parsed("a,b\r\n\"x, y\",\"say \"\"hi\"\"\"\r\n\"two\nlines\",\r\nlast,row");
  ASSERT_EQ(t.rows.size(), 3u);
  EXPECT_EQ(t.rows[0][0], "x, y");
  EXPECT_EQ(t.rows[0][1], "say \"hi\"");
  EXPECT_EQ(t.rows[1][0], "two\nlines");
  EXPECT_EQ(t.rows[1][1], "");
  EXPECT_EQ(t.lines, (std::vector<int>{2, 3, 5}));  // physical lines: the quoted break counts
}

TEST(CsvRead, ByteOrderMarkBlankLinesAndHeaderSpaces) {
  const auto t = parsed("\xEF\xBB\xBF id , name\n\nx,y\n\n");
  EXPECT_EQ(t.header, (std::vector<std::string>{"id", "name"}));
  ASSERT_EQ(t.rows.size(), 1u);
  EXPECT_EQ(t.lines[0], 3);
}

TEST(CsvRead, SyntaxErrorsAtTheirLineAndColumn) {
  auto c = parse_fails("a,b\n\"open,x\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "no closing quote", 2));
  c = parse_fails("a,b\nx\"y,z\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "double quote inside a cell", 2));
  EXPECT_EQ(c.diagnostics.items().front().column, 2);
  c = parse_fails("a,b\n\"x\"y,z\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "text after the closing quote", 2));
  c = parse_fails("a,b\nx,y,z\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "row has 3 cells but the header has 2", 2));
  c = parse_fails("a,a\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "named twice", 1));
  c = parse_fails("a,,b\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "column 2 of the header has no name", 1));
  c = parse_fails("");
  EXPECT_TRUE(HasError(c, "t.csv", "", "no header row"));
  c = parse_fails("a\nx\xff\n");
  EXPECT_TRUE(HasError(c, "t.csv", "", "not UTF-8", 2));
  c = parse_fails(std::string_view("a\nx\0y\n", 6));
  EXPECT_TRUE(HasError(c, "t.csv", "", "not UTF-8", 2));
}

// An inventory in memory, imported and validated as `cpsf import` does.
struct Imported {
  LoadedScenario loaded;
  Checked checked;
};

Imported import(std::vector<InventorySource> sources) {
  Imported r;
  InventoryPlaces places;
  r.checked.status = import_inventory(sources, r.loaded, places, r.checked.diagnostics);
  if (r.checked.status == LoadStatus::Ok) validate(r.loaded, r.checked.diagnostics);
  places.place(r.checked.diagnostics);
  return r;
}

const InventorySource kEnterprises{"enterprises.csv", "inv/enterprises.csv", "id,name\noem,OEM\nsup,\"Sup, Inc\"\n"};
const InventorySource kAssets{"assets.csv", "inv/assets.csv",
                              "id,owner,layer,element,exposure,loss.integrity,loss.outage_days,target,tags\n"
                              "vpn,sup,L3,SYSTEM,0.5,,,,edge; remote\n"
                              "mes,oem,L3,SYSTEM,,1e6,\"pert(min=1, mode=2, max=5)\",true,\"[\"\"a;b\"\"]\"\n"};
const InventorySource kRelations{"relations.csv", "inv/relations.csv",
                                 "from,to,layer,kind,step.p,step.ttc,step.mitigated_by\n"
                                 "vpn,mes,L3,TRUST,0.4,\"lognormal(mu=1.1,sigma=0.5)\",CPS.AC-1\n"};

TEST(Inventory, EveryCellForm) {
  auto r = import(
      {kEnterprises,
       kAssets,
       kRelations,
       {"controls.csv", "inv/controls.csv",
        "id,requirement,level,efficacy,implemented\nc1,CPS.AC-1,ADVANCED,0.7,TRUE\n"},
       {"threats.csv", "inv/threats.csv", "id,capability,entry_points,step_scale\nt,COMMON_ATTACKS,vpn=0.3;mes,\n"},
       {"scenario.csv", "inv/scenario.csv", "name,currency,settings.trials,settings.horizon\nx,JPY,1000,365\n"}});
  ASSERT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();
  // The one problem: the entry point without a probability, which validation reports on its row.
  EXPECT_EQ(r.checked.diagnostics.error_count(), 1u) << r.checked.dump();
  EXPECT_TRUE(HasError(r.checked, "inv/threats.csv", "threat 't'", "entry point 'mes' has no probability", 2));
  const auto& s = r.loaded.scenario();
  EXPECT_EQ(s.name(), "x");
  EXPECT_EQ(s.settings().trials(), 1000u);
  EXPECT_TRUE(s.settings().has_horizon());
  EXPECT_EQ(s.enterprises(1).name(), "Sup, Inc");
  EXPECT_EQ(s.assets(0).tags_size(), 2);
  EXPECT_EQ(s.assets(0).tags(1), "remote");
  EXPECT_FALSE(s.assets(0).has_loss());  // empty cells: not given
  EXPECT_EQ(s.assets(1).tags(0), "a;b");
  EXPECT_EQ(s.assets(1).loss().outage_days().pert().mode(), 2);
  EXPECT_FALSE(s.assets(1).loss().outage_days().pert().has_lambda());
  EXPECT_TRUE(s.assets(1).target());
  EXPECT_EQ(s.relations(0).step().ttc().lognormal().mu(), 1.1);
  EXPECT_EQ(s.relations(0).kind(), v1::TRUST);
  EXPECT_TRUE(s.controls(0).implemented());
  EXPECT_EQ(s.controls(0).level(), v1::ADVANCED);
  EXPECT_EQ(s.threats(0).entry_points(0).probability(), 0.3);
  EXPECT_FALSE(s.threats(0).entry_points(1).has_probability());
  EXPECT_FALSE(s.threats(0).has_step_scale());
}

TEST(Inventory, DefaultCellsMakeNoEmptyMessagesAndNaNIsCanonical) {
  auto r =
      import({kEnterprises,
              {"assets.csv", "inv/assets.csv", "id,owner,loss.integrity,exposure,containment\nx,oem,0,nan(12),-nan\n"},
              kRelations,
              {"scenario.csv", "inv/scenario.csv", "settings.trials\n0\n"}});
  ASSERT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();
  const auto& s = r.loaded.scenario();
  EXPECT_FALSE(s.assets(0).has_loss());  // loss {} would not come back from an export
  EXPECT_FALSE(s.has_settings());
  EXPECT_EQ(std::bit_cast<std::uint64_t>(s.assets(0).exposure()),
            std::bit_cast<std::uint64_t>(std::numeric_limits<double>::quiet_NaN()));
  EXPECT_TRUE(std::isnan(s.assets(0).containment()) && std::signbit(s.assets(0).containment()));
}

TEST(Inventory, KindOnlyRelationsAreLeftToValidation) {
  // The first relation's step comes from the attack-step library; the second's kind has no
  // library step on L1, which validation reports on its CSV row.
  auto r =
      import({kEnterprises,
              kAssets,
              {"relations.csv", "inv/relations.csv", "from,to,layer,kind\nvpn,mes,L3,TRUST\nvpn,mes,L1,NETWORK\n"}});
  ASSERT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();  // read; validation's errors are below
  EXPECT_FALSE(r.loaded.scenario().relations(0).has_step());
  EXPECT_FALSE(r.loaded.scenario().relations(1).has_step());
  int on_second_row = 0;
  for (const auto& d : r.checked.diagnostics.items()) {
    EXPECT_FALSE(d.file == "inv/relations.csv" && d.line == 2) << r.checked.dump();
    if (d.file == "inv/relations.csv" && d.line == 3 && d.message.find("library") != std::string::npos) ++on_second_row;
  }
  EXPECT_EQ(on_second_row, 1) << r.checked.dump();
}

TEST(Inventory, BadCellsNameFileLineColumnAndFix) {
  auto r = import({kEnterprises,
                   {"assets.csv", "inv/assets.csv",
                    "id,owner,layer,element,exposure,target,loss.outage_days\n"
                    "a,oem,L9,SYSTEM,x,maybe,\n"
                    "b,oem,L3,SYSTEM,,,gauss(mu=1)\n"
                    "c,oem,L3,SYSTEM,,,\"lognormal(mu=1,median=2)\"\n"
                    "d,oem,L3,SYSTEM,,,\"gamma(shape=1,shape=2)\"\n"},
                   kRelations});
  EXPECT_EQ(r.checked.status, LoadStatus::Invalid);
  const auto& c = r.checked;
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'a'", "column layer: 'L9' is not a value of Layer", 2));
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'a'", "column exposure: 'x' is not a number", 2));
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'a'", "column target: 'maybe' is not true or false", 2));
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'b'", "no distribution family 'gauss'", 3));
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'c'", "'median=2' is not a parameter of lognormal", 4));
  EXPECT_TRUE(HasError(c, "inv/assets.csv", "asset 'd'", "gamma's shape is given twice", 5));
}

TEST(Inventory, UnknownColumnsAndFilesAndMissingOnes) {
  auto r = import({kEnterprises,
                   {"assets.csv", "inv/assets.csv", "id,owner,colour\n"},
                   kRelations,
                   {"risks.csv", "risks.csv", "x\n"}});
  EXPECT_EQ(r.checked.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(r.checked, "inv/assets.csv", "", "unknown column 'colour'", 1));
  EXPECT_TRUE(HasError(r.checked, "risks.csv", "", "not a file of an inventory"));
  r = import({kEnterprises, kAssets});
  EXPECT_TRUE(HasError(r.checked, "relations.csv", "", "missing"));
  r = import({kEnterprises, {"assets.csv", "inv/assets.csv", "id,Loss_Integrity,exposre\n"}, kRelations});
  ASSERT_EQ(r.checked.diagnostics.items().size(), 2u) << r.checked.dump();
  EXPECT_EQ(r.checked.diagnostics.items()[0].hint.rfind("did you mean 'loss.integrity'? name columns", 0), 0u);
  EXPECT_EQ(r.checked.diagnostics.items()[1].hint.rfind("did you mean 'exposure'? ", 0), 0u);
}

TEST(Inventory, FolderLimitsAndStrayFiles) {
  ScratchDir dir;
  dir.write("inv/enterprises.csv", kEnterprises.text);
  dir.write("inv/assets.csv", kAssets.text);
  dir.write("inv/relations.csv", kRelations.text);
  dir.write("inv/dependency.csv", "customer,supplier\n");
  LoadedScenario loaded;
  InventoryPlaces places;
  Checked c;
  c.status = import_inventory(dir.file("inv"), loaded, places, c.diagnostics);
  EXPECT_EQ(c.status, LoadStatus::Ok) << c.dump();
  EXPECT_TRUE(HasWarning(c, "dependency.csv", "", "not read"));
  ReadLimits small;
  small.max_file_bytes = 10;
  LoadedScenario again;
  Checked big;
  big.status = import_inventory(dir.file("inv"), again, places, big.diagnostics, small);
  EXPECT_EQ(big.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(big, "enterprises.csv", "", "over the limit"));
  Checked none;
  none.status = import_inventory(dir.file("nothing"), again, places, none.diagnostics);
  EXPECT_EQ(none.status, LoadStatus::IoError);
  EXPECT_TRUE(HasError(none, "nothing", "", "no such folder"));
}

TEST(Inventory, IntoAnExistingScenarioCollidingIdsNameBothPlaces) {
  LoadedScenario loaded = in_memory_scenario(testing::default_scenario(), "base.textproto");
  InventoryPlaces places;
  Checked c;
  c.status = import_inventory(
      {{"enterprises.csv", "inv/enterprises.csv", "id\n" + loaded.scenario().enterprises(0).id() + "\n"},
       {"assets.csv", "inv/assets.csv", "id\n"},
       {"relations.csv", "inv/relations.csv", "from\n"}},
      loaded, places, c.diagnostics);
  ASSERT_EQ(c.status, LoadStatus::Ok) << c.dump();
  validate(loaded, c.diagnostics);
  places.place(c.diagnostics);
  EXPECT_TRUE(HasError(c, "inv/enterprises.csv", "", "is already used by enterprises[0] in base.textproto", 2));
}

}  // namespace
}  // namespace cpsf
