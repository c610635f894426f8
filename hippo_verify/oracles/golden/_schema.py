"""Parameters of each oracle family: the kind of every parameter and the oracle to call.

``SCHEMAS`` holds one ``FamilySchema`` per family (in file order) and ``KINDS`` one
``Kind`` per parameter kind; ``decode_params``, ``encode_params`` and ``call_oracle`` are
driven by these two tables alone.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ..._errors import InvalidArgumentError, InvalidTypeError
from ..._validation import require_choice, require_int
from .. import mp_oracles as _core
from .. import package_work_limit
from ._codec import decode_number, encode_number, rational

#: Test signals of hippo_projection (a callable cannot be stored in JSON; its name is):
#: name -> (f(s, ctx) in the working-precision context, formula). Signals start at s = 0.
SIGNALS: dict[str, tuple[Callable[[Any, Any], Any], str]] = {
    "sin3": (lambda s, ctx: ctx.sin(3 * s), "sin(3 s)"),
    "poly": (lambda s, ctx: 1 + s - s * s / 2, "1 + s - s^2/2"),
    "exp": (lambda s, ctx: ctx.exp(-s), "exp(-s)"),
}


# ---------------------------------------------------------------------------------------
# Kinds of parameters
# ---------------------------------------------------------------------------------------


def _same(value: Any) -> Any:
    return value


def _decode_vector(name: str, value: Any) -> list:
    if not isinstance(value, list) or not value:
        raise InvalidArgumentError(f"{name}: expected a non-empty list, got {value!r}")
    return [decode_number(f"{name}[{i}]", v) for i, v in enumerate(value)]


def _decode_matrix(name: str, value: Any) -> list[list]:
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise InvalidArgumentError(f"{name}: expected a non-empty list of rows, got {value!r}")
    return [
        [decode_number(f"{name}[{i},{j}]", v) for j, v in enumerate(row)]
        for i, row in enumerate(value)
    ]


def _decode_tensor(name: str, value: Any) -> list:
    """Nested non-empty lists of exact numbers (any depth >= 1; shapes are the oracle's to
    check)."""
    if not isinstance(value, list) or not value:
        raise InvalidArgumentError(f"{name}: expected a non-empty (nested) list, got {value!r:.80}")
    return [
        _decode_tensor(f"{name}[{i}]", v)
        if isinstance(v, list)
        else decode_number(f"{name}[{i}]", v)
        for i, v in enumerate(value)
    ]


def _decode_size(name: str, value: Any) -> int:
    return require_int(name, value, minimum=1)


def _decode_bool(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise InvalidTypeError(f"{name}: expected true or false, got {value!r}")
    return value


def _decode_name(name: str, value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name}: expected a name, got {value!r}")
    return value


def _decode_choice(choices: Mapping[str, Any] | tuple[str, ...]) -> Callable[[str, Any], str]:
    def decode(name: str, value: Any) -> str:
        return require_choice(name, _decode_name(name, value), choices)

    return decode


def _decode_method(name: str, value: Any) -> Any:
    """A method name, or ``"gbt(p/q)"`` as ``("gbt", Fraction)``; unknown names refused."""
    if not isinstance(value, str):
        raise InvalidTypeError(f"{name}: expected a method name, got {value!r}")
    match = re.fullmatch(r"gbt\((.+)\)", value)
    if match:
        return ("gbt", rational(f"{name} alpha", match.group(1)))
    _core.method_alpha(value)  # raises on unknown names
    return value


def _encode_vector(value: Any) -> list:
    return [encode_number(v) for v in value]  # a sympy Matrix iterates over its entries


def _encode_tensor(value: Any) -> list:
    return [_encode_tensor(v) if isinstance(v, list) else encode_number(v) for v in value]


def _encode_matrix(value: Any) -> list[list]:
    rows = value.tolist() if isinstance(value, sp.MatrixBase) else value
    return [[encode_number(v) for v in row] for row in rows]


@dataclass(frozen=True)
class Kind:
    """How one kind of parameter is read from JSON, written to JSON, and passed on.

    Attributes:
        decode: ``(name, json) -> exact oracle input``; raises InvalidArgumentError or
            InvalidTypeError naming ``name`` for JSON that is not of this kind.
        encode: Oracle-side value (decoded input, ``OracleResult.params`` entry, or a sympy
            object from the catalogue) -> JSON.
        argument: Decoded value -> the oracle's argument (a signal name -> its function).
    """

    decode: Callable[[str, Any], Any]
    encode: Callable[[Any], Any] = _same
    argument: Callable[[Any], Any] = _same


#: Kinds of parameters: exact numbers (number, vector, matrix, nested tensor of them), sizes
#: >= 1 (int), bools, discretization methods, plain names, and names from a fixed list.
KINDS: dict[str, Kind] = {
    "number": Kind(decode_number, encode_number),
    "vector": Kind(_decode_vector, _encode_vector),
    "matrix": Kind(_decode_matrix, _encode_matrix),
    "tensor": Kind(_decode_tensor, _encode_tensor),
    "int": Kind(_decode_size),
    "bool": Kind(_decode_bool),
    "method": Kind(_decode_method, _core.method_name),
    "name": Kind(_decode_name),
    "measure": Kind(_decode_choice(_core.MEASURES)),
    "signal": Kind(_decode_choice(SIGNALS), argument=lambda name: SIGNALS[name][0]),
    "selective_discretization": Kind(_decode_choice(_core.SELECTIVE_DISCRETIZATIONS)),
    "s5_discretization": Kind(_decode_choice(_core.S5_DISCRETIZATIONS)),
}


# ---------------------------------------------------------------------------------------
# Families
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FamilySchema:
    """One oracle family: its parameters and how its oracle is called with them.

    Attributes:
        oracle: The ``mp_oracles`` function; called as
            ``oracle(*positional, **keyword, digits=digits)``.
        params: name -> kind (a key of ``KINDS``), in the order they are checked.
        positional: Parameters passed positionally, in this order.
        keyword: Parameters passed by keyword, under their own names.
        optional: Parameters that may be absent (informative: not passed to the oracle).
        fixed: name -> the only value allowed (JSON); may be absent, not passed to the
            oracle, which fixes it.
        check: Checks decoded parameters against each other (raises
            InvalidArgumentError), or None.
        omissible: Keyword parameters that may be absent: passed when present, else the
            oracle's default applies (``selective_scan``'s ``D=None``).
        flat_values: The oracle returns nested values (a tensor); the file stores them
            flattened in row-major order (the shape follows from the params).
    """

    oracle: Callable[..., _core.OracleResult]
    params: Mapping[str, str]
    positional: tuple[str, ...]
    keyword: tuple[str, ...] = ()
    optional: frozenset[str] = frozenset()
    fixed: Mapping[str, Any] = field(default_factory=dict)
    check: Callable[[dict[str, Any]], None] | None = None
    omissible: frozenset[str] = frozenset()
    flat_values: bool = False

    def __post_init__(self) -> None:
        passed = set(self.positional) | set(self.keyword)
        informative = set(self.optional) | set(self.fixed)
        if (
            set(self.params) != passed | informative
            or passed & informative
            or not set(self.omissible) <= set(self.keyword)
            or not set(self.params.values()) <= set(KINDS)
        ):
            raise ValueError(f"inconsistent schema of {self.oracle.__name__}")

    def required(self, name: str) -> bool:
        """Whether ``name`` must be present in a case's params."""
        return name not in self.optional | self.omissible and name not in self.fixed


