// The attack graph of a run with its estimates, for graph tools (Gephi, yEd, NetworkX,
// Graphviz): what `cpsf run --graph graphml,dot` writes as attack-graph.graphml and
// attack-graph.dot (docs/results-format.md, "The attack graph"). Nodes are assets, edges
// relations; both through Boost.Graph's writers.
#pragma once

#include <string>

#include "cpsf/analysis/estimates.hpp"

namespace cpsf {

std::string attack_graph_graphml(const Model& model, const Estimates& estimates);
std::string attack_graph_dot(const Model& model, const Estimates& estimates);

}  // namespace cpsf
