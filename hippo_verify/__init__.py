"""hippo-verify: derive and verify the mathematics of state-space sequence models.

The package is layered (each layer imports only from those before it):
``symbolic`` (sympy) -> ``oracles`` (mpmath) -> ``kernels`` (torch) -> ``testing``
(pytest, hypothesis) -> ``report`` -> ``cli``. This module re-exports the public API.
"""

from ._errors import HippoVerifyError as HippoVerifyError
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import InvalidTypeError as InvalidTypeError
from ._validation import DEFAULT_SIZE_LIMITS as DEFAULT_SIZE_LIMITS
from ._validation import size_limits as size_limits
from .symbolic import CONVENTIONS as CONVENTIONS
from .symbolic import derive_hippo as derive_hippo
from .symbolic import hippo as hippo
from .symbolic import hippo_nplr as hippo_nplr

__version__ = "0.1.0"
