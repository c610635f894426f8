"""RTF kernels (``hippo_verify.kernels.rtf``) against the certified RTF oracles.

Expected values come from ``hippo_verify.oracles.rtf_kernel`` (aliased: exact polynomial
algebra modulo a(z), no DFT; truncated: the power-series recurrence in fixed point) and
``causal_conv``, and from exact sympy (``realize``, ``untruncate``); never from the code
under test. Canonical systems: random a with sum|a_i| = 0.9 < 1 (stable by Rouche), d = 4
and 64, L = 256 and 4096, values exactly representable in float32 so one oracle serves
both dtypes.
"""

from __future__ import annotations

import functools
import math
import re
import warnings

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch
from helpers import DEVICES

from hippo_verify import InvalidArgumentError, InvalidTypeError, kernels
from hippo_verify.kernels.rtf import (
    RTFConditioningWarning,
    RTFStabilityWarning,
    default_max_tail,
    rtf_diagnostics,
    rtf_impulse_response,
    rtf_kernel,
    rtf_realization,
    rtf_recurrence,
    rtf_step,
)
from hippo_verify.oracles import causal_conv, mp_oracles
from hippo_verify.symbolic import realize, untruncate
from hippo_verify.testing import (
    assert_kernel_close,
    compare_kernel,
    componentwise_conv_condition,
    error_bound,
    registered_models,
    rtf_impulse_response_condition,
    rtf_kernel_condition,
    rtf_recurrence_condition,
    unit_roundoff,
)
from hippo_verify.testing._bounds.rtf import _aliased_cbar


def _fft_cond(a, L: int) -> float:
    """rtf_kernel_condition of a (b does not enter it)."""
    return rtf_kernel_condition(a, [0.0] * len(a), L)


DTYPES = [torch.float64, torch.float32]
CANONICAL = [(4, 256), (4, 4096), (64, 256), (64, 4096)]
N_SAMPLES = 256  # input length of the recurrence tests (the oracle convolution is O(n^2))


# ---------------------------------------------------------------------------------------
# Systems and cached oracles
# ---------------------------------------------------------------------------------------


@functools.cache
def _system(d: int, seed: int = 0, s: float = 0.9) -> tuple[tuple, tuple, tuple]:
    """(a, b, u) as tuples of floats exactly representable in float32; sum|a_i| ~= s."""
    g = torch.Generator().manual_seed(1000 * d + seed)
    v = torch.randn(d, generator=g, dtype=torch.float64)
    a = (s * v / v.abs().sum()).float().double()
    b = torch.randn(d, generator=g, dtype=torch.float64).float().double()
    u = torch.randn(N_SAMPLES, generator=g, dtype=torch.float64).float().double()
    return tuple(a.tolist()), tuple(b.tolist()), tuple(u.tolist())


@functools.cache
def _oracle(a: tuple, b: tuple, L: int, aliased: bool):
    """The RTF oracle's core (``hippo_verify.oracles.rtf_kernel`` without the package's
    exact sympy Schur-Cohn verdict for rational inputs, which costs 1 s at d = 64 and does
    not change the values)."""
    return mp_oracles.rtf_kernel(list(a), list(b), L, aliased=aliased)


@functools.cache
def _conv_oracle(u: tuple, a: tuple, b: tuple, L: int):
    return causal_conv(list(u), _oracle(a, b, L, True).values[: len(u)])


@functools.cache
def _rec_cond(a: tuple, b: tuple, u: tuple, L: int) -> float:
    return rtf_recurrence_condition(a, b, u, L=L)


@functools.cache
def _imp_cond(a: tuple, L: int) -> float:
    return rtf_impulse_response_condition(a, [0.0] * len(a), L)


def _t(values, dtype, device) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64).to(dtype=dtype, device=device)


def _f64(values) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _floats(result) -> torch.Tensor:
    return torch.tensor([float(v) for v in result.values], dtype=torch.float64)


def _pole_pair(r: float, theta: float, rest: tuple = (0.3, -0.2)) -> tuple:
    """a of (1 - p z)(1 - conj(p) z)(1 + rest_1 z + rest_2 z^2), p = r e^{i theta}."""
    pair = [1.0, -2 * r * math.cos(theta), r * r]
    other = [1.0, *rest]
    full = [0.0] * (len(pair) + len(other) - 1)
    for i, x in enumerate(pair):
        for j, y in enumerate(other):
            full[i + j] += x * y
    return tuple(torch.tensor(full[1:], dtype=torch.float64).float().double().tolist())


NEAR_B = (1.0, -0.5, 0.25, 0.125)


