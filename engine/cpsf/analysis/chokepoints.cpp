#include "cpsf/analysis/chokepoints.hpp"

#include <algorithm>
#include <boost/graph/boykov_kolmogorov_max_flow.hpp>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <boost/property_map/property_map.hpp>
#include <cassert>
#include <cstdint>
#include <limits>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "cpsf/base/parallel.hpp"

namespace cpsf {

namespace {

// The weakness graph over all assets; each edge carries its model (CSR) edge index.
struct WeakEdge {
  std::uint32_t edge;
};
using WeakGraph = boost::compressed_sparse_row_graph<boost::bidirectionalS, boost::no_property, WeakEdge,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;

// One target's flow network; edge index = position in the sorted edge list it is built from.
using FlowGraph = boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                                     boost::no_property, std::uint32_t, std::uint32_t>;
using FlowEdge = boost::graph_traits<FlowGraph>::edge_descriptor;
using Capacity = std::int64_t;

constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

// Per-target cuts, with every buffer kept across targets.
class CutSolver {
 public:
  CutSolver(const Model& model, const WeakGraph& weak, const std::vector<std::uint8_t>& is_entry,
            const std::vector<std::uint32_t>& distance)
      : model_(model),
        weak_(weak),
        is_entry_(is_entry),
        distance_(distance),
        mark_(model.asset_count(), 0),
        local_(model.asset_count(), 0),
        pair_stamp_(model.asset_count(), 0),
        pair_edge_(model.asset_count(), 0) {}

  // Fills the cuts of reachable, non-entry target t.
  void solve(std::uint32_t t, Chokepoint& c) {
    collect_region(t);
    c.exact = std::none_of(region_.begin(), region_.end(),
                           [&](std::uint32_t v) { return !is_entry_[v] && model_.asset_all_gate[v]; });
    const bool direct = build_network(t);
    c.cut_size = max_flow_cut(cap_relation_, c.cut_relations);
    if (direct) {
      // An entry → target relation is a path with no intermediate asset: no asset cut.
      c.asset_cut_size = kNoCut;
      c.cut_assets.clear();
    } else {
      c.asset_cut_size = max_flow_cut(cap_asset_, c.cut_assets);
    }
  }

 private:
  // region_ = the assets on some entry→target walk whose interior avoids entries: reached
  // backwards from t, through assets reachable from an entry, not continuing past an entry.
  // A cut must block exactly these walks (any other walk contains one of them).
  void collect_region(std::uint32_t t) {
    ++stamp_;
    region_.clear();
    const auto visit = [&](std::uint32_t v) {
      mark_[v] = stamp_;
      local_[v] = static_cast<std::uint32_t>(region_.size());
      region_.push_back(v);
    };
    visit(t);  // local 0: the sink is in(t) = vertex 0
    for (std::size_t q = 0; q < region_.size(); ++q) {
      const std::uint32_t v = region_[q];
      if (is_entry_[v]) continue;
      for (auto [e, end] = boost::in_edges(v, weak_); e != end; ++e) {
        const std::uint32_t u = boost::source(*e, weak_);
        if (mark_[u] != stamp_ && distance_[u] != kUnreachable) visit(u);
      }
    }
  }

  bool in_region(std::uint32_t v) const { return mark_[v] == stamp_; }

  // A new stamp for pair_stamp_; after 2^32 of them the stamps start again from clean.
  void next_pair_epoch() {
    if (++pair_epoch_ == 0) {
      std::fill(pair_stamp_.begin(), pair_stamp_.end(), 0);
      pair_epoch_ = 1;
    }
  }
  std::uint32_t id(FlowEdge e) const { return boost::get(boost::edge_index, graph_, e); }

