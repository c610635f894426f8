"""Numbers <-> JSON for golden files: exact parameters and certified decimal values.

Exact parameters: a rational is ``"p/q"`` (``"p"`` when an integer), a complex rational
``{"re": "p/q", "im": "p/q"}``, an irrational constant ``{"expr": "<sympy expression>"}``
parsed from a whitelist of names. Values: decimal strings, a complex number ``[re, im]``.
No number may be written with more than ``MAX_NUMBER_DIGITS`` digits.
"""

from __future__ import annotations

import re
import tokenize
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from ..._errors import HippoVerifyError, InvalidArgumentError, InvalidTypeError
from .. import mp_oracles as _core
from .._sympy_inputs import RationalTimesSqrt, SympyNumber, from_sympy

#: Most digits a number in a golden file may have (a value's mantissa, or a numerator or
#: denominator in params). The default max_prec certifies at most 2466 digits; Python
#: refuses to read integers of more than 4300 digits.
MAX_NUMBER_DIGITS = 4000


class GoldenDataError(HippoVerifyError):
    """Golden data is inconsistent: a file does not follow the schema, or an encoded
    parameter does not read back to the value the oracle used."""


# ---------------------------------------------------------------------------------------
# Exact numbers (params)
# ---------------------------------------------------------------------------------------

