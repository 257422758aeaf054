"""`cpsf import self-assessment` end to end: the example into the default scenario (and the
residual loss it lowers, trial by trial at a fixed seed), the fragment, duplicates by date,
the report, and every class of error with its file, line, column and exit code."""
import csv
import math
import re
import shutil
import subprocess

import pytest

EXAMPLE = "scenarios/examples/self-assessment"
DEFAULT = "scenarios/default/scenario.textproto"


def run(cpsf_bin, *args, cwd=None):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True, cwd=cwd)


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return str(path)


def imported(cpsf_bin, root, tmp_path, *extra):
    out = tmp_path / "chain.textproto"
    r = run(cpsf_bin, "import", "self-assessment", str(root / EXAMPLE / "answers.csv"), "--map",
            str(root / EXAMPLE / "mapping.csv"), "--into", str(root / DEFAULT), "-o", str(out), *extra)
    return r, out


def test_example_into_default_validates_and_reports(cpsf_bin, root, tmp_path):
    r, out = imported(cpsf_bin, root, tmp_path)
    assert r.returncode == 0, r.stderr
    assert "47 answer rows: 40 implemented, 3 not, 1 n/a, 1 missing" in r.stdout
    assert "6 companies matched, 1 unmatched: Hoshino Plastics (line 48)" in r.stdout
    assert "41 controls written" in r.stdout
    assert "t2: SCS-3 9/9 SCS-4 7/15; nearest baseline SCS-3; SCS-4 lacks CPS.AE-1 ADVANCED" in r.stdout
    assert "answers.csv:48: warning: column company: 'Hoshino Plastics' is no enterprise" in r.stderr
    assert "wrote" in r.stderr and "54 controls" in r.stderr
    text = out.read_text()
    # t2 answered CPS.AC-1 no (2025-11-20), then ADVANCED (2026-05-15): the latest counts.
    block = re.search(r'controls \{\n  id: "sa-t2-CPS.AC-1"\n(.*?)\n\}', text, re.S).group(1)
    assert "level: ADVANCED" in block and "implemented: true" in block and "efficacy" not in block
    assert 'enterprises: "t2"' in block and 'description: "self-assessment answers.csv row 33, date 2026-05-15"' in block
    # Mapped items: Aoba's Q07 maps to two requirements at BASIC; Q03 answered ADVANCED overrides the map's BASIC.
    assert 'id: "sa-t1a-CPS.SC-1"' in text and 'id: "sa-t1a-CPS.DS-1"' in text
    assert re.search(r'id: "sa-t1a-CPS.MA-1"\n  requirement: "CPS.MA-1"\n  level: ADVANCED', text)
    assert 'sa-t1a-CPS.RP-1' not in text and 'sa-t1b-CPS.IP-1' not in text and 'sa-itp-CPS.IP-9' not in text
    v = run(cpsf_bin, "validate", str(out))
    assert v.returncode == 0, v.stdout + v.stderr
    q = run(cpsf_bin, "import", "self-assessment", str(root / EXAMPLE / "answers.csv"), "--map",
            str(root / EXAMPLE / "mapping.csv"), "--into", str(root / DEFAULT), "-o", str(tmp_path / "q.pb"), "-q")
    assert q.returncode == 0 and q.stdout == ""


def losses(path):
    with open(path, newline="") as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


def test_imported_controls_lower_the_residual_loss_trial_by_trial(cpsf_bin, root, tmp_path):
    """Common random numbers: trial i draws from (seed, i) alone, so the paired difference
    isolates what the controls do."""
    _, out = imported(cpsf_bin, root, tmp_path)
    for name, scenario in (("before", root / DEFAULT), ("after", out)):
        r = run(cpsf_bin, "run", "--per-trial", str(scenario), "--trials", "20000", "--seed", "7", "--out", str(tmp_path / name), "-q")
        assert r.returncode == 0, r.stderr
    before, after = losses(tmp_path / "before" / "losses.csv"), losses(tmp_path / "after" / "losses.csv")
    assert len(before) == len(after) == 20000
    d = [b - a for b, a in zip(before, after)]
    mean = sum(d) / len(d)
    se = math.sqrt(sum((x - mean) ** 2 for x in d) / (len(d) - 1) / len(d))
    assert mean > 0 and mean > 4 * se, (mean, se)
    assert all(x >= 0 for x in d)  # more controls never raise a trial's loss