def _n_is_size_of_a(params: dict[str, Any]) -> None:
    if "N" in params and params["N"] != len(params["A"]):
        raise InvalidArgumentError(f"params: N = {params['N']} but A has {len(params['A'])} rows")


#: family -> its schema, in file order (``FAMILIES``).
SCHEMAS: dict[str, FamilySchema] = {
    "discretize": FamilySchema(
        _core.discretize,
        {"A": "matrix", "B": "vector", "dt": "number", "method": "method"},
        positional=("A", "B", "dt", "method"),
    ),
    "ssm_kernel": FamilySchema(
        _core.ssm_kernel,
        {
            "A": "matrix",
            "B": "vector",
            "C": "vector",
            "L": "int",
            "dt": "number",
            "method": "method",
        },
        positional=("A", "B", "C", "L"),
        keyword=("dt", "method"),
    ),
    "discrete_kernel": FamilySchema(
        _core.discrete_kernel,
        {"Ab": "matrix", "Bb": "vector", "C": "vector", "L": "int"},
        positional=("Ab", "Bb", "C", "L"),
    ),
    "continuous_kernel": FamilySchema(
        _core.continuous_kernel,
        {"A": "matrix", "B": "vector", "C": "vector", "t": "vector", "N": "int"},
        positional=("A", "B", "C", "t"),
        optional=frozenset({"N"}),
        check=_n_is_size_of_a,
    ),
    "diag_kernel": FamilySchema(
        _core.diag_kernel,
        {
            "lam": "vector",
            "B": "vector",
            "C": "vector",
            "L": "int",
            "dt": "number",
            "method": "method",
            "conj_pairs": "bool",
        },
        positional=("lam", "B", "C", "L"),
        keyword=("dt", "method", "conj_pairs"),
    ),
    "h3_diag_kernel": FamilySchema(
        _core.h3_diag_kernel,
        {
            "lam": "vector",
            "B": "vector",
            "C": "vector",
            "L": "int",
            "dt": "number",
            "method": "method",
            "conj_pairs": "bool",
        },
        positional=("lam", "B", "C", "L"),
        keyword=("dt",),
        fixed={"method": "zoh", "conj_pairs": True},
    ),
    "shift_kernel": FamilySchema(
        _core.shift_kernel,
        {"C": "vector", "L": "int"},
        positional=("C", "L"),
    ),
    "causal_conv": FamilySchema(
        _core.causal_conv,
        {"u": "vector", "K": "vector"},
        positional=("u", "K"),
    ),
    "scan": FamilySchema(
        _core.scan,
        {"Ab": "matrix", "Bb": "vector", "C": "vector", "u": "vector"},
        positional=("Ab", "Bb", "C", "u"),
    ),
    "h3_ssm": FamilySchema(
        _core.h3_ssm,
        {
            "q": "vector",
            "k": "vector",
            "v": "vector",
            "shift_C": "vector",
            "lam": "vector",
            "B": "vector",
            "C": "vector",
            "dt": "number",
        },
        positional=("q", "k", "v", "shift_C", "lam", "B", "C"),
        keyword=("dt",),
    ),
    "dplr_kernel": FamilySchema(
        _core.dplr_kernel,
        {
            "Lambda": "vector",
            "P": "matrix",
            "Q": "matrix",
            "B": "vector",
            "C": "vector",
            "L": "int",
            "dt": "number",
            "method": "method",
        },
        positional=("Lambda", "P", "Q", "B", "C", "L"),
        keyword=("dt",),
        fixed={"method": "bilinear"},
    ),
    "rtf_kernel": FamilySchema(
        _core.rtf_kernel,
        {"a": "vector", "b": "vector", "L": "int", "aliased": "bool"},
        positional=("a", "b", "L"),
        keyword=("aliased",),
    ),
    "rtf_impulse_response": FamilySchema(
        _core.rtf_impulse_response,
        {"a": "vector", "b": "vector", "L": "int"},
        positional=("a", "b", "L"),
    ),
    "rtf_recurrence": FamilySchema(
        _core.rtf_recurrence,
        {"a": "vector", "b": "vector", "u": "vector", "L": "int"},
        positional=("a", "b", "u"),
        keyword=("L",),
    ),
    "selective_scan": FamilySchema(
        _core.selective_scan,
        {
            "u": "tensor",
            "delta": "tensor",
            "A": "tensor",
            "B": "tensor",
            "C": "tensor",
            "D": "tensor",
            "z": "tensor",
            "delta_bias": "tensor",
            "delta_softplus": "bool",
            "discretization": "selective_discretization",
        },
        positional=("u", "delta", "A", "B", "C"),
        keyword=("D", "z", "delta_bias", "delta_softplus", "discretization"),
        omissible=frozenset({"D", "z", "delta_bias"}),
        flat_values=True,
    ),
    "ssd": FamilySchema(
        _core.ssd,
        {
            "X": "tensor",
            "dt": "tensor",
            "A": "tensor",
            "B": "tensor",
            "C": "tensor",
            "D": "tensor",
        },
        positional=("X", "dt", "A", "B", "C"),
        keyword=("D",),
        omissible=frozenset({"D"}),
        flat_values=True,
    ),
    "s5_scan": FamilySchema(
        _core.s5_scan,
        {
            "Lambda": "tensor",
            "B": "tensor",
            "C": "tensor",
            "u": "tensor",
            "delta": "tensor",
            "D": "tensor",
            "discretization": "s5_discretization",
            "conj_sym": "bool",
        },
        positional=("Lambda", "B", "C", "u", "delta"),
        keyword=("D", "discretization", "conj_sym"),
        omissible=frozenset({"D"}),
        flat_values=True,
    ),
    "hippo_projection": FamilySchema(
        _core.hippo_projection,
        {"measure": "measure", "signal": "signal", "t": "number", "N": "int", "convention": "name"},
        positional=("measure", "signal", "t", "N"),
        fixed={"convention": "canonical"},
    ),
}

