"""Hypothesis strategies that draw valid state-space systems (public; needs hypothesis).

Exactness. Every number a strategy here draws is a dyadic rational m / 2^bits (``bits``
defaults to 12) with an integer |m| < 2^24, so it is exactly a Python float and exactly
representable in float32 / complex64, hence in float64 / complex128 too. Give the same
Python numbers to the oracles (which read floats exactly) and, through ``to_tensor`` (which
refuses any rounding), to a torch kernel: oracle and kernel then see identical inputs, and
any difference is the kernel's error. The exceptions are stated where they occur: the
"roots" flavour of ``stable_polynomials`` (coefficients of a product of d factors) and the
irrational HiPPO matrices of ``hippo_systems`` (exact sympy; round them with ``round_to``
and give the rounded numbers to both sides).

Output type. Systems are plain Python lists of numbers (``float`` or ``complex``; matrices
as lists of rows), bundled in named tuples; ``to_tensor`` converts one of them to a torch
tensor of a chosen dtype. Lists feed the mpmath oracles and the torch kernels alike.

Strategies:

* ``dyadics``: exactly representable floats in an interval;
* ``stable_polynomials(d)``: RTF denominators a = (a_1, ..., a_d) in seed 002's convention
  a(z) = 1 + a_1 z + ... + a_d z^d, with every pole (root of z^d + a_1 z^{d-1} + ... + a_d)
  strictly inside the unit disk; ``stable_poles`` and ``polynomial_from_poles`` are its parts;
* ``diagonal_systems(N)``: S4D systems (lam, B, C) with Re lam < 0;
* ``dplr_systems(N, r)``: S4 systems A = diag(Lambda) - P Q^H whose every eigenvalue has
  negative real part;
* ``hippo_systems()``: (measure, N, exact A, exact B, dt) with dt log-uniform;
* ``input_signals(L)``: input sequences u.

Conventions are the oracles' (``hippo_verify.oracles.mp_oracles``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any, NamedTuple

import sympy as sp
from hypothesis import assume
from hypothesis import strategies as st

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int
from ..oracles import mp_oracles
from ..symbolic import HIPPO_MEASURES, hippo
from ._tensors import round_to as round_to
from ._tensors import to_tensor as to_tensor

__all__ = [
    "DEFAULT_BITS",
    "DPLRSystem",
    "DiagonalSystem",
    "HippoSystem",
    "diagonal_systems",
    "dplr_systems",
    "dyadics",
    "hippo_systems",
    "input_signals",
    "polynomial_from_poles",
    "round_to",
    "stable_poles",
    "stable_polynomials",
    "to_tensor",
]

#: Default resolution: numbers are multiples of 2^-DEFAULT_BITS.
DEFAULT_BITS = 12
#: Significand bits of float32: |m| < 2^24 keeps m / 2^bits exact in float32.
_FLOAT32_BITS = 24
_POLYNOMIAL_METHODS = ("sum_abs", "roots")


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _require_bits(bits: Any) -> int:
    bits = require_int("bits", bits, minimum=0)
    if bits > 60:
        raise InvalidArgumentError(f"bits must be <= 60, got {bits}")
    return bits


def _require_real(name: str, value: Any) -> Fraction:
    if isinstance(value, bool) or not isinstance(value, (int, float, Fraction)):
        raise InvalidTypeError(f"{name}: expected a real number, got {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise InvalidArgumentError(f"{name}: must be finite, got {value!r}")
    return Fraction(value)


def _integer_range(name: str, low: Fraction, high: Fraction, bits: int) -> tuple[int, int]:
    """The m with low <= m / 2^bits <= high, refusing a range that is empty or too wide."""
    scale = 2**bits
    m_low, m_high = math.ceil(low * scale), math.floor(high * scale)
    if m_low > m_high:
        raise InvalidArgumentError(
            f"{name}: no multiple of 2^-{bits} lies in [{float(low)}, {float(high)}]"
        )
    if max(abs(m_low), abs(m_high)) >= 2**_FLOAT32_BITS:
        raise InvalidArgumentError(
            f"{name}: values up to {float(max(abs(low), abs(high)))} at resolution 2^-{bits} "
            f"need more than {_FLOAT32_BITS} significand bits (not exact in float32); "
            "lower bits or the range"
        )
    return m_low, m_high


# ---------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------


def dyadics(min_value: Any, max_value: Any, *, bits: int = DEFAULT_BITS) -> st.SearchStrategy:
    """Floats m / 2^bits in [min_value, max_value], m an integer with |m| < 2^24.

    Each value is exact as a Python float and in float32 (so in every float dtype with at
    least 24 significand bits). Shrinks towards 0 (or the endpoint nearest to it).

    Raises:
        InvalidArgumentError: no such value in the range, or a range too wide for 24 bits.
    """
    bits = _require_bits(bits)
    low, high = _require_real("min_value", min_value), _require_real("max_value", max_value)
    m_low, m_high = _integer_range("dyadics", low, high, bits)
    return st.integers(m_low, m_high).map(lambda m: m / 2**bits)


def _dyadic_complex(re: tuple[Any, Any], im: tuple[Any, Any], bits: int) -> st.SearchStrategy:
    return st.builds(complex, dyadics(*re, bits=bits), dyadics(*im, bits=bits))


# ---------------------------------------------------------------------------------------
# Stable polynomials (RTF denominators)
# ---------------------------------------------------------------------------------------


@st.composite
def stable_poles(
    draw: Any, d: int, *, r_max: Any = Fraction(7, 8), bits: int = DEFAULT_BITS
) -> list[complex]:
    """d poles, closed under conjugation, each with |p| <= r_max < 1.

    Draws d // 2 poles p with Im p >= 0 (radius a dyadic in [0, r_max], angle in
    [0, pi], each coordinate truncated towards zero to a multiple of 2^-bits) and adds
    conj(p) for each; for odd d one more real pole in [-r_max, r_max]. Every pole is a
    complex number with dyadic parts, exact in complex64. Order: p_1, conj p_1, p_2, ...
    """
    d = require_int("d", d, minimum=1)
    bits = _require_bits(bits)
    r_max = _require_real("r_max", r_max)
    if not 0 < r_max < 1:
        raise InvalidArgumentError(f"r_max must lie in (0, 1), got {r_max}")
    scale = 2**bits
    limit2 = r_max**2 * scale**2  # |m|^2 bound on the integer grid
    poles: list[complex] = []
    for _ in range(d // 2):
        r = draw(dyadics(0, r_max, bits=bits))
        theta = draw(st.floats(0, math.pi))
        re_m = int(r * math.cos(theta) * scale)  # int() truncates towards zero
        im_m = abs(int(r * math.sin(theta) * scale))
        while re_m * re_m + im_m * im_m > limit2:  # float rounding when |p| = r_max
            if abs(re_m) >= im_m:
                re_m -= 1 if re_m > 0 else -1
            else:
                im_m -= 1
        p = complex(re_m / scale, im_m / scale)
        poles += [p, p.conjugate()]
    if d % 2:
        poles.append(complex(draw(dyadics(-r_max, r_max, bits=bits))))
    return poles


def polynomial_from_poles(poles: Sequence[Any]) -> list[Fraction]:
    """(a_1, ..., a_d), exact, with z^d + a_1 z^{d-1} + ... + a_d = prod_i (z - p_i).

    Arguments:
        poles: complex numbers with rational parts (floats, complex, Fractions), closed
            under conjugation so that the coefficients are real.

    Returns:
        d Fractions. In seed 002's convention a(z) = 1 + a_1 z + ... + a_d z^d, these are
        the RTF denominator whose poles are ``poles``.

    Raises:
        InvalidArgumentError: no poles, or poles not closed under conjugation.
    """
    if not poles:
        raise InvalidArgumentError("polynomial_from_poles: give at least one pole")
    parts = []
    for p in poles:
        z = complex(p)
        parts.append((Fraction(z.real), Fraction(z.imag)))
    coeffs = [(Fraction(1), Fraction(0))]  # highest power first
    for p_re, p_im in parts:  # multiply by (z - p)
        shifted = coeffs + [(Fraction(0), Fraction(0))]
        for i in range(1, len(shifted)):
            c_re, c_im = coeffs[i - 1]
            shifted[i] = (
                shifted[i][0] - (c_re * p_re - c_im * p_im),
                shifted[i][1] - (c_re * p_im + c_im * p_re),
            )
        coeffs = shifted
    if any(im for _, im in coeffs):
        raise InvalidArgumentError(
            "polynomial_from_poles: the poles are not closed under conjugation (complex "
            "coefficients)"
        )
    return [re_ for re_, _ in coeffs[1:]]


@st.composite
def _sum_abs_polynomials(draw: Any, d: int, margin: Fraction, bits: int) -> list[float]:
    scale = 2**bits
    budget = math.floor((1 - margin) * scale)
    m = [draw(st.integers(-scale, scale)) for _ in range(d)]
    total = sum(abs(v) for v in m)
    if total > budget:  # shrink towards zero, exactly, until sum |m| <= budget
        m = [int(Fraction(v * budget, total)) for v in m]
    return [v / scale for v in m]


@st.composite
def _root_polynomials(
    draw: Any, d: int, r_max: Fraction, bits: int, exact: bool
) -> list[float] | list[Fraction]:
    poles = draw(stable_poles(d, r_max=r_max, bits=bits))
    coefficients = polynomial_from_poles(poles)
    if exact:
        return coefficients
    rounded = [float(c) for c in coefficients]
    # Rounding moves the poles a little; keep only draws still certified stable.
    assume(mp_oracles.rtf_stability(rounded) is True)
    return rounded


def stable_polynomials(
    d: int,
    *,
    method: str = "sum_abs",
    margin: Any = Fraction(1, 8),
    r_max: Any = Fraction(7, 8),
    bits: int = DEFAULT_BITS,
    exact: bool = False,
) -> st.SearchStrategy:
    """Stable RTF denominators a = [a_1, ..., a_d] (seed 002: a(z) = 1 + a_1 z + ...).

    Stable means every pole, i.e. every root of z^d + a_1 z^{d-1} + ... + a_d, lies
    strictly inside the unit disk (equivalently every root of a(z) strictly outside it;
    ``hippo_verify.oracles.rtf_stability`` and ``hippo_verify.symbolic.schur_cohn_stable``
    decide it). Two flavours:

    * ``method="sum_abs"``: d integers m_i uniform in [-2^bits, 2^bits]; if
      sum |m_i| > floor((1 - margin) 2^bits) they are scaled down (exactly, rounding each
      towards zero) to fit; a_i = m_i / 2^bits. So sum |a_i| <= 1 - margin, seed 002's
      sufficient condition, and every a_i is exact in float32. Always stable, but only a
      corner of the stable set (the poles of such polynomials cluster well inside the disk).
    * ``method="roots"``: poles drawn by ``stable_poles(d, r_max=r_max, bits=bits)``
      (conjugate pairs, |p| <= r_max < 1) and a = ``polynomial_from_poles(poles)``. With
      ``exact=True`` the Fractions are returned and the poles are exactly the drawn ones.
      With ``exact=False`` (default) each coefficient is rounded to the nearest float64
      (exact in float64, generally not in float32: use ``round_to``), which moves the
      poles slightly; draws no longer certified stable by ``mp_oracles.rtf_stability``
      after rounding are rejected.

    Returns:
        A strategy of lists of d floats (``Fraction`` for ``exact=True``).
    """
    d = require_int("d", d, minimum=1)
    method = require_choice("method", method, _POLYNOMIAL_METHODS)
    bits = _require_bits(bits)
    if not isinstance(exact, bool):
        raise InvalidTypeError(f"exact: expected a bool, got {exact!r}")
    if method == "sum_abs":
        margin = _require_real("margin", margin)
        if not 0 < margin <= 1:
            raise InvalidArgumentError(f"margin must lie in (0, 1], got {margin}")
        _integer_range("stable_polynomials", Fraction(-1), Fraction(1), bits)
        polynomials = _sum_abs_polynomials(d, margin, bits)
        return polynomials.map(lambda a: [Fraction(v) for v in a]) if exact else polynomials
    r_max = _require_real("r_max", r_max)
    if not 0 < r_max < 1:
        raise InvalidArgumentError(f"r_max must lie in (0, 1), got {r_max}")
    return _root_polynomials(d, r_max, bits, exact)


# ---------------------------------------------------------------------------------------
# Systems
# ---------------------------------------------------------------------------------------


class DiagonalSystem(NamedTuple):
    """A diagonal (S4D) system: A = diag(lam), input B, output row C; N complex each."""

    lam: list[complex]
    B: list[complex]
    C: list[complex]


class DPLRSystem(NamedTuple):
    """A = diag(Lambda) - P Q^H; P, Q are N x r (lists of N rows of r complex numbers)."""

    Lambda: list[complex]
    P: list[list[complex]]
    Q: list[list[complex]]
    B: list[complex]
    C: list[complex]


class HippoSystem(NamedTuple):
    """A HiPPO system in the canonical convention: exact sympy (A, B) and a step dt."""

    measure: str
    N: int
    A: sp.Matrix
    B: sp.Matrix
    dt: Fraction


def _interval(name: str, value: Any) -> tuple[Fraction, Fraction]:
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise InvalidTypeError(f"{name}: expected a (low, high) pair, got {value!r}")
    low, high = (_require_real(name, v) for v in value)
    if low > high:
        raise InvalidArgumentError(f"{name}: low {low} > high {high}")
    return low, high


def diagonal_systems(
    N: int,
    *,
    decay: Any = (Fraction(1, 64), 1),
    frequency: Any = (-64, 64),
    weights: Any = (-1, 1),
    real_weights: bool = False,
    bits: int = DEFAULT_BITS,
) -> st.SearchStrategy:
    """Diagonal systems ``DiagonalSystem(lam, B, C)`` with N modes and Re lam_n < 0.

    Draws, independently for each n < N (every part a multiple of 2^-bits, exact in
    complex64):

    * lam_n = -x + i y with x in ``decay`` = (low, high), low > 0, and y in ``frequency``;
    * B_n, C_n with real and imaginary parts in ``weights`` (imaginary part 0 when
      ``real_weights``).

    The lists feed ``hippo_verify.oracles.diag_kernel`` (with ``conj_pairs`` as the kernel
    under test uses it) and, through ``to_tensor(..., torch.complex64/128)``, the kernels.
    """
    N = require_int("N", N, minimum=1)
    bits = _require_bits(bits)
    d_low, d_high = _interval("decay", decay)
    if d_low <= 0:
        raise InvalidArgumentError(f"decay: the lower end must be > 0 (Re lam < 0), got {d_low}")
    f_low, f_high = _interval("frequency", frequency)
    w_low, w_high = _interval("weights", weights)
    lam = _dyadic_complex((-d_high, -d_low), (f_low, f_high), bits)
    if real_weights:
        weight = dyadics(w_low, w_high, bits=bits).map(complex)
    else:
        weight = _dyadic_complex((w_low, w_high), (w_low, w_high), bits)
    lists = [st.lists(s, min_size=N, max_size=N) for s in (lam, weight, weight)]
    return st.builds(DiagonalSystem, *lists)


def _fraction_norm2(rows: list[list[complex]]) -> Fraction:
    return sum(
        (Fraction(v.real) ** 2 + Fraction(v.imag) ** 2 for row in rows for v in row),
        Fraction(0),
    )


@st.composite
def _dplr(
    draw: Any, N: int, r: int, decay: tuple, frequency: tuple, weights: tuple, tied: bool, bits: int
) -> DPLRSystem:
    diagonal = draw(
        diagonal_systems(N, decay=decay, frequency=frequency, weights=weights, bits=bits)
    )
    entry = _dyadic_complex(weights, weights, bits)
    P = [[draw(entry) for _ in range(r)] for _ in range(N)]
    Q = P if tied else [[draw(entry) for _ in range(r)] for _ in range(N)]
    gap = min(Fraction(-v.real) for v in diagonal.lam)
    # ||P Q^H||_2 <= |P|_F |Q|_F; halve both (exactly) until that is < min -Re Lambda.
    while _fraction_norm2(P) * _fraction_norm2(Q) >= gap**2 and not tied:
        P = [[v / 2 for v in row] for row in P]
        Q = [[v / 2 for v in row] for row in Q]
    if tied:
        Q = [list(row) for row in P]
    return DPLRSystem(diagonal.lam, P, Q, diagonal.B, diagonal.C)


def dplr_systems(
    N: int,
    r: int = 1,
    *,
    decay: Any = (Fraction(1, 2), 1),
    frequency: Any = (-64, 64),
    weights: Any = (-1, 1),
    tied: bool = False,
    bits: int = DEFAULT_BITS,
) -> st.SearchStrategy:
    """S4 systems ``DPLRSystem(Lambda, P, Q, B, C)``, A = diag(Lambda) - P Q^H, all stable.

    Lambda, B, C are drawn as by ``diagonal_systems(N, decay=..., frequency=...,
    weights=...)``; P and Q are N x r with complex entries whose parts lie in ``weights``.
    Stability of A is guaranteed through its Hermitian part H = (A + A^H)/2: every
    eigenvalue mu of A has Re mu <= max eig H.

    * ``tied=True`` (S4's NPLR form): Q = P, so H = diag(Re Lambda) - P P^H is negative
      definite.
    * ``tied=False``: P and Q independent; both are halved (exactly) until
      |P|_F^2 |Q|_F^2 < (min_n -Re Lambda_n)^2 (checked in exact rationals), so
      ||P Q^H||_2 < min -Re Lambda and H is negative definite.

    Halving keeps every entry exact in complex64 (a dyadic with the same significand).
    """
    N = require_int("N", N, minimum=1)
    r = require_int("r", r, minimum=1)
    bits = _require_bits(bits)
    if not isinstance(tied, bool):
        raise InvalidTypeError(f"tied: expected a bool, got {tied!r}")
    decay, frequency, weights = (
        _interval(name, value)
        for name, value in (("decay", decay), ("frequency", frequency), ("weights", weights))
    )
    if decay[0] <= 0:
        raise InvalidArgumentError(f"decay: the lower end must be > 0, got {decay[0]}")
    return _dplr(N, r, decay, frequency, weights, tied, bits)


@functools.lru_cache(maxsize=256)
def _hippo_cached(measure: str, N: int) -> tuple[sp.ImmutableMatrix, sp.ImmutableMatrix]:
    A, B = hippo(measure, N)
    return sp.ImmutableMatrix(A), sp.ImmutableMatrix(B)


def _float32_dyadic_in(value: float, low: Fraction, high: Fraction) -> Fraction:
    """``value`` rounded to 24 significant bits, kept inside [low, high]."""
    exponent = math.floor(math.log2(value))
    step = Fraction(2) ** (exponent - (_FLOAT32_BITS - 1))
    result = round(Fraction(value) / step) * step
    if result < low:
        result = math.ceil(low / step) * step
    if result > high:
        result = math.floor(high / step) * step
    return result


@st.composite
def _hippo(
    draw: Any, measures: tuple[str, ...], N: tuple[int, int], dt: tuple[Fraction, Fraction]
) -> HippoSystem:
    measure = draw(st.sampled_from(measures))
    n = draw(st.integers(*N))
    log_low, log_high = math.log10(dt[0]), math.log10(dt[1])
    step = _float32_dyadic_in(10 ** draw(st.floats(log_low, log_high)), *dt)
    A, B = _hippo_cached(measure, n)
    return HippoSystem(measure, n, sp.Matrix(A), sp.Matrix(B), step)


def hippo_systems(
    *,
    measures: Sequence[str] = HIPPO_MEASURES,
    N: Any = (1, 8),
    dt: Any = (Fraction(1, 1000), Fraction(1, 10)),
) -> st.SearchStrategy:
    """Canonical HiPPO systems ``HippoSystem(measure, N, A, B, dt)``.

    Draws a measure from ``measures`` (default legt, legs, lagt, fout), N uniform in the
    closed range ``N``, and dt log-uniform in ``dt`` = (low, high) (10^x with x uniform in
    [log10 low, log10 high], rounded to 24 significant bits, so dt is a Fraction exactly
    representable in float32, kept inside [low, high]). A and B are the exact sympy
    matrices of ``hippo_verify.symbolic.hippo(measure, N)`` (N x N and N x 1; LegT, LegS
    and FouT contain square roots: use ``round_to`` before handing them to a kernel, and
    give the oracle the same rounded numbers when it should see the kernel's inputs).
    """
    measures = tuple(measures)
    if not measures:
        raise InvalidArgumentError("measures: give at least one measure")
    for measure in measures:
        require_choice("measure", measure, HIPPO_MEASURES)
    if not isinstance(N, (tuple, list)) or len(N) != 2:
        raise InvalidTypeError(f"N: expected a (low, high) pair of ints, got {N!r}")
    n_low, n_high = (require_int("N", v, minimum=1) for v in N)
    if n_low > n_high:
        raise InvalidArgumentError(f"N: low {n_low} > high {n_high}")
    dt_low, dt_high = _interval("dt", dt)
    if dt_low <= 0:
        raise InvalidArgumentError(f"dt: the lower end must be > 0, got {dt_low}")
    return _hippo(measures, (n_low, n_high), (dt_low, dt_high))


def input_signals(
    L: int,
    *,
    max_abs: Any = 1,
    complex_values: bool = False,
    bits: int = DEFAULT_BITS,
) -> st.SearchStrategy:
    """Input sequences u of length L: a list of L floats in [-max_abs, max_abs].

    Each u_k is a multiple of 2^-bits, exact in float32; with ``complex_values`` each is a
    complex number whose two parts are drawn that way.
    """
    L = require_int("L", L, minimum=1)
    bits = _require_bits(bits)
    bound = _require_real("max_abs", max_abs)
    if bound < 0:
        raise InvalidArgumentError(f"max_abs must be >= 0, got {bound}")
    value = (
        _dyadic_complex((-bound, bound), (-bound, bound), bits)
        if complex_values
        else dyadics(-bound, bound, bits=bits)
    )
    return st.lists(value, min_size=L, max_size=L)
