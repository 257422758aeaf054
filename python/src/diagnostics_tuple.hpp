// Diagnostics as Python tuples (defined in register_validation.cpp, used by the loader too).
#pragma once

#include <pybind11/pybind11.h>

#include "cpsf/base/diagnostics.hpp"

namespace cpsf::python {

// [(severity, file, line, column, path, entity, message, hint, text)], text as the CLI prints it.
pybind11::list diagnostics_to_list(const Diagnostics& diagnostics);

}  // namespace cpsf::python
