"""Diagonal (S4D/H3 Vandermonde) and DPLR (S4 Woodbury) torch kernels vs the oracles.

Each kernel is compared with its certified mpmath oracle through ``assert_kernel_close``
under the registered error models (``vandermonde``, ``vandermonde-f64phase``,
``dplr-woodbury``) with the conditioning computed by ``diag_kernel_condition`` /
``dplr_kernel_condition``.
The oracle always receives the exact values held by the tensors (float32 values for the
float32 kernels), and the step dt as the same Python float the kernel gets. Properties
come from independent routes: the full complex system for conjugate pairs, the DPLR kernel
with P = Q = 0, a dense matrix-power loop. The ``slow`` sweeps rerun the measurement grid
behind the error models' constants.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
import torch
from helpers import DEVICES
from hypothesis import given, settings
from hypothesis import strategies as st

from hippo_verify import InvalidArgumentError, InvalidTypeError, hippo_nplr
from hippo_verify.kernels.diag import diag_kernel, h3_diag_kernel
from hippo_verify.kernels.dplr import dplr_kernel, dplr_kernel_from_ct
from hippo_verify.oracles import diag_kernel as diag_oracle
from hippo_verify.oracles import dplr_kernel as dplr_oracle
from hippo_verify.oracles import h3_diag_kernel as h3_diag_oracle
from hippo_verify.symbolic import s4d_init
from hippo_verify.testing import (
    assert_kernel_close,
    compare_kernel,
    diag_kernel_condition,
    dplr_kernel_condition,
    error_bound,
    registered_models,
)
from hippo_verify.testing.strategies import diagonal_systems, dplr_systems, to_tensor

COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}
DTYPES = [torch.float64, torch.float32]


def values(t: torch.Tensor) -> list:
    """Exact Python numbers of a tensor (nested lists), for the oracles."""
    return t.detach().cpu().to(torch.complex128).tolist()


# ---------------------------------------------------------------------------------------
# Systems
# ---------------------------------------------------------------------------------------


@functools.cache
def s4d_system(kind: str, N: int, dtype: torch.dtype, seed: int = 0) -> tuple:
    """S4D-Lin/Inv modes (N/2 stored), B = 1, C complex normal / sqrt 2, in ``dtype``."""
    lam = torch.tensor([complex(v) for v in s4d_init(kind, N)], dtype=torch.complex128)
    g = torch.Generator().manual_seed(seed)
    re, im = (torch.randn(N // 2, generator=g, dtype=torch.float64) for _ in range(2))
    C = torch.complex(re, im) * 0.5**0.5
    B = torch.ones(N // 2, dtype=torch.complex128)
    return tuple(x.to(COMPLEX[dtype]) for x in (lam, B, C))


@functools.cache
def dplr_system(kind: str, N: int, dtype: torch.dtype) -> tuple:
    """(Lambda, P, Q, B, C): HiPPO-LegS in S4's DPLR form, or S4D-Lin/Inv + random rank r.

    ``"legs"``: A = c I + S - p p^T (``hippo_nplr``); S = V diag(i s) V^H (eigh of the
    Hermitian -iS), so A = V (diag(c + i s) - Pt Pt^H) V^H with Pt = V^H p, B' = V^H B.
    ``"lin1"``/``"inv2"``...: S4D diagonal, P and Q complex normal * 0.3 with r columns.
    """
    rng = np.random.default_rng(1)
    if kind == "legs":
        nplr = hippo_nplr("legs", N)
        S = np.array(nplr.skew.evalf(30).tolist(), dtype=float)
        p = np.array(nplr.low_rank.evalf(30).tolist(), dtype=float)
        s, V = np.linalg.eigh(-1j * S)
        Lambda = float(nplr.shift) + 1j * s
        P = V.conj().T @ p
        Q = P.copy()
        B = V.conj().T @ np.sqrt(2 * np.arange(N) + 1.0)
    else:
        r = int(kind[3:])
        Lambda = np.array([complex(v) for v in s4d_init(kind[:3], 2 * N)])
        P, Q = (
            (rng.standard_normal((N, r)) + 1j * rng.standard_normal((N, r))) * 0.3 for _ in "PQ"
        )
        B = np.ones(N, complex)
    C = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) * 0.5**0.5
    return tuple(torch.tensor(x, dtype=COMPLEX[dtype]) for x in (Lambda, P, Q, B, C))


@functools.cache
def diag_reference(kind, N, dtype, dt, L, method, conj_pairs, seed=0):
    lam, B, C = s4d_system(kind, N, dtype, seed)
    return diag_oracle(
        values(lam), values(B), values(C), L, dt=dt, method=method, conj_pairs=conj_pairs
    )


@functools.cache
def dplr_reference(kind, N, dtype, dt, L):
    return dplr_oracle(*(values(x) for x in dplr_system(kind, N, dtype)), L, dt=dt)


def on(device, *tensors):
    return [t.to(device) for t in tensors]


# ---------------------------------------------------------------------------------------
# Against the oracles
# ---------------------------------------------------------------------------------------

# (kind, N = state size, dt, L, method, conj_pairs)
DIAG_CASES = [
    ("lin", 16, 1e-2, 256, "zoh", True),
    ("inv", 16, 1e-3, 200, "bilinear", True),
    ("lin", 8, 1e-1, 64, "backward_euler", False),
    ("inv", 8, 5e-2, 33, ("gbt", 0.25), False),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("case", DIAG_CASES, ids=str)
def test_diag_kernel_matches_oracle(case, dtype, device):
    kind, N, dt, L, method, conj_pairs = case
    lam, B, C = on(device, *s4d_system(kind, N, dtype))
    K = diag_kernel(lam, B, C, L, dt=dt, method=method, conj_pairs=conj_pairs)
    assert K.shape == (L,) and K.device.type == device
    assert K.dtype == (dtype if conj_pairs else COMPLEX[dtype])
    cond = diag_kernel_condition(lam, B, C, L, dt=dt, method=method, conj_pairs=conj_pairs)
    reference = diag_reference(kind, N, dtype, dt, L, method, conj_pairs)
    assert_kernel_close(K, reference, algorithm="vandermonde", N=N // 2, cond=cond)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_h3_diag_kernel_matches_oracle(dtype, device):
    lam, B, C = on(device, *s4d_system("lin", 16, dtype, seed=3))
    K = h3_diag_kernel(lam, B, C, 128, dt=0.05)
    reference = h3_diag_oracle(values(lam), values(B), values(C), 128, dt=0.05)
    assert reference.family == "h3_diag_kernel"
    cond = diag_kernel_condition(lam, B, C, 128, dt=0.05)
    assert_kernel_close(K, reference, algorithm="vandermonde", N=8, cond=cond)
    assert torch.equal(K, diag_kernel(lam, B, C, 128, dt=0.05, method="zoh", conj_pairs=True))


@pytest.mark.parametrize("device", DEVICES)
def test_float64_phase_removes_the_growth_in_L(device):
    """float32, S4D-Inv with 32 modes, dt = 1e-3, L = 4096: the plain kernel loses about
    u L max|dt lam| (1.3e-5 measured); forming the exponent in float64 gives ~2e-7."""
    kind, N, dt, L = "inv", 64, 1e-3, 4096
    lam, B, C = on(device, *s4d_system(kind, N, torch.float32))
    reference = diag_reference(kind, N, torch.float32, dt, L, "zoh", True)
    plain = diag_kernel(lam, B, C, L, dt=dt)
    better = diag_kernel(lam, B, C, L, dt=dt, float64_phase=True)
    assert better.dtype == torch.float32
    cond = diag_kernel_condition(lam, B, C, L, dt=dt)
    cond64 = diag_kernel_condition(lam, B, C, L, dt=dt, float64_phase=True)
    loose = assert_kernel_close(plain, reference, algorithm="vandermonde", N=32, cond=cond)
    tight = assert_kernel_close(
        better, reference, algorithm="vandermonde-f64phase", N=32, cond=cond64
    )
    assert loose.max_relative > 2e-6  # the growth is real ...
    assert tight.max_relative < loose.max_relative / 10  # ... and the option removes it


def test_float64_phase_is_a_no_op_in_float64():
    lam, B, C = s4d_system("lin", 16, torch.float64)
    assert torch.equal(
        diag_kernel(lam, B, C, 100, dt=0.01),
        diag_kernel(lam, B, C, 100, dt=0.01, float64_phase=True),
    )


# (kind, N, dt, L): LegS in DPLR form, S4D-Lin + rank 2, S4D-Inv + rank 1; odd and even L,
# L = 2 (only j = 0 and the removable singularity z = -1), L = 1.
DPLR_CASES = [
    ("legs", 4, 1e-2, 64),
    ("lin2", 6, 1e-1, 33),
    ("inv1", 8, 1e-3, 48),
    ("legs", 4, 1e-1, 2),
    ("lin1", 4, 1e-2, 1),
]


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("case", DPLR_CASES, ids=str)
def test_dplr_kernel_matches_oracle(case, dtype, device):
    kind, N, dt, L = case
    system = on(device, *dplr_system(kind, N, dtype))
    K = dplr_kernel(*system, L, dt=dt)
    assert K.shape == (L,) and K.dtype == COMPLEX[dtype] and K.device.type == device
    cond = dplr_kernel_condition(*system, L, dt=dt)
    assert_kernel_close(
        K, dplr_reference(kind, N, dtype, dt, L), algorithm="dplr-woodbury", N=N, cond=cond
    )


# ---------------------------------------------------------------------------------------
# Properties (independent routes)
# ---------------------------------------------------------------------------------------


def _close(actual, expected, bound):
    """max |actual - expected| <= bound * max |expected|."""
    scale = expected.abs().max()
    assert (actual - expected).abs().max() <= bound * scale, (
        f"{float((actual - expected).abs().max() / scale):.3e} > {bound:.3e}"
    )


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_conj_pairs_equal_the_full_complex_system(dtype, method):
    lam, B, C = s4d_system("inv", 16, dtype, seed=5)
    L, dt = 300, 0.02
    half = diag_kernel(lam, B, C, L, dt=dt, method=method)
    full = diag_kernel(
        torch.cat([lam, lam.conj()]),
        torch.cat([B, B.conj()]),
        torch.cat([C, C.conj()]),
        L,
        dt=dt,
        method=method,
        conj_pairs=False,
    )
    cond = diag_kernel_condition(lam, B, C, L, dt=dt, method=method)
    bound = 2 * error_bound("vandermonde", dtype, L=L, N=16, cond=cond)
    _close(full.real, half, bound)
    assert full.imag.abs().max() <= bound * half.abs().max()


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_diag_kernel_is_dplr_kernel_without_low_rank(dtype):
    lam, B, C = s4d_system("lin", 12, dtype, seed=2)
    L, dt = 96, 0.05
    zero = torch.zeros(6, 1, dtype=lam.dtype)
    diagonal = diag_kernel(lam, B, C, L, dt=dt, method="bilinear", conj_pairs=False)
    woodbury = dplr_kernel(lam, zero, zero, B, C, L, dt=dt)
    bound = error_bound(
        "vandermonde",
        dtype,
        L=L,
        cond=diag_kernel_condition(lam, B, C, L, dt=dt, method="bilinear", conj_pairs=False),
    ) + error_bound(
        "dplr-woodbury", dtype, L=L, cond=dplr_kernel_condition(lam, zero, zero, B, C, L, dt=dt)
    )
    _close(woodbury, diagonal, bound)


def dense_kernel(Lambda, P, Q, B, C, L, dt):
    """Independent route: dense A = diag(Lambda) - P Q^H, bilinear step, x <- Ab x loop."""
    N = Lambda.shape[-1]
    A = torch.diag(Lambda) - P @ Q.conj().T
    eye = torch.eye(N, dtype=A.dtype)
    Ab = torch.linalg.solve(eye - dt / 2 * A, eye + dt / 2 * A)
    x = torch.linalg.solve(eye - dt / 2 * A, dt * B)
    taps = []
    for _ in range(L):
        taps.append(C @ x)
        x = Ab @ x
    return torch.stack(taps)


@pytest.mark.parametrize("kind", ["legs", "lin2", "inv1"])
def test_dplr_kernel_equals_dense_power_loop(kind):
    system = dplr_system(kind, 6, torch.float64)
    for L, dt in [(40, 0.1), (17, 0.01)]:
        K = dplr_kernel(*system, L, dt=dt)
        bound = error_bound(
            "dplr-woodbury", torch.float64, L=L, cond=dplr_kernel_condition(*system, L, dt=dt)
        )
        _close(K, dense_kernel(*system, L, dt), 2 * bound)


@pytest.mark.parametrize("dtype", DTYPES, ids=str)
def test_dplr_kernel_from_ct_is_dplr_kernel_with_ct(dtype):
    """Ct = C (I - Ab^L) computed in float64 (dense, torch.linalg.matrix_power)."""
    Lambda, P, Q, B, C = dplr_system("legs", 6, torch.float64)
    L, dt = 50, 0.05
    A = torch.diag(Lambda) - P @ Q.conj().T
    eye = torch.eye(6, dtype=A.dtype)
    Ab = torch.linalg.solve(eye - dt / 2 * A, eye + dt / 2 * A)
    Ct = C - C @ torch.linalg.matrix_power(Ab, L)
    cast = [x.to(COMPLEX[dtype]) for x in (Lambda, P, Q, B, C, Ct)]
    from_ct = dplr_kernel_from_ct(*cast[:4], cast[5], L, dt=dt)
    direct = dplr_kernel(*cast[:5], L, dt=dt)
    bound = error_bound(
        "dplr-woodbury", dtype, L=L, cond=dplr_kernel_condition(*cast[:5], L, dt=dt)
    )
    _close(from_ct, direct, 2 * bound)


def test_diag_batch_equals_individual_calls():
    """A batch of 3 systems with per-system dt (shape (3,)) and a shared B (shape (N,))."""
    systems = [
        s4d_system(k, 16, torch.float32, seed=s) for k, s in [("lin", 0), ("inv", 1), ("lin", 2)]
    ]
    lam = torch.stack([s[0] for s in systems])
    C = torch.stack([s[2] for s in systems])
    B = systems[0][1]
    dt = torch.tensor([1e-3, 1e-2, 1e-1])
    K = diag_kernel(lam, B, C, 200, dt=dt)
    assert K.shape == (3, 200)
    for i in range(3):
        single = diag_kernel(lam[i], B, C[i], 200, dt=dt[i])
        cond = diag_kernel_condition(lam[i], B, C[i], 200, dt=dt[i])
        _close(K[i], single, 2 * error_bound("vandermonde", torch.float32, L=200, cond=cond))
    two_batch = diag_kernel(lam[None], B, C, 200, dt=dt[:, None].expand(3, 2).T)
    assert two_batch.shape == (2, 3, 200)


def test_dplr_batch_equals_individual_calls():
    one = dplr_system("lin1", 4, torch.float64)
    two = dplr_system("inv1", 4, torch.float64)
    stacked = [torch.stack([a, b]) for a, b in zip(one, two)]
    dt = torch.tensor([0.1, 0.01], dtype=torch.float64)
    K = dplr_kernel(*stacked, 31, dt=dt)
    assert K.shape == (2, 31)
    for i, system in enumerate((one, two)):
        single = dplr_kernel(*system, 31, dt=float(dt[i]))
        bound = error_bound(
            "dplr-woodbury",
            torch.float64,
            L=31,
            cond=dplr_kernel_condition(*system, 31, dt=float(dt[i])),
        )
        _close(K[i], single, 2 * bound)


@settings(max_examples=12)
@given(
    system=st.integers(1, 4).flatmap(lambda n: diagonal_systems(n)),
    L=st.integers(1, 40),
    dt=st.sampled_from([1 / 1024, 1 / 64, 1 / 8, 1.0]),
    method=st.sampled_from(["zoh", "bilinear", "backward_euler"]),
    conj_pairs=st.booleans(),
    dtype=st.sampled_from(DTYPES),
)
def test_drawn_diagonal_systems_match_oracle(system, L, dt, method, conj_pairs, dtype):
    lam, B, C = (to_tensor(v, COMPLEX[dtype]) for v in system)
    K = diag_kernel(lam, B, C, L, dt=dt, method=method, conj_pairs=conj_pairs)
    reference = diag_oracle(*system, L, dt=dt, method=method, conj_pairs=conj_pairs)
    cond = diag_kernel_condition(lam, B, C, L, dt=dt, method=method, conj_pairs=conj_pairs)
    if _zero_kernel(cond, reference):
        assert not K.any()  # C_n B_n = 0 for every mode: exact zeros, no relative error
        return
    assert_kernel_close(K, reference, algorithm="vandermonde", N=len(system.lam), cond=cond)


def _zero_kernel(cond: float, reference) -> bool:
    """cond is inf exactly when the oracle kernel is identically zero (checked here)."""
    zero = all(complex(v) == 0 for v in reference.values)
    assert zero == math.isinf(cond), (cond, zero)
    return zero


@settings(max_examples=6)
@given(
    system=st.tuples(st.integers(1, 4), st.integers(1, 2)).flatmap(lambda nr: dplr_systems(*nr)),
    L=st.integers(1, 24),
    dt=st.sampled_from([1 / 64, 1 / 8, 1.0]),
)
def test_drawn_dplr_systems_match_oracle(system, L, dt):
    tensors = [to_tensor(v, torch.complex128) for v in system]
    K = dplr_kernel(*tensors, L, dt=dt)
    reference = dplr_oracle(*system, L, dt=dt)
    cond = dplr_kernel_condition(*tensors, L, dt=dt)
    if _zero_kernel(cond, reference):
        assert not K.any()
        return
    assert_kernel_close(K, reference, algorithm="dplr-woodbury", N=len(system.Lambda), cond=cond)


# ---------------------------------------------------------------------------------------
# Error models
# ---------------------------------------------------------------------------------------


def test_error_models_are_registered():
    models = registered_models()
    assert models["vandermonde"].constant == 12.0
    assert models["dplr-woodbury"].constant == 6.0
    assert models["vandermonde-f64phase"].dtypes == (torch.float32, torch.complex64)
    with pytest.raises(InvalidArgumentError, match="no error model"):
        error_bound("vandermonde-f64phase", torch.float64, L=10)
    assert error_bound("dplr-woodbury", torch.float64, L=1024, cond=0) == 6 * 2.0**-53 * 10


def test_vandermonde_cond_is_the_phase_step_without_decay_or_cancellation():
    """One undamped mode, complex output: |K_k| = |W| and S = 1 + (L-1)|dt lam|."""
    lam = torch.tensor([3j], dtype=torch.complex128)
    one = torch.ones(1, dtype=torch.complex128)
    L, dt = 100, 0.01
    cond = diag_kernel_condition(lam, one, one, L, dt=dt, conj_pairs=False)
    assert math.isclose(cond, (L - 1) / L * 0.03, rel_tol=1e-12)


# ---------------------------------------------------------------------------------------
# Bad input
# ---------------------------------------------------------------------------------------

LAM = torch.tensor([-0.5 + 1j, -0.5 + 2j], dtype=torch.complex128)
ONES = torch.ones(2, dtype=torch.complex128)
ZERO_R = torch.zeros(2, 1, dtype=torch.complex128)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"lam": [1, 2]}, InvalidTypeError, "lam: expected a torch.Tensor"),
        ({"lam": torch.tensor([1, 2])}, InvalidTypeError, "floating or complex"),
        ({"B": torch.ones(3)}, InvalidArgumentError, "B: expected last dimension 2"),
        (
            {
                "lam": torch.zeros(0, dtype=torch.complex128),
                "B": torch.zeros(0),
                "C": torch.zeros(0),
            },
            InvalidArgumentError,
            "at least one mode",
        ),
        ({"L": 0}, InvalidArgumentError, "L must be >= 1"),
        ({"L": 4.0}, InvalidTypeError, "L must be an integer"),
        ({"dt": 0.0}, InvalidArgumentError, "dt"),
        ({"dt": -1.0}, InvalidArgumentError, "dt"),
        ({"dt": float("nan")}, InvalidArgumentError, "dt"),
        ({"dt": torch.tensor([0.1, -0.1])}, InvalidArgumentError, "dt"),
        ({"C": torch.tensor([1.0, float("nan")])}, InvalidArgumentError, "NaN or infinity"),
        ({"method": "rk4"}, InvalidArgumentError, "rk4"),
        ({"conj_pairs": 1}, InvalidTypeError, "conj_pairs"),
        ({"float64_phase": "yes"}, InvalidTypeError, "float64_phase"),
        ({"B": torch.ones(3, 2), "C": torch.ones(4, 2)}, InvalidArgumentError, "do not broadcast"),
        # bilinear pole: 1 - dt/2 lam = 0 at lam = 2/dt
        (
            {"lam": torch.tensor([2.0, -1.0]), "dt": 1.0, "method": "bilinear"},
            InvalidArgumentError,
            "1 - alpha dt lam = 0",
        ),
    ],
)
def test_diag_kernel_rejects_bad_input(kwargs, error, match):
    arguments = {"lam": LAM, "B": ONES, "C": ONES, "L": 8, "dt": 0.1} | kwargs
    with pytest.raises(error, match=match):
        diag_kernel(**arguments)


@pytest.mark.parametrize("dtype", [torch.float16, torch.bfloat16], ids=str)
def test_half_precision_is_refused(dtype):
    """Half precision is not meaningful here: torch has no complex32 exp/log1p on the CPU,
    and the phase k dt lam is off by about 2^-8 k |dt lam| radians in bfloat16 (4 radians
    after 1000 steps of |dt lam| = 1), so the kernel refuses instead of returning noise."""
    lam = torch.tensor([-0.5, -1.0], dtype=dtype)
    with pytest.raises(InvalidTypeError, match="half precision is refused"):
        diag_kernel(lam, lam, lam, 8, dt=0.1)
    with pytest.raises(InvalidTypeError, match="half precision is refused"):
        dplr_kernel(lam, lam, lam, lam, lam, 8, dt=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"P": torch.zeros(2, 2, dtype=torch.complex128)}, InvalidArgumentError, "same rank"),
        ({"P": torch.zeros(2, 0), "Q": torch.zeros(2, 0)}, InvalidArgumentError, "rank r must"),
        ({"P": torch.zeros(3, 1)}, InvalidArgumentError, r"P: expected shape \(\.\.\., N, r\)"),
        ({"Q": torch.zeros(3)}, InvalidArgumentError, "Q: a 1-D factor must have length N"),
        ({"Lambda": LAM.real.int()}, InvalidTypeError, "floating or complex"),
        ({"C": torch.ones(3)}, InvalidArgumentError, "C: expected last dimension 2"),
        ({"L": -1}, InvalidArgumentError, "L must be >= 1"),
        ({"dt": "0.1"}, InvalidTypeError, "dt"),
        ({"B": torch.tensor([1.0, float("inf")])}, InvalidArgumentError, "NaN or infinity"),
        ({"P": torch.ones(3, 2, 1), "Q": torch.ones(4, 2, 1)}, InvalidArgumentError, "broadcast"),
        # I - dt/2 A singular: Lambda = 2/dt
        ({"Lambda": torch.tensor([20.0, -1.0])}, InvalidArgumentError, "I - dt/2 A is singular"),
        # w_0 = 0 is a pole: Lambda = 0 (Ab has the eigenvalue 1 on the unit circle)
        ({"Lambda": torch.tensor([0.0, -1.0])}, InvalidArgumentError, "singular at a root"),
    ],
)
def test_dplr_kernel_rejects_bad_input(kwargs, error, match):
    arguments = {
        "Lambda": LAM,
        "P": ZERO_R,
        "Q": ZERO_R,
        "B": ONES,
        "C": ONES,
        "L": 8,
        "dt": 0.1,
    } | kwargs
    with pytest.raises(error, match=match):
        dplr_kernel(**arguments)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"Ct": torch.ones(3)}, InvalidArgumentError, "Ct: expected last dimension 2"),
        ({"Q": torch.zeros(2, 2)}, InvalidArgumentError, "same rank"),
        (
            {"B": ONES.expand(2, 2), "dt": torch.tensor([0.1, 0.2, 0.3])},
            InvalidArgumentError,
            "do not broadcast",
        ),
        ({"Lambda": torch.tensor([0.0, -1.0])}, InvalidArgumentError, "singular at a root"),
    ],
)
def test_dplr_kernel_from_ct_rejects_bad_input(kwargs, error, match):
    arguments = {
        "Lambda": LAM,
        "P": ZERO_R,
        "Q": ZERO_R,
        "B": ONES,
        "Ct": ONES,
        "L": 8,
        "dt": 0.1,
    } | kwargs
    with pytest.raises(error, match=match):
        dplr_kernel_from_ct(**arguments)


# ---------------------------------------------------------------------------------------
# Slow: the measurement grid behind the constants
# ---------------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("L", [256, 4096, 16384])
@pytest.mark.parametrize("dt", [1e-3, 1e-2, 1e-1])
@pytest.mark.parametrize("N", [16, 64])
@pytest.mark.parametrize("kind", ["lin", "inv"])
def test_sweep_s4d_vandermonde(kind, N, dt, L, dtype):
    lam, B, C = s4d_system(kind, N, dtype)
    reference = diag_reference(kind, N, dtype, dt, L, "zoh", True)
    for float64_phase in [False, True] if dtype == torch.float32 else [False]:
        K = diag_kernel(lam, B, C, L, dt=dt, float64_phase=float64_phase)
        cond = diag_kernel_condition(lam, B, C, L, dt=dt, float64_phase=float64_phase)
        algorithm = "vandermonde-f64phase" if float64_phase else "vandermonde"
        assert_kernel_close(K, reference, algorithm=algorithm, N=N // 2, cond=cond)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("method", ["bilinear", "backward_euler"])
@pytest.mark.parametrize("dt", [1e-3, 1e-1])
@pytest.mark.parametrize("kind", ["lin", "inv"])
def test_sweep_s4d_vandermonde_gbt(kind, dt, method, dtype):
    lam, B, C = s4d_system(kind, 64, dtype)
    reference = diag_reference(kind, 64, dtype, dt, 4096, method, True)
    K = diag_kernel(lam, B, C, 4096, dt=dt, method=method)
    cond = diag_kernel_condition(lam, B, C, 4096, dt=dt, method=method)
    assert_kernel_close(K, reference, algorithm="vandermonde", N=32, cond=cond)


@pytest.mark.slow
@pytest.mark.parametrize("dtype", DTYPES, ids=str)
@pytest.mark.parametrize("L", [63, 256])
@pytest.mark.parametrize("dt", [1e-3, 1e-2, 1e-1])
@pytest.mark.parametrize("N", [8, 16])
@pytest.mark.parametrize("kind", ["legs", "lin1", "inv2"])
def test_sweep_dplr(kind, N, dt, L, dtype):
    system = dplr_system(kind, N, dtype)
    K = dplr_kernel(*system, L, dt=dt)
    comparison = compare_kernel(
        K,
        dplr_reference(kind, N, dtype, dt, L),
        algorithm="dplr-woodbury",
        N=N,
        cond=dplr_kernel_condition(*system, L, dt=dt),
    )
    assert comparison.max_relative <= comparison.bound, comparison.report(f"{kind} N={N}")


def test_kernels_are_differentiable():
    """Gradients (S4/S4D train lam, B, C, P, Q, dt) match finite differences, also at lam = 0."""
    g = torch.Generator().manual_seed(4)

    def rand(*shape, scale=1.0):
        re, im = (torch.randn(*shape, generator=g, dtype=torch.float64) for _ in range(2))
        return (scale * torch.complex(re, im)).requires_grad_()

    lam = torch.tensor([0.0, -0.3 + 2j, -1.0 - 1j], dtype=torch.complex128, requires_grad=True)
    B, C, P, Q = rand(3), rand(3), rand(3, 1, scale=0.2), rand(3, 1, scale=0.2)
    dt = torch.tensor(0.1, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.gradcheck(lambda *a: diag_kernel(*a[:3], 9, dt=a[3]), (lam, B, C, dt))
    stable = lam - 0.5
    assert torch.autograd.gradcheck(
        lambda *a: dplr_kernel(*a[:5], 8, dt=a[5]), (stable, P, Q, B, C, dt)
    )


@pytest.mark.parametrize("dt", [1e-3, 1e-4])
def test_gbt_small_steps_keep_their_digits_in_float32(dt: float) -> None:
    """At small dt lam the bilinear log lam_bar must come from log1p: the log of the rounded
    lam_bar = 1 + O(dt lam) carries an absolute error ~u that k multiplies (measured with
    that planted: 5-14e-6 against bounds of 1.1-2.9e-6 here)."""
    lam = [complex(-0.5, math.pi * n) for n in range(4)]
    B, C, L = [1.0] * 4, [complex(1.0, 0.5)] * 4, 1024
    oracle = diag_oracle(lam, B, C, L, dt=dt, method="bilinear")
    tensors = [torch.tensor(v, dtype=torch.complex64) for v in (lam, B, C)]
    K = diag_kernel(*tensors, L, dt=dt, method="bilinear")
    inputs = {"lam": lam, "B": B, "C": C, "L": L, "dt": dt, "method": "bilinear"}
    assert_kernel_close(K, oracle, algorithm="vandermonde", inputs=inputs)
