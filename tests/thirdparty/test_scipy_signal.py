"""scipy.signal graded by ``check_kernel``/``check_recurrence`` through examples/scipy_signal.py.

Where scipy agrees the verdict passes; where it disagrees by convention (lfilter convolves
with the truncated response, not the aliased kernel; cont2discrete's Cd/Dd; dlsim reads the
state before the update) the specific failure is asserted and the convention adapter, an
exact transform, passes; the real disagreements (ss2tf's digits, dimpulse(n=1) = NaN) are
asserted with their digits. Every number here is in examples/README.md's table.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _adapters import (
    EXAMPLES,
    FAST,
    MAX_ADAPTER_LINES,
    adapter_lines,
    digits,
    failure,
    float64_inside,
    load,
)
from scipy import signal

from hippo_verify import kernels, oracles
from hippo_verify.testing import ALGORITHMS, check_kernel, check_recurrence, conventions

sig = load("scipy_signal")
F64, F32 = torch.float64, torch.float32


@pytest.mark.parametrize(
    ("check", "name", "algorithm"),
    [
        (check_kernel, "lfilter_impulse", "rtf-impulse"),
        (check_kernel, "tf2ss_dimpulse", "rtf-impulse"),
        (check_kernel, "cont2discrete_discretize", "discretize"),
        (check_kernel, "dimpulse_kernel", "krylov-doubling"),
        (check_kernel, "cont2discrete_kernel", "ssm-doubling"),
        (check_recurrence, "lfilter_aliased_recurrence", "rtf-recurrence"),
        (check_recurrence, "dlsim_scan_shifted", "scan-sequential"),
    ],
)
def test_scipy_agrees(check, name, algorithm) -> None:
    verdict = check(getattr(sig, name), algorithm, **FAST)
    assert verdict, verdict.markdown()


def test_lfilter_convolves_with_the_truncated_response_not_the_aliased_kernel() -> None:
    verdict = check_recurrence(sig.lfilter_recurrence, "rtf-recurrence", **FAST)
    for dtype in (F64, F32):
        assert failure(verdict, dtype).kind == "model"
    # float64: the impulse (output = kernel), 9.53 of 15.41 digits: the aliasing
    # K_k - h_k = sum_{m >= 1} h_{k + mL}, 3e-10 at L = 23 (float32: 0.29 of 5.66 digits)
    obtained, required = digits(failure(verdict, F64))
    assert obtained < required - 3
    # what lfilter computes is the causal convolution with the truncated oracle
    inputs = eval(failure(verdict, F64).inputs)
    n = len(inputs["u"])
    truncated = oracles.rtf_kernel(inputs["a"], inputs["b"], n, aliased=False).floats()
    expected = np.convolve(inputs["u"], truncated)[:n]
    args, kwargs = ALGORITHMS["rtf-recurrence"].arguments(inputs, F64)
    got = sig.lfilter_recurrence(*args, **kwargs)
    np.testing.assert_allclose(got.numpy(), expected, rtol=0, atol=1e-15)
    # the periodized response (the aliased kernel's definition) passes: test_scipy_agrees


def test_cont2discrete_output_convention_is_not_the_kernels() -> None:
    """scipy's (Cd, Dd) keep the transfer function: h_0 = Dd = alpha C Bb; for backward_diff
    (alpha = 1) h_k = K_k exactly, so that method agrees; the exact transform passes."""
    verdict = check_kernel(sig.cont2discrete_dimpulse, "ssm-doubling", **FAST)
    stopped = failure(verdict, F64)
    assert stopped.kind == "model" and eval(stopped.inputs)["method"] == "bilinear"
    assert digits(stopped)[0] == pytest.approx(0.30, abs=0.01)  # h_0 = K_0 / 2
    strategy = ALGORITHMS["ssm-doubling"].strategy()
    backward = strategy.map(lambda x: {**x, "method": "backward_euler"})
    only = {"dtypes": [F64], "strategy": backward, **FAST}
    assert check_kernel(sig.cont2discrete_dimpulse, "ssm-doubling", **only)
    only["strategy"] = strategy.map(lambda x: {**x, "method": "zoh"})
    assert not check_kernel(sig.cont2discrete_dimpulse, "ssm-doubling", **only)


@pytest.mark.parametrize(
    ("method", "alpha"), [("bilinear", 0.5), ("backward_euler", 1), ("zoh", 0)]
)
def test_cont2discrete_impulse_response_is_the_documented_map_of_the_kernel(method, alpha) -> None:
    """h = alpha K + (1 - alpha) K' with K' = pre_update_from_post_update(K) (K'_0 = 0,
    K'_k = K_{k-1}); zoh is alpha = 0 (h = K')."""
    g = torch.Generator().manual_seed(1)
    A = -torch.eye(3, dtype=F64) + 0.1 * torch.randn(3, 3, generator=g, dtype=F64)
    B, C = torch.randn(2, 3, generator=g, dtype=F64)
    K = kernels.ssm_kernel(A, B, C, 12, dt=0.1, method=method)
    h = sig.cont2discrete_dimpulse(A, B, C, 12, dt=0.1, method=method)
    expected = alpha * K + (1 - alpha) * conventions.pre_update_from_post_update(K)
    torch.testing.assert_close(h, expected, rtol=0, atol=1e-14)


def test_dlsim_reads_the_state_before_the_update() -> None:
    verdict = check_recurrence(sig.dlsim_scan, "scan-sequential", **FAST)
    for dtype in (F64, F32):
        stopped = failure(verdict, dtype)
        assert stopped.kind == "model" and "0: 0.0 != " in stopped.message  # y_0 = 0
        assert digits(stopped)[0] == pytest.approx(0, abs=0.01)
    # exactly the pre-update convention: y = u convolved with pre_update_from_post_update(K)
    g = torch.Generator().manual_seed(2)
    Ab, (Bb, C, u) = (
        0.2 * torch.randn(3, 3, generator=g, dtype=F64),
        torch.randn(3, 3, generator=g, dtype=F64),
    )
    K = conventions.pre_update_from_post_update(kernels.discrete_kernel(Ab, Bb, C, 3))
    torch.testing.assert_close(
        sig.dlsim_scan(Ab, Bb, C, u), kernels.causal_conv(u, K), rtol=0, atol=1e-15
    )


def test_ss2tf_loses_digits() -> None:
    """Not a convention: the taps are right to 13.5 of the 14.9 digits the error model
    requires (float64), because ss2tf forms the numerator as poly(eig(A - B C)) - poly(eig
    A) (+ D den), which cancels; float32 also rounds den = poly(eigvals) in float32."""
    verdict = check_kernel(sig.ss2tf_lfilter, "krylov-doubling", **FAST)
    for dtype in (F64, F32):
        stopped = failure(verdict, dtype)
        obtained, required = digits(stopped)  # 13.53 vs 14.85, 6.01 vs 6.12
        assert stopped.kind == "model" and required - 3 < obtained < required


def _tf2ss_dimpulse_as_first_written(a, b, L):
    realization = signal.tf2ss(np.pad(b.numpy(), (0, 1)), np.insert(a.numpy(), 0, 1))
    _, (h,) = signal.dimpulse((*realization, 1.0), n=L)
    return torch.from_numpy(h[:, 0]).to(a.dtype)


def test_dimpulse_of_one_sample_is_nan() -> None:
    """scipy 1.17: dimpulse(system, n=1) is NaN (dlsim interpolates the input on a
    one-point time grid); the adapters ask for two samples. If this fails, scipy changed:
    update examples/README.md and the adapters."""
    stopped = failure(check_kernel(_tf2ss_dimpulse_as_first_written, "rtf-impulse", **FAST), F64)
    assert stopped.kind == "nonfinite" and eval(stopped.inputs)["L"] == 1


@pytest.mark.parametrize(
    ("name", "algorithm", "changes", "inside"),
    [
        ("lfilter_impulse", "rtf-impulse", {}, False),
        ("lfilter_recurrence", "rtf-recurrence", {}, False),
        ("lfilter_aliased_recurrence", "rtf-recurrence", {}, False),
        ("tf2ss_dimpulse", "rtf-impulse", {}, False),
        ("dimpulse_kernel", "krylov-doubling", {}, True),
        ("ss2tf_lfilter", "krylov-doubling", {}, False),
        ("dlsim_scan", "scan-sequential", {}, False),
        ("cont2discrete_discretize", "discretize", {"method": "zoh"}, True),
        ("cont2discrete_discretize", "discretize", {"method": "bilinear"}, False),
        ("cont2discrete_discretize", "discretize", {"method": "backward_euler"}, False),
    ],
)
def test_the_precision_the_docstring_claims(name, algorithm, changes, inside) -> None:
    """float32 in: computed in float64 and rounded once (inside) or rounded on the way."""
    assert float64_inside(getattr(sig, name), algorithm, **changes) is inside


def test_each_adapter_is_short_and_in_the_readme() -> None:
    lines = adapter_lines("scipy_signal")
    assert len(lines) == 11 and max(lines.values()) <= MAX_ADAPTER_LINES, lines
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name, count in lines.items():
        assert f"| `scipy_signal.{name}` | {count} |" in readme, name
