"""Companion matrices and characteristic-polynomial coefficients, checked exactly.

Expected values come from routes independent of the code under test: cofactor
(Laplace) expansion of det(lambda I - A), the trace and determinant, and similarity.
"""

from __future__ import annotations

import math

import pytest
import sympy as sp
from helpers import invertible_matrices
from hypothesis import given, settings
from hypothesis import strategies as st

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic._polynomials import CHARPOLY_METHODS, charpoly_coeffs, companion

lam = sp.Symbol("lambda")


def _monic(a) -> sp.Expr:
    """lambda^d + a_1 lambda^{d-1} + ... + a_d, written out."""
    d = len(a)
    return lam**d + sum(a[i] * lam ** (d - 1 - i) for i in range(d))


def _laplace_charpoly_coeffs(A: sp.Matrix) -> list[sp.Expr]:
    """(a_1..a_d) from det(lambda I - A) by cofactor expansion (independent of Berkowitz)."""
    det = (lam * sp.eye(A.rows) - A).det(method="laplace")
    coeffs = sp.Poly(sp.expand(det), lam).all_coeffs()
    assert coeffs[0] == 1
    return [sp.expand(c) for c in coeffs[1:]]


def _symbols(prefix: str, d: int) -> list[sp.Symbol]:
    return list(sp.symbols(f"{prefix}1:{d + 1}"))


rationals = st.fractions(min_value=-3, max_value=3, max_denominator=7).map(
    lambda f: sp.Rational(f.numerator, f.denominator)
)


@st.composite
def rational_matrices(draw, max_d: int = 5) -> sp.Matrix:
    d = draw(st.integers(1, max_d))
    return sp.Matrix(d, d, draw(st.lists(rationals, min_size=d * d, max_size=d * d)))


# ---------------------------------------------------------------------------------------
# companion
# ---------------------------------------------------------------------------------------


def test_companion_layout():
    """Seed 002's layout: first row -a, ones on the subdiagonal, zeros elsewhere."""
    a1, a2, a3 = sp.symbols("a1:4")
    assert companion([a1, a2, a3]) == sp.Matrix([[-a1, -a2, -a3], [1, 0, 0], [0, 1, 0]])
    assert companion([5]) == sp.Matrix([[-5]])


@pytest.mark.parametrize("d", range(1, 11))
def test_companion_charpoly_symbolic(d):
    """det(lambda I - companion(a)) == lambda^d + sum a_i lambda^{d-i}, symbolic a, by
    cofactor expansion."""
    a = _symbols("a", d)
    det = (lam * sp.eye(d) - companion(a)).det(method="laplace")
    assert sp.expand(det - _monic(a)) == 0


@pytest.mark.parametrize("d", range(2, 11))
def test_companion_last_column_recursion(d):
    """p_d = lambda p_{d-1} + a_d, with p_j(lambda) = det(lambda I - companion(a_1..a_j)).

    Expanding det(lambda I - C_d) along the last column: its only nonzero entries are
    a_d at (1, d) and lambda at (d, d). (i) The (d, d) minor is lambda I - C_{d-1}
    (a_1..a_{d-1}) entry for entry; (ii) the (1, d) minor is upper triangular with -1 on
    the diagonal, determinant (-1)^{d-1}, so the cofactor of a_d is
    (-1)^{1+d} (-1)^{d-1} = 1. Both are statements about the pattern of the matrix, true for
    every d, and p_1 = lambda + a_1; by induction p_d = lambda^d + a_1 lambda^{d-1} + ... + a_d
    for all d. Here the pattern facts and the recursion are checked for d <= 10.
    """
    a = _symbols("a", d)
    M = lam * sp.eye(d) - companion(a)
    last_column = [M[i, d - 1] for i in range(d)]
    assert last_column == [a[-1]] + [0] * (d - 2) + [lam]
    assert M.minor_submatrix(d - 1, d - 1) == lam * sp.eye(d - 1) - companion(a[:-1])
    corner = M.minor_submatrix(0, d - 1)
    assert corner.is_upper and all(corner[i, i] == -1 for i in range(d - 1))
    assert corner.det(method="laplace") == (-1) ** (d - 1)
    smaller = (lam * sp.eye(d - 1) - companion(a[:-1])).det(method="laplace")
    assert sp.expand(M.det(method="laplace") - (lam * smaller + a[-1])) == 0


