"""`cpsf import` end to end: the kinds, the inventory folder, every class of error with its
message and exit code, --into, and the output formats."""
import json
import shutil
import subprocess

import pytest

EXAMPLE = "scenarios/examples/inventory"


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd)


@pytest.fixture
def inventory(root, tmp_path):
    """A copy of the example inventory to break one thing at a time."""
    folder = tmp_path / "inv"
    shutil.copytree(root / EXAMPLE, folder)
    (folder / "README.md").unlink()
    return folder


def test_example_imports_valid_in_every_format(cpsf_bin, root, tmp_path):
    for name in ("chain.textproto", "chain.json", "chain.pb"):
        r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "-o", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        assert "wrote" in r.stderr and "3 enterprises, 6 assets, 6 relations" in r.stderr
        v = run(cpsf_bin, "validate", str(tmp_path / name))
        assert v.returncode == 0 and "(0 errors, 0 warnings)" in v.stdout, v.stdout + v.stderr
    data = json.loads((tmp_path / "chain.json").read_text())
    assert data["name"].startswith("Inventory example")
    assert data["assets"][4]["loss"]["outage_days"] == {"lognormal": {"mu": 1.1, "sigma": 0.6}}
    assert data["threats"][0]["entry_points"][0] == {"asset": "msp-rmm", "probability": 0.2}


def test_to_stdout_needs_to(cpsf_bin, root):
    r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "-o", "-")
    assert r.returncode == 2 and "cannot tell the output format" in r.stderr
    r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "-o", "-", "--to", "json")
    assert r.returncode == 0 and json.loads(r.stdout)["currency"] == "kJPY"
    r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "-o", "-", "--to", "yaml")
    assert r.returncode == 2 and "unknown format 'yaml'" in r.stderr


def test_unknown_kind_is_refused(cpsf_bin, tmp_path):
    r = run(cpsf_bin, "import", "spreadsheet", "x", "-o", str(tmp_path / "s.textproto"))
    assert r.returncode == 2 and "unknown kind 'spreadsheet'" in r.stderr and "fix: use inventory" in r.stderr


def test_missing_folder_and_required_file_exit_2(cpsf_bin, inventory, tmp_path):
    out = tmp_path / "s.textproto"
    r = run(cpsf_bin, "import", "inventory", str(tmp_path / "nothing"), "-o", str(out))
    assert r.returncode == 2 and "no such folder" in r.stderr
    (inventory / "relations.csv").unlink()
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(out))
    assert r.returncode == 2 and "relations.csv: error: no such file" in r.stderr
    assert not out.exists()


def test_file_over_the_size_limit_exit_2(cpsf_bin, inventory, tmp_path):
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(tmp_path / "s.textproto"),
            "--max-file-size", "100")
    assert r.returncode == 2 and "over the limit" in r.stderr and "--max-file-size" in r.stderr


# (file, text, message, line): each class of bad input, reported with file, line, column and a fix.
BAD = [
    ("assets.csv", "id,owner,colour\n", "unknown column 'colour'", 1),
    ("assets.csv", "id,owner,layer\nx,mb,L7\n", "column layer: 'L7' is not a value of Layer", 2),
    ("assets.csv", "id,owner,exposure\nx,mb,high\n", "column exposure: 'high' is not a number", 2),
    ("assets.csv", "id,owner,target\nx,mb,yes\n", "column target: 'yes' is not true or false", 2),
    ("assets.csv", "id,loss.outage_days\nx,normal(mu=1)\n", "no distribution family 'normal'", 2),
    ("assets.csv", "id,loss.outage_days\nx,\"gamma(shape=1,rate=2)\"\n", "'rate=2' is not a parameter of gamma", 2),
    ("assets.csv", "id,tags\nx,[1]\n", "is not a JSON array of strings", 2),
    ("threats.csv", "id,entry_points\nt,msp-rmm=often\n", "'often' is not a probability", 2),
    ("scenario.csv", "settings.trials\n-5\n", "'-5' is not a whole number", 2),
    ("scenario.csv", "name\na\nb\n", "more than one row", 3),
    ("assets.csv", "id,name\n\"x,y\n", "no closing quote", 2),
    ("assets.csv", "id,name\nx,a\"b\n", "a double quote inside a cell", 2),
    ("assets.csv", "id,name\n\"x\"y,z\n", "text after the closing quote", 2),
    ("assets.csv", "id,name\nx,y,z\n", "row has 3 cells but the header has 2", 2),
    ("assets.csv", "id,id\n", "named twice", 1),
    ("assets.csv", "", "no header row", 0),
]


