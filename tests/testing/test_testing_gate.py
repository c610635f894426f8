"""The test gate: ``assert_kernel_close``/``compare_kernel`` and the error-model registry.

The gate must pass a correct kernel, fail a wrong one with a message that locates the error
(count of bad taps, worst taps with got/wanted, relative error, digits obtained/required),
refuse comparisons it cannot make, and every registered error model must be sane.
"""

from __future__ import annotations

import dataclasses
import math
import re

import mpmath
import pytest
import torch

from hippo_verify import InvalidArgumentError
from hippo_verify._errors import InvalidTypeError
from hippo_verify.oracles import OracleResult, diag_kernel
from hippo_verify.testing import (
    ALGORITHMS,
    ErrorModel,
    _error_model,
    assert_kernel_close,
    compare_kernel,
    diag_kernel_condition,
    error_bound,
    registered_models,
    scan_condition,
    unit_roundoff,
)

L = 64
FAKE = "test-gate-fake"


@pytest.fixture(scope="module")
def oracle() -> OracleResult:
    """A real-valued S4D kernel (conjugate pairs), certified to >= 30 digits."""
    return diag_kernel(
        ["-0.5+1j", "-0.25+3j", "-1-0.5j", "-0.125"],
        ["1", "0.5j", "0.25", "1-1j"],
        ["1", "1", "0.5+0.5j", "-1"],
        L,
        dt="0.125",
        method="zoh",
    )


@pytest.fixture(scope="module")
def complex_oracle() -> OracleResult:
    return diag_kernel(
        ["-0.5+1j", "-0.25+3j"],
        ["1", "0.5j"],
        ["1", "1+1j"],
        32,
        dt="0.25",
        method="bilinear",
        conj_pairs=False,
    )


@pytest.fixture
def fake_model(monkeypatch: pytest.MonkeyPatch) -> ErrorModel:
    """A model registered only for this test: 4 u L N cond, float64/float32 only."""
    monkeypatch.setattr(_error_model, "_MODELS", dict(_error_model._MODELS))
    model = ErrorModel(
        algorithm=FAKE,
        constant=4.0,
        growth=lambda L, N, cond: float(L * N * cond),
        growth_text="L N cond",
        justification="test double",
        dtypes=(torch.float64, torch.float32),
    )
    return _error_model.register(model)


def nearest(result: OracleResult) -> list:
    """The oracle values rounded to the nearest float64/complex128.

    (``OracleResult.floats()`` is not used: it rounds towards zero, up to 1 ulp away.)
    """
    return [complex(v) if isinstance(v, mpmath.mpc) else float(v) for v in result.values]


def as_tensor(result: OracleResult, dtype: torch.dtype) -> torch.Tensor:
    wide = torch.complex128 if dtype.is_complex else torch.float64
    return torch.tensor(nearest(result), dtype=wide).to(dtype)


def perturbed(result: OracleResult, taps: dict[int, float]) -> torch.Tensor:
    """The oracle in float64 with tap k moved by taps[k] * max|K| (a relative error)."""
    values = torch.tensor(nearest(result), dtype=torch.float64)
    scale = values.abs().max()
    for k, relative in taps.items():
        values[k] += relative * scale
    return values


# ---------------------------------------------------------------------------------------
# Pass and fail
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_the_oracle_rounded_to_the_dtype_passes(oracle: OracleResult, dtype) -> None:
    comparison = assert_kernel_close(as_tensor(oracle, dtype), oracle)
    assert comparison.max_relative <= unit_roundoff(dtype)  # only the final rounding
    assert comparison.passed and comparison
    assert comparison.bad == []
    assert comparison.digits >= -math.log10(unit_roundoff(dtype))


def test_a_complex_kernel_passes_and_fails(complex_oracle: OracleResult) -> None:
    exact = as_tensor(complex_oracle, torch.complex128)
    assert_kernel_close(exact, complex_oracle)
    wrong = exact.clone()
    wrong[3] += 1e-9j * exact.abs().max()
    with pytest.raises(AssertionError, match=r"1 of 32 taps outside the bound"):
        assert_kernel_close(wrong, complex_oracle)


