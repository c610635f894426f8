# 5. Validators: a copy of hippo_verify._validation's (tests/test_validators_agree.py) ---


def _describe(value: Any) -> str:
    return f"{type(value).__name__} {value!r}"


def _is_complex(value: Any) -> bool:
    """A complex number type (Python, NumPy, mpmath), whatever its imaginary part."""
    if isinstance(value, (complex, mpmath.mpc)):
        return True
    return isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real)


def require_int(name: str, value: Any, minimum: int | None = None) -> int:
    """``value`` as an int: any integer with ``__index__`` (NumPy and sympy integers too).

    Arguments:
        name: for messages; value: the argument; minimum: the least value allowed.
    Returns:
        ``operator.index(value)``.
    Raises:
        InvalidTypeError: bool, float (even integral), string, ...: ``"L must be an
            integer, got float 4.0"``.
        InvalidArgumentError: ``value < minimum``: ``"L must be >= 1, got 0"``.
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


def require_step(value: Any, name: str = "dt") -> Any:
    """A positive finite real step, read exactly (``exact_scalar``).

    Arguments:
        value: the step; name: for messages.
    Returns:
        A Fraction, or an ``_mpmath_`` protocol object (evaluated at each precision).
    Raises:
        InvalidTypeError: bool, complex (even with zero imaginary part), a non-number type:
            ``"dt must be a real number, got bool True"``.
        InvalidArgumentError: NaN, infinity, <= 0 (``"dt must be finite and > 0, got 0"``);
            a string that is not a real number (only the oracles read strings, so here it
            is a bad value, not a bad type).
    """
    bad_type = InvalidTypeError(f"{name} must be a real number, got {_describe(value)}")
    if isinstance(value, bool) or value is None or _is_complex(value):
        raise bad_type
    not_positive = InvalidArgumentError(f"{name} must be finite and > 0, got {value!r}")
    if isinstance(value, str):
        not_positive = InvalidArgumentError(str(bad_type))
    try:
        step = exact_scalar(name, value)
    except InvalidTypeError:
        raise bad_type from None
    except InvalidArgumentError:  # NaN/infinity, or a string that is no number
        raise not_positive from None
    if isinstance(step, tuple):  # a complex string
        raise InvalidArgumentError(str(bad_type))
    probe = step if isinstance(step, Fraction) else mpmath.mp.convert(step._mpmath_(64, "n"))
    if isinstance(probe, mpmath.mpc):
        raise bad_type
    if not probe > 0:
        raise InvalidArgumentError(f"{name} must be finite and > 0, got {value!r}")
    return step


def _require_digits(digits: Any, max_prec: Any) -> tuple[int, int]:
    max_prec = require_int("max_prec", max_prec, 64)
    digits = require_int("digits", digits, 1)
    limit = int((max_prec - 64) / _LOG2_10)
    if digits > limit:
        raise InvalidArgumentError(
            f"digits: {digits} cannot be certified within max_prec = {max_prec} bits "
            f"(at most {limit}); raise max_prec"
        )
    return digits, max_prec


def _gbt_alpha(value: Any) -> Fraction:
    """alpha of ("gbt", alpha): a real number (or exact string) in [0, 1]."""
    if isinstance(value, bool) or value is None or _is_complex(value):
        raise InvalidTypeError(f"alpha must be a real number, got {_describe(value)}")
    try:
        alpha = exact_scalar("alpha", value)
    except InvalidTypeError:
        raise InvalidTypeError(f"alpha must be a real number, got {_describe(value)}") from None
    except InvalidArgumentError:  # NaN/infinity or not a number string
        alpha = None
    if not isinstance(alpha, Fraction) or not 0 <= alpha <= 1:
        raise InvalidArgumentError(f"alpha must be a real number in [0, 1], got {value!r}")
    return alpha


def method_alpha(method: Any) -> Fraction | None:
    """alpha of a discretization: ``"forward_euler"`` 0, ``"bilinear"`` 1/2,
    ``"backward_euler"`` 1, ``("gbt", alpha)`` alpha; None for ``"zoh"``.

    Arguments:
        method: a name of ``DISCRETIZATION_METHODS`` or ``("gbt", alpha)``, alpha a real
            number (or exact string) in [0, 1].
    Returns:
        alpha as a Fraction, or None (ZOH).
    Raises:
        InvalidArgumentError: unknown name (``"unknown method 'rk4'; expected one of
            'backward_euler', ... or ('gbt', alpha)"``), alpha not in [0, 1].
        InvalidTypeError: not a name or a ("gbt", alpha) tuple; alpha not a real number.
    """
    if isinstance(method, str):
        if method not in _METHOD_ALPHA:
            listed = ", ".join(repr(m) for m in sorted(_METHOD_ALPHA))
            raise InvalidArgumentError(
                f"unknown method {method!r}; expected one of {listed} or ('gbt', alpha)"
            )
        return _METHOD_ALPHA[method]
    if isinstance(method, tuple) and len(method) == 2 and isinstance(method[0], str):
        if method[0] == "gbt":
            return _gbt_alpha(method[1])
    raise InvalidTypeError(f"method must be a name or ('gbt', alpha), got {method!r}")


def method_name(method: Any) -> str:
    """The method's name in results.

    Arguments:
        method: accepted by ``method_alpha``.
    Returns:
        The name itself, or ``"gbt(alpha)"``.
    """
    return method if isinstance(method, str) else f"gbt({method[1]})"


