"""The algorithm registry: one record per algorithm, read by the gate, the report and the grader.

``ALGORITHMS[name]`` is an ``Algorithm``: the torch kernel, its oracle twin (same name and
leading parameters, in ``hippo_verify.oracles``), the error model (in the ``_bounds``
module of its family), the conditioning function (public, the kernel's arguments in,
the model's ``cond`` out, computed by the judge's own float64 code, never by the kernel),
a hypothesis strategy of valid inputs, the dtypes and a one-line description.

Inputs are a mapping from the kernel's parameter names to values: the array parameters
(``Algorithm.arrays``) as tensors or nested lists of Python numbers, the rest (L, dt,
method, ...) as they are. The same mapping feeds the kernel (``run_kernel``, which makes
tensors of the dtype under test), the oracle (``run_oracle``) and the conditioning
function (``condition_of``).

Adding an algorithm: its kernel, its oracle twin, its model and conditioning function
in ``_bounds/<family>.py``, its input strategy in ``kernel_inputs`` and one record below.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Callable, Mapping
from typing import Any

import torch

from .. import kernels, oracles
from .._errors import InvalidArgumentError, InvalidTypeError
from ..oracles import OracleResult
from ._bounds import dense, diag, h3, rtf, selective
from ._error_model import ErrorModel, register
from ._tensors import to_tensor

__all__ = ["ALGORITHMS", "Algorithm", "algorithm_named"]

_COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}


def _selective_inputs() -> types.ModuleType:
    """The selective scans' strategies, imported on first use (they need hypothesis)."""
    from . import selective_inputs

    return selective_inputs


def _kernel_inputs() -> types.ModuleType:
    """The strategies module, imported on first use: it needs hypothesis, which the report
    and the command line must not (they run without the test extras)."""
    from . import kernel_inputs

    return kernel_inputs


