"""RTF aliased oracle (``rtf_kernel``, d = 64, L = 4096, public, with its exact stability
verdict) against a naive mpmath recurrence for the impulse response.

Usage: python benchmarks/bench_oracle_rtf.py [--repeat 5] [--digits 30]

Anchor: h_k = b_{k+1} - sum_i a_i h_{k-i} in mpmath at digits + 10 (uncertified, one run, no
aliasing, no stability verdict). Same a, b; alternating calls. Goal: oracle <= 0.2 s. For
this stable a with |poles|^L far below 10^-30 the aliased kernel equals h to the printed
digits.
"""

from __future__ import annotations

import argparse
import random

import mpmath
import torch
from _timing import alternate, environment_line, print_table

from hippo_verify.oracles import rtf_kernel


def naive_rtf(a: list[str], b: list[str], L: int, dps: int) -> list:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    aw, bw = [ctx.mpf(v) for v in a], [ctx.mpf(v) for v in b]
    h: list = []
    for k in range(L):
        acc = ctx.fsum(aw[i - 1] * h[k - i] for i in range(1, min(k, len(aw)) + 1))
        h.append((bw[k] if k < len(bw) else 0) - acc)
    return h


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--digits", type=int, default=30)
    args = parser.parse_args()
    torch.set_num_threads(1)
    rng = random.Random(0)
    a = [f"{rng.uniform(-1, 1) / 80:.6f}" for _ in range(64)]
    b = [f"{rng.uniform(-1, 1):.6f}" for _ in range(64)]

    def oracle():
        return rtf_kernel(a, b, 4096, aliased=True, digits=args.digits)

    def anchor():
        return naive_rtf(a, b, 4096, args.digits + 10)

    print(environment_line())
    times = alternate(
        {"naive mpmath recurrence": anchor, "rtf_kernel aliased": oracle}, args.repeat
    )
    print_table(f"RTF d = 64, L = 4096, {args.digits} digits", times, "naive mpmath recurrence")
    result, naive = oracle(), anchor()
    with mpmath.workprec(400):
        scale = max(abs(v) for v in result.values)
        diff = max(abs(x - y) for x, y in zip(result.values, naive))
    print(
        f"\ncertified digits {result.digits}, stable {result.stable}; oracle vs naive agree to "
        f"{float(-mpmath.log10(diff / scale)):.1f} digits"
    )


if __name__ == "__main__":
    main()
