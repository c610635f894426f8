"""Grid files: the named grids cover the registry; a bad grid is refused before any work."""

from __future__ import annotations

from pathlib import Path

import pytest

from hippo_verify import InvalidArgumentError
from hippo_verify.cli import main
from hippo_verify.sweep import GRID_NAMES, load_grid, parse_grid
from hippo_verify.testing import ALGORITHMS

BAD_GRIDS = [
    # (what is wrong, grid text, words the message must contain)
    (
        "unknown algorithm",
        "[algorithms.rtf-fftt]\nL = [16]",
        ["unknown algorithm 'rtf-fftt'", "did you mean 'rtf-fft'"],
    ),
    ("negative L", "[algorithms.shift]\nL = [16, -4]", ["L[1]", "L must be an integer", "-4"]),
    ("zero L in base", "[algorithms.shift]\nbase = { L = 0 }", ["base", "L must be"]),
    ("dt = 0", "[algorithms.vandermonde]\ndt = [0.01, 0.0]", ["dt[1]", "dt must be", "> 0"]),
    ("negative dt", "[algorithms.vandermonde]\ndt = [-0.1]", ["dt must be", "-0.1"]),
    ("boolean N", "[algorithms.shift]\nN = [true]", ["N must be an integer"]),
    ("margin 0", "[algorithms.rtf-fft]\nmargin = [0]", ["margin must be"]),
    (
        "unknown dtype",
        'dtypes = ["float64", "float33"]\n[algorithms.shift]\nL = [16]',
        ["unknown dtype 'float33'", "did you mean 'float32'"],
    ),
    (
        "dtype the model does not cover",
        '[algorithms.shift]\ndtypes = ["bfloat16"]',
        ["shift has no error model for bfloat16"],
    ),
    (
        "typo in a top-level key",
        'dtpyes = ["float64"]\n[algorithms.shift]\nL = [16]',
        ["unknown key 'dtpyes'", "did you mean 'dtypes'"],
    ),
    (
        "typo in an axis",
        "[algorithms.rtf-fft]\nmargn = [1, 2]",
        ["unknown key 'margn'", "did you mean 'margin'"],
    ),
    (
        "typo in the base",
        "[algorithms.rtf-fft]\nbase = { seeed = 1 }",
        ["base", "unknown key 'seeed'", "did you mean 'seed'"],
    ),
    (
        "axis of another family",
        "[algorithms.rtf-fft]\ndt = [0.01]",
        ["dt is not an axis of rtf-fft", "N, L, margin"],
    ),
    ("empty axis", "[algorithms.shift]\nL = []", ["non-empty list"]),
    ("no algorithms", 'dtypes = ["float64"]', ["[algorithms.NAME]"]),
    ("not TOML", "[algorithms.shift\nL = [16]", ["not valid TOML"]),
]


@pytest.mark.parametrize("what, text, words", BAD_GRIDS, ids=[g[0] for g in BAD_GRIDS])
def test_bad_grid_is_refused_with_a_clear_error(what, text, words) -> None:
    with pytest.raises(InvalidArgumentError) as refused:
        parse_grid(text, "bad.toml")
    for word in words:
        assert word in str(refused.value), (what, str(refused.value))


@pytest.mark.parametrize("what, text, words", BAD_GRIDS[:4], ids=[g[0] for g in BAD_GRIDS[:4]])
def test_cli_exits_2_before_any_work(what, text, words, tmp_path: Path, capsys) -> None:
    grid = tmp_path / "bad.toml"
    grid.write_text(text, encoding="utf-8")
    out, cache = tmp_path / "out", tmp_path / "cache"
    argv = ["sweep", "--grid", str(grid), "--out", str(out), "--cache", str(cache)]
    assert main(argv) == 2
    message = capsys.readouterr().err
    assert message.startswith("hippo-verify: ") and words[0] in message
    assert not out.exists() and not cache.exists()  # nothing was started


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--grid", "nonexistent"], ["neither a grid name", "quick, default, full"]),
        (["--grid", "quick", "--algorithms", "shfit"], ["'shfit' is not in grid", "'shift'"]),
        (["--grid", "quick", "--dtypes", "float8"], ["unknown dtype 'float8'"]),
        (["--grid", "quick", "--workers", "0"], ["--workers must be >= 1"]),
    ],
)
def test_cli_bad_arguments_exit_2(argv, words, tmp_path: Path, capsys) -> None:
    out = tmp_path / "out"
    assert main(["sweep", *argv, "--out", str(out)]) == 2
    message = capsys.readouterr().err
    for word in words:
        assert word in message, message
    assert not out.exists()


def test_named_grids_cover_every_registered_algorithm() -> None:
    """A new algorithm without a sweep input builder or a grid entry fails here."""
    for name in GRID_NAMES:
        grid = load_grid(name)
        assert list(grid.algorithms) == list(ALGORITHMS), name
        for algorithm, part in grid.algorithms.items():
            covered = {str(d).removeprefix("torch.") for d in ALGORITHMS[algorithm].dtypes}
            assert set(part.dtypes) == covered & {"float64", "float32", "bfloat16", "float16"}


def test_default_grid_covers_dplr_at_full_size() -> None:
    """The structured DPLR oracle (~0.1 s at N = 64, L = 256) needs no cap in the default grid."""
    dplr = load_grid("default").algorithms["dplr-woodbury"]
    assert max(p["N"] for p in dplr.points()) == 64
    assert max(p["L"] for p in dplr.points()) == 4096
    assert not any("capped" in note for note in load_grid("default").notes)


def test_points_are_one_axis_at_a_time(tiny_grid) -> None:
    shift = tiny_grid.algorithms["shift"].points()
    assert shift == [{"N": 4, "L": 16, "seed": 0}, {"N": 4, "L": 8, "seed": 0}]
    diag = tiny_grid.algorithms["vandermonde"].points()
    assert [p["margin"] for p in diag] == [1, 2] and all(p["L"] == 16 for p in diag)
    restricted = tiny_grid.select(["shift"], ["float32"])
    assert list(restricted.algorithms) == ["shift"]
    assert restricted.algorithms["shift"].dtypes == ("float32",)


def test_half_rounded_inputs_are_exact_in_bfloat16_and_float16() -> None:
    """The selective scans' inputs, rounded as arrays, are exact in both half dtypes (so
    every dtype and the oracle read the same numbers) and within bfloat16's rounding (2^-8
    relative) of the value drawn; values below 2^-12 become 0."""
    import numpy as np
    import torch

    from hippo_verify.sweep._inputs import half_exact_array

    rng = np.random.default_rng(0)
    drawn = np.concatenate(
        [rng.uniform(-2, 2, 500), rng.uniform(-1, 1, 200) * 2.0**-11, [2.0**-12, 0.0, -1.0]]
    )
    rounded = torch.as_tensor(half_exact_array(drawn))
    for dtype in (torch.bfloat16, torch.float16):
        assert torch.equal(rounded.to(dtype).to(torch.float64), rounded), dtype
    drawn = torch.as_tensor(drawn)
    kept = rounded != 0
    assert torch.all((rounded - drawn).abs()[kept] <= 2.0**-8 * drawn.abs()[kept])
    assert torch.all(drawn.abs()[~kept] < 2.0**-12 * (1 + 2.0**-8))
