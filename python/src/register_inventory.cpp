// cpsf._core.inventory: the inventory CSV form (docs/import.md) through the engine's own
// importer and writer, so that cpsf.import_inventory and Scenario.from_frames read exactly
// what `cpsf import inventory` reads, and report the same diagnostics.
#include <pybind11/stl.h>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cpsf/io/inventory.hpp"
#include "cpsf/output/inventory_csv.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "import_into.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

void register_inventory(py::module_& m) {
  m.def(
      "import_folder",
      [](const std::string& folder, std::uint64_t max_file_bytes) {
        ReadLimits limits;
        limits.max_file_bytes = max_file_bytes;
        return import_validated([&](LoadedScenario& loaded, InventoryPlaces& places, Diagnostics& out) {
          return import_inventory(folder, loaded, places, out, limits);
        });
      },
      py::arg("folder"), py::arg("max_file_bytes") = ReadLimits{}.max_file_bytes,
      "Reads an inventory folder as `cpsf import inventory` does and validates it. Returns (status 'ok', "
      "'invalid' or 'io_error', the scenario's bytes or None, diagnostics).");

  m.def(
      "import_texts",
      [](const std::vector<std::tuple<std::string, std::string, std::string>>& files, const std::string& name) {
        std::vector<InventorySource> sources;
        sources.reserve(files.size());
        for (const auto& [file, source, text] : files) sources.push_back({file, source, text});
        return import_validated([&](LoadedScenario& loaded, InventoryPlaces& places, Diagnostics& out) {
          loaded.files.push_back(SourceFile{name, Format::Binary, ""});  // what the scenario's own problems name
          return import_inventory(sources, loaded, places, out);
        });
      },
      py::arg("files"), py::arg("name") = "<frames>",
      "Reads (file, name in diagnostics, CSV text) triples, file one of the inventory's ('assets.csv', ...), "
      "and validates the scenario; problems of the scenario as a whole name `name`. Returns (status, bytes or "
      "None, diagnostics).");

  m.def(
      "export",
      [](const py::bytes& data) {
        const v1::Scenario scenario = parse_scenario(data);
        InventoryCsv csv;
        {
          py::gil_scoped_release release;
          csv = inventory_csv(scenario);
        }
        return py::make_tuple(csv.files, csv.problems);
      },
      py::arg("data"),
      "The scenario as an inventory: ([(file name, CSV text)], problems: what the CSV form cannot carry; when "
      "not empty the files would not give the scenario back).");

  std::vector<std::string> files;
  files.reserve(kInventoryFiles.size());
  for (const auto& f : kInventoryFiles) files.emplace_back(f.file);
  m.attr("files") = files;
}

}  // namespace cpsf::python
