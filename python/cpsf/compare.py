"""Scenarios × baselines side by side: :func:`compare`, and the baseline assignments
:func:`apply_supplier_rule` and :func:`assign_baseline`.

:func:`compare` is the engine's own comparison (the same code as ``cpsf compare``,
docs/cli.md): every scenario is run under every baseline variant with the same seed and
trials. The same seed means common random numbers, so the variants of one scenario
differ only by their controls, and the difference between two of them is measured trial
by trial (``difference_mean`` ± ``difference_stderr``, from the first variant).

A variant is ``"as-is"`` (the scenario unchanged), ``"supplier-rule"`` (the SCS supplier
rule: ★4 for a supplier that handles a customer's confidential data, whose outage would
delay a customer unacceptably, or that can reach a customer's systems; ★3 otherwise), or
a baseline id given to every enterprise (``"SCS-3"``, ``"SCS-4"``, ``"JC-STAR-1"``,
``"JC-STAR-2"`` or one the scenario defines). ``"SCS-5"`` is refused: ★5 is still under
design. A baseline id may be scoped to some enterprises, as on the command line:
``"SCS-4@id=t1a|t2"``, ``"SCS-4@role=OEM"``, ``"SCS-4@sector=automotive"`` or
``"SCS-4@suppliers"`` (others keep their baseline; ``%2C`` stands for a comma, ``%7C``
for ``|``; :func:`scoped` writes one). Each row gives the annual ``cost`` of the controls
the variant adds, the annual loss it removes from the scenario as it is, and the
difference, ``net_benefit``.

Examples
--------
>>> import cpsf
>>> table = cpsf.compare(cpsf.DEFAULT_SCENARIO, baselines=["SCS-3", "SCS-4"], trials=2000, seed=5,
...                      progress=False)
>>> table[["scenario", "baseline"]].values.tolist()
[['Automotive supply chain (default)', 'SCS-3'], ['Automotive supply chain (default)', 'SCS-4']]
>>> bool(table.loc[1, "mean"] <= table.loc[0, "mean"])   # stronger controls, same random numbers
True
>>> s, decisions = cpsf.apply_supplier_rule(cpsf.DEFAULT_SCENARIO)
>>> decisions.loc["t2", ["baseline", "previous_baseline", "reaches_systems"]].tolist()
['SCS-4', 'SCS-3', True]
"""
from __future__ import annotations

import json
import os
import warnings
from typing import TYPE_CHECKING, Callable, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import pandas as pd

from . import _check, _core, _progress, v1

from .scenario import PathLike, Scenario, load, _validated
from .simulation import _warn_if_fewer_threads

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["compare", "compare_profile", "plot_compare", "apply_supplier_rule", "assign_baseline", "scoped", "AS_IS",
           "SUPPLIER_RULE",
           "DEFAULT_COMPARE_TRIALS", "DEFAULT_COMPARE_SEED"]

#: The variant that leaves a scenario as it is.
AS_IS = _core.compare.as_is
#: The variant that assigns SCS ★4 or ★3 to every supplier by the supplier rule.
SUPPLIER_RULE = _core.compare.supplier_rule
#: Trials and seed of every run when the call gives none (as ``cpsf compare``).
DEFAULT_COMPARE_TRIALS = 10000
DEFAULT_COMPARE_SEED = 1

ScenarioLike = Union[Scenario, v1.Scenario, PathLike]


def _labelled(scenarios) -> List[Tuple[str, Scenario, Optional[str]]]:
    """(label, scenario, file) for each scenario: dict keys, else as ``cpsf compare`` labels
    them (the scenario's name; files tell apart those that share one)."""
    if isinstance(scenarios, Mapping):
        items = [(_check.text("a key of scenarios (a label)", k), *_validated(v, "compare()", f"scenario {k!r}"))
                 for k, v in scenarios.items()]
        return [(label, s, f) for label, s, f in items]
    if isinstance(scenarios, (Scenario, v1.Scenario, str, os.PathLike)):
        scenarios = [scenarios]
    checked = [_validated(s, "compare()", f"scenario #{i}") for i, s in enumerate(scenarios)]
    if not checked:
        raise ValueError("no scenario to compare (give at least one)")
    labels = _core.compare.labels([s.proto.name for s, _ in checked], [f or "" for _, f in checked])
    return [(label, s, f) for label, (s, f) in zip(labels, checked)]


