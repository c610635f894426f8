"""The sweep's task: one algorithm at one grid point, measured in each of its dtypes.

``run_task(task)`` is the only function the executors run (in-process, in a process pool
or on a Dask worker): it takes and returns plain JSON values, builds the point's inputs
(``_inputs``), gets the certified oracle from the cache or computes and caches it, then
runs the registry's kernel in each dtype and measures it against the oracle with
``hippo_verify.testing.compare_kernel``:

* error: max_k |K_k - K_k^oracle| / max_k |K_k^oracle| (the worst part for kernels with
  several outputs, e.g. discretize's (Ab, Bb));
* digits = -log10(error) (None when the kernel is exact); error / u in unit roundoffs of
  the output dtype;
* bound: the registered error model c u g(L, N, cond); bound / error: how loose it is;
* status: ``pass`` / ``FAIL`` (outside the bound, or NaN/inf taps); ``refused`` (the
  kernel's own validation refused the inputs, e.g. RTF's conditioning gate); ``unbounded``
  (the model declines to bound this dtype or conditioning: error measured, no verdict);
  ``error`` (the kernel raised anything else); ``oracle-error`` (no certified oracle).
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Mapping
from typing import Any

import threadpoolctl
import torch

from .._errors import HippoVerifyError
from ..oracles import OracleResult
from ..testing import ALGORITHMS, Algorithm, compare_kernel, unit_roundoff
from ..testing._tensors import to_tensor
from ._cache import OracleCache, inputs_hash
from ._inputs import build_inputs

__all__ = ["DTYPES", "run_task"]

#: Names of the dtypes a sweep may measure (complex inputs use the complex counterpart).
DTYPES: Mapping[str, torch.dtype] = {
    "float64": torch.float64,
    "float32": torch.float32,
    "bfloat16": torch.bfloat16,
    "float16": torch.float16,
}


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"[:300]


def oracle_for(
    algorithm: Algorithm,
    inputs: Mapping[str, Any],
    digits: int,
    cache: OracleCache | None,
    digest: str | None = None,
) -> tuple[OracleResult, str, float]:
    """(oracle result, "hit" | "miss" | "off" | "unwritable", seconds) of the record's
    oracle twin; ``digest``: the inputs' ``inputs_hash`` if known."""
    started = time.perf_counter()
    if cache is None:
        return algorithm.run_oracle(inputs, digits=digits), "off", time.perf_counter() - started
    digest = digest or inputs_hash(inputs)
    key = cache.key(algorithm.oracle.__name__, digest, digits, algorithm.flat_output)
    result = cache.get(key)
    if result is not None:
        return result, "hit", time.perf_counter() - started
    result = algorithm.run_oracle(inputs, digits=digits)
    try:
        cache.put(key, result)
    except (OSError, TypeError, ValueError):  # an unwritable cache costs time, not results
        return result, "unwritable", time.perf_counter() - started
    return result, "miss", time.perf_counter() - started


def _parts(oracle: OracleResult, count: int) -> list[OracleResult]:
    """The oracle's ``count`` parts (discretize: Ab, Bb), each flattened."""
    if count == 1:
        return [oracle]
    parts = []
    for values in oracle.values:
        flat = (
            [v for row in values for v in row] if values and isinstance(values[0], list) else values
        )
        parts.append(
            OracleResult(oracle.family, list(flat), oracle.digits, oracle.prec, oracle.method)
        )
    return parts


def wide_tensors(algorithm: Algorithm, inputs: Mapping[str, Any]) -> dict:
    """``inputs`` with the array parameters as float64/complex128 tensors (``to_tensor``:
    exact), converted once per point instead of once per dtype."""
    wide = dict(inputs)
    for name in algorithm.arrays:
        if name in inputs and inputs[name] is not None:
            value = inputs[name]
            complex_values = any(isinstance(v, complex) for v in _flat(value))
            wide[name] = to_tensor(value, torch.complex128 if complex_values else torch.float64)
    return wide


def _flat(values: Any) -> list:
    if isinstance(values, (list, tuple)):
        return [v for item in values for v in _flat(item)]
    return [values]


def _in_dtype(wide: Mapping[str, Any], dtype: torch.dtype) -> dict:
    """The tensors of ``wide`` in ``dtype`` (its complex counterpart for complex ones),
    refusing any that would round: every dtype must read the oracle's numbers."""
    narrow = {}
    for name, value in wide.items():
        if isinstance(value, torch.Tensor):
            wanted = _COMPLEX.get(dtype, dtype) if value.is_complex() else dtype
            value = value.to(wanted)
            if not torch.equal(value.to(wide[name].dtype), wide[name]):
                raise ValueError(f"input {name} is not exact in {dtype}")
        narrow[name] = value
    return narrow


_COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}


