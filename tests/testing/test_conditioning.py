"""Edge cases of the public conditioning functions: undefined relative errors give inf (the
gate then refuses to grade), never NaN or an exception from deep inside numpy."""

from __future__ import annotations

import math

import pytest

from hippo_verify import InvalidArgumentError
from hippo_verify.testing import (
    dplr_kernel_condition,
    dplr_kernel_condition_terms,
    h3_ssm_condition,
    rtf_kernel_condition,
    rtf_recurrence_condition,
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
