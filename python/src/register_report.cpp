// cpsf._core.report: the HTML report (engine/cpsf/output/report_html.hpp), the same page
// `cpsf report` writes, from the documents' JSON texts.
#include <pybind11/pybind11.h>

#include <string>

#include "cpsf/output/report_html.hpp"
#include "registration.hpp"

namespace py = pybind11;

namespace cpsf::python {

void register_report(py::module_& m) {
  m.def(
      "report_html",
      [](const std::string& results, const std::string& compare, const std::string& optimise) {
        try {
          return cpsf::report_html({results, compare, optimise});
        } catch (const cpsf::ReportError& e) {
          throw py::value_error(e.what());
        }
      },
      py::arg("results") = "", py::arg("compare") = "", py::arg("optimise") = "",
      "The self-contained HTML page of results.json, compare.json and optimise.json texts (any, not none); "
      "ValueError for a text that is not such a document.");
}

}  // namespace cpsf::python
