"""Shared checks of the selective-scan family (selective_scan/step, ssd, s5_scan): the
precision of a call and small shape helpers. Everything here runs before any work.

Precision of a call (the spec's mixed-precision rule, as real kernels run it): the real
tensors of one call share one dtype, float64, float32, bfloat16 or float16; the tensors
that may be complex (A/B/C, S5's Lambda/B/C/state) are then the complex counterpart of the
compute dtype -- complex128 with float64, complex64 otherwise (there is no bfloat16
complex dtype, so a bf16/fp16 call's complex tensors are complex64). The arithmetic runs
in float64 (complex128) for float64 calls and in float32 (complex64) for the rest; the
output is returned in the real input dtype.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from ._args import FLOAT_DTYPES, as_tensor, require_finite, require_same_device

__all__ = [
    "Precision",
    "call_precision",
    "optional",
    "require_finite",
    "require_shape",
    "unscreened",
]


@dataclass(frozen=True)
class Precision:
    """dtype: the real input/output dtype; real/complex: the compute dtypes."""

    dtype: torch.dtype
    real: torch.dtype
    complex: torch.dtype


def optional(name: str, value: Any, *, screened: bool = True) -> torch.Tensor | None:
    """None, or ``as_tensor(name, value)`` (``unscreened`` with screened=False)."""
    if value is None:
        return None
    return as_tensor(name, value) if screened else unscreened(name, value)


def unscreened(name: str, value: Any) -> torch.Tensor:
    """``as_tensor(name, value)`` without its finiteness pass: the caller screens all its
    tensors at once with ``require_finite``."""
    return as_tensor(name, value, screened=False)


def require_shape(family: str, name: str, value: torch.Tensor, shape: tuple[int, ...], what: str):
    """InvalidArgumentError unless ``value.shape == shape`` (``what`` names the layout)."""
    if tuple(value.shape) != tuple(shape):
        raise InvalidArgumentError(
            f"{family}: {name} must have shape {what} = {tuple(shape)}, got {tuple(value.shape)}"
        )


def call_precision(
    family: str,
    real: dict[str, torch.Tensor | None],
    maybe_complex: dict[str, torch.Tensor | None],
) -> Precision:
    """The precision of a call (module docstring) from its real-only tensors ``real`` and
    the tensors that may be complex; all on one device.

    Raises:
        InvalidTypeError: a complex tensor among ``real``; real tensors of different dtypes
            or of a dtype outside float64/float32/bfloat16/float16; a complex tensor that is
            not the complex counterpart (complex128 for float64, complex64 otherwise).
        InvalidArgumentError: tensors on different devices.
    """
    given = {k: v for k, v in {**real, **maybe_complex}.items() if v is not None}
    require_same_device(family, **given)
    for name, value in real.items():
        if value is not None and value.is_complex():
            raise InvalidTypeError(f"{family}: {name} must be real, got {value.dtype}")
    reals = {k: v.dtype for k, v in given.items() if not v.is_complex()}
    dtypes = set(reals.values())
    if len(dtypes) != 1:
        listed = ", ".join(f"{k} {v}" for k, v in reals.items())
        raise InvalidTypeError(
            f"{family}: the real tensors of one call must share one dtype (float64, float32, "
            f"bfloat16 or float16), got {listed}"
        )
    (dtype,) = dtypes
    if dtype not in FLOAT_DTYPES:
        raise InvalidTypeError(
            f"{family}: dtype {dtype} is not supported; use float64, float32, bfloat16 or float16"
        )
    wide = dtype == torch.float64
    precision = Precision(
        dtype,
        torch.float64 if wide else torch.float32,
        torch.complex128 if wide else torch.complex64,
    )
    for name, value in given.items():
        if value.is_complex() and value.dtype != precision.complex:
            raise InvalidTypeError(
                f"{family}: {name} is {value.dtype}; with {dtype} inputs complex tensors must be "
                f"{precision.complex} (the complex counterpart of the {precision.real} "
                "arithmetic)"
            )
    return precision
