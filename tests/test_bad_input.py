"""Bad input at every public entry point of the symbolic and oracle layers, the golden data
and the CLI: each case is refused with the package's error before any work.

The tables list (entry point, bad call, error class, message fragment) so that a new entry
point joins a class of bad input by adding a row. Classes: sizes whose cost is beyond
reason (the hang cases: refused quickly, the message names the limit and how to raise it),
inputs that used to raise raw Python exceptions, inputs that used to return garbage
silently, valid input that used to be refused, and result objects' truth values.
"""

from __future__ import annotations

import copy
import json
import types
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sympy as sp

import hippo_verify as hv
from hippo_verify import oracles as O
from hippo_verify import symbolic as S
from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.cli import main
from hippo_verify.oracles import golden
from hippo_verify.oracles import mp_oracles as core

HUGE = 10**12
z = sp.Symbol("z")


def _signal(s: Any, ctx: Any) -> Any:
    return ctx.sin(3 * s)


# ---------------------------------------------------------------------------------------
# Sizes beyond reason: refused before any work, with the limit and how to raise it
# ---------------------------------------------------------------------------------------

# (id, call, name of the ceiling the message must mention)
SYMBOLIC_SIZES: list[tuple[str, Callable[[], Any], str]] = [
    ("power_kernel", lambda: S.power_kernel([[1]], [1], [1], HUGE), "symbolic_length"),
    ("truncation_correction", lambda: S.truncation_correction([[1]], [1], HUGE), "symbolic_length"),
    ("untruncate", lambda: S.untruncate([[sp.Rational(1, 2)]], [1], HUGE), "symbolic_length"),
    (
        "truncated_generating_function",
        lambda: S.truncated_generating_function([[1]], [1], [1], HUGE, z),
        "symbolic_length",
    ),
    ("vandermonde", lambda: S.vandermonde([1], HUGE), "symbolic_length"),
    ("vandermonde_kernel", lambda: S.vandermonde_kernel([1], [1], [1], HUGE), "symbolic_length"),
    ("conj_pair_kernel", lambda: S.conj_pair_kernel([1], [1], [1], HUGE), "symbolic_length"),
    (
        "legs_integrate",
        lambda: S.legs_integrate(
            [[-1]], [1], lambda t: 1, 1, [0], sp.Rational(1, 4), HUGE, "bilinear"
        ),
        "symbolic_length",
    ),
    ("s4d_init", lambda: S.s4d_init("lin", 10**6), "hippo_state"),
    *[
        (f"hippo-{m}", lambda m=m: hv.hippo(m, 10**5), "hippo_state")
        for m in ("legt", "legs", "lagt", "fout")
    ],
    ("hippo-s4-convention", lambda: hv.hippo("fout", 10**5, convention="s4"), "hippo_state"),
    ("hippo_closed_form", lambda: S.hippo_closed_form("legs", 10**5), "hippo_state"),
    ("hippo_nplr", lambda: hv.hippo_nplr("legs", 10**5), "hippo_state"),
    *[
        (f"derive_hippo-{m}", lambda m=m: hv.derive_hippo(m, 10**4), "symbolic_state")
        for m in ("legt", "legs", "lagt", "fout")
    ],
    ("derive_hippo_steps", lambda: S.derive_hippo_steps("legs", 10**4), "symbolic_state"),
]


