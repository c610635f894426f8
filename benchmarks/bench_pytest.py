"""Wall time of the default test run (`pytest` as README runs it), N times.

Usage (from the repository root, in the dev environment)::

    python benchmarks/bench_pytest.py              # 3 runs of plain `pytest`
    python benchmarks/bench_pytest.py --runs 1 -- tests/symbolic   # extra pytest arguments

Prints each run's wall time, the CPU seconds of the run (all its processes: the xdist
workers included, so this number is the one to compare across loads), and the 1-minute
load average before and after it; then min / median / max of the wall times and the 20
slowest tests of the last run (pytest's ``--durations``, wall clock per test). The goal of
the default run is <= 90 s on an idle 2-core machine: on a loaded machine compare CPU
seconds, or wall times measured at similar load.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import environment_line  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DURATION_LINE = re.compile(r"^\d+\.\d+s (call|setup|teardown) ")


def load() -> float:
    return os.getloadavg()[0]


def run_once(extra: list[str], durations: int) -> tuple[float, float, int, str]:
    """(wall seconds, CPU seconds of the children, exit code, output) of one pytest run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = [sys.executable, "-m", "pytest", "-q", f"--durations={durations}", *extra]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done.returncode, done.stdout + done.stderr


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="number of runs (default 3)")
    parser.add_argument("--slowest", type=int, default=20, help="slowest tests to list")
    parser.add_argument("pytest_args", nargs="*", help="extra pytest arguments (after --)")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be >= 1")

    print(environment_line())
    walls, output = [], ""
    for index in range(1, args.runs + 1):
        load_before = load()
        wall, cpu, code, output = run_once(args.pytest_args, args.slowest)
        walls.append(wall)
        summary = output.strip().splitlines()[-1] if output.strip() else ""
        print(
            f"run {index}: {wall:7.1f} s wall, {cpu:7.1f} s CPU, load {load_before:.2f} -> "
            f"{load():.2f}, exit {code}: {summary}",
            flush=True,
        )
        if code != 0:
            print(output[-4000:])
            return code
    print(
        f"wall time over {len(walls)} runs: min {min(walls):.1f} s, median "
        f"{statistics.median(walls):.1f} s, max {max(walls):.1f} s"
    )
    print(f"slowest {args.slowest} tests of the last run:")
    for line in output.splitlines():
        if DURATION_LINE.match(line):
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
