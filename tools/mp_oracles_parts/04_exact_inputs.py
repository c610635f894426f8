# 4. Exact inputs: a scalar is a Fraction, (re, im) Fractions or an _mpmath_ object -----


def _fraction_from_string(name: str, text: str) -> Fraction:
    try:
        value = Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        raise InvalidArgumentError(
            f"{name}: {text!r} is not a finite decimal or fraction string"
        ) from None
    return value


def _parse_string(name: str, text: str) -> Any:
    """'3/4', '0.1', '1e-3' exactly; complex as 'x+yj', 'x-yj', 'yj' or 'j' (each part exact)."""
    body = text.strip()
    if not body.endswith(("j", "J")):
        return _fraction_from_string(name, body)
    body = body[:-1].strip()
    split = max(
        (i for i, ch in enumerate(body) if ch in "+-" and i > 0 and body[i - 1] not in "eE"),
        default=0,
    )
    real_text, imag_text = body[:split], body[split:].replace(" ", "")
    if imag_text in ("", "+", "-"):
        imag_text += "1"
    real = _fraction_from_string(name, real_text) if real_text.strip() else Fraction(0)
    imag = _fraction_from_string(name, imag_text)
    return (real, imag) if imag else real


def _from_mpf_tuple(name: str, value: tuple) -> Fraction:
    sign, man, exp, _ = value
    if not man and exp:  # nan / inf are encoded with man = 0 and a special exponent
        raise InvalidArgumentError(f"{name}: NaN and infinities are not accepted")
    number = Fraction(man) * (Fraction(2) ** exp)
    return -number if sign else number


def _finite_float(name: str, value: float) -> Fraction:
    if not math.isfinite(value):
        raise InvalidArgumentError(f"{name}: NaN and infinities are not accepted (got {value})")
    return Fraction(value)


def exact_scalar(name: str, value: Any) -> Any:
    """Read one scalar exactly (accepted inputs: "Inputs" in the module docstring).

    Arguments:
        name: the argument's name, for messages; value: the scalar.
    Returns:
        A Fraction (real), a pair (re, im) of Fractions (complex with nonzero imaginary
        part), or ``value`` itself if it implements ``_mpmath_``.
    Raises:
        InvalidTypeError: bool, None, an unreadable type.
        InvalidArgumentError: NaN, infinity, a string that is not a number.
    """
    if isinstance(value, bool) or value is None:
        raise InvalidTypeError(f"{name}: expected a number, got {value!r}")
    if isinstance(value, (int, Fraction)):
        return Fraction(value)
    if isinstance(value, float):
        return _finite_float(name, value)
    if isinstance(value, complex):
        real, imag = _finite_float(name, value.real), _finite_float(name, value.imag)
        return (real, imag) if imag else real
    if isinstance(value, str):
        return _parse_string(name, value)
    if isinstance(value, mpmath.mpf):
        return _from_mpf_tuple(name, value._mpf_)
    if isinstance(value, mpmath.mpc):
        real, imag = (_from_mpf_tuple(name, part) for part in value._mpc_)
        return (real, imag) if imag else real
    if hasattr(value, "_mpmath_"):
        return value
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        return exact_scalar(name, value.item())  # numpy scalar
    raise InvalidTypeError(f"{name}: cannot read {type(value).__name__} {value!r} as a number")


def _nested(name: str, value: Any) -> Any:
    if isinstance(value, mpmath.matrix):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InvalidTypeError(f"{name}: expected a matrix or a sequence, got {type(value).__name__}")


def exact_vector(name: str, value: Any, length: int | None = None) -> list:
    """Read a vector exactly: a flat sequence, a 1 x n row or an n x 1 column.

    Arguments:
        name: for messages; value: the vector; length: the required length (None: any).
    Returns:
        A list of exact scalars (``exact_scalar``).
    Raises:
        InvalidTypeError / InvalidArgumentError: not a sequence, a matrix, empty, wrong
            length, or an entry ``exact_scalar`` refuses.
    """
    rows = _nested(name, value)
    if rows and all(isinstance(r, (list, tuple)) for r in rows):
        if len(rows) == 1:
            rows = list(rows[0])
        elif all(len(r) == 1 for r in rows):
            rows = [r[0] for r in rows]
        else:
            raise InvalidArgumentError(f"{name}: expected a vector, got a {len(rows)}-row matrix")
    if not rows:
        raise InvalidArgumentError(f"{name}: must not be empty")
    if length is not None and len(rows) != length:
        raise InvalidArgumentError(f"{name}: expected length {length}, got {len(rows)}")
    return [exact_scalar(f"{name}[{i}]", v) for i, v in enumerate(rows)]


def exact_matrix(name: str, value: Any, *, square: bool = True) -> list[list]:
    """Read a matrix exactly.

    Arguments:
        name: for messages; value: a list of rows, numpy array or ``mpmath.matrix``;
        square: require a square matrix.
    Returns:
        A list of rows of exact scalars (``exact_scalar``).
    Raises:
        InvalidTypeError / InvalidArgumentError: not 2-d, empty or ragged rows, not square
            (if required), or an entry ``exact_scalar`` refuses.
    """
    rows = _nested(name, value)
    if not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        raise InvalidArgumentError(f"{name}: expected a non-empty 2-d matrix")
    width = len(rows[0])
    if width == 0 or any(len(r) != width for r in rows):
        raise InvalidArgumentError(f"{name}: rows must be non-empty and of equal length")
    if square and width != len(rows):
        raise InvalidArgumentError(f"{name}: must be square, got {len(rows)} x {width}")
    return [
        [exact_scalar(f"{name}[{i},{j}]", v) for j, v in enumerate(r)] for i, r in enumerate(rows)
    ]


def _is_zero(v: Any) -> bool:
    return isinstance(v, Fraction) and v == 0


def _is_real(v: Any) -> bool:
    """True if v is known to be real (Fractions; protocol objects are asked at 53 bits)."""
    if isinstance(v, Fraction):
        return True
    if isinstance(v, tuple):
        return False
    return not isinstance(mpmath.mp.convert(v._mpmath_(53, "n")), mpmath.mpc)


