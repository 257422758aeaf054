"""The engine against exact answers, within 4 of the estimate's own standard errors.

- every case of tests/data/reference (exact-answer cases, format in docs/methods.md §7), through the
  translator tests/reference/case_to_scenario.py and `cpsf run`;
- random small cases (cycles, ALL gates, containment, controls, horizons) whose exact
  answers come from tests/reference/exact.py, an independent enumeration of every
  outcome;
- exponential times to compromise against closed forms.
Fixed seeds: the outcome is the same every run.
"""
import json
import math
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "reference"))
import exact  # noqa: E402

TRIALS = 100_000
CASES = sorted((ROOT / "tests" / "data" / "reference").glob("*.json"))


def run_case(cpsf_bin, case_path, tmp_path, seed=12345, fmt="json"):
    scenario = tmp_path / f"scenario.{fmt}"
    subprocess.run(["/usr/bin/python3", str(ROOT / "tests/reference/case_to_scenario.py"), str(case_path), str(scenario)],
                   check=True, env={"CPSF_BIN": cpsf_bin})
    out = tmp_path / "out"
    r = subprocess.run([cpsf_bin, "run", "--per-trial", str(scenario), "--trials", str(TRIALS), "--seed", str(seed),
                        "--out", str(out), "--quiet", "--no-inherent"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    results = json.loads((out / "results.json").read_text())
    losses = [float(line.split(",")[1]) for line in (out / "losses.csv").read_text().splitlines()[1:]]
    return results, losses


def check_against(expected, results, losses):
    n = results["trials"]
    assert n == TRIALS and len(losses) == n
    p_hat = {a["id"]: a["p_compromised"] for a in results["assets"]}
    for node, p in expected["p_compromise"].items():
        if p < 1e-12 or p > 1 - 1e-12:
            assert p_hat[node] == pytest.approx(round(p)), node
            continue
        se = math.sqrt(p * (1 - p) / n)
        assert abs(p_hat[node] - p) <= 4 * se, f"{node}: {p_hat[node]} vs exact {p} (SE {se:.2e})"
        # The reported Wilson interval is consistent with the estimate.
        a = next(a for a in results["assets"] if a["id"] == node)
        assert a["ci95"][0] <= p_hat[node] <= a["ci95"][1]
    mean, se = results["loss"]["mean"], results["loss"]["stderr"]
    if se > 0:
        assert abs(mean - expected["loss_mean"]) <= 4 * se, f"mean {mean} vs {expected['loss_mean']} (SE {se})"
    else:
        assert mean == pytest.approx(expected["loss_mean"])
    for x, p in expected["loss_exceedance"].items():
        p_hat = sum(1 for loss in losses if loss >= float(x) - 1e-9) / n
        if p < 1e-12 or p > 1 - 1e-12:
            assert p_hat == pytest.approx(round(p)), x
        else:
            assert abs(p_hat - p) <= 4 * math.sqrt(p * (1 - p) / n), f"P(L >= {x}): {p_hat} vs {p}"


@pytest.mark.parametrize("case_path", CASES, ids=[c.stem for c in CASES])
def test_shared_reference_case(cpsf_bin, case_path, tmp_path):
    case = json.loads(case_path.read_text())
    results, losses = run_case(cpsf_bin, case_path, tmp_path)
    check_against(case["expected"], results, losses)


def test_enumerator_reproduces_the_shared_answers():
    """The independent enumerator agrees with every shared case to rounding."""
    for path in CASES:
        case = json.loads(path.read_text())
        got = exact.solve(case)
        for node, p in case["expected"]["p_compromise"].items():
            assert got["p_compromise"][node] == pytest.approx(p, abs=1e-12), (path.stem, node)
        assert got["loss_mean"] == pytest.approx(case["expected"]["loss_mean"], rel=1e-12)


@pytest.mark.parametrize("seed", range(1, 13))
def test_random_case_against_enumeration(cpsf_bin, seed, tmp_path):
    case = exact.random_case(seed)
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    results, losses = run_case(cpsf_bin, path, tmp_path, seed=1000 + seed)
    check_against(case["expected"], results, losses)


def erlang2_cdf(rate, t):
    return 1 - math.exp(-rate * t) * (1 + rate * t)


EXPONENTIAL_CASES = [
    # Two exponential steps in series under a horizon: hypo-exponential (Erlang-2) arrival.
    ({"name": "exp-series", "horizon": 5.0,
      "nodes": [{"id": "s", "entry": 1.0}, {"id": "a", "loss": 1.0}, {"id": "b", "loss": 10.0}],
      "edges": [{"from": "s", "to": "a", "p": 0.8, "ttc_mean": 2.0}, {"from": "a", "to": "b", "p": 0.5, "ttc_mean": 2.0}]},
     {"a": 0.8 * (1 - math.exp(-2.5)), "b": 0.4 * erlang2_cdf(0.5, 5.0)}),
    # ANY of two exponential steps: the minimum, rate 1 + 1/3.
    ({"name": "exp-any", "horizon": 1.0,
      "nodes": [{"id": "s", "entry": 1.0}, {"id": "t", "loss": 1.0}],
      "edges": [{"from": "s", "to": "t", "p": 1.0, "ttc_mean": 1.0}, {"from": "s", "to": "t", "p": 1.0, "ttc_mean": 3.0}]},
     {"t": 1 - math.exp(-(1 + 1 / 3))}),
    # ALL of two exponential steps: the maximum.
    ({"name": "exp-all", "horizon": 2.0,
      "nodes": [{"id": "s", "entry": 1.0}, {"id": "t", "gate": "all", "loss": 1.0}],
      "edges": [{"from": "s", "to": "t", "p": 1.0, "ttc_mean": 1.0}, {"from": "s", "to": "t", "p": 1.0, "ttc_mean": 3.0}]},
     {"t": (1 - math.exp(-2.0)) * (1 - math.exp(-2.0 / 3))}),
]


@pytest.mark.parametrize("case, p_exact", EXPONENTIAL_CASES, ids=[c[0]["name"] for c in EXPONENTIAL_CASES])
def test_exponential_times_against_closed_forms(cpsf_bin, case, p_exact, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    results, _ = run_case(cpsf_bin, path, tmp_path, seed=777)
    n = results["trials"]
    p_hat = {a["id"]: a["p_compromised"] for a in results["assets"]}
    for node, p in p_exact.items():
        se = math.sqrt(p * (1 - p) / n)
        assert abs(p_hat[node] - p) <= 4 * se, f"{node}: {p_hat[node]} vs {p}"


def test_translator_writes_every_format(cpsf_bin, tmp_path):
    """New cases can be dropped in: the translator's output in each format runs the same."""
    case = CASES[0]
    got = [run_case(cpsf_bin, case, tmp_path / fmt, fmt=fmt)[0]["assets"] for fmt in ("json", "textproto", "pb")
           if (tmp_path / fmt).mkdir() is None]
    assert got[0] == got[1] == got[2]
