"""Golden data (``hippo_verify/data/*.json``): schema, recomputation, drift, and the CLI.

The shipped files are read through ``importlib.resources`` as an installed package would
read them. Recomputing a case starts from the JSON text alone. Rational cases are also
checked against exact ``Fraction`` arithmetic, which shares no code with the oracles.
Regenerating a family must reproduce the shipped bytes; if it does not, the oracles have
drifted. After an intended change, regenerate with
``hippo-verify export --out hippo_verify/data``.
"""

from __future__ import annotations

import copy
import json
import re
from fractions import Fraction
from importlib import resources
from pathlib import Path

import pytest
import sympy as sp

import hippo_verify
from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify import oracles as oracle_api
from hippo_verify.cli import main
from hippo_verify.oracles import CertificationError, golden

DATA = resources.files("hippo_verify.data")
VERSION_FORMAT = re.compile(r"^\d+\.\d+\.\d+((a|b|rc)\d+)?(\.post\d+)?(\.dev\d+)?$")
SHIPPED = {family: golden.load(family) for family in golden.FAMILIES}
ALL_CASES = [case for family in golden.FAMILIES for case in SHIPPED[family]["cases"]]
SLOW_IDS = {"legs-canonical-N16-bilinear-L64-dt1/64", "legt-canonical-N16-bilinear-L64-dt1/64",
            "legt-canonical-N16-zoh-L64-dt1/64", "legs-canonical-N16-zoh-L64-dt1/64"}  # fmt: skip


def _case_param(case: dict) -> object:
    marks = [pytest.mark.slow] if case["id"] in SLOW_IDS else []
    return pytest.param(case, id=f"{case['family']}:{case['id']}", marks=marks)


def _shipped_bytes(family: str) -> bytes:
    return DATA.joinpath(f"{family}.json").read_bytes()


def _same_version(regenerated: bytes, family: str) -> bytes:
    """``regenerated`` with the shipped file's package_version, so that a version bump alone
    is not reported as drift (the version written is that of the package that wrote it)."""
    shipped_version = SHIPPED[family]["package_version"]
    field = '"package_version": "{}"'
    return regenerated.replace(
        field.format(hippo_verify.__version__).encode(), field.format(shipped_version).encode()
    )


# --- the shipped files ----------------------------------------------------------------


@pytest.mark.parametrize("family", golden.FAMILIES)
def test_shipped_file_follows_schema(family: str) -> None:
    text = DATA.joinpath(f"{family}.json").read_text(encoding="utf-8")
    document = json.loads(text)
    assert text.endswith("}\n") and "\r" not in text
    assert document["schema"] == golden.SCHEMA_VERSION == 1
    assert document["package"] == "hippo-verify"
    assert VERSION_FORMAT.match(document["package_version"])
    assert document["family"] == family
    assert document["generated_by"] == f"hippo-verify export --family {family} --digits 30"
    assert sorted(document) == sorted(golden.TOP_KEYS)
    for case in document["cases"]:
        assert sorted(case) == sorted(golden.SPEC_KEYS + golden.RESULT_KEYS)
        assert case["family"] == family
    ids = [case["id"] for case in document["cases"]]
    assert len(ids) == len(set(ids))
    assert text == json.dumps(document, sort_keys=True, indent=1) + "\n"  # canonical layout


def test_package_version_format_is_current() -> None:
    assert VERSION_FORMAT.match(hippo_verify.__version__)
    assert golden.render("shift_kernel", [], generated_by="x").count(hippo_verify.__version__) == 1


def test_every_oracle_family_is_covered() -> None:
    oracle_families = {name for name in oracle_api.__all__ if name.islower()} - {"rtf_stability"}
    assert oracle_families == set(golden.FAMILIES)
    assert {p.name for p in DATA.iterdir() if p.name.endswith(".json")} == {
        f"{family}.json" for family in golden.FAMILIES
    }
    rtf = SHIPPED["rtf_kernel"]["cases"]
    assert {case["params"]["aliased"] for case in rtf} == {True, False}
    assert {case["stable"] for case in rtf} == {True, False}
    measures = {case["params"]["measure"] for case in SHIPPED["hippo_projection"]["cases"]}
    assert measures == {"legs", "legt", "lagt", "fout"}
    methods = {case["params"]["method"] for case in SHIPPED["discretize"]["cases"]}
    assert methods == {"forward_euler", "backward_euler", "bilinear", "zoh", "gbt(1/3)"}


