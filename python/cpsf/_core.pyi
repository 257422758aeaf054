"""Type stubs of cpsf._core, the compiled half of the package (python/src/*.cpp).

Use the cpsf package; this module is its thin binding. Scenarios cross as serialised
``cpsf.v1.Scenario`` bytes; a diagnostic crosses as the tuple
``(severity, file, line, column, path, entity, message, hint, text)``.
"""
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import numpy.typing as npt

engine_version: str
schema_version: str
git_revision: str

Diagnostic = Tuple[str, str, int, int, str, str, str, str, str]

class limits:
    """The engine's limits (engine/cpsf/base/limits.hpp)."""

    max_trials: int
    max_threads: int
    max_annual_frequency: float
    max_top_paths: int
    max_frontier_points: int
    integers: Dict[str, Tuple[int, int, bool, str]]
    """name -> (min, max, except_one, description) of an integer option."""
    reals: Dict[str, Tuple[float, float, bool, bool, str]]
    """name -> (min, max, open_min, open_max, description) of a number option (always finite)."""

class catalogue:
    @staticmethod
    def builtin() -> bytes: ...
    @staticmethod
    def is_requirement_id(id: str) -> bool: ...

class validation:
    @staticmethod
    def validate(data: bytes, name: str = "<memory>") -> List[Diagnostic]: ...

class scenario:
    default_max_file_bytes: int
    @staticmethod
    def load(path: str, max_file_bytes: int = ..., validate: bool = True, library: str = ""
             ) -> Tuple[str, Optional[bytes], List[Diagnostic], List[str]]:
        """(status 'ok' | 'invalid' | 'io_error', merged scenario bytes or None, diagnostics, files read)."""
    @staticmethod
    def serialise(data: bytes, format: str) -> bytes: ...
    @staticmethod
    def parse_binary(data: bytes) -> Tuple[Optional[bytes], List[Diagnostic]]:
        """(the scenario's bytes without the integrity record, or None when cut, altered or unreadable; diagnostics)."""
    @staticmethod
    def format_from_path(path: str) -> Optional[str]: ...
    @staticmethod
    def save(path: str, data: bytes, format: str) -> None: ...
    @staticmethod
    def summary(data: bytes) -> str: ...
    def explain(data: bytes, relation: str) -> str: ...
    def resolved_steps(data: bytes) -> Tuple[List[Tuple[float, float, float]], List[bool], List[List[str]], List[bytes]]: ...
    @staticmethod
    def generate(*, enterprises: int = 10, assets_per_enterprise: int = 100, relations_per_asset: float = 4.0,
                 cross_share: float = 0.02, ot_share: float = 0.2, entry_share: float = 0.01,
                 entry_probability: float = 0.3, p_min: float = 0.05, p_max: float = 0.5, ttc_min: float = 0.5,
                 ttc_max: float = 10.0, fan_out: int = 3, horizon: Optional[float] = None, trials: int = 1000,
                 seed: int = 1, relation_ids: bool = False) -> bytes: ...

class results:
    class Result:
        """One run. Arrays marked 'zero copy' are read-only views whose base is this object."""

        trials: int
        trials_planned: int
        partial: bool
        stopped_by_precision: bool
        seed: int
        threads: int
        horizon: Optional[float]
        has_inherent: bool
        has_annual: bool
        combined: bool
        implicit_threat: bool
        file: str
        name: str
        currency: str
        asset_ids: List[str]
        enterprise_ids: List[str]
        threat_ids: List[str]
        threat_annual_frequency: List[Optional[float]]
        enterprise_inherent_mean: List[float]
        threat_inherent_mean: List[Optional[float]]
        tracked: npt.NDArray[np.uint32]
        def relation_p(self, inherent: bool = False) -> npt.NDArray[np.float64]: ...
        def losses(self, view: int = -1, inherent: bool = False) -> npt.NDArray[np.float64]:
            """Zero copy; view -1 is the main view, k the threat k."""
        def hits(self, view: int = -1, inherent: bool = False) -> npt.NDArray[np.uint64]:
            """Zero copy."""
        def enterprise_losses(self, inherent: bool = False) -> npt.NDArray[np.float64]:
            """Zero copy; shape (trials, enterprises)."""
        def annual_losses(self, inherent: bool = False) -> npt.NDArray[np.float64]:
            """Zero copy."""
        def tracked_arrival(self) -> npt.NDArray[np.float64]:
            """Zero copy; shape (trials, tracked)."""
        def asset_estimates(self, view: int = -1) -> Dict[str, np.ndarray]: ...
        def loss_summary(self, kind: str = "residual", index: int = -1) -> Dict[str, object]: ...
        def controls_effect(self) -> Optional[Tuple[float, float]]: ...
        def layer_element(self) -> Tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]: ...
        def results_json(self) -> str: ...
        def assets_csv(self) -> str: ...
        def losses_csv(self) -> str: ...
        def enterprises_csv(self) -> str: ...
        def paths_csv(self) -> str: ...
        def chokepoints_csv(self) -> str: ...
        def text_summary(self) -> str: ...
        def write_file(self, path: str, text: str) -> None: ...
        def _state(self) -> Dict[str, object]:
            """The simulation result as numpy arrays and numbers (pickling; restore() reverses it)."""
    @staticmethod
    def restore(data: bytes, *, file: str, state: Dict[str, object]) -> "results.Result":
        """The Result whose _state() this is, given the serialised scenario it was run on."""

