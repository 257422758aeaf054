"""`cpsf compare` end to end: the files it writes, the table, determinism at any thread
count, the supplier rule's decisions, the threat filter, and the exit codes of bad input."""
import csv
import io
import json
import subprocess

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
DEFAULT_NAME = "Automotive supply chain (default)"  # rows are labelled by the scenario's name

# A buyer and two suppliers: one that can reach the buyer's systems (TRUST relation), one
# that only delivers goods (GOODS_SUPPLY, L1). One threat, with a yearly frequency.
SMALL = """
name: "small chain"
currency: "kJPY"
enterprises { id: "buyer" daily_output: 100 }
enterprises { id: "it" baseline: "SCS-3" }
enterprises { id: "parts" baseline: "SCS-4" }
assets { id: "b-erp" owner: "buyer" layer: L3 element: SYSTEM target: true loss { confidentiality: 1000 } }
assets { id: "it-pc" owner: "it" layer: L3 element: COMPONENT }
assets { id: "p-truck" owner: "parts" layer: L1 element: PROCEDURE }
relations { id: "r-remote" from: "it-pc" to: "b-erp" layer: L3 kind: TRUST
            step { p: 0.6 mitigated_by: "CPS.AC-1" mitigated_by: "CPS.AE-1" } }
relations { id: "r-goods" from: "p-truck" to: "b-erp" layer: L1 kind: GOODS_SUPPLY step { p: 0.2 } }
threats { id: "crew" annual_frequency: 2 entry_points { asset: "it-pc" probability: 0.5 }
          entry_points { asset: "p-truck" probability: 0.5 } }
dependencies { customer: "buyer" supplier: "it" share: 0 }
dependencies { customer: "buyer" supplier: "parts" share: 0.3 buffer_days: 1 }
"""


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, "compare", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


@pytest.fixture
def small(tmp_path):
    path = tmp_path / "small.textproto"
    path.write_text(SMALL)
    return path


def test_writes_json_csv_svg_and_prints_the_table(cpsf_bin, root, small, tmp_path):
    out = tmp_path / "out"
    r = run(cpsf_bin, DEFAULT, str(small), "--baseline", "as-is,SCS-3", "-b", "SCS-4", "--baseline", "supplier-rule",
            "--trials", "2000", "--seed", "4", "--out", str(out), cwd=root)
    assert r.returncode == 0, r.stderr
    assert "compare: 2 scenarios x 4 baselines, 2000 trials each, seed 4" in r.stdout
    assert "supplier rule on small chain" in r.stdout
    assert f"wrote {out}/{{compare.json,compare.csv,compare-profile.csv}}" in r.stdout
    assert not (out / "compare.svg").exists()  # the chart is the HTML report's (--report)

    doc = json.loads((out / "compare.json").read_text())
    assert doc["format"] == "cpsf.compare.v1"
    assert doc["seed"] == 4 and doc["trials"] == 2000 and doc["threat"] is None
    assert doc["baselines"] == ["as-is", "SCS-3", "SCS-4", "supplier-rule"]
    assert [s["label"] for s in doc["scenarios"]] == [DEFAULT_NAME, "small chain"]
    assert [(row["scenario"], row["baseline"]) for row in doc["rows"]] == [
        (s, b) for s in (DEFAULT_NAME, "small chain") for b in ("as-is", "SCS-3", "SCS-4", "supplier-rule")]
    for row in doc["rows"]:
        loss = row["loss"]
        assert loss["ci95"][0] <= loss["mean"] <= loss["ci95"][1]
        assert loss["var95"] <= loss["var99"] <= loss["es99"] + 1e-9
        assert row["p_any_target"]["ci95"][0] <= row["p_any_target"]["p"] <= row["p_any_target"]["ci95"][1]
        assert row["annual"] is not None  # every threat of both scenarios has a frequency
        assert row["difference"]["from"] == "as-is"
    first = doc["rows"][0]
    assert first["difference"]["mean"] == 0 and first["difference"]["stderr"] == 0
    # The second variant's difference is the difference of the means, paired per trial.
    second = doc["rows"][1]
    assert second["difference"]["mean"] == pytest.approx(second["loss"]["mean"] - first["loss"]["mean"], rel=1e-9)

    rows = list(csv.DictReader(io.StringIO((out / "compare.csv").read_text())))
    assert len(rows) == 8
    assert rows[5]["scenario"] == "small chain" and rows[5]["baseline"] == "SCS-3" and rows[5]["currency"] == "kJPY"
    assert float(rows[5]["mean"]) == doc["rows"][5]["loss"]["mean"]



def test_supplier_rule_decisions_in_the_json(cpsf_bin, small, tmp_path):
    r = run(cpsf_bin, str(small), "-b", "supplier-rule", "--trials", "500", "--out", str(tmp_path), "-q")
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    row = json.loads((tmp_path / "compare.json").read_text())["rows"][0]
    decisions = {d["enterprise"]: d for d in row["supplier_rule"]}
    assert decisions["it"]["baseline"] == "SCS-4" and decisions["it"]["previous_baseline"] == "SCS-3"
    assert decisions["it"]["reasons"][0]["reason"] == "reaches_systems"
    assert decisions["it"]["reasons"][0]["relation"] == "r-remote"
    # GOODS_SUPPLY in L1 is not reach: ★3, though it had ★4.
    assert decisions["parts"]["baseline"] == "SCS-3" and decisions["parts"]["reasons"] == []
    assert row["changed_enterprises"] == 2
    assert "buyer" not in decisions


