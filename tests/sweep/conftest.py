"""Fixtures of the sweep tests: a tiny grid (five points, seconds) and its cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from hippo_verify.sweep import parse_grid

TINY = """
description = "test grid"
dtypes = ["float64", "float32"]

[algorithms.shift]
base = { N = 4, L = 16 }
L = [8, 16]

[algorithms.vandermonde]
base = { N = 2, L = 16, margin = 1 }
margin = [1, 2]

[algorithms.krylov-doubling]
base = { N = 2, L = 16 }
"""


@pytest.fixture
def tiny_text() -> str:
    return TINY


@pytest.fixture
def tiny_grid():
    return parse_grid(TINY, "tiny")


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"
