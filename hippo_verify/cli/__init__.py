"""Command-line interface: ``hippo-verify report``, ``export``, ``check``, ``tolerance`` and
``sweep``.

Exit codes: 0 success, 1 a check failed (while building, or a graded kernel failed),
2 bad usage or arguments. ``check`` needs the test extras (hypothesis); it imports the
grader inside the command, so the other commands run without them.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .. import __version__
from .._errors import HippoVerifyError, InvalidArgumentError
from ..oracles import CertificationError, golden
from ..report import PRECISION_MODES, build_report, precision_failures
from ..report._build import SWEEP_GRIDS
from ..symbolic import StepFailed
from . import _check, _sweep, _tolerance

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hippo-verify",
        description="Derive and verify the mathematics of state-space sequence models.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report",
        help="re-check the derivations, render them with the convention table, and measure "
        "every kernel x dtype against the oracles (precision.md, precision.json)",
    )
    report.add_argument(
        "--out", type=Path, default=Path("reports"), help="output directory (default: reports)"
    )
    report.add_argument(
        "--derivations",
        type=Path,
        default=Path("derivations"),
        help="directory of derivation scripts (default: derivations)",
    )
    report.add_argument(
        "--precision",
        choices=PRECISION_MODES,
        default="full",
        help="precision report at the canonical sizes (full, about 20 s), reduced sizes "
        "(quick) or not at all (none); default: full",
    )
    export = commands.add_parser(
        "export",
        help="compute the golden data (certified oracle values) as one JSON file per family",
        description="Compute the golden cases and write <family>.json files (schema "
        f"{golden.SCHEMA_VERSION}). Regenerating with the same version gives identical files; "
        "the package ships them in hippo_verify/data.",
    )
    export.add_argument(
        "--out", type=Path, default=Path("golden"), help="output directory (default: golden)"
    )
    export.add_argument(
        "--family",
        action="extend",
        nargs="+",
        metavar="NAME",
        help=f"families to export (default: all): {', '.join(golden.FAMILIES)}",
    )
    export.add_argument("--digits", type=int, default=30, help="digits to certify (default: 30)")
    _check.add_parser(commands)
    _tolerance.add_parser(commands)
    _sweep.add_parser(commands)
    return parser


Progress = Callable[[str], None]


def _report(args: argparse.Namespace, progress: Progress) -> int:
    """Write the reports; a kernel outside its error model (or raising) is a failed check (1)."""
    written = build_report(args.out, args.derivations, progress=progress, precision=args.precision)
    print(f"wrote {len(written)} files under {args.out}")
    failures = [] if args.precision == "none" else precision_failures(args.out / "precision.json")
    for failure in failures:
        print(f"hippo-verify: check failed: precision {failure}", file=sys.stderr)
    sweep_failures = _embedded_sweep_failures(args.out, args.precision)
    for failure in sweep_failures:
        print(f"hippo-verify: check failed: sweep {failure}", file=sys.stderr)
    return 1 if failures or sweep_failures else 0


def _embedded_sweep_failures(out: Path, precision: str) -> list[str]:
    """The failed checks of the sweep ``build_report`` embedded under ``out/sweep``."""
    if SWEEP_GRIDS.get(precision) is None:
        return []
    from ..sweep import failures_of

    points = json.loads((out / "sweep" / "sweep.json").read_text(encoding="utf-8"))["points"]
    return failures_of(points)


def _export(args: argparse.Namespace, progress: Progress) -> int:
    """Golden files of the chosen families; a failed certification is a failed check (1)."""
    families = args.family or list(golden.FAMILIES)
    unknown = [family for family in families if family not in golden.FAMILIES]
    if unknown:
        raise InvalidArgumentError(
            f"unknown family {', '.join(map(repr, unknown))}; "
            f"expected one of {', '.join(golden.FAMILIES)}"
        )
    if args.out.suffix == ".json" or (args.out.exists() and not args.out.is_dir()):
        raise InvalidArgumentError(f"--out must be a directory, got {args.out}")
    cases = [case for case in golden.canonical_cases() if case["family"] in families]
    try:
        written = golden.export(args.out, cases, args.digits, progress=progress)
    except (CertificationError, golden.GoldenDataError) as failure:
        print(f"hippo-verify: check failed: {failure}", file=sys.stderr)
        return 1
    except OSError as error:
        print(f"hippo-verify: cannot write under {args.out}: {error}", file=sys.stderr)
        return 2
    print(f"wrote {len(written)} files under {args.out}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the process exit code."""
    args = _parser().parse_args(argv)
    progress = lambda message: print(message, file=sys.stderr, flush=True)  # noqa: E731
    commands = {
        "report": _report,
        "export": _export,
        "check": _check.run,
        "tolerance": _tolerance.run,
        "sweep": _sweep.run,
    }
    command = commands[args.command]
    try:
        return command(args, progress)
    except StepFailed as failure:
        print(f"hippo-verify: check failed: {failure}", file=sys.stderr)
        return 1
    except HippoVerifyError as error:
        print(f"hippo-verify: {error}", file=sys.stderr)
        return 2