  // The split network over region_: in(j) = 2j, out(j) = 2j + 1, the super-source 2r.
  // Every edge comes with its reverse (capacity 0) as Boost's max flows require. Two
  // capacity sets share it: relation cut (relations 1, the rest infinite) and asset cut
  // (intermediate assets' in→out 1, the rest infinite). Relations into entries, out of
  // the target and self-loops never lie on a walk a cut must block, so are left out.
  // Returns whether an entry relates directly to the target.
  bool build_network(std::uint32_t t) {
    const auto r = static_cast<std::uint32_t>(region_.size());
    const std::uint32_t source = 2 * r;
    vertices_ = source + 1;
    Capacity finite = 0;
    const bool direct = count_rows(t, finite);
    for (std::uint32_t x = 0; x < vertices_; ++x) row_[x + 1] += row_[x];
    const std::uint32_t m = row_[vertices_];
    edges_.resize(m);
    partner_.resize(m);
    cap_relation_.resize(m);
    cap_asset_.resize(m);
    label_.resize(m);
    more_labels_.clear();
    cursor_.assign(row_.begin(), row_.end() - 1);
    // Larger than any finite cut: the finite capacities sum to at most `finite`.
    const Capacity inf = finite + 1;
    for (std::uint32_t j = 0; j < r; ++j) {
      const std::uint32_t v = region_[j];
      if (is_entry_[v]) add_edge(source, 2 * j, inf, inf, kNone);
      if (v == t) continue;
      add_edge(2 * j, 2 * j + 1, inf, is_entry_[v] ? inf : 1, v);
      add_relation_edges(j, inf);
    }
    std::sort(more_labels_.begin(), more_labels_.end());

    // From edges sorted by source, a CSR graph keeps their order as its edge index.
    graph_ = FlowGraph(boost::edges_are_sorted, edges_.begin(), edges_.end(), vertices_, m);
    reverse_.resize(m);
    for (std::uint32_t i = 0; i < m; ++i) reverse_[i] = FlowEdge(edges_[partner_[i]].first, partner_[i]);
    residual_.resize(m);
    predecessor_.resize(vertices_);
    color_.resize(vertices_);
    tree_distance_.resize(vertices_);
    return direct;
  }

  // Whether relation v → w lies on a walk a cut must block.
  bool keeps(std::uint32_t v, std::uint32_t w) const { return in_region(w) && !is_entry_[w] && w != v; }

  // Row sizes of the network (edges are laid out sorted by source vertex), one edge per
  // pair of assets however many relations join them; `finite` gets the relations kept
  // (parallel ones each) plus the region's assets, at least any finite cut. Returns
  // whether an entry relates directly to t.
  bool count_rows(std::uint32_t t, Capacity& finite) {
    const auto r = static_cast<std::uint32_t>(region_.size());
    const std::uint32_t source = 2 * r;
    row_.assign(vertices_ + 1, 0);
    bool direct = false;
    finite = r;
    for (std::uint32_t j = 0; j < r; ++j) {
      const std::uint32_t v = region_[j];
      if (is_entry_[v]) ++row_[source + 1], ++row_[2 * j + 1];
      if (v == t) continue;
      ++row_[2 * j + 1], ++row_[2 * j + 2];
      next_pair_epoch();
      for (auto [e, end] = boost::out_edges(v, weak_); e != end; ++e) {
        const std::uint32_t w = boost::target(*e, weak_);
        if (!keeps(v, w)) continue;
        ++finite;
        if (pair_stamp_[w] == pair_epoch_) continue;  // parallel relations: one edge
        pair_stamp_[w] = pair_epoch_;
        ++row_[2 * j + 2], ++row_[2 * local_[w] + 1];
        direct |= w == t && is_entry_[v];
      }
    }
    return direct;
  }

  // An edge and its reverse (capacity 0), as Boost's max flows require.
  void add_edge(std::uint32_t from, std::uint32_t to, Capacity relation, Capacity asset, std::uint32_t label) {
    const std::uint32_t f = cursor_[from]++;
    const std::uint32_t b = cursor_[to]++;
    edges_[f] = {from, to};
    edges_[b] = {to, from};
    partner_[f] = b;
    partner_[b] = f;
    cap_relation_[f] = relation;
    cap_asset_[f] = asset;
    cap_relation_[b] = cap_asset_[b] = 0;
    label_[f] = label;
    label_[b] = kNone;
  }

  // The relation edges out of region_[j]: k relations v → w are one edge of capacity k in
  // the relation cut, so one augmenting path instead of k (k searches of the whole network
  // made 10^5 parallel relations take minutes); a cut through it lists all k.
  void add_relation_edges(std::uint32_t j, Capacity inf) {
    const std::uint32_t v = region_[j];
    next_pair_epoch();
    for (auto [e, end] = boost::out_edges(v, weak_); e != end; ++e) {
      const std::uint32_t w = boost::target(*e, weak_);
      if (!keeps(v, w)) continue;
      const std::uint32_t relation = model_.edge_relation[weak_[*e].edge];
      if (pair_stamp_[w] == pair_epoch_) {
        const std::uint32_t f = pair_edge_[w];
        ++cap_relation_[f];
        more_labels_.emplace_back(f, relation);
        continue;
      }
      pair_stamp_[w] = pair_epoch_;
      pair_edge_[w] = cursor_[2 * j + 1];
      add_edge(2 * j + 1, 2 * local_[w], 1, inf, relation);
    }
  }

