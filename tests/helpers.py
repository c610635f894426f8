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
