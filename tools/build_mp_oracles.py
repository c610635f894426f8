"""Generate ``hippo_verify/oracles/mp_oracles.py`` from ``tools/mp_oracles_parts/``.

The oracle module ships as one vendorable file (mpmath and the standard library only); its
source lives as ordered text fragments, one per numbered section of the module docstring's
table of contents. The generated file is the byte-for-byte concatenation of the parts in
sorted file-name order (``00_header.py``, ``01_errors.py``, ...); nothing is added between
them.

    python tools/build_mp_oracles.py            # write hippo_verify/oracles/mp_oracles.py
    python tools/build_mp_oracles.py --check    # exit 1 (with a diff) if it is out of date

``tests/oracles/test_oracles_vendoring.py`` imports ``build`` from this file and fails on drift.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PARTS_DIR = ROOT / "tools" / "mp_oracles_parts"
TARGET = ROOT / "hippo_verify" / "oracles" / "mp_oracles.py"
#: Part names: two digits, an underscore, a name; sorted order is file order.
PART_GLOB = "[0-9][0-9]_*.py"


def part_paths(parts_dir: Path = PARTS_DIR) -> list[Path]:
    """The parts in file order; raises ValueError if there are none or one is malformed."""
    paths = sorted(parts_dir.glob(PART_GLOB), key=lambda p: p.name)
    if not paths:
        raise ValueError(f"no parts matching {PART_GLOB!r} in {parts_dir}")
    strays = sorted(
        p.name for p in parts_dir.iterdir() if p.is_file() and p not in paths and p.suffix == ".py"
    )
    if strays:
        raise ValueError(f"files in {parts_dir} not named like {PART_GLOB!r}: {strays}")
    prefixes = [p.name[:2] for p in paths]
    duplicates = sorted({x for x in prefixes if prefixes.count(x) > 1})
    if duplicates:
        raise ValueError(f"parts share a number prefix (order ambiguous): {duplicates}")
    return paths


def build(parts_dir: Path = PARTS_DIR) -> bytes:
    """The generated file's bytes: the parts concatenated in order, unchanged."""
    chunks = []
    for path in part_paths(parts_dir):
        data = path.read_bytes()
        if not data.endswith(b"\n"):
            raise ValueError(f"{path.name} must end with a newline (it would join the next part)")
        chunks.append(data)
    return b"".join(chunks)


def diff(expected: bytes, actual: bytes, target: Path = TARGET) -> str:
    """A unified diff from the file on disk (``actual``) to what the parts give."""
    lines = difflib.unified_diff(
        actual.decode("utf-8", "replace").splitlines(keepends=True),
        expected.decode("utf-8", "replace").splitlines(keepends=True),
        fromfile=f"{target.name} (on disk)",
        tofile=f"{target.name} (from parts)",
    )
    return "".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check", action="store_true", help="do not write; exit 1 if the file is out of date"
    )
    args = parser.parse_args(argv)
    expected = build()
    actual = TARGET.read_bytes() if TARGET.exists() else b""
    rel = TARGET.relative_to(ROOT)
    if args.check:
        if actual == expected:
            print(f"{rel} is up to date ({len(part_paths())} parts, {len(expected)} bytes)")
            return 0
        text = diff(expected, actual)
        changed = sum(
            1 for line in text.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")
        )
        print(f"{rel} differs from tools/mp_oracles_parts/ ({changed} changed lines):")
        print(text or "(differences in bytes that are not text lines, e.g. line endings)", end="")
        print("run `python tools/build_mp_oracles.py` to regenerate it", file=sys.stderr)
        return 1
    if actual == expected:
        print(f"{rel} unchanged")
    else:
        TARGET.write_bytes(expected)
        print(f"wrote {rel} ({len(expected)} bytes from {len(part_paths())} parts)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
