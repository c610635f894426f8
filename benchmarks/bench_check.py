"""Time ``check_kernel`` with its defaults (two dtypes, default examples) per algorithm.

Usage: python benchmarks/bench_check.py [--examples N] [--algorithm NAME ...]

The target (issue: grade anyone's kernel): a default check of one algorithm takes at most
60 s on a 2-core machine for the dense, diagonal, RTF and H3 algorithms. The graded
function is the project's own kernel (a passing run: no shrinking). Wall-clock seconds,
one run each, on this machine as it is (shared: rerun when it matters).
"""

from __future__ import annotations

import argparse
import functools
import platform
import time

import torch

from hippo_verify.testing import ALGORITHMS
from hippo_verify.testing.grader import DEFAULT_EXAMPLES, check_kernel

#: One algorithm per family the target names (dense, diagonal, RTF, H3), then the rest.
FAMILIES = ("ssm-doubling", "scan-sequential", "vandermonde", "dplr-woodbury", "rtf-fft", "h3-conv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=DEFAULT_EXAMPLES)
    parser.add_argument("--algorithm", action="append", help="default: one per family")
    args = parser.parse_args()
    names = args.algorithm or list(FAMILIES)
    print(
        f"# check_kernel, {args.examples} examples x 2 dtypes (torch {torch.__version__}, "
        f"{platform.machine()}, {torch.get_num_threads()} threads)\n"
    )
    print("| algorithm | seconds | verdict | examples judged (float64, float32) |")
    print("|---|---|---|---|")
    for name in names:
        record = ALGORITHMS[name]
        started = time.perf_counter()
        kernel = functools.partial(record.kernel, **record.options)  # e.g. mode="chunked"
        verdict = check_kernel(kernel, name, examples=args.examples)
        seconds = time.perf_counter() - started
        counts = ", ".join(str(d.examples) for d in verdict.dtypes)
        print(f"| {name} | {seconds:.1f} | {'pass' if verdict else 'FAIL'} | {counts} |")


if __name__ == "__main__":
    main()
