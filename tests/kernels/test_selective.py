"""Selective-scan torch kernels (``selective_scan``, ``selective_step``, ``ssd``, ``s5_scan``)
against plain float64 loops written here from the spec's formulas (an independent route:
one step at a time, no associative scan, no segsum, no blocks, every group index spelled
out), and against each other (modes, chunk sizes, blocks, step vs scan).

Errors are measured relative to each output channel's max-norm (the oracles' convention).
Mixed precision: bf16/fp16 inputs are computed in float32 and returned in the input dtype;
the truth is the float64 loop on the same (already rounded) input values, and a loop that
accumulates in bf16 itself is shown to be measurably worse.
"""

from __future__ import annotations

import itertools

import pytest
import torch
from helpers import DEVICES

import hippo_verify
from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.kernels import s5_scan, selective_scan, selective_step, ssd
from hippo_verify.kernels import selective as selective_module
from hippo_verify.kernels._assoc_scan import parallel_scan_, sequential_scan_

F64, F32, BF16, F16 = torch.float64, torch.float32, torch.bfloat16, torch.float16
C128, C64 = torch.complex128, torch.complex64


# ---------------------------------------------------------------------------------------
# references: the spec's formulas, one step at a time, in float64 / complex128
# ---------------------------------------------------------------------------------------


