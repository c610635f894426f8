"""The error model: per algorithm and dtype, the error a correct kernel may have.

Every bound has the form (relative to the max-norm of the oracle kernel)

    max_k |K_k - K_k^oracle| / max_k |K_k^oracle|  <=  c * u(dtype) * g(L, N, cond)

with u the unit roundoff of the dtype (2^-53 for float64/complex128, 2^-24 for
float32/complex64, 2^-8 for bfloat16, 2^-11 for float16), g a growth factor in the number
of taps L, the state size N and a conditioning number ``cond`` the caller supplies (1 for
well-conditioned systems), and c a constant. A mixed-precision model (inputs and output
in a low precision, arithmetic in a higher one, as bf16/fp16 kernels run) bounds

    c * u(compute dtype) * g(L, N, cond)  +  r * u(dtype)

instead: the computation's error at the precision it runs in, plus the rounding of each
output to the dtype (|fl(y) - y| <= u |y| <= u max|y|, so r = 1 for round to nearest).

Each algorithm's ``ErrorModel`` states g, c and why (analysis or measurement on this
project's canonical configurations); the models live in ``_bounds/<family>.py`` next to
their conditioning functions, and each algorithm's record in ``ALGORITHMS``
(``_algorithms.py``) ties its model to its kernel and oracle.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_int

__all__ = [
    "ErrorModel",
    "error_bound",
    "register",
    "registered_models",
    "require_condition",
    "unit_roundoff",
]

_UNIT_ROUNDOFF = {
    torch.float64: 2.0**-53,
    torch.complex128: 2.0**-53,
    torch.float32: 2.0**-24,
    torch.complex64: 2.0**-24,
    torch.float16: 2.0**-11,
    torch.bfloat16: 2.0**-8,
}


@dataclass(frozen=True)
class ErrorModel:
    """The bound c * u * growth(L, N, cond) of one algorithm.

    Attributes:
        algorithm: Registry key, e.g. ``"rtf-fft"``.
        constant: c.
        growth: g(L, N, cond) >= 1.
        growth_text: g written out, for messages and reports.
        justification: Why c and g (the analysis, or what was measured where).
        dtypes: The dtypes the algorithm supports (others are refused).
        accumulation: (input dtype, compute dtype) pairs of the mixed-precision dtypes,
            e.g. ``((torch.bfloat16, torch.float32),)``: for those the bound is
            c * u(compute) * g + output_rounding * u(dtype).
        output_rounding: r, the multiple of u(dtype) the output's final rounding costs.
    """

    algorithm: str
    constant: float
    growth: Callable[[int, int, float], float]
    growth_text: str
    justification: str
    dtypes: tuple[torch.dtype, ...] = (
        torch.float64,
        torch.float32,
        torch.complex128,
        torch.complex64,
    )
    accumulation: tuple[tuple[torch.dtype, torch.dtype], ...] = ()
    output_rounding: float = 1.0

    def compute_dtype(self, dtype: torch.dtype) -> torch.dtype:
        """The dtype the arithmetic runs in for inputs of ``dtype`` (itself unless mixed)."""
        return dict(self.accumulation).get(dtype, dtype)

    def bound(self, dtype: torch.dtype, *, L: int, N: int = 1, cond: float = 1.0) -> float:
        """c * u(dtype) * g(L, N, cond); for a mixed-precision dtype
        c * u(compute dtype) * g(L, N, cond) + output_rounding * u(dtype).

        Raises:
            InvalidTypeError: ``dtype`` is not a torch dtype, ``L``/``N`` not integers,
                ``cond`` not a real number.
            InvalidArgumentError: ``dtype`` not supported, ``L`` or ``N`` < 1, ``cond``
                negative, NaN or infinite, or a bound that is not a finite positive number.
        """
        if not isinstance(dtype, torch.dtype):
            raise InvalidTypeError(f"dtype: expected a torch.dtype, got {type(dtype).__name__}")
        if dtype not in self.dtypes:
            raise InvalidArgumentError(
                f"{self.algorithm} has no error model for {dtype}; supported: "
                f"{[str(d) for d in self.dtypes]}"
            )
        L = require_int("L", L, minimum=1)
        N = require_int("N", N, minimum=1)
        cond = require_condition(cond)
        compute = self.compute_dtype(dtype)
        bound = self.constant * unit_roundoff(compute) * self.growth(L, N, cond)
        if compute != dtype:
            bound += self.output_rounding * unit_roundoff(dtype)
        if not (math.isfinite(bound) and bound > 0):
            raise InvalidArgumentError(
                f"{self.algorithm}: the error model gives the bound {bound!r} for L = {L}, "
                f"N = {N}, cond = {cond!r}; a bound must be a finite positive number"
            )
        return bound


_MODELS: dict[str, ErrorModel] = {}


def register(model: ErrorModel, name: str | None = None) -> ErrorModel:
    """Add a model to the lookup of ``error_bound`` under ``name`` (default: its own
    ``algorithm``), each name once. The algorithm registry (``ALGORITHMS``) registers the
    model of each of its records under the record's name."""
    name = model.algorithm if name is None else name
    if name in _MODELS:
        raise InvalidArgumentError(f"error model {name!r} registered twice")
    _MODELS[name] = model
    return model


