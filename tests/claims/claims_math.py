"""Small exact and structural tools the claim checks share.

* ``projection``: HiPPO coefficients c_n(t) of a signal, integrated exactly from the
  measure's own definition (window, weight, coordinate, basis in
  ``hippo_verify.symbolic.MEASURES``), independent of the derived matrices.
* ``Trace``: the torch calls a kernel makes and the sizes of what they return, to read
  its cost structure (which sizes grow with which argument).
"""

from __future__ import annotations

from typing import Any

import sympy as sp
import torch
from torch.overrides import TorchFunctionMode

from hippo_verify.symbolic import MEASURES

# The measures' own symbols (sympy symbols are equal by name and assumptions).
s = sp.Symbol("s", real=True)
t = sp.Symbol("t", positive=True)
x = sp.Symbol("x", real=True)


def projection(measure: str, f: sp.Expr, N: int) -> sp.Matrix:
    """c_n(t) = int_{window} f(s) p_n(X(t, s)) w(t, s) ds for n < N, exactly (f in s)."""
    m = MEASURES[measure]
    start = m.window_start(t)
    rows = []
    for n in range(N):
        integrand = sp.expand(f * m.basis(n).subs(x, m.coordinate) * m.weight)
        if integrand.is_polynomial(s):
            antiderivative = sp.Poly(integrand, s).integrate().as_expr()
            rows.append(sp.expand(antiderivative.subs(s, t) - antiderivative.subs(s, start)))
        else:
            rows.append(sp.expand(sp.integrate(integrand, (s, start, t))))
    return sp.Matrix(rows)


class Trace(TorchFunctionMode):
    """Records (function name, sizes of the tensor results) of every torch call inside."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, tuple[int, ...]]] = []

    def __torch_function__(self, func: Any, types: Any, args: Any = (), kwargs: Any = None):
        result = func(*args, **(kwargs or {}))
        parts = result if isinstance(result, (tuple, list)) else [result]
        sizes = tuple(p.numel() for p in parts if isinstance(p, torch.Tensor))
        self.calls.append((getattr(func, "__name__", str(func)), sizes))
        return result

    def largest(self) -> int:
        """The largest tensor any call returned."""
        return max((size for _, sizes in self.calls for size in sizes), default=0)

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def traced(fn: Any, *args: Any, **kwargs: Any) -> Trace:
    """Run ``fn(*args, **kwargs)`` under a ``Trace`` and return the trace."""
    with Trace() as trace:
        fn(*args, **kwargs)
    return trace
