"""RTF (rational transfer function) kernels in torch: FFT kernel, its gate, the recurrence.

Conventions (seed 002, the same as ``hippo_verify.symbolic._rtf`` and the RTF oracle
``hippo_verify.oracles.rtf_kernel``):

    a(z) = 1 + a_1 z + ... + a_d z^d,        b(z) = b_1 + b_2 z + ... + b_d z^{d-1},

with ``a = (a_1, ..., a_d)`` and ``b = (b_1, ..., b_d)`` the last dimension of (..., d)
tensors. Two kernels of length L belong to b/a:

* the truncated impulse response h_k, k < L, the power-series coefficients of b(z)/a(z):
  h_k = b_{k+1} - sum_{i=1}^{min(k, d)} a_i h_{k-i} (b_{k+1} = 0 for k >= d)
  (``rtf_impulse_response``, oracle ``rtf_kernel(..., aliased=False)``);
* the aliased kernel K = IDFT_L(DFT_L(b_pad) / DFT_L(a_pad)) (``rtf_kernel``, oracle
  ``rtf_kernel(..., aliased=True)``): the unique length-L sequence whose cyclic convolution
  with a_pad is b_pad. When a is stable (every pole of b/a strictly inside the unit circle)
  K_k = sum_{m >= 0} h_{k + mL}, the periodization of the impulse response.

The recurrent form (seed 002's truncation correction). The companion realization of b/a
is Ab = companion(a) (first row -a, ones on the subdiagonal), Bb = e_1, Ct = b, so that
Ct (I - z Ab)^{-1} Bb = b(z)/a(z) and h_k = Ct Ab^k Bb. For any row Cbar the L-tap
generating function of K_k = Cbar Ab^k Bb is G_L(z) = Cbar (I - z^L Ab^L)(I - z Ab)^{-1} Bb,
which at the L-th roots of unity (z^L = 1) is Cbar (I - Ab^L)(I - z Ab)^{-1} Bb. Choosing

    Cbar = b (I - Ab^L)^{-1}

makes this b(z)/a(z) at every L-th root of unity, i.e. DFT_L(K) = DFT_L(b_pad)/DFT_L(a_pad)
(the DFT evaluates the polynomial sum_k K_k z^k at z = e^{-2 pi i j / L}); a polynomial of
degree < L is fixed by its values there, so the first L taps of (Ab, e_1, Cbar) ARE the
aliased kernel, exactly in exact arithmetic, and the recurrence x_{k+1} = Ab x_k + e_1 u_k,
y_k = Cbar x_{k+1} gives y_k = sum_{j <= k} K_j u_{k-j} for every k < L. Cbar exists iff
I - Ab^L is invertible, i.e. no pole lambda of b/a has lambda^L = 1; since
det(I - Ab^L) = prod_i (1 - lambda_i^L) = prod_{j < L} a(e^{-2 pi i j / L}), that is the
same condition as every DFT_L(a_pad)_j != 0.

The aliasing term is the kernel's continuation. K_k - h_k = (Cbar - b) Ab^k Bb and
Cbar - b = Cbar Ab^L, so K_k - h_k = Cbar Ab^{L+k} Bb = K_{L+k}^ext, the k-th tap of the
continuation of K past L by the same recurrence (K_n = -sum_i a_i K_{n-i} for n >= d, by
Cayley-Hamilton). The continuation is a linear function of the last d taps K_{L-d..L-1}
(the state the recurrence continues from); with s = sum |a_i| < 1 every continued tap is
at most s times their max, so max_k |K_k - h_k| <= s max_{L-d <= k < L} |K_k|. The FFT
gate therefore measures the *tail* max_{L-d <= k < L} |K_k| / max_k |K_k|.

Which kernel is wanted. In RTF (seed 002) K is not an approximation of h: C~ = b is the
trained parameter, and K is exact for the realization (Ab, e_1, Cbar = b (I - Ab^L)^{-1}).
So ``rtf_kernel`` returns K by default whatever the tail, and refuses only a K that is
itself inaccurate. A caller who wants K as the truncated impulse response h (an SSM whose
response must have decayed within L taps) opts in with ``max_tail``.

The checks of ``rtf_kernel`` (from what the FFT already computed, O(L) per system):

* condition max|a_hat| / min|a_hat| too large: the FFT always returns *something*; near a
  pole on an L-th root of unity DFT(a_pad) is tiny (exactly 0 only by luck of rounding)
  and the division amplifies the FFT's rounding by about cond while the kernel grows huge,
  with no inf or NaN. Refused (the result is inaccurate).
* NaN or infinite taps: refused.
* only with ``max_tail`` (the impulse reading): the tail above it. Measured drift
  max|K - h| / max|K| for a pole pair r e^{+-2 pi i 5/L} times 1 + 0.3 z - 0.2 z^2:
  r = 0.99, 0.999, 0.9999 give 8e-2, 3.4, 39 at L = 256 and -, 1.7e-2, 2.0 at L = 4096.
* stability: an unstable a (a pole |lambda| >= 1) still has an exact aliased kernel, but
  its recurrent form diverges (the state grows like rho^k): ``RTFStabilityWarning``,
  naming the spectral radius rho or a certified bound on it. sum|a_i| < 1 proves
  stability in O(d) (Rouche); otherwise the argument principle on DFT(a_pad) counts the
  poles outside the circle (certified when the samples are dense enough, see
  ``_zeros_inside``), and eigenvalues of companion(a) name rho when d <= 256.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice, require_int
from ._args import (
    as_tensor,
    broadcast_batch,
    common_dtype,
    require_batch_elements,
    require_finite,
    require_L,
    require_same_device,
)

__all__ = [
    "RTFConditioningWarning",
    "RTFDiagnostics",
    "RTFRealization",
    "RTFStabilityWarning",
    "default_max_condition",
    "default_max_tail",
    "rtf_diagnostics",
    "rtf_impulse_response",
    "rtf_kernel",
    "rtf_realization",
    "rtf_recurrence",
    "rtf_step",
]

#: The values of the ``check`` argument.
CHECK_MODES = ("raise", "warn", "none")
_DTYPES = (torch.float64, torch.float32)
#: Largest d for which ``rtf_diagnostics`` computes companion eigenvalues by default.
DEFAULT_MAX_EIG_D = 256


class RTFConditioningWarning(UserWarning):
    """An RTF kernel or realization failed its conditioning gate under ``check="warn"``."""


class RTFStabilityWarning(UserWarning):
    """``rtf_kernel`` got a denominator with a pole on or outside the unit circle, or one
    whose stability could not be certified cheaply. The aliased kernel is still exact
    (DFT(K) = DFT(b_pad) / DFT(a_pad)), but its recurrent form diverges."""


# ---------------------------------------------------------------------------------------
# Arguments
# ---------------------------------------------------------------------------------------


def _real_dtype(*tensors: torch.Tensor, family: str) -> torch.dtype:
    dtype = common_dtype(*tensors)
    if dtype not in _DTYPES:
        raise InvalidTypeError(
            f"{family}: dtype {dtype} is not supported; the RTF coefficients must be real "
            "float32 or float64 (the oracle and irfft need real a, b; torch has no half "
            "precision FFT of arbitrary length on the CPU)"
        )
    return dtype


def _coefficients(a: Any, b: Any, family: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(a, b) as real tensors (..., d) of one dtype, d >= 1, batch dims broadcast."""
    require_same_device(family, a=a, b=b)
    a = as_tensor("a", a, min_dim=1, screened=False)
    b = as_tensor("b", b, min_dim=1, screened=False)
    require_finite(a=a, b=b)
    d = a.shape[-1]
    if d == 0:
        raise InvalidArgumentError(
            f"{family}: a is empty; give the d >= 1 coefficients (a_1, ..., a_d) of "
            "a(z) = 1 + a_1 z + ... + a_d z^d"
        )
    if b.shape[-1] != d:
        raise InvalidArgumentError(
            f"{family}: a and b must both have d entries in their last dimension; got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}"
        )
    dtype = _real_dtype(a, b, family=family)
    if a.shape == b.shape:  # the common case, without torch.broadcast_shapes (~30 us)
        return a.to(dtype), b.to(dtype)
    batch = broadcast_batch(family, a=a.shape[:-1], b=b.shape[:-1])
    return a.to(dtype).expand(*batch, d), b.to(dtype).expand(*batch, d)