def test_shipped_cases_are_the_canonical_cases() -> None:
    shipped = [(case["family"], case["id"]) for case in ALL_CASES]
    assert shipped == [(spec["family"], spec["id"]) for spec in golden.canonical_cases()]


def _strings(values: object) -> list[str]:
    if isinstance(values, str):
        return [values]
    return [s for v in values for s in _strings(v)]


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: f"{c['family']}:{c['id']}")
def test_values_are_certified_to_30_digits(case: dict) -> None:
    assert case["digits_requested"] == 30
    assert case["digits_certified"] >= 30
    assert case["working_prec_bits"] >= 100
    for text in _strings(case["values"]):
        Fraction(text)  # a finite decimal
        assert golden._significant_digits(text) <= case["digits_certified"] + golden.EXTRA_DIGITS


# --- recomputation from the JSON alone --------------------------------------------------


@pytest.mark.parametrize("case", [_case_param(c) for c in ALL_CASES])
def test_recomputed_case_agrees_with_stored_values(case: dict) -> None:
    spec = json.loads(json.dumps({k: case[k] for k in (*golden.SPEC_KEYS, "digits_requested")}))
    recomputed = golden.compute_case(spec)
    assert recomputed["params"] == case["params"]
    assert golden.compare(case, recomputed) >= case["digits_certified"]


def _exact_agreement(stored: list, exact: list[Fraction]) -> float:
    """max |stored - exact| / max |exact|, in exact arithmetic (real values)."""
    diff = max(abs(Fraction(s) - e) for s, e in zip(stored, exact, strict=True))
    return diff / max(abs(e) for e in exact)


def _rationals(values: list) -> list[Fraction]:
    return [Fraction(v) for v in values]


def _exact_kernel(case: dict) -> list[Fraction]:
    """An independent route: exact rational arithmetic on the JSON parameters."""
    p = case["params"]
    family = case["family"]
    if family == "discrete_kernel":
        Ab = [_rationals(row) for row in p["Ab"]]
        x, C, out = _rationals(p["Bb"]), _rationals(p["C"]), []
        for _ in range(p["L"]):
            out.append(sum(c * v for c, v in zip(C, x)))
            x = [sum(a * v for a, v in zip(row, x)) for row in Ab]
        return out
    if family == "shift_kernel":
        C = _rationals(p["C"])
        return (C + [Fraction(0)] * p["L"])[: p["L"]]
    if family == "causal_conv":
        u, K = _rationals(p["u"]), _rationals(p["K"])
        return [sum(K[j] * u[k - j] for j in range(min(k + 1, len(K)))) for k in range(len(u))]
    assert family == "rtf_kernel" and not p["aliased"]
    a, b, h = _rationals(p["a"]), _rationals(p["b"]), []
    for k in range(p["L"]):
        h.append(
            (b[k] if k < len(b) else 0)
            - sum(a[i - 1] * h[k - i] for i in range(1, min(k, len(a)) + 1))
        )
    return h


RATIONAL_CASES = [
    case
    for case in ALL_CASES
    if case["family"] in {"discrete_kernel", "shift_kernel", "causal_conv", "rtf_kernel"}
    and not (case["family"] == "rtf_kernel" and case["params"]["aliased"])
    and all(isinstance(v, str) for v in _strings(case["values"]))
    and not any(isinstance(v, list) and len(v) == 2 for v in case["values"])
    and '"re":' not in json.dumps(case["params"])
]


@pytest.mark.parametrize("case", RATIONAL_CASES, ids=lambda c: f"{c['family']}:{c['id']}")
def test_rational_cases_against_exact_arithmetic(case: dict) -> None:
    error = _exact_agreement(case["values"], _exact_kernel(case))
    assert error <= Fraction(1, 10 ** case["digits_certified"])


def test_rational_cases_cover_four_families() -> None:
    assert {c["family"] for c in RATIONAL_CASES} == {
        "discrete_kernel", "shift_kernel", "causal_conv", "rtf_kernel"
    }  # fmt: skip


