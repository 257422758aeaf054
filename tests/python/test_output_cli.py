"""What the command line writes, and where: terminal text escaped and aligned, CSV cells
that a spreadsheet cannot run, every failed write to standard output or to a file an
exit 2 with a message, special files written through (never replaced), and a run that
completed no trial replacing nothing."""
import copy
import json
import os
import pathlib
import stat
import subprocess
import threading

import pytest

DEFAULT = "scenarios/default/scenario.textproto"
ESC = "\x1b]0;owned\x07\x1b[2J"  # retitles the window, clears the screen
FORMULA = "=cmd|' /C calc'!A0"
JAPANESE = "トヨタ自動車"
LONG = "x" * 100

HOSTILE = {
    "name": "hostile " + ESC + " " + JAPANESE,
    "currency": "kJPY",
    "enterprises": [{"id": "e" + ESC, "role": "r" + ESC, "sector": "s\r"}, {"id": JAPANESE}],
    "assets": [
        {"id": FORMULA, "owner": "e" + ESC, "layer": "L3", "element": "SYSTEM", "exposure": 0.5,
         "loss": {"confidentiality": 100}},
        {"id": "a" + ESC, "owner": JAPANESE, "layer": "L3", "element": "DATA", "target": True,
         "loss": {"integrity": 1000}},
        {"id": LONG, "owner": JAPANESE, "layer": "L3", "element": "DATA", "loss": {"integrity": 10}},
        {"id": "-5", "owner": JAPANESE, "layer": "L3", "element": "DATA", "loss": {"integrity": 10}},
    ],
    "relations": [
        {"id": "r" + ESC, "from": FORMULA, "to": "a" + ESC, "layer": "L3",
         "step": {"p": 0.5, "mitigated_by": ["CPS.AC-1"]}},
        {"from": "a" + ESC, "to": LONG, "layer": "L3", "step": {"p": 0.5, "mitigated_by": ["CPS.AC-2"]}},
        {"from": "a" + ESC, "to": "-5", "layer": "L3", "step": {"p": 0.5}},
    ],
    "controls": [
        {"id": "c1;c2" + ESC, "requirement": "CPS.AC-1", "efficacy": 0.5, "cost": 10, "implemented": False},
        {"id": "+SUM(1)", "requirement": "CPS.AC-2", "efficacy": 0.5, "cost": 5, "implemented": False},
    ],
    "threats": [{"id": "t" + ESC, "entry_points": [{"asset": FORMULA, "probability": 0.9}],
                 "objectives": ["a" + ESC]}],
}


def cpsf(cpsf_bin, *args, **kw):
    return subprocess.run([cpsf_bin, *args], capture_output=True, timeout=120, **kw)


@pytest.fixture
def hostile(tmp_path):
    path = tmp_path / "hostile.json"
    path.write_text(json.dumps(HOSTILE))
    return path


def no_raw_controls(data: bytes, what: str):
    text = data.decode("utf-8")  # whatever is printed is UTF-8
    bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) <= 0x9F
           or 0x202A <= ord(c) <= 0x202E or 0x2066 <= ord(c) <= 0x2069]
    assert not bad, f"{what}: raw control characters {bad!r} in:\n{text}"
    return text


# ---- terminal text ---------------------------------------------------------------------------------