def _oracle_size_cases(module: Any) -> list[tuple[str, Callable[[], Any]]]:
    """Hang cases of every oracle, called through ``module`` (the package or the core)."""
    big = [[Fraction(k - j, 7) for j in range(200)] for k in range(200)]  # 200^3 work units
    ones = [1] * 200
    return [
        ("ssm_kernel", lambda: module.ssm_kernel([[-1]], [1], [1], HUGE, dt=1)),
        (
            "ssm_kernel-dense",
            lambda: module.ssm_kernel([[-1, 1], [-1, -1]], [1, 1], [1, 1], HUGE, dt=1),
        ),
        ("discrete_kernel", lambda: module.discrete_kernel([["1/2"]], [1], [1], HUGE)),
        ("diag_kernel", lambda: module.diag_kernel(["-1/2+1j"], [1], [1], HUGE, dt=1)),
        ("h3_diag_kernel", lambda: module.h3_diag_kernel(["-1/2+1j"], [1], [1], HUGE, dt=1)),
        ("dplr_kernel", lambda: module.dplr_kernel([-1], [0], [0], [1], [1], HUGE, dt=1)),
        ("dplr_kernel-prime-L", lambda: module.dplr_kernel([-1], [0], [0], [1], [1], 65537, dt=1)),
        ("rtf_kernel-aliased", lambda: module.rtf_kernel(["-1/2"], [1], HUGE)),
        ("rtf_kernel-impulse", lambda: module.rtf_kernel(["-1/2"], [1], HUGE, aliased=False)),
        ("shift_kernel", lambda: module.shift_kernel([1, 2], HUGE)),
        ("causal_conv", lambda: module.causal_conv([1] * 20000, [1] * 20000)),
        ("continuous_kernel", lambda: module.continuous_kernel(big, ones, ones, 1)),
        ("discretize-zoh", lambda: module.discretize(big, ones, 1, "zoh")),
        ("discretize-bilinear", lambda: module.discretize(big, ones, 1, "bilinear")),
        ("hippo_projection", lambda: module.hippo_projection("legs", _signal, 1, 10**5)),
    ]


ORACLE_SIZES = [
    pytest.param(call, id=f"{where}-{name}")
    for where, module in (("package", O), ("core", core))
    for name, call in _oracle_size_cases(module)
]


@pytest.mark.parametrize(
    ("call", "limit"), [pytest.param(c, lim, id=i) for i, c, lim in SYMBOLIC_SIZES]
)
def test_symbolic_sizes_beyond_reason_are_refused(call: Callable[[], Any], limit: str) -> None:
    with pytest.raises(InvalidArgumentError, match=f"exceeds the limit {limit}") as refused:
        call()
    assert f"hippo_verify.size_limits({limit}=" in str(refused.value)


@pytest.mark.parametrize("call", ORACLE_SIZES)
def test_oracle_work_beyond_reason_is_refused(call: Callable[[], Any]) -> None:
    with pytest.raises(InvalidArgumentError, match="exceeds the oracle work limit") as refused:
        call()
    message = str(refused.value)
    assert "mp_oracles.work_limit(" in message
    assert "hippo_verify.size_limits(oracle_work=" in message


def test_the_rtf_exact_route_is_bounded_by_the_work_limit_first() -> None:
    # The package's exact gcd with z^L - 1 would build a polynomial of degree L.
    with pytest.raises(InvalidArgumentError, match="oracle work limit"):
        O.rtf_kernel([Fraction(-1, 2)], [1], 2**40)


def test_large_rational_rtf_uses_the_numerical_stability_route() -> None:
    """Above the symbolic_state degree the exact Schur-Cohn (rationals growing with d) is
    replaced by the numerical verdict; both must agree where both run."""
    a = [Fraction((-1) ** k, 4 * (k + 1) ** 2) for k in range(8)]
    exact = O.rtf_stability(a)
    with hv.size_limits(symbolic_state=4):
        numerical = O.rtf_stability(a)
    assert exact is True and numerical is core.rtf_stability(a) is True


# ---------------------------------------------------------------------------------------
# A limit is a limit, not a block: raising it lets the same call through
# ---------------------------------------------------------------------------------------


def test_symbolic_limit_raised_lets_the_call_through() -> None:
    call = lambda: S.power_kernel([[0]], [1], [1], 4097)  # noqa: E731
    with pytest.raises(InvalidArgumentError, match="symbolic_length"):
        call()
    with hv.size_limits(symbolic_length=4097):
        kernel = call()
    assert kernel == [1] + [0] * 4096