# ---------------------------------------------------------------------------------------
# Kernels vs oracles
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("d", "L"), CANONICAL)
def test_fft_kernel_matches_aliased_oracle(d, L, dtype, device):
    a, b, _ = _system(d)
    # the default reading is the aliased kernel itself, whatever its tail (d = 64 at
    # L = 256 has a tail of 2e-3: see test_canonical_d64_L256_tail_is_refused_on_request)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # stable by sum|a_i| = 0.9: no stability warning
        K = rtf_kernel(_t(a, dtype, device), _t(b, dtype, device), L)
    assert K.shape == (L,) and K.dtype == dtype and K.device.type == device
    assert_kernel_close(K, _oracle(a, b, L, True), algorithm="rtf-fft", cond=_fft_cond(a, L))


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("d", "L"), CANONICAL)
def test_impulse_response_matches_truncated_oracle(d, L, dtype, device):
    a, b, _ = _system(d)
    h = rtf_impulse_response(_t(a, dtype, device), _t(b, dtype, device), L)
    assert h.shape == (L,) and h.dtype == dtype
    assert_kernel_close(
        h,
        _oracle(a, b, L, False),
        algorithm="rtf-impulse",
        N=d,
        cond=_imp_cond(a, L),
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("d", "L"), CANONICAL)
def test_recurrence_matches_convolution_oracle(d, L, dtype, device):
    a, b, u = _system(d)
    y = rtf_recurrence(_t(a, dtype, device), _t(b, dtype, device), _t(u, dtype, device), L=L)
    assert y.shape == (N_SAMPLES,) and y.dtype == dtype
    assert_kernel_close(
        y,
        _conv_oracle(u, a, b, L),
        algorithm="rtf-recurrence",
        N=d,
        cond=_rec_cond(a, b, u, L),
    )


def test_canonical_d64_L256_tail_is_refused_on_request():
    """Random degree-64 denominators have poles of modulus ~0.97: at L = 256 the response
    has not decayed and the aliased kernel differs from the truncated one by ~2e-4. The
    default returns it (it is RTF's kernel); the impulse reading (max_tail) refuses it."""
    a, b, _ = _system(64)
    at, bt = _t(a, torch.float64, "cpu"), _t(b, torch.float64, "cpu")
    K = rtf_kernel(at, bt, 256)
    with pytest.raises(InvalidArgumentError, match="tail"):
        rtf_kernel(at, bt, 256, max_tail=default_max_tail(torch.float64))
    drift = compare_kernel(K, _oracle(a, b, 256, False)).max_relative
    assert 1e-5 < drift < 1e-2
    assert float(rtf_diagnostics(at, 256, b=bt).tail) > 1e-4


# The example of issue 9: sum|a_i| = 0.95 < 1, tail 1.2e-3 at L = 64 (refused by default
# before). Odd L too: irfft without n=L returns L - 1 taps there.
ISSUE_A, ISSUE_B = (0.5, -0.3, 0.1, 0.05), (1.0, -0.5, 0.25, 0.125)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("L", [64, 63, 65])
def test_issue_example_is_returned_by_default(L, dtype):
    a, b = (tuple(_t(v, torch.float32, "cpu").double().tolist()) for v in (ISSUE_A, ISSUE_B))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        K = rtf_kernel(_t(a, dtype, "cpu"), _t(b, dtype, "cpu"), L)
    assert K.shape == (L,)
    assert_kernel_close(K, _oracle(a, b, L, True), algorithm="rtf-fft", cond=_fft_cond(a, L))
    with pytest.raises(InvalidArgumentError, match="tail"):  # the impulse reading refuses
        rtf_kernel(_t(a, dtype, "cpu"), _t(b, dtype, "cpu"), L, max_tail=default_max_tail(dtype))