def reference_selective(
    u, delta, A, B, C, D=None, z=None, delta_bias=None, softplus=False, zoh=False, dtype=F64
):
    """y (b, d, l) by the spec's loop; every tensor upcast to ``dtype`` (complex if A is)."""
    cplx = A.is_complex()
    work = (C128 if dtype == F64 else torch.complex64) if cplx else dtype
    u, delta = u.to(dtype), delta.to(dtype)
    A = A.to(work)
    b, d, L = u.shape
    n = A.shape[1]
    if delta_bias is not None:
        delta = delta + delta_bias.to(dtype)[:, None]
    if softplus:
        delta = torch.log1p(torch.exp(delta))

    def at(M, t, i, k):  # B_t or C_t of channel i of batch k: (n,)
        if M.dim() == 2:
            return M[i].to(work)
        if M.dim() == 3:
            return M[k, :, t].to(work)
        g = M.shape[1]
        return M[k, i // (d // g), :, t].to(work)

    y = torch.zeros(b, d, L, dtype=dtype)
    for k in range(b):
        for i in range(d):
            x = torch.zeros(n, dtype=work)
            for t in range(L):
                dA = delta[k, i, t] * A[i]
                Bt = at(B, t, i, k)
                if zoh:
                    nonzero = A[i] != 0
                    safe = torch.where(nonzero, A[i], torch.ones_like(A[i]))
                    Bbar = torch.where(nonzero, (torch.exp(dA) - 1) / safe, delta[k, i, t]) * Bt
                else:
                    Bbar = delta[k, i, t] * Bt
                x = torch.exp(dA) * x + Bbar * u[k, i, t]
                yt = (at(C, t, i, k) * x).sum()
                yt = 2 * yt.real if cplx else yt
                if D is not None:
                    yt = yt + D[i].to(dtype) * u[k, i, t]
                if z is not None:
                    zt = z[k, i, t].to(dtype)
                    yt = yt * zt * torch.sigmoid(zt)
                y[k, i, t] = yt
    return y


def reference_ssd(X, dt, A, B, C, D=None):
    X, dt, A, B, C = (v.to(F64) for v in (X, dt, A, B, C))
    b, L, h, p = X.shape
    g, n = B.shape[2:]
    y = torch.zeros(b, L, h, p, dtype=F64)
    for k in range(b):
        for i in range(h):
            grp = i // (h // g)
            H = torch.zeros(p, n, dtype=F64)
            for t in range(L):
                H = torch.exp(dt[k, t, i] * A[i]) * H + dt[k, t, i] * torch.outer(
                    X[k, t, i], B[k, t, grp]
                )
                y[k, t, i] = H @ C[k, t, grp]
                if D is not None:
                    y[k, t, i] += D[i].to(F64) * X[k, t, i]
    return y


def reference_s5(Lambda, B, C, u, delta, D=None, zoh=True, conj_sym=True):
    Lambda, B, C = (v.to(C128) for v in (Lambda, B, C))
    u, delta = u.to(F64), delta.to(F64)
    if zoh:
        Lbar = torch.exp(Lambda * delta)
        Bbar = ((Lbar - 1) / Lambda)[:, None] * B
    else:
        Lbar = (1 + Lambda * delta / 2) / (1 - Lambda * delta / 2)
        Bbar = (delta / (1 - Lambda * delta / 2))[:, None] * B
    b, L, H = u.shape
    y = torch.zeros(b, L, H, dtype=F64)
    for k in range(b):
        x = torch.zeros(Lambda.shape[0], dtype=C128)
        for t in range(L):
            x = Lbar * x + Bbar @ u[k, t].to(C128)
            out = C @ x
            y[k, t] = 2 * out.real if conj_sym else out.real
            if D is not None:
                y[k, t] += D.to(F64) * u[k, t]
    return y


def channel_error(got: torch.Tensor, want: torch.Tensor, time_dim: int = -1) -> float:
    """max |got - want| relative to each channel's max-norm over time (the global max-norm
    for channels whose output is ~0)."""
    got, want = got.to(F64).cpu(), want.to(F64).cpu()
    scale = want.abs().amax(dim=time_dim, keepdim=True)
    scale = torch.maximum(scale, want.abs().max() * 2.0**-40)
    return float(((got - want).abs() / scale).max())


# ---------------------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------------------


def _gen(seed):
    return torch.Generator().manual_seed(seed)


def selective_inputs(
    b=2, d=4, n=3, L=11, *, layout_B="step", layout_C="const", cplx=False, dtype=F64, seed=0
):
    """Mamba-like inputs: delta in [1e-3, 0.2], A = -exp(.) in [-8, -0.5] (S4D-real-like) or
    S4D-style complex, B/C in the requested layouts (grouped: g = 2)."""
    g = _gen(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=g, dtype=F64)

    u = rand(b, d, L)
    delta = 1e-3 + 0.2 * torch.rand(b, d, L, generator=g, dtype=F64)
    A = -torch.exp(torch.rand(d, n, generator=g, dtype=F64) * 2.8 - 0.7)
    if cplx:
        A = torch.complex(A / 4, 3 * rand(d, n))

    def layout(kind):
        shape = {"const": (d, n), "step": (b, n, L), "grouped": (b, 2, n, L)}[kind]
        value = rand(*shape)
        if cplx and kind != "step":  # per-step real B/C with complex A is allowed too
            value = torch.complex(value, rand(*shape))
        return value

    tensors = [u, delta, A, layout(layout_B), layout(layout_C)]
    complex_dtype = C128 if dtype == F64 else C64
    return [t.to(complex_dtype if t.is_complex() else dtype) for t in tensors]


def extras(d, b, L, dtype=F64, seed=1):
    g = _gen(seed)
    D = torch.randn(d, generator=g, dtype=F64).to(dtype)
    z = torch.randn(b, d, L, generator=g, dtype=F64).to(dtype)
    bias = torch.log(torch.expm1(torch.full((d,), 0.05, dtype=F64))).to(dtype)  # softplus^-1
    return D, z, bias


# ---------------------------------------------------------------------------------------
# the associative scan itself
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("T", [*range(1, 20), 31, 32, 33, 64, 100])
def test_parallel_scan_equals_sequential_for_every_length(T):
    """Every shape of the up/down-sweep tree (powers of two and not) gives the recurrence."""
    g = _gen(T)
    a = 0.5 + torch.rand(T, 3, generator=g, dtype=F64) / 2
    b = torch.randn(T, 3, generator=g, dtype=F64)
    want = b.clone()
    for t in range(1, T):
        want[t] = a[t] * want[t - 1] + want[t]
    assert torch.allclose(sequential_scan_(a.clone(), b.clone()), want, rtol=1e-15, atol=1e-15)
    got = parallel_scan_(a.clone(), b.clone())
    assert torch.allclose(got, want, rtol=1e-13, atol=1e-13 * float(want.abs().max()))


def test_parallel_scan_broadcast_decay():
    """A decay (T, 1, P) shared over the batch (S5's constant Lambda-bar)."""
    g = _gen(3)
    a = torch.rand(13, 1, 4, generator=g, dtype=F64)
    b = torch.randn(13, 2, 4, generator=g, dtype=F64)
    want = sequential_scan_(a.expand(13, 2, 4).clone(), b.clone())
    torch.testing.assert_close(parallel_scan_(a.clone(), b.clone()), want, rtol=1e-13, atol=1e-14)


# ---------------------------------------------------------------------------------------
# selective_scan vs the reference loop
# ---------------------------------------------------------------------------------------

LAYOUTS = [("const", "const"), ("step", "step"), ("grouped", "const"), ("step", "grouped")]


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize(("layout_B", "layout_C"), LAYOUTS)
def test_selective_scan_matches_reference(mode, discretization, cplx, layout_B, layout_C):
    inputs = selective_inputs(layout_B=layout_B, layout_C=layout_C, cplx=cplx)
    got = selective_scan(*inputs, discretization=discretization, mode=mode)
    want = reference_selective(*inputs, zoh=discretization == "zoh")
    assert got.dtype == F64 and got.shape == inputs[0].shape
    assert channel_error(got, want) < 1e-13


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
def test_selective_scan_D_z_bias_softplus(mode, cplx):
    u, delta, A, B, C = selective_inputs(layout_B="grouped", layout_C="step", cplx=cplx)
    D, z, bias = extras(4, 2, 11)
    delta = delta - 0.1  # projections around 0, softplus(. + bias) > 0
    got = selective_scan(u, delta, A, B, C, D, z, bias, True, mode=mode)
    want = reference_selective(u, delta, A, B, C, D, z, bias, softplus=True)
    assert channel_error(got, want) < 1e-13
    plain = selective_scan(u, delta, A, B, C, mode=mode)
    assert channel_error(plain, want) > 1e-2  # each extra matters


@pytest.mark.parametrize("L", [1, 2, 3, 7, 16, 33])
@pytest.mark.parametrize("mode", ["sequential", "parallel"])
def test_selective_scan_lengths(L, mode):
    inputs = selective_inputs(b=1, d=2, n=2, L=L, layout_B="step", layout_C="step")
    got = selective_scan(*inputs, mode=mode)
    assert channel_error(got, reference_selective(*inputs)) < 1e-13


@pytest.mark.parametrize("block", [1, 3, 8])
@pytest.mark.parametrize("mode", ["sequential", "parallel"])
def test_selective_scan_blocks_carry_the_state(monkeypatch, block, mode):
    """Blocks of 1, 3 and 8 steps (the carried state crosses every boundary, the last block
    is shorter) give the reference's output."""
    b, d, n = 2, 4, 3
    monkeypatch.setattr(selective_module, "_MIN_BLOCK", 1)
    monkeypatch.setattr(selective_module, "_BLOCK_ELEMENTS", block * b * d * n)
    inputs = selective_inputs(b, d, n, L=17, layout_B="grouped", layout_C="step", cplx=True)
    got = selective_scan(*inputs, discretization="zoh", mode=mode)
    assert channel_error(got, reference_selective(*inputs, zoh=True)) < 1e-13


def test_block_policy_by_device():
    """Cache-sized blocks on the CPU, one block per 2^25 state elements elsewhere (a GPU pays
    per launch): at the benchmark's 1 x 64 x 16 states, 128 steps vs the whole L = 16384."""

    def steps(device):
        u = torch.empty(1, 64, 16384, device=device)
        p = selective_module._Problem(u=u, b=1, d=64, n=16, L=16384)
        return selective_module._block(p)

    assert steps("cpu") == 128
    assert steps("meta") == 16384


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
def test_accelerator_blocks_on_the_cpu(monkeypatch, mode):
    """The accelerator's block size, run on the CPU (one block of L = 300 instead of 12-step
    blocks): the sequential loop is the same computation, bit for bit (the carried state
    enters as the loop's own fused multiply-add); the tree's rounding changes, within the
    float64 reference's tolerance."""
    inputs = selective_inputs(b=2, d=4, n=3, L=300, layout_B="step", layout_C="grouped", seed=3)
    D, z, bias = extras(4, 2, 300)
    monkeypatch.setattr(selective_module, "_MIN_BLOCK", 1)
    monkeypatch.setattr(selective_module, "_BLOCK_ELEMENTS", 12 * 2 * 4 * 3)
    blocked = selective_scan(*inputs, D, z, bias, True, mode=mode)
    monkeypatch.setattr(selective_module, "_BLOCK_ELEMENTS", 2**25)
    whole = selective_scan(*inputs, D, z, bias, True, mode=mode)
    if mode == "sequential":
        assert torch.equal(whole, blocked)
    truth = reference_selective(*inputs, D, z, bias, softplus=True)
    assert channel_error(whole, truth) < 1e-13


@pytest.mark.parametrize("name", ["u", "delta", "A", "B", "C", "D", "z", "delta_bias"])
@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_one_screen_names_the_nonfinite_tensor(name, bad):
    """Every tensor of a call is screened (one sum each, one sync for all): a NaN or an
    infinity planted in any of them is refused by name, before any work."""
    u, delta, A, B, C = selective_inputs(b=1, d=4, n=3, L=9, layout_B="step", layout_C="const")
    D, z, bias = extras(4, 1, 9)
    args = {"u": u, "delta": delta, "A": A, "B": B, "C": C, "D": D, "z": z, "delta_bias": bias}
    args[name] = args[name].clone()
    args[name].view(-1)[2] = bad
    with pytest.raises(InvalidArgumentError, match=f"^{name}: contains NaN or infinity"):
        selective_scan(**args)


def test_screen_overflowing_sum_is_a_false_alarm_only():
    """float32 entries whose sum overflows: the screen's sum is inf, the entries finite; the
    entrywise check clears them (and +inf with -inf, a NaN sum, is still refused)."""
    u, delta, A, B, C = selective_inputs(b=1, d=2, n=2, L=4, layout_B="const", layout_C="const")
    u, delta, A, B, C = (t.float() for t in (u, delta, A, B, C))
    big = torch.full_like(u, 3e38)
    assert not torch.isfinite(big.sum())
    selective_scan(big, delta, A, B, C, D=torch.zeros(2))  # no input error
    opposite = u.clone()
    opposite[0, 0, :2] = torch.tensor([float("inf"), -float("inf")])
    with pytest.raises(InvalidArgumentError, match="^u: contains NaN or infinity"):
        selective_scan(opposite, delta, A, B, C)


def test_parallel_equals_sequential_long():
    """L = 3000 with a slow decay: the tree and the loop agree to float64 rounding."""
    inputs = selective_inputs(b=1, d=3, n=4, L=3000, layout_B="step", layout_C="step", seed=7)
    seq = selective_scan(*inputs, mode="sequential")
    par = selective_scan(*inputs, mode="parallel")
    assert channel_error(par, seq) < 1e-12


def test_zoh_and_mamba_differ_and_agree_at_A_zero():
    """ZOH's B-bar differs from Mamba's delta B at order delta^2 A; at A = 0 they coincide
    (the ZOH limit), and a mode with A = 0 exactly is finite."""
    u, delta, A, B, C = selective_inputs(layout_B="step", layout_C="step")
    zoh = selective_scan(u, delta, A, B, C, discretization="zoh")
    mamba = selective_scan(u, delta, A, B, C, discretization="mamba")
    assert channel_error(zoh, mamba) > 1e-3
    A0 = A.clone()
    A0[:, 0] = 0
    got = selective_scan(u, delta, A0, B, C, discretization="zoh", mode="parallel")
    assert channel_error(got, reference_selective(u, delta, A0, B, C, zoh=True)) < 1e-13
    zero = torch.zeros_like(A)
    torch.testing.assert_close(
        selective_scan(u, delta, zero, B, C, discretization="zoh"),
        selective_scan(u, delta, zero, B, C, discretization="mamba"),
        rtol=1e-15,
        atol=1e-15,
    )


def test_complex_A_is_twice_the_real_part():
    """Complex A: y = 2 Re(C x) (conjugate pairs), checked against the full system of both
    halves of each pair, written as 2 n complex modes with the real part taken."""
    u, delta, A, B, C = selective_inputs(layout_B="const", layout_C="const", cplx=True)
    got = selective_scan(u, delta, A, B, C)
    A2, B2, C2 = (torch.cat([M, M.conj()], dim=1) for M in (A, B, C))
    full = reference_selective(u, delta, A2, B2, C2) / 2  # the reference doubles: undo
    assert channel_error(got, full) < 1e-13


# ---------------------------------------------------------------------------------------
# selective_step
# ---------------------------------------------------------------------------------------


def _decode(inputs, D=None, z=None, bias=None, softplus=False, discretization="mamba"):
    u, delta, A, B, C = inputs
    b, d, L = u.shape
    state = torch.zeros(b, d, A.shape[1], dtype=A.dtype if A.is_complex() else u.dtype)
    outputs = []
    for t in range(L):
        Bt = B if B.dim() == 2 else B[..., t]
        Ct = C if C.dim() == 2 else C[..., t]
        zt = None if z is None else z[..., t]
        before = state.clone()
        y, new = selective_step(
            state, u[..., t], delta[..., t], A, Bt, Ct, D, zt, bias, softplus,
            discretization=discretization,
        )  # fmt: skip
        assert torch.equal(state, before)  # pure
        outputs.append(y)
        state = new
    return torch.stack(outputs, -1), state


@pytest.mark.parametrize("dtype", [F64, F32])
@pytest.mark.parametrize("cplx", [False, True], ids=["real", "complex"])
@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
def test_step_token_by_token_equals_scan(dtype, cplx, discretization):
    inputs = selective_inputs(b=2, d=6, n=3, L=9, layout_B="grouped", cplx=cplx, dtype=dtype)
    inputs[4] = torch.randn(2, 3, 9, generator=_gen(5), dtype=F64).to(dtype)  # C per step
    D, z, bias = extras(6, 2, 9, dtype)
    kw = {"D": D, "z": z, "delta_bias": bias, "delta_softplus": True}
    scan = selective_scan(*inputs, **kw, discretization=discretization)
    steps, last = _decode(inputs, D, z, bias, True, discretization)
    assert steps.dtype == dtype
    u = torch.finfo(dtype).eps
    assert channel_error(steps, scan) <= 8 * u
    # the final state is the one the scan ends in: one more step with u = 0 decays it
    assert last.shape == (2, 6, 3)


def test_step_is_bit_identical_to_the_scan_in_float64():
    """Real float64 with vector-aligned rows (b d = 16, b d n = 256): every operation of a
    step is the scan's on the same row layout, so the outputs are the same bits."""
    inputs = selective_inputs(b=2, d=8, n=16, L=5, layout_B="step", layout_C="step")
    D, z, bias = extras(8, 2, 5)
    scan = selective_scan(*inputs, D, z, bias, True, discretization="zoh")
    steps, _ = _decode(inputs, D, z, bias, True, "zoh")
    assert torch.equal(steps, scan)


def test_step_continues_a_scan():
    """scan(first half) -> state -> steps over the second half = scan of the whole."""
    inputs = selective_inputs(b=1, d=3, n=2, L=10, layout_B="step", layout_C="const")
    whole = selective_scan(*inputs)
    u, delta, A, B, C = inputs
    state = torch.zeros(1, 3, 2, dtype=F64)
    for t in range(10):
        y, state = selective_step(state, u[..., t], delta[..., t], A, B[..., t], C)
        torch.testing.assert_close(y, whole[..., t], rtol=1e-14, atol=1e-14)


def test_step_low_precision_keeps_a_float32_state():
    inputs = selective_inputs(b=1, d=3, n=2, L=1, layout_B="step", layout_C="step", dtype=BF16)
    u, delta, A, B, C = inputs
    y, state = selective_step(torch.zeros(1, 3, 2, dtype=BF16), u[..., 0], delta[..., 0], A,
                              B[..., 0], C[..., 0])  # fmt: skip
    assert y.dtype == BF16 and state.dtype == F32


def test_step_two_dimensional_B_is_ambiguous_when_b_equals_d():
    u = torch.ones(2, 2, dtype=F64)
    with pytest.raises(InvalidArgumentError, match="ambiguous"):
        selective_step(torch.zeros(2, 2, 3, dtype=F64), u, u, -torch.ones(2, 3, dtype=F64),
                       torch.ones(2, 3, dtype=F64), torch.ones(2, 3, dtype=F64))  # fmt: skip


# ---------------------------------------------------------------------------------------
# mixed precision
# ---------------------------------------------------------------------------------------


def bf16_accumulating_loop(u, delta, A, B, C):
    """The same loop computed entirely in the inputs' low precision (the bug mixed
    precision exists to avoid): the state is rounded to bf16 at every step."""
    return reference_selective(u, delta, A, B, C, dtype=u.dtype)


@pytest.mark.parametrize("dtype", [BF16, F16])
@pytest.mark.parametrize("mode", ["sequential", "parallel"])
def test_mixed_precision_returns_input_dtype_and_beats_low_precision_accumulation(dtype, mode):
    """bf16/fp16 in: float32 arithmetic, output rounded once to the input dtype. Its error
    against the float64 loop on the same input values is about one rounding of the output
    (u = 2^-8 bf16, 2^-11 fp16), while the loop that accumulates in the low precision is at
    least 4x worse here (L = 128, slow decays: the state sums ~100 rounded terms)."""
    inputs = selective_inputs(b=1, d=4, n=4, L=128, layout_B="step", layout_C="step", dtype=dtype)
    inputs[1] = (inputs[1].to(F64) / 8).to(dtype)  # slow decay: long memory
    got = selective_scan(*inputs, mode=mode)
    assert got.dtype == dtype
    truth = reference_selective(*inputs)
    ours = channel_error(got, truth)
    low = channel_error(bf16_accumulating_loop(*inputs), truth)
    unit = torch.finfo(dtype).eps / 2
    assert ours <= 1.5 * unit
    assert low >= 4 * ours, (ours, low)


@pytest.mark.parametrize("dtype", [BF16, F16])
def test_mixed_precision_ssd_and_s5(dtype):
    X, dt, A, B, C = ssd_inputs(L=40, dtype=dtype)
    got = ssd(X, dt, A, B, C, mode="chunked", chunk_size=16)
    assert got.dtype == dtype
    unit = torch.finfo(dtype).eps / 2
    assert channel_error(got, reference_ssd(X, dt, A, B, C), time_dim=1) <= 1.5 * unit
    Lambda, Bs, Cs, u, delta = s5_inputs(L=40, dtype=dtype)
    y = s5_scan(Lambda, Bs, Cs, u, delta, mode="parallel")
    assert y.dtype == dtype
    assert channel_error(y, reference_s5(Lambda, Bs, Cs, u, delta), time_dim=1) <= 1.5 * unit


@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
def test_float32_accuracy(discretization):
    """float32 at Mamba's small steps (delta in [1e-3, 1e-2]: |delta A| ~ 1e-3, where
    exp(z) - 1 instead of expm1(z) would lose three digits of ZOH's B-bar)."""
    inputs = selective_inputs(b=1, d=4, n=4, L=200, layout_B="step", layout_C="step")
    inputs[1] = 1e-3 + inputs[1] / 20
    inputs = [t.to(C64 if t.is_complex() else F32) for t in inputs]
    truth = reference_selective(*inputs, zoh=discretization == "zoh")
    for mode in ("sequential", "parallel"):
        got = selective_scan(*inputs, discretization=discretization, mode=mode)
        assert channel_error(got, truth) < 2e-6


# ---------------------------------------------------------------------------------------
# SSD
# ---------------------------------------------------------------------------------------


def ssd_inputs(b=2, L=13, h=4, p=3, g=2, n=5, dtype=F64, seed=0):
    gen = _gen(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=gen, dtype=F64).to(dtype)

    X, B, C = rand(b, L, h, p), rand(b, L, g, n), rand(b, L, g, n)
    dt = (1e-3 + 0.2 * torch.rand(b, L, h, generator=gen, dtype=F64)).to(dtype)
    A = (-torch.exp(torch.rand(h, generator=gen, dtype=F64) * 2.8 - 0.7)).to(dtype)
    return X, dt, A, B, C


SSD_CASES = [("sequential", 64), ("quadratic", 64)] + [("chunked", q) for q in (1, 3, 4, 13, 64)]


@pytest.mark.parametrize(("mode", "chunk"), SSD_CASES)
@pytest.mark.parametrize("L", [1, 13])
@pytest.mark.parametrize("g", [1, 2, 4])
def test_ssd_matches_reference(mode, chunk, L, g):
    X, dt, A, B, C = ssd_inputs(L=L, g=g)
    D = torch.randn(4, generator=_gen(2), dtype=F64)
    got = ssd(X, dt, A, B, C, D, mode=mode, chunk_size=chunk)
    assert got.shape == X.shape
    assert channel_error(got, reference_ssd(X, dt, A, B, C, D), time_dim=1) < 1e-13


def test_ssd_modes_agree_long():
    X, dt, A, B, C = ssd_inputs(b=1, L=300, h=2, p=2, g=1, n=4, seed=3)
    seq = ssd(X, dt, A, B, C, mode="sequential")
    for mode, q in [("quadratic", 64), ("chunked", 64), ("chunked", 37)]:
        assert channel_error(ssd(X, dt, A, B, C, mode=mode, chunk_size=q), seq, 1) < 1e-12


# ---------------------------------------------------------------------------------------
# S5
# ---------------------------------------------------------------------------------------


def s5_inputs(P=5, H=3, b=2, L=17, dtype=F64, seed=0):
    gen = _gen(seed)

    def rand(*shape):
        return torch.randn(*shape, generator=gen, dtype=F64)

    Lambda = torch.complex(-torch.rand(P, generator=gen, dtype=F64) - 0.1, 3 * rand(P))
    B = torch.complex(rand(P, H), rand(P, H))
    C = torch.complex(rand(H, P), rand(H, P))
    u = rand(b, L, H)
    delta = 0.01 + 0.2 * torch.rand(P, generator=gen, dtype=F64)
    work = C128 if dtype == F64 else C64
    return Lambda.to(work), B.to(work), C.to(work), u.to(dtype), delta.to(dtype)


@pytest.mark.parametrize("mode", ["sequential", "parallel"])
@pytest.mark.parametrize("discretization", ["zoh", "bilinear"])
@pytest.mark.parametrize("conj_sym", [True, False])
@pytest.mark.parametrize("L", [1, 17])
def test_s5_matches_reference(mode, discretization, conj_sym, L):
    Lambda, B, C, u, delta = s5_inputs(L=L)
    D = torch.randn(3, generator=_gen(4), dtype=F64)
    got = s5_scan(Lambda, B, C, u, delta, D, discretization=discretization,
                  conj_sym=conj_sym, mode=mode)  # fmt: skip
    want = reference_s5(Lambda, B, C, u, delta, D, discretization == "zoh", conj_sym)
    assert got.shape == u.shape
    assert channel_error(got, want, time_dim=1) < 1e-13


def test_s5_float32_modes_agree():
    Lambda, B, C, u, delta = s5_inputs(L=500, dtype=F32, seed=1)
    truth = reference_s5(Lambda, B, C, u, delta)
    for mode in ("sequential", "parallel"):
        assert channel_error(s5_scan(Lambda, B, C, u, delta, mode=mode), truth, 1) < 2e-5


# ---------------------------------------------------------------------------------------
# devices
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [F64, F32, BF16])
def test_devices(device, dtype):
    """Every kernel runs on the inputs' device and returns the input dtype there."""
    inputs = selective_inputs(L=9, layout_B="grouped", layout_C="step", dtype=dtype)
    want = reference_selective(*inputs)
    moved = [t.to(device) for t in inputs]
    tol = {F64: 1e-13, F32: 1e-5, BF16: 1e-2}[dtype]
    for mode in ("sequential", "parallel"):
        y = selective_scan(*moved, mode=mode)
        assert y.device.type == device and y.dtype == dtype
        assert channel_error(y, want) < tol
    state = torch.zeros(2, 4, 3, dtype=dtype, device=device)
    y, state = selective_step(state, moved[0][..., 0], moved[1][..., 0], moved[2],
                              moved[3][..., 0], moved[4][..., 0])  # fmt: skip
    assert y.device.type == device and state.device.type == device
    X, dt, A, B, C = (t.to(device) for t in ssd_inputs(dtype=dtype))
    for mode in ("sequential", "quadratic", "chunked"):
        y = ssd(X, dt, A, B, C, mode=mode, chunk_size=4)
        assert y.device.type == device and y.dtype == dtype
    Lambda, Bs, Cs, u, delta = (t.to(device) for t in s5_inputs(dtype=dtype))
    for mode in ("sequential", "parallel"):
        y = s5_scan(Lambda, Bs, Cs, u, delta, mode=mode)
        assert y.device.type == device and y.dtype == dtype


