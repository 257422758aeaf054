"""The cpsf command line end to end: exit codes, messages, conversion, help."""
import json
import subprocess

import pytest

DEFAULT = "scenarios/default/scenario.textproto"


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd, timeout=60)


def test_default_scenario_is_valid_and_summarised(cpsf_bin, root):
    r = run(cpsf_bin, "validate", "--summary", str(root / DEFAULT))
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert "valid (0 errors, 0 warnings)" in r.stdout
    # The summary shows the layer x element table and every count.
    for label in ("enterprises", "assets", "relations", "controls", "threats", "L1 organisations",
                  "L2 cyber-physical", "L3 cyberspace", "ORG  PEOPLE  COMP  DATA  PROC   SYS"):
        assert label in r.stdout, label


def test_invalid_scenario_exits_1_with_file_line_entity_and_fix(cpsf_bin, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('enterprises { id: "oem" }\n'
                   'assets { id: "plc" owner: "oem" layer: L2 element: COMPONENT exposure: 1.5 }\n')
    r = run(cpsf_bin, "validate", str(bad))
    assert r.returncode == 1
    line = r.stderr.strip().splitlines()[0]
    assert line.startswith(f"{bad}:2:")
    assert "error: asset 'plc': exposure is 1.5, outside [0, 1]" in line
    assert "(fix: " in line
    assert "invalid (1 error, 0 warnings)" in r.stdout


def test_every_problem_is_reported(cpsf_bin, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({
        "enterprises": [{"id": "oem"}, {"id": "oem"}],
        "assets": [{"id": "a", "owner": "nobody", "layer": "L3", "element": "DATA", "exposure": 0.5}],
        "relations": [{"from": "a", "to": "b", "layer": "L3", "step": {"p": 2}}],
    }, indent=1))
    r = run(cpsf_bin, "validate", str(bad))
    assert r.returncode == 1
    assert "duplicate id" in r.stderr
    assert "owner 'nobody' is not defined" in r.stderr
    assert "to 'b' is not defined" in r.stderr
    assert "step.p is 2, outside [0, 1]" in r.stderr


def test_warnings_alone_keep_exit_0_unless_werror(cpsf_bin, tmp_path):
    f = tmp_path / "w.textproto"
    f.write_text('enterprises { id: "oem" }\n'
                 'assets { id: "a" owner: "oem" layer: L3 element: DATA exposure: 0.5 }\n'
                 'controls { id: "c" requirement: "CPS.ZZ-1" efficacy: 0.5 }\n')
    assert run(cpsf_bin, "validate", str(f)).returncode == 0
    r = run(cpsf_bin, "validate", "--werror", str(f))
    assert r.returncode == 1
    assert "warning: control 'c': unknown CPSF requirement id 'CPS.ZZ-1'" in r.stderr


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.textproto", "no such file"),
    (lambda d: d, "is a directory"),
])
def test_io_problems_exit_2(cpsf_bin, tmp_path, make, message):
    r = run(cpsf_bin, "validate", str(make(tmp_path)))
    assert r.returncode == 2
    assert message in r.stderr


def test_size_limit_exit_2_without_reading(cpsf_bin, root, tmp_path):
    big = tmp_path / "big.pb"
    with open(big, "wb") as f:
        f.truncate(8 << 30)  # sparse: reading it would take 8 GiB
    r = run(cpsf_bin, "validate", str(big))
    assert r.returncode == 2
    assert "over the limit" in r.stderr
    r = run(cpsf_bin, "validate", "--max-file-size", "10", str(root / DEFAULT))
    assert r.returncode == 2
    assert "over the limit of 10 bytes" in r.stderr


def test_usage_errors_exit_2(cpsf_bin):
    assert run(cpsf_bin).returncode == 2
    assert run(cpsf_bin, "validate").returncode == 2
    assert run(cpsf_bin, "frobnicate").returncode == 2
    assert run(cpsf_bin, "validate", "--no-such-option", DEFAULT).returncode == 2


def test_worst_file_decides_the_exit_code(cpsf_bin, root, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text("assets { id: 1 }\n")
    assert run(cpsf_bin, "validate", str(root / DEFAULT), str(bad)).returncode == 1
    assert run(cpsf_bin, "validate", str(bad), str(tmp_path / "none.json")).returncode == 2


def test_convert_round_trip_is_exact(cpsf_bin, root, tmp_path):
    src = root / DEFAULT
    steps = ["a.json", "b.pb", "c.txtpb", "d.json", "e.binpb"]
    prev = src
    for name in steps:
        out = tmp_path / name
        r = run(cpsf_bin, "convert", str(prev), str(out))
        assert r.returncode == 0, r.stderr
        prev = out
    # Binary of the original and of the last hop are byte-identical.
    run(cpsf_bin, "convert", str(src), str(tmp_path / "orig.pb"))
    assert (tmp_path / "orig.pb").read_bytes() == (tmp_path / "e.binpb").read_bytes()
    assert (tmp_path / "a.json").read_text() == (tmp_path / "d.json").read_text()
    # JSON is plain JSON that other tools read.
    doc = json.loads((tmp_path / "a.json").read_text())
    assert len(doc["assets"]) > 0


def test_convert_to_stdout_and_errors(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "convert", str(root / DEFAULT), "-", "--to", "json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["name"]
    assert run(cpsf_bin, "convert", str(root / DEFAULT), "-").returncode == 2
    assert run(cpsf_bin, "convert", str(root / DEFAULT), str(tmp_path / "x.yaml")).returncode == 2
    bad = tmp_path / "bad.textproto"
    bad.write_text("assets { colour: 1 }\n")
    r = run(cpsf_bin, "convert", str(bad), str(tmp_path / "out.pb"))
    assert r.returncode == 1
    assert "unknown field \"colour\"" in r.stderr
    assert not (tmp_path / "out.pb").exists()


def test_convert_flatten_inlines_includes(cpsf_bin, tmp_path):
    (tmp_path / "part.textproto").write_text('enterprises { id: "oem" }\n')
    (tmp_path / "top.textproto").write_text(
        'include: "part.textproto"\nassets { id: "a" owner: "oem" layer: L3 element: DATA exposure: 0.5 }\n')
    r = run(cpsf_bin, "convert", "--flatten", str(tmp_path / "top.textproto"), "-", "--to", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert "include" not in doc
    assert doc["enterprises"] == [{"id": "oem"}]


def test_catalogue_lists_requirements_and_baselines(cpsf_bin):
    r = run(cpsf_bin, "catalogue", "--format", "json")
    assert r.returncode == 0
    doc = json.loads(r.stdout)
    ids = {req["id"] for req in doc["requirements"]}
    assert {"CPS.AC-1", "CPS.SC-1", "CPS.RP-1"} <= ids
    assert {b["id"] for b in doc["baselines"]} >= {"SCS-3", "SCS-4", "JC-STAR-1", "JC-STAR-2"}
    assert all(b["illustrative"] for b in doc["baselines"])


@pytest.mark.parametrize("verb", ["validate", "convert", "run", "catalogue"])
def test_every_verb_has_help(cpsf_bin, verb):
    r = run(cpsf_bin, verb, "--help")
    assert r.returncode == 0
    assert "Usage:" in r.stdout


def test_version_names_schema_and_revision(cpsf_bin):
    r = run(cpsf_bin, "--version")
    assert r.returncode == 0
    assert "schema cpsf.v1" in r.stdout and "git " in r.stdout
