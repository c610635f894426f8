"""Mamba's selective scan (S6) and its one-step decoder (torch twins of
``mp_oracles.selective_scan``).

Convention (Mamba's ``selective_scan_ref``; b batch, d channels, n states, l length):

    delta <- delta + delta_bias;  delta <- softplus(delta) = log(1 + e^delta)  (if asked)
    Abar_t = exp(delta_t A),  Bbar_t = delta_t B_t  ("mamba")
                              or (exp(delta_t A) - 1) / A B_t  ("zoh", = delta_t B_t at A = 0)
    x_{-1} = 0,  x_t = Abar_t x_{t-1} + Bbar_t u_t       (elementwise over the n states)
    y_t = sum_n C_t[n] x_t[n]   (after the update; 2 Re(.) if A is complex: conjugate pairs)
    y_t += D u_t;  y_t *= silu(z_t)

B and C are each (d, n) constant, (b, n, l) per step or (b, g, n, l) per step and grouped
(channel i uses group i // (d / g)); complex B/C only with complex A.

Algorithm (both modes). The time axis is cut into blocks of about ``_BLOCK_ELEMENTS``
state elements on the CPU (at least ``_MIN_BLOCK`` steps; 128 steps for the benchmark's
64 x 16 states) and ``_ACCELERATOR_BLOCK_ELEMENTS`` elsewhere (one block up to L = 32768
for those states: a GPU pays per kernel launch, not per cache miss); blocks run one after
the other, carrying the state x across block boundaries (as Mamba's CUDA kernel carries
it across its 2048-step chunks), so that on the CPU the working set stays in cache, and
no tensor of more than a block's elements is ever allocated. In a
block, one vectorised pass forms Abar_t and Bbar_t u_t for every step into two reused
time-major buffers (T, b, groups, n, d/groups), the carried state enters as
Bbar_0 u_0 += Abar_0 x_{in}, the scan runs in place, and one contraction with C gives the
block's outputs. The modes differ only in the scan (``_assoc_scan``):

* ``"sequential"``: the recurrence, one fused multiply-add dispatch per step;
* ``"parallel"``: the work-efficient associative (Blelloch/Brent-Kung) scan, O(T) work and
  O(log T) depth per block; the products of exp(delta A) are formed directly in its product
  tree, which is as accurate as the sequential loop and far more accurate than log-space
  alternatives (the measurement at L = 16384 is in ``_assoc_scan``'s docstring).

Speed (``benchmarks/bench_selective.py --threads 1``, float32, 1 x 64 channels x N 16, this
2-core CPU shared with other jobs, medians of 9 alternating rounds): parallel 22 ms vs
sequential 48 ms at L = 4096 (2.2x), 132 vs 289 ms at L = 16384 (2.2x); mambapy's
pscan-based selective scan 117 / 599 ms with the same error (3e-7). The scans alone, block
by block, differ by about 6x (4096 steps: ~5 ms for the tree, ~31 ms for the loop, which
pays about 7 us of dispatch per step); the work both modes share (exp, the products with
B and C, the contraction, the input checks, ~15 ms at L = 4096) keeps the whole kernel's
ratio near 2x on this CPU.

softplus is evaluated as max(x, 0) + log1p(exp(-|x|)) (no overflow, no threshold: torch's
``softplus`` returns x itself above 20, a relative error of e^-20 / 20 ~ 1e-10).
ZOH uses expm1 (exp(z) - 1 would lose digits at Mamba's |delta A| ~ 1e-3).

Mixed precision (``_selective_args``): bf16/fp16/fp32 inputs compute in float32
(complex64), float64 in float64 (complex128); y is returned in the input dtype.

Size (before any work, against ``kernel_elements``): the two block buffers (block x b x d x n
elements each) and the output; the sequential mode is also charged
``SEQUENTIAL_STEP_CHARGE`` elements per step. Overflow: a growing system (Re A > 0) whose
output leaves the dtype's range raises InvalidArgumentError naming max(delta Re A).
"""

