"""The Python package: scenarios — layout, loading with the CLI's checks, the three formats,
building and changing scenarios, validation errors with file, line and entity.

Run with the virtual environment scripts/python-env.sh makes (.venv/bin/python -m pytest),
as tests/CMakeLists.txt (pytest_python) does: that is how users get `import cpsf`."""
import copy
import os
import pathlib
import pickle
import subprocess
import warnings

import pytest

import cpsf

TINY = """\
name: "tiny"
currency: "kJPY"
enterprises { id: "acme" daily_output: 1000 }
assets { id: "pc" owner: "acme" layer: L3 element: COMPONENT exposure: 0.3 }
assets { id: "files" owner: "acme" layer: L3 element: DATA target: true loss { confidentiality: 5000 } }
relations { from: "pc" to: "files" layer: L3 kind: NETWORK step { p: 0.5 mitigated_by: "CPS.AC-1" } }
controls { id: "mfa" requirement: "CPS.AC-1" level: ADVANCED efficacy: 0.8 implemented: true }
"""


def cli(cpsf_bin, *args, **kw):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, timeout=300, **kw)


def test_package_is_this_build_and_source_tree(root):
    """Both halves are found: python/cpsf (pure Python) and <build>/python/cpsf (_core, cpsf.v1)."""
    core = pathlib.Path(cpsf._core.__file__).resolve()
    expected = os.environ.get("CPSF_PYTHON_PACKAGE_DIR")  # set by CTest to the build under test
    if expected:
        assert core.parent == pathlib.Path(expected).resolve() / "cpsf", (
            f"cpsf._core comes from {core}, not from the build under test {expected}: "
            "run bash scripts/python-env.sh (it points .venv at build/python)")
    assert pathlib.Path(cpsf.__file__).resolve() == root / "python" / "cpsf" / "__init__.py"
    assert (root / "python" / "cpsf" / "py.typed").exists()
    assert (root / "python" / "cpsf" / "_core.pyi").exists()
    assert pathlib.Path(cpsf.v1.__file__).resolve().parent == core.parent / "v1"
    assert cpsf.v1.Scenario.DESCRIPTOR.full_name == "cpsf.v1.Scenario"
    assert cpsf.SCHEMA == "cpsf.v1" and cpsf.__version__


def test_load_the_default_scenario_and_its_summary(cpsf_bin, root):
    s = cpsf.load(root / "scenarios/default/scenario.textproto")
    assert s.source == str(root / "scenarios/default/scenario.textproto")
    assert s.files == [s.source]
    assert (len(s.enterprises), len(s.assets), len(s.threats)) == (6, 49, 3)
    assert s == cpsf.load(cpsf.DEFAULT_SCENARIO)
    r = cli(cpsf_bin, "validate", "--summary", s.source)
    assert r.returncode == 0 and s.summary() in r.stdout


@pytest.mark.parametrize("name", ["s.textproto", "s.json", "s.pb"])
def test_save_writes_what_cpsf_convert_writes(cpsf_bin, root, tmp_path, name):
    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    (tmp_path / "py").mkdir()
    mine = s.save(tmp_path / "py" / name)
    r = cli(cpsf_bin, "convert", "--flatten", str(cpsf.DEFAULT_SCENARIO), str(tmp_path / name))
    assert r.returncode == 0, r.stderr
    assert mine.read_bytes() == (tmp_path / name).read_bytes()
    assert cpsf.load(mine) == s