# ---------------------------------------------------------------------------------------
# bad input: refused before any work
# ---------------------------------------------------------------------------------------

_u, _delta, _A, _B, _C = selective_inputs(b=1, d=2, n=3, L=4, layout_B="step", layout_C="step")
_Ac = _A.to(C128)
_X, _dt, _Ah, _Bh, _Ch = ssd_inputs(b=1, L=4, h=2, p=2, g=1, n=3)
_Lam, _Bs, _Cs, _us, _ds = s5_inputs(P=2, H=2, b=1, L=4)


def _sel(**over):
    args = {"u": _u, "delta": _delta, "A": _A, "B": _B, "C": _C, **over}
    kw = {k: args.pop(k) for k in list(args) if k not in ("u", "delta", "A", "B", "C")}
    return lambda: selective_scan(args["u"], args["delta"], args["A"], args["B"], args["C"], **kw)


def _ssd(**over):
    args = {"X": _X, "dt": _dt, "A": _Ah, "B": _Bh, "C": _Ch, **over}
    kw = {k: args.pop(k) for k in list(args) if k not in ("X", "dt", "A", "B", "C")}
    return lambda: ssd(args["X"], args["dt"], args["A"], args["B"], args["C"], **kw)


def _s5(**over):
    args = {"Lambda": _Lam, "B": _Bs, "C": _Cs, "u": _us, "delta": _ds, **over}
    kw = {k: args.pop(k) for k in list(args) if k not in ("Lambda", "B", "C", "u", "delta")}
    return lambda: s5_scan(args["Lambda"], args["B"], args["C"], args["u"], args["delta"], **kw)


