"""`cpsf import graphml` / `cpsf export graphml` and cpsf.import_graphml / export_graphml: a
graph written by NetworkX comes in, a drawing tool's graph comes in through a mapping file,
the command line and Python give the same scenario, and bad graphs are refused with a line."""
import subprocess
import warnings

import networkx as nx
import pytest

import cpsf

EXAMPLE = "scenarios/examples/graphml"


def run(cpsf_bin, *args):
    return subprocess.run([cpsf_bin, *args], capture_output=True, text=True)


def networkx_chain(path):
    """A two-company chain as a researcher keeps it in NetworkX, written by write_graphml."""
    g = nx.DiGraph()
    g.add_node("msp-rmm", owner="msp", layer="L3", element="SYSTEM", exposure=0.3)
    g.add_node("plant-plc", owner="oem", layer="L2", element="COMPONENT", target=True,
               **{"loss.integrity": 2.5e5, "loss.availability": 1e5})
    g.add_edge("msp-rmm", "plant-plc", layer="L3", kind="TRUST", **{"step.p": 0.4, "id": "rmm-to-plc"})
    nx.write_graphml(g, path)
    return path


def test_a_networkx_graph_imports_and_runs(cpsf_bin, tmp_path):
    graph = networkx_chain(tmp_path / "chain.graphml")
    out = tmp_path / "chain.textproto"
    r = run(cpsf_bin, "import", "graphml", str(graph), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "2 enterprises, 2 assets, 1 relations (2 nodes and 1 edges read; 2 enterprises made" in r.stderr
    s = cpsf.load(out)
    assert s.asset("plant-plc").loss.integrity == 2.5e5 and s.asset("plant-plc").target
    assert s.relations[0].id == "rmm-to-plc" and s.relations[0].step.p == 0.4
    assert [e.id for e in s.enterprises] == ["msp", "oem"]
    res = cpsf.run(s, trials=2000, seed=3)
    # One step of p 0.4 from an entry of exposure 0.3: P(plc) = 0.12, within 4 standard errors.
    p = res.assets().loc["plant-plc", "p_compromised"]
    assert abs(p - 0.12) < 4 * (0.12 * 0.88 / 2000) ** 0.5


def test_command_line_and_python_give_the_same_scenario(cpsf_bin, tmp_path):
    graph = networkx_chain(tmp_path / "chain.graphml")
    r = run(cpsf_bin, "import", "graphml", str(graph), "-o", str(tmp_path / "c.pb"))
    assert r.returncode == 0, r.stderr
    assert cpsf.import_graphml(graph) == cpsf.load(tmp_path / "c.pb")


def test_export_then_import_into_the_rest_is_the_scenario(cpsf_bin, root, tmp_path):
    scenario = root / "scenarios/default/scenario.textproto"
    r = run(cpsf_bin, "export", "graphml", str(scenario), "-o", str(tmp_path / "d.graphml"))
    assert r.returncode == 0 and "49 nodes (the assets), 63 edges (the relations)" in r.stderr
    g = nx.read_graphml(tmp_path / "d.graphml")  # a graph tool reads it, numbers as numbers
    assert g.number_of_nodes() == 49 and g.number_of_edges() == 63
    assert isinstance(g.nodes["oem-design-data"]["loss.confidentiality"], float)
    full = cpsf.load(scenario)
    base = full.copy()
    del base.assets[:]
    del base.relations[:]
    assert cpsf.import_graphml(tmp_path / "d.graphml", into=base) == full
    r = run(cpsf_bin, "export", "graphml", str(scenario), "-o", "-")
    assert r.returncode == 0 and r.stdout == (tmp_path / "d.graphml").read_text()


def test_the_example_imports_with_its_mapping(cpsf_bin, root, tmp_path):
    out = tmp_path / "e.textproto"
    r = run(cpsf_bin, "import", "graphml", str(root / EXAMPLE / "drawing.graphml"), "--map",
            str(root / EXAMPLE / "mapping.csv"), "--into", str(root / EXAMPLE / "base.textproto"), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "warning" not in r.stderr, r.stderr
    v = run(cpsf_bin, "validate", str(out))
    assert v.returncode == 0 and "0 errors, 0 warnings" in v.stdout, v.stdout
    r = run(cpsf_bin, "run", str(out), "--trials", "2000", "--quiet", "--out", str(tmp_path / "res"))
    assert r.returncode == 0, r.stderr


def test_without_the_mapping_the_gaps_are_named_on_their_lines(cpsf_bin, root, tmp_path):
    r = run(cpsf_bin, "import", "graphml", str(root / EXAMPLE / "drawing.graphml"), "-o", str(tmp_path / "x.pb"))
    assert r.returncode == 1
    assert "node attribute(s) not read: " in r.stderr and "'label'" in r.stderr and "--map" in r.stderr
    assert "drawing.graphml:" in r.stderr and "has no CPSF layer" in r.stderr
    assert "nothing was written" in r.stderr and not (tmp_path / "x.pb").exists()


def test_python_errors_carry_the_line(tmp_path):
    bad = tmp_path / "bad.graphml"
    bad.write_text('<graphml><graph edgedefault="directed">\n<node id="a"/>\n<node id="a"/>\n</graph></graphml>')
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_graphml(bad)
    assert any(p.line == 3 and "a second node has the id 'a'" in p.message for p in e.value.problems)
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_graphml(tmp_path / "none.graphml")


def test_options_of_other_kinds_are_refused(cpsf_bin, tmp_path):
    graph = networkx_chain(tmp_path / "chain.graphml")
    for option in ("--strict", "--quiet"):
        r = run(cpsf_bin, "import", "graphml", str(graph), option, "-o", str(tmp_path / "o.pb"))
        assert r.returncode == 2 and "is an option of import self-assessment" in r.stderr
    r = run(cpsf_bin, "import", "inventory", str(tmp_path), "--map", str(graph), "-o", str(tmp_path / "o.pb"))
    assert r.returncode == 2 and "--map is an option of import self-assessment and import graphml" in r.stderr


def test_warnings_reach_python(tmp_path):
    graph = networkx_chain(tmp_path / "chain.graphml")
    text = graph.read_text().replace('attr.name="exposure"', 'attr.name="colour"')
    graph.write_text(text)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cpsf.import_graphml(graph)
    assert any("node attribute(s) not read: 'colour'" in str(w.message) for w in caught)
