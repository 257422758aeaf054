"""cpsf.import_inventory, Scenario.from_frames / to_frames, Scenario.from_networkx and cpsf.export_inventory: the
engine's importer and writer from Python, with the command line's diagnostics."""
import math
import os
import pathlib
import shutil
import subprocess

import pandas as pd
import pytest

import cpsf

ROOT = pathlib.Path(__file__).resolve().parents[2]


def frames_of_example():
    return {name[:-4]: pd.read_csv(cpsf.EXAMPLE_INVENTORY / name, dtype=str, keep_default_na=False)
            for name in cpsf.inventory.FILES if (cpsf.EXAMPLE_INVENTORY / name).exists()}


def test_import_inventory_reads_the_example_as_the_cli_does(tmp_path):
    s = cpsf.import_inventory(cpsf.EXAMPLE_INVENTORY)
    assert (len(s.enterprises), len(s.assets), len(s.relations)) == (3, 6, 6)
    assert s.threats[0].entry_points[0].probability == 0.2
    assert s.settings.trials == 20000
    out = tmp_path / "a.pb"
    cli = os.environ.get("CPSF_BIN", str(ROOT / "build/bin/cpsf"))
    subprocess.run([cli, "import", "inventory", str(cpsf.EXAMPLE_INVENTORY), "-o", str(out)], check=True,
                   capture_output=True)
    assert cpsf.load(out) == s


def test_import_inventory_errors(tmp_path):
    with pytest.raises(cpsf.ScenarioFileError) as e:
        cpsf.import_inventory(tmp_path / "nothing")
    assert "no such folder" in str(e.value.problems[0])
    folder = tmp_path / "inv"
    shutil.copytree(cpsf.EXAMPLE_INVENTORY, folder)
    (folder / "assets.csv").write_text("id,owner,layer\nx,mb,L9\n")
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.import_inventory(folder)
    p = e.value.problems[0]
    assert (p.file, p.line, p.path) == (str(folder / "assets.csv"), 2, "layer")
    assert "'L9' is not a value of Layer" in p.message and p.hint
    with pytest.raises(cpsf.ScenarioFileError):
        cpsf.import_inventory(cpsf.EXAMPLE_INVENTORY, max_file_bytes=10)
    with pytest.raises(TypeError):
        cpsf.import_inventory(3)


def test_from_frames_takes_native_values():
    s = cpsf.Scenario.from_frames(
        enterprises=pd.DataFrame({"id": ["oem"], "daily_output": [1000]}),
        assets=pd.DataFrame({"id": ["vpn", "plm"], "owner": ["oem", "oem"], "layer": ["L3", "L3"],
                             "element": ["SYSTEM", "DATA"], "exposure": [0.3, math.nan],
                             "loss.confidentiality": [None, 1e6], "target": [False, True],
                             "tags": [["edge", "a;b"], None], "name": ["'quoted", "=SUM(A1)"]}),
        relations=pd.DataFrame({"from": ["vpn"], "to": ["plm"], "layer": ["L3"], "kind": ["NETWORK"],
                                "step.p": [0.1 + 0.2], "step.ttc": ["lognormal(mu=1.1,sigma=0.5)"]}),
        threats=pd.DataFrame({"id": ["t"], "entry_points": ["vpn=0.3"]}))
    vpn, plm = s.assets
    assert vpn.exposure == 0.3 and plm.exposure == 0 and plm.loss.confidentiality == 1e6
    assert not vpn.HasField("loss") and plm.target and not vpn.target
    assert list(vpn.tags) == ["edge", "a;b"] and list(plm.tags) == []
    assert vpn.name == "'quoted" and plm.name == "=SUM(A1)"
    assert s.relations[0].step.p == 0.1 + 0.2  # exactly, not rounded
    assert s.enterprises[0].daily_output == 1000


def test_from_frames_errors_name_the_frame_line_and_column():
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.Scenario.from_frames(
            enterprises=pd.DataFrame({"id": ["oem"]}),
            assets=pd.DataFrame({"id": ["a", "b"], "owner": ["oem", "nobody"], "exposure": ["0.1", "lots"]}),
            relations=pd.DataFrame({"from": []}))
    texts = [str(p) for p in e.value.problems]
    assert any(t.startswith("<assets>:3: error: asset 'b': column exposure: 'lots' is not a number") for t in texts)
    with pytest.raises(cpsf.ScenarioError) as e:
        cpsf.Scenario.from_frames(enterprises=pd.DataFrame({"id": ["oem"]}), assets=pd.DataFrame({"colour": []}),
                                  relations=pd.DataFrame({"from": []}))
    assert "unknown column 'colour'" in str(e.value.problems[0])
    with pytest.warns(cpsf.ScenarioWarning, match="^<frames>: warning: nothing can be compromised"):
        cpsf.Scenario.from_frames(enterprises=pd.DataFrame({"id": ["oem"]}),
                                  assets=pd.DataFrame({"id": ["a"], "owner": ["oem"], "layer": ["L3"],
                                                       "element": ["DATA"]}),
                                  relations=pd.DataFrame({"from": []}))
    with pytest.raises(TypeError, match="assets must be a pandas DataFrame"):
        cpsf.Scenario.from_frames(enterprises=pd.DataFrame(), assets={"id": ["a"]}, relations=pd.DataFrame())


