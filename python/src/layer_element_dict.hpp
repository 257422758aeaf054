// A layer × element profile (analysis/estimates.hpp) for Python: a dict of 3 × 6 arrays,
// rows L1..L3, columns ORGANIZATION..SYSTEM. Results.layer_element() and the compare
// result's profile both read it.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <utility>

#include "cpsf/analysis/estimates.hpp"

namespace cpsf::python {

namespace py = pybind11;

// A layer × element profile as a dict of 3 × 6 arrays (also compare's rows).
inline py::dict layer_element_dict(const LayerElementProfile& cells) {
  const std::pair<const char*, double LayerElementCell::*> fields[] = {{"own", &LayerElementCell::own},
                                                                       {"production", &LayerElementCell::production},
                                                                       {"cascade", &LayerElementCell::cascade},
                                                                       {"loss_mean", &LayerElementCell::mean},
                                                                       {"loss_stderr", &LayerElementCell::stderr_},
                                                                       {"share", &LayerElementCell::share}};
  py::dict d;
  for (const auto& [name, field] : fields) {
    py::array_t<double> a({3, 6});
    for (std::size_t c = 0; c < kCells; ++c)
      a.mutable_at(static_cast<py::ssize_t>(c / 6), static_cast<py::ssize_t>(c % 6)) = cells[c].*field;
    d[name] = a;
  }
  py::array_t<double> low({3, 6}), high({3, 6});
  for (std::size_t c = 0; c < kCells; ++c) {
    const auto l = static_cast<py::ssize_t>(c / 6), e = static_cast<py::ssize_t>(c % 6);
    low.mutable_at(l, e) = cells[c].share_ci95.low;
    high.mutable_at(l, e) = cells[c].share_ci95.high;
  }
  d["share_ci95_low"] = low;
  d["share_ci95_high"] = high;
  return d;
}

}  // namespace cpsf::python