def test_a_perturbed_kernel_fails_with_a_locating_message(oracle: OracleResult) -> None:
    actual = perturbed(oracle, {5: 1e-9, 17: -2e-9, 40: 3e-9})
    with pytest.raises(AssertionError) as failure:
        assert_kernel_close(actual, oracle)
    message = str(failure.value)
    bound = 16 * 2.0**-53 * math.log2(L)
    assert message.splitlines()[0] == (
        f"kernel in torch.float64 vs diag_kernel oracle: 3 of {L} taps outside the bound"
    )
    assert "max relative error 3.000e-09 (relative to max|oracle| = " in message
    assert f"bound {bound:.3e}" in message
    assert f"digits obtained {-math.log10(3e-9):.2f}, required {-math.log10(bound):.2f}" in message
    assert f"(oracle certifies {oracle.digits})" in message
    # Worst taps first, each as "k: got != wanted (relative error)".
    worst = re.findall(r"^\s+(\d+): (\S+) != (\S+) \((\S+)\)$", message, flags=re.M)
    assert [int(k) for k, *_ in worst[:3]] == [40, 17, 5]
    floats = nearest(oracle)
    for k, got, wanted, relative in worst[:3]:
        assert float(got) == actual[int(k)].item()
        assert float(wanted) == floats[int(k)]
    assert [float(r) for *_, r in worst[:3]] == pytest.approx([3e-9, 2e-9, 1e-9], rel=1e-3)
    assert len(worst) == 5  # the five worst are listed, even those inside the bound


def test_the_message_names_the_algorithm_and_its_bound(oracle, fake_model) -> None:
    bound = error_bound(FAKE, torch.float64, L=L, N=4)
    actual = perturbed(oracle, {7: 10 * bound})
    with pytest.raises(AssertionError) as failure:
        assert_kernel_close(actual, oracle, algorithm=FAKE, N=4)
    assert str(failure.value).startswith(f"{FAKE} in torch.float64 vs diag_kernel oracle: 1 of")
    assert f"bound {bound:.3e}" in str(failure.value)
    # Inside the model's bound it passes (the default bound would fail it).
    inside = perturbed(oracle, {7: bound / 2})
    assert_kernel_close(inside, oracle, algorithm=FAKE, N=4)
    with pytest.raises(AssertionError):
        assert_kernel_close(inside, oracle)


def test_compare_kernel_measures_without_asserting(oracle: OracleResult) -> None:
    comparison = compare_kernel(perturbed(oracle, {3: 1e-6}), oracle)
    assert comparison.bad == [3]
    assert comparison.max_relative == pytest.approx(1e-6, rel=1e-6)
    assert comparison.digits == pytest.approx(6, abs=1e-5)
    assert "1 of 64 taps outside the bound" in comparison.report("probe")


def test_any_shape_with_the_right_number_of_taps(oracle: OracleResult) -> None:
    assert_kernel_close(as_tensor(oracle, torch.float64).reshape(8, 8), oracle)


# ---------------------------------------------------------------------------------------
# dtypes, algorithms and refusals
# ---------------------------------------------------------------------------------------


def test_dtype_defaults_to_the_tensor_and_can_be_overridden(oracle: OracleResult) -> None:
    actual = perturbed(oracle, {9: 1e-9})  # far outside float64's bound, inside float32's
    with pytest.raises(AssertionError):
        assert_kernel_close(actual, oracle)
    comparison = assert_kernel_close(actual, oracle, dtype=torch.float32)
    assert comparison.bound == 16 * 2.0**-24 * math.log2(L)


def test_an_unknown_algorithm_is_refused(oracle: OracleResult) -> None:
    with pytest.raises(InvalidArgumentError, match="unknown algorithm 'no-such-kernel'"):
        assert_kernel_close(as_tensor(oracle, torch.float64), oracle, algorithm="no-such-kernel")


