// Writing a scenario as an inventory: the CSV files that `cpsf import inventory` reads back
// to the same scenario (docs/import.md), through the one CSV writer (csv.hpp).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "cpsf/io/inventory.hpp"
#include "cpsf/v1/scenario.pb.h"

namespace cpsf {

struct InventoryCsv {
  // Every file of kInventoryFiles (io/inventory.hpp) with its content: a file with no rows
  // is its header alone, so that writing into a folder leaves no stale file behind.
  std::vector<std::pair<std::string, std::string>> files;
  // What the CSV form cannot carry (the scenario's own baselines, include, an entry
  // point that the cell form cannot tell apart): when not empty, the files must not be written, as the scenario would
  // not come back.
  std::vector<std::string> problems;
};

// The columns written are those with a value in some row (all of them for a file with no
// rows); numbers in the fewest digits that read back exactly.
InventoryCsv inventory_csv(const v1::Scenario& scenario);

// One list's table ("" for the scenario's own fields): the columns with a value in some row
// (all of them when there is no row) and each entity's cells unencoded, as the importer reads
// them. For writers of other forms (GraphML); what cannot be written is added to `problems`.
struct InventoryTable {
  std::vector<const InventoryColumn*> columns;
  std::vector<std::vector<std::string>> rows;
};
InventoryTable inventory_table(const v1::Scenario& scenario, std::string_view list, std::vector<std::string>& problems);

}  // namespace cpsf
