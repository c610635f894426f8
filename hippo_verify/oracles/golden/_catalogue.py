"""The canonical cases: the case specs of the shipped golden files (every family, a few
sizes each), built from exact inputs."""

from __future__ import annotations

import copy
import functools
from typing import Any

import sympy as sp

from ...symbolic import hippo, s4d_init
from ._schema import SIGNALS, encode_params


def _spec(family: str, id_: str, convention: str, source: str, /, **params: Any) -> dict[str, Any]:
    """A case spec from oracle-style inputs (sympy matrices, Fractions, ...)."""
    return {
        "id": id_,
        "family": family,
        "convention": convention,
        "source": source,
        "params": encode_params(family, params),
    }


def _alternating(N: int) -> list[sp.Rational]:
    return [sp.Rational((-1) ** n, n + 1) for n in range(N)]


_C_ALT = "C_n = (-1)^n/(n+1)"


def canonical_cases() -> list[dict[str, Any]]:
    """The case specs of the shipped golden files (every family, a few sizes each).

    HiPPO matrices come from ``hippo_verify.symbolic.hippo`` (exact; irrational entries are
    stored as ``{"expr": ...}``), S4D modes from ``s4d_init``; the rest are small exact
    rational systems.

    Returns:
        Case specs in file order (by family as in ``FAMILIES``, then as shipped): dicts
        with ``id``, ``family``, ``convention``, ``source`` (for people: how the parameters
        were built) and ``params`` (JSON, schema 1), ready for ``compute_case``. Each call
        returns fresh dicts (built once, then copied), so callers may modify them.

    Raises:
        Nothing: the cases are fixed (the first call builds them with sympy, then caches).
    """
    return copy.deepcopy(_canonical_specs())