@dataclasses.dataclass(frozen=True)
class Algorithm:
    """Everything the suite knows about one algorithm, as objects.

    Attributes:
        name: Registry key (also the error model's name), e.g. ``"vandermonde"``.
        description: One line: what the kernel computes and how.
        kernel: The torch kernel (``hippo_verify.kernels``).
        oracle: Its oracle twin (``hippo_verify.oracles``), same leading parameters.
        model: The ``ErrorModel`` that bounds the kernel's error.
        condition: ``condition(**inputs) -> float``, the ``cond`` the model expects.
        strategy: ``strategy()`` returns a hypothesis strategy of valid input mappings
            (imports hypothesis on call).
        arrays: The parameters that are arrays (tensors for the kernel).
        state_size: ``state_size(inputs) -> int``, the N handed to the model.
        options: Keyword options the kernel is called with for this algorithm (e.g.
            ``mode="chunked"``); the oracle does not take them, the conditioning function
            those of them it has parameters for.
        flat_output: the kernel returns one tensor of several dimensions (batch, channels,
            time, ...) and ``run_oracle`` flattens the oracle's nested values row-major, so
            that they line up with the tensor's entries (``compare_kernel``).
    """

    name: str
    description: str
    kernel: Callable[..., Any]
    oracle: Callable[..., OracleResult]
    model: ErrorModel
    condition: Callable[..., float]
    strategy: Callable[[], Any]
    arrays: tuple[str, ...]
    state_size: Callable[[Mapping[str, Any]], int]
    options: Mapping[str, Any] = dataclasses.field(default_factory=dict)
    flat_output: bool = False

    @property
    def dtypes(self) -> tuple[torch.dtype, ...]:
        """The dtypes the error model covers (real dtypes; complex inputs use the complex
        counterpart of the same precision)."""
        return self.model.dtypes

    def run_kernel(self, inputs: Mapping[str, Any], dtype: torch.dtype, device: Any = "cpu") -> Any:
        """The kernel on ``inputs``: array parameters become tensors of ``dtype`` (its
        complex counterpart for complex values) on ``device``; ``to_tensor`` refuses values
        the dtype cannot hold exactly, so kernel and oracle see the same numbers."""
        args, kwargs = self.arguments(inputs, dtype, device)
        return self.kernel(*args, **kwargs, **self.options)

    def arguments(
        self, inputs: Mapping[str, Any], dtype: torch.dtype, device: Any = "cpu"
    ) -> tuple[list[Any], dict[str, Any]]:
        """(positional, keyword) arguments of a call like the record's kernel: the array
        parameters as tensors of ``dtype`` (complex counterpart for complex values) on
        ``device``, positional parameters in the kernel's order, keyword-only ones by name.
        A foreign kernel with the same signature (its own parameter names) takes them."""
        args: list[Any] = []
        kwargs: dict[str, Any] = {}
        skipped: list[Any] = []  # defaults of absent positional parameters, passed on if
        for name, parameter in inspect.signature(self.kernel).parameters.items():
            if name not in inputs:  # a later positional one is given (e.g. D=None before z)
                if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
                    skipped.append(parameter.default)
                continue
            value = inputs[name]
            if name in self.arrays:
                value = _as_tensor(value, dtype, device)
            if parameter.kind is inspect.Parameter.KEYWORD_ONLY:
                kwargs[name] = value
            else:
                if inspect.Parameter.empty in skipped:
                    raise InvalidArgumentError(
                        f"{self.name}: a required input before {name} is missing"
                    )
                args += skipped + [value]
                skipped = []
        unknown = set(inputs) - set(inspect.signature(self.kernel).parameters)
        if unknown:
            raise InvalidArgumentError(f"{self.name}: inputs {sorted(unknown)} are not parameters")
        return args, kwargs

    def complex_arrays(self, inputs: Mapping[str, Any]) -> list[str]:
        """The array parameters of ``inputs`` that hold complex values, in record order."""
        return [name for name in self.arrays if name in inputs and _has_complex(inputs[name])]

    def accepts(self, inputs: Mapping[str, Any], dtype: torch.dtype) -> bool:
        """Whether ``run_kernel(inputs, dtype)`` is defined: the dtype is covered by the
        model, and complex inputs have a complex counterpart of the dtype (bfloat16 and
        float16 have none here: mixed-precision kernels take real inputs)."""
        return dtype in self.dtypes and (dtype in _COMPLEX or not self.complex_arrays(inputs))

    def run_oracle(self, inputs: Mapping[str, Any], **settings: Any) -> OracleResult:
        """The oracle twin on ``inputs`` (``settings``: ``digits``, ``max_prec``)."""
        result = self.oracle(**_plain(inputs), **settings)
        if not self.flat_output:
            return result
        return dataclasses.replace(result, values=_flatten(result.values))

    def condition_of(self, inputs: Mapping[str, Any]) -> float:
        """``cond`` of ``inputs`` for this algorithm's model (float64, the judge's code),
        with the record's kernel options that the conditioning function takes too (e.g.
        ``float64_phase``)."""
        accepted = inspect.signature(self.condition).parameters
        options = {name: v for name, v in self.options.items() if name in accepted}
        return float(self.condition(**inputs, **options))


def _as_tensor(values: Any, dtype: torch.dtype, device: Any) -> torch.Tensor:
    complex_values = _has_complex(values)
    if complex_values and dtype not in _COMPLEX:
        raise InvalidArgumentError(f"complex inputs have no {dtype} counterpart (real inputs only)")
    wanted = _COMPLEX[dtype] if complex_values else dtype
    if isinstance(values, torch.Tensor):
        return values.to(device=device, dtype=wanted)
    return to_tensor(values, wanted, device)


def _has_complex(values: Any) -> bool:
    if isinstance(values, torch.Tensor):
        return values.is_complex()
    if isinstance(values, (list, tuple)):
        return any(_has_complex(v) for v in values)
    return isinstance(values, complex)


def _flatten(values: Any) -> list[Any]:
    if isinstance(values, list):
        return [v for item in values for v in _flatten(item)]
    return [values]