def test_a_dtype_without_a_model_is_refused(oracle, fake_model) -> None:
    actual = as_tensor(oracle, torch.complex64)
    with pytest.raises(
        InvalidArgumentError, match=f"{FAKE} has no error model for torch.complex64"
    ):
        assert_kernel_close(actual, oracle, algorithm=FAKE)
    with pytest.raises(InvalidTypeError, match="expected a floating or complex tensor"):
        compare_kernel(torch.zeros(L, dtype=torch.int32), oracle)
    with pytest.raises(InvalidArgumentError, match="no unit roundoff known for torch.int32"):
        compare_kernel(actual, oracle, dtype=torch.int32)


def test_too_few_oracle_digits_are_refused(oracle: OracleResult) -> None:
    weak = dataclasses.replace(oracle, digits=15)
    with pytest.raises(InvalidArgumentError, match="certifies 15 digits, too few"):
        assert_kernel_close(as_tensor(oracle, torch.float64), weak)
    # Enough for float32's bound (about 5.3 digits + 2).
    assert_kernel_close(as_tensor(oracle, torch.float32), weak)


def test_bad_arguments_are_refused(oracle: OracleResult) -> None:
    with pytest.raises(InvalidTypeError, match="expected an OracleResult"):
        assert_kernel_close(torch.zeros(L), oracle.floats())
    with pytest.raises(InvalidTypeError, match="expected a torch.Tensor"):
        assert_kernel_close(oracle.floats(), oracle)
    with pytest.raises(InvalidArgumentError, match="compare one system at a time"):
        assert_kernel_close(torch.zeros(2, L, dtype=torch.float64), oracle)


def test_a_model_registers_once(fake_model) -> None:
    with pytest.raises(InvalidArgumentError, match="registered twice"):
        _error_model.register(fake_model)
    assert registered_models()[FAKE] is fake_model


# ---------------------------------------------------------------------------------------
# The error model
# ---------------------------------------------------------------------------------------


def test_unit_roundoff_of_every_dtype() -> None:
    assert unit_roundoff(torch.float64) == unit_roundoff(torch.complex128) == 2.0**-53
    assert unit_roundoff(torch.float32) == unit_roundoff(torch.complex64) == 2.0**-24
    assert unit_roundoff(torch.float16) == 2.0**-11
    assert unit_roundoff(torch.bfloat16) == 2.0**-8
    for dtype in (torch.float64, torch.float32, torch.float16, torch.bfloat16):
        assert unit_roundoff(dtype) == torch.finfo(dtype).eps / 2
    for dtype in (torch.int64, torch.bool):
        with pytest.raises(InvalidArgumentError):
            unit_roundoff(dtype)


def test_the_bound_is_c_u_g(fake_model) -> None:
    assert error_bound(FAKE, torch.float32, L=10, N=3, cond=2.0) == 4.0 * 2.0**-24 * 60


LENGTHS = [1, 2, 3, 16, 256, 1024, 4096, 65536]
CONDS = [1.0, 2.0, 10.0, 1e3, 1e6]
SIZES = [1, 2, 8, 64, 256]


def assert_monotone(name: str) -> None:
    model = registered_models()[name]
    for dtype in model.dtypes:
        by_L = [error_bound(name, dtype, L=n, N=8) for n in LENGTHS]
        assert by_L == sorted(by_L), f"{name} {dtype}: bound not monotone in L: {by_L}"
        by_cond = [error_bound(name, dtype, L=256, N=8, cond=c) for c in CONDS]
        assert by_cond == sorted(by_cond), f"{name} {dtype}: not monotone in cond: {by_cond}"
        by_N = [error_bound(name, dtype, L=256, N=n) for n in SIZES]
        assert by_N == sorted(by_N), f"{name} {dtype}: not monotone in N: {by_N}"


def test_the_bound_is_monotone_for_a_known_model(fake_model) -> None:
    assert_monotone(FAKE)


