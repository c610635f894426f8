"""The precision report: every algorithm x dtype against its certified oracle.

``build_precision_report(out_dir)`` writes ``precision.md`` and ``precision.json``. For
each canonical configuration (``_cases.canonical_cases``: an algorithm record of
``hippo_verify.testing.ALGORITHMS`` and its inputs, rounded to float32/complex64 so that
every dtype and the oracle see the same numbers) it computes the record's certified oracle
and conditioning number once, then runs the record's kernel in each dtype and measures it
with ``hippo_verify.testing.compare_kernel`` (``_measure``):

* the max relative error max_k |K_k - K_k^oracle| / max_k |K_k^oracle|;
* the digits correct, -log10 of that error, and the error in unit roundoffs of the dtype;
* the bound of the record's error model and whether the error is inside it.

A kernel that raises is reported with its error. ``_render`` writes both files;
everything in them is deterministic except the environment block (versions, CPU,
threads, run time).
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError
from ._cases import DT as DT
from ._cases import DTYPES as DTYPES
from ._cases import PrecisionCase as PrecisionCase
from ._cases import canonical_cases as canonical_cases
from ._measure import measure_case as measure_case
from ._render import environment, markdown, write_json

__all__ = [
    "PrecisionCase",
    "build_precision_report",
    "canonical_cases",
    "measure_case",
    "precision_failures",
]

Progress = Callable[[str], None]


def build_precision_report(
    out_dir: Path,
    *,
    configs: Sequence[PrecisionCase] | None = None,
    quick: bool = False,
    device: Any = "cpu",
    progress: Progress = print,
) -> list[Path]:
    """Write ``precision.md`` and ``precision.json`` under ``out_dir``.

    Arguments:
        out_dir: output directory (created if needed).
        configs: the cases to run (default ``canonical_cases(quick)``).
        quick: shrink the canonical sizes (N <= 8, L <= 64) for a fast smoke run.
        device: torch device the kernels run on (the oracles run on the CPU).
        progress: called with one line per case.

    Returns:
        The two paths written.
    """
    started = time.perf_counter()
    cases = list(canonical_cases(quick) if configs is None else configs)
    if not cases:
        raise InvalidArgumentError("configs: give at least one case")
    records = []
    for index, case in enumerate(cases, start=1):
        begun = time.perf_counter()
        record = measure_case(case, device)
        records.append(record)
        statuses = ", ".join(f"{r['dtype']} {r['status']}" for r in record["rows"])
        progress(
            f"[{index}/{len(cases)}] precision {case.key}: {statuses} "
            f"({time.perf_counter() - begun:.1f} s)"
        )
    env = environment(device, time.perf_counter() - started)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    text_path, json_path = out_dir / "precision.md", out_dir / "precision.json"
    text_path.write_text(markdown(records, env), encoding="utf-8")
    write_json(json_path, records, env)
    return [text_path, json_path]


def precision_failures(json_path: Path) -> list[str]:
    """The rows of a written ``precision.json`` that are outside their bound or raised.

    One line per such row (``"<case> <dtype>: FAIL, error 1.2e-03 > bound 3.4e-14 (model)"``
    or ``"<case> <dtype>: error: <exception>"``); empty when every measured row passes.
    """
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    lines = []
    for case in data["cases"]:
        for row in case.get("rows", []):
            where = f"{case['case']} {row['dtype']}"
            if row["status"] == "FAIL" and row.get("nonfinite_taps"):
                lines.append(f"{where}: FAIL, {row['nonfinite_taps']} taps are NaN or infinite")
            elif row["status"] == "FAIL":
                lines.append(
                    f"{where}: FAIL, error {row['max_relative_error']:.1e} > bound "
                    f"{row['bound']:.1e} ({row['error_model']})"
                )
            elif row["status"] == "error":
                lines.append(f"{where}: error: {row['error']}")
    return lines


if __name__ == "__main__":  # pragma: no cover - python -m hippo_verify.report._precision DIR
    build_precision_report(Path(sys.argv[1] if len(sys.argv) > 1 else "reports"))