def test_fragment_without_into(cpsf_bin, root, tmp_path):
    out = tmp_path / "sa.textproto"
    r = run(cpsf_bin, "import", "self-assessment", str(root / EXAMPLE / "answers.csv"), "--map",
            str(root / EXAMPLE / "mapping.csv"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "a scenario fragment (7 enterprises, 42 controls) to include from a scenario" in r.stderr
    assert "7 enterprises made" in r.stdout
    text = out.read_text()
    assert 'id: "aoba-electronics"\n  name: "Aoba Electronics"' in text
    assert 'id: "sa-hoshino-plastics-CPS.AC-1"' in text
    # Alone it has no assets, so validation refuses it; included from a scenario it is fine.
    v = run(cpsf_bin, "validate", str(out))
    assert v.returncode == 1 and "it has no assets" in v.stdout + v.stderr


def test_replaces_and_removes_controls_of_the_same_id(cpsf_bin, root, tmp_path):
    first = tmp_path / "first.textproto"
    a = write(tmp_path / "a.csv", "company,item,answer\nt2,CPS.AC-1,BASIC\nt2,CPS.MA-1,yes\n")
    assert run(cpsf_bin, "import", "self-assessment", a, "--into", str(root / DEFAULT), "-o", str(first)).returncode == 0
    b = write(tmp_path / "b.csv", "company,item,answer\nKanamori Precision,CPS.AC-1,ADVANCED\nt2,CPS.MA-1,no\n")
    r = run(cpsf_bin, "import", "self-assessment", b, "--into", str(first), "-o", str(tmp_path / "second.textproto"))
    assert r.returncode == 0, r.stderr
    assert "1 controls written (1 replacing one of the same id), 1 removed" in r.stdout
    text = (tmp_path / "second.textproto").read_text()
    assert text.count('id: "sa-t2-CPS.AC-1"') == 1 and "sa-t2-CPS.MA-1" not in text
    assert re.search(r'id: "sa-t2-CPS.AC-1"\n  requirement: "CPS.AC-1"\n  level: ADVANCED', text)


def test_company_matched_by_id_name_and_folded_name(cpsf_bin, root, tmp_path):
    a = write(tmp_path / "a.csv", "company,item,answer\nt1a,CPS.AC-1,yes\nSakura Wire Harness,CPS.AC-1,yes\n"
                                  "  kanamori   PRECISION ,CPS.AC-1,yes\n")
    r = run(cpsf_bin, "import", "self-assessment", a, "--into", str(root / DEFAULT), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 0, r.stderr
    assert "3 companies matched, 0 unmatched" in r.stdout
    assert all(f"\n{e}: SCS-3" in r.stdout for e in ("t1a", "t1b", "t2"))


ERRORS = [
    # (answers, mapping, extra options, exit code, the message's start: file:line: ... [column])
    ("company,item,answer\noem,CPS.AC-1,maybe\n", None, (), 1,
     "a.csv:2: error: column answer: 'maybe' is not an answer (fix: write yes, implemented, true or 1;"),
    ("company,item,answer\noem,Q9,yes\noem,Q9,no\n", None, (), 1,
     "a.csv:2: error: column item: 'Q9' is neither a requirement id of the catalogue nor mapped (no --map given) "
     "(and 1 more row)"),
    ("company,item,answer\noem,Q1,yes\n", "item,requirement\nQ1,CPS.XX-9\n", (), 1,
     "m.csv:2: error: column requirement: 'CPS.XX-9' is not a requirement id of the catalogue"),
    ("company,item,answer\noem,Q1,yes\n", "item,requirement,level\nQ1,CPS.AC-1,STRONG\n", (), 1,
     "m.csv:2: error: column level: 'STRONG' is not a level"),
    ("company,item,answer,date\noem,CPS.AC-1,yes,2026-01-01\noem,CPS.AC-1,no,2026-01-01\n", None, (), 1,
     "a.csv:3: error: company 'oem', item 'CPS.AC-1': line 2 answers 'yes' and line 3 answers 'no' on the same date"),
    ("company,item,answer,date\nt2,CPS.AC-1,yes,\nt2,CPS.AC-1,no,2026-01-02\n", None, (), 1,
     "a.csv:3: error: company 't2', item 'CPS.AC-1': line 2 answers 'yes' and line 3 answers 'no' without dates"),
    ("company,item,answer,date\noem,CPS.AC-1,yes,2026-02-30\n", None, (), 1,
     "a.csv:2: error: column date: '2026-02-30' is not a date YYYY-MM-DD"),
    ("company,item,answer\nNobody Inc,CPS.AC-1,yes\n", None, ("--strict",), 1,
     "a.csv:2: error: column company: 'Nobody Inc' is no enterprise of the scenario"),
    ('company,item,answer\noem,"CPS.AC-1,yes\n', None, (), 1,
     "a.csv:2:5: error: the quoted cell that starts here has no closing quote"),
    ("company,item,answer\noem,CPS.AC-1\n", None, (), 1, "a.csv:2: error: row has 2 cells but the header has 3"),
    ("company,item,answr\n", None, (), 1, "a.csv:1: error: unknown column 'answr' (fix: name the columns company, "
                                          "item, answer, date"),
    ("company,answer\n", None, (), 1, "a.csv:1: error: no column 'item' in the header"),
    (",CPS.AC-1,yes\n".join(["company,item,answer\n", ""]), None, (), 1, "a.csv:2: error: column company: empty"),
]


@pytest.mark.parametrize("answers,mapping,extra,code,message", ERRORS)
def test_errors_name_file_line_and_column(cpsf_bin, root, tmp_path, answers, mapping, extra, code, message):
    a = write(tmp_path / "a.csv", answers)
    args = ["import", "self-assessment", a, "--into", str(root / DEFAULT), "-o", str(tmp_path / "o.textproto"), *extra]
    if mapping is not None:
        args += ["--map", write(tmp_path / "m.csv", mapping)]
    r = run(cpsf_bin, *args)
    assert r.returncode == code, r.stderr
    assert message in r.stderr.replace(str(tmp_path) + "/", ""), r.stderr
    assert not (tmp_path / "o.textproto").exists()


def test_unmatched_company_is_a_warning_without_strict(cpsf_bin, root, tmp_path):
    a = write(tmp_path / "a.csv", "company,item,answer\noem,CPS.AC-1,yes\nNobody Inc,CPS.AC-1,yes\n")
    r = run(cpsf_bin, "import", "self-assessment", a, "--into", str(root / DEFAULT), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 0, r.stderr
    assert "a.csv:3: warning: column company: 'Nobody Inc' is no enterprise" in r.stderr
    assert "1 unmatched: Nobody Inc (line 3)" in r.stdout


def test_usage_errors_exit_2(cpsf_bin, root, tmp_path):
    a = write(tmp_path / "a.csv", "company,item,answer\noem,CPS.AC-1,yes\n")
    r = run(cpsf_bin, "import", "self-assessment", a, "--strict", "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "--strict needs --into" in r.stderr
    r = run(cpsf_bin, "import", "inventory", str(tmp_path), "--map", a, "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "--map is an option of import self-assessment" in r.stderr
    r = run(cpsf_bin, "import", "self-assessment", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "none.csv: error: no such file" in r.stderr
    r = run(cpsf_bin, "import", "self-assessment", a, "--map", str(tmp_path / "none.csv"), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "none.csv: error: no such file" in r.stderr
    r = run(cpsf_bin, "import", "self-assessment", a, "--max-file-size", "10", "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "over the limit of 10 bytes" in r.stderr


def test_answers_spelt_many_ways(cpsf_bin, root, tmp_path):
    rows = ["company,item,answer"]
    for i, (company, answer) in enumerate([("oem", "Yes"), ("t1a", " IMPLEMENTED "), ("t1b", "true"), ("t2", "1"),
                                           ("itp", "high advanced"), ("logi", "Not  Implemented")]):
        rows.append(f"{company},CPS.AC-1,{answer}")
    rows += ["oem,CPS.MA-1,N/A", "oem,CPS.CM-1,0", "oem,CPS.AM-1,false", "oem,CPS.GV-1,"]
    a = write(tmp_path / "a.csv", "\n".join(rows) + "\n")
    r = run(cpsf_bin, "import", "self-assessment", a, "--into", str(root / DEFAULT), "-o", str(tmp_path / "o.textproto"))
    assert r.returncode == 0, r.stderr
    assert "10 answer rows: 5 implemented, 3 not, 1 n/a, 1 missing" in r.stdout
    text = (tmp_path / "o.textproto").read_text()
    assert re.search(r'id: "sa-itp-CPS.AC-1"\n  requirement: "CPS.AC-1"\n  level: HIGH_ADVANCED', text)
    assert re.search(r'id: "sa-oem-CPS.AC-1"\n  requirement: "CPS.AC-1"\n  level: BASIC', text)


def test_example_readme_command_runs(cpsf_bin, root, tmp_path):
    readme = (root / EXAMPLE / "README.md").read_text()
    assert "cpsf import self-assessment" in readme and "illustrative" in readme


def test_generated_set_imports(cpsf_bin, root, tmp_path):
    """scripts/gen-self-assessment.py: seeded (the same file twice), every answer one the importer takes."""
    import sys

    files = []
    for name in ("a.csv", "b.csv"):
        subprocess.run([sys.executable, str(root / "scripts/gen-self-assessment.py"), str(tmp_path / name),
                        "--companies", "40", "--seed", "3", "--dates"], check=True, capture_output=True)
        files.append((tmp_path / name).read_bytes())
    assert files[0] == files[1] and files[0].count(b"\n") == 1 + 40 * 15
    r = run(cpsf_bin, "import", "self-assessment", str(tmp_path / "a.csv"), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 0, r.stderr
    assert "600 answer rows" in r.stdout and "40 companies matched (40 enterprises made)" in r.stdout