@functools.lru_cache(maxsize=1)
def _canonical_specs() -> list[dict[str, Any]]:
    R, IM = sp.Rational, sp.I
    cases: list[dict[str, Any]] = []

    # discretize: LegS N = 4, every method
    A, B = hippo("legs", 4)
    for name in ("forward_euler", "backward_euler", "bilinear", "zoh", "gbt(1/3)"):
        cases.append(
            _spec(
                "discretize",
                f"legs-N4-{name}-dt1/10",
                "canonical",
                "A, B = hippo('legs', 4)",
                A=A,
                B=B,
                dt=R(1, 10),
                method=name,
            )
        )

    # ssm_kernel: LegS / LegT N = 4, 16, bilinear and ZOH; s4 LegT; FouT (pi entries)
    ssm = [
        (m, N, meth, "canonical")
        for m in ("legs", "legt")
        for N in (4, 16)
        for meth in ("bilinear", "zoh")
    ]
    ssm += [
        ("legt", 4, "bilinear", "s4"),
        ("lagt", 4, "bilinear", "s4"),
        ("fout", 4, "zoh", "canonical"),
    ]
    for measure, N, method, convention in ssm:
        A, B = hippo(measure, N, convention=convention)
        source = f"A, B = hippo({measure!r}, {N}, convention={convention!r}); {_C_ALT}"
        cases.append(
            _spec(
                "ssm_kernel",
                f"{measure}-{convention}-N{N}-{method}-L64-dt1/64",
                convention,
                source,
                A=A,
                B=B,
                C=_alternating(N),
                L=64,
                dt=R(1, 64),
                method=method,
            )
        )

    # discrete_kernel: triangular (eigen route), dense real and dense complex (Krylov)
    lower = [
        [R(1, 2), 0, 0, 0],
        [R(1, 4), R(-1, 3), 0, 0],
        [R(1, 8), R(1, 5), R(1, 4), 0],
        [R(-1, 16), R(1, 7), R(1, 9), R(-1, 5)],
    ]
    dense = [[R(1, 2), R(1, 4), 0], [R(-1, 4), R(1, 2), R(1, 8)], [0, R(-1, 8), R(3, 4)]]
    rotation = [[R(1, 2) + IM / 2, R(1, 4)], [0, R(-1, 3) + IM / 4]]
    for id_, Ab in (("lower-N4-L32", lower), ("dense-N3-L32", dense), ("complex-N2-L32", rotation)):
        n = len(Ab)
        cases.append(
            _spec(
                "discrete_kernel",
                id_,
                "canonical",
                "small exact matrix; Bb_n = 1/(n+1); C_n = (-1)^n",
                Ab=Ab,
                Bb=[R(1, k + 1) for k in range(n)],
                C=[(-1) ** k for k in range(n)],
                L=32,
            )
        )

    # continuous_kernel: K(t) = C e^{tA} B at three times
    for measure, times in (("legs", (R(1, 2), 1, 2)), ("legt", (R(1, 4), R(1, 2), 1))):
        A, B = hippo(measure, 4)
        cases.append(
            _spec(
                "continuous_kernel",
                f"{measure}-N4-3times",
                "canonical",
                f"A, B = hippo({measure!r}, 4); {_C_ALT}",
                A=A,
                B=B,
                C=_alternating(4),
                t=list(times),
            )
        )

    # diag_kernel: S4D-Lin / S4D-Inv 8 modes ZOH L = 128; s4-convention bilinear; full sum
    c8 = [R(1, n + 1) + IM * R((-1) ** n, 2 * n + 4) for n in range(8)]
    c_source = "B_n = 1; C_n = 1/(n+1) + i (-1)^n/(2n+4)"
    for kind, convention, method in (
        ("lin", "paper", "zoh"),
        ("inv", "paper", "zoh"),
        ("lin", "s4", "bilinear"),
    ):
        lam = s4d_init(kind, 16, convention=convention)
        cases.append(
            _spec(
                "diag_kernel",
                f"s4d-{kind}-{convention}-M8-{method}-L128-dt1/100",
                "s4d" if convention == "paper" else "s4",
                f"lam = s4d_init({kind!r}, 16, convention={convention!r}); {c_source}",
                lam=lam,
                B=[1] * 8,
                C=c8,
                L=128,
                dt=R(1, 100),
                method=method,
                conj_pairs=True,
            )
        )
    cases.append(
        _spec(
            "diag_kernel",
            "s4d-real-M8-zoh-L64-dt1/10-full-sum",
            "canonical",
            f"lam = s4d_init('real', 16); {c_source}; conj_pairs = False (complex sum)",
            lam=s4d_init("real", 16),
            B=[1] * 8,
            C=c8,
            L=64,
            dt=R(1, 10),
            method="zoh",
            conj_pairs=False,
        )
    )

    # h3_diag_kernel
    cases.append(
        _spec(
            "h3_diag_kernel",
            "s4d-lin-M4-L64-dt1/64",
            "h3",
            f"lam = s4d_init('lin', 8); {c_source}",
            lam=s4d_init("lin", 8),
            B=[1] * 4,
            C=c8[:4],
            L=64,
            dt=R(1, 64),
        )
    )

    # shift_kernel: padded and truncated
    c_shift = [1, R(-1, 2), R(1, 3), R(-1, 4), R(1, 5), R(-1, 6), R(1, 7), R(-1, 8)]
    for id_, C, L in (("d4-L8", c_shift[:4], 8), ("d8-L4", c_shift, 4)):
        cases.append(_spec("shift_kernel", id_, "canonical", _C_ALT, C=C, L=L))

    # causal_conv: real (K longer than u) and complex
    u = [R((-1) ** k, k + 1) for k in range(16)]
    cases.append(
        _spec(
            "causal_conv",
            "real-u16-K20",
            "canonical",
            "u_k = (-1)^k/(k+1); K_k = 2^-k",
            u=u,
            K=[R(1, 2**k) for k in range(20)],
        )
    )
    cases.append(
        _spec(
            "causal_conv",
            "complex-u8-K8",
            "canonical",
            "u_k = (-1)^k/(k+1); K_k = (1/2 + i/3)^k",
            u=u[:8],
            K=[sp.expand((R(1, 2) + IM / 3) ** k) for k in range(8)],
        )
    )

    # scan: the state recurrence on the dense real and complex systems of discrete_kernel
    u_complex = [u[j] + IM / 2 ** (j + 1) for j in range(8)]
    for id_, Ab, u_scan, u_source in (
        ("dense-N3-u16", dense, u, "u_k = (-1)^k/(k+1)"),
        ("complex-N2-u8", rotation, u_complex, "u_k = (-1)^k/(k+1) + i 2^-(k+1)"),
    ):
        n = len(Ab)
        cases.append(
            _spec(
                "scan",
                id_,
                "canonical",
                f"small exact matrix; Bb_n = 1/(n+1); C_n = (-1)^n; {u_source}",
                Ab=Ab,
                Bb=[R(1, k + 1) for k in range(n)],
                C=[(-1) ** k for k in range(n)],
                u=u_scan,
            )
        )

    # h3_ssm: L = 16, two modes (S4D-Lin: -1/2 and -1/2 + i pi; S4D-Inv: a complex
    # pair), a shift kernel shorter than L (d = 4) and one truncated to L (d = 20)
    qkv = {
        "q": [R((-1) ** j * (j % 5 + 1), 8) for j in range(16)],
        "k": [R(1, 2 ** (j % 4)) for j in range(16)],
        "v": [R(j % 3 - 1, 4) + R(1, 16) for j in range(16)],
    }
    qkv_source = "q_j = (-1)^j (j mod 5 + 1)/8; k_j = 2^-(j mod 4); v_j = (j mod 3 - 1)/4 + 1/16"
    h3_cases = (
        ("lin", [1, 1], [R(1, 2), R(1, 4) - IM / 8], c_shift[:4]),
        (
            "inv",
            [1, R(1, 2) + IM / 4],
            [R(1, 3) + IM / 2, R(-1, 4)],
            [R((-1) ** j, 2 ** (j % 6)) for j in range(20)],
        ),
    )
    h3_sources = (
        "B = 1, 1; C = 1/2, 1/4 - i/8; shift_C_j = (-1)^j/(j+1)",
        "B = 1, 1/2 + i/4; C = 1/3 + i/2, -1/4; shift_C_j = (-1)^j/2^(j mod 6)",
    )
    for (kind, B_h3, C_h3, shift_C), source in zip(h3_cases, h3_sources):
        cases.append(
            _spec(
                "h3_ssm",
                f"s4d-{kind}-M2-d{len(shift_C)}-L16-dt1/16",
                "h3",
                f"lam = s4d_init({kind!r}, 4); {source}; {qkv_source}",
                **qkv,
                shift_C=shift_C,
                lam=s4d_init(kind, 4),
                B=B_h3,
                C=C_h3,
                dt=R(1, 16),
            )
        )

    # dplr_kernel: S4's A = diag(Lambda) - P Q^H, rank 1 and rank 2
    lam4 = [R(-1, 2) + IM, R(-1, 2) - IM, R(-1, 2) + 3 * IM, R(-1, 2) - 3 * IM]
    p1 = [[R(1, 2)], [R(1, 3)], [R(1, 4)], [R(1, 5)]]
    p2 = [[R(1, 2), R(1, 3)], [R(1, 3), R(-1, 4)], [R(1, 4), R(1, 5)], [R(1, 5), R(-1, 6)]]
    q2 = [[R(1, 3), IM / 4], [R(1, 4), R(1, 5)], [IM / 5, R(1, 6)], [R(1, 6), R(1, 7)]]
    dplr_c = [1, R(1, 2) + IM / 3, R(1, 3), R(1, 4) - IM / 5]
    for id_, P, Q, L in (("N4-rank1-L32-dt1/10", p1, p1, 32), ("N4-rank2-L16-dt1/10", p2, q2, 16)):
        cases.append(
            _spec(
                "dplr_kernel",
                id_,
                "s4",
                "Lambda = -1/2 +- i, -1/2 +- 3i; small exact P, Q, C; B = 1",
                Lambda=lam4,
                P=P,
                Q=Q,
                B=[1] * 4,
                C=dplr_c,
                L=L,
                dt=R(1, 10),
            )
        )

    # rtf_kernel: stable d = 4 (L = 64) and unstable d = 2 (L = 32), aliased and not
    stable_a, stable_b = [R(-1, 2), R(1, 4), R(-1, 8), R(1, 16)], [1, R(1, 2), R(1, 3), R(1, 4)]
    rtf_source = "a(z) = 1 + a_1 z + ..., b(z) = b_1 + b_2 z + ..."
    rtf_systems = (
        ("stable-d4-L64", stable_a, stable_b, 64),
        ("unstable-d2-L32", [R(-2), R(3, 4)], [1, R(-1, 3)], 32),
    )
    for id_, a, b, L in rtf_systems:
        for aliased in (True, False):
            cases.append(
                _spec(
                    "rtf_kernel",
                    f"{id_}-{'aliased' if aliased else 'impulse'}",
                    "seed-002 RTF",
                    rtf_source,
                    a=a,
                    b=b,
                    L=L,
                    aliased=aliased,
                )
            )

    # rtf_impulse_response: the impulse responses of rtf_kernel, and d >= L (b truncated)
    for id_, a, b, L in (*rtf_systems, ("stable-d4-L3", stable_a, stable_b, 3)):
        cases.append(_spec("rtf_impulse_response", id_, "seed-002 RTF", rtf_source, a=a, b=b, L=L))

    # rtf_recurrence: the aliased kernel applied to u, len(u) = L and len(u) < L
    for (id_, a, b, L), n in zip(rtf_systems, (64, 16)):
        cases.append(
            _spec(
                "rtf_recurrence",
                f"{id_}-u{n}",
                "seed-002 RTF",
                f"{rtf_source}; u_k = (-1)^k/(k+1), k < {n}",
                a=a,
                b=b,
                u=[R((-1) ** j, j + 1) for j in range(n)],
                L=L,
            )
        )

    cases += _selective_specs()

    # hippo_projection: one signal per measure, N = 8 at t = 3/2
    for measure, signal in (("legs", "sin3"), ("legt", "poly"), ("lagt", "exp"), ("fout", "sin3")):
        cases.append(
            _spec(
                "hippo_projection",
                f"{measure}-{signal}-N8-t3/2",
                "canonical",
                f"f(s) = {SIGNALS[signal][1]} for s >= 0, 0 before",
                measure=measure,
                signal=signal,
                t=R(3, 2),
                N=8,
                convention="canonical",
            )
        )
    return cases


