"""Plots of a run with matplotlib: the loss exceedance curve, the CPSF layer × element
heatmap, asset risk bars and the attack graph coloured by P(compromised).

Each function takes a :class:`cpsf.Results`, draws on `ax` (a new figure when None)
and returns the axes. matplotlib (and NetworkX for the graph) is imported only when
a plot is drawn.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import cpsf
>>> res = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=2000, seed=3, progress=False)
>>> ax = cpsf.plot.exceedance(res)
>>> ax.get_ylabel()
'P(loss ≥ x)'
>>> ax = cpsf.plot.layer_element(res)
>>> ax = cpsf.plot.asset_risk(res, top=10)
>>> len(ax.get_yticklabels())
10
>>> ax = cpsf.plot.attack_graph(res)
>>> import matplotlib.pyplot as plt; plt.close("all")
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING, Dict, Iterable, Optional, Tuple

import numpy as np

from . import _check

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

    from .results import Results

__all__ = ["exceedance", "layer_element", "asset_risk", "attack_graph", "variants", "empirical_exceedance"]

_Z95 = 1.959963984540054
_LABELS = {"residual": "with controls (residual)", "inherent": "without controls (inherent)",
           "annual": "per year, with controls", "annual_inherent": "per year, without controls"}


def _results(results) -> "Results":
    from .results import Results

    return _check.instance("results", results, Results, "a cpsf.Results (what cpsf.run returns)")


def _axes(ax, figsize):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def empirical_exceedance(losses: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The empirical exceedance curve at every distinct loss.

    Returns ``(x, p, se)``: the distinct losses ascending, P(L ≥ x) and its binomial
    standard error ``sqrt(p (1 − p) / n)``.

    Examples
    --------
    >>> import numpy as np
    >>> from cpsf.plot import empirical_exceedance
    >>> x, p, se = empirical_exceedance(np.array([0.0, 0.0, 5.0, 10.0]))
    >>> x.tolist(), p.tolist()
    ([0.0, 5.0, 10.0], [1.0, 0.5, 0.25])
    """
    try:
        losses = np.sort(np.asarray(losses, dtype=float).ravel())
    except (TypeError, ValueError):
        raise TypeError(f"losses must be an array of numbers, not {type(losses).__name__}") from None
    n = losses.size
    if n == 0:
        return np.empty(0), np.empty(0), np.empty(0)
    x, first = np.unique(losses, return_index=True)
    p = (n - first) / n
    return x, p, np.sqrt(p * (1 - p) / n)


