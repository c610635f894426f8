"""The sweep engine: tasks of a grid, resumable results, the outputs.

``run_sweep`` lists the grid's tasks (``_grid.task_list``), skips those already in
``OUT/results.jsonl`` from an earlier run of the same sweep, runs the rest (serially, in a
process pool or on Dask, ``_executors``) and appends each record to ``results.jsonl`` as
it arrives (one JSON line, flushed): a sweep that is interrupted or whose worker dies loses
no finished point, and running it again resumes. When every point is done it writes
``sweep.json`` (every point, with provenance), ``sweep.md`` and the figures (``_plots``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import torch

from .. import __version__
from .._errors import HippoVerifyError, InvalidArgumentError
from ..testing import ALGORITHMS
from ._cache import canonical_json, oracle_version
from ._executors import _distributed, dask_records, pool_records, serial_records
from ._grid import Grid, task_list

__all__ = ["SWEEP_SCHEMA", "SweepInterrupted", "SweepResult", "default_cache_dir", "run_sweep"]

SWEEP_SCHEMA = 1
RESULTS = "results.jsonl"


class SweepInterrupted(HippoVerifyError):
    """The sweep stopped before every point was done; its finished points are saved and a
    re-run of the same command resumes."""


@dataclass
class SweepResult:
    """What a sweep did.

    Attributes:
        written: the output files.
        total: points in the grid; computed: points run now; resumed: points found done.
        failures: one line per row outside its bound or raising unexpectedly.
        seconds: wall time of this run.
    """

    written: list[Path]
    total: int
    computed: int
    resumed: int
    failures: list[str]
    seconds: float
    document: dict


def default_cache_dir() -> Path:
    """``$HIPPO_VERIFY_CACHE``, else ``$XDG_CACHE_HOME/hippo-verify/oracles`` (default
    ``~/.cache/hippo-verify/oracles``)."""
    if os.environ.get("HIPPO_VERIFY_CACHE"):
        return Path(os.environ["HIPPO_VERIFY_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "hippo-verify" / "oracles"


@functools.lru_cache(maxsize=1)
def code_version() -> str:
    """SHA-256 of the package's sources: a resumed sweep only reuses points measured by
    the same code."""
    root = Path(__file__).parent.parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\n" + path.read_bytes())
    return digest.hexdigest()


def read_results(path: Path) -> dict[str, dict]:
    """The records of ``results.jsonl`` by task id; a line that is not a whole JSON record
    (e.g. cut by a kill mid-write) is skipped: its point is run again."""
    records: dict[str, dict] = {}
    if not path.exists():
        return records
    with path.open(encoding="utf-8") as stream:
        for line in stream:
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if isinstance(record, dict) and isinstance(record.get("id"), str) and "rows" in record:
                records[record["id"]] = record
    return records


def _end_line(path: Path) -> None:
    """End a last line cut by a kill mid-write, so the next record starts a line of its own."""
    if path.exists() and path.stat().st_size:
        with path.open("rb+") as stream:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":
                stream.write(b"\n")


def _cost(task: dict) -> float:
    """A rough relative cost of a task (its oracle dominates): L N^1.5."""
    params = task["params"]
    return params.get("L", 256) * params.get("N", 8) ** 1.5


def schedule(tasks: list[dict]) -> list[dict]:
    """The order to run ``tasks`` in: first one task per distinct oracle (same oracle
    family and parameters, hence the same inputs), costliest first so that no long task
    is left for the end; then the tasks that reuse an oracle, which by then is cached
    (run next to each other, two workers would both compute it)."""
    seen, first, reusing = set(), [], []
    for task in tasks:
        family = ALGORITHMS[task["algorithm"]].oracle.__name__
        key = (family, canonical_json(task["params"]))
        (reusing if key in seen else first).append(task)
        seen.add(key)
    return sorted(first, key=_cost, reverse=True) + sorted(reusing, key=_cost, reverse=True)


def _records(tasks: list[dict], workers: int, dask: str | None) -> Iterator[dict]:
    if dask is not None:
        return dask_records(tasks, dask, workers)
    if workers > 1 and len(tasks) > 1:
        return pool_records(tasks, min(workers, len(tasks)))
    return serial_records(tasks)


def _executor_name(workers: int, dask: str | None) -> str:
    if dask is not None:
        return f"dask {dask}" + (f" ({workers} workers)" if dask == "local" else "")
    return f"process pool ({workers} workers)" if workers > 1 else "serial (this process)"


def _progress_bar(total: int, initial: int, enabled: bool) -> Any:
    from tqdm import tqdm

    return tqdm(
        total=total,
        initial=initial,
        unit="point",
        desc="sweep",
        file=sys.stderr,
        disable=not enabled,
        dynamic_ncols=True,
    )


def failures_of(points: list[dict]) -> list[str]:
    """Rows outside their bound (or with NaN/inf taps) and rows whose kernel raised
    unexpectedly: the sweep's failed checks."""
    lines = []
    for point in points:
        where = f"{point['algorithm']} {_params_text(point['params'])}"
        for row in point["rows"]:
            if row["status"] == "FAIL":
                lines.append(
                    f"{where} {row['dtype']}: FAIL, error {row.get('max_relative_error')} > "
                    f"bound {row.get('bound')} ({row.get('nonfinite_taps', 0)} NaN/inf taps)"
                )
            elif row["status"] in ("error", "oracle-error"):
                lines.append(f"{where} {row['dtype']}: {row['status']}: {row.get('error')}")
    return lines


