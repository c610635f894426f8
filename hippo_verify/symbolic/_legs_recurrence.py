"""Exact time-varying recurrences of HiPPO-LegS, c'(t) = (A c(t) + B f(t)) / t (sympy).

The LegS system is not time-invariant, so ``discretize`` does not apply; each method below
discretizes the ODE itself on the grid t_k = t_0 + k h (t_0 > 0), with r_k = t_{k+1}/t_k:

* ``"forward_euler"``:  c_{k+1} = (I + (h/t_k) A) c_k + (h/t_k) B f_k;
* ``"backward_euler"``: (I - (h/t_{k+1}) A) c_{k+1} = c_k + (h/t_{k+1}) B f_{k+1};
* ``"bilinear"`` (the trapezoid rule, both ends of the step):
  (I - h/(2 t_{k+1}) A) c_{k+1} = (I + h/(2 t_k) A) c_k + (h/2)(B f_k/t_k + B f_{k+1}/t_{k+1});
* ``"zoh"`` (f held at f_k over [t_k, t_{k+1}], then solved exactly): with tau = log t the
  ODE is dc/dtau = A c + B f, so c_{k+1} = r_k^A c_k + A^{-1}(r_k^A - I) B f_k, where
  r^A = e^{A log r} (for LegS, eigenvalues -1..-N, r^A = P diag(r^{-n}) P^{-1} is rational
  times the radicals of A whenever r is rational).

The unit-step form of the HiPPO paper is t_k = k, h = 1 (k >= 1): forward Euler
c_{k+1} = (I + A/k) c_k + B f_k / k, backward Euler
c_{k+1} = (I - A/(k+1))^{-1} (c_k + B f_{k+1}/(k+1)). Pass ``t_k = k, h = 1``.

Convergence (measured in ``tests/symbolic/test_legs_recurrence.py``): forward and backward Euler and
ZOH with f frozen are first order, the trapezoid rule second order; ZOH is exact for a
constant f.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int, require_size
from ._discretize import Eigenbasis, exp_and_integral, is_nilpotent, is_zero, solve
from ._matrix_args import as_matrix, as_scalar, as_step, as_vector

__all__ = ["LEGS_METHODS", "legs_integrate", "legs_step"]

#: The recurrences ``legs_step`` and ``legs_integrate`` implement.
LEGS_METHODS = ("forward_euler", "backward_euler", "bilinear", "zoh")


def legs_step(
    c: Any, t_k: Any, h: Any, f_k: Any, f_next: Any, A: Any, B: Any, method: str
) -> sp.Matrix:
    """One step t_k -> t_k + h of c'(t) = (A c + B f(t))/t, exactly (formulas: module doc).

    Arguments:
        c: the state c_k at t_k, a vector of length d.
        t_k: current time, > 0 (a number or a symbol not known to be <= 0).
        h: step, > 0 (same).
        f_k: f(t_k).
        f_next: f(t_k + h) (used by the implicit methods; validated always).
        A: d x d matrix (for ``"zoh"``: diagonal, or triangular with distinct diagonal,
            or nilpotent, e.g. LegS).
        B: vector of length d.
        method: one of ``LEGS_METHODS``.

    Returns:
        c_{k+1}, a d x 1 sympy Matrix.

    Raises:
        InvalidArgumentError / InvalidTypeError: bad shapes, t_k or h not > 0, unknown
            method, or a singular implicit step (h/t_{k+1} times an eigenvalue of A
            equal to 1 or 2).
        NotImplementedError: ``"zoh"`` with an A outside the supported classes.
    """
    method = require_choice("method", method, LEGS_METHODS)
    A, B = _matrices(A, B)
    c = as_vector("c", c, length=A.rows)
    t_k, h = as_step("t_k", t_k), as_step("h", h)
    f_k, f_next = as_scalar("f_k", f_k), as_scalar("f_next", f_next)
    basis = _zoh_basis(A) if method == "zoh" else None
    return _step(A, B, c, t_k, h, f_k, f_next, method, basis)


def legs_integrate(
    A: Any,
    B: Any,
    f: Callable[[sp.Expr], Any],
    t0: Any,
    c0: Any,
    h: Any,
    steps: int,
    method: str,
) -> list[sp.Matrix]:
    """Run ``legs_step`` from (t0, c0) for ``steps`` steps of size h, exactly.

    Arguments:
        A, B, method: as in ``legs_step``.
        f: the input signal, a callable t -> exact value (called at the grid points
            t_k = t0 + k h only).
        t0: start time, > 0 (1/t is singular at 0).
        c0: state at t0, a vector of length d.
        h: step, > 0.
        steps: number of steps, 1 <= steps <= the ``symbolic_length`` size limit (4096 by
            default; ``hippo_verify.size_limits`` raises it).

    Returns:
        [c_0, c_1, ..., c_steps], exact d x 1 sympy Matrices (c_k approximates c(t0 + k h)).

    Raises:
        The errors of ``legs_step``; InvalidTypeError when f is not callable or steps is
        not an integer; InvalidArgumentError for steps < 1.
    """
    method = require_choice("method", method, LEGS_METHODS)
    A, B = _matrices(A, B)
    c = as_vector("c0", c0, length=A.rows)
    t0, h = as_step("t0", t0), as_step("h", h)
    steps = require_size("steps", require_int("steps", steps, minimum=1), "symbolic_length")
    if not callable(f):
        raise InvalidTypeError(f"f must be a callable t -> f(t), got {type(f).__name__}")
    basis = _zoh_basis(A) if method == "zoh" else None
    states = [c]
    f_k = as_scalar("f(t0)", f(t0))
    for k in range(steps):
        t_k = t0 + k * h
        f_next = as_scalar(f"f({t_k + h})", f(t_k + h))
        c = _step(A, B, c, t_k, h, f_k, f_next, method, basis)
        states.append(c)
        f_k = f_next
    return states


# ---------------------------------------------------------------------------------------
# One step
# ---------------------------------------------------------------------------------------


def _matrices(A: Any, B: Any) -> tuple[sp.Matrix, sp.Matrix]:
    A = as_matrix("A", A, square=True)
    return A, as_vector("B", B, length=A.rows)


def _zoh_basis(A: sp.Matrix) -> Eigenbasis | None:
    """The eigenbasis for r^A, or None for nilpotent A; else NotImplementedError."""
    basis = Eigenbasis.of(A)
    if basis is None and not is_nilpotent(A):
        raise NotImplementedError(
            "exact LegS ZOH needs r^A in closed form: A diagonal, nilpotent, or triangular "
            "with distinct diagonal entries. Use the oracle layer (hippo_verify.oracles) "
            "for other A."
        )
    return basis


def _step(
    A: sp.Matrix,
    B: sp.Matrix,
    c: sp.Matrix,
    t_k: sp.Expr,
    h: sp.Expr,
    f_k: sp.Expr,
    f_next: sp.Expr,
    method: str,
    basis: Eigenbasis | None,
) -> sp.Matrix:
    t_next = t_k + h
    identity = sp.eye(A.rows)
    if method == "forward_euler":
        c_next = c + (h / t_k) * (A * c + B * f_k)
    elif method == "backward_euler":
        c_next = _solve(identity - (h / t_next) * A, c + (h / t_next) * B * f_next)
    elif method == "bilinear":
        rhs = (identity + h / (2 * t_k) * A) * c + (h / 2) * B * (f_k / t_k + f_next / t_next)
        c_next = _solve(identity - h / (2 * t_next) * A, rhs)
    else:
        c_next = _zoh_step(A, B, c, t_next / t_k, f_k, basis)
    return c_next.applyfunc(_tidy)


def _zoh_step(
    A: sp.Matrix,
    B: sp.Matrix,
    c: sp.Matrix,
    ratio: sp.Expr,
    f_k: sp.Expr,
    basis: Eigenbasis | None,
) -> sp.Matrix:
    # tau = log t: over a tau-step of length log(ratio), e^{A log r} = r^A.
    if basis is None:  # nilpotent: the finite series in log(ratio)
        power, integral = exp_and_integral(A, sp.log(ratio))
        return power * c + integral * B * f_k
    power = basis.apply(lambda lam: ratio**lam)
    integral = basis.apply(lambda lam: sp.log(ratio) if is_zero(lam) else (ratio**lam - 1) / lam)
    return power * c + integral * B * f_k


def _solve(M: sp.Matrix, rhs: sp.Matrix) -> sp.Matrix:
    return solve(M, rhs, _singular_step)


def _singular_step() -> InvalidArgumentError:
    return InvalidArgumentError(
        "the implicit LegS step is singular: h/t_{k+1} (or h/(2 t_{k+1})) times an "
        "eigenvalue of A equals 1; choose another step h"
    )


def _tidy(expr: sp.Expr) -> sp.Expr:
    expr = sp.sympify(expr)
    return sp.cancel(expr) if expr.free_symbols else sp.expand(expr)
