"""The sweep's figures (matplotlib, Agg backend, PNG).

* ``digits_vs_<axis>.png`` (L, N, dt, margin): one panel per algorithm, one line per
  dtype: the digits obtained (solid) and the digits the error model requires, -log10 of
  its bound (dashed), along the axis with the other parameters at the grid's base point;
* ``error_vs_bound.png``: every measured row, error / u against bound / u (log-log; the
  diagonal is error = bound, a point above it fails), and the spread of bound / error;
* ``worst_digits.png``: heat map algorithm x dtype of the worst digits over the grid.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
from matplotlib.lines import Line2D  # noqa: E402

from ._summary import EXACT_DIGITS, digits_of, rows_of, worst_digits

__all__ = ["write_figures"]

DTYPE_COLORS = {
    "float64": "tab:blue",
    "float32": "tab:orange",
    "bfloat16": "tab:green",
    "float16": "tab:red",
}
AXIS_LABELS = {
    "L": ("sequence length L (taps, log scale)", "log"),
    "N": ("state size N (log scale)", "log"),
    "dt": ("step dt (log scale)", "log"),
    "margin": ("stability margin k: poles at radius 1 - 10^-k", "linear"),
}


def _required(row: dict) -> float | None:
    bound = row.get("bound")
    return -math.log10(bound) if bound else None


def _on_axis(row: dict, axis: str, base: dict) -> bool:
    return all(v == base.get(k) for k, v in row["params"].items() if k != axis)


def _axis_names(document: dict, axis: str) -> list[str]:
    """Algorithms whose grid varies ``axis`` (at least two values with the base)."""
    grid = document["grid"]["algorithms"]
    return [
        name
        for name, g in grid.items()
        if len({*g["axes"].get(axis, ()), g["base"].get(axis)} - {None}) >= 2
    ]


def _panel(panel, rows: list[dict], axis: str, dtypes: list[str]) -> None:
    xs = set()
    for dtype in dtypes:
        series = sorted((r["params"][axis], r) for r in rows if r["dtype"] == dtype)
        xs.update(x for x, _ in series)
        color = DTYPE_COLORS[dtype]
        good = [(x, digits_of(r)) for x, r in series if digits_of(r) is not None]
        if good:
            panel.plot(*zip(*good), "o-", color=color, ms=3, lw=1.2)
        needed = [(x, _required(r)) for x, r in series if _required(r) is not None]
        if needed:
            panel.plot(*zip(*needed), "--", color=color, lw=0.8, alpha=0.8)
        bad = [x for x, r in series if digits_of(r) is None]
        if bad:
            panel.plot(bad, [0] * len(bad), "x", color=color, ms=6)
        fails = [(x, digits_of(r)) for x, r in series if r["status"] == "FAIL"]
        fails = [(x, y) for x, y in fails if y is not None]
        if fails:
            panel.plot(*zip(*fails), "s", mfc="none", mec="black", ms=8)
    label, scale = AXIS_LABELS[axis]
    if scale == "log":
        panel.set_xscale("log", base=2 if axis in ("L", "N") else 10)
    ticks = sorted(xs)
    panel.set_xticks(ticks, [f"{x:g}" for x in ticks])
    panel.minorticks_off()
    panel.set_ylim(-0.5, 18)
    panel.set_yticks([0, 4, 8, 12, 16])
    panel.grid(True, alpha=0.3)
    panel.tick_params(labelsize=7)
    panel.set_xlabel(label, fontsize=7)


def _axis_figure(document: dict, axis: str, target: Path) -> Path | None:
    grid = document["grid"]["algorithms"]
    names = _axis_names(document, axis)
    if not names:
        return None
    columns = min(4, len(names))
    lines = math.ceil(len(names) / columns)
    height = 2.5 * lines + 0.9
    figure, panels = plt.subplots(
        lines, columns, figsize=(3.6 * columns, height), squeeze=False, sharey=True
    )
    figure.subplots_adjust(
        left=0.06,
        right=0.99,
        bottom=0.5 / height,
        top=1 - 0.75 / height,
        hspace=0.75,
        wspace=0.08,
    )
    rows = rows_of(document)
    for panel, name in zip(panels.flat, names):
        base = grid[name]["base"]
        mine = [r for r in rows if r["algorithm"] == name and _on_axis(r, axis, base)]
        _panel(panel, mine, axis, grid[name]["dtypes"])
        panel.set_title(name, fontsize=9)
    for panel in panels[:, 0]:
        panel.set_ylabel("correct digits", fontsize=8)
    for panel in list(panels.flat)[len(names) :]:
        panel.axis("off")
    handles = [Line2D([], [], color=c, marker="o", ms=3, label=d) for d, c in DTYPE_COLORS.items()]
    handles += [
        Line2D([], [], color="gray", ls="--", label="required by the model"),
        Line2D([], [], color="gray", ls="", marker="x", label="refused / raised"),
        Line2D([], [], color="black", ls="", marker="s", mfc="none", label="FAIL"),
    ]
    figure.suptitle(
        f"Correct digits vs {axis} (grid {document['grid']['name']}; other parameters at "
        "the base point)",
        y=1 - 0.08 / height,
        va="top",
        fontsize=10,
    )
    figure.legend(
        handles=handles,
        loc="upper center",
        ncol=7,
        fontsize=8,
        frameon=False,
        bbox_to_anchor=(0.5, 1 - 0.32 / height),
    )
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target


def _error_bound_figure(document: dict, target: Path) -> Path:
    rows = [
        r
        for r in rows_of(document)
        if r.get("bound") and r.get("error_over_u") is not None and r.get("max_relative_error")
    ]
    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.8))
    low, high = math.inf, -math.inf
    for dtype, color in DTYPE_COLORS.items():
        mine = [r for r in rows if r["dtype"] == dtype]
        if not mine:
            continue
        u = [r["max_relative_error"] / r["error_over_u"] for r in mine]
        x = [r["bound"] / ui for r, ui in zip(mine, u)]
        y = [r["error_over_u"] for r in mine]
        left.scatter(x, y, s=10, color=color, alpha=0.6, label=dtype)
        low, high = min(low, *x, *y), max(high, *x, *y)
        loose = [math.log10(r["bound_over_error"]) for r in mine if r.get("bound_over_error")]
        right.hist(loose, bins=30, histtype="step", color=color, label=dtype, lw=1.5)
    if math.isfinite(low):
        left.plot([low, high], [low, high], "k-", lw=0.8, label="error = bound")
    failed = [r for r in rows if r["status"] == "FAIL"]
    if failed:
        u = [r["max_relative_error"] / r["error_over_u"] for r in failed]
        left.scatter(
            [r["bound"] / ui for r, ui in zip(failed, u)],
            [r["error_over_u"] for r in failed],
            s=60,
            facecolors="none",
            edgecolors="black",
            label="FAIL",
        )
    left.set_xscale("log")
    left.set_yscale("log")
    left.set_xlabel("bound of the error model / u")
    left.set_ylabel("measured max relative error / u")
    left.set_title("error against its bound (u: unit roundoff of the output dtype)", fontsize=9)
    left.grid(True, alpha=0.3)
    left.legend(fontsize=8)
    right.set_xlabel("log10(bound / error)  (0: the model is tight)")
    right.set_ylabel("points")
    right.set_title("how loose the model is", fontsize=9)
    right.grid(True, alpha=0.3)
    right.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target


def _heat_map(document: dict, target: Path) -> Path:
    table = worst_digits(document)
    names = list(document["grid"]["algorithms"])
    dtypes = [d for d in DTYPE_COLORS if any(d in table.get(n, {}) for n in names)]
    values = [[table.get(n, {}).get(d, (None, False))[0] for d in dtypes] for n in names]
    masked = [[math.nan if v is None else v for v in line] for line in values]
    figure, axes = plt.subplots(figsize=(2.0 + 1.3 * len(dtypes), 1.0 + 0.32 * len(names)))
    image = axes.imshow(masked, cmap="viridis", vmin=0, vmax=EXACT_DIGITS, aspect="auto")
    for i, name in enumerate(names):
        for j, dtype in enumerate(dtypes):
            worst, failed = table.get(name, {}).get(dtype, (None, False))
            if name in table and dtype in table[name]:
                text = (
                    "—" if worst is None else ("exact" if worst == EXACT_DIGITS else f"{worst:.1f}")
                )
                text += " FAIL" if failed else ""
                color = "black" if worst is not None and worst > 10 else "white"
                axes.text(j, i, text, ha="center", va="center", fontsize=7, color=color)
    axes.set_xticks(range(len(dtypes)), dtypes, fontsize=8)
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_xlabel("dtype")
    axes.set_title("worst correct digits over the grid", fontsize=10)
    bar = figure.colorbar(image, ax=axes)
    bar.set_label("correct digits (-log10 max rel. error)", fontsize=8)
    figure.tight_layout()
    figure.savefig(target, dpi=90)
    plt.close(figure)
    return target


def write_figures(document: dict, out_dir: Path) -> list[Path]:
    """Write every figure that has data under ``out_dir``; returns their paths."""
    written = []
    for axis in ("L", "margin", "N", "dt"):
        path = _axis_figure(document, axis, out_dir / f"digits_vs_{axis}.png")
        if path is not None:
            written.append(path)
    written.append(_error_bound_figure(document, out_dir / "error_vs_bound.png"))
    written.append(_heat_map(document, out_dir / "worst_digits.png"))
    return written
