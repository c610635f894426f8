"""L, dt and method are checked alike in every layer: same accepted values, same errors.

Three copies of each check exist on purpose: ``hippo_verify._validation`` (below every
layer), the kernels' ``_args`` (adds tensors of steps and its own method table) and the
vendorable ``mp_oracles`` (standalone: mpmath and stdlib only). Each bad value below is fed
to every validator AND to a public function of every layer; all must raise the same
exception class with the same message, and every good value must be accepted by all.

Known, intended differences (not tested as equal): the oracles read strings exactly
("1/10" is a step there, a type error in the kernels), read integers beyond the float
range exactly (the kernels refuse dt = 10**400), and the kernels accept tensors of steps.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from fractions import Fraction
from typing import Any

import mpmath
import numpy as np
import pytest
import sympy as sp
import torch

from hippo_verify import _validation, kernels, oracles
from hippo_verify.kernels import _args
from hippo_verify.oracles import mp_oracles

_C = [1, 2, 3]
_C_T = torch.tensor(_C, dtype=torch.float64)
_A = [[-1, 0], [1, -2]]
_B = [1, 1]
_A_T = torch.tensor(_A, dtype=torch.float64)
_B_T = torch.tensor(_B, dtype=torch.float64)


class _Opaque:
    """Not a number of any kind (a fixed repr: it appears in messages and test ids)."""

    def __repr__(self) -> str:
        return "<opaque>"


_OBJECT = _Opaque()

#: name -> one-argument callable, for each argument under test.
L_CHECKS: dict[str, Callable[[Any], Any]] = {
    "_validation.require_int": lambda L: _validation.require_int("L", L, minimum=1),
    "kernels._args.require_L": _args.require_L,
    "mp_oracles.require_int": lambda L: mp_oracles.require_int("L", L, 1),
    "oracles.shift_kernel": lambda L: len(oracles.shift_kernel(_C, L)),
    "mp_oracles.shift_kernel": lambda L: len(mp_oracles.shift_kernel(_C, L)),
    "kernels.shift_kernel": lambda L: kernels.shift_kernel(_C_T, L).shape[-1],
    "oracles.rtf_impulse_response": lambda L: len(oracles.rtf_impulse_response([0.5], [1], L)),
    "kernels.rtf_impulse_response": lambda L: kernels.rtf_impulse_response(
        torch.tensor([0.5], dtype=torch.float64), torch.tensor([1.0], dtype=torch.float64), L
    ).shape[-1],
}
DT_CHECKS: dict[str, Callable[[Any], Any]] = {
    "_validation.require_step": _validation.require_step,
    "kernels._args.require_step": _args.require_step,
    "mp_oracles.require_step": mp_oracles.require_step,
    "oracles.discretize": lambda dt: oracles.discretize(_A, _B, dt).floats()[1],
    "mp_oracles.discretize": lambda dt: mp_oracles.discretize(_A, _B, dt).floats()[1],
    "kernels.discretize": lambda dt: kernels.discretize(_A_T, _B_T, dt)[1].tolist(),
}
METHOD_CHECKS: dict[str, Callable[[Any], Any]] = {
    "_validation.require_method": lambda m: _validation.require_method(m, _args.METHOD_ALPHA),
    "kernels._args.method_alpha": _args.method_alpha,
    "mp_oracles.method_alpha": mp_oracles.method_alpha,
    "oracles.discretize": lambda m: oracles.discretize(_A, _B, 0.1, m).floats()[1],
    "mp_oracles.discretize": lambda m: mp_oracles.discretize(_A, _B, 0.1, m).floats()[1],
    "kernels.discretize": lambda m: kernels.discretize(_A_T, _B_T, 0.1, m)[1].tolist(),
}

GOOD_L = [4, np.int64(4), np.int32(4), np.uint8(4), np.array(4), sp.Integer(4)]
BAD_L = [
    True,
    False,
    np.bool_(True),
    4.0,
    np.float64(4.0),
    np.float32(4.0),
    float("nan"),
    "4",
    None,
    Fraction(4),
    sp.Float(4.0),
    4 + 0j,
    _OBJECT,
    0,
    -1,
    np.int64(0),
    sp.Integer(-3),
]
GOOD_DT = [0.1, np.float64(0.1), np.float32(0.25), Fraction(1, 10), 1, np.int64(2), mpmath.mpf(0.5)]
BAD_DT = [
    True,
    np.bool_(True),
    0.1 + 0j,
    1 + 1j,
    np.complex64(0.1),
    np.complex128(1j),
    mpmath.mpc(0.5, 0),
    None,
    _OBJECT,
    [0.1],
    float("nan"),
    float("inf"),
    -math.inf,
    np.float32("nan"),
    np.float64("inf"),
    mpmath.inf,
    0,
    0.0,
    -0.1,
    np.float64(-0.1),
    Fraction(-1, 3),
    np.int64(-2),
]
GOOD_METHODS = [
    "bilinear",
    "zoh",
    "forward_euler",
    "backward_euler",
    ("gbt", 0.25),
    ("gbt", "1/3"),
    ("gbt", Fraction(1, 3)),
    ("gbt", 0),
    ("gbt", 1),
    ("gbt", np.float64(0.5)),
    ("gbt", mpmath.mpf(0.75)),
]
BAD_METHODS = [
    "rk4",
    "Bilinear",
    "",
    "gbt",
    ("gbt",),
    ("gbt", 0.5, 1),
    ["gbt", 0.5],
    ("GBT", 0.5),
    ("bilinear", 0.5),
    (1, 0.5),
    3,
    None,
    b"bilinear",
    ("gbt", True),
    ("gbt", None),
    ("gbt", _OBJECT),
    ("gbt", 1j),
    ("gbt", complex(0.5, 0)),
    ("gbt", 1.5),
    ("gbt", -0.1),
    ("gbt", "11/10"),
    ("gbt", float("nan")),
    ("gbt", math.inf),
    ("gbt", 10**400),
    ("gbt", "x"),
    ("gbt", "1/2+1j"),
]


def _outcome(check: Callable[[Any], Any], value: Any) -> tuple[str, str]:
    """(exception class name, message) of a refusal; fails the test if it is accepted."""
    try:
        check(value)
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error).__name__, str(error)
    pytest.fail(f"{value!r} was accepted")


def _assert_same_refusal(checks: dict[str, Callable[[Any], Any]], value: Any) -> None:
    outcomes = {name: _outcome(check, value) for name, check in checks.items()}
    reference = outcomes[next(iter(checks))]
    assert reference[0] in {"InvalidTypeError", "InvalidArgumentError"}, reference
    differing = {name: got for name, got in outcomes.items() if got != reference}
    assert not differing, (value, reference, differing)


@pytest.mark.parametrize("value", BAD_L, ids=repr)
def test_bad_L_is_refused_alike(value: Any) -> None:
    _assert_same_refusal(L_CHECKS, value)


@pytest.mark.parametrize("value", BAD_DT, ids=repr)
def test_bad_dt_is_refused_alike(value: Any) -> None:
    _assert_same_refusal(DT_CHECKS, value)


@pytest.mark.parametrize("value", BAD_METHODS, ids=repr)
def test_bad_method_is_refused_alike(value: Any) -> None:
    _assert_same_refusal(METHOD_CHECKS, value)


@pytest.mark.parametrize("value", GOOD_L, ids=repr)
def test_good_L_is_accepted_alike(value: Any) -> None:
    assert {name: int(check(value)) for name, check in L_CHECKS.items()} == dict.fromkeys(
        L_CHECKS, 4
    )


@pytest.mark.parametrize("value", GOOD_DT, ids=repr)
def test_good_dt_is_accepted_alike(value: Any) -> None:
    steps = {name: float(DT_CHECKS[name](value)) for name in list(DT_CHECKS)[:3]}
    assert set(steps.values()) == {float(value)}, steps
    outputs = {name: check(value) for name, check in list(DT_CHECKS.items())[3:]}
    expected = outputs["oracles.discretize"]
    for name, got in outputs.items():
        assert got == pytest.approx(expected, rel=1e-12), name


@pytest.mark.parametrize("value", GOOD_METHODS, ids=repr)
def test_good_method_is_accepted_alike(value: Any) -> None:
    alphas = {name: METHOD_CHECKS[name](value) for name in list(METHOD_CHECKS)[:3]}
    if alphas["mp_oracles.method_alpha"] is None:
        assert set(alphas.values()) == {None}, alphas
    else:
        assert len({float(alpha) for alpha in alphas.values()}) == 1, alphas
    outputs = {name: check(value) for name, check in list(METHOD_CHECKS.items())[3:]}
    expected = outputs["oracles.discretize"]
    for name, got in outputs.items():
        assert got == pytest.approx(expected, rel=1e-12), name
