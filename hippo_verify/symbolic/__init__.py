"""Symbolic layer (sympy): exact derivations of the SSM mathematics.

Public API:

* ``derive_hippo(measure, N)``: HiPPO (A, B) derived by the projection argument.
* ``derive_hippo_steps(measure, N)``: the same, with every intermediate object.
* ``hippo(measure, N, convention=...)``: closed forms, in our or a public convention.
* ``CONVENTIONS``: the named transforms from canonical to each public convention.
* ``hippo_nplr(measure, N)``: the normal-plus-low-rank decomposition.
* ``MEASURES``: the measures (window, weight, coordinate, basis) the derivation starts from.
* ``discretize``, ``discretize_with_output``: forward/backward Euler, bilinear, gbt, ZOH.
* ``legs_step``, ``legs_integrate``: the time-varying discrete LegS recurrences.
* ``power_kernel``: K_k = C Ab^k Bb, exactly (the reference kernel).
* ``companion``, ``charpoly_coeffs``, ``transfer_function``, ``realize``,
  ``truncation_correction``, ``untruncate``: the RTF maps of seed 002.
* ``schur_cohn_stable`` (``schur_cohn_stable_many`` for many channels),
  ``sum_abs_bound_holds``: exact stability criteria.
* ``woodbury_generating_function``, ``dense_generating_function``: S4's generating function.
* ``vandermonde_kernel``, ``conj_pair_kernel``, ``s4d_init``: S4D.
* ``selective_discretize``, ``zoh_input_series``, ``mamba_bbar_error``, ``mamba_zoh_ratio``,
  ``selective_scan_exact``: Mamba's selective scan and its B-bar against exact ZOH.
* ``ssd_mask``, ``segsum``, ``ssd_matrix``, ``ssd_recurrent``, ``ssd_quadratic``,
  ``ssd_chunked``: Mamba-2's SSD in its three forms.
* ``hippo_n``, ``hippo_n_eigenvalues``, ``s5_discretize``, ``s5_scan_exact``: S5.
* ``DerivationLog``, ``exactly_equal``: checked, recorded steps for ``derivations/``.
"""

from ._closed_forms import hippo_closed_form as hippo_closed_form
from ._conventions import CONVENTIONS as CONVENTIONS
from ._conventions import Transform as Transform
from ._conventions import hippo as hippo
from ._derivation_log import DerivationLog as DerivationLog
from ._derivation_log import Step as Step
from ._derivation_log import StepFailed as StepFailed
from ._derivation_log import exactly_equal as exactly_equal
from ._discretize import DISCRETIZATION_METHODS as DISCRETIZATION_METHODS
from ._discretize import OUTPUT_CONVENTIONS as OUTPUT_CONVENTIONS
from ._discretize import discretize as discretize
from ._discretize import discretize_with_output as discretize_with_output
from ._hippo_args import CONVENTION_MEASURES as CONVENTION_MEASURES
from ._hippo_args import HIPPO_MEASURES as HIPPO_MEASURES
from ._hippo_args import validate_hippo_args as validate_hippo_args
from ._legs_recurrence import LEGS_METHODS as LEGS_METHODS
from ._legs_recurrence import legs_integrate as legs_integrate
from ._legs_recurrence import legs_step as legs_step
from ._measures import MEASURES as MEASURES
from ._measures import Measure as Measure
from ._polynomials import CHARPOLY_METHODS as CHARPOLY_METHODS
from ._polynomials import charpoly_coeffs as charpoly_coeffs
from ._polynomials import companion as companion
from ._projection import HippoDerivation as HippoDerivation
from ._projection import derive_hippo as derive_hippo
from ._projection import derive_hippo_steps as derive_hippo_steps
from ._rtf import rational_generating_function as rational_generating_function
from ._rtf import realize as realize
from ._rtf import transfer_function as transfer_function
from ._rtf import truncated_generating_function as truncated_generating_function
from ._rtf import truncation_correction as truncation_correction
from ._rtf import untruncate as untruncate
from ._s4 import cauchy_sum as cauchy_sum
from ._s4 import dense_generating_function as dense_generating_function
from ._s4 import dplr_resolvent as dplr_resolvent
from ._s4 import woodbury_generating_function as woodbury_generating_function
from ._s4d import conj_pair_kernel as conj_pair_kernel
from ._s4d import s4d_init as s4d_init
from ._s4d import vandermonde as vandermonde
from ._s4d import vandermonde_kernel as vandermonde_kernel
from ._selective import SELECTIVE_DISCRETIZATIONS as SELECTIVE_DISCRETIZATIONS
from ._selective import mamba_bbar_error as mamba_bbar_error
from ._selective import mamba_zoh_ratio as mamba_zoh_ratio
from ._selective import selective_discretize as selective_discretize
from ._selective import selective_scan_exact as selective_scan_exact
from ._selective import zoh_input_series as zoh_input_series
from ._selective_s5 import S5_DISCRETIZATIONS as S5_DISCRETIZATIONS
from ._selective_s5 import hippo_n as hippo_n
from ._selective_s5 import hippo_n_eigenvalues as hippo_n_eigenvalues
from ._selective_s5 import s5_discretize as s5_discretize
from ._selective_s5 import s5_scan_exact as s5_scan_exact
from ._selective_ssd import SEGSUM_METHODS as SEGSUM_METHODS
from ._selective_ssd import segsum as segsum
from ._selective_ssd import ssd_chunked as ssd_chunked
from ._selective_ssd import ssd_mask as ssd_mask
from ._selective_ssd import ssd_matrix as ssd_matrix
from ._selective_ssd import ssd_quadratic as ssd_quadratic
from ._selective_ssd import ssd_recurrent as ssd_recurrent
from ._stability import StabilityVerdict as StabilityVerdict
from ._stability import schur_cohn_stable as schur_cohn_stable
from ._stability import schur_cohn_stable_many as schur_cohn_stable_many
from ._stability import sum_abs_bound_holds as sum_abs_bound_holds
from ._structure import NPLR as NPLR
from ._structure import hippo_nplr as hippo_nplr
from ._systems import power_kernel as power_kernel