def exceedance(results: "Results", ax: Optional["Axes"] = None, *,
               which: Iterable[str] = ("residual", "inherent"), ci: bool = True, logy: bool = True,
               figsize=(7, 4.5)) -> "Axes":
    """The loss exceedance curve P(L ≥ x), with a 95% band.

    Parameters
    ----------
    results : Results
    ax : matplotlib.axes.Axes, optional
    which : iterable of {"residual", "inherent", "annual", "annual_inherent"}
        Curves to draw; those the run does not have are skipped.
    ci : bool
        Shade p ± 1.96 standard errors.
    logy : bool
        Logarithmic probability axis (the tail is where the risk is).
    """
    _results(results)
    which = _check.choices("which", which, tuple(_LABELS))
    ci, logy = _check.flag("ci", ci), _check.flag("logy", logy)
    from matplotlib.ticker import EngFormatter

    ax = _axes(ax, figsize)
    available = {"residual": True, "inherent": results.has_inherent, "annual": results.has_annual,
                 "annual_inherent": results.has_annual and results.has_inherent}
    floor = 0.3 / max(results.trials, 1)  # below the smallest probability a run can estimate, 1/n
    for kind in which:
        if not available.get(kind, False):
            continue
        x, p, se = empirical_exceedance(results.loss_array(kind))
        (line,) = ax.step(x, p, where="post", label=_LABELS[kind])
        if ci:
            ax.fill_between(x, np.clip(p - _Z95 * se, floor, 1), np.clip(p + _Z95 * se, floor, 1), step="post",
                            color=line.get_color(), alpha=0.2, linewidth=0)
    if logy:
        ax.set_yscale("log")
        ax.set_ylim(floor, 1.5)
    ax.xaxis.set_major_formatter(EngFormatter())
    ax.set_xlabel(f"loss ({results.currency})" if results.currency else "loss")
    ax.set_ylabel("P(loss ≥ x)")
    ax.set_title(f"Loss exceedance, {results.trials:,} trials{' (partial)' if results.partial else ''}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    return ax


def layer_element(results: "Results", ax: Optional["Axes"] = None, *, what: str = "expected_loss",
                  cmap: str = "Reds", annotate: bool = True, figsize=(8, 3.6)) -> "Axes":
    """Heatmap of the CPSF layer × element table (:meth:`Results.layer_element`).

    Parameters
    ----------
    what : str
        What :meth:`Results.layer_element` gives: ``"expected_loss"`` (the assets' own
        losses), ``"expected_compromised"``, ``"production_loss"``, ``"cascade_loss"``,
        ``"loss"`` (the whole attributed loss: the cells add up to the mean loss),
        ``"share"`` of the mean loss, ...
    cmap : str
        A matplotlib colour map.
    annotate : bool
        Write each cell's value.
    """
    _results(results)
    from .results import _LAYER_ELEMENT_WHATS
    _check.choice("what", what, _LAYER_ELEMENT_WHATS)
    _check.text("cmap", cmap)
    annotate = _check.flag("annotate", annotate)
    ax = _axes(ax, figsize)
    table = results.layer_element(what)
    data = table.to_numpy()
    image = ax.imshow(data, cmap=cmap, aspect="auto", vmin=0)
    ax.set_xticks(range(data.shape[1]), [c.capitalize() for c in table.columns])
    ax.set_yticks(range(data.shape[0]), list(table.index))
    if annotate:
        top = data.max() if data.size and data.max() > 0 else 1.0
        for (i, j), v in np.ndenumerate(data):
            ax.text(j, i, f"{v:.3g}", ha="center", va="center", fontsize=9,
                    color="white" if v > 0.6 * top else "black")
    label = (f"expected loss per trial ({results.currency})" if what == "expected_loss"
             else "expected compromised assets per trial")
    ax.figure.colorbar(image, ax=ax, label=label)
    ax.set_title("Where the risk sits: CPSF layer × element")
    return ax


def asset_risk(results: "Results", ax: Optional["Axes"] = None, *, top: int = 15, by: str = "expected_loss",
               inherent: bool = True, figsize=None) -> "Axes":
    """Horizontal bars of P(compromised) with 95% intervals for the riskiest assets.

    Parameters
    ----------
    top : int
        How many assets.
    by : str
        The :meth:`Results.assets` column that ranks them (``"expected_loss"``,
        ``"p_compromised"``, ``"p_reduction"``, ...).
    inherent : bool
        Mark each asset's P without controls too.
    """
    _results(results)
    top = _check.integer("top", top)
    if top < 1:
        raise ValueError(f"top must be at least 1, not {top}")
    _check.text("by", by)
    inherent = _check.flag("inherent", inherent)
    df = results.assets()
    if by not in df.columns:
        raise ValueError(f"by must be a column of Results.assets() ({', '.join(map(str, df.columns))}); not {by!r}")
    df = df.sort_values(by, ascending=False, kind="stable").head(top).iloc[::-1]
    ax = _axes(ax, figsize or (7, 0.35 * len(df) + 1.2))
    y = np.arange(len(df))
    p = df["p_compromised"].to_numpy()
    err = np.vstack([p - df["ci95_low"].to_numpy(), df["ci95_high"].to_numpy() - p])
    ax.barh(y, p, xerr=err, color="tab:red", alpha=0.8, capsize=2, label="P(compromised), with controls")
    if inherent and "inherent_p_compromised" in df:
        ax.scatter(df["inherent_p_compromised"], y, marker="|", s=200, color="black", zorder=3,
                   label="without controls")
    labels = [f"{i} ★" if t else i for i, t in zip(df.index, df["target"])]
    ax.set_yticks(y, labels)
    ax.set_xlim(0, min(1.0, max(1e-3, float(np.nanmax(np.r_[df["ci95_high"].to_numpy(), 0]))) * 1.1))
    if inherent and "inherent_p_compromised" in df:
        ax.set_xlim(0, min(1.0, max(ax.get_xlim()[1], float(df["inherent_p_compromised"].max()) * 1.1)))
    ax.set_xlabel("P(compromised) per trial (95% Wilson interval)")
    ax.set_title(f"Top {len(df)} assets by {by.replace('_', ' ')} (★ target)")
    ax.legend(loc="best", fontsize=8)
    return ax


def _supply_chain_layout(results: "Results"):
    """Columns by enterprise (scenario order), bands by layer (L1 top, L3 bottom); the
    assets of one enterprise and layer in a grid inside their cell. Returns the positions
    and the geometry: column spans {enterprise: (x0, x1)} and band spans {layer: (y0, y1)}."""
    proto = results.scenario.proto
    order = [e.id for e in proto.enterprises]
    cells: Dict[Tuple[str, int], list] = {}
    for a in proto.assets:
        cells.setdefault((a.owner, a.layer), []).append(a.id)
    width = {e: max([math.ceil(math.sqrt(len(ids) * 2.0)) for (o, _), ids in cells.items() if o == e] or [1])
             for e in order}
    rows = {layer: max([math.ceil(len(ids) / width.get(o, 1)) for (o, l), ids in cells.items() if l == layer] or [1])
            for layer in (1, 2, 3)}
    x0, columns = 0.0, {}
    for e in order:
        columns[e] = (x0, x0 + width[e])
        x0 += width[e] + 0.8
    y0, bands = 0.0, {}
    for layer in (1, 2, 3):
        bands[layer] = (-(y0 + rows[layer]), -y0)
        y0 += rows[layer] + 0.8
    pos = {}
    for (owner, layer), ids in cells.items():
        left, _ = columns.get(owner, (0.0, 1.0))
        _, top = bands.get(layer, (0.0, 0.0))
        for k, aid in enumerate(ids):
            r, c = divmod(k, width.get(owner, 1))
            pos[aid] = (left + c + 0.5, top - r - 0.5)
    return pos, columns, bands


def attack_graph(results: "Results", ax: Optional["Axes"] = None, *, layout: str = "supply-chain",
                 cmap: str = "YlOrRd", labels: bool = True, seed: int = 1, figsize=None) -> "Axes":
    """The attack graph, assets coloured by P(compromised).

    Parameters
    ----------
    layout : {"supply-chain", "spring"}
        ``"supply-chain"``: one column per enterprise, one band per CPSF layer (L1
        top). ``"spring"``: NetworkX's force-directed layout (seeded).
    cmap : str
        Colour map of P(compromised), from 0 to the largest P.
    labels : bool
        Write asset ids.

    Notes
    -----
    Targets have a thick black border; an edge's width grows with its step
    probability with controls (``p_residual``).
    """
    _results(results)
    _check.choice("layout", layout, ("supply-chain", "spring"))
    _check.text("cmap", cmap)
    labels = _check.flag("labels", labels)
    seed = _check.integer("seed", seed)
    import matplotlib as mpl
    import networkx as nx

    g = results.to_networkx()
    if layout == "supply-chain":
        pos, columns, bands = _supply_chain_layout(results)
    elif layout == "spring":
        pos, columns, bands = nx.spring_layout(g, seed=seed), {}, {}
    else:
        raise ValueError("layout must be 'supply-chain' or 'spring'")
    if figsize is None:
        span_x = max([x1 for _, x1 in columns.values()] or [10.0])
        span_y = -min([y0 for y0, _ in bands.values()] or [-6.0])
        figsize = (min(24.0, 2.0 + 1.1 * span_x), min(16.0, 1.5 + 1.0 * span_y)) if columns else (11, 8)
    ax = _axes(ax, figsize)
    nodes = list(g.nodes)
    p = np.array([g.nodes[n]["p_compromised"] for n in nodes])
    vmax = max(float(p.max()) if p.size else 0.0, 1e-9)
    norm = mpl.colors.Normalize(vmin=0.0, vmax=vmax)
    colour_map = mpl.colormaps[cmap]
    widths = [0.4 + 2.5 * d["p_residual"] for _, _, d in g.edges(data=True)]
    nx.draw_networkx_edges(g, pos, ax=ax, width=widths, alpha=0.35, arrowsize=8, edge_color="grey",
                           connectionstyle="arc3,rad=0.1", node_size=260)
    nx.draw_networkx_nodes(g, pos, ax=ax, nodelist=nodes, node_color=[colour_map(norm(v)) for v in p],
                           node_size=260, edgecolors=["black" if g.nodes[n]["target"] else "grey" for n in nodes],
                           linewidths=[2.0 if g.nodes[n]["target"] else 0.5 for n in nodes])
    if labels:
        offset = 0.28 if columns else 0.0
        for n in nodes:
            x, y = pos[n]
            ax.text(x, y - offset, n, ha="center", va="top", fontsize=5.5, rotation=12, clip_on=False)
    sm = mpl.cm.ScalarMappable(norm=norm, cmap=colour_map)
    ax.figure.colorbar(sm, ax=ax, label="P(compromised)", shrink=0.6)
    if columns:
        top = max(y1 for _, y1 in bands.values())
        for e, (x0, x1) in columns.items():
            ax.text((x0 + x1) / 2, top + 0.3, e, ha="center", va="bottom", fontsize=9, fontweight="bold")
            ax.axvspan(x0 - 0.3, x1 + 0.3, color="0.96", zorder=-1)
        names = {1: "L1 organisations", 2: "L2 cyber-physical", 3: "L3 cyberspace"}
        left = min(x0 for x0, _ in columns.values())
        for layer, (y0, y1) in bands.items():
            ax.text(left - 0.6, (y0 + y1) / 2, names[layer], ha="right", va="center", fontsize=8, rotation=90)
            ax.axhline(y0 - 0.4, color="lightgrey", linewidth=0.8, zorder=0)
        ax.set_xlim(left - 1.0, max(x1 for _, x1 in columns.values()) + 0.5)
        ax.set_ylim(min(y0 for y0, _ in bands.values()) - 0.6, top + 0.9)
    ax.set_axis_off()
    ax.set_title(f"Attack graph: P(compromised) over {results.trials:,} trials (thick border: target)")
    return ax


def variants(table, x: str, ax: Optional["Axes"] = None, *, mean: str = "loss_mean", low: str = "ci95_low",
             high: str = "ci95_high", label: Optional[str] = None, figsize=(7, 4.5)) -> "Axes":
    """A risk curve over scenario variants: `mean` against `x` with a 95% band.

    `table` is a DataFrame with one row per variant (e.g. built in a loop of
    :func:`cpsf.run` calls); `x`, `mean`, `low` and `high` name its columns.

    Examples
    --------
    >>> import matplotlib; matplotlib.use("Agg")
    >>> import pandas as pd, cpsf
    >>> t = pd.DataFrame({"efficacy": [0, .5, 1], "loss_mean": [3., 2., 1.],
    ...                   "ci95_low": [2.5, 1.6, .8], "ci95_high": [3.5, 2.4, 1.2]})
    >>> cpsf.plot.variants(t, "efficacy").get_xlabel()
    'efficacy'
    """
    import pandas as pd

    _check.instance("table", table, pd.DataFrame, "a pandas DataFrame")
    for name, column in (("x", x), ("mean", mean), ("low", low), ("high", high)):
        if column not in table.columns:
            raise ValueError(f"{name} must name a column of table ({', '.join(map(str, table.columns))}); "
                             f"not {column!r}")
    ax = _axes(ax, figsize)
    xs = table[x].to_numpy()
    (line,) = ax.plot(xs, table[mean].to_numpy(), marker="o", markersize=3, label=label or mean)
    ax.fill_between(xs, table[low].to_numpy(), table[high].to_numpy(), color=line.get_color(), alpha=0.2,
                    linewidth=0)
    ax.set_xlabel(x)
    ax.set_ylabel(mean.replace("_", " "))
    ax.grid(True, alpha=0.3)
    return ax

