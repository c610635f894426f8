"""The precision report: every kernel x dtype against its certified oracle.

``build_precision_report(out_dir)`` writes ``precision.md`` and ``precision.json``. For
each canonical configuration (``canonical_cases``) it builds the inputs once, rounded to
float32/complex64 (exact in every dtype measured, so the float32 and float64 runs and the
oracle all see the same numbers and the error measured is the kernel's own), computes the
certified oracle once, then runs the kernel in each dtype and measures it with
``hippo_verify.testing.compare_kernel``:

* the max relative error max_k |K_k - K_k^oracle| / max_k |K_k^oracle|;
* the digits correct, -log10 of that error, and the error in unit roundoffs of the dtype;
* the bound of the kernel's registered error model (``hippo_verify.testing``; the gate's
  default 16 u log2(L) when no model is registered under the case's algorithm names) and
  whether the error is inside it.

Kernels are imported lazily by name (``hippo_verify.kernels.<module>.<function>``); a
kernel that does not exist is listed as not available instead of failing the report, and a
kernel that raises is reported with its error. Everything in both files is deterministic
except the environment block (versions, CPU, threads, run time).
"""

from __future__ import annotations

import copy
import functools
import importlib
import json
import math
import platform
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mpmath
import numpy as np
import sympy as sp
import torch

from .. import oracles
from .._errors import InvalidArgumentError
from ..oracles import OracleResult
from ..oracles.mp_oracles import agreement_digits
from ..symbolic import hippo, s4d_init
from ..testing import compare_kernel, registered_models, unit_roundoff
from ..testing._tensors import round_to, to_tensor

__all__ = [
    "PrecisionCase",
    "Prepared",
    "build_precision_report",
    "canonical_cases",
    "measure_case",
    "precision_failures",
]

SCHEMA_VERSION = 1
Progress = Callable[[str], None]

#: The dtypes every case is measured in (the kernels' CPU dtypes; complex inputs use the
#: complex counterpart of the same precision).
DTYPES = (torch.float64, torch.float32)
_COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}
_DEFAULT_MODEL = "default (16 u log2 L)"


# ---------------------------------------------------------------------------------------
# Cases
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """The inputs of one configuration and its oracle.

    Attributes:
        tensors: the positional tensor arguments of the kernel, as nested lists of Python
            numbers exact in float32/complex64, each with ``True`` if it is complex.
        rest: the positional arguments after them (e.g. L), as they are.
        kwargs: keyword arguments (dt as a Python float exact in float32, method, ...).
        oracle: the certified oracle of exactly these inputs.
        cond: the conditioning number handed to the error model (1 unless stated).
        cond_source: where ``cond`` comes from (the helper of the error model, or why 1).
    """

    tensors: tuple[tuple[Any, bool], ...]
    rest: tuple = ()
    kwargs: dict = field(default_factory=dict)
    oracle: OracleResult | None = None
    cond: float = 1.0
    cond_source: str = "1 (no conditioning helper for this kernel)"

    def run(self, kernel: Callable[..., torch.Tensor], dtype: torch.dtype, device: Any) -> Any:
        args = [
            to_tensor(values, _COMPLEX[dtype] if is_complex else dtype, device)
            for values, is_complex in self.tensors
        ]
        return kernel(*args, *self.rest, **self.kwargs)


@dataclass(frozen=True)
class PrecisionCase:
    """One configuration of one kernel.

    Attributes:
        key: stable identifier (JSON ``case``).
        title: the configuration in words (first column of the table).
        kernels: candidate ``"module:function"`` names under ``hippo_verify.kernels``; the
            first that exists is measured.
        algorithms: candidate error-model names; the first registered one gives the bound.
        N: state size handed to the error model.
        prepare: builds the inputs and the oracle (called once per case).
        dtypes: the dtypes measured.
        variant: shown after the kernel's name (e.g. the scan mode).
    """

    key: str
    title: str
    kernels: tuple[str, ...]
    algorithms: tuple[str, ...]
    N: int
    prepare: Callable[[], Prepared]
    dtypes: tuple[torch.dtype, ...] = DTYPES
    variant: str = ""


def _rng(seed: int) -> random.Random:
    return random.Random(seed)


def _dyadic(rng: random.Random, bits: int = 12) -> float:
    """Uniform multiple of 2^-bits in [-1, 1] (exact in float32)."""
    return rng.randint(-(2**bits), 2**bits) / 2**bits


