"""The structured fast routes of ``dplr_kernel`` and of the triangular-eigen ``ssm_kernel``
against independent routes, and the planted bugs they exist to catch.

``dplr_kernel`` runs two structured routes (S4's Cauchy/Woodbury spectrum + inverse DFT,
and the recurrence y <- y Ab with Ab = diag(lam_bar) - Pb Qb); the references here never
use that structure: exact sympy rationals (the dense Ab, powered), a naive mpmath loop on
the dense discretized matrix at 300 bits, and ``ssm_kernel``'s dense Krylov route. The
LegS eigen route is checked against the Krylov route and a 60-digit run of itself.
"""

from __future__ import annotations

from fractions import Fraction as R

import mpmath
import numpy as np
import pytest
import sympy as sp

from hippo_verify import hippo, hippo_nplr
from hippo_verify.oracles import discrete_kernel, dplr_kernel, ssm_kernel
from hippo_verify.oracles import mp_oracles as core
from hippo_verify.oracles._sympy_inputs import from_sympy
from hippo_verify.oracles.mp_oracles import CertificationError, InvalidArgumentError
from hippo_verify.symbolic import discretize as exact_discretize


def rel_err(values, reference) -> mpmath.mpf:
    with mpmath.workprec(400):
        scale = max(abs(mpmath.mpmathify(v)) for v in reference)
        return (
            max(abs(mpmath.mpmathify(a) - mpmath.mpmathify(b)) for a, b in zip(values, reference))
            / scale
        )


def assert_within_certified(result, reference) -> None:
    """The result's error against the reference is within its certified digits."""
    assert result.digits >= 30
    assert rel_err(result.values, reference) < mpmath.mpf(10) ** -result.digits


# --- systems -----------------------------------------------------------------------------

#: rank 2, complex P and Q, exact rationals; one mode unstable (Re lam > 0).
SMALL = dict(
    Lambda=["-1/2+1j", "-1/3-2j", "1/20+3j", "-1-1/2j"],
    P=[["1/2", "1/3j"], ["-1/4", "1/5"], ["1/3+1/7j", 0], ["1/6", "-1/2"]],
    Q=[["1/3", "1/2"], ["1/5j", "-1/3"], ["1/4", "1/6+1/6j"], [0, "1/7"]],
    B=[1, "1/2-1/3j", "-1/4", "2/3j"],
    C=["1/3", "1+1/2j", "-1/5j", "2/7"],
)


def _sym(v):
    if isinstance(v, str):
        return sp.sympify(v.replace("j", "*I")) if "j" in v else sp.Rational(v)
    return sp.Integer(v)


def small_dense_exact() -> tuple[sp.Matrix, sp.Matrix, sp.Matrix]:
    lam = [_sym(v) for v in SMALL["Lambda"]]
    P = sp.Matrix([[_sym(v) for v in row] for row in SMALL["P"]])
    Q = sp.Matrix([[_sym(v) for v in row] for row in SMALL["Q"]])
    A = sp.diag(*lam) - P * Q.H
    return A, sp.Matrix([_sym(v) for v in SMALL["B"]]), sp.Matrix([[_sym(v) for v in SMALL["C"]]])


def exact_taps(A: sp.Matrix, B: sp.Matrix, C: sp.Matrix, L: int, dt) -> list:
    """K_k = C Ab^k Bb in exact rationals (bilinear), complex values as mpc at 400 bits."""
    Ab, Bb = exact_discretize(A, B, dt, "bilinear")
    x, out = Bb, []
    for _ in range(L):
        out.append(sp.expand((C * x)[0, 0]))
        x = (Ab * x).applyfunc(sp.expand)
    with mpmath.workprec(400):
        return [mpmath.mpc(sp.re(v).evalf(130), sp.im(v).evalf(130)) for v in out]


