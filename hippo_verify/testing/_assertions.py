"""``assert_kernel_close``: a kernel against its certified oracle, inside the error model."""

from __future__ import annotations

import cmath
import math
from collections.abc import Mapping
from typing import Any

import mpmath
import torch

from .._errors import InvalidArgumentError, InvalidTypeError
from .._validation import require_int
from ..oracles import OracleResult
from ._algorithms import algorithm_named
from ._error_model import error_bound, require_condition, unit_roundoff

__all__ = ["KernelComparison", "assert_kernel_close", "compare_kernel"]

_WORST_SHOWN = 5
#: Without an algorithm: the bound is this many unit roundoffs times log2(L) (a plain
#: FFT-depth accumulation), like torch.testing's per-dtype defaults.
_DEFAULT_ULPS = 16.0
#: A bound this large says nothing about the kernel (its conditioning swamps the dtype):
#: refused instead of passing vacuously.
_USELESS_BOUND = 0.1


class KernelComparison:
    """Errors of a computed kernel against an oracle (all relative to max |oracle|).

    Its truth value is ``passed``: every tap finite and inside the bound.
    """

    def __init__(self, actual: torch.Tensor, oracle: OracleResult, bound: float):
        self.bound = bound
        self.oracle_digits = oracle.digits
        got = actual.detach().to("cpu").reshape(-1)
        got = got.to(torch.complex128 if got.is_complex() else torch.float64).tolist()
        ctx = mpmath.MPContext()
        ctx.prec = 113
        wanted = [ctx.convert(v) for v in oracle.values]
        if not all(ctx.isfinite(w) for w in wanted):
            raise InvalidArgumentError(
                f"the {oracle.family} oracle holds NaN or infinite values: it cannot judge"
            )
        #: Taps of the kernel that are NaN or infinite: each one fails the check.
        self.nonfinite = [k for k, g in enumerate(got) if not cmath.isfinite(g)]
        self.scale = max(abs(v) for v in wanted)
        denominator = self.scale if self.scale else ctx.one
        self.relative = [
            float(abs(ctx.convert(g) - w) / denominator) if cmath.isfinite(g) else math.inf
            for g, w in zip(got, wanted)
        ]
        self.max_relative = max(self.relative)
        self.got, self.wanted = (
            got,
            [complex(w) if isinstance(w, ctx.mpc) else float(w) for w in wanted],
        )

    @property
    def digits(self) -> float:
        """-log10 of the max relative error (inf if exact, -inf if a tap is not finite)."""
        if self.max_relative == 0:
            return math.inf
        return -math.inf if self.nonfinite else -math.log10(self.max_relative)

    @property
    def bad(self) -> list[int]:
        # "not <=": a NaN error must count as outside the bound.
        return [i for i, r in enumerate(self.relative) if not r <= self.bound]

    @property
    def passed(self) -> bool:
        """Every tap finite and inside the bound."""
        return not self.nonfinite and self.max_relative <= self.bound

    def __bool__(self) -> bool:
        """The verdict, so ``assert compare_kernel(...)`` means what it says."""
        return self.passed

    def report(self, label: str) -> str:
        bad = self.bad
        worst = sorted(range(len(self.relative)), key=lambda i: -self.relative[i])[:_WORST_SHOWN]
        lines = [
            f"{label}: {len(bad)} of {len(self.relative)} taps outside the bound",
            f"  max relative error {self.max_relative:.3e} (relative to max|oracle| = "
            f"{float(self.scale):.3e}); bound {self.bound:.3e}",
            f"  digits obtained {self.digits:.2f}, required {-math.log10(self.bound):.2f} "
            f"(oracle certifies {self.oracle_digits})",
            "  worst taps (k: got != wanted, relative error):",
        ]
        if self.nonfinite:
            shown = ", ".join(str(k) for k in self.nonfinite[:_WORST_SHOWN])
            more = "" if len(self.nonfinite) <= _WORST_SHOWN else ", ..."
            lines.insert(
                1,
                f"  {len(self.nonfinite)} of {len(self.relative)} taps are NaN or infinite "
                f"(taps {shown}{more})",
            )
        lines += [
            f"    {k}: {self.got[k]!r} != {self.wanted[k]!r} ({self.relative[k]:.3e})"
            for k in worst
        ]
        return "\n".join(lines)


def _state_and_condition(
    algorithm: str | None, inputs: Mapping[str, Any] | None, N: Any, cond: Any
) -> tuple[Any, Any]:
    """(N, cond): as given (default 1, 1), or from the registry record of ``algorithm``
    applied to the kernel's ``inputs``."""
    if inputs is None:
        return (1 if N is None else N), (1.0 if cond is None else cond)
    if algorithm is None:
        raise InvalidArgumentError("inputs: name the algorithm whose condition applies")
    if N is not None or cond is not None:
        raise InvalidArgumentError("give the kernel's inputs or N and cond, not both")
    if not isinstance(inputs, Mapping):
        raise InvalidTypeError(f"inputs: expected a mapping, got {type(inputs).__name__}")
    record = algorithm_named(algorithm)
    data = {name: value for name, value in inputs.items() if name not in record.options}
    return record.state_size(data), record.condition_of(data)


