"""The sweep engine: records and provenance, an independent check of the measured error,
resume after an interruption, outputs and exit codes."""

from __future__ import annotations

import json
import os
from pathlib import Path

import mpmath
import pytest
import torch

from hippo_verify.cli import main
from hippo_verify.sweep import (
    SweepInterrupted,
    _executors,
    build_inputs,
    inputs_hash,
    run_sweep,
    run_task,
)
from hippo_verify.testing import ALGORITHMS, Algorithm, unit_roundoff


def _sweep(grid, out: Path, cache: Path, **options):
    options.setdefault("progress_bar", False)
    options.setdefault("plots", False)
    return run_sweep(grid, out, cache_dir=cache, **options)


def test_records_provenance_and_an_independent_error(tiny_grid, tmp_path, cache_dir) -> None:
    result = _sweep(tiny_grid, tmp_path / "out", cache_dir)
    document = json.loads((tmp_path / "out" / "sweep.json").read_text(encoding="utf-8"))
    assert result.total == result.computed == 5 and result.failures == []
    info = document["provenance"]
    for field in (
        "hippo_verify",
        "oracle_version",
        "code_sha256",
        "torch",
        "mpmath",
        "grid_sha256",
    ):
        assert info[field], field
    assert info["oracle_cache_misses"] == 5 and info["oracle_digits"] == 30
    points = document["points"]
    assert [p["algorithm"] for p in points] == ["shift"] * 2 + ["vandermonde"] * 2 + [
        "krylov-doubling"
    ]
    for point in points:
        algorithm = ALGORITHMS[point["algorithm"]]
        inputs = build_inputs(algorithm, point["params"])
        assert point["inputs_sha256"] == inputs_hash(inputs)
        assert point["oracle"]["digits"] >= 30 and point["oracle"]["prec"] > 100
        assert [r["dtype"] for r in point["rows"]] == ["float64", "float32"]
    shift = points[0]["rows"]
    assert all(r["status"] == "pass" and r["digits"] is None for r in shift)  # exact copy
    # The float32 error of one point, recomputed here from the kernel and the oracle
    # evaluated in mpmath (not compare_kernel): the digits recorded must match.
    point = points[3]
    algorithm = ALGORITHMS[point["algorithm"]]
    inputs = build_inputs(algorithm, point["params"])
    oracle = algorithm.run_oracle(inputs)
    actual = algorithm.run_kernel(inputs, torch.float32).double().tolist()
    scale = max(abs(v) for v in oracle.values)
    error = max(abs(mpmath.mpf(a) - v) for a, v in zip(actual, oracle.values)) / scale
    row = point["rows"][1]
    assert row["max_relative_error"] == pytest.approx(float(error), rel=1e-9)
    assert row["digits"] == pytest.approx(-float(mpmath.log10(error)), abs=1e-3)
    assert row["error_over_u"] == pytest.approx(float(error) / unit_roundoff(torch.float32))
    assert row["bound_over_error"] == pytest.approx(row["bound"] / row["max_relative_error"])
    assert 1 < row["bound_over_error"] and row["status"] == "pass"


def test_interrupted_sweep_resumes_without_recomputing(tiny_grid, tmp_path, cache_dir, monkeypatch):
    out = tmp_path / "out"
    seen = []

    def stop_after_two(record: dict) -> None:
        seen.append(record["id"])
        if len(seen) == 2:
            raise KeyboardInterrupt  # Ctrl-C after two points

    with pytest.raises(SweepInterrupted, match="2 of 5 points"):
        _sweep(tiny_grid, out, cache_dir, on_record=stop_after_two)
    lines = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == seen
    with (out / "results.jsonl").open("a", encoding="utf-8") as stream:
        stream.write('{"id": "torn line of a killed wri')  # a kill mid-write
    ran = []
    real = _executors.run_task
    monkeypatch.setattr(_executors, "run_task", lambda task: ran.append(task["id"]) or real(task))
    result = _sweep(tiny_grid, out, cache_dir)
    assert result.resumed == 2 and result.computed == 3 and len(ran) == 3
    assert not set(ran) & set(seen)
    document = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    assert len(document["points"]) == 5 and document["counts"]["points"] == 5
    # A third run finds everything done; --fresh starts over.
    assert _sweep(tiny_grid, out, cache_dir).computed == 0
    assert _sweep(tiny_grid, out, cache_dir, fresh=True).computed == 5


