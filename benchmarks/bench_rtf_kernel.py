"""RTF kernel: ``rtf_kernel`` with its default checks vs the bare FFT kernel and ``get_k``.

Usage: python benchmarks/bench_rtf_kernel.py [--threads 1] [--repeat 15] [--device cpu]
       [--dtypes float64,float32] [--channels 64]

Side by side on the same inputs, alternating (``_timing.alternate``), for L in (4096, 16384)
and d in (16, 64, 256, 1024, 4096) with d < L, 64 channels, denominators drawn as the RTF
code's ``montel_init`` (a_i uniform in [-1/d, 1/d], so sum|a_i| < 1: stable):

* ours: ``rtf_kernel(a, b, L)`` with its default checks (input finiteness, condition,
  non-finite taps, stability) -- the goal is ours / bare <= 1.15;
* ours, check="none": the same without the gate (input validation only);
* bare: the three FFTs alone, ``irfft(rfft(b, n=L) / rfft((1, a), n=L), n=L)``, no checks;
* get_k: the RTF authors' kernel (github ruke1ire/RTF, ``RTF.get_k``) as a user of that
  code base runs it, written out here: a and b stacked as its ``ab`` parameter, one
  ``pad(ab, (1, L - d - 1))``, the monic term set on the a rows, one ``rfft``, the
  quotient, ``irfft``. Its numerator is padded on the left as well (b_pad = (0, b_1, ...),
  RTF's h_0 = 0 here), so its kernel is ours shifted by one tap, cyclically (z b(z)/a(z)
  at z^L = 1); the errors compare it shifted back.

Errors: max_k |K_k - K_ref,k| / max_k |K_ref,k| against a reference from an independent
route: the float64 FFT quotient for float32 inputs, and for float64 inputs the same
quotient in long double by scipy.fft (pocketfft, 64-bit mantissa on x86), "n/a" without
scipy. The error model of the aliased kernel is u log2(L) cond (cond = max|a_hat| /
min|a_hat|, <= 3 here).

Ratios are per round (ours / other in the same round), printed min / median / max.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch
from torch.fft import irfft, rfft
from torch.nn.functional import pad

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _timing import alternate, environment_line, ratio_summary, round_ratios  # noqa: E402

from hippo_verify.kernels import rtf_kernel  # noqa: E402

DTYPES = {"float64": torch.float64, "float32": torch.float32}


def bare(a: torch.Tensor, b: torch.Tensor, L: int) -> torch.Tensor:
    """The FFT kernel alone: K = irfft(rfft(b_pad) / rfft(a_pad)), no checks."""
    a_pad = torch.cat([torch.ones_like(a[..., :1]), a], dim=-1)
    return irfft(rfft(b, n=L) / rfft(a_pad, n=L), n=L)


def get_k(a: torch.Tensor, b: torch.Tensor, L: int) -> torch.Tensor:
    """RTF.get_k (ruke1ire/RTF) with ab = [a; b], h_0 = 0: z b(z)/a(z) at the L-th roots."""
    channels, d = a.shape
    ab = pad(torch.cat([a, b], dim=0), (1, L - d - 1 + L % 2))
    ab[:channels, 0] = 1.0
    AB = rfft(ab, dim=-1)
    K = AB[channels:] / AB[:channels]
    return irfft(K, dim=-1)[:, :L]


def reference(a: torch.Tensor, b: torch.Tensor, L: int) -> torch.Tensor | None:
    """The aliased kernel from a wider precision (see the module docstring), on the CPU."""
    a, b = a.cpu(), b.cpu()
    if a.dtype == torch.float32:
        return bare(a.double(), b.double(), L)
    try:
        import numpy as np
        import scipy.fft
    except ImportError:  # pragma: no cover - scipy is optional here
        return None
    a_ld = np.concatenate([np.ones((a.shape[0], 1)), a.numpy()], axis=1).astype(np.longdouble)
    b_ld = b.numpy().astype(np.longdouble)
    K = scipy.fft.irfft(scipy.fft.rfft(b_ld, n=L) / scipy.fft.rfft(a_ld, n=L), n=L)
    return torch.from_numpy(K.astype(np.float64))


def rel_error(K: torch.Tensor, ref: torch.Tensor | None) -> str:
    if ref is None:
        return "n/a"
    K = K.detach().cpu().double()
    return f"{float((K - ref).abs().max() / ref.abs().max()):.1e}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--dtypes", default="float64,float32")
    parser.add_argument("--channels", type=int, default=64)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    device, H = args.device, args.channels
    generator = torch.Generator().manual_seed(0)
    print(f"# RTF kernel, {H} channels, {args.repeat} rounds on {device}")
    print(environment_line(device))
    print(
        "\n| dtype | L | d | ours (ms) | bare (ms) | get_k (ms) | ours / bare | "
        "ours / get_k | none / bare | err ours | err get_k |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in args.dtypes.split(","):
        dtype = DTYPES[name]
        for L in (4096, 16384):
            for d in (16, 64, 256, 1024, 4096):
                if d >= L:
                    continue
                a = (2 * torch.rand(H, d, generator=generator, dtype=torch.float64) - 1) / d
                b = torch.randn(H, d, generator=generator, dtype=torch.float64) / d**0.5
                a, b = a.to(dtype).to(device), b.to(dtype).to(device)
                fns = {
                    "ours": lambda a=a, b=b, L=L: rtf_kernel(a, b, L),
                    "none": lambda a=a, b=b, L=L: rtf_kernel(a, b, L, check="none"),
                    "bare": lambda a=a, b=b, L=L: bare(a, b, L),
                    "get_k": lambda a=a, b=b, L=L: get_k(a, b, L),
                }
                times = alternate(fns, args.repeat, device)
                ref = reference(a, b, L)
                ms = {k: 1e3 * sorted(v)[len(v) // 2] for k, v in times.items()}
                shifted = torch.roll(get_k(a, b, L), -1, dims=-1)
                print(
                    f"| {name} | {L} | {d} | {ms['ours']:.3f} | {ms['bare']:.3f} | "
                    f"{ms['get_k']:.3f} | {ratio_summary(round_ratios(times, 'ours', 'bare'))} | "
                    f"{ratio_summary(round_ratios(times, 'ours', 'get_k'))} | "
                    f"{ratio_summary(round_ratios(times, 'none', 'bare'))} | "
                    f"{rel_error(rtf_kernel(a, b, L), ref)} | {rel_error(shifted, ref)} |",
                    flush=True,
                )
    print(f"\n{environment_line(device)}")


if __name__ == "__main__":
    main()
