"""``hippo-verify report`` embeds the default sweep (``--precision full``) under ``sweep/``."""

from __future__ import annotations

from pathlib import Path

from hippo_verify.report._build import SWEEP_GRIDS, write_sweep


def test_report_embeds_the_default_grid_in_full_mode_only() -> None:
    assert SWEEP_GRIDS == {"full": "default", "quick": None, "none": None}


def test_write_sweep_writes_the_documents_and_drops_the_journal(
    tiny_text: str, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.setenv("HIPPO_VERIFY_CACHE", str(tmp_path / "cache"))
    grid = tmp_path / "tiny.toml"
    grid.write_text(tiny_text, encoding="utf-8")
    lines: list[str] = []
    written = write_sweep(tmp_path / "sweep", str(grid), lines.append, workers=1)
    names = sorted(p.name for p in written)
    assert {"sweep.json", "sweep.md", "worst_digits.png", "digits_vs_L.png"} <= set(names)
    assert not (tmp_path / "sweep" / "results.jsonl").exists()
    assert lines[-1].startswith("precision sweep: 5 points, 0 failed checks")
    assert any((tmp_path / "cache").rglob("*.json"))  # the oracles went to the cache
