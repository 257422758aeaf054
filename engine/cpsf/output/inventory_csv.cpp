#include "cpsf/output/inventory_csv.hpp"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "cpsf/io/inventory.hpp"
#include "cpsf/output/csv.hpp"

namespace cpsf {

namespace pb = google::protobuf;

namespace {

using Column = InventoryColumn;

// A number as the importer reads it back exactly: the fewest digits, or inf, -inf, nan.
std::string number_text(double x) {
  if (std::isnan(x)) return std::signbit(x) ? "-nan" : "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s;
  csv::number(s, x);
  return s;
}

// a;b;c when that reads back to the same items, else a JSON array of strings.
std::string list_text(const std::vector<std::string>& items) {
  const bool plain = std::all_of(items.begin(), items.end(), [](const std::string& s) {
    return !s.empty() && s.find(';') == std::string::npos && s.find_first_of(" \t\r\n") != 0 &&
           s.find_last_not_of(" \t\r\n") == s.size() - 1;
  });
  if (!plain || (!items.empty() && items.front().front() == '[')) {
    return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ";") + item;
  return out;
}

// family(key=value,...), the form the importer reads.
std::string distribution_text(const pb::Message& d, std::vector<std::string>& problems, const std::string& where) {
  const pb::FieldDescriptor* family = d.GetReflection()->GetOneofFieldDescriptor(d, d.GetDescriptor()->oneof_decl(0));
  if (family == nullptr) {
    problems.push_back(where + ": a distribution with no family cannot be written (give it one, or remove it)");
    return {};
  }
  const pb::Message& params = d.GetReflection()->GetMessage(d, family);
  const pb::Reflection& r = *params.GetReflection();
  std::string out = std::string(family->name()) + "(";
  bool first = true;
  for (int i = 0; i < params.GetDescriptor()->field_count(); ++i) {
    const pb::FieldDescriptor* f = params.GetDescriptor()->field(i);
    if (f->has_presence() && !r.HasField(params, f)) continue;
    out += (first ? "" : ",") + std::string(f->name()) + "=" + number_text(r.GetDouble(params, f));
    first = false;
  }
  return out + ")";
}

// The cell of a scalar field, unencoded; empty for a value not given (the default).
std::string scalar_text(const pb::Message& m, const pb::FieldDescriptor* f) {
  const pb::Reflection& r = *m.GetReflection();
  if (f->has_presence() && !r.HasField(m, f)) return {};
  switch (f->cpp_type()) {
    case pb::FieldDescriptor::CPPTYPE_STRING:
      return r.GetString(m, f);
    case pb::FieldDescriptor::CPPTYPE_BOOL:
      return r.GetBool(m, f) ? "true" : "";
    case pb::FieldDescriptor::CPPTYPE_ENUM: {
      const int v = r.GetEnumValue(m, f);
      if (v == 0 && !f->has_presence()) return {};
      const auto* value = f->enum_type()->FindValueByNumber(v);
      return value != nullptr ? std::string(value->name()) : std::to_string(v);
    }
    case pb::FieldDescriptor::CPPTYPE_UINT64:
      return r.GetUInt64(m, f) == 0 ? "" : std::to_string(r.GetUInt64(m, f));
    case pb::FieldDescriptor::CPPTYPE_UINT32:
      return r.GetUInt32(m, f) == 0 ? "" : std::to_string(r.GetUInt32(m, f));
    case pb::FieldDescriptor::CPPTYPE_DOUBLE: {
      const double x = r.GetDouble(m, f);
      if (!f->has_presence() && x == 0 && !std::signbit(x)) return {};
      return number_text(x);
    }
    default:
      return {};  // no other scalar type is in the schema
  }
}

std::string cell_text(const pb::Message& entity, const Column& c, std::vector<std::string>& problems,
                      const std::string& where) {
  const pb::Message* m = &entity;
  for (std::size_t k = 0; k + 1 < c.path.size(); ++k) {
    if (!m->GetReflection()->HasField(*m, c.path[k])) return {};
    m = &m->GetReflection()->GetMessage(*m, c.path[k]);
  }
  const pb::FieldDescriptor* f = c.path.back();
  const pb::Reflection& r = *m->GetReflection();
  switch (c.kind) {
    case Column::Kind::Scalar:
      return scalar_text(*m, f);
    case Column::Kind::Distribution:
      return r.HasField(*m, f) ? distribution_text(r.GetMessage(*m, f), problems, where + " " + c.name) : "";
    case Column::Kind::List: {
      std::vector<std::string> items;
      items.reserve(static_cast<std::size_t>(r.FieldSize(*m, f)));
      for (int i = 0; i < r.FieldSize(*m, f); ++i) items.push_back(r.GetRepeatedString(*m, f, i));
      return list_text(items);
    }
    case Column::Kind::EntryPoints: {
      std::vector<std::string> items;
      for (int i = 0; i < r.FieldSize(*m, f); ++i) {
        const auto& e = static_cast<const v1::EntryPoint&>(r.GetRepeatedMessage(*m, f, i));
        if (!e.has_probability() && e.asset().find('=') != std::string::npos) {
          problems.push_back(where + ": entry point '" + e.asset() +
                             "' holds '=' and has no probability, which the CSV form cannot tell apart");
        }
        items.push_back(e.has_probability() ? e.asset() + "=" + number_text(e.probability()) : e.asset());
      }
      return list_text(items);
    }
  }
  return {};
}

// The entities of one file: the scenario itself for scenario.csv.
std::vector<const pb::Message*> entities_of(const v1::Scenario& s, std::string_view list) {
  if (list.empty()) return {&s};
  const pb::FieldDescriptor* f = s.GetDescriptor()->FindFieldByName(std::string(list));
  std::vector<const pb::Message*> out;
  const int n = s.GetReflection()->FieldSize(s, f);
  out.reserve(static_cast<std::size_t>(n));
  for (int i = 0; i < n; ++i) out.push_back(&s.GetReflection()->GetRepeatedMessage(s, f, i));
  return out;
}

std::string table_csv(const v1::Scenario& s, const InventoryFile& file, std::vector<std::string>& problems) {
  const InventoryTable table = inventory_table(s, file.list, problems);
  std::string out;
  const auto append_row = [&](const auto& cell) {
    for (std::size_t c = 0; c < table.columns.size(); ++c) {
      if (c > 0) out += ',';
      csv::text(out, cell(c));
    }
    out += '\n';
  };
  append_row([&](std::size_t c) -> const std::string& { return table.columns[c]->name; });
  for (const auto& row : table.rows) append_row([&](std::size_t c) -> const std::string& { return row[c]; });
  return out;
}

}  // namespace

InventoryTable inventory_table(const v1::Scenario& scenario, std::string_view list,
                               std::vector<std::string>& problems) {
  const auto& columns = inventory_columns(list);
  const auto entities = entities_of(scenario, list);
  std::vector<std::vector<std::string>> cells(entities.size());
  std::vector<bool> used(columns.size(), entities.empty());
  const std::string file = list.empty() ? "scenario.csv" : std::string(list) + ".csv";
  for (std::size_t row = 0; row < entities.size(); ++row) {
    const std::string where = file + " row " + std::to_string(row + 2);
    for (std::size_t c = 0; c < columns.size(); ++c) {
      cells[row].push_back(cell_text(*entities[row], columns[c], problems, where));
      if (!cells[row].back().empty()) used[c] = true;
    }
  }
  // scenario.csv with nothing in it: its header alone (a row of empty cells reads the same).
  if (list.empty() && std::none_of(used.begin(), used.end(), [](bool u) { return u; })) {
    cells.clear();
    used.assign(columns.size(), true);
  }
  InventoryTable table;
  for (std::size_t c = 0; c < columns.size(); ++c) {
    if (used[c]) table.columns.push_back(&columns[c]);
  }
  table.rows.resize(cells.size());
  for (std::size_t row = 0; row < cells.size(); ++row) {
    for (std::size_t c = 0; c < columns.size(); ++c) {
      if (used[c]) table.rows[row].push_back(std::move(cells[row][c]));
    }
  }
  return table;
}

InventoryCsv inventory_csv(const v1::Scenario& scenario) {
  InventoryCsv result;
  const auto refuse = [&](int n, const char* what, const char* fix) {
    if (n > 0) result.problems.push_back(std::to_string(n) + " " + what + " cannot be written as CSV (" + fix + ")");
  };
  refuse(scenario.baselines_size(), "baseline(s) of the scenario's own catalogue",
         "keep them in a scenario file and import the inventory into it with --into");
  refuse(scenario.include_size(), "include(s)", "export the scenario with its includes merged");
  for (const auto& file : kInventoryFiles) {
    result.files.emplace_back(std::string(file.file), table_csv(scenario, file, result.problems));
  }
  return result;
}

}  // namespace cpsf
