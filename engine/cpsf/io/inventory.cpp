#include "cpsf/io/inventory.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "cpsf/io/csv_read.hpp"

namespace cpsf {

namespace pb = google::protobuf;
namespace fs = std::filesystem;

namespace {

using Column = InventoryColumn;

// ---- the columns, from the schema ---------------------------------------------------------

bool is_distribution(const pb::FieldDescriptor* f) { return f->message_type() == v1::Distribution::descriptor(); }

void add_columns(const pb::Descriptor& type, const std::string& prefix,
                 const std::vector<const pb::FieldDescriptor*>& path, std::vector<Column>& out) {
  for (int i = 0; i < type.field_count(); ++i) {
    const pb::FieldDescriptor* f = type.field(i);
    auto here = path;
    here.push_back(f);
    const std::string name = prefix + std::string(f->name());
    if (f->is_repeated()) {
      if (f->cpp_type() == pb::FieldDescriptor::CPPTYPE_STRING) {
        out.push_back({name, here, Column::Kind::List});
      } else if (f->message_type() == v1::EntryPoint::descriptor()) {
        out.push_back({name, here, Column::Kind::EntryPoints});
      }
      // Other repeated messages (the Scenario's own lists) are files of their own, or not carried.
    } else if (f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE) {
      out.push_back({name, here, Column::Kind::Scalar});
    } else if (is_distribution(f)) {
      out.push_back({name, here, Column::Kind::Distribution});
    } else if (f->message_type() != v1::FileIntegrity::descriptor()) {
      add_columns(*f->message_type(), name + ".", here, out);
    }
  }
}

std::vector<Column> columns_of(std::string_view list) {
  std::vector<Column> columns;
  const pb::Descriptor& scenario = *v1::Scenario::descriptor();
  if (list.empty()) {
    add_columns(scenario, "", {}, columns);
    // include is resolved by loading; it is not part of an inventory.
    columns.erase(std::remove_if(columns.begin(), columns.end(), [](const Column& c) { return c.name == "include"; }),
                  columns.end());
  } else {
    add_columns(*scenario.FindFieldByName(std::string(list))->message_type(), "", {}, columns);
  }
  return columns;
}

std::string column_names(const std::vector<Column>& columns) {
  std::string names;
  for (const auto& c : columns) names += (names.empty() ? "" : ", ") + c.name;
  return names;
}

std::string singular(std::string_view list) {
  if (list.empty()) return "scenario";
  if (list == "dependencies") return "dependency";
  return std::string(list.substr(0, list.size() - 1));
}

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

// ---- cells --------------------------------------------------------------------------------

// Where a cell is, for its error message.
struct CellPlace {
  const std::string& file;
  int line;
  const Column& column;
  const std::string& entity;
  Diagnostics& out;

  void error(const std::string& message, const std::string& hint) const {
    out.add(Diagnostic{Severity::Error, file, line, 0, column.name, entity, "column " + column.name + ": " + message,
                       hint});
  }
};

std::string in_quotes(std::string_view s) { return "'" + std::string(s) + "'"; }

bool parse_double(std::string_view text, double& value) {
  std::string s = trim(text);
  std::string_view v = s;
  if (!v.empty() && v.front() == '+') v.remove_prefix(1);
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), value);
  // One NaN per sign (nan(123) has a payload that nothing reads): what the writer writes back.
  if (std::isnan(value)) value = std::copysign(std::numeric_limits<double>::quiet_NaN(), value);
  return !v.empty() && ec == std::errc() && end == v.data() + v.size();
}

template <class T>
bool parse_integer(std::string_view text, T& value) {
  const std::string s = trim(text);
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  return !s.empty() && ec == std::errc() && end == s.data() + s.size();
}

bool set_number(pb::Message& m, const pb::FieldDescriptor* f, const std::string& cell, const CellPlace& at) {
  const pb::Reflection& r = *m.GetReflection();
  bool ok = false;
  std::string kind = "a number";
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
      double v = 0;
      if ((ok = parse_double(cell, v))) r.SetDouble(&m, f, v);
      break;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64: {
      std::uint64_t v = 0;
      if ((ok = parse_integer(cell, v))) r.SetUInt64(&m, f, v);
      kind = "a whole number ≥ 0";
      break;
    }
    case pb::FieldDescriptor::CPPTYPE_UINT32: {
      std::uint32_t v = 0;
      if ((ok = parse_integer(cell, v))) r.SetUInt32(&m, f, v);
      kind = "a whole number from 0 to 4294967295";
      break;
    }
    default:
      at.error("this column cannot be read from CSV", "leave it out");
      return false;
  }
  if (!ok)
    at.error(in_quotes(cell) + " is not " + kind, "write " + kind + ", e.g. 0.25 or 1e6, or leave the cell empty");
  return ok;
}

