// GraphML graphs as scenarios: `cpsf import graphml` (docs/import.md, "GraphML").
//
// The file is read through Boost.Graph's read_graphml: nodes become assets (the node's id
// the asset's id), edges relations (source → from, target → to), and the attributes are
// taken by their names as the inventory's columns (owner, layer, element, loss.integrity,
// kind, step.p, ...) or as a mapping file says, then set as the inventory importer sets
// its cells (inventory.hpp), so that a cell means the same in both.
#pragma once

#include <optional>
#include <string>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/csv_read.hpp"
#include "cpsf/io/inventory.hpp"
#include "cpsf/io/load.hpp"

namespace cpsf {

struct GraphmlReport {
  int nodes = 0, edges = 0;
  int enterprises_made = 0;  // owners that were no enterprise: made, with the owner as id and name
};

// Reads the GraphML text `graph` and the mapping file (CSV: for, attribute, field and
// optionally default) when given, and appends the assets, relations and the enterprises
// they need to `into` (the graph's own attributes set the scenario's fields, as
// scenario.csv's cells do). Every problem is reported with the file, the line of the node
// or edge, the attribute, what is wrong and how to fix it; attributes that are not read
// are warned about once per kind. Invalid when there is any error (then `into` may hold
// part of the import). Validation is separate (validate(), then places.place()).
LoadStatus import_graphml(const CsvSource& graph, const std::optional<CsvSource>& mapping, LoadedScenario& into,
                          InventoryPlaces& places, GraphmlReport& report, Diagnostics& out);

// The same from files read within `limits`; IoError (reported) when one cannot be read.
LoadStatus import_graphml_file(const std::string& graph, const std::optional<std::string>& mapping,
                               const ReadLimits& limits, LoadedScenario& into, InventoryPlaces& places,
                               GraphmlReport& report, Diagnostics& out);

}  // namespace cpsf