def test_every_verb_escapes_control_characters_in_terminal_text(cpsf_bin, hostile, tmp_path):
    named = tmp_path / ("file" + ESC + ".json")
    named.write_text(hostile.read_text())
    bad = copy.deepcopy(HOSTILE)
    bad["assets"].append(dict(bad["assets"][1]))  # a duplicate id: a diagnostic that quotes it
    (tmp_path / "bad.json").write_text(json.dumps(bad))
    runs = {
        "validate": cpsf(cpsf_bin, "validate", "--summary", str(named)),
        "validate (errors)": cpsf(cpsf_bin, "validate", str(tmp_path / "bad.json")),
        "run": cpsf(cpsf_bin, "run", str(hostile), "--trials", "2000", "--out", str(tmp_path / "run")),
        "optimise": cpsf(cpsf_bin, "optimise", str(hostile), "--budget", "10", "--trials", "500",
                         "--out", str(tmp_path / "opt")),
        "optimise (error)": cpsf(cpsf_bin, "optimise", str(hostile), "--budget", "10", "--trials", "500",
                                 "--candidates", "no" + ESC, "--out", str(tmp_path / "opt2")),
        "compare": cpsf(cpsf_bin, "compare", str(hostile), str(named), "--trials", "500",
                        "--out", str(tmp_path / "cmp")),
        "compare (error)": cpsf(cpsf_bin, "compare", str(hostile), "--threat", "no" + ESC, "--trials", "500",
                                "--out", str(tmp_path / "cmp2")),
    }
    for what, r in runs.items():
        out = no_raw_controls(r.stdout, what + " stdout")
        err = no_raw_controls(r.stderr, what + " stderr")
        assert "\\x1b" in out + err, f"{what}: the escape is shown\n{out}\n{err}"
        assert r.returncode == (0 if "(e" not in what else 1 if what.startswith("validate") else 2), (what, err)
    assert JAPANESE in runs["validate"].stdout.decode()  # printable UTF-8 as it is
    assert "duplicate" in runs["validate (errors)"].stderr.decode()


# ---- CSV ---------------------------------------------------------------------------------------------

def strip_quote(series):
    """The documented way back from a neutralised text cell: drop one leading '."""
    return series.str.replace(r"^'", "", n=1, regex=True)


def test_csv_cells_cannot_run_in_a_spreadsheet_and_ids_come_back_exactly(cpsf_bin, hostile, tmp_path):
    import pandas as pd
    assert cpsf(cpsf_bin, "run", str(hostile), "--trials", "500", "--out", str(tmp_path / "run"), "-q").returncode == 0
    assert cpsf(cpsf_bin, "optimise", str(hostile), "--budget", "100", "--trials", "200",
                "--out", str(tmp_path / "opt"), "-q").returncode == 0
    hostile2 = tmp_path / "two.json"
    hostile2.write_text(json.dumps(dict(HOSTILE, name="=HYPERLINK(\"x\")")))
    assert cpsf(cpsf_bin, "compare", str(hostile), str(hostile2), "-b", "as-is", "--trials", "200",
                "--out", str(tmp_path / "cmp"), "-q").returncode == 0
    results = json.loads((tmp_path / "run" / "results.json").read_text())

    assets = pd.read_csv(tmp_path / "run" / "assets.csv", dtype={"id": str, "owner": str}, keep_default_na=False)
    assert not assets["id"].str.match(r"[=+\-@\t\r]").any() and not assets["owner"].str.match(r"[=+\-@\t\r]").any()
    assert list(strip_quote(assets["id"])) == [a["id"] for a in results["assets"]]
    assert list(strip_quote(assets["owner"])) == [a["owner"] for a in results["assets"]]
    assert assets["p_compromised"].dtype == float  # numbers stay numbers

    text = {"id": str, "name": str, "role": str, "sector": str, "target": str, "threat": str, "asset": str,
            "assets": str, "relations": str, "cut_relations": str, "cut_assets": str}
    enterprises = pd.read_csv(tmp_path / "run" / "enterprises.csv", dtype=text, keep_default_na=False)
    assert list(strip_quote(enterprises["id"])) == [e["id"] for e in results["enterprises"]]
    assert list(enterprises["role"]) == ["r" + ESC, ""] and list(enterprises["sector"]) == ["s\r", ""]
    paths = pd.read_csv(tmp_path / "run" / "paths.csv", dtype=text, keep_default_na=False)
    chokepoints = pd.read_csv(tmp_path / "run" / "chokepoints.csv", dtype=text, keep_default_na=False)
    assert len(paths) > 0 and len(chokepoints) > 0
    for column in (enterprises["id"], paths["target"], paths["assets"], chokepoints["threat"], chokepoints["asset"],
                   chokepoints["cut_assets"]):
        assert not column.str.match(r"[=+\-@\t\r]").any(), list(column)
    assert strip_quote(paths["assets"])[0].startswith(FORMULA + " > ")  # the entry, first on every path

    frontier = pd.read_csv(tmp_path / "opt" / "frontier.csv", keep_default_na=False)
    chosen = frontier["chosen"].map(json.loads)
    opt = json.loads((tmp_path / "opt" / "optimise.json").read_text())
    assert list(chosen) == [f["chosen"] for f in opt["frontier"]]
    assert ["c1;c2" + ESC, "+SUM(1)"] in [sorted(c, reverse=True) for c in chosen]  # one id with a ';' in it

    table = pd.read_csv(tmp_path / "cmp" / "compare.csv", keep_default_na=False)
    doc = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert list(strip_quote(table["scenario"])) == [r["scenario"] for r in doc["rows"]]
    assert not table["scenario"].str.match(r"[=+\-@\t\r]").any()


