"""Validation of the (measure, N, convention) arguments shared by the HiPPO functions.

This is the argument schema: which measures exist, which conventions define which
measures, and the sizes each allows. ``_conventions.py`` supplies one transform for each
pair listed here (a test checks the two agree).
"""

from __future__ import annotations

from typing import Any

from .._errors import InvalidArgumentError
from .._validation import require_choice, require_int

__all__ = ["CONVENTION_MEASURES", "HIPPO_MEASURES", "validate_hippo_args"]

HIPPO_MEASURES = ("legt", "legs", "lagt", "fout")

CONVENTION_MEASURES: dict[str, tuple[str, ...]] = {
    "canonical": HIPPO_MEASURES,
    "s4": HIPPO_MEASURES,
    "hippo-code": ("legt", "legs", "lagt"),
    "lmu": ("legt",),
}

# (convention, measure) -> why only even N exist there.
_EVEN_ONLY = {
    ("s4", "fout"): "its states come in (cos, sin) pairs, the first pair being the "
    "constant and an always-zero sine",
}


def validate_hippo_args(
    measure: Any, N: Any, convention: Any = "canonical"
) -> tuple[str, int, str]:
    """Check a HiPPO request before any work is done.

    Returns:
        (measure, N, convention), with N as a Python int.

    Raises:
        InvalidTypeError: measure or convention not a string, N not an integer.
        InvalidArgumentError: unknown measure or convention, N < 1, a measure the
            convention does not define, or a size the convention does not allow.
    """
    measure = require_choice("measure", measure, HIPPO_MEASURES)
    N = require_int("N", N, minimum=1)
    convention = require_choice("convention", convention, CONVENTION_MEASURES)
    if measure not in CONVENTION_MEASURES[convention]:
        defined = ", ".join(CONVENTION_MEASURES[convention])
        raise InvalidArgumentError(
            f"convention {convention!r} does not define measure {measure!r} (it defines: {defined})"
        )
    reason = _EVEN_ONLY.get((convention, measure))
    if reason is not None and N % 2:
        raise InvalidArgumentError(
            f"convention {convention!r} of {measure!r} needs an even N ({reason}); got N={N}"
        )
    return measure, N, convention
