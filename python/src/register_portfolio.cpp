// Placeholder: bindings arrive with engine/cpsf/portfolio.hpp.
#include "registration.hpp"

namespace cpsf::python {
void register_portfolio(pybind11::module_& m) { (void)m; }
}  // namespace cpsf::python