#: Sanity limits of a registered model: c at most this, and in float64 at L = 4096,
#: N = 64 (cond 1) a bound below 1e-6 (a gate that lets 10 digits of float64 go is no gate).
MAX_CONSTANT = 1e4
MAX_FLOAT64_BOUND = 1e-6
REGISTERED = sorted(registered_models())


EXPECTED_MODELS = {
    "discretize", "krylov-doubling", "ssm-doubling", "scan-sequential", "scan-chunked",
    "fft-conv", "vandermonde", "dplr-woodbury", "rtf-fft", "rtf-impulse", "rtf-recurrence",
    "shift", "h3-conv", "h3-recurrence",
}  # fmt: skip


def test_every_kernel_algorithm_has_a_model() -> None:
    assert EXPECTED_MODELS <= set(REGISTERED)


@pytest.mark.parametrize("name", REGISTERED)
def test_every_registered_model_is_sane(name: str) -> None:
    model = registered_models()[name]
    # a record may reuse its family's model under its own name (h3-diag: vandermonde)
    assert model.algorithm == name or model is ALGORITHMS[name].model
    assert model.justification.strip(), f"{name}: empty justification"
    assert model.growth_text.strip(), f"{name}: empty growth_text"
    assert 0 < model.constant <= MAX_CONSTANT, f"{name}: constant {model.constant}"
    assert model.dtypes, f"{name}: no dtypes"
    for dtype in model.dtypes:
        unit_roundoff(dtype)  # every dtype it claims has a unit roundoff
    for n in LENGTHS:
        assert model.growth(n, 8, 1.0) >= 1.0, f"{name}: growth < 1 at L={n}"
    if torch.float64 in model.dtypes:
        bound = error_bound(name, torch.float64, L=4096, N=64)
        assert bound <= MAX_FLOAT64_BOUND, f"{name}: float64 bound {bound:.1e} at L=4096, N=64"


@pytest.mark.parametrize("name", REGISTERED)
def test_every_registered_model_is_monotone(name: str) -> None:
    assert_monotone(name)


# ---------------------------------------------------------------------------------------
# NaN, infinity and bad arguments cannot slip through
# ---------------------------------------------------------------------------------------

NONFINITE_TAPS = {
    "one NaN tap": {7: math.nan},
    "NaN at tap 0": {0: math.nan},
    "an infinite tap": {L - 1: math.inf},
    "a -inf tap": {3: -math.inf},
}


@pytest.mark.parametrize("taps", NONFINITE_TAPS.values(), ids=NONFINITE_TAPS)
@pytest.mark.parametrize("algorithm", [None, "vandermonde"])
def test_a_nonfinite_tap_fails(oracle: OracleResult, taps: dict, algorithm) -> None:
    actual = as_tensor(oracle, torch.float64)
    for k, value in taps.items():
        actual[k] = value
    with pytest.raises(AssertionError, match=r"1 of 64 taps are NaN or infinite \(taps \d+\)"):
        assert_kernel_close(actual, oracle, algorithm=algorithm, N=4)
    comparison = compare_kernel(actual, oracle)
    assert not comparison.passed and not comparison and comparison.digits == -math.inf
    assert comparison.bad == list(taps)


@pytest.mark.parametrize("dtype", [torch.float64, torch.complex128])
def test_an_all_nan_kernel_fails(oracle: OracleResult, dtype) -> None:
    actual = torch.full((L,), math.nan, dtype=dtype)
    with pytest.raises(AssertionError, match=f"{L} of {L} taps are NaN or infinite"):
        assert_kernel_close(actual, oracle)


def test_a_nan_in_the_oracle_is_refused(oracle: OracleResult) -> None:
    values = list(oracle.values)
    values[9] = mpmath.mpf("nan")
    broken = dataclasses.replace(oracle, values=values)
    with pytest.raises(InvalidArgumentError, match="oracle holds NaN or infinite values"):
        assert_kernel_close(as_tensor(oracle, torch.float64), broken)