def _dyadic_complex(rng: random.Random) -> complex:
    return complex(_dyadic(rng), _dyadic(rng))


def _f32(value: Any) -> Any:
    return round_to(value, torch.float32)


def _c64(value: Any) -> Any:
    return round_to(value, torch.complex64)


def _f64(values: Any) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _c128(values: Any) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.complex128)


#: dt = 1e-2 rounded to float32: exact in every dtype measured.
DT = _f32(0.01)


def _condition(module: str, function: str, *args: Any, **kwargs: Any) -> tuple[float, str]:
    """(cond, source) from ``hippo_verify.testing._bounds.<module>.<function>``, the helper
    that defines the cond of an error model; (1, why) when it does not exist (yet)."""
    name = f"hippo_verify.testing._bounds.{module}"
    try:
        helper = getattr(importlib.import_module(name), function, None)
    except ModuleNotFoundError as error:
        if error.name != name:
            raise
        helper = None
    if helper is None:
        return 1.0, f"1 ({name}.{function} not available)"
    return float(helper(*args, **kwargs)), f"{function}"


def _hippo_inputs(measure: str, N: int, seed: int) -> tuple[list, list, list]:
    """(A, B) of ``hippo(measure, N)`` rounded to float32, and C drawn from ``seed``."""
    A, B, C = _hippo_inputs_cached(measure, N, seed)
    return copy.deepcopy(A), list(B), list(C)


@functools.lru_cache(maxsize=8)
def _hippo_inputs_cached(measure: str, N: int, seed: int) -> tuple[list, list, list]:
    A, B = hippo(measure, N)
    rng = _rng(seed)
    return _f32(A.tolist()), _f32([B[i, 0] for i in range(N)]), [_dyadic(rng) for _ in range(N)]


def _dense_case(measure: str, N: int, L: int, seed: int) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        A, B, C = _hippo_inputs(measure, N, seed)
        oracle = oracles.ssm_kernel(A, B, C, L, dt=DT, method="bilinear")
        cond = _condition(
            "dense", "dense_condition", _f64(A), DT, "bilinear", L=L, B=_f64(B), C=_f64(C)
        )
        return Prepared(
            ((A, False), (B, False), (C, False)),
            (L,),
            {"dt": DT, "method": "bilinear"},
            oracle,
            *cond,
        )

    return prepare


def _discrete_legs(N: int, seed: int) -> tuple[list, list, list]:
    """Bilinear (Ab, Bb) of the float32 LegS inputs, by the oracle, rounded to float32.

    Ab of a lower-triangular A is lower triangular; entries above the diagonal are set to
    exact zeros (they are zero mathematically, the solver may leave rounding residue).
    """
    Ab, Bb, C = _discrete_legs_cached(N, seed)
    return copy.deepcopy(Ab), list(Bb), list(C)


@functools.lru_cache(maxsize=8)
def _discrete_legs_cached(N: int, seed: int) -> tuple[list, list, list]:
    A, B, C = _hippo_inputs("legs", N, seed)
    Ab, Bb = oracles.discretize(A, B, DT, "bilinear").values
    Ab = [[float(v) if j <= i else 0.0 for j, v in enumerate(row)] for i, row in enumerate(Ab)]
    return _f32(Ab), _f32([float(v) for v in Bb]), C


def _krylov_case(N: int, L: int, seed: int) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        Ab, Bb, C = _discrete_legs(N, seed)
        oracle = oracles.discrete_kernel(Ab, Bb, C, L)
        cond = _condition("dense", "kernel_condition", _f64(Ab), _f64(Bb), _f64(C), L)
        return Prepared(((Ab, False), (Bb, False), (C, False)), (L,), {}, oracle, *cond)

    return prepare


def _signal(L: int, seed: int) -> list[float]:
    rng = _rng(seed)
    return [_dyadic(rng) for _ in range(L)]


@functools.lru_cache(maxsize=4)
def _scan_oracle(N: int, L: int, seed: int) -> OracleResult:
    Ab, Bb, C = _discrete_legs(N, seed)
    K = oracles.discrete_kernel(Ab, Bb, C, L, digits=40)
    return oracles.causal_conv(_signal(L, seed + 1), K.values)


