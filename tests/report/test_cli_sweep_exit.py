"""``hippo-verify report`` fails (exit 1) when its embedded sweep has a failed check."""

from __future__ import annotations

import json
from pathlib import Path

from hippo_verify.cli import _embedded_sweep_failures


def _write_sweep(out: Path, status: str) -> None:
    row = {"dtype": "float32", "status": status, "max_relative_error": 1e-3, "bound": 1e-6}
    point = {"algorithm": "shift", "params": {"L": 8}, "rows": [row]}
    (out / "sweep").mkdir(parents=True)
    (out / "sweep" / "sweep.json").write_text(json.dumps({"points": [point]}), encoding="utf-8")


def test_a_failed_sweep_row_is_a_failed_report(tmp_path: Path) -> None:
    _write_sweep(tmp_path, "FAIL")
    (failure,) = _embedded_sweep_failures(tmp_path, "full")
    assert "shift L=8 float32: FAIL" in failure


def test_a_passing_sweep_is_no_failure(tmp_path: Path) -> None:
    _write_sweep(tmp_path, "pass")
    assert _embedded_sweep_failures(tmp_path, "full") == []


def test_modes_without_an_embedded_sweep_read_nothing(tmp_path: Path) -> None:
    assert _embedded_sweep_failures(tmp_path, "quick") == []
    assert _embedded_sweep_failures(tmp_path, "none") == []
