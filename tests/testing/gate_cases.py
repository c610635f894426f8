"""Small certified cases, one or more per registered error model, for the planted-bug tests.

Each ``GateCase`` holds the inputs of one configuration (Python numbers exact in float32, so
every dtype and the oracle see the same values), the certified oracle of those inputs, the
conditioning number of the algorithm's error model (from its ``hippo_verify.testing._bounds``
helper, as ``report/_precision.py`` derives it) and a function that runs the project's kernel
in a dtype. The report's quick canonical cases are reused as they are; the algorithms they
do not cover (``discretize``, ``vandermonde-f64phase``, ``rtf-impulse``, ``rtf-recurrence``)
and the regimes a planted bug needs (small dt lam for ZOH cancellation, a lam = 0 mode, an
odd L for the RTF FFT) are built here.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import mpmath
import torch

from hippo_verify import hippo, oracles
from hippo_verify import kernels as K
from hippo_verify import testing as conditions
from hippo_verify.oracles import OracleResult
from hippo_verify.oracles.mp_oracles import agreement_digits
from hippo_verify.report._precision import canonical_cases

REAL = (torch.float64, torch.float32)
COMPLEX_OF = {torch.float64: torch.complex128, torch.float32: torch.complex64}


@dataclass(frozen=True)
class GateCase:
    """One configuration of one algorithm.

    ``run(dtype, conj)`` returns the project's kernel on the case's inputs in ``dtype``
    (complex inputs in its complex counterpart); ``conj=True`` conjugates the modes (the
    first complex input) first: a planted sign error in their imaginary parts (conjugating
    every input would give the same real kernel).
    """

    key: str
    algorithm: str
    N: int
    cond: float
    oracle: OracleResult
    run: Callable[..., torch.Tensor]
    dtypes: tuple[torch.dtype, ...] = REAL
    complex_inputs: bool = False
    zoh: bool = False  # runs a ZOH expm1 path (diag_kernel / h3)


def _f32(x: float) -> float:
    return float(torch.tensor(x, dtype=torch.float32))


def _c64(z: complex) -> complex:
    return complex(torch.tensor(z, dtype=torch.complex64))


def _dyadic(rng: random.Random, bits: int = 12) -> float:
    return rng.randint(-(2**bits), 2**bits) / 2**bits


def _tensor(values: Any, dtype: torch.dtype, is_complex: bool = False) -> torch.Tensor:
    return torch.tensor(values, dtype=COMPLEX_OF[dtype] if is_complex else dtype)


def _conj(values: Any) -> Any:
    if isinstance(values, list):
        return [_conj(v) for v in values]
    return values.conjugate() if isinstance(values, complex) else values


def _f64(values: Any) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _c128(values: Any) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.complex128)


# ---------------------------------------------------------------------------------------
# The report's quick canonical cases
# ---------------------------------------------------------------------------------------


def _report_cases() -> list[GateCase]:
    cases = []
    for case in canonical_cases(quick=True):
        algorithm = case.algorithm
        inputs = case.inputs()
        complex_arrays = algorithm.complex_arrays(inputs)

        def run(dtype, conj=False, algorithm=algorithm, inputs=inputs, names=complex_arrays):
            values = dict(inputs)
            if conj:  # the first complex array (the modes) conjugated
                values[names[0]] = _conj(values[names[0]])
            y = algorithm.run_kernel(values, dtype, "cpu")
            return y.reshape(-1) if algorithm.flat_output else y  # as the oracle's values

        name = algorithm.name
        zoh = name.startswith("vandermonde") or name.startswith("h3-")
        cases.append(
            GateCase(
                f"report:{case.key}",
                name,
                algorithm.state_size(inputs),
                algorithm.condition_of(inputs),
                algorithm.run_oracle(inputs),
                run,
                # the planted bugs here are float64/float32 ones (mixed precision:
                # tests/testing/test_selective_mixed_precision.py)
                tuple(d for d in case.dtypes if d in algorithm.dtypes and d in REAL),
                bool(complex_arrays),
                zoh,
            )
        )
    return cases


# ---------------------------------------------------------------------------------------
# Cases built here
# ---------------------------------------------------------------------------------------

#: dt of the report (1e-2 rounded to float32) and a small one (dt |lam| down to 6e-5).
DT = _f32(0.01)
DT_SMALL = 2.0**-13


def _discretize_cases() -> list[GateCase]:
    """LegS N = 4 rounded to float32, one case per part (Ab, Bb) and method: the
    ``discretize`` model bounds each part relative to its own max."""
    A_exact, B_exact = hippo("legs", 4)
    A = [[_f32(float(A_exact[i, j])) for j in range(4)] for i in range(4)]
    B = [_f32(float(B_exact[i, 0])) for i in range(4)]
    cases = []
    for method in ("bilinear", "zoh"):
        oracle = oracles.discretize(A, B, DT, method)
        cond = conditions.discretize_condition(_f64(A), _f64(B), DT, method)
        Ab_values = [v for row in oracle.values[0] for v in row]
        for index, (part, wanted) in enumerate((("Ab", Ab_values), ("Bb", oracle.values[1]))):
            reference = OracleResult("discretize", wanted, oracle.digits, oracle.prec, method)

            def run(dtype, conj=False, method=method, index=index):
                out = K.discretize(_tensor(A, dtype), _tensor(B, dtype), DT, method)[index]
                return out.reshape(-1)

            cases.append(
                GateCase(f"discretize-{method}-{part}", "discretize", 4, cond, reference, run)
            )
    return cases


def _s4d_inputs(modes: int, seed: int) -> tuple[list, list, list]:
    from hippo_verify.symbolic import s4d_init

    rng = random.Random(seed)
    lam = [_c64(complex(v)) for v in s4d_init("lin", 2 * modes)]
    C = [complex(_dyadic(rng), _dyadic(rng)) for _ in range(modes)]
    return lam, [1.0 + 0j] * modes, C


def _small_step_modes() -> tuple[list, list, list]:
    """Modes across the ZOH branches at dt = 2^-13: lam = 0 (the guard), |dt lam| = 6e-5
    (the series branch, < 1e-4), 3.9e-4 and 4.9e-3 (expm1 with a cancellation that
    exp(x) - 1 would lose), 0.05 (no cancellation); the series mode weighs most."""
    lam = [0j, -0.5 + 0j, -0.5 + 3.140625j, -1 + 40j, -0.5 + 400j]
    C = [0.25 + 0.125j, 1 + 0.5j, -0.375 + 0.25j, 0.5 - 0.25j, 0.125 + 0.375j]
    return lam, [1.0 + 0j] * len(lam), C


def _diag_cases() -> list[GateCase]:
    cases = []
    L = 64
    lam, B, C = _small_step_modes()
    oracle = oracles.diag_kernel(lam, B, C, L, dt=DT_SMALL, method="zoh", conj_pairs=True)
    cond = conditions.diag_kernel_condition(_c128(lam), _c128(B), _c128(C), L, dt=DT_SMALL)

    def run_small(dtype, conj=False):
        args = [_tensor(x, dtype, True) for x in (_conj(lam) if conj else lam, B, C)]
        return K.diag_kernel(*args, L, dt=DT_SMALL, method="zoh", conj_pairs=True)

    cases.append(
        GateCase(
            "diag-zoh-small-step",
            "vandermonde",
            len(lam),
            cond,
            oracle,
            run_small,
            REAL,
            True,
            True,
        )
    )
    # float64_phase: S4D-Lin, 8 modes, dt = 1e-2, L = 64 (the report's quick S4D case)
    lam8, B8, C8 = _s4d_inputs(8, 2)
    oracle8 = oracles.diag_kernel(lam8, B8, C8, L, dt=DT, method="zoh", conj_pairs=True)
    cond8 = conditions.diag_kernel_condition(
        _c128(lam8), _c128(B8), _c128(C8), L, dt=DT, float64_phase=True
    )

    def run_f64phase(dtype, conj=False):
        args = [_tensor(x, dtype, True) for x in (_conj(lam8) if conj else lam8, B8, C8)]
        return K.diag_kernel(*args, L, dt=DT, float64_phase=True)

    cases.append(
        GateCase(
            "diag-f64phase",
            "vandermonde-f64phase",
            8,
            cond8,
            oracle8,
            run_f64phase,
            (torch.float32,),
            True,
            True,
        )
    )
    return cases


def _rtf_inputs() -> tuple[list, list, list]:
    """d = 4, a ~ (1/2, 1/16, -1/32, 1/64) with full float32 significands (dyadic a with few
    bits would make the impulse response exact in float64): spectral radius ~0.5, so the
    tail (last d taps) is ~1e-16 and rtf_kernel's default accepts it under any reading."""
    rng = random.Random(11)
    a = [_f32(0.4871), _f32(0.0613), _f32(-0.0297), _f32(0.0151)]
    b = [_dyadic(rng) for _ in range(4)]
    u = [_dyadic(rng) for _ in range(RTF_L)]
    return a, b, u


