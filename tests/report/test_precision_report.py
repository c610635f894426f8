"""The precision report (``hippo_verify.report._precision``): files, structure, outcomes.

Runs the canonical cases at reduced sizes (``quick=True``) and hand-made cases with fake
kernels (correct, wrong, raising, missing) so that every outcome of a row is exercised.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
import torch

from hippo_verify import InvalidArgumentError
from hippo_verify.report._precision import (
    PrecisionCase,
    build_precision_report,
    canonical_cases,
    precision_failures,
)
from hippo_verify.testing import ALGORITHMS, error_bound

ROW_KEYS = {
    "dtype",
    "output_dtype",
    "status",
    "max_relative_error",
    "digits",
    "error_over_u",
    "nonfinite_taps",
    "bound",
    "error_model",
    "bad_taps",
    "L",
}
ENV_KEYS = {"python", "torch", "mpmath", "numpy", "device", "cpu", "runtime_seconds"}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    out = tmp_path_factory.mktemp("precision")
    lines: list[str] = []
    written = build_precision_report(out, quick=True, progress=lines.append)
    assert written == [out / "precision.md", out / "precision.json"]
    return out, lines


def without_environment(out: Path) -> tuple[str, dict]:
    markdown = (out / "precision.md").read_text(encoding="utf-8")
    data = json.loads((out / "precision.json").read_text(encoding="utf-8"))
    data.pop("environment")
    return markdown.split("## Environment")[0], data


def test_quick_report_json_structure(quick) -> None:
    out, lines = quick
    data = json.loads((out / "precision.json").read_text(encoding="utf-8"))
    assert data["schema"] == 1 and set(data["environment"]) >= ENV_KEYS
    keys = [case.key for case in canonical_cases(quick=True)]
    cases_by_key = {case.key: case for case in canonical_cases(quick=True)}
    assert [case["case"] for case in data["cases"]] == keys
    assert len(lines) == len(keys) and lines[0].startswith(f"[1/{len(keys)}] precision ")
    for case in data["cases"]:
        if not case["available"]:
            assert case["reason"]
            continue
        assert case["oracle"]["digits"] >= 25 and case["cond"] > 0
        measured = [str(d).removeprefix("torch.") for d in cases_by_key[case["case"]].dtypes]
        assert [row["dtype"] for row in case["rows"]] == measured
        assert measured[:2] == ["float64", "float32"]
        for row in case["rows"]:
            # An "error" row would mean the report calls the kernel wrongly.
            assert row["status"] in ("pass", "FAIL"), (case["case"], row)
            assert set(row) == ROW_KEYS
            assert row["bound"] > 0 and row["bad_taps"] >= 0
            low = row["dtype"] in ("bfloat16", "float16")  # 2.4 and 3.3 digits at best
            assert row["digits"] is None or row["digits"] > (1.5 if low else 4)


def test_quick_report_markdown_structure(quick) -> None:
    out, _ = quick
    data = json.loads((out / "precision.json").read_text(encoding="utf-8"))
    text = (out / "precision.md").read_text(encoding="utf-8")
    assert text.startswith("# Precision report\n")
    header = "| configuration | kernel | dtype | max rel. error | digits | error / u | bound "
    assert header in text and "## Oracles" in text and "## Environment" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and "`" in line]
    measured = sum(len(c["rows"]) for c in data["cases"] if c["available"])
    oracles = sum(1 for c in data["cases"] if c["available"])
    assert len(rows) == measured + oracles
    assert f"- torch: {torch.__version__}" in text
    for case in data["cases"]:
        if case["available"]:
            assert f"| {case['configuration']} | `{case['kernel']}`" in text
        else:
            assert f"`{case['kernel']}` not available" in text


def test_the_report_is_deterministic_except_the_environment(quick, tmp_path: Path) -> None:
    out, _ = quick
    build_precision_report(tmp_path, quick=True, progress=lambda line: None)
    assert without_environment(tmp_path) == without_environment(out)


def test_the_quick_report_has_no_failures(quick) -> None:
    out, _ = quick
    assert precision_failures(out / "precision.json") == []


# ---------------------------------------------------------------------------------------
# Every outcome, with fake kernels
# ---------------------------------------------------------------------------------------

L = 16
C = [0.5, -0.25, 0.125, 1.0]


def shift_case(kernel, name: str = "shift") -> PrecisionCase:
    """The shift algorithm's record with another kernel (and maybe another model name)."""
    algorithm = dataclasses.replace(ALGORITHMS["shift"], name=name, kernel=kernel)
    return PrecisionCase(
        f"fake-_fake_for_tests:{kernel.__name__}",
        f"shift d=4 L={L}",
        algorithm,
        lambda: {"C": C, "L": L},
    )


def exact(C: torch.Tensor, L: int) -> torch.Tensor:
    return torch.nn.functional.pad(C, (0, L - C.shape[-1]))


