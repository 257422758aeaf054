#!/usr/bin/python3
"""Turn a reference case (the format of tests/data/reference, docs/methods.md §7) into a cpsf scenario.

    case_to_scenario.py CASE.json OUT.{json,textproto,pb}

The case format: `nodes` (id, entry probability, gate any/all, contain, loss), `edges`
(from, to, p, ttc fixed or ttc_mean for an exponential time, mitigated_by), `controls`
(id -> efficacy, implemented), `horizon` (null: none). The scenario is written as JSON;
a .textproto or .pb OUT is produced through `cpsf convert` ($CPSF_BIN or build/bin/cpsf).
Every asset gets one owner, layer L3 and element SYSTEM: the case format has none, and
they do not change the attack semantics.
"""
import json
import os
import pathlib
import subprocess
import sys
import tempfile


def case_to_scenario(case):
    assets = []
    for node in case["nodes"]:
        asset = {"id": node["id"], "owner": "case", "layer": "L3", "element": "SYSTEM"}
        if node.get("gate", "any") == "all":
            asset["gate"] = "ALL"
        if node.get("entry"):
            asset["exposure"] = node["entry"]
        if node.get("contain"):
            asset["containment"] = node["contain"]
        if node.get("loss"):
            asset["loss"] = {"integrity": node["loss"]}
        assets.append(asset)
    relations = []
    for i, edge in enumerate(case["edges"]):
        step = {"p": edge["p"]}
        if "ttc_mean" in edge:
            step["ttc"] = {"exponential": {"mean": edge["ttc_mean"]}}
        elif "ttc" in edge:
            step["ttc"] = {"fixed": {"value": edge["ttc"]}}
        if edge.get("mitigated_by"):
            step["mitigated_by"] = list(edge["mitigated_by"])
        relations.append({"id": f"e{i}", "from": edge["from"], "to": edge["to"], "layer": "L3", "step": step})
    controls, requirements = [], []
    for cid, c in case.get("controls", {}).items():
        # The case names controls by requirement id; each covers every relation.
        controls.append({"id": cid, "requirement": cid, "efficacy": c["efficacy"],
                         "implemented": bool(c.get("implemented", True))})
        requirements.append({"id": cid, "subject": "from reference case " + case.get("name", "")})
    scenario = {
        "name": case.get("name", "case"),
        "description": case.get("description", ""),
        "enterprises": [{"id": "case"}],
        "assets": assets,
        "relations": relations,
        "controls": controls,
        "requirements": requirements,
    }
    if case.get("horizon") is not None:
        scenario["settings"] = {"horizon": case["horizon"]}
    return scenario


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    case = json.loads(pathlib.Path(argv[1]).read_text())
    scenario = case_to_scenario(case)
    out = pathlib.Path(argv[2])
    if out.suffix == ".json":
        out.write_text(json.dumps(scenario, indent=1) + "\n")
        return 0
    cpsf = os.environ.get("CPSF_BIN", str(pathlib.Path(__file__).resolve().parents[2] / "build" / "bin" / "cpsf"))
    with tempfile.TemporaryDirectory() as tmp:
        src = pathlib.Path(tmp) / "scenario.json"
        src.write_text(json.dumps(scenario))
        return subprocess.run([cpsf, "convert", str(src), str(out)]).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv))
