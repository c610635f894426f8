"""Exact conversion of drawn numbers to tensors (``to_tensor``, ``round_to``).

Needs torch only (no hypothesis), so the report and the grader can use it on an install
without the test extras.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from ..oracles.mp_oracles import map_nested

__all__ = ["round_to", "to_tensor"]


def _flat(values: Any) -> list:
    if isinstance(values, (list, tuple)):
        return [v for item in values for v in _flat(item)]
    return [values]


def _as_python_number(value: Any) -> float | complex:
    """A Python float/complex holding ``value`` exactly (refused if it would round)."""
    if isinstance(value, bool):
        raise InvalidTypeError("to_tensor: bool is not a number here")
    if isinstance(value, (int, Fraction)):
        as_float = float(value)
        if Fraction(as_float) != value:
            raise InvalidArgumentError(f"to_tensor: {value} is not exactly a float64")
        return as_float
    if isinstance(value, (float, complex)):
        return value
    raise InvalidTypeError(
        f"to_tensor: expected int, Fraction, float or complex values, got {type(value).__name__}"
    )


def to_tensor(values: Any, dtype: torch.dtype = torch.float64, device: Any = None) -> torch.Tensor:
    """The nested list ``values`` as a tensor of ``dtype``, refusing any rounding.

    Arguments:
        values: a number or nested lists of numbers (``int``, ``Fraction``, ``float``,
            ``complex``), e.g. one field of a system drawn here.
        dtype: a real or complex torch dtype; complex values need a complex dtype.
        device: where to put the tensor (default: torch's default device).

    Returns:
        The tensor; every entry equals the given number exactly.

    Raises:
        InvalidArgumentError: a value is not exactly representable in ``dtype`` (e.g. a
            float64-only number asked for in float32), or complex values for a real dtype.
        InvalidTypeError: a value of another type (e.g. a sympy expression: ``round_to``
            it first).
    """
    if not isinstance(dtype, torch.dtype) or not (dtype.is_floating_point or dtype.is_complex):
        raise InvalidTypeError(f"to_tensor: expected a floating or complex dtype, got {dtype!r}")
    numbers = [_as_python_number(v) for v in _flat(values)]
    if any(isinstance(v, complex) and v.imag for v in numbers) and not dtype.is_complex:
        raise InvalidArgumentError(f"to_tensor: complex values cannot be held by {dtype}")
    real = not dtype.is_complex
    values = map_nested(
        values,
        lambda v: _as_python_number(v).real if real else _as_python_number(v),
    )
    wide_dtype = torch.complex128 if dtype.is_complex else torch.float64
    wide = torch.tensor(values, dtype=wide_dtype)
    narrow = wide.to(dtype)
    if not bool((narrow.to(wide_dtype) == wide).all()):
        bad = (narrow.to(wide_dtype) != wide).nonzero()[0].tolist()
        raise InvalidArgumentError(
            f"to_tensor: entry {bad} = {wide[tuple(bad)].item()!r} is not exactly "
            f"representable in {dtype} (round_to the dtype first)"
        )
    return narrow if device is None else narrow.to(device)


def round_to(values: Any, dtype: torch.dtype) -> Any:
    """``values`` (nested lists of numbers, sympy numbers too) rounded to ``dtype``.

    Each value is converted to a Python float/complex (nearest, by ``float``/``complex``),
    then rounded to ``dtype`` by torch (round to nearest even). The result has the same
    nesting (lists stay lists, tuples stay tuples: ``mp_oracles.map_nested``) and holds
    Python floats/complex numbers exactly representable in ``dtype``: give them to the
    oracle and (with ``to_tensor``) to the kernel, so both see identical inputs.
    """
    if not isinstance(dtype, torch.dtype) or not (dtype.is_floating_point or dtype.is_complex):
        raise InvalidTypeError(f"round_to: expected a floating or complex dtype, got {dtype!r}")

    def one(value: Any) -> float | complex:
        number = complex(value)
        if dtype.is_complex:
            part = torch.tensor([number.real, number.imag], dtype=torch.float64)
            real_dtype = torch.float32 if dtype == torch.complex64 else torch.float64
            re_, im_ = part.to(real_dtype).to(torch.float64).tolist()
            return complex(re_, im_)
        if number.imag:
            raise InvalidArgumentError(f"round_to: complex value {value} for real {dtype}")
        return torch.tensor(number.real, dtype=torch.float64).to(dtype).item()

    return map_nested(values, one)


#: Below this magnitude a bfloat16 value may not be exact in float16 (its subnormals).
HALF_EXACT_TINY = 2.0**-12


def half_exact(value: float) -> float:
    """``value`` rounded to bfloat16 (8 significant bits), 0 below ``HALF_EXACT_TINY``: exact
    in bfloat16, float16, float32 and float64, so mixed-precision kernels in every dtype and
    the oracle see the same number."""
    rounded = round_to(value, torch.bfloat16)
    return 0.0 if abs(rounded) < HALF_EXACT_TINY else rounded
