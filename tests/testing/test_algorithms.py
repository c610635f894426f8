"""The algorithm registry: every record is complete, and each one's parts agree end to end.

For every algorithm: its kernel is the public kernel of that name, its oracle the public
oracle twin of the same name, its model registered, its conditioning function public in
``hippo_verify.testing`` and its strategy draws inputs on which the kernel is inside its
error model against the oracle (``assert_kernel_close(..., algorithm=, inputs=)``). A
planted bug in any kernel (a relative error of 1e-6 on one tap) fails the same check.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import math

import pytest
import torch
from hypothesis import HealthCheck, Phase, assume, given, settings

from hippo_verify import InvalidArgumentError, InvalidTypeError, kernels, oracles, testing
from hippo_verify.oracles import OracleResult
from hippo_verify.testing import (
    ALGORITHMS,
    Algorithm,
    ErrorModel,
    algorithm_named,
    assert_kernel_close,
    compare_kernel,
    registered_models,
)

NAMES = sorted(ALGORITHMS)
#: Examples per algorithm: each runs an mpmath oracle; the sizes are small.
EXAMPLES = 4


def _parts(kernel_output, oracle: OracleResult) -> list[tuple[torch.Tensor, OracleResult]]:
    """(tensor, oracle) per part: discretize returns (Ab, Bb), bounded part by part."""
    if not isinstance(kernel_output, tuple):
        return [(kernel_output, oracle)]
    pairs = []
    for part, values in zip(kernel_output, oracle.values):
        flat = [v for row in values for v in row] if isinstance(values[0], list) else values
        pairs.append((part, dataclasses.replace(oracle, values=flat)))
    return pairs


def _check(algorithm: Algorithm, inputs: dict, dtype: torch.dtype) -> None:
    # an identically zero result has no relative error (cond = inf): nothing to grade
    assume(math.isfinite(algorithm.condition_of(inputs)))
    oracle = algorithm.run_oracle(inputs)
    for actual, reference in _parts(algorithm.run_kernel(inputs, dtype), oracle):
        assert_kernel_close(actual, reference, algorithm=algorithm.name, inputs=inputs)


def test_the_registry_lists_every_kernel_of_the_package() -> None:
    covered = {record.kernel for record in ALGORITHMS.values()}
    kernels_public = {
        getattr(kernels, name)
        for name in kernels.__all__
        if inspect.isfunction(getattr(kernels, name))
    }
    helpers = {
        kernels.dplr_kernel_from_ct,  # S4's trained form: checked against dplr_kernel
        kernels.rtf_diagnostics,
        kernels.rtf_realization,
        kernels.rtf_step,  # one step of rtf_recurrence
        kernels.selective_step,  # one decoding step of selective_scan
    }
    assert kernels_public - helpers <= covered, sorted(
        f.__name__ for f in kernels_public - helpers - covered
    )


@pytest.mark.parametrize("name", NAMES)
def test_every_record_is_complete(name: str) -> None:
    record = ALGORITHMS[name]
    assert record.name == name and record.description.strip()
    assert getattr(kernels, record.kernel.__name__) is record.kernel
    # twins share the name, and the oracle is the public one of the oracle layer
    assert record.oracle.__name__ == record.kernel.__name__
    assert getattr(oracles, record.oracle.__name__) is record.oracle
    assert isinstance(record.model, ErrorModel)
    assert registered_models()[name] is record.model
    assert getattr(testing, record.condition.__name__) is record.condition
    assert record.condition.__name__.endswith("_condition")
    assert set(record.arrays) <= set(inspect.signature(record.kernel).parameters)
    assert set(record.options) <= set(inspect.signature(record.kernel).parameters)
    assert record.dtypes == record.model.dtypes


@pytest.mark.parametrize("name", NAMES)
def test_the_conditioning_function_takes_the_kernels_arguments(name: str) -> None:
    record = ALGORITHMS[name]
    kernel = inspect.signature(record.kernel).parameters
    condition = inspect.signature(record.condition).parameters
    required = inspect.Parameter.empty
    data = [p for p in kernel if p not in record.options and kernel[p].default is required]
    assert [p for p in condition if condition[p].default is inspect.Parameter.empty] == [
        p for p in data if p in condition
    ]
    assert set(data) <= set(condition), f"{name}: {set(data) - set(condition)} missing"


@pytest.mark.parametrize("name", NAMES)
def test_every_strategy_draws_inputs_the_kernel_passes_on(name: str) -> None:
    record = ALGORITHMS[name]

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(record.strategy())
    def check(inputs: dict) -> None:
        _check(record, inputs, record.dtypes[0])

    check()


def _planted(record: Algorithm) -> Algorithm:
    """The record with a kernel whose tap 0 (or entry 0 of each part) is off by 1e-6."""

    @functools.wraps(record.kernel)  # the kernel's signature: how the registry calls it
    def broken(*args, **kwargs):
        result = record.kernel(*args, **kwargs)
        parts = result if isinstance(result, tuple) else (result,)
        for part in parts:
            part[(0,) * part.dim()] += 1e-6 * part.abs().max()
        return result

    return dataclasses.replace(record, kernel=broken)


@pytest.mark.parametrize("name", NAMES)
def test_a_planted_error_fails_the_registry_check(name: str) -> None:
    record = _planted(ALGORITHMS[name])
    dtype = torch.float64 if torch.float64 in record.dtypes else torch.float32

    # One derandomized example; no shrink/explain phases: they only rewrite the report of a
    # failure, and a failing draw of this kind has been seen to shrink for minutes.
    @settings(
        max_examples=1,
        deadline=None,
        database=None,
        derandomize=True,
        phases=(Phase.explicit, Phase.generate),
    )
    @given(ALGORITHMS[name].strategy().filter(_nonzero(ALGORITHMS[name])))
    def check(drawn: dict) -> None:
        with pytest.raises(AssertionError, match="outside the bound"):
            _check(record, drawn, dtype)

    check()


def _nonzero(record: Algorithm):
    """Inputs whose oracle is not identically zero (a zero kernel has no relative error)."""

    def keep(inputs: dict) -> bool:
        output = record.run_kernel(inputs, torch.float64)
        parts = output if isinstance(output, tuple) else (output,)
        return all(bool(part.abs().max() > 1e-3) for part in parts)

    return keep


# ---------------------------------------------------------------------------------------
# assert_kernel_close(..., algorithm=, inputs=)
# ---------------------------------------------------------------------------------------

LAM = [complex(-0.5, 1.0), complex(-0.25, -3.0)]
DIAG = {"lam": LAM, "B": [1.0 + 0j, 0.5 + 0j], "C": [0.5 - 0.25j, 1.0 + 0j], "L": 64, "dt": 0.0625}


def test_inputs_give_the_registry_condition_and_state_size() -> None:
    record = ALGORITHMS["vandermonde"]
    K = record.run_kernel(DIAG, torch.float32)
    oracle = record.run_oracle(DIAG)
    by_inputs = compare_kernel(K, oracle, algorithm="vandermonde", inputs=DIAG)
    cond = testing.diag_kernel_condition(**DIAG)
    by_hand = compare_kernel(K, oracle, algorithm="vandermonde", N=2, cond=cond)
    assert by_inputs.bound == by_hand.bound
    assert_kernel_close(K, oracle, algorithm="vandermonde", inputs=DIAG)


def test_inputs_are_refused_with_cond_or_without_algorithm() -> None:
    record = ALGORITHMS["vandermonde"]
    K, oracle = record.run_kernel(DIAG, torch.float64), record.run_oracle(DIAG)
    with pytest.raises(InvalidArgumentError, match="not both"):
        assert_kernel_close(K, oracle, algorithm="vandermonde", inputs=DIAG, cond=1.0)
    with pytest.raises(InvalidArgumentError, match="name the algorithm"):
        assert_kernel_close(K, oracle, inputs=DIAG)
    with pytest.raises(InvalidTypeError, match="mapping"):
        assert_kernel_close(K, oracle, algorithm="vandermonde", inputs=[1, 2])
    with pytest.raises(InvalidArgumentError, match="unknown algorithm"):
        assert_kernel_close(K, oracle, algorithm="no-such", inputs=DIAG)


def test_the_wrong_condition_is_not_what_the_registry_gives() -> None:
    """The trap the registry removes: the Vandermonde cond handed to a recurrent step. With
    inputs the gate picks the algorithm's own function."""
    inputs = {"Ab": [[0.5, 0.0], [0.25, 0.5]], "Bb": [1.0, 0.5], "C": [1.0, -1.0], "u": [1.0] * 32}
    record = ALGORITHMS["scan-sequential"]
    comparison = compare_kernel(
        record.run_kernel(inputs, torch.float64),
        record.run_oracle(inputs),
        algorithm="scan-sequential",
        inputs=inputs,
    )
    assert comparison.passed
    assert comparison.bound == pytest.approx(
        testing.error_bound(
            "scan-sequential", torch.float64, L=32, N=2, cond=testing.scan_condition(**inputs)
        ),
        rel=1e-12,
        abs=0,
    )


