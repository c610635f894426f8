"""Tests of ``hippo(..., convention=...)`` and the named transforms in ``CONVENTIONS``.

The references are sympy transcriptions of the public numpy code (``transition()`` in
state-spaces/s4 ``src/models/hippo/hippo.py`` and HazyResearch/hippo-code ``model/op.py``),
written here entry by entry without using the package.
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from hippo_verify.symbolic import (
    CONVENTION_MEASURES,
    CONVENTIONS,
    exactly_equal,
    hippo,
    hippo_closed_form,
)

# ---------------------------------------------------------------------------------------
# Independent transcriptions of the public code (i = row index n, j = column index k)
# ---------------------------------------------------------------------------------------


def _public_legt(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """A = -R[:,None] * where(i < j, (-1)**(i-j), 1) * R[None,:], B = R[:,None]."""
    R = [sp.sqrt(2 * n + 1) for n in range(N)]
    A = sp.Matrix(N, N, lambda i, j: -(R[i] * (sp.Integer(-1) ** (i - j) if i < j else 1) * R[j]))
    return A, sp.Matrix(R)


def _public_s4_legt(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """The s4 code halves both after building the LegT matrices ('halve for timescale')."""
    A, B = _public_legt(N)
    return A * sp.Rational(1, 2), B * sp.Rational(1, 2)


def _public_lmu(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """R = (2Q+1)[:,None]; A = where(i < j, -1, (-1)**(i-j+1)) * R; B = (-1)**Q * R."""
    A = sp.Matrix(N, N, lambda i, j: (-1 if i < j else sp.Integer(-1) ** (i - j + 1)) * (2 * i + 1))
    B = sp.Matrix(N, 1, lambda i, _: sp.Integer(-1) ** i * (2 * i + 1))
    return A, B


def _public_legs(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """M = -(where(row >= col, r, 0) - diag(q)); T = sqrt(diag(2q+1)); A = T M T^{-1}.

    ``r = 2q+1`` is 1-D, so numpy broadcasts it along the last axis: the entry at
    (row, col) is r[col] = 2 col + 1.
    """
    M = sp.Matrix(N, N, lambda i, j: -((2 * j + 1 if i >= j else 0) - (i if i == j else 0)))
    T = sp.diag(*[sp.sqrt(2 * q + 1) for q in range(N)])
    A = T * M * T.inv()
    B = sp.Matrix([T[q, q] for q in range(N)])
    return A.applyfunc(sp.radsimp), B


def _public_legs_numpy_literal(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """The legs code run through numpy itself (integer dtype, so exact) for M, then sympy
    for the square roots: pins down numpy's broadcasting of ``r`` in ``np.where``."""
    q = np.arange(N)
    col, row = np.meshgrid(q, q)
    r = 2 * q + 1
    M = -(np.where(row >= col, r, 0) - np.diag(q))
    M = sp.Matrix(M.tolist())
    T = sp.diag(*[sp.sqrt(int(v)) for v in 2 * q + 1])
    return (T * M * T.inv()).applyfunc(sp.radsimp), sp.Matrix([T[k, k] for k in range(N)])


