"""``check_recurrence``: step and scan forms graded on impulses and drawn signals.

The project's recurrent kernels pass in scan form and as step functions; a step form that
disagrees with its own convolution form (a transposed solve in the set-up, a transposed
transition, an output read before the update) fails.
"""

from __future__ import annotations

import pytest
import torch

from hippo_verify import InvalidArgumentError, InvalidTypeError, kernels
from hippo_verify.testing import check_recurrence
from hippo_verify.testing.grader import RECURRENT_SIGNALS

FAST = {"examples": 8, "shrink": False}


@pytest.mark.parametrize("name", sorted(RECURRENT_SIGNALS))
def test_the_projects_recurrent_kernels_pass(name: str) -> None:
    from hippo_verify.testing import ALGORITHMS

    record = ALGORITHMS[name]

    def scan(*args, **kwargs):
        return record.kernel(*args, **kwargs, **record.options)

    assert check_recurrence(scan, name, **FAST)


def _dense_init(Ab, Bb, C):
    return torch.zeros_like(Bb), (Ab, Bb, C)


def _dense_step(x, u_t, system):
    Ab, Bb, C = system
    x = Ab @ x + Bb * u_t  # x_k = Ab x_{k-1} + Bb u_k, y_k = C x_k
    return x, C @ x


def test_a_dense_step_function_passes() -> None:
    assert check_recurrence(_dense_step, "scan-sequential", form="step", init=_dense_init, **FAST)


def test_a_transposed_transition_fails_on_the_impulse() -> None:
    def transposed(x, u_t, system):
        Ab, Bb, C = system
        x = Ab.T @ x + Bb * u_t
        return x, C @ x

    verdict = check_recurrence(transposed, "scan-sequential", form="step", init=_dense_init, **FAST)
    assert not verdict and verdict.dtypes[0].failure.kind in ("model", "reference")


def test_an_output_read_before_the_update_fails() -> None:
    def pre_update(x, u_t, system):
        Ab, Bb, C = system
        y = C @ x  # y_k = C x_{k-1}: the kernel shifted by one tap
        return Ab @ x + Bb * u_t, y

    verdict = check_recurrence(pre_update, "scan-sequential", form="step", init=_dense_init, **FAST)
    assert not verdict


def _rtf_init(a, b, *, L, solve_transposed=False):
    """The companion recurrence's set-up: Cbar = b (I - A^L)^{-1}, a row vector, i.e. the
    solve (I - A^L)^T Cbar^T = b^T."""
    d = a.shape[-1]
    A = torch.zeros(d, d, dtype=a.dtype)
    A[0] = -a
    A[1:, :-1] = torch.eye(d - 1, dtype=a.dtype)
    M = torch.eye(d, dtype=a.dtype) - torch.linalg.matrix_power(A, L)
    Cbar = torch.linalg.solve(M if solve_transposed else M.T, b)
    return torch.zeros_like(a), (a, Cbar)


def _rtf_step(state, u_t, context):
    a, Cbar = context
    return kernels.rtf_step(state, u_t, a, Cbar)


def test_an_rtf_companion_step_passes() -> None:
    assert check_recurrence(_rtf_step, "rtf-recurrence", form="step", init=_rtf_init, **FAST)


def test_a_transposed_solve_in_the_rtf_set_up_fails() -> None:
    def init(a, b, *, L):
        return _rtf_init(a, b, L=L, solve_transposed=True)

    verdict = check_recurrence(_rtf_step, "rtf-recurrence", form="step", init=init, **FAST)
    assert not verdict
    assert verdict.dtypes[0].failure.kind in ("model", "reference")


def _h3_init(shift_C, lam, B, C, *, dt, expm1=torch.expm1):
    dlam = lam * dt
    lam_bar, Bb = torch.exp(dlam), B * expm1(dlam) / lam
    shift = torch.zeros_like(shift_C)
    return (shift, torch.zeros_like(lam)), (shift_C, lam_bar, Bb, C)


def test_exp_minus_one_in_an_h3_step_fails() -> None:
    """exp(x) - 1 instead of expm1 in the ZOH weights loses ~u/|dt lam| in float32: the
    reference check catches it where the audited H3 model alone admits it at small steps."""

    def init(*args, dt):
        return _h3_init(*args, dt=dt, expm1=lambda x: torch.exp(x) - 1)

    verdict = check_recurrence(
        _h3_step, "h3-recurrence", form="step", init=init, dtypes=[torch.float32], **FAST
    )
    assert not verdict


def _h3_step(state, sample, context):
    q_t, k_t, v_t = sample
    shift, x = state
    shift_C, lam_bar, Bb, C = context
    shift = torch.cat([k_t.reshape(1), shift[:-1]])
    x = lam_bar * x + Bb * ((shift_C @ shift) * v_t)
    return (shift, x), q_t * 2 * (C * x).sum().real


def test_an_h3_step_function_passes() -> None:
    """H3 per time step: shift state (k_t, ..., k_{t-d+1}), diagonal state per mode."""
    init = _h3_init

    assert check_recurrence(_h3_step, "h3-recurrence", form="step", init=init, **FAST)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"algorithm": "vandermonde"}, InvalidArgumentError, "no recurrent form"),
        ({"algorithm": "scan-sequential", "form": "loop"}, InvalidArgumentError, "form"),
        ({"algorithm": "scan-sequential", "form": "step"}, InvalidTypeError, "init"),
    ],
)
def test_bad_arguments_are_refused(kwargs, error, match) -> None:
    with pytest.raises(error, match=match):
        check_recurrence(_dense_step, **kwargs)
