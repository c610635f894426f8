"""RTF (seed 002): transfer function, realization, truncation, checked exactly.

Expected values come from independent routes: resolvent solves (LU) and adjugates,
power kernels K_k = C Ab^k Bb, power series, and DFT/IDFT computed in the cyclotomic
field Q(omega) = Q[x]/Phi_L(x) (omega = exp(-2 pi i / L) is a primitive L-th root of unity,
so two elements are equal iff their remainders mod Phi_L are equal).
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from helpers import invertible_matrices
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic._derivation_log import exactly_equal
from hippo_verify.symbolic._rtf import (
    rational_generating_function,
    realize,
    transfer_function,
    truncated_generating_function,
    truncation_correction,
    untruncate,
)
from hippo_verify.symbolic._systems import power_kernel

z = sp.Symbol("z")
X = sp.Symbol("x")  # the generator of the cyclotomic field, standing for omega
R = sp.Rational

rationals = st.fractions(min_value=-2, max_value=2, max_denominator=5).map(
    lambda f: sp.Rational(f.numerator, f.denominator)
)


@st.composite
def rational_systems(draw, max_d: int = 3):
    d = draw(st.integers(1, max_d))
    entries = st.lists(rationals, min_size=d, max_size=d)
    Ab = sp.Matrix(d, d, draw(st.lists(rationals, min_size=d * d, max_size=d * d)))
    return Ab, sp.Matrix(draw(entries)), sp.Matrix([draw(entries)])


def _symbolic_system(d: int):
    Ab = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"a{i}{j}"))
    Bb = sp.Matrix(d, 1, lambda i, _: sp.Symbol(f"b{i}"))
    Ct = sp.Matrix(1, d, lambda _, j: sp.Symbol(f"c{j}"))
    return Ab, Bb, Ct


def _resolvent_form(Ab, Bb, Ct, at=z):
    """Ct (I - z Ab)^{-1} Bb by an LU solve (independent of the determinant route)."""
    return (Ct * (sp.eye(Ab.rows) - at * Ab).LUsolve(Bb))[0, 0]


def _polynomial(coeffs, var=z):
    return sum(c * var**i for i, c in enumerate(coeffs))


# Cyclotomic-field arithmetic: an element is its canonical remainder mod Phi_L(x).


def _phi(L: int) -> sp.Poly:
    return sp.Poly(sp.cyclotomic_poly(L, X), X, domain=sp.QQ)


def _at_power(coeffs, j: int, L: int) -> sp.Poly:
    """sum_k c_k omega^{j k} in Q[x]/Phi_L."""
    terms = sum((c * X ** ((j * k) % L) for k, c in enumerate(coeffs)), sp.Integer(0))
    return sp.Poly(terms, X, domain=sp.QQ).rem(_phi(L))


def _dft(kernel, L: int) -> list[sp.Poly]:
    return [_at_power(kernel, j, L) for j in range(L)]


def _ratio_at_roots(a, b, L: int) -> list[sp.Poly] | None:
    """b(omega^j)/a(omega^j) for j < L, or None when a vanishes at some omega^j."""
    values = []
    for j in range(L):
        denominator = _at_power([1, *a], j, L)
        if denominator.is_zero:
            return None
        inverse = denominator.invert(_phi(L))
        values.append((_at_power(b, j, L) * inverse).rem(_phi(L)))
    return values


def _idft(values: list[sp.Poly], L: int) -> list[sp.Expr]:
    """K_k = (1/L) sum_l omega^{-j k} V_l; each must be a rational (a constant remainder)."""
    kernel = []
    for k in range(L):
        total = sum(
            (values[j] * sp.Poly(X ** ((-j * k) % L), X, domain=sp.QQ) for j in range(L)),
            sp.Poly(0, X, domain=sp.QQ),
        ).rem(_phi(L))
        assert total.degree() <= 0
        kernel.append(total.as_expr() / L)
    return kernel


# ---------------------------------------------------------------------------------------
# transfer_function: the rational-function identity
# ---------------------------------------------------------------------------------------


def test_transfer_function_identity_generic_3x3():
    """Ct (I - z Ab)^{-1} Bb - b(z)/a(z) cancels to 0 for a generic symbolic 3 x 3 system."""
    Ab, Bb, Ct = _symbolic_system(3)
    a, b = transfer_function(Ab, Bb, Ct)
    difference = _resolvent_form(Ab, Bb, Ct) - rational_generating_function(a, b, z)
    assert sp.cancel(sp.together(difference)) == 0


@pytest.mark.parametrize("d", [2, 3, 4])
def test_transfer_function_adjugate_form_generic(d):
    """The seed's adjugate argument, generic symbolic d x d: det(I - z Ab) == a(z) and
    Ct adj(I - z Ab) Bb == b(z) as polynomials (cofactor expansion), hence the identity.
    (A cancel of the resolvent form is impractical for d = 4: > 10 minutes.)"""
    Ab, Bb, Ct = _symbolic_system(d)
    a, b = transfer_function(Ab, Bb, Ct)
    M = sp.eye(d) - z * Ab
    assert sp.expand(M.det(method="laplace") - _polynomial([1, *a])) == 0
    assert sp.expand((Ct * M.adjugate(method="laplace") * Bb)[0] - _polynomial(b)) == 0


@pytest.mark.parametrize("d", [2, 3, 4, 5])
def test_realization_identity_symbolic(d):
    """With symbolic a, b: Ct (I - z Ab)^{-1} Bb == b(z)/a(z) for (Ab, Bb, Ct) = realize(a, b)."""
    a, b = sp.symbols(f"a1:{d + 1}"), sp.symbols(f"b1:{d + 1}")
    difference = _resolvent_form(*realize(a, b)) - rational_generating_function(a, b, z)
    assert sp.cancel(sp.together(difference)) == 0


@pytest.mark.parametrize("d", range(1, 7))
def test_round_trip_realize_then_transfer_function(d):
    """transfer_function(*realize(a, b)) == (a, b), symbolic a and b."""
    a, b = list(sp.symbols(f"a1:{d + 1}")), list(sp.symbols(f"b1:{d + 1}"))
    assert transfer_function(*realize(a, b)) == (a, b)


def test_realize_layout():
    """Seed 002: Bb = e_1, Ct = b, and Ab - Bb Ct is the companion matrix of a + b."""
    a, b = sp.symbols("a1:4"), sp.symbols("b1:4")
    Ab, Bb, Ct = realize(a, b)
    assert Bb == sp.Matrix([1, 0, 0]) and Ct == sp.Matrix([b])
    assert Bb * Ct == sp.Matrix([b, [0, 0, 0], [0, 0, 0]])
    closed = sp.Matrix([[-a[i] - b[i] for i in range(3)], [1, 0, 0], [0, 1, 0]])
    assert Ab - Bb * Ct == closed


@given(rational_systems(max_d=4))
@settings(max_examples=30)
def test_realization_has_the_same_kernel(system):
    """realize(*transfer_function(S)) has the power kernel of S (first 2d + 3 taps)."""
    Ab, Bb, Ct = system
    L = 2 * Ab.rows + 3
    assert power_kernel(*realize(*transfer_function(Ab, Bb, Ct)), L) == power_kernel(Ab, Bb, Ct, L)


@given(st.data())
@settings(max_examples=30)
def test_transfer_function_similarity_invariance(data):
    """(T Ab T^{-1}, T Bb, Ct T^{-1}) has the same (a, b)."""
    Ab, Bb, Ct = data.draw(rational_systems())
    T = data.draw(invertible_matrices(Ab.rows, rationals))
    Ti = T.inv()
    assert transfer_function(T * Ab * Ti, T * Bb, Ct * Ti) == transfer_function(Ab, Bb, Ct)


@given(rational_systems())
@settings(max_examples=15)
def test_power_series_of_b_over_a_is_the_kernel(system):
    """The Taylor coefficients of b(z)/a(z) are K_k = Ct Ab^k Bb (sympy series)."""
    Ab, Bb, Ct = system
    n = 2 * Ab.rows + 2
    series = sp.series(rational_generating_function(*transfer_function(Ab, Bb, Ct), z), z, 0, n)
    series = series.removeO()
    assert [series.coeff(z, k) for k in range(n)] == power_kernel(Ab, Bb, Ct, n)


def test_transfer_function_known_value():
    """Ab = diag(1/2, 1/3), Bb = (1, 1), Ct = (1, 1): 1/(1-z/2) + 1/(1-z/3) by hand
    = (2 - 5z/6) / (1 - 5z/6 + z^2/6)."""
    a, b = transfer_function(sp.diag(R(1, 2), R(1, 3)), [1, 1], [1, 1])
    assert a == [R(-5, 6), R(1, 6)] and b == [2, R(-5, 6)]


# ---------------------------------------------------------------------------------------
# Sylvester's determinant identity (the step the seed uses to find a and b)
# ---------------------------------------------------------------------------------------


def test_sylvester_symbolic_nonsquare():
    """det(I_2 + U V) == det(I_3 + V U) for symbolic U (2 x 3), V (3 x 2)."""
    U = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"u{i}{j}"))
    V = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"v{i}{j}"))
    lhs = (sp.eye(2) + U * V).det(method="laplace")
    rhs = (sp.eye(3) + V * U).det(method="laplace")
    assert sp.expand(lhs - rhs) == 0


def test_sylvester_block_factorizations():
    """The seed's proof: [[I, U], [-V, I]] factors both ways (symbolic U 2 x 3, V 3 x 2)."""
    U = sp.Matrix(2, 3, lambda i, j: sp.Symbol(f"u{i}{j}"))
    V = sp.Matrix(3, 2, lambda i, j: sp.Symbol(f"v{i}{j}"))
    I2, I3, Z23, Z32 = sp.eye(2), sp.eye(3), sp.zeros(2, 3), sp.zeros(3, 2)
    block = sp.BlockMatrix([[I2, U], [-V, I3]]).as_explicit()
    first = (
        sp.BlockMatrix([[I2 + U * V, U], [Z32, I3]]).as_explicit()
        * sp.BlockMatrix([[I2, Z23], [-V, I3]]).as_explicit()
    )
    second = (
        sp.BlockMatrix([[I2, Z23], [-V, I3 + V * U]]).as_explicit()
        * sp.BlockMatrix([[I2, U], [Z32, I3]]).as_explicit()
    )
    assert (first - block).applyfunc(sp.expand) == sp.zeros(5, 5)
    assert (second - block).applyfunc(sp.expand) == sp.zeros(5, 5)