def _require_check(check: Any) -> str:
    return require_choice("check", check, CHECK_MODES)


def _require_threshold(name: str, value: Any, default: float | None) -> float | None:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTypeError(f"{name}: expected a number or None, got {value!r}")
    if not float(value) > 0:  # also refuses NaN
        raise InvalidArgumentError(f"{name}: must be > 0 (math.inf disables it), got {value!r}")
    return float(value)


@functools.cache
def _unit_roundoff(dtype: torch.dtype) -> float:
    return torch.finfo(dtype).eps / 2


def _log2_ceil(L: int) -> float:
    return float(max(1, math.ceil(math.log2(max(L, 2)))))


def default_max_condition(dtype: torch.dtype, L: int) -> float:
    """1 / (sqrt(u) log2 L): the largest cond = max|a_hat|/min|a_hat| ``rtf_kernel`` accepts
    by default, i.e. an estimated FFT rounding error u log2(L) cond of at most sqrt(u)
    (1.5e-8 in float64, 2.4e-4 in float32) relative to the kernel's max-norm."""
    return 1.0 / (math.sqrt(_unit_roundoff(dtype)) * _log2_ceil(L))


def default_max_tail(dtype: torch.dtype) -> float:
    """sqrt(u) (1.5e-8 in float64, 2.4e-4 in float32): the conventional ``max_tail`` of the
    impulse reading, ``rtf_kernel(a, b, L, max_tail=default_max_tail(dtype))``: accept K as
    the truncated response h only if the aliasing term is below sqrt(u) of max|K|."""
    return math.sqrt(_unit_roundoff(dtype))


# ---------------------------------------------------------------------------------------
# Diagnostics and the gate
# ---------------------------------------------------------------------------------------


def _a_hat(a: torch.Tensor, L: int) -> torch.Tensor:
    """DFT_L of a_pad = (1, a_1, ..., a_d, 0, ...), the half spectrum j = 0 .. L // 2.

    For real a the other half is conjugate, so min/max |.| over it are those of the full
    spectrum.
    """
    one = torch.ones((*a.shape[:-1], 1), dtype=a.dtype, device=a.device)
    return torch.fft.rfft(torch.cat([one, a], dim=-1), n=L)


def _tail(K: torch.Tensor, d: int) -> torch.Tensor:
    """max of the last d taps / max tap (0 for a zero kernel, NaN stays NaN)."""
    scale = K.abs().amax(dim=-1)
    end = K[..., K.shape[-1] - d :].abs().amax(dim=-1)
    return torch.where(scale > 0, end / torch.where(scale > 0, scale, 1), torch.zeros_like(end))


def _companion(a: torch.Tensor) -> torch.Tensor:
    """(..., d, d): first row -a, ones on the subdiagonal (``symbolic.companion``)."""
    d = a.shape[-1]
    Ab = torch.zeros((*a.shape, d), dtype=a.dtype, device=a.device)
    Ab[..., 0, :] = -a
    if d > 1:
        Ab[..., 1:, :-1] = torch.eye(d - 1, dtype=a.dtype, device=a.device)
    return Ab


def _spectral_radius(a: torch.Tensor) -> torch.Tensor:
    """max |eigenvalue| of companion(a) in float64 (the largest pole modulus), O(d^3)."""
    eigenvalues = torch.linalg.eigvals(_companion(a.to(torch.float64)))
    return eigenvalues.abs().amax(dim=-1)


