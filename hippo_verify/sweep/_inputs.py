"""Deterministic sweep inputs: one builder per oracle family, no hypothesis.

``build_inputs(algorithm, params)`` returns the kernel's inputs (by parameter name) for one
grid point. Each builder takes the grid axes it understands as keyword arguments:

* ``N``: the state size (dense N, diagonal modes, DPLR N, RTF degree d, shift taps, S5 P);
* ``L``: the sequence or kernel length;
* ``dt``: the step (rounded to float32 first, so every dtype and the oracle read the same
  number); for the selective scans the centre of a log-uniform step range [dt/10, 10 dt];
* ``margin``: k, the poles' distance from the unit circle 1 - |pole| = 10^-k (dense,
  diagonal and RTF families; nominal: it is set before the inputs are rounded);
* ``seed``: the draw (numpy ``PCG64``).

Every real value is rounded once to float32 (complex64 for complex values; bfloat16 for
the selective scans' mixed-precision inputs), so all dtypes measured and the oracle see
identical inputs and each error is the kernel's own.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import torch

from ..testing import Algorithm
from ..testing._tensors import HALF_EXACT_TINY, half_exact

__all__ = ["AXES", "BUILDERS", "axes_of", "build_inputs"]

#: Every axis a grid may vary (``seed`` is a base setting, not an axis).
AXES = ("N", "L", "dt", "margin")


def _rng(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def _f32(values: Any) -> Any:
    """float64 values rounded to float32 (as Python floats / nested lists)."""
    return np.asarray(values, dtype=np.float64).astype(np.float32).astype(np.float64).tolist()


def _c64(values: Any) -> Any:
    array = np.asarray(values, dtype=np.complex128).astype(np.complex64).astype(np.complex128)
    return array.tolist()


def _normal(rng: np.random.Generator, *shape: int) -> Any:
    return _f32(rng.standard_normal(shape))


def _complex_normal(rng: np.random.Generator, *shape: int) -> Any:
    return _c64((rng.standard_normal(shape) + 1j * rng.standard_normal(shape)) / math.sqrt(2))


def _radius(margin: float) -> float:
    """|pole| = 1 - 10^-margin."""
    return 1.0 - 10.0 ** (-margin)


def _step(dt: float) -> float:
    return _f32(dt)


def dense_continuous(N: int = 8, dt: float = 0.01, margin: float = 1, seed: int = 0) -> dict:
    """A = -a I + S (S skew-symmetric, rotations up to ~1 rad per step), ZOH: every
    discrete pole e^{(-a + i w) dt} has radius e^{-a dt} = 1 - 10^-margin; B, C normal."""
    rng = _rng(seed)
    step = _step(dt)
    G = rng.standard_normal((N, N))
    S = (G - G.T) / 2 / (step * math.sqrt(N))
    a = -math.log(_radius(margin)) / step
    A = _f32(S - a * np.eye(N))
    return {"A": A, "B": _normal(rng, N), "dt": step, "method": "zoh", "C": _normal(rng, N)}


def ssm_kernel(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    """The dense continuous system above, kernel of length L."""
    return {**dense_continuous(N, dt, margin, seed), "L": L}


def discretize(N: int = 8, dt: float = 0.01, margin: float = 1, seed: int = 0) -> dict:
    """(A, B, dt, ZOH) of the dense continuous system above."""
    inputs = dense_continuous(N, dt, margin, seed)
    del inputs["C"]
    return inputs


def _discrete_system(N: int, margin: float, seed: int) -> tuple[Any, Any, Any]:
    """Ab = r Q (Q orthogonal from the QR of a normal matrix): every pole has radius r."""
    rng = _rng(seed)
    Q, R = np.linalg.qr(rng.standard_normal((N, N)))
    Q = Q * np.sign(np.diag(R))  # a unique Q (Haar-distributed)
    return _f32(_radius(margin) * Q), _normal(rng, N), _normal(rng, N)


def discrete_kernel(N: int = 8, L: int = 256, margin: float = 1, seed: int = 0) -> dict:
    Ab, Bb, C = _discrete_system(N, margin, seed)
    return {"Ab": Ab, "Bb": Bb, "C": C, "L": L}


def scan(N: int = 8, L: int = 256, margin: float = 1, seed: int = 0) -> dict:
    """u (length L, normal) through the discrete system above."""
    Ab, Bb, C = _discrete_system(N, margin, seed)
    return {"Ab": Ab, "Bb": Bb, "C": C, "u": _normal(_rng(seed + 1), L)}


def causal_conv(L: int = 256, seed: int = 0) -> dict:
    """u normal, K_k normal times e^{-k/256}."""
    rng = _rng(seed)
    K = _f32(rng.standard_normal(L) * np.exp(-np.arange(L) / 256))
    return {"u": _normal(rng, L), "K": K}


def _diagonal(N: int, dt: float, margin: float, seed: int) -> dict:
    """S4D-Lin-like modes lam_n = ln(1 - 10^-margin)/dt + i pi n: ZOH radius 1 - 10^-margin;
    B = 1, C complex normal."""
    rng = _rng(seed)
    step = _step(dt)
    real = math.log(_radius(margin)) / step
    lam = _c64([complex(real, math.pi * n) for n in range(N)])
    return {"lam": lam, "B": [1.0 + 0j] * N, "C": _complex_normal(rng, N), "dt": step}


def diag_kernel(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    """The diagonal modes above, ZOH, conjugate pairs (a real kernel)."""
    return {**_diagonal(N, dt, margin, seed), "L": L, "method": "zoh", "conj_pairs": True}


def h3_diag_kernel(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    return {**_diagonal(N, dt, margin, seed), "L": L}


def dplr_kernel(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    """Lambda = the diagonal modes above, Q = P complex normal / 2 (A = diag(Lambda) - P P^H
    is more stable than diag(Lambda): the margin is that of the diagonal part), B = 1."""
    modes = _diagonal(N, dt, margin, seed)
    rng = _rng(seed + 1)
    P = _c64(np.asarray(_complex_normal(rng, N, 1)) / 2)
    return {
        "Lambda": modes["lam"],
        "P": P,
        "Q": P,
        "B": modes["B"],
        "C": modes["C"],
        "L": L,
        "dt": modes["dt"],
    }


def _rtf_coefficients(N: int, margin: float, seed: int) -> tuple[Any, Any]:
    """a: the monic polynomial of N poles of radius 1 - 10^-margin (conjugate pairs at
    random angles, one real pole if N is odd) without its leading 1; b normal."""
    rng = _rng(seed)
    r = _radius(margin)
    angles = rng.uniform(0.0, math.pi, N // 2)
    poles = [r * complex(math.cos(t), s * math.sin(t)) for t in angles for s in (1, -1)]
    if N % 2:
        poles.append(r if rng.uniform() < 0.5 else -r)
    a = np.real(np.poly(poles))[1:]
    return _f32(a), _normal(rng, N)


def rtf_kernel(N: int = 8, L: int = 256, margin: float = 1, seed: int = 0) -> dict:
    a, b = _rtf_coefficients(N, margin, seed)
    return {"a": a, "b": b, "L": L}


def rtf_impulse_response(N: int = 8, L: int = 256, margin: float = 1, seed: int = 0) -> dict:
    return rtf_kernel(N, L, margin, seed)


def rtf_recurrence(N: int = 8, L: int = 256, margin: float = 1, seed: int = 0) -> dict:
    a, b = _rtf_coefficients(N, margin, seed)
    return {"a": a, "b": b, "u": _normal(_rng(seed + 1), L), "L": L}


def shift_kernel(N: int = 8, L: int = 256, seed: int = 0) -> dict:
    return {"C": _normal(_rng(seed), N), "L": L}


def h3_ssm(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    """One channel of H3's SSM path: q, k, v normal, 4 shift taps, N diagonal modes."""
    rng = _rng(seed)
    q, k, v = (_normal(rng, L) for _ in range(3))
    modes = _diagonal(N, dt, margin, seed + 1)
    return {"q": q, "k": k, "v": v, "shift_C": _normal(rng, 4), **modes}


