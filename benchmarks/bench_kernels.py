"""Time the torch kernels as ratios measured side by side in one run (CPU unless --device).

Usage: python benchmarks/bench_kernels.py [--device cpu] [--repeat 20]

Reports the median of ``repeat`` timed calls after two warm-up calls, and ratios:

* RTF-FFT at d = 4096 vs d = 16 for L = 16384 (the RTF claim: cost flat in the state size);
* Vandermonde (S4D) vs Krylov doubling (dense) vs Cauchy/Woodbury (DPLR) at the same
  (N, L) = (64, 4096);
* the scan variants (sequential vs chunked) on L = 4096, N = 64.

Shared machines are noisy: compare ratios from one run, not times across runs.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import time
from collections.abc import Callable

import torch

from hippo_verify import hippo
from hippo_verify.kernels import diag_kernel, dplr_kernel, rtf_kernel, scan, ssm_kernel


def median_time(fn: Callable[[], object], repeat: int, device: str) -> float:
    def sync() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(2):
        fn()
    sync()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def legs(N: int, device: str) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    A, B = hippo("legs", N)
    A_t = torch.tensor([[float(v) for v in A.row(i)] for i in range(N)], dtype=torch.float64)
    B_t = torch.tensor([float(v) for v in B], dtype=torch.float64)
    return A_t.to(device), B_t.to(device), torch.ones(N, dtype=torch.float64, device=device)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    device, repeat = args.device, args.repeat
    generator = torch.Generator().manual_seed(0)
    print(
        f"# kernel timings on {device} (torch {torch.__version__}, {platform.machine()}, "
        f"{torch.get_num_threads()} threads, median of {repeat})\n"
    )
    print("| comparison | time A (ms) | time B (ms) | ratio B/A |")
    print("|---|---|---|---|")

    L = 16384
    times = {}
    for d in (16, 4096):
        a = (torch.rand(d, generator=generator, dtype=torch.float64) - 0.5) / d
        b = torch.rand(d, generator=generator, dtype=torch.float64)
        a, b = a.to(device), b.to(device)
        # check="none": time the FFT algorithm itself (the gate's tail test is O(d) extra)
        times[d] = median_time(lambda a=a, b=b: rtf_kernel(a, b, L, check="none"), repeat, device)
    print(
        f"| RTF-FFT L={L}: d=16 (A) vs d=4096 (B) | {1e3 * times[16]:.3f} | "
        f"{1e3 * times[4096]:.3f} | {times[4096] / times[16]:.2f} |"
    )

    N, L = 64, 4096
    lam = torch.complex(
        torch.full((N,), -0.5, dtype=torch.float64), torch.pi * torch.arange(N, dtype=torch.float64)
    )
    lam = lam.to(torch.complex128).to(device)
    ones = torch.ones(N, dtype=torch.complex128, device=device)
    P = (torch.rand(N, generator=generator, dtype=torch.float64) * 0.1).to(torch.complex128)
    P = P.to(device)
    A, B, C = legs(N, device)
    vandermonde = median_time(lambda: diag_kernel(lam, ones, ones, L, dt=0.01), repeat, device)
    krylov = median_time(lambda: ssm_kernel(A, B, C, L, dt=0.01), repeat, device)
    woodbury = median_time(lambda: dplr_kernel(lam, P, P, ones, ones, L, dt=0.01), repeat, device)
    print(
        f"| N={N}, L={L}: Vandermonde (A) vs Krylov doubling (B) | {1e3 * vandermonde:.3f} | "
        f"{1e3 * krylov:.3f} | {krylov / vandermonde:.2f} |"
    )
    print(
        f"| N={N}, L={L}: Vandermonde (A) vs DPLR Cauchy+Woodbury (B) | "
        f"{1e3 * vandermonde:.3f} | {1e3 * woodbury:.3f} | {woodbury / vandermonde:.2f} |"
    )

    from hippo_verify.kernels import discretize

    Ab, Bb = discretize(A, B, 0.01, "bilinear")
    u = torch.randn(L, generator=generator, dtype=torch.float64).to(device)
    chunked = median_time(lambda: scan(Ab, Bb, C, u, mode="chunked"), max(3, repeat // 4), device)
    sequential = median_time(
        lambda: scan(Ab, Bb, C, u, mode="sequential"), max(3, repeat // 4), device
    )
    print(
        f"| scan N={N}, L={L}: chunked (A) vs sequential (B) | {1e3 * chunked:.3f} | "
        f"{1e3 * sequential:.3f} | {sequential / chunked:.2f} |"
    )


if __name__ == "__main__":
    main()