def _paper_system(d: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The RTF paper's regime: random a with sum|a_i| = 1/2 (stable), random b; float32
    values so both dtypes see the same numbers."""
    rng = np.random.default_rng(seed + 17 * d)
    v = rng.standard_normal(d)
    a = (0.5 * v / np.abs(v).sum()).astype(np.float32).astype(np.float64)
    return a, rng.standard_normal(d).astype(np.float32).astype(np.float64)


@pytest.mark.parametrize("dtype", DTYPES)
def test_paper_regime_matches_aliased_oracle(dtype):
    """d = 64, L = 1024, sum|a_i| = 1/2: returned by default, inside rtf-fft of the oracle."""
    a, b = (tuple(v.tolist()) for v in _paper_system(64))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        K = rtf_kernel(_t(a, dtype, "cpu"), _t(b, dtype, "cpu"), 1024)
    cond = _fft_cond(a, 1024)
    assert_kernel_close(K, _oracle(a, b, 1024, True), algorithm="rtf-fft", cond=cond)


def _periodized_response(a: np.ndarray, b: np.ndarray, L: int) -> tuple[np.ndarray, float]:
    """(K, err): K_k = sum_m h_{k + mL} with h from scipy's IIR filter in long double (time
    domain, no FFT) over 4 periods, and a bound on K's relative error: the filter's
    rounding, (d + 5) u (1 + s) sum|g| max|h| (as rtf_impulse_response_condition, u of long
    double), plus the periods left out, at most s/(1 - s) times the last d taps
    (|h_k| <= s max of the d taps before it, s = sum|a_i| < 1)."""
    from scipy.signal import lfilter

    d, s = len(a), float(np.abs(a).sum())
    assert s < 1
    impulse = np.zeros(4 * L, dtype=np.longdouble)
    impulse[0] = 1
    a_full = np.r_[1.0, a].astype(np.longdouble)
    h = lfilter(b.astype(np.longdouble), a_full, impulse)
    K = h.reshape(4, L).sum(axis=0)
    g_sum = float(np.abs(lfilter(np.ones(1, dtype=np.longdouble), a_full, impulse[:L])).sum())
    u = float(np.finfo(np.longdouble).eps) / 2
    rounding = (d + 5) * u * (1 + s) * g_sum * float(np.abs(h).max())
    left_out = s / (1 - s) * float(np.abs(h[-d:]).max())
    return K.astype(np.float64), (rounding + left_out) / float(np.abs(K).max())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(
    ("d", "L"), [(512, 2048), pytest.param(4096, 16384, marks=pytest.mark.slow)]
)
def test_paper_regime_matches_periodized_response(d, L, dtype):
    """The paper's sizes (d up to 4096, L up to 16384), where the oracle is too slow:
    against the periodized impulse response of scipy's filter in long double, an
    independent time-domain route, within rtf-fft plus the reference's own error bound."""
    if dtype == torch.float64 and np.finfo(np.longdouble).eps >= 2.0**-52:
        pytest.skip("long double is double here: the reference is not sharper than float64")
    a, b = _paper_system(d)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        K = rtf_kernel(torch.tensor(a, dtype=dtype), torch.tensor(b, dtype=dtype), L)
    reference, reference_error = _periodized_response(a, b, L)
    error = float(np.abs(K.double().numpy() - reference).max() / np.abs(reference).max())
    bound = error_bound("rtf-fft", dtype, L=L, cond=_fft_cond(a, L))
    assert reference_error <= bound / 2  # sharp enough to fail a kernel outside the bound
    assert error <= bound + reference_error, (error, bound, reference_error)


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES)
def test_recurrence_equals_fft_convolution_batched(dtype, device):
    """Step-by-step recurrence == causal FFT convolution with the FFT kernel, for a batch
    of systems and inputs (first L outputs), within the sum of both error models."""
    L, systems = 256, [_system(4, seed) for seed in range(3)]
    a = _t([s[0] for s in systems], dtype, device)
    b = _t([s[1] for s in systems], dtype, device)
    u = _t([s[2] for s in systems], dtype, device)
    y_rec = rtf_recurrence(a, b, u, L=L)
    y_fft = kernels.causal_conv(u, rtf_kernel(a, b, L))
    assert y_rec.shape == y_fft.shape == (3, N_SAMPLES)
    for i, (ai, bi, ui) in enumerate(systems):
        K = _floats(_oracle(ai, bi, L, True))[:N_SAMPLES]
        scale = float(y_fft[i].abs().max())
        tol = error_bound(
            "rtf-recurrence", dtype, L=L, N=4, cond=_rec_cond(ai, bi, ui, L)
        ) + error_bound(
            "rtf-fft", dtype, L=L, cond=_fft_cond(ai, L)
        ) * componentwise_conv_condition(K, ui)
        assert float((y_rec[i] - y_fft[i]).abs().max()) <= tol * scale


def test_batched_kernels_equal_per_system():
    systems = [_system(4, seed) for seed in range(3)]
    a = torch.tensor([s[0] for s in systems], dtype=torch.float64)
    b = torch.tensor([s[1] for s in systems], dtype=torch.float64)
    K = rtf_kernel(a[:, None, :], b[None, :, :], 256)  # broadcast to (3, 3, 256)
    h = rtf_impulse_response(a, b, 256)
    assert K.shape == (3, 3, 256)
    for i in range(3):
        for j in range(3):
            assert torch.equal(K[i, j], rtf_kernel(a[i], b[j], 256))
        assert torch.equal(h[i], rtf_impulse_response(a[i], b[i], 256))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("L", [256, pytest.param(4096, marks=pytest.mark.slow)])
def test_common_factor_gives_the_same_kernel(L, dtype):
    """b (1 + c z) / a (1 + c z), padded to d + 1, is the same transfer function: its FFT
    kernel and impulse response match the oracles of (a, b)."""
    a, b, _ = _system(4)
    c = 0.5
    a_full = [1.0, *a]
    a2 = [a_full[i + 1] + c * a_full[i] for i in range(len(a))] + [c * a_full[-1]]
    b2 = [b[0]] + [b[i] + c * b[i - 1] for i in range(1, len(b))] + [c * b[-1]]
    a2t, b2t = torch.tensor(a2, dtype=dtype), torch.tensor(b2, dtype=dtype)
    # the rounding of a2, b2 to the dtype is a perturbation of the system itself: inside
    # the model's budget since the roundings are u-relative and cond covers them
    assert_kernel_close(
        rtf_kernel(a2t, b2t, L),
        _oracle(a, b, L, True),
        algorithm="rtf-fft",
        cond=_fft_cond(a2, L),
    )
    assert_kernel_close(
        rtf_impulse_response(a2t, b2t, L),
        _oracle(a, b, L, False),
        algorithm="rtf-impulse",
        N=5,
        cond=rtf_impulse_response_condition(a2, [0.0] * len(a2), L),
    )


