"""The built-in CPSF catalogue: requirement ids (``CPS.AC-1``, ...) and baselines
(``SCS-3``, ``SCS-4``, ``JC-STAR-1``, ...), as the engine embeds them from
model/catalogue/cpsf.textproto.
"""
from __future__ import annotations

from . import _check, _core, v1

__all__ = ["catalogue", "is_requirement_id"]


def catalogue() -> v1.Catalogue:
    """The built-in catalogue as a ``cpsf.v1.Catalogue`` message (a fresh copy).

    Examples
    --------
    >>> import cpsf
    >>> cat = cpsf.catalogue()
    >>> any(r.id == "CPS.AC-1" for r in cat.requirements)
    True
    >>> "SCS-4" in {b.id for b in cat.baselines}
    True
    """
    message = v1.Catalogue()
    message.ParseFromString(_core.catalogue.builtin())
    return message


def is_requirement_id(id: str) -> bool:
    """True when `id` has the shape of a CPSF requirement id, ``CPS.<XX>-<n>``.

    Examples
    --------
    >>> import cpsf
    >>> cpsf.is_requirement_id("CPS.SC-2"), cpsf.is_requirement_id("SC-2")
    (True, False)
    """
    return _core.catalogue.is_requirement_id(_check.text("id", id))
