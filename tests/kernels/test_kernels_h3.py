"""H3 kernels (``hippo_verify.kernels.h3``) against the certified oracles.

The reference for the whole SSM path is an mpmath composition of independent oracles:
``shift_kernel`` -> ``causal_conv`` with k -> product with v (at the oracles' precision) ->
``causal_conv`` with ``h3_diag_kernel`` -> product with q. Inputs are exactly
representable in float32 so one oracle serves both dtypes.
"""

from __future__ import annotations

import functools
import math
import re

import mpmath
import pytest
import torch
from helpers import DEVICES

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.kernels.h3 import h3_ssm, shift_kernel
from hippo_verify.oracles import OracleResult, causal_conv, h3_diag_kernel
from hippo_verify.oracles import shift_kernel as shift_oracle
from hippo_verify.testing import (
    assert_kernel_close,
    error_bound,
    h3_ssm_condition,
    registered_models,
)

DTYPES = [torch.float64, torch.float32]
COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}
# (L, d, N, dt): sequence length, shift taps, diagonal modes (one per conjugate pair), step
CONFIGS = [(64, 4, 4, 0.05), (256, 4, 16, 0.05)]
MODES = ["conv", "recurrence"]


@functools.cache
def _case(L: int, d: int, N: int, dt: float, seed: int = 0, slow: bool = False) -> dict:
    """S4D-Lin modes lam_n = -1/2 + i pi n (``slow``: lam_n = 1e-4 (-1 + i n), so that
    |dt lam| ~ 1e-6), random complex B, C, random q, k, v, shift C."""
    g = torch.Generator().manual_seed(seed + 7919 * L + 31 * N + d)

    def rand(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64).float().double()

    lam = torch.complex(
        torch.full((N,), -0.5, dtype=torch.float64),
        math.pi * torch.arange(N, dtype=torch.float64),
    )
    if slow:
        lam = 1e-4 * torch.complex(-torch.ones(N, dtype=torch.float64), lam.imag / math.pi)
    lam = lam.to(torch.complex64).to(torch.complex128)
    return {
        "q": rand(L),
        "k": rand(L),
        "v": rand(L),
        "shift_C": rand(d),
        "lam": lam,
        "B": torch.complex(rand(N), rand(N)),
        "C": torch.complex(rand(N), rand(N)),
        "dt": dt,
    }


def _exact_product(x, f: float):
    """x * f without rounding (an mpmath number times a double, both binary)."""
    return mpmath.mp.make_mpf(mpmath.libmp.mpf_mul(x._mpf_, mpmath.mpf(f)._mpf_))


@functools.cache
def _oracle(
    L: int, d: int, N: int, dt: float, seed: int = 0, slow: bool = False
) -> tuple[OracleResult, float]:
    """(oracle of y, h3_ssm_condition) for _case(...)."""
    c = _case(L, d, N, dt, seed, slow)
    shift = shift_oracle(c["shift_C"].tolist(), L)
    s = causal_conv(c["k"].tolist(), shift.values)
    diag = h3_diag_kernel(c["lam"].tolist(), c["B"].tolist(), c["C"].tolist(), L, dt=dt)
    u2 = [_exact_product(si, vi) for si, vi in zip(s.values, c["v"].tolist())]
    w = causal_conv(u2, diag.values)
    y = [_exact_product(wi, qi) for wi, qi in zip(w.values, c["q"].tolist())]
    # Each stage is certified relative to its own max-norm; carrying an input error through
    # a length-L convolution costs at most log10(L * cond) digits (<= 4 here).
    digits = min(shift.digits, s.digits, diag.digits, w.digits) - 6
    result = OracleResult(
        family="h3_ssm",
        values=y,
        digits=digits,
        prec=w.prec,
        method="shift_kernel/causal_conv/h3_diag_kernel/causal_conv",
    )
    cond = h3_ssm_condition(c["q"], c["k"], c["v"], c["shift_C"], c["lam"], c["B"], c["C"], dt=dt)
    return result, cond


def _inputs(c: dict, dtype: torch.dtype, device: str) -> dict:
    real = {n: c[n].to(dtype=dtype, device=device) for n in ("q", "k", "v", "shift_C")}
    cplx = {n: c[n].to(dtype=COMPLEX[dtype], device=device) for n in ("lam", "B", "C")}
    return {**real, **cplx, "dt": c["dt"]}


