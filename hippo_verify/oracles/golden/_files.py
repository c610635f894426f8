"""Golden files: compute a case, compare two, render, export, validate and load files."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import mpmath

from ... import __version__
from ..._errors import InvalidArgumentError, InvalidTypeError
from ..._validation import require_int
from ..mp_oracles import agreement_digits
from ._catalogue import canonical_cases
from ._codec import (
    GoldenDataError,
    check_decimal,
    require_short,
    significant_digits,
    value_json,
)
from ._schema import FAMILIES, SCHEMAS, decode_params, encode_params, require_family

#: Version of the JSON layout; bump it on any change a reader would notice.
SCHEMA_VERSION = 1
#: The ``package`` field of every file.
PACKAGE = "hippo-verify"
#: Extra significant digits written beyond the certified ones (they show the rounding).
EXTRA_DIGITS = 5

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


def _package() -> ModuleType:
    """The ``golden`` package. ``load`` reads its ``resources`` and ``compute_case`` calls
    its ``_call_oracle`` through it at call time, so that replacing either on the package
    (as the tests do with ``monkeypatch.setattr(golden, ...)``) takes effect."""
    return sys.modules[__name__.rpartition(".")[0]]


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
    require_family(spec["family"])
    return spec


def compute_case(spec: dict[str, Any], *, digits: int | None = None) -> dict[str, Any]:
    """Run the oracle of one case spec and return the full case (schema 1).

    Args:
        spec: A dict with ``id``, ``family``, ``convention``, ``params`` (JSON, see
            ``decode_params``) and optionally ``source``; a loaded case works too (its
            results are ignored and recomputed).
        digits: Significant digits to certify; defaults to the case's
            ``digits_requested``, else 30.

    Returns:
        The case dict with every key of ``SPEC_KEYS + RESULT_KEYS``: ``params`` as the
        oracle used them (re-encoded; parameters it does not report are kept from
        ``spec``), ``values`` as decimal strings of ``digits_certified + EXTRA_DIGITS``
        significant digits (a complex number is ``[re, im]``; ``discretize`` gives
        ``[Ab rows, Bb]``).

    Raises:
        InvalidArgumentError / InvalidTypeError: malformed spec, unknown family, parameter
            or signal, bad JSON numbers, a job above the ``oracle_work`` size limit, or
            what the oracle refuses.
        CertificationError: the oracle cannot certify the digits.
        GoldenDataError: the parameters do not read back to what the oracle used.
    """
    spec = _check_spec(spec)
    family = spec["family"]
    if digits is None:
        digits = spec.get("digits_requested", 30)
    digits = require_int("digits", digits, minimum=1)
    inputs = decode_params(family, spec["params"])
    result = _package()._call_oracle(family, inputs, digits)
    used = {k: v for k, v in result.params.items() if k in SCHEMAS[family].params}
    params = encode_params(family, used)
    for name, value in spec["params"].items():  # parameters the oracle does not report
        params.setdefault(name, value)
    if encode_params(family, decode_params(family, params)) != params:
        raise GoldenDataError(f"case {spec['id']!r}: params do not read back exactly")
    return {
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
        "values": value_json(result.values, result.digits + EXTRA_DIGITS),
    }


# ---------------------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------------------


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
            check_decimal(f"{label}: {where}", text)
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


def compare(case: dict[str, Any], recomputed: dict[str, Any]) -> int:
    """Digits on which two cases' values agree, relative to the max-norm of each part.

    Per part (``discretize`` has two, Ab and Bb; the smaller result is returned) this is
    ``floor(-log10(max |a - b| / max |b|))``, where ``b`` are ``recomputed``'s values.

    Args:
        case: A case dict (``load(...)["cases"][i]`` or ``compute_case(...)``).
        recomputed: A case dict of the same family and shape, the reference.

    Returns:
        The digits of agreement, capped at the digits written: ``digits_certified +
        EXTRA_DIGITS`` (the smaller of the two cases'; without ``digits_certified``, the
        longest mantissa). Identical values give the cap.

    Raises:
        InvalidArgumentError: not case dicts with ``family`` and ``values``, different
            families or shapes, or values that are not finite decimal (or ``"p/q"``)
            strings of at most ``MAX_NUMBER_DIGITS`` digits.
        InvalidTypeError: a ``digits_certified`` that is not an int.
    """
    for label, item in (("case", case), ("recomputed", recomputed)):
        if not isinstance(item, dict) or "values" not in item or "family" not in item:
            raise InvalidArgumentError(f"{label}: expected a case dict with family and values")
    family = require_family(case["family"])
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
    written = max(significant_digits(s) for s in strings)
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
    """The text of the golden file of computed cases of one family.

    Args:
        family: One of ``FAMILIES``.
        cases: Computed case dicts (``compute_case``), in file order; not checked.
        generated_by: The ``generated_by`` field (the command that regenerates the file).

    Returns:
        The JSON document (schema ``SCHEMA_VERSION``, this package's version) with sorted
        keys, indent 1, ASCII only and a trailing newline: the same cases give the same
        bytes.

    Raises:
        InvalidArgumentError / InvalidTypeError: unknown family.
    """
    family = require_family(family)
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
    """Compute case specs and write one golden file per family.

    Args:
        path: A directory (created if missing) that receives ``<family>.json`` per family,
            or a ``.json`` file path when every case belongs to one family.
        cases: Case specs (see ``compute_case``); default ``canonical_cases()``.
        digits: Significant digits to certify, for every case.
        progress: Receives one line per case before it is computed (e.g. ``print``).

    Returns:
        The paths written, in family order. Nothing is written unless every case is
        computed.

    Raises:
        InvalidArgumentError / InvalidTypeError: bad digits or path, no cases, or bad case
            specs (unknown family, duplicate id in a family, ...).
        CertificationError: an oracle could not certify ``digits``.
        GoldenDataError: parameters that do not read back exactly.
        OSError: a file cannot be written.
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
            require_short(f"case {case_id!r}: params", item)


def validate_document(document: Any, family: str | None = None) -> dict[str, Any]:
    """Check a parsed golden file against the schema.

    Checks the top-level keys and fields, then every case: its keys, the JSON type of each
    field, its family, its values (finite decimal strings) and the length of every number
    in its params. Parameters are not decoded (``decode_params`` does that).

    Args:
        document: The parsed JSON of one file.
        family: The family the file must hold, or None for any.

    Returns:
        ``document`` itself, unchanged.

    Raises:
        GoldenDataError: anything that does not follow schema ``SCHEMA_VERSION``.
    """
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


def load(family: str) -> dict[str, Any]:
    """The shipped golden file of one family, parsed and checked.

    The file is ``hippo_verify/data/<family>.json``, read with ``importlib.resources``
    (works from a wheel).

    Args:
        family: One of ``FAMILIES``.

    Returns:
        The document (see ``validate_document``); its ``cases`` hold JSON params and
        decimal-string values.

    Raises:
        InvalidArgumentError / InvalidTypeError: unknown family.
        GoldenDataError: the file is missing, is not valid JSON (empty, truncated, not
            UTF-8, nested beyond the recursion limit) or does not follow the schema.
    """
    family = require_family(family)
    resource = _package().resources.files("hippo_verify.data").joinpath(f"{family}.json")
    if not resource.is_file():
        raise GoldenDataError(f"no shipped golden file for {family!r}")
    try:
        document = json.loads(resource.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as error:  # JSONDecodeError, UnicodeDecodeError
        raise GoldenDataError(f"golden file {family}.json is not valid JSON: {error}") from None
    return validate_document(document, family)
