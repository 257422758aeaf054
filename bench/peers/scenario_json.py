"""Read a cpsf scenario in JSON (the protobuf JSON mapping that `cpsf convert in.pb out.json`
writes) for the benchmark peers, restricted to what the peers implement:

  ANY gates, entries (every asset with exposure > 0, with that probability), step success
  probabilities, fixed or exponential times to compromise (absent ttc: fixed 0 days), and
  the horizon (settings.horizon; absent: none).

Anything that would change P(compromised) beyond that is refused with a clear message
(ScenarioError; the peers exit 2): ALL gates, containment > 0, implemented controls whose
requirement a relation is mitigated_by (or enterprise baselines, which the peers cannot
resolve, when any relation names a mitigating requirement), other ttc families, threats
with entry_points, a step_scale other than 1 or more than one threat, and includes.
Losses, targets, dependencies (the cascade), layers, kinds and ids other than the assets'
do not change who is compromised and are ignored.
"""
import json
import math
import sys


class ScenarioError(Exception):
    """The scenario is malformed or uses a feature the peers do not implement."""


class Edge:
    """One relation u -> v: indices into Scenario.asset_ids, success probability, and a
    time to compromise fixed + mean * Exp(1) (mean 0 for a fixed time, fixed 0 for an
    exponential one)."""
    __slots__ = ("src", "dst", "p", "fixed", "mean")

    def __init__(self, src, dst, p, fixed, mean):
        self.src, self.dst, self.p, self.fixed, self.mean = src, dst, p, fixed, mean


class Scenario:
    def __init__(self, asset_ids, entries, edges, horizon):
        self.asset_ids = asset_ids   # list of asset ids, scenario order
        self.entries = entries       # list of (asset index, probability)
        self.edges = edges           # list of Edge, scenario order
        self.horizon = horizon       # float days, or None: no horizon


def _get(d, name, default=None):
    """A field by its proto name, or by its lowerCamelCase JSON name (both are valid
    protobuf JSON)."""
    if name in d:
        return d[name]
    parts = name.split("_")
    camel = parts[0] + "".join(p.title() for p in parts[1:])
    return d.get(camel, default)


def _num(x, what):
    """A protobuf JSON double: a number, or a string such as "Infinity" or "1e3"."""
    try:
        v = float(x)
    except (TypeError, ValueError):
        raise ScenarioError(f"{what}: not a number: {x!r}")
    if math.isnan(v):
        raise ScenarioError(f"{what}: NaN")
    return v