def half_exact_array(values: Any) -> np.ndarray:
    """``half_exact`` of every entry, vectorized: rounded to bfloat16 by torch (the same
    rounding, round to nearest even), 0 below ``HALF_EXACT_TINY``."""
    rounded = torch.as_tensor(np.asarray(values, dtype=np.float64)).to(torch.bfloat16)
    rounded = rounded.to(torch.float64).numpy()
    return np.where(np.abs(rounded) < HALF_EXACT_TINY, 0.0, rounded)


def _half(rng: np.random.Generator, shape: tuple[int, ...], low=-1.0, high=1.0) -> Any:
    return half_exact_array(rng.uniform(low, high, shape)).tolist()


def _steps(rng: np.random.Generator, dt: float, shape: tuple[int, ...]) -> np.ndarray:
    """Log-uniform steps in [dt/10, 10 dt]."""
    return np.exp(rng.uniform(math.log(dt / 10), math.log(dt * 10), shape))


def selective_scan(N: int = 8, L: int = 256, dt: float = 0.01, seed: int = 0) -> dict:
    """Mamba S6, 2 channels: A = -(1..N) (S4D-Real), softplus(delta + delta_bias) with
    delta_bias the inverse softplus of steps in [dt/10, 10 dt], z gate; bfloat16-exact."""
    rng = _rng(seed)
    d = 2
    steps = _steps(rng, dt, (d,))
    bias = [half_exact(s + math.log(-math.expm1(-s))) for s in steps]
    return {
        "u": _half(rng, (1, d, L)),
        "delta": _half(rng, (1, d, L), -0.5, 0.5),
        "A": [[-float(n + 1) for n in range(N)] for _ in range(d)],
        "B": _half(rng, (1, N, L)),
        "C": _half(rng, (1, N, L)),
        "D": [1.0] * d,
        "z": _half(rng, (1, d, L), -2.0, 2.0),
        "delta_bias": bias,
        "delta_softplus": True,
    }


