"""Exact structural facts of the HiPPO matrices, checked on the *derived* matrices.

Low-rank corrections are written out here independently of ``hippo_nplr``.
"""

from __future__ import annotations

import functools

import pytest
import sympy as sp

from hippo_verify.symbolic import derive_hippo, exactly_equal, hippo, hippo_nplr

lam = sp.Symbol("lambda")


@functools.cache
def _A(measure: str, N: int) -> sp.Matrix:
    return derive_hippo(measure, N)[0]


def _is_skew(S: sp.Matrix) -> bool:
    return exactly_equal(S, -S.T)


def _charpoly(A: sp.Matrix) -> sp.Expr:
    return A.charpoly(lam).as_expr()


# ---------------------------------------------------------------------------------------
# LegS
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("N", range(1, 11))
def test_legs_lower_triangular_with_diagonal(N):
    """LegS A is lower triangular with diagonal -1, -2, ..., -N (hence eigenvalues -1..-N)."""
    A = _A("legs", N)
    assert all(A[i, j] == 0 for i in range(N) for j in range(i + 1, N))
    assert [A[n, n] for n in range(N)] == [-(n + 1) for n in range(N)]


@pytest.mark.parametrize("N", range(1, 7))
def test_legs_charpoly(N):
    """LegS: det(lambda I - A) == prod_{n=1}^{N} (lambda + n) exactly."""
    expected = sp.prod([lam + n for n in range(1, N + 1)])
    assert exactly_equal(_charpoly(_A("legs", N)), sp.expand(expected))


@pytest.mark.parametrize("N", range(1, 13))
def test_legs_rank1_correction_gives_skew(N):
    """LegS + P P^T with P_n = sqrt(n + 1/2) equals -I/2 + S, S skew-symmetric."""
    P = sp.Matrix(N, 1, lambda n, _: sp.sqrt(sp.Rational(2 * n + 1, 2)))
    S = _A("legs", N) + P * P.T + sp.eye(N) / 2
    assert _is_skew(S)


# ---------------------------------------------------------------------------------------
# LegT
# ---------------------------------------------------------------------------------------


