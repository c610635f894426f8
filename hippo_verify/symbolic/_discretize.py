"""Exact discretizations of the continuous system x'(t) = A x(t) + B u(t) (sympy).

Convention (the package's, see ``_systems.py``): one step of size dt maps the continuous
system to x_{k+1} = Ab x_k + Bb u_k, y_k = C x_k, with C the *same* 1 x d row as in
continuous time. The discrete convolution kernel is therefore K_k = C Ab^k Bb.
``discretize_with_output(..., output="scipy")`` also transforms C and D the way
``scipy.signal.cont2discrete`` does; that choice changes the kernel (see its docstring).

Methods, all exact (no floats):

* ``("gbt", alpha)``, alpha in [0, 1], the generalized bilinear transform
  Ab = (I - alpha dt A)^{-1} (I + (1 - alpha) dt A),  Bb = (I - alpha dt A)^{-1} dt B;
* ``"forward_euler"`` = gbt(0), ``"bilinear"`` = gbt(1/2), ``"backward_euler"`` = gbt(1);
* ``"zoh"`` (zero-order hold, u constant over the step, the exact solution then)
  Ab = e^{dt A},  Bb = int_0^dt e^{sA} ds B  (= A^{-1}(e^{dt A} - I) B when A is invertible).
  Closed forms exist here for A diagonal, nilpotent, or triangular with distinct diagonal
  entries; any other A raises ``NotImplementedError`` (the oracle layer computes it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice
from ._matrix_args import as_matrix, as_scalar, as_step, as_vector, require_alpha

__all__ = ["DISCRETIZATION_METHODS", "OUTPUT_CONVENTIONS", "discretize", "discretize_with_output"]

#: The method names ``discretize`` accepts; the generalized bilinear transform is the
#: tuple ``("gbt", alpha)``.
DISCRETIZATION_METHODS = ("forward_euler", "backward_euler", "bilinear", "zoh")
#: The output conventions of ``discretize_with_output``.
OUTPUT_CONVENTIONS = ("unchanged", "scipy")

_NAMED_ALPHA = {
    "forward_euler": sp.Integer(0),
    "bilinear": sp.Rational(1, 2),
    "backward_euler": sp.Integer(1),
}


# ---------------------------------------------------------------------------------------
# Public functions
# ---------------------------------------------------------------------------------------


def discretize(A: Any, B: Any, dt: Any, method: Any) -> tuple[sp.Matrix, sp.Matrix]:
    """Discretize x' = A x + B u with step dt, exactly: returns (Ab, Bb).

    Convention: x_{k+1} = Ab x_k + Bb u_k and y_k = C x_k with C unchanged, so the
    kernel is K_k = C Ab^k Bb.

    Formulas (M = I - alpha dt A):

    * ``("gbt", alpha)``: Ab = M^{-1}(I + (1 - alpha) dt A), Bb = M^{-1} dt B;
      ``"forward_euler"`` (alpha = 0): Ab = I + dt A, Bb = dt B;
      ``"bilinear"`` (alpha = 1/2); ``"backward_euler"`` (alpha = 1).
    * ``"zoh"``: Ab = e^{dt A}, Bb = (int_0^dt e^{sA} ds) B, which is A^{-1}(e^{dt A} - I) B
      for invertible A (entrywise (e^{dt l} - 1)/l b for A = diag(l), and dt b where l = 0).

    Arguments:
        A: d x d state matrix (exact entries; floats are read as the rationals they hold).
        B: input vector of length d (flat list, row or column).
        dt: step size, a positive number or a sympy symbol not known to be <= 0
            (use ``sp.Symbol("dt", positive=True)`` for series in dt).
        method: ``"forward_euler"``, ``"backward_euler"``, ``"bilinear"``, ``"zoh"`` or
            the tuple ``("gbt", alpha)`` with alpha a number in [0, 1].

    Returns:
        (Ab, Bb): a d x d sympy Matrix and a d x 1 sympy Matrix.

    Raises:
        InvalidTypeError: an argument of the wrong type (e.g. method neither str nor tuple).
        InvalidArgumentError: non-square A, B of the wrong length, dt <= 0 or non-finite,
            alpha outside [0, 1], an unknown method, or I - alpha dt A singular (dt alpha
            = 1/lambda for an eigenvalue lambda of A).
        NotImplementedError: ``"zoh"`` for an A that is not diagonal, nilpotent or
            triangular with distinct diagonal entries (use ``hippo_verify.oracles``).
    """
    alpha = _method_arg(method)
    A, B, dt = _system_args(A, B, dt)
    if alpha is None:
        return _zoh(A, B, dt)
    return _gbt(A, B, dt, alpha)


def discretize_with_output(
    A: Any, B: Any, C: Any, D: Any, dt: Any, method: Any, output: str = "unchanged"
) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix, sp.Expr]:
    """Discretize (A, B, C, D) with step dt: returns (Ab, Bb, Cd, Dd), exactly.

    (Ab, Bb) are those of ``discretize``. The discrete system is
    x_{k+1} = Ab x_k + Bb u_k, y_k = Cd x_k + Dd u_k, and ``output`` picks (Cd, Dd):

    * ``"unchanged"`` (the package convention): Cd = C, Dd = D. For a gbt method its
      transfer function is H(s)/(alpha z + 1 - alpha) (+ D), with
      H(s) = C (sI - A)^{-1} B and s = (z - 1)/(dt (alpha z + 1 - alpha)).
    * ``"scipy"`` (``scipy.signal.cont2discrete``): for a gbt method
      Cd = C (I - alpha dt A)^{-1}, Dd = D + alpha C Bb, whose transfer function
      Cd (zI - Ab)^{-1} Bb + Dd is exactly H(s) + D at that s; for ``"zoh"``
      Cd = C, Dd = D as in scipy. For alpha = 0 (forward Euler) both choices agree.

    Arguments:
        A, B, dt, method: as in ``discretize``.
        C: output row of length d (flat list, row or column).
        D: scalar feedthrough.
        output: ``"unchanged"`` or ``"scipy"``.

    Returns:
        (Ab, Bb, Cd, Dd): d x d, d x 1 and 1 x d sympy Matrices and a sympy expression.

    Raises:
        The errors of ``discretize``; InvalidArgumentError for C of the wrong length or an
        unknown ``output``; InvalidTypeError for a non-scalar D.
    """
    alpha = _method_arg(method)
    output = require_choice("output", output, OUTPUT_CONVENTIONS)
    A, B, dt = _system_args(A, B, dt)
    C = as_vector("C", C, length=A.rows).T
    D = as_scalar("D", D)
    Ab, Bb = _zoh(A, B, dt) if alpha is None else _gbt(A, B, dt, alpha)
    if output == "unchanged" or alpha is None or alpha == 0:
        return Ab, Bb, C, D
    # scipy solves (I - alpha dt A)^T Cd^T = C^T: Cd = C M^{-1}.
    M = _shifted(A, dt, alpha)
    Cd = _tidy_matrix(solve(M.T, C.T, lambda: _singular_step(alpha, dt)).T)
    Dd = _tidy(D + alpha * (C * Bb)[0, 0])
    return Ab, Bb, Cd, Dd


# ---------------------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------------------


def _method_arg(method: Any) -> sp.Expr | None:
    """alpha of a gbt-family method, or None for ZOH (validated, no other work)."""
    if isinstance(method, tuple):
        if len(method) != 2 or method[0] != "gbt":
            raise InvalidArgumentError(f"a tuple method must be ('gbt', alpha), got {method!r}")
        return require_alpha("alpha", method[1])
    if not isinstance(method, str):
        raise InvalidTypeError(
            f"method must be a string or a ('gbt', alpha) tuple, got {type(method).__name__}"
        )
    if method == "gbt":
        raise InvalidArgumentError("method 'gbt' needs alpha: pass ('gbt', alpha)")
    require_choice("method", method, DISCRETIZATION_METHODS)
    return None if method == "zoh" else _NAMED_ALPHA[method]


def _system_args(A: Any, B: Any, dt: Any) -> tuple[sp.Matrix, sp.Matrix, sp.Expr]:
    A = as_matrix("A", A, square=True)
    B = as_vector("B", B, length=A.rows)
    return A, B, as_step("dt", dt)


# ---------------------------------------------------------------------------------------
# Generalized bilinear transform
# ---------------------------------------------------------------------------------------


def _shifted(A: sp.Matrix, dt: sp.Expr, alpha: sp.Expr) -> sp.Matrix:
    """M = I - alpha dt A (the matrix every implicit gbt step inverts)."""
    return sp.eye(A.rows) - alpha * dt * A


def _singular_step(alpha: sp.Expr, dt: sp.Expr) -> InvalidArgumentError:
    return InvalidArgumentError(
        f"I - alpha*dt*A is singular for alpha = {alpha}, dt = {dt}: "
        f"1/(alpha*dt) = {1 / (alpha * dt)} is an eigenvalue of A, "
        "so the implicit step is undefined; choose another dt"
    )


def _gbt(A: sp.Matrix, B: sp.Matrix, dt: sp.Expr, alpha: sp.Expr) -> tuple[sp.Matrix, sp.Matrix]:
    identity = sp.eye(A.rows)
    if alpha == 0:  # explicit: no inverse needed
        return _tidy_matrix(identity + dt * A), _tidy_matrix(dt * B)
    M = _shifted(A, dt, alpha)
    rhs = sp.Matrix.hstack(identity + (1 - alpha) * dt * A, dt * B)
    solved = solve(M, rhs, lambda: _singular_step(alpha, dt))
    return _tidy_matrix(solved[:, : A.cols]), _tidy_matrix(solved[:, A.cols :])


def solve(M: sp.Matrix, rhs: sp.Matrix, singular: Callable[[], Exception]) -> sp.Matrix:
    """M^{-1} rhs exactly; raises ``singular()`` when det M is exactly zero.

    Triangular M (LegS, and every implicit step of a triangular A) is solved by
    substitution, which is fast and keeps radicals simple; any other M by LU.
    """
    if is_lower(M):
        if any(is_zero(entry) for entry in M.diagonal()):
            raise singular()
        return M.lower_triangular_solve(rhs)
    if is_lower(M.T):
        if any(is_zero(entry) for entry in M.diagonal()):
            raise singular()
        return M.upper_triangular_solve(rhs)
    if is_zero(M.det()):
        raise singular()
    return M.LUsolve(rhs)


# ---------------------------------------------------------------------------------------
# Zero-order hold: e^{tau A} and int_0^tau e^{sA} ds in closed form
# ---------------------------------------------------------------------------------------


def _zoh(A: sp.Matrix, B: sp.Matrix, dt: sp.Expr) -> tuple[sp.Matrix, sp.Matrix]:
    exp_tA, integral = exp_and_integral(A, dt)
    return exp_tA, _tidy_matrix(integral * B)


def exp_and_integral(A: sp.Matrix, tau: sp.Expr) -> tuple[sp.Matrix, sp.Matrix]:
    """(e^{tau A}, int_0^tau e^{sA} ds) in closed form for a validated square A.

    Supported: A diagonal or triangular with distinct diagonal entries (exact
    eigendecomposition, see ``Eigenbasis``) and A nilpotent (the series stops).

    Raises:
        NotImplementedError: any other A, pointing to the oracle layer.
    """
    basis = Eigenbasis.of(A)
    if basis is not None:
        return basis.apply(lambda lam: sp.exp(tau * lam)), basis.apply(
            lambda lam: _exp_integral(lam, tau)
        )
    if is_nilpotent(A):
        return _nilpotent_series(A, tau)
    raise NotImplementedError(
        "exact ZOH needs A diagonal, nilpotent, or triangular with distinct diagonal "
        f"entries; A = {A.tolist()} is none of these. Use the oracle layer "
        "(hippo_verify.oracles), which computes e^{dt A} numerically at high precision."
    )


def _exp_integral(lam: sp.Expr, tau: sp.Expr) -> sp.Expr:
    """int_0^tau e^{s lam} ds: (e^{tau lam} - 1)/lam, and tau where lam = 0."""
    return tau if is_zero(lam) else (sp.exp(tau * lam) - 1) / lam


def _nilpotent_series(A: sp.Matrix, tau: sp.Expr) -> tuple[sp.Matrix, sp.Matrix]:
    # A^d = 0, so e^{tau A} = sum_{k<d} (tau A)^k / k! and its integral are finite sums.
    exp_tA, integral, power = sp.zeros(A.rows), sp.zeros(A.rows), sp.eye(A.rows)
    for k in range(A.rows):
        exp_tA += tau**k / sp.factorial(k) * power
        integral += tau ** (k + 1) / sp.factorial(k + 1) * power
        power = power * A
    return _tidy_matrix(exp_tA), _tidy_matrix(integral)


@dataclass(frozen=True)
class Eigenbasis:
    """A = P diag(eigenvalues) P^{-1}, exactly, for A diagonal or triangular with
    distinct diagonal entries (symbolic entries count as distinct when their difference
    is not identically zero; the results then hold wherever they differ)."""

    P: sp.Matrix
    P_inv: sp.Matrix
    eigenvalues: tuple[sp.Expr, ...]

    @classmethod
    def of(cls, A: sp.Matrix) -> Eigenbasis | None:
        """The eigenbasis of A, or None when A is not of a supported class."""
        eigenvalues = tuple(A.diagonal())
        if is_diagonal(A):
            return cls(sp.eye(A.rows), sp.eye(A.rows), eigenvalues)
        lower = is_lower(A)
        if not (lower or is_lower(A.T)) or not _distinct(eigenvalues):
            return None
        if lower:
            P = _lower_eigenvectors(A)
            return cls(P, _tidy_matrix(P.lower_triangular_solve(sp.eye(A.rows))), eigenvalues)
        # Upper triangular: A^T = Q L Q^{-1} gives A = Q^{-T} L Q^T.
        Q = _lower_eigenvectors(A.T)
        Q_inv = Q.lower_triangular_solve(sp.eye(A.rows))
        return cls(_tidy_matrix(Q_inv.T), Q.T, eigenvalues)

    def apply(self, function: Callable[[sp.Expr], sp.Expr]) -> sp.Matrix:
        """function(A) = P diag(function(lambda_i)) P^{-1}."""
        values = sp.diag(*[function(lam) for lam in self.eigenvalues])
        return _tidy_matrix(self.P * values * self.P_inv)


def _distinct(values: tuple[sp.Expr, ...]) -> bool:
    return all(not is_zero(values[i] - values[j]) for i in range(len(values)) for j in range(i))


def _lower_eigenvectors(L: sp.Matrix) -> sp.Matrix:
    """Unit lower-triangular P with L P = P diag(L): forward substitution per column.

    Row i of (L - l_j I) v = 0 gives v_i = sum_{k<i} L_ik v_k / (l_j - L_ii) for i > j,
    with v_j = 1 and v_i = 0 above; the divisions need the distinct diagonal.
    """
    d = L.rows
    P = sp.eye(d)
    for j in range(d):
        for i in range(j + 1, d):
            total = sum((L[i, k] * P[k, j] for k in range(j, i)), sp.Integer(0))
            P[i, j] = _tidy(total / (L[j, j] - L[i, i]))
    return P


# ---------------------------------------------------------------------------------------
# Exact structural tests and tidying
# ---------------------------------------------------------------------------------------


def is_zero(expr: sp.Expr) -> bool:
    """True when expr is exactly zero (expansion and radical simplification)."""
    expr = sp.sympify(expr)
    if expr.is_zero is not None:
        return bool(expr.is_zero)
    return sp.expand(sp.radsimp(sp.expand(expr))) == 0


def is_lower(A: sp.Matrix) -> bool:
    return all(is_zero(A[i, j]) for i in range(A.rows) for j in range(i + 1, A.cols))


def is_diagonal(A: sp.Matrix) -> bool:
    return is_lower(A) and is_lower(A.T)


def is_nilpotent(A: sp.Matrix) -> bool:
    """A^d = 0 for the d x d matrix A (a zero trace is checked first: it is necessary)."""
    if not is_zero(A.trace()):
        return False
    if is_lower(A) or is_lower(A.T):
        return all(is_zero(entry) for entry in A.diagonal())
    return all(is_zero(entry) for entry in A**A.rows)


def _tidy(expr: sp.Expr) -> sp.Expr:
    # Rational functions of symbols: one canonical fraction; numbers: expanded sums.
    expr = sp.sympify(expr)
    if expr.free_symbols and not expr.has(sp.exp):
        return sp.cancel(expr)
    return sp.expand(expr)


def _tidy_matrix(M: sp.Matrix) -> sp.Matrix:
    return M.applyfunc(_tidy)
