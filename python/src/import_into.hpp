// The scenario that an importer adds to (the `into` of cpsf.import_self_assessment and
// cpsf.import_graphml): a scenario file with its includes merged, a scenario's bytes, or
// none (an empty scenario), loaded as `cpsf import --into` loads it.
#pragma once

#include <pybind11/pybind11.h>

#include <optional>
#include <string>

#include "cpsf/io/load.hpp"
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

}  // namespace cpsf::python
