"""Argument checks at the boundary of every torch kernel (raised before any work).

Kernels take tensors (leading batch dimensions allowed), a tap count ``L`` and a step
``dt`` (a positive real number -- Python or NumPy -- or a tensor of positive steps
broadcastable to the batch).

Sizes: every kernel states the elements of the largest tensor it allocates and refuses,
before allocating, a job beyond the ceiling ``kernel_elements`` (``require_elements``;
``hippo_verify.size_limits(kernel_elements=...)`` raises it), so a huge ``L`` or batch is a
clear error instead of a ``MemoryError``, an allocator ``RuntimeError`` or hours of work.

Overflow: a kernel whose finite inputs give a non-finite result (the exact result, or an
intermediate such as dt A, is beyond the dtype's range) raises ``InvalidArgumentError``
naming the quantity that overflowed (``require_finite_result``), never returns inf/NaN.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_int, require_method, require_size
from .._validation import require_step as _require_scalar_step

__all__ = [
    "FLOAT_DTYPES",
    "METHOD_ALPHA",
    "as_tensor",
    "broadcast_batch",
    "common_dtype",
    "complex_dtype_of",
    "method_alpha",
    "require_L",
    "SEQUENTIAL_STEP_CHARGE",
    "require_batch_elements",
    "require_elements",
    "require_finite",
    "require_finite_result",
    "require_same_device",
    "require_step",
    "require_vector_of",
    "step_tensor",
]

#: alpha of each named discretization (None: ZOH is not a generalized-bilinear method).
#: The kernel layer's own table, not the oracle's: a slip in one cannot make a kernel and
#: its judge agree (a test checks that the two tables match). The checks of a method and
#: their messages are shared (``hippo_verify._validation.require_method``).
METHOD_ALPHA: dict[str, float | None] = {
    "forward_euler": 0.0,
    "bilinear": 0.5,
    "backward_euler": 1.0,
    "zoh": None,
}

#: Real dtypes the kernels accept (bf16/fp16 only where a kernel says so).
FLOAT_DTYPES = (torch.float64, torch.float32, torch.float16, torch.bfloat16)
_COMPLEX_OF = {
    torch.float64: torch.complex128,
    torch.float32: torch.complex64,
    torch.complex128: torch.complex128,
    torch.complex64: torch.complex64,
}


def as_tensor(name: str, value: Any, *, min_dim: int = 0, screened: bool = True) -> torch.Tensor:
    """``value`` if it is a finite floating or complex tensor with >= ``min_dim`` dims.

    ``screened=False`` skips the finiteness check (same type, dtype and dimension checks
    and messages): for a caller that screens all its tensors at once with
    ``require_finite`` (one host sync instead of one per tensor).
    """
    if not isinstance(value, torch.Tensor):
        raise InvalidTypeError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    if not (value.is_floating_point() or value.is_complex()):
        raise InvalidTypeError(f"{name}: expected a floating or complex dtype, got {value.dtype}")
    if value.dim() < min_dim:
        raise InvalidArgumentError(
            f"{name}: expected at least {min_dim} dimensions, got shape {tuple(value.shape)}"
        )
    # an expanded (stride-0) input can be huge without memory; the finiteness check is not
    require_elements(f"{name}: elements", value.numel())
    if screened:
        require_finite(**{name: value})
    return value


def require_finite(**values: torch.Tensor | None) -> None:
    """InvalidArgumentError "<name>: contains NaN or infinity" for the first of ``values``
    (None skipped) with a NaN or infinite entry.

    The screen: one sum per tensor (half dtypes summed in float32) and one host sync for
    all. The sum is non-finite iff some entry is -- IEEE additions cannot turn inf or NaN
    finite, in any order -- or a sum of finite entries overflowed; only then is each
    tensor checked entry by entry. ``isfinite(x).all()`` is several passes and ~35x
    slower on the CPU; on a GPU each sync waits for the queue.
    """
    given = {name: value for name, value in values.items() if value is not None}
    total = None
    for v in given.values():
        part = v.sum(dtype=torch.float32) if v.dtype in (torch.float16, torch.bfloat16) else v.sum()
        total = part if total is None else total + part
    if total is None or bool(torch.isfinite(total)):
        return
    for name, value in given.items():
        if not bool(torch.isfinite(value).all()):
            raise InvalidArgumentError(f"{name}: contains NaN or infinity")


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
    """The tap count, an int >= 1 and within ``kernel_elements`` (the output alone has L
    taps, so L = 10**12 is refused at once instead of hanging)."""
    L = require_int("L", L, minimum=1)
    require_elements("L (taps of the output)", L)
    return L


def require_elements(what: str, *sizes: int) -> int:
    """prod(sizes), the elements of a tensor a kernel is about to allocate, if it is within
    the ceiling ``kernel_elements``; else InvalidArgumentError that names ``what``, the
    ceiling and how to raise it (``hippo_verify.size_limits``)."""
    return require_size(what, math.prod(int(s) for s in sizes), "kernel_elements")


#: Elements charged per step of a Python-level sequential loop, so that a loop of L steps
#: counts like a tensor of 256 L elements against ``kernel_elements`` (about 8M steps, a
#: few minutes, under the default ceiling) instead of running for hours unrefused.
SEQUENTIAL_STEP_CHARGE = 256


def require_batch_elements(
    family: str, batch: tuple[int, ...], per_system: int, *, steps: int = 0
) -> int:
    """``require_elements`` for a largest tensor of prod(batch) x per_system elements,
    plus ``SEQUENTIAL_STEP_CHARGE`` per step of a sequential loop of ``steps`` steps."""
    what = f"{family}: elements of the largest tensor (batch {tuple(batch)} x {per_system})"
    if steps:
        what += f" + {SEQUENTIAL_STEP_CHARGE} per sequential step ({steps} steps)"
    return require_elements(what, math.prod(batch) * per_system + SEQUENTIAL_STEP_CHARGE * steps)


def require_finite_result(
    name: str, result: torch.Tensor | tuple[torch.Tensor, ...], quantity: Callable[[], str]
) -> None:
    """InvalidArgumentError if the result of finite inputs holds inf/NaN: it overflowed.

    ``quantity()`` (called only then) names what overflowed, e.g. ``"||A dt||_1 = 1e+40"``.
    One pass over the result: cheap next to the kernel that produced it.
    """
    parts = result if isinstance(result, tuple) else (result,)
    if all(bool(torch.isfinite(part).all()) for part in parts):
        return
    dtype = parts[0].dtype
    largest = torch.finfo(dtype.to_real() if dtype.is_complex else dtype).max
    raise InvalidArgumentError(
        f"{name}: the result overflowed {dtype} (largest finite value {largest:.3g}): "
        f"{quantity()}. The exact result or an intermediate is beyond the dtype's range; "
        "use a smaller step or length, a stable system, or a wider dtype"
    )


def require_step(dt: Any) -> torch.Tensor | float:
    """A positive finite step: a real floating tensor of positive finite steps, or a scalar
    checked by ``hippo_verify._validation.require_step`` (a real Python or NumPy number,
    a Fraction; returned as a float, with the same messages as the oracles').

    Raises:
        InvalidTypeError: bool, complex, a non-real type, an integer or complex tensor.
        InvalidArgumentError: NaN, infinity or a step <= 0 (scalar or any tensor entry).
    """
    if isinstance(dt, torch.Tensor):
        if dt.is_complex() or not dt.is_floating_point():
            raise InvalidTypeError(f"dt must be a real floating tensor, got {dt.dtype}")
        if not bool(torch.isfinite(dt).all()) or not bool((dt > 0).all()):
            raise InvalidArgumentError("dt must be finite and > 0 at every entry of the tensor")
        return dt
    return _require_scalar_step(dt)


def method_alpha(method: Any) -> float | None:
    """alpha of a generalized-bilinear method from the kernels' own table ``METHOD_ALPHA``
    (``"bilinear"`` -> 0.5, ...) or of ``("gbt", alpha)`` with alpha a real number in
    [0, 1]; None for ``"zoh"``. Checks and messages: ``_validation.require_method``."""
    return require_method(method, METHOD_ALPHA)


def require_same_device(family: str | None = None, **values: Any) -> None:
    """InvalidArgumentError naming each tensor's device if the tensors among ``values``
    (non-tensors are ignored) live on different devices. Call it before any torch op that
    mixes them, so the error is this one and not torch's."""
    devices = {name: v.device for name, v in values.items() if isinstance(v, torch.Tensor)}
    if len(set(devices.values())) > 1:
        listed = ", ".join(f"{name} on {device}" for name, device in devices.items())
        prefix = f"{family}: " if family else ""
        raise InvalidArgumentError(f"{prefix}tensors are on different devices: {listed}")


def common_dtype(*tensors: torch.Tensor) -> torch.dtype:
    """The promoted dtype of the tensors; all must live on one device."""
    require_same_device(**{f"tensor {i}": t for i, t in enumerate(tensors)})
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype


def complex_dtype_of(dtype: torch.dtype) -> torch.dtype:
    """complex128 for float64, complex64 for float32 (and complex dtypes themselves)."""
    if dtype not in _COMPLEX_OF:
        raise InvalidArgumentError(f"no complex counterpart for {dtype} in this kernel")
    return _COMPLEX_OF[dtype]