def test_algorithm_named_refuses_unknown_names() -> None:
    assert algorithm_named("shift") is ALGORITHMS["shift"]
    with pytest.raises(InvalidTypeError):
        algorithm_named(3)
    with pytest.raises(InvalidArgumentError, match="registered"):
        algorithm_named("vandermond")


def test_the_registry_is_read_only() -> None:
    with pytest.raises(TypeError):
        ALGORITHMS["x"] = ALGORITHMS["shift"]  # type: ignore[index]


# ---------------------------------------------------------------------------------------
# What each record hands on: its own model, its options, the dtype under test
# ---------------------------------------------------------------------------------------

#: Records whose kernel does the arithmetic of another algorithm and shares its model.
SHARED_MODELS = {"h3-diag": "vandermonde"}


@pytest.mark.parametrize("name", NAMES)
def test_every_record_carries_the_model_written_for_it(name: str) -> None:
    """A record pointing at a neighbour's model (h3-conv <- h3-recurrence, 2x looser) is
    registered without complaint; the model's own name says whose it is."""
    record = ALGORITHMS[name]
    assert record.model.algorithm == SHARED_MODELS.get(name, name)
    if name in SHARED_MODELS:
        assert record.model is ALGORITHMS[SHARED_MODELS[name]].model


#: One fast mode (|dt Im lam| = 2.5): |log lam_bar| and |Re log lam_bar| differ 600-fold.
FAST = {"lam": [complex(-0.0625, 40.0)], "B": [1 + 0j], "C": [0.5 + 0.25j], "L": 64, "dt": 0.0625}