def _params_text(params: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in params.items())


def provenance(grid: Grid, executor: str, cache: Path | None, threads: int) -> dict:
    """Versions, machine and settings of this run (the non-deterministic part)."""
    return {
        "hippo_verify": __version__,
        "code_sha256": code_version(),
        "oracle_version": oracle_version(),
        "grid_sha256": grid.sha256,
        "oracle_digits": grid.digits,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "mpmath": mpmath.__version__,
        "mpmath_backend": mpmath.libmp.BACKEND,
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average": [round(v, 2) for v in os.getloadavg()]
        if hasattr(os, "getloadavg")
        else None,
        "executor": executor,
        "torch_threads_per_task": threads,
        "cache": str(cache) if cache else None,
    }


def run_sweep(
    grid: Grid,
    out_dir: Path | str,
    *,
    workers: int = 1,
    dask: str | None = None,
    cache_dir: Path | str | None = None,
    use_cache: bool = True,
    threads: int = 1,
    fresh: bool = False,
    progress_bar: bool = True,
    plots: bool = True,
    on_record: Callable[[dict], None] | None = None,
) -> SweepResult:
    """Run ``grid`` and write its outputs under ``out_dir``.

    Arguments:
        grid: a validated grid (``load_grid``).
        out_dir: output directory: ``results.jsonl`` (appended as points finish),
            ``sweep.json``, ``sweep.md`` and the PNG figures.
        workers: processes of the local pool (1: in this process); with ``dask="local"``
            the LocalCluster's worker processes.
        dask: address of a Dask scheduler (``tcp://host:port``), or ``"local"``.
        cache_dir: oracle cache directory (default ``default_cache_dir()``).
        use_cache: False computes every oracle and writes no cache.
        threads: torch threads per task.
        fresh: ignore (and truncate) the results of earlier runs instead of resuming.
        progress_bar: show points done / total / ETA on stderr.
        plots: write the figures (matplotlib).
        on_record: called with each new record after it is saved.

    Returns:
        A ``SweepResult``.

    Raises:
        InvalidArgumentError: bad arguments (before any work).
        SweepInterrupted: a worker died or the run was interrupted; finished points are
            saved in ``results.jsonl``.
    """
    if not isinstance(workers, int) or isinstance(workers, bool) or workers < 1:
        raise InvalidArgumentError(f"workers must be a positive integer, got {workers!r}")
    if not isinstance(threads, int) or isinstance(threads, bool) or threads < 1:
        raise InvalidArgumentError(f"threads must be a positive integer, got {threads!r}")
    if dask is not None and (not isinstance(dask, str) or not dask):
        raise InvalidArgumentError("dask: give a scheduler address (tcp://host:port) or 'local'")
    if dask is not None:
        _distributed()  # the extra is installed, or say so before any work
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InvalidArgumentError(f"--out must be a directory, got {out_dir}")
    cache = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    cache = cache if use_cache else None
    started = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    results = out_dir / RESULTS
    if fresh:
        results.write_text("", encoding="utf-8")
    _end_line(results)
    tasks = task_list(grid, str(cache) if cache else None, threads, code_version())
    wanted = {task["id"] for task in tasks}
    done = {i: r for i, r in read_results(results).items() if i in wanted}
    pending = schedule([task for task in tasks if task["id"] not in done])
    bar = _progress_bar(len(tasks), len(done), progress_bar)
    computed = []
    try:
        with results.open("a", encoding="utf-8") as stream:
            if pending:
                for record in _records(pending, workers, dask):
                    stream.write(json.dumps(record, allow_nan=False) + "\n")
                    stream.flush()
                    done[record["id"]] = record
                    computed.append(record)
                    bar.update(1)
                    if on_record is not None:
                        on_record(record)
    except (KeyboardInterrupt, Exception) as stop:
        if isinstance(stop, HippoVerifyError):
            raise
        raise SweepInterrupted(
            f"sweep stopped after {len(done)} of {len(tasks)} points ({type(stop).__name__}: "
            f"{stop}); the finished points are in {results}: run the same command again to "
            "resume"
        ) from stop
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    points = [done[task["id"]] for task in tasks]
    info = provenance(grid, _executor_name(workers, dask), cache, threads)
    info.update(
        points_computed=len(computed),
        points_resumed=len(tasks) - len(computed),
        oracle_cache_hits=sum(r.get("oracle", {}).get("cache") == "hit" for r in computed),
        oracle_cache_misses=sum(r.get("oracle", {}).get("cache") == "miss" for r in computed),
        seconds=round(seconds, 1),
    )
    document = _document(grid, points, info)
    written = _write_outputs(out_dir, document, plots)
    return SweepResult(
        written,
        len(tasks),
        len(computed),
        len(tasks) - len(computed),
        failures_of(points),
        seconds,
        document,
    )