@given(st.data())
@settings(max_examples=40)
def test_sylvester_rational(data):
    """det(I_m + U V) == det(I_n + V U) for rational U (m x n), V (n x m), m, n <= 5."""
    m, n = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    U = sp.Matrix(m, n, data.draw(st.lists(rationals, min_size=m * n, max_size=m * n)))
    V = sp.Matrix(n, m, data.draw(st.lists(rationals, min_size=m * n, max_size=m * n)))
    assert (sp.eye(m) + U * V).det() == (sp.eye(n) + V * U).det()


def test_rank_one_case_of_sylvester():
    """U a column, V a row: det(I + U V) = 1 + V U (the case the seed uses)."""
    U = sp.Matrix(sp.symbols("u0:3"))
    V = sp.Matrix([sp.symbols("v0:3")])
    assert sp.expand((sp.eye(3) + U * V).det(method="laplace") - (1 + (V * U)[0])) == 0


# ---------------------------------------------------------------------------------------
# Truncation to L taps
# ---------------------------------------------------------------------------------------


@given(rational_systems(), st.integers(1, 6))
@settings(max_examples=25)
def test_truncated_generating_function_is_the_kernel_polynomial(system, L):
    """G_L(z) == sum_{k<L} K_k z^k as an identity in z (power kernel)."""
    Ab, Bb, Cbar = system
    expected = _polynomial(power_kernel(Ab, Bb, Cbar, L))
    assert sp.expand(truncated_generating_function(Ab, Bb, Cbar, L, z) - expected) == 0


