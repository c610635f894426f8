"""RTF, the rational transfer function of a discrete SSM (seed 002), exactly (sympy).

Convention (the package's, see ``_systems.py``): x_{k+1} = Ab x_k + Bb u_k, y_k = C x_k
with rows for outputs, so the kernel is K_k = Cbar Ab^k Bb. Seed 002 writes y = C̄* x with
a column C̄: pass its conjugate transpose as the row ``Cbar``, and likewise ``Ct`` for its
C̃*. The identities implemented here:

* generating function and its truncation to L taps (a polynomial identity in z, from
  I - z^L Ab^L = (I - z Ab)(I + z Ab + ... + z^{L-1} Ab^{L-1})):
      G_L(z) = sum_{k<L} K_k z^k = Cbar (I - z^L Ab^L)(I - z Ab)^{-1} Bb;
* at z^L = 1 the factor z^L drops: G_L(z) = Ct (I - z Ab)^{-1} Bb with
  Ct = Cbar (I - Ab^L)  (rows: Ct multiplies from the left);
* the rational form, with a from det(lambda I - Ab) and b from
  det(lambda I - Ab + Bb Ct) - det(lambda I - Ab) = b_1 lambda^{d-1} + ... + b_d:
      Ct (I - z Ab)^{-1} Bb = (b_1 + b_2 z + ... + b_d z^{d-1}) / (1 + a_1 z + ... + a_d z^d);
* the companion realization (Ab, Bb, Ct) = (companion(a), e_1, b).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from .._validation import require_int, require_size
from ._derivation_log import exactly_equal
from ._matrix_args import as_matrix, as_scalar, as_vector
from ._polynomials import charpoly_coeffs, companion

__all__ = [
    "rational_generating_function",
    "realize",
    "transfer_function",
    "truncated_generating_function",
    "truncation_correction",
    "untruncate",
]


# ---------------------------------------------------------------------------------------
# Argument helpers
# ---------------------------------------------------------------------------------------


def _state_matrix(Ab: Any) -> sp.Matrix:
    return as_matrix("Ab", Ab, square=True)


def _row(name: str, value: Any, d: int) -> sp.Matrix:
    return as_vector(name, value, length=d).T


def _coefficient_pair(a: Any, b: Any) -> tuple[sp.Matrix, sp.Matrix]:
    a = as_vector("a", a)
    b = as_vector("b", b, length=len(a))
    return a, b


# ---------------------------------------------------------------------------------------
# Rational form and realization
# ---------------------------------------------------------------------------------------


def transfer_function(Ab: Any, Bb: Any, Ct: Any) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """The coefficients (a, b) of Ct (I - z Ab)^{-1} Bb as a rational function of z.

    Formulas (seed 002, checked in derivations/rtf.py):
    det(lambda I - Ab) = lambda^d + a_1 lambda^{d-1} + ... + a_d and
    det(lambda I - Ab + Bb Ct) - det(lambda I - Ab) = b_1 lambda^{d-1} + ... + b_d, so that

        Ct (I - z Ab)^{-1} Bb = (b_1 + b_2 z + ... + b_d z^{d-1}) / (1 + a_1 z + ... + a_d z^d).

    Both determinants are characteristic polynomials (of Ab and of Ab - Bb Ct).

    Arguments:
        Ab: d x d state matrix, d >= 1.
        Bb: input vector of length d (column, row or flat list).
        Ct: output row of length d (seed 002's C̃*; Cbar (I - Ab^L) for an L-tap kernel).

    Returns:
        (a, b): two lists of d expanded sympy expressions.

    Raises:
        InvalidTypeError: an argument is not matrix-like or has a non-numeric entry.
        InvalidArgumentError: Ab empty or not square, Bb or Ct of a length other than d,
            or a non-finite entry.
    """
    Ab = _state_matrix(Ab)
    d = Ab.rows
    Bb = as_vector("Bb", Bb, length=d)
    Ct = _row("Ct", Ct, d)
    a = charpoly_coeffs(Ab)
    closed_loop = charpoly_coeffs(Ab - Bb * Ct)
    b = [sp.expand(c - ai) for c, ai in zip(closed_loop, a)]
    return a, b


def realize(a: Any, b: Any) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """A state-space realization (Ab, Bb, Ct) of (b_1 + ... + b_d z^{d-1}) / (1 + ... + a_d z^d).

    Seed 002's companion realization: Ab = companion(a) (first row -a, ones on the
    subdiagonal), Bb = e_1, Ct = b as a row; then Ab - Bb Ct = companion(a + b), so
    ``transfer_function(*realize(a, b)) == (a, b)``.

    Arguments:
        a: denominator coefficients (a_1, ..., a_d), d >= 1.
        b: numerator coefficients (b_1, ..., b_d), the same length as a.

    Returns:
        (Ab, Bb, Ct): d x d, d x 1 and 1 x d sympy matrices.

    Raises:
        InvalidTypeError: a or b is not vector-like or has a non-numeric entry.
        InvalidArgumentError: a empty, b of another length, or a non-finite entry.
    """
    a, b = _coefficient_pair(a, b)
    d = len(a)
    Bb = sp.zeros(d, 1)
    Bb[0] = 1
    return companion(a), Bb, b.T


def rational_generating_function(a: Any, b: Any, z: Any) -> sp.Expr:
    """(b_1 + b_2 z + ... + b_d z^{d-1}) / (1 + a_1 z + ... + a_d z^d), not cancelled.

    Arguments:
        a: denominator coefficients (a_1, ..., a_d), d >= 1.
        b: numerator coefficients (b_1, ..., b_d), the same length as a.
        z: a sympy symbol, or an exact number or expression at which to evaluate.

    Returns:
        The sympy expression numerator / denominator.

    Raises:
        InvalidTypeError: a, b or z of the wrong type.
        InvalidArgumentError: a empty, b of another length, a non-finite entry, or z a
            number at which the denominator vanishes.
    """
    a, b = _coefficient_pair(a, b)
    z = as_scalar("z", z)
    numerator = sum((b[i] * z**i for i in range(len(b))), sp.Integer(0))
    denominator = 1 + sum((a[i] * z ** (i + 1) for i in range(len(a))), sp.Integer(0))
    if z.is_number and exactly_equal(denominator, 0):
        raise InvalidArgumentError(f"the denominator 1 + a_1 z + ... vanishes at z = {z}")
    return numerator / denominator


# ---------------------------------------------------------------------------------------
# Truncation to L taps
# ---------------------------------------------------------------------------------------


def truncation_correction(Ab: Any, Cbar: Any, L: int) -> sp.Matrix:
    """Ct = Cbar (I - Ab^L): the output row whose untruncated generating function equals
    the L-tap one at every z with z^L = 1 (seed 002's C̃* = C̄*(I - Ā^L)).

    Arguments:
        Ab: d x d state matrix, d >= 1.
        Cbar: output row of length d of the recurrent system (K_k = Cbar Ab^k Bb).
        L: kernel length, 1 <= L <= the ``symbolic_length`` size limit (4096 by default;
            ``hippo_verify.size_limits`` raises it).

    Returns:
        Ct, a 1 x d sympy Matrix (entries expanded).

    Raises:
        InvalidTypeError: Ab or Cbar not matrix-like, or L not an integer.
        InvalidArgumentError: Ab empty or not square, Cbar of a length other than d,
            L < 1 or above the ``symbolic_length`` size limit, or a non-finite entry.
    """
    Ab = _state_matrix(Ab)
    Cbar = _row("Cbar", Cbar, Ab.rows)
    L = require_size("L", require_int("L", L, minimum=1), "symbolic_length")
    return (Cbar * (sp.eye(Ab.rows) - Ab**L)).applyfunc(sp.expand)


def untruncate(Ab: Any, Ct: Any, L: int) -> sp.Matrix:
    """Cbar = Ct (I - Ab^L)^{-1}, the inverse of ``truncation_correction``.

    This is what inference needs after training (a, b) (seed 002): the recurrent system
    (Ab, Bb, Cbar) then has the L-tap kernel whose DFT is b/a at the L-th roots of unity.
    The inverse multiplies from the *right* of the row Ct; for the seed's column C̄ this is
    C̄ = (I - Ā^L)^{-H} C̃, not (I - Ā^L)^{-1} C̃.

    Arguments:
        Ab: d x d state matrix, d >= 1.
        Ct: output row of length d.
        L: kernel length, 1 <= L <= the ``symbolic_length`` size limit (4096 by default;
            ``hippo_verify.size_limits`` raises it).

    Returns:
        Cbar, a 1 x d sympy Matrix (entries cancelled rational functions).

    Raises:
        InvalidTypeError: Ab or Ct not matrix-like, or L not an integer.
        InvalidArgumentError: Ab empty or not square, Ct of a length other than d, L < 1
            or above the ``symbolic_length`` size limit,
            a non-finite entry, or I - Ab^L singular (some eigenvalue of Ab is an L-th
            root of unity, so Ct does not determine Cbar).
    """
    Ab = _state_matrix(Ab)
    Ct = _row("Ct", Ct, Ab.rows)
    L = require_size("L", require_int("L", L, minimum=1), "symbolic_length")
    M = sp.eye(Ab.rows) - Ab**L
    det = sp.expand(M.det(method="berkowitz"))
    if exactly_equal(det, 0):
        raise InvalidArgumentError(
            f"I - Ab^{L} is singular: some eigenvalue of Ab is an {L}-th root of unity, "
            "so Cbar is not determined by Ct"
        )
    # Adjugate / det: exact for symbolic entries, no pivot that might be a hidden zero.
    return (Ct * M.adjugate(method="berkowitz")).applyfunc(lambda e: sp.cancel(e / det))


def truncated_generating_function(Ab: Any, Bb: Any, Cbar: Any, L: int, z: Any) -> sp.Expr:
    """G_L(z) = Cbar (I - z^L Ab^L)(I - z Ab)^{-1} Bb, the polynomial sum_{k<L} K_k z^k.

    The product is formed as a rational function in a dummy variable w, with
    (I - w Ab)^{-1} = adj(I - w Ab) / det(I - w Ab), cancelled to the polynomial it is,
    and then evaluated at z; so a z at which I - z Ab is singular is fine (the
    singularity is removable).

    Arguments:
        Ab: d x d state matrix, d >= 1.
        Bb: input vector of length d.
        Cbar: output row of length d.
        L: kernel length, 1 <= L <= the ``symbolic_length`` size limit (4096 by default;
            ``hippo_verify.size_limits`` raises it).
        z: a sympy symbol, or an exact number or expression.

    Returns:
        A sympy expression, a polynomial of degree < L in z.

    Raises:
        InvalidTypeError: an argument of the wrong type (L not an integer, z not a scalar).
        InvalidArgumentError: Ab empty or not square, Bb or Cbar of a length other than d,
            L < 1 or above the ``symbolic_length`` size limit, or a non-finite entry.
    """
    Ab = _state_matrix(Ab)
    d = Ab.rows
    Bb = as_vector("Bb", Bb, length=d)
    Cbar = _row("Cbar", Cbar, d)
    L = require_size("L", require_int("L", L, minimum=1), "symbolic_length")
    z = as_scalar("z", z)
    w = sp.Dummy("w")
    resolvent = sp.eye(d) - w * Ab
    numerator = Cbar * (sp.eye(d) - w**L * Ab**L) * resolvent.adjugate(method="berkowitz") * Bb
    polynomial = sp.cancel(numerator[0, 0] / resolvent.det(method="berkowitz"))
    return sp.expand(polynomial.subs(w, z))
