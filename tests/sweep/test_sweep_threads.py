"""A sweep task runs with as many BLAS threads as torch threads (one core per worker)."""

from __future__ import annotations

import threadpoolctl
import torch

from hippo_verify.sweep import _task


def test_a_task_limits_blas_and_torch_threads(monkeypatch) -> None:
    seen = {}

    def probe(task):
        seen["blas"] = {info["num_threads"] for info in threadpoolctl.threadpool_info()}
        seen["torch"] = torch.get_num_threads()
        return {}

    monkeypatch.setattr(_task, "_run_task", probe)
    before = torch.get_num_threads()
    try:
        _task.run_task({"threads": 1})
    finally:
        torch.set_num_threads(before)
    assert seen["torch"] == 1
    assert seen["blas"] == {1}  # every BLAS/OpenMP pool (NumPy's OpenBLAS at least) at one thread
