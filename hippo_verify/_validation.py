"""The single argument-validation helper used at every public boundary.

It lives below all layers (standard library only) so that each layer can call it.
"""

from __future__ import annotations

import operator
from collections.abc import Collection
from typing import Any

from ._errors import InvalidArgumentError, InvalidTypeError

__all__ = ["require_choice", "require_int"]


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
