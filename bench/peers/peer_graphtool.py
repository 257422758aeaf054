#!/usr/bin/python3
"""Benchmark peer: cpsf's attack-step semantics written with graph-tool.

    peer_graphtool.py SCENARIO.json --trials N [--seed S] [--horizon H | --no-horizon]
                      [--omp-threads 1] --out RESULT.json

How a graph-tool user would write it: the scenario as a gt.Graph (parallel relations are
parallel edges) with edge property maps for the step probability and time, plus a virtual
source vertex with one edge to every entry (probability = the entry's exposure, time 0).
Per trial, every edge's success and time are drawn at once as numpy arrays, and one
C++ Dijkstra (graph_tool.topology.shortest_distance) runs from the virtual source over the
graph filtered to the succeeded edges, weighted by the sampled times, cut at the horizon.

Eager sampling draws a uniform and a time for *every* edge in every trial, also for the
steps the attack never reaches: that is the natural graph-tool approach (the vectorised
draw is cheap per edge and there is no per-edge Python callback), and it gives the same
distribution as cpsf's lazy sampling, but its cost grows with the whole graph, not with
the part of it the attack reaches.

Restricted to ANY gates, entries with probabilities, step probabilities, fixed and
exponential times, horizon; anything else is refused (exit 2), see scenario_json.py.
Writes {"peer": "graphtool", "trials", "seconds" (the trial loop only, not loading),
"seconds_per_trial", "assets": {id: P(compromised)}}.
"""
import argparse
import math
import sys
import time

import numpy as np
import graph_tool as gt
from graph_tool.topology import shortest_distance

import scenario_json


def build_graph(scenario):
    """gt.Graph with vertices 0..n-1 = assets, n = virtual source; edges 0..m-1 = the
    relations in scenario order, m.. = source -> entry. Returns (g, source, p, fixed, mean)."""
    n, m = len(scenario.asset_ids), len(scenario.edges)
    g = gt.Graph(directed=True)
    g.add_vertex(n + 1)
    source = n
    src = np.fromiter((e.src for e in scenario.edges), dtype=np.int64, count=m)
    dst = np.fromiter((e.dst for e in scenario.edges), dtype=np.int64, count=m)
    entry_assets = np.array([i for i, _ in scenario.entries], dtype=np.int64)
    edge_list = np.column_stack([np.concatenate([src, np.full(len(entry_assets), source)]),
                                 np.concatenate([dst, entry_assets])])
    g.add_edge_list(edge_list)
    p = g.new_edge_property("double")
    fixed = g.new_edge_property("double")
    mean = g.new_edge_property("double")
    p.a = np.concatenate([[e.p for e in scenario.edges], [x for _, x in scenario.entries]])
    fixed.a = np.concatenate([[e.fixed for e in scenario.edges], np.zeros(len(entry_assets))])
    mean.a = np.concatenate([[e.mean for e in scenario.edges], np.zeros(len(entry_assets))])
    # add_edge_list numbers edges in list order; the property arrays rely on it.
    got = g.get_edges([g.edge_index])
    assert (got[:, :2] == edge_list[got[:, 2]]).all()
    return g, source, p, fixed, mean


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scenario_json.add_run_arguments(ap)
    ap.add_argument("--omp-threads", type=int, default=1,
                    help="graph-tool's OpenMP threads (default 1: the speed targets compare one core)")
    args = ap.parse_args(argv)
    loaded = scenario_json.load_for_run(ap, args, "peer_graphtool")
    if loaded is None:
        return 2
    scenario, horizon = loaded
    gt.openmp_set_num_threads(args.omp_threads)
    n = len(scenario.asset_ids)
    g, source, p, fixed, mean = build_graph(scenario)
    n_edges = g.num_edges()
    p_a, fixed_a, mean_a = p.a.copy(), fixed.a.copy(), mean.a.copy()

    rng = np.random.default_rng(args.seed)
    succeeded = g.new_edge_property("bool")
    weight = g.new_edge_property("double")
    dist = g.new_vertex_property("double")   # reused; shortest_distance resets it to inf
    # graph-tool reads max_dist 0 (or None) as "no limit"; the exact cut (A(v) <= horizon,
    # inclusive) is the post-filter below, max_dist only prunes the search.
    max_dist = horizon if 0 < horizon < math.inf else None
    counts = np.zeros(n, dtype=np.int64)
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.trials):
        # Eager: a success uniform and a time for every edge, reached or not (see above).
        succeeded.a = rng.random(n_edges) < p_a
        weight.a = fixed_a + mean_a * rng.standard_exponential(n_edges)
        view = gt.GraphView(g, efilt=succeeded)
        shortest_distance(view, source=view.vertex(source), weights=weight, max_dist=max_dist,
                          dist_map=dist)
        d = dist.a[:n]
        counts += (d <= horizon) & (d < math.inf)  # unreached: inf
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start

    scenario_json.write_result(args.out, "graphtool", args.trials, seconds, cpu_seconds,
                               scenario.asset_ids, counts.tolist(), args.seed, args.scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main())
