"""The selective scans' conditioning numbers: they bound what float32 arithmetic loses, they
need the memory term (the LTI-style sensitivity does not), and bad input is refused.

The float32 reference here is a plain numpy loop over the spec's formulas in float32 (a
correct single-precision implementation, not the project's kernel); its error is measured
against the same loop in float64.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings

from hippo_verify._errors import InvalidArgumentError, InvalidTypeError
from hippo_verify.testing import selective_inputs
from hippo_verify.testing._bounds.selective import (
    s5_scan_condition,
    selective_scan_condition,
    ssd_condition,
)

U32 = 2.0**-24


def _loop(u, delta, A, B, C, dtype):
    """y of a (b = 1, d = 1) selective scan with constant B, C, mamba discretization."""
    u, delta = np.asarray(u, dtype), np.asarray(delta, dtype)
    A, B, C = (np.asarray(v, dtype) for v in (A, B, C))
    x = np.zeros_like(A)
    y = np.empty_like(u)
    for t in range(u.shape[0]):
        x = np.exp(delta[t] * A) * x + (delta[t] * B) * u[t]
        y[t] = (C * x).sum()
    return y


def _inputs(delta: float, L: int) -> dict:
    return {
        "u": [[[1.0] * L]],
        "delta": [[[delta] * L]],
        "A": [[-1.0, -0.5]],
        "B": [[1.0, 0.5]],
        "C": [[1.0, -0.25]],
    }


def _float32_error(inputs: dict) -> float:
    args = [np.asarray(inputs[k])[0, 0] for k in ("u", "delta")]
    args += [np.asarray(inputs[k])[0] for k in ("A", "B", "C")]
    exact = _loop(*args, np.float64)
    return float(np.abs(_loop(*args, np.float32) - exact).max() / np.abs(exact).max())


@pytest.mark.parametrize("delta", [2.0**-10, 2.0**-6, 2.0**-3])
def test_the_condition_bounds_a_float32_loop_and_grows_with_the_memory(delta: float) -> None:
    inputs = _inputs(delta, 2048)
    cond = selective_scan_condition(**inputs)
    error = _float32_error(inputs)
    assert error <= U32 * cond
    # the memory 1 / (delta |A|) is in it: 2^10 steps at the smallest step
    assert cond >= 0.25 / delta


def test_the_memory_term_is_needed() -> None:
    """A long memory (a = exp(-2^-10), ~1000 steps) with a constant step: float32 rounds a
    the same way at every step, a systematic error that the memory multiplies. A bound
    without E (|C| X / max|y|, the LTI-style sensitivity of one step) is exceeded ~100x."""
    inputs = _inputs(2.0**-10, 4096)
    error = _float32_error(inputs)
    assert error > 20 * U32 * _one_step_condition(inputs)


def _one_step_condition(inputs: dict) -> float:
    """cond without E: lg(2N) sum |C| X / max|y|, each step's own rounding only."""
    u, delta = np.asarray(inputs["u"])[0, 0], np.asarray(inputs["delta"])[0, 0]
    A, B, C = (np.asarray(inputs[k])[0] for k in ("A", "B", "C"))
    X, y, peak_bound, peak = np.zeros_like(A), np.zeros_like(A), 0.0, 0.0
    for t in range(u.shape[0]):
        a = np.exp(delta[t] * A)
        X = np.abs(a) * X + np.abs(delta[t] * B * u[t])
        y = a * y + delta[t] * B * u[t]
        peak_bound = max(peak_bound, math.log2(2 * A.size) * float(np.abs(C) @ X))
        peak = max(peak, abs(float(C @ y)))
    return peak_bound / peak


@settings(max_examples=25, deadline=None)
@given(selective_inputs.selective_scan_inputs())
def test_drawn_conditions_are_finite_or_the_output_is_zero(inputs: dict) -> None:
    cond = selective_scan_condition(**inputs)
    assert cond >= 1


@settings(max_examples=15, deadline=None)
@given(selective_inputs.ssd_inputs())
def test_drawn_ssd_conditions(inputs: dict) -> None:
    assert ssd_condition(**inputs) >= 1


@settings(max_examples=15, deadline=None)
@given(selective_inputs.s5_scan_inputs())
def test_drawn_s5_conditions(inputs: dict) -> None:
    assert s5_scan_condition(**inputs) >= 1


def test_a_zero_output_has_no_relative_error() -> None:
    inputs = _inputs(0.01, 8)
    inputs["u"] = [[[0.0] * 8]]
    assert selective_scan_condition(**inputs) == math.inf


@pytest.mark.parametrize(
    "change, error",
    [
        ({"u": [[1.0, 2.0]]}, InvalidArgumentError),  # 2-D u
        ({"delta": [[[0.1, 0.1]]]}, InvalidArgumentError),  # wrong length
        ({"A": [[-1.0, -0.5], [-1.0, -1.0]]}, InvalidArgumentError),  # 2 channels
        ({"B": [[[[1.0] * 4] * 2] * 2]}, InvalidArgumentError),  # 2 groups, 1 channel
        ({"u": [[[1j] * 4]]}, InvalidTypeError),  # complex u
        ({"u": [[[float("nan")] * 4]]}, InvalidArgumentError),
        ({"discretization": "euler"}, InvalidArgumentError),
        ({"delta_softplus": 1}, InvalidTypeError),
    ],
)
def test_bad_input_is_refused(change: dict, error: type) -> None:
    inputs = {**_inputs(0.01, 4), **change}
    with pytest.raises(error):
        selective_scan_condition(**inputs)


def test_ssd_and_s5_refuse_non_positive_steps() -> None:
    with pytest.raises(InvalidArgumentError, match="dt"):
        ssd_condition([[[[1.0]]]], [[[0.0]]], [-1.0], [[[[1.0]]]], [[[[1.0]]]])
    with pytest.raises(InvalidArgumentError, match="delta"):
        s5_scan_condition([-1 + 1j], [[1.0]], [[1.0]], [[[1.0]]], [-0.1])
