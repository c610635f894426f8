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
timestamps, so regenerating them gives byte-identical files (``tests/oracles/test_golden.py``
uses that to detect drift of the oracles).

Modules: ``_codec`` (numbers <-> JSON), ``_schema`` (per family: the kind of every
parameter and the oracle to call), ``_catalogue`` (the canonical cases), ``_files``
(compute, compare, render, export, validate, load). This package re-exports their API.
"""

from __future__ import annotations

from importlib import resources as resources  # load() reads the data files through this name

from . import _codec, _schema
from ._catalogue import canonical_cases
from ._codec import MAX_NUMBER_DIGITS, GoldenDataError, encode_number
from ._files import (
    EXTRA_DIGITS,
    PACKAGE,
    SCHEMA_VERSION,
    compare,
    compute_case,
    export,
    load,
    render,
    validate_document,
)
from ._files import RESULT_KEYS as RESULT_KEYS
from ._files import SPEC_KEYS as SPEC_KEYS
from ._files import TOP_KEYS as TOP_KEYS
from ._schema import FAMILIES, SIGNALS, decode_params

# Private names the tests use; compute_case calls the oracle through _call_oracle here.
_call_oracle = _schema.call_oracle
_significant_digits = _codec.significant_digits

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
