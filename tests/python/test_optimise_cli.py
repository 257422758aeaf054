"""`cpsf optimise` end to end: files, table, determinism, exit codes and messages, Ctrl-C."""
import csv
import json
import subprocess

import pytest

DEFAULT = "scenarios/default/scenario.textproto"


def optimise(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, "optimise", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def chains_json(spec):
    """Independent chains closed by one candidate of efficacy 1 each (deterministic loss)."""
    doc = {"enterprises": [{"id": "e"}], "assets": [], "relations": [], "controls": []}
    for k, (loss, cost) in enumerate(spec):
        doc["assets"] += [{"id": f"s{k}", "owner": "e", "layer": "L3", "element": "PEOPLE", "exposure": 1},
                          {"id": f"t{k}", "owner": "e", "layer": "L3", "element": "DATA",
                           "loss": {"integrity": loss}}]
        doc["relations"].append({"id": f"r{k}", "from": f"s{k}", "to": f"t{k}", "layer": "L3",
                                 "step": {"p": 1, "mitigatedBy": ["CPS.AC-1"]}})
        doc["controls"].append({"id": f"c{k}", "requirement": "CPS.AC-1", "efficacy": 1, "cost": cost,
                                "relations": [f"r{k}"]})
    return json.dumps(doc, indent=1)


def test_default_scenario_writes_json_csv_and_the_table(cpsf_bin, root, tmp_path):
    r = optimise(cpsf_bin, DEFAULT, "--budget", "40000", "--trials", "1500", "--seed", "7", "--out", str(tmp_path),
                 cwd=root)
    assert r.returncode == 0, r.stderr
    d = json.loads((tmp_path / "optimise.json").read_text())
    assert d["format"] == "cpsf.optimise.v1"
    assert d["scenario"] == {"file": DEFAULT, "name": "Automotive supply chain (default)", "currency": "kJPY"}
    assert (d["seed"], d["trials"], d["method"], d["budget"], d["objective"]) == (7, 1500, "exact", 40000, "annual")
    assert [c["id"] for c in d["candidates"]] == ["cand-oem-ot-monitoring", "cand-oem-ot-vulns",
                                                 "cand-oem-design-protection", "cand-oem-vendor-accounts",
                                                 "cand-t2-mdr"]
    assert d["total_cost"] == 83000 and d["cost"] <= 40000
    assert d["loss_all"]["mean"] <= d["loss"]["mean"] <= d["loss_none"]["mean"]
    assert {m["control"] for m in d["marginal"] if m["chosen"]} == set(d["chosen"])
    assert len(d["frontier"]) == 11 and d["frontier"][-1]["budget"] == 83000
    assert d["greedy"]["steps"] and d["simulations"] > 0
    rows = list(csv.DictReader((tmp_path / "frontier.csv").open()))
    assert len(rows) == 11 and list(rows[0]) == ["budget", "cost", "loss", "stderr", "chosen"]
    assert json.loads(rows[-1]["chosen"]) == d["frontier"][-1]["chosen"]  # a JSON array of ids
    assert float(rows[0]["loss"]) == d["loss_none"]["mean"]
    for label in ("exact search over 5 candidates, budget 40,000 kJPY", "loss with no candidate",
                  "loss with the chosen set", "chosen: ", "marginal value", "efficient frontier",
                  f"wrote {tmp_path}/{{optimise.json,frontier.csv}}"):
        assert label in r.stdout, label
    assert r.stderr == ""


def annual_chains_json(spec):
    """chains_json() attacked by one threat entering every chain, once a year on average."""
    doc = json.loads(chains_json(spec))
    doc["threats"] = [{"id": "crew", "annualFrequency": 1,
                       "entryPoints": [{"asset": f"s{k}", "probability": 1} for k in range(len(spec))]}]
    return json.dumps(doc, indent=1)


def test_goal_net_reports_money_and_warns_under_the_loss_goal(cpsf_bin, tmp_path):
    f = tmp_path / "annual.json"
    f.write_text(annual_chains_json([(20, 10), (5, 50)]))
    r = optimise(cpsf_bin, str(f), "--budget", "100", "--trials", "2000", "--frontier", "0", "--out",
                 str(tmp_path / "loss"))
    assert r.returncode == 0, r.stderr
    assert "cpsf optimise: warning: the chosen controls cost 60.00 a year" in r.stderr and "--goal net" in r.stderr
    d = json.loads((tmp_path / "loss" / "optimise.json").read_text())
    assert (d["goal"], d["chosen"], d["costs_more_than_removes"], d["none_pays"]) == ("loss", ["c0", "c1"], True,
                                                                                     False)
    r = optimise(cpsf_bin, str(f), "--budget", "100", "--goal", "net", "--trials", "2000", "--frontier", "0",
                 "--out", str(tmp_path / "net"))
    assert r.returncode == 0 and r.stderr == "", r.stderr
    d = json.loads((tmp_path / "net" / "optimise.json").read_text())
    assert (d["goal"], d["chosen"], d["costs_more_than_removes"]) == ("net", ["c0"], False)
    m = {x["control"]: x for x in d["marginal"]}
    assert m["c0"]["pays"] is True and m["c1"]["pays"] is False
    assert m["c1"]["net"] == m["c1"]["value"] - 50
    assert m["c0"]["value_per_cost_stderr"] == m["c0"]["stderr"] / 10
    assert d["net_benefit"]["mean"] == d["reduction"]["mean"] - d["cost"]
    assert "goal: net (expected annual loss + annual cost of the chosen controls)" in r.stdout
    assert "net benefit of the chosen set" in r.stdout and "value/cost" in r.stdout
    f.write_text(annual_chains_json([(5, 50)]))
    r = optimise(cpsf_bin, str(f), "--budget", "100", "--goal", "net", "--trials", "500", "--out", str(tmp_path))
    assert r.returncode == 0 and "chosen: (none)" in r.stdout
    assert "no candidate pays for itself" in r.stdout


def test_goal_net_without_annual_frequencies_exits_2(cpsf_bin, tmp_path):
    f = tmp_path / "chains.json"
    f.write_text(chains_json([(7, 6)]))
    r = optimise(cpsf_bin, str(f), "--budget", "10", "--goal", "net", "--out", str(tmp_path))
    assert r.returncode == 2 and "no threats" in r.stderr and "fix: add threats with an annual_frequency" in r.stderr
    assert not (tmp_path / "optimise.json").exists()
    doc = json.loads(annual_chains_json([(7, 6)]))
    del doc["threats"][0]["annualFrequency"]
    f.write_text(json.dumps(doc))
    r = optimise(cpsf_bin, str(f), "--budget", "10", "--goal", "net", "--out", str(tmp_path))
    assert r.returncode == 2 and "1 threat(s) have no annual_frequency" in r.stderr and "'crew'" in r.stderr


def test_quiet_prints_nothing_and_threads_never_change_a_byte(cpsf_bin, root, tmp_path):
    for threads in ("1", "2"):
        r = optimise(cpsf_bin, DEFAULT, "--budget", "25000", "--trials", "1000", "--frontier", "4", "--threads",
                     threads, "--out", str(tmp_path / threads), "-q", cwd=root)
        assert r.returncode == 0 and r.stdout == "" and r.stderr == "", r.stderr
    for name in ("optimise.json", "frontier.csv"):
        assert (tmp_path / "1" / name).read_bytes() == (tmp_path / "2" / name).read_bytes()


def test_greedy_and_exact_and_candidates(cpsf_bin, tmp_path):
    f = tmp_path / "trap.json"
    f.write_text(chains_json([(7, 6), (5, 5), (5, 5)]))
    chosen = {}
    for method in ("greedy", "exact"):
        r = optimise(cpsf_bin, str(f), "--budget", "10", "--method", method, "--trials", "200",
                     "--out", str(tmp_path / method), "-q")
        assert r.returncode == 0, r.stderr
        chosen[method] = json.loads((tmp_path / method / "optimise.json").read_text())["chosen"]
    assert chosen == {"greedy": ["c0"], "exact": ["c1", "c2"]}
    r = optimise(cpsf_bin, str(f), "--budget", "100", "--candidates", "c2,c0", "--trials", "200", "--frontier", "0",
                 "--out", str(tmp_path / "some"))
    assert r.returncode == 0, r.stderr
    d = json.loads((tmp_path / "some" / "optimise.json").read_text())
    assert [c["id"] for c in d["candidates"]] == ["c0", "c2"] and d["chosen"] == ["c0", "c2"]
    assert d["frontier"] == [] and "efficient frontier" not in r.stdout
    assert (tmp_path / "some" / "frontier.csv").read_text() == "budget,cost,loss,stderr,chosen\n"


@pytest.mark.parametrize("args, message", [
    (["--budget=-5"], "--budget: must be a finite number ≥ 0, not '-5'"),
    (["--budget", "5", "--candidates", "c0,nope"],
     "cpsf optimise: error: candidate 'nope' is not a control of the scenario (fix: "),
    (["--budget", "5", "--candidates", "c0,c0"], "cpsf optimise: error: candidate 'c0' is listed twice"),
    (["--budget", "nan"], "--budget: must be a finite number ≥ 0, not 'nan'"),
])
def test_bad_budget_or_candidates_exit_2_with_a_fix(cpsf_bin, tmp_path, args, message):
    f = tmp_path / "s.json"
    f.write_text(chains_json([(7, 6), (5, 5)]))
    r = optimise(cpsf_bin, str(f), *args, "--trials", "10", "--out", str(tmp_path / "o"))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(message.split(":")[0]) and message in r.stderr
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("args", [[], ["--budget", "5", "--method", "best"], ["--budget", "5", "--frontier", "1"],
                                  ["--budget", "5", "--frontier", "abc"], ["--budget", "x"],
                                  ["--budget", "5", "--trials", "0"]])
def test_bad_options_exit_2(cpsf_bin, root, args):
    r = optimise(cpsf_bin, DEFAULT, *args, cwd=root)
    assert r.returncode == 2, r.stderr


def test_exact_over_more_than_20_candidates_is_refused(cpsf_bin, tmp_path):
    f = tmp_path / "many.json"
    f.write_text(chains_json([(1, 1)] * 21))
    r = optimise(cpsf_bin, str(f), "--budget", "3", "--method", "exact", "--trials", "10", "--out", str(tmp_path))
    assert r.returncode == 2
    assert "the exact search takes at most 20 candidates, and there are 21 (fix: use the greedy method" in r.stderr
    r = optimise(cpsf_bin, str(f), "--budget", "3", "--trials", "10", "--frontier", "0", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert "greedy search over 21 candidates" in r.stdout


def test_invalid_missing_or_candidate_free_scenarios(cpsf_bin, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('enterprises { id: "oem" }\n'
                   'assets { id: "plc" owner: "oem" layer: L2 element: COMPONENT exposure: 1.5 }\n')
    r = optimise(cpsf_bin, str(bad), "--budget", "5", "--out", str(tmp_path / "o"))
    assert r.returncode == 1
    assert "exposure is 1.5" in r.stderr and "is invalid (1 error); nothing was run" in r.stderr
    r = optimise(cpsf_bin, str(tmp_path / "missing.textproto"), "--budget", "5")
    assert r.returncode == 2
    none = tmp_path / "none.textproto"
    none.write_text('enterprises { id: "oem" }\n'
                    'assets { id: "plc" owner: "oem" layer: L2 element: COMPONENT exposure: 0.5 }\n')
    r = optimise(cpsf_bin, str(none), "--budget", "5", "--out", str(tmp_path / "o"))
    assert r.returncode == 2 and "no candidate controls" in r.stderr and "(fix: " in r.stderr
    assert not (tmp_path / "o").exists()


def test_help_lists_the_verb(cpsf_bin):
    r = subprocess.run([cpsf_bin, "--help"], capture_output=True, text=True, timeout=60)
    assert "optimise" in r.stdout
    r = optimise(cpsf_bin, "--help")
    assert r.returncode == 0
    for option in ("--budget", "--candidates", "--method", "--frontier", "--trials", "--seed", "--threads", "--out"):
        assert option in r.stdout, option


def test_ctrl_c_exits_130_and_writes_nothing(cpsf_bin, root, tmp_path, interrupt):
    p = subprocess.Popen([cpsf_bin, "optimise", DEFAULT, "--budget", "40000", "--trials", "100000000", "--out",
                          str(tmp_path / "o"), "-q"], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    interrupt(p, 1.0)
    out, err = p.communicate(timeout=60)
    assert p.returncode == 130, err
    assert "interrupted; nothing was written" in err
    assert not (tmp_path / "o").exists()
