"""The single argument-validation helper used at every public boundary.

It lives below all layers (standard library only) so that each layer can call it.
"""

from __future__ import annotations

import operator
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from ._errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "DEFAULT_SIZE_LIMITS",
    "require_choice",
    "require_int",
    "require_size",
    "size_limit",
    "size_limits",
]


def require_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise.

    Accepts Python and NumPy integers (anything implementing ``__index__``), rejects ``bool``
    (``True`` is an ``int`` to Python, never a size here) and floats, even integral ones.

    Raises:
        InvalidTypeError: ``value`` is not an integer.
        InvalidArgumentError: ``value < minimum``.
    """
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be an integer, got bool {value!r}")
    try:
        as_int = operator.index(value)
    except TypeError:
        raise InvalidTypeError(
            f"{name} must be an integer, got {type(value).__name__} {value!r}"
        ) from None
    if minimum is not None and as_int < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}, got {as_int}")
    return as_int


def require_choice(name: str, value: Any, choices: Collection[str]) -> str:
    """Return ``value`` if it is one of the strings in ``choices``, else raise.

    Raises:
        InvalidTypeError: ``value`` is not a string.
        InvalidArgumentError: ``value`` is not one of ``choices``; the message lists them.
    """
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name} must be a string, got {type(value).__name__} {value!r}")
    if value not in choices:
        listed = ", ".join(repr(c) for c in sorted(choices))
        raise InvalidArgumentError(f"unknown {name} {value!r}; expected one of {listed}")
    return value


#: Default ceilings on the size of a job. Each guards against starting hours of work (or an
#: allocation of many GiB) by accident; ``size_limits`` raises them for one block of code.
#: The cost units: ``*_length`` and ``*_state`` are a tap count or a state size; ``*_work``
#: the product of the sizes that the algorithm's cost grows with (its docstring says which).
DEFAULT_SIZE_LIMITS: dict[str, int] = {
    "symbolic_length": 4096,  # exact sympy taps: each tap is a growing rational
    "symbolic_state": 64,  # HiPPO derivation (FouT N = 64: 61 s), exact RTF stability degree
    "hippo_state": 1024,  # closed-form HiPPO matrices (measured: LegS N = 1024 in 186 s)
    "oracle_work": 2**26,  # oracle work units (mp_oracles docstring): 0.5-1.5 min per call
    "kernel_elements": 2**31,  # elements of the largest tensor a torch kernel allocates
}

_SIZE_LIMITS: ContextVar[dict[str, int]] = ContextVar(
    "hippo_verify_size_limits", default=DEFAULT_SIZE_LIMITS
)


def size_limit(name: str) -> int:
    """The current ceiling called ``name`` (see ``DEFAULT_SIZE_LIMITS``)."""
    limits = _SIZE_LIMITS.get()
    if name not in limits:
        raise InvalidArgumentError(f"unknown size limit {name!r}; known: {sorted(limits)}")
    return limits[name]


@contextmanager
def size_limits(**overrides: int) -> Iterator[dict[str, int]]:
    """Raise (or lower) named size ceilings inside a ``with`` block (thread- and task-local).

    Example: ``with hippo_verify.size_limits(oracle_work=2**30): ssm_kernel(...)``.
    """
    current = dict(_SIZE_LIMITS.get())
    for name, value in overrides.items():
        if name not in current:
            raise InvalidArgumentError(f"unknown size limit {name!r}; known: {sorted(current)}")
        current[name] = require_int(name, value, minimum=1)
    token = _SIZE_LIMITS.set(current)
    try:
        yield dict(current)
    finally:
        _SIZE_LIMITS.reset(token)


def require_size(what: str, cost: int, limit: str) -> int:
    """``cost`` if it is within the ceiling ``limit``, else InvalidArgumentError naming both
    and how to raise the ceiling. Call it before any work or allocation."""
    ceiling = size_limit(limit)
    if cost > ceiling:
        raise InvalidArgumentError(
            f"{what} = {cost} exceeds the limit {limit} = {ceiling}; this would take very "
            f"long or exhaust memory. To run it anyway: "
            f"with hippo_verify.size_limits({limit}={cost}): ..."
        )
    return cost
