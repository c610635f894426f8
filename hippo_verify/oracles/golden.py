"""Golden data: certified oracle values as versioned, deterministic JSON files.

The shipped files (``hippo_verify/data/<family>.json``, one per oracle family) let another
project test its kernels against certified reference values without mpmath or sympy: read
the parameters, run its own code, compare with ``values``. Every case holds all the
parameters, so it can be recomputed from the JSON alone (``compute_case(case)``).

Schema version 1 (``SCHEMA_VERSION``; ``hippo_verify/data/SCHEMA.md`` documents every field)::

    {"schema": 1, "package": "hippo-verify", "package_version": "0.1.0",
     "family": "ssm_kernel",
     "generated_by": "hippo-verify export --family ssm_kernel --digits 30",
     "cases": [{"id", "family", "convention", "source", "params", "digits_requested",
                "digits_certified", "working_prec_bits", "method", "notes", "stable",
                "values"}, ...]}

Exact numbers in ``params``: a rational is a string ``"p/q"`` (``"p"`` when an integer),
a complex rational ``{"re": "p/q", "im": "p/q"}``, an irrational number
``{"expr": "<sympy expression>"}`` (e.g. ``"sqrt(3)"``, ``"-1/2 + I*pi"``), parsed by sympy
from a whitelist of names and evaluated at each working precision. Ints, bools and names
are plain JSON. ``values`` are decimal strings with ``digits_certified + 5`` significant
digits, a complex number is a pair ``[re, im]``; ``discretize`` stores ``[Ab rows, Bb]``.

Reading refuses what cannot be a certified value: a value that is not a finite decimal
string (``"nan"``, ``"inf"``, ``"0x1p3"``), a number with more than ``MAX_NUMBER_DIGITS``
digits (in a value, or a numerator or denominator in ``params``), a case id that is not a
non-empty string; a file that is not valid JSON (empty, truncated, nested beyond Python's
recursion limit) is a ``GoldenDataError``.

Files are written with sorted keys, indent 1 and a trailing newline, and hold no
timestamps, so regenerating them gives byte-identical files (``tests/test_golden.py``
uses that to detect drift of the oracles).
"""

from __future__ import annotations

import copy
import functools
import json
import math
import re
import tokenize
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from importlib import resources
from pathlib import Path
from typing import Any

import mpmath
import sympy as sp

from .. import __version__
from .._errors import HippoVerifyError, InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int, size_limit
from ..symbolic import hippo, s4d_init
from . import mp_oracles as _core
from ._sympy_inputs import RationalTimesSqrt, SympyNumber, from_sympy
from .mp_oracles import agreement_digits

__all__ = [
    "EXTRA_DIGITS",
    "FAMILIES",
    "MAX_NUMBER_DIGITS",
    "PACKAGE",
    "SCHEMA_VERSION",
    "SIGNALS",
    "GoldenDataError",
    "canonical_cases",
    "compare",
    "compute_case",
    "decode_params",
    "encode_number",
    "export",
    "load",
    "render",
    "validate_document",
]

#: Version of the JSON layout; bump it on any change a reader would notice.
SCHEMA_VERSION = 1
#: The ``package`` field of every file.
PACKAGE = "hippo-verify"
#: Oracle families with golden data, in file order (one ``<family>.json`` each).
FAMILIES = (
    "discretize",
    "ssm_kernel",
    "discrete_kernel",
    "continuous_kernel",
    "diag_kernel",
    "h3_diag_kernel",
    "shift_kernel",
    "causal_conv",
    "dplr_kernel",
    "rtf_kernel",
    "hippo_projection",
)
#: Extra significant digits written beyond the certified ones (they show the rounding).
EXTRA_DIGITS = 5
#: Most digits a number in a golden file may have (a value's mantissa, or a numerator or
#: denominator in params). The default max_prec certifies at most 2466 digits; Python
#: refuses to read integers of more than 4300 digits.
MAX_NUMBER_DIGITS = 4000

#: Keys of one case, in the schema; the first five describe the input (a "case spec").
SPEC_KEYS = ("id", "family", "convention", "source", "params")
RESULT_KEYS = (
    "digits_requested",
    "digits_certified",
    "working_prec_bits",
    "method",
    "notes",
    "stable",
    "values",
)
TOP_KEYS = ("schema", "package", "package_version", "family", "generated_by", "cases")


class GoldenDataError(HippoVerifyError):
    """Golden data is inconsistent: a file does not follow the schema, or an encoded
    parameter does not read back to the value the oracle used."""


# ---------------------------------------------------------------------------------------
# Test signals of hippo_projection (a callable cannot be stored in JSON; its name is)
# ---------------------------------------------------------------------------------------

#: name -> (f(s, ctx) in the working-precision context, formula). Signals start at s = 0.
SIGNALS: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "sin3": (lambda s, ctx: ctx.sin(3 * s), "sin(3 s)"),
    "poly": (lambda s, ctx: 1 + s - s * s / 2, "1 + s - s^2/2"),
    "exp": (lambda s, ctx: ctx.exp(-s), "exp(-s)"),
}


