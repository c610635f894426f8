"""Time the selective-scan oracles (``selective_scan``, ``ssd``, ``s5_scan``) at 30 digits.

Usage: python benchmarks/bench_selective_oracles.py [--quick] [--digits 30] [--length 4096]

Cases (float inputs, as a kernel's tensors give them through ``tolist()``; every oracle
reads them exactly): Mamba's selective scan with batch 1, 4 channels, N = 16, L = 4096,
softplus(delta + delta_bias) with delta drawn so that the step is in [1e-3, 1e-1] as
Mamba initialises it, A = -(1 .. 16) per channel (S4D-real), B and C per step, D and a
z gate; the same with exact ZOH, and with S4D-Lin complex A (--quick skips those two);
Mamba-2's SSD with b 1, h 4, p 16, n 16, L 4096, one group; S5 with P 32 complex states,
H 8, L 4096, ZOH. Each oracle runs the scan twice (two precisions) and certifies the digits
per output channel.

The baseline is the obvious computation, uncertified: one plain mpmath loop over the
formulas at digits + 10, on the first 256 steps, its CPU time scaled to L (the cost per
step is constant), marked "(extrapolated)". CPU seconds (this process) are printed next to
wall seconds, since the machine is shared; the speed-up is baseline CPU / oracle CPU.

Target (issue 12): the S6 case in at most a few seconds. Measured on the 2-core development
machine (CPython 3.11.7, mpmath 1.3.0 with gmpy2; other jobs were running, load 2.4-2.6),
30 digits, ``python benchmarks/bench_selective_oracles.py``:

| case | wall (s) | cpu (s) | baseline (s) | speed-up | digits | prec |
|---|---|---|---|---|---|---|
| S6 mamba, real A, b1 d4 n16 L4096 | 2.06 | 2.05 | 4.5 (extrapolated) | 2.2x | 37 | 165 |
| S6 zoh, real A, b1 d4 n16 L4096 | 2.27 | 2.27 | 5.1 (extrapolated) | 2.2x | 37 | 165 |
| S6 mamba, complex A, b1 d4 n16 L4096 | 4.63 | 4.62 | 7.3 (extrapolated) | 1.6x | 36 | 165 |
| SSD b1 h4 p16 n16 L4096 | 5.66 | 5.64 | 21.5 (extrapolated) | 3.8x | 37 | 165 |
| S5 P32 H8 L4096 ZOH | 1.31 | 1.31 | 10.2 (extrapolated) | 7.8x | 37 | 165 |

A second run (``--quick``): S6 real 2.19 s, SSD 5.67 s, S5 1.92 s. The baseline runs once
at 40 digits without a certificate; the oracle runs twice (132 and 165 bits) and certifies
36-37 digits per output channel. Most of the S6 time is the 2 x b d l n = 524288
exponentials e^(delta A): the table scheme of ``mp_oracles._FixedExp`` takes about 2 us
each on an idle core (3.4 us under this load, where libmp's ``exp_fixed`` takes 6.5 us and
an ``mpmath`` ``exp`` 9 us). SSD is bound by its 2 x b l h p n = 8.4 M state updates.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable

import mpmath

from hippo_verify.oracles import s5_scan, selective_scan, ssd

PREFIX = 256


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    wall, cpu = time.perf_counter(), time.process_time()
    value = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, value


def grid(rng: random.Random, shape: tuple[int, ...], draw: Callable[[], object]) -> list:
    if len(shape) == 1:
        return [draw() for _ in range(shape[0])]
    return [grid(rng, shape[1:], draw) for _ in range(shape[0])]


def selective_inputs(L: int, complex_A: bool) -> dict:
    rng = random.Random(0)
    d, n = 4, 16
    # softplus(delta + bias) in [1e-3, 1e-1]: bias = softplus^-1(dt0), delta ~ small noise
    dt0 = [10 ** rng.uniform(-3, -1) for _ in range(d)]
    bias = [dt + mpmath.log(-mpmath.expm1(-dt)) for dt in dt0]
    if complex_A:
        A = [[complex(-0.5, mpmath.pi * k) for k in range(n)] for _ in range(d)]
    else:
        A = [[-float(k + 1) for k in range(n)] for _ in range(d)]
    return {
        "u": grid(rng, (1, d, L), lambda: rng.gauss(0, 1)),
        "delta": grid(rng, (1, d, L), lambda: rng.gauss(0, 0.5)),
        "A": A,
        "B": grid(rng, (1, n, L), lambda: rng.gauss(0, 1)),
        "C": grid(rng, (1, n, L), lambda: rng.gauss(0, 1)),
        "D": [1.0] * d,
        "z": grid(rng, (1, d, L), lambda: rng.gauss(0, 1)),
        "delta_bias": [float(v) for v in bias],
        "delta_softplus": True,
    }


def naive_selective(p: dict, discretization: str, steps: int, dps: int) -> float:
    """Seconds of the plain loop over the first ``steps`` steps, scaled to L."""
    ctx = mpmath.MPContext()
    ctx.dps = dps
    L, d, n = len(p["u"][0][0]), len(p["A"]), len(p["A"][0])
    start = time.process_time()
    for i in range(d):
        x = [ctx.mpc(0)] * n
        A = [ctx.convert(a) for a in p["A"][i]]
        for t in range(steps):
            dt = ctx.log1p(ctx.exp(ctx.convert(p["delta"][0][i][t]) + p["delta_bias"][i]))
            u = ctx.convert(p["u"][0][i][t])
            for k in range(n):
                decay = ctx.exp(dt * A[k])
                gain = dt if discretization == "mamba" else (decay - 1) / A[k]
                x[k] = decay * x[k] + gain * p["B"][0][k][t] * u
            y = ctx.fsum(p["C"][0][k][t] * x[k] for k in range(n)).real
            zt = ctx.convert(p["z"][0][i][t])
            (y + p["D"][i] * u) * zt / (1 + ctx.exp(-zt))
    return (time.process_time() - start) * L / steps


def ssd_inputs(L: int) -> dict:
    rng = random.Random(1)
    h, p, n = 4, 16, 16
    return {
        "X": grid(rng, (1, L, h, p), lambda: rng.gauss(0, 1)),
        "dt": grid(rng, (1, L, h), lambda: 10 ** rng.uniform(-3, -1)),
        "A": [-1.0, -2.0, -4.0, -8.0],
        "B": grid(rng, (1, L, 1, n), lambda: rng.gauss(0, 1)),
        "C": grid(rng, (1, L, 1, n), lambda: rng.gauss(0, 1)),
        "D": [1.0] * h,
    }


def naive_ssd(q: dict, steps: int, dps: int) -> float:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    L, h, p, n = len(q["X"][0]), len(q["A"]), len(q["X"][0][0][0]), len(q["B"][0][0][0])
    start = time.process_time()
    for i in range(h):
        H = [[ctx.zero] * n for _ in range(p)]
        for t in range(steps):
            dt = ctx.convert(q["dt"][0][t][i])
            a = ctx.exp(dt * q["A"][i])
            B, C = q["B"][0][t][0], q["C"][0][t][0]
            for j in range(p):
                c = dt * q["X"][0][t][i][j]
                H[j] = [a * v + c * b for v, b in zip(H[j], B)]
                ctx.fsum(cv * v for cv, v in zip(C, H[j]))
    return (time.process_time() - start) * L / steps


def s5_inputs(L: int) -> dict:
    rng = random.Random(2)
    P, H = 32, 8
    return {
        "Lambda": [complex(-0.5, mpmath.pi * k) for k in range(P)],
        "B": grid(rng, (P, H), lambda: complex(rng.gauss(0, 1), rng.gauss(0, 1))),
        "C": grid(rng, (H, P), lambda: complex(rng.gauss(0, 1), rng.gauss(0, 1))),
        "u": grid(rng, (1, L, H), lambda: rng.gauss(0, 1)),
        "delta": [10 ** rng.uniform(-3, -1) for _ in range(P)],
        "D": [1.0] * H,
    }


def naive_s5(q: dict, steps: int, dps: int) -> float:
    ctx = mpmath.MPContext()
    ctx.dps = dps
    L, P, H = len(q["u"][0]), len(q["Lambda"]), len(q["C"])
    start = time.process_time()
    lam = [ctx.convert(v) for v in q["Lambda"]]
    Lbar = [ctx.exp(v * s) for v, s in zip(lam, q["delta"])]
    Bbar = [[(lb - 1) / v * b for b in row] for lb, v, row in zip(Lbar, lam, q["B"])]
    x = [ctx.mpc(0)] * P
    for t in range(steps):
        u = q["u"][0][t]
        x = [
            lb * xv + ctx.fsum(b * uv for b, uv in zip(row, u))
            for lb, xv, row in zip(Lbar, x, Bbar)
        ]
        [2 * ctx.fsum(c * xv for c, xv in zip(q["C"][j], x)).real + u[j] for j in range(H)]
    return (time.process_time() - start) * L / steps


def row(name: str, wall: float, cpu: float, result, baseline: float, note: str) -> str:
    return (
        f"| {name} | {wall:.2f} | {cpu:.2f} | {baseline:.1f}{note} | {baseline / cpu:.1f}x | "
        f"{result.digits} | {result.prec} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="only the real-A S6, SSD and S5")
    parser.add_argument("--digits", type=int, default=30)
    parser.add_argument("--length", type=int, default=4096, help="L (default 4096)")
    args = parser.parse_args()
    digits, dps, L = args.digits, args.digits + 10, args.length
    steps = min(PREFIX, L)
    note = "" if steps == L else " (extrapolated)"
    print(
        f"# selective-scan oracle timings, {digits} certified digits, L = {L} "
        f"({platform.python_implementation()} {platform.python_version()}, mpmath "
        f"{mpmath.__version__} backend {mpmath.libmp.BACKEND})\n"
    )
    print("| case | wall (s) | cpu (s) | baseline (s) | speed-up | digits | prec |")
    print("|---|---|---|---|---|---|---|")
    s6_cases = [("mamba", False)] + ([] if args.quick else [("zoh", False), ("mamba", True)])
    for discretization, complex_A in s6_cases:
        p = selective_inputs(L, complex_A)
        wall, cpu, result = timed(
            lambda: selective_scan(**p, discretization=discretization, digits=digits)
        )
        baseline = naive_selective(p, discretization, steps, dps)
        name = f"S6 {discretization}, {'complex' if complex_A else 'real'} A, b1 d4 n16 L{L}"
        print(row(name, wall, cpu, result, baseline, note))
    q = ssd_inputs(L)
    wall, cpu, result = timed(lambda: ssd(**q, digits=digits))
    print(row(f"SSD b1 h4 p16 n16 L{L}", wall, cpu, result, naive_ssd(q, steps, dps), note))
    q = s5_inputs(L)
    wall, cpu, result = timed(lambda: s5_scan(**q, digits=digits))
    print(row(f"S5 P32 H8 L{L} ZOH", wall, cpu, result, naive_s5(q, steps, dps), note))


if __name__ == "__main__":
    main()
