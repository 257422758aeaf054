// cpsf._core.self_assessment: supplier self-assessments (docs/import.md, "Self-assessments")
// through the engine's own importer, so that cpsf.import_self_assessment reads exactly what
// `cpsf import self-assessment` reads and reports the same diagnostics and report.
#include <pybind11/stl.h>

#include <optional>
#include <string>

#include "cpsf/model/self_assessment.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "import_into.hpp"
#include "registration.hpp"
#include "scenario_bytes.hpp"

namespace py = pybind11;

namespace cpsf::python {

namespace {

py::dict report_dict(const SelfAssessmentReport& r) {
  py::list companies;
  for (const auto& c : r.companies) {
    py::dict baselines;
    for (const auto& b : c.baselines) {
      baselines[py::str(b.baseline)] =
          py::dict(py::arg("required") = b.required, py::arg("covered") = b.covered, py::arg("missing") = b.missing);
    }
    companies.append(py::dict(py::arg("company") = c.company, py::arg("enterprise") = c.enterprise,
                              py::arg("answers") = c.answers, py::arg("baselines") = baselines,
                              py::arg("nearest") = c.nearest.empty() ? py::object(py::none()) : py::str(c.nearest)));
  }
  py::list unmatched;
  for (const auto& [company, line] : r.unmatched) unmatched.append(py::make_tuple(company, line));
  return py::dict(py::arg("rows") = r.rows, py::arg("implemented") = r.implemented,
                  py::arg("not_implemented") = r.not_implemented, py::arg("not_applicable") = r.not_applicable,
                  py::arg("missing") = r.missing, py::arg("controls_written") = r.controls_written,
                  py::arg("controls_replaced") = r.controls_replaced, py::arg("controls_removed") = r.controls_removed,
                  py::arg("enterprises_made") = r.enterprises_made, py::arg("companies") = companies,
                  py::arg("unmatched") = unmatched, py::arg("text") = self_assessment_report_text(r));
}

struct Request {
  std::string answers;
  std::optional<std::string> mapping;
  std::optional<std::string> into_bytes, into_path;
  bool strict = false;
  ReadLimits limits;
};

// Reads, imports and (into a scenario) validates; a fragment is not validated, as on the
// command line.
LoadStatus run(const Request& q, LoadedScenario& loaded, SelfAssessmentReport& report, Diagnostics& out) {
  if (const LoadStatus status = load_into(q.into_bytes, q.into_path, q.limits, loaded, out); status != LoadStatus::Ok)
    return status;
  const bool into = q.into_path || q.into_bytes;
  InventoryPlaces places;
  const SelfAssessmentOptions options{into, q.strict};
  const LoadStatus status =
      import_self_assessment_files(q.answers, q.mapping, options, q.limits, loaded, places, report, out);
  if (status == LoadStatus::Ok && into) {
    validate(loaded, out);
    places.place(out);
  }
  return status;
}

}  // namespace

void register_self_assessment(py::module_& m) {
  m.def(
      "import_file",
      [](const std::string& answers, std::optional<std::string> mapping, std::optional<py::bytes> into_bytes,
         std::optional<std::string> into_path, bool strict, std::uint64_t max_file_bytes) {
        Request q{answers, std::move(mapping), std::nullopt, std::move(into_path), strict, {}};
        if (into_bytes) q.into_bytes = std::string(*into_bytes);
        q.limits.max_file_bytes = max_file_bytes;
        Diagnostics diagnostics;
        SelfAssessmentReport report;
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
      py::arg("answers"), py::arg("mapping") = py::none(), py::arg("into_bytes") = py::none(),
      py::arg("into_path") = py::none(), py::arg("strict") = false,
      py::arg("max_file_bytes") = ReadLimits{}.max_file_bytes,
      "Imports a self-assessment answers file (and mapping) as `cpsf import self-assessment` does, into a "
      "scenario given as bytes or a path (then validated) or as a fragment. Returns (status 'ok', 'invalid' or "
      "'io_error', the scenario's bytes or None, diagnostics, the report as a dict).");
}

}  // namespace cpsf::python