def test_condition_of_passes_the_records_options_the_function_takes() -> None:
    """float64_phase reaches the condition function of vandermonde-f64phase (which takes
    it); the scans' mode, which scan_condition does not take, does not."""
    seen: list[dict] = []

    def condition(lam, B, C, L, *, dt, method="zoh", conj_pairs=True, float64_phase=False):
        seen.append({"float64_phase": float64_phase, "conj_pairs": conj_pairs})
        return 1.0

    spied = dataclasses.replace(ALGORITHMS["vandermonde-f64phase"], condition=condition)
    assert spied.condition_of(FAST) == 1.0 and seen == [
        {"float64_phase": True, "conj_pairs": FAST.get("conj_pairs", True)}
    ]
    assert ALGORITHMS["vandermonde-f64phase"].condition_of(FAST) == testing.diag_kernel_condition(
        **FAST, float64_phase=True
    )
    scan = {"Ab": [[0.5]], "Bb": [1.0], "C": [1.0], "u": [1.0, -0.5, 0.25]}
    assert ALGORITHMS["scan-chunked"].condition_of(scan) == testing.scan_condition(**scan)


@pytest.mark.parametrize(
    ("dtype", "complex_dtype"),
    [(torch.float64, torch.complex128), (torch.float32, torch.complex64)],
)
def test_run_kernel_uses_the_complex_counterpart_of_the_dtype(dtype, complex_dtype) -> None:
    """Complex inputs (lists or complex128 tensors) run in the complex dtype of the same
    precision: never cast to the real dtype, never kept wider than the dtype under test."""
    record = ALGORITHMS["vandermonde"]
    expected = kernels.diag_kernel(
        *(torch.tensor(DIAG[name], dtype=complex_dtype) for name in ("lam", "B", "C")),
        DIAG["L"],
        dt=DIAG["dt"],
    )
    tensors = {name: torch.tensor(DIAG[name], dtype=torch.complex128) for name in record.arrays}
    for inputs in (DIAG, {**DIAG, **tensors}):
        actual = record.run_kernel(inputs, dtype)
        assert actual.dtype == dtype == expected.dtype
        assert torch.equal(actual, expected)


def test_inputs_give_the_state_size_of_the_record() -> None:
    """N is the number of states: rows of Bb for the dense kernels, modes for the diagonal
    ones, the order d for RTF; as lists and as tensors."""
    scan = {"Ab": [[0.5, 0.0], [0.25, 0.5]], "Bb": [1.0, 0.5], "C": [1.0, -1.0], "u": [1.0]}
    rtf = {"a": [0.5, -0.25, 0.125], "b": [1.0, 0.0, 0.5], "L": 8}
    for name, inputs, N in (
        ("scan-sequential", scan, 2),
        ("vandermonde", DIAG, 2),
        ("rtf-fft", rtf, 3),
    ):
        record = ALGORITHMS[name]
        as_tensors = {k: torch.tensor(v) if k in record.arrays else v for k, v in inputs.items()}
        assert record.state_size(inputs) == record.state_size(as_tensors) == N