# ---------------------------------------------------------------------------------------
# Shift kernel
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("d", "L"), [(4, 256), (8, 4), (1, 1)])
def test_shift_kernel_matches_oracle(d, L, dtype, device):
    C = torch.randn(d, generator=torch.Generator().manual_seed(d), dtype=torch.float64)
    C = C.to(dtype)
    K = shift_kernel(C.to(device), L)
    assert K.shape == (L,) and K.dtype == dtype and K.device.type == device
    assert_kernel_close(K, shift_oracle(C.double().tolist(), L), algorithm="shift")
    expected = torch.zeros(L, dtype=dtype)
    expected[: min(d, L)] = C[:L]
    assert torch.equal(K.cpu(), expected)


def test_shift_kernel_batched():
    C = torch.arange(6, dtype=torch.float64).reshape(2, 3)
    assert torch.equal(
        shift_kernel(C, 5), torch.tensor([[0, 1, 2, 0, 0], [3, 4, 5, 0, 0]], dtype=torch.float64)
    )


# ---------------------------------------------------------------------------------------
# The SSM path vs the oracle composition
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("L", "d", "N", "dt"), CONFIGS)
def test_h3_ssm_matches_oracle_composition(L, d, N, dt, mode, dtype, device):
    oracle, cond = _oracle(L, d, N, dt)
    y = h3_ssm(**_inputs(_case(L, d, N, dt), dtype, device), mode=mode)
    assert y.shape == (L,) and y.dtype == dtype and y.device.type == device
    assert_kernel_close(y, oracle, algorithm=f"h3-{mode}", N=N, cond=cond)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_conv_equals_recurrence_batched(dtype, device):
    """(batch 2, channels 3) with one dt, shift_C and mode set per channel."""
    L, d, N = 128, 4, 8
    g = torch.Generator().manual_seed(5)

    def rand(*shape):
        return torch.randn(*shape, generator=g, dtype=torch.float64)

    lam = torch.complex(
        -torch.rand(3, N, generator=g, dtype=torch.float64) - 0.1,
        math.pi * torch.arange(N, dtype=torch.float64).expand(3, N),
    )
    args64 = {
        "q": rand(2, 3, L),
        "k": rand(2, 3, L),
        "v": rand(2, 3, L),
        "shift_C": rand(3, d),
        "lam": lam,
        "B": torch.complex(rand(3, N), rand(3, N)),
        "C": torch.complex(rand(3, N), rand(3, N)),
        "dt": torch.tensor([0.01, 0.05, 0.1], dtype=torch.float64),
    }
    args = {
        n: t.to(dtype=COMPLEX[dtype] if t.is_complex() else dtype, device=device)
        for n, t in args64.items()
    }
    y_conv = h3_ssm(**args, mode="conv")
    y_rec = h3_ssm(**args, mode="recurrence")
    assert y_conv.shape == y_rec.shape == (2, 3, L)
    for i in range(2):
        for h in range(3):
            cond = h3_ssm_condition(
                *(args64[name][i, h] for name in ("q", "k", "v")),
                *(args64[name][h] for name in ("shift_C", "lam", "B", "C")),
                dt=args64["dt"][h],
            )
            tol = sum(error_bound(f"h3-{m}", dtype, L=L, N=N, cond=cond) for m in MODES)
            scale = float(y_conv[i, h].abs().max())
            assert float((y_conv[i, h] - y_rec[i, h]).abs().max()) <= tol * scale
            # and the batched call agrees with the per-channel call: both lie inside h3-conv
            # of the exact y, so within twice it (not bit-exact: batched and single FFTs
            # take different vectorized paths and round differently)
            single = {n: (t[i, h] if n in ("q", "k", "v") else t[h]) for n, t in args.items()}
            one = h3_ssm(**single, mode="conv")
            conv_bound = 2 * error_bound("h3-conv", dtype, L=L, N=N, cond=cond)
            assert float((one - y_conv[i, h]).abs().max()) <= conv_bound * scale


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_small_dt_lam_keeps_its_digits(mode, dtype):
    """|dt lam| ~ 1e-6: ZOH's Bb = (e^{dt lam} - 1)/lam B must come from expm1; e^x - 1
    there loses 6 digits in float64 and every digit in float32."""
    oracle, cond = _oracle(64, 4, 2, 0.01, slow=True)
    y = h3_ssm(**_inputs(_case(64, 4, 2, 0.01, slow=True), dtype, "cpu"), mode=mode)
    assert_kernel_close(y, oracle, algorithm=f"h3-{mode}", N=2, cond=cond)