def registered_models() -> dict[str, ErrorModel]:
    """All registered models, by algorithm name."""
    return dict(_MODELS)


def require_condition(cond: Any) -> float:
    """``cond`` as a float if it is a finite real number >= 0, else raise.

    NaN must not reach a bound: ``max(1.0, nan)`` is 1.0, so a NaN condition number (a
    hand-made 0/0 ratio for a zero kernel, say) would silently mean "well conditioned".
    The package's conditioning functions return inf instead where their ratio is undefined
    (a zero result), which is refused here as well (an infinite cond gives no bound).
    """
    if isinstance(cond, bool) or not isinstance(cond, numbers.Real):
        raise InvalidTypeError(f"cond: expected a real number, got {type(cond).__name__}")
    value = float(cond)
    if not (math.isfinite(value) and value >= 0):
        raise InvalidArgumentError(f"cond: must be a finite number >= 0, got {value!r}")
    return value


def unit_roundoff(dtype: torch.dtype) -> float:
    """u = 2^-p for a dtype with p significand bits (round to nearest)."""
    if not isinstance(dtype, torch.dtype):
        raise InvalidTypeError(f"dtype: expected a torch.dtype, got {type(dtype).__name__}")
    if dtype not in _UNIT_ROUNDOFF:
        raise InvalidArgumentError(f"no unit roundoff known for {dtype}")
    return _UNIT_ROUNDOFF[dtype]


def error_bound(
    algorithm: str, dtype: torch.dtype, *, L: int, N: int = 1, cond: float = 1.0
) -> float:
    """The registered bound for ``algorithm`` in ``dtype`` (relative to the max-norm)."""
    if not isinstance(algorithm, str):
        raise InvalidTypeError(f"algorithm: expected a string, got {type(algorithm).__name__}")
    if algorithm not in _MODELS:
        raise InvalidArgumentError(
            f"unknown algorithm {algorithm!r}; registered: {sorted(_MODELS)}"
        )
    return _MODELS[algorithm].bound(dtype, L=L, N=N, cond=cond)


def log2_ceil(n: int) -> float:
    """ceil(log2 n), at least 1: the depth of an FFT or a doubling tree of size n."""
    return float(max(1, math.ceil(math.log2(max(n, 2)))))


def finite_or_inf(x: float) -> float:
    """x, or inf for inf and NaN: a conditioning number that cannot be computed (overflow,
    0/0) is an unbounded one, never a small one."""
    return x if math.isfinite(x) else math.inf