BAD_CONDS = {
    "NaN": (math.nan, InvalidArgumentError),
    "inf": (math.inf, InvalidArgumentError),
    "negative": (-2.0, InvalidArgumentError),
    "string": ("1", InvalidTypeError),
    "bool": (True, InvalidTypeError),
    "tensor": (torch.tensor(1.0), InvalidTypeError),
}


@pytest.mark.parametrize("cond, error", BAD_CONDS.values(), ids=BAD_CONDS)
@pytest.mark.parametrize("algorithm", [None, "vandermonde"])
def test_a_bad_cond_is_refused_even_for_a_wrong_kernel(oracle, cond, error, algorithm) -> None:
    """A NaN cond (e.g. a conditioning helper on a zero kernel) once passed a wrong kernel."""
    wrong = perturbed(oracle, {5: 0.5})
    with pytest.raises(error, match="cond"):
        assert_kernel_close(wrong, oracle, algorithm=algorithm, N=4, cond=cond)


BAD_SIZES = {
    "L = 0": ({"L": 0}, InvalidArgumentError, "L must be >= 1"),
    "L = -5": ({"L": -5}, InvalidArgumentError, "L must be >= 1"),
    "L = 2.5": ({"L": 2.5}, InvalidTypeError, "L must be an integer"),
    "N = 0": ({"L": 8, "N": 0}, InvalidArgumentError, "N must be >= 1"),
    "N = -1": ({"L": 8, "N": -1}, InvalidArgumentError, "N must be >= 1"),
    "N = 1.0": ({"L": 8, "N": 1.0}, InvalidTypeError, "N must be an integer"),
    "cond NaN": ({"L": 8, "cond": math.nan}, InvalidArgumentError, "cond"),
    "cond < 0": ({"L": 8, "cond": -1.0}, InvalidArgumentError, "cond"),
}


@pytest.mark.parametrize("name", REGISTERED)
@pytest.mark.parametrize("kwargs, error, message", BAD_SIZES.values(), ids=BAD_SIZES)
def test_error_bound_validates_every_argument(name, kwargs, error, message) -> None:
    dtype = registered_models()[name].dtypes[0]
    with pytest.raises(error, match=message):
        error_bound(name, dtype, **kwargs)


def test_error_bound_refuses_a_non_dtype_and_a_non_string_algorithm() -> None:
    with pytest.raises(InvalidTypeError, match="torch.dtype"):
        error_bound("vandermonde", "float32", L=8)
    with pytest.raises(InvalidTypeError, match="algorithm"):
        error_bound(None, torch.float32, L=8)


def test_assert_kernel_close_with_N_0_is_refused(oracle: OracleResult) -> None:
    for algorithm in (None, "vandermonde"):
        with pytest.raises(InvalidArgumentError, match="N must be >= 1"):
            assert_kernel_close(as_tensor(oracle, torch.float64), oracle, algorithm=algorithm, N=0)


def test_a_model_giving_a_nan_bound_is_refused(monkeypatch, oracle) -> None:
    monkeypatch.setattr(_error_model, "_MODELS", dict(_error_model._MODELS))
    _error_model.register(
        ErrorModel("test-nan-growth", 1.0, lambda L, N, cond: math.nan, "nan", "test double")
    )
    with pytest.raises(InvalidArgumentError, match="finite positive"):
        assert_kernel_close(perturbed(oracle, {1: 0.5}), oracle, algorithm="test-nan-growth")


# ---------------------------------------------------------------------------------------
# Boundaries, defaults and messages (each test kills mutants that survived a mutmut run)
# ---------------------------------------------------------------------------------------


def _exact_bound_model(name: str, bound: float) -> ErrorModel:
    """A float64 model whose bound is exactly ``bound`` (u * (bound / u) is exact: u = 2^-53)."""
    u = 2.0**-53
    return _error_model.register(
        ErrorModel(name, 1.0, lambda L, N, cond: bound / u, "fixed", "test double")
    )