BAD = [
    ("selective u list", _sel(u=[[1.0]]), InvalidTypeError, "torch.Tensor"),
    ("selective u int", _sel(u=_u.long()), InvalidTypeError, "floating"),
    ("selective u 2-D", _sel(u=_u[0]), InvalidArgumentError, "(b, d, l)"),
    ("selective empty L", _sel(u=_u[..., :0]), InvalidArgumentError, "l >= 1"),
    ("selective delta shape", _sel(delta=_delta[..., :3]), InvalidArgumentError, "delta"),
    ("selective A shape", _sel(A=_A[:1]), InvalidArgumentError, "A must have shape"),
    ("selective B 5-D", _sel(B=_B[None, None]), InvalidArgumentError, "(b, g, n, l)"),
    (
        "selective groups",
        _sel(B=torch.ones(1, 3, 3, 4, dtype=F64)),
        InvalidArgumentError,
        "divide",
    ),  # fmt: skip
    ("selective complex B real A", _sel(B=_B.to(C128)), InvalidTypeError, "A is real"),
    ("selective complex u", _sel(u=_u.to(C128)), InvalidTypeError, "u must be real"),
    ("selective mixed dtypes", _sel(u=_u.float()), InvalidTypeError, "share one dtype"),
    ("selective complex64 with f64", _sel(A=_A.to(C64)), InvalidTypeError, "complex128"),
    ("selective NaN", _sel(u=_u.clone().fill_(float("nan"))), InvalidArgumentError, "NaN"),
    ("selective D shape", _sel(D=torch.ones(3, dtype=F64)), InvalidArgumentError, "D"),
    ("selective z shape", _sel(z=_u[..., :2]), InvalidArgumentError, "z"),
    (
        "selective bias shape",
        _sel(delta_bias=torch.ones(1, dtype=F64)),
        InvalidArgumentError,
        "delta_bias",
    ),  # fmt: skip
    ("selective softplus int", _sel(delta_softplus=1), InvalidTypeError, "bool"),
    ("selective mode", _sel(mode="blelloch"), InvalidArgumentError, "mode"),
    (
        "selective discretization",
        _sel(discretization="euler"),
        InvalidArgumentError,
        "discretization",
    ),  # fmt: skip
    (
        "selective overflow",
        _sel(A=torch.full((2, 3), 400.0, dtype=F64), delta=_delta + 1),
        InvalidArgumentError,
        "overflowed",
    ),  # fmt: skip
    ("ssd X 3-D", _ssd(X=_X[0]), InvalidArgumentError, "(b, l, h, p)"),
    ("ssd dt <= 0", _ssd(dt=-_dt), InvalidArgumentError, "dt must be > 0"),
    (
        "ssd groups",
        _ssd(B=torch.ones(1, 4, 3, 3, dtype=F64), C=torch.ones(1, 4, 3, 3, dtype=F64)),
        InvalidArgumentError,
        "divide",
    ),  # fmt: skip
    ("ssd C shape", _ssd(C=_Ch[:, :3]), InvalidArgumentError, "C must have shape"),
    ("ssd chunk 0", _ssd(chunk_size=0), InvalidArgumentError, "chunk_size"),
    ("ssd chunk float", _ssd(chunk_size=4.0), InvalidTypeError, "chunk_size"),
    ("ssd mode", _ssd(mode="parallel"), InvalidArgumentError, "mode"),
    ("ssd complex", _ssd(X=_X.to(C128)), InvalidTypeError, "real"),
    (
        "ssd overflow",
        _ssd(A=torch.full((2,), 1e3, dtype=F64), dt=_dt + 1),
        InvalidArgumentError,
        "overflowed",
    ),  # fmt: skip
    ("s5 Lambda 2-D", _s5(Lambda=_Lam[None]), InvalidArgumentError, "(P,)"),
    ("s5 B shape", _s5(B=_Bs[:1]), InvalidArgumentError, "B must have shape"),
    ("s5 delta <= 0", _s5(delta=-_ds), InvalidArgumentError, "delta must be > 0"),
    ("s5 conj_sym", _s5(conj_sym="yes"), InvalidTypeError, "bool"),
    ("s5 discretization", _s5(discretization="mamba"), InvalidArgumentError, "discretization"),
    ("s5 complex u", _s5(u=_us.to(C128)), InvalidTypeError, "u must be real"),
    ("s5 complex64 with f64", _s5(Lambda=_Lam.to(C64)), InvalidTypeError, "complex128"),
    (
        "s5 overflow",
        _s5(Lambda=_Lam.real.abs().to(C128) * 1e3, delta=_ds + 1),
        InvalidArgumentError,
        "overflowed",
    ),  # fmt: skip
]


