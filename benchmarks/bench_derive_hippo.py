"""Time ``derive_hippo(measure, N)`` for N = 8, 16, 32 and every measure.

Usage: python benchmarks/bench_derive_hippo.py [--repeat R] [--sizes 8 16 32]

sympy's cache is cleared before every run, so each time is a cold derivation. Reports the
minimum and median over R runs; shared machines are noisy, so compare numbers from one run.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time

from sympy.core.cache import clear_cache

from hippo_verify.symbolic import HIPPO_MEASURES, derive_hippo


def time_derivation(measure: str, N: int, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        clear_cache()
        start = time.perf_counter()
        derive_hippo(measure, N)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[8, 16, 32])
    args = parser.parse_args()
    print(
        f"# derive_hippo timings ({platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}, repeat={args.repeat})\n"
    )
    print("| measure | " + " | ".join(f"N={n} min / median (s)" for n in args.sizes) + " |")
    print("|---|" + "---|" * len(args.sizes))
    for measure in HIPPO_MEASURES:
        cells = []
        for N in args.sizes:
            times = time_derivation(measure, N, args.repeat)
            cells.append(f"{min(times):.3f} / {statistics.median(times):.3f}")
        print(f"| {measure} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