def test_hippo_limits_lowered_then_raised() -> None:
    expected = hv.hippo("legs", 5)
    with hv.size_limits(hippo_state=4, symbolic_state=4):
        with pytest.raises(InvalidArgumentError, match="hippo_state = 4"):
            hv.hippo("legs", 5)
        with pytest.raises(InvalidArgumentError, match="symbolic_state = 4"):
            hv.derive_hippo("legs", 5)
        with hv.size_limits(hippo_state=5, symbolic_state=5):
            assert hv.hippo("legs", 5) == expected
            assert S.exactly_equal(hv.derive_hippo("legs", 5)[0], expected[0])


@pytest.mark.parametrize("where", ["package", "core"])
def test_oracle_work_limit_raised_lets_the_call_through(where: str) -> None:
    """shift_kernel's work is 32 L: L = 8 costs 256 units."""
    module, limit = (O, hv.size_limits) if where == "package" else (core, None)

    def ceiling(n: int) -> Any:
        return hv.size_limits(oracle_work=n) if limit is not None else core.work_limit(n)

    with ceiling(255):
        with pytest.raises(InvalidArgumentError, match="work limit 255"):
            module.shift_kernel([1, 2], 8)
        with ceiling(256):
            result = module.shift_kernel([1, 2], 8)
    assert result.floats() == [1.0, 2.0] + [0.0] * 6


def test_package_ceiling_governs_package_oracles_and_golden() -> None:
    spec = {"id": "x", "family": "shift_kernel", "convention": "canonical"}
    spec["params"] = {"C": ["1"], "L": 8}
    with hv.size_limits(oracle_work=100):
        with pytest.raises(InvalidArgumentError, match="work limit 100"):
            O.hippo_projection("legs", _signal, 1, 1)
        with pytest.raises(InvalidArgumentError, match="work limit 100"):
            golden.compute_case(spec)
    assert golden.compute_case(spec)["values"][0].startswith("1.0")


# ---------------------------------------------------------------------------------------
# Raw exceptions that are now the package's errors
# ---------------------------------------------------------------------------------------

RAW_EXCEPTIONS: list[tuple[str, Callable[[], Any], type[Exception], str]] = [
    (
        "dplr_kernel-eigenvalue-1",
        lambda: O.dplr_kernel([0], [0], [0], [1], [1], 4, dt=1),
        InvalidArgumentError,
        "Cauchy/Woodbury route is singular",
    ),
    (
        "dplr_kernel-eigenvalue-1-rank-2",
        lambda: O.dplr_kernel([0, -1], [[0, 0]] * 2, [[0, 0]] * 2, [1, 1], [1, 1], 6, dt=1),
        InvalidArgumentError,
        "Cauchy/Woodbury route is singular",
    ),
    (
        "hippo_projection-arity-1",
        lambda: O.hippo_projection("legs", lambda s: s, 1, 2),
        InvalidTypeError,
        "two positional arguments",
    ),
    (
        "hippo_projection-arity-3",
        lambda: O.hippo_projection("legt", lambda s, ctx, x: s, 1, 2),
        InvalidTypeError,
        "two positional arguments",
    ),
    (
        "hippo_projection-nan",
        lambda: O.hippo_projection("lagt", lambda s, ctx: ctx.nan, 1, 2),
        InvalidArgumentError,
        "f: returned nan",
    ),
    (
        "hippo_projection-inf",
        lambda: O.hippo_projection("fout", lambda s, ctx: float("inf"), 1, 2),
        InvalidArgumentError,
        r"f: returned \+inf",
    ),
    (
        "hippo_projection-string",
        lambda: O.hippo_projection("legs", lambda s, ctx: "0.5", 1, 2),
        InvalidTypeError,
        "must return a number",
    ),
    (
        "hippo_projection-none",
        lambda: O.hippo_projection("legs", lambda s, ctx: None, 1, 2),
        InvalidTypeError,
        "must return a number",
    ),
]