def test_similarity_transformed_realization_gives_the_aliased_kernel():
    """(T A T^-1, T e_1, Cbar T^-1) run through a dense torch power reproduces the aliased
    oracle: the kernel does not depend on the realization of the same transfer function."""
    a, b, _ = _system(4)
    L = 256
    system = rtf_realization(_f64(a), _f64(b), L)
    g = torch.Generator().manual_seed(3)
    Q, _ = torch.linalg.qr(torch.randn(4, 4, generator=g, dtype=torch.float64))
    T = Q @ torch.diag(torch.tensor([1.0, 2.0, 0.5, 1.5], dtype=torch.float64))
    A2 = T @ system.A @ torch.linalg.inv(T)
    B2 = T @ system.B
    C2 = system.C @ torch.linalg.inv(T)
    x, taps = B2, []
    for _ in range(L):
        taps.append(C2 @ x)
        x = A2 @ x
    K = torch.stack(taps)
    kappa = float(torch.linalg.cond(T))
    # dense powers: the rtf-recurrence model with the similarity's condition number folded in
    assert_kernel_close(
        K,
        _oracle(a, b, L, True),
        algorithm="rtf-recurrence",
        N=4,
        cond=_fft_cond(a, L) * kappa**2,
    )


def test_realization_matches_sympy_realize_and_untruncate():
    """Companion realization and Cbar = b (I - A^L)^{-1} against exact sympy."""
    a_exact = [sp.Rational(1, 2), sp.Rational(-1, 4), sp.Rational(1, 8)]
    b_exact = [sp.Integer(1), sp.Rational(-3, 2), sp.Rational(1, 4)]
    L = 16
    A_sym, B_sym, Ct = realize(a_exact, b_exact)
    Cbar_sym = untruncate(A_sym, Ct, L)
    system = rtf_realization(
        torch.tensor([float(v) for v in a_exact], dtype=torch.float64),
        torch.tensor([float(v) for v in b_exact], dtype=torch.float64),
        L,
    )
    assert system.A.tolist() == [[float(v) for v in row] for row in A_sym.tolist()]
    assert system.B.tolist() == [float(v) for v in B_sym]
    expected = torch.tensor([float(v) for v in Cbar_sym], dtype=torch.float64)
    assert torch.allclose(system.C, expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize(("d", "L"), [(4, 256), (64, 4096)])
def test_cbar_equals_a_times_aliased_kernel_mod_z_d(d, L):
    """Independent route to Cbar: K = Cbar * g (g = 1/a), so Cbar = (a K) mod z^d."""
    a, b, _ = _system(d)
    K = _oracle(a, b, L, True).values
    ctx = mpmath.MPContext()
    ctx.prec = 200
    a_full = [1.0, *a]
    expected = [
        float(ctx.fsum(ctx.mpf(a_full[i]) * ctx.convert(K[k - i]) for i in range(k + 1)))
        for k in range(d)
    ]
    scale = max(abs(v) for v in expected)
    # the kernel's route (g and a solve) and the error models' own (numpy.fft, for
    # rtf_recurrence_condition) both against it
    for C in (rtf_realization(_f64(a), _f64(b), L).C, _f64(_aliased_cbar(np.array(a), b, L))):
        err = float((C - _f64(expected)).abs().max()) / scale
        assert err <= 64 * d * 2.0**-53 * _fft_cond(a, L)


def test_step_by_hand_equals_recurrence():
    a, b, u = _system(4)
    at, bt, ut = (_f64(v) for v in (a, b, u))
    system = rtf_realization(at, bt, 256)
    state, ys = torch.zeros(4, dtype=torch.float64), []
    for k in range(16):
        state, y_k = rtf_step(state, ut[k], at, system.C)
        ys.append(y_k)
    assert torch.equal(torch.stack(ys), rtf_recurrence(at, bt, ut[:16], L=256))


def test_diagnostics_of_a_stable_system():
    a, b, _ = _system(4)
    diag = rtf_diagnostics(_f64(a), 256, b=_f64(b))
    assert bool(diag.stable) and bool(diag.stable_by_sum)
    assert float(diag.sum_abs_a) == pytest.approx(0.9, rel=1e-6)
    assert float(diag.condition) == pytest.approx(_fft_cond(a, 256))
    s = float(diag.sum_abs_a)  # 1 - s <= |a_hat_j| <= 1 + s
    assert 1 - s - 1e-12 <= float(diag.min_abs_a_hat) <= float(diag.max_abs_a_hat) <= 1 + s + 1e-12
    assert 0 <= float(diag.spectral_radius) < 1
    assert float(diag.tail) < 1e-8  # passes the float64 default max_tail


@pytest.mark.parametrize(("d", "L"), [(4, 256), (64, 256)])
def test_tail_bounds_the_aliasing_term(d, L):
    """The theorem behind the gate: with s = sum|a_i| < 1, max|K - h| <= s max of the last
    d taps of K (K - h is the continuation of K past L). Checked on the oracles, and the
    float64 FFT's tail against the oracle's."""
    a, b, _ = _system(d)
    K, h = _floats(_oracle(a, b, L, True)), _floats(_oracle(a, b, L, False))
    scale = float(K.abs().max())
    tail = float(K[-d:].abs().max()) / scale
    drift = float((K - h).abs().max()) / scale
    s = sum(abs(v) for v in a)
    assert drift <= s * tail * (1 + 1e-9) + 1e-15
    assert drift >= 0.01 * tail  # the estimate is not vacuous here
    measured = float(rtf_diagnostics(_f64(a), L, b=_f64(b)).tail)
    assert abs(measured - tail) <= 1e-14 * _fft_cond(a, L) + 1e-3 * tail


# ---------------------------------------------------------------------------------------
# Detection: the gate does not pass bad cases
# ---------------------------------------------------------------------------------------

# Poles r e^{+-i theta} at an L-th root of unity (theta = 2 pi 5 / L) and between two
# (theta = 2 pi 5.5 / L), plus an unstable pair and a pair exactly on the circle.
DRIFTED = [
    pytest.param(0.99, 5.0, id="r0.99-at-root"),
    pytest.param(0.999, 5.0, id="r0.999-at-root"),
    pytest.param(0.9999, 5.0, id="r0.9999-at-root"),
    pytest.param(0.9999, 5.5, id="r0.9999-between"),
    pytest.param(1.0, 5.0, id="r1-on-root"),
    pytest.param(1.01, 5.0, id="unstable-r1.01"),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("r", "m"), DRIFTED)
def test_impulse_reading_refuses_drifted_kernels(r, m, dtype):
    """With max_tail (the impulse reading) every drifted kernel is refused; by default only
    an inaccurate one (condition, NaN) is, and what is returned is the aliased kernel."""
    L = 256
    a = _pole_pair(r, 2 * math.pi * m / L)
    at, bt = torch.tensor(a, dtype=dtype), torch.tensor(NEAR_B, dtype=dtype)
    impulse = {"max_tail": default_max_tail(dtype)}
    with pytest.raises(InvalidArgumentError, match="conditioning gate") as raised:
        rtf_kernel(at, bt, L, **impulse)
    assert "tail" in str(raised.value) or "condition" in str(raised.value)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        K = rtf_kernel(at, bt, L, check="warn", **impulse)
    assert RTFConditioningWarning in [w.category for w in caught]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert torch.equal(rtf_kernel(at, bt, L, check="none"), K)
    # the gate against the truncated response fails (proof it does not pass them): outside
    # the bound, or (float32 at cond >~ 1e6) refused because such a bound could not fail ...
    with pytest.raises(
        (AssertionError, InvalidArgumentError), match="outside the bound|cannot fail"
    ):
        assert_kernel_close(
            K, _oracle(a, NEAR_B, L, False), algorithm="rtf-fft", cond=_fft_cond(a, L)
        )
    # ... while the FFT did compute the aliased kernel to its error model (float64): the
    # failure is the drift, not rounding
    if dtype == torch.float64:
        assert_kernel_close(
            K, _oracle(a, NEAR_B, L, True), algorithm="rtf-fft", cond=_fft_cond(a, L)
        )
    # the default (aliased reading) refuses only where the result itself is inaccurate
    estimated = unit_roundoff(dtype) * math.log2(L) * _fft_cond(a, L)
    if r == 1.0 or estimated > math.sqrt(unit_roundoff(dtype)):
        with pytest.raises(InvalidArgumentError, match="condition|NaN"):
            rtf_kernel(at, bt, L)
    else:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert torch.equal(rtf_kernel(at, bt, L), K)
        assert [w.category for w in caught] == ([RTFStabilityWarning] if r > 1 else [])


def _rho_in(message: str) -> float:
    """The spectral radius a stability warning names."""
    found = re.search(r"rho = ([0-9.e+-]+)", message)
    assert found, message
    return float(found.group(1))


def test_unstable_a_warns_with_the_spectral_radius_and_stays_exact():
    L = 256
    a = _pole_pair(1.01, 2 * math.pi * 5 / L)
    with pytest.warns(RTFStabilityWarning, match="spectral radius") as caught:
        K = rtf_kernel(_f64(a), _f64(NEAR_B), L)
    rho = max(abs(np.roots([1.0, *a])))  # independent: numpy's companion eigenvalues
    assert _rho_in(str(caught[0].message)) == pytest.approx(rho, rel=1e-9)
    assert_kernel_close(K, _oracle(a, NEAR_B, L, True), algorithm="rtf-fft", cond=_fft_cond(a, L))


def test_pole_on_the_circle_with_sum_abs_a_exactly_one_warns():
    """a(z) = 1 + z^2: sum|a_i| = 1 exactly (Rouche's test must be strict), poles +-i on
    the circle but not 63rd roots of unity, so the kernel is accurate and returned."""
    at, bt = _f64([0.0, 1.0]), _f64([1.0, 0.5])
    with pytest.warns(RTFStabilityWarning, match="on or\noutside|on or outside") as caught:
        rtf_kernel(at, bt, 63)
    assert _rho_in(str(caught[0].message)) == pytest.approx(1.0, abs=1e-12)
    diag = rtf_diagnostics(at, 63)
    assert not bool(diag.stable_by_sum) and float(diag.sum_abs_a) == 1.0
    with pytest.raises(InvalidArgumentError, match="not stable"):
        rtf_realization(at, bt, 63)


def test_large_unstable_a_warns_with_certified_bounds():
    """d = 300 > 256 (no eigenvalues): one pole 1.25 found by the argument principle; the
    warning's Cauchy bound R must hold: rho <= R (rho from numpy.roots)."""
    rng = np.random.default_rng(3)
    c = rng.standard_normal(299)
    a = np.convolve([1.0, -1.25], np.r_[1.0, 0.3 * c / np.abs(c).sum()])[1:]
    with pytest.warns(RTFStabilityWarning, match="1 of its 300 poles") as caught:
        rtf_kernel(_f64(a), _f64(np.ones(300)), 1024)
    bound = float(re.search(r"1 < rho <= ([0-9.e+-]+)", str(caught[0].message)).group(1))
    rho = max(abs(np.roots(np.r_[1.0, a])))
    assert 1 < rho <= bound < 1.5


@pytest.mark.parametrize("r", [0.9, 0.99])
def test_stable_a_beyond_rouche_does_not_warn(r):
    """sum|a_i| > 1 but every pole inside: certified stable, no warning (not vacuous)."""
    a = _pole_pair(r, 0.3, rest=(0.9, 0.2))
    assert sum(abs(v) for v in a) > 1 and max(abs(np.roots([1.0, *a]))) < 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rtf_kernel(_f64(a), _f64(NEAR_B), 4096)


@pytest.mark.parametrize("dtype", DTYPES)
def test_tail_threshold_is_exact_and_the_default_is_sqrt_u(dtype):
    """One pole r (h_k = r^k): refused iff tail > max_tail, tail taken from the oracle;
    default_max_tail(dtype) = sqrt(u) refuses a tail of 10 sqrt(u)."""
    L, target = 64, 10 * math.sqrt(unit_roundoff(dtype))
    r = float(torch.tensor(target ** (1 / (L - 1)), dtype=torch.float32))
    K = _floats(_oracle((-r,), (1.0,), L, True))
    tail = float(K[-1].abs() / K.abs().max())
    assert 3 * math.sqrt(unit_roundoff(dtype)) < tail < 30 * math.sqrt(unit_roundoff(dtype))
    at, bt = torch.tensor([-r], dtype=dtype), torch.tensor([1.0], dtype=dtype)
    assert default_max_tail(dtype) == math.sqrt(unit_roundoff(dtype))
    with pytest.raises(InvalidArgumentError, match="tail"):
        rtf_kernel(at, bt, L, max_tail=default_max_tail(dtype))
    with pytest.raises(InvalidArgumentError, match="tail"):
        rtf_kernel(at, bt, L, max_tail=0.9 * tail)
    rtf_kernel(at, bt, L, max_tail=1.1 * tail)
    rtf_kernel(at, bt, L)  # the default: no tail check


def test_unstable_denominator_is_reported_everywhere():
    a = _pole_pair(1.01, 2 * math.pi * 5 / 256)
    at, bt = _f64(a), _f64(NEAR_B)
    diag = rtf_diagnostics(at, 256, b=bt)
    assert not bool(diag.stable) and not bool(diag.stable_by_sum)
    assert float(diag.spectral_radius) == pytest.approx(1.01, rel=1e-6)
    assert float(diag.tail) > 0.1
    with pytest.raises(InvalidArgumentError, match="not stable"):
        rtf_realization(at, bt, 256)
    with pytest.raises(InvalidArgumentError, match="not stable"):
        rtf_recurrence(at, bt, torch.ones(8, dtype=torch.float64), L=256)


def test_exact_zero_of_a_hat_gives_nan_and_is_refused():
    at, bt = torch.tensor([-1.0], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64)
    with pytest.raises(InvalidArgumentError, match="NaN or infinite"):
        rtf_kernel(at, bt, 16)
    assert not bool(torch.isfinite(rtf_kernel(at, bt, 16, check="none")).all())
    assert math.isinf(float(rtf_diagnostics(at, 16).condition))
    with pytest.raises(InvalidArgumentError, match="condition"):
        rtf_realization(at, bt, 16)
    with pytest.raises(InvalidArgumentError, match="singular"):
        rtf_realization(at, bt, 16, check="none")


@pytest.mark.parametrize("dtype", DTYPES)
def test_near_circle_pole_without_drift_is_accepted_where_accurate(dtype):
    """r = 0.99 at L = 4096: the aliasing term is 0.99^4096 ~ 1e-18, the FFT is accurate to
    u log2(L) cond (cond 1.8e4). float64: accepted and within the model against the
    TRUNCATED oracle; float32: the estimated error 1.3e-2 exceeds sqrt(u), refused."""
    L = 4096
    a = _pole_pair(0.99, 2 * math.pi * 5 / L)
    at, bt = torch.tensor(a, dtype=dtype), torch.tensor(NEAR_B, dtype=dtype)
    if dtype == torch.float32:
        with pytest.raises(InvalidArgumentError, match="condition"):
            rtf_kernel(at, bt, L)
        return
    K = rtf_kernel(at, bt, L)
    assert_kernel_close(K, _oracle(a, NEAR_B, L, False), algorithm="rtf-fft", cond=_fft_cond(a, L))
    with pytest.raises(AssertionError):  # a gate that ignored cond would call it broken
        assert_kernel_close(K, _oracle(a, NEAR_B, L, False), algorithm="rtf-fft")


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

A4 = torch.tensor([0.1, -0.2, 0.05, 0.1], dtype=torch.float64)


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: rtf_kernel([0.1], A4, 8), InvalidTypeError, "torch.Tensor"),
        (lambda: rtf_kernel(A4.int(), A4, 8), InvalidTypeError, "floating"),
        (lambda: rtf_kernel(A4.to(torch.complex128), A4, 8), InvalidTypeError, "real"),
        (lambda: rtf_kernel(A4.half(), A4.half(), 8), InvalidTypeError, "float32 or float64"),
        (lambda: rtf_kernel(A4, A4[:3], 8), InvalidArgumentError, "d entries"),
        (lambda: rtf_kernel(A4[:0], A4[:0], 8), InvalidArgumentError, "empty"),
        (lambda: rtf_kernel(A4, A4, 4), InvalidArgumentError, "d < L"),
        (lambda: rtf_kernel(A4, A4, 0), InvalidArgumentError, ">= 1"),
        (lambda: rtf_kernel(A4, A4, 8.0), InvalidTypeError, "integer"),
        (lambda: rtf_kernel(A4, A4, True), InvalidTypeError, "bool"),
        (
            lambda: rtf_kernel(torch.tensor([math.nan, 0.0]), A4[:2], 8),
            InvalidArgumentError,
            "NaN",
        ),
        (lambda: rtf_kernel(A4, A4, 8, check="loud"), InvalidArgumentError, "check"),
        (lambda: rtf_kernel(A4, A4, 8, max_tail=-1.0), InvalidArgumentError, "> 0"),
        (lambda: rtf_kernel(A4, A4, 8, max_condition="x"), InvalidTypeError, "number"),
        (
            lambda: rtf_kernel(A4.expand(2, 4), A4.expand(3, 4), 8),
            InvalidArgumentError,
            "broadcast",
        ),
        (lambda: rtf_impulse_response(A4, A4, 0), InvalidArgumentError, ">= 1"),
        (
            lambda: rtf_recurrence(A4, A4, torch.ones(9, dtype=torch.float64), L=8),
            InvalidArgumentError,
            "len\\(u\\) <= L",
        ),
        (
            lambda: rtf_recurrence(A4, A4, torch.ones(0, dtype=torch.float64), L=8),
            InvalidArgumentError,
            "empty",
        ),
        (lambda: rtf_realization(A4, A4, 3), InvalidArgumentError, "d < L"),
        (
            lambda: rtf_step(torch.zeros(3), torch.tensor(1.0), A4.float(), A4.float()),
            InvalidArgumentError,
            "last dimension",
        ),
        (lambda: rtf_diagnostics(A4, 8, max_eig_d=-1), InvalidArgumentError, ">= 0"),
        (lambda: rtf_kernel(A4, A4.to("meta"), 8), InvalidArgumentError, "different devices"),
        (
            lambda: rtf_recurrence(A4, A4, torch.ones(8, device="meta"), L=8),
            InvalidArgumentError,
            "different devices",
        ),
        (
            lambda: rtf_step(torch.zeros(4), torch.ones(16), A4.float(), A4.float()),
            InvalidArgumentError,
            "time dimension",
        ),
        (
            lambda: rtf_step(torch.zeros(4), torch.ones(2, 1), A4.float(), A4.float()),
            InvalidArgumentError,
            "state's batch shape",
        ),
        (lambda: rtf_kernel(A4, A4, 10**12), InvalidArgumentError, "kernel_elements"),
        (
            lambda: rtf_kernel(A4.expand(2**16, 4), A4, 2**16),
            InvalidArgumentError,
            "kernel_elements",
        ),
        (lambda: rtf_impulse_response(A4, A4, 10**12), InvalidArgumentError, "kernel_elements"),
        (lambda: rtf_realization(A4, A4, 10**12), InvalidArgumentError, "kernel_elements"),
        (lambda: rtf_diagnostics(A4, 10**12), InvalidArgumentError, "kernel_elements"),
        (
            lambda: rtf_recurrence(A4, A4, torch.ones(4, dtype=torch.float64), L=10**12),
            InvalidArgumentError,
            "kernel_elements",
        ),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