def wrong(C: torch.Tensor, L: int) -> torch.Tensor:
    K = exact(C, L)
    K[2] += 1e-3
    return K


def boom(C: torch.Tensor, L: int) -> torch.Tensor:
    raise ValueError("boom\nsecond line")


def nan(C: torch.Tensor, L: int) -> torch.Tensor:
    K = exact(C, L)
    K[0] = float("nan")
    return K


def float32_only_case() -> PrecisionCase:
    """``vandermonde-f64phase`` (a float32-only model) measured in float64 too."""
    inputs = {"lam": [-0.5 + 1j], "B": [1 + 0j], "C": [0.5 - 0.25j], "L": L, "dt": 0.0625}
    algorithm = ALGORITHMS["vandermonde-f64phase"]
    return PrecisionCase("f32-only", "one mode", algorithm, lambda: inputs)


def test_every_outcome_is_reported(tmp_path: Path) -> None:
    cases = [
        shift_case(exact, "no-such-model"),
        shift_case(wrong),
        shift_case(boom),
        float32_only_case(),
        shift_case(nan),
    ]
    build_precision_report(tmp_path, configs=cases, progress=lambda line: None)
    data = json.loads((tmp_path / "precision.json").read_text(encoding="utf-8"), parse_constant=_no)
    exact_row, wrong_row, boom_row, f64_only, nan_row = data["cases"]
    assert [r["status"] for r in exact_row["rows"]] == ["pass", "pass"]
    assert exact_row["rows"][0]["error_model"] == "default (16 u log2 L)"
    assert exact_row["rows"][0]["digits"] is None
    assert exact_row["rows"][0]["max_relative_error"] == 0
    assert [r["status"] for r in wrong_row["rows"]] == ["FAIL", "FAIL"]
    assert wrong_row["rows"][0]["bad_taps"] == 1
    assert wrong_row["rows"][0]["error_model"] == "shift"
    assert wrong_row["rows"][0]["max_relative_error"] == pytest.approx(1e-3, rel=1e-6)
    assert boom_row["rows"][0] == {
        "dtype": "float64",
        "status": "error",
        "error": "ValueError: boom",
    }
    assert f64_only["rows"][0]["error_model"] == (
        "vandermonde-f64phase (no model for float64; default bound)"
    )
    assert f64_only["rows"][1]["error_model"] == "vandermonde-f64phase"
    assert [r["status"] for r in nan_row["rows"]] == ["FAIL", "FAIL"]
    assert nan_row["rows"][0]["nonfinite_taps"] == 1 and nan_row["rows"][0]["digits"] is None
    text = (tmp_path / "precision.md").read_text(encoding="utf-8")
    assert "| 1 taps NaN/inf |" in text
    assert "| error: ValueError: boom |" in text
    assert "| FAIL |" in text and "| exact |" in text
    assert precision_failures(tmp_path / "precision.json") == [
        "fake-_fake_for_tests:wrong float64: FAIL, error 1.0e-03 > bound 3.2e-15 (shift)",
        "fake-_fake_for_tests:wrong float32: FAIL, error 1.0e-03 > bound 1.7e-06 (shift)",
        "fake-_fake_for_tests:boom float64: error: ValueError: boom",
        "fake-_fake_for_tests:boom float32: error: ValueError: boom",
        "fake-_fake_for_tests:nan float64: FAIL, 1 taps are NaN or infinite",
        "fake-_fake_for_tests:nan float32: FAIL, 1 taps are NaN or infinite",
    ]


def _no(constant: str) -> None:
    raise AssertionError(f"precision.json holds {constant}, which is not JSON")


def test_no_cases_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidArgumentError, match="at least one case"):
        build_precision_report(tmp_path, configs=[])


def test_every_row_is_judged_by_its_algorithms_model_at_the_cases_condition(quick) -> None:
    """bound = error_bound(algorithm, output dtype, L, N, cond) with the N and cond the
    case reports (from the registry record), not the default bound or cond 1."""
    out, _ = quick
    data = json.loads((out / "precision.json").read_text(encoding="utf-8"))
    names = {case.key: case.algorithm.name for case in canonical_cases(quick=True)}
    assert any(case["cond"] > 1 for case in data["cases"])  # cond 1 would go unnoticed
    for case in data["cases"]:
        name = names[case["case"]]
        assert case["cond_source"] == ALGORITHMS[name].condition.__name__
        for row in case["rows"]:
            dtype = getattr(torch, row["output_dtype"])
            wanted = error_bound(name, dtype, L=row["L"], N=case["N"], cond=case["cond"])
            # + compare_kernel's underflow floor: below 1e-40 except for float16 outputs
            slack = 1e-2 if dtype == torch.float16 else 1e-12
            assert wanted <= row["bound"] * (1 + 1e-12), (case["case"], row)
            assert row["bound"] == pytest.approx(wanted, rel=slack, abs=0), (case["case"], row)
            assert row["error_model"] == ALGORITHMS[name].model.algorithm