def _money(r: dict) -> dict:
    """The money columns of one row (compare.csv's last five)."""
    nan = float("nan")
    removed, net = r["removed"], r["net_benefit"]
    return {"cost": float(r["cost"]),
            "removed_mean": float(removed["mean"]) if removed else nan,
            "removed_stderr": float(removed["stderr"]) if removed else nan,
            "net_benefit_mean": float(net["mean"]) if net else nan,
            "net_benefit_stderr": float(net["stderr"]) if net else nan}


def scoped(baseline: str, *, ids: Optional[Iterable[str]] = None, roles: Optional[Iterable[str]] = None,
           sectors: Optional[Iterable[str]] = None, suppliers: bool = False) -> str:
    """The variant that gives `baseline` to some enterprises only, written for
    :func:`compare` (and ``cpsf compare -b``), with the characters that the syntax uses
    percent-encoded. Give exactly one of `ids`, `roles`, `sectors` (a string or an iterable
    of them) or ``suppliers=True``.

    Examples
    --------
    >>> import cpsf
    >>> cpsf.scoped("SCS-4", roles=["tier-1 (wire harnesses)", "a|b"])
    'SCS-4@role=tier-1 (wire harnesses)|a%7Cb'
    >>> cpsf.scoped("SCS-4", suppliers=True)
    'SCS-4@suppliers'
    """
    baseline = _check.text("baseline", baseline)
    given = {k: v for k, v in (("id", ids), ("role", roles), ("sector", sectors)) if v is not None}
    if len(given) + bool(suppliers) != 1:
        raise ValueError("give exactly one of ids, roles, sectors or suppliers=True")

    def enc(x: str) -> str:
        for ch, code in (("%", "%25"), (",", "%2C"), ("|", "%7C"), ("@", "%40"), ("=", "%3D")):
            x = x.replace(ch, code)
        return x

    if suppliers:
        return f"{enc(baseline)}@suppliers"
    (key, values), = given.items()
    values = [values] if isinstance(values, str) else _check.texts(key, values)
    return f"{enc(baseline)}@{key}=" + "|".join(enc(v) for v in values)


def _rows(doc: dict) -> pd.DataFrame:
    currency = {s["label"]: s["currency"] for s in doc["scenarios"]}
    nan = float("nan")

    def num(x):
        return nan if x is None else float(x)

    rows = []
    for r in doc["rows"]:
        loss, p, annual, diff = r["loss"], r["p_any_target"], r["annual"], r["difference"]
        rows.append({
            "scenario": r["scenario"], "baseline": r["baseline"], "currency": currency[r["scenario"]],
            "trials": r["trials"], "seed": doc["seed"],
            "mean": num(loss["mean"]), "stderr": num(loss["stderr"]),
            "ci95_low": num(loss["ci95"][0]), "ci95_high": num(loss["ci95"][1]),
            "var95": num(loss["var95"]), "var95_ci95_low": num(loss["var95_ci95"][0]),
            "var95_ci95_high": num(loss["var95_ci95"][1]),
            "var99": num(loss["var99"]), "var99_ci95_low": num(loss["var99_ci95"][0]),
            "var99_ci95_high": num(loss["var99_ci95"][1]),
            "es99": num(loss["es99"]),
            "targets": p["targets"] if p else 0,
            "target_trials": p["compromised_trials"] if p else pd.NA,
            "p_any_target": num(p["p"]) if p else nan,
            "p_any_target_ci95_low": num(p["ci95"][0]) if p else nan,
            "p_any_target_ci95_high": num(p["ci95"][1]) if p else nan,
            "inherent_mean": num(r["inherent"]["mean"]), "inherent_stderr": num(r["inherent"]["stderr"]),
            "reduction_mean": num(r["reduction"]["mean"]), "reduction_stderr": num(r["reduction"]["stderr"]),
            "annual_mean": num(annual["mean"]) if annual else nan,
            "annual_stderr": num(annual["stderr"]) if annual else nan,
            "difference_from": diff["from"],
            "difference_mean": num(diff["mean"]), "difference_stderr": num(diff["stderr"]),
            "changed_enterprises": r["changed_enterprises"],
            **_money(r),
        })
    table = pd.DataFrame(rows)
    table["target_trials"] = table["target_trials"].astype("Int64")  # missing without targets
    return table


