// cpsf._core: the compiled half of the Python package. It only registers one submodule
// per concept; each binds in its own register_<concept>.cpp, and the public API is the
// pure-Python package python/cpsf/ on top (docs/python.md).
#include <pybind11/pybind11.h>

#include "cpsf/base/version.hpp"
#include "registration.hpp"

PYBIND11_MODULE(_core, m) {
  m.doc() = "cpsf's compiled core: thin bindings over the C++ engine. Use the cpsf package, not this.";
  m.attr("engine_version") = cpsf::kEngineVersion;
  m.attr("schema_version") = cpsf::kSchemaVersion;
  m.attr("git_revision") = cpsf::kGitRevision;

  // Order matters only for the signatures in docstrings: a type is named once registered.
  auto limits = m.def_submodule("limits", "The limits of every option (engine/cpsf/base/limits.hpp).");
  cpsf::python::register_limits(limits);
  auto catalogue = m.def_submodule("catalogue", "The built-in CPSF catalogue.");
  cpsf::python::register_catalogue(catalogue);
  auto validation = m.def_submodule("validation", "Semantic validation with the command line's diagnostics.");
  cpsf::python::register_validation(validation);
  auto scenario = m.def_submodule("scenario", "Scenario files: load with includes, serialise, save.");
  cpsf::python::register_scenario(scenario);
  auto results = m.def_submodule("results", "What a run produced: the SimulationResult and its Estimates.");
  cpsf::python::register_results(results);
  auto simulation = m.def_submodule("simulation", "The Monte Carlo run, off the GIL, interruptible.");
  cpsf::python::register_simulation(simulation);
  auto portfolio = m.def_submodule("portfolio", "The control portfolio optimiser (cpsf optimise)");
  cpsf::python::register_portfolio(portfolio);
  auto compare = m.def_submodule("compare", "Scenarios x baselines side by side (cpsf compare)");
  cpsf::python::register_compare(compare);
  auto inventory = m.def_submodule("inventory", "Scenarios as CSV files (cpsf import / export inventory)");
  cpsf::python::register_inventory(inventory);
  auto self_assessment =
      m.def_submodule("self_assessment", "Supplier self-assessments as controls (cpsf import self-assessment)");
  cpsf::python::register_self_assessment(self_assessment);
  auto graphml = m.def_submodule("graphml", "Scenarios from GraphML graphs and back (cpsf import / export graphml)");
  cpsf::python::register_graphml(graphml);
  auto cyclonedx = m.def_submodule("cyclonedx", "CycloneDX SBOMs as supply-chain assets (cpsf import cyclonedx)");
  cpsf::python::register_cyclonedx(cyclonedx);
  auto report = m.def_submodule("report", "The HTML report (cpsf report)");
  cpsf::python::register_report(report);
}