def _document(grid: Grid, points: list[dict], info: dict) -> dict:
    statuses: dict[str, int] = {}
    for point in points:
        for row in point["rows"]:
            statuses[row["status"]] = statuses.get(row["status"], 0) + 1
    return {
        "schema": SWEEP_SCHEMA,
        "description": "kernel x dtype errors against certified oracles over a grid "
        "(see sweep.md); digits is null when the kernel is exact",
        "grid": {
            "name": grid.name,
            "description": grid.description,
            "sha256": grid.sha256,
            "digits": grid.digits,
            "dtypes": list(grid.dtypes),
            "notes": list(grid.notes),
            "algorithms": {
                name: {
                    "base": dict(g.base),
                    "axes": {a: list(v) for a, v in g.axes.items()},
                    "dtypes": list(g.dtypes),
                }
                for name, g in grid.algorithms.items()
            },
        },
        "provenance": info,
        "counts": {"points": len(points), "rows": sum(statuses.values()), **statuses},
        "points": points,
    }


def _write_outputs(out_dir: Path, document: dict, plots: bool) -> list[Path]:
    from ._markdown import markdown
    from ._plots import write_figures

    figures = write_figures(document, out_dir) if plots else []
    json_path, md_path = out_dir / "sweep.json", out_dir / "sweep.md"
    json_path.write_text(json.dumps(document, indent=1, allow_nan=False) + "\n", encoding="utf-8")
    md_path.write_text(markdown(document, [f.name for f in figures]), encoding="utf-8")
    return [json_path, md_path, *figures]
