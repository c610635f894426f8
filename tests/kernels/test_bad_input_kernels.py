"""Bad input to every public torch kernel (except the RTF and H3-shift ones): one table.

Each row is (entry point, bad argument, expected error class, message fragment). The
classes: sizes beyond the ``kernel_elements`` ceiling (a huge L, a huge expanded input or
broadcast batch) refused before any allocation instead of a MemoryError, an allocator
RuntimeError or a hang; finite inputs whose result overflows the dtype refused with the
quantity that overflowed instead of inf/NaN taps; a dt that is not a positive finite real
number refused, while every NumPy floating scalar is accepted. ``test_every_entry_point_is
_covered`` keeps the table complete as kernels are added.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import hippo_verify
from hippo_verify import kernels
from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.kernels import (
    causal_conv,
    diag_kernel,
    discrete_kernel,
    discretize,
    dplr_kernel,
    dplr_kernel_from_ct,
    h3_diag_kernel,
    s5_scan,
    scan,
    selective_scan,
    selective_step,
    ssd,
    ssm_kernel,
)

F64, F32, C64, C128 = torch.float64, torch.float32, torch.complex64, torch.complex128
OWNED_ELSEWHERE = {"h3_ssm", "shift_kernel"}  # H3 shift path; rtf_* are skipped by prefix


def _entry_points() -> set[str]:
    """The public kernels of ``hippo_verify.kernels`` this file covers."""
    return {
        name
        for name in kernels.__all__
        if callable(getattr(kernels, name))
        and not name[0].isupper()
        and not name.startswith("rtf_")
        and name not in OWNED_ELSEWHERE
    }


def _system(N: int, dtype: torch.dtype = F64, scale: float = -1.0) -> tuple:
    return scale * torch.eye(N, dtype=dtype), torch.ones(N, dtype=dtype), torch.ones(N, dtype=dtype)


def _modes(N: int, dtype: torch.dtype = C128, value: complex = -0.5 + 1j) -> torch.Tensor:
    return torch.full((N,), value, dtype=dtype)


def _dplr(N: int, dtype: torch.dtype = C128, value: complex = -0.5 + 1j) -> tuple:
    zero = torch.zeros(N, 1, dtype=dtype)
    return _modes(N, dtype, value), zero, zero, torch.ones(N, dtype=dtype)


# Calls with small valid arguments and a chosen L or dt (the argument under test).
WITH_L = {
    "discrete_kernel": lambda L, N=3: discrete_kernel(*_system(N), L),
    "ssm_kernel": lambda L, N=3: ssm_kernel(*_system(N), L, dt=0.1),
    "diag_kernel": lambda L, N=2: diag_kernel(_modes(N), *_system(N, C128)[1:], L, dt=0.1),
    "h3_diag_kernel": lambda L, N=2: h3_diag_kernel(_modes(N), *_system(N, C128)[1:], L, dt=0.1),
    "dplr_kernel": lambda L, N=2: dplr_kernel(*_dplr(N), torch.ones(N, dtype=C128), L, dt=0.1),
    "dplr_kernel_from_ct": lambda L, N=2: dplr_kernel_from_ct(
        *_dplr(N), torch.ones(N, dtype=C128), L, dt=0.1
    ),
}
WITH_DT = {
    "discretize": lambda dt: discretize(*_system(3)[:2], dt),
    "ssm_kernel": lambda dt: ssm_kernel(*_system(3), 8, dt=dt),
    "diag_kernel": lambda dt: diag_kernel(_modes(2), *_system(2, C128)[1:], 8, dt=dt),
    "h3_diag_kernel": lambda dt: h3_diag_kernel(_modes(2), *_system(2, C128)[1:], 8, dt=dt),
    "dplr_kernel": lambda dt: dplr_kernel(*_dplr(2), torch.ones(2, dtype=C128), 8, dt=dt),
    "dplr_kernel_from_ct": lambda dt: dplr_kernel_from_ct(
        *_dplr(2), torch.ones(2, dtype=C128), 8, dt=dt
    ),
}


def _huge(n: int, dtype: torch.dtype = F64) -> torch.Tensor:
    """A length-n input that takes no memory (stride 0)."""
    return torch.zeros(1, dtype=dtype).expand(n)


def _broadcast_batch() -> tuple:
    """A (2^16, 1, 2, 2) and B (2^16, 2): a broadcast batch of 2^32 systems."""
    A = -torch.eye(2, dtype=F64).expand(2**16, 1, 2, 2)
    return A, torch.ones(2, dtype=F64).expand(2**16, 2)


_HUGE = (InvalidArgumentError, "kernel_elements")

# (entry point, bad argument, call, error class, message fragment)
SIZE_CASES = [
    *[
        (name, "L = 10**12", lambda call=call: call(10**12), *_HUGE)
        for name, call in WITH_L.items()
    ],
    ("discrete_kernel", "N x L = 2^32", lambda: WITH_L["discrete_kernel"](2**28, 16), *_HUGE),
    ("ssm_kernel", "N x L = 2^32", lambda: WITH_L["ssm_kernel"](2**28, 16), *_HUGE),
    ("diag_kernel", "N x L = 2^32", lambda: WITH_L["diag_kernel"](2**30, 4), *_HUGE),
    ("h3_diag_kernel", "N x L = 2^32", lambda: WITH_L["h3_diag_kernel"](2**30, 4), *_HUGE),
    ("dplr_kernel", "N x L = 2^32", lambda: WITH_L["dplr_kernel"](2**29, 8), *_HUGE),
    (
        "dplr_kernel_from_ct",
        "N x L = 2^32",
        lambda: WITH_L["dplr_kernel_from_ct"](2**29, 8),
        *_HUGE,
    ),
    ("discretize", "batch 2^32", lambda: discretize(*_broadcast_batch(), 0.1), *_HUGE),
    ("causal_conv", "expanded u of 2^32", lambda: causal_conv(_huge(2**32), torch.ones(3)), *_HUGE),
    (
        "causal_conv",
        "batch x n = 2^32",
        lambda: causal_conv(torch.ones(2**16, 1, 4), torch.ones(2**16, 4)),
        *_HUGE,
    ),
    ("scan", "expanded u of 2^32", lambda: scan(*_system(1), _huge(2**32)), *_HUGE),
    ("scan", "2^24 sequential steps", lambda: scan(*_system(1), _huge(2**24)), *_HUGE),
]

# Finite inputs, results beyond the dtype's range.
OVERFLOW_CASES = [
    (
        "discretize",
        "zoh, e^(100 A) > float32 max",
        lambda: discretize(*_system(2, F32, 1.0)[:2], 100.0, "zoh"),
        InvalidArgumentError,
        "||A dt||_1",
    ),
    (
        "discretize",
        "bilinear, dt A = -1e40 in float32",
        lambda: discretize(*_system(2, F32, -1e30)[:2], 1e10),
        InvalidArgumentError,
        "overflowed torch.float32",
    ),
    (
        "ssm_kernel",
        "zoh, e^(1000 A) > float64 max",
        lambda: ssm_kernel(*_system(2, F64, 1.0), 4, dt=1000.0, method="zoh"),
        InvalidArgumentError,
        "||A dt||_1",
    ),
    (
        "ssm_kernel",
        "unstable, (5/3)^k > float32 max",
        lambda: ssm_kernel(*_system(2, F32, 0.5), 400, dt=1.0),
        InvalidArgumentError,
        "||Ab||_1 = 1.66667",
    ),
    (
        "discrete_kernel",
        "2^k > float64 max",
        lambda: discrete_kernel(*_system(2, F64, 2.0), 2000),
        InvalidArgumentError,
        "||Ab||_1 = 2",
    ),
    *[
        (
            "scan",
            f"{mode}, 2^k > float32 max",
            lambda mode=mode: scan(*_system(2, F32, 2.0), torch.ones(200), mode=mode),
            InvalidArgumentError,
            "||Ab||_1 = 2",
        )
        for mode in kernels.SCAN_MODES
    ],
    (
        "causal_conv",
        "|y| ~ 4e39 > float32 max",
        lambda: causal_conv(torch.full((4,), 1e38), torch.full((4,), 10.0)),
        InvalidArgumentError,
        "max|u| max|K| L",
    ),
    (
        "diag_kernel",
        "e^(199) > float32 max",
        lambda: diag_kernel(_modes(1, C64, 1.0), *_system(1, C64)[1:], 200, dt=1.0),
        InvalidArgumentError,
        "Re(log lam_bar_n) (L - 1) = 199",
    ),
    (
        "h3_diag_kernel",
        "e^(199) > float32 max",
        lambda: h3_diag_kernel(_modes(1, C64, 1.0), *_system(1, C64)[1:], 200, dt=1.0),
        InvalidArgumentError,
        "Re(log lam_bar_n) (L - 1) = 199",
    ),
    (
        "dplr_kernel",
        "Ab^400 > complex64 max",
        lambda: dplr_kernel(*_dplr(2, C64, 0.5), torch.ones(2, dtype=C64), 400, dt=1.0),
        InvalidArgumentError,
        "||Ab^L||",
    ),
    (
        "dplr_kernel_from_ct",
        "Ct B ~ 1e48 in complex64",
        lambda: dplr_kernel_from_ct(
            _modes(2, C64),
            *_dplr(2, C64)[1:3],
            torch.full((2,), 1e10, dtype=C64),
            torch.full((2,), 1e38, dtype=C64),
            8,
            dt=0.1,
        ),
        InvalidArgumentError,
        "overflowed torch.complex64",
    ),
]

# The selective scans (Mamba S6, Mamba-2 SSD, S5).


def _expanded(*shape, dtype=F64, value=0.0):
    """A tensor of ``shape`` that takes no memory (stride 0)."""
    return torch.full((1,) * len(shape), value, dtype=dtype).expand(*shape)


_A11, _B11 = -torch.ones(1, 1, dtype=F64), torch.ones(1, 1, dtype=F64)
_S5 = (
    torch.full((1,), -0.5 + 1j, dtype=C128),
    torch.ones(1, 1, dtype=C128),
    torch.ones(1, 1, dtype=C128),
)

SELECTIVE_SIZE_CASES = [
    (
        "selective_scan",
        "expanded u of 2^32",
        lambda: selective_scan(_expanded(1, 1, 2**32), _expanded(1, 1, 2**32), _A11, _B11, _B11),
        *_HUGE,
    ),
    (
        "selective_scan",
        "2^24 sequential steps",
        lambda: selective_scan(
            _expanded(1, 1, 2**24), _expanded(1, 1, 2**24, value=0.1), _A11, _B11, _B11
        ),
        *_HUGE,
    ),
    (
        "selective_step",
        "expanded state of 2^32",
        lambda: selective_step(
            _expanded(1, 2**16, 2**16),
            torch.ones(1, 2**16, dtype=F64),
            torch.ones(1, 2**16, dtype=F64),
            _expanded(2**16, 2**16),
            _expanded(2**16, 2**16),
            _expanded(2**16, 2**16),
        ),
        *_HUGE,
    ),
    (
        "ssd",
        "expanded X of 2^32",
        lambda: ssd(
            _expanded(1, 2**30, 1, 4),
            _expanded(1, 2**30, 1, value=0.1),
            -torch.ones(1, dtype=F64),
            _expanded(1, 2**30, 1, 1),
            _expanded(1, 2**30, 1, 1),
        ),
        *_HUGE,
    ),
    (
        "s5_scan",
        "expanded u of 2^32",
        lambda: s5_scan(*_S5, _expanded(1, 2**32, 1), torch.ones(1, dtype=F64)),
        *_HUGE,
    ),
]
SELECTIVE_OVERFLOW_CASES = [
    (
        "selective_scan",
        "A = 400, delta = 1, L = 4",
        lambda: selective_scan(
            torch.ones(1, 1, 4, dtype=F64),
            torch.ones(1, 1, 4, dtype=F64),
            torch.full((1, 1), 400.0, dtype=F64),
            _B11,
            _B11,
        ),
        InvalidArgumentError,
        "overflowed",
    ),
    (
        "selective_step",
        "state 1e300 grows by e^400",
        lambda: selective_step(
            torch.full((1, 1, 1), 1e300, dtype=F64),
            torch.ones(1, 1, dtype=F64),
            torch.ones(1, 1, dtype=F64),
            torch.full((1, 1), 400.0, dtype=F64),
            _B11,
            _B11,
        ),
        InvalidArgumentError,
        "overflowed",
    ),
    (
        "ssd",
        "A = 1000, dt = 1, L = 4",
        lambda: ssd(
            torch.ones(1, 4, 1, 1, dtype=F64),
            torch.ones(1, 4, 1, dtype=F64),
            torch.full((1,), 1e3, dtype=F64),
            torch.ones(1, 4, 1, 1, dtype=F64),
            torch.ones(1, 4, 1, 1, dtype=F64),
        ),
        InvalidArgumentError,
        "overflowed",
    ),
    (
        "s5_scan",
        "Lambda = 1000, delta = 1, L = 4",
        lambda: s5_scan(
            torch.full((1,), 1e3 + 0j, dtype=C128),
            *_S5[1:],
            torch.ones(1, 4, 1, dtype=F64),
            torch.ones(1, dtype=F64),
        ),
        InvalidArgumentError,
        "overflowed",
    ),
]

SIZE_CASES += SELECTIVE_SIZE_CASES
OVERFLOW_CASES += SELECTIVE_OVERFLOW_CASES

_BAD_STEPS = [
    ("bool", True, InvalidTypeError),
    ("numpy bool", np.bool_(True), InvalidTypeError),
    ("numpy complex", np.complex64(0.1), InvalidTypeError),
    ("python complex", 0.1 + 0j, InvalidTypeError),
    ("numpy float32 NaN", np.float32("nan"), InvalidArgumentError),
    ("numpy float32 inf", np.float32("inf"), InvalidArgumentError),
    ("numpy float32 0", np.float32(0), InvalidArgumentError),
    ("numpy float64 < 0", np.float64(-0.1), InvalidArgumentError),
    ("int beyond float", 10**400, InvalidArgumentError),
]
STEP_CASES = [
    (name, f"dt {label}", lambda call=call, dt=dt: call(dt), error, "dt")
    for name, call in WITH_DT.items()
    for label, dt, error in _BAD_STEPS
]

TABLE = SIZE_CASES + OVERFLOW_CASES + STEP_CASES


@pytest.mark.parametrize(
    ("entry", "bad", "call", "error", "fragment"),
    TABLE,
    ids=[f"{entry}-{bad}" for entry, bad, *_ in TABLE],
)
def test_bad_input_is_refused_with_a_clear_error(entry, bad, call, error, fragment):
    with pytest.raises(error) as caught:
        call()
    assert fragment in str(caught.value)


@pytest.mark.parametrize(
    ("cases", "applies_to"),
    [
        (SIZE_CASES, "all"),
        (OVERFLOW_CASES, "all"),
        (STEP_CASES, "dt"),
        ([case for case in SIZE_CASES if case[1] == "L = 10**12"], "L"),
    ],
    ids=["sizes", "overflow", "dt", "huge L"],
)
def test_every_entry_point_is_covered(cases, applies_to):
    """Each class of bad input has a row for every kernel it applies to."""
    expected = {"all": _entry_points(), "dt": set(WITH_DT), "L": set(WITH_L)}[applies_to]
    assert {entry for entry, *_ in cases} == expected
    assert set(WITH_DT) | set(WITH_L) <= _entry_points()


@pytest.mark.parametrize("entry", sorted(WITH_DT))
@pytest.mark.parametrize("scalar", [np.float16, np.float32, np.float64, np.longdouble])
def test_numpy_floating_dt_is_accepted(entry, scalar):
    """dt = 0.125 is exact in every width, so each gives the Python-float result bit for bit."""
    got = WITH_DT[entry](scalar(0.125))
    want = WITH_DT[entry](0.125)
    for g, w in zip(
        got if isinstance(got, tuple) else (got,), want if isinstance(want, tuple) else (want,)
    ):
        assert torch.equal(g, w)


def test_the_size_ceiling_is_the_named_limit_and_can_be_raised():
    """discrete_kernel of N = 3, L = 32 allocates a 3 x 32 block: refused under a ceiling of
    64 elements, run under one of 96 (the message says how to raise it)."""
    with hippo_verify.size_limits(kernel_elements=64):
        with pytest.raises(InvalidArgumentError, match=r"size_limits\(kernel_elements=96\)"):
            WITH_L["discrete_kernel"](32)
    with hippo_verify.size_limits(kernel_elements=96):
        assert WITH_L["discrete_kernel"](32).shape == (32,)


def test_results_just_inside_the_range_are_returned():
    """The overflow check is on the result only: a kernel that grows to near the dtype's
    maximum without passing it is returned (2^k, k < 127, in float32)."""
    K = discrete_kernel(*_system(1, F32, 2.0), 127)
    assert bool(torch.isfinite(K).all()) and K[-1].item() == 2.0**126
    assert math.isfinite(causal_conv(torch.full((2,), 1e37), torch.ones(2)).abs().max().item())