def _scan_case(N: int, L: int, seed: int, mode: str) -> Callable[[], Prepared]:
    """y = scan of u through the discrete LegS system; oracle causal_conv(u, K_oracle)."""

    def prepare() -> Prepared:
        Ab, Bb, C = _discrete_legs(N, seed)
        u = _signal(L, seed + 1)
        tensors = ((Ab, False), (Bb, False), (C, False), (u, False))
        cond = _condition("dense", "scan_condition", _f64(Ab), _f64(Bb), _f64(C), _f64(u))
        return Prepared(tensors, (), {"mode": mode}, _scan_oracle(N, L, seed), *cond)

    return prepare


def _conv_case(L: int, seed: int) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        rng = _rng(seed)
        u = _signal(L, seed + 1)
        K = _f32([_dyadic(rng) * math.exp(-k / 256) for k in range(L)])
        cond = _condition("dense", "conv_condition", _f64(u), _f64(K))
        return Prepared(((u, False), (K, False)), (), {}, oracles.causal_conv(u, K), *cond)

    return prepare


def _s4d_lin(modes: int) -> list[complex]:
    return _c64([complex(v) for v in s4d_init("lin", 2 * modes)])


def _diag_inputs(modes: int, seed: int) -> tuple[list, list, list]:
    rng = _rng(seed)
    return _s4d_lin(modes), [1.0 + 0j] * modes, [_dyadic_complex(rng) for _ in range(modes)]


def _diag_case(modes: int, L: int, seed: int, h3: bool = False) -> Callable[[], Prepared]:
    """S4D-Lin modes, B = 1, C random complex; ZOH, conjugate pairs (real kernel)."""

    def prepare() -> Prepared:
        lam, B, C = _diag_inputs(modes, seed)
        if h3:
            oracle = oracles.h3_diag_kernel(lam, B, C, L, dt=DT)
            kwargs: dict = {"dt": DT}
        else:
            oracle = oracles.diag_kernel(lam, B, C, L, dt=DT, method="zoh", conj_pairs=True)
            kwargs = {"dt": DT, "method": "zoh", "conj_pairs": True}
        cond = _condition(
            "diag", "vandermonde_cond", _c128(lam), _c128(B), _c128(C), L, dt=DT, method="zoh"
        )
        return Prepared(((lam, True), (B, True), (C, True)), (L,), kwargs, oracle, *cond)

    return prepare


def _dplr_case(N: int, L: int, seed: int) -> Callable[[], Prepared]:
    """Lambda = S4D-Lin, Q = P (so A = diag(Lambda) - P P^H has a negative definite
    Hermitian part: stable), B = 1, C random; P scaled by 1/2 (dyadic)."""

    def prepare() -> Prepared:
        rng = _rng(seed)
        lam = _s4d_lin(N)
        P = [[_dyadic_complex(rng) / 2] for _ in range(N)]
        B = [1.0 + 0j] * N
        C = [_dyadic_complex(rng) for _ in range(N)]
        oracle = oracles.dplr_kernel(lam, P, P, B, C, L, dt=DT)
        tensors = ((lam, True), (P, True), (P, True), (B, True), (C, True))
        inputs = [_c128(v) for v in (lam, P, P, B, C)]
        cond = _condition("diag", "dplr_cond", *inputs, L, dt=DT)
        return Prepared(tensors, (L,), {"dt": DT}, oracle, *cond)

    return prepare


def _rtf_case(d: int, L: int, seed: int, sum_abs: float = 7 / 8) -> Callable[[], Prepared]:
    """a_i = m_i / 2^12 scaled so that sum |a_i| <= sum_abs < 1 (stable by Rouche; 7/8 the
    default, 1/2 the RTF paper's random initialization); b random dyadic."""

    def prepare() -> Prepared:
        rng = _rng(seed)
        m = [rng.randint(-4096, 4096) for _ in range(d)]
        budget, total = int(sum_abs * 4096), sum(abs(v) for v in m)
        if total > budget:
            m = [int(v * budget / total) for v in m]
        a = [v / 4096 for v in m]
        b = [_dyadic(rng) for _ in range(d)]
        oracle = oracles.rtf_kernel(a, b, L, aliased=True)
        # rtf_kernel's default reading: the aliased kernel (RTF's own), no tail check
        cond = _condition("rtf", "rtf_condition", _f64(a), L)
        return Prepared(((a, False), (b, False)), (L,), {}, oracle, *cond)

    return prepare


