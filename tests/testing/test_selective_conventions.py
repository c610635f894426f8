"""The selective-scan convention adapters of ``hippo_verify.testing.conventions`` (section 9),
each against an independent route.

mamba_ssm (a CUDA build) is not installable here, so Mamba's functions are TRANSCRIPTIONS
written in this file from their documented semantics (the code of state-spaces/mamba:
``selective_scan_ref`` in mamba_ssm/ops/selective_scan_interface.py,
``selective_state_update_ref`` in mamba_ssm/ops/triton/selective_state_update.py and
``ssd_minimal_discrete``, the Mamba-2 paper's Listing 1, in mamba_ssm/modules/
ssd_minimal.py), in the input precision (the real ``selective_scan_ref`` casts to float32
first; a convention map does not depend on the precision). mambapy's loop is transcribed
too (the installed package is graded in tests/thirdparty). Each map is compared in float64
with the project's kernels (and once with the mpmath oracle): exactly where the map is
exact (layouts, packing, round trips), to a few units of rounding where the two sides
order the same products differently (the tolerance is stated at each use). Each check is
shown to fail on a planted convention error (a ``*_mutant`` beside it).
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from hippo_verify import kernels, oracles
from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.testing import conventions as cv

F64, F32, BF16 = torch.float64, torch.float32, torch.bfloat16
C128 = torch.complex128
EPS = torch.finfo(F64).eps


def _gen(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _randn(g, *shape, dtype=F64) -> torch.Tensor:
    if dtype.is_complex:
        return torch.complex(_randn(g, *shape), _randn(g, *shape)).to(dtype)
    return torch.randn(*shape, generator=g, dtype=F64).to(dtype)


def _close(got: torch.Tensor, want: torch.Tensor, ulps: float) -> bool:
    """max |got - want| <= ulps eps max |want| (float64 eps): equal to rounding."""
    return bool((got - want).abs().max() <= ulps * EPS * want.abs().max())


def _system(seed: int, b=2, d=4, n=3, L=7, *, complex_A=False, layouts=("per_step", "const")):
    """A selective-scan input in our layout; B and C take the two given layouts
    ("const" (d, n), "per_step" (b, n, L), "grouped" (b, 2, n, L))."""
    g = _gen(seed)
    u, delta = _randn(g, b, d, L), 0.05 + 0.1 * torch.rand(b, d, L, generator=g, dtype=F64)
    A = -0.5 - torch.rand(d, n, generator=g, dtype=F64)
    values = F64
    if complex_A:
        A, values = torch.complex(A, 3 * _randn(g, d, n)), C128
    shapes = {"const": (d, n), "per_step": (b, n, L), "grouped": (b, 2, n, L)}
    B, C = (_randn(g, *shapes[kind], dtype=values) for kind in layouts)
    return {"u": u, "delta": delta, "A": A, "B": B, "C": C}


# ---------------------------------------------------------------------------------------
# Transcriptions of the third-party code (from their documented semantics)
# ---------------------------------------------------------------------------------------


def _step_values(V: torch.Tensor, t: int, d: int) -> torch.Tensor:
    """B or C at step t, broadcastable to (b, d, n): (d, n), (b, n, L), (b, g, n, L)."""
    if V.dim() == 2:
        return V[None]
    if V.dim() == 3:
        return V[:, None, :, t]
    return V[..., t].repeat_interleave(d // V.shape[1], dim=1)


def mamba_scan_ref(
    u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False,
    return_last_state=False,
):  # fmt: skip
    """Mamba's ``selective_scan_ref``: per-step complex B/C arrive as real pairs
    ``"... (L two)"`` and are unpacked with view_as_complex; x_t = exp(delta_t A) x_{t-1} +
    delta_t B_t u_t; y_t = C_t x_t (``y.real * 2`` when complex); + D u; * silu(z)."""
    b, d, L = u.shape
    if delta_bias is not None:
        delta = delta + delta_bias[:, None]
    if delta_softplus:
        delta = F.softplus(delta)
    if A.is_complex():
        B, C = (
            torch.view_as_complex(V.reshape(*V.shape[:-1], L, 2).contiguous())
            if V.dim() >= 3
            else V
            for V in (B, C)
        )
    x = torch.zeros(b, d, A.shape[1], dtype=A.dtype)
    ys = []
    for t in range(L):
        dt = delta[:, :, t, None]
        x = torch.exp(dt * A) * x + dt * _step_values(B, t, d) * u[:, :, t, None]
        y = (x * _step_values(C, t, d)).sum(-1)
        ys.append(2 * y.real if y.is_complex() else y)
    out = torch.stack(ys, dim=2)
    if D is not None:
        out = out + u * D[:, None]
    if z is not None:
        out = out * F.silu(z)
    return (out, x) if return_last_state else out


def mamba_state_update_ref(state, x, dt, A, B, C, D=None, z=None, dt_bias=None, dt_softplus=False):
    """Mamba's ``selective_state_update_ref``: (b, d, n) or head form (b, h, p, n); B/C
    (b, n) or (b, g, n), head i using group i // (h / g); state updated in place."""
    heads = state.dim() == 4
    S = state if heads else state[:, None]
    if not heads:
        x, dt, A = x[:, None], dt[:, None], A[None]
        D = None if D is None else D[None]
        dt_bias = None if dt_bias is None else dt_bias[None]
        z = None if z is None else z[:, None]
    if B.dim() == 2:
        B, C = B[:, None], C[:, None]
    per = S.shape[1] // B.shape[1]
    if dt_bias is not None:
        dt = dt + dt_bias
    if dt_softplus:
        dt = F.softplus(dt)
    B, C = B.repeat_interleave(per, dim=1), C.repeat_interleave(per, dim=1)
    S.copy_(S * torch.exp(dt[..., None] * A) + dt[..., None] * B[:, :, None, :] * x[..., None])
    out = torch.einsum("bhdn,bhn->bhd", S, C)
    if D is not None:
        out = out + x * D
    if z is not None:
        out = out * F.silu(z)
    return out if heads else out[:, 0]