#: Odd, so that irfft without n= returns L - 1 taps.
RTF_L = 63


def _rtf_cases() -> list[GateCase]:
    a, b, u = _rtf_inputs()
    L, d = RTF_L, len(a)
    aliased = oracles.rtf_kernel(a, b, L, aliased=True)
    truncated = oracles.rtf_kernel(a, b, L, aliased=False)
    conv = oracles.causal_conv(u, oracles.rtf_kernel(a, b, L, aliased=True, digits=40).values)

    def fft(dtype, conj=False):
        return K.rtf_kernel(_tensor(a, dtype), _tensor(b, dtype), L)

    def impulse(dtype, conj=False):
        return K.rtf_impulse_response(_tensor(a, dtype), _tensor(b, dtype), L)

    def recurrence(dtype, conj=False):
        return K.rtf_recurrence(_tensor(a, dtype), _tensor(b, dtype), _tensor(u, dtype), L=L)

    return [
        GateCase(
            "rtf-fft-odd-L",
            "rtf-fft",
            d,
            conditions.rtf_kernel_condition(_f64(a), _f64(b), L),
            aliased,
            fft,
        ),
        GateCase(
            "rtf-impulse",
            "rtf-impulse",
            d,
            conditions.rtf_impulse_response_condition(_f64(a), _f64(b), L),
            truncated,
            impulse,
        ),
        GateCase(
            "rtf-recurrence",
            "rtf-recurrence",
            d,
            conditions.rtf_recurrence_condition(_f64(a), _f64(b), _f64(u), L=L),
            conv,
            recurrence,
        ),
    ]