def measure(
    algorithm: Algorithm,
    inputs: Mapping[str, Any],
    oracle: OracleResult,
    dtype: torch.dtype,
    N: int,
    cond: float,
) -> dict:
    """One dtype of one point: the row of ``sweep.json`` (see the module docstring).
    ``inputs`` may hold the arrays as float64/complex128 tensors (``wide_tensors``)."""
    row: dict = {"dtype": str(dtype).removeprefix("torch.")}
    try:
        inputs = _in_dtype(inputs, dtype)
    except ValueError as error:
        return {**row, "status": "error", "error": str(error)}
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            actual = algorithm.run_kernel(inputs, dtype)
        except HippoVerifyError as refusal:
            return {**row, "status": "refused", "error": _first_line(refusal)}
        except Exception as error:  # a kernel that raises is a finding, not a crash
            return {**row, "status": "error", "error": _first_line(error)}
    row["seconds"] = round(time.perf_counter() - started, 6)
    if caught:  # e.g. RTF's warning that rounding moved a pole onto the unit circle
        row["warnings"] = sorted({_first_line(w.message) for w in caught})
    outputs = actual if isinstance(actual, tuple) else (actual,)
    outputs = [t.detach().to("cpu").reshape(-1) for t in outputs]
    row["output_dtype"] = str(outputs[0].dtype).removeprefix("torch.")
    status, comparisons = "pass", []
    for output, part in zip(outputs, _parts(oracle, len(outputs))):
        try:
            comparisons.append(
                compare_kernel(output, part, algorithm=algorithm.name, N=N, cond=cond)
            )
        except HippoVerifyError as declined:  # no model for this dtype / conditioning
            comparisons.append(compare_kernel(output, part))  # the error, without a verdict
            status, row["note"] = "unbounded", _first_line(declined)
    worst = max(comparisons, key=lambda c: (bool(c.nonfinite), c.max_relative))
    if status == "pass" and not all(c.passed for c in comparisons):
        status = "FAIL"
    error = worst.max_relative
    finite = not worst.nonfinite  # JSON has no inf/NaN: NaN taps are counted instead
    row.update(
        status=status,
        max_relative_error=error if finite else None,
        digits=round(-math.log10(error), 3) if finite and error > 0 else None,
        error_over_u=error / unit_roundoff(outputs[0].dtype) if finite else None,
        bound=None if status == "unbounded" else worst.bound,
        bound_over_error=(
            worst.bound / error if status != "unbounded" and finite and error > 0 else None
        ),
        nonfinite_taps=len(worst.nonfinite),
        bad_taps=sum(len(c.bad) for c in comparisons),
    )
    return row


def run_task(task: Mapping[str, Any]) -> dict:
    """Measure one point: ``task`` holds ``id``, ``algorithm``, ``params``, ``dtypes``
    (names), ``digits``, ``cache`` (a directory, or None for no cache) and ``threads``
    (torch's and the BLAS libraries' threads). Returns the point's JSON record; never
    raises for a kernel or oracle failure (they are statuses)."""
    threads = int(task.get("threads", 1))
    torch.set_num_threads(threads)
    # NumPy/SciPy's OpenBLAS would otherwise use every core in each worker process
    with threadpoolctl.threadpool_limits(limits=threads):
        return _run_task(task)


def _run_task(task: Mapping[str, Any]) -> dict:
    started = time.perf_counter()
    algorithm = ALGORITHMS[task["algorithm"]]
    inputs = build_inputs(algorithm, task["params"])
    digest = inputs_hash(inputs)
    record: dict = {
        "id": task["id"],
        "algorithm": algorithm.name,
        "params": dict(task["params"]),
        "inputs_sha256": digest,
    }
    cache = OracleCache(task["cache"]) if task.get("cache") else None
    dtypes = [name for name in task["dtypes"] if algorithm.accepts(inputs, DTYPES[name])]
    try:
        oracle, cached, seconds = oracle_for(algorithm, inputs, int(task["digits"]), cache, digest)
    except Exception as error:  # uncertifiable or refused: every dtype is an oracle error
        rows = [{"dtype": d, "status": "oracle-error", "error": _first_line(error)} for d in dtypes]
        return {**record, "rows": rows, "seconds": round(time.perf_counter() - started, 3)}
    N = algorithm.state_size(inputs)
    cond = algorithm.condition_of(inputs)
    record.update(
        N=N,
        L=task["params"].get("L"),
        cond=cond if math.isfinite(cond) else None,
        cond_source=algorithm.condition.__name__,
        oracle={
            "family": oracle.family,
            "method": oracle.method,
            "digits": oracle.digits,
            "prec": oracle.prec,
            "cache": cached,
            "seconds": round(seconds, 4),
        },
    )
    wide = wide_tensors(algorithm, inputs)
    record["rows"] = [measure(algorithm, wide, oracle, DTYPES[name], N, cond) for name in dtypes]
    record["seconds"] = round(time.perf_counter() - started, 4)
    return record