from __future__ import annotations

import math
from typing import Any

import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_choice
from ._args import (
    SEQUENTIAL_STEP_CHARGE,
    as_tensor,
    require_elements,
    require_finite_result,
    require_same_device,
)
from ._assoc_scan import parallel_scan_plan, sequential_scan_
from ._selective_args import (
    Precision,
    call_precision,
    optional,
    require_finite,
    require_shape,
    unscreened,
)

__all__ = ["SELECTIVE_DISCRETIZATIONS", "SELECTIVE_MODES", "selective_scan", "selective_step"]

#: The modes of ``selective_scan``.
SELECTIVE_MODES = ("sequential", "parallel")
#: The discretizations of B: Mamba's delta B and the exact zero-order hold.
SELECTIVE_DISCRETIZATIONS = ("mamba", "zoh")

#: State elements per time block (b x d x n x block): 2^17 float32 = 512 KiB per buffer,
#: so both buffers stay in a core's 2 MiB L2 cache. Measured (1 thread, L = 4096, 64 x 16
#: states, alternating runs): 2^17 and 2^18 fastest, 2^16 and 2^19+ about 10-40% slower;
#: the parallel scan's views are cut once per block length (``parallel_scan_plan``).
_BLOCK_ELEMENTS = 2**17
#: State elements per time block on an accelerator (CUDA): 2^25 (128 MiB per float32
#: buffer), one block for the benchmark's 64 x 16 states up to L = 32768. There every op is
#: a kernel launch of ~5-10 us whatever its size, and the CPU's 128-step blocks cost
#: L / 128 x (about 20 ops + 2 log2(128) scan levels): measured on the CPU with
#: torch.profiler at L = 4096, 3371 aten calls (about 1100 of them kernels) per call in 32
#: blocks against 473 in one block, which is where an H200's 16.7 ms went (the scan
#: alone over L took 0.79 ms).
_ACCELERATOR_BLOCK_ELEMENTS = 2**25
#: Fewest steps per block (very wide states would otherwise give blocks of one step).
_MIN_BLOCK = 32


def selective_scan(
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
    mode: str = "sequential",
) -> torch.Tensor:
    """y = selective scan of u (module docstring for the formulas and the algorithm).

    Arguments:
        u, delta: (b, d, l) real, l >= 1. A: (d, n) real or complex.
        B, C: each (d, n), (b, n, l) or (b, g, n, l) with d % g == 0; complex only if A is.
        D, delta_bias: (d,) real or None. z: (b, d, l) real or None (gate silu(z)).
        delta_softplus: apply softplus to delta (after adding delta_bias).
        discretization: ``"mamba"`` (Bbar = delta B) or ``"zoh"`` (exact).
        mode: ``"sequential"`` or ``"parallel"``; they agree to rounding.
        All real tensors share one dtype (float64/float32/bfloat16/float16), complex ones
        are its complex counterpart (complex128 / complex64), one device, finite.

    Returns:
        y: (b, d, l) in the real input dtype (computed in float32 for bf16/fp16/fp32 and in
        float64 for float64).

    Raises:
        InvalidTypeError / InvalidArgumentError before any work: non-tensors, integer or
        mixed dtypes, complex u/delta/D/z/delta_bias, complex B/C with real A, shapes,
        groups not dividing d, NaN/inf, devices, unknown mode/discretization, a
        non-bool delta_softplus, a size above ``kernel_elements``; InvalidArgumentError
        after it if the output overflowed the dtype.
    """
    p = _check(
        "selective_scan", u, delta, A, B, C, D, z, delta_bias, delta_softplus, discretization
    )
    mode = require_choice("mode", mode, SELECTIVE_MODES)
    _require_size("selective_scan", p, mode)
    y, _ = _run(p, None, mode)
    require_finite_result(f"selective_scan ({mode})", y, lambda: _growth(p))
    return y