def test_run_csvs_hold_the_numbers_of_results_json_exactly(cpsf_bin, root, tmp_path):
    """assets.csv, enterprises.csv, paths.csv and chokepoints.csv read with pandas: every number the
    same double as results.json's (null: an empty cell, NaN in pandas), names from the scenario,
    expected_loss the GraphML's; without chokepoints, chokepoints.csv is its header alone."""
    import math

    import networkx as nx
    import pandas as pd

    out = tmp_path / "o"
    r = subprocess.run([cpsf_bin, "run", DEFAULT, "--trials", "2000", "--seed", "5", "--graph", "graphml", "-q",
                        "--out", str(out)], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    doc = json.loads((out / "results.json").read_text())
    # pandas' default parser can miss the last bit; "round_trip" reads every double exactly.
    read = lambda name: pd.read_csv(out / name, dtype={"id": str, "name": str, "role": str, "sector": str},
                                    float_precision="round_trip")

    def same(cell, value):
        return math.isnan(cell) if value is None else cell == value

    assets = read("assets.csv")
    assert list(assets.columns[:3]) == ["id", "name", "owner"]
    assert list(assets.columns[-4:]) == ["expected_loss", "annual_p_compromised", "annual_ci95_low",
                                         "annual_ci95_high"]
    assert assets["name"][0] == "OEM office staff (email users)"
    graph = nx.read_graphml(out / "attack-graph.graphml")
    for row, a in zip(assets.itertuples(), doc["assets"]):
        assert row.id == a["id"] and row.p_compromised == a["p_compromised"] and row.ci95_low == a["ci95"][0]
        assert same(row.mean_time, a["time_to_compromise"]["mean"])
        assert row.expected_loss == graph.nodes[row.id]["expected_loss"]
        assert row.annual_p_compromised == a["annual"]["p_compromised"]
        assert [row.annual_ci95_low, row.annual_ci95_high] == a["annual"]["ci95"]

    enterprises = read("enterprises.csv")
    assert len(enterprises) == len(doc["enterprises"]) == 6
    assert list(enterprises.loc[0, ["name", "role", "sector"]]) == [
        "Hinode Motor Corporation (assembly plant)", "OEM", "automotive"]
    for row, e in zip(enterprises.itertuples(), doc["enterprises"]):
        assert row.id == e["id"] and row.loss_mean == e["loss"]["mean"] and row.loss_stderr == e["loss"]["stderr"]
        assert row.direct_mean == e["direct"]["mean"] and row.direct_stderr == e["direct"]["stderr"]
        assert row.cascade_mean == e["cascade"]["mean"] and row.cascade_stderr == e["cascade"]["stderr"]
        assert row.inherent_loss_mean == e["inherent_loss_mean"]

    paths = read("paths.csv")
    top = [(t["asset"], rank, p) for t in doc["paths"]["targets"] for rank, p in enumerate(t["top"], 1)]
    assert len(paths) == len(top) > 0
    for row, (target, rank, p) in zip(paths.itertuples(), top):
        assert (row.target, row.rank, row.trials) == (target, rank, p["trials"])
        assert row.assets.split(" > ") == p["assets"] and row.relations.split(" > ") == p["relations"]
        assert (row.frequency, row.ci95_low, row.ci95_high, row.share) == (p["frequency"], *p["ci95"], p["share"])

    chokepoints = read("chokepoints.csv")
    cuts = [(t["threat"], c) for t in doc["chokepoints"]["threats"] for c in t["targets"]]
    assert len(chokepoints) == len(cuts) > 0
    for row, (threat, c) in zip(chokepoints.itertuples(), cuts):
        assert (row.threat, row.asset, row.reachable, row.entry, row.exact) == (
            threat, c["asset"], c["reachable"], c["entry"], c["exact"])
        assert same(row.cut_size, c["cut_size"]) and same(row.depth, c["depth"])
        assert same(row.asset_cut_size, c["asset_cut_size"])
        split = lambda cell: cell.split(";") if isinstance(cell, str) else []
        assert split(row.cut_relations) == c["cut_relations"] and split(row.cut_assets) == c["cut_assets"]

    # Skipped: the header alone, so no chokepoints.csv of an earlier run is left standing.
    r = subprocess.run([cpsf_bin, "run", DEFAULT, "--trials", "200", "--chokepoints", "off", "-q", "--out", str(out)],
                       cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert (out / "chokepoints.csv").read_text() == ("threat,asset,reachable,entry,cut_size,cut_relations,"
                                                     "asset_cut_size,cut_assets,depth,exact\n")


# ---- writing onto what is there ------------------------------------------------------------------

# Each verb and the file it writes: (arguments given the output path, that file's path).
def _writers(root, hostile):
    scenario = str(root / DEFAULT)
    return {
        "convert": lambda out: ((["convert", scenario, str(out / "s.json")]), out / "s.json"),
        "generate": lambda out: ((["generate", str(out / "g.json"), "--enterprises", "2"]), out / "g.json"),
        "run": lambda out: ((["run", str(hostile), "--trials", "200", "-q", "--out", str(out)]), out / "results.json"),
        "optimise": lambda out: ((["optimise", str(hostile), "--budget", "10", "--trials", "100", "-q", "--out",
                                   str(out)]), out / "frontier.csv"),
        "compare": lambda out: ((["compare", str(hostile), "--trials", "100", "-q", "--out", str(out)]),
                                out / "compare.csv"),
    }


def _char_device(path, minor, system):
    """A character device like /dev/null (minor 3) or /dev/full (7): the test's own node when it
    may make one (as root), else the system's, which an unprivileged process cannot replace."""
    if os.geteuid() != 0:
        return pathlib.Path(system)
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, minor))
    return path


