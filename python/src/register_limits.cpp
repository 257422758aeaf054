// cpsf._core.limits: the engine's limits on options (engine/cpsf/base/limits.hpp), so that the
// Python package checks its arguments against the same numbers, with the same words, as
// the engine, the command line and the validator of a scenario's settings.
#include <pybind11/stl.h>

#include "cpsf/base/limits.hpp"
#include "registration.hpp"

namespace py = pybind11;

namespace cpsf::python {

void register_limits(py::module_& m) {
  m.attr("max_trials") = kMaxTrials - 1;
  m.attr("max_threads") = kMaxThreads;
  m.attr("max_annual_frequency") = kMaxAnnualFrequency;
  m.attr("max_top_paths") = kMaxTopPaths;
  m.attr("max_frontier_points") = kMaxFrontierPoints;

  // name -> (min, max, except_one, description): an integer option's allowed values.
  py::dict integers;
  const auto integer = [&](const char* name, const IntegerLimit& l) {
    integers[name] = py::make_tuple(l.min, l.max, l.except_one, describe(l));
  };
  integer("trials", limits::trials);
  integer("threads", limits::threads);
  integer("seed", limits::seed);
  integer("file_bytes", limits::file_bytes);
  integer("top_paths", limits::top_paths);
  integer("frontier_points", limits::frontier_points);
  integer("enterprises", limits::enterprises);
  integer("assets_per_enterprise", limits::assets_per_enterprise);
  integer("fan_out", limits::fan_out);
  m.attr("integers") = integers;

  // name -> (min, max, open_min, open_max, description): a number option's allowed values
  // (always finite).
  py::dict reals;
  const auto real = [&](const char* name, const RealLimit& l) {
    reals[name] = py::make_tuple(l.min, l.max, l.open_min, l.open_max, describe(l));
  };
  real("horizon", limits::horizon);
  real("target_rse", limits::target_rse);
  real("loss_threshold", limits::loss_threshold);
  real("budget", limits::budget);
  real("share", limits::share);
  real("relations_per_asset", limits::relations_per_asset);
  real("ttc", limits::ttc);
  real("annual_frequency", limits::annual_frequency);
  m.attr("reals") = reals;
}

}  // namespace cpsf::python