bool set_scalar(pb::Message& m, const pb::FieldDescriptor* f, const std::string& cell, const CellPlace& at) {
  const pb::Reflection& r = *m.GetReflection();
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      r.SetString(&m, f, cell);
      return true;
    case pb::FieldDescriptor::CPPTYPE_BOOL: {
      std::string v = trim(cell);
      std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      if (v == "true" || v == "1" || v == "false" || v == "0") {
        r.SetBool(&m, f, v == "true" || v == "1");
        return true;
      }
      at.error(in_quotes(cell) + " is not true or false", "write true or false (or 1 or 0), or leave the cell empty");
      return false;
    }
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const std::string v = trim(cell);
      if (const auto* value = f->enum_type()->FindValueByName(v)) {
        r.SetEnumValue(&m, f, value->number());
        return true;
      }
      if (int number = 0; parse_integer(v, number)) {  // as the text format takes (and the writer writes
        r.SetEnumValue(&m, f, number);                 // a value this build does not name)
        return true;
      }
      std::string names;
      for (int i = 0; i < f->enum_type()->value_count(); ++i) {
        const std::string name(f->enum_type()->value(i)->name());
        if (name.size() > 12 && name.substr(name.size() - 12) == "_UNSPECIFIED") continue;  // not a choice
        names += (names.empty() ? "" : ", ") + name;
      }
      at.error(in_quotes(cell) + " is not a value of " + std::string(f->enum_type()->name()),
               "write one of " + names + " (as in the text format, upper case)");
      return false;
    }
    default:
      return set_number(m, f, cell, at);
  }
}

std::string distribution_forms() {
  const pb::OneofDescriptor& family = *v1::Distribution::descriptor()->oneof_decl(0);
  std::string forms;
  for (int i = 0; i < family.field_count(); ++i) {
    const pb::Descriptor& t = *family.field(i)->message_type();
    forms += (i ? ", " : "") + std::string(family.field(i)->name()) + "(";
    for (int k = 0; k < t.field_count(); ++k) forms += (k ? "," : "") + std::string(t.field(k)->name()) + "=…";
    forms += ")";
  }
  return forms;
}

// family(key=value,...): the family a field of Distribution's oneof, the keys its fields.
bool set_distribution(pb::Message& d, const std::string& cell, const CellPlace& at) {
  const std::string s = trim(cell);
  const auto open = s.find('(');
  static const std::string hint = "write one of " + distribution_forms() + ", or leave the cell empty";
  if (open == std::string::npos || s.back() != ')') {
    at.error(in_quotes(cell) + " is not a distribution", hint);
    return false;
  }
  const pb::FieldDescriptor* family = d.GetDescriptor()->FindFieldByName(trim(s.substr(0, open)));
  if (family == nullptr || family->containing_oneof() == nullptr) {
    at.error("no distribution family " + in_quotes(trim(s.substr(0, open))), hint);
    return false;
  }
  pb::Message& params = *d.GetReflection()->MutableMessage(&d, family);
  std::set<std::string> seen;
  std::stringstream items(s.substr(open + 1, s.size() - open - 2));
  for (std::string item; std::getline(items, item, ',');) {
    const auto eq = item.find('=');
    const std::string key = trim(item.substr(0, eq == std::string::npos ? 0 : eq));
    const pb::FieldDescriptor* f = params.GetDescriptor()->FindFieldByName(key);
    if (eq == std::string::npos || f == nullptr) {
      at.error(in_quotes(trim(item)) + " is not a parameter of " + std::string(family->name()), hint);
      return false;
    }
    if (!seen.insert(key).second) {
      at.error(std::string(family->name()) + "'s " + key + " is given twice", "give each parameter once");
      return false;
    }
    if (!set_number(params, f, item.substr(eq + 1), at)) return false;
  }
  return true;
}