class simulation:
    @staticmethod
    def default_threads() -> int: ...
    @staticmethod
    def startable_threads(wanted: int) -> int: ...
    @staticmethod
    def run(data: bytes, *, file: str, trials: int, seed: int, threads: int, horizon: Optional[float],
            no_horizon: bool, target_rse: float, inherent: bool,
            progress: Optional[Callable[[int, int], None]] = None, poll_interval: float = 0.1) -> results.Result:
        """Runs with the GIL released; Ctrl-C returns the partial result (Result.partial)."""

class portfolio:
    max_exact_candidates: int
    default_frontier_points: int
    @staticmethod
    def optimise(data: bytes, *, file: str, budget: float, candidates: List[str], method: str, goal: str,
                 frontier: int,
                 trials: int, seed: int, threads: int, progress: Optional[Callable[[int], None]] = None,
                 poll_interval: float = 0.1) -> Dict[str, object]:
        """Runs the portfolio search with the GIL released; Ctrl-C raises KeyboardInterrupt.

        The dict holds method, goal, budget, trials, seed, horizon, annual, candidates, candidate_cost,
        total_cost, chosen, cost, loss / none / all / reduction / greedy_loss ({mean, stderr}),
        greedy, marginal and frontier (lists of dicts), simulations, none_pays and
        costs_more_than_removes (None unless annual), warnings, and the documents json,
        frontier_csv and text."""

class compare:
    as_is: str
    supplier_rule: str
    @staticmethod
    def compare(scenarios: List[Tuple[str, str, bytes]], *, baselines: List[str], threat: Optional[str],
                trials: int, seed: int, threads: int, progress: Optional[Callable[[int, int], None]] = None,
                poll_interval: float = 0.1) -> Dict[str, str]:
        """Runs every (label, file, data) under every baseline variant with the GIL released; Ctrl-C raises
        KeyboardInterrupt. Returns the documents json (compare.json), csv, text and svg."""
    @staticmethod
    def labels(names: List[str], files: List[str]) -> List[str]: ...
    @staticmethod
    def apply_supplier_rule(data: bytes) -> Tuple[bytes, List[Dict[str, object]]]:
        """(scenario, decisions: enterprise, baseline, previous_baseline, customers, reasons)."""
    @staticmethod
    def assign_baseline(data: bytes, baseline: str, scope: str, enterprises: List[str]) -> Tuple[bytes, int]: ...

class self_assessment:
    @staticmethod
    def import_file(answers: str, mapping: Optional[str] = None, into_bytes: Optional[bytes] = None,
                    into_path: Optional[str] = None, strict: bool = False, max_file_bytes: int = ...
                    ) -> Tuple[str, Optional[bytes], List[Tuple], Dict[str, object]]:
        """(status 'ok' | 'invalid' | 'io_error', the scenario's bytes or None, diagnostics, the report)."""

class graphml:
    @staticmethod
    def import_file(graph: str, mapping: Optional[str] = None, into_bytes: Optional[bytes] = None,
                    into_path: Optional[str] = None, max_file_bytes: int = ...
                    ) -> Tuple[str, Optional[bytes], List[Tuple], Dict[str, int]]:
        """(status 'ok' | 'invalid' | 'io_error', the validated scenario's bytes or None, diagnostics,
        {nodes, edges, enterprises_made})."""
    @staticmethod
    def export(data: bytes) -> Tuple[str, List[str]]:
        """(the scenario's graph as GraphML text, problems)."""
class cyclonedx:
    @staticmethod
    def import_file(path: str, into_bytes: Optional[bytes] = None, into_path: Optional[str] = None,
                    product: Optional[str] = None, max_file_bytes: int = ...
                    ) -> Tuple[str, Optional[bytes], List[Tuple], Dict[str, object]]:
        """(status 'ok' | 'invalid' | 'io_error', the validated scenario's bytes or None, diagnostics, the counts)."""

class report:
    @staticmethod
    def report_html(results: str = "", compare: str = "", optimise: str = "") -> str:
        """The self-contained HTML page of the documents' JSON texts (any, not none); ValueError for a bad one."""

class inventory:
    files: List[str]
    @staticmethod
    def import_folder(folder: str, max_file_bytes: int = ...) -> Tuple[str, Optional[bytes], List[Tuple]]:
        """(status 'ok' | 'invalid' | 'io_error', the validated scenario's bytes or None, diagnostics)."""
    @staticmethod
    def import_texts(files: List[Tuple[str, str, str]], name: str = "<frames>"
                     ) -> Tuple[str, Optional[bytes], List[Tuple]]:
        """(file, name in diagnostics, CSV text) triples → (status, bytes or None, diagnostics)."""
    @staticmethod
    def export(data: bytes) -> Tuple[List[Tuple[str, str]], List[str]]:
        """([(file name, CSV text)], what the CSV form cannot carry)."""
