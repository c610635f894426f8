"""The cheap checks of ``rtf_kernel``: the input screen and the gate's screen.

``rtf_kernel`` screens its inputs' finiteness with one sum (``require_finite``)
and its default gate with Rouche's bounds, one sum over the taps and one host sync
(``_screen``); only what the screen cannot pass goes to the full gate (``_gate_message``).
These tests plant the bugs the checks exist for -- NaN and inf inputs (alone, both signs,
in a or b, in a float32 sum that overflows), a pole on or near an L-th root of unity,
non-finite taps from finite inputs -- and check the verdicts against the full gate and
``rtf_diagnostics`` (an independent computation of the condition, in float64), at the
threshold itself. The kernel returned is the three FFTs' quotient bit for bit, checks or
not.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

from hippo_verify import InvalidArgumentError
from hippo_verify.kernels._args import require_finite
from hippo_verify.kernels.rtf import (
    RTFStabilityWarning,
    _gate_message,
    _screen,
    default_max_condition,
    rtf_diagnostics,
    rtf_kernel,
)

DTYPES = [torch.float64, torch.float32]


def _fft(a: torch.Tensor, b: torch.Tensor, L: int) -> torch.Tensor:
    a_pad = torch.cat([torch.ones_like(a[..., :1]), a], dim=-1)
    return torch.fft.irfft(torch.fft.rfft(b, n=L) / torch.fft.rfft(a_pad, n=L), n=L)


def _random(H: int, d: int, scale: float, dtype: torch.dtype, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    a = (2 * torch.rand(H, d, generator=g, dtype=torch.float64) - 1) * scale / d
    b = torch.randn(H, d, generator=g, dtype=torch.float64)
    return a.to(dtype), b.to(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("scale", [0.5, 1.9, 3.0])  # sum|a_i| ~ scale / 2: Rouche or not
def test_kernel_is_the_fft_quotient_bit_for_bit(dtype, scale):
    a, b = _random(8, 16, scale, dtype)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RTFStabilityWarning)
        K = rtf_kernel(a, b, 256, max_condition=math.inf)
    assert torch.equal(K, _fft(a, b, 256))
    assert torch.equal(K, rtf_kernel(a, b, 256, check="none"))


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("where", ["a", "b"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_nonfinite_input_is_refused_by_name(bad, where, dtype):
    a, b = _random(3, 5, 0.5, dtype)
    (a if where == "a" else b)[1, 2] = bad
    for check in ("raise", "warn", "none"):
        with pytest.raises(InvalidArgumentError, match=f"^{where}: contains NaN or infinity"):
            rtf_kernel(a, b, 64, check=check)


def test_opposite_infinities_are_refused():
    # +inf + -inf = NaN: the screening sum is still non-finite
    a = torch.tensor([0.1, math.inf, -math.inf, 0.2], dtype=torch.float64)
    with pytest.raises(InvalidArgumentError, match="^a: contains NaN or infinity"):
        rtf_kernel(a, torch.ones(4, dtype=torch.float64), 64)


def test_overflowing_input_sum_is_a_false_alarm_only():
    # float32 entries whose sum overflows: the screen's sum is inf, the entries are finite
    big = torch.tensor([3e38, 3e38, 1.0], dtype=torch.float32)
    assert not math.isfinite(float(big.sum()))
    require_finite(a=big, b=big)  # cleared by the entrywise check
    with pytest.raises(InvalidArgumentError, match="^b: contains NaN or infinity"):
        require_finite(a=big, b=torch.tensor([1.0, math.nan]))
    # through the kernel: no input error (the gate then refuses the overflowing taps)
    with pytest.raises(InvalidArgumentError, match="NaN or infinite taps"):
        rtf_kernel(torch.tensor([0.1, 0.0, 0.0]), big, 64)


def test_nonfinite_taps_from_finite_inputs_are_refused():
    # float32: b_hat overflows although a is stable by Rouche (the screen's condition
    # bound passes); the sum over the taps is what refuses it
    a = torch.tensor([0.1, -0.2, 0.05], dtype=torch.float32)
    b = torch.full((3,), 2e38, dtype=torch.float32)
    with pytest.raises(InvalidArgumentError, match="NaN or infinite taps"):
        rtf_kernel(a, b, 64)
    with pytest.warns(UserWarning, match="NaN or infinite taps"):
        K = rtf_kernel(a, b, 64, check="warn")
    assert not bool(torch.isfinite(K).all())


@pytest.mark.parametrize("dtype", DTYPES)
def test_exact_zero_of_a_hat_is_refused(dtype):
    # a(z) = 1 + z vanishes at z = -1, an L-th root of unity for even L
    a, b = torch.tensor([1.0], dtype=dtype), torch.tensor([1.0], dtype=dtype)
    with pytest.raises(InvalidArgumentError, match="condition|NaN"):
        rtf_kernel(a, b, 16)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("r", [1 - 1e-9, 1 - 1e-6, 1.0, 1 + 1e-9])
def test_pole_near_a_root_of_unity_is_refused(dtype, r):
    # a pole pair r e^{+-2 pi i 5 / L} times a stable factor: min |a_hat| ~ |1 - r|
    L = 256
    theta = 2 * math.pi * 5 / L
    a = np.convolve([1.0, -2 * r * math.cos(theta), r * r], [1.0, 0.3, -0.2])[1:]
    at = torch.tensor(a, dtype=dtype)
    # refused where the float64 condition is beyond the threshold: always but for
    # r = 1 - 1e-6 in float64 (cond ~ 1e6 < 8.4e6, an accurate kernel)
    refused = not float(rtf_diagnostics(at, L).condition) <= default_max_condition(dtype, L)
    assert refused == (r != 1 - 1e-6 or dtype == torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RTFStabilityWarning)
        if refused:
            with pytest.raises(InvalidArgumentError, match="condition|NaN"):
                rtf_kernel(at, torch.ones_like(at), L)
        else:
            assert torch.equal(rtf_kernel(at, torch.ones_like(at), L), _fft(at, at * 0 + 1, L))


def _max_condition_around(cond: float, side: int, dtype: torch.dtype) -> float:
    """A threshold just below (side = -1) or just above (+1) the computed condition."""
    return cond * (1 + side * 4 * torch.finfo(dtype).eps)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("s", [0.1, 0.5, 0.9, 0.99, 0.999, 1.5, 3.0])
@pytest.mark.parametrize("side", [-1, 1])
def test_threshold_verdict_is_the_full_gates(dtype, s, side):
    # a(z) = 1 + s z^4 reaches |a| = 1 + s and |1 - s| at L-th roots of unity (4 | L), so
    # Rouche's bound (1 + s)/(1 - s) is the condition itself: the screen's bound is tight
    # here, and a threshold a few ulps either side of the computed condition must get the
    # full gate's verdict (refused just below, accepted just above)
    L = 64
    a = torch.tensor([0.0, 0.0, 0.0, s], dtype=dtype)
    b = torch.tensor([1.0, 0.5, 0.25, 0.125], dtype=dtype)
    A_hat = torch.fft.rfft(torch.cat([torch.ones(1, dtype=dtype), a]), n=L)
    absA = A_hat.abs()
    cond = float(absA.max() / absA.min())  # the full gate's own number, in dtype
    threshold = _max_condition_around(cond, side, dtype)
    refused = _gate_message("t", A_hat, _fft(a, b, L), 4, L, dtype, threshold, None) is not None
    assert refused == (side < 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RTFStabilityWarning)
        if refused:
            with pytest.raises(InvalidArgumentError, match="condition"):
                rtf_kernel(a, b, L, max_condition=threshold)
        else:
            assert torch.equal(rtf_kernel(a, b, L, max_condition=threshold), _fft(a, b, L))
    # the independent float64 condition agrees with the gate's to rounding
    assert float(rtf_diagnostics(a, L).condition) == pytest.approx(cond, rel=1e-5)


@pytest.mark.parametrize("dtype", DTYPES)
def test_screen_never_passes_what_the_full_gate_refuses(dtype):
    # random denominators across the Rouche boundary, thresholds across each condition
    g = torch.Generator().manual_seed(1)
    L, d = 128, 6
    checked = 0
    for trial in range(60):
        scale = [0.3, 0.9, 0.999, 1.2, 2.5][trial % 5]
        a = torch.rand(4, d, generator=g, dtype=torch.float64) * 2 - 1
        a = (a / a.abs().sum(-1, keepdim=True) * scale).to(dtype)
        b = torch.randn(4, d, generator=g, dtype=torch.float64).to(dtype)
        A_hat = torch.fft.rfft(torch.cat([torch.ones_like(a[:, :1]), a], -1), n=L)
        K = _fft(a, b, L)
        absA = A_hat.abs()
        conds = (absA.amax(-1) / absA.amin(-1)).tolist()
        for threshold in [min(conds) * 0.999, max(conds), max(conds) * 1.001, 1e30]:
            passes, _ = _screen(A_hat, K, a, L, threshold)
            full = _gate_message("t", A_hat, K, d, L, dtype, threshold, None)
            if passes:
                assert full is None, (scale, threshold, full)
                checked += 1
    assert checked > 20  # the screen did pass many (it is not a stub that always fails)


@pytest.mark.parametrize("dtype", DTYPES)
def test_rouche_screen_passes_without_the_spectrum(dtype, monkeypatch):
    # sum|a_i| < 1 with room to spare: decided from a alone, no O(L) condition pass
    import hippo_verify.kernels.rtf as rtf

    def refuse(*args, **kwargs):  # pragma: no cover - reached only on a regression
        raise AssertionError("_condition_below called for a Rouche-stable a")

    monkeypatch.setattr(rtf, "_condition_below", refuse)
    a, b = _random(16, 64, 0.5, dtype)
    L = 4096
    assert default_max_condition(dtype, L) > 3.0  # (1 + 0.25)/(1 - 0.25) < 3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(rtf_kernel(a, b, L), _fft(a, b, L))


@pytest.mark.parametrize("s", [1 - 1e-15, 1 - 1e-12, 1 - 2**-40])
def test_stability_just_inside_by_sum_does_not_warn(s):
    # sum|a_i| just below 1: the screen's margin sends it to the full float64 test, which
    # proves stability (no warning); at sum|a_i| = 1 exactly the full test runs too
    a = torch.tensor([0.0, s / 2, 0.0, s / 2], dtype=torch.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RTFStabilityWarning)
        rtf_kernel(a, torch.ones(4, dtype=torch.float64), 64, max_condition=math.inf)


def test_unstable_denominator_still_warns():
    a = torch.tensor([-2.5, 1.0], dtype=torch.float64)  # (1 - 2 z)(1 - z/2): pole at 2
    with pytest.warns(RTFStabilityWarning, match="rho"):
        rtf_kernel(a, torch.ones(2, dtype=torch.float64), 64)


def test_huge_coefficients_screened_without_overflow():
    # every |a_hat|^2 overflows float64: the spectrum screen must not pass on inf <= inf
    b = torch.ones(2, dtype=torch.float64)
    well = torch.tensor([1e200, 0.0], dtype=torch.float64)  # |a_hat| ~ 1e200, cond ~ 1
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RTFStabilityWarning)
        assert torch.equal(rtf_kernel(well, b, 64), _fft(well, b, 64))
        ill = torch.tensor([1e200, 1e200 * (1 - 1e-8)], dtype=torch.float64)  # cond ~ 2e8
        with pytest.raises(InvalidArgumentError, match="condition"):
            rtf_kernel(ill, b, 64)


@pytest.mark.parametrize(
    ("dtype", "d", "L", "k", "s"),
    [
        (torch.float64, 7, 54, 2, 0.9981813152432442),
        (torch.float32, 5, 134, 4, 0.9504693746566772),
    ],
)
def test_fft_rounding_beyond_rouche_bound_is_refused(dtype, d, L, k, s):
    # a(z) = 1 + s z^(k+1): the FFT's rounding puts the computed condition tens of ulps
    # above Rouche's exact (1 + s)/(1 - s) (found by a search over d, L, s); with the
    # threshold one ulp below the computed condition the full gate refuses, and so must
    # the screen (its slack covers the FFT's rounding)
    a = torch.zeros(d, dtype=dtype)
    a[k] = s
    A_hat = torch.fft.rfft(torch.cat([torch.ones(1, dtype=dtype), a]), n=L)
    absA = A_hat.abs()
    cond = float(absA.max() / absA.min())
    eps = torch.finfo(dtype).eps
    s_computed = float(a.abs().sum())
    assert cond > (1 + s_computed) / (1 - s_computed) * (1 + 8 * eps)  # the premise
    threshold = cond * (1 - 2 * eps)
    with pytest.raises(InvalidArgumentError, match="condition"):
        rtf_kernel(a, torch.ones_like(a), L, max_condition=threshold)
