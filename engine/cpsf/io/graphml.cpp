#include "cpsf/io/graphml.hpp"

#include <algorithm>
#include <boost/graph/graphml.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <cstdio>
#include <map>
#include <set>
#include <sstream>
#include <utility>
#include <vector>

namespace cpsf {

namespace pt = boost::property_tree;

namespace {

// GraphML nests about five deep (graphml, graph, node, data, and a tool's markup inside
// data). The XML parser under property_tree recurses once per level, so a file nested a
// hundred thousand deep would overflow the stack: it is refused before it is parsed.
constexpr int kMaxDepth = 64;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

// ---- the text: lines of the tags, nesting depth ------------------------------------------

// The line of every <graph>, <node> and <edge> tag in document order (property_tree keeps no
// lines), found by a scan that skips comments, CDATA, processing instructions and quoted
// attribute values.
struct TagLines {
  std::vector<int> graphs, nodes, edges;
};

class TagScanner {
 public:
  explicit TagScanner(std::string_view text) : text_(text) {}

  // False when the nesting is deeper than kMaxDepth (the line of the tag that went over).
  bool scan(TagLines& tags, int& too_deep_line) {
    int depth = 0;
    while (i_ < text_.size()) {
      if (text_[i_] != '<') {
        advance(1);
        continue;
      }
      const std::string_view rest = text_.substr(i_);
      if (rest.starts_with("<!--")) {
        skip_past("-->");
      } else if (rest.starts_with("<![CDATA[")) {
        skip_past("]]>");
      } else if (rest.starts_with("<?")) {
        skip_past("?>");
      } else if (rest.starts_with("<!") || rest.starts_with("</")) {
        if (rest.starts_with("</")) --depth;
        skip_tag();
      } else {
        const int line = line_;
        record(rest, line, tags);
        if (!skip_tag() && ++depth > kMaxDepth) {
          too_deep_line = line;
          return false;
        }
      }
    }
    return true;
  }

 private:
  void advance(std::size_t n) {
    const std::size_t stop = std::min(text_.size(), i_ + n);
    line_ += static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(i_),
                                         text_.begin() + static_cast<std::ptrdiff_t>(stop), '\n'));
    i_ = stop;
  }
  void skip_past(std::string_view end) {
    const std::size_t at = text_.find(end, i_);
    advance(at == std::string_view::npos ? text_.size() - i_ : at + end.size() - i_);
  }
  // Past the tag's '>' (quoted values may hold one); true when it closed itself ("/>").
  bool skip_tag() {
    char quote = 0;
    bool self_closing = false;
    advance(1);
    while (i_ < text_.size()) {
      const char c = text_[i_];
      if (quote != 0) {
        if (c == quote) quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (c == '>') {
        advance(1);
        return self_closing;
      }
      self_closing = quote == 0 && c == '/';
      advance(1);
    }
    return self_closing;
  }
  static void record(std::string_view tag, int line, TagLines& tags) {
    const std::string_view name = tag.substr(1, tag.find_first_of(" \t\r\n/>", 1) - 1);
    if (name == "graph") tags.graphs.push_back(line);
    if (name == "node") tags.nodes.push_back(line);
    if (name == "edge") tags.edges.push_back(line);
  }

  std::string_view text_;
  std::size_t i_ = 0;
  int line_ = 1;
};

int line_of(const std::vector<int>& lines, std::size_t k) { return k < lines.size() ? lines[k] : 0; }

// ---- the shape: what Boost's reader does not say -----------------------------------------

// The node ids in the order read_graphml adds the vertices, and the edges' ends. Boost's
// reader gives neither the node ids nor a line; it also merges two nodes of one id and
// makes a vertex for an edge's end that no node declares, silently: both are refused here.
struct Shape {
  std::vector<std::string> node_ids;
  std::vector<std::pair<std::string, std::string>> edges;  // source, target
};

pt::ptree::path_type xml_path(const std::string& s) { return {s, '/'}; }

class ShapeReader {
 public:
  ShapeReader(const std::string& path, const TagLines& lines, Diagnostics& out)
      : path_(path), lines_(lines), out_(out) {}