@pytest.mark.parametrize(("name", "call", "error", "fragment"), BAD, ids=[c[0] for c in BAD])
def test_bad_input_is_refused(name, call, error, fragment):
    with pytest.raises(error) as caught:
        call()
    assert fragment in str(caught.value)


def test_half_inputs_with_complex_A_use_complex64():
    """A bf16 call's complex tensors are complex64 (no bf16 complex dtype)."""
    u, delta, A, B, C = selective_inputs(cplx=True, dtype=F32)
    got = selective_scan(u.bfloat16(), delta.bfloat16(), A, B.bfloat16(), C)  # B real per step
    assert got.dtype == BF16
    with pytest.raises(InvalidTypeError, match="complex64"):
        selective_scan(u.bfloat16(), delta.bfloat16(), A.to(C128), B.bfloat16(), C.to(C128))


@pytest.mark.parametrize(
    "call",
    [
        lambda: selective_scan(*selective_inputs(b=1, d=64, n=16, L=4096), mode="parallel"),
        lambda: selective_scan(*selective_inputs(b=1, d=2, n=2, L=4096)),
        lambda: ssd(*ssd_inputs(b=1, L=4096, h=4, p=2, g=1, n=2), mode="quadratic"),
        lambda: s5_scan(*s5_inputs(L=4096)),
    ],
    ids=["selective", "selective-sequential-steps", "ssd-quadratic", "s5"],
)
def test_sizes_beyond_the_ceiling_are_refused_before_work(call):
    with (
        hippo_verify.size_limits(kernel_elements=2**16),
        pytest.raises(InvalidArgumentError, match="kernel_elements"),
    ):
        call()


def test_cartesian_layouts_run():
    """Every pair of B/C layouts (constant, per step, grouped g = 1, 2, 4) with real and
    complex A agrees between the modes."""
    for (lb, lc), cplx in itertools.product(
        itertools.product(["const", "step", "grouped"], repeat=2), [False, True]
    ):
        inputs = selective_inputs(layout_B=lb, layout_C=lc, cplx=cplx, L=6)
        seq = selective_scan(*inputs)
        par = selective_scan(*inputs, mode="parallel")
        assert channel_error(par, seq) < 1e-13