def compare(
    scenarios: Union[ScenarioLike, Sequence[ScenarioLike], Mapping[str, ScenarioLike]],
    baselines: Iterable[str] = (AS_IS,),
    threat: Optional[str] = None,
    *,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: int = 0,
    progress: Union[bool, Callable[[int, int], None]] = True,
) -> pd.DataFrame:
    """Run scenarios under baseline variants, as ``cpsf compare`` does.

    Every run has the same trials and seed (common random numbers), no stopping rule,
    and the scenario's own horizon.

    Parameters
    ----------
    scenarios : Scenario, path, or a list or dict of them
        The scenarios (each validated first, as :func:`cpsf.run` does). A dict gives the
        labels; otherwise each is labelled as on the command line: by its scenario's
        name (the file, or its place, where there is none; scenarios sharing a name are
        told apart by their files, else numbered: ``"chain"``, ``"chain (2)"``). The
        same file twice is refused (ValueError).
    baselines : iterable of str
        Variants: ``"as-is"``, ``"supplier-rule"``, a baseline id for every enterprise,
        or one scoped to some: ``"ID@id=A|B"``, ``"ID@role=R"``, ``"ID@sector=X"``,
        ``"ID@suppliers"`` (see :func:`scoped`). Differences are taken from the first.
    threat : str, optional
        Only this threat attacks; every scenario must define it.
    trials, seed : int, optional
        Of every run: trials in [1, 2^40), seed in [0, 2^64). Default 10,000 trials
        and seed 1.
    threads : int
        Worker threads, in [0, 1024], 0 for every core. Never changes a number.
    progress : bool or callable
        True: a progress bar over the runs (tqdm) once it lasts over half a second. A
        callable is called as ``progress(runs_done, runs)``.

    Returns
    -------
    pandas.DataFrame
        One row per scenario × baseline, in the order given, with the columns of
        ``compare.csv``: ``mean`` ± ``stderr`` of
        the residual loss per trial with its 95% interval, ``var95`` / ``var99`` (with
        distribution-free 95% intervals), ``es99``, ``p_any_target`` (some target or
        threat objective compromised; Wilson interval), ``inherent_mean``,
        ``reduction_mean`` ± ``reduction_stderr`` (inherent − residual, paired),
        ``annual_mean`` (when every threat has a frequency), ``difference_mean`` ±
        ``difference_stderr`` (from the first baseline, paired) and
        ``changed_enterprises``, then the money: ``cost`` (what the controls the
        variant adds to the enterprises it changes cost a year, from the baselines'
        ``cost``; see docs/cli.md), ``removed_mean`` ± ``removed_stderr`` (the annual
        loss it removes from the scenario as it is, paired; NaN without annual
        frequencies) and ``net_benefit_mean`` ± ``net_benefit_stderr`` (removed − cost).
        ``attrs`` holds the documents ``json`` (compare.json), ``csv``, ``profile_csv``
        (compare-profile.csv) and ``text`` that the command line writes (its chart is the
        HTML report's: ``cpsf.write_report(path, compare=table)``); :func:`compare_profile`
        gives each row's layer × element profile.

    Raises
    ------
    ScenarioError
        A scenario is invalid; nothing was run.
    TypeError
        An option of the wrong type (``trials=1.5``, ``baselines=[3]``).
    ValueError
        An unknown or repeated baseline, ``"SCS-5"``, a threat missing from a scenario,
        a bad scope or one whose role, sector or id no enterprise has, or an option out
        of range (the message names the scenario and the fix).

    Warns
    -----
    UserWarning
        A scope that matches no enterprise of some scenario, and a baseline whose
        controls' costs are not stated (cost 0).
    KeyboardInterrupt
        Ctrl-C; there is no partial table.

    Examples
    --------
    >>> import cpsf
    >>> t = cpsf.compare({"chain": cpsf.DEFAULT_SCENARIO}, ["as-is", "supplier-rule"],
    ...                  threat="ransomware-crew", trials=2000, progress=False)
    >>> t.loc[0, "difference_mean"], t.loc[0, "difference_stderr"]
    (0.0, 0.0)
    >>> cpsf.compare(cpsf.DEFAULT_SCENARIO, ["SCS-5"], trials=10, progress=False)
    Traceback (most recent call last):
    ...
    ValueError: scenario 'Automotive supply chain (default)': baseline 'SCS-5' is not defined: SCS ★5 is still ...
    """
    baselines = [baselines] if isinstance(baselines, str) else _check.texts("baselines", baselines)
    threat = None if threat is None else _check.text("threat", threat)
    trials = DEFAULT_COMPARE_TRIALS if trials is None else _check.integer("trials", trials, "trials")
    seed = DEFAULT_COMPARE_SEED if seed is None else _check.integer("seed", seed, "seed")
    threads = _check.integer("threads", threads, "threads")
    _check.progress("progress", progress, "(done, total)")
    items = _labelled(scenarios)
    payload = [(label, f or "", s.to_bytes()) for label, s, f in items]
    _warn_if_fewer_threads(threads)

    with _progress.callback(progress, len(payload) * len(baselines), " runs", "cpsf compare") as callback:
        docs = _core.compare.compare(payload, baselines=baselines, threat=threat, trials=trials, seed=seed,
                                     threads=threads, progress=callback)
    doc = json.loads(docs["json"])
    for message in doc["warnings"]:
        warnings.warn(message, UserWarning, stacklevel=2)
    table = _rows(doc)
    table.attrs.update(docs)
    return table


