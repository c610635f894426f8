"""Time the precision sweep: cold and warm oracle cache, 1 vs 2 workers, pool vs Dask.

Usage: python benchmarks/bench_sweep.py [--grid default] [--rounds 1] [--no-dask]
       [--algorithms NAME ...]

Each round runs the same sweep (``hippo_verify.sweep.run_sweep``, torch 1 thread per task)
in alternation, every variant into a fresh output directory:

* ``pool-1-cold``: 1 worker (in this process), empty oracle cache;
* ``pool-2-cold``: a process pool of 2 workers, empty cache;
* ``dask-2-cold``: the same tasks on a Dask LocalCluster of 2 single-threaded worker
  processes started before the timing (as a user's running cluster is; needs the ``dask``
  extra, ``--no-dask`` skips it), empty cache;
* ``dask-local-2-cold``: ``--dask local``, the sweep starting its own LocalCluster (its
  start-up of about 4 s is inside the time);
* ``pool-2-warm``: 2 workers on the cache that ``pool-2-cold`` just filled (no oracle is
  computed: the kernels run and the oracles are read back).

It prints the table of times with the per-round ratios and the goals of issue 13: default
sweep cold with 2 workers <= 10 min, warm <= 30 s, 2 workers >= 1.7x faster than 1, Dask
within 1.3x of the pool. On a shared machine the load average is printed with the table:
compare ratios from one run, not times across runs. The CPU seconds (this process and
its joined worker processes) show the work done, which the load does not change.

Measured on an idle machine (default grid, 267 points, torch 2.13.0+cpu, 2 cores, load
1.1-2.3, 2 rounds): cold 1 worker 27.0 s, cold 2 workers 12.9 s (2.05 / 2.09 / 2.13x
faster), warm 2 workers 6.2 s, Dask on a running LocalCluster 14.4 s (1.07 / 1.11 / 1.16x
the pool), ``--dask local`` 18.4 s (1.41-1.44x: the cluster's start-up). Before the tasks
limited NumPy's OpenBLAS to their one thread, one worker ran at 1.16 cores (32.5 CPU-s in
28 s) and 2 workers vs 1 was 1.66x.
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _timing import environment_line, print_table, ratio_summary, round_ratios  # noqa: E402

from hippo_verify.sweep import load_grid, run_sweep  # noqa: E402


def _variants(dask: bool) -> dict[str, dict]:
    variants = {
        "pool-1-cold": {"workers": 1, "cache": "cold-1"},
        "pool-2-cold": {"workers": 2, "cache": "cold-2"},
        "pool-2-warm": {"workers": 2, "cache": "cold-2"},  # right after pool-2-cold
    }
    if dask:
        # on a LocalCluster already running (as a user's cluster is), and one started by
        # the sweep itself (--dask local: its start-up is inside the time)
        variants["dask-2-cold"] = {"workers": 2, "dask": "running", "cache": "cold-dask"}
        variants["dask-local-2-cold"] = {"workers": 2, "dask": "local", "cache": "cold-dask2"}
    return variants


@contextlib.contextmanager
def _cluster(wanted: bool):
    """The scheduler address of a LocalCluster of 2 single-threaded worker processes (the
    sweep's own ``--dask local`` settings), started before any timing; None if not wanted."""
    if not wanted:
        yield None
        return
    import distributed

    started = time.perf_counter()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        print(f"LocalCluster started in {time.perf_counter() - started:.1f} s (not timed)")
        yield cluster.scheduler_address


def _cpu_seconds() -> float:
    """User + system CPU time of this process and of its finished child processes (the
    pool's and the LocalCluster's workers, once they are joined)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _one_round(
    grid, variants: dict[str, dict], scratch: Path, cluster: str | None
) -> dict[str, float]:
    for name in {v["cache"] for v in variants.values()}:
        shutil.rmtree(scratch / name, ignore_errors=True)  # every round starts cold
    seconds = {}
    for name, options in variants.items():
        out = scratch / f"out-{name}"
        shutil.rmtree(out, ignore_errors=True)
        started, cpu = time.perf_counter(), _cpu_seconds()
        result = run_sweep(
            grid,
            out,
            workers=options["workers"],
            dask=cluster if options.get("dask") == "running" else options.get("dask"),
            cache_dir=scratch / options["cache"],
            progress_bar=False,
            plots=False,
        )
        seconds[name] = time.perf_counter() - started
        info = result.document["provenance"]
        print(
            f"  {name}: {seconds[name]:.1f} s wall, {_cpu_seconds() - cpu:.1f} s CPU, "
            f"{result.total} points, oracle cache "
            f"{info['oracle_cache_hits']} hits / {info['oracle_cache_misses']} misses, "
            f"{environment_line()}",
            flush=True,
        )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", default="default")
    parser.add_argument("--algorithms", nargs="+")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(1)
    grid = load_grid(args.grid).select(args.algorithms)
    variants = _variants(not args.no_dask)
    times: dict[str, list[float]] = {name: [] for name in variants}
    print(f"grid {args.grid}: {environment_line()}")
    with (
        tempfile.TemporaryDirectory(prefix="bench-sweep-") as scratch,
        _cluster(not args.no_dask) as cluster,
    ):
        for index in range(args.rounds):
            print(f"round {index + 1}/{args.rounds}", flush=True)
            for name, value in _one_round(grid, variants, Path(scratch), cluster).items():
                times[name].append(value)
    print_table(f"sweep {args.grid} ({environment_line()})", times, "pool-1-cold")
    median = {name: statistics.median(ts) for name, ts in times.items()}
    speedup = [1 / r for r in round_ratios(times, "pool-2-cold", "pool-1-cold")]
    print(f"\ncold, 2 workers: {median['pool-2-cold']:.0f} s (goal <= 600 s)")
    print(f"warm, 2 workers: {median['pool-2-warm']:.1f} s (goal <= 30 s)")
    print(f"2 workers vs 1 (cold): {ratio_summary(speedup)} x faster (goal >= 1.7)")
    if "dask-2-cold" in times:
        ratio = round_ratios(times, "dask-2-cold", "pool-2-cold")
        print(f"Dask on a running LocalCluster / pool (cold): {ratio_summary(ratio)} (goal <= 1.3)")
        ratio = round_ratios(times, "dask-local-2-cold", "pool-2-cold")
        print(f"Dask --dask local (cluster start-up timed) / pool (cold): {ratio_summary(ratio)}")


if __name__ == "__main__":
    main()