@dataclass(frozen=True)
class RTFDiagnostics:
    """Conditioning facts of a(z) (and b(z)) at length L, each a float64 tensor of the batch
    shape (a scalar tensor for one system).

    Attributes:
        min_abs_a_hat: min_j |DFT_L(a_pad)_j|; 0 or tiny when a pole of b/a lies on or near
            an L-th root of unity (then the aliased kernel is undefined or huge).
        max_abs_a_hat: max_j |DFT_L(a_pad)_j| (>= 1: the mean of a_hat is a_0 = 1).
        condition: max_abs_a_hat / min_abs_a_hat (inf if the min is 0): the factor by which
            the division amplifies the FFT's rounding (see ``rtf_kernel``).
        sum_abs_a: sum_i |a_i|.
        stable_by_sum: sum_i |a_i| < 1, a sufficient (not necessary) condition for every
            pole to lie strictly inside the unit circle (Rouche), O(d).
        spectral_radius: max |pole| = max |eigenvalue of companion(a)| from
            ``torch.linalg.eigvals`` in float64, O(d^3); None if d > ``max_eig_d``. Poles
            within about sqrt(u) d of the circle cannot be told from it numerically.
        stable: spectral_radius < 1 (None if not computed).
        tail: with b given, max_{L-d <= k < L} |K_k| / max_k |K_k| of the float64 FFT
            kernel: the size of the aliasing term K - h relative to the kernel (exactly
            bounded by sum|a_i| tail when sum|a_i| < 1; see the module docstring). None
            without b.
    """

    min_abs_a_hat: torch.Tensor
    max_abs_a_hat: torch.Tensor
    condition: torch.Tensor
    sum_abs_a: torch.Tensor
    stable_by_sum: torch.Tensor
    spectral_radius: torch.Tensor | None
    stable: torch.Tensor | None
    tail: torch.Tensor | None

    def __bool__(self) -> bool:
        # "assert rtf_diagnostics(a, L)" would always pass: there is no single verdict here.
        raise TypeError(
            "RTFDiagnostics has no truth value; test .stable_by_sum, .stable or .condition"
        )


def rtf_diagnostics(
    a: Any, L: Any, *, b: Any = None, max_eig_d: int = DEFAULT_MAX_EIG_D
) -> RTFDiagnostics:
    """Conditioning of the RTF denominator a(z) = 1 + a_1 z + ... + a_d z^d at length L.

    Everything is computed in float64 (inputs are cast up). Cost: one length-L FFT per
    system for the spectrum (plus one kernel FFT when b is given), and O(d^3) for the
    companion eigenvalues when d <= ``max_eig_d``.

    Arguments:
        a: (..., d) real coefficients, d >= 1 (float32/float64).
        L: FFT length, an int > d.
        b: optional (..., d) numerator coefficients; when given, ``tail`` is filled in.
        max_eig_d: compute the spectral radius only when d <= this (0 disables).

    Returns:
        An ``RTFDiagnostics`` of float64/bool tensors of the broadcast batch shape.

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``rtf_kernel`` (shapes, dtypes, NaN/inf,
            d >= L), and ``max_eig_d`` not an int >= 0.
    """
    a = as_tensor("a", a, min_dim=1)
    if b is None:
        b = torch.zeros_like(a)
        with_tail = False
    else:
        with_tail = True
    a, b = _coefficients(a, b, "rtf_diagnostics")
    L = _require_length(L, a.shape[-1], "rtf_diagnostics")
    max_eig_d = require_int("max_eig_d", max_eig_d, minimum=0)
    require_batch_elements("rtf_diagnostics", a.shape[:-1], L)
    a64, b64 = a.to(torch.float64), b.to(torch.float64)
    d = a.shape[-1]
    A_hat = _a_hat(a64, L)
    absA = A_hat.abs()
    min_a, max_a = absA.amin(dim=-1), absA.amax(dim=-1)
    condition = torch.where(min_a > 0, max_a / torch.where(min_a > 0, min_a, 1), math.inf)
    sum_abs = a64.abs().sum(dim=-1)
    rho = _spectral_radius(a64) if d <= max_eig_d else None
    tail = None
    if with_tail:
        K = torch.fft.irfft(torch.fft.rfft(b64, n=L) / A_hat, n=L)
        tail = _tail(K, d)
    return RTFDiagnostics(
        min_abs_a_hat=min_a,
        max_abs_a_hat=max_a,
        condition=condition,
        sum_abs_a=sum_abs,
        stable_by_sum=sum_abs < 1,
        spectral_radius=rho,
        stable=None if rho is None else rho < 1,
        tail=tail,
    )


def _require_length(L: Any, d: int, family: str) -> int:
    L = require_L(L)
    if d >= L:
        raise InvalidArgumentError(
            f"{family}: needs d < L: the FFT pads a_pad = (1, a_1, ..., a_d), d + 1 = {d + 1} "
            f"coefficients, to length L = {L}; with d >= L they would wrap onto each other "
            "and the aliased kernel is not defined (use a longer L, or "
            "rtf_impulse_response for the truncated response)"
        )
    return L


def _worst(values: torch.Tensor, mask: torch.Tensor) -> tuple[tuple[int, ...], int, float]:
    """(batch index, flat index, value) of the largest value among the masked systems."""
    masked = torch.where(mask, values.nan_to_num(nan=math.inf), -math.inf)
    flat = int(masked.reshape(-1).argmax())
    index, rest = [], flat
    for size in reversed(values.shape):
        index.append(rest % size)
        rest //= size
    return tuple(reversed(index)), flat, float(values.reshape(-1)[flat])


