"""Time the certified oracles against the naive mpmath baseline, side by side in one run.

Usage: python benchmarks/bench_oracles.py [--quick] [--digits 30]

Baselines are the obvious computation at the same number of digits, uncertified (one run
at 10 guard digits, which favours the baseline): the bilinear discretization with mpmath
matrices, then x <- Ab x for L steps (SSM); per-mode powers by repeated complex
multiplication (S4D); the recurrence h_k = b_{k+1} - sum a_i h_{k-i} (RTF). Where the
baseline would take minutes (LegS N = 256) it runs a prefix of the L steps and their time
is extrapolated linearly (the cost per step is constant; the one-off discretization is
timed in full), marked "(extrapolated)".
``--quick`` skips that case. Targets (2-core machine, 30 digits): LegS N = 64, L = 4096
<= 1 s and >= 10x the baseline; LegS N = 256, L = 16384 <= 15 s; S4D 64 modes, L = 4096
<= 1.5 s; RTF d = 64, L = 4096 <= 0.3 s.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable
from fractions import Fraction

import mpmath
import sympy as sp

from hippo_verify import hippo
from hippo_verify.oracles import diag_kernel, rtf_kernel, ssm_kernel

DT = Fraction(1, 100)


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def naive_ssm(A: sp.Matrix, B: sp.Matrix, L: int, steps: int, dps: int) -> float:
    """Seconds for the discretization plus L steps of x <- Ab x at dps digits; when
    steps < L only `steps` are run and their time is scaled by L / steps."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    n = A.rows
    start = time.perf_counter()
    Aw = ctx.matrix([[ctx.mpf(sp.N(A[i, j], dps)) for j in range(n)] for i in range(n)])
    Bw = ctx.matrix([ctx.mpf(sp.N(B[i], dps)) for i in range(n)])
    step = ctx.mpf(DT.numerator) / DT.denominator
    M = ctx.eye(n) - step / 2 * Aw
    M_inv = ctx.inverse(M)
    Ab = M_inv * (ctx.eye(n) + step / 2 * Aw)
    x = M_inv * (step * Bw)
    setup = time.perf_counter() - start
    kernel = []
    for _ in range(steps):
        kernel.append(ctx.fsum(x))
        x = Ab * x
    return setup + (time.perf_counter() - start - setup) * L / steps


def naive_s4d(lam: list[complex], L: int, dps: int) -> float:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    start = time.perf_counter()
    step = ctx.mpf(DT.numerator) / DT.denominator
    modes = [ctx.exp(step * ctx.mpc(v)) for v in lam]
    weights = [2 * ctx.expm1(step * ctx.mpc(v)) / ctx.mpc(v) for v in lam]
    powers = [ctx.mpc(1)] * len(lam)
    for _ in range(L):
        ctx.fsum(w * p for w, p in zip(weights, powers)).real
        powers = [p * m for p, m in zip(powers, modes)]
    return time.perf_counter() - start


def naive_rtf(a: list[str], b: list[str], L: int, dps: int) -> float:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    start = time.perf_counter()
    aw, bw = [ctx.mpf(v) for v in a], [ctx.mpf(v) for v in b]
    h: list = []
    for k in range(L):
        acc = ctx.fsum(aw[i - 1] * h[k - i] for i in range(1, min(k, len(aw)) + 1))
        h.append((bw[k] if k < len(bw) else 0) - acc)
    return time.perf_counter() - start


def row(name: str, seconds: float, result, baseline: float, note: str = "") -> str:
    return (
        f"| {name} | {seconds:.3f} | {baseline:.2f}{note} | {baseline / seconds:.1f}x | "
        f"{result.digits} | {result.prec} | {result.method} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="skip LegS N = 256")
    parser.add_argument("--digits", type=int, default=30)
    args = parser.parse_args()
    digits, dps = args.digits, args.digits + 10
    backend = mpmath.libmp.BACKEND
    print(
        f"# oracle timings, {args.digits} certified digits ({platform.python_implementation()} "
        f"{platform.python_version()}, mpmath {mpmath.__version__} backend {backend})\n"
    )
    print("| case | oracle (s) | naive baseline (s) | speed-up | digits | prec (bits) | method |")
    print("|---|---|---|---|---|---|---|")
    sizes = [(64, 4096)] + ([] if args.quick else [(256, 16384)])
    for N, L in sizes:
        A, B = hippo("legs", N)
        C = [1] * N
        seconds, result = timed(lambda: ssm_kernel(A, B, C, L, dt=DT, digits=digits))
        steps = L if N <= 64 else 256
        baseline = naive_ssm(A, B, L, steps, dps)
        note = "" if steps == L else " (extrapolated)"
        print(row(f"LegS bilinear N={N}, L={L}", seconds, result, baseline, note))
    rng = random.Random(0)
    lam = [complex(-0.5, 3.14159 * n) for n in range(64)]
    seconds, result = timed(
        lambda: diag_kernel(
            [str(v.real) + f"+{v.imag}j" for v in lam],
            [1] * 64,
            [1] * 64,
            4096,
            dt=DT,
            digits=digits,
        )
    )
    print(row("S4D-Lin ZOH 64 modes, L=4096", seconds, result, naive_s4d(lam, 4096, dps)))
    a = [f"{rng.uniform(-1, 1) / 80:.6f}" for _ in range(64)]
    b = [f"{rng.uniform(-1, 1):.6f}" for _ in range(64)]
    baseline = naive_rtf(a, b, 4096, dps)
    for aliased in (True, False):
        seconds, result = timed(lambda: rtf_kernel(a, b, 4096, aliased=aliased, digits=digits))
        print(row(f"RTF d=64, L=4096, aliased={aliased}", seconds, result, baseline))


if __name__ == "__main__":
    main()
