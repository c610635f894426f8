"""The mixed-precision error models of the selective scans: loose enough never to fail a
correct kernel (bf16/fp16 in and out, float32 arithmetic) over the registry's strategies,
tight enough to fail one that accumulates in bf16/fp16.

The low-precision kernel below is the spec's recurrence written plainly in the inputs'
dtype (never upcast), as a kernel author who forgot the float32 accumulator would.
"""

from __future__ import annotations

import mpmath
import pytest
import torch
import torch.nn.functional as F
from hypothesis import HealthCheck, given, settings

from hippo_verify.testing import ALGORITHMS, compare_kernel
from hippo_verify.testing.grader import check_kernel

LOW = (torch.bfloat16, torch.float16)
MIXED_ALGORITHMS = [n for n in ALGORITHMS if n.startswith(("selective-scan", "ssd"))]


def _at(M: torch.Tensor, t: int, d: int) -> torch.Tensor:
    """B or C at step t as (b | 1, d | 1, n)."""
    if M.dim() == 2:
        return M
    if M.dim() == 3:
        return M[:, None, :, t]
    return M[:, :, :, t].repeat_interleave(d // M.shape[1], dim=1)


def low_precision_scan(
    u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False, *, discretization
):
    """The selective scan with its state, decays and sums in the inputs' dtype."""
    if delta_bias is not None:
        delta = delta + delta_bias[None, :, None]
    if delta_softplus:
        delta = F.softplus(delta)
    b, d, L = u.shape
    x = torch.zeros(b, d, A.shape[1], dtype=u.dtype)
    ys = []
    for t in range(L):
        dA = delta[:, :, t, None] * A
        if discretization == "zoh":
            Bbar = torch.expm1(dA) / A * _at(B, t, d)
        else:
            Bbar = delta[:, :, t, None] * _at(B, t, d)
        x = torch.exp(dA) * x + Bbar * u[:, :, t, None]
        ys.append((x * _at(C, t, d)).sum(-1))
    y = torch.stack(ys, -1)
    if D is not None:
        y = y + D[None, :, None] * u
    return y * F.silu(z) if z is not None else y


def _passes(name: str, inputs: dict, dtype: torch.dtype, y: torch.Tensor) -> bool:
    record = ALGORITHMS[name]
    comparison = compare_kernel(
        y.reshape(-1),
        record.run_oracle(inputs),
        algorithm=name,
        N=record.state_size(inputs),
        cond=record.condition_of(inputs),
    )
    return comparison.passed


@pytest.mark.parametrize("dtype", LOW, ids=str)
@pytest.mark.parametrize("name", MIXED_ALGORITHMS)
def test_a_correct_kernel_never_fails_the_mixed_model(name: str, dtype: torch.dtype) -> None:
    record = ALGORITHMS[name]

    @settings(max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(record.strategy())
    def check(inputs: dict) -> None:
        if not record.accepts(inputs, dtype) or record.condition_of(inputs) == float("inf"):
            return
        y = record.run_kernel(inputs, dtype)
        assert y.dtype == dtype
        assert _passes(name, inputs, dtype, y)

    check()


@pytest.mark.parametrize("dtype", LOW, ids=str)
def test_accumulating_in_the_low_precision_fails_the_grader(dtype: torch.dtype) -> None:
    verdict = check_kernel(
        low_precision_scan, "selective-scan-sequential", dtypes=[dtype], examples=20, shrink=False
    )
    assert not verdict
    assert verdict.dtypes[0].failure.kind == "model"


@pytest.mark.parametrize("dtype", LOW, ids=str)
def test_the_project_kernel_passes_the_grader_in_low_precision(dtype: torch.dtype) -> None:
    record = ALGORITHMS["selective-scan-parallel"]
    verdict = check_kernel(record.kernel, record.name, dtypes=[dtype], examples=10)
    assert verdict, verdict.markdown()


def test_the_mixed_bound_is_the_output_rounding_plus_float32_arithmetic() -> None:
    model = ALGORITHMS["selective-scan-sequential"].model
    for dtype, u in ((torch.bfloat16, 2.0**-8), (torch.float16, 2.0**-11)):
        assert model.compute_dtype(dtype) == torch.float32
        bound = model.bound(dtype, L=16, N=4, cond=10.0)
        assert bound == pytest.approx(u + model.constant * 2.0**-24 * 10.0)


def test_a_float16_output_in_the_subnormal_range_gets_the_underflow_floor() -> None:
    """Outputs around 1e-6 are float16 subnormals (spacing 2^-24 ~ 6e-8): a correctly
    rounded output errs by up to 3% relative, which only the underflow floor admits."""
    from hippo_verify.oracles import OracleResult

    exact = [1e-6 * (1 + k / 7) for k in range(7)]
    oracle = OracleResult("selective_scan", [mpmath.mpf(v) for v in exact], 30, 128, "test")
    rounded = torch.tensor(exact, dtype=torch.float64).to(torch.float16)
    comparison = compare_kernel(rounded, oracle, algorithm="selective-scan-sequential", N=1, cond=1)
    assert comparison.max_relative > 10 * 2.0**-11  # far beyond u(float16) alone
    assert comparison.passed
