"""CycloneDX SBOMs as software-supply assets and relations (docs/import.md, "CycloneDX SBOMs").

Everything goes through the engine's own importer (``cpsf import cyclonedx``): the rules,
the diagnostics and the validation are the command line's.
"""
from __future__ import annotations

import pathlib
from typing import Optional, Union

from . import _check, _core
from .inventory import _finish
from .scenario import PathLike, Scenario

__all__ = ["import_cyclonedx", "EXAMPLE_SBOM"]

#: The example SBOM of the source tree (scenarios/examples/cyclonedx: a PLC firmware for the default scenario's oem-plc).
EXAMPLE_SBOM = (pathlib.Path(__file__).resolve().parents[2] / "scenarios" / "examples" / "cyclonedx"
                / "plc-firmware.cdx.json")


def import_cyclonedx(path: PathLike, *, into: Union[Scenario, PathLike, None] = None, product: Optional[str] = None,
                     max_file_bytes: Optional[int] = None) -> Scenario:
    """Import a CycloneDX SBOM (JSON, specVersion 1.4 to 1.6) as ``cpsf import cyclonedx`` does, validated.

    Parameters
    ----------
    path : str or path-like
        The SBOM.
    into : Scenario, str or path-like, optional
        The scenario to add the SBOM's enterprises, assets and relations to (the result holds both).
        Without it the result is the SBOM alone.
    product : str, optional
        With `into`: the id of the asset that the SBOM's ``metadata.component`` is; the SBOM's
        dependencies on its root become relations into it.
    max_file_bytes : int, optional
        Refuse any file larger than this (default 1 GiB, as the command line).

    Raises
    ------
    ValueError
        `product` without `into`, or empty.
    ScenarioFileError
        The SBOM is missing or too large, or `into` cannot be read.
    ScenarioError
        The SBOM or the resulting scenario is wrong; ``.problems`` name the file, the JSON
        pointer (or line and column for a JSON syntax error), the component and the fix.

    Warns
    -----
    ScenarioWarning
        Components with no supplier, components taken as direct dependencies of the product,
        vulnerabilities with no effect, and validation's warnings.

    Examples
    --------
    >>> import cpsf, warnings
    >>> with warnings.catch_warnings():  # libmodbus names no supplier
    ...     warnings.simplefilter("ignore", cpsf.ScenarioWarning)
    ...     s = cpsf.import_cyclonedx(cpsf.EXAMPLE_SBOM, into=cpsf.load(cpsf.DEFAULT_SCENARIO), product="oem-plc")
    >>> round(s.relation("sbom:pkg:github/mbed-tls/mbedtls@v3.5.1->oem-plc").step.p, 2)
    0.91
    """
    path = _check.path("path", path)
    limit = (_core.scenario.default_max_file_bytes if max_file_bytes is None
             else _check.integer("max_file_bytes", max_file_bytes, "file_bytes"))
    if product is not None:
        product = _check.text("product", product)
        if not product:
            raise ValueError("product is empty: give the id of the asset the SBOM describes")
        if into is None:
            raise ValueError("product needs into: the scenario that holds the product's asset")
    into_bytes = into_path = None
    if isinstance(into, Scenario):
        into_bytes = into.to_bytes()
    elif into is not None:
        into_path = _check.path("into", into)
    status, data, diagnostics, _report = _core.cyclonedx.import_file(path, into_bytes, into_path, product, limit)
    return _finish(status, data, diagnostics, path, stacklevel=4)