def _exact_product(x: list, y: list) -> list:
    """Elementwise products of mpmath numbers, exact (the inputs have a few hundred bits)."""
    ctx = mpmath.MPContext()
    ctx.prec = 4096
    return [mpmath.mp.make_mpf((ctx.mpf(p) * ctx.mpf(q))._mpf_) for p, q in zip(x, y)]


def _h3_chain(inputs: tuple, L: int, digits: int) -> tuple[list, list]:
    q, k, v, shift_C, lam, B, C = inputs
    shift = oracles.shift_kernel(shift_C, L, digits=digits).values
    s = oracles.causal_conv(k, shift, digits=digits).values
    diag = oracles.h3_diag_kernel(lam, B, C, L, dt=DT_SMALL, digits=digits).values
    w = oracles.causal_conv(_exact_product(s, v), diag, digits=digits).values
    return _exact_product(w, q), diag


def _h3_cases() -> list[GateCase]:
    """H3's SSM path at dt = 2^-13 with the small-step modes (a lam = 0 mode included):
    composite oracle certified like the report's (the chain at 30 and 45 digits)."""
    L = 32
    rng = random.Random(13)
    q, k, v = ([_dyadic(rng) for _ in range(L)] for _ in range(3))
    shift_C = [_dyadic(rng) for _ in range(4)]
    lam, B, C = _small_step_modes()
    inputs = (q, k, v, shift_C, lam, B, C)
    low, _ = _h3_chain(inputs, L, 30)
    high, diag = _h3_chain(inputs, L, 45)
    digits = agreement_digits([low], [high], cap=30, prec=4096)
    oracle = OracleResult("h3_ssm (composite)", high, digits, 4096, "chain")
    cond = conditions.h3_ssm_condition(
        _f64(q), _f64(k), _f64(v), _f64(shift_C), _c128(lam), _c128(B), _c128(C), dt=DT_SMALL
    )
    cases = []
    for mode in ("conv", "recurrence"):

        def run(dtype, conj=False, mode=mode):
            real = [_tensor(x, dtype) for x in (q, k, v, shift_C)]
            cplx = [_tensor(x, dtype, True) for x in (_conj(lam) if conj else lam, B, C)]
            return K.h3_ssm(*real, *cplx, dt=DT_SMALL, mode=mode)

        cases.append(
            GateCase(
                f"h3-{mode}-small-step", f"h3-{mode}", len(lam), cond, oracle, run, REAL, True, True
            )
        )
    return cases


@functools.lru_cache(maxsize=1)
def gate_cases() -> dict[str, GateCase]:
    """Every case by key (built once per process, ~2 s)."""
    cases = _report_cases() + _discretize_cases() + _diag_cases() + _rtf_cases() + _h3_cases()
    return {case.key: case for case in cases}


def _report_keys() -> tuple[str, ...]:
    """Keys of the report's quick canonical cases (no oracle is built: ``inputs`` is
    lazy), so a case the report adds is tested here too."""
    return tuple(f"report:{case.key}" for case in canonical_cases(quick=True))


#: The keys, known without building the oracles (for parametrization ids).
CASE_KEYS = _report_keys() + (
    "discretize-bilinear-Ab",
    "discretize-bilinear-Bb",
    "discretize-zoh-Ab",
    "discretize-zoh-Bb",
    "diag-zoh-small-step",
    "diag-f64phase",
    "rtf-fft-odd-L",
    "rtf-impulse",
    "rtf-recurrence",
    "h3-conv-small-step",
    "h3-recurrence-small-step",
)

#: Cases whose kernel supports only some of float64/float32 (the rest: both).
CASE_DTYPES = {"diag-f64phase": (torch.float32,)}

#: Cases with complex inputs (a planted conjugation changes the kernel).
COMPLEX_KEYS = (
    "report:s4d-lin",
    "report:s5-sequential",
    "report:s5-parallel",
    "report:dplr",
    "report:h3-diag",
    "report:h3-ssm-conv",
    "report:h3-ssm-recurrence",
    "diag-zoh-small-step",
    "diag-f64phase",
    "h3-conv-small-step",
    "h3-recurrence-small-step",
)

#: Cases whose kernel is complex (a planted sign error in the imaginary part of the output).
COMPLEX_OUTPUT_KEYS = ("report:dplr",)

#: Cases whose kernel is an exact copy of float32-exact inputs (no arithmetic): no digits
#: to lose by computing in lower precision; their bugs are signs, indices and NaNs.
EXACT_KEYS = ("report:h3-shift",)

#: ZOH cases at small dt lam, where exp(x) - 1 in place of expm1(x) loses digits.
SMALL_STEP_ZOH_KEYS = ("diag-zoh-small-step", "h3-conv-small-step", "h3-recurrence-small-step")