@pytest.mark.parametrize(
    ("call", "error", "fragment"), [pytest.param(c, e, f, id=i) for i, c, e, f in RAW_EXCEPTIONS]
)
def test_bad_values_raise_package_errors(
    call: Callable[[], Any], error: type[Exception], fragment: str
) -> None:
    with pytest.raises(error, match=fragment):
        call()


# ---------------------------------------------------------------------------------------
# Golden data: malformed files, values and cases
# ---------------------------------------------------------------------------------------

SHIFT = golden.load("shift_kernel")


def _document(edit: Callable[[dict], Any]) -> str:
    document = copy.deepcopy(SHIFT)
    edit(document)
    return json.dumps(document)


def _set_case(value: Any) -> Callable[[dict], Any]:
    def edit(document: dict) -> None:
        document["cases"][0] = value

    return edit


def _set_field(key: str, value: Any) -> Callable[[dict], Any]:
    def edit(document: dict) -> None:
        document["cases"][0][key] = value

    return edit


def _set_value(value: Any) -> Callable[[dict], Any]:
    def edit(document: dict) -> None:
        document["cases"][0]["values"][0] = value

    return edit


def _set_param(value: Any) -> Callable[[dict], Any]:
    def edit(document: dict) -> None:
        document["cases"][0]["params"]["C"][0] = value

    return edit