def test_same_bytes_at_one_and_two_threads(cpsf_bin, root, small, tmp_path):
    outputs = []
    for threads in ("1", "2"):
        out = tmp_path / threads
        r = run(cpsf_bin, DEFAULT, str(small), "-b", "as-is,SCS-4,supplier-rule", "--trials", "3000", "--threads",
                threads, "--out", str(out), "-q", cwd=root)
        assert r.returncode == 0, r.stderr
        outputs.append([(out / n).read_bytes() for n in ("compare.json", "compare.csv", "compare-profile.csv")])
    assert outputs[0] == outputs[1]


def test_stdout_formats(cpsf_bin, small, tmp_path):
    r = run(cpsf_bin, str(small), "--trials", "300", "--out", str(tmp_path), "--format", "json")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (tmp_path / "compare.json").read_text()
    r = run(cpsf_bin, str(small), "--trials", "300", "--out", str(tmp_path), "--format", "csv")
    assert r.stdout == (tmp_path / "compare.csv").read_text()
    assert run(cpsf_bin, str(small), "--format", "xml").returncode == 2


def test_threat_filter(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, DEFAULT, "--threat", "apt-supply-chain", "--trials", "1000", "--out", str(tmp_path), "-q",
            cwd=root)
    assert r.returncode == 0, r.stderr
    doc = json.loads((tmp_path / "compare.json").read_text())
    assert doc["threat"] == "apt-supply-chain"
    assert doc["scenarios"][0]["threats"] == ["apt-supply-chain"]


@pytest.mark.parametrize("args, message", [
    (["-b", "SCS-5"], "baseline 'SCS-5' is not defined: SCS ★5 is still under design by METI"),
    (["-b", "SCS4"], "baseline 'SCS4' is not defined (fix: use as-is, supplier-rule, SCS-3, SCS-4"),
    (["-b", "SCS-3,SCS-3"], "baseline 'SCS-3' is given twice"),
    (["--threat", "crew"], f"scenario '{DEFAULT_NAME}': threat 'crew' is not defined (fix: choose one of its threats:"),
])
def test_bad_options_exit_2_with_the_scenario_and_a_fix(cpsf_bin, root, small, args, message):
    r = run(cpsf_bin, DEFAULT, str(small), "--trials", "10", "--out", "/nonexistent-never-written", *args, cwd=root)
    assert r.returncode == 2
    assert message in r.stderr
    # Validation warnings of the scenarios come first (SMALL's "it" claims SCS-3, which no step
    # into its assets lists: a baseline that changes nothing); then the error.
    errors = [line for line in r.stderr.splitlines() if ": warning: " not in line]
    assert errors[0].startswith("cpsf compare: error: "), r.stderr
    assert r.stdout == ""


