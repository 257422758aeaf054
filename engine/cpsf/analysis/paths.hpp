// Attack paths (docs/design.md §6): the most frequent paths to each tracked asset (targets,
// objectives, assets above a loss threshold) and each relation's share of the
// successful paths, from the counts a run keeps (SimulationResult::paths).
//
// A path is the chain of steps that made the asset fall in one trial, entry first: for
// an ANY asset the earliest succeeded step into it, for an ALL asset the latest (the
// one that completed its gate). So a trial gives each fallen tracked asset exactly one
// path, and a path's frequency is a binomial proportion over trials.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "cpsf/base/statistics.hpp"
#include "cpsf/model/model.hpp"
#include "cpsf/sim/simulation.hpp"

namespace cpsf {

struct AttackPath {
  std::vector<std::uint32_t> relations;  // scenario relation indices, entry → target
  std::vector<std::uint32_t> assets;     // the assets along it: entry, ..., target
  std::uint64_t trials = 0;              // trials in which the target fell along this path
  double frequency = 0;                  // trials / all trials
  Interval ci95{0, 1};                   // Wilson
  double share = 0;                      // of the trials in which the target fell
};

struct TargetPaths {
  std::uint32_t target;  // asset index
  std::uint64_t compromised_trials = 0;
  std::uint64_t distinct_paths = 0;
  std::vector<AttackPath> top;  // most frequent first (ties: shorter, then by relations)
};

struct RelationShare {
  std::uint32_t relation;   // scenario index
  std::uint64_t paths = 0;  // successful (trial, target) paths through it
  double share = 0;         // of all successful paths
};

struct PathSummary {
  std::vector<TargetPaths> targets;      // in tracked order
  std::uint64_t successful_paths = 0;    // Σ over targets of compromised trials
  std::vector<RelationShare> relations;  // relations on some path, largest share first
};

PathSummary summarise_paths(const Model& model, const SimulationResult& result, std::size_t top_k = 5);

// Display names of relations: the id when it has one, else "from->to" (asset ids). The
// model keeps no per-relation endpoints, so the names of all the relations a report
// needs are found in one pass over the graph.
class RelationLabels {
 public:
  RelationLabels() = default;
  RelationLabels(const Model& model, const std::vector<std::uint32_t>& relations);
  // The name of a relation given to the constructor.
  [[nodiscard]] const std::string& operator()(std::uint32_t relation) const { return labels_.at(relation); }

 private:
  std::unordered_map<std::uint32_t, std::string> labels_;
};

// Every relation a path summary names (top paths and relation shares).
std::vector<std::uint32_t> relations_of(const PathSummary& summary);

// One relation's name (a whole pass over the graph: use RelationLabels for many).
std::string relation_label(const Model& model, std::uint32_t relation);

}  // namespace cpsf