def test_a_and_b_on_different_devices_are_refused():
    with pytest.raises(InvalidArgumentError, match="different devices"):
        rtf_kernel(A4, A4.cuda(), 8)
    with pytest.raises(InvalidArgumentError, match="different devices"):
        rtf_step(torch.zeros(4).cuda(), torch.tensor(1.0), A4.float().cuda(), A4.float().cuda())


def test_impulse_response_allows_d_at_least_L():
    h = rtf_impulse_response(A4, A4, 2)
    assert torch.allclose(h, torch.tensor([0.1, -0.2 - 0.1 * 0.1], dtype=torch.float64))


# ---------------------------------------------------------------------------------------
# Slow: the sweep behind the error models' constants
# ---------------------------------------------------------------------------------------


def _sweep_cases():
    for d in (4, 16, 64):
        for L in (256, 4096):
            for seed in range(12):
                s = (0.3, 0.6, 0.9, 0.99)[seed % 4]
                a, b, u = _system(d, seed, s)
                yield f"d={d} L={L} s={s} seed={seed}", a, b, u, L
    u = _system(4)[2]
    for L in (256, 4096):
        for r in (0.9, 0.99, 0.999, 0.9999):
            for m in (5.0, 5.5, 0.0, 0.5):
                yield f"pole r={r} m={m} L={L}", _pole_pair(r, 2 * math.pi * m / L), NEAR_B, u, L


