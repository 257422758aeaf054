// Scenarios cross the Python boundary as serialised cpsf.v1.Scenario bytes: the one way
// in (bad bytes raise ValueError) and out, for every register_<concept>.cpp.
#pragma once

#include <pybind11/pybind11.h>

#include <string>

#include "cpsf/v1/scenario.pb.h"

namespace cpsf::python {

inline v1::Scenario parse_scenario(const pybind11::bytes& data) {
  v1::Scenario scenario;
  if (!scenario.ParseFromString(std::string(data))) throw pybind11::value_error("not a serialised cpsf.v1.Scenario");
  return scenario;
}

inline pybind11::bytes serialise_scenario(const v1::Scenario& scenario) {
  std::string out;
  scenario.SerializeToString(&out);
  return pybind11::bytes(out);
}

}  // namespace cpsf::python