# Names an "expr" may use: sympy constants, functions and the constructors srepr writes.
_EXPR_NAMES = frozenset("sqrt pi I E exp log sin cos tan atan Integer Rational Mul Add Pow".split())
_EXPR_CHARS = re.compile(r"^[A-Za-z0-9_+\-*/() ,]+$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def parse_expr(text: Any) -> sp.Expr:
    """A sympy constant from an ``expr`` string, after checking it uses only known names.

    The name check keeps ``eval`` (inside ``sympy.parse_expr``) away from anything but sympy
    arithmetic; it does not bound the work (``10**10**10``), so read files you trust.
    """
    if not isinstance(text, str) or not _EXPR_CHARS.match(text):
        raise InvalidArgumentError(
            f"expr: {text!r} is not an exact sympy expression (digits, + - * / ( ), "
            "and names such as sqrt, pi, I; no decimal points)"
        )
    unknown = sorted(set(_IDENTIFIER.findall(text)) - _EXPR_NAMES)
    if unknown:
        raise InvalidArgumentError(
            f"expr: {text!r} uses unknown names {unknown}; allowed: {sorted(_EXPR_NAMES)}"
        )
    try:
        expr = sp.parse_expr(text)
    except (SyntaxError, TypeError, ValueError, tokenize.TokenError) as error:
        raise InvalidArgumentError(f"expr: cannot parse {text!r}: {error}") from None
    if not isinstance(expr, sp.Expr) or expr.free_symbols:
        raise InvalidArgumentError(f"expr: {text!r} is not a constant expression")
    return expr


def _expr_json(expr: sp.Expr) -> Any:
    """A sympy constant as JSON: a rational string if it is rational, else {"expr": ...}."""
    if isinstance(expr, sp.Rational):
        return str(Fraction(int(expr.p), int(expr.q)))
    for text in (str(expr), sp.srepr(expr)):
        try:
            if parse_expr(text) == expr:
                return {"expr": text}
        except InvalidArgumentError:
            continue
    raise GoldenDataError(f"cannot write {expr} as an expression that reads back exactly")


def encode_number(value: Any) -> Any:
    """One exact scalar as golden-file JSON.

    Args:
        value: What the oracles read exactly (ints, Fractions, ``"p/q"`` and complex
            strings, sympy numbers, floats as the binary values they hold) or a form the
            oracles keep in ``OracleResult.params`` (a pair of Fractions (re, im),
            ``RationalTimesSqrt``, ``SympyNumber``).

    Returns:
        ``"p/q"`` (``"p"`` for an integer) for a rational, ``{"re": "p/q", "im": "p/q"}``
        for a complex rational with a nonzero imaginary part, ``{"expr": "<sympy>"}`` for
        an irrational constant (written so that it parses back to the same expression).

    Raises:
        InvalidTypeError: ``value`` is not a number the oracles read exactly.
        InvalidArgumentError: ``value`` is NaN or infinite, or a malformed number string.
        GoldenDataError: a sympy constant has no expression that reads back exactly.
    """
    if isinstance(value, tuple) and len(value) == 2 and all(isinstance(v, Fraction) for v in value):
        re_, im = value
        return {"re": str(re_), "im": str(im)} if im else str(re_)
    if isinstance(value, RationalTimesSqrt):
        factor, radicand = sp.Rational(value.factor), sp.Rational(value.radicand)
        return _expr_json(factor * sp.sqrt(radicand))
    if isinstance(value, SympyNumber):
        return _expr_json(value.expr)
    scalar = _core.exact_scalar("value", from_sympy(value))
    if isinstance(scalar, (Fraction, tuple)):
        return encode_number(scalar) if isinstance(scalar, tuple) else str(scalar)
    if isinstance(scalar, (RationalTimesSqrt, SympyNumber)):
        return encode_number(scalar)
    raise InvalidTypeError(
        f"cannot write {type(value).__name__} {value!r} as exact JSON: use a rational, a "
        "complex rational or a sympy expression"
    )


def decode_number(name: str, value: Any) -> Any:
    """JSON -> an exact oracle input (Fraction, complex string, or a protocol object)."""
    if isinstance(value, str):
        return rational(name, value)
    if isinstance(value, dict) and set(value) == {"re", "im"}:
        re_, im = rational(f"{name}.re", value["re"]), rational(f"{name}.im", value["im"])
        sign = "-" if im < 0 else "+"
        return f"{re_}{sign}{abs(im)}j"
    if isinstance(value, dict) and set(value) == {"expr"}:
        return from_sympy(parse_expr(value["expr"]))
    raise InvalidArgumentError(
        f"{name}: expected a rational string 'p/q', {{'re', 'im'}} or {{'expr'}}, got {value!r}"
    )


def rational(name: str, text: Any) -> Fraction:
    """A ``"p/q"`` (or ``"p"``) string as a Fraction; decimals and long numbers refused."""
    if not isinstance(text, str) or not re.fullmatch(r"\s*[+-]?\d+(/\d+)?\s*", text):
        raise InvalidArgumentError(f"{name}: expected a rational string 'p/q', got {text!r}")
    require_short(name, text)
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise InvalidArgumentError(f"{name}: zero denominator in {text!r}") from None


def require_short(name: str, text: str) -> None:
    """Refuse ``text`` if a run of digits in it is longer than ``MAX_NUMBER_DIGITS``."""
    longest = max((len(run) for run in re.findall(r"\d+", text)), default=0)
    if longest > MAX_NUMBER_DIGITS:
        raise InvalidArgumentError(
            f"{name}: a number of {longest} digits; golden data allows at most "
            f"MAX_NUMBER_DIGITS = {MAX_NUMBER_DIGITS}"
        )


# ---------------------------------------------------------------------------------------
# Certified values
# ---------------------------------------------------------------------------------------

# A finite decimal (what export writes) or a rational p/q with q != 0.
_DECIMAL = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d{1,9})?|\d+/0*[1-9]\d*)")


def value_json(value: Any, n: int) -> Any:
    """Oracle values (mpmath numbers, nested in lists or tuples) as JSON lists of decimal
    strings with ``n`` significant digits; a complex number becomes ``[re, im]``."""
    if isinstance(value, (list, tuple)):
        return [value_json(v, n) for v in value]
    if isinstance(value, mpmath.mpc):
        return [mpmath.libmp.to_str(part, n) for part in value._mpc_]
    return mpmath.libmp.to_str(value._mpf_, n)


def check_decimal(where: str, text: str) -> None:
    """Refuse ``text`` unless it is a finite decimal or ``"p/q"`` string of at most
    ``MAX_NUMBER_DIGITS`` digits (``where`` names it in the message)."""
    if not _DECIMAL.fullmatch(text):
        raise InvalidArgumentError(
            f"{where} = {text!r:.80} is not a finite decimal or rational number"
        )
    require_short(where, text)


def significant_digits(text: str) -> int:
    """Significant digits of a decimal string's mantissa (at least 1)."""
    mantissa = text.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    return max(len(mantissa), 1)
