// The inventory: a scenario as CSV files, one per entity list, with columns named as the
// scenario's fields (docs/import.md). `cpsf import inventory` reads one
// (import_inventory); `cpsf export inventory` writes one (output/inventory_csv.hpp).
//
// The columns of each file come from the schema itself (inventory_columns), so that a
// field added to scenario.proto is a column without a change here: nested fields are
// dotted (loss.integrity, step.p), repeated strings are one cell (a;b;c, or a JSON array),
// a distribution is one cell (lognormal(mu=1.1,sigma=0.5)), entry points are asset=p
// items of a list.
#pragma once

#include <array>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/io/read.hpp"

namespace google::protobuf {
class Descriptor;
class FieldDescriptor;
}  // namespace google::protobuf

namespace cpsf {

// One file of an inventory and the Scenario list it holds (scenario.csv: the scenario's
// own fields, one row).
struct InventoryFile {
  std::string_view file;  // "assets.csv"
  std::string_view list;  // "assets"; empty for scenario.csv
  bool required;
};
inline constexpr std::array<InventoryFile, 8> kInventoryFiles{{{"scenario.csv", "", false},
                                                               {"enterprises.csv", "enterprises", true},
                                                               {"assets.csv", "assets", true},
                                                               {"relations.csv", "relations", true},
                                                               {"dependencies.csv", "dependencies", false},
                                                               {"controls.csv", "controls", false},
                                                               {"threats.csv", "threats", false},
                                                               {"requirements.csv", "requirements", false}}};

struct InventoryColumn {
  enum class Kind : std::uint8_t {
    Scalar,        // a number, string, bool or enum name
    Distribution,  // family(key=value,...)
    List,          // repeated string: a;b;c or ["a","b"]
    EntryPoints,   // repeated EntryPoint: asset=p;asset (p not given)
  };
  std::string name;                                            // "loss.outage_days"
  std::vector<const google::protobuf::FieldDescriptor*> path;  // the fields from the entity down
  Kind kind = Kind::Scalar;
};

// The columns of a file, in the schema's order ("" for scenario.csv). The Scenario's own
// lists, include and integrity are not columns; its baselines (a list of lists) are not
// in the CSV form at all.
const std::vector<InventoryColumn>& inventory_columns(std::string_view list);

// A file's text as read (or as made from a pandas DataFrame).
struct InventorySource {
  std::string file;  // "assets.csv": which table it is
  std::string path;  // named in diagnostics
  std::string text;
};

// Where each imported row came from, to place validation's diagnostics on CSV lines.
class InventoryPlaces {
 public:
  // A diagnostic naming an imported CSV file with a path "assets[3].loss.integrity" gets
  // the line of that row and the column's name as its path.
  void place(Diagnostics& diagnostics) const;
  std::map<std::string, std::vector<int>, std::less<>> row_lines;  // by file path
  // By file path and list, for a file that holds more than one list (a GraphML file's
  // nodes and edges); looked up before row_lines.
  std::map<std::pair<std::string, std::string>, std::vector<int>, std::less<>> list_lines;
};

struct CsvTable;
// Appends the rows of `table` as the entities of the inventory file `file` ("assets.csv",
// "scenario.csv": its fields set), named `path` in diagnostics, recording their origins
// (a file in into.files); false (reported) when a cell is wrong. For importers that make
// tables out of other forms (GraphML); their columns must be inventory columns.
bool import_inventory_table(std::string_view file, const CsvTable& table, const std::string& path, LoadedScenario& into,
                            Diagnostics& out);

// Reads the CSV files of `folder` (kInventoryFiles; any other .csv file there is warned
// about) and appends their entities to `into`, recording their origins (a file each in
// into.files). Each file is refused over limits.max_file_bytes. IoError when the folder
// or a required file cannot be read, Invalid when a file is wrong; every problem is
// reported with file, line, column, what and how to fix it. Validation is separate
// (validate()), then places.place().
LoadStatus import_inventory(const std::string& folder, LoadedScenario& into, InventoryPlaces& places, Diagnostics& out,
                            const ReadLimits& limits = {});
// The same from texts in memory (from_frames); a required file missing is Invalid.
LoadStatus import_inventory(const std::vector<InventorySource>& sources, LoadedScenario& into, InventoryPlaces& places,
                            Diagnostics& out);

}  // namespace cpsf
