// What one run leaves behind, shared between register_simulation.cpp (which makes it)
// and register_results.cpp (which exposes it). Python holds it by std::shared_ptr; every
// numpy array handed out without a copy has the owning Python object as its base, so
// the arrays keep the run alive (docs/python.md, "Lifetime").
#pragma once

#include <pybind11/pybind11.h>

#include <memory>
#include <string>

#include "cpsf/analysis/estimates.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/output/output_context.hpp"
#include "cpsf/sim/simulation.hpp"

namespace cpsf::python {

struct RunState {
  Model model;
  SimulationResult result;
  Estimates estimates;
  OutputContext context;
};

// A RunState holding the compiled model of `scenario` (serialised cpsf.v1.Scenario bytes,
// from `file`), compiled with the GIL released; the run and the estimates are for the
// caller to fill. Bad bytes raise ValueError; compile()'s std::invalid_argument too.
// Defined in register_simulation.cpp; used there and by register_results.cpp's restore.
std::shared_ptr<RunState> compiled_state(const pybind11::bytes& scenario, const std::string& file);

}  // namespace cpsf::python
