"""The control portfolio: :func:`optimise`.

Which candidate controls (``implemented: false``) to put in force within an annual
budget so that the expected residual loss is smallest, what each candidate is worth
with respect to that choice, and the efficient frontier over budgets. The search is the
engine's own (the same code as ``cpsf optimise``, docs/methods.md §11): every subset it
looks at is simulated with the same seed and trials (common random numbers), so the
same call gives the same numbers, bit for bit, at any thread count.
"""
from __future__ import annotations

import json
import os
import pathlib
import warnings
from typing import Any, Callable, Dict, Iterable, List, Optional, Union

import pandas as pd

from . import _check, _core, _progress, v1
from .results import _Z95, Estimate
from .scenario import PathLike, Scenario, _validated
from .simulation import _warn_if_fewer_threads

__all__ = ["optimise", "Portfolio", "METHODS", "GOALS", "DEFAULT_OPTIMISE_TRIALS", "MAX_EXACT_CANDIDATES"]

#: The search methods: ``"auto"`` is exact up to :data:`MAX_EXACT_CANDIDATES`, else greedy.
METHODS = ("auto", "greedy", "exact")
#: What the search minimises: ``"loss"``, the expected residual loss; ``"net"``, the
#: expected annual loss plus the annual cost of the chosen controls.
GOALS = ("loss", "net")
#: Trials per simulated subset when neither the call gives a number (as ``cpsf optimise``).
DEFAULT_OPTIMISE_TRIALS = 10000
#: The most candidates the exact search takes (2^20 subsets).
MAX_EXACT_CANDIDATES = _core.portfolio.max_exact_candidates


def _estimate(d: Dict[str, float]) -> Estimate:
    m, s = float(d["mean"]), float(d["stderr"])
    return Estimate(m, s, m - _Z95 * s, m + _Z95 * s)