def legs_nplr(N: int, seed: int = 1) -> tuple:
    """S4's LegS DPLR system: Lambda = -1/2 + i s (eigh of the skew part), P = Q = V^H p,
    B = V^H sqrt(2n+1), C complex normal. Binary floats: exact inputs for every route."""
    nplr = hippo_nplr("legs", N)
    S = np.array(nplr.skew.evalf(30).tolist(), dtype=float)
    p = np.array(nplr.low_rank.evalf(30).tolist(), dtype=float)
    s, V = np.linalg.eigh(-1j * S)
    lam = float(nplr.shift) + 1j * s
    P = V.conj().T @ p
    B = V.conj().T @ np.sqrt(2 * np.arange(N) + 1.0)
    rng = np.random.default_rng(seed)
    C = (rng.standard_normal(N) + 1j * rng.standard_normal(N)) * 0.5**0.5
    return (
        [complex(v) for v in lam],
        [complex(v) for v in P[:, 0]],
        [complex(v) for v in B],
        [complex(v) for v in C],
    )


def dense_of(lam, P, Q) -> list[list]:
    """A = diag(lam) - P Q^H from binary complex floats, exactly (sympy rationals)."""

    def q(z):
        return sp.Rational(z.real) + sp.I * sp.Rational(z.imag)

    n = len(lam)
    return [
        [(q(lam[i]) if i == j else 0) - q(P[i]) * sp.conjugate(q(Q[j])) for j in range(n)]
        for i in range(n)
    ]


def naive_mpmath_taps(lam, P, Q, B, C, L: int, dt, prec: int = 300) -> list:
    """The plain loop a user would write: the dense A = diag(lam) - P Q^H as an mpmath
    matrix (exact: products of binary64 numbers fit in 300 bits), bilinear, x <- Ab x."""
    ctx = mpmath.MPContext()
    ctx.prec = prec
    n = len(lam)
    Aw = ctx.matrix(n, n)
    for i in range(n):
        for j in range(n):
            Aw[i, j] = (ctx.mpc(lam[i]) if i == j else 0) - ctx.mpc(P[i]) * ctx.conj(ctx.mpc(Q[j]))
    step = ctx.mpf(dt.numerator) / dt.denominator
    M_inv = ctx.inverse(ctx.eye(n) - step / 2 * Aw)
    Ab = M_inv * (ctx.eye(n) + step / 2 * Aw)
    x = M_inv * (step * ctx.matrix([ctx.mpc(v) for v in B]))
    row = ctx.matrix([[ctx.mpc(v) for v in C]])
    out = []
    for _ in range(L):
        out.append((row * x)[0, 0])
        x = Ab * x
    return [mpmath.mp.make_mpc(v._mpc_) for v in out]  # all bits (mpmath.mpc rounds to 53)


# --- DPLR: the fast route against independent routes ------------------------------------


@pytest.mark.parametrize("L", [1, 2, 9, 16])
def test_dplr_rank2_complex_equals_exact_rationals(L: int) -> None:
    """Odd and even L (the z = -1 node), one unstable mode, rank 2, complex P and Q."""
    result = dplr_kernel(**SMALL, L=L, dt=R(1, 5))
    assert_within_certified(result, exact_taps(*small_dense_exact(), L, R(1, 5)))


RANK1 = dict(SMALL, P=[row[:1] for row in SMALL["P"]], Q=[row[:1] for row in SMALL["Q"]])


@pytest.mark.parametrize("L", [1, 2, 7, 8])
def test_dplr_rank1_equals_exact_rationals(L: int) -> None:
    """Rank 1 runs the two-steps-per-pass recurrence; odd L ends with a single step."""
    A, B, C = small_dense_exact()
    P, Q = (sp.Matrix([[_sym(row[0])] for row in RANK1[k]]) for k in "PQ")
    A = (
        A
        + sp.Matrix([[_sym(v) for v in row] for row in SMALL["P"]])
        * sp.Matrix([[_sym(v) for v in row] for row in SMALL["Q"]]).H
        - P * Q.H
    )
    result = dplr_kernel(**RANK1, L=L, dt=R(1, 5))
    assert_within_certified(result, exact_taps(A, B, C, L, R(1, 5)))


