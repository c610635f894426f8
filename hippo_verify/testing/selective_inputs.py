"""Hypothesis strategies of valid inputs for the selective scans (needs hypothesis).

Every real value has at most 8 significant bits and magnitude 0 or >= 2^-12, so it is exact
in bfloat16, float16, float32 and float64: the kernel in every dtype and the oracle see the
same numbers (mixed-precision kernels are graded on inputs already rounded to their dtype,
as they receive them). Complex values (complex A, S4D-style, and the B/C that go with it;
all of S5) are exact in complex64; the low-precision dtypes take real inputs only
(``Algorithm.accepts``).

Steps as Mamba initialises them: either ``delta_softplus`` with ``delta_bias`` the inverse
softplus of a step in [1e-3, 1e-1] (about [-6.9, -2.25]) and small projections
``delta`` in [-1/2, 1/2], or the step given directly in [2^-10, 2^-3]. A = -exp(.) real in
[-16, -1/2] (S4D-Real's -(n + 1) range), or S4D-style complex with Re in [-2, -1/4],
|Im| <= 8. Lengths 1 .. ``max_L`` (1 and non-powers of two included).
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from .._validation import require_int
from ._tensors import half_exact

__all__ = ["s5_scan_inputs", "selective_scan_inputs", "ssd_inputs"]


def shorts(low: float, high: float) -> st.SearchStrategy:
    """Floats of 8 significant bits in [low, high] (bfloat16-exact endpoints keep rounding
    inside the range)."""
    return st.floats(low, high, allow_nan=False, allow_infinity=False).map(half_exact)


def _array(draw: Any, shape: tuple[int, ...], values: st.SearchStrategy) -> Any:
    if not shape:
        return draw(values)
    return [_array(draw, shape[1:], values) for _ in range(shape[0])]


def _complex(re: tuple[float, float], im: tuple[float, float]) -> st.SearchStrategy:
    return st.builds(complex, shorts(*re), shorts(*im)).filter(lambda z: z != 0)


def _sizes(**limits: Any) -> dict[str, int]:
    return {name: require_int(name, value, minimum=1) for name, value in limits.items()}


#: Entries of magnitude in [1/16, 1], either sign: never zero, so a drawn output is rarely
#: identically zero (which has no relative error to grade).
_UNIT = st.tuples(st.sampled_from((1.0, -1.0)), shorts(0.0625, 1.0)).map(lambda p: p[0] * p[1])


@st.composite
def _layout(draw: Any, b: int, d: int, n: int, L: int, values: st.SearchStrategy) -> Any:
    """B or C: (d, n) constant, (b, n, L) per step, or (b, g, n, L) grouped, g | d."""
    kind = draw(st.sampled_from(("constant", "per_step", "grouped")))
    if kind == "constant":
        return _array(draw, (d, n), values)
    if kind == "per_step":
        return _array(draw, (b, n, L), values)
    g = draw(st.sampled_from([g for g in range(1, d + 1) if d % g == 0]))
    return _array(draw, (b, g, n, L), values)


@st.composite
def _selective(draw: Any, max_d: int, max_N: int, max_L: int) -> dict[str, Any]:
    b, d = draw(st.integers(1, 2)), draw(st.integers(1, max_d))
    n, L = draw(st.integers(1, max_N)), draw(st.integers(1, max_L))
    complex_A = draw(st.booleans())
    if complex_A:
        A = _array(draw, (d, n), _complex((-2.0, -0.25), (-8.0, 8.0)))
        values = _complex((-1.0, 1.0), (-1.0, 1.0))
    else:
        A = _array(draw, (d, n), shorts(-16.0, -0.5))
        values = _UNIT
    inputs: dict[str, Any] = {"u": _array(draw, (b, d, L), _UNIT)}
    softplus = draw(st.booleans())
    if softplus:
        inputs["delta"] = _array(draw, (b, d, L), shorts(-0.5, 0.5))
    else:
        inputs["delta"] = _array(draw, (b, d, L), shorts(2.0**-10, 0.125))
    inputs.update(A=A, B=draw(_layout(b, d, n, L, values)), C=draw(_layout(b, d, n, L, values)))
    if draw(st.booleans()):
        inputs["D"] = _array(draw, (d,), _UNIT)
    if draw(st.booleans()):
        inputs["z"] = _array(draw, (b, d, L), shorts(-4.0, 4.0))
    if softplus:
        inputs["delta_bias"] = _array(draw, (d,), shorts(-6.875, -2.25))
        inputs["delta_softplus"] = True
    inputs["discretization"] = draw(st.sampled_from(("mamba", "zoh")))
    return inputs


def selective_scan_inputs(*, max_d: int = 3, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(u, delta, A, B, C[, D][, z][, delta_bias, delta_softplus], discretization)``
    for ``selective_scan``: batch 1-2, 1..``max_d`` channels, 1..``max_N`` states, L in
    1..``max_L``; real or complex A; B and C each constant, per step or grouped."""
    return _selective(**_sizes(max_d=max_d, max_N=max_N, max_L=max_L))


