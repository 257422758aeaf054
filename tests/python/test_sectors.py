"""Sector reference scenarios (scenarios/sectors/*/scenario*.textproto): each one is valid,
runs, covers every CPSF layer and element, is deterministic, and does not get worse when
its suppliers rise from SCS ★3 to ★4."""
import csv
import json
import math
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
SECTORS_DIR = ROOT / "scenarios" / "sectors"

# The eight sector profiles of the industry sub-working groups (docs/design.md §1).
EXPECTED_SECTORS = ["automotive", "electric-power", "building", "smart-home",
                    "space", "semiconductor-fab", "factory", "defence-industry"]

# Only files named scenario*.textproto are top-level scenarios; *.inc.textproto are fragments.
SCENARIOS = sorted(SECTORS_DIR.glob("*/scenario*.textproto"))
IDS = [str(p.relative_to(SECTORS_DIR)) for p in SCENARIOS]

LAYERS = {"L1", "L2", "L3"}
ELEMENTS = {"ORGANIZATION", "PEOPLE", "COMPONENT", "DATA", "PROCEDURE", "SYSTEM"}

scenario_param = pytest.mark.parametrize("scenario", SCENARIOS, ids=IDS)


def run(cpsf_bin, *args):
    return subprocess.run([cpsf_bin, *map(str, args)], capture_output=True, text=True, timeout=300)


def flattened(cpsf_bin, scenario, tmp_path):
    """The scenario with its includes merged, as a JSON document (and the file holding it)."""
    out = tmp_path / "flat.json"
    r = run(cpsf_bin, "convert", "--flatten", scenario, out)
    assert r.returncode == 0, r.stderr
    return json.loads(out.read_text()), out


def simulate(cpsf_bin, scenario, out, trials, seed=3):
    r = run(cpsf_bin, "run", "--per-trial", scenario, "--trials", trials, "--seed", seed, "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    return json.loads((out / "results.json").read_text())


def main_view_losses(out):
    with open(out / "losses.csv", newline="") as f:
        rows = list(csv.reader(f))
    header = rows[0]
    assert "loss" in header, header  # the main view's residual loss per trial
    col = header.index("loss")
    return [float(row[col]) for row in rows[1:]]


def test_sector_scenarios_are_found():
    assert len(SCENARIOS) >= 1
    assert len({p.parent for p in SCENARIOS}) >= 1
    for p in SCENARIOS:
        assert p.parent.parent == SECTORS_DIR


@pytest.mark.parametrize("sector", EXPECTED_SECTORS)
def test_expected_sector_exists_with_readme(sector):
    d = SECTORS_DIR / sector
    assert d.is_dir(), f"{d} is missing"
    assert (d / "README.md").is_file(), f"{d}/README.md is missing"
    assert list(d.glob("scenario*.textproto")), f"{d} has no scenario*.textproto"


@scenario_param
def test_validates_without_warnings(cpsf_bin, scenario):
    r = run(cpsf_bin, "validate", "--werror", scenario)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "valid (0 errors, 0 warnings)" in r.stdout


@scenario_param
def test_runs_and_covers_every_layer_and_element(cpsf_bin, scenario, tmp_path):
    doc, _ = flattened(cpsf_bin, scenario, tmp_path)
    assets = {a["id"]: a for a in doc["assets"]}
    res = simulate(cpsf_bin, scenario, tmp_path / "out", 300)
    assert res["trials"] == 300 and res["partial"] is False
    ids = [a["id"] for a in res["assets"]]
    assert sorted(ids) == sorted(assets)
    assert {assets[i]["layer"] for i in ids} == LAYERS
    assert {assets[i]["element"] for i in ids} == ELEMENTS
    for a in res["assets"]:
        assert a["layer"] == assets[a["id"]]["layer"] and a["element"] == assets[a["id"]]["element"]
    # Plausible, not degenerate: something is lost, a crown jewel falls in some trial,
    # and no crown jewel falls in every trial.
    assert res["loss"]["mean"] > 0
    targets = [a for a in res["assets"] if assets[a["id"]].get("target")]
    assert targets, "no target: true asset"
    assert any(a["p_compromised"] > 0 for a in targets)
    assert all(a["p_compromised"] < 1 for a in targets)


@scenario_param
def test_same_seed_gives_identical_losses(cpsf_bin, scenario, tmp_path):
    simulate(cpsf_bin, scenario, tmp_path / "a", 300)
    simulate(cpsf_bin, scenario, tmp_path / "b", 300)
    assert (tmp_path / "a" / "losses.csv").read_bytes() == (tmp_path / "b" / "losses.csv").read_bytes()


@scenario_param
def test_suppliers_at_scs4_do_not_raise_the_loss(cpsf_bin, scenario, tmp_path):
    doc, flat = flattened(cpsf_bin, scenario, tmp_path)
    suppliers = {d["supplier"] for d in doc.get("dependencies", [])}
    assert suppliers, "the scenario declares no supplier"
    raised = 0
    for e in doc["enterprises"]:  # suppliers at SCS-3 rise to SCS-4; every other baseline is kept
        if e["id"] in suppliers and e.get("baseline") == "SCS-3":
            e["baseline"] = "SCS-4"
            raised += 1
    assert raised, "no supplier at SCS-3"
    up = tmp_path / "suppliers-scs4.json"
    up.write_text(json.dumps(doc, indent=1))
    # Same seed: common random numbers, so the paired difference has a small error.
    simulate(cpsf_bin, flat, tmp_path / "base", 2000)
    simulate(cpsf_bin, up, tmp_path / "up", 2000)
    base, high = main_view_losses(tmp_path / "base"), main_view_losses(tmp_path / "up")
    assert len(base) == len(high) == 2000
    d = [h - b for b, h in zip(base, high)]
    n = len(d)
    mean = sum(d) / n
    var = sum((x - mean) ** 2 for x in d) / (n - 1)
    se = math.sqrt(var / n)
    assert mean <= 4 * se, (f"mean loss rose by {mean:g} (SE {se:g}) with suppliers at SCS-4: "
                            f"{sum(base) / n:g} -> {sum(high) / n:g}")
