"""Stored results: `cpsf run` of the default scenario and two sector scenarios at a fixed seed must
write exactly the results.json, assets.csv and losses.csv kept in tests/data/regression/.

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
ARGS = ["--trials", "1000", "--seed", "20261207", "--threads", "2", "-q"]
FILES = ("results.json", "assets.csv", "losses.csv")


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
