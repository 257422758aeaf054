// The GraphML importer (and the scenario's GraphML that `cpsf export graphml` writes): every
// bundled scenario comes back from its graph, attributes are taken by name or through a
// mapping file, and every bad file is refused with its line, what is wrong and the fix.
#include "cpsf/io/graphml.hpp"

#include <google/protobuf/util/message_differencer.h>

#include <filesystem>

#include "cpsf/output/attack_graph.hpp"
#include "test_support.hpp"

namespace cpsf {
namespace {

using testing::Checked;
using testing::HasError;
using testing::HasWarning;

struct Imported {
  Checked checked;
  LoadedScenario loaded;
  GraphmlReport report;
};

// Imports `graph` (and `mapping`) into a scenario holding `base`, then validates and places
// the diagnostics, as the command line does.
Imported import(std::string_view graph, const v1::Scenario& base = {}, std::optional<std::string> mapping = {}) {
  Imported r;
  *r.loaded.mutable_scenario() = base;
  r.loaded.files.push_back(SourceFile{"base.textproto", Format::Text, ""});
  InventoryPlaces places;
  std::optional<CsvSource> map;
  if (mapping) map = CsvSource{"map.csv", *mapping};
  r.checked.status = import_graphml(CsvSource{"g.graphml", std::string(graph)}, map, r.loaded, places, r.report,
                                    r.checked.diagnostics);
  if (r.checked.status == LoadStatus::Ok) {
    validate(r.loaded, r.checked.diagnostics);
    places.place(r.checked.diagnostics);
  }
  return r;
}

void expect_same(const v1::Scenario& a, const v1::Scenario& b) {
  std::string diff;
  google::protobuf::util::MessageDifferencer differ;
  differ.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differ.Compare(a, b)) << diff;
}

// The scenario's graph imported into the scenario without its assets and relations.
v1::Scenario round_trip(const v1::Scenario& scenario) {
  std::vector<std::string> problems;
  const std::string graph = scenario_graphml(scenario, problems);
  EXPECT_TRUE(problems.empty()) << problems.front();
  v1::Scenario base = scenario;
  base.clear_assets();
  base.clear_relations();
  Imported r = import(graph, base);
  EXPECT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();
  return r.loaded.scenario();
}

TEST(Graphml, EveryBundledScenarioComesBackExactly) {
  const auto scenarios = testing::bundled_scenarios();
  for (const auto& [path, scenario] : scenarios) {
    SCOPED_TRACE(path);
    expect_same(scenario, round_trip(scenario));
  }
  EXPECT_GE(scenarios.size(), 11u);
}

TEST(Graphml, MarkupInIdsAndTextComesBack) {
  v1::Scenario s;
  s.add_enterprises()->set_id("a&b <co>");
  auto* a = s.add_assets();
  a->set_id("x\"y'z&<>");
  a->set_name("Ünïcode — \"quoted\" <tag> & more");
  a->set_owner("a&b <co>");
  a->set_layer(v1::L3);
  a->set_element(v1::SYSTEM);
  a->add_tags("a;b");
  a->add_tags("c");
  auto* b = s.add_assets();
  *b = *a;
  b->set_id("plain");
  auto* r = s.add_relations();
  r->set_from(a->id());
  r->set_to("plain");
  r->set_layer(v1::L3);
  r->set_description("tab\there");  // a reference in the file, so the reader keeps it
  r->mutable_step()->set_p(0.25);
  expect_same(s, round_trip(s));
}

TEST(Graphml, AttributesByFieldNameAndEnterprisesFromOwners) {
  const auto r = import(R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="d0" for="node" attr.name="owner" attr.type="string"/>
  <key id="d1" for="node" attr.name="layer" attr.type="string"><default>L3</default></key>
  <key id="d2" for="node" attr.name="element" attr.type="string"/>
  <key id="d3" for="node" attr.name="loss.integrity" attr.type="double"/>
  <key id="d4" for="node" attr.name="target" attr.type="boolean"/>
  <key id="d5" for="edge" attr.name="layer" attr.type="string"/>
  <key id="d6" for="edge" attr.name="step.p" attr.type="double"/>
  <key id="d7" for="graph" attr.name="currency" attr.type="string"/>
  <key id="d8" for="node" attr.name="colour" attr.type="string"/>
  <graph id="G" edgedefault="directed">
    <data key="d7">kJPY</data>
    <node id="vpn"><data key="d0">supplier</data><data key="d2">SYSTEM</data><data key="d8">red</data></node>
    <node id="plc"><data key="d0">oem</data><data key="d2">COMPONENT</data><data key="d1">L2</data>
      <data key="d3">5e3</data><data key="d4">true</data></node>
    <edge source="vpn" target="plc"><data key="d5">L3</data><data key="d6">0.4</data></edge>
  </graph>
</graphml>)");
  ASSERT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();
  const v1::Scenario& s = r.loaded.scenario();
  EXPECT_EQ(s.currency(), "kJPY");
  ASSERT_EQ(s.assets_size(), 2);
  EXPECT_EQ(s.assets(0).layer(), v1::L3);  // the key's default
  EXPECT_EQ(s.assets(1).layer(), v1::L2);  // the node's own value
  EXPECT_EQ(s.assets(1).loss().integrity(), 5000);
  EXPECT_TRUE(s.assets(1).target());
  ASSERT_EQ(s.relations_size(), 1);
  EXPECT_EQ(s.relations(0).from(), "vpn");
  EXPECT_DOUBLE_EQ(s.relations(0).step().p(), 0.4);
  ASSERT_EQ(s.enterprises_size(), 2);
  EXPECT_EQ(s.enterprises(0).id(), "supplier");
  EXPECT_EQ(r.report.enterprises_made, 2);
  EXPECT_EQ(r.report.nodes, 2);
  EXPECT_TRUE(HasWarning(r.checked, "g.graphml", "", "node attribute(s) not read: 'colour'"));
}

// A graph as a drawing tool keeps it: labels and a type of its own, no layers.
constexpr std::string_view kDrawing = R"(<?xml version="1.0"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
  <key id="k0" for="node" attr.name="label" attr.type="string"/>
  <key id="k1" for="node" attr.name="company" attr.type="string"/>
  <key id="k2" for="node" attr.name="kind" attr.type="string"/>
  <key id="k3" for="all" attr.name="weight" attr.type="double"/>
  <key id="k4" for="node" yfiles.type="nodegraphics"/>
  <graph id="G" edgedefault="directed">
    <node id="n0"><data key="k0">Supplier VPN</data><data key="k1">tier1</data><data key="k2">SYSTEM</data>
      <data key="k4"><shape/></data></node>
    <node id="n1"><data key="k0">Line PLC</data><data key="k1">oem</data><data key="k2">COMPONENT</data></node>
    <edge source="n0" target="n1"><data key="k3">0.3</data></edge>
  </graph>
</graphml>)";

