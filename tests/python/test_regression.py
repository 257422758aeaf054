"""Stored results: `cpsf run` of the default scenario and two sector scenarios at a fixed seed must
write exactly the results.json and the CSVs kept in tests/data/regression/.

A change that moves code and should change no number (a refactoring, a faster loop) is shown to
be one by this test staying green. A change that means to change numbers (new semantics, a new
key) updates the stored files in the same commit, after reading their diff:

    /usr/bin/python3 tests/python/test_regression.py [build/bin/cpsf]

Only `engine.git_revision` in results.json is not compared: it names the build.
"""
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
STORED = ROOT / "tests" / "data" / "regression"
# Each: the scenario (relative to the repository root, as results.json records it) and the run.
CASES = {
    "default": "scenarios/default/scenario.textproto",
    "automotive": "scenarios/sectors/automotive/scenario.textproto",
    "electric-power": "scenarios/sectors/electric-power/scenario.textproto",
}
ARGS = ["--trials", "1000", "--seed", "20261207", "--threads", "2", "-q", "--per-trial"]
FILES = ("results.json", "assets.csv", "losses.csv", "enterprises.csv", "paths.csv", "chokepoints.csv")


def run_case(cpsf_bin, scenario, out):
    r = subprocess.run([cpsf_bin, "run", scenario, *ARGS, "--out", str(out)], capture_output=True, text=True,
                       cwd=ROOT, timeout=600)
    assert r.returncode == 0, r.stderr
    return {name: (out / name).read_bytes() for name in FILES}


def without_revision(results_json: bytes) -> bytes:
    """results.json with engine.git_revision blanked; every other byte kept as written."""
    doc = json.loads(results_json)
    revision = doc["engine"]["git_revision"]
    marker = f'"git_revision": {json.dumps(revision)}'.encode()
    assert results_json.count(marker) == 1, "git_revision is not written where expected"
    return results_json.replace(marker, b'"git_revision": ""')


@pytest.mark.parametrize("case", sorted(CASES))
def test_results_are_the_stored_ones_byte_for_byte(cpsf_bin, tmp_path, case):
    written = run_case(cpsf_bin, CASES[case], tmp_path / case)
    for name in FILES:
        stored = (STORED / case / name).read_bytes()
        actual = written[name]
        if name == "results.json":
            actual = without_revision(actual)
        assert actual == stored, (f"{case}/{name} differs from tests/data/regression/{case}/{name}: if the change "
                                  f"means to change results, update them with "
                                  f"`/usr/bin/python3 tests/python/test_regression.py` and read the diff")


def significant_digits(text):
    """The significant digits of a number as written: "0.00120" -> "12", "2.5e+06" -> "25"."""
    mantissa = text.lower().lstrip("-").split("e")[0].replace(".", "")
    return mantissa.strip("0") or "0"


@pytest.mark.parametrize("case", sorted(CASES))
def test_stored_csv_numbers_are_the_shortest_that_read_back(case):
    """Every number cell holds as few significant digits as Python's repr, the shortest round trip."""
    import csv
    numbers = 0
    for name in (n for n in FILES if n.endswith(".csv")):
        with open(STORED / case / name, newline="", encoding="utf-8") as f:
            for row in list(csv.reader(f))[1:]:
                for cell in row:
                    try:
                        x = float(cell)
                    except ValueError:
                        continue
                    numbers += 1
                    assert significant_digits(cell) == significant_digits(repr(x)), f"{name}: {cell}"
    assert numbers > 1000


def test_same_numbers_script_tells_a_changed_value_from_a_changed_form(tmp_path):
    """scripts/csv-same-numbers.py, which proved the stored CSVs' values unchanged, can fail."""
    script = ROOT / "scripts" / "csv-same-numbers.py"
    old, same, changed = tmp_path / "old.csv", tmp_path / "same.csv", tmp_path / "changed.csv"
    old.write_text("id,p,n\na,0.30070000000000002,1\n")
    same.write_text("id,name,p,n\na,x,0.3007,1\n")  # a column added: the old ones compared
    changed.write_text("id,p,n\na,0.30070000000000008,1\n")  # the next double up
    run = lambda *args: subprocess.run([sys.executable, str(script), *map(str, args)], capture_output=True, text=True)
    ok = run(old, same)
    assert ok.returncode == 0 and "2 numbers and 1 other cells" in ok.stdout and "same values" in ok.stdout
    bad = run(old, changed)
    assert bad.returncode == 1 and "row 1, p" in bad.stdout


def update(cpsf_bin):
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        for case, scenario in CASES.items():
            written = run_case(cpsf_bin, scenario, pathlib.Path(tmp) / case)
            (STORED / case).mkdir(parents=True, exist_ok=True)
            for name, data in written.items():
                (STORED / case / name).write_bytes(without_revision(data) if name == "results.json" else data)
            print(f"wrote tests/data/regression/{case}/{{{','.join(FILES)}}}")


if __name__ == "__main__":
    update(sys.argv[1] if len(sys.argv) > 1 else str(ROOT / "build" / "bin" / "cpsf"))