def test_the_defaults_are_N_1_and_cond_1(oracle: OracleResult, fake_model) -> None:
    exact = as_tensor(oracle, torch.float64)
    wanted = error_bound(FAKE, torch.float64, L=L, N=1, cond=1.0)
    assert error_bound(FAKE, torch.float64, L=L) == wanted
    assert compare_kernel(exact, oracle, algorithm=FAKE).bound == wanted
    assert assert_kernel_close(exact, oracle, algorithm=FAKE).bound == wanted


@pytest.mark.parametrize("taps, growth", [(1, 1.0), (2, 1.0), (3, math.log2(3)), (64, 6.0)])
def test_the_default_bound_is_16_u_log2_L(oracle: OracleResult, taps: int, growth: float) -> None:
    short = dataclasses.replace(oracle, values=oracle.values[:taps])
    comparison = compare_kernel(as_tensor(short, torch.float64), short)
    assert comparison.bound == 16 * 2.0**-53 * growth


def test_a_bound_of_exactly_a_tenth_is_refused(oracle, monkeypatch) -> None:
    monkeypatch.setattr(_error_model, "_MODELS", dict(_error_model._MODELS))
    _exact_bound_model("test-tenth", 0.1)
    _exact_bound_model("test-below-a-tenth", 0.0999)
    exact = as_tensor(oracle, torch.float64)
    with pytest.raises(InvalidArgumentError, match="ill-conditioned for this dtype"):
        compare_kernel(exact, oracle, algorithm="test-tenth")
    assert compare_kernel(exact, oracle, algorithm="test-below-a-tenth").passed


def test_the_oracle_needs_exactly_two_digits_more_than_the_bound(oracle, monkeypatch) -> None:
    monkeypatch.setattr(_error_model, "_MODELS", dict(_error_model._MODELS))
    _exact_bound_model("test-ten-digits", 1e-10)  # requires 10 digits, so 12 from the oracle
    exact = as_tensor(oracle, torch.float64)
    enough = dataclasses.replace(oracle, digits=12)
    assert compare_kernel(exact, enough, algorithm="test-ten-digits").passed
    with pytest.raises(InvalidArgumentError, match=r"certifies 11 digits.*needs >= 12\)"):
        compare_kernel(exact, dataclasses.replace(oracle, digits=11), algorithm="test-ten-digits")


@pytest.mark.parametrize("growth", [math.inf, -1.0, 0.0], ids=["inf", "negative", "zero"])
def test_a_model_giving_a_non_positive_or_infinite_bound_is_refused(growth, oracle, monkeypatch):
    monkeypatch.setattr(_error_model, "_MODELS", dict(_error_model._MODELS))
    _error_model.register(ErrorModel("test-bad", 1.0, lambda L, N, cond: growth, "g", "test"))
    with pytest.raises(InvalidArgumentError, match="finite positive"):
        error_bound("test-bad", torch.float64, L=8)


def test_a_zero_cond_is_accepted() -> None:
    """cond = 0 (no sensitivity at all) is a valid condition number, unlike a negative one."""
    at_zero = error_bound("vandermonde", torch.float64, L=8, N=2, cond=0.0)
    assert 0 < at_zero <= error_bound("vandermonde", torch.float64, L=8, N=2, cond=1.0)