def test_binary_files_carry_an_integrity_record_that_catches_a_cut(cpsf_bin, tmp_path):
    """save() writes the record cpsf convert writes; a file cut between two fields (which
    protobuf cannot see) is refused by load() and from_bytes(); the record is never part of
    the scenario; a file without one (another tool's) loads with a warning."""
    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    path = s.save(tmp_path / "s.pb")
    data = path.read_bytes()
    assert data[:3] == b"\xfa\x7f\x0e" and data[17:] == s.to_bytes()
    assert cpsf.Scenario.from_bytes(data) == s and not cpsf.Scenario.from_bytes(data).proto.HasField("integrity")
    assert cpsf.load(path) == s
    assert "integrity" not in s.to_text().replace("integrity:", "")
    settings_at = data.rfind(b"\xa2\x01")  # the last field: settings (20)
    cut = tmp_path / "cut.pb"
    cut.write_bytes(data[:settings_at])
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.load(cut)
    assert "the file was cut short" in str(caught.value)
    with pytest.raises(cpsf.ScenarioError, match="cut short"):
        cpsf.Scenario.from_bytes(data[:settings_at])
    r = cli(cpsf_bin, "validate", str(cut))
    assert r.returncode == 1 and "cut short" in r.stderr
    foreign = tmp_path / "foreign.pb"
    foreign.write_bytes(s.to_bytes())
    with pytest.warns(cpsf.ScenarioWarning, match="no integrity record"):
        assert cpsf.load(foreign) == s


def test_text_and_json_strings_round_trip():
    s = cpsf.Scenario.from_text(TINY)
    assert cpsf.Scenario.from_text(s.to_text()) == s
    assert cpsf.Scenario.from_json(s.to_json()) == s
    assert cpsf.Scenario.from_dict(s.to_dict()) == s
    assert cpsf.Scenario.from_bytes(s.to_bytes()) == s
    with pytest.raises(ValueError, match="cannot tell the format"):
        s.save("scenario.txt")
    with pytest.raises(ValueError, match="format must be one of"):
        s.save("scenario.txt", format="yaml")


def test_build_with_keywords_and_dicts_gives_the_same_scenario():
    built = cpsf.Scenario(name="tiny", currency="kJPY")
    built.add_enterprise(id="acme", daily_output=1000)
    built.add_asset(id="pc", owner="acme", layer="L3", element="COMPONENT", exposure=0.3)
    built.add_asset({"id": "files", "owner": "acme", "layer": "L3", "element": "DATA", "target": True},
                    loss={"confidentiality": 5000})
    built.add_relation(from_="pc", to="files", layer="L3", kind="NETWORK",
                       step={"p": 0.5, "mitigated_by": ["CPS.AC-1"]})
    built.add_control(cpsf.v1.Control(id="mfa", requirement="CPS.AC-1", level=cpsf.v1.ADVANCED, efficacy=0.8,
                                      implemented=True))
    assert built == cpsf.Scenario.from_text(TINY)
    assert built.validate() == []
    assert repr(built) == "<cpsf.Scenario 'tiny': 1 enterprise, 2 assets, 1 relation, 1 control, 0 threats>"


def test_fields_are_attributes_and_entities_are_live():
    s = cpsf.Scenario.from_text(TINY)
    s.name = "renamed"
    s.settings = {"trials": 2000, "seed": 9}
    assert s.proto.name == "renamed" and s.settings.trials == 2000 and s.settings.seed == 9
    s.asset("pc").exposure = 0.6
    assert s.proto.assets[0].exposure == 0.6
    s.control("mfa").implemented = False
    assert [c.id for c in s.candidate_controls()] == ["mfa"]
    s.assets = [{"id": "only", "owner": "acme", "layer": "L1", "element": "PEOPLE"}]
    assert [a.id for a in s.assets] == ["only"]
    with pytest.raises(AttributeError, match="no field 'colour'"):
        s.colour = "red"
    with pytest.raises(KeyError):
        s.asset("nope")
    assert "assets" in dir(s)