@pytest.mark.slow
def test_sweep_within_error_models():
    """Every kernel x dtype over 104 systems; prints the worst error / (u g) per model."""
    worst: dict[tuple, tuple[float, str]] = {}
    for name, a, b, u, L in _sweep_cases():
        d = len(a)
        checks = {
            "rtf-fft": (rtf_kernel, _oracle(a, b, L, True), _fft_cond(a, L)),
            "rtf-impulse": (
                rtf_impulse_response,
                _oracle(a, b, L, False),
                rtf_impulse_response_condition(a, [0.0] * len(a), L),
            ),
            "rtf-recurrence": (
                None,
                _conv_oracle(u, a, b, L),
                rtf_recurrence_condition(a, b, u, L=L),
            ),
        }
        for dtype in DTYPES:
            at, bt, ut = (torch.tensor(v, dtype=dtype) for v in (a, b, u))
            for algorithm, (fn, oracle, cond) in checks.items():
                if algorithm == "rtf-fft":
                    got = rtf_kernel(at, bt, L, check="none")
                    if not bool(torch.isfinite(got).all()):  # a_hat rounds to 0: gated
                        assert dtype == torch.float32
                        continue
                elif algorithm == "rtf-impulse":
                    got = fn(at, bt, L)
                else:
                    got = rtf_recurrence(at, bt, ut, L=L, check="none")
                result = assert_kernel_close(got, oracle, algorithm=algorithm, N=d, cond=cond)
                bound = error_bound(algorithm, dtype, L=L, N=d, cond=cond)
                ratio = result.max_relative / bound * registered_models()[algorithm].constant
                key = (algorithm, str(dtype))
                if ratio > worst.get(key, (0.0, ""))[0]:
                    worst[key] = (ratio, name)
    for key, (ratio, name) in sorted(worst.items()):
        print(f"{key}: worst error/(u g) = {ratio:.3f} ({name})")