// a;b;c (spaces around items dropped, empty items skipped) or a JSON array of strings.
bool split_list(const std::string& cell, std::vector<std::string>& items, const CellPlace& at) {
  const std::string s = trim(cell);
  if (!s.empty() && s.front() == '[') {
    const auto json = nlohmann::json::parse(s, nullptr, false);
    const bool ok =
        json.is_array() && std::all_of(json.begin(), json.end(), [](const auto& x) { return x.is_string(); });
    if (!ok) {
      at.error(in_quotes(cell) + " starts with [ but is not a JSON array of strings",
               "write the items separated by ; (a;b;c), or as [\"a\",\"b\"]");
      return false;
    }
    for (const auto& x : json) items.push_back(x.template get<std::string>());
    return true;
  }
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ';');) {
    if (auto t = trim(item); !t.empty()) items.push_back(std::move(t));
  }
  return true;
}

bool set_list(pb::Message& m, const Column& c, const std::string& cell, const CellPlace& at) {
  std::vector<std::string> items;
  if (!split_list(cell, items, at)) return false;
  const pb::Reflection& r = *m.GetReflection();
  const pb::FieldDescriptor* f = c.path.back();
  for (auto& item : items) {
    if (c.kind == Column::Kind::List) {
      r.AddString(&m, f, std::move(item));
      continue;
    }
    auto& entry = static_cast<v1::EntryPoint&>(*r.AddMessage(&m, f));
    const auto eq = item.rfind('=');
    entry.set_asset(trim(item.substr(0, eq)));
    if (eq == std::string::npos) continue;
    double p = 0;
    if (!parse_double(item.substr(eq + 1), p)) {
      at.error(in_quotes(item) + ": " + in_quotes(item.substr(eq + 1)) + " is not a probability",
               "write asset=probability, e.g. vpn-gw=0.3, or the asset alone when its probability is not given");
      return false;
    }
    entry.set_probability(p);
  }
  return true;
}

// Sets one cell's field in `entity`. An empty cell is a value not given: nothing is set.
bool set_cell(pb::Message& entity, const Column& c, std::string cell, const CellPlace& at) {
  if (!cell.empty() && cell.front() == '\'') cell.erase(0, 1);  // a spreadsheet's (and our writer's) formula guard
  if (c.kind != Column::Kind::Scalar || c.path.back()->cpp_type() != pb::FieldDescriptor::CPPTYPE_STRING) {
    if (trim(cell).empty()) return true;
  } else if (cell.empty()) {
    return true;
  }
  pb::Message* m = &entity;
  for (std::size_t k = 0; k + 1 < c.path.size(); ++k) m = m->GetReflection()->MutableMessage(m, c.path[k]);
  switch (c.kind) {
    case Column::Kind::Scalar:
      return set_scalar(*m, c.path.back(), cell, at);
    case Column::Kind::Distribution:
      return set_distribution(*m->GetReflection()->MutableMessage(m, c.path.back()), cell, at);
    case Column::Kind::List:
    case Column::Kind::EntryPoints:
      return set_list(*m, c, cell, at);
  }
  return false;
}

// ---- tables -------------------------------------------------------------------------------

// A cell at its default (loss.integrity = 0) makes its message and sets nothing in it;
// the message is dropped, so that `loss {}` never comes from a row: it means the same as
// no loss, and the writer could not write it back.
void drop_empty_messages(pb::Message& m) {
  const pb::Reflection& r = *m.GetReflection();
  for (int i = 0; i < m.GetDescriptor()->field_count(); ++i) {
    const pb::FieldDescriptor* f = m.GetDescriptor()->field(i);
    if (f->is_repeated() || f->cpp_type() != pb::FieldDescriptor::CPPTYPE_MESSAGE || !r.HasField(m, f)) continue;
    if (r.GetMessage(m, f).ByteSizeLong() == 0) r.ClearField(&m, f);
  }
}

