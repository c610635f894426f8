"""The HiPPO projection argument, carried out exactly in sympy.

For a measure with weight w(t, s) on a window [t0(t), t] and an orthonormal basis
p_n(X(t, s)), the coefficients of a signal f are

    c_n(t) = int_{t0(t)}^{t} f(s) p_n(X(t, s)) w(t, s) ds.

Differentiating under the integral sign (Leibniz) gives three terms:

    c_n'(t) = f(t) p_n(X(t, t)) w(t, t)                                   (new input)
            - t0'(t) f(t0) p_n(X(t, t0)) w(t, t0)                          (leaving input)
            + int f(s) d/dt[p_n(X(t, s)) w(t, s)] ds.                      (moving basis)

The last integrand divided by w is h_n = p_n'(X) dX/dt + p_n(X) (dw/dt)/w, which is
expanded back in the basis by exact inner products; f(t0) is written back in the basis
by the truncated expansion (or, for a periodic basis, by the midpoint rule). Collecting
terms gives c' = A c + B f (or (A c + B f)/t for LegS). No matrix entry is typed in.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import sympy as sp

from .._errors import HippoVerifyError
from .._validation import require_size
from ._hippo_args import validate_hippo_args
from ._measures import MEASURES, Measure, s, t, x

__all__ = ["HippoDerivation", "derive_hippo", "derive_hippo_steps"]


class DerivationError(HippoVerifyError):
    """A step of the projection argument did not hold (a bug, never bad input)."""


@dataclass(frozen=True)
class HippoDerivation:
    """Every intermediate object of one run of the projection argument.

    Attributes:
        measure: The measure the derivation started from.
        N: Number of basis functions.
        density: w(t, s(x)) |ds/dx|, the density in the normalized variable.
        coordinate_rate: dX/dt written in (t, x) (times t for LegS).
        weight_rate: (dw/dt)/w written in (t, x) (times t for LegS).
        gram: <p_n, p_n>, the diagonal of the Gram matrix of the basis (its off-diagonal
            entries are checked to be zero).
        moving_basis: M with d/dt[p_n w]/w = sum_k M[n, k] p_k + (residual outside the span).
        closed: closed[n] is True when d/dt[p_n w]/w lies in span(p_0..p_{N-1}) exactly.
        new_input: p_n(X(t, t)) w(t, t), the coefficient of f(t).
        leaving_input: t0'(t) p_n(X(t, t0)) w(t, t0), the coefficient of f(t0) (zeros if none).
        reconstruction: r with f(t0) ~ sum_k r[k] c_k.
        A: The state matrix, time-invariant (multiplied by t for LegS).
        B: The input matrix, shape (N, 1), likewise.

    It has no truth value (``bool`` raises TypeError): whether the step is exact is
    ``all(derivation.closed)``.
    """

    measure: Measure
    N: int
    density: sp.Expr
    coordinate_rate: sp.Expr
    weight_rate: sp.Expr
    gram: tuple[sp.Expr, ...]
    moving_basis: sp.Matrix
    closed: tuple[bool, ...]
    new_input: sp.Matrix
    leaving_input: sp.Matrix
    reconstruction: sp.Matrix
    A: sp.Matrix
    B: sp.Matrix

    def __bool__(self) -> bool:
        raise TypeError(
            "a HippoDerivation has no truth value; test all(derivation.closed) for an exact step"
        )


def derive_hippo(measure: str, N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """Derive the HiPPO matrices (A, B) of ``measure`` from the projection argument.

    The result is in the canonical convention of the measure (see ``hippo``): the state
    obeys c'(t) = A c(t) + B f(t), except for ``"legs"`` where c'(t) = (A c(t) + B f(t))/t
    and the time-invariant A, B are returned.

    The derivative of every basis function lies in the span of the first N (the step is
    exact) except for ``"fout"`` with even N: the last cosine then has no sine partner and
    its rotation is projected away (see ``derive_hippo_steps(...).closed``).

    Arguments:
        measure: ``"legt"``, ``"legs"``, ``"lagt"`` or ``"fout"``.
        N: Number of basis functions, 1 <= N <= the ``symbolic_state`` size limit (64 by
            default, about a minute for FouT; ``hippo_verify.size_limits`` raises it).

    Returns:
        (A, B): exact sympy matrices of shapes (N, N) and (N, 1).

    Raises:
        InvalidArgumentError / InvalidTypeError: unknown measure, N < 1 or above the
            limit, N not an integer.
    """
    derivation = derive_hippo_steps(measure, N)
    return derivation.A, derivation.B


def derive_hippo_steps(measure: str, N: int) -> HippoDerivation:
    """Like ``derive_hippo`` but return every intermediate object (for derivations/)."""
    measure, N, _ = validate_hippo_args(measure, N)
    require_size("N", N, "symbolic_state")
    return _derive(MEASURES[measure], N)


def _derive(m: Measure, N: int) -> HippoDerivation:
    # Every ingredient below depends on the measure and on one or two basis indices only,
    # never on N: each is computed once per process (pure, cached), so deriving N after
    # N - 1 (tests, derivations/, reports) redoes only the new row and column.
    s_of_x, density, coordinate_rate, weight_rate, clock = _rates(m)
    scales = [_basis(m, n)[0] for n in range(N)]
    shapes = [_basis(m, n)[1] for n in range(N)]
    elements = [_basis(m, n)[2] for n in range(N)]
    gram = _checked_gram(m, N)

    moving = sp.zeros(N, N)
    closed = []
    for n in range(N):
        rate_element = _rate_element(m, n)
        shape_coeffs = [_moving_coefficient(m, n, k) for k in range(N)]
        residual = rate_element - m.domain.combination(shape_coeffs, elements)
        closed.append(m.domain.is_zero_element(residual))
        for k in range(N):
            moving[n, k] = scales[n] / scales[k] * shape_coeffs[k]

    at_present = {s: t}
    new_input = sp.Matrix(
        [scales[n] * shapes[n].subs(x, m.coordinate.subs(at_present)) for n in range(N)]
    ) * (clock * m.weight.subs(at_present))

    leaving, reconstruction = _leaving_input(m, scales, shapes, gram)
    leaving = clock * leaving
    if m.endpoint_rule == "midpoint":  # f(t0) ~ 2 sum_k r_k c_k - f(t)
        A = moving - 2 * leaving * reconstruction.T
        B = new_input + leaving
    else:  # f(t0) ~ sum_k r_k c_k
        A = moving - leaving * reconstruction.T
        B = new_input
    A, B = _time_invariant(m, A, B)
    return HippoDerivation(
        measure=m,
        N=N,
        density=density,
        coordinate_rate=coordinate_rate,
        weight_rate=weight_rate,
        gram=tuple(sp.radsimp(c**2 * g) for c, g in zip(scales, gram)),
        moving_basis=moving,
        closed=tuple(closed),
        new_input=new_input,
        leaving_input=leaving,
        reconstruction=reconstruction,
        A=A,
        B=B,
    )


@functools.cache
def _rates(m: Measure) -> tuple[sp.Expr, sp.Expr, sp.Expr, sp.Expr, sp.Expr]:
    """s(x), the density in x, dX/dt and (dw/dt)/w in (t, x), and the clock factor."""
    s_of_x = _invert_coordinate(m)
    density = _density(m, s_of_x)
    # For LegS every term carries a factor 1/t: multiply it out up front so that the
    # inner products stay over the rationals; _time_invariant checks nothing is left.
    clock = t if m.time_scaling == "scaled" else sp.Integer(1)
    coordinate_rate = sp.simplify(clock * sp.diff(m.coordinate, t).subs(s, s_of_x))
    weight_rate = sp.simplify(clock * (sp.diff(m.weight, t) / m.weight).subs(s, s_of_x))
    return s_of_x, density, coordinate_rate, weight_rate, clock


@functools.cache
def _basis(m: Measure, n: int) -> tuple[sp.Expr, sp.Expr, object]:
    """lambda_n, q_n(x) and q_n in the domain's exact representation."""
    shape = m.basis_shape(n)
    return m.basis_scale(n), shape, m.domain.element(shape, x)


