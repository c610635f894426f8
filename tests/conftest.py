"""Shared test configuration: hypothesis profiles.

``ci`` (the default) is derandomized with no deadline, so a run is reproducible and
never flaky on a loaded machine; ``dev`` draws fresh examples. Choose with
HYPOTHESIS_PROFILE=dev.
"""

import os

from hypothesis import settings

settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
