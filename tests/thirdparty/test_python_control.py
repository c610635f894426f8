"""python-control graded by ``check_kernel`` through examples/python_control.py.

Skipped without the ``thirdparty`` extra. c2d, tf2ss and impulse_response agree; c2d's
output convention (scipy's Cd, Dd) and the unit-area discrete impulse (u_0 = 1/dt) disagree
by convention and the exact transform passes; ss2tf loses digits in float64 (it is scipy's
ss2tf); a one-sample impulse response raises. Numbers in examples/README.md's table.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

control = pytest.importorskip("control")

from _adapters import (  # noqa: E402  (after the skip)
    EXAMPLES,
    FAST,
    MAX_ADAPTER_LINES,
    adapter_lines,
    digits,
    failure,
    float64_inside,
    load,
)

from hippo_verify.testing import check_kernel  # noqa: E402

ctl = load("python_control")
F64, F32 = torch.float64, torch.float32


@pytest.mark.parametrize(
    ("name", "algorithm"),
    [
        ("c2d_discretize", "discretize"),
        ("tf2ss_impulse", "rtf-impulse"),
        ("impulse_response_kernel", "krylov-doubling"),
        ("c2d_kernel", "ssm-doubling"),
    ],
)
def test_python_control_agrees(name, algorithm) -> None:
    verdict = check_kernel(getattr(ctl, name), algorithm, **FAST)
    assert verdict, verdict.markdown()


def test_c2d_impulse_response_conventions_are_not_the_kernels() -> None:
    """h_0 = Dd = K_0 / 2 (bilinear) of a unit-area pulse 1/dt = 64: K_0 * 32, -1.49 digits."""
    stopped = failure(check_kernel(ctl.c2d_impulse, "ssm-doubling", **FAST), F64)
    inputs = eval(stopped.inputs)
    assert stopped.kind == "model" and inputs["method"] == "bilinear"
    assert inputs["dt"] == 1 / 64 and digits(stopped)[0] == pytest.approx(-1.49, abs=0.01)


def test_ss2tf_loses_digits_in_float64() -> None:
    """The same failure as scipy's ss2tf (python-control calls it without slycot); float32
    passes: control.ss is float64, so this is float64 work rounded once."""
    verdict = check_kernel(ctl.ss2tf_impulse, "krylov-doubling", **FAST)
    stopped = failure(verdict, F64)
    obtained, required = digits(stopped)
    assert stopped.kind == "model" and required - 3 < obtained < required  # 13.53 vs 14.85
    assert verdict.dtypes[1].passed


def _tf2ss_impulse_as_first_written(a, b, L):
    system = control.tf2ss(np.pad(b.numpy(), (0, 1)), np.insert(a.numpy(), 0, 1), 1)
    return torch.from_numpy(control.impulse_response(system, T=np.arange(L)).outputs)


def test_a_one_sample_impulse_response_raises() -> None:
    """python-control 0.10: a time vector of one point is read as the final time and
    raises (TypeError); the adapters ask for two samples. If this fails, python-control
    changed: update examples/README.md and the adapters."""
    stopped = failure(check_kernel(_tf2ss_impulse_as_first_written, "rtf-impulse", **FAST), F64)
    assert stopped.kind == "exception" and "TypeError" in stopped.message
    assert eval(stopped.inputs)["L"] == 1


@pytest.mark.parametrize(
    ("name", "algorithm", "changes", "inside"),
    [
        ("c2d_discretize", "discretize", {"method": "bilinear"}, True),
        ("c2d_discretize", "discretize", {"method": "zoh"}, True),
        ("tf2ss_impulse", "rtf-impulse", {}, False),  # control.tf keeps float32
        ("impulse_response_kernel", "krylov-doubling", {}, True),
        ("ss2tf_impulse", "krylov-doubling", {}, True),
        ("c2d_kernel", "ssm-doubling", {}, True),
    ],
)
def test_the_precision_the_docstring_claims(name, algorithm, changes, inside) -> None:
    """float32 in: computed in float64 and rounded once (inside) or rounded on the way."""
    assert float64_inside(getattr(ctl, name), algorithm, **changes) is inside


def test_each_adapter_is_short_and_in_the_readme() -> None:
    lines = adapter_lines("python_control")
    assert len(lines) == 6 and max(lines.values()) <= MAX_ADAPTER_LINES, lines
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name, count in lines.items():
        assert f"| `python_control.{name}` | {count} |" in readme, name
