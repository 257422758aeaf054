"""Scenarios as inventories: CSV files, or pandas DataFrames, one per entity list, with
columns named as the scenario's fields (docs/import.md).

Everything goes through the engine's own importer and writer (``cpsf import inventory`` and
``cpsf export inventory``): DataFrames are written as CSV text here and read there, so the
columns, cell forms and diagnostics are the command line's.
"""
from __future__ import annotations

import io
import json
import math
import numbers
import pathlib
from typing import Any, Dict, List, Optional, Tuple, Union

from . import _check, _core
from .errors import Problem, ScenarioError, ScenarioFileError
from .scenario import PathLike, Scenario, _problem, _raise_for, _warn

__all__ = ["import_inventory", "from_frames", "to_frames", "export_inventory", "EXAMPLE_INVENTORY"]

#: The example inventory of the source tree (scenarios/examples/inventory, with a README).
EXAMPLE_INVENTORY = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "inventory"

#: The inventory's files, in the order they are read: scenario.csv, enterprises.csv, ...
FILES: Tuple[str, ...] = tuple(_core.inventory.files)


def _finish(status: str, data: Optional[bytes], diagnostics: list, subject: str, stacklevel: int = 4) -> Scenario:
    """An importer's (status, bytes, diagnostics) as a Scenario: io_error raises
    ScenarioFileError, errors ScenarioError, warnings warn (at `stacklevel`, the user's call)."""
    problems = [Problem._from_core(t) for t in diagnostics]
    if status == "io_error":
        raise ScenarioFileError(problems, f"cannot read {subject}")
    if status != "ok" or data is None:
        raise ScenarioError(problems, f"{subject} is invalid ({sum(p.is_error for p in problems)} errors)")
    _warn(_raise_for(problems, subject), stacklevel=stacklevel)
    return Scenario.from_bytes(data)


def _import_arguments(path: PathLike, into: Union[Scenario, PathLike, None], mapping: Optional[PathLike],
                      max_file_bytes: Optional[int]) -> Tuple[str, Optional[str], Optional[bytes], Optional[str], int]:
    """An importer's (path, mapping, into's bytes, into's path, byte limit), checked: `into` is a
    Scenario (passed as bytes) or a scenario file (loaded by the engine, includes merged)."""
    path = _check.path("path", path)
    limit = (_core.scenario.default_max_file_bytes if max_file_bytes is None
             else _check.integer("max_file_bytes", max_file_bytes, "file_bytes"))
    into_bytes = into_path = None
    if isinstance(into, Scenario):
        into_bytes = into.to_bytes()
    elif into is not None:
        into_path = _check.path("into", into)
    return path, None if mapping is None else _check.path("mapping", mapping), into_bytes, into_path, limit


def import_inventory(folder: PathLike, *, max_file_bytes: Optional[int] = None) -> Scenario:
    """Read an inventory folder, as ``cpsf import inventory FOLDER`` does, and validate it.

    Parameters
    ----------
    folder : str or path-like
        The folder holding enterprises.csv, assets.csv, relations.csv and optionally
        dependencies.csv, controls.csv, threats.csv, requirements.csv, scenario.csv.
    max_file_bytes : int, optional
        Refuse any file larger than this (default 1 GiB, as the command line).

    Raises
    ------
    ScenarioFileError
        The folder or a required file is missing, or a file is too large.
    ScenarioError
        A file or the scenario is wrong; ``.problems`` name the file, line and column.

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.import_inventory(cpsf.EXAMPLE_INVENTORY)
    >>> len(s.enterprises), len(s.assets), s.relations[0].step.p
    (3, 6, 0.35)
    """
    folder = _check.path("folder", folder)
    limit = (_core.scenario.default_max_file_bytes if max_file_bytes is None
             else _check.integer("max_file_bytes", max_file_bytes, "file_bytes"))
    return _finish(*_core.inventory.import_folder(folder, limit), folder)