def selective_step(
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
) -> tuple[torch.Tensor, torch.Tensor]:
    """One decoding step of ``selective_scan``: x = Abar x_prev + Bbar u, y = C x (+ D u,
    * silu(z)), with the same formulas, code and rounding as one step of the scan (pure:
    ``state`` is never modified).

    Arguments:
        state: (b, d, n) x_prev, real (complex when A is complex) in the call's dtype or
            its compute dtype. u, delta, z: (b, d). A: (d, n). B, C: (d, n), (b, n) or
            (b, g, n). D, delta_bias: (d,). Other arguments as in ``selective_scan``.

    Returns:
        (y, new_state): y (b, d) in the real input dtype; new_state (b, d, n) in the compute
        dtype (float32 / complex64 for bf16, fp16 and fp32 calls, float64 / complex128 for
        float64): the state is carried at the accumulation precision, so that decoding
        token by token reproduces ``selective_scan(mode="sequential")`` to a few units in
        the last place of the compute dtype. The step runs the scan's code on the same
        time-major row layout; it is bit-identical where each row of b d and b d n
        elements is a whole number of the CPU's vectors (torch's elementwise kernels round
        a row's vectorised body and its scalar tail differently, e.g. exp).

    Raises:
        As ``selective_scan`` (with the step shapes), and InvalidTypeError for a state of
        another precision or a complex state with real A.
    """
    state = as_tensor("state", state)
    # u, delta, z, B, C: finiteness screened once, by _check (they reach it reshaped)
    u, delta = unscreened("u", u), unscreened("delta", delta)
    z = optional("z", z, screened=False)
    for name, value in (("u", u), ("delta", delta), ("z", z)):
        if value is not None and value.dim() != 2:
            raise InvalidArgumentError(
                f"selective_step: {name} must have shape (b, d), got {tuple(value.shape)}"
            )
    B, C = unscreened("B", B), unscreened("C", C)
    B_t, C_t = (_step_layout(name, value, u, A) for name, value in (("B", B), ("C", C)))
    p = _check(
        "selective_step",
        u[..., None],
        delta[..., None],
        A,
        B_t,
        C_t,
        D,
        None if z is None else z[..., None],
        delta_bias,
        delta_softplus,
        discretization,
    )
    b, d, n = p.b, p.d, p.n
    require_shape("selective_step", "state", state, (b, d, n), "(b, d, n)")
    prec = p.precision
    if state.is_complex():
        if not p.complex_state or state.dtype != prec.complex:
            raise InvalidTypeError(
                f"selective_step: state is {state.dtype}; expected {prec.complex} (complex A) or "
                f"a real state of {prec.dtype} / {prec.real}"
                if p.complex_state
                else f"selective_step: state is complex ({state.dtype}) but A is real"
            )
    elif state.dtype not in (prec.dtype, prec.real):
        raise InvalidTypeError(
            f"selective_step: state is {state.dtype}; expected {prec.dtype} or the compute "
            f"dtype {prec.real}"
        )
    require_same_device("selective_step", state=state, u=u)
    _require_size("selective_step", p, "sequential")
    work = prec.complex if p.complex_state else prec.real
    y, new_state = _run(p, state.to(work), "sequential")
    require_finite_result("selective_step", (y, new_state), lambda: _growth(p))
    return y[..., 0], new_state


# ---------------------------------------------------------------------------------------
# checks
# ---------------------------------------------------------------------------------------