def test_warm_cache_and_cli_outputs(tiny_text, tmp_path, cache_dir, capsys) -> None:
    grid = tmp_path / "tiny.toml"
    grid.write_text(tiny_text, encoding="utf-8")
    argv = ["sweep", "--grid", str(grid), "--cache", str(cache_dir), "--no-progress"]
    assert main([*argv, "--no-plots", "--out", str(tmp_path / "a")]) == 0
    assert "5 computed, 0 resumed; oracle cache 0 hits, 5 misses" in capsys.readouterr().out
    assert main([*argv, "--out", str(tmp_path / "b")]) == 0
    assert "oracle cache 5 hits, 0 misses" in capsys.readouterr().out
    written = sorted(p.name for p in (tmp_path / "b").iterdir())
    assert written == [
        "digits_vs_L.png",
        "digits_vs_margin.png",
        "error_vs_bound.png",
        "results.jsonl",
        "sweep.json",
        "sweep.md",
        "worst_digits.png",
    ]
    text = (tmp_path / "b" / "sweep.md").read_text(encoding="utf-8")
    for figure in ("digits_vs_L.png", "digits_vs_margin.png", "error_vs_bound.png"):
        assert f"![{figure}]({figure})" in text
        assert (tmp_path / "b" / figure).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert text.count("*Figure ") == 4


def test_a_failing_point_exits_1(tiny_text, tmp_path, cache_dir, monkeypatch, capsys) -> None:
    """A kernel that lost digits (its float64 output rounded to float32) fails its point."""
    grid = tmp_path / "tiny.toml"
    grid.write_text(tiny_text, encoding="utf-8")
    real = Algorithm.run_kernel

    def lossy(self, inputs, dtype, device="cpu"):
        output = real(self, inputs, dtype, device)
        if self.name == "krylov-doubling" and dtype == torch.float64:
            return output.to(torch.float32).to(torch.float64)
        return output

    monkeypatch.setattr(Algorithm, "run_kernel", lossy)
    argv = ["sweep", "--grid", str(grid), "--cache", str(cache_dir), "--no-progress"]
    assert main([*argv, "--no-plots", "--out", str(tmp_path / "out")]) == 1
    message = capsys.readouterr().err
    assert "check failed: sweep krylov-doubling N=2 L=16 margin=1 seed=0 float64: FAIL" in message
    assert message.count("check failed") == 1


def _dies_on_the_margin_2_point(task: dict) -> dict:
    """A task function whose worker process dies (no exception, no cleanup) on one point."""
    if task["params"].get("margin") == 2:
        os._exit(3)
    return run_task(task)


def test_a_dead_pool_worker_loses_no_finished_point(tiny_grid, tmp_path, cache_dir, monkeypatch):
    out = tmp_path / "out"
    monkeypatch.setattr(_executors, "run_task", _dies_on_the_margin_2_point)
    with pytest.raises(SweepInterrupted, match="run the same command again to resume"):
        _sweep(tiny_grid, out, cache_dir, workers=2)
    finished = (out / "results.jsonl").read_text(encoding="utf-8").splitlines()
    assert all(json.loads(line)["rows"] for line in finished)  # whole records only
    assert len(finished) < 5
    monkeypatch.setattr(_executors, "run_task", run_task)
    result = _sweep(tiny_grid, out, cache_dir, workers=2)
    assert result.resumed == len(finished) and result.computed == 5 - len(finished)


def test_an_input_that_would_round_is_refused_not_measured() -> None:
    """Every dtype must read the oracle's numbers: a float64-only input is an error row in
    float32 (the kernel would be judged on rounded inputs), and measured in float64."""
    from hippo_verify.sweep._task import measure, wide_tensors

    algorithm = ALGORITHMS["krylov-doubling"]
    inputs = build_inputs(algorithm, {"N": 2, "L": 8, "margin": 1, "seed": 0})
    inputs["C"] = [inputs["C"][0] + 2.0**-40, *inputs["C"][1:]]
    oracle = algorithm.run_oracle(inputs)
    cond, wide = algorithm.condition_of(inputs), wide_tensors(algorithm, inputs)
    row = measure(algorithm, wide, oracle, torch.float32, 2, cond)
    assert row == {
        "dtype": "float32",
        "status": "error",
        "error": "input C is not exact in torch.float32",
    }
    assert measure(algorithm, wide, oracle, torch.float64, 2, cond)["status"] == "pass"
