"""Side-by-side timing shared by the benchmark scripts (not a test; not part of the package).

Every script compares the project's code with an anchor on the same inputs, in one run,
alternating the calls (one call of each per round) so that a load change on a shared
machine hits both sides alike. Ratios are taken per round, then summarised as
min / median / max, which is what the scripts print.
"""

from __future__ import annotations

import os
import platform
import statistics
import time
from collections.abc import Callable, Mapping

import torch


def environment_line(device: str = "cpu") -> str:
    """One line naming what the timings ran on (torch, threads, load), for the output."""
    try:
        load = f"{os.getloadavg()[0]:.2f}"
    except OSError:  # pragma: no cover - not on every platform
        load = "n/a"
    where = torch.cuda.get_device_name(0) if device.startswith("cuda") else platform.machine()
    return (
        f"torch {torch.__version__}, {where}, {torch.get_num_threads()} threads, "
        f"{os.cpu_count()} cpus, load average {load}"
    )


def alternate(
    fns: Mapping[str, Callable[[], object]], repeat: int, device: str = "cpu", warmup: int = 1
) -> dict[str, list[float]]:
    """Seconds of ``repeat`` calls of each function, one call of each per round."""

    def sync() -> None:
        if device.startswith("cuda"):
            torch.cuda.synchronize()

    for _ in range(warmup):
        for fn in fns.values():
            fn()
    sync()
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            sync()
            times[name].append(time.perf_counter() - start)
    return times


def round_ratios(times: Mapping[str, list[float]], name: str, anchor: str) -> list[float]:
    """time(name) / time(anchor) in each round (> 1: ``name`` is slower than the anchor)."""
    return [t / a for t, a in zip(times[name], times[anchor], strict=True)]


def ratio_summary(ratios: list[float]) -> str:
    """``min / median / max`` of per-round ratios, as printed in the tables."""
    return f"{min(ratios):.2f} / {statistics.median(ratios):.2f} / {max(ratios):.2f}"


def print_table(title: str, times: Mapping[str, list[float]], anchor: str) -> None:
    """Markdown table: per variant min/median/max ms and its per-round ratio to ``anchor``."""
    print(f"\n### {title}\n")
    print(
        f"| variant | min (ms) | median (ms) | max (ms) | ratio to {anchor}: min / median / max |"
    )
    print("|---|---|---|---|---|")
    for name, ts in times.items():
        print(
            f"| {name} | {1e3 * min(ts):.3f} | {1e3 * statistics.median(ts):.3f} | "
            f"{1e3 * max(ts):.3f} | {ratio_summary(round_ratios(times, name, anchor))} |"
        )
