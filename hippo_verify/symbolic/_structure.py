"""Normal-plus-low-rank (NPLR) structure of the canonical HiPPO matrices.

For every measure there is a low-rank P with A + P P^T = c I + S, S skew-symmetric: A is a
normal matrix (c I + S) minus a low-rank term, the structure S4 diagonalizes. The
corrections below are written out; tests check the identity exactly on the *derived* A.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from .._validation import require_size
from ._closed_forms import hippo_closed_form
from ._hippo_args import validate_hippo_args

__all__ = ["NPLR", "hippo_nplr"]


@dataclass(frozen=True)
class NPLR:
    """A = shift * I + skew - low_rank @ low_rank.T, with skew^T = -skew."""

    shift: sp.Expr
    skew: sp.Matrix
    low_rank: sp.Matrix


def _low_rank(measure: str, N: int) -> tuple[sp.Expr, sp.Matrix]:
    if measure == "legs":  # P_n = sqrt(n + 1/2)
        return -sp.Rational(1, 2), sp.Matrix(N, 1, lambda n, _: sp.sqrt(n + sp.Rational(1, 2)))
    if measure == "legt":  # two columns: sqrt(2n+1) on odd n, and on even n
        return sp.Integer(0), sp.Matrix(
            N, 2, lambda n, j: sp.sqrt(2 * n + 1) if n % 2 == (1 - j) else 0
        )
    if measure == "lagt":  # P_n = sqrt(1/2)
        return -sp.Rational(1, 2), sp.Matrix(N, 1, lambda n, _: 1 / sp.sqrt(2))
    # fout: P = sqrt(2) e, e the basis at the window ends
    return sp.Integer(0), sp.Matrix(
        N, 1, lambda n, _: sp.sqrt(2) if n == 0 else (2 if n % 2 == 1 else 0)
    )


def hippo_nplr(measure: str, N: int) -> NPLR:
    """The NPLR decomposition A = c I + S - P P^T of the canonical HiPPO matrix.

    * legs: c = -1/2, P_n = sqrt(n + 1/2) (rank 1).
    * legt: c = 0, P = [sqrt(2n+1) on odd n | sqrt(2n+1) on even n] (rank 2).
    * lagt: c = -1/2, P_n = 1/sqrt(2) (rank 1).
    * fout: c = 0, P = sqrt(2) e (rank 1).

    N is at most the ``hippo_state`` size limit (see ``hippo``; the simplification of S
    makes this about 10x slower than ``hippo``).

    Returns:
        NPLR(shift=c, skew=S, low_rank=P), S computed as A + P P^T - c I.
    """
    measure, N, _ = validate_hippo_args(measure, N)
    require_size("N", N, "hippo_state")
    A, _B = hippo_closed_form(measure, N)
    c, P = _low_rank(measure, N)
    skew = (A + P * P.T - c * sp.eye(N)).applyfunc(sp.radsimp)
    return NPLR(shift=c, skew=skew, low_rank=P)