def test_truncated_generating_function_symbolic_2x2():
    """Generic symbolic 2 x 2 system, L = 3: G_3(z) == K_0 + K_1 z + K_2 z^2."""
    Ab, Bb, Cbar = _symbolic_system(2)
    expected = _polynomial(power_kernel(Ab, Bb, Cbar, 3))
    assert sp.expand(truncated_generating_function(Ab, Bb, Cbar, 3, z) - expected) == 0


def test_truncated_generating_function_removable_singularity():
    """At z = 2 with Ab = diag(1/2, 1/3), I - z Ab is singular but G_L(2) is the polynomial
    value sum K_k 2^k."""
    Ab, Bb, Cbar = sp.diag(R(1, 2), R(1, 3)), [1, 1], [1, 2]
    expected = sum(K * 2**k for k, K in enumerate(power_kernel(Ab, Bb, Cbar, 4)))
    assert truncated_generating_function(Ab, Bb, Cbar, 4, 2) == expected


NON_NORMAL = (
    sp.Matrix([[R(1, 2), 1, 0], [0, R(-1, 3), 2], [1, 0, R(1, 4)]]),
    sp.Matrix([1, 2, -1]),
    sp.Matrix([[1, 0, 3]]),
)


@pytest.mark.parametrize("L", [2, 3, 4])
def test_corrected_output_gives_the_dft_at_roots_of_unity(L):
    """With Ct = Cbar (I - Ab^L), Ct (I - omega^j Ab)^{-1} Bb == sum_k K_k omega^{jk} for
    omega = exp(-2 pi i / L), evaluated with explicit radicals (expand_complex)."""
    Ab, Bb, Cbar = NON_NORMAL
    Ct = truncation_correction(Ab, Cbar, L)
    kernel = power_kernel(Ab, Bb, Cbar, L)
    omega = sp.exp(-2 * sp.pi * sp.I / L)
    for j in range(L):
        lhs = _resolvent_form(Ab, Bb, Ct, at=omega**j)
        rhs = sum(K * omega ** (j * k) for k, K in enumerate(kernel))
        assert exactly_equal(sp.expand_complex(lhs - rhs), 0)
        # Without the correction the identity fails (the check can fail).
        wrong = _resolvent_form(Ab, Bb, Cbar, at=omega**j)
        if j == 0:
            assert not exactly_equal(sp.expand_complex(wrong - rhs), 0)