def _legt_corrections(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    P0 = sp.Matrix(N, 1, lambda n, _: sp.sqrt(2 * n + 1) if n % 2 == 1 else 0)
    P1 = sp.Matrix(N, 1, lambda n, _: sp.sqrt(2 * n + 1) if n % 2 == 0 else 0)
    return P0, P1


@pytest.mark.parametrize("N", range(1, 13))
def test_legt_rank2_correction_gives_skew(N):
    """LegT + P0 P0^T + P1 P1^T (sqrt(2n+1) on odd / even n) is skew-symmetric."""
    P0, P1 = _legt_corrections(N)
    assert _is_skew(_A("legt", N) + P0 * P0.T + P1 * P1.T)


@pytest.mark.parametrize("N", range(2, 11))
def test_legt_symmetric_part_has_rank_2(N):
    """LegT: A + A^T = -2(P0 P0^T + P1 P1^T) with a nonsingular 2x2 minor, so its rank is
    exactly 2 and no rank-1 correction A + u u^T can be skew-symmetric."""
    A = _A("legt", N)
    P0, P1 = _legt_corrections(N)
    sym = A + A.T
    assert exactly_equal(sym, -2 * (P0 * P0.T + P1 * P1.T))  # rank <= 2
    assert sym.extract([0, 1], [0, 1]).det() != 0  # rank >= 2
    assert sym.rank() == 2


def test_legt_one_by_one_symmetric_part_rank_1():
    """LegT N=1: A + A^T = [-2] has rank 1 (only one parity class present)."""
    A = _A("legt", 1)
    assert (A + A.T) == sp.Matrix([[-2]])


def test_legt_no_rank1_skew_correction_n3():
    """LegT N=3: the equations A + A^T + 2 u u^T = 0 for u in C^3 have no solution."""
    A = _A("legt", 3)
    u = sp.symbols("u0:3")
    U = sp.Matrix(u)
    equations = list(A + A.T + 2 * U * U.T)
    assert sp.solve(equations, u, dict=True) == []


# ---------------------------------------------------------------------------------------
# NPLR decomposition
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("N", range(1, 11))
@pytest.mark.parametrize("measure", ["legt", "legs", "lagt", "fout"])
def test_nplr_reconstructs_derived_A(measure, N):
    """hippo_nplr: A_derived == c I + S - P P^T exactly, with S^T == -S."""
    d = hippo_nplr(measure, N)
    P = d.low_rank
    assert P.shape[0] == N
    assert _is_skew(d.skew)
    assert exactly_equal(_A(measure, N), d.shift * sp.eye(N) + d.skew - P * P.T)


@pytest.mark.parametrize("measure, rank", [("legt", 2), ("legs", 1), ("lagt", 1), ("fout", 1)])
def test_nplr_low_rank_width(measure, rank):
    """The low-rank factor has the documented number of columns (2 for LegT, else 1)."""
    assert hippo_nplr(measure, 6).low_rank.shape == (6, rank)


# ---------------------------------------------------------------------------------------
# LagT
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("N", range(1, 9))
def test_lagt_charpoly(N):
    """LagT: det(lambda I - A) == (lambda + 1)^N."""
    assert exactly_equal(_charpoly(_A("lagt", N)), sp.expand((lam + 1) ** N))


@pytest.mark.parametrize("N", range(1, 9))
def test_lagt_single_jordan_block(N):
    """LagT: rank(A + I) == N - 1, so -1 has a single eigenvector (one Jordan block)."""
    assert (_A("lagt", N) + sp.eye(N)).rank() == N - 1


# ---------------------------------------------------------------------------------------
# FouT
# ---------------------------------------------------------------------------------------


def _fout_e(N: int) -> sp.Matrix:
    """Basis values at the window ends: 1 for the constant, sqrt2 for cosines, 0 for sines."""
    return sp.Matrix(N, 1, lambda n, _: 1 if n == 0 else (sp.sqrt(2) if n % 2 == 1 else 0))


@pytest.mark.parametrize("N", range(1, 11))
def test_fout_symmetric_part(N):
    """FouT: A + A^T == -4 e e^T exactly."""
    A = _A("fout", N)
    e = _fout_e(N)
    assert exactly_equal(A + A.T, -4 * e * e.T)


@pytest.mark.parametrize("N", range(1, 9))
def test_fout_symmetric_part_spectrum(N):
    """FouT: A + A^T has char. poly lambda^(N-1) (lambda + 4 e^T e), e^T e = 1 + 2 floor(N/2):
    negative semidefinite, so every eigenvalue of A has real part <= 0."""
    A = _A("fout", N)
    ee = 1 + 2 * (N // 2)
    assert exactly_equal((_fout_e(N).T * _fout_e(N))[0], ee)
    expected = sp.expand(lam ** (N - 1) * (lam + 4 * ee))
    assert exactly_equal(_charpoly(A + A.T), expected)


def _det_as_polynomial_in_pi(A: sp.Matrix) -> sp.Expr:
    """det(A) with pi replaced by a symbol: a polynomial with coefficients in Q(sqrt2).
    Since pi is transcendental, det(A) == 0 iff this polynomial is identically zero."""
    p = sp.Symbol("p")
    det = A.subs(sp.pi, p).det(method="berkowitz")
    return sp.expand(sp.radsimp(sp.expand(det)))


@pytest.mark.parametrize("N", range(1, 11))
def test_fout_det_zero_iff_even(N):
    """FouT: det(A) == 0 exactly iff N is even."""
    det = _det_as_polynomial_in_pi(_A("fout", N))
    if N % 2 == 0:
        assert det == 0
    else:
        assert det != 0


@pytest.mark.parametrize("N", [2, 4, 6, 8, 10])
def test_fout_kernel_vector_even_N(N):
    """FouT, even N: v = sqrt2 e_0 - e_{N-1} (constant minus the unpaired cosine) has A v = 0."""
    v = sp.zeros(N, 1)
    v[0] = sp.sqrt(2)
    v[N - 1] = -1
    assert exactly_equal(_A("fout", N) * v, sp.zeros(N, 1))


@pytest.mark.parametrize("N", [3, 5, 7])
def test_fout_kernel_vector_fails_odd_N(N):
    """Control: for odd N the last state is a sine and the same v is not in the kernel."""
    v = sp.zeros(N, 1)
    v[0] = sp.sqrt(2)
    v[N - 1] = -1
    assert not exactly_equal(_A("fout", N) * v, sp.zeros(N, 1))


@pytest.mark.parametrize("N", [2, 4, 6, 8])
def test_fout_s4_zero_eigenvalue(N):
    """s4 FouT: the zero state e_1 is an eigenvector with eigenvalue 0, so det(A) == 0."""
    A, _ = hippo("fout", N, convention="s4")
    e1 = sp.zeros(N, 1)
    e1[1] = 1
    assert A * e1 == sp.zeros(N, 1)
    assert _det_as_polynomial_in_pi(A) == 0