  bool read(const pt::ptree& document, Shape& shape) {
    const auto root = document.get_child_optional(xml_path("graphml"));
    if (!root) {
      return error(0, "", "not GraphML: there is no <graphml> element",
                   "give a GraphML file (as yEd, Gephi or NetworkX's write_graphml write them)");
    }
    const pt::ptree* graph = nullptr;
    int graphs = 0;
    for (const auto& [name, child] : *root) {
      if (name == "graph" && graphs++ == 0) graph = &child;
    }
    if (graph == nullptr) return error(0, "", "the file holds no <graph>", "add the graph's nodes and edges");
    if (graphs > 1) {
      out_.add(Diagnostic{Severity::Warning, path_, line_of(lines_.graphs, 1), 0, "", "",
                          std::to_string(graphs - 1) + " more graph(s) after the first are not read",
                          "keep one graph a file, or import each from its own file"});
    }
    const std::string edge_default = graph->get(xml_path("<xmlattr>/edgedefault"), "");
    if (edge_default != "directed" && edge_default != "undirected") {
      return error(line_of(lines_.graphs, 0), "edgedefault",
                   "the <graph> says neither edgedefault=\"directed\" nor \"undirected\" (GraphML requires it)",
                   "add edgedefault=\"directed\": each edge runs from the asset an attacker holds to the one reached");
    }
    return read_children(*graph, edge_default == "directed", shape);
  }

 private:
  bool read_children(const pt::ptree& graph, bool directed, Shape& shape) {
    bool ok = true;
    std::set<std::string, std::less<>> ids;
    for (const auto& [name, child] : graph) {
      if (name == "node") ok = read_node(child, ids, shape) && ok;
      if (name == "graph" || name == "hyperedge") {
        ok = error(0, "", "a <" + name + "> inside the graph is not read",
                   name == "graph" ? "flatten the graph: its nodes and edges in one <graph>"
                                   : "write each hyperedge as edges between its nodes");
      }
    }
    for (const auto& [name, child] : graph) {
      if (name == "edge") ok = read_edge(child, directed, ids, shape) && ok;
    }
    return ok;
  }

  bool read_node(const pt::ptree& node, std::set<std::string, std::less<>>& ids, Shape& shape) {
    const int line = line_of(lines_.nodes, shape.node_ids.size());
    const std::string id = node.get(xml_path("<xmlattr>/id"), "");
    shape.node_ids.push_back(id);
    if (id.empty()) return error(line, "id", "a node has no id", "give every <node> an id: the asset's id");
    if (!ids.insert(id).second) {
      return error(line, "id", "a second node has the id " + in_quotes(id), "give every node its own id");
    }
    if (node.get_child_optional(xml_path("graph"))) {
      return error(line, "", "node " + in_quotes(id) + " holds a nested graph, which is not read",
                   "flatten the graph: its nodes and edges in one <graph>");
    }
    return true;
  }

  bool read_edge(const pt::ptree& edge, bool directed, const std::set<std::string, std::less<>>& ids, Shape& shape) {
    const int line = line_of(lines_.edges, shape.edges.size());
    const std::string source = edge.get(xml_path("<xmlattr>/source"), "");
    const std::string target = edge.get(xml_path("<xmlattr>/target"), "");
    shape.edges.emplace_back(source, target);
    const std::string local = edge.get(xml_path("<xmlattr>/directed"), "");
    bool ok = true;
    for (const auto& [end, id] : {std::pair("source", source), std::pair("target", target)}) {
      if (id.empty()) {
        ok = error(line, end, std::string("an edge has no ") + end, "give every <edge> a source and a target");
      } else if (!ids.contains(id)) {
        ok = error(line, end, std::string("edge ") + end + " " + in_quotes(id) + " is no node of the graph",
                   "declare the node, or correct the id");
      }
    }
    if (local.empty() ? !directed : local != "true") {
      ok = error(line, "directed",
                 "edge " + in_quotes(source) + " -> " + in_quotes(target) +
                     " is undirected, and an attack step has a direction",
                 "write edgedefault=\"directed\" on the <graph> (each edge from the asset an attacker holds to the one "
                 "reached); a link usable both ways is two edges");
    }
    return ok;
  }

