"""Hypothesis strategies of valid inputs for each kernel (public; needs hypothesis).

Each ``<kernel>_inputs()`` draws a mapping from the kernel's parameter names to values,
the inputs that ``ALGORITHMS[name].strategy()`` gives for the algorithms of that kernel:
array parameters as (nested) lists of Python floats or complex numbers that are dyadic
(m / 2^12, exact in float32 / complex64, see ``strategies``), the rest (L, dt, method, ...)
as Python values. The same mapping feeds the kernel (``Algorithm.run_kernel``), the
oracle twin (``Algorithm.run_oracle``) and the conditioning function
(``Algorithm.condition_of``).

Systems are small (state sizes up to ``max_N``, lengths up to ``max_L``) and stable:
continuous matrices by Gershgorin (diagonal in [-2, -1/2], off-diagonal row sums < 1/2),
discrete ones with row sums of |Ab| < 1, diagonal/DPLR systems as ``strategies``
draws them, RTF denominators with sum |a_i| <= 7/8.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from hypothesis import strategies as st

from .._validation import require_int
from .strategies import diagonal_systems, dplr_systems, dyadics, stable_polynomials

__all__ = [
    "causal_conv_inputs",
    "diag_kernel_inputs",
    "discrete_kernel_inputs",
    "discretize_inputs",
    "dplr_kernel_inputs",
    "h3_diag_kernel_inputs",
    "h3_ssm_inputs",
    "rtf_impulse_response_inputs",
    "rtf_kernel_inputs",
    "rtf_recurrence_inputs",
    "scan_inputs",
    "shift_kernel_inputs",
    "ssm_kernel_inputs",
]

_GBT_METHODS = ("bilinear", "zoh", "backward_euler")


def _sizes(max_N: Any, max_L: Any) -> tuple[int, int]:
    return require_int("max_N", max_N, minimum=1), require_int("max_L", max_L, minimum=2)


def _vector(draw: Any, n: int) -> list[float]:
    """n entries of magnitude in [1/16, 1], either sign: no zero entries, so a drawn system
    is rarely unobservable (an identically zero output has no relative error to grade)."""
    magnitude = dyadics(Fraction(1, 16), 1)
    entry = st.tuples(st.sampled_from((1, -1)), magnitude).map(lambda pair: pair[0] * pair[1])
    return draw(st.lists(entry, min_size=n, max_size=n))


def _matrix(draw: Any, N: int, diagonal: tuple[Any, Any]) -> list[list[float]]:
    """N x N with the diagonal in ``diagonal`` and |off-diagonal| <= 1/(2N) (so every
    off-diagonal row sum is < 1/2)."""
    off = Fraction(1, 2 * N)
    return [
        [draw(dyadics(*diagonal)) if i == j else draw(dyadics(-off, off)) for j in range(N)]
        for i in range(N)
    ]


def _step(draw: Any, low: Any = Fraction(1, 64), high: Any = Fraction(1, 2)) -> float:
    return draw(dyadics(low, high))


@st.composite
def _continuous(draw: Any, max_N: int, max_L: int, with_output: bool) -> dict[str, Any]:
    N = draw(st.integers(1, max_N))
    inputs: dict[str, Any] = {"A": _matrix(draw, N, (-2, Fraction(-1, 2))), "B": _vector(draw, N)}
    if with_output:
        inputs.update(C=_vector(draw, N), L=draw(st.integers(1, max_L)))
    inputs.update(dt=_step(draw), method=draw(st.sampled_from(_GBT_METHODS)))
    return inputs


def discretize_inputs(*, max_N: int = 4) -> st.SearchStrategy:
    """``dict(A, B, dt, method)``: Gershgorin-stable A, dt in [1/64, 1/2], method one of
    bilinear, zoh, backward_euler."""
    max_N, _ = _sizes(max_N, 2)
    return _continuous(max_N, 2, with_output=False)


def ssm_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(A, B, C, L, dt, method)`` as ``discretize_inputs`` plus C and L."""
    return _continuous(*_sizes(max_N, max_L), with_output=True)


@st.composite
def _discrete(draw: Any, max_N: int, max_L: int, signal: bool) -> dict[str, Any]:
    N = draw(st.integers(1, max_N))
    half = Fraction(1, 2)
    inputs: dict[str, Any] = {
        "Ab": _matrix(draw, N, (-half, half)),
        "Bb": _vector(draw, N),
        "C": _vector(draw, N),
    }
    L = draw(st.integers(1, max_L))
    if signal:
        inputs["u"] = _vector(draw, L)
    else:
        inputs["L"] = L
    return inputs


def discrete_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(Ab, Bb, C, L)`` with every row sum of |Ab| < 1 (stable)."""
    return _discrete(*_sizes(max_N, max_L), signal=False)


def scan_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(Ab, Bb, C, u)``: a discrete system as ``discrete_kernel_inputs`` and an
    input u of 1 to ``max_L`` samples in [-1, 1]."""
    return _discrete(*_sizes(max_N, max_L), signal=True)


