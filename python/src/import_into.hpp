// What the bindings of the importers share: the scenario an importer adds to (the `into`
// of cpsf.import_self_assessment and cpsf.import_graphml: a scenario file with its includes
// merged, a scenario's bytes, or none), loaded as `cpsf import --into` loads it, and an
// import validated as the command line validates it.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "cpsf/io/inventory.hpp"
#include "cpsf/io/load.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "scenario_bytes.hpp"

namespace cpsf::python {

// Ok, or the load's status (reported in `out`); bad bytes raise ValueError.
inline LoadStatus load_into(const std::optional<std::string>& bytes, const std::optional<std::string>& path,
                            const ReadLimits& limits, LoadedScenario& loaded, Diagnostics& out) {
  if (path) {
    LoadStatus status{};
    auto from_file = load_scenario(*path, out, status, limits);
    if (!from_file) return status;
    loaded = std::move(*from_file);
    loaded.mutable_scenario()->clear_include();
  } else if (bytes) {
    loaded = in_memory_scenario("<into>");
    if (!loaded.mutable_scenario()->ParseFromString(*bytes))
      throw pybind11::value_error("not a serialised cpsf.v1.Scenario");
  }
  return LoadStatus::Ok;
}

// Runs `import` (LoadedScenario&, InventoryPlaces&, Diagnostics&) -> LoadStatus without the
// GIL; when it read, validates and places the diagnostics on the imported rows or lines.
// (status, the scenario's bytes or None, diagnostics).
template <class Import>
pybind11::tuple import_validated(Import import) {
  Diagnostics diagnostics;
  LoadStatus status{};
  std::string bytes;
  {
    pybind11::gil_scoped_release release;
    LoadedScenario loaded;
    InventoryPlaces places;
    status = import(loaded, places, diagnostics);
    if (status == LoadStatus::Ok) {
      validate(loaded, diagnostics);
      places.place(diagnostics);
      loaded.scenario().SerializeToString(&bytes);
    }
  }
  return pybind11::make_tuple(
      load_status_name(status),
      status == LoadStatus::Ok ? pybind11::object(pybind11::bytes(bytes)) : pybind11::object(pybind11::none()),
      diagnostics_to_list(diagnostics));
}

}  // namespace cpsf::python
