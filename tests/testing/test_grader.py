"""``check_kernel``: the project's kernels pass; planted defects of each kind fail.

Each defect is a realistic bug in a kernel someone else wrote: a silent downcast, a 25x
float32 loss that stays inside the error model, an off-by-one in L, a sign convention,
an exception inside the kernel, a NaN tap. Each must fail with its kind, a shrunk
counterexample and inputs that reproduce it.
"""

from __future__ import annotations

import functools
import math

import pytest
import torch

from hippo_verify import InvalidArgumentError, InvalidTypeError, kernels
from hippo_verify.testing import ALGORITHMS
from hippo_verify.testing.grader import (
    REFERENCE_RATIO,
    REFERENCE_SLACK_ULPS,
    Verdict,
    check_kernel,
)

EXAMPLES = 8
#: Failure tests skip shrinking (each shrink step runs an oracle); one test shrinks.
FAST = {"examples": EXAMPLES, "shrink": False}


@pytest.mark.parametrize("name", sorted(ALGORITHMS))
def test_the_projects_own_kernels_pass(name: str) -> None:
    record = ALGORITHMS[name]  # the kernel with the record's options (mode, float64_phase)
    verdict = check_kernel(functools.partial(record.kernel, **record.options), name, **FAST)
    assert verdict, verdict.markdown()
    assert all(d.examples >= 1 for d in verdict.dtypes)


def _failure(verdict: Verdict, dtype: torch.dtype):
    (grade,) = [d for d in verdict.dtypes if d.dtype == dtype]
    assert not grade.passed
    return grade.failure


def test_a_silent_downcast_fails() -> None:
    def downcast(lam, B, C, L, *, dt, method="zoh", conj_pairs=True):
        to32 = {torch.complex128: torch.complex64, torch.complex64: torch.complex64}
        K = kernels.diag_kernel(
            *(x.to(to32[x.dtype]) for x in (lam, B, C)),
            L,
            dt=dt,
            method=method,
            conj_pairs=conj_pairs,
        )
        return K

    verdict = check_kernel(downcast, "vandermonde", **FAST)
    failure = _failure(verdict, torch.float64)
    assert failure.kind == "dtype" and "declare compute_dtype" in failure.message
    assert [d.passed for d in verdict.dtypes] == [False, True]  # float32 in, float32 out
    # declared, it is judged in float32 and passes
    assert check_kernel(downcast, "vandermonde", examples=EXAMPLES, compute_dtype=torch.float32)


def _amplified(kernel, factor: float):
    """``kernel`` whose float32 rounding error is ``factor`` times larger, for kernels with
    complex inputs too (the wide run keeps the imaginary parts: complex128, not float64)."""

    def wide(a):
        if not isinstance(a, torch.Tensor):
            return a
        return a.to(torch.complex128) if a.is_complex() else a.to(torch.float64)

    def lossy(*args, **kwargs):
        y = kernel(*args, **kwargs)
        exact = kernel(*map(wide, args), **{k: wide(v) for k, v in kwargs.items()})
        return (exact + factor * (y.to(exact.dtype) - exact)).to(y.dtype)

    return lossy


def test_a_25x_float32_loss_fails() -> None:
    """A causal convolution 25x less accurate in float32 (about what FFT nodes built as
    w**j cost) is caught; float64 is untouched and passes."""
    verdict = check_kernel(_amplified(kernels.causal_conv, 25), "fft-conv", shrink=False)
    failure = _failure(verdict, torch.float32)
    assert failure.kind in ("reference", "model"), failure.message
    assert verdict.dtypes[0].passed


def test_an_off_by_one_in_L_fails() -> None:
    def off_by_one(C, L):  # one tap too many computed, the wrong end dropped
        return kernels.shift_kernel(C, L + 1)[..., 1:]

    failure = _failure(check_kernel(off_by_one, "shift", **FAST), torch.float64)
    assert failure.kind in ("model", "reference")
    assert "taps outside the bound" in failure.message


def test_a_wrong_sign_convention_fails() -> None:
    """S4D with the imaginary part of the modes negated (the conjugate convention)."""

    def conjugated(lam, B, C, L, *, dt, method="zoh", conj_pairs=True):
        return kernels.diag_kernel(lam.conj(), B, C, L, dt=dt, method=method, conj_pairs=conj_pairs)

    failure = _failure(check_kernel(conjugated, "vandermonde", **FAST), torch.float64)
    assert failure.kind == "model"
    assert "lam" in failure.inputs  # the reproducing inputs are printed


def test_an_exception_inside_the_kernel_is_the_kernels_failure() -> None:
    def broken(a, b, L):
        raise RuntimeError("index out of range in the user's code")

    failure = _failure(check_kernel(broken, "rtf-fft", **FAST), torch.float64)
    assert failure.kind == "exception"
    assert "index out of range in the user's code" in failure.message
    assert "Traceback" in failure.message


