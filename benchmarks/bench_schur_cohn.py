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
on its rows. Goal: 465 channels of degree 64 in <= 2 s. ``--mix rtf`` (trained-RTF-like
poles, radius 0.5 .. 0.999) and ``--mix s4d`` (S4D-Lin poles exp(dt (-1/2 + i pi n)))
time realistic denominators instead.

Measured (2-core machine shared with other jobs, torch threads 1, python-flint 0.9.0
installed; median of 3 alternating calls, 465 channels, degree 64):

| mix | command | load | numpy.roots | schur_cohn_stable_many | left to fixed point |
|---|---|---|---|---|---|
| benchmark | ``--sympy-rows 1`` | 2.75 | 0.44 s | 1.39 s (was 4.7-5.4 s) | 54 of 465 |
| rtf | ``--mix rtf --sympy-rows 0`` | 2.85 | 0.56 s | 1.29 s | 22 of 465 |
| s4d | ``--mix s4d --sympy-rows 0`` | 2.85 | 0.38 s | 1.42 s | 273 of 465 |

Without python-flint (``sys.modules['flint'] = None``, no Arb values) the benchmark mix
takes 1.53 s median of 3 (load 3.18). All verdicts equal the exact integer recursion.
The float64 coefficients of 13 rtf and 331 s4d channels are unstable although the
poles they were made from are not (clusters near the circle move under rounding);
numpy.roots gets 2 rtf verdicts wrong. Profile
(cProfile, benchmark mix): before, 1.0 s in Fraction comparisons of the float range test,
1.2 s in the fixed-point filter for 131 rows, 0.55 s in eigvals; after, 0.45 s in
the fixed-point filter (54 rows), 0.42 s eigvals, 0.11 s Arb values (python-flint, rows
the float test leaves), 0.07 s Aberth steps, 0.08 s inclusion tests, ~0.3 s sympy
Rationals for the verdicts' ``coefficients``.
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


def rtf_like(count: int, degree: int) -> np.ndarray:
    """Trained-RTF-like denominators: conjugate pole pairs of radius uniform in
    [0.5, 0.999] and angle uniform in [0, pi] (all stable)."""
    rng = np.random.default_rng(2)
    rows = []
    for _ in range(count):
        r = rng.uniform(0.5, 0.999, degree // 2)
        z = r * np.exp(1j * rng.uniform(0, np.pi, degree // 2))
        rows.append(np.real(np.poly(np.concatenate([z, z.conj()])))[1:])
    return np.array(rows)


def s4d_like(count: int, degree: int) -> np.ndarray:
    """S4D-Lin denominators: poles exp(dt (-1/2 + i pi n)), n < degree / 2, and their
    conjugates, dt log-uniform in [2e-3, 1e-1] (pole radius 0.95 .. 0.999). The poles
    cluster near z = 1, so the float64 coefficients of many such channels are unstable."""
    rng = np.random.default_rng(3)
    n = np.arange(degree // 2)
    rows = []
    for _ in range(count):
        dt = np.exp(rng.uniform(np.log(2e-3), np.log(1e-1)))
        z = np.exp(dt * (-0.5 + 1j * np.pi * n))
        rows.append(np.real(np.poly(np.concatenate([z, z.conj()])))[1:])
    return np.array(rows)


MIXES = {"benchmark": channels, "rtf": rtf_like, "s4d": s4d_like}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--channels", type=int, default=465)
    parser.add_argument("--degree", type=int, default=64)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sympy-rows", type=int, default=3)
    parser.add_argument("--mix", choices=sorted(MIXES), default="benchmark")
    args = parser.parse_args()
    torch.set_num_threads(1)
    rows = MIXES[args.mix](args.channels, args.degree)

    def roots():
        return [bool(np.max(np.abs(np.roots(np.r_[1.0, a]))) < 1) for a in rows]

    def verdicts():
        return [v.stable for v in schur_cohn_stable_many(rows)]

    print(environment_line())
    times = alternate({"numpy.roots": roots, "schur_cohn_stable_many": verdicts}, args.repeat)
    print_table(
        f"{args.channels} channels, degree {args.degree}, mix {args.mix}", times, "numpy.roots"
    )
    fast = verdicts()
    exact = [S._exact_real_recursion([Fraction(v) for v in a])[1] is None for a in rows]
    fractions = [[Fraction(v) for v in a] for a in rows]
    inclusion = S._root_inclusion(fractions)
    by_float = S._float_schur_cohn(fractions)
    left = sum(i is None and f is None for i, f in zip(inclusion, by_float))
    print(
        f"\nexact verdicts equal: {fast == exact} ({sum(exact)} stable of {len(exact)}); "
        f"numpy.roots differs on {sum(x != y for x, y in zip(roots(), exact))}; "
        f"root inclusion left {sum(v is None for v in inclusion)}, with the float recursion "
        f"{left} to the fixed-point and exact recursions"
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