_PROFILE_COLUMNS = ("scenario", "baseline", "layer", "element", "loss_mean", "loss_stderr", "share",
                    "share_ci95_low", "share_ci95_high", "expected_loss", "production_loss", "cascade_loss")


def compare_profile(table: pd.DataFrame) -> pd.DataFrame:
    """The sector profile of each row of a :func:`compare` table: its loss by CPSF layer ×
    element, the profile working groups compare side by side.

    Parameters
    ----------
    table : DataFrame
        What :func:`compare` returned (read from its ``attrs["json"]``, compare.json).

    Returns
    -------
    pandas.DataFrame
        Long format, 18 lines per scenario × baseline in the table's order, with the
        columns of ``compare-profile.csv``: ``scenario, baseline, layer, element,
        loss_mean, loss_stderr`` (the cell's mean loss per trial: its assets' own losses
        and the production and cascade losses attributed to their fall, docs/methods.md
        §8.1; the 18 add up to the row's ``mean``), ``share, share_ci95_low,
        share_ci95_high`` (of the row's mean loss, delta-method interval), and the parts
        ``expected_loss`` (own), ``production_loss``, ``cascade_loss``.

    Examples
    --------
    >>> import cpsf
    >>> t = cpsf.compare(cpsf.DEFAULT_SCENARIO, ["SCS-3", "SCS-4"], trials=2000, progress=False)
    >>> p = cpsf.compare_profile(t)
    >>> p.shape, bool(abs(p[p.baseline == "SCS-4"].loss_mean.sum() / t.loc[1, "mean"] - 1) < 1e-9)
    ((36, 12), True)
    >>> p.pivot(index=["baseline", "layer"], columns="element", values="share").shape
    (6, 6)
    """
    _check.instance("table", table, pd.DataFrame, "the DataFrame cpsf.compare() returned")
    if "json" not in table.attrs:
        raise ValueError("table has no compare.json in attrs (pass the DataFrame cpsf.compare() returned)")
    nan = float("nan")

    def num(x):
        return nan if x is None else float(x)

    lines = []
    for r in json.loads(table.attrs["json"])["rows"]:
        for c in r["layer_element"]:
            share = c["share"]
            lines.append((r["scenario"], r["baseline"], c["layer"], c["element"], num(c["loss"]["mean"]),
                          num(c["loss"]["stderr"]), num(share["value"]), num(share["ci95"][0]),
                          num(share["ci95"][1]), num(c["expected_loss"]), num(c["production_loss"]),
                          num(c["cascade_loss"])))
    return pd.DataFrame(lines, columns=list(_PROFILE_COLUMNS))


