"""``hippo-verify sweep``: precision sweeps over a grid (``hippo_verify.sweep``).

Exit codes: 0 every measured point inside its bound, 1 a point outside its bound (or a
kernel that raised unexpectedly, or the sweep was interrupted: re-run to resume), 2 bad
usage (unknown algorithm or dtype, a bad grid file, a missing extra), before any work.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from .._errors import InvalidArgumentError

__all__ = ["add_parser", "run"]

DTYPE_NAMES = ("float64", "float32", "bfloat16", "float16")


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``sweep`` subcommand to ``commands``."""
    sweep = commands.add_parser(
        "sweep",
        help="precision sweep: every algorithm x dtype over a grid of L, N, dt and stability "
        "margin against the certified oracles (sweep.json, sweep.md, PNG plots)",
        description="Measure every registered kernel in each dtype over a grid of lengths, "
        "state sizes, steps and stability margins against its certified oracle. Writes "
        "OUT/results.jsonl as points finish (a re-run resumes), then OUT/sweep.json, "
        "OUT/sweep.md and PNG figures. Oracle results are cached on disk as JSON.",
    )
    sweep.add_argument(
        "--grid",
        default="default",
        metavar="quick|default|full|FILE.toml",
        help="a named grid or a TOML grid file (default: default)",
    )
    sweep.add_argument(
        "--algorithms", nargs="+", metavar="NAME", help="only these algorithms of the grid"
    )
    sweep.add_argument(
        "--dtypes", nargs="+", metavar="DTYPE", help=f"only these dtypes ({', '.join(DTYPE_NAMES)})"
    )
    sweep.add_argument(
        "--out", type=Path, default=Path("sweep"), help="output directory (default: sweep)"
    )
    sweep.add_argument(
        "--workers", type=int, default=1, help="local worker processes (default: 1, in-process)"
    )
    sweep.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="run on the Dask scheduler at ADDRESS (tcp://host:port), or 'local' for a "
        "LocalCluster of --workers processes (needs pip install 'hippo-verify[dask]')",
    )
    sweep.add_argument(
        "--cache",
        type=Path,
        help="oracle cache directory (default: $HIPPO_VERIFY_CACHE or "
        "~/.cache/hippo-verify/oracles)",
    )
    sweep.add_argument("--no-cache", action="store_true", help="compute every oracle, cache none")
    sweep.add_argument(
        "--threads", type=int, default=1, help="torch threads per point (default: 1)"
    )
    sweep.add_argument(
        "--fresh", action="store_true", help="start over instead of resuming OUT/results.jsonl"
    )
    sweep.add_argument("--no-plots", action="store_true", help="write no figures")
    sweep.add_argument(
        "--no-progress", action="store_true", help="no progress bar (points done / total / ETA)"
    )


def run(args: argparse.Namespace, progress: Callable[[str], None]) -> int:
    """Validate everything, run the sweep, report failures (exit 1) or success (0)."""
    from ..sweep import SweepInterrupted, load_grid, run_sweep

    if args.workers < 1:
        raise InvalidArgumentError(f"--workers must be >= 1, got {args.workers}")
    if args.threads < 1:
        raise InvalidArgumentError(f"--threads must be >= 1, got {args.threads}")
    if args.workers > 4 * (os.cpu_count() or 1) and args.dask is None:
        raise InvalidArgumentError(
            f"--workers {args.workers} is more than 4x the {os.cpu_count()} CPUs here"
        )
    for name in args.dtypes or ():
        if name not in DTYPE_NAMES:
            raise InvalidArgumentError(
                f"--dtypes: unknown dtype {name!r}; expected one of {', '.join(DTYPE_NAMES)}"
            )
    grid = load_grid(args.grid).select(args.algorithms, args.dtypes)
    try:
        result = run_sweep(
            grid,
            args.out,
            workers=args.workers,
            dask=args.dask,
            cache_dir=args.cache,
            use_cache=not args.no_cache,
            threads=args.threads,
            fresh=args.fresh,
            progress_bar=not args.no_progress,
            plots=not args.no_plots,
        )
    except SweepInterrupted as stopped:
        print(f"hippo-verify: {stopped}", file=sys.stderr)
        return 1
    info = result.document["provenance"]
    print(
        f"sweep {grid.name}: {result.total} points ({result.computed} computed, "
        f"{result.resumed} resumed; oracle cache {info['oracle_cache_hits']} hits, "
        f"{info['oracle_cache_misses']} misses) in {result.seconds:.1f} s; "
        f"wrote {len(result.written)} files under {args.out}"
    )
    for failure in result.failures:
        print(f"hippo-verify: check failed: sweep {failure}", file=sys.stderr)
    return 1 if result.failures else 0
