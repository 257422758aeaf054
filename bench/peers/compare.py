#!/usr/bin/python3
"""Check that the engine and the peers agree on every asset's P(compromised).

    compare.py ENGINE_RESULTS.json NETWORKX.json GRAPHTOOL.json [--sigmas K | --family-alpha A]

ENGINE_RESULTS.json is `cpsf run ... --out DIR` -> DIR/results.json (`trials`, `assets[]`
with `id`, `p_compromised`); the others are peer results (`trials`, `assets` {id: p}).
Either format is accepted in any position, and any number (>= 2) of files.

For every asset and every pair (a, b) of results:
    |p_a - p_b| <= K * sqrt(se_a^2 + se_b^2),   se_x = sqrt(q (1 - q) / n_x),
with q the pooled estimate (p_a n_a + p_b n_b) / (n_a + n_b), clamped to
[1/(n_a + n_b), 1 - 1/(n_a + n_b)]: the two-proportion z-test. Each result's own p in its se
(the Wald form) is badly calibrated where one estimate is 0 or near it: an asset with
p = 0.05 is never hit in 200 trials once in 20,000, but the Wald form would call that a
5.8 SE difference from 0.05 (engine) at 1,000 trials; the pooled form calls it 3.2 SE.

K: --sigmas K if given; by default K = max(4, z) with z the Bonferroni bound that keeps the
chance of any false alarm over all m comparisons below --family-alpha (0.001):
2 (1 - Phi(z)) m = alpha. With a few assets that is K = 4; with 10,000 assets and three
results (m ~ 30,000) K ~ 5.5, since at 4 SE alone about two of 30,000 comparisons of
agreeing estimators would exceed it by chance and the check would fail most runs.

Exit 0 with one line "OK ..." when all agree; exit 1 listing every disagreement (and every
asset missing from a result); exit 2 on a usage or input error.
"""
import argparse
import itertools
import json
import math
import sys


def load(path):
    with open(path, encoding="utf-8") as f:
        r = json.load(f)
    n = int(r["trials"])
    if n < 1:
        raise ValueError(f"{path}: trials = {n}")
    assets = r["assets"]
    if isinstance(assets, list):   # cpsf results.json
        name = "engine"
        probs = {a["id"]: float(a["p_compromised"]) for a in assets}
    else:                          # a peer's result
        name = r.get("peer", path)
        probs = {k: float(v) for k, v in assets.items()}
    return name, n, probs


def pooled_se(pa, na, pb, nb):
    """sqrt(se_a^2 + se_b^2) with both se at the pooled estimate (clamped away from 0, 1)."""
    n = na + nb
    q = min(max((pa * na + pb * nb) / n, 1.0 / n), 1.0 - 1.0 / n)
    return math.sqrt(q * (1.0 - q) * (1.0 / na + 1.0 / nb))


def bonferroni_sigmas(comparisons, alpha):
    """z with 2 (1 - Phi(z)) * comparisons = alpha (bisection on erfc: no scipy)."""
    target = alpha / max(comparisons, 1)
    lo, hi = 0.0, 40.0
    for _ in range(200):
        mid = (lo + hi) / 2
        if math.erfc(mid / math.sqrt(2)) > target:
            lo = mid
        else:
            hi = mid
    return hi


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("results", nargs="+", help="engine results.json and peer results")
    k = ap.add_mutually_exclusive_group()
    k.add_argument("--sigmas", type=float, help="fixed tolerance K in combined standard errors")
    k.add_argument("--family-alpha", type=float, default=0.001,
                   help="default K = max(4, Bonferroni z for this chance of any false alarm) (0.001)")
    args = ap.parse_args(argv)
    if len(args.results) < 2:
        ap.error("give at least two results")
    if not 0 < args.family_alpha < 1:
        ap.error("--family-alpha must be in (0, 1)")
    try:
        runs = [load(p) for p in args.results]
    except (OSError, ValueError, KeyError, TypeError) as e:
        print(f"compare: cannot read results: {e!r}", file=sys.stderr)
        return 2
    names = [f"{name}({path})" if sum(r[0] == name for r in runs) > 1 else name
             for (name, _, _), path in zip(runs, args.results)]

    problems = []
    all_ids = list(dict.fromkeys(itertools.chain.from_iterable(r[2] for r in runs)))
    for name, (_, _, probs) in zip(names, runs):
        missing = [a for a in all_ids if a not in probs]
        if missing:
            problems.append(f"{name}: {len(missing)} assets missing, e.g. {missing[:5]}")
    # Every (asset, pair) comparison: (asset, name_a, n_a, p_a, name_b, n_b, p_b, z).
    comparisons = []
    compared = 0
    for aid in all_ids:
        present = [(nm, n, probs[aid]) for nm, (_, n, probs) in zip(names, runs) if aid in probs]
        if len(present) < 2:
            continue
        compared += 1
        for (na, n_a, pa), (nb, n_b, pb) in itertools.combinations(present, 2):
            tol = pooled_se(pa, n_a, pb, n_b)
            comparisons.append((aid, na, n_a, pa, nb, n_b, pb, abs(pa - pb) / tol))
    # Comparisons of two exact 0s or two exact 1s cannot fail; they do not count in m.
    m = sum(1 for c in comparisons if not (c[3] == c[6] and c[3] in (0.0, 1.0)))
    sigmas = args.sigmas if args.sigmas is not None else max(4.0, bonferroni_sigmas(m, args.family_alpha))
    how = "fixed" if args.sigmas is not None else f"Bonferroni, family alpha {args.family_alpha:g}, m={m}"
    worst = max(comparisons, key=lambda c: c[7], default=None)
    for aid, na, n_a, pa, nb, n_b, pb, z in comparisons:
        if z > sigmas:
            problems.append(f"{aid}: {na} {pa:.6g} (n={n_a}) vs {nb} {pb:.6g} (n={n_b}): "
                            f"|diff| = {abs(pa - pb):.4g} = {z:.2f} SE > {sigmas:.2f} SE")
    if problems:
        print(f"compare: DISAGREE: {len(problems)} problems over {compared} assets "
              f"({', '.join(names)}; K = {sigmas:.2f} SE, {how}):")
        for p in problems:
            print("  " + p)
        return 1
    trials = ", ".join(f"{nm} n={n}" for nm, (_, n, _) in zip(names, runs))
    largest = f"; largest {worst[7]:.2f} SE at {worst[0]!r}" if worst else ""
    print(f"OK: {compared} assets agree within {sigmas:.2f} SE ({how}; {trials}{largest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