TEST(Graphml, AMappingFileRenamesAttributesAndGivesDefaults) {
  const auto r = import(kDrawing, {},
                        "for,attribute,field,default\n"
                        "node,label,name,\n"
                        "node,company,owner,\n"
                        "node,kind,element,\n"
                        "node,,layer,L3\n"
                        "edge,weight,step.p,\n"
                        "edge,,layer,L3\n"
                        "edge,,kind,NETWORK\n");
  ASSERT_EQ(r.checked.status, LoadStatus::Ok) << r.checked.dump();
  EXPECT_FALSE(r.checked.diagnostics.has_errors()) << r.checked.dump();
  const v1::Scenario& s = r.loaded.scenario();
  ASSERT_EQ(s.assets_size(), 2);
  EXPECT_EQ(s.assets(0).name(), "Supplier VPN");
  EXPECT_EQ(s.assets(0).owner(), "tier1");
  EXPECT_EQ(s.assets(0).element(), v1::SYSTEM);
  EXPECT_EQ(s.assets(1).layer(), v1::L3);
  EXPECT_EQ(s.relations(0).kind(), v1::NETWORK);
  EXPECT_DOUBLE_EQ(s.relations(0).step().p(), 0.3);
  for (const auto& d : r.checked.diagnostics.items()) {  // every attribute was read or mapped
    EXPECT_EQ(d.message.find("not read"), std::string::npos) << d.format();
  }
}