def _grid(shape: tuple[int, ...], entry: Any, index: tuple[int, ...] = ()) -> Any:
    """Nested lists of ``entry(*index)`` over ``shape`` (row-major)."""
    if len(shape) == 1:
        return [entry(*index, k) for k in range(shape[0])]
    return [_grid(shape[1:], entry, (*index, k)) for k in range(shape[0])]


def _selective_specs() -> list[dict[str, Any]]:
    """selective_scan, ssd, s5_scan: a few small exact cases each (real and complex A,
    constant, per-step and grouped B/C, D/z/delta_bias/softplus, both discretizations,
    l = 1 and odd l)."""
    R, IM = sp.Rational, sp.I
    cases: list[dict[str, Any]] = []
    u_rule = "u[b, i, t] = (-1)^(t+i)/(t+b+1)"
    step_rule = "delta[b, i, t] = (t + i + 1)/8"

    def u_of(b: int, i: int, t: int) -> sp.Rational:
        return R((-1) ** (t + i), t + b + 1)

    def step_of(b: int, i: int, t: int) -> sp.Rational:
        return R(t + i + 1, 8)

    # real A, constant B/C, odd l, Mamba's discretization, nothing else
    cases.append(
        _spec(
            "selective_scan",
            "real-b1-d2-n3-l5-const-BC-mamba",
            "mamba",
            f"{u_rule}; {step_rule}; small exact A, B, C",
            u=_grid((1, 2, 5), u_of),
            delta=_grid((1, 2, 5), step_of),
            A=[[-1, R(-1, 2), -2], [R(-1, 3), R(-3, 2), R(-1, 4)]],
            B=[[1, R(1, 2), R(-1, 3)], [R(1, 4), -1, R(1, 5)]],
            C=[[R(1, 2), 1, R(1, 3)], [-1, R(1, 3), R(1, 2)]],
            delta_softplus=False,
            discretization="mamba",
        )
    )
    # real A, B per step, C per step grouped (g = 2 of d = 4), D, z, delta_bias, softplus,
    # exact ZOH
    cases.append(
        _spec(
            "selective_scan",
            "real-b1-d4-n2-l4-step-B-grouped-C-D-z-bias-softplus-zoh",
            "canonical",
            f"{u_rule}; delta[b, i, t] = (t - i)/4 before bias and softplus; "
            "B[b, n, t] = 1/(n+t+1); C[b, k, n, t] = (-1)^(n+k) (t+1)/4; "
            "z[b, i, t] = (i - t)/2",
            u=_grid((1, 4, 4), u_of),
            delta=_grid((1, 4, 4), lambda b, i, t: R(t - i, 4)),
            A=[[-1, R(-1, 2)], [-2, R(-1, 4)], [R(-3, 2), -3], [R(-1, 8), -1]],
            B=_grid((1, 2, 4), lambda b, n, t: R(1, n + t + 1)),
            C=_grid((1, 2, 2, 4), lambda b, k, n, t: R((-1) ** (n + k) * (t + 1), 4)),
            D=[R(1, 2), -1, R(1, 4), 0],
            z=_grid((1, 4, 4), lambda b, i, t: R(i - t, 2)),
            delta_bias=[R(1, 2), R(-1, 2), 0, 1],
            delta_softplus=True,
            discretization="zoh",
        )
    )
    # complex A (S4D-style), B per step grouped and complex, C constant and complex, b = 2
    A_complex = [[R(-1, 2) + IM, R(-1, 2) + 3 * IM], [R(-1, 4) + 2 * IM, -1 + IM / 2]]
    cases.append(
        _spec(
            "selective_scan",
            "complex-b2-d2-n2-l3-grouped-B-const-C-mamba",
            "mamba",
            f"{u_rule}; {step_rule}; B[b, k, n, t] = (1 + i (n - t)/2)/(b + 1); small exact "
            "complex A, C; y = 2 Re(C x) + D u",
            u=_grid((2, 2, 3), u_of),
            delta=_grid((2, 2, 3), step_of),
            A=A_complex,
            B=_grid((2, 1, 2, 3), lambda b, k, n, t: (1 + IM * R(n - t, 2)) / (b + 1)),
            C=[[1 - IM / 2, R(1, 3)], [R(-1, 2) + IM, R(1, 4) + IM / 4]],
            D=[1, R(-1, 3)],
            delta_softplus=False,
            discretization="mamba",
        )
    )
    # complex A, l = 1, exact ZOH, constant complex B, per-step real C, softplus
    cases.append(
        _spec(
            "selective_scan",
            "complex-b1-d2-n2-l1-const-B-step-C-softplus-zoh",
            "canonical",
            f"{u_rule}; delta = -1/2, 1 before softplus; small exact complex A, B; "
            "C[b, n, t] = (n+1)/3",
            u=_grid((1, 2, 1), u_of),
            delta=[[[R(-1, 2)], [1]]],
            A=A_complex,
            B=[[1 + IM, R(1, 2)], [R(-1, 3) * IM, 2]],
            C=_grid((1, 2, 1), lambda b, n, t: R(n + 1, 3)),
            delta_softplus=True,
            discretization="zoh",
        )
    )

    # ssd: h heads of dim p, n states, g groups
    def ssd_case(id_: str, b: int, nl: int, h: int, p: int, n: int, g: int, D: Any) -> None:
        params: dict[str, Any] = {
            "X": _grid((b, nl, h, p), lambda b_, t, i, j: R((-1) ** (t + j) * (i + 1), t + 2)),
            "dt": _grid((b, nl, h), lambda b_, t, i: R(t + i + 1, 16)),
            "A": [R(-(i + 1), 2) for i in range(h)],
            "B": _grid((b, nl, g, n), lambda b_, t, k, m: R(m + 1, t + k + b_ + 1)),
            "C": _grid((b, nl, g, n), lambda b_, t, k, m: R((-1) ** m, k + t + 1)),
        }
        if D is not None:
            params["D"] = D
        cases.append(
            _spec(
                "ssd",
                id_,
                "mamba2",
                "X[b, t, i, j] = (-1)^(t+j) (i+1)/(t+2); dt[b, t, i] = (t+i+1)/16; "
                "A_i = -(i+1)/2; B[b, t, k, m] = (m+1)/(t+k+b+1); C[b, t, k, m] = "
                "(-1)^m/(k+t+1)",
                **params,
            )
        )

    ssd_case("b1-l5-h2-p2-n2-g1-D", 1, 5, 2, 2, 2, 1, [R(1, 2), -1])
    ssd_case("b1-l1-h4-p1-n2-g2", 1, 1, 4, 1, 2, 2, None)
    ssd_case("b2-l3-h2-p2-n3-g2", 2, 3, 2, 2, 3, 2, None)

    # s5_scan: P states (one of each conjugate pair), H channels
    lam = [R(-1, 2) + IM, R(-1, 4) + 3 * IM, -1 + IM / 2]
    s5_cases = (
        ("P2-H2-b1-l5-zoh-conj-D", 2, 2, 1, 5, "zoh", True, [R(1, 2), -1]),
        ("P3-H1-b2-l3-bilinear-full", 3, 1, 2, 3, "bilinear", False, None),
    )
    for id_, P, H, b, nl, method, conj_sym, D in s5_cases:
        params = {
            "Lambda": lam[:P],
            "B": _grid((P, H), lambda q, j: R(1, q + j + 1) + IM * R((-1) ** j, q + 2)),
            "C": _grid((H, P), lambda j, q: R((-1) ** q, j + 1) - IM * R(1, q + 3)),
            "u": _grid((b, nl, H), lambda b_, t, j: R((-1) ** (t + j), t + b_ + 1)),
            "delta": [R(q + 1, 10) for q in range(P)],
            "discretization": method,
            "conj_sym": conj_sym,
        }
        if D is not None:
            params["D"] = D
        cases.append(
            _spec(
                "s5_scan",
                id_,
                "s5",
                "Lambda = -1/2 + i, -1/4 + 3i, -1 + i/2 (first P); B[q, j] = 1/(q+j+1) + "
                "i (-1)^j/(q+2); C[j, q] = (-1)^q/(j+1) - i/(q+3); u[b, t, j] = "
                "(-1)^(t+j)/(t+b+1); delta_q = (q+1)/10",
                **params,
            )
        )
    return cases
