"""Exact stability verdicts (``schur_cohn_stable_many``) of many float64 channels against
``numpy.roots`` and the exact sympy Schur-Cohn recursion it replaced.

Usage: python benchmarks/bench_schur_cohn.py [--channels 465] [--degree 64] [--repeat 3]
       [--sympy-rows 3]

Channels: real polynomials of the given degree whose roots are drawn in disks of radius
0.5, 0.9, 0.99, 0.999, 1.001, 1.05 in turn (float64 coefficients, a mix of stable and
unstable, a third within 1e-3 of the circle). numpy.roots (max |root| < 1, not exact) and
schur_cohn_stable_many alternate on all channels; the old sympy recursion runs on the first
``--sympy-rows`` rows only (seconds per row printed, times the channels for the full set).
Verdicts are compared with the exact integer recursion on every channel and with sympy
on its rows. Goal: 465 channels of degree 64 in <= 2 s.
"""

from __future__ import annotations

import argparse
import time
from fractions import Fraction

import numpy as np
import sympy as sp
import torch
from _timing import alternate, environment_line, print_table

from hippo_verify.symbolic import _stability as S
from hippo_verify.symbolic._stability import schur_cohn_stable_many


def channels(count: int, degree: int) -> np.ndarray:
    rng = np.random.default_rng(1)
    radii = [0.5, 0.9, 0.99, 0.999, 1.001, 1.05]
    rows = []
    for i in range(count):
        r = radii[i % len(radii)] * np.sqrt(rng.uniform(0, 1, degree // 2))
        z = r * np.exp(1j * rng.uniform(0, np.pi, degree // 2))
        rows.append(np.real(np.poly(np.concatenate([z, z.conj()])))[1:])
    return np.array(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=465)
    parser.add_argument("--degree", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sympy-rows", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = channels(args.channels, args.degree)

    def roots():
        return [bool(np.max(np.abs(np.roots(np.r_[1.0, a]))) < 1) for a in rows]

    def verdicts():
        return [v.stable for v in schur_cohn_stable_many(rows)]

    print(environment_line())
    times = alternate({"numpy.roots": roots, "schur_cohn_stable_many": verdicts}, args.repeat)
    print_table(f"{args.channels} channels, degree {args.degree}", times, "numpy.roots")
    fast = verdicts()
    exact = [S._exact_real_recursion([Fraction(v) for v in a])[1] is None for a in rows]
    inclusion = S._root_inclusion([[Fraction(v) for v in a] for a in rows])
    print(
        f"\nexact verdicts equal: {fast == exact} ({sum(exact)} stable of {len(exact)}); "
        f"numpy.roots differs on {sum(x != y for x, y in zip(roots(), exact))}; "
        f"root inclusion left {sum(v is None for v in inclusion)} to the fixed-point and "
        "exact recursions"
    )
    start = time.perf_counter()
    old = []
    for a in rows[: args.sympy_rows]:
        coeffs = [sp.Rational(Fraction(v)) for v in a]
        old.append(S._sympy_recursion(coeffs, len(coeffs))[1] is None)
    per_row = (time.perf_counter() - start) / max(args.sympy_rows, 1)
    print(
        f"old sympy recursion: {per_row:.2f} s per row ({per_row * len(rows):.0f} s for all "
        f"{len(rows)}, extrapolated); its verdicts equal: {old == fast[: args.sympy_rows]}"
    )


if __name__ == "__main__":
    main()
