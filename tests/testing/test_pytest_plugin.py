"""The pytest plugin (``hippo_verify.pytest_plugin``, entry point ``pytest11``): a downstream
test file run by ``pytester`` grades kernels with the ``hippo_check`` fixture.

The inner runs load the plugin through its entry point, as a downstream suite does (the
package is installed); they run in-process, without this suite's conftest or ini file.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from types import SimpleNamespace

import pytest

from hippo_verify import pytest_plugin

pytest_plugins = ["pytester"]

#: The inner runs: no cache directory in tmp, no distribution unless a test asks for it.
INNER = ("-p", "no:cacheprovider")

DOWNSTREAM = """
import pytest
import torch

import hippo_verify.testing.grader as grader
from hippo_verify.kernels import shift_kernel


def broken_shift(C, L):
    return -shift_kernel(C, L)


def test_correct(hippo_check):
    verdict = hippo_check(shift_kernel, "shift")
    assert verdict and [d.passed for d in verdict.dtypes] == [True, True]


def test_broken(hippo_check):
    hippo_check(broken_shift, "shift", shrink=False, dtypes=[torch.float64])
"""


def test_a_correct_kernel_passes_and_shows_the_summary(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest(*INNER, "--hv-examples", "3", "-k", "correct")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(
        [
            "*= hippo-verify report cards =*",
            "PASS hippo_verify.kernels.h3.shift_kernel as shift: float64 *, float32 *"
            "  [[]test_downstream.py::test_correct[]]",
        ]
    )


def test_a_broken_kernel_fails_with_the_report_card(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest(*INNER, "--hv-examples", "3", "-k", "broken")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_broken*",
            "## test_downstream.broken_shift as `shift`: FAIL",
            "| dtype | examples | worst digits |*",
            "| float64 | 0 |*FAIL (model) |",
            "### float64: model",
            "inputs = {*",
            "*= hippo-verify report cards =*",
            "FAIL test_downstream.broken_shift as shift: float64 FAIL (model)*",
        ]
    )
    # the card is the message: no traceback of the plugin's code
    assert "pytest_plugin.py" not in result.stdout.str()


OPTIONS = """
import hippo_verify.testing.grader as grader
from hippo_verify.kernels import shift_kernel


def test_options(hippo_check, monkeypatch, request):
    seen = []
    real = grader.check_kernel

    def spy(fn, algorithm, **kwargs):
        seen.append(kwargs)
        return real(fn, algorithm, **kwargs)

    monkeypatch.setattr(grader, "check_kernel", spy)
    verdict = hippo_check(shift_kernel, "shift")
    hippo_check(shift_kernel, "shift", examples=1, reference_ratio=16.0)
    examples = request.config.getoption("hv_examples")
    seed = request.config.getoption("hv_seed")
    expected = {}
    if examples is not None:
        expected["examples"] = examples
        assert all(1 <= d.examples <= examples for d in verdict.dtypes)
    if seed is not None:
        expected["seed_value"] = seed
    # the session's options, and the test's own keywords win over them
    assert seen == [expected, {**expected, "examples": 1, "reference_ratio": 16.0}]
"""


@pytest.mark.parametrize(
    "options", [(), ("--hv-examples", "2"), ("--hv-seed", "11"), ("--hv-examples=2", "--hv-seed=7")]
)
def test_the_options_are_honoured(pytester: pytest.Pytester, options: tuple[str, ...]) -> None:
    pytester.makepyfile(test_options=OPTIONS)
    result = pytester.runpytest(*INNER, *options)
    result.assert_outcomes(passed=1)


def test_a_bad_example_count_is_a_usage_error(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_options=OPTIONS)
    result = pytester.runpytest(*INNER, "--hv-examples", "0")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--hv-examples must be >= 1, got 0*"])


MARKED = """
import pytest
from hippo_verify.kernels import shift_kernel