  bool error(int line, const std::string& attribute, const std::string& message, const std::string& hint) {
    out_.add(Diagnostic{Severity::Error, path_, line, 0, attribute, "", message, hint});
    return false;
  }

  const std::string& path_;
  const TagLines& lines_;
  Diagnostics& out_;
};

// ---- the attributes, through read_graphml --------------------------------------------------

using Attributes = std::vector<std::pair<std::string, std::string>>;  // name, value: as set, in order

void set_attribute(Attributes& attributes, const std::string& name, const std::string& value) {
  const auto it = std::find_if(attributes.begin(), attributes.end(), [&](const auto& a) { return a.first == name; });
  if (it == attributes.end()) {
    attributes.emplace_back(name, value);
  } else {
    it->second = value;  // a key's default, then the node's own value
  }
}

// What read_graphml builds: every attribute as the string written (the key's attr.name and
// the value), whatever its attr.type says; a cell is checked once, as an inventory cell.
class AttributeGraph final : public boost::mutate_graph {
 public:
  [[nodiscard]] bool is_directed() const override { return true; }
  boost::any do_add_vertex() override {
    nodes.emplace_back();
    return nodes.size() - 1;
  }
  std::pair<boost::any, bool> do_add_edge(boost::any /*source*/, boost::any /*target*/) override {
    edges.emplace_back();  // the ends are in Shape, with the node ids
    return {edges.size() - 1, true};
  }
  void set_graph_property(const std::string& name, const std::string& value, const std::string& /*type*/) override {
    set_attribute(graph, name, value);
  }
  void set_vertex_property(const std::string& name, boost::any vertex, const std::string& value,
                           const std::string& /*type*/) override {
    set_attribute(nodes.at(boost::any_cast<std::size_t>(vertex)), name, value);
  }
  void set_edge_property(const std::string& name, boost::any edge, const std::string& value,
                         const std::string& /*type*/) override {
    set_attribute(edges.at(boost::any_cast<std::size_t>(edge)), name, value);
  }

  Attributes graph;
  std::vector<Attributes> nodes, edges;
};

// ---- the mapping file --------------------------------------------------------------------

// The three kinds of GraphML element that carry attributes, and the inventory list each fills.
struct ElementKind {
  const char* name;   // "node"
  const char* list;   // "assets"
  const char* file;   // "assets.csv"
  const char* thing;  // "an asset"
};
constexpr ElementKind kNode{"node", "assets", "assets.csv", "an asset"};
constexpr ElementKind kEdge{"edge", "relations", "relations.csv", "a relation"};
constexpr ElementKind kGraph{"graph", "", "scenario.csv", "the scenario"};
constexpr ElementKind kKinds[] = {kNode, kEdge, kGraph};

// Columns that the GraphML structure gives, not an attribute.
bool structural(const ElementKind& kind, std::string_view column) {
  const std::string_view name = kind.name;
  return (name == "node" && column == "id") || (name == "edge" && (column == "from" || column == "to"));
}

struct Mapping {
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> field;     // (for, attribute) -> column
  std::map<std::pair<std::string, std::string>, std::string, std::less<>> defaults;  // (for, column) -> cell
  std::map<std::pair<std::string, std::string>, int, std::less<>> lines;             // (for, attribute) -> line
};

bool is_column(const ElementKind& kind, std::string_view name) {
  const auto& columns = inventory_columns(kind.list);
  return std::any_of(columns.begin(), columns.end(), [&](const auto& c) { return c.name == name; });
}

const ElementKind* kind_named(std::string_view name) {
  for (const auto& k : kKinds) {
    if (name == k.name) return &k;
  }
  return nullptr;
}

class MappingReader {
 public:
  MappingReader(const CsvSource& source, Diagnostics& out) : source_(source), out_(out) {}

