"""Command-line interface: ``hippo-verify report``.

Exit codes: 0 success, 1 a check failed while building, 2 bad usage or arguments.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from .. import __version__
from .._errors import HippoVerifyError
from ..report import build_report
from ..symbolic import StepFailed

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hippo-verify",
        description="Derive and verify the mathematics of state-space sequence models.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report", help="re-check the derivations and render them with the convention table"
    )
    report.add_argument("--out", type=Path, default=Path("reports"),
                        help="output directory (default: reports)")
    report.add_argument("--derivations", type=Path, default=Path("derivations"),
                        help="directory of derivation scripts (default: derivations)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    progress = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    try:
        written = build_report(args.out, args.derivations, progress=progress)
    except StepFailed as failure:
        print(f"hippo-verify: check failed: {failure}", file=sys.stderr)
        return 1
    except HippoVerifyError as error:
        print(f"hippo-verify: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files under {args.out}")
    return 0
