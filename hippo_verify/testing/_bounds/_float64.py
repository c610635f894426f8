"""Float64 helpers shared by the conditioning numbers of every family (numpy only).

The judge's own arithmetic: direct sums (``numpy.convolve``), never the torch kernels.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from ..._errors import InvalidArgumentError, InvalidTypeError
from ..._validation import require_step


def float64_array(name: str, value: Any) -> np.ndarray:
    """``value`` (tensor, array or sequence) as a finite real float64 numpy array, ndim >= 1.

    Raises:
        InvalidTypeError: complex values (tensor or not), or values that are not real
            numbers (None, strings, ragged nested lists).
        InvalidArgumentError: NaN/infinity, a scalar or an empty last dimension.
    """
    if isinstance(value, torch.Tensor):
        if value.is_complex():
            raise InvalidTypeError(f"{name}: expected real values, got {value.dtype}")
        value = value.detach().to("cpu", torch.float64).numpy()
    try:
        array = np.asarray(value)
        real = array.astype(np.float64) if not np.iscomplexobj(array) else None
    except (TypeError, ValueError):
        raise InvalidTypeError(
            f"{name}: expected real numbers, got {type(value).__name__}"
        ) from None
    if real is None:
        raise InvalidTypeError(f"{name}: expected real values, got {array.dtype}")
    array = real
    if array.ndim < 1 or array.shape[-1] == 0:
        raise InvalidArgumentError(
            f"{name}: expected a non-empty sequence, got shape {tuple(array.shape)}"
        )
    if not np.isfinite(array).all():  # a NaN would make every ratio below NaN
        raise InvalidArgumentError(f"{name}: contains NaN or infinity")
    return array


def ratio_at_least_one(numerator: float, scale: float) -> float:
    """max(1, numerator / scale); inf for scale = 0; never NaN (checked, not compared)."""
    if scale == 0:
        return math.inf
    value = numerator / scale
    if math.isnan(value):
        raise InvalidArgumentError(f"conditioning ratio {numerator!r} / {scale!r} is NaN")
    return max(1.0, value)


def abs_causal_conv(u: np.ndarray, K: np.ndarray) -> np.ndarray:
    """(|K| * |u|)_k for k < len(u) (direct sums in float64, numpy.convolve)."""
    return np.convolve(np.abs(u), np.abs(K))[: u.shape[-1]]


def direct_causal_conv(u: np.ndarray, K: np.ndarray) -> np.ndarray:
    """(K * u)_k for k < len(u), the causal convolution (direct sums)."""
    return np.convolve(u, K)[: u.shape[-1]]


def one_sequence(name: str, value: Any) -> np.ndarray:
    """``float64_array`` of exactly one dimension (one sequence, no batch), else
    InvalidArgumentError."""
    array = float64_array(name, value)
    if array.ndim != 1:
        raise InvalidArgumentError(f"{name}: expected one sequence, got shape {array.shape}")
    return array


def at_least_one(cond: float) -> float:
    """max(1, cond), refusing NaN and negative values (``max(1.0, nan)`` is 1.0)."""
    value = float(cond)
    if not value >= 0:
        raise InvalidArgumentError(f"cond: must be a number >= 0, got {cond!r}")
    return max(1.0, value)


def array64(name: str, value: Any) -> np.ndarray:
    """A finite float64 (complex128 if any entry is complex) array of a tensor, a NumPy
    array, a sympy Matrix or nested lists of numbers."""
    if isinstance(value, torch.Tensor):
        t = value.detach().to("cpu")
        array = (t.to(torch.complex128) if t.is_complex() else t.to(torch.float64)).numpy()
    else:
        if value is None or isinstance(value, (str, bytes)):
            raise InvalidTypeError(f"{name}: expected numbers, got {type(value).__name__}")
        try:
            raw = value.tolist() if hasattr(value, "tolist") else value
            array = np.array(raw, dtype=object).astype(np.complex128)
        except (TypeError, ValueError):
            name_of = type(value).__name__
            raise InvalidTypeError(f"{name}: expected numbers, got {name_of}") from None
        array = array if array.imag.any() else array.real.copy()
    if not np.isfinite(array).all():
        raise InvalidArgumentError(f"{name}: contains NaN or infinity")
    return array


def step64(dt: Any) -> float | np.ndarray:
    """A positive finite step as a float, or a float64 array for a tensor/array of steps
    (one per system of a batch). Scalars are checked by ``_validation.require_step``; the
    array checks and messages are the kernels' (``kernels._args.require_step``), written
    here again so the judge runs no kernel-layer code.

    Raises:
        InvalidTypeError: bool, complex, a non-real type, an integer or complex array.
        InvalidArgumentError: NaN, infinity or a step <= 0.
    """
    if not isinstance(dt, (torch.Tensor, np.ndarray)):
        return require_step(dt)
    if isinstance(dt, torch.Tensor):
        if dt.is_complex() or not dt.is_floating_point():
            raise InvalidTypeError(f"dt must be a real floating tensor, got {dt.dtype}")
        dt = dt.detach().to("cpu", torch.float64).numpy()
    elif not np.issubdtype(dt.dtype, np.floating):
        raise InvalidTypeError(f"dt must be a real floating tensor, got {dt.dtype}")
    steps = dt.astype(np.float64)
    if not (np.isfinite(steps).all() and (steps > 0).all()):
        raise InvalidArgumentError("dt must be finite and > 0 at every entry of the tensor")
    return steps


def one_step64(dt: Any) -> float:
    """``step64`` of a single step (a number or a one-element tensor/array)."""
    step = step64(dt)
    if isinstance(step, np.ndarray):
        if step.size != 1:
            raise InvalidArgumentError(f"dt: expected one step, got shape {step.shape}")
        return float(step.reshape(-1)[0])
    return step
