"""Dense torch kernels (discretize, doubling kernel, scans, FFT convolution) vs the oracles.

Expected values come from the certified mpmath oracles (``ssm_kernel``, ``discrete_kernel``,
``discretize``, ``causal_conv``), always run on the exact values the kernel receives (the
inputs are rounded to the dtype first, ``round_to``/``to_tensor``), and are compared through
the registered error models with the conditioning helpers of ``_bounds.dense``. Properties
(batching, mode agreement, similarity, embeddings, no FFT wrap-around) use independent
routes: single calls, other algorithms, a direct double loop.
"""

from __future__ import annotations

import functools
import importlib
import math

import numpy as np
import pytest
import torch
from helpers import DEVICES
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from hippo_verify import hippo, kernels
from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.kernels.dense import ssm_kernel
from hippo_verify.kernels.discretize import discretize
from hippo_verify.kernels.scan import chunk_size, scan
from hippo_verify.oracles import causal_conv, discrete_kernel
from hippo_verify.oracles import discretize as discretize_oracle
from hippo_verify.oracles import ssm_kernel as ssm_oracle
from hippo_verify.testing import (
    assert_kernel_close,
    causal_conv_condition,
    discrete_kernel_condition,
    discretize_condition,
    error_bound,
    memory_condition,
    registered_models,
    scan_condition,
    ssm_kernel_condition,
)
from hippo_verify.testing.strategies import dyadics, round_to, to_tensor

REAL = (torch.float64, torch.float32)
COMPLEX = (torch.complex128, torch.complex64)
WIDE = {
    torch.float32: torch.float64,
    torch.float64: torch.float64,
    torch.complex64: torch.complex128,
    torch.complex128: torch.complex128,
}

# A stable complex 3 x 3 system (eigenvalues near the diagonal: real parts < 0).
COMPLEX3 = (
    [[-0.5 + 1j, 0.3, 0.1j], [0.2 - 0.1j, -1 + 2j, 0.4], [0.1, -0.3j, -0.2 - 0.5j]],
    [1, 0.5j, -0.3 + 0.2j],
    [0.7 - 0.1j, 1j, 0.4],
)


@functools.cache
def _exact_system(name: str) -> tuple[list, list, list]:
    """(A, B, C) as nested lists of numbers (sympy for HiPPO, C_n = (-1)^n / (n + 1))."""
    if name == "complex3":
        return COMPLEX3
    measure, N = name[:4], int(name[4:])
    A, B = hippo(measure, N)
    return A.tolist(), [b for b in B], [(-1) ** n / (n + 1) for n in range(N)]


@functools.cache
def system(name: str, dtype: torch.dtype) -> tuple[list, list, list]:
    """The system rounded to ``dtype`` (Python numbers exact in it: oracle = kernel input)."""
    return tuple(round_to(part, dtype) for part in _exact_system(name))


def tensors(name: str, dtype: torch.dtype, device: str = "cpu") -> list[torch.Tensor]:
    return [to_tensor(part, dtype, device) for part in system(name, dtype)]


def numbers(t: torch.Tensor) -> list:
    """A tensor's exact values as (nested) Python numbers, for the oracles."""
    t = t.detach().to("cpu")
    return t.to(torch.complex128).tolist() if t.is_complex() else t.to(torch.float64).tolist()


@functools.cache
def ssm_reference(name: str, dtype: torch.dtype, L: int, dt: float, method: str):
    A, B, C = system(name, dtype)
    return ssm_oracle(A, B, C, L, dt=dt, method=method)


@functools.cache
def discrete_system(name: str, dtype: torch.dtype, dt: float, method: str):
    """(Ab, Bb, C) of ``dtype``: the float64 (complex128) discretization rounded to ``dtype``."""
    A, B, C = tensors(name, WIDE[dtype])
    Ab, Bb = discretize(A, B, dt, method)
    if name.startswith("legs"):  # lower triangular in exact arithmetic: drop rounding above
        Ab = Ab.tril()  # the diagonal, so the oracle takes its fast triangular route
    return Ab.to(dtype), Bb.to(dtype), C.to(dtype)


@functools.cache
def discrete_reference(name: str, dtype: torch.dtype, L: int, dt: float, method: str):
    Ab, Bb, C = discrete_system(name, dtype, dt, method)
    return discrete_kernel(numbers(Ab), numbers(Bb), numbers(C), L)


def dtypes_of(name: str) -> tuple[torch.dtype, ...]:
    return COMPLEX if name == "complex3" else REAL


# (system, L, dt, method): the canonical configurations.
KERNEL_CONFIGS = [
    ("legs16", 256, 1e-2, "bilinear"),
    ("legs16", 1024, 1.0, "bilinear"),
    ("legs16", 256, 1e-2, "zoh"),
    ("legt8", 512, 1e-1, "bilinear"),
    ("legt8", 256, 1e-2, "zoh"),
    ("complex3", 256, 1e-1, "bilinear"),
]
CASES = [
    pytest.param(
        *config, dtype, id=f"{config[0]}-L{config[1]}-dt{config[2]:g}-{config[3]}-{str(dtype)[6:]}"
    )
    for config in KERNEL_CONFIGS
    for dtype in dtypes_of(config[0])
]