  bool read(Mapping& mapping) {
    CsvTable table;
    if (!parse_csv(source_.text, source_.path, table, out_)) return false;
    std::map<std::string, std::size_t, std::less<>> at;
    for (std::size_t c = 0; c < table.header.size(); ++c) at[table.header[c]] = c;
    bool ok = true;
    for (const auto& name : table.header) {
      if (name != "for" && name != "attribute" && name != "field" && name != "default")
        ok = error(1, name, "unknown column " + in_quotes(name), "the columns are for, attribute, field and default");
    }
    for (const char* name : {"for", "attribute", "field"}) {
      if (!at.contains(name)) ok = error(1, name, std::string("no column ") + name, kColumns);
    }
    if (!ok) return false;
    const auto cell = [&](std::size_t row, const char* name) {
      const auto it = at.find(name);
      return it == at.end() ? std::string() : table.rows[row][it->second];
    };
    for (std::size_t row = 0; row < table.rows.size(); ++row) {
      ok = read_row(table.lines[row], cell(row, "for"), cell(row, "attribute"), cell(row, "field"),
                    at.contains("default") ? std::optional(cell(row, "default")) : std::nullopt, mapping) &&
           ok;
    }
    return ok;
  }

 private:
  static constexpr const char* kColumns =
      "a mapping file has the columns for (node, edge or graph), attribute (the GraphML attribute's name), field "
      "(the inventory column it sets, empty: not read) and optionally default (the value when an element lacks "
      "the attribute)";

  bool read_row(int line, const std::string& for_, const std::string& attribute, const std::string& field,
                const std::optional<std::string>& default_value, Mapping& mapping) {
    const ElementKind* kind = kind_named(for_);
    if (kind == nullptr) return error(line, "for", "for is " + in_quotes(for_), "write node, edge or graph");
    if (!field.empty() && (!is_column(*kind, field) || structural(*kind, field))) {
      return error(line, "field", in_quotes(field) + " is not a field that a " + kind->name + " attribute can set",
                   "name a column of " + std::string(kind->file) + " (docs/import.md#columns)" +
                       (structural(*kind, field) ? "; a node's id is its GraphML id, an edge's ends its source "
                                                   "and target"
                                                 : ""));
    }
    if (attribute.empty() && (field.empty() || !default_value || default_value->empty())) {
      return error(line, "attribute", "a row with no attribute sets nothing",
                   "name the attribute, or give field and default to set the field on every " + std::string(for_));
    }
    if (!attribute.empty()) mapping.lines.emplace(std::pair(for_, attribute), line);
    if (!attribute.empty() && !mapping.field.emplace(std::pair(for_, attribute), field).second) {
      return error(line, "attribute", for_ + " attribute " + in_quotes(attribute) + " is mapped twice",
                   "keep one row for it");
    }
    if (default_value && !default_value->empty() && !field.empty()) {
      mapping.defaults[std::pair(for_, field)] = *default_value;
    }
    return true;
  }

  bool error(int line, const std::string& column, const std::string& message, const std::string& hint) {
    out_.add(Diagnostic{Severity::Error, source_.path, line, 0, column, "", message, hint});
    return false;
  }

  const CsvSource& source_;
  Diagnostics& out_;
};

// ---- attributes to inventory tables -------------------------------------------------------

// The rows of one kind of element as an inventory table: the structural columns first, then
// each column in the order first set. Attribute names that set nothing are collected.
class TableBuilder {
 public:
  TableBuilder(const ElementKind& kind, const Mapping& mapping) : kind_(kind), mapping_(mapping) {
    for (const char* name : {"id", "from", "to"}) {
      if (structural(kind, name)) column(name);
    }
  }

