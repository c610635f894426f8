"""The distributed paths: a local process pool and a real Dask LocalCluster (2 worker
processes) run the same task function on the same cache and give the serial sweep's
numbers, bit for bit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hippo_verify.sweep import run_sweep
from hippo_verify.sweep._executors import start_method


def _numbers(out: Path) -> list:
    """What a sweep measured (not its timings)."""
    document = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    keep = ("dtype", "status", "max_relative_error", "digits", "bound")
    return [
        (p["id"], p["inputs_sha256"], [{k: r.get(k) for k in keep} for r in p["rows"]])
        for p in document["points"]
    ]


def _run(grid, out: Path, cache: Path, **options):
    return run_sweep(grid, out, cache_dir=cache, progress_bar=False, plots=False, **options)


def test_pool_and_dask_local_cluster_match_the_serial_sweep(tiny_grid, tmp_path, cache_dir):
    distributed = pytest.importorskip(
        "distributed", reason="the dask extra is not installed: pip install '.[dask]'"
    )
    serial = _run(tiny_grid, tmp_path / "serial", tmp_path / "serial-cache")
    pool = _run(tiny_grid, tmp_path / "pool", cache_dir, workers=2)
    assert pool.computed == 5 and pool.document["provenance"]["oracle_cache_misses"] == 5
    assert "process pool (2 workers)" == pool.document["provenance"]["executor"]
    import dask

    # Worker processes forked from this one start without re-importing torch (as the
    # sweep's own --dask local does on Linux); they are real processes all the same.
    method = {"distributed.worker.multiprocessing-method": start_method()}
    with (
        dask.config.set(method),
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
    ):
        assert len(cluster.workers) == 2
        dask = _run(tiny_grid, tmp_path / "dask", cache_dir, dask=cluster.scheduler_address)
    # the same cache: the pool's oracles are hits on the cluster's workers
    assert dask.computed == 5 and dask.document["provenance"]["oracle_cache_hits"] == 5
    assert serial.failures == pool.failures == dask.failures == []
    reference = _numbers(tmp_path / "serial")
    assert _numbers(tmp_path / "pool") == reference
    assert _numbers(tmp_path / "dask") == reference
