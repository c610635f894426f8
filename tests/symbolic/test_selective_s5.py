"""S5 (issue 12), symbolic layer: HiPPO-N, its exact spectrum, per-mode discretization, the
conjugate-symmetric scan.

References: a transcription of S5's own ``make_HiPPO`` / ``make_NPLR_HiPPO`` /
``make_DPLR_HiPPO`` (lindermanlab/S5, ``s5/ssm_init.py``) in sympy; ``mpmath.eig``; the
certified oracles ``ssm_kernel`` (the real dense system) and ``diag_kernel`` (conjugate
pairs); a plain mpmath loop of the spec's ``s5_scan``. Planted bugs each check must reject:
a missing factor 2, a real mode doubled by 2 Re, a wrong Re part (-1 instead of -1/2), the
bilinear B-bar without its 1/(1 - lambda dt/2).
"""

from __future__ import annotations

from fractions import Fraction

import mpmath
import pytest
import sympy as sp

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify import oracles as O
from hippo_verify.symbolic import (
    exactly_equal,
    hippo,
    hippo_n,
    hippo_n_eigenvalues,
    s5_discretize,
    s5_scan_exact,
)

R = sp.Rational
HALF = R(1, 2)


def s5_make_normal_hippo(N):
    """S5's make_HiPPO and make_NPLR_HiPPO, transcribed: S = A + P P^T."""
    P = [sp.sqrt(1 + 2 * n) for n in range(N)]
    A = sp.Matrix(N, N, lambda i, j: P[i] * P[j] if i >= j else 0) - sp.diag(*range(N))
    A = -A
    Pn = sp.Matrix([sp.sqrt(n + HALF) for n in range(N)])
    return (A + Pn * Pn.T).applyfunc(sp.radsimp)


@pytest.mark.parametrize("N", [1, 2, 5, 8])
def test_hippo_n_is_s5s_normal_part(N):
    AN = hippo_n(N)
    assert exactly_equal(AN, s5_make_normal_hippo(N))
    Pn = sp.Matrix([sp.sqrt(n + HALF) for n in range(N)])  # S5's P = sqrt(arange(N) + 0.5)
    assert exactly_equal(AN - hippo("legs", N)[0], Pn * Pn.T)
    assert exactly_equal(AN + AN.T, -sp.eye(N))
    assert exactly_equal(AN * AN.T, AN.T * AN)


def mp_eigenvalues(A, dps=50):
    with mpmath.workdps(dps):
        M = mpmath.matrix([[mpmath.mpf(sp.N(e, dps + 10)) for e in row] for row in A.tolist()])
        values = mpmath.eig(M, left=False, right=False)
        values = values[0] if isinstance(values, tuple) else values  # mpmath's 1 x 1 case
        return sorted((mpmath.mpc(v) for v in values), key=lambda v: v.imag)


