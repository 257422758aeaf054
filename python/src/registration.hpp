// The registration functions of cpsf._core, one per concept (docs/style.md 6): module.cpp
// makes a submodule for each and calls its function. What they share has its own header
// (scenario_bytes.hpp, background_call.hpp, run_state.hpp, diagnostics_tuple.hpp).
#pragma once

#include <pybind11/pybind11.h>

namespace cpsf::python {

void register_catalogue(pybind11::module_& m);        // cpsf._core.catalogue
void register_limits(pybind11::module_& m);           // cpsf._core.limits
void register_validation(pybind11::module_& m);       // cpsf._core.validation
void register_scenario(pybind11::module_& m);         // cpsf._core.scenario
void register_results(pybind11::module_& m);          // cpsf._core.results
void register_simulation(pybind11::module_& m);       // cpsf._core.simulation
void register_portfolio(pybind11::module_& m);        // cpsf._core.portfolio
void register_compare(pybind11::module_& m);          // cpsf._core.compare
void register_inventory(pybind11::module_& m);        // cpsf._core.inventory
void register_self_assessment(pybind11::module_& m);  // cpsf._core.self_assessment
void register_graphml(pybind11::module_& m);          // cpsf._core.graphml
void register_cyclonedx(pybind11::module_& m);        // cpsf._core.cyclonedx
void register_report(pybind11::module_& m);           // cpsf._core.report

}  // namespace cpsf::python
