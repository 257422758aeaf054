// The attack graph of a run with its estimates, for graph tools (Gephi, yEd, NetworkX,
// Graphviz): what `cpsf run --graph graphml,dot` writes as attack-graph.graphml and
// attack-graph.dot (docs/results-format.md, "The attack graph"). Nodes are assets, edges
// relations; both through Boost.Graph's writers.
#pragma once

#include <string>
#include <vector>

#include "cpsf/analysis/estimates.hpp"

namespace cpsf {

std::string attack_graph_graphml(const Model& model, const Estimates& estimates);
std::string attack_graph_dot(const Model& model, const Estimates& estimates);

// The scenario's own graph, no run: what `cpsf export graphml` writes and `cpsf import
// graphml` reads back. Nodes are the assets (the node id the asset's id), edges the
// relations, and every field with a value is an attribute named as the inventory's column
// (owner, loss.integrity, step.p), typed so that tools read numbers as numbers. What an
// asset or relation cannot carry as a cell is added to `problems`.
std::string scenario_graphml(const v1::Scenario& scenario, std::vector<std::string>& problems);

}  // namespace cpsf