@pytest.mark.parametrize("file,text,message,line", BAD)
def test_bad_input_exit_1_with_file_line_and_fix(cpsf_bin, inventory, tmp_path, file, text, message, line):
    (inventory / file).write_text(text)
    out = tmp_path / "s.textproto"
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(out))
    assert r.returncode == 1, r.stderr
    where = f"{inventory / file}:{line}:" if line else f"{inventory / file}:"
    hits = [x for x in r.stderr.splitlines() if x.startswith(where) and message in x]
    assert hits, r.stderr
    assert "(fix: " in hits[0]
    assert not out.exists()


def test_not_utf8_is_refused(cpsf_bin, inventory, tmp_path):
    (inventory / "assets.csv").write_bytes(b"id,name\nx,\xff\n")
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(tmp_path / "s.textproto"))
    assert r.returncode == 1 and "assets.csv:2: error: byte 10 is not UTF-8 text" in r.stderr


def test_validation_errors_land_on_the_csv_row(cpsf_bin, inventory, tmp_path):
    text = (inventory / "assets.csv").read_text().replace("ctl-fw,Controller firmware image,ctl,",
                                                          "ctl-fw,Controller firmware image,nobody,")
    (inventory / "assets.csv").write_text(text)
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(tmp_path / "s.textproto"))
    assert r.returncode == 1
    assert f"{inventory / 'assets.csv'}:5: error: asset 'ctl-fw': owner 'nobody' is not defined" in r.stderr
    assert "[owner]" in r.stderr and "nothing was written" in r.stderr


def test_kind_only_relations_are_reported_by_validation(cpsf_bin, inventory, tmp_path):
    (inventory / "relations.csv").write_text("from,to,layer,kind\nmsp-rmm,mb-erp,L3,TRUST\n")
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(tmp_path / "s.textproto"))
    assert r.returncode == 1
    assert f"{inventory / 'relations.csv'}:2: error:" in r.stderr and "step" in r.stderr


def test_stray_csv_is_warned_about(cpsf_bin, inventory, tmp_path):
    (inventory / "dependency.csv").write_text("customer,supplier\n")
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", str(tmp_path / "s.textproto"))
    assert r.returncode == 0 and "dependency.csv: warning: not read" in r.stderr


def test_spreadsheet_export_quirks(cpsf_bin, inventory, tmp_path):
    """A byte-order mark, CRLF, a quoted line break and a formula-guard apostrophe."""
    text = (inventory / "enterprises.csv").read_text().replace("Kawabe Machine Works", '"Kawabe\nMachine"')
    text = text.replace("OEM", "'=OEM")
    (inventory / "enterprises.csv").write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    r = run(cpsf_bin, "import", "inventory", str(inventory), "-o", "-", "--to", "json")
    assert r.returncode == 0, r.stderr
    mb = json.loads(r.stdout)["enterprises"][0]
    assert mb["name"] == "Kawabe\r\nMachine" and mb["role"] == "=OEM"


def test_into_adds_and_collisions_name_both_places(cpsf_bin, root, tmp_path):
    base = root / "scenarios/default/scenario.textproto"
    out = tmp_path / "both.json"
    r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "--into", str(base), "-o", str(out))
    assert r.returncode == 0, r.stderr
    both = json.loads(out.read_text())
    ids = [e["id"] for e in both["enterprises"]]
    assert "oem" in ids and "mb" in ids
    assert both["name"].startswith("Inventory example")  # scenario.csv's cells replace the scenario's
    inv = tmp_path / "clash"
    inv.mkdir()
    (inv / "enterprises.csv").write_text("id,name\nlogi,Another logistics company\n")
    (inv / "assets.csv").write_text("id\n")
    (inv / "relations.csv").write_text("from\n")
    r = run(cpsf_bin, "import", "inventory", str(inv), "--into", str(base), "-o", str(tmp_path / "x.textproto"))
    assert r.returncode == 1
    assert f"{inv / 'enterprises.csv'}:2: error: enterprise 'logi': duplicate id: 'logi' is already used by " \
           f"enterprises[" in r.stderr and f"in {base}" in r.stderr
    assert not (tmp_path / "x.textproto").exists()