def _gate_message(
    family: str,
    A_hat: torch.Tensor,
    K: torch.Tensor | None,
    d: int,
    L: int,
    dtype: torch.dtype,
    max_condition: float,
    max_tail: float | None,
) -> str | None:
    """The failure message of the conditioning gate, or None if every system passes."""
    absA = A_hat.abs()
    min_a, max_a = absA.amin(dim=-1), absA.amax(dim=-1)
    safe = torch.where(min_a > 0, min_a, 1)
    condition = torch.where(min_a > 0, max_a / safe, math.inf)
    condition = torch.where(torch.isfinite(absA).all(dim=-1), condition, math.inf)
    bad_condition = ~(condition <= max_condition)
    bad_values = torch.zeros_like(bad_condition)
    bad_tail = torch.zeros_like(bad_condition)
    if K is not None:
        bad_values = ~torch.isfinite(K).all(dim=-1)
        tail = _tail(K, d)
        if max_tail is not None:
            bad_tail = ~(tail <= max_tail) & ~bad_values
    failing = bad_condition | bad_values | bad_tail
    n_bad = int(failing.sum())
    if n_bad == 0:
        return None
    total = failing.numel()
    u = _unit_roundoff(dtype)
    lines = [f"{family}: {n_bad} of {total} system(s) fail the RTF conditioning gate"]
    if bool(bad_condition.any()):
        index, flat, cond = _worst(condition, bad_condition)
        worst_min = float(min_a.reshape(-1)[flat])
        lines.append(
            f"- condition max|a_hat|/min|a_hat| = {cond:.3e} > max_condition = "
            f"{max_condition:.3e} (worst system {index}; min |a_hat| = {worst_min:.3e}, "
            f"a_hat = DFT_{L}(1, a_1, ..., a_d)): a(z) (nearly) vanishes at an L-th root of "
            "unity, i.e. a pole of b(z)/a(z) lies on or near the unit circle at a frequency "
            "the length-L FFT samples. Dividing by a_hat amplifies the FFT's rounding by "
            f"about the condition: estimated relative error u log2(L) cond = "
            f"{u * _log2_ceil(L) * cond:.1e} in {dtype}; at an exact zero the aliased kernel "
            "is not defined at all"
        )
    if bool(bad_values.any()):
        lines.append(
            f"- the kernel has NaN or infinite taps ({int(bad_values.sum())} system(s)): "
            "DFT(a_pad) is exactly 0 at some frequency (a pole on an L-th root of unity) or "
            "overflowed"
        )
    if bool(bad_tail.any()):
        index, _, worst_tail = _worst(tail, bad_tail)
        lines.append(
            f"- tail max_(L-d<=k<L) |K_k| / max|K| = {worst_tail:.3e} > max_tail = "
            f"{max_tail:.3e} (worst system {index}): the response has not decayed within "
            f"L = {L} taps (a pole near or outside the unit circle), so the FFT's aliased "
            "kernel K differs from the truncated impulse response h by about this much "
            "relative to max|K| (K_k - h_k is exactly the continuation of K past L; it is "
            "<= sum|a_i| times this when sum|a_i| < 1). If a is unstable (see "
            "rtf_diagnostics(a, L).stable) K is not the periodization of any decaying "
            "response. This check runs only because max_tail was given (the impulse "
            "reading); leave max_tail=None for the aliased kernel itself (the RTF "
            "parametrization, exact for the realization of rtf_realization)"
        )
    lines.append(
        "Use check='warn' or check='none' to get the kernel anyway; rtf_diagnostics gives "
        "the numbers per system"
    )
    return "\n".join(lines)


def _enforce(message: str | None, check: str) -> None:
    if message is None or check == "none":
        return
    if check == "raise":
        raise InvalidArgumentError(message)
    warnings.warn(message, RTFConditioningWarning, stacklevel=3)


# ---------------------------------------------------------------------------------------
# The FFT kernel
# ---------------------------------------------------------------------------------------


def rtf_kernel(
    a: Any,
    b: Any,
    L: Any,
    *,
    check: str = "raise",
    max_condition: float | None = None,
    max_tail: float | None = None,
) -> torch.Tensor:
    """The aliased RTF kernel K = irfft(rfft(b_pad, L) / rfft(a_pad, L), L).

    a_pad = (1, a_1, ..., a_d, 0, ..., 0) and b_pad = (b_1, ..., b_d, 0, ..., 0), both of
    length L; K is the unique length-L sequence whose cyclic convolution with a_pad is
    b_pad, i.e. DFT_L(K)_j = b(z_j)/a(z_j) at z_j = e^{-2 pi i j/L}. It is exact, with no
    truncation, for the realization (companion(a), e_1, Cbar = b (I - companion(a)^L)^{-1})
    (RTF's C~ = b is the trained parameter; ``rtf_realization``); for stable a it is also
    the periodized impulse response sum_m h_{k+mL} (module docstring). This is the oracle
    ``rtf_kernel(a, b, L, aliased=True)``. Cost: three real FFTs of length L per system,
    O(L log L) whatever d < L is (the padding is done by ``rfft(x, n=L)``).

    Two readings, chosen by ``max_tail``:

    * ``max_tail=None`` (default): the aliased kernel itself. Returned whatever the tail.
    * ``max_tail=t`` (a number > 0): K as the truncated impulse response h of an SSM whose
      response decays within L taps. Refused (per ``check``) when
      tail = max_{L-d <= k < L} |K_k| / max_k |K_k| > t; since K_k - h_k is the
      continuation of K past L, max|K - h| <= sum|a_i| * tail * max|K| when sum|a_i| < 1.
      ``default_max_tail(dtype)`` = sqrt(u) is the conventional t; ``math.inf`` is the
      same as None.

    The checks (``check``), from quantities the FFT already has, per system:

    * condition = max_j |a_hat_j| / min_j |a_hat_j| > ``max_condition`` (default
      1/(sqrt(u) log2 L): 8.4e6 at L = 256 and 5.6e6 at L = 4096 in float64, 512 and 341 in
      float32): a pole on or near an L-th root of unity; the estimated rounding error
      u log2(L) cond would exceed sqrt(u). Refused.
    * NaN or infinite taps (an exact zero of a_hat, or overflow): refused.
    * the tail, only when ``max_tail`` is given (above).
    * stability: a pole with |lambda| >= 1 (or stability that cannot be certified cheaply:
      sum|a_i| >= 1, d > 256 and the argument principle inconclusive) issues an
      ``RTFStabilityWarning`` naming the spectral radius rho (float64 eigenvalues of
      companion(a) when d <= 256) or the certified bounds 1 < rho <= R (argument principle
      and Cauchy's bound R: sum_i |a_i| R^{-i} = 1). Never raised: K is exact, only its
      recurrent form diverges (``rtf_realization`` refuses it). O(d) when sum|a_i| < 1
      (Rouche), else one float64 FFT of a per doubling of the sampling (at most 16 L).

    Cost of the default checks: a screen (``_screen``) passes the clear cases with one
    pass over a (Rouche's bound (1 + S)/(1 - S) on the condition, S = sum|a_i|), one sum
    over the taps and one host sync, about 5-10% of the three FFTs at L = 4096; only what
    it cannot pass (S near or above 1, a non-finite sum) pays for the full gate, whose
    verdicts and messages they are. The inputs' finiteness is screened by one sum each
    and one sync before any work (``require_finite``), whatever ``check``.

    ``check="raise"`` raises ``InvalidArgumentError`` for a refused kernel, naming the
    measured numbers and what they mean (and warns about stability); ``"warn"`` issues an
    ``RTFConditioningWarning`` with the same text instead and returns K; ``"none"`` skips
    every check on the result (the input screen's sync is the only one).

    Arguments:
        a: (..., d) real coefficients a_1..a_d of the denominator, d >= 1.
        b: (..., d) real coefficients b_1..b_d of the numerator; batch dims broadcast with a.
        L: number of taps, an int > d; batch x L must be within the size limit
            ``kernel_elements`` (``hippo_verify.size_limits``).

    Dtypes: float64 or float32 (promoted between a and b); the FFTs run in that precision
    (complex128 / complex64). Same device for a and b; the result is on it.

    Returns:
        K of shape (*batch, L), batch the broadcast of a.shape[:-1] and b.shape[:-1].

    Raises:
        InvalidTypeError: non-tensors, integer/complex/half dtypes, bad check or thresholds.
        InvalidArgumentError: d = 0, d mismatch, d >= L, L < 1, NaN/inf, non-broadcasting
            batches, different devices, batch x L above ``kernel_elements``; and the checks
            under ``check="raise"``.
    """
    a, b = _coefficients(a, b, "rtf_kernel")
    d = a.shape[-1]
    L = _require_length(L, d, "rtf_kernel")
    check = _require_check(check)
    max_condition = _require_threshold(
        "max_condition", max_condition, default_max_condition(a.dtype, L)
    )
    max_tail = _require_threshold("max_tail", max_tail, None)
    require_batch_elements("rtf_kernel", a.shape[:-1], L)
    A_hat = _a_hat(a, L)
    K = torch.fft.irfft(torch.fft.rfft(b, n=L) / A_hat, n=L)
    if check == "none":
        return K
    screened = max_tail is None  # the screen knows the default gate only
    passes, stable_by_sum = _screen(A_hat, K, a, L, max_condition) if screened else (False, False)
    if not passes:  # the full gate decides, and names the numbers
        message = _gate_message("rtf_kernel", A_hat, K, d, L, a.dtype, max_condition, max_tail)
        _enforce(message, check)
    stability = None if stable_by_sum else _stability_warning(a, L)
    if stability is not None:
        warnings.warn(stability, RTFStabilityWarning, stacklevel=2)
    return K


