# 1. Errors: inside hippo-verify its hierarchy; a vendored copy defines its own ---------
try:
    from hippo_verify._errors import HippoVerifyError as _BaseError
    from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
except ImportError:  # pragma: no cover - exercised by the isolation test in a subprocess

    class _BaseError(Exception):  # type: ignore[no-redef]
        """Base class of the errors this module raises on purpose."""

    class InvalidArgumentError(_BaseError, ValueError):  # type: ignore[no-redef]
        """An argument has the right type but a value the oracle does not accept."""

    class InvalidTypeError(_BaseError, TypeError):  # type: ignore[no-redef]
        """An argument has a type the oracle does not accept."""


class CertificationError(_BaseError, ArithmeticError):
    """The requested digits did not agree at two precisions below ``max_prec``."""


