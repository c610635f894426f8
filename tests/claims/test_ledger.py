"""The claims ledger itself: its records, its JSON and Markdown, the link from every record
to a collected check, the quotes against the seed documents, and the judge (a verdict
changed without a change in the mathematics fails its check)."""

from __future__ import annotations

import ast
import dataclasses
import functools
import hashlib
import importlib
import json
import re
from pathlib import Path

import pytest
from claims_judge import COLLECTED, ROOT, Judge, VerdictMismatch, seeds_dir
from seed004_code import SOURCE

from hippo_verify import InvalidArgumentError
from hippo_verify.report._build import build_report
from hippo_verify.report._claims import (
    RECORD_KEYS,
    SEEDS,
    VERDICTS,
    Claim,
    claims,
    claims_records,
    claims_summary,
    render_claims_markdown,
    validate_claims,
    write_claims,
)

HERE = Path(__file__).parent
RECORDS = claims()
CHECK_FILES = sorted(HERE.glob("test_seed*.py"))


def _normalized(text: str) -> str:
    return " ".join(text.split())


def test_json_records(tmp_path: Path) -> None:
    written = write_claims(tmp_path)
    assert [p.name for p in written] == ["claims.md", "claims.json"]
    data = json.loads((tmp_path / "claims.json").read_text(encoding="utf-8"))
    assert isinstance(data, list) and len(data) == len(RECORDS) >= 100
    for record in data:
        assert list(record) == list(RECORD_KEYS)
        assert all(
            isinstance(v, str) and v == v.strip() and v
            for k, v in record.items()
            if k != "correction"
        )
        assert record["seed"] in SEEDS and record["verdict"] in VERDICTS
        assert bool(record["correction"]) == (record["verdict"] != "holds")
        assert re.fullmatch(
            r"tests/claims/test_seed\d{3}\.py::test_\w+(\[\w+\])?"
            r"( \(slow: pytest -m slow\))?",
            record["check"],
        )
    assert len({r["check"] for r in data}) == len(data)


def test_markdown(tmp_path: Path) -> None:
    text = render_claims_markdown(RECORDS)
    assert text.startswith("# The seeds' claims ledger") and "## Summary" in text
    for seed, (title, _) in SEEDS.items():
        assert f"## `{seed}`: {title}" in text
    for record in RECORDS:
        path, _, name = record.check.partition("::")
        assert f"[`{name}`](../{path})" in text
    rows = [line for line in text.splitlines() if re.match(r"\| \d+ \| `", line)]
    assert len(rows) == len(RECORDS)


def test_summary_counts_slips_apart() -> None:
    summary = claims_summary(RECORDS)
    assert sum(sum(c.values()) for c in summary.values()) == len(RECORDS)
    assert all(set(c) == set(VERDICTS) for c in summary.values())
    text = render_claims_markdown(RECORDS)
    assert "| mathematical errors | slips |" in text
    assert all(summary[seed]["imprecise"] > 0 for seed in SEEDS)  # every seed has slips


def test_every_seed_has_its_hard_claims() -> None:
    # Complexity, index ranges and the code are in the ledger, not skipped.
    quotes = " ".join(r.quote for r in RECORDS)
    for fragment in (
        r"\mathcal{O}(Ld)",
        r"\mathcal{O}(L\log L)",
        "O(NL)",
        "O(N + L)",
        r"\sum_{k=0}^L",
        r"\bar{K}_{\leq L}",
        "x = A_discrete @ x",
        "y_t = self.C @ x",
        "create_hippo_matrix(state_dim, hippo_n)",
    ):
        assert fragment in quotes, fragment
    assert {r.seed for r in RECORDS} == set(SEEDS)


@functools.cache
def _functions(path: Path) -> dict[str, ast.FunctionDef]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}


def _id(record: Claim) -> str:
    name = record.check.rpartition("/")[2].replace(".py::", "-").replace("test_", "")
    return name.replace("[", "-").replace("]", "")


