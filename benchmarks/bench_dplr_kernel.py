"""S4 DPLR kernel: ``dplr_kernel`` / ``dplr_kernel_from_ct`` vs S4's naive Cauchy kernel.

Usage: python benchmarks/bench_dplr_kernel.py [--threads 1] [--repeat 5] [--device cpu]
       [--dtype float32] [--channels 256] [--modes 64] [--lengths 1024,4096]

Side by side on the same inputs, alternating (``_timing.alternate``): H channels of S4's
default HiPPO-LegS NPLR system as its ``nplr("legs", 2N)`` builds it (A + P P^T normal,
diagonalized by ``eigh``, one eigenvalue of each conjugate pair kept: N stored modes of a
2N-state system, rank 1, Q = P), B = V^* B, C complex normal, dt log-uniform in
[1e-3, 1e-1] per channel.

* ours, from C~: ``dplr_kernel_from_ct(w, Pr, Pr, B, Ct, L, dt=dt, conj_pairs=True)``;
* ours, from C: ``dplr_kernel(w, Pr, Pr, B, C, L, dt=dt, conj_pairs=True)``;
* anchor: ``SSKernelNPLR.forward`` of state-spaces/s4 (``src/models/s4/s4.py``) on its
  naive path, as a user of that code base runs it, written out here: nodes
  omega_j = exp(-2 pi i / L)^j, z = 2 (1 - omega) / (1 + omega) for j <= L/2; v = [B, P]
  x [C~, Q^*]; r = ``cauchy_naive(v, z, dt w)`` (conjugate pairs appended, an (N x L/2)
  Cauchy matrix summed) times dt; the rank-1 Woodbury correction
  r00 - r01 r10 / (1 + r11); times 2 / (1 + omega); ``irfft(n=L)``. From C, the anchor
  first forms C~ = C (I - dA^L) as S4's ``_setup_C``: dense bilinear dA of the 2N-state
  system (a linear solve), dA^L by S4's ``power`` (repeated squaring), C~ the first half
  of _conj(C) - _conj(C) dA^L.

Errors: max |K - K_ref| / max |K_ref| over all channels, for both, against the anchor's
algorithm in complex128 on the same (rounded) parameters (an independent route; float32
runs only, "n/a" for float64). Ratios are per round (ours / anchor), min / median / max;
> 1 means ours is slower.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import alternate, environment_line, ratio_summary, round_ratios  # noqa: E402

from hippo_verify.kernels import dplr_kernel, dplr_kernel_from_ct  # noqa: E402

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def legs_nplr(N: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(w, P, B) of S4's nplr('legs', 2N): N stored eigenvalues of the normal part."""
    n = 2 * N
    q = np.arange(n, dtype=np.float64)
    col, row = np.meshgrid(q, q)
    r = 2 * q + 1
    M = -(np.where(row >= col, r, 0) - np.diag(q))
    T = np.sqrt(np.diag(2 * q + 1))
    A = T @ M @ np.linalg.inv(T)
    B = np.diag(T).copy()
    p = np.sqrt(0.5 + q)
    AP = A + np.outer(p, p)
    w_re = np.mean(np.diagonal(AP))
    w_im, V = np.linalg.eigh(AP * -1j)
    order = np.argsort(w_im)[:N]
    V = V[:, order]
    return w_re + 1j * w_im[order], V.conj().T @ p, V.conj().T @ B