def test_dplr_legs_nplr_equals_naive_mpmath_loop_and_dense_krylov() -> None:
    N, L, dt = 12, 200, R(1, 50)
    lam, P, B, C = legs_nplr(N)
    result = dplr_kernel(lam, P, P, B, C, L, dt=dt)
    assert_within_certified(result, naive_mpmath_taps(lam, P, P, B, C, L, dt))
    dense = ssm_kernel(
        sp.Matrix(dense_of(lam, P, P)), B, C, L, dt=dt, algorithm="krylov", digits=40
    )
    assert_within_certified(result, dense.values)


def test_dplr_legs_nplr_agrees_with_arb_balls() -> None:
    """The rigorous route on the dense complex matrix (acb balls) contains the values."""
    arb = pytest.importorskip("hippo_verify.oracles.arb_enclosures", exc_type=ImportError)
    N, L, dt = 16, 256, R(1, 100)
    lam, P, B, C = legs_nplr(N, seed=3)
    result = dplr_kernel(lam, P, P, B, C, L, dt=dt)
    balls = arb.arb_ssm_kernel(dense_of(lam, P, P), B, C, L, dt=dt, prec=256)
    assert balls.agrees_with(result)
    assert balls.certified_digits() >= 30


# --- DPLR: planted bugs -----------------------------------------------------------------


def _run_small(L: int = 12):
    return dplr_kernel(**SMALL, L=L, dt=R(1, 5))


def test_planted_sign_of_the_rank_r_correction_is_caught(monkeypatch) -> None:
    """y Ab = y diag(lam_bar) + (y Pb) Qb: the recurrence goes wrong, S4's route does not
    (it uses Lambda, P, Q directly), so the routes disagree."""
    original = core._dplr_bilinear

    def planted(*args):
        lam_bar, Pb, Qb, Bb = original(*args)
        return lam_bar, [[-v for v in row] for row in Pb], Qb, Bb

    monkeypatch.setattr(core, "_dplr_bilinear", planted)
    with pytest.raises(CertificationError, match="agree to"):
        _run_small()


def test_planted_off_by_one_power_in_the_truncation_is_caught(monkeypatch) -> None:
    """Ct = C (I - Ab^(L-1)) instead of C (I - Ab^L): S4's route goes wrong."""
    original = core._dplr_recurrence

    def planted(work, lam_bar, Pb, Qb, Bb, C, L):
        taps, _ = original(work, lam_bar, Pb, Qb, Bb, C, L)
        _, y_short = original(work, lam_bar, Pb, Qb, Bb, C, L - 1)
        return taps, y_short

    monkeypatch.setattr(core, "_dplr_recurrence", planted)
    with pytest.raises(CertificationError, match="agree to"):
        _run_small()


def test_planted_bug_shared_by_both_routes_is_caught_by_the_dense_reference(monkeypatch) -> None:
    """Q used where Q^H belongs, in both routes: the routes and the two precisions agree
    with each other, so only an independent route can catch it (which is why the tests
    above compare with routes that never see Lambda, P, Q)."""
    originals = core._dplr_bilinear, core._woodbury_spectrum_fixed

    def conj_rows(work, Qh):
        return [[work.ctx.conj(v) for v in row] for row in Qh]

    monkeypatch.setattr(
        core,
        "_dplr_bilinear",
        lambda work, lam, P, Qh, B, dt: originals[0](work, lam, P, conj_rows(work, Qh), B, dt),
    )
    monkeypatch.setattr(
        core,
        "_woodbury_spectrum_fixed",
        lambda work, lam, P, Qh, *rest: originals[1](work, lam, P, conj_rows(work, Qh), *rest),
    )
    planted = _run_small(9)
    assert planted.digits >= 30  # certified, and wrong:
    assert rel_err(planted.values, exact_taps(*small_dense_exact(), 9, R(1, 5))) > 1e-3


def test_planted_precision_loss_is_caught_by_the_two_precisions(monkeypatch) -> None:
    """Every fixed-point input of the routes loses its last 100 bits: at the first pair of
    precisions the runs disagree, so the precision rises until 30 digits agree, and the
    values stay right."""
    original = core._fixed_vector
    clean = _run_small(16)

    def planted(work, values):
        re_, im = original(work, values)
        return [v >> 100 << 100 for v in re_], [v >> 100 << 100 for v in im]

    monkeypatch.setattr(core, "_fixed_vector", planted)
    lossy = _run_small(16)
    assert lossy.prec > clean.prec + 60
    assert_within_certified(lossy, exact_taps(*small_dense_exact(), 16, R(1, 5)))