GOLDEN_FILES: list[tuple[str, str, str]] = [
    ("empty", "", "not valid JSON"),
    ("truncated", json.dumps(SHIFT)[:200], "not valid JSON"),
    ("not-utf8", "\udcff", "not valid JSON"),
    ("deeply-nested", "[" * 100_000 + "]" * 100_000, "not valid JSON"),
    ("case-is-a-string", _document(_set_case("a case")), "case 0 is a str"),
    ("case-is-a-number", _document(_set_case(7)), "case 0 is a int"),
    ("nan-value", _document(_set_value("nan")), "not a finite decimal"),
    ("inf-value", _document(_set_value("-inf")), "not a finite decimal"),
    ("hex-value", _document(_set_value("0x1p3")), "not a finite decimal"),
    ("complex-nan", _document(_set_value(["1.0", "NaN"])), "not a finite decimal"),
    ("5000-digit-value", _document(_set_value("1." + "3" * 5000)), "MAX_NUMBER_DIGITS"),
    ("5000-digit-param", _document(_set_param("1/" + "7" * 5000)), "MAX_NUMBER_DIGITS"),
    ("id-is-a-number", _document(_set_field("id", 3)), "'id' must be str"),
    ("id-is-empty", _document(_set_field("id", "")), "non-empty"),
    ("digits-is-a-string", _document(_set_field("digits_certified", "30")), "digits_certified"),
    ("stable-is-a-string", _document(_set_field("stable", "yes")), "'stable'"),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [pytest.param(t, f, id=i) for i, t, f in GOLDEN_FILES]
)
def test_golden_load_refuses_malformed_files(
    text: str, fragment: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = text.encode("utf-8", "surrogateescape")
    (tmp_path / "shift_kernel.json").write_bytes(data)
    monkeypatch.setattr(golden, "resources", types.SimpleNamespace(files=lambda _: tmp_path))
    with pytest.raises(golden.GoldenDataError, match=fragment):
        golden.load("shift_kernel")


def test_golden_load_reads_the_patched_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The harness above reads what it wrote: an unmodified copy loads."""
    (tmp_path / "shift_kernel.json").write_text(json.dumps(SHIFT), encoding="utf-8")
    monkeypatch.setattr(golden, "resources", types.SimpleNamespace(files=lambda _: tmp_path))
    assert golden.load("shift_kernel") == SHIFT


def _with_values(values: list) -> dict:
    return {**SHIFT["cases"][0], "values": values}


COMPARE_VALUES = [
    ("nan", ["nan"], "not a finite decimal"),
    ("inf", ["inf"], "not a finite decimal"),
    ("word", ["abc"], "not a finite decimal"),
    ("empty-string", [""], "not a finite decimal"),
    ("comma", ["1,5"], "not a finite decimal"),
    ("complex-nan", [["0.5", "nan"]], "not a finite decimal"),
    ("number-not-string", [0.5], "not a decimal string"),
    ("5000-digits", ["0." + "1" * 5000], "MAX_NUMBER_DIGITS"),
]


@pytest.mark.parametrize(
    ("values", "fragment"), [pytest.param(v, f, id=i) for i, v, f in COMPARE_VALUES]
)
def test_golden_compare_refuses_non_decimal_values(values: list, fragment: str) -> None:
    good = SHIFT["cases"][0]
    bad = _with_values(values + good["values"][len(values) :])
    with pytest.raises(InvalidArgumentError, match=fragment):
        golden.compare(bad, good)
    with pytest.raises(InvalidArgumentError, match=fragment):
        golden.compare(good, bad)


def test_golden_compare_refuses_non_integer_digits() -> None:
    good = SHIFT["cases"][0]
    with pytest.raises(InvalidTypeError, match="digits_certified"):
        golden.compare({**good, "digits_certified": "30"}, good)


@pytest.mark.parametrize(
    "param",
    [
        pytest.param({"C": ["1/" + "3" * 5000], "L": 4}, id="5000-digit-denominator"),
        pytest.param({"C": ["7" * 5000], "L": 4}, id="5000-digit-integer"),
        pytest.param({"C": [{"re": "1", "im": "9" * 5000}], "L": 4}, id="5000-digit-complex"),
    ],
)
def test_golden_compute_case_refuses_absurd_rationals(param: dict) -> None:
    spec = {"id": "big", "family": "shift_kernel", "convention": "canonical", "params": param}
    with pytest.raises(InvalidArgumentError, match="MAX_NUMBER_DIGITS"):
        golden.compute_case(spec)


# ---------------------------------------------------------------------------------------
# CLI: a report that checked nothing is an error
# ---------------------------------------------------------------------------------------


def test_report_with_an_empty_derivations_dir_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "derivations"
    empty.mkdir()
    (empty / "_helper.py").write_text("", encoding="utf-8")  # private: not a derivation
    out = tmp_path / "out"
    argv = ["report", "--out", str(out), "--derivations", str(empty), "--precision", "none"]
    assert main(argv) == 2
    assert "holds no derivation script" in capsys.readouterr().err
    assert not out.exists()


# ---------------------------------------------------------------------------------------
# Valid input that was refused: NumPy integers as sizes
# ---------------------------------------------------------------------------------------


def _size_calls(module: Any, n: Any) -> list[tuple[str, Callable[[], Any]]]:
    return [
        ("ssm_kernel", lambda: module.ssm_kernel([[-1]], [1], [1], n, dt="1/10")),
        ("discrete_kernel", lambda: module.discrete_kernel([["1/2"]], [1], [1], n)),
        ("diag_kernel", lambda: module.diag_kernel(["-1/2+1j"], [1], [1], n, dt=1)),
        ("h3_diag_kernel", lambda: module.h3_diag_kernel(["-1/2+1j"], [1], [1], n, dt=1)),
        ("dplr_kernel", lambda: module.dplr_kernel([-1], [0], [0], [1], [1], n, dt=1)),
        ("rtf_kernel", lambda: module.rtf_kernel(["-1/2"], [1], n)),
        ("shift_kernel", lambda: module.shift_kernel([1, 2], n)),
        ("hippo_projection", lambda: module.hippo_projection("legs", _signal, 1, n)),
        ("rtf_stability-prec", lambda: module.rtf_stability(["-1/2"], prec=64 * n)),
        ("digits", lambda: module.shift_kernel([1], 2, digits=10 * n)),
    ]


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8])
@pytest.mark.parametrize("where", ["package", "core"])
@pytest.mark.parametrize("name", [name for name, _ in _size_calls(O, 3)])
def test_oracles_accept_numpy_integers(where: str, name: str, dtype: type) -> None:
    module = O if where == "package" else core
    as_numpy = dict(_size_calls(module, dtype(3)))[name]()
    as_int = dict(_size_calls(module, 3))[name]()
    assert as_numpy == as_int


@pytest.mark.parametrize("bad", [True, 3.0, "3", Fraction(3), None])
@pytest.mark.parametrize("where", ["package", "core"])
def test_oracles_still_refuse_non_integer_sizes(where: str, bad: Any) -> None:
    module = O if where == "package" else core
    with pytest.raises(InvalidTypeError, match="L must be an integer, got "):
        module.shift_kernel([1], bad)


# ---------------------------------------------------------------------------------------
# Truth values of result objects
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "stable"),
    [
        ([Fraction(1, 2)], True),  # root -1/2
        ([2], False),  # root -2
        ([0, 1], False),  # roots +-i, on the circle
        ([Fraction(-9, 5), Fraction(81, 100)], True),  # double root 9/10
        ([sp.I / 2], True),
    ],
)
def test_stability_verdict_truth_is_its_stable_flag(a: list, stable: bool) -> None:
    verdict = S.schur_cohn_stable(a)
    assert verdict.stable is stable
    assert bool(verdict) is stable
    if not stable:
        with pytest.raises(AssertionError):
            assert S.schur_cohn_stable(a)


NO_TRUTH_VALUE: list[tuple[str, Callable[[], Any], str]] = [
    ("OracleResult", lambda: O.shift_kernel([1], 2), "result.digits"),
    ("OracleResult-core", lambda: core.rtf_kernel(["-1/2"], [1], 4), "result.stable"),
    ("HippoDerivation", lambda: S.derive_hippo_steps("legt", 2), "derivation.closed"),
]


@pytest.mark.parametrize(("make", "hint"), [pytest.param(m, h, id=i) for i, m, h in NO_TRUTH_VALUE])
def test_results_without_a_truth_value_refuse_bool(make: Callable[[], Any], hint: str) -> None:
    result = make()
    with pytest.raises(TypeError, match=f"no truth value.*{hint}"):
        bool(result)


def test_arb_enclosure_has_no_truth_value() -> None:
    pytest.importorskip("flint")
    from hippo_verify.oracles import arb_enclosures

    enclosure = arb_enclosures.arb_rtf_kernel(["-1/2"], [1], 4)
    assert len(enclosure) == 4
    with pytest.raises(TypeError, match="no truth value.*contains"):
        bool(enclosure)


ARB_SIZES = [
    ("arb_ssm_kernel", lambda arb: arb.arb_ssm_kernel([[-1]], [1], [1], HUGE, dt=1)),
    ("arb_diag_kernel", lambda arb: arb.arb_diag_kernel(["-1/2+1j"], [1], [1], HUGE, dt=1)),
    ("arb_rtf_kernel", lambda arb: arb.arb_rtf_kernel(["-1/2"], [1], HUGE)),
    (
        "arb_continuous_kernel",
        lambda arb: arb.arb_continuous_kernel([[1] * 500] * 500, [1] * 500, [1] * 500, 1),
    ),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in ARB_SIZES])
def test_arb_work_beyond_reason_is_refused(call: Callable[[Any], Any]) -> None:
    pytest.importorskip("flint")
    from hippo_verify.oracles import arb_enclosures

    with pytest.raises(InvalidArgumentError, match="exceeds the limit oracle_work"):
        call(arb_enclosures)


@pytest.mark.parametrize("bad", ["1/0", "1/", "/2", "1/2/3", "1.5/2"])
def test_golden_compare_refuses_malformed_rationals(bad: str) -> None:
    good = SHIFT["cases"][0]
    with pytest.raises(InvalidArgumentError, match="not a finite decimal or rational"):
        golden.compare(_with_values([bad] + good["values"][1:]), good)
