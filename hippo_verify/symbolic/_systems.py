"""Exact kernels of discrete linear systems, the reference every faster route is checked on.

Convention (used across the package): the state x_k is a column of length d,
x_{k+1} = Ab x_k + Bb u_k, y_k = C x_k, with C a 1 x d *row*. Seed 002 writes
y = C̄* x with C̄ a column: pass ``C = C̄^H`` (conjugate transpose) there.
The convolution kernel is K_k = C Ab^k Bb for k = 0, ..., L-1, so y = K * u with a one-step
delay between input and output (x_{k+1} depends on u_k).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from .._validation import require_int, require_size
from ._matrix_args import as_matrix

__all__ = ["power_kernel", "system_args"]


def system_args(Ab: Any, Bb: Any, C: Any) -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    """Validate (Ab, Bb, C): Ab square d x d, Bb a d x 1 column, C a 1 x d row.

    A flat C or Bb is accepted and reshaped; anything else of the wrong shape raises
    ``InvalidArgumentError`` before any work.
    """
    Ab = as_matrix("Ab", Ab, square=True)
    d = Ab.rows
    Bb = as_matrix("Bb", Bb)
    Bb = Bb.reshape(d, 1) if Bb.shape in ((1, d), (d, 1)) else _shape_error("Bb", Bb, (d, 1))
    C = as_matrix("C", C)
    C = C.reshape(1, d) if C.shape in ((1, d), (d, 1)) else _shape_error("C", C, (1, d))
    return Ab, Bb, C


def _shape_error(name: str, matrix: sp.Matrix, want: tuple[int, int]) -> sp.Matrix:
    raise InvalidArgumentError(f"{name} must have shape {want}, got {matrix.shape}")


def power_kernel(Ab: Any, Bb: Any, C: Any, L: int) -> list[sp.Expr]:
    """K_k = C Ab^k Bb for k = 0..L-1, exactly, by L matrix-vector products.

    Arguments:
        Ab: d x d state matrix of the discrete system.
        Bb: d x 1 input column.
        C: 1 x d output row.
        L: kernel length, 1 <= L <= the ``symbolic_length`` size limit (4096 by default;
            ``hippo_verify.size_limits`` raises it).

    Returns:
        A list of L exact sympy expressions.
    """
    Ab, Bb, C = system_args(Ab, Bb, C)
    L = require_size("L", require_int("L", L, minimum=1), "symbolic_length")
    kernel, state = [], Bb
    for _ in range(L):
        kernel.append(sp.expand((C * state)[0, 0]))
        state = Ab * state
    return kernel
