"""Shared by the third-party tests: the adapters of examples/ loaded by path (as the command
line ``hippo-verify check examples/<file>.py:<fn>`` does), their sizes, the digits of a
failure and the float32-precision probe."""

from __future__ import annotations

import ast
import importlib.util
import re
import types
from pathlib import Path

import torch

from hippo_verify.testing import ALGORITHMS
from hippo_verify.testing.grader import Failure, Verdict

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Few examples, failing examples not shrunk (each shrink step runs an oracle).
FAST = {"examples": 8, "shrink": False}
#: Adapter code per function: statements, not the signature, docstring or comments.
MAX_ADAPTER_LINES = 10


def load(name: str) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(f"examples.{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def adapter_lines(name: str) -> dict[str, int]:
    """{public function: lines of code in its body} of examples/<name>.py (blank lines,
    comment lines and the docstring not counted)."""
    source = (EXAMPLES / f"{name}.py").read_text(encoding="utf-8")
    lines = source.splitlines()
    counts = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            body = node.body[1:] if ast.get_docstring(node) else node.body
            span = range(body[0].lineno, node.end_lineno + 1)
            counts[node.name] = sum(
                1 for i in span if lines[i - 1].strip() and not lines[i - 1].strip().startswith("#")
            )
    return counts


def failure(verdict: Verdict, dtype: torch.dtype) -> Failure:
    (grade,) = [d for d in verdict.dtypes if d.dtype == dtype]
    assert grade.failure is not None, verdict.markdown()
    return grade.failure


def digits(failure: Failure) -> tuple[float, float]:
    """(obtained, required) from a model failure's message."""
    found = re.search(r"digits obtained (-?[\d.]+|-inf), required (-?[\d.]+)", failure.message)
    assert found, failure.message
    return float(found.group(1)), float(found.group(2))


def _values(shape: tuple[int, ...], scale: float, generator: torch.Generator) -> torch.Tensor:
    return (scale * torch.randn(*shape, generator=generator, dtype=torch.float64)).float()


def generic_inputs(algorithm: str) -> dict:
    """Inputs with float32 values that are not short dyadics (the drawn ones are, and make
    products like dt A exact in float32): where a library rounds in the input dtype, the
    float32 result differs from the rounded float64 one."""
    g = torch.Generator().manual_seed(0)
    N, L = 3, 10
    if algorithm.startswith("rtf"):
        inputs = {"a": _values((N,), 0.2, g), "b": _values((N,), 1, g), "L": L}
        return {**inputs, "u": _values((L,), 1, g)} if algorithm == "rtf-recurrence" else inputs
    if algorithm in ("discretize", "ssm-doubling"):
        A = -torch.eye(N) + _values((N, N), 0.1, g)
        inputs = {"A": A, "B": _values((N,), 1, g), "dt": 0.1, "method": "bilinear"}
        if algorithm == "discretize":
            return inputs
        return {**inputs, "C": _values((N,), 1, g), "L": L}
    system = {"Ab": _values((N, N), 0.2, g), "Bb": _values((N,), 1, g), "C": _values((N,), 1, g)}
    return (
        {**system, "u": _values((L,), 1, g)} if algorithm.startswith("scan") else {**system, "L": L}
    )


def float64_inside(fn, algorithm: str, **changes) -> bool:
    """Whether ``fn``'s float32 result is exactly its float64 result rounded once, on
    ``generic_inputs`` (with ``changes``, e.g. another method)."""
    record = ALGORITHMS[algorithm]
    inputs = {**generic_inputs(algorithm), **changes}
    results = []
    for dtype in (torch.float64, torch.float32):
        args, kwargs = record.arguments(inputs, dtype)
        out = fn(*args, **kwargs)
        results.append(out if isinstance(out, tuple) else (out,))
        assert all(part.dtype == dtype for part in results[-1])  # input dtype out
    return all(torch.equal(x.to(torch.float32), y) for x, y in zip(*results))
