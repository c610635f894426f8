"""Mamba-2's SSD (issue 12), symbolic layer: recurrent = quadratic = chunked, exactly.

The reference is a plain ``Fraction`` recurrence written here from the definition
(H_t = a_t H_{t-1} + X_t^T B_t, y_t = H_t C_t), sharing no code with ``_selective_ssd.py``.
Planted bugs each check must reject: the mask with s <= k (a_s included), a chunk recurrence
that forgets the chunk's decay, the state-to-output decay starting one step late, and the
output taken before the update.
"""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.symbolic import (
    exactly_equal,
    segsum,
    ssd_chunked,
    ssd_mask,
    ssd_matrix,
    ssd_quadratic,
    ssd_recurrent,
)

L_SYM, N_SYM = 4, 2
a_sym = list(sp.symbols(f"a_0:{L_SYM}"))
B_sym = sp.Matrix(L_SYM, N_SYM, lambda t, n: sp.Symbol(f"B_{t}{n}"))
C_sym = sp.Matrix(L_SYM, N_SYM, lambda t, n: sp.Symbol(f"C_{t}{n}"))


def fraction_recurrence(a, B, C, X):
    """y_t = H_t C_t, H_t = a_t H_{t-1} + X_t^T B_t, in Fractions (lists of lists)."""
    P, N = len(X[0]), len(B[0])
    H = [[Fraction(0)] * N for _ in range(P)]
    out = []
    for t in range(len(a)):
        H = [[a[t] * H[p][n] + X[t][p] * B[t][n] for n in range(N)] for p in range(P)]
        out.append([sum(H[p][n] * C[t][n] for n in range(N)) for p in range(P)])
    return sp.Matrix(out)


def draw(seed, L, N, P, zero_decays=False):
    rng = random.Random(seed)

    def q():
        return Fraction(rng.randint(-9, 9), rng.randint(1, 5))

    a = [Fraction(rng.randint(0 if zero_decays else 1, 9), 10) for _ in range(L)]
    B = [[q() for _ in range(N)] for _ in range(L)]
    C = [[q() for _ in range(N)] for _ in range(L)]
    X = [[q() for _ in range(P)] for _ in range(L)]
    return a, B, C, X


# ---------------------------------------------------------------------------------------
# Symbolic: the three forms are one map
# ---------------------------------------------------------------------------------------


def test_recurrent_quadratic_and_every_chunk_size_agree_symbolically():
    recurrent = ssd_recurrent(a_sym, B_sym, C_sym, sp.eye(L_SYM))
    assert exactly_equal(recurrent, ssd_matrix(a_sym, B_sym, C_sym))
    for Q in range(1, L_SYM + 2):
        assert exactly_equal(ssd_chunked(a_sym, B_sym, C_sym, sp.eye(L_SYM), Q), recurrent), Q


def test_mask_entries_from_the_definition():
    mask = ssd_mask(a_sym)
    for t in range(L_SYM):
        for s in range(L_SYM):
            expected = sp.Mul(*[a_sym[k] for k in range(s + 1, t + 1)]) if t >= s else 0
            assert mask[t, s] == expected
    planted = sp.Matrix(  # s <= k: a_s included
        L_SYM, L_SYM, lambda t, s: sp.Mul(*a_sym[s : t + 1]) if t >= s else 0
    )
    matrix = planted.multiply_elementwise(C_sym * B_sym.T)
    assert not exactly_equal(matrix, ssd_recurrent(a_sym, B_sym, C_sym, sp.eye(L_SYM)))


def test_segsum_forms_and_the_log_space_mask():
    ell = list(sp.symbols("l_0:4"))
    masked, difference = segsum(ell), segsum(ell, method="difference")
    for t in range(4):
        for s in range(4):
            if t < s:
                assert masked[t, s] == difference[t, s] == -sp.oo
            else:
                assert sp.expand(masked[t, s] - sum(ell[s + 1 : t + 1])) == 0
                assert sp.expand(difference[t, s] - sum(ell[s + 1 : t + 1])) == 0
    assert exactly_equal(masked.applyfunc(sp.exp), ssd_mask([sp.exp(v) for v in ell]))


def test_lti_case_is_the_toeplitz_power_kernel():
    a_c, b0, c0 = sp.symbols("a b c")
    M = ssd_matrix([a_c] * 4, [[b0]] * 4, [[c0]] * 4)
    for t in range(4):
        for s in range(4):
            assert M[t, s] == (a_c ** (t - s) * b0 * c0 if t >= s else 0)


