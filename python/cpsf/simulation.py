"""Running the Monte Carlo attack-path simulation: :func:`run`.

The run is the engine's own (the same code as ``cpsf run``): given the same scenario,
seed and trials it gives the same numbers, bit for bit, at any thread count
(docs/methods.md §6). It runs with the GIL released, on a worker thread, while the
calling thread shows progress and listens for Ctrl-C.
"""
from __future__ import annotations

import warnings
from typing import Callable, Optional, Union

from . import _check, _core, _progress, v1
from .errors import PartialResultWarning, RunInterrupted
from .results import Results
from .scenario import PathLike, Scenario, _validated

__all__ = ["run", "MAX_TRIALS", "MAX_THREADS", "DEFAULT_TRIALS"]

#: Trials when neither the call nor the scenario's settings give a number (as ``cpsf run``).
DEFAULT_TRIALS = 10000
#: The most trials a run can have (2^40 − 1).
MAX_TRIALS = _core.limits.max_trials
#: The most worker threads a run can ask for (1,024).
MAX_THREADS = _core.limits.max_threads

ProgressCallback = Callable[[int, int], None]


def _warn_if_fewer_threads(threads: int) -> None:
    """Warn when the process cannot start `threads` threads (0: every core): the engine then
    runs on fewer, which changes no number (as ``cpsf run`` warns)."""
    wanted = threads or _core.simulation.default_threads()
    started = _core.simulation.startable_threads(wanted)
    if started < wanted:
        warnings.warn(f"only {started} of the {wanted} threads asked for could be started (a limit on threads or "
                      f"memory); running on {started}, which changes no number", RuntimeWarning, stacklevel=3)


def run(
    scenario: Union[Scenario, v1.Scenario, PathLike],
    *,
    trials: Optional[int] = None,
    seed: Optional[int] = None,
    threads: Optional[int] = None,
    horizon: Optional[float] = None,
    no_horizon: bool = False,
    target_rse: Optional[float] = None,
    inherent: bool = True,
    per_trial: bool = True,
    progress: Union[bool, ProgressCallback] = True,
    on_interrupt: str = "return",
) -> Results:
    """Run the Monte Carlo simulation, as ``cpsf run`` does.

    Options left as None take the scenario's ``settings``, as on the command line.

    Parameters
    ----------
    scenario : Scenario, cpsf.v1.Scenario, str or path-like
        The scenario, or a scenario file (read with :func:`cpsf.load`, so problems
        name the file and line).
    trials : int, optional
        Trials to run (the cap when a target precision is set), in [1, 2^40).
        Default: ``settings.trials``, else 10,000.
    seed : int, optional
        Master seed, in [0, 2^64). Default: ``settings.seed``. Trial *i* draws its
        random numbers from (seed, *i*) alone.
    threads : int, optional
        Worker threads, in [0, 1024], 0 for every core. Default: ``settings.threads``.
        Never changes a number. When the process cannot start that many threads (a
        limit on threads or memory), the run uses fewer and warns (RuntimeWarning).
    horizon : float, optional
        Horizon in days (finite, ≥ 0), overriding the scenario's.
    no_horizon : bool
        Ignore the scenario's horizon (any finite arrival counts).
    target_rse : float, optional
        Stop at the first check point (every 4,096 trials, after 1,000) where the
        relative standard error of the mean loss is at most this, in [0, 1). Default:
        ``settings.target_relative_stderr``; 0 turns the rule off.
    inherent : bool
        Also run every trial with the controls off (common random numbers), for the
        inherent risk and the risk the controls remove (``cpsf run --no-inherent``
        is ``inherent=False``).
    per_trial : bool
        Keep every trial's values (:meth:`Results.loss_array`, :meth:`Results.losses`,
        losses.csv in :meth:`Results.save`): about 8 bytes per trial and value, so
        memory grows with the trials. False keeps only the estimates, in memory that
        does not depend on the trial count (``cpsf run`` without ``--per-trial``); the
        per-trial accessors then raise ValueError. Never changes an estimate.
    progress : bool or callable
        True: a progress bar (tqdm; in Jupyter a widget when ipywidgets is
        installed) once the run lasts over half a second. False: none. A callable
        is called as ``progress(trials_done, trials_planned)`` from the calling thread.
    on_interrupt : {"return", "raise"}
        What Ctrl-C (KeyboardInterrupt) does. The run always stops at the end of its
        current round of 4,096 trials, and its result is exactly the first
        ``results.trials`` trials, with ``results.partial`` True. ``"return"``
        (default) returns that result and issues a :class:`cpsf.PartialResultWarning`;
        ``"raise"`` raises :class:`cpsf.RunInterrupted` (a KeyboardInterrupt) carrying
        it as ``.results`` — better inside loops, which Ctrl-C should stop.

    Returns
    -------
    Results

    Raises
    ------
    ScenarioError
        The scenario is invalid; nothing was run.
    TypeError
        An option of the wrong type (``trials=1.5``, ``trials="1000"``, ``seed=True``).
    ValueError
        An option is out of range.

    Notes
    -----
    The engine runs on a worker thread with the GIL released; other Python threads
    keep running. The calling thread waits in slices of 0.1 s, taking the GIL only to
    check for signals and to update the progress bar.

    Examples
    --------
    >>> import cpsf
    >>> res = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=4000, seed=11, progress=False)
    >>> res.trials, res.seed, res.partial
    (4000, 11, False)
    >>> 0 < res.loss.mean < res.inherent_loss.mean
    True

    The thread count never changes a number:

    >>> one = cpsf.run(cpsf.DEFAULT_SCENARIO, trials=4000, seed=11, threads=1, progress=False)
    >>> one.to_json() == res.to_json()
    True
    """
    # Options first (types, then the engine's limits), before the scenario is read.
    trials = None if trials is None else _check.integer("trials", trials, "trials")
    seed = None if seed is None else _check.integer("seed", seed, "seed")
    threads = None if threads is None else _check.integer("threads", threads, "threads")
    horizon = None if horizon is None else _check.number("horizon", horizon, "horizon")
    no_horizon = _check.flag("no_horizon", no_horizon)
    target_rse = None if target_rse is None else _check.number("target_rse", target_rse, "target_rse")
    inherent = _check.flag("inherent", inherent)
    per_trial = _check.flag("per_trial", per_trial)
    _check.progress("progress", progress, "(done, planned)")
    _check.choice("on_interrupt", on_interrupt, ("return", "raise"))
    if horizon is not None and no_horizon:
        raise ValueError("horizon and no_horizon exclude each other")
    scenario, source = _validated(scenario, "run()")
    data, file = scenario.to_bytes(), source or "<memory>"

    settings = scenario.proto.settings  # validated: within the same limits
    trials = trials if trials is not None else (settings.trials or DEFAULT_TRIALS)
    seed = seed if seed is not None else settings.seed
    threads = threads if threads is not None else settings.threads
    target_rse = target_rse if target_rse is not None else settings.target_relative_stderr
    _warn_if_fewer_threads(threads)

    with _progress.callback(progress, trials, " trials", "cpsf run", unit_scale=True) as callback:
        core = _core.simulation.run(
            data, file=file, trials=trials, seed=seed, threads=threads, horizon=horizon, no_horizon=no_horizon,
            target_rse=target_rse, inherent=inherent, per_trial=per_trial, progress=callback)
    results = Results(core, scenario)
    if results.partial:
        if on_interrupt == "raise":
            raise RunInterrupted(results)
        warnings.warn(f"run interrupted after {results.trials} of {results.trials_planned} trials: "
                      "the result is partial (results.partial)", PartialResultWarning, stacklevel=2)
    return results