@st.composite
def _ssd(draw: Any, max_h: int, max_N: int, max_L: int) -> dict[str, Any]:
    b, L, h = draw(st.integers(1, 2)), draw(st.integers(1, max_L)), draw(st.integers(1, max_h))
    p, n = draw(st.integers(1, 3)), draw(st.integers(1, max_N))
    g = draw(st.sampled_from([g for g in range(1, h + 1) if h % g == 0]))
    inputs: dict[str, Any] = {
        "X": _array(draw, (b, L, h, p), _UNIT),
        "dt": _array(draw, (b, L, h), shorts(2.0**-10, 0.125)),
        "A": _array(draw, (h,), shorts(-16.0, -0.5)),
        "B": _array(draw, (b, L, g, n), _UNIT),
        "C": _array(draw, (b, L, g, n), _UNIT),
    }
    if draw(st.booleans()):
        inputs["D"] = _array(draw, (h,), _UNIT)
    return inputs


def ssd_inputs(*, max_h: int = 3, max_N: int = 4, max_L: int = 24) -> st.SearchStrategy:
    """``dict(X, dt, A, B, C[, D])`` for ``ssd``: batch 1-2, 1..``max_h`` heads of dim 1-3,
    groups dividing the heads, dt in [2^-10, 2^-3], A in [-16, -1/2]."""
    return _ssd(**_sizes(max_h=max_h, max_N=max_N, max_L=max_L))


@st.composite
def _s5(draw: Any, max_P: int, max_H: int, max_L: int) -> dict[str, Any]:
    P, H = draw(st.integers(1, max_P)), draw(st.integers(1, max_H))
    b, L = draw(st.integers(1, 2)), draw(st.integers(1, max_L))
    pair = _complex((-1.0, 1.0), (-1.0, 1.0))
    inputs: dict[str, Any] = {
        "Lambda": _array(draw, (P,), _complex((-1.0, -0.125), (-4.0, 4.0))),
        "B": _array(draw, (P, H), pair),
        "C": _array(draw, (H, P), pair),
        "u": _array(draw, (b, L, H), _UNIT),
        "delta": _array(draw, (P,), shorts(2.0**-10, 0.25)),
    }
    if draw(st.booleans()):
        inputs["D"] = _array(draw, (H,), _UNIT)
    inputs["discretization"] = draw(st.sampled_from(("zoh", "bilinear")))
    inputs["conj_sym"] = draw(st.booleans())
    return inputs


def s5_scan_inputs(*, max_P: int = 4, max_H: int = 3, max_L: int = 24) -> st.SearchStrategy:
    """``dict(Lambda, B, C, u, delta[, D], discretization, conj_sym)`` for ``s5_scan``:
    Re Lambda in [-1, -1/8], |Im Lambda| <= 4, per-state steps in [2^-10, 2^-2]."""
    return _s5(**_sizes(max_P=max_P, max_H=max_H, max_L=max_L))
