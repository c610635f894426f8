"""The README's usage examples run as written: the Python blocks, the command-line block
(through ``main``, in the repository root) and the pytest-plugin block (with pytester)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from hippo_verify.cli import main

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def _block_after(marker: str, language: str) -> str:
    text = README.read_text(encoding="utf-8")
    found = re.search(rf"<!-- {marker} -->\n```{language}\n(.*?)```", text, re.S)
    assert found, f"README has no {language} block after <!-- {marker} -->"
    return found.group(1)


def test_usage_example_runs() -> None:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    assert blocks, "README has no python example"
    for block in blocks:
        exec(compile(block, str(README), "exec"), {})


def test_the_command_line_examples_run(monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(ROOT)
    lines = [line for line in _block_after("cli-example", "bash").splitlines() if line]
    assert lines
    for line in lines:
        argv = shlex.split(line)
        assert argv[0] == "hippo-verify"
        assert main(argv[1:]) == 0, line
    assert "PASS" in capsys.readouterr().out


def test_the_plugin_example_runs(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=_block_after("plugin-example", "python"))
    result = pytester.runpytest("-p", "no:cacheprovider", "--hv-examples", "3")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*= hippo-verify report cards =*"])
