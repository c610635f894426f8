"""Time the certified S4/DPLR oracle against the anchors, side by side on the same inputs.

Usage: python benchmarks/bench_oracle_dplr.py [--lengths 1024 4096] [--repeat 3] [--digits 30]
       [--naive-steps 48] [--threads 1]

System: S4's HiPPO-LegS in diagonal-plus-low-rank form, N = 64, rank 1: Lambda = -1/2 + i s
(eigh of the skew part, float64), P = Q = V^H p, B = V^H sqrt(2n + 1), C complex normal
(seed 1); the binary64 values are the exact inputs of every route. dt = 1/100, bilinear.

Variants (alternating, one call of each per round, ``benchmarks/_timing.py``):

* ``oracle``: ``hippo_verify.oracles.dplr_kernel`` (certified ``--digits``);
* ``arb``: ``arb_ssm_kernel`` on the dense complex A = diag(Lambda) - P Q^H (ball arithmetic,
  rigorous; prec 192 bits, enough for >= 30 certified digits here);
* ``naive``: what a user of mpmath writes: mpmath matrices at digits + 10 decimal digits,
  Ab = (I - dt/2 A)^-1 (I + dt/2 A), Bb = (I - dt/2 A)^-1 dt B, then x <- Ab x and C x for L
  steps (uncertified). Its L steps take minutes, so each round runs ``--naive-steps`` of them
  and scales that part by L / steps (the cost per step is constant; the discretization is
  timed in full): marked "(extrapolated)".

Prints per L a table of min / median / max seconds and per-round ratios to the oracle, and
the digits each route certifies (or, for the naive loop, agrees with the oracle on).
Goal (issue 15): the oracle <= 2 s at L = 4096 on the 2-core development machine.

Measured (2-core machine shared with other jobs, load average 2.2, --repeat 3, median s):
L = 1024: oracle 0.46, arb 0.37, naive 13.4 (extrapolated); L = 4096: oracle 1.88 (min
1.62), arb 0.64, naive 80 (extrapolated). Oracle 32 certified digits at 165 bits, inside
the Arb balls (48 digits at 192 bits). Before: 48 s (L = 1024) and 92 s (L = 4096), 79% of
it in the mpmath complex matrix power Ab^L (cProfile). At load 4.2 the same run gave 2.5 s.
"""

from __future__ import annotations

import argparse
import statistics
import time
from fractions import Fraction

import mpmath
import numpy as np
import torch
from _timing import alternate, environment_line, print_table

import hippo_verify
from hippo_verify import hippo_nplr
from hippo_verify.oracles import dplr_kernel
from hippo_verify.oracles.arb_enclosures import arb_ssm_kernel

DT = Fraction(1, 100)
ARB_PREC = 192


def legs_dplr(N: int, seed: int = 1) -> tuple[list, list, list, list]:
    nplr = hippo_nplr("legs", N)
    S = np.array(nplr.skew.evalf(30).tolist(), dtype=float)
    p = np.array(nplr.low_rank.evalf(30).tolist(), dtype=float)
    s, V = np.linalg.eigh(-1j * S)
    lam = float(nplr.shift) + 1j * s
    P = (V.conj().T @ p)[:, 0]
    B = V.conj().T @ np.sqrt(2 * np.arange(N) + 1.0)
    rng = np.random.default_rng(seed)
    C = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) * 0.5**0.5
    return [[complex(v) for v in x] for x in (lam, P, B, C)]


def dense(lam: list, P: list) -> list[list]:
    """A = diag(lam) - P P^H as exact mpmath numbers (products of binary64 fit in 300 bits)."""
    with mpmath.workprec(300):
        return [
            [
                (mpmath.mpc(lam[i]) if i == j else 0) - mpmath.mpc(P[i]) * mpmath.conj(P[j])
                for j in range(len(lam))
            ]
            for i in range(len(lam))
        ]


def naive(A: list[list], B: list, C: list, L: int, steps: int, dps: int) -> tuple[float, list]:
    """(seconds extrapolated to L steps, the first ``steps`` taps)."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    n = len(A)
    start = time.perf_counter()
    Aw = ctx.matrix([[ctx.convert(v) for v in row] for row in A])
    step = ctx.mpf(DT.numerator) / DT.denominator
    M_inv = ctx.inverse(ctx.eye(n) - step / 2 * Aw)
    Ab = M_inv * (ctx.eye(n) + step / 2 * Aw)
    x = M_inv * (step * ctx.matrix([ctx.mpc(v) for v in B]))
    row = ctx.matrix([[ctx.mpc(v) for v in C]])
    setup = time.perf_counter() - start
    taps = []
    for _ in range(steps):
        taps.append((row * x)[0, 0])
        x = Ab * x
    loop = time.perf_counter() - start - setup
    return setup + loop * L / steps, [mpmath.mp.make_mpc(v._mpc_) for v in taps]


def agreement(values: list, reference: list) -> int:
    with mpmath.workprec(300):
        scale = max(abs(v) for v in reference)
        diff = max(abs(a - b) for a, b in zip(values, reference))
    return 99 if diff == 0 else int(mpmath.floor(-mpmath.log10(diff / scale)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lengths", type=int, nargs="+", default=[1024, 4096])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--digits", type=int, default=30)
    parser.add_argument("--naive-steps", type=int, default=48)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    lam, P, B, C = legs_dplr(64)
    A = dense(lam, P)
    print("# dplr_kernel (S4 LegS NPLR, N = 64, rank 1, dt = 1/100, bilinear)")
    print(f"{environment_line()}; mpmath {mpmath.__version__} ({mpmath.libmp.BACKEND})")
    for L in args.lengths:
        out: dict = {}
        naive_seconds: list[float] = []

        def run_oracle(L: int = L) -> None:
            with hippo_verify.size_limits(oracle_work=10**10):
                out["oracle"] = dplr_kernel(lam, P, P, B, C, L, dt=DT, digits=args.digits)

        def run_arb(L: int = L) -> None:
            with hippo_verify.size_limits(oracle_work=10**10):
                out["arb"] = arb_ssm_kernel(A, B, C, L, dt=DT, prec=ARB_PREC)

        def run_naive(L: int = L) -> None:
            seconds, out["naive"] = naive(A, B, C, L, args.naive_steps, args.digits + 10)
            naive_seconds.append(seconds)

        times = alternate(
            {"oracle": run_oracle, "arb": run_arb, "naive": run_naive},
            repeat=args.repeat,
            warmup=0,
        )
        # the naive loop ran a prefix: replace its measured time by the extrapolated one
        times["naive (extrapolated)"] = naive_seconds[-args.repeat :]
        del times["naive"]
        print_table(f"L = {L}", times, "oracle")
        result, balls = out["oracle"], out["arb"]
        agree_arb = "yes" if balls.agrees_with(result) else "NO"
        naive_digits = agreement(out["naive"], result.values[: args.naive_steps])
        print(
            f"\ndigits: oracle certifies {result.digits} (prec {result.prec} bits, "
            f"{result.method}); arb certifies {balls.certified_digits()} (prec {ARB_PREC}), "
            f"oracle inside the balls: {agree_arb}; naive agrees with the oracle on "
            f"{naive_digits} (first {args.naive_steps} taps, uncertified). "
            f"oracle median {statistics.median(times['oracle']):.2f} s "
            f"(goal at L = 4096: <= 2 s)"
        )


if __name__ == "__main__":
    main()
