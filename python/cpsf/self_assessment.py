"""Supplier self-assessments as per-enterprise controls (docs/import.md, "Self-assessments").

Everything goes through the engine's own importer (``cpsf import self-assessment``): the
columns, the answers allowed, the diagnostics and the report are the command line's.
"""
from __future__ import annotations

import pathlib
from typing import Any, Dict, NamedTuple, Optional, Union

from . import _check, _core
from .inventory import _finish, _import_arguments
from .scenario import PathLike, Scenario

__all__ = ["import_self_assessment", "read_self_assessment", "SelfAssessment", "EXAMPLE_SELF_ASSESSMENT"]

#: The example of the source tree (scenarios/examples/self-assessment: answers.csv, mapping.csv, a README).
EXAMPLE_SELF_ASSESSMENT = pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "self-assessment"


class SelfAssessment(NamedTuple):
    """What :func:`read_self_assessment` gives: the scenario and the import's report."""

    scenario: Scenario
    #: ``rows``, ``implemented``, ``not_implemented``, ``not_applicable``, ``missing`` (company x item answers),
    #: ``controls_written``, ``controls_replaced``, ``controls_removed``, ``enterprises_made``,
    #: ``unmatched`` ([(company, line of its first answer)]), ``companies`` ([{company, enterprise, answers,
    #: baselines: {"SCS-3": {required, covered, missing}}, nearest}]) and ``text`` (what the command prints).
    report: Dict[str, Any]


def read_self_assessment(path: PathLike, *, into: Union[Scenario, PathLike, None] = None,
                         mapping: Optional[PathLike] = None, strict: bool = False,
                         max_file_bytes: Optional[int] = None) -> SelfAssessment:
    """Import a self-assessment answers file as ``cpsf import self-assessment`` does; the scenario and the report.

    Parameters
    ----------
    path : str or path-like
        The answers CSV: columns ``company``, ``item``, ``answer`` and optionally ``date``.
    into : Scenario, str or path-like, optional
        The scenario whose enterprises the companies must match; the result is it with the
        controls added (and validated). Without it the result is a fragment: an enterprise per
        company and the controls, to include from a scenario (not validated: it has no assets).
    mapping : str or path-like, optional
        A CSV mapping checklist items to requirement ids: ``item``, ``requirement`` and optionally ``level``.
    strict : bool
        With `into`: a company that matches no enterprise is an error (else a warning).
    max_file_bytes : int, optional
        Refuse any file larger than this (default 1 GiB, as the command line).

    Raises
    ------
    ScenarioFileError
        A file is missing or too large, or `into` cannot be read.
    ScenarioError
        A cell, the mapping or the resulting scenario is wrong; ``.problems`` name the file, line and column.

    Warns
    -----
    ScenarioWarning
        For each company that matches no enterprise of `into` (with the line of its first answer), and
        validation's warnings.

    Examples
    --------
    >>> import cpsf
    >>> ex = cpsf.EXAMPLE_SELF_ASSESSMENT
    >>> r = cpsf.read_self_assessment(ex / "answers.csv", mapping=ex / "mapping.csv")
    >>> r.report["controls_written"], r.scenario.controls[0].id
    (42, 'sa-oem-CPS.AC-1')
    """
    path, mapping, into_bytes, into_path, limit = _import_arguments(path, into, mapping, max_file_bytes)
    status, data, diagnostics, report = _core.self_assessment.import_file(
        path, mapping, into_bytes, into_path, _check.flag("strict", strict), limit)
    return SelfAssessment(_finish(status, data, diagnostics, path, stacklevel=4), report)


def import_self_assessment(path: PathLike, *, into: Union[Scenario, PathLike, None] = None,
                           mapping: Optional[PathLike] = None, strict: bool = False,
                           max_file_bytes: Optional[int] = None) -> Scenario:
    """The scenario of :func:`read_self_assessment` (same parameters), without the report.

    Examples
    --------
    >>> import cpsf, warnings
    >>> ex = cpsf.EXAMPLE_SELF_ASSESSMENT
    >>> with warnings.catch_warnings():  # an unmatched company; controls that act on no relation
    ...     warnings.simplefilter("ignore", cpsf.ScenarioWarning)
    ...     s = cpsf.import_self_assessment(ex / "answers.csv", mapping=ex / "mapping.csv",
    ...                                     into=cpsf.load(cpsf.DEFAULT_SCENARIO))
    >>> len(s.controls), cpsf.v1.Level.Name(s.control("sa-t2-CPS.AC-1").level)
    (54, 'ADVANCED')
    """
    return read_self_assessment(path, into=into, mapping=mapping, strict=strict,
                                max_file_bytes=max_file_bytes).scenario
