"""Inputs of the mpmath oracles: every exact form of a number gives the same bits, and bad
input is refused with hippo-verify's errors before any work.

Exact forms (ints, Fractions, decimal strings, sympy numbers and matrices, numpy arrays,
mpmath numbers and matrices, complex strings) of the same values must give bit-for-bit the
same certified result; floats are read as the binary values they hold, so they are
compared with the Fraction of that binary value. Values that are not rational (sqrt, exp)
are checked against the exact sympy route.
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify import oracles as O
from hippo_verify import symbolic as S
from hippo_verify.oracles import mp_oracles as core

R = sp.Rational
F = Fraction
I = sp.I  # noqa: E741 (the imaginary unit)
BAD = (InvalidArgumentError, InvalidTypeError)


def bits(result):
    values = result.values
    flat = [v for row in values for v in row] if isinstance(values[0], list) else values
    return [v._mpc_ if isinstance(v, mpmath.mpc) else v._mpf_ for v in flat]


def rel_err(got, expected):
    with mpmath.workprec(500):
        exp = [sp.sympify(v)._to_mpmath(500) for v in expected]
        scale = max(abs(v) for v in exp)
        return max(abs(mpmath.mpmathify(g) - e) for g, e in zip(got, exp)) / scale


def kernel(A, B, C, dt, **kw):
    return O.ssm_kernel(A, B, C, 8, dt=dt, method="bilinear", **kw)


# A dyadic system, so that every form (floats too) holds exactly the same values.
A_FRAC = [[F(-1), F(1, 4)], [F(3, 8), F(-5, 2)]]
B_FRAC = [F(1), F(-1, 2)]
C_FRAC = [F(3, 4), F(2)]
DT_FRAC = F(1, 8)


def equivalent_forms():
    def mp(v):
        return mpmath.mpf(v.numerator) / v.denominator

    return {
        "ints-and-fractions": (A_FRAC, B_FRAC, C_FRAC, DT_FRAC),
        "fraction-strings": (
            [[str(v) for v in row] for row in A_FRAC],
            [str(v) for v in B_FRAC],
            [str(v) for v in C_FRAC],
            "1/8",
        ),
        "decimal-strings": (
            [["-1", "0.25"], ["0.375", "-2.5"]],
            ["1", "-0.5"],
            ["0.75", "2"],
            "0.125",
        ),
        "floats": ([[-1.0, 0.25], [0.375, -2.5]], [1.0, -0.5], [0.75, 2.0], 0.125),
        "sympy": (
            sp.Matrix([[-1, R(1, 4)], [R(3, 8), R(-5, 2)]]),
            sp.Matrix([1, R(-1, 2)]),  # a column
            sp.Matrix([[R(3, 4), 2]]),  # a row
            R(1, 8),
        ),
        "sympy-floats": (
            sp.Matrix([[sp.Float(-1), sp.Float(0.25)], [sp.Float(0.375), sp.Float(-2.5)]]),
            [sp.Float(1), sp.Float(-0.5)],
            [sp.Float(0.75), sp.Integer(2)],
            sp.Float(0.125),
        ),
        "numpy-float64": (
            np.array(A_FRAC, dtype=np.float64),
            np.array(B_FRAC, dtype=np.float64).reshape(2, 1),
            np.array(C_FRAC, dtype=np.float64),
            np.float64(0.125),
        ),
        "numpy-float32": (
            np.array(A_FRAC, dtype=np.float32),
            np.array(B_FRAC, dtype=np.float32),
            np.array(C_FRAC, dtype=np.float32).reshape(1, 2),
            np.float32(0.125),
        ),
        "mpmath": (
            mpmath.matrix([[mp(v) for v in row] for row in A_FRAC]),
            mpmath.matrix([mp(v) for v in B_FRAC]),
            [mp(v) for v in C_FRAC],
            mpmath.mpf("0.125"),
        ),
        "complex-with-zero-imaginary-part": (
            [[complex(v) for v in row] for row in A_FRAC],
            ["1+0j", "-1/2-0j"],
            [mpmath.mpc(0.75, 0), 2 + 0 * I],
            "0.125",
        ),
    }


@pytest.mark.parametrize("form", list(equivalent_forms()))
def test_every_exact_form_gives_the_same_bits(form):
    reference = kernel(A_FRAC, B_FRAC, C_FRAC, DT_FRAC)
    result = kernel(*equivalent_forms()[form])
    assert bits(result) == bits(reference)
    assert (result.digits, result.prec) == (reference.digits, reference.prec)
    assert all(isinstance(v, mpmath.mpf) for v in result.values)
    exact = S.power_kernel(
        *S.discretize(sp.Matrix(A_FRAC), sp.Matrix(B_FRAC), R(1, 8), "bilinear"),
        sp.Matrix([C_FRAC]),
        8,
    )
    assert rel_err(result.values, exact) < mpmath.mpf(10) ** -result.digits


def test_decimal_string_is_exactly_one_tenth_not_the_float():
    """'0.1' = Fraction(1, 10) bit for bit; float 0.1 is 0.1 + 5.55e-18, seen at digit 17."""
    A, B, C = [[-1, 0], [F(1, 2), -3]], [1, 2], [1, -1]
    tenth = O.ssm_kernel(A, B, C, 6, dt=F(1, 10), method="zoh", digits=30)
    string = O.ssm_kernel(A, B, C, 6, dt="0.1", method="zoh", digits=30)
    binary = O.ssm_kernel(A, B, C, 6, dt=0.1, method="zoh", digits=30)
    as_fraction = O.ssm_kernel(A, B, C, 6, dt=Fraction(0.1), method="zoh", digits=30)
    assert bits(string) == bits(tenth)
    assert bits(binary) == bits(as_fraction)
    with mpmath.workprec(300):
        scale = max(abs(v) for v in tenth.values)
        diff = max(abs(a - b) for a, b in zip(tenth.values, binary.values)) / scale
    assert mpmath.mpf(10) ** -19 < diff < mpmath.mpf(10) ** -16


def test_numpy_arrays_hold_their_binary_values():
    """float64 0.1 and float32 0.1 are the Fractions of their binary values."""
    A64 = np.array([[-0.1, 0.0], [0.3, -0.7]])
    A32 = A64.astype(np.float32)
    B, C = [1, 1], [1, 2]
    for array in (A64, A32):
        exact = [[Fraction(float(v)) for v in row] for row in array]
        assert bits(kernel(array, B, C, "1/4")) == bits(kernel(exact, B, C, "1/4"))
    assert bits(kernel(A64, B, C, "1/4")) != bits(kernel(A32, B, C, "1/4"))


def test_mpmath_numbers_hold_their_binary_values():
    with mpmath.workdps(50):
        tenth_50 = mpmath.mpf(1) / 10
    tenth_53 = mpmath.mpf("0.1")  # the global 53-bit default: float 0.1
    C = [1, 2]
    A = [[-1, 0], [1, -2]]
    assert bits(kernel(A, [tenth_53, 1], C, 1)) == bits(kernel(A, [0.1, 1], C, 1))
    exact_50 = _fraction_of(tenth_50)
    assert bits(kernel(A, [tenth_50, 1], C, 1)) == bits(kernel(A, [exact_50, 1], C, 1))
    assert exact_50 != Fraction(1, 10) and exact_50 != Fraction(0.1)


def _fraction_of(x):
    sign, man, exp, _ = x._mpf_
    value = Fraction(int(man)) * Fraction(2) ** exp
    return -value if sign else value


def test_complex_forms_give_the_same_bits():
    B, C = [1, "1/2-1j"], ["2+1j", -1]
    forms = [
        ["-1/2+3j", "-1/5-1/2j"],
        ["-0.5+3j", "-0.2-0.5j"],
        [R(-1, 2) + 3 * I, R(-1, 5) - I / 2],
        sp.Matrix([R(-1, 2) + 3 * I, R(-1, 5) - I / 2]),
    ]
    results = [O.diag_kernel(v, B, C, 7, dt="1/10", conj_pairs=False) for v in forms]
    for result in results[1:]:
        assert bits(result) == bits(results[0])
    # binary forms: -1/5 is not dyadic, so compare with the Fraction of the float
    binary = [complex(-0.5, 3), mpmath.mpc(-0.2, -0.5)]
    exact = ["-1/2+3j", f"{Fraction(-0.2)}-1/2j"]
    via_binary = O.diag_kernel(binary, B, C, 7, dt="1/10", conj_pairs=False)
    via_numpy = O.diag_kernel(np.array(binary), B, C, 7, dt="1/10", conj_pairs=False)
    via_exact = O.diag_kernel(exact, B, C, 7, dt="1/10", conj_pairs=False)
    assert bits(via_binary) == bits(via_exact) == bits(via_numpy)


def test_sympy_radicals_and_constants_against_the_exact_route():
    """sqrt entries (LegS) and generic constants (exp(1/3), pi) are evaluated afresh at each
    working precision: the result is certified against the exact sympy kernel."""
    A, B = S.hippo("legs", 3)
    C = [sp.exp(R(1, 3)), -sp.sqrt(2), 1]
    for method, dt in [("bilinear", R(1, 10)), ("zoh", sp.pi / 10)]:
        result = O.ssm_kernel(A, B, C, 6, dt=dt, method=method)
        Ab, Bb = S.discretize(A, B, dt, method)
        exact = S.power_kernel(Ab, Bb, sp.Matrix([C]), 6)
        assert result.digits >= 30
        assert rel_err(result.values, exact) < mpmath.mpf(10) ** -result.digits


def test_sympy_gbt_alpha_is_accepted():
    A, B, C = [[-1, 0], [1, -2]], [1, 1], [1, 2]
    with_fraction = O.ssm_kernel(A, B, C, 5, dt=1, method=("gbt", F(1, 3)))
    with_sympy = O.ssm_kernel(A, B, C, 5, dt=1, method=("gbt", R(1, 3)))
    assert bits(with_sympy) == bits(with_fraction)


@pytest.mark.parametrize("text, value", [("+1j", 1j), ("-1j", -1j), ("1/2+j", 0.5 + 1j)])
def test_complex_strings_with_signed_imaginary_part(text, value):
    assert bits(O.shift_kernel([text], 1)) == bits(O.shift_kernel([value], 1))


@pytest.mark.parametrize(
    "text, same",
    [("1j", "0+1j"), ("2.5j", "0+5/2j"), ("-1e-3j", "0-1/1000j"), ("1e-3-2e2j", "1/1000-200j")],
)
def test_complex_strings_python_writes_are_read_exactly(text, same):
    """Forms Python's complex() reads: a bare imaginary part, exponents (read exactly)."""
    assert bits(O.shift_kernel([text], 1)) == bits(O.shift_kernel([same], 1))


