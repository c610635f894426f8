"""Exact time-varying LegS recurrences for c'(t) = (A c + B f(t))/t.

The reference solution is the projection itself, c_n(t) = (1/t) int_0^t f(s) p_n(2s/t - 1) ds
with p_n = sqrt(2n+1) P_n, computed here with sympy ``integrate`` (it solves the LegS ODE:
see ``derivations/hippo_legs.py``); each step is checked against its defining equation
written out here, and the convergence order is measured on a sequence of steps.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
import sympy as sp

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic import hippo
from hippo_verify.symbolic._legs_recurrence import legs_integrate, legs_step

s = sp.Symbol("s", positive=True)
t = sp.Symbol("t", positive=True)
h_sym = sp.Symbol("h", positive=True)
N = 3
A3, B3 = hippo("legs", N)
HALF = sp.Rational(1, 2)
ORDER = {"forward_euler": 1, "backward_euler": 1, "bilinear": 2, "zoh": 1}


@functools.cache
def _projection(f: sp.Expr, N: int, lower: int = 0) -> sp.Matrix:
    """c_n(t) = (1/t) int_lower^t f(s) p_n(2s/t - 1) ds, exactly, as functions of t."""
    return sp.Matrix(
        [
            sp.expand(
                sp.integrate(f * sp.sqrt(2 * n + 1) * sp.legendre(n, 2 * s / t - 1), (s, lower, t))
                / t
            )
            for n in range(N)
        ]
    )


def _signal(f: sp.Expr):
    return lambda time: f.subs(s, time)


def _max_error(c: sp.Matrix, exact: sp.Matrix) -> float:
    # Exact error first, rounded only for the logarithm.
    return max(abs(float(sp.N(e, 30))) for e in c - exact)


# ---------------------------------------------------------------------------------------
# One step against its defining equation
# ---------------------------------------------------------------------------------------

C_K, T_K, H, F_K, F_NEXT = sp.Matrix([1, 2, 3]), sp.Rational(3, 2), sp.Rational(1, 4), 2, -1


def _step(method, **overrides):
    args = {"c": C_K, "t_k": T_K, "h": H, "f_k": F_K, "f_next": F_NEXT} | overrides
    return legs_step(args["c"], args["t_k"], args["h"], args["f_k"], args["f_next"], A3, B3, method)


def _rate(c, time, f):
    """The right-hand side (A c + B f) / t."""
    return (A3 * c + B3 * f) / time


def test_forward_euler_step():
    c_next = _step("forward_euler")
    assert (c_next - C_K - H * _rate(C_K, T_K, F_K)).applyfunc(sp.expand).is_zero_matrix


def test_backward_euler_step():
    c_next = _step("backward_euler")
    residual = c_next - C_K - H * _rate(c_next, T_K + H, F_NEXT)
    assert residual.applyfunc(sp.expand).is_zero_matrix


def test_bilinear_step_is_the_trapezoid_rule():
    c_next = _step("bilinear")
    residual = c_next - C_K - H / 2 * (_rate(C_K, T_K, F_K) + _rate(c_next, T_K + H, F_NEXT))
    assert residual.applyfunc(sp.expand).is_zero_matrix


def test_zoh_step_solves_the_ode_with_f_frozen():
    """With a symbolic step h, c(t_k + h) solves dc/dh = (A c + B f_k)/(t_k + h), c(0) = c_k."""
    c_of_h = _step("zoh", h=h_sym)
    residual = c_of_h.diff(h_sym) - _rate(c_of_h, T_K + h_sym, F_K)
    assert residual.applyfunc(sp.cancel).is_zero_matrix
    assert c_of_h.subs(h_sym, 0).applyfunc(sp.expand) == C_K
    assert _step("zoh") == c_of_h.subs(h_sym, H).applyfunc(sp.expand)


@pytest.mark.parametrize(
    "A",
    [sp.Matrix([[0, 0], [1, 0]]), sp.diag(0, -1), sp.Matrix([[-1, 2], [0, HALF]])],
    ids=["nilpotent", "diagonal_with_0", "upper_triangular"],
)
def test_zoh_step_of_other_matrices_solves_the_frozen_ode(A):
    """Nilpotent A (series in log r), an eigenvalue 0 (the integral gives log r), upper
    triangular: c(t_k + h) solves dc/dh = (A c + B f_k)/(t_k + h) with c(0) = c_k."""
    B, c = sp.Matrix([1, -1]), sp.Matrix([2, 3])
    c_of_h = legs_step(c, T_K, h_sym, F_K, F_NEXT, A, B, "zoh")
    residual = c_of_h.diff(h_sym) - (A * c_of_h + B * F_K) / (T_K + h_sym)
    assert residual.applyfunc(sp.simplify).is_zero_matrix
    assert c_of_h.subs(h_sym, 0).applyfunc(sp.simplify) == c


def test_unit_step_form_of_the_paper():
    """t_k = k, h = 1: c_{k+1} = (I + A/k) c_k + B f_k/k (forward) and
    c_{k+1} = (I - A/(k+1))^{-1} (c_k + B f_{k+1}/(k+1)) (backward)."""
    k, I3 = 4, sp.eye(N)
    forward = _step("forward_euler", t_k=k, h=1)
    backward = _step("backward_euler", t_k=k, h=1)
    assert (forward - ((I3 + A3 / k) * C_K + B3 * F_K / k)).applyfunc(sp.expand).is_zero_matrix
    expected = (I3 - A3 / (k + 1)).inv() * (C_K + B3 * F_NEXT / (k + 1))
    assert (backward - expected).applyfunc(sp.expand).is_zero_matrix


# ---------------------------------------------------------------------------------------
# Exactness on polynomial signals (the methods' reproduction degrees)
# ---------------------------------------------------------------------------------------


def _run(f, method, h=sp.Rational(1, 4), steps=4, t0=1, c0=None, lower=0):
    exact = _projection(f, N, lower)
    c0 = exact.subs(t, t0) if c0 is None else c0
    states = legs_integrate(A3, B3, _signal(f), t0, c0, h, steps, method)
    return states, [exact.subs(t, t0 + k * h) for k in range(steps + 1)]


@pytest.mark.parametrize(
    "method, exact_for, inexact_for",
    [
        ("forward_euler", 3 - 2 * s, 3 - 2 * s + s**2),
        ("backward_euler", 3 - 2 * s, 3 - 2 * s + s**2),
        ("bilinear", 3 - 2 * s + s**2, 3 - 2 * s + s**2 - s**3),
    ],
)
def test_polynomial_reproduction(method, exact_for, inexact_for):
    """Started on the exact projection, a method of order p is exact when c(t) has degree
    <= p in t (f of degree <= p), and not for one degree more."""
    states, exact = _run(exact_for, method)
    assert all((c - e).applyfunc(sp.expand).is_zero_matrix for c, e in zip(states, exact))
    states, exact = _run(inexact_for, method)
    assert not (states[-1] - exact[-1]).applyfunc(sp.expand).is_zero_matrix


def test_zoh_is_exact_for_a_constant_signal_from_any_start():
    """f = 1 on [1, oo), nothing before: c(1) = 0 and c(t) = (1/t) int_1^t p_n(2s/t-1) ds.
    Forward Euler on the same problem is not exact."""
    one = sp.Integer(1)
    states, exact = _run(one, "zoh", c0=sp.zeros(N, 1), lower=1, steps=3)
    assert exact[0].is_zero_matrix and not exact[-1].is_zero_matrix
    assert all((c - e).applyfunc(sp.expand).is_zero_matrix for c, e in zip(states, exact))
    states, exact = _run(one, "forward_euler", c0=sp.zeros(N, 1), lower=1, steps=3)
    assert not (states[-1] - exact[-1]).applyfunc(sp.expand).is_zero_matrix


def test_zoh_is_not_exact_for_a_linear_signal():
    states, exact = _run(1 + s, "zoh")
    assert not (states[-1] - exact[-1]).applyfunc(sp.expand).is_zero_matrix


# ---------------------------------------------------------------------------------------
# Order of convergence, measured
# ---------------------------------------------------------------------------------------

# Degree 3: the trapezoid rule is exact for degree <= 2 (see above), so it needs a cubic c(t).
F_CONVERGENCE = 1 - 2 * s + 3 * s**2 - 4 * s**3


def measured_slope(method: str, f: sp.Expr, divisions: list[int], N: int = N) -> float:
    """Slope of log(max-norm error at T = 2) against log(h), from t0 = 1, h = 1/n."""
    A, B = hippo("legs", N)
    exact = _projection(f, N)
    c0, cT = exact.subs(t, 1), exact.subs(t, 2)
    errors = []
    for n in divisions:
        states = legs_integrate(A, B, _signal(f), 1, c0, sp.Rational(1, n), n, method)
        errors.append(_max_error(states[-1], cT))
    return float(np.polyfit(np.log([1.0 / n for n in divisions]), np.log(errors), 1)[0])


@pytest.mark.parametrize("method", list(ORDER))
def test_order_of_convergence(method):
    """h = 1/8 .. 1/32 from t = 1 to 2. The error is e(h) = K h^p (1 + O(h)), so the fitted
    slope differs from p by O(h_max) (measured: < 0.004, as with h down to 1/64, which
    doubled the exact steps); a window of 0.15 absorbs that pre-asymptotic drift and still
    separates p from p +- 1 by a wide margin. Finer steps: the slow test below."""
    slope = measured_slope(method, F_CONVERGENCE, [8, 16, 32])
    assert abs(slope - ORDER[method]) < 0.15, f"{method}: slope {slope:.4f}"


@pytest.mark.slow
@pytest.mark.parametrize("method", list(ORDER))
def test_order_of_convergence_finer_and_larger(method):
    """N = 5, a quartic signal, h = 1/16 .. 1/256: the slope is closer to p."""
    f = 2 + s - s**2 + s**3 / 2 - s**4
    slope = measured_slope(method, f, [16, 32, 64, 128, 256], N=5)
    assert abs(slope - ORDER[method]) < 0.05, f"{method}: slope {slope:.4f}"


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        ({"t_k": 0}, InvalidArgumentError, "t_k must be > 0"),
        ({"h": -1}, InvalidArgumentError, "h must be > 0"),
        ({"h": float("nan")}, InvalidArgumentError, "h must be finite"),
        ({"c": [1, 2]}, InvalidArgumentError, "c must have length 3"),
        ({"f_k": "x"}, InvalidTypeError, "f_k must be"),
        ({"method": "rk4"}, InvalidArgumentError, "unknown method 'rk4'"),
        ({"A": [[1, 2]]}, InvalidArgumentError, "A must be square"),
        ({"B": [1, 2]}, InvalidArgumentError, "B must have length 3"),
    ],
)
def test_legs_step_validation(overrides, error, message):
    args = {
        "c": C_K,
        "t_k": 1,
        "h": H,
        "f_k": 1,
        "f_next": 1,
        "A": A3,
        "B": B3,
        "method": "bilinear",
    } | overrides
    with pytest.raises(error, match=message):
        legs_step(
            args["c"],
            args["t_k"],
            args["h"],
            args["f_k"],
            args["f_next"],
            args["A"],
            args["B"],
            args["method"],
        )


@pytest.mark.parametrize(
    "overrides, error, message",
    [
        ({"f": 3}, InvalidTypeError, "f must be a callable"),
        ({"steps": 0}, InvalidArgumentError, "steps must be >= 1"),
        ({"steps": 2.0}, InvalidTypeError, "steps must be an integer"),
        ({"t0": 0}, InvalidArgumentError, "t0 must be > 0"),
        ({"c0": [1]}, InvalidArgumentError, "c0 must have length 3"),
    ],
)
def test_legs_integrate_validation(overrides, error, message):
    args = {"f": lambda time: 1, "t0": 1, "c0": C_K, "h": H, "steps": 2} | overrides
    with pytest.raises(error, match=message):
        legs_integrate(
            A3, B3, args["f"], args["t0"], args["c0"], args["h"], args["steps"], "forward_euler"
        )


def test_singular_implicit_step_is_refused():
    """A = [[2]], t_k = h = 1: I - (h/t_{k+1}) A = 1 - 2/2 = 0."""
    with pytest.raises(InvalidArgumentError, match="singular"):
        legs_step([1], 1, 1, 0, 0, [[2]], [1], "backward_euler")


def test_zoh_outside_the_closed_forms_points_to_the_oracles():
    with pytest.raises(NotImplementedError, match=r"hippo_verify\.oracles"):
        legs_step([1, 1], 1, H, 1, 1, [[0, 1], [-1, 0]], [1, 1], "zoh")