@pytest.mark.parametrize(
    "n, depth", [(1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (1024, 10), (1025, 11)]
)
def test_log2_ceil(n: int, depth: int) -> None:
    assert _error_model.log2_ceil(n) == depth


def test_a_zero_oracle_measures_absolute_error() -> None:
    zero = diag_kernel(["-1"], ["0"], ["1"], 8, dt="0.5", method="zoh")
    assert all(v == 0 for v in zero.values)
    assert compare_kernel(torch.zeros(8, dtype=torch.float64), zero).max_relative == 0
    off = torch.zeros(8, dtype=torch.float64)
    off[3] = 1e-12
    assert compare_kernel(off, zero).max_relative == 1e-12


TYPE_MESSAGES = {
    "oracle": (lambda o: compare_kernel(torch.zeros(L), "x"), "got str"),
    "actual": (lambda o: compare_kernel([0.0] * L, o), "got list"),
    "cond": (lambda o: error_bound("vandermonde", torch.float64, L=8, cond="1"), "got str"),
    "dtype": (lambda o: error_bound("vandermonde", "float64", L=8), "got str"),
    "algorithm": (lambda o: error_bound(3, torch.float64, L=8), "got int"),
    "unit_roundoff": (lambda o: unit_roundoff("float64"), "got str"),
}


@pytest.mark.parametrize("call, fragment", TYPE_MESSAGES.values(), ids=TYPE_MESSAGES)
def test_type_errors_name_the_type_given(oracle, call, fragment: str) -> None:
    with pytest.raises(InvalidTypeError, match=fragment):
        call(oracle)


def test_an_empty_oracle_is_refused(oracle: OracleResult) -> None:
    with pytest.raises(InvalidArgumentError, match="^oracle: holds no values$"):
        compare_kernel(torch.zeros(0), dataclasses.replace(oracle, values=[]))


def test_the_report_lists_nonfinite_taps_and_worst_taps(oracle: OracleResult) -> None:
    actual = as_tensor(oracle, torch.float64)
    actual[[1, 2, 3, 4, 5, 6]] = math.nan
    lines = compare_kernel(actual, oracle).report("probe").splitlines()
    assert lines[1] == "  6 of 64 taps are NaN or infinite (taps 1, 2, 3, 4, 5, ...)"
    assert "  worst taps (k: got != wanted, relative error):" in lines
    actual[6] = 0.0
    lines = compare_kernel(actual, oracle).report("probe").splitlines()
    assert lines[1] == "  5 of 64 taps are NaN or infinite (taps 1, 2, 3, 4, 5)"


def test_model_bound_defaults_and_dtype_message(fake_model) -> None:
    assert fake_model.bound(torch.float64, L=8) == error_bound(FAKE, torch.float64, L=8, N=1)
    with pytest.raises(
        InvalidArgumentError, match=r"supported: \['torch.float64', 'torch.float32'\]"
    ):
        fake_model.bound(torch.complex64, L=8)


SCAN = {"Ab": [[0.5, 0.0], [0.25, 0.5]], "Bb": [1.0, 0.5], "C": [1.0, -1.0], "u": [1.0] * 32}
#: A fast mode (|dt Im lam| = 2.5), where float64_phase changes cond, and a slow one.
MODES = {
    "lam": [complex(-0.0625, 40.0), complex(-0.5, 1.0)],
    "B": [1 + 0j, 0.5 + 0j],
    "C": [0.5 + 0.25j, 1 + 0j],
    "L": 32,
    "dt": 0.0625,
}


@pytest.mark.parametrize(
    ("name", "inputs", "dtype", "N", "condition"),
    [
        ("scan-sequential", SCAN, torch.float64, 2, lambda: scan_condition(**SCAN)),
        (
            "vandermonde-f64phase",
            MODES,
            torch.float32,
            2,
            lambda: diag_kernel_condition(**MODES, float64_phase=True),
        ),
    ],
    ids=["scan-sequential", "vandermonde-f64phase"],
)
def test_inputs_give_the_bound_at_the_records_state_size_and_condition(
    name, inputs, dtype, N, condition
) -> None:
    """compare_kernel(..., inputs=): exactly error_bound at the record's N (rows of Bb, the
    modes) and cond (its conditioning function with the record's options), not cond 1."""
    record = ALGORITHMS[name]
    cond = condition()
    assert cond != 1.0
    oracle = record.run_oracle(inputs)
    comparison = compare_kernel(
        record.run_kernel(inputs, dtype), oracle, algorithm=name, inputs=inputs
    )
    assert comparison.bound == error_bound(name, dtype, L=len(oracle.values), N=N, cond=cond)
    assert comparison.passed