# ---------------------------------------------------------------------------------------
# Bad input: refused before any work
# ---------------------------------------------------------------------------------------

A2, B2, C2 = [[-1, 0], [1, -2]], [1, 1], [1, 2]
LAM, P1 = ["-1/2+1j", "-1/2-2j"], [1, "1/2"]
ONE = lambda s, ctx: ctx.one  # noqa: E731

BAD_CALLS = {
    "A not square": lambda: O.ssm_kernel([[1, 2, 3], [4, 5, 6]], B2, C2, 4, dt=1),
    "A ragged": lambda: O.ssm_kernel([[1, 2], [3]], B2, C2, 4, dt=1),
    "A a vector": lambda: O.ssm_kernel([1, 2], B2, C2, 4, dt=1),
    "A a scalar": lambda: O.ssm_kernel(3, B2, C2, 4, dt=1),
    "A empty": lambda: O.ssm_kernel([], [], [], 4, dt=1),
    "B too long": lambda: O.ssm_kernel(A2, [1, 1, 1], C2, 4, dt=1),
    "C too short": lambda: O.ssm_kernel(A2, B2, [1], 4, dt=1),
    "B a matrix": lambda: O.ssm_kernel(A2, [[1, 2], [3, 4]], C2, 4, dt=1),
    "L = 0": lambda: O.ssm_kernel(A2, B2, C2, 0, dt=1),
    "L float": lambda: O.ssm_kernel(A2, B2, C2, 4.0, dt=1),
    "L bool": lambda: O.ssm_kernel(A2, B2, C2, True, dt=1),
    "L string": lambda: O.ssm_kernel(A2, B2, C2, "4", dt=1),
    "dt = 0": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=0),
    "dt < 0": lambda: O.ssm_kernel(A2, B2, C2, 4, dt="-1/10"),
    "dt complex": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1 + 1j),
    "dt complex string": lambda: O.ssm_kernel(A2, B2, C2, 4, dt="1/2+1/2j"),
    "dt sympy complex": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1 + I),
    "dt sympy negative": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=-sp.sqrt(2)),
    "dt nan": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=float("nan")),
    "dt inf": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=float("inf")),
    "float nan": lambda: O.ssm_kernel([[float("nan"), 0], [1, -2]], B2, C2, 4, dt=1),
    "float inf": lambda: O.ssm_kernel(A2, [float("-inf"), 1], C2, 4, dt=1),
    "complex nan": lambda: O.ssm_kernel(A2, [complex(1, float("nan")), 1], C2, 4, dt=1),
    "numpy nan": lambda: O.ssm_kernel(np.array([[np.nan, 0], [1, -2]]), B2, C2, 4, dt=1),
    "numpy inf scalar": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=np.float64(np.inf)),
    "string nan": lambda: O.ssm_kernel(A2, ["nan", 1], C2, 4, dt=1),
    "string inf": lambda: O.ssm_kernel(A2, B2, ["inf", 1], 4, dt=1),
    "mpmath nan": lambda: O.ssm_kernel(A2, [mpmath.nan, 1], C2, 4, dt=1),
    "mpmath inf": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=mpmath.inf),
    "mpmath complex nan": lambda: O.ssm_kernel(A2, [mpmath.mpc(1, mpmath.nan), 1], C2, 4, dt=1),
    "sympy nan": lambda: O.ssm_kernel(A2, [sp.nan, 1], C2, 4, dt=1),
    "sympy oo": lambda: O.ssm_kernel(A2, [sp.oo, 1], C2, 4, dt=1),
    "sympy zoo": lambda: O.ssm_kernel(A2, [sp.zoo, 1], C2, 4, dt=1),
    "sympy symbol": lambda: O.ssm_kernel(A2, [sp.Symbol("x"), 1], C2, 4, dt=1),
    "None entry": lambda: O.ssm_kernel(A2, [None, 1], C2, 4, dt=1),
    "bool entry": lambda: O.ssm_kernel(A2, [True, 1], C2, 4, dt=1),
    "object entry": lambda: O.ssm_kernel(A2, [object(), 1], C2, 4, dt=1),
    "garbage string": lambda: O.ssm_kernel(A2, ["abc", 1], C2, 4, dt=1),
    "unknown method": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method="euler"),
    "gbt without alpha": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method="gbt"),
    "method not a name": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method=3),
    "alpha < 0": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method=("gbt", F(-1, 10))),
    "alpha > 1": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method=("gbt", "11/10")),
    "alpha complex": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, method=("gbt", "1/2+1j")),
    "alpha nan": lambda: O.discretize(A2, B2, 1, ("gbt", float("nan"))),
    "discretize unknown method": lambda: O.discretize(A2, B2, 1, "trapezoid"),
    "unknown algorithm": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, algorithm="fft"),
    "eigen on a dense A": lambda: O.ssm_kernel(
        [[1, 2], [3, 4]], B2, C2, 4, dt=1, algorithm="triangular-eigen"
    ),
    "digits = 0": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, digits=0),
    "digits float": lambda: O.discrete_kernel(A2, B2, C2, 4, digits=30.0),
    "digits beyond max_prec": lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1, digits=100, max_prec=256),
    "max_prec < 64": lambda: O.causal_conv([1], [1], max_prec=32),
    "discrete L = 0": lambda: O.discrete_kernel(A2, B2, C2, 0),
    "continuous t complex": lambda: O.continuous_kernel(A2, B2, C2, "1+1j"),
    "continuous t nan": lambda: O.continuous_kernel(A2, B2, C2, [1, float("nan")]),
    "diag B wrong length": lambda: O.diag_kernel(LAM, [1], [1, 1], 4, dt=1),
    "diag conj_pairs not bool": lambda: O.diag_kernel(LAM, [1, 1], [1, 1], 4, dt=1, conj_pairs=1),
    "diag dt = 0": lambda: O.h3_diag_kernel(LAM, [1, 1], [1, 1], 4, dt=0),
    "diag unknown method": lambda: O.diag_kernel(LAM, [1, 1], [1, 1], 4, dt=1, method="exact"),
    "shift L = 0": lambda: O.shift_kernel([1, 2], 0),
    "shift C empty": lambda: O.shift_kernel([], 3),
    "causal u empty": lambda: O.causal_conv([], [1]),
    "causal K nan": lambda: O.causal_conv([1], [float("nan")]),
    "P/Q rank mismatch": lambda: O.dplr_kernel(LAM, [[1, 0], [0, 1]], P1, [1, 1], [1, 1], 4, dt=1),
    "P too long": lambda: O.dplr_kernel(LAM, [1, 1, 1], P1, [1, 1], [1, 1], 4, dt=1),
    "P wrong shape": lambda: O.dplr_kernel(
        LAM, [[1, 0, 0], [0, 1, 0], [1, 1, 1]], P1, [1, 1], [1, 1], 4, dt=1
    ),
    "dplr dt < 0": lambda: O.dplr_kernel(LAM, P1, P1, [1, 1], [1, 1], 4, dt=-1),
    "rtf a/b length mismatch": lambda: O.rtf_kernel([1, 2], [1], 5),
    "rtf d >= L aliased": lambda: O.rtf_kernel(["1/2", "1/3", "1/4"], [1, 2, 3], 3),
    "rtf complex a": lambda: O.rtf_kernel(["1/2+1j", 0], [1, 1], 5),
    "rtf aliased not bool": lambda: O.rtf_kernel([F(1, 2)], [1], 5, aliased=1),
    "rtf L = 0": lambda: O.rtf_kernel([F(1, 2)], [1], 0, aliased=False),
    "rtf_stability prec < 64": lambda: O.rtf_stability([sp.sqrt(2) / 2], prec=10),
    "core rtf_stability prec < 64": lambda: core.rtf_stability([F(1, 2)], prec=10),
    "rtf_stability empty": lambda: O.rtf_stability([]),
    "unknown measure": lambda: O.hippo_projection("cheb", ONE, 1, 3),
    "f not callable": lambda: O.hippo_projection("legs", 1, 1, 3),
    "projection t = 0": lambda: O.hippo_projection("legs", ONE, 0, 3),
    "projection N = 0": lambda: O.hippo_projection("legt", ONE, 1, 0),
    "projection digits = 0": lambda: O.hippo_projection("legt", ONE, 1, 3, digits=0),
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_bad_input_is_refused_before_any_work(name, monkeypatch):
    """Every evaluation builds a private mpmath context; none may be built for bad input."""

    def no_work(*args, **kwargs):
        raise AssertionError(f"{name}: work started before the argument check")

    monkeypatch.setattr(mpmath, "MPContext", no_work)
    with pytest.raises(BAD):
        BAD_CALLS[name]()


