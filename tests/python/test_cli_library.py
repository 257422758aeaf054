"""The attack-step library in a run (docs/library.md): a chain written with relation kinds only
(tests/data/library/kinds-only.textproto), baselines and threat capability acting through the
library, and --library FILE over the bundled library and the scenario's own."""
import csv
import json
import math
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parents[2]
KINDS_ONLY = ROOT / "tests" / "data" / "library" / "kinds-only.textproto"
TRIALS = "20000"


def run(*args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, timeout=300, **kw)


def variant(tmp_path, name, replace=()):
    text = KINDS_ONLY.read_text()
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / f"{name}.textproto"
    path.write_text(text)
    return path


def losses(cpsf_bin, scenario, out):
    r = run(cpsf_bin, "run", "--per-trial", scenario, "--trials", TRIALS, "--seed", "11", "--no-inherent", "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    with open(out / "losses.csv") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


def paired(a, b):
    """Mean and standard error of the per-trial differences a - b."""
    d = [x - y for x, y in zip(a, b)]
    mean = sum(d) / len(d)
    var = sum((x - mean) ** 2 for x in d) / (len(d) - 1)
    return mean, math.sqrt(var / len(d))


def with_baseline(tmp_path, baseline):
    if baseline is None:
        return variant(tmp_path, "as-is")
    return variant(tmp_path, baseline, [(f'enterprises {{ id: "{e}"', f'enterprises {{ id: "{e}" baseline: "{baseline}"')
                                        for e in ("oem", "tier1", "msp")])


def test_kinds_only_chain_scs4_below_scs3_below_as_is_trial_by_trial(cpsf_bin, tmp_path):
    r = run(cpsf_bin, "validate", "--werror", KINDS_ONLY)
    assert r.returncode == 0, r.stdout + r.stderr
    as_is = losses(cpsf_bin, with_baseline(tmp_path, None), tmp_path / "as-is")
    scs3 = losses(cpsf_bin, with_baseline(tmp_path, "SCS-3"), tmp_path / "scs3")
    scs4 = losses(cpsf_bin, with_baseline(tmp_path, "SCS-4"), tmp_path / "scs4")
    assert len(as_is) == len(scs3) == len(scs4) == int(TRIALS)
    # Common random numbers: a control only removes steps, so each trial's loss can only fall.
    assert all(f <= t <= a for f, t, a in zip(scs4, scs3, as_is))
    for lower, higher in ((scs3, as_is), (scs4, scs3)):
        mean, se = paired(higher, lower)
        assert mean > 4 * se > 0, (mean, se)


def p_compromised(cpsf_bin, scenario, out, asset):
    r = run(cpsf_bin, "run", "--per-trial", scenario, "--trials", TRIALS, "--seed", "5", "--no-inherent", "-q", "--out", out)
    assert r.returncode == 0, r.stderr
    results = json.loads((out / "results.json").read_text())
    (a,) = [a for a in results["assets"] if a["id"] == asset]
    return a["p_compromised"], a["compromised_trials"]


def test_capability_raises_p_compromise(cpsf_bin, tmp_path):
    """docs/methods.md: p never falls and times never lengthen from ★3 to ★5 in the bundled
    library, so P(compromise) rises with the threat's capability."""
    p = {}
    for capability in ("COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN"):
        s = variant(tmp_path, capability, [("capability: COMMON_ATTACKS", f"capability: {capability}")])
        p[capability] = p_compromised(cpsf_bin, s, tmp_path / capability, "oem-designs")[0]
    n = int(TRIALS)
    for low, high in (("COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN"), ("TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN")):
        se = math.sqrt((p[low] * (1 - p[low]) + p[high] * (1 - p[high])) / n)
        assert p[high] - p[low] > 4 * se, p


def test_library_file_extends_and_overrides(cpsf_bin, tmp_path):
    # Overriding the bundled step by its id: the DATA_FLOW steps into data never succeed.
    lib = tmp_path / "never.textproto"
    caps = "".join(
        f'by_capability {{ capability: {c} p: 0 p_from {{ note: "test: never" }} '
        f'ttc {{ fixed {{ value: 1 }} }} ttc_from {{ note: "test" }} }}\n'
        for c in ("COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN"))
    lib.write_text(f'steps {{ id: "data-flow-l3-data" kind: DATA_FLOW layers: L3 target_elements: DATA\n{caps}}}\n')
    p, trials = p_compromised(cpsf_bin, KINDS_ONLY, tmp_path / "base", "oem-designs")
    assert trials > 0
    r = run(cpsf_bin, "run", KINDS_ONLY, "--library", lib, "--trials", "2000", "-q", "--out", tmp_path / "never")
    assert r.returncode == 0, r.stderr
    results = json.loads((tmp_path / "never" / "results.json").read_text())
    (a,) = [a for a in results["assets"] if a["id"] == "oem-designs"]
    assert a["compromised_trials"] == 0
    # replace_bundled: the library file alone, which has no NETWORK step: kinds-only relations fail.
    only = tmp_path / "only.textproto"
    only.write_text("replace_bundled: true\n" + lib.read_text())
    r = run(cpsf_bin, "validate", "--library", only, KINDS_ONLY)
    assert r.returncode == 1
    assert "the attack-step library has no step for kind NETWORK on layer L3 into SYSTEM" in r.stderr
    # The same with JSON: the format follows the extension.
    js = tmp_path / "lib.json"
    r = run(cpsf_bin, "validate", "--library", js, KINDS_ONLY)
    assert r.returncode == 2 and "lib.json" in r.stderr


def test_library_file_problems_name_its_file_and_line(cpsf_bin, tmp_path):
    lib = tmp_path / "bad.textproto"
    lib.write_text('# a step with a p out of range\nsteps {\n  id: "network-l1" kind: NETWORK layers: L1\n'
                   '  by_capability { capability: COMMON_ATTACKS p: 2 p_from { note: "x" } '
                   'ttc { fixed { value: 1 } } ttc_from { note: "x" } }\n}\n')
    r = run(cpsf_bin, "validate", "--library", lib, KINDS_ONLY)
    assert r.returncode == 1
    assert f"{lib}:4:" in r.stderr and "COMMON_ATTACKS p is 2, outside [0, 1]" in r.stderr, r.stderr
    # Unknown fields are errors with their line, as in a scenario.
    lib.write_text('steps {\n  id: "x"\n  probability: 0.5\n}\n')
    r = run(cpsf_bin, "run", KINDS_ONLY, "--library", lib, "--out", tmp_path / "out")
    assert r.returncode == 1
    assert f"{lib}:3:" in r.stderr, r.stderr


def test_every_verb_that_loads_a_scenario_takes_library(cpsf_bin):
    for verb in ("validate", "run", "compare", "optimise"):
        r = run(cpsf_bin, verb, "--help")
        assert "--library" in r.stdout, verb


def test_compare_says_why_a_baseline_changed_nothing(cpsf_bin, tmp_path):
    s = variant(tmp_path, "governance", [
        ("settings {", 'baselines { id: "governance" controls { requirement: "CPS.GV-1" efficacy: 0.3 } }\nsettings {')])
    r = run(cpsf_bin, "compare", s, "--baseline", "as-is,governance,SCS-3", "--trials", "500",
            "--out", tmp_path / "cmp")
    assert r.returncode == 0, r.stderr
    assert ("kinds-only chain, governance: changed 3 baselines but no step: no relation into the assets of the 3 "
            "enterprise(s) it changed lists any requirement of governance") in r.stdout, r.stdout
    rows = {row["baseline"]: row for row in json.loads((tmp_path / "cmp" / "compare.json").read_text())["rows"]}
    assert rows["as-is"]["no_effect"] is None
    assert rows["SCS-3"]["no_effect"] is None
    assert "lists any requirement of governance" in rows["governance"]["no_effect"]
    assert rows["governance"]["difference"]["mean"] == 0


def test_summary_counts_what_came_from_the_library(cpsf_bin, root):
    r = run(cpsf_bin, "validate", "--summary", KINDS_ONLY)
    assert r.returncode == 0, r.stderr
    assert "from the attack-step library (cpsf-steps 1.0, 23 steps): 9 of 9 relations' steps" in r.stdout
    assert "p            9 library, 0 scenario" in r.stdout
    assert "mitigations  9 library, 0 scenario, 0 none" in r.stdout
    r = run(cpsf_bin, "validate", "--summary", root / "scenarios" / "default" / "scenario.textproto")
    assert "24 of 63 relations' steps" in r.stdout
    assert "p            21 library, 42 scenario" in r.stdout
    assert "mitigations  1 library, 56 scenario, 6 none" in r.stdout
    assert "efficacies: 37 given, 0 from the library by level" in r.stdout


def test_explain_shows_each_number_and_where_it_came_from(cpsf_bin, root, tmp_path):
    s = variant(tmp_path, "explained", [
        ('relations { id: "vpn-erp" from: "t1-vpn" to: "t1-erp" layer: L3 kind: NETWORK }',
         'relations { id: "vpn-erp" from: "t1-vpn" to: "t1-erp" layer: L3 kind: NETWORK step { p: 0.3 } }\n'
         'controls { id: "mfa" requirement: "CPS.AC-1" level: ADVANCED implemented: true }')])
    r = run(cpsf_bin, "validate", "-q", "--explain", "erp-mes", s)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("relation erp-mes (t1-erp → oem-mes), NETWORK on L3 into SYSTEM, ")
    assert "library step network-l3 (cpsf-steps 1.0)" in out
    assert "    p    0.5  from library step network-l3: assumption: R1" in out
    assert "    p    0.75  from library step network-l3: assumption: R2" in out
    assert "mitigated by (library step network-l3): CPS.CM-1 CPS.AC-1" in out
    assert "control mfa  CPS.AC-1 ADVANCED  efficacy 0.6  from library step network-l3: [cpsf-catalogue]" in out
    # A hand-entered p: the scenario's file and line; the time still from the library; no mitigations.
    r = run(cpsf_bin, "validate", "-q", "--explain", "1", s)
    assert f"    p    0.3  from scenario {s}:18" in r.stdout, r.stdout
    assert "    ttc  exponential, mean 1 days  from library step network-l3" in r.stdout
    assert "mitigated by: nothing" in r.stdout
    r = run(cpsf_bin, "validate", "-q", "--explain", "nope", s)
    assert r.returncode == 2 and "has no relation 'nope'" in r.stderr


def test_explain_json_is_one_document_with_each_origin(cpsf_bin, tmp_path):
    s = variant(tmp_path, "explained", [
        ('relations { id: "vpn-erp" from: "t1-vpn" to: "t1-erp" layer: L3 kind: NETWORK }',
         'relations { id: "vpn-erp" from: "t1-vpn" to: "t1-erp" layer: L3 kind: NETWORK step { p: 0.3 } }')])
    r = run(cpsf_bin, "validate", "--explain", "1", "--json", s)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)  # stdout is the document alone: no verdict line
    assert doc["format"] == "cpsf-explain/1"
    caps = doc["capabilities"]
    assert [c["p"] for c in caps] == [0.3, 0.3, 0.3]
    assert all(c["p_from"] == {"from": "scenario", "at": f"{s}:18", "note": ""} for c in caps)
    assert caps[0]["ttc_from"]["from"] == "library" and caps[0]["ttc_from"]["library_step"] == "network-l3"
    assert doc["mitigated_by"] == [] and doc["mitigations_from"]["from"] == "none"
    assert "nothing mitigates it" in doc["mitigations_from"]["note"]
    # One FILE only; --json only with --explain, and not with --summary.
    for args in (["--explain", "1", "--json", s, s], ["--json", s], ["--explain", "1", "--json", "--summary", s]):
        r = run(cpsf_bin, "validate", *args)
        assert r.returncode == 2 and r.stdout == "", (args, r.stdout, r.stderr)