#: Oracle families with golden data, in file order (one ``<family>.json`` each).
FAMILIES = tuple(SCHEMAS)


def require_family(family: Any) -> str:
    """``family`` if it is one of ``FAMILIES``, else InvalidArgumentError/InvalidTypeError."""
    return require_choice("family", family, FAMILIES)


def decode_params(family: str, params: Any) -> dict[str, Any]:
    """The JSON ``params`` of a case as exact oracle inputs.

    Args:
        family: One of ``FAMILIES``.
        params: The case's ``params`` object, as parsed from JSON (schema 1: exact numbers
            as ``"p/q"``, ``{"re", "im"}`` or ``{"expr"}``; sizes as ints; names as strings).

    Returns:
        name -> oracle input, in the family's parameter order: Fractions, complex strings
        ``"p/q+p/qj"``, objects evaluated at each working precision (``{"expr"}``),
        lists of them, ints, bools, names, and methods (``"gbt(p/q)"`` becomes
        ``("gbt", Fraction)``). Absent optional parameters are absent here too.

    Raises:
        InvalidTypeError: ``params`` is not a dict, or a parameter has the wrong JSON type.
        InvalidArgumentError: unknown family or parameter, missing required parameter,
            malformed or too long number, a value other than a fixed one, unknown method,
            measure or signal, or parameters inconsistent with each other.
    """
    family = require_family(family)
    if not isinstance(params, dict):
        raise InvalidTypeError(f"params: expected an object, got {type(params).__name__}")
    schema = SCHEMAS[family]
    unknown = sorted(set(params) - set(schema.params))
    if unknown:
        raise InvalidArgumentError(
            f"params: unknown {unknown} for family {family!r}; expected {sorted(schema.params)}"
        )
    decoded = {}
    for name, kind in schema.params.items():
        if name not in params:
            if schema.required(name):
                raise InvalidArgumentError(f"params: {family!r} needs {name!r}")
            continue
        decoded[name] = KINDS[kind].decode(name, params[name])
        if name in schema.fixed and params[name] != schema.fixed[name]:
            raise InvalidArgumentError(
                f"params: {name!r} of {family!r} is always {schema.fixed[name]!r}, "
                f"got {params[name]!r}"
            )
    if schema.check is not None:
        schema.check(decoded)
    return decoded