  // Max flow from the super-source to in(target) under `capacity`; `cut` gets the labels
  // of the minimum cut nearest the source: the edges leaving the set the source still
  // reaches in the residual network (unique, so independent of the algorithm's choices).
  std::uint32_t max_flow_cut(const std::vector<Capacity>& capacity, std::vector<std::uint32_t>& cut) {
    const auto index = boost::get(boost::edge_index, graph_);
    const auto vertex_index = boost::get(boost::vertex_index, graph_);
    const std::uint32_t source = vertices_ - 1;
    const Capacity flow = boost::boykov_kolmogorov_max_flow(
        graph_, boost::make_iterator_property_map(capacity.begin(), index),
        boost::make_iterator_property_map(residual_.begin(), index),
        boost::make_iterator_property_map(reverse_.begin(), index),
        boost::make_iterator_property_map(predecessor_.begin(), vertex_index),
        boost::make_iterator_property_map(color_.begin(), vertex_index),
        boost::make_iterator_property_map(tree_distance_.begin(), vertex_index), vertex_index, source, 0);

    source_side_.assign(vertices_, 0);
    queue_.assign(1, source);
    source_side_[source] = 1;
    for (std::size_t q = 0; q < queue_.size(); ++q) {
      for (auto [e, end] = boost::out_edges(queue_[q], graph_); e != end; ++e) {
        const std::uint32_t y = boost::target(*e, graph_);
        if (!source_side_[y] && residual_[id(*e)] > 0) {
          source_side_[y] = 1;
          queue_.push_back(y);
        }
      }
    }
    cut.clear();
    for (const std::uint32_t x : queue_) {
      for (auto [e, end] = boost::out_edges(x, graph_); e != end; ++e) {
        if (capacity[id(*e)] == 0 || source_side_[boost::target(*e, graph_)]) continue;
        cut.push_back(label_[id(*e)]);
        // The relations merged into this edge (build_network), when it is a relation edge.
        const std::pair<std::uint32_t, std::uint32_t> first{id(*e), 0};
        for (auto it = std::lower_bound(more_labels_.begin(), more_labels_.end(), first);
             it != more_labels_.end() && it->first == id(*e); ++it) {
          cut.push_back(it->second);
        }
      }
    }
    std::sort(cut.begin(), cut.end());
    assert(static_cast<Capacity>(cut.size()) == flow);
    return static_cast<std::uint32_t>(flow);
  }

  const Model& model_;
  const WeakGraph& weak_;
  const std::vector<std::uint8_t>& is_entry_;
  const std::vector<std::uint32_t>& distance_;

  // Region of the current target (epoch-stamped, so never cleared).
  std::uint32_t stamp_ = 0;
  std::vector<std::uint32_t> mark_, local_, region_;
  // Parallel relations v → w while v's edges are laid out: w's stamp and its flow edge.
  std::uint32_t pair_epoch_ = 0;
  std::vector<std::uint32_t> pair_stamp_, pair_edge_;

