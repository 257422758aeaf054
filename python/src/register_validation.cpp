// cpsf._core.validation: validate() on a scenario built in memory, with the command
// line's diagnostics. A diagnostic crosses as a plain tuple
// (severity, file, line, column, path, entity, message, hint, text), text being what
// `cpsf validate` prints; cpsf.errors.Problem is the Python type over it.
#include <string>

#include "cpsf/io/scenario_io.hpp"
#include "cpsf/validate/validate.hpp"
#include "diagnostics_tuple.hpp"
#include "registration.hpp"

namespace py = pybind11;

namespace cpsf::python {

py::list diagnostics_to_list(const Diagnostics& diagnostics) {
  py::list out;
  for (const auto& d : diagnostics.items()) {
    out.append(py::make_tuple(d.severity == Severity::Error ? "error" : "warning", d.file, d.line, d.column, d.path,
                              d.entity, d.message, d.hint, d.format()));
  }
  return out;
}

void register_validation(py::module_& m) {
  m.def(
      "validate",
      [](const py::bytes& data, const std::string& name) {
        // Parsed straight onto the LoadedScenario's arena: no copy.
        LoadedScenario scenario = in_memory_scenario(name);
        if (!scenario.mutable_scenario()->ParseFromString(std::string(data))) {
          throw py::value_error("not a serialised cpsf.v1.Scenario");
        }
        Diagnostics diagnostics;
        {
          py::gil_scoped_release release;
          validate(scenario, diagnostics);
        }
        return diagnostics_to_list(diagnostics);
      },
      py::arg("data"), py::arg("name") = "<memory>",
      "Validates a serialised cpsf.v1.Scenario; returns every problem as a tuple "
      "(severity, file, line, column, path, entity, message, hint, text).");
}

}  // namespace cpsf::python
