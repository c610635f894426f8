"""The selective-scan oracles: ``selective_scan`` (Mamba's S6), ``ssd`` (Mamba-2) and
``s5_scan`` (S5), in ``hippo_verify.oracles.mp_oracles``.

Every reference here takes another route than the oracles' fixed-point scans with table
exponentials: plain mpmath loops over the formulas of the spec at 60 to 120 digits (its own
``exp``, ``log``, complex arithmetic), exact sympy expressions and ``Fraction`` arithmetic,
Mamba-2's quadratic (masked-attention) form of SSD, and S5 as a convolution with the kernel
of the existing ``diag_kernel`` / ``causal_conv`` oracles. Consistency relations tie the
three oracles together (SSD is a selective scan with A broadcast over the state, S5 with one
state and one channel is a diagonal kernel, ZOH and Mamba's discretization differ by
O(delta^2)). Digits are compared per output channel, as the oracles certify them.
"""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import mpmath
import pytest
import sympy as sp
import torch

from hippo_verify import InvalidArgumentError, InvalidTypeError
from hippo_verify import oracles as package_oracles
from hippo_verify.oracles import mp_oracles as mo

REF = mpmath.MPContext()
REF.dps = 60
DEEP = mpmath.MPContext()
DEEP.dps = 120


# ---------------------------------------------------------------------------------------
# Independent references
# ---------------------------------------------------------------------------------------


def as_fraction(v: mpmath.mpf) -> Fraction:
    """An mpf as the Fraction it is."""
    sign, man, exp, _ = v._mpf_
    value = Fraction(man) * Fraction(2) ** exp
    return -value if sign else value


def _depth(value: object) -> int:
    depth = 0
    while isinstance(value, list):
        depth, value = depth + 1, value[0]
    return depth


