"""Convention adapters: exact, named maps from the conventions of public SSM code to ours.

A kernel graded by ``check_kernel(fn, algorithm)`` or ``assert_kernel_close`` is called in
hippo-verify's conventions; a code base with other conventions needs glue, and a convention
difference is never "close enough" (MISSION.md): it is one of the maps below.

hippo-verify's conventions (``hippo_verify.oracles.mp_oracles``' docstring): x' = A x + B u;
one step dt gives x_{k+1} = Ab x_k + Bb u_k with the output y_k = C x_{k+1} (after the
update, so y_k sees u_k); K_k = C Ab^k Bb for k = 0 .. L-1 (indexed from 0, C a row, never
conjugated); S4D stores one mode per conjugate pair (``conj_pairs=True``: K = 2 Re sum_n
C_n Bb_n lam_bar_n^k); S4's A = diag(Lambda) - P Q^H; RTF a(z) = 1 + a_1 z + ..., b(z) =
b_1 + b_2 z + ...; canonical HiPPO matrices from ``hippo_verify.symbolic.hippo``.

What a code base does, and the adapter:

* S4D/S4 store one mode per conjugate pair: ``full_from_half_modes``,
  ``half_from_full_modes``, ``full_from_half_dplr``;
* S4 trains C~ = C (I - Ab^L) instead of C: ``ct_from_c``, ``c_from_ct`` (float64),
  ``ct_from_c_exact``, ``c_from_ct_exact`` (exact, for the oracles);
* a feedthrough h0 (D u), a delay, sums and multiples of kernels: ``rtf_with_feedthrough``,
  ``shift_taps``, ``add_oracles``, ``scale_oracle`` (oracle);
* B-bar as the parameter (ZOH) or B-bar = dt B (Mamba): ``bbar_zoh``, ``b_from_bbar_zoh``,
  ``bbar_euler``;
* S4D modes with Im < 0 (state-spaces/s4's ``A = -real - 1j*imag``): ``conjugate_modes``;
* LegT halved (state-spaces/s4) or not (hippo-code): ``legt_rescale``, ``legt_factor``,
  ``LEGT_SCALES``;
* y_k = C x_k read before the update (+ D u_k): ``pre_update_from_post_update``,
  ``post_update_from_pre_update``;
* a discretization (Ab, Bb) to grade rather than a kernel: ``compare_discretization``,
  ``assert_discretization_close``;
* selective scans (section 9): Mamba's real-pair storage of complex per-step B/C
  (``real_pairs_from_complex``, ``complex_from_real_pairs``) and a scan in
  ``selective_scan_ref``'s convention (``selective_scan_from_mamba``); Mamba's in-place
  decoding step ``selective_state_update`` on our pure step (``mamba_state_update``) and
  the reverse (``step_from_state_update``); Mamba-2's minimal SSD, which takes X dt and
  A dt (``ssd_minimal_inputs``, ``ssd_from_minimal``); mambapy's time-major scans
  (``mambapy_inputs``, ``selective_from_mambapy``) and its ``pscan`` recurrence
  H_t = A_t H_{t-1} + X_t (``recurrence_from_selective``, ``selective_from_states``);
  S5 codes that read Re(C x) instead of 2 Re(C x) (``c_for_real_part``).

Example: a kernel in state-spaces/s4's sign convention that takes ZOH's B-bar, graded as
H3's diagonal kernel (ZOH, conjugate pairs)::

    from hippo_verify.testing import check_kernel
    from hippo_verify.testing import conventions as cv

    def in_our_conventions(lam, B, C, L, *, dt):
        lam, B, C = cv.conjugate_modes(lam, B, C)  # their Im lam < 0: same real kernel
        return their_kernel(lam, cv.bbar_zoh(lam, B, dt, diagonal=True), C, L)

    check_kernel(in_our_conventions, "h3-diag")

Tensors in, tensors out (any leading batch dimensions unless a function says otherwise),
except the adapters marked *oracle*: they map ``OracleResult`` kernels exactly, in
mpmath's binary numbers (sums and products of binary numbers are formed exactly; a
rational that is not binary, such as 1/3, is rounded at 64 bits beyond the result's
working precision, and the rounding is counted in the digits), and state the certified
digits of the result as a lower bound derived from the inputs' certificates (each
function says how). Every function validates its arguments before any work and raises
``InvalidTypeError`` / ``InvalidArgumentError`` (``hippo_verify._errors``).
"""

from __future__ import annotations

import cmath
import dataclasses
import math
import numbers
from collections.abc import Mapping
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp
import torch
from mpmath import libmp

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_int
from .._validation import require_step as _require_scalar_step
from ..kernels import selective_step
from ..kernels.discretize import expm
from ..kernels.selective import softplus
from ..oracles import OracleResult, mp_oracles
from ..symbolic import truncation_correction, untruncate
from ._assertions import KernelComparison, compare_kernel
from ._error_model import unit_roundoff

__all__ = [
    "LEGT_SCALES",
    "add_oracles",
    "assert_discretization_close",
    "b_from_bbar_zoh",
    "bbar_euler",
    "bbar_zoh",
    "c_for_real_part",
    "c_from_ct",
    "c_from_ct_exact",
    "compare_discretization",
    "complex_from_real_pairs",
    "conjugate_modes",
    "ct_from_c",
    "ct_from_c_exact",
    "full_from_half_dplr",
    "full_from_half_modes",
    "half_from_full_modes",
    "legt_factor",
    "legt_rescale",
    "mamba_state_update",
    "mambapy_inputs",
    "post_update_from_pre_update",
    "pre_update_from_post_update",
    "real_pairs_from_complex",
    "recurrence_from_selective",
    "rtf_with_feedthrough",
    "scale_oracle",
    "selective_from_mambapy",
    "selective_from_states",
    "selective_scan_from_mamba",
    "shift_taps",
    "ssd_from_minimal",
    "ssd_minimal_inputs",
    "step_from_state_update",
]

_FLOAT_DTYPES = (torch.float64, torch.float32, torch.complex128, torch.complex64)
_DOUBLE_DTYPES = (torch.float64, torch.complex128)
_COMPLEX_OF = {torch.float64: torch.complex128, torch.float32: torch.complex64}
#: A matrix whose condition number exceeds 1 / (_SINGULAR u) is singular to working
#: precision: solving with it would leave fewer than ~2 correct digits in float64.
_SINGULAR = 64.0


# ---------------------------------------------------------------------------------------
# Argument checks (tensors)
# ---------------------------------------------------------------------------------------


def _tensor(
    name: str, value: Any, *, min_dim: int = 1, dtypes: tuple[torch.dtype, ...] = _FLOAT_DTYPES
) -> torch.Tensor:
    """``value`` if it is a finite tensor of one of ``dtypes`` with >= ``min_dim`` dims."""
    if not isinstance(value, torch.Tensor):
        raise InvalidTypeError(f"{name}: expected a torch.Tensor, got {type(value).__name__}")
    if value.dtype not in dtypes:
        raise InvalidTypeError(
            f"{name}: expected a tensor of dtype {', '.join(str(d) for d in dtypes)}, got "
            f"{value.dtype}"
        )
    if value.dim() < min_dim:
        raise InvalidArgumentError(
            f"{name}: expected at least {min_dim} dimension(s), got shape {tuple(value.shape)}"
        )
    if value.numel() == 0:
        raise InvalidArgumentError(f"{name}: must not be empty, got shape {tuple(value.shape)}")
    if not bool(torch.isfinite(value).all()):
        raise InvalidArgumentError(f"{name}: contains NaN or infinity")
    return value


def _same_device(**tensors: torch.Tensor) -> None:
    devices = {t.device for t in tensors.values()}
    if len(devices) > 1:
        listed = ", ".join(f"{n} on {t.device}" for n, t in tensors.items())
        raise InvalidArgumentError(f"tensors are on different devices: {listed}")


def _mode_vectors(**vectors: Any) -> tuple[torch.Tensor, ...]:
    """Finite float/complex tensors (..., N), one N for all (leading dims independent)."""
    checked = {name: _tensor(name, v) for name, v in vectors.items()}
    _same_device(**checked)
    sizes = {name: t.shape[-1] for name, t in checked.items()}
    if len(set(sizes.values())) > 1:
        listed = ", ".join(f"{name} {tuple(t.shape)}" for name, t in checked.items())
        raise InvalidArgumentError(f"the last dimension (N) must agree: {listed}")
    return tuple(checked.values())


def _step(dt: Any) -> torch.Tensor | float:
    """A positive finite step: a real number, or a real floating tensor of positive steps."""
    if isinstance(dt, torch.Tensor):
        if dt.is_complex() or not dt.is_floating_point():
            raise InvalidTypeError(f"dt must be a real floating tensor, got {dt.dtype}")
        if not bool(torch.isfinite(dt).all()) or not bool((dt > 0).all()):
            raise InvalidArgumentError("dt must be finite and > 0 at every entry of the tensor")
        return dt
    return _require_scalar_step(dt)


def _promoted(*tensors: torch.Tensor) -> torch.dtype:
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = torch.promote_types(dtype, t.dtype)
    return dtype


def _batch(**shapes: tuple[int, ...]) -> torch.Size:
    try:
        return torch.broadcast_shapes(*shapes.values())
    except RuntimeError:
        listed = ", ".join(f"{name} {tuple(shape)}" for name, shape in shapes.items())
        raise InvalidArgumentError(f"batch dimensions do not broadcast: {listed}") from None


def _square(name: str, value: Any, dtypes: tuple[torch.dtype, ...]) -> torch.Tensor:
    value = _tensor(name, value, min_dim=2, dtypes=dtypes)
    if value.shape[-1] != value.shape[-2]:
        raise InvalidArgumentError(
            f"{name}: expected a square matrix (..., N, N), got shape {tuple(value.shape)}"
        )
    return value


def _vector_of(name: str, value: Any, N: int, dtypes: tuple[torch.dtype, ...]) -> torch.Tensor:
    value = _tensor(name, value, dtypes=dtypes)
    if value.shape[-1] != N:
        raise InvalidArgumentError(
            f"{name}: expected last dimension N = {N}, got shape {tuple(value.shape)}"
        )
    return value


def _step_column(step: torch.Tensor | float, dtype: torch.dtype, device: Any) -> Any:
    """dt ready to multiply a (..., N) tensor: a number, or a tensor (..., 1)."""
    if isinstance(step, torch.Tensor):
        if step.device != device:
            raise InvalidArgumentError(f"dt is on {step.device}, the system on {device}")
        return step.to(dtype.to_real())[..., None]
    return step


# ---------------------------------------------------------------------------------------
# 1. Conjugate pairs (S4D, S4)
# ---------------------------------------------------------------------------------------


