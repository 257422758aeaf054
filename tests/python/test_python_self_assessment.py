"""cpsf.read_self_assessment / import_self_assessment: the engine's self-assessment importer from
Python, with the command line's scenario, report and diagnostics."""
import os
import pathlib
import subprocess
import warnings

import pytest

import cpsf

ROOT = pathlib.Path(__file__).resolve().parents[2]
EX = cpsf.EXAMPLE_SELF_ASSESSMENT


def test_into_a_scenario_gives_what_the_cli_writes(tmp_path):
    with pytest.warns(cpsf.ScenarioWarning, match="'Hoshino Plastics' is no enterprise"):
        r = cpsf.read_self_assessment(EX / "answers.csv", mapping=EX / "mapping.csv",
                                      into=cpsf.load(cpsf.DEFAULT_SCENARIO))
    out = tmp_path / "a.pb"
    cli = os.environ.get("CPSF_BIN", str(ROOT / "build/bin/cpsf"))
    subprocess.run([cli, "import", "self-assessment", str(EX / "answers.csv"), "--map", str(EX / "mapping.csv"),
                    "--into", str(cpsf.DEFAULT_SCENARIO), "-o", str(out), "-q"], check=True, capture_output=True)
    cli_scenario = cpsf.Scenario.from_bytes(out.read_bytes())
    assert [c.id for c in r.scenario.controls] == [c.id for c in cli_scenario.controls]
    assert r.scenario.controls[-1] == cli_scenario.controls[-1]
    assert r.report["unmatched"] == [("Hoshino Plastics", 48)]
    assert (r.report["rows"], r.report["implemented"], r.report["controls_written"]) == (47, 40, 41)
    t2 = next(c for c in r.report["companies"] if c["enterprise"] == "t2")
    assert t2["nearest"] == "SCS-3" and t2["baselines"]["SCS-3"] == {"required": 9, "covered": 9, "missing": []}
    assert "CPS.RM-1 BASIC" in t2["baselines"]["SCS-4"]["missing"]
    assert r.report["text"].startswith("47 answer rows: 40 implemented")


def test_into_a_path_and_strict():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", cpsf.ScenarioWarning)
        s = cpsf.import_self_assessment(EX / "answers.csv", mapping=EX / "mapping.csv", into=cpsf.DEFAULT_SCENARIO)
    assert isinstance(s, cpsf.Scenario) and any(c.id == "sa-t2-CPS.AC-1" for c in s.controls)
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_self_assessment(EX / "answers.csv", mapping=EX / "mapping.csv", into=cpsf.DEFAULT_SCENARIO,
                                    strict=True)
    (p,) = [p for p in e.value.problems if p.is_error]
    assert p.line == 48 and p.path == "company" and p.file.endswith("answers.csv")


def test_fragment_without_into():
    r = cpsf.read_self_assessment(EX / "answers.csv", mapping=EX / "mapping.csv")
    assert [e.id for e in r.scenario.enterprises][:3] == ["oem", "aoba-electronics", "sakura-wire-harness"]
    assert len(r.scenario.controls) == 42 and len(r.scenario.assets) == 0
    assert r.report["enterprises_made"] == 7


def test_errors_carry_file_line_and_column(tmp_path):
    a = tmp_path / "a.csv"
    a.write_text("company,item,answer\noem,CPS.AC-1,maybe\noem,Q9,yes\n")
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_self_assessment(a, into=cpsf.DEFAULT_SCENARIO)
    found = {(p.line, p.path) for p in e.value.problems if p.is_error}
    assert found == {(2, "answer"), (3, "item")}
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_self_assessment(tmp_path / "none.csv")
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_self_assessment(a, max_file_bytes=5)
