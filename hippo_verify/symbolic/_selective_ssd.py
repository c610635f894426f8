"""Mamba-2's SSD (state space duality), exactly: recurrent, quadratic and chunked forms.

One head with a scalar decay per step (Mamba-2: a_t = e^{dt_t A}, inputs already
multiplied by dt_t, i.e. ``ssd_minimal_discrete(X*dt, A*dt, B, C, block_len)``), state
H_t of size P x N (head dimension P, state size N), 0-based steps t = 0..L-1:

    H_{-1} = 0,   H_t = a_t H_{t-1} + X_t B_t^T,   y_t = H_t C_t          (recurrent)

Unrolled, y_t = sum_{s<=t} (prod_{s<k<=t} a_k) (C_t . B_s) X_s: Y = (Lmask o C B^T) X,
the quadratic ("masked attention") form, with the 1-semiseparable mask

    Lmask[t, s] = prod_{s<k<=t} a_k  (t >= s),   0  (t < s).

The chunked form splits the steps into chunks of Q: inside a chunk the quadratic form,
across chunks a recurrence on the chunk-boundary states (Mamba-2's four steps: diagonal
blocks, chunk states, state passing, state-to-output). The three are the same linear map
(``derivations/ssd_duality.py`` proves it exactly for every chunk size of a symbolic L).

Shapes: a has L entries; B, C are L x N; X is L x P (a flat vector is one column). Results
are sympy Matrices (L x P).
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError
from .._validation import require_choice, require_int, require_size
from ._matrix_args import as_matrix, as_vector

__all__ = [
    "SEGSUM_METHODS",
    "segsum",
    "ssd_chunked",
    "ssd_mask",
    "ssd_matrix",
    "ssd_quadratic",
    "ssd_recurrent",
]

#: How ``segsum`` forms its sums: Mamba-2's masked cumulative sum, or differences of one
#: cumulative sum (the same numbers exactly; in floating point the second cancels).
SEGSUM_METHODS = ("masked", "difference")


def _decays(a: Any) -> sp.Matrix:
    if hasattr(a, "__len__") and not isinstance(a, str):  # refuse a huge L before converting
        require_size("L", len(a), "symbolic_length")
    a = as_vector("a", a)
    require_size("L", len(a), "symbolic_length")
    return a


def ssd_mask(a: Any) -> sp.Matrix:
    """The 1-semiseparable SSD mask: Lmask[t, s] = prod_{s<k<=t} a_k for t >= s, else 0.

    0-based indices; the diagonal is 1 (the empty product) and a_0 never appears (it
    multiplies the zero initial state). In Mamba-2's log space with a_k = e^{l_k}:
    Lmask = exp(segsum(l)).

    Arguments:
        a: the L decays (numbers or expressions), L within ``symbolic_length``.

    Returns:
        The L x L lower-triangular sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: a not a vector of numbers/expressions, or
            longer than the ``symbolic_length`` limit.
    """
    a = _decays(a)
    L = len(a)
    mask = sp.zeros(L, L)
    for t in range(L):
        mask[t, t] = sp.Integer(1)
        for s in range(t - 1, -1, -1):
            mask[t, s] = mask[t, s + 1] * a[s + 1]
    return mask


def segsum(x: Any, *, method: str = "masked") -> sp.Matrix:
    """Segment sums: S[t, s] = sum_{s<k<=t} x_k for t >= s, and -oo for t < s.

    So that exp(S) is the SSD mask of a_k = e^{x_k} (exp(-oo) = 0 above the diagonal).

    * ``"masked"``: Mamba-2's ``segsum``: the matrix M[k, s] = x_k for k > s (0 elsewhere),
      summed cumulatively over k (no subtraction).
    * ``"difference"``: c_t - c_s with c the cumulative sum of x (the naive form, which
      cancels catastrophically in floating point for long sequences; exact here).

    Arguments:
        x: the L log-decays; method: ``"masked"`` or ``"difference"``.

    Returns:
        The L x L sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``ssd_mask``; an unknown method.
    """
    method = require_choice("method", method, SEGSUM_METHODS)
    x = _decays(x)
    L = len(x)
    out = sp.Matrix(L, L, lambda t, s: -sp.oo)
    if method == "masked":
        masked = sp.Matrix(L, L, lambda k, s: x[k] if k > s else 0)
        for s in range(L):
            running = sp.Integer(0)
            for t in range(L):
                running += masked[t, s]
                if t >= s:
                    out[t, s] = running
        return out
    cumulative = [sp.Integer(0)] * L
    for k in range(L):
        cumulative[k] = (cumulative[k - 1] if k else 0) + x[k]
    for t in range(L):
        for s in range(t + 1):
            out[t, s] = sp.expand(cumulative[t] - cumulative[s])
    return out


def _ssd_args(a: Any, B: Any, C: Any, X: Any | None) -> tuple:
    a = _decays(a)
    L = len(a)
    B = as_matrix("B", B)
    if B.rows != L:
        raise InvalidArgumentError(f"B must be L x N with L = {L}, got shape {B.shape}")
    C = as_matrix("C", C, shape=(L, B.cols))
    if X is None:
        return a, B, C, None
    X = as_matrix("X", X)
    if X.rows != L:
        if 1 in X.shape and len(X) == L:
            X = X.reshape(L, 1)
        else:
            raise InvalidArgumentError(f"X must be L x P with L = {L}, got shape {X.shape}")
    return a, B, C, X


def ssd_matrix(a: Any, B: Any, C: Any) -> sp.Matrix:
    """M = Lmask o (C B^T): M[t, s] = (prod_{s<k<=t} a_k) (C_t . B_s), the SSD map Y = M X.

    Arguments:
        a: L decays; B, C: L x N.

    Returns:
        The L x L lower-triangular sympy Matrix (expanded entries).

    Raises:
        InvalidTypeError / InvalidArgumentError: B not L x N, C not L x N, X not L x P
            (or L values), a too long; for ``ssd_chunked`` a chunk_size < 1 or not an int.
    """
    a, B, C, _ = _ssd_args(a, B, C, None)
    return ssd_mask(a).multiply_elementwise(C * B.T).applyfunc(sp.expand)


def ssd_quadratic(a: Any, B: Any, C: Any, X: Any) -> sp.Matrix:
    """The quadratic (masked-attention) form Y = (Lmask o C B^T) X.

    Arguments:
        a: L decays; B, C: L x N; X: L x P (or L values).

    Returns:
        Y, an L x P sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: B not L x N, C not L x N, X not L x P
            (or L values), a too long; for ``ssd_chunked`` a chunk_size < 1 or not an int.
    """
    a, B, C, X = _ssd_args(a, B, C, X)
    return (ssd_matrix(a, B, C) * X).applyfunc(sp.expand)


def ssd_recurrent(a: Any, B: Any, C: Any, X: Any) -> sp.Matrix:
    """The recurrent form: H_{-1} = 0, H_t = a_t H_{t-1} + X_t^T B_t (P x N), y_t = H_t C_t.

    Arguments:
        a: L decays; B, C: L x N; X: L x P (or L values).

    Returns:
        Y, an L x P sympy Matrix (row t is y_t).

    Raises:
        InvalidTypeError / InvalidArgumentError: B not L x N, C not L x N, X not L x P
            (or L values), a too long; for ``ssd_chunked`` a chunk_size < 1 or not an int.
    """
    a, B, C, X = _ssd_args(a, B, C, X)
    state = sp.zeros(X.cols, B.cols)
    rows = []
    for t in range(len(a)):
        state = (a[t] * state + X[t, :].T * B[t, :]).applyfunc(sp.expand)
        rows.append((state * C[t, :].T).T)
    return sp.Matrix.vstack(*rows).applyfunc(sp.expand)


def ssd_chunked(a: Any, B: Any, C: Any, X: Any, chunk_size: int) -> sp.Matrix:
    """The chunked form (Mamba-2's SSD algorithm) with chunks of ``chunk_size`` steps.

    Chunks c = [b_c, e_c] (the last one shorter when chunk_size does not divide L):

    1. intra-chunk (diagonal blocks): y_t += sum_{b_c<=s<=t} (prod_{s<k<=t} a_k)(C_t.B_s) X_s;
    2. chunk states: S_c = sum_{s in c} (prod_{s<k<=e_c} a_k) X_s^T B_s;
    3. state passing: G_c = (prod_{k in c} a_k) G_{c-1} + S_c, G_{-1} = 0 (the state H at
       the end of chunk c);
    4. state to output: y_t += (prod_{b_c<=k<=t} a_k) G_{c-1} C_t.

    Arguments:
        a: L decays; B, C: L x N; X: L x P (or L values);
        chunk_size: 1 <= chunk_size (chunks longer than L are one chunk).

    Returns:
        Y, an L x P sympy Matrix.

    Raises:
        InvalidTypeError / InvalidArgumentError: B not L x N, C not L x N, X not L x P
            (or L values), a too long; for ``ssd_chunked`` a chunk_size < 1 or not an int.
    """
    a, B, C, X = _ssd_args(a, B, C, X)
    Q = require_int("chunk_size", chunk_size, minimum=1)
    L = len(a)
    rows: list[sp.Matrix] = []
    carried = sp.zeros(X.cols, B.cols)  # G_{c-1}

    def decay(lo: int, hi: int) -> sp.Expr:  # prod_{lo<=k<=hi} a_k (1 when empty)
        return sp.Mul(*[a[k] for k in range(lo, hi + 1)])

    for begin in range(0, L, Q):
        end = min(begin + Q, L) - 1
        for t in range(begin, end + 1):
            y = sp.zeros(1, X.cols)
            for s in range(begin, t + 1):  # 1. diagonal block
                y += decay(s + 1, t) * (C[t, :] * B[s, :].T)[0, 0] * X[s, :]
            y += decay(begin, t) * (carried * C[t, :].T).T  # 4. state -> output
            rows.append(y)
        chunk_state = sp.zeros(X.cols, B.cols)  # 2. chunk state
        for s in range(begin, end + 1):
            chunk_state += decay(s + 1, end) * X[s, :].T * B[s, :]
        carried = (decay(begin, end) * carried + chunk_state).applyfunc(sp.expand)  # 3.
    return sp.Matrix.vstack(*rows).applyfunc(sp.expand)