def _step_layout(name: str, value: torch.Tensor, u: torch.Tensor, A: Any) -> torch.Tensor:
    """A step's B/C in the scan's layouts: (d, n) stays constant, (b, n) and (b, g, n)
    gain a time axis of length 1. A 2-D tensor is (b, n) or (d, n) by its first dimension;
    with b == d > 1 that is ambiguous and refused (pass (b, 1, n) for per-step values, or
    the constant expanded to (b, d, n): d groups of one channel); with b == d == 1 both
    readings are the same map."""
    if value.dim() != 2:
        return value[..., None]
    b, d = u.shape
    if b == d > 1:
        raise InvalidArgumentError(
            f"selective_step: {name} of shape {tuple(value.shape)} is ambiguous with b = d = "
            f"{b} (per step (b, n) or constant (d, n)?); pass per-step values as (b, 1, n) or "
            "a constant as (b, d, n) (d groups of one channel)"
        )
    return value[..., None] if value.shape[0] == b else value


class _Problem:
    """The validated arguments of one call (original tensors, not yet converted)."""

    def __init__(self, **fields: Any) -> None:
        self.__dict__.update(fields)


def _layout(family: str, name: str, value: torch.Tensor, b: int, d: int, n: int, L: int) -> int:
    """The group count of B/C: 0 for the (d, n) constant layout, else g (1 if ungrouped)."""
    shape = tuple(value.shape)
    if value.dim() == 2:
        require_shape(family, name, value, (d, n), "(d, n)")
        return 0
    if value.dim() == 3:
        require_shape(family, name, value, (b, n, L), "(b, n, l)")
        return 1
    if value.dim() == 4:
        g = shape[1]
        if g < 1 or d % g:
            raise InvalidArgumentError(
                f"{family}: {name} has {g} groups, which must divide the d = {d} channels"
            )
        require_shape(family, name, value, (b, g, n, L), "(b, g, n, l)")
        return g
    raise InvalidArgumentError(
        f"{family}: {name} must be (d, n), (b, n, l) or (b, g, n, l), got shape {shape}"
    )


def _check(
    family: str,
    u: Any,
    delta: Any,
    A: Any,
    B: Any,
    C: Any,
    D: Any,
    z: Any,
    delta_bias: Any,
    delta_softplus: Any,
    discretization: Any,
) -> _Problem:
    u = unscreened("u", u)  # finiteness: one screen of every tensor below
    if u.dim() != 3 or 0 in u.shape:
        raise InvalidArgumentError(
            f"{family}: u must have shape (b, d, l) with b, d, l >= 1, got {tuple(u.shape)}"
        )
    b, d, L = u.shape
    delta, A = unscreened("delta", delta), unscreened("A", A)
    require_shape(family, "delta", delta, (b, d, L), "(b, d, l)")
    if A.dim() != 2 or A.shape[0] != d or A.shape[1] < 1:
        raise InvalidArgumentError(
            f"{family}: A must have shape (d, n) with d = {d}, n >= 1, got {tuple(A.shape)}"
        )
    n = A.shape[1]
    B, C = unscreened("B", B), unscreened("C", C)
    groups_B = _layout(family, "B", B, b, d, n, L)
    groups_C = _layout(family, "C", C, b, d, n, L)
    D = optional("D", D, screened=False)
    z = optional("z", z, screened=False)
    delta_bias = optional("delta_bias", delta_bias, screened=False)
    if D is not None:
        require_shape(family, "D", D, (d,), "(d,)")
    if delta_bias is not None:
        require_shape(family, "delta_bias", delta_bias, (d,), "(d,)")
    if z is not None:
        require_shape(family, "z", z, (b, d, L), "(b, d, l)")
    if not isinstance(delta_softplus, bool):
        raise InvalidTypeError(
            f"{family}: delta_softplus must be a bool, got {type(delta_softplus).__name__}"
        )
    discretization = require_choice("discretization", discretization, SELECTIVE_DISCRETIZATIONS)
    precision = call_precision(
        family,
        {"u": u, "delta": delta, "D": D, "z": z, "delta_bias": delta_bias},
        {"A": A, "B": B, "C": C},
    )
    for name, value in (("B", B), ("C", C)):
        if value.is_complex() and not A.is_complex():
            raise InvalidTypeError(f"{family}: {name} is complex but A is real")
    require_finite(u=u, delta=delta, A=A, B=B, C=C, D=D, z=z, delta_bias=delta_bias)
    groups = math.lcm(max(groups_B, 1), max(groups_C, 1))
    return _Problem(
        u=u, delta=delta, A=A, B=B, C=C, D=D, z=z, delta_bias=delta_bias,
        softplus=delta_softplus, zoh=discretization == "zoh", precision=precision,
        b=b, d=d, n=n, L=L, groups=groups, complex_state=A.is_complex(),
    )  # fmt: skip


