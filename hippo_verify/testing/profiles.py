"""Hypothesis settings profiles for kernel tests (for this project and downstream suites).

Two profiles:

* ``"hippo-verify-ci"``: ``derandomize=True`` (the examples are a function of the test, so
  a run is reproducible), ``deadline=None`` (a slow shared machine never fails a test),
  ``print_blob=True`` (a failure prints the blob that replays it) and ``database=None``
  (nothing is read from or written to ``.hypothesis/``).
* ``"hippo-verify-dev"``: hypothesis's default randomness and example database, with
  ``deadline=None``: fresh examples on every run, failures remembered locally.
* ``"hippo-verify-seeded"``: random but reproducible: not derandomized (so pytest's
  ``--hypothesis-seed=N`` takes effect; a derandomized profile silently ignores it), no
  deadline, no database. Run the suite under several seeds to see more examples than CI.

Use in a downstream ``conftest.py``::

    from hippo_verify.testing.profiles import load_profile

    load_profile()  # HIPPO_VERIFY_HYPOTHESIS_PROFILE, else "hippo-verify-ci"

``load_profile("hippo-verify-dev")`` picks one explicitly; any profile registered with
hypothesis (yours too) can be named.
"""

from __future__ import annotations

import os

from hypothesis import settings
from hypothesis.errors import InvalidArgument

from .._errors import InvalidArgumentError, InvalidTypeError

__all__ = [
    "CI_PROFILE",
    "DEV_PROFILE",
    "ENV_VAR",
    "SEEDED_PROFILE",
    "load_profile",
    "pytest_profile",
    "register_profiles",
]

#: Reproducible profile for CI.
CI_PROFILE = "hippo-verify-ci"
#: Randomized profile for local development.
DEV_PROFILE = "hippo-verify-dev"
#: Random, reproducible by ``--hypothesis-seed``, for runs under several seeds.
SEEDED_PROFILE = "hippo-verify-seeded"
#: Environment variable ``load_profile`` reads when no name is given.
ENV_VAR = "HIPPO_VERIFY_HYPOTHESIS_PROFILE"


def register_profiles() -> tuple[str, str, str]:
    """Register the profiles with hypothesis (idempotent) and return their names.

    All start from hypothesis's built-in ``"default"`` settings (not from the active
    profile). Registering does not activate a profile; ``load_profile`` does.
    """
    # Based on hypothesis's defaults, not on whatever profile happens to be active.
    base = settings.get_profile("default")
    settings.register_profile(
        CI_PROFILE, base, derandomize=True, deadline=None, print_blob=True, database=None
    )
    settings.register_profile(DEV_PROFILE, base, deadline=None)
    settings.register_profile(
        SEEDED_PROFILE, base, derandomize=False, deadline=None, print_blob=True, database=None
    )
    return CI_PROFILE, DEV_PROFILE, SEEDED_PROFILE


def load_profile(name: str | None = None) -> str:
    """Register the profiles, then activate ``name`` for every later hypothesis test.

    Arguments:
        name: a registered profile; ``None`` reads the environment variable
            ``HIPPO_VERIFY_HYPOTHESIS_PROFILE`` and falls back to ``"hippo-verify-ci"``.

    Returns:
        The name of the profile now active.

    Raises:
        InvalidTypeError: ``name`` is not a string.
        InvalidArgumentError: no profile of that name is registered (the message says
            where the name came from).
    """
    register_profiles()
    source = "name"
    if name is None:
        name, source = os.environ.get(ENV_VAR) or CI_PROFILE, ENV_VAR
    if not isinstance(name, str):
        raise InvalidTypeError(f"name: expected a profile name, got {type(name).__name__}")
    try:
        settings.get_profile(name)
    except InvalidArgument:
        raise InvalidArgumentError(
            f"unknown hypothesis profile {name!r} (from {source}); ours are "
            f"{CI_PROFILE!r}, {DEV_PROFILE!r} and {SEEDED_PROFILE!r}"
        ) from None
    settings.load_profile(name)
    return name


def pytest_profile(seed: object = None) -> str:
    """Load the profile a pytest run asked for and return its name.

    With a ``--hypothesis-seed`` (pass its value), ``"hippo-verify-seeded"``, so the seed
    is honoured; otherwise ``load_profile()`` (the environment variable, else CI). For a
    ``conftest.py``: ``pytest_profile(config.getoption("--hypothesis-seed"))``.
    """
    return load_profile(SEEDED_PROFILE if seed is not None else None)
