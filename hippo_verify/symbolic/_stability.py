"""Exact stability of p(lambda) = lambda^d + a_1 lambda^{d-1} + ... + a_d (rational arithmetic).

"Stable" means every root lies strictly inside the unit disk, |lambda| < 1: then the
recurrent kernel of the companion realization decays (seed 002's concern).

Schur-Cohn recursion. For p of degree m with leading coefficient c_m and p(0) = c_0 let
p*(lambda) = lambda^m conj(p(1/conj(lambda))) (conjugated coefficients, reversed) and
k = c_0 / conj(c_m), the reflection coefficient. Then p - k p* has constant term
c_0 - k conj(c_m) = 0 and leading coefficient (|c_m|^2 - |c_0|^2) / conj(c_m). For monic p
this is 1 - |k|^2, and

    p_{m-1}(lambda) = (p(lambda) - k p*(lambda)) / (lambda (1 - |k|^2))

is monic of degree m - 1 when |k| < 1. Theorem (Schur-Cohn): p is stable iff |k| < 1 and
p_{m-1} is stable. Proof: if |k| >= 1 the product of the roots has modulus |c_0| >= 1, so
some root has |lambda| >= 1. If |k| < 1: on |lambda| = 1 we have |p*| = |p|; if p has a
root zeta on the circle then p*(zeta) = 0 too, so zeta is a root of p_{m-1}, and neither
is stable; otherwise |k p*| < |p| on the circle and Rouché gives lambda p_{m-1} as many
roots in the disk as p, that is p_{m-1} has m - 1 of them iff p has m. A constant (degree
0) is stable. Starting from p_d = p, step j (j = 1..d) reads k_j = p_{d-j+1}(0).

Supported coefficients: rational numbers and Gaussian rationals p + q i (p, q rational),
for which |k|^2 = k conj(k) is rational and every comparison is exact.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError
from ._matrix_args import as_vector

__all__ = [
    "StabilityVerdict",
    "schur_cohn_stable",
    "schur_cohn_stable_many",
    "sum_abs_bound_holds",
]


@dataclass(frozen=True)
class StabilityVerdict:
    """The outcome of ``schur_cohn_stable``; its truth value is ``stable``, so
    ``assert schur_cohn_stable(a)`` fails for an unstable polynomial.

    Attributes:
        stable: every root of the polynomial has modulus < 1.
        coefficients: the a_i as read, exactly (sympy numbers).
        failed_step: the step j with |k_j| >= 1, or None when stable.
        reflection_coefficients: k_1, k_2, ... up to the failed step (all d of them when
            stable), exact.
        reason: a sentence saying why (the failing |k_j| when unstable).

    ``failed_step``, ``reflection_coefficients`` and ``reason`` are computed exactly from
    ``coefficients`` when first read (the verdict itself may come from a certified filter
    that does not produce them).
    """

    stable: bool
    coefficients: tuple[sp.Expr, ...] = field(repr=False)

    def __bool__(self) -> bool:
        return self.stable

    @functools.cached_property
    def failed_step(self) -> int | None:
        if self.stable:
            return None
        real = _real_fractions(self.coefficients)
        if real is not None:
            for bits in _filter_bits(len(real)):
                decided = _certified_schur_cohn(real, bits)
                if decided is not None:
                    return decided[1]
            return _exact_real_recursion(real)[1]
        return _sympy_recursion(list(self.coefficients), len(self.coefficients))[1]

    @functools.cached_property
    def reflection_coefficients(self) -> tuple[sp.Expr, ...]:
        count = len(self.coefficients) if self.failed_step is None else self.failed_step
        real = _real_fractions(self.coefficients)
        if real is not None:
            ks = [sp.Rational(k.numerator, k.denominator) for k in _exact_real_ks(real, count)]
        else:
            ks, _ = _sympy_recursion(list(self.coefficients), count)
        return tuple(ks)

    @functools.cached_property
    def reason(self) -> str:
        if self.failed_step is None:
            d = len(self.coefficients)
            return f"every reflection coefficient k_1..k_{d} has |k_j| < 1 (Schur-Cohn)"
        k = self.reflection_coefficients[-1]
        return _unstable_reason(self.failed_step, k, sp.expand(k * sp.conjugate(k)))


def _verdict(stable: bool, coefficients: tuple, **known: Any) -> StabilityVerdict:
    """A verdict with the lazily computed attributes that are already known filled in."""
    verdict = StabilityVerdict(stable, coefficients)
    verdict.__dict__.update(known)
    return verdict


def schur_cohn_stable(a: Any) -> StabilityVerdict:
    """Whether every root of lambda^d + a_1 lambda^{d-1} + ... + a_d has |lambda| < 1.

    Exact Schur-Cohn recursion (see the module docstring): k_j = p_{d-j+1}(0) and
    p_{m-1} = (p_m - k p_m*) / (lambda (1 - |k|^2)); stable iff |k_j| < 1 for j = 1..d.
    A root on the unit circle gives |k_j| = 1 at some step, so it is reported unstable.

    Real coefficients are decided first by ``_certified_schur_cohn`` (the same recursion
    on fixed-point integers with a proven bound on every rounding, at 2 precisions): it
    answers only when each |k_j| is certified below 1, or one certified >= 1 after
    certified ones below; anything closer to the boundary (a root on or within rounding
    of the circle) goes to the exact integer recursion (``_exact_real_ks``). Gaussian
    rationals use sympy's exact arithmetic. The verdict is the exact one either way.

    Arguments:
        a: the coefficients (a_1, ..., a_d), d >= 1, each rational or Gaussian rational
            (floats are read as the binary rationals they hold).

    Returns:
        A ``StabilityVerdict``.

    Raises:
        InvalidTypeError: ``a`` is not vector-like or an entry is not a number.
        InvalidArgumentError: ``a`` is empty (d < 1), not a vector, has a non-finite
            entry, or an entry that is not a (Gaussian) rational, e.g. sqrt(2) or a symbol.
    """
    real = _plain_real_coefficients(a)
    if real is None:
        coeffs = _gaussian_rational_coeffs(a)
        real = _real_fractions(coeffs)
        if real is None:
            ks, failed = _sympy_recursion(coeffs, len(coeffs))
            known = {"failed_step": failed, "reflection_coefficients": tuple(ks)}
            return _verdict(failed is None, tuple(coeffs), **known)
    return _real_verdicts([real])[0]


def schur_cohn_stable_many(rows: Any) -> list[StabilityVerdict]:
    """``schur_cohn_stable`` of each row: the denominators of many channels at once.

    Arguments:
        rows: a sequence of coefficient vectors (a 2-D NumPy array, a list of lists),
            each as ``schur_cohn_stable``'s ``a``; rows may differ in length.

    Returns:
        One ``StabilityVerdict`` per row, in order.

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``schur_cohn_stable``, naming the row.
    """
    if hasattr(rows, "tolist") and not isinstance(rows, sp.MatrixBase):
        rows = rows.tolist()
    if isinstance(rows, (str, bytes)) or not isinstance(rows, (list, tuple)):
        raise InvalidTypeError(f"rows must be a sequence of vectors, got {type(rows).__name__}")
    reals: list[list[Fraction] | None] = []
    for i, row in enumerate(rows):
        real = _plain_real_coefficients(row)
        if real is None:
            try:
                real = _real_fractions(_gaussian_rational_coeffs(row))
            except (InvalidTypeError, InvalidArgumentError) as error:
                raise type(error)(f"row {i}: {error}") from None
        reals.append(real)
    decided = iter(_real_verdicts([r for r in reals if r is not None]))
    return [
        next(decided) if r is not None else schur_cohn_stable(row) for r, row in zip(reals, rows)
    ]


def sum_abs_bound_holds(a: Any) -> bool:
    """Whether |a_1| + ... + |a_d| < 1 (seed 002's sufficient condition for stability).

    When it holds every root has |lambda| < 1 (strictly: a root with |lambda| >= 1 gives
    1 = |a_1/lambda + ... + a_d/lambda^d| <= |a_1| + ... + |a_d|). It is not necessary:
    (lambda - 9/10)^2 is stable with |a_1| + |a_2| = 261/100.

    Exact also for Gaussian rationals: |a_i| = sqrt(n_i) with n_i rational. A sum of square
    roots of rationals equals 1 only if each root is rational (an irrational square root
    is a positive multiple of sqrt(s), s > 1 square-free, and these are linearly
    independent over Q together with 1); otherwise the sum is irrational and nested
    rational enclosures (integer square roots) separate it from 1.

    Arguments:
        a: the coefficients (a_1, ..., a_d), d >= 1, each rational or Gaussian rational.

    Returns:
        ``True`` iff the strict inequality holds.

    Raises:
        InvalidTypeError / InvalidArgumentError: as for ``schur_cohn_stable``.
    """
    norms = [_to_fraction(sp.expand(c * sp.conjugate(c))) for c in _gaussian_rational_coeffs(a)]
    roots = [_rational_sqrt(n) for n in norms]
    if all(r is not None for r in roots):
        return sum(roots, Fraction(0)) < 1
    return _sum_of_square_roots_below_one(norms)


# ---------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------


def _gaussian_rational_coeffs(a: Any) -> list[sp.Expr]:
    coeffs = [sp.expand(c) for c in as_vector("a", a)]
    for i, c in enumerate(coeffs, start=1):
        if not (sp.re(c).is_Rational and sp.im(c).is_Rational):
            raise InvalidArgumentError(
                f"a_{i} must be a rational or Gaussian-rational number (p + q*I with p, q "
                f"rational), got {c}"
            )
    return coeffs


def _schur_step(poly: list[sp.Expr], k: sp.Expr, modulus2: sp.Expr) -> list[sp.Expr]:
    reversed_conj = [sp.conjugate(c) for c in reversed(poly)]  # p*, highest power first
    reduced = [sp.expand(p - k * q) for p, q in zip(poly, reversed_conj)]
    # reduced[-1] == 0 (the constant term), so dropping it divides by lambda.
    return [sp.expand(c / (1 - modulus2)) for c in reduced[:-1]]


def _sympy_recursion(coeffs: list[sp.Expr], count: int) -> tuple[list[sp.Expr], int | None]:
    """(k_1, ..., k_j), failed step j or None: the recursion in sympy (Gaussian rationals),
    at most ``count`` steps."""
    poly = [sp.Integer(1), *coeffs]  # highest power first, monic
    ks: list[sp.Expr] = []
    for step in range(1, count + 1):
        k = poly[-1]
        ks.append(k)
        modulus2 = sp.expand(k * sp.conjugate(k))
        if modulus2 >= 1:
            return ks, step
        poly = _schur_step(poly, k, modulus2)
    return ks, None


def _plain_real_coefficients(a: Any) -> list[Fraction] | None:
    """``a`` as Fractions when it is a flat sequence (or 1-D array) of ints, finite floats,
    Fractions or sympy rationals; None for anything else (the sympy route then reads it,
    with its errors). The cheap path of the common float64 input."""
    if hasattr(a, "tolist") and not isinstance(a, sp.MatrixBase):
        a = a.tolist()
    if not isinstance(a, (list, tuple)) or not a:
        return None
    out = []
    for v in a:
        if isinstance(v, bool):
            return None
        if isinstance(v, (int, Fraction)):
            out.append(Fraction(v))
        elif isinstance(v, float) and math.isfinite(v):
            out.append(Fraction(v))
        elif isinstance(v, sp.Rational):
            out.append(Fraction(int(v.p), int(v.q)))
        else:
            return None
    return out


def _real_fractions(coeffs: Any) -> list[Fraction] | None:
    """The coefficients as Fractions if every one is a real rational, else None."""
    out = []
    for c in coeffs:
        if isinstance(c, Fraction):
            out.append(c)
        elif isinstance(c, sp.Rational):
            out.append(Fraction(int(c.p), int(c.q)))
        else:
            return None
    return out


def _real_verdicts(rows: list[list[Fraction]]) -> list[StabilityVerdict]:
    """Exact verdicts of real polynomials: the root-inclusion certificate
    (``_root_inclusion``, all rows at once), the float64 recursion with its error bound
    (``_float_schur_cohn``, the rows left, at once), then the fixed-point recursion with
    its error bound (``_certified_schur_cohn``) at two precisions, then the exact
    recursion."""
    verdicts = []
    included = _root_inclusion(rows)
    pending = [i for i, v in enumerate(included) if v is None]
    by_float = dict(zip(pending, _float_schur_cohn([rows[i] for i in pending])))
    for i, row in enumerate(rows):
        coefficients = tuple(sp.Rational(v.numerator, v.denominator) for v in row)
        if included[i] is not None:
            verdicts.append(_verdict(included[i], coefficients))
            continue
        if by_float[i] is not None:
            stable, step = by_float[i]
            verdicts.append(_verdict(stable, coefficients, failed_step=step))
            continue
        for bits in _filter_bits(len(row)):
            decided = _certified_schur_cohn(row, bits)
            if decided is not None:
                verdicts.append(_verdict(decided[0], coefficients, failed_step=decided[1]))
                break
        else:
            ks, failed = _exact_real_recursion(row)
            exact_ks = tuple(sp.Rational(k.numerator, k.denominator) for k in ks)
            known = {"failed_step": failed, "reflection_coefficients": exact_ks}
            verdicts.append(_verdict(failed is None, coefficients, **known))
    return verdicts


#: Unit roundoff of IEEE binary64 (round to nearest).
_U = 2.0**-53
#: Inputs below this modulus (and nonzero) or above its inverse skip the float certificate
#: (subnormal rounding and overflow are outside its error model).
_FLOAT_RANGE = 2.0**-900


def _root_inclusion(rows: list[list[Fraction]]) -> list[bool | None]:
    """Certified verdicts from approximate roots (NumPy eigenvalues of the companion
    matrices, all rows of one degree at once): True / False when proven, None otherwise.

    Inclusion theorem. For p monic of degree d and distinct z_1..z_d, with the Weierstrass
    corrections W_i = p(z_i) / prod_{j != i} (z_i - z_j), Lagrange interpolation gives
    p(z) = prod_j (z - z_j) + sum_i W_i prod_{j != i} (z - z_j) = det(z I - M) with
    M = diag(z) - W 1^T. Gershgorin's theorem on the rows of M: every root of p lies in
    the union of the disks D(z_i - W_i, (d - 1)|W_i|), each inside D_i = D(z_i, d |W_i|),
    and a union of k disks disjoint from the others holds exactly k roots. So p is stable
    if |z_i| + d |W_i| < 1 for every i, and unstable if some D_i is disjoint from every
    other D_j and lies in |z| > 1 (it holds one root, outside the closed disk).

    Rounding (binary64, round to nearest, u = 2^-53, gamma_n = n u / (1 - n u)); the z_i
    are exact floats, only p(z_i), the products and the tests are rounded. (i) The a_k
    rounded to floats: |a_k - fl(a_k)| <= u |a_k|, inputs outside [2^-900, 2^900] in
    modulus (subnormals, overflow) are refused. (ii) Horner's rule in complex arithmetic,
    each complex product within sqrt(2) gamma_2 <= 3u of the exact one (Higham, Lemma 3.5)
    and each sum within u: |fl(p(z)) - p(z)| <= gamma_{5(d+1)} sum_k |a_k| |z|^(d-k), that
    sum evaluated in float with nonnegative terms (within gamma_{2d}); together with (i)
    the bound used is (8 (d + 1) + 4) u times the computed sum. (iii) prod_{j != i}
    (z_i - z_j): d - 1 rounded differences and d - 2 products, relative error <= gamma_{4d}
    <= 5 d u; rows whose products leave [2^-900, 2^900] are refused. (iv) |.| (hypot) and
    the final quotient and sums: each within 2u, covered by factors (1 +- 4u) on every
    bound. Every test is then made with upper bounds on the left and lower bounds on the
    right, so a passed test holds for the exact quantities.
    """
    import numpy as np

    out: list[bool | None] = [None] * len(rows)
    by_degree, floats = _in_float_range(rows, 2)
    for d, idx in by_degree.items():
        a = np.array([floats[i] for i in idx])
        companion = np.zeros((len(idx), d, d))
        companion[:, 0, :] = -a
        companion[:, np.arange(1, d), np.arange(d - 1)] = 1.0
        with np.errstate(all="ignore"):
            z = _aberth(np, a, np.linalg.eigvals(companion), _ABERTH_STEPS)
            verdicts = _inclusion_tests(np, a, z)
            open_rows = [j for j, v in enumerate(verdicts) if v is None]
            p_up = _arb_values(a[open_rows], z[open_rows]) if open_rows else None
            if p_up is not None:
                again = _inclusion_tests(np, a[open_rows], z[open_rows], p_up)
                for j, verdict in zip(open_rows, again):
                    verdicts[j] = verdict
        for i, verdict in zip(idx, verdicts):
            out[i] = verdict
    return out


#: Aberth steps that refine the eigenvalues before the inclusion test (they move points
#: whose eigenvalue is far from a root: a root of small modulus in a polynomial with
#: large middle coefficients, where the companion's normwise backward error is large).
_ABERTH_STEPS = 2


def _aberth(np: Any, a: Any, z: Any, steps: int) -> Any:
    """Aberth-Ehrlich steps z_i <- z_i - N_i / (1 - N_i sum_{j != i} 1 / (z_i - z_j)),
    N_i = p(z_i) / p'(z_i), on rows ``a`` (n, d) from ``z`` (n, d), in floats. A step is
    kept only where it is finite. The inclusion test holds for any distinct points, so
    this refinement needs no error analysis."""
    n, d = a.shape
    diagonal = np.eye(d, dtype=bool)
    for _ in range(steps):
        value, deriv = np.ones_like(z), np.zeros_like(z)
        for k in range(d):
            deriv = deriv * z + value
            value = value * z + a[:, k : k + 1]
        diffs = z[:, :, None] - z[:, None, :]
        diffs[:, diagonal] = np.inf
        newton = value / deriv
        step = newton / (1 - newton * (1 / diffs).sum(axis=2))
        z = np.where(np.isfinite(step), z - step, z)
    return z


def _arb_values(a: Any, z: Any) -> Any:
    """Upper bounds on |p(z_i)| for rows ``a`` (n, d) at the floats ``z`` (n, d), from
    Arb ball arithmetic (python-flint) at 128 + d bits; None when python-flint is absent.

    The coefficients and points are floats, read exactly; ``acb.abs_upper`` gives a
    rigorous upper bound of the modulus and its conversion to float (round to nearest,
    relative error <= u) is covered by the factor (1 + 4u) (its own rounding included)."""
    try:
        import flint
    except ImportError:
        return None
    import numpy as np

    n, d = a.shape
    out = np.empty((n, d))
    saved = flint.ctx.prec
    flint.ctx.prec = 128 + d
    try:
        acb = flint.acb
        for i in range(n):
            poly = flint.acb_poly([acb(v) for v in a[i, ::-1].tolist()] + [acb(1)])
            # one point at a time: acb_poly.evaluate on a list uses a product tree whose
            # balls are far wider than Horner's
            out[i] = [float(poly(acb(w.real, w.imag)).abs_upper()) for w in z[i].tolist()]
    finally:
        flint.ctx.prec = saved
    return out * (1 + 4 * _U)


def _in_float_range(rows: list[list[Fraction]], min_degree: int) -> tuple[dict, list]:
    """Rows of degree >= ``min_degree`` whose nonzero entries round to floats of modulus in
    (2^-900, 2^900), grouped by degree ({d: [row index]}), and every row as floats.

    The test reads the rounded floats (cheap): rounding is monotone, so a value outside the
    open range never rounds inside it, and an exact zero is told from an underflow by its
    numerator."""
    by_degree: dict[int, list[int]] = {}
    floats = []
    low, high = _FLOAT_RANGE, 1 / _FLOAT_RANGE
    for i, row in enumerate(rows):
        x = [float(v) for v in row]
        floats.append(x)
        if len(row) >= min_degree and all(
            low < abs(f) < high or v.numerator == 0 for f, v in zip(x, row)
        ):
            by_degree.setdefault(len(row), []).append(i)
    return by_degree, floats


def _float_schur_cohn(rows: list[list[Fraction]]) -> list[tuple[bool, int | None] | None]:
    """``_certified_schur_cohn`` in binary64, all rows of one degree at once (NumPy): the
    same answers ((True, None), (False, j) or None), the same recursion, float rounding.

    Error analysis (u = 2^-53, round to nearest). A row holds floats C_i with radii rho_i:
    |c_i* - C_i| <= rho_i for the exact monic coefficients c_i* of p_m (C_0 = 1 exact,
    rho_0 = 0). Initially C_i = fl(a_i), rho_i = u |C_i| (0 when every a_i is a float).
    A step reads k = C_m, |k* - k| <= rho_m, and certifies as ``_certified_schur_cohn``:
    |k| + rho_m < 1 or |k| - rho_m >= 1. Then t_i = fl(C_i - fl(k C_{m-i})),
    D = fl(1 - fl(k k)), n_i = fl(t_i / D) for 0 < i < m. With T_i = |C_i| + |k| |C_{m-i}|:
      |t_i - (C_i - k C_{m-i})| <= 2u T_i (two roundings, each <= u times at most T_i),
      |t_i* - (C_i - k C_{m-i})| <= rho_i + |k| rho_{m-i} + rho_m (|C_{m-i}| + rho_{m-i})
          =: e_i (t_i* = c_i* - k* c_{m-i}*), so |t_i* - t_i| <= e_i + 2u T_i and
          |t_i| <= T_i (1 + 2u);
      |D - (1 - k^2)| <= u k^2 + u (1 - k^2)(1 + u) <= 2u, and |D* - (1 - k^2)| <=
          rho_m (2|k| + rho_m), so |D* - D| <= Delta := rho_m (2|k| + rho_m) + 2u;
      |n_i - t_i / D| <= u |t_i| / D.
    Hence with D* >= D - Delta > 0 (checked, else undecided), the next radius is
      |t_i*/D* - n_i| <= (e_i + 2u T_i)/(D - Delta) + T_i (1 + 2u) Delta / (D (D - Delta))
                         + u T_i (1 + 2u) / D.
    Radii per coefficient matter: a tiny constant term (roots deep inside) has a tiny
    radius, where one radius for all would grow by 1 + max |C_i| at every step. The bound
    is itself computed in floats: sums and products of nonnegative terms (at most 12
    roundings on each path, relative error < 13u) are inflated by (1 + 16u) and divisors
    deflated by (1 - 4u), so each computed radius is an upper bound. Underflow adds at most
    2^-1074 per rounding; 2^-1000 is added to every radius at every step to cover it.
    Rows with an entry of modulus outside (2^-900, 2^900) (``_in_float_range``) are not
    tried, and a row with a non-finite k or radius is undecided. The certified comparisons
    inflate the radius the same way, so a certified |k| < 1 or >= 1 holds for the exact k*.
    """
    import numpy as np

    out: list[tuple[bool, int | None] | None] = [None] * len(rows)
    by_degree, floats = _in_float_range(rows, 1)
    for d, idx in by_degree.items():
        exact = np.array([all(v == f for v, f in zip(rows[i], floats[i])) for i in idx])
        with np.errstate(all="ignore"):
            for i, answer in zip(
                idx, _float_recursion(np, np.array([floats[i] for i in idx]), exact)
            ):
                out[i] = answer
    return out


def _float_recursion(np: Any, a: Any, exact: Any) -> list[tuple[bool, int | None] | None]:
    """The recursion of ``_float_schur_cohn`` on rows ``a`` (n, d) of floats; ``exact``
    says which rows hold their coefficients exactly. Radii are kept per coefficient."""
    n, d = a.shape
    up, down = 1 + 16 * _U, 1 - 4 * _U
    c, rho = _float_start(np, a, exact)
    undecided = np.zeros(n, dtype=bool)
    failed_at = np.zeros(n, dtype=int)
    open_ = np.ones(n, dtype=bool)
    for step in range(1, d + 1):
        m = d - step + 1
        k, r_k = c[:, m], rho[:, m]
        k_abs = np.abs(k)
        bad = ~np.isfinite(r_k) | ~np.isfinite(k)
        fails = open_ & ~bad & ((k_abs - r_k * up) * down >= 1)
        failed_at[fails] = step
        unsure = open_ & ~fails & (bad | ~((k_abs + r_k) * up < 1))
        undecided |= unsure
        open_ &= ~(fails | unsure)
        if m == 1 or not open_.any():
            break
        c, rho, margin = _float_step(np, c, rho)
        gone = open_ & ~(margin > 0)
        undecided |= gone
        open_ &= ~gone
    answers: list[tuple[bool, int | None] | None] = []
    for u, j in zip(undecided.tolist(), failed_at.tolist()):
        answers.append((False, j) if j else None if u else (True, None))
    return answers


def _float_start(np: Any, a: Any, exact: Any) -> tuple[Any, Any]:
    """The monic rows (1, a_1, ..., a_d) and their radii (u |a_i| unless ``exact``)."""
    c = np.concatenate([np.ones((a.shape[0], 1)), a], axis=1)  # highest power first
    rho = np.where(exact[:, None], 0.0, _U * np.abs(c) * (1 + 16 * _U))
    rho[:, 0] = 0.0  # the leading 1 is exact
    return c, rho


def _float_step(np: Any, c: Any, rho: Any) -> tuple[Any, Any, Any]:
    """One step p_m -> p_(m-1) of ``_float_schur_cohn`` on rows ``c`` (n, m + 1) with radii
    ``rho``: (the next rows, their radii, the lower bound D - Delta of D*); the radii
    hold only where that bound is > 0 and k is finite."""
    up, down, tiny = 1 + 16 * _U, 1 - 4 * _U, 2.0**-1000
    m = c.shape[1] - 1
    k, r_k = c[:, m], rho[:, m]
    k_abs = np.abs(k)
    inner, mirror = c[:, 1:m], c[:, m - 1 : 0 : -1]
    r_in, r_mi = rho[:, 1:m], rho[:, m - 1 : 0 : -1]
    kc = k_abs[:, None]
    t_abs = (np.abs(inner) + kc * np.abs(mirror)) * up  # T_i >= |t_i| / (1 + 2u)
    D = 1 - k * k
    delta = (r_k * (2 * k_abs + r_k) + 2 * _U) * up
    margin = (D - delta) * down
    e = (r_in + kc * r_mi + r_k[:, None] * (np.abs(mirror) + r_mi) + 2 * _U * t_abs) * up
    t_up = t_abs * (1 + 2 * _U)
    dm, dd = margin[:, None], (D * down)[:, None]
    rho_next = (e / dm + t_up * delta[:, None] / (dd * dm) + _U * t_up / dd) * up * up
    rho = np.concatenate([rho[:, :1], rho_next + tiny], axis=1)
    c = np.concatenate([c[:, :1], (inner - k[:, None] * mirror) / D[:, None]], axis=1)
    return c, rho, margin


def _inclusion_tests(np: Any, a: Any, z: Any, p_up: Any = None) -> list[bool | None]:
    """The tests of ``_root_inclusion`` for coefficient rows ``a`` (n, d) and approximate
    roots ``z`` (n, d); ``p_up`` (n, d), when given, holds upper bounds on |p(z_i)|
    (``_arb_values``) that replace the float Horner bound."""
    n, d = a.shape
    up, down = 1 + 4 * _U, 1 - 4 * _U
    r = np.abs(z)
    bound = np.ones(z.shape)
    if p_up is None:
        value = np.ones_like(z)
        for k in range(d):
            value = value * z + a[:, k : k + 1]
            bound = bound * r + np.abs(a[:, k : k + 1])
        p_up = (np.abs(value) * up + (8 * (d + 1) + 4) * _U * bound * up) * up
    diffs = z[:, :, None] - z[:, None, :]
    diffs[:, np.arange(d), np.arange(d)] = 1.0
    prod_low = np.abs(np.prod(diffs, axis=2)) * (1 - 5 * d * _U) * down * down
    radius = d * (p_up / prod_low) * up * up  # d |W_i| (upper bound)
    good = np.isfinite(radius).all(axis=1) & (prod_low > _FLOAT_RANGE).all(axis=1)
    good &= (prod_low < 1 / _FLOAT_RANGE).all(axis=1) & np.isfinite(bound).all(axis=1)
    stable = ((r * up + radius) * up < 1).all(axis=1)
    outside = (r * down - radius) * down > 1
    gaps = np.abs(z[:, :, None] - z[:, None, :]) * down
    reach = (radius[:, :, None] + radius[:, None, :]) * up
    apart = gaps > reach
    apart[:, np.arange(d), np.arange(d)] = True
    unstable = (outside & apart.all(axis=2)).any(axis=1)
    verdicts: list[bool | None] = []
    for ok, yes, no in zip(good.tolist(), stable.tolist(), unstable.tolist()):
        verdicts.append(True if ok and yes else False if ok and no else None)
    return verdicts


def _filter_bits(d: int) -> tuple[int, ...]:
    """Fixed-point precisions tried by the filter before the exact recursion."""
    base = 128 + 4 * d
    # measured on degree 64 (benchmarks/bench_schur_cohn.py): 2 base decides 3/4 of the
    # rows the float routes leave at twice the cost of base, which decides 1/3
    return (2 * base, 4 * base)


def _exact_real_recursion(a: list[Fraction]) -> tuple[list[Fraction], int | None]:
    """(k_1, ..., k_j), failed step j or None: the Schur-Cohn recursion in exact integers.

    With p = lead lambda^m + ... + c0 (integer coefficients) the next polynomial is
    (lead p - c0 p*) / lambda, divided by the gcd of its coefficients: a positive multiple
    of the monic p_{m-1} of the module docstring (its leading coefficient lead^2 - c0^2 > 0
    when |c0| < |lead|), so k = c0 / lead at every step, exactly.
    """
    den = math.lcm(*(v.denominator for v in a))
    c = [den] + [v.numerator * (den // v.denominator) for v in a]  # highest power first
    ks: list[Fraction] = []
    for step in range(1, len(a) + 1):
        lead, c0 = c[0], c[-1]
        ks.append(Fraction(c0, lead))
        if abs(c0) >= abs(lead):
            return ks, step
        reduced = [lead * x - c0 * y for x, y in zip(c, reversed(c))][:-1]
        content = math.gcd(*reduced)
        c = [v // content for v in reduced]
    return ks, None


def _exact_real_ks(a: list[Fraction], count: int) -> list[Fraction]:
    return _exact_real_recursion(a)[0][:count]


def _ceil_div(num: int, den: int) -> int:
    return -(-num // den)


def _certified_schur_cohn(a: list[Fraction], s: int) -> tuple[bool, int | None] | None:
    """The Schur-Cohn recursion of lambda^d + a_1 lambda^{d-1} + ... + a_d on fixed-point
    integers (X stands for X u, u = 2^-s) with a proven bound on every rounding.

    Returns (True, None) if every |k_j| < 1 is certified, (False, j) if |k_i| < 1 is
    certified for i < j and |k_j| >= 1 (the exact recursion's verdict), None when some
    |k_j| cannot be told from 1 at this precision (then the exact recursion decides).

    Error analysis. The monic p_m (highest power first, c_0 = 1 exact) is held as integers
    C_i with one radius rho = rad u: |c_i* - C_i u| <= rho for the exact c_i*. Initially
    C_i = floor(a_i 2^s), rad = 1 (0 when every a_i 2^s is an integer). A step reads
    k = C_m u: the exact k* lies in [k - rho, k + rho], so |k| + rho < 1 certifies
    |k*| < 1 and |k| - rho >= 1 certifies |k*| >= 1. Then, for i = 1..m-1, with
    D = 1 - k^2 (exact: D2 = 2^(2s) - C_m^2 at scale u^2) and r = floor(2^(3s) / D2) u
    (|r - 1/D| < u):
        t_i = c_i - k c_{m-i}   (exact at scale u^2: t_i 2^(2s) = C_i 2^s - C_m C_{m-i})
        n_i = floor(t_i r / u) u   (the coefficient of p_{m-1}; n_0 = 1 exactly).
    With Cmax = max |C_i u| (1 <= i < m), the exact t_i* = c_i* - k* c_{m-i}* satisfies
        |t_i* - t_i| <= rho + |k| rho + rho (Cmax + rho) =: e_t,
    and D* = 1 - k*^2 satisfies |D* - D| <= rho (2|k| + rho) =: delta, D* >= D - delta > 0.
    With T = Cmax (1 + |k|) >= |t_i|:
        |t_i*/D* - n_i| <= |t_i* - t_i|/D* + |t_i| |D - D*|/(D D*) + |t_i| |1/D - r| + u
                        <= e_t/(D - delta) + T delta/(D (D - delta)) + T u + u,
    the new radius. Every term is evaluated in integers rounded up, with D replaced by the
    lower bound floor(D2 / 2^s) u, so the computed radius bounds the true error; by
    induction each C_j u is within rho of the exact coefficient, and every certified
    comparison is the exact one. The checks never use floating point.
    """
    one = 1 << s
    coeffs, exact = [one], True
    for v in a:
        q, r = divmod(v.numerator << s, v.denominator)
        coeffs.append(q)
        exact = exact and r == 0
    rad, s2, s3 = (0 if exact else 1), 2 * s, 3 * s
    for step in range(1, len(a) + 1):
        K = coeffs[-1]
        k_abs = abs(K)
        if k_abs - rad >= one:
            return False, step
        if k_abs + rad >= one:
            return None
        m = len(coeffs) - 1
        if m == 1:
            break
        c_max = max(map(abs, coeffs[1:m]))
        D2 = (one << s) - K * K
        r = (1 << s3) // D2
        coeffs = [one] + [
            (((x << s) - K * y) * r) >> s2 for x, y in zip(coeffs[1:m], coeffs[m - 1 : 0 : -1])
        ]
        e_t = rad + _ceil_div(rad * (k_abs + c_max + rad), one)
        delta = _ceil_div(rad * (2 * k_abs + rad), one)
        d_low = D2 >> s
        d_margin = d_low - delta
        if d_margin <= 0:
            return None
        t_max = c_max + _ceil_div(k_abs * c_max, one)
        rad = (
            _ceil_div(e_t << s, d_margin)
            + _ceil_div((t_max * delta) << s, d_low * d_margin)
            + _ceil_div(t_max, one)
            + 1
        )
    return True, None


def _unstable_reason(step: int, k: sp.Expr, modulus2: sp.Expr) -> str:
    return (
        f"|k_{step}| = {sp.sqrt(modulus2)} >= 1 at step {step} (k_{step} = {k}), so some "
        "root has |lambda| >= 1"
    )


def _to_fraction(value: sp.Expr) -> Fraction:
    rational = sp.Rational(value)
    return Fraction(int(rational.p), int(rational.q))


def _rational_sqrt(value: Fraction) -> Fraction | None:
    num, den = math.isqrt(value.numerator), math.isqrt(value.denominator)
    exact = num * num == value.numerator and den * den == value.denominator
    return Fraction(num, den) if exact else None


def _sum_of_square_roots_below_one(norms: list[Fraction]) -> bool:
    # The sum is irrational (see the docstring), so this loop ends.
    bits = 32
    while True:
        scale = 1 << bits
        low = sum((_sqrt_floor(n, scale) for n in norms), Fraction(0))
        high = low + Fraction(len(norms), scale)
        if high < 1:
            return True
        if low > 1:
            return False
        bits *= 2


def _sqrt_floor(value: Fraction, scale: int) -> Fraction:
    """A rational in (sqrt(value) - 1/scale, sqrt(value)]."""
    # sqrt(p/q) = sqrt(p q) / q; isqrt of the scaled integer is a lower bound.
    p, q = value.numerator, value.denominator
    root = math.isqrt(p * q * scale * scale)
    return Fraction(root, q * scale)
