"""The progress bar of :func:`cpsf.run`, :func:`cpsf.optimise` and :func:`cpsf.compare`.

One tqdm bar (a widget in Jupyter when ipywidgets is there, text on stderr otherwise),
shown only once the work lasts longer than half a second.
"""
from __future__ import annotations

import contextlib
import sys
import warnings
from typing import Callable, Iterator, Optional, Union


def _bar(total: Optional[int], unit: str, desc: str, unit_scale: bool) -> Callable[..., None]:
    """A callable ``update(done, ...)`` that moves the bar to `done`, with ``update.close()``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tqdm.auto warns when ipywidgets is missing, then falls back to text
        from tqdm.auto import tqdm
    bar = tqdm(total=total, unit=unit, unit_scale=unit_scale, delay=0.5, desc=desc, file=sys.stderr,
               dynamic_ncols=True)

    def update(done: int, *_total: int) -> None:
        if done > bar.n:
            bar.update(done - bar.n)

    update.close = bar.close  # type: ignore[attr-defined]
    return update


@contextlib.contextmanager
def callback(progress: Union[bool, None, Callable[..., None]], total: Optional[int], unit: str, desc: str, *,
             unit_scale: bool = False) -> Iterator[Optional[Callable[..., None]]]:
    """What to hand the engine as its progress callback for the user's `progress`: a bar
    (True, closed when the block ends, however it ends), nothing (False or None), or the
    user's own callable. `total`: what the bar counts to (None: a counter)."""
    if progress is True:
        update = _bar(total, unit, desc, unit_scale)
        try:
            yield update
        finally:
            update.close()  # type: ignore[attr-defined]
    elif progress is False or progress is None:
        yield None
    else:
        yield progress
