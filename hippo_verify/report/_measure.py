"""Measuring one precision case: the kernel in each dtype against the certified oracle."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import torch

from .._errors import InvalidArgumentError
from ..oracles import OracleResult
from ..testing import Algorithm, compare_kernel, registered_models, unit_roundoff
from ._cases import PrecisionCase

__all__ = ["DEFAULT_MODEL", "measure_case"]

DEFAULT_MODEL = "default (16 u log2 L)"


def kernel_name(algorithm: Algorithm) -> str:
    """``module.function`` of the record's kernel under ``hippo_verify.kernels``."""
    kernel = algorithm.kernel
    module = getattr(kernel, "__module__", "") or ""
    return f"{module.removeprefix('hippo_verify.kernels.')}.{kernel.__name__}"


#: Oracles of recent inputs: cases that share inputs and oracle (the two scans, the two
#: H3 modes) compute it once.
_ORACLES: dict[tuple[Any, str], OracleResult] = {}
_ORACLES_KEPT = 4


def oracle_of(algorithm: Algorithm, inputs: Mapping[str, Any]) -> OracleResult:
    """The record's oracle of ``inputs`` (cached by oracle function and inputs)."""
    key = (algorithm.oracle, json.dumps(_jsonable(inputs), sort_keys=True))
    if key not in _ORACLES:
        if len(_ORACLES) >= _ORACLES_KEPT:
            _ORACLES.clear()
        _ORACLES[key] = algorithm.run_oracle(inputs)
    return _ORACLES[key]


def _jsonable(value: Any) -> Any:
    if isinstance(value, complex):
        return {"re": value.real, "im": value.imag}
    if isinstance(value, Mapping):
        return {name: _jsonable(v) for name, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def measure_case(case: PrecisionCase, device: Any = "cpu") -> dict:
    """Measure one case in each of its dtypes; returns the JSON record of the case."""
    algorithm = case.algorithm
    inputs = case.inputs()
    N = algorithm.state_size(inputs)
    record: dict = {"case": case.key, "configuration": case.title, "N": N}
    if case.variant:
        record["variant"] = case.variant
    record.update(kernel=kernel_name(algorithm), available=True)
    oracle = oracle_of(algorithm, inputs)
    cond = algorithm.condition_of(inputs)
    record.update(
        L=len(oracle.values),
        cond=cond,
        cond_source=algorithm.condition.__name__,
        oracle={
            "family": oracle.family,
            "method": oracle.method,
            "digits": oracle.digits,
            "prec": oracle.prec,
        },
        rows=[
            _measure_dtype(algorithm, inputs, oracle, N, cond, dtype, device)
            for dtype in case.dtypes
        ],
    )
    return record


def _measure_dtype(
    algorithm: Algorithm,
    inputs: Mapping[str, Any],
    oracle: OracleResult,
    N: int,
    cond: float,
    dtype: torch.dtype,
    device: Any,
) -> dict:
    row: dict = {"dtype": str(dtype).removeprefix("torch.")}
    try:
        actual = algorithm.run_kernel(inputs, dtype, device)
    except Exception as error:  # a kernel that raises is a finding, not a crash
        row.update(status="error", error=_first_line(error))
        return row
    if not isinstance(actual, torch.Tensor):
        row.update(status="error", error=f"returned {type(actual).__name__}, not a tensor")
        return row
    actual = actual.detach().to("cpu")
    row["output_dtype"] = str(actual.dtype).removeprefix("torch.")
    models = registered_models()
    model = algorithm.name if algorithm.name in models else None
    model_text = models[model].algorithm if model else DEFAULT_MODEL
    try:
        comparison = compare_kernel(actual, oracle, algorithm=model, N=N, cond=cond)
    except InvalidArgumentError as error:
        if model is None or "no error model for" not in str(error):
            row.update(status="error", error=_first_line(error))
            return row
        comparison = compare_kernel(actual, oracle)  # measure; no bound for dtype
        model_text = f"{model_text} (no model for {row['output_dtype']}; default bound)"
    u = unit_roundoff(actual.dtype)
    exact = comparison.max_relative == 0
    finite = not comparison.nonfinite  # JSON has no inf: a NaN/inf tap is counted instead
    row.update(
        status="pass" if comparison.passed else "FAIL",
        max_relative_error=comparison.max_relative if finite else None,
        digits=None if exact or not finite else round(comparison.digits, 2),
        error_over_u=comparison.max_relative / u if finite else None,
        nonfinite_taps=len(comparison.nonfinite),
        bound=comparison.bound,
        error_model=model_text,
        bad_taps=len(comparison.bad),
        L=len(oracle.values),
    )
    return row
