"""S4's Woodbury/Cauchy generating function equals the dense resolvent form (seed 002)."""

from __future__ import annotations

import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError
from hippo_verify.symbolic import exactly_equal
from hippo_verify.symbolic._s4 import (
    dense_generating_function,
    dplr_resolvent,
    woodbury_generating_function,
)
from hippo_verify.symbolic._systems import power_kernel

z = sp.Symbol("z")
R = sp.Rational

# (Lambda, P, Q, B, Ct, dt): real and complex diagonals, rank 1 and rank 2.
CASES = {
    "real-rank1": ([-1, -2, -3], [1, 2, R(1, 2)], [3, -1, 1], [1, 0, 2], [1, 1, -1], R(1, 3)),
    "complex-rank1": (
        [-R(1, 2) + sp.I, -R(1, 2) - sp.I, -2],
        [1, sp.I, 1],
        [1, 2, -sp.I],
        [1, 1, 1],
        [2, -1, sp.I],
        R(1, 2),
    ),
    "real-rank2": (
        [-1, -3, -4, -R(1, 2)],
        [[1, 0], [2, 1], [0, 1], [1, -1]],
        [[1, 1], [0, 2], [R(1, 2), 0], [1, 1]],
        [1, -1, 2, 0],
        [0, 1, 1, 3],
        R(1, 4),
    ),
}


def bilinear(Lambda, P, Q, B, dt):
    """Independent dense construction: A = Lambda - P Q^H, then the bilinear step."""
    P, Q = sp.Matrix(P), sp.Matrix(Q)
    P = P.reshape(len(Lambda), len(P) // len(Lambda))
    Q = Q.reshape(len(Lambda), len(Q) // len(Lambda))
    A = sp.diag(*Lambda) - P * Q.H
    identity = sp.eye(len(Lambda))
    left = (identity - dt / 2 * A).inv()
    return left * (identity + dt / 2 * A), left * dt * sp.Matrix(B)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_woodbury_equals_dense_resolvent_for_symbolic_z(case):
    Lambda, P, Q, B, Ct, dt = CASES[case]
    Ab, Bb = bilinear(Lambda, P, Q, B, dt)
    assert exactly_equal(
        woodbury_generating_function(Lambda, P, Q, B, Ct, dt, z),
        dense_generating_function(Ab, Bb, Ct, z),
    )


def test_resolvent_form_of_the_bilinear_generating_function():
    """Derivation step: Ct (I - z Ab)^{-1} Bb = 2/(1+z) Ct (R_z + P Q^H)^{-1} B."""
    Lambda, P, Q, B, Ct, dt = CASES["real-rank1"]
    Ab, Bb = bilinear(Lambda, P, Q, B, dt)
    R_z = dplr_resolvent(Lambda, dt, z)
    dense = (
        2
        / (1 + z)
        * (sp.Matrix([Ct]) * (R_z + sp.Matrix(P) * sp.Matrix(Q).H).inv() * sp.Matrix(B))[0, 0]
    )
    assert exactly_equal(sp.cancel(dense), dense_generating_function(Ab, Bb, Ct, z))


def test_a_wrong_sign_in_the_low_rank_term_is_detected():
    """The check can fail: Lambda + P Q^H instead of Lambda - P Q^H gives another function."""
    Lambda, P, Q, B, Ct, dt = CASES["real-rank1"]
    Ab, Bb = bilinear(Lambda, P, [-q for q in Q], B, dt)
    assert not exactly_equal(
        woodbury_generating_function(Lambda, P, Q, B, Ct, dt, z),
        dense_generating_function(Ab, Bb, Ct, z),
    )


def test_at_roots_of_unity_with_truncation_correction_it_is_the_dft_of_the_kernel():
    """With Ct = C (I - Ab^L), G(omega^l) = sum_k K_k omega^{lk}, K_k = C Ab^k Bb (L = 4)."""
    Lambda, P, Q, B, C, dt = CASES["real-rank1"]
    L = 4
    Ab, Bb = bilinear(Lambda, P, Q, B, dt)
    Ct = sp.Matrix([C]) * (sp.eye(3) - Ab**L)
    kernel = power_kernel(Ab, Bb, C, L)
    G = woodbury_generating_function(Lambda, P, Q, B, list(Ct), dt, z)
    for root in (1, -sp.I, -1, sp.I):  # omega^l = exp(-2 pi i l / 4)
        dft = sum(K * root**k for k, K in enumerate(kernel))
        assert exactly_equal(G.subs(z, root), dft), root


def test_z_minus_one_is_refused_with_a_reason():
    Lambda, P, Q, B, Ct, dt = CASES["real-rank1"]
    with pytest.raises(InvalidArgumentError, match="removable singularity"):
        woodbury_generating_function(Lambda, P, Q, B, Ct, dt, -1)


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"P": [1, 2]}, InvalidArgumentError),
        ({"Q": [[1, 2], [3, 4], [5, 6]]}, InvalidArgumentError),
        ({"B": [1, 2]}, InvalidArgumentError),
        ({"dt": 0}, InvalidArgumentError),
        ({"dt": -1}, InvalidArgumentError),
        ({"Lambda": [-1, float("nan"), -3]}, InvalidArgumentError),
        ({"Ct": "abc"}, TypeError),
    ],
)
def test_bad_arguments(kwargs, error):
    Lambda, P, Q, B, Ct, dt = CASES["real-rank1"]
    args = {"Lambda": Lambda, "P": P, "Q": Q, "B": B, "Ct": Ct, "dt": dt, "z": z} | kwargs
    with pytest.raises(error):
        woodbury_generating_function(**args)