@pytest.mark.parametrize("N", [1, 2, 3, 4, 7, 10])
def test_eigenvalues_against_mpmath_eig(N):
    exact = hippo_n_eigenvalues(N)
    assert len(exact) == N
    with mpmath.workdps(50):
        numeric = mp_eigenvalues(hippo_n(N))
        assert all(
            abs(mpmath.mpc(complex(sp.N(e, 50))) - v) < 1e-12 for e, v in zip(exact, numeric)
        )
        assert all(sp.re(e) == -HALF for e in exact)  # exactly; planted -1 (LegS's first) fails
    ims = [float(sp.im(e)) for e in exact]
    assert ims == sorted(ims)  # S5's order: eigh ascending
    assert all(v < 0 for v in ims[: N // 2]) and all(v > 0 for v in ims[N - N // 2 :])


def test_small_spectra_in_closed_form():
    assert hippo_n_eigenvalues(1) == [-HALF]
    assert exactly_equal(
        sp.Matrix(hippo_n_eigenvalues(2)),
        sp.Matrix([-HALF - sp.I * sp.sqrt(3) / 2, -HALF + sp.I * sp.sqrt(3) / 2]),
    )
    assert hippo_n_eigenvalues(3)[1] == -HALF  # the real mode of odd N


def test_per_mode_discretization_matches_the_spec_formulas():
    d1, d2 = sp.symbols("d_1 d_2", positive=True)
    lams = [-HALF + 2 * sp.I, -3]
    B = sp.Matrix([[1, 2 * sp.I], [3, -1]])
    Lz, Bz = s5_discretize(lams, B, [d1, d2], "zoh")
    for p, (lam, d) in enumerate(zip(lams, (d1, d2))):
        assert exactly_equal(Lz[p], sp.exp(lam * d))
        assert exactly_equal(Bz[p, :], ((sp.exp(lam * d) - 1) / lam) * B[p, :])
    Lb, Bb = s5_discretize(lams, B, [d1, d2], "bilinear")
    for p, (lam, d) in enumerate(zip(lams, (d1, d2))):
        assert exactly_equal(Lb[p], (1 + lam * d / 2) / (1 - lam * d / 2))
        assert exactly_equal(Bb[p, :], (d / (1 - lam * d / 2)) * B[p, :])
        assert not exactly_equal(Bb[p, :], d * B[p, :])  # planted: no 1/(1 - lam d/2)
    _, B0 = s5_discretize([0], [[5]], d1, "zoh")
    assert B0[0, 0] == 5 * d1  # the lambda = 0 limit


def reference_s5(Lambda, B, C, u, delta, D=None, method="zoh", conj_sym=True):
    """The spec's s5_scan in mpmath (40 digits), from its formulas."""
    with mpmath.workdps(40):
        lam = [mpmath.mpc(complex(v)) for v in Lambda]
        P, H = len(lam), len(u[0])
        if method == "zoh":
            Lbar = [mpmath.exp(v * delta) for v in lam]
            g = [(lb - 1) / v for lb, v in zip(Lbar, lam)]
        else:
            Lbar = [(1 + v * delta / 2) / (1 - v * delta / 2) for v in lam]
            g = [delta / (1 - v * delta / 2) for v in lam]
        x = [mpmath.mpc(0)] * P
        out = []
        for u_k in u:
            x = [
                Lbar[p] * x[p] + g[p] * sum(complex(B[p][h]) * u_k[h] for h in range(H))
                for p in range(P)
            ]
            y = [sum(complex(C[h][p]) * x[p] for p in range(P)) for h in range(H)]
            y = [(2 if conj_sym else 1) * v.real for v in y]
            if D is not None:
                y = [v + D[h] * u_k[h] for h, v in enumerate(y)]
            out.append(y)
        return out


@pytest.mark.parametrize("method", ["zoh", "bilinear"])
def test_scan_against_the_spec_loop(method):
    Lambda = [-HALF + sp.I, -1 + 3 * sp.I, -2]
    B = [[1, 2], [sp.I, -1], [R(1, 2), 1]]
    C = [[1, sp.I, 2], [-1, 1, 0]]
    u = [[1, 0], [R(1, 2), -1], [0, 2]]
    delta = R(1, 4)
    D = [R(1, 3), -1]
    ours = s5_scan_exact(Lambda, B, C, u, delta, D, discretization=method)
    ref = reference_s5(
        Lambda, B, C, [[float(v) for v in row] for row in u], 0.25, [1 / 3, -1], method
    )
    with mpmath.workdps(40):
        assert all(
            abs(mpmath.mpf(sp.N(ours[k, h], 40)) - ref[k][h]) < 1e-14
            for k in range(3)
            for h in range(2)
        )
    plain = s5_scan_exact(Lambda, B, C, u, delta, D, discretization=method, conj_sym=False)
    assert not exactly_equal(plain, ours)  # the factor 2 matters


def eigvecs_mp(A, dps=60):
    with mpmath.workdps(dps):
        M = mpmath.matrix([[mpmath.mpf(sp.N(e, dps + 10)) for e in row] for row in A.tolist()])
        E, V = mpmath.eig(M)
        order = sorted(range(len(E)), key=lambda i: mpmath.mpc(E[i]).imag)
        n = len(E)
        V = mpmath.matrix([[V[r, order[c]] for c in range(n)] for r in range(n)])
        return [E[i] for i in order], V, mpmath.inverse(V)


@pytest.mark.parametrize(("N", "method"), [(4, "zoh"), (6, "zoh"), (6, "bilinear")])
def test_conj_sym_half_reproduces_the_real_system_via_the_oracles(N, method):
    """Real HiPPO-N kernel (dense oracle) = 2 Re of S5's half (Vandermonde oracle, exact
    eigenvalues from hippo_n_eigenvalues, eigenvectors from mpmath.eig)."""
    A = hippo_n(N)
    B = [1, -2, R(1, 2), 3, -1, 2][:N]
    C = [2, 1, -1, R(1, 3), 1, -2][:N]
    L, dt = 12, R(1, 5)
    real = O.ssm_kernel(A, B, C, L, dt=dt, method=method)
    _, V, Vinv = eigvecs_mp(A)
    with mpmath.workdps(60):
        b_tilde = Vinv * mpmath.matrix(
            [mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in B]
        )
        c_tilde = (
            mpmath.matrix(
                [[mpmath.mpf(Fraction(v).numerator) / Fraction(v).denominator for v in C]]
            )
            * V
        )
        half = N // 2
        lam = hippo_n_eigenvalues(N)[:half]
        bh = [b_tilde[p] for p in range(half)]
        ch = [c_tilde[0, p] for p in range(half)]
    pairs = O.diag_kernel(lam, bh, ch, L, dt=dt, method=method, conj_pairs=True)
    with mpmath.workdps(40):
        scale = max(abs(v) for v in real.values)
        assert max(abs(p - r) for p, r in zip(pairs.values, real.values)) < 1e-28 * scale
        planted = O.diag_kernel(lam, bh, ch, L, dt=dt, method=method, conj_pairs=False)
        assert max(abs(p.real - r) for p, r in zip(planted.values, real.values)) > 1e-3 * scale


def test_odd_n_real_mode_would_be_doubled():
    """N = 3: 2 Re over {-1/2 - i w, -1/2} doubles the real mode -1/2 (S5 needs even P)."""
    A = hippo_n(3)
    B, C, L, dt = [1, 1, 1], [1, 0, 1], 6, R(1, 3)
    real = O.ssm_kernel(A, B, C, L, dt=dt, method="bilinear")
    _, V, Vinv = eigvecs_mp(A)
    with mpmath.workdps(60):
        bt = Vinv * mpmath.matrix([1, 1, 1])
        ct = mpmath.matrix([[1, 0, 1]]) * V
    lam = hippo_n_eigenvalues(3)
    wrong = O.diag_kernel(
        lam[:2], [bt[0], bt[1]], [ct[0, 0], ct[0, 1]], L, dt=dt, method="bilinear"
    )
    right_pair = O.diag_kernel(lam[:1], [bt[0]], [ct[0, 0]], L, dt=dt, method="bilinear")
    right_real = O.diag_kernel(
        lam[1:2], [bt[1]], [ct[0, 1]], L, dt=dt, method="bilinear", conj_pairs=False
    )
    with mpmath.workdps(40):
        scale = max(abs(v) for v in real.values)
        fixed = [p + q.real for p, q in zip(right_pair.values, right_real.values)]
        assert max(abs(f - r) for f, r in zip(fixed, real.values)) < 1e-28 * scale
        assert max(abs(w - r) for w, r in zip(wrong.values, real.values)) > 1e-3 * scale


@pytest.mark.parametrize(
    ("call", "error", "fragment"),
    [
        (lambda: hippo_n(0), InvalidArgumentError, ">= 1"),
        (lambda: hippo_n_eigenvalues(True), InvalidTypeError, "integer"),
        (lambda: hippo_n_eigenvalues(10**4), InvalidArgumentError, "limit"),
        (lambda: s5_discretize([-1], [[1]], 1, "euler"), InvalidArgumentError, "unknown"),
        (lambda: s5_discretize([-1, -2], [[1, 2, 3]], 1), InvalidArgumentError, "P x H"),
        (lambda: s5_discretize([-1], [[1]], 0), InvalidArgumentError, "> 0"),
        (lambda: s5_discretize([-1, -2], [[1], [1]], [1]), InvalidArgumentError, "length"),
        (lambda: s5_discretize([2], [[1]], 1, "bilinear"), InvalidArgumentError, "singular"),
        (lambda: s5_scan_exact([-1], [[1]], [[1, 2]], [[1]], 1), InvalidArgumentError, "C"),
        (lambda: s5_scan_exact([-1], [[1]], [[1]], [[1, 2]], 1), InvalidArgumentError, "u"),
        (lambda: s5_scan_exact([-1], [[1]], [[1]], [[1]], 1, conj_sym=1), InvalidTypeError, "bool"),
    ],
)
def test_bad_input_is_refused(call, error, fragment):
    with pytest.raises(error, match=fragment):
        call()