def _shift_case(d: int, L: int, seed: int) -> Callable[[], Prepared]:
    def prepare() -> Prepared:
        rng = _rng(seed)
        C = [_dyadic(rng) for _ in range(d)]
        return Prepared(((C, False),), (L,), {}, oracles.shift_kernel(C, L))

    return prepare


def _h3_inputs(d: int, modes: int, L: int, seed: int) -> tuple[list, ...]:
    rng = _rng(seed)
    q, k, v = ([_dyadic(rng) for _ in range(L)] for _ in range(3))
    shift_C = [_dyadic(rng) for _ in range(d)]
    lam, B, C = _diag_inputs(modes, seed + 1)
    return q, k, v, shift_C, lam, B, C


def _h3_chain(inputs: tuple[list, ...], L: int, digits: int) -> tuple[list, list]:
    """y = q * causal_conv(v * causal_conv(k, shift), h3_diag) by the oracles, and the
    diagonal kernel; the elementwise products are exact (2048-bit context, inputs of at
    most a few hundred bits)."""
    q, k, v, shift_C, lam, B, C = inputs
    ctx = mpmath.MPContext()
    ctx.prec = 2048
    shift = oracles.shift_kernel(shift_C, L, digits=digits).values
    s = oracles.causal_conv(k, shift, digits=digits).values
    sv = [mpmath.mp.make_mpf((ctx.mpf(a) * ctx.mpf(b))._mpf_) for a, b in zip(s, v)]
    diag_K = oracles.h3_diag_kernel(lam, B, C, L, dt=DT, digits=digits).values
    w = oracles.causal_conv(sv, diag_K, digits=digits).values
    return [mpmath.mp.make_mpf((ctx.mpf(a) * ctx.mpf(b))._mpf_) for a, b in zip(w, q)], diag_K


@functools.lru_cache(maxsize=2)
def _h3_oracle(d: int, modes: int, L: int, seed: int) -> tuple[OracleResult, list]:
    """The composite H3 oracle, certified like the oracles themselves: the chain at 30 and
    at 45 digits per stage, digits = their agreement relative to max |y| (at most 30)."""
    inputs = _h3_inputs(d, modes, L, seed)
    low, _ = _h3_chain(inputs, L, 30)
    high, diag_K = _h3_chain(inputs, L, 45)
    digits = agreement_digits([low], [high], cap=30, prec=2048)
    result = OracleResult(
        "h3_ssm (composite)",
        high,
        digits,
        2048,
        "shift_kernel, causal_conv, * v, h3_diag_kernel, causal_conv, * q",
    )
    return result, [float(v) for v in diag_K]


def _h3_case(d: int, modes: int, L: int, seed: int, mode: str) -> Callable[[], Prepared]:
    """H3's SSM path y = q * diag_ssm(shift_ssm(k) * v) (``kernels.h3.h3_ssm``)."""

    def prepare() -> Prepared:
        q, k, v, shift_C, lam, B, C = _h3_inputs(d, modes, L, seed)
        oracle, diag_K = _h3_oracle(d, modes, L, seed)
        cond = _condition(
            "rtf", "h3_condition", _f64(q), _f64(k), _f64(v), _f64(shift_C), _f64(diag_K)
        )
        tensors = tuple((x, False) for x in (q, k, v, shift_C)) + tuple(
            (x, True) for x in (lam, B, C)
        )
        return Prepared(tensors, (), {"dt": DT, "mode": mode}, oracle, *cond)

    return prepare


