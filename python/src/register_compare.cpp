// Placeholder: bindings arrive with engine/cpsf/compare.hpp.
#include "registration.hpp"

namespace cpsf::python {
void register_compare(pybind11::module_& m) { (void)m; }
}  // namespace cpsf::python
