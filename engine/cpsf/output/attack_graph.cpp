#include "cpsf/output/attack_graph.hpp"

#include <google/protobuf/descriptor.h>

#include <algorithm>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/graphviz.hpp>
#include <boost/property_map/dynamic_property_map.hpp>
#include <charconv>
#include <initializer_list>
#include <sstream>
#include <string_view>

#include "cpsf/output/inventory_csv.hpp"
#include "cpsf/output/layer_element.hpp"

namespace cpsf {

namespace {

struct Node {
  std::string id, owner, layer, element;
  bool target = false, gate_all = false;
  double loss = 0, p_compromised = 0, ci95_low = 0, ci95_high = 0, expected_loss = 0, inherent_p = 0;
};

struct Edge {
  std::string id;  // the relation's id, or "from->to#index"
  int index = 0;   // in the scenario's relation list
  double p_residual = 0, p_inherent = 0, path_share = 0;
  unsigned long long paths = 0;
};

using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, Node, Edge>;

// Estimates of nothing (no trial) are NaN; graph tools read "nan" as text, so 0 stands in
// only where a count says so: a run that wrote files has at least one trial.
Graph build(const Model& m, const Estimates& e) {
  const std::size_t n = m.asset_count();
  Graph g(n);
  for (std::size_t v = 0; v < n; ++v) {
    Node& node = g[v];
    node.id = m.asset_id[v];
    node.owner = m.asset_owner[v] < m.enterprise_id.size() ? m.enterprise_id[m.asset_owner[v]] : "";
    node.layer = layer_name(m.asset_layer[v]);
    node.element = element_name(m.asset_element[v]);
    node.target = m.asset_target[v] != 0;
    node.gate_all = m.asset_all_gate[v] != 0;
    node.loss = m.asset_loss[v];
  }
  for (const auto& a : e.assets) {
    Node& node = g[a.index];
    node.p_compromised = a.p;
    node.ci95_low = a.ci95.low;
    node.ci95_high = a.ci95.high;
    node.expected_loss = expected_own_loss(m, a);
    node.inherent_p = a.inherent_p;
  }
  std::vector<const RelationShare*> share(m.relation_count(), nullptr);
  for (const auto& r : e.paths.relations) {
    if (r.relation < share.size()) share[r.relation] = &r;
  }
  const auto residual = m.step_probabilities(true);
  const auto inherent = m.step_probabilities(false);
  for (std::size_t v = 0; v < n; ++v) {
    for (std::uint32_t k = m.out_begin[v]; k < m.out_begin[v + 1]; ++k) {
      Edge edge;
      edge.index = static_cast<int>(m.edge_relation[k]);
      // relation_id is empty when no relation has an id (model.hpp).
      const std::string id = m.edge_relation[k] < m.relation_id.size() ? m.relation_id[m.edge_relation[k]] : "";
      edge.id =
          !id.empty() ? id : m.asset_id[v] + "->" + m.asset_id[m.edge_target[k]] + "#" + std::to_string(edge.index);
      edge.p_residual = residual[k];
      edge.p_inherent = inherent[k];
      if (const RelationShare* s = share[m.edge_relation[k]]) {
        edge.path_share = s->share;
        edge.paths = s->paths;
      }
      boost::add_edge(v, m.edge_target[k], edge, g);
    }
  }
  return g;
}

boost::dynamic_properties properties(Graph& g) {
  boost::dynamic_properties dp;
  dp.property("owner", boost::get(&Node::owner, g));
  dp.property("layer", boost::get(&Node::layer, g));
  dp.property("element", boost::get(&Node::element, g));
  dp.property("target", boost::get(&Node::target, g));
  dp.property("gate_all", boost::get(&Node::gate_all, g));
  dp.property("loss", boost::get(&Node::loss, g));
  dp.property("p_compromised", boost::get(&Node::p_compromised, g));
  dp.property("ci95_low", boost::get(&Node::ci95_low, g));
  dp.property("ci95_high", boost::get(&Node::ci95_high, g));
  dp.property("expected_loss", boost::get(&Node::expected_loss, g));
  dp.property("inherent_p_compromised", boost::get(&Node::inherent_p, g));
  dp.property("id", boost::get(&Edge::id, g));
  dp.property("index", boost::get(&Edge::index, g));
  dp.property("p_residual", boost::get(&Edge::p_residual, g));
  dp.property("p_inherent", boost::get(&Edge::p_inherent, g));
  dp.property("path_share", boost::get(&Edge::path_share, g));
  dp.property("paths", boost::get(&Edge::paths, g));
  return dp;
}

// Text as XML character data; a C0 control other than tab, LF and CR, which XML 1.0 cannot
// hold even as a reference, becomes U+FFFD (ids are UTF-8 already: validation checks that).
std::string xml_escaped(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '>') {
      out += "&gt;";
    } else if (c == '"') {
      out += "&quot;";
    } else if (c == '\t' || c == '\n' || c == '\r') {  // as references: a reader keeps them (in attributes too)
      out += "&#" + std::to_string(static_cast<int>(c)) + ";";
    } else if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      out += "\xEF\xBF\xBD";
    } else {
      out += c;
    }
  }
  return out;
}