def test_a_nan_tap_fails() -> None:
    def nan_tap(Ab, Bb, C, L):
        K = kernels.discrete_kernel(Ab, Bb, C, L)
        K[..., -1] = math.nan
        return K

    failure = _failure(check_kernel(nan_tap, "krylov-doubling", **FAST), torch.float64)
    assert failure.kind == "nonfinite"


def test_the_failure_is_shrunk_and_reproducible() -> None:
    def off_at_tap_3(C, L):
        K = kernels.shift_kernel(C, L)
        if L > 3:
            K[..., 3] += 1.0
        return K

    failure = _failure(check_kernel(off_at_tap_3, "shift", examples=50), torch.float64)
    inputs = eval(failure.inputs)  # exact literals: floats print exactly
    assert inputs["L"] == 4  # hypothesis shrinks L to the smallest failing length
    assert len(inputs["C"]) == 1
    K = off_at_tap_3(torch.tensor(inputs["C"], dtype=torch.float64), inputs["L"])
    assert K[3] != 0  # the printed inputs reproduce the failure


def test_a_foreign_kernel_may_name_its_parameters_its_own_way() -> None:
    def mine(x, n):  # (C, L) of shift_kernel, other names
        return kernels.shift_kernel(x, n)

    assert check_kernel(mine, "shift", examples=EXAMPLES)


def test_the_verdict_renders_as_markdown_and_json() -> None:
    verdict = check_kernel(kernels.shift_kernel, "shift", examples=3)
    assert "| float64 | " in verdict.markdown() and "PASS" in verdict.markdown()
    data = verdict.as_dict()
    assert data["passed"] is True and data["reference_slack_ulps"] == REFERENCE_SLACK_ULPS
    assert [d["dtype"] for d in data["dtypes"]] == ["float64", "float32"]
    assert '"passed": true' in verdict.to_json()


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"fn": 3, "algorithm": "shift"}, InvalidTypeError, "callable"),
        ({"fn": kernels.shift_kernel, "algorithm": "nope"}, InvalidArgumentError, "unknown"),
        (
            {"fn": kernels.shift_kernel, "algorithm": "shift", "examples": 0},
            InvalidArgumentError,
            ">= 1",
        ),
        (
            {"fn": kernels.shift_kernel, "algorithm": "shift", "dtypes": [torch.float16]},
            InvalidArgumentError,
            "no error model",
        ),
        (
            {"fn": kernels.shift_kernel, "algorithm": "shift", "reference_ratio": 0.5},
            InvalidArgumentError,
            ">= 1",
        ),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        check_kernel(**kwargs)


def test_the_json_card_holds_no_infinity() -> None:
    """The reference check turned off (ratio inf) and a dtype that failed before any
    passing example render as null, not as inf or a fake 'exact'."""
    verdict = check_kernel(kernels.shift_kernel, "shift", examples=2, reference_ratio=math.inf)
    assert '"reference_ratio": null' in verdict.to_json()

    def broken(C, L):
        raise ValueError("no")

    failed = check_kernel(broken, "shift", examples=2, shrink=False, dtypes=[torch.float64])
    assert failed.as_dict()["dtypes"][0]["worst_digits"] is None
    assert "| float64 | 0 | — |" in failed.markdown()


def test_an_fft_computed_shift_kernel_passes() -> None:
    """The shift SSM's kernel as S4-style code forms it (generating function at the roots
    of unity, inverse FFT) rounds; the shift model admits that, a wrong tap still fails."""

    def fft_shift(C, L):
        return torch.fft.irfft(torch.fft.rfft(C[..., :L], n=L), n=L)

    assert check_kernel(fft_shift, "shift", examples=20)

    def fft_shift_reversed(C, L):
        return fft_shift(C, L).flip(-1)

    assert not check_kernel(fft_shift_reversed, "shift", **FAST)


def test_a_loss_inside_the_error_model_fails_the_reference_check() -> None:
    """H3's recurrence 2 x REFERENCE_RATIO less accurate in float32: its error model is
    loose on these inputs (the project's kernel uses 1.4% of the bound, so the lossy one
    stays inside it and passes with the reference check off), but it is 2R x the project's
    kernel's error: the reference check fails it."""
    record = ALGORITHMS["h3-recurrence"]
    kernel = functools.partial(record.kernel, **record.options)
    factor = 2 * REFERENCE_RATIO
    run = {"dtypes": [torch.float32], "examples": 4, "shrink": False, "seed_value": 11}
    own = check_kernel(kernel, "h3-recurrence", reference_ratio=math.inf, **run)
    assert own and own.dtypes[0].worst_bound_use * factor < 1  # the model is loose here

    lossy = _amplified(kernel, factor)
    assert check_kernel(lossy, "h3-recurrence", reference_ratio=math.inf, **run)  # in model
    failure = _failure(check_kernel(lossy, "h3-recurrence", **run), torch.float32)
    assert failure.kind == "reference", failure.message
    assert "inside the error model's bound" in failure.message
    assert "less accurate than hippo_verify.kernels.h3.h3_ssm" in failure.message
