"""Kernel layer (torch): the fast kernels users run, twins of the oracles.

Each kernel takes the parameters of its oracle twin in ``hippo_verify.oracles``, in the
same order and convention (tensors instead of exact numbers, leading batch dimensions
allowed), so the two can be swapped; ``hippo_verify.testing.assert_kernel_close`` checks
one against the other inside the error model of its algorithm.

* dense: ``discretize``, ``ssm_kernel``, ``discrete_kernel`` (doubling), ``scan``
  (sequential and chunked), ``causal_conv`` (causal, zero-padded);
* S4D / S4: ``diag_kernel``, ``h3_diag_kernel`` (Vandermonde), ``dplr_kernel``,
  ``dplr_kernel_from_ct`` (Cauchy + Woodbury at the roots of unity, then an inverse FFT);
* RTF: ``rtf_kernel`` (FFT, with a conditioning gate), ``rtf_recurrence``/``rtf_step``
  (companion form with C̄ = C̃ (I - Ā^L)^{-1}), ``rtf_impulse_response``, ``rtf_diagnostics``;
* H3: ``shift_kernel`` and ``h3_ssm`` (convolution or recurrence);
* selective (time-varying) scans: ``selective_scan`` (Mamba's S6, sequential or parallel
  associative scan) and ``selective_step`` (one decoding step), ``ssd`` (Mamba-2:
  sequential, quadratic or chunked), ``s5_scan`` (S5, sequential or parallel).
"""

from __future__ import annotations

from .conv import causal_conv as causal_conv
from .dense import discrete_kernel as discrete_kernel
from .dense import ssm_kernel as ssm_kernel
from .diag import diag_kernel as diag_kernel
from .diag import h3_diag_kernel as h3_diag_kernel
from .discretize import discretize as discretize
from .dplr import dplr_kernel as dplr_kernel
from .dplr import dplr_kernel_from_ct as dplr_kernel_from_ct
from .h3 import H3_MODES as H3_MODES
from .h3 import h3_ssm as h3_ssm
from .h3 import shift_kernel as shift_kernel
from .rtf import RTFConditioningWarning as RTFConditioningWarning
from .rtf import RTFDiagnostics as RTFDiagnostics
from .rtf import RTFRealization as RTFRealization
from .rtf import rtf_diagnostics as rtf_diagnostics
from .rtf import rtf_impulse_response as rtf_impulse_response
from .rtf import rtf_kernel as rtf_kernel
from .rtf import rtf_realization as rtf_realization
from .rtf import rtf_recurrence as rtf_recurrence
from .rtf import rtf_step as rtf_step
from .s5 import S5_MODES as S5_MODES
from .s5 import s5_scan as s5_scan
from .scan import SCAN_MODES as SCAN_MODES
from .scan import scan as scan
from .selective import SELECTIVE_MODES as SELECTIVE_MODES
from .selective import selective_scan as selective_scan
from .selective import selective_step as selective_step
from .ssd import SSD_MODES as SSD_MODES
from .ssd import ssd as ssd

__all__ = [
    "H3_MODES",
    "S5_MODES",
    "SCAN_MODES",
    "SELECTIVE_MODES",
    "SSD_MODES",
    "RTFConditioningWarning",
    "RTFDiagnostics",
    "RTFRealization",
    "diag_kernel",
    "discretize",
    "dplr_kernel",
    "dplr_kernel_from_ct",
    "causal_conv",
    "h3_diag_kernel",
    "h3_ssm",
    "discrete_kernel",
    "rtf_diagnostics",
    "rtf_impulse_response",
    "rtf_kernel",
    "rtf_realization",
    "rtf_recurrence",
    "rtf_step",
    "s5_scan",
    "scan",
    "selective_scan",
    "selective_step",
    "shift_kernel",
    "ssd",
    "ssm_kernel",
]
