"""Precision sweeps: every algorithm x dtype over a grid of L, N, dt and stability margin.

``run_sweep(load_grid("quick"), "out")`` (or ``hippo-verify sweep --grid quick``) measures
each registered kernel (``hippo_verify.testing.ALGORITHMS``) at every grid point against
its certified oracle and writes ``sweep.json``, ``sweep.md`` and PNG figures. Oracle
results are cached on disk as JSON (``OracleCache``); points run serially, in a process
pool (``workers``) or on a Dask cluster (``dask``); a sweep resumes where it stopped.
"""

from ._cache import OracleCache as OracleCache
from ._cache import inputs_hash as inputs_hash
from ._cache import oracle_version as oracle_version
from ._engine import SweepInterrupted as SweepInterrupted
from ._engine import SweepResult as SweepResult
from ._engine import default_cache_dir as default_cache_dir
from ._engine import failures_of as failures_of
from ._engine import run_sweep as run_sweep
from ._grid import GRID_NAMES as GRID_NAMES
from ._grid import Grid as Grid
from ._grid import load_grid as load_grid
from ._grid import parse_grid as parse_grid
from ._inputs import build_inputs as build_inputs
from ._task import run_task as run_task

__all__ = [
    "GRID_NAMES",
    "Grid",
    "OracleCache",
    "SweepInterrupted",
    "SweepResult",
    "build_inputs",
    "default_cache_dir",
    "failures_of",
    "inputs_hash",
    "load_grid",
    "oracle_version",
    "parse_grid",
    "run_sweep",
    "run_task",
]