def _gate_is_all(g):
    return g in ("ALL", 1, "1")


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            s = json.load(f)
    except OSError as e:
        raise ScenarioError(f"cannot read {path}: {e}")
    except json.JSONDecodeError as e:
        raise ScenarioError(f"{path} is not JSON ({e}); convert it first: cpsf convert IN.pb OUT.json")
    if not isinstance(s, dict):
        raise ScenarioError(f"{path}: not a scenario object")

    unsupported = []
    if _get(s, "include"):
        unsupported.append("include: the peers read one self-contained file "
                           "(cpsf convert writes the merged scenario)")

    asset_ids, index, entries = [], {}, []
    for i, a in enumerate(_get(s, "assets", [])):
        aid = a.get("id", "")
        if aid in index:
            raise ScenarioError(f"assets[{i}]: duplicate id {aid!r}")
        index[aid] = i
        asset_ids.append(aid)
        if _gate_is_all(a.get("gate", "ANY")):
            unsupported.append(f"asset {aid!r}: gate ALL (the peers implement ANY gates only)")
        if _num(a.get("containment", 0), f"asset {aid!r} containment") > 0:
            unsupported.append(f"asset {aid!r}: containment > 0")
        x = _num(a.get("exposure", 0), f"asset {aid!r} exposure")
        if x > 0:
            entries.append((i, min(x, 1.0)))

    edges, mitigating = [], set()
    for i, r in enumerate(_get(s, "relations", [])):
        label = f"relations[{i}]" + (f" ({r['id']!r})" if r.get("id") else "")
        src, dst = r.get("from"), r.get("to")
        if src not in index or dst not in index:
            raise ScenarioError(f"{label}: unknown asset {src if src not in index else dst!r}")
        step = r.get("step")
        if not isinstance(step, dict) or "p" not in step:
            raise ScenarioError(f"{label}: step.p is required")
        p = _num(step["p"], f"{label} step.p")
        if not 0 <= p <= 1:
            raise ScenarioError(f"{label}: step.p = {p} is not a probability")
        mitigating.update((req, label) for req in _get(step, "mitigated_by", []))
        ttc = step.get("ttc")
        fixed, mean = 0.0, 0.0
        if ttc:
            families = [k for k in ttc if ttc[k] is not None]
            if families == ["fixed"]:
                fixed = _num(ttc["fixed"].get("value", 0), f"{label} ttc.fixed.value")
                if fixed < 0:
                    raise ScenarioError(f"{label}: negative fixed time {fixed}")
            elif families == ["exponential"]:
                mean = _num(ttc["exponential"].get("mean", 0), f"{label} ttc.exponential.mean")
                if not mean > 0:
                    raise ScenarioError(f"{label}: exponential mean must be > 0, not {mean}")
            else:
                unsupported.append(f"{label}: ttc family {', '.join(families) or '(none set)'} "
                                   "(the peers implement fixed and exponential only)")
        edges.append(Edge(index[src], index[dst], p, fixed, mean))

    mitigating_reqs = {req for req, _ in mitigating}
    for c in _get(s, "controls", []):
        if c.get("implemented") and c.get("requirement") in mitigating_reqs:
            unsupported.append(f"control {c.get('id')!r}: implemented, and its requirement "
                               f"{c.get('requirement')!r} mitigates relations (the peers omit controls)")
    if mitigating_reqs:
        for e in _get(s, "enterprises", []):
            if e.get("baseline"):
                unsupported.append(f"enterprise {e.get('id')!r}: baseline {e['baseline']!r} "
                                   "may mitigate relations (the peers omit controls)")

    threats = _get(s, "threats", [])
    if len(threats) > 1:
        unsupported.append(f"{len(threats)} threats (the peers implement one attacker entering "
                           "at exposed assets)")
    for t in threats:
        if _get(t, "entry_points"):
            unsupported.append(f"threat {t.get('id')!r}: entry_points (the peers enter at every "
                               "asset with exposure > 0)")
        scale = _get(t, "step_scale")
        if scale is not None and _num(scale, "step_scale") != 1:
            unsupported.append(f"threat {t.get('id')!r}: step_scale {scale} (the peers use p as given)")

    if unsupported:
        shown = unsupported[:20]
        more = len(unsupported) - len(shown)
        raise ScenarioError("the scenario uses features the peers do not implement:\n  "
                            + "\n  ".join(shown) + (f"\n  ... and {more} more" if more else ""))

    horizon = _get(_get(s, "settings", {}) or {}, "horizon")
    horizon = None if horizon is None else _num(horizon, "settings.horizon")
    if horizon is not None and horizon < 0:
        raise ScenarioError(f"settings.horizon = {horizon} is negative")
    return Scenario(asset_ids, entries, edges, horizon)


def add_run_arguments(ap):
    """The options every peer takes, as `cpsf run` spells them."""
    ap.add_argument("scenario")
    ap.add_argument("--trials", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    h = ap.add_mutually_exclusive_group()
    h.add_argument("--horizon", type=float, help="days; default: the scenario's")
    h.add_argument("--no-horizon", action="store_true")
    ap.add_argument("--out", required=True)


def load_for_run(ap, args, peer):
    """Checks the options, loads the scenario and resolves the horizon (math.inf: none).

    Returns (scenario, horizon), or None after printing why the scenario is refused.
    """
    if args.trials < 1:
        ap.error("--trials must be >= 1")
    try:
        scenario = load(args.scenario)
    except ScenarioError as e:
        print(f"{peer}: {args.scenario}: {e}", file=sys.stderr)
        return None
    horizon = None if args.no_horizon else (args.horizon if args.horizon is not None else scenario.horizon)
    return scenario, (math.inf if horizon is None else horizon)


def write_result(path, peer, trials, seconds, cpu_seconds, asset_ids, counts, seed, scenario_path):
    """seconds: wall time of the trial loop; cpu_seconds: the process's CPU time over it
    (less disturbed by other work on a shared machine)."""
    out = {
        "peer": peer,
        "scenario": str(scenario_path),
        "seed": seed,
        "trials": trials,
        "seconds": seconds,
        "seconds_per_trial": seconds / trials,
        "cpu_seconds": cpu_seconds,
        "assets": {aid: counts[i] / trials for i, aid in enumerate(asset_ids)},
    }
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
