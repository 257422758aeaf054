"""Scenarios from GraphML graphs and back (docs/import.md, "GraphML").

Everything goes through the engine (``cpsf import graphml``, ``cpsf export graphml``): the
attribute names, the mapping file, the diagnostics are the command line's. For a graph
already in NetworkX, :meth:`cpsf.Scenario.from_networkx` takes it without a file.
"""
from __future__ import annotations

import pathlib
from typing import Optional, Union

from . import _check, _core
from .errors import ScenarioError
from .inventory import _finish, _import_arguments
from .scenario import PathLike, Scenario, _problem

__all__ = ["import_graphml", "export_graphml", "EXAMPLE_GRAPHML"]

#: The example of the source tree (scenarios/examples/graphml: a drawing, its mapping, the base scenario).
EXAMPLE_GRAPHML = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "graphml"


def import_graphml(path: PathLike, *, into: Union[Scenario, PathLike, None] = None,
                   mapping: Optional[PathLike] = None, max_file_bytes: Optional[int] = None) -> Scenario:
    """Read a GraphML graph as ``cpsf import graphml`` does, and validate the result.

    Nodes become assets (the node's id the asset's id), edges relations; attributes named as
    the inventory's columns (``owner``, ``layer``, ``element``, ``loss.integrity``, ``kind``,
    ``step.p``, ...) set those fields, others are warned about unless `mapping` maps them.
    An owner that is no enterprise becomes one (its id and name the owner).

    Parameters
    ----------
    path : str or path-like
        The GraphML file (yEd, Gephi, NetworkX's ``write_graphml``, ``cpsf export graphml``).
    into : Scenario, str or path-like, optional
        The scenario to add the assets and relations to (its enterprises, threats, controls...).
    mapping : str or path-like, optional
        A CSV with the columns ``for`` (node, edge or graph), ``attribute``, ``field`` and
        optionally ``default``.
    max_file_bytes : int, optional
        Refuse any file larger than this (default 1 GiB, as the command line).

    Raises
    ------
    ScenarioFileError
        A file is missing or too large, or `into` cannot be read.
    ScenarioError
        The graph, the mapping or the resulting scenario is wrong; ``.problems`` name the line.

    Examples
    --------
    >>> import cpsf, tempfile, pathlib, warnings
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)
    >>> graph = cpsf.export_graphml(s, folder / "chain.graphml")
    >>> base = s.copy(); del base.assets[:]; del base.relations[:]
    >>> back = cpsf.import_graphml(graph, into=base)
    >>> back == s
    True
    >>> ex = cpsf.EXAMPLE_GRAPHML
    >>> plant = cpsf.import_graphml(ex / "drawing.graphml", mapping=ex / "mapping.csv", into=ex / "base.textproto")
    >>> [(a.id, a.name) for a in plant.assets][:2]
    [('n0', "Integrator's maintenance laptop"), ('n1', 'Plant remote-access gateway')]
    """
    path, mapping, into_bytes, into_path, limit = _import_arguments(path, into, mapping, max_file_bytes)
    status, data, diagnostics, _report = _core.graphml.import_file(path, mapping, into_bytes, into_path, limit)
    return _finish(status, data, diagnostics, path, stacklevel=4)


def export_graphml(scenario: Scenario, path: PathLike) -> pathlib.Path:
    """Write the scenario's graph as GraphML, as ``cpsf export graphml`` does; returns the path.

    Nodes are the assets, edges the relations, and every field with a value an attribute
    named as the inventory's column, typed (NetworkX's ``read_graphml`` gives numbers as
    floats). Enterprises, controls and threats are not in the graph: import it back with
    ``into`` a scenario that holds them.
    """
    _check.instance("scenario", scenario, Scenario, "a cpsf.Scenario")
    target = pathlib.Path(_check.path("path", path))
    text, problems = _core.graphml.export(scenario.to_bytes())
    if problems:
        raise ScenarioError([_problem(p, file="<memory>", hint="see docs/import.md, \"GraphML\"") for p in problems],
                            "the scenario holds what the graph cannot carry")
    target.write_text(text, encoding="utf-8", newline="")
    return target
