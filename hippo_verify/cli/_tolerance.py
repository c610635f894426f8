"""``hippo-verify tolerance``: the error model's bound and the assert_close pair it justifies.

The error models bound ``max_k |K_k - K*_k| / max_k |K*_k|``: the error relative to the
max-norm of the exact kernel. That is an absolute tolerance on the caller's scale,
``atol = bound * max|K*|`` with ``rtol = 0``; it says nothing per tap, so it justifies no
elementwise ``rtol``.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import Any

import torch

from .._errors import InvalidArgumentError
from ..testing import algorithm_named, error_bound, unit_roundoff

__all__ = ["add_parser", "run", "tolerance_text"]

#: dtype names the command accepts (the model says which of them it covers).
DTYPES = {
    str(dtype).removeprefix("torch."): dtype
    for dtype in (
        torch.float64,
        torch.float32,
        torch.complex128,
        torch.complex64,
        torch.float16,
        torch.bfloat16,
    )
}

WHY = (
    "why: the model bounds the error relative to the largest exact tap (max-norm), so it "
    "justifies atol = bound * max|K_expected| and rtol = 0.\n"
    "An elementwise rtol is not justified: a tap far below the largest (a decaying tail) "
    "may be off by bound * max|K_expected|, far more than rtol * |K_expected_k|."
)


def add_parser(commands: Any) -> None:
    tolerance = commands.add_parser(
        "tolerance",
        help="print an algorithm's error bound and the torch.testing.assert_close "
        "tolerances it justifies",
        description="The registered error model's bound c * u(dtype) * g(L, N, cond) on "
        "max_k |K_k - K*_k| / max_k |K*_k|, and the assert_close(rtol=, atol=) pair it "
        "justifies. Exit codes: 0, or 2 for bad arguments.",
    )
    tolerance.add_argument("--algorithm", required=True, metavar="NAME", help="registry name")
    tolerance.add_argument(
        "--dtype", required=True, metavar="D", help=f"one of {', '.join(DTYPES)}"
    )
    tolerance.add_argument("--L", type=int, required=True, metavar="L", help="number of taps")
    tolerance.add_argument("--N", type=int, default=1, metavar="N", help="state size (default: 1)")
    tolerance.add_argument(
        "--cond",
        type=float,
        default=1.0,
        metavar="C",
        help="the model's conditioning number (default: 1, a well-conditioned system)",
    )
    tolerance.add_argument(
        "--scale",
        type=float,
        default=None,
        metavar="S",
        help="max|K_expected| of your reference, to print atol as a number",
    )


def tolerance_text(
    algorithm: str,
    dtype_name: str,
    *,
    L: int,
    N: int = 1,
    cond: float = 1.0,
    scale: float | None = None,
) -> str:
    """The command's output (raises the package's errors on bad arguments)."""
    record = algorithm_named(algorithm)
    if dtype_name.removeprefix("torch.") not in DTYPES:
        raise InvalidArgumentError(
            f"--dtype: unknown dtype {dtype_name!r}; expected one of {', '.join(DTYPES)}"
        )
    dtype = DTYPES[dtype_name.removeprefix("torch.")]
    if scale is not None and not (math.isfinite(scale) and scale >= 0):
        raise InvalidArgumentError(f"--scale must be a finite number >= 0, got {scale!r}")
    bound = error_bound(record.name, dtype, L=L, N=N, cond=cond)
    model = record.model
    u = unit_roundoff(dtype)
    name = str(dtype).removeprefix("torch.")
    lines = [
        f"{record.name} in {name}: L = {L}, N = {N}, cond = {cond:g}",
        "error model: max_k |K_k - K*_k| / max_k |K*_k| <= c * u * g(L, N, cond)",
        f"  c = {model.constant:g}",
        f"  u = 2^-{round(-math.log2(u))} = {u!r}",
        f"  g(L, N, cond) = {model.growth_text}",
        f"  g({L}, {N}, {cond:g}) = {model.growth(L, N, float(cond))!r}",
        f"  bound = {bound!r} ({-math.log10(bound):.1f} digits)",
        "justified: torch.testing.assert_close(actual, expected, rtol=0, "
        f"atol={bound!r} * expected.abs().max().item())",
    ]
    if scale is not None:
        lines.append(f"  with max|K_expected| = {scale!r}: atol = {bound * scale!r}")
    lines.append(WHY)
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace, progress: Callable[[str], None]) -> int:
    print(
        tolerance_text(
            args.algorithm, args.dtype, L=args.L, N=args.N, cond=args.cond, scale=args.scale
        ),
        end="",
    )
    return 0