@st.composite
def _convolution(draw: Any, max_L: int) -> dict[str, Any]:
    L, M = draw(st.integers(1, max_L)), draw(st.integers(1, max_L))
    return {"u": _vector(draw, L), "K": _vector(draw, M)}


def causal_conv_inputs(*, max_L: int = 32) -> st.SearchStrategy:
    """``dict(u, K)``: a signal and a kernel of 1 to ``max_L`` samples each."""
    _, max_L = _sizes(1, max_L)
    return _convolution(max_L)


def _diagonal(draw: Any, N: int) -> dict[str, Any]:
    lam, B, C = draw(diagonal_systems(N))
    return {"lam": lam, "B": B, "C": C}


@st.composite
def _modes(draw: Any, max_N: int, max_L: int, options: bool) -> dict[str, Any]:
    inputs = _diagonal(draw, draw(st.integers(1, max_N)))
    inputs.update(L=draw(st.integers(1, max_L)), dt=_step(draw, Fraction(1, 256), Fraction(1, 16)))
    if options:
        inputs.update(
            method=draw(st.sampled_from(("zoh", "bilinear"))), conj_pairs=draw(st.booleans())
        )
    return inputs


def diag_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(lam, B, C, L, dt, method, conj_pairs)``: ``diagonal_systems`` modes
    (Re lam in [-1, -1/64], |Im lam| <= 64), dt in [1/256, 1/16], zoh or bilinear."""
    return _modes(*_sizes(max_N, max_L), options=True)


def h3_diag_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(lam, B, C, L, dt)`` as ``diag_kernel_inputs`` (H3 fixes ZOH, pairs)."""
    return _modes(*_sizes(max_N, max_L), options=False)


@st.composite
def _dplr(draw: Any, max_N: int, max_L: int) -> dict[str, Any]:
    N = draw(st.integers(1, max_N))
    system = draw(dplr_systems(N, draw(st.integers(1, 2))))
    inputs = dict(zip(("Lambda", "P", "Q", "B", "C"), system))
    inputs.update(L=draw(st.integers(1, max_L)), dt=_step(draw, Fraction(1, 256), Fraction(1, 16)))
    return inputs


def dplr_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(Lambda, P, Q, B, C, L, dt)``: stable ``dplr_systems`` of rank 1 or 2."""
    return _dplr(*_sizes(max_N, max_L))


@st.composite
def _rtf(draw: Any, max_N: int, max_L: int, aliased: bool, signal: bool) -> dict[str, Any]:
    d = draw(st.integers(1, max_N))
    inputs: dict[str, Any] = {"a": draw(stable_polynomials(d)), "b": _vector(draw, d)}
    L = draw(st.integers(d + 1 if aliased else 1, max(max_L, d + 1)))
    if signal:
        inputs["u"] = _vector(draw, draw(st.integers(1, L)))
    inputs["L"] = L
    return inputs


def rtf_kernel_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(a, b, L)``: sum |a_i| <= 7/8 (stable), b in [-1, 1]^d, d < L."""
    return _rtf(*_sizes(max_N, max_L), aliased=True, signal=False)


def rtf_impulse_response_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(a, b, L)`` as ``rtf_kernel_inputs``, any L >= 1."""
    return _rtf(*_sizes(max_N, max_L), aliased=False, signal=False)


def rtf_recurrence_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(a, b, u, L)`` as ``rtf_kernel_inputs`` and u of 1 to L samples."""
    return _rtf(*_sizes(max_N, max_L), aliased=True, signal=True)


@st.composite
def _shift(draw: Any, max_N: int, max_L: int) -> dict[str, Any]:
    return {"C": _vector(draw, draw(st.integers(1, max_N))), "L": draw(st.integers(1, max_L))}


def shift_kernel_inputs(*, max_N: int = 6, max_L: int = 24) -> st.SearchStrategy:
    """``dict(C, L)``: d = 1 .. ``max_N`` taps (some beyond L when d > L)."""
    return _shift(*_sizes(max_N, max_L))


@st.composite
def _h3(draw: Any, max_N: int, max_L: int) -> dict[str, Any]:
    L = draw(st.integers(1, max_L))
    inputs: dict[str, Any] = {name: _vector(draw, L) for name in ("q", "k", "v")}
    inputs["shift_C"] = _vector(draw, draw(st.integers(1, max_N)))
    inputs.update(_diagonal(draw, draw(st.integers(1, max_N))))
    inputs["dt"] = _step(draw, Fraction(1, 256), Fraction(1, 16))
    return inputs


def h3_ssm_inputs(*, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(q, k, v, shift_C, lam, B, C, dt)``: one channel of L samples, a shift row of
    d <= ``max_N`` taps, ``diagonal_systems`` modes, dt in [1/256, 1/16]."""
    return _h3(*_sizes(max_N, max_L))