def test_the_no_work_sentinel_catches_work(monkeypatch):
    """A valid call under the patch above does reach the sentinel (so the check means it)."""

    def no_work(*args, **kwargs):
        raise RuntimeError("work")

    monkeypatch.setattr(mpmath, "MPContext", no_work)
    for call in (
        lambda: O.ssm_kernel(A2, B2, C2, 4, dt=1),
        lambda: O.rtf_kernel([F(1, 2)], [1], 5),
        lambda: O.hippo_projection("legs", ONE, 1, 3),
    ):
        with pytest.raises(RuntimeError, match="work"):
            call()


@pytest.mark.parametrize(
    "call",
    [
        lambda: O.ssm_kernel([[1]], [1], [1], 4, dt=1, method="backward_euler"),  # I - A = 0
        lambda: O.discretize([[0, 0], [0, 2]], [1, 1], 1, "bilinear"),  # I - A/2 singular
        lambda: O.diag_kernel([2], [1], [1], 4, dt=1, method="bilinear", conj_pairs=False),
        lambda: O.rtf_kernel([-1], [1], 4),  # a(z) = 1 - z vanishes at z = 1
        lambda: O.rtf_kernel([0, 1], [1, 1], 4),  # 1 + z^2 vanishes at z = +-i, 4th roots
    ],
    ids=["gbt-singular", "bilinear-singular", "diag-mode-singular", "rtf-root-1", "rtf-root-i"],
)
def test_undefined_problems_are_refused(call):
    with pytest.raises(InvalidArgumentError):
        call()


@pytest.mark.parametrize("prec", [10, True, "x"])
def test_package_rtf_stability_validates_prec_for_rational_a(prec):
    with pytest.raises(BAD):
        O.rtf_stability([F(1, 2)], prec=prec)


def test_errors_subclass_the_builtin_ones():
    with pytest.raises(ValueError):
        O.ssm_kernel(A2, B2, C2, 0, dt=1)
    with pytest.raises(TypeError):
        O.ssm_kernel(A2, B2, C2, 2.0, dt=1)
