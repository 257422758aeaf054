"""cpsf — supply-chain residual cyber risk under METI's Cyber/Physical Security Framework.

Load or build a scenario (companies, assets, relations, countermeasures, threats),
validate it with the command line's messages, run the parallel Monte Carlo
attack-path simulation, and read the result as numpy arrays, pandas DataFrames,
a NetworkX graph and plots. docs/python.md is the guide.

Examples
--------
>>> import cpsf
>>> s = cpsf.load(cpsf.DEFAULT_SCENARIO)        # scenarios/default/scenario.textproto
>>> res = cpsf.run(s, trials=3000, seed=42, progress=False)
>>> res.assets().loc["oem-mes", ["owner", "layer", "element"]].tolist()
['oem', 'L3', 'SYSTEM']
>>> res.layer_element().shape
(3, 6)

The package is two directories: this one (pure Python) and the build's
``python/cpsf`` (the compiled ``_core`` and the generated ``cpsf.v1`` protobuf
classes), joined with :func:`pkgutil.extend_path` when both parents are on
``sys.path``, as the ``.pth`` file that ``scripts/python-env.sh`` writes arranges.
"""
import pkgutil as _pkgutil

__path__ = _pkgutil.extend_path(__path__, __name__)

try:
    from . import _core
except ImportError as _e:  # pragma: no cover - a set-up problem, explained
    raise ImportError(
        "cpsf: the compiled module cpsf._core was not found next to the pure-Python package. "
        "Build it and make a virtual environment that sees it with `bash scripts/python-env.sh` "
        "(docs/python.md), and use that environment's python (.venv/bin/python) or its Jupyter kernel."
    ) from _e

from . import v1  # noqa: E402  (after _core: the C++ descriptors are registered first)
from . import plot  # noqa: E402
from .catalogue import catalogue, is_requirement_id  # noqa: E402
from .errors import (  # noqa: E402
    PartialResultWarning,
    Problem,
    RunInterrupted,
    ScenarioError,
    ScenarioFileError,
    ScenarioWarning,
)
from .results import ELEMENTS, LAYERS, Estimate, LossSummary, Results  # noqa: E402
from .scenario import DEFAULT_SCENARIO, FORMATS, Scenario, generate, load, validate  # noqa: E402
from .simulation import DEFAULT_TRIALS, MAX_THREADS, MAX_TRIALS, run  # noqa: E402
from .compare import apply_supplier_rule, assign_baseline, compare, compare_profile, plot_compare, scoped  # noqa: E402
from .portfolio import Portfolio, optimise  # noqa: E402
from .graphml import EXAMPLE_GRAPHML, export_graphml, import_graphml  # noqa: E402
from .inventory import EXAMPLE_INVENTORY, export_inventory, import_inventory  # noqa: E402
from .self_assessment import (  # noqa: E402
    EXAMPLE_SELF_ASSESSMENT,
    SelfAssessment,
    import_self_assessment,
    read_self_assessment,
)
from .cyclonedx import EXAMPLE_SBOM, import_cyclonedx  # noqa: E402
from .report import report_html, write_report  # noqa: E402

__version__ = _core.engine_version
#: The scenario schema the package reads and writes ("cpsf.v1").
SCHEMA = _core.schema_version
#: The git revision the engine was built from ("-dirty" for a modified tree).
GIT_REVISION = _core.git_revision

__all__ = [
    "DEFAULT_SCENARIO", "DEFAULT_TRIALS", "ELEMENTS", "FORMATS", "GIT_REVISION", "LAYERS", "MAX_THREADS", "MAX_TRIALS",
    "SCHEMA", "Estimate", "LossSummary", "PartialResultWarning", "Problem", "Results", "RunInterrupted",
    "Scenario", "ScenarioError", "ScenarioFileError", "ScenarioWarning", "catalogue", "generate",
    "is_requirement_id", "load", "plot", "run", "v1", "validate",
    "Portfolio", "optimise", "compare", "compare_profile", "plot_compare", "apply_supplier_rule", "assign_baseline",
    "scoped",
    "import_inventory", "export_inventory", "EXAMPLE_INVENTORY", "import_graphml", "export_graphml", "EXAMPLE_GRAPHML",
    "import_self_assessment", "read_self_assessment", "SelfAssessment", "EXAMPLE_SELF_ASSESSMENT",
    "import_cyclonedx", "EXAMPLE_SBOM", "report_html", "write_report",
]
