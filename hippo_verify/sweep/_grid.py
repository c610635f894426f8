"""Sweep grids: the named ones (``quick``, ``default``, ``full``) and TOML files.

A grid file (TOML) looks like::

    description = "what this grid is for"
    dtypes = ["float64", "float32", "bfloat16", "float16"]  # where the model covers them
    digits = 30                                              # certified oracle digits
    notes = ["anything a reader of the results must know"]

    [algorithms.rtf-fft]
    base = { N = 8, L = 256, margin = 1, seed = 0 }
    L = [16, 63, 256, 1023, 4096]
    margin = [1, 2, 3, 4, 6]

Each ``[algorithms.NAME]`` section names a registered algorithm (``ALGORITHMS``) and the
values of its axes (``N``, ``L``, ``dt``, ``margin``: those its input builder takes, see
``_inputs``). The points are the base point and, for each axis, the base point with that
axis set to each listed value (one axis at a time, so every curve "digits vs axis" holds
the other parameters at the base). An axis absent from ``base`` takes the builder's
default. ``dtypes`` in a section overrides the top-level list.

``load_grid`` validates the whole file before any work and raises ``InvalidArgumentError``
naming the bad key or value (with the closest valid key for a typo).
"""

from __future__ import annotations

import difflib
import hashlib
import inspect
import math
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from .._errors import InvalidArgumentError
from ..testing import ALGORITHMS
from ._cache import canonical_json
from ._inputs import AXES, axes_of, builder_of
from ._task import DTYPES

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = ["GRID_NAMES", "AlgorithmGrid", "Grid", "load_grid", "parse_grid"]

#: The grids shipped with the package (``hippo_verify/sweep/grids/NAME.toml``).
GRID_NAMES = ("quick", "default", "full")
TOP_KEYS = ("description", "dtypes", "digits", "notes", "algorithms")
#: Largest values a grid may ask for (beyond them the oracles' work explodes).
MAX_L, MAX_N, MAX_MARGIN = 1 << 20, 4096, 12


@dataclass(frozen=True)
class AlgorithmGrid:
    """One algorithm's part of a grid: its base point and the values of each axis."""

    base: Mapping[str, Any]
    axes: Mapping[str, tuple[Any, ...]]
    dtypes: tuple[str, ...]

    def points(self) -> list[dict]:
        """The base point, then one axis at a time (duplicates of the base dropped)."""
        points = [dict(self.base)]
        for axis, values in self.axes.items():
            for value in values:
                point = {**self.base, axis: value}
                if point not in points:
                    points.append(point)
        return points


@dataclass(frozen=True)
class Grid:
    """A validated grid."""

    name: str
    description: str
    dtypes: tuple[str, ...]
    digits: int
    algorithms: Mapping[str, AlgorithmGrid]
    notes: tuple[str, ...] = ()
    source: str = field(default="", repr=False)

    @property
    def sha256(self) -> str:
        """SHA-256 of the grid file's text."""
        return hashlib.sha256(self.source.encode()).hexdigest()

    def select(
        self, algorithms: Sequence[str] | None = None, dtypes: Sequence[str] | None = None
    ) -> Grid:
        """The grid restricted to some of its algorithms and dtypes (validated)."""
        chosen = dict(self.algorithms)
        if algorithms:
            for name in algorithms:
                if name not in self.algorithms:
                    raise InvalidArgumentError(
                        f"--algorithms: {name!r} is not in grid {self.name!r}"
                        f"{_suggest(name, self.algorithms)}; it has: {', '.join(self.algorithms)}"
                    )
            chosen = {name: chosen[name] for name in self.algorithms if name in algorithms}
        if dtypes:
            for name in dtypes:
                _check_dtype(name, "--dtypes")
            chosen = {
                name: AlgorithmGrid(g.base, g.axes, tuple(d for d in g.dtypes if d in dtypes))
                for name, g in chosen.items()
            }
            chosen = {name: g for name, g in chosen.items() if g.dtypes}
            if not chosen:
                raise InvalidArgumentError(f"--dtypes {' '.join(dtypes)}: no algorithm left")
        return Grid(
            self.name, self.description, self.dtypes, self.digits, chosen, self.notes, self.source
        )


