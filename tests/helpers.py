"""Shared test helpers (hypothesis strategies)."""

from __future__ import annotations

import sympy as sp
from hypothesis import strategies as st


@st.composite
def invertible_matrices(draw, d: int, entries: st.SearchStrategy) -> sp.Matrix:
    """Unit lower times upper with nonzero diagonal: invertible by construction."""
    lower, upper = sp.eye(d), sp.zeros(d, d)
    for i in range(d):
        for j in range(d):
            if i > j:
                lower[i, j] = draw(entries)
            elif i < j:
                upper[i, j] = draw(entries)
        upper[i, i] = draw(entries.filter(lambda r: r != 0))
    return lower * upper


def _cuda_param() -> object:
    import pytest
    import torch

    return pytest.param(
        "cuda",
        marks=pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available"),
    )


#: Devices a kernel test runs on: the CPU always, CUDA when present (skipped with a reason).
DEVICES = ["cpu", _cuda_param()]