def _screen(
    A_hat: torch.Tensor, K: torch.Tensor, a: torch.Tensor, L: int, max_condition: float
) -> tuple[bool, bool]:
    """(passes, stable_by_sum): a cheap screen in front of the full gate ``_gate_message``.

    passes is True only where the full gate (max_tail=None) passes every system for sure;
    otherwise the caller runs the full gate, so every refusal and message is the full
    gate's. stable_by_sum is True only where sum|a_i| < 1 for every system for sure (no
    ``_stability_warning`` needed); otherwise the caller runs that test.

    Rouche's bounds, O(d): on the unit circle 1 - S <= |a(z)| <= 1 + S with
    S = sum_i |a_i|, so when S < 1 the condition max|a_hat|/min|a_hat| is at most
    (1 + S)/(1 - S) without looking at the spectrum; one S (the largest over the systems)
    decides for all. The slack E = 2 (16 log2 L + 2 d + 8) u (S <= 1) covers the rounding
    of S in the working dtype (d u S), of the FFT's samples (entrywise below log2(L) u
    sum_i |a_pad_i| times a small constant) and of the full gate's |.| and quotient (a few
    u). When S + E >= 1 the condition is screened from the spectrum (``_condition_below``,
    O(L), one more sync).

    Non-finite taps: sum_k K_k is non-finite when any tap is (IEEE additions cannot turn
    inf or NaN into a finite number); a finite sum that overflows is a false alarm that
    the full gate clears. Cost: one pass over a and one over K and one host sync, against
    the full gate's complex abs, isfinite passes over the spectrum and the kernel, and
    several syncs.
    """
    if K.numel() == 0:
        return True, True
    u = _unit_roundoff(a.dtype)
    slack = 2 * (16 * _log2_ceil(L) + 2 * a.shape[-1] + 8) * u
    s_max, k_sum = torch.stack([a.abs().sum(dim=-1).amax(), K.sum()]).tolist()  # one sync
    stable_by_sum = s_max + slack < 1
    condition_ok = stable_by_sum and 1 + s_max + slack <= max_condition * (1 - s_max - slack)
    if not math.isfinite(k_sum):
        return False, stable_by_sum
    if not condition_ok:
        condition_ok = _condition_below(A_hat, max_condition, a.dtype)
    return condition_ok, stable_by_sum


def _condition_below(A_hat: torch.Tensor, max_condition: float, dtype: torch.dtype) -> bool:
    """True only if max|a_hat|/min|a_hat| <= max_condition for every system for sure: from
    |a_hat|^2 = Re^2 + Im^2 (no complex abs), with a 16 u margin for its rounding; an
    underflow or overflow of the squares fails (the full gate then decides)."""
    u = _unit_roundoff(dtype)
    abs2 = torch.addcmul(A_hat.real.square(), A_hat.imag, A_hat.imag)
    bound = min(max_condition, 1 / u) ** 2 * (1 - 16 * u)
    low, high = abs2.amin(dim=-1), abs2.amax(dim=-1)
    return bool(((high <= bound * low) & (high < math.inf)).all())


# ---------------------------------------------------------------------------------------
# Stability of the denominator (rtf_kernel's warning)
# ---------------------------------------------------------------------------------------

#: The finest sampling of a(z) on the circle ``_zeros_inside`` tries, in multiples of L.
_MAX_OVERSAMPLING = 16