def test_aliased_rtf_is_the_cyclic_solution() -> None:
    """k * a_pad = b_pad (cyclic convolution of length L), checked in exact arithmetic."""
    for case in SHIPPED["rtf_kernel"]["cases"]:
        if not case["params"]["aliased"]:
            continue
        p, L = case["params"], case["params"]["L"]
        a_pad = ([Fraction(1)] + _rationals(p["a"]) + [Fraction(0)] * L)[:L]
        b_pad = (_rationals(p["b"]) + [Fraction(0)] * L)[:L]
        k = _rationals(case["values"])
        cyclic = [sum(k[j] * a_pad[(n - j) % L] for j in range(L)) for n in range(L)]
        scale = max(abs(v) for v in k) * sum(abs(v) for v in a_pad)
        residual = max(abs(c - b) for c, b in zip(cyclic, b_pad))
        assert residual <= scale * Fraction(1, 10 ** case["digits_certified"])


# --- drift: regeneration is byte-identical -----------------------------------------------


@pytest.mark.parametrize("family", ["rtf_kernel", "shift_kernel"])
def test_regenerating_a_family_is_byte_identical(family: str, tmp_path: Path) -> None:
    cases = [c for c in golden.canonical_cases() if c["family"] == family]
    (written,) = golden.export(tmp_path, cases, 30)
    assert written == tmp_path / f"{family}.json"
    assert _same_version(written.read_bytes(), family) == _shipped_bytes(family)


@pytest.mark.slow
def test_regenerating_every_file_is_byte_identical(tmp_path: Path) -> None:
    written = golden.export(tmp_path)
    assert sorted(p.name for p in written) == sorted(f"{f}.json" for f in golden.FAMILIES)
    for path in written:
        assert _same_version(path.read_bytes(), path.stem) == _shipped_bytes(path.stem), path.name


# --- compare can fail -----------------------------------------------------------------


def _tamper(case: dict, position: int) -> dict:
    """A copy with one digit changed at ``position`` significant digits into the largest
    entry (by magnitude) of a real-valued case."""
    tampered = copy.deepcopy(case)
    values = tampered["values"]
    index = max(range(len(values)), key=lambda i: abs(Fraction(values[i])))
    text = values[index]
    digit_positions = [i for i, ch in enumerate(text) if ch.isdigit()]
    first = next(i for i in digit_positions if text[i] != "0")
    where = digit_positions[digit_positions.index(first) + position - 1]
    changed = "5" if text[where] != "5" else "6"
    values[index] = text[:where] + changed + text[where + 1 :]
    return tampered


def test_compare_detects_a_changed_digit() -> None:
    case = SHIPPED["ssm_kernel"]["cases"][0]
    assert golden.compare(case, case) >= case["digits_certified"]
    assert golden.compare(_tamper(case, 12), case) in (10, 11)
    late = _tamper(case, case["digits_certified"] - 3)
    assert golden.compare(late, case) < case["digits_certified"]


def test_compare_discretize_uses_each_parts_max_norm() -> None:
    case = SHIPPED["discretize"]["cases"][0]
    tampered = copy.deepcopy(case)
    tampered["values"][1][0] = str(Fraction(tampered["values"][1][0]) * (1 + Fraction(1, 10**8)))
    assert golden.compare(tampered, case) in (7, 8)


def test_compare_complex_values() -> None:
    case = SHIPPED["dplr_kernel"]["cases"][0]
    assert isinstance(case["values"][0], list)
    tampered = copy.deepcopy(case)
    re_, im = tampered["values"][3]
    tampered["values"][3] = [re_, str(Fraction(im) + Fraction(1, 10**6))]
    assert 3 <= golden.compare(tampered, case) <= 6


def test_compare_rejects_mismatched_cases() -> None:
    kernel, rtf = SHIPPED["ssm_kernel"]["cases"][0], SHIPPED["rtf_kernel"]["cases"][0]
    with pytest.raises(InvalidArgumentError, match="cannot compare"):
        golden.compare(kernel, rtf)
    shorter = copy.deepcopy(kernel)
    shorter["values"] = shorter["values"][:-1]
    with pytest.raises(InvalidArgumentError, match="shapes"):
        golden.compare(kernel, shorter)
    with pytest.raises(InvalidArgumentError, match="case dict"):
        golden.compare({"values": []}, kernel)