  // Flow network of the current target.
  std::uint32_t vertices_ = 0;
  std::vector<std::uint32_t> row_, cursor_, partner_, label_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> more_labels_;  // (flow edge, relation) merged into it
  std::vector<std::pair<std::uint32_t, std::uint32_t>> edges_;
  std::vector<Capacity> cap_relation_, cap_asset_, residual_;
  FlowGraph graph_;
  std::vector<FlowEdge> reverse_, predecessor_;
  std::vector<boost::default_color_type> color_;
  std::vector<std::uint32_t> tree_distance_;
  std::vector<std::uint8_t> source_side_;
  std::vector<std::uint32_t> queue_;
};

// Weaknesses: steps that can still succeed, out of assets not certainly contained.
WeakGraph weak_graph(const Model& model, const CompiledThreat& th, bool controls_on) {
  const auto n = static_cast<std::uint32_t>(model.asset_count());
  const auto p = model.step_probabilities(controls_on, th.step_set);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> weak_edges;
  std::vector<WeakEdge> weak_props;
  weak_edges.reserve(model.relation_count());
  weak_props.reserve(model.relation_count());
  for (std::uint32_t v = 0; v < n; ++v) {
    if (model.asset_containment[v] >= 1) continue;
    for (std::uint32_t e = model.out_begin[v]; e < model.out_begin[v + 1]; ++e) {
      if (p[e] * model.step_scale_on(th, e) > 0) {
        weak_edges.emplace_back(v, model.edge_target[e]);
        weak_props.push_back({e});
      }
    }
  }
  return WeakGraph(boost::edges_are_unsorted_multi_pass, weak_edges.begin(), weak_edges.end(), weak_props.begin(), n);
}

// Marks the threat's entries and gives every asset its fewest steps from them
// (breadth first from all at once; kUnreachable where none leads).
void entry_distances(const CompiledThreat& th, const WeakGraph& weak, std::vector<std::uint8_t>& is_entry,
                     std::vector<std::uint32_t>& distance) {
  std::vector<std::uint32_t> queue;
  for (std::size_t i = 0; i < th.entry_assets.size(); ++i) {
    const std::uint32_t a = th.entry_assets[i];
    if (th.entry_probability[i] > 0 && !is_entry[a]) {
      is_entry[a] = 1;
      distance[a] = 0;
      queue.push_back(a);
    }
  }
  for (std::size_t q = 0; q < queue.size(); ++q) {
    const std::uint32_t v = queue[q];
    for (auto [e, end] = boost::out_edges(v, weak); e != end; ++e) {
      const std::uint32_t w = boost::target(*e, weak);
      if (distance[w] == kUnreachable) {
        distance[w] = distance[v] + 1;
        queue.push_back(w);
      }
    }
  }
}

// `*targets` as given (checked), or the assets flagged target and the threat's objectives.
std::vector<std::uint32_t> chosen_targets(const Model& model, const CompiledThreat& th,
                                          const std::vector<std::uint32_t>* targets) {
  const auto n = static_cast<std::uint32_t>(model.asset_count());
  std::vector<std::uint32_t> chosen;
  if (targets) {
    chosen = *targets;
    for (const std::uint32_t t : chosen) {
      if (t >= n) throw std::out_of_range("chokepoints: no asset " + std::to_string(t));
    }
    return chosen;
  }
  for (std::uint32_t v = 0; v < n; ++v) {
    if (model.asset_target[v]) chosen.push_back(v);
  }
  chosen.insert(chosen.end(), th.objectives.begin(), th.objectives.end());
  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  return chosen;
}

}  // namespace

std::vector<Chokepoint> chokepoints(const Model& model, std::size_t threat, bool controls_on,
                                    const std::vector<std::uint32_t>* targets, unsigned threads) {
  if (threat >= model.threats.size()) throw std::out_of_range("chokepoints: no threat " + std::to_string(threat));
  const CompiledThreat& th = model.threats[threat];
  const auto n = static_cast<std::uint32_t>(model.asset_count());
  const WeakGraph weak = weak_graph(model, th, controls_on);
  std::vector<std::uint8_t> is_entry(n, 0);
  std::vector<std::uint32_t> distance(n, kUnreachable);
  entry_distances(th, weak, is_entry, distance);
  const std::vector<std::uint32_t> chosen = chosen_targets(model, th, targets);

  // Targets are independent: each fills its own slot, so the result does not depend on
  // the number of workers. A few targets are not worth starting them.
  std::vector<Chokepoint> out(chosen.size());
  const auto run = [&](CutSolver& solver, std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      Chokepoint& c = out[i];
      const std::uint32_t t = chosen[i];
      c.target = t;
      c.depth = distance[t];
      c.reachable = distance[t] != kUnreachable;
      if (!c.reachable) continue;  // cut sizes 0: nothing to cut
      if (is_entry[t]) {
        c.entry = true;
        c.cut_size = c.asset_cut_size = kNoCut;
        continue;
      }
      solver.solve(t, c);
    }
  };
  constexpr std::size_t kParallelTargets = 16;
  if (threads == 1 || chosen.size() < kParallelTargets) {
    CutSolver solver(model, weak, is_entry, distance);
    run(solver, 0, chosen.size());
  } else {
    TrialExecutor executor(threads);
    std::vector<std::optional<CutSolver>> solvers(executor.threads());
    executor.run(0, chosen.size(), 1, [&](unsigned worker, std::uint64_t begin, std::uint64_t end) {
      if (!solvers[worker]) solvers[worker].emplace(model, weak, is_entry, distance);
      run(*solvers[worker], begin, end);
    });
  }
  return out;
}

}  // namespace cpsf
