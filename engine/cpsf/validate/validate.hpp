// Semantic validation of a loaded scenario (docs/design.md §3, §8.4).
//
// Reports every problem at once, each naming the file, the entity, what is wrong and
// how to fix it: duplicate ids, dangling references, probabilities outside [0, 1],
// non-finite numbers, negative amounts and durations, invalid distribution parameters,
// unknown baselines; and warnings for what is legal but suspicious: an ALL gate with no
// incoming relation, an unknown CPSF requirement id, nothing that can be entered.
#pragma once

#include "cpsf/base/diagnostics.hpp"
#include "cpsf/io/load.hpp"

namespace cpsf {

// Appends the problems of `scenario` to `out`, and places them on their lines.
void validate(const LoadedScenario& scenario, Diagnostics& out);

}  // namespace cpsf
