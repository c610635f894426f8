"""``hippo-verify check`` (grade a function named on the command line) and ``tolerance``.

``check`` runs the grader (hypothesis; few examples here, no shrinking where it fails);
exit codes 0 pass, 1 the function failed a check (its exception included), 2 bad usage,
one line on stderr, no traceback. ``tolerance`` prints ``error_bound``'s value exactly.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import torch

import hippo_verify.testing
from hippo_verify.cli import main
from hippo_verify.testing import error_bound, registered_models
from hippo_verify.testing.grader import REFERENCE_RATIO

FAST = ["--examples", "3"]
FAILING = ["--examples", "3", "--no-shrink", "--dtype", "float64"]

KERNELS = '''
import torch
from hippo_verify.kernels import shift_kernel


def renamed(c, length):
    """A correct shift kernel with its own parameter names."""
    return shift_kernel(c, length)


def wrong_sign(C, L):
    return -shift_kernel(C, L)


def raises(C, L):
    raise RuntimeError("bug inside the user's kernel")


def downcast(C, L):
    return shift_kernel(C.to(torch.float32), L)


def too_many(C, L, extra):
    return shift_kernel(C, L)


NOT_CALLABLE = 3
'''


@pytest.fixture
def kernels_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's module in tmp_path, under a name unique to the test; sys.path and the
    modules it loads are restored afterwards."""
    path = tmp_path / f"user_kernels_{abs(hash(str(tmp_path)))}.py"
    path.write_text(KERNELS, encoding="utf-8")
    monkeypatch.setattr(sys, "path", list(sys.path))
    before = set(sys.modules)
    yield path
    for name in set(sys.modules) - before:
        if str(tmp_path) in str(getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# ----------------------------------------------------------------------------- check


def test_a_correct_kernel_passes_with_its_card(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(
        ["check", "hippo_verify.kernels:shift_kernel", "--algorithm", "shift", *FAST], capsys
    )
    assert code == 0, out + err
    assert out.startswith("## hippo_verify.kernels.h3.shift_kernel as `shift`: PASS")
    assert "| float64 | 3 |" in out and "| float32 | 3 |" in out
    # progress: one line per dtype, on stderr
    assert "shift float64: pass" in err and "shift float32: pass" in err
    assert "##" not in err


def test_a_py_file_path_and_its_own_parameter_names(
    kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["check", f"{kernels_file}:renamed", "--algorithm", "shift"] + FAST, capsys
    )
    assert code == 0, out + err
    assert f"{kernels_file.stem}.renamed as `shift`: PASS" in out


def test_a_dotted_module_importable_from_the_current_directory(
    kernels_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(kernels_file.parent)
    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in ("", ".")])
    code, out, err = _run(
        ["check", f"{kernels_file.stem}:renamed", "--algorithm", "shift"] + FAST, capsys
    )
    assert code == 0, out + err


def test_a_broken_kernel_exits_1_with_the_failure(
    kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(
        ["check", f"{kernels_file}:wrong_sign", "--algorithm", "shift", *FAILING], capsys
    )
    assert code == 1
    assert "wrong_sign as `shift`: FAIL" in out
    assert "### float64: model" in out and "inputs = {" in out
    assert "shift float64: FAIL (model)" in err


def test_a_silent_downcast_fails_unless_declared(
    kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["check", f"{kernels_file}:downcast", "--algorithm", "shift", *FAILING]
    code, out, _ = _run(argv, capsys)
    assert code == 1 and "### float64: dtype" in out
    code, out, _ = _run(argv + ["--compute-dtype", "float32"], capsys)
    assert code == 0, out


def test_an_exception_in_the_users_code_is_their_failure_not_a_crash(
    kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        ["check", f"{kernels_file}:raises", "--algorithm", "shift", *FAILING], capsys
    )
    assert code == 1
    assert "### float64: exception" in out
    assert "RuntimeError: bug inside the user's kernel" in out


def test_json_and_markdown_files(
    tmp_path: Path, kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    report, card = tmp_path / "out" / "verdict.json", tmp_path / "out" / "card.md"
    argv = ["check", f"{kernels_file}:wrong_sign", "--algorithm", "shift", *FAILING]
    code, out, _ = _run(argv + ["--json", str(report), "--markdown", str(card)], capsys)
    assert code == 1
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["function"] == f"{kernels_file.stem}.wrong_sign"
    assert data["algorithm"] == "shift" and data["passed"] is False
    assert data["reference_ratio"] == REFERENCE_RATIO
    (grade,) = data["dtypes"]
    assert grade["dtype"] == "float64" and grade["passed"] is False
    assert grade["failure"]["kind"] == "model" and grade["failure"]["inputs"].startswith("{")
    assert card.read_text(encoding="utf-8") == out


def test_json_with_the_reference_check_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--reference-ratio inf`` (the check off) still writes strict JSON (null)."""
    report = tmp_path / "verdict.json"
    argv = ["check", "hippo_verify.kernels:shift_kernel", "--algorithm", "shift", *FAST]
    code, _, _ = _run(argv + ["--reference-ratio", "inf", "--json", str(report)], capsys)
    assert code == 0
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["reference_ratio"] is None and data["passed"] is True


BAD_USAGE = [
    (["{file}:nope"], "has no attribute 'nope'; it defines"),
    (["{file}:NOT_CALLABLE"], "is not callable (an object of type int)"),
    (["{dir}/missing.py:fn"], "no such file"),
    (["no_such_module_xyz:fn"], "no module named 'no_such_module_xyz'"),
    (["no_colon_here"], "expected MODULE:FUNCTION"),
    (["{file}:renamed", "--algorithm", "nope"], "unknown algorithm 'nope'; registered: ["),
    (["{file}:renamed", "--dtype", "float16"], "unknown dtype 'float16'"),
    (["{file}:renamed", "--compute-dtype", "int8"], "unknown dtype 'int8'"),
    (["{file}:renamed", "--examples", "0"], "--examples must be >= 1"),
    (["{file}:renamed", "--reference-ratio", "0.5"], "--reference-ratio must be >= 1"),
    (["{file}:too_many"], "expected the signature of hippo_verify.kernels.h3.shift_kernel(C, L)"),
    (["{file}:renamed", "--algorithm", "rtf-fft"], "fn(a, b, L)"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_USAGE)
def test_bad_usage_exits_2_with_one_line(
    argv: list[str], message: str, kernels_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.format(file=kernels_file, dir=kernels_file.parent) for a in argv]
    if "--algorithm" not in argv:
        argv += ["--algorithm", "shift"]
    code, out, err = _run(["check", *FAST, *argv], capsys)
    assert code == 2
    assert out == ""
    assert message in err, err
    assert err.startswith("hippo-verify: ") and err.count("\n") == 1, err
    assert "Traceback" not in err


def test_an_unknown_algorithm_lists_the_registered_ones(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _run(["check", "hippo_verify.kernels:shift_kernel", "--algorithm", "x"], capsys)
    assert code == 2
    assert all(name in err for name in hippo_verify.testing.ALGORITHMS)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import no_such_dependency_xyz\n", "ModuleNotFoundError: No module named"),
        ("raise ValueError('at import')\n", "ValueError: at import"),
        ("def broken(:\n", "SyntaxError"),
    ],
)
def test_a_module_that_fails_to_import_exits_2(
    source: str, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "fails_to_import.py"
    path.write_text(source, encoding="utf-8")
    code, _, err = _run(["check", f"{path}:fn", "--algorithm", "shift"], capsys)
    assert code == 2 and message in err and err.count("\n") == 1, err
    assert "fails_to_import" not in sys.modules


def test_without_hypothesis_check_names_the_extras(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The grader needs hypothesis: blocked (and the grader not yet imported), check exits
    2 with the install command (the subprocess run is in test_layering)."""
    monkeypatch.setitem(sys.modules, "hypothesis", None)
    monkeypatch.delitem(sys.modules, "hippo_verify.testing.grader", raising=False)
    monkeypatch.delattr(hippo_verify.testing, "grader", raising=False)
    code, _, err = _run(
        ["check", "hippo_verify.kernels:shift_kernel", "--algorithm", "shift"], capsys
    )
    assert code == 2
    assert (
        err == "hippo-verify: check needs hypothesis, which is not installed: "
        "pip install 'hippo-verify[test]'\n"
    )


# ------------------------------------------------------------------------- tolerance


def _number(label: str, text: str) -> float:
    match = re.search(rf"{re.escape(label)} = (\S+)", text)
    assert match, text
    return float(match.group(1))


@pytest.mark.parametrize(
    ("algorithm", "dtype", "L", "N", "cond"),
    [
        ("rtf-fft", torch.float32, 1024, 4, 3.0),
        ("vandermonde", torch.float64, 100, 8, 1.0),
        ("shift", torch.float32, 7, 1, 1.0),
        ("dplr-woodbury", torch.complex64, 64, 16, 2.5),
    ],
)
def test_tolerance_prints_the_error_models_bound(
    algorithm: str,
    dtype: torch.dtype,
    L: int,
    N: int,
    cond: float,
    capsys: pytest.CaptureFixture[str],
) -> None:
    name = str(dtype).removeprefix("torch.")
    argv = ["tolerance", "--algorithm", algorithm, "--dtype", name, "--L", str(L)]
    argv += ["--N", str(N), "--cond", str(cond), "--scale", "2.5"]
    code, out, err = _run(argv, capsys)
    assert code == 0 and err == ""
    bound = error_bound(algorithm, dtype, L=L, N=N, cond=cond)
    model = registered_models()[algorithm]
    assert _number("bound", out) == bound
    assert _number("atol", out) == bound * 2.5
    assert f"c = {model.constant:g}" in out and model.growth_text in out
    assert f"rtol=0, atol={bound!r} * expected.abs().max().item()" in out
    assert "An elementwise rtol is not justified" in out


def test_tolerance_atol_is_justified_by_the_model() -> None:
    """The printed pair works: a kernel perturbed by 0.9 x bound x max|K| in its smallest
    tap passes assert_close(rtol=0, atol=bound * max|K|); an elementwise rtol = bound
    would refuse that correct kernel (the small tap's relative error is far larger)."""
    bound = error_bound("shift", torch.float64, L=4)
    expected = torch.tensor([1.0, 1e-8, 0.5, 0.25], dtype=torch.float64)
    actual = expected.clone()
    actual[1] += 0.9 * bound * expected.abs().max()
    torch.testing.assert_close(actual, expected, rtol=0, atol=bound * expected.abs().max().item())
    with pytest.raises(AssertionError):
        torch.testing.assert_close(actual, expected, rtol=bound, atol=0)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--algorithm", "nope", "--dtype", "float32", "--L", "8"], "unknown algorithm 'nope'"),
        (["--algorithm", "shift", "--dtype", "float16", "--L", "8"], "no error model for"),
        (["--algorithm", "shift", "--dtype", "int8", "--L", "8"], "unknown dtype 'int8'"),
        (["--algorithm", "shift", "--dtype", "float32", "--L", "0"], "L must be >= 1"),
        (["--algorithm", "shift", "--dtype", "float32", "--L", "8", "--N", "0"], "N must be"),
        (["--algorithm", "shift", "--dtype", "float32", "--L", "8", "--cond", "nan"], "cond"),
        (["--algorithm", "shift", "--dtype", "float32", "--L", "8", "--scale", "-1"], "--scale"),
    ],
)
def test_tolerance_bad_arguments_exit_2(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["tolerance", *argv], capsys)
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1, err


def test_tolerance_missing_arguments_are_argparse_errors() -> None:
    with pytest.raises(SystemExit) as done:
        main(["tolerance", "--algorithm", "shift", "--dtype", "float32"])
    assert done.value.code == 2
