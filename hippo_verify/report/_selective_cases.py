"""The precision report's selective-scan configurations (Mamba's S6, Mamba-2's SSD, S5).

Mamba-like inputs: A = -(1, ..., N) per channel (S4D-Real, Mamba's init), the step
softplus(delta + delta_bias) with delta_bias the inverse softplus of a log-uniform step in
[1e-3, 1e-1] per channel and small projections delta, B and C per step. Every real value
has 8 significant bits (exact in bfloat16 and float16), so the four dtypes measured and
the oracle see the same numbers and each row's error is the kernel's own; S5's complex
parameters are rounded to complex64 and measured in float64/float32 only.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable

import torch

from ..testing import ALGORITHMS
from ..testing._tensors import half_exact
from ._cases import PrecisionCase

__all__ = ["MIXED_DTYPES", "selective_cases"]

#: Mixed precision as Mamba-style kernels run it: inputs and output in the dtype,
#: arithmetic in float32.
MIXED_DTYPES = (torch.float64, torch.float32, torch.bfloat16, torch.float16)


def _uniform(rng: random.Random, low: float = -1.0, high: float = 1.0) -> float:
    return half_exact(rng.uniform(low, high))


def _array(rng: random.Random, shape: tuple[int, ...], low=-1.0, high=1.0) -> list:
    if len(shape) == 1:
        return [_uniform(rng, low, high) for _ in range(shape[0])]
    return [_array(rng, shape[1:], low, high) for _ in range(shape[0])]


def _inverse_softplus(step: float) -> float:
    return step + math.log(-math.expm1(-step))


def _selective(d: int, N: int, L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        rng = random.Random(seed)
        steps = [math.exp(rng.uniform(math.log(1e-3), math.log(1e-1))) for _ in range(d)]
        return {
            "u": _array(rng, (1, d, L)),
            "delta": _array(rng, (1, d, L), -0.5, 0.5),
            "A": [[-float(n + 1) for n in range(N)] for _ in range(d)],
            "B": _array(rng, (1, N, L)),
            "C": _array(rng, (1, N, L)),
            "D": [1.0] * d,
            "z": _array(rng, (1, d, L), -2.0, 2.0),
            "delta_bias": [half_exact(_inverse_softplus(s)) for s in steps],
            "delta_softplus": True,
        }

    return inputs


def _ssd(heads: int, head_dim: int, N: int, L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        rng = random.Random(seed)
        return {
            "X": _array(rng, (1, L, heads, head_dim)),
            "dt": [
                [
                    [half_exact(math.exp(rng.uniform(-6.9, -2.3))) for _ in range(heads)]
                    for _ in range(L)
                ]
            ],
            "A": [-float(h + 1) for h in range(heads)],
            "B": _array(rng, (1, L, 1, N)),
            "C": _array(rng, (1, L, 1, N)),
        }

    return inputs


def _s5(P: int, H: int, L: int, seed: int) -> Callable[[], dict]:
    """S5 with conjugate-symmetric S4D-Lin-like eigenvalues -1/2 + i pi n (n < P)."""

    def inputs() -> dict:
        rng = random.Random(seed)

        def pair() -> complex:
            return complex(_uniform(rng), _uniform(rng))

        return {
            "Lambda": [complex(-0.5, half_exact(math.pi * n)) for n in range(P)],
            "B": [[pair() for _ in range(H)] for _ in range(P)],
            "C": [[pair() for _ in range(P)] for _ in range(H)],
            "u": _array(rng, (1, L, H)),
            "delta": [half_exact(math.exp(rng.uniform(-6.9, -2.3))) for _ in range(P)],
            "discretization": "zoh",
        }

    return inputs


def selective_cases(quick: bool = False) -> list[PrecisionCase]:
    """The selective-scan configurations; ``quick`` shrinks the sizes."""
    d, N, L = (2, 4, 64) if quick else (4, 16, 2048)
    A = ALGORITHMS
    mamba = f"Mamba S6 d={d} N={N} L={L}, S4D-Real A, softplus steps in [1e-3, 1e-1], z gate"
    cases = [
        PrecisionCase(
            f"mamba-{mode}",
            mamba,
            A[f"selective-scan-{mode}"],
            _selective(d, N, L, 20),
            MIXED_DTYPES,
        )
        for mode in ("sequential", "parallel")
    ]
    ssd = f"Mamba-2 SSD 4 heads x 8, N={N} L={L // 2}, steps in [1e-3, 1e-1]"
    cases += [
        PrecisionCase(f"ssd-{mode}", ssd, A[f"ssd-{mode}"], _ssd(4, 8, N, L // 2, 21), MIXED_DTYPES)
        for mode in ("sequential", "quadratic", "chunked")
    ]
    s5 = f"S5 P={N} (-1/2 + i pi n) H=4 L={L // 2} ZOH"
    cases += [
        PrecisionCase(f"s5-{mode}", s5, A[f"s5-{mode}"], _s5(N, 4, L // 2, 22))
        for mode in ("sequential", "parallel")
    ]
    return cases