  void add_row(const Attributes& attributes, int line, const std::vector<std::string>& structure) {
    table_.rows.emplace_back(table_.header.size());
    table_.lines.push_back(line);
    for (std::size_t c = 0; c < structure.size(); ++c) table_.rows.back()[c] = structure[c];
    std::set<std::string, std::less<>> set;
    for (const auto& [name, value] : attributes) {
      const auto mapped = mapping_.field.find(std::pair(std::string(kind_.name), name));
      const std::string field = mapped != mapping_.field.end() ? mapped->second : name;
      if (mapped != mapping_.field.end()) mapped_.insert(name);
      if (mapped == mapping_.field.end() && (!is_column(kind_, name) || structural(kind_, name))) {
        if (!name.empty()) unread(name);
        continue;
      }
      if (field.empty()) continue;  // mapped to nothing: not read, on purpose
      cell(field) = value;
      set.insert(field);
    }
    for (const auto& [key, value] : mapping_.defaults) {
      if (key.first == kind_.name && !set.contains(key.second) && cell(key.second).empty()) cell(key.second) = value;
    }
  }

  CsvTable& table() { return table_; }
  const std::vector<std::string>& unread_names() const { return unread_; }
  // The mapping's rows of this kind that no element's attribute matched: they set nothing.
  void warn_unmatched(const std::string& mapping_path, Diagnostics& out) const {
    for (const auto& [key, line] : mapping_.lines) {
      if (key.first != kind_.name || mapped_.contains(key.second)) continue;
      out.add(Diagnostic{Severity::Warning, mapping_path, line, 0, "attribute", "",
                         std::string(kind_.name) + " attribute " + in_quotes(key.second) + " is mapped, but no " +
                             kind_.name + " of the graph has it: the row sets nothing",
                         "spell the attribute as the graph's <key attr.name=...> does, or remove the row"});
    }
  }

 private:
  std::size_t column(const std::string& name) {
    const auto it = std::find(table_.header.begin(), table_.header.end(), name);
    if (it != table_.header.end()) return static_cast<std::size_t>(it - table_.header.begin());
    table_.header.push_back(name);
    for (auto& row : table_.rows) row.emplace_back();
    return table_.header.size() - 1;
  }
  std::string& cell(const std::string& name) {
    const std::size_t c = column(name);
    return table_.rows.back()[c];
  }
  void unread(const std::string& name) {
    if (std::find(unread_.begin(), unread_.end(), name) == unread_.end()) unread_.push_back(name);
  }