@functools.cache
def _inner(m: Measure, j: int, k: int) -> sp.Expr:
    """<q_j, q_k>, exactly."""
    product = m.domain.product(_basis(m, j)[2], _basis(m, k)[2])
    return m.domain.integrate_element(product, x)


@functools.cache
def _rate_element(m: Measure, n: int) -> object:
    """d/dt[q_n(X) w]/w = q_n'(X) dX/dt + q_n(X) (dw/dt)/w, in the domain's representation."""
    _, _, coordinate_rate, weight_rate, _ = _rates(m)
    shape = _basis(m, n)[1]
    rate = sp.diff(shape, x) * coordinate_rate + shape * weight_rate
    return m.domain.element(rate, x)


@functools.cache
def _moving_coefficient(m: Measure, n: int, k: int) -> sp.Expr:
    """<d/dt[q_n w]/w, q_k> / <q_k, q_k>: coefficient k of the moving basis term of row n."""
    product = m.domain.product(_rate_element(m, n), _basis(m, k)[2])
    return m.domain.integrate_element(product, x) / _inner(m, k, k)


def _invert_coordinate(m: Measure) -> sp.Expr:
    solutions = sp.solve(sp.Eq(m.coordinate, x), s)
    if len(solutions) != 1:
        raise DerivationError(f"{m.name}: coordinate {m.coordinate} is not invertible in s")
    return solutions[0]


