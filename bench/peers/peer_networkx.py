#!/usr/bin/python3
"""Benchmark peer: cpsf's attack-step semantics written plainly with NetworkX.

    peer_networkx.py SCENARIO.json --trials N [--seed S] [--horizon H | --no-horizon]
                     [--impl library|heapq] --out RESULT.json

What a researcher would write in an afternoon: the scenario as a NetworkX MultiDiGraph
(multi, because a scenario may hold parallel relations u -> v, and each is its own attack
step), and per trial a Dijkstra from the succeeded entries in which a step's success and
time are drawn only when its source falls (lazy sampling: the same distribution as drawing
every step up front), cut at the horizon. Scalar draws come from Python's `random`
(numpy's per-call draws are slower here).

Two Dijkstras, same semantics:
  library (default): NetworkX's own multi_source_dijkstra_path_length, with a weight
    function that samples the parallel steps u -> v when the search first looks at them
    and returns the earliest succeeded one's time (None: all failed, the edge is hidden),
    cutoff = horizon. The idiomatic NetworkX code, and the faster of the two.
  heapq: the textbook loop, `for _, v, data in G.out_edges(u, data=True)` and heapq
    (about 1.5-2x slower: an out_edges view per settled asset).

Restricted to ANY gates, entries with probabilities, step probabilities, fixed and
exponential times, horizon; anything else is refused (exit 2), see scenario_json.py.
Writes {"peer": "networkx", "trials", "seconds" (the trial loop only, not loading),
"seconds_per_trial", "assets": {id: P(compromised)}}.
"""
import argparse
import heapq
import math
import random
import sys
import time

import networkx as nx

import scenario_json


def build_graph(scenario):
    G = nx.MultiDiGraph()
    G.add_nodes_from(scenario.asset_ids)
    ids = scenario.asset_ids
    for e in scenario.edges:
        G.add_edge(ids[e.src], ids[e.dst], p=e.p, fixed=e.fixed, mean=e.mean)
    return G


def trial_library(G, entries, horizon, rng):
    """One attack with NetworkX's Dijkstra; returns {compromised asset: arrival time}."""
    sources = [asset for asset, prob in entries if rng.random() < prob]
    if not sources:
        return {}

    def sampled_time(u, v, parallel):
        # Called once per settled u and successor v: draw each parallel step u -> v.
        best = None
        for data in parallel.values():
            if rng.random() < data["p"]:
                mean = data["mean"]
                t = rng.expovariate(1.0 / mean) if mean > 0 else data["fixed"]
                if best is None or t < best:
                    best = t
        return best  # None: every step u -> v failed

    cutoff = None if horizon == math.inf else horizon   # keeps A(v) <= horizon
    return nx.multi_source_dijkstra_path_length(G, sources, cutoff=cutoff, weight=sampled_time)


def trial_heapq(G, entries, horizon, rng):
    """One attack, Dijkstra written out with heapq; returns the set of compromised assets."""
    arrival = {}   # best tentative arrival time per asset
    heap = []
    for asset, prob in entries:
        if rng.random() < prob:
            arrival[asset] = 0.0
            heap.append((0.0, asset))
    heapq.heapify(heap)
    settled = set()
    while heap:
        t, u = heapq.heappop(heap)
        if u in settled:
            continue
        settled.add(u)
        for _, v, data in G.out_edges(u, data=True):
            if v in settled:
                continue
            if rng.random() >= data["p"]:
                continue  # the step failed
            mean = data["mean"]
            tv = t + (rng.expovariate(1.0 / mean) if mean > 0 else data["fixed"])
            if tv > horizon:
                continue
            if tv < arrival.get(v, math.inf):
                arrival[v] = tv
                heapq.heappush(heap, (tv, v))
    return settled


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scenario_json.add_run_arguments(ap)
    ap.add_argument("--impl", choices=("library", "heapq"), default="library",
                    help="NetworkX's Dijkstra with a sampling weight (default) or a heapq loop")
    args = ap.parse_args(argv)
    loaded = scenario_json.load_for_run(ap, args, "peer_networkx")
    if loaded is None:
        return 2
    scenario, horizon = loaded
    G = build_graph(scenario)
    entries = [(scenario.asset_ids[i], p) for i, p in scenario.entries]

    rng = random.Random(args.seed)
    counts = dict.fromkeys(scenario.asset_ids, 0)
    one_trial = trial_library if args.impl == "library" else trial_heapq
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(args.trials):
        for v in one_trial(G, entries, horizon, rng):
            counts[v] += 1
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start

    peer = "networkx" if args.impl == "library" else "networkx-heapq"
    scenario_json.write_result(args.out, peer, args.trials, seconds, cpu_seconds, scenario.asset_ids,
                               [counts[a] for a in scenario.asset_ids], args.seed, args.scenario)
    return 0


if __name__ == "__main__":
    sys.exit(main())