def _cell(value: Any) -> Any:
    """A DataFrame value as the CSV cell the importer reads back to it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, (list, tuple)):
        return json.dumps([str(v) for v in value], ensure_ascii=False)
    if isinstance(value, str) and value.startswith("'"):
        return "'" + value  # a leading apostrophe is the importer's formula guard: keep the value's own
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "true" if value else "false"
    if isinstance(value, numbers.Real) and not isinstance(value, numbers.Integral):
        return repr(float(value))  # the shortest digits that read back exactly
    return value


def _csv(name: str, frame: Any) -> str:
    import pandas as pd

    _check.instance(name, frame, pd.DataFrame, "a pandas DataFrame")
    cells = frame.astype(object)
    for column in cells.columns:
        cells[column] = cells[column].map(_cell)
    return cells.to_csv(index=False, lineterminator="\n")


def from_frames(enterprises: Any, assets: Any, relations: Any, dependencies: Any = None, controls: Any = None,
                threats: Any = None, requirements: Any = None, scenario: Any = None) -> Scenario:
    """Build a scenario from pandas DataFrames in the inventory's columns, and validate it.

    Each DataFrame is one file of an inventory (docs/import.md): columns named as the
    scenario's fields (``loss.integrity``, ``step.p``, ``step.ttc``), enums by name
    (``"L3"``), distributions as ``"lognormal(mu=1.1,sigma=0.5)"``, lists as Python lists
    or ``"a;b"``; NaN and None are values not given. The index is not read. The frames go
    to the engine's importer as CSV text, so the rules and messages are those of
    ``cpsf import inventory``: a diagnostic names the frame (``<assets>``) and the line of
    its CSV text, on which the row at position i is line i + 2.

    Parameters
    ----------
    enterprises, assets, relations : pandas.DataFrame
        Required (a DataFrame with columns and no rows when there are none).
    dependencies, controls, threats, requirements : pandas.DataFrame, optional
    scenario : pandas.DataFrame, optional
        One row: ``name``, ``description``, ``currency``, ``settings.*``.

    Raises
    ------
    ScenarioError
        A cell or the scenario is wrong.

    Examples
    --------
    >>> import cpsf, pandas as pd
    >>> s = cpsf.Scenario.from_frames(
    ...     enterprises=pd.DataFrame({"id": ["oem"], "daily_output": [1000.0]}),
    ...     assets=pd.DataFrame({"id": ["vpn", "plm"], "owner": ["oem", "oem"], "layer": ["L3", "L3"],
    ...                          "element": ["SYSTEM", "DATA"], "exposure": [0.5, None],
    ...                          "loss.confidentiality": [None, 100.0], "target": [False, True]}),
    ...     relations=pd.DataFrame({"from": ["vpn"], "to": ["plm"], "layer": ["L3"], "kind": ["NETWORK"],
    ...                             "step.p": [0.5], "step.ttc": ["exponential(mean=2)"]}))
    >>> s.assets[1].loss.confidentiality, s.relations[0].step.ttc.exponential.mean
    (100.0, 2.0)
    """
    frames = {"enterprises": enterprises, "assets": assets, "relations": relations, "dependencies": dependencies,
              "controls": controls, "threats": threats, "requirements": requirements, "scenario": scenario}
    texts = [(f"{name}.csv", f"<{name}>", _csv(name, frame)) for name, frame in frames.items()
             if frame is not None or name in ("enterprises", "assets", "relations")]
    return _finish(*_core.inventory.import_texts(texts), "the scenario from the frames")


def _export(scenario: Scenario) -> List[Tuple[str, str]]:
    _check.instance("scenario", scenario, Scenario, "a cpsf.Scenario")
    files, problems = _core.inventory.export(scenario.to_bytes())
    if problems:
        raise ScenarioError([_problem(p, file="<memory>", hint="see docs/import.md, \"Back to CSV\"")
                             for p in problems], "the scenario holds what the CSV form cannot carry")
    return files


def to_frames(scenario: Scenario) -> Dict[str, Any]:
    """The scenario as DataFrames, one per inventory file (``"assets"``, ...), every cell a str
    as ``cpsf export inventory`` writes it (empty: not given); ``from_frames(**to_frames(s))``
    gives `s` back.

    Examples
    --------
    >>> import cpsf
    >>> frames = cpsf.load(cpsf.DEFAULT_SCENARIO).to_frames()
    >>> frames["assets"].loc[0, ["id", "layer", "element"]].tolist()
    ['oem-staff', 'L1', 'PEOPLE']
    """
    import pandas as pd

    frames = {}
    for name, text in _export(scenario):
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        for column in frame.columns:  # one leading apostrophe is the writer's formula guard, not the value's
            frame[column] = frame[column].map(lambda v: v[1:] if v.startswith("'") else v)
        frames[name[:-4]] = frame
    return frames


_OTHER_LISTS = ("enterprises", "dependencies", "controls", "threats", "requirements", "scenario")


def from_networkx(graph: Any, *, enterprises: Any = None, dependencies: Any = None, controls: Any = None,
                  threats: Any = None, requirements: Any = None, scenario: Any = None,
                  ignore: Any = ()) -> Scenario:
    """Build a scenario from a NetworkX graph: nodes are assets, edges relations; validated.

    The node's key is the asset's ``id``; an edge ``u → v`` is a relation ``from: u to: v``.
    Attributes are read as the inventory's columns (docs/import.md): named as the scenario's
    fields (``owner``, ``layer``, ``element``, ``exposure``, ``loss.integrity``; on edges
    ``id``, ``layer``, ``kind``, ``step.p``, ``step.ttc``, ``step.mitigated_by``), with the same
    rules and messages as :func:`from_frames` (a diagnostic names ``<assets>`` or
    ``<relations>`` and the line of row i, i + 2, rows in the graph's node and edge order).
    An attribute that is no field is an error naming the nearest field; list attributes
    the graph carries for other tools (a layout's ``x``, ``y``, a ``label``) in `ignore`.

    A graph made by :meth:`Results.to_networkx` comes back as the scenario it was run on: its
    result attributes (``p_compromised``, ``p_residual``, ...) are not read (the graph names
    them in ``graph.graph["cpsf_results"]``), and the scenario's other lists ride in
    ``graph.graph["cpsf_frames"]``.

    Parameters
    ----------
    graph : networkx.Graph, DiGraph, MultiDiGraph, ...
        An undirected graph's edges are read in the direction NetworkX lists them.
    enterprises, dependencies, controls, threats, requirements, scenario : pandas.DataFrame, optional
        The other lists, in the inventory's columns. Given, they take the place of those in
        ``graph.graph["cpsf_frames"]``; enterprises, when neither gives them, are made from the
        nodes' ``owner`` values (an id each).
    ignore : iterable of str
        Attribute names, of nodes or edges, not to read.

    Raises
    ------
    ScenarioError
        A cell or the scenario is wrong.
    TypeError
        A node key that is not a str.

    Examples
    --------
    >>> import cpsf, networkx as nx
    >>> g = nx.DiGraph()
    >>> g.add_node("vpn", owner="oem", layer="L3", element="SYSTEM", exposure=0.5)
    >>> g.add_node("plm", owner="oem", layer="L3", element="DATA", target=True, **{"loss.confidentiality": 100})
    >>> g.add_edge("vpn", "plm", layer="L3", kind="NETWORK")  # the step from the attack-step library
    >>> s = cpsf.Scenario.from_networkx(g)
    >>> [e.id for e in s.enterprises], s.relations[0].kind == cpsf.v1.NETWORK
    (['oem'], True)
    """
    import pandas as pd

    skip = set(_check.texts("ignore", list(ignore)))
    results = graph.graph.get("cpsf_results", {}) if isinstance(getattr(graph, "graph", None), dict) else {}
    node_skip = skip | set(results.get("nodes", ()))
    edge_skip = skip | set(results.get("edges", ()))
    rows = []
    for node, attrs in graph.nodes(data=True):
        if not isinstance(node, str):
            raise TypeError(f"a node's key is the asset's id, a str: not {node!r} ({type(node).__name__})")
        rows.append({"id": node, **{k: v for k, v in attrs.items() if k not in node_skip and k != "id"}})
    assets = pd.DataFrame(rows, columns=list(dict.fromkeys(c for r in rows for c in r)) or ["id"])
    edges = list(graph.edges(data=True))
    if results and all(isinstance(d.get("index"), int) for *_, d in edges):
        edges.sort(key=lambda e: e[2]["index"])  # to_networkx's graph: back in the scenario's order
    rows = []
    for u, v, attrs in edges:
        read = {k: a for k, a in attrs.items() if k not in edge_skip and k not in ("from", "to")}
        rows.append({"from": u, "to": v, **read})
    relations = pd.DataFrame(rows, columns=list(dict.fromkeys(c for r in rows for c in r)) or ["from", "to"])
    given = {"enterprises": enterprises, "dependencies": dependencies, "controls": controls, "threats": threats,
             "requirements": requirements, "scenario": scenario}
    carried = graph.graph.get("cpsf_frames", {}) if isinstance(getattr(graph, "graph", None), dict) else {}
    lists = {name: given[name] if given[name] is not None else carried.get(name) for name in _OTHER_LISTS}
    if lists["enterprises"] is None:
        owners = [o for o in dict.fromkeys(assets["owner"]) if isinstance(o, str) and o] if "owner" in assets else []
        lists["enterprises"] = pd.DataFrame({"id": owners})
    return from_frames(lists["enterprises"], assets, relations, lists["dependencies"], lists["controls"],
                       lists["threats"], lists["requirements"], lists["scenario"])


def export_inventory(scenario: Scenario, folder: PathLike) -> List[pathlib.Path]:
    """Write the scenario as an inventory folder, as ``cpsf export inventory`` does; returns the files."""
    folder = pathlib.Path(_check.path("folder", folder))
    files = _export(scenario)  # refused before anything is made
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files:
        path = folder / name
        path.write_text(text, encoding="utf-8", newline="")
        written.append(path)
    return written
