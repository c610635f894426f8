"""The precision report's canonical configurations, one ``PrecisionCase`` per row group.

Each case names an algorithm record (``hippo_verify.testing.ALGORITHMS``) and builds the
kernel's inputs once, rounded to float32/complex64 (exact in every dtype measured, so
the float32 and float64 runs and the oracle all see the same numbers and the error
measured is the kernel's own). The oracle, the conditioning number and the state size
come from the record.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import torch

from .. import oracles
from ..symbolic import hippo, s4d_init
from ..testing import ALGORITHMS, Algorithm
from ..testing._tensors import round_to

__all__ = ["DT", "DTYPES", "PrecisionCase", "canonical_cases"]

#: The dtypes every case is measured in (the kernels' CPU dtypes; complex inputs use the
#: complex counterpart of the same precision).
DTYPES = (torch.float64, torch.float32)


@dataclass(frozen=True)
class PrecisionCase:
    """One configuration of one algorithm.

    Attributes:
        key: stable identifier (JSON ``case``).
        title: the configuration in words (first column of the table).
        algorithm: the registry record: kernel, oracle, model, conditioning, state size.
        inputs: builds the kernel's inputs by parameter name (called once per case).
        dtypes: the dtypes measured.
    """

    key: str
    title: str
    algorithm: Algorithm
    inputs: Callable[[], Mapping[str, Any]]
    dtypes: tuple[torch.dtype, ...] = DTYPES

    @property
    def variant(self) -> str:
        """The kernel options of the record, shown after the kernel's name."""
        return ", ".join(f'{name}="{value}"' for name, value in self.algorithm.options.items())


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


def _dyadic(rng: random.Random, bits: int = 12) -> float:
    """Uniform multiple of 2^-bits in [-1, 1] (exact in float32)."""
    return rng.randint(-(2**bits), 2**bits) / 2**bits


def _dyadic_complex(rng: random.Random) -> complex:
    return complex(_dyadic(rng), _dyadic(rng))


def _f32(value: Any) -> Any:
    return round_to(value, torch.float32)


def _c64(value: Any) -> Any:
    return round_to(value, torch.complex64)


#: dt = 1e-2 rounded to float32: exact in every dtype measured.
DT = _f32(0.01)


@functools.lru_cache(maxsize=8)
def _hippo_inputs(measure: str, N: int, seed: int) -> tuple[list, list, list]:
    """(A, B) of ``hippo(measure, N)`` rounded to float32, and C drawn from ``seed``."""
    A, B = hippo(measure, N)
    rng = _rng(seed)
    return _f32(A.tolist()), _f32([B[i, 0] for i in range(N)]), [_dyadic(rng) for _ in range(N)]


