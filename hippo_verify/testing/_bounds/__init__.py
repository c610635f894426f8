"""Error models of each kernel family, one module per family; importing registers them."""

from __future__ import annotations

from importlib import import_module

for _family in ("dense", "diag", "rtf"):
    try:
        import_module(f"{__name__}.{_family}")
    except ModuleNotFoundError as error:  # a family not written yet
        if error.name != f"{__name__}.{_family}":
            raise