std::string shortest(double x) {
  char buf[32];
  return {buf, std::to_chars(buf, buf + sizeof buf, x).ptr};
}

void data(std::string& out, const char* key, const std::string& value) {
  out += "<data key=\"";
  out += key;
  out += "\">";
  out += value;
  out += "</data>";
}

// A column's GraphML attr.type: a tool then reads numbers as numbers.
const char* graphml_type(const InventoryColumn& column) {
  if (column.kind != InventoryColumn::Kind::Scalar) return "string";
  switch (column.path.back()->cpp_type()) {
    case google::protobuf::FieldDescriptor::CPPTYPE_DOUBLE:
    case google::protobuf::FieldDescriptor::CPPTYPE_FLOAT:
      return "double";
    case google::protobuf::FieldDescriptor::CPPTYPE_INT32:
    case google::protobuf::FieldDescriptor::CPPTYPE_INT64:
    case google::protobuf::FieldDescriptor::CPPTYPE_UINT32:
    case google::protobuf::FieldDescriptor::CPPTYPE_UINT64:
      return "long";
    case google::protobuf::FieldDescriptor::CPPTYPE_BOOL:
      return "boolean";
    default:
      return "string";  // text, enum names
  }
}

// A table with the columns that the elements' own XML attributes carry (a node's id; an
// edge's from and to) picked out: the others are GraphML keys.
struct GraphTable {
  const InventoryTable& table;
  std::vector<std::size_t> own;   // the structural columns, in the order asked (npos: none)
  std::vector<std::size_t> keys;  // the others
  GraphTable(const InventoryTable& t, std::initializer_list<std::string_view> structural) : table(t) {
    for (const auto name : structural) {
      const auto it = std::find_if(t.columns.begin(), t.columns.end(), [&](const auto* c) { return c->name == name; });
      own.push_back(it == t.columns.end() ? std::string::npos : static_cast<std::size_t>(it - t.columns.begin()));
    }
    for (std::size_t c = 0; c < t.columns.size(); ++c) {
      if (std::find(own.begin(), own.end(), c) == own.end()) keys.push_back(c);
    }
  }
  [[nodiscard]] std::string own_cell(std::size_t row, std::size_t k) const {
    return own[k] == std::string::npos ? std::string() : xml_escaped(table.rows[row][own[k]]);
  }
  void write_keys(std::string& out, const char* for_) const {
    for (const std::size_t c : keys) {
      const std::string name = xml_escaped(table.columns[c]->name);
      out += "  <key id=\"";
      out.append(for_).append(".").append(name).append("\" for=\"").append(for_).append("\" attr.name=\"");
      out.append(name).append("\" attr.type=\"").append(graphml_type(*table.columns[c])).append("\"/>\n");
    }
  }
  void write_data(std::string& out, const char* for_, std::size_t row) const {
    for (const std::size_t c : keys) {
      if (table.rows[row][c].empty()) continue;
      data(out, (std::string(for_) + "." + xml_escaped(table.columns[c]->name)).c_str(),
           xml_escaped(table.rows[row][c]));
    }
  }
};

}  // namespace

