"""``hippo-verify check MODULE:FUNCTION --algorithm NAME``: grade anyone's kernel.

Runs ``hippo_verify.testing.grader.check_kernel`` on a function named on the command line
and prints its report card. The grader needs hypothesis (the test extras); it is imported
inside the command, so the rest of the CLI runs without it.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import math
import os
import sys
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from .._errors import InvalidArgumentError
from ..testing import Algorithm, algorithm_named

__all__ = ["add_parser", "load_function", "run"]

#: dtype names the command accepts (the grader grades real input dtypes).
DTYPES = {"float64": torch.float64, "float32": torch.float32}
INSTALL_HINT = "pip install 'hippo-verify[test]'"


def add_parser(commands: Any) -> None:
    check = commands.add_parser(
        "check",
        help="grade a kernel of yours against the certified oracles, the error model and "
        "the project's own kernel (needs the test extras)",
        description="Grade MODULE:FUNCTION as an implementation of an algorithm of the "
        "registry (hippo_verify.testing.ALGORITHMS): hypothesis draws inputs, each "
        "example is judged against the error model, the project's own kernel and the "
        "output dtype; a failure is shrunk to a minimal example. Exit codes: 0 pass, 1 a "
        "check failed, 2 bad usage. Needs hypothesis: " + INSTALL_HINT,
    )
    check.add_argument(
        "function",
        metavar="MODULE:FUNCTION",
        help="a dotted module importable from the current directory, or a path to a .py "
        "file, then ':' and the function's name (e.g. mykernels:rtf or src/k.py:rtf)",
    )
    check.add_argument(
        "--algorithm", required=True, metavar="NAME", help="the algorithm it implements"
    )
    check.add_argument(
        "--dtype",
        action="append",
        metavar="D",
        help="input dtype to grade, repeatable: float64, float32 (default: those the error "
        "model covers)",
    )
    check.add_argument("--examples", type=int, default=None, metavar="N", help="examples per dtype")
    check.add_argument(
        "--compute-dtype",
        metavar="D",
        help="the dtype the function computes and returns in on purpose (float64, float32)",
    )
    check.add_argument(
        "--reference-ratio",
        type=float,
        default=None,
        metavar="R",
        help="how many times less accurate than the project's kernel it may be ('inf': off)",
    )
    check.add_argument("--seed", type=int, default=0, metavar="S", help="hypothesis seed")
    check.add_argument(
        "--no-shrink",
        action="store_true",
        help="do not shrink a failing example (faster, larger counterexample)",
    )
    check.add_argument("--json", type=Path, metavar="FILE", help="write the verdict as JSON")
    check.add_argument(
        "--markdown", type=Path, metavar="FILE", help="write the report card as Markdown"
    )


def _dtype(name: str, option: str) -> torch.dtype:
    key = name.removeprefix("torch.")
    if key not in DTYPES:
        raise InvalidArgumentError(
            f"{option}: unknown dtype {name!r}; expected one of {', '.join(DTYPES)}"
        )
    return DTYPES[key]


def _import_grader() -> types.ModuleType:
    try:
        from ..testing import grader
    except ImportError as error:
        if (error.name or "").split(".")[0] == "hypothesis":
            raise InvalidArgumentError(
                f"check needs hypothesis, which is not installed: {INSTALL_HINT}"
            ) from None
        raise
    return grader


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return f"{type(error).__name__}: {text[0]}" if text else type(error).__name__


def _load_module(target: str) -> types.ModuleType:
    """The module ``target`` names: a .py path, or a dotted name importable from cwd."""
    if target.endswith(".py") or "/" in target or os.sep in target:
        path = Path(target).expanduser().resolve()
        if not path.is_file():
            raise InvalidArgumentError(f"no such file: {target}")
        name = path.stem
        loaded = sys.modules.get(name)
        if loaded is not None and getattr(loaded, "__file__", None) != str(path):
            name = f"_hippo_verify_check_{abs(hash(str(path)))}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise InvalidArgumentError(f"cannot load {target} as a Python module")
        module = importlib.util.module_from_spec(spec)
        if str(path.parent) not in sys.path:  # its sibling modules import, as with python FILE
            sys.path.insert(0, str(path.parent))
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as error:
            del sys.modules[name]
            raise InvalidArgumentError(f"importing {target} raised {_describe(error)}") from None
        return module
    if not all(part.isidentifier() for part in target.split(".")):
        raise InvalidArgumentError(
            f"{target!r} is neither a dotted module name nor a path to a .py file"
        )
    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.insert(0, cwd)
    try:
        return importlib.import_module(target)
    except ModuleNotFoundError as error:
        missing = error.name or ""
        if missing == target or target.startswith(missing + "."):
            raise InvalidArgumentError(
                f"no module named {missing!r} (looked in the current directory {cwd} and "
                "on sys.path)"
            ) from None
        raise InvalidArgumentError(f"importing {target} raised {_describe(error)}") from None
    except Exception as error:
        raise InvalidArgumentError(f"importing {target} raised {_describe(error)}") from None


def _describe(error: BaseException) -> str:
    if isinstance(error, SyntaxError):
        return f"SyntaxError: {error.msg} ({error.filename}, line {error.lineno})"
    return _first_line(error)


def load_function(spec: str) -> Callable[..., Any]:
    """The callable ``MODULE:FUNCTION`` names (FUNCTION may be dotted: ``Class.method``).

    Raises:
        InvalidArgumentError: malformed spec, missing file or module, an exception while
            importing it, a missing attribute, or an attribute that is not callable.
    """
    target, colon, attribute = spec.rpartition(":")
    if not colon or not target or not attribute:
        raise InvalidArgumentError(
            f"expected MODULE:FUNCTION (e.g. mykernels:rtf or path/to/file.py:rtf), got {spec!r}"
        )
    value: Any = _load_module(target)
    for part in attribute.split("."):
        if not hasattr(value, part):
            defined = sorted(
                name
                for name, obj in vars(value).items()
                if callable(obj) and not name.startswith("_")
            )[:12]
            hint = f"; it defines {', '.join(defined)}" if defined else ""
            raise InvalidArgumentError(f"{target} has no attribute {attribute!r}{hint}")
        value = getattr(value, part)
    if not callable(value):
        raise InvalidArgumentError(
            f"{spec} is not callable (an object of type {type(value).__name__})"
        )
    return value


def expected_signature(record: Algorithm) -> inspect.Signature:
    """The signature of the project's kernel for ``record`` (annotations dropped)."""
    signature = inspect.signature(record.kernel)
    parameters = [
        p.replace(annotation=inspect.Parameter.empty) for p in signature.parameters.values()
    ]
    return signature.replace(parameters=parameters, return_annotation=inspect.Signature.empty)