def canonical_cases(quick: bool = False) -> list[PrecisionCase]:
    """The report's configurations; ``quick`` shrinks every size (for tests, ~1 s)."""
    if quick:
        n64, n16, n8, lmax, lmid, lsmall = 8, 4, 4, 64, 64, 32
    else:
        n64, n16, n8, lmax, lmid, lsmall = 64, 16, 8, 4096, 1024, 256
    dense = ("ssm-doubling",)
    vandermonde = ("vandermonde", "diag-vandermonde")
    legs = f"LegS N={n64} L={lmax} dt=1e-2 bilinear"
    cases = [
        PrecisionCase(
            "legs-dense", legs, ("dense:ssm_kernel",), dense, n64, _dense_case("legs", n64, lmax, 0)
        ),
        PrecisionCase(
            "legs-krylov",
            f"{legs}, discrete (Ab, Bb)",
            ("dense:discrete_kernel",),
            ("krylov-doubling",),
            n64,
            _krylov_case(n64, lmax, 0),
        ),
    ]
    cases += [
        PrecisionCase(
            f"legs-scan-{mode}",
            f"{legs}, scan of u (L={lmax})",
            ("scan:scan",),
            (f"scan-{mode}",),
            n64,
            _scan_case(n64, lmax, 0, mode),
            variant=f'mode="{mode}"',
        )
        for mode in ("sequential", "chunked")
    ]
    cases += [
        PrecisionCase(
            "legt-dense",
            f"LegT N={n16} L={lmid} dt=1e-2 bilinear",
            ("dense:ssm_kernel",),
            dense,
            n16,
            _dense_case("legt", n16, lmid, 1),
        ),
        PrecisionCase(
            "s4d-lin",
            f"S4D-Lin {n64} modes L={lmax} dt=1e-2 ZOH",
            ("diag:diag_kernel",),
            vandermonde,
            n64,
            _diag_case(n64, lmax, 2),
        ),
        PrecisionCase(
            "dplr",
            f"DPLR N={n8} r=1 L={lsmall} dt=1e-2 bilinear",
            ("dplr:dplr_kernel",),
            ("dplr-woodbury", "dplr"),
            n8,
            _dplr_case(n8, lsmall, 3),
        ),
        PrecisionCase(
            "rtf",
            f"RTF d={n64} L={lmax} stable (sum |a_i| <= 7/8)",
            ("rtf:rtf_kernel",),
            ("rtf-fft",),
            n64,
            _rtf_case(n64, lmax, 4),
        ),
        PrecisionCase(
            "rtf-paper",
            f"RTF d={2 * n64} L={2 * lmax} random stable a (sum |a_i| <= 1/2, as the RTF paper)",
            ("rtf:rtf_kernel",),
            ("rtf-fft",),
            2 * n64,
            _rtf_case(2 * n64, 2 * lmax, 9, sum_abs=1 / 2),
        ),
        PrecisionCase(
            "fft-conv",
            f"causal convolution L={lmax}",
            ("conv:causal_conv",),
            ("fft-conv",),
            1,
            _conv_case(lmax, 5),
        ),
        PrecisionCase(
            "h3-shift",
            f"H3 shift SSM d={n64} L={lmax}",
            ("h3:shift_kernel",),
            ("shift",),
            n64,
            _shift_case(n64, lmax, 6),
        ),
        PrecisionCase(
            "h3-diag",
            f"H3 diagonal SSM (S4D-Lin {n64 // 2} modes) L={lmax} dt=1e-2 ZOH",
            ("h3:h3_diag_kernel", "diag:h3_diag_kernel"),
            vandermonde,
            n64 // 2,
            _diag_case(n64 // 2, lmax, 7, h3=True),
        ),
    ]
    cases += [
        PrecisionCase(
            f"h3-ssm-{mode}",
            f"H3 SSM path d=4, S4D-Lin {n16} modes, L={lmid} dt=1e-2",
            ("h3:h3_ssm",),
            (f"h3-{mode}",),
            n16,
            _h3_case(4, n16, lmid, 8, mode),
            variant=f'mode="{mode}"',
        )
        for mode in ("conv", "recurrence")
    ]
    return cases


# ---------------------------------------------------------------------------------------
# Measuring
# ---------------------------------------------------------------------------------------


def _find_kernel(names: Sequence[str]) -> tuple[str, Callable[..., Any]] | tuple[None, str]:
    """The first existing kernel among ``names``, or (None, why none is available)."""
    missing = []
    for name in names:
        module_name, function = name.split(":")
        try:
            module = importlib.import_module(f"hippo_verify.kernels.{module_name}")
        except ModuleNotFoundError as error:
            if error.name != f"hippo_verify.kernels.{module_name}":
                raise
            missing.append(f"no module hippo_verify.kernels.{module_name}")
            continue
        kernel = getattr(module, function, None)
        if callable(kernel):
            return f"{module_name}.{function}", kernel
        missing.append(f"no function {function} in hippo_verify.kernels.{module_name}")
    return None, "; ".join(missing)


def _error_model(algorithms: Sequence[str]) -> str | None:
    models = registered_models()
    return next((name for name in algorithms if name in models), None)


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0] if text else ''}"


