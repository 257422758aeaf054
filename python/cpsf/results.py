"""What a run produced: :class:`Results`.

Estimators are those of ``cpsf run`` (docs/methods.md §5); ``Results.to_json()`` is
the results.json document it writes (docs/results-format.md).

Lifetime and copies
-------------------
A :class:`Results` holds the engine's run (model, per-trial losses, tallies, report)
through a ``std::shared_ptr``. The per-trial and per-asset arrays —
:meth:`Results.loss_array`, :meth:`Results.hit_counts`,
:meth:`Results.enterprise_loss_array`, :meth:`Results.arrival_array` — are read-only
numpy views of the engine's memory, made without a copy; their ``base`` is the
compiled result object, so **an array keeps the whole run alive** as long as it
exists, even after the ``Results`` is gone. Copy one (``a.copy()``) to keep it
without keeping the run. DataFrames and summaries are copies.

Pickling and copies
-------------------
A :class:`Results` pickles (so it can come back from a :mod:`multiprocessing` worker):
the run's per-trial arrays and tallies go into the pickle as numpy arrays, with the
scenario; unpickling compiles the scenario again and remakes the report, both
deterministic, so every number, array, table and document is exactly the original's.
:func:`copy.deepcopy` copies the scenario and shares the engine's run, which nothing
can change (its arrays are read-only).
"""
from __future__ import annotations

import dataclasses
import json
import math
import numbers
import os
import pathlib
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Union

import numpy as np
import pandas as pd

from . import _check, _core, v1

if TYPE_CHECKING:  # pragma: no cover
    import networkx

    from .scenario import Scenario

__all__ = ["Results", "LossSummary", "Estimate", "LAYERS", "ELEMENTS"]

#: Layer names in the order of every layer × element table.
LAYERS = ("L1", "L2", "L3")
#: Element names in the order of every layer × element table.
ELEMENTS = ("ORGANIZATION", "PEOPLE", "COMPONENT", "DATA", "PROCEDURE", "SYSTEM")
_Z95 = 1.959963984540054

_LOSS_KINDS = ("residual", "inherent", "annual", "annual_inherent")
_LAYER_ELEMENT_WHATS = ("expected_loss", "expected_compromised", "production_loss", "cascade_loss", "loss",
                        "loss_stderr", "share", "share_ci95_low", "share_ci95_high")
# layer_element(what) → the key of _core's layer_element_profile() dict.
_PROFILE_KEY = {"production_loss": "production", "cascade_loss": "cascade", "loss": "loss_mean"}


def _none_if_nan(x: float) -> Optional[float]:
    return None if x is None or math.isnan(x) else x


@dataclasses.dataclass(frozen=True)
class LossSummary:
    """A loss distribution in numbers (docs/methods.md §5).

    Attributes
    ----------
    mean, stderr : float
        Mean loss per trial (or year) and its standard error ``s / sqrt(n)``.
    ci95_low, ci95_high : float
        ``mean ± 1.96 stderr``.
    var95, var99 : float
        Value at risk: the lower empirical 95% / 99% quantile.
    es99 : float
        Expected shortfall at 99% (Acerbi & Tasche).
    max : float
        Largest loss observed.
    """

    mean: float
    stderr: float
    ci95_low: float
    ci95_high: float
    var95: float
    var99: float
    es99: float
    max: float

    @property
    def ci95(self) -> tuple:
        """(ci95_low, ci95_high)."""
        return (self.ci95_low, self.ci95_high)

    @classmethod
    def _from_core(cls, d: Dict[str, Any]) -> "LossSummary":
        return cls(*(float(d[f.name]) for f in dataclasses.fields(cls)))


@dataclasses.dataclass(frozen=True)
class Estimate:
    """A mean with its standard error and 95% interval (``mean ± 1.96 stderr``)."""

    mean: float
    stderr: float
    ci95_low: float
    ci95_high: float


