"""Problems with a scenario, and the exceptions and warnings that carry them.

Every loader and validator of the engine reports through diagnostics instead of
stopping at the first problem (docs/design.md §8.4). In Python a diagnostic is a
:class:`Problem`; a scenario with errors raises :class:`ScenarioError`, whose
``problems`` list holds every one of them, warnings included.
"""
from __future__ import annotations

import dataclasses
from typing import Iterable, List, Optional

__all__ = [
    "Problem",
    "ScenarioError",
    "ScenarioFileError",
    "ScenarioWarning",
    "PartialResultWarning",
    "RunInterrupted",
]


@dataclasses.dataclass(frozen=True)
class Problem:
    """One problem found in a scenario: what is wrong, where, and how to fix it.

    Attributes
    ----------
    severity : {"error", "warning"}
        Errors make a scenario invalid; warnings flag what is legal but suspicious.
    file : str
        The file as given (or as resolved, for an included file); ``"<memory>"`` or the
        name given to :meth:`cpsf.Scenario.validate` for a scenario built in Python.
    line, column : int
        1-based position in a text-format file; 0 when the format has no lines (JSON,
        binary, a scenario in memory) or the position is unknown.
    path : str
        Field path inside the file, e.g. ``"assets[3].loss.integrity"``.
    entity : str
        The entity concerned, e.g. ``"asset 'oem-mes'"``; empty for file-level problems.
    message : str
        What is wrong.
    hint : str
        How to fix it.
    text : str
        The line ``cpsf validate`` prints for it:
        ``file:line:col: error: entity: message (fix: hint) [path]``. ``str(problem)``.

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.Scenario.from_dict({
    ...     "enterprises": [{"id": "e"}],
    ...     "assets": [{"id": "a", "owner": "e", "layer": "L3", "element": "DATA",
    ...                 "exposure": 2}]})
    >>> problem = [p for p in s.problems() if p.is_error][0]
    >>> problem.entity, problem.path
    ("asset 'a'", 'assets[0].exposure')
    >>> "exposure is 2" in problem.message
    True
    """

    severity: str
    file: str
    line: int
    column: int
    path: str
    entity: str
    message: str
    hint: str
    text: str = dataclasses.field(default="", compare=False, repr=False)

    @property
    def is_error(self) -> bool:
        """True for an error, False for a warning."""
        return self.severity == "error"

    def __str__(self) -> str:
        return self.text or f"{self.file}: {self.severity}: {self.entity}: {self.message}"

    @classmethod
    def _from_core(cls, t) -> "Problem":
        return cls(*t)


class ScenarioError(ValueError):
    """A scenario is invalid: it could not be read, or validation found errors.

    Attributes
    ----------
    problems : list of Problem
        Every problem found, errors and warnings, in the order the engine reports them.
    errors : list of Problem
        The errors among them.

    Examples
    --------
    >>> import cpsf
    >>> try:
    ...     cpsf.Scenario.from_text('assets { id: "a" owner: "nobody" }').validate()
    ... except cpsf.ScenarioError as e:
    ...     print(any("nobody" in p.message for p in e.errors))
    True
    """

    def __init__(self, problems: Iterable[Problem], summary: Optional[str] = None):
        self.problems: List[Problem] = list(problems)
        self._summary = summary
        errors = self.errors
        if summary is None:
            summary = f"the scenario is invalid ({len(errors)} error{'s' if len(errors) != 1 else ''})"
        shown = errors or self.problems
        lines = [summary] + ["  " + str(p) for p in shown[:20]]
        if len(shown) > 20:
            lines.append(f"  ... and {len(shown) - 20} more (see .problems)")
        super().__init__("\n".join(lines))

    @property
    def errors(self) -> List[Problem]:
        return [p for p in self.problems if p.is_error]

    def __reduce__(self):
        # Pickled by its arguments (the default would call the class with the message),
        # so it can come back from a multiprocessing worker.
        return (type(self), (self.problems, self._summary), self.__dict__)


class ScenarioFileError(ScenarioError, OSError):
    """A scenario file could not be read at all: missing, a directory, unreadable or too large.

    It is both a :class:`ScenarioError` (with ``problems``) and an :class:`OSError`.
    """

    def __init__(self, problems: Iterable[Problem], summary: Optional[str] = None):
        ScenarioError.__init__(self, problems, summary)

    def __str__(self) -> str:
        return ValueError.__str__(self)


class ScenarioWarning(UserWarning):
    """A warning of the validator (legal but suspicious), issued with :func:`warnings.warn`."""


class PartialResultWarning(UserWarning):
    """A run was interrupted (Ctrl-C / KeyboardInterrupt) and returned its partial result."""


class RunInterrupted(KeyboardInterrupt):
    """KeyboardInterrupt raised by :func:`cpsf.run` with ``on_interrupt="raise"``.

    Attributes
    ----------
    results : cpsf.Results
        The partial result: the first ``results.trials`` trials, ``results.partial`` True.
    """

    def __init__(self, results):
        super().__init__(f"run interrupted after {results.trials} trials; the partial result is in .results")
        self.results = results

    def __reduce__(self):
        return (type(self), (self.results,), self.__dict__)