def _cpu(t: torch.Tensor) -> torch.Tensor:
    return t.detach().to("cpu")


# ---------------------------------------------------------------------------------------
# Against the oracles
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "L", "dt", "method", "dtype"), CASES)
def test_ssm_kernel_matches_oracle(name, L, dt, method, dtype, device):
    A, B, C = tensors(name, dtype, device)
    K = ssm_kernel(A, B, C, L, dt=dt, method=method)
    assert K.shape == (L,) and K.dtype == dtype and K.device.type == device
    cond = ssm_kernel_condition(A, B, C, L, dt=dt, method=method)
    assert_kernel_close(
        _cpu(K),
        ssm_reference(name, dtype, L, dt, method),
        algorithm="ssm-doubling",
        N=A.shape[-1],
        cond=cond,
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(("name", "L", "dt", "method", "dtype"), CASES)
def test_krylov_kernel_matches_oracle(name, L, dt, method, dtype, device):
    Ab, Bb, C = (t.to(device) for t in discrete_system(name, dtype, dt, method))
    K = kernels.discrete_kernel(Ab, Bb, C, L)
    assert K.shape == (L,) and K.dtype == dtype
    assert_kernel_close(
        _cpu(K),
        discrete_reference(name, dtype, L, dt, method),
        algorithm="krylov-doubling",
        N=Ab.shape[-1],
        cond=discrete_kernel_condition(Ab, Bb, C, L),
    )


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    "method", ["bilinear", "zoh", "forward_euler", "backward_euler", ("gbt", 0.25)]
)
@pytest.mark.parametrize(
    ("name", "dt", "dtype"),
    [
        ("legt8", 0.1, torch.float64),
        ("legt8", 0.1, torch.float32),
        ("legs16", 1.0, torch.float64),
        ("complex3", 0.5, torch.complex128),
        ("complex3", 0.5, torch.complex64),
    ],
)
def test_discretize_matches_oracle(name, dt, dtype, method, device):
    A, B, _ = tensors(name, dtype, device)
    Ab, Bb = discretize(A, B, dt, method)
    assert Ab.dtype == Bb.dtype == dtype and Ab.shape == A.shape and Bb.shape == B.shape
    oracle = discretize_oracle(numbers(A), numbers(B), dt, method)
    cond = discretize_condition(A, B, dt, method)
    N = A.shape[-1]
    for part, wanted in (
        (Ab.reshape(-1), [v for row in oracle.values[0] for v in row]),
        (Bb, oracle.values[1]),
    ):
        reference = type(oracle)("discretize", wanted, oracle.digits, oracle.prec, "")
        assert_kernel_close(_cpu(part), reference, algorithm="discretize", N=N, cond=cond)


@pytest.mark.parametrize(("dtype", "dt"), [(torch.float64, 0.01), (torch.float32, 0.15)])
def test_zoh_is_accurate_where_torch_matrix_exp_is_not(dtype, dt):
    """||dt [A B]||_1 in the range of torch 2.13's faulty degree-8 branch (pytorch#196592)."""
    A = to_tensor([[-1.0, 0.5], [0.0, -2.0]], dtype)
    B = to_tensor([1.0, 1.0], dtype)
    Ab, Bb = discretize(A, B, dt, "zoh")
    oracle = discretize_oracle(numbers(A), numbers(B), dt, "zoh")
    cond = discretize_condition(A, B, dt, "zoh")
    for part, wanted in (
        (Ab.reshape(-1), [v for row in oracle.values[0] for v in row]),
        (Bb, oracle.values[1]),
    ):
        reference = type(oracle)("discretize", wanted, oracle.digits, oracle.prec, "")
        assert_kernel_close(part, reference, algorithm="discretize", N=2, cond=cond)


SCAN_CONFIGS = [
    ("legs16", 512, 1e-2, "bilinear"),
    ("legt8", 384, 1.0, "zoh"),
    ("complex3", 256, 1e-1, "bilinear"),
]