@given(rational_systems(), st.integers(1, 6))
@settings(max_examples=40)
def test_dft_of_kernel_is_b_over_a_cyclotomic(system, L):
    """DFT(K_{<L})_j == b(omega^j)/a(omega^j) with (a, b) = transfer_function(Ab, Bb, Ct),
    Ct = Cbar (I - Ab^L), in Q[x]/Phi_L."""
    Ab, Bb, Cbar = system
    values = _ratio_at_roots(*transfer_function(Ab, Bb, truncation_correction(Ab, Cbar, L)), L)
    assume(values is not None)  # a(omega^j) = 0 iff an eigenvalue is an L-th root of unity
    assert values == _dft(power_kernel(Ab, Bb, Cbar, L), L)


@given(st.data())
@settings(max_examples=40)
def test_untruncated_kernel_is_the_idft_of_b_over_a(data):
    """For trained (a, b): power_kernel(Ab, Bb, untruncate(Ab, Ct, L), L) is the IDFT of
    b/a at the L-th roots of unity, (Ab, Bb, Ct) = realize(a, b)."""
    d = data.draw(st.integers(1, 3))
    a = data.draw(st.lists(rationals, min_size=d, max_size=d))
    b = data.draw(st.lists(rationals, min_size=d, max_size=d))
    L = data.draw(st.integers(1, 6))
    values = _ratio_at_roots(a, b, L)
    assume(values is not None)
    Ab, Bb, Ct = realize(a, b)
    assert power_kernel(Ab, Bb, untruncate(Ab, Ct, L), L) == _idft(values, L)


def _transposed_untruncate(Ab, Ct, L):
    """The tempting column-convention mistake: Cbar^T = (I - Ab^L)^{-1} Ct^T."""
    return ((sp.eye(Ab.rows) - Ab**L).inv() * Ct.T).T


@pytest.mark.parametrize("L", [3, 4, 5])
def test_the_transpose_matters_for_non_normal_Ab(L):
    """For the non-normal companion matrix of a = (-1/2, 1/3), solving with (I - Ab^L)^{-T}
    gives a kernel different from the IDFT of b/a; untruncate gives the right one."""
    a, b = [R(-1, 2), R(1, 3)], [1, R(2, 3)]
    Ab, Bb, Ct = realize(a, b)
    assert Ab * Ab.T != Ab.T * Ab  # non-normal
    expected = _idft(_ratio_at_roots(a, b, L), L)
    assert power_kernel(Ab, Bb, untruncate(Ab, Ct, L), L) == expected
    assert power_kernel(Ab, Bb, _transposed_untruncate(Ab, Ct, L), L) != expected


def test_the_transpose_does_not_matter_for_symmetric_Ab():
    """Control: for symmetric Ab, (I - Ab^L)^{-T} = (I - Ab^L)^{-1}, both agree."""
    Ab = sp.Matrix([[R(1, 2), R(1, 3)], [R(1, 3), R(-1, 4)]])
    Ct = sp.Matrix([[1, 2]])
    assert untruncate(Ab, Ct, 4) == _transposed_untruncate(Ab, Ct, 4)


@given(rational_systems(), st.integers(1, 6))
@settings(max_examples=40)
def test_untruncate_inverts_truncation_correction(system, L):
    Ab, _, Cbar = system
    M = sp.eye(Ab.rows) - Ab**L
    assume(M.det() != 0)
    assert untruncate(Ab, truncation_correction(Ab, Cbar, L), L) == Cbar
    assert truncation_correction(Ab, Cbar, L) == Cbar * M


