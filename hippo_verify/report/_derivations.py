"""Run the executable derivations in ``derivations/`` and collect their checked steps.

A derivation script defines ``TITLE`` and ``derive(log)``; run directly it prints its
steps, run from here its steps are recorded (``echo=False``) and rendered to Markdown.
"""

from __future__ import annotations

import runpy
from pathlib import Path

from .._errors import InvalidArgumentError
from ..symbolic import DerivationLog

__all__ = ["find_derivations", "run_derivation"]


def find_derivations(directory: Path) -> list[Path]:
    """The derivation scripts in ``directory``, in name order.

    Raises InvalidArgumentError when the directory is missing or holds no script (a report
    that checked nothing must not look like one that passed).
    """
    if not directory.is_dir():
        raise InvalidArgumentError(
            f"derivations directory {directory} not found; run from the repository root "
            "or pass --derivations DIR"
        )
    scripts = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    if not scripts:
        raise InvalidArgumentError(
            f"derivations directory {directory} holds no derivation script (*.py); "
            "pass --derivations DIR with the scripts"
        )
    return scripts


def run_derivation(script: Path) -> DerivationLog:
    """Execute ``script``'s ``derive(log)`` and return the log (raises if a step fails)."""
    namespace = runpy.run_path(str(script), run_name="hippo_verify_derivation")
    title, derive = namespace.get("TITLE"), namespace.get("derive")
    if not isinstance(title, str) or not callable(derive):
        raise InvalidArgumentError(f"{script} must define TITLE (str) and derive(log)")
    log = DerivationLog(title, echo=False)
    derive(log)
    return log
