"""`cpsf run` end to end: outputs, determinism across threads, Ctrl-C, bad input."""
import json
import os
import subprocess

DEFAULT = "scenarios/default/scenario.textproto"


def run(cpsf_bin, *args, **kw):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, timeout=300, **kw)


def test_run_writes_documented_results(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "run", "--per-trial", str(root / DEFAULT), "--trials", "5000", "--seed", "3", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "loss per trial" in r.stdout and "layer x element" in r.stdout
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["trials"] == 5000 and res["seed"] == 3 and res["partial"] is False
    assert res["generator"] == "philox4x32-10"
    assert res["engine"]["schema"] == "cpsf.v1" and res["engine"]["git_revision"]
    for a in res["assets"]:
        assert {"id", "p_compromised", "ci95"} <= a.keys()
        low, high = a["ci95"]
        assert 0 <= low <= a["p_compromised"] <= high <= 1
    assert {"mean", "stderr", "var95", "var99", "es99", "exceedance"} <= res["loss"].keys()
    assert len(res["layer_element"]) == 18
    assert res["controls_effect"]["loss_removed"] > 0
    assert [e["id"] for e in res["enterprises"]]
    assets_csv = (tmp_path / "assets.csv").read_text().splitlines()
    assert assets_csv[0].startswith("id,name,owner,layer,element")
    assert len(assets_csv) == 1 + len(res["assets"])
    losses = (tmp_path / "losses.csv").read_text().splitlines()
    assert losses[0].startswith("trial,loss") and len(losses) == 5001


def test_results_identical_at_any_thread_count(cpsf_bin, root, tmp_path):
    outputs = []
    for threads in ("1", "2", "7"):
        out = tmp_path / threads
        r = run(cpsf_bin, "run", "--per-trial", str(root / DEFAULT), "--trials", "8000", "--threads", threads, "--out", str(out), "-q")
        assert r.returncode == 0, r.stderr
        outputs.append([(out / f).read_bytes() for f in ("results.json", "assets.csv", "losses.csv")])
    assert outputs[0] == outputs[1] == outputs[2]


def test_per_trial_changes_no_estimate_and_is_the_only_way_to_losses_csv(cpsf_bin, root, tmp_path):
    """Without --per-trial the run keeps only its statistics (memory flat in the trials):
    every other file is byte for byte the same, and a stale losses.csv does not stay."""
    out = {}
    for mode, extra in (("kept", ["--per-trial"]), ("flat", []), ("flat1", ["--threads", "1"])):
        out[mode] = tmp_path / mode
        r = run(cpsf_bin, "run", str(root / DEFAULT), "--trials", "9000", "--seed", "5", "--out", str(out[mode]), "-q",
                *extra)
        assert r.returncode == 0, r.stderr
    assert (out["kept"] / "losses.csv").exists() and not (out["flat"] / "losses.csv").exists()
    for f in ("results.json", "assets.csv", "enterprises.csv", "paths.csv", "chokepoints.csv"):
        assert (out["kept"] / f).read_bytes() == (out["flat"] / f).read_bytes() == (out["flat1"] / f).read_bytes(), f
    r = run(cpsf_bin, "run", str(root / DEFAULT), "--trials", "5000", "--out", str(out["kept"]), "-q")
    assert r.returncode == 0 and not (out["kept"] / "losses.csv").exists()


def test_run_refuses_an_invalid_scenario(cpsf_bin, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('enterprises { id: "e" }\nassets { id: "a" owner: "e" layer: L3 element: DATA exposure: 2 }\n')
    r = run(cpsf_bin, "run", str(bad), "--out", str(tmp_path / "out"))
    assert r.returncode == 1
    assert "exposure is 2" in r.stderr and "nothing was run" in r.stderr
    assert not (tmp_path / "out").exists()
    assert run(cpsf_bin, "run", str(tmp_path / "none.textproto")).returncode == 2
    assert run(cpsf_bin, "run", str(bad), "--trials", "0").returncode == 2


def test_ctrl_c_writes_a_partial_result(cpsf_bin, root, tmp_path, interrupt):
    p = subprocess.Popen([cpsf_bin, "run", "--per-trial", str(root / DEFAULT), "--trials", "100000000", "--target-rse", "0", "--out", str(tmp_path), "-q"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    interrupt(p, 1.5)
    _, err = p.communicate(timeout=120)
    assert p.returncode == 130, err
    assert "interrupted" in err
    res = json.loads((tmp_path / "results.json").read_text())
    assert res["partial"] is True
    assert 0 < res["trials"] < res["trials_planned"] == 100000000
    assert len((tmp_path / "losses.csv").read_text().splitlines()) == res["trials"] + 1


def test_horizon_and_seed_options_change_the_run(cpsf_bin, root, tmp_path):
    def mean(*extra):
        out = tmp_path / "_".join(extra)
        r = run(cpsf_bin, "run", str(root / DEFAULT), "--trials", "4000", "--out", str(out), "-q", *extra)
        assert r.returncode == 0, r.stderr
        return json.loads((out / "results.json").read_text())
    short, none = mean("--horizon", "1"), mean("--no-horizon")
    assert short["horizon"] == 1 and none["horizon"] is None
    assert short["loss"]["mean"] < none["loss"]["mean"]
    assert mean("--seed", "1")["loss"]["mean"] != mean("--seed", "2")["loss"]["mean"]
    assert run(cpsf_bin, "run", str(root / DEFAULT), "--horizon", "1", "--no-horizon").returncode == 2