@pytest.mark.parametrize(
    "Ab, L, singular",
    [
        (sp.diag(1, R(1, 2)), 3, True),  # eigenvalue 1 is a root of unity of every order
        (sp.diag(-1, R(1, 2)), 2, True),  # -1 is a square root of unity
        (sp.diag(-1, R(1, 2)), 3, False),  # but not a cube root
        (sp.Matrix([[0, -1], [1, 0]]), 4, True),  # eigenvalues +-i
        (sp.Matrix([[0, -1], [1, 0]]), 2, False),  # i^2 = -1, 1 - (-1) = 2
        (sp.Matrix([[0, -1], [1, -1]]), 3, True),  # eigenvalues: primitive cube roots
    ],
)
def test_untruncate_singular_iff_root_of_unity_eigenvalue(Ab, L, singular):
    if singular:
        with pytest.raises(InvalidArgumentError, match="root of unity"):
            untruncate(Ab, [1, 1], L)
    else:
        Cbar = untruncate(Ab, [1, 1], L)
        assert Cbar * (sp.eye(2) - Ab**L) == sp.Matrix([[1, 1]])


# ---------------------------------------------------------------------------------------
# Zero initialization: a = 0 is a shift register
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 2, 3, 5])
def test_zero_a_kernel_is_b_then_zeros(d):
    b = list(sp.symbols(f"b1:{d + 1}"))
    Ab, Bb, Ct = realize([0] * d, b)
    assert power_kernel(Ab, Bb, Ct, 2 * d + 2) == b + [0] * (d + 2)
    # Ab is nilpotent, so for L >= d no correction: Cbar = Ct.
    assert untruncate(Ab, Ct, d) == Ct


@pytest.mark.parametrize("d", [1, 2, 4])
def test_zero_a_state_holds_the_last_d_inputs(d):
    """x_k = (u_{k-1}, ..., u_{k-d}) with u_j = 0 for j < 0: the recurrence, run step by step."""
    u = sp.symbols("u0:8")
    Ab, Bb, _ = realize([0] * d, [1] * d)
    state = sp.zeros(d, 1)
    for k in range(1, 9):
        state = Ab * state + Bb * u[k - 1]
        assert list(state) == [u[k - 1 - i] if k - 1 - i >= 0 else 0 for i in range(d)]


def test_companion_step_is_a_shift_with_feedback():
    """x_{k+1} = (u_k - <a, x_k>, x_k[0], ..., x_k[d-2]) for the realization (symbolic)."""
    a, x, u = sp.symbols("a1:5"), sp.symbols("x0:4"), sp.Symbol("u")
    Ab, Bb, _ = realize(a, [0] * 4)
    step = Ab * sp.Matrix(x) + Bb * u
    inner = sum(ai * xi for ai, xi in zip(a, x))
    assert (step - sp.Matrix([u - inner, *x[:3]])).applyfunc(sp.expand) == sp.zeros(4, 1)


# ---------------------------------------------------------------------------------------
# Larger sweeps (slow)
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("d", [5])
def test_transfer_function_adjugate_form_generic_large(d):
    test_transfer_function_adjugate_form_generic(d)


@pytest.mark.slow
@pytest.mark.parametrize("d", [6, 7, 8])
def test_realization_identity_symbolic_large(d):
    test_realization_identity_symbolic(d)


@pytest.mark.slow
@given(st.data())
@settings(max_examples=150)
def test_untruncated_kernel_is_the_idft_of_b_over_a_large(data):
    """As above with d <= 5 and L <= 12."""
    d = data.draw(st.integers(1, 5))
    a = data.draw(st.lists(rationals, min_size=d, max_size=d))
    b = data.draw(st.lists(rationals, min_size=d, max_size=d))
    L = data.draw(st.integers(1, 12))
    values = _ratio_at_roots(a, b, L)
    assume(values is not None)
    Ab, Bb, Ct = realize(a, b)
    assert power_kernel(Ab, Bb, untruncate(Ab, Ct, L), L) == _idft(values, L)


@pytest.mark.slow
@given(rational_systems(max_d=5), st.integers(1, 10))
@settings(max_examples=100)
def test_dft_of_kernel_is_b_over_a_cyclotomic_large(system, L):
    Ab, Bb, Cbar = system
    values = _ratio_at_roots(*transfer_function(Ab, Bb, truncation_correction(Ab, Cbar, L)), L)
    assume(values is not None)
    assert values == _dft(power_kernel(Ab, Bb, Cbar, L), L)


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------