std::string scenario_graphml(const v1::Scenario& scenario, std::vector<std::string>& problems) {
  const InventoryTable asset_table = inventory_table(scenario, "assets", problems);
  const InventoryTable relation_table = inventory_table(scenario, "relations", problems);
  const GraphTable assets(asset_table, {"id"});
  const GraphTable relations(relation_table, {"from", "to"});
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
  assets.write_keys(out, "node");
  relations.write_keys(out, "edge");
  out += "  <graph id=\"" + xml_escaped(scenario.name().empty() ? "scenario" : scenario.name()) +
         "\" edgedefault=\"directed\">\n";
  for (std::size_t row = 0; row < asset_table.rows.size(); ++row) {
    out += "    <node id=\"" + assets.own_cell(row, 0) + "\">";
    assets.write_data(out, "node", row);
    out += "</node>\n";
  }
  for (std::size_t row = 0; row < relation_table.rows.size(); ++row) {
    out += "    <edge source=\"" + relations.own_cell(row, 0) + "\" target=\"" + relations.own_cell(row, 1) + "\">";
    relations.write_data(out, "edge", row);
    out += "</edge>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string attack_graph_graphml(const Model& model, const Estimates& estimates) {
  // Written here, not by boost::write_graphml, which names nodes "n<id>": tools would show
  // "noem-vpn" for the asset oem-vpn. Keys in a fixed order; numbers in their shortest
  // round-trip form.
  const Graph g = build(model, estimates);
  struct Key {
    const char *for_, *name, *type;
  };
  static constexpr Key kKeys[] = {{"node", "owner", "string"},
                                  {"node", "layer", "string"},
                                  {"node", "element", "string"},
                                  {"node", "target", "boolean"},
                                  {"node", "gate_all", "boolean"},
                                  {"node", "loss", "double"},
                                  {"node", "p_compromised", "double"},
                                  {"node", "ci95_low", "double"},
                                  {"node", "ci95_high", "double"},
                                  {"node", "expected_loss", "double"},
                                  {"node", "inherent_p_compromised", "double"},
                                  {"edge", "id", "string"},
                                  {"edge", "index", "int"},
                                  {"edge", "p_residual", "double"},
                                  {"edge", "p_inherent", "double"},
                                  {"edge", "path_share", "double"},
                                  {"edge", "paths", "long"}};
  std::string out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n";
  for (const auto& k : kKeys) {
    out += std::string("  <key id=\"") + k.name + "\" for=\"" + k.for_ + "\" attr.name=\"" + k.name +
           "\" attr.type=\"" + k.type + "\"/>\n";
  }
  out += "  <graph id=\"attack-graph\" edgedefault=\"directed\">\n";
  for (const auto v : boost::make_iterator_range(boost::vertices(g))) {
    const Node& n = g[v];
    out += "    <node id=\"" + xml_escaped(n.id) + "\">";
    data(out, "owner", xml_escaped(n.owner));
    data(out, "layer", n.layer);
    data(out, "element", n.element);
    data(out, "target", n.target ? "true" : "false");
    data(out, "gate_all", n.gate_all ? "true" : "false");
    data(out, "loss", shortest(n.loss));
    data(out, "p_compromised", shortest(n.p_compromised));
    data(out, "ci95_low", shortest(n.ci95_low));
    data(out, "ci95_high", shortest(n.ci95_high));
    data(out, "expected_loss", shortest(n.expected_loss));
    data(out, "inherent_p_compromised", shortest(n.inherent_p));
    out += "</node>\n";
  }
  for (const auto e : boost::make_iterator_range(boost::edges(g))) {
    const Edge& d = g[e];
    out += "    <edge source=\"" + xml_escaped(g[boost::source(e, g)].id) + "\" target=\"" +
           xml_escaped(g[boost::target(e, g)].id) + "\">";
    data(out, "id", xml_escaped(d.id));
    data(out, "index", std::to_string(d.index));
    data(out, "p_residual", shortest(d.p_residual));
    data(out, "p_inherent", shortest(d.p_inherent));
    data(out, "path_share", shortest(d.path_share));
    data(out, "paths", std::to_string(d.paths));
    out += "</edge>\n";
  }
  out += "  </graph>\n</graphml>\n";
  return out;
}

std::string attack_graph_dot(const Model& model, const Estimates& estimates) {
  Graph g = build(model, estimates);
  boost::dynamic_properties dp = properties(g);
  dp.property("node_id", boost::get(&Node::id, g));
  std::ostringstream out;
  out.precision(17);
  boost::write_graphviz_dp(out, g, dp, "node_id");
  return out.str();
}

}  // namespace cpsf
