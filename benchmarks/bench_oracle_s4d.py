"""S4D-Lin ZOH oracle (``diag_kernel``, 64 modes, L = 4096) against naive mpmath powers.

Usage: python benchmarks/bench_oracle_s4d.py [--repeat 5] [--digits 30] [--L 4096]

Anchor: per-mode powers by repeated complex multiplication in mpmath at digits + 10
(uncertified, one run), K_k = 2 Re sum_n w_n lam_bar_n^k. Both run on the same modes,
alternating (``_timing.alternate``). Goal: oracle <= 0.3 s. Printed: min/median/max and the
per-round ratio, and the digits on which the two agree.
"""

from __future__ import annotations

import argparse
from fractions import Fraction

import mpmath
import torch
from _timing import alternate, environment_line, print_table

from hippo_verify.oracles import diag_kernel

DT = Fraction(1, 100)


def naive_s4d(lam: list[complex], L: int, dps: int) -> list:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    step = ctx.mpf(DT.numerator) / DT.denominator
    modes = [ctx.exp(step * ctx.mpc(v)) for v in lam]
    weights = [2 * ctx.expm1(step * ctx.mpc(v)) / ctx.mpc(v) for v in lam]
    powers, out = [ctx.mpc(1)] * len(lam), []
    for _ in range(L):
        out.append(ctx.fsum(w * p for w, p in zip(weights, powers)).real)
        powers = [p * m for p, m in zip(powers, modes)]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--digits", type=int, default=30)
    parser.add_argument("--L", type=int, default=4096)
    args = parser.parse_args()
    torch.set_num_threads(1)
    lam = [complex(-0.5, 3.14159 * n) for n in range(64)]

    def oracle():
        return diag_kernel(lam, [1] * 64, [1] * 64, args.L, dt=DT, digits=args.digits)

    def anchor():
        return naive_s4d(lam, args.L, args.digits + 10)

    print(environment_line())
    times = alternate({"naive mpmath powers": anchor, "diag_kernel (oracle)": oracle}, args.repeat)
    print_table(
        f"S4D-Lin ZOH, 64 modes, L = {args.L}, {args.digits} digits", times, "naive mpmath powers"
    )
    result, naive = oracle(), anchor()
    with mpmath.workprec(400):
        scale = max(abs(v) for v in result.values)
        diff = max(abs(a - b) for a, b in zip(result.values, naive))
    print(
        f"\ncertified digits {result.digits}; oracle vs naive agree to "
        f"{float(-mpmath.log10(diff / scale)):.1f} digits (the naive run's own rounding)"
    )


if __name__ == "__main__":
    main()
