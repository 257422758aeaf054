// cpsf._core.graphml: a scenario from a GraphML graph and the scenario's graph as GraphML
// (docs/import.md, "GraphML"), through the engine's own importer and writer, so that
// cpsf.import_graphml reads exactly what `cpsf import graphml` reads.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "cpsf/io/graphml.hpp"
#include "cpsf/output/attack_graph.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "import_into.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

void register_graphml(py::module_& m) {
  m.def(
      "import_file",
      [](const std::string& graph, const std::optional<std::string>& mapping,
         const std::optional<py::bytes>& into_bytes, const std::optional<std::string>& into_path,
         std::uint64_t max_file_bytes) {
        ReadLimits limits;
        limits.max_file_bytes = max_file_bytes;
        std::optional<std::string> bytes_in;
        if (into_bytes) bytes_in = std::string(*into_bytes);
        GraphmlReport report;
        const py::tuple result =
            import_validated([&](LoadedScenario& loaded, InventoryPlaces& places, Diagnostics& out) {
              const LoadStatus status = load_into(bytes_in, into_path, limits, loaded, out);
              if (status != LoadStatus::Ok) return status;
              return import_graphml_file(graph, mapping, limits, loaded, places, report, out);
            });
        return py::make_tuple(result[0], result[1], result[2],
                              py::dict(py::arg("nodes") = report.nodes, py::arg("edges") = report.edges,
                                       py::arg("enterprises_made") = report.enterprises_made));
      },
      py::arg("graph"), py::arg("mapping") = py::none(), py::arg("into_bytes") = py::none(),
      py::arg("into_path") = py::none(), py::arg("max_file_bytes") = ReadLimits{}.max_file_bytes,
      "Imports a GraphML file (and mapping) as `cpsf import graphml` does, into a scenario given as bytes or a "
      "path, or into an empty one, and validates the result. Returns (status 'ok', 'invalid' or 'io_error', the "
      "scenario's bytes or None, diagnostics, {nodes, edges, enterprises_made}).");

  m.def(
      "export",
      [](const py::bytes& data) {
        const v1::Scenario scenario = parse_scenario(data);
        std::vector<std::string> problems;
        std::string text;
        {
          py::gil_scoped_release release;
          text = scenario_graphml(scenario, problems);
        }
        return py::make_tuple(text, problems);
      },
      py::arg("data"), "The scenario's graph as GraphML, as `cpsf export graphml` writes it: (text, problems).");
}

}  // namespace cpsf::python