@pytest.mark.parametrize("verb", ["convert", "generate", "run", "optimise", "compare"])
def test_every_writer_follows_links_writes_through_fifos_and_devices(cpsf_bin, root, hostile, tmp_path, verb):
    make = _writers(root, hostile)[verb]

    # A symbolic link: the target is written, the link stays.
    out = tmp_path / "link"
    out.mkdir()
    args, target = make(out)
    real = tmp_path / "elsewhere" / target.name
    real.parent.mkdir()
    real.write_text("old")
    target.symlink_to(real)
    r = cpsf(cpsf_bin, *args)
    assert r.returncode == 0, r.stderr
    assert target.is_symlink() and real.read_text() != "old" and len(real.read_text()) > 10

    # A FIFO: written through to its reader, still a FIFO.
    out = tmp_path / "fifo"
    out.mkdir()
    args, target = make(out)
    os.mkfifo(target)
    got = {}
    reader = threading.Thread(target=lambda: got.update(data=target.read_bytes()))
    reader.start()
    r = cpsf(cpsf_bin, *args)
    reader.join(timeout=60)
    assert r.returncode == 0, r.stderr
    assert stat.S_ISFIFO(os.lstat(target).st_mode) and len(got["data"]) > 10

    # A character device: written through; a full one is an I/O error (exit 2), never replaced.
    for minor, system, code in ((3, "/dev/null", 0), (7, "/dev/full", 2)):
        out = tmp_path / f"dev{minor}"
        out.mkdir()
        args, target = make(out)
        device = _char_device(target, minor, system)
        if device != target:  # unprivileged: point the output at the system's device
            target.symlink_to(device)
        r = cpsf(cpsf_bin, *args)
        assert r.returncode == code, r.stderr
        assert stat.S_ISCHR(os.lstat(device).st_mode)
        if code:
            assert "No space left on device" in r.stderr.decode() and "cannot write" in r.stderr.decode()

    # A directory where the file should be: refused, exit 2.
    out = tmp_path / "dir"
    out.mkdir()
    args, target = make(out)
    target.mkdir()
    r = cpsf(cpsf_bin, *args)
    assert r.returncode == 2 and "is a directory" in r.stderr.decode(), r.stderr
    assert target.is_dir()