def measure_case(case: PrecisionCase, device: Any = "cpu") -> dict:
    """Measure one case in each of its dtypes; returns the JSON record of the case."""
    kernel_name, kernel = _find_kernel(case.kernels)
    record: dict = {"case": case.key, "configuration": case.title, "N": case.N}
    if kernel_name is None:
        record.update(kernel=case.kernels[0].replace(":", "."), available=False, reason=kernel)
        return record
    if case.variant:
        record["variant"] = case.variant
    prepared = case.prepare()
    oracle = prepared.oracle
    record.update(
        kernel=kernel_name,
        available=True,
        L=len(oracle.values),
        cond=prepared.cond,
        cond_source=prepared.cond_source,
        oracle={
            "family": oracle.family,
            "method": oracle.method,
            "digits": oracle.digits,
            "prec": oracle.prec,
        },
        rows=[_measure_dtype(case, prepared, kernel, dtype, device) for dtype in case.dtypes],
    )
    return record


def _measure_dtype(
    case: PrecisionCase, prepared: Prepared, kernel: Any, dtype: torch.dtype, device: Any
) -> dict:
    row: dict = {"dtype": str(dtype).removeprefix("torch.")}
    try:
        actual = prepared.run(kernel, dtype, device)
    except Exception as error:  # a kernel that raises is a finding, not a crash
        row.update(status="error", error=_first_line(error))
        return row
    if not isinstance(actual, torch.Tensor):
        row.update(status="error", error=f"returned {type(actual).__name__}, not a tensor")
        return row
    actual = actual.detach().to("cpu")
    row["output_dtype"] = str(actual.dtype).removeprefix("torch.")
    model = _error_model(case.algorithms)
    L, cond = len(prepared.oracle.values), prepared.cond
    try:
        comparison = compare_kernel(actual, prepared.oracle, algorithm=model, N=case.N, cond=cond)
        model_text = model or _DEFAULT_MODEL
    except InvalidArgumentError as error:
        if model is None or "no error model for" not in str(error):
            row.update(status="error", error=_first_line(error))
            return row
        comparison = compare_kernel(actual, prepared.oracle)  # measure; no bound for dtype
        model_text = f"{model} (no model for {row['output_dtype']}; default bound)"
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
        L=L,
    )
    return row


# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def environment(device: Any, seconds: float) -> dict:
    """Versions, hardware and run time (the only non-deterministic part of the report)."""
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "mpmath": mpmath.__version__,
        "mpmath_backend": mpmath.libmp.BACKEND,
        "numpy": np.__version__,
        "sympy": sp.__version__,
        "platform": platform.platform(),
        "device": str(device),
        "cpu": _cpu_name(),
        "torch_threads": torch.get_num_threads(),
        "runtime_seconds": round(seconds, 1),
    }


def _fmt(value: float | None, spec: str) -> str:
    return "exact" if value is None else format(value, spec)


