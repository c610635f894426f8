"""The argument validators used at every public boundary (sizes, L, dt, method).

They live below all layers (standard library only) so that each layer can call them. The
vendorable ``hippo_verify.oracles.mp_oracles`` keeps its own copy of ``require_int``,
``require_step`` and the method check, with the same behaviour and messages
(``tests/test_validators_agree.py``).
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any

from ._errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "DEFAULT_SIZE_LIMITS",
    "require_choice",
    "require_int",
    "require_method",
    "require_size",
    "require_step",
    "size_limit",
    "size_limits",
]


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def require_int(name: str, value: Any, *, minimum: int | None = None) -> int:
    """Return ``value`` as an ``int`` or raise.

    Accepts Python, NumPy and sympy integers (anything implementing ``__index__``), rejects
    ``bool`` (``True`` is an ``int`` to Python, never a size here) and floats, even integral
    ones. The oracles' vendorable copy (``mp_oracles.require_int``) behaves the same.

    Raises:
        InvalidTypeError: ``value`` is not an integer (``"L must be an integer, got bool True"``).
        InvalidArgumentError: ``value < minimum`` (``"L must be >= 1, got 0"``).
    """
    if isinstance(value, bool):
        raise InvalidTypeError(f"{name} must be an integer, got bool {value!r}")
    try:
        as_int = operator.index(value)
    except TypeError:
        raise InvalidTypeError(f"{name} must be an integer, got {_describe(value)}") from None
    if minimum is not None and as_int < minimum:
        raise InvalidArgumentError(f"{name} must be >= {minimum}, got {as_int}")
    return as_int


def require_step(value: Any, name: str = "dt") -> float:
    """A positive finite step as a float: a real Python or NumPy number (any float width),
    a Fraction, anything registered as ``numbers.Real``.

    Raises:
        InvalidTypeError: bool, complex (even with zero imaginary part), strings and other
            non-real types (``"dt must be a real number, got bool True"``).
        InvalidArgumentError: NaN, infinity, <= 0, or beyond the float range
            (``"dt must be finite and > 0, got 0"``).
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"{name} must be a real number, got {_describe(value)}")
    try:
        step = float(value)
    except OverflowError:  # a huge int or Fraction
        step = math.inf
    if not (step > 0 and math.isfinite(step)):
        raise InvalidArgumentError(f"{name} must be finite and > 0, got {value!r}")
    return step


def require_method(method: Any, alphas: Mapping[str, float | None]) -> float | None:
    """alpha of a discretization method: ``alphas[method]`` for a name (None: ZOH), or the
    alpha of ``("gbt", alpha)``, a real number (or decimal string) in [0, 1].

    ``alphas`` is the caller's own table (the kernels keep theirs, the oracles theirs).

    Raises:
        InvalidArgumentError: unknown name (``"unknown method 'rk4'; expected one of
            'backward_euler', 'bilinear', 'forward_euler', 'zoh' or ('gbt', alpha)"``),
            alpha outside [0, 1], NaN or a string that is no number.
        InvalidTypeError: not a name or ``("gbt", alpha)``; alpha of a non-real type.
    """
    if isinstance(method, str):
        if method not in alphas:
            listed = ", ".join(repr(m) for m in sorted(alphas))
            raise InvalidArgumentError(
                f"unknown method {method!r}; expected one of {listed} or ('gbt', alpha)"
            )
        return alphas[method]
    if isinstance(method, tuple) and len(method) == 2 and isinstance(method[0], str):
        if method[0] == "gbt":
            return _gbt_alpha(method[1])
    raise InvalidTypeError(f"method must be a name or ('gbt', alpha), got {method!r}")


def _gbt_alpha(value: Any) -> float:
    """alpha of ("gbt", alpha): a real number (or decimal string) in [0, 1]."""
    number: Any = value
    if isinstance(value, str):
        try:
            number = Fraction(value)
        except (ValueError, ZeroDivisionError):
            number = math.nan
    elif isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise InvalidTypeError(f"alpha must be a real number, got {_describe(value)}")
    try:
        alpha = float(number)
    except OverflowError:  # a huge int or Fraction
        alpha = math.inf
    if not 0 <= alpha <= 1:  # NaN fails too
        raise InvalidArgumentError(f"alpha must be a real number in [0, 1], got {value!r}")
    return alpha


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
