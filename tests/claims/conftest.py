"""The ``claim`` fixture: the ledger record a check decides (its ``check`` is the test's
node id), and the record of which claim checks this session collected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch
from claims_judge import COLLECTED, Judge

from hippo_verify.report._claims import claims

BY_CHECK = {record.check: record for record in claims()}


@pytest.hookimpl(tryfirst=True)  # before -m deselects the slow ones
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/claims/"):
            COLLECTED[item.nodeid] = item.get_closest_marker("slow") is not None


@pytest.fixture(autouse=True)
def one_thread() -> Iterator[None]:
    """The checks' tensors are tiny: one torch thread (two threads on two busy cores made a
    128 x 128 matrix exponential 100 times slower)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def claim(request: pytest.FixtureRequest) -> Iterator[Judge]:
    """A ``Judge`` over the record whose check is this test; it must decide exactly once."""
    record = BY_CHECK.get(request.node.nodeid)
    if record is None:
        pytest.fail(f"no ledger record names {request.node.nodeid!r} as its check")
    judge = Judge(record)
    yield judge
    assert len(judge.decisions) == 1, (
        f"{record.check} must make exactly one decision, made {judge.decisions}"
    )
