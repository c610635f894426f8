"""H3's SSM path in torch: the shift SSM, the diagonal SSM and their composition.

H3 (Fu et al. 2023, "Hungry Hungry Hippos") runs, per channel, on projections q, k, v of
the input:

    y = q * diag_ssm(shift_ssm(k) * v)          (elementwise products over time)

* shift SSM: Ab = the down-shift (Ab[i+1, i] = 1), Bb = e_0, output row C of length d, so
  its state after step t is the last d inputs (k_t, k_{t-1}, ..., k_{t-d+1}) and its kernel
  is K_k = C_k for k < d, 0 beyond (``shift_kernel``; oracle ``mp_oracles.shift_kernel``);
* diagonal SSM: S4D-style with ZOH and conjugate pairs, modes lam (one of each pair), input
  B and output C: lam_bar = e^{dt lam}, Bb = (e^{dt lam} - 1)/lam B (dt B at lam = 0) and
  kernel K_k = 2 Re sum_n C_n Bb_n lam_bar_n^k (oracle ``mp_oracles.h3_diag_kernel``).

Every SSM here uses the package convention x_0 = 0, x_{t+1} = Ab x_t + Bb u_t,
y_t = C x_{t+1}: the output sees the current input, y_t = sum_{j <= t} K_j u_{t-j}
(oracle ``mp_oracles.causal_conv``).

``h3_ssm`` evaluates the composition two ways that agree to rounding: ``mode="conv"`` (the
two kernels, then causal FFT convolutions: ``hippo_verify.kernels.conv.causal_conv`` and
``hippo_verify.kernels.diag.h3_diag_kernel``) and ``mode="recurrence"`` (the state-space
steps above, one time step at a time).

This is the single-head form (head dimension 1, as in a per-channel view of H3); H3's
multi-head variant forms outer products shift(k)_t v_t^T per head before the diagonal
SSM, which reduces to this per (head, channel) pair.
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice
from ._args import (
    as_tensor,
    broadcast_batch,
    require_batch_elements,
    require_L,
    require_same_device,
    require_step,
)
from .conv import causal_conv
from .diag import h3_diag_kernel

__all__ = ["H3_MODES", "h3_ssm", "shift_kernel"]

#: The evaluation modes of ``h3_ssm``.
H3_MODES = ("conv", "recurrence")
_REAL = (torch.float64, torch.float32)
_COMPLEX_OF = {torch.float64: torch.complex128, torch.float32: torch.complex64}
_REAL_OF = {
    torch.float64: torch.float64,
    torch.float32: torch.float32,
    torch.complex128: torch.float64,
    torch.complex64: torch.float32,
}


def _real_part_dtype(name: str, value: torch.Tensor) -> torch.dtype:
    if value.dtype not in _REAL_OF:
        raise InvalidTypeError(
            f"{name}: dtype {value.dtype} is not supported; use float32/float64 (or "
            "complex64/complex128 for the diagonal SSM's lam, B, C)"
        )
    return _REAL_OF[value.dtype]


def _real_sequence(name: str, value: Any, family: str) -> torch.Tensor:
    value = as_tensor(name, value, min_dim=1)
    if value.is_complex():
        raise InvalidTypeError(f"{family}: {name} must be real, got {value.dtype}")
    _real_part_dtype(name, value)
    if value.shape[-1] == 0:
        raise InvalidArgumentError(f"{family}: {name} is empty (last dimension 0)")
    return value


def shift_kernel(C: Any, L: Any) -> torch.Tensor:
    """H3's shift-SSM kernel: K_k = C_k for k < min(d, L), 0 for d <= k < L.

    The shift SSM has Ab = the down-shift (Ab[i+1, i] = 1) and Bb = e_0, so
    K_k = C Ab^k e_0 = C_k; taps of C beyond L are dropped (as the oracle
    ``mp_oracles.shift_kernel``). Exact: no arithmetic, only copying and zero padding.

    Arguments:
        C: (..., d) real output row (float32/float64), d >= 1.
        L: number of taps, an int >= 1.

    Returns:
        (..., L), the dtype and device of C.

    Raises:
        InvalidTypeError: C not a tensor, integer/complex/half dtype, L not an int.
        InvalidArgumentError: d = 0, L < 1, NaN/inf in C, batch x L above the size limit
            ``kernel_elements`` (``hippo_verify.size_limits``).
    """
    C = _real_sequence("C", C, "shift_kernel")
    L = require_L(L)
    require_batch_elements("shift_kernel", C.shape[:-1], L)
    d = C.shape[-1]
    if d >= L:
        return C[..., :L].clone()
    return torch.nn.functional.pad(C, (0, L - d))


def _zoh_modes(
    lam: torch.Tensor, B: torch.Tensor, dt: torch.Tensor | float
) -> tuple[torch.Tensor, torch.Tensor]:
    """(lam_bar, Bb) = (e^{dt lam}, dt B expm1(dt lam)/(dt lam)), Bb = dt B at lam = 0."""
    dt_v = dt[..., None] if isinstance(dt, torch.Tensor) else dt
    dlam = lam * dt_v
    ratio = torch.where(dlam == 0, torch.ones_like(dlam), torch.expm1(dlam) / dlam)
    return torch.exp(dlam), B * dt_v * ratio


def h3_ssm(
    q: Any,
    k: Any,
    v: Any,
    shift_C: Any,
    lam: Any,
    B: Any,
    C: Any,
    *,
    dt: Any,
    mode: str = "conv",
) -> torch.Tensor:
    """H3's SSM path y = q * diag_ssm(shift_ssm(k) * v), per channel.

    With s = causal_conv(k, shift_kernel(shift_C, L)) and
    w = causal_conv(s * v, K_diag), K_diag_j = 2 Re sum_n C_n Bb_n lam_bar_n^j (ZOH,
    conjugate pairs; module docstring), the output is y = q * w, all products elementwise
    in time.

    Modes (they agree to rounding):

    * ``"conv"``: the two kernels (``shift_kernel``, ``kernels.diag.h3_diag_kernel``) and
      two causal FFT convolutions (``kernels.conv.causal_conv``); O(L log L + N L) per channel.
    * ``"recurrence"``: one step per time t: the shift state (k_t, ..., k_{t-d+1}) gives
      s_t = shift_C . state; the diagonal state per mode x <- lam_bar x + Bb s_t v_t gives
      w_t = 2 Re(C . x); y_t = q_t w_t. O((d + N) L) work, L sequential steps.

    Arguments:
        q, k, v: (..., L) real sequences (float32/float64), L >= 1; their batch dimensions
            (e.g. (batch, channels)) broadcast with those of the parameters.
        shift_C: (..., d) real output row of the shift SSM, d >= 1 (taps beyond L unused).
        lam, B, C: (..., N) modes, input and output of the diagonal SSM, N >= 1, real or
            complex (one mode of each conjugate pair).
        dt: the ZOH step, a positive number or a real tensor of positive steps whose shape
            broadcasts with the batch (e.g. one per channel, shape (H,)).
        mode: ``"conv"`` or ``"recurrence"``.

    Dtypes: the real working dtype is the promotion of q, k, v, shift_C and the real
    counterparts of lam, B, C (float64 or float32); the diagonal SSM runs in its complex
    counterpart. All tensors on one device.

    Returns:
        y of shape (*batch, L), batch the broadcast of every batch shape, in the real
        working dtype.

    Raises:
        InvalidTypeError: non-tensors, integer/half dtypes, complex q/k/v/shift_C, bad
            dt/mode types.
        InvalidArgumentError: empty or mismatched lengths (q, k, v must share L; lam, B, C
            must share N), NaN/inf, dt <= 0, unknown mode, non-broadcasting batches,
            different devices, batch x N x L (conv) or batch x L (recurrence) above the
            size limit ``kernel_elements``.
    """
    family = "h3_ssm"
    q = _real_sequence("q", q, family)
    k = _real_sequence("k", k, family)
    v = _real_sequence("v", v, family)
    L = q.shape[-1]
    if k.shape[-1] != L or v.shape[-1] != L:
        raise InvalidArgumentError(
            f"{family}: q, k and v must have the same length L (last dimension); got shapes "
            f"{tuple(q.shape)}, {tuple(k.shape)}, {tuple(v.shape)}"
        )
    shift_C = _real_sequence("shift_C", shift_C, family)
    lam = as_tensor("lam", lam, min_dim=1)
    N = lam.shape[-1]
    if N == 0:
        raise InvalidArgumentError(f"{family}: lam needs at least one mode, got shape (..., 0)")
    B = as_tensor("B", B, min_dim=1)
    C = as_tensor("C", C, min_dim=1)
    for name, value in (("B", B), ("C", C)):
        if value.shape[-1] != N:
            raise InvalidArgumentError(
                f"{family}: {name} must have last dimension N = {N} (that of lam), got shape "
                f"{tuple(value.shape)}"
            )
    step = require_step(dt)
    mode = require_choice("mode", mode, H3_MODES)
    tensors = {"q": q, "k": k, "v": v, "shift_C": shift_C, "lam": lam, "B": B, "C": C}
    if isinstance(step, torch.Tensor):
        tensors["dt"] = step
    require_same_device(family, **tensors)
    real = torch.float32
    for name, value in tensors.items():
        real = torch.promote_types(real, _real_part_dtype(name, value))
    batch = broadcast_batch(
        family,
        q=q.shape[:-1],
        k=k.shape[:-1],
        v=v.shape[:-1],
        shift_C=shift_C.shape[:-1],
        lam=lam.shape[:-1],
        B=B.shape[:-1],
        C=C.shape[:-1],
        dt=step.shape if isinstance(step, torch.Tensor) else (),
    )
    # conv: the Vandermonde matrix (batch x N x L); recurrence: the output (batch x L)
    require_batch_elements(
        family, batch, L * (N if mode == "conv" else 1), steps=0 if mode == "conv" else L
    )
    cplx = _COMPLEX_OF[real]
    q, k, v, shift_C = (t.to(real) for t in (q, k, v, shift_C))
    lam, B, C = (t.to(cplx) for t in (lam, B, C))
    if isinstance(step, torch.Tensor):
        step = step.to(real)
    if mode == "conv":
        s = causal_conv(k, shift_kernel(shift_C, L))
        w = causal_conv(s * v, h3_diag_kernel(lam, B, C, L, dt=step))
        return (q * w).expand(*batch, L)
    return _h3_recurrence(q, k, v, shift_C, lam, B, C, step, batch)


def _h3_recurrence(
    q: torch.Tensor,
    k: torch.Tensor,
    v: torch.Tensor,
    shift_C: torch.Tensor,
    lam: torch.Tensor,
    B: torch.Tensor,
    C: torch.Tensor,
    dt: torch.Tensor | float,
    batch: torch.Size,
) -> torch.Tensor:
    L, d, N = q.shape[-1], shift_C.shape[-1], lam.shape[-1]
    lam_bar, Bb = _zoh_modes(lam, B, dt)
    lam_bar, Bb, C = (t.expand(*batch, N) for t in (lam_bar, Bb, C))
    shift_C = shift_C.expand(*batch, d)
    q, k, v = (t.expand(*batch, L) for t in (q, k, v))
    shift_state = torch.zeros((*batch, d), dtype=q.dtype, device=q.device)
    x = torch.zeros((*batch, N), dtype=lam_bar.dtype, device=q.device)
    outputs = []
    for t in range(L):
        shift_state = torch.cat([k[..., t : t + 1], shift_state[..., :-1]], dim=-1)
        s_t = (shift_C * shift_state).sum(dim=-1)
        x = lam_bar * x + Bb * (s_t * v[..., t])[..., None]
        w_t = 2 * (C.real * x.real - C.imag * x.imag).sum(dim=-1)
        outputs.append(q[..., t] * w_t)
    return torch.stack(outputs, dim=-1)
