"""Closed forms of the canonical HiPPO matrices, as printed in the literature.

These are written out independently of the projection argument so that the two can be
checked against each other (``derive_hippo(m, N) == hippo_closed_form(m, N)``); the
projection argument, not this file, is the source of truth. Conventions: see
``_measures.py``.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from .._validation import require_size
from ._hippo_args import validate_hippo_args

__all__ = ["hippo_closed_form"]


def _legt(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    # A_nk = -sqrt((2n+1)(2k+1)) * (1 if n >= k else (-1)^(n-k)),  B_n = sqrt(2n+1)
    def entry(n: int, k: int) -> sp.Expr:
        sign = 1 if n >= k else (-1) ** (n - k)
        return -sign * sp.sqrt((2 * n + 1) * (2 * k + 1))

    return sp.Matrix(N, N, entry), sp.Matrix(N, 1, lambda n, _: sp.sqrt(2 * n + 1))


def _legs(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    # A_nk = -sqrt((2n+1)(2k+1)) if n > k, -(n+1) if n = k, 0 if n < k;  B_n = sqrt(2n+1)
    def entry(n: int, k: int) -> sp.Expr:
        if n > k:
            return -sp.sqrt((2 * n + 1) * (2 * k + 1))
        return -sp.Integer(n + 1) if n == k else sp.Integer(0)

    return sp.Matrix(N, N, entry), sp.Matrix(N, 1, lambda n, _: sp.sqrt(2 * n + 1))


def _lagt(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    # A_nk = -1 if n >= k else 0,  B_n = 1
    return sp.Matrix(N, N, lambda n, k: -1 if n >= k else 0), sp.ones(N, 1)


def _fout(N: int) -> tuple[sp.Matrix, sp.Matrix]:
    # Order 1, cos 2pi x, sin 2pi x, cos 4pi x, ...; e = basis values at the window ends.
    # A = Omega - 2 e e^T with Omega[cos_k, sin_k] = 2 pi k = -Omega[sin_k, cos_k];  B = 2 e
    e = sp.Matrix(N, 1, lambda n, _: 1 if n == 0 else (sp.sqrt(2) if n % 2 == 1 else 0))
    omega = sp.zeros(N, N)
    for cos_index in range(1, N - 1, 2):
        frequency = (cos_index + 1) // 2
        omega[cos_index, cos_index + 1] = 2 * sp.pi * frequency
        omega[cos_index + 1, cos_index] = -2 * sp.pi * frequency
    return omega - 2 * e * e.T, 2 * e


_CLOSED_FORMS: dict[str, Callable[[int], tuple[sp.Matrix, sp.Matrix]]] = {
    "legt": _legt,
    "legs": _legs,
    "lagt": _lagt,
    "fout": _fout,
}


def hippo_closed_form(measure: str, N: int) -> tuple[sp.Matrix, sp.Matrix]:
    """The canonical (A, B) of ``measure`` from its published closed form (N within the
    ``hippo_state`` size limit, see ``hippo``)."""
    measure, N, _ = validate_hippo_args(measure, N)
    require_size("N", N, "hippo_state")
    return _CLOSED_FORMS[measure](N)