def test_dplr_singular_step_is_refused() -> None:
    """1 - dt/2 Lambda_n = 0: the recurrence's diagonal has no inverse."""
    with pytest.raises(InvalidArgumentError, match="1 - dt/2 Lambda_n = 0"):
        dplr_kernel(["10", "-1"], [1, 1], [1, 1], [1, 1], [1, 1], 8, dt=R(1, 5))


# --- LegS triangular-eigen route --------------------------------------------------------


@pytest.mark.parametrize("method", ["bilinear", "backward_euler", "forward_euler", "zoh"])
def test_legs_eigen_equals_krylov(method: str) -> None:
    A, B = hippo("legs", 24)
    C = [R(1, k + 1) for k in range(24)]
    eigen = ssm_kernel(A, B, C, 300, dt=R(1, 50), method=method)
    krylov = ssm_kernel(A, B, C, 300, dt=R(1, 50), method=method, algorithm="krylov")
    assert eigen.method.endswith("triangular-eigen")
    assert_within_certified(eigen, krylov.values)
    assert_within_certified(krylov, eigen.values)


def test_legs_measured_loss_goes_straight_to_the_needed_precision() -> None:
    """N = 96 loses ~230 bits: the direct first taps measure it at the first probe, so the
    certified pair sits 32 bits apart just above needed + loss (the saturated estimate went
    132 -> 264 -> 528 and then a partner a quarter higher)."""
    N, L = 96, 512
    A, B = hippo("legs", N)
    result = ssm_kernel(A, B, [1] * N, L, dt=R(1, 100))
    reference = ssm_kernel(A, B, [1] * N, L, dt=R(1, 100), digits=60)
    assert_within_certified(result, reference.values)
    needed = core._bits_for(30) + 8
    assert needed + 150 < result.prec < 528


def test_direct_first_taps_equal_the_kernel() -> None:
    """The taps that steer the precision, checked against the certified kernel."""
    A, B = hippo("legs", 16)
    C = [R(k % 3 - 1, k + 2) for k in range(16)]
    ref = ssm_kernel(A, B, C, 4, dt=R(1, 10), digits=40)
    work = core._Work(200)
    T = core._fixed_lower(work, core.exact_matrix("A", from_sympy(A)))
    b = [work.fixed_exact(v) for v in core.exact_vector("B", from_sympy(B))]
    c = [work.fixed_exact(v) for v in core.exact_vector("C", C)]
    taps = core._gbt_direct_taps(work, T, b, c, R(1, 10), R(1, 2))(4)
    got = [work.unfixed(v) for v in taps]
    assert rel_err(got, ref.values) < 1e-45


def test_planted_wrong_direct_taps_cost_time_not_digits(monkeypatch) -> None:
    """Direct taps 2^40 too large under-estimate the loss: the first full run is noise,
    and the two-precision agreement rejects it and raises the precision."""
    original = core._gbt_direct_taps

    def planted(*args):
        taps = original(*args)
        return lambda count: [v << 40 for v in taps(count)]

    A, B = hippo("legs", 64)
    clean = ssm_kernel(A, B, [1] * 64, 256, dt=R(1, 100))
    monkeypatch.setattr(core, "_gbt_direct_taps", planted)
    planted_result = ssm_kernel(A, B, [1] * 64, 256, dt=R(1, 100))
    assert_within_certified(planted_result, clean.values)


def test_discrete_triangular_eigen_equals_krylov() -> None:
    T = [[R(9, 10), 0, 0], [R(1, 3), R(-1, 2), 0], [R(-1, 7), R(2, 5), R(1, 4)]]
    b, c = [1, R(1, 2), -1], [R(1, 3), 1, 2]
    eigen = discrete_kernel(T, b, c, 64)
    krylov = discrete_kernel(T, b, c, 64, algorithm="krylov")
    assert eigen.method == "triangular-eigen"
    assert_within_certified(eigen, krylov.values)