def ssd(N: int = 8, L: int = 256, dt: float = 0.01, seed: int = 0) -> dict:
    """Mamba-2 SSD, 2 heads of 4, A = -(1, 2), steps in [dt/10, 10 dt]; bfloat16-exact.
    Steps below 2^-11 are raised to 2^-11: smaller ones are not exact in float16 (its
    subnormals; ``half_exact`` would make them 0, which SSD refuses)."""
    rng = _rng(seed)
    heads, head_dim = 2, 4
    steps = np.maximum(_steps(rng, dt, (1, L, heads)), 2.0**-11)
    steps = half_exact_array(steps)
    return {
        "X": _half(rng, (1, L, heads, head_dim)),
        "dt": steps.tolist(),
        "A": [-float(h + 1) for h in range(heads)],
        "B": _half(rng, (1, L, 1, N)),
        "C": _half(rng, (1, L, 1, N)),
    }


def s5_scan(N: int = 8, L: int = 256, dt: float = 0.01, margin: float = 1, seed: int = 0):
    """S5, P = N modes Lambda_n = ln(1 - 10^-margin)/dt + i pi n, H = 2, ZOH, one step dt
    for every mode (radius 1 - 10^-margin); B, C complex normal, u normal. Complex inputs:
    measured in float64/float32 only, so float32-exact values suffice."""
    rng = _rng(seed)
    H = 2
    step = _step(dt)
    real = math.log(_radius(margin)) / step
    return {
        "Lambda": _c64([complex(real, math.pi * n) for n in range(N)]),
        "B": _complex_normal(rng, N, H),
        "C": _complex_normal(rng, H, N),
        "u": _normal(rng, 1, L, H),
        "delta": [step] * N,
        "discretization": "zoh",
    }


#: oracle function name -> input builder (the registry names each record's oracle).
BUILDERS: Mapping[str, Callable[..., dict]] = {
    f.__name__: f
    for f in (
        discretize,
        ssm_kernel,
        discrete_kernel,
        scan,
        causal_conv,
        diag_kernel,
        h3_diag_kernel,
        dplr_kernel,
        rtf_kernel,
        rtf_impulse_response,
        rtf_recurrence,
        shift_kernel,
        h3_ssm,
        selective_scan,
        ssd,
        s5_scan,
    )
}


def builder_of(algorithm: Algorithm) -> Callable[..., dict] | None:
    """The input builder of ``algorithm``'s oracle family (None: the sweep has none)."""
    return BUILDERS.get(algorithm.oracle.__name__)


def axes_of(algorithm: Algorithm) -> tuple[str, ...]:
    """The axes a grid may vary for ``algorithm`` (its builder's parameters but the seed)."""
    builder = builder_of(algorithm)
    if builder is None:
        return ()
    return tuple(p for p in inspect.signature(builder).parameters if p != "seed")


def build_inputs(algorithm: Algorithm, params: Mapping[str, Any]) -> dict:
    """The kernel's inputs of ``algorithm`` at ``params`` (axes and ``seed``)."""
    builder = builder_of(algorithm)
    if builder is None:
        raise KeyError(algorithm.name)
    return builder(**params)
