// cpsf._core.catalogue: the built-in CPSF catalogue (model/catalogue/cpsf.textproto), as
// serialised cpsf.v1.Catalogue bytes for the Python protobuf classes.
#include <string>

#include "cpsf/model/catalogue.hpp"
#include "registration.hpp"

namespace py = pybind11;

namespace cpsf::python {

void register_catalogue(py::module_& m) {
  m.def(
      "builtin",
      [] {
        std::string bytes;
        builtin_catalogue().SerializeToString(&bytes);
        return py::bytes(bytes);
      },
      "The built-in catalogue as serialised cpsf.v1.Catalogue bytes.");
  m.def("is_requirement_id", &is_requirement_id, py::arg("id"),
        "True when id has the shape CPS.<XX>-<n> (two or three capital letters, a positive number).");
}

}  // namespace cpsf::python
