"""The judge that ties a check to its ledger record, and helpers the checks share.

A check is a test that takes the ``claim`` fixture (``conftest.py``): a ``Judge`` over the
ledger record whose ``check`` is the test's node id. The test computes the evidence and
calls exactly one decision; the decision fails when the evidence does not support it or
when the ledger's verdict is another one, so a verdict changed in the ledger without a
change in the mathematics fails its check.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from hippo_verify.report._claims import Claim

ROOT = Path(__file__).resolve().parents[2]
FAILING = ("holds-with-correction", "wrong")
#: node id -> marked slow, for every test collected under tests/claims in this session
#: (filled by ``conftest.py``).
COLLECTED: dict[str, bool] = {}


class VerdictMismatch(AssertionError):
    """The ledger's verdict is not the one the check decides, or the evidence is missing."""


@dataclass
class Judge:
    """Decides one ledger record.

    Decisions (call exactly one):

    * ``holds(evidence)``: the printed statement holds (``evidence`` True).
    * ``fails(verdict, as_printed=False, corrected=True, counterexample=...)``: the printed
      statement fails on the counterexample and the correction holds; ``verdict`` is
      ``"wrong"`` or ``"holds-with-correction"``.
    * ``slip(slip, intended=True, literal=None)``: a typo or notation slip: ``slip`` is in
      the quote, the intended reading holds, and the literal reading (when it means
      something) fails.
    * ``not_checkable(reason)``: the record says ``Not checkable (<reason>)``.
    """

    record: Claim
    decisions: list[str] = field(default_factory=list)

    def _decide(self, verdict: str, *notes: str) -> None:
        self.decisions.append(verdict)
        if self.record.verdict != verdict:
            raise VerdictMismatch(
                f"{self.record.check}: the check decides {verdict!r}, the ledger says "
                f"{self.record.verdict!r}. " + " ".join(notes)
            )

    def holds(self, evidence: bool, detail: str = "") -> None:
        if evidence is None or not bool(evidence):
            raise VerdictMismatch(f"{self.record.check}: the printed claim fails. {detail}")
        self._decide("holds", detail)

    def fails(
        self, verdict: str, *, as_printed: bool, corrected: bool, counterexample: str
    ) -> None:
        if verdict not in FAILING:
            raise ValueError(f"fails() decides one of {FAILING}, not {verdict!r}")
        if as_printed is None or bool(as_printed):
            raise VerdictMismatch(
                f"{self.record.check}: claimed {verdict} but the printed claim holds at the "
                f"proposed counterexample: {counterexample}"
            )
        if not counterexample.strip():
            raise VerdictMismatch(f"{self.record.check}: a failing claim needs a counterexample")
        if corrected is None or not bool(corrected):
            raise VerdictMismatch(f"{self.record.check}: the corrected statement fails too")
        self._decide(verdict, f"Counterexample: {counterexample}")

    def slip(self, slip: str, *, intended: bool, literal: bool | None = None) -> None:
        if slip not in self.record.quote:
            raise VerdictMismatch(f"{self.record.check}: the slip {slip!r} is not in the quote")
        if literal is not None and bool(literal):
            raise VerdictMismatch(f"{self.record.check}: the literal reading holds: no slip")
        if intended is None or not bool(intended):
            raise VerdictMismatch(f"{self.record.check}: the intended reading fails too")
        self._decide("imprecise", f"slip {slip!r}")

    def not_checkable(self, reason: str) -> None:
        if not self.record.correction.startswith(f"Not checkable ({reason})"):
            raise VerdictMismatch(
                f"{self.record.check}: the record must say 'Not checkable ({reason}): ...'"
            )
        self._decide("not-checkable")


def seeds_dir() -> Path | None:
    """The seed documents: ``$HIPPO_VERIFY_SEEDS``, ``shared/seeds`` in the checkout or
    ``../shared/seeds`` beside it; None when none exists."""
    candidates = [os.environ.get("HIPPO_VERIFY_SEEDS")]
    candidates += [str(ROOT / "shared" / "seeds"), str(ROOT.parent / "shared" / "seeds")]
    for candidate in candidates:
        if candidate and Path(candidate).is_dir():
            return Path(candidate)
    return None
