"""Exact conversion and validation of matrix, vector and scalar arguments (sympy).

Every public function of the symbolic layer passes its array arguments through these
helpers before doing any work. Conversion is exact: Python ints, ``fractions.Fraction``,
sympy numbers and expressions are kept as they are; a Python or NumPy float is converted to
the exact rational it holds (``0.1`` becomes 3602879701896397/36028797018963968), never
rounded to a "nice" value. NaN and infinities are rejected.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import sympy as sp

from .._errors import InvalidArgumentError, InvalidTypeError

__all__ = ["as_matrix", "as_scalar", "as_step", "as_vector", "require_alpha"]


def as_scalar(name: str, value: Any) -> sp.Expr:
    """``value`` as an exact sympy expression (see module docstring)."""
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be a number or sympy expression, got bool")
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float) or type(value).__module__ == "numpy":
        as_float = float(value) if not isinstance(value, complex) else None
        if as_float is None or not math.isfinite(as_float):
            raise InvalidArgumentError(f"{name} must be finite, got {value!r}")
        return sp.Rational(as_float)
    try:
        expr = sp.sympify(value, strict=True)
    except (sp.SympifyError, TypeError):
        raise InvalidTypeError(
            f"{name} must be a number or sympy expression, got {type(value).__name__}"
        ) from None
    if not isinstance(expr, sp.Expr):
        raise InvalidTypeError(f"{name} must be a scalar expression, got {type(expr).__name__}")
    if expr.has(sp.nan, sp.oo, -sp.oo, sp.zoo):
        raise InvalidArgumentError(f"{name} must be finite, got {expr}")
    if expr.has(sp.Float):
        expr = expr.xreplace({f: sp.Rational(f) for f in expr.atoms(sp.Float)})
    return expr


def as_matrix(
    name: str,
    value: Any,
    *,
    square: bool = False,
    shape: tuple[int | None, int | None] | None = None,
) -> sp.Matrix:
    """``value`` (sympy Matrix, nested list, NumPy array) as an exact, non-empty sympy Matrix.

    Arguments:
        square: require a square matrix.
        shape: required (rows, cols); ``None`` in a slot means any size.

    Raises:
        InvalidTypeError: not a matrix-like object, or an entry is not a number/expression.
        InvalidArgumentError: empty, wrong shape, not square, or a non-finite entry.
    """
    if isinstance(value, (str, bytes)) or isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be a matrix, got {type(value).__name__}")
    if hasattr(value, "tolist") and not isinstance(value, sp.MatrixBase):
        value = value.tolist()
    _reject_non_numeric_entries(name, value)
    try:
        matrix = sp.Matrix(value)
    except (TypeError, ValueError, sp.SympifyError) as error:
        raise InvalidTypeError(f"{name} must be a matrix: {error}") from None
    if 0 in matrix.shape:
        raise InvalidArgumentError(f"{name} must not be empty, got shape {matrix.shape}")
    matrix = matrix.applyfunc(lambda entry: as_scalar(f"{name} entry", entry))
    if square and matrix.rows != matrix.cols:
        raise InvalidArgumentError(f"{name} must be square, got shape {matrix.shape}")
    if shape is not None:
        for axis, (want, got) in enumerate(zip(shape, matrix.shape)):
            if want is not None and want != got:
                raise InvalidArgumentError(
                    f"{name} must have {want} {'rows' if axis == 0 else 'columns'}, "
                    f"got shape {matrix.shape}"
                )
    return matrix


def as_vector(name: str, value: Any, *, length: int | None = None) -> sp.Matrix:
    """``value`` as an exact column vector (a flat list, a row or a column is accepted)."""
    matrix = as_matrix(name, value)
    if 1 not in matrix.shape:
        raise InvalidArgumentError(f"{name} must be a vector, got shape {matrix.shape}")
    vector = matrix.reshape(len(matrix), 1)
    if length is not None and len(vector) != length:
        raise InvalidArgumentError(f"{name} must have length {length}, got {len(vector)}")
    return vector


def as_step(name: str, value: Any) -> sp.Expr:
    """A step size: exact, and not known to be <= 0 (a positive symbol is accepted)."""
    step = as_scalar(name, value)
    if step.is_extended_real is False:
        raise InvalidArgumentError(f"{name} must be real, got {step}")
    if step.is_positive is False:
        raise InvalidArgumentError(f"{name} must be > 0, got {step}")
    return step


def require_alpha(name: str, value: Any) -> sp.Expr:
    """The generalized-bilinear parameter alpha, exact and in [0, 1]."""
    alpha = as_scalar(name, value)
    if not alpha.is_number or not alpha.is_real or not (0 <= alpha <= 1):
        raise InvalidArgumentError(f"{name} must be a real number in [0, 1], got {alpha}")
    return alpha


def _reject_non_numeric_entries(name: str, value: Any) -> None:
    """Strings, bools and None inside a nested list are refused (sympy would parse them)."""
    if isinstance(value, (list, tuple)):
        for entry in value:
            _reject_non_numeric_entries(name, entry)
    elif isinstance(value, (str, bytes, bool)) or value is None:
        raise InvalidTypeError(f"{name} entries must be numbers or expressions, got {value!r}")