class Portfolio:
    """The result of :func:`optimise`. Not constructed directly.

    Attributes
    ----------
    method : {"exact", "greedy"}
        The search used (``"auto"`` resolved).
    goal : {"loss", "net"}
        What it minimised: the loss, or the annual loss plus the chosen controls' annual cost.
    budget, cost, total_cost : float
        The budget, the annual cost of the chosen set, and that of every candidate.
    chosen : list of str
        The chosen candidate ids, in scenario order.
    candidates : list of str
        Every candidate id, in scenario order.
    loss : Estimate
        Expected residual loss with the chosen set in force (per year when ``annual``).
    none, all : Estimate
        The same with no candidate, and with every candidate.
    reduction : Estimate
        ``none − loss``, from the paired per-trial differences.
    net_benefit : Estimate or None
        ``reduction − cost``: what the chosen set removes a year less what it costs
        (None unless ``annual``: costs are annual).
    none_pays : bool or None
        No candidate removes more a year on its own than it costs (None unless ``annual``).
    costs_more_than_removes : bool or None
        The chosen set costs more a year than it removes (None unless ``annual``); under
        the loss goal :func:`optimise` warns about it (UserWarning).
    greedy_loss : Estimate
        What the greedy search reaches at this budget (equal to ``loss`` for greedy).
    annual : bool
        The objective is the annualised loss (every threat has an ``annual_frequency``);
        otherwise the loss per trial of the main view.
    trials, seed : int
        Every subset was simulated on these trials with this seed.
    simulations : int
        Distinct simulations run.
    currency : str
    """

    def __init__(self, core: Dict[str, Any], scenario: Scenario):
        self._core = core
        self.scenario = scenario
        self.currency: str = scenario.proto.currency
        self.method: str = core["method"]
        self.goal: str = core["goal"]
        self.budget: float = core["budget"]
        self.trials: int = core["trials"]
        self.seed: int = core["seed"]
        self.horizon: Optional[float] = core["horizon"]
        self.annual: bool = core["annual"]
        self.candidates: List[str] = list(core["candidates"])
        self.total_cost: float = core["total_cost"]
        self.chosen: List[str] = list(core["chosen"])
        self.cost: float = core["cost"]
        self.loss = _estimate(core["loss"])
        self.none = _estimate(core["none"])
        self.all = _estimate(core["all"])
        self.reduction = _estimate(core["reduction"])
        self.greedy_loss = _estimate(core["greedy_loss"])
        self.simulations: int = core["simulations"]
        self.none_pays: Optional[bool] = core["none_pays"]
        self.costs_more_than_removes: Optional[bool] = core["costs_more_than_removes"]
        r = self.reduction
        self.net_benefit: Optional[Estimate] = (
            Estimate(r.mean - self.cost, r.stderr, r.ci95_low - self.cost, r.ci95_high - self.cost)
            if self.annual else None)

    def __repr__(self) -> str:
        unit = f" {self.currency}" if self.currency else ""
        return (f"<cpsf.Portfolio {self.method}, budget {self.budget:g}{unit}: {len(self.chosen)} of "
                f"{len(self.candidates)} candidates, cost {self.cost:g}, loss {self.loss.mean:.6g} ± "
                f"{self.loss.stderr:.3g} (from {self.none.mean:.6g})>")

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """The table ``cpsf optimise`` prints."""
        return self._core["text"]

    def marginal(self) -> pd.DataFrame:
        """What each candidate is worth with respect to the chosen set S*.

        For c in S*: ``loss(S* − c) − loss(S*)`` (what dropping it would cost); for c not
        in S*: ``loss(S*) − loss(S* + c)`` (what adding it would remove). Each from the
        paired per-trial differences (common random numbers), with its standard error.

        Returns
        -------
        pandas.DataFrame
            Indexed by ``control`` (candidate order): ``cost, chosen, value, stderr,
            ci95_low, ci95_high, value_per_cost, value_per_cost_stderr`` (return per
            unit of annual cost and its SE; NaN for a free control), ``net``
            (``value − cost``), ``alone, alone_stderr`` (what it removes on its own,
            ``loss(∅) − loss({c})``) and ``pays`` (``alone > cost``). ``net`` and
            ``pays`` are None unless ``annual``.
        """
        df = pd.DataFrame(self._core["marginal"]).set_index("control")
        df["ci95_low"] = df["value"] - _Z95 * df["stderr"]
        df["ci95_high"] = df["value"] + _Z95 * df["stderr"]
        return df[["cost", "chosen", "value", "stderr", "ci95_low", "ci95_high", "value_per_cost",
                   "value_per_cost_stderr", "net", "alone", "alone_stderr", "pays"]]

    def frontier(self) -> pd.DataFrame:
        """The efficient frontier: the optimum (by this portfolio's method) at budgets
        from 0 to the total cost of the candidates.

        Returns
        -------
        pandas.DataFrame
            One row per budget: ``budget, cost, loss, stderr, ci95_low, ci95_high,
            chosen`` (a tuple of ids). Empty when ``frontier=0``.
        """
        cols = ["budget", "cost", "loss", "stderr", "ci95_low", "ci95_high", "chosen"]
        rows = self._core["frontier"]
        if not rows:
            return pd.DataFrame(columns=cols)
        df = pd.DataFrame(rows)
        df["chosen"] = [tuple(c) for c in df["chosen"]]
        df["ci95_low"] = df["loss"] - _Z95 * df["stderr"]
        df["ci95_high"] = df["loss"] + _Z95 * df["stderr"]
        return df[cols]

    def greedy(self) -> pd.DataFrame:
        """The greedy path at this budget (computed for the exact method too): each step's
        control, its cost, the cumulative cost and the loss with its standard error."""
        cols = ["control", "control_cost", "cost", "loss", "stderr"]
        rows = self._core["greedy"]
        df = pd.DataFrame(rows, columns=cols) if rows else pd.DataFrame(columns=cols)
        df.index = pd.RangeIndex(1, len(df) + 1, name="step")
        return df

    def to_json(self) -> str:
        """optimise.json, byte for byte what ``cpsf optimise`` writes for the same file."""
        return self._core["json"]

    def to_dict(self) -> Dict[str, Any]:
        """optimise.json as a dict."""
        return json.loads(self._core["json"])

    def report(self, path: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
        """Write the HTML report of this portfolio (the page ``cpsf optimise --report``
        writes: the frontier, the picks, docs/report.md) to `path`, a file or a directory
        to hold report.html. Returns the file written."""
        from .report import write_report
        return write_report(path, optimise=self)

    def _repr_html_(self) -> Optional[str]:
        from .report import frame_or_none, report_html
        return frame_or_none(lambda: report_html(optimise=self))

    def save(self, out: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
        """Write ``optimise.json`` and ``frontier.csv`` into the directory `out` (made if
        missing) as ``cpsf optimise --out`` does: replacing the old ones as one set, the
        directory locked against a second writer (docs/cli.md, "Output directories").
        Returns the directory."""
        out = pathlib.Path(_check.path("out", out))
        try:
            _core.results.write_set(str(out), [("optimise.json", self._core["json"]),
                                               ("frontier.csv", self._core["frontier_csv"])])
        except ValueError as e:
            raise OSError(str(e)) from None
        return out


def optimise(
    scenario: Union[Scenario, v1.Scenario, PathLike],
    budget: float,
    *,
    candidates: Optional[Iterable[str]] = None,
    method: str = "auto",
    goal: str = "loss",
    frontier: int = 11,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    progress: Union[bool, Callable[[int], None]] = True,
) -> Portfolio:
    """Choose the candidate controls that minimise expected residual loss within a budget,
    as ``cpsf optimise`` does (docs/methods.md §11).

    Parameters
    ----------
    scenario : Scenario, cpsf.v1.Scenario, str or path-like
        The scenario, or a scenario file (read with :func:`cpsf.load`).
    budget : float
        Annual budget for the candidates, in the scenario's currency: finite, ≥ 0.
    candidates : iterable of str, optional
        Candidate control ids (each with ``implemented: false``). Default: every
        control with ``implemented: false``. The others stay as they are.
    method : {"auto", "greedy", "exact"}
        ``"exact"``: the best subset within the budget (at most 20 candidates);
        ``"greedy"``: add the best loss reduction per cost while one fits; ``"auto"``:
        exact up to 20 candidates, else greedy.
    goal : {"loss", "net"}
        ``"loss"`` (default): minimise the expected residual loss (the budget is spent
        while a control removes any loss). ``"net"``: minimise the expected annual loss
        plus the annual cost of the chosen controls, within the budget (the best set
        may be empty); needs every threat's ``annual_frequency``.
    frontier : int
        Budgets on the efficient frontier, from 0 to the candidates' total cost
        (0: none; else 2 to 1001).
    trials : int, optional
        Trials per simulated subset, the same for all, in [1, 2^40). Default 10,000.
    seed : int, optional
        Master seed, shared by every subset, in [0, 2^64). Default: ``settings.seed``.
    threads : int, optional
        Worker threads, in [0, 1024], 0 for every core. Default: ``settings.threads``.
        Never changes a number.
    progress : bool or callable
        True: a counter of simulations (tqdm) once the search lasts over half a second.
        False: none. A callable is called as ``progress(simulations)``.

    Returns
    -------
    Portfolio

    Raises
    ------
    ScenarioError
        The scenario is invalid; nothing was run.
    TypeError
        An option of the wrong type (``budget="1000"``, ``trials=1.5``, ``candidates="c1"``).
    ValueError
        A bad option or candidate: negative budget, unknown or implemented candidate,
        no candidates, exact over more than 20 candidates, the net goal without annual
        losses...

    Warns
    -----
    UserWarning
        Under the loss goal, when the chosen set costs more a year than it removes.
    KeyboardInterrupt
        Ctrl-C stops the search (there is no partial portfolio).

    Notes
    -----
    The objective is the mean annualised residual loss when every threat has an
    ``annual_frequency``, else the mean residual loss per trial of the main view. The
    engine runs on a worker thread with the GIL released.

    Examples
    --------
    Three independent chains, each closed by one candidate of efficacy 1: closing chain
    *k* removes its loss. With 10 to spend, greedy takes the best ratio (c0: 7 for 6) and
    then nothing fits; the exact search finds c1 + c2 (10 for 10).

    >>> import cpsf
    >>> s = cpsf.Scenario(name="trap")
    >>> _ = s.add_enterprise(id="e")
    >>> for k, (req, loss, cost) in enumerate([("CPS.AC-1", 7, 6), ("CPS.DS-1", 5, 5), ("CPS.IP-1", 5, 5)]):
    ...     _ = s.add_asset(id=f"s{k}", owner="e", layer="L3", element="PEOPLE", exposure=1)
    ...     _ = s.add_asset(id=f"t{k}", owner="e", layer="L3", element="DATA", loss={"integrity": loss})
    ...     _ = s.add_relation(from_=f"s{k}", to=f"t{k}", layer="L3", step={"p": 1, "mitigated_by": [req]})
    ...     _ = s.add_control(id=f"c{k}", requirement=req, efficacy=1, cost=cost)
    >>> p = cpsf.optimise(s, 10, trials=500, progress=False)
    >>> p.method, p.chosen, p.loss.mean, p.greedy_loss.mean
    ('exact', ['c1', 'c2'], 7.0, 10.0)
    >>> cpsf.optimise(s, 10, method="greedy", trials=500, progress=False).chosen
    ['c0']
    >>> p.marginal()["value"].to_dict()       # c0 would remove 7; dropping c1 or c2 would cost 5
    {'c0': 7.0, 'c1': 5.0, 'c2': 5.0}
    >>> p.frontier()[["budget", "loss"]].iloc[[0, -1]].values.tolist()
    [[0.0, 17.0], [16.0, 0.0]]

    On the default scenario (five candidate controls, annualised loss):

    >>> p = cpsf.optimise(cpsf.DEFAULT_SCENARIO, 40000, trials=2000, seed=7, progress=False)
    >>> len(p.candidates), p.method, p.cost <= 40000, p.loss.mean < p.none.mean
    (5, 'exact', True, True)
    >>> p.frontier().shape
    (11, 7)

    The net goal minimises loss plus cost (the same trials: its net benefit is at least
    that of the loss goal's choice); each candidate's return per unit cost and net benefit:

    >>> n = cpsf.optimise(cpsf.DEFAULT_SCENARIO, 40000, goal="net", trials=2000, seed=7, progress=False)
    >>> n.goal, n.net_benefit.mean >= p.net_benefit.mean, n.none_pays
    ('net', True, False)
    >>> list(n.marginal().columns[-6:])
    ['value_per_cost', 'value_per_cost_stderr', 'net', 'alone', 'alone_stderr', 'pays']

    The thread count never changes a number:

    >>> one = cpsf.optimise(cpsf.DEFAULT_SCENARIO, 40000, trials=2000, seed=7, threads=1, progress=False)
    >>> one.to_json() == p.to_json()
    True
    """
    budget = _check.number("budget", budget, "budget")
    ids = None if candidates is None else _check.texts("candidates", candidates)
    method = _check.choice("method", method, METHODS)
    goal = _check.choice("goal", goal, GOALS)
    frontier = _check.integer("frontier", frontier, "frontier_points")
    trials = DEFAULT_OPTIMISE_TRIALS if trials is None else _check.integer("trials", trials, "trials")
    seed = None if seed is None else _check.integer("seed", seed, "seed")
    threads = None if threads is None else _check.integer("threads", threads, "threads")
    _check.progress("progress", progress, "(simulations)")
    if ids is not None and not ids:
        raise ValueError("candidates is empty (fix: name at least one control, or pass None for every "
                         "control with implemented: false)")
    scenario, source = _validated(scenario, "optimise()")
    data, file = scenario.to_bytes(), source or "<memory>"

    settings = scenario.proto.settings  # validated: within the same limits
    seed = seed if seed is not None else settings.seed
    threads = threads if threads is not None else settings.threads
    _warn_if_fewer_threads(threads)

    with _progress.callback(progress, None, " simulations", "cpsf optimise") as callback:
        core = _core.portfolio.optimise(
            data, file=file, budget=budget, candidates=ids or [], method=method, goal=goal, frontier=frontier,
            trials=trials, seed=seed, threads=threads, progress=callback)
    for message in core["warnings"]:
        warnings.warn(message, UserWarning, stacklevel=2)
    return Portfolio(core, scenario)

