"""Symbolic layer (sympy): exact derivations of the SSM mathematics.

Public API:

* ``derive_hippo(measure, N)``: HiPPO (A, B) derived by the projection argument.
* ``derive_hippo_steps(measure, N)``: the same, with every intermediate object.
* ``hippo(measure, N, convention=...)``: closed forms, in our or a public convention.
* ``CONVENTIONS``: the named transforms from canonical to each public convention.
* ``hippo_nplr(measure, N)``: the normal-plus-low-rank decomposition.
* ``MEASURES``: the measures (window, weight, coordinate, basis) the derivation starts from.
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
from ._hippo_args import CONVENTION_MEASURES as CONVENTION_MEASURES
from ._hippo_args import HIPPO_MEASURES as HIPPO_MEASURES
from ._hippo_args import validate_hippo_args as validate_hippo_args
from ._measures import MEASURES as MEASURES
from ._measures import Measure as Measure
from ._projection import HippoDerivation as HippoDerivation
from ._projection import derive_hippo as derive_hippo
from ._projection import derive_hippo_steps as derive_hippo_steps
from ._structure import NPLR as NPLR
from ._structure import hippo_nplr as hippo_nplr