def test_invalid_scenario_exits_1_and_nothing_runs(cpsf_bin, small, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('enterprises { id: "oem" baseline: "SCS-5" }\n'
                   'assets { id: "a" owner: "oem" layer: L3 element: DATA exposure: 0.5 }\n')
    out = tmp_path / "out"
    r = run(cpsf_bin, str(small), str(bad), "--out", str(out))
    assert r.returncode == 1
    assert "still under design" in r.stderr
    assert "cpsf compare: " in r.stderr and "is invalid" in r.stderr
    assert not out.exists()
    assert run(cpsf_bin, str(tmp_path / "missing.textproto")).returncode == 2
    assert run(cpsf_bin, str(small), str(small)).returncode == 2  # the same file twice
    (tmp_path / "link.textproto").symlink_to(small)
    r = run(cpsf_bin, str(small), str(tmp_path / "link.textproto"))  # ... under another name
    assert r.returncode == 2 and "are the same file" in r.stderr, r.stderr


def test_rows_are_labelled_by_the_scenario_name_whatever_the_file(cpsf_bin, small, tmp_path):
    """The same scenario under two file names gets one label; two scenarios of one name (or of
    long or Japanese names) get labels told apart by their files, and the table stays aligned."""
    copy = tmp_path / "x" / "renamed.json"
    copy.parent.mkdir()
    assert subprocess.run([cpsf_bin, "convert", str(small), str(copy)], timeout=60).returncode == 0
    for path in (small, copy):
        r = run(cpsf_bin, str(path), "--trials", "50", "--out", str(tmp_path / "o"), "--format", "json")
        assert [s["label"] for s in json.loads(r.stdout)["scenarios"]] == ["small chain"]
    r = run(cpsf_bin, str(small), str(copy), "--trials", "50", "--out", str(tmp_path / "o"), "--format", "json")
    assert [s["label"] for s in json.loads(r.stdout)["scenarios"]] == ["small chain (small)", "small chain (renamed)"]
    japanese, long = tmp_path / "jp" / "scenario.textproto", tmp_path / "long.textproto"
    japanese.parent.mkdir()
    japanese.write_text(SMALL.replace('name: "small chain"', 'name: "トヨタ自動車"'))
    long.write_text(SMALL.replace('name: "small chain"', 'name: "' + "n" * 100 + '"'))
    r = run(cpsf_bin, str(japanese), str(long), str(small), "--trials", "50", "--out", str(tmp_path / "o"))
    assert r.returncode == 0, r.stderr
    rows = [line for line in r.stdout.splitlines() if line.startswith("  ") and " ± " in line]  # heading, 3 rows
    assert len(rows) == 4 and rows[1].startswith("  トヨタ自動車 ") and "n" * 100 not in rows[2] and "…" in rows[2]
    width = lambda s: sum(2 if "\u3000" <= c <= "\u9fff" else 1 for c in s)  # noqa: E731
    assert len({width(row) for row in rows}) == 1, rows


def test_help_lists_the_options(cpsf_bin):
    r = subprocess.run([cpsf_bin, "compare", "--help"], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0
    for option in ("--baseline", "--threat", "--trials", "--seed", "--threads", "--out", "--format", "--quiet"):
        assert option in r.stdout, option


def test_scoped_baselines_and_their_money(cpsf_bin, root, tmp_path):
    # A role holding a comma: %2C keeps it in one variant of the comma-separated list.
    role = "tier-1 (wire harnesses)"
    r = run(cpsf_bin, DEFAULT, "-b", "as-is,SCS-4@role=OEM,SCS-4@sector=automotive|logistics,SCS-4@id=t2|oem",
            "--trials", "1500", "--out", str(tmp_path), cwd=root)
    assert r.returncode == 0, r.stderr
    d = json.loads((tmp_path / "compare.json").read_text())
    rows = {row["baseline"]: row for row in d["rows"]}
    assert list(rows) == ["as-is", "SCS-4@role=OEM", "SCS-4@sector=automotive|logistics", "SCS-4@id=t2|oem"]
    assert rows["SCS-4@role=OEM"]["changed_enterprises"] == 1           # oem had none
    assert rows["SCS-4@sector=automotive|logistics"]["changed_enterprises"] == 3  # oem, t2, logi
    assert rows["as-is"]["cost"] == 0 and rows["as-is"]["removed"]["mean"] == 0
    for b in ("SCS-4@role=OEM", "SCS-4@id=t2|oem"):
        row = rows[b]
        assert row["cost"] > 0 and row["removed"]["stderr"] > 0
        assert row["net_benefit"]["mean"] == pytest.approx(row["removed"]["mean"] - row["cost"])
        # The removed loss is the paired difference of the annual means.
        assert row["removed"]["mean"] == pytest.approx(rows["as-is"]["annual"]["mean"] - row["annual"]["mean"])
    # oem alone costs the whole of SCS-4; t2 (SCS-3 before) only what SCS-4 adds to it.
    assert rows["SCS-4@id=t2|oem"]["cost"] > rows["SCS-4@role=OEM"]["cost"]
    assert d["warnings"] == []
    header = (tmp_path / "compare.csv").read_text().splitlines()[0].split(",")
    assert header[-6:] == ["changed_enterprises", "cost", "removed_mean", "removed_stderr", "net_benefit_mean",
                           "net_benefit_stderr"]
    assert "money, a year, against the scenario as it is" in r.stdout and "net benefit ± SE" in r.stdout
    r = run(cpsf_bin, DEFAULT, "-b", f"SCS-4@role={role.replace(',', '%2C')}", "--trials", "200", "--out",
            str(tmp_path), "-q", cwd=root)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("variant,message", [
    ("SCS-4@role=tier-2", "no enterprise has role 'tier-2' (fix: use one of the roles that exist: IT service"),
    ("SCS-4@sector=energy", "use one of the sectors that exist: automotive, it-services, logistics"),
    ("SCS-4@id=oem|nope", "no enterprise has id 'nope'"),
    ("SCS-4@colour=red", "unknown scope 'colour'"),
    ("as-is@id=oem", "as-is changes no enterprise, so it takes no scope"),
    ("SCS-4@id=a%2", "a '%' not followed by two hex digits"),
])
def test_bad_scopes_exit_2_saying_what_exists(cpsf_bin, root, tmp_path, variant, message):
    r = run(cpsf_bin, DEFAULT, "-b", variant, "--trials", "100", "--out", str(tmp_path), cwd=root)
    assert r.returncode == 2 and message in r.stderr, r.stderr
    assert not (tmp_path / "compare.json").exists()


def test_a_scope_that_matches_nothing_in_a_scenario_is_warned_about(cpsf_bin, root, small, tmp_path):
    r = run(cpsf_bin, DEFAULT, str(small), "-b", "SCS-4@role=OEM", "--trials", "200", "--out", str(tmp_path), "-q",
            cwd=root)
    assert r.returncode == 0, r.stderr
    assert "cpsf compare: warning: baseline variant 'SCS-4@role=OEM' matches no enterprise of scenario" in r.stderr
    assert json.loads((tmp_path / "compare.json").read_text())["warnings"]