def _with_conjugates(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    return torch.cat([x, torch.conj_physical(x)], dim=dim)


def full_from_half_modes(
    lam: Any, B: Any, C: Any
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 2N-mode diagonal system of S4D's half storage of conjugate pairs.

    S4D (and H3, and ``diag_kernel(..., conj_pairs=True)``) store one mode of each
    conjugate pair and take K_k = 2 Re sum_{n<N} C_n Bb_n lam_bar_n^k. The full system

        lam' = (lam, conj lam),  B' = (B, conj B),  C' = (C, conj C)

    has the complex kernel sum_{n<2N} C'_n Bb'_n lam_bar'_n^k equal to it (the second half
    contributes the complex conjugate of the first, for any discretization with a real step,
    since the discretization of conj(lam), conj(B) is the conjugate of that of lam, B): use
    it with ``conj_pairs=False`` or any dense/diagonal kernel that takes every mode.

    Arguments:
        lam, B, C: tensors (..., N), float or complex (32 or 64 bit), finite, one N; the
            continuous modes (or the discrete ones: the map is the same).

    Returns:
        (lam', B', C'), each (..., 2N) with the input's leading dimensions and dtype: the
        stored half first, then its conjugate (exact: conjugation is exact).

    Raises:
        InvalidTypeError: not tensors, or integer/half dtypes.
        InvalidArgumentError: empty, NaN/inf entries, different N, different devices.
    """
    lam, B, C = _mode_vectors(lam=lam, B=B, C=C)
    return _with_conjugates(lam), _with_conjugates(B), _with_conjugates(C)


def half_from_full_modes(
    lam: Any, B: Any, C: Any
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The half storage (``conj_pairs=True``) of a full diagonal system closed under
    conjugation: the inverse of ``full_from_half_modes``.

    The modes (lam_n, B_n, C_n) are paired exactly: each with a later (conj lam_n, conj B_n,
    conj C_n), in order of appearance (a real triple pairs with an identical copy). The
    half keeps the first member of each pair, in the order of the pairs' first members, so
    ``half_from_full_modes(*full_from_half_modes(lam, B, C))`` returns (lam, B, C)
    exactly. A real triple (lam, B, C all real) left without a copy stays, with C halved
    (2 Re(C/2 Bb lam_bar^k) = C Bb lam_bar^k, exact in binary). Then the conj_pairs kernel
    of the half equals the complex kernel of the full system, which is real.

    The test is exact equality: a full system computed independently must hold exactly
    conjugate entries (as ``torch.cat([x, x.conj()])`` does).

    Arguments:
        lam, B, C: 1-D tensors (2N entries for N pairs), float or complex, finite; one
            system (loop over a batch: its pairing may differ from system to system).

    Returns:
        (lam, B, C) of the half, 1-D, in the input's dtypes.

    Raises:
        InvalidTypeError: not tensors, integer/half dtypes.
        InvalidArgumentError: not 1-D, lengths differ, NaN/inf, or a mode whose conjugate
            partner is missing (not closed under conjugation: the kernel is not real and
            has no half storage).
    """
    lam, B, C = _mode_vectors(lam=lam, B=B, C=C)
    if lam.dim() != 1 or B.dim() != 1 or C.dim() != 1:
        raise InvalidArgumentError(
            "half_from_full_modes: expected 1-D lam, B, C (one system), got shapes "
            f"{tuple(lam.shape)}, {tuple(B.shape)}, {tuple(C.shape)}"
        )
    triples = list(
        zip(
            map(complex, lam.tolist()),
            map(complex, B.tolist()),
            map(complex, C.tolist()),
        )
    )
    waiting: dict[tuple[complex, ...], list[int]] = {}
    kept: list[tuple[int, bool]] = []  # (index, halve C)
    for i, triple in enumerate(triples):
        partner = tuple(v.conjugate() for v in triple)
        if waiting.get(partner):
            kept.append((waiting[partner].pop(0), False))
        else:
            waiting.setdefault(triple, []).append(i)
    for key, indices in waiting.items():
        for i in indices:
            if any(v.imag != 0 for v in key):
                raise InvalidArgumentError(
                    f"half_from_full_modes: mode {i} (lam = {key[0]}, B = {key[1]}, "
                    f"C = {key[2]}) has no conjugate partner (conj lam, conj B, conj C): the "
                    "system is not closed under conjugation, its kernel is not real"
                )
            kept.append((i, True))
    kept.sort()
    index = torch.tensor([i for i, _ in kept], device=lam.device)
    factor = torch.tensor(
        [0.5 if halve else 1.0 for _, halve in kept], dtype=C.dtype.to_real(), device=C.device
    )
    return lam[index], B[index], C[index] * factor


def _factor(name: str, value: Any, N: int) -> torch.Tensor:
    """A low-rank factor (..., N, r), or a 1-D length-N vector (rank 1)."""
    value = _tensor(name, value)
    if value.dim() == 1:
        if value.shape[0] != N:
            raise InvalidArgumentError(
                f"{name}: a 1-D factor must have length N = {N}, got {value.shape[0]}"
            )
    elif value.shape[-2] != N:
        raise InvalidArgumentError(
            f"{name}: expected shape (..., N, r) with N = {N}, got {tuple(value.shape)}"
        )
    return value


def full_from_half_dplr(
    Lambda: Any, P: Any, Q: Any, B: Any, C: Any
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The 2N-state DPLR system of S4's half storage of conjugate pairs.

    state-spaces/s4 (``SSKernelNPLR``/``SSMKernelDPLR``) stores N modes Lambda and the
    rows P, Q, B, C~ over them, and every Cauchy sum runs over the stored modes and their
    conjugates (``cauchy_naive``: ``v = cat([v, v.conj()])``, ``w = cat([w, w.conj()])``;
    the CUDA/KeOps kernels sum v/(z-w) + conj(v)/(z-conj(w))). With
    k_XY(w) = sum_n [X_n Y_n / (w - Lambda_n) + conj(X_n Y_n) / (w - conj Lambda_n)],
    its kernel is the inverse DFT (``irfft``) of

        G(z_j) = 2/(1+z_j) [k_CB - k_CP (I + k_QP)^{-1} k_QB],   w_j = (2/dt)(1-z_j)/(1+z_j),

    which is exactly the kernel of the full system returned here:

        Lambda' = (Lambda, conj Lambda), P' = (P; conj P), Q' = (Q; conj Q),
        B' = (B, conj B),  C' = (C, conj C),  A' = diag(Lambda') - P' Q'^H,

    to use with ``dplr_kernel`` (or ``dplr_kernel_from_ct`` when C is S4's C~: C~ of the
    full system is (C~, conj C~) too, since the full system is closed under conjugation).
    Q here is ours (A = diag(Lambda) - P Q^H): s4's ``Q`` row, which multiplies without
    conjugation, is conj of it. Note that P' Q'^H has the cross blocks P Q^T and conj(P Q^T):
    A' is not block diagonal, and the kernel is **not** 2 Re of the half system's kernel
    (that holds only for P = 0, the diagonal case). The full kernel is real (its imaginary
    part is rounding).

    Arguments:
        Lambda, B, C: tensors (..., N), float or complex, finite.
        P, Q: low-rank factors (..., N, r), same r, or 1-D of length N (rank 1).

    Returns:
        (Lambda', P', Q', B', C'): vectors (..., 2N); factors (..., 2N, r) (1-D factors
        stay 1-D, length 2N); exact.

    Raises:
        InvalidTypeError: not tensors, integer/half dtypes.
        InvalidArgumentError: NaN/inf, N that disagree, P and Q of different ranks or
            shapes, different devices.
    """
    Lambda, B, C = _mode_vectors(Lambda=Lambda, B=B, C=C)
    N = Lambda.shape[-1]
    P, Q = _factor("P", P, N), _factor("Q", Q, N)
    _same_device(Lambda=Lambda, P=P, Q=Q)
    if P.dim() != Q.dim() or (P.dim() > 1 and P.shape[-1] != Q.shape[-1]):
        raise InvalidArgumentError(
            f"P and Q must have the same rank and form; got shapes {tuple(P.shape)} and "
            f"{tuple(Q.shape)}"
        )
    row = -1 if P.dim() == 1 else -2
    return (
        _with_conjugates(Lambda),
        _with_conjugates(P, row),
        _with_conjugates(Q, row),
        _with_conjugates(B),
        _with_conjugates(C),
    )


# ---------------------------------------------------------------------------------------
# 2. C~ = C (I - Ab^L)
# ---------------------------------------------------------------------------------------


def _truncation_args(
    name: str, Ab: Any, row: Any, L: Any
) -> tuple[torch.Tensor, torch.Tensor, int, torch.dtype]:
    Ab = _square("Ab", Ab, _DOUBLE_DTYPES)
    row = _vector_of(name, row, Ab.shape[-1], _DOUBLE_DTYPES)
    _same_device(Ab=Ab, **{name: row})
    L = require_int("L", L, minimum=1)
    _batch(Ab=Ab.shape[:-2], **{name: row.shape[:-1]})
    return Ab, row, L, _promoted(Ab, row)


def _identity_minus_power(Ab: torch.Tensor, L: int, dtype: torch.dtype) -> torch.Tensor:
    power = torch.linalg.matrix_power(Ab.to(dtype), L)
    if not bool(torch.isfinite(power).all()):
        raise InvalidArgumentError(
            f"Ab^{L} overflowed float64: the system grows (spectral radius > 1) too fast for L"
        )
    return torch.eye(Ab.shape[-1], dtype=dtype, device=Ab.device) - power


def ct_from_c(Ab: Any, C: Any, L: Any) -> torch.Tensor:
    """S4's trained output row C~ = C (I - Ab^L) of the recurrent row C at length L.

    With it, the L-th-roots-of-unity generating function C~ (I - z Ab)^{-1} Bb has the
    inverse DFT K_k = C Ab^k Bb, k < L (seed 002's C~* = C-bar*(I - A-bar^L)); this is what
    ``dplr_kernel`` forms from C and ``dplr_kernel_from_ct`` takes.

    Arguments:
        Ab: (..., N, N) discrete state matrix; C: (..., N) row (batches broadcast);
            float64 or complex128 (the map and its inverse lose digits as Ab^L nears I:
            lower precision is refused); L: the kernel length, an int >= 1.

    Returns:
        C~ (broadcast batch, N), in the promoted dtype; Ab^L by binary powering.

    Raises:
        InvalidTypeError: not tensors, other dtypes, L not an int.
        InvalidArgumentError: NaN/inf, non-square Ab, C of another length, L < 1, batch
            shapes that do not broadcast, Ab^L beyond float64.
    """
    Ab, C, L, dtype = _truncation_args("C", Ab, C, L)
    M = _identity_minus_power(Ab, L, dtype)
    return (C.to(dtype)[..., None, :] @ M)[..., 0, :]


def c_from_ct(Ab: Any, Ct: Any, L: Any) -> torch.Tensor:
    """The recurrent output row C = C~ (I - Ab^L)^{-1} of S4's trained C~ (inverse of
    ``ct_from_c``): what the recurrent (scan) form and the ``dplr_kernel`` oracle need.

    Arguments:
        Ab: (..., N, N); Ct: (..., N); float64 or complex128; L: an int >= 1.

    Returns:
        C (broadcast batch, N), in the promoted dtype (one LU solve with (I - Ab^L)^T).

    Raises:
        InvalidTypeError / InvalidArgumentError: as ``ct_from_c``; also I - Ab^L singular to
            float64 precision (1-norm condition number above 1/(64 u)): some eigenvalue of Ab
            is (nearly) an L-th root of unity and C~ does not determine C.
    """
    Ab, Ct, L, dtype = _truncation_args("Ct", Ab, Ct, L)
    M = _identity_minus_power(Ab, L, dtype)
    cond = torch.linalg.cond(M, p=1)
    if not bool((cond < 1.0 / (_SINGULAR * unit_roundoff(dtype))).all()):
        raise InvalidArgumentError(
            f"I - Ab^{L} is singular to float64 precision (1-norm condition number "
            f"{float(cond.max()):.3g}): an eigenvalue of Ab is (nearly) an {L}-th root of "
            "unity, so C~ does not determine C"
        )
    batch = _batch(Ab=Ab.shape[:-2], Ct=Ct.shape[:-1])
    N = Ab.shape[-1]
    Mt = M.transpose(-1, -2).expand(*batch, N, N)
    rhs = Ct.to(dtype).expand(*batch, N)[..., None]
    return torch.linalg.solve(Mt, rhs)[..., 0]


def _sympy_scalar(name: str, value: Any) -> sp.Expr:
    """An exact sympy number: sympy numbers as they are, the rest read exactly by
    ``mp_oracles.exact_scalar`` (floats are the binary values they hold)."""
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr) or value.free_symbols or not value.is_number:
            raise InvalidArgumentError(f"{name}: expected a constant number, got {value!r}")
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise InvalidArgumentError(f"{name}: NaN and infinities are not accepted")
        return value
    exact = mp_oracles.exact_scalar(name, value)
    if isinstance(exact, Fraction):
        return sp.Rational(exact.numerator, exact.denominator)
    if isinstance(exact, tuple):
        re_, im_ = exact
        return sp.Rational(re_.numerator, re_.denominator) + sp.I * sp.Rational(
            im_.numerator, im_.denominator
        )
    raise InvalidTypeError(
        f"{name}: {type(value).__name__} is not an exact number (give ints, Fractions, "
        "strings, floats, mpmath or sympy numbers)"
    )


def _rows(name: str, value: Any) -> list:
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu").tolist()
    if isinstance(value, sp.MatrixBase):
        return value.tolist()
    if isinstance(value, mpmath.matrix):
        return [[value[i, j] for j in range(value.cols)] for i in range(value.rows)]
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return list(value)
    raise InvalidTypeError(f"{name}: expected a matrix or a sequence, got {type(value).__name__}")


def _exact_system(Ab: Any, row: Any, name: str) -> tuple[sp.Matrix, sp.Matrix]:
    rows = _rows("Ab", Ab)
    if not rows or not all(isinstance(r, (list, tuple)) for r in rows):
        raise InvalidArgumentError("Ab: expected a non-empty square matrix")
    N = len(rows)
    if any(len(r) != N for r in rows):
        raise InvalidArgumentError(
            f"Ab: must be square, got {N} rows of lengths {sorted({len(r) for r in rows})}"
        )
    entries = _rows(name, row)
    if entries and all(isinstance(r, (list, tuple)) for r in entries):
        entries = [v for r in entries for v in r]  # a 1 x N row or an N x 1 column
    if len(entries) != N:
        raise InvalidArgumentError(f"{name}: expected {N} entries, got {len(entries)}")
    A = sp.Matrix(
        N, N, [_sympy_scalar(f"Ab[{i},{j}]", rows[i][j]) for i in range(N) for j in range(N)]
    )
    r = sp.Matrix(1, N, [_sympy_scalar(f"{name}[{i}]", v) for i, v in enumerate(entries)])
    return A, r


def ct_from_c_exact(Ab: Any, C: Any, L: Any) -> list[sp.Expr]:
    """C~ = C (I - Ab^L) exactly (``hippo_verify.symbolic.truncation_correction``), for
    the oracles: the entries are exact sympy numbers, which every
    ``hippo_verify.oracles`` function accepts.

    Arguments:
        Ab: N x N (nested lists, tensor, numpy, sympy or mpmath matrix); C: N entries;
            entries exact numbers (ints, Fractions, exact strings such as "1/3" or "1-2j",
            floats and tensors as the binary values they hold, mpmath numbers, sympy
            numbers including radicals); L: an int, 1 <= L <= the ``symbolic_length``
            size limit. Cost: exact powers of Ab, cheap for small N (N = 4, L = 256 with
            float entries: a fraction of a second; numbers grow to about L times the input
            bits).

    Returns:
        The N entries of C~ (sympy numbers, exact).

    Raises:
        InvalidTypeError: unreadable entries or L; InvalidArgumentError: shapes, NaN/inf,
            L out of range (messages of ``truncation_correction``).
    """
    A, row = _exact_system(Ab, C, "C")
    return list(truncation_correction(A, row, L))


def c_from_ct_exact(Ab: Any, Ct: Any, L: Any) -> list[sp.Expr]:
    """C = C~ (I - Ab^L)^{-1} exactly (``hippo_verify.symbolic.untruncate``): the row to
    give the oracles (``ssm_kernel``, ``dplr_kernel``, ...) for a code base that trains C~.

    Arguments:
        As ``ct_from_c_exact`` with Ct in place of C. Cost: an exact adjugate of
        I - Ab^L on top of the power (N up to ~8 in seconds).

    Returns:
        The N entries of C (sympy numbers, exact).

    Raises:
        As ``ct_from_c_exact``; InvalidArgumentError also when I - Ab^L is singular (an
        eigenvalue of Ab is an L-th root of unity).
    """
    A, row = _exact_system(Ab, Ct, "Ct")
    return list(untruncate(A, row, L))


# ---------------------------------------------------------------------------------------
# 3. Oracle arithmetic: feedthrough, delay, sums, scaling
# ---------------------------------------------------------------------------------------

_Tuple = tuple  # an mpf tuple (sign, man, exp, bc)
#: Bits of the context that evaluates magnitudes and logarithms for the digit bounds.
_DIGITS_PREC = 256
#: Slack added before the floor in the digit bound (the bound is evaluated at 256 bits).
_DIGITS_SLACK = "1e-60"


@dataclasses.dataclass
class _Exact:
    """Kernel values as exact mpf tuples; ``rounded`` when an op had to round."""

    values: list[tuple[_Tuple, _Tuple | None]]
    prec: int
    rounded: bool = False

    def fit(self, t: _Tuple) -> _Tuple:
        """t, rounded to ``prec`` bits if its mantissa is longer (and noted)."""
        if t[3] <= self.prec:
            return t
        self.rounded = True
        return libmp.mpf_pos(t, self.prec, "n")

    def add(self, a: _Tuple, b: _Tuple) -> _Tuple:
        return self.fit(libmp.mpf_add(a, b, 0))

    def mul(self, a: _Tuple, b: _Tuple) -> _Tuple:
        return self.fit(libmp.mpf_mul(a, b, 0))


def _kernel_parts(name: str, result: Any) -> list[tuple[_Tuple, _Tuple | None]]:
    """The values of a one-part oracle kernel as (re, im or None) mpf tuples."""
    if not isinstance(result, OracleResult):
        raise InvalidTypeError(f"{name}: expected an OracleResult, got {type(result).__name__}")
    values = result.values
    if not isinstance(values, list):
        raise InvalidArgumentError(
            f"{name}: a {result.family} result has several parts; these adapters take one "
            "kernel (a flat list of taps; a discretization: compare_discretization)"
        )
    if not values:
        raise InvalidArgumentError(f"{name}: holds no values")
    parts = []
    for k, v in enumerate(values):
        if hasattr(v, "_mpc_"):
            parts.append(v._mpc_)
        elif hasattr(v, "_mpf_"):
            parts.append((v._mpf_, None))
        else:
            raise InvalidTypeError(
                f"{name}: value {k} is a {type(v).__name__}, not an mpmath number (an "
                "OracleResult from the oracles holds mpmath numbers)"
            )
        if any(t is not None and t in (libmp.finf, libmp.fninf, libmp.fnan) for t in parts[-1]):
            raise InvalidArgumentError(f"{name}: value {k} is NaN or infinite")
    return parts


def _fraction_tuple(q: Fraction, prec: int) -> tuple[_Tuple, bool]:
    """(mpf tuple, rounded): exact when q is binary (denominator a power of two)."""
    p, d = q.numerator, q.denominator
    if d & (d - 1) == 0:
        return libmp.from_man_exp(p, 1 - d.bit_length()), False
    return libmp.from_rational(p, d, prec, "n"), True


def _scalar_parts(name: str, value: Any, prec: int) -> tuple[_Tuple, _Tuple | None, bool]:
    """(re, im or None, rounded) of an exact scalar (``mp_oracles.exact_scalar`` inputs or
    sympy numbers); irrational values are evaluated at ``prec`` bits."""
    if isinstance(value, sp.Basic):
        value = _sympy_scalar(name, value)
        real, imag = value.as_real_imag()
        if isinstance(real, sp.Rational) and isinstance(imag, sp.Rational):
            exact: Any = Fraction(int(real.p), int(real.q))
            if imag != 0:
                exact = (exact, Fraction(int(imag.p), int(imag.q)))
        else:
            number = value._to_mpmath(prec + 10)
            parts = number._mpc_ if hasattr(number, "_mpc_") else (number._mpf_, None)
            fitted = [None if t is None else libmp.mpf_pos(t, prec, "n") for t in parts]
            return fitted[0], fitted[1], True
    else:
        exact = mp_oracles.exact_scalar(name, value)
    if isinstance(exact, Fraction):
        t, rounded = _fraction_tuple(exact, prec)
        return t, None, rounded
    if isinstance(exact, tuple):
        (re_t, r1), (im_t, r2) = (_fraction_tuple(q, prec) for q in exact)
        return re_t, im_t, r1 or r2
    number = mpmath.mp.convert(exact._mpmath_(prec, "n"))
    if hasattr(number, "_mpc_"):
        return number._mpc_[0], number._mpc_[1], True
    return number._mpf_, None, True


def _export(re_t: _Tuple, im_t: _Tuple | None, complex_: bool) -> Any:
    if complex_:
        return mpmath.mp.make_mpc((re_t, im_t if im_t is not None else libmp.fzero))
    return mpmath.mp.make_mpf(re_t)


def _max_abs(ctx: Any, parts: list[tuple[_Tuple, _Tuple | None]]) -> Any:
    best = ctx.zero
    for re_t, im_t in parts:
        size = (
            abs(ctx.make_mpf(re_t))
            if im_t is None
            else ctx.hypot(ctx.make_mpf(re_t), ctx.make_mpf(im_t))
        )
        best = max(best, size)
    return best


def _digits_bound(
    ctx: Any, sources: list[tuple[int, Any]], new_scale: Any, rounded: bool, prec: int, cap: int
) -> int:
    """The largest d <= cap with  sum_i 10^-d_i M_i (+ 2^-prec M' if rounded) <= 10^-d M'.

    ``sources``: (d_i, M_i) of the inputs (each input's taps within 10^-d_i M_i of the
    truth); M' = ``new_scale`` the max-norm of the result. 0 when M' = 0 but the inputs
    carry an error (nothing is certified relative to a zero result); ``cap`` when no error.
    """
    error = ctx.fsum(ctx.mpf(10) ** (-d) * M for d, M in sources)
    if rounded:
        error += ctx.ldexp(new_scale, -prec)
    if error == 0:
        return cap
    if new_scale == 0:
        return 0
    bound = ctx.log10(new_scale / error) + ctx.mpf(_DIGITS_SLACK)
    return max(0, min(cap, int(ctx.floor(bound))))


def _digits_context() -> Any:
    ctx = mpmath.MPContext()
    ctx.prec = _DIGITS_PREC
    return ctx


def _adapted(
    result: OracleResult,
    work: _Exact,
    complex_: bool,
    digits: int,
    label: str,
    note: str,
    *,
    prec: int | None = None,
    notes: tuple[str, ...] | None = None,
    stable: bool | None = None,
    keep_stable: bool = True,
) -> OracleResult:
    """``result`` with new values and digits, the adapter recorded in method, notes and
    params["adapters"]."""
    params = dict(result.params)
    params["adapters"] = (*tuple(params.get("adapters", ())), label)
    return dataclasses.replace(
        result,
        values=[_export(re_t, im_t, complex_) for re_t, im_t in work.values],
        digits=digits,
        prec=result.prec if prec is None else prec,
        method=f"{result.method}; {label}",
        params=params,
        notes=(*(result.notes if notes is None else notes), note),
        stable=result.stable if keep_stable else stable,
    )


def _is_complex(parts: list[tuple[_Tuple, _Tuple | None]]) -> bool:
    return any(im is not None for _, im in parts)


def _working_bits(result: OracleResult) -> int:
    return result.prec + 64


def rtf_with_feedthrough(oracle_result: Any, h0: Any) -> OracleResult:
    """*oracle* The kernel of h0 + H(z): K'_0 = K_0 + h0, K'_k = K_k for k >= 1.

    An RTF layer with a feedthrough (transfer function h0 + b(z)/a(z), RTF's ``h_0``), an
    SSM with y = C x + D u in our post-update convention (Mamba's ``D``: h0 = D), or any
    kernel plus a direct term. The sum is exact (binary h0) or rounded 64 bits beyond the
    result's working precision (a non-binary rational such as 1/3, an irrational sympy
    number).

    Digits: the taps keep their absolute error (<= 10^-d M, M the old max-norm), now
    relative to the new max-norm M': d' = min(d, floor(d - log10(M / M'))), fewer when h0
    cancels the largest tap; 0 if the result is all zero (nothing certified relative to
    zero).

    Arguments:
        oracle_result: an ``OracleResult`` holding one kernel (a flat list of taps).
        h0: the direct term, an exact number (int, Fraction, exact string, float, complex,
            mpmath or sympy number).

    Returns:
        A new ``OracleResult``: same family, ``method`` and ``params["adapters"]`` record
        ``"+h0"``, a note says what was added; ``stable`` unchanged.

    Raises:
        InvalidTypeError: not an OracleResult, values not mpmath numbers, h0 unreadable.
        InvalidArgumentError: a result with several parts or no values, NaN/inf.
    """
    parts = _kernel_parts("oracle_result", oracle_result)
    work = _Exact(list(parts), _working_bits(oracle_result))
    h_re, h_im, rounded = _scalar_parts("h0", h0, work.prec)
    work.rounded = rounded
    re_t, im_t = parts[0]
    if h_im is None:
        new = (work.add(re_t, h_re), im_t)
    else:
        new = (work.add(re_t, h_re), work.add(im_t if im_t is not None else libmp.fzero, h_im))
    work.values[0] = new
    ctx = _digits_context()
    digits = _digits_bound(
        ctx,
        [(oracle_result.digits, _max_abs(ctx, parts))],
        _max_abs(ctx, work.values),
        work.rounded,
        work.prec,
        oracle_result.digits,
    )
    h_text = mpmath.nstr(_export(h_re, h_im, h_im is not None), 17)
    return _adapted(
        oracle_result,
        work,
        _is_complex(work.values),
        digits,
        "+h0",
        f"rtf_with_feedthrough: h0 = {h_text} added to tap 0",
    )


def shift_taps(oracle_result: Any, delay: Any) -> OracleResult:
    """*oracle* The kernel delayed by ``delay`` steps: K'_k = K_{k - delay}.

    ``delay > 0``: K'_k = 0 for k < delay, then K_0, K_1, ...; the length stays L (the
    last ``delay`` taps of K fall off; ask the oracle for L + delay taps to keep them).
    ``delay < 0``: the first |delay| taps are dropped, K'_k = K_{k + |delay|}, and the
    result has L - |delay| taps (the later ones are not known). ``delay = 0``: a copy.
    Exact (values are moved, never recomputed).

    Digits: as ``rtf_with_feedthrough`` (the absolute errors stay, relative to the new
    max-norm, fewer digits if the largest taps fell off).

    Arguments:
        oracle_result: an ``OracleResult`` holding one kernel; delay: an int with
            -L < delay < L.

    Returns:
        A new ``OracleResult`` (``method``/``params["adapters"]``: ``"shift(delay)"``).

    Raises:
        InvalidTypeError: not an OracleResult, delay not an int.
        InvalidArgumentError: several parts, no values, |delay| >= L.
    """
    parts = _kernel_parts("oracle_result", oracle_result)
    delay = require_int("delay", delay)
    L = len(parts)
    if not -L < delay < L:
        raise InvalidArgumentError(
            f"delay must satisfy -L < delay < L = {L} (some tap must remain), got {delay}"
        )
    return _shifted(oracle_result, parts, delay)


def _shifted(
    result: OracleResult, parts: list[tuple[_Tuple, _Tuple | None]], delay: int
) -> OracleResult:
    """``shift_taps`` on checked arguments (delay may be L: all taps replaced by zeros)."""
    L = len(parts)
    complex_ = _is_complex(parts)
    zero = (libmp.fzero, libmp.fzero if complex_ else None)
    moved = [zero] * delay + parts[: L - delay] if delay >= 0 else parts[-delay:]
    work = _Exact(moved, _working_bits(result))
    ctx = _digits_context()
    # the kept taps carry their errors (<= 10^-d max|K|); the inserted zeros are exact
    kept = delay < L
    digits = _digits_bound(
        ctx,
        [(result.digits, _max_abs(ctx, parts))] if kept else [],
        _max_abs(ctx, moved),
        False,
        work.prec,
        result.digits,
    )
    note = (
        f"shift_taps: K'_k = K_(k-{delay}), zeros first"
        if delay >= 0
        else f"shift_taps: first {-delay} taps dropped, K'_k = K_(k+{-delay})"
    )
    return _adapted(result, work, complex_, digits, f"shift({delay})", note)


def add_oracles(r1: Any, r2: Any) -> OracleResult:
    """*oracle* The tap-by-tap sum K = K1 + K2 of two kernels of the same length.

    Exact sums (rounded 64 bits beyond the larger working precision only if the two taps
    differ by more than that in magnitude). For a layer made of two SSMs, a kernel written
    as a sum of parts (a conjugate pair split into halves, a residual path), or with
    ``scale_oracle``, the difference of two kernels.

    Digits, a lower bound from the inputs' certificates: every tap of K_i is within
    e_i = 10^-d_i M_i of the truth (M_i = max |K_i|), so the sum is within e_1 + e_2, and
    relative to M = max |K1 + K2|

        d = floor(log10(M / (10^-d_1 M_1 + 10^-d_2 M_2))),

    which is at least floor(min(d_1, d_2) - log10(c)) with c = (M_1 + M_2) / M the
    cancellation factor: min(d_1, d_2) when the largest taps add up (c = 1, e.g. K1 = K2),
    about 5 digits fewer when the sum cancels to 10^-5 of its terms; 0 if the sum is
    identically zero while the inputs carry errors. A tiny term with few digits costs
    little: its absolute error is what counts. (Evaluated at 256 bits, with a slack of
    1e-60 before the floor so that an exact power of ten is not rounded down.)

    Arguments:
        r1, r2: ``OracleResult`` kernels of the same length (real or complex taps).

    Returns:
        A new ``OracleResult`` with r1's family, prec = max of the two, ``method`` and
        ``params["adapters"]`` recording ``"+ <r2's family>"``, the notes of both;
        ``stable`` True only if both are True, else None.

    Raises:
        InvalidTypeError: not OracleResults, values not mpmath numbers.
        InvalidArgumentError: several parts, no values, different lengths, NaN/inf.
    """
    parts1 = _kernel_parts("r1", r1)
    parts2 = _kernel_parts("r2", r2)
    if len(parts1) != len(parts2):
        raise InvalidArgumentError(
            f"r1 and r2 must have the same length, got {len(parts1)} and {len(parts2)} taps "
            "(shift_taps or a new oracle call makes them agree)"
        )
    prec = max(r1.prec, r2.prec)
    work = _Exact([], prec + 64)
    for (a_re, a_im), (b_re, b_im) in zip(parts1, parts2):
        re_t = work.add(a_re, b_re)
        if a_im is None and b_im is None:
            work.values.append((re_t, None))
        else:
            work.values.append((re_t, work.add(a_im or libmp.fzero, b_im or libmp.fzero)))
    ctx = _digits_context()
    digits = _digits_bound(
        ctx,
        [(r1.digits, _max_abs(ctx, parts1)), (r2.digits, _max_abs(ctx, parts2))],
        _max_abs(ctx, work.values),
        work.rounded,
        work.prec,
        max(r1.digits, r2.digits),
    )
    merged_notes = (*r1.notes, *(n for n in r2.notes if n not in r1.notes))
    return _adapted(
        r1,
        work,
        _is_complex(work.values),
        digits,
        f"+ {r2.family}",
        f"add_oracles: {r1.family} ({r1.digits} digits) + {r2.family} ({r2.digits} digits)",
        prec=prec,
        notes=merged_notes,
        stable=True if (r1.stable is True and r2.stable is True) else None,
        keep_stable=False,
    )


def scale_oracle(r: Any, c: Any) -> OracleResult:
    """*oracle* The kernel times a constant: K'_k = c K_k.

    For a code base whose kernel carries a factor (2 for conjugate pairs stored without
    it, dt for a Riemann-sum kernel, -1 for a sign convention). The products are exact for
    binary c (rounded 64 bits beyond the working precision for c = 1/3 or an irrational
    sympy number).

    Digits: unchanged (the absolute errors scale with |c| like the max-norm) for c != 0,
    up to the rounding of a non-binary c, which is counted; c = 0 gives the exact zero
    kernel with the same digits.

    Arguments:
        r: an ``OracleResult`` kernel; c: an exact number (int, Fraction, exact string,
            float, complex, mpmath or sympy number).

    Returns:
        A new ``OracleResult`` (``method``/``params["adapters"]``: ``"*c"``).

    Raises:
        InvalidTypeError: not an OracleResult, values not mpmath numbers, c unreadable.
        InvalidArgumentError: several parts, no values, NaN/inf.
    """
    parts = _kernel_parts("r", r)
    work = _Exact([], _working_bits(r))
    c_re, c_im, rounded = _scalar_parts("c", c, work.prec)
    work.rounded = rounded
    for v_re, v_im in parts:
        if c_im is None and v_im is None:
            work.values.append((work.mul(c_re, v_re), None))
            continue
        ci = c_im or libmp.fzero
        vi = v_im or libmp.fzero
        real = work.add(libmp.mpf_mul(c_re, v_re, 0), libmp.mpf_neg(libmp.mpf_mul(ci, vi, 0)))
        imag = work.add(libmp.mpf_mul(c_re, vi, 0), libmp.mpf_mul(ci, v_re, 0))
        work.values.append((real, imag))
    ctx = _digits_context()
    c_abs = _max_abs(ctx, [(c_re, c_im)])
    digits = _digits_bound(
        ctx,
        [(r.digits, c_abs * _max_abs(ctx, parts))],
        _max_abs(ctx, work.values),
        work.rounded,
        work.prec,
        r.digits,
    )
    c_text = mpmath.nstr(_export(c_re, c_im, c_im is not None), 17)
    return _adapted(
        r,
        work,
        _is_complex(work.values),
        digits,
        "*c",
        f"scale_oracle: every tap multiplied by c = {c_text}",
    )


# ---------------------------------------------------------------------------------------
# 4. The step folded into B
# ---------------------------------------------------------------------------------------


def _zoh_args(
    A: Any, B: Any, dt: Any, diagonal: Any, name: str
) -> tuple[torch.Tensor, torch.Tensor, Any, torch.dtype, torch.Size]:
    if not isinstance(diagonal, bool):
        raise InvalidTypeError(f"diagonal: expected a bool, got {diagonal!r}")
    if diagonal:
        A, B = _mode_vectors(A=A, **{name: B})
        batch_a = A.shape[:-1]
    else:
        A = _square("A", A, _FLOAT_DTYPES)
        B = _vector_of(name, B, A.shape[-1], _FLOAT_DTYPES)
        _same_device(A=A, **{name: B})
        batch_a = A.shape[:-2]
    step = _step(dt)
    step_shape = step.shape if isinstance(step, torch.Tensor) else ()
    batch = _batch(A=batch_a, **{name: B.shape[:-1]}, dt=step_shape)
    dtype = _promoted(A, B)
    return A.to(dtype), B.to(dtype), _step_column(step, dtype, A.device), dtype, batch


def _phi_diagonal(lam: torch.Tensor, dt: Any) -> torch.Tensor:
    """(e^{dt lam} - 1) / lam, = dt at lam = 0 (torch.expm1: no cancellation)."""
    dtl = lam * dt
    safe = torch.where(lam == 0, torch.ones_like(lam), lam)
    dt_full = torch.ones_like(lam) * dt
    return torch.where(lam == 0, dt_full, torch.expm1(dtl) / safe)


def _phi_dense(A: torch.Tensor, dt: Any, batch: torch.Size) -> tuple[torch.Tensor, torch.Tensor]:
    """(e^{dt A}, int_0^dt e^{sA} ds): the blocks of exp([[A dt, I dt], [0, 0]])."""
    N = A.shape[-1]
    eye = torch.eye(N, dtype=A.dtype, device=A.device)
    dt_m = dt[..., None] if isinstance(dt, torch.Tensor) else dt  # (..., 1, 1)
    M = torch.zeros(*batch, 2 * N, 2 * N, dtype=A.dtype, device=A.device)
    M[..., :N, :N] = A * dt_m
    M[..., :N, N:] = eye * dt_m
    E = expm(M)
    return E[..., :N, :N], E[..., :N, N:]


def _norm1(M: torch.Tensor) -> torch.Tensor:
    """The 1-norm of each matrix of a batch (a NaN, from an infinite inverse, counts as inf)."""
    norm = M.abs().sum(dim=-2).amax(dim=-1)
    return torch.nan_to_num(norm, nan=math.inf)


def _require_finite(name: str, value: torch.Tensor) -> torch.Tensor:
    if not bool(torch.isfinite(value).all()):
        raise InvalidArgumentError(
            f"{name}: the result overflowed {value.dtype} (e^(dt A) beyond its range)"
        )
    return value


def bbar_zoh(A: Any, B: Any, dt: Any, *, diagonal: bool = False) -> torch.Tensor:
    """ZOH's B-bar = int_0^dt e^{sA} ds B = A^{-1} (e^{dt A} - I) B (the last form when A is
    invertible; the integral also for singular A).

    What a code base that folds the step into B with the zero-order hold computes: S4D's
    and H3's ZOH (``dB = B (exp(dtA) - 1) / A``), S5 (``B_bar = (Lambda_bar - 1) /
    Lambda * B``), the Mamba paper's eq. (4). Our ZOH oracles take the continuous B and
    form this B-bar themselves.

    Arguments:
        A: modes (..., N) with ``diagonal=True`` (S4D, Mamba, S5: A = diag(A)), else a
            matrix (..., N, N); B: (..., N); float or complex, 32 or 64 bit.
        dt: a positive number, or a real tensor of positive steps broadcasting with the
            batch dimensions (A.shape[:-1] if diagonal, else A.shape[:-2]).
        diagonal: whether A holds the modes of a diagonal matrix.

    Returns:
        B-bar (broadcast batch, N), in the promoted dtype of A and B: diagonal by
        torch.expm1 (B dt at a zero mode); dense from the exponential of the augmented
        matrix [[A dt, I dt], [0, 0]] (``hippo_verify.kernels.discretize.expm``).
        Rounding: a few units of the dtype (times ||dt A|| for the dense squarings).

    Raises:
        InvalidTypeError: not tensors, integer/half dtypes, bad dt type, diagonal not a
            bool. InvalidArgumentError: NaN/inf, shapes, dt <= 0, batches that do not
            broadcast, overflow.
    """
    A, B, step, dtype, batch = _zoh_args(A, B, dt, diagonal, "B")
    if diagonal:
        return _require_finite("bbar_zoh", _phi_diagonal(A, step) * B)
    phi = _phi_dense(A, step, batch)[1]
    return _require_finite("bbar_zoh", (phi @ B.expand(*batch, A.shape[-1])[..., None])[..., 0])


def b_from_bbar_zoh(A: Any, Bbar: Any, dt: Any, *, diagonal: bool = False) -> torch.Tensor:
    """The continuous B whose ZOH B-bar is ``Bbar``: B = (int_0^dt e^{sA} ds)^{-1} Bbar
    = (e^{dt A} - I)^{-1} A Bbar (the inverse of ``bbar_zoh``).

    For a code base whose parameter is B-bar (or that hands B-bar to its kernel) graded
    against our ZOH oracles, which take B. Also composes with ``bbar_euler`` for Mamba's
    mixed discretization (Ab = e^{dt A} with B-bar = dt B): the ZOH system with
    B = b_from_bbar_zoh(A, bbar_euler(B_mamba, dt), dt, diagonal=True) has Mamba's
    (Ab, B-bar) (exactly in exact arithmetic; here up to float rounding).

    Arguments:
        As ``bbar_zoh``, with Bbar in place of B.

    Returns:
        B (broadcast batch, N), in the promoted dtype: diagonal B_n = lam_n Bbar_n /
        expm1(dt lam_n) (Bbar_n / dt at lam_n = 0); dense one solve.

    Raises:
        As ``bbar_zoh``; InvalidArgumentError also when the map is singular to working
        precision: a mode with dt lam = 2 pi i m, m != 0 (e^{dt lam} = 1, |e^{dt lam} - 1| <=
        64 u max(1, |e^{dt lam}|)), or Phi = int_0^dt e^{sA} ds with ||Phi^{-1}||_1 times
        max(||Phi||_1, dt max(1, ||e^{dt A}||_1)) (the size Phi is rounded relative to)
        above 1/(64 u).
    """
    A, Bbar, step, dtype, batch = _zoh_args(A, Bbar, dt, diagonal, "Bbar")
    u = unit_roundoff(dtype)
    if diagonal:
        phi = _phi_diagonal(A, step)
        growth = torch.clamp(torch.exp((A * step).real), min=1.0)
        singular = (A != 0) & (torch.abs(torch.expm1(A * step)) <= _SINGULAR * u * growth)
        if bool(singular.any()):
            raise InvalidArgumentError(
                "b_from_bbar_zoh: e^(dt lam) = 1 for a nonzero mode (dt lam a nonzero "
                "multiple of 2 pi i, to working precision): Bbar does not determine B"
            )
        return _require_finite("b_from_bbar_zoh", Bbar / phi)
    E, phi = _phi_dense(A, step, batch)
    _require_finite("b_from_bbar_zoh", E)
    # Phi is known to ~u times the size of the exponential it is read from, about
    # max(||Phi||, dt max(1, ||e^{dt A}||)): relative to that, Phi^{-1} must stay moderate.
    dt_size = step[..., 0] if isinstance(step, torch.Tensor) else step
    size = torch.maximum(_norm1(phi), dt_size * torch.clamp(_norm1(E), min=1.0))
    inverse, info = torch.linalg.inv_ex(phi)
    amplification = _norm1(inverse) * size
    if bool((info != 0).any()) or not bool((amplification < 1.0 / (_SINGULAR * u)).all()):
        raise InvalidArgumentError(
            "b_from_bbar_zoh: int_0^dt e^(sA) ds is singular to working precision (an "
            "eigenvalue of dt A is near a nonzero multiple of 2 pi i, e^(dt lam) = 1): Bbar "
            "does not determine B"
        )
    rhs = Bbar.expand(*batch, A.shape[-1])[..., None]
    return _require_finite("b_from_bbar_zoh", torch.linalg.solve(phi, rhs)[..., 0])


def bbar_euler(B: Any, dt: Any) -> torch.Tensor:
    """B-bar = dt B: the Euler-style input matrix (forward Euler's, and Mamba's).

    Mamba's reference scan (``selective_scan_ref``: ``deltaA = exp(delta A)``, ``deltaB_u
    = delta B u``) and Mamba-2's SSD (``x * dt``) pair the ZOH Ab = e^{dt A} with this
    B-bar (first order in dt A), not with ZOH's; forward Euler pairs it with Ab = I + dt A
    (our ``"forward_euler"``). The same (A, B, dt) therefore gives different kernels in
    Mamba and in our ZOH oracles; grade Mamba's with the discrete oracles (``scan``,
    ``discrete_kernel``) on (e^{dt A}, dt B), or map its B with ``b_from_bbar_zoh``.

    Arguments:
        B: (..., N), float or complex; dt: a positive number, or a real tensor of
            positive steps broadcasting with B.shape[:-1].

    Returns:
        dt B (broadcast batch, N) in B's dtype (one rounding per entry).

    Raises:
        InvalidTypeError / InvalidArgumentError: B not a finite float/complex tensor, bad
            dt, batches that do not broadcast.
    """
    B = _tensor("B", B)
    step = _step(dt)
    if isinstance(step, torch.Tensor):
        _batch(B=B.shape[:-1], dt=step.shape)
    return B * _step_column(step, B.dtype, B.device)


# ---------------------------------------------------------------------------------------
# 5. The sign of the imaginary parts (S4D)
# ---------------------------------------------------------------------------------------


def conjugate_modes(lam: Any, B: Any, C: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The other sign convention of S4D's modes: (conj lam, conj B, conj C).

    The S4D paper (and ``s4d_init(..., convention="paper")``) has Im lam >= 0; state-spaces/s4
    ``dplr.py`` builds ``A = -real - 1j*imag`` (``convention="s4"``), the conjugates.
    Conjugating lam alone changes the kernel; conjugating the whole triple does not change
    what is real: each term C_n Bb_n lam_bar_n^k becomes its conjugate (the discretization
    commutes with conjugation for a real step), so

    * the ``conj_pairs=True`` kernel 2 Re sum_n C_n Bb_n lam_bar_n^k is unchanged, exactly;
    * the complex kernel (``conj_pairs=False``) becomes its conjugate;
    * a full system closed under conjugation is permuted into itself (same kernel).

    Arguments:
        lam, B, C: tensors (..., N), float or complex, finite, one N.

    Returns:
        (conj lam, conj B, conj C), exact, same shapes and dtypes.

    Raises:
        InvalidTypeError / InvalidArgumentError: not finite float/complex tensors, N differ.
    """
    lam, B, C = _mode_vectors(lam=lam, B=B, C=C)
    return torch.conj_physical(lam), torch.conj_physical(B), torch.conj_physical(C)


# ---------------------------------------------------------------------------------------
# 6. LegT's scale
# ---------------------------------------------------------------------------------------

#: (A, B) of LegT in each convention = scale x the canonical (A, B) (``hippo("legt", N)``,
#: window theta = 1): ``"s4"`` is state-spaces/s4's ``transition("legt")``, which halves
#: ("Halve again for timescale correctness": window theta = 2); ``"hippo-code"``
#: (HazyResearch/hippo-code ``transition("legt")``) and older s4 versions do not. The
#: LMU form (``hippo(..., convention="lmu")``) is another basis, not a scale.
LEGT_SCALES: Mapping[str, Fraction] = {
    "canonical": Fraction(1),
    "hippo-code": Fraction(1),
    "s4": Fraction(1, 2),
}


def legt_factor(source: Any, target: Any) -> Fraction:
    """The factor c with (A, B) of LegT in ``target`` = c x (A, B) in ``source``.

    Arguments:
        source, target: names in ``LEGT_SCALES`` (``"canonical"``, ``"hippo-code"``,
            ``"s4"``).

    Returns:
        LEGT_SCALES[target] / LEGT_SCALES[source] (1/2 from canonical to s4, 2 back).

    Raises:
        InvalidTypeError: not strings. InvalidArgumentError: unknown names.
    """
    for name, value in (("source", source), ("target", target)):
        if not isinstance(value, str):
            raise InvalidTypeError(f"{name}: expected a convention name, got {value!r}")
        if value not in LEGT_SCALES:
            raise InvalidArgumentError(
                f"{name}: unknown LegT convention {value!r}; expected one of "
                f"{sorted(LEGT_SCALES)} (the LMU form is not a rescaling: "
                "hippo_verify.symbolic.hippo(..., convention='lmu'))"
            )
    return LEGT_SCALES[target] / LEGT_SCALES[source]


def legt_rescale(A: Any, B: Any, factor: Any) -> tuple[Any, Any]:
    """LegT in another normalization: (A, B) -> (factor A, factor B).

    The LegT ODE c' = A c + B f of window theta has A, B proportional to 1/theta, so
    scaling both by c is the window theta / c, or equally the same matrices at the step
    c dt: the kernel of (c A, c B, C) at step dt equals that of (A, B, C) at c dt for every
    discretization (only dt A and dt B enter). Canonical (hippo-verify, the HiPPO paper's
    LegT at theta = 1, hippo-code) -> state-spaces/s4: c = 1/2 (``legt_factor``).

    Arguments:
        A: (..., N, N) tensor, or a sympy Matrix (exact); B: (..., N) or (..., N, 1) tensor,
            or a sympy Matrix; factor: a positive real number (int, float, Fraction, sympy
            number; for tensors converted to the tensor's dtype: exact for powers of two).

    Returns:
        (factor A, factor B) of the input kind (tensors: same dtypes; sympy: exact).

    Raises:
        InvalidTypeError: A and B not both tensors or both sympy matrices, bad factor type.
        InvalidArgumentError: factor <= 0, NaN/inf, non-square A, B of another length.
    """
    if isinstance(factor, bool) or not isinstance(factor, (numbers.Real, sp.Expr)):
        raise InvalidTypeError(f"factor: expected a positive real number, got {factor!r}")
    if isinstance(factor, sp.Expr):
        if not (factor.is_number and factor.is_extended_real and factor.is_positive):
            raise InvalidArgumentError(f"factor: must be a positive real number, got {factor}")
        if factor.is_infinite:
            raise InvalidArgumentError(f"factor: must be finite, got {factor}")
    else:
        as_float = float(factor)
        if not (math.isfinite(as_float) and as_float > 0):
            raise InvalidArgumentError(f"factor: must be finite and > 0, got {factor!r}")
    if isinstance(A, sp.MatrixBase) and isinstance(B, sp.MatrixBase):
        if A.rows != A.cols or B.rows != A.rows or B.cols != 1:
            raise InvalidArgumentError(
                f"expected A (N, N) and B (N, 1); got {A.shape} and {B.shape}"
            )
        c = factor if isinstance(factor, sp.Expr) else _sympy_scalar("factor", factor)
        return c * A, c * B
    if isinstance(A, sp.MatrixBase) or isinstance(B, sp.MatrixBase):
        raise InvalidTypeError("A and B: give both as tensors or both as sympy matrices")
    A = _square("A", A, _FLOAT_DTYPES)
    B = _tensor("B", B)
    N = A.shape[-1]
    if not (B.shape[-1] == N or (B.dim() >= 2 and B.shape[-2:] == (N, 1))):
        raise InvalidArgumentError(
            f"B: expected shape (..., {N}) or (..., {N}, 1), got {tuple(B.shape)}"
        )
    _same_device(A=A, B=B)
    c = float(factor) if not isinstance(factor, sp.Expr) else float(factor.evalf(30))
    return A * c, B * c


# ---------------------------------------------------------------------------------------
# 7. Output before or after the update
# ---------------------------------------------------------------------------------------


def pre_update_from_post_update(K: Any, D: Any = 0) -> Any:
    """The kernel of the pre-update output y_k = C x_k + D u_k from ours (post-update).

    Ours: x_{k+1} = Ab x_k + Bb u_k, y_k = C x_{k+1}: y_k = sum_j K_j u_{k-j} with
    K_j = C Ab^j Bb (y_k sees u_k). A recurrence that reads the state before the update,
    y_k = C x_k + D u_k (x_0 = 0), has y_k = D u_k + sum_{j>=1} C Ab^{j-1} Bb u_{k-j}:

        K'_0 = D,   K'_k = K_{k-1}  (k = 1 .. L-1).

    (A code that updates first and then reads, y_k = C x_k with x_k = Ab x_{k-1} + Bb u_k,
    is ours; its D is ``rtf_with_feedthrough``.) The inverse is
    ``post_update_from_pre_update``.

    Arguments:
        K: our kernel: a tensor (..., L) (taps last, float or complex) or, *oracle*, an
            ``OracleResult`` kernel; L >= 1.
        D: the direct term: for a tensor K a number (taking K's precision) or a tensor
            broadcasting with K.shape[:-1] (the batches broadcast); for an oracle an exact
            number as in ``rtf_with_feedthrough``.

    Returns:
        K' of the same kind and length L (the last tap of K falls off: ask for L + 1 taps
        to keep L). Oracle: exact, digits as ``shift_taps`` then ``rtf_with_feedthrough``.

    Raises:
        InvalidTypeError / InvalidArgumentError: K neither a finite float/complex tensor nor
            an OracleResult kernel, D unreadable or not finite.
    """
    if isinstance(K, OracleResult):
        return rtf_with_feedthrough(_shifted(K, _kernel_parts("K", K), 1), D)
    K = _tensor("K", K)
    if isinstance(D, torch.Tensor):
        D = _tensor("D", D, min_dim=0)
        _same_device(K=K, D=D)
        dtype = _promoted(K, D)
    else:
        if isinstance(D, bool) or not isinstance(D, numbers.Number):
            raise InvalidTypeError(f"D: expected a number or a tensor, got {D!r}")
        if not cmath.isfinite(complex(D)):
            raise InvalidArgumentError(f"D: must be finite, got {D!r}")
        # a Python number takes K's precision (its complex counterpart if D is complex)
        real = isinstance(D, numbers.Real)
        dtype = K.dtype if real or K.is_complex() else _COMPLEX_OF[K.dtype]
        D = torch.tensor(D, dtype=dtype, device=K.device)
    batch = _batch(K=K.shape[:-1], D=D.shape)
    head = D.to(dtype).expand(batch)[..., None]
    return torch.cat([head, K.to(dtype).expand(*batch, K.shape[-1])[..., :-1]], dim=-1)


def post_update_from_pre_update(K: Any) -> Any:
    """Our (post-update) kernel from a pre-update one: K_k = K'_{k+1}, k = 0 .. L-2.

    The inverse of ``pre_update_from_post_update``: a recurrence with y_k = C x_k (+ D u_k)
    has K'_0 = D and K'_k = K_{k-1}; dropping K'_0 (the D, returned separately by nobody:
    read it from ``K[..., 0]``) gives our K, one tap shorter.

    Arguments:
        K: a pre-update kernel, a tensor (..., L) or *oracle* an ``OracleResult``, L >= 2.

    Returns:
        The L - 1 taps K'_1 .. K'_{L-1}, of the same kind (oracle: ``shift_taps(K, -1)``).

    Raises:
        InvalidTypeError / InvalidArgumentError: K not a finite float/complex tensor or an
            OracleResult kernel, L < 2.
    """
    if isinstance(K, OracleResult):
        if len(_kernel_parts("K", K)) < 2:
            raise InvalidArgumentError("K: needs L >= 2 taps (one is dropped)")
        return shift_taps(K, -1)
    K = _tensor("K", K)
    if K.shape[-1] < 2:
        raise InvalidArgumentError(f"K: needs L >= 2 taps (one is dropped), got {K.shape[-1]}")
    return K[..., 1:]


# ---------------------------------------------------------------------------------------
# 8. Grading a discretization
# ---------------------------------------------------------------------------------------


def _float_of(value: Any) -> Any:
    """A float (or complex) of an oracle's exact parameter."""
    if isinstance(value, Fraction):
        return float(value)
    if isinstance(value, tuple):
        return complex(float(value[0]), float(value[1]))
    number = mpmath.mp.convert(value._mpmath_(53, "n"))
    return complex(number) if hasattr(number, "_mpc_") else float(number)


def _method_of(name: Any) -> Any:
    if isinstance(name, str) and name.startswith("gbt(") and name.endswith(")"):
        return ("gbt", float(Fraction(name[4:-1])))
    return name


def _discretize_inputs(oracle: OracleResult) -> dict[str, Any]:
    params = oracle.params
    if not all(key in params for key in ("A", "B", "dt", "method")):
        raise InvalidArgumentError(
            "oracle_result carries no discretize parameters (A, B, dt, method): give cond or inputs"
        )
    return {
        "A": [[_float_of(v) for v in row] for row in params["A"]],
        "B": [_float_of(v) for v in params["B"]],
        "dt": _float_of(params["dt"]),
        "method": _method_of(params["method"]),
    }


def compare_discretization(
    Ab: Any,
    Bb: Any,
    oracle_result: Any,
    *,
    dtype: torch.dtype | None = None,
    cond: float | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> tuple[KernelComparison, KernelComparison]:
    """Measure a computed discretization (Ab, Bb) against the ``discretize`` oracle, each
    part relative to its own max-norm, under the ``"discretize"`` error model (8 u N
    kappa_d), without asserting.

    Arguments:
        Ab: the computed (N, N) tensor (any shape with N x N entries ending in (N, N));
        Bb: the computed N entries; float or complex.
        oracle_result: ``hippo_verify.oracles.discretize(A, B, dt, method)`` of the same
            system, values (Ab rows, Bb).
        dtype: the dtype whose model applies (default: each part's own dtype).
        cond: kappa_d of the model; or ``inputs``: dict(A=..., B=..., dt=..., method=...),
            from which the registry computes it (``discretize_condition``). Neither:
            computed from the oracle's own exact inputs (its ``params``) rounded to
            float64, by the judge's code.

    Returns:
        (comparison of Ab, comparison of Bb): ``KernelComparison`` objects (truthy when
        passed; ``digits``, ``max_relative``, ``bound``, ``report``).

    Raises:
        InvalidTypeError: tensors or oracle of the wrong type.
        InvalidArgumentError: an oracle that is not a discretization, shapes that do not
            match it, both cond and inputs, an oracle without params and neither given;
            those of ``compare_kernel`` (a bound >= 0.1, an oracle with too few digits).
    """
    if not isinstance(oracle_result, OracleResult):
        raise InvalidTypeError(
            f"oracle_result: expected an OracleResult, got {type(oracle_result).__name__}"
        )
    values = oracle_result.values
    if not (isinstance(values, tuple) and len(values) == 2 and values[1]):
        raise InvalidArgumentError(
            f"oracle_result: expected a discretize result (Ab rows, Bb), got a "
            f"{oracle_result.family} result"
        )
    rows, bb_values = values
    N = len(bb_values)
    if len(rows) != N or any(len(row) != N for row in rows):
        raise InvalidArgumentError("oracle_result: Ab is not N x N with N = len(Bb)")
    for name, tensor in (("Ab", Ab), ("Bb", Bb)):
        if not isinstance(tensor, torch.Tensor):
            raise InvalidTypeError(f"{name}: expected a torch.Tensor, got {type(tensor).__name__}")
    if Ab.dim() < 2 or tuple(Ab.shape[-2:]) != (N, N) or Ab.numel() != N * N:
        raise InvalidArgumentError(
            f"Ab: expected one ({N}, {N}) matrix like the oracle, got shape {tuple(Ab.shape)}"
        )
    if Bb.numel() != N:
        raise InvalidArgumentError(f"Bb: expected {N} entries, got shape {tuple(Bb.shape)}")
    if cond is not None and inputs is not None:
        raise InvalidArgumentError("give cond or inputs, not both")
    if cond is None and inputs is None:
        inputs = _discretize_inputs(oracle_result)
    flat = [v for row in rows for v in row]
    model: dict[str, Any] = {"inputs": inputs} if inputs is not None else {"N": N, "cond": cond}
    comparisons = [
        compare_kernel(
            actual.reshape(-1),
            dataclasses.replace(oracle_result, values=part),
            dtype=dtype,
            algorithm="discretize",
            **model,
        )
        for actual, part in ((Ab, flat), (Bb, list(bb_values)))
    ]
    return comparisons[0], comparisons[1]


def assert_discretization_close(
    Ab: Any,
    Bb: Any,
    oracle_result: Any,
    *,
    dtype: torch.dtype | None = None,
    cond: float | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> tuple[KernelComparison, KernelComparison]:
    """Assert that a computed discretization is within the ``"discretize"`` error model of
    its oracle (each part, Ab and Bb, relative to its own max-norm), like
    ``assert_kernel_close`` for a kernel.

    Arguments:
        As ``compare_discretization``.

    Returns:
        The two ``KernelComparison`` objects when both parts pass.

    Raises:
        AssertionError: the report of every failing part (taps outside the bound, worst
            entries got != wanted, max relative error, digits obtained vs required).
        InvalidTypeError / InvalidArgumentError: as ``compare_discretization``.
    """
    ab, bb = compare_discretization(Ab, Bb, oracle_result, dtype=dtype, cond=cond, inputs=inputs)
    failed = [
        comparison.report(f"discretize {part} in {dtype or tensor.dtype} vs discretize oracle")
        for part, comparison, tensor in (("Ab", ab, Ab), ("Bb", bb, Bb))
        if not comparison.passed
    ]
    if failed:
        raise AssertionError("\n".join(failed))
    return ab, bb


# ---------------------------------------------------------------------------------------
# 9. Selective scans: Mamba, Mamba-2, mambapy, S5
# ---------------------------------------------------------------------------------------

#: The real dtypes of the selective scans (``kernels.selective_scan``) and their complex
#: counterparts (complex64 for every dtype but float64: there is no bf16/fp16 complex).
_SELECTIVE_REAL = (torch.float64, torch.float32, torch.bfloat16, torch.float16)
_SELECTIVE_COMPLEX = {
    torch.float64: torch.complex128,
    torch.float32: torch.complex64,
    torch.bfloat16: torch.complex64,
    torch.float16: torch.complex64,
}
_COMPUTE_OF = {
    torch.float64: torch.float64,
    torch.float32: torch.float32,
    torch.bfloat16: torch.float32,
    torch.float16: torch.float32,
}


def _shaped(name: str, value: Any, shape: tuple[int, ...], what: str, dtypes: Any) -> torch.Tensor:
    """A finite tensor of ``dtypes`` and exactly ``shape`` (``what`` names the layout)."""
    value = _tensor(name, value, min_dim=0, dtypes=dtypes)
    if tuple(value.shape) != tuple(shape):
        raise InvalidArgumentError(
            f"{name}: expected shape {what} = {tuple(shape)}, got {tuple(value.shape)}"
        )
    return value


def _optional(name: str, value: Any, shape: tuple[int, ...], what: str, dtypes: Any) -> Any:
    return None if value is None else _shaped(name, value, shape, what, dtypes)


@dataclasses.dataclass(frozen=True)
class _Selective:
    """Validated arguments of a selective scan (our layout); ``layout[name]`` is 0 for a
    constant (d, n) B/C, else its group count (1 for (b, n, L))."""

    u: torch.Tensor
    delta: torch.Tensor
    A: torch.Tensor
    B: Any
    C: Any
    D: Any
    z: Any
    delta_bias: Any
    b: int
    d: int
    n: int
    L: int
    layout: dict[str, int]


def _selective(
    u: Any,
    delta: Any,
    A: Any,
    B: Any = None,
    C: Any = None,
    D: Any = None,
    z: Any = None,
    delta_bias: Any = None,
) -> _Selective:
    """Check the arguments of our ``selective_scan`` layout (B and C optional here): u,
    delta, z (b, d, L); A (d, n); B, C (d, n), (b, n, L) or (b, g, n, L) with g | d; D,
    delta_bias (d,); the real ones one dtype of float64/float32/bfloat16/float16, A (and
    then B, C) real or its complex counterpart; one device."""
    u = _tensor("u", u, min_dim=0, dtypes=_SELECTIVE_REAL)
    if u.dim() != 3:
        raise InvalidArgumentError(f"u: expected shape (b, d, L), got {tuple(u.shape)}")
    b, d, L = u.shape
    real = (u.dtype,)
    delta = _shaped("delta", delta, (b, d, L), "(b, d, L)", real)
    A = _tensor("A", A, min_dim=0, dtypes=(u.dtype, _SELECTIVE_COMPLEX[u.dtype]))
    if A.dim() != 2 or A.shape[0] != d:
        raise InvalidArgumentError(f"A: expected shape (d, n) with d = {d}, got {tuple(A.shape)}")
    n = A.shape[1]
    values = (u.dtype, A.dtype)  # complex B/C only with complex A
    layout: dict[str, int] = {}
    checked: dict[str, Any] = {}
    for name, value in (("B", B), ("C", C)):
        checked[name] = None
        if value is not None:
            checked[name], layout[name] = _bc_layout(name, value, (b, d, n, L), values)
    D = _optional("D", D, (d,), "(d,)", real)
    z = _optional("z", z, (b, d, L), "(b, d, L)", real)
    delta_bias = _optional("delta_bias", delta_bias, (d,), "(d,)", real)
    given = {"u": u, "delta": delta, "A": A, "D": D, "z": z, "delta_bias": delta_bias, **checked}
    _same_device(**{k: v for k, v in given.items() if v is not None})
    return _Selective(u, delta, A, checked["B"], checked["C"], D, z, delta_bias, b, d, n, L, layout)


def _bc_layout(
    name: str, value: Any, sizes: tuple[int, int, int, int], dtypes: Any
) -> tuple[torch.Tensor, int]:
    """B or C and its layout: 0 for a constant (d, n), else its groups (1 for (b, n, L))."""
    b, d, n, L = sizes
    value = _tensor(name, value, min_dim=0, dtypes=dtypes)
    if value.dim() == 2:
        return _shaped(name, value, (d, n), "(d, n)", dtypes), 0
    if value.dim() == 3:
        return _shaped(name, value, (b, n, L), "(b, n, L)", dtypes), 1
    if value.dim() == 4:
        g = value.shape[1]
        if g < 1 or d % g:
            raise InvalidArgumentError(f"{name}: {g} groups do not divide the d = {d} channels")
        return _shaped(name, value, (b, g, n, L), "(b, g, n, L)", dtypes), g
    raise InvalidArgumentError(
        f"{name}: expected (d, n), (b, n, L) or (b, g, n, L), got {tuple(value.shape)}"
    )


def _per_channel(value: torch.Tensor, groups: int, d: int) -> torch.Tensor:
    """B or C broadcastable to (b, L, d, n): (d, n) -> (1, 1, d, n); (b, n, L) ->
    (b, L, 1, n); (b, g, n, L) -> (b, L, d, n) (channel i uses group i // (d / g))."""
    if groups == 0:
        return value[None, None]
    if value.dim() == 3:
        return value.permute(0, 2, 1)[:, :, None, :]
    return value.permute(0, 3, 1, 2).repeat_interleave(d // groups, dim=2)


def real_pairs_from_complex(B: Any) -> torch.Tensor:
    """Mamba's storage of a complex per-step B or C: (..., L) complex -> (..., 2L) real.

    Mamba's ``selective_scan_ref`` / ``selective_scan_fn`` (mamba_ssm/ops/
    selective_scan_interface.py) take the per-step B and C of a complex A, (b, n, L) or
    (b, g, n, L), as REAL tensors whose last axis holds each step's real and imaginary
    parts in turn, ``"... (L two)"``:

        B'[..., 2t] = Re B[..., t],   B'[..., 2t + 1] = Im B[..., t]

    (the reference unpacks them with ``view_as_complex(rearrange(B, "... (L two) -> ... L
    two", two=2))``). hippo-verify takes complex tensors; a constant (d, n) B/C of a complex
    A is a complex tensor in both conventions and needs no map. The inverse is
    ``complex_from_real_pairs``.

    Arguments:
        B: a complex tensor (complex64 or complex128), at least 1-D, finite.

    Returns:
        The real tensor (..., 2L) (float32 for complex64, float64 for complex128), exact.

    Raises:
        InvalidTypeError: not a tensor, not complex64/complex128.
        InvalidArgumentError: 0-D, empty, NaN/inf.
    """
    B = _tensor("B", B, dtypes=(torch.complex128, torch.complex64))
    return torch.stack((B.real, B.imag), dim=-1).flatten(-2)


def complex_from_real_pairs(B: Any) -> torch.Tensor:
    """The complex per-step B or C of Mamba's real-pair storage: (..., 2L) -> (..., L),
    B[..., t] = B'[..., 2t] + i B'[..., 2t + 1] (the inverse of ``real_pairs_from_complex``).

    Arguments:
        B: a real tensor (float32 or float64) whose last dimension 2L is even, finite.

    Returns:
        The complex tensor (..., L), complex64 for float32 and complex128 for float64, exact.

    Raises:
        InvalidTypeError: not a tensor, not float32/float64.
        InvalidArgumentError: 0-D, empty, NaN/inf, an odd last dimension.
    """
    B = _tensor("B", B, dtypes=(torch.float64, torch.float32))
    if B.shape[-1] % 2:
        raise InvalidArgumentError(
            f"B: the last dimension holds (real, imaginary) pairs and must be even, got "
            f"{B.shape[-1]}"
        )
    return torch.complex(B[..., 0::2], B[..., 1::2])


def selective_scan_from_mamba(fn: Any) -> Any:
    """Our ``selective_scan`` signature around a scan in the convention of Mamba's
    ``selective_scan_ref`` / ``selective_scan_fn``, e.g. to grade it with
    ``check_kernel(..., "selective-scan-sequential")``.

    Mamba's ``fn(u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False)``
    has our shapes and formulas (the ``"mamba"`` discretization, B-bar = delta B) with two
    differences, both mapped exactly: the per-step B/C of a complex A are real pairs
    (``real_pairs_from_complex``), and it may return ``(y, last_state)``
    (``return_last_state=True``): y is kept. (Mamba's reference computes in float32
    whatever the input dtype: graded in float64 it shows float32 digits.)

    Arguments:
        fn: the callable in Mamba's convention.

    Returns:
        ``scan(u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False, *,
        discretization="mamba")`` -> y (what ``fn`` returns, or its first element).

    Raises:
        InvalidTypeError: ``fn`` not callable. The returned scan raises InvalidTypeError /
            InvalidArgumentError before calling ``fn`` for a non-tensor A or B/C, complex
            per-step B/C that are not complex64/128, or ``discretization`` other than
            ``"mamba"`` (Mamba has no exact ZOH).
    """
    if not callable(fn):
        raise InvalidTypeError(f"fn: expected a callable, got {type(fn).__name__}")

    def scan(
        u: Any,
        delta: Any,
        A: Any,
        B: Any,
        C: Any,
        D: Any = None,
        z: Any = None,
        delta_bias: Any = None,
        delta_softplus: bool = False,
        *,
        discretization: str = "mamba",
    ) -> Any:
        if discretization != "mamba":
            raise InvalidArgumentError(
                f"discretization: Mamba's scan is B-bar = delta B ('mamba'), got {discretization!r}"
            )
        for name, value in (("A", A), ("B", B), ("C", C)):
            if not isinstance(value, torch.Tensor):
                raise InvalidTypeError(
                    f"{name}: expected a torch.Tensor, got {type(value).__name__}"
                )
        if A.is_complex():
            B, C = (real_pairs_from_complex(v) if v.dim() >= 3 else v for v in (B, C))
        out = fn(u, delta, A, B, C, D, z, delta_bias, delta_softplus)
        return out[0] if isinstance(out, tuple) else out

    scan.__qualname__ = f"selective_scan_from_mamba({getattr(fn, '__qualname__', 'fn')})"
    scan.__module__ = getattr(fn, "__module__", __name__)
    return scan


def _head_groups(name: str, value: Any, b: int, heads: int, n: int, dtype: Any) -> torch.Tensor:
    """Mamba's step B/C: (b, n) -> (b, 1, n); (b, g, n) with g | heads kept."""
    value = _tensor(name, value, min_dim=0, dtypes=dtype)
    if value.dim() == 2:
        return _shaped(name, value, (b, n), "(b, n)", dtype)[:, None]
    if value.dim() != 3 or value.shape[1] < 1 or heads % value.shape[1]:
        raise InvalidArgumentError(
            f"{name}: expected (b, n) or (b, g, n) with g dividing the {heads} head(s), got "
            f"{tuple(value.shape)}"
        )
    return _shaped(name, value, (b, value.shape[1], n), "(b, g, n)", dtype)


def mamba_state_update(
    state: Any,
    x: Any,
    dt: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any = None,
    z: Any = None,
    dt_bias: Any = None,
    dt_softplus: bool = False,
) -> torch.Tensor:
    """Mamba's decoding step ``selective_state_update`` (mamba_ssm/ops/triton/
    selective_state_update.py), computed by ``kernels.selective_step``: ``state`` is
    updated in place and the output returned, in Mamba's shapes.

    Mamba's step (its ``selective_state_update_ref``): dt <- softplus(dt + dt_bias) (as
    asked); state <- exp(dt A) state + (dt B) x; out = sum_n state C (+ D x) (* silu(z)).
    That is one step of our scan with u = x, delta = dt, delta_bias = dt_bias,
    delta_softplus = dt_softplus, discretization ``"mamba"``. Shapes without heads: state
    (b, d, n), x/dt/z (b, d), A (d, n), B/C (b, n), D/dt_bias (d,); with heads (Mamba-2):
    state (b, h, p, n), x/dt/z (b, h, p), A (h, p, n), B/C (b, n) or (b, g, n) with head i
    using group i // (h / g), D/dt_bias (h, p). The map (exact, reshapes only): channel
    c = i p + j for head i, position j (d = h p), whose group c // (d / g) in our
    convention is its head's i // (h / g); B/C (b, n) go in as (b, 1, n) (a 2-D step B
    could also read as a constant (d, n)).

    What stays different: Mamba's softplus returns dt itself above 20 (torch's threshold,
    and the Triton kernel's), ours never does (a relative difference below e^-20 / 20 =
    1e-10); and the state keeps its own dtype, as Mamba's kernel stores it (``copy_``: a
    float32 state of a bfloat16 call is kept in float32, a bfloat16 state is rounded).

    Arguments:
        state: (b, d, n) or (b, h, p, n), modified in place. x, dt, A, B, C, D, z, dt_bias:
            as above; dt_softplus a bool. Precision as ``kernels.selective_step`` (one
            real dtype; the state in it or in its compute dtype; real A only: Mamba's step
            has no conjugate-pair output).

    Returns:
        out: the shape of x, in x's dtype.

    Raises:
        InvalidTypeError / InvalidArgumentError before any work (``state`` untouched): non-
            tensors, complex A, shapes other than the above, groups that do not divide the
            heads, and what ``kernels.selective_step`` refuses.
    """
    if not isinstance(state, torch.Tensor):
        raise InvalidTypeError(f"state: expected a torch.Tensor, got {type(state).__name__}")
    if state.dim() not in (3, 4) or state.numel() == 0:
        raise InvalidArgumentError(
            f"state: expected (b, d, n) or (b, h, p, n), got shape {tuple(state.shape)}"
        )
    b, n = state.shape[0], state.shape[-1]
    lead = tuple(state.shape[1:-1])
    d, heads = math.prod(lead), (lead[0] if len(lead) == 2 else 1)
    headed = len(lead) == 2
    layout, params = ("(b, h, p)", "(h, p)") if headed else ("(b, d)", "(d,)")
    real = _SELECTIVE_REAL
    x = _shaped("x", x, (b, *lead), layout, real)
    dt = _shaped("dt", dt, (b, *lead), layout, real)
    A = _shaped("A", A, (*lead, n), "(h, p, n)" if headed else "(d, n)", real)
    B = _head_groups("B", B, b, heads, n, real)
    C = _head_groups("C", C, b, heads, n, real)
    D, dt_bias = (_optional(k, v, lead, params, real) for k, v in (("D", D), ("dt_bias", dt_bias)))
    z = _optional("z", z, (b, *lead), layout, real)
    y, new_state = selective_step(
        state.reshape(b, d, n),
        x.reshape(b, d),
        dt.reshape(b, d),
        A.reshape(d, n),
        B,
        C,
        None if D is None else D.reshape(d),
        None if z is None else z.reshape(b, d),
        None if dt_bias is None else dt_bias.reshape(d),
        dt_softplus,
    )
    state.copy_(new_state.reshape(state.shape))
    return y.reshape(x.shape)


def step_from_state_update(update: Any) -> Any:
    """Our pure ``kernels.selective_step`` signature around an in-place decoding step in
    Mamba's convention, ``update(state, x, dt, A, B, C, D, z, dt_bias, dt_softplus) -> out``
    (``selective_state_update``; see ``mamba_state_update``), e.g. to run a Mamba-style
    step token by token against ``kernels.selective_scan``.

    The call uses Mamba's head form with one position per head (h = d, p = 1): state
    (b, d, 1, n), x/dt/z (b, d, 1), A (d, 1, n), D/dt_bias (d, 1); B and C: (b, n) as
    (b, 1, n); (b, g, n) as they are (our channel i's group i // (d / g) is Mamba's head
    i's); a constant (d, n) expanded to (b, d, n), one group per channel (Mamba's step has
    no constant layout). All exact (views and expansions).

    Arguments:
        update: the callable in Mamba's convention (it may modify the state it is given:
            it gets a copy).

    Returns:
        ``step(state, u, delta, A, B, C, D=None, z=None, delta_bias=None,
        delta_softplus=False, *, discretization="mamba")`` -> ``(y, new_state)``: y (b, d)
        as ``update`` returns it, new_state (b, d, n) the updated copy (``state`` itself is
        never modified).

    Raises:
        InvalidTypeError: ``update`` not callable. The returned step raises
            InvalidTypeError / InvalidArgumentError before calling ``update``: non-tensors,
            complex A (Mamba's step is real), a discretization other than ``"mamba"``,
            shapes outside ``selective_step``'s, a 2-D B/C with b = d > 1 (ambiguous, as in
            ``selective_step``: pass (b, 1, n) or the constant expanded to (b, d, n)).
    """
    if not callable(update):
        raise InvalidTypeError(f"update: expected a callable, got {type(update).__name__}")

    def step(
        state: Any,
        u: Any,
        delta: Any,
        A: Any,
        B: Any,
        C: Any,
        D: Any = None,
        z: Any = None,
        delta_bias: Any = None,
        delta_softplus: bool = False,
        *,
        discretization: str = "mamba",
    ) -> tuple[Any, torch.Tensor]:
        if discretization != "mamba":
            raise InvalidArgumentError(
                f"discretization: Mamba's step is B-bar = delta B ('mamba'), got {discretization!r}"
            )
        state = _tensor("state", state, min_dim=0, dtypes=_SELECTIVE_REAL)
        if state.dim() != 3:
            raise InvalidArgumentError(f"state: expected (b, d, n), got {tuple(state.shape)}")
        b, d, n = state.shape
        real = _SELECTIVE_REAL
        u = _shaped("u", u, (b, d), "(b, d)", real)
        delta = _shaped("delta", delta, (b, d), "(b, d)", real)
        A = _shaped("A", A, (d, n), "(d, n)", real)
        heads = []
        for name, value in (("B", B), ("C", C)):
            value = _tensor(name, value, min_dim=0, dtypes=real)
            if value.dim() == 2 and b == d > 1:
                raise InvalidArgumentError(
                    f"{name} of shape {tuple(value.shape)} is ambiguous with b = d = {b} (per "
                    "step (b, n) or constant (d, n)?); pass (b, 1, n) or (b, d, n)"
                )
            if value.dim() == 2 and tuple(value.shape) == (d, n) and (b, n) != (d, n):
                value = value.expand(b, d, n)
            heads.append(_head_groups(name, value, b, d, n, real))
        D, delta_bias = (
            _optional(k, v, (d,), "(d,)", real) for k, v in (("D", D), ("delta_bias", delta_bias))
        )
        z = _optional("z", z, (b, d), "(b, d)", real)
        new_state = state.clone()[:, :, None, :]
        y = update(
            new_state,
            u[..., None],
            delta[..., None],
            A[:, None, :],
            heads[0],
            heads[1],
            None if D is None else D[:, None],
            None if z is None else z[..., None],
            None if delta_bias is None else delta_bias[:, None],
            delta_softplus,
        )
        return y[..., 0], new_state[:, :, 0]

    step.__qualname__ = f"step_from_state_update({getattr(update, '__qualname__', 'update')})"
    step.__module__ = getattr(update, "__module__", __name__)
    return step


def ssd_minimal_inputs(
    X: Any, dt: Any, A: Any, B: Any, C: Any, *, block_len: Any = None
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Mamba-2's minimal SSD inputs ``ssd_minimal_discrete(X * dt, A * dt, B, C, block_len)``
    (mamba_ssm/modules/ssd_minimal.py, the paper's Listing 1) from ours (``ssd``).

    Ours: H_t = exp(dt_t A) H_{t-1} + dt_t X_t B_t^T, y_t = H_t C_t. The minimal form takes
    the products pre-multiplied, X' = X dt (b, L, h, p) and A' = A dt (b, L, h), and runs
    H_t = exp(A'_t) H_{t-1} + X'_t B_t^T: the same map. Its B, C are per head (b, L, h, n)
    in Listing 1 (``"bclhn"``): ours (b, L, g, n) are expanded so that head i gets group
    i // (h / g); one group (g = 1) stays (b, L, 1, n), which torch's einsum broadcasts
    over the heads. (Some versions of the file name that axis g, ``"bclgn,bcsgn,..."``, and
    sum over it: with g > 1 they add every group's output to every head, which is not the
    grouped map; they agree with this one for g = 1.) Its length must be a multiple of
    ``block_len``: with ``block_len`` the four tensors are padded at the end with zero steps
    (A' = 0 decays by exp(0) = 1 and X' = 0 adds nothing, so the first L outputs are
    unchanged; ``ssd_from_minimal`` drops the rest).

    Precision: X dt and A dt are formed in the inputs' dtype (the minimal code asserts one
    dtype for all four), one rounding each, which our ``ssd`` does not do: the map is exact
    in exact arithmetic and equal to rounding in floating point.

    Arguments:
        X (b, L, h, p), dt (b, L, h), A (h,), B and C (b, L, g, n) with g | h: finite real
            tensors of one dtype (float64/float32/bfloat16/float16), one device, L >= 1.
        block_len: None (no padding) or an int >= 1.

    Returns:
        (X dt, A dt, B, C) of shapes (b, L', h, p), (b, L', h), (b, L', h or 1, n) twice,
        L' = L rounded up to a multiple of ``block_len``.

    Raises:
        InvalidTypeError / InvalidArgumentError: non-tensors, dtypes, shapes, groups not
            dividing the heads, NaN/inf, devices, a bad ``block_len``.
    """
    real = _SELECTIVE_REAL
    X = _tensor("X", X, min_dim=0, dtypes=real)
    if X.dim() != 4:
        raise InvalidArgumentError(f"X: expected shape (b, L, h, p), got {tuple(X.shape)}")
    b, L, h, _ = X.shape
    same = (X.dtype,)
    dt = _shaped("dt", dt, (b, L, h), "(b, L, h)", same)
    A = _shaped("A", A, (h,), "(h,)", same)
    B = _tensor("B", B, min_dim=0, dtypes=same)
    if B.dim() != 4 or B.shape[2] < 1 or h % B.shape[2]:
        raise InvalidArgumentError(
            f"B: expected (b, L, g, n) with g dividing h = {h}, got {tuple(B.shape)}"
        )
    g, n = B.shape[2], B.shape[3]
    B = _shaped("B", B, (b, L, g, n), "(b, L, g, n)", same)
    C = _shaped("C", C, (b, L, g, n), "(b, L, g, n)", same)
    _same_device(X=X, dt=dt, A=A, B=B, C=C)
    pad = 0 if block_len is None else -L % require_int("block_len", block_len, minimum=1)
    if g > 1:
        B, C = (v.repeat_interleave(h // g, dim=2) for v in (B, C))
    out = (X * dt[..., None], A * dt, B, C)
    if not pad:
        return out
    return tuple(torch.nn.functional.pad(t, (0, 0) * (t.dim() - 2) + (0, pad)) for t in out)


def ssd_from_minimal(Y: Any, X: Any, D: Any = None) -> torch.Tensor:
    """Our ``ssd`` output from the minimal SSD's Y: its first L steps, plus D X.

    ``ssd_minimal_discrete`` returns (Y, final_state) with Y (b, L', h, p) over the padded
    length (``ssd_minimal_inputs``) and no D term: y = Y[:, :L] + D[:, None] X, with X our
    (not pre-multiplied) input, as Mamba-2 adds it (``y + x * D``).

    Arguments:
        Y: (b, L', h, p), L' >= L. X: our X (b, L, h, p). D: (h,) or None. Finite real
            tensors of one dtype, one device.

    Returns:
        y (b, L, h, p) in Y's dtype (exact for D = None; one product and one sum otherwise).

    Raises:
        InvalidTypeError / InvalidArgumentError: non-tensors, dtypes, shapes, NaN/inf.
    """
    real = _SELECTIVE_REAL
    X = _tensor("X", X, min_dim=0, dtypes=real)
    if X.dim() != 4:
        raise InvalidArgumentError(f"X: expected shape (b, L, h, p), got {tuple(X.shape)}")
    b, L, h, p = X.shape
    Y = _tensor("Y", Y, min_dim=0, dtypes=(X.dtype,))
    if Y.dim() != 4 or Y.shape[1] < L or (Y.shape[0], Y.shape[2], Y.shape[3]) != (b, h, p):
        raise InvalidArgumentError(
            f"Y: expected (b, L', h, p) = ({b}, >= {L}, {h}, {p}), got {tuple(Y.shape)}"
        )
    D = _optional("D", D, (h,), "(h,)", (X.dtype,))
    _same_device(**{k: v for k, v in (("X", X), ("Y", Y), ("D", D)) if v is not None})
    y = Y[:, :L]
    return y.clone() if D is None else y + D[:, None] * X


def mambapy_inputs(
    u: Any, delta: Any, A: Any, B: Any, C: Any, D: Any = None
) -> tuple[torch.Tensor, ...]:
    """The arguments of mambapy's scans, ``MambaBlock.selective_scan(x, delta, A, B, C, D)``
    and ``selective_scan_seq`` (mambapy/mamba.py), from ours (``selective_scan``).

    mambapy keeps time before channels: x, delta (b, L, d) and B, C (b, L, n), shared by
    all channels (one group); A (d, n) and D (d,) as ours; the formulas are ours with the
    ``"mamba"`` discretization and a real A: deltaA = exp(delta A), BX = delta B x,
    h_t = deltaA_t h_{t-1} + BX_t, y_t = h_t C_t + D x_t. The map transposes (exact) and
    gives D = 0 when there is none (y + 0 x = y exactly). What the scans leave to
    ``MambaBlock.ssm`` / ``forward`` around them is not mapped here: delta = softplus(delta
    + dt_proj.bias) (torch's softplus) before, the gate y silu(z) after. The output map is
    ``selective_from_mambapy``.

    Arguments:
        u, delta (b, d, L); A (d, n) real; B, C (b, n, L) or (b, 1, n, L); D (d,) or None:
            finite real tensors of one dtype, one device (ours).

    Returns:
        (x, delta, A, B, C, D): (b, L, d), (b, L, d), (d, n), (b, L, n), (b, L, n), (d,),
        contiguous, in the input dtype.

    Raises:
        InvalidTypeError: non-tensors, complex A (mambapy's scans are real), dtypes.
        InvalidArgumentError: shapes; a constant (d, n) B/C or more than one group (mambapy
            has one B, C per step for all channels); NaN/inf; devices.
    """
    s = _selective(u, delta, A, B, C, D)
    if s.A.is_complex():
        raise InvalidTypeError("A: mambapy's scans take a real A, got a complex one")
    for name in ("B", "C"):
        if s.layout[name] != 1:
            raise InvalidArgumentError(
                f"{name}: mambapy takes one {name} per step for all channels, (b, n, L) or "
                f"(b, 1, n, L); got shape {tuple(getattr(s, name).shape)}"
            )
    time_major = [v.reshape(s.b, -1, s.L).transpose(1, 2).contiguous() for v in (s.u, s.delta)]
    B, C = (v.reshape(s.b, s.n, s.L).transpose(1, 2).contiguous() for v in (s.B, s.C))
    D = torch.zeros(s.d, dtype=s.u.dtype, device=s.u.device) if s.D is None else s.D
    return time_major[0], time_major[1], s.A, B, C, D


def selective_from_mambapy(y: Any) -> torch.Tensor:
    """Our output (b, d, L) from mambapy's (b, L, d): a transpose, exact.

    Arguments:
        y: a finite real tensor (b, L, d).

    Returns:
        (b, d, L), contiguous, same dtype.

    Raises:
        InvalidTypeError / InvalidArgumentError: not a finite real tensor of 3 dimensions.
    """
    y = _tensor("y", y, min_dim=0, dtypes=_SELECTIVE_REAL)
    if y.dim() != 3:
        raise InvalidArgumentError(f"y: expected shape (b, L, d), got {tuple(y.shape)}")
    return y.transpose(1, 2).contiguous()


def recurrence_from_selective(
    u: Any,
    delta: Any,
    A: Any,
    B: Any,
    delta_bias: Any = None,
    delta_softplus: bool = False,
    *,
    discretization: str = "mamba",
) -> tuple[torch.Tensor, torch.Tensor]:
    """The linear recurrence of a selective scan, in the layout of mambapy's ``pscan(A,
    X)`` (mambapy/pscan.py: H_t = A_t H_{t-1} + X_t, H_{-1} = 0, tensors (b, L, d, n)).

    Our scan's states are that recurrence with

        A_t = exp(delta_t A),   X_t = Bbar_t u_t,   Bbar_t = delta_t B_t ("mamba")
                                                   or (exp(delta_t A) - 1) / A B_t ("zoh",
                                                   delta_t B_t where A = 0),

    delta <- softplus(delta + delta_bias) as asked (the softplus of ``kernels``, without
    torch's threshold). ``selective_from_states`` turns the states into our output, so
    ``selective_from_states(scan(*recurrence_from_selective(...)), ...)`` is our
    ``selective_scan`` for any scan of that recurrence. Precision (the project's mixed-
    precision rule): computed in float64 (complex128) for float64 inputs and in float32
    (complex64) otherwise, and returned in that compute dtype; a bfloat16 call thus hands
    the scan float32 operands, as a float32-accumulating kernel does.

    Arguments:
        u, delta (b, d, L); A (d, n) real or complex; B (d, n), (b, n, L) or (b, g, n, L);
            delta_bias (d,) or None; delta_softplus a bool; discretization ``"mamba"`` or
            ``"zoh"``. Finite, one real dtype (A, B its complex counterpart), one device.

    Returns:
        (A_t, X_t), each (b, L, d, n), contiguous, in the compute dtype (complex if A is).

    Raises:
        InvalidTypeError / InvalidArgumentError: non-tensors, dtypes, shapes, groups not
            dividing d, NaN/inf, devices, a non-bool delta_softplus, an unknown
            discretization.
    """
    s = _selective(u, delta, A, B, None, None, None, delta_bias)
    if not isinstance(delta_softplus, bool):
        raise InvalidTypeError(f"delta_softplus: expected a bool, got {delta_softplus!r}")
    if discretization not in ("mamba", "zoh"):
        raise InvalidArgumentError(
            f"discretization: expected 'mamba' or 'zoh', got {discretization!r}"
        )
    real = _COMPUTE_OF[s.u.dtype]
    work = _SELECTIVE_COMPLEX[real] if s.A.is_complex() else real
    step = s.delta.to(real)
    if s.delta_bias is not None:
        step = step + s.delta_bias.to(real)[:, None]
    if delta_softplus:
        step = softplus(step)
    step = step.transpose(1, 2)[..., None]  # (b, L, d, 1)
    A_w = s.A.to(work)
    exponent = step * A_w
    Abar = torch.exp(exponent)
    if discretization == "mamba":
        weight = step
    else:
        zero = A_w == 0
        weight = torch.where(zero, step.to(work), torch.expm1(exponent) / torch.where(zero, 1, A_w))
    B_w = _per_channel(s.B.to(work if s.B.is_complex() else real), s.layout["B"], s.d)
    X = weight * B_w * s.u.to(real).transpose(1, 2)[..., None]
    shape = (s.b, s.L, s.d, s.n)
    return Abar.expand(shape).contiguous(), X.expand(shape).contiguous()


def selective_from_states(H: Any, u: Any, C: Any, D: Any = None, z: Any = None) -> torch.Tensor:
    """Our selective-scan output from the states H_t of its recurrence
    (``recurrence_from_selective``; mambapy's ``pscan`` returns them as (b, L, d, n)):

        y_t = sum_n C_t[n] H_t[n]   (2 Re(.) if H is complex: conjugate pairs)
        y_t += D u_t;  y_t *= silu(z_t)

    Arguments:
        H: (b, L, d, n) real or complex (float64/float32/complex128/complex64), finite. u
            (b, d, L), C (d, n), (b, n, L) or (b, g, n, L), D (d,) or None, z (b, d, L) or
            None: ours, one real dtype (C complex only with complex H), one device.

    Returns:
        y (b, d, L), computed in H's precision and returned in u's dtype.

    Raises:
        InvalidTypeError / InvalidArgumentError: non-tensors, dtypes, shapes, NaN/inf,
            devices.
    """
    H = _tensor("H", H, min_dim=0)
    if H.dim() != 4:
        raise InvalidArgumentError(f"H: expected shape (b, L, d, n), got {tuple(H.shape)}")
    b, L, d, n = H.shape
    real = H.dtype.to_real()
    u = _shaped("u", u, (b, d, L), "(b, d, L)", _SELECTIVE_REAL)
    if _COMPUTE_OF[u.dtype] != real:
        raise InvalidTypeError(
            f"H: expected the compute precision of u ({u.dtype}): "
            f"{_COMPUTE_OF[u.dtype]} or its complex, got {H.dtype}"
        )
    values = (u.dtype, _SELECTIVE_COMPLEX[u.dtype]) if H.is_complex() else (u.dtype,)
    C, layout = _bc_layout("C", C, (b, d, n, L), values)
    D = _optional("D", D, (d,), "(d,)", (u.dtype,))
    z = _optional("z", z, (b, d, L), "(b, d, L)", (u.dtype,))
    _same_device(
        **{k: v for k, v in (("H", H), ("u", u), ("C", C), ("D", D), ("z", z)) if v is not None}
    )
    y = (_per_channel(C.to(H.dtype if C.is_complex() else real), layout, d) * H).sum(-1)
    y = (2 * y.real if y.is_complex() else y).transpose(1, 2)
    if D is not None:
        y = y + D.to(real)[:, None] * u.to(real)
    if z is not None:
        y = y * torch.nn.functional.silu(z.to(real))
    return y.to(u.dtype)


def c_for_real_part(C: Any, conj_sym: bool = True) -> torch.Tensor:
    """The output matrix of an S5 code that reads y = Re(C' x) from our ``s5_scan``'s C.

    Ours: y = 2 Re(C x) with conjugate-symmetric storage (``conj_sym=True``, the S5 paper's
    JAX code keeps half the modes and doubles), Re(C x) without. The s5-pytorch package
    (``s5.s5_model.apply_ssm``: ``(C_tilde @ x).real``) always reads Re(C' x), so
    C' = 2 C for conj_sym (exact: a power of two) and C' = C otherwise.

    Arguments:
        C: (H, P) (any shape) float or complex tensor, finite. conj_sym: a bool.

    Returns:
        C' (a new tensor, same dtype and shape).

    Raises:
        InvalidTypeError / InvalidArgumentError: not a finite float/complex tensor, a
            non-bool conj_sym.
    """
    C = _tensor("C", C)
    if not isinstance(conj_sym, bool):
        raise InvalidTypeError(f"conj_sym: expected a bool, got {conj_sym!r}")
    return 2 * C if conj_sym else C.clone()
