// What one run leaves behind, shared between register_simulation.cpp (which makes it)
// and register_results.cpp (which exposes it). Python holds it by std::shared_ptr; every
// numpy array handed out without a copy has the owning Python object as its base, so
// the arrays keep the run alive (docs/python.md, "Lifetime").
#pragma once

#include "cpsf/model.hpp"
#include "cpsf/report.hpp"
#include "cpsf/simulation.hpp"

namespace cpsf::python {

struct RunState {
  Model model;
  SimulationResult result;
  Report report;
  OutputContext context;
};

}  // namespace cpsf::python
