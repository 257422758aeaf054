#!/usr/bin/python3
"""Exact answers for small cases, by enumerating every outcome.

An implementation of attack-step semantics v1 (docs/design.md §4) written independently of the
engine: instead of Knuth's generalised Dijkstra it iterates the arrival equations to
their fixed point from "never", for every combination of entry, step and containment
outcomes, weighted by its probability. Fixed times to compromise only (times do not
branch). Used to check the engine on cases beyond those of tests/data/reference/.

    exact.py --random SEED OUT.json   writes a random case with its exact answers
"""
import itertools
import json
import math
import random
import sys

INF = math.inf


def effective_p(case, edge):
    p = edge["p"]
    for cid in dict.fromkeys(edge.get("mitigated_by", [])):
        c = case.get("controls", {}).get(cid)
        if c and c.get("implemented", True):
            p *= 1 - c["efficacy"]
    return p


def arrivals(case, entry_ok, step_ok, contained):
    nodes = [n["id"] for n in case["nodes"]]
    gate = {n["id"]: n.get("gate", "any") for n in case["nodes"]}
    incoming = {v: [] for v in nodes}
    for i, e in enumerate(case["edges"]):
        incoming[e["to"]].append(i)
    a = {v: (0.0 if entry_ok[v] else INF) for v in nodes}
    for _ in range(10 * len(nodes) + 10):
        changed = False
        for v in nodes:
            if entry_ok[v]:
                continue
            cands = []
            for i in incoming[v]:
                e = case["edges"][i]
                u = e["from"]
                ok = step_ok[i] and a[u] < INF and not contained[u]
                cands.append(a[u] + e["ttc"] if ok else INF)
            if not cands:
                new = INF
            elif gate[v] == "all":
                new = max(cands)
            else:
                new = min(cands)
            if new != a[v]:
                a[v] = new
                changed = True
        if not changed:
            return a
    raise RuntimeError("arrival equations did not converge")


def solve(case):
    nodes = [n["id"] for n in case["nodes"]]
    horizon = case.get("horizon")
    limit = INF if horizon is None else horizon
    entry_p = {n["id"]: n.get("entry", 0.0) for n in case["nodes"]}
    contain_p = {n["id"]: n.get("contain", 0.0) for n in case["nodes"]}
    loss_of = {n["id"]: n.get("loss", 0.0) for n in case["nodes"]}
    step_p = [effective_p(case, e) for e in case["edges"]]
    # Only uncertain outcomes are enumerated.
    var_entry = [v for v in nodes if 0 < entry_p[v] < 1]
    var_cont = [v for v in nodes if 0 < contain_p[v] < 1]
    var_step = [i for i, p in enumerate(step_p) if 0 < p < 1]
    p_node = {v: 0.0 for v in nodes}
    pmf = {}
    for bits in itertools.product((False, True), repeat=len(var_entry) + len(var_cont) + len(var_step)):
        w = 1.0
        entry_ok = {v: entry_p[v] >= 1 for v in nodes}
        contained = {v: contain_p[v] >= 1 for v in nodes}
        step_ok = [p >= 1 for p in step_p]
        k = 0
        for v in var_entry:
            entry_ok[v] = bits[k]
            w *= entry_p[v] if bits[k] else 1 - entry_p[v]
            k += 1
        for v in var_cont:
            contained[v] = bits[k]
            w *= contain_p[v] if bits[k] else 1 - contain_p[v]
            k += 1
        for i in var_step:
            step_ok[i] = bits[k]
            w *= step_p[i] if bits[k] else 1 - step_p[i]
            k += 1
        a = arrivals(case, entry_ok, step_ok, contained)
        loss = 0.0
        for v in nodes:
            if a[v] < INF and a[v] <= limit:
                p_node[v] += w
                loss += loss_of[v]
        pmf[loss] = pmf.get(loss, 0.0) + w
    support = sorted(pmf)
    exceed = {x: sum(pmf[y] for y in support if y >= x) for x in support}
    return {
        "p_compromise": p_node,
        "loss_mean": sum(x * q for x, q in pmf.items()),
        "loss_pmf": {str(x): q for x, q in sorted(pmf.items())},
        "loss_exceedance": {str(x): q for x, q in exceed.items()},
    }


def random_case(seed):
    """A small graph with cycles, ALL gates, containment, controls and sometimes a horizon."""
    rng = random.Random(seed)
    n = rng.randint(3, 6)
    nodes = [{"id": f"n{i}"} for i in range(n)]
    for node in rng.sample(nodes, rng.randint(1, 2)):
        node["entry"] = rng.choice([0.3, 0.6, 0.9, 1.0])
    for node in nodes:
        if rng.random() < 0.5:
            node["loss"] = float(rng.choice([1, 5, 10, 50, 100]))
        if "entry" not in node and rng.random() < 0.25:
            node["gate"] = "all"
        if rng.random() < 0.15:
            node["contain"] = rng.choice([0.3, 0.5])
    edges = []
    budget = 11 - sum(1 for x in nodes if 0 < x.get("entry", 0) < 1) - sum(1 for x in nodes if "contain" in x)
    for _ in range(rng.randint(n, max(n, budget))):
        u, v = rng.sample(range(n), 2)
        e = {"from": f"n{u}", "to": f"n{v}", "p": rng.choice([0.2, 0.5, 0.7, 0.9, 1.0]), "ttc": rng.randint(0, 5)}
        if rng.random() < 0.3:
            e["mitigated_by"] = [rng.choice(["CPS.AC-1", "CPS.DS-1"])]
        edges.append(e)
    case = {
        "name": f"random-{seed}",
        "description": "random case for the engine check",
        "horizon": rng.choice([None, None, 4.0, 7.0]),
        "controls": {"CPS.AC-1": {"efficacy": 0.5, "implemented": True},
                     "CPS.DS-1": {"efficacy": 0.3, "implemented": rng.random() < 0.5}},
        "nodes": nodes,
        "edges": edges,
    }
    case["expected"] = solve(case)
    return case


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--random":
        with open(sys.argv[3], "w") as f:
            json.dump(random_case(int(sys.argv[2])), f, indent=1)
    elif len(sys.argv) == 2:
        print(json.dumps(solve(json.load(open(sys.argv[1]))), indent=1))
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
