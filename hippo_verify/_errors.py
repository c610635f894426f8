"""The one error hierarchy of hippo-verify.

Every public function validates its arguments at the boundary and raises one of these
before doing any work. They subclass the built-in exception a caller would expect
(``ValueError`` / ``TypeError``), so ``except ValueError`` keeps working.
"""

from __future__ import annotations

__all__ = ["HippoVerifyError", "InvalidArgumentError", "InvalidTypeError"]


class HippoVerifyError(Exception):
    """Base class of every error raised on purpose by hippo-verify."""


class InvalidArgumentError(HippoVerifyError, ValueError):
    """An argument has the right type but a value outside what the function accepts."""


class InvalidTypeError(HippoVerifyError, TypeError):
    """An argument has a type the function does not accept."""
