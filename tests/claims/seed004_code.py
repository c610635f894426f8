"""Seed 004's PyTorch "H3 layer", run in isolation.

``seed_code/seed004_h3_layer.txt`` is the code block of the seed, byte for byte (a test in
``test_ledger.py`` compares it with the seed when the seeds are present). It is executed
with ``exec`` in a fresh namespace under a forked, seeded torch RNG; fixes are applied as
named text replacements of single lines, so that everything else stays verbatim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

SOURCE = (Path(__file__).parent / "seed_code" / "seed004_h3_layer.txt").read_text(encoding="utf-8")
CLASS_PART, _, EXAMPLE_PART = SOURCE.partition("# Example Usage")

#: The batch-major state update and output (the printed lines multiply from the left).
STATE_FIX = ("x = A_discrete @ x + B_discrete @ u_t", "x = x @ A_discrete.T + u_t @ B_discrete.T")
OUTPUT_FIX = ("y_t = self.C @ x + self.D @ u_t", "y_t = x @ self.C.T + u_t @ self.D.T")
#: The final projection reads output_dim features, not state_dim.
LINEAR_FIX = (
    "self.output_linear = nn.Linear(state_dim, output_dim)",
    "self.output_linear = nn.Linear(output_dim, output_dim)",
)
#: Smaller sizes for the example (the printed ones take 15 s of matrix exponentials).
SMALL_EXAMPLE = [
    ("state_dim = 128", "state_dim = 8"),
    ("seq_len = 100", "seq_len = 5"),
    ("batch_size = 32", "batch_size = 3"),
]


def patched(source: str, *fixes: tuple[str, str]) -> str:
    """``source`` with each (old, new) replacement applied; each old line occurs once."""
    for old, new in fixes:
        if source.count(old) != 1:
            raise AssertionError(f"the seed's code must contain {old!r} exactly once")
        source = source.replace(old, new)
    return source


def run(source: str, seed: int = 0) -> dict[str, Any]:
    """Execute ``source`` in a fresh namespace with ``torch.manual_seed(seed)``."""
    namespace: dict[str, Any] = {"__name__": "seed004_h3_layer"}
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        exec(compile(source, "seed004_h3_layer", "exec"), namespace)
    return namespace


def layer(*fixes: tuple[str, str], seed: int = 0, **sizes: int) -> Any:
    """An ``H3Layer`` built from the class part (with ``fixes``), under a seeded RNG."""
    namespace = run(patched(CLASS_PART, *fixes))
    arguments = {"input_dim": 1, "state_dim": 3, "output_dim": 1, "hippo_n": 1} | sizes
    with torch.random.fork_rng():
        torch.manual_seed(seed)
        return namespace["H3Layer"](**arguments)
