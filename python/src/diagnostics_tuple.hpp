// Diagnostics as Python tuples (defined in register_validation.cpp, used by the loader too).
#pragma once

#include <pybind11/pybind11.h>

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/read.hpp"

namespace cpsf::python {

// [(severity, file, line, column, path, entity, message, hint, text)], text as the CLI prints it.
pybind11::list diagnostics_to_list(const Diagnostics& diagnostics);

// The status that comes with them across the boundary: "ok", "invalid" or "io_error".
inline const char* load_status_name(LoadStatus status) {
  return status == LoadStatus::Ok ? "ok" : status == LoadStatus::Invalid ? "invalid" : "io_error";
}

}  // namespace cpsf::python
