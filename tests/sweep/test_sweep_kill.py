"""A sweep killed mid-run (SIGKILL: no cleanup at all) resumes: the re-run keeps every
finished point and computes only the others. Slow (two CLI processes)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

GRID = """
dtypes = ["float64", "float32"]

[algorithms.shift]
base = { N = 4, L = 8 }
L = [8, 16, 32]

[algorithms.fft-conv]
base = { L = 1024 }
L = [1024, 2048, 4096]
"""


def _ids(path: Path) -> list[str]:
    ids = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            ids.append(json.loads(line)["id"])
        except ValueError:
            pass  # a line cut by the kill
    return ids


@pytest.mark.slow
def test_killed_sweep_resumes_without_recomputing(tmp_path: Path) -> None:
    grid = tmp_path / "grid.toml"
    grid.write_text(GRID, encoding="utf-8")
    out = tmp_path / "out"
    command = [
        sys.executable, "-m", "hippo_verify.cli", "sweep", "--grid", str(grid), "--out",
        str(out), "--no-cache", "--no-progress", "--no-plots",
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    journal = out / "results.jsonl"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and _ids(journal):  # the first (longest) point is done
            break
        time.sleep(0.05)
    process.kill()
    process.communicate()
    assert process.returncode != 0, "the sweep finished before it was killed"
    before = _ids(journal)
    assert 1 <= len(before) < 6
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"({6 - len(before)} computed, {len(before)} resumed" in rerun.stdout
    after = _ids(journal)
    assert after[: len(before)] == before and len(set(after)) == 6
    document = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert len(document["points"]) == 6