class Results:
    """The result of one run: estimates, tables, per-trial arrays, plots.

    Made by :func:`cpsf.run`; not constructed directly.

    Attributes
    ----------
    scenario : Scenario
        The scenario that was run (a copy taken at run time).
    trials, trials_planned : int
        Trials run (trials 0 … trials − 1) and the cap.
    partial : bool
        True when Ctrl-C stopped the run: every number is that of the trials run. With no
        trial (stopped in its first round), every estimate is NaN, never 0.
    stopped_by_precision : bool
        True when the target relative standard error ended the run.
    seed : int
    horizon : float or None
        Days; None for no horizon.
    threads : int
        Worker threads used (never changes a number).
    currency : str
        The unit of every amount.

    Examples
    --------
    >>> import cpsf
    >>> res = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=3000, seed=1, progress=False)
    >>> res
    <cpsf.Results 'Automotive supply chain (default)': 3000 trials, seed 1, mean loss ... kJPY ± ...>
    >>> res.assets().shape[0], res.layer_element().shape
    (49, (3, 6))
    >>> losses = res.loss_array()          # per trial, zero copy
    >>> losses.shape, losses.flags.writeable, losses.base is not None
    ((3000,), False, True)
    >>> bool(abs(losses.mean() - res.loss.mean) < 1e-9 * max(1.0, res.loss.mean))
    True
    """

    def __init__(self, core: "_core.results.Result", scenario: "Scenario"):
        from .scenario import Scenario

        self._core = core
        self.scenario: Scenario = scenario.copy() if isinstance(scenario, Scenario) else Scenario(scenario)
        ids = core.asset_ids
        if ids != [a.id for a in self.scenario.proto.assets]:  # the engine keeps scenario order
            raise RuntimeError("cpsf: the engine's asset order differs from the scenario's")
        self._asset_ids: List[str] = ids
        self._enterprise_ids: List[str] = core.enterprise_ids
        self._threat_ids: List[str] = core.threat_ids

    # ---- the run ----------------------------------------------------------------------------
    trials = property(lambda self: self._core.trials, doc="Trials run (a prefix 0 … trials − 1).")
    trials_planned = property(lambda self: self._core.trials_planned, doc="The trial cap.")
    partial = property(lambda self: self._core.partial, doc="True when Ctrl-C stopped the run.")
    stopped_by_precision = property(lambda self: self._core.stopped_by_precision,
                                    doc="True when the target relative standard error ended the run.")
    seed = property(lambda self: self._core.seed, doc="The master seed.")
    threads = property(lambda self: self._core.threads, doc="Worker threads used.")
    horizon = property(lambda self: self._core.horizon, doc="Horizon in days, or None.")
    has_inherent = property(lambda self: self._core.has_inherent, doc="Whether controls-off trials were run.")
    has_annual = property(lambda self: self._core.has_annual,
                          doc="Whether the annualised view exists (every threat has an annual_frequency).")
    currency = property(lambda self: self._core.currency, doc="The unit of every amount.")
    asset_ids = property(lambda self: list(self._asset_ids), doc="Asset ids, in the order of every per-asset array.")
    enterprise_ids = property(lambda self: list(self._enterprise_ids),
                              doc="Enterprise ids, in the order of every per-enterprise array.")
    threat_ids = property(lambda self: list(self._threat_ids),
                          doc="Threat ids (one implicit threat 'exposure' when the scenario has none).")

    @property
    def view(self) -> str:
        """What one trial is in the main view: ``"threat '<id>'"`` or ``"all-threats"``."""
        return "all-threats" if self._core.combined else f"threat '{self._threat_ids[0]}'"

    # ---- pickling and copies (see the module notes) -----------------------------------------
    def __reduce__(self):
        return (_restore, (self.scenario.to_bytes(), self.scenario.source, self._core.file, self._core._state()))

    def __deepcopy__(self, memo: dict) -> "Results":
        # The engine's run is immutable (read-only arrays, no setters): shared. The
        # scenario, which can be edited, is copied (by __init__).
        return Results(self._core, self.scenario)

    def __repr__(self) -> str:
        loss = self.loss
        flags = " PARTIAL" if self.partial else ""
        return (f"<cpsf.Results {self._core.name or self._core.file!r}: {self.trials} trials{flags}, seed {self.seed}, "
                f"mean loss {loss.mean:.4g} {self.currency} ± {loss.stderr:.2g}>")

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """The summary ``cpsf run`` prints."""
        return self._core.text_summary()

    # ---- numbers ----------------------------------------------------------------------------
    @property
    def loss(self) -> LossSummary:
        """The main view's loss per trial, with controls (residual risk)."""
        return LossSummary._from_core(self._core.loss_summary("residual"))

    @property
    def inherent_loss(self) -> Optional[LossSummary]:
        """The same trials with the controls off (inherent risk); None with ``inherent=False``."""
        return LossSummary._from_core(self._core.loss_summary("inherent")) if self.has_inherent else None

    @property
    def annual_loss(self) -> Optional[LossSummary]:
        """Loss per year (Poisson number of attacks per threat); None without annual frequencies."""
        return LossSummary._from_core(self._core.loss_summary("annual")) if self.has_annual else None

    @property
    def annual_inherent_loss(self) -> Optional[LossSummary]:
        """Loss per year with the controls off; None when not computed."""
        if not (self.has_annual and self.has_inherent):
            return None
        return LossSummary._from_core(self._core.loss_summary("annual_inherent"))

    @property
    def controls_effect(self) -> Optional[Estimate]:
        """The loss the controls remove per trial: mean of the paired differences
        (inherent − residual) over the same trials, with its standard error."""
        effect = self._core.controls_effect()
        if effect is None:
            return None
        mean, stderr = effect
        return Estimate(mean, stderr, mean - _Z95 * stderr, mean + _Z95 * stderr)

    # ---- numpy: zero copy -------------------------------------------------------------------
    def _view_index(self, threat: Union[None, int, str]) -> int:
        if threat is None:
            return -1
        if isinstance(threat, str):
            try:
                return self._threat_ids.index(threat)
            except ValueError:
                raise KeyError(f"no threat {threat!r} (threats: {', '.join(self._threat_ids)})") from None
        if isinstance(threat, (bool, np.bool_)) or not isinstance(threat, numbers.Integral):
            raise TypeError(f"threat must be a threat id (str), its index (int) or None; not {type(threat).__name__}")
        n = len(self._threat_ids)
        if not 0 <= int(threat) < n:
            raise IndexError(f"threat index {int(threat)} is out of range: the run has {n} threat(s), 0 to {n - 1}")
        return int(threat)

    def loss_array(self, which: str = "residual", *, threat: Union[None, int, str] = None) -> np.ndarray:
        """Per-trial loss, a read-only view of the engine's memory (no copy).

        Parameters
        ----------
        which : {"residual", "inherent", "annual", "annual_inherent"}
            With controls, without, or per year (annualised view).
        threat : str or int, optional
            A threat's own view (its attack alone) instead of the main view;
            residual or inherent only.

        Returns
        -------
        numpy.ndarray
            float64, shape (trials,). Its base keeps the run alive (see the module notes).
        """
        _check.choice("which", which, _LOSS_KINDS)
        if which.startswith("annual"):
            if threat is not None:
                raise ValueError("the annualised view has no per-threat losses")
            return self._core.annual_losses(inherent=which == "annual_inherent")
        return self._core.losses(view=self._view_index(threat), inherent=which == "inherent")

    def hit_counts(self, inherent: bool = False, *, threat: Union[None, int, str] = None) -> np.ndarray:
        """Trials in which each asset was compromised (uint64, asset order; no copy)."""
        inherent = _check.flag("inherent", inherent)
        return self._core.hits(view=self._view_index(threat), inherent=inherent)

    def enterprise_loss_array(self, inherent: bool = False, part: str = "total") -> np.ndarray:
        """Per-trial loss of each enterprise, shape (trials, enterprises).

        ``part``: ``"direct"`` (its compromised assets' losses plus its own production
        loss; no copy), ``"cascade"`` (production lost because suppliers were out; no
        copy) or ``"total"`` (their sum, a new array). Row sums of ``"total"`` are the
        main view's per-trial losses.
        """
        inherent = _check.flag("inherent", inherent)
        _check.choice("part", part, ("direct", "cascade", "total"))
        if part == "total":
            return (self._core.enterprise_losses(inherent=inherent, part="direct")
                    + self._core.enterprise_losses(inherent=inherent, part="cascade"))
        return self._core.enterprise_losses(inherent=inherent, part=part)

    def arrival_array(self) -> np.ndarray:
        """Arrival time (days) per trial of each tracked asset (targets and threat objectives,
        at most 64; :attr:`tracked_assets`), NaN when not compromised; shape (trials, tracked); no copy."""
        return self._core.tracked_arrival()

    @property
    def tracked_assets(self) -> List[str]:
        """Ids of the assets whose arrival times are kept (columns of :meth:`arrival_array`)."""
        return [self._asset_ids[i] for i in self._core.tracked]

    # ---- pandas: tables (copies) ------------------------------------------------------------
    def assets(self, threat: Union[None, int, str] = None) -> pd.DataFrame:
        """Per asset: P(compromised) with its 95% Wilson interval, times, loss, inherent P.

        Parameters
        ----------
        threat : str or int, optional
            A threat's own view instead of the main view.

        Returns
        -------
        pandas.DataFrame
            Indexed by asset ``id``; columns ``name, owner, layer, element, gate, target,
            loss`` (if compromised: confidentiality + integrity + availability),
            ``compromised_trials, p_compromised, ci95_low, ci95_high, expected_loss``
            (p × loss), ``mean_time, sd_time`` (days, given compromise),
            ``p50_time, p90_time, p99_time`` (tracked assets), and with inherent
            trials ``inherent_p_compromised, inherent_ci95_low, inherent_ci95_high,
            p_reduction`` (inherent − residual P), and in the main view when every threat
            has an annual frequency ``annual_p_compromised, annual_ci95_low,
            annual_ci95_high``: P(compromised at least once in a year), Wilson interval.
        """
        rep = self._core.asset_estimates(view=self._view_index(threat))
        proto = self.scenario.proto
        loss = np.array([a.loss.confidentiality + a.loss.integrity + a.loss.availability for a in proto.assets],
                        dtype=float)
        df = pd.DataFrame({
            "name": [a.name for a in proto.assets],
            "owner": [a.owner for a in proto.assets],
            "layer": [v1.Layer.Name(a.layer) for a in proto.assets],
            "element": [v1.Element.Name(a.element) for a in proto.assets],
            "gate": [v1.Gate.Name(a.gate) for a in proto.assets],
            "target": [bool(a.target) for a in proto.assets],
            "loss": loss,
            "compromised_trials": rep["compromised_trials"],
            "p_compromised": rep["p_compromised"],
            "ci95_low": rep["ci95_low"],
            "ci95_high": rep["ci95_high"],
            "expected_loss": rep["p_compromised"] * loss,
            "mean_time": rep["mean_time"],
            "sd_time": rep["sd_time"],
            "p50_time": rep["p50_time"],
            "p90_time": rep["p90_time"],
            "p99_time": rep["p99_time"],
        }, index=pd.Index(self._asset_ids, name="id"))
        if self.has_inherent:
            df["inherent_p_compromised"] = rep["inherent_p_compromised"]
            df["inherent_ci95_low"] = rep["inherent_ci95_low"]
            df["inherent_ci95_high"] = rep["inherent_ci95_high"]
            df["p_reduction"] = rep["inherent_p_compromised"] - rep["p_compromised"]
        if self.has_annual and threat is None:
            for col in ("annual_p_compromised", "annual_ci95_low", "annual_ci95_high"):
                df[col] = rep[col]
        return df

    _SUMMARY_KEYS = ("mean", "stderr", "ci95_low", "ci95_high", "var95", "var99", "es99", "max")

    def _loss_columns(self, kind: str, index: int, prefix: str = "loss_") -> Dict[str, float]:
        if self.trials == 0:  # interrupted before the first round: nothing to summarise
            return {prefix + k: float("nan") for k in self._SUMMARY_KEYS}
        d = self._core.loss_summary(kind, index)
        return {prefix + k: float(d[k]) for k in self._SUMMARY_KEYS}

    def enterprises(self) -> pd.DataFrame:
        """Per enterprise: its loss distribution, direct and through the cascade (main view).

        Returns
        -------
        pandas.DataFrame
            Indexed by enterprise ``id``; columns ``name, role, sector, baseline,
            loss_mean, loss_stderr, loss_ci95_low, loss_ci95_high, loss_var95,
            loss_var99, loss_es99, loss_max`` (direct + cascade), ``direct_mean,
            direct_stderr, cascade_mean, cascade_stderr`` (the split: own assets and
            production vs production lost through suppliers) and, with inherent
            trials, ``inherent_loss_mean, loss_removed``.
        """
        by_id = {e.id: e for e in self.scenario.proto.enterprises}
        rows = []
        inherent = self._core.enterprise_inherent_mean or [float("nan")] * len(self._enterprise_ids)
        for k, eid in enumerate(self._enterprise_ids):
            e = by_id.get(eid)
            row = {"name": e.name if e else "", "role": e.role if e else "", "sector": e.sector if e else "",
                   "baseline": e.baseline if e else ""}
            row.update(self._loss_columns("enterprise", k))
            splits = self._core.enterprise_split
            split = splits[k] if k < len(splits) else (float("nan"),) * 4  # no trial completed
            row.update({"direct_mean": split[0], "direct_stderr": split[1],
                        "cascade_mean": split[2], "cascade_stderr": split[3]})
            if self.has_inherent:
                row["inherent_loss_mean"] = inherent[k]
                row["loss_removed"] = inherent[k] - row["loss_mean"]
            rows.append(row)
        return pd.DataFrame(rows, index=pd.Index(self._enterprise_ids, name="id"))

    def paths(self, top: int = 5) -> pd.DataFrame:
        """The most frequent attack paths to each tracked asset (targets, objectives).

        A path is the chain of steps that made the asset fall in a trial, entry first
        (docs/methods.md §8); each trial gives a fallen asset one path.

        Parameters
        ----------
        top : int
            Paths per tracked asset, in [1, 1000] (as ``cpsf run --top-paths``).

        Returns
        -------
        pandas.DataFrame
            One row per (target, rank): ``target, rank, path`` (asset ids joined by
            " > "), ``assets, relations`` (lists), ``trials, frequency, ci95_low,
            ci95_high`` (over all trials, Wilson) and ``share`` (of the trials in which the
            target fell).
        """
        top = _check.integer("top", top, "top_paths")
        rows, _, _ = self._core.paths(top)
        df = pd.DataFrame(rows, columns=["target", "rank", "assets", "relations", "trials", "frequency",
                                         "ci95_low", "ci95_high", "share", "target_compromised_trials",
                                         "target_distinct_paths"])
        df.insert(2, "path", [" > ".join(a) for a in df["assets"]])
        return df

    def relation_shares(self) -> pd.DataFrame:
        """Each relation's share of the successful attack paths (to tracked assets).

        Returns
        -------
        pandas.DataFrame
            Indexed by relation (its id, else ``from->to``); columns ``paths`` (successful
            (trial, target) paths through it) and ``share`` (of all successful paths),
            largest first.
        """
        _, shares, _ = self._core.paths(1)
        return pd.DataFrame(shares, columns=["relation", "paths", "share"]).set_index("relation")

    def chokepoints(self) -> pd.DataFrame:
        """Minimum cut sets between each threat's entries and each tracked asset over the
        residual weaknesses (relations whose step can still succeed; docs/methods.md §10).

        Returns
        -------
        pandas.DataFrame
            One row per (threat, target): ``reachable, entry, cut_size`` (fewest relations
            whose closing cuts every path; None when the target is an entry),
            ``cut_relations`` (one such cut, nearest the entries), ``asset_cut_size,
            cut_assets`` (the same with assets), ``depth`` (fewest steps from an entry: the
            number of disjoint cuts in series) and ``exact`` (False when an ALL gate makes
            the cut an upper bound). Empty when not computed (very large graphs).
        """
        rows, _note = self._core.chokepoints
        cols = ["threat", "target", "reachable", "entry", "cut_size", "cut_relations", "asset_cut_size",
                "cut_assets", "depth", "exact"]
        return pd.DataFrame(rows, columns=cols).set_index(["threat", "target"])

    def cascade(self) -> dict:
        """The supply-chain cascade's summary: ``production_modelled, dependencies,
        spectral_radius, loss_mean, stderr`` (per-trial cascade loss, residual)."""
        return dict(self._core.cascade)

    def threats(self) -> pd.DataFrame:
        """Per threat, its own attack: loss distribution, inherent mean, annual frequency.

        Returns
        -------
        pandas.DataFrame
            Indexed by threat ``id``; columns ``name, capability, annual_frequency,
            step_scale, loss_mean, loss_stderr, ...`` as :meth:`enterprises`, and
            ``inherent_loss_mean``.
        """
        by_id = {t.id: t for t in self.scenario.proto.threats}
        rows = []
        for k, tid in enumerate(self._threat_ids):
            t = by_id.get(tid)
            row = {
                "name": t.name if t else "",
                "capability": v1.Threat.Capability.Name(t.capability) if t else "",
                "annual_frequency": self._core.threat_annual_frequency[k],
                "step_scale": (t.step_scale if t.HasField("step_scale") else 1.0) if t else 1.0,
            }
            row.update(self._loss_columns("threat", k))
            inherent = self._core.threat_inherent_mean
            row["inherent_loss_mean"] = inherent[k] if k < len(inherent) else None
            rows.append(row)
        df = pd.DataFrame(rows, index=pd.Index(self._threat_ids, name="id"))
        return df.astype({"annual_frequency": float, "inherent_loss_mean": float})

    def layer_element(self, what: str = "expected_loss") -> pd.DataFrame:
        """Where the risk sits: the CPSF layer × element table (3 × 6).

        Parameters
        ----------
        what : str
            Per trial, main view with controls on:
            ``"expected_loss"``: the cell's assets' own losses, Σ p(v) · loss(v);
            ``"expected_compromised"``: expected compromised assets, Σ p(v);
            ``"production_loss"``, ``"cascade_loss"``: the production losses of their
            enterprises and of the customers downstream attributed to their fall
            (docs/methods.md §8.1); ``"loss"``: the cell's whole loss, the three together
            (the 18 cells add up to the mean loss); ``"loss_stderr"``: its standard error;
            ``"share"``: its share of the mean loss; ``"share_ci95_low"``,
            ``"share_ci95_high"``: the share's 95% interval (delta method).

        Returns
        -------
        pandas.DataFrame
            Index ``layer`` (L1, L2, L3), columns ``element`` (ORGANIZATION … SYSTEM).
        """
        _check.choice("what", what, _LAYER_ELEMENT_WHATS)
        if what in ("expected_loss", "expected_compromised"):
            loss, count = self._core.layer_element()
            data = loss if what == "expected_loss" else count
        else:
            data = self._core.layer_element_profile()[_PROFILE_KEY.get(what, what)]
        return pd.DataFrame(data, index=pd.Index(LAYERS, name="layer"), columns=pd.Index(ELEMENTS, name="element"))

    def losses(self) -> pd.DataFrame:
        """Per-trial losses, as losses.csv: ``loss`` and, when computed,
        ``inherent_loss``, ``annual_loss``, ``annual_inherent_loss``; indexed by ``trial``.
        A copy: use :meth:`loss_array` for the engine's memory."""
        cols = {"loss": self.loss_array("residual")}
        if self.has_inherent:
            cols["inherent_loss"] = self.loss_array("inherent")
        if self.has_annual:
            cols["annual_loss"] = self.loss_array("annual")
            if self.has_inherent:
                cols["annual_inherent_loss"] = self.loss_array("annual_inherent")
        return pd.DataFrame(cols, index=pd.RangeIndex(self.trials, name="trial"))

    def exceedance(self, which: str = "residual") -> pd.DataFrame:
        """The loss exceedance curve P(L ≥ threshold) with its binomial standard error.

        Parameters
        ----------
        which : {"residual", "inherent", "annual", "annual_inherent"}

        Returns
        -------
        pandas.DataFrame
            Columns ``threshold, probability, stderr, ci95_low, ci95_high`` (the
            interval clipped to [0, 1]); thresholds as in results.json.
        """
        _check.choice("which", which, _LOSS_KINDS)
        d = self._core.loss_summary(which)
        p, se = d["probability"], d["probability_stderr"]
        return pd.DataFrame({
            "threshold": d["threshold"], "probability": p, "stderr": se,
            "ci95_low": np.clip(p - _Z95 * se, 0.0, 1.0), "ci95_high": np.clip(p + _Z95 * se, 0.0, 1.0)})

    def inherent_vs_residual(self) -> pd.DataFrame:
        """Residual (controls on) against inherent (controls off) loss over the same trials.

        Returns
        -------
        pandas.DataFrame
            Rows ``residual``, ``inherent`` and ``removed`` (the paired difference,
            mean and interval only); columns ``mean, stderr, ci95_low, ci95_high,
            var95, var99, es99, max``.
        """
        if not self.has_inherent:
            raise ValueError("the run was made with inherent=False")
        rows = {"residual": dataclasses.asdict(self.loss), "inherent": dataclasses.asdict(self.inherent_loss)}
        effect = dataclasses.asdict(self.controls_effect)
        rows["removed"] = {k: effect.get(k, np.nan) for k in rows["residual"]}
        return pd.DataFrame.from_dict(rows, orient="index")

    def arrival_times(self) -> pd.DataFrame:
        """:meth:`arrival_array` as a DataFrame (a copy), one column per tracked asset."""
        return pd.DataFrame(self.arrival_array(), columns=self.tracked_assets,
                            index=pd.RangeIndex(self.trials, name="trial"))

    # ---- the command line's documents -------------------------------------------------------
    def to_json(self) -> str:
        """The results.json document ``cpsf run`` writes, byte for byte (docs/results-format.md)."""
        return self._core.results_json()

    def to_dict(self) -> Dict[str, Any]:
        """:meth:`to_json` parsed."""
        return json.loads(self.to_json())

    def save(self, out: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
        """Write results.json, assets.csv, enterprises.csv, paths.csv, chokepoints.csv and, when
        the run kept its per-trial values (``per_trial``), losses.csv into directory `out` (made
        if missing), as ``cpsf run --out`` (``--per-trial``) does: replacing the old ones as one
        set (an old losses.csv goes when this run has none), the directory locked against a
        second writer (docs/cli.md, "Output directories"). Returns the directory.

        Raises ValueError for a run that completed no trial (interrupted before its first
        round), as ``cpsf run`` writes nothing then: its estimates of nothing must not
        replace an earlier result."""
        out = pathlib.Path(_check.path("out", out))
        if self.trials == 0:
            raise ValueError("the run completed no trial (interrupted before its first round): nothing to save")
        core = self._core
        files = [("results.json", core.results_json()), ("assets.csv", core.assets_csv()),
                 ("enterprises.csv", core.enterprises_csv()), ("paths.csv", core.paths_csv()),
                 ("chokepoints.csv", core.chokepoints_csv())]
        if core.per_trial:
            files.insert(2, ("losses.csv", core.losses_csv()))
        try:
            _core.results.write_set(str(out), files, [] if core.per_trial else ["losses.csv"])
        except ValueError as e:
            raise OSError(str(e)) from None
        return out

    # ---- the report ---------------------------------------------------------------------------
    def report(self, path: Union[str, "os.PathLike[str]"]) -> pathlib.Path:
        """Write the HTML report of this run (the page ``cpsf run --report`` writes,
        docs/report.md) to `path`: a file, or a directory to hold report.html. One
        self-contained page that opens offline. Returns the file written.

        Raises ValueError for a run that completed no trial, like :meth:`save`."""
        from .report import write_report
        if self.trials == 0:
            raise ValueError("the run completed no trial (interrupted before its first round): nothing to report")
        return write_report(path, results=self)

    def _repr_html_(self) -> Optional[str]:
        """Jupyter shows a Results as its HTML report (in a sandboxed frame; about 0.7 MB,
        Vega included, saved with the notebook's outputs). ``print(res)`` gives the text."""
        from .report import frame_or_none, report_html
        if self.trials == 0:
            return None
        return frame_or_none(lambda: report_html(results=self))

    # ---- graphs and plots -------------------------------------------------------------------
    def to_networkx(self) -> "networkx.MultiDiGraph":
        """The attack graph with the run's estimates, as a NetworkX multigraph.

        Nodes are asset ids with the columns of :meth:`assets` as attributes
        (``p_compromised``, ``ci95_low``, ``owner``, ``layer``, ``element``, ...).
        Edges are relations ``from → to``, keyed by relation id (or
        ``"from->to#index"`` when a relation has no id; two relations can join the
        same pair, hence a multigraph), with ``id, index, layer, kind, p,
        p_residual`` (p with the implemented controls folded in), ``p_inherent``,
        ``mitigated_by, ttc, description``, and ``p_by_capability`` (p against
        COMMON_ATTACKS, TARGETED_SUPPLY_CHAIN, ADVANCED_UNKNOWN) and ``p_from``
        (``"scenario"`` or ``"library"``). ``p``, ``ttc`` and ``mitigated_by`` are the
        step as the run resolves it: what the relation writes, else the attack-step
        library's (docs/library.md), against COMMON_ATTACKS where the library's numbers
        differ by capability; so are ``p_residual`` and ``p_inherent``. Nodes and edges also
        carry their fields as written, in the inventory's columns (``exposure``,
        ``loss.integrity``, ``step.p``, ``step.ttc``, ``step.mitigated_by``; docs/import.md),
        unless the scenario holds what that form cannot carry. Graph attributes: ``name,
        currency, trials, seed``, ``cpsf_frames`` (the scenario's other lists as DataFrames)
        and ``cpsf_results`` (the node and edge attributes that are results): with them
        :meth:`Scenario.from_networkx` gives back the scenario, edited as the graph was.

        Examples
        --------
        >>> import cpsf
        >>> res = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=2000, progress=False)
        >>> g = res.to_networkx()
        >>> g.number_of_nodes(), g.number_of_edges() == len(res.scenario.relations)
        (49, True)
        >>> 0 <= g.nodes["oem-mes"]["p_compromised"] <= 1
        True
        """
        import networkx as nx

        g = nx.MultiDiGraph(name=self.scenario.proto.name, currency=self.currency, trials=self.trials,
                            seed=self.seed)
        df = self.assets()
        fields = self._written_fields()
        for aid, row in zip(df.index, df.to_dict("records")):
            g.add_node(aid, **row)
        p_res = self._core.relation_p(inherent=False)
        p_inh = self._core.relation_p(inherent=True)
        # The step as the run resolved it: what the relation writes, else the attack-step library's.
        p_cap, p_library, mitigations, ttcs = _core.scenario.resolved_steps(self.scenario.to_bytes())
        for i, r in enumerate(self.scenario.proto.relations):
            key = r.id or f"{getattr(r, 'from')}->{r.to}#{i}"
            g.add_edge(getattr(r, "from"), r.to, key=key, id=r.id, index=i, layer=v1.Layer.Name(r.layer),
                       kind=v1.RelationKind.Name(r.kind), p=float(p_cap[i][0]), p_by_capability=tuple(p_cap[i]),
                       p_from="library" if p_library[i] else "scenario", p_residual=float(p_res[i]),
                       p_inherent=float(p_inh[i]), mitigated_by=list(mitigations[i]),
                       ttc=_describe_distribution(v1.Distribution.FromString(ttcs[i])),
                       description=r.description)
        node_results = [c for c in df.columns if c not in _ASSET_COLUMNS_THAT_ARE_FIELDS]
        edge_results = ["index", "p", "p_by_capability", "p_from", "p_residual", "p_inherent", "mitigated_by", "ttc"]
        if fields is not None:  # the fields as written, in the inventory's columns: from_networkx reads them
            for row in fields["assets"].to_dict("records"):
                g.nodes[row["id"]].update({k: v for k, v in row.items() if k != "id" and k not in g.nodes[row["id"]]})
            relation_rows = fields["relations"].to_dict("records")
            for *_, d in g.edges(keys=True, data=True):
                d.update({k: v for k, v in relation_rows[d["index"]].items() if k not in ("from", "to") and k not in d})
            g.graph["cpsf_frames"] = {k: v for k, v in fields.items() if k not in ("assets", "relations")}
        g.graph["cpsf_results"] = {"nodes": node_results, "edges": edge_results}
        return g

    def _written_fields(self):
        """The scenario in the inventory's columns (to_frames), or None where the CSV form cannot
        carry it (docs/import.md): then to_networkx gives the results and the fields it always gives."""
        from .errors import ScenarioError

        try:
            return self.scenario.to_frames()
        except ScenarioError:
            return None

    def plot_exceedance(self, ax=None, **kw):
        """:func:`cpsf.plot.exceedance` of this result."""
        from . import plot

        return plot.exceedance(self, ax=ax, **kw)

    def plot_layer_element(self, ax=None, **kw):
        """:func:`cpsf.plot.layer_element` of this result."""
        from . import plot

        return plot.layer_element(self, ax=ax, **kw)

    def plot_asset_risk(self, ax=None, **kw):
        """:func:`cpsf.plot.asset_risk` of this result."""
        from . import plot

        return plot.asset_risk(self, ax=ax, **kw)

    def plot_attack_graph(self, ax=None, **kw):
        """:func:`cpsf.plot.attack_graph` of this result."""
        from . import plot

        return plot.attack_graph(self, ax=ax, **kw)


def _restore(scenario: bytes, source: Optional[str], file: str, state: Dict[str, Any]) -> Results:
    """Unpickles a :class:`Results` (its ``__reduce__``)."""
    from .scenario import _restore as _restore_scenario

    return Results(_core.results.restore(scenario, file=file, state=state), _restore_scenario(scenario, source))


# The columns of Results.assets() that are asset fields (to_networkx's node attributes of the
# scenario, read back by from_networkx); every other column is a result.
_ASSET_COLUMNS_THAT_ARE_FIELDS = ("name", "owner", "layer", "element", "gate", "target")


def _describe_distribution(d: "v1.Distribution") -> str:
    family = d.WhichOneof("family")
    if family is None:
        return "fixed(0)"
    params = getattr(d, family)
    fields = ", ".join(f"{f.name}={v:g}" for f, v in params.ListFields())
    return f"{family}({fields})"
