"""Sequential scan: ``scan(..., mode="sequential")`` vs a plain torch loop ``x = A x + B u``.

Usage: python benchmarks/bench_scan_kernel.py [--threads 1] [--repeat 7] [--device cpu]
       [--dtypes float64,float32]

Side by side on the same inputs, alternating (``_timing.alternate``): the HiPPO-LegS system,
N = 64, bilinear at dt = 0.01 (``discretize``), one input of L = 4096 and 16384 samples:

* ours: ``scan(Ab, Bb, C, u, mode="sequential")`` (validation, the loop, the overflow check);
* plain: the loop a user writes, one step per sample,
  ``x = Ab @ x + Bb * u[k]; ys.append(C @ x)``, then ``torch.stack(ys)``.

Errors: max_k |y_k - y_ref,k| / max_k |y_ref,k| against the same recurrence in numpy long
double (64-bit mantissa on x86; for float32 inputs, float64 suffices), on the CPU.
The goal: ours / plain <= 1.0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import alternate, environment_line, ratio_summary, round_ratios  # noqa: E402

from hippo_verify import hippo  # noqa: E402
from hippo_verify.kernels import discretize, scan  # noqa: E402

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def plain(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, u: torch.Tensor) -> torch.Tensor:
    """The recurrence as a plain torch loop, one step per sample."""
    x = torch.zeros_like(Bb)
    ys = []
    for k in range(u.shape[-1]):
        x = Ab @ x + Bb * u[k]
        ys.append(C @ x)
    return torch.stack(ys)


def reference(Ab: torch.Tensor, Bb: torch.Tensor, C: torch.Tensor, u: torch.Tensor) -> np.ndarray:
    kind = np.longdouble if Ab.dtype == torch.float64 else np.float64
    A, B, Cn, un = (t.detach().cpu().numpy().astype(kind) for t in (Ab, Bb, C, u))
    x = np.zeros(A.shape[0], dtype=kind)
    ys = np.empty(un.shape[0], dtype=kind)
    for k, u_k in enumerate(un):
        x = A @ x + B * u_k
        ys[k] = Cn @ x
    return ys


def rel_error(y: torch.Tensor, ref: np.ndarray) -> str:
    y = y.detach().cpu().numpy().astype(ref.dtype)
    return f"{float(np.abs(y - ref).max() / np.abs(ref).max()):.1e}"


def legs(N: int) -> tuple[torch.Tensor, torch.Tensor]:
    A, B = hippo("legs", N)
    A_t = torch.tensor([[float(v) for v in A.row(i)] for i in range(N)], dtype=torch.float64)
    return A_t, torch.tensor([float(v) for v in B], dtype=torch.float64)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtypes", default="float64,float32")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device, N = args.device, 64
    A, B = legs(N)
    Ab64, Bb64 = discretize(A, B, 0.01, "bilinear")
    C64 = torch.randn(N, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    print(f"# sequential scan, LegS N = {N}, bilinear dt = 0.01, {args.repeat} rounds on {device}")
    print(environment_line(device))
    print(
        "\n| dtype | L | ours (ms) | plain (ms) | ours / plain: min / median / max | "
        "err ours | err plain |"
    )
    print("|---|---|---|---|---|---|---|")
    for name in args.dtypes.split(","):
        dtype = DTYPES[name]
        Ab, Bb, C = (t.to(dtype).to(device) for t in (Ab64, Bb64, C64))
        for L in (4096, 16384):
            g = torch.Generator().manual_seed(L)
            u = torch.randn(L, generator=g, dtype=torch.float64).to(dtype).to(device)
            fns = {
                "ours": lambda u=u: scan(Ab, Bb, C, u, mode="sequential"),
                "plain": lambda u=u: plain(Ab, Bb, C, u),
            }
            times = alternate(fns, args.repeat, device)
            ms = {k: 1e3 * sorted(v)[len(v) // 2] for k, v in times.items()}
            ref = reference(Ab, Bb, C, u)
            print(
                f"| {name} | {L} | {ms['ours']:.1f} | {ms['plain']:.1f} | "
                f"{ratio_summary(round_ratios(times, 'ours', 'plain'))} | "
                f"{rel_error(fns['ours'](), ref)} | {rel_error(fns['plain'](), ref)} |",
                flush=True,
            )
    print(f"\n{environment_line(device)}")


if __name__ == "__main__":
    main()
