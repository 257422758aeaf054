// Where a result came from, as the writers name it: the scenario's file, name and currency.
#pragma once

#include <string>

namespace cpsf {

struct OutputContext {
  std::string scenario_file, scenario_name, currency;
};

}  // namespace cpsf