def test_from_frames_of_the_example_csv_is_the_imported_folder():
    assert cpsf.Scenario.from_frames(**frames_of_example()) == cpsf.import_inventory(cpsf.EXAMPLE_INVENTORY)


@pytest.mark.parametrize("path", sorted((ROOT / "scenarios").rglob("scenario*.textproto")),
                         ids=lambda p: str(p.relative_to(ROOT / "scenarios")))
def test_to_frames_from_frames_round_trip(path):
    s = cpsf.load(path)
    frames = s.to_frames()
    assert set(frames) == {"scenario", "enterprises", "assets", "relations", "dependencies", "controls", "threats",
                           "requirements"}
    assert cpsf.Scenario.from_frames(**frames) == s


def test_export_inventory_then_import(tmp_path):
    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    files = cpsf.export_inventory(s, tmp_path / "inv")
    assert [f.name for f in files] == list(cpsf.inventory.FILES)
    assert cpsf.import_inventory(tmp_path / "inv") == s
    s.proto.baselines.add(id="B")
    with pytest.raises(cpsf.ScenarioError, match="cannot carry"):
        cpsf.export_inventory(s, tmp_path / "inv2")
    assert not (tmp_path / "inv2").exists()


# ---- Scenario.from_networkx ----------------------------------------------------------------

def test_from_networkx_gives_back_the_scenario_to_networkx_was_run_on():
    s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    res = cpsf.run(s, trials=1000, seed=2, progress=False)
    g = res.to_networkx()
    assert g.nodes["oem-vpn"]["exposure"] == "0.05" and "p_compromised" in g.graph["cpsf_results"]["nodes"]
    assert cpsf.Scenario.from_networkx(g) == s
    # An edited graph is the edited scenario: one relation fewer, every other field as it was.
    g.remove_edge("oem-workstations", "oem-ad", key="r-oem-ws-ad")
    edited = cpsf.Scenario.from_networkx(g)
    assert [r.id for r in edited.relations] == [r.id for r in s.relations if r.id != "r-oem-ws-ad"]
    assert edited.proto.controls == s.proto.controls and edited.proto.threats == s.proto.threats


def test_from_networkx_reads_a_plain_graph_with_kinds_only():
    import networkx as nx

    g = nx.DiGraph()
    g.add_node("vpn", owner="oem", layer="L3", element="SYSTEM", exposure=0.5, x=10.0)
    g.add_node("plm", owner="oem", layer="L3", element="DATA", target=True, **{"loss.confidentiality": 100.0})
    g.add_edge("vpn", "plm", layer="L3", kind="NETWORK", weight=2)
    threats = pd.DataFrame({"id": ["crew"], "entry_points": ["vpn=0.5"], "objectives": ["plm"]})
    with pytest.raises(cpsf.ScenarioError) as e:  # x and weight are no fields: named, not skipped silently
        cpsf.Scenario.from_networkx(g, threats=threats)
    assert "x" in str(e.value) and "weight" in str(e.value)
    s = cpsf.Scenario.from_networkx(g, threats=threats, ignore=["x", "weight"])
    assert [e.id for e in s.enterprises] == ["oem"] and not s.relations[0].HasField("step")
    assert s.assets[1].loss.confidentiality == 100.0
    res = cpsf.run(s, trials=4000, seed=1, progress=False)
    # p from the library (network-l3, 0.5 at ★3), entry 0.5: P(plm) = 0.25 within 4 SE.
    p, n = res.assets().loc["plm", "p_compromised"], res.trials
    assert abs(p - 0.25) < 4 * math.sqrt(0.25 * 0.75 / n)
    with pytest.raises(cpsf.ScenarioError, match="exposure"):  # a misspelt field: the nearest is named
        g2 = g.copy()
        g2.nodes["vpn"]["exposre"] = 0.3
        cpsf.Scenario.from_networkx(g2, threats=threats, ignore=["x", "weight"])
    g3 = nx.DiGraph()
    g3.add_node(1, owner="oem")
    with pytest.raises(TypeError, match="asset's id"):
        cpsf.Scenario.from_networkx(g3)
