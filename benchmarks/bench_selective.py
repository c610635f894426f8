"""Time the selective-scan kernels side by side in one run (ratios; CPU unless --device).

Usage: python benchmarks/bench_selective.py [--device cpu] [--repeat 7] [--threads N]
       [--lengths 4096 16384] [--accuracy]

The variants of one comparison are timed in alternation (one call of each per round,
``repeat`` rounds after a warm-up round), and min / median / max are printed with the ratio
of the medians, so that load from other processes on a shared machine hits all variants
alike. Compare ratios from one run, not times across runs.

* ``selective_scan`` float32, batch 1 x 64 channels x N 16, B and C per step, delta =
  softplus of Mamba's initialisation (dt in [1e-3, 1e-1]), A = -(1 .. 16) (S4D-real),
  L = 4096 and 16384: ``mode="parallel"`` vs ``mode="sequential"``, and mambapy's
  selective scan (``MambaBlock.selective_scan``'s lines: exp, products, ``pscan``,
  ``hs @ C``) on the same inputs in its (B, L, ED) layout. Errors relative to each
  channel's max-norm against a float64 sequential run on the same inputs.
* on a GPU also ``mode="parallel"`` with the CPU's cache-sized 128-step blocks (the block
  policy before the accelerator got its own): the cost of one launch per op per block.
* the scan alone, on the same (exp(delta A), delta B u) tensors of shape (1, L, 64, 16):
  ``parallel_scan_`` and ``sequential_scan_`` on clones (time = dim 0 of the batch-1
  view) vs ``mambapy.pscan`` (which clones internally).
* ``ssd`` float32 (batch 1, 8 heads of 16, N 16, one group): ``chunked`` (Q = 32, 64, 128) vs
  ``sequential`` at L = 4096.
* ``--profile`` (instead of the timings): aten calls, kernel launches and host syncs of
  one call with the CPU's cache-sized blocks and the accelerator's single block
  (``torch.profiler`` on the CPU): what a GPU pays per launch.
* ``--accuracy`` (instead of the timings): the table of ``hippo_verify/kernels/
  _assoc_scan.py`` (direct products in the tree vs log-space routes) at L = 16384.

mambapy is optional (``pip install mambapy``); without it its rows are skipped.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from _timing import alternate, print_table  # noqa: E402

from hippo_verify.kernels import selective_scan, ssd  # noqa: E402
from hippo_verify.kernels._assoc_scan import parallel_scan_, sequential_scan_  # noqa: E402

try:
    from mambapy.pscan import pscan
except ImportError:  # optional
    pscan = None


def channel_error(got: torch.Tensor, want: torch.Tensor, time_dim: int) -> float:
    got, want = got.double().cpu(), want.double().cpu()
    scale = want.abs().amax(dim=time_dim, keepdim=True).clamp(min=1e-300)
    return float(((got - want).abs() / scale).max())


def mamba_inputs(L: int, d: int = 64, n: int = 16, seed: int = 0) -> dict[str, torch.Tensor]:
    """float64 values exact in float32: u, delta (softplus of dt-init + noise), A, B, C, D."""
    g = torch.Generator().manual_seed(seed)
    dt = torch.exp(
        torch.rand(d, generator=g, dtype=torch.float64) * (math.log(0.1) - math.log(1e-3))
        + math.log(1e-3)
    )
    bias = torch.log(torch.expm1(dt))
    pre = 0.5 * torch.randn(1, d, L, generator=g, dtype=torch.float64) + bias[:, None]
    delta = torch.nn.functional.softplus(pre)
    values = {
        "u": torch.randn(1, d, L, generator=g, dtype=torch.float64),
        "delta": delta,
        "A": -torch.arange(1, n + 1, dtype=torch.float64).repeat(d, 1),
        "B": torch.randn(1, n, L, generator=g, dtype=torch.float64),
        "C": torch.randn(1, n, L, generator=g, dtype=torch.float64),
        "D": torch.randn(d, generator=g, dtype=torch.float64),
    }
    return {k: v.float().double() for k, v in values.items()}


def mambapy_selective_scan(x, delta, A, B, C, D):
    """mambapy's ``MambaBlock.selective_scan`` (x, delta: (B, L, ED); B, C: (B, L, N))."""
    deltaA = torch.exp(delta.unsqueeze(-1) * A)
    deltaB = delta.unsqueeze(-1) * B.unsqueeze(2)
    BX = deltaB * (x.unsqueeze(-1))
    hs = pscan(deltaA, BX)
    y = (hs @ C.unsqueeze(-1)).squeeze(3)
    return y + D * x


