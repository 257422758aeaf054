// `cpsf optimise`: placeholder registration until the verb lands (see docs/cli.md).
#include "cli/common.hpp"

namespace cpsf::cli {

Command add_optimise(CLI::App& app) {
  (void)app;
  return {};
}

}  // namespace cpsf::cli