// Edits (insertions, deletions, substitutions) from a to b, ignoring case and counting '_'
// for '.' as the same: loss_integrity and Loss.Integrity are loss.integrity.
std::size_t distance(std::string_view a, std::string_view b) {
  const auto same = [](char x, char y) {
    const auto fold = [](char c) {
      return c == '_' ? '.' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    };
    return fold(x) == fold(y);
  };
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same(a[i - 1], b[j - 1]) ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// "did you mean 'loss.integrity'? " for a name within two edits of a column, else "".
std::string nearest(std::string_view name, const std::vector<Column>& columns) {
  const Column* best = nullptr;
  std::size_t best_distance = 3;
  for (const auto& c : columns) {
    if (const std::size_t d = distance(name, c.name); d < best_distance) best = &c, best_distance = d;
  }
  return best == nullptr ? "" : "did you mean " + in_quotes(best->name) + "? ";
}

// The column of each header cell; false (reported) when one is not a column of the file.
bool match_header(const CsvTable& table, const std::vector<Column>& columns, const std::string& path,
                  std::vector<const Column*>& matched, Diagnostics& out) {
  bool ok = true;
  for (const auto& name : table.header) {
    const auto it = std::find_if(columns.begin(), columns.end(), [&](const Column& c) { return c.name == name; });
    if (it == columns.end()) {
      out.add(Diagnostic{
          Severity::Error, path, 1, 0, name, "", "unknown column " + in_quotes(name),
          nearest(name, columns) + "name columns as the scenario's fields; this file's are: " + column_names(columns)});
      ok = false;
    }
    matched.push_back(it == columns.end() ? nullptr : &*it);
  }
  return ok;
}

std::string entity_label(std::string_view list, const CsvTable& table, std::size_t row) {
  const auto id = std::find(table.header.begin(), table.header.end(), "id");
  if (id != table.header.end()) {
    const std::string& value = table.rows[row][static_cast<std::size_t>(id - table.header.begin())];
    if (!value.empty()) return singular(list) + " " + in_quotes(value);
  }
  return singular(list) + " #" + std::to_string(row);
}

// Appends the rows of one table to `into` (scenario.csv: sets the scenario's fields).
bool import_table(const InventoryFile& kind, const CsvTable& table, const std::string& path, LoadedScenario& into,
                  Diagnostics& out) {
  const auto& columns = inventory_columns(kind.list);
  std::vector<const Column*> matched;
  if (!match_header(table, columns, path, matched, out)) return false;
  if (kind.list.empty() && table.rows.size() > 1) {
    out.add(Diagnostic{Severity::Error, path, table.lines[1], 0, "", "", "scenario.csv has more than one row",
                       "keep one row: the scenario's name, currency and settings"});
    return false;
  }
  v1::Scenario& scenario = *into.mutable_scenario();
  const pb::FieldDescriptor* list =
      kind.list.empty() ? nullptr : scenario.GetDescriptor()->FindFieldByName(std::string(kind.list));
  auto& origins = into.origins[std::string(kind.list)];
  if (list != nullptr && origins.empty()) {  // the entities already there come from files[0]
    const int existing = scenario.GetReflection()->FieldSize(scenario, list);
    for (int i = 0; i < existing; ++i) origins.push_back({0, static_cast<std::uint32_t>(i)});
  }
  const auto file_index = static_cast<std::uint32_t>(into.files.size());
  into.files.push_back(SourceFile{path, Format::Binary, ""});
  bool ok = true;
  for (std::size_t row = 0; row < table.rows.size(); ++row) {
    pb::Message& entity = list == nullptr ? scenario : *scenario.GetReflection()->AddMessage(&scenario, list);
    if (list != nullptr) origins.push_back({file_index, static_cast<std::uint32_t>(row)});
    const std::string label = entity_label(kind.list, table, row);
    for (std::size_t c = 0; c < matched.size(); ++c) {
      const CellPlace at{path, table.lines[row], *matched[c], label, out};
      ok = set_cell(entity, *matched[c], table.rows[row][c], at) && ok;
    }
    drop_empty_messages(entity);
  }
  if (kind.list.empty()) into.origins.erase("");
  return ok;
}

const InventoryFile* inventory_file(std::string_view name) {
  for (const auto& f : kInventoryFiles) {
    if (f.file == name) return &f;
  }
  return nullptr;
}

std::string file_names() {
  std::string names;
  for (const auto& f : kInventoryFiles) names += (names.empty() ? "" : ", ") + std::string(f.file);
  return names;
}

}  // namespace

const std::vector<InventoryColumn>& inventory_columns(std::string_view list) {
  static const auto* all = [] {
    auto* m = new std::map<std::string, std::vector<Column>, std::less<>>;
    for (const auto& f : kInventoryFiles) (*m)[std::string(f.list)] = columns_of(f.list);
    return m;
  }();
  return all->at(std::string(list));
}