def _block(p: _Problem) -> int:
    """Steps per time block: cache-sized on the CPU, launch-count-sized elsewhere."""
    elements = _BLOCK_ELEMENTS if p.u.device.type == "cpu" else _ACCELERATOR_BLOCK_ELEMENTS
    return min(p.L, max(_MIN_BLOCK, elements // (p.b * p.d * p.n)))


def _require_size(family: str, p: _Problem, mode: str) -> None:
    largest = max(_block(p) * p.b * p.d * p.n, p.b * p.d * p.L)
    charge = SEQUENTIAL_STEP_CHARGE * p.L if mode == "sequential" else 0
    require_elements(
        f"{family} ({mode}): elements of its largest tensor (block x b x d x n or b x d x l)"
        + (f" + {SEQUENTIAL_STEP_CHARGE} per sequential step" if charge else ""),
        largest + charge,
    )


def _growth(p: _Problem) -> str:
    rate = (p.delta.detach().to(torch.float64).amax() * p.A.detach().real.to(torch.float64)).amax()
    return f"max(delta Re A) = {float(rate):.6g}: the state may grow like exp({float(rate):.3g} t)"


# ---------------------------------------------------------------------------------------
# the computation
# ---------------------------------------------------------------------------------------


def softplus(x: torch.Tensor) -> torch.Tensor:
    """log(1 + e^x) = max(x, 0) + log1p(exp(-|x|)): no overflow, no threshold."""
    return x.clamp(min=0) + torch.log1p(torch.exp(-x.abs()))


class _Rows:
    """Time-major (T, ...) copies of blocks of a (..., l)-last tensor, made in one reused
    buffer (a copy converts the dtype and transposes in one pass; per-block buffers stay
    small, so no call allocates -- and page-faults -- a fresh tensor of length l)."""

    def __init__(self, value: torch.Tensor, T: int, dtype: torch.dtype) -> None:
        self.value = value
        self.buffer = torch.empty((T, *value.shape[:-1]), dtype=dtype, device=value.device)

    def __call__(self, t0: int, t1: int) -> torch.Tensor:
        out = self.buffer[: t1 - t0]
        return out.copy_(self.value[..., t0:t1].movedim(-1, 0))


def _B_or_C(value: torch.Tensor, groups: int, T: int, work: torch.dtype):
    """B or C for a block [t0, t1), broadcastable to (T, b, groups, n, d/groups)."""
    dtype = value.dtype if value.is_complex() else work
    if value.dim() == 2:  # (d, n) -> (1, 1, groups, n, d/groups), the same for every block
        constant = value.to(dtype).unflatten(0, (groups, -1)).transpose(-1, -2).contiguous()
        return lambda t0, t1: constant[None, None]
    rows = _Rows(value, T, dtype)
    if value.dim() == 3:  # (b, n, l) -> (T, b, 1, n, 1)
        return lambda t0, t1: rows(t0, t1)[:, :, None, :, None]
    repeat = groups // value.shape[1]  # (b, g, n, l) -> (T, b, groups, n, 1)
    if repeat == 1:
        return lambda t0, t1: rows(t0, t1)[..., None]
    return lambda t0, t1: rows(t0, t1).repeat_interleave(repeat, dim=2)[..., None]


def _run(p: _Problem, state: torch.Tensor | None, mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(y (b, d, l) in the input dtype, final state (b, d, n) in the compute dtype).

    Layout: time-major buffers (T, b, groups, n, d/groups), channels innermost (64
    contiguous channels vectorise better than 16 states, and the sum over the states is
    an outer reduction). Everything per (b, d, l) -- bias, softplus, delta u, D u, the
    gate -- runs block by block on time-major (T, b, d) rows, so one decoding step
    (l = 1) sees the same rows in the same memory layout as the scan.
    """
    prec: Precision = p.precision
    real, G = prec.real, p.groups
    work = prec.complex if p.complex_state else real
    b, d, n, L = p.b, p.d, p.n, p.L
    T = _block(p)
    device = p.u.device
    A = p.A.to(work).unflatten(0, (G, -1)).transpose(-1, -2).contiguous()  # (G, n, d/G)
    bias = None if p.delta_bias is None else p.delta_bias.to(real)
    D = None if p.D is None else p.D.to(real)
    u_rows, delta_rows = _Rows(p.u, T, real), _Rows(p.delta, T, real)
    z_rows = None if p.z is None else _Rows(p.z, T, real)
    B_of, C_of = (_B_or_C(v, G, T, real) for v in (p.B, p.C))
    complex_C = p.complex_state and not p.C.is_complex()

    a_buf = torch.empty((T, b, G, n, d // G), dtype=work, device=device)
    x_buf = torch.empty_like(a_buf)
    y = torch.empty((b, d, L), dtype=prec.dtype, device=device)
    plans = {}  # the parallel scan's views, cut once per block length
    carry = None if state is None else state.unflatten(1, (G, -1)).transpose(-1, -2).contiguous()
    for t0 in range(0, L, T):
        t1 = min(L, t0 + T)
        a, x = a_buf[: t1 - t0], x_buf[: t1 - t0]
        u, delta = u_rows(t0, t1), delta_rows(t0, t1)  # (T, b, d)
        if bias is not None:
            delta.add_(bias)
        if p.softplus:
            delta = softplus(delta)
        du = delta * u
        # (T, b, G, 1, d/G): broadcast against the (T, b, G, n, d/G) buffers
        delta_t = delta.unflatten(2, (G, -1))[:, :, :, None, :]
        du_t = du.unflatten(2, (G, -1))[:, :, :, None, :]
        Bb = B_of(t0, t1)
        torch.mul(delta_t, A, out=a)  # delta A
        if p.zoh:
            # Bbar u = delta u phi(delta A) B with phi(w) = expm1(w) / w, phi(0) = 1
            zero = a == 0
            torch.expm1(a, out=x)
            x.div_(torch.where(zero, torch.ones_like(a), a)).masked_fill_(zero, 1)
            x.mul_(du_t).mul_(Bb)
        else:
            torch.mul(du_t, Bb, out=x)
        a.exp_()
        if carry is not None:
            x[0].addcmul_(a[0], carry)
        if mode == "parallel":
            if t1 - t0 not in plans:
                plans[t1 - t0] = parallel_scan_plan(a, x)
            plans[t1 - t0]()
        else:
            sequential_scan_(a, x)
        carry = x[-1].clone()
        # y_t = sum_n C_t x_t: one product into the free decay buffer, one outer sum (a
        # batched matmul of T tiny matrices is ~10x slower on the CPU)
        Cb = C_of(t0, t1)
        y_blk = torch.mul(x, Cb.to(work) if complex_C else Cb, out=a).sum(-2).flatten(2)
        if p.complex_state:
            y_blk = 2 * y_blk.real
        if D is not None:
            y_blk.addcmul_(D, u)
        if z_rows is not None:
            y_blk.mul_(torch.nn.functional.silu(z_rows(t0, t1)))
        y[:, :, t0:t1] = y_blk.permute(1, 2, 0)
    return y, carry.transpose(-1, -2).flatten(1, 2)
