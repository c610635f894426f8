"""S4D (seed 003): diagonal state matrices, the Vandermonde kernel, initializations, and
the conjugate-pair reduction.

Conventions: modes are the diagonal entries of the discrete state matrix, ``lam_bar``
(length M); the kernel is K_k = sum_n C_n Bb_n lam_bar_n^k = ((Bb o C) V)_k with the
Vandermonde matrix V[n, k] = lam_bar_n^k. With ``conj_pairs`` only one mode of each
conjugate pair is stored and the real kernel is 2 Re sum_n C_n Bb_n lam_bar_n^k, which
equals the full 2M-mode system whose other half is (conj(lam_bar), conj(Bb), conj(C)).
"""

from __future__ import annotations

from typing import Any, Literal

import sympy as sp

from .._errors import InvalidArgumentError
from .._validation import require_choice, require_int, require_size
from ._matrix_args import as_vector

__all__ = ["conj_pair_kernel", "s4d_init", "vandermonde", "vandermonde_kernel"]

InitKind = Literal["lin", "inv", "real"]


def vandermonde(lam_bar: Any, L: int) -> sp.Matrix:
    """V[n, k] = lam_bar_n^k for n < M, k < L (L within the ``symbolic_length`` size limit)."""
    lam_bar = as_vector("lam_bar", lam_bar)
    L = require_size("L", require_int("L", L, minimum=1), "symbolic_length")
    return sp.Matrix(len(lam_bar), L, lambda n, k: lam_bar[n] ** k)


def _diag_args(lam_bar: Any, Bb: Any, C: Any) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    lam_bar = as_vector("lam_bar", lam_bar)
    M = len(lam_bar)
    return lam_bar, as_vector("Bb", Bb, length=M), as_vector("C", C, length=M)


def vandermonde_kernel(lam_bar: Any, Bb: Any, C: Any, L: int) -> list[sp.Expr]:
    """K = (Bb o C)^T V(lam_bar, L): K_k = sum_n C_n Bb_n lam_bar_n^k, k = 0..L-1.

    This is C Ab^k Bb for Ab = diag(lam_bar), computed as one Vandermonde product.

    Arguments:
        lam_bar: the M discrete modes (diagonal of Ab).
        Bb, C: length-M input and output weights.
        L: kernel length, 1 <= L <= the ``symbolic_length`` size limit (4096 by default;
            ``hippo_verify.size_limits`` raises it).
    """
    lam_bar, Bb, C = _diag_args(lam_bar, Bb, C)
    weights = Bb.multiply_elementwise(C).T
    return [sp.expand(entry) for entry in weights * vandermonde(lam_bar, L)]


def conj_pair_kernel(lam_bar: Any, Bb: Any, C: Any, L: int) -> list[sp.Expr]:
    """K_k = 2 Re sum_n C_n Bb_n lam_bar_n^k over the stored half of the conjugate pairs.

    Equal to ``vandermonde_kernel`` of the full system (lam_bar, conj lam_bar),
    (Bb, conj Bb), (C, conj C); not equal in general if B or C are not conjugated with A.
    """
    half = vandermonde_kernel(lam_bar, Bb, C, L)
    return [sp.expand(2 * sp.re(sp.expand_complex(k))) for k in half]


def s4d_init(kind: str, N: int, *, convention: str = "paper") -> list[sp.Expr]:
    """The S4D initializations of the continuous diagonal A (one mode per conjugate pair).

    For n = 0, ..., N/2 - 1 (N is the state size, counting both modes of each pair):

    * ``"lin"`` (S4D-Lin): A_n = -1/2 + i pi n
    * ``"inv"`` (S4D-Inv): A_n = -1/2 + i (N/pi) (N/(2n+1) - 1)
    * ``"real"`` (S4D-Real): A_n = -(n+1)

    Arguments:
        kind: ``"lin"``, ``"inv"`` or ``"real"``.
        N: state size, even, 2 <= N <= the ``hippo_state`` size limit (see ``hippo``).
        convention: ``"paper"`` (the S4D paper and seed 003: Im A_n >= 0) or ``"s4"``
            (state-spaces/s4 ``dplr.py``: ``A = -real - 1j*imag``, i.e. the conjugate).

    Returns:
        N/2 exact sympy numbers.
    """
    kind = require_choice("kind", kind, ("lin", "inv", "real"))
    N = require_size("N", require_int("N", N, minimum=2), "hippo_state")
    convention = require_choice("convention", convention, ("paper", "s4"))
    if N % 2:
        raise InvalidArgumentError(f"N counts both modes of each conjugate pair; got odd N={N}")
    half = sp.Rational(1, 2)
    if kind == "lin":
        modes = [-half + sp.I * sp.pi * n for n in range(N // 2)]
    elif kind == "inv":
        modes = [-half + sp.I * N / sp.pi * (sp.Rational(N, 2 * n + 1) - 1) for n in range(N // 2)]
    else:
        modes = [-sp.Integer(n + 1) for n in range(N // 2)]
    return [sp.conjugate(m) for m in modes] if convention == "s4" else modes