def _segsum(x: torch.Tensor) -> torch.Tensor:
    """(..., T) -> (..., T, T): sum_{s < k <= t} x_k on and below the diagonal, -inf above."""
    T = x.shape[-1]
    lower = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
    terms = x[..., :, None].expand(*x.shape, T).masked_fill(~lower, 0)  # [k, s]: x_k if k > s
    sums = terms.cumsum(dim=-2)  # [t, s] = sum_{s < k <= t} x_k
    return sums.masked_fill(~torch.tril(torch.ones(T, T, dtype=torch.bool)), -math.inf)


def ssd_minimal_ref(X, A, B, C, block_len, *, sum_groups=False):
    """Mamba-2's ``ssd_minimal_discrete(X, A, B, C, block_len)`` (Listing 1): X (b, l, h, p)
    and A (b, l, h) pre-multiplied by dt; B, C per head (b, l, h, n), or (b, l, 1, n)
    broadcast. ``sum_groups``: the variant whose einsums name B/C's axis g and sum it."""
    b, L, h, p = X.shape
    X, A, B, C = (t.reshape(b, L // block_len, block_len, *t.shape[2:]) for t in (X, A, B, C))
    A = A.permute(0, 3, 1, 2)  # (b, h, c, l)
    A_cum = A.cumsum(-1)
    bc = "bclgn,bcsgn" if sum_groups else "bclhn,bcshn"
    Y_diag = torch.einsum(f"{bc},bhcls,bcshp->bclhp", C, B, torch.exp(_segsum(A)), X)
    decay = torch.exp(A_cum[..., -1:] - A_cum)
    if sum_groups:
        states = torch.einsum("bclgn,bhcl,bclhp->bcghpn", B, decay, X)
    else:
        states = torch.einsum("bclhn,bhcl,bclhp->bchpn", B, decay, X)
    states = torch.cat([torch.zeros_like(states[:, :1]), states], dim=1)
    chunk_decay = torch.exp(_segsum(F.pad(A_cum[..., -1], (1, 0))))
    if sum_groups:
        states = torch.einsum("bhzc,bcghpn->bzghpn", chunk_decay, states)[:, :-1]
        Y_off = torch.einsum("bclgn,bcghpn,bhcl->bclhp", C, states, torch.exp(A_cum))
    else:
        states = torch.einsum("bhzc,bchpn->bzhpn", chunk_decay, states)[:, :-1]
        Y_off = torch.einsum("bclhn,bchpn,bhcl->bclhp", C, states, torch.exp(A_cum))
    return (Y_diag + Y_off).reshape(b, L, h, p), None


def mambapy_scan_ref(x, delta, A, B, C, D):
    """mambapy's ``MambaBlock.selective_scan_seq``: time-major (b, L, d); B, C (b, L, n)."""
    h = torch.zeros(x.shape[0], A.shape[0], A.shape[1], dtype=x.dtype)
    hs = []
    for t in range(x.shape[1]):
        h = (
            torch.exp(delta[:, t, :, None] * A) * h
            + delta[:, t, :, None] * B[:, t, None] * x[:, t, :, None]
        )
        hs.append(h)
    return (torch.stack(hs, dim=1) @ C[..., None])[..., 0] + D * x


# ---------------------------------------------------------------------------------------
# Mamba: real pairs and selective_scan_ref
# ---------------------------------------------------------------------------------------


def test_real_pairs_are_mambas_interleaved_storage() -> None:
    g = _gen(0)
    B = _randn(g, 2, 3, 5, dtype=C128)
    packed = cv.real_pairs_from_complex(B)
    assert packed.shape == (2, 3, 10) and packed.dtype == F64
    assert torch.equal(packed[..., 0::2], B.real) and torch.equal(packed[..., 1::2], B.imag)
    # Mamba unpacks with view_as_complex(rearrange(B, "... (L two) -> ... L two")):
    unpacked = torch.view_as_complex(packed.reshape(2, 3, 5, 2).contiguous())
    assert torch.equal(unpacked, B) and torch.equal(cv.complex_from_real_pairs(packed), B)
    single = cv.real_pairs_from_complex(B.to(torch.complex64))
    assert single.dtype == F32 and cv.complex_from_real_pairs(single).dtype == torch.complex64
    # planted: real parts first, then imaginary parts ("(two L)") is another storage
    mutant = torch.cat([B.real, B.imag], dim=-1)
    assert not torch.equal(torch.view_as_complex(mutant.reshape(2, 3, 5, 2).contiguous()), B)


@pytest.mark.parametrize(
    ("complex_A", "layouts", "extras"),
    [
        (False, ("per_step", "const"), {}),
        (False, ("grouped", "per_step"), {"D": True, "z": True}),
        (True, ("per_step", "grouped"), {"D": True, "softplus": True}),
        (True, ("const", "per_step"), {"z": True}),
    ],
)
def test_selective_scan_ref_convention_is_ours(complex_A, layouts, extras) -> None:
    """selective_scan_from_mamba(transcription) = kernels.selective_scan, float64, to 16
    ulps of max|y| (the two sides sum delta B u and the decays in another order)."""
    inputs = _system(1, complex_A=complex_A, layouts=layouts)
    g = _gen(2)
    b, d, L = inputs["u"].shape
    if extras.get("D"):
        inputs["D"] = _randn(g, d)
    if extras.get("z"):
        inputs["z"] = _randn(g, b, d, L)
    if extras.get("softplus"):
        inputs.update(delta=_randn(g, b, d, L) / 2, delta_bias=-4 + _randn(g, d) / 2)
        inputs["delta_softplus"] = True
    want = kernels.selective_scan(**inputs)
    for returned in (False, True):
        scan = cv.selective_scan_from_mamba(
            lambda *a, r=returned: mamba_scan_ref(*a, return_last_state=r)
        )
        assert _close(scan(**inputs), want, 16)
    if complex_A:  # planted: complex B/C handed over unpacked (Mamba would misread them)
        with pytest.raises(RuntimeError):
            mamba_scan_ref(**inputs)


def test_mamba_last_state_is_the_step_chain() -> None:
    """Mamba's ``return_last_state`` x_{L-1} = our selective_step run token by token."""
    inputs = _system(3, layouts=("grouped", "per_step"))
    _, last = mamba_scan_ref(**inputs, return_last_state=True)
    b, d, L = inputs["u"].shape
    state = torch.zeros(b, d, inputs["A"].shape[1], dtype=F64)
    for t in range(L):
        B_t, C_t = (
            v[..., t] if v.dim() == 4 else v[:, None, :, t] for v in (inputs["B"], inputs["C"])
        )
        _, state = kernels.selective_step(
            state, inputs["u"][..., t], inputs["delta"][..., t], inputs["A"], B_t, C_t
        )
    assert _close(state, last, 16)


def test_selective_scan_from_mamba_refuses_zoh_and_non_tensors() -> None:
    scan = cv.selective_scan_from_mamba(mamba_scan_ref)
    inputs = _system(4)
    with pytest.raises(InvalidArgumentError, match="mamba"):
        scan(**inputs, discretization="zoh")
    with pytest.raises(InvalidTypeError):
        scan(**{**inputs, "A": inputs["A"].tolist()})
    with pytest.raises(InvalidTypeError):
        cv.selective_scan_from_mamba("not callable")


# ---------------------------------------------------------------------------------------
# Mamba's decoding step
# ---------------------------------------------------------------------------------------


def _step_inputs(seed, b=2, h=4, p=3, n=5, groups=2, heads=True):
    g = _gen(seed)
    lead = (h, p) if heads else (h * p,)
    return {
        "state": _randn(g, b, *lead, n),
        "x": _randn(g, b, *lead),
        "dt": _randn(g, b, *lead) / 2,
        "A": -torch.rand(*lead, n, generator=g, dtype=F64) - 0.5,
        "B": _randn(g, b, groups, n) if heads else _randn(g, b, n),
        "C": _randn(g, b, groups, n) if heads else _randn(g, b, n),
        "D": _randn(g, *lead),
        "z": _randn(g, b, *lead),
        "dt_bias": _randn(g, *lead) / 2 - 3,
        "dt_softplus": True,
    }


@pytest.mark.parametrize(("heads", "groups"), [(False, 1), (True, 1), (True, 2), (True, 4)])
def test_mamba_state_update_is_mambas_step(heads, groups) -> None:
    """Out and the in-place state equal the transcription to 16 ulps (float64; the sides
    order state dA + dB x differently), for the plain and the head form with groups."""
    inputs = _step_inputs(5, groups=groups, heads=heads)
    ours, theirs = (
        dict(inputs, state=inputs["state"].clone()),
        dict(inputs, state=inputs["state"].clone()),
    )
    out = cv.mamba_state_update(**ours)
    want = mamba_state_update_ref(**theirs)
    assert out.shape == inputs["x"].shape
    assert _close(out, want, 16) and _close(ours["state"], theirs["state"], 16)
    h = inputs["state"].shape[1]
    if heads and 1 < groups < h:  # planted: head i reading group i % g, not i // (h / g)
        order = torch.arange(h) % groups  # per-head B, C: one group per head
        wrong = dict(inputs, state=inputs["state"].clone())
        wrong.update(B=inputs["B"][:, order], C=inputs["C"][:, order])
        assert not _close(cv.mamba_state_update(**wrong), want, 16)


def test_mamba_state_update_refuses_before_touching_the_state() -> None:
    inputs = _step_inputs(6, groups=3)  # 3 groups do not divide 4 heads
    before = inputs["state"].clone()
    with pytest.raises(InvalidArgumentError, match="dividing the 4 head"):
        cv.mamba_state_update(**inputs)
    for change in (
        {"A": torch.complex(inputs["A"], inputs["A"])},
        {"x": inputs["x"].tolist()},
    ):
        with pytest.raises(InvalidTypeError):
            cv.mamba_state_update(**{**_step_inputs(6), **change})
    with pytest.raises(InvalidArgumentError):
        cv.mamba_state_update(**{**_step_inputs(6), "dt": inputs["dt"][:, :2]})
    with pytest.raises(InvalidArgumentError, match="NaN"):
        cv.mamba_state_update(**{**_step_inputs(6), "x": torch.full_like(inputs["x"], math.nan)})
    assert torch.equal(inputs["state"], before)


@pytest.mark.parametrize("layout", ["const", "per_step", "grouped"])
def test_step_from_state_update_is_our_step(layout) -> None:
    """Wrapping the project's own Mamba-API step gives back selective_step bit for bit;
    wrapping the transcription gives it to 16 ulps; the input state is never modified."""
    g = _gen(7)
    b, d, n = 2, 4, 3
    B = {"const": _randn(g, d, n), "per_step": _randn(g, b, 1, n), "grouped": _randn(g, b, 2, n)}[
        layout
    ]
    args = (
        _randn(g, b, d, n),
        _randn(g, b, d),
        torch.rand(b, d, generator=g, dtype=F64),
        -torch.rand(d, n, generator=g, dtype=F64) - 0.5,
        B,
        B.flip(-1),
    )
    extra = {"D": _randn(g, d), "z": _randn(g, b, d)}
    state = args[0].clone()
    want_y, want_state = kernels.selective_step(*args, **extra)
    y, new = cv.step_from_state_update(cv.mamba_state_update)(*args, **extra)
    assert torch.equal(y, want_y) and torch.equal(new, want_state)
    y, new = cv.step_from_state_update(mamba_state_update_ref)(*args, **extra)
    assert _close(y, want_y, 16) and _close(new, want_state, 16)
    assert torch.equal(args[0], state)


def test_step_from_state_update_refuses() -> None:
    step = cv.step_from_state_update(mamba_state_update_ref)
    g = _gen(8)
    state, u = _randn(g, 3, 3, 2), _randn(g, 3, 3)
    A, B = -torch.ones(3, 2, dtype=F64), _randn(g, 3, 2)
    with pytest.raises(InvalidArgumentError, match="ambiguous"):
        step(state, u, u.abs(), A, B, B)
    with pytest.raises(InvalidArgumentError, match="mamba"):
        step(state, u, u.abs(), A, B[:, None], B[:, None], discretization="zoh")
    with pytest.raises(InvalidTypeError):
        step(state, u, u.abs(), A.to(C128), B[:, None], B[:, None])
    with pytest.raises(InvalidTypeError):
        cv.step_from_state_update(None)


@pytest.mark.parametrize("dtype", [F64, F32])
def test_mamba_decoding_token_by_token_reproduces_the_scan(dtype) -> None:
    """Step vs scan: Mamba's single-step decode (``mamba_state_update``, run by
    kernels.selective_step, and the transcription of Mamba's own step through
    ``step_from_state_update``) reproduces kernels.selective_scan's outputs token by token:
    float64 to 16 ulps, float32 to 64 float32 ulps of max|y|."""
    g = _gen(9)
    b, d, n, L = 2, 4, 3, 12
    u, delta = _randn(g, b, d, L, dtype=dtype), _randn(g, b, d, L, dtype=dtype) / 2
    A = (-torch.rand(d, n, generator=g, dtype=F64) - 0.5).to(dtype)
    B, C = _randn(g, b, 2, n, L, dtype=dtype), _randn(g, b, 2, n, L, dtype=dtype)
    D, z, bias = (
        _randn(g, d, dtype=dtype),
        _randn(g, b, d, L, dtype=dtype),
        (_randn(g, d) / 2 - 3).to(dtype),
    )
    scan = kernels.selective_scan(u, delta, A, B, C, D, z, bias, True)
    tol = 16 * EPS if dtype == F64 else 64 * torch.finfo(F32).eps
    for update in (cv.mamba_state_update, mamba_state_update_ref):
        state = torch.zeros(b, d, n, dtype=dtype)
        outs = []
        for t in range(L):
            s = state.view(b, 2, d // 2, n)  # Mamba-2's head form: 2 heads, 2 groups
            outs.append(
                update(s, u[..., t].view(b, 2, -1), delta[..., t].view(b, 2, -1), A.view(2, -1, n),
                       B[..., t], C[..., t], D.view(2, -1), z[..., t].view(b, 2, -1),
                       bias.view(2, -1), True).reshape(b, d)
            )  # fmt: skip
        decoded = torch.stack(outs, dim=-1)
        assert (decoded - scan).abs().max() <= tol * scan.abs().max()
    # planted: the output read BEFORE the update (the state is one token late)
    late = torch.cat([torch.zeros_like(scan[..., :1]), scan[..., :-1]], dim=-1)
    assert not (late - scan).abs().max() <= tol * scan.abs().max()


# ---------------------------------------------------------------------------------------
# Mamba-2's minimal SSD
# ---------------------------------------------------------------------------------------


def _ssd_inputs(seed, b=2, L=10, h=4, p=2, g=2, n=3):
    gen = _gen(seed)
    return {
        "X": _randn(gen, b, L, h, p),
        "dt": 0.02 + 0.1 * torch.rand(b, L, h, generator=gen, dtype=F64),
        "A": -0.5 - torch.rand(h, generator=gen, dtype=F64),
        "B": _randn(gen, b, L, g, n),
        "C": _randn(gen, b, L, g, n),
    }


@pytest.mark.parametrize(("groups", "block_len"), [(1, 4), (2, 5), (4, 3), (2, 10)])
def test_ssd_minimal_is_our_ssd(groups, block_len) -> None:
    """minimal(X dt, A dt, B, C) over the padded length, cut and + D X = kernels.ssd
    (float64, 32 ulps: X dt is rounded once, and the chunked form sums in another order);
    one case also against the mpmath oracle."""
    inputs = _ssd_inputs(10, g=groups)
    D = _randn(_gen(11), 4)
    want = kernels.ssd(**inputs, D=D)
    X, A, B, C = cv.ssd_minimal_inputs(**inputs, block_len=block_len)
    assert X.shape[1] % block_len == 0 and B.shape[2] == (1 if groups == 1 else 4)
    Y, _ = ssd_minimal_ref(X, A, B, C, block_len)
    got = cv.ssd_from_minimal(Y, inputs["X"], D)
    assert got.shape == want.shape and _close(got, want, 32)
    if groups == 2 and block_len == 5:
        oracle = oracles.ssd(**{k: v.tolist() for k, v in inputs.items()}, D=D.tolist())
        assert _close(got, torch.tensor(oracle.floats(), dtype=F64).reshape(got.shape), 32)
        # planted: X handed over without its dt (the minimal form takes X dt)
        Y, _ = ssd_minimal_ref(inputs["X"], A, B, C, block_len)
        assert not _close(cv.ssd_from_minimal(Y, inputs["X"], D), want, 32)


def test_the_group_summing_variant_is_the_grouped_map_only_for_one_group() -> None:
    """The variant with B/C's axis named g and summed in its einsums agrees for g = 1 and
    adds every group to every head for g > 1 (the docstring's warning)."""
    for groups, agrees in ((1, True), (2, False)):
        inputs = _ssd_inputs(12, L=8, g=groups)
        want = kernels.ssd(**inputs)
        X, A = inputs["X"] * inputs["dt"][..., None], inputs["A"] * inputs["dt"]
        Y, _ = ssd_minimal_ref(X, A, inputs["B"], inputs["C"], 4, sum_groups=True)
        assert _close(Y, want, 32) is agrees


def test_ssd_minimal_refuses() -> None:
    inputs = _ssd_inputs(13)
    with pytest.raises(InvalidArgumentError, match="divid"):
        cv.ssd_minimal_inputs(**{**inputs, "B": inputs["B"][:, :, :1].expand(-1, -1, 3, -1)})
    with pytest.raises(InvalidTypeError):
        cv.ssd_minimal_inputs(**{**inputs, "A": inputs["A"].float()})
    with pytest.raises(InvalidArgumentError):
        cv.ssd_minimal_inputs(**inputs, block_len=0)
    with pytest.raises(InvalidArgumentError):
        cv.ssd_from_minimal(inputs["X"][:, :3], inputs["X"])


# ---------------------------------------------------------------------------------------
# mambapy and its pscan
# ---------------------------------------------------------------------------------------


def test_mambapy_layout_is_a_transpose() -> None:
    inputs = _system(14, layouts=("per_step", "per_step"))
    x, delta, A, B, C, D = cv.mambapy_inputs(**inputs)
    u = inputs["u"]
    assert torch.equal(x, u.transpose(1, 2)) and torch.equal(B, inputs["B"].transpose(1, 2))
    assert torch.equal(D, torch.zeros(u.shape[1], dtype=F64)) and A is inputs["A"]
    assert torch.equal(cv.selective_from_mambapy(x), u)
    grouped = dict(inputs, B=inputs["B"][:, None], C=inputs["C"][:, None])
    assert all(
        torch.equal(a, b) for a, b in zip(cv.mambapy_inputs(**grouped), (x, delta, A, B, C, D))
    )


def test_mambapy_scan_convention_is_ours() -> None:
    """The transcription of mambapy's loop on the mapped inputs = kernels.selective_scan
    (float64, 16 ulps); planted: B and C swapped."""
    inputs = _system(15, layouts=("per_step", "per_step"))
    inputs["D"] = _randn(_gen(16), inputs["u"].shape[1])
    want = kernels.selective_scan(**inputs)
    args = cv.mambapy_inputs(**inputs)
    assert _close(cv.selective_from_mambapy(mambapy_scan_ref(*args)), want, 16)
    x, delta, A, B, C, D = args
    assert not _close(cv.selective_from_mambapy(mambapy_scan_ref(x, delta, A, C, B, D)), want, 16)


def test_mambapy_inputs_refuse_what_mambapy_has_no_form_of() -> None:
    per_step = _system(17, layouts=("per_step", "per_step"))
    with pytest.raises(InvalidArgumentError, match="per step"):
        cv.mambapy_inputs(**_system(17, layouts=("const", "per_step")))
    with pytest.raises(InvalidArgumentError, match="per step"):
        cv.mambapy_inputs(**_system(17, layouts=("per_step", "grouped")))
    with pytest.raises(InvalidTypeError, match="real"):
        cv.mambapy_inputs(**_system(17, complex_A=True, layouts=("per_step", "per_step")))
    with pytest.raises(InvalidTypeError):
        cv.mambapy_inputs(**{**per_step, "delta": per_step["delta"].float()})
    with pytest.raises(InvalidArgumentError):
        cv.selective_from_mambapy(per_step["u"][0])


def _recurrence(Abar: torch.Tensor, X: torch.Tensor) -> torch.Tensor:
    """H_t = A_t H_{t-1} + X_t over dim 1 (mambapy's pscan, as a plain loop)."""
    H, out = torch.zeros_like(X[:, 0]), []
    for t in range(X.shape[1]):
        H = Abar[:, t] * H + X[:, t]
        out.append(H)
    return torch.stack(out, dim=1)


@pytest.mark.parametrize(
    ("complex_A", "layouts", "discretization", "softplus"),
    [
        (False, ("const", "per_step"), "mamba", False),
        (False, ("grouped", "const"), "zoh", True),
        (True, ("per_step", "grouped"), "zoh", False),
        (True, ("grouped", "const"), "mamba", True),
    ],
)
def test_the_pscan_recurrence_is_our_scan(complex_A, layouts, discretization, softplus) -> None:
    """states of H_t = A_t H_{t-1} + X_t from recurrence_from_selective, read out by
    selective_from_states = kernels.selective_scan (float64, 16 ulps)."""
    inputs = _system(18, complex_A=complex_A, layouts=layouts)
    g = _gen(19)
    b, d, L = inputs["u"].shape
    extra = {"D": _randn(g, d), "z": _randn(g, b, d, L)}
    if softplus:
        inputs.update(
            delta=_randn(g, b, d, L) / 2, delta_bias=_randn(g, d) / 2 - 3, delta_softplus=True
        )
    want = kernels.selective_scan(**inputs, **extra, discretization=discretization)
    Abar, X = cv.recurrence_from_selective(
        inputs["u"], inputs["delta"], inputs["A"], inputs["B"], inputs.get("delta_bias"),
        inputs.get("delta_softplus", False), discretization=discretization,
    )  # fmt: skip
    assert Abar.shape == X.shape == (b, L, d, inputs["A"].shape[1])
    got = cv.selective_from_states(_recurrence(Abar, X), inputs["u"], inputs["C"], **extra)
    assert _close(got, want, 16)
    # planted: the output read from the state before the update
    early = torch.cat([torch.zeros_like(X[:, :1]), _recurrence(Abar, X)[:, :-1]], dim=1)
    assert not _close(cv.selective_from_states(early, inputs["u"], inputs["C"], **extra), want, 16)


def test_the_pscan_recurrence_against_the_oracle() -> None:
    """One softplus/ZOH/complex case against the mpmath oracle (the softplus here is the
    kernels', so the kernel alone would not be an independent judge of it)."""
    inputs = _system(20, b=1, d=2, n=2, L=6, complex_A=True, layouts=("per_step", "const"))
    g = _gen(21)
    inputs.update(
        delta=_randn(g, 1, 2, 6) / 2, delta_bias=_randn(g, 2) / 2 - 3, delta_softplus=True
    )
    Abar, X = cv.recurrence_from_selective(
        inputs["u"], inputs["delta"], inputs["A"], inputs["B"], inputs["delta_bias"], True,
        discretization="zoh",
    )  # fmt: skip
    got = cv.selective_from_states(_recurrence(Abar, X), inputs["u"], inputs["C"])
    plain = {k: v.tolist() if isinstance(v, torch.Tensor) else v for k, v in inputs.items()}
    oracle = oracles.selective_scan(**plain, discretization="zoh")
    assert _close(got, torch.tensor(oracle.floats(), dtype=F64).reshape(got.shape), 16)


def test_the_recurrence_uses_the_compute_precision() -> None:
    """bfloat16 inputs give float32 operands (the mixed-precision rule); the output comes
    back in bfloat16."""
    inputs = {k: v.to(BF16) for k, v in _system(22, layouts=("per_step", "grouped")).items()}
    Abar, X = cv.recurrence_from_selective(inputs["u"], inputs["delta"], inputs["A"], inputs["B"])
    assert Abar.dtype == X.dtype == F32
    y = cv.selective_from_states(_recurrence(Abar, X), inputs["u"], inputs["C"])
    assert y.dtype == BF16
    with pytest.raises(InvalidTypeError, match="compute precision"):
        cv.selective_from_states(_recurrence(Abar, X).double(), inputs["u"], inputs["C"])
    with pytest.raises(InvalidArgumentError, match="discretization"):
        cv.recurrence_from_selective(
            inputs["u"], inputs["delta"], inputs["A"], inputs["B"], discretization="euler"
        )
    with pytest.raises(InvalidTypeError, match="bool"):
        cv.recurrence_from_selective(
            inputs["u"], inputs["delta"], inputs["A"], inputs["B"], None, 1
        )


# ---------------------------------------------------------------------------------------
# S5: Re(C x) codes
# ---------------------------------------------------------------------------------------


def test_c_for_real_part_maps_conj_sym_exactly() -> None:
    """s5_scan(C, conj_sym=True) = s5_scan(c_for_real_part(C), conj_sym=False) bit for bit
    (doubling is exact in binary); planted: C not doubled."""
    g = _gen(23)
    P, H = 3, 2
    Lam = torch.complex(-0.5 - torch.rand(P, generator=g, dtype=F64), _randn(g, P))
    B, C = _randn(g, P, H, dtype=C128), _randn(g, H, P, dtype=C128)
    u, delta = _randn(g, 2, 9, H), 0.01 + 0.1 * torch.rand(P, generator=g, dtype=F64)
    want = kernels.s5_scan(Lam, B, C, u, delta)
    assert torch.equal(
        kernels.s5_scan(Lam, B, cv.c_for_real_part(C), u, delta, conj_sym=False), want
    )
    same = cv.c_for_real_part(C, conj_sym=False)
    assert torch.equal(same, C) and same is not C
    assert not _close(kernels.s5_scan(Lam, B, C, u, delta, conj_sym=False), want, 16)
    with pytest.raises(InvalidTypeError):
        cv.c_for_real_part(C, conj_sym="yes")


@pytest.mark.parametrize(
    "adapter",
    [
        cv.real_pairs_from_complex,
        cv.complex_from_real_pairs,
        cv.selective_from_mambapy,
        cv.c_for_real_part,
    ],
)
def test_selective_tensor_adapters_refuse_non_tensors_and_nan(adapter) -> None:
    with pytest.raises(InvalidTypeError):
        adapter([1.0, 2.0])
    bad = torch.tensor([[[1.0, math.nan]]], dtype=F64)
    with pytest.raises((InvalidArgumentError, InvalidTypeError)):
        adapter(bad if adapter is not cv.real_pairs_from_complex else bad.to(C128))
    if adapter is cv.complex_from_real_pairs:
        with pytest.raises(InvalidArgumentError, match="even"):
            adapter(torch.ones(2, 3, dtype=F64))


def test_the_zoh_recurrence_keeps_its_digits_at_small_steps() -> None:
    """X_t = (exp(delta A) - 1) / A B u with expm1: at delta A = -2^-30 exp(z) - 1 would keep
    only ~7 digits; mpmath's expm1 at 50 digits is the reference (4 ulps)."""
    import mpmath

    u = torch.ones(1, 1, 1, dtype=F64)
    A, B = torch.tensor([[-1.0, -0.75]], dtype=F64), torch.ones(1, 2, dtype=F64)
    delta = torch.full((1, 1, 1), 2.0**-30, dtype=F64)
    _, X = cv.recurrence_from_selective(u, delta, A, B, discretization="zoh")
    with mpmath.workdps(50):
        want = [float(mpmath.expm1(mpmath.mpf(2.0**-30) * a) / a) for a in (-1.0, -0.75)]
    assert _close(X.flatten(), torch.tensor(want, dtype=F64), 4)