def _plain(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Tensors as nested lists of Python numbers (the oracles read floats exactly)."""
    return {
        name: value.detach().to("cpu").tolist() if isinstance(value, torch.Tensor) else value
        for name, value in inputs.items()
    }


def _rows(name: str) -> Callable[[Mapping[str, Any]], int]:
    """state size = the number of entries of the parameter ``name`` (last dimension)."""

    def state_size(inputs: Mapping[str, Any]) -> int:
        value = inputs[name]
        if isinstance(value, torch.Tensor):
            return int(value.shape[-1]) if value.dim() else 1
        return len(value)

    return state_size


def _columns(name: str) -> Callable[[Mapping[str, Any]], int]:
    """state size = the last dimension of the parameter ``name`` (A: (d, n), B: (..., n))."""

    def state_size(inputs: Mapping[str, Any]) -> int:
        value = inputs[name]
        if isinstance(value, torch.Tensor):
            return int(value.shape[-1])
        while isinstance(value, (list, tuple)) and value and isinstance(value[0], (list, tuple)):
            value = value[0]
        return len(value)

    return state_size


def _one(inputs: Mapping[str, Any]) -> int:
    """state size 1: the model does not depend on N."""
    return 1


_DENSE_SYSTEM = ("A", "B", "C")
_DISCRETE_SYSTEM = ("Ab", "Bb", "C")

_RECORDS = (
    Algorithm(
        "discretize",
        "(A, B, dt, method) -> (Ab, Bb): gbt by one solve, ZOH by scaling and squaring",
        kernels.discretize,
        oracles.discretize,
        dense.DISCRETIZE_MODEL,
        dense.discretize_condition,
        lambda: _kernel_inputs().discretize_inputs(),
        ("A", "B"),
        _rows("B"),
    ),
    Algorithm(
        "ssm-doubling",
        "K_k = C Ab^k Bb of a continuous system: discretize, then the doubling Krylov kernel",
        kernels.ssm_kernel,
        oracles.ssm_kernel,
        dense.SSM_DOUBLING_MODEL,
        dense.ssm_kernel_condition,
        lambda: _kernel_inputs().ssm_kernel_inputs(),
        _DENSE_SYSTEM,
        _rows("B"),
    ),
    Algorithm(
        "krylov-doubling",
        "K_k = C Ab^k Bb of a discrete system by doubling [X, Ab^m X]",
        kernels.discrete_kernel,
        oracles.discrete_kernel,
        dense.KRYLOV_DOUBLING_MODEL,
        dense.discrete_kernel_condition,
        lambda: _kernel_inputs().discrete_kernel_inputs(),
        _DISCRETE_SYSTEM,
        _rows("Bb"),
    ),
    Algorithm(
        "scan-sequential",
        "y = the recurrence x <- Ab x + Bb u_k, y_k = C x, one step at a time",
        kernels.scan,
        oracles.scan,
        dense.SCAN_SEQUENTIAL_MODEL,
        dense.scan_condition,
        lambda: _kernel_inputs().scan_inputs(),
        (*_DISCRETE_SYSTEM, "u"),
        _rows("Bb"),
        {"mode": "sequential"},
    ),
    Algorithm(
        "scan-chunked",
        "the same recurrence in chunks of ~sqrt(L) steps (Toeplitz blocks + Ab^T)",
        kernels.scan,
        oracles.scan,
        dense.SCAN_CHUNKED_MODEL,
        dense.scan_condition,
        lambda: _kernel_inputs().scan_inputs(),
        (*_DISCRETE_SYSTEM, "u"),
        _rows("Bb"),
        {"mode": "chunked"},
    ),
    Algorithm(
        "fft-conv",
        "y_k = sum_{j<=k} K_j u_{k-j} by zero-padded FFTs",
        kernels.causal_conv,
        oracles.causal_conv,
        dense.FFT_CONV_MODEL,
        dense.causal_conv_condition,
        lambda: _kernel_inputs().causal_conv_inputs(),
        ("u", "K"),
        _one,
    ),
    Algorithm(
        "vandermonde",
        "S4D kernel K_k = sum_n C_n Bb_n lam_bar_n^k by a Vandermonde product",
        kernels.diag_kernel,
        oracles.diag_kernel,
        diag.VANDERMONDE_MODEL,
        diag.diag_kernel_condition,
        lambda: _kernel_inputs().diag_kernel_inputs(),
        ("lam", "B", "C"),
        _rows("lam"),
    ),
    Algorithm(
        "vandermonde-f64phase",
        "the S4D Vandermonde kernel with the exponents formed in float64 (float32 output)",
        kernels.diag_kernel,
        oracles.diag_kernel,
        diag.VANDERMONDE_F64PHASE_MODEL,
        diag.diag_kernel_condition,
        lambda: _kernel_inputs().diag_kernel_inputs(),
        ("lam", "B", "C"),
        _rows("lam"),
        {"float64_phase": True},
    ),
    Algorithm(
        "h3-diag",
        "H3's diagonal SSM kernel: the S4D Vandermonde kernel with ZOH, conjugate pairs",
        kernels.h3_diag_kernel,
        oracles.h3_diag_kernel,
        diag.VANDERMONDE_MODEL,
        diag.h3_diag_kernel_condition,
        lambda: _kernel_inputs().h3_diag_kernel_inputs(),
        ("lam", "B", "C"),
        _rows("lam"),
    ),
    Algorithm(
        "dplr-woodbury",
        "S4 kernel of A = diag(Lambda) - P Q^H: Cauchy sums + Woodbury at the roots of unity",
        kernels.dplr_kernel,
        oracles.dplr_kernel,
        diag.DPLR_WOODBURY_MODEL,
        diag.dplr_kernel_condition,
        lambda: _kernel_inputs().dplr_kernel_inputs(),
        ("Lambda", "P", "Q", "B", "C"),
        _rows("Lambda"),
    ),
    Algorithm(
        "rtf-fft",
        "RTF kernel (aliased, length L) as irfft(rfft(b) / rfft(a))",
        kernels.rtf_kernel,
        oracles.rtf_kernel,
        rtf.RTF_FFT_MODEL,
        rtf.rtf_kernel_condition,
        lambda: _kernel_inputs().rtf_kernel_inputs(),
        ("a", "b"),
        _rows("a"),
    ),
    Algorithm(
        "rtf-impulse",
        "first L taps of b(z)/a(z) by the recurrence h_k = b_{k+1} - sum_i a_i h_{k-i}",
        kernels.rtf_impulse_response,
        oracles.rtf_impulse_response,
        rtf.RTF_IMPULSE_MODEL,
        rtf.rtf_impulse_response_condition,
        lambda: _kernel_inputs().rtf_impulse_response_inputs(),
        ("a", "b"),
        _rows("a"),
    ),
    Algorithm(
        "rtf-recurrence",
        "y = u convolved with the aliased RTF kernel, by the companion-form recurrence",
        kernels.rtf_recurrence,
        oracles.rtf_recurrence,
        rtf.RTF_RECURRENCE_MODEL,
        rtf.rtf_recurrence_condition,
        lambda: _kernel_inputs().rtf_recurrence_inputs(),
        ("a", "b", "u"),
        _rows("a"),
    ),
    Algorithm(
        "shift",
        "H3's shift-SSM kernel: C padded with zeros to L taps",
        kernels.shift_kernel,
        oracles.shift_kernel,
        h3.SHIFT_MODEL,
        h3.shift_kernel_condition,
        lambda: _kernel_inputs().shift_kernel_inputs(),
        ("C",),
        _rows("C"),
    ),
    Algorithm(
        "h3-conv",
        "H3's SSM path y = q (K_diag * (v (K_shift * k))) by FFT convolutions",
        kernels.h3_ssm,
        oracles.h3_ssm,
        h3.H3_CONV_MODEL,
        h3.h3_ssm_condition,
        lambda: _kernel_inputs().h3_ssm_inputs(),
        ("q", "k", "v", "shift_C", "lam", "B", "C"),
        _rows("lam"),
        {"mode": "conv"},
    ),
    Algorithm(
        "h3-recurrence",
        "H3's SSM path by the shift and diagonal recurrences, one step per time",
        kernels.h3_ssm,
        oracles.h3_ssm,
        h3.H3_RECURRENCE_MODEL,
        h3.h3_ssm_condition,
        lambda: _kernel_inputs().h3_ssm_inputs(),
        ("q", "k", "v", "shift_C", "lam", "B", "C"),
        _rows("lam"),
        {"mode": "recurrence"},
    ),
)


def _selective_records() -> tuple[Algorithm, ...]:
    """Mamba's S6, Mamba-2's SSD and S5, one record per mode."""
    records = []
    for mode, model in (
        ("sequential", selective.SELECTIVE_SEQUENTIAL_MODEL),
        ("parallel", selective.SELECTIVE_PARALLEL_MODEL),
    ):
        records.append(
            Algorithm(
                f"selective-scan-{mode}",
                f"Mamba's selective scan (S6): time-varying diagonal recurrence, {mode} scan",
                kernels.selective_scan,
                oracles.selective_scan,
                model,
                selective.selective_scan_condition,
                lambda: _selective_inputs().selective_scan_inputs(),
                ("u", "delta", "A", "B", "C", "D", "z", "delta_bias"),
                _columns("A"),
                {"mode": mode},
                flat_output=True,
            )
        )
    for mode, model, text in (
        ("sequential", selective.SSD_SEQUENTIAL_MODEL, "the recurrence"),
        ("quadratic", selective.SSD_QUADRATIC_MODEL, "masked attention (L o C B^T) X"),
        ("chunked", selective.SSD_CHUNKED_MODEL, "intra-chunk quadratic + chunk recurrence"),
    ):
        records.append(
            Algorithm(
                f"ssd-{mode}",
                f"Mamba-2's SSD (scalar A per head), {text}",
                kernels.ssd,
                oracles.ssd,
                model,
                selective.ssd_condition,
                lambda: _selective_inputs().ssd_inputs(),
                ("X", "dt", "A", "B", "C", "D"),
                _columns("B"),
                {"mode": mode},
                flat_output=True,
            )
        )
    for mode, model in (
        ("sequential", selective.S5_SEQUENTIAL_MODEL),
        ("parallel", selective.S5_PARALLEL_MODEL),
    ):
        records.append(
            Algorithm(
                f"s5-{mode}",
                f"S5: MIMO diagonal LTI recurrence (ZOH/bilinear, conjugate pairs), {mode} scan",
                kernels.s5_scan,
                oracles.s5_scan,
                model,
                selective.s5_scan_condition,
                lambda: _selective_inputs().s5_scan_inputs(),
                ("Lambda", "B", "C", "u", "delta", "D"),
                _rows("Lambda"),
                {"mode": mode},
                flat_output=True,
            )
        )
    return tuple(records)


_RECORDS += _selective_records()

#: name -> Algorithm, read-only.
ALGORITHMS: Mapping[str, Algorithm] = types.MappingProxyType(
    {record.name: record for record in _RECORDS}
)

for _record in _RECORDS:
    register(_record.model, _record.name)


def algorithm_named(name: Any) -> Algorithm:
    """``ALGORITHMS[name]`` with the package's errors.

    Raises:
        InvalidTypeError: ``name`` is not a string.
        InvalidArgumentError: no such algorithm (the message lists the registered ones).
    """
    if not isinstance(name, str):
        raise InvalidTypeError(f"algorithm: expected a string, got {type(name).__name__}")
    if name not in ALGORITHMS:
        raise InvalidArgumentError(f"unknown algorithm {name!r}; registered: {sorted(ALGORITHMS)}")
    return ALGORITHMS[name]