def _suggest(word: str, choices: Sequence[str] | Mapping[str, Any]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.5)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown_keys(table: Mapping[str, Any], allowed: Sequence[str], where: str) -> None:
    for key in table:
        if key not in allowed:
            raise InvalidArgumentError(
                f"{where}: unknown key {key!r}{_suggest(key, allowed)}; "
                f"allowed: {', '.join(allowed)}"
            )


def _check_dtype(name: Any, where: str) -> str:
    if not isinstance(name, str) or name not in DTYPES:
        raise InvalidArgumentError(
            f"{where}: unknown dtype {name!r}{_suggest(str(name), DTYPES)}; "
            f"expected one of {', '.join(DTYPES)}"
        )
    return name


def _dtype_list(value: Any, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidArgumentError(f"{where}: expected a non-empty list of dtype names")
    return tuple(_check_dtype(v, where) for v in value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_value(axis: str, value: Any, where: str) -> Any:
    """One axis value, or raise saying what the axis needs."""
    if axis in ("N", "L", "seed"):
        low, high = (0, 2**31) if axis == "seed" else (1, MAX_L if axis == "L" else MAX_N)
        if not _is_int(value) or not low <= value <= high:
            raise InvalidArgumentError(
                f"{where}: {axis} must be an integer in [{low}, {high}], got {value!r}"
            )
        return value
    is_number = _is_int(value) or isinstance(value, float)
    if axis == "dt":
        if not is_number or not math.isfinite(value) or not value > 0:
            raise InvalidArgumentError(f"{where}: dt must be a finite number > 0, got {value!r}")
        return float(value)
    if not is_number or not 0 < value <= MAX_MARGIN:  # margin: 1 - |pole| = 10^-margin
        raise InvalidArgumentError(
            f"{where}: margin must be a number in (0, {MAX_MARGIN}] (poles at radius "
            f"1 - 10^-margin), got {value!r}"
        )
    return value


def _algorithm_grid(
    name: Any, table: Any, dtypes: tuple[str, ...], where: str
) -> tuple[str, AlgorithmGrid]:
    if name not in ALGORITHMS:
        raise InvalidArgumentError(
            f"{where}: unknown algorithm {name!r}{_suggest(str(name), ALGORITHMS)}; "
            f"registered: {', '.join(ALGORITHMS)}"
        )
    algorithm = ALGORITHMS[name]
    if builder_of(algorithm) is None:
        raise InvalidArgumentError(f"{where}: the sweep has no input builder for {name}")
    if not isinstance(table, dict):
        raise InvalidArgumentError(f"{where}: expected a table of axes")
    axes = axes_of(algorithm)
    allowed = ("base", "dtypes", *axes)
    for key in table:
        if key in AXES and key not in axes:
            raise InvalidArgumentError(
                f"{where}: {key} is not an axis of {name}; its axes: {', '.join(axes)}"
            )
    _unknown_keys(table, allowed, where)
    base_table = table.get("base", {})
    if not isinstance(base_table, dict):
        raise InvalidArgumentError(f"{where}.base: expected a table")
    _unknown_keys(base_table, (*axes, "seed"), f"{where}.base")
    defaults = inspect.signature(builder_of(algorithm)).parameters
    base = {axis: defaults[axis].default for axis in (*axes, "seed")}
    base.update({k: _check_value(k, v, f"{where}.base") for k, v in base_table.items()})
    values = {}
    for axis in axes:
        if axis in table:
            listed = table[axis]
            if not isinstance(listed, list) or not listed:
                raise InvalidArgumentError(f"{where}.{axis}: expected a non-empty list")
            values[axis] = tuple(
                _check_value(axis, v, f"{where}.{axis}[{i}]") for i, v in enumerate(listed)
            )
    own = _dtype_list(table["dtypes"], f"{where}.dtypes") if "dtypes" in table else None
    covered = {str(d).removeprefix("torch.") for d in algorithm.dtypes}
    if own is not None:
        for dtype in own:
            if dtype not in covered:
                raise InvalidArgumentError(
                    f"{where}.dtypes: {name} has no error model for {dtype}; "
                    f"it covers {', '.join(d for d in DTYPES if d in covered)}"
                )
    chosen = tuple(d for d in (own or dtypes) if d in covered)
    if not chosen:
        raise InvalidArgumentError(f"{where}: none of the dtypes {list(own or dtypes)} is covered")
    return name, AlgorithmGrid(base, values, chosen)


def parse_grid(text: str, name: str = "<grid>") -> Grid:
    """A ``Grid`` from TOML text (validated; see the module docstring)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise InvalidArgumentError(f"grid {name}: not valid TOML: {error}") from None
    _unknown_keys(data, TOP_KEYS, f"grid {name}")
    dtypes = _dtype_list(data.get("dtypes", ["float64", "float32"]), f"grid {name}: dtypes")
    digits = data.get("digits", 30)
    if not _is_int(digits) or not 20 <= digits <= 200:
        raise InvalidArgumentError(f"grid {name}: digits must be an integer in [20, 200]")
    notes = data.get("notes", [])
    if not isinstance(notes, list) or not all(isinstance(n, str) for n in notes):
        raise InvalidArgumentError(f"grid {name}: notes must be a list of strings")
    table = data.get("algorithms")
    if not isinstance(table, dict) or not table:
        raise InvalidArgumentError(f"grid {name}: needs an [algorithms.NAME] section")
    algorithms = dict(
        _algorithm_grid(key, value, dtypes, f"grid {name}: algorithms.{key}")
        for key, value in table.items()
    )
    description = data.get("description", "")
    if not isinstance(description, str):
        raise InvalidArgumentError(f"grid {name}: description must be a string")
    return Grid(name, description, dtypes, digits, algorithms, tuple(notes), text)


def load_grid(grid: str | Path) -> Grid:
    """A named grid (``quick``, ``default``, ``full``) or a TOML file, validated.

    Raises:
        InvalidArgumentError: no such grid or file, or the grid is invalid (the message
            names the key or value).
    """
    if str(grid) in GRID_NAMES:
        text = resources.files(__package__).joinpath("grids", f"{grid}.toml").read_text("utf-8")
        return parse_grid(text, str(grid))
    path = Path(grid)
    if not path.is_file():
        raise InvalidArgumentError(
            f"--grid: {str(grid)!r} is neither a grid name ({', '.join(GRID_NAMES)}) "
            "nor a TOML file"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidArgumentError(f"--grid: cannot read {path}: {error}") from None
    return parse_grid(text, str(path))


def task_list(grid: Grid, cache: str | None, threads: int, code_version: str) -> list[dict]:
    """The grid's tasks in order, each with a stable ``id`` (algorithm, params, dtypes,
    digits and the code's version: a re-run of the same sweep finds its finished points)."""
    tasks = []
    for name, part in grid.algorithms.items():
        for params in part.points():
            identity = {
                "algorithm": name,
                "params": params,
                "dtypes": part.dtypes,
                "digits": grid.digits,
                "code": code_version,
            }
            task_id = hashlib.sha256(canonical_json(identity).encode()).hexdigest()[:24]
            tasks.append(
                {
                    "id": task_id,
                    "algorithm": name,
                    "params": params,
                    "dtypes": list(part.dtypes),
                    "digits": grid.digits,
                    "cache": cache,
                    "threads": threads,
                }
            )
    return tasks
