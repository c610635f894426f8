"""Time the certified LegS oracle (triangular-eigen route) against the anchors, side by side.

Usage: python benchmarks/bench_oracle_legs.py [--N 256] [--L 16384] [--repeat 2] [--digits 30]
       [--naive-steps 8] [--no-naive] [--threads 1]

System: HiPPO-LegS, A and B from ``hippo("legs", N)`` (sympy radicals, as a user passes
them), C = 1, dt = 1/100, bilinear; K_k = C Ab^k Bb for k < L.

Variants (alternating, one call of each per round, ``benchmarks/_timing.py``):

* ``oracle``: ``hippo_verify.oracles.ssm_kernel`` on the sympy matrices (certified
  ``--digits``), the call a user makes;
* ``oracle, exact inputs``: the same on inputs converted from sympy once beforehand (what
  the sympy conversion of the package wrapper costs is the difference);
* ``arb``: ``arb_ssm_kernel`` (ball arithmetic, rigorous) at 160 bits, the least multiple
  of 32 bits that certifies >= 30 digits here.

Anchor run once after the rounds (not alternated; its full run takes minutes): the naive
mpmath loop a user writes (mpmath matrices at digits + 10 decimal digits, Ab = (I - dt/2
A)^-1 (I + dt/2 A), x <- Ab x), with ``--naive-steps`` steps timed and scaled by L / steps
(the discretization timed in full): "(extrapolated)".

Goal (issue 15): the oracle <= 5 s at N = 256, L = 16384 on the 2-core development machine.

Measured (2-core machine shared with other jobs, load average 4-5, --repeat 3, median s):
oracle 4.30 (min 4.27, max 7.28), oracle on pre-converted inputs 4.56 (noise: min 3.74),
arb 7.14; naive loop (one earlier run) 2017 s extrapolated. 40 certified digits at 810
bits (pair 778/810 after a 132-bit probe), inside the Arb balls (35 digits at 160 bits).
Before: 13 s (runs at 132, 264, 528, 1056 and 770 bits). The package's sympy conversion
(``from_sympy``) is 0.85 s of the call on an idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction

import mpmath
import torch
from _timing import alternate, environment_line, print_table

import hippo_verify
from hippo_verify import hippo
from hippo_verify.oracles import ssm_kernel
from hippo_verify.oracles._sympy_inputs import from_sympy
from hippo_verify.oracles.arb_enclosures import arb_ssm_kernel

DT = Fraction(1, 100)
ARB_PREC = 160


def naive(A, B, C, L: int, steps: int, dps: int) -> tuple[float, list]:
    """(seconds extrapolated to L steps, the first ``steps`` taps)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    n = A.rows
    start = time.perf_counter()
    Aw = ctx.matrix([[ctx.convert(A[i, j].evalf(dps)) for j in range(n)] for i in range(n)])
    Bw = ctx.matrix([ctx.convert(B[i].evalf(dps)) for i in range(n)])
    step = ctx.mpf(DT.numerator) / DT.denominator
    M_inv = ctx.inverse(ctx.eye(n) - step / 2 * Aw)
    Ab = M_inv * (ctx.eye(n) + step / 2 * Aw)
    x = M_inv * (step * Bw)
    setup = time.perf_counter() - start
    taps = []
    for _ in range(steps):
        taps.append(ctx.fsum(x[i] * C[i] for i in range(n)))
        x = Ab * x
    loop = time.perf_counter() - start - setup
    return setup + loop * L / steps, [mpmath.mp.make_mpf(v._mpf_) for v in taps]


def agreement(values: list, reference: list) -> int:
    with mpmath.workprec(300):
        scale = max(abs(v) for v in reference)
        diff = max(abs(a - b) for a, b in zip(values, reference))
    return 99 if diff == 0 else int(mpmath.floor(-mpmath.log10(diff / scale)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--N", type=int, default=256)
    parser.add_argument("--L", type=int, default=16384)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--digits", type=int, default=30)
    parser.add_argument("--naive-steps", type=int, default=8)
    parser.add_argument("--no-naive", action="store_true")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    N, L = args.N, args.L
    A, B = hippo("legs", N)
    C = [1] * N
    A_exact, B_exact = from_sympy(A), from_sympy(B)
    out: dict = {}

    def run_oracle() -> None:
        with hippo_verify.size_limits(oracle_work=10**11):
            out["oracle"] = ssm_kernel(A, B, C, L, dt=DT, digits=args.digits)

    def run_exact() -> None:
        with hippo_verify.size_limits(oracle_work=10**11):
            out["exact"] = ssm_kernel(A_exact, B_exact, C, L, dt=DT, digits=args.digits)

    def run_arb() -> None:
        with hippo_verify.size_limits(oracle_work=10**11):
            out["arb"] = arb_ssm_kernel(A, B, C, L, dt=DT, prec=ARB_PREC)

    print(f"# ssm_kernel, HiPPO-LegS N = {N}, L = {L}, C = 1, dt = 1/100, bilinear")
    print(f"{environment_line()}; mpmath {mpmath.__version__} ({mpmath.libmp.BACKEND})")
    times = alternate(
        {"oracle": run_oracle, "oracle, exact inputs": run_exact, "arb": run_arb},
        repeat=args.repeat,
        warmup=0,
    )
    print_table(f"N = {N}, L = {L}", times, "oracle")
    result, balls = out["oracle"], out["arb"]
    print(
        f"\ndigits: oracle certifies {result.digits} (prec {result.prec} bits, "
        f"{result.method}); exact-input run {out['exact'].digits}; arb certifies "
        f"{balls.certified_digits()} (prec {ARB_PREC}), oracle inside the balls: "
        f"{'yes' if balls.agrees_with(result) else 'NO'}. Oracle median "
        f"{statistics.median(times['oracle']):.2f} s (goal <= 5 s)"
    )
    if not args.no_naive:
        seconds, taps = naive(A, B, C, L, args.naive_steps, args.digits + 10)
        print(
            f"naive mpmath loop, run once: {seconds:.1f} s (extrapolated from "
            f"{args.naive_steps} steps), {seconds / statistics.median(times['oracle']):.1f}x "
            f"the oracle's median; agrees with the oracle on "
            f"{agreement(taps, result.values[: args.naive_steps])} digits (uncertified)"
        )


if __name__ == "__main__":
    main()
