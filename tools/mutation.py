"""Mutation testing of the gate: plant one realistic bug at a time, run the tests mapped to it.

Each mutant is a list of exact source edits (snippet -> replacement, each snippet must occur
exactly once), the test files that should notice it, and a description. For every mutant
the repository (git-tracked and untracked-but-not-ignored files, as they are in the working
tree now) is copied to a temporary directory, the edits are applied there, and

    python -m pytest -x -q -p no:cacheprovider -n 0 <files>

runs in the copy with a per-mutant timeout. Outcomes: killed (tests failed), survived (they
passed), timeout, not-applied (a snippet is missing or ambiguous: the source changed) and
baseline-fails (the mapped tests fail without the mutant, so the mutant tells nothing).
Equivalent mutants are listed with the reason and left out of the kill rate.

    .venv/bin/python tools/mutation.py [--only PATTERN] [--jobs N] [--json OUT] [--timeout S]

Standard library only; the tests run with the interpreter that runs this script.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

GATE = "tests/testing/test_gate_catches_planted_bugs.py"
DENSE = [GATE, "tests/kernels/test_kernels_dense.py"]
DIAG = [GATE, "tests/kernels/test_kernels_diag.py"]
RTF = [GATE, "tests/kernels/test_kernels_rtf.py"]
H3 = [GATE, "tests/kernels/test_kernels_h3.py"]
MODELS = [GATE, "tests/testing/test_testing_gate.py"]
ORACLES = [GATE, "tests/oracles/test_oracles.py"]
REGISTRY = ["tests/testing/test_algorithms.py", "tests/testing/test_testing_gate.py", GATE]
CONDITIONING = ["tests/testing/test_conditioning.py", "tests/testing/test_algorithms.py"]
REPORT = ["tests/report/test_precision_report.py"]
SELECTIVE = [
    "tests/testing/test_selective_conditioning.py",
    "tests/testing/test_selective_mixed_precision.py",
    GATE,
]


@dataclass(frozen=True)
class Mutant:
    name: str
    file: str
    edits: tuple[tuple[str, str], ...]
    tests: tuple[str, ...]
    description: str
    equivalent: str | None = None  # the reason, for an equivalent mutant

    @property
    def kind(self) -> str:
        return self.file.split("/")[1] if self.file.count("/") else self.file


@dataclass
class Result:
    mutant: Mutant
    status: str
    seconds: float = 0.0
    detail: str = ""
    extra: dict = field(default_factory=dict)


def M(name, file, snippet, replacement, tests, description, equivalent=None, more=()):
    edits = ((snippet, replacement), *more)
    return Mutant(name, file, edits, tuple(tests), description, equivalent)


def _looser(algorithm: str, file: str, constant: str) -> Mutant:
    snippet = f'algorithm="{algorithm}",\n    constant={constant},'
    return M(
        f"model-100x-{algorithm}",
        file,
        snippet,
        f'algorithm="{algorithm}",\n    constant=100 * {constant},',
        MODELS,
        f"error model {algorithm} 100x looser",
    )


B = "hippo_verify/testing/_bounds/"
_MODELS = [
    ("discretize", B + "dense.py", "8.0"),
    ("krylov-doubling", B + "dense.py", "0.75"),
    ("ssm-doubling", B + "dense.py", "0.75"),
    ("scan-sequential", B + "dense.py", "1.0"),
    ("scan-chunked", B + "dense.py", "1.0"),
    ("fft-conv", B + "dense.py", "6.0"),
    ("vandermonde", B + "diag.py", "12.0"),
    ("dplr-woodbury", B + "diag.py", "6.0"),
    ("rtf-fft", B + "rtf.py", "2.0"),
    ("rtf-impulse", B + "rtf.py", "0.5"),
    ("rtf-recurrence", B + "rtf.py", "0.25"),
    ("shift", B + "h3.py", "5.0"),
    ("h3-conv", B + "h3.py", "2.0"),
    ("h3-recurrence", B + "h3.py", "7.0"),
]

A = "hippo_verify/testing/_assertions.py"
AL = "hippo_verify/testing/_algorithms.py"
MEASURE = "hippo_verify/report/_measure.py"
EM = "hippo_verify/testing/_error_model.py"
KD = "hippo_verify/kernels/"
ORC = "hippo_verify/oracles/mp_oracles.py"
S = "hippo_verify/symbolic/"

MUTANTS: list[Mutant] = [_looser(*spec) for spec in _MODELS] + [
    M(
        # its bound is u32 (the output rounding) + 12 u64 g: the constant scales only the
        # float64 part, so loosen the part that binds
        "model-100x-vandermonde-f64phase",
        B + "diag.py",
        "output_rounding=1.0,",
        "output_rounding=100.0,",
        MODELS,
        "error model vandermonde-f64phase 100x looser (its output rounding)",
    ),
    # --- error models: growth and conditioning ----------------------------------------
    M(
        "dense-growth-linear-in-L",
        B + "dense.py",
        "return math.sqrt(N) * log2_ceil(L) * _at_least_one(cond)",
        "return math.sqrt(N) * L * _at_least_one(cond)",
        MODELS,
        "dense growth L instead of log2 L",
    ),
    M(
        "fft-growth-times-L",
        B + "dense.py",
        "return log2_ceil(2 * L) * _at_least_one(cond)",
        "return L * _at_least_one(cond)",
        MODELS,
        "fft-conv growth L instead of log2 2L",
    ),
    M(
        "unit-roundoff-float32-16x",
        EM,
        "torch.float32: 2.0**-24,",
        "torch.float32: 2.0**-20,",
        MODELS,
        "float32 unit roundoff 2^-20 (16x looser float32 bounds)",
    ),
    M(
        "h3-condition-floor-100",
        B + "h3.py",
        "return ratio_at_least_one(float(bound.max()), float(np.abs(y).max()))",
        "return 100 * ratio_at_least_one(float(bound.max()), float(np.abs(y).max()))",
        MODELS,
        "h3_ssm_condition 100x too large",
    ),
    # --- the gate ---------------------------------------------------------------------
    M(
        "gate-universal-bound-10",
        A,
        "comparison.bound = bound = bound + underflow_floor(actual.dtype) / float("
        "comparison.scale)",
        "comparison.bound = bound = 10.0",
        MODELS,
        "every comparison judged against a bound of 10",
    ),
    M(
        "gate-bound-ignores-algorithm",
        A,
        "    return error_bound(algorithm, dtype, L=L, N=N, cond=cond)",
        "    return 10.0",
        MODELS,
        "error_bound replaced by 10 (refused as useless)",
    ),
    M(
        "gate-nan-slips-through",
        A,
        "self.nonfinite = [k for k, g in enumerate(got) if not cmath.isfinite(g)]",
        "self.nonfinite = []",
        MODELS,
        "non-finite taps not recorded and their error NaN: max() skips a NaN tap",
        more=(
            (
                "if cmath.isfinite(g) else math.inf",
                "if cmath.isfinite(g) else math.nan",
            ),
        ),
    ),
    M(
        "gate-passed-ignores-nonfinite",
        A,
        "return not self.nonfinite and self.max_relative <= self.bound",
        "return not self.max_relative > self.bound",
        MODELS,
        "verdict written NaN-unsafely and without the non-finite list",
        equivalent="the relative error of a non-finite tap is inf (never NaN), and "
        "inf > bound: the verdict is the same",
    ),
    M(
        "gate-oracle-nan-accepted",
        A,
        "if not all(ctx.isfinite(w) for w in wanted):",
        "if False:",
        MODELS,
        "an oracle holding NaN/inf is not refused",
    ),
    M(
        "gate-useless-bound-nan-unsafe",
        A,
        "if not bound < _USELESS_BOUND:",
        "if bound >= _USELESS_BOUND:",
        MODELS,
        "the useless-bound refusal written so that a NaN bound passes",
        equivalent="cond is validated (finite, >= 0) before the bound is formed and the "
        "growth functions are finite for valid arguments: no NaN bound reaches the test",
    ),
    M(
        "gate-useless-bound-10x",
        A,
        "_USELESS_BOUND = 0.1",
        "_USELESS_BOUND = 1.0",
        MODELS,
        "vacuous bounds up to 1 accepted",
    ),
    M(
        "gate-oracle-digits-margin-dropped",
        A,
        "if oracle.digits < required + 2:",
        "if oracle.digits < required - 2:",
        MODELS,
        "an oracle with too few certified digits accepted",
    ),
    M(
        "gate-scale-min",
        A,
        "self.scale = max(abs(v) for v in wanted)",
        "self.scale = sum(abs(v) for v in wanted)",
        MODELS,
        "errors relative to the 1-norm instead of the max-norm (L-fold looser)",
    ),
    # --- the algorithm registry (N, cond, kernel calls from the records) -----------------
    M(
        "registry-inputs-cond-one",
        A,
        "return record.state_size(data), record.condition_of(data)",
        "return record.state_size(data), 1.0",
        REGISTRY,
        "assert_kernel_close(..., inputs=) judges with cond 1 instead of the registry's",
    ),
    M(
        "registry-condition-options-dropped",
        AL,
        "options = {name: v for name, v in self.options.items() if name in accepted}",
        "options = {}",
        REGISTRY,
        "condition_of drops the record's options (vandermonde-f64phase without float64_phase)",
    ),
    M(
        "registry-vandermonde-condition-dplr",
        AL,
        "diag.VANDERMONDE_MODEL,\n        diag.diag_kernel_condition,",
        "diag.VANDERMONDE_MODEL,\n        diag.dplr_kernel_condition,",
        REGISTRY,
        "the vandermonde record points at the DPLR conditioning function",
    ),
    M(
        "registry-h3-conv-model-recurrence",
        AL,
        "h3.H3_CONV_MODEL,",
        "h3.H3_RECURRENCE_MODEL,",
        REGISTRY,
        "the h3-conv record carries the h3-recurrence model (2x looser bound)",
    ),
    M(
        "registry-f64phase-model-vandermonde",
        AL,
        "diag.VANDERMONDE_F64PHASE_MODEL,",
        "diag.VANDERMONDE_MODEL,",
        [*REGISTRY, *REPORT],
        "the vandermonde-f64phase record carries the vandermonde model (float64 too)",
    ),
    M(
        "registry-state-size-plus-one",
        AL,
        "        return len(value)\n\n    return state_size\n\n\ndef _columns(",
        "        return len(value) + 1\n\n    return state_size\n\n\ndef _columns(",
        REGISTRY,
        "state_size off by one (N + 1 handed to the model), lists and tensors",
        more=(
            (
                "return int(value.shape[-1]) if value.dim() else 1",
                "return int(value.shape[-1]) + 1 if value.dim() else 1",
            ),
        ),
    ),
    M(
        "registry-complex-tensor-cast-real",
        AL,
        "return values.to(device=device, dtype=wanted)",
        "return values.to(device=device, dtype=dtype)",
        REGISTRY,
        "run_kernel casts complex tensor inputs to the real dtype (imaginary parts dropped)",
    ),
    M(
        "registry-complex-list-real-dtype",
        AL,
        "return to_tensor(values, wanted, device)",
        "return to_tensor(values, dtype, device)",
        REGISTRY,
        "run_kernel makes complex list inputs tensors of the real dtype",
    ),
    M(
        "registry-complex64-as-complex128",
        AL,
        "_COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex64}",
        "_COMPLEX = {torch.float64: torch.complex128, torch.float32: torch.complex128}",
        REGISTRY,
        "run_kernel in float32 runs complex inputs in complex128 (float32 never exercised)",
    ),
    # --- conditioning functions -------------------------------------------------------
    M(
        "step64-accepts-nonpositive",
        B + "_float64.py",
        "if not (np.isfinite(steps).all() and (steps > 0).all()):",
        "if not np.isfinite(steps).all():",
        CONDITIONING,
        "a tensor/array dt with an entry <= 0 accepted by the conditioning functions",
    ),
    M(
        "h3-condition-shift-untruncated",
        B + "h3.py",
        'shift_K = one_sequence("shift_C", shift_C)[: q.size]',
        'shift_K = one_sequence("shift_C", shift_C)',
        CONDITIONING,
        "h3_ssm_condition does not truncate shift_C to L taps",
        equivalent="both convolutions with shift_K are cut to len(k) = L outputs and a tap "
        "of index >= L only reaches outputs >= L: the same sums (np.convolve may add them in "
        "another order when shift_C is longer than L, a last-bit difference of cond)",
    ),
    # --- the precision report ---------------------------------------------------------
    M(
        "report-measure-default-bound",
        MEASURE,
        "model = algorithm.name if algorithm.name in models else None",
        "model = None",
        REPORT,
        "the report judges every row by the default bound although a model exists",
    ),
    M(
        "report-measure-cond-one",
        MEASURE,
        "comparison = compare_kernel(actual, oracle, algorithm=model, N=N, cond=cond)",
        "comparison = compare_kernel(actual, oracle, algorithm=model, N=N, cond=1.0)",
        REPORT,
        "the report's bound uses cond 1 instead of the case's conditioning number",
    ),
    M(
        "report-oracle-cache-without-inputs",
        MEASURE,
        "key = (algorithm.oracle, json.dumps(_jsonable(inputs), sort_keys=True))",
        "key = (algorithm.oracle,)",
        REPORT,
        "oracle_of caches by oracle function only: a second case gets the first's oracle",
    ),
    # --- kernels: dense ----------------------------------------------------------------
    M(
        "krylov-extra-squaring",
        KD + "dense.py",
        "X = torch.cat([X, P @ X[..., : min(built, m - built)]], dim=-1)",
        "X = torch.cat([X, P @ P @ X[..., : min(built, m - built)]], dim=-1)",
        DENSE,
        "doubling uses Ab^{2m} for the second half",
    ),
    M(
        "expm-degree-8",
        KD + "discretize.py",
        "_EXPM_DEGREE = 18",
        "_EXPM_DEGREE = 8",
        DENSE,
        "Taylor degree 8 in expm (a few digits lost in ZOH)",
    ),
    M(
        "gbt-forward-part-sign",
        KD + "discretize.py",
        "R = eye + (1 - alpha) * dA",
        "R = eye - (1 - alpha) * dA",
        DENSE,
        "sign error in I + (1 - alpha) dt A",
    ),
    M(
        "fft-conv-wraparound",
        KD + "conv.py",
        "n = 1 << (L + K.shape[-1] - 2).bit_length()  # power of two >= L + M - 1",
        "n = L",
        DENSE,
        "FFT length L: circular wrap-around",
    ),
    # --- kernels: diagonal, DPLR -------------------------------------------------------
    M(
        "diag-zoh-exp-minus-one",
        KD + "diag.py",
        "ratio = torch.where(small, series, torch.expm1(safe) / safe)",
        "ratio = torch.where(small, series, (torch.exp(safe) - 1) / safe)",
        DIAG,
        "exp(x) - 1 in place of expm1(x) in the diagonal ZOH",
    ),
    M(
        "diag-zoh-series-term-dropped",
        KD + "diag.py",
        "series = 1 + dlam / 2 * (1 + dlam / 3 * (1 + dlam / 4))",
        "series = 1 + dlam / 2 * (1 + dlam / 3)",
        DIAG,
        "dropped the z^3/24 term of expm1(z)/z near dt lam = 0",
    ),
    M(
        "diag-zoh-series-threshold-1e-2",
        KD + "diag.py",
        "small = dlam.abs() < 1e-4",
        "small = dlam.abs() < 1e-2",
        DIAG,
        "series used up to |dt lam| = 1e-2 (truncation error 1e-10)",
    ),
    M(
        "diag-zero-guard-removed",
        KD + "diag.py",
        "safe = torch.where(small, torch.ones_like(dlam), dlam)",
        "safe = dlam",
        DIAG,
        "removed the zero guard of expm1(z)/z (NaN only in the unused branch and gradients)",
    ),
    M(
        "diag-gbt-log-not-log1p",
        KD + "diag.py",
        "log_bar = torch.log1p((1 - alpha) * dlam) - torch.log1p(-alpha * dlam)",
        "log_bar = torch.log((1 + (1 - alpha) * dlam) / (1 - alpha * dlam))",
        DIAG,
        "log of the rounded lam_bar instead of log1p (digits lost at small dt lam)",
    ),
    M(
        "dplr-bilinear-half-sign",
        KD + "dplr.py",
        "Ab, info = torch.linalg.solve_ex(eye - half * A, eye + half * A)",
        "Ab, info = torch.linalg.solve_ex(eye + half * A, eye - half * A)",
        DIAG,
        "bilinear Ab inverted",
    ),
    M(
        "dplr-ct-no-power",
        KD + "dplr.py",
        "Ct = C - row_times_power(C, Ab, L)",
        "Ct = C",
        DIAG,
        "Ct = C (no truncation correction)",
    ),
    M(
        "dplr-woodbury-sign",
        KD + "dplr.py",
        "G = torch.complex(torch.ones_like(t), t) * (k_cb - (k_cp @ x)[..., 0, 0])",
        "G = torch.complex(torch.ones_like(t), t) * (k_cb + (k_cp @ x)[..., 0, 0])",
        DIAG,
        "sign error in the Woodbury correction",
    ),
    M(
        "diag-zero-power-guard-dropped",
        KD + "diag.py",
        "return torch.where(first, 1.0, re), torch.where(first, 0.0, im)",
        "return re, im",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "0^0 = 1 guard dropped: lam_bar = 0 (forward Euler at dt lam = -1) gives NaN",
    ),
    M(
        "diag-block-start-wrong",
        KD + "diag.py",
        "er, ei = _powers(log_bar, Lc * torch.arange(M, device=log_bar.device))",
        "er, ei = _powers(log_bar, (Lc - 1) * torch.arange(M, device=log_bar.device))",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "block starts lam_bar^(m (Lc - 1)) instead of lam_bar^(m Lc)",
    ),
    M(
        "diag-blocked-real-part-sign",
        KD + "diag.py",
        "out = x.real @ vr - x.imag @ vi",
        "out = x.real @ vr + x.imag @ vi",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "sign error in the imaginary cross term of 2 Re(x v) in the blocked product",
    ),
    M(
        "dplr-pole-search-dropped",
        KD + "dplr.py",
        "    _require_no_pole(Lambda, s, half)\n",
        "",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "no check for a mode exactly on a node w_j (infinite Cauchy sums)",
    ),
    M(
        "dplr-pole-search-needs-real-part",
        KD + "dplr.py",
        "& (Lambda.real == 0)).any()",
        "& (Lambda.real < 0)).any()",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "pole search tests the wrong real part",
    ),
    M(
        "dplr-conj-mirror-wrong",
        KD + "dplr.py",
        "k = k[..., j, :, :] + k[..., (L - j) % L, :, :].conj()",
        "k = k[..., j, :, :] + k[..., j, :, :].conj()",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "conjugate half summed at w_j instead of conj w_j = w_(L-j)",
    ),
    M(
        "dplr-conj-half-tap-factor",
        KD + "dplr.py",
        "G[..., half] = dt_h * CtB.real if conj_pairs else dt_h / 2 * CtB",
        "G[..., half] = dt_h / 2 * CtB.real if conj_pairs else dt_h / 2 * CtB",
        [*DIAG, "tests/kernels/test_kernels_s4d_dplr_fast.py"],
        "z = -1 value of the conjugate-pair spectrum missing the other half",
    ),
    # --- kernels: RTF ------------------------------------------------------------------
    M(
        "rtf-irfft-without-n",
        KD + "rtf.py",
        "K = torch.fft.irfft(torch.fft.rfft(b, n=L) / A_hat, n=L)",
        "K = torch.fft.irfft(torch.fft.rfft(b, n=L) / A_hat)",
        RTF,
        "irfft without n= (L - 1 taps for odd L)",
    ),
    M(
        "rtf-sum-abs-le",
        KD + "rtf.py",
        "by_sum = a.abs().sum(dim=-1) < 1",
        "by_sum = a.abs().sum(dim=-1) <= 1",
        RTF,
        "< changed to <= in the realization's sum |a_i| stability test",
    ),
    M(
        "rtf-warning-sum-abs-le",
        KD + "rtf.py",
        "suspect = ~(a64.abs().sum(dim=-1) < 1)  # Rouche: sum|a_i| < 1 proves stability",
        "suspect = ~(a64.abs().sum(dim=-1) <= 1)  # Rouche: sum|a_i| < 1 proves stability",
        RTF,
        "< changed to <= in rtf_kernel's sum |a_i| stability test",
    ),
    M(
        "rtf-tail-threshold-100x",
        KD + "rtf.py",
        "    return math.sqrt(_unit_roundoff(dtype))\n",
        "    return 100 * math.sqrt(_unit_roundoff(dtype))\n",
        RTF,
        "default_max_tail 100x looser",
    ),
    M(
        "rtf-condition-threshold-100x",
        KD + "rtf.py",
        "return 1.0 / (math.sqrt(_unit_roundoff(dtype)) * _log2_ceil(L))",
        "return 100.0 / (math.sqrt(_unit_roundoff(dtype)) * _log2_ceil(L))",
        RTF,
        "default_max_condition 100x looser",
    ),
    M(
        "rtf-impulse-b-index",
        KD + "rtf.py",
        "        h = -(a * state).sum(dim=-1)\n        if k < d:",
        "        h = -(a * state).sum(dim=-1)\n        if 0 < k < d:",
        RTF,
        "impulse response drops b_1",
    ),
    M(
        "rtf-step-sign",
        KD + "rtf.py",
        "w = u_k - (a * state).sum(dim=-1)  # first row of A x + e_1 u",
        "w = u_k + (a * state).sum(dim=-1)  # first row of A x + e_1 u",
        RTF,
        "sign error in the companion step",
    ),
    M(
        "rtf-cbar-no-correction",
        KD + "rtf.py",
        "M = eye - _companion_power(a64, L)",
        "M = eye - 0 * _companion_power(a64, L)",
        RTF,
        "Cbar = b (no truncation correction)",
    ),
    # --- kernels: H3 -------------------------------------------------------------------
    M(
        "h3-zoh-exp-minus-one",
        KD + "h3.py",
        "torch.expm1(dlam) / dlam",
        "(torch.exp(dlam) - 1) / dlam",
        H3,
        "exp(x) - 1 in place of expm1(x) in the H3 ZOH",
    ),
    M(
        "h3-zero-guard-removed",
        KD + "h3.py",
        "torch.where(dlam == 0, torch.ones_like(dlam), torch.expm1(dlam) / dlam)",
        "torch.expm1(dlam) / dlam",
        H3,
        "removed the lam = 0 guard of the H3 ZOH (NaN)",
    ),
    M(
        "h3-recurrence-real-part-sign",
        KD + "h3.py",
        "w_t = 2 * (C.real * x.real - C.imag * x.imag).sum(dim=-1)",
        "w_t = 2 * (C.real * x.real + C.imag * x.imag).sum(dim=-1)",
        H3,
        "sign error in 2 Re(C x)",
    ),
    M(
        "h3-shift-state-off-by-one",
        KD + "h3.py",
        "shift_state = torch.cat([k[..., t : t + 1], shift_state[..., :-1]], dim=-1)",
        "shift_state = torch.cat([k[..., max(t - 1, 0) : max(t, 1)], shift_state[..., :-1]], "
        "dim=-1)",
        H3,
        "shift SSM reads k_{t-1} (off by one)",
    ),
    M(
        "shift-kernel-padding-left",
        KD + "h3.py",
        "return torch.nn.functional.pad(C, (0, L - d))",
        "return torch.nn.functional.pad(C, (1, L - d - 1))",
        H3,
        "shift kernel delayed by one tap",
    ),
    # --- oracles -----------------------------------------------------------------------
    M(
        "oracle-zoh-zero-mode-gain",
        ORC,
        "inputs.append(step * b if mode == 0 else ctx.expm1(step * mode) / mode * b)",
        "inputs.append(b if mode == 0 else ctx.expm1(step * mode) / mode * b)",
        ORACLES,
        "ZOH gain of a lam = 0 mode is b instead of dt b",
    ),
    M(
        "oracle-zoh-exp-minus-one",
        ORC,
        "inputs.append(step * b if mode == 0 else ctx.expm1(step * mode) / mode * b)",
        "inputs.append(step * b if mode == 0 else (ctx.exp(step * mode) - 1) / mode * b)",
        ORACLES,
        "exp(x) - 1 in the oracle's ZOH",
        equivalent="the oracle certifies by agreement at two precisions: the cancellation "
        "is absorbed by the guard bits or detected and the precision raised",
    ),
    M(
        "oracle-zoh-mode-sign",
        ORC,
        "modes.append(ctx.exp(step * mode))",
        "modes.append(ctx.exp(step * ctx.conj(mode)))",
        ORACLES,
        "oracle's ZOH mode conjugated (sign of Im lam)",
    ),
    # --- symbolic layer ----------------------------------------------------------------
    M(
        "companion-subdiagonal-shift",
        S + "_polynomials.py",
        "        matrix[i, i - 1] = 1",
        "        matrix[i - 1, i] = 1",
        ["tests/symbolic/test_polynomials.py", "tests/symbolic/test_rtf.py"],
        "companion matrix with a superdiagonal",
    ),
    M(
        "schur-cohn-boundary",
        S + "_stability.py",
        "        if modulus2 >= 1:",
        "        if modulus2 > 1:",
        ["tests/symbolic/test_stability.py"],
        "a root on the unit circle reported stable",
    ),
    M(
        "sum-abs-bound-le",
        S + "_stability.py",
        "        return sum(roots, Fraction(0)) < 1",
        "        return sum(roots, Fraction(0)) <= 1",
        ["tests/symbolic/test_stability.py"],
        "< changed to <= in the symbolic sum |a_i| test",
    ),
    M(
        "gbt-symbolic-sign",
        S + "_discretize.py",
        "rhs = sp.Matrix.hstack(identity + (1 - alpha) * dt * A, dt * B)",
        "rhs = sp.Matrix.hstack(identity - (1 - alpha) * dt * A, dt * B)",
        ["tests/symbolic/test_discretize.py"],
        "sign error in the symbolic gbt",
    ),
    M(
        "legs-closed-form-diagonal",
        S + "_closed_forms.py",
        "return -sp.Integer(n + 1) if n == k else sp.Integer(0)",
        "return -sp.Integer(n) if n == k else sp.Integer(0)",
        ["tests/symbolic/test_derive_hippo.py", "tests/symbolic/test_structure.py"],
        "LegS diagonal -n instead of -(n + 1)",
    ),
    M(
        "s4d-lin-imag-scale",
        S + "_s4d.py",
        "modes = [-half + sp.I * sp.pi * n for n in range(N // 2)]",
        "modes = [-half + sp.I * sp.pi * (n + 1) for n in range(N // 2)]",
        ["tests/symbolic/test_s4d.py"],
        "S4D-Lin modes off by one",
    ),
    # --- selective scans: models, conditioning, mixed precision --------------------------
    M(
        "selective-model-100x",
        B + "selective.py",
        '"selective-scan-sequential",\n    "selective_scan_condition",\n    1.0,',
        '"selective-scan-sequential",\n    "selective_scan_condition",\n    100.0,',
        SELECTIVE,
        "selective-scan-sequential model 100x looser",
    ),
    M(
        "selective-condition-without-memory",
        B + "selective.py",
        "E_prev = np.abs(a) * (E_prev + weight[..., t] * X_prev) + 3 * np.abs(b)",
        "E_prev = 0 * E_prev + 3 * np.abs(b)",
        SELECTIVE,
        "time-varying conditioning without the memory term (the LTI-style one step)",
    ),
    M(
        "mixed-bound-without-output-rounding",
        EM,
        "bound += self.output_rounding * unit_roundoff(dtype)",
        "bound += 0.0",
        SELECTIVE,
        "bf16/fp16 bound without the output's rounding",
    ),
    M(
        "mixed-bound-in-the-low-dtype",
        EM,
        "compute = self.compute_dtype(dtype)",
        "compute = dtype",
        SELECTIVE,
        "bf16/fp16 bound computed with u(bf16) for the arithmetic (admits bf16 accumulation)",
    ),
    M(
        "no-underflow-floor",
        A,
        "bound = bound + underflow_floor(actual.dtype) / float(comparison.scale)",
        "bound = bound",
        SELECTIVE,
        "float16 outputs in the subnormal range judged without the underflow floor",
    ),
    # --- kernels: RTF, the cheap checks of rtf_kernel ------------------------------------
    M(
        "finite-screen-off",
        KD + "_args.py",
        "    if total is None or bool(torch.isfinite(total)):\n        return",
        "    if True:\n        return",
        [
            "tests/kernels/test_kernels_rtf_checks.py",
            "tests/kernels/test_selective.py",
            "tests/kernels/test_bad_input_kernels.py",
        ],
        "the kernels' input finiteness screen always passes (NaN/inf inputs reach the work)",
    ),
    M(
        "rtf-screen-ignores-nonfinite-taps",
        KD + "rtf.py",
        "    if not math.isfinite(k_sum):\n        return False, stable_by_sum",
        "    if False:\n        return False, stable_by_sum",
        ["tests/kernels/test_kernels_rtf_checks.py", *RTF],
        "rtf gate screen does not look at the taps' sum (NaN/inf taps pass)",
    ),
    M(
        "rtf-screen-no-slack",
        KD + "rtf.py",
        "    slack = 2 * (16 * _log2_ceil(L) + 2 * a.shape[-1] + 8) * u\n",
        "    slack = 0.0\n",
        ["tests/kernels/test_kernels_rtf_checks.py", *RTF],
        "rtf Rouche screen without the rounding slack (passes at the threshold)",
    ),
    M(
        "rtf-screen-bound-without-denominator",
        KD + "rtf.py",
        "1 + s_max + slack <= max_condition * (1 - s_max - slack)",
        "1 + s_max + slack <= max_condition",
        ["tests/kernels/test_kernels_rtf_checks.py", *RTF],
        "rtf Rouche condition bound 1 + S instead of (1 + S)/(1 - S)",
    ),
    M(
        "rtf-condition-below-no-overflow-test",
        KD + "rtf.py",
        "    return bool(((high <= bound * low) & (high < math.inf)).all())",
        "    return bool((high <= bound * low).all())",
        ["tests/kernels/test_kernels_rtf_checks.py", *RTF],
        "rtf spectrum screen passes when |a_hat|^2 overflowed",
    ),
    # --- kernels: the sequential scan's one-call-per-step loop ----------------------------
    M(
        "scan-block-output-after-step",
        KD + "scan.py",
        "y[:, start:stop] = (states * Cs).sum(-1).T",
        "y[:, start:stop] = ((states - inputs) * Cs).sum(-1).T",
        ["tests/kernels/test_scan_fast.py", *DENSE],
        "sequential scan output y_k = C (x_{k+1} - Bb u_k) (off by one step)",
    ),
    M(
        "scan-block-carries-first-state",
        KD + "scan.py",
        "        x = states[-1]\n",
        "        x = states[0]\n",
        ["tests/kernels/test_scan_fast.py", *DENSE],
        "sequential scan carries the block's first state into the next block",
    ),
    M(
        "scan-differentiable-output-after-step",
        KD + "scan.py",
        "ys.append((x * C).sum(-1))  # y_k = C x_{k+1}",
        "ys.append(((x - Bb * u[..., k, None]) * C).sum(-1))  # y_k = C x_{k+1}",
        ["tests/kernels/test_scan_fast.py", *DENSE],
        "sequential scan with gradients: y_k = C (x_{k+1} - Bb u_k) (off by one step)",
    ),
    # --- kernels: selective scan, block policy and the one-sync input screen ----------------
    M(
        "selective-screen-skips-optional-tensors",
        KD + "selective.py",
        "require_finite(u=u, delta=delta, A=A, B=B, C=C, D=D, z=z, delta_bias=delta_bias)",
        "require_finite(u=u, delta=delta, A=A, B=B, C=C)",
        ["tests/kernels/test_selective.py"],
        "selective scan screens u, delta, A, B, C but not D, z, delta_bias",
    ),
    M(
        "selective-cpu-blocks-everywhere",
        KD + "selective.py",
        'elements = _BLOCK_ELEMENTS if p.u.device.type == "cpu" else _ACCELERATOR_BLOCK_ELEMENTS',
        "elements = _BLOCK_ELEMENTS",
        ["tests/kernels/test_selective.py"],
        "selective scan cuts GPU calls into the CPU's cache-sized blocks (launch-bound)",
    ),
    # --- fast oracle routes and the certified stability filters ------------------------
    M(
        "stability-fixed-point-filter-without-radius",
        S + "_stability.py",
        "        if k_abs + rad >= one:\n            return None",
        "        if k_abs >= one:\n            return None",
        ["tests/symbolic/test_stability_fast.py"],
        "fixed-point Schur-Cohn filter certifies |k| < 1 with a margin of 0",
    ),
    M(
        "stability-inclusion-disk-flipped",
        S + "_stability.py",
        "stable = ((r * up + radius) * up < 1).all(axis=1)",
        "stable = ((r * up - radius) * up < 1).all(axis=1)",
        ["tests/symbolic/test_stability_fast.py"],
        "root-inclusion certificate subtracts the disk radius (a flipped inequality)",
    ),
    M(
        "diag-block-step-off-by-one",
        ORC,
        "step_re, step_im = table.pop()  # m^B",
        "step_re, step_im = table[-2]  # m^B",
        ["tests/oracles/test_oracles_fast_diag_rtf.py"],
        "Vandermonde blocks advanced by m^(B-1) instead of m^B",
    ),
    M(
        "rtf-neumann-stops-early",
        ORC,
        "if max(map(abs, power)) < 16:",
        "if max(map(abs, power)) < (one >> 4):",
        ["tests/oracles/test_oracles.py"],
        "aliased RTF: (1 - w)^-1 truncated while w^(2^j) is still far above rounding",
    ),
    M(
        "oracle-dplr-recurrence-correction-sign",
        ORC,
        "(a * c - b * d - cr * e + ci * f) >> s",
        "(a * c - b * d + cr * e + ci * f) >> s",
        ["tests/oracles/test_oracles_fast_dplr_legs.py"],
        "DPLR recurrence: real part of the rank-1 correction (y Pb) Qb added, not subtracted",
    ),
    M(
        "oracle-dplr-tan-symmetry-sign",
        ORC,
        "t = tans[j] if 2 * j < L else -tans[L - j]",
        "t = tans[j] if 2 * j < L else tans[L - j]",
        ["tests/oracles/test_oracles_fast_dplr_legs.py"],
        "S4 spectrum: tan(pi (L - j)/L) taken as +tan(pi j/L) (the nodes above L/2 mirrored)",
    ),
    M(
        "oracle-dplr-ct-without-power",
        ORC,
        "Ct = ([a - b for a, b in zip(cr, yr)], [a - b for a, b in zip(ci, yi)])",
        "Ct = (cr, ci)",
        ["tests/oracles/test_oracles_fast_dplr_legs.py"],
        "S4 spectrum with C instead of Ct = C (I - Ab^L)",
    ),
    M(
        "oracle-legs-block-step-off-by-one",
        ORC,
        "step = [(p * u) >> s for p, u in zip(table[-1], mu)]  # mu^m",
        "step = table[-1]  # mu^m",
        ["tests/oracles/test_oracles_fast_dplr_legs.py"],
        "triangular-eigen Vandermonde blocks advanced by mu^(m-1) instead of mu^m",
    ),
    M(
        "oracle-agreement-digits-ceil",
        ORC,
        "digits = min(digits, int(ctx.floor(-ctx.log10(ratio) / 2)))",
        "digits = min(digits, int(ctx.ceil(-ctx.log10(ratio) / 2)))",
        ORACLES,
        "certified digits rounded up (one digit more than agreed; squared-moduli agreement)",
    ),
    M(
        "oracle-dplr-pair-step-correction-sign",
        ORC,
        "(a * c - b * d - c0r * e + c0i * f - c1r * g + c1i * h) >> s",
        "(a * c - b * d - c0r * e + c0i * f + c1r * g + c1i * h) >> s",
        ["tests/oracles/test_oracles_fast_dplr_legs.py"],
        "DPLR rank-1 two-step recurrence: the second step's correction c_(k+1) Qb added",
    ),
    M(
        "oracle-rtf-series-numerator-off-by-one",
        ORC,
        "numerator[:first], (L + 1) // 2",
        "numerator[: first - 1], (L + 1) // 2",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF packed series division: the numerator's last coefficient dropped (off by one)",
    ),
    M(
        "oracle-rtf-series-truncated-denominator",
        ORC,
        "_series_product(a_full[:n2], g, n2, n, width, packed_q=packed_g)",
        "_series_product(a_full[: n2 - 1], g, n2, n, width, packed_q=packed_g)",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF Newton inverse: a(z) truncated one term short in the residual a g",
    ),
    M(
        "oracle-rtf-series-newton-sign",
        ORC,
        "-(v >> s) for v in _series_product(a_full[:n2], g, n2, n, width, packed_q=packed_g)",
        "(v >> s) for v in _series_product(a_full[:n2], g, n2, n, width, packed_q=packed_g)",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF Newton inverse: the correction g (1 - a g) added with the wrong sign",
    ),
    M(
        "oracle-rtf-series-quotient-step-index",
        ORC,
        "for k, v in enumerate(high, start=half)]",
        "for k, v in enumerate(high, start=half - 1)]",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF quotient's last Newton step: n - a h read one index early",
    ),
    M(
        "oracle-rtf-series-packing-too-narrow",
        ORC,
        "if max(map(abs, error)).bit_length() > a_bits:",
        "if False:",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF Newton inverse: g's packing reused when the error outgrew a (fields overflow)",
    ),
    M(
        "oracle-rtf-ring-quotient-not-reversed",
        ORC,
        "quotient = [v >> s for v in _series_product(top, self.reversed_inverse, count)][::-1]",
        "quotient = [v >> s for v in _series_product(top, self.reversed_inverse, count)]",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF packed ring reduction: the reversed quotient used unreversed",
    ),
    M(
        "oracle-rtf-ring-top-off-by-one",
        ORC,
        "top = [int(v) for v in poly[: m - 1 : -1][:count]]",
        "top = [int(v) for v in poly[:m:-1][:count]]",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "RTF packed ring reduction: the z^m coefficient left out of the quotient",
    ),
    M(
        "oracle-rtf-public-numerical-verdict",
        "hippo_verify/oracles/__init__.py",
        "L, aliased, digits, max_prec, rtf_stability)",
        "L, aliased, digits, max_prec, _core.rtf_stability)",
        ["tests/oracles/test_oracles_rtf_fast.py"],
        "public RTF oracle reports the numerical stability verdict instead of the exact one",
    ),
    M(
        "stability-float-filter-without-radius",
        S + "_stability.py",
        "unsure = open_ & ~fails & (bad | ~((k_abs + r_k) * up < 1))",
        "unsure = open_ & ~fails & (bad | ~(k_abs * up < 1))",
        ["tests/symbolic/test_stability_fast.py"],
        "float64 Schur-Cohn filter certifies |k| < 1 with a margin of 0",
    ),
    M(
        "stability-float-filter-step-rounding-dropped",
        S + "_stability.py",
        "r_k[:, None] * (np.abs(mirror) + r_mi) + 2 * _U * t_abs) * up",
        "r_k[:, None] * (np.abs(mirror) + r_mi)) * up",
        ["tests/symbolic/test_stability_fast.py"],
        "float64 Schur-Cohn filter: the rounding of t_i = C_i - k C_(m-i) left out of the radius",
    ),
    M(
        "stability-float-filter-input-rounding-dropped",
        S + "_stability.py",
        "rho = np.where(exact[:, None], 0.0, _U * np.abs(c) * (1 + 16 * _U))",
        "rho = np.where(exact[:, None], 0.0, 0.0 * np.abs(c))",
        ["tests/symbolic/test_stability_fast.py"],
        "float64 Schur-Cohn filter: rational inputs rounded to floats with radius 0",
    ),
    M(
        "stability-float-filter-delta-rounding-dropped",
        S + "_stability.py",
        "delta = (r_k * (2 * k_abs + r_k) + 2 * _U) * up",
        "delta = (r_k * (2 * k_abs + r_k)) * up",
        ["tests/symbolic/test_stability_fast.py"],
        "float64 Schur-Cohn filter: the rounding of D = 1 - k^2 left out",
    ),
    M(
        "stability-inclusion-zero-radius",
        S + "_stability.py",
        "radius = d * (p_up / prod_low) * up * up  # d |W_i| (upper bound)",
        "radius = 0 * (p_up / prod_low)  # d |W_i| (upper bound)",
        ["tests/symbolic/test_stability_fast.py"],
        "root-inclusion certificate with disks of radius 0 (the approximate roots taken as exact)",
    ),
    M(
        "stability-arb-coefficients-unreversed",
        S + "_stability.py",
        "poly = flint.acb_poly([acb(v) for v in a[i, ::-1].tolist()] + [acb(1)])",
        "poly = flint.acb_poly([acb(v) for v in a[i].tolist()] + [acb(1)])",
        ["tests/symbolic/test_stability_fast.py"],
        "Arb bound on |p(z_i)| evaluates the reversed polynomial",
    ),
]


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------


def _repository_files() -> list[str]:
    out = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    return sorted({p for p in out.decode().split("\0") if p and (ROOT / p).is_file()})


def _copy_tree(files: list[str], target: Path, source: Path) -> None:
    for rel in files:
        destination = target / rel
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source / rel, destination)


def _files_under(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _apply(mutant: Mutant, target: Path) -> str | None:
    """Apply the edits in the copy; the reason if one cannot be applied exactly once."""
    path = target / mutant.file
    if not path.is_file():
        return f"{mutant.file}: no such file"
    text = path.read_text(encoding="utf-8")
    for snippet, replacement in mutant.edits:
        count = text.count(snippet)
        if count != 1:
            where = "snippet not found" if count == 0 else f"snippet found {count} times"
            return f"{where}: {snippet.strip()[:70]!r}"
        text = text.replace(snippet, replacement)
    path.write_text(text, encoding="utf-8")
    return None


def _environment(target: Path) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(target) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.setdefault("OMP_NUM_THREADS", "1")
    return env


def _pytest(target: Path, tests: tuple[str, ...], timeout: float) -> tuple[str, float, str]:
    missing = [t for t in tests if not (target / t).is_file()]
    if missing:
        return "not-applied", 0.0, f"test files missing: {missing}"
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-n", "0"]
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [*command, *tests],
            cwd=target,
            env=_environment(target),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.perf_counter() - started, ""
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    tail = lines[-1] if lines else done.stderr.strip()[-200:]
    if done.returncode == 0:
        return "passed", seconds, tail
    failed = [line for line in lines if line.startswith(("FAILED", "ERROR"))]
    return "failed", seconds, (failed[0] if failed else tail)[:200]


def _check_isolation(files: list[str], source: Path) -> None:
    """The copy must import its own hippo_verify, not the installed checkout."""
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        target = Path(tmp)
        _copy_tree(files, target, source)
        done = subprocess.run(
            [sys.executable, "-c", "import hippo_verify; print(hippo_verify.__file__)"],
            cwd=target,
            env=_environment(target),
            capture_output=True,
            text=True,
            check=True,
        )
        where = Path(done.stdout.strip()).resolve()
        if target.resolve() not in where.parents:
            raise SystemExit(f"the copy imports hippo_verify from {where}, not from the copy")


def run_mutant(mutant: Mutant, files: list[str], source: Path, timeout: float) -> Result:
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        target = Path(tmp)
        _copy_tree(files, target, source)
        reason = _apply(mutant, target)
        if reason is not None:
            return Result(mutant, "not-applied", detail=reason)
        status, seconds, detail = _pytest(target, mutant.tests, timeout)
    outcome = {"failed": "killed", "passed": "survived"}.get(status, status)
    return Result(mutant, outcome, seconds, detail)


def run_baseline(
    tests: tuple[str, ...], files: list[str], source: Path, timeout: float
) -> tuple[str, str]:
    with tempfile.TemporaryDirectory(prefix="mutation-") as tmp:
        target = Path(tmp)
        _copy_tree(files, target, source)
        status, _, detail = _pytest(target, tests, timeout)
    return status, detail


def _table(results: list[Result]) -> str:
    width = max(len(r.mutant.name) for r in results)
    lines = [f"{'mutant':{width}}  {'status':12} {'time':>6}  detail"]
    for r in results:
        status = r.status + ("*" if r.mutant.equivalent else "")
        detail = r.mutant.equivalent or r.detail if r.status != "killed" else r.detail
        lines.append(f"{r.mutant.name:{width}}  {status:12} {r.seconds:6.1f}  {detail[:110]}")
    return "\n".join(lines)


def summarize(results: list[Result]) -> dict:
    counted = [r for r in results if not r.mutant.equivalent]
    applied = [r for r in counted if r.status in ("killed", "survived", "timeout")]
    killed = [r for r in applied if r.status in ("killed", "timeout")]
    counts: dict[str, int] = {}
    for r in results:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {
        "counts": counts,
        "equivalent": sum(1 for r in results if r.mutant.equivalent),
        "applied_non_equivalent": len(applied),
        "killed": len(killed),
        "kill_rate": len(killed) / len(applied) if applied else None,
        "survivors": [r.mutant.name for r in applied if r.status == "survived"],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run mutants whose name matches (glob or substring)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run in parallel")
    parser.add_argument("--json", type=Path, help="write the results here")
    parser.add_argument("--timeout", type=float, default=300, help="seconds per mutant")
    parser.add_argument("--no-baseline", action="store_true", help="skip the baseline runs")
    parser.add_argument("--retries", type=int, default=2, help="new snapshots if a baseline fails")
    parser.add_argument("--list", action="store_true", help="list the mutants and exit")
    args = parser.parse_args(argv)

    mutants = MUTANTS
    if args.only:
        pattern = args.only if any(c in args.only for c in "*?[") else f"*{args.only}*"
        mutants = [m for m in mutants if fnmatch.fnmatch(m.name, pattern)]
    if args.list:
        for m in mutants:
            print(f"{m.name:40} {m.file:42} {m.description}")
        return 0
    if not mutants:
        print("no mutant matches", file=sys.stderr)
        return 2
    # One snapshot of the working tree for the whole run (others may be editing it); taken
    # again if a baseline fails, since a snapshot can catch a file mid-edit.
    with tempfile.TemporaryDirectory(prefix="mutation-snapshot-") as snap:
        snapshot = Path(snap)
        started = time.perf_counter()
        baseline: dict[tuple[str, ...], tuple[str, str]] = {}
        for attempt in range(1 + args.retries):
            shutil.rmtree(snapshot, ignore_errors=True)
            _copy_tree(_repository_files(), snapshot, ROOT)
            files = _files_under(snapshot)
            _check_isolation(files, snapshot)
            if args.no_baseline:
                break
            for tests in sorted({m.tests for m in mutants}):
                baseline[tests] = run_baseline(tests, files, snapshot, args.timeout)
                status, detail = baseline[tests]
                print(
                    f"baseline {' '.join(tests)}: {status} {detail if status != 'passed' else ''}",
                    flush=True,
                )
            if all(status == "passed" for status, _ in baseline.values()):
                break
            print(f"baseline attempt {attempt + 1} failed; new snapshot", flush=True)

        def job(mutant: Mutant) -> Result:
            status = baseline.get(mutant.tests, ("passed", ""))
            if status[0] != "passed":
                return Result(mutant, "baseline-fails", detail=status[1])
            result = run_mutant(mutant, files, snapshot, args.timeout)
            print(f"{mutant.name}: {result.status} ({result.seconds:.1f} s)", flush=True)
            return result

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            results = list(pool.map(job, mutants))
    elapsed = time.perf_counter() - started

    print()
    print(_table(results))
    summary = summarize(results)
    rate = summary["kill_rate"]
    print()
    print(
        f"{len(results)} mutants: {summary['counts']}; {summary['equivalent']} marked equivalent "
        "(*, not counted)"
    )
    print(
        f"kill rate {summary['killed']}/{summary['applied_non_equivalent']} = "
        f"{'n/a' if rate is None else f'{100 * rate:.1f}%'} of applied non-equivalent mutants; "
        f"{elapsed:.0f} s"
    )
    if args.json:
        data = {
            "summary": summary,
            "seconds": elapsed,
            "results": [
                {
                    "name": r.mutant.name,
                    "file": r.mutant.file,
                    "tests": list(r.mutant.tests),
                    "description": r.mutant.description,
                    "equivalent": r.mutant.equivalent,
                    "status": r.status,
                    "seconds": round(r.seconds, 1),
                    "detail": r.detail,
                }
                for r in results
            ],
        }
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