def test_blocks_below_the_diagonal_have_rank_at_most_n():
    a, B, C, _ = draw(7, L=7, N=2, P=1)
    M = ssd_matrix(a, B, C)
    assert all(M[j:, : j + 1].rank() <= 2 for j in range(7))
    assert max(M[j:, : j + 1].rank() for j in range(7)) == 2
    mask = ssd_mask(a)
    assert all(mask[j:, : j + 1].rank() == 1 for j in range(7))


# ---------------------------------------------------------------------------------------
# Exact rationals against the Fraction recurrence
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("zero_decays", [False, True])
def test_all_forms_against_the_fraction_recurrence(zero_decays):
    a, B, C, X = draw(3, L=13, N=3, P=2, zero_decays=zero_decays)
    reference = fraction_recurrence(a, B, C, X)
    assert ssd_recurrent(a, B, C, X) == reference
    assert ssd_quadratic(a, B, C, X) == reference
    for Q in (1, 2, 3, 4, 5, 7, 12, 13, 14):
        assert ssd_chunked(a, B, C, X, Q) == reference, Q


def test_planted_chunk_bugs_are_caught():
    """Two chunk-recurrence mistakes, written out, differ from the reference."""
    a, B, C, X = draw(4, L=6, N=2, P=1)
    reference = fraction_recurrence(a, B, C, X)

    def chunked(Q, forget_chunk_decay=False, late_output_decay=False):
        rows, carried = [], [[Fraction(0)] * 2]
        for begin in range(0, 6, Q):
            end = min(begin + Q, 6) - 1

            def decay(lo, hi):
                out = Fraction(1)
                for k in range(lo, hi + 1):
                    out *= a[k]
                return out

            for t in range(begin, end + 1):
                y = sum(
                    decay(s + 1, t) * sum(C[t][n] * B[s][n] for n in range(2)) * X[s][0]
                    for s in range(begin, t + 1)
                )
                first = begin + 1 if late_output_decay else begin
                y += decay(first, t) * sum(carried[0][n] * C[t][n] for n in range(2))
                rows.append([y])
            state = [
                sum(decay(s + 1, end) * X[s][0] * B[s][n] for s in range(begin, end + 1))
                for n in range(2)
            ]
            factor = 1 if forget_chunk_decay else decay(begin, end)
            carried = [[factor * carried[0][n] + state[n] for n in range(2)]]
        return sp.Matrix(rows)

    assert chunked(2) == reference  # the transcription is right (3 chunks) ...
    assert chunked(2, forget_chunk_decay=True) != reference  # ... and each plant is caught
    assert chunked(2, late_output_decay=True) != reference


def test_output_after_the_update():
    """y_0 = (C_0 . B_0) x_0: the output sees the current input (Mamba-2's convention)."""
    Y = ssd_recurrent([5, 7], [[2], [3]], [[1], [1]], [[1], [0]])
    assert Y[0, 0] == 2 and Y[1, 0] == 14


@pytest.mark.parametrize("L", [8, pytest.param(16, marks=pytest.mark.slow)])
def test_symbolic_identity_for_longer_sequences(L):
    N = 2
    a = list(sp.symbols(f"a_0:{L}"))
    B = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"B_{t}{n}"))
    C = sp.Matrix(L, N, lambda t, n: sp.Symbol(f"C_{t}{n}"))
    recurrent = ssd_recurrent(a, B, C, sp.eye(L))
    assert exactly_equal(recurrent, ssd_matrix(a, B, C))
    for Q in range(1, L + 1):
        assert exactly_equal(ssd_chunked(a, B, C, sp.eye(L), Q), recurrent), Q


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: ssd_recurrent([1, 1], [[1]], [[1], [1]], [1, 1]), InvalidArgumentError, "B"),
        (
            lambda: ssd_recurrent([1, 1], [[1], [1]], [[1, 2], [1, 2]], [1, 1]),
            InvalidArgumentError,
            "C",
        ),
        (
            lambda: ssd_quadratic([1, 1], [[1], [1]], [[1], [1]], [1, 1, 1]),
            InvalidArgumentError,
            "X",
        ),
        (lambda: ssd_chunked([1], [[1]], [[1]], [1], 0), InvalidArgumentError, ">= 1"),
        (lambda: ssd_chunked([1], [[1]], [[1]], [1], True), InvalidTypeError, "integer"),
        (lambda: segsum([1, 2], method="naive"), InvalidArgumentError, "unknown"),
        (lambda: ssd_mask("abc"), InvalidTypeError, "matrix"),
        (lambda: ssd_mask([1] * 5000), InvalidArgumentError, "limit"),
    ],
)
def test_bad_input_is_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