def _density(m: Measure, s_of_x: sp.Expr) -> sp.Expr:
    """w(t, s(x)) |ds/dx|: the measure seen in x; must equal the domain's density."""
    density = sp.simplify(m.weight.subs(s, s_of_x) * sp.Abs(sp.diff(s_of_x, x)))
    if sp.simplify(density - m.domain.density(x)) != 0:
        raise DerivationError(
            f"{m.name}: density in x is {density}, domain assumes {m.domain.density(x)}"
        )
    return density


def _checked_gram(m: Measure, N: int) -> list[sp.Expr]:
    """<q_k, q_k> for k < N, after checking <q_j, q_k> = 0 for j != k exactly."""
    for j in range(N):
        for k in range(j):
            if _inner(m, j, k) != 0:
                raise DerivationError(f"{m.name}: basis shapes {j} and {k} are not orthogonal")
    gram = [_inner(m, k, k) for k in range(N)]
    if any(g == 0 for g in gram):
        raise DerivationError(f"{m.name}: a basis element has zero norm")
    return gram


def _leaving_input(
    m: Measure, scales: list[sp.Expr], shapes: list[sp.Expr], gram: list[sp.Expr]
) -> tuple[sp.Matrix, sp.Matrix]:
    """The f(t0) term of the Leibniz rule and the expansion of f(t0) in the coefficients."""
    N = len(shapes)
    zeros = sp.zeros(N, 1)
    if m.window_start is None:
        return zeros, zeros
    start = m.window_start(t)
    start_rate = sp.diff(start, t)
    if start_rate == 0:
        return zeros, zeros
    at_start = {s: start}
    x_start = sp.simplify(m.coordinate.subs(at_start))
    weight_start = m.weight.subs(at_start)
    leaving = sp.Matrix(
        [start_rate * scales[n] * shapes[n].subs(x, x_start) * weight_start for n in range(N)]
    )
    # f ~ sum_k c_k p_k / <p_k, p_k> and p_k = lambda_k q_k.
    reconstruction = sp.Matrix(
        [shapes[k].subs(x, x_start) / (scales[k] * gram[k]) for k in range(N)]
    )
    return leaving, reconstruction


def _time_invariant(m: Measure, A: sp.Matrix, B: sp.Matrix) -> tuple[sp.Matrix, sp.Matrix]:
    A = A.applyfunc(_tidy)
    B = B.applyfunc(_tidy)
    if A.has(t) or B.has(t):
        raise DerivationError(f"{m.name}: the derived system still depends on t")
    return A, B


@functools.lru_cache(maxsize=65536)
def _tidy(entry: sp.Expr) -> sp.Expr:
    """radsimp(cancel(entry)); an entry (n, k) is the same expression for every N."""
    return sp.radsimp(sp.cancel(entry))
