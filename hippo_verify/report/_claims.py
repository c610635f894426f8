"""The seeds' claims ledger: the checkable claims of the seed documents, each judged.

The records live in ``_claims_ledger.py`` (Python data, no pickles); this module validates
them and writes ``claims.md`` (a table per seed, with links to the checks) and
``claims.json`` (a list of records with exactly the keys ``RECORD_KEYS``).

Verdicts (``VERDICTS``):

* ``holds``: true as printed, under the seed's own assumptions.
* ``holds-with-correction``: false or incomplete as printed (a limit, an index range, a
  missing hypothesis, a sign), true after a local correction that keeps what the seed uses
  it for. The check shows the printed form failing on a concrete example and the corrected
  form holding.
* ``wrong``: false, and the correction changes what the seed concludes from it (or the
  object is another object). The check shows a concrete counterexample.
* ``imprecise``: a typo, a naming or notation slip; the intended mathematics is clear. The
  check shows the intended reading holding (and, where the literal reading means
  something, that it fails). Counted apart from the mathematical errors.
* ``not-checkable``: history, opinion, an empirical result or a figure that is not in the
  seed; ``correction`` says why (``Not checkable (<reason>): ...``).

Every record names its check, a pytest node id under ``tests/claims/``: that test decides
the verdict (it fails when the ledger's verdict is not the one the mathematics gives).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .._errors import InvalidArgumentError
from . import _claims_ledger as _ledger

__all__ = [
    "MATH_ERRORS",
    "RECORD_KEYS",
    "SEEDS",
    "VERDICTS",
    "Claim",
    "claims",
    "claims_records",
    "claims_summary",
    "render_claims_markdown",
    "validate_claims",
    "write_claims",
]

VERDICTS = ("holds", "holds-with-correction", "wrong", "imprecise", "not-checkable")
#: The verdicts that count as mathematical errors in the summary (``imprecise`` is apart).
MATH_ERRORS = ("holds-with-correction", "wrong")
RECORD_KEYS = ("seed", "quote", "claim", "verdict", "correction", "check")
_CHECK = re.compile(r"^tests/claims/test_[a-z0-9_]+\.py::test_[A-Za-z0-9_]+(\[[A-Za-z0-9_.-]+\])?$")
_SLOW = " (slow: pytest -m slow)"


@dataclass(frozen=True)
class Claim:
    """One claim of a seed and its verdict.

    Attributes:
        seed: File name of the seed document (a key of ``SEEDS``).
        quote: A short quote of the original, the formula as written.
        claim: What it claims, in plain words.
        verdict: One of ``VERDICTS``.
        correction: The corrected statement (empty exactly when the verdict is ``holds``);
            for ``not-checkable``, why.
        check: The pytest node id of the test that decides the verdict.
        slow: The check is marked ``slow`` (runs with ``pytest -m slow``).
    """

    seed: str
    quote: str
    claim: str
    verdict: str
    correction: str
    check: str
    slow: bool = False

    def record(self) -> dict[str, str]:
        """The JSON record: exactly ``RECORD_KEYS``; a slow check says so in ``check``."""
        check = self.check + (_SLOW if self.slow else "")
        values = (self.seed, self.quote, self.claim, self.verdict, self.correction, check)
        return dict(zip(RECORD_KEYS, values))


#: Seed file name -> (title, sha256 of the file the ledger was written from).
SEEDS: dict[str, tuple[str, str]] = dict(_ledger.SEEDS)


def validate_claims(records: Iterable[Claim]) -> tuple[Claim, ...]:
    """The records, after checking each one's form.

    Raises:
        InvalidArgumentError: an unknown seed or verdict, an empty field, a correction on a
            ``holds`` record or none on another, a ``not-checkable`` record without its
            reason, a check that is not a ``tests/claims`` node id, or a check named twice.
    """
    records = tuple(records)
    seen: set[str] = set()
    for index, claim in enumerate(records):
        where = f"claim {index} ({claim.check or claim.quote[:30]!r})"
        if claim.seed not in SEEDS:
            raise InvalidArgumentError(f"{where}: unknown seed {claim.seed!r}")
        if claim.verdict not in VERDICTS:
            raise InvalidArgumentError(f"{where}: verdict {claim.verdict!r} not in {VERDICTS}")
        for name in ("quote", "claim", "check"):
            if not getattr(claim, name).strip():
                raise InvalidArgumentError(f"{where}: empty {name}")
        if (claim.verdict == "holds") == bool(claim.correction.strip()):
            raise InvalidArgumentError(
                f"{where}: a correction is given exactly when the verdict is not 'holds'"
            )
        if claim.verdict == "not-checkable" and not claim.correction.startswith("Not checkable ("):
            raise InvalidArgumentError(f"{where}: say why: 'Not checkable (<reason>): ...'")
        if not _CHECK.match(claim.check):
            raise InvalidArgumentError(f"{where}: check {claim.check!r} is not a test node id")
        if claim.check in seen:
            raise InvalidArgumentError(f"{where}: check {claim.check!r} decides two claims")
        seen.add(claim.check)
    return records


def claims() -> tuple[Claim, ...]:
    """The ledger, validated, in seed order (then in the order of the seed's text)."""
    order = {seed: i for i, seed in enumerate(SEEDS)}
    records = validate_claims(Claim(**fields) for fields in _ledger.CLAIMS)
    return tuple(sorted(records, key=lambda c: order[c.seed]))


def claims_records(records: Iterable[Claim] | None = None) -> list[dict[str, str]]:
    """The JSON records of ``records`` (default: the ledger)."""
    return [c.record() for c in (claims() if records is None else records)]


def claims_summary(records: Iterable[Claim]) -> dict[str, Counter[str]]:
    """Verdict counts per seed (every verdict present, zeros included)."""
    summary: dict[str, Counter[str]] = {seed: Counter(dict.fromkeys(VERDICTS, 0)) for seed in SEEDS}
    for claim in records:
        summary[claim.seed][claim.verdict] += 1
    return summary


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _check_link(claim: Claim, link_prefix: str) -> str:
    path, _, name = claim.check.partition("::")
    slow = " (slow)" if claim.slow else ""
    return f"[`{_cell(name)}`]({link_prefix}{path}){slow}"


def render_claims_markdown(records: Iterable[Claim], link_prefix: str = "../") -> str:
    """``claims.md``: a summary, then one table per seed; checks link to their test file
    (``link_prefix`` leads from the report's folder to the repository root)."""
    records = tuple(records)
    summary = claims_summary(records)
    lines = [
        "# The seeds' claims ledger",
        "",
        "Generated by `hippo-verify report` from `hippo_verify/report/_claims_ledger.py`. "
        "Every claim of the seed documents that can be checked, with its verdict and the "
        "test that decides it (`pytest tests/claims` runs them all; a test fails when the "
        "verdict here is not the one the mathematics gives).",
        "",
        "Verdicts: **holds** (true as printed); **holds-with-correction** (false or "
        "incomplete as printed, true after a local correction; the check shows the printed "
        "form failing on a concrete example); **wrong** (false; the check shows a "
        "counterexample); **imprecise** (a typo, naming or notation slip, counted apart from "
        "the mathematical errors); **not-checkable** (history, opinion or an empirical "
        "result; the last column says why).",
        "",
        "## Summary",
        "",
        "| seed | claims | " + " | ".join(VERDICTS) + " | mathematical errors | slips |",
        "|---|" + "---:|" * (len(VERDICTS) + 3),
    ]
    totals: Counter[str] = Counter()
    for seed, counts in summary.items():
        totals.update(counts)
        lines.append(_summary_row(f"`{seed}`", counts))
    lines.append(_summary_row("**all**", totals))
    lines += [
        "",
        "Mathematical errors = wrong + holds-with-correction; slips = imprecise.",
    ]
    for seed, (title, _) in SEEDS.items():
        lines += [
            "",
            f"## `{seed}`: {title}",
            "",
            "| # | quote (as printed) | claim | verdict | correction / why | check |",
            "|---:|---|---|---|---|---|",
        ]
        for number, claim in enumerate((c for c in records if c.seed == seed), start=1):
            lines.append(
                f"| {number} | `{_cell(claim.quote)}` | {_cell(claim.claim)} | "
                f"**{claim.verdict}** | {_cell(claim.correction)} | "
                f"{_check_link(claim, link_prefix)} |"
            )
    return "\n".join(lines) + "\n"


def _summary_row(label: str, counts: Counter[str]) -> str:
    total = sum(counts[v] for v in VERDICTS)
    errors = sum(counts[v] for v in MATH_ERRORS)
    cells = " | ".join(str(counts[v]) for v in VERDICTS)
    return f"| {label} | {total} | {cells} | {errors} | {counts['imprecise']} |"


def write_claims(out_dir: Path) -> list[Path]:
    """Write ``claims.md`` and ``claims.json`` under ``out_dir``; returns the two paths."""
    records = claims()
    out_dir.mkdir(parents=True, exist_ok=True)
    markdown, data = out_dir / "claims.md", out_dir / "claims.json"
    markdown.write_text(render_claims_markdown(records), encoding="utf-8")
    text = json.dumps(claims_records(records), ensure_ascii=False, indent=2)
    data.write_text(text + "\n", encoding="utf-8")
    return [markdown, data]