  const ElementKind& kind_;
  const Mapping& mapping_;
  CsvTable table_;
  std::vector<std::string> unread_;
  std::set<std::string, std::less<>> mapped_;  // mapped attribute names some element had
};

void warn_unread(const ElementKind& kind, const std::vector<std::string>& names, const std::string& path,
                 Diagnostics& out) {
  if (names.empty()) return;
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + in_quotes(n);
  out.add(Diagnostic{
      Severity::Warning, path, 0, 0, "", "",
      std::string(kind.name) + " attribute(s) not read: " + list + " (no field of " + kind.thing + " has the name)",
      "name the attributes as the fields of " + std::string(kind.file) +
          " (docs/import.md#columns), or map them with --map (for,attribute,field); a row with an "
          "empty field reads an attribute as nothing, without this warning"});
}

// Enterprises for the owners of the imported assets that are none: id and name the owner,
// placed on the line of the first node it owns.
bool add_owner_enterprises(const CsvTable& assets, const std::string& path, LoadedScenario& into,
                           InventoryPlaces& places, GraphmlReport& report, Diagnostics& out) {
  const auto owner = std::find(assets.header.begin(), assets.header.end(), "owner");
  if (owner == assets.header.end()) return true;
  const auto c = static_cast<std::size_t>(owner - assets.header.begin());
  std::set<std::string, std::less<>> known;
  for (const auto& e : into.scenario().enterprises()) known.insert(e.id());
  CsvTable made{{"id", "name"}, {}, {}};
  for (std::size_t row = 0; row < assets.rows.size(); ++row) {
    const std::string& id = assets.rows[row][c];
    if (id.empty() || !known.insert(id).second) continue;
    made.rows.push_back({id, id});
    made.lines.push_back(assets.lines[row]);
  }
  report.enterprises_made = static_cast<int>(made.rows.size());
  places.list_lines[std::pair(path, std::string("enterprises"))] = made.lines;
  return made.rows.empty() || import_inventory_table("enterprises.csv", made, path, into, out);
}

// A C0 control other than tab, LF and CR: XML 1.0 has no way to hold one (not even as a
// reference), though the XML parser lets one through; what it would write back is U+FFFD.
int control_character(std::string_view text) {
  for (const char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r') return c;
  }
  return -1;
}

bool check_controls(const std::string& path, int line, const std::string& element, const std::string& id,
                    const Attributes& attributes, Diagnostics& out) {
  bool ok = true;
  const auto check = [&](const std::string& name, std::string_view text) {
    const int c = control_character(text);
    if (c < 0) return;
    char code[8];
    std::snprintf(code, sizeof code, "U+%04X", c);
    out.add(Diagnostic{Severity::Error, path, line, 0, name, element + " " + in_quotes(id),
                       (name.empty() ? "a value of a key with no attr.name" : name) + " holds the control character " +
                           code + ", which XML 1.0 does not allow",
                       "remove it (a line break or tab is allowed)"});
    ok = false;
  };
  check(element == "node" ? "id" : "source/target", id);
  for (const auto& [name, value] : attributes) check(name, value);
  return ok;
}

// The document parsed, its shape checked and its attributes read by read_graphml.
bool read_graph(const CsvSource& graph, Shape& shape, AttributeGraph& attributes, TagLines& lines, Diagnostics& out) {
  int too_deep = 0;
  if (!TagScanner(graph.text).scan(lines, too_deep)) {
    out.add(Diagnostic{Severity::Error, graph.path, too_deep, 0, "", "",
                       "elements nested deeper than " + std::to_string(kMaxDepth) + " levels: this is not a graph",
                       "give a GraphML file (graphml > graph > node and edge > data)"});
    return false;
  }
  try {
    {  // the document freed before Boost's reader builds its own: the two would double the peak
      pt::ptree document;
      std::istringstream in(graph.text);
      pt::read_xml(in, document, pt::xml_parser::no_comments);
      if (!ShapeReader(graph.path, lines, out).read(document, shape)) return false;
    }
    std::istringstream again(graph.text);
    boost::read_graphml(again, attributes, 0);
  } catch (const pt::xml_parser_error& e) {
    out.add(Diagnostic{Severity::Error, graph.path, static_cast<int>(e.line()), 0, "", "",
                       "not well-formed XML: " + e.message(), "correct the XML at this line"});
    return false;
  } catch (const std::exception& e) {  // boost::parse_error (a key's for="..."), ptree_bad_path, bad_any_cast
    out.add(Diagnostic{Severity::Error, graph.path, 0, 0, "", "", std::string("cannot read the graph: ") + e.what(),
                       "check the file against the GraphML format (graphml.graphdrawing.org)"});
    return false;
  }
  if (attributes.nodes.size() != shape.node_ids.size() || attributes.edges.size() != shape.edges.size()) {
    out.add(Diagnostic{Severity::Error, graph.path, 0, 0, "", "",
                       "the graph's nodes and edges were not read consistently",
                       "report this file to the cpsf developers"});
    return false;
  }
  bool ok = check_controls(graph.path, line_of(lines.graphs, 0), "graph", "", attributes.graph, out);
  for (std::size_t v = 0; v < shape.node_ids.size(); ++v)
    ok = check_controls(graph.path, line_of(lines.nodes, v), "node", shape.node_ids[v], attributes.nodes[v], out) && ok;
  for (std::size_t e = 0; e < shape.edges.size(); ++e) {
    const std::string ends = shape.edges[e].first + " -> " + shape.edges[e].second;
    ok = check_controls(graph.path, line_of(lines.edges, e), "edge", ends, attributes.edges[e], out) && ok;
  }
  return ok;
}

}  // namespace