def ref_selective_scan(
    u, delta, A, B, C, D=None, z=None, delta_bias=None, delta_softplus=False, *,
    discretization="mamba", ctx=REF,
):  # fmt: skip
    """Mamba's ``selective_scan_ref`` written out with mpmath numbers, one state at a time."""
    nb, d, nl, n = len(u), len(u[0]), len(u[0][0]), len(A[0])
    is_complex = any(isinstance(a, complex) for row in A for a in row)

    def entry(M, b, i, t, k):
        depth = _depth(M)
        if depth == 2:
            return ctx.convert(M[i][k])
        if depth == 3:
            return ctx.convert(M[b][k][t])
        return ctx.convert(M[b][i // (d // len(M[0]))][k][t])

    out = []
    for b in range(nb):
        rows = []
        for i in range(d):
            x, row = [ctx.mpc(0)] * n, []
            for t in range(nl):
                step = ctx.convert(delta[b][i][t])
                if delta_bias is not None:
                    step += ctx.convert(delta_bias[i])
                if delta_softplus:
                    step = ctx.log(1 + ctx.exp(step))
                ut = ctx.convert(u[b][i][t])
                for k in range(n):
                    a = ctx.convert(A[i][k])
                    decay = ctx.exp(step * a)
                    if discretization == "mamba" or a == 0:
                        gain = step
                    else:
                        gain = (decay - 1) / a
                    x[k] = decay * x[k] + gain * entry(B, b, i, t, k) * ut
                y = ctx.fsum(entry(C, b, i, t, k) * x[k] for k in range(n))
                y = 2 * ctx.re(y) if is_complex else ctx.re(y)
                if D is not None:
                    y += ctx.convert(D[i]) * ut
                if z is not None:
                    gate = ctx.convert(z[b][i][t])
                    y *= gate / (1 + ctx.exp(-gate))
                row.append(y)
            rows.append(row)
        out.append(rows)
    return out


def ref_ssd_quadratic(X, dt, A, B, C, D=None, ctx=REF):
    """Mamba-2's dual form y = (L o C B^T) (dt X) + D X, L_ts = exp(sum_{s<k<=t} dt_k A)."""
    nb, nl, h, p = len(X), len(X[0]), len(X[0][0]), len(X[0][0][0])
    g, n = len(B[0][0]), len(B[0][0][0])
    out = [[[[None] * p for _ in range(h)] for _ in range(nl)] for _ in range(nb)]
    for b in range(nb):
        for i in range(h):
            k, a = i // (h // g), ctx.convert(A[i])
            cum = [ctx.zero]
            for t in range(nl):
                cum.append(cum[-1] + ctx.convert(dt[b][t][i]) * a)
            for t in range(nl):
                for j in range(p):
                    total = ctx.zero
                    for s in range(t + 1):
                        cb = ctx.fsum(
                            ctx.convert(C[b][t][k][m]) * ctx.convert(B[b][s][k][m])
                            for m in range(n)
                        )
                        weight = ctx.exp(cum[t + 1] - cum[s + 1]) * ctx.convert(dt[b][s][i])
                        total += weight * cb * ctx.convert(X[b][s][i][j])
                    if D is not None:
                        total += ctx.convert(D[i]) * ctx.convert(X[b][t][i][j])
                    out[b][t][i][j] = total
    return out


def ref_s5(Lambda, B, C, u, delta, D=None, *, discretization="zoh", conj_sym=True, ctx=REF):
    """S5 written out with mpmath numbers: (Lbar, Bbar) per state, then the recurrence."""
    P, H = len(Lambda), len(B[0])
    Lbar, Bbar = [], []
    for q in range(P):
        lam, step = ctx.convert(Lambda[q]), ctx.convert(delta[q])
        if discretization == "zoh":
            Lbar.append(ctx.exp(lam * step))
            gain = step if lam == 0 else (Lbar[-1] - 1) / lam
        else:
            Lbar.append((1 + lam * step / 2) / (1 - lam * step / 2))
            gain = step / (1 - lam * step / 2)
        Bbar.append([gain * ctx.convert(v) for v in B[q]])
    out = []
    for series in u:
        x, rows = [ctx.mpc(0)] * P, []
        for u_t in series:
            ut = [ctx.convert(v) for v in u_t]
            x = [Lbar[q] * x[q] + ctx.fsum(Bbar[q][m] * ut[m] for m in range(H)) for q in range(P)]
            row = []
            for j in range(H):
                y = ctx.re(ctx.fsum(ctx.convert(C[j][q]) * x[q] for q in range(P)))
                y = 2 * y if conj_sym else y
                row.append(y + (ctx.convert(D[j]) * ut[j] if D is not None else 0))
            rows.append(row)
        out.append(rows)
    return out


def channel_digits(got, ref, channels) -> float:
    """min over output channels of -log10(max |got - ref| / max |ref|) (99 if exact).
    ``channels`` yields (entry(values, t), the reference channel as a list over t)."""
    worst = 99.0
    for entry, ref_channel in channels:
        g = [REF.convert(entry(got, t)) for t in range(len(ref_channel))]
        r = [REF.convert(v) for v in ref_channel]
        scale = max(abs(v) for v in r)
        diff = max(abs(a - b) for a, b in zip(g, r))
        if diff:
            worst = min(worst, float(-REF.log10(diff / scale)) if scale else 0.0)
    return worst


def selective_channels(ref):
    for b, rows in enumerate(ref):
        for i, row in enumerate(rows):
            yield (lambda v, t, b=b, i=i: v[b][i][t]), row


def ssd_channels(ref):
    for b, block in enumerate(ref):
        for i in range(len(block[0])):
            for j in range(len(block[0][0])):
                yield (lambda v, t, b=b, i=i, j=j: v[b][t][i][j]), [s[i][j] for s in block]


def s5_channels(ref):
    for b, block in enumerate(ref):
        for j in range(len(block[0])):
            yield (lambda v, t, b=b, j=j: v[b][t][j]), [s[j] for s in block]


def _grid(rng, shape, draw):
    if len(shape) == 1:
        return [draw() for _ in range(shape[0])]
    return [_grid(rng, shape[1:], draw) for _ in range(shape[0])]


def random_selective(seed: int) -> dict:
    """A drawn selective_scan problem (floats, so every leaf is read exactly)."""
    rng = random.Random(seed)
    b, d, n, nl = rng.randint(1, 2), rng.choice([2, 4]), rng.randint(1, 3), rng.randint(1, 6)
    complex_A = seed % 2 == 1

    def draw_A():
        return (
            complex(-rng.uniform(0.1, 2), rng.uniform(-4, 4)) if complex_A else -rng.uniform(0, 2)
        )

    def draw_bc():
        kind = rng.choice(["const", "step", "group"])
        if complex_A and rng.random() < 0.5:

            def draw():
                return complex(rng.gauss(0, 1), rng.gauss(0, 1))
        else:

            def draw():
                return rng.gauss(0, 1)

        if kind == "const":
            return _grid(rng, (d, n), draw)
        if kind == "step":
            return _grid(rng, (b, n, nl), draw)
        return _grid(rng, (b, rng.choice([g for g in (1, 2, d) if d % g == 0]), n, nl), draw)

    softplus = rng.random() < 0.5
    problem = {
        "u": _grid(rng, (b, d, nl), lambda: rng.gauss(0, 1)),
        "delta": _grid(
            rng, (b, d, nl), (lambda: rng.uniform(-3, 1)) if softplus else lambda: rng.uniform(0, 1)
        ),
        "A": _grid(rng, (d, n), draw_A),
        "B": draw_bc(),
        "C": draw_bc(),
        "D": _grid(rng, (d,), lambda: rng.gauss(0, 1)) if rng.random() < 0.5 else None,
        "z": _grid(rng, (b, d, nl), lambda: rng.gauss(0, 2)) if rng.random() < 0.5 else None,
        "delta_bias": _grid(rng, (d,), lambda: rng.gauss(0, 1)) if rng.random() < 0.5 else None,
        "delta_softplus": softplus,
    }
    return problem


# ---------------------------------------------------------------------------------------
# selective_scan against the plain loop, sympy and Fractions
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
@pytest.mark.parametrize("seed", range(6))
def test_selective_scan_matches_the_plain_loop(seed: int, discretization: str) -> None:
    problem = random_selective(seed)
    result = mo.selective_scan(**problem, discretization=discretization)
    assert result.digits >= 30
    assert result.method == f"{discretization}/fixed-point-scan"
    ref = ref_selective_scan(**problem, discretization=discretization)
    assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits


@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
def test_selective_scan_small_steps_and_zero_modes(discretization: str) -> None:
    """phi_1 by its series (|delta A| < 2^-20), A = 0 (ZOH's limit delta B), large |delta A|,
    negative and zero steps (no sign is required)."""
    A_real = [[0.0, -1e-7, 3e-8, -4.0, 1e-30, 25.0]]
    A_complex = [[0j, -1e-7 + 2e-7j, 3e-8j, -2 + 40j, 1e-30 + 1e-30j, -1e-3 + 1e-9j]]
    for A in (A_real, A_complex):
        problem = {
            "u": [[[1.0, -0.5, 2.0, 0.25, -1.0, 0.5]]],
            "delta": [[[0.5, 0.0, -0.25, 1e-9, 0.125, 0.75]]],
            "A": A,
            "B": [[1.0, -2.0, 0.5, 1.5, -1.0, 0.25]],
            "C": [[0.5, 1.0, -1.0, 2.0, 0.75, 1e-3]],
        }
        result = mo.selective_scan(**problem, discretization=discretization)
        ref = ref_selective_scan(**problem, discretization=discretization, ctx=DEEP)
        assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits >= 30


def test_groups_map_channels_to_groups_in_blocks() -> None:
    """d = 4, g = 2: channels 0, 1 use group 0 and channels 2, 3 group 1 (i // (d // g),
    Mamba's ``repeat(B, "b g n l -> b (g h) n l")``), not i % g: each channel equals the
    one-channel scan with its group's B and C per step, and the plain loop agrees."""
    rng = random.Random(21)
    nl, n = 5, 2
    problem = {
        "u": _grid(rng, (1, 4, nl), lambda: rng.gauss(0, 1)),
        "delta": _grid(rng, (1, 4, nl), lambda: rng.uniform(0.1, 1)),
        "A": _grid(rng, (4, n), lambda: -rng.uniform(0.1, 2)),
        "B": _grid(rng, (1, 2, n, nl), lambda: rng.gauss(0, 1)),
        "C": _grid(rng, (1, 2, n, nl), lambda: rng.gauss(0, 1)),
    }
    result = mo.selective_scan(**problem)
    for i in range(4):
        k = i // 2
        alone = mo.selective_scan(
            [[problem["u"][0][i]]], [[problem["delta"][0][i]]], [problem["A"][i]],
            [problem["B"][0][k]], [problem["C"][0][k]],
        )  # fmt: skip
        assert alone.values[0][0] == result.values[0][i]
    ref = ref_selective_scan(**problem)
    assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits


def _exact_selective(A, B, C, u, delta, discretization, softplus=False, z=None):
    """One channel, constant B and C, in exact sympy expressions (exp, log kept symbolic)."""
    x = [sp.Integer(0)] * len(A)
    out = []
    for t, ut in enumerate(u):
        step = sp.log(1 + sp.exp(delta[t])) if softplus else delta[t]
        for k, a in enumerate(A):
            decay = sp.exp(step * a)
            gain = step if discretization == "mamba" or a == 0 else (decay - 1) / a
            x[k] = decay * x[k] + gain * B[k] * ut
        y = sum(c * v for c, v in zip(C, x))
        if z is not None:
            y = y * z[t] / (1 + sp.exp(-z[t]))
        out.append(y)
    return out


@pytest.mark.parametrize("discretization", ["mamba", "zoh"])
def test_selective_scan_against_exact_sympy(discretization: str) -> None:
    R = sp.Rational
    A, B, C = [R(-1), R(-1, 3)], [R(1), R(1, 2)], [R(1, 2), R(-2)]
    u, delta, z = [R(1), R(-1, 2), R(3)], [R(1, 2), R(-1, 4), R(1, 3)], [R(1), R(-2), R(1, 2)]
    exact = _exact_selective(A, B, C, u, delta, discretization, softplus=True, z=z)
    result = package_oracles.selective_scan(
        [[u]], [[delta]], [A], [B], [C], z=[[z]], delta_softplus=True,
        discretization=discretization,
    )  # fmt: skip
    values = [sp.Float(str(v), 60) for v in result.strings(45)[0][0]]
    scale = max(abs(sp.N(e, 60)) for e in exact)
    error = max(abs(sp.N(e - v, 60)) for e, v in zip(exact, values))
    assert error <= scale * sp.Rational(1, 10**result.digits)


def test_selective_scan_with_A_zero_is_rational() -> None:
    """A = 0: e^{delta A} = 1, both discretizations give Bb = delta B: exact Fractions."""
    u = [Fraction(1), Fraction(-2, 3), Fraction(1, 5), Fraction(4)]
    delta = [Fraction(1, 2), Fraction(3, 4), Fraction(1, 8), Fraction(2)]
    B, C, D = [Fraction(1, 3), Fraction(-2)], [Fraction(3), Fraction(1, 7)], Fraction(-1, 9)
    x, exact = [Fraction(0)] * 2, []
    for ut, dt in zip(u, delta):
        x = [v + dt * b * ut for v, b in zip(x, B)]
        exact.append(sum(c * v for c, v in zip(C, x)) + D * ut)
    for discretization in ("mamba", "zoh"):
        result = mo.selective_scan(
            [[u]], [[delta]], [[0, 0]], [B], [C], [D], discretization=discretization
        )
        scale = max(abs(v) for v in exact)
        for got, want in zip(result.values[0][0], exact):
            assert abs(as_fraction(got) - want) <= scale / 10**result.digits


def test_complex_typed_A_doubles_the_real_part() -> None:
    """A complex tensor with zero imaginary parts is complex: y = 2 Re(C x) (+ D u, once)."""
    u, delta = [[[1.0, -1.0, 0.5]]], [[[0.5, 0.25, 1.0]]]
    B, C, D = [[1.0, 0.5]], [[1.0, -1.0]], [0.25]
    real = mo.selective_scan(u, delta, [[-1.0, -2.0]], B, C)
    as_complex = mo.selective_scan(u, delta, [[-1 + 0j, -2 + 0j]], B, C)
    for r, c in zip(real.values[0][0], as_complex.values[0][0]):
        assert abs(REF.convert(c) - 2 * REF.convert(r)) <= 1e-35
    real_d = mo.selective_scan(u, delta, [[-1.0, -2.0]], B, C, D)
    complex_d = mo.selective_scan(u, delta, torch.tensor([[-1.0, -2.0]]).to(torch.cdouble), B, C, D)
    for r, c, ut in zip(real_d.values[0][0], complex_d.values[0][0], u[0][0]):
        assert abs(REF.convert(c) - (2 * (REF.convert(r) - 0.25 * ut) + 0.25 * ut)) <= 1e-35


def test_delta_zero_holds_the_state() -> None:
    """delta_t = 0: Ab = 1, Bb = 0, so y_t = y_{t-1} for constant C (and u is ignored)."""
    result = mo.selective_scan(
        [[[1.0, 5.0, -7.0]]], [[[0.5, 0.0, 0.0]]], [[-1.0, -3.0]], [[1.0, 2.0]], [[1.0, 1.0]]
    )
    y = result.values[0][0]
    assert y[0] == y[1] == y[2] != 0


# ---------------------------------------------------------------------------------------
# Certification: digits per channel, ~0 channels, reruns
# ---------------------------------------------------------------------------------------


def test_digits_at_least_requested_and_a_deeper_rerun_agrees() -> None:
    problem = random_selective(3)
    for digits in (10, 30, 45):
        result = mo.selective_scan(**problem, digits=digits)
        assert result.digits >= digits
    first = mo.selective_scan(**problem, digits=30)
    deeper = mo.selective_scan(**problem, digits=60)
    assert deeper.digits >= 60 and deeper.prec > first.prec
    assert channel_digits(first.values, deeper.values, selective_channels(deeper.values)) >= (
        first.digits
    )


def test_each_channel_is_certified_relative_to_itself() -> None:
    """A channel 10^-20 times smaller than the rest keeps its digits relative to its own
    max-norm (relative to the global max-norm it would be 20 digits better than needed)."""
    u = [[[1.0, -2.0, 0.5, 1.0], [1e-20, -2e-20, 5e-21, 1e-20]]]
    problem = {
        "u": u,
        "delta": [[[0.5, 0.25, 1.0, 0.125]] * 2],
        "A": [[-1.0, -0.5], [-1.0, -0.5]],
        "B": [[1.0, 2.0], [1.0, 2.0]],
        "C": [[1.0, -1.0], [1.0, -1.0]],
    }
    result = mo.selective_scan(**problem)
    ref = ref_selective_scan(**problem)
    assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits >= 30
    tiny = [abs(v) for v in result.values[0][1]]
    assert 1e-21 < max(tiny) < 1e-19


def test_a_zero_channel_and_a_negligible_channel_use_the_global_max_norm() -> None:
    """Channel 1 is exactly 0 (u = 0), channel 2 is 1e-70 times the others (below 2^-p of
    the global max-norm, p the lower working precision): both are certified relative to the
    global max-norm, so the precision stays that of 30 digits instead of rising by 230
    bits. A channel 1e-30 times the others is above that level: its own max-norm counts."""
    row = [1.0, -2.0, 0.5]
    problem = {
        "u": [[row, [0.0, 0.0, 0.0], [v * 1e-70 for v in row]]],
        "delta": [[[0.5, 0.25, 1.0]] * 3],
        "A": [[-1.0]] * 3,
        "B": [[1.0]] * 3,
        "C": [[1.0]] * 3,
    }
    result = mo.selective_scan(**problem)
    assert result.digits >= 30 and result.prec < 200
    assert result.values[0][1] == [0, 0, 0]
    ref = ref_selective_scan(**problem)
    scale = max(abs(v) for v in ref[0][0])
    for got, want in zip(result.values[0][2], ref[0][2]):
        assert abs(REF.convert(got) - want) <= scale * REF.mpf(10) ** -result.digits
    problem["u"][0][2] = [v * 1e-30 for v in row]
    result = mo.selective_scan(**problem)
    assert result.prec > 200
    ref = ref_selective_scan(**problem)
    assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits >= 30


def test_channel_agreement_is_the_shared_definition() -> None:
    """The integer comparison of two runs gives the digits of ``agreement_digits`` (the
    mpmath comparison the other oracles use), per channel, and the exact floor(log10) of
    the ratio; a ~0 channel (below 2^-p_low of the global max-norm) is measured against
    the global max-norm."""
    rng = random.Random(4)
    p_low, p_high = 132, 165
    for _ in range(40):
        high = [[rng.randint(-(2**165), 2**165) >> rng.randint(0, 60) for _ in range(6)]
                for _ in range(3)]  # fmt: skip
        low = [[(v >> 33) + rng.randint(-(2**rng.randint(0, 80)), 2**20) for v in ch]
               for ch in high]  # fmt: skip
        got = mo._channel_agreement(low, p_low, high, p_high)
        ctx = mpmath.MPContext()
        ctx.prec = 400

        def as_mpf(channels, p):
            return [[ctx.ldexp(ctx.mpf(v), -p) for v in ch] for ch in channels]

        shared = mo.agreement_digits(
            as_mpf(low, p_low), as_mpf(high, p_high), cap=int(p_low / mo._LOG2_10), prec=400
        )
        assert got == shared
    assert mo._floor_log10_ratio(1000, 1) == 3
    assert mo._floor_log10_ratio(999, 1) == 2
    assert mo._floor_log10_ratio(10**40, 10**10 + 1) == 29
    assert mo._floor_log10_ratio(10**40, 10**10) == 30
    # channel 1 is rounding noise (1 unit; the global max-norm is 2^165): global scale
    top = [2**165, 0, 2**164]
    noise = [1, -1, 0]
    digits = mo._channel_agreement([[v >> 33 for v in top], [0, 0, 0]], 132, [top, noise], 165)
    assert digits == int(132 / mo._LOG2_10)  # ... where relative to itself it would be 0
    assert mo._channel_agreement([[1 << 132, 0, 0]], 132, [[1 << 132, 0, 0]], 165) == 0


def test_certification_failure_is_reported() -> None:
    """100 digits need a pair of runs at 364 and 455 bits: max_prec = 400 admits the digits
    but not the second run."""
    args = ([[[1.0] * 4]], [[[0.5] * 4]], [[-1.0, -0.5]], [[1.0, 2.0]], [[1.0, -1.0]])
    with pytest.raises(mo.CertificationError, match="could not certify 100 digits"):
        mo.selective_scan(*args, digits=100, max_prec=400)
    assert mo.selective_scan(*args, digits=100).digits >= 100


# ---------------------------------------------------------------------------------------
# ssd and s5_scan: other algorithms, and the relations between the oracles
# ---------------------------------------------------------------------------------------


def random_ssd(seed: int, h: int | None = None, g: int | None = None) -> dict:
    rng = random.Random(seed)
    b, nl, p, n = rng.randint(1, 2), rng.randint(1, 5), 2, rng.randint(1, 3)
    h = h or rng.choice([2, 4])
    g = g or rng.choice([x for x in (1, 2, h) if h % x == 0])
    return {
        "X": _grid(rng, (b, nl, h, p), lambda: rng.gauss(0, 1)),
        "dt": _grid(rng, (b, nl, h), lambda: rng.uniform(0.01, 1)),
        "A": _grid(rng, (h,), lambda: -rng.uniform(0, 3)),
        "B": _grid(rng, (b, nl, g, n), lambda: rng.gauss(0, 1)),
        "C": _grid(rng, (b, nl, g, n), lambda: rng.gauss(0, 1)),
        "D": _grid(rng, (h,), lambda: rng.gauss(0, 1)) if seed % 2 else None,
    }


@pytest.mark.parametrize(("seed", "h", "g"), [(0, 2, 1), (1, 4, 2), (2, 4, 4), (3, None, None)])
def test_ssd_matches_the_quadratic_form(seed: int, h: int | None, g: int | None) -> None:
    """Including h = 4 heads in g = 2 groups: heads 0, 1 use group 0, heads 2, 3 group 1."""
    problem = random_ssd(seed, h, g)
    result = mo.ssd(**problem)
    ref = ref_ssd_quadratic(**problem)
    assert channel_digits(result.values, ref, ssd_channels(ref)) >= result.digits >= 30


def test_ssd_with_A_zero_is_rational() -> None:
    """A = 0: y_t = sum_{s <= t} (C_t . B_s) dt_s X_s + D X_t, exactly in Fractions."""
    rng = random.Random(11)
    nl, h, p, n = 4, 2, 2, 3

    def frac():
        return Fraction(rng.randint(-9, 9), rng.randint(1, 9))

    X = [[[[frac() for _ in range(p)] for _ in range(h)] for _ in range(nl)]]
    dt = [[[Fraction(rng.randint(1, 9), 8) for _ in range(h)] for _ in range(nl)]]
    B = [[[[frac() for _ in range(n)]] for _ in range(nl)]]
    C = [[[[frac() for _ in range(n)]] for _ in range(nl)]]
    D = [Fraction(1, 3), Fraction(-2)]
    result = mo.ssd(X, dt, [0, 0], B, C, D)
    for i in range(h):
        for j in range(p):
            exact = []
            for t in range(nl):
                total = sum(
                    sum(c * b for c, b in zip(C[0][t][0], B[0][s][0])) * dt[0][s][i] * X[0][s][i][j]
                    for s in range(t + 1)
                )
                exact.append(total + D[i] * X[0][t][i][j])
            scale = max(abs(v) for v in exact)
            for t in range(nl):
                got = as_fraction(result.values[0][t][i][j])
                assert abs(got - exact[t]) <= scale / 10**result.digits


@pytest.mark.parametrize(("seed", "h", "g"), [(0, None, None), (1, 4, 2), (2, None, None)])
def test_ssd_is_a_selective_scan_with_A_broadcast(seed: int, h: int | None, g: int | None) -> None:
    """Channel (i, j) of the selective scan: u = X[:, :, i, j], delta = dt[:, :, i], A row
    = A_i on every state, B/C grouped (b, g, n, l) with d = h p, so that channel i p + j uses
    group i // (h // g), as head i does; D_i."""
    problem = random_ssd(seed, h, g)
    X, dt, A, B, C, D = (problem[k] for k in ("X", "dt", "A", "B", "C", "D"))
    nb, nl, h, p = len(X), len(X[0]), len(X[0][0]), len(X[0][0][0])
    g, n = len(B[0][0]), len(B[0][0][0])
    u = [
        [[X[b][t][i][j] for t in range(nl)] for i in range(h) for j in range(p)] for b in range(nb)
    ]
    delta = [
        [[dt[b][t][i] for t in range(nl)] for i in range(h) for _ in range(p)] for b in range(nb)
    ]

    def grouped(M):
        return [[[[M[b][t][k][m] for t in range(nl)] for m in range(n)] for k in range(g)]
                for b in range(nb)]  # fmt: skip

    as_scan = mo.selective_scan(
        u, delta, [[A[i]] * n for i in range(h) for _ in range(p)], grouped(B), grouped(C),
        [D[i] for i in range(h) for _ in range(p)] if D is not None else None,
    )  # fmt: skip
    result = mo.ssd(**problem)
    mapped = [[[as_scan.values[b][i * p + j][t] for j in range(p)] for i in range(h)]
              for b in range(nb) for t in range(nl)]  # fmt: skip
    flat = [result.values[b][t] for b in range(nb) for t in range(nl)]
    for got, want in zip(flat, mapped):
        for row_got, row_want in zip(got, want):
            for a, v in zip(row_got, row_want):
                assert abs(a - v) <= 1e-28 * max(1, abs(v))


def random_s5(seed: int, P: int, H: int, equal_steps: bool = False) -> dict:
    rng = random.Random(seed)
    step = rng.uniform(0.01, 0.5)
    return {
        "Lambda": _grid(rng, (P,), lambda: complex(-rng.uniform(0.05, 2), rng.uniform(-6, 6))),
        "B": _grid(rng, (P, H), lambda: complex(rng.gauss(0, 1), rng.gauss(0, 1))),
        "C": _grid(rng, (H, P), lambda: complex(rng.gauss(0, 1), rng.gauss(0, 1))),
        "u": _grid(rng, (rng.randint(1, 2), rng.randint(1, 6), H), lambda: rng.gauss(0, 1)),
        "delta": [step] * P if equal_steps else _grid(rng, (P,), lambda: rng.uniform(0.01, 0.5)),
        "D": _grid(rng, (H,), lambda: rng.gauss(0, 1)) if seed % 2 else None,
    }


@pytest.mark.parametrize("conj_sym", [True, False])
@pytest.mark.parametrize("discretization", ["zoh", "bilinear"])
def test_s5_matches_the_plain_loop(discretization: str, conj_sym: bool) -> None:
    problem = random_s5(3 + conj_sym, P=3, H=2)
    result = mo.s5_scan(**problem, discretization=discretization, conj_sym=conj_sym)
    ref = ref_s5(**problem, discretization=discretization, conj_sym=conj_sym)
    assert channel_digits(result.values, ref, s5_channels(ref)) >= result.digits >= 30


@pytest.mark.parametrize("discretization", ["zoh", "bilinear"])
def test_s5_is_a_convolution_with_the_diagonal_kernel(discretization: str) -> None:
    """One step for every state: y[:, j] = sum_m causal_conv(u[:, m], K^{jm}) + D_j u_j with
    K^{jm} = diag_kernel(Lambda, B[:, m], C[j, :], l, dt=delta) (conj_pairs: 2 Re)."""
    problem = random_s5(7, P=2, H=2, equal_steps=True)
    result = mo.s5_scan(**problem, discretization=discretization)
    Lam, B, C, u, delta, D = (problem[k] for k in ("Lambda", "B", "C", "u", "delta", "D"))
    H, nl = len(B[0]), len(u[0])
    for b, series in enumerate(u):
        for j in range(H):
            total = [REF.zero] * nl
            for m in range(H):
                K = mo.diag_kernel(
                    Lam, [row[m] for row in B], C[j], nl, dt=delta[0], method=discretization
                )
                y = mo.causal_conv([u_t[m] for u_t in series], K.values, digits=40)
                total = [a + REF.convert(v) for a, v in zip(total, y.values)]
            if D is not None:
                total = [a + REF.convert(D[j]) * u_t[j] for a, u_t in zip(total, series)]
            got = [REF.convert(result.values[b][t][j]) for t in range(nl)]
            scale = max(abs(v) for v in total)
            assert max(abs(a - v) for a, v in zip(got, total)) <= scale * 10 ** -(result.digits - 1)


def test_s5_with_one_state_and_channel_is_a_selective_scan() -> None:
    """P = H = 1, ZOH, conj_sym: the selective scan with constant delta, A = Lambda, B, C,
    exact ZOH, is the same map (y = 2 Re(C x) + D u)."""
    lam, b, c, step = -0.5 + 2j, 0.75 - 0.25j, 1.5 + 0.5j, 0.125
    u = [1.0, -0.5, 2.0, 0.0, 0.25]
    s5 = mo.s5_scan([lam], [[b]], [[c]], [[[v] for v in u]], [step], [0.5])
    scan = mo.selective_scan(
        [[u]], [[[step] * len(u)]], [[lam]], [[b]], [[c]], [0.5], discretization="zoh"
    )
    for t, v in enumerate(scan.values[0][0]):
        assert abs(s5.values[0][t][0] - v) <= 1e-30 * max(1, abs(v))


def test_zoh_and_mamba_differ_at_second_order_in_delta() -> None:
    """Bb_zoh - Bb_mamba = delta^2 A/2 B + O(delta^3): the outputs after a fixed number of
    steps differ by O(delta^2), so halving delta divides the difference by about 4 (slope
    of log diff against log delta: 2)."""
    A, B, C, u = [[-1.0, -3.0]], [[1.0, 0.5]], [[1.0, -2.0]], [[[1.0, -0.5, 0.25, 2.0]]]
    diffs = []
    steps = [2.0**-k for k in (6, 7, 8)]
    for h in steps:
        delta = [[[h] * 4]]
        zoh = mo.selective_scan(u, delta, A, B, C, discretization="zoh")
        mamba = mo.selective_scan(u, delta, A, B, C, discretization="mamba")
        diffs.append(max(abs(a - b) for a, b in zip(zoh.values[0][0], mamba.values[0][0])))
    slopes = [
        float(mpmath.log(diffs[k] / diffs[k + 1], 2)) for k in range(len(diffs) - 1)
    ]  # log2 of the ratio for a halving
    assert all(abs(s - 2) < 0.05 for s in slopes), slopes


# ---------------------------------------------------------------------------------------
# Bad input is refused before any work
# ---------------------------------------------------------------------------------------

U, DELTA, A2, B2, C2 = [[[1.0, 2.0]]], [[[0.5, 0.5]]], [[-1.0, -2.0]], [[1.0, 1.0]], [[1.0, 1.0]]
GOOD = {"u": U, "delta": DELTA, "A": A2, "B": B2, "C": C2}

SELECTIVE_BAD = [
    ({"delta": [[[0.5]]]}, InvalidArgumentError, "delta: expected shape"),
    ({"A": [[-1.0], [-2.0]]}, InvalidArgumentError, "A: expected shape"),
    ({"u": [[[1.0, 2.0], [1.0]]]}, InvalidArgumentError, "ragged"),
    ({"u": [[[]]]}, InvalidArgumentError, "must not be empty"),
    ({"u": [[1.0, 2.0]]}, InvalidArgumentError, "expected 3 dimensions"),
    ({"u": [[[1.0, float("nan")]]]}, InvalidArgumentError, "NaN"),
    ({"delta": [[[0.5, float("inf")]]]}, InvalidArgumentError, "NaN and infinities"),
    ({"u": [[[1.0, 2j]]]}, InvalidTypeError, "u must be real"),
    ({"delta": [[["1/2", "1+1j"]]]}, InvalidTypeError, "delta must be real"),
    ({"B": [[1.0, 1j]]}, InvalidTypeError, "B must be real when A is real"),
    ({"C": [[[[1.0, 1.0], [1.0, 1j]]]]}, InvalidTypeError, "C must be real when A is real"),
    ({"B": [1.0, 1.0]}, InvalidArgumentError, "got 1 dimensions"),
    ({"B": [[[[[1.0]]]]]}, InvalidArgumentError, "got 5 dimensions"),
    ({"B": [[[1.0], [1.0]]]}, InvalidArgumentError, r"\(b, n, l\)"),
    ({"D": [1.0, 2.0]}, InvalidArgumentError, "D: expected shape"),
    ({"z": [[[1.0]]]}, InvalidArgumentError, "z: expected shape"),
    ({"delta_bias": [1j]}, InvalidTypeError, "delta_bias must be real"),
    ({"delta_softplus": 1}, InvalidTypeError, "delta_softplus"),
    ({"discretization": "bilinear"}, InvalidArgumentError, "discretization"),
    ({"discretization": None}, InvalidTypeError, "discretization"),
    ({"digits": 0}, InvalidArgumentError, "digits"),
    ({"u": [[[True, 1.0]]]}, InvalidTypeError, "expected a number"),
    ({"u": None}, InvalidTypeError, "nested sequence"),
    ({"A": [[2.0, 1.0]], "delta": [[[1e4, 1e4]]]}, InvalidArgumentError, "grow"),
]


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any certification started is a failure: bad input must be refused before."""

    def refuse(*args, **kwargs):
        raise AssertionError("work started on bad input")

    monkeypatch.setattr(mo, "_certify_channels", refuse)


@pytest.mark.parametrize(("change", "error", "match"), SELECTIVE_BAD)
def test_selective_scan_refuses_bad_input(no_work, change, error, match) -> None:
    with pytest.raises(error, match=match):
        mo.selective_scan(**{**GOOD, **change})


def test_groups_must_divide_channels(no_work) -> None:
    u = [[[1.0], [1.0], [1.0]]]
    with pytest.raises(InvalidArgumentError, match="do not divide d = 3"):
        mo.selective_scan(u, u, [[-1.0]] * 3, [[[[1.0]], [[1.0]]]], [[1.0]] * 3)


def test_work_above_the_limit_is_refused(no_work) -> None:
    with mo.work_limit(100), pytest.raises(InvalidArgumentError, match="work limit"):
        mo.selective_scan(**GOOD)
    with mo.work_limit(100), pytest.raises(InvalidArgumentError, match="work limit"):
        mo.s5_scan(**S5_GOOD)
    with mo.work_limit(1000), pytest.raises(InvalidArgumentError, match="work limit"):
        mo.ssd([[[[1.0] * 8] * 4] * 8], [[[0.5] * 4] * 8], [-1.0] * 4, [[[[1.0]]] * 8] * 1,
               [[[[1.0]]] * 8])  # fmt: skip


SSD_GOOD = {
    "X": [[[[1.0, 2.0], [0.5, 1.0]]]],
    "dt": [[[0.5, 0.25]]],
    "A": [-1.0, -2.0],
    "B": [[[[1.0, 0.5]]]],
    "C": [[[[1.0, -1.0]]]],
}
SSD_BAD = [
    ({"dt": [[[0.5, 0.0]]]}, InvalidArgumentError, "dt must be > 0"),
    ({"dt": [[[0.5, -1.0]]]}, InvalidArgumentError, "dt must be > 0"),
    ({"A": [-1.0]}, InvalidArgumentError, "A: expected shape"),
    ({"A": [-1.0, 1j]}, InvalidTypeError, "A must be real"),
    ({"X": [[[[1.0, 2j], [0.5, 1.0]]]]}, InvalidTypeError, "X must be real"),
    ({"C": [[[[1.0, -1.0, 2.0]]]]}, InvalidArgumentError, "C: expected shape"),
    ({"B": [[[[1.0], [1.0], [1.0]]]], "C": [[[[1.0], [1.0], [1.0]]]]}, InvalidArgumentError,
     "do not divide h = 2"),
    ({"D": [1.0]}, InvalidArgumentError, "D: expected shape"),
    ({"A": [1e6, -1.0], "dt": [[[1.0, 1.0]]]}, InvalidArgumentError, "grow"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "error", "match"), SSD_BAD)
def test_ssd_refuses_bad_input(no_work, change, error, match) -> None:
    with pytest.raises(error, match=match):
        mo.ssd(**{**SSD_GOOD, **change})


S5_GOOD = {
    "Lambda": [-0.5 + 1j],
    "B": [[1.0, 0.5j]],
    "C": [[1.0], [2j]],
    "u": [[[1.0, -1.0], [0.5, 0.25]]],
    "delta": [0.1],
}
S5_BAD = [
    ({"delta": [0.0]}, InvalidArgumentError, "delta must be > 0"),
    ({"delta": ["-1/10"]}, InvalidArgumentError, "delta must be > 0"),
    ({"delta": [1j]}, InvalidTypeError, "delta must be real"),
    ({"u": [[[1.0, -1j], [0.5, 0.25]]]}, InvalidTypeError, "u must be real"),
    ({"u": [[[1.0], [0.5]]]}, InvalidArgumentError, "u: expected shape"),
    ({"C": [[1.0, 2.0], [2j, 1.0]]}, InvalidArgumentError, "C: expected shape"),
    ({"D": [1.0]}, InvalidArgumentError, "D: expected shape"),
    ({"discretization": "mamba"}, InvalidArgumentError, "discretization"),
    ({"conj_sym": "yes"}, InvalidTypeError, "conj_sym"),
    ({"Lambda": ["4"], "delta": ["1/2"], "discretization": "bilinear"}, InvalidArgumentError,
     "Lambda delta = 2"),
    ({"Lambda": [1e5 + 0j], "delta": [1.0]}, InvalidArgumentError, "grow"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "error", "match"), S5_BAD)
def test_s5_refuses_bad_input(no_work, change, error, match) -> None:
    with pytest.raises(error, match=match):
        mo.s5_scan(**{**S5_GOOD, **change})


def test_unstable_but_bounded_growth_is_computed() -> None:
    """A > 0 (or Re Lambda > 0) is not refused while the state stays below 2^max_prec."""
    result = mo.selective_scan([[[1.0, 1.0, 1.0]]], [[[1.0, 1.0, 1.0]]], [[2.0]], [[1.0]], [[1.0]])
    ref = ref_selective_scan([[[1.0, 1.0, 1.0]]], [[[1.0, 1.0, 1.0]]], [[2.0]], [[1.0]], [[1.0]])
    assert channel_digits(result.values, ref, selective_channels(ref)) >= result.digits
    s5 = mo.s5_scan([0.5 + 1j], [[1.0]], [[1.0]], [[[1.0], [1.0]]], [1.0])
    ref = ref_s5([0.5 + 1j], [[1.0]], [[1.0]], [[[1.0], [1.0]]], [1.0])
    assert channel_digits(s5.values, ref, s5_channels(ref)) >= s5.digits


# ---------------------------------------------------------------------------------------
# The package wrappers and the vendored file
# ---------------------------------------------------------------------------------------


def test_package_wrappers_take_tensors_and_sympy() -> None:
    torch_u = torch.tensor([[[1.0, -0.5, 0.25]]], dtype=torch.float32)
    torch_dt = torch.tensor([[[0.5, 0.125, 1.0]]], dtype=torch.float32)
    result = package_oracles.selective_scan(
        torch_u, torch_dt, torch.tensor([[-1.0, -2.0]]), torch.tensor([[1.0, 0.5]]),
        torch.tensor([[1.0, -1.0]]),
    )  # fmt: skip
    same = mo.selective_scan(torch_u.tolist(), torch_dt.tolist(), A2, [[1.0, 0.5]], [[1.0, -1.0]])
    assert result.values == same.values
    assert torch.tensor(result.floats()).shape == (1, 1, 3)
    exact = package_oracles.ssd(
        [[[[sp.Rational(1, 2)]]]], [[[sp.sqrt(2)]]], [sp.Integer(-1)], [[[[1]]]], [[[[2]]]]
    )
    assert abs(REF.convert(exact.values[0][0][0][0]) - REF.sqrt(2)) < 1e-40
    with pytest.raises(InvalidArgumentError):
        package_oracles.s5_scan([-1], [[1]], [[1]], [[[1]]], [0])


def test_results_are_nested_like_the_kernels_output() -> None:
    scan = mo.selective_scan([[[1.0] * 3] * 2] * 2, [[[0.5] * 3] * 2] * 2, A2 * 2, B2 * 2, C2 * 2)
    assert (len(scan), len(scan[0]), len(scan[0][0])) == (2, 2, 3)
    ssd = mo.ssd([[[[1.0] * 3] * 2] * 4], [[[0.5] * 2] * 4], [-1.0, -2.0], [[[[1.0]]] * 4],
                 [[[[1.0]]] * 4])  # fmt: skip
    assert (len(ssd[0]), len(ssd[0][0]), len(ssd[0][0][0])) == (4, 2, 3)
    s5 = mo.s5_scan(**S5_GOOD)
    assert (len(s5), len(s5[0]), len(s5[0][0])) == (1, 2, 2)
    assert s5.method == "zoh/fixed-point-scan" and scan.family == "selective_scan"


VENDORED = r"""
import importlib.abc, json, sys

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in {"hippo_verify", "sympy", "numpy", "torch"}:
            raise ImportError(name)
        return None

sys.meta_path.insert(0, Refuse())
sys.path.insert(0, sys.argv[1])
import mp_oracles as mo
cases = json.loads(sys.stdin.read())
out = {name: getattr(mo, fn)(*a, **kw).strings() for name, (fn, a, kw) in cases.items()}
try:
    mo.ssd([[[[1.0]]]], [[[0.0]]], [-1.0], [[[[1.0]]]], [[[[1.0]]]])
except mo.InvalidArgumentError as error:
    out["refused"] = type(error).__module__
print(json.dumps(out))
"""


def test_vendored_copy_runs_the_selective_oracles(tmp_path: Path) -> None:
    shutil.copyfile(mo.__file__, tmp_path / "mp_oracles.py")
    s5 = [["-1/2+1j"], [["1", "1/2j"]], [["1"], ["2j"]], S5_GOOD["u"], S5_GOOD["delta"]]
    cases = {
        "selective_scan": ("selective_scan", [U, DELTA, [["-1+1j", "-2"]], B2, C2], {}),
        "ssd": ("ssd", [*SSD_GOOD.values()], {}),
        "s5_scan": ("s5_scan", s5, {"discretization": "bilinear"}),
    }
    run = subprocess.run(
        [sys.executable, "-I", "-c", VENDORED, str(tmp_path)],
        input=json.dumps(cases), capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    got = json.loads(run.stdout)
    assert got.pop("refused") == "mp_oracles"
    for name, (fn, args, kwargs) in cases.items():
        assert got[name] == json.loads(
            json.dumps(getattr(package_oracles, fn)(*args, **kwargs).strings())
        )
