"""S4's generating function (seed 002): diagonal plus low rank, bilinear step, Woodbury.

For A = Lambda - P Q^H (Lambda diagonal, P and Q of shape N x r) and the bilinear
discretization Ab = (I - dt/2 A)^{-1}(I + dt/2 A), Bb = (I - dt/2 A)^{-1} dt B,

    Ct (I - z Ab)^{-1} Bb = 2/(1+z) Ct [R_z + P Q^H]^{-1} B,   R_z = (2/dt)(1-z)/(1+z) I - Lambda,

and Woodbury's identity turns the inverse into diagonal solves:

    [R_z + P Q^H]^{-1} = R_z^{-1} - R_z^{-1} P (I_r + Q^H R_z^{-1} P)^{-1} Q^H R_z^{-1}.

Ct is the 1 x N output row (seed 002's C̃*); at z^L = 1 the left side is the DFT of the
first L kernel taps when Ct = C (I - Ab^L).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from ._matrix_args import as_matrix, as_scalar, as_step, as_vector
from ._systems import system_args

__all__ = [
    "cauchy_sum",
    "dense_generating_function",
    "dplr_resolvent",
    "woodbury_generating_function",
]


def dense_generating_function(Ab: Any, Bb: Any, Ct: Any, z: Any) -> sp.Expr:
    """Ct (I - z Ab)^{-1} Bb = Ct adj(I - z Ab) Bb / det(I - z Ab), dense (no structure used).

    This is the reference the Woodbury form is checked on. Adjugate and determinant are
    computed division-free (Berkowitz), which keeps symbolic z fast.
    """
    Ab, Bb, Ct = system_args(Ab, Bb, Ct)
    z = as_scalar("z", z)
    system = sp.eye(Ab.rows) - z * Ab
    numerator = (Ct * system.adjugate(method="berkowitz") * Bb)[0, 0]
    return sp.cancel(numerator / system.det(method="berkowitz"))


def _dplr_args(
    Lambda: Any, P: Any, Q: Any, B: Any, Ct: Any
) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix, sp.Matrix]:
    Lambda = as_vector("Lambda", Lambda)
    N = len(Lambda)
    P = as_matrix("P", P)
    P = P.reshape(N, 1) if P.shape == (1, N) else P
    Q = as_matrix("Q", Q)
    Q = Q.reshape(N, 1) if Q.shape == (1, N) else Q
    if P.rows != N or Q.shape != P.shape:
        raise InvalidArgumentError(
            f"P and Q must both have shape (N, r) with N = {N}; got {P.shape} and {Q.shape}"
        )
    B = as_vector("B", B, length=N)
    Ct = as_vector("Ct", Ct, length=N).T
    return Lambda, P, Q, B, Ct


def dplr_resolvent(Lambda: Any, dt: Any, z: Any) -> sp.Matrix:
    """R_z = (2/dt)(1-z)/(1+z) I - diag(Lambda), diagonal."""
    Lambda = as_vector("Lambda", Lambda)
    dt, z = as_step("dt", dt), as_scalar("z", z)
    shift = 2 / dt * (1 - z) / (1 + z)
    return sp.diag(*[shift - lam for lam in Lambda])


def cauchy_sum(left: sp.Matrix, right: sp.Matrix, poles: sp.Matrix, w: Any) -> sp.Expr:
    """sum_n left_n right_n / (w - poles_n): one entry of u^T R_z^{-1} v, the Cauchy kernel."""
    return sp.Add(*[a * b / (w - p) for a, b, p in zip(left, right, poles)])


def woodbury_generating_function(
    Lambda: Any, P: Any, Q: Any, B: Any, Ct: Any, dt: Any, z: Any
) -> sp.Expr:
    """2/(1+z) Ct [R^{-1} - R^{-1} P (I + Q^H R^{-1} P)^{-1} Q^H R^{-1}] B with R = R_z.

    Every product with the diagonal R_z^{-1} is a Cauchy sum
    sum_n u_n v_n / (w - Lambda_n) at w = (2/dt)(1-z)/(1+z), so one evaluation costs
    O(N r^2 + r^3) instead of a dense N x N solve.

    Equals ``dense_generating_function`` of the bilinear discretization of
    (Lambda - P Q^H, B) wherever both sides are defined (z != -1, R_z invertible).

    Arguments:
        Lambda: the N diagonal entries.
        P, Q: N x r low-rank factors (a length-N vector means r = 1).
        B: length-N input column; Ct: length-N output row.
        dt: step > 0; z: the evaluation point (a symbol is allowed).

    Raises:
        InvalidArgumentError: bad shapes, dt <= 0, z = -1.
    """
    Lambda, P, Q, B, Ct = _dplr_args(Lambda, P, Q, B, Ct)
    dt, z = as_step("dt", dt), as_scalar("z", z)
    if z == -1:
        raise InvalidArgumentError(
            "z = -1 is a removable singularity of the Woodbury form: evaluate with a symbolic "
            "z and substitute z = -1 in the returned rational function"
        )
    w = 2 / dt * (1 - z) / (1 + z)
    Qh = Q.H
    r = P.cols
    k_CB = cauchy_sum(Ct, B, Lambda, w)
    k_CP = sp.Matrix(1, r, lambda _, j: cauchy_sum(Ct, P[:, j], Lambda, w))
    k_QB = sp.Matrix(r, 1, lambda i, _: cauchy_sum(Qh[i, :], B, Lambda, w))
    k_QP = sp.Matrix(r, r, lambda i, j: cauchy_sum(Qh[i, :], P[:, j], Lambda, w))
    correction = (k_CP * (sp.eye(r) + k_QP).inv() * k_QB)[0, 0]
    return sp.cancel(sp.together(2 / (1 + z) * (k_CB - correction)))