def system(H: int, N: int, dtype: torch.dtype, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """(w, P, B, C, dt) per channel (H, N), complex of ``dtype``'s precision."""
    cdtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    w, p, b = (torch.tensor(x, dtype=torch.complex128).expand(H, N) for x in legs_nplr(N))
    g = torch.Generator().manual_seed(seed)
    C = torch.randn(H, N, generator=g, dtype=torch.complex128)
    log_dt = torch.rand(H, generator=g, dtype=torch.float64) * math.log(100) + math.log(1e-3)
    return (*(x.to(cdtype) for x in (w, p, b, C)), log_dt.exp().to(dtype))


def _conj(x: torch.Tensor) -> torch.Tensor:
    return torch.cat([x, x.conj()], dim=-1)


def cauchy_naive(v: torch.Tensor, z: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """S4's cauchy_naive(v, z, w, conj=True): sum_n v_n / (z - w_n) over both halves."""
    v, w = _conj(v), _conj(w)
    return torch.sum(v.unsqueeze(-1) / (z.unsqueeze(-2) - w.unsqueeze(-1)), dim=-2)


def anchor_from_ct(w, P, B, Ct, dt, L):
    """SSKernelNPLR.forward (rank 1, no state, rate 1) on the naive Cauchy path: (H, L)."""
    omega = torch.tensor(np.exp(-2j * np.pi / L), dtype=w.dtype, device=w.device)
    omega = omega ** torch.arange(0, L // 2 + 1, device=w.device)
    z = 2 * (1 - omega) / (1 + omega)
    Q = P.conj()
    w = w * dt.unsqueeze(-1)
    Bs = torch.stack([B, P])  # (B+R, H, N)
    Cs = torch.stack([Ct, Q])  # (C+R, H, N)
    v = Bs.unsqueeze(-3) * Cs.unsqueeze(-4)  # (B+R, C+R, H, N)
    r = cauchy_naive(v, z, w) * dt[None, None, :, None]
    k_f = r[:-1, :-1] - r[:-1, -1:] * r[-1:, :-1] / (1 + r[-1:, -1:])
    k_f = k_f * 2 / (1 + omega)
    return torch.fft.irfft(k_f, n=L)[-1, -1]


def power(L: int, A: torch.Tensor) -> torch.Tensor:
    """S4's power(L, A): A^L by repeated squaring."""
    I = torch.eye(A.shape[-1]).to(A)  # noqa: E741 (S4's name)
    powers = [A]
    while True:
        if L % 2 == 1:
            I = powers[-1] @ I  # noqa: E741
        L //= 2
        if L == 0:
            return I
        powers.append(powers[-1] @ powers[-1])


def anchor_ct(w, P, C, dt, L):
    """S4's _setup_C: C~ = first half of _conj(C) (I - dA^L), dense bilinear dA (2N x 2N)."""
    A = torch.diag_embed(_conj(w)) - _conj(P).unsqueeze(-1) * _conj(P).conj().unsqueeze(-2)
    eye = torch.eye(A.shape[-1], dtype=A.dtype, device=A.device)
    half = dt[:, None, None] / 2
    dA = torch.linalg.solve(eye - half * A, eye + half * A)
    C_ = _conj(C)
    C_ = C_ - torch.einsum("hmn,hn->hm", power(L, dA).transpose(-1, -2), C_)
    return C_[..., : w.shape[-1]]


def rel_err(K: torch.Tensor, ref: torch.Tensor) -> float:
    K, ref = K.detach().cpu().to(torch.float64), ref.cpu().to(torch.float64)
    return ((K - ref).abs().max() / ref.abs().max()).item()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    parser.add_argument("--channels", type=int, default=256)
    parser.add_argument("--modes", type=int, default=64, help="stored modes (state 2N)")
    parser.add_argument("--lengths", default="1024,4096")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    dtype = DTYPES[args.dtype]
    w, P, B, C, dt = (x.to(args.device) for x in system(args.channels, args.modes, dtype))
    wide = [x.cpu().to(torch.complex128) for x in (w, P, B, C)] + [dt.cpu().double()]
    Pr = P.unsqueeze(-1)  # (H, N, r = 1): the project's low-rank factor shape
    print(
        f"# S4 DPLR kernel vs S4's naive Cauchy kernel ({args.dtype}, H = {args.channels}, "
        f"N = {args.modes} stored modes, rank 1, {args.repeat} rounds, {args.device})\n"
    )
    print(f"{environment_line(args.device)}\n")
    print(
        "| route | L | ours (ms, median) | anchor (ms, median) | "
        "ours / anchor: min / median / max | error ours | error anchor |"
    )
    print("|---|---|---|---|---|---|---|")
    for L in (int(v) for v in args.lengths.split(",")):
        Ct = anchor_ct(w, P, C, dt, L)  # the same C~ on both sides
        cases = {
            "from C~": {
                "ours": lambda L=L, Ct=Ct: dplr_kernel_from_ct(
                    w, Pr, Pr, B, Ct, L, dt=dt, conj_pairs=True
                ),
                "anchor": lambda L=L, Ct=Ct: anchor_from_ct(w, P, B, Ct, dt, L),
            },
            "from C": {
                "ours": lambda L=L: dplr_kernel(w, Pr, Pr, B, C, L, dt=dt, conj_pairs=True),
                "anchor": lambda L=L: anchor_from_ct(w, P, B, anchor_ct(w, P, C, dt, L), dt, L),
            },
        }
        for route, fns in cases.items():
            times = alternate(fns, args.repeat, args.device)
            errors = ["n/a", "n/a"]
            if dtype == torch.float32:
                w64, P64, B64, C64, dt64 = wide
                Ct64 = Ct.cpu().to(torch.complex128)
                if route == "from C":
                    Ct64 = anchor_ct(w64, P64, C64, dt64, L)
                ref = anchor_from_ct(w64, P64, B64, Ct64, dt64, L)
                errors = [f"{rel_err(fn(), ref):.2e}" for fn in fns.values()]
            med = {name: 1e3 * sorted(ts)[len(ts) // 2] for name, ts in times.items()}
            print(
                f"| {route} | {L} | {med['ours']:.1f} | {med['anchor']:.1f} | "
                f"{ratio_summary(round_ratios(times, 'ours', 'anchor'))} | "
                f"{errors[0]} | {errors[1]} |"
            )
            sys.stdout.flush()
    print(f"\n{environment_line(args.device)}")


if __name__ == "__main__":
    main()