def _full_circle(A_hat: torch.Tensor, n: int) -> torch.Tensor:
    """DFT_n of real a_pad at all n frequencies from its half spectrum (conjugate symmetry)."""
    return torch.cat([A_hat, A_hat[..., 1 : (n + 1) // 2].conj().flip(-1)], dim=-1)


def _zeros_inside(a64: torch.Tensor, L: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(count, certified): zeros of a(z) in |z| < 1, i.e. poles |lambda| > 1, per system.

    Argument principle: count = winding number of a(e^{i theta}) around 0, summed from the
    principal args of a(z_{j+1}) / a(z_j) over n samples (the DFT runs clockwise, hence the
    sign). Certified when (2 pi / n) sum_i i |a_i| <= min_j |a(z_j)| / 2: on each arc
    |a(z) - a(z_j)| <= (2 pi / n) max|a'| stays below |a(z_j)| / 2, so the image of the arc
    lies in a disk that excludes 0 and its arg change is the principal one. n doubles from
    L up to 16 L until every system is certified.
    """
    slope = torch.arange(1, a64.shape[-1] + 1, dtype=a64.dtype, device=a64.device) * a64.abs()
    slope = slope.sum(dim=-1)
    n = L
    while True:
        z = _full_circle(_a_hat(a64, n), n)
        steps = torch.angle(z.roll(-1, dims=-1) / z)
        count = torch.round(-steps.sum(dim=-1) / (2 * math.pi))
        certified = (2 * math.pi / n) * slope <= z.abs().amin(dim=-1) / 2
        if bool(certified.all()) or n >= _MAX_OVERSAMPLING * L:
            return count, certified
        n *= 2


def _cauchy_bound(a64: torch.Tensor) -> torch.Tensor:
    """R with sum_i |a_i| R^{-i} = 1 (>= every |lambda|; Cauchy), by bisection on [1, 1 +
    max|a_i|] (the root is >= 1 when sum|a_i| >= 1); the upper end is returned."""
    c = a64.abs()
    powers = torch.arange(1, c.shape[-1] + 1, dtype=c.dtype, device=c.device)
    lo = torch.ones_like(c[..., 0])
    hi = 1 + c.amax(dim=-1)
    for _ in range(60):
        mid = (lo + hi) / 2
        above = (c * mid[..., None] ** -powers).sum(dim=-1) > 1  # root is above mid
        lo, hi = torch.where(above, mid, lo), torch.where(above, hi, mid)
    return hi


def _stability_warning(a: torch.Tensor, L: int) -> str | None:
    """The text of ``rtf_kernel``'s RTFStabilityWarning, or None if every a is stable."""
    a64 = a.to(torch.float64)
    suspect = ~(a64.abs().sum(dim=-1) < 1)  # Rouche: sum|a_i| < 1 proves stability
    if not bool(suspect.any()):
        return None
    d, total = a.shape[-1], suspect.numel()
    count = torch.zeros(suspect.shape, dtype=torch.float64, device=a.device)
    certified = torch.ones(suspect.shape, dtype=torch.bool, device=a.device)
    count[suspect], certified[suspect] = _zeros_inside(a64[suspect], L)
    rho = None
    if d <= DEFAULT_MAX_EIG_D:  # cheap enough to name rho
        check_eig = suspect & (~certified | (count > 0))
        rho = torch.full(suspect.shape, -math.inf, dtype=torch.float64, device=a.device)
        if bool(check_eig.any()):
            rho[check_eig] = _spectral_radius(a64[check_eig])
        tol = d * math.sqrt(_unit_roundoff(torch.float64))  # eigvals' accuracy near 1
        unstable = (certified & (count > 0)) | ~(rho < 1 - tol)
        unknown = torch.zeros_like(unstable)
    else:
        unstable = certified & (count > 0)
        unknown = suspect & ~certified
    if not bool((unstable | unknown).any()):
        return None
    lines = []
    if bool(unstable.any()):
        if rho is not None:
            index, _, worst = _worst(rho, unstable)
            what = (
                f"spectral radius rho = {worst:.10g} (float64 eigenvalues of companion(a); "
                f"a pole within {tol:.1e} of the circle counts as on it)"
            )
        else:
            index, flat, n_out = _worst(count, unstable)
            bound = float(_cauchy_bound(a64.reshape(-1, d)[flat]))
            what = (
                f"{int(n_out)} of its {d} poles have |lambda| > 1 (argument principle on "
                f"DFT(a_pad), certified), so 1 < rho <= {bound:.6g} (Cauchy's bound)"
            )
        lines.append(
            f"rtf_kernel: {int(unstable.sum())} of {total} system(s) have a pole on or "
            f"outside the unit circle; worst system {index}: {what}"
        )
    if bool(unknown.any()):
        index, flat, _ = _worst(a64.abs().sum(dim=-1), unknown)
        bound = float(_cauchy_bound(a64.reshape(-1, d)[flat]))
        lines.append(
            f"rtf_kernel: the stability of {int(unknown.sum())} of {total} system(s) could "
            f"not be certified cheaply (sum|a_i| >= 1, d = {d} > {DEFAULT_MAX_EIG_D}, and "
            f"a(z) comes too close to 0 on the unit circle for the argument principle at "
            f"{_MAX_OVERSAMPLING} L samples); system {index}: rho <= {bound:.6g} (Cauchy's "
            f"bound); rtf_diagnostics(a, L, max_eig_d={d}) computes rho"
        )
    lines.append(
        "The aliased kernel returned is still exact (DFT(K) = DFT(b_pad) / DFT(a_pad)), but "
        "its recurrent form (rtf_realization) diverges like rho^k, and it is not the "
        "periodization of a decaying impulse response"
    )
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------
# Truncated impulse response
# ---------------------------------------------------------------------------------------


def rtf_impulse_response(a: Any, b: Any, L: Any) -> torch.Tensor:
    """The truncated impulse response h_k, k < L: power-series coefficients of b(z)/a(z).

    h_k = b_{k+1} - sum_{i=1}^{min(k, d)} a_i h_{k-i} (b_{k+1} = 0 for k >= d), run as a
    batched sequential loop over k (the recurrence is inherent; O(L d) work, L steps). The
    oracle is ``rtf_kernel(a, b, L, aliased=False)``. Any d >= 1 is allowed (d >= L too).
    No stability requirement: for an unstable a the response grows like rho^k.

    Arguments:
        a, b: (..., d) real coefficients (conventions of the module docstring).
        L: number of taps, an int >= 1.

    Returns:
        h of shape (*batch, L), float64 or float32 as the promoted (a, b).

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``rtf_kernel`` (except d >= L).
    """
    a, b = _coefficients(a, b, "rtf_impulse_response")
    L = require_L(L)
    require_batch_elements("rtf_impulse_response", a.shape[:-1], L, steps=L)
    return _impulse(a, b, L)


def _impulse(a: torch.Tensor, b: torch.Tensor, L: int) -> torch.Tensor:
    """h_k = b_{k+1} - sum_i a_i h_{k-i}, k < L (no validation)."""
    d = a.shape[-1]
    state = torch.zeros_like(a)  # (h_{k-1}, ..., h_{k-d})
    taps = []
    for k in range(L):
        h = -(a * state).sum(dim=-1)
        if k < d:
            h = h + b[..., k]
        state = torch.cat([h[..., None], state[..., :-1]], dim=-1)
        taps.append(h)
    return torch.stack(taps, dim=-1)


def _companion_power(a: torch.Tensor, L: int) -> torch.Tensor:
    """companion(a)^L = G_L T_a (see ``rtf_realization``), (..., d, d)."""
    d = a.shape[-1]
    e1 = torch.zeros_like(a)
    e1[..., 0] = 1
    g = _impulse(a, e1, L + d)  # g_0 .. g_{L+d-1}
    i = torch.arange(d, device=a.device)
    G = g[..., L + i[None, :] - i[:, None]]  # G[i, j] = g_{L+j-i}
    a_full = torch.cat([torch.ones_like(a[..., :1]), a], dim=-1)
    lag = i[None, :] - i[:, None]  # j - i
    T = torch.where(lag >= 0, a_full[..., lag.clamp(min=0)], torch.zeros((), dtype=a.dtype))
    return G @ T


# ---------------------------------------------------------------------------------------
# Recurrent form (companion realization with the truncation correction)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RTFRealization:
    """The recurrent system whose first L taps are the aliased kernel.

    x_{k+1} = A x_k + B u_k, y_k = C x_{k+1}, with A = companion(a) (first row -a, ones on
    the subdiagonal), B = e_1 and C = Cbar = b (I - A^L)^{-1} (module docstring).

    Attributes:
        A: (*batch, d, d) companion matrices.
        B: (*batch, d) input vectors e_1.
        C: (*batch, d) output rows Cbar.
        a: (*batch, d) the denominator coefficients (the first row of A is -a); the step
            uses them directly, O(d) per step instead of a dense O(d^2) product.
    """

    A: torch.Tensor
    B: torch.Tensor
    C: torch.Tensor
    a: torch.Tensor


def rtf_realization(
    a: Any,
    b: Any,
    L: Any,
    *,
    check: str = "raise",
    max_condition: float | None = None,
) -> RTFRealization:
    """The companion realization (A, e_1, Cbar = b (I - A^L)^{-1}) of the aliased kernel.

    Cbar comes from one batched solve of (I - A^L)^T Cbar^T = b^T, with A^L = G_L T_a
    formed from the power series g of 1/a(z) (derivation: the Krylov matrix
    W = [e_1, A e_1, ..., A^{d-1} e_1] has W[i, j] = g_{j-i}, because the companion state
    after an impulse is the last d values of g; it is unit upper triangular Toeplitz with
    inverse T_a[i, j] = a_{j-i} (a_0 = 1), since g * a = delta; and
    A^L W = [A^L e_1, ..., A^{L+d-1} e_1] = G_L with G_L[i, j] = g_{L+j-i}). So the set-up is
    the recurrence g_k = -sum_i a_i g_{k-i} for k < L + d (O((L + d) d), sequential) plus
    O(d^3); each step then costs O(d) (``rtf_step``). The set-up always runs in float64 and
    Cbar is rounded to the working dtype at the end.

    Why not repeated squaring (``torch.linalg.matrix_power``): a companion matrix with
    nearly repeated poles is nearly defective, and the rounding of each squaring perturbs
    A^m like a perturbation of a, which moves such poles by ~sqrt(u); measured for poles
    0.999 e^{+-i pi/L} (L = 4096, cond 1.8e6): A^L off by 2e-7 and Cbar by 3e-7 relative in
    float64 (2.7e3 in float32), against 1.1e-10 and 1.7e-10 by the g route (u cond = 2e-10).

    Equivalently Cbar(z) = a(z) K(z) mod z^d (Cbar_k = sum_{i <= k} a_i K_{k-i}, a_0 = 1,
    K the aliased kernel), because K = Cbar * g with g the power series of 1/a (the state of
    the companion recurrence is the last d values of w = g * u); that identity is an
    independent check of this route (tests), not used here, so the recurrence stays
    independent of the FFT.

    The gate (``check``: "raise", "warn", "none"):

    * the same condition test as ``rtf_kernel`` (max|a_hat|/min|a_hat| > ``max_condition``):
      det(I - A^L) = prod_j a_hat_j, so a tiny a_hat_j means a nearly singular solve;
    * stability: the spectral radius of A (float64 ``eigvals``, O(d^3), the same order as the
      set-up) must be < 1. Otherwise the state grows like rho^k and the bounded output is a
      difference of huge numbers; the realization is exact in exact arithmetic but useless
      in floating point. (sum|a_i| < 1 is accepted without eigenvalues: it implies rho < 1.)

    Arguments:
        a, b: (..., d) real coefficients; L: the kernel length, an int > d.

    Returns:
        An ``RTFRealization`` with tensors of the broadcast batch shape and promoted dtype.

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``rtf_kernel``; the gate under
            ``check="raise"``; and always when I - A^L is exactly singular (no Cbar exists).
    """
    a, b = _coefficients(a, b, "rtf_realization")
    d = a.shape[-1]
    L = _require_length(L, d, "rtf_realization")
    require_batch_elements("rtf_realization", a.shape[:-1], max(L + d, d * d))
    check = _require_check(check)
    max_condition = _require_threshold(
        "max_condition", max_condition, default_max_condition(a.dtype, L)
    )
    if check != "none":
        message = _gate_message(
            "rtf_realization", _a_hat(a, L), None, d, L, a.dtype, max_condition, None
        )
        if message is None:
            message = _stability_message(a)
        _enforce(message, check)
    a64 = a.to(torch.float64)
    eye = torch.eye(d, dtype=torch.float64, device=a.device)
    M = eye - _companion_power(a64, L)
    try:
        Cbar = torch.linalg.solve(M.mT, b.to(torch.float64)[..., None])[..., 0]
    except RuntimeError as error:  # torch.linalg.LinAlgError: exactly singular
        raise InvalidArgumentError(
            f"rtf_realization: I - A^{L} is singular ({error}): a pole of b/a is an L-th root "
            "of unity, so no Cbar with Cbar (I - A^L) = b exists"
        ) from None
    B = torch.zeros_like(a)
    B[..., 0] = 1
    return RTFRealization(A=_companion(a), B=B, C=Cbar.to(a.dtype), a=a)


def _stability_message(a: torch.Tensor) -> str | None:
    """None if every pole is strictly inside the unit circle, else the reason."""
    by_sum = a.abs().sum(dim=-1) < 1
    if bool(by_sum.all()):
        return None
    rho = _spectral_radius(a)
    unstable = ~(rho < 1)
    if not bool(unstable.any()):
        return None
    index, _, worst = _worst(rho, unstable)
    return (
        f"rtf_realization: {int(unstable.sum())} of {unstable.numel()} system(s) are not "
        f"stable: the spectral radius of companion(a) is {worst:.6g} >= 1 (worst system "
        f"{index}, float64 eigenvalues). The recurrent state grows like rho^k while the "
        "output stays bounded by cancellation, so the recurrence loses all accuracy; the "
        "aliased kernel of an unstable a is not the periodization of a decaying response"
    )


def _step(
    state: torch.Tensor, u_k: torch.Tensor, a: torch.Tensor, C: torch.Tensor
) -> tuple[torch.Tensor, torch.Tensor]:
    w = u_k - (a * state).sum(dim=-1)  # first row of A x + e_1 u
    state = torch.cat([w[..., None], state[..., :-1]], dim=-1)  # shift down
    return state, (C * state).sum(dim=-1)


def rtf_step(state: Any, u_k: Any, a: Any, C: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """One step of the companion recurrence: x' = A x + e_1 u_k, y_k = C x'.

    With A = companion(a), (A x)_0 = -a . x and (A x)_i = x_{i-1}: O(d) per step.

    Arguments:
        state: (*batch, d) the state x_k (zeros before the first step); it carries the
            full batch shape, so that x_{k+1} has the shape of x_k.
        u_k: the input sample, one per system: shape broadcasting to batch, no time
            dimension (to run a sequence use ``rtf_recurrence``).
        a: (..., d) denominator coefficients; C: (..., d) output row (Cbar of
            ``rtf_realization`` to reproduce the aliased kernel, b for the truncated one);
            batch dims broadcasting to batch.

    Returns:
        (x_{k+1}, y_k), shapes (*batch, d) and (*batch).

    Raises:
        InvalidTypeError / InvalidArgumentError: non-tensors, dtypes, NaN/inf, different
            devices, last dimensions of state/a/C differing, and u_k, a or C with a batch
            shape that does not broadcast to the state's (e.g. u_k with a time dimension).
    """
    require_same_device("rtf_step", state=state, u_k=u_k, a=a, C=C)
    state = as_tensor("state", state, min_dim=1)
    u_k = as_tensor("u_k", u_k)
    a = as_tensor("a", a, min_dim=1)
    C = as_tensor("C", C, min_dim=1)
    d = a.shape[-1]
    for name, value in (("state", state), ("C", C)):
        if value.shape[-1] != d:
            raise InvalidArgumentError(
                f"rtf_step: {name} must have last dimension d = {d} (that of a), got shape "
                f"{tuple(value.shape)}"
            )
    dtype = _real_dtype(state, u_k, a, C, family="rtf_step")
    batch = broadcast_batch(
        "rtf_step", state=state.shape[:-1], u_k=u_k.shape, a=a.shape[:-1], C=C.shape[:-1]
    )
    if batch != state.shape[:-1]:
        raise InvalidArgumentError(
            f"rtf_step: u_k {tuple(u_k.shape)}, a {tuple(a.shape)} and C {tuple(C.shape)} "
            f"must broadcast to the state's batch shape {tuple(state.shape[:-1])} (state "
            f"{tuple(state.shape)}); got batch {tuple(batch)}. u_k is one sample per system, "
            "without a time dimension: loop over time, or use rtf_recurrence for a sequence"
        )
    return _step(state.to(dtype), u_k.to(dtype), a.to(dtype), C.to(dtype))


def rtf_recurrence(
    a: Any,
    b: Any,
    u: Any,
    *,
    L: Any,
    check: str = "raise",
    max_condition: float | None = None,
) -> torch.Tensor:
    """y_k = sum_{j <= k} K_j u_{k-j} (K the aliased kernel) by the recurrence, k < len(u).

    Runs ``rtf_step`` over u from x_0 = 0 with the realization of ``rtf_realization(a, b,
    L)``: x_{k+1} = companion(a) x_k + e_1 u_k, y_k = Cbar x_{k+1}. In exact arithmetic this
    equals the causal convolution of u with ``rtf_kernel(a, b, L)`` for every k < L (module
    docstring), which is why len(u) <= L is required: past L the recurrence keeps going with
    the continued kernel K^ext_{L+k} = K_k - h_k, while the FFT convolution uses only L taps.

    Arguments:
        a, b: (..., d) real coefficients; u: (..., n) input with 1 <= n <= L; batch dims of
            a, b and u broadcast.
        L: the kernel length the realization reproduces, an int > d.
        check, max_condition: the gate of ``rtf_realization``.

    Returns:
        y of shape (*batch, n), dtype the promoted (a, b, u) (float64 or float32).

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``rtf_realization``, plus u empty,
            n > L, or u on another device or of an unsupported dtype.
    """
    require_same_device("rtf_recurrence", a=a, b=b, u=u)
    a = as_tensor("a", a, min_dim=1)
    b = as_tensor("b", b, min_dim=1)
    u = as_tensor("u", u, min_dim=1)
    dtype = _real_dtype(a, b, u, family="rtf_recurrence")
    n = u.shape[-1]
    L = require_L(L)
    if n == 0:
        raise InvalidArgumentError("rtf_recurrence: u is empty; give at least one sample")
    if n > L:
        raise InvalidArgumentError(
            f"rtf_recurrence: u has {n} samples but the realization reproduces the L = {L} "
            "tap kernel only for the first L outputs (past L the recurrence uses the "
            "continued kernel); give len(u) <= L or a longer L"
        )
    batch = broadcast_batch("rtf_recurrence", a=a.shape[:-1], b=b.shape[:-1], u=u.shape[:-1])
    require_batch_elements("rtf_recurrence", batch, max(n, a.shape[-1]), steps=n)
    system = rtf_realization(a.to(dtype), b.to(dtype), L, check=check, max_condition=max_condition)
    d = a.shape[-1]
    a_v = system.a.expand(*batch, d)
    C = system.C.expand(*batch, d)
    u = u.to(dtype).expand(*batch, n)
    state = torch.zeros((*batch, d), dtype=dtype, device=u.device)
    outputs = []
    for k in range(n):
        state, y_k = _step(state, u[..., k], a_v, C)
        outputs.append(y_k)
    return torch.stack(outputs, dim=-1)