def _dense(measure: str, N: int, L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        A, B, C = _hippo_inputs(measure, N, seed)
        return {"A": A, "B": B, "C": C, "L": L, "dt": DT, "method": "bilinear"}

    return inputs


@functools.lru_cache(maxsize=8)
def _discrete_legs(N: int, seed: int) -> tuple[list, list, list]:
    """Bilinear (Ab, Bb) of the float32 LegS inputs, by the oracle, rounded to float32.

    Ab of a lower-triangular A is lower triangular; entries above the diagonal are set to
    exact zeros (they are zero mathematically, the solver may leave rounding residue).
    """
    A, B, C = _hippo_inputs("legs", N, seed)
    Ab, Bb = oracles.discretize(A, B, DT, "bilinear").values
    Ab = [[float(v) if j <= i else 0.0 for j, v in enumerate(row)] for i, row in enumerate(Ab)]
    return _f32(Ab), _f32([float(v) for v in Bb]), C


def _discrete(N: int, L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        Ab, Bb, C = _discrete_legs(N, seed)
        return {"Ab": Ab, "Bb": Bb, "C": C, "L": L}

    return inputs


def _signal(L: int, seed: int) -> list[float]:
    rng = _rng(seed)
    return [_dyadic(rng) for _ in range(L)]


def _scan(N: int, L: int, seed: int) -> Callable[[], dict]:
    """u through the discrete LegS system."""

    def inputs() -> dict:
        Ab, Bb, C = _discrete_legs(N, seed)
        return {"Ab": Ab, "Bb": Bb, "C": C, "u": _signal(L, seed + 1)}

    return inputs


def _conv(L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        rng = _rng(seed)
        K = _f32([_dyadic(rng) * math.exp(-k / 256) for k in range(L)])
        return {"u": _signal(L, seed + 1), "K": K}

    return inputs


def _diag_inputs(modes: int, seed: int) -> dict:
    """S4D-Lin modes, B = 1, C random complex."""
    rng = _rng(seed)
    lam = _c64([complex(v) for v in s4d_init("lin", 2 * modes)])
    return {"lam": lam, "B": [1.0 + 0j] * modes, "C": [_dyadic_complex(rng) for _ in range(modes)]}


def _diag(modes: int, L: int, seed: int, h3: bool = False) -> Callable[[], dict]:
    """ZOH, conjugate pairs (a real kernel)."""

    def inputs() -> dict:
        values = {**_diag_inputs(modes, seed), "L": L, "dt": DT}
        return values if h3 else {**values, "method": "zoh", "conj_pairs": True}

    return inputs


def _dplr(N: int, L: int, seed: int) -> Callable[[], dict]:
    """Lambda = S4D-Lin, Q = P (so A = diag(Lambda) - P P^H has a negative definite
    Hermitian part: stable), B = 1, C random; P scaled by 1/2 (dyadic)."""

    def inputs() -> dict:
        rng = _rng(seed)
        lam = _diag_inputs(N, seed)["lam"]
        P = [[_dyadic_complex(rng) / 2] for _ in range(N)]
        C = [_dyadic_complex(rng) for _ in range(N)]
        return {"Lambda": lam, "P": P, "Q": P, "B": [1.0 + 0j] * N, "C": C, "L": L, "dt": DT}

    return inputs


def _rtf(d: int, L: int, seed: int, sum_abs: float = 7 / 8) -> Callable[[], dict]:
    """a_i = m_i / 2^12 scaled so that sum |a_i| <= sum_abs < 1 (stable by Rouche; 7/8 the
    default, 1/2 the RTF paper's random initialization); b random dyadic."""

    def inputs() -> dict:
        rng = _rng(seed)
        m = [rng.randint(-4096, 4096) for _ in range(d)]
        budget, total = int(sum_abs * 4096), sum(abs(v) for v in m)
        if total > budget:
            m = [int(v * budget / total) for v in m]
        return {"a": [v / 4096 for v in m], "b": [_dyadic(rng) for _ in range(d)], "L": L}

    return inputs


def _shift(d: int, L: int, seed: int) -> Callable[[], dict]:
    def inputs() -> dict:
        rng = _rng(seed)
        return {"C": [_dyadic(rng) for _ in range(d)], "L": L}

    return inputs


def _h3(d: int, modes: int, L: int, seed: int) -> Callable[[], dict]:
    """H3's SSM path y = q * diag_ssm(shift_ssm(k) * v), one channel."""

    def inputs() -> dict:
        rng = _rng(seed)
        q, k, v = ([_dyadic(rng) for _ in range(L)] for _ in range(3))
        shift_C = [_dyadic(rng) for _ in range(d)]
        return {
            "q": q,
            "k": k,
            "v": v,
            "shift_C": shift_C,
            **_diag_inputs(modes, seed + 1),
            "dt": DT,
        }

    return inputs


def canonical_cases(quick: bool = False) -> list[PrecisionCase]:
    """The report's configurations; ``quick`` shrinks every size (for tests, ~1 s)."""
    if quick:
        n64, n16, n8, lmax, lmid, lsmall = 8, 4, 4, 64, 64, 32
    else:
        n64, n16, n8, lmax, lmid, lsmall = 64, 16, 8, 4096, 1024, 256
    A = ALGORITHMS
    legs = f"LegS N={n64} L={lmax} dt=1e-2 bilinear"
    cases = [
        PrecisionCase("legs-dense", legs, A["ssm-doubling"], _dense("legs", n64, lmax, 0)),
        PrecisionCase(
            "legs-krylov",
            f"{legs}, discrete (Ab, Bb)",
            A["krylov-doubling"],
            _discrete(n64, lmax, 0),
        ),
    ]
    cases += [
        PrecisionCase(
            f"legs-scan-{mode}",
            f"{legs}, scan of u (L={lmax})",
            A[f"scan-{mode}"],
            _scan(n64, lmax, 0),
        )
        for mode in ("sequential", "chunked")
    ]
    cases += [
        PrecisionCase(
            "legt-dense",
            f"LegT N={n16} L={lmid} dt=1e-2 bilinear",
            A["ssm-doubling"],
            _dense("legt", n16, lmid, 1),
        ),
        PrecisionCase(
            "s4d-lin",
            f"S4D-Lin {n64} modes L={lmax} dt=1e-2 ZOH",
            A["vandermonde"],
            _diag(n64, lmax, 2),
        ),
        PrecisionCase(
            "dplr",
            f"DPLR N={n8} r=1 L={lsmall} dt=1e-2 bilinear",
            A["dplr-woodbury"],
            _dplr(n8, lsmall, 3),
        ),
        PrecisionCase(
            "rtf",
            f"RTF d={n64} L={lmax} stable (sum |a_i| <= 7/8)",
            A["rtf-fft"],
            _rtf(n64, lmax, 4),
        ),
        PrecisionCase(
            "rtf-paper",
            f"RTF d={2 * n64} L={2 * lmax} random stable a (sum |a_i| <= 1/2, as the RTF paper)",
            A["rtf-fft"],
            _rtf(2 * n64, 2 * lmax, 9, sum_abs=1 / 2),
        ),
        PrecisionCase("fft-conv", f"causal convolution L={lmax}", A["fft-conv"], _conv(lmax, 5)),
        PrecisionCase(
            "h3-shift", f"H3 shift SSM d={n64} L={lmax}", A["shift"], _shift(n64, lmax, 6)
        ),
        PrecisionCase(
            "h3-diag",
            f"H3 diagonal SSM (S4D-Lin {n64 // 2} modes) L={lmax} dt=1e-2 ZOH",
            A["h3-diag"],
            _diag(n64 // 2, lmax, 7, h3=True),
        ),
    ]
    cases += [
        PrecisionCase(
            f"h3-ssm-{mode}",
            f"H3 SSM path d=4, S4D-Lin {n16} modes, L={lmid} dt=1e-2",
            A[f"h3-{mode}"],
            _h3(4, n16, lmid, 8),
        )
        for mode in ("conv", "recurrence")
    ]
    from ._selective_cases import selective_cases  # it imports this module

    return cases + selective_cases(quick)