bool import_inventory_table(std::string_view file, const CsvTable& table, const std::string& path, LoadedScenario& into,
                            Diagnostics& out) {
  const InventoryFile* kind = inventory_file(file);
  return kind != nullptr && import_table(*kind, table, path, into, out);
}

LoadStatus import_inventory(const std::vector<InventorySource>& sources, LoadedScenario& into, InventoryPlaces& places,
                            Diagnostics& out) {
  // Diagnostics of the scenario's own fields name files[0].
  if (into.files.empty())
    into.files.push_back(SourceFile{sources.empty() ? "<inventory>" : sources.front().path, Format::Binary, ""});
  bool ok = true;
  for (const auto& kind : kInventoryFiles) {
    const auto source =
        std::find_if(sources.begin(), sources.end(), [&](const auto& s) { return s.file == kind.file; });
    if (source == sources.end()) {
      if (kind.required) {
        out.error(std::string(kind.file), "", "",
                  "missing: an inventory needs enterprises.csv, assets.csv and relations.csv",
                  "give " + std::string(kind.file) + " (a header row alone when there are none)");
        ok = false;
      }
      continue;
    }
    CsvTable table;
    if (!parse_csv(source->text, source->path, table, out)) {
      ok = false;
      continue;
    }
    places.row_lines[source->path] = table.lines;
    ok = import_table(kind, table, source->path, into, out) && ok;
  }
  for (const auto& s : sources) {
    if (inventory_file(s.file) == nullptr) {
      out.error(s.file, "", "", "not a file of an inventory", "the files are " + file_names());
      ok = false;
    }
  }
  return ok ? LoadStatus::Ok : LoadStatus::Invalid;
}

LoadStatus import_inventory(const std::string& folder, LoadedScenario& into, InventoryPlaces& places, Diagnostics& out,
                            const ReadLimits& limits) {
  std::error_code ec;
  if (!fs::is_directory(folder, ec)) {
    out.error(folder, "", "", fs::exists(folder, ec) ? "is not a folder" : "no such folder",
              "give the folder that holds enterprises.csv, assets.csv and relations.csv");
    return LoadStatus::IoError;
  }
  if (into.files.empty()) into.files.push_back(SourceFile{folder, Format::Binary, ""});
  std::vector<InventorySource> sources;
  for (const auto& kind : kInventoryFiles) {
    const fs::path path = fs::path(folder) / kind.file;
    if (!fs::exists(path, ec)) {
      if (kind.required) {
        out.error(path.string(), "", "",
                  "no such file: an inventory needs enterprises.csv, assets.csv and relations.csv",
                  "add " + std::string(kind.file) + " (a header row alone when there are none)");
        return LoadStatus::IoError;
      }
      continue;
    }
    InventorySource source{std::string(kind.file), path.string(), ""};
    if (!read_csv_file(path.string(), source.text, out, limits)) return LoadStatus::IoError;
    sources.push_back(std::move(source));
  }
  for (const auto& entry : fs::directory_iterator(folder, ec)) {
    const std::string name = entry.path().filename().string();
    if (entry.path().extension() == ".csv" && inventory_file(name) == nullptr) {
      out.warning(entry.path().string(), "", "", "not read: not a file of an inventory",
                  "rename it to one of " + file_names() + ", or move it out of the folder");
    }
  }
  return import_inventory(sources, into, places, out);
}

void InventoryPlaces::place(Diagnostics& diagnostics) const {
  for (auto& d : diagnostics.items()) {
    const auto open = d.path.find('[');
    const auto close = d.path.find(']');
    if (d.line != 0 || open == std::string::npos || close == std::string::npos) continue;
    const std::vector<int>* lines = nullptr;
    if (const auto by_list = list_lines.find(std::pair(d.file, d.path.substr(0, open))); by_list != list_lines.end()) {
      lines = &by_list->second;
    } else if (const auto by_file = row_lines.find(d.file); by_file != row_lines.end()) {
      lines = &by_file->second;
    }
    if (lines == nullptr) continue;
    std::size_t row = 0;
    if (!parse_integer(std::string_view(d.path).substr(open + 1, close - open - 1), row) || row >= lines->size()) {
      continue;
    }
    d.line = (*lines)[row];
    std::string column = d.path.substr(std::min(close + 2, d.path.size()));  // past "]."
    d.path = column.substr(0, column.find('['));                             // entry_points[0].asset → entry_points
  }
}

}  // namespace cpsf
