"""Companion matrices and exact characteristic-polynomial coefficients (sympy).

Convention (seed 002's layout, used by the RTF realization in ``_rtf.py``): for
a = (a_1, ..., a_d) the companion matrix has first row (-a_1, ..., -a_d), ones on the
subdiagonal and zeros elsewhere, and

    det(lambda I - companion(a)) = lambda^d + a_1 lambda^{d-1} + ... + a_d.

Coefficient vectors drop the leading 1 of the monic polynomial and list the rest from the
highest power down, so ``charpoly_coeffs(companion(a)) == a``.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._validation import require_choice
from ._matrix_args import as_matrix, as_vector

__all__ = ["CHARPOLY_METHODS", "charpoly_coeffs", "companion"]

#: The algorithms ``charpoly_coeffs`` accepts.
CHARPOLY_METHODS = ("berkowitz", "faddeev-leverrier")


def companion(a: Any) -> sp.Matrix:
    """The d x d companion matrix of lambda^d + a_1 lambda^{d-1} + ... + a_d.

    Layout (seed 002): first row (-a_1, ..., -a_d), ones on the subdiagonal, zeros
    elsewhere; its characteristic polynomial det(lambda I - companion(a)) is the polynomial
    above (expand along the first row: the (1, j) minor is block triangular with
    determinant (-1)^{j-1} lambda^{d-j}).

    Arguments:
        a: the coefficients (a_1, ..., a_d), d >= 1 (flat list, row or column; exact
            numbers or sympy expressions).

    Returns:
        A d x d sympy Matrix.

    Raises:
        InvalidTypeError: ``a`` is not vector-like or an entry is not a number/expression.
        InvalidArgumentError: ``a`` is empty (d < 1), not a vector, or has a non-finite entry.
    """
    a = as_vector("a", a)
    d = len(a)
    matrix = sp.zeros(d, d)
    for j in range(d):
        matrix[0, j] = -a[j]
    for i in range(1, d):
        matrix[i, i - 1] = 1
    return matrix


def charpoly_coeffs(A: Any, method: str = "berkowitz") -> list[sp.Expr]:
    """(a_1, ..., a_d) with det(lambda I - A) = lambda^d + a_1 lambda^{d-1} + ... + a_d.

    Methods (both exact and division-free up to the 1/k of Faddeev-LeVerrier):

    * ``"berkowitz"``: sympy's Samuelson-Berkowitz algorithm (``DomainMatrix.charpoly_berk``);
    * ``"faddeev-leverrier"``: M_0 = 0, c_0 = 1, M_k = A M_{k-1} + c_{k-1} I,
      c_k = -tr(A M_k) / k for k = 1..d; then a_k = c_k.

    Arguments:
        A: a square d x d matrix, d >= 1 (exact entries or sympy expressions).
        method: one of ``CHARPOLY_METHODS``.

    Returns:
        A list of d expanded sympy expressions (the leading 1 is dropped).

    Raises:
        InvalidTypeError: ``A`` is not matrix-like, or ``method`` is not a string.
        InvalidArgumentError: ``A`` is empty or not square, has a non-finite entry, or
            ``method`` is unknown.
    """
    A = as_matrix("A", A, square=True)
    method = require_choice("method", method, CHARPOLY_METHODS)
    coeffs = _berkowitz(A) if method == "berkowitz" else _faddeev_leverrier(A)
    return [sp.expand(c) for c in coeffs]


def _berkowitz(A: sp.Matrix) -> list[sp.Expr]:
    # The explicit Berkowitz routine: Matrix.charpoly may instead factor triangular blocks.
    dense = A.to_DM().to_dense()
    coeffs = dense.charpoly_berk()
    return [dense.domain.to_sympy(c) for c in coeffs[1:]]


def _faddeev_leverrier(A: sp.Matrix) -> list[sp.Expr]:
    d = A.rows
    identity = sp.eye(d)
    M, c = sp.zeros(d, d), sp.Integer(1)
    coeffs = []
    for k in range(1, d + 1):
        # Expanding each step keeps symbolic entries polynomial instead of nested.
        M = (A * M + c * identity).applyfunc(sp.expand)
        c = sp.expand(-(A * M).trace() / k)
        coeffs.append(c)
    return coeffs
