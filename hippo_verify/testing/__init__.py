"""Testing layer: the error model and assertions that gate kernels against the oracles.

Public API (usable by downstream projects):

* ``assert_kernel_close(actual, oracle_result, *, dtype=None, algorithm=None, N=1, cond=1)``
  and ``compare_kernel`` (same, without asserting);
* ``error_bound(algorithm, dtype, *, L, N=1, cond=1)``, ``unit_roundoff(dtype)``,
  ``registered_models()`` and the ``ErrorModel`` record of each algorithm;
* ``hippo_verify.testing.strategies``: hypothesis strategies for valid systems.
"""

from __future__ import annotations

from . import _bounds  # noqa: F401  (registers every algorithm's error model)
from ._assertions import KernelComparison as KernelComparison
from ._assertions import assert_kernel_close as assert_kernel_close
from ._assertions import compare_kernel as compare_kernel
from ._error_model import ErrorModel as ErrorModel
from ._error_model import error_bound as error_bound
from ._error_model import registered_models as registered_models
from ._error_model import unit_roundoff as unit_roundoff

__all__ = [
    "ErrorModel",
    "KernelComparison",
    "assert_kernel_close",
    "compare_kernel",
    "error_bound",
    "registered_models",
    "unit_roundoff",
]
