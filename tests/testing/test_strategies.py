"""``hippo_verify.testing.strategies`` draws what it promises; ``profiles`` registers/loads.

Stability is checked by routes independent of the strategies: the exact Schur-Cohn test
(``hippo_verify.symbolic.schur_cohn_stable`` / ``oracles.rtf_stability`` on rationals) and,
for DPLR systems, the eigenvalues of the dense matrix.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import torch
from hypothesis import given, settings

from hippo_verify import InvalidArgumentError, hippo
from hippo_verify._errors import InvalidTypeError
from hippo_verify.oracles import mp_oracles, rtf_stability
from hippo_verify.symbolic import schur_cohn_stable
from hippo_verify.testing import profiles
from hippo_verify.testing import strategies as hs

FEW = settings(max_examples=15)


def exact_in(value: float | complex, dtype: torch.dtype) -> bool:
    """value survives a round trip through dtype (real or complex) unchanged."""
    if isinstance(value, complex):
        return exact_in(value.real, dtype) and exact_in(value.imag, dtype)
    return torch.tensor(value, dtype=torch.float64).to(dtype).item() == value


def is_dyadic(value: float, bits: int = hs.DEFAULT_BITS) -> bool:
    return (Fraction(value) * 2**bits).denominator == 1


# ---------------------------------------------------------------------------------------
# Numbers
# ---------------------------------------------------------------------------------------


@FEW
@given(hs.dyadics(-3, 100, bits=10))
def test_dyadics_are_exact_multiples_in_range(value: float) -> None:
    assert -3 <= value <= 100 and is_dyadic(value, 10) and exact_in(value, torch.float32)


def test_dyadics_refuse_ranges_they_cannot_fill() -> None:
    with pytest.raises(InvalidArgumentError, match="no multiple of 2\\^-2"):
        hs.dyadics(0.3, 0.4, bits=2)
    with pytest.raises(InvalidArgumentError, match="not exact in float32"):
        hs.dyadics(-1e6, 1e6, bits=12)
    with pytest.raises(InvalidTypeError):
        hs.dyadics("0", 1)


# ---------------------------------------------------------------------------------------
# Stable polynomials
# ---------------------------------------------------------------------------------------


@FEW
@given(hs.stable_polynomials(6, margin=Fraction(1, 4)))
def test_sum_abs_polynomials_meet_the_bound_and_are_stable(a: list[float]) -> None:
    assert len(a) == 6
    assert all(isinstance(v, float) and is_dyadic(v) and exact_in(v, torch.float32) for v in a)
    assert sum(abs(Fraction(v)) for v in a) <= Fraction(3, 4)
    assert schur_cohn_stable([sp.Rational(Fraction(v)) for v in a]).stable
    assert rtf_stability(a) is True


@settings(max_examples=5)
@given(hs.stable_polynomials(64))
def test_sum_abs_polynomials_of_degree_64(a: list[float]) -> None:
    assert len(a) == 64 and sum(abs(Fraction(v)) for v in a) <= Fraction(7, 8)
    assert mp_oracles.rtf_stability(a) is True  # numerical Schur-Cohn (exact is slow at d=64)


@FEW
@given(hs.stable_poles(5, r_max=Fraction(3, 4)))
def test_stable_poles_are_conjugate_closed_and_inside_r_max(poles: list[complex]) -> None:
    assert len(poles) == 5
    for p in poles:
        assert Fraction(p.real) ** 2 + Fraction(p.imag) ** 2 <= Fraction(9, 16)
        assert is_dyadic(p.real) and is_dyadic(p.imag) and exact_in(p, torch.complex64)
    assert sorted(poles, key=lambda p: (p.real, p.imag)) == sorted(
        (p.conjugate() for p in poles), key=lambda p: (p.real, p.imag)
    )
    assert poles[-1].imag == 0  # odd degree: one real pole


def gaussian_eval(coefficients: list[Fraction], z: complex) -> tuple[Fraction, Fraction]:
    """z^d + a_1 z^{d-1} + ... + a_d at z, exactly (Horner in Gaussian rationals)."""
    x, y = Fraction(z.real), Fraction(z.imag)
    re_, im = Fraction(1), Fraction(0)
    for a in coefficients:
        re_, im = re_ * x - im * y + a, re_ * y + im * x
    return re_, im


@FEW
@given(hs.stable_poles(4))
def test_polynomial_from_poles_vanishes_exactly_at_the_poles(poles: list[complex]) -> None:
    a = hs.polynomial_from_poles(poles)
    assert all(isinstance(v, Fraction) for v in a) and len(a) == 4
    for p in poles:
        assert gaussian_eval(a, p) == (0, 0)
    # Independent route: numpy's roots of the rounded polynomial are the poles.
    roots = np.roots([1.0, *map(float, a)])
    for p in poles:
        assert np.min(np.abs(roots - p)) < 1e-6


def test_polynomial_from_poles_refuses_unpaired_complex_poles() -> None:
    with pytest.raises(InvalidArgumentError, match="not closed under conjugation"):
        hs.polynomial_from_poles([0.5j, 0.25])
    assert hs.polynomial_from_poles([0.5j, -0.5j]) == [0, Fraction(1, 4)]


@FEW
@given(hs.stable_polynomials(5, method="roots", exact=True, r_max=Fraction(15, 16)))
def test_root_polynomials_exact_are_stable_by_schur_cohn(a: list[Fraction]) -> None:
    assert all(isinstance(v, Fraction) for v in a)
    assert schur_cohn_stable([sp.Rational(v) for v in a]).stable


@FEW
@given(hs.stable_polynomials(6, method="roots"))
def test_root_polynomials_rounded_are_still_stable(a: list[float]) -> None:
    assert all(isinstance(v, float) for v in a)
    assert rtf_stability(a) is True  # exact Schur-Cohn: the floats are rationals
    assert schur_cohn_stable([sp.Rational(Fraction(v)) for v in a]).stable


def test_stable_polynomials_refuse_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown method"):
        hs.stable_polynomials(3, method="poles")
    with pytest.raises(InvalidArgumentError, match="r_max must lie in"):
        hs.stable_polynomials(3, method="roots", r_max=1)
    with pytest.raises(InvalidArgumentError, match="margin must lie in"):
        hs.stable_polynomials(3, margin=0)
    with pytest.raises(InvalidArgumentError):
        hs.stable_polynomials(0)


# ---------------------------------------------------------------------------------------
# Systems
# ---------------------------------------------------------------------------------------


@FEW
@given(hs.diagonal_systems(8, decay=(Fraction(1, 8), 2), frequency=(-10, 10)))
def test_diagonal_systems_are_stable_and_exact(system: hs.DiagonalSystem) -> None:
    lam, B, C = system
    assert len(lam) == len(B) == len(C) == 8
    assert all(-2 <= v.real <= -Fraction(1, 8) and -10 <= v.imag <= 10 for v in lam)
    assert all(abs(v.real) <= 1 and abs(v.imag) <= 1 for v in B + C)
    for field in system:
        tensor = hs.to_tensor(field, torch.complex64)  # refuses any rounding
        assert tensor.dtype == torch.complex64 and tensor.shape == (8,)


@FEW
@given(hs.diagonal_systems(3, real_weights=True))
def test_diagonal_systems_with_real_weights(system: hs.DiagonalSystem) -> None:
    assert all(v.imag == 0 for v in system.B + system.C)
    assert all(v.real < 0 for v in system.lam)


def dense_A(system: hs.DPLRSystem) -> np.ndarray:
    P, Q = np.array(system.P), np.array(system.Q)
    return np.diag(system.Lambda) - P @ Q.conj().T


@FEW
@given(hs.dplr_systems(6, 2))
def test_dplr_systems_are_stable(system: hs.DPLRSystem) -> None:
    assert len(system.P) == len(system.Q) == 6 and all(len(row) == 2 for row in system.P)
    gap = min(-Fraction(v.real) for v in system.Lambda)
    norm2 = [
        sum(Fraction(v.real) ** 2 + Fraction(v.imag) ** 2 for r in M for v in r)
        for M in (system.P, system.Q)
    ]
    assert norm2[0] * norm2[1] < gap**2
    assert np.linalg.eigvals(dense_A(system)).real.max() < 0
    hs.to_tensor(system.P, torch.complex64)


@FEW
@given(hs.dplr_systems(5, 1, tied=True, weights=(-2, 2)))
def test_tied_dplr_systems_have_q_equal_p_and_are_stable(system: hs.DPLRSystem) -> None:
    assert system.Q == system.P
    A = dense_A(system)
    assert np.linalg.eigvalsh((A + A.conj().T) / 2).max() < 0  # Hermitian part
    assert np.linalg.eigvals(A).real.max() < 0


@FEW
@given(hs.hippo_systems(N=(1, 6)))
def test_hippo_systems(system: hs.HippoSystem) -> None:
    measure, N, A, B, dt = system
    assert measure in ("legt", "legs", "lagt", "fout") and 1 <= N <= 6
    A_exact, B_exact = hippo(measure, N)
    assert A == A_exact and B == B_exact and A.shape == (N, N) and B.shape == (N, 1)
    assert isinstance(dt, Fraction) and Fraction(1, 1000) <= dt <= Fraction(1, 10)
    assert exact_in(float(dt), torch.float32) and Fraction(float(dt)) == dt


def test_hippo_systems_spread_dt_over_decades() -> None:
    seen = []

    @settings(max_examples=40, database=None)
    @given(hs.hippo_systems(measures=["lagt"], N=(1, 1)))
    def collect(system: hs.HippoSystem) -> None:
        seen.append(math.log10(system.dt))

    collect()
    assert min(seen) < -2.5 and max(seen) > -1.5  # log-uniform: both ends are reached


def test_hippo_systems_refuse_bad_arguments() -> None:
    with pytest.raises(InvalidArgumentError, match="unknown measure"):
        hs.hippo_systems(measures=["legx"])
    with pytest.raises(InvalidArgumentError, match="dt: the lower end must be > 0"):
        hs.hippo_systems(dt=(0, 1))
    with pytest.raises(InvalidArgumentError):
        hs.hippo_systems(N=(4, 2))


@FEW
@given(hs.input_signals(32, max_abs=2), hs.input_signals(4, complex_values=True))
def test_input_signals(u: list[float], v: list[complex]) -> None:
    assert len(u) == 32 and all(abs(x) <= 2 and exact_in(x, torch.float32) for x in u)
    assert len(v) == 4 and all(isinstance(x, complex) for x in v)


# ---------------------------------------------------------------------------------------
# Conversion helpers
# ---------------------------------------------------------------------------------------


def test_to_tensor_is_exact_or_refuses() -> None:
    t = hs.to_tensor([[Fraction(1, 4), 2], [0.5, -1.0]], torch.float32)
    assert t.dtype == torch.float32 and t.tolist() == [[0.25, 2.0], [0.5, -1.0]]
    with pytest.raises(InvalidArgumentError, match="not exactly representable in torch.float32"):
        hs.to_tensor([0.1], torch.float32)
    assert hs.to_tensor([0.1], torch.float64).item() == 0.1
    with pytest.raises(InvalidArgumentError, match="not exactly a float64"):
        hs.to_tensor([Fraction(1, 3)], torch.float64)
    with pytest.raises(InvalidArgumentError, match="complex values"):
        hs.to_tensor([1j], torch.float64)
    with pytest.raises(InvalidTypeError):
        hs.to_tensor([sp.sqrt(2)], torch.float64)
    with pytest.raises(InvalidTypeError):
        hs.to_tensor([1.0], torch.int64)


def test_round_to_gives_numbers_exact_in_the_dtype() -> None:
    A, _ = hippo("legs", 3)
    rows = hs.round_to(A.tolist(), torch.float32)
    assert rows[1][0] == -torch.tensor(math.sqrt(3), dtype=torch.float32).item()
    assert hs.to_tensor(rows, torch.float32).dtype == torch.float32
    z = hs.round_to([1 / 3 + 0.1j], torch.complex64)[0]
    assert exact_in(z, torch.complex64) and abs(z - (1 / 3 + 0.1j)) < 1e-7
    assert hs.round_to([0.1], torch.bfloat16) == [0.10009765625]
    with pytest.raises(InvalidArgumentError):
        hs.round_to([1j], torch.float32)


# ---------------------------------------------------------------------------------------
# Profiles
# ---------------------------------------------------------------------------------------


@pytest.fixture
def restore_profile():
    previous = settings.get_current_profile_name()
    yield
    settings.load_profile(previous)


def test_profiles_register_with_the_documented_settings(restore_profile) -> None:
    assert profiles.register_profiles() == (
        "hippo-verify-ci",
        "hippo-verify-dev",
        "hippo-verify-seeded",
    )
    ci = settings.get_profile("hippo-verify-ci")
    assert ci.derandomize and ci.deadline is None and ci.print_blob and ci.database is None
    dev = settings.get_profile("hippo-verify-dev")
    # From hypothesis's defaults even though the suite's derandomized "ci" profile is active.
    assert not dev.derandomize and dev.deadline is None and dev.database is not None
    seeded = settings.get_profile("hippo-verify-seeded")
    assert not seeded.derandomize and seeded.deadline is None and seeded.database is None


def test_load_profile_by_name_env_and_default(restore_profile, monkeypatch) -> None:
    assert profiles.load_profile("hippo-verify-dev") == "hippo-verify-dev"
    assert settings.get_current_profile_name() == "hippo-verify-dev"
    monkeypatch.setenv(profiles.ENV_VAR, "hippo-verify-dev")
    assert profiles.load_profile() == "hippo-verify-dev"
    monkeypatch.delenv(profiles.ENV_VAR)
    assert profiles.load_profile() == "hippo-verify-ci"
    assert settings().derandomize


def test_load_profile_refuses_unknown_names(restore_profile, monkeypatch) -> None:
    with pytest.raises(InvalidArgumentError, match="unknown hypothesis profile 'nope'"):
        profiles.load_profile("nope")
    monkeypatch.setenv(profiles.ENV_VAR, "typo")
    with pytest.raises(InvalidArgumentError, match=profiles.ENV_VAR):
        profiles.load_profile()
    with pytest.raises(InvalidTypeError):
        profiles.load_profile(3)


def test_a_seed_selects_the_seeded_profile(restore_profile, monkeypatch) -> None:
    """--hypothesis-seed must not be silently ignored by a derandomized profile."""
    monkeypatch.delenv(profiles.ENV_VAR, raising=False)
    assert profiles.pytest_profile(7) == "hippo-verify-seeded"
    assert not settings().derandomize
    assert profiles.pytest_profile(None) == "hippo-verify-ci"


def test_the_suite_profile_is_untouched(suite_profile: str) -> None:
    """Whatever profile the run chose (CI, seeded, dev) is still active here."""
    assert settings.get_current_profile_name() == suite_profile
