"""``hippo-verify report`` writes the derivation pages and the convention table."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hippo_verify.cli import main

ROOT = Path(__file__).resolve().parents[2]


SEED_ERROR_SCRIPT = """
TITLE = "probe"

def derive(log):
    log.equal("one", 1, 1)
    log.seed_error("a wrong formula", "1 = 2", 1, 2, "always")
"""


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A real derivation plus a probe with a seed error; test_derivations runs all of them.
    scripts = tmp_path_factory.mktemp("derivations")
    shutil.copy(ROOT / "derivations" / "hippo_legs.py", scripts)
    (scripts / "probe.py").write_text(SEED_ERROR_SCRIPT)
    out = tmp_path_factory.mktemp("reports")
    argv = ["report", "--out", str(out), "--derivations", str(scripts), "--precision", "quick"]
    assert main(argv) == 0
    return out


def test_report_writes_derivations_and_conventions(report_dir: Path) -> None:
    pages = {p.name for p in (report_dir / "derivations").glob("*.md")}
    assert pages == {"hippo_legs.md", "probe.md"}
    conventions = (report_dir / "conventions.md").read_text(encoding="utf-8")
    for name in ("`s4`", "`hippo-code`", "`lmu`", "`legt`", "`legs`", "`lagt`", "`fout`"):
        assert name in conventions
    assert (report_dir / "README.md").is_file()


def test_report_writes_the_precision_report(report_dir: Path) -> None:
    assert (report_dir / "precision.json").is_file()
    text = (report_dir / "precision.md").read_text(encoding="utf-8")
    assert text.startswith("# Precision report") and "## Environment" in text
    assert "[precision.md](precision.md)" in (report_dir / "README.md").read_text(encoding="utf-8")


def test_rendered_derivation_has_checked_latex(report_dir: Path) -> None:
    page = (report_dir / "derivations" / "hippo_legs.md").read_text(encoding="utf-8")
    assert page.startswith("# HiPPO-LegS") and "$$" in page and "✓" in page


def test_rendered_seed_error(report_dir: Path) -> None:
    page = (report_dir / "derivations" / "probe.md").read_text(encoding="utf-8")
    assert "Seed formula is wrong: a wrong formula" in page and "$$ 1 = 2 $$" in page


def test_missing_derivations_dir_is_a_usage_error(tmp_path: Path) -> None:
    code = main(["report", "--out", str(tmp_path), "--derivations", str(tmp_path / "nope")])
    assert code == 2


def test_failing_derivation_exits_1(tmp_path: Path) -> None:
    scripts = tmp_path / "derivations"
    scripts.mkdir()
    (scripts / "broken.py").write_text(
        "TITLE = 'broken'\n\ndef derive(log):\n    log.equal('false', 1, 2)\n"
    )
    assert main(["report", "--out", str(tmp_path / "out"), "--derivations", str(scripts)]) == 1


def test_console_script_help() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "hippo_verify.cli", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0 and "report" in result.stdout


def test_no_subcommand_is_a_usage_error() -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([])
    assert exit_info.value.code == 2