def encode_params(family: str, params: Mapping[str, Any]) -> dict[str, Any]:
    """Oracle-side parameters (decoded inputs, ``OracleResult.params``, or sympy objects)
    as JSON; every name must be a parameter of ``family``."""
    kinds = SCHEMAS[family].params
    return {name: KINDS[kinds[name]].encode(value) for name, value in params.items()}


def call_oracle(family: str, params: dict[str, Any], digits: int) -> _core.OracleResult:
    """Run the oracle of ``family`` on decoded ``params`` (``decode_params``) under the
    package's ``oracle_work`` ceiling; returns its ``OracleResult`` (values flattened in
    row-major order for ``flat_values`` families)."""
    schema = SCHEMAS[family]

    def argument(name: str) -> Any:
        return KINDS[schema.params[name]].argument(params[name])

    args = [argument(name) for name in schema.positional]
    kwargs = {name: argument(name) for name in schema.keyword if name in params}
    with package_work_limit():  # the package's ceiling, not the core's
        result = schema.oracle(*args, **kwargs, digits=digits)
    if schema.flat_values:
        result = dataclasses.replace(result, values=_flatten(result.values))
    return result


def _flatten(values: Any) -> list:
    """Nested lists of values in row-major order (the last index fastest)."""
    if isinstance(values, list):
        return [leaf for v in values for leaf in _flatten(v)]
    return [values]