def bench_selective(L: int, repeat: int, device: str) -> None:
    v64 = mamba_inputs(L)
    truth = selective_scan(
        v64["u"], v64["delta"], v64["A"], v64["B"], v64["C"], v64["D"], mode="sequential"
    )
    v = {k: t.float().to(device) for k, t in v64.items()}
    args = (v["u"], v["delta"], v["A"], v["B"], v["C"], v["D"])
    fns: dict[str, Callable[[], object]] = {
        "sequential": lambda: selective_scan(*args, mode="sequential"),
        "parallel": lambda: selective_scan(*args, mode="parallel"),
    }
    if not device.startswith("cpu"):  # the same call with the CPU's blocks: the old policy
        from hippo_verify.kernels import selective as module

        def cpu_blocks() -> torch.Tensor:
            saved = module._ACCELERATOR_BLOCK_ELEMENTS
            module._ACCELERATOR_BLOCK_ELEMENTS = module._BLOCK_ELEMENTS
            try:
                return selective_scan(*args, mode="parallel")
            finally:
                module._ACCELERATOR_BLOCK_ELEMENTS = saved

        fns["parallel, CPU's 128-step blocks"] = cpu_blocks
    outputs = {name: fn() for name, fn in fns.items()}
    if pscan is not None:
        mp = (
            v["u"].transpose(1, 2).contiguous(),
            v["delta"].transpose(1, 2).contiguous(),
            v["A"],
            v["B"].transpose(1, 2).contiguous(),
            v["C"].transpose(1, 2).contiguous(),
            v["D"],
        )
        fns["mambapy (pscan)"] = lambda: mambapy_selective_scan(*mp)
        outputs["mambapy (pscan)"] = fns["mambapy (pscan)"]().transpose(1, 2)
    times = alternate(fns, repeat, device)
    print_table(f"selective_scan float32, 1 x 64 x N 16, L = {L}", times, "parallel")
    print("\n| variant | error vs float64 sequential (per-channel max-norm) |\n|---|---|")
    for name, y in outputs.items():
        print(f"| {name} | {channel_error(y, truth, -1):.3g} |")
    seq, par = (statistics.median(times[k]) for k in ("sequential", "parallel"))
    print(f"\nparallel is {seq / par:.2f}x faster than sequential (medians)")
    if pscan is not None:
        print(
            f"parallel is {statistics.median(times['mambapy (pscan)']) / par:.2f}x faster than "
            "mambapy's pscan selective scan (medians)"
        )

    # the scan alone, same tensors (mambapy's layout (B, L, D, N); ours scans dim 0 of [0])
    deltaA = torch.exp(v["delta"].transpose(1, 2)[..., None] * v["A"]).contiguous()
    BX = (
        (v["delta"] * v["u"]).transpose(1, 2)[..., None] * v["B"].transpose(1, 2)[:, :, None, :]
    ).contiguous()  # (1, L, 64, 16)
    a64, b64 = deltaA.double(), BX.double()
    want = sequential_scan_(a64[0].clone(), b64[0].clone())
    scan_fns = {
        "sequential_scan_": lambda: sequential_scan_(deltaA[0].clone(), BX[0].clone()),
        "parallel_scan_": lambda: parallel_scan_(deltaA[0].clone(), BX[0].clone()),
    }
    if pscan is not None:
        scan_fns["mambapy pscan"] = lambda: pscan(deltaA, BX)
    times = alternate(scan_fns, repeat, device)
    print_table(f"the scan alone, (1, {L}, 64, 16) float32", times, "parallel_scan_")
    scale = want.abs().amax(0, keepdim=True).clamp(min=1e-300)
    for name, fn in scan_fns.items():
        got = fn()
        got = got[0] if got.dim() == 4 else got
        err = float(((got.double().cpu() - want.cpu()).abs() / scale.cpu()).max())
        print(f"state error of {name} vs float64 sequential (per-state max-norm): {err:.3g}")


