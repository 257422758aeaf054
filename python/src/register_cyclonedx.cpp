// cpsf._core.cyclonedx: CycloneDX SBOMs (docs/import.md, "CycloneDX SBOMs") through the
// engine's own importer, so that cpsf.import_cyclonedx reads exactly what
// `cpsf import cyclonedx` reads and reports the same diagnostics.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "cpsf/model/cyclonedx.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "import_into.hpp"
#include "registration.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

struct Request {
  std::string path;
  std::optional<std::string> into_bytes, into_path, product;
  ReadLimits limits;
};

// Reads, imports and validates, as the command line does.
LoadStatus run(const Request& q, LoadedScenario& loaded, CycloneDxReport& report, Diagnostics& out) {
  if (const LoadStatus status = load_into(q.into_bytes, q.into_path, q.limits, loaded, out); status != LoadStatus::Ok)
    return status;
  CycloneDxPlaces places;
  const LoadStatus status =
      import_cyclonedx_file(q.path, CycloneDxOptions{q.product}, q.limits, loaded, places, report, out);
  if (status == LoadStatus::Ok) {
    validate(loaded, out);
    places.place(out);
  }
  return status;
}

py::dict report_dict(const CycloneDxReport& r) {
  return py::dict(
      py::arg("components") = r.components, py::arg("assets_made") = r.assets_made,
      py::arg("assets_reused") = r.assets_reused, py::arg("enterprises_made") = r.enterprises_made,
      py::arg("relations_written") = r.relations_written, py::arg("relations_replaced") = r.relations_replaced,
      py::arg("vulnerabilities_applied") = r.vulnerabilities_applied,
      py::arg("vulnerabilities_skipped") = r.vulnerabilities_skipped,
      py::arg("vulnerabilities_unrated") = r.vulnerabilities_unrated,
      py::arg("vulnerabilities_unused") = r.vulnerabilities_unused, py::arg("unknown_supplier") = r.unknown_supplier,
      py::arg("assumed_direct") = r.assumed_direct, py::arg("text") = cyclonedx_counts_text(r));
}

}  // namespace

void register_cyclonedx(py::module_& m) {
  m.def(
      "import_file",
      [](const std::string& path, std::optional<py::bytes> into_bytes, std::optional<std::string> into_path,
         std::optional<std::string> product, std::uint64_t max_file_bytes) {
        Request q{path, std::nullopt, std::move(into_path), std::move(product), {}};
        if (into_bytes) q.into_bytes = std::string(*into_bytes);
        q.limits.max_file_bytes = max_file_bytes;
        Diagnostics diagnostics;
        CycloneDxReport report;
        LoadStatus status{};
        std::string bytes;
        {
          py::gil_scoped_release release;
          LoadedScenario loaded;
          status = run(q, loaded, report, diagnostics);
          if (status == LoadStatus::Ok) loaded.scenario().SerializeToString(&bytes);
        }
        return py::make_tuple(load_status_name(status),
                              status == LoadStatus::Ok ? py::object(py::bytes(bytes)) : py::object(py::none()),
                              diagnostics_to_list(diagnostics), report_dict(report));
      },
      py::arg("path"), py::arg("into_bytes") = py::none(), py::arg("into_path") = py::none(),
      py::arg("product") = py::none(), py::arg("max_file_bytes") = ReadLimits{}.max_file_bytes,
      "Imports a CycloneDX SBOM as `cpsf import cyclonedx` does, alone or into a scenario given as bytes or a "
      "path, and validates the result. Returns (status 'ok', 'invalid' or 'io_error', the scenario's bytes or "
      "None, diagnostics, the counts as a dict).");
}

}  // namespace cpsf::python