def test_recurrence_state_semantics_by_hand():
    """Two steps written out: shift state (k_t, k_{t-1}), one real mode."""
    q = torch.tensor([2.0, 3.0], dtype=torch.float64)
    k = torch.tensor([1.0, -1.0], dtype=torch.float64)
    v = torch.tensor([0.5, 4.0], dtype=torch.float64)
    sC = torch.tensor([1.0, 2.0], dtype=torch.float64)
    lam = torch.tensor([-1.0 + 0j], dtype=torch.complex128)
    B = torch.tensor([1.0 + 0j], dtype=torch.complex128)
    C = torch.tensor([0.5 + 0j], dtype=torch.complex128)
    dt = 0.5
    lam_bar, Bb = math.exp(-0.5), (1 - math.exp(-0.5))  # ZOH: (e^{dt l} - 1)/l B
    s0, s1 = 1.0 * 1.0, 1.0 * -1.0 + 2.0 * 1.0
    x1 = Bb * s0 * 0.5
    x2 = lam_bar * x1 + Bb * s1 * 4.0
    expected = torch.tensor([2.0 * 2 * 0.5 * x1, 3.0 * 2 * 0.5 * x2], dtype=torch.float64)
    for mode in MODES:
        y = h3_ssm(q, k, v, sC, lam, B, C, dt=dt, mode=mode)
        assert torch.allclose(y, expected, rtol=1e-14, atol=0)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------


def _good() -> dict:
    L, N = 8, 2
    return {
        "q": torch.ones(L, dtype=torch.float64),
        "k": torch.ones(L, dtype=torch.float64),
        "v": torch.ones(L, dtype=torch.float64),
        "shift_C": torch.ones(3, dtype=torch.float64),
        "lam": torch.full((N,), -0.5 + 1j, dtype=torch.complex128),
        "B": torch.ones(N, dtype=torch.complex128),
        "C": torch.ones(N, dtype=torch.complex128),
        "dt": 0.1,
    }


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"q": [1.0] * 8}, InvalidTypeError, "torch.Tensor"),
        ({"q": torch.ones(8, dtype=torch.complex128)}, InvalidTypeError, "real"),
        ({"k": torch.ones(7, dtype=torch.float64)}, InvalidArgumentError, "same length"),
        ({"v": torch.ones(0, dtype=torch.float64)}, InvalidArgumentError, "empty|same length"),
        ({"shift_C": torch.ones(0, dtype=torch.float64)}, InvalidArgumentError, "empty"),
        ({"B": torch.ones(3, dtype=torch.complex128)}, InvalidArgumentError, "N = 2"),
        ({"lam": torch.ones(0, dtype=torch.complex128)}, InvalidArgumentError, "mode"),
        ({"dt": 0.0}, InvalidArgumentError, "> 0"),
        ({"dt": -1.0}, InvalidArgumentError, "> 0"),
        ({"dt": torch.tensor([0.1, -0.1])}, InvalidArgumentError, "> 0"),
        ({"dt": True}, InvalidTypeError, "bool"),
        ({"q": torch.full((8,), math.nan, dtype=torch.float64)}, InvalidArgumentError, "NaN"),
        ({"q": torch.ones(8, dtype=torch.int64)}, InvalidTypeError, "floating"),
        ({"q": torch.ones(8, dtype=torch.float16)}, InvalidTypeError, "not supported"),
        (
            {"q": torch.ones(2, 8, dtype=torch.float64), "k": torch.ones(3, 8)},
            InvalidArgumentError,
            "broadcast",
        ),
        ({"mode": "fft"}, InvalidArgumentError, "mode"),
        (  # batch 2^22 x L 1024: refused before the allocation, in both modes
            {
                "q": torch.ones(1024, dtype=torch.float64).expand(2**11, 1, 1024),
                "k": torch.ones(1024, dtype=torch.float64),
                "v": torch.ones(1024, dtype=torch.float64),
                "lam": torch.full((2,), -0.5 + 1j, dtype=torch.complex128).expand(2**11, 2),
            },
            InvalidArgumentError,
            "kernel_elements",
        ),
        (
            {
                "q": torch.ones(1024, dtype=torch.float64).expand(2**11, 1, 1024),
                "k": torch.ones(1024, dtype=torch.float64),
                "v": torch.ones(1024, dtype=torch.float64),
                "lam": torch.full((2,), -0.5 + 1j, dtype=torch.complex128).expand(2**11, 2),
                "mode": "recurrence",
            },
            InvalidArgumentError,
            "kernel_elements",
        ),
    ],
)
def test_bad_input_is_refused(change, error, match):
    args = {**_good(), **change}
    mode = args.pop("mode", "conv")
    with pytest.raises(error, match=match):
        h3_ssm(**args, mode=mode)