def dispatch_counts(L: int) -> None:
    """Where a GPU's time goes, counted on the CPU: aten calls, kernel-launching calls and
    host syncs of one ``selective_scan`` (float32, 1 x 64 x N 16, parallel) with the CPU's
    cache-sized blocks and with the accelerator's one-block policy (torch.profiler)."""
    from torch.profiler import ProfilerActivity, profile

    from hippo_verify.kernels import selective as module

    views = {"as_strided", "slice", "view", "select", "unsqueeze", "permute", "movedim",
             "unflatten", "transpose", "expand", "narrow", "flatten", "reshape", "detach",
             "alias", "unbind", "t", "_unsafe_view", "empty", "empty_strided", "empty_like",
             "resolve_conj", "resolve_neg", "to", "result_type", "lift_fresh"}  # fmt: skip
    syncs = {"_local_scalar_dense"}
    v = {k: t.float() for k, t in mamba_inputs(L).items()}
    args = (v["u"], v["delta"], v["A"], v["B"], v["C"], v["D"])
    saved = module._BLOCK_ELEMENTS
    print(f"\n### dispatches of one selective_scan (parallel), L = {L}, profiled on the CPU\n")
    print("| blocks | steps per block | aten calls | of them kernels | host syncs |")
    print("|---|---|---|---|---|")
    try:
        policies = (("CPU (cache)", saved), ("accelerator", module._ACCELERATOR_BLOCK_ELEMENTS))
        for name, elements in policies:
            module._BLOCK_ELEMENTS = elements
            selective_scan(*args, mode="parallel")
            with profile(activities=[ProfilerActivity.CPU]) as prof:
                selective_scan(*args, mode="parallel")
            events = [e for e in prof.key_averages() if e.key.startswith("aten::")]
            total = sum(e.count for e in events)
            kernels = sum(e.count for e in events if e.key[6:] not in views | syncs)
            n_sync = sum(e.count for e in events if e.key[6:] in syncs)
            steps = min(L, max(module._MIN_BLOCK, elements // (64 * 16)))
            print(f"| {name} | {steps} | {total} | {kernels} | {n_sync} |")
    finally:
        module._BLOCK_ELEMENTS = saved


def bench_ssd(L: int, repeat: int, device: str) -> None:
    g = torch.Generator().manual_seed(1)
    b, h, p, n = 1, 8, 16, 16
    X = torch.randn(b, L, h, p, generator=g)
    dt = 1e-3 + 0.1 * torch.rand(b, L, h, generator=g)
    A = -torch.exp(torch.rand(h, generator=g))
    B, C = torch.randn(b, L, 1, n, generator=g), torch.randn(b, L, 1, n, generator=g)
    args = [t.to(device) for t in (X, dt, A, B, C)]
    truth = ssd(*(t.double() for t in (X, dt, A, B, C)), mode="sequential")
    fns: dict[str, Callable[[], object]] = {
        "sequential": lambda: ssd(*args, mode="sequential"),
        "chunked Q=32": lambda: ssd(*args, mode="chunked", chunk_size=32),
        "chunked Q=64": lambda: ssd(*args, mode="chunked", chunk_size=64),
        "chunked Q=128": lambda: ssd(*args, mode="chunked", chunk_size=128),
    }
    times = alternate(fns, repeat, device)
    print_table(f"ssd float32, 1 x L {L} x 8 heads x 16, N 16", times, "chunked Q=64")
    print("\n| variant | error vs float64 sequential |\n|---|---|")
    for name, fn in fns.items():
        print(f"| {name} | {channel_error(fn(), truth, 1):.3g} |")


def accuracy(L: int = 16384) -> None:
    """Products in the tree vs log-space routes (the table in ``_assoc_scan``)."""
    v = mamba_inputs(L)
    delta, A = v["delta"][0].T, v["A"]  # (L, d), (d, n)
    z64 = delta[..., None] * A  # (L, d, n)
    bu64 = (delta * v["u"][0].T)[..., None] * v["B"][0].T[:, None, :]
    C = v["C"][0].T  # (L, n)
    ref = torch.einsum("tdn,tn->td", sequential_scan_(torch.exp(z64), bu64.clone()), C)
    scale = ref.abs().amax(0, keepdim=True)

    def err(states: torch.Tensor) -> float:
        y = torch.einsum("tdn,tn->td", states.double(), C)
        return float(((y - ref).abs() / scale).max())

    z, bu = z64.float(), bu64.float()
    rows = {
        "tree, direct products (parallel_scan_)": err(parallel_scan_(torch.exp(z), bu.clone())),
        "sequential float32 loop": err(sequential_scan_(torch.exp(z), bu.clone())),
    }
    if pscan is not None:
        rows["mambapy pscan"] = err(pscan(torch.exp(z)[None], bu[None])[0])
    # tree whose every product is exp(S_p - S_q), S = float32 cumsum of delta A
    S = torch.cat([torch.zeros_like(z[:1]), torch.cumsum(z, 0)])  # S[t + 1] = sum_{k<=t}
    X = bu.clone()
    levels = (L - 1).bit_length()
    for k in range(levels):
        s = 1 << k
        idx = torch.arange(2 * s - 1, L, 2 * s)
        X[idx] += torch.exp(S[idx + 1] - S[idx + 1 - s]) * X[idx - s]
    for k in range(levels - 1, -1, -1):
        s = 1 << k
        if 3 * s - 1 < L:
            idx = torch.arange(3 * s - 1, L, 2 * s)
            X[idx] += torch.exp(S[idx + 1] - S[idx + 1 - s]) * X[idx - s]
    rows["tree, products as exp(S_p - S_q) (log space)"] = err(X)
    lb = torch.log(bu.to(torch.complex64))
    Sc = torch.cumsum(z, 0)
    rows["Heinsen: exp(S_t) logcumsumexp(log b - S)"] = err(
        torch.exp(Sc + torch.logcumsumexp(lb - Sc, 0)).real
    )
    rows["tree, direct products, float64"] = err(parallel_scan_(torch.exp(z64), bu64.clone()))
    print(f"\n### accuracy of the scan at L = {L} (float32 unless said; vs float64 sequential)\n")
    print(f"sum of delta A over the sequence: min {float(z64.sum(0).min()):.4g}\n")
    print("| route | error (per-channel max-norm) |\n|---|---|")
    for name, e in rows.items():
        print(f"| {name} | {e:.3g} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--lengths", type=int, nargs="+", default=[4096, 16384])
    parser.add_argument("--accuracy", action="store_true")
    parser.add_argument(
        "--profile", action="store_true", help="only the dispatch counts (CPU profiler)"
    )
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(
        f"# selective-scan timings on {args.device} (torch {torch.__version__}, "
        f"{platform.machine()}, {torch.get_num_threads()} threads, {os.cpu_count()} cpus, "
        f"load average {os.getloadavg()[0]:.2f}, {args.repeat} alternating rounds)"
    )
    if pscan is None:
        print("\nmambapy is not installed: its rows are skipped (pip install mambapy)")
    if args.accuracy:
        accuracy()
        return
    if args.profile:
        for L in args.lengths:
            dispatch_counts(L)
        return
    for L in args.lengths:
        bench_selective(L, args.repeat, args.device)
    bench_ssd(4096, args.repeat, args.device)


if __name__ == "__main__":
    main()
