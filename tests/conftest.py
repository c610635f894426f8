"""Shared test configuration: the hypothesis profile of the run.

The profiles are the ones downstream suites use (``hippo_verify.testing.profiles``), not a
copy. Default: ``hippo-verify-ci`` (derandomized, reproducible). ``pytest
--hypothesis-seed=N`` switches to ``hippo-verify-seeded`` so the seed takes effect (run a
few seeds before closing work on a property test); ``HIPPO_VERIFY_HYPOTHESIS_PROFILE=
hippo-verify-dev`` draws fresh examples and remembers failures.
"""

from __future__ import annotations

import pytest

from hippo_verify.testing import profiles


def pytest_configure(config: pytest.Config) -> None:
    config.hippo_verify_profile = profiles.pytest_profile(config.getoption("--hypothesis-seed"))


@pytest.fixture(scope="session")
def suite_profile(pytestconfig: pytest.Config) -> str:
    """The name of the hypothesis profile this run loaded."""
    return pytestconfig.hippo_verify_profile
