"""S4D (seed 003): Vandermonde kernel, initializations, conjugate pairs and the sign of Im A."""

from __future__ import annotations

import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError
from hippo_verify.symbolic import exactly_equal
from hippo_verify.symbolic._s4d import conj_pair_kernel, s4d_init, vandermonde_kernel
from hippo_verify.symbolic._systems import power_kernel

R = sp.Rational
I = sp.I  # noqa: E741 (the imaginary unit)
MODES = [R(1, 2) + I / 3, -R(1, 3) + I / 4, R(2, 3)]
B_BAR = [1 + I, 2, R(1, 2) - I]
C = [2, -I, 1 + 2 * I]
L = 6


def full_system(modes, Bb, C):
    """The 2M-mode system: each stored mode with its conjugate, B and C conjugated too."""
    conj = [[sp.conjugate(v) for v in values] for values in (modes, Bb, C)]
    return modes + conj[0], Bb + conj[1], C + conj[2]


def test_vandermonde_kernel_is_the_power_kernel_of_the_diagonal_system():
    assert exactly_equal(
        sp.Matrix(vandermonde_kernel(MODES, B_BAR, C, L)),
        sp.Matrix(power_kernel(sp.diag(*MODES), B_BAR, C, L)),
    )


def test_zoh_diagonal_kernel_with_symbolic_step():
    """K_k = sum_n C_n (e^{dt a_n} - 1)/a_n B_n e^{k dt a_n} (seed's ZOH form), both routes."""
    dt = sp.Symbol("dt", positive=True)
    a = [-1, -R(1, 2)]
    modes = [sp.exp(dt * v) for v in a]
    Bb = [(sp.exp(dt * v) - 1) / v * b for v, b in zip(a, [1, 3])]
    direct = [
        sum(
            c * (sp.exp(dt * v) - 1) / v * b * sp.exp(k * dt * v)
            for v, b, c in zip(a, [1, 3], [2, 5])
        )
        for k in range(4)
    ]
    assert exactly_equal(sp.Matrix(vandermonde_kernel(modes, Bb, [2, 5], 4)), sp.Matrix(direct))


def test_conjugate_pairs_equal_the_full_complex_system():
    full = vandermonde_kernel(*full_system(MODES, B_BAR, C), L)
    assert exactly_equal(sp.Matrix(conj_pair_kernel(MODES, B_BAR, C, L)), sp.Matrix(full))
    assert all(sp.im(k) == 0 for k in full)


def test_conjugate_pairs_need_b_and_c_conjugated_with_a():
    """With C not conjugated on the second half the full kernel is not 2 Re of the half."""
    modes, Bb, _ = full_system(MODES, B_BAR, C)
    wrong = vandermonde_kernel(modes, Bb, C + C, L)
    assert not exactly_equal(sp.Matrix(conj_pair_kernel(MODES, B_BAR, C, L)), sp.Matrix(wrong))


def test_sign_of_imaginary_part():
    """Flipping Im A alone changes the kernel; flipping A, B and C together does not."""
    conj = lambda values: [sp.conjugate(v) for v in values]  # noqa: E731
    reference = sp.Matrix(conj_pair_kernel(MODES, B_BAR, C, L))
    assert not exactly_equal(sp.Matrix(conj_pair_kernel(conj(MODES), B_BAR, C, L)), reference)
    assert exactly_equal(
        sp.Matrix(conj_pair_kernel(conj(MODES), conj(B_BAR), conj(C), L)), reference
    )


@pytest.mark.parametrize("N", [2, 4, 8, 16])
def test_s4d_lin_formula(N):
    """S4D-Lin (seed 003): A_n = -1/2 + i pi n, n < N/2."""
    assert s4d_init("lin", N) == [-R(1, 2) + I * sp.pi * n for n in range(N // 2)]


@pytest.mark.parametrize("N", [2, 4, 8, 16])
def test_s4d_inv_formula_and_shape(N):
    """S4D-Inv (seed 003): A_n = -1/2 + i (N/pi)(N/(2n+1) - 1); Im decreases to N/(pi(N-1))."""
    modes = s4d_init("inv", N)
    seed = [-R(1, 2) + I * N / sp.pi * (R(N, 2 * n + 1) - 1) for n in range(N // 2)]
    assert exactly_equal(sp.Matrix(modes), sp.Matrix(seed))
    imag = [sp.im(m) for m in modes]
    assert all(a > b for a, b in zip(imag, imag[1:]))
    assert exactly_equal(imag[-1], N / (sp.pi * (N - 1)))


def test_s4_code_convention_is_the_conjugate():
    """state-spaces/s4 dplr.py builds A = -real - 1j*imag: Im A <= 0."""
    for kind in ("lin", "inv"):
        paper, code = s4d_init(kind, 8), s4d_init(kind, 8, convention="s4")
        assert [sp.conjugate(m) for m in paper] == code
        assert all(sp.im(m) <= 0 for m in code)


def test_s4d_real_is_the_legs_spectrum():
    assert s4d_init("real", 8) == [-1, -2, -3, -4]


@pytest.mark.parametrize("args", [("lin", 3), ("inv", 0), ("cubic", 4)])
def test_s4d_init_bad_arguments(args):
    with pytest.raises(ValueError):
        s4d_init(*args)


def test_kernel_length_mismatch_is_refused():
    with pytest.raises(InvalidArgumentError):
        vandermonde_kernel(MODES, B_BAR[:2], C, L)


@pytest.mark.parametrize("bad", [[1, "x"], [True, 1], [None, 1]])
def test_non_numeric_entries_are_refused(bad):
    with pytest.raises(TypeError):
        vandermonde_kernel(bad, [1, 1], [1, 1], 2)