@pytest.mark.slow
@pytest.mark.parametrize(("r", "drift_min"), [(0.999, 1e-2), (0.9999, 0.3)])
def test_drift_at_L4096_matches_the_stated_facts(r, drift_min):
    """Poles 0.999 / 0.9999 at an L-th root of unity, L = 4096: the aliased kernel drifts
    from the truncated response by >= 1e-2 / 0.3 and the default gate refuses both."""
    L = 4096
    a = _pole_pair(r, 2 * math.pi * 5 / L)
    K = rtf_kernel(_f64(a), _f64(NEAR_B), L, check="none")
    assert compare_kernel(K, _oracle(a, NEAR_B, L, False)).max_relative > drift_min
    with pytest.raises(InvalidArgumentError, match="tail"):
        rtf_kernel(_f64(a), _f64(NEAR_B), L)


# ---------------------------------------------------------------------------------------
# The error models fail a kernel that lost digits
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("algorithm", ["rtf-fft", "rtf-impulse", "rtf-recurrence"])
def test_models_fail_a_kernel_that_lost_digits(algorithm, dtype):
    """The correct output with one tap moved by 30 u g (g the model's growth; the constants
    c of these models are <= 4) must fail: a model made 10x looser (c >= 20) passes it."""
    a, b, u = _system(4)
    L = 256
    at, bt, ut = (_t(v, dtype, "cpu") for v in (a, b, u))
    if algorithm == "rtf-fft":
        got, oracle, cond = rtf_kernel(at, bt, L), _oracle(a, b, L, True), _fft_cond(a, L)
    elif algorithm == "rtf-impulse":
        got, oracle = rtf_impulse_response(at, bt, L), _oracle(a, b, L, False)
        cond = _imp_cond(a, L)
    else:
        got, oracle = rtf_recurrence(at, bt, ut, L=L), _conv_oracle(u, a, b, L)
        cond = _rec_cond(a, b, u, L)
    assert_kernel_close(got, oracle, algorithm=algorithm, N=4, cond=cond)
    u_g = (
        error_bound(algorithm, dtype, L=L, N=4, cond=cond) / registered_models()[algorithm].constant
    )
    bad = got.double().clone()
    bad[7] += 30 * u_g * float(_floats(oracle).abs().max())
    with pytest.raises(AssertionError, match="outside the bound"):
        assert_kernel_close(bad.to(dtype), oracle, algorithm=algorithm, N=4, cond=cond)


@pytest.mark.parametrize("algorithm", ["rtf-fft", "rtf-impulse", "rtf-recurrence"])
def test_model_constant_is_the_one_its_justification_derives(algorithm):
    """c is chosen from measurements (its justification ends 'c = X (Nx the worst
    ratio)'); a constant that drifted from that derivation is a looser or tighter model
    than the one justified."""
    model = registered_models()[algorithm]
    stated = re.findall(r"c = ([0-9.]+) \(", model.justification)
    assert stated and float(stated[-1]) == model.constant


def test_sequential_loops_are_charged_per_step() -> None:
    """L = 2**24 fits kernel_elements as a tensor, but not as 2**24 Python-level steps."""
    a, b = torch.tensor([0.5]), torch.tensor([1.0])
    rtf_kernel(a, b, 2**24 // 64)  # the FFT kernel is not a loop: no step charge
    with pytest.raises(InvalidArgumentError, match="per sequential step"):
        rtf_impulse_response(a, b, 2**24)


def test_diagnostics_have_no_truth_value() -> None:
    unstable = rtf_diagnostics(torch.tensor([-2.0]), 8)  # pole at 2
    assert not bool(unstable.stable_by_sum)
    with pytest.raises(TypeError, match="no truth value"):
        assert unstable
