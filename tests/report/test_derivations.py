"""Every script in derivations/ runs, and every step it claims is checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from hippo_verify.report import find_derivations, run_derivation
from hippo_verify.symbolic import DerivationLog, StepFailed

DERIVATIONS = Path(__file__).resolve().parents[2] / "derivations"
SCRIPTS = find_derivations(DERIVATIONS)


def test_the_core_derivations_exist() -> None:
    names = {p.stem for p in SCRIPTS}
    assert {"legendre_facts", "hippo_legt", "hippo_legs"} <= names


# Seed errors a script must record (checked on the same run, not by running it again).
SEED_ERRORS = {"legendre_facts": "seed 000"}


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_derivation_runs_and_checks_steps(script: Path) -> None:
    log = run_derivation(script)
    checked = [s for s in log.steps if s.kind in ("identity", "check")]
    assert len(checked) >= 5, f"{script.name} checks too little"
    if script.stem in SEED_ERRORS:
        errors = [s for s in log.steps if s.kind == "seed_error"]
        assert errors and SEED_ERRORS[script.stem] in errors[0].title


def test_the_seed_error_scripts_exist() -> None:
    assert set(SEED_ERRORS) <= {p.stem for p in SCRIPTS}


def test_a_false_step_fails() -> None:
    log = DerivationLog("probe", echo=False)
    with pytest.raises(StepFailed):
        log.equal("1 = 2", 1, 2)
    with pytest.raises(StepFailed):
        log.check("false", False)
    with pytest.raises(StepFailed):  # a "seed error" that is in fact correct is refused
        log.seed_error("not wrong", "1 = 1", 1, 1, "none")