# --- encoding of exact numbers ---------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (sp.Rational(-3, 4), "-3/4"),
        (7, "7"),
        (Fraction(1, 3), "1/3"),
        ("1/2-3j", {"re": "1/2", "im": "-3"}),
        (sp.Rational(1, 2) + sp.I / 3, {"re": "1/2", "im": "1/3"}),
        (sp.sqrt(12), {"expr": "2*sqrt(3)"}),
        (sp.sqrt(2) / 2, {"expr": "sqrt(2)/2"}),
        (-sp.Rational(1, 2) + 3 * sp.I * sp.pi, {"expr": "-1/2 + 3*I*pi"}),
        (0.1, "3602879701896397/36028797018963968"),  # the binary value the float holds
    ],
)
def test_encode_number(value: object, expected: object) -> None:
    assert golden.encode_number(value) == expected


def test_encode_number_refuses_non_numbers() -> None:
    with pytest.raises(InvalidTypeError):
        golden.encode_number(object())
    with pytest.raises(InvalidArgumentError):
        golden.encode_number(float("nan"))


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"C": ["0.5"], "L": 2}, "rational string"),
        ({"C": [{"expr": "__import__('os')"}], "L": 2}, "not an exact sympy expression"),
        ({"C": [{"expr": "open(x)"}], "L": 2}, "unknown names"),
        ({"C": [{"expr": "sqrt(2"}], "L": 2}, "cannot parse"),
        ({"C": [{"re": "1"}], "L": 2}, "expected a rational string"),
        ({"C": ["1/0"], "L": 2}, "zero denominator"),
        ({"C": [], "L": 2}, "non-empty"),
        ({"C": ["1"], "L": 0}, "L must be >= 1"),
        ({"C": ["1"]}, "needs 'L'"),
        ({"C": ["1"], "L": 2, "d": 3}, "unknown"),
    ],
)
def test_bad_params_are_refused(params: dict, match: str) -> None:
    with pytest.raises((InvalidArgumentError, InvalidTypeError), match=match):
        golden.decode_params("shift_kernel", params)


def test_case_spec_validation() -> None:
    spec = golden.canonical_cases()[0]
    with pytest.raises(InvalidArgumentError, match="unknown family"):
        golden.compute_case({**spec, "family": "s5_kernel"})
    with pytest.raises(InvalidArgumentError, match="unknown keys"):
        golden.compute_case({**spec, "value": []})
    with pytest.raises(InvalidArgumentError, match="missing 'params'"):
        golden.compute_case({k: v for k, v in spec.items() if k != "params"})
    with pytest.raises(InvalidTypeError):
        golden.compute_case([spec])
    projection = next(c for c in golden.canonical_cases() if c["family"] == "hippo_projection")
    with pytest.raises(InvalidArgumentError, match="unknown signal"):
        golden.compute_case({**projection, "params": {**projection["params"], "signal": "cos"}})
    with pytest.raises(InvalidArgumentError, match="always 'canonical'"):
        golden.decode_params("hippo_projection", {**projection["params"], "convention": "s4"})
    with pytest.raises(InvalidArgumentError, match="unknown method 'rk4'"):
        golden.decode_params("discretize", {**spec["params"], "method": "rk4"})


def test_load_and_export_validation(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="unknown family"):
        golden.load("kernel")
    specs = golden.canonical_cases()
    shift = [c for c in specs if c["family"] == "shift_kernel"]
    with pytest.raises(InvalidArgumentError, match="digits must be >= 1"):
        golden.export(tmp_path, shift, 0)
    with pytest.raises(InvalidArgumentError, match="appears twice"):
        golden.export(tmp_path, shift + shift[:1])
    with pytest.raises(InvalidArgumentError, match="give a directory"):
        golden.export(tmp_path / "one.json", specs[:1] + shift)
    with pytest.raises(InvalidArgumentError, match="nothing to export"):
        golden.export(tmp_path, [])
    with pytest.raises(InvalidArgumentError, match="cannot be certified"):
        golden.export(tmp_path, shift, 5000)
    assert list(tmp_path.iterdir()) == []  # nothing is written when a case fails