def test_companion_recursion_base_case():
    a1 = sp.Symbol("a1")
    assert (lam * sp.eye(1) - companion([a1])).det() == lam + a1


@pytest.mark.parametrize("d", range(1, 11))
def test_companion_first_row_expansion(d):
    """The seed's route: the (1, j) minor of lambda I - C_d has determinant
    (-1)^{j-1} lambda^{d-j}, so the first-row expansion gives sum a_j lambda^{d-j} + lambda^d."""
    a = _symbols("a", d)
    M = lam * sp.eye(d) - companion(a)
    for j in range(d):
        minor = M.minor_submatrix(0, j).det(method="laplace")
        assert sp.expand(minor - (-1) ** j * lam ** (d - 1 - j)) == 0


@given(st.lists(rationals, min_size=1, max_size=6))
@settings(max_examples=40)
def test_charpoly_of_companion_is_a(a):
    """Both methods recover a from companion(a) (rational a)."""
    for method in CHARPOLY_METHODS:
        assert charpoly_coeffs(companion(a), method) == a


# ---------------------------------------------------------------------------------------
# charpoly_coeffs
# ---------------------------------------------------------------------------------------


# 20 examples (40 before): for d <= 4 the identities are proven on a generic symbolic
# matrix (test_charpoly_symbolic_matrix); rational draws add d = 5 and exact rational
# arithmetic, and the slow sweep below draws 100 matrices up to d = 6.
@given(rational_matrices())
@settings(max_examples=20)
def test_charpoly_methods_agree_with_cofactor_expansion(A):
    """Berkowitz == Faddeev-LeVerrier == cofactor expansion of det(lambda I - A)."""
    expected = _laplace_charpoly_coeffs(A)
    assert charpoly_coeffs(A, "berkowitz") == expected
    assert charpoly_coeffs(A, "faddeev-leverrier") == expected


@given(rational_matrices())
@settings(max_examples=20)  # as above
def test_charpoly_trace_and_determinant(A):
    """a_1 = -tr A and a_d = (-1)^d det A (Bareiss determinant)."""
    d = A.rows
    for method in CHARPOLY_METHODS:
        coeffs = charpoly_coeffs(A, method)
        assert coeffs[0] == -A.trace()
        assert coeffs[-1] == (-1) ** d * A.det(method="bareiss")


@given(st.data())
@settings(max_examples=30)
def test_charpoly_similarity_invariance(data):
    """charpoly_coeffs(T A T^{-1}) == charpoly_coeffs(A) for random invertible rational T."""
    A = data.draw(rational_matrices(max_d=4))
    T = data.draw(invertible_matrices(A.rows, rationals))
    for method in CHARPOLY_METHODS:
        assert charpoly_coeffs(T * A * T.inv(), method) == charpoly_coeffs(A, method)


@pytest.mark.parametrize("d", [2, 3, 4])
def test_charpoly_symbolic_matrix(d):
    """Generic symbolic d x d matrix: both methods equal the cofactor expansion."""
    A = sp.Matrix(d, d, lambda i, j: sp.Symbol(f"m{i}{j}"))
    expected = _laplace_charpoly_coeffs(A)
    for method in CHARPOLY_METHODS:
        got = charpoly_coeffs(A, method)
        assert all(sp.expand(g - e) == 0 for g, e in zip(got, expected, strict=True))


def test_charpoly_gaussian_rational_matrix():
    """Complex entries: both methods agree with the cofactor expansion."""
    A = sp.Matrix([[sp.I / 2, 1, 0], [2, 3 - sp.I, sp.Rational(1, 3)], [0, sp.I, -1]])
    expected = _laplace_charpoly_coeffs(A)
    for method in CHARPOLY_METHODS:
        assert [sp.expand(c) for c in charpoly_coeffs(A, method)] == expected