TEST(Graphml, WithoutTheMappingTheDrawingsAttributesAreNamedAndTheGapsPlaced) {
  const auto r = import(kDrawing);
  EXPECT_TRUE(HasWarning(r.checked, "g.graphml", "", "node attribute(s) not read: 'label', 'company'"));
  // 'kind' is a field of a relation, not of an asset; 'weight' (for all) of neither.
  EXPECT_TRUE(HasWarning(r.checked, "g.graphml", "", "'kind'"));
  EXPECT_TRUE(HasWarning(r.checked, "g.graphml", "", "edge attribute(s) not read: 'weight'"));
  // Validation's errors land on the lines of the node and the edge.
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "n0", "owner", 9)) << r.checked.dump();
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "", "layer", 12)) << r.checked.dump();
}

TEST(Graphml, BadCellsAreErrorsOnTheirLineAndAttribute) {
  const auto r = import(R"(<graphml>
<key id="a" for="node" attr.name="layer"/>
<key id="b" for="node" attr.name="exposure"/>
<graph edgedefault="directed">
<node id="x"><data key="a">L9</data></node>
<node id="y">
  <data key="b">lots</data></node>
</graph></graphml>)");
  EXPECT_EQ(r.checked.status, LoadStatus::Invalid);
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "asset 'x'", "L9", 5)) << r.checked.dump();
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "asset 'y'", "lots", 6)) << r.checked.dump();
}

Checked refused(std::string_view graph, std::optional<std::string> mapping = {}) {
  auto r = import(graph, {}, std::move(mapping));
  EXPECT_NE(r.checked.status, LoadStatus::Ok) << graph;
  return std::move(r.checked);
}

constexpr std::string_view kHead = "<graphml><graph edgedefault=\"directed\">\n";

TEST(Graphml, RefusesWhatIsNotADirectedGraphOfUniqueNodes) {
  EXPECT_TRUE(HasError(refused("<graphml><graph edgedefault=\"directed\">\n<node id=\"a\">\n</graph>"), "g.graphml", "",
                       "not well-formed XML", 3));
  EXPECT_TRUE(HasError(refused("<svg/>"), "g.graphml", "", "no <graphml> element"));
  EXPECT_TRUE(HasError(refused("<graphml/>"), "g.graphml", "", "no <graph>"));
  EXPECT_TRUE(HasError(refused("<graphml><graph/></graphml>"), "g.graphml", "", "edgedefault"));
  EXPECT_TRUE(HasError(refused("<graphml><graph edgedefault=\"undirected\">\n<node id=\"a\"/>\n<node id=\"b\"/>\n"
                               "<edge source=\"a\" target=\"b\"/></graph></graphml>"),
                       "g.graphml", "", "undirected", 4));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node id=\"a\"/>\n<node id=\"b\"/>\n"
                                                    "<edge source=\"a\" target=\"b\" directed=\"false\"/>"
                                                    "</graph></graphml>"),
                       "g.graphml", "", "undirected", 4));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node id=\"a\"/>\n<node id=\"a\"/></graph></graphml>"),
                       "g.graphml", "", "a second node has the id 'a'", 3));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node/></graph></graphml>"), "g.graphml", "", "no id", 2));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node id=\"a\"/>\n<edge source=\"a\" target=\"b\"/>"
                                                    "</graph></graphml>"),
                       "g.graphml", "", "edge target 'b' is no node", 3));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node id=\"a\"/>\n<edge target=\"a\"/></graph></graphml>"),
                       "g.graphml", "", "no source", 3));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<node id=\"a\"><graph edgedefault=\"directed\"/></node>"
                                                    "</graph></graphml>"),
                       "g.graphml", "", "nested graph"));
  EXPECT_TRUE(HasError(refused(std::string(kHead) + "<hyperedge/></graph></graphml>"), "g.graphml", "", "hyperedge"));
  EXPECT_TRUE(HasError(refused("<graphml><key id=\"k\" for=\"nodes\"/><graph edgedefault=\"directed\"/></graphml>"),
                       "g.graphml", "", "cannot read the graph"));
}

