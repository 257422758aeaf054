// Chokepoints (docs/design.md §6): for each target, the fewest residual weaknesses that stand
// between a threat's entries and it — "how many weaknesses in series" answered exactly.
//
// A weakness is a relation whose step can still succeed: probability × the threat's
// step_scale > 0 (controls on or off) and a source asset that is not certainly contained
// (containment < 1: no step ever leaves such an asset). Entries are the threat's entry
// assets with probability > 0, all assumed to fall. On that graph, per target:
//  - the minimum relation cut (Menger: max flow with unit capacity per relation, parallel
//    relations counting separately), and one minimum cut: the one nearest the entries;
//  - the minimum asset cut (node splitting: unit capacity per intermediate asset);
//  - the depth: the fewest steps from an entry, which is also the largest number of
//    disjoint cuts in series (defence in depth).
// Max flows are Boost.Graph's Boykov–Kolmogorov on the part of the graph that lies on
// some entry→target path, so the cost per target is linear in that part, not in V².
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "cpsf/model/model.hpp"

namespace cpsf {

// No finite cut exists (cut sizes), or no path at all (depth).
inline constexpr std::uint32_t kNoCut = std::numeric_limits<std::uint32_t>::max();
inline constexpr std::uint32_t kUnreachable = std::numeric_limits<std::uint32_t>::max();

struct Chokepoint {
  std::uint32_t target = 0;  // asset index
  bool reachable = false;    // some path of weaknesses leads from an entry to it
  bool entry = false;        // the target is itself an entry: no cut can protect it
  // Fewest relations whose removal cuts every path: 0 when unreachable, kNoCut for an entry.
  std::uint32_t cut_size = 0;
  std::vector<std::uint32_t> cut_relations;  // scenario relation indices of the cut nearest the entries, sorted
  // Fewest intermediate assets (neither an entry nor the target) whose removal cuts every
  // path: 0 when unreachable, kNoCut when an entry relates directly to the target (or is it).
  std::uint32_t asset_cut_size = 0;
  std::vector<std::uint32_t> cut_assets;  // asset indices of the asset cut nearest the entries, sorted
  // Fewest steps from any entry: 0 for an entry, kUnreachable when unreachable.
  std::uint32_t depth = kUnreachable;
  // False when an ALL-gated asset (not an entry; the target included) lies on an
  // entry→target path that passes through no other entry. Cuts treat every gate as ANY:
  // such a cut still blocks under ALL semantics, but a smaller one may exist.
  bool exact = true;
};

// Chokepoints of threat `threat` (index into model.threats) with controls on (residual
// weaknesses) or off (inherent). Targets: the assets flagged target plus the threat's
// objectives, sorted and unique; or `*targets`, in the order given. Targets are solved on
// `threads` workers (0: all cores); the result does not depend on it. Throws
// std::out_of_range on a bad threat or asset index.
std::vector<Chokepoint> chokepoints(const Model& model, std::size_t threat, bool controls_on,
                                    const std::vector<std::uint32_t>* targets = nullptr, unsigned threads = 0);

}  // namespace cpsf