def test_charpoly_known_values():
    """[[1, 2], [3, 4]]: lambda^2 - 5 lambda - 2 (hand computation)."""
    for method in CHARPOLY_METHODS:
        assert charpoly_coeffs([[1, 2], [3, 4]], method) == [-5, -2]


def test_charpoly_float_entry_is_read_exactly():
    """0.1 is the binary rational it holds, so a_1 = -0.1 exactly as that rational."""
    assert charpoly_coeffs([[0.1]]) == [-sp.Rational(0.1)]
    assert charpoly_coeffs([[0.1]]) != [-sp.Rational(1, 10)]


# ---------------------------------------------------------------------------------------
# Larger sweeps (slow)
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("d", range(11, 21))
def test_companion_charpoly_and_recursion_large(d):
    """d = 11..20 with sympy's Berkowitz determinant (cofactor expansion of the dense first
    row grows exponentially: 70 s at d = 15)."""
    a = _symbols("a", d)
    M = lam * sp.eye(d) - companion(a)
    assert sp.expand(M.det(method="berkowitz") - _monic(a)) == 0
    assert M.minor_submatrix(d - 1, d - 1) == lam * sp.eye(d - 1) - companion(a[:-1])
    corner = M.minor_submatrix(0, d - 1)
    assert corner.is_upper and all(corner[i, i] == -1 for i in range(d - 1))


@pytest.mark.slow
@given(rational_matrices(max_d=6))
@settings(max_examples=100)
def test_charpoly_methods_agree_large(A):
    det = (lam * sp.eye(A.rows) - A).det(method="bareiss")  # fraction-free elimination
    expected = [sp.expand(c) for c in sp.Poly(sp.cancel(det), lam).all_coeffs()[1:]]
    assert charpoly_coeffs(A, "berkowitz") == expected
    assert charpoly_coeffs(A, "faddeev-leverrier") == expected
    assert expected[-1] == (-1) ** A.rows * A.det(method="bareiss")


# ---------------------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a, error",
    [
        ([], InvalidArgumentError),  # d < 1
        ([[1, 2], [3, 4]], InvalidArgumentError),  # not a vector
        ([1, math.nan], InvalidArgumentError),
        ([1, math.inf], InvalidArgumentError),
        ("abc", InvalidTypeError),
        (3, InvalidTypeError),
        ([1, object()], InvalidTypeError),
        ({1: 2}, InvalidTypeError),
    ],
)
def test_companion_validation(a, error):
    with pytest.raises(error):
        companion(a)


@pytest.mark.parametrize(
    "A, method, error",
    [
        ([], "berkowitz", InvalidArgumentError),  # d < 1
        ([[1, 2, 3], [4, 5, 6]], "berkowitz", InvalidArgumentError),  # not square
        ([[1, 2], [3, math.nan]], "berkowitz", InvalidArgumentError),
        ([[1, 2], [3, 4]], "qr", InvalidArgumentError),
        ([[1, 2], [3, 4]], 1, InvalidTypeError),
        ("A", "berkowitz", InvalidTypeError),
        ([[1, 2], [3, object()]], "berkowitz", InvalidTypeError),
    ],
)
def test_charpoly_validation(A, method, error):
    with pytest.raises(error):
        charpoly_coeffs(A, method)


def test_charpoly_validates_before_work(monkeypatch):
    """An unknown method is refused before any algorithm runs."""
    import hippo_verify.symbolic._polynomials as module

    def boom(_):
        raise AssertionError("work started")

    monkeypatch.setattr(module, "_berkowitz", boom)
    monkeypatch.setattr(module, "_faddeev_leverrier", boom)
    with pytest.raises(InvalidArgumentError):
        charpoly_coeffs([[1, 2], [3, 4]], "bogus")
    with pytest.raises(InvalidArgumentError):
        charpoly_coeffs([[1, 2, 3]], "berkowitz")