@pytest.mark.hippo_kernel("shift")
def test_marked(hippo_check):
    assert hippo_check(shift_kernel).algorithm == "shift"


def test_unnamed(hippo_check):
    hippo_check(shift_kernel)
"""


def test_the_marker_names_the_algorithm(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_marked=MARKED)
    result = pytester.runpytest(*INNER, "--strict-markers", "--hv-examples", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*TypeError: hippo_check(fn, algorithm): name the algorithm*"])


def test_no_summary_when_nothing_was_graded(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_plain():\n    assert True\n")
    result = pytester.runpytest(*INNER)
    result.assert_outcomes(passed=1)
    assert "hippo-verify report cards" not in result.stdout.str()


def test_worker_rows_reach_the_controller() -> None:
    """The xdist hand-over, hook by hook: a worker's rows go into its output at session
    end, and the controller adds them to its own when the worker goes down."""
    row = {"nodeid": "t.py::test", "function": "f", "algorithm": "shift", "passed": True}
    worker = SimpleNamespace(workeroutput={}, stash=pytest.Stash())
    worker.stash[pytest_plugin._CARDS] = [row]
    pytest_plugin.pytest_sessionfinish(SimpleNamespace(config=worker))
    controller = SimpleNamespace(stash=pytest.Stash())
    controller.stash[pytest_plugin._CARDS] = []
    node = SimpleNamespace(config=controller, workeroutput=worker.workeroutput)
    pytest_plugin.pytest_testnodedown(node, None)
    pytest_plugin.pytest_testnodedown(SimpleNamespace(config=controller), None)  # crashed
    assert controller.stash[pytest_plugin._CARDS] == [row]


@pytest.mark.slow
def test_the_summary_collects_the_xdist_workers(pytester: pytest.Pytester) -> None:
    """Under ``-n 2`` each worker grades; the controller's summary lists every card
    (three interpreters: about 20 s on two cores, hence slow)."""
    pytester.makepyfile(test_downstream=DOWNSTREAM)
    result = pytester.runpytest_subprocess(*INNER, "-n", "2", "--hv-examples", "2")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines_random(
        [
            "PASS hippo_verify.kernels.h3.shift_kernel as shift:*",
            "FAIL test_downstream.broken_shift as shift: float64 FAIL (model)*",
        ]
    )


# ------------------------------------------------------------------ import cost

#: Modules the plugin adds on top of pytest and the package's own __init__, in a fresh
#: interpreter.
IMPORTS = """
import sys
import pytest
import hippo_verify
before = set(sys.modules)
import hippo_verify.pytest_plugin
print(sorted(set(sys.modules) - before))
print(sorted(m for m in ("torch", "hypothesis", "mpmath", "sympy") if m in sys.modules))
from hippo_verify import hippo
print(hippo("legs", 2)[0].tolist(), "sympy" in sys.modules)
"""


@functools.cache
def _imports() -> tuple[str, str, str]:
    """(modules the plugin added, heavy modules loaded, a lazily imported hippo's result),
    from one fresh interpreter shared by the tests below."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORTS], capture_output=True, text=True, timeout=120, check=True
    )
    added, heavy, lazy = result.stdout.splitlines()
    return added, heavy, lazy


def test_importing_the_plugin_imports_no_torch_or_hypothesis() -> None:
    added, heavy, _ = _imports()
    assert added == "['hippo_verify.pytest_plugin']", added
    assert "torch" not in heavy and "hypothesis" not in heavy, heavy


def test_importing_the_plugin_imports_no_mpmath() -> None:
    # hippo_verify/__init__.py loads the symbolic layer (sympy, hence mpmath) on first use.
    _, heavy, _ = _imports()
    assert "mpmath" not in heavy and "sympy" not in heavy, heavy


def test_the_symbolic_names_load_on_first_use() -> None:
    *_, lazy = _imports()
    assert lazy == "[[-1, 0], [-sqrt(3), -2]] True", lazy
