"""Checks of the arguments of the package's public functions, in one place.

Types: an int parameter takes ``int`` and numpy integers, never ``bool`` nor ``float``
(``trials=1.5`` and ``trials=1e6`` are refused, as ``range(1e6)`` is); a number takes
``int``, ``float`` and numpy numbers, never ``bool`` nor ``str``; a flag takes ``bool``
(or ``numpy.bool_``) only. A wrong type raises :class:`TypeError`, a value outside its
range :class:`ValueError`; both name the parameter and what it takes.

Ranges are the engine's (``cpsf._core.limits``, from engine/cpsf/base/limits.hpp), described
in the engine's words, so a value gets the same verdict here, on the command line and
in a scenario's ``settings``.
"""
from __future__ import annotations

import numbers
import os
from typing import Any, Callable, Iterable, List, Optional, Sequence

import numpy as np

from . import _core

__all__ = ["integer", "number", "flag", "text", "choice", "choices", "texts", "path", "progress", "instance",
           "describe"]

_INTEGERS = _core.limits.integers
_REALS = _core.limits.reals


def _kind(value: Any) -> str:
    """How a message names what was given: its type, and the value when short."""
    shown = repr(value)
    return f"{type(value).__name__} {shown}" if len(shown) <= 40 else type(value).__name__


def describe(limit: str) -> str:
    """The engine's description of a limit (``"an integer in [1, 2^40)"``)."""
    return _INTEGERS[limit][3] if limit in _INTEGERS else _REALS[limit][4]


def integer(name: str, value: Any, limit: Optional[str] = None) -> int:
    """`value` as an int, within the engine's `limit` (a key of ``_core.limits.integers``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        allowed = f"{describe(limit)} (an int)" if limit else "an int"
        raise TypeError(f"{name} must be {allowed}, not {_kind(value)}")
    v = int(value)
    if limit is not None:
        lo, hi, except_one, text_ = _INTEGERS[limit]
        if not lo <= v <= hi or (except_one and v == 1):
            raise ValueError(f"{name} must be {text_}, not {v}")
    return v


def number(name: str, value: Any, limit: Optional[str] = None) -> float:
    """`value` as a float, finite and within the engine's `limit` (a key of ``_core.limits.reals``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        allowed = f"{describe(limit)} (an int or a float)" if limit else "a number (an int or a float)"
        raise TypeError(f"{name} must be {allowed}, not {_kind(value)}")
    try:
        v = float(value)
    except OverflowError:  # an int beyond any double
        v = float("inf") if value > 0 else float("-inf")
    if limit is not None:
        lo, hi, open_lo, open_hi, text_ = _REALS[limit]
        inside = (v > lo if open_lo else v >= lo) and (v < hi if open_hi else v <= hi)
        if not (np.isfinite(v) and inside):
            raise ValueError(f"{name} must be {text_}, not {v!r}")
    return v


def flag(name: str, value: Any) -> bool:
    """`value` as a bool: True or False (numpy's too), nothing else."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, not {_kind(value)}")
    return bool(value)


def text(name: str, value: Any) -> str:
    """`value`, which must be a str."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, not {_kind(value)}")
    return value


def choice(name: str, value: Any, allowed: Sequence[str]) -> str:
    """`value`, which must be one of the strings `allowed`."""
    if not isinstance(value, str):
        raise TypeError(f"{name} must be one of {', '.join(map(repr, allowed))}; not {_kind(value)}")
    if value not in allowed:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, allowed))}; not {value!r}")
    return value


def choices(name: str, value: Any, allowed: Sequence[str]) -> List[str]:
    """`value` as a list of strings each in `allowed` (one str is a list of one)."""
    items = [value] if isinstance(value, str) else texts(name, value)
    for item in items:
        if item not in allowed:
            raise ValueError(f"{name} must hold only {', '.join(map(repr, allowed))}; not {item!r}")
    return items


def instance(name: str, value: Any, kind: type, what: str) -> Any:
    """`value`, which must be an instance of `kind` (described as `what`)."""
    if not isinstance(value, kind):
        raise TypeError(f"{name} must be {what}, not {_kind(value)}")
    return value


def texts(name: str, value: Any) -> List[str]:
    """`value` as a list of str: a list, tuple or other iterable of str, not one str."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise TypeError(f"{name} must be a list of str (e.g. [{'...'!r}]), not {_kind(value)}")
    items = list(value)
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise TypeError(f"{name}[{i}] must be a str, not {_kind(item)}")
    return items


def path(name: str, value: Any) -> str:
    """`value` as a path string: a str or an os.PathLike (pathlib.Path)."""
    if not isinstance(value, (str, os.PathLike)):
        raise TypeError(f"{name} must be a path (str or pathlib.Path), not {_kind(value)}")
    p = os.fspath(value)
    if not isinstance(p, str):
        raise TypeError(f"{name} must be a str path, not {_kind(p)}")
    return p


def progress(name: str, value: Any, signature: str) -> Optional[Callable]:
    """A progress argument: True (the package's bar), False or None (none), or a callable."""
    if value is True or value is False or value is None or callable(value):
        return value
    raise TypeError(f"{name} must be True, False or a callable{signature}, not {_kind(value)}")
