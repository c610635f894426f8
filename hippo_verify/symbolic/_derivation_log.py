"""A recorder for executable derivations: every step is checked, printed and kept.

Scripts in ``derivations/`` define ``derive(log)`` and call ``log.equal(...)``,
``log.check(...)`` and friends; each call asserts its claim (raising ``StepFailed``), prints
it when ``echo`` is on, and keeps a LaTeX record that ``hippo-verify report`` renders.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, Literal

import sympy as sp

from .._errors import HippoVerifyError

__all__ = ["DerivationLog", "Step", "StepFailed", "exactly_equal"]


class StepFailed(HippoVerifyError, AssertionError):
    """A claimed step of a derivation does not hold."""


@dataclass(frozen=True)
class Step:
    """One recorded step: ``kind`` is text, definition, identity, check or seed_error."""

    kind: Literal["text", "definition", "identity", "check", "seed_error"]
    title: str
    latex: str = ""
    detail: str = ""


def exactly_equal(lhs: Any, rhs: Any) -> bool:
    """Exact equality of sympy expressions or matrices (no floats, no tolerance).

    Expressions are equal when their difference expands, after radical simplification,
    to the structural zero; a difference that is zero but not recognized as such reads as
    *unequal*, so a pass is always trustworthy.
    """
    lhs, rhs = sp.sympify(lhs), sp.sympify(rhs)
    if isinstance(lhs, sp.MatrixBase) or isinstance(rhs, sp.MatrixBase):
        if not (isinstance(lhs, sp.MatrixBase) and isinstance(rhs, sp.MatrixBase)):
            return False
        if lhs.shape != rhs.shape:
            return False
        return all(_is_zero(a - b) for a, b in zip(lhs, rhs))
    return _is_zero(lhs - rhs)


def _is_zero(expr: sp.Expr) -> bool:
    if expr.has(sp.Float):
        return False
    return sp.expand(sp.radsimp(sp.expand(expr))) == 0


@dataclass
class DerivationLog:
    """Collects the checked steps of one derivation.

    Arguments:
        title: Title of the derivation.
        echo: Print each step as it is recorded (on when a script is run directly).
    """

    title: str
    echo: bool = True
    steps: list[Step] = field(default_factory=list)

    def text(self, markdown: str) -> None:
        """Prose between steps (Markdown, inline LaTeX allowed)."""
        self._record(Step("text", "", detail=markdown))

    def define(self, title: str, name: str, value: Any) -> None:
        """Introduce ``name := value``."""
        self._record(Step("definition", title, rf"{name} := {_latex(value)}"))

    def equal(
        self, title: str, lhs: Any, rhs: Any, *, statement: str | None = None, detail: str = ""
    ) -> None:
        """Assert lhs == rhs exactly and record it.

        ``statement`` (LaTeX) is what the page shows instead of ``lhs = rhs``: use it when
        the two sides are long lists of cases checked one by one.
        """
        if not exactly_equal(lhs, rhs):
            raise StepFailed(f"{self.title}: step '{title}' does not hold: {lhs} != {rhs}")
        latex = statement if statement is not None else rf"{_latex(lhs)} = {_latex(rhs)}"
        self._record(Step("identity", title, latex, detail))

    def check(self, title: str, holds: bool, detail: str = "", latex: str = "") -> None:
        """Assert a condition computed by the script and record it."""
        if not holds:
            raise StepFailed(f"{self.title}: check '{title}' failed. {detail}")
        self._record(Step("check", title, latex, detail))

    def seed_error(self, title: str, printed: str, lhs: Any, rhs: Any, counterexample: str) -> None:
        """Record a formula printed in a seed that is wrong, with its counterexample.

        ``lhs`` and ``rhs`` are the two sides of the printed formula evaluated at the
        counterexample; they must differ (if they agree the "error" is not shown).
        """
        if exactly_equal(lhs, rhs):
            raise StepFailed(f"{self.title}: '{title}' was claimed wrong but holds here")
        detail = (
            f"Counterexample: {counterexample}: left side ${_latex(lhs)}$, "
            f"right side ${_latex(rhs)}$."
        )
        self._record(Step("seed_error", title, printed, detail))

    def _record(self, step: Step) -> None:
        self.steps.append(step)
        if self.echo:
            _echo(step)


def _latex(value: Any) -> str:
    return value if isinstance(value, str) else sp.latex(value)


def _echo(step: Step) -> None:
    marks = {
        "text": "",
        "definition": "  def",
        "identity": "  ok ",
        "check": "  ok ",
        "seed_error": "  SEED ERROR",
    }
    if step.kind == "text":
        print(step.detail, file=sys.stdout)
        return
    print(f"{marks[step.kind]} {step.title}", file=sys.stdout)
    if step.latex:
        print(f"       {step.latex}", file=sys.stdout)
    if step.detail:
        print(f"       {step.detail}", file=sys.stdout)
