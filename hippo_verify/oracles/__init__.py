"""Oracle layer (mpmath): certified high-precision reference values for every kernel family.

Every function returns an ``OracleResult``: the values (mpmath numbers), the number of
significant digits certified relative to the result's max-norm (by agreement at two
working precisions), the working precision and the method. The implementation is the
single vendorable module ``hippo_verify.oracles.mp_oracles`` (mpmath + stdlib only); the
functions exported here also accept sympy numbers and matrices (exact rationals stay exact,
radicals and other constants are evaluated by sympy at each working precision).

Conventions are the symbolic layer's: K_k = C Ab^k Bb with C a row, kernels indexed from 0,
S4 systems A = diag(Lambda) - P Q^H, RTF a(z) = 1 + a_1 z + ..., b(z) = b_1 + b_2 z + ....

Size limit: each oracle estimates its work before starting (its docstring says how) and
refuses a job above ``hippo_verify.size_limits``' ``oracle_work`` ceiling (default
``DEFAULT_SIZE_LIMITS["oracle_work"]``); ``with hippo_verify.size_limits(oracle_work=n):``
raises it. These functions pass the ceiling to ``mp_oracles``, whose own knob
(``mp_oracles.work_limit``) applies when it is called directly or vendored.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from fractions import Fraction
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from .._validation import size_limit
from ..symbolic import schur_cohn_stable
from . import mp_oracles as _core
from ._sympy_inputs import from_sympy
from .mp_oracles import (
    DEFAULT_MAX_PREC as DEFAULT_MAX_PREC,
)
from .mp_oracles import (
    DISCRETIZATION_METHODS as DISCRETIZATION_METHODS,
)
from .mp_oracles import (
    MEASURES as MEASURES,
)
from .mp_oracles import (
    S5_DISCRETIZATIONS as S5_DISCRETIZATIONS,
)
from .mp_oracles import (
    SELECTIVE_DISCRETIZATIONS as SELECTIVE_DISCRETIZATIONS,
)
from .mp_oracles import (
    CertificationError as CertificationError,
)
from .mp_oracles import (
    OracleResult as OracleResult,
)

__all__ = [
    "DEFAULT_MAX_PREC",
    "DISCRETIZATION_METHODS",
    "MEASURES",
    "S5_DISCRETIZATIONS",
    "SELECTIVE_DISCRETIZATIONS",
    "CertificationError",
    "OracleResult",
    "causal_conv",
    "continuous_kernel",
    "diag_kernel",
    "discrete_kernel",
    "discretize",
    "dplr_kernel",
    "h3_diag_kernel",
    "h3_ssm",
    "hippo_projection",
    "rtf_impulse_response",
    "rtf_kernel",
    "rtf_recurrence",
    "rtf_stability",
    "s5_scan",
    "scan",
    "selective_scan",
    "shift_kernel",
    "ssd",
    "ssm_kernel",
]


@contextmanager
def package_work_limit() -> Iterator[int]:
    """The core's work ceiling set to the package's ``oracle_work`` size limit.

    Returns:
        A context manager yielding the ceiling (``mp_oracles.work_limit``).
    Raises:
        InvalidArgumentError: the ``oracle_work`` limit is unknown (never by default).
    """
    with _core.work_limit(size_limit("oracle_work")) as ceiling:
        yield ceiling


#: Integer parameters: passed on unconverted, so that the oracle's ``require_int`` sees
#: (and names in its message) what the caller gave, as the kernels' does.
_INTEGER_PARAMETERS = frozenset({"L", "N", "digits", "max_prec", "prec"})


def _accepting_sympy(core: Callable[..., Any]) -> Callable[..., Any]:
    """The core oracle with sympy arguments converted first (same signature and docs), under
    the package's ``oracle_work`` ceiling."""
    signature = inspect.signature(core)

    @functools.wraps(core)
    def oracle(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError:  # let the core report the bad call
            bound = None
        if bound is not None:
            for name, value in bound.arguments.items():
                if name not in _INTEGER_PARAMETERS:
                    bound.arguments[name] = from_sympy(value)
            args, kwargs = bound.args, bound.kwargs
        with package_work_limit():
            return core(*args, **kwargs)

    return oracle


causal_conv = _accepting_sympy(_core.causal_conv)
continuous_kernel = _accepting_sympy(_core.continuous_kernel)
diag_kernel = _accepting_sympy(_core.diag_kernel)
discrete_kernel = _accepting_sympy(_core.discrete_kernel)
discretize = _accepting_sympy(_core.discretize)
dplr_kernel = _accepting_sympy(_core.dplr_kernel)
h3_diag_kernel = _accepting_sympy(_core.h3_diag_kernel)
h3_ssm = _accepting_sympy(_core.h3_ssm)
hippo_projection = _accepting_sympy(_core.hippo_projection)
s5_scan = _accepting_sympy(_core.s5_scan)
scan = _accepting_sympy(_core.scan)
selective_scan = _accepting_sympy(_core.selective_scan)
shift_kernel = _accepting_sympy(_core.shift_kernel)
ssd = _accepting_sympy(_core.ssd)
ssm_kernel = _accepting_sympy(_core.ssm_kernel)


def _rational_coefficients(a: list) -> list[Fraction] | None:
    """The a_i if all are rational and exact algebra is affordable (d within the
    ``symbolic_state`` size limit: the exact Schur-Cohn rationals grow with d, about 40 s at
    d = 128 from float coefficients), else None (the numerical route)."""
    if len(a) > size_limit("symbolic_state"):
        return None
    return a if all(isinstance(v, Fraction) for v in a) else None


def rtf_stability(a: Any, *, prec: int = 256) -> bool | None:
    """Whether b(z)/a(z) is stable: every root of a(z) = 1 + a_1 z + ... + a_d z^d strictly
    outside the unit circle (every pole strictly inside).

    Exact Schur-Cohn verdict (``hippo_verify.symbolic.schur_cohn_stable``) when every a_i
    is rational and d is within the ``symbolic_state`` size limit (64 by default); otherwise
    ``mp_oracles.rtf_stability`` (numerical at ``prec`` and 2 ``prec`` bits).

    Arguments:
        a: (a_1, ..., a_d), real, sympy numbers allowed; prec: bits, an int >= 64.

    Returns:
        True (stable), False (a root on or inside the circle), None (numerically undecided).

    Raises:
        InvalidArgumentError / InvalidTypeError: unreadable a, prec < 64 or not an int.
    """
    a_exact = _core.exact_vector("a", from_sympy(a))
    prec = _core.require_int("prec", prec, 64)
    rational = _rational_coefficients(a_exact)
    if rational is None:
        return _core.rtf_stability(a_exact, prec=prec)
    return schur_cohn_stable([sp.Rational(v.numerator, v.denominator) for v in rational]).stable


def _refuse_exact_root_of_unity(rational: list[Fraction] | None, L: int) -> None:
    """InvalidArgumentError if the rational a(z) vanishes at an L-th root of unity, found
    exactly: gcd(a(z), z^L - 1) != 1 (the aliased kernel is not defined there)."""
    if rational is None or len(rational) >= L:
        return
    z = sp.Symbol("z")
    a_poly = sp.Poly([sp.Rational(v.numerator, v.denominator) for v in rational[::-1]] + [1], z)
    common = sp.gcd(a_poly, sp.Poly(z**L - 1, z))
    if common.degree() > 0:
        raise InvalidArgumentError(
            f"a(z) vanishes at an L-th root of unity (gcd with z^{L} - 1 is "
            f"{common.as_expr()}): the FFT algorithm divides by zero there, so the "
            "aliased kernel is not defined"
        )


def rtf_kernel(
    a: Any,
    b: Any,
    L: int,
    *,
    aliased: bool = True,
    digits: int = 30,
    max_prec: int = _core.DEFAULT_MAX_PREC,
) -> OracleResult:
    """RTF kernel of b(z)/a(z), a(z) = 1 + a_1 z + ... + a_d z^d, b(z) = b_1 + ... + b_d z^{d-1}.

    ``mp_oracles.rtf_kernel`` (formulas and algorithm there): the impulse response h_k,
    k < L (``aliased=False``), or the aliased kernel IDFT_L(DFT_L(b_pad)/DFT_L(a_pad))
    (``aliased=True``), indexed from 0. For rational a of degree d within the
    ``symbolic_state`` size limit, also: a root of a(z) at an L-th root of unity is found
    exactly (gcd(a(z), z^L - 1) != 1) and refused for the aliased kernel, and ``stable`` is
    the exact Schur-Cohn verdict (``hippo_verify.symbolic.schur_cohn_stable``).

    Arguments:
        a, b: d real coefficients each (sympy numbers allowed); L: taps, an int >= 1;
        aliased: a bool; digits, max_prec: as every oracle.
    Returns:
        OracleResult, ``values`` the L taps; ``stable`` and ``notes`` on stability.
    Raises:
        InvalidArgumentError / InvalidTypeError: as ``mp_oracles.rtf_kernel`` (bad input,
            d >= L or a root at an L-th root of unity when aliased, work above the
            ``oracle_work`` limit). CertificationError: digits not reached.
    """
    a_exact, b_exact = _core.rtf_args(from_sympy(a), from_sympy(b))
    L = _core.require_int("L", L, 1)
    with package_work_limit():  # before the exact gcd with z^L - 1 below
        _core.require_rtf_work(len(a_exact), L, aliased is True)
    rational = _rational_coefficients(a_exact)
    if aliased is True:
        _refuse_exact_root_of_unity(rational, L)
    with package_work_limit():  # the exact verdict (rtf_stability) instead of the numerical
        return _core._rtf_kernel(a_exact, b_exact, L, aliased, digits, max_prec, rtf_stability)


def rtf_impulse_response(
    a: Any, b: Any, L: int, *, digits: int = 30, max_prec: int = _core.DEFAULT_MAX_PREC
) -> OracleResult:
    """The first L taps of the power series of b(z)/a(z):
    h_k = b_{k+1} - sum_{i=1}^{min(k, d)} a_i h_{k-i} (b_{k+1} = 0 for k >= d).

    ``rtf_kernel(a, b, L, aliased=False)`` (exact stability verdict for rational a) under
    the torch kernel's name.

    Arguments:
        a, b: d real coefficients each; L: taps, an int >= 1; digits, max_prec.
    Returns:
        OracleResult, ``values`` the L taps; ``stable`` and ``notes`` as ``rtf_kernel``.
    Raises:
        As ``rtf_kernel`` with ``aliased=False``.
    """
    result = rtf_kernel(a, b, L, aliased=False, digits=digits, max_prec=max_prec)
    return dataclasses.replace(result, family="rtf_impulse_response")


def rtf_recurrence(
    a: Any, b: Any, u: Any, *, L: int, digits: int = 30, max_prec: int = _core.DEFAULT_MAX_PREC
) -> OracleResult:
    """y_k = sum_{j <= k} K_j u_{k-j}, k < len(u), K the aliased length-L RTF kernel.

    ``mp_oracles.rtf_recurrence`` (what ``kernels.rtf_recurrence`` computes) plus the exact
    checks of ``rtf_kernel`` for rational a (a root at an L-th root of unity refused
    exactly, exact stability verdict).

    Arguments:
        a, b: d real coefficients each; u: real input, 1 <= len(u) <= L; L: an int > d;
        digits, max_prec.
    Returns:
        OracleResult, ``values`` the len(u) outputs; ``stable`` and ``notes`` as
        ``rtf_kernel``.
    Raises:
        As ``rtf_kernel`` (aliased), plus u empty, complex or longer than L.
    """
    a_exact, b_exact = _core.rtf_args(from_sympy(a), from_sympy(b))
    with package_work_limit():  # before the exact gcd with z^L - 1 below
        u_exact, L = _core.require_rtf_recurrence(from_sympy(u), L, len(a_exact))
    rational = _rational_coefficients(a_exact)
    _refuse_exact_root_of_unity(rational, L)
    with package_work_limit():  # the exact verdict (rtf_stability) instead of the numerical
        return _core._rtf_recurrence(a_exact, b_exact, u_exact, L, digits, max_prec, rtf_stability)