@pytest.mark.parametrize("record", RECORDS, ids=_id)
def test_check_exists_and_is_collected(record: Claim) -> None:
    path, _, test = record.check.partition("::")
    name, _, param = test.partition("[")
    file = ROOT / path
    assert file.is_file(), f"{record.check}: no such test file"
    function = _functions(file).get(name)
    assert function is not None, f"{record.check}: no such test"
    assert "claim" in [a.arg for a in function.args.args], f"{record.check} takes no claim"
    if param:
        module = importlib.import_module(file.stem)
        assert param[:-1] in module.NOT_CHECKABLE, f"{record.check}: no such parameter"
    if any(node.startswith(path + "::") for node in COLLECTED):  # collected in this session
        assert record.check in COLLECTED, f"{record.check} is not collected"
        assert COLLECTED[record.check] == record.slow, f"{record.check}: slow marker != record"


def test_every_check_test_has_a_record() -> None:
    checks = {r.check for r in RECORDS}
    for file in CHECK_FILES:
        module = importlib.import_module(file.stem)
        for name, function in _functions(file).items():
            if not name.startswith("test_"):
                continue
            assert "claim" in [a.arg for a in function.args.args], f"{name} decides nothing"
            if name == "test_not_checkable":
                ids = [f"{name}[{key}]" for key in module.NOT_CHECKABLE]
            else:
                ids = [name]
            for test_id in ids:
                assert f"tests/claims/{file.name}::{test_id}" in checks, test_id


def test_validation_refuses_bad_records() -> None:
    good = RECORDS[0]
    bad = [
        dataclasses.replace(good, seed="005_unknown.txt"),
        dataclasses.replace(good, verdict="mostly true"),
        dataclasses.replace(good, quote=" "),
        dataclasses.replace(good, verdict="holds", correction="a correction"),
        dataclasses.replace(good, verdict="wrong", correction=""),
        dataclasses.replace(good, verdict="not-checkable", correction="because"),
        dataclasses.replace(good, check="tests/claims/test_seed000.py::helper"),
    ]
    for record in bad:
        with pytest.raises(InvalidArgumentError):
            validate_claims([record])
    with pytest.raises(InvalidArgumentError, match="decides two claims"):
        validate_claims([good, good])


@pytest.fixture(scope="module")
def seeds() -> Path:
    found = seeds_dir()
    if found is None:
        pytest.skip("the seed documents are not here (set HIPPO_VERIFY_SEEDS)")
    return found


def test_seed_files_are_the_ledgers(seeds: Path) -> None:
    for name, (_, digest) in SEEDS.items():
        assert hashlib.sha256((seeds / name).read_bytes()).hexdigest() == digest, name


def test_quotes_are_in_the_seeds(seeds: Path) -> None:
    texts = {name: _normalized((seeds / name).read_text(encoding="utf-8")) for name in SEEDS}
    missing = [
        r.check
        for r in RECORDS
        if not all(_normalized(part) in texts[r.seed] for part in r.quote.split(" ... "))
    ]
    assert not missing, f"quotes not found verbatim in their seed: {missing}"


def test_seed_code_is_verbatim(seeds: Path) -> None:
    text = (seeds / "004_6b4dde0b0ea63e22.txt").read_text(encoding="utf-8")
    last = 'print("Output shape:", output_sequence.shape)'
    block = text[text.index("import torch\nimport torch.nn as nn") : text.index(last) + len(last)]
    assert SOURCE == block + "\n"


def test_committed_reports_are_current() -> None:
    reports = ROOT / "reports"
    data = json.loads((reports / "claims.json").read_text(encoding="utf-8"))
    assert data == claims_records(RECORDS), "run hippo-verify report (or write_claims)"
    markdown = (reports / "claims.md").read_text(encoding="utf-8")
    assert markdown == render_claims_markdown(RECORDS)