@functools.cache
def scan_reference(name: str, dtype: torch.dtype, L: int, dt: float, method: str):
    """(u, oracle y, cond) for a seeded N(0, 1) input."""
    gen = torch.Generator().manual_seed(L)
    u = torch.randn(L, generator=gen, dtype=torch.float64).to(dtype)
    K = discrete_reference(name, dtype, L, dt, method)
    cond = scan_condition(*discrete_system(name, dtype, dt, method), u)
    return u, causal_conv(numbers(u), K.values), cond


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("mode", ["sequential", "chunked"])
@pytest.mark.parametrize(
    ("name", "L", "dt", "method", "dtype"),
    [
        pytest.param(*c, d, id=f"{c[0]}-L{c[1]}-{c[3]}-{str(d)[6:]}")
        for c in SCAN_CONFIGS
        for d in dtypes_of(c[0])
    ],
)
def test_scan_matches_oracle(name, L, dt, method, dtype, mode, device):
    Ab, Bb, C = (t.to(device) for t in discrete_system(name, dtype, dt, method))
    u, reference, cond = scan_reference(name, dtype, L, dt, method)
    y = scan(Ab, Bb, C, u.to(device), mode=mode)
    assert y.shape == (L,) and y.dtype == dtype
    assert_kernel_close(_cpu(y), reference, algorithm=f"scan-{mode}", N=Ab.shape[-1], cond=cond)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize(
    ("name", "L", "dt", "method", "dtype"),
    [
        pytest.param(*c, d, id=f"{c[0]}-L{c[1]}-{c[3]}-{str(d)[6:]}")
        for c in SCAN_CONFIGS
        for d in dtypes_of(c[0])
    ],
)
def test_fft_conv_matches_oracle(name, L, dt, method, dtype, device):
    """The kernel is the oracle's, rounded to the dtype; the reference convolves exactly it."""
    u, _, _ = scan_reference(name, dtype, L, dt, method)
    K = discrete_reference(name, dtype, L, dt, method)
    K_t = torch.tensor([complex(v) for v in K.values], dtype=torch.complex128)
    K_t = K_t.to(dtype) if dtype.is_complex else K_t.real.to(dtype)
    y = kernels.causal_conv(u.to(device), K_t.to(device))
    assert y.shape == (L,) and y.dtype == dtype
    reference = causal_conv(numbers(u), numbers(K_t))
    assert_kernel_close(
        _cpu(y), reference, algorithm="fft-conv", cond=causal_conv_condition(u, K_t)
    )


@settings(max_examples=10)
@given(data=st.data())
def test_random_stable_systems_match_oracle(data):
    """Gershgorin-stable A = M - (max row sum |M| + 1/8) I with exact dyadic entries."""
    N = data.draw(st.integers(1, 4), label="N")
    entry = dyadics(-1, 1)
    M = [[data.draw(entry) for _ in range(N)] for _ in range(N)]
    shift = max(sum(abs(v) for v in row) for row in M) + 0.125
    A = [[M[i][j] - (shift if i == j else 0) for j in range(N)] for i in range(N)]
    nonzero = entry.filter(lambda v: v != 0)
    B = [data.draw(nonzero) for _ in range(N)]
    C = [data.draw(nonzero) for _ in range(N)]
    dt = data.draw(st.sampled_from([1 / 64, 1 / 8, 1.0]), label="dt")
    method = data.draw(st.sampled_from(["bilinear", "zoh", "backward_euler"]), label="method")
    L = data.draw(st.integers(1, 96), label="L")
    A_t, B_t, C_t = (to_tensor(x) for x in (A, B, C))
    K = ssm_kernel(A_t, B_t, C_t, L, dt=dt, method=method)
    cond = ssm_kernel_condition(A_t, B_t, C_t, L, dt=dt, method=method)
    assume(math.isfinite(cond))  # K = 0 identically (C orthogonal to every Ab^k Bb)
    assert_kernel_close(
        K,
        ssm_oracle(A, B, C, L, dt=dt, method=method),
        algorithm="ssm-doubling",
        N=N,
        cond=cond,
    )


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------


def _random_stable(batch: int, N: int, dtype: torch.dtype, seed: int) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    real = WIDE[dtype] if not dtype.is_complex else torch.float64
    M = torch.rand(batch, N, N, generator=gen, dtype=real) * 2 - 1
    if dtype.is_complex:
        M = torch.complex(M, torch.rand(batch, N, N, generator=gen, dtype=real) * 2 - 1)
    shift = M.abs().sum(-1).amax(-1) + 0.1
    A = M - shift[:, None, None] * torch.eye(N, dtype=real)
    B = torch.randn(batch, N, generator=gen, dtype=real)
    C = torch.randn(batch, N, generator=gen, dtype=real)
    return [t.to(dtype) for t in (A, B, C)]