def underflow_floor(dtype: torch.dtype) -> float:
    """Half the spacing of ``dtype``'s subnormal numbers: rounding y to the dtype errs by
    at most max(u |y|, this), so a relative bound gains this / max|y| (2^-25 for float16,
    whose outputs underflow below 6e-5; negligible for float32/bfloat16/float64)."""
    info = torch.finfo(dtype.to_real() if dtype.is_complex else dtype)
    return info.smallest_normal * info.eps / 2


def _bound(dtype: torch.dtype, algorithm: str | None, L: int, N: int, cond: float) -> float:
    if algorithm is None:
        require_int("N", N, minimum=1)
        require_condition(cond)
        return _DEFAULT_ULPS * unit_roundoff(dtype) * max(1.0, math.log2(max(L, 2)))
    return error_bound(algorithm, dtype, L=L, N=N, cond=cond)


def compare_kernel(
    actual: Any,
    oracle: OracleResult,
    *,
    dtype: torch.dtype | None = None,
    algorithm: str | None = None,
    N: int | None = None,
    cond: float | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> KernelComparison:
    """Measure ``actual`` against ``oracle`` without asserting (see ``assert_kernel_close``)."""
    N, cond = _state_and_condition(algorithm, inputs, N, cond)
    if not isinstance(oracle, OracleResult):
        raise InvalidTypeError(f"oracle: expected an OracleResult, got {type(oracle).__name__}")
    if not isinstance(actual, torch.Tensor):
        raise InvalidTypeError(f"actual: expected a torch.Tensor, got {type(actual).__name__}")
    if not (actual.is_floating_point() or actual.is_complex()):
        raise InvalidTypeError(f"actual: expected a floating or complex tensor, got {actual.dtype}")
    if not oracle.values:
        raise InvalidArgumentError("oracle: holds no values")
    if actual.numel() != len(oracle.values):
        raise InvalidArgumentError(
            f"actual has {actual.numel()} values (shape {tuple(actual.shape)}), the oracle "
            f"{len(oracle.values)}: compare one system at a time"
        )
    dtype = actual.dtype if dtype is None else dtype
    bound = _bound(dtype, algorithm, len(oracle.values), N, cond)
    if not bound < _USELESS_BOUND:
        raise InvalidArgumentError(
            f"the error model allows a relative error of {bound:.1e} for {algorithm} in "
            f"{dtype} (cond = {cond:.3g}): such a check cannot fail; this system is too "
            "ill-conditioned for this dtype"
        )
    comparison = KernelComparison(actual, oracle, bound)
    if comparison.scale:  # the output's rounding has an absolute floor (subnormals)
        comparison.bound = bound = bound + underflow_floor(actual.dtype) / float(comparison.scale)
    required = -math.log10(bound)
    if oracle.digits < required + 2:
        raise InvalidArgumentError(
            f"the oracle certifies {oracle.digits} digits, too few to check a bound of "
            f"{bound:.1e} (needs >= {math.ceil(required) + 2}): ask the oracle for more digits"
        )
    return comparison


def assert_kernel_close(
    actual: Any,
    oracle: OracleResult,
    *,
    dtype: torch.dtype | None = None,
    algorithm: str | None = None,
    N: int | None = None,
    cond: float | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> KernelComparison:
    """Assert that a computed kernel is within the error model of its certified oracle.

    The check is max_k |actual_k - oracle_k| / max_k |oracle_k| <= bound, where the bound is
    the registered model of ``algorithm`` for ``dtype`` (default: ``actual.dtype``) at
    L = len(oracle), state size ``N`` and conditioning ``cond`` (see ``error_bound``);
    without an algorithm, 16 unit roundoffs times log2(L). The oracle must certify at least
    two digits more than the bound asks for, and a bound >= 0.1 (a check that cannot fail)
    is refused with ``InvalidArgumentError``. The bound also allows the output dtype's
    underflow floor (``underflow_floor(dtype) / max|oracle|``: a result rounded into the
    subnormal range errs by up to half a subnormal spacing, whatever the model). A NaN or
    infinite tap always fails; a NaN or
    infinite oracle value, ``cond`` or bound raises ``InvalidArgumentError``.

    Arguments:
        actual: one system's kernel, a tensor with as many entries as the oracle (any shape).
        oracle: the ``OracleResult`` of the same system and conventions.
        dtype: the dtype whose error model applies (default ``actual.dtype``).
        algorithm: a name in ``ALGORITHMS`` (or another registered model); None for the
            default bound.
        N, cond: the state size and conditioning number handed to the model (default 1).
        inputs: instead of ``N`` and ``cond``: the kernel's arguments by parameter name
            (e.g. ``dict(lam=..., B=..., C=..., L=..., dt=...)`` for ``"vandermonde"``);
            the registry's conditioning function and state size of ``algorithm`` compute
            them (float64, the judge's own code).

    Returns:
        The ``KernelComparison`` (errors, digits) when the check passes.

    Raises:
        AssertionError: with the number of taps outside the bound, the worst taps (got vs
            wanted), the max relative error, and the digits obtained vs required.
        InvalidArgumentError: ``inputs`` without ``algorithm`` or together with ``N`` or
            ``cond``; an unknown algorithm; inputs its conditioning function refuses.
    """
    comparison = compare_kernel(
        actual, oracle, dtype=dtype, algorithm=algorithm, N=N, cond=cond, inputs=inputs
    )
    if not comparison.passed:
        label = f"{algorithm or 'kernel'} in {dtype or actual.dtype} vs {oracle.family} oracle"
        raise AssertionError(comparison.report(label))
    return comparison
