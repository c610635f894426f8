"""Testing layer: the algorithm registry, the error model and the gate's assertions.

Public API (usable by downstream projects):

* ``ALGORITHMS``: name -> ``Algorithm``, one record per algorithm with its torch kernel,
  oracle twin, error model, conditioning function, input strategy and dtypes;
* ``assert_kernel_close(actual, oracle_result, *, algorithm=None, inputs=None, ...)`` and
  ``compare_kernel`` (same, without asserting): with ``algorithm`` and the kernel's
  ``inputs`` the bound's ``cond`` and ``N`` come from the registry;
* ``error_bound(algorithm, dtype, *, L, N=1, cond=1)``, ``unit_roundoff(dtype)``,
  ``registered_models()`` and the ``ErrorModel`` record of each algorithm;
* the conditioning functions (``*_condition``), each taking its kernel's arguments;
* ``check_kernel(fn, algorithm)``, ``check_recurrence(fn, algorithm)`` and the ``Verdict``
  (``hippo_verify.testing.grader``): grade anyone's kernel; imported on first use, it
  needs hypothesis (the test extras);
* ``hippo_verify.testing.strategies`` and ``hippo_verify.testing.kernel_inputs``:
  hypothesis strategies (they need the test extras).
"""

from __future__ import annotations

from ._algorithms import ALGORITHMS as ALGORITHMS
from ._algorithms import Algorithm as Algorithm
from ._algorithms import algorithm_named as algorithm_named
from ._assertions import KernelComparison as KernelComparison
from ._assertions import assert_kernel_close as assert_kernel_close
from ._assertions import compare_kernel as compare_kernel
from ._bounds.dense import causal_conv_condition as causal_conv_condition
from ._bounds.dense import discrete_kernel_condition as discrete_kernel_condition
from ._bounds.dense import discretize_condition as discretize_condition
from ._bounds.dense import memory_condition as memory_condition
from ._bounds.dense import scan_condition as scan_condition
from ._bounds.dense import ssm_kernel_condition as ssm_kernel_condition
from ._bounds.diag import diag_kernel_condition as diag_kernel_condition
from ._bounds.diag import dplr_kernel_condition as dplr_kernel_condition
from ._bounds.diag import dplr_kernel_condition_terms as dplr_kernel_condition_terms
from ._bounds.diag import h3_diag_kernel_condition as h3_diag_kernel_condition
from ._bounds.h3 import h3_ssm_condition as h3_ssm_condition
from ._bounds.h3 import shift_kernel_condition as shift_kernel_condition
from ._bounds.rtf import componentwise_conv_condition as componentwise_conv_condition
from ._bounds.rtf import rtf_impulse_response_condition as rtf_impulse_response_condition
from ._bounds.rtf import rtf_kernel_condition as rtf_kernel_condition
from ._bounds.rtf import rtf_recurrence_condition as rtf_recurrence_condition
from ._bounds.selective import s5_scan_condition as s5_scan_condition
from ._bounds.selective import selective_scan_condition as selective_scan_condition
from ._bounds.selective import ssd_condition as ssd_condition
from ._error_model import ErrorModel as ErrorModel
from ._error_model import error_bound as error_bound
from ._error_model import registered_models as registered_models
from ._error_model import unit_roundoff as unit_roundoff

__all__ = [
    "ALGORITHMS",
    "Algorithm",
    "ErrorModel",
    "KernelComparison",
    "algorithm_named",
    "assert_kernel_close",
    "causal_conv_condition",
    "compare_kernel",
    "componentwise_conv_condition",
    "diag_kernel_condition",
    "discrete_kernel_condition",
    "discretize_condition",
    "dplr_kernel_condition",
    "dplr_kernel_condition_terms",
    "error_bound",
    "h3_diag_kernel_condition",
    "h3_ssm_condition",
    "s5_scan_condition",
    "selective_scan_condition",
    "ssd_condition",
    "memory_condition",
    "registered_models",
    "rtf_impulse_response_condition",
    "rtf_kernel_condition",
    "rtf_recurrence_condition",
    "scan_condition",
    "shift_kernel_condition",
    "ssm_kernel_condition",
    "unit_roundoff",
]

#: Names served by ``grader`` (which needs hypothesis), imported when first asked for.
_GRADER_NAMES = ("check_kernel", "check_recurrence", "Verdict", "DtypeVerdict", "Failure")


def __getattr__(name: str) -> object:
    if name in _GRADER_NAMES:
        from . import grader

        return getattr(grader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