GOOD_A = [[R(1, 2), 0], [1, R(1, 3)]]


@pytest.mark.parametrize(
    "args, error",
    [
        (([], [1], [1]), InvalidArgumentError),  # d < 1
        (([[1, 2, 3], [4, 5, 6]], [1, 2], [1, 2]), InvalidArgumentError),  # non-square
        ((GOOD_A, [1, 2, 3], [1, 2]), InvalidArgumentError),  # Bb length
        ((GOOD_A, [1, 2], [1]), InvalidArgumentError),  # Ct length
        ((GOOD_A, [[1, 2], [3, 4]], [1, 2]), InvalidArgumentError),  # Bb not a vector
        ((GOOD_A, [1, math.nan], [1, 2]), InvalidArgumentError),
        (("Ab", [1, 2], [1, 2]), InvalidTypeError),
        ((GOOD_A, [1, 2], object()), InvalidTypeError),
    ],
)
def test_transfer_function_validation(args, error):
    with pytest.raises(error):
        transfer_function(*args)


@pytest.mark.parametrize(
    "a, b, error",
    [
        ([], [], InvalidArgumentError),
        ([1, 2], [1], InvalidArgumentError),
        ([1, math.inf], [1, 2], InvalidArgumentError),
        ("a", [1], InvalidTypeError),
        ([1], None, InvalidTypeError),
    ],
)
def test_realize_and_rational_gf_validation(a, b, error):
    with pytest.raises(error):
        realize(a, b)
    with pytest.raises(error):
        rational_generating_function(a, b, z)


@pytest.mark.parametrize(
    "bad_z, error", [("z", InvalidTypeError), (math.nan, InvalidArgumentError)]
)
def test_rational_gf_bad_z(bad_z, error):
    with pytest.raises(error):
        rational_generating_function([1], [1], bad_z)


def test_rational_gf_pole():
    """1 + a_1 z vanishes at z = -1/a_1: refused, not returned as zoo."""
    with pytest.raises(InvalidArgumentError, match="vanishes"):
        rational_generating_function([R(1, 2)], [1], -2)
    assert rational_generating_function([R(1, 2)], [1], 1) == R(2, 3)


@pytest.mark.parametrize("fn", [truncation_correction, untruncate])
@pytest.mark.parametrize(
    "Ab, row, L, error",
    [
        ([], [1], 2, InvalidArgumentError),
        ([[1, 2]], [1, 2], 2, InvalidArgumentError),  # non-square
        (GOOD_A, [1, 2, 3], 2, InvalidArgumentError),
        (GOOD_A, [1, 2], 0, InvalidArgumentError),  # L < 1
        (GOOD_A, [1, 2], 2.0, InvalidTypeError),
        (GOOD_A, [1, 2], True, InvalidTypeError),
        (GOOD_A, [1, math.nan], 2, InvalidArgumentError),
        (GOOD_A, "row", 2, InvalidTypeError),
    ],
)
def test_truncation_validation(fn, Ab, row, L, error):
    with pytest.raises(error):
        fn(Ab, row, L)


@pytest.mark.parametrize(
    "args, error",
    [
        (([], [1], [1], 2, z), InvalidArgumentError),
        (([[1, 2]], [1], [1], 2, z), InvalidArgumentError),
        ((GOOD_A, [1], [1, 2], 2, z), InvalidArgumentError),
        ((GOOD_A, [1, 2], [1], 2, z), InvalidArgumentError),
        ((GOOD_A, [1, 2], [1, 2], 0, z), InvalidArgumentError),
        ((GOOD_A, [1, 2], [1, 2], 1.5, z), InvalidTypeError),
        ((GOOD_A, [1, 2], [1, 2], 2, "z"), InvalidTypeError),
        ((GOOD_A, [1, 2], [1, 2], 2, math.inf), InvalidArgumentError),
    ],
)
def test_truncated_gf_validation(args, error):
    with pytest.raises(error):
        truncated_generating_function(*args)


def test_transfer_function_validates_before_work(monkeypatch):
    import hippo_verify.symbolic._rtf as module

    def boom(*_):
        raise AssertionError("work started")

    monkeypatch.setattr(module, "charpoly_coeffs", boom)
    with pytest.raises(InvalidArgumentError):
        transfer_function(GOOD_A, [1, 2, 3], [1, 2])
