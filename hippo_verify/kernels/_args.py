"""Argument checks at the boundary of every torch kernel (raised before any work).

Kernels take tensors (leading batch dimensions allowed), a tap count ``L`` and a step
``dt`` (a positive Python number or a tensor of positive steps broadcastable to the batch).
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_int
from ..oracles.mp_oracles import discretization_alpha

__all__ = [
    "FLOAT_DTYPES",
    "as_tensor",
    "broadcast_batch",
    "common_dtype",
    "complex_dtype_of",
    "method_alpha",
    "require_L",
    "require_step",
    "require_vector_of",
    "step_tensor",
]

#: Real dtypes the kernels accept (bf16/fp16 only where a kernel says so).
FLOAT_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)
_COMPLEX_OF = {
    torch.float64: torch.complex128,
    torch.float32: torch.complex64,
    torch.complex128: torch.complex128,
    torch.complex64: torch.complex64,
}


def as_tensor(name: str, value: Any, *, min_dim: int = 0) -> torch.Tensor:
    """``value`` if it is a finite floating or complex tensor with >= ``min_dim`` dims."""
    if not isinstance(value, torch.Tensor):
        raise InvalidTypeError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    if not (value.is_floating_point() or value.is_complex()):
        raise InvalidTypeError(f"{name}: expected a floating or complex dtype, got {value.dtype}")
    if value.dim() < min_dim:
        raise InvalidArgumentError(
            f"{name}: expected at least {min_dim} dimensions, got shape {tuple(value.shape)}"
        )
    if not bool(torch.isfinite(value).all()):
        raise InvalidArgumentError(f"{name}: contains NaN or infinity")
    return value


def broadcast_batch(family: str | None = None, **shapes: tuple[int, ...]) -> torch.Size:
    """The broadcast of the named batch shapes, or InvalidArgumentError naming them."""
    try:
        return torch.broadcast_shapes(*shapes.values())
    except RuntimeError:
        listed = ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())
        prefix = f"{family}: " if family else ""
        raise InvalidArgumentError(f"{prefix}batch dimensions do not broadcast: {listed}") from None


def step_tensor(dt: torch.Tensor | float, dtype: torch.dtype, device: torch.device) -> Any:
    """dt (checked by ``require_step``) in the real dtype of ``dtype`` on ``device``; a
    Python number stays a number (exact until it meets a tensor)."""
    if isinstance(dt, torch.Tensor):
        if dt.device != device:
            raise InvalidArgumentError(f"dt is on {dt.device}, the system on {device}")
        return dt.to(dtype.to_real())
    return dt


def require_vector_of(name: str, value: torch.Tensor, length: int) -> torch.Tensor:
    """``value`` (already checked by ``as_tensor``) with last dimension ``length``."""
    if value.dim() < 1 or value.shape[-1] != length:
        raise InvalidArgumentError(
            f"{name}: expected last dimension {length}, got shape {tuple(value.shape)}"
        )
    return value


def require_L(L: Any) -> int:
    """The tap count, an int >= 1."""
    return require_int("L", L, minimum=1)


def require_step(dt: Any) -> torch.Tensor | float:
    """A positive finite step: a Python number, or a tensor of them."""
    if isinstance(dt, bool):
        raise InvalidTypeError("dt: expected a number or tensor, got bool")
    if isinstance(dt, torch.Tensor):
        if dt.is_complex() or not dt.is_floating_point():
            raise InvalidTypeError(f"dt: expected a real floating tensor, got {dt.dtype}")
        if not bool(torch.isfinite(dt).all()) or not bool((dt > 0).all()):
            raise InvalidArgumentError("dt: every step must be finite and > 0")
        return dt
    if not isinstance(dt, (int, float, Fraction)):
        raise InvalidTypeError(f"dt: expected a number or tensor, got {type(dt).__name__}")
    if not float(dt) > 0 or float(dt) == float("inf"):
        raise InvalidArgumentError(f"dt: must be finite and > 0, got {dt!r}")
    return float(dt)


def method_alpha(method: Any) -> float | None:
    """alpha of a generalized-bilinear method (``"bilinear"`` -> 0.5, ...), None for ZOH."""
    alpha = discretization_alpha(method)
    return None if alpha is None else float(alpha)


def common_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The promoted dtype of the tensors; all must live on one device."""
    devices = {t.device for t in tensors}
    if len(devices) > 1:
        raise InvalidArgumentError(f"tensors are on different devices: {sorted(map(str, devices))}")
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype


def complex_dtype_of(dtype: torch.dtype) -> torch.dtype:
    """complex128 for float64, complex64 for float32 (and complex dtypes themselves)."""
    if dtype not in _COMPLEX_OF:
        raise InvalidArgumentError(f"no complex counterpart for {dtype} in this kernel")
    return _COMPLEX_OF[dtype]