def test_into_missing_scenario_exit_2(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "--into", str(tmp_path / "none.textproto"),
            "-o", str(tmp_path / "x.textproto"))
    assert r.returncode == 2 and "no such file" in r.stderr


# ---- cpsf export inventory, and the round trip -------------------------------------------

def bundled_scenarios(root):
    return sorted(p for p in (root / "scenarios").rglob("scenario*.textproto"))


def reference_scenarios(root, cpsf_bin, tmp_path):
    """tests/data/reference's cases as scenarios, through their translator."""
    out = []
    for case in sorted((root / "tests/data/reference").glob("*.json")):
        scenario = tmp_path / f"{case.stem}.textproto"
        subprocess.run(["/usr/bin/python3", str(root / "tests/reference/case_to_scenario.py"), str(case),
                        str(scenario)], check=True, env={"CPSF_BIN": cpsf_bin})
        out.append(scenario)
    return out


def test_export_then_import_gives_every_scenario_back_exactly(cpsf_bin, root, tmp_path):
    scenarios = bundled_scenarios(root) + reference_scenarios(root, cpsf_bin, tmp_path)
    assert len(scenarios) >= 19
    for i, scenario in enumerate(scenarios):
        folder = tmp_path / f"inv{i}"
        r = run(cpsf_bin, "export", "inventory", str(scenario), "-o", str(folder))
        assert r.returncode == 0, f"{scenario}: {r.stderr}"
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            ["scenario.csv", "enterprises.csv", "assets.csv", "relations.csv", "dependencies.csv", "controls.csv",
             "threats.csv", "requirements.csv"])
        back = tmp_path / f"back{i}.pb"
        r = run(cpsf_bin, "import", "inventory", str(folder), "-o", str(back))
        assert r.returncode == 0, f"{scenario}: {r.stderr}"
        flat = tmp_path / f"flat{i}.pb"
        assert run(cpsf_bin, "convert", "--flatten", str(scenario), str(flat)).returncode == 0
        assert back.read_bytes() == flat.read_bytes(), f"{scenario} did not come back exactly"


def test_example_round_trips_to_the_same_csv(cpsf_bin, root, tmp_path):
    """import → export of the example gives files that import to the same scenario again."""
    first = tmp_path / "a.pb"
    assert run(cpsf_bin, "import", "inventory", str(root / EXAMPLE), "-o", str(first)).returncode == 0
    assert run(cpsf_bin, "export", "inventory", str(first), "-o", str(tmp_path / "inv")).returncode == 0
    second = tmp_path / "b.pb"
    assert run(cpsf_bin, "import", "inventory", str(tmp_path / "inv"), "-o", str(second)).returncode == 0
    assert first.read_bytes() == second.read_bytes()
    assert (tmp_path / "inv/relations.csv").read_text().splitlines()[1].startswith(
        "r-rmm-erp,msp-rmm,mb-erp,L3,TRUST,0.35,exponential(mean=4),CPS.AC-1,")


def test_export_refuses_what_csv_cannot_carry(cpsf_bin, tmp_path):
    s = tmp_path / "s.textproto"
    s.write_text('baselines { id: "B" }\nenterprises { id: "e" }\n')
    r = run(cpsf_bin, "export", "inventory", str(s), "-o", str(tmp_path / "inv"))
    assert r.returncode == 1
    assert "1 baseline(s) of the scenario's own catalogue cannot be written as CSV" in r.stderr
    assert "--into" in r.stderr and "nothing was written" in r.stderr
    assert not (tmp_path / "inv").exists()


def test_export_dot_points_at_run_graph(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "export", "dot", str(root / "scenarios/default/scenario.textproto"), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "unknown kind 'dot'" in r.stderr and "cpsf run --graph" in r.stderr


def test_export_errors(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "export", "inventory", str(tmp_path / "none.textproto"), "-o", str(tmp_path / "o"))
    assert r.returncode == 2 and "no such file" in r.stderr
    (tmp_path / "file").write_text("")
    r = run(cpsf_bin, "export", "inventory", str(root / "scenarios/default/scenario.textproto"), "-o",
            str(tmp_path / "file"))
    assert r.returncode == 2 and "it is not a directory (fix: " in r.stderr