def _public_lagt(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """A = eye(N)/2 - tril(ones(N, N)), B = ones(N, 1)."""
    A = sp.eye(N) / 2 - sp.Matrix(N, N, lambda i, j: 1 if i >= j else 0)
    return A, sp.ones(N, 1)


def _public_s4_fout(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """freqs = arange(N//2); d = stack([zeros, freqs], -1).reshape(-1)[1:];
    A = pi (-diag(d, 1) + diag(d, -1)); B = zeros(N); B[0::2] = sqrt2; B[0] = 1;
    A = A - B B^T."""
    freqs = list(range(N // 2))
    d = [v for f in freqs for v in (0, f)][1:]
    assert len(d) == N - 1
    A = sp.zeros(N, N)
    for i, di in enumerate(d):
        A[i, i + 1] = -sp.pi * di
        A[i + 1, i] = sp.pi * di
    b = [sp.sqrt(2) if i % 2 == 0 else sp.Integer(0) for i in range(N)]
    b[0] = sp.Integer(1)
    B = sp.Matrix(b)
    return A - B * B.T, B


def _public_s4_fout_numpy_literal(N: int) -> sp.Matrix:
    """The integer 'frequency' pattern of s4's fout A built by numpy itself (A / pi before
    the rank-1 term), to pin down np.stack/reshape/np.diag offsets."""
    freqs = np.arange(N // 2)
    d = np.stack([np.zeros(N // 2, dtype=int), freqs], axis=-1).reshape(-1)[1:]
    return sp.Matrix((-np.diag(d, 1) + np.diag(d, -1)).tolist())


PUBLIC = {
    ("s4", "legt"): _public_s4_legt,
    ("s4", "legs"): _public_legs,
    ("s4", "lagt"): _public_lagt,
    ("s4", "fout"): _public_s4_fout,
    ("hippo-code", "legt"): _public_legt,
    ("hippo-code", "legs"): _public_legs,
    ("hippo-code", "lagt"): _public_lagt,
    ("lmu", "legt"): _public_lmu,
}


def _sizes(convention: str, measure: str) -> list[int]:
    if (convention, measure) == ("s4", "fout"):
        return [2, 4, 6, 8]
    return list(range(1, 9))


CASES = [(c, m, N) for (c, m) in PUBLIC for N in _sizes(c, m)]


@pytest.mark.parametrize("convention, measure, N", CASES)
def test_matches_public_code(convention, measure, N):
    """hippo(measure, N, convention) equals the transcription of the public code exactly."""
    A, B = hippo(measure, N, convention=convention)
    A_ref, B_ref = PUBLIC[(convention, measure)](N)
    assert A.shape == (N, N) and B.shape == (N, 1)
    assert exactly_equal(A, A_ref)
    assert exactly_equal(B, B_ref)


@pytest.mark.parametrize("N", range(1, 9))
def test_legs_transcription_matches_numpy_broadcasting(N):
    """The hand transcription of the legs code agrees with numpy's own evaluation of M."""
    A, B = _public_legs(N)
    A_np, B_np = _public_legs_numpy_literal(N)
    assert exactly_equal(A, A_np) and exactly_equal(B, B_np)


@pytest.mark.parametrize("N", [2, 4, 6, 8])
def test_s4_fout_transcription_matches_numpy(N):
    """The hand transcription of s4's fout rotation part agrees with numpy's evaluation."""
    A, B = _public_s4_fout(N)
    assert exactly_equal((A + B * B.T) / sp.pi, _public_s4_fout_numpy_literal(N))


@pytest.mark.parametrize("measure", ["legt", "legs", "lagt", "fout"])
@pytest.mark.parametrize("N", [1, 3, 6])
def test_canonical_is_closed_form(measure, N):
    """convention='canonical' (the default) returns the closed form unchanged."""
    A, B = hippo(measure, N, convention="canonical")
    A_ref, B_ref = hippo_closed_form(measure, N)
    assert exactly_equal(A, A_ref) and exactly_equal(B, B_ref)
    A2, B2 = hippo(measure, N)
    assert exactly_equal(A2, A_ref) and exactly_equal(B2, B_ref)


# ---------------------------------------------------------------------------------------
# Schema and transforms agree
# ---------------------------------------------------------------------------------------


def test_convention_keys_match_schema():
    """CONVENTIONS defines exactly the conventions of CONVENTION_MEASURES."""
    assert set(CONVENTIONS) == set(CONVENTION_MEASURES)


@pytest.mark.parametrize("convention", sorted(CONVENTION_MEASURES))
def test_convention_measures_match_schema(convention):
    """Each convention's transforms cover exactly the measures the schema allows."""
    assert set(CONVENTIONS[convention]) == set(CONVENTION_MEASURES[convention])


# ---------------------------------------------------------------------------------------
# Elementary action of each Transform, on a generic symbolic (A, B)
# ---------------------------------------------------------------------------------------


def _generic(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    A = sp.Matrix(N, N, lambda i, j: sp.Symbol(f"a{i}{j}"))
    B = sp.Matrix(N, 1, lambda i, _: sp.Symbol(f"b{i}"))
    return A, B


def _expect_identity(A, B):
    return A, B


def _expect_half(A, B):
    return A / 2, B / 2


def _expect_tilt(A, B):
    return A + sp.eye(A.shape[0]) / 2, B


def _expect_lmu(A, B):
    N = A.shape[0]
    A_out = sp.Matrix(
        N,
        N,
        lambda i, j: sp.Integer(-1) ** (i + j) * sp.sqrt(2 * i + 1) / sp.sqrt(2 * j + 1) * A[i, j],
    )
    B_out = sp.Matrix(N, 1, lambda i, _: sp.Integer(-1) ** i * sp.sqrt(2 * i + 1) * B[i])
    return A_out, B_out


def _expect_s4_fout(A, B):
    """Zero state at index 1, old state k at index k+1 (k >= 1), sines negated, halved."""
    n_old = A.shape[0]
    old = [0, None] + list(range(1, n_old))  # new index -> old index (None: the zero state)

    def sign(k):
        return -1 if k > 0 and k % 2 == 0 else 1

    def a(i, j):
        if old[i] is None or old[j] is None:
            return 0
        return sign(old[i]) * sign(old[j]) * A[old[i], old[j]] / 2

    def b(i, _):
        return 0 if old[i] is None else sign(old[i]) * B[old[i]] / 2

    return sp.Matrix(n_old + 1, n_old + 1, a), sp.Matrix(n_old + 1, 1, b)


EXPECTED_ACTION = {
    ("canonical", "legt"): _expect_identity,
    ("canonical", "legs"): _expect_identity,
    ("canonical", "lagt"): _expect_identity,
    ("canonical", "fout"): _expect_identity,
    ("s4", "legt"): _expect_half,
    ("s4", "legs"): _expect_identity,
    ("s4", "lagt"): _expect_tilt,
    ("s4", "fout"): _expect_s4_fout,
    ("hippo-code", "legt"): _expect_identity,
    ("hippo-code", "legs"): _expect_identity,
    ("hippo-code", "lagt"): _expect_tilt,
    ("lmu", "legt"): _expect_lmu,
}


def test_every_transform_has_an_expected_action():
    """The table below covers every (convention, measure) transform in CONVENTIONS."""
    pairs = {(c, m) for c, by_measure in CONVENTIONS.items() for m in by_measure}
    assert pairs == set(EXPECTED_ACTION)


@pytest.mark.parametrize("convention, measure", sorted(EXPECTED_ACTION))
def test_transform_action_on_generic_matrices(convention, measure):
    """Each transform, applied to a generic symbolic (A, B), does its documented action."""
    transform = CONVENTIONS[convention][measure]
    N = 5
    size = N - 1 if (convention, measure) == ("s4", "fout") else N
    assert transform.canonical_size(N) == size
    A, B = _generic(size)
    A_out, B_out = transform.apply(A, B)
    A_exp, B_exp = EXPECTED_ACTION[(convention, measure)](A, B)
    assert exactly_equal(A_out, A_exp)
    assert exactly_equal(B_out, B_exp)


@pytest.mark.parametrize("N", range(1, 9))
def test_lmu_is_diagonal_similarity_of_legt(N):
    """lmu = D A D^{-1}, D B with D = diag((-1)^n sqrt(2n+1)): A_lmu D == D A, B_lmu == D B."""
    A, B = hippo("legt", N)
    A_lmu, B_lmu = hippo("legt", N, convention="lmu")
    D = sp.diag(*[sp.Integer(-1) ** n * sp.sqrt(2 * n + 1) for n in range(N)])
    assert exactly_equal(A_lmu * D, D * A)
    assert exactly_equal(B_lmu, D * B)


@pytest.mark.parametrize("N", range(1, 9))
def test_s4_legt_is_half_canonical(N):
    """s4 LegT is the canonical LegT time-scaled by 1/2 (window theta = 2)."""
    A, B = hippo("legt", N)
    A_s4, B_s4 = hippo("legt", N, convention="s4")
    assert exactly_equal(2 * A_s4, A) and exactly_equal(2 * B_s4, B)


@pytest.mark.parametrize("convention", ["s4", "hippo-code"])
@pytest.mark.parametrize("N", range(1, 9))
def test_lagt_shift(convention, N):
    """The public LagT is the canonical LagT shifted by +I/2, with B unchanged."""
    A, B = hippo("lagt", N)
    A_c, B_c = hippo("lagt", N, convention=convention)
    assert exactly_equal(A_c, A + sp.eye(N) / 2) and exactly_equal(B_c, B)


@pytest.mark.parametrize("convention", ["s4", "hippo-code"])
@pytest.mark.parametrize("N", [1, 4, 7])
def test_legs_unchanged(convention, N):
    """Both public codes use the canonical LegS unchanged."""
    A, B = hippo("legs", N)
    A_c, B_c = hippo("legs", N, convention=convention)
    assert exactly_equal(A_c, A) and exactly_equal(B_c, B)


@pytest.mark.parametrize("N", [2, 4, 6, 8])
def test_s4_fout_reduces_to_canonical(N):
    """s4 FouT minus row/col 1 (the zero state), sines un-flipped and doubled, is canonical
    FouT of size N-1; and row/col/B entry 1 are zero."""
    A_s4, B_s4 = hippo("fout", N, convention="s4")
    assert A_s4[1, :] == sp.zeros(1, N) and A_s4[:, 1] == sp.zeros(N, 1) and B_s4[1] == 0
    keep = [0] + list(range(2, N))
    A_red, B_red = A_s4.extract(keep, keep), B_s4.extract(keep, [0])
    S = sp.diag(*[-1 if k > 0 and k % 2 == 0 else 1 for k in range(N - 1)])
    A, B = hippo("fout", N - 1)
    assert exactly_equal(2 * S * A_red * S, A)
    assert exactly_equal(2 * S * B_red, B)


# ---------------------------------------------------------------------------------------
# Exactness and invariants
# ---------------------------------------------------------------------------------------

ALL_PAIRS = [(c, m) for c in sorted(CONVENTION_MEASURES) for m in CONVENTION_MEASURES[c]]


@pytest.mark.parametrize("convention, measure", ALL_PAIRS)
def test_no_floats(convention, measure):
    """hippo() output at N=6 contains no sympy Float anywhere (exact arithmetic only)."""
    A, B = hippo(measure, 6, convention=convention)
    assert not A.has(sp.Float) and not B.has(sp.Float)
    assert not A.atoms(sp.Float) and not B.atoms(sp.Float)


@pytest.mark.parametrize("N", range(1, 7))
def test_lmu_and_canonical_legt_same_charpoly(N):
    """lmu is a similarity of canonical LegT, so the characteristic polynomials agree."""
    lam = sp.Symbol("lambda")
    A, _ = hippo("legt", N)
    A_lmu, _ = hippo("legt", N, convention="lmu")
    p = A.charpoly(lam).as_expr()
    p_lmu = A_lmu.charpoly(lam).as_expr()
    assert exactly_equal(p, p_lmu)
    assert sp.degree(p_lmu, lam) == N