TEST(Graphml, ControlCharactersThatXmlCannotHoldAreRefused) {
  // The parser lets them through, raw or as a reference; written back they would be U+FFFD.
  const auto c = refused(std::string("<graphml><key id=\"k\" for=\"node\" attr.name=\"name\"/>\n") +
                         "<graph edgedefault=\"directed\">\n<node id=\"a\"><data key=\"k\">x\x1cy</data></node>\n<node "
                         "id=\"b&#1;\"/>\n</graph></graphml>");
  EXPECT_TRUE(HasError(c, "g.graphml", "node 'a'", "name holds the control character U+001C", 3));
  EXPECT_TRUE(HasError(c, "g.graphml", "node 'b", "id holds the control character U+0001", 4));
}

TEST(Graphml, DeepNestingIsRefusedBeforeTheParserRecurses) {
  std::string deep = std::string(kHead);
  for (int i = 0; i < 100000; ++i) deep += "<x>";
  EXPECT_TRUE(HasError(refused(deep), "g.graphml", "", "nested deeper than 64", 2));
  // Comments, CDATA and quoted '>' do not confuse the scan.
  const auto r = import(std::string(kHead) +
                        "<!-- <node id=\"no\"> -->\n<node id=\"a\" note=\"1 > 0\"><![CDATA[<node>]]></node>\n"
                        "<node id=\"b\" layer='x>y'/>\n</graph></graphml>");
  EXPECT_EQ(r.report.nodes, 2);
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "a", "owner", 3)) << r.checked.dump();
  EXPECT_TRUE(HasError(r.checked, "g.graphml", "b", "owner", 4)) << r.checked.dump();
}

TEST(Graphml, MoreThanOneGraphIsWarnedAbout) {
  const auto r = import(std::string(kHead) + "<node id=\"a\"/></graph>\n<graph edgedefault=\"directed\"/></graphml>");
  EXPECT_TRUE(HasWarning(r.checked, "g.graphml", "", "1 more graph(s) after the first are not read", 3));
}

TEST(Graphml, AMappedAttributeNoElementHasIsWarnedAbout) {
  const auto r = import(kDrawing, {},
                        "for,attribute,field,default\n"
                        "node,label,name,\n"
                        "node,lable,tags,\n"
                        "edge,weight,step.p,\n");
  EXPECT_TRUE(
      HasWarning(r.checked, "map.csv", "", "node attribute 'lable' is mapped, but no node of the graph has it", 3));
  for (const auto& d : r.checked.diagnostics.items()) {  // the rows that matched are not warned about
    EXPECT_TRUE(d.message.find("'label' is mapped") == std::string::npos &&
                d.message.find("'weight' is mapped") == std::string::npos)
        << d.format();
  }
}

TEST(Graphml, BadMappingFiles) {
  const std::string graph = std::string(kHead) + "<node id=\"a\"/></graph></graphml>";
  EXPECT_TRUE(HasError(refused(graph, "for,attribute\nnode,x\n"), "map.csv", "", "no column field", 1));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field,extra\n"), "map.csv", "", "unknown column 'extra'", 1));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field\nvertex,x,name\n"), "map.csv", "", "for is 'vertex'", 2));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field\nnode,x,nom\n"), "map.csv", "", "'nom' is not a field", 2));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field\nnode,x,id\n"), "map.csv", "", "'id' is not a field", 2));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field\nedge,x,from\n"), "map.csv", "", "'from'", 2));
  EXPECT_TRUE(
      HasError(refused(graph, "for,attribute,field\nnode,x,name\nnode,x,owner\n"), "map.csv", "", "mapped twice", 3));
  EXPECT_TRUE(HasError(refused(graph, "for,attribute,field,default\nnode,,name,\n"), "map.csv", "", "sets nothing", 2));
}

}  // namespace
}  // namespace cpsf
