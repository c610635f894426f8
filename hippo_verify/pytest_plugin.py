"""The pytest plugin of hippo-verify: grade kernels from a downstream test suite.

Registered under the ``pytest11`` entry point, so installing hippo-verify with the test
extras enables it. It provides:

* the fixture ``hippo_check``: ``hippo_check(fn, "rtf-fft", **kwargs)`` runs
  ``hippo_verify.testing.grader.check_kernel(fn, "rtf-fft", **kwargs)`` with the session's
  options and fails the test with the report card as the message when the verdict fails
  (it returns the ``Verdict`` when it passes). Keyword arguments given in the test win over
  the command line;
* the marker ``@pytest.mark.hippo_kernel("rtf-fft")``: the algorithm ``hippo_check`` grades
  against when the test does not name one;
* the options ``--hv-examples N`` (examples per dtype) and ``--hv-seed S`` (hypothesis seed);
  defaults: the grader's (``DEFAULT_EXAMPLES``, seed 0);
* a terminal-summary section "hippo-verify report cards": each graded function, pass or
  fail, and its worst digits per dtype (collected from xdist workers too).

Importing this module imports pytest and the standard library only (plus the package's
``__init__``); the grader (torch, hypothesis, the oracles) is imported on the first call of
``hippo_check``, so the plugin costs nothing to test runs that do not use it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest

__all__ = ["hippo_check"]

#: The rows of the report-card summary, one per ``hippo_check`` call, on the config.
_CARDS = pytest.StashKey[list]()
#: Key of the rows in an xdist worker's output.
_WORKER_KEY = "hippo_verify_cards"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hippo-verify", "hippo-verify kernel grading (hippo_check)")
    group.addoption(
        "--hv-examples",
        type=int,
        default=None,
        metavar="N",
        help="examples per dtype for hippo_check (default: the grader's DEFAULT_EXAMPLES)",
    )
    group.addoption(
        "--hv-seed",
        type=int,
        default=None,
        metavar="S",
        help="hypothesis seed for hippo_check (default: the grader's, 0)",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "hippo_kernel(algorithm): the algorithm hippo_check grades against in this test",
    )
    examples = config.getoption("hv_examples", None)
    if examples is not None and examples < 1:
        raise pytest.UsageError(f"--hv-examples must be >= 1, got {examples}")
    config.stash[_CARDS] = []


def _session_options(config: pytest.Config) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if config.getoption("hv_examples", None) is not None:
        options["examples"] = config.getoption("hv_examples")
    if config.getoption("hv_seed", None) is not None:
        options["seed_value"] = config.getoption("hv_seed")
    return options


def _card_row(nodeid: str, verdict: Any) -> dict[str, Any]:
    """One summary row, plain data (it crosses from xdist workers)."""
    dtypes = []
    for grade in verdict.dtypes:
        digits = grade.worst_digits if math.isfinite(grade.worst_digits) else None
        kind = None if grade.failure is None else grade.failure.kind
        dtype = str(grade.dtype).removeprefix("torch.")
        dtypes.append({"dtype": dtype, "passed": grade.passed, "digits": digits, "kind": kind})
    return {
        "nodeid": nodeid,
        "function": verdict.function,
        "algorithm": verdict.algorithm,
        "passed": verdict.passed,
        "dtypes": dtypes,
    }


@pytest.fixture
def hippo_check(request: pytest.FixtureRequest) -> Callable[..., Any]:
    """``hippo_check(fn, algorithm=None, **kwargs)``: grade ``fn`` with ``check_kernel``;
    fail the test with the report card if it fails, else return the ``Verdict``.

    ``algorithm`` defaults to the test's ``hippo_kernel`` marker; ``kwargs`` go to
    ``check_kernel`` (``dtypes``, ``compute_dtype``, ``reference_ratio``, ...) and win over
    ``--hv-examples``/``--hv-seed``.
    """
    config = request.config
    marker = request.node.get_closest_marker("hippo_kernel")
    marked = None
    if marker is not None:
        marked = marker.args[0] if marker.args else marker.kwargs.get("algorithm")

    def check(fn: Callable[..., Any], algorithm: str | None = None, **kwargs: Any) -> Any:
        from hippo_verify.testing.grader import check_kernel

        name = algorithm if algorithm is not None else marked
        if name is None:
            raise TypeError(
                "hippo_check(fn, algorithm): name the algorithm or mark the test with "
                "@pytest.mark.hippo_kernel(algorithm)"
            )
        verdict = check_kernel(fn, name, **{**_session_options(config), **kwargs})
        config.stash[_CARDS].append(_card_row(request.node.nodeid, verdict))
        if not verdict:
            pytest.fail(verdict.markdown(), pytrace=False)
        return verdict

    return check


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On an xdist worker, hand the rows to the controller."""
    output = getattr(session.config, "workeroutput", None)
    if output is not None:
        output[_WORKER_KEY] = list(session.config.stash.get(_CARDS, []))


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the xdist controller: collect a finished worker's rows."""
    rows = getattr(node, "workeroutput", {}).get(_WORKER_KEY, [])
    node.config.stash.setdefault(_CARDS, []).extend(rows)


def _describe(dtype: dict[str, Any]) -> str:
    if not dtype["passed"]:
        return f"{dtype['dtype']} FAIL ({dtype['kind'] or 'no examples'})"
    digits = "exact" if dtype["digits"] is None else f"{dtype['digits']:.1f} digits"
    return f"{dtype['dtype']} {digits}"


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    rows = config.stash.get(_CARDS, [])
    if not rows:
        return
    terminalreporter.write_sep("=", "hippo-verify report cards")
    for row in sorted(rows, key=lambda r: (r["nodeid"], r["function"])):
        status = "PASS" if row["passed"] else "FAIL"
        grades = ", ".join(_describe(d) for d in row["dtypes"])
        terminalreporter.write_line(
            f"{status} {row['function']} as {row['algorithm']}: {grades}  [{row['nodeid']}]"
        )
