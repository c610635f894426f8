"""S4's DPLR kernel by Cauchy sums, Woodbury's identity and an inverse FFT (torch twin).

``dplr_kernel`` mirrors ``mp_oracles.dplr_kernel`` (same parameter names, order and
conventions): the continuous system is A = diag(Lambda) - P Q^H (P, Q of shape N x r, Q^H
the conjugate transpose), discretized by the bilinear method

    Ab = (I - dt/2 A)^{-1} (I + dt/2 A),   Bb = (I - dt/2 A)^{-1} dt B,

and the kernel is K_k = C Ab^k Bb, k = 0 .. L-1 (C a row, not conjugated). S4's algorithm:

1. Ct = C (I - Ab^L) (``dplr_kernel``; ``dplr_kernel_from_ct`` takes Ct directly, the
   parameter S4 trains). Ab^L is formed from the dense Ab by binary powering (repeated
   squaring, ceil(log2 L) products of N x N matrices, the vector C multiplied in at the set
   bits of L), as S4's reference implementation does; O(N^3 log L). The DPLR structure is
   not preserved by squaring, so it buys nothing here.
2. The DFT of the L taps is the truncated generating function at the L-th roots of unity
   z_j = e^{-2 pi i j / L}: G_j = Ct (I - z_j Ab)^{-1} Bb, and with
   w_j = (2/dt)(1 - z_j)/(1 + z_j) and the Cauchy sums k_XY(w) = sum_n X_n Y_n / (w - Lambda_n),

       G_j = 2/(1+z_j) [k_CtB - k_CtP (I_r + k_QhP)^{-1} k_QhB]      (Woodbury)

   (k_CtP a 1 x r row, k_QhB an r column, k_QhP r x r; Qh = Q^H; one batched r x r solve per
   frequency). On the unit circle w_j = (2i/dt) tan(pi j/L) and 2/(1+z_j) = 1 + i tan(pi j/L);
   the tangent is evaluated in float64 after exact integer range reduction (accurate near
   j = L/2, where 1 + z_j cancels) and then rounded to the working precision.
   At z = -1 (j = L/2, L even) the factorization is singular but G is not:
   (I - z Ab)^{-1} Bb = [(I - dt/2 A) + (I + dt/2 A)]^{-1} dt B = dt B / 2, so
   G_{L/2} = dt/2 Ct B, exactly as the oracle does.
3. K = ifft(G) (complex output, like the oracle; for a system closed under conjugation the
   imaginary part is rounding noise). With ``conj_pairs`` (S4's convention: the inputs are
   one member of each conjugate pair of a 2N-state system) the kernel is real and G
   Hermitian: the full system's Cauchy sums at w_j are k(w_j) + conj(k(w_{L-j})) (the
   other half's terms are the conjugates of the stored half's at conj w_j = w_{L-j}), the
   Woodbury solve runs for j <= L/2 only and K = irfft(G, n=L).

Validation stays before the work and cheap: a mode exactly on a node (w_j = Lambda_n, j !=
L/2, where the Cauchy sums are infinite) needs Re Lambda_n = 0 and Im Lambda_n = s_j, found
by one sorted search per mode (O(N log L)) instead of an isfinite pass over the (L, N)
Cauchy matrix (about 30% of the run time); a singular r x r system raises from the solve's
info; anything else non-finite (an overflow inside the sums) reaches the taps and is
caught there, on the (L) output.

Cost O(L N (r+1)^2 + L r^3 + N^3 log L + L log L) (the dense Ab is 2N x 2N with
``conj_pairs``); memory O(batch L N): the Cauchy matrix (batch x L x N), the sums
(batch x L x (r+1)^2) and the dense Ab (batch x N x N, 2N x 2N) count against
``kernel_elements`` (refused before any work). A result that overflowed the dtype (e.g.
Ab^L of an unstable system) raises InvalidArgumentError naming ||Ab^L||.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from ._args import (
    as_tensor,
    broadcast_batch,
    require_elements,
    require_finite_result,
    require_L,
    require_step,
    step_tensor,
)
from .diag import mode_vector, working_dtype

__all__ = ["dplr_kernel", "dplr_kernel_from_ct"]


def low_rank_factor(name: str, value: Any, N: int) -> torch.Tensor:
    """A finite (..., N, r) factor, r >= 1; a 1-D tensor of length N means r = 1."""
    value = as_tensor(name, value, min_dim=1)
    if value.shape[-1] == 0:
        raise InvalidArgumentError(
            f"{name}: rank r must be >= 1, got shape {tuple(value.shape)} (use a zero column "
            "for a purely diagonal A)"
        )
    if value.dim() == 1:
        if value.shape[0] != N:
            raise InvalidArgumentError(
                f"{name}: a 1-D factor must have length N = {N} (rank 1), got {value.shape[0]}"
            )
        return value[:, None]
    if value.shape[-2] != N:
        raise InvalidArgumentError(
            f"{name}: expected shape (..., N, r) with N = {N}, got {tuple(value.shape)} "
            "(for a batch of rank-1 factors of shape (..., N) use value.unsqueeze(-1))"
        )
    return value


def unit_circle_tangents(L: int, device: torch.device) -> tuple[torch.Tensor, int | None]:
    """(t, j_half): t_j = tan(pi j / L) in float64 for j < L, with t = 0 at j = L/2.

    j is reduced exactly to m = j or j - L in (-L/2, L/2]; for |m| <= L/4 the tangent is
    tan(pi m/L), otherwise sign(m) / tan(pi (L - 2|m|) / (2L)), so the argument of tan is
    never near pi/2. j_half = L/2 (where z_j = -1 and t is infinite) for even L, else None.
    """
    j = torch.arange(L, dtype=torch.int64, device=device)
    m = torch.where(2 * j <= L, j, j - L)
    far = 4 * m.abs() > L
    near_t = torch.tan(math.pi * m.to(torch.float64) / L)
    co = torch.tan(math.pi * (L - 2 * m.abs()).to(torch.float64) / (2 * L))
    half = L // 2 if L % 2 == 0 else None
    co = torch.where(co == 0, torch.ones_like(co), co)  # only at j = L/2, overwritten
    t = torch.where(far, torch.sign(m).to(torch.float64) / co, near_t)
    if half is not None:
        t[half] = 0.0
    return t, half


def _validated(
    Lambda: Any, P: Any, Q: Any, B: Any, C: Any, C_name: str, L: Any, dt: Any, conj_pairs: Any
) -> tuple[torch.Tensor, ...]:
    """Validated, promoted, broadcast (Lambda, P, Q, B, C, dt) and L."""
    if not isinstance(conj_pairs, bool):
        raise InvalidTypeError(f"conj_pairs: expected a bool, got {conj_pairs!r}")
    Lambda = mode_vector("Lambda", Lambda)
    N = Lambda.shape[-1]
    P = low_rank_factor("P", P, N)
    Q = low_rank_factor("Q", Q, N)
    if P.shape[-1] != Q.shape[-1]:
        raise InvalidArgumentError(
            f"P and Q must have the same rank r; got shapes {tuple(P.shape)} and {tuple(Q.shape)}"
        )
    B, C = mode_vector("B", B, N), mode_vector(C_name, C, N)
    L = require_L(L)
    step = require_step(dt)
    dtype = working_dtype(Lambda, P, Q, B, C, family="dplr_kernel")
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = broadcast_batch(
        Lambda=Lambda.shape[:-1],
        P=P.shape[:-2],
        Q=Q.shape[:-2],
        B=B.shape[:-1],
        **{C_name: C.shape[:-1]},
        dt=step_shape,
    )
    step = step_tensor(step, dtype, Lambda.device)
    r = P.shape[-1]
    full = 2 * N if conj_pairs else N  # the dense Ab of dplr_kernel is full x full
    require_elements(
        f"dplr_kernel: elements of the (batch {tuple(batch)}) x max(L x N, L x (r+1)^2, "
        f"{full} x {full}) work, L = {L}, N = {N}, r = {r}",
        batch.numel(),
        max(L * N, L * (r + 1) ** 2, full * full),
    )
    return (
        Lambda.to(dtype).expand(*batch, N),
        P.to(dtype).expand(*batch, N, r),
        Q.to(dtype).expand(*batch, N, r),
        B.to(dtype).expand(*batch, N),
        C.to(dtype).expand(*batch, N),
        step,
        L,
    )


def bilinear_matrix(
    Lambda: torch.Tensor, P: torch.Tensor, Q: torch.Tensor, dt: torch.Tensor | float
) -> torch.Tensor:
    """Dense Ab = (I - dt/2 A)^{-1}(I + dt/2 A) of A = diag(Lambda) - P Q^H."""
    N = Lambda.shape[-1]
    A = torch.diag_embed(Lambda) - P @ Q.mH
    half = dt[..., None, None] / 2 if isinstance(dt, torch.Tensor) else dt / 2
    eye = torch.eye(N, dtype=A.dtype, device=A.device)
    Ab, info = torch.linalg.solve_ex(eye - half * A, eye + half * A)
    if bool((info != 0).any()):
        raise InvalidArgumentError("I - dt/2 A is singular: 2/dt is an eigenvalue of A")
    return Ab


def row_times_power(C: torch.Tensor, M: torch.Tensor, L: int) -> torch.Tensor:
    """C M^L for rows C (..., N) by binary powering (floor(log2 L) squarings of M)."""
    v = C[..., None, :]
    while True:
        if L & 1:
            v = v @ M
        L >>= 1
        if not L:
            return v[..., 0, :]
        M = M @ M


def _conj_full(x: torch.Tensor, dim: int) -> torch.Tensor:
    """The stored halves of conjugate pairs and their conjugates, along ``dim`` (S4's _conj)."""
    return torch.cat([x, x.conj()], dim=dim)


def _require_no_pole(Lambda: torch.Tensor, s: torch.Tensor, half: int | None) -> None:
    """InvalidArgumentError if w_j = i s_j equals a Lambda_n exactly (j != L/2): the Cauchy
    sums are infinite there. w_j - Lambda_n = 0 needs Re Lambda_n = 0 and Im Lambda_n = s_j,
    so one sorted search per mode (O(N log L)) replaces an isfinite pass over the (L, N)
    Cauchy matrix. j = L/2 is left out: G there comes from its closed form."""
    if half is not None:
        s = s.clone()
        s[..., half] = math.nan  # equal to nothing
    s = s.sort(dim=-1).values.expand(*Lambda.shape[:-1], s.shape[-1]).contiguous()
    im = Lambda.imag.contiguous()
    idx = torch.searchsorted(s, im).clamp(max=s.shape[-1] - 1)
    if bool(((s.gather(-1, idx) == im) & (Lambda.real == 0)).any()):
        raise InvalidArgumentError(
            "the resolvent is singular at a root of unity: w_j = (2/dt)(1-z_j)/(1+z_j) is a "
            "pole Lambda_n of the Cauchy sums (Ab has an eigenvalue on the unit circle)"
        )


def _woodbury_kernel(
    Lambda: torch.Tensor,
    P: torch.Tensor,
    Q: torch.Tensor,
    B: torch.Tensor,
    Ct: torch.Tensor,
    dt: torch.Tensor | float,
    L: int,
    conj_pairs: bool,
) -> torch.Tensor:
    """ifft of G_j = 2/(1+z_j) [k_CtB - k_CtP (I + k_QhP)^{-1} k_QhB] (validated inputs).

    With ``conj_pairs`` the inputs are the stored halves of conjugate pairs: the full
    system's sums are k(w_j) + conj(k(conj w_j)) with conj w_j = w_{L-j}, needed for
    j <= L/2 only (the kernel is real, G Hermitian), then ``irfft``.
    """
    dtype, device = Lambda.dtype, Lambda.device
    real = torch.float64 if dtype == torch.complex128 else torch.float32
    t64, half = unit_circle_tangents(L, device)
    t = t64.to(real)
    dt_l = dt[..., None] if isinstance(dt, torch.Tensor) else dt
    s = 2 * t / dt_l  # (..., L): w_j = i s_j
    _require_no_pole(Lambda, s, half)
    w = torch.complex(torch.zeros_like(s), s)
    inv = 1 / (w[..., :, None] - Lambda[..., None, :])  # (..., L, N)
    left = torch.cat([Ct[..., None], Q.conj()], dim=-1)  # (..., N, r+1): Ct, Q^H rows
    right = torch.cat([B[..., None], P], dim=-1)  # (..., N, r+1): B, P columns
    r1 = left.shape[-1]
    products = (left[..., :, :, None] * right[..., :, None, :]).flatten(-2)
    k = (inv @ products).unflatten(-1, (r1, r1))  # (..., L, r+1, r+1)
    if conj_pairs:
        j = torch.arange(L // 2 + 1, device=device)
        k = k[..., j, :, :] + k[..., (L - j) % L, :, :].conj()
        t = t[: L // 2 + 1]
    k_cb, k_cp, k_qb, k_qp = k[..., 0, 0], k[..., 0:1, 1:], k[..., 1:, 0:1], k[..., 1:, 1:]
    eye = torch.eye(r1 - 1, dtype=dtype, device=device)
    x, info = torch.linalg.solve_ex(eye + k_qp, k_qb)
    if bool((info != 0).any()):
        raise InvalidArgumentError(
            "the resolvent is singular at a root of unity: w_j = (2/dt)(1-z_j)/(1+z_j) is "
            "an eigenvalue of A (Ab has an eigenvalue on the unit circle)"
        )
    G = torch.complex(torch.ones_like(t), t) * (k_cb - (k_cp @ x)[..., 0, 0])
    if half is not None:
        dt_h = dt if isinstance(dt, torch.Tensor) else torch.tensor(dt, dtype=real, device=device)
        CtB = (Ct * B).sum(-1)
        # z = -1: (I + Ab)^{-1} Bb = dt B / 2, so G = dt/2 Ct B (both halves: dt Re Ct B).
        G[..., half] = dt_h * CtB.real if conj_pairs else dt_h / 2 * CtB
    if conj_pairs:
        return torch.fft.irfft(G, n=L, dim=-1)
    return torch.fft.ifft(G, dim=-1)


def dplr_kernel(
    Lambda: Any, P: Any, Q: Any, B: Any, C: Any, L: Any, *, dt: Any, conj_pairs: bool = False
) -> torch.Tensor:
    """S4 kernel of A = diag(Lambda) - P Q^H (bilinear), by Cauchy sums + Woodbury + IFFT.

    K_k = C Ab^k Bb, k = 0 .. L-1, with (Ab, Bb) the bilinear discretization of (A, B) and
    C a row (not conjugated); the algorithm and its conventions are in the module
    docstring (Ct = C (I - Ab^L) by binary powering of the dense Ab, then
    ``dplr_kernel_from_ct``). Mirrors ``mp_oracles.dplr_kernel``.

    Arguments:
        Lambda: (..., N) diagonal of A (complex or real).
        P, Q: (..., N, r) low-rank factors, A = diag(Lambda) - P Q^H (Q conjugated); a 1-D
            tensor of length N is rank 1. They must have the same r.
        B: (..., N) input; C: (..., N) output row.
        L: number of taps, an int >= 1.
        dt: a positive number, or a real tensor of positive steps broadcasting with the batch.
        conj_pairs: (not in the oracle; S4's convention) the inputs hold one member of each
            conjugate pair of a 2N-state system, (diag(Lambda, conj Lambda) - [P; conj P]
            [Q; conj Q]^H, [B; conj B], [C, conj C]), whose kernel is real: it is returned
            as a real tensor, from the half spectrum j <= L/2 and ``irfft`` (the Cauchy sums
            of the other half are conjugates of the stored half's at conj w_j = w_{L-j}).
            Ct = C (I - Ab^L) is formed on the dense 2N x 2N Ab, as S4 does (the mean of
            its first half and the conjugate of its second).

    Dtypes: float64/complex128 inputs compute in complex128, float32/complex64 in
    complex64; half precision is refused.

    Returns:
        (*batch, L) complex tensor (complex128 or complex64), batch the broadcast of the
        inputs' batch dimensions and dt.shape; real (float64 or float32) with
        ``conj_pairs``.

    Raises:
        InvalidTypeError: non-tensor inputs, integer or half dtypes, bad dt/L types.
        InvalidArgumentError: shapes (N, rank mismatch, non-broadcasting batches), L < 1,
            dt <= 0, NaN/inf, different devices; I - dt/2 A singular; a resolvent singular
            at a root of unity.
    """
    Lambda, P, Q, B, C, step, L = _validated(Lambda, P, Q, B, C, "C", L, dt, conj_pairs)
    if conj_pairs:
        N = Lambda.shape[-1]
        full = _conj_full(Lambda, -1), _conj_full(P, -2), _conj_full(Q, -2)
        Ab = bilinear_matrix(*full, step)
        C_full = _conj_full(C, -1)
        Ct_full = C_full - row_times_power(C_full, Ab, L)
        # Both halves hold Ct up to rounding; the real kernel of the full system is linear
        # in Ct_full and sees their mean (taking one half alone doubles the rounding error).
        Ct = (Ct_full[..., :N] + Ct_full[..., N:].conj()) / 2
    else:
        Ab = bilinear_matrix(Lambda, P, Q, step)
        Ct = C - row_times_power(C, Ab, L)
    require_finite_result("dplr_kernel (Ct = C (I - Ab^L))", Ct, lambda: _power_growth(Ab, L))
    K = _woodbury_kernel(Lambda, P, Q, B, Ct, step, L, conj_pairs)
    require_finite_result("dplr_kernel", K, lambda: _power_growth(Ab, L))
    return K


def _power_growth(Ab: torch.Tensor, L: int) -> str:
    norm = torch.linalg.matrix_norm(Ab.detach().to(torch.complex128), 2).amax().item()
    return f"||Ab||_2 = {norm:.6g}, so ||Ab^L|| may reach {norm:.6g}^{L}"


def dplr_kernel_from_ct(
    Lambda: Any, P: Any, Q: Any, B: Any, Ct: Any, L: Any, *, dt: Any, conj_pairs: bool = False
) -> torch.Tensor:
    """The S4 kernel from Ct = C (I - Ab^L) directly (the parameter S4 trains).

    Returns ifft_j [Ct (I - z_j Ab)^{-1} Bb] over the L-th roots of unity z_j, which is
    the aliased kernel sum_{m >= 0} Ct Ab^{k + m L} Bb = Ct (I - Ab^L)^{-1} Ab^k Bb (k < L,
    spectral radius of Ab < 1): K_k = C Ab^k Bb when Ct = C (I - Ab^L). This is what S4
    computes from its trained C~. Arguments, dtypes, shapes and errors as ``dplr_kernel``
    with ``Ct`` in place of ``C`` (with ``conj_pairs``, Ct holds the stored halves of the
    full system's Ct, as S4 stores its C~); no dense matrix is formed (no O(N^3) work).
    """
    Lambda, P, Q, B, Ct, step, L = _validated(Lambda, P, Q, B, Ct, "Ct", L, dt, conj_pairs)
    K = _woodbury_kernel(Lambda, P, Q, B, Ct, step, L, conj_pairs)
    require_finite_result(
        "dplr_kernel_from_ct", K, lambda: "the Cauchy sums / Woodbury solve at the roots of unity"
    )
    return K
