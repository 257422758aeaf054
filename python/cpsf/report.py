"""The HTML report: one self-contained page (Vega and the data inlined, nothing fetched)
with the summary in plain words, the loss exceedance curve, the assets most likely to be
compromised, the layer × element heatmap, enterprises, top attack paths, chokepoints,
inherent vs residual, and, when given, the portfolio frontier and the comparison —
the page ``cpsf report`` writes (docs/report.md).

:meth:`Results.report` and :meth:`Portfolio.report` write one document's page;
:func:`write_report` joins several (a run, its comparison, its portfolio). In Jupyter a
:class:`Results` shows itself as this page (``_repr_html_``, in a sandboxed frame).

Examples
--------
>>> import cpsf, pathlib, tempfile
>>> res = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=500, seed=1, progress=False)
>>> page = cpsf.report_html(res)
>>> page.startswith("<!DOCTYPE html>") and "vega" in page
True
>>> out = res.report(pathlib.Path(tempfile.mkdtemp()))      # a directory: report.html in it
>>> out.name
'report.html'
"""
from __future__ import annotations

import html
import json
import os
import pathlib
import tempfile
from typing import Any, Optional, Union

from . import _check, _core

__all__ = ["report_html", "write_report"]


def _document(value: Any, what: str) -> str:
    """The JSON text of a results / compare / optimise document given as the object cpsf
    returned, its dict, or its text."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return json.dumps(value)
    to_json = getattr(value, "to_json", None)
    attrs = getattr(value, "attrs", None)
    if isinstance(attrs, dict) and isinstance(attrs.get("json"), str):  # cpsf.compare's table
        return attrs["json"]
    if callable(to_json) and not hasattr(value, "columns"):
        return to_json()
    raise TypeError(f"{what}: expected what cpsf returned (Results, cpsf.compare's table, Portfolio), its dict or "
                    f"its JSON text, not {type(value).__name__}")


def report_html(results: Any = None, compare: Any = None, optimise: Any = None) -> str:
    """The report page as text, from a run's :class:`Results`, :func:`cpsf.compare`'s table
    and an :func:`cpsf.optimise` :class:`Portfolio` (any of them, at least one), or
    their documents as dicts or JSON text.

    Raises ValueError for a document that is not one cpsf wrote (not JSON, nesting
    over 64 levels, or another format), TypeError for something else."""
    texts = (_document(results, "results"), _document(compare, "compare"), _document(optimise, "optimise"))
    if not any(texts):
        raise ValueError("nothing to report: give results, compare or optimise")
    return _core.report.report_html(*texts)


def _target(path: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
    path = pathlib.Path(_check.path("path", path))
    if path.is_dir() or (not path.suffix and not path.exists()):
        path.mkdir(parents=True, exist_ok=True)
        return path / "report.html"
    return path


def write_report(path: Union[str, "os.PathLike[str]"], results: Any = None, compare: Any = None,
                 optimise: Any = None) -> pathlib.Path:
    """Write :func:`report_html`'s page to `path` (a file, or a directory: report.html in
    it), atomically. Returns the file written."""
    page = report_html(results, compare, optimise)
    target = _target(path)
    fd, tmp = tempfile.mkstemp(prefix=".report-", suffix=".html", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(page)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def in_frame(page: str, height: int = 760) -> str:
    """`page` in a sandboxed frame for Jupyter: its scripts run, isolated from the notebook."""
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" sandbox="allow-scripts" title="cpsf report" '
            f'style="width: 100%; height: {int(height)}px; border: 1px solid #d9dde5"></iframe>')


def frame_or_none(page_of: Any) -> Optional[str]:
    try:
        return in_frame(page_of())
    except ValueError:
        return None