def test_writing_to_dev_stdout_writes_to_the_standard_output(cpsf_bin, root, tmp_path):
    # Through a link of the test's own, and /dev/fd/1: a cpsf that wrongly replaced the path
    # would replace the link, never the system's /dev/stdout.
    link = tmp_path / "out.json"
    link.symlink_to("/dev/stdout")
    for path in (str(link), "/dev/fd/1"):
        r = cpsf(cpsf_bin, "convert", str(root / DEFAULT), path, "--to", "json")
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["name"] == "Automotive supply chain (default)"
    assert link.is_symlink()


# ---- standard output that cannot be written ----------------------------------------------------------

def _stdout_writers(root, hostile, out):
    scenario = str(root / DEFAULT)
    return {
        "validate": ["validate", scenario],
        "validate --summary": ["validate", "--summary", scenario],
        "validate (invalid)": ["validate", str(out / "bad.json")],  # exit 1, made worse
        "convert -": ["convert", scenario, "-", "--to", "json"],
        "convert /dev/fd/1": ["convert", scenario, "/dev/fd/1", "--to", "json"],  # never the system's /dev/stdout
        "generate -": ["generate", "-", "--to", "json", "--enterprises", "2"],
        "catalogue": ["catalogue"],
        "catalogue --format json": ["catalogue", "--format", "json"],
        "run": ["run", str(hostile), "--trials", "200", "--out", str(out / "run")],
        "optimise": ["optimise", str(hostile), "--budget", "10", "--trials", "100", "--out", str(out / "opt")],
        "compare": ["compare", str(hostile), "--trials", "100", "--out", str(out / "cmp")],
        "compare --format json": ["compare", str(hostile), "--trials", "100", "--format", "json",
                                  "--out", str(out / "cmpj")],
        "compare --format csv": ["compare", str(hostile), "--trials", "100", "--format", "csv",
                                 "--out", str(out / "cmpc")],
        "--help": ["--help"],
        "run --help": ["run", "--help"],
        "--version": ["--version"],
    }


STDOUT_CASES = ["validate", "validate --summary", "validate (invalid)", "convert -", "convert /dev/fd/1",
                "generate -", "catalogue", "catalogue --format json", "run", "optimise", "compare",
                "compare --format json", "compare --format csv", "--help", "run --help", "--version"]


@pytest.mark.parametrize("how", ["closed", "full"])
@pytest.mark.parametrize("case", STDOUT_CASES)
def test_a_lost_standard_output_exits_2_with_a_message(cpsf_bin, root, hostile, tmp_path, case, how):
    (tmp_path / "bad.json").write_text(json.dumps(dict(HOSTILE, assets=HOSTILE["assets"] * 2)))  # duplicate ids
    args = _stdout_writers(root, hostile, tmp_path)[case]
    if how == "closed":  # cpsf ... >&-
        r = subprocess.run([cpsf_bin, *args], stdin=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120,
                           preexec_fn=lambda: os.close(1))
    else:  # cpsf ... >/dev/full
        with open("/dev/full", "wb") as full:
            r = subprocess.run([cpsf_bin, *args], stdin=subprocess.DEVNULL, stdout=full, stderr=subprocess.PIPE,
                               timeout=120)
    err = r.stderr.decode()
    assert r.returncode == 2, (r.returncode, err)
    assert "standard output" in err, err
    assert len(err.strip().splitlines()) >= 1