def test_export_single_file_and_custom_cases(tmp_path: Path) -> None:
    spec = golden.canonical_cases()[-1]
    custom = {**spec, "id": "custom", "params": {**spec["params"], "N": 2}}
    (path,) = golden.export(tmp_path / "mine.json", [custom], digits=20)
    document = golden.validate_document(json.loads(path.read_text(encoding="utf-8")))
    assert document["generated_by"].startswith("hippo_verify.oracles.golden.export (custom")
    (case,) = document["cases"]
    assert case["digits_requested"] == 20 and len(case["values"]) == 2
    shipped = SHIPPED["hippo_projection"]["cases"][-1]
    assert golden.compare(shipped | {"values": shipped["values"][:2]}, case) >= 20


def test_validate_document_refuses_other_schemas() -> None:
    document = copy.deepcopy(SHIPPED["shift_kernel"])
    with pytest.raises(golden.GoldenDataError, match="schema 2"):
        golden.validate_document({**document, "schema": 2})
    with pytest.raises(golden.GoldenDataError, match="family"):
        golden.validate_document(document, "rtf_kernel")
    del document["cases"][0]["values"]
    with pytest.raises(golden.GoldenDataError, match="lacks"):
        golden.validate_document(document)


def test_package_data_is_declared() -> None:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is in the standard library from 3.11")
    root = Path(__file__).resolve().parents[2]
    config = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = config["tool"]["setuptools"]["package-data"]["hippo_verify.data"]
    data_dir = root / "hippo_verify" / "data"
    shipped = {p.name for p in data_dir.iterdir() if p.suffix in {".json", ".md"}}
    assert {name for pattern in patterns for name in (p.name for p in data_dir.glob(pattern))} == (
        shipped
    )
    assert "SCHEMA.md" in shipped


# --- CLI -----------------------------------------------------------------------------------


def test_cli_export_one_family(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "golden"
    assert main(["export", "--out", str(out), "--family", "shift_kernel"]) == 0
    captured = capsys.readouterr()
    assert "shift_kernel: d4-L8" in captured.err and "wrote 1 files" in captured.out
    assert [p.name for p in out.iterdir()] == ["shift_kernel.json"]
    assert _same_version((out / "shift_kernel.json").read_bytes(), "shift_kernel") == (
        _shipped_bytes("shift_kernel")
    )


def test_cli_export_several_families_and_digits(tmp_path: Path) -> None:
    argv = ["export", "--out", str(tmp_path), "--family", "shift_kernel", "causal_conv"]
    assert main([*argv, "--family", "rtf_kernel", "--digits", "40"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "causal_conv.json", "rtf_kernel.json", "shift_kernel.json"
    ]  # fmt: skip
    document = json.loads((tmp_path / "rtf_kernel.json").read_text(encoding="utf-8"))
    assert document["generated_by"] == "hippo-verify export --family rtf_kernel --digits 40"
    assert all(case["digits_certified"] >= 40 for case in document["cases"])


@pytest.mark.parametrize(
    "argv",
    [
        ["--family", "nope"],
        ["--family", "shift_kernel", "--digits", "0"],
        ["--family", "shift_kernel", "--digits", "5000"],
    ],
)
def test_cli_export_usage_errors(argv: list[str], tmp_path: Path) -> None:
    assert main(["export", "--out", str(tmp_path / "g"), *argv]) == 2
    assert not (tmp_path / "g").exists()


def test_cli_export_out_is_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "taken"
    target.write_text("x")
    assert main(["export", "--out", str(target), "--family", "shift_kernel"]) == 2
    assert "must be a directory" in capsys.readouterr().err


def test_cli_export_certification_failure_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise CertificationError("could not certify 30 digits")

    monkeypatch.setattr(golden, "_call_oracle", fail)
    assert main(["export", "--out", str(tmp_path), "--family", "shift_kernel"]) == 1
    assert "check failed: could not certify" in capsys.readouterr().err


def test_cli_export_non_integer_digits_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", "--digits", "many"])
    assert exit_info.value.code == 2
