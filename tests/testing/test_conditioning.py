"""Edge cases of the public conditioning functions: undefined relative errors give inf (the
gate then refuses to grade), never NaN or an exception from deep inside numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify.testing import (
    diag_kernel_condition,
    discrete_kernel_condition,
    discretize_condition,
    dplr_kernel_condition,
    dplr_kernel_condition_terms,
    h3_diag_kernel_condition,
    h3_ssm_condition,
    rtf_kernel_condition,
    rtf_recurrence_condition,
    shift_kernel_condition,
)


def test_an_exact_zero_of_a_hat_is_infinitely_ill_conditioned() -> None:
    # a(z) = 1 + z vanishes at z = -1, a root of unity of order L = 2
    assert rtf_kernel_condition([1.0], [1.0], 2) == math.inf
    assert rtf_recurrence_condition([1.0], [1.0], [1.0, 0.5], L=2) == math.inf


def test_a_zero_dplr_kernel_has_no_relative_error() -> None:
    args = ([-0.5 + 1j, -1 - 2j], [[0.25], [0.5j]], [[0.25], [0.5j]], [1, 1], [0, 0], 8)
    assert dplr_kernel_condition_terms(*args, dt=0.1) == (math.inf, math.inf)
    assert dplr_kernel_condition(*args, dt=0.1) == math.inf


def test_h3_condition_is_for_one_channel() -> None:
    q = [1.0, 0.5]
    one = h3_ssm_condition(q, q, q, [1.0], [-1 + 1j], [1j], [1], dt=0.1)
    assert math.isfinite(one) and one >= 1
    with pytest.raises(InvalidArgumentError, match="one channel"):
        h3_ssm_condition(q, q, q, [1.0], [[-1 + 1j], [-1 + 2j]], [[1j], [1j]], [[1], [1]], dt=0.1)


STEPS = {
    "zero tensor": torch.tensor([0.0625, 0.0], dtype=torch.float64),
    "negative tensor": torch.tensor([0.0625, -0.0625], dtype=torch.float64),
    "negative array": np.array([0.0625, -0.0625]),
}


@pytest.mark.parametrize("dt", STEPS.values(), ids=STEPS)
def test_a_batch_of_steps_with_one_not_positive_is_refused(dt) -> None:
    """Every entry of a tensor/array dt must be > 0 (a step <= 0 has no discretization to
    judge), as for a scalar step."""
    lam = [[-0.5 + 1j], [-0.25 + 2j]]
    ones = [[1 + 0j], [1 + 0j]]
    with pytest.raises(InvalidArgumentError, match="> 0"):
        diag_kernel_condition(lam, ones, ones, 8, dt=dt)
    with pytest.raises(InvalidArgumentError, match="> 0"):
        h3_diag_kernel_condition(lam, ones, ones, 8, dt=dt)
    with pytest.raises(InvalidArgumentError, match="> 0"):
        discretize_condition([[-1.0]], [1.0], dt[1:], "zoh")


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rtf_kernel_condition("abc", [1.0], 4), "real numbers"),
        (lambda: rtf_kernel_condition([[1.0], [1.0, 2.0]], [1.0], 4), "real numbers"),
        (lambda: rtf_kernel_condition([1j], [1.0], 4), "real values"),
        (lambda: discrete_kernel_condition(None, [1.0], [1.0], 4), "numbers"),
        (lambda: diag_kernel_condition([-1 + 1j], [1], [1], 4, dt=0.1, conj_pairs=1), "bool"),
    ],
)
def test_non_numbers_are_type_errors(call, match) -> None:
    with pytest.raises(InvalidTypeError, match=match):
        call()


def test_the_shift_condition_is_the_ratio_of_the_norms_of_the_taps() -> None:
    assert shift_kernel_condition([3.0, 4.0], 4) == 5.0 / 4.0
    assert shift_kernel_condition([3.0, 4.0, 100.0], 2) == 5.0 / 4.0  # taps beyond L unused
    assert shift_kernel_condition([0.0, 0.0], 2) == math.inf