def plot_compare(table: pd.DataFrame, ax: Optional["Axes"] = None, *, figsize=None) -> "Axes":
    """Grouped bars of the mean residual loss per scenario and baseline, with 95% intervals.

    Parameters
    ----------
    table : DataFrame
        What :func:`compare` returned.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import cpsf
    >>> t = cpsf.compare(cpsf.DEFAULT_SCENARIO, ["SCS-3", "SCS-4"], trials=1000, progress=False)
    >>> ax = cpsf.plot_compare(t)
    >>> [x.get_text() for x in ax.get_legend().get_texts()]
    ['SCS-3', 'SCS-4']
    >>> import matplotlib.pyplot as plt; plt.close("all")
    """
    _check.instance("table", table, pd.DataFrame, "the DataFrame cpsf.compare() returned")
    missing = [c for c in ("scenario", "baseline", "mean", "ci95_low", "ci95_high", "currency", "trials")
               if c not in table.columns]
    if missing:
        raise ValueError(f"table must be what cpsf.compare() returned; it lacks the columns {missing}")
    from matplotlib.ticker import EngFormatter

    scenarios = list(dict.fromkeys(table["scenario"]))
    baselines = list(dict.fromkeys(table["baseline"]))
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize or (max(5.0, 1.2 + 0.35 * len(scenarios) * len(baselines)), 4.5))
    width = 0.8 / max(len(baselines), 1)
    x = np.arange(len(scenarios))
    for k, b in enumerate(baselines):
        rows = table[table["baseline"] == b].set_index("scenario").reindex(scenarios)
        mean = rows["mean"].to_numpy(dtype=float)
        err = np.vstack([mean - rows["ci95_low"].to_numpy(dtype=float), rows["ci95_high"].to_numpy(dtype=float) - mean])
        ax.bar(x + (k - (len(baselines) - 1) / 2) * width, mean, width, yerr=np.clip(err, 0, None), capsize=3,
               label=b)
    ax.set_xticks(x, scenarios, rotation=30 if len(scenarios) > 3 else 0, ha="right" if len(scenarios) > 3 else "center")
    currencies = set(table["currency"])
    unit = f" ({currencies.pop()})" if len(currencies) == 1 and "" not in currencies else ""
    ax.yaxis.set_major_formatter(EngFormatter())
    ax.set_ylabel(f"mean residual loss per trial{unit}")
    trials = int(table["trials"].iloc[0]) if len(table) else 0
    ax.set_title(f"Scenarios × baselines, {trials:,} trials each (95% intervals)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(title="baseline")
    return ax


def _decisions_frame(decisions: List[dict]) -> pd.DataFrame:
    rows = []
    for d in decisions:
        kinds = {r["reason"] for r in d["reasons"]}
        rows.append({
            "enterprise": d["enterprise"], "baseline": d["baseline"], "previous_baseline": d["previous_baseline"],
            "customers": list(d["customers"]),
            "confidential_data": "confidential_data" in kinds, "unacceptable_delay": "unacceptable_delay" in kinds,
            "reaches_systems": "reaches_systems" in kinds,
            "reasons": [r["text"] for r in d["reasons"]],
        })
    columns = ["enterprise", "baseline", "previous_baseline", "customers", "confidential_data",
               "unacceptable_delay", "reaches_systems", "reasons"]
    return pd.DataFrame(rows, columns=columns).set_index("enterprise")


def apply_supplier_rule(scenario: ScenarioLike) -> Tuple[Scenario, pd.DataFrame]:
    """The scenario with the SCS supplier rule applied, and the decisions.

    Every enterprise that is the ``supplier`` of some dependency gets ``SCS-4`` when, for
    some customer, the dependency has ``handles_confidential_data`` or
    ``unacceptable_delay``, or a relation goes from an asset the supplier owns to one the
    customer owns that is a NETWORK, TRUST, DATA_FLOW or SOFTWARE_SUPPLY connection or in
    layer L3 (it can reach the customer's systems); otherwise ``SCS-3``. Other
    enterprises keep their baseline. The scenario given is not changed.

    Returns
    -------
    (Scenario, DataFrame)
        The new scenario (no ``source``: it is no longer the file), and one row per
        supplier, indexed by enterprise: ``baseline``, ``previous_baseline``,
        ``customers``, the three reasons as booleans, and ``reasons`` (sentences).

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.Scenario(name="two companies")
    >>> for e in ("buyer", "maker"): _ = s.add_enterprise(id=e)
    >>> _ = s.add_dependency(customer="buyer", supplier="maker", share=0.2, unacceptable_delay=True)
    >>> new, why = cpsf.apply_supplier_rule(s)
    >>> new.enterprise("maker").baseline, why.loc["maker", "reasons"]
    ('SCS-4', ["its outage would delay 'buyer' unacceptably"])
    >>> s.enterprise("maker").baseline   # unchanged
    ''
    """
    s = _as_scenario(scenario)
    data, decisions = _core.compare.apply_supplier_rule(s.to_bytes())
    return Scenario.from_bytes(data), _decisions_frame(decisions)


def assign_baseline(scenario: ScenarioLike, baseline: str,
                    enterprises: Union[str, Iterable[str]] = "all") -> Scenario:
    """The scenario with `baseline` given to some enterprises (a copy; ``""`` removes it).

    Parameters
    ----------
    baseline : str
        A built-in baseline (``SCS-3``, ``SCS-4``, ``JC-STAR-1``, ``JC-STAR-2``) or one the
        scenario defines; ``SCS-5`` is refused (★5 is still under design).
    enterprises : "all", "suppliers" or iterable of ids
        Every enterprise, those that are the supplier of some dependency, or these.

    Examples
    --------
    >>> import cpsf
    >>> s = cpsf.assign_baseline(cpsf.DEFAULT_SCENARIO, "SCS-4", "suppliers")
    >>> s.enterprise("oem").baseline, s.enterprise("t2").baseline
    ('', 'SCS-4')
    """
    baseline = _check.text("baseline", baseline)
    if isinstance(enterprises, str):
        if enterprises not in ("all", "suppliers"):
            raise ValueError(f"enterprises must be 'all', 'suppliers' or a list of ids, not {enterprises!r}")
        scope, ids = enterprises, []
    else:
        scope, ids = "enterprises", _check.texts("enterprises", enterprises)
    s = _as_scenario(scenario)
    data, _ = _core.compare.assign_baseline(s.to_bytes(), baseline, scope, ids)
    return Scenario.from_bytes(data)


def _as_scenario(scenario: ScenarioLike) -> Scenario:
    if isinstance(scenario, v1.Scenario):
        return Scenario(scenario)
    if isinstance(scenario, Scenario):
        return scenario
    if isinstance(scenario, (str, os.PathLike)):
        return load(os.fspath(scenario))
    raise TypeError(f"expected a Scenario, a cpsf.v1.Scenario or a path, not {type(scenario).__name__}")
