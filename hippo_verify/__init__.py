"""hippo-verify: derive and verify the mathematics of state-space sequence models.

The package is layered (each layer imports only from those before it):
``symbolic`` (sympy) -> ``oracles`` (mpmath) -> ``kernels`` (torch) -> ``testing``
(pytest, hypothesis) -> ``report`` -> ``cli``. This module re-exports the public API.

The symbolic names (``hippo``, ``derive_hippo``, ``hippo_nplr``, ``CONVENTIONS``) are
loaded on first use: importing the package (as the pytest plugin does in every test
session) costs no sympy import until one of them is needed.
"""

import importlib
from typing import Any

from ._errors import HippoVerifyError as HippoVerifyError
from ._errors import InvalidArgumentError as InvalidArgumentError
from ._errors import InvalidTypeError as InvalidTypeError
from ._validation import DEFAULT_SIZE_LIMITS as DEFAULT_SIZE_LIMITS
from ._validation import size_limits as size_limits

__version__ = "0.1.0"

#: Public names re-exported from ``hippo_verify.symbolic``, imported on first access.
_SYMBOLIC_NAMES = ("CONVENTIONS", "derive_hippo", "hippo", "hippo_nplr")

__all__ = [
    "CONVENTIONS",
    "DEFAULT_SIZE_LIMITS",
    "HippoVerifyError",
    "InvalidArgumentError",
    "InvalidTypeError",
    "derive_hippo",
    "hippo",
    "hippo_nplr",
    "size_limits",
]


def __getattr__(name: str) -> Any:
    # PEP 562: called only for names not found in the module (the lazy ones, and
    # ``symbolic`` itself, which a plain ``import hippo_verify`` used to bind).
    if name in _SYMBOLIC_NAMES or name == "symbolic":
        # import_module, not "from . import symbolic": the latter asks this module for
        # the attribute first and would come back here.
        symbolic = importlib.import_module(f"{__name__}.symbolic")
        value = symbolic if name == "symbolic" else getattr(symbolic, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_SYMBOLIC_NAMES))