def check_signature(fn: Callable[..., Any], record: Algorithm, spec: str) -> None:
    """Refuse a function the grader cannot call as ``record``'s kernel (wrong parameters).

    The grader calls ``fn`` like ``record.kernel``: the parameters its strategy draws,
    positional ones in the kernel's order, keyword-only ones by name (``Algorithm.arguments``).
    A function without a readable signature (some builtins) is not checked here.
    """
    try:
        theirs = inspect.signature(fn)
    except (TypeError, ValueError):
        return
    with warnings.catch_warnings():  # one draw: which parameters the grader passes
        warnings.simplefilter("ignore")
        drawn = record.strategy().example()
    parameters = inspect.signature(record.kernel).parameters
    keyword = inspect.Parameter.KEYWORD_ONLY
    positional = [n for n, p in parameters.items() if n in drawn and p.kind is not keyword]
    keywords = [n for n, p in parameters.items() if n in drawn and p.kind is keyword]
    try:
        theirs.bind(*positional, **dict.fromkeys(keywords))
    except TypeError as error:
        call = ", ".join([*positional, *(f"{k}=..." for k in keywords)])
        kernel = f"{record.kernel.__module__}.{record.kernel.__name__}"
        raise InvalidArgumentError(
            f"{spec}{theirs} cannot be called as a {record.name!r} kernel, fn({call}) "
            f"({error}); expected the signature of {kernel}{expected_signature(record)}"
        ) from None


def _markdown(verdict: Any) -> str:
    return verdict.markdown()


def _json(verdict: Any) -> str:
    """``verdict.to_json()``; a non-finite number (``--reference-ratio inf``), which strict
    JSON cannot hold, is written as null."""
    try:
        return verdict.to_json() + "\n"
    except ValueError:
        return json.dumps(_finite(verdict.as_dict()), indent=1, allow_nan=False) + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def run(args: argparse.Namespace, progress: Callable[[str], None]) -> int:
    """Grade the function; 0 pass, 1 a check failed (errors of usage raise)."""
    record = algorithm_named(args.algorithm)
    dtypes = None if args.dtype is None else [_dtype(d, "--dtype") for d in args.dtype]
    compute = None if args.compute_dtype is None else _dtype(args.compute_dtype, "--compute-dtype")
    if args.examples is not None and args.examples < 1:
        raise InvalidArgumentError(f"--examples must be >= 1, got {args.examples}")
    if args.reference_ratio is not None and not args.reference_ratio >= 1:
        raise InvalidArgumentError(
            f"--reference-ratio must be >= 1 ('inf' turns the check off), "
            f"got {args.reference_ratio!r}"
        )
    grader = _import_grader()
    fn = load_function(args.function)
    check_signature(fn, record, args.function)
    options: dict[str, Any] = {"dtypes": dtypes, "compute_dtype": compute}
    if args.examples is not None:
        options["examples"] = args.examples
    if args.reference_ratio is not None:
        options["reference_ratio"] = args.reference_ratio
    examples = options.get("examples", grader.DEFAULT_EXAMPLES)
    progress(f"grading {args.function} as {record.name}: {examples} examples per dtype")
    verdict = grader.check_kernel(
        fn,
        record.name,
        seed_value=args.seed,
        shrink=not args.no_shrink,
        progress=progress,
        **options,
    )
    print(verdict.markdown(), end="")
    for path, render in ((args.json, _json), (args.markdown, _markdown)):
        if path is None:
            continue
        text = render(verdict)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        except OSError as error:
            raise InvalidArgumentError(f"cannot write {path}: {error.strerror or error}") from None
        progress(f"wrote {path}")
    return 0 if verdict else 1