LoadStatus import_graphml(const CsvSource& graph, const std::optional<CsvSource>& mapping_source, LoadedScenario& into,
                          InventoryPlaces& places, GraphmlReport& report, Diagnostics& out) {
  Mapping mapping;
  if (mapping_source && !MappingReader(*mapping_source, out).read(mapping)) return LoadStatus::Invalid;
  Shape shape;
  AttributeGraph attributes;
  TagLines lines;
  if (!read_graph(graph, shape, attributes, lines, out)) return LoadStatus::Invalid;
  if (into.files.empty()) into.files.push_back(SourceFile{graph.path, Format::Binary, ""});
  TableBuilder nodes(kNode, mapping), edges(kEdge, mapping), scenario(kGraph, mapping);
  for (std::size_t v = 0; v < shape.node_ids.size(); ++v) {
    nodes.add_row(attributes.nodes[v], line_of(lines.nodes, v), {shape.node_ids[v]});
  }
  for (std::size_t e = 0; e < shape.edges.size(); ++e) {
    edges.add_row(attributes.edges[e], line_of(lines.edges, e), {shape.edges[e].first, shape.edges[e].second});
  }
  scenario.add_row(attributes.graph, line_of(lines.graphs, 0), {});
  warn_unread(kNode, nodes.unread_names(), graph.path, out);
  warn_unread(kEdge, edges.unread_names(), graph.path, out);
  warn_unread(kGraph, scenario.unread_names(), graph.path, out);
  if (mapping_source) {
    for (const auto* builder : {&nodes, &edges, &scenario}) builder->warn_unmatched(mapping_source->path, out);
  }
  report.nodes = static_cast<int>(shape.node_ids.size());
  report.edges = static_cast<int>(shape.edges.size());
  places.list_lines[std::pair(graph.path, std::string("assets"))] = nodes.table().lines;
  places.list_lines[std::pair(graph.path, std::string("relations"))] = edges.table().lines;
  bool ok =
      scenario.table().header.empty() || import_inventory_table(kGraph.file, scenario.table(), graph.path, into, out);
  ok = import_inventory_table(kNode.file, nodes.table(), graph.path, into, out) && ok;
  ok = import_inventory_table(kEdge.file, edges.table(), graph.path, into, out) && ok;
  ok = add_owner_enterprises(nodes.table(), graph.path, into, places, report, out) && ok;
  return ok ? LoadStatus::Ok : LoadStatus::Invalid;
}

LoadStatus import_graphml_file(const std::string& graph, const std::optional<std::string>& mapping,
                               const ReadLimits& limits, LoadedScenario& into, InventoryPlaces& places,
                               GraphmlReport& report, Diagnostics& out) {
  CsvSource graph_source{graph, ""};
  if (!read_data_file(graph, graph_source.text, out, limits, "a GraphML file")) return LoadStatus::IoError;
  std::optional<CsvSource> mapping_source;
  if (mapping) {
    mapping_source.emplace(CsvSource{*mapping, ""});
    if (!read_csv_file(*mapping, mapping_source->text, out, limits)) return LoadStatus::IoError;
  }
  return import_graphml(graph_source, mapping_source, into, places, report, out);
}

}  // namespace cpsf