def _relative(a: torch.Tensor, b: torch.Tensor) -> float:
    return ((a - b).abs().max() / b.abs().max()).item()


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32, torch.complex128])
@pytest.mark.parametrize("L", [1, 2, 3, 17, 64, 100, 257])
def test_scan_modes_and_fft_conv_agree(L, dtype, device):
    """sequential == chunked == kernels.causal_conv(u, discrete_kernel): all within their bounds."""
    A, B, C = (t.to(device) for t in _random_stable(2, 4, dtype, seed=L))
    Ab, Bb = discretize(A, B, 0.1)
    u = torch.randn(3, 1, L, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    u = u.to(dtype).to(device)
    seq = scan(Ab, Bb, C, u)
    chunked = scan(Ab, Bb, C, u, mode="chunked")
    conv = kernels.causal_conv(u, kernels.discrete_kernel(Ab, Bb, C, L))
    assert seq.shape == chunked.shape == conv.shape == (3, 2, L)
    cond = max(scan_condition(Ab[i], Bb[i], C[i], u[j, 0]) for i in range(2) for j in range(3))
    bound = {
        m: error_bound(m, dtype, L=L, N=4, cond=cond)
        for m in ("scan-sequential", "scan-chunked", "krylov-doubling")
    }
    conv_bound = bound["krylov-doubling"] + error_bound("fft-conv", dtype, L=L, cond=cond)
    for i in range(3):
        for j in range(2):
            assert (
                _relative(chunked[i, j], seq[i, j])
                <= bound["scan-sequential"] + bound["scan-chunked"]
            )
            assert _relative(conv[i, j], seq[i, j]) <= bound["scan-sequential"] + conv_bound


@pytest.mark.parametrize("device", DEVICES)
def test_batch_of_systems_equals_single_calls(device):
    """A batch of 3 systems (with a tensor of 3 steps) gives each single call's values."""
    A, B, C = (t.to(device) for t in _random_stable(3, 5, torch.float64, seed=7))
    dt = torch.tensor([0.01, 0.1, 1.0], dtype=torch.float64, device=device)
    L = 200
    u = torch.randn(L, generator=torch.Generator().manual_seed(3), dtype=torch.float64)
    u = u.to(device)
    batch = {
        "discretize": discretize(A, B, dt, "zoh"),
        "ssm": ssm_kernel(A, B, C, L, dt=dt),
    }
    Ab, Bb = discretize(A, B, dt)
    batch["seq"] = scan(Ab, Bb, C, u)
    batch["chunked"] = scan(Ab, Bb, C, u, mode="chunked")
    batch["fft"] = kernels.causal_conv(u, batch["ssm"])
    for i in range(3):
        step = float(dt[i])
        Ab_i, Bb_i = discretize(A[i], B[i], step)
        single = {
            "discretize": discretize(A[i], B[i], step, "zoh"),
            "ssm": ssm_kernel(A[i], B[i], C[i], L, dt=step),
            "seq": scan(Ab_i, Bb_i, C[i], u),
            "chunked": scan(Ab_i, Bb_i, C[i], u, mode="chunked"),
        }
        single["fft"] = kernels.causal_conv(u, single["ssm"])
        cond = ssm_kernel_condition(A[i], B[i], C[i], L, dt=step)
        tol = error_bound("ssm-doubling", torch.float64, L=L, N=5, cond=cond)
        pairs = [
            (batch["discretize"][0][i], single["discretize"][0]),
            (batch["discretize"][1][i], single["discretize"][1]),
        ]
        pairs += [(batch[key][i], single[key]) for key in ("ssm", "seq", "chunked", "fft")]
        for got, wanted in pairs:
            assert got.shape == wanted.shape
            assert _relative(got, wanted) <= tol


def test_similarity_transform_gives_the_same_kernel():
    """(S A S^-1, S B, C S^-1) has the kernel of (A, B, C): vs the oracle of the original."""
    name, L, dt, method = "legt8", 256, 0.1, "bilinear"
    A, B, C = tensors(name, torch.float64)
    gen = torch.Generator().manual_seed(5)
    S = torch.eye(8, dtype=torch.float64) + 0.2 * torch.randn(
        8, 8, generator=gen, dtype=torch.float64
    )
    S_inv = torch.linalg.inv(S)
    K = ssm_kernel(S @ A @ S_inv, S @ B, C @ S_inv, L, dt=dt, method=method)
    kappa_S = torch.linalg.cond(S).item()
    cond = ssm_kernel_condition(A, B, C, L, dt=dt, method=method) * kappa_S
    assert_kernel_close(
        K,
        ssm_reference(name, torch.float64, L, dt, method),
        algorithm="ssm-doubling",
        N=8,
        cond=cond,
    )


def test_real_system_as_complex_gives_the_real_kernel():
    name, L, dt, method = "legs16", 256, 1e-2, "bilinear"
    A, B, C = tensors(name, torch.float64)
    K = ssm_kernel(A.to(torch.complex128), B, C, L, dt=dt, method=method)
    assert K.dtype == torch.complex128
    assert_kernel_close(
        K,
        ssm_reference(name, torch.float64, L, dt, method),
        algorithm="ssm-doubling",
        N=16,
        cond=ssm_kernel_condition(A, B, C, L, dt=dt, method=method),
    )


def test_complex_system_by_its_real_embedding():
    """A = Ar + i Ai as the real 2N system [[Ar, -Ai], [Ai, Ar]]: Re K and Im K from real rows."""
    L, dt, method = 256, 1e-1, "bilinear"
    A, B, C = tensors("complex3", torch.complex128)
    Ar, Ai = A.real, A.imag
    A2 = torch.cat([torch.cat([Ar, -Ai], 1), torch.cat([Ai, Ar], 1)], 0)
    B2 = torch.cat([B.real, B.imag])
    C_re = torch.cat([C.real, -C.imag])
    C_im = torch.cat([C.imag, C.real])
    K = torch.complex(ssm_kernel(A2, B2, C_re, L, dt=dt), ssm_kernel(A2, B2, C_im, L, dt=dt))
    assert_kernel_close(
        K,
        ssm_reference("complex3", torch.complex128, L, dt, method),
        algorithm="ssm-doubling",
        N=6,
        cond=2
        * max(ssm_kernel_condition(A2, B2, row, L, dt=dt, method=method) for row in (C_re, C_im)),
    )


def test_outputs_are_real_for_real_inputs_and_complex_otherwise():
    A, B, C = tensors("legt8", torch.float64)
    assert ssm_kernel(A, B, C, 4, dt=0.1).dtype == torch.float64
    assert ssm_kernel(A, B, C.to(torch.complex128), 4, dt=0.1).dtype == torch.complex128
    Ab, Bb = discretize(A.to(torch.float32), B.to(torch.float32), 0.1)
    assert Ab.dtype == torch.float32
    u = torch.ones(5, dtype=torch.complex64)
    assert scan(Ab, Bb, C.to(torch.float32), u).dtype == torch.complex64
    assert (
        kernels.causal_conv(torch.ones(5), torch.ones(3, dtype=torch.float64)).dtype
        == torch.float64
    )


@pytest.mark.parametrize(("L", "M"), [(1, 1), (1, 4), (8, 1), (8, 8), (9, 5), (33, 64), (64, 7)])
def test_fft_conv_has_no_wrap_around(L, M):
    """Against the direct double loop; an impulse at the end only ever sees K_0."""
    gen = torch.Generator().manual_seed(L * 100 + M)
    K = torch.randn(M, generator=gen, dtype=torch.float64)
    for u in (
        torch.randn(L, generator=gen, dtype=torch.float64),
        torch.zeros(L, dtype=torch.float64).index_fill(0, torch.tensor(L - 1), 1.0),
    ):
        direct = torch.tensor(
            [sum(float(K[j] * u[k - j]) for j in range(min(k + 1, M))) for k in range(L)],
            dtype=torch.float64,
        )
        y = kernels.causal_conv(u, K)
        scale = max(1.0, direct.abs().max().item())
        assert (y - direct).abs().max().item() <= 64 * 2.0**-53 * scale * math.log2(2 * L + M)
    end = torch.zeros(L, dtype=torch.float64)
    end[-1] = 1.0
    impulse = kernels.causal_conv(end, K)
    assert impulse[:-1].abs().max().item() <= 1e-15 if L > 1 else True
    assert abs(impulse[-1].item() - K[0].item()) <= 1e-15


def test_chunk_size_is_a_power_of_two_near_sqrt_L():
    for L in [1, 2, 3, 4, 5, 16, 17, 100, 1024, 1025, 4096]:
        T = chunk_size(L)
        assert T & (T - 1) == 0 and T * T >= L and (T == 1 or (T // 2) ** 2 < L)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

_A = -torch.eye(3, dtype=torch.float64)
_B = torch.ones(3, dtype=torch.float64)
_C = torch.ones(3, dtype=torch.float64)
_U = torch.ones(5, dtype=torch.float64)

BAD_CALLS = {
    "non-square A": (InvalidArgumentError, lambda: discretize(torch.ones(3, 2), _B, 0.1)),
    "A is 1-D": (InvalidArgumentError, lambda: ssm_kernel(_B, _B, _C, 4, dt=0.1)),
    "B wrong length": (InvalidArgumentError, lambda: discretize(_A, torch.ones(2), 0.1)),
    "C wrong length": (
        InvalidArgumentError,
        lambda: kernels.discrete_kernel(_A, _B, torch.ones(4), 3),
    ),
    "L = 0": (InvalidArgumentError, lambda: kernels.discrete_kernel(_A, _B, _C, 0)),
    "L float": (InvalidTypeError, lambda: ssm_kernel(_A, _B, _C, 4.0, dt=0.1)),
    "L bool": (InvalidTypeError, lambda: kernels.discrete_kernel(_A, _B, _C, True)),
    "dt = 0": (InvalidArgumentError, lambda: discretize(_A, _B, 0.0)),
    "dt < 0": (InvalidArgumentError, lambda: ssm_kernel(_A, _B, _C, 4, dt=-1.0)),
    "dt tensor <= 0": (
        InvalidArgumentError,
        lambda: discretize(_A, _B, torch.tensor([0.1, 0.0], dtype=torch.float64)),
    ),
    "dt inf": (InvalidArgumentError, lambda: discretize(_A, _B, math.inf)),
    "dt string": (InvalidTypeError, lambda: discretize(_A, _B, "0.1")),
    "dt does not broadcast": (
        InvalidArgumentError,
        lambda: discretize(_A.expand(2, 3, 3), _B, torch.tensor([0.1, 0.2, 0.3])),
    ),
    "NaN in A": (InvalidArgumentError, lambda: discretize(_A * math.nan, _B, 0.1)),
    "inf in u": (InvalidArgumentError, lambda: scan(_A, _B, _C, _U * math.inf)),
    "NaN in K": (InvalidArgumentError, lambda: kernels.causal_conv(_U, _B * math.nan)),
    "A not a tensor": (InvalidTypeError, lambda: discretize(_A.tolist(), _B, 0.1)),
    "u not a tensor": (InvalidTypeError, lambda: scan(_A, _B, _C, [1.0, 2.0])),
    "K not a tensor": (InvalidTypeError, lambda: kernels.causal_conv(_U, 1.0)),
    "integer A": (InvalidTypeError, lambda: discretize(torch.eye(3, dtype=torch.int64), _B, 0.1)),
    "half u": (InvalidTypeError, lambda: kernels.causal_conv(_U.half(), _B.half())),
    "unknown method": (InvalidArgumentError, lambda: discretize(_A, _B, 0.1, "rk4")),
    "gbt alpha > 1": (InvalidArgumentError, lambda: discretize(_A, _B, 0.1, ("gbt", 2))),
    "unknown mode": (InvalidArgumentError, lambda: scan(_A, _B, _C, _U, mode="parallel")),
    "mode not a string": (InvalidTypeError, lambda: scan(_A, _B, _C, _U, mode=1)),
    "empty u": (InvalidArgumentError, lambda: scan(_A, _B, _C, torch.ones(0))),
    "empty K": (InvalidArgumentError, lambda: kernels.causal_conv(_U, torch.ones(0))),
    "0 x 0 A": (
        InvalidArgumentError,
        lambda: kernels.discrete_kernel(torch.ones(0, 0), _B[:0], _C[:0], 2),
    ),
    "batch does not broadcast": (
        InvalidArgumentError,
        lambda: kernels.discrete_kernel(_A.expand(2, 3, 3), _B.expand(3, 3), _C, 4),
    ),
    "u batch does not broadcast": (
        InvalidArgumentError,
        lambda: scan(_A.expand(2, 3, 3), _B, _C, torch.ones(3, 5)),
    ),
    "singular I - dt/2 A": (InvalidArgumentError, lambda: discretize(2 * torch.eye(3), _B, 1.0)),
}


@pytest.mark.parametrize("case", BAD_CALLS, ids=list(BAD_CALLS))
def test_bad_input_is_refused(case):
    error, call = BAD_CALLS[case]
    with pytest.raises(error):
        call()


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available")
def test_tensors_on_different_devices_are_refused():
    with pytest.raises(InvalidArgumentError):
        kernels.discrete_kernel(_A.cuda(), _B, _C, 4)


def test_condition_helpers():
    A, B, _ = tensors("legs16", torch.float64)
    assert discretize_condition(A, B, 1e-3) == pytest.approx(1.0, abs=1e-2)
    assert memory_condition(torch.zeros(2, 2), 10) == 1.0
    assert memory_condition(torch.eye(2), 10) == pytest.approx(10.0)
    assert memory_condition(torch.eye(2)) == math.inf
    assert memory_condition(0.5 * torch.eye(2)) == pytest.approx(2.0, rel=0.02)
    # Both tiny and huge bilinear steps give long memories (eigenvalues of Ab near +-1).
    zero = torch.zeros(16, dtype=torch.float64)
    memory = {dt: memory_condition(discretize(A, zero, dt)[0], 4096) for dt in (1e-3, 1.0, 100.0)}
    assert memory[1e-3] > 20 * memory[1.0] and memory[100.0] > 20 * memory[1.0]
    with pytest.raises(InvalidArgumentError):
        memory_condition(torch.ones(2, 3), 4)
    # The sensitivities: relative (scale-free), deterministic, growing with the memory.
    one = torch.ones(1, dtype=torch.float64)
    slow, fast = (torch.tensor([[a]], dtype=torch.float64) for a in (0.999, 0.5))
    assert discrete_kernel_condition(slow, one, one, 512) > 50 * discrete_kernel_condition(
        fast, one, one, 512
    )
    assert discrete_kernel_condition(fast, 3 * one, 5 * one, 64) == pytest.approx(
        discrete_kernel_condition(fast, one, one, 64)
    )
    B, C = tensors("legs16", torch.float64)[1:]
    tiny, unit = (ssm_kernel_condition(A, B, C, 1024, dt=dt) for dt in (1e-3, 1.0))
    assert tiny > 100 * unit and tiny == ssm_kernel_condition(A, B, C, 1024, dt=1e-3)
    u = torch.randn(64, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    Ab, Bb = discretize(A, B, 0.1)
    assert scan_condition(Ab, Bb, C, 2 * u) == pytest.approx(scan_condition(Ab, Bb, C, u))


# ---------------------------------------------------------------------------------------
# The measurement sweep behind the error models (slow)
# ---------------------------------------------------------------------------------------

SWEEP = [
    (name, L, dt, method)
    for name, Ls in (
        ("legs16", (256, 4096)),
        ("legs64", (256, 4096)),
        ("legt16", (256, 4096)),
        ("legt64", (256,)),
    )
    for L in Ls
    for dt in (1e-3, 1e-2, 1e-1, 1.0, 100.0)
    for method in ("bilinear", "zoh")
]


@pytest.mark.slow
@pytest.mark.parametrize("dtype", REAL, ids=["float64", "float32"])
@pytest.mark.parametrize(("name", "L", "dt", "method"), SWEEP)
def test_sweep_every_dense_kernel_within_its_model(name, L, dt, method, dtype):
    """ssm_kernel, discrete_kernel, both scans and causal_conv on the configurations measured."""
    A, B, C = tensors(name, dtype)
    N = A.shape[-1]
    assert_kernel_close(
        ssm_kernel(A, B, C, L, dt=dt, method=method),
        ssm_reference(name, dtype, L, dt, method),
        algorithm="ssm-doubling",
        N=N,
        cond=ssm_kernel_condition(A, B, C, L, dt=dt, method=method),
    )
    Ab, Bb, C = discrete_system(name, dtype, dt, method)
    K = discrete_reference(name, dtype, L, dt, method)
    assert_kernel_close(
        kernels.discrete_kernel(Ab, Bb, C, L),
        K,
        algorithm="krylov-doubling",
        N=N,
        cond=discrete_kernel_condition(Ab, Bb, C, L),
    )
    u = torch.randn(L, generator=torch.Generator().manual_seed(L), dtype=torch.float64)
    u = u.to(dtype)
    reference = causal_conv(numbers(u), K.values)
    cond = scan_condition(Ab, Bb, C, u)
    for mode in ("sequential", "chunked"):
        assert_kernel_close(
            scan(Ab, Bb, C, u, mode=mode), reference, algorithm=f"scan-{mode}", N=N, cond=cond
        )
    K_t = torch.tensor([float(v) for v in K.values], dtype=torch.float64).to(dtype)
    assert_kernel_close(
        kernels.causal_conv(u, K_t),
        causal_conv(numbers(u), numbers(K_t)),
        algorithm="fft-conv",
        cond=causal_conv_condition(u, K_t),
    )


# ---------------------------------------------------------------------------------------
# Independence of the judge: the conditioning numbers by their definitions, not the kernels
# ---------------------------------------------------------------------------------------

_AB3 = torch.tensor([[0.6, 0.2, -0.1], [-0.3, 0.5, 0.25], [0.1, -0.2, 0.7]], dtype=torch.float64)
_BB3 = torch.tensor([1.0, -0.5, 0.25], dtype=torch.float64)
_C3 = torch.tensor([0.3, 1.0, -0.7], dtype=torch.float64)


def test_kernel_alpha_table_agrees_with_the_oracle():
    """The kernels keep their own method -> alpha table (a slip in the oracle's cannot make
    kernel and judge agree); the two must name the same methods with the same alphas."""
    from hippo_verify.kernels._args import METHOD_ALPHA, method_alpha
    from hippo_verify.oracles import mp_oracles
    from hippo_verify.oracles.mp_oracles import DISCRETIZATION_METHODS

    assert set(METHOD_ALPHA) == set(DISCRETIZATION_METHODS)
    for name in DISCRETIZATION_METHODS:
        oracle = mp_oracles.method_alpha(name)
        assert method_alpha(name) == (None if oracle is None else float(oracle)), name
    assert method_alpha(("gbt", 0.25)) == float(mp_oracles.method_alpha(("gbt", 0.25)))


def _draws(seed: int, *shapes: tuple, count: int = 4) -> list[list[np.ndarray]]:
    """The helpers' seeded directions, drawn in their documented order."""
    gen = torch.Generator().manual_seed(seed)
    return [
        [torch.randn(s, generator=gen, dtype=torch.float64).numpy() for s in shapes]
        for _ in range(count)
    ]


def _loop_taps(Ab: np.ndarray, Bb: np.ndarray, C: np.ndarray, L: int) -> np.ndarray:
    out, x = [], Bb
    for _ in range(L):
        out.append(C @ x)
        x = Ab @ x
    return np.array(out)


def test_kernel_condition_is_its_definition_by_finite_differences():
    """max over the directions of max_k |dK_k/de| / max|K| for Ab(1 + eG), Bb(1 + eg),
    C(1 + eh), with dK/de by central differences of the plain power loop."""
    Ab, Bb, C = (t.numpy() for t in (_AB3, _BB3, _C3))
    L, e = 40, 1e-6
    K = _loop_taps(Ab, Bb, C, L)
    worst = 0.0
    for G, g, h in _draws(0, (3, 3), (3,), (3,)):
        plus, minus = (
            _loop_taps(Ab * (1 + s * G), Bb * (1 + s * g), C * (1 + s * h), L) for s in (e, -e)
        )
        worst = max(worst, np.abs((plus - minus) / (2 * e)).max() / np.abs(K).max())
    assert discrete_kernel_condition(_AB3, _BB3, _C3, L) == pytest.approx(worst, rel=1e-6)


def test_dense_condition_gbt_term_is_its_definition_by_finite_differences():
    """The discretization term: M = I - alpha dt A, R = I + (1-alpha) dt A, dt B perturbed
    entrywise, Ab = M^-1 R, Bb = M^-1 dt B, derivative of the taps by central differences."""
    A = _AB3.numpy() - np.eye(3)
    B, C = _BB3.numpy(), _C3.numpy()
    dt, L, e = 0.5, 30, 1e-6
    M, R = np.eye(3) - dt * A, np.eye(3)  # backward Euler: alpha = 1
    K = _loop_taps(np.linalg.solve(M, R), np.linalg.solve(M, dt * B), C, L)
    worst = 0.0
    for Gm, Gr, g in _draws(0, (3, 3), (3, 3), (3,)):
        taps = [
            _loop_taps(
                np.linalg.solve(M * (1 + s * Gm), R * (1 + s * Gr)),
                np.linalg.solve(M * (1 + s * Gm), dt * B * (1 + s * g)),
                C,
                L,
            )
            for s in (e, -e)
        ]
        worst = max(worst, np.abs((taps[0] - taps[1]) / (2 * e)).max() / np.abs(K).max())
    Ab, Bb = np.linalg.solve(M, R), np.linalg.solve(M, dt * B)
    rest = discrete_kernel_condition(torch.tensor(Ab), torch.tensor(Bb), _C3, L, seed=1)
    total = ssm_kernel_condition(torch.tensor(A), _BB3, _C3, L, dt=dt, method="backward_euler")
    assert total - rest == pytest.approx(worst, rel=1e-5)


def test_conv_and_discretization_conditions_are_their_definitions():
    u = np.array([1.0, -2.0, 0.5, 3.0, -1.0])
    K = np.array([0.5, 0.25, -1.0])
    y = np.convolve(u, K)[: u.size]  # the direct sum
    want = np.linalg.norm(u) * np.linalg.norm(K) / (math.sqrt(u.size) * np.abs(y).max())
    assert causal_conv_condition(torch.tensor(u), torch.tensor(K)) == pytest.approx(want, rel=1e-13)
    # diagonal (normal) A: 2-norms are the largest moduli
    lam = np.array([-1.0, -100.0])
    A = torch.tensor(np.diag(lam))
    gbt = np.abs(1 + 0.75 * lam).max() / np.abs(1 - 0.25 * lam).min()  # alpha = 1/4, dt = 1
    assert discretize_condition(A, [1.0, 1.0], 1.0, ("gbt", 0.25)) == pytest.approx(gbt, rel=1e-13)
    zoh = (1 + 100.0) / math.exp(-1.0)  # (1 + ||dt A||) / min(1, ||e^{dt A}||)
    assert discretize_condition(A, [1.0, 1.0], 1.0, "zoh") == pytest.approx(zoh, rel=1e-12)


def test_conditions_do_not_move_when_the_kernels_are_broken(monkeypatch):
    """The judge shares no code with the kernels: with the doubling, expm and causal_conv
    replaced by broken versions, every condition number is unchanged and the gate fails
    the broken Krylov kernel."""
    # by module path: the package binds the names ``discretize``/``scan`` to the functions
    conv_module, dense_module, discretize_module = (
        importlib.import_module(f"hippo_verify.kernels.{name}")
        for name in ("conv", "dense", "discretize")
    )

    A = _AB3 - torch.eye(3, dtype=torch.float64)
    u = torch.linspace(-1, 1, 50, dtype=torch.float64)

    def conditions() -> list[float]:
        return [
            discrete_kernel_condition(_AB3, _BB3, _C3, 50),
            ssm_kernel_condition(A, _BB3, _C3, 50, dt=0.1, method="zoh"),
            ssm_kernel_condition(A, _BB3, _C3, 50, dt=0.1, method="bilinear"),
            discretize_condition(A, _BB3, 0.1, "zoh"),
            scan_condition(_AB3, _BB3, _C3, u),
            causal_conv_condition(u, _C3),
        ]

    before = conditions()
    original = dense_module.krylov_block

    def sign_flipped(M, v, m, *, power=False):  # the planted bug: Ab^m X -> -Ab^m X
        X, P = original(M, v, m, power=power)
        flip = torch.ones(m, dtype=X.dtype)
        flip[1::2] = -1  # what a sign in the doubling does to taps 1, 3 (level one)
        return X * flip, P

    monkeypatch.setattr(dense_module, "krylov_block", sign_flipped)
    monkeypatch.setattr(discretize_module, "expm", lambda M: M)
    monkeypatch.setattr(conv_module.torch.fft, "irfft", lambda *a, **k: torch.zeros(1))
    assert conditions() == before
    K = kernels.discrete_kernel(_AB3, _BB3, _C3, 50)
    oracle = discrete_kernel(numbers(_AB3), numbers(_BB3), numbers(_C3), 50)
    with pytest.raises(AssertionError):
        assert_kernel_close(
            K,
            oracle,
            algorithm="krylov-doubling",
            N=3,
            cond=discrete_kernel_condition(_AB3, _BB3, _C3, 50),
        )


def test_condition_helpers_never_return_nan():
    """An overflowing sensitivity or a zero kernel is inf (which the gate refuses), never
    NaN or a small number: forward Euler at dt = 1 on LegS16 is unstable and its taps
    overflow float64 by L = 4096 (the former torch helpers returned 0.0 here)."""
    A, B, C = tensors("legs16", torch.float64)
    assert ssm_kernel_condition(A, B, C, 4096, dt=100.0, method="forward_euler") == math.inf
    zero = torch.zeros(3, dtype=torch.float64)
    assert discrete_kernel_condition(_AB3, _BB3, zero, 8) == math.inf
    assert scan_condition(_AB3, _BB3, _C3, torch.zeros(8, dtype=torch.float64)) == math.inf
    assert causal_conv_condition(zero, _C3) == math.inf
    with pytest.raises(InvalidArgumentError, match="NaN or infinity"):
        discrete_kernel_condition(_AB3, _BB3 * math.nan, _C3, 8)
    for name in ("ssm-doubling", "krylov-doubling", "scan-sequential", "fft-conv", "discretize"):
        growth = registered_models()[name].growth
        assert math.isnan(growth(16, 4, math.nan)) and math.isnan(growth(16, 4, -1.0))
        assert growth(16, 4, 0.5) == growth(16, 4, 1.0)  # cond < 1 counts as 1