def test_nothing_printed_nothing_lost(cpsf_bin, root, hostile, tmp_path):
    """Quiet verbs print nothing: a closed standard output is no error for them."""
    for args in (["run", str(hostile), "--trials", "200", "-q", "--out", str(tmp_path / "q")],
                 ["validate", "-q", str(root / DEFAULT)],
                 ["convert", str(root / DEFAULT), str(tmp_path / "s.json")]):
        r = subprocess.run([cpsf_bin, *args], stderr=subprocess.PIPE, timeout=120, preexec_fn=lambda: os.close(1))
        assert r.returncode == 0, (args, r.stderr)
    assert (tmp_path / "q" / "results.json").exists() and (tmp_path / "s.json").exists()


# ---- a run that completed no trial ---------------------------------------------------------------

def test_ctrl_c_before_the_first_round_replaces_no_result(cpsf_bin, root, tmp_path, interrupt):
    out = tmp_path / "out"
    r = cpsf(cpsf_bin, "run", str(root / DEFAULT), "--trials", "1000", "--out", str(out), "-q")
    assert r.returncode == 0, r.stderr
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    big = tmp_path / "big.pb"  # a first round of 4,096 trials takes seconds
    assert cpsf(cpsf_bin, "generate", str(big), "--enterprises", "40", "--assets-per-enterprise", "500").returncode == 0
    for delay in (0.05, 0.6):  # while loading, and in the first round
        p = subprocess.Popen([cpsf_bin, "run", str(big), "--trials", "100000000", "--target-rse", "0",
                              "--out", str(out), "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        interrupt(p, delay)
        _, err = p.communicate(timeout=120)
        err = err.decode()
        assert p.returncode == 130, (delay, p.returncode, err)
        assert "nothing was written" in err, err
        assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # the old result, whole


def test_run_graph_writes_the_attack_graph_with_the_estimates(cpsf_bin, root, tmp_path):
    """--graph graphml,dot: attack-graph.graphml (read back by NetworkX) and attack-graph.dot,
    with the estimates of assets.csv and the relation shares of results.json."""
    import csv

    import networkx as nx

    out = tmp_path / "g"
    r = subprocess.run([cpsf_bin, "run", DEFAULT, "--trials", "2000", "--seed", "3", "--graph", "graphml,dot", "-q",
                        "--out", str(out)], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    g = nx.read_graphml(out / "attack-graph.graphml")
    with open(out / "assets.csv") as f:
        assets = {row["id"]: row for row in csv.DictReader(f)}
    assert set(g.nodes) == set(assets) and g.number_of_edges() == 63
    for node, d in g.nodes(data=True):
        assert d["p_compromised"] == float(assets[node]["p_compromised"])
        assert d["ci95_low"] == float(assets[node]["ci95_low"]) and d["layer"] == assets[node]["layer"]
        assert d["expected_loss"] == d["p_compromised"] * d["loss"]
    shares = {s["relation"]: s for s in json.loads((out / "results.json").read_text())["paths"]["relations"]}
    for u, v, d in g.edges(data=True):
        assert 0 <= d["p_residual"] <= d["p_inherent"] <= 1
        assert d["path_share"] == (shares[d["id"]]["share"] if d["id"] in shares else 0)
    dot = (out / "attack-graph.dot").read_text()
    assert dot.startswith("digraph G {") and dot.count('"->"') == 63 and '"oem-vpn" [' in dot
    # Without --graph, no graph; an unknown format is a usage error.
    r = subprocess.run([cpsf_bin, "run", DEFAULT, "--trials", "100", "--graph", "svg", "-q", "--out",
                        str(tmp_path / "h")], cwd=root, capture_output=True, text=True, timeout=300)
    assert r.returncode == 2 and "svg" in r.stderr and not (tmp_path / "h").exists()


def test_run_graph_holds_hostile_ids(cpsf_bin, tmp_path):
    """Ids with XML's special characters and terminal controls: the GraphML still parses."""
    import networkx as nx

    s = tmp_path / "hostile.json"
    s.write_text(json.dumps(HOSTILE))
    r = subprocess.run([cpsf_bin, "run", str(s), "--trials", "200", "--graph", "graphml,dot", "-q", "--out",
                        str(tmp_path / "o")], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    g = nx.read_graphml(tmp_path / "o" / "attack-graph.graphml")
    assert FORMULA in g.nodes and LONG in g.nodes and "a\ufffd]0;owned\ufffd\ufffd[2J" in g.nodes