def _markdown(records: list[dict], env: dict) -> str:
    lines = [
        "# Precision report",
        "",
        "Generated by `hippo-verify report`. Each kernel runs in each dtype on a canonical "
        "configuration and is compared with the certified mpmath oracle of the same inputs "
        "(`hippo_verify.testing.compare_kernel`):",
        "",
        "- **max rel. error**: max_k |K_k - K_k^oracle| / max_k |K_k^oracle|;",
        "- **digits**: -log10 of it; **error / u**: it in unit roundoffs of the output dtype;",
        "- **bound**: c u g(L, N, cond) of the kernel's registered error model "
        f"(`hippo_verify.testing.registered_models()`), or the gate's {_DEFAULT_MODEL} "
        "when none is registered; **result**: whether the error is inside the bound.",
        "",
        "Inputs are rounded once to float32 (complex64 for complex inputs), which float64 "
        "holds exactly: the oracle and every dtype see identical inputs, so the error is "
        "the kernel's own, not input rounding. dt = 1e-2 means its float32 value "
        f"{DT!r}.",
        "",
        "| configuration | kernel | dtype | max rel. error | digits | error / u | bound "
        "| error model | result |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for record in records:
        if not record["available"]:
            continue
        for row in record["rows"]:
            variant = f" {record['variant']}" if record.get("variant") else ""
            head = f"| {record['configuration']} | `{record['kernel']}`{variant} | {row['dtype']} "
            if row["status"] == "error":
                lines.append(f"{head}| — | — | — | — | — | error: {row['error']} |")
                continue
            if row.get("nonfinite_taps"):
                lines.append(
                    f"{head}| {row['nonfinite_taps']} taps NaN/inf | — | — "
                    f"| {row['bound']:.1e} | {row['error_model']} | {row['status']} |"
                )
                continue
            lines.append(
                f"{head}| {row['max_relative_error']:.2e} | {_fmt(row['digits'], '.1f')} "
                f"| {row['error_over_u']:.3g} | {row['bound']:.1e} | {row['error_model']} "
                f"| {row['status']} |"
            )
    missing = [r for r in records if not r["available"]]
    if missing:
        lines += ["", "## Not available", ""]
        lines += [
            f"- {r['configuration']}: `{r['kernel']}` not available ({r['reason']})"
            for r in missing
        ]
    lines += [
        "",
        "## Oracles",
        "",
        "| configuration | oracle | method | certified digits | working precision (bits) "
        "| cond | cond from |",
        "|---|---|---|---|---|---|---|",
    ]
    for record in records:
        if record["available"]:
            oracle = record["oracle"]
            lines.append(
                f"| {record['configuration']} | `{oracle['family']}` | {oracle['method']} "
                f"| {oracle['digits']} | {oracle['prec']} | {record['cond']:.3g} "
                f"| {record['cond_source']} |"
            )
    lines += ["", "## Environment", ""]
    lines += [f"- {key}: {value}" for key, value in env.items()]
    return "\n".join(lines) + "\n"


def build_precision_report(
    out_dir: Path,
    *,
    configs: Sequence[PrecisionCase] | None = None,
    quick: bool = False,
    device: Any = "cpu",
    progress: Progress = print,
) -> list[Path]:
    """Write ``precision.md`` and ``precision.json`` under ``out_dir``.

    Arguments:
        out_dir: output directory (created if needed).
        configs: the cases to run (default ``canonical_cases(quick)``).
        quick: shrink the canonical sizes (N <= 8, L <= 64) for a fast smoke run.
        device: torch device the kernels run on (the oracles run on the CPU).
        progress: called with one line per case.

    Returns:
        The two paths written.
    """
    started = time.perf_counter()
    cases = list(canonical_cases(quick) if configs is None else configs)
    if not cases:
        raise InvalidArgumentError("configs: give at least one case")
    records = []
    for index, case in enumerate(cases, start=1):
        begun = time.perf_counter()
        record = measure_case(case, device)
        records.append(record)
        if record["available"]:
            statuses = ", ".join(f"{r['dtype']} {r['status']}" for r in record["rows"])
        else:
            statuses = "not available"
        progress(
            f"[{index}/{len(cases)}] precision {case.key}: {statuses} "
            f"({time.perf_counter() - begun:.1f} s)"
        )
    env = environment(device, time.perf_counter() - started)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown = out_dir / "precision.md"
    markdown.write_text(_markdown(records, env), encoding="utf-8")
    data = {
        "schema": SCHEMA_VERSION,
        "description": "kernel x dtype errors against certified oracles (see precision.md); "
        "digits is null when the kernel is exact",
        "dt": DT,
        "cases": records,
        "environment": env,
    }
    target = out_dir / "precision.json"
    text = json.dumps(data, indent=1, sort_keys=False, allow_nan=False)
    target.write_text(text + "\n", encoding="utf-8")
    return [markdown, target]


def precision_failures(json_path: Path) -> list[str]:
    """The rows of a written ``precision.json`` that are outside their bound or raised.

    One line per such row (``"<case> <dtype>: FAIL, error 1.2e-03 > bound 3.4e-14 (model)"``
    or ``"<case> <dtype>: error: <exception>"``); empty when every measured row passes.
    Kernels that are not available are not failures.
    """
    data = json.loads(Path(json_path).read_text(encoding="utf-8"))
    lines = []
    for case in data["cases"]:
        for row in case.get("rows", []):
            where = f"{case['case']} {row['dtype']}"
            if row["status"] == "FAIL" and row.get("nonfinite_taps"):
                lines.append(f"{where}: FAIL, {row['nonfinite_taps']} taps are NaN or infinite")
            elif row["status"] == "FAIL":
                lines.append(
                    f"{where}: FAIL, error {row['max_relative_error']:.1e} > bound "
                    f"{row['bound']:.1e} ({row['error_model']})"
                )
            elif row["status"] == "error":
                lines.append(f"{where}: error: {row['error']}")
    return lines


if __name__ == "__main__":  # pragma: no cover - python -m hippo_verify.report._precision DIR
    build_precision_report(Path(sys.argv[1] if len(sys.argv) > 1 else "reports"))