@pytest.mark.parametrize(
    ("args", "error", "match"),
    [
        ((torch.ones(3, dtype=torch.float64), 0), InvalidArgumentError, ">= 1"),
        ((torch.ones(0, dtype=torch.float64), 4), InvalidArgumentError, "empty"),
        ((torch.ones(3, dtype=torch.complex128), 4), InvalidTypeError, "real"),
        (([1.0, 2.0], 4), InvalidTypeError, "torch.Tensor"),
        ((torch.ones(3, dtype=torch.float64), 2.0), InvalidTypeError, "integer"),
        ((torch.ones(3, dtype=torch.float64), 10**12), InvalidArgumentError, "kernel_elements"),
        (
            (torch.ones(3, dtype=torch.float64).expand(2**16, 3), 2**16),
            InvalidArgumentError,
            "kernel_elements",
        ),
    ],
)
def test_shift_kernel_bad_input(args, error, match):
    with pytest.raises(error, match=match):
        shift_kernel(*args)


# ---------------------------------------------------------------------------------------
# Slow: the sweep behind the h3 error models
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_sweep_within_error_models():
    worst: dict[str, tuple[float, str]] = {}
    for L in (64, 256, 1024):
        for N in (4, 16, 64):
            for d in (4, 8):
                for dt in (0.01, 0.05, 0.1):
                    oracle, cond = _oracle(L, d, N, dt, 1)
                    case = _case(L, d, N, dt, 1)
                    for dtype in DTYPES:
                        for mode in MODES:
                            y = h3_ssm(**_inputs(case, dtype, "cpu"), mode=mode)
                            algorithm = f"h3-{mode}"
                            result = assert_kernel_close(
                                y, oracle, algorithm=algorithm, N=N, cond=cond
                            )
                            ratio = result.max_relative / (
                                error_bound(algorithm, dtype, L=L, N=N, cond=cond)
                                / registered_models()[algorithm].constant
                            )
                            key = f"{algorithm} {dtype}"
                            if ratio > worst.get(key, (0.0, ""))[0]:
                                worst[key] = (ratio, f"L={L} N={N} d={d} dt={dt}")
    for key, (ratio, name) in sorted(worst.items()):
        print(f"{key}: worst error/(u g) = {ratio:.3f} ({name})")


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mode", MODES)
def test_models_fail_an_output_that_lost_digits(mode, dtype):
    """The correct output with one sample moved by 30 u g (g the model's growth; the
    constants c of these models are <= 4) must fail: a model made 10x looser passes it."""
    L, d, N, dt = CONFIGS[0]
    oracle, cond = _oracle(L, d, N, dt)
    y = h3_ssm(**_inputs(_case(L, d, N, dt), dtype, "cpu"), mode=mode)
    assert_kernel_close(y, oracle, algorithm=f"h3-{mode}", N=N, cond=cond)
    model = registered_models()[f"h3-{mode}"]
    u_g = error_bound(f"h3-{mode}", dtype, L=L, N=N, cond=cond) / model.constant
    scale = max(abs(float(v)) for v in oracle.values)
    bad = y.double().clone()
    bad[5] += 30 * u_g * scale
    with pytest.raises(AssertionError, match="outside the bound"):
        assert_kernel_close(bad.to(dtype), oracle, algorithm=f"h3-{mode}", N=N, cond=cond)


@pytest.mark.parametrize("algorithm", ["h3-conv", "h3-recurrence"])
def test_model_constant_is_the_one_its_justification_derives(algorithm):
    """c is chosen from measurements (its justification ends 'c = X (Nx)'); a constant
    that drifted from that derivation is a looser or tighter model than the one justified."""
    model = registered_models()[algorithm]
    stated = re.findall(r"c = ([0-9.]+) \(", model.justification)
    assert stated and float(stated[-1]) == model.constant