def test_report_writes_the_ledger(tmp_path: Path) -> None:
    scripts = tmp_path / "derivations"
    scripts.mkdir()
    (scripts / "probe.py").write_text(
        "TITLE = 'probe'\n\ndef derive(log):\n    log.equal('1', 1, 1)\n"
    )
    written = build_report(tmp_path / "out", scripts, progress=lambda _: None, precision="none")
    names = {p.name for p in written}
    assert {"claims.md", "claims.json"} <= names
    assert "[claims.md](claims.md)" in (tmp_path / "out" / "README.md").read_text(encoding="utf-8")


# The judge: a verdict changed in the ledger fails the check that decides it.


def _record(verdict: str, quote: str = "a slip here", correction: str = "x") -> Claim:
    correction = "" if verdict == "holds" else correction
    if verdict == "not-checkable":
        correction = "Not checkable (history): a story"
    return Claim(
        next(iter(SEEDS)),
        quote,
        "c",
        verdict,
        correction,
        "tests/claims/test_seed000.py::test_probe",
    )


def test_judge_decisions() -> None:
    Judge(_record("holds")).holds(True)
    Judge(_record("wrong")).fails("wrong", as_printed=False, corrected=True, counterexample="n = 1")
    Judge(_record("imprecise")).slip("slip", intended=True, literal=False)
    Judge(_record("not-checkable")).not_checkable("history")
    refused = [
        lambda: Judge(_record("holds")).holds(False),
        lambda: Judge(_record("wrong")).fails(
            "wrong", as_printed=True, corrected=True, counterexample="n = 1"
        ),
        lambda: Judge(_record("wrong")).fails(
            "wrong", as_printed=False, corrected=False, counterexample="n = 1"
        ),
        lambda: Judge(_record("wrong")).fails(
            "wrong", as_printed=False, corrected=True, counterexample=" "
        ),
        lambda: Judge(_record("imprecise")).slip("absent", intended=True),
        lambda: Judge(_record("imprecise")).slip("slip", intended=True, literal=True),
        lambda: Judge(_record("imprecise")).slip("slip", intended=False),
        lambda: Judge(_record("not-checkable")).not_checkable("opinion"),
    ]
    for decide in refused:
        with pytest.raises(VerdictMismatch):
            decide()


SAMPLE = {  # one check of each kind of decision
    "tests/claims/test_seed000.py::test_legendre_orthogonality": "holds",
    "tests/claims/test_seed000.py::test_derivative_identity": "wrong",
    "tests/claims/test_seed002.py::test_unrolled_output_index_range": "holds-with-correction",
    "tests/claims/test_seed002.py::test_padded_denominator_index_range": "imprecise",
    "tests/claims/test_seed003.py::test_fast_vandermonde_bound": "imprecise",
    "tests/claims/test_seed004.py::test_example_state_update": "wrong",
    "tests/claims/test_seed004.py::test_not_checkable[mamba]": "not-checkable",
}


@pytest.mark.parametrize("check", sorted(SAMPLE))
def test_a_changed_verdict_fails_its_check(check: str) -> None:
    record = next(r for r in RECORDS if r.check == check)
    assert record.verdict == SAMPLE[check]
    path, _, test = check.partition("::")
    name, _, param = test.partition("[")
    function = getattr(importlib.import_module(Path(path).stem), name)
    arguments = {"key": param[:-1]} if param else {}
    for verdict in VERDICTS:
        correction = record.correction or "a correction"
        if verdict == "not-checkable" and not correction.startswith("Not checkable"):
            correction = "Not checkable (history): changed"
        changed = dataclasses.replace(
            record, verdict=verdict, correction="" if verdict == "holds" else correction
        )
        judge = Judge(changed)
        if verdict == record.verdict:
            function(claim=judge, **arguments)
        else:
            with pytest.raises(VerdictMismatch):
                function(claim=judge, **arguments)
