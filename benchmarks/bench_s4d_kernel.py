"""S4D kernel: ``diag_kernel`` vs the naive Vandermonde kernel of the S4 code base.

Usage: python benchmarks/bench_s4d_kernel.py [--threads 1] [--repeat 5] [--device cpu]
       [--dtype float32] [--channels 256] [--modes 64] [--lengths 1024,4096,16384]
       [--methods zoh,bilinear]

Side by side on the same inputs, alternating (``_timing.alternate``), for each method and
L: H channels of S4D-Lin modes as the S4 code initializes them (``S4DKernel``: A_n =
-1/2 + i pi n, one mode of each conjugate pair stored, dt log-uniform in [1e-3, 1e-1] per
channel, C complex normal, B = 1):

* ours: ``diag_kernel(A, B, C, L, dt=dt, method=...)`` (conj_pairs, real output);
* anchor: the naive (no pykeops) Vandermonde path of state-spaces/s4 as a user of that
  code base runs it, written out here: ``src/models/s4/s4d.py`` ``S4DKernel.forward`` for
  ZOH (dtA = dt A; K = dtA[..., None] * arange(L); C = C (exp(dtA) - 1) / A;
  2 einsum('hn,hnl->hl', C, exp(K)).real), and the ``SSKernelDiag`` bilinear
  discretization (dA = (1 + dtA/2) / (1 - dtA/2), C = C dt / (1 - dtA/2)) followed by the
  same naive ``log_vandermonde`` (exp(log dA[..., None] * arange(L)), contraction, 2 Re).

Errors: max_k |K - K_ref| / max_k |K_ref| over all channels, for both, against a reference
from an independent route: for float32 inputs the anchor's algorithm in complex128 on
the same (float32-valued) parameters; for float64 inputs the mpmath oracle
(``hippo_verify.oracles.diag_kernel``, 30 digits) on the first ``--oracle-channels``
channels (L <= 4096; "n/a" above). Ratios are per round (ours / anchor in the same
round), printed min / median / max; > 1 means ours is slower.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import alternate, environment_line, ratio_summary, round_ratios  # noqa: E402

from hippo_verify.kernels import diag_kernel  # noqa: E402
from hippo_verify.oracles import diag_kernel as diag_oracle  # noqa: E402

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def s4d_lin(H: int, N: int, dtype: torch.dtype, seed: int = 0) -> tuple[torch.Tensor, ...]:
    """(A, B, C, dt) as S4DKernel initializes them, N modes stored, in ``dtype``."""
    g = torch.Generator().manual_seed(seed)
    log_dt = torch.rand(H, generator=g, dtype=torch.float64) * math.log(100) + math.log(1e-3)
    cdtype = torch.complex128 if dtype == torch.float64 else torch.complex64
    C = torch.randn(H, N, generator=g, dtype=torch.complex128).to(cdtype)
    n = torch.arange(N, dtype=torch.float64)
    A = torch.complex(torch.full((H, N), -0.5, dtype=torch.float64), math.pi * n.expand(H, N))
    return A.to(cdtype), torch.ones(H, N, dtype=cdtype), C, log_dt.exp().to(dtype)


def anchor(A: torch.Tensor, C: torch.Tensor, dt: torch.Tensor, L: int, method: str):
    """The S4 code base's naive Vandermonde kernel (S4DKernel / SSKernelDiag, no pykeops)."""
    dtA = A * dt.unsqueeze(-1)
    if method == "zoh":
        K = dtA.unsqueeze(-1) * torch.arange(L, device=A.device)
        C = C * (torch.exp(dtA) - 1.0) / A
    else:
        C = C * (1.0 - dtA / 2).reciprocal() * dt.unsqueeze(-1)
        dA = (1.0 + dtA / 2) / (1.0 - dtA / 2)
        K = dA.log().unsqueeze(-1) * torch.arange(L, device=A.device).to(dA)
    return 2 * torch.einsum("hn,hnl->hl", C, torch.exp(K)).real


def rel_err(K: torch.Tensor, ref: torch.Tensor) -> float:
    K, ref = K.detach().cpu().to(torch.float64), ref.cpu().to(torch.float64)
    return ((K - ref).abs().max() / ref.abs().max()).item()


def reference(A, B, C, dt, L, method, oracle_channels):
    """(reference taps, channels it covers) from an independent route (module docstring)."""
    if A.dtype == torch.complex64:
        wide = [x.detach().cpu().to(torch.complex128) for x in (A, C)]
        return anchor(*wide, dt.detach().cpu().to(torch.float64), L, method), slice(None)
    if L > 4096 or oracle_channels == 0:
        return None, slice(0)
    rows = []
    for h in range(oracle_channels):
        lam, b, c = (x[h].detach().cpu().tolist() for x in (A, B, C))
        K = diag_oracle(lam, b, c, L, dt=float(dt[h]), method=method).values
        rows.append([float(complex(v).real) for v in K])
    return torch.tensor(rows, dtype=torch.float64), slice(0, oracle_channels)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtype", choices=sorted(DTYPES), default="float32")
    parser.add_argument("--channels", type=int, default=256)
    parser.add_argument("--modes", type=int, default=64, help="stored modes per channel")
    parser.add_argument("--lengths", default="1024,4096,16384")
    parser.add_argument("--methods", default="zoh,bilinear")
    parser.add_argument("--oracle-channels", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    A, B, C, dt = (
        x.to(args.device) for x in s4d_lin(args.channels, args.modes, DTYPES[args.dtype])
    )
    print(
        f"# S4D kernel: diag_kernel vs S4's naive Vandermonde ({args.dtype}, "
        f"H = {args.channels}, {args.modes} modes, {args.repeat} rounds, {args.device})\n"
    )
    print(f"{environment_line(args.device)}\n")
    print(
        "| method | L | ours (ms, median) | anchor (ms, median) | "
        "ours / anchor: min / median / max | error ours | error anchor |"
    )
    print("|---|---|---|---|---|---|---|")
    for method in args.methods.split(","):
        for L in (int(v) for v in args.lengths.split(",")):
            fns = {
                "ours": lambda L=L, m=method: diag_kernel(A, B, C, L, dt=dt, method=m),
                "anchor": lambda L=L, m=method: anchor(A, C, dt, L, m),
            }
            times = alternate(fns, args.repeat, args.device)
            ref, rows = reference(A, B, C, dt, L, method, args.oracle_channels)
            errors = ["n/a", "n/a"]
            if ref is not None:
                errors = [f"{rel_err(fn()[rows], ref):.2e}" for fn in fns.values()]
            med = {name: 1e3 * sorted(ts)[len(ts) // 2] for name, ts in times.items()}
            print(
                f"| {method} | {L} | {med['ours']:.1f} | {med['anchor']:.1f} | "
                f"{ratio_summary(round_ratios(times, 'ours', 'anchor'))} | "
                f"{errors[0]} | {errors[1]} |"
            )
            sys.stdout.flush()
    print(f"\n{environment_line(args.device)}")


if __name__ == "__main__":
    main()
