#include "cpsf/model/cyclonedx.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "cpsf/model/enterprise_names.hpp"
#include "cpsf/model/library.hpp"
#include "cpsf/model/resolve_steps.hpp"

namespace cpsf {

namespace {

using Json = nlohmann::json;

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string count(int n, const char* one, const char* many) { return std::to_string(n) + " " + (n == 1 ? one : many); }

std::string number_text(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

constexpr const char* kSpecVersions[] = {"1.4", "1.5", "1.6"};

// ---- the text ----------------------------------------------------------------------------

// Line and column (1-based; the column counts bytes) of byte offset `at`.
std::pair<int, int> line_column(std::string_view text, std::size_t at) {
  at = std::min(at, text.size());
  int line = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i < at; ++i) {
    if (text[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  return {line, static_cast<int>(at - start) + 1};
}

// The offset of the first '[' or '{' nested deeper than kCycloneDxMaxJsonDepth, else npos.
// Checked before parsing, so that no file makes the parser or the value it builds go deep.
std::size_t too_deep_at(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kCycloneDxMaxJsonDepth) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::string_view::npos;
}

void syntax_error(const CycloneDxSource& sbom, std::size_t at, const std::string& message, const std::string& hint,
                  Diagnostics& out) {
  const auto [line, column] = line_column(sbom.text, at);
  out.add(Diagnostic{Severity::Error, sbom.path, line, column, "", "", message, hint});
}

// The SBOM's JSON value; nullopt (reported with line and column) when it is not JSON.
std::optional<Json> parse_json(const CycloneDxSource& sbom, Diagnostics& out) {
  const std::string_view text = sbom.text;
  std::size_t first = text.rfind("\xEF\xBB\xBF", 0) == 0 ? 3 : 0;
  first = text.find_first_not_of(" \t\r\n", first);
  if (first != std::string_view::npos && text[first] == '<') {
    syntax_error(sbom, first, "this is an XML document; cpsf reads CycloneDX SBOMs in JSON",
                 "convert it to JSON, e.g. with cyclonedx-cli convert --input-file bom.xml --output-file bom.json",
                 out);
    return std::nullopt;
  }
  if (const auto at = too_deep_at(text); at != std::string_view::npos) {
    syntax_error(sbom, at,
                 "arrays and objects nested deeper than " + std::to_string(kCycloneDxMaxJsonDepth) +
                     " levels; an SBOM is not this deep",
                 "check that the file is a CycloneDX SBOM", out);
    return std::nullopt;
  }
  try {
    return Json::parse(text);
  } catch (const Json::parse_error& e) {
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 2: syntax error ...": keep
    // the part after the position, which is given as the diagnostic's own line and column.
    std::string message = e.what();
    if (const auto column = message.find(", column "); column != std::string::npos) {
      const auto colon = message.find(": ", column);
      if (colon != std::string::npos) message.erase(0, colon + 2);
    }
    syntax_error(sbom, e.byte == 0 ? 0 : e.byte - 1, "not valid JSON: " + message,
                 "correct the JSON (the position is where the parser stopped)", out);
  } catch (const Json::exception& e) {  // a number too large for a double
    out.add(Diagnostic{Severity::Error, sbom.path, 0, 0, "", "", std::string("not valid JSON: ") + e.what(),
                       "correct the JSON"});
  }
  return std::nullopt;
}

// ---- where a JSON pointer is in the text ---------------------------------------------------

// Finds the line and column of the values at some JSON pointers, in one pass over a text that
// nlohmann accepted (so valid JSON, nested at most kCycloneDxMaxJsonDepth deep): a stack of
// frames, no recursion. The keys are taken as written (the keys cpsf reads have no escapes).
class Locator {
 public:
  Locator(std::string_view text, const std::set<std::string>& wanted) : t_(text), wanted_(wanted) {}

  std::map<std::string, std::pair<int, int>> run() {
    if (t_.rfind("\xEF\xBB\xBF", 0) == 0) i_ = 3;
    space();
    while (i_ < t_.size() && value()) space();
    return found_;
  }

 private:
  struct Frame {
    bool array;
    std::size_t length;  // the pointer's length at the container
    int index;
  };

  // Notes the value at i_, then enters it (a container) or skips it; false at the document's end.
  bool value() {
    if (wanted_.count(pointer_) > 0) found_.try_emplace(pointer_, line_, static_cast<int>(i_ - line_start_) + 1);
    const char c = t_[i_];
    if (c == '{' || c == '[') {
      frames_.push_back({c == '[', pointer_.size(), 0});
      ++i_;
      space();
      if (i_ < t_.size() && (t_[i_] == '}' || t_[i_] == ']')) {
        ++i_;
        frames_.pop_back();
        return next();
      }
      return member();
    }
    if (c == '"') {
      string();
    } else {
      while (i_ < t_.size() && std::strchr(",]} \t\r\n", t_[i_]) == nullptr) ++i_;
    }
    return next();
  }

  // Past a value: closes the containers it ends, or moves to the next member at a ','.
  bool next() {
    while (!frames_.empty()) {
      space();
      if (i_ >= t_.size()) return false;
      Frame& f = frames_.back();
      pointer_.resize(f.length);
      if (t_[i_] == ',') {
        ++i_;
        ++f.index;
        return member();
      }
      ++i_;  // '}' or ']'
      frames_.pop_back();
    }
    return false;
  }

  // The pointer of the member at i_: an array's index, or an object's key (read up to past its ':').
  bool member() {
    const Frame& f = frames_.back();
    pointer_ += '/';
    if (f.array) {
      pointer_ += std::to_string(f.index);
      return true;
    }
    space();
    const std::size_t start = i_ + 1;
    string();
    if (i_ < start + 1 || i_ > t_.size()) return false;
    pointer_.append(t_.substr(start, i_ - 1 - start));
    space();
    ++i_;  // ':'
    space();
    return i_ < t_.size();
  }

  void string() {
    ++i_;
    while (i_ < t_.size() && t_[i_] != '"') i_ += t_[i_] == '\\' ? 2 : 1;
    i_ = std::min(i_ + 1, t_.size() + 1);
  }

  void space() {
    while (i_ < t_.size() && (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\n' || t_[i_] == '\r')) {
      if (t_[i_] == '\n') {
        ++line_;
        line_start_ = i_ + 1;
      }
      ++i_;
    }
  }

  std::string_view t_;
  const std::set<std::string>& wanted_;
  std::map<std::string, std::pair<int, int>> found_;
  std::vector<Frame> frames_;
  std::string pointer_;
  std::size_t i_ = 0;
  std::size_t line_start_ = 0;
  int line_ = 1;
};

// Gives the diagnostics of `file` from `first` on that name a JSON pointer their line and column.
void place_lines(std::string_view text, const std::string& file, std::size_t first, Diagnostics& out) {
  std::set<std::string> wanted;
  auto& items = out.items();
  for (std::size_t k = first; k < items.size(); ++k) {
    if (items[k].file == file && items[k].line == 0 && items[k].path.rfind('/', 0) == 0) wanted.insert(items[k].path);
  }
  if (wanted.empty()) return;
  const auto found = Locator(text, wanted).run();
  for (std::size_t k = first; k < items.size(); ++k) {
    auto& d = items[k];
    if (d.file != file || d.line != 0) continue;
    if (const auto it = found.find(d.path); it != found.end()) std::tie(d.line, d.column) = it->second;
  }
}

// ---- reading members, each problem reported ---------------------------------------------

class Reader {
 public:
  Reader(const std::string& file, Diagnostics& out) : file_(file), out_(out) {}

  void error(const std::string& pointer, const std::string& entity, const std::string& message,
             const std::string& hint) {
    out_.add(Diagnostic{Severity::Error, file_, 0, 0, pointer, entity, message, hint});
    ok_ = false;
  }
  void warning(const std::string& pointer, const std::string& message, const std::string& hint) {
    out_.add(Diagnostic{Severity::Warning, file_, 0, 0, pointer, "", message, hint});
  }
  [[nodiscard]] bool ok() const { return ok_; }
  [[nodiscard]] const std::string& file() const { return file_; }

  // A member of `object` of the type `is` checks; nullptr when absent; reported when another type.
  const Json* member(const Json& object, const char* key, bool (Json::*is)() const noexcept, const char* what,
                     const std::string& pointer, const std::string& entity) {
    const auto it = object.find(key);
    if (it == object.end() || it->is_null()) return nullptr;
    if (((*it).*is)()) return &*it;
    error(pointer + "/" + key, entity, std::string(key) + " is not " + what,
          std::string("write ") + key + " as " + what);
    return nullptr;
  }
  std::optional<std::string> string(const Json& object, const char* key, const std::string& pointer,
                                    const std::string& entity) {
    const Json* j = member(object, key, &Json::is_string, "a string", pointer, entity);
    if (j == nullptr) return std::nullopt;
    return j->get<std::string>();
  }
  const Json* array(const Json& object, const char* key, const std::string& pointer, const std::string& entity) {
    return member(object, key, &Json::is_array, "an array", pointer, entity);
  }
  const Json* object(const Json& object, const char* key, const std::string& pointer, const std::string& entity) {
    return member(object, key, &Json::is_object, "an object", pointer, entity);
  }
  // The `name` of an object member (an organizational entity: supplier, manufacturer); "" when none.
  std::string entity_name(const Json& parent, const char* key, const std::string& pointer, const std::string& entity) {
    const Json* j = object(parent, key, pointer, entity);
    if (j == nullptr) return {};
    return string(*j, "name", pointer + "/" + key, entity).value_or("");
  }

 private:
  const std::string& file_;
  Diagnostics& out_;
  bool ok_ = true;
};

// ---- components ---------------------------------------------------------------------------

struct Component {
  std::string pointer;  // "/components/3", "/metadata/component"
  std::string name, version, type, purl, ref, supplier;
  std::string asset;  // its asset id
  int parent = -1;    // the component it is nested in (index in the list), -1 none
  int first = -1;     // an earlier component of the same asset id, -1 none
};

std::string label(const std::string& ref, const std::string& name) {
  if (!ref.empty()) return "component " + in_quotes(ref);
  if (!name.empty()) return "component " + in_quotes(name);
  return "component";
}

// The owner's name: supplier, manufacturer (1.6), publisher, then the author(s) (the first).
std::string supplier_of(const Json& c, const std::string& pointer, const std::string& entity, Reader& r) {
  for (const char* key : {"supplier", "manufacturer"}) {
    if (auto name = r.entity_name(c, key, pointer, entity); !name.empty()) return name;
  }
  for (const char* key : {"publisher", "author"}) {
    if (auto name = r.string(c, key, pointer, entity); name && !name->empty()) return *name;
  }
  if (const Json* authors = r.array(c, "authors", pointer, entity)) {
    for (std::size_t i = 0; i < authors->size(); ++i) {
      const auto& a = (*authors)[i];
      if (!a.is_object()) continue;
      if (auto name = r.string(a, "name", pointer + "/authors/" + std::to_string(i), entity); name && !name->empty())
        return *name;
    }
  }
  return {};
}

std::optional<Component> read_component(const Json& j, const std::string& pointer, int parent, Reader& r) {
  if (!j.is_object()) {
    r.error(pointer, "", "a component is not a JSON object",
            "write each component as an object: {\"type\": \"library\", \"name\": ..., \"version\": ...}");
    return std::nullopt;
  }
  Component c;
  c.pointer = pointer;
  c.parent = parent;
  c.ref = r.string(j, "bom-ref", pointer, "component").value_or("");
  c.name = r.string(j, "name", pointer, label(c.ref, "")).value_or("");
  const std::string entity = label(c.ref, c.name);
  c.version = r.string(j, "version", pointer, entity).value_or("");
  c.type = r.string(j, "type", pointer, entity).value_or("");
  c.purl = r.string(j, "purl", pointer, entity).value_or("");
  c.supplier = supplier_of(j, pointer, entity, r);
  const auto given = [&](const char* key) {
    const auto it = j.find(key);
    return it == j.end() || it->is_null() ? 0 : it->is_string() ? 1 : 2;  // 2: reported by r.string
  };
  if (given("name") == 0) {
    r.error(pointer, entity, "the component has no name", "give the component its name (\"name\": \"openssl\")");
  } else if (given("name") == 1 && c.name.empty()) {
    r.error(pointer + "/name", entity, "the name is empty", "give the component its name");
  }
  if (given("type") != 2 && c.type.empty()) {
    r.error(pointer, entity, "the component has no type",
            "give its type, one of CycloneDX's: library, framework, application, firmware, operating-system, "
            "device, container, file, ...");
  }
  if (!c.purl.empty()) {
    c.asset = c.purl;  // the package's identity across SBOMs: a shared dependency is one asset
  } else if (!c.ref.empty()) {
    c.asset = c.ref;
  } else {
    c.asset = c.version.empty() ? c.name : c.name + "@" + c.version;
  }
  return c;
}

// The components (nested ones too) of `list` into `components`, parents before children. A
// stack, not recursion: the file sets the depth, and it is bounded by kCycloneDxMaxNesting.
void read_components(const Json& list, const std::string& pointer, int parent, std::vector<Component>& components,
                     Reader& r) {
  struct Pending {
    const Json* list;
    std::string pointer;
    int parent;
    int depth;
  };
  std::vector<Pending> stack{{&list, pointer, parent, 1}};
  while (!stack.empty()) {
    const Pending p = std::move(stack.back());
    stack.pop_back();
    for (std::size_t i = 0; i < p.list->size(); ++i) {
      const std::string at = p.pointer + "/" + std::to_string(i);
      auto c = read_component((*p.list)[i], at, p.parent, r);
      if (!c) continue;
      const Json& j = (*p.list)[i];
      const std::string entity = label(c->ref, c->name);
      components.push_back(std::move(*c));
      const Json* children = r.array(j, "components", at, entity);
      if (children == nullptr || children->empty()) continue;
      if (p.depth >= kCycloneDxMaxNesting) {
        r.error(at + "/components", entity,
                "components nested deeper than " + std::to_string(kCycloneDxMaxNesting) + " levels",
                "flatten the nesting: list the inner components at the top level and relate them with dependencies");
        continue;
      }
      stack.push_back({children, at + "/components", static_cast<int>(components.size()) - 1, p.depth + 1});
    }
  }
}

// ---- the plan: what the import adds, all checked before anything is written ----------------

struct Edge {
  std::string from, to, pointer;
};

struct Plan {
  std::vector<Component> components;  // [0] the product when has_product
  bool has_product = false;
  std::string product;                                           // its asset id
  std::unordered_map<std::string, std::string> refs;             // bom-ref -> asset id
  std::unordered_set<std::string> service_refs;                  // services are not imported
  std::vector<std::pair<std::string, std::string>> enterprises;  // made: id, name
  std::unordered_map<std::string, std::string> owner;            // asset id -> enterprise id (assets made)
  std::vector<std::string> assets_made;                  // asset ids, in order (index into components: by_asset)
  std::unordered_map<std::string, int> by_asset;         // asset id -> first component
  std::unordered_map<std::string, v1::Element> element;  // asset id -> element (reused ones: theirs)
  std::vector<Edge> edges;
  std::set<std::pair<std::string, std::string>> edge_set;
  std::map<std::string, std::vector<std::pair<std::string, double>>> vulnerabilities;  // asset -> (id, p_v)
  std::set<std::pair<std::string, std::string>> vulnerability_set;                     // (asset, id): once each
  std::string product_name;  // the --product asset's name in the scenario
  int services_dropped = 0;
};

void add_edge(Plan& plan, const std::string& from, const std::string& to, const std::string& pointer) {
  if (from == to || !plan.edge_set.emplace(from, to).second) return;  // a self-dependency has no effect
  plan.edges.push_back({from, to, pointer});
}

// The metadata.component (the product) and the components, with their asset ids.
bool read_all_components(const Json& root, const CycloneDxOptions& options, Plan& plan, Reader& r) {
  if (const Json* metadata = r.object(root, "metadata", "", "")) {
    if (const Json* product = r.object(*metadata, "component", "/metadata", "")) {
      auto c = read_component(*product, "/metadata/component", -1, r);
      if (c) {
        if (c->supplier.empty()) c->supplier = r.entity_name(*metadata, "supplier", "/metadata", "");
        if (c->supplier.empty()) c->supplier = r.entity_name(*metadata, "manufacturer", "/metadata", "");
        if (c->supplier.empty()) c->supplier = r.entity_name(*metadata, "manufacture", "/metadata", "");
        if (options.product) c->asset = *options.product;
        plan.components.push_back(std::move(*c));
        plan.has_product = true;
        if (const Json* nested = r.array(*product, "components", "/metadata/component", "product"))
          read_components(*nested, "/metadata/component/components", 0, plan.components, r);
      }
    }
  }
  if (options.product && !plan.has_product) {  // no metadata.component: the product is still the asset named
    Component c;
    c.pointer = "/metadata/component";
    c.asset = *options.product;
    plan.components.push_back(std::move(c));  // [0]: no component has been read yet
    plan.has_product = true;
  }
  if (plan.has_product) plan.product = plan.components[0].asset;
  if (const Json* list = r.array(root, "components", "", ""))
    read_components(*list, "/components", -1, plan.components, r);
  if (const Json* services = r.array(root, "services", "", "")) {
    for (const auto& s : *services) {
      if (s.is_object() && s.contains("bom-ref") && s["bom-ref"].is_string())
        plan.service_refs.insert(s["bom-ref"].get<std::string>());
    }
  }
  return r.ok();
}

// The first difference of two components of one asset id, "" when they are the same package.
std::string difference(const Component& a, const Component& b) {
  if (a.name != b.name) return "name (" + in_quotes(a.name) + " and " + in_quotes(b.name) + ")";
  if (a.version != b.version) return "version (" + in_quotes(a.version) + " and " + in_quotes(b.version) + ")";
  if (a.type != b.type) return "type (" + in_quotes(a.type) + " and " + in_quotes(b.type) + ")";
  if (a.supplier != b.supplier) return "supplier (" + in_quotes(a.supplier) + " and " + in_quotes(b.supplier) + ")";
  return {};
}

// Merges components of one asset id (the same package listed twice) and maps the bom-refs.
void index_components(Plan& plan, bool attached, Reader& r) {
  for (std::size_t i = 0; i < plan.components.size(); ++i) {
    Component& c = plan.components[i];
    const std::string entity = label(c.ref, c.name);
    const bool is_product = plan.has_product && i == 0;
    const auto [it, fresh] = plan.by_asset.try_emplace(c.asset, static_cast<int>(i));
    if (!fresh) {
      const Component& first = plan.components[static_cast<std::size_t>(it->second)];
      // The product attached with --product is the scenario's asset: nothing to compare.
      const bool product_involved = plan.has_product && (is_product || it->second == 0);
      const std::string diff = attached && product_involved ? "" : difference(first, c);
      if (!diff.empty()) {
        r.error(c.pointer, entity,
                "its asset id " + in_quotes(c.asset) + " is that of the component at " + first.pointer +
                    ", which differs in its " + diff,
                "give the two different purls or bom-refs, or make them the same package");
      }
      c.first = it->second;
    }
    if (c.ref.empty()) continue;
    const auto [ref, new_ref] = plan.refs.try_emplace(c.ref, c.asset);
    if (!new_ref && ref->second != c.asset) {
      r.error(c.pointer + "/bom-ref", entity, "bom-ref " + in_quotes(c.ref) + " is used by two different components",
              "give each component its own bom-ref (they must be unique in a BOM)");
    }
  }
}

// ---- enterprises ----------------------------------------------------------------------------

constexpr const char* kUnknownSupplierId = "unknown-supplier";
constexpr const char* kUnknownSupplierName = "Unknown supplier";

// Finds the enterprise of a supplier's name in the scenario, or plans one.
class Suppliers {
 public:
  Suppliers(const v1::Scenario& s, Plan& plan) : plan_(plan) {
    for (const auto& e : s.enterprises()) remember(e.id(), e.name());
  }
  std::string find(const std::string& name) {
    std::string id = enterprise_id_from_name(name);
    if (!id.empty() && by_id_.count(id) > 0) return id;
    if (const auto it = by_name_.find(fold_name(name)); it != by_name_.end()) return it->second;
    std::string made = id.empty() ? "supplier" : id;  // a name in Japanese script leaves nothing
    for (int n = 2; by_id_.count(made) > 0; ++n) made = (id.empty() ? "supplier" : id) + "-" + std::to_string(n);
    plan_.enterprises.emplace_back(made, name);
    remember(made, name);
    return made;
  }

 private:
  void remember(const std::string& id, const std::string& name) {
    by_id_.insert(id);
    by_name_.emplace(fold_name(name), id);
  }
  Plan& plan_;
  std::unordered_set<std::string> by_id_;
  std::unordered_map<std::string, std::string> by_name_;
};

// Which assets are made and which are the scenario's; the owners of those made.
void plan_assets(const v1::Scenario& s, const CycloneDxOptions& options, Plan& plan, CycloneDxReport& report,
                 Reader& r) {
  std::unordered_map<std::string, int> existing;
  for (int i = 0; i < s.assets_size(); ++i) existing.emplace(s.assets(i).id(), i);
  if (options.product) {
    const auto it = existing.find(*options.product);
    if (it == existing.end()) {
      r.error("/metadata/component", "product " + in_quotes(*options.product),
              "--product names no asset of the scenario",
              "give the id of the asset the SBOM describes, as the --into scenario writes it");
      return;
    }
    plan.element[*options.product] = s.assets(it->second).element();
    const auto& name = s.assets(it->second).name();
    plan.product_name = name.empty() ? *options.product : name;
  }
  Suppliers suppliers(s, plan);
  for (std::size_t i = 0; i < plan.components.size(); ++i) {
    const Component& c = plan.components[i];
    if (c.first >= 0 || (options.product && i == 0 && plan.has_product)) continue;
    if (const auto it = existing.find(c.asset); it != existing.end()) {
      const v1::Element element = s.assets(it->second).element();
      if (element != v1::COMPONENT) {
        r.error(c.pointer, label(c.ref, c.name),
                "its asset id " + in_quotes(c.asset) + " is an asset of the scenario of element " +
                    v1::Element_Name(element) + ", not COMPONENT",
                "give the component a purl or bom-ref that no other asset of the scenario has as its id");
      }
      plan.element[c.asset] = element;
      ++report.assets_reused;
      continue;
    }
    plan.element[c.asset] = v1::COMPONENT;
    plan.assets_made.push_back(c.asset);
    if (c.supplier.empty()) {
      ++report.unknown_supplier;
      plan.owner[c.asset] = kUnknownSupplierId;
    } else {
      plan.owner[c.asset] = suppliers.find(c.supplier);
    }
  }
  if (report.unknown_supplier > 0) {
    const bool have = std::any_of(s.enterprises().begin(), s.enterprises().end(),
                                  [](const auto& e) { return e.id() == kUnknownSupplierId; }) ||
                      std::any_of(plan.enterprises.begin(), plan.enterprises.end(),
                                  [](const auto& e) { return e.first == kUnknownSupplierId; });
    if (!have) plan.enterprises.emplace_back(kUnknownSupplierId, kUnknownSupplierName);
  }
}

// ---- relations ----------------------------------------------------------------------------

// The asset of a ref; nullopt (reported, or counted for a service) when it names no component.
std::optional<std::string> asset_of_ref(const std::string& ref, const std::string& pointer, const std::string& what,
                                        Plan& plan, Reader& r) {
  if (const auto it = plan.refs.find(ref); it != plan.refs.end()) return it->second;
  if (plan.service_refs.count(ref) > 0) {
    ++plan.services_dropped;
    return std::nullopt;
  }
  r.error(pointer, "", what + " " + in_quotes(ref) + " names no component of the SBOM",
          "give the component of that bom-ref in components (or metadata.component), or remove the reference");
  return std::nullopt;
}

// "A dependsOn B": relation B -> A. A nested component: relation child -> parent.
void read_dependencies(const Json& root, Plan& plan, Reader& r) {
  for (const auto& c : plan.components) {
    if (c.parent >= 0) add_edge(plan, c.asset, plan.components[static_cast<std::size_t>(c.parent)].asset, c.pointer);
  }
  const Json* list = r.array(root, "dependencies", "", "");
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = "/dependencies/" + std::to_string(i);
    const Json& d = (*list)[i];
    if (!d.is_object()) {
      r.error(at, "", "a dependency is not a JSON object", "write it as {\"ref\": ..., \"dependsOn\": [...]}");
      continue;
    }
    const auto ref = r.string(d, "ref", at, "");
    if (!ref) {
      if (!d.contains("ref"))
        r.error(at, "", "the dependency has no ref", "give the bom-ref of the dependent component");
      continue;
    }
    const auto to = asset_of_ref(*ref, at + "/ref", "ref", plan, r);
    const Json* on = r.array(d, "dependsOn", at, "");
    if (on == nullptr) continue;
    for (std::size_t k = 0; k < on->size(); ++k) {
      const std::string item = at + "/dependsOn/" + std::to_string(k);
      if (!(*on)[k].is_string()) {
        r.error(item, "", "an item of dependsOn is not a string", "write the bom-ref of a component");
        continue;
      }
      const auto from = asset_of_ref((*on)[k].get<std::string>(), item, "dependsOn", plan, r);
      if (from && to) add_edge(plan, *from, *to, at);
    }
  }
}

// Components not connected to the product by any path of relations: a relation to the
// product. First those no other component uses (the tops of the dependency graph), then any
// left (on a cycle): so "a dependsOn b", neither connected, adds a -> product only.
void assume_direct(Plan& plan, CycloneDxReport& report) {
  if (!plan.has_product) return;
  std::unordered_map<std::string, std::vector<std::string>> into;  // to -> froms
  std::unordered_set<std::string> used;                            // assets some relation leaves
  for (const auto& e : plan.edges) {
    into[e.to].push_back(e.from);
    used.insert(e.from);
  }
  std::unordered_set<std::string> reached;
  const auto reach = [&](const std::string& from) {  // everything that reaches `from`
    std::vector<std::string> stack{from};
    reached.insert(from);
    while (!stack.empty()) {
      const std::string at = std::move(stack.back());
      stack.pop_back();
      for (const auto& next : into[at]) {
        if (reached.insert(next).second) stack.push_back(next);
      }
    }
  };
  reach(plan.product);
  for (const bool tops : {true, false}) {
    for (std::size_t i = 1; i < plan.components.size(); ++i) {
      const Component& c = plan.components[i];
      if (c.first >= 0 || reached.count(c.asset) > 0 || (tops && used.count(c.asset) > 0)) continue;
      add_edge(plan, c.asset, plan.product, c.pointer);
      ++report.assumed_direct;
      reach(c.asset);
    }
  }
}

// ---- vulnerabilities ----------------------------------------------------------------------

// The severities' probabilities: mid-points of the CVSS v3 bands, divided by 10; -1: no effect.
double severity_p(const std::string& severity) {
  static const std::map<std::string, double, std::less<>> kP{
      {"critical", 0.95}, {"high", 0.8}, {"medium", 0.55}, {"low", 0.2}, {"none", -1}, {"info", -1}, {"unknown", -1}};
  const auto it = kP.find(severity);
  return it == kP.end() ? -2 : it->second;
}

bool is_cvss(const std::string& method) {
  return method == "CVSSv2" || method == "CVSSv3" || method == "CVSSv31" || method == "CVSSv4";
}

// p_v of one vulnerability from its ratings: the highest CVSS score / 10, else the highest
// severity's p; -1 when neither is given.
double rating_p(const Json& ratings, const std::string& pointer, const std::string& entity, Reader& r) {
  double score = -1;
  double by_severity = -1;
  for (std::size_t k = 0; k < ratings.size(); ++k) {
    const std::string at = pointer + "/" + std::to_string(k);
    const Json& rating = ratings[k];
    if (!rating.is_object()) {
      r.error(at, entity, "a rating is not a JSON object", "write it as {\"score\": 9.8, \"method\": \"CVSSv31\"}");
      continue;
    }
    const std::string method = r.string(rating, "method", at, entity).value_or("");
    if (const Json* s = r.member(rating, "score", &Json::is_number, "a number", at, entity)) {
      const double x = s->get<double>();
      if (!(x >= 0 && x <= 10)) {
        r.error(at + "/score", entity, "score " + number_text(x) + " is not in [0, 10]", "write the CVSS base score");
      } else if (is_cvss(method)) {
        score = std::max(score, x);
      }
    }
    if (const auto severity = r.string(rating, "severity", at, entity)) {
      const double p = severity_p(*severity);
      if (p < -1.5) {
        r.error(at + "/severity", entity, "severity " + in_quotes(*severity) + " is not one of CycloneDX's",
                "write critical, high, medium, low, info, none or unknown (lower case)");
      }
      by_severity = std::max(by_severity, p);
    }
  }
  return score >= 0 ? score / 10 : by_severity;
}

// Whether the vulnerability's analysis says it does not apply (reported when its state is none of CycloneDX's).
bool analysed_away(const Json& v, const std::string& pointer, const std::string& entity, Reader& r) {
  const Json* analysis = r.object(v, "analysis", pointer, entity);
  if (analysis == nullptr) return false;
  const auto state = r.string(*analysis, "state", pointer + "/analysis", entity);
  if (!state) return false;
  static const std::set<std::string, std::less<>> kAway{"not_affected", "false_positive", "resolved",
                                                        "resolved_with_pedigree"};
  static const std::set<std::string, std::less<>> kStays{"exploitable", "in_triage"};
  if (kAway.count(*state) > 0) return true;
  if (kStays.count(*state) == 0) {
    r.error(pointer + "/analysis/state", entity, "state " + in_quotes(*state) + " is not one of CycloneDX's",
            "write resolved, resolved_with_pedigree, exploitable, in_triage, false_positive or not_affected");
  }
  return false;
}

// The assets each vulnerability affects, with its p_v; counts in `report`.
void read_vulnerabilities(const Json& root, Plan& plan, CycloneDxReport& report, Reader& r) {
  const Json* list = r.array(root, "vulnerabilities", "", "");
  if (list == nullptr) return;
  std::unordered_set<std::string> left;  // the assets a relation leaves
  for (const auto& e : plan.edges) left.insert(e.from);
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string at = "/vulnerabilities/" + std::to_string(i);
    const Json& v = (*list)[i];
    if (!v.is_object()) {
      r.error(at, "", "a vulnerability is not a JSON object", "write it as {\"id\": \"CVE-...\", \"affects\": [...]}");
      continue;
    }
    std::string id = r.string(v, "id", at, "").value_or("");
    if (id.empty()) id = r.string(v, "bom-ref", at, "").value_or("#" + std::to_string(i));
    const std::string entity = "vulnerability " + in_quotes(id);
    if (analysed_away(v, at, entity, r)) {
      ++report.vulnerabilities_skipped;
      continue;
    }
    const Json* ratings = r.array(v, "ratings", at, entity);
    const double p = ratings == nullptr ? -1 : rating_p(*ratings, at + "/ratings", entity, r);
    const Json* affects = r.array(v, "affects", at, entity);
    std::vector<std::string> assets;
    for (std::size_t k = 0; affects != nullptr && k < affects->size(); ++k) {
      const std::string item = at + "/affects/" + std::to_string(k);
      const Json& a = (*affects)[k];
      const auto ref = a.is_object() ? r.string(a, "ref", item, entity) : std::nullopt;
      if (!ref) {
        if (!a.is_object() || !a.contains("ref"))
          r.error(item, entity, "an item of affects has no ref", "write {\"ref\": \"<bom-ref of the component>\"}");
        continue;
      }
      if (auto asset = asset_of_ref(*ref, item + "/ref", "affects ref", plan, r)) assets.push_back(std::move(*asset));
    }
    if (p < 0) {
      ++report.vulnerabilities_unrated;
      continue;
    }
    const bool used = std::any_of(assets.begin(), assets.end(), [&](const auto& a) { return left.count(a) > 0; });
    ++(used ? report.vulnerabilities_applied : report.vulnerabilities_unused);
    for (const auto& a : assets) {
      if (plan.vulnerability_set.emplace(a, id).second) plan.vulnerabilities[a].emplace_back(id, p);
    }
  }
}

void warn_counts(const Plan& plan, const CycloneDxReport& report, Reader& r) {
  if (report.unknown_supplier > 0) {
    r.warning("",
              count(report.unknown_supplier, "component names", "components name") +
                  " no supplier, manufacturer, publisher or author: owned by the "
                  "enterprise " +
                  in_quotes(kUnknownSupplierId),
              "add each component's supplier to the SBOM, or edit the owner of those assets after import");
  }
  if (report.assumed_direct > 0) {
    r.warning("/dependencies",
              count(report.assumed_direct, "component is", "components are") +
                  " connected to the product by no dependency and no nesting: each is taken as a direct dependency of "
                  "the product (a relation into it)",
              "list the SBOM's dependency graph in dependencies (ref, dependsOn), the product's own entry included");
  }
  if (!plan.has_product && !plan.components.empty()) {
    r.warning("/metadata", "the SBOM has no metadata.component: its components are related to no product",
              "give the product in metadata.component, or attach the SBOM to an asset with --into and --product");
  }
  if (report.vulnerabilities_unrated > 0) {
    r.warning("/vulnerabilities",
              count(report.vulnerabilities_unrated, "vulnerability has", "vulnerabilities have") +
                  " no CVSS score and no severity critical, high, medium or "
                  "low: no probability changes",
              "give their ratings a CVSS score (method CVSSv31, ...) or a severity");
  }
  if (report.vulnerabilities_unused > 0) {
    r.warning("/vulnerabilities",
              count(report.vulnerabilities_unused, "vulnerability affects", "vulnerabilities affect") +
                  " only components no relation leaves (the product): "
                  "no probability changes",
              "none needed: a vulnerability acts on the relations leaving the component it affects");
  }
  if (plan.services_dropped > 0) {
    r.warning("/dependencies",
              count(plan.services_dropped, "reference to a service was", "references to services were") +
                  " left out: services are not imported",
              "none needed; model a service as an asset by hand if it matters");
  }
}

// ---- writing ------------------------------------------------------------------------------

struct Writer {
  LoadedScenario& into;
  CycloneDxPlaces& places;
  std::uint32_t file;

  // Origins of `list` up to its current size (the entities before the import come from files[0]
  // as lists absent from origins do), then one for the entity about to be added at `pointer`.
  EntityOrigin origin(const char* list, int size, const std::string& pointer) {
    auto& origins = into.origins[list];
    while (origins.size() < static_cast<std::size_t>(size))
      origins.push_back({0, static_cast<std::uint32_t>(origins.size())});
    const EntityOrigin o{file, static_cast<std::uint32_t>(places.pointers.size())};
    places.pointers.push_back(pointer);
    return o;
  }
  void add(const char* list, int size, const std::string& pointer) {
    into.origins[list].push_back(origin(list, size, pointer));
  }
};

std::string asset_name(const Component& c) { return c.version.empty() ? c.name : c.name + " " + c.version; }

void write_entities(const Plan& plan, Writer& w, CycloneDxReport& report) {
  v1::Scenario& s = *w.into.mutable_scenario();
  for (const auto& [id, name] : plan.enterprises) {
    w.add("enterprises", s.enterprises_size(), "/metadata");
    auto& e = *s.add_enterprises();
    e.set_id(id);
    e.set_name(name);
    e.set_role("software supplier");
    ++report.enterprises_made;
  }
  for (const auto& id : plan.assets_made) {
    const Component& c = plan.components[static_cast<std::size_t>(plan.by_asset.at(id))];
    w.add("assets", s.assets_size(), c.pointer);
    auto& a = *s.add_assets();
    a.set_id(id);
    a.set_name(asset_name(c));
    a.set_owner(plan.owner.at(id));
    a.set_layer(v1::L3);
    a.set_element(v1::COMPONENT);
    a.add_tags("sbom");
    a.add_tags(c.type);
    ++report.assets_made;
  }
}

// An asset's name for a description: the --product asset's in the scenario, else the component's.
std::string name_of(const Plan& plan, const std::string& asset) {
  if (!plan.product_name.empty() && asset == plan.product) return plan.product_name;
  if (const auto it = plan.by_asset.find(asset); it != plan.by_asset.end()) {
    const Component& c = plan.components[static_cast<std::size_t>(it->second)];
    if (!c.name.empty()) return asset_name(c);
  }
  return asset;
}

constexpr std::size_t kListed = 10;  // vulnerabilities named in a relation's description

// The relation of an edge: kind SOFTWARE_SUPPLY on L3; with vulnerabilities of `from`, p and
// the library step's mitigations (a step whose p is written lists its mitigations itself).
v1::Relation relation_of(const Edge& e, const Plan& plan, const StepMatcher& matcher, const std::string& file_name) {
  v1::Relation r;
  r.set_id("sbom:" + e.from + "->" + e.to);
  r.set_from(e.from);
  r.set_to(e.to);
  r.set_layer(v1::L3);
  r.set_kind(v1::SOFTWARE_SUPPLY);
  std::string description = "SBOM " + file_name + ": " + name_of(plan, e.from) + " is supplied into " +
                            name_of(plan, e.to) + " (" + e.pointer + ")";
  const auto v = plan.vulnerabilities.find(e.from);
  if (v != plan.vulnerabilities.end()) {
    double miss = 1;
    description += "; vulnerabilities";
    std::size_t listed = 0;
    for (const auto& [id, p] : v->second) {
      miss *= 1 - p;
      if (++listed > kListed) continue;  // a description stays short whatever the SBOM lists
      description += " ";
      description += id;
      description += " (p_v ";
      description += number_text(p);
      description += ")";
    }
    if (listed > kListed) description += " and " + std::to_string(listed - kListed) + " more";
    description += "; p = 1 - prod(1 - p_v)";
    auto& step = *r.mutable_step();
    step.set_p(1 - miss);
    if (const auto* library = matcher.match(v1::SOFTWARE_SUPPLY, v1::L3, plan.element.at(e.to))) {
      for (const auto& m : library->mitigated_by()) step.add_mitigated_by(m.requirement());
    }
  }
  r.set_description(description);
  return r;
}

void write_relations(const Plan& plan, Writer& w, const std::string& file_name, CycloneDxReport& report) {
  v1::Scenario& s = *w.into.mutable_scenario();
  const EffectiveLibrary library(s);
  const StepMatcher matcher(library.get());
  std::unordered_map<std::string, int> existing;
  for (int i = 0; i < s.relations_size(); ++i) {
    if (!s.relations(i).id().empty()) existing.emplace(s.relations(i).id(), i);
  }
  for (const auto& e : plan.edges) {
    v1::Relation r = relation_of(e, plan, matcher, file_name);
    ++report.relations_written;
    if (const auto it = existing.find(r.id()); it != existing.end()) {  // an earlier import of the SBOM
      const EntityOrigin o = w.origin("relations", s.relations_size(), e.pointer);
      w.into.origins["relations"][static_cast<std::size_t>(it->second)] = o;
      *s.mutable_relations(it->second) = std::move(r);
      ++report.relations_replaced;
      continue;
    }
    w.add("relations", s.relations_size(), e.pointer);
    *s.add_relations() = std::move(r);
  }
}

// The root: a JSON object with bomFormat "CycloneDX" and a specVersion cpsf reads.
bool check_root(const Json& root, Reader& r) {
  if (!root.is_object()) {
    r.error("", "", "the file holds no JSON object", "give a CycloneDX SBOM: {\"bomFormat\": \"CycloneDX\", ...}");
    return false;
  }
  if (root.contains("spdxVersion")) {
    r.error("/spdxVersion", "", "this is an SPDX document, not a CycloneDX SBOM",
            "export the SBOM as CycloneDX JSON from the tool that made it, or convert it (e.g. with cyclonedx-cli "
            "or a SPDX-to-CycloneDX converter)");
    return false;
  }
  const auto format = r.string(root, "bomFormat", "", "");
  if (format != "CycloneDX") {
    r.error("/bomFormat", "", format ? "bomFormat is " + in_quotes(*format) + ", not 'CycloneDX'" : "no bomFormat",
            "give a CycloneDX SBOM in JSON: it starts {\"bomFormat\": \"CycloneDX\", \"specVersion\": \"1.6\", ...}");
    return false;
  }
  const auto version = r.string(root, "specVersion", "", "");
  if (!version || std::find(std::begin(kSpecVersions), std::end(kSpecVersions), *version) == std::end(kSpecVersions)) {
    r.error(
        "/specVersion", "",
        version ? "specVersion " + in_quotes(*version) + " is not one cpsf reads (1.4, 1.5, 1.6)" : "no specVersion",
        "export the SBOM as CycloneDX 1.4 to 1.6, or upgrade it, e.g. with cyclonedx-cli convert "
        "--output-version v1_6");
    return false;
  }
  return true;
}

}  // namespace

void CycloneDxPlaces::place(Diagnostics& diagnostics) const {
  for (auto& d : diagnostics.items()) {
    const auto open = d.path.find('[');
    const auto close = d.path.find(']');
    if (d.file != file || d.line != 0 || open == std::string::npos || close == std::string::npos) continue;
    const std::string index = d.path.substr(open + 1, close - open - 1);
    if (index.empty() || index.find_first_not_of("0123456789") != std::string::npos || index.size() > 9) continue;
    const auto k = static_cast<std::size_t>(std::stoul(index));
    if (k < pointers.size()) d.path = pointers[k];
  }
}

namespace {

LoadStatus import_parsed(const CycloneDxSource& sbom, const Json& root, const CycloneDxOptions& options,
                         LoadedScenario& into, CycloneDxPlaces& places, CycloneDxReport& report, Diagnostics& out) {
  Reader r(sbom.path, out);
  if (!check_root(root, r)) return LoadStatus::Invalid;
  Plan plan;
  read_all_components(root, options, plan, r);
  report.components = static_cast<int>(plan.components.size()) - (plan.has_product ? 1 : 0);
  index_components(plan, options.product.has_value(), r);
  plan_assets(into.scenario(), options, plan, report, r);
  read_dependencies(root, plan, r);
  if (!r.ok()) return LoadStatus::Invalid;
  assume_direct(plan, report);
  read_vulnerabilities(root, plan, report, r);
  if (!r.ok()) return LoadStatus::Invalid;
  warn_counts(plan, report, r);

  if (into.files.empty()) into.files.push_back(SourceFile{sbom.path, Format::Binary, "", nullptr});
  places.file = sbom.path;
  Writer w{into, places, static_cast<std::uint32_t>(into.files.size())};
  into.files.push_back(SourceFile{sbom.path, Format::Binary, "", nullptr});
  write_entities(plan, w, report);
  write_relations(plan, w, std::filesystem::path(sbom.path).filename().string(), report);
  return LoadStatus::Ok;
}

}  // namespace

LoadStatus import_cyclonedx(const CycloneDxSource& sbom, const CycloneDxOptions& options, LoadedScenario& into,
                            CycloneDxPlaces& places, CycloneDxReport& report, Diagnostics& out) {
  const auto root = parse_json(sbom, out);
  if (!root) return LoadStatus::Invalid;
  const std::size_t first = out.items().size();
  const LoadStatus status = import_parsed(sbom, *root, options, into, places, report, out);
  place_lines(sbom.text, sbom.path, first, out);  // the SBOM's own problems: the pointer's line too
  return status;
}

LoadStatus import_cyclonedx_file(const std::string& path, const CycloneDxOptions& options, const ReadLimits& limits,
                                 LoadedScenario& into, CycloneDxPlaces& places, CycloneDxReport& report,
                                 Diagnostics& out) {
  const std::filesystem::path p(path);
  std::error_code ec;
  if (!std::filesystem::exists(p, ec)) {
    out.error(path, "", "", "no such file", "give the path of a CycloneDX SBOM in JSON (docs/import.md)");
    return LoadStatus::IoError;
  }
  const auto size = std::filesystem::file_size(p, ec);
  if (ec || !std::filesystem::is_regular_file(p, ec)) {
    out.error(path, "", "", "is not a regular file", "give the path of a CycloneDX SBOM in JSON");
    return LoadStatus::IoError;
  }
  if (size > limits.max_file_bytes) {
    out.error(path, "", "",
              "file is " + std::to_string(size) + " bytes, over the limit of " + std::to_string(limits.max_file_bytes) +
                  " bytes; it was not read",
              "raise --max-file-size");
    return LoadStatus::IoError;
  }
  CycloneDxSource source{path, {}};
  std::ifstream in(p, std::ios::binary);
  source.text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (!in.good() && !in.eof()) {
    out.error(path, "", "", "cannot read the file", "check its permissions");
    return LoadStatus::IoError;
  }
  return import_cyclonedx(source, options, into, places, report, out);
}

std::string cyclonedx_counts_text(const CycloneDxReport& r) {
  return count(r.components, "component", "components") + ", " +
         count(r.vulnerabilities_applied, "vulnerability", "vulnerabilities") + " applied, " +
         std::to_string(r.vulnerabilities_skipped) + " skipped";
}

}  // namespace cpsf
