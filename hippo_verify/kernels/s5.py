"""S5: a linear time-invariant MIMO diagonal state-space layer (torch twin of
``mp_oracles.s5_scan``).

Convention (P states, H input/output channels, b batch, l length):

    ZOH:      Lbar = exp(Lambda delta),  Bbar = ((Lbar - 1) / Lambda)[:, None] B
              ((Lbar - 1) / Lambda = expm1(Lambda delta) / Lambda, = delta at Lambda = 0)
    bilinear: Lbar = (1 + Lambda delta / 2) / (1 - Lambda delta / 2),
              Bbar = (delta / (1 - Lambda delta / 2))[:, None] B
    x_{-1} = 0,  x_k = Lbar x_{k-1} + Bbar u_k,
    y_k = 2 Re(C x_k) with ``conj_sym`` (the stored modes are one of each conjugate pair),
          Re(C x_k) without;   y_k += D u_k.

Modes: ``"sequential"`` (the recurrence, one fused multiply-add per step) and
``"parallel"`` (the associative scan); both are the selective scan's machinery
(``_assoc_scan``) on the time-major states (l, b, P), with the constant Lbar as a
(l, 1, P) decay. Bbar u for every step is one matmul before the scan and C x one matmul
after it.

Mixed precision (``_selective_args``): u, delta and D share one real dtype; Lambda, B and C
are complex128 with float64 and complex64 with float32/bfloat16/float16 (the arithmetic
runs in complex128 / complex64); y is returned in u's dtype. Size (before any work, against
``kernel_elements``): the states (l x b x P) and the output; the sequential mode is also
charged ``SEQUENTIAL_STEP_CHARGE`` per step. Overflow: Re(Lambda) > 0 can grow the state
beyond the range: refused with max Re(Lambda delta).
"""

from __future__ import annotations

from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice
from ._args import SEQUENTIAL_STEP_CHARGE, as_tensor, require_elements, require_finite_result
from ._assoc_scan import parallel_scan_, sequential_scan_
from ._selective_args import call_precision, optional, require_shape

__all__ = ["S5_DISCRETIZATIONS", "S5_MODES", "s5_scan"]

#: The modes of ``s5_scan``.
S5_MODES = ("sequential", "parallel")
#: The discretizations of ``s5_scan``.
S5_DISCRETIZATIONS = ("zoh", "bilinear")


def s5_scan(
    Lambda: Any,
    B: Any,
    C: Any,
    u: Any,
    delta: Any,
    D: Any = None,
    *,
    discretization: str = "zoh",
    conj_sym: bool = True,
    mode: str = "sequential",
) -> torch.Tensor:
    """y_k = 2 Re(C x_k) (Re without conj_sym) + D u_k, x_k = Lbar x_{k-1} + Bbar u_k.

    Arguments:
        Lambda: (P,) state eigenvalues (complex; Re < 0 for a stable layer).
        B: (P, H) input matrix. C: (H, P) output matrix (complex, or real).
        u: (b, l, H) real input, l >= 1. delta: (P,) real steps, > 0. D: (H,) real or None.
        discretization: ``"zoh"`` or ``"bilinear"``. conj_sym: conjugate-symmetric storage
        (2 Re). mode: ``"sequential"`` or ``"parallel"``; they agree to rounding.
        u, delta, D one real dtype; Lambda, B, C its complex counterpart (module
        docstring); one device; finite.

    Returns:
        y: (b, l, H) in u's dtype.

    Raises:
        InvalidTypeError / InvalidArgumentError before any work: non-tensors, integer,
        mixed or complex-where-real dtypes, shapes, delta <= 0, NaN/inf, devices, unknown
        mode/discretization, a non-bool conj_sym, a size above ``kernel_elements``;
        InvalidArgumentError after it if the output overflowed.
    """
    family = "s5_scan"
    Lambda = as_tensor("Lambda", Lambda)
    if Lambda.dim() != 1 or Lambda.shape[0] < 1:
        raise InvalidArgumentError(
            f"{family}: Lambda must have shape (P,) with P >= 1, got {tuple(Lambda.shape)}"
        )
    P = Lambda.shape[0]
    u = as_tensor("u", u)
    if u.dim() != 3 or 0 in u.shape:
        raise InvalidArgumentError(
            f"{family}: u must have shape (b, l, H) with every size >= 1, got {tuple(u.shape)}"
        )
    b, L, H = u.shape
    B, C, delta = as_tensor("B", B), as_tensor("C", C), as_tensor("delta", delta)
    require_shape(family, "B", B, (P, H), "(P, H)")
    require_shape(family, "C", C, (H, P), "(H, P)")
    require_shape(family, "delta", delta, (P,), "(P,)")
    D = optional("D", D)
    if D is not None:
        require_shape(family, "D", D, (H,), "(H,)")
    discretization = require_choice("discretization", discretization, S5_DISCRETIZATIONS)
    mode = require_choice("mode", mode, S5_MODES)
    if not isinstance(conj_sym, bool):
        raise InvalidTypeError(f"{family}: conj_sym must be a bool, got {type(conj_sym).__name__}")
    prec = call_precision(
        family, {"u": u, "delta": delta, "D": D}, {"Lambda": Lambda, "B": B, "C": C}
    )
    if not bool((delta > 0).all()):
        raise InvalidArgumentError(f"{family}: delta must be > 0 at every entry")
    charge = SEQUENTIAL_STEP_CHARGE * L if mode == "sequential" else 0
    require_elements(
        f"{family} ({mode}): elements of its largest tensor (l x b x max(P, H))",
        L * b * max(P, H) + charge,
    )

    work, real = prec.complex, prec.real
    Lambda, B, C = Lambda.to(work), B.to(work), C.to(work)
    delta_w = delta.to(real)
    z = Lambda * delta_w
    if discretization == "zoh":
        Lbar = torch.exp(z)
        zero = Lambda == 0
        weight = torch.where(zero, delta_w.to(work), torch.expm1(z) / torch.where(zero, 1, Lambda))
    else:
        den = 1 - z / 2
        Lbar = (1 + z / 2) / den
        weight = delta_w / den
    Bbar = weight[:, None] * B  # (P, H)
    u_w = u.to(real)
    x = u_w.transpose(0, 1).to(work) @ Bbar.T  # (l, b, P) = Bbar u_k for every k
    if mode == "parallel":
        parallel_scan_(Lbar.expand(L, 1, P).clone(), x)
    else:
        sequential_scan_(Lbar.expand(L, 1, P), x)
    out = x @ C.T  # (l, b, H)
    y = (2 * out.real if conj_sym else out.real).transpose(0, 1)
    if D is not None:
        y = y + D.to(real) * u_w
    require_finite_result(
        f"{family} ({mode})",
        y,
        lambda: (
            f"max Re(Lambda delta) = {float(z.real.max()):.6g}: the state may grow like "
            "exp(that k) over k steps"
        ),
    )
    return y.contiguous().to(prec.dtype)