# ---------------------------------------------------------------------------------------
# Exact numbers <-> JSON
# ---------------------------------------------------------------------------------------

# Names an "expr" may use: sympy constants, functions and the constructors srepr writes.
_EXPR_NAMES = frozenset("sqrt pi I E exp log sin cos tan atan Integer Rational Mul Add Pow".split())
_EXPR_CHARS = re.compile(r"^[A-Za-z0-9_+\-*/() ,]+$")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z_0-9]*")


def _parse_expr(text: Any) -> sp.Expr:
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
            if _parse_expr(text) == expr:
                return {"expr": text}
        except InvalidArgumentError:
            continue
    raise GoldenDataError(f"cannot write {expr} as an expression that reads back exactly")


def encode_number(value: Any) -> Any:
    """One exact scalar as JSON (see the module docstring).

    Accepts what the oracles read exactly (ints, Fractions, "p/q" and complex strings,
    sympy numbers, floats as the binary values they hold) and the forms the oracles keep
    in ``OracleResult.params`` (pairs of Fractions, ``RationalTimesSqrt``, ``SympyNumber``).
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


def _decode_number(name: str, value: Any) -> Any:
    """JSON -> an exact oracle input (Fraction, complex string, or a protocol object)."""
    if isinstance(value, str):
        return _rational(name, value)
    if isinstance(value, dict) and set(value) == {"re", "im"}:
        re_, im = _rational(f"{name}.re", value["re"]), _rational(f"{name}.im", value["im"])
        sign = "-" if im < 0 else "+"
        return f"{re_}{sign}{abs(im)}j"
    if isinstance(value, dict) and set(value) == {"expr"}:
        return from_sympy(_parse_expr(value["expr"]))
    raise InvalidArgumentError(
        f"{name}: expected a rational string 'p/q', {{'re', 'im'}} or {{'expr'}}, got {value!r}"
    )


def _rational(name: str, text: Any) -> Fraction:
    if not isinstance(text, str) or not re.fullmatch(r"\s*[+-]?\d+(/\d+)?\s*", text):
        raise InvalidArgumentError(f"{name}: expected a rational string 'p/q', got {text!r}")
    _require_short(name, text)
    try:
        return Fraction(text)
    except ZeroDivisionError:
        raise InvalidArgumentError(f"{name}: zero denominator in {text!r}") from None


def _require_short(name: str, text: str) -> None:
    longest = max((len(run) for run in re.findall(r"\d+", text)), default=0)
    if longest > MAX_NUMBER_DIGITS:
        raise InvalidArgumentError(
            f"{name}: a number of {longest} digits; golden data allows at most "
            f"MAX_NUMBER_DIGITS = {MAX_NUMBER_DIGITS}"
        )


# ---------------------------------------------------------------------------------------
# Parameters of each family: kind of every parameter, how to call the oracle
# ---------------------------------------------------------------------------------------

# kind: "number", "vector", "matrix" (of exact numbers), "int", "bool", "method", "name".
# required: True, False (optional, oracle default) or ("fixed", value) (informative: must
# equal value if present; the oracle fixes it).
_PARAMS: dict[str, dict[str, tuple[str, Any]]] = {
    "discretize": {
        "A": ("matrix", True),
        "B": ("vector", True),
        "dt": ("number", True),
        "method": ("method", True),
    },
    "ssm_kernel": {
        "A": ("matrix", True),
        "B": ("vector", True),
        "C": ("vector", True),
        "L": ("int", True),
        "dt": ("number", True),
        "method": ("method", True),
    },
    "discrete_kernel": {
        "Ab": ("matrix", True),
        "Bb": ("vector", True),
        "C": ("vector", True),
        "L": ("int", True),
    },
    "continuous_kernel": {
        "A": ("matrix", True),
        "B": ("vector", True),
        "C": ("vector", True),
        "t": ("vector", True),
        "N": ("int", False),
    },
    "diag_kernel": {
        "lam": ("vector", True),
        "B": ("vector", True),
        "C": ("vector", True),
        "L": ("int", True),
        "dt": ("number", True),
        "method": ("method", True),
        "conj_pairs": ("bool", True),
    },
    "h3_diag_kernel": {
        "lam": ("vector", True),
        "B": ("vector", True),
        "C": ("vector", True),
        "L": ("int", True),
        "dt": ("number", True),
        "method": ("method", ("fixed", "zoh")),
        "conj_pairs": ("bool", ("fixed", True)),
    },
    "shift_kernel": {"C": ("vector", True), "L": ("int", True)},
    "causal_conv": {"u": ("vector", True), "K": ("vector", True)},
    "dplr_kernel": {
        "Lambda": ("vector", True),
        "P": ("matrix", True),
        "Q": ("matrix", True),
        "B": ("vector", True),
        "C": ("vector", True),
        "L": ("int", True),
        "dt": ("number", True),
        "method": ("method", ("fixed", "bilinear")),
    },
    "rtf_kernel": {
        "a": ("vector", True),
        "b": ("vector", True),
        "L": ("int", True),
        "aliased": ("bool", True),
    },
    "hippo_projection": {
        "measure": ("name", True),
        "signal": ("name", True),
        "t": ("number", True),
        "N": ("int", True),
        "convention": ("name", ("fixed", "canonical")),
    },
}


def _require_family(family: Any) -> str:
    return require_choice("family", family, FAMILIES)


def _method_from_json(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name}: expected a method name, got {value!r}")
    match = re.fullmatch(r"gbt\((.+)\)", value)
    if match:
        return ("gbt", _rational(f"{name} alpha", match.group(1)))
    _core._method_alpha(value)  # raises on unknown names
    return value


def _decode_value(name: str, kind: str, value: Any) -> Any:
    if kind == "number":
        return _decode_number(name, value)
    if kind == "vector":
        if not isinstance(value, list) or not value:
            raise InvalidArgumentError(f"{name}: expected a non-empty list, got {value!r}")
        return [_decode_number(f"{name}[{i}]", v) for i, v in enumerate(value)]
    if kind == "matrix":
        if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
            raise InvalidArgumentError(f"{name}: expected a non-empty list of rows, got {value!r}")
        return [
            [_decode_number(f"{name}[{i},{j}]", v) for j, v in enumerate(row)]
            for i, row in enumerate(value)
        ]
    if kind == "int":
        return require_int(name, value, minimum=1)
    if kind == "bool":
        if not isinstance(value, bool):
            raise InvalidTypeError(f"{name}: expected true or false, got {value!r}")
        return value
    if kind == "method":
        return _method_from_json(name, value)
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name}: expected a name, got {value!r}")
    return value


def decode_params(family: str, params: Any) -> dict[str, Any]:
    """The JSON ``params`` of a case as oracle inputs (exact); validates names and kinds."""
    family = _require_family(family)
    if not isinstance(params, dict):
        raise InvalidTypeError(f"params: expected an object, got {type(params).__name__}")
    table = _PARAMS[family]
    unknown = sorted(set(params) - set(table))
    if unknown:
        raise InvalidArgumentError(
            f"params: unknown {unknown} for family {family!r}; expected {sorted(table)}"
        )
    decoded = {}
    for name, (kind, required) in table.items():
        if name not in params:
            if required is True:
                raise InvalidArgumentError(f"params: {family!r} needs {name!r}")
            continue
        decoded[name] = _decode_value(name, kind, params[name])
        if isinstance(required, tuple) and params[name] != required[1]:
            raise InvalidArgumentError(
                f"params: {name!r} of {family!r} is always {required[1]!r}, got {params[name]!r}"
            )
    if family == "hippo_projection":
        require_choice("measure", decoded["measure"], _core.MEASURES)
        require_choice("signal", decoded["signal"], SIGNALS)
    if family == "continuous_kernel" and "N" in decoded and decoded["N"] != len(decoded["A"]):
        raise InvalidArgumentError(f"params: N = {decoded['N']} but A has {len(decoded['A'])} rows")
    return decoded


def _encode_params(family: str, params: dict[str, Any]) -> dict[str, Any]:
    """Oracle-side parameters (``OracleResult.params`` or exact inputs) as JSON."""
    table = _PARAMS[family]
    out: dict[str, Any] = {}
    for name, value in params.items():
        kind = table[name][0]
        if kind == "number":
            out[name] = encode_number(value)
        elif kind == "vector":
            out[name] = [encode_number(v) for v in value]
        elif kind == "matrix":
            out[name] = [[encode_number(v) for v in row] for row in value]
        elif kind == "method":
            out[name] = _core._method_name(value)
        else:
            out[name] = value
    return out


def _call_oracle(family: str, p: dict[str, Any], digits: int) -> _core.OracleResult:
    with _core.work_limit(size_limit("oracle_work")):  # the package's ceiling, not the core's
        return _call_core(family, p, digits)


def _call_core(family: str, p: dict[str, Any], digits: int) -> _core.OracleResult:
    if family == "discretize":
        return _core.discretize(p["A"], p["B"], p["dt"], p["method"], digits=digits)
    if family == "ssm_kernel":
        return _core.ssm_kernel(
            p["A"], p["B"], p["C"], p["L"], dt=p["dt"], method=p["method"], digits=digits
        )
    if family == "discrete_kernel":
        return _core.discrete_kernel(p["Ab"], p["Bb"], p["C"], p["L"], digits=digits)
    if family == "continuous_kernel":
        return _core.continuous_kernel(p["A"], p["B"], p["C"], p["t"], digits=digits)
    if family == "diag_kernel":
        return _core.diag_kernel(
            p["lam"],
            p["B"],
            p["C"],
            p["L"],
            dt=p["dt"],
            method=p["method"],
            conj_pairs=p["conj_pairs"],
            digits=digits,
        )
    if family == "h3_diag_kernel":
        return _core.h3_diag_kernel(p["lam"], p["B"], p["C"], p["L"], dt=p["dt"], digits=digits)
    if family == "shift_kernel":
        return _core.shift_kernel(p["C"], p["L"], digits=digits)
    if family == "causal_conv":
        return _core.causal_conv(p["u"], p["K"], digits=digits)
    if family == "dplr_kernel":
        return _core.dplr_kernel(
            p["Lambda"], p["P"], p["Q"], p["B"], p["C"], p["L"], dt=p["dt"], digits=digits
        )
    if family == "rtf_kernel":
        return _core.rtf_kernel(p["a"], p["b"], p["L"], aliased=p["aliased"], digits=digits)
    signal = SIGNALS[p["signal"]][0]
    return _core.hippo_projection(p["measure"], signal, p["t"], p["N"], digits=digits)


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------


def _value_json(value: Any, n: int) -> Any:
    if isinstance(value, (list, tuple)):
        return [_value_json(v, n) for v in value]
    if isinstance(value, mpmath.mpc):
        return [mpmath.libmp.to_str(part, n) for part in value._mpc_]
    return mpmath.libmp.to_str(value._mpf_, n)


# A finite decimal (what export writes) or a rational p/q with q != 0.
_DECIMAL = re.compile(r"[+-]?((\d+\.?\d*|\.\d+)([eE][+-]?\d{1,9})?|\d+/0*[1-9]\d*)")


def _parts(family: str, values: Any, label: str) -> list[list[list[str]]]:
    """The values as parts (one for kernels, Ab and Bb for discretize), each a flat list of
    [re] or [re, im] finite decimal (or "p/q") strings of at most ``MAX_NUMBER_DIGITS``
    digits."""

    def entry(v: Any, where: str) -> list[str]:
        if isinstance(v, str):
            v = [v]
        elif not (isinstance(v, list) and len(v) == 2 and all(isinstance(x, str) for x in v)):
            raise InvalidArgumentError(
                f"{label}: {where} is not a decimal string or [re, im]: {v!r:.80}"
            )
        for text in v:
            if not _DECIMAL.fullmatch(text):
                raise InvalidArgumentError(
                    f"{label}: {where} = {text!r:.80} is not a finite decimal or rational number"
                )
            _require_short(f"{label}: {where}", text)
        return list(v)

    def flat(seq: Any, where: str) -> list[list[str]]:
        if not isinstance(seq, list) or not seq:
            raise InvalidArgumentError(f"{label}: {where} is not a non-empty list")
        return [entry(v, f"{where}[{i}]") for i, v in enumerate(seq)]

    if family != "discretize":
        return [flat(values, "values")]
    if not isinstance(values, list) or len(values) != 2 or not isinstance(values[0], list):
        raise InvalidArgumentError(f"{label}: discretize values must be [Ab rows, Bb]")
    rows = [v for i, row in enumerate(values[0]) for v in flat(row, f"Ab[{i}]")]
    return [rows, flat(values[1], "Bb")]


def _significant_digits(text: str) -> int:
    mantissa = text.lower().split("e")[0].lstrip("+-").replace(".", "").lstrip("0")
    return max(len(mantissa), 1)


def compare(case: dict[str, Any], recomputed: dict[str, Any]) -> int:
    """Digits on which two cases' values agree, relative to the max-norm of each part.

    ``floor(-log10(max |a - b| / max |b|))`` per part (``discretize`` has two, Ab and Bb;
    the smaller is returned), where ``b`` are ``recomputed``'s values. Capped at the digits
    written, ``digits_certified + 5`` (the smaller of the two cases'; without
    ``digits_certified`` the longest mantissa), which identical values give. Both are case
    dicts (``load(...)["cases"][i]`` or ``compute_case(...)``) of the same family and shape.
    """
    for label, item in (("case", case), ("recomputed", recomputed)):
        if not isinstance(item, dict) or "values" not in item or "family" not in item:
            raise InvalidArgumentError(f"{label}: expected a case dict with family and values")
    family = _require_family(case["family"])
    if recomputed["family"] != family:
        raise InvalidArgumentError(
            f"cannot compare a {family!r} case with a {recomputed['family']!r} case"
        )
    parts_a = _parts(family, case["values"], "case")
    parts_b = _parts(family, recomputed["values"], "recomputed")
    shape = [[len(v) for v in part] for part in parts_a]
    if shape != [[len(v) for v in part] for part in parts_b]:
        raise InvalidArgumentError("case and recomputed values have different shapes")
    strings = [s for part in parts_a + parts_b for v in part for s in v]
    written = max(_significant_digits(s) for s in strings)
    certified = [
        require_int(f"{label} digits_certified", c["digits_certified"], minimum=0)
        for label, c in (("case", case), ("recomputed", recomputed))
        if "digits_certified" in c
    ]
    cap = min(certified) + EXTRA_DIGITS if certified else written
    prec = int(written * math.log2(10)) + 64
    ctx = mpmath.MPContext()
    ctx.prec = prec

    def numbers(part: list) -> list:
        return [ctx.mpc(*[ctx.mpf(s) for s in v]) for v in part]

    return agreement_digits(
        [numbers(p) for p in parts_a], [numbers(p) for p in parts_b], cap=cap, prec=prec
    )


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------


def _check_spec(spec: Any) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise InvalidTypeError(f"case: expected a dict, got {type(spec).__name__}")
    unknown = sorted(set(spec) - set(SPEC_KEYS) - set(RESULT_KEYS))
    if unknown:
        raise InvalidArgumentError(f"case: unknown keys {unknown}")
    for key in ("id", "family", "convention", "params"):
        if key not in spec:
            raise InvalidArgumentError(f"case {spec.get('id', '?')!r}: missing {key!r}")
    for key in ("id", "convention", "source"):
        if key in spec and (not isinstance(spec[key], str) or not spec[key]):
            raise InvalidArgumentError(f"case: {key!r} must be a non-empty string")
    _require_family(spec["family"])
    return spec


def compute_case(spec: dict[str, Any], *, digits: int | None = None) -> dict[str, Any]:
    """Run the oracle of one case spec and return the full case dict (schema 1).

    ``spec`` holds ``id``, ``family``, ``convention``, ``params`` (JSON, see the module
    docstring) and optionally ``source``; a loaded case works too (its results are ignored
    and recomputed). ``digits`` defaults to the case's ``digits_requested``, else 30.

    Raises:
        InvalidArgumentError / InvalidTypeError: unknown family, parameter or signal, bad
            JSON numbers, or what the oracle refuses.
        CertificationError: the oracle cannot certify the digits.
        GoldenDataError: the parameters do not read back to what the oracle used.
    """
    spec = _check_spec(spec)
    family = spec["family"]
    if digits is None:
        digits = spec.get("digits_requested", 30)
    digits = require_int("digits", digits, minimum=1)
    inputs = decode_params(family, spec["params"])
    result = _call_oracle(family, inputs, digits)
    used = {k: v for k, v in result.params.items() if k in _PARAMS[family]}
    params = _encode_params(family, used)
    for name, value in spec["params"].items():  # parameters the oracle does not report
        params.setdefault(name, value)
    if _encode_params(family, decode_params(family, params)) != params:
        raise GoldenDataError(f"case {spec['id']!r}: params do not read back exactly")
    case = {
        "id": spec["id"],
        "family": family,
        "convention": spec["convention"],
        "source": spec.get("source", ""),
        "params": params,
        "digits_requested": digits,
        "digits_certified": result.digits,
        "working_prec_bits": result.prec,
        "method": result.method,
        "notes": list(result.notes),
        "stable": result.stable,
        "values": _value_json(result.values, result.digits + EXTRA_DIGITS),
    }
    return case


def _spec(family: str, id_: str, convention: str, source: str, /, **params: Any) -> dict[str, Any]:
    """A case spec from oracle-style inputs (sympy matrices, Fractions, ...)."""
    table = _PARAMS[family]
    encoded = {}
    for name, value in params.items():
        kind = table[name][0]
        if kind == "matrix":
            rows = value.tolist() if isinstance(value, sp.MatrixBase) else value
            encoded[name] = [[encode_number(v) for v in row] for row in rows]
        elif kind == "vector":
            items = list(value) if isinstance(value, sp.MatrixBase) else value
            encoded[name] = [encode_number(v) for v in items]
        elif kind == "number":
            encoded[name] = encode_number(value)
        else:
            encoded[name] = value
    return {
        "id": id_,
        "family": family,
        "convention": convention,
        "source": source,
        "params": encoded,
    }


def _alternating(N: int) -> list[sp.Rational]:
    return [sp.Rational((-1) ** n, n + 1) for n in range(N)]


_C_ALT = "C_n = (-1)^n/(n+1)"


def canonical_cases() -> list[dict[str, Any]]:
    """The case specs of the shipped golden files (every family, a few sizes each).

    HiPPO matrices come from ``hippo_verify.symbolic.hippo`` (exact; irrational entries are
    stored as ``{"expr": ...}``), S4D modes from ``s4d_init``; the rest are small exact
    rational systems. ``source`` in each spec says how the parameters were built. Each
    call returns fresh dicts (built once, then copied).
    """
    return copy.deepcopy(_canonical_specs())


@functools.lru_cache(maxsize=1)
def _canonical_specs() -> list[dict[str, Any]]:
    R, IM = sp.Rational, sp.I
    cases: list[dict[str, Any]] = []

    # discretize: LegS N = 4, every method
    A, B = hippo("legs", 4)
    for name in ("forward_euler", "backward_euler", "bilinear", "zoh", "gbt(1/3)"):
        cases.append(
            _spec(
                "discretize",
                f"legs-N4-{name}-dt1/10",
                "canonical",
                "A, B = hippo('legs', 4)",
                A=A,
                B=B,
                dt=R(1, 10),
                method=name,
            )
        )

    # ssm_kernel: LegS / LegT N = 4, 16, bilinear and ZOH; s4 LegT; FouT (pi entries)
    ssm = [
        (m, N, meth, "canonical")
        for m in ("legs", "legt")
        for N in (4, 16)
        for meth in ("bilinear", "zoh")
    ]
    ssm += [
        ("legt", 4, "bilinear", "s4"),
        ("lagt", 4, "bilinear", "s4"),
        ("fout", 4, "zoh", "canonical"),
    ]
    for measure, N, method, convention in ssm:
        A, B = hippo(measure, N, convention=convention)
        source = f"A, B = hippo({measure!r}, {N}, convention={convention!r}); {_C_ALT}"
        cases.append(
            _spec(
                "ssm_kernel",
                f"{measure}-{convention}-N{N}-{method}-L64-dt1/64",
                convention,
                source,
                A=A,
                B=B,
                C=_alternating(N),
                L=64,
                dt=R(1, 64),
                method=method,
            )
        )

    # discrete_kernel: triangular (eigen route), dense real and dense complex (Krylov)
    lower = [
        [R(1, 2), 0, 0, 0],
        [R(1, 4), R(-1, 3), 0, 0],
        [R(1, 8), R(1, 5), R(1, 4), 0],
        [R(-1, 16), R(1, 7), R(1, 9), R(-1, 5)],
    ]
    dense = [[R(1, 2), R(1, 4), 0], [R(-1, 4), R(1, 2), R(1, 8)], [0, R(-1, 8), R(3, 4)]]
    rotation = [[R(1, 2) + IM / 2, R(1, 4)], [0, R(-1, 3) + IM / 4]]
    for id_, Ab in (("lower-N4-L32", lower), ("dense-N3-L32", dense), ("complex-N2-L32", rotation)):
        n = len(Ab)
        cases.append(
            _spec(
                "discrete_kernel",
                id_,
                "canonical",
                "small exact matrix; Bb_n = 1/(n+1); C_n = (-1)^n",
                Ab=Ab,
                Bb=[R(1, k + 1) for k in range(n)],
                C=[(-1) ** k for k in range(n)],
                L=32,
            )
        )

    # continuous_kernel: K(t) = C e^{tA} B at three times
    for measure, times in (("legs", (R(1, 2), 1, 2)), ("legt", (R(1, 4), R(1, 2), 1))):
        A, B = hippo(measure, 4)
        cases.append(
            _spec(
                "continuous_kernel",
                f"{measure}-N4-3times",
                "canonical",
                f"A, B = hippo({measure!r}, 4); {_C_ALT}",
                A=A,
                B=B,
                C=_alternating(4),
                t=list(times),
            )
        )

    # diag_kernel: S4D-Lin / S4D-Inv 8 modes ZOH L = 128; s4-convention bilinear; full sum
    c8 = [R(1, n + 1) + IM * R((-1) ** n, 2 * n + 4) for n in range(8)]
    c_source = "B_n = 1; C_n = 1/(n+1) + i (-1)^n/(2n+4)"
    for kind, convention, method in (
        ("lin", "paper", "zoh"),
        ("inv", "paper", "zoh"),
        ("lin", "s4", "bilinear"),
    ):
        lam = s4d_init(kind, 16, convention=convention)
        cases.append(
            _spec(
                "diag_kernel",
                f"s4d-{kind}-{convention}-M8-{method}-L128-dt1/100",
                "s4d" if convention == "paper" else "s4",
                f"lam = s4d_init({kind!r}, 16, convention={convention!r}); {c_source}",
                lam=lam,
                B=[1] * 8,
                C=c8,
                L=128,
                dt=R(1, 100),
                method=method,
                conj_pairs=True,
            )
        )
    cases.append(
        _spec(
            "diag_kernel",
            "s4d-real-M8-zoh-L64-dt1/10-full-sum",
            "canonical",
            f"lam = s4d_init('real', 16); {c_source}; conj_pairs = False (complex sum)",
            lam=s4d_init("real", 16),
            B=[1] * 8,
            C=c8,
            L=64,
            dt=R(1, 10),
            method="zoh",
            conj_pairs=False,
        )
    )

    # h3_diag_kernel
    cases.append(
        _spec(
            "h3_diag_kernel",
            "s4d-lin-M4-L64-dt1/64",
            "h3",
            f"lam = s4d_init('lin', 8); {c_source}",
            lam=s4d_init("lin", 8),
            B=[1] * 4,
            C=c8[:4],
            L=64,
            dt=R(1, 64),
        )
    )

    # shift_kernel: padded and truncated
    c_shift = [1, R(-1, 2), R(1, 3), R(-1, 4), R(1, 5), R(-1, 6), R(1, 7), R(-1, 8)]
    for id_, C, L in (("d4-L8", c_shift[:4], 8), ("d8-L4", c_shift, 4)):
        cases.append(_spec("shift_kernel", id_, "canonical", _C_ALT, C=C, L=L))

    # causal_conv: real (K longer than u) and complex
    u = [R((-1) ** k, k + 1) for k in range(16)]
    cases.append(
        _spec(
            "causal_conv",
            "real-u16-K20",
            "canonical",
            "u_k = (-1)^k/(k+1); K_k = 2^-k",
            u=u,
            K=[R(1, 2**k) for k in range(20)],
        )
    )
    cases.append(
        _spec(
            "causal_conv",
            "complex-u8-K8",
            "canonical",
            "u_k = (-1)^k/(k+1); K_k = (1/2 + i/3)^k",
            u=u[:8],
            K=[sp.expand((R(1, 2) + IM / 3) ** k) for k in range(8)],
        )
    )

    # dplr_kernel: S4's A = diag(Lambda) - P Q^H, rank 1 and rank 2
    lam4 = [R(-1, 2) + IM, R(-1, 2) - IM, R(-1, 2) + 3 * IM, R(-1, 2) - 3 * IM]
    p1 = [[R(1, 2)], [R(1, 3)], [R(1, 4)], [R(1, 5)]]
    p2 = [[R(1, 2), R(1, 3)], [R(1, 3), R(-1, 4)], [R(1, 4), R(1, 5)], [R(1, 5), R(-1, 6)]]
    q2 = [[R(1, 3), IM / 4], [R(1, 4), R(1, 5)], [IM / 5, R(1, 6)], [R(1, 6), R(1, 7)]]
    dplr_c = [1, R(1, 2) + IM / 3, R(1, 3), R(1, 4) - IM / 5]
    for id_, P, Q, L in (("N4-rank1-L32-dt1/10", p1, p1, 32), ("N4-rank2-L16-dt1/10", p2, q2, 16)):
        cases.append(
            _spec(
                "dplr_kernel",
                id_,
                "s4",
                "Lambda = -1/2 +- i, -1/2 +- 3i; small exact P, Q, C; B = 1",
                Lambda=lam4,
                P=P,
                Q=Q,
                B=[1] * 4,
                C=dplr_c,
                L=L,
                dt=R(1, 10),
            )
        )

    # rtf_kernel: stable d = 4 (L = 64) and unstable d = 2 (L = 32), aliased and not
    stable_a, stable_b = [R(-1, 2), R(1, 4), R(-1, 8), R(1, 16)], [1, R(1, 2), R(1, 3), R(1, 4)]
    for id_, a, b, L in (
        ("stable-d4-L64", stable_a, stable_b, 64),
        ("unstable-d2-L32", [R(-2), R(3, 4)], [1, R(-1, 3)], 32),
    ):
        for aliased in (True, False):
            cases.append(
                _spec(
                    "rtf_kernel",
                    f"{id_}-{'aliased' if aliased else 'impulse'}",
                    "seed-002 RTF",
                    "a(z) = 1 + a_1 z + ..., b(z) = b_1 + b_2 z + ...",
                    a=a,
                    b=b,
                    L=L,
                    aliased=aliased,
                )
            )

    # hippo_projection: one signal per measure, N = 8 at t = 3/2
    for measure, signal in (("legs", "sin3"), ("legt", "poly"), ("lagt", "exp"), ("fout", "sin3")):
        cases.append(
            _spec(
                "hippo_projection",
                f"{measure}-{signal}-N8-t3/2",
                "canonical",
                f"f(s) = {SIGNALS[signal][1]} for s >= 0, 0 before",
                measure=measure,
                signal=signal,
                t=R(3, 2),
                N=8,
                convention="canonical",
            )
        )
    return cases


# ---------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------


def _generated_by(family: str, cases: Sequence[dict[str, Any]], digits: int) -> str:
    """The command that regenerates the file (the canonical cases of a family), or a note."""
    canonical = [c for c in canonical_cases() if c["family"] == family]
    if len(cases) == len(canonical) and all(
        _same_spec(case, canon) for case, canon in zip(cases, canonical)
    ):
        return f"hippo-verify export --family {family} --digits {digits}"
    return f"hippo_verify.oracles.golden.export (custom cases, digits={digits})"


def _same_spec(case: dict[str, Any], canon: dict[str, Any]) -> bool:
    """``case`` is ``canon``, possibly as computed (whose params may hold extra keys)."""
    same_keys = all(case.get(k) == canon[k] for k in SPEC_KEYS if k != "params")
    params = case["params"]
    return same_keys and {k: params.get(k) for k in canon["params"]} == canon["params"]


def render(family: str, cases: Sequence[dict[str, Any]], *, generated_by: str) -> str:
    """The file text of computed cases of one family (sorted keys, indent 1, newline)."""
    family = _require_family(family)
    document = {
        "schema": SCHEMA_VERSION,
        "package": PACKAGE,
        "package_version": __version__,
        "family": family,
        "generated_by": generated_by,
        "cases": list(cases),
    }
    return json.dumps(document, sort_keys=True, indent=1, ensure_ascii=True) + "\n"


def export(
    path: str | Path,
    cases: Iterable[dict[str, Any]] | None = None,
    digits: int = 30,
    *,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """Compute ``cases`` (default ``canonical_cases()``) and write ``<family>.json`` files.

    ``path`` is a directory (created if missing) that receives one file per family, or a
    ``.json`` file path when every case belongs to one family. Returns the paths written.
    ``progress`` (e.g. ``print``) receives one line per case.

    Raises:
        InvalidArgumentError / InvalidTypeError: bad digits, path, or case specs (unknown
            family, duplicate id, ...).
        CertificationError: an oracle could not certify ``digits``.
    """
    digits = require_int("digits", digits, minimum=1)
    if not isinstance(path, (str, Path)):
        raise InvalidTypeError(f"path: expected a str or Path, got {type(path).__name__}")
    specs = canonical_cases() if cases is None else [_check_spec(c) for c in cases]
    if not specs:
        raise InvalidArgumentError("cases: nothing to export")
    by_family: dict[str, list[dict[str, Any]]] = {}
    for spec in specs:
        group = by_family.setdefault(spec["family"], [])
        if any(c["id"] == spec["id"] for c in group):
            raise InvalidArgumentError(f"case id {spec['id']!r} appears twice in {spec['family']}")
        group.append(spec)
    target = Path(path)
    if target.suffix == ".json":
        if len(by_family) != 1:
            raise InvalidArgumentError(
                f"path: {target} is one file but the cases span {sorted(by_family)}; "
                "give a directory"
            )
        files = {next(iter(by_family)): target}
    else:
        files = {family: target / f"{family}.json" for family in by_family}
    texts = {}
    for family in sorted(by_family, key=FAMILIES.index):
        computed = []
        for spec in by_family[family]:
            if progress is not None:
                progress(f"{family}: {spec['id']}")
            computed.append(compute_case(spec, digits=digits))
        texts[family] = render(
            family, computed, generated_by=_generated_by(family, by_family[family], digits)
        )
    written = []
    for family, text in texts.items():
        files[family].parent.mkdir(parents=True, exist_ok=True)
        files[family].write_text(text, encoding="utf-8", newline="\n")
        written.append(files[family])
    return written


def validate_document(document: Any, family: str | None = None) -> dict[str, Any]:
    """Check the top level and every case of a parsed golden file; returns it."""
    if not isinstance(document, dict):
        raise GoldenDataError("a golden file must hold a JSON object")
    if document.get("schema") != SCHEMA_VERSION:
        raise GoldenDataError(
            f"schema {document.get('schema')!r} is not supported (this is schema {SCHEMA_VERSION})"
        )
    if sorted(document) != sorted(TOP_KEYS):
        raise GoldenDataError(f"top-level keys {sorted(document)}; expected {sorted(TOP_KEYS)}")
    if document["package"] != PACKAGE:
        raise GoldenDataError(f"package {document['package']!r} is not {PACKAGE!r}")
    if family is not None and document["family"] != family:
        raise GoldenDataError(f"file of family {document['family']!r}, expected {family!r}")
    if not isinstance(document["cases"], list) or not document["cases"]:
        raise GoldenDataError("cases must be a non-empty list")
    for index, case in enumerate(document["cases"]):
        if not isinstance(case, dict):
            raise GoldenDataError(f"case {index} is a {type(case).__name__}, not an object")
        missing = sorted(set(SPEC_KEYS + RESULT_KEYS) - set(case))
        if missing:
            raise GoldenDataError(f"case {case.get('id', index)!r:.80} lacks {missing}")
        _check_case_fields(index, case)
        if case["family"] != document["family"]:
            raise GoldenDataError(f"case {case['id']!r} is not of family {document['family']!r}")
        try:
            _parts(case["family"], case["values"], f"case {case['id']!r}")
            _check_param_sizes(case["id"], case["params"])
        except (InvalidArgumentError, InvalidTypeError) as error:
            raise GoldenDataError(str(error)) from None
    return document


# JSON types of the fields of a case (values and params are checked on their own).
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    "id": (str,),
    "family": (str,),
    "convention": (str,),
    "source": (str,),
    "params": (dict,),
    "digits_requested": (int,),
    "digits_certified": (int,),
    "working_prec_bits": (int,),
    "method": (str,),
    "notes": (list,),
    "stable": (bool, type(None)),
}


def _check_case_fields(index: int, case: dict[str, Any]) -> None:
    for key, types in _FIELD_TYPES.items():
        value = case[key]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise GoldenDataError(
                f"case {index}: {key!r} must be {' or '.join(t.__name__ for t in types)}, "
                f"got {type(value).__name__} {value!r:.80}"
            )
    if not case["id"]:
        raise GoldenDataError(f"case {index}: 'id' must be a non-empty string")
    if not all(isinstance(note, str) for note in case["notes"]):
        raise GoldenDataError(f"case {case['id']!r}: notes must be strings")


def _check_param_sizes(case_id: str, params: dict[str, Any]) -> None:
    """Every string in ``params`` within ``MAX_NUMBER_DIGITS`` (iterative: no recursion)."""
    pending: list[Any] = [params]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, str):
            _require_short(f"case {case_id!r}: params", item)


def load(family: str) -> dict[str, Any]:
    """The shipped golden file of ``family`` (``hippo_verify/data/<family>.json``), parsed
    and checked against the schema. Read with ``importlib.resources`` (works from a wheel)."""
    family = _require_family(family)
    resource = resources.files("hippo_verify.data").joinpath(f"{family}.json")
    if not resource.is_file():
        raise GoldenDataError(f"no shipped golden file for {family!r}")
    try:
        document = json.loads(resource.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
        raise GoldenDataError(f"golden file {family}.json is not valid JSON: {error}") from None
    return validate_document(document, family)