def test_copy_and_pickle_are_independent():
    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    for other in (s.copy(), copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert other == s and other.source == s.source
        other.asset("oem-mes").containment = 0.9
        assert other != s


def test_unknown_fields_from_python_raise_scenario_error():
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.Scenario().add_asset(id="a", colour="red")
    assert "colour" in str(e.value) and e.value.problems[0].path == "assets[0]"
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.Scenario.from_text('name: "x"\nassets { id: "a" colour: "red" }\n')
    assert (e.value.problems[0].line, e.value.problems[0].column) == (2, 18)


def test_invalid_file_raises_with_file_line_entity_and_the_cli_text(cpsf_bin, tmp_path):
    bad = tmp_path / "bad.textproto"
    bad.write_text('enterprises { id: "e" }\n'
                   'assets { id: "a" owner: "e" layer: L3 element: DATA exposure: 0.5 }\n'
                   'assets {\n  id: "b"\n  owner: "nobody"\n  layer: L3\n  element: DATA\n  exposure: 2\n}\n')
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.load(bad)
    e = caught.value
    assert str(bad) in str(e) and "invalid" in str(e)
    by_path = {p.path: p for p in e.errors}
    exposure = by_path["assets[1].exposure"]
    assert (exposure.file, exposure.line, exposure.entity) == (str(bad), 8, "asset 'b'")
    assert "exposure is 2" in exposure.message and exposure.hint
    assert by_path["assets[1].owner"].line == 5
    # The same lines `cpsf validate` prints.
    r = cli(cpsf_bin, "validate", str(bad))
    assert r.returncode == 1
    assert [str(p) for p in e.problems] == [line for line in r.stderr.splitlines() if line.strip()]
    # run() refuses it the same way, before running anything.
    with pytest.raises(cpsf.ScenarioError, match="bad.textproto"):
        cpsf.run(bad, trials=100, progress=False)
    with pytest.raises(cpsf.ScenarioError):
        cpsf.validate(bad)


def test_problems_quoting_half_a_character_still_raise_scenario_error(tmp_path):
    """The text parser quotes the byte it stopped at (here half of a mid-file byte-order
    mark): the problem must still be a str, not a UnicodeDecodeError out of cpsf.load."""
    path = tmp_path / "m.textproto"
    path.write_bytes(b'name: "x"\n\xef\xbb\xbf\n')
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.load(path)
    assert any("\\xef" in p.message for p in caught.value.problems)


def test_problems_in_an_included_file_name_that_file(tmp_path):
    (tmp_path / "parts").mkdir()
    (tmp_path / "parts" / "more.textproto").write_text(
        'assets { id: "m" owner: "e" layer: L3 element: DATA }\n'
        'assets { id: "n" owner: "e" layer: L3 element: DATA containment: 7 }\n')
    main = tmp_path / "main.textproto"
    main.write_text('include: "parts/more.textproto"\nenterprises { id: "e" }\n'
                    'assets { id: "a" owner: "e" layer: L3 element: DATA exposure: 0.5 }\n')
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.load(main)
    [p] = caught.value.errors
    assert pathlib.Path(p.file).name == "more.textproto" and p.line == 2 and p.entity == "asset 'n'"
    (tmp_path / "parts" / "more.textproto").write_text('assets { id: "m" owner: "e" layer: L3 element: DATA }\n')
    s = cpsf.load(main)
    assert [a.id for a in s.assets] == ["a", "m"] and list(s.include) == []  # merged
    assert len(s.files) == 2
    (tmp_path / "escape.textproto").write_text('include: "../outside.textproto"\n')
    with pytest.raises(cpsf.ScenarioError):
        cpsf.load(tmp_path / "escape.textproto")


def test_files_that_cannot_be_read_raise_scenario_file_error(tmp_path):
    with pytest.raises(cpsf.ScenarioFileError) as caught:
        cpsf.load(tmp_path / "missing.textproto")
    assert isinstance(caught.value, OSError) and isinstance(caught.value, cpsf.ScenarioError)
    assert "missing.textproto" in str(caught.value)
    with pytest.raises(OSError):
        cpsf.load(tmp_path)  # a directory
    big = tmp_path / "big.textproto"
    big.write_text(TINY)
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.load(big, max_file_bytes=10)
    garbage = tmp_path / "garbage.textproto"
    garbage.write_bytes(b"name: \"x\"\n\x00\x01\x02")
    with pytest.raises(cpsf.ScenarioError):
        cpsf.load(garbage)


def test_in_memory_problems_name_the_entity_and_path():
    s = cpsf.Scenario.from_text(TINY)
    s.remove("asset", "pc")
    problems = s.problems()
    assert all(p.file == "<memory>" and p.line == 0 for p in problems)
    dangling = [p for p in problems if p.is_error and "pc" in p.message]
    assert dangling and dangling[0].entity.startswith("relation") and dangling[0].path.startswith("relations[0]")
    with pytest.raises(cpsf.ScenarioError) as caught:
        s.validate(name="what-if")
    assert caught.value.problems[0].file == "what-if"


def _enum_out_of_range(s, how):
    """Puts a number outside its enum into the scenario by one of the package's ways in."""
    if how == "add_asset":
        s.add_asset(id="x", owner="acme", layer=4, element="DATA")
        return "assets[2].layer", "4", "L1, L2, L3"
    if how == "add_asset message":
        s.add_asset(cpsf.v1.Asset(id="x", owner="acme", layer=cpsf.v1.L1, element=99))
        return "assets[2].element", "99", "ORGANIZATION, PEOPLE"
    if how == "attribute":
        s.asset("pc").gate = 5
        return "assets[0].gate", "5", "ANY, ALL"
    if how == "add_relation":
        s.add_relation(from_="pc", to="files", layer=-1, step={"p": 0.5})
        return "relations[1].layer", "-1", "L1, L2, L3"
    if how == "add_control":
        s.add_control(id="c", requirement="CPS.AC-1", level=7, efficacy=0.5)
        return "controls[1].level", "7", "BASIC, ADVANCED, HIGH_ADVANCED"
    if how == "add_threat":
        s.add_threat(id="t", capability=9)
        return "threats[0].capability", "9", "COMMON_ATTACKS"
    if how == "from_dict":
        d = s.to_dict()
        d["relations"][0]["kind"] = 42
        s.relations = d["relations"]
        return "relations[0].kind", "42", "NETWORK, TRUST"
    raise AssertionError(how)


@pytest.mark.parametrize("how", ["add_asset", "add_asset message", "attribute", "add_relation", "add_control",
                                 "add_threat", "from_dict"])
def test_enum_numbers_outside_the_schema_are_refused_before_a_run(how, tmp_path):
    """proto3 enums are open: Python accepts layer=4. validate() must report it (with the
    allowed names) and run() refuse it, instead of a run whose results cannot be read or saved."""
    s = cpsf.Scenario.from_text(TINY)
    path, number, names = _enum_out_of_range(s, how)
    with pytest.raises(cpsf.ScenarioError) as caught:
        s.validate()
    bad = [p for p in caught.value.problems if p.path == path]
    assert bad and bad[0].is_error, [str(p) for p in caught.value.problems]
    assert number in bad[0].message and names in bad[0].hint
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.run(s, trials=100)
    assert any(p.path == path for p in caught.value.problems)
    # Saved and loaded again (binary keeps the number), the file is refused in the same way.
    s.save(tmp_path / "s.pb")
    with pytest.raises(cpsf.ScenarioError) as caught:
        cpsf.load(tmp_path / "s.pb")
    assert any(p.path == path and number in p.message for p in caught.value.problems)


def test_warnings_are_python_warnings_and_strict_makes_them_errors(tmp_path):
    path = tmp_path / "warn.textproto"
    path.write_text(TINY.replace('requirement: "CPS.AC-1"', 'requirement: "CPS.ZZ-9"')
                    .replace('mitigated_by: "CPS.AC-1"', 'mitigated_by: "CPS.ZZ-9"'))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        s = cpsf.load(path)
    assert caught and all(issubclass(w.category, cpsf.ScenarioWarning) for w in caught)
    assert "CPS.ZZ-9" in str(caught[0].message)
    assert [p.severity for p in s.validate()] == ["warning"] * len(s.validate())
    with pytest.raises(cpsf.ScenarioError, match="warning"):
        s.validate(strict=True)
    with pytest.raises(cpsf.ScenarioError):
        cpsf.validate(path, strict=True)


def test_catalogue_and_generate_match_the_cli(cpsf_bin, tmp_path):
    r = cli(cpsf_bin, "catalogue", "--format", "json")
    assert r.returncode == 0
    assert cpsf.catalogue() == cpsf.v1.Catalogue.FromString(cpsf.catalogue().SerializeToString())
    assert '"CPS.AC-1"' in r.stdout and any(q.id == "CPS.AC-1" for q in cpsf.catalogue().requirements)
    assert cpsf.is_requirement_id("CPS.AC-1") and not cpsf.is_requirement_id("AC-1")
    out = tmp_path / "gen.pb"
    r = cli(cpsf_bin, "generate", str(out), "--enterprises", "3", "--assets-per-enterprise", "20", "--seed", "5")
    assert r.returncode == 0, r.stderr
    assert cpsf.load(out) == cpsf.generate(enterprises=3, assets_per_enterprise=20, seed=5)
    with pytest.raises(ValueError):
        cpsf.generate(enterprises=0)


def test_load_applies_a_library_file_as_the_command_line_does(root, tmp_path):
    """cpsf.load(path, library=FILE) is `--library FILE`: the result holds the merged library."""
    kinds_only = root / "tests" / "data" / "library" / "kinds-only.textproto"
    lib = tmp_path / "lib.textproto"
    caps = "".join(
        f'by_capability {{ capability: {c} p: 0 p_from {{ note: "test" }} '
        f'ttc {{ fixed {{ value: 1 }} }} ttc_from {{ note: "test" }} }}\n'
        for c in ("COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN"))
    lib.write_text(f'steps {{ id: "data-flow-l3-data" kind: DATA_FLOW layers: L3 target_elements: DATA\n{caps}}}\n')
    with pytest.warns(cpsf.ScenarioWarning, match="no entry point reaches it"):
        s = cpsf.load(kinds_only, library=lib)
    assert [step.id for step in s.library.steps] == ["data-flow-l3-data"]
    assert str(lib) in s.files
    with pytest.warns(cpsf.ScenarioWarning):
        r = cpsf.run(s, trials=500, seed=1)
    assert r.assets().loc["oem-designs", "compromised_trials"] == 0
    lib.write_text('steps { id: "x" probability: 1 }\n')
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.load(kinds_only, library=lib)
    assert any(p.file == str(lib) and p.line == 1 for p in e.value.problems)


def test_explain_is_the_command_lines_json_as_a_dict(root, cpsf_bin, tmp_path):
    """Scenario.explain(relation) returns what `cpsf validate --explain RELATION --json` writes."""
    import json

    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    x = s.explain("r-oem-ws-ad")
    assert x["format"] == "cpsf-explain/1"
    assert x["relation"]["id"] == "r-oem-ws-ad" and x["relation"]["to_element"] == "SYSTEM"
    assert x["library"]["step"] == "network-l3"
    by_cap = {c["capability"]: c for c in x["capabilities"]}
    # p from the library, per capability (R2: 1.0 / 1.2 / 1.5 x the ★3 value); the time as written.
    assert [by_cap[c]["p"] for c in ("COMMON_ATTACKS", "TARGETED_SUPPLY_CHAIN", "ADVANCED_UNKNOWN")] == [0.5, 0.6, 0.75]
    assert all(c["p_from"]["from"] == "library" and c["p_from"]["library_step"] == "network-l3" for c in by_cap.values())
    assert all(c["ttc_from"]["from"] == "scenario" for c in by_cap.values())
    assert x["mitigated_by"] == ["CPS.AC-1", "CPS.DP-1"]
    assert {c["id"]: c["efficacy"] for c in x["controls"]} == {"oem-ac-mfa": 0.55, "oem-dp-soc": 0.35}
    assert s.explain(4) == x  # by index
    # The command line's document, from the file: the same but for where things were written.
    r = cli(cpsf_bin, "validate", "--explain", "r-oem-ws-ad", "--json", str(cpsf.DEFAULT_SCENARIO))
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for d in (doc, x):
        d["relation"].pop("at")
        for c in d["capabilities"]:
            c["ttc_from"].pop("at")
        d["mitigations_from"].pop("at")
        for c in d["controls"]:
            c["efficacy_from"].pop("at")
    assert doc == x
    with pytest.raises(KeyError, match="no relation 'nope'"):
        s.explain("nope")
    with pytest.raises(TypeError):
        s.explain(1.5)
    bad = s.copy()
    bad.relations[0].to = "nowhere"
    with pytest.raises(cpsf.ScenarioError):
        bad.explain(0)
